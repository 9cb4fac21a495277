/*
 * test_relay_publish_event.c - the producer's event calls against a real
 * JetStream (nats-server started by test_relay_publish_event.py, its URL in
 * UGW_NATS_URL): ugw_relay_publish_event() stores the bytes ugw_encode()
 * makes, under the id it hands back and with the event header; an invalid
 * event is refused with its path and nothing is stored; over a schema with
 * envelope fields (tests/envelope/standard_webhooks.toml, prefix sw)
 * ugw_relay_publish_event_env() stores the envelope's timestamp, and the call
 * without an envelope refuses the event with the field's path. What was
 * stored is read back with the NATS C client itself.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include <nats/nats.h>
#include <sw/sw_events.h>
#include <ugw/ugw_events.h>
#include <ugw/ugw_relay.h>

typedef struct fx {
    ugw_relay_nats nats;
    ugw_relay_producer *p;
    natsConnection *nc;
    jsCtx *js;
    natsSubscription *sub;
} fx;

static int setup(void **state)
{
    static fx t;
    ugw_relay_stream_config sc = { .replicas = 1, .memory = true };
    jsSubOptions so;
    jsErrCode jerr = 0;
    ugw_error err;
    const char *url = getenv("UGW_NATS_URL");

    if (!url)
        return -1;
    memset(&t, 0, sizeof t);
    t.nats = (ugw_relay_nats){ .servers = url, .stream = "PUBTEST", .subject_prefix = "pt.events",
                               .dead_subject = "pt.dead" };
    if (ugw_relay_stream_create(&t.nats, &sc, &err) != UGW_OK || !(t.p = ugw_relay_producer_new(&t.nats, &err)))
        return -1;
    if (natsConnection_ConnectTo(&t.nc, url) != NATS_OK || natsConnection_JetStream(&t.js, t.nc, NULL) != NATS_OK)
        return -1;
    jsSubOptions_Init(&so);
    so.Stream = "PUBTEST";
    if (js_PullSubscribe(&t.sub, t.js, "pt.events.ep", "probe", NULL, &so, &jerr) != NATS_OK)
        return -1;
    *state = &t;
    return 0;
}

static int teardown(void **state)
{
    fx *t = *state;
    if (t) {
        natsSubscription_Destroy(t->sub);
        jsCtx_Destroy(t->js);
        natsConnection_Destroy(t->nc);
        ugw_relay_producer_close(t->p);
    }
    nats_Close();
    return 0;
}

/* Reads the next stored message: its body must be want[0..len), its
 * Nats-Msg-Id `id` and its event header `event`. */
static void expect_stored(fx *t, const void *want, size_t len, const char *id, const char *event)
{
    natsMsgList list = { 0 };
    jsErrCode jerr = 0;
    const char *v = NULL;

    assert_int_equal(natsSubscription_Fetch(&list, t->sub, 1, 5000, &jerr), NATS_OK);
    assert_int_equal(list.Count, 1);
    assert_int_equal((size_t)natsMsg_GetDataLength(list.Msgs[0]), len);
    assert_memory_equal(natsMsg_GetData(list.Msgs[0]), want, len);
    assert_int_equal(natsMsgHeader_Get(list.Msgs[0], "Nats-Msg-Id", &v), NATS_OK);
    assert_string_equal(v, id);
    assert_int_equal(natsMsgHeader_Get(list.Msgs[0], UGW_RELAY_HDR_EVENT, &v), NATS_OK);
    assert_string_equal(v, event);
    assert_int_equal(natsMsg_Ack(list.Msgs[0], NULL), NATS_OK);
    natsMsgList_Destroy(&list);
}

/* Nothing more is stored (what was refused never reached the stream). */
static void expect_nothing_more(fx *t)
{
    natsMsgList list = { 0 };
    jsErrCode jerr = 0;

    assert_int_equal(natsSubscription_Fetch(&list, t->sub, 1, 300, &jerr), NATS_TIMEOUT);
    natsMsgList_Destroy(&list);
}

