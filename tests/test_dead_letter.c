/*
 * test_dead_letter.c - cmocka tests of the dead-letter reader
 * (ugw_client.h): records as the client writes them and as a hand may;
 * every error with its code, line, byte position and key; a torn last line;
 * a line over the limit; hostile input (NUL bytes, deep nesting, random
 * mutations of a record). The line reader under it: test_line_reader.c.
 *
 * Files are written into a fresh temporary folder per test and removed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ugw/ugw_client.h>

#include "support/test_files.h"

/* ------------------------------------------------------------------ */
/* Records                                                              */
/* ------------------------------------------------------------------ */

static void test_records(void **state)
{
    (void)state;
    unsigned char all[256];
    char b64[400], text[2048];
    ugw_dead_letter rec;
    ugw_dead_letter_reader *r;
    size_t at = 0;
    for (size_t i = 0; i < 256; i++)
        all[i] = (unsigned char)i;
    assert_int_equal(ugw_base64_encode(all, 256, b64, sizeof b64, NULL), UGW_OK);
    /* 1: as the client writes it (JSON body with escapes, a surrogate pair, a NUL) */
    at += (size_t)snprintf(text + at, sizeof text - at,
        "{\"id\":\"msg_2mJ0c\",\"event\":\"guide started (userguiding)\",\"format\":\"json\","
        "\"body\":\"{\\\"a\\\":\\\"\\u00e9\\\\\\ud83d\\ude00\\u0000\\n\\\"}\",\"last_status\":503,"
        "\"attempts\":8,\"result\":\"attempts\",\"error\":\"Couldn't connect\",\"time\":\"2026-11-27T04:20:00Z\"}\n");
    /* 2: MessagePack, every byte value, with keys we do not know (nested) first */
    at += (size_t)snprintf(text + at, sizeof text - at,
        "  {\"later\":{\"x\":[1,2.5e-3,-0,true,false,null,{\"y\":[]}],\"z\":{}},\"id\":\"id_no_spaces/and.dots:~!\","
        "\"event\":\"\",\"format\":\"msgpack\",\"body_base64\":\"%s\",\"result\":\"closed\"}  \r\n", b64);
    /* 3 and 4: blank lines, skipped; 5: escapes in keys and "\/" in base64; CRLF */
    at += (size_t)snprintf(text + at, sizeof text - at,
        "\n \t\r\n{\"\\u0069d\":\"msg\\/x\",\"event\":\"e\",\"form\\u0061t\":\"msgpack\",\"body_base64\":\"QU\\/D\"}\r\n");
    /* 6: an empty body, the last line without its line end (whole: read) */
    at += (size_t)snprintf(text + at, sizeof text - at,
        "{\"id\":\"msg_empty\",\"event\":\"e\",\"format\":\"msgpack\",\"body_base64\":\"\",\"attempts\":0}");
    r = dl_open(file_of(text, at), 0);

    next_is(r, "msg_2mJ0c", 1, &rec);
    assert_int_equal(rec.offset, 0);
    assert_string_equal(rec.event, "guide started (userguiding)");
    assert_int_equal(rec.format, UGW_FORMAT_JSON);
    assert_int_equal(rec.body_len, 17);
    assert_memory_equal(rec.body, "{\"a\":\"\xc3\xa9\\\xf0\x9f\x98\x80\0\n\"}", 17);
    assert_int_equal(rec.last_status, 503);
    assert_int_equal(rec.attempts, 8);
    assert_string_equal(rec.result, "attempts");
    assert_string_equal(rec.error, "Couldn't connect");
    assert_string_equal(rec.time, "2026-11-27T04:20:00Z");

    next_is(r, "id_no_spaces/and.dots:~!", 2, &rec);
    assert_int_equal(rec.offset, strchr(text, '\n') + 1 - text);
    assert_string_equal(rec.event, "");
    assert_int_equal(rec.format, UGW_FORMAT_MSGPACK);
    assert_int_equal(rec.body_len, 256);
    assert_memory_equal(rec.body, all, 256);
    assert_int_equal(rec.last_status, -1);
    assert_int_equal(rec.attempts, -1);
    assert_string_equal(rec.result, "closed");
    assert_string_equal(rec.error, "");
    assert_string_equal(rec.time, "");

    next_is(r, "msg/x", 5, &rec);
    assert_int_equal(rec.format, UGW_FORMAT_MSGPACK);
    assert_int_equal(rec.body_len, 3);
    assert_memory_equal(rec.body, "\x41\x4f\xc3", 3); /* "QU/D" */

    next_is(r, "msg_empty", 6, &rec);
    assert_int_equal(rec.body_len, 0);
    assert_non_null(rec.body);
    assert_int_equal(rec.attempts, 0);
    next_ends(r);
    ugw_dead_letter_close(r);
}

