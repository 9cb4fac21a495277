/*
 * test_client_lifecycle.c - the delivery client's lifecycle rules, each a
 * regression test: flush() and close() from the outcome callback are
 * refused (they would wait for the thread that runs them); close() while
 * other threads wait in enqueue() or send() wakes them and frees nothing
 * under them (AddressSanitizer and valgrind check the "nothing"); send()
 * keeps libcurl's error text; a decoder given a caller's arena without its
 * size is refused; the library writes nothing to stderr, even when a dead
 * letter cannot be written (the outcome and the counters say so).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "client_support.h"

/* ------------------------------------------------------------------ */
/* flush() and close() from the outcome callback                        */
/* ------------------------------------------------------------------ */

typedef struct {
    ugw_client *c;
    int calls;
    ugw_status flush_st, close_st;
    int64_t flush_ms;
} reentry_ctx;

static void reentry_outcome(const ugw_outcome *o, void *ctx)
{
    reentry_ctx *r = ctx;
    int64_t t0;
    (void)o;
    if (r->calls++)
        return;
    t0 = now_ms();
    r->flush_st = ugw_client_flush(r->c, -1); /* used to deadlock */
    r->flush_ms = now_ms() - t0;
    r->close_st = ugw_client_close(r->c, -1); /* used to join its own thread */
}

static void test_flush_and_close_from_callback_refused(void **state)
{
    fx *t = *state;
    test_receiver *tr = start_rx(t, NULL);
    ugw_client_config cfg = base_cfg(t, tr_url(tr));
    reentry_ctx r;
    char id[UGW_WEBHOOK_ID_MAX];
    memset(&r, 0, sizeof r);
    cfg.on_outcome = reentry_outcome;
    cfg.on_outcome_ctx = &r;
    start_client(t, &cfg);
    r.c = t->c;
    assert_int_equal(enqueue_fixture(t->c, 0, -1, NULL, id), UGW_OK);
    assert_int_equal(ugw_client_flush(t->c, upper_ms(10000)), UGW_OK);
    assert_int_equal(r.calls, 1);
    assert_int_equal(r.flush_st, UGW_ERR_ARG);
    assert_int_equal(r.close_st, UGW_ERR_ARG);
    assert_true(r.flush_ms < upper_ms(1000));
    /* the client still works, and closes from its owner */
    assert_int_equal(enqueue_fixture(t->c, 1, -1, NULL, id), UGW_OK);
    assert_int_equal(ugw_client_flush(t->c, upper_ms(10000)), UGW_OK);
    assert_int_equal(close_client(t, 0), UGW_OK);
}

/* ------------------------------------------------------------------ */
/* close() with threads waiting in enqueue() and send()                 */
/* ------------------------------------------------------------------ */

static void test_close_with_waiters(void **state)
{
    fx *t = *state;
    tr_config rc;
    test_receiver *tr;
    ugw_client_config cfg;
    waiter w[4];
    char id[UGW_WEBHOOK_ID_MAX];
    ugw_client *c;
    memset(&rc, 0, sizeof rc);
    rc.default_action.delay_ms = 5000; /* nothing finishes on its own */
    tr = start_rx(t, &rc);
    cfg = base_cfg(t, tr_url(tr));
    cfg.queue_capacity = 1;
    cfg.max_in_flight = 1;
    start_client(t, &cfg);
    assert_int_equal(enqueue_fixture(t->c, 0, -1, NULL, id), UGW_OK); /* the queue is full */
    for (int i = 0; i < 4; i++)
        waiter_start(&w[i], t->c, i % 2 == 1, NULL);
    sleep_ms(200); /* all four wait for room */
    c = t->c;
    t->c = NULL;
    assert_int_equal(ugw_client_close(c, 0), UGW_ERR_TIMEOUT); /* the first is handed back */
    for (int i = 0; i < 4; i++)
        assert_int_equal(waiter_join(&w[i]), UGW_ERR_CLOSED);
}

/* close() while send() calls wait for the outcome of their accepted events:
 * it hands them back as closed and wakes the senders, and frees the client
 * only once they have left it (before, it freed the mutex and the condition
 * under them: AddressSanitizer and valgrind see that use after free). */
