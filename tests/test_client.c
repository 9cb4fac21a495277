/*
 * test_client.c - cmocka tests of the delivery client (runtime/ugw_client.h)
 * against the in-process libmicrohttpd receiver (tests/support/test_receiver.h)
 * on free ports of 127.0.0.1:
 *
 *   - the eleven fixture events in both formats: bodies byte-identical to
 *     ugw_encode(), the headers of CONTRACT.md section 4, signatures verified;
 *   - one test per retry rule (500, 503 + Retry-After seconds, 429 + HTTP-date,
 *     408, 404, 3xx, 410, connection refused, reset mid-response, timeout);
 *   - webhook-id stable across retries, webhook-timestamp per attempt;
 *   - max_age_ms, and a Retry-After beyond it;
 *   - a seeded soak of 20,000 events (UGW_SOAK_EVENTS overrides) with ~30 %
 *     failed attempts through a bounded queue;
 *   - close with a backlog, close with a drain time, dead letters in both
 *     formats (and a caller's id that JSON must escape);
 *   - the callback enqueueing, flush() waiting for the callbacks;
 *   - many threads enqueueing at once;
 *   - full queue, flush timeout, bad configurations, send() outcomes.
 *
 * Timing is asserted with jitter off and backoffs of 10-50 ms; the whole
 * file runs in about 15 s (the soak about 5 s of it).
 *
 * Every test owns its receivers, client and dead-letter file through a
 * per-test fixture, so teardown stops them even after a failed assertion.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <openssl/evp.h>

#include "test_receiver.h"
#include <ugw/ugw_client.h>
#include <ugw/ugw_events_client.h>
#include <ugw/ugw_events.h>
#include <ugw/ugw_fixtures.h>
#include <ugw/ugw_runtime.h>
#include <ugw/ugw_webhook.h>

/* A test secret: "whsec_" + base64 of 32 bytes. */
#define SECRET "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
#define OTHER_SECRET "whsec_c2VjcmV0LXRoYXQtaXMtbm90LXRoZS1vbmU="

/* ------------------------------------------------------------------ */
/* Time                                                                 */
/* ------------------------------------------------------------------ */

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int64_t ts_ms(const struct timespec *ts)
{
    return (int64_t)ts->tv_sec * 1000 + ts->tv_nsec / 1000000;
}

static void sleep_ms(long ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

/* ------------------------------------------------------------------ */
/* Outcomes collected from the callback                                 */
/* ------------------------------------------------------------------ */

typedef struct rec {
    char id[UGW_WEBHOOK_ID_MAX];
    ugw_result result;
    long http_status;
    int curl_code;
    unsigned attempts;
    bool endpoint_gone;
    void *user;
    char event[128];
    ugw_format format;
    unsigned char *body; /* copied when the collector keeps bodies */
    size_t body_len;
} rec;

typedef struct collector {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    rec *recs;
    size_t n, cap;
    bool keep_bodies;
    bool oom;
} collector;

static void col_init(collector *col)
{
    memset(col, 0, sizeof *col);
    pthread_mutex_init(&col->mu, NULL);
    pthread_cond_init(&col->cv, NULL);
}

static void col_free(collector *col)
{
    for (size_t i = 0; i < col->n; i++)
        free(col->recs[i].body);
    free(col->recs);
    pthread_mutex_destroy(&col->mu);
    pthread_cond_destroy(&col->cv);
}

static void on_outcome(const ugw_outcome *o, void *ctx)
{
    collector *col = ctx;
    rec r;
    memset(&r, 0, sizeof r);
    memcpy(r.id, o->id, sizeof r.id);
    r.result = o->result;
    r.http_status = o->http_status;
    r.curl_code = o->curl_code;
    r.attempts = o->attempts;
    r.endpoint_gone = o->endpoint_gone;
    r.user = o->user;
    snprintf(r.event, sizeof r.event, "%s", o->event ? o->event : "(null)");
    r.format = o->format;
    pthread_mutex_lock(&col->mu);
    if (col->keep_bodies) {
        r.body = malloc(o->body_len ? o->body_len : 1);
        if (!r.body)
            col->oom = true;
        else if (o->body_len)
            memcpy(r.body, o->body, o->body_len);
        r.body_len = o->body_len;
    }
    if (col->n == col->cap) {
        size_t nc = col->cap ? col->cap * 2 : 64;
        rec *nr = realloc(col->recs, nc * sizeof *nr);
        if (!nr) {
            col->oom = true;
            free(r.body);
            pthread_mutex_unlock(&col->mu);
            return;
        }
        col->recs = nr;
        col->cap = nc;
    }
    col->recs[col->n++] = r;
    pthread_cond_broadcast(&col->cv);
    pthread_mutex_unlock(&col->mu);
}

static size_t col_count(collector *col)
{
    size_t n;
    pthread_mutex_lock(&col->mu);
    n = col->n;
    pthread_mutex_unlock(&col->mu);
    return n;
}

/* Waits until at least n outcomes arrived; returns whether they did. */
static bool col_wait(collector *col, size_t n, long timeout_ms)
{
    int64_t end = now_ms() + timeout_ms;
    bool ok;
    pthread_mutex_lock(&col->mu);
    while (col->n < n && now_ms() < end) {
        struct timespec dl;
        clock_gettime(CLOCK_REALTIME, &dl);
        dl.tv_nsec += 20 * 1000000L;
        if (dl.tv_nsec >= 1000000000L) {
            dl.tv_sec++;
            dl.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&col->cv, &col->mu, &dl);
    }
    ok = col->n >= n;
    pthread_mutex_unlock(&col->mu);
    return ok;
}

/* The record of `id` (call once the client is quiet), and how many there are. */
static const rec *col_find(collector *col, const char *id, size_t *count)
{
    const rec *found = NULL;
    size_t k = 0;
    for (size_t i = 0; i < col->n; i++) {
        if (strcmp(col->recs[i].id, id) == 0) {
            if (!found)
                found = &col->recs[i];
            k++;
        }
    }
    if (count)
        *count = k;
    return found;
}

/* ------------------------------------------------------------------ */
/* Per-test fixture                                                     */
/* ------------------------------------------------------------------ */

typedef struct fx {
    test_receiver *tr;
    test_receiver *tr2;
    ugw_client *c;
    collector col;
    char dl_path[64]; /* an empty dead-letter file made by setup */
} fx;

static int fx_setup(void **state)
{
    fx *t = calloc(1, sizeof *t);
    int fd;
    if (!t)
        return -1;
    col_init(&t->col);
    snprintf(t->dl_path, sizeof t->dl_path, "/tmp/ugw_test_client_XXXXXX");
    fd = mkstemp(t->dl_path);
    if (fd < 0) {
        col_free(&t->col);
        free(t);
        return -1;
    }
    close(fd);
    *state = t;
    return 0;
}

static int fx_teardown(void **state)
{
    fx *t = *state;
    if (!t)
        return 0;
    if (t->c)
        ugw_client_close(t->c, 0); /* may still call back into t->col */
    tr_stop(t->tr);
    tr_stop(t->tr2);
    unlink(t->dl_path);
    col_free(&t->col);
    free(t);
    *state = NULL;
    return 0;
}

static test_receiver *start_rx(fx *t, const tr_config *cfg)
{
    test_receiver *tr = tr_start(cfg);
    assert_non_null(tr);
    if (!t->tr)
        t->tr = tr;
    else
        t->tr2 = tr;
    return tr;
}

/* A config with short, jitter-free backoffs and the collector as callback. */
static ugw_client_config base_cfg(fx *t, const char *url)
{
    ugw_client_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.url = url;
    cfg.format = UGW_FORMAT_JSON;
    cfg.connect_timeout_ms = 2000;
    cfg.timeout_ms = 5000;
    cfg.max_attempts = 5;
    cfg.backoff_base_ms = 20;
    cfg.backoff_max_ms = 200;
    cfg.jitter = -1;
    cfg.on_outcome = on_outcome;
    cfg.on_outcome_ctx = &t->col;
    return cfg;
}

static ugw_client *start_client(fx *t, const ugw_client_config *cfg)
{
    ugw_error err;
    ugw_client *c = ugw_client_new(cfg, &err);
    if (!c)
        fail_msg("ugw_client_new: %s: %s", ugw_status_name(err.code), err.message);
    t->c = c;
    return c;
}

/* Closes the fixture's client now (teardown will not close it again). */
static ugw_status close_client(fx *t, long drain_ms)
{
    ugw_client *c = t->c;
    t->c = NULL;
    return ugw_client_close(c, drain_ms);
}

/* ------------------------------------------------------------------ */
/* Encoding and receiver helpers                                        */
/* ------------------------------------------------------------------ */

/* ugw_encode() of `ev` into a new buffer. */
static unsigned char *encode_new(const ugw_event *ev, ugw_format fmt, size_t *len)
{
    ugw_error err;
    unsigned char *p;
    size_t need = 0;
    assert_int_equal(ugw_encode(ev, fmt, NULL, 0, &need, &err), UGW_OK);
    p = malloc(need ? need : 1);
    assert_non_null(p);
    assert_int_equal(ugw_encode(ev, fmt, p, need, len, &err), UGW_OK);
    assert_int_equal(*len, need);
    return p;
}

static const ugw_event *fixture_at(size_t i)
{
    return &ugw_fixtures[i % UGW_EVENT_COUNT];
}

static ugw_status enqueue_fixture(ugw_client *c, size_t i, long wait_ms, void *user, char id[UGW_WEBHOOK_ID_MAX])
{
    ugw_error err;
    ugw_status st = ugw_client_enqueue(c, fixture_at(i), wait_ms, user, id, &err);
    if (st != UGW_OK)
        assert_int_equal(err.code, st);
    return st;
}

/* Copies of every recorded request (free with free_requests). */
static tr_request *get_requests(test_receiver *tr, size_t *n)
{
    size_t k = tr_count(tr);
    tr_request *rs = calloc(k ? k : 1, sizeof *rs);
    assert_non_null(rs);
    for (size_t i = 0; i < k; i++)
        assert_true(tr_get(tr, i, &rs[i]));
    *n = k;
    return rs;
}

static void free_requests(tr_request *rs, size_t n)
{
    for (size_t i = 0; i < n; i++)
        tr_request_free(&rs[i]);
    free(rs);
}

static int64_t gap_ms(const tr_request *a, const tr_request *b)
{
    return ts_ms(&b->received_mono) - ts_ms(&a->received_mono);
}

static int64_t parse_ts(const char *s)
{
    uint64_t v = 0;
    assert_non_null(s);
    assert_true(ugw_parse_u64(s, strlen(s), &v));
    return (int64_t)v;
}

/* The signature of request r verifies with `secret` and its own timestamp. */
static void assert_signed(const tr_request *r, const char *secret)
{
    ugw_secret key;
    ugw_error err;
    ugw_status st;
    assert_int_equal(ugw_secret_parse(secret, strlen(secret), &key, NULL), UGW_OK);
    assert_non_null(r->webhook_signature);
    assert_non_null(r->webhook_id);
    assert_non_null(r->webhook_timestamp);
    st = ugw_webhook_verify(&key, r->webhook_id, r->webhook_timestamp, r->webhook_signature, r->body,
                            r->body_len, (int64_t)time(NULL), 30, &err);
    if (st != UGW_OK)
        fail_msg("signature of %s does not verify: %s %s", r->webhook_id, ugw_status_name(st), err.message);
}

/* ------------------------------------------------------------------ */
/* Dead-letter file parsing (flat JSON objects, one per line)           */
/* ------------------------------------------------------------------ */

typedef struct dl_entry {
    char id[UGW_WEBHOOK_ID_MAX];
    char event[160];
    char format[16];
    char result[16];
    bool has_body, has_body_base64;
    unsigned char *body; /* decoded */
    size_t body_len;
    long last_status;
    long attempts;
    bool has_time, has_error;
} dl_entry;

/* Returns the end of the JSON string starting after its opening quote. */
static const char *json_string_end(const char *p, const char *end)
{
    while (p < end) {
        if (*p == '\\') {
            p += 2;
            continue;
        }
        if (*p == '"')
            return p;
        if ((unsigned char)*p < 0x20)
            return NULL; /* raw control character: not JSON */
        p++;
    }
    return NULL;
}

static unsigned char *unescape_new(const char *s, size_t n, size_t *out_len)
{
    size_t bad = 0, k;
    unsigned char *out = malloc(n + 1);
    assert_non_null(out);
    k = ugw_json_unescape((char *)out, s, n, &bad);
    assert_true(k != (size_t)-1);
    *out_len = k;
    return out;
}

static unsigned char *base64_decode_new(const char *s, size_t n, size_t *out_len)
{
    unsigned char *out = malloc(n / 4 * 3 + 1);
    int k;
    size_t pad = 0;
    assert_non_null(out);
    assert_int_equal(n % 4, 0);
    k = EVP_DecodeBlock(out, (const unsigned char *)s, (int)n);
    assert_true(k >= 0);
    while (pad < n && pad < 2 && s[n - 1 - pad] == '=')
        pad++;
    *out_len = (size_t)k - pad;
    return out;
}

static void copy_unescaped(char *dst, size_t cap, const char *s, size_t n)
{
    size_t k;
    unsigned char *u = unescape_new(s, n, &k);
    assert_true(k < cap);
    memcpy(dst, u, k);
    dst[k] = 0;
    free(u);
}

/* Parses one line; fails the test when it is not a flat object of strings and integers. */
static void dl_parse_line(const char *p, size_t len, dl_entry *e)
{
    const char *end = p + len;
    memset(e, 0, sizeof *e);
    e->last_status = -1;
    e->attempts = -1;
    assert_true(len >= 2);
    assert_int_equal(*p, '{');
    assert_int_equal(end[-1], '}');
    p++;
    end--;
    while (p < end) {
        const char *k, *ke, *v, *ve;
        assert_int_equal(*p, '"');
        k = p + 1;
        ke = json_string_end(k, end);
        assert_non_null(ke);
        p = ke + 1;
        assert_int_equal(*p, ':');
        p++;
        if (*p == '"') {
            v = p + 1;
            ve = json_string_end(v, end);
            assert_non_null(ve);
            p = ve + 1;
#define KEY(name) ((size_t)(ke - k) == sizeof(name) - 1 && memcmp(k, name, sizeof(name) - 1) == 0)
            if (KEY("id"))
                copy_unescaped(e->id, sizeof e->id, v, (size_t)(ve - v));
            else if (KEY("event"))
                copy_unescaped(e->event, sizeof e->event, v, (size_t)(ve - v));
            else if (KEY("format"))
                copy_unescaped(e->format, sizeof e->format, v, (size_t)(ve - v));
            else if (KEY("result"))
                copy_unescaped(e->result, sizeof e->result, v, (size_t)(ve - v));
            else if (KEY("body")) {
                assert_false(e->has_body || e->has_body_base64);
                e->has_body = true;
                e->body = unescape_new(v, (size_t)(ve - v), &e->body_len);
            } else if (KEY("body_base64")) {
                assert_false(e->has_body || e->has_body_base64);
                e->has_body_base64 = true;
                e->body = base64_decode_new(v, (size_t)(ve - v), &e->body_len);
            } else if (KEY("time"))
                e->has_time = ve - v == 20; /* YYYY-MM-DDTHH:MM:SSZ */
            else if (KEY("error"))
                e->has_error = true;
        } else {
            long val = 0;
            bool neg = false;
            if (*p == '-') {
                neg = true;
                p++;
            }
            assert_true(*p >= '0' && *p <= '9');
            while (p < end && *p >= '0' && *p <= '9')
                val = val * 10 + (*p++ - '0');
            if (neg)
                val = -val;
            if (KEY("last_status"))
                e->last_status = val;
            else if (KEY("attempts"))
                e->attempts = val;
#undef KEY
        }
        if (p < end) {
            assert_int_equal(*p, ',');
            p++;
        }
    }
}

/* Reads the whole dead-letter file into entries; returns their number. */
static size_t dl_read(const char *path, dl_entry **out)
{
    FILE *f = fopen(path, "rb");
    char *data = NULL;
    size_t cap = 0, len = 0, n = 0, lines = 0;
    dl_entry *es;
    assert_non_null(f);
    for (;;) {
        size_t r;
        if (len + 65536 > cap) {
            cap = cap ? cap * 2 : 65536;
            data = realloc(data, cap);
            assert_non_null(data);
        }
        r = fread(data + len, 1, cap - len, f);
        len += r;
        if (r == 0)
            break;
    }
    fclose(f);
    for (size_t i = 0; i < len; i++)
        lines += data[i] == '\n';
    if (len)
        assert_int_equal(data[len - 1], '\n'); /* whole lines only */
    es = calloc(lines ? lines : 1, sizeof *es);
    assert_non_null(es);
    for (size_t at = 0; at < len;) {
        const char *nl = memchr(data + at, '\n', len - at);
        assert_non_null(nl);
        dl_parse_line(data + at, (size_t)(nl - (data + at)), &es[n++]);
        at = (size_t)(nl - data) + 1;
    }
    free(data);
    *out = es;
    return n;
}

static void dl_free(dl_entry *es, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(es[i].body);
    free(es);
}

static const dl_entry *dl_find(const dl_entry *es, size_t n, const char *id, size_t *count)
{
    const dl_entry *found = NULL;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(es[i].id, id) == 0) {
            if (!found)
                found = &es[i];
            k++;
        }
    }
    *count = k;
    return found;
}

