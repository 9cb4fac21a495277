/*
 * ugw_client.c - the public API of the delivery client and its lifecycle:
 * checking and copying the configuration, starting the background thread,
 * accepting events (waiting for room when asked to), waiting for them, and
 * closing. The queues, the retry policy, the transfers and the dead letters
 * have files of their own (see client_internal.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "client_internal.h"

const char *ugw_result_name(ugw_result r)
{
    switch (r) {
    case UGW_RESULT_DELIVERED: return "delivered";
    case UGW_RESULT_REJECTED: return "rejected";
    case UGW_RESULT_ATTEMPTS: return "attempts";
    case UGW_RESULT_EXPIRED: return "expired";
    case UGW_RESULT_GONE: return "gone";
    case UGW_RESULT_CLOSED: return "closed";
    case UGW_RESULT_CONFIG: return "config";
    case UGW_RESULT_TLS: return "tls";
    case UGW_RESULT_KEPT: return "kept";
    }
    return "?";
}

/* A CLOCK_MONOTONIC deadline `ms` from now, for pthread_cond_timedwait() on
 * the client's condition variables (made with that clock: setting the
 * wall clock neither cuts nor stretches a wait). */
static void deadline_ts(struct timespec *ts, int64_t ms)
{
    clock_gettime(CLOCK_MONOTONIC, ts);
    ts->tv_sec += (time_t)(ms / 1000);
    ts->tv_nsec += (long)(ms % 1000) * 1000000L;
    if (ts->tv_nsec >= 1000000000L) {
        ts->tv_sec++;
        ts->tv_nsec -= 1000000000L;
    }
}

/* ------------------------------------------------------------------ */
/* public API                                                           */
/* ------------------------------------------------------------------ */

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static _Thread_local char sync_error[CURL_ERROR_SIZE];
static CURLcode curl_init_result;

static void curl_init_once(void)
{
    curl_init_result = curl_global_init(CURL_GLOBAL_DEFAULT);
}

static void client_free(ugw_client *c)
{
    job *j;
    /* Jobs left only when starting failed after a spool was resumed. */
    while ((j = ugw__client_pending_pop(c)))
        free(j);
    while (c->heap_len)
        free(ugw__client_heap_pop(c));
    if (c->workers) {
        for (unsigned i = 0; i < c->nworkers; i++)
            ugw__client_worker_free(&c->workers[i]);
        free(c->workers);
    }
    if (c->dead_fd >= 0)
        close(c->dead_fd);
    ugw_spool_close(c->spool);
    while ((j = c->pool)) {
        c->pool = j->next;
        free(j);
    }
    pthread_mutex_destroy(&c->mu);
    pthread_mutex_destroy(&c->cb_mu);
    pthread_mutex_destroy(&c->pool_mu);
    pthread_cond_destroy(&c->room);
    pthread_cond_destroy(&c->idle);
    free(c->heap);
    free(c->ua_line);
    curl_url_cleanup(c->url);
    free(c->strings);
    free(c);
}

