/*
 * mhd_inspector.c - the inspector's ring of recent requests
 * (mhd_inspector.h). Each request is rendered once, when it is answered, as
 * the JSON object the page reads:
 *
 *   {"t":MS,"method":"POST","path":"/hooks","status":400,"verdict":"invalid",
 *    "verified":true,"id":"msg_1"|null,"event":"wire event string"|null,
 *    "headers":[["Name","value"],...],"body":"BASE64"|null,"body_len":N,
 *    "body_cut":false,"error":{"code":..,"message":..,"path":..,"pos":N}|null,
 *    "resend":false}
 *
 * Every string goes through the JSON escapes and the body through base64,
 * so no byte of a request can end the object or the stream's line; the page
 * puts each value on screen as text. Memory is bounded: `history` entries of
 * at most `body_max` body bytes (twice: base64 and, for "send again", the
 * bytes), 64 headers of at most 4 KiB each, a path of at most 1 KiB; and
 * INSP_MEMORY_MAX for them all, past which the oldest are dropped.
 */
#include "mhd_inspector.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <ugw/ugw_webhook.h>

#define MAX_HEADERS 64
#define HEADER_VALUE_MAX 4096
#define PATH_MAX_KEPT 1024

/* A growing string; `bad` once memory ran out. */
typedef struct sb {
    char *p;
    size_t len, cap;
    bool bad;
} sb;

static bool sb_room(sb *b, size_t n)
{
    size_t cap;
    char *np;
    if (b->bad)
        return false;
    if (n <= b->cap - b->len)
        return true;
    cap = b->cap ? b->cap : 1024;
    while (cap - b->len < n) {
        if (cap > SIZE_MAX / 2) {
            b->bad = true;
            return false;
        }
        cap *= 2;
    }
    np = realloc(b->p, cap);
    if (!np) {
        b->bad = true;
        return false;
    }
    b->p = np;
    b->cap = cap;
    return true;
}

static void sb_raw(sb *b, const char *s, size_t n)
{
    if (sb_room(b, n)) {
        memcpy(b->p + b->len, s, n);
        b->len += n;
    }
}

static void sb_lit(sb *b, const char *s)
{
    sb_raw(b, s, strlen(s));
}

/* A JSON string of the first `n` bytes of s (or null for NULL). */
static void sb_str(sb *b, const char *s, size_t n)
{
    size_t need;
    if (!s) {
        sb_lit(b, "null");
        return;
    }
    need = ugw_json_escaped_len(s, n);
    if (need > SIZE_MAX - 2 || !sb_room(b, need + 2))
        return;
    b->p[b->len++] = '"';
    b->len += ugw_json_escape(b->p + b->len, s, n);
    b->p[b->len++] = '"';
}

static void sb_cstr(sb *b, const char *s)
{
    sb_str(b, s, s ? strlen(s) : 0);
}

static void sb_u64(sb *b, uint64_t v)
{
    char num[24];
    sb_raw(b, num, ugw_fmt_u64(num, v));
}

static void sb_key(sb *b, const char *key)
{
    sb_lit(b, ",\"");
    sb_lit(b, key);
    sb_lit(b, "\":");
}

/* The request's headers, as [["Name","value"],...]. */
typedef struct header_walk {
    sb *b;
    unsigned n;
} header_walk;

static enum MHD_Result add_header(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
    header_walk *w = cls;
    size_t vlen = value ? strlen(value) : 0;
    (void)kind;
    if (!key || w->n >= MAX_HEADERS)
        return MHD_YES;
    sb_lit(w->b, w->n ? ",[" : "[");
    sb_str(w->b, key, strlen(key) > HEADER_VALUE_MAX ? HEADER_VALUE_MAX : strlen(key));
    sb_lit(w->b, ",");
    sb_str(w->b, value ? value : "", vlen > HEADER_VALUE_MAX ? HEADER_VALUE_MAX : vlen);
    sb_lit(w->b, "]");
    w->n++;
    return MHD_YES;
}

