/*
 * test_ugw_receiver_envelope.c - the receiver library over a schema with
 * envelope fields (tests/envelope/standard_webhooks.toml, prefix sw:
 * {"type", "timestamp", "data"}): a new event's envelope struct is in the
 * result (from the pool slot or the caller's memory) and re-encodes to the
 * bytes received; a bad, missing, repeated or huge envelope field is a 400
 * with its code, byte position and the path "timestamp"; the bundled schema
 * has no envelope in its results.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sw/sw_events.h>
#include <ugw/ugw_receiver.h>

#include "support/receiver_helpers.h"

#define TS_MS INT64_C(1667507170344) /* 2022-11-03T20:26:10.344Z */
#define HEAD "{\"type\":\"guide started (userguiding)\",\"timestamp\":"
#define DATA                                                                                       \
    "\"data\":{\"userId\":\"u1\",\"pageUrl\":\"https://e.com/\",\"guideId\":7,\"guideName\":\"g\"}}"
#define DOC HEAD "\"2022-11-03T20:26:10.344Z\"," DATA

static ugw_receiver *sw_rx(size_t nsecrets, ugw_secret *s)
{
    return rx_new_for(&sw_schema_events, nsecrets, s);
}

/* Re-encodes a result as `fmt` with its envelope and compares with want. */
static void expect_reencodes_to(const ugw_receiver_result *res, ugw_format fmt, const void *want, size_t n)
{
    unsigned char out[512];
    size_t len = 0;
    ugw_error err;
    assert_int_equal(ugw_schema_encode_env(&sw_schema_events, res->type, res->envelope, res->payload, fmt, out,
                                           sizeof out, &len, &err),
                     UGW_OK);
    assert_int_equal(len, n);
    assert_memory_equal(out, want, n);
}

static void test_signed_event_has_its_envelope(void **state)
{
    ugw_secret s;
    ugw_receiver *rx = sw_rx(1, &s);
    const sw_guide_preview_start *p;
    req_t r;
    (void)state;
    assert_true(ugw_schema_envelope_size(&sw_schema_events) >= sizeof(int64_t));
    req_init(&r, "POST", DOC, "msg_env1");
    req_sign(&r, &s, (int64_t)time(NULL));
    assert_int_equal(ugw_receiver_handle(rx, &r.req, &r.res), 204);
    assert_true(r.res.verified);
    assert_int_equal(r.res.type, SW_EVENT_GUIDE_PREVIEW_START);
    assert_non_null(r.res.envelope);
    assert_true(((const sw_envelope *)r.res.envelope)->timestamp == TS_MS);
    p = r.res.payload;
    assert_int_equal(p->guide_id, 7);
    /* Nothing the sender sent is lost when the event is written again. */
    expect_reencodes_to(&r.res, UGW_FORMAT_JSON, DOC, strlen(DOC));
    /* Without the envelope the event does not even encode: the field is required. */
    {
        size_t need = 0;
        ugw_error err;
        assert_int_equal(ugw_schema_encode(&sw_schema_events, r.res.type, r.res.payload, UGW_FORMAT_JSON, NULL, 0,
                                           &need, &err),
                         UGW_ERR_ARG);
        assert_string_equal(err.path, "timestamp");
    }
    assert_int_equal(ugw_receiver_finish(rx, &r.res, true), 204);
    assert_null(r.res.envelope);
    assert_null(r.res.payload);
    /* The repeat is a duplicate: no event, no envelope. */
    req_init(&r, "POST", DOC, "msg_env1");
    req_sign(&r, &s, (int64_t)time(NULL));
    assert_int_equal(ugw_receiver_handle(rx, &r.req, &r.res), 204);
    assert_true(r.res.duplicate);
    assert_null(r.res.envelope);
    ugw_receiver_finish(rx, &r.res, true);
    ugw_receiver_free(rx);
}