/* The runtime's reader (ugw_dead_letter_next()) gives back what the file
 * holds, as the test's own parser above reads it: writer and reader agree. */
static void dl_check_reader(const char *path, const dl_entry *es, size_t n)
{
    ugw_read_error err;
    ugw_dead_letter dl;
    ugw_dead_letter_reader *r = ugw_dead_letter_open(path, 0, &err);
    assert_non_null(r);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(ugw_dead_letter_next(r, &dl, &err), 1);
        assert_int_equal(err.error.code, UGW_OK);
        assert_int_equal(dl.line, i + 1);
        assert_string_equal(dl.id, es[i].id);
        assert_string_equal(dl.event, es[i].event);
        assert_string_equal(ugw_format_name(dl.format), es[i].format);
        assert_string_equal(dl.result, es[i].result);
        assert_int_equal(dl.last_status, es[i].last_status);
        assert_int_equal(dl.attempts, es[i].attempts);
        assert_int_equal(dl.body_len, es[i].body_len);
        if (dl.body_len)
            assert_memory_equal(dl.body, es[i].body, dl.body_len);
        assert_true(dl.time[0] != '\0');
    }
    assert_int_equal(ugw_dead_letter_next(r, &dl, &err), 0);
    ugw_dead_letter_close(r);
}

static off_t file_size(const char *path)
{
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    return st.st_size;
}

/* ------------------------------------------------------------------ */
/* All eleven events, both formats                                      */
/* ------------------------------------------------------------------ */

static void check_all_events(fx *t, ugw_format fmt, const char *secret)
{
    test_receiver *tr = start_rx(t, NULL);
    ugw_client_config cfg = base_cfg(t, tr_url(tr));
    char ids[UGW_EVENT_COUNT][UGW_WEBHOOK_ID_MAX];
    int marks[UGW_EVENT_COUNT];
    tr_request *rs;
    size_t n;
    ugw_client_stats stats;

    cfg.format = fmt;
    cfg.secret = secret;
    cfg.dead_letter_path = t->dl_path;
    start_client(t, &cfg);
    assert_int_equal(ugw_client_format(t->c), fmt);
    for (size_t i = 0; i < UGW_EVENT_COUNT; i++)
        assert_int_equal(enqueue_fixture(t->c, i, -1, &marks[i], ids[i]), UGW_OK);
    assert_int_equal(ugw_client_flush(t->c, 10000), UGW_OK);

    ugw_client_stats_get(t->c, &stats);
    assert_int_equal(stats.accepted, UGW_EVENT_COUNT);
    assert_int_equal(stats.delivered, UGW_EVENT_COUNT);
    assert_int_equal(stats.failed, 0);
    assert_int_equal(stats.retried, 0);
    assert_int_equal(stats.queued, 0);
    assert_int_equal(stats.in_flight, 0);

    rs = get_requests(tr, &n);
    assert_int_equal(n, UGW_EVENT_COUNT);
    for (size_t i = 0; i < UGW_EVENT_COUNT; i++) {
        const tr_request *r = NULL;
        size_t len, k;
        unsigned char *want = encode_new(fixture_at(i), fmt, &len);
        const rec *o;
        int64_t now = (int64_t)time(NULL), ts;
        for (size_t q = 0; q < n; q++)
            if (rs[q].webhook_id && strcmp(rs[q].webhook_id, ids[i]) == 0)
                r = &rs[q];
        assert_non_null(r);
        assert_string_equal(r->method, "POST");
        assert_string_equal(r->path, "/hook");
        /* the exact bytes of the encoder */
        assert_false(r->body_truncated);
        assert_int_equal(r->body_len, len);
        assert_memory_equal(r->body, want, len);
        assert_non_null(r->content_type);
        assert_string_equal(r->content_type, fmt == UGW_FORMAT_JSON ? "application/json" : "application/msgpack");
        assert_non_null(r->user_agent);
        assert_string_equal(r->user_agent, "ugw/" UGW_VERSION_STRING);
        ts = parse_ts(r->webhook_timestamp);
        assert_true(ts >= now - 5 && ts <= now + 1);
        assert_int_equal(strlen(r->webhook_id), UGW_WEBHOOK_ID_LEN);
        if (secret) {
            ugw_secret other;
            assert_signed(r, secret);
            /* a wrong key does not verify: the check above can fail */
            assert_int_equal(ugw_secret_parse(OTHER_SECRET, strlen(OTHER_SECRET), &other, NULL), UGW_OK);
            assert_int_equal(ugw_webhook_verify(&other, r->webhook_id, r->webhook_timestamp, r->webhook_signature,
                                                r->body, r->body_len, now, 30, NULL),
                             UGW_ERR_SIGNATURE);
        } else {
            assert_null(r->webhook_signature);
        }
        assert_int_equal(tr_count_2xx_for_id(tr, ids[i]), 1);
        /* the callback */
        o = col_find(&t->col, ids[i], &k);
        assert_non_null(o);
        assert_int_equal(k, 1);
        assert_int_equal(o->result, UGW_RESULT_DELIVERED);
        assert_int_equal(o->http_status, 204);
        assert_int_equal(o->curl_code, 0);
        assert_int_equal(o->attempts, 1);
        assert_false(o->endpoint_gone);
        assert_ptr_equal(o->user, &marks[i]);
        assert_int_equal(o->format, fmt);
        assert_string_equal(o->event, ugw_event_wire_name(fixture_at(i)->type));
        free(want);
    }
    free_requests(rs, n);
    assert_int_equal(col_count(&t->col), UGW_EVENT_COUNT);
    /* nothing left: close reports nothing handed back, no dead letter */
    assert_int_equal(close_client(t, -1), UGW_OK);
    assert_int_equal(col_count(&t->col), UGW_EVENT_COUNT);
    assert_int_equal(file_size(t->dl_path), 0);
}

