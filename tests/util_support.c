/*
 * util_support.c - helpers shared by the tests of runtime/codec/ugw_util.c;
 * see util_support.h.
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

/* A heap copy of exactly `len` bytes (one byte for len 0, never read). */
char *exact(const void *s, size_t len)
{
    char *p = malloc(len != 0 ? len : 1);
    assert_non_null(p);
    if (len != 0)
        memcpy(p, s, len);
    return p;
}

size_t utf8x(const void *s, size_t len)
{
    char *p = exact(s, len);
    size_t r = ugw_utf8_check(p, len);
    free(p);
    return r;
}

bool urlx(const void *s, size_t len)
{
    char *p = exact(s, len);
    bool r = ugw_url_check(p, len);
    free(p);
    return r;
}

/* Escapes through exact input and output buffers; checks escaped_len
 * against the bytes written. Returns a malloc'd, NUL-terminated copy. */
char *escapex(const void *s, size_t len, size_t *out_len)
{
    char *in = exact(s, len);
    size_t n = ugw_json_escaped_len(in, len);
    char *out = malloc(n != 0 ? n : 1);
    assert_non_null(out);
    size_t w = ugw_json_escape(out, in, len);
    assert_int_equal(w, n);
    char *res = malloc(n + 1);
    assert_non_null(res);
    memcpy(res, out, n);
    res[n] = '\0';
    free(out);
    free(in);
    *out_len = n;
    return res;
}

/* Unescapes through exact input and output buffers (output of len bytes,
 * as the API promises). Returns the result; the decoded bytes go to `dst`
 * (room for len bytes) when it is not NULL. */
size_t unescapex(const void *s, size_t len, char *dst, size_t *bad)
{
    char *in = exact(s, len);
    char *out = malloc(len != 0 ? len : 1);
    assert_non_null(out);
    size_t r = ugw_json_unescape(out, in, len, bad);
    if (r != (size_t)-1) {
        assert_true(r <= len);
        if (dst != NULL && r != 0)
            memcpy(dst, out, r);
    }
    free(out);
    free(in);
    return r;
}

bool parsex(const void *s, size_t len, uint64_t *out)
{
    char *p = exact(s, len);
    bool r = ugw_parse_u64(p, len, out);
    free(p);
    return r;
}

static uint64_t rng_state = UINT64_C(0x9e3779b97f4a7c15);

uint64_t rng(void)
{
    uint64_t x = rng_state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    rng_state = x;
    return x;
}

unsigned rng_below(unsigned n)
{
    return (unsigned)(rng() % n);
}

/* Encodes a code point as UTF-8 (no validity checks: test data). */
size_t enc_utf8(unsigned char *o, unsigned long cp)
{
    if (cp < 0x80) {
        o[0] = (unsigned char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (unsigned char)(0xc0 | (cp >> 6));
        o[1] = (unsigned char)(0x80 | (cp & 0x3f));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (unsigned char)(0xe0 | (cp >> 12));
        o[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
        o[2] = (unsigned char)(0x80 | (cp & 0x3f));
        return 3;
    }
    o[0] = (unsigned char)(0xf0 | (cp >> 18));
    o[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3f));
    o[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
    o[3] = (unsigned char)(0x80 | (cp & 0x3f));
    return 4;
}
