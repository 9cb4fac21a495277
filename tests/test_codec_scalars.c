/*
 * test_codec_scalars.c - enum, number, timestamp and nullable fields in the
 * engine, on a hand-built descriptor (any schema, not only the bundled one):
 * every error path with its code, byte position and field path in JSON and
 * MessagePack, the encoders' exact bytes, and validation of a caller's struct.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ugw/ugw_runtime.h>

typedef struct {
    int a;                /* enum, strict: click, view */
    bool has_l;
    int l;                /* enum, lenient: x */
    ugw_str l_other;
    bool has_n;
    bool n_is_null;
    double n;             /* number -1.5 .. 100, nullable */
    bool has_w;
    double w;             /* number, no bounds */
    bool has_t;
    bool t_is_null;
    int64_t t;            /* timestamp from 1970, nullable */
} sc_event;

static const char *const a_values[] = { "click", "view" };
static const uint16_t a_lens[] = { 5, 4 };
static const ugw_enum_desc a_enum = { a_values, a_lens, 2 };
static const char *const l_values[] = { "x" };
static const uint16_t l_lens[] = { 1 };
static const ugw_enum_desc l_enum = { l_values, l_lens, 1 };

#define KEYS(k) .name = k, .path = "payload." k, .json_key = "\"" k "\":", .mp_key = "\241" k, \
                .name_len = 1, .json_key_len = 4, .mp_key_len = 2

static const ugw_field_desc sc_fields[] = {
    { KEYS("a"), .type = UGW_TYPE_ENUM, .required = true, .offset = offsetof(sc_event, a),
      .has_offset = UGW_NO_HAS, .min = 1, .max = 2, .enum_values = &a_enum },
    { KEYS("l"), .type = UGW_TYPE_ENUM, .lenient = true, .offset = offsetof(sc_event, l),
      .has_offset = offsetof(sc_event, has_l), .aux_offset = offsetof(sc_event, l_other), .min = 1, .max = 1,
      .enum_values = &l_enum },
    { KEYS("n"), .type = UGW_TYPE_NUMBER, .nullable = true, .offset = offsetof(sc_event, n),
      .has_offset = offsetof(sc_event, has_n), .null_offset = offsetof(sc_event, n_is_null), .nmin = -1.5,
      .nmax = 100 },
    { KEYS("w"), .type = UGW_TYPE_NUMBER, .offset = offsetof(sc_event, w), .has_offset = offsetof(sc_event, has_w),
      .nmin = -DBL_MAX, .nmax = DBL_MAX },
    { KEYS("t"), .type = UGW_TYPE_TIMESTAMP, .nullable = true, .offset = offsetof(sc_event, t),
      .has_offset = offsetof(sc_event, has_t), .null_offset = offsetof(sc_event, t_is_null), .min = 0,
      .max = UGW_TIMESTAMP_MAX },
};

static const ugw_event_desc sc_events[] = {
    { "t", "t", NULL, "{\"event\":\"t\",\"payload\":{", "\202\245event\241t\247payload", sc_fields, 0,
      sizeof(sc_event), 1, 24, 17, 5, 1, NULL, NULL, NULL, NULL },
};

static const ugw_schema sc_schema = { sc_events, 1, 1, "test", NULL };

#define HEAD "{\"event\":\"t\",\"payload\":{"
#define MP_HEAD "\202\245event\241t\247payload"

static int setup(void **state)
{
    *state = ugw_decoder_new(NULL);
    return *state ? 0 : -1;
}

static int teardown(void **state)
{
    ugw_decoder_free(*state);
    return 0;
}

/* The document lives on after the call: the decoded views point into it. */
static ugw_status dec_json(void **state, const char *payload, sc_event *ev, ugw_error *err)
{
    static char doc[512];
    int type, k = snprintf(doc, sizeof doc, HEAD "%s}", payload);
    assert_true(k > 0 && (size_t)k < sizeof doc);
    return ugw_schema_decode(&sc_schema, *state, UGW_FORMAT_JSON, doc, (size_t)k, &type, ev, sizeof *ev, err);
}

/* The document's payload `members` (n pairs of MessagePack bytes). */
static ugw_status dec_mp(void **state, const char *members, size_t len, unsigned n, sc_event *ev, ugw_error *err)
{
    static unsigned char doc[256];
    int type;
    size_t k = sizeof MP_HEAD - 1;
    memcpy(doc, MP_HEAD, k);
    doc[k++] = (unsigned char)(0x80 | n);
    memcpy(doc + k, members, len);
    return ugw_schema_decode(&sc_schema, *state, UGW_FORMAT_MSGPACK, doc, k + len, &type, ev, sizeof *ev, err);
}

