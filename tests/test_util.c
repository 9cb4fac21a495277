/*
 * test_util.c - cmocka tests of runtime/ugw_util.c (the helpers and error
 * functions of ugw_runtime.h).
 *
 * Inputs are copied into heap blocks of exactly their length (see exact())
 * before they are handed to the functions under test, so a build with
 * -fsanitize=address reports any read past s + len, including in the 8-byte
 * fast paths. Output buffers are exact too where the API gives their size.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ugw/ugw_runtime.h>

#define LIT(s) (s), (sizeof(s) - 1)

/* ------------------------------------------------------------------ */
/* Test support                                                         */
/* ------------------------------------------------------------------ */

/* A heap copy of exactly `len` bytes (one byte for len 0, never read). */
static char *exact(const void *s, size_t len)
{
    char *p = malloc(len != 0 ? len : 1);
    assert_non_null(p);
    if (len != 0)
        memcpy(p, s, len);
    return p;
}

static size_t utf8x(const void *s, size_t len)
{
    char *p = exact(s, len);
    size_t r = ugw_utf8_check(p, len);
    free(p);
    return r;
}

static bool urlx(const void *s, size_t len)
{
    char *p = exact(s, len);
    bool r = ugw_url_check(p, len);
    free(p);
    return r;
}

/* Escapes through exact input and output buffers; checks escaped_len
 * against the bytes written. Returns a malloc'd, NUL-terminated copy. */
static char *escapex(const void *s, size_t len, size_t *out_len)
{
    char *in = exact(s, len);
    size_t n = ugw_json_escaped_len(in, len);
    char *out = malloc(n != 0 ? n : 1);
    assert_non_null(out);
    size_t w = ugw_json_escape(out, in, len);
    assert_int_equal(w, n);
    char *res = malloc(n + 1);
    assert_non_null(res);
    memcpy(res, out, n);
    res[n] = '\0';
    free(out);
    free(in);
    *out_len = n;
    return res;
}

/* Unescapes through exact input and output buffers (output of len bytes,
 * as the API promises). Returns the result; the decoded bytes go to `dst`
 * (room for len bytes) when it is not NULL. */
static size_t unescapex(const void *s, size_t len, char *dst, size_t *bad)
{
    char *in = exact(s, len);
    char *out = malloc(len != 0 ? len : 1);
    assert_non_null(out);
    size_t r = ugw_json_unescape(out, in, len, bad);
    if (r != (size_t)-1) {
        assert_true(r <= len);
        if (dst != NULL && r != 0)
            memcpy(dst, out, r);
    }
    free(out);
    free(in);
    return r;
}

static bool parsex(const void *s, size_t len, uint64_t *out)
{
    char *p = exact(s, len);
    bool r = ugw_parse_u64(p, len, out);
    free(p);
    return r;
}

static uint64_t rng_state = UINT64_C(0x9e3779b97f4a7c15);

static uint64_t rng(void)
{
    uint64_t x = rng_state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    rng_state = x;
    return x;
}

static unsigned rng_below(unsigned n)
{
    return (unsigned)(rng() % n);
}