/* One malformed line between two good ones. */
typedef struct bad_case {
    const char *line;
    ugw_status code;
    const char *msg;   /* a part of the message */
    const char *key;   /* err.error.path */
    const char *mark;  /* the problem is at the first occurrence of this (NULL: the line's end) */
    size_t delta;      /* ... plus this */
} bad_case;

/* An id one byte longer than any valid webhook-id. */
#define X16 "xxxxxxxxxxxxxxxx"
#define X257 X16 X16 X16 X16 X16 X16 X16 X16 X16 X16 X16 X16 X16 X16 X16 X16 "x"

static const bad_case bad_cases[] = {
    { "not json at all", UGW_ERR_SYNTAX, "not valid JSON", "", "not", 0 },
    { "[\"an\", \"array\"]", UGW_ERR_TYPE, "not a JSON object", "", "[", 0 },
    { "\"a string\" x", UGW_ERR_SYNTAX, "not valid JSON", "", "x", 0 },
    { "{}", UGW_ERR_MISSING, "no \"id\"", "", "{", 0 },
    { "{\"event\": \"e\", \"format\": \"json\", \"body\": \"\"}", UGW_ERR_MISSING, "no \"id\"", "", "{", 0 },
    { "{\"id\": \"x\", \"format\": \"json\", \"body\": \"\"}", UGW_ERR_MISSING, "no \"event\"", "", "{", 0 },
    { " {\"id\": \"x\", \"event\": \"e\", \"body\": \"\"}", UGW_ERR_MISSING, "no \"format\"", "", "{", 0 },
    { "{\"id\": \"x\", \"event\": \"e\", \"format\": \"json\"}", UGW_ERR_MISSING,
      "neither \"body\" nor \"body_base64\"", "", "{", 0 },
    { "{\"id\": \"x\", \"event\": \"e\", \"format\": \"json\", \"body\": \"\", \"body_base64\": \"\"}",
      UGW_ERR_DUPLICATE_KEY, "both \"body\" and \"body_base64\"", "", "{", 0 },
    { "{\"id\": \"x\", \"event\": \"e\", \"format\": \"xml\", \"body\": \"\"}", UGW_ERR_RANGE,
      "\"format\" must be \"json\" or \"msgpack\"", "format", "xml", 0 },
    { "{\"id\": \"x\", \"event\": \"e\", \"format\": \"json\\u0000\", \"body\": \"\"}", UGW_ERR_RANGE,
      "\"format\" must be", "format", "json\\u", 0 },
    { "{\"id\": \"x\", \"event\": \"e\", \"format\": \"msgpack\", \"body_base64\": \"@@@@\"}", UGW_ERR_SYNTAX,
      "invalid base64 character", "body_base64", "@@@@", 0 },
    { "{\"id\": \"x\", \"event\": \"e\", \"format\": \"msgpack\", \"body_base64\": \"QUJD=\"}", UGW_ERR_SYNTAX,
      "base64 length is not a multiple of 4", "body_base64", "QUJD=", 5 },
    { "{\"id\": \"x\", \"event\": \"e\", \"format\": \"msgpack\", \"body_base64\": \"QU=D\"}", UGW_ERR_SYNTAX,
      "padding", "body_base64", "QU=D", 2 },
    { "{\"id\": \"x\", \"event\": \"e\", \"format\": \"msgpack\", \"body_base64\": \"QU JD\"}", UGW_ERR_SYNTAX,
      "invalid base64 character", "body_base64", "QU JD", 2 },
    { "{\"id\": \"x\", \"event\": \"e\", \"format\": \"msgpack\", \"body_base64\": 12}", UGW_ERR_TYPE,
      "\"body_base64\" is not a string", "body_base64", "12", 0 },
    { "{\"id\": \"\", \"event\": \"e\", \"format\": \"json\", \"body\": \"\"}", UGW_ERR_TOO_SHORT,
      "\"id\" must be 1 to 256 bytes", "id", "\"\"", 1 },
    { "{\"id\": \"" X257 "\", \"event\": \"e\", \"format\": \"json\", \"body\": \"\"}",
      UGW_ERR_TOO_LONG, "\"id\" must be 1 to 256 bytes", "id", "xxx", 0 },
    { "{\"id\": \"a b\", \"event\": \"e\", \"format\": \"json\", \"body\": \"\"}", UGW_ERR_RANGE,
      "\"id\" has a byte that is not printable ASCII", "id", "a b", 0 },
    { "{\"id\": \"caf\u00e9\", \"event\": \"e\", \"format\": \"json\", \"body\": \"\"}", UGW_ERR_RANGE,
      "not printable ASCII", "id", "caf", 0 },
    { "{\"id\": \"a\\nb\", \"event\": \"e\", \"format\": \"json\", \"body\": \"\"}", UGW_ERR_RANGE,
      "\"id\" has a byte that is not printable ASCII", "id", "a\\n", 0 },
    { "{\"id\": \"a\\rb\", \"event\": \"e\", \"format\": \"json\", \"body\": \"\"}", UGW_ERR_RANGE,
      "not printable ASCII", "id", "a\\r", 0 },
    { "{\"id\": \"a\\u0000b\", \"event\": \"e\", \"format\": \"json\", \"body\": \"\"}", UGW_ERR_RANGE,
      "not printable ASCII", "id", "a\\u", 0 },
    { "{\"id\": 5, \"event\": \"e\", \"format\": \"json\", \"body\": \"\"}", UGW_ERR_TYPE,
      "\"id\" is not a string", "id", "5", 0 },
    { "{\"id\": null, \"event\": \"e\", \"format\": \"json\", \"body\": \"\"}", UGW_ERR_TYPE,
      "\"id\" is not a string", "id", "null", 0 },
    { "{\"id\": \"x\", \"event\": [\"e\"], \"format\": \"json\", \"body\": \"\"}", UGW_ERR_TYPE,
      "\"event\" is not a string", "event", "[", 0 },
    { "{\"id\": \"x\", \"event\": \"e\", \"format\": {}, \"body\": \"\"}", UGW_ERR_TYPE,
      "\"format\" is not a string", "format", "{}", 0 },
    { "{\"id\": \"x\", \"event\": \"e\", \"format\": \"json\", \"body\": true}", UGW_ERR_TYPE,
      "\"body\" is not a string", "body", "true", 0 },
    { "{\"id\": \"x\", \"id\": \"y\", \"event\": \"e\", \"format\": \"json\", \"body\": \"\"}",
      UGW_ERR_DUPLICATE_KEY, "a key appears twice", "id", "\"id\": \"y\"", 0 },
    { "{\"id\": \"x\", \"event\": \"e\", \"format\": \"json\", \"body\": \"\\ud800\"}", UGW_ERR_UTF8,
      "\"body\" has a bad escape", "body", "\\ud800", 0 },
    { "{\"id\": \"x\", \"event\": \"a\\u0000b\", \"format\": \"json\", \"body\": \"\"}", UGW_ERR_NUL,
      "\"event\" has a NUL character", "event", "a\\u", 0 },
    { "{\"id\": \"x\", \"event\": \"a\tb\", \"format\": \"json\", \"body\": \"\"}", UGW_ERR_SYNTAX,
      "a control character in a string", "", "\tb", 0 },
    { "{\"id\": \"x\", \"event\": \"a\\xb\", \"format\": \"json\", \"body\": \"\"}", UGW_ERR_SYNTAX,
      "not valid JSON: a bad escape", "", "\\xb", 0 },
    { "{\"id\": \"x\", \"event\": \"a\\u12g4\", \"format\": \"json\", \"body\": \"\"}", UGW_ERR_SYNTAX,
      "not valid JSON: a bad \\u escape", "", "\\u12", 0 },
    { "{\"id\": \"x\", \"event\": \"e\", \"format\": \"json\", \"body\": \"\"} trailing", UGW_ERR_TRAILING,
      "not valid JSON", "", "trailing", 0 },
    { "{\"id\": \"x\", \"event\": \"e\", \"format\": \"json\", \"body\": \"\"} {}", UGW_ERR_TRAILING,
      "after the JSON object", "", "} {", 2 },
    { "{\"id\": \"x\", \"event\": \"e\", \"format\": \"json\", \"body\": \"unterminated", UGW_ERR_TRUNCATED,
      "not valid JSON: the line ends inside the record", "", NULL, 0 },
    { "{\"id\": \"x\", \"event\": \"e\", \"format\": \"json\", \"body\": \"\",", UGW_ERR_TRUNCATED,
      "not valid JSON", "", NULL, 0 },
    { "{", UGW_ERR_TRUNCATED, "not valid JSON", "", NULL, 0 },
    { "{\"x\": tru", UGW_ERR_TRUNCATED, "not valid JSON", "", NULL, 0 },
    { "{\"x\": trux}", UGW_ERR_SYNTAX, "not valid JSON", "", "trux", 0 },
    { "{\"x\": -}", UGW_ERR_SYNTAX, "not valid JSON: a bad number", "", "}", 0 },
    { "{\"x\": 1.}", UGW_ERR_SYNTAX, "not valid JSON: a bad number", "", "}", 0 },
    { "{\"x\": 01}", UGW_ERR_SYNTAX, "expected ',' or '}'", "", "1}", 0 },
    { "{5: 1}", UGW_ERR_SYNTAX, "a key must be a string", "", "5", 0 },
    { "{\"id\" \"x\"}", UGW_ERR_SYNTAX, "expected ':' after a key", "", "\"x\"", 0 },
    { "{\"id\": \"x\",}", UGW_ERR_SYNTAX, "a key must be a string", "", "}", 0 },
    { "{\"x\": [1 2]}", UGW_ERR_SYNTAX, "expected ','", "", "2]", 0 },
    { "{\"x\": {\"a\" 1}}", UGW_ERR_SYNTAX, "expected ':'", "", "1}", 0 },
    { "{\"x\": [1,]}", UGW_ERR_SYNTAX, "not valid JSON", "", "]}", 0 },
    { "{\"x\": [}", UGW_ERR_SYNTAX, "not valid JSON", "", "}", 0 },
    { "{\"id\": \"x\", \"event\": \"e\", \"format\": \"json\", \"body\": \"\", \"attempts\": \"3\"}", UGW_ERR_TYPE,
      "\"attempts\" is not a whole number", "attempts", "3\"", 0 },
    { "{\"id\": \"x\", \"event\": \"e\", \"format\": \"json\", \"body\": \"\", \"attempts\": 1.5}", UGW_ERR_TYPE,
      "\"attempts\" is not a whole number", "attempts", "1.5", 0 },
    { "{\"id\": \"x\", \"event\": \"e\", \"format\": \"json\", \"body\": \"\", \"attempts\": 1e3}", UGW_ERR_TYPE,
      "\"attempts\" is not a whole number", "attempts", "1e3", 0 },
    { "{\"id\": \"x\", \"event\": \"e\", \"format\": \"json\", \"body\": \"\", \"attempts\": -1}", UGW_ERR_RANGE,
      "\"attempts\" is out of range", "attempts", "-1", 0 },
    { "{\"id\": \"x\", \"event\": \"e\", \"format\": \"json\", \"body\": \"\", \"last_status\": 2147483648}",
      UGW_ERR_RANGE, "\"last_status\" is out of range", "last_status", "2147483648", 0 },
    { "{\"id\": \"x\", \"event\": \"e\", \"format\": \"json\", \"body\": \"\", \"last_status\": 123456789012345678901234}",
      UGW_ERR_RANGE, "\"last_status\" is out of range", "last_status", "1234", 0 },
    { "{\"id\": \"x\", \"event\": \"e\", \"format\": \"json\", \"body\": \"\", \"result\": 5}", UGW_ERR_TYPE,
      "\"result\" is not a string", "result", "5}", 0 },
    { "{\"id\": \"x\", \"event\": \"e\", \"format\": \"json\", \"body\": \"\", \"error\": \"a\\u0000\"}", UGW_ERR_NUL,
      "a NUL character in a string", "error", "a\\u", 0 },
    { "{\"id\": \"x\", \"event\": \"e\", \"format\": \"json\", \"body\": \"\", \"time\": \"\\udc00\"}", UGW_ERR_UTF8,
      "\"time\" has a bad escape", "time", "\\udc00", 0 },
};