ugw_client *ugw_client_new(const ugw_client_config *cfg, ugw_error *err)
{
    ugw_client *c;
    ugw_secret key;
    bool keyed = false;
    memset(&key, 0, sizeof key);
    ugw_error_clear(err);
    if (!cfg || !cfg->url || (strncmp(cfg->url, "http://", 7) != 0 && strncmp(cfg->url, "https://", 8) != 0)) {
        ugw_error_set(err, UGW_ERR_ARG, "url must be http:// or https://", 0, "url");
        return NULL;
    }
    if (cfg->format != UGW_FORMAT_JSON && cfg->format != UGW_FORMAT_MSGPACK) {
        ugw_error_set(err, UGW_ERR_ARG, "unknown format", 0, "format");
        return NULL;
    }
    if (cfg->jitter > 1.0) {
        ugw_error_set(err, UGW_ERR_ARG, "jitter must be at most 1", 0, "jitter");
        return NULL;
    }
    if (cfg->connect_timeout_ms < 0 || cfg->timeout_ms < 0 || cfg->max_age_ms < 0
        || cfg->backoff_base_ms < 0 || cfg->backoff_max_ms < 0) {
        ugw_error_set(err, UGW_ERR_ARG, "timeouts, ages and backoffs must not be negative", 0, NULL);
        return NULL;
    }
    if (cfg->spool_sync != UGW_SPOOL_SYNC_CRASH && cfg->spool_sync != UGW_SPOOL_SYNC_POWER) {
        ugw_error_set(err, UGW_ERR_ARG, "unknown spool_sync", 0, "spool_sync");
        return NULL;
    }
    if (cfg->spool_path && !cfg->spool_path[0]) {
        ugw_error_set(err, UGW_ERR_ARG, "spool_path is empty", 0, "spool_path");
        return NULL;
    }
    if (cfg->max_in_flight > 1024) {
        ugw_error_set(err, UGW_ERR_ARG, "max_in_flight must be at most 1024", 0, "max_in_flight");
        return NULL;
    }
    if (cfg->delivery_threads > UGW_CLIENT_THREADS_MAX) {
        ugw_error_set(err, UGW_ERR_ARG, "delivery_threads must be at most 256", 0, "delivery_threads");
        return NULL;
    }
    pthread_once(&curl_once, curl_init_once);
    if (curl_init_result != CURLE_OK) {
        ugw_error_set(err, UGW_ERR_NOMEM, "libcurl failed to initialise", 0, NULL);
        return NULL;
    }
    c = calloc(1, sizeof *c);
    if (!c) {
        ugw_error_set(err, UGW_ERR_NOMEM, "out of memory", 0, NULL);
        return NULL;
    }
    c->dead_fd = -1;
    pthread_mutex_init(&c->mu, NULL);
    pthread_mutex_init(&c->cb_mu, NULL);
    pthread_mutex_init(&c->pool_mu, NULL);
    {
        pthread_condattr_t ca;
        pthread_condattr_init(&ca);
        pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
        pthread_cond_init(&c->room, &ca);
        pthread_cond_init(&c->idle, &ca);
        pthread_condattr_destroy(&ca);
    }
    c->cfg = *cfg;
    if (!ugw__client_copy_strings(c, cfg))
        goto nomem;
    if (!c->cfg.connect_timeout_ms)
        c->cfg.connect_timeout_ms = 10000;
    if (!c->cfg.timeout_ms)
        c->cfg.timeout_ms = 30000;
    if (!c->cfg.max_attempts)
        c->cfg.max_attempts = 8;
    if (!c->cfg.max_age_ms)
        c->cfg.max_age_ms = INT64_C(24) * 3600 * 1000;
    if (!c->cfg.backoff_base_ms)
        c->cfg.backoff_base_ms = 1000;
    if (!c->cfg.backoff_max_ms)
        c->cfg.backoff_max_ms = 300000;
    if (c->cfg.jitter == 0)
        c->cfg.jitter = 0.5;
    if (!c->cfg.max_in_flight)
        c->cfg.max_in_flight = 8;
    if (!c->cfg.queue_capacity)
        c->cfg.queue_capacity = 10000;
    /* One pass of outcomes frees up to max_in_flight jobs; the producers
     * take them back for the next events. */
    c->pool_max = 2 * c->cfg.max_in_flight;
    if (c->cfg.queue_capacity > SIZE_MAX / sizeof *c->heap) { /* the heap's size would wrap */
        ugw_error_set(err, UGW_ERR_ARG, "queue_capacity is too large", 0, "queue_capacity");
        goto fail;
    }
    if (cfg->secret && cfg->secret[0]) {
        /* Kept until each worker has made its signer from it, then cleared. */
        if (ugw_secret_parse(cfg->secret, strlen(cfg->secret), &key, err)
            || ugw_secret_check(&key, cfg->allow_weak_secret, err)) {
            if (err)
                memcpy(err->path, "secret", sizeof "secret");
            goto fail;
        }
        keyed = true;
    }
    if (c->cfg.dead_letter_path) {
        c->dead_fd = ugw_dead_letter_append_open(c->cfg.dead_letter_path, NULL);
        if (c->dead_fd < 0) {
            ugw_error_set(err, UGW_ERR_IO, "the dead-letter file cannot be opened for appending", 0,
                          "dead_letter_path");
            goto fail;
        }
    }
    c->cap_events = c->cfg.queue_capacity;
    if (c->cfg.spool_path) {
        if (ugw__client_spool_start(c, cfg, err) != UGW_OK)
            goto fail;
    } else {
        c->heap_cap = c->cfg.queue_capacity;
        c->heap = malloc(sizeof *c->heap * c->heap_cap);
    }
    if (c->cfg.tune_malloc)
        ugw__client_tune_malloc();
    c->nworkers = ugw__client_worker_count(c->cfg.delivery_threads, c->cfg.max_in_flight);
    c->cfg.delivery_threads = c->nworkers;
    c->workers = calloc(c->nworkers, sizeof *c->workers);
    if (!c->heap || !c->workers)
        goto nomem;
    for (unsigned i = 0; i < c->nworkers; i++) {
        if (!ugw__client_worker_init(c, &c->workers[i], i, c->nworkers, c->cfg.max_in_flight,
                                     keyed ? &key : NULL)) {
            c->nworkers = i + 1; /* client_free() frees the ones made */
            goto nomem;
        }
    }
    ugw__client_seed(c);
    for (unsigned i = 0; i < c->nworkers; i++) {
        worker *w = &c->workers[i];
        if (pthread_create(&w->thread, NULL, ugw__client_worker_main, w) != 0) {
            ugw__client_workers_stop(c);
            goto nomem;
        }
        w->started = true;
    }
    OPENSSL_cleanse(&key, sizeof key);
    return c;
nomem:
    ugw_error_set(err, UGW_ERR_NOMEM, "out of memory", 0, NULL);
fail:
    OPENSSL_cleanse(&key, sizeof key);
    client_free(c);
    return NULL;
}