static void encode_json(const sc_event *ev, const char *want_payload)
{
    char out[512], want[512];
    size_t n = 0;
    ugw_error err;
    snprintf(want, sizeof want, HEAD "%s}}", want_payload);
    assert_int_equal(ugw_schema_encode(&sc_schema, 1, ev, UGW_FORMAT_JSON, out, sizeof out, &n, &err), UGW_OK);
    assert_int_equal(n, strlen(want));
    assert_memory_equal(out, want, n);
    /* the exact sizing pass agrees */
    assert_int_equal(ugw_schema_encode(&sc_schema, 1, ev, UGW_FORMAT_JSON, NULL, 0, &n, &err), UGW_OK);
    assert_int_equal(n, strlen(want));
}

/* Every document a JSON decoder refuses, with code, path and position. */
static void test_json_errors(void **state)
{
    static const struct {
        const char *payload;
        ugw_status code;
        const char *path;
        size_t pos; /* from the start of the payload's members */
    } cases[] = {
        { "\"a\":\"hover\"}", UGW_ERR_ENUM, "payload.a", 4 },
        { "\"a\":\"Click\"}", UGW_ERR_ENUM, "payload.a", 4 },
        { "\"a\":5}", UGW_ERR_TYPE, "payload.a", 4 },
        { "\"a\":null}", UGW_ERR_TYPE, "payload.a", 4 },
        { "\"a\":\"cl\\u0000ick\"}", UGW_ERR_NUL, "payload.a", 4 },
        { "\"a\":\"\\ud800\"}", UGW_ERR_UTF8, "payload.a", 5 },
        { "\"a\":\"view\",\"l\":\"a\\u0000\"}", UGW_ERR_NUL, "payload.l", 15 },
        { "\"a\":\"view\",\"l\":\"\"}", UGW_ERR_ENUM, "payload.l", 15 },
        { "\"a\":\"view\",\"n\":100.0001}", UGW_ERR_RANGE, "payload.n", 15 },
        { "\"a\":\"view\",\"n\":-1.6}", UGW_ERR_RANGE, "payload.n", 15 },
        { "\"a\":\"view\",\"n\":\"1\"}", UGW_ERR_TYPE, "payload.n", 15 },
        { "\"a\":\"view\",\"n\":true}", UGW_ERR_TYPE, "payload.n", 15 },
        { "\"a\":\"view\",\"n\":[1]}", UGW_ERR_TYPE, "payload.n", 15 },
        { "\"a\":\"view\",\"w\":1e400}", UGW_ERR_RANGE, "payload.w", 15 },
        { "\"a\":\"view\",\"w\":-1e400}", UGW_ERR_RANGE, "payload.w", 15 },
        { "\"a\":\"view\",\"w\":null}", UGW_ERR_TYPE, "payload.w", 15 },
        { "\"a\":\"view\",\"t\":\"2023-02-29T00:00:00Z\"}", UGW_ERR_FORMAT, "payload.t", 16 + 8 },
        { "\"a\":\"view\",\"t\":\"1900-02-29T00:00:00Z\"}", UGW_ERR_FORMAT, "payload.t", 16 + 8 },
        { "\"a\":\"view\",\"t\":\"2024-01-01T24:00:00Z\"}", UGW_ERR_FORMAT, "payload.t", 16 + 11 },
        { "\"a\":\"view\",\"t\":\"2024-13-01T00:00:00Z\"}", UGW_ERR_FORMAT, "payload.t", 16 + 5 },
        { "\"a\":\"view\",\"t\":\"2024-01-01T00:00:00+24:00\"}", UGW_ERR_FORMAT, "payload.t", 16 + 20 },
        { "\"a\":\"view\",\"t\":\"2024-01-01T00:00:60Z\"}", UGW_ERR_FORMAT, "payload.t", 16 + 17 },
        { "\"a\":\"view\",\"t\":\"2024-01-01\"}", UGW_ERR_FORMAT, "payload.t", 16 + 10 },
        { "\"a\":\"view\",\"t\":\"\\u0032023-02-29T00:00:00Z\"}", UGW_ERR_FORMAT, "payload.t", 15 },
        { "\"a\":\"view\",\"t\":\"1969-12-31T23:59:59.999Z\"}", UGW_ERR_RANGE, "payload.t", 15 },
        { "\"a\":\"view\",\"t\":\"9999-12-31T23:59:59Z\",\"w\":1}", UGW_OK, "", 0 },
        { "\"a\":\"view\",\"t\":\"9999-12-31T23:59:59-00:01\"}", UGW_ERR_RANGE, "payload.t", 15 },
        { "\"a\":\"view\",\"t\":1700000000000}", UGW_ERR_TYPE, "payload.t", 15 },
    };
    sc_event ev;
    ugw_error err;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ugw_status st = dec_json(state, cases[i].payload, &ev, &err);
        if (st != cases[i].code || strcmp(err.path, cases[i].path) != 0 || (st && err.pos != 24 + cases[i].pos))
            fail_msg("%s: got %s at %s pos %zu, want %s at %s pos %zu", cases[i].payload, ugw_status_name(st),
                     err.path, err.pos, ugw_status_name(cases[i].code), cases[i].path,
                     cases[i].code ? 24 + cases[i].pos : 0);
    }
}

