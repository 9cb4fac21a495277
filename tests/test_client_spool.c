/*
 * test_client_spool.c - the delivery client with a durable spool: events
 * delivered leave it, a client opened again resumes what was pending (same
 * webhook-id, attempt count and next-attempt time), failed events become
 * dead letters there and can be retried, many threads share commits, marks
 * go with their events, the spool's retry schedule spans days, and a spool
 * past its WAL's writeback threshold works and closes.
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
#include <unistd.h>

#include "spool_support.h"

static void test_delivered_leave(void **state)
{
    sfx *s = *state;
    enum { N = 50 };
    ugw_client_config cfg;
    ugw_client_stats cs;
    ugw_spool_stats ss;
    struct stat st;
    test_receiver *tr = start_rx(&s->base, NULL);

    cfg = spool_cfg(s, tr_url(tr));
    start_client(&s->base, &cfg);
    assert_int_equal(stat(s->path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600); /* it holds payloads */
    for (size_t i = 0; i < N; i++)
        assert_int_equal(enqueue_fixture(s->base.c, i, -1, NULL, NULL), UGW_OK);
    assert_int_equal(ugw_client_flush(s->base.c, upper_ms(20000)), UGW_OK);
    ugw_client_stats_get(s->base.c, &cs);
    assert_int_equal(cs.delivered, N);
    assert_int_equal(cs.spool_errors, 0);
    assert_true(cs.spool_commits >= 1 && cs.spool_commits <= N);
    assert_int_equal(close_client(&s->base, 0), UGW_OK);
    ss = spool_stats(s->path);
    assert_int_equal(ss.pending, 0);
    assert_int_equal(ss.dead, 0);
    assert_int_equal(col_count(&s->base.col), N);
}

/* Events in flight at close stay pending, their cut attempt not counted; a
 * new client delivers them under the same ids. */
static void test_resume_pending(void **state)
{
    sfx *s = *state;
    enum { N = 20 };
    char ids[N][UGW_WEBHOOK_ID_MAX];
    tr_config rc;
    ugw_client_config cfg;
    ugw_client_stats cs;
    spool_row *rows;
    test_receiver *slow, *fast;

    memset(&rc, 0, sizeof rc);
    rc.default_action.delay_ms = 3000;
    slow = start_rx(&s->base, &rc);
    cfg = spool_cfg(s, tr_url(slow));
    start_client(&s->base, &cfg);
    for (size_t i = 0; i < N; i++)
        assert_int_equal(enqueue_fixture(s->base.c, i, -1, NULL, ids[i]), UGW_OK);
    assert_true(tr_wait_count(slow, 1, 5000));
    assert_int_equal(close_client(&s->base, 0), UGW_ERR_TIMEOUT);
    assert_int_equal(col_count(&s->base.col), N);
    for (size_t i = 0; i < N; i++) {
        size_t k;
        const rec *r = col_find(&s->base.col, ids[i], &k);
        assert_int_equal(k, 1);
        assert_int_equal(r->result, UGW_RESULT_KEPT);
    }
    assert_int_equal(spool_rows(s->path, UGW_SPOOL_PENDING, &rows), N);
    for (size_t i = 0; i < N; i++) {
        assert_string_equal(rows[i].id, ids[i]); /* in the order accepted */
        assert_int_equal(rows[i].attempts, 0);
    }
    free(rows);

    fast = start_rx(&s->base, NULL);
    cfg = spool_cfg(s, tr_url(fast));
    start_client(&s->base, &cfg);
    ugw_client_stats_get(s->base.c, &cs);
    assert_int_equal(cs.resumed, N);
    assert_int_equal(ugw_client_flush(s->base.c, upper_ms(20000)), UGW_OK);
    for (size_t i = 0; i < N; i++) {
        size_t k;
        const rec *r;
        assert_int_equal(tr_count_2xx_for_id(fast, ids[i]), 1);
        r = col_find(&s->base.col, ids[i], &k);
        assert_int_equal(k, 2); /* kept, then delivered */
        assert_int_equal(r->result, UGW_RESULT_KEPT);
    }
    assert_int_equal(close_client(&s->base, 0), UGW_OK);
    assert_int_equal(spool_stats(s->path).pending, 0);
}

