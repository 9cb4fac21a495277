/*
 * test_receiver_record.c - the records of the test receiver
 * (test_receiver.h): deciding and recording one complete request, the
 * webhook-id table with its attempt and 2xx counters, and the thread-safe
 * accessors over them. Everything here runs under tr->mu; see
 * test_receiver_internal.h.
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include "test_receiver_internal.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ */
/* Small helpers                                                        */
/* ------------------------------------------------------------------ */

char *tr_dup_or_null(const char *s, bool *oom)
{
    if (s == NULL)
        return NULL;
    char *d = strdup(s);
    if (d == NULL)
        *oom = true;
    return d;
}

struct timespec tr_deadline_after_ms(int ms)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    if (ms < 0)
        ms = 0;
    t.tv_sec += ms / 1000;
    t.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (t.tv_nsec >= 1000000000L) {
        t.tv_sec += 1;
        t.tv_nsec -= 1000000000L;
    }
    return t;
}

static uint64_t fnv1a(const char *s)
{
    uint64_t h = 0xcbf29ce484222325u;
    for (; *s != '\0'; s++) {
        h ^= (unsigned char)*s;
        h *= 0x100000001b3u;
    }
    return h;
}

void tr_free_record_fields(tr_request *r)
{
    free(r->method);
    free(r->path);
    free(r->webhook_id);
    free(r->webhook_timestamp);
    free(r->webhook_signature);
    free(r->content_type);
    free(r->user_agent);
    free(r->body);
}

/* ------------------------------------------------------------------ */
/* The webhook-id table (open addressing, under tr->mu)                 */
/* ------------------------------------------------------------------ */

static id_slot *id_find(const test_receiver *tr, const char *id)
{
    if (tr->capids == 0)
        return NULL;
    size_t mask = tr->capids - 1;
    for (size_t i = (size_t)fnv1a(id) & mask;; i = (i + 1) & mask) {
        if (tr->ids[i].id == NULL)
            return NULL;
        if (strcmp(tr->ids[i].id, id) == 0)
            return &tr->ids[i];
    }
}

static bool id_grow(test_receiver *tr)
{
    size_t ncap = tr->capids != 0 ? tr->capids * 2 : 256;
    id_slot *n = calloc(ncap, sizeof *n);
    if (n == NULL)
        return false;
    for (size_t j = 0; j < tr->capids; j++) {
        if (tr->ids[j].id == NULL)
            continue;
        size_t i = (size_t)fnv1a(tr->ids[j].id) & (ncap - 1);
        while (n[i].id != NULL)
            i = (i + 1) & (ncap - 1);
        n[i] = tr->ids[j];
    }
    free(tr->ids);
    tr->ids = n;
    tr->capids = ncap;
    return true;
}

/* Finds or adds id; NULL on allocation failure. */
static id_slot *id_get(test_receiver *tr, const char *id)
{
    id_slot *s = id_find(tr, id);
    if (s != NULL)
        return s;
    if ((tr->nids + 1) * 2 > tr->capids && !id_grow(tr))
        return NULL;
    char *copy = strdup(id);
    if (copy == NULL)
        return NULL;
    size_t mask = tr->capids - 1;
    size_t i = (size_t)fnv1a(id) & mask;
    while (tr->ids[i].id != NULL)
        i = (i + 1) & mask;
    tr->ids[i].id = copy;
    tr->ids[i].attempts = 0;
    tr->ids[i].ok2xx = 0;
    tr->nids++;
    return &tr->ids[i];
}

/* ------------------------------------------------------------------ */
/* Recording one request                                                */
/* ------------------------------------------------------------------ */

/* Decides the answer and appends the record, moving the strings of st into
 * it. On success *act holds an action whose strings the caller frees. */
bool tr_record_request(test_receiver *tr, conn_state *st, tr_action *act)
{
    bool ok = false;
    pthread_mutex_lock(&tr->mu);
    if (tr->nrecs == tr->caprecs) {
        size_t ncap = tr->caprecs != 0 ? tr->caprecs * 2 : 64;
        tr_request *n = realloc(tr->recs, ncap * sizeof *n);
        if (n == NULL)
            goto out;
        tr->recs = n;
        tr->caprecs = ncap;
    }
    const char *id = st->hdr[TR_HDR_ID];
    id_slot *slot = NULL;
    size_t *attempts = &tr->noid_attempts, *ok2xx = &tr->noid_ok2xx;
    if (id != NULL) {
        slot = id_get(tr, id);
        if (slot == NULL)
            goto out;
        attempts = &slot->attempts;
        ok2xx = &slot->ok2xx;
    }
    size_t index = tr->nrecs;
    unsigned attempt_no = (unsigned)++*attempts;
    tr_action chosen = tr_choose_action(tr, st, index, attempt_no);
    if (!tr_copy_action(act, &chosen)) {
        --*attempts;
        goto out;
    }
    if (act->status == 0)
        act->status = act->kind == TR_RESET ? 200 : 204;
    if (act->kind == TR_NORMAL && act->status >= 200 && act->status <= 299)
        ++*ok2xx;

    tr_request *r = &tr->recs[index];
    memset(r, 0, sizeof *r);
    r->method = st->method;
    r->path = st->path;
    r->webhook_id = st->hdr[TR_HDR_ID];
    r->webhook_timestamp = st->hdr[TR_HDR_TS];
    r->webhook_signature = st->hdr[TR_HDR_SIG];
    r->content_type = st->hdr[TR_HDR_CT];
    r->user_agent = st->hdr[TR_HDR_UA];
    r->body = st->body;
    r->body_len = st->len;
    r->body_truncated = st->truncated;
    st->method = st->path = NULL;
    for (int i = 0; i < TR_HDR_COUNT; i++)
        st->hdr[i] = NULL;
    st->body = NULL;
    st->len = st->cap = 0;

    r->index = index;
    r->attempt_no = attempt_no;
    r->status = act->status;
    r->kind = act->kind;
    r->delay_ms = act->delay_ms;
    clock_gettime(CLOCK_REALTIME, &r->received);
    clock_gettime(CLOCK_MONOTONIC, &r->received_mono);
    tr->nrecs++;
    st->recorded = true;
    st->rec_index = index;
    pthread_cond_broadcast(&tr->count_cv);
    ok = true;
out:
    pthread_mutex_unlock(&tr->mu);
    return ok;
}

