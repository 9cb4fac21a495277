/*
 * test_receiver.c - the in-process webhook receiver of test_receiver.h, on
 * libmicrohttpd (0.9.75 in Debian 12: handlers return enum MHD_Result).
 *
 * One MHD daemon per receiver, in thread-per-connection mode with poll():
 * each connection has its own thread, so a delayed answer blocks only its
 * own connection. The access handler is called three ways per request:
 *   1. *con_cls == NULL: headers are in; allocate a conn_state holding copies
 *      of method, path and the recorded headers; return MHD_YES (MHD then
 *      sends "100 Continue" itself if the client asked for it);
 *   2. *upload_data_size > 0: a body chunk; append it (bounded by max_body);
 *   3. *upload_data_size == 0 again: the body is complete; decide, record,
 *      wait delay_ms, queue the response.
 * The conn_state is freed in the NOTIFY_COMPLETED callback, which MHD calls
 * once for every request whose handler ran, however it ended.
 *
 * All shared state (records, the id table, the script position, the PRNG)
 * is under tr->mu. Delays wait on tr->stop_cv so that tr_stop() can cut them
 * short before MHD_stop_daemon() joins the connection threads.
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include "test_receiver.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <unistd.h>

#include <microhttpd.h>

enum { TR_HDR_ID, TR_HDR_TS, TR_HDR_SIG, TR_HDR_CT, TR_HDR_UA, TR_HDR_COUNT };

static const char *const tr_header_names[TR_HDR_COUNT] = {
    "webhook-id", "webhook-timestamp", "webhook-signature", "Content-Type", "User-Agent",
};

/* Declared length and actual bytes of a TR_RESET answer. */
#define TR_RESET_DECLARED 64u
static const char tr_reset_part[] = "partial!";

typedef struct id_slot {
    char *id; /* NULL = empty slot */
    size_t attempts;
    size_t ok2xx;
} id_slot;

struct test_receiver {
    struct MHD_Daemon *daemon;
    int port;
    char url[64];

    pthread_mutex_t mu;
    pthread_cond_t count_cv; /* CLOCK_MONOTONIC: a record was added */
    pthread_cond_t stop_cv;  /* CLOCK_MONOTONIC: stopping was set */
    bool stopping;

    tr_request *recs;
    size_t nrecs, caprecs;

    id_slot *ids;
    size_t nids, capids; /* capids a power of two, or 0 */
    size_t noid_attempts, noid_ok2xx;

    tr_action *script;
    size_t script_len, script_pos;
    tr_action def;
    tr_decide_fn decide;
    void *decide_ctx;
    bool random_mode;
    double failure_ratio;
    uint64_t rng;
    size_t max_body;
};

typedef struct conn_state {
    test_receiver *tr;
    char *method;
    char *path;
    char *hdr[TR_HDR_COUNT];
    unsigned char *body;
    size_t len, cap;
    bool truncated;
    bool recorded;
    size_t rec_index;
} conn_state;

/* ------------------------------------------------------------------ */
/* Small helpers                                                        */
/* ------------------------------------------------------------------ */

static char *dup_or_null(const char *s, bool *oom)
{
    if (s == NULL)
        return NULL;
    char *d = strdup(s);
    if (d == NULL)
        *oom = true;
    return d;
}

static struct timespec deadline_after_ms(int ms)
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

static uint64_t splitmix64(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15u);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return z ^ (z >> 31);
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

static void free_action_strings(tr_action *a)
{
    free((char *)a->retry_after);
    free((char *)a->location);
    a->retry_after = NULL;
    a->location = NULL;
}

/* Copies an action with its strings; false on allocation failure. */
static bool copy_action(tr_action *dst, const tr_action *src)
{
    bool oom = false;
    *dst = *src;
    dst->retry_after = dup_or_null(src->retry_after, &oom);
    dst->location = dup_or_null(src->location, &oom);
    if (oom) {
        free_action_strings(dst);
        return false;
    }
    return true;
}

static void free_record_fields(tr_request *r)
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
/* Deciding (under tr->mu)                                              */
/* ------------------------------------------------------------------ */

static tr_action random_action(test_receiver *tr)
{
    tr_action a = {0};
    double u = (double)(splitmix64(&tr->rng) >> 11) * 0x1.0p-53;
    if (u >= tr->failure_ratio) {
        a.status = 204;
        return a;
    }
    switch (splitmix64(&tr->rng) % 6u) {
    case 0:
        a.status = 500;
        break;
    case 1:
        a.status = 503;
        a.retry_after = "0";
        break;
    case 2:
        a.status = 503;
        a.retry_after = "1";
        break;
    case 3:
        a.status = 429;
        break;
    case 4:
        a.status = 408;
        break;
    default:
        a.status = 200;
        a.kind = TR_RESET;
        break;
    }
    return a;
}

