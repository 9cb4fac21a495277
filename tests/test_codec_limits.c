/*
 * test_codec_limits.c - depth, truncation at every offset, output buffer sizes,
 * validation and arguments, optional fields and aliases, decoder options.
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

static void test_depth(void **state)
{
    /* payload at depth 2, so "x" holding k nested arrays reaches 2 + k */
    ugw_decode_opts o = { 0 };
    ugw_decoder *d;
    (void)state;
    o.max_depth = 8;
    d = ugw_decoder_new(&o);
    assert_non_null(d);
    for (int k = 1; k <= 40; k++) {
        char doc[1024];
        unsigned char mp[1024];
        size_t n = 0, mn = 0;
        ugw_event ev;
        ugw_error err;
        ugw_status want = 2 + k <= 8 ? UGW_OK : UGW_ERR_DEPTH, st;
        n += (size_t)snprintf(doc, sizeof doc, GS GS_OK ",\"x\":");
        for (int i = 0; i < k; i++)
            doc[n++] = '[';
        for (int i = 0; i < k; i++)
            doc[n++] = ']';
        doc[n++] = '}';
        doc[n++] = '}';
        st = decode_copy(d, UGW_FORMAT_JSON, doc, n, &ev, &err);
        assert_int_equal(st, want);
        if (st)
            assert_string_equal(err.path, "payload.x");
        /* the same in MessagePack */
        {
            static const char h[] = "\x82\xa5" "event" "\xbb" "guide started (userguiding)" "\xa7" "payload" "\x85"
                                    "\xa6userId\xa1u\xa7pageUrl\xachttps://a.b/\xa7guideId\x01\xa9guideName\xa1g\xa1x";
            memcpy(mp, h, sizeof h - 1);
            mn = sizeof h - 1;
        }
        for (int i = 0; i < k; i++)
            mp[mn++] = i + 1 < k ? 0x91 : 0x90;
        st = decode_copy(d, UGW_FORMAT_MSGPACK, mp, mn, &ev, &err);
        if (st != want)
            fail_msg("msgpack depth %d: want %s, got %s (%s @%zu)", k, ugw_status_name(want), ugw_status_name(st), err.message, err.pos);
        if (st)
            assert_string_equal(err.path, "payload.x");
    }
    ugw_decoder_free(d);
}

/* Every prefix of a valid document is rejected, and none is read past its end. */
static void test_truncation_every_offset(void **state)
{
    for (int f = 0; f < 2; f++) {
        size_t len;
        unsigned char *doc = fixture_bytes("valid", "resource_center_checklist_guide_trigger", f ? "msgpack" : "json", &len);
        for (size_t cut = 0; cut < len; cut++) {
            ugw_event ev;
            ugw_error err;
            ugw_status st = decode_copy(DEC(state), (ugw_format)f, doc, cut, &ev, &err);
            if (st == UGW_OK)
                fail_msg("%s prefix of %zu bytes accepted", f ? "msgpack" : "json", cut);
            assert_true(err.pos <= cut);
            if (f == UGW_FORMAT_MSGPACK)
                assert_int_equal(st, UGW_ERR_TRUNCATED);
        }
        free(doc);
    }
}

/* ------------------------------------------------------------------ */
/* API contracts                                                        */
/* ------------------------------------------------------------------ */

static void test_encode_buffer_sizes(void **state)
{
    (void)state;
    for (int f = 0; f < 2; f++) {
        const ugw_event *fx = ugw_fixture(UGW_EVENT_NPS_FEEDBACK_SUBMIT);
        size_t need, len;
        ugw_error err;
        assert_int_equal(ugw_encode(fx, (ugw_format)f, NULL, 0, &need, &err), UGW_OK);
        for (size_t cap = 0; cap <= need; cap++) {
            unsigned char *out = malloc(cap + 8);
            memset(out, 0xa5, cap + 8);
            len = 0;
            ugw_status st = ugw_encode(fx, (ugw_format)f, out, cap, &len, &err);
            if (cap < need) {
                assert_int_equal(st, UGW_ERR_BUFFER);
                assert_int_equal(len, need);
            } else {
                assert_int_equal(st, UGW_OK);
                assert_int_equal(len, need);
            }
            for (size_t i = cap; i < cap + 8; i++)
                assert_int_equal(out[i], 0xa5); /* nothing written past cap */
            free(out);
        }
    }
}

