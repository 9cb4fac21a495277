/*
 * mhd_inspector_http.c - the inspector's paths (mhd_inspector.h), under
 * UGW_MHD_INSPECTOR_PATH:
 *
 *   GET  ""  "app.js"  "body.js"  "app.css"   the page (built in from ui/)
 *   GET  "events"                             the event stream (text/event-stream):
 *        "event: hello" with what the page may offer, then one
 *        "event: request" per request (id: its sequence number), oldest
 *        first, then each new one as it is answered; ": ping" comments
 *        while idle; the stream ends after INSP_STREAM_MAX_MS and the page
 *        reconnects with Last-Event-ID
 *   POST "resend/SEQ"                         "send again", answered
 *        {"delivered":true|false,"status":N}
 *
 * Access (ugw_receiver_mhd.h): the token, compared in constant time, or a
 * loopback Host; "send again" also wants the header X-Ugw-Inspector (which
 * no form and no simple cross-site request can set) and, when the browser
 * sends Origin, the page's own. Every answer carries the same strict
 * Content-Security-Policy and a fixed body: nothing of the request is
 * reflected.
 */
#include "mhd_inspector.h"
#include "mhd_ui_assets.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <openssl/crypto.h>

#define CSP                                                                                        \
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; base-uri 'none'; " \
    "form-action 'none'; frame-ancestors 'none'"

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void secure_headers(struct MHD_Response *resp)
{
    MHD_add_response_header(resp, "Content-Security-Policy", CSP);
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, "X-Frame-Options", "DENY");
    MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
    MHD_add_response_header(resp, "Cross-Origin-Resource-Policy", "same-origin");
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
}

/* A fixed or copied answer with the security headers. */
static enum MHD_Result reply(struct MHD_Connection *c, unsigned status, const char *ctype, const void *body,
                             size_t len, enum MHD_ResponseMemoryMode mode)
{
    struct MHD_Response *resp = MHD_create_response_from_buffer(len, (void *)body, mode);
    enum MHD_Result r;
    if (!resp)
        return MHD_NO;
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, ctype);
    secure_headers(resp);
    r = MHD_queue_response(c, status, resp);
    MHD_destroy_response(resp);
    return r;
}

static enum MHD_Result fixed(struct MHD_Connection *c, unsigned status, const char *text)
{
    return reply(c, status, "text/plain; charset=utf-8", text, strlen(text), MHD_RESPMEM_PERSISTENT);
}

/* ------------------------------------------------------------------ */
/* Access                                                               */
/* ------------------------------------------------------------------ */

/* Whether the Host header names this machine's loopback. */
static bool host_is_loopback(const char *host)
{
    size_t n;
    if (!host)
        return false;
    if (strncmp(host, "[::1]", 5) == 0)
        return host[5] == '\0' || host[5] == ':';
    n = strcspn(host, ":");
    if (host[n] == ':' && strspn(host + n + 1, "0123456789") != strlen(host + n + 1))
        return false;
    if (n == 9 && strncasecmp(host, "localhost", 9) == 0)
        return true;
    if (n >= 9 && strncmp(host, "127.", 4) == 0 && strspn(host, "0123456789.") >= n)
        return true;
    return false;
}

static bool token_ok(const mhd_inspector *in, struct MHD_Connection *c)
{
    const char *t = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Ugw-Token");
    if (!t)
        t = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "token");
    return t && strlen(t) == in->token_len && CRYPTO_memcmp(t, in->token, in->token_len) == 0;
}

static bool allowed(const mhd_inspector *in, struct MHD_Connection *c)
{
    if (in->token_len)
        return token_ok(in, c);
    return host_is_loopback(MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST));
}

/* "send again" comes from the page itself: X-Ugw-Inspector, and an Origin
 * (when sent) of http://HOST. */
static bool same_origin(struct MHD_Connection *c)
{
    const char *mark = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Ugw-Inspector");
    const char *origin = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Origin");
    const char *host = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST);
    if (!mark || strcmp(mark, "1") != 0)
        return false;
    if (!origin)
        return true;
    return host && strncmp(origin, "http://", 7) == 0 && strcmp(origin + 7, host) == 0;
}

/* ------------------------------------------------------------------ */
/* The event stream                                                     */
/* ------------------------------------------------------------------ */

