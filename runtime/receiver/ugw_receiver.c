/*
 * ugw_receiver.c - the request checks of ugw_receiver.h: headers, signature
 * (any of the configured secrets), media type, decode into pooled or caller
 * memory, the replay window (ugw_receiver_replay.c), and the JSON error body.
 */
#include "receiver_internal.h"
#include "receiver_metrics.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <openssl/crypto.h>

/* The decoder's own hard limit on max_input (docs/CONTRACT.md §3.2). */
#define DECODER_MAX_INPUT ((size_t)1 << 28)

/* result.state_ */
enum { ST_NONE = 0, ST_CLAIMED = 1 };

/* A decoder, a payload buffer and an envelope buffer, used by one request
 * at a time; all made with the slot, reused by every request it serves. */
typedef struct slot {
    struct slot *next;
    ugw_decoder *dec;
    void *payload;  /* payload_max bytes; malloc's alignment suits uint64_t */
    void *envelope; /* envelope_size bytes; NULL when the schema has no envelope fields */
} slot;

struct ugw_receiver {
    const ugw_schema *schema;
    ugw_secret secrets[UGW_RECEIVER_MAX_SECRETS];
    size_t nsecrets;
    int64_t tolerance;
    bool strict;
    size_t max_body;
    size_t payload_max;
    size_t envelope_size; /* ugw_schema_envelope_size(): 0 without envelope fields */
    char limit_msg[64]; /* "body larger than N bytes" */
    pthread_mutex_t mu;
    slot *free_slots;
    replay_window replay;
    rx_metrics metrics; /* lock-free */
};

/* ------------------------------------------------------------------ */
/* Answers                                                              */
/* ------------------------------------------------------------------ */

/* Appends the JSON escapes of s to out, cut so that *off stays below
 * `limit` (which leaves room for what follows). */
static void put_escaped(char *out, size_t limit, size_t *off, const char *s)
{
    for (; *s; s++) {
        if (*off >= limit || ugw_json_escaped_len(s, 1) >= limit - *off)
            return;
        *off += ugw_json_escape(out + *off, s, 1);
    }
}

static void put(char *out, size_t cap, size_t *off, const char *s)
{
    size_t n = strlen(s);
    if (n >= cap - *off)
        n = cap - *off - 1;
    memcpy(out + *off, s, n);
    *off += n;
}

/* The JSON body of res->error. */
static void error_body(ugw_receiver_result *res)
{
    char num[24];
    size_t off = 0, cap = sizeof res->body;
    num[ugw_fmt_u64(num, res->error.pos)] = '\0';
    put(res->body, cap, &off, "{\"code\":\"");
    put(res->body, cap, &off, ugw_status_name(res->error.code));
    put(res->body, cap, &off, "\",\"message\":\"");
    /* The message stops 64 bytes short of the end and the path 32: room
     * for the keys between them, the position and the closing brace. */
    put_escaped(res->body, cap - 64, &off, res->error.message ? res->error.message : "");
    put(res->body, cap, &off, "\",\"path\":\"");
    put_escaped(res->body, cap - 32, &off, res->error.path);
    put(res->body, cap, &off, "\",\"pos\":");
    put(res->body, cap, &off, num);
    put(res->body, cap, &off, "}");
    res->body[off] = '\0';
    res->body_len = off;
}

void ugw_receiver_answer(ugw_receiver_result *res, unsigned status, ugw_status code,
                         const char *message, const char *path, size_t pos, unsigned retry_after)
{
    if (!res)
        return;
    res->status = status;
    res->retry_after = retry_after;
    res->type = 0;
    res->desc = NULL;
    res->payload = NULL;
    res->envelope = NULL;
    ugw_error_clear(&res->error);
    ugw_error_set(&res->error, code, message, pos, path ? path : "");
    error_body(res);
}

/* An answer from an error the runtime filled. */
static unsigned answer_err(ugw_receiver_result *res, unsigned status, const ugw_error *err)
{
    res->status = status;
    res->error = *err;
    if (!res->error.message)
        res->error.message = "";
    error_body(res);
    return status;
}

static unsigned answer(ugw_receiver_result *res, unsigned status, ugw_status code, const char *message,
                       const char *path, size_t pos)
{
    ugw_receiver_answer(res, status, code, message, path, pos, 0);
    return status;
}

/* ------------------------------------------------------------------ */
/* Headers                                                              */
/* ------------------------------------------------------------------ */