static void test_bad_lines(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof bad_cases / sizeof bad_cases[0]; i++) {
        const bad_case *c = &bad_cases[i];
        char text[1024];
        size_t line_at = strlen(GOOD "\n"), want;
        ugw_dead_letter rec;
        ugw_read_error err;
        ugw_dead_letter_reader *r;
        int n = snprintf(text, sizeof text, GOOD "\n%s\n" LAST "\n", c->line);
        assert_true(n > 0 && (size_t)n < sizeof text);
        want = line_at + (c->mark ? (size_t)(strstr(c->line, c->mark) - c->line) : strlen(c->line)) + c->delta;
        r = dl_open(file_of(text, (size_t)n), 0);
        next_is(r, "msg_good", 1, &rec);
        memset(&err, 0x5a, sizeof err);
        if (ugw_dead_letter_next(r, &rec, &err) != -1)
            fail_msg("case %zu (%s): not refused", i, c->line);
        if (err.error.code != c->code || err.error.pos != want || !strstr(err.error.message, c->msg)
            || strcmp(err.error.path, c->key) != 0)
            fail_msg("case %zu (%s): got %s at %zu (want %s at %zu), \"%s\", key \"%s\"", i, c->line,
                     ugw_status_name(err.error.code), err.error.pos, ugw_status_name(c->code), want,
                     err.error.message, err.error.path);
        assert_int_equal(err.line, 2);
        assert_int_equal(err.sys_errno, 0);
        assert_int_equal(rec.line, 2);
        assert_int_equal(rec.offset, line_at);
        next_is(r, "msg_last", 3, &rec); /* the reader goes on */
        next_ends(r);
        ugw_dead_letter_close(r);
    }
}

