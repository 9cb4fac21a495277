/*
 * test_receiver_selftest_record.c - cmocka tests of what the test receiver
 * (tests/support/test_receiver.h) records, with libcurl as the client:
 * byte-exact bodies and headers, absent headers and empty bodies, Expect:
 * 100-continue, bodies over the limit, and waiting for the n-th request.
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

/* Waits (up to 2 s) until libmicrohttpd has reported request i completed. */
static bool wait_completed(test_receiver *tr, size_t i)
{
    for (int k = 0; k < 200; k++) {
        tr_request r;
        if (tr_get(tr, i, &r)) {
            bool done = r.completed;
            tr_request_free(&r);
            if (done)
                return true;
        }
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    return false;
}

/* ------------------------------------------------------------------ */
/* Recording                                                            */
/* ------------------------------------------------------------------ */

static void test_records_body_and_headers(void **state)
{
    (void)state;
    test_receiver *tr = tr_start(NULL);
    assert_non_null(tr);
    assert_true(tr_port(tr) > 0);
    char expect_url[64];
    snprintf(expect_url, sizeof expect_url, "http://127.0.0.1:%d/hook", tr_port(tr));
    assert_string_equal(tr_url(tr), expect_url);

    /* Every byte value, NULs included, and large enough to arrive in many
     * upload chunks (and to make libcurl use Expect: 100-continue). */
    size_t len = 300000;
    unsigned char *body = malloc(len);
    assert_non_null(body);
    for (size_t i = 0; i < len; i++)
        body[i] = (unsigned char)((i * 131u + (i >> 8)) & 0xffu);

    struct timespec before;
    clock_gettime(CLOCK_REALTIME, &before);
    CURL *h = new_handle();
    reply r;
    post(h, tr_url(tr), "msg_2a9c", body, len, &r);
    assert_int_equal(r.rc, CURLE_OK);
    assert_int_equal(r.status, 204);
    assert_int_equal(r.body.len, 0);
    free(r.body.p);

    /* A small body on the same connection. */
    static const char small[] = "{\"type\":\"guide.completed\"}";
    post(h, tr_url(tr), "msg_2", small, sizeof small - 1, &r);
    assert_int_equal(r.rc, CURLE_OK);
    assert_int_equal(r.status, 204);
    assert_int_equal(r.new_connections, 0); /* kept alive */
    free(r.body.p);
    curl_easy_cleanup(h);

    assert_int_equal(tr_count(tr), 2);
    assert_true(wait_completed(tr, 0));
    tr_request q;
    assert_true(tr_get(tr, 0, &q));
    assert_string_equal(q.method, "POST");
    assert_string_equal(q.path, "/hook");
    assert_string_equal(q.webhook_id, "msg_2a9c");
    assert_string_equal(q.webhook_timestamp, "1700000000");
    assert_string_equal(q.webhook_signature, "v1,c2lnbmF0dXJl v1,b3RoZXI=");
    assert_string_equal(q.content_type, "application/json");
    assert_string_equal(q.user_agent, "ugw-selftest/1.0");
    assert_int_equal(q.body_len, len);
    assert_false(q.body_truncated);
    assert_memory_equal(q.body, body, len);
    assert_int_equal(q.body[len], 0);
    assert_int_equal(q.index, 0);
    assert_int_equal(q.attempt_no, 1);
    assert_int_equal(q.status, 204);
    assert_int_equal(q.kind, TR_NORMAL);
    assert_true(q.completed);
    assert_true(q.received.tv_sec >= before.tv_sec && q.received.tv_sec <= before.tv_sec + 10);
    tr_request_free(&q);
    tr_request_free(&q); /* zeroed: a second free is harmless */
    tr_request_free(NULL);

    assert_true(tr_get(tr, 1, &q));
    assert_int_equal(q.body_len, sizeof small - 1);
    assert_memory_equal(q.body, small, sizeof small - 1);
    assert_string_equal(q.webhook_id, "msg_2");
    assert_int_equal(q.index, 1);
    tr_request_free(&q);

    assert_false(tr_get(tr, 2, &q));
    assert_null(q.body);
    assert_int_equal(tr_count_2xx_for_id(tr, "msg_2a9c"), 1);
    assert_int_equal(tr_count_2xx_for_id(tr, "msg_2"), 1);
    assert_int_equal(tr_count_2xx_for_id(tr, "msg_"), 0);
    assert_int_equal(tr_attempts_for_id(tr, "msg_2a9c"), 1);
    assert_int_equal(tr_distinct_ids(tr), 2);
    free(body);
    tr_stop(tr);
}

static void test_missing_headers_and_empty_body(void **state)
{
    (void)state;
    test_receiver *tr = tr_start(NULL);
    assert_non_null(tr);
    CURL *h = new_handle();
    reply r;
    post(h, tr_url(tr), NULL, "", 0, &r);
    assert_int_equal(r.rc, CURLE_OK);
    assert_int_equal(r.status, 204);
    free(r.body.p);
    post(h, tr_url(tr), NULL, "x", 1, &r);
    free(r.body.p);
    curl_easy_cleanup(h);

    tr_request q;
    assert_true(tr_get(tr, 0, &q));
    assert_null(q.webhook_id);
    assert_null(q.webhook_timestamp);
    assert_null(q.webhook_signature);
    assert_string_equal(q.content_type, "application/json");
    assert_non_null(q.body);
    assert_int_equal(q.body_len, 0);
    assert_int_equal(q.attempt_no, 1);
    tr_request_free(&q);
    assert_true(tr_get(tr, 1, &q));
    assert_int_equal(q.attempt_no, 2); /* requests without an id share a counter */
    tr_request_free(&q);
    assert_int_equal(tr_attempts_for_id(tr, NULL), 2);
    assert_int_equal(tr_count_2xx_for_id(tr, NULL), 2);
    assert_int_equal(tr_distinct_ids(tr), 0);
    tr_stop(tr);
}

static void test_expect_100_continue(void **state)
{
    (void)state;
    test_receiver *tr = tr_start(NULL);
    assert_non_null(tr);
    size_t len = 200000;
    char *body = malloc(len);
    assert_non_null(body);
    for (size_t i = 0; i < len; i++)
        body[i] = (char)(i % 251u);
    /* libcurl 7.88 asks for 100-continue only above 1 MiB: ask explicitly.
     * libmicrohttpd answers "100 Continue" itself when the access handler
     * returns MHD_YES on the header-only call. */
    CURL *h = new_handle();
    struct curl_slist *hdrs = curl_slist_append(NULL, "Expect: 100-continue");
    assert_non_null(hdrs);
    curl_easy_setopt(h, CURLOPT_URL, tr_url(tr));
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(h, CURLOPT_EXPECT_100_TIMEOUT_MS, 10000L); /* fail slow, not fall back fast */
    double t0 = now_s();
    assert_int_equal(curl_easy_perform(h), CURLE_OK);
    assert_true(now_s() - t0 < 5.0);
    long status = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    assert_int_equal(status, 204);
    curl_slist_free_all(hdrs);
    curl_easy_cleanup(h);

    tr_request q;
    assert_true(tr_get(tr, 0, &q));
    assert_int_equal(q.body_len, len);
    assert_memory_equal(q.body, body, len);
    tr_request_free(&q);
    free(body);
    tr_stop(tr);
}

static void test_body_over_limit_is_413(void **state)
{
    (void)state;
    tr_action script[] = {{.status = 200}};
    tr_config cfg = {.script = script, .script_len = 1, .max_body = 1000};
    test_receiver *tr = tr_start(&cfg);
    assert_non_null(tr);
    char body[1500];
    memset(body, 'a', sizeof body);
    CURL *h = new_handle();
    reply r;
    post(h, tr_url(tr), "big", body, sizeof body, &r);
    assert_int_equal(r.rc, CURLE_OK);
    assert_int_equal(r.status, 413);
    free(r.body.p);
    post(h, tr_url(tr), "fits", body, 1000, &r); /* the script entry is still unused */
    assert_int_equal(r.status, 200);
    free(r.body.p);
    curl_easy_cleanup(h);

    tr_request q;
    assert_true(tr_get(tr, 0, &q));
    assert_true(q.body_truncated);
    assert_int_equal(q.body_len, 1000);
    assert_int_equal(q.status, 413);
    assert_memory_equal(q.body, body, 1000);
    tr_request_free(&q);
    assert_true(tr_get(tr, 1, &q));
    assert_false(q.body_truncated);
    assert_int_equal(q.body_len, 1000);
    tr_request_free(&q);
    tr_stop(tr);
}

/* ------------------------------------------------------------------ */
/* Waiting for requests                                                 */
/* ------------------------------------------------------------------ */

typedef struct waiter_arg {
    test_receiver *tr;
    bool reached;
} waiter_arg;

static void *waiter(void *p)
{
    waiter_arg *a = p;
    a->reached = tr_wait_count(a->tr, 3, 10000);
    return NULL;
}

static void test_wait_count(void **state)
{
    (void)state;
    test_receiver *tr = tr_start(NULL);
    assert_non_null(tr);
    double t0 = now_s();
    assert_false(tr_wait_count(tr, 1, 200));
    assert_true(now_s() - t0 >= 0.19);
    assert_true(tr_wait_count(tr, 0, 0));

    waiter_arg w = {.tr = tr};
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, waiter, &w), 0);
    for (int i = 0; i < 3; i++) {
        reply r;
        post_once(tr_url(tr), "w", "{}", &r);
        free(r.body.p);
    }
    pthread_join(t, NULL);
    assert_true(w.reached);
    assert_true(tr_wait_count(tr, 3, 0));
    assert_false(tr_wait_count(tr, 4, 50));
    tr_stop(tr);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_records_body_and_headers),
        cmocka_unit_test(test_missing_headers_and_empty_body),
        cmocka_unit_test(test_expect_100_continue),
        cmocka_unit_test(test_body_over_limit_is_413),
        cmocka_unit_test(test_wait_count),
    };
    return cmocka_run_group_tests(tests, tr_client_setup, tr_client_teardown);
}
