/*
 * test_util_errors.c - cmocka tests of runtime/codec/ugw_util.c: status names and the error functions of ugw_runtime.h.
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
    { UGW_ERR_ENUM, "enum" },
    { UGW_ERR_FORMAT, "format" },
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
    { UGW_ERR_BUSY, "busy" },
    { UGW_ERR_CORRUPT, "corrupt" },
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_status_names),
        cmocka_unit_test(test_status_round_trip),
        cmocka_unit_test(test_status_unknown),
        cmocka_unit_test(test_error_clear),
        cmocka_unit_test(test_error_set),
        cmocka_unit_test(test_error_path_truncation),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