/* What decodes, and the exact JSON it encodes back to. */
static void test_json_values_round_trip(void **state)
{
    static const struct {
        const char *in, *out;
    } cases[] = {
        { "\"a\":\"click\"}", "\"a\":\"click\"" },
        { "\"a\":\"view\",\"l\":\"x\"}", "\"a\":\"view\",\"l\":\"x\"" },
        { "\"a\":\"view\",\"l\":\"new \\\"one\\\"\"}", "\"a\":\"view\",\"l\":\"new \\\"one\\\"\"" },
        { "\"a\":\"view\",\"n\":1.5,\"w\":-0}", "\"a\":\"view\",\"n\":1.5,\"w\":-0.0" },
        { "\"a\":\"view\",\"n\":null,\"t\":null}", "\"a\":\"view\",\"n\":null,\"t\":null" },
        { "\"a\":\"view\",\"n\":100,\"w\":1E16}", "\"a\":\"view\",\"n\":100.0,\"w\":1e+16" },
        { "\"a\":\"view\",\"n\":-1.5,\"w\":0.000015}", "\"a\":\"view\",\"n\":-1.5,\"w\":1.5e-05" },
        { "\"a\":\"view\",\"w\":5e-324}", "\"a\":\"view\",\"w\":5e-324" },
        { "\"a\":\"view\",\"w\":1e-400}", "\"a\":\"view\",\"w\":0.0" },
        { "\"a\":\"view\",\"t\":\"2024-02-29T12:00:00.123456789Z\"}", "\"a\":\"view\",\"t\":\"2024-02-29T12:00:00.123Z\"" },
        { "\"a\":\"view\",\"t\":\"2000-02-29t23:30:00.5+01:30\"}", "\"a\":\"view\",\"t\":\"2000-02-29T22:00:00.500Z\"" },
        { "\"a\":\"view\",\"t\":\"1970-01-01T00:00:00-00:00\"}", "\"a\":\"view\",\"t\":\"1970-01-01T00:00:00.000Z\"" },
        { "\"a\":\"view\",\"t\":\"\\u0032024-01-01T00:00:00z\"}", "\"a\":\"view\",\"t\":\"2024-01-01T00:00:00.000Z\"" },
    };
    sc_event ev;
    ugw_error err;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ugw_status st = dec_json(state, cases[i].in, &ev, &err);
        if (st)
            fail_msg("%s: %s at %s pos %zu", cases[i].in, ugw_status_name(st), err.path, err.pos);
        encode_json(&ev, cases[i].out);
    }
    assert_int_equal(dec_json(state, "\"a\":\"view\",\"l\":\"zz\"}", &ev, &err), UGW_OK);
    assert_int_equal(ev.a, 2);
    assert_int_equal(ev.l, 0);
    assert_int_equal(ev.l_other.len, 2);
    assert_memory_equal(ev.l_other.ptr, "zz", 2);
}

