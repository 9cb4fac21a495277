/*
 * test_client_producers.c - the delivery client's queue from the producers'
 * side: a capacity too large to hold is refused or works (never a heap
 * smaller than the queue), and eight threads enqueueing 4,000 events through
 * a small queue get each delivered exactly once with ids all distinct.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "client_support.h"

/* A queue capacity too large to hold is refused, or works: never a heap
 * that is smaller than the queue (checked by ASan and by close below). */
static void test_huge_queue_capacity(void **state)
{
    fx *t = *state;
    const tr_action ra5 = { .status = 503, .retry_after = "5" };
    tr_config rc;
    test_receiver *tr;
    ugw_client_config cfg;
    ugw_error err;
    ugw_client *c;
    char id[UGW_WEBHOOK_ID_MAX];
    memset(&rc, 0, sizeof rc);
    rc.default_action = ra5;
    tr = start_rx(t, &rc);
    cfg = base_cfg(t, tr_url(tr));
    /* sizeof(pointer) * capacity wraps around to a small number */
    cfg.queue_capacity = SIZE_MAX / sizeof(void *) + 2;
    c = ugw_client_new(&cfg, &err);
    if (!c) {
        assert_true(err.code == UGW_ERR_ARG || err.code == UGW_ERR_NOMEM);
        return;
    }
    t->c = c;
    for (size_t i = 0; i < 6; i++)
        assert_int_equal(enqueue_fixture(c, i, 0, NULL, id), UGW_OK);
    /* all six wait in the retry heap for their Retry-After */
    assert_true(tr_wait_count(tr, 6, 5000));
    sleep_ms(100);
    assert_int_equal(close_client(t, 0), UGW_ERR_TIMEOUT);
    assert_int_equal(col_count(&t->col), 6);
}

/* ------------------------------------------------------------------ */
/* Many threads                                                          */
/* ------------------------------------------------------------------ */

enum { THREADS = 8, PER_THREAD = 500 };

typedef struct producer {
    ugw_client *c;
    size_t base;
    char (*ids)[UGW_WEBHOOK_ID_MAX];
    int errors;
} producer;

static void *produce(void *arg)
{
    producer *p = arg;
    for (size_t i = 0; i < PER_THREAD; i++) {
        ugw_error err;
        if (ugw_client_enqueue(p->c, fixture_at(p->base + i), -1, NULL, p->ids[p->base + i], &err) != UGW_OK)
            p->errors++;
    }
    return NULL;
}

static void test_many_threads(void **state)
{
    fx *t = *state;
    const size_t N = THREADS * PER_THREAD;
    test_receiver *tr = start_rx(t, NULL);
    ugw_client_config cfg = base_cfg(t, tr_url(tr));
    char (*ids)[UGW_WEBHOOK_ID_MAX] = calloc(N, sizeof *ids);
    pthread_t th[THREADS];
    producer ps[THREADS];
    ugw_client_stats s;

    assert_non_null(ids);
    cfg.queue_capacity = 256; /* producers also wait for room */
    cfg.secret = SECRET;
    start_client(t, &cfg);
    for (size_t i = 0; i < THREADS; i++) {
        ps[i].c = t->c;
        ps[i].base = i * PER_THREAD;
        ps[i].ids = ids;
        ps[i].errors = 0;
        assert_int_equal(pthread_create(&th[i], NULL, produce, &ps[i]), 0);
    }
    for (size_t i = 0; i < THREADS; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(ps[i].errors, 0);
    }
    assert_int_equal(ugw_client_flush(t->c, upper_ms(60000)), UGW_OK);
    ugw_client_stats_get(t->c, &s);
    assert_int_equal(s.accepted, N);
    assert_int_equal(s.delivered, N);
    assert_int_equal(s.failed, 0);
    assert_int_equal(tr_count(tr), N);
    assert_int_equal(tr_distinct_ids(tr), N);
    assert_int_equal(col_count(&t->col), N);
    qsort(ids, N, sizeof *ids, cmp_id);
    qsort(t->col.recs, t->col.n, sizeof *t->col.recs, cmp_rec);
    for (size_t i = 0; i < N; i++) {
        if (i > 0)
            assert_true(strcmp(ids[i - 1], ids[i]) < 0);
        assert_string_equal(t->col.recs[i].id, ids[i]);
        assert_int_equal(t->col.recs[i].result, UGW_RESULT_DELIVERED);
        assert_int_equal(tr_count_2xx_for_id(tr, ids[i]), 1);
    }
    free(ids);
}

/* ------------------------------------------------------------------ */

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, fx_setup, fx_teardown)
        T(test_huge_queue_capacity),
        T(test_many_threads),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
