/*
 * test_client_retry.c - the delivery client's retry rules (docs/CONTRACT.md
 * §4.4, §4.5) against the in-process receiver: one test per rule (500, 503 +
 * Retry-After seconds, 429 + HTTP-date, 408, 404, 3xx, 410, connection
 * refused, reset mid-response, timeout), a retry freeing its connection, due
 * retries before the backlog, max_age_ms and a Retry-After beyond it.
 * Timing is asserted with jitter off and backoffs of 10-50 ms.
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
/* Retry rules                                                           */
/* ------------------------------------------------------------------ */

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
    assert_true(gap_ms(&a, &b) < upper_ms(500)); /* and not much more */
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
    assert_true(gap_ms(&a, &b) < upper_ms(3000));
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
    assert_true(gap_ms(&a, &b) < upper_ms(3500));
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
    /* scaled, but short of the 3 s that honouring the 500's header takes */
    assert_true(now_ms() - t0 < upper_ms(1500) && now_ms() - t0 < 2900);
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
    assert_int_equal(ugw_client_flush(t->c, upper_ms(5000)), UGW_OK);
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
    const tr_action script[] = { { .delay_ms = (int)upper_ms(800) } };
    ugw_client_config cfg = base_cfg(t, NULL);
    ugw_outcome out;
    int64_t t0 = now_ms();
    cfg.timeout_ms = upper_ms(200); /* the second attempt's answer comes within it */
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
    assert_true(now_ms() - t0 < upper_ms(800)); /* the slow answer was not waited for */
}

static void test_timeout_exhausts_attempts(void **state)
{
    fx *t = *state;
    tr_config rc;
    test_receiver *tr;
    ugw_client_config cfg;
    ugw_outcome out;
    memset(&rc, 0, sizeof rc);
    rc.default_action.delay_ms = (int)upper_ms(1000);
    tr = start_rx(t, &rc);
    cfg = base_cfg(t, tr_url(tr));
    cfg.timeout_ms = upper_ms(200); /* long enough for each request to reach the receiver */
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
    cfg.backoff_base_ms = 3000; /* and not capped at base_cfg's 200 ms */
    cfg.backoff_max_ms = 3000;
    start_client(t, &cfg);
    assert_int_equal(enqueue_fixture(t->c, 0, 0, NULL, a_id), UGW_OK);
    assert_int_equal(enqueue_fixture(t->c, 1, 0, NULL, b_id), UGW_OK);
    assert_true(tr_wait_count(tr, 2, 5000));
    assert_true(tr_get(tr, 0, &a));
    assert_true(tr_get(tr, 1, &b));
    assert_string_equal(a.webhook_id, a_id);
    assert_string_equal(b.webhook_id, b_id);
    print_message("the next event started %lld ms after the 500\n", (long long)gap_ms(&a, &b));
    assert_true(gap_ms(&a, &b) < upper_ms(300) && gap_ms(&a, &b) < 2900); /* not behind the 3 s backoff */
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
    assert_int_equal(ugw_client_flush(t->c, upper_ms(10000)), UGW_OK);
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
    assert_true(now_ms() - t0 < upper_ms(1500));
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
    assert_true(now_ms() - t0 < upper_ms(1000) && now_ms() - t0 < 1900); /* not waited, not even to max_age */
    assert_int_equal(tr_count(t->tr), 1);
}


int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, fx_setup, fx_teardown)
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
        T(test_max_age_expires),
        T(test_retry_after_beyond_max_age),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
