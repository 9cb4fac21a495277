/*
 * test_codec_envelope_strings.c - long strings in the envelope and in the
 * payload (tests/envelope/string_envelope.toml: envelope field "source" and
 * payload field "note", both 1 to 600 bytes) get the same errors: at the
 * bound decoded, one over TOO_LONG with the field's path and the value's
 * position, in JSON and MessagePack, escaped or not. A JSON string's escaped
 * text may be six times its decoded length and more than the decoder's
 * arena holds: what counts is its decoded length, never NOMEM for a string
 * that is merely too long.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <se/se_events.h>
#include <sw/sw_events.h>

#define MAX 600
#define ESCAPE "\\u0022" /* '"' in six bytes */

enum { IN_ENVELOPE, IN_PAYLOAD };

typedef struct doc {
    unsigned char b[8192];
    size_t len;
    size_t pos; /* where the long value starts */
} doc;

/* A decoder whose arena holds a 600-byte string but not its escaped text. */
static ugw_decoder *small_decoder(void)
{
    ugw_decode_opts o = { 0 };
    ugw_decoder *d = NULL;
    o.max_tokens = 16;
    for (o.arena_size = 2048; !d && o.arena_size < 4096; o.arena_size += 64)
        d = ugw_decoder_new(&o);
    assert_non_null(d);
    return d;
}

static void put(doc *d, const void *p, size_t n)
{
    assert_true(d->len + n <= sizeof d->b);
    memcpy(d->b + d->len, p, n);
    d->len += n;
}
#define PUTS(d, lit) put((d), (lit), sizeof(lit) - 1)

/* n decoded bytes: 'a', or '"' (escaped in JSON as ESCAPE) */
static void json_text(doc *d, size_t n, bool escaped)
{
    for (size_t i = 0; i < n; i++)
        put(d, escaped ? ESCAPE : "a", escaped ? strlen(ESCAPE) : 1);
}

/* One JSON string value: the long one when it is the one under test (its
 * position recorded), else "x". */
static void json_value(doc *d, bool here, size_t n, bool escaped)
{
    if (here)
        d->pos = d->len;
    PUTS(d, "\"");
    if (here)
        json_text(d, n, escaped);
    else
        PUTS(d, "x");
    PUTS(d, "\"");
}

static void json_doc(doc *d, int where, size_t n, bool escaped)
{
    d->len = 0;
    PUTS(d, "{\"event\":\"note\",\"source\":");
    json_value(d, where == IN_ENVELOPE, n, escaped);
    PUTS(d, ",\"payload\":{\"note\":");
    json_value(d, where == IN_PAYLOAD, n, escaped);
    PUTS(d, "}}");
}

static void mp_str(doc *d, size_t n, bool escaped)
{
    unsigned char h[3] = { 0xda, (unsigned char)(n >> 8), (unsigned char)n };
    put(d, h, 3);
    for (size_t i = 0; i < n; i++)
        put(d, escaped ? "\"" : "a", 1);
}

static void msgpack_doc(doc *d, int where, size_t n, bool escaped)
{
    d->len = 0;
    PUTS(d, "\x83\xa5" "event\xa4" "note\xa6" "source");
    if (where == IN_ENVELOPE)
        d->pos = d->len;
    mp_str(d, where == IN_ENVELOPE ? n : 1, escaped);
    PUTS(d, "\xa7payload\x81\xa4note");
    if (where == IN_PAYLOAD)
        d->pos = d->len;
    mp_str(d, where == IN_PAYLOAD ? n : 1, escaped);
}

static void check_string(const ugw_str *s, size_t n, bool escaped)
{
    assert_int_equal(s->len, n);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(s->ptr[i], escaped ? '"' : 'a');
}

/* Every case both ways: with the envelope struct (se_decode) and without it
 * (ugw_schema_decode, the envelope in the decoder's scratch memory). */
