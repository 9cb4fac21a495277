/*
 * test_codec_fastpath.c - the word-at-a-time checks of validation and the
 * one-walk encoders agree with the exact rules: every length from 0 to 40,
 * every position, every kind of byte that a rule is about, URL heads, id
 * bounds and buffer sizes; the result (code, path) and the bytes are those of
 * the exact path, which the public helpers ugw_utf8_check() and
 * ugw_url_check() stand for here.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include <ugw/ugw_events.h>

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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_length_position_and_byte),
        cmocka_unit_test(test_url_heads),
        cmocka_unit_test(test_id_bounds),
        cmocka_unit_test(test_missing_pointer_and_first_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
