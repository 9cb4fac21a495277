/*
 * test_codec_json_walk.c - the JSON decoder's walk over jsmn's tokens: keys
 * matched as written or by the slow lane (escaped, out of order, duplicate),
 * separators in every place, strings through the one-pass scanner (escapes,
 * raw UTF-8, control bytes, surrogates, NUL) and integers in one pass, each
 * with the code, byte position and field path that the exact checks give.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ugw/ugw_events.h>
#include "codec_support.h"

/* A guide start up to guideId. */
#define GSR(rest) GS "\"userId\":\"u\",\"pageUrl\":\"https://a.b/\"," rest "}}"


/* A resource center external URL click with `key` where its
 * resourceCenterName goes. */
#define RCX(key) "{\"event\":\"resource center external URL clicked (userguiding)\",\"payload\":{" \
    "\"userId\":\"u\",\"pageUrl\":\"https://a.b/\",\"resourceCenterId\":3," key ":\"h\"," \
    "\"externalUrl\":\"https://d.e/\"}}"

static void test_walk_cases(void **state)
{
    static const jcase cases[] = {
        /* pretty-printed: white space around every separator */
        { "{ \"event\" : \"guide started (userguiding)\" ,\n \"payload\" : {\n  \"userId\" : \"u\",\n  \"pageUrl\": \"https://a.b/\", \"guideId\" :1 , \"guideName\":\"g\" } }", UGW_OK, 0, "" },
        /* keys in reverse order */
        { GS "\"guideName\":\"g\",\"guideId\":1,\"pageUrl\":\"https://a.b/\",\"userId\":\"u\"}}", UGW_OK, 0, "" },
        /* a key written with an escape is the field */
        { GS "\"user\\u0049d\":\"u\",\"pageUrl\":\"https://a.b/\",\"guideId\":1,\"guideName\":\"g\"}}", UGW_OK, 0, "" },
        /* ... and a duplicate of it */
        { GS GS_OK ",\"user\\u0049d\":\"v\"}}", UGW_ERR_DUPLICATE_KEY, 116, "payload.userId" },
        /* '::' */
        { GS "\"userId\"::\"u\",\"pageUrl\":\"https://a.b/\",\"guideId\":1,\"guideName\":\"g\"}}", UGW_ERR_SYNTAX, 59, "" },
        /* no ',' between members */
        { GS "\"userId\":\"u\" \"pageUrl\":\"https://a.b/\",\"guideId\":1,\"guideName\":\"g\"}}", UGW_ERR_SYNTAX, 63, "" },
        /* ',' where the ':' goes */
        { GS "\"userId\",:\"u\",\"pageUrl\":\"https://a.b/\",\"guideId\":1,\"guideName\":\"g\"}}", UGW_ERR_SYNTAX, 58, "" },
        /* ',' before the first member */
        { GS ",\"userId\":\"u\",\"pageUrl\":\"https://a.b/\",\"guideId\":1,\"guideName\":\"g\"}}", UGW_ERR_SYNTAX, 50, "" },
        /* ',' after the last member */
        { GS GS_OK ",}}", UGW_ERR_SYNTAX, 115, "" },
        /* white space after a matched key's ':' */
        { GS "\"userId\": \"u\",\"pageUrl\":\"https://a.b/\",\"guideId\":1,\"guideName\":\"g\"}}", UGW_OK, 0, "" },
        /* escapes and raw UTF-8 in one string */
        { GSR("\"guideId\":1,\"guideName\":\"caf\\u00e9 \\u2014 \\ud83d\\ude00 \xc3\xa9\"" ), UGW_OK, 0, "" },
        /* a control byte after an escape */
        { GSR("\"guideId\":1,\"guideName\":\"a\\n\x01\"" ), UGW_ERR_SYNTAX, 116, "" },
        /* invalid UTF-8 after an escape: at the string */
        { GSR("\"guideId\":1,\"guideName\":\"a\\n\xff\"" ), UGW_ERR_UTF8, 112, "payload.guideName" },
        /* invalid UTF-8 before an escape: at the string */
        { GSR("\"guideId\":1,\"guideName\":\"\xff\\n\"" ), UGW_ERR_UTF8, 112, "payload.guideName" },
        /* lone low surrogate: at its backslash */
        { GSR("\"guideId\":1,\"guideName\":\"a\\udc00\"" ), UGW_ERR_UTF8, 114, "payload.guideName" },
        /* high surrogate without its low one */
        { GSR("\"guideId\":1,\"guideName\":\"a\\ud800\\u0041\"" ), UGW_ERR_UTF8, 114, "payload.guideName" },
        /* raw UTF-8 alone */
        { GS "\"userId\":\"\xc3\xa9\",\"pageUrl\":\"https://a.b/\",\"guideId\":1,\"guideName\":\"g\"}}", UGW_OK, 0, "" },
        /* leading zeros */
        { GSR("\"guideId\":007,\"guideName\":\"g\""), UGW_ERR_SYNTAX, 98, "" },
        /* -0 */
        { GSR("\"guideId\":-0,\"guideName\":\"g\""), UGW_OK, 0, "" },
        /* 0 */
        { GSR("\"guideId\":0,\"guideName\":\"g\""), UGW_OK, 0, "" },
        /* 2^53 - 1 */
        { GSR("\"guideId\":9007199254740991,\"guideName\":\"g\""), UGW_OK, 0, "" },
        /* 2^53 */
        { GSR("\"guideId\":9007199254740992,\"guideName\":\"g\""), UGW_ERR_RANGE, 98, "payload.guideId" },
        /* 19 digits */
        { GSR("\"guideId\":1234567890123456789,\"guideName\":\"g\""), UGW_ERR_RANGE, 98, "payload.guideId" },
        /* 20 digits */
        { GSR("\"guideId\":12345678901234567890,\"guideName\":\"g\""), UGW_ERR_RANGE, 98, "payload.guideId" },
        /* 1.0 is no integer */
        { GSR("\"guideId\":1.0,\"guideName\":\"g\""), UGW_ERR_TYPE, 98, "payload.guideId" },
        /* true is no integer */
        { GSR("\"guideId\":true,\"guideName\":\"g\""), UGW_ERR_TYPE, 98, "payload.guideId" },
        /* null in a field that is not nullable */
        { GSR("\"guideId\":null,\"guideName\":\"g\""), UGW_ERR_TYPE, 98, "payload.guideId" },
        /* an id as a string */
        { GSR("\"guideId\":\"12\",\"guideName\":\"g\""), UGW_OK, 0, "" },
        /* an id as a string of escapes */
        { GSR("\"guideId\":\"\\u0031\\u0032\",\"guideName\":\"g\""), UGW_OK, 0, "" },
        /* a space in a URL */
        { GS "\"userId\":\"u\",\"pageUrl\":\"https://a.b/ x\",\"guideId\":1,\"guideName\":\"g\"}}", UGW_ERR_URL, 73, "payload.pageUrl" },
        /* escaped '/' in a URL */
        { GS "\"userId\":\"u\",\"pageUrl\":\"https:\\/\\/a.b\\/\",\"guideId\":1,\"guideName\":\"g\"}}", UGW_OK, 0, "" },
        /* an escaped NUL */
        { GS "\"userId\":\"u\",\"pageUrl\":\"https://a.b/\\u0000\",\"guideId\":1,\"guideName\":\"g\"}}", UGW_ERR_NUL, 73, "payload.pageUrl" },
        /* an escaped tab in a URL */
        { GS "\"userId\":\"u\",\"pageUrl\":\"https://a.b/\\t\",\"guideId\":1,\"guideName\":\"g\"}}", UGW_ERR_URL, 73, "payload.pageUrl" },
        /* an unknown key between fields in order */
        { GS "\"userId\":\"u\",\"zz\":1,\"pageUrl\":\"https://a.b/\",\"guideId\":1,\"guideName\":\"g\"}}", UGW_OK, 0, "" },
        /* a duplicate after an out-of-order key */
        { GS "\"userId\":\"u\",\"guideId\":1,\"guideId\":2,\"pageUrl\":\"https://a.b/\",\"guideName\":\"g\"}}", UGW_ERR_DUPLICATE_KEY, 75, "payload.guideId" },
        /* white space after the document */
        { GS "\"userId\":\"u\",\"pageUrl\":\"https://a.b/\",\"guideId\":1,\"guideName\":\"g\"}} ", UGW_OK, 0, "" },
        /* white space before a key's ':' */
        { GS "\"userId\" :\"u\",\"pageUrl\":\"https://a.b/\",\"guideId\":1,\"guideName\":\"g\"}}", UGW_OK, 0, "" },
        /* white space before ',' and '}' */
        { GS "\"userId\":\"u\",\"pageUrl\":\"https://a.b/\",\"guideId\":1 ,\"guideName\":\"g\" }}", UGW_OK, 0, "" },
        /* a duplicate at the end */
        { GS "\"userId\":\"u\",\"pageUrl\":\"https://a.b/\",\"guideId\":1,\"guideName\":\"g\",\"userId\":\"w\"}}", UGW_ERR_DUPLICATE_KEY, 116, "payload.userId" },
        /* an array for an integer */
        { GS "\"userId\":\"u\",\"pageUrl\":\"https://a.b/\",\"guideId\":[1],\"guideName\":\"g\"}}", UGW_ERR_TYPE, 98, "payload.guideId" },
        /* an object for an integer */
        { GS "\"userId\":\"u\",\"pageUrl\":\"https://a.b/\",\"guideId\":{},\"guideName\":\"g\"}}", UGW_ERR_TYPE, 98, "payload.guideId" },
        /* invalid UTF-8 after an escape in an unknown value */
        { GS "\"userId\":\"u\",\"pageUrl\":\"https://a.b/\",\"guideId\":1,\"guideName\":\"g\",\"x\":\"a\\n\xff\"}}", UGW_ERR_UTF8, 121, "payload.x" },
        /* invalid UTF-8 after an escape in an unknown key */
        { GS "\"userId\":\"u\",\"pageUrl\":\"https://a.b/\",\"guideId\":1,\"guideName\":\"g\",\"x\\n\xff\":1}}", UGW_ERR_UTF8, 117, "" },
        /* a key shorter than the field's, the document ending before the
         * field's key would */
        { GS "\"u\":1}}", UGW_ERR_MISSING, 49, "payload.userId" },
        /* keys one byte off the field expected next: in the middle, longer */
        { GSR("\"guideId\":1,\"guideNbme\":\"g\""), UGW_ERR_MISSING, 49, "payload.guideName" },
        { GSR("\"guideId\":1,\"guideNamee\":\"g\""), UGW_ERR_MISSING, 49, "payload.guideName" },
        /* a key of 21 bytes with its quotes and ':', off in its last and its
         * middle word */
        { RCX("\"resourceCenterNamf\""), UGW_ERR_MISSING, 72, "payload.resourceCenterName" },
        { RCX("\"resourcfCenterName\""), UGW_ERR_MISSING, 72, "payload.resourceCenterName" },
        { RCX("\"resourceCenterName\""), UGW_OK, 0, "" },
        /* escapes in an unknown value */
        { GS "\"userId\":\"u\",\"pageUrl\":\"https://a.b/\",\"guideId\":1,\"guideName\":\"g\",\"x\":\"\\u00e9\\ud83d\\ude00\"}}", UGW_OK, 0, "" },
    };
    assert_int_equal(json_case_failures(DEC(state), cases, sizeof cases / sizeof cases[0]), 0);
}

