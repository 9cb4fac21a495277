/*
 * test_codec_compound.c - objects and arrays (tests/compound/compound.toml,
 * generated with the cpd prefix): round trips at every item count, and every
 * error of a nested value with its code, full path and byte position, in
 * JSON, MessagePack and validation.
 */
#define _GNU_SOURCE /* memmem */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cpd/cpd_events.h>
#include <cpd/cpd_fixtures.h>

/* Decodes a heap copy of exactly `n` bytes (ASan sees any overread). */
ugw_status compound_decode(ugw_format fmt, const void *doc, size_t n, cpd_event *ev, ugw_error *err,
                           const ugw_decode_opts *o);
#define decode compound_decode
ugw_status compound_decode(ugw_format fmt, const void *doc, size_t n, cpd_event *ev, ugw_error *err,
                         const ugw_decode_opts *o)
{
    ugw_decoder *d = ugw_decoder_new(o);
    unsigned char *b = malloc(n ? n : 1);
    ugw_status st;
    assert_non_null(d);
    assert_non_null(b);
    memcpy(b, doc, n);
    st = cpd_decode(d, fmt, b, n, ev, err);
    free(b);
    ugw_decoder_free(d);
    return st;
}

static void round_trip(const cpd_event *ev)
{
    for (int f = 0; f < 2; f++) {
        unsigned char a[8192], b[8192];
        size_t na = 0, nb = 0, need = 0;
        cpd_event back;
        ugw_error err;
        ugw_decoder *d = ugw_decoder_new(NULL);
        assert_int_equal(cpd_encode(ev, (ugw_format)f, NULL, 0, &need, &err), UGW_OK);
        assert_int_equal(cpd_encode(ev, (ugw_format)f, a, sizeof a, &na, &err), UGW_OK);
        assert_int_equal(na, need);
        /* one byte short: refused, nothing written past the end */
        assert_int_equal(cpd_encode(ev, (ugw_format)f, a, need - 1, &nb, &err), UGW_ERR_BUFFER);
        assert_int_equal(cpd_decode(d, (ugw_format)f, a, na, &back, &err), UGW_OK);
        assert_int_equal(cpd_encode(&back, (ugw_format)f, b, sizeof b, &nb, &err), UGW_OK);
        assert_int_equal(na, nb);
        assert_memory_equal(a, b, na);
        ugw_decoder_free(d);
    }
}

static void test_round_trips(void **state)
{
    (void)state;
    for (int t = 1; t <= CPD_EVENT_COUNT; t++)
        round_trip(cpd_fixture((cpd_event_type)t));
    /* every array at its largest, and the optional ones absent */
    {
        cpd_event ev = *cpd_fixture(CPD_EVENT_ORDER_PLACED);
        cpd_order_placed *o = &ev.u.order_placed;
        o->order.lines_count = 5;
        for (int i = 0; i < 5; i++) {
            o->order.lines[i] = o->order.lines[0];
            o->order.lines[i].tags_count = 4;
            for (int k = 0; k < 4; k++)
                o->order.lines[i].tags[k] = UGW_STR("t");
        }
        o->scores_count = 3;
        o->scores[2] = 1000;
        round_trip(&ev);
        o->order.has_shipping = false;
        o->order.lines[1].has_note = false;
        o->order.lines[2].tags_count = 0;
        round_trip(&ev);
    }
    {
        cpd_event ev = cpd_event_init(CPD_EVENT_ORDER_NOTE);
        ev.u.order_note.user_id = UGW_STR("u");
        round_trip(&ev);
    }
}

/* The JSON document of order_placed with `mid` in place of its payload members. */
#define OP "{\"event\":\"order placed\",\"payload\":{\"userId\":\"u1\","
#define ORDER_OK "\"order\":{\"orderId\":7,\"lines\":[{\"sku\":\"A\",\"quantity\":2,\"tags\":[\"x\"]}]}"

typedef struct {
    const char *doc;
    ugw_status code;
    const char *path;
    const char *at; /* the error's position: the first occurrence of this text */
    uint32_t max_depth;
} json_case;