/* A last line cut short by a crash: an error that says so, never dropped. */
static void test_torn_last_line(void **state)
{
    (void)state;
    static const char text[] = GOOD "\n{\"id\":\"msg_torn\",\"event\":\"e\",\"format\":\"json\",\"bo";
    static const char text2[] = GOOD "\n{\"id\":\"msg_torn\",\"event\":\"e\",\"format\":\"json\",\"body\":\"{}\"";
    const char *texts[] = { text, text2 };
    for (size_t i = 0; i < 2; i++) {
        ugw_dead_letter rec;
        ugw_read_error err;
        ugw_dead_letter_reader *r = dl_open(file_str(texts[i]), 0);
        next_is(r, "msg_good", 1, &rec);
        assert_int_equal(ugw_dead_letter_next(r, &rec, &err), -1);
        assert_int_equal(err.error.code, UGW_ERR_TRUNCATED);
        assert_non_null(strstr(err.error.message, "torn write"));
        assert_non_null(strstr(err.error.message, "not valid JSON"));
        assert_int_equal(err.line, 2);
        assert_int_equal(err.error.pos, strlen(texts[i]));
        next_ends(r);
        ugw_dead_letter_close(r);
    }
}

/* A line longer than the limit: an error at the limit, then the next line. */
static void test_long_line(void **state)
{
    (void)state;
    size_t good = strlen(GOOD), len = good + 1 + 100000 + 1 + strlen(LAST) + 1;
    char *text = malloc(len + 1);
    ugw_dead_letter rec;
    ugw_read_error err;
    ugw_dead_letter_reader *r;
    assert_non_null(text);
    memcpy(text, GOOD "\n", good + 1);
    memset(text + good + 1, ' ', 100000);
    text[good + 1 + 50000] = '{'; /* not blank, and not JSON either */
    memcpy(text + good + 1 + 100000, "\n" LAST "\n", strlen(LAST) + 2);
    r = dl_open(file_of(text, len), 4096);
    next_is(r, "msg_good", 1, &rec);
    assert_int_equal(ugw_dead_letter_next(r, &rec, &err), -1);
    assert_int_equal(err.error.code, UGW_ERR_LIMIT);
    assert_int_equal(err.line, 2);
    assert_int_equal(err.error.pos, good + 1 + 4096);
    next_is(r, "msg_last", 3, &rec);
    next_ends(r);
    ugw_dead_letter_close(r);
    free(text);
}