static void test_all_events_json_signed(void **state)
{
    check_all_events(*state, UGW_FORMAT_JSON, SECRET);
}

static void test_all_events_msgpack_signed(void **state)
{
    check_all_events(*state, UGW_FORMAT_MSGPACK, SECRET);
}

static void test_all_events_json_unsigned(void **state)
{
    check_all_events(*state, UGW_FORMAT_JSON, NULL);
}

static void test_all_events_msgpack_unsigned(void **state)
{
    check_all_events(*state, UGW_FORMAT_MSGPACK, NULL);
}

/* A secret without the whsec_ prefix signs the same way. */
static void test_secret_without_prefix(void **state)
{
    fx *t = *state;
    test_receiver *tr = start_rx(t, NULL);
    ugw_client_config cfg = base_cfg(t, tr_url(tr));
    ugw_outcome out;
    tr_request r;
    cfg.secret = &SECRET[6]; /* without "whsec_" */
    start_client(t, &cfg);
    assert_int_equal(ugw_client_send(t->c, fixture_at(3), &out, NULL), UGW_OK);
    assert_int_equal(tr_count(tr), 1);
    assert_true(tr_get(tr, 0, &r));
    assert_signed(&r, SECRET);
    tr_request_free(&r);
}

/* ------------------------------------------------------------------ */
/* Retry rules                                                           */
/* ------------------------------------------------------------------ */

/* send() one fixture through a receiver answering `script` then 204. */
static ugw_status send_scripted(fx *t, const tr_action *script, size_t n, ugw_client_config *cfg_io,
                                ugw_outcome *out)
{
    tr_config rc;
    test_receiver *tr;
    ugw_client_config cfg;
    ugw_error err;
    ugw_status st;
    memset(&rc, 0, sizeof rc);
    rc.script = script;
    rc.script_len = n;
    tr = start_rx(t, &rc);
    cfg = cfg_io ? *cfg_io : base_cfg(t, NULL);
    cfg.url = tr_url(tr);
    start_client(t, &cfg);
    memset(out, 0, sizeof *out);
    st = ugw_client_send(t->c, fixture_at(0), out, &err);
    if (st != UGW_OK) {
        assert_int_equal(err.code, st);
    }
    return st;
}

/* Every request of the receiver carries the same webhook-id as the outcome. */
static void assert_same_id(test_receiver *tr, const char *id, size_t expect_n)
{
    size_t n;
    tr_request *rs = get_requests(tr, &n);
    assert_int_equal(n, expect_n);
    for (size_t i = 0; i < n; i++) {
        assert_non_null(rs[i].webhook_id);
        assert_string_equal(rs[i].webhook_id, id);
    }
    free_requests(rs, n);
}

static void test_retry_500(void **state)
{
    fx *t = *state;
    const tr_action script[] = { { .status = 500 }, { .status = 500 } };
    ugw_outcome out;
    tr_request a, b;
    assert_int_equal(send_scripted(t, script, 2, NULL, &out), UGW_OK);
    assert_int_equal(out.result, UGW_RESULT_DELIVERED);
    assert_int_equal(out.attempts, 3);
    assert_int_equal(out.http_status, 204);
    assert_null(out.body);
    assert_same_id(t->tr, out.id, 3);
    /* the backoff of 20 ms, then 40 ms, was waited */
    assert_true(tr_get(t->tr, 0, &a));
    assert_true(tr_get(t->tr, 1, &b));
    print_message("500 then backoff 20 ms -> next attempt after %lld ms\n", (long long)gap_ms(&a, &b));
    assert_true(gap_ms(&a, &b) >= 15);
    assert_true(gap_ms(&a, &b) < 500); /* and not much more */
    assert_int_equal(a.status, 500);
    tr_request_free(&a);
    tr_request_free(&b);
    assert_int_equal(col_count(&t->col), 1); /* the callback is called for send() too */
    {
        ugw_client_stats s;
        ugw_client_stats_get(t->c, &s);
        assert_int_equal(s.retried, 2);
        assert_int_equal(s.delivered, 1);
    }
}

static void test_retry_503_retry_after_seconds(void **state)
{
    fx *t = *state;
    const tr_action script[] = { { .status = 503, .retry_after = "1" } };
    ugw_outcome out;
    tr_request a, b;
    assert_int_equal(send_scripted(t, script, 1, NULL, &out), UGW_OK);
    assert_int_equal(out.result, UGW_RESULT_DELIVERED);
    assert_int_equal(out.attempts, 2);
    assert_same_id(t->tr, out.id, 2);
    assert_true(tr_get(t->tr, 0, &a));
    assert_true(tr_get(t->tr, 1, &b));
    /* Retry-After: 1 over a backoff of 20 ms */
    print_message("503 Retry-After: 1 -> next attempt after %lld ms\n", (long long)gap_ms(&a, &b));
    assert_true(gap_ms(&a, &b) >= 950);
    assert_true(gap_ms(&a, &b) < 3000);
    tr_request_free(&a);
    tr_request_free(&b);
}

/* 429 with an HTTP-date two seconds after the moment of answering. */
typedef struct date_ctx {
    char date[64];
} date_ctx;

static tr_action decide_429_date(const tr_request_info *req, unsigned attempt_no, void *ctx)
{
    date_ctx *d = ctx;
    tr_action a = { 0 };
    (void)req;
    if (attempt_no == 1) {
        time_t when = time(NULL) + 2;
        struct tm tm;
        gmtime_r(&when, &tm);
        strftime(d->date, sizeof d->date, "%a, %d %b %Y %H:%M:%S GMT", &tm);
        a.status = 429;
        a.retry_after = d->date;
    }
    return a;
}

static void test_retry_429_http_date(void **state)
{
    fx *t = *state;
    date_ctx d;
    tr_config rc;
    test_receiver *tr;
    ugw_client_config cfg;
    ugw_outcome out;
    tr_request a, b;
    memset(&d, 0, sizeof d);
    memset(&rc, 0, sizeof rc);
    rc.decide = decide_429_date;
    rc.decide_ctx = &d;
    tr = start_rx(t, &rc);
    cfg = base_cfg(t, tr_url(tr));
    start_client(t, &cfg);
    assert_int_equal(ugw_client_send(t->c, fixture_at(1), &out, NULL), UGW_OK);
    assert_int_equal(out.result, UGW_RESULT_DELIVERED);
    assert_int_equal(out.attempts, 2);
    assert_same_id(tr, out.id, 2);
    assert_true(tr_get(tr, 0, &a));
    assert_true(tr_get(tr, 1, &b));
    assert_int_equal(a.status, 429);
    print_message("429 Retry-After: <date +2 s> -> next attempt after %lld ms\n", (long long)gap_ms(&a, &b));
    /* the date has 1 s resolution: at least ~1 s of the 2 s is left */
    assert_true(gap_ms(&a, &b) >= 900);
    assert_true(gap_ms(&a, &b) < 3500);
    tr_request_free(&a);
    tr_request_free(&b);
}

static void test_retry_408(void **state)
{
    fx *t = *state;
    const tr_action script[] = { { .status = 408 } };
    ugw_outcome out;
    assert_int_equal(send_scripted(t, script, 1, NULL, &out), UGW_OK);
    assert_int_equal(out.result, UGW_RESULT_DELIVERED);
    assert_int_equal(out.attempts, 2);
    assert_same_id(t->tr, out.id, 2);
}

/* 5xx other than 500/503, and 429 without Retry-After, are retried too. */
static void test_retry_other_5xx_and_429(void **state)
{
    fx *t = *state;
    const tr_action script[] = { { .status = 502 }, { .status = 504 }, { .status = 429 }, { .status = 599 } };
    ugw_client_config cfg = base_cfg(t, NULL);
    ugw_outcome out;
    cfg.max_attempts = 10;
    assert_int_equal(send_scripted(t, script, 4, &cfg, &out), UGW_OK);
    assert_int_equal(out.result, UGW_RESULT_DELIVERED);
    assert_int_equal(out.attempts, 5);
    assert_same_id(t->tr, out.id, 5);
}

/* Retry-After counts on 429 and 503 only; an unreadable one falls back to
 * the backoff. */
static void test_retry_after_only_on_429_503(void **state)
{
    fx *t = *state;
    const tr_action script[] = { { .status = 500, .retry_after = "3" }, { .status = 503, .retry_after = "soon" },
                                 { .status = 429, .retry_after = "-1" } };
    ugw_outcome out;
    int64_t t0 = now_ms();
    assert_int_equal(send_scripted(t, script, 3, NULL, &out), UGW_OK);
    assert_int_equal(out.attempts, 4);
    assert_true(now_ms() - t0 < 1500);
}

/* A URL libcurl cannot parse fails at once as "config", without retries. */
static void test_malformed_url_is_config(void **state)
{
    fx *t = *state;
    ugw_client_config cfg = base_cfg(t, "http://[::1/hook");
    ugw_outcome out;
    start_client(t, &cfg);
    assert_int_equal(ugw_client_send(t->c, fixture_at(0), &out, NULL), UGW_ERR_DELIVERY);
    assert_int_equal(out.result, UGW_RESULT_CONFIG);
    assert_int_equal(out.attempts, 1);
    assert_int_equal(out.curl_code, CURLE_URL_MALFORMAT);
    assert_int_equal(out.http_status, 0);
}

static void test_no_retry_404(void **state)
{
    fx *t = *state;
    const tr_action script[] = { { .status = 404 } };
    ugw_outcome out;
    assert_int_equal(send_scripted(t, script, 1, NULL, &out), UGW_ERR_DELIVERY);
    assert_int_equal(out.result, UGW_RESULT_REJECTED);
    assert_int_equal(out.attempts, 1);
    assert_int_equal(out.http_status, 404);
    assert_int_equal(out.curl_code, 0);
    assert_false(out.endpoint_gone);
    sleep_ms(200); /* a retry after 20 ms would show */
    assert_same_id(t->tr, out.id, 1);
    assert_false(ugw_client_endpoint_gone(t->c));
}

