/*
 * test_receiver_selftest_answers.c - cmocka tests of how the test receiver
 * (tests/support/test_receiver.h) answers, with libcurl as the client:
 * scripted statuses and headers, delays and client timeouts, a slow answer
 * beside a fast one, resets mid-response, the seeded random mode and the
 * decide callback.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#include "test_receiver.h"
#include "test_receiver_client.h"

static bool is_reset_error(CURLcode rc)
{
    return rc == CURLE_PARTIAL_FILE || rc == CURLE_RECV_ERROR || rc == CURLE_GOT_NOTHING;
}

/* ------------------------------------------------------------------ */
/* Scripted answers                                                     */
/* ------------------------------------------------------------------ */

static void test_script_statuses(void **state)
{
    (void)state;
    tr_action script[] = {
        {.status = 500},
        {.status = 503, .retry_after = "7"},
        {.status = 429, .retry_after = "Wed, 21 Oct 2015 07:28:00 GMT"},
        {.status = 301, .location = "http://127.0.0.1:1/elsewhere"},
        {.status = 410},
    };
    tr_config cfg = {.script = script, .script_len = 5, .default_action = {.status = 202}};
    test_receiver *tr = tr_start(&cfg);
    assert_non_null(tr);
    /* The receiver copied the script: scribbling over ours changes nothing. */
    memset(script, 0, sizeof script);

    CURL *h = new_handle();
    reply r;
    post(h, tr_url(tr), "e1", "{}", 2, &r);
    assert_int_equal(r.rc, CURLE_OK);
    assert_int_equal(r.status, 500);
    assert_true(r.body.len > 0);
    assert_string_equal(r.retry_after, "");
    free(r.body.p);

    post(h, tr_url(tr), "e1", "{}", 2, &r);
    assert_int_equal(r.status, 503);
    assert_string_equal(r.retry_after, "7");
    free(r.body.p);

    post(h, tr_url(tr), "e1", "{}", 2, &r);
    assert_int_equal(r.status, 429);
    assert_string_equal(r.retry_after, "Wed, 21 Oct 2015 07:28:00 GMT");
    free(r.body.p);

    post(h, tr_url(tr), "e2", "{}", 2, &r);
    assert_int_equal(r.rc, CURLE_OK);
    assert_int_equal(r.status, 301); /* not followed: libcurl's default */
    assert_string_equal(r.location, "http://127.0.0.1:1/elsewhere");
    free(r.body.p);
    assert_int_equal(tr_count(tr), 4);

    post(h, tr_url(tr), "e3", "{}", 2, &r);
    assert_int_equal(r.status, 410);
    free(r.body.p);

    /* Script used up: the default action. */
    post(h, tr_url(tr), "e3", "{}", 2, &r);
    assert_int_equal(r.status, 202);
    assert_true(r.body.len > 0);
    free(r.body.p);
    post(h, tr_url(tr), "e3", "{}", 2, &r);
    assert_int_equal(r.status, 202);
    assert_int_equal(r.new_connections, 0); /* the connection stayed open throughout */
    free(r.body.p);
    curl_easy_cleanup(h);

    assert_int_equal(tr_count(tr), 7);
    static const int want[] = {500, 503, 429, 301, 410, 202, 202};
    static const unsigned attempt[] = {1, 2, 3, 1, 1, 2, 3};
    for (size_t i = 0; i < 7; i++) {
        tr_request q;
        assert_true(tr_get(tr, i, &q));
        assert_int_equal(q.status, want[i]);
        assert_int_equal(q.attempt_no, attempt[i]);
        tr_request_free(&q);
    }
    assert_int_equal(tr_count_2xx_for_id(tr, "e1"), 0);
    assert_int_equal(tr_count_2xx_for_id(tr, "e2"), 0);
    assert_int_equal(tr_count_2xx_for_id(tr, "e3"), 2);
    assert_int_equal(tr_attempts_for_id(tr, "e1"), 3);
    tr_stop(tr);
}

static void test_delay_beyond_timeout(void **state)
{
    (void)state;
    tr_action script[] = {{.status = 204, .delay_ms = 1500}};
    tr_config cfg = {.script = script, .script_len = 1};
    test_receiver *tr = tr_start(&cfg);
    assert_non_null(tr);

    CURL *h = new_handle();
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 300L);
    reply r;
    post(h, tr_url(tr), "late", "{}", 2, &r);
    assert_int_equal(r.rc, CURLE_OPERATION_TIMEDOUT);
    assert_true(r.seconds < 1.2);
    free(r.body.p);
    curl_easy_cleanup(h);

    tr_request q;
    assert_true(tr_get(tr, 0, &q));
    assert_int_equal(q.delay_ms, 1500);
    assert_int_equal(q.status, 204);
    tr_request_free(&q);
    tr_stop(tr);
}