/* A retry keeps its attempt count and its next-attempt time across clients. */
static void test_resume_schedule(void **state)
{
    sfx *s = *state;
    char id[UGW_WEBHOOK_ID_MAX];
    tr_action once = { .status = 503 };
    tr_config rc;
    ugw_client_config cfg;
    spool_row *rows;
    test_receiver *tr, *ok;
    int64_t t0, due;
    size_t k;
    const rec *r;

    memset(&rc, 0, sizeof rc);
    rc.script = &once;
    rc.script_len = 1;
    tr = start_rx(&s->base, &rc);
    cfg = spool_cfg(s, tr_url(tr));
    cfg.backoff_base_ms = 3000;
    cfg.backoff_max_ms = 3000;
    start_client(&s->base, &cfg);
    assert_int_equal(enqueue_fixture(s->base.c, 0, -1, NULL, id), UGW_OK);
    t0 = wall_now_ms();
    wait_retried(s->base.c, 1);
    assert_int_equal(close_client(&s->base, 0), UGW_ERR_TIMEOUT);
    assert_int_equal(spool_rows(s->path, UGW_SPOOL_PENDING, &rows), 1);
    assert_int_equal(rows[0].attempts, 1);
    assert_int_equal(rows[0].last_status, 503);
    due = rows[0].when_ms;
    assert_true(due >= t0 + 2500 && due <= t0 + 3000 + upper_ms(1000));
    free(rows);

    ok = start_rx(&s->base, NULL);
    cfg = spool_cfg(s, tr_url(ok));
    start_client(&s->base, &cfg);
    sleep_ms(500);
    if (wall_now_ms() < due - 200)
        assert_int_equal(tr_count(ok), 0); /* not before its time */
    assert_true(tr_wait_count(ok, 1, 8000));
    assert_true(wall_now_ms() >= due - 50);
    assert_int_equal(ugw_client_flush(s->base.c, upper_ms(5000)), UGW_OK);
    r = col_find(&s->base.col, id, &k);
    assert_int_equal(k, 2);
    assert_int_equal(r->result, UGW_RESULT_KEPT);
    r = &s->base.col.recs[s->base.col.n - 1]; /* the last outcome: delivered at the second attempt */
    assert_string_equal(r->id, id);
    assert_int_equal(r->result, UGW_RESULT_DELIVERED);
    assert_int_equal(r->attempts, 2);
}

/* A failed event is a dead letter in the spool (and the file); retried, it
 * goes out again with its id. */
static void test_dead_and_retry(void **state)
{
    sfx *s = *state;
    char id[UGW_WEBHOOK_ID_MAX];
    tr_action no = { .status = 400 };
    tr_config rc;
    ugw_client_config cfg;
    spool_row *rows;
    dl_entry *es;
    ugw_spool *sp;
    ugw_error err;
    uint64_t moved = 0;
    test_receiver *tr, *ok;

    memset(&rc, 0, sizeof rc);
    rc.default_action = no;
    tr = start_rx(&s->base, &rc);
    cfg = spool_cfg(s, tr_url(tr));
    cfg.dead_letter_path = s->base.dl_path;
    start_client(&s->base, &cfg);
    assert_int_equal(enqueue_fixture(s->base.c, 3, -1, NULL, id), UGW_OK);
    assert_int_equal(ugw_client_flush(s->base.c, upper_ms(10000)), UGW_OK);
    /* Owned by the client: it cannot be changed meanwhile. */
    assert_null(ugw_spool_open(s->path, 0, &err));
    assert_int_equal(err.code, UGW_ERR_BUSY);
    assert_string_equal(err.path, "spool_path");
    assert_int_equal(close_client(&s->base, 0), UGW_OK);
    assert_int_equal(spool_rows(s->path, UGW_SPOOL_DEAD, &rows), 1);
    assert_string_equal(rows[0].id, id);
    assert_string_equal(rows[0].result, "rejected");
    assert_int_equal(rows[0].last_status, 400);
    assert_int_equal(rows[0].attempts, 1);
    free(rows);
    assert_int_equal(dl_read(s->base.dl_path, &es), 1);
    assert_string_equal(es[0].id, id);
    dl_free(es, 1);

    sp = ugw_spool_open(s->path, 0, &err);
    assert_non_null(sp);
    assert_int_equal(ugw_spool_retry(sp, "msg_not_there", &moved, &err), UGW_OK);
    assert_int_equal(moved, 0);
    assert_int_equal(ugw_spool_retry(sp, NULL, &moved, &err), UGW_OK);
    assert_int_equal(moved, 1);
    ugw_spool_close(sp);
    assert_int_equal(spool_stats(s->path).pending, 1);
    assert_int_equal(spool_stats(s->path).dead, 0);

    ok = start_rx(&s->base, NULL);
    cfg = spool_cfg(s, tr_url(ok));
    start_client(&s->base, &cfg);
    assert_int_equal(ugw_client_flush(s->base.c, upper_ms(10000)), UGW_OK);
    assert_int_equal(tr_count_2xx_for_id(ok, id), 1);
    assert_int_equal(close_client(&s->base, 0), UGW_OK);
}

