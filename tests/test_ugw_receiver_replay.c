/*
 * test_ugw_receiver_replay.c - the receiver's replay window: duplicates
 * inside the tolerance, expiry after it, store-then-finish (a failed store
 * releases the id), a repeat while the first is being stored, a full window
 * (503 signed or not: a live id is never forgotten; expired ids anywhere in
 * it make room), the capacity's limits, and the state file: 0600, survives
 * a restart, expired and torn records dropped, hostile content ignored,
 * rewritten as it grows.
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
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <ugw/ugw_events.h>
#include <ugw/ugw_receiver.h>

#include "support/receiver_helpers.h"

static char dir[64], state_path[128];

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/ugw-rx-XXXXXX");
    assert_non_null(mkdtemp(dir));
    snprintf(state_path, sizeof state_path, "%s/replay", dir);
    return 0;
}

static int teardown(void **state)
{
    char p[160];
    (void)state;
    unlink(state_path);
    snprintf(p, sizeof p, "%s.new", state_path);
    unlink(p);
    rmdir(dir);
    return 0;
}

static ugw_receiver *rx_cfg(const ugw_secret *s, size_t max, const char *path)
{
    ugw_receiver_config c;
    memset(&c, 0, sizeof c);
    c.schema = &ugw_schema_events;
    c.secrets = s;
    c.nsecrets = s ? 1 : 0;
    c.replay_capacity = max;
    c.replay_path = path;
    c.tolerance_s = 60;
    return ugw_receiver_new(&c, NULL);
}

/* Sends a signed (when s) request with `id` at clock `now`, ts `ts`. */
static unsigned send_at(ugw_receiver *rx, const ugw_secret *s, const char *id, int64_t now, int64_t ts,
                        bool *dup, bool stored)
{
    req_t r;
    unsigned st;
    req_init(&r, "POST", BODY_OK, id);
    if (s)
        req_sign(&r, s, ts);
    r.req.now = now;
    st = ugw_receiver_handle(rx, &r.req, &r.res);
    if (dup)
        *dup = r.res.duplicate;
    return st == 204 ? ugw_receiver_finish(rx, &r.res, stored) : (ugw_receiver_finish(rx, &r.res, stored), st);
}

static void test_duplicate_inside_window_401_after(void **state)
{
    ugw_secret s;
    ugw_receiver *rx;
    int64_t t0 = (int64_t)time(NULL);
    bool dup;
    (void)state;
    assert_int_equal(ugw_secret_generate(&s, NULL, 0), UGW_OK);
    rx = rx_cfg(&s, 0, NULL);
    assert_int_equal(send_at(rx, &s, "msg_r1", t0, t0, &dup, true), 204);
    assert_false(dup);
    assert_int_equal(send_at(rx, &s, "msg_r1", t0 + 30, t0, &dup, true), 204);
    assert_true(dup);
    assert_int_equal(send_at(rx, &s, "msg_r1", t0 + 60, t0, &dup, true), 204);
    assert_true(dup);
    /* Past the tolerance the replay fails the timestamp check. */
    assert_int_equal(send_at(rx, &s, "msg_r1", t0 + 61, t0, &dup, true), 401);
    ugw_receiver_free(rx);
}

static void test_window_forgets_expired_ids(void **state)
{
    ugw_secret s;
    ugw_receiver *rx;
    ugw_receiver_stats st;
    int64_t t0 = (int64_t)time(NULL);
    char id[32];
    (void)state;
    assert_int_equal(ugw_secret_generate(&s, NULL, 0), UGW_OK);
    rx = rx_cfg(&s, 0, NULL);
    for (int i = 0; i < 100; i++) {
        snprintf(id, sizeof id, "msg_e%d", i);
        assert_int_equal(send_at(rx, &s, id, t0, t0, NULL, true), 204);
    }
    ugw_receiver_stats_get(rx, &st);
    assert_int_equal(st.remembered, 100);
    /* Once their window is over, the next request drops them. */
    assert_int_equal(send_at(rx, &s, "msg_late", t0 + 200, t0 + 200, NULL, true), 204);
    ugw_receiver_stats_get(rx, &st);
    assert_int_equal(st.remembered, 1);
    ugw_receiver_free(rx);
}