static void test_msgpack_event_has_its_envelope(void **state)
{
    ugw_receiver *rx = sw_rx(0, NULL);
    sw_event ev = sw_event_init(SW_EVENT_GUIDE_PREVIEW_START);
    unsigned char mp[256];
    size_t n = 0;
    ugw_error err;
    req_t r;
    (void)state;
    ev.env.timestamp = TS_MS + 1;
    ev.u.guide_preview_start.user_id = UGW_STR("u2");
    ev.u.guide_preview_start.page_url = UGW_STR("https://e.com/");
    ev.u.guide_preview_start.guide_id = 8;
    ev.u.guide_preview_start.guide_name = UGW_STR("h");
    assert_int_equal(sw_encode(&ev, UGW_FORMAT_MSGPACK, mp, sizeof mp, &n, &err), UGW_OK);
    req_init(&r, "POST", NULL, "msg_mp");
    r.body = (const char *)mp;
    r.len = n;
    req_set(&r, "Content-Type", "application/msgpack");
    assert_int_equal(ugw_receiver_handle(rx, &r.req, &r.res), 204);
    assert_int_equal(r.res.format, UGW_FORMAT_MSGPACK);
    assert_non_null(r.res.envelope);
    assert_true(((const sw_envelope *)r.res.envelope)->timestamp == TS_MS + 1);
    expect_reencodes_to(&r.res, UGW_FORMAT_MSGPACK, mp, n);
    ugw_receiver_finish(rx, &r.res, true);
    /* The pool slot is reused: the next event's envelope is its own. */
    req_init(&r, "POST", DOC, "msg_json");
    assert_int_equal(ugw_receiver_handle(rx, &r.req, &r.res), 204);
    assert_true(((const sw_envelope *)r.res.envelope)->timestamp == TS_MS);
    ugw_receiver_finish(rx, &r.res, true);
    ugw_receiver_free(rx);
}

/* A bad envelope field: 400 with its code, path "timestamp" and position,
 * in the JSON error body too, and no event or envelope in the result. */
static void expect_envelope_error(ugw_receiver *rx, const char *body, size_t len, const char *code, size_t pos)
{
    static req_t r; /* not on the stack: about 2 KiB */
    char want[64];
    req_init(&r, "POST", NULL, "msg_bad");
    r.body = body;
    r.len = len;
    sync_req(&r);
    assert_int_equal(ugw_receiver_handle(rx, &r.req, &r.res), 400);
    expect_answer(&r.res, 400, code, "timestamp");
    assert_int_equal(r.res.error.pos, pos);
    snprintf(want, sizeof want, "\"path\":\"timestamp\",\"pos\":%zu}", pos);
    assert_non_null(strstr(r.res.body, want));
    assert_int_equal(r.res.type, 0);
    assert_null(r.res.payload);
    assert_null(r.res.envelope);
    assert_int_equal(ugw_receiver_finish(rx, &r.res, true), 400);
}

/* A body refused with 400, whatever its error: no event, no envelope. */
static void expect_refused(ugw_receiver *rx, req_t *r, const char *body, size_t len, const char *msg_id)
{
    req_init(r, "POST", NULL, msg_id);
    r->body = body;
    r->len = len;
    sync_req(r);
    assert_int_equal(ugw_receiver_handle(rx, &r->req, &r->res), 400);
    assert_null(r->res.envelope);
    assert_int_equal(r->res.type, 0);
    ugw_receiver_finish(rx, &r->res, true);
}

static void test_bad_envelope_field_400(void **state)
{
    static const char impossible[] = HEAD "\"2023-02-29T00:00:00Z\"," DATA; /* not a leap year */
    static const char number[] = HEAD "1667507170344," DATA;
    static const char missing[] = "{\"type\":\"guide started (userguiding)\"," DATA;
    static const char twice[] = HEAD "\"2022-11-03T20:26:10Z\",\"timestamp\":\"2022-11-03T20:26:10Z\"," DATA;
    const size_t value = strlen(HEAD); /* where the timestamp's value starts */
    ugw_receiver *rx = sw_rx(0, NULL);
    ugw_receiver_stats st;
    (void)state;
    expect_envelope_error(rx, impossible, strlen(impossible), "format", value + 9); /* at the day */
    expect_envelope_error(rx, number, strlen(number), "type", value);
    expect_envelope_error(rx, missing, strlen(missing), "missing", 0);
    expect_envelope_error(rx, twice, strlen(twice), "duplicate_key", value + 23);
    ugw_receiver_stats_get(rx, &st);
    assert_int_equal(st.remembered, 0); /* no id claimed by a rejected event */
    ugw_receiver_free(rx);
}

/* Hostile envelope fields: a timestamp of 900,000 digits, one of 900,000
 * escapes, a deep array, control bytes; each an error, never a crash. */