/* Other 4xx fail at once as well. */
static void test_no_retry_other_4xx(void **state)
{
    fx *t = *state;
    static const int codes[] = { 400, 401, 403, 405, 409, 413, 422, 451 };
    tr_config rc;
    test_receiver *tr;
    ugw_client_config cfg;
    tr_action script[sizeof codes / sizeof codes[0]];
    memset(&rc, 0, sizeof rc);
    memset(script, 0, sizeof script);
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++)
        script[i].status = codes[i];
    rc.script = script;
    rc.script_len = sizeof codes / sizeof codes[0];
    tr = start_rx(t, &rc);
    cfg = base_cfg(t, tr_url(tr));
    cfg.max_in_flight = 1; /* one after the other, so the script order is the event order */
    start_client(t, &cfg);
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
        ugw_outcome out;
        assert_int_equal(ugw_client_send(t->c, fixture_at(i), &out, NULL), UGW_ERR_DELIVERY);
        assert_int_equal(out.result, UGW_RESULT_REJECTED);
        assert_int_equal(out.http_status, codes[i]);
        assert_int_equal(out.attempts, 1);
    }
    sleep_ms(100);
    assert_int_equal(tr_count(tr), sizeof codes / sizeof codes[0]);
}

static void test_no_redirect_3xx(void **state)
{
    fx *t = *state;
    static const int codes[] = { 301, 302, 303, 307, 308 };
    const size_t nc = sizeof codes / sizeof codes[0];
    tr_config rc;
    test_receiver *tr;
    ugw_client_config cfg;
    tr_action script[sizeof codes / sizeof codes[0]];
    tr_request *rs;
    size_t n;
    memset(&rc, 0, sizeof rc);
    memset(script, 0, sizeof script);
    for (size_t i = 0; i < nc; i++) {
        script[i].status = codes[i];
        script[i].location = "/moved";
    }
    rc.script = script;
    rc.script_len = nc;
    tr = start_rx(t, &rc);
    cfg = base_cfg(t, tr_url(tr));
    cfg.max_in_flight = 1;
    start_client(t, &cfg);
    for (size_t i = 0; i < nc; i++) {
        ugw_outcome out;
        assert_int_equal(ugw_client_send(t->c, fixture_at(i), &out, NULL), UGW_ERR_DELIVERY);
        assert_int_equal(out.result, UGW_RESULT_REJECTED);
        assert_int_equal(out.http_status, codes[i]);
        assert_int_equal(out.attempts, 1);
    }
    sleep_ms(100);
    rs = get_requests(tr, &n);
    assert_int_equal(n, nc); /* one request per event, none to /moved */
    for (size_t i = 0; i < n; i++) {
        assert_string_equal(rs[i].path, "/hook");
        assert_string_equal(rs[i].method, "POST");
    }
    free_requests(rs, n);
}

static tr_action decide_410_slow(const tr_request_info *req, unsigned attempt_no, void *ctx)
{
    tr_action a = { .status = 410, .delay_ms = 300 };
    (void)req;
    (void)attempt_no;
    (void)ctx;
    return a;
}

static void test_gone_410(void **state)
{
    fx *t = *state;
    tr_config rc;
    test_receiver *tr;
    ugw_client_config cfg;
    char ids[5][UGW_WEBHOOK_ID_MAX], id[UGW_WEBHOOK_ID_MAX];
    ugw_error err;
    ugw_outcome out;
    dl_entry *es;
    size_t n;
    memset(&rc, 0, sizeof rc);
    rc.decide = decide_410_slow;
    tr = start_rx(t, &rc);
    cfg = base_cfg(t, tr_url(tr));
    cfg.max_in_flight = 1; /* the first is on the wire, four wait in the queue */
    cfg.dead_letter_path = t->dl_path;
    start_client(t, &cfg);
    for (size_t i = 0; i < 5; i++)
        assert_int_equal(enqueue_fixture(t->c, i, 0, NULL, ids[i]), UGW_OK);
    assert_int_equal(ugw_client_flush(t->c, 5000), UGW_OK);
    assert_true(ugw_client_endpoint_gone(t->c));
    assert_int_equal(col_count(&t->col), 5);
    for (size_t i = 0; i < 5; i++) {
        size_t k;
        const rec *o = col_find(&t->col, ids[i], &k);
        assert_non_null(o);
        assert_int_equal(k, 1);
        assert_int_equal(o->result, UGW_RESULT_GONE);
        assert_true(o->endpoint_gone);
        if (i == 0) {
            assert_int_equal(o->http_status, 410);
            assert_int_equal(o->attempts, 1);
        } else {
            assert_int_equal(o->attempts, 0); /* handed back without a request */
        }
    }
    assert_int_equal(tr_count(tr), 1);
    /* new events are refused */
    assert_int_equal(ugw_client_enqueue(t->c, fixture_at(0), 0, NULL, id, &err), UGW_ERR_CLOSED);
    assert_int_equal(err.code, UGW_ERR_CLOSED);
    assert_int_equal(ugw_client_send(t->c, fixture_at(0), &out, &err), UGW_ERR_CLOSED);
    assert_int_equal(col_count(&t->col), 5);
    /* all five are dead letters, result gone */
    n = dl_read(t->dl_path, &es);
    assert_int_equal(n, 5);
    for (size_t i = 0; i < 5; i++) {
        size_t k;
        const dl_entry *e = dl_find(es, n, ids[i], &k);
        assert_int_equal(k, 1);
        assert_string_equal(e->result, "gone");
    }
    dl_free(es, n);
    {
        ugw_client_stats s;
        ugw_client_stats_get(t->c, &s);
        assert_int_equal(s.accepted, 5);
        assert_int_equal(s.failed, 5);
        assert_int_equal(s.queued, 0);
        assert_int_equal(s.in_flight, 0);
    }
    assert_int_equal(close_client(t, -1), UGW_OK);
}

static void test_connection_refused(void **state)
{
    fx *t = *state;
    char url[64];
    int port = tr_refused_port();
    ugw_client_config cfg;
    ugw_outcome out;
    ugw_error err;
    assert_true(port > 0);
    snprintf(url, sizeof url, "http://127.0.0.1:%d/hook", port);
    cfg = base_cfg(t, url);
    cfg.max_attempts = 3;
    start_client(t, &cfg);
    assert_int_equal(ugw_client_send(t->c, fixture_at(2), &out, &err), UGW_ERR_DELIVERY);
    assert_int_equal(err.code, UGW_ERR_DELIVERY);
    assert_int_equal(out.result, UGW_RESULT_ATTEMPTS);
    assert_int_equal(out.attempts, 3);
    assert_int_equal(out.curl_code, CURLE_COULDNT_CONNECT);
    assert_int_equal(out.http_status, 0);
    {
        ugw_client_stats s;
        ugw_client_stats_get(t->c, &s);
        assert_int_equal(s.retried, 2);
        assert_int_equal(s.failed, 1);
    }
}

static void test_reset_mid_response(void **state)
{
    fx *t = *state;
    const tr_action script[] = { { .kind = TR_RESET } };
    ugw_outcome out;
    tr_request a;
    assert_int_equal(send_scripted(t, script, 1, NULL, &out), UGW_OK);
    assert_int_equal(out.result, UGW_RESULT_DELIVERED);
    assert_int_equal(out.attempts, 2);
    assert_int_equal(out.http_status, 204);
    assert_same_id(t->tr, out.id, 2);
    assert_true(tr_get(t->tr, 0, &a));
    assert_int_equal(a.kind, TR_RESET);
    tr_request_free(&a);
}

static void test_timeout_then_delivered(void **state)
{
    fx *t = *state;
    const tr_action script[] = { { .delay_ms = 800 } };
    ugw_client_config cfg = base_cfg(t, NULL);
    ugw_outcome out;
    int64_t t0 = now_ms();
    cfg.timeout_ms = 200;
    assert_int_equal(send_scripted(t, script, 1, &cfg, &out), UGW_OK);
    assert_int_equal(out.result, UGW_RESULT_DELIVERED);
    assert_int_equal(out.attempts, 2);
    assert_same_id(t->tr, out.id, 2);
    {
        tr_request a, b;
        assert_true(tr_get(t->tr, 0, &a));
        assert_true(tr_get(t->tr, 1, &b));
        print_message("timeout 200 ms: second attempt after %lld ms, send took %lld ms\n", (long long)gap_ms(&a, &b),
                      (long long)(now_ms() - t0));
        tr_request_free(&a);
        tr_request_free(&b);
    }
    assert_true(now_ms() - t0 < 800); /* the slow answer was not waited for */
}

static void test_timeout_exhausts_attempts(void **state)
{
    fx *t = *state;
    tr_config rc;
    test_receiver *tr;
    ugw_client_config cfg;
    ugw_outcome out;
    memset(&rc, 0, sizeof rc);
    rc.default_action.delay_ms = 1000;
    tr = start_rx(t, &rc);
    cfg = base_cfg(t, tr_url(tr));
    cfg.timeout_ms = 200;
    cfg.max_attempts = 2;
    start_client(t, &cfg);
    assert_int_equal(ugw_client_send(t->c, fixture_at(4), &out, NULL), UGW_ERR_DELIVERY);
    assert_int_equal(out.result, UGW_RESULT_ATTEMPTS);
    assert_int_equal(out.attempts, 2);
    assert_int_equal(out.curl_code, CURLE_OPERATION_TIMEDOUT);
    assert_int_equal(out.http_status, 0);
    assert_same_id(tr, out.id, 2);
}

/* A retry waiting for its backoff frees its connection at once: the next
 * queued event starts right away, not when the loop next wakes up. */
static void test_retry_frees_slot_for_next(void **state)
{
    fx *t = *state;
    const tr_action script[] = { { .status = 500 } };
    tr_config rc;
    test_receiver *tr;
    ugw_client_config cfg;
    char a_id[UGW_WEBHOOK_ID_MAX], b_id[UGW_WEBHOOK_ID_MAX];
    tr_request a, b;
    memset(&rc, 0, sizeof rc);
    rc.script = script;
    rc.script_len = 1;
    tr = start_rx(t, &rc);
    cfg = base_cfg(t, tr_url(tr));
    cfg.max_in_flight = 1;
    cfg.backoff_base_ms = 3000;
    start_client(t, &cfg);
    assert_int_equal(enqueue_fixture(t->c, 0, 0, NULL, a_id), UGW_OK);
    assert_int_equal(enqueue_fixture(t->c, 1, 0, NULL, b_id), UGW_OK);
    assert_true(tr_wait_count(tr, 2, 5000));
    assert_true(tr_get(tr, 0, &a));
    assert_true(tr_get(tr, 1, &b));
    assert_string_equal(a.webhook_id, a_id);
    assert_string_equal(b.webhook_id, b_id);
    print_message("the next event started %lld ms after the 500\n", (long long)gap_ms(&a, &b));
    assert_true(gap_ms(&a, &b) < 300);
    tr_request_free(&a);
    tr_request_free(&b);
}

/* A due retry goes ahead of the backlog: with one connection, A fails,
 * B is sent while A waits 20 ms, then A comes before C and D. */