/* ------------------------------------------------------------------ */
/* Public API: the records                                              */
/* ------------------------------------------------------------------ */

size_t tr_count(test_receiver *tr)
{
    pthread_mutex_lock(&tr->mu);
    size_t n = tr->nrecs;
    pthread_mutex_unlock(&tr->mu);
    return n;
}

bool tr_get(test_receiver *tr, size_t i, tr_request *copy)
{
    memset(copy, 0, sizeof *copy);
    pthread_mutex_lock(&tr->mu);
    if (i >= tr->nrecs) {
        pthread_mutex_unlock(&tr->mu);
        return false;
    }
    const tr_request *r = &tr->recs[i];
    bool oom = false;
    *copy = *r;
    copy->method = tr_dup_or_null(r->method, &oom);
    copy->path = tr_dup_or_null(r->path, &oom);
    copy->webhook_id = tr_dup_or_null(r->webhook_id, &oom);
    copy->webhook_timestamp = tr_dup_or_null(r->webhook_timestamp, &oom);
    copy->webhook_signature = tr_dup_or_null(r->webhook_signature, &oom);
    copy->content_type = tr_dup_or_null(r->content_type, &oom);
    copy->user_agent = tr_dup_or_null(r->user_agent, &oom);
    copy->body = malloc(r->body_len + 1);
    if (copy->body == NULL)
        oom = true;
    else {
        if (r->body_len != 0)
            memcpy(copy->body, r->body, r->body_len);
        copy->body[r->body_len] = '\0';
    }
    pthread_mutex_unlock(&tr->mu);
    if (oom) {
        tr_request_free(copy);
        return false;
    }
    return true;
}

void tr_request_free(tr_request *r)
{
    if (r == NULL)
        return;
    tr_free_record_fields(r);
    memset(r, 0, sizeof *r);
}

void tr_foreach(test_receiver *tr, bool (*fn)(const tr_request *r, void *ctx), void *ctx)
{
    pthread_mutex_lock(&tr->mu);
    for (size_t i = 0; i < tr->nrecs; i++) {
        if (!fn(&tr->recs[i], ctx))
            break;
    }
    pthread_mutex_unlock(&tr->mu);
}

size_t tr_count_2xx_for_id(test_receiver *tr, const char *id)
{
    pthread_mutex_lock(&tr->mu);
    size_t n;
    if (id == NULL) {
        n = tr->noid_ok2xx;
    } else {
        const id_slot *s = id_find(tr, id);
        n = s != NULL ? s->ok2xx : 0;
    }
    pthread_mutex_unlock(&tr->mu);
    return n;
}

size_t tr_attempts_for_id(test_receiver *tr, const char *id)
{
    pthread_mutex_lock(&tr->mu);
    size_t n;
    if (id == NULL) {
        n = tr->noid_attempts;
    } else {
        const id_slot *s = id_find(tr, id);
        n = s != NULL ? s->attempts : 0;
    }
    pthread_mutex_unlock(&tr->mu);
    return n;
}

size_t tr_distinct_ids(test_receiver *tr)
{
    pthread_mutex_lock(&tr->mu);
    size_t n = tr->nids;
    pthread_mutex_unlock(&tr->mu);
    return n;
}

bool tr_wait_count(test_receiver *tr, size_t n, int timeout_ms)
{
    struct timespec dl = tr_deadline_after_ms(timeout_ms);
    pthread_mutex_lock(&tr->mu);
    while (tr->nrecs < n && !tr->stopping) {
        if (pthread_cond_timedwait(&tr->count_cv, &tr->mu, &dl) == ETIMEDOUT)
            break;
    }
    bool reached = tr->nrecs >= n;
    pthread_mutex_unlock(&tr->mu);
    return reached;
}