/* MessagePack: float32 and float64, exact integers only, nil where allowed. */
static void test_msgpack_values_and_errors(void **state)
{
    static const struct {
        const char *members;
        size_t len;
        unsigned n;
        ugw_status code;
        const char *path;
        size_t pos; /* from the payload map's first member */
        double w;
    } cases[] = {
        { "\241a\245hover", 8, 1, UGW_ERR_ENUM, "payload.a", 2, 0 },
        { "\241a\300", 3, 1, UGW_ERR_TYPE, "payload.a", 2, 0 },
        { "\241a\244view\241w\313\177\370\0\0\0\0\0\0", 18, 2, UGW_ERR_RANGE, "payload.w", 9, 0 },
        { "\241a\244view\241w\312\177\200\0\0", 14, 2, UGW_ERR_RANGE, "payload.w", 9, 0 },
        { "\241a\244view\241w\312\377\200\0\0", 14, 2, UGW_ERR_RANGE, "payload.w", 9, 0 },
        { "\241a\244view\241w\317\0\040\0\0\0\0\0\001", 18, 2, UGW_ERR_RANGE, "payload.w", 9, 0 },
        { "\241a\244view\241w\323\377\337\377\377\377\377\377\377", 18, 2, UGW_ERR_RANGE, "payload.w", 9, 0 },
        { "\241a\244view\241w\317\200\0\0\0\0\0\0\0", 18, 2, UGW_OK, "", 0, 9223372036854775808.0 },
        { "\241a\244view\241w\317\0\040\0\0\0\0\0\0", 18, 2, UGW_OK, "", 0, 9007199254740992.0 },
        { "\241a\244view\241w\320\373", 11, 2, UGW_OK, "", 0, -5.0 },
        { "\241a\244view\241w\312\077\300\0\0", 14, 2, UGW_OK, "", 0, 1.5 },
        { "\241a\244view\241w\300", 10, 2, UGW_ERR_TYPE, "payload.w", 9, 0 },
        { "\241a\244view\241w\241" "1", 11, 2, UGW_ERR_TYPE, "payload.w", 9, 0 },
        { "\241a\244view\241n\313\100\131\000\000\000\000\000\001", 18, 2, UGW_ERR_RANGE, "payload.n", 9, 0 },
        { "\241a\244view\241n\300", 10, 2, UGW_OK, "", 0, 0 },
        { "\241a\244view\241t\2642024-13-01T00:00:00Z", 30, 2, UGW_ERR_FORMAT, "payload.t", 10 + 5, 0 },
        { "\241a\244view\241t\313\0\0\0\0\0\0\0\0", 18, 2, UGW_ERR_TYPE, "payload.t", 9, 0 },
        { "\241a\244view\241l\241\0", 11, 2, UGW_ERR_NUL, "payload.l", 10, 0 },
        { "\241a\244view\241l\241\377", 11, 2, UGW_ERR_UTF8, "payload.l", 10, 0 },
    };
    sc_event ev;
    ugw_error err;
    const size_t base = sizeof MP_HEAD - 1 + 1;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ugw_status st = dec_mp(state, cases[i].members, cases[i].len, cases[i].n, &ev, &err);
        if (st != cases[i].code || strcmp(err.path, cases[i].path) != 0
            || (st && err.pos != base + cases[i].pos))
            fail_msg("case %zu: got %s at %s pos %zu, want %s at %s pos %zu", i, ugw_status_name(st), err.path,
                     err.pos, ugw_status_name(cases[i].code), cases[i].path, base + cases[i].pos);
        if (!st && ev.has_w)
            assert_true(ev.w == cases[i].w);
    }
    assert_int_equal(dec_mp(state, "\241a\244view\241n\300", 10, 2, &ev, &err), UGW_OK);
    assert_true(ev.has_n && ev.n_is_null);
}

/* The MessagePack encoder: float 64 always, a fixstr timestamp, nil. */
static void test_msgpack_encoding(void **state)
{
    sc_event ev, back;
    unsigned char out[256];
    size_t n = 0;
    int type;
    ugw_error err;
    static const unsigned char want[] = MP_HEAD "\205\241a\245click\241l\242zz\241n\300\241w\313\077\370\0\0\0\0\0\0"
                                                "\241t\2702024-02-29T12:00:00.123Z";
    memset(&ev, 0, sizeof ev);
    ev.a = 1;
    ev.has_l = true;
    ev.l_other = (ugw_str){ "zz", 2 };
    ev.has_n = ev.n_is_null = true;
    ev.n = NAN; /* ignored: null */
    ev.has_w = true;
    ev.w = 1.5;
    ev.has_t = true;
    ev.t = INT64_C(1709208000123);
    assert_int_equal(ugw_schema_encode(&sc_schema, 1, &ev, UGW_FORMAT_MSGPACK, out, sizeof out, &n, &err), UGW_OK);
    assert_int_equal(n, sizeof want - 1);
    assert_memory_equal(out, want, n);
    assert_int_equal(ugw_schema_decode(&sc_schema, *state, UGW_FORMAT_MSGPACK, out, n, &type, &back, sizeof back,
                                       &err), UGW_OK);
    assert_true(back.l == 0 && back.l_other.len == 2 && back.n_is_null && back.w == 1.5 && back.t == ev.t);
    encode_json(&ev, "\"a\":\"click\",\"l\":\"zz\",\"n\":null,\"w\":1.5,\"t\":\"2024-02-29T12:00:00.123Z\"");
}