/* Documents written other ways decode to the same event as the compact one. */
static void test_walk_same_event(void **state)
{
    static const char *const docs[] = {
        GS GS_OK "}}",
        "{ \"event\" : \"guide started (userguiding)\" ,\n \"payload\" : {\n  \"userId\" : \"u\",\n"
        "  \"pageUrl\": \"https://a.b/\", \"guideId\" :1 , \"guideName\":\"g\" } }",
        GS "\"guideName\":\"g\",\"guideId\":1,\"pageUrl\":\"https://a.b/\",\"userId\":\"u\"}}",
        GS "\"\\u0075serId\":\"\\u0075\",\"pageUrl\":\"https:\\/\\/a.b\\/\",\"guideId\":1,\"guideName\":\"g\"}}",
        "{\"payload\":{" GS_OK ",\"zz\":[1,{\"a\":\"\\u00e9\"}]},\"event\":\"guide started (userguiding)\"}",
    };
    ugw_event first, ev;
    ugw_error err;
    assert_int_equal(decode_copy(DEC(state), UGW_FORMAT_JSON, docs[0], strlen(docs[0]), &first, &err), UGW_OK);
    for (size_t i = 1; i < sizeof docs / sizeof docs[0]; i++) {
        /* `first` keeps views into its document, which decode_copy() frees:
         * compare what it was decoded from, field by field, again each time,
         * with `ev` decoded from a copy that outlives the comparisons (its
         * views point into it) */
        unsigned char *copy = dup_exact(docs[i], strlen(docs[i]));
        assert_int_equal(ugw_decode_json(DEC(state), copy, strlen(docs[i]), &ev, &err), UGW_OK);
        assert_int_equal(ev.type, UGW_EVENT_GUIDE_PREVIEW_START);
        assert_int_equal(ev.u.guide_preview_start.user_id.len, 1);
        assert_memory_equal(ev.u.guide_preview_start.user_id.ptr, "u", 1);
        assert_int_equal(ev.u.guide_preview_start.page_url.len, 12);
        assert_memory_equal(ev.u.guide_preview_start.page_url.ptr, "https://a.b/", 12);
        assert_true(ev.u.guide_preview_start.guide_id == 1);
        assert_int_equal(ev.u.guide_preview_start.guide_name.len, 1);
        assert_memory_equal(ev.u.guide_preview_start.guide_name.ptr, "g", 1);
        free(copy);
    }
}

