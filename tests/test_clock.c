/*
 * test_clock.c - the client's and the HTTP receiver's timing follows the
 * monotonic clock, whatever the wall clock does.
 *
 * The wall clock of a test machine cannot be changed (it is shared, and it
 * takes root), so this program brings its own: it defines clock_gettime()
 * and time(), which take precedence over the C library's for every caller
 * in the process (the libraries under test, libcurl, libmicrohttpd). The
 * monotonic clocks pass through to the kernel unchanged; CLOCK_REALTIME is
 * set back an hour, or made to run an hour per second, as each test needs.
 * A wait whose deadline is taken from CLOCK_REALTIME then ends at once
 * (the kernel's own wall clock is an hour past it) or never, and a
 * duration measured with it is an hour per second: each test asserts that
 * neither happens.
 */
#define _DEFAULT_SOURCE /* syscall() */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <ugw/ugw_receiver.h>
#include <ugw/ugw_receiver_mhd.h>

#include "client_support.h"

/* ------------------------------------------------------------------ */
/* The process's wall clock                                             */
/* ------------------------------------------------------------------ */

enum { WALL_REAL = 0, WALL_HOUR_BACK, WALL_HOUR_PER_SECOND };

static atomic_int wall_mode;
static int64_t wall_start_ns; /* real wall clock when the fast mode began */

static int64_t ns_of(const struct timespec *ts)
{
    return (int64_t)ts->tv_sec * 1000000000 + ts->tv_nsec;
}

int clock_gettime(clockid_t id, struct timespec *ts)
{
    int64_t ns;
    int r = (int)syscall(SYS_clock_gettime, id, ts);
    if (r != 0 || (id != CLOCK_REALTIME && id != CLOCK_REALTIME_COARSE))
        return r;
    switch (atomic_load(&wall_mode)) {
    case WALL_HOUR_BACK:
        ts->tv_sec -= 3600;
        break;
    case WALL_HOUR_PER_SECOND:
        ns = ns_of(ts);
        ns += (ns - wall_start_ns) * 3599;
        ts->tv_sec = (time_t)(ns / 1000000000);
        ts->tv_nsec = (long)(ns % 1000000000);
        break;
    default:
        break;
    }
    return 0;
}

time_t time(time_t *out)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    if (out)
        *out = ts.tv_sec;
    return ts.tv_sec;
}

static void wall_set(int mode)
{
    struct timespec ts;
    syscall(SYS_clock_gettime, CLOCK_REALTIME, &ts);
    wall_start_ns = ns_of(&ts);
    atomic_store(&wall_mode, mode);
}

static int wall_reset(void **state)
{
    atomic_store(&wall_mode, WALL_REAL);
    return fx_teardown(state);
}

/* The fake is in force: the tests below mean something. */
static void test_the_wall_clock_is_ours(void **state)
{
    struct timespec real, fake, mono1, mono2;
    (void)state;
    wall_set(WALL_HOUR_BACK);
    syscall(SYS_clock_gettime, CLOCK_REALTIME, &real);
    clock_gettime(CLOCK_REALTIME, &fake);
    assert_true(real.tv_sec - fake.tv_sec >= 3599 && real.tv_sec - fake.tv_sec <= 3601);
    assert_true(time(NULL) <= real.tv_sec - 3599);
    wall_set(WALL_HOUR_PER_SECOND);
    clock_gettime(CLOCK_MONOTONIC, &mono1);
    clock_gettime(CLOCK_REALTIME, &real);
    sleep_ms(100);
    clock_gettime(CLOCK_MONOTONIC, &mono2);
    clock_gettime(CLOCK_REALTIME, &fake);
    assert_true(fake.tv_sec - real.tv_sec >= 300);        /* 100 ms: over 5 minutes of wall clock */
    assert_true(ns_of(&mono2) - ns_of(&mono1) < 5000000000); /* and of monotonic time, not */
    atomic_store(&wall_mode, WALL_REAL);
}

/* ------------------------------------------------------------------ */
/* The client                                                           */
/* ------------------------------------------------------------------ */

/* A client whose only place is taken by an event the receiver holds. */
static void full_client(fx *t)
{
    static const tr_action hold = { .status = 204, .delay_ms = 8000 };
    tr_config rc;
    ugw_client_config cfg;
    char id[UGW_WEBHOOK_ID_MAX];
    memset(&rc, 0, sizeof rc);
    rc.default_action = hold;
    cfg = base_cfg(t, tr_url(start_rx(t, &rc)));
    cfg.queue_capacity = 1;
    cfg.max_in_flight = 1;
    cfg.timeout_ms = 20000;
    start_client(t, &cfg);
    assert_int_equal(enqueue_fixture(t->c, 0, 0, NULL, id), UGW_OK);
    assert_true(tr_wait_count(t->tr, 1, 5000));
}

/* A wait for room in the queue lasts its time with the wall clock an hour
 * behind (a deadline from CLOCK_REALTIME would already be past). */
static void test_enqueue_wait_ignores_the_wall_clock(void **state)
{
    fx *t = *state;
    char id[UGW_WEBHOOK_ID_MAX];
    int64_t t0, took;
    full_client(t);
    wall_set(WALL_HOUR_BACK);
    t0 = now_ms();
    assert_int_equal(enqueue_fixture(t->c, 1, 1500, NULL, id), UGW_ERR_FULL);
    took = now_ms() - t0;
    print_message("enqueue waited %lld ms of 1500 with the wall clock an hour behind\n", (long long)took);
    assert_true(took >= 1400);
    assert_true(took < 6000);
    assert_int_equal(close_client(t, 0), UGW_ERR_TIMEOUT);
}