static void test_same_errors_in_envelope_and_payload(void **state)
{
    ugw_decoder *dec = small_decoder();
    static doc d;
    (void)state;
    for (int fmt = 0; fmt < 2; fmt++)
        for (int where = IN_ENVELOPE; where <= IN_PAYLOAD; where++)
            for (int escaped = 0; escaped < 2; escaped++)
                for (size_t n = MAX; n <= MAX + 1; n++)
                    for (int with_env = 0; with_env < 2; with_env++) {
                        se_event ev;
                        ugw_error err;
                        int type = 0;
                        ugw_status st;
                        if (fmt == UGW_FORMAT_JSON)
                            json_doc(&d, where, n, escaped);
                        else
                            msgpack_doc(&d, where, n, escaped);
                        st = with_env ? se_decode(dec, (ugw_format)fmt, d.b, d.len, &ev, &err)
                                      : ugw_schema_decode(&se_schema_events, dec, (ugw_format)fmt, d.b, d.len,
                                                          &type, &ev.u, sizeof ev.u, &err);
                        printf("# %s %s%s %zu bytes%s: %s\n", fmt ? "msgpack" : "json",
                               escaped ? "escaped " : "", where == IN_ENVELOPE ? "envelope" : "payload", n,
                               with_env ? "" : " (no envelope struct)", ugw_status_name(st));
                        if (n == MAX) {
                            assert_int_equal(st, UGW_OK);
                            if (where == IN_PAYLOAD)
                                check_string(&ev.u.note.note, n, escaped);
                            else if (with_env)
                                check_string(&ev.env.source, n, escaped);
                            continue;
                        }
                        assert_int_equal(st, UGW_ERR_TOO_LONG);
                        assert_string_equal(err.path, where == IN_ENVELOPE ? "source" : "payload.note");
                        assert_int_equal(err.pos, d.pos);
                    }
    ugw_decoder_free(dec);
}

/* Over the arena, a string's escapes are still checked first, as within it. */
static void test_bad_escape_in_a_long_string(void **state)
{
    ugw_decoder *dec = small_decoder();
    static doc d;
    se_event ev;
    ugw_error err;
    (void)state;
    for (int where = IN_ENVELOPE; where <= IN_PAYLOAD; where++) {
        size_t at;
        json_doc(&d, where, MAX + 1, true);
        at = d.pos + 1 + 400 * strlen(ESCAPE);
        memcpy(d.b + at, "\\ud800", 6); /* a lone high surrogate */
        assert_int_equal(se_decode_json(dec, d.b, d.len, &ev, &err), UGW_ERR_UTF8);
        assert_string_equal(err.path, where == IN_ENVELOPE ? "source" : "payload.note");
        assert_int_equal(err.pos, at);
    }
    ugw_decoder_free(dec);
}

/* A timestamp envelope field (Standard Webhooks' "timestamp") escaped past
 * the arena: FORMAT at the value, as an escaped one within it. */
static void test_long_escaped_timestamp(void **state)
{
    static const char head[] = "{\"type\":\"guide started (userguiding)\",\"timestamp\":\"";
    static const char tail[] = "\",\"data\":{\"userId\":\"u1\",\"pageUrl\":\"https://e.com/\",\"guideId\":7,"
                               "\"guideName\":\"g\"}}";
    ugw_decoder *dec = small_decoder();
    static char b[8192];
    sw_event ev;
    ugw_error err;
    (void)state;
    for (size_t n = 1; n <= 1000; n += 999) {
        size_t len = strlen(head);
        memcpy(b, head, len);
        for (size_t i = 0; i < n; i++, len += 6)
            memcpy(b + len, "\\u0032", 6);
        memcpy(b + len, tail, strlen(tail));
        len += strlen(tail);
        assert_int_equal(sw_decode_json(dec, b, len, &ev, &err), UGW_ERR_FORMAT);
        assert_string_equal(err.path, "timestamp");
        assert_int_equal(err.pos, strlen(head) - 1);
    }
    ugw_decoder_free(dec);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_errors_in_envelope_and_payload),
        cmocka_unit_test(test_bad_escape_in_a_long_string),
        cmocka_unit_test(test_long_escaped_timestamp),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
