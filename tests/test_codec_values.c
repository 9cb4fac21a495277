/*
 * test_codec_values.c - field values at their edges: string limits, ids, every JSON
 * escape on decode and on encode.
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

static void test_string_limits(void **state)
{
    static char big[8194];
    memset(big, 'a', sizeof big);
    for (int t = 1; t <= UGW_EVENT_COUNT; t++) {
        const ugw_event_desc *ed = ugw_event_describe((ugw_event_type)t);
        for (int i = 0; i < ed->nfields; i++) {
            const ugw_field_desc *f = &ed->fields[i];
            ugw_event ev = *ugw_fixture((ugw_event_type)t), back;
            ugw_str *s = (ugw_str *)(void *)((char *)&ev.u + f->offset);
            static unsigned char out[40000];
            size_t len;
            ugw_error err;
            if (f->type == UGW_TYPE_URL) {
                static char url[2100];
                memset(url, 'a', sizeof url);
                memcpy(url, "https://x.y/", 12);
                s->ptr = url;
            } else if (f->type == UGW_TYPE_STRING) {
                s->ptr = big;
            } else {
                continue;
            }
            for (int fmt = 0; fmt < 2; fmt++) {
                s->len = (size_t)f->max;
                assert_int_equal(ugw_encode(&ev, (ugw_format)fmt, out, sizeof out, &len, &err), UGW_OK);
                assert_int_equal(ugw_decode(STRICT(state), (ugw_format)fmt, out, len, &back, &err), UGW_OK);
                assert_events_equal(&ev, &back);
                /* one byte over: the encoder refuses, and so does the decoder
                 * when the bytes come from elsewhere */
                s->len = (size_t)f->max + 1;
                assert_int_equal(ugw_encode(&ev, (ugw_format)fmt, out, sizeof out, &len, &err), UGW_ERR_TOO_LONG);
                assert_string_equal(err.path, f->path);
                s->len = (size_t)f->max;
                assert_int_equal(ugw_encode(&ev, (ugw_format)fmt, out, sizeof out, &len, &err), UGW_OK);
                if (fmt == UGW_FORMAT_JSON) {
                    /* widen the string by one byte in the text: find "aaaa..." */
                    static unsigned char wide[40001];
                    unsigned char *run = memmem(out, len, big, (size_t)f->max - 12);
                    size_t at;
                    assert_non_null(run);
                    at = (size_t)(run - out);
                    memcpy(wide, out, at);
                    wide[at] = 'a';
                    memcpy(wide + at + 1, out + at, len - at);
                    assert_int_equal(decode_copy(DEC(state), UGW_FORMAT_JSON, wide, len + 1, &back, &err), UGW_ERR_TOO_LONG);
                    assert_string_equal(err.path, f->path);
                }
            }
        }
    }
}

