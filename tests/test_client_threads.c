/*
 * test_client_threads.c - delivery on several threads (delivery_threads):
 * every thread takes a share of the work, the counters stay exact with many
 * producers and workers, callbacks never run two at once, close() while
 * every thread is busy hands every event back exactly once, and a transfer
 * that stalls on one thread does not hold up the others.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client_support.h"

/* The callback's view: which threads ran it, and whether two ever ran at once. */
typedef struct spy {
    collector *col;
    pthread_mutex_t mu;
    pthread_t threads[64];
    size_t nthreads;
    atomic_int inside;
    atomic_int overlapped;
    atomic_ulong attempts; /* summed over the outcomes */
} spy;

static void spy_outcome(const ugw_outcome *o, void *ctx)
{
    spy *s = ctx;
    pthread_t self = pthread_self();
    bool known = false;
    if (atomic_fetch_add(&s->inside, 1) != 0)
        atomic_store(&s->overlapped, 1);
    pthread_mutex_lock(&s->mu);
    for (size_t i = 0; i < s->nthreads; i++)
        known = known || pthread_equal(s->threads[i], self);
    if (!known && s->nthreads < 64)
        s->threads[s->nthreads++] = self;
    pthread_mutex_unlock(&s->mu);
    atomic_fetch_add(&s->attempts, o->attempts);
    on_outcome(o, s->col);
    atomic_fetch_sub(&s->inside, 1);
}

static void spy_init(spy *s, fx *t, ugw_client_config *cfg)
{
    memset(s, 0, sizeof *s);
    s->col = &t->col;
    pthread_mutex_init(&s->mu, NULL);
    cfg->on_outcome = spy_outcome;
    cfg->on_outcome_ctx = s;
}

static size_t spy_threads(spy *s)
{
    size_t n;
    pthread_mutex_lock(&s->mu);
    n = s->nthreads;
    pthread_mutex_unlock(&s->mu);
    return n;
}

/* Starts the receiver (rc, or answers after delay_ms when rc is NULL) and
 * returns a client configuration for it with threads and slots set. */
static ugw_client_config start_threaded(fx *t, const tr_config *rc, int delay_ms, unsigned threads,
                                        unsigned slots)
{
    tr_config delayed;
    ugw_client_config cfg;
    if (!rc) {
        memset(&delayed, 0, sizeof delayed);
        delayed.default_action.delay_ms = delay_ms;
        rc = &delayed;
    }
    cfg = base_cfg(t, tr_url(start_rx(t, rc)));
    cfg.delivery_threads = threads;
    cfg.max_in_flight = slots;
    return cfg;
}

static void test_every_thread_used(void **state)
{
    fx *t = *state;
    spy s;
    ugw_client_config cfg = start_threaded(t, NULL, 300, 4, 8); /* every slot busy at once */
    spy_init(&s, t, &cfg);
    start_client(t, &cfg);
    for (size_t i = 0; i < 8; i++)
        assert_int_equal(enqueue_fixture(t->c, i, -1, NULL, NULL), UGW_OK);
    /* 8 slots over 4 threads, 2 each: the 8 requests are all in flight. */
    assert_true(tr_wait_count(t->tr, 8, 10000));
    assert_true(col_wait(&t->col, 8, 10000));
    assert_int_equal(spy_threads(&s), 4);
    assert_int_equal(atomic_load(&s.overlapped), 0);
    assert_int_equal(close_client(t, -1), UGW_OK);
    pthread_mutex_destroy(&s.mu);
}

static void test_threads_capped_by_slots(void **state)
{
    fx *t = *state;
    spy s;
    ugw_client_config cfg = start_threaded(t, NULL, 50, 16, 2); /* more threads than slots: one per slot */
    spy_init(&s, t, &cfg);
    start_client(t, &cfg);
    for (size_t i = 0; i < 20; i++)
        assert_int_equal(enqueue_fixture(t->c, i, -1, NULL, NULL), UGW_OK);
    assert_int_equal(ugw_client_flush(t->c, upper_ms(20000)), UGW_OK);
    assert_int_equal(col_count(&t->col), 20);
    assert_true(spy_threads(&s) >= 1 && spy_threads(&s) <= 2);
    assert_int_equal(close_client(t, -1), UGW_OK);
    pthread_mutex_destroy(&s.mu);
}

static void test_too_many_threads_refused(void **state)
{
    fx *t = *state;
    ugw_client_config cfg = base_cfg(t, "http://127.0.0.1:9/hook");
    ugw_error err;
    cfg.delivery_threads = UGW_CLIENT_THREADS_MAX + 1;
    assert_null(ugw_client_new(&cfg, &err));
    assert_int_equal(err.code, UGW_ERR_ARG);
    assert_string_equal(err.path, "delivery_threads");
    cfg.delivery_threads = UGW_CLIENT_THREADS_MAX; /* the most is taken, capped by the slots */
    start_client(t, &cfg);
    assert_int_equal(close_client(t, 0), UGW_OK);
}

