/*
 * client_support.c - the helpers of client_support.h but the dead-letter
 * file reading (client_dead_letter_file.c).
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

#include "client_support.h"

/* RUNNING_ON_VALGRIND, from Debian's valgrind package where it is installed */
#if defined(__has_include)
#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#endif
#endif
#ifndef RUNNING_ON_VALGRIND
#define RUNNING_ON_VALGRIND 0
#endif

/* ------------------------------------------------------------------ */
/* Time                                                                 */
/* ------------------------------------------------------------------ */

int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t time_scale(void)
{
    const char *v = getenv("UGW_TEST_TIME_SCALE");
    uint64_t n;
    if (v && *v && ugw_parse_u64(v, strlen(v), &n) && n >= 1 && n <= 100)
        return (int64_t)n;
    return RUNNING_ON_VALGRIND ? 5 : 1;
}

int64_t upper_ms(int64_t ms)
{
    return ms * time_scale();
}

int64_t ts_ms(const struct timespec *ts)
{
    return (int64_t)ts->tv_sec * 1000 + ts->tv_nsec / 1000000;
}

void sleep_ms(long ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

/* ------------------------------------------------------------------ */
/* Outcomes collected from the callback                                 */
/* ------------------------------------------------------------------ */



void col_init(collector *col)
{
    memset(col, 0, sizeof *col);
    pthread_mutex_init(&col->mu, NULL);
    pthread_cond_init(&col->cv, NULL);
}

void col_free(collector *col)
{
    for (size_t i = 0; i < col->n; i++)
        free(col->recs[i].body);
    free(col->recs);
    pthread_mutex_destroy(&col->mu);
    pthread_cond_destroy(&col->cv);
}

void on_outcome(const ugw_outcome *o, void *ctx)
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

size_t col_count(collector *col)
{
    size_t n;
    pthread_mutex_lock(&col->mu);
    n = col->n;
    pthread_mutex_unlock(&col->mu);
    return n;
}

/* Waits until at least n outcomes arrived (timeout_ms scaled by upper_ms());
 * returns whether they did. */
bool col_wait(collector *col, size_t n, long timeout_ms)
{
    int64_t end = now_ms() + upper_ms(timeout_ms);
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
const rec *col_find(collector *col, const char *id, size_t *count)
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


int fx_setup(void **state)
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

int fx_teardown(void **state)
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

test_receiver *start_rx(fx *t, const tr_config *cfg)
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
ugw_client_config base_cfg(fx *t, const char *url)
{
    ugw_client_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.url = url;
    cfg.format = UGW_FORMAT_JSON;
    cfg.connect_timeout_ms = upper_ms(2000); /* a slow machine's answer is no timeout */
    cfg.timeout_ms = upper_ms(5000);
    cfg.max_attempts = 5;
    cfg.backoff_base_ms = 20;
    cfg.backoff_max_ms = 200;
    cfg.jitter = -1;
    cfg.on_outcome = on_outcome;
    cfg.on_outcome_ctx = &t->col;
    return cfg;
}

test_receiver *start_rx_answering(fx *t, int status, int delay_ms, ugw_client_config *cfg)
{
    tr_config rc;
    test_receiver *tr;
    memset(&rc, 0, sizeof rc);
    rc.default_action.status = status;
    rc.default_action.delay_ms = delay_ms;
    tr = start_rx(t, &rc);
    *cfg = base_cfg(t, tr_url(tr));
    cfg->dead_letter_path = t->dl_path;
    return tr;
}

ugw_client *start_client(fx *t, const ugw_client_config *cfg)
{
    ugw_error err;
    ugw_client *c = ugw_client_new(cfg, &err);
    if (!c)
        fail_msg("ugw_client_new: %s: %s", ugw_status_name(err.code), err.message);
    t->c = c;
    return c;
}

/* Closes the fixture's client now (teardown will not close it again). */
ugw_status close_client(fx *t, long drain_ms)
{
    ugw_client *c = t->c;
    t->c = NULL;
    return ugw_client_close(c, drain_ms);
}

/* ------------------------------------------------------------------ */
/* Encoding and receiver helpers                                        */
/* ------------------------------------------------------------------ */

/* ugw_encode() of `ev` into a new buffer. */
unsigned char *encode_new(const ugw_event *ev, ugw_format fmt, size_t *len)
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

const ugw_event *fixture_at(size_t i)
{
    return &ugw_fixtures[i % UGW_EVENT_COUNT];
}

ugw_status enqueue_fixture(ugw_client *c, size_t i, int64_t wait_ms, void *user, char id[UGW_WEBHOOK_ID_MAX])
{
    ugw_error err;
    ugw_status st = ugw_client_enqueue(c, fixture_at(i), wait_ms, user, id, &err);
    if (st != UGW_OK)
        assert_int_equal(err.code, st);
    return st;
}

/* Copies of every recorded request (free with free_requests). */
tr_request *get_requests(test_receiver *tr, size_t *n)
{
    size_t k = tr_count(tr);
    tr_request *rs = calloc(k ? k : 1, sizeof *rs);
    assert_non_null(rs);
    for (size_t i = 0; i < k; i++)
        assert_true(tr_get(tr, i, &rs[i]));
    *n = k;
    return rs;
}

void free_requests(tr_request *rs, size_t n)
{
    for (size_t i = 0; i < n; i++)
        tr_request_free(&rs[i]);
    free(rs);
}

int64_t gap_ms(const tr_request *a, const tr_request *b)
{
    return ts_ms(&b->received_mono) - ts_ms(&a->received_mono);
}

int64_t parse_ts(const char *s)
{
    uint64_t v = 0;
    assert_non_null(s);
    assert_true(ugw_parse_u64(s, strlen(s), &v));
    return (int64_t)v;
}

/* The signature of request r verifies with `secret` and its own timestamp. */
void assert_signed(const tr_request *r, const char *secret)
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

off_t file_size(const char *path)
{
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    return st.st_size;
}


/* send() one fixture through a receiver answering `script` then 204. */
ugw_status send_scripted(fx *t, const tr_action *script, size_t n, ugw_client_config *cfg_io,
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
void assert_same_id(test_receiver *tr, const char *id, size_t expect_n)
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


int cmp_id(const void *a, const void *b)
{
    return strcmp((const char *)a, (const char *)b);
}

int cmp_rec(const void *a, const void *b)
{
    return strcmp(((const rec *)a)->id, ((const rec *)b)->id);
}