typedef struct producer {
    ugw_client *c;
    size_t n;
    int failures;
} producer;

static void *produce(void *arg)
{
    producer *p = arg;
    for (size_t i = 0; i < p->n; i++)
        if (enqueue_fixture(p->c, i, -1, NULL, NULL) != UGW_OK)
            p->failures++;
    return NULL;
}

/* Threads enqueueing at once share commits (power-safe: one sync each). */
static void test_group_commit(void **state)
{
    sfx *s = *state;
    enum { T = 8, PER = 100 };
    pthread_t th[T];
    producer p[T];
    ugw_client_config cfg;
    ugw_client_stats cs;
    test_receiver *tr = start_rx(&s->base, NULL);

    cfg = spool_cfg(s, tr_url(tr));
    cfg.spool_sync = UGW_SPOOL_SYNC_POWER;
    start_client(&s->base, &cfg);
    for (int i = 0; i < T; i++) {
        p[i] = (producer){ s->base.c, PER, 0 };
        assert_int_equal(pthread_create(&th[i], NULL, produce, &p[i]), 0);
    }
    for (int i = 0; i < T; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(p[i].failures, 0);
    }
    assert_int_equal(ugw_client_flush(s->base.c, upper_ms(60000)), UGW_OK);
    ugw_client_stats_get(s->base.c, &cs);
    assert_int_equal(cs.accepted, T * PER);
    assert_int_equal(cs.delivered, T * PER);
    print_message("%d events in %llu commits\n", T * PER, (unsigned long long)cs.spool_commits);
    assert_true(cs.spool_commits < T * PER); /* some commits carried several events */
    assert_int_equal(close_client(&s->base, 0), UGW_OK);
}

static void test_marks(void **state)
{
    sfx *s = *state;
    ugw_client_config cfg;
    ugw_error err;
    uint64_t v = 7;
    char longkey[1100];
    const char *url = refused_url();
    ugw_client *mem;

    cfg = spool_cfg(s, url);
    cfg.backoff_base_ms = 60000; /* no retry within the test: base_cfg caps the backoff at 200 ms */
    cfg.backoff_max_ms = 60000;
    start_client(&s->base, &cfg);
    assert_int_equal(ugw_client_mark_get(s->base.c, "in", &v, &err), UGW_ERR_MISSING);
    assert_int_equal(v, 0);
    assert_int_equal(ugw_client_enqueue_marked(s->base.c, "{}", 2, UGW_FORMAT_JSON, "e", NULL, 0, NULL, "in", 120,
                                               NULL, &err), UGW_OK);
    assert_int_equal(ugw_client_mark_set(s->base.c, "other", 5, &err), UGW_OK);
    memset(longkey, 'k', sizeof longkey - 1);
    longkey[sizeof longkey - 1] = 0;
    assert_int_equal(ugw_client_mark_set(s->base.c, longkey, 5, &err), UGW_ERR_ARG);
    assert_string_equal(err.path, "mark_key");
    assert_int_equal(ugw_client_enqueue_marked(s->base.c, "{}", 2, UGW_FORMAT_JSON, "e", NULL, 0, NULL, "", 1,
                                               NULL, &err), UGW_ERR_ARG);
    assert_string_equal(err.path, "mark_key");
    assert_int_equal(close_client(&s->base, 0), UGW_ERR_TIMEOUT);

    start_client(&s->base, &cfg);
    assert_int_equal(ugw_client_mark_get(s->base.c, "in", &v, &err), UGW_OK);
    assert_int_equal(v, 120);
    assert_int_equal(ugw_client_mark_get(s->base.c, "other", &v, &err), UGW_OK);
    assert_int_equal(v, 5);
    assert_int_equal(close_client(&s->base, 0), UGW_ERR_TIMEOUT);

    /* Without a spool there are no marks. */
    cfg.spool_path = NULL;
    mem = ugw_client_new(&cfg, &err);
    assert_non_null(mem);
    assert_int_equal(ugw_client_mark_get(mem, "in", &v, &err), UGW_ERR_ARG);
    assert_int_equal(ugw_client_mark_set(mem, "in", 1, &err), UGW_ERR_ARG);
    assert_int_equal(ugw_client_enqueue_marked(mem, "{}", 2, UGW_FORMAT_JSON, "e", NULL, 0, NULL, "in", 1, NULL, &err),
                     UGW_ERR_ARG);
    ugw_client_close(mem, 0);
}

