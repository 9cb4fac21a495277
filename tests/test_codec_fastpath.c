/*
 * test_codec_fastpath.c - the word-at-a-time checks of validation, the
 * one-walk encoders and the generated per-event fast paths agree with the
 * exact rules: every length from 0 to 40, every position, every kind of byte
 * that a rule is about, URL heads, id bounds and buffer sizes; the result
 * (code, path) and the bytes are those of the exact path, which the public
 * helpers ugw_utf8_check() and ugw_url_check() stand for here, and which a
 * copy of each schema without its fast paths takes whole (every call below
 * is made with both and compared: status, error, out_len and every byte,
 * with room to spare, exactly the room needed and one byte short), and
 * the JSON each valid payload encodes to decodes the same both ways.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include <ugw/ugw_events.h>
#include <ugw/ugw_fixtures.h>

#include <fst/fst_events.h>
#include <fst/fst_fixtures.h>

#include "fastpath_support.h"

static exact_schema ugw_exact, fst_exact;

/* One encode with schema `s` and its exact copy `x` into `cap` bytes (NULL
 * output when cap is SIZE_MAX): the same status, error, out_len and bytes. */
static size_t same_encode(const ugw_schema *s, const ugw_schema *x, int type, const void *payload,
                          ugw_format f, size_t cap)
{
    static unsigned char o1[90000], o2[90000];
    ugw_error e1, e2;
    size_t n1 = 77, n2 = 77;
    const bool sized = cap == SIZE_MAX;
    ugw_status a, b;
    memset(o1, 0xa5, sizeof o1);
    memset(o2, 0xa5, sizeof o2);
    a = ugw_schema_encode(s, type, payload, f, sized ? NULL : o1, sized ? 0 : cap, &n1, &e1);
    b = ugw_schema_encode(x, type, payload, f, sized ? NULL : o2, sized ? 0 : cap, &n2, &e2);
    assert_int_equal(a, b);
    same_error(&e1, &e2);
    if (a == UGW_OK || a == UGW_ERR_BUFFER)
        assert_int_equal(n1, n2);
    if (a == UGW_OK && !sized)
        assert_memory_equal(o1, o2, n1);
    return a == UGW_OK || a == UGW_ERR_BUFFER ? n2 : 0;
}

/* Validation and both encoders through `s` and its exact copy. */
static void same_as_exact(const ugw_schema *s, const ugw_schema *x, int type, const void *payload)
{
    ugw_error e1, e2;
    assert_int_equal(ugw_schema_validate(s, type, payload, &e1), ugw_schema_validate(x, type, payload, &e2));
    same_error(&e1, &e2);
    { /* the JSON the exact encoder writes decodes the same both ways */
        static char doc[90000];
        size_t n = 0;
        if (ugw_schema_encode(x, type, payload, UGW_FORMAT_JSON, doc, sizeof doc, &n, &e1) == UGW_OK)
            assert_int_equal(same_decode(s, x, doc, n), UGW_OK);
    }
    for (int fmt = 0; fmt < 2; fmt++) {
        ugw_format f = fmt ? UGW_FORMAT_MSGPACK : UGW_FORMAT_JSON;
        size_t need = same_encode(s, x, type, payload, f, SIZE_MAX);
        same_encode(s, x, type, payload, f, 90000);
        same_encode(s, x, type, payload, f, 0);
        if (need && need < 90000) {
            same_encode(s, x, type, payload, f, need);
            same_encode(s, x, type, payload, f, need - 1);
            same_encode(s, x, type, payload, f, need + 1);
        }
    }
}

/* What the exact rules say about a string of a field (0 when valid). */
static ugw_status expected(const char *p, size_t n, int64_t min, int64_t max, bool url)
{
    if ((int64_t)n < min)
        return UGW_ERR_TOO_SHORT;
    if ((int64_t)n > max)
        return UGW_ERR_TOO_LONG;
    if (ugw_utf8_check(p, n) != n)
        return UGW_ERR_UTF8;
    if (n && memchr(p, 0, n))
        return UGW_ERR_NUL;
    if (url && !ugw_url_check(p, n))
        return UGW_ERR_URL;
    return UGW_OK;
}