/* Encodes a code point as UTF-8 (no validity checks: test data). */
static size_t enc_utf8(unsigned char *o, unsigned long cp)
{
    if (cp < 0x80) {
        o[0] = (unsigned char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (unsigned char)(0xc0 | (cp >> 6));
        o[1] = (unsigned char)(0x80 | (cp & 0x3f));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (unsigned char)(0xe0 | (cp >> 12));
        o[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
        o[2] = (unsigned char)(0x80 | (cp & 0x3f));
        return 3;
    }
    o[0] = (unsigned char)(0xf0 | (cp >> 18));
    o[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3f));
    o[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
    o[3] = (unsigned char)(0x80 | (cp & 0x3f));
    return 4;
}

/* ------------------------------------------------------------------ */
/* Status names                                                         */
/* ------------------------------------------------------------------ */

static const struct {
    ugw_status code;
    const char *name;
} expected_names[] = {
    { UGW_OK, "ok" },
    { UGW_ERR_SYNTAX, "syntax" },
    { UGW_ERR_TRUNCATED, "truncated" },
    { UGW_ERR_TRAILING, "trailing" },
    { UGW_ERR_DEPTH, "depth" },
    { UGW_ERR_LIMIT, "limit" },
    { UGW_ERR_TYPE, "type" },
    { UGW_ERR_MISSING, "missing" },
    { UGW_ERR_DUPLICATE_KEY, "duplicate_key" },
    { UGW_ERR_UNKNOWN_EVENT, "unknown_event" },
    { UGW_ERR_RANGE, "range" },
    { UGW_ERR_UTF8, "utf8" },
    { UGW_ERR_NUL, "nul" },
    { UGW_ERR_TOO_SHORT, "too_short" },
    { UGW_ERR_TOO_LONG, "too_long" },
    { UGW_ERR_URL, "url" },
    { UGW_ERR_UNKNOWN_KEY, "unknown_key" },
    { UGW_ERR_NOMEM, "nomem" },
    { UGW_ERR_BUFFER, "buffer" },
    { UGW_ERR_ARG, "arg" },
    { UGW_ERR_SECRET, "secret" },
    { UGW_ERR_SIGNATURE, "signature" },
    { UGW_ERR_TIMESTAMP, "timestamp" },
    { UGW_ERR_FULL, "full" },
    { UGW_ERR_CLOSED, "closed" },
    { UGW_ERR_TIMEOUT, "timeout" },
    { UGW_ERR_DELIVERY, "delivery" },
    { UGW_ERR_IO, "io" },
};

static void test_status_names(void **state)
{
    (void)state;
    const size_t n = sizeof expected_names / sizeof expected_names[0];
    assert_int_equal(n, UGW_ERR__COUNT);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(expected_names[i].code, i);
        assert_string_equal(ugw_status_name(expected_names[i].code),
                            expected_names[i].name);
        assert_int_equal(ugw_status_from_name(expected_names[i].name),
                         (int)expected_names[i].code);
    }
}

static void test_status_round_trip(void **state)
{
    (void)state;
    for (int c = 0; c < (int)UGW_ERR__COUNT; c++) {
        const char *name = ugw_status_name((ugw_status)c);
        assert_non_null(name);
        assert_string_not_equal(name, "?");
        assert_int_equal(ugw_status_from_name(name), c);
        /* Names are distinct. */
        for (int d = 0; d < c; d++)
            assert_string_not_equal(name, ugw_status_name((ugw_status)d));
    }
}

static void test_status_unknown(void **state)
{
    (void)state;
    assert_string_equal(ugw_status_name(UGW_ERR__COUNT), "?");
    assert_string_equal(ugw_status_name((ugw_status)1000), "?");
    assert_string_equal(ugw_status_name((ugw_status)-1), "?");
    assert_int_equal(ugw_status_from_name(NULL), -1);
    assert_int_equal(ugw_status_from_name(""), -1);
    assert_int_equal(ugw_status_from_name("?"), -1);
    assert_int_equal(ugw_status_from_name("OK"), -1);
    assert_int_equal(ugw_status_from_name("Syntax"), -1);
    assert_int_equal(ugw_status_from_name("syntax "), -1);
    assert_int_equal(ugw_status_from_name("synta"), -1);
    assert_int_equal(ugw_status_from_name("unknown"), -1);
}

/* ------------------------------------------------------------------ */
/* Errors                                                               */
/* ------------------------------------------------------------------ */

static void test_error_clear(void **state)
{
    (void)state;
    ugw_error_clear(NULL); /* no-op */

    ugw_error e;
    memset(&e, 0x5a, sizeof e);
    ugw_error_clear(&e);
    assert_int_equal(e.code, UGW_OK);
    assert_null(e.message);
    assert_int_equal(e.pos, 0);
    assert_string_equal(e.path, "");
}

static void test_error_set(void **state)
{
    (void)state;
    /* NULL err: just returns the code. */
    assert_int_equal(ugw_error_set(NULL, UGW_ERR_RANGE, "x", 3, "p"), UGW_ERR_RANGE);
    assert_int_equal(ugw_error_set(NULL, UGW_ERR_ARG, NULL, 0, NULL), UGW_ERR_ARG);

    ugw_error e;
    ugw_error_clear(&e);
    assert_int_equal(ugw_error_set(&e, UGW_ERR_RANGE, "score out of range", 42,
                                   "payload.score"),
                     UGW_ERR_RANGE);
    assert_int_equal(e.code, UGW_ERR_RANGE);
    assert_string_equal(e.message, "score out of range");
    assert_int_equal(e.pos, 42);
    assert_string_equal(e.path, "payload.score");

    /* First error wins: a later error changes nothing but is returned. */
    assert_int_equal(ugw_error_set(&e, UGW_ERR_SYNTAX, "later", 7, "other"),
                     UGW_ERR_SYNTAX);
    assert_int_equal(e.code, UGW_ERR_RANGE);
    assert_string_equal(e.message, "score out of range");
    assert_int_equal(e.pos, 42);
    assert_string_equal(e.path, "payload.score");
    assert_int_equal(ugw_error_set(&e, UGW_ERR_NOMEM, NULL, 0, NULL), UGW_ERR_NOMEM);
    assert_int_equal(e.code, UGW_ERR_RANGE);

    /* After clearing, the next error is recorded; NULL message and path. */
    ugw_error_clear(&e);
    assert_int_equal(ugw_error_set(&e, UGW_ERR_UTF8, NULL, 9, NULL), UGW_ERR_UTF8);
    assert_int_equal(e.code, UGW_ERR_UTF8);
    assert_string_equal(e.message, "utf8");
    assert_int_equal(e.pos, 9);
    assert_string_equal(e.path, "");

    /* Every code gets its own name as the default message. */
    for (int c = 1; c < (int)UGW_ERR__COUNT; c++) {
        ugw_error_clear(&e);
        ugw_error_set(&e, (ugw_status)c, NULL, 0, "");
        assert_int_equal(e.code, c);
        assert_string_equal(e.message, ugw_status_name((ugw_status)c));
        assert_string_equal(e.path, "");
    }

    /* A stale path is overwritten completely, not merged. */
    ugw_error_clear(&e);
    ugw_error_set(&e, UGW_ERR_TYPE, NULL, 0, "payload.longer.name");
    ugw_error_clear(&e);
    ugw_error_set(&e, UGW_ERR_TYPE, NULL, 0, "ab");
    assert_string_equal(e.path, "ab");
}

static void test_error_path_truncation(void **state)
{
    (void)state;
    char src[300];
    for (size_t i = 0; i < sizeof src; i++)
        src[i] = (char)('a' + (char)(i % 26));

    /* Lengths up to UGW_PATH_MAX - 1 are kept whole. */
    for (size_t n = 0; n <= UGW_PATH_MAX - 1; n++) {
        char *p = malloc(n + 1); /* exact: ASan catches an overread */
        assert_non_null(p);
        memcpy(p, src, n);
        p[n] = '\0';
        ugw_error e;
        ugw_error_clear(&e);
        ugw_error_set(&e, UGW_ERR_MISSING, NULL, 1, p);
        assert_int_equal(strlen(e.path), n);
        assert_string_equal(e.path, p);
        free(p);
    }

    /* Longer ones keep UGW_PATH_MAX - 1 bytes, the last three "...". */
    const size_t longs[] = { UGW_PATH_MAX, UGW_PATH_MAX + 1, 150, 299 };
    for (size_t k = 0; k < sizeof longs / sizeof longs[0]; k++) {
        const size_t n = longs[k];
        char *p = malloc(n + 1);
        assert_non_null(p);
        memcpy(p, src, n);
        p[n] = '\0';
        ugw_error e;
        memset(&e, 0x5a, sizeof e);
        ugw_error_clear(&e);
        ugw_error_set(&e, UGW_ERR_MISSING, NULL, 1, p);
        assert_int_equal(strlen(e.path), UGW_PATH_MAX - 1);
        assert_memory_equal(e.path, src, UGW_PATH_MAX - 4);
        assert_memory_equal(e.path + UGW_PATH_MAX - 4, "...", 3);
        assert_int_equal(e.path[UGW_PATH_MAX - 1], '\0');
        free(p);
    }
}

/* ------------------------------------------------------------------ */
/* UTF-8                                                                */
/* ------------------------------------------------------------------ */

/* A straightforward decoder per RFC 3629, independent of the table-driven
 * implementation: decode the value, then reject overlong, surrogate and
 * out-of-range values. Returns len or the start of the first bad sequence. */
static size_t ref_utf8(const unsigned char *p, size_t len)
{
    size_t i = 0;
    while (i < len) {
        unsigned c = p[i];
        size_t n;
        unsigned long cp, min;
        if (c < 0x80) {
            i++;
            continue;
        } else if ((c & 0xe0) == 0xc0) {
            n = 2, cp = c & 0x1f, min = 0x80;
        } else if ((c & 0xf0) == 0xe0) {
            n = 3, cp = c & 0x0f, min = 0x800;
        } else if ((c & 0xf8) == 0xf0) {
            n = 4, cp = c & 0x07, min = 0x10000;
        } else {
            return i;
        }
        if (len - i < n)
            return i;
        for (size_t k = 1; k < n; k++) {
            if ((p[i + k] & 0xc0) != 0x80)
                return i;
            cp = (cp << 6) | (p[i + k] & 0x3fu);
        }
        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
            return i;
        i += n;
    }
    return len;
}

static void test_utf8_valid(void **state)
{
    (void)state;
    assert_int_equal(ugw_utf8_check(NULL, 0), 0);
    assert_int_equal(utf8x("", 0), 0);

    /* ASCII of every length 0..80, including NUL and DEL bytes. */
    char ascii[81];
    for (size_t i = 0; i < sizeof ascii; i++)
        ascii[i] = (char)(i % 128);
    for (size_t n = 0; n <= sizeof ascii; n++)
        assert_int_equal(utf8x(ascii, n), n);

    /* Boundary code points, alone and at every offset after ASCII. */
    static const struct {
        const char *s;
        size_t len;
    } ok[] = {
        { LIT("\x7f") },                 /* U+007F */
        { LIT("\xc2\x80") },             /* U+0080 */
        { LIT("\xc3\xa9") },             /* U+00E9 */
        { LIT("\xdf\xbf") },             /* U+07FF */
        { LIT("\xe0\xa0\x80") },         /* U+0800 */
        { LIT("\xe2\x82\xac") },         /* U+20AC */
        { LIT("\xed\x9f\xbf") },         /* U+D7FF, below the surrogates */
        { LIT("\xee\x80\x80") },         /* U+E000, above the surrogates */
        { LIT("\xef\xbf\xbf") },         /* U+FFFF */
        { LIT("\xf0\x90\x80\x80") },     /* U+10000 */
        { LIT("\xf0\x9f\x98\x80") },     /* U+1F600 */
        { LIT("\xf1\x80\x80\x80") },     /* U+40000 */
        { LIT("\xf3\xbf\xbf\xbf") },     /* U+FFFFF */
        { LIT("\xf4\x80\x80\x80") },     /* U+100000 */
        { LIT("\xf4\x8f\xbf\xbf") },     /* U+10FFFF */
    };
    for (size_t k = 0; k < sizeof ok / sizeof ok[0]; k++) {
        unsigned char buf[64];
        for (size_t pre = 0; pre <= 20; pre++) {
            for (size_t post = 0; post <= 9; post += 3) {
                size_t n = 0;
                memset(buf, 'a', pre);
                n += pre;
                memcpy(buf + n, ok[k].s, ok[k].len);
                n += ok[k].len;
                memset(buf + n, 'z', post);
                n += post;
                assert_int_equal(utf8x(buf, n), n);
            }
        }
    }

    /* Every code point of the table, concatenated. */
    static unsigned char all[4 * 0x1000 + 16];
    for (unsigned long base = 0; base <= 0x10ffff; base += 0x800) {
        size_t n = 0;
        for (unsigned long cp = base; cp < base + 0x800 && cp <= 0x10ffff; cp++) {
            if (cp >= 0xd800 && cp <= 0xdfff)
                continue;
            n += enc_utf8(all + n, cp);
        }
        assert_int_equal(utf8x(all, n), n);
    }

    /* A mixed string. */
    const char mixed[] = "h\xc3\xa9llo w\xc3\xb6rld \xe2\x82\xac 12345678 \xf0\x9f\x98\x80!";
    assert_int_equal(utf8x(LIT(mixed)), sizeof mixed - 1);
}

/* One bad sequence and the offset of its first bad byte inside it. */
typedef struct {
    const char *s;
    size_t len;
    size_t bad;
} bad_seq;

static const bad_seq bad_inner[] = {
    /* overlong */
    { LIT("\xc0\x80"), 0 },
    { LIT("\xc0\xaf"), 0 },
    { LIT("\xc1\xbf"), 0 },
    { LIT("\xe0\x80\x80"), 0 },
    { LIT("\xe0\x9f\xbf"), 0 },
    { LIT("\xf0\x80\x80\x80"), 0 },
    { LIT("\xf0\x8f\xbf\xbf"), 0 },
    /* surrogates */
    { LIT("\xed\xa0\x80"), 0 },
    { LIT("\xed\xad\xbf"), 0 },
    { LIT("\xed\xb0\x80"), 0 },
    { LIT("\xed\xbf\xbf"), 0 },
    /* above U+10FFFF */
    { LIT("\xf4\x90\x80\x80"), 0 },
    { LIT("\xf4\xbf\xbf\xbf"), 0 },
    { LIT("\xf5\x80\x80\x80"), 0 },
    { LIT("\xf7\xbf\xbf\xbf"), 0 },
    { LIT("\xf8\x88\x80\x80\x80"), 0 },
    { LIT("\xfc\x84\x80\x80\x80\x80"), 0 },
    { LIT("\xfe"), 0 },
    { LIT("\xff"), 0 },
    /* stray continuation bytes */
    { LIT("\x80"), 0 },
    { LIT("\x8f"), 0 },
    { LIT("\xbf"), 0 },
    { LIT("\xc3\xa9\xa9"), 2 },
    { LIT("\xe2\x82\xac\x80"), 3 },
    { LIT("\xf0\x9f\x98\x80\xbf"), 4 },
    /* lead byte followed by a non-continuation */
    { LIT("\xc2\x41"), 0 },
    { LIT("\xc2\xc2\x80"), 0 },
    { LIT("\xc2\xc0"), 0 },
    { LIT("\xe1\x41\x80"), 0 },
    { LIT("\xe1\x80\x41"), 0 },
    { LIT("\xe1\x80\xc0"), 0 },
    { LIT("\xef\xbf\x00"), 0 },
    { LIT("\xf1\x41\x80\x80"), 0 },
    { LIT("\xf1\x80\x41\x80"), 0 },
    { LIT("\xf1\x80\x80\x41"), 0 },
    { LIT("\xf4\x8f\xbf\x7f"), 0 },
    /* valid characters, then a bad one */
    { LIT("\xc3\xa9\xc0\x80"), 2 },
    { LIT("\xf4\x8f\xbf\xbf\xf4\x90\x80\x80"), 4 },
    { LIT("\xef\xbf\xbf\xed\xa0\x80"), 3 },
};

/* Truncated sequences: only bad at the very end of the input. */
static const bad_seq bad_tail[] = {
    { LIT("\xc2"), 0 },
    { LIT("\xdf"), 0 },
    { LIT("\xe0"), 0 },
    { LIT("\xe0\xa0"), 0 },
    { LIT("\xe1\x80"), 0 },
    { LIT("\xed\x9f"), 0 },
    { LIT("\xef\xbf"), 0 },
    { LIT("\xf0"), 0 },
    { LIT("\xf0\x90"), 0 },
    { LIT("\xf0\x90\x80"), 0 },
    { LIT("\xf3\xbf\xbf"), 0 },
    { LIT("\xf4\x8f\xbf"), 0 },
    { LIT("\xc3\xa9\xe2\x82"), 2 },
};

static void check_bad_seq(const bad_seq *b, bool tail)
{
    unsigned char buf[96];
    for (size_t pre = 0; pre <= 33; pre++) {
        for (size_t post = 0; post <= (tail ? 0u : 17u); post++) {
            size_t n = 0;
            memset(buf, 'a', pre);
            n += pre;
            memcpy(buf + n, b->s, b->len);
            n += b->len;
            memset(buf + n, 'z', post);
            n += post;
            assert_int_equal(utf8x(buf, n), pre + b->bad);
            assert_int_equal(ref_utf8(buf, n), pre + b->bad);
        }
    }
    /* After non-ASCII characters too (the scalar path). */
    for (size_t nchars = 1; nchars <= 6; nchars++) {
        size_t n = 0;
        for (size_t c = 0; c < nchars; c++) {
            memcpy(buf + n, "\xc3\xa9", 2);
            n += 2;
        }
        const size_t pre = n;
        memcpy(buf + n, b->s, b->len);
        n += b->len;
        if (!tail) {
            memcpy(buf + n, "tail-of-text", 12);
            n += 12;
        }
        assert_int_equal(utf8x(buf, n), pre + b->bad);
    }
}

static void test_utf8_bad_inner(void **state)
{
    (void)state;
    for (size_t k = 0; k < sizeof bad_inner / sizeof bad_inner[0]; k++)
        check_bad_seq(&bad_inner[k], false);
}

static void test_utf8_bad_tail(void **state)
{
    (void)state;
    for (size_t k = 0; k < sizeof bad_tail / sizeof bad_tail[0]; k++)
        check_bad_seq(&bad_tail[k], true);
    /* The same bytes, cut short or whole. */
    assert_int_equal(utf8x(LIT("\xe2\x82")), 0);
    assert_int_equal(utf8x(LIT("\xe2\x82\xac")), 3);
    /* Length cuts a valid string in the middle of a character. */
    const char s[] = "abcdefgh\xf0\x9f\x98\x80";
    for (size_t n = 9; n < 12; n++)
        assert_int_equal(utf8x(s, n), 8);
    assert_int_equal(utf8x(s, 12), 12);
}

/* Every possible first byte followed by valid-looking continuations. */
static void test_utf8_every_lead(void **state)
{
    (void)state;
    for (unsigned c = 0; c < 256; c++) {
        for (unsigned second = 0x80; second <= 0xbf; second++) {
            unsigned char buf[4] = { (unsigned char)c, (unsigned char)second,
                                     0x80, 0x80 };
            for (size_t n = 1; n <= 4; n++)
                assert_int_equal(utf8x(buf, n), ref_utf8(buf, n));
        }
    }
}

/* The fast path against the reference on random, mostly-ASCII data. */
static void test_utf8_random(void **state)
{
    (void)state;
    static const unsigned char odd[] = {
        0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc1, 0xc2, 0xdf,
        0xe0, 0xe1, 0xed, 0xee, 0xef, 0xf0, 0xf1, 0xf4, 0xf5, 0xff,
    };
    unsigned char buf[200];
    size_t invalid = 0;
    for (int iter = 0; iter < 40000; iter++) {
        size_t n = 0;
        const size_t target = rng_below(120);
        while (n < target) {
            unsigned kind = rng_below(10);
            if (kind < 6) {
                size_t run = rng_below(20);
                for (size_t r = 0; r < run && n < target; r++)
                    buf[n++] = (unsigned char)(0x20 + rng_below(0x5f));
            } else if (kind < 9) {
                unsigned long cp;
                do {
                    cp = (unsigned long)(rng() % 0x110000);
                } while (cp >= 0xd800 && cp <= 0xdfff);
                n += enc_utf8(buf + n, cp);
            } else if (iter % 4 == 0) {
                /* Keep a quarter of the inputs free of random bad bytes. */
                buf[n++] = odd[rng_below(sizeof odd)];
            }
        }
        const size_t want = ref_utf8(buf, n);
        if (want != n)
            invalid++;
        assert_int_equal(utf8x(buf, n), want);
    }
    assert_true(invalid > 1000); /* both outcomes were exercised */
}

/* ------------------------------------------------------------------ */
/* URL                                                                  */
/* ------------------------------------------------------------------ */

static void test_url_accept(void **state)
{
    (void)state;
    static const char *const good[] = {
        "http://a",
        "https://a",
        "http://example.com",
        "https://example.com/path?q=1&r=2#frag",
        "HTTP://EXAMPLE.COM/",
        "HTTPS://x",
        "HtTpS://x.y",
        "hTTp://x",
        "http://user:pw@host:8080/p",
        "http://[::1]:80/",
        "http://a/b~!$&'()*+,;=",
        "http://h\xc3\xa9.example/\xe2\x82\xac",
        "http://\x80\xff",
        "https://a?",
        "https://a#",
        "http://a//b",
        "http://:80",
        "http://.",
    };
    for (size_t k = 0; k < sizeof good / sizeof good[0]; k++) {
        if (!urlx(good[k], strlen(good[k])))
            fail_msg("rejected good URL \"%s\"", good[k]);
    }
}

static void test_url_reject(void **state)
{
    (void)state;
    static const char *const badv[] = {
        "",
        "h",
        "http",
        "http:",
        "http:/",
        "http://",
        "https://",
        "HTTPS://",
        "http:/a",
        "https:/a",
        "http//a",
        "http:\\\\a",
        "https//:a",
        "httpx://a",
        "httpss://a",
        "htp://a",
        "ftp://a",
        "mailto:a@b",
        "//a",
        "/a",
        "a",
        "http:///a",
        "https:///",
        "http://?q",
        "http://#f",
        "http://a b",
        " http://a",
        "http://a ",
        "http:// a",
        "http://a\tb",
        "http://a\nb",
        "http://a\r",
        "http://a\x01",
        "http://a\x1f",
        "http://a\x7f",
        "\x7fhttp://a",
        "http\x7f://a",
    };
    for (size_t k = 0; k < sizeof badv / sizeof badv[0]; k++) {
        if (urlx(badv[k], strlen(badv[k])))
            fail_msg("accepted bad URL \"%s\"", badv[k]);
    }
    /* NUL bytes inside the length. */
    assert_false(urlx(LIT("http://a\0b")));
    assert_false(urlx(LIT("http://\0")));
    assert_false(urlx(LIT("http://ab\0")));
    assert_true(urlx(LIT("http://a\x21")));
    assert_false(urlx(LIT("http://a\x20")));

    /* The length limits what is looked at. */
    assert_false(urlx("http://a", 7));
    assert_true(urlx("http://a b", 8));
    assert_false(ugw_url_check(NULL, 0));

    /* Every control byte, and space and DEL, at every position. */
    char buf[32] = "https://host.example/p";
    const size_t n = strlen(buf);
    for (unsigned c = 0; c <= 0x20; c++) {
        for (size_t pos = 0; pos < n; pos++) {
            char t[32];
            memcpy(t, buf, n);
            t[pos] = (char)c;
            assert_false(urlx(t, n));
        }
    }
    for (size_t pos = 0; pos < n; pos++) {
        char t[32];
        memcpy(t, buf, n);
        t[pos] = 0x7f;
        assert_false(urlx(t, n));
    }
    assert_true(urlx(buf, n));
}

/* ------------------------------------------------------------------ */
/* JSON escaping                                                        */
/* ------------------------------------------------------------------ */

/* The escape of each byte below 0x20 (JSON / Python's json.dumps). */
static const char *const ctl_escape[0x20] = {
    "\\u0000", "\\u0001", "\\u0002", "\\u0003", "\\u0004", "\\u0005",
    "\\u0006", "\\u0007", "\\b",     "\\t",     "\\n",     "\\u000b",
    "\\f",     "\\r",     "\\u000e", "\\u000f", "\\u0010", "\\u0011",
    "\\u0012", "\\u0013", "\\u0014", "\\u0015", "\\u0016", "\\u0017",
    "\\u0018", "\\u0019", "\\u001a", "\\u001b", "\\u001c", "\\u001d",
    "\\u001e", "\\u001f",
};

/* The escape of any byte, from the rule. Writes a NUL-terminated string. */
static void ref_escape_byte(char out[8], unsigned c)
{
    if (c < 0x20) {
        strcpy(out, ctl_escape[c]);
    } else if (c == '"') {
        strcpy(out, "\\\"");
    } else if (c == '\\') {
        strcpy(out, "\\\\");
    } else {
        out[0] = (char)c;
        out[1] = '\0';
    }
}

static size_t ref_escape(char *out, const unsigned char *s, size_t len)
{
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        char e[8];
        ref_escape_byte(e, s[i]);
        const size_t el = strlen(e);
        memcpy(out + o, e, el);
        o += el;
    }
    return o;
}