/* Whether an event of `len` bytes finds no room (mu held). */
static bool no_room_locked(const ugw_client *c, size_t len)
{
    return c->count >= c->cap_events || (c->spool && c->spool_bytes + len > c->cfg.spool_max_bytes);
}

/* With a spool: commits `j` (and the mark) after taking its room (mu held,
 * released meanwhile). UGW_OK with the room kept, or the room given back. */
static ugw_status commit_locked(ugw_client *c, job *j, const char *mark_key, uint64_t mark_value,
                                ugw_error *err)
{
    spool_write w;
    ugw_status st;
    memset(&w, 0, sizeof w);
    w.j = j;
    w.mark_key = mark_key;
    w.mark_value = mark_value;
    c->count++;
    c->spool_bytes += j->len;
    c->committing++;
    pthread_mutex_unlock(&c->mu);
    st = ugw__spool_commit(c->spool, &w, err);
    pthread_mutex_lock(&c->mu);
    c->committing--;
    if (st != UGW_OK) {
        c->count--;
        c->spool_bytes -= j->len;
        pthread_cond_broadcast(&c->room);
    }
    if (c->closing && !c->committing)
        pthread_cond_broadcast(&c->idle); /* close() waits for commits */
    return st;
}

static ugw_status accept_job(ugw_client *c, const void *body, size_t len,
                             ugw_format format, const char *event,
                             const char *webhook_id, int64_t wait_ms, void *user,
                             sync_wait *sync, const char *mark_key, uint64_t mark_value,
                             char *id_out, ugw_error *err)
{
    job *j;
    worker *wake;
    ugw_error_clear(err);
    if (!c || (!body && len) || (format != UGW_FORMAT_JSON && format != UGW_FORMAT_MSGPACK))
        return ugw_error_set(err, UGW_ERR_ARG, "invalid argument", 0, NULL);
    if (mark_key && (!c->spool || !ugw__spool_mark_key_ok(mark_key)))
        return ugw_error_set(err, UGW_ERR_ARG, c->spool ? "a mark key is 1 to 1024 bytes" : "marks need a spool",
                             0, "mark_key");
    if (c->spool && len > c->cfg.spool_max_bytes)
        return ugw_error_set(err, UGW_ERR_LIMIT, "the body alone is larger than spool_max_bytes", len,
                             "spool_max_bytes");
    if (ugw__client_on_worker(c)) {
        /* From an outcome callback: a delivery thread must never wait for
         * room it may alone make, nor for an outcome it may alone report. */
        if (sync)
            return ugw_error_set(err, UGW_ERR_ARG, "send() from an outcome callback would wait forever", 0, NULL);
        wait_ms = 0;
    }
    if (webhook_id) {
        /* The one rule of a valid webhook-id, as receivers check it; strnlen:
         * an overlong id is read no further than one byte past the limit. */
        ugw_error ie;
        if (ugw_webhook_id_check(webhook_id, strnlen(webhook_id, UGW_WEBHOOK_ID_MAX), &ie) != UGW_OK)
            return ugw_error_set(err, UGW_ERR_ARG, ie.message, ie.pos, "webhook-id");
    }
    j = ugw__client_job_new(c, len);
    if (!j)
        return ugw_error_set(err, UGW_ERR_NOMEM, "out of memory", 0, NULL);
    if (webhook_id)
        memcpy(j->id, webhook_id, strlen(webhook_id) + 1);
    else if (ugw_webhook_id_new(j->id)) {
        free(j);
        return ugw_error_set(err, UGW_ERR_NOMEM, "no randomness for a webhook-id", 0, NULL);
    }
    if (event) { /* cut at 255 bytes, as schema event strings are */
        size_t el = strnlen(event, sizeof j->event - 1);
        memcpy(j->event, event, el);
        j->event[el] = '\0';
    }
    j->format = format;
    j->user = user;
    j->sync = sync;
    j->len = len;
    if (len)
        memcpy(j->body, body, len);
    j->created_ms = ugw__client_now_ms();
    j->slot = -1;

    pthread_mutex_lock(&c->mu);
    if (!c->closing && !c->gone && no_room_locked(c, len) && wait_ms != 0) {
        struct timespec dl;
        if (wait_ms > 0)
            deadline_ts(&dl, wait_ms);
        c->waiters++;
        c->room_waiters++;
        while (!c->closing && !c->gone && no_room_locked(c, len)) {
            if (wait_ms < 0)
                pthread_cond_wait(&c->room, &c->mu);
            else if (pthread_cond_timedwait(&c->room, &c->mu, &dl) == ETIMEDOUT)
                break;
        }
        c->room_waiters--;
        if (--c->waiters == 0 && c->closing)
            pthread_cond_broadcast(&c->idle); /* close() may be waiting for us */
    }
    if (c->closing || c->gone) {
        bool gone = c->gone;
        pthread_mutex_unlock(&c->mu);
        free(j);
        return ugw_error_set(err, UGW_ERR_CLOSED, gone ? "the endpoint is gone (410)" : "the client is closing", 0, NULL);
    }
    if (no_room_locked(c, len)) {
        pthread_mutex_unlock(&c->mu);
        free(j);
        return ugw_error_set(err, UGW_ERR_FULL, c->spool ? "the spool is full" : "the delivery queue is full", 0,
                             NULL);
    }
    if (c->spool) {
        ugw_status st = commit_locked(c, j, mark_key, mark_value, err);
        if (st != UGW_OK) {
            pthread_mutex_unlock(&c->mu);
            free(j);
            return st;
        }
    } else {
        c->count++;
    }
    c->stats.queued++;
    c->stats.accepted++;
    ugw__client_pending_push(c, j);
    if (id_out)
        memcpy(id_out, j->id, UGW_WEBHOOK_ID_MAX);
    wake = ugw__client_worker_to_wake_locked(c); /* one wakeup per sleep, not per event */
    pthread_mutex_unlock(&c->mu);
    if (wake)
        ugw__client_worker_wake(wake);
    return UGW_OK;
}