/* NUL bytes in a line, and nesting at and over the limit of 64. */
static void test_hostile_structure(void **state)
{
    (void)state;
    static const char nul[] = GOOD "\n{\"id\":\"x\",\0\"event\":\"e\"}\n" LAST "\n";
    char deep[1024];
    size_t n = 0, line_at = strlen(GOOD "\n");
    ugw_dead_letter rec;
    ugw_read_error err;
    ugw_dead_letter_reader *r = dl_open(file_of(nul, sizeof nul - 1), 0);
    next_is(r, "msg_good", 1, &rec);
    assert_int_equal(ugw_dead_letter_next(r, &rec, &err), -1);
    assert_int_equal(err.error.code, UGW_ERR_SYNTAX);
    assert_int_equal(err.error.pos, line_at + 10); /* the NUL, where a key should be */
    next_is(r, "msg_last", 3, &rec);
    next_ends(r);
    ugw_dead_letter_close(r);

    for (int depth = 64; depth <= 65; depth++) {
        n = (size_t)snprintf(deep, sizeof deep, GOOD "\n{\"x\":");
        for (int i = 0; i < depth; i++) {
            if (i % 2)
                deep[n++] = '[';
            else
                n += (size_t)snprintf(deep + n, sizeof deep - n, "{\"k\":");
        }
        for (int i = depth - 1; i >= 0; i--)
            deep[n++] = i % 2 ? ']' : '}';
        n += (size_t)snprintf(deep + n, sizeof deep - n, ",\"id\":\"msg_deep\",\"event\":\"e\",\"format\":\"json\",\"body\":\"\"}\n");
        r = dl_open(file_of(deep, n), 0);
        next_is(r, "msg_good", 1, &rec);
        if (depth == 64) {
            next_is(r, "msg_deep", 2, &rec);
        } else {
            const char *last_open = strrchr(deep, '{') > strrchr(deep, '[') ? strrchr(deep, '{') : strrchr(deep, '[');
            assert_int_equal(ugw_dead_letter_next(r, &rec, &err), -1);
            assert_int_equal(err.error.code, UGW_ERR_DEPTH);
            assert_int_equal(err.error.pos, (size_t)(last_open - deep));
        }
        next_ends(r);
        ugw_dead_letter_close(r);
    }
}