static void test_slow_answer_does_not_block_others(void **state)
{
    (void)state;
    tr_action script[] = {{.status = 200, .delay_ms = 3000}};
    tr_config cfg = {.script = script, .script_len = 1};
    test_receiver *tr = tr_start(&cfg);
    assert_non_null(tr);

    slow_arg a = {.url = tr_url(tr), .timeout_ms = 10000};
    pthread_t t;
    double t0 = now_s();
    assert_int_equal(pthread_create(&t, NULL, slow_client, &a), 0);
    assert_true(tr_wait_count(tr, 1, 5000));

    reply r;
    post_once(tr_url(tr), "fast", "{}", &r);
    assert_int_equal(r.rc, CURLE_OK);
    assert_int_equal(r.status, 204);
    assert_true(r.seconds < 1.0);
    free(r.body.p);

    pthread_join(t, NULL);
    assert_int_equal(a.r.rc, CURLE_OK);
    assert_int_equal(a.r.status, 200);
    assert_true(now_s() - t0 >= 2.9);
    free(a.r.body.p);
    tr_stop(tr);
}

static void test_reset_mid_response(void **state)
{
    (void)state;
    tr_action script[] = {{.kind = TR_RESET}, {.status = 503, .kind = TR_RESET}};
    tr_config cfg = {.script = script, .script_len = 2};
    test_receiver *tr = tr_start(&cfg);
    assert_non_null(tr);

    CURL *h = new_handle();
    reply r;
    post(h, tr_url(tr), "rst", "{}", 2, &r);
    assert_true(is_reset_error(r.rc));
    assert_int_equal(r.rc, CURLE_PARTIAL_FILE); /* what MHD 0.9.75 gives today */
    assert_int_equal(r.status, 200);            /* the headers did arrive */
    free(r.body.p);

    post(h, tr_url(tr), "rst", "{}", 2, &r);
    assert_true(is_reset_error(r.rc));
    free(r.body.p);

    /* The same handle reconnects and gets a normal answer. */
    post(h, tr_url(tr), "rst", "{}", 2, &r);
    assert_int_equal(r.rc, CURLE_OK);
    assert_int_equal(r.status, 204);
    assert_int_equal(r.new_connections, 1);
    free(r.body.p);
    curl_easy_cleanup(h);

    tr_request q;
    assert_true(tr_get(tr, 0, &q));
    assert_int_equal(q.kind, TR_RESET);
    assert_int_equal(q.status, 200);
    assert_false(q.completed);
    tr_request_free(&q);
    assert_true(tr_get(tr, 1, &q));
    assert_int_equal(q.kind, TR_RESET);
    assert_int_equal(q.status, 503);
    tr_request_free(&q);
    /* A reset 200 is no delivery. */
    assert_int_equal(tr_count_2xx_for_id(tr, "rst"), 1);
    tr_stop(tr);
}

/* ------------------------------------------------------------------ */
/* Random mode and the decide callback                                  */
/* ------------------------------------------------------------------ */

#define RANDOM_N 240

typedef struct outcome {
    int status;
    tr_kind kind;
} outcome;

/* Sends RANDOM_N requests one after another through a receiver in random
 * mode; checks what curl saw against the records; fills out[]. */
static void random_run(uint64_t seed, outcome *out)
{
    tr_config cfg = {.random_mode = true, .seed = seed, .failure_ratio = 0.3};
    test_receiver *tr = tr_start(&cfg);
    assert_non_null(tr);
    CURL *h = new_handle();
    for (int i = 0; i < RANDOM_N; i++) {
        char id[32];
        snprintf(id, sizeof id, "r%d", i);
        reply r;
        post(h, tr_url(tr), id, "{}", 2, &r);
        tr_request q;
        assert_true(tr_get(tr, (size_t)i, &q));
        assert_string_equal(q.webhook_id, id);
        out[i].status = q.status;
        out[i].kind = q.kind;
        if (q.kind == TR_RESET) {
            assert_true(is_reset_error(r.rc));
            assert_int_equal(q.status, 200);
        } else {
            assert_int_equal(r.rc, CURLE_OK);
            assert_int_equal(r.status, q.status);
            if (q.status == 503)
                assert_true(strcmp(r.retry_after, "0") == 0 || strcmp(r.retry_after, "1") == 0);
            else
                assert_string_equal(r.retry_after, "");
        }
        tr_request_free(&q);
        free(r.body.p);
    }
    curl_easy_cleanup(h);
    tr_stop(tr);
}