static void test_id_edges(void **state)
{
    static const struct {
        const char *v;
        ugw_status st;
        uint64_t want;
    } cases[] = {
        { "0", UGW_OK, 0 },
        { "9007199254740991", UGW_OK, UGW_ID_MAX },
        { "9007199254740992", UGW_ERR_RANGE, 0 },
        { "18446744073709551615", UGW_ERR_RANGE, 0 },
        { "18446744073709551616", UGW_ERR_RANGE, 0 },
        { "-0", UGW_OK, 0 },
        { "-1", UGW_ERR_RANGE, 0 },
        { "\"0\"", UGW_OK, 0 },
        { "\"1\"", UGW_OK, 1 },
        { "\"0000000000000001\"", UGW_OK, 1 },
        { "\"9007199254740991\"", UGW_OK, UGW_ID_MAX },
        { "\"9007199254740992\"", UGW_ERR_RANGE, 0 },
        { "\"12345678901234567\"", UGW_ERR_RANGE, 0 },
        { "\"\\u0031\"", UGW_OK, 1 },
        { "\"4\\u0032\"", UGW_OK, 42 },
        { "\"\\u0041\"", UGW_ERR_TYPE, 0 },
        { "\"\\ud800\"", UGW_ERR_UTF8, 0 },
        { "\"\"", UGW_ERR_TYPE, 0 },
        { "\"-1\"", UGW_ERR_TYPE, 0 },
        { "\" 1\"", UGW_ERR_TYPE, 0 },
        { "1.0", UGW_ERR_TYPE, 0 },
        { "true", UGW_ERR_TYPE, 0 },
        { "null", UGW_ERR_TYPE, 0 },
        { "[1]", UGW_ERR_TYPE, 0 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char doc[512];
        ugw_event ev;
        ugw_error err;
        ugw_status st;
        snprintf(doc, sizeof doc, GS "\"userId\":\"u\",\"pageUrl\":\"https://a.b/\",\"guideId\":%s,\"guideName\":\"g\"}}", cases[i].v);
        st = ugw_decode_json(DEC(state), doc, strlen(doc), &ev, &err); /* views point into doc */
        if (st != cases[i].st)
            fail_msg("guideId %s: want %s, got %s", cases[i].v, ugw_status_name(cases[i].st), ugw_status_name(st));
        if (!st) {
            char out[512];
            size_t len;
            assert_true(ev.u.guide_preview_start.guide_id == cases[i].want);
            /* the encoder always writes the integer */
            assert_int_equal(ugw_encode_json(&ev, out, sizeof out, &len, &err), UGW_OK);
            snprintf(doc, sizeof doc, "\"guideId\":%llu,", (unsigned long long)cases[i].want);
            assert_non_null(memmem(out, len, doc, strlen(doc)));
        } else {
            assert_string_equal(err.path, "payload.guideId");
        }
    }
    /* the encoder refuses ids above 2^53-1 */
    {
        ugw_event ev = *ugw_fixture(UGW_EVENT_GUIDE_PREVIEW_START);
        char out[512];
        size_t len;
        ugw_error err;
        ev.u.guide_preview_start.guide_id = UGW_ID_MAX + 1;
        assert_int_equal(ugw_encode_json(&ev, out, sizeof out, &len, &err), UGW_ERR_RANGE);
        assert_string_equal(err.path, "payload.guideId");
        assert_int_equal(ugw_encode_msgpack(&ev, out, sizeof out, &len, &err), UGW_ERR_RANGE);
    }
}

static void test_every_escape(void **state)
{
    static const struct {
        const char *json;
        const char *want;
        size_t want_len;
    } cases[] = {
        { "a\\\"b", "a\"b", 3 },
        { "a\\\\b", "a\\b", 3 },
        { "a\\/b", "a/b", 3 },
        { "\\b\\f\\n\\r\\t", "\b\f\n\r\t", 5 },
        { "\\u0041\\u00e9\\u00E9", "A\xc3\xa9\xc3\xa9", 5 },
        { "\\u20ac", "\xe2\x82\xac", 3 },
        { "\\ud83d\\ude00", "\xf0\x9f\x98\x80", 4 },
        { "\\uD83D\\uDE00x", "\xf0\x9f\x98\x80x", 5 },
        { "\\udbff\\udfff", "\xf4\x8f\xbf\xbf", 4 },
        { "\\u001f", "\x1f", 1 },
        { "\\u007f", "\x7f", 1 },
        { "\\u2028\\u2029", "\xe2\x80\xa8\xe2\x80\xa9", 6 },
        { "\xf0\x9f\x98\x80 raw", "\xf0\x9f\x98\x80 raw", 8 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char doc[512];
        ugw_event ev;
        ugw_error err;
        snprintf(doc, sizeof doc, GS "\"userId\":\"u\",\"pageUrl\":\"https://a.b/\",\"guideId\":1,\"guideName\":\"%s\"}}", cases[i].json);
        assert_int_equal(ugw_decode_json(DEC(state), doc, strlen(doc), &ev, &err), UGW_OK);
        assert_int_equal(ev.u.guide_preview_start.guide_name.len, cases[i].want_len);
        assert_memory_equal(ev.u.guide_preview_start.guide_name.ptr, cases[i].want, cases[i].want_len);
    }
    /* bad escapes and surrogates */
    {
        static const struct {
            const char *json;
            ugw_status st;
        } bad[] = {
            { "\\x41", UGW_ERR_SYNTAX },
            { "\\u12", UGW_ERR_SYNTAX },
            { "\\u12g4", UGW_ERR_SYNTAX },
            { "\\ud800", UGW_ERR_UTF8 },
            { "\\ud800x", UGW_ERR_UTF8 },
            { "\\ud800\\u0041", UGW_ERR_UTF8 },
            { "\\udc00", UGW_ERR_UTF8 },
            { "\\ude00\\ud83d", UGW_ERR_UTF8 },
            { "\\ud83d\\ud83d", UGW_ERR_UTF8 },
            { "\xc0\x80", UGW_ERR_UTF8 },          /* overlong NUL */
            { "\xe0\x80\xaf", UGW_ERR_UTF8 },      /* overlong '/' */
            { "\xf0\x80\x80\xaf", UGW_ERR_UTF8 },  /* overlong, 4 bytes */
            { "\xed\xa0\x80", UGW_ERR_UTF8 },      /* encoded surrogate */
            { "\xf4\x90\x80\x80", UGW_ERR_UTF8 },  /* above U+10FFFF */
            { "\xe2\x82", UGW_ERR_UTF8 },          /* cut sequence */
            { "\x80", UGW_ERR_UTF8 },              /* stray continuation */
            { "\xff", UGW_ERR_UTF8 },
            { "a\\u0000", UGW_ERR_NUL },
            { "\x01", UGW_ERR_SYNTAX },            /* raw control byte */
        };
        for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
            char doc[512];
            ugw_error err;
            ugw_status st;
            snprintf(doc, sizeof doc, GS "\"userId\":\"u\",\"pageUrl\":\"https://a.b/\",\"guideId\":1,\"guideName\":\"%s\"}}", bad[i].json);
            st = decode_json_text(DEC(state), doc, &err);
            if (st != bad[i].st)
                fail_msg("guideName \"%s\": want %s, got %s (%s)", bad[i].json, ugw_status_name(bad[i].st), ugw_status_name(st), err.message);
        }
    }
}

static void test_escaping_on_encode(void **state)
{
    ugw_event ev = *ugw_fixture(UGW_EVENT_GUIDE_PREVIEW_START), back;
    static const char name[] = "q\"b\\s/\b\f\n\r\t\x01\x1f\x7f\xc3\xa9\xe2\x80\xa8\xf0\x9f\x98\x80";
    static const char want[] = "\"guideName\":\"q\\\"b\\\\s/\\b\\f\\n\\r\\t\\u0001\\u001f\x7f\xc3\xa9\xe2\x80\xa8\xf0\x9f\x98\x80\"}}";
    char out[512];
    size_t len;
    ugw_error err;
    ev.u.guide_preview_start.guide_name.ptr = name;
    ev.u.guide_preview_start.guide_name.len = sizeof name - 1;
    assert_int_equal(ugw_encode_json(&ev, out, sizeof out, &len, &err), UGW_OK);
    assert_true(len > sizeof want - 1);
    assert_memory_equal(out + len - (sizeof want - 1), want, sizeof want - 1);
    assert_int_equal(ugw_decode_json(DEC(state), out, len, &back, &err), UGW_OK);
    assert_events_equal(&ev, &back);
}


int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_string_limits),
        cmocka_unit_test(test_id_edges),
        cmocka_unit_test(test_every_escape),
        cmocka_unit_test(test_escaping_on_encode),
    };
    return cmocka_run_group_tests_name("test_codec_values", tests, setup, teardown);
}