static void test_hostile_envelope_field(void **state)
{
    const size_t big = 900000, value = strlen(HEAD);
    char *doc = malloc(value + big + sizeof DATA + 8);
    ugw_receiver *rx = sw_rx(0, NULL);
    size_t n;
    req_t *r = calloc(1, sizeof *r);
    (void)state;
    assert_non_null(doc);
    assert_non_null(r);

    memcpy(doc, HEAD "\"", value + 1);
    memset(doc + value + 1, '2', big);
    n = value + 1 + big;
    memcpy(doc + n, "\"," DATA, strlen("\"," DATA) + 1);
    n += strlen("\"," DATA);
    expect_envelope_error(rx, doc, n, "format", value + 5);

    /* Escapes are unescaped into the decoder's arena, but a text longer
     * than it holds is no timestamp either: the same error, at the value. */
    for (size_t i = 0; i < big / 6; i++)
        memcpy(doc + value + 1 + 6 * i, "\\u0032", 6);
    expect_envelope_error(rx, doc, n, "format", value);

    n = (size_t)snprintf(doc, value + big, "%s\"2022-11-03T20:26:10\x01Z\",%s", HEAD, DATA);
    expect_refused(rx, r, doc, n, "msg_ctl");

    memcpy(doc, HEAD, value);
    n = value;
    for (size_t i = 0; i < 5000; i++)
        doc[n++] = '[';
    for (size_t i = 0; i < 5000; i++)
        doc[n++] = ']';
    memcpy(doc + n, "," DATA, strlen("," DATA) + 1);
    n += strlen("," DATA);
    expect_refused(rx, r, doc, n, "msg_deep");

    /* Still serving afterwards. */
    req_init(r, "POST", DOC, "msg_after");
    assert_int_equal(ugw_receiver_handle(rx, &r->req, &r->res), 204);
    assert_true(((const sw_envelope *)r->res.envelope)->timestamp == TS_MS);
    ugw_receiver_finish(rx, &r->res, true);
    ugw_receiver_free(rx);
    free(r);
    free(doc);
}

static void test_caller_envelope_memory(void **state)
{
    ugw_receiver *rx = sw_rx(0, NULL);
    ugw_decoder *dec = ugw_decoder_new(NULL);
    uint64_t payload[64];
    sw_envelope env;
    req_t r;
    (void)state;
    assert_non_null(dec);
    assert_true(sizeof payload >= ugw_schema_payload_max(&sw_schema_events));
    assert_int_equal(sizeof env, ugw_schema_envelope_size(&sw_schema_events));
    req_init(&r, "POST", DOC, "msg_c1");
    r.req.decoder = dec;
    r.req.payload = payload;
    r.req.payload_cap = sizeof payload;
    r.req.envelope = &env;
    r.req.envelope_cap = sizeof env;
    assert_int_equal(ugw_receiver_handle(rx, &r.req, &r.res), 204);
    assert_ptr_equal(r.res.payload, payload);
    assert_ptr_equal(r.res.envelope, &env);
    assert_null(r.res.slot_);
    assert_true(env.timestamp == TS_MS);
    ugw_receiver_finish(rx, &r.res, true);
    assert_null(r.res.envelope);

    /* Too small an envelope buffer is refused, not overrun. */
    req_init(&r, "POST", DOC, "msg_c2");
    r.req.decoder = dec;
    r.req.payload = payload;
    r.req.payload_cap = sizeof payload;
    r.req.envelope = &env;
    r.req.envelope_cap = sizeof env - 1;
    assert_int_not_equal(ugw_receiver_handle(rx, &r.req, &r.res), 204);
    assert_null(r.res.envelope);
    ugw_receiver_finish(rx, &r.res, false);

    /* Without one: the fields are checked, not kept. */
    req_init(&r, "POST", DOC, "msg_c3");
    r.req.decoder = dec;
    r.req.payload = payload;
    r.req.payload_cap = sizeof payload;
    assert_int_equal(ugw_receiver_handle(rx, &r.req, &r.res), 204);
    assert_null(r.res.envelope);
    ugw_receiver_finish(rx, &r.res, true);
    req_init(&r, "POST", HEAD "\"2022-11-03T25:26:10Z\"," DATA, "msg_c4");
    r.req.decoder = dec;
    r.req.payload = payload;
    r.req.payload_cap = sizeof payload;
    assert_int_equal(ugw_receiver_handle(rx, &r.req, &r.res), 400);
    assert_string_equal(r.res.error.path, "timestamp");
    ugw_receiver_finish(rx, &r.res, true);
    ugw_decoder_free(dec);
    ugw_receiver_free(rx);
}

static void test_bundled_schema_has_no_envelope(void **state)
{
    ugw_receiver *rx = rx_new(0, NULL);
    static sw_envelope unused;
    req_t r;
    (void)state;
    assert_int_equal(ugw_schema_envelope_size(&ugw_schema_events), 0);
    req_init(&r, "POST", BODY_OK, "msg_plain");
    r.req.envelope = &unused; /* not read: the pool is used */
    assert_int_equal(ugw_receiver_handle(rx, &r.req, &r.res), 204);
    assert_non_null(r.res.payload);
    assert_null(r.res.envelope);
    ugw_receiver_finish(rx, &r.res, true);
    ugw_receiver_free(rx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_signed_event_has_its_envelope),
        cmocka_unit_test(test_msgpack_event_has_its_envelope),
        cmocka_unit_test(test_bad_envelope_field_400),
        cmocka_unit_test(test_hostile_envelope_field),
        cmocka_unit_test(test_caller_envelope_memory),
        cmocka_unit_test(test_bundled_schema_has_no_envelope),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
