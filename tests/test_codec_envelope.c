/*
 * test_codec_envelope.c - envelopes (tests/envelope/standard_webhooks.toml,
 * UserGuiding's events in Standard Webhooks' {"type", "timestamp", "data"}
 * documents, generated with the sw prefix): the exact bytes in both
 * formats, round trips through the typed and the schema-generic calls, the
 * calls without an envelope struct, and every envelope error with its code,
 * top-level path and byte position.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include <sw/sw_events.h>

#define TS_MS INT64_C(1667507170344) /* 2022-11-03T20:26:10.344Z */

static const char DOC[] = "{\"type\":\"guide started (userguiding)\",\"timestamp\":\"2022-11-03T20:26:10.344Z\","
                          "\"data\":{\"userId\":\"u1\",\"pageUrl\":\"https://e.com/\",\"guideId\":7,"
                          "\"guideName\":\"g\"}}";

static sw_event sample(void)
{
    sw_event ev = sw_event_init(SW_EVENT_GUIDE_PREVIEW_START);
    ev.env.timestamp = TS_MS;
    ev.u.guide_preview_start.user_id = UGW_STR("u1");
    ev.u.guide_preview_start.page_url = UGW_STR("https://e.com/");
    ev.u.guide_preview_start.guide_id = 7;
    ev.u.guide_preview_start.guide_name = UGW_STR("g");
    return ev;
}

/* The input of the last decode: decoded strings point into it, so it lives
 * until the next decode (or the end of the group). */
static unsigned char *kept;

static int free_kept(void **state)
{
    (void)state;
    free(kept);
    kept = NULL;
    return 0;
}

/* Decodes a heap copy of exactly `n` bytes (ASan sees any overread); the
 * copy outlives the call, as the decoded strings point into it. */
static ugw_status decode(ugw_format fmt, const void *doc, size_t n, sw_event *ev, ugw_error *err, bool strict)
{
    ugw_decode_opts o = { 0 };
    ugw_decoder *d;
    unsigned char *b = malloc(n ? n : 1);
    ugw_status st;
    o.strict = strict;
    d = ugw_decoder_new(&o);
    assert_non_null(d);
    assert_non_null(b);
    memcpy(b, doc, n);
    st = sw_decode(d, fmt, b, n, ev, err);
    free(kept);
    kept = b;
    ugw_decoder_free(d);
    return st;
}

static void expect_error(const char *json, ugw_status code, const char *path, size_t pos, bool strict)
{
    sw_event ev;
    ugw_error err;
    assert_int_equal(decode(UGW_FORMAT_JSON, json, strlen(json), &ev, &err, strict), code);
    assert_string_equal(err.path, path);
    assert_int_equal(err.pos, pos);
    assert_int_equal(ev.type, SW_EVENT_NONE);
}

static void test_json_bytes_and_round_trip(void **state)
{
    sw_event ev = sample(), back;
    char out[512];
    size_t n = 0, need = 0;
    ugw_error err;
    (void)state;
    assert_int_equal(sw_encode_json(&ev, NULL, 0, &need, &err), UGW_OK);
    assert_int_equal(sw_encode_json(&ev, out, sizeof out, &n, &err), UGW_OK);
    assert_int_equal(n, need);
    assert_int_equal(n, strlen(DOC));
    assert_memory_equal(out, DOC, n);
    assert_int_equal(sw_encode_json(&ev, out, n - 1, &n, &err), UGW_ERR_BUFFER);
    assert_int_equal(decode(UGW_FORMAT_JSON, DOC, strlen(DOC), &back, &err, true), UGW_OK);
    assert_int_equal(back.type, SW_EVENT_GUIDE_PREVIEW_START);
    assert_true(back.env.timestamp == TS_MS);
    assert_int_equal(back.u.guide_preview_start.guide_id, 7);
    /* the typed call of one event takes the envelope first */
    assert_int_equal(sw_guide_preview_start_encode_json(&ev.env, &ev.u.guide_preview_start, out, sizeof out, &n, &err),
                     UGW_OK);
    assert_memory_equal(out, DOC, n);
}

static void test_msgpack_bytes_and_round_trip(void **state)
{
    sw_event ev = sample(), back;
    unsigned char out[512], again[512];
    size_t n = 0, m = 0;
    ugw_error err;
    (void)state;
    assert_int_equal(sw_encode_msgpack(&ev, out, sizeof out, &n, &err), UGW_OK);
    /* a map of 3: "type", the event string, "timestamp", its text, "data", a map of 4 */
    assert_int_equal(out[0], 0x83);
    assert_memory_equal(out + 1, "\xa4type", 5);
    assert_non_null(memchr(out, 0xa9, n));
    assert_int_equal(decode(UGW_FORMAT_MSGPACK, out, n, &back, &err, true), UGW_OK);
    assert_true(back.env.timestamp == TS_MS);
    assert_int_equal(sw_encode_msgpack(&back, again, sizeof again, &m, &err), UGW_OK);
    assert_int_equal(m, n);
    assert_memory_equal(again, out, n);
    assert_int_equal(sw_encode_msgpack(&ev, out, n - 1, &m, &err), UGW_ERR_BUFFER);
}