static void test_escape_each_byte(void **state)
{
    (void)state;
    for (unsigned c = 0; c < 256; c++) {
        const char in = (char)c;
        char want[8];
        ref_escape_byte(want, c);
        size_t n;
        char *got = escapex(&in, 1, &n);
        assert_int_equal(n, strlen(want));
        assert_memory_equal(got, want, n);
        /* Bytes from 0x20 up other than '"' and '\\' are copied verbatim. */
        if (c >= 0x20 && c != '"' && c != '\\') {
            assert_int_equal(n, 1);
            assert_int_equal((unsigned char)got[0], c);
        }
        free(got);
    }
}

static void test_escape_matches_python(void **state)
{
    (void)state;
    /* json.dumps("".join(map(chr, range(0x80))), ensure_ascii=False)[1:-1] */
    static const char python[] =
        "\\u0000\\u0001\\u0002\\u0003\\u0004\\u0005\\u0006\\u0007\\b\\t\\n"
        "\\u000b\\f\\r\\u000e\\u000f\\u0010\\u0011\\u0012\\u0013\\u0014\\u0015"
        "\\u0016\\u0017\\u0018\\u0019\\u001a\\u001b\\u001c\\u001d\\u001e"
        "\\u001f !\\\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ"
        "[\\\\]^_`abcdefghijklmnopqrstuvwxyz{|}~\x7f";
    char all[0x80];
    for (unsigned c = 0; c < 0x80; c++)
        all[c] = (char)c;
    size_t n;
    char *got = escapex(all, sizeof all, &n);
    assert_int_equal(n, sizeof python - 1);
    assert_memory_equal(got, python, n);
    free(got);

    /* And in reverse order (different block alignment). */
    char rev[0x80];
    for (unsigned c = 0; c < 0x80; c++)
        rev[c] = (char)(0x7f - c);
    char want[0x80 * 6];
    size_t wn = ref_escape(want, (const unsigned char *)rev, sizeof rev);
    got = escapex(rev, sizeof rev, &n);
    assert_int_equal(n, wn);
    assert_memory_equal(got, want, n);
    free(got);
}