static uint64_t wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* The JSON of one request (malloc'd, in b->p), or false. */
static bool render(const mhd_inspector *in, const insp_request *rq, bool resend, sb *b)
{
    const ugw_receiver_result *res = rq->res;
    bool ok = rq->status >= 200 && rq->status <= 299;
    size_t kept = rq->body ? (rq->len < in->cfg.body_max ? rq->len : in->cfg.body_max) : 0;
    size_t plen = rq->url ? strlen(rq->url) : 0;
    header_walk hw = { b, 0 };

    sb_lit(b, "{\"t\":");
    sb_u64(b, wall_ms());
    sb_key(b, "method");
    sb_cstr(b, rq->method ? rq->method : "");
    sb_key(b, "path");
    sb_str(b, rq->url ? rq->url : "", plen > PATH_MAX_KEPT ? PATH_MAX_KEPT : plen);
    sb_key(b, "status");
    sb_u64(b, rq->status);
    sb_key(b, "verdict");
    sb_cstr(b, ugw_receiver_verdict_name(rq->status, ok && res->duplicate));
    sb_key(b, "verified");
    sb_lit(b, res->verified ? "true" : "false");
    sb_key(b, "id");
    sb_cstr(b, res->has_id ? res->id : NULL);
    sb_key(b, "event");
    sb_cstr(b, ok && res->desc ? res->desc->wire : NULL);
    sb_key(b, "headers");
    sb_lit(b, "[");
    MHD_get_connection_values(rq->conn, MHD_HEADER_KIND, add_header, &hw);
    sb_lit(b, "]");
    sb_key(b, "body");
    if (rq->body) {
        size_t n = ugw_base64_encoded_len(kept), out = 0;
        if (sb_room(b, n + 3)) {
            b->p[b->len++] = '"';
            if (ugw_base64_encode(rq->body, kept, b->p + b->len, n + 1, &out) == UGW_OK)
                b->len += out;
            b->p[b->len++] = '"';
        }
    } else {
        sb_lit(b, "null");
    }
    sb_key(b, "body_len");
    sb_u64(b, rq->body ? rq->len : 0);
    sb_key(b, "body_cut");
    sb_lit(b, kept < rq->len && rq->body ? "true" : "false");
    sb_key(b, "error");
    if (ok) {
        sb_lit(b, "null");
    } else {
        sb_lit(b, "{\"code\":");
        sb_cstr(b, ugw_status_name(res->error.code));
        sb_key(b, "message");
        sb_cstr(b, res->error.message ? res->error.message : "");
        sb_key(b, "path");
        sb_cstr(b, res->error.path);
        sb_key(b, "pos");
        sb_u64(b, res->error.pos);
        sb_lit(b, "}");
    }
    sb_key(b, "resend");
    sb_lit(b, resend ? "true" : "false");
    sb_lit(b, "}");
    return !b->bad;
}

static size_t entry_size(const insp_entry *e)
{
    return e->json_len + (e->body ? e->body_len : 0);
}

/* Drops an entry of the ring (in->mu held). */
static void entry_drop(mhd_inspector *in, insp_entry *e)
{
    in->bytes -= entry_size(e);
    free(e->json);
    free(e->body);
    memset(e, 0, sizeof *e);
}

void insp_record(mhd_inspector *in, const insp_request *rq)
{
    insp_entry e;
    sb b = { NULL, 0, 0, false };
    bool ok = rq->status >= 200 && rq->status <= 299;
    bool resend = in && in->cfg.resend && ok && rq->body && rq->len <= in->cfg.body_max;
    const char *ct;

    if (!in || !rq->res)
        return;
    memset(&e, 0, sizeof e);
    if (resend) {
        e.body = malloc(rq->len ? rq->len : 1);
        if (!e.body)
            resend = false;
        else
            memcpy(e.body, rq->body, rq->len);
        e.body_len = rq->len;
        ct = MHD_lookup_connection_value(rq->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
        if (ct && strlen(ct) < sizeof e.ctype)
            memcpy(e.ctype, ct, strlen(ct) + 1);
        if (rq->res->has_id)
            memcpy(e.id, rq->res->id, strlen(rq->res->id) + 1);
    }
    if (!render(in, rq, resend, &b)) {
        free(b.p);
        free(e.body);
        return; /* out of memory: the page misses this one, the request was answered */
    }
    e.json = b.p;
    e.json_len = b.len;

    pthread_mutex_lock(&in->mu);
    e.seq = in->next_seq++;
    entry_drop(in, &in->ring[(e.seq - 1) % in->cfg.history]); /* the one `history` before */
    in->ring[(e.seq - 1) % in->cfg.history] = e;
    in->bytes += entry_size(&e);
    if (in->first_seq + in->cfg.history <= e.seq)
        in->first_seq = e.seq - in->cfg.history + 1;
    while (in->bytes > INSP_MEMORY_MAX && in->first_seq < e.seq)
        entry_drop(in, &in->ring[(in->first_seq++ - 1) % in->cfg.history]);
    for (insp_viewer *v = in->viewers; v; v = v->next)
        insp_wake_locked(v);
    pthread_mutex_unlock(&in->mu);
}

void insp_wake_locked(insp_viewer *v)
{
    if (v->suspended) {
        v->suspended = false;
        MHD_resume_connection(v->conn);
    }
}

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void insp_tick(mhd_inspector *in)
{
    int64_t now;
    if (!in)
        return;
    now = mono_ms();
    pthread_mutex_lock(&in->mu);
    for (insp_viewer *v = in->viewers; v; v = v->next)
        if (now - v->last_ms >= INSP_HEARTBEAT_MS || now - v->start_ms >= INSP_STREAM_MAX_MS)
            insp_wake_locked(v);
    pthread_mutex_unlock(&in->mu);
}

void insp_shutdown(mhd_inspector *in)
{
    if (!in)
        return;
    pthread_mutex_lock(&in->mu);
    in->stopping = true;
    for (insp_viewer *v = in->viewers; v; v = v->next)
        insp_wake_locked(v);
    pthread_mutex_unlock(&in->mu);
}

mhd_inspector *insp_new(const ugw_receiver_mhd_inspector *cfg)
{
    mhd_inspector *in;
    if (!cfg || !cfg->enabled)
        return NULL;
    in = calloc(1, sizeof *in);
    if (!in)
        return NULL;
    in->cfg = *cfg;
    if (!in->cfg.history)
        in->cfg.history = UGW_MHD_INSPECTOR_DEFAULT_HISTORY;
    if (in->cfg.history > 100000)
        in->cfg.history = 100000;
    if (!in->cfg.body_max)
        in->cfg.body_max = UGW_MHD_INSPECTOR_DEFAULT_BODY_MAX;
    if (in->cfg.body_max > ((size_t)16 << 20))
        in->cfg.body_max = (size_t)16 << 20;
    if (cfg->token && *cfg->token) {
        in->token_len = strlen(cfg->token);
        if (in->token_len >= sizeof in->token) {
            free(in);
            return NULL;
        }
        memcpy(in->token, cfg->token, in->token_len + 1);
    }
    in->cfg.token = in->token_len ? in->token : NULL;
    in->ring = calloc(in->cfg.history, sizeof *in->ring);
    if (!in->ring) {
        free(in);
        return NULL;
    }
    in->next_seq = in->first_seq = 1;
    pthread_mutex_init(&in->mu, NULL);
    return in;
}

void insp_free(mhd_inspector *in)
{
    if (!in)
        return;
    for (size_t i = 0; i < in->cfg.history; i++)
        entry_drop(in, &in->ring[i]);
    free(in->ring);
    pthread_mutex_destroy(&in->mu);
    memset(in->token, 0, sizeof in->token);
    free(in);
}
