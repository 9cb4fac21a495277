/*
 * test_util_utf8.c - cmocka tests of runtime/codec/ugw_util.c: the UTF-8 check.
 *
 * Inputs go through the exact-size copies of util_support.h.
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

#include "util_support.h"

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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_utf8_valid),
        cmocka_unit_test(test_utf8_bad_inner),
        cmocka_unit_test(test_utf8_bad_tail),
        cmocka_unit_test(test_utf8_every_lead),
        cmocka_unit_test(test_utf8_random),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