static ugw_event make(const char *uid, size_t un, const char *url, size_t ln)
{
    ugw_event ev;
    memset(&ev, 0, sizeof ev);
    ev.type = UGW_EVENT_GUIDE_PREVIEW_START;
    ev.u.guide_preview_start.user_id = (ugw_str){ uid, un };
    ev.u.guide_preview_start.page_url = (ugw_str){ url, ln };
    ev.u.guide_preview_start.guide_id = 7;
    ev.u.guide_preview_start.guide_name = (ugw_str){ "tour", 4 };
    return ev;
}

/* Encodes in both formats with room to spare, with exactly the room needed
 * and one byte short; all agree with validation and with each other. */
static void check_encodes(const ugw_event *ev, ugw_status want, const char *path)
{
    static unsigned char big[8192], exact[8192];
    for (int fmt = 0; fmt < 2; fmt++) {
        ugw_format f = fmt ? UGW_FORMAT_MSGPACK : UGW_FORMAT_JSON;
        ugw_error err;
        size_t n = 0, need = 0, m = 0;
        ugw_status st = ugw_encode(ev, f, big, sizeof big, &n, &err);
        if (fmt == 0)
            same_as_exact(&ugw_schema_events, &ugw_exact.s, (int)ev->type, &ev->u);
        assert_int_equal(st, want);
        if (want) {
            assert_string_equal(err.path, path);
            continue;
        }
        assert_int_equal(ugw_encode(ev, f, NULL, 0, &need, &err), UGW_OK);
        assert_int_equal(need, n);
        assert_int_equal(ugw_encode(ev, f, exact, need, &m, &err), UGW_OK);
        assert_int_equal(m, n);
        assert_memory_equal(exact, big, n);
        assert_int_equal(ugw_encode(ev, f, exact, need - 1, &m, &err), UGW_ERR_BUFFER);
        assert_int_equal(m, need);
        {
            ugw_decoder *dec = ugw_decoder_new(NULL);
            ugw_event back;
            assert_non_null(dec);
            assert_int_equal(ugw_decode(dec, f, big, n, &back, &err), UGW_OK);
            assert_int_equal(back.u.guide_preview_start.user_id.len, ev->u.guide_preview_start.user_id.len);
            assert_memory_equal(back.u.guide_preview_start.user_id.ptr, ev->u.guide_preview_start.user_id.ptr,
                                ev->u.guide_preview_start.user_id.len);
            assert_int_equal(back.u.guide_preview_start.page_url.len, ev->u.guide_preview_start.page_url.len);
            assert_memory_equal(back.u.guide_preview_start.page_url.ptr, ev->u.guide_preview_start.page_url.ptr,
                                ev->u.guide_preview_start.page_url.len);
            ugw_decoder_free(dec);
        }
    }
}

static const unsigned char bytes[] = { 0x00, 0x01, 0x08, 0x1f, ' ', '"', '\\', 'a', 0x7e, 0x7f,
                                       0x80, 0xbf, 0xc3, 0xe2, 0xff };

static void test_every_length_position_and_byte(void **state)
{
    char s[64], u[96];
    (void)state;
    for (size_t n = 0; n <= 40; n++) {
        for (size_t k = 0; k <= n; k++) {
            for (size_t b = 0; b < sizeof bytes; b++) {
                ugw_event ev;
                ugw_error err;
                ugw_status want;
                const char *path;
                size_t ln = 20 + n;
                memset(s, 'x', sizeof s);
                memcpy(u, "https://example.com/", 20);
                memset(u + 20, 'y', sizeof u - 20);
                if (k < n) { /* k == n: no bad byte at all */
                    s[k] = (char)bytes[b];
                    u[20 + k] = (char)bytes[b];
                }
                /* the user id first, then the URL with the same bytes */
                want = expected(s, n, 1, 256, false);
                path = "payload.userId";
                if (!want) {
                    want = expected(u, ln, 0, 2048, true);
                    path = "payload.pageUrl";
                }
                ev = make(s, n, u, ln);
                assert_int_equal(ugw_event_validate(&ev, &err), want);
                if (want)
                    assert_string_equal(err.path, path);
                check_encodes(&ev, want, path);
            }
        }
    }
}

