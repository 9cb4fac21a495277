/*
 * test_receiver.c - the in-process webhook receiver of test_receiver.h, on
 * libmicrohttpd (0.9.75 in Debian 12: handlers return enum MHD_Result):
 * the daemon's lifecycle and the HTTP side. The records live in
 * test_receiver_record.c, the answers in test_receiver_answer.c.
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

#include "test_receiver_internal.h"

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

static const char *const tr_header_names[TR_HDR_COUNT] = {
    "webhook-id", "webhook-timestamp", "webhook-signature", "Content-Type", "User-Agent",
};

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
    st->method = tr_dup_or_null(method != NULL ? method : "", &oom);
    st->path = tr_dup_or_null(url != NULL ? url : "", &oom);
    for (int i = 0; i < TR_HDR_COUNT; i++)
        st->hdr[i] = tr_dup_or_null(MHD_lookup_connection_value(c, MHD_HEADER_KIND, tr_header_names[i]), &oom);
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

/* Waits delay_ms unless stopping; returns false when stopping. */
static bool wait_delay(test_receiver *tr, int delay_ms)
{
    pthread_mutex_lock(&tr->mu);
    if (delay_ms > 0) {
        struct timespec dl = tr_deadline_after_ms(delay_ms);
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
    if (!tr_record_request(tr, st, &act))
        return MHD_NO;
    enum MHD_Result res = MHD_NO;
    if (wait_delay(tr, act.delay_ms)) {
        struct MHD_Response *resp = tr_build_response(&act, act.status);
        if (resp != NULL) {
            res = MHD_queue_response(c, (unsigned int)act.status, resp);
            MHD_destroy_response(resp);
        }
    }
    tr_free_action_strings(&act);
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
/* Public API: starting, stopping, where it listens                      */
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
        tr_free_record_fields(&tr->recs[i]);
    free(tr->recs);
    for (size_t i = 0; i < tr->capids; i++)
        free(tr->ids[i].id);
    free(tr->ids);
    for (size_t i = 0; i < tr->script_len; i++)
        tr_free_action_strings(&tr->script[i]);
    free(tr->script);
    tr_free_action_strings(&tr->def);
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

    bool ok = tr_copy_action(&tr->def, &cfg->default_action);
    if (ok && cfg->script_len != 0) {
        tr->script = calloc(cfg->script_len, sizeof *tr->script);
        ok = tr->script != NULL;
        for (size_t i = 0; ok && i < cfg->script_len; i++) {
            ok = tr_copy_action(&tr->script[i], &cfg->script[i]);
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