static const json_case json_cases[] = {
    { OP ORDER_OK ",\"scores\":[1,2,3,4]}}", UGW_ERR_TOO_LONG, "payload.scores", "[1,2,3,4]", 0 },
    { OP ORDER_OK ",\"scores\":[1]}}", UGW_ERR_TOO_SHORT, "payload.scores", "[1]", 0 },
    { OP ORDER_OK ",\"scores\":[1,\"2\"]}}", UGW_ERR_TYPE, "payload.scores[1]", "\"2\"", 0 },
    { OP ORDER_OK ",\"scores\":[1,0]}}", UGW_ERR_RANGE, "payload.scores[1]", "0]", 0 },
    { OP ORDER_OK ",\"scores\":{}}}", UGW_ERR_TYPE, "payload.scores", "{}", 0 },
    { OP "\"order\":[],\"scores\":[1,2]}}", UGW_ERR_TYPE, "payload.order", "[]", 0 },
    { OP "\"order\":{\"lines\":[{\"sku\":\"A\",\"quantity\":2,\"tags\":[]}]},\"scores\":[1,2]}}",
      UGW_ERR_MISSING, "payload.order.orderId", "{\"lines", 0 },
    { OP "\"order\":{\"orderId\":7,\"lines\":[]},\"scores\":[1,2]}}", UGW_ERR_TOO_SHORT, "payload.order.lines",
      "[]", 0 },
    { OP "\"order\":{\"orderId\":7,\"orderId\":8,\"lines\":[]},\"scores\":[1,2]}}", UGW_ERR_DUPLICATE_KEY,
      "payload.order.orderId", "\"orderId\":8", 0 },
    { OP "\"order\":{\"orderId\":7,\"lines\":[{\"sku\":\"A\",\"quantity\":2,\"tags\":[]},"
         "{\"sku\":\"\",\"quantity\":2,\"tags\":[]}]},\"scores\":[1,2]}}",
      UGW_ERR_TOO_SHORT, "payload.order.lines[1].sku", "\"\"", 0 },
    { OP "\"order\":{\"orderId\":7,\"lines\":[{\"sku\":\"A\",\"quantity\":2,\"tags\":[\"a\",\"b\",5]}]},"
         "\"scores\":[1,2]}}",
      UGW_ERR_TYPE, "payload.order.lines[0].tags[2]", "5]", 0 },
    { OP "\"order\":{\"orderId\":7,\"lines\":[{\"sku\":\"A\",\"quantity\":2,\"tags\":[\"a\",\"b\",\"c\",\"d\",\"e\"]}]},"
         "\"scores\":[1,2]}}",
      UGW_ERR_TOO_LONG, "payload.order.lines[0].tags", "[\"a\"", 0 },
    { OP "\"order\":{\"orderId\":7,\"lines\":[{\"sku\":\"A\",\"quantity\":2}]},\"scores\":[1,2]}}",
      UGW_ERR_MISSING, "payload.order.lines[0].tags", "{\"sku", 0 },
    { OP "\"order\":{\"orderId\":7,\"lines\":[\"x\"]},\"scores\":[1,2]}}", UGW_ERR_TYPE, "payload.order.lines[0]",
      "\"x\"]", 0 },
    { OP "\"order\":{\"orderId\":7,\"lines\":[{\"sku\":\"A\",\"quantity\":2,\"tags\":[]}],"
         "\"shipping\":{\"city\":\"c\",\"isHome\":1}},\"scores\":[1,2]}}",
      UGW_ERR_TYPE, "payload.order.shipping.isHome", "1}", 0 },
    { OP "\"order\":{\"orderId\":7,\"x\":[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]],\"lines\":[]},\"scores\":[1,2]}}",
      UGW_ERR_DEPTH, "payload.order.x", "[[[[[[[]", 0 }, /* the 14th: depth 17 */
    /* max_depth 5: the tags array (depth 6) is too deep; 4: the line object (depth 5) */
    { OP ORDER_OK ",\"scores\":[1,2]}}", UGW_ERR_DEPTH, "payload.order.lines[0].tags", "[\"x\"]", 5 },
    { OP ORDER_OK ",\"scores\":[1,2]}}", UGW_ERR_DEPTH, "payload.order.lines", "{\"sku", 4 },
};

static void test_json_errors(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof json_cases / sizeof json_cases[0]; i++) {
        const json_case *c = &json_cases[i];
        ugw_decode_opts o = { 0 };
        cpd_event ev;
        ugw_error err;
        const char *at = strstr(c->doc, c->at);
        ugw_status st;
        o.max_depth = c->max_depth;
        st = decode(UGW_FORMAT_JSON, c->doc, strlen(c->doc), &ev, &err, &o);
        assert_non_null(at);
        if (st != c->code || strcmp(err.path, c->path) != 0 || err.pos != (size_t)(at - c->doc))
            fail_msg("case %zu: want %s at %s pos %zu, got %s (%s) at %s pos %zu", i, ugw_status_name(c->code),
                     c->path, (size_t)(at - c->doc), ugw_status_name(st), err.message, err.path, err.pos);
        assert_int_equal(ev.type, CPD_EVENT_NONE);
    }
}

static void test_strict_nested_unknown_key(void **state)
{
    static const char doc[] = OP "\"order\":{\"orderId\":7,\"lines\":[{\"sku\":\"A\",\"quantity\":2,\"tags\":[],"
                                 "\"extra\":1}]},\"scores\":[1,2]}}";
    ugw_decode_opts o = { 0 };
    cpd_event ev;
    ugw_error err;
    (void)state;
    assert_int_equal(decode(UGW_FORMAT_JSON, doc, sizeof doc - 1, &ev, &err, NULL), UGW_OK);
    o.strict = true;
    assert_int_equal(decode(UGW_FORMAT_JSON, doc, sizeof doc - 1, &ev, &err, &o), UGW_ERR_UNKNOWN_KEY);
    assert_string_equal(err.path, "payload.order.lines[0].extra");
    assert_int_equal(err.pos, (size_t)(strstr(doc, "\"extra\"") - doc));
}