static void test_escape_spot(void **state)
{
    (void)state;
    size_t n;
    char *got = escapex(LIT("a\"b\\c\n\x01\x1f\x7f/\xc3\xa9"), &n);
    const char want[] = "a\\\"b\\\\c\\n\\u0001\\u001f\x7f/\xc3\xa9";
    assert_int_equal(n, sizeof want - 1);
    assert_memory_equal(got, want, n);
    free(got);

    got = escapex("", 0, &n);
    assert_int_equal(n, 0);
    free(got);
    assert_int_equal(ugw_json_escaped_len(NULL, 0), 0);
    assert_int_equal(ugw_json_escape(NULL, NULL, 0), 0);

    /* Long clean text is copied as is. */
    const char clean[] = "The quick brown fox jumps over the lazy dog: "
                         "\xe2\x82\xac 100 / 200 'ok' <tag> {x} [y] ~\x7f";
    got = escapex(LIT(clean), &n);
    assert_int_equal(n, sizeof clean - 1);
    assert_memory_equal(got, clean, n);
    free(got);

    /* Only escapes. */
    got = escapex(LIT("\"\"\"\"\\\\\\\\\n\n\n\n\x00\x00"), &n);
    const char want2[] = "\\\"\\\"\\\"\\\"\\\\\\\\\\\\\\\\\\n\\n\\n\\n\\u0000\\u0000";
    assert_int_equal(n, sizeof want2 - 1);
    assert_memory_equal(got, want2, n);
    free(got);

    /* Bytes next to the SWAR thresholds: 0x1f/0x20, 0x21/0x22/0x23,
     * 0x5b/0x5c/0x5d, and high bytes that must not trigger. */
    got = escapex(LIT("\x20\x21\x23\x5b\x5d\xa2\xdc\x9f"), &n);
    assert_int_equal(n, 8);
    assert_memory_equal(got, "\x20\x21\x23\x5b\x5d\xa2\xdc\x9f", 8);
    free(got);
    got = escapex(LIT("\xa0\xa0\xa0\xa0\xa0\xa0\xa0\x1f"), &n);
    assert_int_equal(n, 7 + 6);
    assert_memory_equal(got, "\xa0\xa0\xa0\xa0\xa0\xa0\xa0\\u001f", 13);
    free(got);
}