/* Escapes and raw UTF-8 in one string decode to the bytes they stand for. */
static void test_walk_string_bytes(void **state)
{
    static const char doc[] = GSR("\"guideId\":1,\"guideName\":\"caf\\u00e9 \\\"\\u2014\\\" \\ud83d\\ude00 \xc3\xa9\\n\\t\\\\/\\/\"");
    static const char want[] = "caf\xc3\xa9 \"\xe2\x80\x94\" \xf0\x9f\x98\x80 \xc3\xa9\n\t\\//";
    ugw_event ev;
    ugw_error err;
    unsigned char *copy = dup_exact(doc, sizeof doc - 1);
    assert_int_equal(ugw_decode_json(DEC(state), copy, sizeof doc - 1, &ev, &err), UGW_OK);
    assert_int_equal(ev.u.guide_preview_start.guide_name.len, sizeof want - 1);
    assert_memory_equal(ev.u.guide_preview_start.guide_name.ptr, want, sizeof want - 1);
    free(copy);
}

/* A NUL byte: where jsmn stops after a whole document, or inside one. */
static void test_walk_nul(void **state)
{
    static const char after[] = GS GS_OK "}}\0";
    static const char inside[] = GS "\"userId\":\"u\0\",\"pageUrl\":\"https://a.b/\",\"guideId\":1,\"guideName\":\"g\"}}";
    static const char twice[] = GS GS_OK "}} \0 \0";
    ugw_event ev;
    ugw_error err;
    assert_int_equal(decode_copy(DEC(state), UGW_FORMAT_JSON, after, sizeof after - 1, &ev, &err), UGW_ERR_SYNTAX);
    assert_int_equal(err.pos, sizeof after - 2);
    assert_int_equal(decode_copy(DEC(state), UGW_FORMAT_JSON, inside, sizeof inside - 1, &ev, &err), UGW_ERR_SYNTAX);
    assert_int_equal(err.pos, strlen(GS) + 11);
    assert_int_equal(decode_copy(DEC(state), UGW_FORMAT_JSON, twice, sizeof twice - 1, &ev, &err), UGW_ERR_SYNTAX);
    assert_int_equal(err.pos, sizeof twice - 4); /* the first one */
}