static void test_validate_and_arguments(void **state)
{
    ugw_event ev = *ugw_fixture(UGW_EVENT_GUIDE_PREVIEW_START);
    ugw_event none = { UGW_EVENT_NONE, { .guide_preview_start = UGW_GUIDE_PREVIEW_START_INIT } };
    ugw_event empty = UGW_EVENT_GUIDE_PREVIEW_START_INIT;
    char out[64];
    size_t len;
    ugw_error err;
    assert_int_equal(ugw_event_validate(&ev, &err), UGW_OK);
    assert_int_equal(ugw_event_validate(&ev, NULL), UGW_OK);
    assert_int_equal(ugw_event_validate(NULL, &err), UGW_ERR_ARG);
    assert_int_equal(ugw_event_validate(&none, &err), UGW_ERR_ARG);
    assert_int_equal(ugw_event_validate(&empty, &err), UGW_ERR_MISSING);
    assert_string_equal(err.path, "payload.userId");
    ev.u.guide_preview_start.user_id.ptr = NULL;
    ev.u.guide_preview_start.user_id.len = 3;
    assert_int_equal(ugw_event_validate(&ev, &err), UGW_ERR_ARG);
    assert_int_equal(ugw_encode_json(&none, out, sizeof out, &len, &err), UGW_ERR_ARG);
    assert_int_equal(ugw_encode(&empty, (ugw_format)7, out, sizeof out, &len, &err), UGW_ERR_ARG);
    assert_int_equal(ugw_decode(DEC(state), (ugw_format)7, "{}", 2, &ev, &err), UGW_ERR_ARG);
    assert_int_equal(ugw_decode_json(NULL, "{}", 2, &ev, &err), UGW_ERR_ARG);
    assert_int_equal(ugw_decode_json(DEC(state), NULL, 2, &ev, &err), UGW_ERR_ARG);
    assert_int_equal(ugw_decode_msgpack(DEC(state), "\x80", 1, NULL, &err), UGW_ERR_ARG);
    /* err may be NULL everywhere */
    assert_int_equal(ugw_decode_json(DEC(state), "[", 1, &ev, NULL), UGW_ERR_TRUNCATED);
}

static void test_optional_field_and_alias(void **state)
{
    static const char doc[] = "{\"payload\":{\"pageUrl\":\"http://x\",\"userId\":\"u\"},\"event\":\"nps survey shown (userguiding)\"}";
    static const char alias[] = "{\"event\":\"Checklist item trigger (userguiding)\",\"payload\":{\"userId\":\"u\",\"pageUrl\":\"http://x\",\"checklistId\":\"5\",\"checklistName\":\"c\",\"guideId\":1,\"guideName\":\"g\"}}";
    ugw_event ev;
    ugw_error err;
    char out[512];
    size_t len;
    assert_int_equal(ugw_decode_json(DEC(state), doc, sizeof doc - 1, &ev, &err), UGW_OK);
    assert_int_equal(ev.type, UGW_EVENT_NPS_SURVEY_DISPLAY);
    assert_false(ev.u.nps_survey_display.has_survey_id);
    assert_int_equal(ugw_encode_json(&ev, out, sizeof out, &len, &err), UGW_OK);
    assert_int_equal(len, strlen("{\"event\":\"nps survey shown (userguiding)\",\"payload\":{\"userId\":\"u\",\"pageUrl\":\"http://x\"}}"));
    assert_memory_equal(out, "{\"event\":\"nps survey shown (userguiding)\",\"payload\":{\"userId\":\"u\",\"pageUrl\":\"http://x\"}}", len);
    assert_int_equal(ugw_decode_json(DEC(state), alias, sizeof alias - 1, &ev, &err), UGW_OK);
    assert_int_equal(ev.type, UGW_EVENT_CHECKLIST_ITEM_TRIGGER);
    assert_int_equal(ev.u.checklist_item_trigger.checklist_id, 5);
    assert_int_equal(ugw_encode_json(&ev, out, sizeof out, &len, &err), UGW_OK);
    assert_non_null(memmem(out, len, "\"event\":\"checklist item triggered (userguiding)\"", 48));
    assert_non_null(memmem(out, len, "\"checklistId\":5,", 16));
}