/* With a spool and no backoff set, the first retry waits about 5 s (the
 * schedule of days), not 1 s. */
static void test_long_schedule(void **state)
{
    sfx *s = *state;
    tr_action once = { .status = 500 };
    tr_config rc;
    ugw_client_config cfg;
    spool_row *rows;
    int64_t t0;
    test_receiver *tr;

    memset(&rc, 0, sizeof rc);
    rc.script = &once;
    rc.script_len = 1;
    tr = start_rx(&s->base, &rc);
    cfg = spool_cfg(s, tr_url(tr));
    cfg.backoff_base_ms = 0;
    cfg.backoff_max_ms = 0;
    cfg.max_attempts = 0;
    cfg.jitter = 0;
    start_client(&s->base, &cfg);
    t0 = wall_now_ms();
    assert_int_equal(enqueue_fixture(s->base.c, 0, -1, NULL, NULL), UGW_OK);
    wait_retried(s->base.c, 1);
    assert_int_equal(close_client(&s->base, 0), UGW_ERR_TIMEOUT);
    assert_int_equal(spool_rows(s->path, UGW_SPOOL_PENDING, &rows), 1);
    /* 5 s with jitter 0.1: between 4.5 and 5 s after the attempt */
    assert_true(rows[0].when_ms >= t0 + 4400);
    assert_true(rows[0].when_ms <= wall_now_ms() + 5100);
    free(rows);
}

/* Past 256 KiB of WAL the spool's VFS starts the WAL's writeback from a
 * thread of its own: a spool that wrote a few MiB delivers everything,
 * leaves nothing pending, and closes (the thread joined: no leak, no race,
 * under valgrind and the sanitizers). One producer: a commit per event, so
 * at least a 2 KiB frame each. */
static void test_wal_writeback(void **state)
{
    sfx *s = *state;
    enum { N = 600 };
    ugw_client_config cfg;
    ugw_client_stats cs;
    ugw_spool_stats ss;
    test_receiver *tr = start_rx(&s->base, NULL);

    cfg = spool_cfg(s, tr_url(tr));
    start_client(&s->base, &cfg);
    for (size_t i = 0; i < N; i++)
        assert_int_equal(enqueue_fixture(s->base.c, i, -1, NULL, NULL), UGW_OK);
    assert_int_equal(ugw_client_flush(s->base.c, upper_ms(60000)), UGW_OK);
    ugw_client_stats_get(s->base.c, &cs);
    assert_int_equal(cs.delivered, N);
    assert_int_equal(cs.spool_errors, 0);
    assert_true(cs.spool_commits >= N / 2); /* mostly one event each: > 600 KiB of frames */
    assert_int_equal(close_client(&s->base, 0), UGW_OK);
    ss = spool_stats(s->path);
    assert_int_equal(ss.pending, 0);
    assert_int_equal(ss.dead, 0);
    assert_int_equal(col_count(&s->base.col), N);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_delivered_leave, sfx_setup, sfx_teardown),
        cmocka_unit_test_setup_teardown(test_resume_pending, sfx_setup, sfx_teardown),
        cmocka_unit_test_setup_teardown(test_resume_schedule, sfx_setup, sfx_teardown),
        cmocka_unit_test_setup_teardown(test_dead_and_retry, sfx_setup, sfx_teardown),
        cmocka_unit_test_setup_teardown(test_group_commit, sfx_setup, sfx_teardown),
        cmocka_unit_test_setup_teardown(test_marks, sfx_setup, sfx_teardown),
        cmocka_unit_test_setup_teardown(test_long_schedule, sfx_setup, sfx_teardown),
        cmocka_unit_test_setup_teardown(test_wal_writeback, sfx_setup, sfx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
