/*
 * test_util_escape.c - cmocka tests of runtime/codec/ugw_util.c: JSON escaping and unescaping.
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

int main(void)
{
    const struct CMUnitTest tests[] = {
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
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