static void test_failed_store_releases_the_id(void **state)
{
    ugw_receiver *rx = rx_cfg(NULL, 0, NULL);
    req_t r;
    bool dup;
    (void)state;
    req_init(&r, "POST", BODY_OK, "msg_fail");
    assert_int_equal(ugw_receiver_handle(rx, &r.req, &r.res), 204);
    assert_int_equal(ugw_receiver_finish(rx, &r.res, false), 503);
    expect_answer(&r.res, 503, "io", "");
    assert_int_equal(r.res.retry_after, 1);
    /* The sender's retry is processed as new, not as a duplicate. */
    assert_int_equal(send_at(rx, NULL, "msg_fail", 0, 0, &dup, true), 204);
    assert_false(dup);
    assert_int_equal(send_at(rx, NULL, "msg_fail", 0, 0, &dup, true), 204);
    assert_true(dup);
    /* Without an id, a failed store is a 503 too. */
    req_init(&r, "POST", BODY_OK, NULL);
    assert_int_equal(ugw_receiver_handle(rx, &r.req, &r.res), 204);
    assert_int_equal(ugw_receiver_finish(rx, &r.res, false), 503);
    ugw_receiver_free(rx);
}

static void test_repeat_while_storing_503(void **state)
{
    ugw_receiver *rx = rx_cfg(NULL, 0, NULL);
    req_t a, b;
    (void)state;
    req_init(&a, "POST", BODY_OK, "msg_p");
    req_init(&b, "POST", BODY_OK, "msg_p");
    assert_int_equal(ugw_receiver_handle(rx, &a.req, &a.res), 204);
    assert_int_equal(ugw_receiver_handle(rx, &b.req, &b.res), 503);
    expect_answer(&b.res, 503, "full", "webhook-id");
    assert_int_equal(b.res.retry_after, 1);
    ugw_receiver_finish(rx, &b.res, true);
    assert_int_equal(ugw_receiver_finish(rx, &a.res, true), 204);
    ugw_receiver_free(rx);
}

/* A window full of live ids answers 503 with Retry-After to a new event,
 * signed or not, and forgets none of them. */
static void test_full_window_503_forgets_no_live_id(void **state)
{
    ugw_secret s;
    ugw_receiver *rx;
    ugw_receiver_stats st;
    int64_t t0 = (int64_t)time(NULL);
    bool dup;
    req_t r;
    (void)state;
    assert_int_equal(ugw_secret_generate(&s, NULL, 0), UGW_OK);
    rx = rx_cfg(&s, 2, NULL);
    assert_int_equal(send_at(rx, &s, "msg_f1", t0, t0 - 20, NULL, true), 204); /* until t0 + 40 */
    assert_int_equal(send_at(rx, &s, "msg_f2", t0, t0, NULL, true), 204);
    req_init(&r, "POST", BODY_OK, "msg_f3");
    req_sign(&r, &s, t0);
    r.req.now = t0;
    assert_int_equal(ugw_receiver_handle(rx, &r.req, &r.res), 503);
    expect_answer(&r.res, 503, "full", "");
    assert_int_equal(r.res.retry_after, 41); /* msg_f1 is forgotten after t0 + 40 */
    ugw_receiver_finish(rx, &r.res, true);
    /* The remembered ids are still duplicates: nothing was forgotten early. */
    assert_int_equal(send_at(rx, &s, "msg_f1", t0, t0 - 20, &dup, true), 204);
    assert_true(dup);
    assert_int_equal(send_at(rx, &s, "msg_f2", t0, t0, &dup, true), 204);
    assert_true(dup);
    ugw_receiver_stats_get(rx, &st);
    assert_int_equal(st.window_full, 1);
    assert_int_equal(st.capacity, 2);
    assert_int_equal(st.remembered, 2);
    /* Once msg_f1 has left the tolerance it makes room. */
    assert_int_equal(send_at(rx, &s, "msg_f3", t0 + 41, t0 + 41, &dup, true), 204);
    assert_false(dup);
    ugw_receiver_free(rx);

    /* Unsigned events too: the oldest id is not forgotten to make room. */
    rx = rx_cfg(NULL, 2, NULL);
    assert_int_equal(send_at(rx, NULL, "msg_u1", t0, 0, NULL, true), 204);
    assert_int_equal(send_at(rx, NULL, "msg_u2", t0, 0, NULL, true), 204);
    assert_int_equal(send_at(rx, NULL, "msg_u3", t0, 0, NULL, true), 503);
    assert_int_equal(send_at(rx, NULL, "msg_u1", t0, 0, &dup, true), 204);
    assert_true(dup);
    ugw_receiver_stats_get(rx, &st);
    assert_int_equal(st.remembered, 2);
    assert_int_equal(st.window_full, 1);
    ugw_receiver_free(rx);
}

