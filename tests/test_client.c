/*
 * test_client.c - cmocka tests of the delivery client (ugw_client.h) against the in-process libmicrohttpd receiver (tests/support/test_receiver.h)
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

#include "client_support.h"

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
    assert_int_equal(ugw_client_flush(t->c, upper_ms(10000)), UGW_OK);

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
        assert_true(ts >= now - upper_ms(5000) / 1000 && ts <= now + 1); /* signed at most 5 s (scaled) ago */
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
/* Soak                                                                  */
/* ------------------------------------------------------------------ */

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
    assert_int_equal(ugw_client_flush(t->c, upper_ms(300000)), UGW_OK);
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
    assert_true(now_ms() - t0 < upper_ms(50));

    t0 = now_ms();
    assert_int_equal(ugw_client_enqueue(t->c, fixture_at(2), 100, NULL, id, &err), UGW_ERR_FULL);
    dt = now_ms() - t0;
    print_message("enqueue(wait_ms 100) on a full queue returned after %lld ms\n", (long long)dt);
    assert_true(dt >= 95 && dt < upper_ms(1000));

    t0 = now_ms();
    assert_int_equal(ugw_client_flush(t->c, 150), UGW_ERR_TIMEOUT);
    dt = now_ms() - t0;
    assert_true(dt >= 145 && dt < upper_ms(1000));

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
    assert_true(dt >= 150 && dt < upper_ms(3000));
    assert_int_equal(ugw_client_flush(t->c, upper_ms(5000)), UGW_OK);
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
    assert_int_equal(ugw_client_flush(t->c, upper_ms(5000)), UGW_OK);
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

/* A key shorter than 24 bytes is refused by the library itself, unless the
 * configuration opts in (as `ugw send --allow-weak-secret` does). */
static void test_weak_secret_refused_unless_allowed(void **state)
{
    fx *t = *state;
    ugw_client_config cfg = base_cfg(t, "http://127.0.0.1:1/hook");
    ugw_error err;

    cfg.dead_letter_path = NULL;
    cfg.secret = "whsec_Kg=="; /* one byte */
    assert_null(ugw_client_new(&cfg, &err));
    assert_int_equal(err.code, UGW_ERR_SECRET);
    assert_string_equal(err.path, "secret");
    assert_int_equal(err.pos, 1);
    assert_non_null(strstr(err.message, "24 bytes"));
    cfg.secret = "whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="; /* 23 bytes */
    assert_null(ugw_client_new(&cfg, &err));
    assert_int_equal(err.code, UGW_ERR_SECRET);
    cfg.allow_weak_secret = true;
    start_client(t, &cfg);
    assert_int_equal(close_client(t, 0), UGW_OK);
    cfg.secret = "whsec_Kg==";
    start_client(t, &cfg);
    assert_int_equal(close_client(t, 0), UGW_OK);
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
        T(test_id_stable_timestamp_per_attempt),
        T(test_soak),
        T(test_queue_full_and_flush_timeout),
        T(test_enqueue_waits_for_room),
        T(test_flush_waits_for_callbacks),
        T(test_bad_config),
        T(test_weak_secret_refused_unless_allowed),
        T(test_send_404_fills_outcome),
        T(test_send_invalid_event),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