static void test_due_retry_before_backlog(void **state)
{
    fx *t = *state;
    const tr_action script[] = { { .status = 500 }, { .status = 204, .delay_ms = 150 } };
    tr_config rc;
    test_receiver *tr;
    ugw_client_config cfg;
    char ids[4][UGW_WEBHOOK_ID_MAX];
    const int want[5] = { 0, 1, 0, 2, 3 };
    memset(&rc, 0, sizeof rc);
    rc.script = script;
    rc.script_len = 2;
    tr = start_rx(t, &rc);
    cfg = base_cfg(t, tr_url(tr));
    cfg.max_in_flight = 1;
    cfg.backoff_base_ms = 20;
    start_client(t, &cfg);
    for (size_t i = 0; i < 4; i++)
        assert_int_equal(enqueue_fixture(t->c, i, 0, NULL, ids[i]), UGW_OK);
    assert_int_equal(ugw_client_flush(t->c, 10000), UGW_OK);
    assert_int_equal(tr_count(tr), 5);
    for (size_t i = 0; i < 5; i++) {
        tr_request r;
        assert_true(tr_get(tr, i, &r));
        if (strcmp(r.webhook_id, ids[want[i]]) != 0)
            fail_msg("request %zu: want event %d", i, want[i]);
        tr_request_free(&r);
    }
}

/* ------------------------------------------------------------------ */
/* Ids and timestamps across retries                                    */
/* ------------------------------------------------------------------ */

static void test_id_stable_timestamp_per_attempt(void **state)
{
    fx *t = *state;
    /* two Retry-After: 1 answers: the third attempt is >= 2 s after the first */
    const tr_action script[] = { { .status = 503, .retry_after = "1" }, { .status = 503, .retry_after = "1" } };
    ugw_client_config cfg = base_cfg(t, NULL);
    ugw_outcome out;
    tr_request *rs;
    size_t n;
    ugw_secret key;
    cfg.secret = SECRET;
    assert_int_equal(send_scripted(t, script, 2, &cfg, &out), UGW_OK);
    assert_int_equal(out.attempts, 3);
    rs = get_requests(t->tr, &n);
    assert_int_equal(n, 3);
    for (size_t i = 0; i < n; i++) {
        int64_t ts = parse_ts(rs[i].webhook_timestamp);
        assert_string_equal(rs[i].webhook_id, out.id);
        assert_signed(&rs[i], SECRET);
        /* the timestamp is this attempt's: within a second of its arrival */
        assert_true(ts >= (int64_t)rs[i].received.tv_sec - 1 && ts <= (int64_t)rs[i].received.tv_sec);
        assert_memory_equal(rs[i].body, rs[0].body, rs[0].body_len);
    }
    assert_true(parse_ts(rs[2].webhook_timestamp) > parse_ts(rs[0].webhook_timestamp));
    /* the last signature does not verify with the first attempt's timestamp */
    assert_int_equal(ugw_secret_parse(SECRET, strlen(SECRET), &key, NULL), UGW_OK);
    assert_int_equal(ugw_webhook_verify(&key, rs[2].webhook_id, rs[0].webhook_timestamp, rs[2].webhook_signature,
                                        rs[2].body, rs[2].body_len, (int64_t)time(NULL), 30, NULL),
                     UGW_ERR_SIGNATURE);
    free_requests(rs, n);
}

/* ------------------------------------------------------------------ */
/* Maximum age                                                           */
/* ------------------------------------------------------------------ */

static void test_max_age_expires(void **state)
{
    fx *t = *state;
    tr_config rc;
    test_receiver *tr;
    ugw_client_config cfg;
    ugw_outcome out;
    int64_t t0;
    memset(&rc, 0, sizeof rc);
    rc.default_action.status = 500;
    tr = start_rx(t, &rc);
    cfg = base_cfg(t, tr_url(tr));
    cfg.backoff_base_ms = 50;
    cfg.backoff_max_ms = 10000;
    cfg.max_attempts = 100;
    cfg.max_age_ms = 300;
    start_client(t, &cfg);
    t0 = now_ms();
    assert_int_equal(ugw_client_send(t->c, fixture_at(5), &out, NULL), UGW_ERR_DELIVERY);
    assert_int_equal(out.result, UGW_RESULT_EXPIRED);
    assert_int_equal(out.http_status, 500);
    /* attempts at ~0, 50, 150 ms; the next (350 ms) is past the age */
    assert_true(out.attempts >= 2 && out.attempts <= 5);
    assert_int_equal(tr_count(tr), out.attempts);
    assert_true(now_ms() - t0 < 1500);
}

static void test_retry_after_beyond_max_age(void **state)
{
    fx *t = *state;
    const tr_action script[] = { { .status = 503, .retry_after = "10" } };
    ugw_client_config cfg = base_cfg(t, NULL);
    ugw_outcome out;
    int64_t t0 = now_ms();
    cfg.max_age_ms = 2000;
    assert_int_equal(send_scripted(t, script, 1, &cfg, &out), UGW_ERR_DELIVERY);
    assert_int_equal(out.result, UGW_RESULT_EXPIRED);
    assert_int_equal(out.attempts, 1);
    assert_int_equal(out.http_status, 503);
    assert_true(now_ms() - t0 < 1000); /* not waited */
    assert_int_equal(tr_count(t->tr), 1);
}

/* ------------------------------------------------------------------ */
/* Soak                                                                  */
/* ------------------------------------------------------------------ */

static int cmp_id(const void *a, const void *b)
{
    return strcmp((const char *)a, (const char *)b);
}

static int cmp_rec(const void *a, const void *b)
{
    return strcmp(((const rec *)a)->id, ((const rec *)b)->id);
}

static size_t soak_events(void)
{
    const char *v = getenv("UGW_SOAK_EVENTS");
    uint64_t n;
    if (v && *v && ugw_parse_u64(v, strlen(v), &n) && n > 0 && n <= 10000000)
        return (size_t)n;
    return 20000;
}

static void test_soak(void **state)
{
    fx *t = *state;
    const size_t N = soak_events();
    tr_config rc;
    test_receiver *tr;
    ugw_client_config cfg;
    char (*ids)[UGW_WEBHOOK_ID_MAX] = calloc(N, sizeof *ids);
    ugw_client_stats s;
    size_t failed = 0, delivered = 0, requests;
    uint64_t attempts_sum = 0;
    int64_t t0, t1;

    assert_non_null(ids);
    memset(&rc, 0, sizeof rc);
    rc.random_mode = true;
    rc.seed = 20240611;
    rc.failure_ratio = 0.3;
    tr = start_rx(t, &rc);
    cfg = base_cfg(t, tr_url(tr));
    cfg.secret = SECRET;
    cfg.max_in_flight = 8;
    cfg.max_attempts = 20;
    cfg.backoff_base_ms = 10;
    cfg.backoff_max_ms = 100;
    cfg.jitter = 0.5;
    cfg.queue_capacity = 1024;
    cfg.dead_letter_path = t->dl_path;
    start_client(t, &cfg);

    t0 = now_ms();
    for (size_t i = 0; i < N; i++) {
        ugw_status st = enqueue_fixture(t->c, i, -1, NULL, ids[i]);
        if (st != UGW_OK)
            fail_msg("enqueue %zu: %s", i, ugw_status_name(st));
    }
    assert_int_equal(ugw_client_flush(t->c, 300000), UGW_OK);
    t1 = now_ms();
    requests = tr_count(tr);
    print_message("soak: %zu events, %zu requests in %.2f s: %.0f events/s, %.0f requests/s\n", N, requests,
                  (double)(t1 - t0) / 1000.0, (double)N * 1000.0 / (double)(t1 - t0 ? t1 - t0 : 1),
                  (double)requests * 1000.0 / (double)(t1 - t0 ? t1 - t0 : 1));

    ugw_client_stats_get(t->c, &s);
    assert_int_equal(s.accepted, N);
    assert_int_equal(s.delivered + s.failed, s.accepted);
    assert_int_equal(s.queued, 0);
    assert_int_equal(s.in_flight, 0);
    /* every attempt reached the receiver: first attempts plus retries */
    assert_int_equal(requests, N + s.retried);

    /* each id reported exactly once, none missing, none extra */
    assert_false(t->col.oom);
    assert_int_equal(col_count(&t->col), N);
    qsort(ids, N, sizeof *ids, cmp_id);
    qsort(t->col.recs, t->col.n, sizeof *t->col.recs, cmp_rec);
    for (size_t i = 0; i < N; i++) {
        const rec *o = &t->col.recs[i];
        if (i > 0)
            assert_true(strcmp(ids[i - 1], ids[i]) < 0); /* ids are unique */
        assert_string_equal(o->id, ids[i]);
        attempts_sum += o->attempts;
        assert_int_equal(tr_attempts_for_id(tr, ids[i]), o->attempts);
        if (o->result == UGW_RESULT_DELIVERED) {
            delivered++;
            assert_true(tr_count_2xx_for_id(tr, ids[i]) >= 1);
        } else {
            failed++;
        }
        /* received with a 2xx at least once, or reported failed */
        assert_true(tr_count_2xx_for_id(tr, ids[i]) >= 1 || o->result != UGW_RESULT_DELIVERED);
    }
    assert_int_equal(attempts_sum, requests);
    assert_int_equal(tr_distinct_ids(tr), N);
    assert_int_equal(delivered, s.delivered);
    assert_int_equal(failed, s.failed);
    /* 20 attempts at 30 % failures: losing one is ~1e-11 per event */
    assert_int_equal(failed, 0);
    print_message("soak: delivered %zu, failed %zu, retried %llu\n", delivered, failed,
                  (unsigned long long)s.retried);
    assert_int_equal(file_size(t->dl_path), 0);
    free(ids);
    assert_int_equal(close_client(t, -1), UGW_OK);
}

/* ------------------------------------------------------------------ */
/* Close with a backlog, dead letters                                   */
/* ------------------------------------------------------------------ */

static void test_close_backlog(void **state)
{
    fx *t = *state;
    enum { N = 100 };
    tr_config rc;
    test_receiver *tr;
    ugw_client_config cfg;
    char (*ids)[UGW_WEBHOOK_ID_MAX] = calloc(N, sizeof *ids);
    dl_entry *es;
    size_t n, delivered = 0;
    int64_t t0;

    assert_non_null(ids);
    memset(&rc, 0, sizeof rc);
    rc.default_action.delay_ms = 2000;
    tr = start_rx(t, &rc);
    cfg = base_cfg(t, tr_url(tr));
    cfg.dead_letter_path = t->dl_path;
    cfg.secret = SECRET;
    start_client(t, &cfg);
    for (size_t i = 0; i < N; i++)
        assert_int_equal(enqueue_fixture(t->c, i, 0, NULL, ids[i]), UGW_OK);
    t0 = now_ms();
    assert_int_equal(close_client(t, 0), UGW_ERR_TIMEOUT);
    assert_true(now_ms() - t0 < 1500); /* did not wait for the slow receiver */

    assert_int_equal(col_count(&t->col), N);
    n = dl_read(t->dl_path, &es);
    for (size_t i = 0; i < N; i++) {
        size_t k, len;
        const rec *o = col_find(&t->col, ids[i], &k);
        const dl_entry *e;
        unsigned char *want;
        assert_int_equal(k, 1);
        if (o->result == UGW_RESULT_DELIVERED) {
            delivered++;
            dl_find(es, n, ids[i], &k);
            assert_int_equal(k, 0);
            continue;
        }
        assert_int_equal(o->result, UGW_RESULT_CLOSED);
        assert_true(o->attempts <= 1);
        e = dl_find(es, n, ids[i], &k);
        assert_int_equal(k, 1);
        assert_string_equal(e->result, "closed");
        assert_string_equal(e->format, "json");
        assert_string_equal(e->event, ugw_event_wire_name(fixture_at(i)->type));
        assert_true(e->has_body);
        assert_false(e->has_body_base64);
        assert_true(e->has_time);
        assert_true(e->has_error);
        assert_int_equal(e->last_status, 0);
        assert_int_equal(e->attempts, (long)o->attempts);
        want = encode_new(fixture_at(i), UGW_FORMAT_JSON, &len);
        assert_int_equal(e->body_len, len);
        assert_memory_equal(e->body, want, len);
        free(want);
    }
    assert_int_equal(n, N - delivered);
    assert_int_equal(delivered, 0); /* every answer takes 2 s */
    dl_free(es, n);
    free(ids);
}