static void test_decoder_options(void **state)
{
    ugw_decode_opts o = { 0 };
    ugw_decoder *d;
    size_t len;
    unsigned char *doc = fixture_bytes("valid", "nps_feedback_submit", "json", &len);
    ugw_event ev;
    ugw_error err;
    static max_align_t mem[(32 << 10) / sizeof(max_align_t)];
    (void)state;
    /* invalid options */
    o.max_depth = 33;
    assert_null(ugw_decoder_new(&o));
    o.max_depth = 0;
    o.arena_size = 100;
    assert_null(ugw_decoder_new(&o));
    /* max_input */
    o.arena_size = 0;
    o.max_input = len - 1;
    d = ugw_decoder_new(&o);
    assert_int_equal(ugw_decode_json(d, doc, len, &ev, &err), UGW_ERR_LIMIT);
    assert_int_equal(ugw_decode_msgpack(d, doc, len, &ev, &err), UGW_ERR_LIMIT);
    assert_int_equal(ugw_decoder_opts(d)->max_depth, UGW_DEFAULT_MAX_DEPTH);
    ugw_decoder_free(d);
    /* max_tokens */
    o.max_input = 0;
    o.max_tokens = 8;
    d = ugw_decoder_new(&o);
    assert_int_equal(ugw_decode_json(d, doc, len, &ev, &err), UGW_ERR_LIMIT);
    ugw_decoder_free(d);
    /* caller memory, and an arena too small for the unescaped strings */
    memset(&o, 0, sizeof o);
    o.arena = mem;
    o.arena_size = sizeof mem;
    o.max_tokens = 64;
    d = ugw_decoder_new(&o);
    assert_non_null(d);
    assert_int_equal(ugw_decode_json(d, doc, len, &ev, &err), UGW_OK);
    {
        static char big[60000];
        size_t n = (size_t)snprintf(big, sizeof big, GS "\"userId\":\"u\",\"pageUrl\":\"https://a.b/\",\"guideId\":1,\"guideName\":\"g\",\"x\":\"");
        size_t head = n;
        /* 40,000 bytes of escapes are 20,000 decoded: those are what the
         * arena must hold */
        for (int i = 0; i < 20000; i++)
            n += (size_t)snprintf(big + n, sizeof big - n, "\\n");
        n += (size_t)snprintf(big + n, sizeof big - n, "\"}}");
        assert_int_equal(ugw_decode_json(d, big, n, &ev, &err), UGW_OK);
        /* 36,000 decoded bytes do not fit */
        n = head;
        for (int i = 0; i < 12000; i++)
            n += (size_t)snprintf(big + n, sizeof big - n, "\\nab");
        n += (size_t)snprintf(big + n, sizeof big - n, "\"}}");
        assert_int_equal(ugw_decode_json(d, big, n, &ev, &err), UGW_ERR_NOMEM);
        assert_string_equal(err.path, "payload.x");
    }
    ugw_decoder_free(d);
    ugw_decoder_free(NULL);
    free(doc);
}


int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_depth),
        cmocka_unit_test(test_truncation_every_offset),
        cmocka_unit_test(test_encode_buffer_sizes),
        cmocka_unit_test(test_validate_and_arguments),
        cmocka_unit_test(test_optional_field_and_alias),
        cmocka_unit_test(test_decoder_options),
    };
    return cmocka_run_group_tests_name("test_codec_limits", tests, setup, teardown);
}