/* Puts one message in the viewer's buffer; false when memory runs out. */
static bool frame(insp_viewer *v, const char *head, const char *data, size_t dlen, const char *tail)
{
    size_t hl = strlen(head), tl = strlen(tail), need = hl + dlen + tl;
    if (need > v->cap) {
        char *nb = realloc(v->buf, need);
        if (!nb)
            return false;
        v->buf = nb;
        v->cap = need;
    }
    memcpy(v->buf, head, hl);
    memcpy(v->buf + hl, data, dlen);
    memcpy(v->buf + hl + dlen, tail, tl);
    v->len = need;
    v->off = 0;
    return true;
}

static ssize_t stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
    insp_viewer *v = cls;
    mhd_inspector *in = v->in;
    int64_t now = mono_ms();
    ssize_t n = 0;
    (void)pos;

    pthread_mutex_lock(&in->mu);
    for (;;) {
        if (v->off < v->len) {
            size_t k = v->len - v->off < max ? v->len - v->off : max;
            memcpy(buf, v->buf + v->off, k);
            v->off += k;
            v->last_ms = now;
            n = (ssize_t)k;
            break;
        }
        if (in->stopping || now - v->start_ms >= INSP_STREAM_MAX_MS) {
            n = MHD_CONTENT_READER_END_OF_STREAM;
            break;
        }
        if (!v->hello_sent) {
            char hello[128];
            snprintf(hello, sizeof hello, "{\"resend\":%s,\"history\":%zu}", in->cfg.resend ? "true" : "false",
                     in->cfg.history);
            v->hello_sent = true;
            if (!frame(v, "retry: 2000\nevent: hello\ndata: ", hello, strlen(hello), "\n\n"))
                n = MHD_CONTENT_READER_END_WITH_ERROR;
        } else {
            if (v->next_seq < in->first_seq || v->next_seq > in->next_seq)
                v->next_seq = in->first_seq; /* missed some, or the server restarted */
            if (v->next_seq < in->next_seq) {
                const insp_entry *e = &in->ring[(v->next_seq - 1) % in->cfg.history];
                char head[64];
                snprintf(head, sizeof head, "id: %llu\nevent: request\ndata: ", (unsigned long long)e->seq);
                v->next_seq++;
                if (!frame(v, head, e->json, e->json_len, "\n\n"))
                    n = MHD_CONTENT_READER_END_WITH_ERROR;
            } else if (now - v->last_ms >= INSP_HEARTBEAT_MS) {
                (void)frame(v, ": ping", "", 0, "\n\n");
            } else {
                v->suspended = true;
                MHD_suspend_connection(v->conn);
                break; /* n = 0: woken by insp_record(), insp_tick() or insp_shutdown() */
            }
        }
        if (n < 0)
            break;
    }
    pthread_mutex_unlock(&in->mu);
    return n;
}

static void stream_free(void *cls)
{
    insp_viewer *v = cls;
    mhd_inspector *in = v->in;
    pthread_mutex_lock(&in->mu);
    if (v->prev)
        v->prev->next = v->next;
    else
        in->viewers = v->next;
    if (v->next)
        v->next->prev = v->prev;
    in->nviewers--;
    pthread_mutex_unlock(&in->mu);
    free(v->buf);
    free(v);
}

static enum MHD_Result start_stream(mhd_inspector *in, struct MHD_Connection *c)
{
    const char *last = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Last-Event-ID");
    struct MHD_Response *resp;
    enum MHD_Result r;
    insp_viewer *v;
    uint64_t seen = 0;

    if (last && (!ugw_parse_u64(last, strlen(last), &seen) || seen == UINT64_MAX))
        seen = 0;
    v = calloc(1, sizeof *v);
    if (!v)
        return fixed(c, 503, "out of memory\n");
    v->in = in;
    v->conn = c;
    v->next_seq = seen + 1;
    v->start_ms = v->last_ms = mono_ms();
    pthread_mutex_lock(&in->mu);
    if (in->stopping || in->nviewers >= UGW_MHD_INSPECTOR_MAX_VIEWERS) {
        pthread_mutex_unlock(&in->mu);
        free(v);
        return fixed(c, 503, "too many viewers\n");
    }
    v->next = in->viewers;
    if (in->viewers)
        in->viewers->prev = v;
    in->viewers = v;
    in->nviewers++;
    pthread_mutex_unlock(&in->mu);
    resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 16384, stream_read, v, stream_free);
    if (!resp) {
        stream_free(v);
        return MHD_NO;
    }
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "text/event-stream");
    MHD_add_response_header(resp, "X-Accel-Buffering", "no");
    secure_headers(resp);
    r = MHD_queue_response(c, 200, resp);
    MHD_destroy_response(resp);
    return r;
}

