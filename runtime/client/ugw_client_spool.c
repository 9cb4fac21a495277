/*
 * ugw_client_spool.c - the client with a spool: the defaults a spool
 * changes (the bounds, the retry schedule that spans days), opening it, and
 * resuming its pending events as jobs when the client starts, each with its
 * webhook-id, attempt count and next-attempt time. Accepting through a
 * commit is in ugw_client.c (accept_job), the writes in ugw_spool_write.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client_internal.h"

/* Loading the pending rows: each becomes a job, due at its next attempt. */
typedef struct loader {
    ugw_client *c;
    job **jobs;
    size_t n, cap;
    int64_t wall_now, mono_now;
    bool nomem;
} loader;

static bool load_row(const ugw_spool_entry *e, int64_t seq, void *ctx)
{
    loader *ld = ctx;
    job *j;
    int64_t wait, age;
    if (ld->n == ld->cap) {
        size_t cap = ld->cap ? ld->cap * 2 : 256;
        job **nj = cap <= SIZE_MAX / sizeof *nj ? realloc(ld->jobs, cap * sizeof *nj) : NULL;
        if (!nj) {
            ld->nomem = true;
            return false;
        }
        ld->jobs = nj;
        ld->cap = cap;
    }
    if (!(j = ugw__client_job_new(ld->c, e->body_len))) {
        ld->nomem = true;
        return false;
    }
    memcpy(j->id, e->id, strlen(e->id) + 1);
    memcpy(j->event, e->event, strlen(e->event) + 1);
    j->format = e->format;
    j->len = e->body_len;
    if (e->body_len)
        memcpy(j->body, e->body, e->body_len);
    j->seq = seq;
    j->attempts = e->attempts;
    j->status = e->last_status;
    snprintf(j->error, sizeof j->error, "%s", e->error);
    j->slot = -1;
    j->retry_after_ms = -1;
    /* Wall-clock times in the file, monotonic ones in memory: the event
     * keeps its age and its wait (a clock set back makes neither negative). */
    wait = e->when_ms - ld->wall_now;
    age = ld->wall_now - e->created_ms;
    j->due_ms = ld->mono_now + (wait > 0 ? wait : 0);
    j->created_ms = ld->mono_now - (age > 0 ? age : 0);
    ld->jobs[ld->n++] = j;
    return true;
}

/* The spool's retry schedule (docs/CONTRACT.md §4.5, the one table of
 * ugw_retry_durable_delay_ms(), without jitter here): the wait after the
 * n-th failed attempt; the last repeats. */
int64_t ugw__client_schedule_ms(unsigned attempts)
{
    unsigned n = attempts == 0 ? 1
                 : attempts < UGW_RETRY_DURABLE_ATTEMPTS ? attempts
                                                         : UGW_RETRY_DURABLE_ATTEMPTS - 1;
    return ugw_retry_durable_delay_ms(n, 0, 0);
}

ugw_status ugw__client_spool_start(ugw_client *c, const ugw_client_config *given, ugw_error *err)
{
    loader ld;
    ugw_status st;
    size_t i;
    if (!given->backoff_base_ms && !given->backoff_max_ms) {
        c->long_schedule = true;
        if (given->jitter == 0)
            c->cfg.jitter = 0.1;
    }
    if (!given->max_age_ms)
        c->cfg.max_age_ms = INT64_C(3) * 24 * 3600 * 1000;
    if (!c->cfg.spool_max_events)
        c->cfg.spool_max_events = c->cfg.queue_capacity;
    if (!c->cfg.spool_max_bytes)
        c->cfg.spool_max_bytes = (uint64_t)256 << 20;
    if (c->cfg.spool_max_events > SIZE_MAX / sizeof(job *))
        return ugw_error_set(err, UGW_ERR_ARG, "spool_max_events is too large", 0, "spool_max_events");
    c->cap_events = c->cfg.spool_max_events;
    st = ugw__spool_open(c->cfg.spool_path, true, true, c->cfg.spool_sync, &c->spool, err);
    if (st != UGW_OK)
        return st;
    memset(&ld, 0, sizeof ld);
    ld.c = c;
    ld.wall_now = ugw__wall_ms();
    ld.mono_now = ugw__client_now_ms();
    st = ugw__spool_each(c->spool, UGW_SPOOL_PENDING, NULL, load_row, &ld, err);
    if (st == UGW_OK && ld.nomem)
        st = ugw_error_set(err, UGW_ERR_NOMEM, "out of memory resuming the spool", 0, "spool_path");
    if (st == UGW_OK) {
        /* The heap holds every event at once: at least the bound, and all
         * the resumed ones even when there are more (never dropped). */
        c->heap_cap = ld.n > c->cap_events ? ld.n : (size_t)c->cap_events;
        if (!(c->heap = malloc(sizeof *c->heap * (c->heap_cap ? c->heap_cap : 1))))
            st = ugw_error_set(err, UGW_ERR_NOMEM, "out of memory", 0, NULL);
    }
    if (st != UGW_OK) {
        for (i = 0; i < ld.n; i++)
            free(ld.jobs[i]);
        free(ld.jobs);
        return st;
    }
    for (i = 0; i < ld.n; i++) {
        job *j = ld.jobs[i];
        if (j->due_ms <= ld.mono_now)
            ugw__client_pending_push(c, j); /* in the order they were accepted */
        else
            ugw__client_heap_push(c, j);
        c->spool_bytes += j->len;
    }
    c->count = ld.n;
    c->stats.queued = ld.n;
    c->stats.resumed = ld.n;
    free(ld.jobs);
    return UGW_OK;
}

void ugw__client_worker_outcomes(ugw_client *c, worker *w, job *done, bool wait)
{
    bool busy = false;
    unsigned bad;
    job *list;
    if (!c->spool) {
        if (done)
            ugw__client_deliver_outcomes(c, done);
        return;
    }
    if (!w->held)
        w->held_ms = ugw__client_now_ms();
    while (done) {
        job *j = done;
        done = j->next;
        j->next = w->held;
        w->held = j;
        w->nheld++;
        wait |= j->sync != NULL; /* a send() waits for this one */
    }
    if (!w->held)
        return;
    wait |= w->nheld >= w->nslots || ugw__client_now_ms() - w->held_ms >= UGW_SPOOL_HOLD_MS;
    bad = ugw__spool_finish(c->spool, w->held, wait, &busy);
    if (busy)
        return; /* producers are committing: the next pass writes these with its own */
    if (bad) {
        pthread_mutex_lock(&c->mu);
        c->stats.spool_errors += bad;
        pthread_mutex_unlock(&c->mu);
    }
    list = w->held;
    w->held = NULL;
    w->nheld = 0;
    ugw__client_report_outcomes(c, list);
}