/* Strict mode: an unknown key between fields matched as written. */
static void test_walk_strict_unknown(void **state)
{
    ugw_error err;
    assert_int_equal(decode_json_text(STRICT(state), GS "\"userId\":\"u\",\"zz\":1,\"pageUrl\":\"https://a.b/\",\"guideId\":1,\"guideName\":\"g\"}}", &err),
                     UGW_ERR_UNKNOWN_KEY);
    assert_int_equal(err.pos, strlen(GS) + 13);
    assert_string_equal(err.path, "payload.zz");
}

/*
 * The envelope: the common form (one event's head, the payload closing the
 * document) is taken in one step; every near miss of it goes the member by
 * member way and keeps its code, position and path.
 */
static void test_walk_envelope(void **state)
{
#define GSD GS GS_OK "}"
    static const jcase cases[] = {
        /* the common form, and with white space after it */
        { GSD "}", UGW_OK, 0, "" },
        { GSD "}\n", UGW_OK, 0, "" },
        /* bytes after it, or a second document */
        { GSD "} x", UGW_ERR_TRAILING, 118, "" },
        { GSD "}{}", UGW_ERR_TRAILING, 117, "" },
        { GSD "} {\"a\":1}", UGW_ERR_TRAILING, 118, "" },
        /* a third member after the payload: unknown (default), duplicate */
        { GSD ",\"x\":1}", UGW_OK, 0, "" },
        { GSD ",\"payload\":{}}", UGW_ERR_DUPLICATE_KEY, 117, "payload" },
        { GSD ",\"event\":\"x\"}", UGW_ERR_DUPLICATE_KEY, 117, "event" },
        /* the event string escaped, or another name of the same length */
        { "{\"event\":\"guide started \\u0028userguiding)\",\"payload\":{" GS_OK "}}", UGW_OK, 0, "" },
        { "{\"event\":\"guide started (userguidinx)\",\"payload\":{" GS_OK "}}", UGW_ERR_UNKNOWN_EVENT, 9, "event" },
        { "{\"event\":\"guide started (userguiding) \",\"payload\":{" GS_OK "}}", UGW_ERR_UNKNOWN_EVENT, 9, "event" },
        /* white space in the head or before the last '}' */
        { " " GSD "}", UGW_OK, 0, "" },
        { "{\"event\":\"guide started (userguiding)\",\"payload\" :{" GS_OK "}}", UGW_OK, 0, "" },
        { GSD " }", UGW_OK, 0, "" },
        /* the head, then no object as the payload or an empty one */
        { "{\"event\":\"guide started (userguiding)\",\"payload\":[]}", UGW_ERR_TYPE, 49, "payload" },
        { "{\"event\":\"guide started (userguiding)\",\"payload\":{}}", UGW_ERR_MISSING, 49, "payload.userId" },
        /* the head, then an error in the payload */
        { GS GS_OK ",\"guideId\":2}}", UGW_ERR_DUPLICATE_KEY, 116, "payload.guideId" },
        /* the head, then a wrong close */
        { GSD "]", UGW_ERR_SYNTAX, 116, "" },
        { GSD "}}", UGW_ERR_TRAILING, 117, "" },
        /* the members the other way round */
        { "{\"payload\":{" GS_OK "},\"event\":\"guide started (userguiding)\"}", UGW_OK, 0, "" },
    };
#undef GSD
    assert_int_equal(json_case_failures(DEC(state), cases, sizeof cases / sizeof cases[0]), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_walk_cases),
        cmocka_unit_test(test_walk_same_event),
        cmocka_unit_test(test_walk_string_bytes),
        cmocka_unit_test(test_walk_nul),
        cmocka_unit_test(test_walk_strict_unknown),
        cmocka_unit_test(test_walk_envelope),
    };
    return cmocka_run_group_tests_name("test_codec_json_walk", tests, setup, teardown);
}
