/*
 * test_codec_errors.c - error codes, byte positions and field paths, JSON and
 * MessagePack.
 */
#define _GNU_SOURCE /* memmem */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <msgpack.h>

#include <ugw/ugw_events.h>
#include <ugw/ugw_fixtures.h>
#include "codec_support.h"

/* ------------------------------------------------------------------ */
/* error positions and paths                                            */
/* ------------------------------------------------------------------ */



static void test_json_error_positions(void **state)
{
    static const jcase cases[] = {
        { "", UGW_ERR_TRUNCATED, 0, "" },
        { "   ", UGW_ERR_TRUNCATED, 3, "" },
        { "{\"event\":", UGW_ERR_TRUNCATED, 9, "" },
        { "{\"event\" 1}", UGW_ERR_SYNTAX, 9, "" },
        { "{\"a\":1 \"b\":2}", UGW_ERR_SYNTAX, 7, "" },
        { "{\"a\":[1 2]}", UGW_ERR_SYNTAX, 8, "" },
        { "{\"a\":[1,]}", UGW_ERR_SYNTAX, 7, "" },
        { "{\"a\":01}", UGW_ERR_SYNTAX, 5, "" },
        { "{\"a\":1.}", UGW_ERR_SYNTAX, 5, "" },
        { "{\"a\":-}", UGW_ERR_SYNTAX, 5, "" },
        { "{\"a\":nul}", UGW_ERR_SYNTAX, 5, "" },
        { "{\"a\":\"x\ty\"}", UGW_ERR_SYNTAX, 7, "" },
        { "{} x", UGW_ERR_TRAILING, 3, "" },
        { "{}{}", UGW_ERR_TRAILING, 2, "" },
        { "{}  ", UGW_ERR_MISSING, 0, "event" },
        { "[]", UGW_ERR_TYPE, 0, "" },
        { "0", UGW_ERR_TYPE, 0, "" },                 /* fuzz/regressions */
        { " true ", UGW_ERR_TYPE, 1, "" },
        { "-1.5e3", UGW_ERR_TYPE, 0, "" },
        { "tru", UGW_ERR_SYNTAX, 0, "" },
        { "01", UGW_ERR_SYNTAX, 0, "" },
        { "  \"x\"", UGW_ERR_TYPE, 2, "" },
        { "{\"event\":1,\"payload\":{}}", UGW_ERR_TYPE, 9, "event" },
        { "{\"event\":\"x\",\"payload\":{}}", UGW_ERR_UNKNOWN_EVENT, 9, "event" },
        { "{\"event\":\"guide started (userguiding)\"}", UGW_ERR_MISSING, 0, "payload" },
        { "{\"event\":\"guide started (userguiding)\",\"payload\":[]}", UGW_ERR_TYPE, 49, "payload" },
        { "{\"event\":\"a\",\"event\":\"b\"}", UGW_ERR_DUPLICATE_KEY, 13, "event" },
        { GS GS_OK "}}", UGW_OK, 0, "" },
        { GS GS_OK ",\"userId\":\"v\"}}", UGW_ERR_DUPLICATE_KEY, 116, "payload.userId" },
        { GS "\"userId\":\"\",\"pageUrl\":\"https://a.b/\",\"guideId\":1,\"guideName\":\"g\"}}", UGW_ERR_TOO_SHORT, 59, "payload.userId" },
        { GS "\"userId\":\"u\",\"pageUrl\":\"https://a.b/\",\"guideId\":1}}", UGW_ERR_MISSING, 49, "payload.guideName" },
        { GS "\"userId\":\"u\",\"pageUrl\":\"ftp://a.b/\",\"guideId\":1,\"guideName\":\"g\"}}", UGW_ERR_URL, 73, "payload.pageUrl" },
        { GS "\"userId\":\"u\",\"pageUrl\":\"https://a.b/\",\"guideId\":-1,\"guideName\":\"g\"}}", UGW_ERR_RANGE, 98, "payload.guideId" },
        { GS "\"userId\":\"u\",\"pageUrl\":\"https://a.b/\",\"guideId\":1e3,\"guideName\":\"g\"}}", UGW_ERR_TYPE, 98, "payload.guideId" },
        { GS "\"userId\":\"a\\u0000\",\"pageUrl\":\"https://a.b/\",\"guideId\":1,\"guideName\":\"g\"}}", UGW_ERR_NUL, 59, "payload.userId" },
        { GS "\"userId\":\"ab\xff\",\"pageUrl\":\"https://a.b/\",\"guideId\":1,\"guideName\":\"g\"}}", UGW_ERR_UTF8, 62, "payload.userId" },
        { GS "\"userId\":\"a\\ud800\",\"pageUrl\":\"https://a.b/\",\"guideId\":1,\"guideName\":\"g\"}}", UGW_ERR_UTF8, 61, "payload.userId" },
        { GS GS_OK ",\"x\":1}}", UGW_OK, 0, "" },
        { GS GS_OK ",\"x\":{\"a\":1,\"a\":2}}}", UGW_ERR_DUPLICATE_KEY, 127, "payload.x" },
        { GS GS_OK ",\"x\":1,\"x\":2}}", UGW_ERR_DUPLICATE_KEY, 122, "payload.x" },
        { GS GS_OK ",\"x\":\"\xc0\xaf\"}}", UGW_ERR_UTF8, 121, "payload.x" },
        { GS GS_OK ",\"\\u0078\":1,\"x\":2}}", UGW_ERR_DUPLICATE_KEY, 127, "payload.x" },
        { SS "\"score\":11}}", UGW_ERR_RANGE, 114, "payload.score" },
        { SS "\"score\":-1}}", UGW_ERR_RANGE, 114, "payload.score" },
        { SS "\"score\":99999999999999999999999}}", UGW_ERR_RANGE, 114, "payload.score" },
        { SS "\"score\":\"9\"}}", UGW_ERR_TYPE, 114, "payload.score" },
        { SS "\"score\":0}}", UGW_OK, 0, "" },
        { SS "\"score\":10}}", UGW_OK, 0, "" },
    };
    assert_int_equal(json_case_failures(DEC(state), cases, sizeof cases / sizeof cases[0]), 0);
}

