/*
 * serve.c - the receiver of `ugw serve` and `ugw demo` (serve.h): a
 * ugw_receiver for the checks and the replay window, its libmicrohttpd
 * adapter for the HTTP side and its limits, and here only what the command
 * adds: storing an event (its line written whole, serve_line.c; forwarding,
 * serve_forward.c), the counters, the log and the on_event callback.
 */
#include "serve.h"
#include "serve_internal.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include <ugw/ugw_receiver.h>
#include <ugw/ugw_receiver_mhd.h>
#include <ugw/ugw_runtime.h>

struct ugw_server {
    server_opts o;
    ugw_receiver *rx;
    ugw_receiver_mhd *http;
    forward_pool *forward; /* with o.forward_to */

    pthread_mutex_t mu;
    pthread_cond_t cv; /* CLOCK_MONOTONIC; broadcast when received grows */
    server_stats st;
};

/* ------------------------------------------------------------------ */
/* Storing and answering (from the adapter's threads)                   */
/* ------------------------------------------------------------------ */

static bool store(void *ctx, const ugw_receiver_result *ev, const void *body, size_t len,
                  const char *content_type, ugw_mhd_reply *reply)
{
    ugw_server *s = ctx;
    char *line;
    bool ok;

    if (s->forward && !serve_forward(s->forward, ev, body, len, content_type, reply))
        return false;
    if (!s->o.events)
        return true;
    line = event_line(s->o.schema, s->o.output, ev->has_id ? ev->id : NULL, ev->verified, ev->format, ev->type,
                      ev->envelope, ev->payload);
    pthread_mutex_lock(&s->mu);
    ok = line && write_record(fileno(s->o.events), line, strlen(line), s->o.sync);
    if (!ok)
        s->st.write_errors++;
    pthread_mutex_unlock(&s->mu);
    free(line);
    return ok;
}

/* "Send again" of the inspector: the event's bytes to forward_to, as
 * store() forwards them. */
static bool resend(void *ctx, const char *id, const void *body, size_t len, const char *content_type,
                   ugw_mhd_reply *reply)
{
    ugw_server *s = ctx;
    ugw_receiver_result *ev = calloc(1, sizeof *ev);
    bool ok;
    if (!ev)
        return false;
    if (id && strlen(id) <= UGW_RECEIVER_ID_MAX) {
        ev->has_id = true;
        memcpy(ev->id, id, strlen(id) + 1);
    }
    ok = s->forward && serve_forward(s->forward, ev, body, len, content_type, reply);
    free(ev);
    return ok;
}

/* Counts one answered request, writes a rejection's line to o.log, calls
 * on_event: all under the lock. */
static void on_answer(void *ctx, unsigned status, const ugw_receiver_result *res)
{
    ugw_server *s = ctx;
    bool ok = status >= 200 && status <= 299;
    const ugw_error *err = ok ? NULL : &res->error;
    const char *id = res->has_id ? res->id : NULL;

    pthread_mutex_lock(&s->mu);
    s->st.received++;
    if (ok && res->duplicate)
        s->st.duplicates++;
    else if (ok)
        s->st.valid++;
    else if (status == 401)
        s->st.unauthorized++;
    else if (status > 500)
        s->st.unavailable++;
    else
        s->st.invalid++;
    if (!ok && s->o.log) {
        fprintf(s->o.log, "%s%s serve: %u %s: %s: %s (%s at byte %zu)\n", s->o.log_clears_line ? "\r\033[K" : "",
                s->o.name, status, id ? id : "-",
                err->path[0] ? err->path : "-", err->message ? err->message : "error",
                ugw_status_name(err->code), err->pos);
        fflush(s->o.log);
    }
    if (s->o.on_event) {
        server_event se;
        bool event = ok && !res->duplicate && res->payload;
        memset(&se, 0, sizeof se);
        se.status = status;
        se.duplicate = ok && res->duplicate;
        se.verified = res->verified;
        se.id = id;
        se.format = res->format;
        se.type = event ? res->type : 0;
        se.desc = event ? res->desc : NULL;
        se.payload = event ? res->payload : NULL;
        se.envelope = event ? res->envelope : NULL;
        se.error = err;
        s->o.on_event(s->o.on_event_ctx, &se);
    }
    pthread_cond_broadcast(&s->cv);
    pthread_mutex_unlock(&s->mu);
}

/* ------------------------------------------------------------------ */
/* Start and stop                                                       */
/* ------------------------------------------------------------------ */

/* The receiver of the options: every secret, the replay window. */
static ugw_receiver *make_receiver(const server_opts *o, char *err, size_t errlen)
{
    ugw_secret keys[UGW_RECEIVER_MAX_SECRETS];
    ugw_receiver_config rc;
    ugw_receiver *rx;
    ugw_error e;
    size_t n = 0;

    if ((o->secret ? 1 : 0) + o->nsecrets > UGW_RECEIVER_MAX_SECRETS) {
        snprintf(err, errlen, "more than %d secrets", UGW_RECEIVER_MAX_SECRETS);
        return NULL;
    }
    if (o->secret)
        keys[n++] = *o->secret;
    for (size_t i = 0; i < o->nsecrets; i++)
        keys[n++] = o->secrets[i];
    memset(&rc, 0, sizeof rc);
    rc.schema = o->schema;
    rc.secrets = keys;
    rc.nsecrets = n;
    rc.allow_weak_secrets = o->allow_weak_secrets;
    rc.tolerance_s = o->tolerance_s;
    rc.strict = o->strict;
    rc.max_body = o->max_body ? o->max_body : SERVER_DEFAULT_MAX_BODY;
    rc.replay_path = o->replay_path;
    rc.replay_capacity = o->replay_capacity;
    rc.replay_sync = o->sync;
    rx = ugw_receiver_new(&rc, &e);
    OPENSSL_cleanse(keys, sizeof keys);
    if (!rx) {
        if (e.code == UGW_ERR_IO && o->replay_path)
            snprintf(err, errlen, "%s: %s: %s", o->replay_path, e.message, strerror(errno));
        else
            snprintf(err, errlen, "%s", e.message ? e.message : "cannot make the receiver");
    }
    return rx;
}

