/*
 * test_webhook_base64.c - cmocka tests of the one base64 (ugw_webhook.h) and
 * the one byte scanner (ugw_runtime.h), with inputs as exact heap copies and
 * outputs into buffers of exactly the size asked for (webhook_support.h).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <ugw/ugw_runtime.h>
#include <ugw/ugw_webhook.h>

#include "webhook_support.h"

/* ------------------------------------------------------------------ */
/* Base64 and byte scanning                                             */
/* ------------------------------------------------------------------ */

/* Encodes into a heap buffer of exactly the size asked for and checks it. */
static void b64_encodes_to(const void *in, size_t n, const char *want)
{
    size_t need = ugw_base64_encoded_len(n), len = 99;
    char *out = malloc(need + 1), *small = malloc(need);
    char *inc = exact(in, n);
    assert_int_equal(need, strlen(want));
    assert_int_equal(ugw_base64_encode(inc, n, out, need + 1, &len), UGW_OK);
    assert_int_equal(len, need);
    assert_string_equal(out, want);
    /* One byte short: nothing but the NUL written, the length needed said. */
    len = 0;
    if (need > 0) {
        memset(small, 'x', need);
        assert_int_equal(ugw_base64_encode(inc, n, small, need, &len), UGW_ERR_BUFFER);
        assert_int_equal(len, need);
        assert_int_equal(small[0], '\0');
    }
    free(inc);
    free(small);
    free(out);
}

/* Decodes `text` (an exact heap copy) into exactly the room it needs. */
static void b64_decodes_to(const char *text, const void *want, size_t want_len)
{
    size_t n = strlen(text), len = 99;
    char *t = exact(text, n);
    unsigned char *out = malloc(want_len ? want_len : 1);
    ugw_error err;
    assert_int_equal(ugw_base64_decode(t, n, NULL, 0, &len, &err), UGW_OK);
    assert_int_equal(len, want_len);
    assert_true(len <= ugw_base64_decoded_max(n));
    len = 99;
    assert_int_equal(ugw_base64_decode(t, n, out, want_len, &len, &err), UGW_OK);
    assert_int_equal(err.code, UGW_OK);
    assert_int_equal(len, want_len);
    if (want_len)
        assert_memory_equal(out, want, want_len);
    if (want_len) { /* one byte short: refused, nothing written */
        memset(out, 0x77, want_len);
        assert_int_equal(ugw_base64_decode(t, n, out, want_len - 1, &len, &err), UGW_ERR_BUFFER);
        assert_int_equal(err.code, UGW_ERR_BUFFER);
        assert_int_equal(len, want_len);
        assert_int_equal(out[0], 0x77);
    }
    free(out);
    free(t);
}

/* Decoding `len` bytes of `text` fails with UGW_ERR_SYNTAX at `pos`. */
static void b64_fails(const char *text, size_t len, size_t pos, const char *msg)
{
    char *t = exact(text, len);
    unsigned char out[64];
    size_t got = 12345;
    ugw_error err;
    memset(out, 0x5a, sizeof out);
    assert_int_equal(ugw_base64_decode(t, len, out, sizeof out, &got, &err), UGW_ERR_SYNTAX);
    assert_int_equal(err.code, UGW_ERR_SYNTAX);
    assert_int_equal(err.pos, pos);
    assert_string_equal(err.message, msg);
    assert_string_equal(err.path, "");
    assert_int_equal(got, 12345);
    for (size_t i = 0; i < sizeof out; i++)
        assert_int_equal(out[i], 0x5a);
    assert_int_equal(ugw_base64_decode(t, len, NULL, 0, &got, NULL), UGW_ERR_SYNTAX);
    free(t);
}