/* Producers on several threads, workers on several threads, retries: every
 * counter adds up exactly. */
typedef struct producer {
    ugw_client *c;
    size_t from, n;
    atomic_ulong *refused;
} producer;

static void *produce(void *arg)
{
    producer *p = arg;
    for (size_t i = p->from; i < p->from + p->n; i++)
        if (enqueue_fixture(p->c, i, -1, NULL, NULL) != UGW_OK)
            atomic_fetch_add(p->refused, 1);
    return NULL;
}

static void test_counters_exact(void **state)
{
    fx *t = *state;
    tr_config rc;
    spy s;
    ugw_client_config cfg;
    ugw_client_stats st;
    pthread_t th[4];
    producer p[4];
    atomic_ulong refused;
    size_t per = 150, total = 4 * per, delivered = 0, failed = 0;
    char text[4096], line[128];
    memset(&rc, 0, sizeof rc);
    rc.random_mode = true;
    rc.seed = 7;
    rc.failure_ratio = 0.3;
    cfg = start_threaded(t, &rc, 0, 4, 8);
    cfg.queue_capacity = 64; /* producers wait for room */
    cfg.max_attempts = 3;
    cfg.backoff_base_ms = 1;
    cfg.backoff_max_ms = 5;
    cfg.dead_letter_path = t->dl_path;
    spy_init(&s, t, &cfg);
    start_client(t, &cfg);
    atomic_init(&refused, 0);
    for (int i = 0; i < 4; i++) {
        p[i].c = t->c;
        p[i].from = (size_t)i * per;
        p[i].n = per;
        p[i].refused = &refused;
        assert_int_equal(pthread_create(&th[i], NULL, produce, &p[i]), 0);
    }
    for (int i = 0; i < 4; i++)
        pthread_join(th[i], NULL);
    assert_int_equal(atomic_load(&refused), 0);
    assert_int_equal(ugw_client_flush(t->c, upper_ms(60000)), UGW_OK);
    ugw_client_stats_get(t->c, &st);
    assert_int_equal(col_count(&t->col), total);
    for (size_t i = 0; i < t->col.n; i++) {
        size_t k;
        col_find(&t->col, t->col.recs[i].id, &k);
        assert_int_equal(k, 1); /* one outcome per event */
        if (t->col.recs[i].result == UGW_RESULT_DELIVERED)
            delivered++;
        else
            failed++;
    }
    assert_int_equal(st.accepted, total);
    assert_int_equal(st.delivered, delivered);
    assert_int_equal(st.failed, failed);
    assert_int_equal(st.queued, 0);
    assert_int_equal(st.in_flight, 0);
    /* every attempt the receiver saw, and only those */
    assert_int_equal(tr_count(t->tr), atomic_load(&s.attempts));
    assert_int_equal(st.retried, atomic_load(&s.attempts) - total);
    assert_int_equal(tr_distinct_ids(t->tr), total);
    assert_true(st.retried > 0);
    assert_int_equal(atomic_load(&s.overlapped), 0);
    {
        dl_entry *es;
        size_t n = dl_read(t->dl_path, &es);
        assert_int_equal(n, failed);
        dl_free(es, n);
    }
    /* the Prometheus text says the same */
    assert_int_equal(ugw_client_metrics_text(t->c, text, sizeof text, NULL), UGW_OK);
    snprintf(line, sizeof line, "\nugw_client_delivered_total %zu\n", delivered);
    assert_non_null(strstr(text, line));
    snprintf(line, sizeof line, "\nugw_client_accepted_total %zu\n", total);
    assert_non_null(strstr(text, line));
    assert_int_equal(close_client(t, -1), UGW_OK);
    pthread_mutex_destroy(&s.mu);
}

/* close() with every slot of every thread busy: each event is handed back
 * exactly once, as closed, and the stalled transfers are cut short. */