/* One escapable byte at every position of clean text of many lengths. */
static void test_escape_positions(void **state)
{
    (void)state;
    static const unsigned char specials[] = { '"', '\\', '\n', 0x00, 0x1f, 0x08 };
    for (size_t len = 1; len <= 40; len++) {
        for (size_t pos = 0; pos < len; pos++) {
            for (size_t k = 0; k < sizeof specials; k++) {
                unsigned char in[40];
                for (size_t i = 0; i < len; i++)
                    in[i] = (unsigned char)('A' + i % 26);
                in[pos] = specials[k];
                char want[40 * 6];
                const size_t wn = ref_escape(want, in, len);
                size_t n;
                char *got = escapex(in, len, &n);
                assert_int_equal(n, wn);
                assert_memory_equal(got, want, n);
                free(got);
            }
        }
    }
}

static void test_escape_random(void **state)
{
    (void)state;
    for (int iter = 0; iter < 20000; iter++) {
        unsigned char in[100];
        const size_t len = rng_below(100);
        const unsigned density = 1 + rng_below(40);
        for (size_t i = 0; i < len; i++) {
            if (rng_below(density) == 0)
                in[i] = (unsigned char)rng_below(256);
            else
                in[i] = (unsigned char)(0x20 + rng_below(0x60));
        }
        char want[100 * 6];
        const size_t wn = ref_escape(want, in, len);
        size_t n;
        char *got = escapex(in, len, &n);
        assert_int_equal(n, wn);
        if (n != 0)
            assert_memory_equal(got, want, n);
        free(got);
    }
}

/* ------------------------------------------------------------------ */
/* JSON unescaping                                                      */
/* ------------------------------------------------------------------ */

static void expect_unescape(const char *s, size_t len, const char *want,
                            size_t want_len)
{
    char out[256];
    size_t bad = 12345;
    assert_true(len <= sizeof out);
    const size_t r = unescapex(s, len, out, &bad);
    if (r != want_len)
        fail_msg("unescape of \"%.*s\": got %zu bytes, want %zu", (int)len, s,
                 r, want_len);
    if (want_len != 0)
        assert_memory_equal(out, want, want_len);
    assert_int_equal(bad, 12345); /* untouched on success */
}

#define EXPECT_UNESCAPE(in, out) expect_unescape(LIT(in), LIT(out))

static void expect_bad(const char *s, size_t len, size_t want_bad)
{
    size_t bad = 12345;
    const size_t r = unescapex(s, len, NULL, &bad);
    if (r != (size_t)-1)
        fail_msg("unescape of \"%.*s\" passed (%zu bytes)", (int)len, s, r);
    if (bad != want_bad)
        fail_msg("unescape of \"%.*s\": bad at %zu, want %zu", (int)len, s,
                 bad, want_bad);
    /* A NULL `bad` is allowed. */
    assert_int_equal(unescapex(s, len, NULL, NULL), (size_t)-1);
}

#define EXPECT_BAD(in, pos) expect_bad(LIT(in), (pos))

