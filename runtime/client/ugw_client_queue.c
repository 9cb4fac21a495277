/*
 * ugw_client_queue.c - the client's queues and the end of every event: the
 * pending FIFO, the retry heap (by due time), finishing events and handing
 * their outcomes to the dead-letter file, the callback and a waiting send().
 *
 * The queue functions are called with the client's `mu` held;
 * ugw__client_deliver_outcomes() without it (see client_internal.h).
 */
#include <stdlib.h>
#include <string.h>

#include "client_internal.h"

/* ------------------------------------------------------------------ */
/* jobs, kept for reuse                                                  */
/* ------------------------------------------------------------------ */

/* Bodies are allocated in steps of POOL_STEP bytes, so that events of
 * similar sizes fit each other's jobs; jobs with room for more than
 * POOL_BODY_MAX bytes are not kept. */
#define POOL_STEP 256
#define POOL_BODY_MAX 4096

job *ugw__client_job_new(ugw_client *c, size_t len)
{
    job *j = NULL, *small = NULL;
    size_t cap;
    pthread_mutex_lock(&c->pool_mu);
    if (c->pool) {
        j = c->pool;
        c->pool = j->next;
        c->npool--;
        if (j->cap < len) { /* too small for this one: it makes room */
            small = j;
            j = NULL;
        }
    }
    pthread_mutex_unlock(&c->pool_mu);
    free(small);
    if (!j) {
        if (len > SIZE_MAX - sizeof *j - POOL_STEP)
            return NULL;
        cap = len <= POOL_BODY_MAX ? (len / POOL_STEP + 1) * POOL_STEP : len;
        if (!(j = malloc(sizeof *j + cap)))
            return NULL;
    } else {
        cap = j->cap;
    }
    memset(j, 0, sizeof *j);
    j->cap = cap;
    return j;
}

void ugw__client_jobs_free(ugw_client *c, job *j)
{
    job *next, *drop = NULL;
    if (!j)
        return;
    pthread_mutex_lock(&c->pool_mu);
    for (; j; j = next) {
        next = j->next;
        if (j->cap <= POOL_BODY_MAX && c->npool < c->pool_max) {
            j->next = c->pool;
            c->pool = j;
            c->npool++;
        } else {
            j->next = drop;
            drop = j;
        }
    }
    pthread_mutex_unlock(&c->pool_mu);
    for (; drop; drop = next) {
        next = drop->next;
        free(drop);
    }
}

/* ------------------------------------------------------------------ */
/* the retry heap (min by due_ms)                                       */
/* ------------------------------------------------------------------ */

void ugw__client_heap_push(ugw_client *c, job *j)
{
    size_t i = c->heap_len++;
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (c->heap[p]->due_ms <= j->due_ms)
            break;
        c->heap[i] = c->heap[p];
        i = p;
    }
    c->heap[i] = j;
}

job *ugw__client_heap_pop(ugw_client *c)
{
    job *top = c->heap[0], *last = c->heap[--c->heap_len];
    size_t i = 0, n = c->heap_len;
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        int64_t md = last->due_ms;
        if (l < n && c->heap[l]->due_ms < md) {
            m = l;
            md = c->heap[l]->due_ms;
        }
        if (r < n && c->heap[r]->due_ms < md)
            m = r;
        if (m == i)
            break;
        c->heap[i] = c->heap[m];
        i = m;
    }
    if (n)
        c->heap[i] = last;
    return top;
}

/* ------------------------------------------------------------------ */
/* the pending FIFO                                                     */
/* ------------------------------------------------------------------ */

void ugw__client_pending_push(ugw_client *c, job *j)
{
    j->next = NULL;
    if (c->pending_tail)
        c->pending_tail->next = j;
    else
        c->pending_head = j;
    c->pending_tail = j;
}

void ugw__client_pending_push_front(ugw_client *c, job *j)
{
    j->next = c->pending_head;
    c->pending_head = j;
    if (!c->pending_tail)
        c->pending_tail = j;
}

job *ugw__client_pending_pop(ugw_client *c)
{
    job *j = c->pending_head;
    if (j) {
        c->pending_head = j->next;
        if (!c->pending_head)
            c->pending_tail = NULL;
    }
    return j;
}

/* ------------------------------------------------------------------ */
/* finishing events                                                     */
/* ------------------------------------------------------------------ */