/* Random mutations of good records: every call answers, nothing crashes
 * (run under valgrind or AddressSanitizer to see reads out of bounds). */
static void test_mutations(void **state)
{
    (void)state;
    static const char seed[] =
        "{\"id\":\"msg_2mJ0c\",\"event\":\"e \\\"q\\\"\",\"format\":\"msgpack\",\"body_base64\":\"gqVldmVudKR0ZXN0AP8=\","
        "\"last_status\":503,\"attempts\":8,\"result\":\"attempts\",\"error\":\"\\u00e9\",\"time\":\"t\","
        "\"x\":[1,-2.5E+3,{\"y\":null}]}\n";
    static const char specials[] = "{}[]\",:\\u0=\n\r\t \x00\xff-.eE+/";
    uint64_t rng = 0x9E3779B97F4A7C15u;
    size_t records = 0, errors = 0;
    for (int round = 0; round < 3000; round++) {
        char text[4 * sizeof seed];
        size_t n = 0;
        int lines = 1 + round % 3;
        ugw_dead_letter rec;
        ugw_read_error err;
        ugw_dead_letter_reader *r;
        int m, calls = 0;
        for (int l = 0; l < lines; l++) {
            memcpy(text + n, seed, sizeof seed - 1);
            n += sizeof seed - 1;
        }
        for (int k = 0; k < 1 + round % 5 && n > 1; k++) {
            rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
            size_t at = (size_t)(rng % n);
            switch ((rng >> 32) % 4) {
            case 0: text[at] = specials[(rng >> 40) % (sizeof specials - 1)]; break;
            case 1: text[at] = (char)(rng >> 48); break;
            case 2: n = at; break; /* truncate */
            default: memmove(text + at, text + at + 1, n - at - 1), n--; break;
            }
        }
        const char *path = file_of(text, n);
        r = dl_open(path, round % 7 == 0 ? 64 : 0);
        while ((m = ugw_dead_letter_next(r, &rec, &err)) != 0) {
            assert_true(m == 1 || m == -1);
            assert_true(++calls <= 16);
            if (m == 1) {
                records++;
                assert_true(strlen(rec.id) >= 1 && strlen(rec.id) < UGW_WEBHOOK_ID_MAX);
                assert_true(rec.body_len < n);
            } else {
                errors++;
                assert_int_not_equal(err.error.code, UGW_OK);
                assert_true(err.line >= 1 && err.line <= (uint64_t)lines + 8);
                assert_true(err.error.pos <= n);
                assert_non_null(err.error.message);
            }
        }
        ugw_dead_letter_close(r);
        unlink(path); /* one file at a time */
        nfiles--;
    }
    assert_true(records > 0);
    assert_true(errors > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_records, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_lines, setup, teardown),
        cmocka_unit_test_setup_teardown(test_torn_last_line, setup, teardown),
        cmocka_unit_test_setup_teardown(test_long_line, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hostile_structure, setup, teardown),
        cmocka_unit_test_setup_teardown(test_mutations, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
