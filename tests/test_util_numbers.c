/*
 * test_util_numbers.c - cmocka tests of runtime/codec/ugw_util.c: integer parsing and formatting.
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_u64),
        cmocka_unit_test(test_fmt),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
