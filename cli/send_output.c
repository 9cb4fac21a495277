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
#include <sys/stat.h>
#include <unistd.h>

#include "send.h"
#include "serve_internal.h" /* json_escaped(), the command's one JSON escaper */

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
    } else if (oc->result == UGW_RESULT_KEPT) {
        r->kept++; /* still pending in the spool: not failed */
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

/* "12 s", "3 min 5 s", "2 h 10 min" */
static void fmt_duration(char *out, size_t cap, double s)
{
    unsigned long long v = s < 0 ? 0 : (unsigned long long)(s + 0.5);
    if (v < 60)
        snprintf(out, cap, "%llu s", v);
    else if (v < 3600)
        snprintf(out, cap, "%llu min %llu s", v / 60, v % 60);
    else
        snprintf(out, cap, "%llu h %llu min", v / 3600, v / 60 % 60);
}

/* Redraws the progress line; with r->mu held. With the input's size known:
 * the events in all (exact once the input is read, else estimated from the
 * bytes read so far), the percentage finished and the time left. */
static void draw_progress_locked(run *r, const ugw_client_stats *st)
{
    double t = send_elapsed_s(r);
    uint64_t finished = r->delivered + r->failed + r->invalid;
    uint64_t read = r->accepted + r->invalid;
    double rate = t > 0 ? (double)(r->delivered + r->failed) / t : 0;
    char total[64] = "", left[48] = "", dur[32];
    uint64_t in_read = r->in_done + r->in_pos;

    if (r->input_done || (r->in_total_known && in_read > 0 && read > 0)) {
        double est = r->input_done ? (double)read : (double)read * (double)r->in_total / (double)in_read;
        double pct = est > 0 ? 100.0 * (double)finished / est : 0;
        if (est < (double)read)
            est = (double)read;
        snprintf(total, sizeof total, " of %s%.0f (%.0f%%)", r->input_done ? "" : "~", est, pct > 100 ? 100 : pct);
        if (rate > 0 && finished > 0) {
            fmt_duration(dur, sizeof dur, (est - (double)finished) / rate);
            snprintf(left, sizeof left, ", %s left", dur);
        }
    }
    fprintf(stderr, "\rsent %llu%s, delivered %llu, retried %llu, failed %llu, %.0f ev/s%s\033[K",
            (unsigned long long)r->accepted, total, (unsigned long long)r->delivered,
            (unsigned long long)st->retried, (unsigned long long)r->failed, rate, left);
    fflush(stderr);
    r->progress_on = true;
}

void send_input_sizes(run *r, const char *const *paths, size_t n)
{
    struct stat sb;
    r->in_total = 0;
    r->in_total_known = n > 0;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(paths[i], "-") == 0 || stat(paths[i], &sb) != 0 || !S_ISREG(sb.st_mode)) {
            r->in_total_known = false;
            return;
        }
        r->in_total += (uint64_t)sb.st_size;
    }
}

void send_input_at(run *r, uint64_t pos)
{
    pthread_mutex_lock(&r->mu);
    r->in_pos = pos;
    pthread_mutex_unlock(&r->mu);
}

void send_input_file_done(run *r, const char *path)
{
    struct stat sb;
    pthread_mutex_lock(&r->mu);
    if (strcmp(path, "-") != 0 && stat(path, &sb) == 0 && S_ISREG(sb.st_mode))
        r->in_done += (uint64_t)sb.st_size;
    r->in_pos = 0;
    pthread_mutex_unlock(&r->mu);
}

void send_summary_json(const run *r)
{
    uint64_t total = r->delivered + r->failed + r->invalid + r->kept;
    printf("{\"events\":%llu,\"delivered\":%llu,\"failed\":%llu,\"invalid\":%llu,\"retried\":%llu,",
           (unsigned long long)total, (unsigned long long)r->delivered, (unsigned long long)r->failed,
           (unsigned long long)r->invalid, (unsigned long long)r->retried);
    if (r->spool) /* still pending in the spool (an interrupted run) */
        printf("\"kept\":%llu,", (unsigned long long)r->kept);
    printf("\"seconds\":%.3f,\"bytes\":", send_elapsed_s(r));
    if (r->in_total_known)
        printf("%llu", (unsigned long long)r->in_total);
    else
        printf("null");
    printf(",\"stopped_at\":");
    if (r->stop_file) {
        char *q = json_escaped(r->stop_file, strlen(r->stop_file));
        printf("\"%s:%llu\"", q ? q : "", (unsigned long long)r->stop_line);
        free(q);
    } else {
        printf("null");
    }
    printf("}\n");
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
    uint64_t total = r->delivered + r->failed + r->invalid + r->kept;
    char kept[64] = "";
    if (r->spool)
        snprintf(kept, sizeof kept, ", %llu kept in the spool", (unsigned long long)r->kept);
    fprintf(stderr, "%llu event%s: %llu delivered, %llu failed, %llu invalid%s in %.2f s\n",
            (unsigned long long)total, total == 1 ? "" : "s", (unsigned long long)r->delivered,
            (unsigned long long)r->failed, (unsigned long long)r->invalid, kept, send_elapsed_s(r));
}