static void test_random_mode_is_deterministic(void **state)
{
    (void)state;
    outcome *a = calloc(RANDOM_N, sizeof *a);
    outcome *b = calloc(RANDOM_N, sizeof *b);
    outcome *c = calloc(RANDOM_N, sizeof *c);
    assert_non_null(a);
    assert_non_null(b);
    assert_non_null(c);
    random_run(42, a);
    random_run(42, b);
    random_run(43, c);

    int failures = 0, differ = 0;
    int seen500 = 0, seen503 = 0, seen429 = 0, seen408 = 0, seen_reset = 0;
    for (int i = 0; i < RANDOM_N; i++) {
        assert_int_equal(a[i].status, b[i].status);
        assert_int_equal(a[i].kind, b[i].kind);
        if (a[i].status != c[i].status || a[i].kind != c[i].kind)
            differ++;
        if (a[i].kind == TR_RESET) {
            seen_reset++;
        } else if (a[i].status != 204) {
            seen500 += a[i].status == 500;
            seen503 += a[i].status == 503;
            seen429 += a[i].status == 429;
            seen408 += a[i].status == 408;
        }
        failures += a[i].kind == TR_RESET || a[i].status != 204;
    }
    /* About 30% of 240 = 72, and every kind of failure among them. */
    assert_in_range(failures, 40, 110);
    assert_true(seen500 > 0 && seen503 > 0 && seen429 > 0 && seen408 > 0 && seen_reset > 0);
    assert_int_equal(seen500 + seen503 + seen429 + seen408 + seen_reset, failures);
    assert_true(differ > 0); /* another seed, another sequence */
    free(a);
    free(b);
    free(c);
}

static tr_action fail_twice(const tr_request_info *req, unsigned attempt_no, void *ctx)
{
    unsigned *calls = ctx;
    ++*calls;
    tr_action a = {.status = 204};
    if (req->body_len != 2 || memcmp(req->body, "{}", 2) != 0 || strcmp(req->method, "POST") != 0) {
        a.status = 400;
        return a;
    }
    if (attempt_no <= 2) {
        a.status = 503;
        a.retry_after = attempt_no == 1 ? "1" : "2";
    }
    return a;
}

static void test_decide_by_attempt(void **state)
{
    (void)state;
    unsigned calls = 0;
    tr_action script[] = {{.status = 418}}; /* decide takes precedence */
    tr_config cfg = {.decide = fail_twice, .decide_ctx = &calls, .script = script, .script_len = 1};
    test_receiver *tr = tr_start(&cfg);
    assert_non_null(tr);
    CURL *h = new_handle();
    static const char *const ids[] = {"a", "b", "c"};
    for (int round = 0; round < 3; round++) {
        for (int e = 0; e < 3; e++) {
            reply r;
            post(h, tr_url(tr), ids[e], "{}", 2, &r);
            assert_int_equal(r.rc, CURLE_OK);
            assert_int_equal(r.status, round < 2 ? 503 : 204);
            if (round < 2)
                assert_string_equal(r.retry_after, round == 0 ? "1" : "2");
            free(r.body.p);
        }
    }
    curl_easy_cleanup(h);
    assert_int_equal(calls, 9);
    for (int e = 0; e < 3; e++) {
        assert_int_equal(tr_attempts_for_id(tr, ids[e]), 3);
        assert_int_equal(tr_count_2xx_for_id(tr, ids[e]), 1);
    }
    tr_stop(tr);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_script_statuses),
        cmocka_unit_test(test_delay_beyond_timeout),
        cmocka_unit_test(test_slow_answer_does_not_block_others),
        cmocka_unit_test(test_reset_mid_response),
        cmocka_unit_test(test_random_mode_is_deterministic),
        cmocka_unit_test(test_decide_by_attempt),
    };
    return cmocka_run_group_tests(tests, tr_client_setup, tr_client_teardown);
}