static void test_close_with_senders_waiting_for_outcomes(void **state)
{
    fx *t = *state;
    tr_config rc;
    ugw_client_config cfg;
    waiter w[4];
    ugw_client *c;
    ugw_client_stats st;
    memset(&rc, 0, sizeof rc);
    rc.default_action.delay_ms = 5000; /* nothing finishes on its own */
    cfg = base_cfg(t, tr_url(start_rx(t, &rc)));
    cfg.queue_capacity = 16;
    cfg.max_in_flight = 1;
    start_client(t, &cfg);
    for (int i = 0; i < 4; i++)
        waiter_start(&w[i], t->c, true, NULL);
    do { /* all four accepted: each waits for its outcome */
        sleep_ms(20);
        ugw_client_stats_get(t->c, &st);
    } while (st.accepted < 4);
    sleep_ms(100);
    c = t->c;
    t->c = NULL;
    assert_int_equal(ugw_client_close(c, 0), UGW_ERR_TIMEOUT);
    for (int i = 0; i < 4; i++) {
        assert_int_equal(waiter_join(&w[i]), UGW_ERR_DELIVERY);
        assert_int_equal(w[i].out.result, UGW_RESULT_CLOSED);
    }
}

/* ------------------------------------------------------------------ */
/* send() keeps libcurl's error text                                    */
/* ------------------------------------------------------------------ */

static void test_send_keeps_error_text(void **state)
{
    fx *t = *state;
    char url[64];
    ugw_client_config cfg;
    ugw_outcome out;
    ugw_error err;
    int port = tr_refused_port();
    assert_true(port > 0);
    snprintf(url, sizeof url, "http://127.0.0.1:%d/hook", port);
    cfg = base_cfg(t, url);
    cfg.max_attempts = 1;
    start_client(t, &cfg);
    assert_int_equal(ugw_client_send_body(t->c, "{}", 2, UGW_FORMAT_JSON, "x", NULL, &out, &err),
                     UGW_ERR_DELIVERY);
    assert_int_equal(out.result, UGW_RESULT_ATTEMPTS);
    assert_int_not_equal(out.curl_code, 0);
    assert_non_null(out.error);
    assert_true(strlen(out.error) > 0); /* was "" */
    assert_null(out.body);
    assert_null(out.event);
}

/* ------------------------------------------------------------------ */
/* A caller's arena needs its size                                      */
/* ------------------------------------------------------------------ */

static void test_decoder_arena_without_size_refused(void **state)
{
    (void)state;
    static uint64_t arena[1024]; /* 8 KiB, far below the 64 KiB once assumed */
    ugw_decode_opts o;
    ugw_decoder *d;
    memset(&o, 0, sizeof o);
    o.arena = arena;
    assert_null(ugw_decoder_new(&o));
    o.arena_size = sizeof arena;
    o.max_tokens = 64;
    d = ugw_decoder_new(&o);
    assert_non_null(d);
    assert_int_equal(ugw_decoder_opts(d)->arena_size, sizeof arena);
    ugw_decoder_free(d);
}

/* ------------------------------------------------------------------ */
/* Nothing on stderr                                                    */
/* ------------------------------------------------------------------ */

static int failed_dl_errno;

static void note_dead_letter_errno(const ugw_outcome *o, void *ctx)
{
    failed_dl_errno = o->dead_letter_errno;
    on_outcome(o, ctx);
}

/* A dead letter that cannot be written (/dev/full: every write fails with
 * ENOSPC) reaches the caller in the outcome and the counters; the library
 * prints nothing (it used to print a line to stderr, out of the caller's
 * control). */
static void test_library_writes_nothing_to_stderr(void **state)
{
    fx *t = *state;
    tr_config rc;
    ugw_client_config cfg;
    ugw_client_stats st;
    char id[UGW_WEBHOOK_ID_MAX], errpath[] = "/tmp/ugw-stderr-XXXXXX";
    int saved = dup(2), cap = mkstemp(errpath);
    off_t written;
    assert_true(saved >= 0 && cap >= 0);
    memset(&rc, 0, sizeof rc);
    rc.default_action.status = 400; /* rejected: a dead letter */
    cfg = base_cfg(t, tr_url(start_rx(t, &rc)));
    cfg.dead_letter_path = "/dev/full";
    cfg.on_outcome = note_dead_letter_errno;
    fflush(stderr);
    assert_int_equal(dup2(cap, 2), 2); /* stderr into the file, for the client's life */
    start_client(t, &cfg);
    assert_int_equal(enqueue_fixture(t->c, 0, 0, NULL, id), UGW_OK);
    assert_true(col_wait(&t->col, 1, 10000));
    ugw_client_stats_get(t->c, &st);
    assert_int_equal(close_client(t, upper_ms(1000)), UGW_OK);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    written = lseek(cap, 0, SEEK_END);
    close(cap);
    unlink(errpath);
    assert_int_equal(written, 0);
    assert_int_equal(failed_dl_errno, ENOSPC);
    assert_int_equal(st.dead_letter_failed, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, fx_setup, fx_teardown)
        T(test_flush_and_close_from_callback_refused),
        T(test_close_with_waiters),
        T(test_close_with_senders_waiting_for_outcomes),
        T(test_send_keeps_error_text),
        T(test_decoder_arena_without_size_refused),
        T(test_library_writes_nothing_to_stderr),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