static tr_action choose_action(test_receiver *tr, const conn_state *st, size_t index, unsigned attempt_no)
{
    if (st->truncated) {
        tr_action a = {.status = 413};
        return a;
    }
    if (tr->decide != NULL) {
        tr_request_info info = {
            .method = st->method,
            .path = st->path,
            .webhook_id = st->hdr[TR_HDR_ID],
            .webhook_timestamp = st->hdr[TR_HDR_TS],
            .webhook_signature = st->hdr[TR_HDR_SIG],
            .content_type = st->hdr[TR_HDR_CT],
            .user_agent = st->hdr[TR_HDR_UA],
            .body = st->body,
            .body_len = st->len,
            .body_truncated = st->truncated,
            .index = index,
        };
        return tr->decide(&info, attempt_no, tr->decide_ctx);
    }
    if (tr->script_pos < tr->script_len)
        return tr->script[tr->script_pos++];
    if (tr->random_mode)
        return random_action(tr);
    return tr->def;
}

/* ------------------------------------------------------------------ */
/* Responses                                                            */
/* ------------------------------------------------------------------ */

static ssize_t reset_reader(void *cls, uint64_t pos, char *buf, size_t max)
{
    (void)cls;
    if (pos == 0 && max >= sizeof tr_reset_part - 1) {
        memcpy(buf, tr_reset_part, sizeof tr_reset_part - 1);
        return (ssize_t)(sizeof tr_reset_part - 1);
    }
    return MHD_CONTENT_READER_END_WITH_ERROR;
}

static struct MHD_Response *build_response(const tr_action *a, int status)
{
    struct MHD_Response *resp;
    if (a->kind == TR_RESET) {
        resp = MHD_create_response_from_callback(TR_RESET_DECLARED, 1024, reset_reader, NULL, NULL);
    } else if (status == 204 || status == 304 || status < 200) {
        resp = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
    } else {
        char text[48];
        int n = snprintf(text, sizeof text, "test receiver: %d\n", status);
        resp = MHD_create_response_from_buffer((size_t)n, text, MHD_RESPMEM_MUST_COPY);
        if (resp != NULL)
            MHD_add_response_header(resp, "Content-Type", "text/plain");
    }
    if (resp == NULL)
        return NULL;
    if ((a->retry_after != NULL &&
         MHD_add_response_header(resp, "Retry-After", a->retry_after) != MHD_YES) ||
        (a->location != NULL && MHD_add_response_header(resp, "Location", a->location) != MHD_YES)) {
        MHD_destroy_response(resp);
        return NULL;
    }
    return resp;
}

/* ------------------------------------------------------------------ */
/* MHD callbacks                                                        */
/* ------------------------------------------------------------------ */

static void conn_state_free(conn_state *st)
{
    if (st == NULL)
        return;
    free(st->method);
    free(st->path);
    for (int i = 0; i < TR_HDR_COUNT; i++)
        free(st->hdr[i]);
    free(st->body);
    free(st);
}

static conn_state *conn_state_new(test_receiver *tr, struct MHD_Connection *c, const char *url,
                                  const char *method)
{
    conn_state *st = calloc(1, sizeof *st);
    if (st == NULL)
        return NULL;
    bool oom = false;
    st->tr = tr;
    st->method = dup_or_null(method != NULL ? method : "", &oom);
    st->path = dup_or_null(url != NULL ? url : "", &oom);
    for (int i = 0; i < TR_HDR_COUNT; i++)
        st->hdr[i] = dup_or_null(MHD_lookup_connection_value(c, MHD_HEADER_KIND, tr_header_names[i]), &oom);
    st->cap = 256;
    st->body = malloc(st->cap + 1);
    if (st->body == NULL)
        oom = true;
    if (oom) {
        conn_state_free(st);
        return NULL;
    }
    st->body[0] = '\0';
    return st;
}

static bool append_body(conn_state *st, const char *data, size_t n)
{
    size_t room = st->tr->max_body - st->len;
    if (n > room) {
        st->truncated = true;
        n = room;
    }
    if (n == 0)
        return true;
    if (st->len + n > st->cap) {
        size_t ncap = st->cap;
        while (ncap < st->len + n)
            ncap *= 2;
        if (ncap > st->tr->max_body)
            ncap = st->tr->max_body;
        unsigned char *nb = realloc(st->body, ncap + 1);
        if (nb == NULL)
            return false;
        st->body = nb;
        st->cap = ncap;
    }
    memcpy(st->body + st->len, data, n);
    st->len += n;
    st->body[st->len] = '\0';
    return true;
}

