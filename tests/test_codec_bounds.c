/*
 * test_codec_bounds.c - the engine's numeric and size rules on hand-built
 * descriptors (any schema, not only the bundled one): signed int bounds on
 * both sides, the JSON encoder's fast size bound with absent optional
 * fields, and size arithmetic that cannot wrap.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ugw/ugw_runtime.h>

/* ------------------------------------------------------------------ */
/* A one-event schema with one int field, its bounds set per test.     */
/* ------------------------------------------------------------------ */

typedef struct {
    int64_t n;
} int_event;

static ugw_field_desc int_fields[] = {
    { .name = "n", .path = "payload.n", .json_key = "\"n\":", .mp_key = "\241n",
      .name_len = 1, .json_key_len = 4, .mp_key_len = 2, .type = UGW_TYPE_INT, .required = true,
      .offset = offsetof(int_event, n), .has_offset = UGW_NO_HAS, .min = 0, .max = 0 },
};

static const ugw_event_desc int_events[] = {
    { "t", "t", NULL, "{\"event\":\"t\",\"payload\":{",
      "\202\245event\241t\247payload", int_fields, 0, sizeof(int_event),
      1, 24, 17, 1, 1, NULL, NULL, NULL, NULL },
};

static const ugw_schema int_schema = { int_events, 1, 1, "test", NULL };

static ugw_status decode_json_n(ugw_decoder *dec, const char *num, int_event *ev, ugw_error *err)
{
    char doc[128];
    int type;
    int k = snprintf(doc, sizeof doc, "{\"event\":\"t\",\"payload\":{\"n\":%s}}", num);
    assert_true(k > 0 && (size_t)k < sizeof doc);
    return ugw_schema_decode(&int_schema, dec, UGW_FORMAT_JSON, doc, (size_t)k, &type, ev,
                             sizeof *ev, err);
}

/* MessagePack of the document with n as int64 (0xd3, any value). */
static ugw_status decode_mp_n(ugw_decoder *dec, int64_t v, int_event *ev, ugw_error *err)
{
    unsigned char doc[64];
    size_t k = 0;
    uint64_t u = (uint64_t)v;
    int type;
    memcpy(doc, "\202\245event\241t\247payload\201\241n\323", 21);
    k = 21;
    for (int i = 7; i >= 0; i--)
        doc[k++] = (unsigned char)(u >> (8 * i));
    return ugw_schema_decode(&int_schema, dec, UGW_FORMAT_MSGPACK, doc, k, &type, ev, sizeof *ev,
                             err);
}

/* Whether value `v` is accepted by JSON decode, MessagePack decode and
 * validate alike (asserting that the three agree, with path and code). */
static bool accepted(ugw_decoder *dec, int64_t v)
{
    char num[32];
    int_event ev;
    ugw_error err;
    ugw_status sj, sm, sv;
    snprintf(num, sizeof num, "%lld", (long long)v);
    sj = decode_json_n(dec, num, &ev, &err);
    if (sj == UGW_OK)
        assert_int_equal(ev.n, v);
    else
        assert_string_equal(err.path, "payload.n");
    sm = decode_mp_n(dec, v, &ev, &err);
    if (sm == UGW_OK)
        assert_int_equal(ev.n, v);
    else
        assert_string_equal(err.path, "payload.n");
    ev.n = v;
    sv = ugw_schema_validate(&int_schema, 1, &ev, &err);
    if (sv != UGW_OK)
        assert_string_equal(err.path, "payload.n");
    assert_int_equal(sj, sv);
    assert_int_equal(sm, sv);
    assert_true(sv == UGW_OK || sv == UGW_ERR_RANGE);
    return sv == UGW_OK;
}

static void set_bounds(int64_t min, int64_t max)
{
    int_fields[0].min = min;
    int_fields[0].max = max;
}

/* Range -10..-5: a negative max bounds positive and negative values alike
 * (the comparison once went through uint64_t: 3 and -1 were accepted). */