/* Index-ordered answers: 20 delivered, 10 rejected, the rest hang. */
static tr_action decide_mixed(const tr_request_info *req, unsigned attempt_no, void *ctx)
{
    tr_action a = { 0 };
    (void)attempt_no;
    (void)ctx;
    if (req->index < 20)
        a.status = 204;
    else if (req->index < 30)
        a.status = 404;
    else
        a.delay_ms = 5000;
    return a;
}

static void test_close_mixed_dead_letters(void **state)
{
    fx *t = *state;
    enum { N = 100 };
    tr_config rc;
    test_receiver *tr;
    ugw_client_config cfg;
    char (*ids)[UGW_WEBHOOK_ID_MAX] = calloc(N, sizeof *ids);
    dl_entry *es;
    size_t n, delivered = 0, rejected = 0, closed = 0;

    assert_non_null(ids);
    memset(&rc, 0, sizeof rc);
    rc.decide = decide_mixed;
    tr = start_rx(t, &rc);
    cfg = base_cfg(t, tr_url(tr));
    cfg.dead_letter_path = t->dl_path;
    cfg.max_in_flight = 4;
    start_client(t, &cfg);
    for (size_t i = 0; i < N; i++)
        assert_int_equal(enqueue_fixture(t->c, i, 0, NULL, ids[i]), UGW_OK);
    assert_true(col_wait(&t->col, 30, 10000));
    assert_true(tr_wait_count(tr, 34, 10000)); /* four more hang on the wire */
    assert_int_equal(close_client(t, 0), UGW_ERR_TIMEOUT);

    assert_int_equal(col_count(&t->col), N);
    n = dl_read(t->dl_path, &es);
    for (size_t i = 0; i < N; i++) {
        size_t k;
        const rec *o = col_find(&t->col, ids[i], &k);
        const dl_entry *e = dl_find(es, n, ids[i], &k);
        assert_non_null(o);
        if (o->result == UGW_RESULT_DELIVERED) {
            delivered++;
            assert_int_equal(k, 0); /* never a dead letter */
            assert_int_equal(tr_count_2xx_for_id(tr, ids[i]), 1);
            continue;
        }
        assert_int_equal(k, 1);
        assert_string_equal(e->result, ugw_result_name(o->result));
        assert_int_equal(e->attempts, (long)o->attempts);
        if (o->result == UGW_RESULT_REJECTED) {
            rejected++;
            assert_int_equal(e->last_status, 404);
            assert_int_equal(e->attempts, 1);
        } else {
            assert_int_equal(o->result, UGW_RESULT_CLOSED);
            closed++;
            assert_int_equal(e->last_status, 0);
        }
    }
    assert_int_equal(delivered, 20);
    assert_int_equal(rejected, 10);
    assert_int_equal(closed, 70);
    assert_int_equal(n, 80);
    dl_free(es, n);
    free(ids);
}

/* close() with a drain time: deliveries and their retries go on until it
 * runs out, then the rest is handed back with its last status. */
static void test_close_drain_then_hand_back(void **state)
{
    fx *t = *state;
    tr_config rc;
    test_receiver *tr;
    ugw_client_config cfg;
    char ids[5][UGW_WEBHOOK_ID_MAX];
    dl_entry *es;
    size_t n;
    int64_t t0, dt;
    memset(&rc, 0, sizeof rc);
    rc.default_action.status = 500;
    tr = start_rx(t, &rc);
    cfg = base_cfg(t, tr_url(tr));
    cfg.backoff_base_ms = 50;
    cfg.backoff_max_ms = 50;
    cfg.max_attempts = 1000;
    cfg.dead_letter_path = t->dl_path;
    start_client(t, &cfg);
    for (size_t i = 0; i < 5; i++)
        assert_int_equal(enqueue_fixture(t->c, i, 0, NULL, ids[i]), UGW_OK);
    t0 = now_ms();
    assert_int_equal(close_client(t, 400), UGW_ERR_TIMEOUT);
    dt = now_ms() - t0;
    assert_true(dt >= 390 && dt < 2000);
    assert_true(tr_count(tr) >= 10); /* retried while draining */
    assert_int_equal(col_count(&t->col), 5);
    n = dl_read(t->dl_path, &es);
    assert_int_equal(n, 5);
    for (size_t i = 0; i < 5; i++) {
        size_t k;
        const dl_entry *e = dl_find(es, n, ids[i], &k);
        const rec *o = col_find(&t->col, ids[i], NULL);
        assert_int_equal(k, 1);
        assert_string_equal(e->result, "closed");
        assert_int_equal(o->result, UGW_RESULT_CLOSED);
        assert_int_equal(e->last_status, 500);
        assert_true(e->attempts >= 2);
        assert_int_equal(e->attempts, (long)o->attempts);
        assert_int_equal(tr_attempts_for_id(tr, ids[i]), o->attempts);
    }
    dl_free(es, n);
}

/* close() with a drain time long enough delivers everything: UGW_OK. */
static void test_close_drain_delivers(void **state)
{
    fx *t = *state;
    tr_config rc;
    test_receiver *tr;
    ugw_client_config cfg;
    char id[UGW_WEBHOOK_ID_MAX];
    ugw_client_stats s;
    int64_t t0;
    memset(&rc, 0, sizeof rc);
    rc.default_action.delay_ms = 100;
    tr = start_rx(t, &rc);
    cfg = base_cfg(t, tr_url(tr));
    cfg.dead_letter_path = t->dl_path;
    cfg.max_in_flight = 4;
    start_client(t, &cfg);
    for (size_t i = 0; i < 20; i++)
        assert_int_equal(enqueue_fixture(t->c, i, 0, NULL, id), UGW_OK);
    ugw_client_stats_get(t->c, &s);
    assert_int_equal(s.accepted, 20);
    t0 = now_ms();
    assert_int_equal(close_client(t, 10000), UGW_OK);
    assert_true(now_ms() - t0 < 5000);
    assert_int_equal(col_count(&t->col), 20);
    for (size_t i = 0; i < 20; i++)
        assert_int_equal(t->col.recs[i].result, UGW_RESULT_DELIVERED);
    assert_int_equal(tr_count(tr), 20);
    assert_int_equal(file_size(t->dl_path), 0);
}

/* The callback may enqueue: accepted while running, UGW_ERR_CLOSED once
 * close() has begun (the callback then runs on the closing thread). */
typedef struct chain_ctx {
    collector *col;
    ugw_client *c;
    int marker;
    int calls;
    ugw_status st[64];
} chain_ctx;

static void chain_outcome(const ugw_outcome *o, void *ctx)
{
    chain_ctx *cc = ctx;
    on_outcome(o, cc->col);
    if (o->user == NULL && cc->calls < 64) {
        char id[UGW_WEBHOOK_ID_MAX];
        cc->st[cc->calls++] = ugw_client_enqueue(cc->c, fixture_at(7), 0, &cc->marker, id, NULL);
    }
}

static void test_callback_may_enqueue(void **state)
{
    fx *t = *state;
    tr_config rc;
    test_receiver *tr;
    ugw_client_config cfg;
    chain_ctx cc;
    char id[UGW_WEBHOOK_ID_MAX];
    size_t marked = 0;
    memset(&cc, 0, sizeof cc);
    memset(&rc, 0, sizeof rc);
    tr = start_rx(t, &rc);
    cfg = base_cfg(t, tr_url(tr));
    cfg.on_outcome = chain_outcome;
    cfg.on_outcome_ctx = &cc;
    cc.col = &t->col;
    start_client(t, &cfg);
    cc.c = t->c; /* set before any outcome can come: nothing is queued yet */
    for (size_t i = 0; i < 3; i++)
        assert_int_equal(enqueue_fixture(t->c, i, 0, NULL, id), UGW_OK);
    assert_true(col_wait(&t->col, 6, 5000));
    assert_int_equal(ugw_client_flush(t->c, 5000), UGW_OK);
    assert_int_equal(cc.calls, 3);
    for (int i = 0; i < 3; i++)
        assert_int_equal(cc.st[i], UGW_OK);
    assert_int_equal(col_count(&t->col), 6);
    for (size_t i = 0; i < 6; i++) {
        assert_int_equal(t->col.recs[i].result, UGW_RESULT_DELIVERED);
        marked += t->col.recs[i].user == &cc.marker;
    }
    assert_int_equal(marked, 3);
    assert_int_equal(tr_count(tr), 6);
}

/* From its own thread the client must never wait: send() is refused and a
 * waiting enqueue on a full queue fails at once instead of deadlocking. */
typedef struct {
    ugw_client *c;
    int calls;
    ugw_status send_st, fill_st, full_st;
} nowait_ctx;

static void nowait_outcome(const ugw_outcome *o, void *ctx)
{
    nowait_ctx *n = ctx;
    ugw_error err;
    if (o->user != NULL || n->calls++)
        return;
    n->send_st = ugw_client_send_body(n->c, "{}", 2, UGW_FORMAT_JSON, "x", NULL, NULL, &err);
    /* capacity 2, one event still queued: the first enqueue fills the queue,
     * the second would have to wait for this very thread */
    n->fill_st = ugw_client_enqueue_body(n->c, "{}", 2, UGW_FORMAT_JSON, "x", NULL, -1, n, NULL, &err);
    n->full_st = ugw_client_enqueue_body(n->c, "{}", 2, UGW_FORMAT_JSON, "x", NULL, -1, n, NULL, &err);
}

static void test_callback_cannot_wait(void **state)
{
    fx *t = *state;
    tr_config rc;
    test_receiver *tr;
    ugw_client_config cfg;
    nowait_ctx n;
    char id[UGW_WEBHOOK_ID_MAX];
    memset(&n, 0, sizeof n);
    memset(&rc, 0, sizeof rc);
    rc.default_action.delay_ms = 200;
    tr = start_rx(t, &rc);
    cfg = base_cfg(t, tr_url(tr));
    cfg.queue_capacity = 2;
    cfg.max_in_flight = 1;
    cfg.on_outcome = nowait_outcome;
    cfg.on_outcome_ctx = &n;
    start_client(t, &cfg);
    n.c = t->c;
    assert_int_equal(enqueue_fixture(t->c, 0, -1, NULL, id), UGW_OK);
    assert_int_equal(enqueue_fixture(t->c, 1, -1, NULL, id), UGW_OK);
    assert_int_equal(ugw_client_flush(t->c, 10000), UGW_OK);
    assert_int_equal(n.calls, 2);
    assert_int_equal(n.send_st, UGW_ERR_ARG);
    assert_int_equal(n.fill_st, UGW_OK);
    assert_int_equal(n.full_st, UGW_ERR_FULL);
}

