/*
 * test_codec_msgpack_bounds.c - MessagePack decoding in memory the decoder
 * bounds: headers that announce more than the input holds, the max_tokens
 * and max_depth limits met by msgpack-c's unpacker itself, the memory a
 * caller's arena must give, and errors that keep their code, position and
 * path now that the structural scan runs only when unpacking fails.
 */
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

/* The document head of a guide-started event up to its payload map. */
static const char head[] = "\x82\xa5" "event" "\xbb" "guide started (userguiding)" "\xa7" "payload";
#define HL (sizeof head - 1)
#define FIELDS4 "\xa6userId\xa1u\xa7pageUrl\xachttps://a.b/\xa7guideId\x01\xa9guideName\xa1g"

static size_t put(unsigned char *doc, size_t n, const void *p, size_t len)
{
    memcpy(doc + n, p, len);
    return n + len;
}
#define PUT(lit) (n = put(doc, n, (lit), sizeof(lit) - 1))

static void test_hostile_headers(void **state)
{
    ugw_event ev;
    ugw_error err;
    /* A 4 GiB array in 10 bytes, at the top and inside a payload: the
     * decoder says truncated, at the end of the input, and takes nothing
     * (a sanitizer build would see msgpack-c's 96 GiB request). */
    static const unsigned char arr[] = { 0xdd, 0xff, 0xff, 0xff, 0xff, 0x01, 0x02, 0x03, 0x04, 0x05 };
    static const unsigned char map[] = { 0xdf, 0xff, 0xff, 0xff, 0xff, 0xa1, 'a', 0x01, 0xa1, 'b' };
    unsigned char doc[256];
    size_t n = 0;
    assert_int_equal(decode_copy(DEC(state), UGW_FORMAT_MSGPACK, arr, sizeof arr, &ev, &err), UGW_ERR_TRUNCATED);
    assert_int_equal(err.pos, sizeof arr);
    assert_string_equal(err.path, "");
    assert_int_equal(decode_copy(DEC(state), UGW_FORMAT_MSGPACK, map, sizeof map, &ev, &err), UGW_ERR_TRUNCATED);
    assert_int_equal(err.pos, sizeof map);
    /* nested: every level claims the most a 32-bit count can */
    PUT(head);
    PUT("\x85" FIELDS4 "\xa1x");
    for (int i = 0; i < 6; i++)
        PUT("\xdd\xff\xff\xff\xff");
    assert_int_equal(decode_copy(DEC(state), UGW_FORMAT_MSGPACK, doc, n, &ev, &err), UGW_ERR_TRUNCATED);
    assert_int_equal(err.pos, n);
    /* a map16 that claims one pair more than it has */
    n = 0;
    PUT(head);
    PUT("\xde\x00\x05" FIELDS4);
    assert_int_equal(decode_copy(DEC(state), UGW_FORMAT_MSGPACK, doc, n, &ev, &err), UGW_ERR_TRUNCATED);
    assert_int_equal(err.pos, n);
    /* and the same map with its four pairs in a long header decodes */
    doc[HL + 2] = 0x04;
    assert_int_equal(decode_copy(DEC(state), UGW_FORMAT_MSGPACK, doc, n, &ev, &err), UGW_OK);
    assert_int_equal(ev.type, UGW_EVENT_GUIDE_PREVIEW_START);
}

/* An unknown payload key "x" holding an array of `items` nils (array16). */
static size_t array_doc(unsigned char *doc, unsigned items)
{
    size_t n = 0;
    PUT(head);
    PUT("\x85" FIELDS4 "\xa1x\xdc");
    doc[n++] = (unsigned char)(items >> 8);
    doc[n++] = (unsigned char)items;
    memset(doc + n, 0xc0, items);
    return n + items;
}

static void test_max_tokens(void **state)
{
    /* Items: the root map, the envelope's 2 keys and 2 values, 10 payload
     * keys and values (the array among them), and the k nils: 15 + k. */
    ugw_decode_opts o = { 0 };
    ugw_decoder *d;
    static unsigned char doc[4096];
    ugw_event ev;
    ugw_error err;
    size_t n;
    (void)state;
    o.max_tokens = 100;
    d = ugw_decoder_new(&o);
    assert_non_null(d);
    n = array_doc(doc, 100 - 15);
    assert_int_equal(decode_copy(d, UGW_FORMAT_MSGPACK, doc, n, &ev, &err), UGW_OK);
    n = array_doc(doc, 100 - 14);
    assert_int_equal(decode_copy(d, UGW_FORMAT_MSGPACK, doc, n, &ev, &err), UGW_ERR_LIMIT);
    /* at the item that is one too many: the last nil */
    assert_int_equal(err.pos, n - 1);
    assert_string_equal(err.path, "");
    /* a header that claims far more than max_tokens and than the input
     * holds: truncated, at the end of the input, as without the limit */
    n = array_doc(doc, 3000);
    assert_int_equal(decode_copy(d, UGW_FORMAT_MSGPACK, doc, n - 2000, &ev, &err), UGW_ERR_TRUNCATED);
    assert_int_equal(err.pos, n - 2000);
    ugw_decoder_free(d);
}