static void test_unescape_simple(void **state)
{
    (void)state;
    EXPECT_UNESCAPE("", "");
    assert_int_equal(ugw_json_unescape(NULL, NULL, 0, NULL), 0);
    EXPECT_UNESCAPE("abc", "abc");
    EXPECT_UNESCAPE("h\xc3\xa9llo", "h\xc3\xa9llo");
    EXPECT_UNESCAPE("\\\"", "\"");
    EXPECT_UNESCAPE("\\\\", "\\");
    EXPECT_UNESCAPE("\\/", "/");
    EXPECT_UNESCAPE("\\b", "\b");
    EXPECT_UNESCAPE("\\f", "\f");
    EXPECT_UNESCAPE("\\n", "\n");
    EXPECT_UNESCAPE("\\r", "\r");
    EXPECT_UNESCAPE("\\t", "\t");
    EXPECT_UNESCAPE("a\\\"b\\\\c\\/d\\be\\ff\\ng\\rh\\ti",
                    "a\"b\\c/d\be\ff\ng\rh\ti");
    EXPECT_UNESCAPE("\\\\\\\\\\\\", "\\\\\\");
    EXPECT_UNESCAPE("\\\\n", "\\n");
    EXPECT_UNESCAPE("x\\\\", "x\\");
    /* Runs longer than a word around escapes (memchr paths). */
    EXPECT_UNESCAPE("The quick brown fox\\njumps over the lazy dog\\t!",
                    "The quick brown fox\njumps over the lazy dog\t!");
}

static void test_unescape_u(void **state)
{
    (void)state;
    EXPECT_UNESCAPE("\\u0041", "A");
    EXPECT_UNESCAPE("\\u0000", "\0");
    EXPECT_UNESCAPE("a\\u0000b", "a\0b");
    EXPECT_UNESCAPE("\\u001f", "\x1f");
    EXPECT_UNESCAPE("\\u007f", "\x7f");
    EXPECT_UNESCAPE("\\u007F", "\x7f");
    EXPECT_UNESCAPE("\\u0080", "\xc2\x80");
    EXPECT_UNESCAPE("\\u00e9", "\xc3\xa9");
    EXPECT_UNESCAPE("\\u00E9", "\xc3\xa9");
    EXPECT_UNESCAPE("\\u07ff", "\xdf\xbf");
    EXPECT_UNESCAPE("\\u07FF", "\xdf\xbf");
    EXPECT_UNESCAPE("\\u0800", "\xe0\xa0\x80");
    EXPECT_UNESCAPE("\\u20ac", "\xe2\x82\xac");
    EXPECT_UNESCAPE("\\u20AC", "\xe2\x82\xac");
    EXPECT_UNESCAPE("\\u20Ac", "\xe2\x82\xac");
    EXPECT_UNESCAPE("\\ud7ff", "\xed\x9f\xbf");
    EXPECT_UNESCAPE("\\ue000", "\xee\x80\x80");
    EXPECT_UNESCAPE("\\uffff", "\xef\xbf\xbf");
    EXPECT_UNESCAPE("\\uFFFF", "\xef\xbf\xbf");
    EXPECT_UNESCAPE("\\uabcd\\uABCD", "\xea\xaf\x8d\xea\xaf\x8d");
    EXPECT_UNESCAPE("caf\\u00e9 \\u2603!", "caf\xc3\xa9 \xe2\x98\x83!");
    EXPECT_UNESCAPE("\\u005c\\u0022", "\\\"");
    EXPECT_UNESCAPE("\\u005cu0041", "\\u0041"); /* decoded once only */

    /* Every BMP code point outside the surrogates, upper and lower hex. */
    for (unsigned long cp = 0; cp <= 0xffff; cp++) {
        if (cp >= 0xd800 && cp <= 0xdfff)
            continue;
        char in[8];
        unsigned char want[4];
        const size_t wn = enc_utf8(want, cp);
        snprintf(in, sizeof in, (cp & 1) ? "\\u%04lx" : "\\u%04lX", cp);
        expect_unescape(in, 6, (const char *)want, wn);
    }
}

static void test_unescape_pairs(void **state)
{
    (void)state;
    EXPECT_UNESCAPE("\\ud83d\\ude00", "\xf0\x9f\x98\x80");
    EXPECT_UNESCAPE("\\uD83D\\uDE00", "\xf0\x9f\x98\x80");
    EXPECT_UNESCAPE("\\uD83d\\udE00", "\xf0\x9f\x98\x80");
    EXPECT_UNESCAPE("\\ud800\\udc00", "\xf0\x90\x80\x80");   /* U+10000 */
    EXPECT_UNESCAPE("\\udbff\\udfff", "\xf4\x8f\xbf\xbf");   /* U+10FFFF */
    EXPECT_UNESCAPE("\\ud834\\udd1e", "\xf0\x9d\x84\x9e");   /* U+1D11E */
    EXPECT_UNESCAPE("x\\ud83d\\ude00y\\ud83d\\ude01z",
                    "x\xf0\x9f\x98\x80y\xf0\x9f\x98\x81z");
    EXPECT_UNESCAPE("\\ud83d\\ude00\\ud83d\\ude00",
                    "\xf0\x9f\x98\x80\xf0\x9f\x98\x80");

    /* Every high and low surrogate, in pairs. */
    for (unsigned long hi = 0xd800; hi <= 0xdbff; hi += 0x3f) {
        for (unsigned long lo = 0xdc00; lo <= 0xdfff; lo += 0x7f) {
            char in[16];
            unsigned char want[4];
            snprintf(in, sizeof in, "\\u%04lx\\u%04lX", hi, lo);
            const unsigned long cp = 0x10000 + ((hi - 0xd800) << 10) + (lo - 0xdc00);
            assert_int_equal(enc_utf8(want, cp), 4);
            expect_unescape(in, 12, (const char *)want, 4);
        }
    }
}

static void test_unescape_bad_surrogates(void **state)
{
    (void)state;
    /* lone high at the end */
    EXPECT_BAD("\\ud800", 0);
    EXPECT_BAD("\\udbff", 0);
    EXPECT_BAD("ab\\ud83d", 2);
    EXPECT_BAD("\\n\\ud83d", 2);
    /* lone high followed by text */
    EXPECT_BAD("\\ud83dx", 0);
    EXPECT_BAD("\\ud83dabcdefgh", 0);
    EXPECT_BAD("xy\\ud83d\\", 2);   /* not a valid body, still refused */
    EXPECT_BAD("\\ud83d\\u", 0);
    EXPECT_BAD("\\ud83d\\ude0", 0);
    EXPECT_BAD("\\ud83d \\ude00", 0);
    /* high followed by another escape that is not a low surrogate */
    EXPECT_BAD("\\ud83d\\n", 0);
    EXPECT_BAD("\\ud83d\\n\\ude00", 0);
    EXPECT_BAD("\\ud83d\\u0041", 0);
    EXPECT_BAD("\\ud83d\\ue000", 0);
    EXPECT_BAD("\\ud83d\\udbff", 0);
    EXPECT_BAD("\\ud800\\ud800", 0);   /* high + high */
    EXPECT_BAD("\\ud800\\ud800\\udc00", 0);
    EXPECT_BAD("ok \\ud800\\ud800", 3);
    /* lone low */
    EXPECT_BAD("\\udc00", 0);
    EXPECT_BAD("\\uDFFF", 0);
    EXPECT_BAD("abc\\ude00", 3);
    EXPECT_BAD("\\ude00\\ud83d", 0);   /* reversed pair */
    /* after a good pair, the next bad one is reported */
    EXPECT_BAD("\\ud83d\\ude00\\ude00", 12);
    EXPECT_BAD("\\ud83d\\ude00x\\ud83d", 13);
    EXPECT_BAD("0123456789abcdef\\u00e9\\t\\udc00", 24);

    /* Boundaries just outside the surrogate ranges decode. */
    EXPECT_UNESCAPE("\\ud7ff\\ue000x", "\xed\x9f\xbf\xee\x80\x80x");
}

