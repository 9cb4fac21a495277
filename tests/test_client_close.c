/*
 * test_client_close.c - the end of events in the delivery client: close with
 * a backlog and with a drain time, what each event becomes (delivered,
 * rejected or handed back as closed, with its dead letter), and the outcome
 * callback enqueueing, while running and during close, and being refused to
 * wait. Dead letters of rejected events: test_client_dead_letters.c; many
 * producers and the queue's capacity: test_client_producers.c.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "client_support.h"

/* ------------------------------------------------------------------ */
/* Close with a backlog, dead letters                                   */
/* ------------------------------------------------------------------ */

static void test_close_backlog(void **state)
{
    fx *t = *state;
    enum { N = 100 };
    ugw_client_config cfg;
    char (*ids)[UGW_WEBHOOK_ID_MAX] = calloc(N, sizeof *ids);
    dl_entry *es;
    size_t n, delivered = 0;
    int64_t t0;

    assert_non_null(ids);
    start_rx_answering(t, 0, (int)upper_ms(2000), &cfg);
    cfg.secret = SECRET;
    start_client(t, &cfg);
    for (size_t i = 0; i < N; i++)
        assert_int_equal(enqueue_fixture(t->c, i, 0, NULL, ids[i]), UGW_OK);
    t0 = now_ms();
    assert_int_equal(close_client(t, 0), UGW_ERR_TIMEOUT);
    assert_true(now_ms() - t0 < upper_ms(1500)); /* did not wait for the slow receiver */

    assert_int_equal(col_count(&t->col), N);
    n = dl_read(t->dl_path, &es);
    for (size_t i = 0; i < N; i++) {
        size_t k, len;
        const rec *o = col_find(&t->col, ids[i], &k);
        const dl_entry *e;
        unsigned char *want;
        assert_int_equal(k, 1);
        if (o->result == UGW_RESULT_DELIVERED) {
            delivered++;
            dl_find(es, n, ids[i], &k);
            assert_int_equal(k, 0);
            continue;
        }
        assert_int_equal(o->result, UGW_RESULT_CLOSED);
        assert_true(o->attempts <= 1);
        e = dl_find(es, n, ids[i], &k);
        assert_int_equal(k, 1);
        assert_string_equal(e->result, "closed");
        assert_string_equal(e->format, "json");
        assert_string_equal(e->event, ugw_event_wire_name(fixture_at(i)->type));
        assert_true(e->has_body);
        assert_false(e->has_body_base64);
        assert_true(e->has_time);
        assert_true(e->has_error);
        assert_int_equal(e->last_status, 0);
        assert_int_equal(e->attempts, (long)o->attempts);
        want = encode_new(fixture_at(i), UGW_FORMAT_JSON, &len);
        assert_int_equal(e->body_len, len);
        assert_memory_equal(e->body, want, len);
        free(want);
    }
    assert_int_equal(n, N - delivered);
    assert_int_equal(delivered, 0); /* every answer takes 2 s */
    dl_free(es, n);
    free(ids);
}

/* Index-ordered answers: 20 delivered, 10 rejected, the rest hang. */
static tr_action decide_mixed(const tr_request_info *req, unsigned attempt_no, void *ctx)
{
    tr_action a = { 0 };
    (void)attempt_no;
    (void)ctx;
    if (req->index < 20)
        a.status = 204;
    else if (req->index < 30)
        a.status = 404;
    else
        a.delay_ms = 5000;
    return a;
}