ugw_status ugw_client_enqueue_body(ugw_client *c, const void *body, size_t len,
                                   ugw_format format, const char *event,
                                   const char *webhook_id, int64_t wait_ms,
                                   void *user, char id_out[UGW_WEBHOOK_ID_MAX],
                                   ugw_error *err)
{
    return accept_job(c, body, len, format, event, webhook_id, wait_ms, user, NULL, NULL, 0, id_out, err);
}

ugw_status ugw_client_enqueue_marked(ugw_client *c, const void *body, size_t len,
                                     ugw_format format, const char *event,
                                     const char *webhook_id, int64_t wait_ms, void *user,
                                     const char *mark_key, uint64_t mark_value,
                                     char id_out[UGW_WEBHOOK_ID_MAX], ugw_error *err)
{
    return accept_job(c, body, len, format, event, webhook_id, wait_ms, user, NULL, mark_key, mark_value,
                      id_out, err);
}

ugw_status ugw_client_mark_set(ugw_client *c, const char *mark_key, uint64_t mark_value, ugw_error *err)
{
    spool_write w;
    ugw_error_clear(err);
    if (!c || !c->spool || !ugw__spool_mark_key_ok(mark_key))
        return ugw_error_set(err, UGW_ERR_ARG, c && c->spool ? "a mark key is 1 to 1024 bytes" : "marks need a spool",
                             0, "mark_key");
    memset(&w, 0, sizeof w);
    w.mark_key = mark_key;
    w.mark_value = mark_value;
    return ugw__spool_commit(c->spool, &w, err);
}