static void test_callback_enqueue_during_close(void **state)
{
    fx *t = *state;
    tr_config rc;
    test_receiver *tr;
    ugw_client_config cfg;
    chain_ctx cc;
    char id[UGW_WEBHOOK_ID_MAX];
    memset(&cc, 0, sizeof cc);
    memset(&rc, 0, sizeof rc);
    rc.default_action.delay_ms = 2000;
    tr = start_rx(t, &rc);
    cfg = base_cfg(t, tr_url(tr));
    cfg.on_outcome = chain_outcome;
    cfg.on_outcome_ctx = &cc;
    cc.col = &t->col;
    start_client(t, &cfg);
    cc.c = t->c;
    for (size_t i = 0; i < 4; i++)
        assert_int_equal(enqueue_fixture(t->c, i, 0, NULL, id), UGW_OK);
    assert_int_equal(close_client(t, 0), UGW_ERR_TIMEOUT);
    assert_int_equal(col_count(&t->col), 4);
    assert_int_equal(cc.calls, 4);
    for (int i = 0; i < 4; i++)
        assert_int_equal(cc.st[i], UGW_ERR_CLOSED);
}

static void check_dead_letters_rejected(fx *t, ugw_format fmt)
{
    tr_config rc;
    test_receiver *tr;
    ugw_client_config cfg;
    char ids[UGW_EVENT_COUNT][UGW_WEBHOOK_ID_MAX];
    dl_entry *es;
    size_t n;
    memset(&rc, 0, sizeof rc);
    rc.default_action.status = 404;
    tr = start_rx(t, &rc);
    cfg = base_cfg(t, tr_url(tr));
    cfg.format = fmt;
    cfg.dead_letter_path = t->dl_path;
    start_client(t, &cfg);
    for (size_t i = 0; i < UGW_EVENT_COUNT; i++)
        assert_int_equal(enqueue_fixture(t->c, i, 0, NULL, ids[i]), UGW_OK);
    assert_int_equal(ugw_client_flush(t->c, 10000), UGW_OK);
    n = dl_read(t->dl_path, &es);
    assert_int_equal(n, UGW_EVENT_COUNT);
    for (size_t i = 0; i < UGW_EVENT_COUNT; i++) {
        size_t k, len;
        const dl_entry *e = dl_find(es, n, ids[i], &k);
        unsigned char *want = encode_new(fixture_at(i), fmt, &len);
        assert_int_equal(k, 1);
        assert_string_equal(e->result, "rejected");
        assert_int_equal(e->last_status, 404);
        assert_int_equal(e->attempts, 1);
        assert_string_equal(e->event, ugw_event_wire_name(fixture_at(i)->type));
        assert_string_equal(e->format, ugw_format_name(fmt));
        assert_true(e->has_time);
        if (fmt == UGW_FORMAT_JSON) {
            assert_true(e->has_body);
            assert_false(e->has_body_base64);
        } else {
            assert_true(e->has_body_base64);
            assert_false(e->has_body);
        }
        assert_int_equal(e->body_len, len);
        assert_memory_equal(e->body, want, len);
        free(want);
    }
    dl_check_reader(t->dl_path, es, n);
    dl_free(es, n);
    assert_int_equal(close_client(t, -1), UGW_OK);
    /* closing added nothing */
    n = dl_read(t->dl_path, &es);
    assert_int_equal(n, UGW_EVENT_COUNT);
    dl_free(es, n);
}

static void test_dead_letters_rejected_json(void **state)
{
    check_dead_letters_rejected(*state, UGW_FORMAT_JSON);
}

static void test_dead_letters_rejected_msgpack(void **state)
{
    check_dead_letters_rejected(*state, UGW_FORMAT_MSGPACK);
}

/* A caller's webhook-id (a replay) is kept as given, and its dead letter
 * stays valid JSON even when the id holds characters JSON must escape. */
static void test_dead_letter_caller_id_escaped(void **state)
{
    fx *t = *state;
    static const char id[] = "re\"play\\id/\x01";
    tr_config rc;
    test_receiver *tr;
    ugw_client_config cfg;
    char got[UGW_WEBHOOK_ID_MAX];
    static const unsigned char body[] = { 0x81, 0xa1, 'a', 0x01 };
    dl_entry *es;
    size_t n;
    tr_request r;
    memset(&rc, 0, sizeof rc);
    rc.default_action.status = 400;
    tr = start_rx(t, &rc);
    cfg = base_cfg(t, tr_url(tr));
    cfg.dead_letter_path = t->dl_path;
    start_client(t, &cfg);
    assert_int_equal(ugw_client_enqueue_body(t->c, body, sizeof body, UGW_FORMAT_MSGPACK, "custom \"event\"", id, 0,
                                             NULL, got, NULL),
                     UGW_OK);
    assert_string_equal(got, id);
    assert_int_equal(ugw_client_flush(t->c, 5000), UGW_OK);
    assert_true(tr_get(tr, 0, &r));
    assert_string_equal(r.webhook_id, id);
    assert_string_equal(r.content_type, "application/msgpack");
    assert_int_equal(r.body_len, sizeof body);
    assert_memory_equal(r.body, body, sizeof body);
    tr_request_free(&r);
    n = dl_read(t->dl_path, &es);
    assert_int_equal(n, 1);
    assert_string_equal(es[0].id, id);
    assert_string_equal(es[0].event, "custom \"event\"");
    assert_string_equal(es[0].result, "rejected");
    assert_int_equal(es[0].last_status, 400);
    assert_int_equal(es[0].body_len, sizeof body);
    assert_memory_equal(es[0].body, body, sizeof body);
    dl_check_reader(t->dl_path, es, n);
    dl_free(es, n);
}

/* A queue capacity too large to hold is refused, or works: never a heap
 * that is smaller than the queue (checked by ASan and by close below). */
static void test_huge_queue_capacity(void **state)
{
    fx *t = *state;
    const tr_action ra5 = { .status = 503, .retry_after = "5" };
    tr_config rc;
    test_receiver *tr;
    ugw_client_config cfg;
    ugw_error err;
    ugw_client *c;
    char id[UGW_WEBHOOK_ID_MAX];
    memset(&rc, 0, sizeof rc);
    rc.default_action = ra5;
    tr = start_rx(t, &rc);
    cfg = base_cfg(t, tr_url(tr));
    /* sizeof(pointer) * capacity wraps around to a small number */
    cfg.queue_capacity = SIZE_MAX / sizeof(void *) + 2;
    c = ugw_client_new(&cfg, &err);
    if (!c) {
        assert_true(err.code == UGW_ERR_ARG || err.code == UGW_ERR_NOMEM);
        return;
    }
    t->c = c;
    for (size_t i = 0; i < 6; i++)
        assert_int_equal(enqueue_fixture(c, i, 0, NULL, id), UGW_OK);
    /* all six wait in the retry heap for their Retry-After */
    assert_true(tr_wait_count(tr, 6, 5000));
    sleep_ms(100);
    assert_int_equal(close_client(t, 0), UGW_ERR_TIMEOUT);
    assert_int_equal(col_count(&t->col), 6);
}

/* ------------------------------------------------------------------ */
/* Many threads                                                          */
/* ------------------------------------------------------------------ */

enum { THREADS = 8, PER_THREAD = 500 };

typedef struct producer {
    ugw_client *c;
    size_t base;
    char (*ids)[UGW_WEBHOOK_ID_MAX];
    int errors;
} producer;

static void *produce(void *arg)
{
    producer *p = arg;
    for (size_t i = 0; i < PER_THREAD; i++) {
        ugw_error err;
        if (ugw_client_enqueue(p->c, fixture_at(p->base + i), -1, NULL, p->ids[p->base + i], &err) != UGW_OK)
            p->errors++;
    }
    return NULL;
}

static void test_many_threads(void **state)
{
    fx *t = *state;
    const size_t N = THREADS * PER_THREAD;
    test_receiver *tr = start_rx(t, NULL);
    ugw_client_config cfg = base_cfg(t, tr_url(tr));
    char (*ids)[UGW_WEBHOOK_ID_MAX] = calloc(N, sizeof *ids);
    pthread_t th[THREADS];
    producer ps[THREADS];
    ugw_client_stats s;

    assert_non_null(ids);
    cfg.queue_capacity = 256; /* producers also wait for room */
    cfg.secret = SECRET;
    start_client(t, &cfg);
    for (size_t i = 0; i < THREADS; i++) {
        ps[i].c = t->c;
        ps[i].base = i * PER_THREAD;
        ps[i].ids = ids;
        ps[i].errors = 0;
        assert_int_equal(pthread_create(&th[i], NULL, produce, &ps[i]), 0);
    }
    for (size_t i = 0; i < THREADS; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(ps[i].errors, 0);
    }
    assert_int_equal(ugw_client_flush(t->c, 60000), UGW_OK);
    ugw_client_stats_get(t->c, &s);
    assert_int_equal(s.accepted, N);
    assert_int_equal(s.delivered, N);
    assert_int_equal(s.failed, 0);
    assert_int_equal(tr_count(tr), N);
    assert_int_equal(tr_distinct_ids(tr), N);
    assert_int_equal(col_count(&t->col), N);
    qsort(ids, N, sizeof *ids, cmp_id);
    qsort(t->col.recs, t->col.n, sizeof *t->col.recs, cmp_rec);
    for (size_t i = 0; i < N; i++) {
        if (i > 0)
            assert_true(strcmp(ids[i - 1], ids[i]) < 0);
        assert_string_equal(t->col.recs[i].id, ids[i]);
        assert_int_equal(t->col.recs[i].result, UGW_RESULT_DELIVERED);
        assert_int_equal(tr_count_2xx_for_id(tr, ids[i]), 1);
    }
    free(ids);
}

/* ------------------------------------------------------------------ */
/* Full queue, flush timeout, configuration, send()                      */
/* ------------------------------------------------------------------ */