static void test_close_mixed_dead_letters(void **state)
{
    fx *t = *state;
    enum { N = 100 };
    tr_config rc;
    test_receiver *tr;
    ugw_client_config cfg;
    char (*ids)[UGW_WEBHOOK_ID_MAX] = calloc(N, sizeof *ids);
    dl_entry *es;
    size_t n, delivered = 0, rejected = 0, closed = 0;

    assert_non_null(ids);
    memset(&rc, 0, sizeof rc);
    rc.decide = decide_mixed;
    tr = start_rx(t, &rc);
    cfg = base_cfg(t, tr_url(tr));
    cfg.dead_letter_path = t->dl_path;
    cfg.max_in_flight = 4;
    start_client(t, &cfg);
    for (size_t i = 0; i < N; i++)
        assert_int_equal(enqueue_fixture(t->c, i, 0, NULL, ids[i]), UGW_OK);
    assert_true(col_wait(&t->col, 30, 10000));
    assert_true(tr_wait_count(tr, 34, 10000)); /* four more hang on the wire */
    assert_int_equal(close_client(t, 0), UGW_ERR_TIMEOUT);

    assert_int_equal(col_count(&t->col), N);
    n = dl_read(t->dl_path, &es);
    for (size_t i = 0; i < N; i++) {
        size_t k;
        const rec *o = col_find(&t->col, ids[i], &k);
        const dl_entry *e = dl_find(es, n, ids[i], &k);
        assert_non_null(o);
        if (o->result == UGW_RESULT_DELIVERED) {
            delivered++;
            assert_int_equal(k, 0); /* never a dead letter */
            assert_int_equal(tr_count_2xx_for_id(tr, ids[i]), 1);
            continue;
        }
        assert_int_equal(k, 1);
        assert_string_equal(e->result, ugw_result_name(o->result));
        assert_int_equal(e->attempts, (long)o->attempts);
        if (o->result == UGW_RESULT_REJECTED) {
            rejected++;
            assert_int_equal(e->last_status, 404);
            assert_int_equal(e->attempts, 1);
        } else {
            assert_int_equal(o->result, UGW_RESULT_CLOSED);
            closed++;
            assert_int_equal(e->last_status, 0);
        }
    }
    assert_int_equal(delivered, 20);
    assert_int_equal(rejected, 10);
    assert_int_equal(closed, 70);
    assert_int_equal(n, 80);
    dl_free(es, n);
    free(ids);
}

/* close() with a drain time: deliveries and their retries go on until it
 * runs out, then the rest is handed back with its last status. */
static void test_close_drain_then_hand_back(void **state)
{
    fx *t = *state;
    tr_config rc;
    test_receiver *tr;
    ugw_client_config cfg;
    char ids[5][UGW_WEBHOOK_ID_MAX];
    dl_entry *es;
    size_t n;
    int64_t t0, dt;
    long drain;
    memset(&rc, 0, sizeof rc);
    rc.default_action.status = 500;
    tr = start_rx(t, &rc);
    cfg = base_cfg(t, tr_url(tr));
    cfg.backoff_base_ms = 50;
    cfg.backoff_max_ms = 50;
    cfg.max_attempts = 1000;
    cfg.dead_letter_path = t->dl_path;
    start_client(t, &cfg);
    for (size_t i = 0; i < 5; i++)
        assert_int_equal(enqueue_fixture(t->c, i, 0, NULL, ids[i]), UGW_OK);
    /* a drain long enough to retry each of the 5: 400 ms, on a slow machine
     * twice that scaled (under valgrind at load 12, 5 x 400 ms was not) */
    drain = time_scale() > 1 ? (long)upper_ms(800) : 400;
    t0 = now_ms();
    assert_int_equal(close_client(t, drain), UGW_ERR_TIMEOUT);
    dt = now_ms() - t0;
    assert_true(dt >= drain - 10 && dt < drain + upper_ms(1600));
    assert_true(tr_count(tr) >= 10); /* retried while draining */
    assert_int_equal(col_count(&t->col), 5);
    n = dl_read(t->dl_path, &es);
    assert_int_equal(n, 5);
    for (size_t i = 0; i < 5; i++) {
        size_t k;
        const dl_entry *e = dl_find(es, n, ids[i], &k);
        const rec *o = col_find(&t->col, ids[i], NULL);
        assert_int_equal(k, 1);
        assert_string_equal(e->result, "closed");
        assert_int_equal(o->result, UGW_RESULT_CLOSED);
        assert_int_equal(e->last_status, 500);
        assert_true(e->attempts >= 2);
        assert_int_equal(e->attempts, (long)o->attempts);
        assert_int_equal(tr_attempts_for_id(tr, ids[i]), o->attempts);
    }
    dl_free(es, n);
}