ugw_status ugw_client_mark_get(ugw_client *c, const char *mark_key, uint64_t *value, ugw_error *err)
{
    ugw_error_clear(err);
    if (value)
        *value = 0;
    if (!c || !c->spool || !value || !ugw__spool_mark_key_ok(mark_key))
        return ugw_error_set(err, UGW_ERR_ARG, c && c->spool ? "a mark key is 1 to 1024 bytes" : "marks need a spool",
                             0, "mark_key");
    return ugw__spool_mark_get(c->spool, mark_key, value, err);
}

ugw_status ugw_client_send_body(ugw_client *c, const void *body, size_t len,
                                ugw_format format, const char *event,
                                const char *webhook_id, ugw_outcome *out,
                                ugw_error *err)
{
    sync_wait w;
    ugw_status st;
    memset(&w, 0, sizeof w);
    st = accept_job(c, body, len, format, event, webhook_id, -1, NULL, &w, NULL, 0, NULL, err);
    if (st)
        return st;
    pthread_mutex_lock(&c->mu);
    c->waiters++;
    while (!w.done)
        pthread_cond_wait(&c->idle, &c->mu);
    if (--c->waiters == 0 && c->closing)
        pthread_cond_broadcast(&c->idle);
    pthread_mutex_unlock(&c->mu);
    /* The error text lives on in a per-thread buffer until the next send()
     * on this thread: the caller's ugw_outcome only holds a pointer. */
    memcpy(sync_error, w.error, sizeof sync_error);
    w.outcome.error = sync_error;
    if (out)
        *out = w.outcome;
    if (w.outcome.result != UGW_RESULT_DELIVERED)
        return ugw_error_set(err, UGW_ERR_DELIVERY, ugw_result_name(w.outcome.result), 0, NULL);
    return UGW_OK;
}

ugw_status ugw_client_flush(ugw_client *c, int64_t timeout_ms)
{
    struct timespec dl;
    ugw_status st = UGW_OK;
    if (!c)
        return UGW_ERR_ARG;
    if (ugw__client_on_worker(c))
        return UGW_ERR_ARG; /* from an outcome callback: it would wait for itself */
    if (timeout_ms >= 0)
        deadline_ts(&dl, timeout_ms);
    pthread_mutex_lock(&c->mu);
    /* finished means reported too: the callback has returned */
    while (c->count > 0 || c->unreported > 0) {
        if (timeout_ms < 0) {
            pthread_cond_wait(&c->idle, &c->mu);
        } else if (pthread_cond_timedwait(&c->idle, &c->mu, &dl) == ETIMEDOUT) {
            st = c->count || c->unreported ? UGW_ERR_TIMEOUT : UGW_OK;
            break;
        }
    }
    pthread_mutex_unlock(&c->mu);
    return st;
}