/* The value of header `name`; *dup set when the array form has it twice. */
static const char *header(const ugw_receiver_request *req, const char *name, bool *dup)
{
    const char *v = NULL;
    if (req->header)
        return req->header(req->header_ctx, name);
    for (size_t i = 0; i < req->nheaders; i++) {
        const ugw_receiver_header *h = &req->headers[i];
        if (h->name && h->value && strcasecmp(h->name, name) == 0) {
            if (v)
                *dup = true;
            v = h->value;
        }
    }
    return v;
}

/* The format of a Content-Type value; false when it is neither. */
static bool content_format(const char *ct, ugw_format *fmt)
{
    static const struct { const char *type; ugw_format fmt; } types[] = {
        { "application/json", UGW_FORMAT_JSON },
        { "application/msgpack", UGW_FORMAT_MSGPACK },
    };
    ugw_str t;
    if (!ct)
        return false;
    t = ugw_trim(ct, ugw_cspan(ct, strlen(ct), ";"), UGW_WS_HTTP);
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
        if (strlen(types[i].type) == t.len && strncasecmp(t.ptr, types[i].type, t.len) == 0) {
            *fmt = types[i].fmt;
            return true;
        }
    }
    return false;
}

/* Whether a webhook-signature value holds an entry "v1," + 44 base64
 * characters (the only form that can verify). */