/* ------------------------------------------------------------------ */
/* Send again                                                           */
/* ------------------------------------------------------------------ */

static enum MHD_Result resend(mhd_inspector *in, struct MHD_Connection *c, const char *seq_text)
{
    uint64_t seq;
    unsigned char *body = NULL;
    size_t len = 0;
    char ctype[128], id[UGW_RECEIVER_ID_MAX + 1], out[96];
    ugw_mhd_reply *rep;
    bool found = false, ok;

    if (!in->cfg.resend)
        return fixed(c, 404, "send again needs a target\n");
    if (!ugw_parse_u64(seq_text, strlen(seq_text), &seq) || seq == 0)
        return fixed(c, 404, "no such request\n");
    pthread_mutex_lock(&in->mu);
    if (seq < in->next_seq && seq >= in->first_seq) {
        const insp_entry *e = &in->ring[(seq - 1) % in->cfg.history];
        if (e->seq == seq && e->body) {
            body = malloc(e->body_len ? e->body_len : 1);
            if (body) {
                memcpy(body, e->body, e->body_len);
                len = e->body_len;
                memcpy(ctype, e->ctype, sizeof ctype);
                memcpy(id, e->id, sizeof id);
            }
        }
        found = e->seq == seq;
    }
    pthread_mutex_unlock(&in->mu);
    if (!body)
        return fixed(c, found ? 409 : 404, found ? "this request cannot be sent again\n" : "no such request\n");
    rep = calloc(1, sizeof *rep);
    if (!rep) {
        free(body);
        return fixed(c, 503, "out of memory\n");
    }
    rep->status = 204;
    ok = in->cfg.resend(in->cfg.resend_ctx, id[0] ? id : NULL, body, len, ctype[0] ? ctype : NULL, rep);
    snprintf(out, sizeof out, "{\"delivered\":%s,\"status\":%u}", ok ? "true" : "false", rep->status);
    free(rep);
    free(body);
    return reply(c, 200, "application/json", out, strlen(out), MHD_RESPMEM_MUST_COPY);
}

/* ------------------------------------------------------------------ */
/* Routing                                                              */
/* ------------------------------------------------------------------ */

static const char *content_type_of(const char *name)
{
    const char *dot = strrchr(name, '.');
    if (dot && strcmp(dot, ".js") == 0)
        return "text/javascript; charset=utf-8";
    if (dot && strcmp(dot, ".css") == 0)
        return "text/css; charset=utf-8";
    return "text/html; charset=utf-8";
}

int insp_route(mhd_inspector *in, struct MHD_Connection *c, const char *url, const char *method)
{
    size_t plen = strlen(UGW_MHD_INSPECTOR_PATH);
    bool get = strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
    const char *rest;

    if (!in || !url || strncmp(url, UGW_MHD_INSPECTOR_PATH, plen) != 0)
        return -1;
    rest = url + plen;
    if (!allowed(in, c)) {
        /* The page's files hold no data: with a token they load without it. */
        bool asset_only = in->token_len && get && mhd_ui_asset_find(*rest ? rest : "index.html");
        if (!asset_only)
            return (int)fixed(c, 403, "forbidden\n");
    }
    if (get) {
        const mhd_ui_asset *a = mhd_ui_asset_find(*rest ? rest : "index.html");
        if (a)
            return (int)reply(c, 200, content_type_of(a->name), a->data, a->len, MHD_RESPMEM_PERSISTENT);
        if (strcmp(rest, "events") == 0 && strcmp(method, "GET") == 0)
            return (int)start_stream(in, c);
        return (int)fixed(c, 404, "not found\n");
    }
    if (strcmp(method, "POST") == 0 && strncmp(rest, "resend/", 7) == 0) {
        if (!same_origin(c))
            return (int)fixed(c, 403, "forbidden\n");
        return (int)resend(in, c, rest + 7);
    }
    return (int)fixed(c, 405, "method not allowed\n");
}
