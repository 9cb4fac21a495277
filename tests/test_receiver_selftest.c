/*
 * test_receiver_selftest.c - cmocka tests of the test receiver itself
 * (tests/support/test_receiver.c), with libcurl's easy interface as the
 * client: recording byte-exact bodies and headers, scripted answers, delays
 * and timeouts, resets, the seeded random mode, the decide callback, many
 * parallel keep-alive clients, refused connections, and stopping with
 * requests in flight.
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
#include <strings.h>
#include <time.h>

#include <curl/curl.h>

#include "test_receiver.h"

/* ------------------------------------------------------------------ */
/* Client helpers                                                       */
/* ------------------------------------------------------------------ */

typedef struct buf {
    char *p;
    size_t len;
} buf;

typedef struct reply {
    CURLcode rc;
    long status;
    buf body;
    char retry_after[64]; /* "" when absent */
    char location[256];
    long new_connections;
    double seconds;
} reply;

static size_t on_body(char *data, size_t size, size_t n, void *ud)
{
    buf *b = ud;
    size_t add = size * n;
    char *np = realloc(b->p, b->len + add + 1);
    if (np == NULL)
        return 0;
    memcpy(np + b->len, data, add);
    b->p = np;
    b->len += add;
    b->p[b->len] = '\0';
    return add;
}

/* Copies the value of header `name` from a header line into out. */
static void grab_header(const char *line, size_t len, const char *name, char *out, size_t cap)
{
    size_t nl = strlen(name);
    if (len <= nl + 1 || strncasecmp(line, name, nl) != 0 || line[nl] != ':')
        return;
    const char *v = line + nl + 1;
    const char *end = line + len;
    while (v < end && (*v == ' ' || *v == '\t'))
        v++;
    while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' '))
        end--;
    size_t vl = (size_t)(end - v);
    if (vl >= cap)
        vl = cap - 1;
    memcpy(out, v, vl);
    out[vl] = '\0';
}

static size_t on_header(char *data, size_t size, size_t n, void *ud)
{
    reply *r = ud;
    size_t len = size * n;
    grab_header(data, len, "Retry-After", r->retry_after, sizeof r->retry_after);
    grab_header(data, len, "Location", r->location, sizeof r->location);
    return len;
}

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static CURL *new_handle(void)
{
    CURL *h = curl_easy_init();
    assert_non_null(h);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 20000L);
    return h;
}

/* POSTs body to url on handle h (keeping its connection alive), with the
 * webhook headers when id != NULL. Fills *r; free r->body.p. */
static void post(CURL *h, const char *url, const char *id, const void *body, size_t len, reply *r)
{
    memset(r, 0, sizeof *r);
    struct curl_slist *hdrs = NULL;
    char line[256];
    if (id != NULL) {
        snprintf(line, sizeof line, "webhook-id: %s", id);
        hdrs = curl_slist_append(hdrs, line);
        hdrs = curl_slist_append(hdrs, "webhook-timestamp: 1700000000");
        hdrs = curl_slist_append(hdrs, "webhook-signature: v1,c2lnbmF0dXJl v1,b3RoZXI=");
    }
    hdrs = curl_slist_append(hdrs, "Content-Type: application/json");
    assert_non_null(hdrs);
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_POST, 1L);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(h, CURLOPT_USERAGENT, "ugw-selftest/1.0");
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &r->body);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, r);
    double t0 = now_s();
    r->rc = curl_easy_perform(h);
    r->seconds = now_s() - t0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r->status);
    curl_easy_getinfo(h, CURLINFO_NUM_CONNECTS, &r->new_connections);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, NULL);
    curl_slist_free_all(hdrs);
}

static void post_once(const char *url, const char *id, const char *body, reply *r)
{
    CURL *h = new_handle();
    post(h, url, id, body, strlen(body), r);
    curl_easy_cleanup(h);
}

static bool is_reset_error(CURLcode rc)
{
    return rc == CURLE_PARTIAL_FILE || rc == CURLE_RECV_ERROR || rc == CURLE_GOT_NOTHING;
}

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

typedef struct slow_arg {
    const char *url;
    long timeout_ms;
    reply r;
} slow_arg;

static void *slow_client(void *p)
{
    slow_arg *a = p;
    CURL *h = new_handle();
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, a->timeout_ms);
    post(h, a->url, "slow", "{}", 2, &a->r);
    curl_easy_cleanup(h);
    return NULL;
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

static int setup(void **state)
{
    (void)state;
    return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    curl_global_cleanup();
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_records_body_and_headers),
        cmocka_unit_test(test_missing_headers_and_empty_body),
        cmocka_unit_test(test_expect_100_continue),
        cmocka_unit_test(test_body_over_limit_is_413),
        cmocka_unit_test(test_script_statuses),
        cmocka_unit_test(test_delay_beyond_timeout),
        cmocka_unit_test(test_slow_answer_does_not_block_others),
        cmocka_unit_test(test_reset_mid_response),
        cmocka_unit_test(test_random_mode_is_deterministic),
        cmocka_unit_test(test_decide_by_attempt),
        cmocka_unit_test(test_parallel_keepalive_clients),
        cmocka_unit_test(test_wait_count),
        cmocka_unit_test(test_refused_port),
        cmocka_unit_test(test_stop_with_request_in_flight),
        cmocka_unit_test(test_start_rejects_bad_config),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