/* A caller's struct that breaks a rule is refused before any byte is written. */
static void test_validate(void **state)
{
    static const struct {
        const char *what;
        ugw_status code;
        const char *path;
    } cases[] = {
        { "strict enum 0", UGW_ERR_ARG, "payload.a" },
        { "enum above its constants", UGW_ERR_ARG, "payload.a" },
        { "negative enum", UGW_ERR_ARG, "payload.a" },
        { "lenient unknown without text", UGW_ERR_ARG, "payload.l" },
        { "lenient unknown, bad UTF-8", UGW_ERR_UTF8, "payload.l" },
        { "lenient unknown with NUL", UGW_ERR_NUL, "payload.l" },
        { "NaN", UGW_ERR_RANGE, "payload.n" },
        { "infinity", UGW_ERR_RANGE, "payload.w" },
        { "above the maximum", UGW_ERR_RANGE, "payload.n" },
        { "below the minimum", UGW_ERR_RANGE, "payload.n" },
        { "timestamp before its minimum", UGW_ERR_RANGE, "payload.t" },
        { "timestamp after year 9999", UGW_ERR_RANGE, "payload.t" },
        { "null flag 2", UGW_ERR_ARG, "payload.n" },
    };
    sc_event ev;
    ugw_error err;
    char out[256];
    size_t n;
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        memset(&ev, 0, sizeof ev);
        ev.a = 1;
        switch (i) {
        case 0: ev.a = 0; break;
        case 1: ev.a = 3; break;
        case 2: ev.a = -1; break;
        case 3: ev.has_l = true; break;
        case 4: ev.has_l = true; ev.l_other = (ugw_str){ "\xff", 1 }; break;
        case 5: ev.has_l = true; ev.l_other = (ugw_str){ "a\0", 2 }; break;
        case 6: ev.has_n = true; ev.n = NAN; break;
        case 7: ev.has_w = true; ev.w = -INFINITY; break;
        case 8: ev.has_n = true; ev.n = 100.00000000000001; break;
        case 9: ev.has_n = true; ev.n = -1.5000000000000002; break;
        case 10: ev.has_t = true; ev.t = -1; break;
        case 11: ev.has_t = true; ev.t = UGW_TIMESTAMP_MAX + 1; break;
        default: ev.has_n = true; memset(&ev.n_is_null, 2, 1); break;
        }
        for (int f = 0; f < 2; f++) {
            ugw_status st = ugw_schema_encode(&sc_schema, 1, &ev, f ? UGW_FORMAT_MSGPACK : UGW_FORMAT_JSON, out,
                                              sizeof out, &n, &err);
            if (st != cases[i].code || strcmp(err.path, cases[i].path) != 0)
                fail_msg("%s: got %s at %s", cases[i].what, ugw_status_name(st), err.path);
        }
    }
    /* absent or null fields are not looked at */
    memset(&ev, 0, sizeof ev);
    ev.a = 2;
    ev.n = NAN;
    ev.t = INT64_MIN;
    ev.l = 99;
    assert_int_equal(ugw_schema_validate(&sc_schema, 1, &ev, &err), UGW_OK);
    ev.has_n = ev.n_is_null = true;
    ev.has_t = ev.t_is_null = true;
    assert_int_equal(ugw_schema_validate(&sc_schema, 1, &ev, &err), UGW_OK);
}

/* The new codes have names, and both sit among the input errors. */
static void test_status_names(void **state)
{
    (void)state;
    assert_string_equal(ugw_status_name(UGW_ERR_ENUM), "enum");
    assert_string_equal(ugw_status_name(UGW_ERR_FORMAT), "format");
    assert_int_equal(ugw_status_from_name("enum"), UGW_ERR_ENUM);
    assert_int_equal(ugw_status_from_name("format"), UGW_ERR_FORMAT);
    assert_true(UGW_ERR_ENUM < UGW_ERR_UNKNOWN_KEY && UGW_ERR_FORMAT < UGW_ERR_UNKNOWN_KEY);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_json_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_json_values_round_trip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_msgpack_values_and_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_msgpack_encoding, setup, teardown),
        cmocka_unit_test(test_validate),
        cmocka_unit_test(test_status_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