static void test_base64_vectors(void **state)
{
    (void)state;
    /* RFC 4648 section 10. */
    static const char *const plain[] = { "", "f", "fo", "foo", "foob", "fooba", "foobar" };
    static const char *const coded[] = { "", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy" };
    for (size_t i = 0; i < 7; i++) {
        b64_encodes_to(plain[i], strlen(plain[i]), coded[i]);
        b64_decodes_to(coded[i], plain[i], strlen(plain[i]));
    }
    /* Every byte value, and the whole alphabet. */
    unsigned char all[256];
    for (size_t i = 0; i < 256; i++)
        all[i] = (unsigned char)i;
    b64_encodes_to(all, 256, KEY256_B64);
    b64_decodes_to(KEY256_B64, all, 256);
    b64_decodes_to("+/+/", "\xfb\xff\xbf", 3);
    /* Unused low bits of the last character are ignored (as Python does). */
    b64_decodes_to("Zh==", "f", 1);
    b64_decodes_to("Zm9=", "fo", 2);

    /* A large round trip, decoded into exactly its length. */
    size_t big = ((size_t)1 << 20) + 1, tl = 0, dl = 0;
    unsigned char *src = malloc(big), *back = malloc(big);
    char *text = malloc(ugw_base64_encoded_len(big) + 1);
    for (size_t i = 0; i < big; i++)
        src[i] = (unsigned char)(i * 131 + 7);
    assert_int_equal(ugw_base64_encode(src, big, text, ugw_base64_encoded_len(big) + 1, &tl), UGW_OK);
    assert_int_equal(tl, ugw_base64_encoded_len(big));
    assert_int_equal(ugw_base64_decode(text, tl, back, big, &dl, NULL), UGW_OK);
    assert_int_equal(dl, big);
    assert_memory_equal(back, src, big);
    free(text);
    free(back);
    free(src);
}

static void test_base64_errors(void **state)
{
    (void)state;
    static const char bad_char[] = "invalid base64 character";
    static const char bad_pad[] = "base64 padding '=' before the end";
    static const char much_pad[] = "more than two '=' of base64 padding";
    static const char bad_len[] = "base64 length is not a multiple of 4 (missing or extra padding)";

    b64_fails(LIT("Zm9v@m9v"), 4, bad_char);
    b64_fails(LIT("Zm9v-_9v"), 4, bad_char);         /* URL-safe alphabet */
    b64_fails(LIT("Zm9v Zm9v"), 4, bad_char);        /* inner space */
    b64_fails(LIT(" Zm9v"), 0, bad_char);            /* no white space around */
    b64_fails(LIT("Zm9v\n"), 4, bad_char);           /* nor a line end */
    b64_fails(LIT("Zm\0v"), 2, bad_char);            /* NUL */
    b64_fails(LIT("Zm\xc3\xa9"), 2, bad_char);       /* non-ASCII */
    b64_fails(LIT("Z=9v"), 1, bad_pad);
    b64_fails(LIT("Zg==Zg=="), 2, bad_pad);          /* padding, then more */
    b64_fails(LIT("Z==="), 1, much_pad);
    b64_fails(LIT("===="), 0, much_pad);
    b64_fails(LIT("="), 1, bad_len);                 /* one '=' alone: a wrong length */
    b64_fails(LIT("Zg="), 3, bad_len);
    b64_fails(LIT("Zm9"), 3, bad_len);               /* truncated */
    b64_fails(LIT("Zm9vY"), 5, bad_len);
    b64_fails(LIT("Zm9v="), 5, bad_len);             /* extra padding */

    /* Arguments. */
    size_t len;
    ugw_error err;
    unsigned char out[4];
    char text[8];
    assert_int_equal(ugw_base64_decode(NULL, 4, out, sizeof out, &len, &err), UGW_ERR_ARG);
    assert_int_equal(err.code, UGW_ERR_ARG);
    assert_int_equal(ugw_base64_decode("Zm9v", 4, out, sizeof out, NULL, &err), UGW_ERR_ARG);
    assert_int_equal(ugw_base64_decode(NULL, 0, out, sizeof out, &len, &err), UGW_OK);
    assert_int_equal(len, 0);
    assert_int_equal(ugw_base64_encode(NULL, 1, text, sizeof text, &len), UGW_ERR_ARG);
    assert_int_equal(ugw_base64_encode("f", 1, NULL, 8, &len), UGW_ERR_ARG);
    assert_int_equal(ugw_base64_encode(NULL, 0, text, 1, &len), UGW_OK);
    assert_int_equal(len, 0);
    assert_string_equal(text, "");
    assert_int_equal(ugw_base64_encode(NULL, 0, text, 0, NULL), UGW_ERR_BUFFER);

    /* Size arithmetic never wraps. */
    assert_int_equal(ugw_base64_encoded_len(0), 0);
    assert_int_equal(ugw_base64_encoded_len(1), 4);
    assert_int_equal(ugw_base64_encoded_len(3), 4);
    assert_int_equal(ugw_base64_encoded_len(4), 8);
    assert_int_equal(ugw_base64_encoded_len(SIZE_MAX / 4 * 3), SIZE_MAX / 4 * 4);
    assert_int_equal(ugw_base64_encoded_len(SIZE_MAX / 4 * 3 + 1), SIZE_MAX);
    assert_int_equal(ugw_base64_encoded_len(SIZE_MAX), SIZE_MAX);
    assert_int_equal(ugw_base64_decoded_max(SIZE_MAX), SIZE_MAX / 4 * 3);
    assert_int_equal(ugw_base64_decoded_max(7), 3);
    /* A length that cannot be encoded is refused before anything is read. */
    len = 0;
    assert_int_equal(ugw_base64_encode("x", SIZE_MAX, text, sizeof text, &len), UGW_ERR_BUFFER);
    assert_int_equal(len, SIZE_MAX);
    assert_string_equal(text, "");
}

static void test_byte_scan(void **state)
{
    (void)state;
    ugw_str t;
    assert_int_equal(ugw_span(LIT(" \t x "), UGW_WS_HTTP), 3);
    assert_int_equal(ugw_span(LIT("   "), UGW_WS_HTTP), 3);
    assert_int_equal(ugw_span(LIT(""), UGW_WS_HTTP), 0);
    assert_int_equal(ugw_span(LIT("\n x"), UGW_WS_HTTP), 0);
    assert_int_equal(ugw_span(LIT("\n\r\t x"), UGW_WS_JSON), 4);
    assert_int_equal(ugw_span(LIT("\v\f x"), UGW_WS_ALL), 3);
    assert_int_equal(ugw_span(LIT("\v\f x"), UGW_WS_JSON), 0);
    /* A NUL is data, never part of a set, and `len` bounds every scan. */
    assert_int_equal(ugw_span(LIT(" \0 "), UGW_WS_HTTP), 1);
    assert_int_equal(ugw_span("    ", 2, UGW_WS_HTTP), 2);
    assert_int_equal(ugw_cspan(LIT("v1,abc v1,def"), UGW_WS_HTTP), 6);
    assert_int_equal(ugw_cspan(LIT("a\0b c"), UGW_WS_HTTP), 3);
    assert_int_equal(ugw_cspan(LIT("abc"), UGW_WS_HTTP), 3);
    assert_int_equal(ugw_rspan(LIT("x \t\r\n"), UGW_WS_JSON), 4);
    assert_int_equal(ugw_rspan(LIT("x \t\r\n"), UGW_WS_HTTP), 0);
    assert_int_equal(ugw_rspan(LIT("   "), UGW_WS_HTTP), 3);
    t = ugw_trim(LIT(" \t 120 \r\n"), UGW_WS_JSON);
    assert_int_equal(t.len, 3);
    assert_memory_equal(t.ptr, "120", 3);
    t = ugw_trim(LIT(" \t "), UGW_WS_HTTP);
    assert_int_equal(t.len, 0);
    t = ugw_trim(LIT("a b"), UGW_WS_HTTP);
    assert_int_equal(t.len, 3);
    t = ugw_trim("", 0, UGW_WS_ALL);
    assert_int_equal(t.len, 0);
}


int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_base64_vectors),
        cmocka_unit_test(test_base64_errors),
        cmocka_unit_test(test_byte_scan),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