static ugw_event nps_event(void)
{
    ugw_event ev = ugw_event_init(UGW_EVENT_NPS_SCORE_SUBMIT);
    ev.u.nps_score_submit.user_id = UGW_STR("user-42");
    ev.u.nps_score_submit.page_url = UGW_STR("https://app.example.com/");
    ev.u.nps_score_submit.question = UGW_STR("How likely are you to recommend us?");
    ev.u.nps_score_submit.score = 9;
    return ev;
}

static void test_event_is_stored_as_encoded(void **state)
{
    fx *t = *state;
    ugw_event ev = nps_event();
    char id[UGW_WEBHOOK_ID_MAX], want[1024];
    size_t n = 0;
    ugw_error err;

    for (int f = 0; f < 2; f++) {
        ugw_format fmt = f ? UGW_FORMAT_MSGPACK : UGW_FORMAT_JSON;
        assert_int_equal(ugw_encode(&ev, fmt, want, sizeof want, &n, &err), UGW_OK);
        assert_int_equal(ugw_relay_publish_event(t->p, "ep", &ugw_schema_events, ev.type, &ev.u, fmt, id, &err),
                         UGW_OK);
        assert_int_equal(ugw_webhook_id_check(id, strlen(id), &err), UGW_OK);
        expect_stored(t, want, n, id, ugw_schema_event(&ugw_schema_events, ev.type)->wire);
    }
}

static void test_invalid_event_is_refused(void **state)
{
    fx *t = *state;
    ugw_event ev = nps_event();
    char id[UGW_WEBHOOK_ID_MAX] = "x";
    ugw_error err;

    ev.u.nps_score_submit.score = 11;
    assert_int_equal(ugw_relay_publish_event(t->p, "ep", &ugw_schema_events, ev.type, &ev.u, UGW_FORMAT_JSON,
                                             id, &err),
                     UGW_ERR_RANGE);
    assert_string_equal(err.path, "payload.score");
    assert_string_equal(id, "");
    assert_int_equal(ugw_relay_publish_event(t->p, "ep", &ugw_schema_events, 99, &ev.u, UGW_FORMAT_JSON, id, &err),
                     UGW_ERR_ARG);
    expect_nothing_more(t);
}

static void test_envelope_is_stored(void **state)
{
    fx *t = *state;
    sw_event ev = sw_event_init(SW_EVENT_GUIDE_PREVIEW_START);
    char id[UGW_WEBHOOK_ID_MAX], want[1024];
    size_t n = 0;
    ugw_error err;

    ev.env.timestamp = INT64_C(1667507170344); /* 2022-11-03T20:26:10.344Z */
    ev.u.guide_preview_start.user_id = UGW_STR("u1");
    ev.u.guide_preview_start.page_url = UGW_STR("https://e.com/");
    ev.u.guide_preview_start.guide_id = 7;
    ev.u.guide_preview_start.guide_name = UGW_STR("g");

    /* without the envelope the required timestamp is missing: refused */
    assert_int_equal(ugw_relay_publish_event(t->p, "ep", &sw_schema_events, ev.type, &ev.u, UGW_FORMAT_JSON, id,
                                             &err),
                     UGW_ERR_ARG);
    assert_string_equal(err.path, "timestamp");
    expect_nothing_more(t);

    for (int f = 0; f < 2; f++) {
        ugw_format fmt = f ? UGW_FORMAT_MSGPACK : UGW_FORMAT_JSON;
        assert_int_equal(sw_encode(&ev, fmt, want, sizeof want, &n, &err), UGW_OK);
        if (!f)
            assert_non_null(strstr(want, "\"timestamp\":\"2022-11-03T20:26:10.344Z\""));
        assert_int_equal(ugw_relay_publish_event_env(t->p, "ep", &sw_schema_events, ev.type, &ev.env, &ev.u, fmt,
                                                     id, &err),
                         UGW_OK);
        expect_stored(t, want, n, id, ugw_schema_event(&sw_schema_events, ev.type)->wire);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_event_is_stored_as_encoded),
        cmocka_unit_test(test_invalid_event_is_refused),
        cmocka_unit_test(test_envelope_is_stored),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