/* Decides the answer and appends the record, moving the strings of st into
 * it. On success *act holds an action whose strings the caller frees. */
static bool record_request(test_receiver *tr, conn_state *st, tr_action *act)
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
    tr_action chosen = choose_action(tr, st, index, attempt_no);
    if (!copy_action(act, &chosen)) {
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

/* Waits delay_ms unless stopping; returns false when stopping. */
static bool wait_delay(test_receiver *tr, int delay_ms)
{
    pthread_mutex_lock(&tr->mu);
    if (delay_ms > 0) {
        struct timespec dl = deadline_after_ms(delay_ms);
        while (!tr->stopping) {
            if (pthread_cond_timedwait(&tr->stop_cv, &tr->mu, &dl) == ETIMEDOUT)
                break;
        }
    }
    bool go_on = !tr->stopping;
    pthread_mutex_unlock(&tr->mu);
    return go_on;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version,
                                  const char *upload_data, size_t *upload_data_size,
                                  void **con_cls)
{
    test_receiver *tr = cls;
    conn_state *st = *con_cls;
    (void)version;

    if (st == NULL) {
        st = conn_state_new(tr, c, url, method);
        if (st == NULL)
            return MHD_NO;
        *con_cls = st;
        return MHD_YES;
    }
    if (*upload_data_size != 0) {
        bool ok = append_body(st, upload_data, *upload_data_size);
        *upload_data_size = 0;
        return ok ? MHD_YES : MHD_NO;
    }
    if (st->recorded) /* not expected: MHD stops calling once answered */
        return MHD_NO;

    tr_action act;
    if (!record_request(tr, st, &act))
        return MHD_NO;
    enum MHD_Result res = MHD_NO;
    if (wait_delay(tr, act.delay_ms)) {
        struct MHD_Response *resp = build_response(&act, act.status);
        if (resp != NULL) {
            res = MHD_queue_response(c, (unsigned int)act.status, resp);
            MHD_destroy_response(resp);
        }
    }
    free_action_strings(&act);
    return res;
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    test_receiver *tr = cls;
    conn_state *st = *con_cls;
    (void)c;
    if (st == NULL)
        return;
    if (st->recorded && toe == MHD_REQUEST_TERMINATED_COMPLETED_OK) {
        pthread_mutex_lock(&tr->mu);
        tr_request *r = &tr->recs[st->rec_index];
        if (r->kind == TR_NORMAL)
            r->completed = true;
        pthread_mutex_unlock(&tr->mu);
    }
    conn_state_free(st);
    *con_cls = NULL;
}

/* ------------------------------------------------------------------ */
/* Public API                                                           */
/* ------------------------------------------------------------------ */

static bool init_sync(test_receiver *tr)
{
    pthread_condattr_t ca;
    if (pthread_condattr_init(&ca) != 0)
        return false;
    bool ok = pthread_condattr_setclock(&ca, CLOCK_MONOTONIC) == 0;
    if (ok && pthread_mutex_init(&tr->mu, NULL) != 0)
        ok = false;
    else if (ok && pthread_cond_init(&tr->count_cv, &ca) != 0) {
        pthread_mutex_destroy(&tr->mu);
        ok = false;
    } else if (ok && pthread_cond_init(&tr->stop_cv, &ca) != 0) {
        pthread_cond_destroy(&tr->count_cv);
        pthread_mutex_destroy(&tr->mu);
        ok = false;
    }
    pthread_condattr_destroy(&ca);
    return ok;
}

static void free_all(test_receiver *tr)
{
    for (size_t i = 0; i < tr->nrecs; i++)
        free_record_fields(&tr->recs[i]);
    free(tr->recs);
    for (size_t i = 0; i < tr->capids; i++)
        free(tr->ids[i].id);
    free(tr->ids);
    for (size_t i = 0; i < tr->script_len; i++)
        free_action_strings(&tr->script[i]);
    free(tr->script);
    free_action_strings(&tr->def);
    pthread_cond_destroy(&tr->stop_cv);
    pthread_cond_destroy(&tr->count_cv);
    pthread_mutex_destroy(&tr->mu);
    free(tr);
}

test_receiver *tr_start(const tr_config *cfg)
{
    static const tr_config none;
    if (cfg == NULL)
        cfg = &none;
    if (cfg->failure_ratio < 0.0 || cfg->failure_ratio > 1.0 || (cfg->script == NULL && cfg->script_len != 0)) {
        fprintf(stderr, "tr_start: bad configuration\n");
        return NULL;
    }
    test_receiver *tr = calloc(1, sizeof *tr);
    if (tr == NULL)
        return NULL;
    if (!init_sync(tr)) {
        free(tr);
        fprintf(stderr, "tr_start: cannot create mutex/condition variables\n");
        return NULL;
    }
    tr->decide = cfg->decide;
    tr->decide_ctx = cfg->decide_ctx;
    tr->random_mode = cfg->random_mode;
    tr->failure_ratio = cfg->failure_ratio;
    tr->rng = cfg->seed;
    tr->max_body = cfg->max_body != 0 ? cfg->max_body : TR_DEFAULT_MAX_BODY;

    bool ok = copy_action(&tr->def, &cfg->default_action);
    if (ok && cfg->script_len != 0) {
        tr->script = calloc(cfg->script_len, sizeof *tr->script);
        ok = tr->script != NULL;
        for (size_t i = 0; ok && i < cfg->script_len; i++) {
            ok = copy_action(&tr->script[i], &cfg->script[i]);
            if (ok)
                tr->script_len = i + 1; /* what free_all must free */
        }
    }
    if (!ok) {
        free_all(tr);
        fprintf(stderr, "tr_start: out of memory\n");
        return NULL;
    }

    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = 0;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);

    unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION | MHD_USE_POLL;
    if (cfg->verbose)
        flags |= MHD_USE_ERROR_LOG;
    tr->daemon = MHD_start_daemon(flags, 0, NULL, NULL, on_request, tr,
                                  MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
                                  MHD_OPTION_NOTIFY_COMPLETED, on_completed, tr,
                                  MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)0,
                                  MHD_OPTION_CONNECTION_LIMIT, (unsigned int)1000,
                                  MHD_OPTION_END);
    if (tr->daemon == NULL) {
        fprintf(stderr, "tr_start: MHD_start_daemon failed\n");
        free_all(tr);
        return NULL;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(tr->daemon, MHD_DAEMON_INFO_BIND_PORT);
    if (info == NULL || info->port == 0) {
        fprintf(stderr, "tr_start: cannot read the bound port\n");
        MHD_stop_daemon(tr->daemon);
        free_all(tr);
        return NULL;
    }
    tr->port = info->port;
    snprintf(tr->url, sizeof tr->url, "http://127.0.0.1:%d/hook", tr->port);
    return tr;
}

