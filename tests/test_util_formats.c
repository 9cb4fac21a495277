/*
 * test_util_formats.c - cmocka tests of runtime/codec/ugw_util.c: format detection and format names.
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
        cmocka_unit_test(test_detect_format),
        cmocka_unit_test(test_format_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