static void test_int_negative_max(void **state)
{
    ugw_decoder *dec = ugw_decoder_new(NULL);
    int_event ev;
    ugw_error err;
    (void)state;
    assert_non_null(dec);
    set_bounds(-10, -5);
    assert_false(accepted(dec, 3));
    assert_false(accepted(dec, -1));
    assert_false(accepted(dec, 0));
    assert_false(accepted(dec, -4));
    assert_false(accepted(dec, -11));
    assert_false(accepted(dec, INT64_MIN));
    assert_false(accepted(dec, INT64_MAX));
    assert_true(accepted(dec, -5));
    assert_true(accepted(dec, -10));
    assert_true(accepted(dec, -7));
    /* the error of a value above a negative max: range, at the value */
    assert_int_equal(decode_json_n(dec, "3", &ev, &err), UGW_ERR_RANGE);
    assert_int_equal(err.pos, 28);
    assert_string_equal(err.path, "payload.n");
    /* -0 is 0, also above -5 */
    assert_int_equal(decode_json_n(dec, "-0", &ev, &err), UGW_ERR_RANGE);
    /* beyond 64 bits on either side */
    assert_int_equal(decode_json_n(dec, "18446744073709551616", &ev, &err), UGW_ERR_RANGE);
    assert_int_equal(decode_json_n(dec, "-9223372036854775809", &ev, &err), UGW_ERR_RANGE);
    assert_int_equal(decode_json_n(dec, "9223372036854775808", &ev, &err), UGW_ERR_RANGE);
    ugw_decoder_free(dec);
}

/* Positive, straddling and extreme ranges, both bounds checked signed. */
static void test_int_bounds_every_side(void **state)
{
    ugw_decoder *dec = ugw_decoder_new(NULL);
    (void)state;
    assert_non_null(dec);
    set_bounds(5, 10);
    assert_false(accepted(dec, -1));
    assert_false(accepted(dec, 4));
    assert_false(accepted(dec, 11));
    assert_false(accepted(dec, INT64_MIN));
    assert_true(accepted(dec, 5));
    assert_true(accepted(dec, 10));
    set_bounds(-3, 3);
    assert_false(accepted(dec, -4));
    assert_false(accepted(dec, 4));
    assert_true(accepted(dec, -3));
    assert_true(accepted(dec, 0));
    assert_true(accepted(dec, 3));
    set_bounds(INT64_MIN, INT64_MIN);
    assert_true(accepted(dec, INT64_MIN));
    assert_false(accepted(dec, INT64_MIN + 1));
    assert_false(accepted(dec, 0));
    assert_false(accepted(dec, INT64_MAX));
    set_bounds(INT64_MAX, INT64_MAX);
    assert_true(accepted(dec, INT64_MAX));
    assert_false(accepted(dec, INT64_MAX - 1));
    assert_false(accepted(dec, -1));
    assert_false(accepted(dec, INT64_MIN));
    set_bounds(INT64_MIN, INT64_MAX);
    assert_true(accepted(dec, INT64_MIN));
    assert_true(accepted(dec, INT64_MAX));
    assert_true(accepted(dec, 0));
    set_bounds(INT64_MIN, -1);
    assert_true(accepted(dec, INT64_MIN));
    assert_true(accepted(dec, -1));
    assert_false(accepted(dec, 0));
    assert_false(accepted(dec, INT64_MAX));
    ugw_decoder_free(dec);
}

/* ------------------------------------------------------------------ */
/* An event with a required and an optional string: the fast bound.    */
/* ------------------------------------------------------------------ */

typedef struct {
    ugw_str a;
    bool has_b;
    ugw_str b;
} str_event;

static const ugw_field_desc str_fields[] = {
    { .name = "a", .path = "payload.a", .json_key = "\"a\":", .mp_key = "\241a",
      .name_len = 1, .json_key_len = 4, .mp_key_len = 2, .type = UGW_TYPE_STRING, .required = true,
      .offset = offsetof(str_event, a), .has_offset = UGW_NO_HAS, .min = 0, .max = 1000 },
    { .name = "b", .path = "payload.b", .json_key = "\"b\":", .mp_key = "\241b",
      .name_len = 1, .json_key_len = 4, .mp_key_len = 2, .type = UGW_TYPE_STRING, .required = false,
      .offset = offsetof(str_event, b), .has_offset = offsetof(str_event, has_b), .min = 0, .max = 1000 },
};