static void test_close_while_every_thread_busy(void **state)
{
    fx *t = *state;
    spy s;
    ugw_client_config cfg = start_threaded(t, NULL, (int)upper_ms(4000), 3, 6);
    ugw_client_stats st;
    int64_t t0;
    size_t closed = 0;
    cfg.timeout_ms = 30000;
    cfg.dead_letter_path = t->dl_path;
    spy_init(&s, t, &cfg);
    start_client(t, &cfg);
    for (size_t i = 0; i < 20; i++)
        assert_int_equal(enqueue_fixture(t->c, i, -1, NULL, NULL), UGW_OK);
    assert_true(tr_wait_count(t->tr, 6, 10000)); /* 6 in flight, 14 queued */
    ugw_client_stats_get(t->c, &st);
    assert_int_equal(st.in_flight, 6);
    assert_int_equal(st.queued, 14);
    t0 = now_ms();
    assert_int_equal(ugw_client_close(t->c, 0), UGW_ERR_TIMEOUT);
    t->c = NULL;
    assert_true(now_ms() - t0 < upper_ms(3000)); /* not waiting for the 4 s answers */
    assert_int_equal(col_count(&t->col), 20);
    for (size_t i = 0; i < t->col.n; i++) {
        size_t k;
        col_find(&t->col, t->col.recs[i].id, &k);
        assert_int_equal(k, 1);
        closed += t->col.recs[i].result == UGW_RESULT_CLOSED;
    }
    assert_int_equal(closed, 20);
    assert_true(spy_threads(&s) >= 1);
    {
        dl_entry *es;
        size_t n = dl_read(t->dl_path, &es);
        assert_int_equal(n, 20);
        dl_free(es, n);
    }
    pthread_mutex_destroy(&s.mu);
}

/* The first request stalls for seconds; the other thread delivers the rest
 * meanwhile. */
static tr_action stall_first(const tr_request_info *req, unsigned attempt_no, void *ctx)
{
    tr_action a;
    (void)attempt_no;
    (void)ctx;
    memset(&a, 0, sizeof a);
    if (req->index == 0)
        a.delay_ms = (int)upper_ms(3000);
    return a;
}

static void test_stalled_thread_others_progress(void **state)
{
    fx *t = *state;
    tr_config rc;
    ugw_client_config cfg;
    char first[UGW_WEBHOOK_ID_MAX];
    int64_t t0;
    memset(&rc, 0, sizeof rc);
    rc.decide = stall_first;
    cfg = start_threaded(t, &rc, 0, 2, 2);
    start_client(t, &cfg);
    t0 = now_ms();
    assert_int_equal(enqueue_fixture(t->c, 0, -1, NULL, first), UGW_OK);
    assert_true(tr_wait_count(t->tr, 1, 5000)); /* the stalled one is on the wire */
    for (size_t i = 1; i <= 40; i++)
        assert_int_equal(enqueue_fixture(t->c, i, -1, NULL, NULL), UGW_OK);
    assert_true(col_wait(&t->col, 40, 10000));
    /* the 40 came through while the first was still waiting for its answer */
    assert_true(now_ms() - t0 < upper_ms(2900));
    assert_null(col_find(&t->col, first, NULL));
    assert_int_equal(ugw_client_flush(t->c, upper_ms(10000)), UGW_OK);
    assert_int_equal(col_find(&t->col, first, NULL)->result, UGW_RESULT_DELIVERED);
    assert_int_equal(close_client(t, -1), UGW_OK);
}

/* A callback that calls send() on its own client gets UGW_ERR_ARG on every
 * delivery thread, not only the first. */
typedef struct reentry {
    ugw_client *_Atomic c;
    atomic_int bad;
    collector *col;
} reentry;

static void reenter(const ugw_outcome *o, void *ctx)
{
    reentry *r = ctx;
    ugw_client *c = atomic_load(&r->c);
    ugw_outcome out;
    if (c && (ugw_client_send_body(c, "{}", 2, UGW_FORMAT_JSON, "x", NULL, &out, NULL) != UGW_ERR_ARG
              || ugw_client_flush(c, 0) != UGW_ERR_ARG))
        atomic_store(&r->bad, 1);
    on_outcome(o, r->col);
}

static void test_callback_reentry_every_thread(void **state)
{
    fx *t = *state;
    ugw_client_config cfg = start_threaded(t, NULL, 100, 3, 3);
    reentry r;
    atomic_init(&r.c, NULL);
    atomic_init(&r.bad, 0);
    r.col = &t->col;
    cfg.on_outcome = reenter;
    cfg.on_outcome_ctx = &r;
    start_client(t, &cfg);
    atomic_store(&r.c, t->c);
    for (size_t i = 0; i < 9; i++)
        assert_int_equal(enqueue_fixture(t->c, i, -1, NULL, NULL), UGW_OK);
    assert_int_equal(ugw_client_flush(t->c, upper_ms(10000)), UGW_OK);
    assert_int_equal(col_count(&t->col), 9);
    assert_int_equal(atomic_load(&r.bad), 0);
    assert_int_equal(close_client(t, -1), UGW_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, fx_setup, fx_teardown)
        T(test_every_thread_used),
        T(test_threads_capped_by_slots),
        T(test_too_many_threads_refused),
        T(test_counters_exact),
        T(test_close_while_every_thread_busy),
        T(test_stalled_thread_others_progress),
        T(test_callback_reentry_every_thread),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