/* In test_codec_compound_msgpack.c. */
void test_msgpack_errors(void **state);

static void test_validate_errors(void **state)
{
    ugw_error err;
    (void)state;
    {
        cpd_event ev = *cpd_fixture(CPD_EVENT_ORDER_PLACED);
        ev.u.order_placed.scores_count = 4;
        assert_int_equal(cpd_event_validate(&ev, &err), UGW_ERR_TOO_LONG);
        assert_string_equal(err.path, "payload.scores");
        ev.u.order_placed.scores_count = 1;
        assert_int_equal(cpd_event_validate(&ev, &err), UGW_ERR_TOO_SHORT);
        assert_string_equal(err.path, "payload.scores");
        /* a count far out of range is refused before any item is read */
        ev.u.order_placed.scores_count = UINT32_MAX;
        assert_int_equal(cpd_event_validate(&ev, &err), UGW_ERR_TOO_LONG);
    }
    {
        cpd_event ev = *cpd_fixture(CPD_EVENT_ORDER_PLACED);
        ev.u.order_placed.scores_count = 3;
        ev.u.order_placed.scores[2] = 1001;
        assert_int_equal(cpd_event_validate(&ev, &err), UGW_ERR_RANGE);
        assert_string_equal(err.path, "payload.scores[2]");
    }
    {
        cpd_event ev = *cpd_fixture(CPD_EVENT_ORDER_PLACED);
        ev.u.order_placed.order.lines[0].tags[0] = (ugw_str){ NULL, 0 };
        assert_int_equal(cpd_event_validate(&ev, &err), UGW_ERR_MISSING);
        assert_string_equal(err.path, "payload.order.lines[0].tags[0]");
        ev.u.order_placed.order.lines[0].tags[0] = UGW_STR("\xff");
        assert_int_equal(cpd_event_validate(&ev, &err), UGW_ERR_UTF8);
        assert_string_equal(err.path, "payload.order.lines[0].tags[0]");
    }
    {
        cpd_event ev = *cpd_fixture(CPD_EVENT_ORDER_PLACED);
        size_t n = 0;
        char out[64];
        ev.u.order_placed.order.has_shipping = true;
        ev.u.order_placed.order.shipping.city = UGW_STR("a\0b");
        assert_int_equal(cpd_encode_json(&ev, out, sizeof out, &n, &err), UGW_ERR_NUL);
        assert_string_equal(err.path, "payload.order.shipping.city");
        assert_int_equal(n, 0);
    }
    {
        /* the optional array's count is not looked at while it is absent */
        cpd_event ev = cpd_event_init(CPD_EVENT_ORDER_NOTE);
        ev.u.order_note.user_id = UGW_STR("u");
        ev.u.order_note.tags_count = 99;
        assert_int_equal(cpd_event_validate(&ev, &err), UGW_OK);
        ev.u.order_note.has_tags = true;
        assert_int_equal(cpd_event_validate(&ev, &err), UGW_ERR_TOO_LONG);
        assert_string_equal(err.path, "payload.tags");
    }
}

/* Paths longer than UGW_PATH_MAX - 1 are cut and end in "...". */
static void test_long_path_is_cut(void **state)
{
    char doc[512];
    cpd_event ev;
    ugw_error err;
    ugw_decode_opts o = { 0 };
    int n;
    (void)state;
    o.strict = true;
    n = snprintf(doc, sizeof doc, OP "\"order\":{\"orderId\":7,\"lines\":[{\"sku\":\"A\",\"quantity\":2,\"tags\":[],"
                                     "\"%s\":1}]},\"scores\":[1,2]}}",
                 "aVeryLongUnknownKeyNameThatDoesNotFitIntoTheErrorPathOfNinetySixBytesAtAllReally");
    assert_int_equal(decode(UGW_FORMAT_JSON, doc, (size_t)n, &ev, &err, &o), UGW_ERR_UNKNOWN_KEY);
    assert_int_equal(strlen(err.path), UGW_PATH_MAX - 1);
    assert_memory_equal(err.path, "payload.order.lines[0].aVeryLong", 32);
    assert_string_equal(err.path + UGW_PATH_MAX - 4, "...");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trips),
        cmocka_unit_test(test_json_errors),
        cmocka_unit_test(test_strict_nested_unknown_key),
        cmocka_unit_test(test_msgpack_errors),
        cmocka_unit_test(test_validate_errors),
        cmocka_unit_test(test_long_path_is_cut),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