void ugw_client_stats_get(ugw_client *c, ugw_client_stats *out)
{
    if (!c || !out)
        return;
    pthread_mutex_lock(&c->mu);
    *out = c->stats;
    pthread_mutex_unlock(&c->mu);
    if (c->spool) {
        pthread_mutex_lock(&c->spool->gmu);
        out->spool_commits = c->spool->commits;
        pthread_mutex_unlock(&c->spool->gmu);
    }
}

ugw_format ugw_client_format(const ugw_client *c)
{
    return c ? c->cfg.format : UGW_FORMAT_JSON;
}

bool ugw_client_endpoint_gone(ugw_client *c)
{
    bool g;
    if (!c)
        return false;
    pthread_mutex_lock(&c->mu);
    g = c->gone;
    pthread_mutex_unlock(&c->mu);
    return g;
}

ugw_status ugw_client_close(ugw_client *c, int64_t drain_ms)
{
    job *done = NULL, *j;
    ugw_status st;
    ugw_result left;
    if (!c)
        return UGW_OK;
    if (ugw__client_on_worker(c))
        return UGW_ERR_ARG; /* from an outcome callback: it would join itself */
    pthread_mutex_lock(&c->mu);
    c->closing = true;
    pthread_cond_broadcast(&c->room); /* waiting enqueuers give up */
    /* Events being committed now were accepted: wait until they are queued. */
    while (c->committing)
        pthread_cond_wait(&c->idle, &c->mu);
    pthread_mutex_unlock(&c->mu);
    if (drain_ms != 0)
        ugw_client_flush(c, drain_ms);
    ugw__client_workers_stop(c);
    /* The workers are gone: hand back whatever is left (kept in the spool). */
    left = c->spool ? UGW_RESULT_KEPT : UGW_RESULT_CLOSED;
    pthread_mutex_lock(&c->mu);
    for (unsigned wi = 0; wi < c->nworkers; wi++) {
        worker *w = &c->workers[wi];
        for (unsigned i = 0; i < w->nslots; i++) {
            if (!(j = w->slots[i].job))
                continue;
            curl_multi_remove_handle(w->multi, w->slots[i].easy);
            w->slots[i].job = NULL;
            w->busy--;
            c->stats.in_flight--;
            if (!j->error[0])
                snprintf(j->error, sizeof j->error, "in flight when the client closed");
            if (c->spool && j->attempts)
                j->attempts--; /* cut short: not counted, as the spool has it */
            ugw__client_finish_locked(c, j, left, &done);
        }
    }
    while ((j = ugw__client_pending_pop(c))) {
        c->stats.queued--;
        ugw__client_finish_locked(c, j, left, &done);
    }
    while (c->heap_len) {
        j = ugw__client_heap_pop(c);
        c->stats.queued--;
        ugw__client_finish_locked(c, j, left, &done);
    }
    st = done ? UGW_ERR_TIMEOUT : UGW_OK;
    pthread_mutex_unlock(&c->mu);
    if (done)
        ugw__client_deliver_outcomes(c, done);
    if (c->dead_fd >= 0)
        fsync(c->dead_fd);
    /* Threads that were waiting in enqueue() or send() when close began
     * have been woken (closing, or their outcome): let them leave the
     * mutex and the condition variables before these are destroyed. */
    pthread_mutex_lock(&c->mu);
    pthread_cond_broadcast(&c->room);
    while (c->waiters)
        pthread_cond_wait(&c->idle, &c->mu);
    pthread_mutex_unlock(&c->mu);
    client_free(c);
    return st;
}