static void fill_outcome(const job *j, ugw_outcome *o)
{
    memset(o, 0, sizeof *o);
    memcpy(o->id, j->id, sizeof o->id);
    o->result = j->result;
    o->http_status = j->status;
    o->curl_code = j->curl_code;
    o->error = j->error;
    o->attempts = j->attempts;
    o->endpoint_gone = j->gone;
    o->event = j->event;
    o->body = j->body;
    o->body_len = j->len;
    o->format = j->format;
    o->user = j->user;
    o->retry_after_ms = ugw__client_status_takes_retry_after(j->status) ? j->retry_after_ms : -1;
}

void ugw__client_finish_locked(ugw_client *c, job *j, ugw_result r, job **done)
{
    j->result = r;
    if (r == UGW_RESULT_DELIVERED)
        c->stats.delivered++;
    else if (r == UGW_RESULT_KEPT)
        c->stats.kept++;
    else
        c->stats.failed++;
    if (c->spool)
        c->spool_bytes -= j->len;
    c->count--;
    c->unreported++;
    j->next = *done;
    *done = j;
}

bool ugw__client_room_wake_locked(const ugw_client *c, bool starving)
{
    uint64_t step = c->cap_events / 8;
    if (c->closing || c->gone)
        return true; /* waiters leave with UGW_ERR_CLOSED */
    if (c->count >= c->cap_events)
        return false;
    if (step > 256)
        step = 256;
    return starving || c->count + (step ? step : 1) <= c->cap_events;
}

void ugw__client_deliver_outcomes(ugw_client *c, job *done)
{
    /* The spool first: a delivered event leaves it, a failed one becomes a
     * dead letter there, before anyone hears of it. */
    if (c->spool) {
        unsigned bad = ugw__spool_finish(c->spool, done, true, NULL);
        if (bad) {
            pthread_mutex_lock(&c->mu);
            c->stats.spool_errors += bad;
            pthread_mutex_unlock(&c->mu);
        }
    }
    ugw__client_report_outcomes(c, done);
}

void ugw__client_report_outcomes(ugw_client *c, job *done)
{
    job *j;
    size_t n = 0;
    bool synced = false;
    /* Dead letters and callbacks one worker at a time: the dead-letter file
     * has one writer, and a callback never runs twice at once. */
    pthread_mutex_lock(&c->cb_mu);
    for (j = done; j; j = j->next) {
        ugw_outcome o;
        int dl_errno = 0;
        if (j->result != UGW_RESULT_DELIVERED && j->result != UGW_RESULT_KEPT)
            dl_errno = ugw__client_dead_letter(c, j);
        fill_outcome(j, &o);
        o.dead_letter_errno = dl_errno;
        if (dl_errno) { /* counted before the callback hears of it */
            pthread_mutex_lock(&c->mu);
            c->stats.dead_letter_failed++;
            pthread_mutex_unlock(&c->mu);
        }
        if (c->cfg.on_outcome)
            c->cfg.on_outcome(&o, c->cfg.on_outcome_ctx);
        if (j->sync) { /* read by its send() once `done` is set, under mu */
            j->sync->outcome = o;
            j->sync->outcome.body = NULL;
            j->sync->outcome.event = NULL;
            memcpy(j->sync->error, j->error, sizeof j->sync->error);
            j->sync->outcome.error = "";
        }
        n++;
    }
    pthread_mutex_unlock(&c->cb_mu);
    pthread_mutex_lock(&c->mu);
    for (j = done; j; j = j->next) {
        if (j->sync) {
            j->sync->done = true;
            synced = true;
        }
    }
    c->unreported -= n;
    /* flush() waits for nothing left, send() for its event, close() for
     * the waiters to leave: wake them only then. */
    if (synced || c->closing || (c->count == 0 && c->unreported == 0))
        pthread_cond_broadcast(&c->idle);
    pthread_mutex_unlock(&c->mu);
    ugw__client_jobs_free(c, done);
}

void ugw__client_fail_queued_gone(ugw_client *c, job **done)
{
    job *j;
    while ((j = ugw__client_pending_pop(c))) {
        j->gone = true;
        ugw__client_finish_locked(c, j, UGW_RESULT_GONE, done);
    }
    while (c->heap_len) {
        j = ugw__client_heap_pop(c);
        j->gone = true;
        ugw__client_finish_locked(c, j, UGW_RESULT_GONE, done);
    }
    c->stats.queued = 0;
}
