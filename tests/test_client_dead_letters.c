/*
 * test_client_dead_letters.c - the dead letters of rejected events in the
 * delivery client: one per event in both formats (JSON bodies inline,
 * MessagePack in base64), byte for byte the encoded event, readable by the
 * runtime's reader; a caller's webhook-id kept as given and escaped in its
 * dead letter, and ids outside the webhook-id rule refused with their
 * position. (Events handed back by close(): test_client_close.c.)
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "client_support.h"

static void check_dead_letters_rejected(fx *t, ugw_format fmt)
{
    ugw_client_config cfg;
    char ids[UGW_EVENT_COUNT][UGW_WEBHOOK_ID_MAX];
    dl_entry *es;
    size_t n;
    start_rx_answering(t, 404, 0, &cfg);
    cfg.format = fmt;
    start_client(t, &cfg);
    for (size_t i = 0; i < UGW_EVENT_COUNT; i++)
        assert_int_equal(enqueue_fixture(t->c, i, 0, NULL, ids[i]), UGW_OK);
    assert_int_equal(ugw_client_flush(t->c, upper_ms(10000)), UGW_OK);
    n = dl_read(t->dl_path, &es);
    assert_int_equal(n, UGW_EVENT_COUNT);
    for (size_t i = 0; i < UGW_EVENT_COUNT; i++) {
        size_t k, len;
        const dl_entry *e = dl_find(es, n, ids[i], &k);
        unsigned char *want = encode_new(fixture_at(i), fmt, &len);
        assert_int_equal(k, 1);
        assert_string_equal(e->result, "rejected");
        assert_int_equal(e->last_status, 404);
        assert_int_equal(e->attempts, 1);
        assert_string_equal(e->event, ugw_event_wire_name(fixture_at(i)->type));
        assert_string_equal(e->format, ugw_format_name(fmt));
        assert_true(e->has_time);
        if (fmt == UGW_FORMAT_JSON) {
            assert_true(e->has_body);
            assert_false(e->has_body_base64);
        } else {
            assert_true(e->has_body_base64);
            assert_false(e->has_body);
        }
        assert_int_equal(e->body_len, len);
        assert_memory_equal(e->body, want, len);
        free(want);
    }
    dl_check_reader(t->dl_path, es, n);
    dl_free(es, n);
    assert_int_equal(close_client(t, -1), UGW_OK);
    /* closing added nothing */
    n = dl_read(t->dl_path, &es);
    assert_int_equal(n, UGW_EVENT_COUNT);
    dl_free(es, n);
}

static void test_dead_letters_rejected_json(void **state)
{
    check_dead_letters_rejected(*state, UGW_FORMAT_JSON);
}

static void test_dead_letters_rejected_msgpack(void **state)
{
    check_dead_letters_rejected(*state, UGW_FORMAT_MSGPACK);
}

/* A caller's webhook-id (a replay) is kept as given, and its dead letter
 * stays valid JSON even when the id holds characters JSON must escape. */
static void test_dead_letter_caller_id_escaped(void **state)
{
    fx *t = *state;
    static const char id[] = "re\"play\\id/~!";
    test_receiver *tr;
    ugw_client_config cfg;
    char got[UGW_WEBHOOK_ID_MAX];
    static const unsigned char body[] = { 0x81, 0xa1, 'a', 0x01 };
    dl_entry *es;
    size_t n;
    tr_request r;
    tr = start_rx_answering(t, 400, 0, &cfg);
    start_client(t, &cfg);
    /* ids outside the one rule of ugw_webhook_id_check() are refused */
    {
        static const char *const bad[] = { "re play", "ctl\x01", "caf\xc3\xa9", "" };
        static const size_t bad_pos[] = { 2, 3, 3, 0 };
        char longest[UGW_WEBHOOK_ID_MAX + 1];
        ugw_error err;
        for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
            assert_int_equal(ugw_client_enqueue_body(t->c, body, sizeof body, UGW_FORMAT_MSGPACK, "e", bad[i], 0,
                                                     NULL, got, &err),
                             UGW_ERR_ARG);
            assert_string_equal(err.path, "webhook-id");
            assert_int_equal(err.pos, bad_pos[i]);
        }
        memset(longest, 'x', sizeof longest - 1);
        longest[sizeof longest - 1] = '\0'; /* 257 bytes */
        assert_int_equal(ugw_client_enqueue_body(t->c, body, sizeof body, UGW_FORMAT_MSGPACK, "e", longest, 0,
                                                 NULL, got, &err),
                         UGW_ERR_ARG);
        assert_int_equal(err.pos, UGW_WEBHOOK_ID_LEN_MAX);
    }
    assert_int_equal(ugw_client_enqueue_body(t->c, body, sizeof body, UGW_FORMAT_MSGPACK, "custom \"event\"", id, 0,
                                             NULL, got, NULL),
                     UGW_OK);
    assert_string_equal(got, id);
    assert_int_equal(ugw_client_flush(t->c, upper_ms(5000)), UGW_OK);
    assert_true(tr_get(tr, 0, &r));
    assert_string_equal(r.webhook_id, id);
    assert_string_equal(r.content_type, "application/msgpack");
    assert_int_equal(r.body_len, sizeof body);
    assert_memory_equal(r.body, body, sizeof body);
    tr_request_free(&r);
    n = dl_read(t->dl_path, &es);
    assert_int_equal(n, 1);
    assert_string_equal(es[0].id, id);
    assert_string_equal(es[0].event, "custom \"event\"");
    assert_string_equal(es[0].result, "rejected");
    assert_int_equal(es[0].last_status, 400);
    assert_int_equal(es[0].body_len, sizeof body);
    assert_memory_equal(es[0].body, body, sizeof body);
    dl_check_reader(t->dl_path, es, n);
    dl_free(es, n);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, fx_setup, fx_teardown)
        T(test_dead_letters_rejected_json),
        T(test_dead_letters_rejected_msgpack),
        T(test_dead_letter_caller_id_escaped),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