static void test_url_heads(void **state)
{
    static const char *const heads[] = {
        "http://a",    "HTTP://a",    "HtTpS://a.b", "https://",   "http://",     "https:///x",
        "http://?x",   "http://#x",   "http:/x/y/z", "ftp://host", "httpx://a.b", "https:/a/b",
        "hXtp://a.bc", "http:://ab",  "https//a.bc", "Https://a",  "http://a b",  "http://\177ab",
        "htt",         "",            "http://ab\xc3\xa9", "https://x.y/\x80",
    };
    (void)state;
    for (size_t i = 0; i < sizeof heads / sizeof *heads; i++) {
        ugw_event ev = make("u", 1, heads[i], strlen(heads[i]));
        ugw_error err;
        ugw_status want = expected(heads[i], strlen(heads[i]), 0, 2048, true);
        assert_int_equal(ugw_event_validate(&ev, &err), want);
        if (want)
            assert_string_equal(err.path, "payload.pageUrl");
        check_encodes(&ev, want, "payload.pageUrl");
    }
}

static void test_id_bounds(void **state)
{
    static const struct { uint64_t v; ugw_status want; } cases[] = {
        { 0, UGW_OK }, { UGW_ID_MAX, UGW_OK }, { UGW_ID_MAX + 1, UGW_ERR_RANGE },
        { (uint64_t)INT64_MAX, UGW_ERR_RANGE }, { (uint64_t)INT64_MAX + 1, UGW_ERR_RANGE },
        { UINT64_MAX, UGW_ERR_RANGE },
    };
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        ugw_event ev = make("u", 1, "http://a", 8);
        ugw_error err;
        ev.u.guide_preview_start.guide_id = cases[i].v;
        assert_int_equal(ugw_event_validate(&ev, &err), cases[i].want);
        if (cases[i].want)
            assert_string_equal(err.path, "payload.guideId");
        check_encodes(&ev, cases[i].want, "payload.guideId");
    }
}

/* A string without a pointer, and the first of two errors. */
static void test_missing_pointer_and_first_error(void **state)
{
    ugw_event ev = make(NULL, 0, "http://a", 8);
    ugw_error err;
    (void)state;
    assert_int_equal(ugw_event_validate(&ev, &err), UGW_ERR_MISSING);
    assert_string_equal(err.path, "payload.userId");
    check_encodes(&ev, UGW_ERR_MISSING, "payload.userId");
    ev = make("u", 1, "ftp://a", 7);
    ev.u.guide_preview_start.guide_id = UINT64_MAX;
    assert_int_equal(ugw_event_validate(&ev, &err), UGW_ERR_URL);
    check_encodes(&ev, UGW_ERR_URL, "payload.pageUrl");
    ev = make(NULL, 3, "http://a", 8);
    assert_int_equal(ugw_event_validate(&ev, &err), UGW_ERR_ARG);
    check_encodes(&ev, UGW_ERR_ARG, "payload.userId");
}

/* ---- the generated per-event fast paths against the exact way ---- */

static char long_text[70001];

/* Variant k of a value of field f in the payload `pl`; false when f's type
 * has no variant k (or is not one the fast paths know). */