static void test_depth_limit_paths(void **state)
{
    /* max_depth 32 is msgpack-c's own stack: one level more is named by
     * the scan with its path, as below the limit */
    ugw_decode_opts o = { 0 };
    ugw_decoder *d;
    unsigned char doc[256];
    size_t n = 0, at;
    ugw_event ev;
    ugw_error err;
    (void)state;
    o.max_depth = 32;
    d = ugw_decoder_new(&o);
    assert_non_null(d);
    PUT(head);
    PUT("\x85" FIELDS4 "\xa1x");
    for (int i = 0; i < 29; i++) /* payload is level 2; x's arrays 3..31 */
        PUT("\x91");
    at = n;
    PUT("\x81\xa1y\x90"); /* a map at 32 holding an array at 33 */
    assert_int_equal(decode_copy(d, UGW_FORMAT_MSGPACK, doc, n, &ev, &err), UGW_ERR_DEPTH);
    assert_int_equal(err.pos, at + 3);
    /* "payload.x[0]...[0].y", cut to UGW_PATH_MAX */
    assert_true(strncmp(err.path, "payload.x[0][0][0]", 18) == 0);
    /* one level less is fine */
    doc[n - 1] = 0xc0;
    assert_int_equal(decode_copy(d, UGW_FORMAT_MSGPACK, doc, n, &ev, &err), UGW_OK);
    ugw_decoder_free(d);
}

static void test_arena_holds_the_tree(void **state)
{
    /* A caller's arena must hold max_tokens msgpack_objects as well as the
     * JSON tokens and 1 KiB of strings: 64 tokens fit in 2 KiB for JSON
     * (16 bytes a token), not for MessagePack (24 bytes an object). */
    static max_align_t mem[(8 << 10) / sizeof(max_align_t)];
    ugw_decode_opts o = { 0 };
    ugw_decoder *d;
    size_t len;
    unsigned char *doc = fixture_bytes("valid", "hotspot_interaction", "msgpack", &len);
    ugw_event ev;
    ugw_error err;
    (void)state;
    o.arena = mem;
    o.max_tokens = 128;
    o.arena_size = 128 * sizeof(msgpack_object) - 1;
    assert_null(ugw_decoder_new(&o));
    o.arena_size = 128 * sizeof(msgpack_object) + 1024;
    d = ugw_decoder_new(&o);
    assert_non_null(d);
    assert_int_equal(ugw_decode_msgpack(d, doc, len, &ev, &err), UGW_OK);
    assert_int_equal(ev.type, UGW_EVENT_HOTSPOT_INTERACTION);
    /* the tree lives in the caller's memory: views still point into doc */
    assert_true(ev.u.hotspot_interaction.user_id.ptr >= (const char *)doc
                && ev.u.hotspot_interaction.user_id.ptr < (const char *)doc + len);
    ugw_decoder_free(d);
    free(doc);
}

static void test_errors_after_unpacking(void **state)
{
    /* errors the unpacker cannot see keep their code, position and path */
    unsigned char doc[256];
    size_t n = 0;
    ugw_event ev;
    ugw_error err;
    /* trailing bytes after a whole document */
    PUT(head);
    PUT("\x84" FIELDS4 "\x01\x02");
    assert_int_equal(decode_copy(DEC(state), UGW_FORMAT_MSGPACK, doc, n, &ev, &err), UGW_ERR_TRAILING);
    assert_int_equal(err.pos, n - 2);
    /* 0xc1 inside the payload */
    n = 0;
    PUT(head);
    PUT("\x85" FIELDS4 "\xa1x\xc1");
    assert_int_equal(decode_copy(DEC(state), UGW_FORMAT_MSGPACK, doc, n, &ev, &err), UGW_ERR_SYNTAX);
    assert_int_equal(err.pos, n - 1);
    /* an empty input */
    assert_int_equal(decode_copy(DEC(state), UGW_FORMAT_MSGPACK, doc, 0, &ev, &err), UGW_ERR_TRUNCATED);
    assert_int_equal(err.pos, 0);
    /* a wrong type inside an array of an unknown key: still no error (not a
     * field), and a bad UTF-8 string there is found at its byte */
    n = 0;
    PUT(head);
    PUT("\x85" FIELDS4 "\xa1x\x92\x01\xa2\xc3\x28");
    assert_int_equal(decode_copy(DEC(state), UGW_FORMAT_MSGPACK, doc, n, &ev, &err), UGW_ERR_UTF8);
    assert_int_equal(err.pos, n - 2);
    assert_string_equal(err.path, "payload.x");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hostile_headers),
        cmocka_unit_test(test_max_tokens),
        cmocka_unit_test(test_depth_limit_paths),
        cmocka_unit_test(test_arena_holds_the_tree),
        cmocka_unit_test(test_errors_after_unpacking),
    };
    return cmocka_run_group_tests_name("test_codec_msgpack_bounds", tests, setup, teardown);
}