/* Malformed bodies (outside the contract) are refused, never overread. */
static void test_unescape_malformed(void **state)
{
    (void)state;
    EXPECT_BAD("\\", 0);
    EXPECT_BAD("abc\\", 3);
    EXPECT_BAD("\\x", 0);
    EXPECT_BAD("\\U0041", 0);
    EXPECT_BAD("a\\u", 1);
    EXPECT_BAD("\\u12", 0);
    EXPECT_BAD("\\u123", 0);
    EXPECT_BAD("\\u12g4", 0);
    EXPECT_BAD("\\u-123", 0);
    EXPECT_BAD("\\ud83d\\udeZ0", 0);
}

/* Decoding in place: out == s. */
static void test_unescape_in_place(void **state)
{
    (void)state;
    static const struct {
        const char *in, *out;
    } cases[] = {
        { "plain text only", "plain text only" },
        { "a\\nb\\tc", "a\nb\tc" },
        { "\\u00e9\\u20ac\\ud83d\\ude00 end", "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80 end" },
        { "\\\\\\\\\\\\\\\"", "\\\\\\\"" },
        { "long run of clean text before \\u0041 and after it, too",
          "long run of clean text before A and after it, too" },
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        const size_t len = strlen(cases[k].in);
        char *buf = exact(cases[k].in, len);
        size_t bad = 0;
        const size_t r = ugw_json_unescape(buf, buf, len, &bad);
        assert_int_equal(r, strlen(cases[k].out));
        assert_memory_equal(buf, cases[k].out, r);
        free(buf);
    }
}

/* Escape then unescape gives back the input (escape never makes \u
 * surrogates, so any byte string round-trips). */
static void test_escape_unescape_round_trip(void **state)
{
    (void)state;
    for (int iter = 0; iter < 5000; iter++) {
        unsigned char in[64];
        const size_t len = rng_below(64);
        for (size_t i = 0; i < len; i++)
            in[i] = (unsigned char)rng_below(256);
        size_t n;
        char *esc = escapex(in, len, &n);
        char *dec = malloc(n != 0 ? n : 1);
        assert_non_null(dec);
        size_t bad;
        const size_t r = unescapex(esc, n, dec, &bad);
        assert_int_equal(r, len);
        if (len != 0)
            assert_memory_equal(dec, in, len);
        free(dec);
        free(esc);
    }
}

/* ------------------------------------------------------------------ */
/* Integers                                                             */
/* ------------------------------------------------------------------ */

static void expect_u64(const char *s, uint64_t want)
{
    uint64_t v = 0xdeadbeef;
    if (!parsex(s, strlen(s), &v))
        fail_msg("parse_u64(\"%s\") failed", s);
    assert_int_equal(v, want);
}

static void expect_no_u64(const char *s, size_t len)
{
    uint64_t v = 0;
    if (parsex(s, len, &v))
        fail_msg("parse_u64(\"%.*s\") passed", (int)len, s);
}

static void test_parse_u64(void **state)
{
    (void)state;
    expect_u64("0", 0);
    expect_u64("1", 1);
    expect_u64("9", 9);
    expect_u64("10", 10);
    expect_u64("01", 1);
    expect_u64("007", 7);
    expect_u64("00000000000000000000", 0); /* 20 zeros */
    expect_u64("00000000000000000001", 1);
    expect_u64("9007199254740991", UGW_ID_MAX);
    expect_u64("9007199254740992", UGW_ID_MAX + 1); /* range is the caller's */
    expect_u64("12345678901234567890", UINT64_C(12345678901234567890));
    expect_u64("18446744073709551609", UINT64_MAX - 6);
    expect_u64("18446744073709551614", UINT64_MAX - 1);
    expect_u64("18446744073709551615", UINT64_MAX);
    expect_u64("9999999999999999999", UINT64_C(9999999999999999999));

    expect_no_u64(LIT("18446744073709551616"));
    expect_no_u64(LIT("18446744073709551619"));
    expect_no_u64(LIT("18446744073709551620"));
    expect_no_u64(LIT("18446744073709552000"));
    expect_no_u64(LIT("19000000000000000000"));
    expect_no_u64(LIT("99999999999999999999"));
    expect_no_u64(LIT("000000000000000000000"));  /* 21 digits */
    expect_no_u64(LIT("000000000000000000001"));
    expect_no_u64(LIT("018446744073709551615"));
    expect_no_u64(LIT(""));
    expect_no_u64(LIT("-1"));
    expect_no_u64(LIT("-0"));
    expect_no_u64(LIT("+1"));
    expect_no_u64(LIT("1a"));
    expect_no_u64(LIT("a1"));
    expect_no_u64(LIT(" 1"));
    expect_no_u64(LIT("1 "));
    expect_no_u64(LIT("1.0"));
    expect_no_u64(LIT("1e3"));
    expect_no_u64(LIT("0x10"));
    expect_no_u64(LIT("/"));   /* '0' - 1 */
    expect_no_u64(LIT(":"));   /* '9' + 1 */
    expect_no_u64(LIT("1\0"));
    expect_no_u64(LIT("\xb1"));
    assert_false(ugw_parse_u64(NULL, 0, NULL));

    /* The length bounds what is read. */
    uint64_t v = 0;
    assert_true(parsex("123x", 3, &v));
    assert_int_equal(v, 123);
    assert_true(parsex("184467440737095516150", 20, &v));
    assert_int_equal(v, UINT64_MAX);
}

static void expect_fmt_u64(uint64_t v, const char *want)
{
    char buf[21];
    memset(buf, 'X', sizeof buf);
    const size_t n = ugw_fmt_u64(buf, v);
    assert_int_equal(n, strlen(want));
    assert_memory_equal(buf, want, n);
    assert_int_equal(buf[n], 'X'); /* no terminator written */
}

static void expect_fmt_i64(int64_t v, const char *want)
{
    char buf[21];
    memset(buf, 'X', sizeof buf);
    const size_t n = ugw_fmt_i64(buf, v);
    assert_int_equal(n, strlen(want));
    assert_memory_equal(buf, want, n);
    assert_int_equal(buf[n], 'X');
}