static bool mutate(const ugw_field_desc *f, unsigned char *pl, int k)
{
    static const uint64_t ids[] = { 0, 1, 127, 128, 255, 256, 65535, 65536, 4294967295u, 4294967296u,
                                    UGW_ID_MAX, UGW_ID_MAX + 1, (uint64_t)INT64_MAX + 1, UINT64_MAX };
    static const int64_t ints[] = { 0, -1, -32, -33, -128, -129, -32768, -32769, 127, 128, 65536,
                                    INT32_MIN, (int64_t)INT32_MIN - 1, INT64_MIN, INT64_MAX };
    static const unsigned char bools[] = { 0, 1, 2, 255 };
    const ugw_str strs[] = { { "", 0 }, { "\xc3\xa9", 2 }, { "a\0b", 3 }, { "\xff", 1 }, { "\x7f", 1 },
                             { "http://x y", 10 }, { "https://ok.example/", 19 }, { "\"q\\", 3 },
                             { NULL, 0 }, { NULL, 3 }, { long_text, 31 }, { long_text, 32 },
                             { long_text, 255 }, { long_text, 256 }, { long_text, 65535 },
                             { long_text, 65536 }, { long_text, 70000 }, { long_text, 70001 } };
    unsigned char *at = pl + f->offset;
    switch ((ugw_type)f->type) {
    case UGW_TYPE_STRING:
    case UGW_TYPE_URL:
        if (k >= (int)(sizeof strs / sizeof *strs))
            return false;
        memcpy(at, &strs[k], sizeof strs[k]);
        return true;
    case UGW_TYPE_ID:
        if (k >= (int)(sizeof ids / sizeof *ids))
            return false;
        memcpy(at, &ids[k], 8);
        return true;
    case UGW_TYPE_INT: {
        int64_t v;
        if (k < (int)(sizeof ints / sizeof *ints))
            v = ints[k];
        else if (k == (int)(sizeof ints / sizeof *ints))
            v = f->min;
        else if (k == (int)(sizeof ints / sizeof *ints) + 1)
            v = f->max;
        else if (k == (int)(sizeof ints / sizeof *ints) + 2 && f->min > INT64_MIN)
            v = f->min - 1;
        else if (k == (int)(sizeof ints / sizeof *ints) + 3 && f->max < INT64_MAX)
            v = f->max + 1;
        else
            return false;
        memcpy(at, &v, 8);
        return true;
    }
    case UGW_TYPE_BOOL:
        if (k >= (int)sizeof bools)
            return false;
        *at = bools[k];
        return true;
    default:
        return false;
    }
}

/* A valid payload of event `type`: the generated paths say valid and write
 * the exact bytes (never into a buffer one byte short); then every variant
 * of every field, its presence and its null flag, through both schemas. */
static void check_event(const ugw_schema *s, const ugw_schema *x, int type, const void *payload)
{
    static unsigned char fast[4096], exact[4096];
    static _Alignas(16) unsigned char pl[4096];
    const ugw_event_desc *ed = ugw_schema_event(s, type);
    ugw_error err;
    size_t need = 0;
    assert_non_null(ed);
    assert_true(ed->size <= sizeof pl);
    assert_int_equal(ugw_schema_encode(x, type, payload, UGW_FORMAT_MSGPACK, exact, sizeof exact, &need, &err),
                     UGW_OK);
    if (ed->validate_fast)
        assert_true(ed->validate_fast(payload));
    if (ed->msgpack_fast) {
        size_t n = ed->msgpack_fast(payload, fast, sizeof fast);
        assert_int_equal(n, need);
        assert_memory_equal(fast, exact, need);
        assert_int_equal(ed->msgpack_fast(payload, fast, need - 1), 0);
    }
    if (ed->json_fast) { /* a string to escape or not ASCII: the exact way */
        size_t jneed = 0, n;
        assert_int_equal(ugw_schema_encode(x, type, payload, UGW_FORMAT_JSON, exact, sizeof exact, &jneed, &err),
                         UGW_OK);
        n = ed->json_fast(payload, (char *)fast, sizeof fast);
        if (n) {
            assert_int_equal(n, jneed);
            assert_memory_equal(fast, exact, jneed);
            assert_int_equal(ed->json_fast(payload, (char *)fast, jneed - 1), 0);
        } else {
            bool plain = true;
            for (size_t i = 0; i < jneed; i++)
                plain = plain && exact[i] < 0x80 && exact[i] != '\\';
            assert_false(plain);
        }
    }
    same_as_exact(s, x, type, payload);
    for (uint32_t i = 0; i < ed->nfields; i++) {
        const ugw_field_desc *f = &ed->fields[i];
        for (int k = 0;; k++) {
            memcpy(pl, payload, ed->size);
            if (!mutate(f, pl, k))
                break;
            same_as_exact(s, x, type, pl);
            if (f->has_offset != UGW_NO_HAS) { /* absent, with that value */
                pl[f->has_offset] = 0;
                same_as_exact(s, x, type, pl);
                pl[f->has_offset] = 1;
            }
            if (f->nullable) /* null (valid whatever the value), and a flag of 2 */
                for (unsigned char b = 1; b <= 2; b++) {
                    pl[f->null_offset] = b;
                    same_as_exact(s, x, type, pl);
                }
        }
    }
}