/* flush() with a timeout, likewise. */
static void test_flush_timeout_ignores_the_wall_clock(void **state)
{
    fx *t = *state;
    int64_t t0, took;
    full_client(t);
    wall_set(WALL_HOUR_BACK);
    t0 = now_ms();
    assert_int_equal(ugw_client_flush(t->c, 1500), UGW_ERR_TIMEOUT);
    took = now_ms() - t0;
    print_message("flush waited %lld ms of 1500 with the wall clock an hour behind\n", (long long)took);
    assert_true(took >= 1400);
    assert_true(took < 6000);
    assert_int_equal(close_client(t, 0), UGW_ERR_TIMEOUT);
}

/* The backoff before a retry and the event's age are monotonic time: with
 * the wall clock running an hour per second, a 1-second backoff still
 * takes a second, and the 10-minute max_age does not end the event when its
 * second retry is scheduled (an hour of wall clock after the first try). */
static void test_retry_timing_ignores_the_wall_clock(void **state)
{
    static const tr_action script[] = { { .status = 503 }, { .status = 503 }, { .status = 204 } };
    fx *t = *state;
    tr_config rc;
    ugw_client_config cfg;
    char id[UGW_WEBHOOK_ID_MAX];
    int64_t t0, took;
    const rec *r;
    memset(&rc, 0, sizeof rc);
    rc.script = script;
    rc.script_len = 3;
    cfg = base_cfg(t, tr_url(start_rx(t, &rc)));
    cfg.backoff_base_ms = 1000;
    cfg.backoff_max_ms = 1000;
    cfg.max_age_ms = 600000;
    wall_set(WALL_HOUR_PER_SECOND);
    start_client(t, &cfg);
    t0 = now_ms();
    assert_int_equal(enqueue_fixture(t->c, 0, 0, NULL, id), UGW_OK);
    assert_true(col_wait(&t->col, 1, 10000));
    took = now_ms() - t0;
    r = col_find(&t->col, id, NULL);
    assert_non_null(r);
    print_message("503, 503, 204 with a 1 s backoff: %s after %u attempts and %lld ms, the wall clock "
                  "running an hour per second\n", ugw_result_name(r->result), r->attempts, (long long)took);
    assert_int_equal(r->result, UGW_RESULT_DELIVERED);
    assert_int_equal(r->attempts, 3);
    assert_true(took >= 1900);
    assert_int_equal(close_client(t, 0), UGW_OK);
}

/* ------------------------------------------------------------------ */
/* The HTTP receiver's deadlines                                        */
/* ------------------------------------------------------------------ */

/* A connection that never completes its headers is closed after the header
 * deadline, not sooner and not never, with the wall clock running an hour
 * per second. */
static void test_header_deadline_ignores_the_wall_clock(void **state)
{
    static const char partial[] = "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n";
    ugw_receiver_config rc;
    ugw_receiver_mhd_config hc;
    ugw_receiver_mhd_stats st;
    ugw_receiver *rx;
    ugw_receiver_mhd *http;
    struct sockaddr_in sa;
    struct timeval tv = { 10, 0 };
    char err[256], buf[512];
    int64_t t0, took;
    int fd;
    (void)state;
    memset(&rc, 0, sizeof rc);
    rc.schema = &ugw_schema_events;
    rx = ugw_receiver_new(&rc, NULL);
    assert_non_null(rx);
    memset(&hc, 0, sizeof hc);
    hc.port = 0;
    hc.threads = 1;
    hc.header_timeout_ms = 1500;
    hc.request_timeout_ms = 3000;
    http = ugw_receiver_mhd_start(rx, &hc, err, sizeof err);
    assert_non_null(http);
    wall_set(WALL_HOUR_PER_SECOND);

    fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons(ugw_receiver_mhd_port(http));
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    assert_int_equal(send(fd, partial, sizeof partial - 1, 0), (ssize_t)(sizeof partial - 1));
    t0 = now_ms();
    while (recv(fd, buf, sizeof buf, 0) > 0)
        ; /* until the server closes (or 10 s pass) */
    took = now_ms() - t0;
    close(fd);
    ugw_receiver_mhd_stats_get(http, &st);
    ugw_receiver_mhd_stop(http);
    ugw_receiver_free(rx);
    atomic_store(&wall_mode, WALL_REAL);
    print_message("incomplete headers closed after %lld ms (deadline 1500 ms), the wall clock running an "
                  "hour per second\n", (long long)took);
    assert_true(took >= 1300);
    assert_true(took < 8000);
    assert_int_equal(st.header_timeouts, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_the_wall_clock_is_ours),
        cmocka_unit_test_setup_teardown(test_enqueue_wait_ignores_the_wall_clock, fx_setup, wall_reset),
        cmocka_unit_test_setup_teardown(test_flush_timeout_ignores_the_wall_clock, fx_setup, wall_reset),
        cmocka_unit_test_setup_teardown(test_retry_timing_ignores_the_wall_clock, fx_setup, wall_reset),
        cmocka_unit_test(test_header_deadline_ignores_the_wall_clock),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