void tr_stop(test_receiver *tr)
{
    if (tr == NULL)
        return;
    pthread_mutex_lock(&tr->mu);
    tr->stopping = true;
    pthread_cond_broadcast(&tr->stop_cv);
    pthread_cond_broadcast(&tr->count_cv);
    pthread_mutex_unlock(&tr->mu);
    /* Closes every connection and joins the listening and connection
     * threads; NOTIFY_COMPLETED runs for requests still open. */
    MHD_stop_daemon(tr->daemon);
    free_all(tr);
}

int tr_port(const test_receiver *tr)
{
    return tr != NULL ? tr->port : -1;
}

const char *tr_url(const test_receiver *tr)
{
    return tr != NULL ? tr->url : NULL;
}

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
    copy->method = dup_or_null(r->method, &oom);
    copy->path = dup_or_null(r->path, &oom);
    copy->webhook_id = dup_or_null(r->webhook_id, &oom);
    copy->webhook_timestamp = dup_or_null(r->webhook_timestamp, &oom);
    copy->webhook_signature = dup_or_null(r->webhook_signature, &oom);
    copy->content_type = dup_or_null(r->content_type, &oom);
    copy->user_agent = dup_or_null(r->user_agent, &oom);
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
    free_record_fields(r);
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
    struct timespec dl = deadline_after_ms(timeout_ms);
    pthread_mutex_lock(&tr->mu);
    while (tr->nrecs < n && !tr->stopping) {
        if (pthread_cond_timedwait(&tr->count_cv, &tr->mu, &dl) == ETIMEDOUT)
            break;
    }
    bool reached = tr->nrecs >= n;
    pthread_mutex_unlock(&tr->mu);
    return reached;
}

int tr_refused_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return -1;
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = 0;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof sa;
    int port = -1;
    if (bind(fd, (struct sockaddr *)&sa, sizeof sa) == 0 &&
        getsockname(fd, (struct sockaddr *)&sa, &len) == 0)
        port = ntohs(sa.sin_port);
    close(fd);
    return port;
}
