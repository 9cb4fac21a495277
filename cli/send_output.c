/*
 * send_output.c - what `ugw send` says: messages that never mix with the
 * progress line, each failed event, the progress line on a terminal, and the
 * summary that ends every run (locking: see send.h).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "send.h"

double send_elapsed_s(const run *r)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - r->start.tv_sec) + (double)(now.tv_nsec - r->start.tv_nsec) / 1e9;
}

void send_clear_progress_locked(run *r)
{
    if (r->progress_on) {
        fputs("\r\033[K", stderr);
        r->progress_on = false;
    }
}

void send_say(run *r, const char *fmt, ...)
{
    va_list ap;
    pthread_mutex_lock(&r->mu);
    send_clear_progress_locked(r);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fflush(stderr);
    pthread_mutex_unlock(&r->mu);
}

void send_where(char *out, size_t cap, unsigned attempts, const origin *o)
{
    int n = snprintf(out, cap, " (%u attempt%s", attempts, attempts == 1 ? "" : "s");
    if (n < 0 || (size_t)n >= cap)
        return;
    if (o && o->line)
        snprintf(out + n, cap - (size_t)n, ", %s:%llu)", o->file, (unsigned long long)o->line);
    else if (o)
        snprintf(out + n, cap - (size_t)n, ", %s)", o->file);
    else
        snprintf(out + n, cap - (size_t)n, ")");
}

void send_on_outcome(const ugw_outcome *oc, void *ctx)
{
    run *r = ctx;
    origin *o = oc->user;

    pthread_mutex_lock(&r->mu);
    if (oc->result == UGW_RESULT_DELIVERED) {
        r->delivered++;
    } else {
        char status[32], tail[512];
        r->failed++;
        if (oc->http_status)
            snprintf(status, sizeof status, "HTTP %ld", oc->http_status);
        else
            snprintf(status, sizeof status, "no HTTP answer");
        send_where(tail, sizeof tail, oc->attempts, o);
        send_clear_progress_locked(r);
        fprintf(stderr, "failed %s \"%s\": %s, %s%s%s%s\n", oc->id, oc->event ? oc->event : "",
                ugw_result_name(oc->result), status, oc->error && oc->error[0] ? ", " : "",
                oc->error ? oc->error : "", tail);
        fflush(stderr);
    }
    pthread_mutex_unlock(&r->mu);
    if (oc->dead_letter_errno)
        send_dead_letter_failed(r, oc->id, oc->dead_letter_errno);
    free(o);
}

/* Redraws the progress line; with r->mu held. */
static void draw_progress_locked(run *r, const ugw_client_stats *st)
{
    double t = send_elapsed_s(r);
    double rate = t > 0 ? (double)(r->delivered + r->failed) / t : 0;
    fprintf(stderr, "\rsent %llu, delivered %llu, retried %llu, failed %llu, %.0f ev/s\033[K",
            (unsigned long long)r->accepted, (unsigned long long)r->delivered,
            (unsigned long long)st->retried, (unsigned long long)r->failed, rate);
    fflush(stderr);
    r->progress_on = true;
}

static void *progress_thread(void *arg)
{
    run *r = arg;
    pthread_mutex_lock(&r->mu);
    while (!r->stop_progress) {
        struct timespec dl;
        ugw_client_stats st;
        clock_gettime(CLOCK_REALTIME, &dl);
        dl.tv_nsec += 200 * 1000000L;
        if (dl.tv_nsec >= 1000000000L) {
            dl.tv_sec++;
            dl.tv_nsec -= 1000000000L;
        }
        while (!r->stop_progress && pthread_cond_timedwait(&r->wake, &r->mu, &dl) != ETIMEDOUT)
            ;
        if (r->stop_progress)
            break;
        /* The client's lock is never taken with ours held. */
        pthread_mutex_unlock(&r->mu);
        ugw_client_stats_get(r->client, &st);
        pthread_mutex_lock(&r->mu);
        if (!r->stop_progress)
            draw_progress_locked(r, &st);
    }
    send_clear_progress_locked(r);
    fflush(stderr);
    pthread_mutex_unlock(&r->mu);
    return NULL;
}

void send_stop_progress(run *r)
{
    if (!r->progress_started)
        return;
    pthread_mutex_lock(&r->mu);
    r->stop_progress = true;
    pthread_cond_signal(&r->wake);
    pthread_mutex_unlock(&r->mu);
    pthread_join(r->progress, NULL);
    r->progress_started = false;
}

void send_count_invalid(run *r)
{
    pthread_mutex_lock(&r->mu);
    r->invalid++;
    pthread_mutex_unlock(&r->mu);
}

void send_start_progress(run *r)
{
    if (isatty(STDERR_FILENO) && pthread_create(&r->progress, NULL, progress_thread, r) == 0)
        r->progress_started = true;
}

void send_summary(const run *r)
{
    uint64_t total = r->delivered + r->failed + r->invalid;
    fprintf(stderr, "%llu event%s: %llu delivered, %llu failed, %llu invalid in %.2f s\n",
            (unsigned long long)total, total == 1 ? "" : "s", (unsigned long long)r->delivered,
            (unsigned long long)r->failed, (unsigned long long)r->invalid, send_elapsed_s(r));
}
