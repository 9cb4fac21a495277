/*
 * test_client_envelope.c - the delivery client over a schema with envelope
 * fields (tests/envelope/standard_webhooks.toml, prefix sw): the generated
 * sw_client_enqueue()/sw_client_send() carry `env` (ugw_client_enqueue_event_env(),
 * ugw_client_send_event_env()), so the body a receiver on 127.0.0.1 gets holds
 * the envelope's timestamp, byte-identical to sw_encode(); the calls without
 * an envelope refuse such an event with the field's path, sending nothing.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "client_support.h"
#include <sw/sw_events.h>
#include <sw/sw_events_client.h>

#define TS_TEXT "\"timestamp\":\"2022-11-03T20:26:10.344Z\""

static sw_event sample(void)
{
    sw_event ev = sw_event_init(SW_EVENT_GUIDE_PREVIEW_START);
    ev.env.timestamp = INT64_C(1667507170344); /* 2022-11-03T20:26:10.344Z */
    ev.u.guide_preview_start.user_id = UGW_STR("u1");
    ev.u.guide_preview_start.page_url = UGW_STR("https://e.com/");
    ev.u.guide_preview_start.guide_id = 7;
    ev.u.guide_preview_start.guide_name = UGW_STR("g");
    return ev;
}

static void test_enqueue_carries_the_envelope(void **state)
{
    fx *t = *state;
    test_receiver *tr = start_rx(t, NULL);
    ugw_client_config cfg = base_cfg(t, tr_url(tr));
    sw_event ev = sample();
    char id[UGW_WEBHOOK_ID_MAX], want[512];
    size_t want_len = 0, n = 0;
    ugw_error err;
    ugw_outcome out;
    tr_request *rs;

    assert_int_equal(sw_encode(&ev, UGW_FORMAT_JSON, want, sizeof want, &want_len, &err), UGW_OK);
    start_client(t, &cfg);
    assert_int_equal(sw_client_enqueue(t->c, &ev, -1, NULL, id, &err), UGW_OK);
    assert_int_equal(ugw_client_flush(t->c, upper_ms(10000)), UGW_OK);
    memset(&out, 0, sizeof out);
    assert_int_equal(sw_client_send(t->c, &ev, &out, &err), UGW_OK);

    rs = get_requests(tr, &n);
    assert_int_equal(n, 2);
    for (size_t i = 0; i < n; i++) {
        assert_false(rs[i].body_truncated);
        assert_int_equal(rs[i].body_len, want_len);
        assert_memory_equal(rs[i].body, want, want_len);
        assert_non_null(strstr((const char *)rs[i].body, TS_TEXT));
    }
    assert_string_equal(rs[0].webhook_id, id);
    free_requests(rs, n);

    /* without the envelope the required timestamp is missing: refused, not sent */
    assert_int_equal(ugw_client_enqueue_event(t->c, &sw_schema_events, (int)ev.type, &ev.u, 0, NULL, id, &err),
                     UGW_ERR_ARG);
    assert_string_equal(err.path, "timestamp");
    assert_int_equal(ugw_client_enqueue_event_env(t->c, &sw_schema_events, (int)ev.type, NULL, &ev.u, 0, NULL,
                                                  id, &err),
                     UGW_ERR_ARG);
    assert_string_equal(err.path, "timestamp");
    assert_int_equal(ugw_client_send_event(t->c, &sw_schema_events, (int)ev.type, &ev.u, &out, &err),
                     UGW_ERR_ARG);
    assert_string_equal(err.path, "timestamp");
    assert_int_equal(ugw_client_flush(t->c, upper_ms(10000)), UGW_OK);
    assert_int_equal(tr_count(tr), 2);
    assert_int_equal(close_client(t, 0), UGW_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_enqueue_carries_the_envelope, fx_setup, fx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