/* close() with a drain time long enough delivers everything: UGW_OK. */
static void test_close_drain_delivers(void **state)
{
    fx *t = *state;
    test_receiver *tr;
    ugw_client_config cfg;
    char id[UGW_WEBHOOK_ID_MAX];
    ugw_client_stats s;
    int64_t t0;
    tr = start_rx_answering(t, 0, 100, &cfg);
    cfg.max_in_flight = 4;
    start_client(t, &cfg);
    for (size_t i = 0; i < 20; i++)
        assert_int_equal(enqueue_fixture(t->c, i, 0, NULL, id), UGW_OK);
    ugw_client_stats_get(t->c, &s);
    assert_int_equal(s.accepted, 20);
    t0 = now_ms();
    assert_int_equal(close_client(t, upper_ms(10000)), UGW_OK);
    assert_true(now_ms() - t0 < upper_ms(5000));
    assert_int_equal(col_count(&t->col), 20);
    for (size_t i = 0; i < 20; i++)
        assert_int_equal(t->col.recs[i].result, UGW_RESULT_DELIVERED);
    assert_int_equal(tr_count(tr), 20);
    assert_int_equal(file_size(t->dl_path), 0);
}

/* The callback may enqueue: accepted while running, UGW_ERR_CLOSED once
 * close() has begun (the callback then runs on the closing thread). */
typedef struct chain_ctx {
    collector *col;
    ugw_client *c;
    int marker;
    int calls;
    ugw_status st[64];
} chain_ctx;

static void chain_outcome(const ugw_outcome *o, void *ctx)
{
    chain_ctx *cc = ctx;
    on_outcome(o, cc->col);
    if (o->user == NULL && cc->calls < 64) {
        char id[UGW_WEBHOOK_ID_MAX];
        cc->st[cc->calls++] = ugw_client_enqueue(cc->c, fixture_at(7), 0, &cc->marker, id, NULL);
    }
}

static void test_callback_may_enqueue(void **state)
{
    fx *t = *state;
    tr_config rc;
    test_receiver *tr;
    ugw_client_config cfg;
    chain_ctx cc;
    char id[UGW_WEBHOOK_ID_MAX];
    size_t marked = 0;
    memset(&cc, 0, sizeof cc);
    memset(&rc, 0, sizeof rc);
    tr = start_rx(t, &rc);
    cfg = base_cfg(t, tr_url(tr));
    cfg.on_outcome = chain_outcome;
    cfg.on_outcome_ctx = &cc;
    cc.col = &t->col;
    start_client(t, &cfg);
    cc.c = t->c; /* set before any outcome can come: nothing is queued yet */
    for (size_t i = 0; i < 3; i++)
        assert_int_equal(enqueue_fixture(t->c, i, 0, NULL, id), UGW_OK);
    assert_true(col_wait(&t->col, 6, 5000));
    assert_int_equal(ugw_client_flush(t->c, upper_ms(5000)), UGW_OK);
    assert_int_equal(cc.calls, 3);
    for (int i = 0; i < 3; i++)
        assert_int_equal(cc.st[i], UGW_OK);
    assert_int_equal(col_count(&t->col), 6);
    for (size_t i = 0; i < 6; i++) {
        assert_int_equal(t->col.recs[i].result, UGW_RESULT_DELIVERED);
        marked += t->col.recs[i].user == &cc.marker;
    }
    assert_int_equal(marked, 3);
    assert_int_equal(tr_count(tr), 6);
}