static const ugw_event_desc str_events[] = {
    { "t", "t", NULL, "{\"event\":\"t\",\"payload\":{",
      "\202\245event\241t\247payload", str_fields, 0, sizeof(str_event),
      1, 24, 17, 2, 1, NULL, NULL, NULL, NULL },
};

static const ugw_schema str_schema = { str_events, 1, 1, "test", NULL };

#define CANARY 0xA5

/* An absent optional string may hold any stale length: the encoder ignores
 * it. Once its 2 + 6*len wrapped the fast bound below the real size and the
 * encoder wrote past the caller's 48-byte buffer. */
static void test_json_bound_ignores_absent_fields(void **state)
{
    static const char doc60[] = "{\"event\":\"t\",\"payload\":{\"a\":\""
                                "0123456789012345678901234567890123456789\"}}";
    const size_t doc_len = sizeof doc60 - 1;
    unsigned char *buf = malloc(512);
    str_event ev;
    ugw_error err;
    size_t n;
    (void)state;
    assert_non_null(buf);
    assert_true(doc_len > 48);
    for (size_t x = 0; x < 2000; x++) {
        size_t stale = x < 1000 ? (SIZE_MAX - x) / 6 + 1 : SIZE_MAX - (x - 1000);
        memset(&ev, 0, sizeof ev);
        ev.a = (ugw_str){ "0123456789012345678901234567890123456789", 40 };
        ev.has_b = false;
        ev.b.ptr = NULL;
        ev.b.len = stale;
        memset(buf, CANARY, 512);
        n = 0;
        assert_int_equal(ugw_schema_encode(&str_schema, 1, &ev, UGW_FORMAT_JSON, buf, 48, &n, &err),
                         UGW_ERR_BUFFER);
        assert_int_equal(n, doc_len);
        for (size_t i = 48; i < 512; i++)
            if (buf[i] != CANARY)
                fail_msg("stale length %zu: byte %zu past the 48-byte buffer written", stale, i);
        /* with room, the exact document; the stale length changes nothing */
        assert_int_equal(ugw_schema_encode(&str_schema, 1, &ev, UGW_FORMAT_JSON, buf, 512, &n, &err),
                         UGW_OK);
        assert_int_equal(n, doc_len);
        assert_memory_equal(buf, doc60, doc_len);
        assert_int_equal(ugw_schema_encode(&str_schema, 1, &ev, UGW_FORMAT_MSGPACK, buf, 512, &n, &err),
                         UGW_OK);
    }
    free(buf);
}

/* A present string's length is checked against its limit before any size is
 * computed from it; a length whose escaped size would not fit in size_t is
 * never multiplied. */
static void test_sizes_never_wrap(void **state)
{
    str_event ev;
    ugw_error err;
    size_t n = 0;
    char out[64];
    (void)state;
    memset(&ev, 0, sizeof ev);
    ev.a = (ugw_str){ "x", 1 };
    ev.has_b = true;
    ev.b = (ugw_str){ "y", SIZE_MAX / 6 + 1 };
    assert_int_equal(ugw_schema_encode(&str_schema, 1, &ev, UGW_FORMAT_JSON, out, sizeof out, &n, &err),
                     UGW_ERR_TOO_LONG);
    assert_string_equal(err.path, "payload.b");
    assert_int_equal(ugw_schema_encode(&str_schema, 1, &ev, UGW_FORMAT_MSGPACK, out, sizeof out, &n, &err),
                     UGW_ERR_TOO_LONG);
}

/* ------------------------------------------------------------------ */
/* A bool field: both literals, wrong types, a byte that is no bool.    */
/* ------------------------------------------------------------------ */

typedef struct {
    bool b;
} bool_event;

static const ugw_field_desc bool_fields[] = {
    { .name = "b", .path = "payload.b", .json_key = "\"b\":", .mp_key = "\241b",
      .name_len = 1, .json_key_len = 4, .mp_key_len = 2, .type = UGW_TYPE_BOOL, .required = true,
      .offset = offsetof(bool_event, b), .has_offset = UGW_NO_HAS, .min = 0, .max = 1 },
};

