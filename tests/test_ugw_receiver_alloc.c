/*
 * test_ugw_receiver_alloc.c - the receiver handles requests without heap
 * allocations once warm: the replay window is a table made at
 * ugw_receiver_new(), and its state file is appended to and rewritten
 * through a buffer made there too. malloc, calloc and realloc are
 * interposed in this executable and counted (glibc's "replacing malloc"
 * rules); under the sanitizers, which replace malloc themselves, the test
 * is skipped (exit 77). A schema with envelope fields (Standard Webhooks'
 * "timestamp") decodes them into the pool slot's envelope buffer, made with
 * the slot: no allocation per request either.
 *
 * Unsigned requests: verifying a signature costs libcrypto a short-lived
 * MAC context per call, which is libcrypto's, not the window's.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sw/sw_events.h>
#include <ugw/ugw_events.h>
#include <ugw/ugw_receiver.h>

#include "support/receiver_helpers.h"

static unsigned long long allocs; /* one thread allocates while counting */

#if !UGW_TEST_SANITIZED
extern void *__libc_malloc(size_t n);
extern void *__libc_calloc(size_t n, size_t size);
extern void *__libc_realloc(void *p, size_t n);
extern void __libc_free(void *p);

void *malloc(size_t n)
{
    allocs++;
    return __libc_malloc(n);
}

void *calloc(size_t n, size_t size)
{
    allocs++;
    return __libc_calloc(n, size);
}

void *realloc(void *p, size_t n)
{
    allocs++;
    return __libc_realloc(p, n);
}

void free(void *p)
{
    __libc_free(p);
}
#endif

static char dir[64], state_path[128];

#define SW_BODY                                                                                    \
    "{\"type\":\"guide started (userguiding)\",\"timestamp\":\"2022-11-03T20:26:10.344Z\","          \
    "\"data\":{\"userId\":\"u1\",\"pageUrl\":\"https://e.com/\",\"guideId\":7,\"guideName\":\"g\"}}"

static const ugw_schema *schema = &ugw_schema_events;
static const char *body = BODY_OK;

/* One unsigned request with `id` at clock `now`, stored. */
static unsigned handle_one(ugw_receiver *rx, const char *id, int64_t now, bool *dup)
{
    static req_t r; /* not on the stack: about 2 KiB */
    unsigned st;
    req_init(&r, "POST", body, id);
    r.req.now = now;
    st = ugw_receiver_handle(rx, &r.req, &r.res);
    *dup = r.res.duplicate;
    if (st == 204 && !r.res.duplicate && (r.res.envelope != NULL) != (schema == &sw_schema_events))
        fail_msg("%s: envelope %p in the result", id, r.res.envelope);
    return st == 204 ? ugw_receiver_finish(rx, &r.res, true) : (ugw_receiver_finish(rx, &r.res, true), st);
}

/* 20,000 new ids, 20 a second of a 10-second window, and a repeat of each:
 * ids expire, the state file is rewritten several times, and no request
 * allocates. */
static void run(const char *path)
{
    ugw_receiver_config c;
    ugw_receiver_stats st;
    ugw_receiver *rx;
    int64_t t0 = (int64_t)time(NULL);
    unsigned long long before, during;
    char id[32];
    bool dup;

    memset(&c, 0, sizeof c);
    c.schema = schema;
    c.tolerance_s = 10;
    c.replay_capacity = 1000;
    c.replay_path = path;
    rx = ugw_receiver_new(&c, NULL);
    assert_non_null(rx);
    assert_int_equal(handle_one(rx, "msg_warm", t0, &dup), 204); /* the pool's first decoder */
    before = allocs;
    for (int i = 0; i < 20000; i++) {
        snprintf(id, sizeof id, "msg_a%d", i);
        if (handle_one(rx, id, t0 + i / 20, &dup) != 204 || dup)
            fail_msg("request %d: not stored as new", i);
        if (handle_one(rx, id, t0 + i / 20, &dup) != 204 || !dup)
            fail_msg("request %d: repeat not a duplicate", i);
    }
    during = allocs - before;
    ugw_receiver_stats_get(rx, &st);
    ugw_receiver_free(rx);
    print_message("%s%s: 40,000 requests, %llu allocations; %llu ids remembered, %llu expired, "
                  "%llu state errors\n", path ? "with a state file" : "memory only",
                  schema == &sw_schema_events ? ", envelope fields" : "", during,
                  (unsigned long long)st.remembered, (unsigned long long)st.expired,
                  (unsigned long long)st.state_errors);
    assert_int_equal(during, 0);
    assert_true(st.expired >= 19000);
    assert_int_equal(st.window_full, 0);
    assert_int_equal(st.state_errors, 0);
}

static void test_no_allocation_per_request(void **state)
{
    (void)state;
    run(NULL);
}

static void test_no_allocation_per_request_with_envelope(void **state)
{
    (void)state;
    schema = &sw_schema_events;
    body = SW_BODY;
    run(NULL);
    schema = &ugw_schema_events;
    body = BODY_OK;
}

static void test_no_allocation_per_request_with_state_file(void **state)
{
    char p[160];
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/ugw-rxa-XXXXXX");
    assert_non_null(mkdtemp(dir));
    snprintf(state_path, sizeof state_path, "%s/replay", dir);
    run(state_path);
    unlink(state_path);
    snprintf(p, sizeof p, "%s.new", state_path);
    unlink(p);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_no_allocation_per_request),
        cmocka_unit_test(test_no_allocation_per_request_with_envelope),
        cmocka_unit_test(test_no_allocation_per_request_with_state_file),
    };
#if UGW_TEST_SANITIZED
    puts("skipped: the sanitizers replace malloc, so allocations cannot be counted here");
    (void)tests;
    (void)test_no_allocation_per_request;
    (void)test_no_allocation_per_request_with_envelope;
    (void)test_no_allocation_per_request_with_state_file;
    return 77;
#else
    return cmocka_run_group_tests(tests, NULL, NULL);
#endif
}