ugw_server *server_start(const server_opts *opts, char *err, size_t errlen)
{
    ugw_server *s;
    ugw_receiver_mhd_config hc;
    pthread_condattr_t ca;
    char dummy[1];

    if (!err || !errlen) {
        err = dummy;
        errlen = sizeof dummy;
    }
    err[0] = '\0';
    s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    if (opts)
        s->o = *opts;
    if (!s->o.schema) {
        snprintf(err, errlen, "no schema to validate events against");
        free(s);
        return NULL;
    }
    if (!s->o.name)
        s->o.name = "ugw";
    if (!s->o.addr)
        s->o.addr = SERVER_DEFAULT_ADDR;
    s->o.secret = NULL; /* the receiver and the forwarding pool have their copies */
    s->o.secrets = NULL;
    s->o.forward_secret = NULL;
    pthread_mutex_init(&s->mu, NULL);
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&s->cv, &ca);
    pthread_condattr_destroy(&ca);

    s->rx = make_receiver(opts, err, errlen);
    if (!s->rx) {
        server_stop(s, NULL);
        return NULL;
    }
    if (s->o.forward_to) {
        int64_t t = s->o.forward_timeout_ms;
        s->forward = forward_pool_new(s->o.forward_to, opts->forward_secret,
                                      t <= 0 ? SERVER_DEFAULT_FORWARD_TIMEOUT_MS : t > 86400000 ? 86400000L : (long)t);
        if (!s->forward) {
            snprintf(err, errlen, "out of memory");
            server_stop(s, NULL);
            return NULL;
        }
    }
    memset(&hc, 0, sizeof hc);
    hc.addr = s->o.addr;
    hc.port = s->o.port;
    hc.threads = s->o.threads ? s->o.threads : SERVER_DEFAULT_THREADS;
    hc.max_connections = s->o.max_connections;
    hc.max_per_ip = s->o.max_per_ip;
    hc.header_timeout_ms = s->o.header_timeout_ms;
    hc.request_timeout_ms = s->o.request_timeout_ms;
    hc.memory_budget = s->o.memory_budget;
    hc.store = store;
    hc.store_ctx = s;
    hc.on_answer = on_answer;
    hc.answer_ctx = s;
    hc.metrics_path = s->o.metrics_path;
    hc.inspector.enabled = s->o.ui;
    hc.inspector.history = s->o.ui_history;
    hc.inspector.token = s->o.ui_token;
    hc.inspector.resend = s->o.forward_to ? resend : NULL;
    hc.inspector.resend_ctx = s;
    s->http = ugw_receiver_mhd_start(s->rx, &hc, err, errlen);
    s->o.ui_token = NULL; /* the server has its copy */
    if (!s->http) {
        server_stop(s, NULL);
        return NULL;
    }
    return s;
}

uint16_t server_port(const ugw_server *s)
{
    return s ? ugw_receiver_mhd_port(s->http) : 0;
}

const char *server_url(const ugw_server *s)
{
    return s ? ugw_receiver_mhd_url(s->http) : "";
}

void server_stats_get(ugw_server *s, server_stats *out)
{
    pthread_mutex_lock(&s->mu);
    *out = s->st;
    pthread_mutex_unlock(&s->mu);
    ugw_receiver_mhd_stats_get(s->http, &out->http);
}

int server_stats_format(const server_stats *st, char *buf, size_t len)
{
    char extra[48] = "";
    if (st->unavailable)
        snprintf(extra, sizeof extra, ", unavailable %llu", (unsigned long long)st->unavailable);
    return snprintf(buf, len, "received %llu, valid %llu, invalid %llu, unauthorized %llu, duplicates %llu%s",
                    (unsigned long long)st->received, (unsigned long long)st->valid,
                    (unsigned long long)st->invalid, (unsigned long long)st->unauthorized,
                    (unsigned long long)st->duplicates, extra);
}

bool server_wait(ugw_server *s, uint64_t received, int timeout_ms)
{
    struct timespec dl;
    bool ok;

    clock_gettime(CLOCK_MONOTONIC, &dl);
    if (timeout_ms > 0) {
        dl.tv_sec += timeout_ms / 1000;
        dl.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
        if (dl.tv_nsec >= 1000000000L) {
            dl.tv_sec++;
            dl.tv_nsec -= 1000000000L;
        }
    }
    pthread_mutex_lock(&s->mu);
    while (s->st.received < received) {
        if (timeout_ms < 0)
            pthread_cond_wait(&s->cv, &s->mu);
        else if (pthread_cond_timedwait(&s->cv, &s->mu, &dl) == ETIMEDOUT)
            break;
    }
    ok = s->st.received >= received;
    pthread_mutex_unlock(&s->mu);
    return ok;
}

void server_stop(ugw_server *s, server_stats *final)
{
    if (!s)
        return;
    if (s->http) {
        ugw_receiver_mhd_stats_get(s->http, &s->st.http);
        ugw_receiver_mhd_stop(s->http); /* joins the threads, closes the socket */
    }
    if (final)
        *final = s->st;
    forward_pool_free(s->forward); /* after the threads that use it */
    ugw_receiver_free(s->rx);
    pthread_cond_destroy(&s->cv);
    pthread_mutex_destroy(&s->mu);
    free(s);
}