static const ugw_event_desc bool_events[] = {
    { "t", "t", NULL, "{\"event\":\"t\",\"payload\":{",
      "\202\245event\241t\247payload", bool_fields, 0, sizeof(bool_event),
      1, 24, 17, 1, 1, NULL, NULL, NULL, NULL },
};

static const ugw_schema bool_schema = { bool_events, 1, 1, "test", NULL };

static void test_bool_field(void **state)
{
    static const struct {
        const char *doc;
        ugw_status code;
        size_t pos;
    } cases[] = {
        { "{\"event\":\"t\",\"payload\":{\"b\":true}}", UGW_OK, 0 },
        { "{\"event\":\"t\",\"payload\":{\"b\":false}}", UGW_OK, 0 },
        { "{\"event\":\"t\",\"payload\":{\"b\":\"true\"}}", UGW_ERR_TYPE, 28 },
        { "{\"event\":\"t\",\"payload\":{\"b\":1}}", UGW_ERR_TYPE, 28 },
        { "{\"event\":\"t\",\"payload\":{\"b\":null}}", UGW_ERR_TYPE, 28 },
        { "{\"event\":\"t\",\"payload\":{\"b\":tru}}", UGW_ERR_SYNTAX, 28 },
    };
    ugw_decoder *dec = ugw_decoder_new(NULL);
    bool_event ev;
    ugw_error err;
    unsigned char out[64];
    size_t n;
    int type;
    (void)state;
    assert_non_null(dec);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ugw_status st = ugw_schema_decode(&bool_schema, dec, UGW_FORMAT_JSON, cases[i].doc,
                                          strlen(cases[i].doc), &type, &ev, sizeof ev, &err);
        assert_int_equal(st, cases[i].code);
        if (st) {
            assert_int_equal(err.pos, cases[i].pos);
            assert_string_equal(err.path, cases[i].code == UGW_ERR_SYNTAX ? "" : "payload.b");
            continue;
        }
        /* re-encoded exactly, and in MessagePack as 0xc3 / 0xc2 */
        assert_int_equal(ugw_schema_encode(&bool_schema, 1, &ev, UGW_FORMAT_JSON, out, sizeof out, &n, &err), UGW_OK);
        assert_int_equal(n, strlen(cases[i].doc));
        assert_memory_equal(out, cases[i].doc, n);
        assert_int_equal(ugw_schema_encode(&bool_schema, 1, &ev, UGW_FORMAT_MSGPACK, out, sizeof out, &n, &err),
                         UGW_OK);
        assert_int_equal(n, 21);
        assert_int_equal(out[20], ev.b ? 0xc3 : 0xc2);
        assert_int_equal(ugw_schema_decode(&bool_schema, dec, UGW_FORMAT_MSGPACK, out, n, &type, &ev, sizeof ev, &err),
                         UGW_OK);
    }
    /* MessagePack: nil and 1 are no bool */
    memcpy(out, "\202\245event\241t\247payload\201\241b\300", 21);
    assert_int_equal(ugw_schema_decode(&bool_schema, dec, UGW_FORMAT_MSGPACK, out, 21, &type, &ev, sizeof ev, &err),
                     UGW_ERR_TYPE);
    assert_int_equal(err.pos, 20);
    assert_string_equal(err.path, "payload.b");
    out[20] = 1;
    assert_int_equal(ugw_schema_decode(&bool_schema, dec, UGW_FORMAT_MSGPACK, out, 21, &type, &ev, sizeof ev, &err),
                     UGW_ERR_TYPE);
    /* memory that holds neither 0 nor 1 is refused before encoding */
    memset(&ev, 2, sizeof ev);
    assert_int_equal(ugw_schema_encode(&bool_schema, 1, &ev, UGW_FORMAT_JSON, out, sizeof out, &n, &err), UGW_ERR_ARG);
    assert_string_equal(err.path, "payload.b");
    ugw_decoder_free(dec);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_int_negative_max),
        cmocka_unit_test(test_int_bounds_every_side),
        cmocka_unit_test(test_json_bound_ignores_absent_fields),
        cmocka_unit_test(test_sizes_never_wrap),
        cmocka_unit_test(test_bool_field),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