static bool signature_shape_ok(const char *v)
{
    size_t n = strlen(v);
    for (size_t at = 0; at < n;) {
        at += ugw_span(v + at, n - at, UGW_WS_HTTP);
        size_t m = ugw_cspan(v + at, n - at, UGW_WS_HTTP);
        if (m == 47 && memcmp(v + at, "v1,", 3) == 0
            && ugw_span(v + at + 3, 43, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/") == 43
            && v[at + 46] == '=')
            return true;
        at += m;
    }
    return false;
}

/* The three signing headers, by name. */
typedef struct sig_headers {
    const char *id, *ts, *sig;
} sig_headers;

/* Checks 405, 413 by `announced`, 400 webhook-id, and with secrets 401 for
 * the headers (presence; with `shape`, the timestamp and the signature's
 * form). Returns 0 when the request may go on. */
static unsigned check_head(ugw_receiver *rx, const ugw_receiver_request *req, ugw_receiver_result *res,
                           uint64_t announced, int64_t now, bool shape, sig_headers *h)
{
    bool dup = false;

    if (!req->method || strcmp(req->method, "POST") != 0)
        return answer(res, 405, UGW_ERR_ARG, "only POST is accepted", "", 0);
    if (announced > rx->max_body)
        return answer(res, 413, UGW_ERR_LIMIT, rx->limit_msg, "", rx->max_body);
    h->id = header(req, "webhook-id", &dup);
    if (dup)
        return answer(res, 400, UGW_ERR_SYNTAX, "webhook-id appears more than once", "webhook-id", 0);
    if (h->id && ugw_webhook_id_check(h->id, strlen(h->id), NULL) != UGW_OK)
        return answer(res, 400, UGW_ERR_SYNTAX,
                      "webhook-id must be 1 to 256 printable ASCII characters without spaces", "webhook-id", 0);
    if (h->id) {
        res->has_id = true;
        memcpy(res->id, h->id, strlen(h->id) + 1);
    }
    h->ts = header(req, "webhook-timestamp", &dup);
    h->sig = header(req, "webhook-signature", &dup);
    if (dup)
        return answer(res, 400, UGW_ERR_SYNTAX, "a webhook header appears more than once", "", 0);
    if (!rx->nsecrets)
        return 0;
    if (!h->id)
        return answer(res, 401, UGW_ERR_SIGNATURE, "no webhook-id header", "webhook-id", 0);
    if (!h->ts)
        return answer(res, 401, UGW_ERR_TIMESTAMP, "no webhook-timestamp header", "webhook-timestamp", 0);
    if (!h->sig)
        return answer(res, 401, UGW_ERR_SIGNATURE, "no webhook-signature header", "webhook-signature", 0);
    if (shape) {
        ugw_error err;
        /* The timestamp rules are ugw_webhook_verify()'s own: with an empty
         * signature list it can only fail, on the timestamp first. */
        if (ugw_webhook_verify(&rx->secrets[0], h->id, h->ts, "", NULL, 0, now, rx->tolerance, &err)
                == UGW_ERR_TIMESTAMP)
            return answer_err(res, 401, &err);
        if (!signature_shape_ok(h->sig))
            return answer(res, 401, UGW_ERR_SIGNATURE, "no v1 signature in webhook-signature",
                          "webhook-signature", 0);
    }
    return 0;
}

static void result_init(ugw_receiver_result *res)
{
    memset(res, 0, offsetof(ugw_receiver_result, body));
    res->body[0] = '\0';
    res->body_len = 0;
    res->slot_ = NULL;
    res->state_ = ST_NONE;
    res->envelope = NULL;
}

static int64_t now_of(const ugw_receiver_request *req)
{
    return req->now ? req->now : (int64_t)time(NULL);
}

bool ugw_receiver_check_headers(ugw_receiver *rx, const ugw_receiver_request *req, ugw_receiver_result *res)
{
    sig_headers h;
    if (!res)
        return false;
    result_init(res);
    if (!rx || !req) {
        answer(res, 500, UGW_ERR_ARG, "NULL receiver or request", "", 0);
        return false;
    }
    if (check_head(rx, req, res, req->content_length > 0 ? (uint64_t)req->content_length : 0, now_of(req),
                   true, &h) == 0)
        return true;
    rxm_count(&rx->metrics, res->status, false, 0);
    return false;
}

/* ------------------------------------------------------------------ */
/* The pool                                                             */
/* ------------------------------------------------------------------ */

static void slot_free(slot *s)
{
    if (!s)
        return;
    ugw_decoder_free(s->dec);
    free(s->payload);
    free(s->envelope);
    free(s);
}

static slot *slot_get(ugw_receiver *rx)
{
    ugw_decode_opts opts;
    slot *s;

    pthread_mutex_lock(&rx->mu);
    s = rx->free_slots;
    if (s)
        rx->free_slots = s->next;
    pthread_mutex_unlock(&rx->mu);
    if (s)
        return s;
    s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    memset(&opts, 0, sizeof opts);
    opts.strict = rx->strict;
    opts.max_input = rx->max_body > UGW_DEFAULT_MAX_INPUT ? rx->max_body : UGW_DEFAULT_MAX_INPUT;
    s->dec = ugw_decoder_new(&opts);
    s->payload = malloc(rx->payload_max ? rx->payload_max : 1);
    s->envelope = rx->envelope_size ? malloc(rx->envelope_size) : NULL;
    if (!s->dec || !s->payload || (rx->envelope_size && !s->envelope)) {
        slot_free(s);
        return NULL;
    }
    return s;
}

static void slot_put(ugw_receiver *rx, slot *s)
{
    pthread_mutex_lock(&rx->mu);
    s->next = rx->free_slots;
    rx->free_slots = s;
    pthread_mutex_unlock(&rx->mu);
}

/* ------------------------------------------------------------------ */
/* Handling                                                             */
/* ------------------------------------------------------------------ */

/* ugw_receiver_handle() but for counting its answer. */
static unsigned handle(ugw_receiver *rx, const ugw_receiver_request *req, ugw_receiver_result *res)
{
    static const char empty[1] = { 0 };
    const char *body;
    sig_headers h;
    ugw_error err;
    int64_t now;
    ugw_decoder *dec;
    void *payload, *envelope;
    size_t cap, env_cap;
    unsigned st;
    uint64_t t_dec;
    ugw_status dst;
    bool dup = false;

    if (!res)
        return 500;
    result_init(res);
    if (!rx || !req || (!req->body && req->len))
        return answer(res, 500, UGW_ERR_ARG, "NULL receiver, request or body", "", 0);
    body = req->body ? req->body : empty;
    now = now_of(req);
    res->now_ = now;
    if ((st = check_head(rx, req, res, req->len, now, false, &h)) != 0)
        return st;
    rxm_body(&rx->metrics, req->len);

    if (rx->nsecrets) {
        ugw_status vs = UGW_ERR_SIGNATURE;
        uint64_t t0 = rxm_now_ns();
        for (size_t i = 0; i < rx->nsecrets; i++) {
            vs = ugw_webhook_verify(&rx->secrets[i], h.id, h.ts, h.sig, body, req->len, now, rx->tolerance,
                                    &err);
            if (vs == UGW_OK || vs == UGW_ERR_TIMESTAMP || vs == UGW_ERR_NOMEM)
                break;
        }
        rxm_verify_ns(&rx->metrics, rxm_now_ns() - t0);
        if (vs != UGW_OK)
            return answer_err(res, vs == UGW_ERR_SIGNATURE || vs == UGW_ERR_TIMESTAMP ? 401 : 500, &err);
        res->verified = true;
        (void)ugw_parse_u64(h.ts, strlen(h.ts), (uint64_t *)&res->timestamp); /* checked by verify */
    }

    if (!content_format(header(req, "Content-Type", &dup), &res->format) || dup)
        return answer(res, 415, UGW_ERR_TYPE,
                      dup ? "Content-Type appears more than once"
                          : "Content-Type must be application/json or application/msgpack",
                      "Content-Type", 0);

    if (req->decoder && req->payload) {
        dec = req->decoder;
        payload = req->payload;
        cap = req->payload_cap;
        envelope = rx->envelope_size ? req->envelope : NULL;
        env_cap = envelope ? req->envelope_cap : 0;
    } else {
        slot *s = slot_get(rx);
        if (!s)
            return answer(res, 500, UGW_ERR_NOMEM, "out of memory", "", 0);
        res->slot_ = s;
        dec = s->dec;
        payload = s->payload;
        cap = rx->payload_max;
        envelope = s->envelope;
        env_cap = rx->envelope_size;
    }
    t_dec = rxm_now_ns();
    /* Envelope fields (if any) are decoded and checked with the payload,
     * their errors at top-level paths ("timestamp"); without `envelope`
     * they are checked and not kept. */
    dst = ugw_schema_decode_env(rx->schema, dec, res->format, body, req->len, &res->type, envelope, env_cap,
                                payload, cap, &err);
    rxm_decode_ns(&rx->metrics, rxm_now_ns() - t_dec);
    if (dst != UGW_OK) {
        st = answer_err(res, 400, &err);
        res->type = 0;
        return st;
    }

    if (res->has_id) {
        unsigned retry = 1;
        int r;
        pthread_mutex_lock(&rx->mu);
        r = replay_claim(&rx->replay, res->id, strlen(res->id), now, &retry);
        pthread_mutex_unlock(&rx->mu);
        switch (r) {
        case REPLAY_SEEN:
            res->duplicate = true;
            rxm_count(&rx->metrics, 204, true, res->type);
            res->type = 0;
            res->status = 204;
            return 204;
        case REPLAY_PENDING:
            ugw_receiver_answer(res, 503, UGW_ERR_FULL, "a request with this webhook-id is being stored",
                                "webhook-id", 0, 1);
            return 503;
        case REPLAY_FULL:
            ugw_receiver_answer(res, 503, UGW_ERR_FULL, "the replay window is full of live ids", "", 0, retry);
            return 503;
        default:
            res->state_ = ST_CLAIMED;
            break;
        }
    }
    res->desc = ugw_schema_event(rx->schema, res->type);
    res->payload = payload;
    res->envelope = envelope;
    res->status = 204;
    return 204;
}

unsigned ugw_receiver_handle(ugw_receiver *rx, const ugw_receiver_request *req, ugw_receiver_result *res)
{
    unsigned st = handle(rx, req, res);
    /* A new event is counted when it is finished (stored or not), a
     * duplicate where it is found. */
    if (rx && res && st != 204)
        rxm_count(&rx->metrics, st, res->duplicate, res->type);
    return st;
}

unsigned ugw_receiver_finish(ugw_receiver *rx, ugw_receiver_result *res, bool stored)
{
    if (!rx || !res)
        return 0;
    if (res->state_ == ST_CLAIMED || (res->status == 204 && !res->duplicate && res->type)) {
        bool claimed = res->state_ == ST_CLAIMED;
        int64_t base = res->verified ? res->timestamp : res->now_;
        pthread_mutex_lock(&rx->mu);
        if (claimed)
            replay_settle(&rx->replay, res->id, strlen(res->id), stored, base + rx->tolerance, res->now_);
        pthread_mutex_unlock(&rx->mu);
        res->state_ = ST_NONE;
        rxm_count(&rx->metrics, stored ? 204 : 503, false, res->type);
        if (!stored)
            ugw_receiver_answer(res, 503, UGW_ERR_IO, "the event could not be stored", "", 0, 1);
    }
    if (res->slot_) {
        slot_put(rx, res->slot_);
        res->slot_ = NULL;
    }
    res->payload = NULL;
    res->envelope = NULL;
    return res->status;
}

/* ------------------------------------------------------------------ */
/* Life cycle                                                           */
/* ------------------------------------------------------------------ */

ugw_receiver *ugw_receiver_new(const ugw_receiver_config *cfg, ugw_error *err)
{
    ugw_receiver *rx;

    ugw_error_clear(err);
    if (!cfg || !cfg->schema)
        return ugw_error_set(err, UGW_ERR_ARG, "no configuration or no schema", 0, ""), NULL;
    if (cfg->nsecrets > UGW_RECEIVER_MAX_SECRETS || (cfg->nsecrets && !cfg->secrets))
        return ugw_error_set(err, UGW_ERR_ARG, "more than 8 secrets, or NULL secrets", 0, ""), NULL;
    for (size_t i = 0; i < cfg->nsecrets; i++) {
        if (ugw_secret_check(&cfg->secrets[i], cfg->allow_weak_secrets, err) != UGW_OK) {
            if (err)
                err->pos = i; /* which secret */
            return NULL;
        }
    }
    rx = calloc(1, sizeof *rx);
    if (!rx)
        return ugw_error_set(err, UGW_ERR_NOMEM, "out of memory", 0, ""), NULL;
    rx->schema = cfg->schema;
    if (cfg->nsecrets)
        memcpy(rx->secrets, cfg->secrets, cfg->nsecrets * sizeof rx->secrets[0]);
    rx->nsecrets = cfg->nsecrets;
    rx->tolerance = cfg->tolerance_s > 0 ? cfg->tolerance_s : UGW_WEBHOOK_TOLERANCE_DEFAULT;
    if (rx->tolerance > (int64_t)1 << 40)
        rx->tolerance = (int64_t)1 << 40; /* keeps timestamp + tolerance far from overflow */
    rx->strict = cfg->strict;
    rx->max_body = cfg->max_body ? cfg->max_body : UGW_RECEIVER_DEFAULT_MAX_BODY;
    if (rx->max_body > DECODER_MAX_INPUT)
        rx->max_body = DECODER_MAX_INPUT;
    snprintf(rx->limit_msg, sizeof rx->limit_msg, "body larger than %zu bytes", rx->max_body);
    rx->payload_max = ugw_schema_payload_max(rx->schema);
    rx->envelope_size = ugw_schema_envelope_size(rx->schema);
    pthread_mutex_init(&rx->mu, NULL);
    if (!rxm_init(&rx->metrics, rx->schema)) {
        pthread_mutex_destroy(&rx->mu);
        free(rx);
        return ugw_error_set(err, UGW_ERR_NOMEM, "out of memory", 0, ""), NULL;
    }
    if (replay_open(&rx->replay,
                    cfg->replay_capacity ? cfg->replay_capacity : UGW_RECEIVER_DEFAULT_REPLAY_CAPACITY,
                    cfg->replay_path, cfg->replay_sync, (int64_t)time(NULL), err) != UGW_OK) {
        ugw_receiver_free(rx);
        return NULL;
    }
    return rx;
}

void ugw_receiver_free(ugw_receiver *rx)
{
    if (!rx)
        return;
    while (rx->free_slots) {
        slot *s = rx->free_slots;
        rx->free_slots = s->next;
        slot_free(s);
    }
    replay_close(&rx->replay);
    rxm_free(&rx->metrics);
    pthread_mutex_destroy(&rx->mu);
    OPENSSL_cleanse(rx->secrets, sizeof rx->secrets);
    free(rx);
}

size_t ugw_receiver_max_body(const ugw_receiver *rx)
{
    return rx ? rx->max_body : 0;
}

void ugw_receiver_stats_get(ugw_receiver *rx, ugw_receiver_stats *out)
{
    if (!rx || !out)
        return;
    pthread_mutex_lock(&rx->mu);
    out->remembered = rx->replay.count;
    out->capacity = rx->replay.capacity;
    out->window_full = rx->replay.window_full;
    out->expired = rx->replay.expired;
    out->state_errors = rx->replay.state_errors;
    pthread_mutex_unlock(&rx->mu);
}

void ugw_receiver_count(ugw_receiver *rx, const ugw_receiver_result *res)
{
    if (rx && res)
        rxm_count(&rx->metrics, res->status, res->duplicate, res->type);
}

void ugw_receiver_metrics_write(ugw_receiver *rx, ugw_metrics_writer *w)
{
    ugw_receiver_stats st;
    if (!rx || !w)
        return;
    ugw_receiver_stats_get(rx, &st);
    rxm_write(&rx->metrics, &st, w);
}

ugw_status ugw_receiver_metrics_text(ugw_receiver *rx, char *buf, size_t cap, size_t *len)
{
    ugw_metrics_writer w;
    if (!rx)
        return UGW_ERR_ARG;
    ugw_metrics_init(&w, buf, cap);
    ugw_receiver_metrics_write(rx, &w);
    return ugw_metrics_end(&w, len);
}