/* Expired ids make room wherever they are: one that lives longer and came
 * first does not hide those behind it. */
static void test_full_window_sweeps_expired_ids(void **state)
{
    ugw_secret s;
    ugw_receiver *rx;
    ugw_receiver_stats st;
    int64_t t0 = (int64_t)time(NULL);
    bool dup;
    (void)state;
    assert_int_equal(ugw_secret_generate(&s, NULL, 0), UGW_OK);
    rx = rx_cfg(&s, 3, NULL);
    assert_int_equal(send_at(rx, &s, "msg_long", t0, t0 + 50, NULL, true), 204); /* until t0 + 110 */
    assert_int_equal(send_at(rx, &s, "msg_s1", t0, t0 - 50, NULL, true), 204);   /* until t0 + 10 */
    assert_int_equal(send_at(rx, &s, "msg_s2", t0, t0 - 50, NULL, true), 204);
    assert_int_equal(send_at(rx, &s, "msg_new", t0 + 5, t0, NULL, true), 503); /* all live */
    /* At t0 + 11 the two short ones have expired behind msg_long. */
    assert_int_equal(send_at(rx, &s, "msg_new", t0 + 11, t0, &dup, true), 204);
    assert_false(dup);
    assert_int_equal(send_at(rx, &s, "msg_new2", t0 + 11, t0, &dup, true), 204);
    assert_false(dup);
    assert_int_equal(send_at(rx, &s, "msg_long", t0 + 11, t0 + 50, &dup, true), 204);
    assert_true(dup);
    ugw_receiver_stats_get(rx, &st);
    assert_int_equal(st.remembered, 3);
    assert_int_equal(st.expired, 2);
    ugw_receiver_free(rx);
}

static void test_capacity_limits(void **state)
{
    ugw_receiver_config c;
    ugw_receiver_stats st;
    ugw_receiver *rx;
    ugw_error err;
    (void)state;
    memset(&c, 0, sizeof c);
    c.schema = &ugw_schema_events;
    c.replay_capacity = UGW_RECEIVER_MAX_REPLAY_CAPACITY + 1;
    assert_null(ugw_receiver_new(&c, &err));
    assert_int_equal(err.code, UGW_ERR_ARG);
    assert_string_equal(err.path, "replay_capacity");
    c.replay_capacity = 0;
    rx = ugw_receiver_new(&c, &err);
    assert_non_null(rx);
    ugw_receiver_stats_get(rx, &st);
    assert_int_equal(st.capacity, UGW_RECEIVER_DEFAULT_REPLAY_CAPACITY);
    assert_int_equal(st.remembered, 0);
    ugw_receiver_free(rx);
}

static void test_many_ids_one_bucket_is_not_slow(void **state)
{
    /* Ids chosen by the client cannot be made to collide without the
     * random key: 50,000 similar ids go in and are found quickly. */
    ugw_receiver *rx = rx_cfg(NULL, 60000, NULL);
    struct timespec a, b;
    char id[32];
    bool dup;
    (void)state;
    clock_gettime(CLOCK_MONOTONIC, &a);
    for (int i = 0; i < 50000; i++) {
        snprintf(id, sizeof id, "msg_%08d", i);
        assert_int_equal(send_at(rx, NULL, id, 0, 0, NULL, true), 204);
    }
    assert_int_equal(send_at(rx, NULL, "msg_00000007", 0, 0, &dup, true), 204);
    assert_true(dup);
    clock_gettime(CLOCK_MONOTONIC, &b);
    assert_true((b.tv_sec - a.tv_sec) < 30); /* generous: about 0.1 s on a laptop */
    ugw_receiver_free(rx);
}