static void test_calls_without_an_envelope(void **state)
{
    sw_event ev = sample();
    ugw_decoder *d = ugw_decoder_new(NULL);
    unsigned char out[512];
    size_t n = 0;
    int type = 0;
    ugw_error err;
    (void)state;
    assert_int_equal(ugw_schema_envelope_size(&sw_schema_events), sizeof(sw_envelope));
    assert_int_equal(ugw_schema_envelope_size(NULL), 0);
    /* decoding checks the envelope fields all the same, and keeps the payload */
    for (int f = 0; f < 2; f++) {
        size_t len = strlen(DOC);
        const void *in = DOC;
        if (f == 1) {
            assert_int_equal(sw_encode_msgpack(&ev, out, sizeof out, &len, &err), UGW_OK);
            in = out;
        }
        memset(&ev.u, 0xff, sizeof ev.u);
        assert_int_equal(ugw_schema_decode(&sw_schema_events, d, (ugw_format)f, in, len, &type, &ev.u, sizeof ev.u,
                                           &err), UGW_OK);
        assert_int_equal(type, SW_EVENT_GUIDE_PREVIEW_START);
        assert_int_equal(ev.u.guide_preview_start.guide_id, 7);
    }
    {
        static const char bad[] = "{\"type\":\"guide started (userguiding)\",\"timestamp\":1,\"data\":{}}";
        assert_int_equal(ugw_schema_decode(&sw_schema_events, d, UGW_FORMAT_JSON, bad, strlen(bad), &type, &ev.u,
                                           sizeof ev.u, &err), UGW_ERR_TYPE);
    }
    assert_string_equal(err.path, "timestamp");
    /* encoding and validating without one: the required timestamp is missing */
    assert_int_equal(ugw_schema_encode(&sw_schema_events, SW_EVENT_GUIDE_PREVIEW_START, &ev.u, UGW_FORMAT_JSON, out,
                                       sizeof out, &n, &err), UGW_ERR_ARG);
    assert_string_equal(err.path, "timestamp");
    assert_int_equal(ugw_schema_validate(&sw_schema_events, SW_EVENT_GUIDE_PREVIEW_START, &ev.u, &err), UGW_ERR_ARG);
    ev = sample();
    assert_int_equal(ugw_schema_validate_env(&sw_schema_events, SW_EVENT_GUIDE_PREVIEW_START, &ev.env, &ev.u, &err),
                     UGW_OK);
    /* an envelope buffer too small is the caller's error */
    assert_int_equal(ugw_schema_decode_env(&sw_schema_events, d, UGW_FORMAT_JSON, DOC, strlen(DOC), &type, &ev.env,
                                           sizeof ev.env - 1, &ev.u, sizeof ev.u, &err), UGW_ERR_ARG);
    ugw_decoder_free(d);
}

static void test_scratch_needs_room(void **state)
{
    /* The smallest memory a decoder accepts leaves no room above the
     * tokens for a scratch envelope: NOMEM, never a write past it. */
    ugw_decode_opts o = { 0 };
    ugw_decoder *d = NULL;
    sw_event ev;
    int type = 0;
    ugw_error err;
    (void)state;
    o.max_tokens = 16;
    for (o.arena_size = 1024; !d && o.arena_size < 8192; o.arena_size += 8)
        d = ugw_decoder_new(&o);
    assert_non_null(d);
    assert_int_equal(ugw_schema_decode(&sw_schema_events, d, UGW_FORMAT_JSON, DOC, strlen(DOC), &type, &ev.u,
                                       sizeof ev.u, &err), UGW_ERR_NOMEM);
    /* with the envelope passed, the same decoder reads it */
    assert_int_equal(sw_decode_json(d, DOC, strlen(DOC), &ev, &err), UGW_OK);
    assert_true(ev.env.timestamp == TS_MS);
    ugw_decoder_free(d);
}

static void test_envelope_errors(void **state)
{
    (void)state;
    /* the required envelope field, after the event key and the payload's type */
    expect_error("{\"type\":\"guide started (userguiding)\",\"data\":{}}", UGW_ERR_MISSING, "timestamp", 0, false);
    expect_error("{\"type\":\"guide started (userguiding)\",\"timestamp\":\"2023-02-29T00:00:00Z\",\"data\":{}}",
                 UGW_ERR_FORMAT, "timestamp", 59, false);
    expect_error("{\"type\":\"guide started (userguiding)\",\"timestamp\":null,\"data\":{}}", UGW_ERR_TYPE,
                 "timestamp", 50, false);
    expect_error("{\"timestamp\":\"2022-11-03T20:26:10Z\",\"timestamp\":\"2022-11-03T20:26:10Z\",\"type\":\"x\"}",
                 UGW_ERR_DUPLICATE_KEY, "timestamp", 36, false);
    /* the default keys are unknown keys here */
    expect_error("{\"event\":\"guide started (userguiding)\",\"payload\":{}}", UGW_ERR_MISSING, "type", 0, false);
    expect_error("{\"type\":\"guide started (userguiding)\",\"timestamp\":\"2022-11-03T20:26:10Z\",\"event\":1,"
                 "\"data\":{}}", UGW_ERR_UNKNOWN_KEY, "event", 73, true);
    expect_error("{\"type\":\"guide started (userguiding)\",\"timestamp\":\"2022-11-03T20:26:10Z\"}", UGW_ERR_MISSING,
                 "data", 0, false);
    expect_error("{\"type\":7,\"timestamp\":\"2022-11-03T20:26:10Z\",\"data\":{}}", UGW_ERR_TYPE, "type", 8, false);
    /* payload paths start with the payload key */
    expect_error("{\"type\":\"guide started (userguiding)\",\"timestamp\":\"2022-11-03T20:26:10Z\",\"data\":"
                 "{\"pageUrl\":\"https://e.com/\",\"guideId\":1,\"guideName\":\"g\"}}", UGW_ERR_MISSING, "data.userId",
                 80, false);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_json_bytes_and_round_trip),
        cmocka_unit_test(test_msgpack_bytes_and_round_trip),
        cmocka_unit_test(test_calls_without_an_envelope),
        cmocka_unit_test(test_scratch_needs_room),
        cmocka_unit_test(test_envelope_errors),
    };
    return cmocka_run_group_tests(tests, NULL, free_kept);
}