/* From its own thread the client must never wait: send() is refused and a
 * waiting enqueue on a full queue fails at once instead of deadlocking. */
typedef struct {
    ugw_client *c;
    int calls;
    ugw_status send_st, fill_st, full_st;
} nowait_ctx;

static void nowait_outcome(const ugw_outcome *o, void *ctx)
{
    nowait_ctx *n = ctx;
    ugw_error err;
    if (o->user != NULL || n->calls++)
        return;
    n->send_st = ugw_client_send_body(n->c, "{}", 2, UGW_FORMAT_JSON, "x", NULL, NULL, &err);
    /* capacity 2, one event still queued: the first enqueue fills the queue,
     * the second would have to wait for this very thread */
    n->fill_st = ugw_client_enqueue_body(n->c, "{}", 2, UGW_FORMAT_JSON, "x", NULL, -1, n, NULL, &err);
    n->full_st = ugw_client_enqueue_body(n->c, "{}", 2, UGW_FORMAT_JSON, "x", NULL, -1, n, NULL, &err);
}

static void test_callback_cannot_wait(void **state)
{
    fx *t = *state;
    tr_config rc;
    test_receiver *tr;
    ugw_client_config cfg;
    nowait_ctx n;
    char id[UGW_WEBHOOK_ID_MAX];
    memset(&n, 0, sizeof n);
    memset(&rc, 0, sizeof rc);
    rc.default_action.delay_ms = 200;
    tr = start_rx(t, &rc);
    cfg = base_cfg(t, tr_url(tr));
    cfg.queue_capacity = 2;
    cfg.max_in_flight = 1;
    cfg.on_outcome = nowait_outcome;
    cfg.on_outcome_ctx = &n;
    start_client(t, &cfg);
    n.c = t->c;
    assert_int_equal(enqueue_fixture(t->c, 0, -1, NULL, id), UGW_OK);
    assert_int_equal(enqueue_fixture(t->c, 1, -1, NULL, id), UGW_OK);
    assert_int_equal(ugw_client_flush(t->c, upper_ms(10000)), UGW_OK);
    assert_int_equal(n.calls, 2);
    assert_int_equal(n.send_st, UGW_ERR_ARG);
    assert_int_equal(n.fill_st, UGW_OK);
    assert_int_equal(n.full_st, UGW_ERR_FULL);
}

static void test_callback_enqueue_during_close(void **state)
{
    fx *t = *state;
    tr_config rc;
    test_receiver *tr;
    ugw_client_config cfg;
    chain_ctx cc;
    char id[UGW_WEBHOOK_ID_MAX];
    memset(&cc, 0, sizeof cc);
    memset(&rc, 0, sizeof rc);
    rc.default_action.delay_ms = 2000;
    tr = start_rx(t, &rc);
    cfg = base_cfg(t, tr_url(tr));
    cfg.on_outcome = chain_outcome;
    cfg.on_outcome_ctx = &cc;
    cc.col = &t->col;
    start_client(t, &cfg);
    cc.c = t->c;
    for (size_t i = 0; i < 4; i++)
        assert_int_equal(enqueue_fixture(t->c, i, 0, NULL, id), UGW_OK);
    assert_int_equal(close_client(t, 0), UGW_ERR_TIMEOUT);
    assert_int_equal(col_count(&t->col), 4);
    assert_int_equal(cc.calls, 4);
    for (int i = 0; i < 4; i++)
        assert_int_equal(cc.st[i], UGW_ERR_CLOSED);
}

/* ------------------------------------------------------------------ */

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, fx_setup, fx_teardown)
        T(test_close_backlog),
        T(test_close_mixed_dead_letters),
        T(test_close_drain_then_hand_back),
        T(test_close_drain_delivers),
        T(test_callback_may_enqueue),
        T(test_callback_cannot_wait),
        T(test_callback_enqueue_during_close),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