static void test_generated_fixtures(void **state)
{
    (void)state;
    memset(long_text, 'x', sizeof long_text);
    for (int t = 1; t <= UGW_EVENT_COUNT; t++) {
        const ugw_event_desc *ed = ugw_schema_event(&ugw_schema_events, t);
        /* every bundled event has its fast paths */
        assert_non_null(ed->validate_fast);
        assert_non_null(ed->msgpack_fast);
        assert_non_null(ed->json_fast);
        check_event(&ugw_schema_events, &ugw_exact.s, t, &ugw_fixture((ugw_event_type)t)->u);
    }
}

/* Optional, nullable, bool and int fields, str8/16/32 heads, and an event
 * with a type the fast paths leave to the engine (none generated for it). */
static void test_generated_every_construct(void **state)
{
    const ugw_event_desc *ratio = ugw_schema_event(&fst_schema_events, FST_EVENT_RATIO);
    fst_event ev = *fst_fixture(FST_EVENT_PING);
    (void)state;
    memset(long_text, 'x', sizeof long_text);
    assert_null(ratio->validate_fast);
    assert_null(ratio->msgpack_fast);
    assert_null(ratio->json_fast);
    for (int t = 1; t <= FST_EVENT_COUNT; t++)
        check_event(&fst_schema_events, &fst_exact.s, t, &fst_fixture((fst_event_type)t)->u);
    /* the optional fields absent, then present with a null */
    ev.u.ping.has_count = false;
    ev.u.ping.has_ref = false;
    check_event(&fst_schema_events, &fst_exact.s, FST_EVENT_PING, &ev.u);
    ev.u.ping.has_ref = true;
    ev.u.ping.ref_is_null = true;
    same_as_exact(&fst_schema_events, &fst_exact.s, FST_EVENT_PING, &ev.u);
    assert_true(ugw_schema_event(&fst_schema_events, FST_EVENT_PING)->validate_fast(&ev.u));
    /* one optional field alone, absent: an empty payload */
    ev = *fst_fixture(FST_EVENT_OPT_ONLY);
    ev.u.opt_only.has_count = false;
    check_event(&fst_schema_events, &fst_exact.s, FST_EVENT_OPT_ONLY, &ev.u);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_generated_fixtures),
        cmocka_unit_test(test_generated_every_construct),
        cmocka_unit_test(test_every_length_position_and_byte),
        cmocka_unit_test(test_url_heads),
        cmocka_unit_test(test_id_bounds),
        cmocka_unit_test(test_missing_pointer_and_first_error),
    };
    exact_of(&ugw_schema_events, &ugw_exact);
    exact_of(&fst_schema_events, &fst_exact);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
