/*
 * test_receiver_selftest_lifecycle.c - cmocka tests of the test receiver
 * (tests/support/test_receiver.h) as a server, with libcurl as the client:
 * many parallel keep-alive clients, refused connections, stopping with
 * requests in flight, and starting with a bad configuration.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#include "test_receiver.h"
#include "test_receiver_client.h"

/* ------------------------------------------------------------------ */
/* Concurrency                                                          */
/* ------------------------------------------------------------------ */

#define PAR_THREADS 16
#define PAR_REQUESTS 50

typedef struct par_arg {
    const char *url;
    int thread;
    int ok;
    long connects;
} par_arg;

static void *par_client(void *p)
{
    par_arg *a = p;
    CURL *h = curl_easy_init();
    if (h == NULL)
        return NULL;
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 20000L);
    for (int i = 0; i < PAR_REQUESTS; i++) {
        char id[32], body[64];
        snprintf(id, sizeof id, "t%02d-%02d", a->thread, i);
        int n = snprintf(body, sizeof body, "{\"thread\":%d,\"i\":%d}", a->thread, i);
        reply r;
        post(h, a->url, id, body, (size_t)n, &r); /* no cmocka asserts off the main thread */
        if (r.rc == CURLE_OK && r.status == 204)
            a->ok++;
        a->connects += r.new_connections;
        free(r.body.p);
    }
    curl_easy_cleanup(h);
    return NULL;
}

static bool check_parallel_record(const tr_request *r, void *ctx)
{
    int *bad = ctx;
    int t, i;
    char body[64];
    if (r->webhook_id == NULL || sscanf(r->webhook_id, "t%d-%d", &t, &i) != 2) {
        ++*bad;
        return true;
    }
    int n = snprintf(body, sizeof body, "{\"thread\":%d,\"i\":%d}", t, i);
    if (r->body_len != (size_t)n || memcmp(r->body, body, (size_t)n) != 0 || r->attempt_no != 1)
        ++*bad;
    return true;
}

static void test_parallel_keepalive_clients(void **state)
{
    (void)state;
    /* Every answer takes 20 ms: 800 requests would take 16 s one at a time,
     * about 1 s when the 16 connections are served in parallel. */
    tr_config cfg = {.default_action = {.status = 204, .delay_ms = 20}};
    test_receiver *tr = tr_start(&cfg);
    assert_non_null(tr);
    pthread_t th[PAR_THREADS];
    par_arg args[PAR_THREADS];
    double t0 = now_s();
    for (int i = 0; i < PAR_THREADS; i++) {
        args[i] = (par_arg){.url = tr_url(tr), .thread = i};
        assert_int_equal(pthread_create(&th[i], NULL, par_client, &args[i]), 0);
    }
    for (int i = 0; i < PAR_THREADS; i++)
        pthread_join(th[i], NULL);
    double took = now_s() - t0;

    for (int i = 0; i < PAR_THREADS; i++) {
        assert_int_equal(args[i].ok, PAR_REQUESTS);
        assert_int_equal(args[i].connects, 1); /* one keep-alive connection each */
    }
    assert_int_equal(tr_count(tr), PAR_THREADS * PAR_REQUESTS);
    assert_int_equal(tr_distinct_ids(tr), PAR_THREADS * PAR_REQUESTS);
    for (int t = 0; t < PAR_THREADS; t++) {
        for (int i = 0; i < PAR_REQUESTS; i++) {
            char id[32];
            snprintf(id, sizeof id, "t%02d-%02d", t, i);
            assert_int_equal(tr_count_2xx_for_id(tr, id), 1);
        }
    }
    int bad = 0;
    tr_foreach(tr, check_parallel_record, &bad);
    assert_int_equal(bad, 0);
    assert_true(took < 8.0);
    tr_stop(tr);
}

/* ------------------------------------------------------------------ */
/* Refused connections and stopping                                     */
/* ------------------------------------------------------------------ */

static void test_refused_port(void **state)
{
    (void)state;
    int port = tr_refused_port();
    assert_in_range(port, 1, 65535);
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/hook", port);
    reply r;
    post_once(url, "x", "{}", &r);
    assert_int_equal(r.rc, CURLE_COULDNT_CONNECT);
    free(r.body.p);

    /* A stopped receiver's port refuses too. */
    test_receiver *tr = tr_start(NULL);
    assert_non_null(tr);
    snprintf(url, sizeof url, "%s", tr_url(tr));
    tr_stop(tr);
    post_once(url, "x", "{}", &r);
    assert_int_equal(r.rc, CURLE_COULDNT_CONNECT);
    free(r.body.p);
}

static void test_stop_with_request_in_flight(void **state)
{
    (void)state;
    tr_action script[] = {{.status = 204, .delay_ms = 60000}};
    tr_config cfg = {.script = script, .script_len = 1};
    test_receiver *tr = tr_start(&cfg);
    assert_non_null(tr);

    /* An idle keep-alive connection as well. */
    CURL *idle = new_handle();
    slow_arg a = {.url = tr_url(tr), .timeout_ms = 30000};
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, slow_client, &a), 0);
    assert_true(tr_wait_count(tr, 1, 5000));
    reply r;
    post(idle, tr_url(tr), "idle", "{}", 2, &r);
    assert_int_equal(r.status, 204);
    free(r.body.p);

    double t0 = now_s();
    tr_stop(tr);
    double took = now_s() - t0;
    assert_true(took < 2.0);
    pthread_join(t, NULL);
    assert_true(now_s() - t0 < 2.0);
    assert_true(a.r.rc != CURLE_OK); /* closed unanswered */
    assert_int_equal(a.r.rc, CURLE_GOT_NOTHING);
    free(a.r.body.p);
    curl_easy_cleanup(idle);
    tr_stop(NULL);
}

static void test_start_rejects_bad_config(void **state)
{
    (void)state;
    tr_config cfg = {.random_mode = true, .failure_ratio = 1.5};
    assert_null(tr_start(&cfg));
    tr_config cfg2 = {.script = NULL, .script_len = 3};
    assert_null(tr_start(&cfg2));
    /* Many receivers side by side get different ports. */
    test_receiver *x = tr_start(NULL), *y = tr_start(NULL);
    assert_non_null(x);
    assert_non_null(y);
    assert_int_not_equal(tr_port(x), tr_port(y));
    tr_stop(x);
    tr_stop(y);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parallel_keepalive_clients),
        cmocka_unit_test(test_refused_port),
        cmocka_unit_test(test_stop_with_request_in_flight),
        cmocka_unit_test(test_start_rejects_bad_config),
    };
    return cmocka_run_group_tests(tests, tr_client_setup, tr_client_teardown);
}