static void test_unknown_key_strict_positions(void **state)
{
    ugw_error err;
    assert_int_equal(decode_json_text(STRICT(state), GS GS_OK ",\"extra\":1}}", &err), UGW_ERR_UNKNOWN_KEY);
    assert_int_equal(err.pos, 116);
    assert_string_equal(err.path, "payload.extra");
    assert_int_equal(decode_json_text(STRICT(state), "{\"zz\":1,\"event\":\"guide started (userguiding)\",\"payload\":{" GS_OK "}}", &err), UGW_ERR_UNKNOWN_KEY);
    assert_int_equal(err.pos, 1);
    assert_string_equal(err.path, "zz");
}

static void test_msgpack_error_positions(void **state)
{
    /* {"event": "guide started (userguiding)", "payload": {...}} by hand */
    static const char head[] = "\x82\xa5" "event" "\xbb" "guide started (userguiding)" "\xa7" "payload";
    unsigned char doc[512];
    size_t hl = sizeof head - 1, n;
    ugw_event ev;
    ugw_error err;

#define PUT(s) (memcpy(doc + n, (s), sizeof(s) - 1), n += sizeof(s) - 1)
    /* guideId as uint64 2^53 */
    n = 0;
    PUT(head);
    PUT("\x84\xa6userId\xa1u\xa7pageUrl\xachttps://a.b/\xa7guideId\xcf\x00\x20\x00\x00\x00\x00\x00\x00\xa9guideName\xa1g");
    assert_int_equal(decode_copy(DEC(state), UGW_FORMAT_MSGPACK, doc, n, &ev, &err), UGW_ERR_RANGE);
    assert_string_equal(err.path, "payload.guideId");
    assert_int_equal(err.pos, hl + 1 + 7 + 2 + 8 + 13 + 8);
    /* 2^53 - 1 is fine */
    doc[hl + 1 + 7 + 2 + 8 + 13 + 8 + 2] = 0x1f;
    memset(doc + hl + 1 + 7 + 2 + 8 + 13 + 8 + 3, 0xff, 6);
    assert_int_equal(decode_copy(DEC(state), UGW_FORMAT_MSGPACK, doc, n, &ev, &err), UGW_OK);
    assert_true(ev.u.guide_preview_start.guide_id == UGW_ID_MAX);
    /* invalid UTF-8 points at the bad byte */
    n = 0;
    PUT(head);
    PUT("\x84\xa6userId\xa3u\xc0\xaf\xa7pageUrl\xachttps://a.b/\xa7guideId\x01\xa9guideName\xa1g");
    assert_int_equal(decode_copy(DEC(state), UGW_FORMAT_MSGPACK, doc, n, &ev, &err), UGW_ERR_UTF8);
    assert_int_equal(err.pos, hl + 1 + 7 + 2);
    assert_string_equal(err.path, "payload.userId");
    /* trailing byte */
    n = 0;
    PUT(head);
    PUT("\x84\xa6userId\xa1u\xa7pageUrl\xachttps://a.b/\xa7guideId\x01\xa9guideName\xa1g\xc0");
    assert_int_equal(decode_copy(DEC(state), UGW_FORMAT_MSGPACK, doc, n, &ev, &err), UGW_ERR_TRAILING);
    assert_int_equal(err.pos, n - 1);
    /* a map header that claims more than the input holds */
    assert_int_equal(decode_copy(DEC(state), UGW_FORMAT_MSGPACK, "\xdf\xff\xff\xff\xff", 5, &ev, &err), UGW_ERR_TRUNCATED);
    assert_int_equal(err.pos, 5);
    assert_int_equal(decode_copy(DEC(state), UGW_FORMAT_MSGPACK, "\xdb\xff\xff\xff\xff" "abc", 8, &ev, &err), UGW_ERR_TRUNCATED);
    /* bin where a string is due */
    n = 0;
    PUT(head);
    PUT("\x84\xa6userId\xc4\x01u\xa7pageUrl\xachttps://a.b/\xa7guideId\x01\xa9guideName\xa1g");
    assert_int_equal(decode_copy(DEC(state), UGW_FORMAT_MSGPACK, doc, n, &ev, &err), UGW_ERR_TYPE);
    assert_int_equal(err.pos, hl + 1 + 7);
    /* an empty string value: msgpack-c gives no pointer, we give "" */
    n = 0;
    PUT(head);
    PUT("\x84\xa6userId\xa1u\xa7pageUrl\xachttps://a.b/\xa7guideId\x01\xa9guideName\xa0");
    assert_int_equal(ugw_decode_msgpack(DEC(state), doc, n, &ev, &err), UGW_OK); /* views into doc */
    assert_non_null(ev.u.guide_preview_start.guide_name.ptr);
    assert_int_equal(ev.u.guide_preview_start.guide_name.len, 0);
    {
        unsigned char out[256];
        size_t ol;
        assert_int_equal(ugw_encode_msgpack(&ev, out, sizeof out, &ol, &err), UGW_OK);
        assert_int_equal(ol, n);
        assert_memory_equal(out, doc, n);
    }
    /* empty keys (fuzz/regressions): duplicates found, positions inside the input */
    assert_int_equal(decode_copy(DEC(state), UGW_FORMAT_MSGPACK, "\x82\xa0\x00\xa0\x00", 5, &ev, &err), UGW_ERR_DUPLICATE_KEY);
    assert_true(err.pos <= 5);
    assert_int_equal(decode_copy(DEC(state), UGW_FORMAT_MSGPACK, "\x81\xa0\x82\x01\x01\x01\x01", 7, &ev, &err), UGW_ERR_DUPLICATE_KEY);
    assert_true(err.pos <= 7);
    assert_int_equal(decode_copy(STRICT(state), UGW_FORMAT_MSGPACK, "\x81\xa0\x00", 3, &ev, &err), UGW_ERR_UNKNOWN_KEY);
    assert_true(err.pos <= 3);
    /* fuzz/regressions: an empty key after another string (msgpack-c gives it
     * a stale pointer), and a short key written as str8 */
    assert_int_equal(decode_copy(STRICT(state), UGW_FORMAT_MSGPACK, "\x82\xa5" "event" "\xa1x\xa0\x00", 11, &ev, &err), UGW_ERR_UNKNOWN_KEY);
    assert_int_equal(err.pos, 9);
    assert_int_equal(decode_copy(STRICT(state), UGW_FORMAT_MSGPACK, "\x81\xa0\x00", 3, &ev, &err), UGW_ERR_UNKNOWN_KEY);
    assert_int_equal(err.pos, 1);
    assert_int_equal(decode_copy(STRICT(state), UGW_FORMAT_MSGPACK, "\x81\xd9\x01x\x00", 5, &ev, &err), UGW_ERR_UNKNOWN_KEY);
    assert_int_equal(err.pos, 1);
    assert_string_equal(err.path, "x");
    /* ext and float values in an unknown key are skipped */
    n = 0;
    PUT(head);
    PUT("\x85\xa6userId\xa1u\xa7pageUrl\xachttps://a.b/\xa7guideId\x01\xa9guideName\xa1g\xa1x\x92\xd4\x01\x02\xcb\x40\x00\x00\x00\x00\x00\x00\x00");
    assert_int_equal(decode_copy(DEC(state), UGW_FORMAT_MSGPACK, doc, n, &ev, &err), UGW_OK);
    assert_int_equal(decode_copy(STRICT(state), UGW_FORMAT_MSGPACK, doc, n, &ev, &err), UGW_ERR_UNKNOWN_KEY);
    assert_string_equal(err.path, "payload.x");
#undef PUT
}

/* ------------------------------------------------------------------ */
/* edges                                                                */
/* ------------------------------------------------------------------ */

/* Every string field of every event at its limit, and one byte over. */

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_json_error_positions),
        cmocka_unit_test(test_unknown_key_strict_positions),
        cmocka_unit_test(test_msgpack_error_positions),
    };
    return cmocka_run_group_tests_name("test_codec_errors", tests, setup, teardown);
}