static void test_fmt(void **state)
{
    (void)state;
    expect_fmt_u64(0, "0");
    expect_fmt_u64(1, "1");
    expect_fmt_u64(9, "9");
    expect_fmt_u64(10, "10");
    expect_fmt_u64(UGW_ID_MAX, "9007199254740991");
    expect_fmt_u64(UINT64_MAX, "18446744073709551615");
    expect_fmt_i64(0, "0");
    expect_fmt_i64(1, "1");
    expect_fmt_i64(-1, "-1");
    expect_fmt_i64(-10, "-10");
    expect_fmt_i64(INT64_MAX, "9223372036854775807");
    expect_fmt_i64(INT64_MIN, "-9223372036854775808");
    expect_fmt_i64(INT64_MIN + 1, "-9223372036854775807");

    /* Exactly 20 bytes of room are enough for the longest values. */
    char *out = malloc(20);
    assert_non_null(out);
    assert_int_equal(ugw_fmt_u64(out, UINT64_MAX), 20);
    assert_memory_equal(out, "18446744073709551615", 20);
    assert_int_equal(ugw_fmt_i64(out, INT64_MIN), 20);
    assert_memory_equal(out, "-9223372036854775808", 20);
    free(out);

    /* Powers of ten and their neighbours, against printf. */
    uint64_t p = 1;
    for (int k = 0; k < 20; k++, p *= 10) {
        const uint64_t vs[] = { p - 1, p, p + 1 };
        for (size_t j = 0; j < 3; j++) {
            char want[32];
            snprintf(want, sizeof want, "%" PRIu64, vs[j]);
            expect_fmt_u64(vs[j], want);
            if (vs[j] <= (uint64_t)INT64_MAX) {
                snprintf(want, sizeof want, "%" PRId64, -(int64_t)vs[j]);
                expect_fmt_i64(-(int64_t)vs[j], want);
                snprintf(want, sizeof want, "%" PRId64, (int64_t)vs[j]);
                expect_fmt_i64((int64_t)vs[j], want);
            }
        }
    }

    /* Random values round-trip through parse_u64. */
    for (int iter = 0; iter < 10000; iter++) {
        const uint64_t v = rng() >> rng_below(64);
        char buf[20];
        const size_t n = ugw_fmt_u64(buf, v);
        uint64_t back = 0;
        assert_true(parsex(buf, n, &back));
        assert_int_equal(back, v);

        const int64_t sv = (int64_t)rng();
        char want[32];
        snprintf(want, sizeof want, "%" PRId64, sv);
        expect_fmt_i64(sv, want);
    }
}

/* ------------------------------------------------------------------ */
/* Formats                                                              */
/* ------------------------------------------------------------------ */

static ugw_format detectx(const void *s, size_t len)
{
    char *p = exact(s, len);
    ugw_format f = ugw_detect_format(p, len);
    free(p);
    return f;
}

static void test_detect_format(void **state)
{
    (void)state;
    assert_int_equal(ugw_detect_format(NULL, 0), UGW_FORMAT_JSON);
    assert_int_equal(detectx(LIT("")), UGW_FORMAT_JSON);
    assert_int_equal(detectx(LIT(" ")), UGW_FORMAT_JSON);
    assert_int_equal(detectx(LIT(" \t\r\n \t\r\n")), UGW_FORMAT_JSON);
    assert_int_equal(detectx(LIT("{")), UGW_FORMAT_JSON);
    assert_int_equal(detectx(LIT("{\"event\":\"x\"}")), UGW_FORMAT_JSON);
    assert_int_equal(detectx(LIT(" \t\r\n{")), UGW_FORMAT_JSON);
    assert_int_equal(detectx(LIT("\n\n\n\n\n\n\n\n\n{")), UGW_FORMAT_JSON);
    /* Any other printable ASCII start is JSON too (a wrong type or syntax
     * error then names the real problem). */
    assert_int_equal(detectx(LIT("[")), UGW_FORMAT_JSON);
    assert_int_equal(detectx(LIT(" [")), UGW_FORMAT_JSON);
    assert_int_equal(detectx(LIT("\"x\"")), UGW_FORMAT_JSON);
    assert_int_equal(detectx(LIT("}")), UGW_FORMAT_JSON);
    assert_int_equal(detectx(LIT("  x")), UGW_FORMAT_JSON);
    assert_int_equal(detectx(LIT("~")), UGW_FORMAT_JSON);
    /* Anything else is MessagePack. */
    assert_int_equal(detectx(LIT("\x82")), UGW_FORMAT_MSGPACK);          /* fixmap */
    assert_int_equal(detectx(LIT("\xde\x00\x02")), UGW_FORMAT_MSGPACK);  /* map16 */
    assert_int_equal(detectx(LIT("\x80")), UGW_FORMAT_MSGPACK);
    assert_int_equal(detectx(LIT("\x7f")), UGW_FORMAT_MSGPACK);          /* fixint 127 */
    assert_int_equal(detectx(LIT("\x00{")), UGW_FORMAT_MSGPACK);
    assert_int_equal(detectx(LIT("\x0b{")), UGW_FORMAT_MSGPACK); /* VT is not JSON ws */
    assert_int_equal(detectx(LIT("\x0c{")), UGW_FORMAT_MSGPACK); /* nor FF */
    assert_int_equal(detectx(LIT("\xef\xbb\xbf{")), UGW_FORMAT_MSGPACK); /* BOM */
    /* The length bounds what is read. */
    assert_int_equal(detectx("  \x82", 2), UGW_FORMAT_JSON);
}

static void test_format_names(void **state)
{
    (void)state;
    assert_string_equal(ugw_format_name(UGW_FORMAT_JSON), "json");
    assert_string_equal(ugw_format_name(UGW_FORMAT_MSGPACK), "msgpack");
    assert_string_equal(ugw_format_media_type(UGW_FORMAT_JSON), "application/json");
    assert_string_equal(ugw_format_media_type(UGW_FORMAT_MSGPACK),
                        "application/msgpack");
    assert_string_equal(ugw_format_name((ugw_format)2), "?");
    assert_string_equal(ugw_format_name((ugw_format)-1), "?");
    assert_string_equal(ugw_format_media_type((ugw_format)2), "?");
    assert_string_equal(ugw_format_media_type((ugw_format)-1), "?");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_status_names),
        cmocka_unit_test(test_status_round_trip),
        cmocka_unit_test(test_status_unknown),
        cmocka_unit_test(test_error_clear),
        cmocka_unit_test(test_error_set),
        cmocka_unit_test(test_error_path_truncation),
        cmocka_unit_test(test_utf8_valid),
        cmocka_unit_test(test_utf8_bad_inner),
        cmocka_unit_test(test_utf8_bad_tail),
        cmocka_unit_test(test_utf8_every_lead),
        cmocka_unit_test(test_utf8_random),
        cmocka_unit_test(test_url_accept),
        cmocka_unit_test(test_url_reject),
        cmocka_unit_test(test_escape_each_byte),
        cmocka_unit_test(test_escape_matches_python),
        cmocka_unit_test(test_escape_spot),
        cmocka_unit_test(test_escape_positions),
        cmocka_unit_test(test_escape_random),
        cmocka_unit_test(test_unescape_simple),
        cmocka_unit_test(test_unescape_u),
        cmocka_unit_test(test_unescape_pairs),
        cmocka_unit_test(test_unescape_bad_surrogates),
        cmocka_unit_test(test_unescape_malformed),
        cmocka_unit_test(test_unescape_in_place),
        cmocka_unit_test(test_escape_unescape_round_trip),
        cmocka_unit_test(test_parse_u64),
        cmocka_unit_test(test_fmt),
        cmocka_unit_test(test_detect_format),
        cmocka_unit_test(test_format_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