static void test_state_file_survives_restart(void **state)
{
    ugw_secret s;
    ugw_receiver *rx;
    struct stat st;
    int64_t t0 = (int64_t)time(NULL);
    bool dup;
    (void)state;
    assert_int_equal(ugw_secret_generate(&s, NULL, 0), UGW_OK);
    rx = rx_cfg(&s, 0, state_path);
    assert_non_null(rx);
    assert_int_equal(send_at(rx, &s, "msg_s1", t0, t0, NULL, true), 204);
    assert_int_equal(send_at(rx, &s, "msg_s2", t0, t0, NULL, false), 503);
    ugw_receiver_free(rx);
    assert_int_equal(stat(state_path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);

    rx = rx_cfg(&s, 0, state_path);
    assert_non_null(rx);
    assert_int_equal(send_at(rx, &s, "msg_s1", t0, t0, &dup, true), 204);
    assert_true(dup); /* remembered across the restart */
    assert_int_equal(send_at(rx, &s, "msg_s2", t0, t0, &dup, true), 204);
    assert_false(dup); /* its store failed: never remembered */
    ugw_receiver_free(rx);
}

static void test_state_file_drops_expired_torn_and_malformed(void **state)
{
    ugw_receiver *rx;
    ugw_receiver_stats st;
    FILE *f;
    char buf[512];
    size_t n;
    long long now = (long long)time(NULL);
    bool dup;
    (void)state;
    f = fopen(state_path, "w");
    assert_non_null(f);
    fprintf(f, "%lld msg_live\n", now + 100);
    fprintf(f, "%lld msg_old\n", now - 100);
    fprintf(f, "notanumber msg_bad\n%lld has space\n%lld\n", now + 100, now + 100);
    fprintf(f, "99999999999999999999999 msg_big\n%lld msg_torn", now + 100);
    fclose(f);
    chmod(state_path, 0644);

    rx = rx_cfg(NULL, 0, state_path);
    assert_non_null(rx);
    ugw_receiver_stats_get(rx, &st);
    assert_int_equal(st.remembered, 1);
    assert_int_equal(send_at(rx, NULL, "msg_live", 0, 0, &dup, true), 204);
    assert_true(dup);
    assert_int_equal(send_at(rx, NULL, "msg_torn", 0, 0, &dup, true), 204);
    assert_false(dup);
    ugw_receiver_free(rx);

    /* Rewritten 0600 with whole records only. */
    {
        struct stat sb;
        assert_int_equal(stat(state_path, &sb), 0);
        assert_int_equal(sb.st_mode & 0777, 0600);
    }
    f = fopen(state_path, "r");
    n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    assert_non_null(strstr(buf, " msg_live\n"));
    assert_non_null(strstr(buf, " msg_torn\n"));
    assert_null(strstr(buf, "msg_old"));
    assert_null(strstr(buf, "msg_bad"));
    assert_true(n > 0 && buf[n - 1] == '\n');
}

/* Counts the lines of the state file. */
static size_t state_lines(void)
{
    FILE *f = fopen(state_path, "r");
    size_t n = 0;
    int c;
    assert_non_null(f);
    while ((c = fgetc(f)) != EOF)
        n += c == '\n';
    fclose(f);
    return n;
}

/* 10,000 ids over 200 seconds of a 60-second window: the file is rewritten
 * as it grows (never more than twice the capacity in records), and a
 * restart knows the live ids and not the expired ones. */
static void test_state_file_rewritten_as_it_grows(void **state)
{
    int64_t t0 = (int64_t)time(NULL) - 200, now = t0;
    ugw_receiver *rx = rx_cfg(NULL, 4000, state_path);
    ugw_receiver_stats st;
    char id[32];
    size_t peak = 0;
    bool dup;
    (void)state;
    assert_non_null(rx);
    for (int i = 0; i < 10000; i++) {
        now = t0 + i / 50;
        snprintf(id, sizeof id, "msg_g%d", i);
        assert_int_equal(send_at(rx, NULL, id, now, 0, NULL, true), 204);
        if (i % 500 == 0) {
            size_t n = state_lines();
            peak = n > peak ? n : peak;
        }
    }
    ugw_receiver_stats_get(rx, &st);
    assert_true(st.remembered <= 4000);
    assert_int_equal(st.state_errors, 0);
    assert_int_equal(st.window_full, 0);
    ugw_receiver_free(rx);
    assert_true(peak > 4096);     /* it grew past the threshold... */
    assert_true(peak <= 2 * 4000 + 1); /* ...and was rewritten */
    assert_true(state_lines() <= 2 * 4000 + 1);

    rx = rx_cfg(NULL, 4000, state_path);
    assert_non_null(rx);
    assert_int_equal(send_at(rx, NULL, "msg_g9999", now, 0, &dup, true), 204);
    assert_true(dup);
    assert_int_equal(send_at(rx, NULL, "msg_g0", now, 0, &dup, true), 204);
    assert_false(dup);
    ugw_receiver_free(rx);
}

/* A state file with more live ids than the window holds is an error at
 * start (raise the capacity), not a silent loss of ids. */
static void test_state_file_over_capacity(void **state)
{
    ugw_receiver_config c;
    ugw_error err;
    long long later = (long long)time(NULL) + 100;
    FILE *f = fopen(state_path, "w");
    (void)state;
    assert_non_null(f);
    fprintf(f, "%lld msg_a\n%lld msg_b\n%lld msg_c\n", later, later, later);
    fclose(f);
    memset(&c, 0, sizeof c);
    c.schema = &ugw_schema_events;
    c.replay_path = state_path;
    c.replay_capacity = 2;
    assert_null(ugw_receiver_new(&c, &err));
    assert_int_equal(err.code, UGW_ERR_LIMIT);
    assert_string_equal(err.path, "replay_capacity");
    c.replay_capacity = 3;
    ugw_receiver_free(ugw_receiver_new(&c, &err));
    assert_int_equal(err.code, UGW_OK);
}

static void test_state_file_unusable_is_an_error(void **state)
{
    ugw_receiver_config c;
    ugw_error err;
    char p[160];
    (void)state;
    memset(&c, 0, sizeof c);
    c.schema = &ugw_schema_events;
    snprintf(p, sizeof p, "%s/no/such/dir/replay", dir);
    c.replay_path = p;
    assert_null(ugw_receiver_new(&c, &err));
    assert_int_equal(err.code, UGW_ERR_IO);
    /* A directory in place of the file. */
    c.replay_path = dir;
    assert_null(ugw_receiver_new(&c, &err));
    assert_int_equal(err.code, UGW_ERR_IO);
}

/* Many threads on one receiver: each event once new, then a duplicate;
 * the pool hands each request its own decoder and payload. */
#define THREADS 8
#define PER_THREAD 400

static void *worker(void *arg)
{
    ugw_receiver *rx = ((void **)arg)[0];
    int t = *(int *)((void **)arg)[1];
    char id[32];
    bool dup;
    for (int i = 0; i < PER_THREAD; i++) {
        snprintf(id, sizeof id, "msg_t%d_%d", t, i);
        if (send_at(rx, NULL, id, 0, 0, &dup, true) != 204 || dup)
            return (void *)1;
        if (send_at(rx, NULL, id, 0, 0, &dup, true) != 204 || !dup)
            return (void *)1;
    }
    return NULL;
}

static void test_threads_share_one_receiver(void **state)
{
    ugw_receiver *rx = rx_cfg(NULL, 0, NULL);
    ugw_receiver_stats st;
    pthread_t th[THREADS];
    int ids[THREADS];
    void *args[THREADS][2];
    (void)state;
    for (int t = 0; t < THREADS; t++) {
        ids[t] = t;
        args[t][0] = rx;
        args[t][1] = &ids[t];
        assert_int_equal(pthread_create(&th[t], NULL, worker, args[t]), 0);
    }
    for (int t = 0; t < THREADS; t++) {
        void *r;
        pthread_join(th[t], &r);
        assert_null(r);
    }
    ugw_receiver_stats_get(rx, &st);
    assert_int_equal(st.remembered, THREADS * PER_THREAD);
    ugw_receiver_free(rx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_duplicate_inside_window_401_after),
        cmocka_unit_test(test_window_forgets_expired_ids),
        cmocka_unit_test(test_failed_store_releases_the_id),
        cmocka_unit_test(test_repeat_while_storing_503),
        cmocka_unit_test(test_full_window_503_forgets_no_live_id),
        cmocka_unit_test(test_full_window_sweeps_expired_ids),
        cmocka_unit_test(test_capacity_limits),
        cmocka_unit_test(test_many_ids_one_bucket_is_not_slow),
        cmocka_unit_test(test_threads_share_one_receiver),
        cmocka_unit_test_setup_teardown(test_state_file_survives_restart, setup, teardown),
        cmocka_unit_test_setup_teardown(test_state_file_drops_expired_torn_and_malformed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_state_file_unusable_is_an_error, setup, teardown),
        cmocka_unit_test_setup_teardown(test_state_file_rewritten_as_it_grows, setup, teardown),
        cmocka_unit_test_setup_teardown(test_state_file_over_capacity, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