static void test_queue_full_and_flush_timeout(void **state)
{
    fx *t = *state;
    tr_config rc;
    test_receiver *tr;
    ugw_client_config cfg;
    char id[UGW_WEBHOOK_ID_MAX];
    ugw_error err;
    int64_t t0, dt;
    ugw_client_stats s;
    memset(&rc, 0, sizeof rc);
    rc.default_action.delay_ms = 3000;
    tr = start_rx(t, &rc);
    cfg = base_cfg(t, tr_url(tr));
    cfg.queue_capacity = 2;
    cfg.max_in_flight = 1;
    start_client(t, &cfg);
    assert_int_equal(enqueue_fixture(t->c, 0, 0, NULL, id), UGW_OK);
    assert_int_equal(enqueue_fixture(t->c, 1, 0, NULL, id), UGW_OK);

    t0 = now_ms();
    assert_int_equal(ugw_client_enqueue(t->c, fixture_at(2), 0, NULL, id, &err), UGW_ERR_FULL);
    assert_int_equal(err.code, UGW_ERR_FULL);
    assert_true(now_ms() - t0 < 50);

    t0 = now_ms();
    assert_int_equal(ugw_client_enqueue(t->c, fixture_at(2), 100, NULL, id, &err), UGW_ERR_FULL);
    dt = now_ms() - t0;
    print_message("enqueue(wait_ms 100) on a full queue returned after %lld ms\n", (long long)dt);
    assert_true(dt >= 95 && dt < 1000);

    t0 = now_ms();
    assert_int_equal(ugw_client_flush(t->c, 150), UGW_ERR_TIMEOUT);
    dt = now_ms() - t0;
    assert_true(dt >= 145 && dt < 1000);

    ugw_client_stats_get(t->c, &s);
    assert_int_equal(s.accepted, 2);
    assert_int_equal(s.queued + s.in_flight, 2);
    assert_int_equal(col_count(&t->col), 0);
}

/* Waiting enqueue gets room when an event finishes. */
static void test_enqueue_waits_for_room(void **state)
{
    fx *t = *state;
    tr_config rc;
    test_receiver *tr;
    ugw_client_config cfg;
    char id[UGW_WEBHOOK_ID_MAX];
    int64_t t0, dt;
    memset(&rc, 0, sizeof rc);
    rc.default_action.delay_ms = 300;
    tr = start_rx(t, &rc);
    cfg = base_cfg(t, tr_url(tr));
    cfg.queue_capacity = 1;
    cfg.max_in_flight = 1;
    start_client(t, &cfg);
    assert_int_equal(enqueue_fixture(t->c, 0, 0, NULL, id), UGW_OK);
    t0 = now_ms();
    assert_int_equal(enqueue_fixture(t->c, 1, 5000, NULL, id), UGW_OK);
    dt = now_ms() - t0;
    assert_true(dt >= 150 && dt < 3000);
    assert_int_equal(ugw_client_flush(t->c, 5000), UGW_OK);
    assert_int_equal(col_count(&t->col), 2);
    assert_int_equal(tr_count(tr), 2);
}

/* flush() returns once every outcome has been reported, not merely once
 * the events left the queue: a slow callback is waited for. */
static void slow_outcome(const ugw_outcome *o, void *ctx)
{
    sleep_ms(300);
    on_outcome(o, ctx);
}

static void test_flush_waits_for_callbacks(void **state)
{
    fx *t = *state;
    test_receiver *tr = start_rx(t, NULL);
    ugw_client_config cfg = base_cfg(t, tr_url(tr));
    char id[UGW_WEBHOOK_ID_MAX];
    cfg.on_outcome = slow_outcome;
    start_client(t, &cfg);
    assert_int_equal(enqueue_fixture(t->c, 0, 0, NULL, id), UGW_OK);
    assert_true(tr_wait_count(tr, 1, 5000));
    sleep_ms(100); /* answered; the callback is now sleeping */
    assert_int_equal(ugw_client_flush(t->c, 5000), UGW_OK);
    assert_int_equal(col_count(&t->col), 1);
    assert_string_equal(t->col.recs[0].id, id);
}

static void test_bad_config(void **state)
{
    fx *t = *state;
    ugw_client_config cfg = base_cfg(t, NULL);
    ugw_error err;

    assert_null(ugw_client_new(NULL, &err));
    assert_int_equal(err.code, UGW_ERR_ARG);

    assert_null(ugw_client_new(&cfg, &err)); /* no url */
    assert_int_equal(err.code, UGW_ERR_ARG);

    cfg.url = "ftp://127.0.0.1/hook";
    assert_null(ugw_client_new(&cfg, &err));
    assert_int_equal(err.code, UGW_ERR_ARG);

    cfg.url = "";
    assert_null(ugw_client_new(&cfg, &err));
    assert_int_equal(err.code, UGW_ERR_ARG);

    cfg.url = "http://127.0.0.1:1/hook";
    cfg.secret = "whsec_not*base64";
    assert_null(ugw_client_new(&cfg, &err));
    assert_int_equal(err.code, UGW_ERR_SECRET);

    cfg.secret = "whsec_abc"; /* missing padding */
    assert_null(ugw_client_new(&cfg, &err));
    assert_int_equal(err.code, UGW_ERR_SECRET);

    cfg.secret = SECRET;
    cfg.dead_letter_path = "/nonexistent-ugw-dir/dead.jsonl";
    assert_null(ugw_client_new(&cfg, &err));
    assert_int_equal(err.code, UGW_ERR_IO);

    cfg.dead_letter_path = "/tmp"; /* a directory: not writable as a file, even as root */
    assert_null(ugw_client_new(&cfg, &err));
    assert_int_equal(err.code, UGW_ERR_IO);

    cfg.dead_letter_path = NULL;
    cfg.format = (ugw_format)42;
    assert_null(ugw_client_new(&cfg, &err));
    assert_int_equal(err.code, UGW_ERR_ARG);

    cfg.format = UGW_FORMAT_JSON;
    cfg.jitter = 1.5;
    assert_null(ugw_client_new(&cfg, &err));
    assert_int_equal(err.code, UGW_ERR_ARG);

    cfg.jitter = -1;
    cfg.timeout_ms = -5;
    assert_null(ugw_client_new(&cfg, &err));
    assert_int_equal(err.code, UGW_ERR_ARG);
    cfg.timeout_ms = 0;
    cfg.max_age_ms = -1;
    assert_null(ugw_client_new(&cfg, &err));
    assert_int_equal(err.code, UGW_ERR_ARG);
    cfg.max_age_ms = 0;
    cfg.max_in_flight = 1025;
    assert_null(ugw_client_new(&cfg, &err));
    assert_int_equal(err.code, UGW_ERR_ARG);
    cfg.max_in_flight = 0;

    /* and a good one starts and closes cleanly, NULL close is a no-op */
    start_client(t, &cfg);
    assert_int_equal(close_client(t, 0), UGW_OK);
    assert_int_equal(ugw_client_close(NULL, 0), UGW_OK);
    assert_int_equal(col_count(&t->col), 0);
}

static void test_send_404_fills_outcome(void **state)
{
    fx *t = *state;
    tr_config rc;
    test_receiver *tr;
    ugw_client_config cfg;
    ugw_outcome out;
    ugw_error err;
    tr_request r;
    memset(&rc, 0, sizeof rc);
    rc.default_action.status = 404;
    tr = start_rx(t, &rc);
    cfg = base_cfg(t, tr_url(tr));
    start_client(t, &cfg);
    memset(&out, 0xAB, sizeof out);
    assert_int_equal(ugw_client_send(t->c, fixture_at(6), &out, &err), UGW_ERR_DELIVERY);
    assert_int_equal(err.code, UGW_ERR_DELIVERY);
    assert_int_equal(out.result, UGW_RESULT_REJECTED);
    assert_int_equal(out.http_status, 404);
    assert_int_equal(out.curl_code, 0);
    assert_int_equal(out.attempts, 1);
    assert_false(out.endpoint_gone);
    assert_null(out.body);
    assert_int_equal(out.format, UGW_FORMAT_JSON);
    assert_int_equal(strlen(out.id), UGW_WEBHOOK_ID_LEN);
    assert_true(tr_get(tr, 0, &r));
    assert_string_equal(r.webhook_id, out.id);
    tr_request_free(&r);
    /* the callback saw the same */
    assert_int_equal(col_count(&t->col), 1);
    assert_string_equal(t->col.recs[0].id, out.id);
    assert_int_equal(t->col.recs[0].result, UGW_RESULT_REJECTED);
}

static void test_send_invalid_event(void **state)
{
    fx *t = *state;
    test_receiver *tr = start_rx(t, NULL);
    ugw_client_config cfg = base_cfg(t, tr_url(tr));
    ugw_event ev = *fixture_at(0);
    ugw_outcome out;
    ugw_error err;
    char id[UGW_WEBHOOK_ID_MAX];
    ugw_client_stats s;
    assert_int_equal(ev.type, UGW_EVENT_GUIDE_PREVIEW_START);
    ev.u.guide_preview_start.user_id = UGW_STR("");
    start_client(t, &cfg);
    assert_int_equal(ugw_client_send(t->c, &ev, &out, &err), UGW_ERR_TOO_SHORT);
    assert_int_equal(err.code, UGW_ERR_TOO_SHORT);
    assert_non_null(strstr(err.path, "userId"));
    assert_int_equal(ugw_client_enqueue(t->c, &ev, 0, NULL, id, &err), UGW_ERR_TOO_SHORT);
    ev.u.guide_preview_start.user_id = UGW_STR("u");
    ev.u.guide_preview_start.page_url = UGW_STR("not a url");
    assert_int_equal(ugw_client_enqueue(t->c, &ev, 0, NULL, id, &err), UGW_ERR_URL);
    ev.type = (ugw_event_type)99;
    assert_int_not_equal(ugw_client_send(t->c, &ev, &out, &err), UGW_OK);
    sleep_ms(100);
    assert_int_equal(tr_count(tr), 0);
    ugw_client_stats_get(t->c, &s);
    assert_int_equal(s.accepted, 0);
    assert_int_equal(col_count(&t->col), 0);
    assert_int_equal(close_client(t, 0), UGW_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, fx_setup, fx_teardown)
        T(test_all_events_json_signed),
        T(test_all_events_msgpack_signed),
        T(test_all_events_json_unsigned),
        T(test_all_events_msgpack_unsigned),
        T(test_secret_without_prefix),
        T(test_retry_500),
        T(test_retry_503_retry_after_seconds),
        T(test_retry_429_http_date),
        T(test_retry_408),
        T(test_retry_other_5xx_and_429),
        T(test_retry_after_only_on_429_503),
        T(test_malformed_url_is_config),
        T(test_no_retry_404),
        T(test_no_retry_other_4xx),
        T(test_no_redirect_3xx),
        T(test_gone_410),
        T(test_connection_refused),
        T(test_reset_mid_response),
        T(test_timeout_then_delivered),
        T(test_timeout_exhausts_attempts),
        T(test_retry_frees_slot_for_next),
        T(test_due_retry_before_backlog),
        T(test_id_stable_timestamp_per_attempt),
        T(test_max_age_expires),
        T(test_retry_after_beyond_max_age),
        T(test_soak),
        T(test_close_backlog),
        T(test_close_mixed_dead_letters),
        T(test_close_drain_then_hand_back),
        T(test_close_drain_delivers),
        T(test_callback_may_enqueue),
        T(test_callback_cannot_wait),
        T(test_callback_enqueue_during_close),
        T(test_dead_letters_rejected_json),
        T(test_dead_letters_rejected_msgpack),
        T(test_dead_letter_caller_id_escaped),
        T(test_huge_queue_capacity),
        T(test_many_threads),
        T(test_queue_full_and_flush_timeout),
        T(test_enqueue_waits_for_room),
        T(test_flush_waits_for_callbacks),
        T(test_bad_config),
        T(test_send_404_fills_outcome),
        T(test_send_invalid_event),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
