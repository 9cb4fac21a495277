/*
 * webhook_support.c - the helpers of webhook_support.h.
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

const unsigned char key256_body[17] = {
    0x82, 0xa5, 'e', 'v', 'e', 'n', 't', 0xa4, 't', 'e', 's', 't',
    0x00, 0xff, 0x01, '.', '"'};

/* ------------------------------------------------------------------ */
/* Test support                                                         */
/* ------------------------------------------------------------------ */

/* A heap copy of exactly `len` bytes (one byte for len 0, never read). */
char *exact(const void *s, size_t len)
{
    char *p = malloc(len != 0 ? len : 1);
    assert_non_null(p);
    if (len != 0)
        memcpy(p, s, len);
    return p;
}

/* A heap copy of a C string, exactly strlen + 1 bytes. */
char *dupz(const char *s)
{
    return exact(s, strlen(s) + 1);
}

ugw_status parsex(const void *text, size_t len, ugw_secret *out,
                         ugw_error *err)
{
    char *p = exact(text, len);
    ugw_status st = ugw_secret_parse(p, len, out, err);
    free(p);
    return st;
}

ugw_secret secret_of(const char *text)
{
    ugw_secret s;
    ugw_error err;
    assert_int_equal(parsex(text, strlen(text), &s, &err), UGW_OK);
    assert_int_equal(err.code, UGW_OK);
    return s;
}

/* Signs into an output buffer of exactly UGW_SIGNATURE_MAX bytes and
 * returns a copy of the result in `sig` (room for UGW_SIGNATURE_MAX). */
ugw_status signx(const ugw_secret *s, const char *id, int64_t ts,
                        const void *body, size_t len, char *sig)
{
    char *idc = dupz(id);
    char *bc = exact(body, len);
    char *out = malloc(UGW_SIGNATURE_MAX);
    ugw_error err;
    assert_non_null(out);
    ugw_status st = ugw_webhook_sign(s, idc, ts, bc, len, out, UGW_SIGNATURE_MAX, &err);
    assert_int_equal(err.code, st);
    if (st == UGW_OK)
        assert_int_equal(strlen(out), UGW_SIGNATURE_MAX - 1);
    memcpy(sig, out, UGW_SIGNATURE_MAX);
    free(out);
    free(bc);
    free(idc);
    return st;
}

/* The same through a signer made for `s`. */
ugw_status signer_signx(ugw_webhook_signer *sg, const char *id,
                               int64_t ts, const void *body, size_t len,
                               char *sig)
{
    char *idc = dupz(id);
    char *bc = exact(body, len);
    char *out = malloc(UGW_SIGNATURE_MAX);
    ugw_error err;
    assert_non_null(out);
    ugw_status st = ugw_webhook_signer_sign(sg, idc, ts, bc, len, out, UGW_SIGNATURE_MAX, &err);
    assert_int_equal(err.code, st);
    memcpy(sig, out, UGW_SIGNATURE_MAX);
    free(out);
    free(bc);
    free(idc);
    return st;
}

/* Verifies with exact heap copies of every input; checks that the error
 * value agrees with the result and names the right header. */
ugw_status verifyx(const ugw_secret *s, const char *id, const char *ts,
                          const char *sig, const void *body, size_t len,
                          int64_t now, int64_t tol)
{
    char *idc = dupz(id), *tsc = dupz(ts), *sigc = dupz(sig);
    char *bc = exact(body, len);
    ugw_error err;
    ugw_status st = ugw_webhook_verify(s, idc, tsc, sigc, bc, len, now, tol, &err);
    assert_int_equal(err.code, st);
    assert_int_equal(err.pos, 0);
    if (st == UGW_ERR_TIMESTAMP)
        assert_string_equal(err.path, "webhook-timestamp");
    else if (st == UGW_ERR_SIGNATURE)
        assert_string_equal(err.path, "webhook-signature");
    if (st != UGW_OK)
        assert_non_null(err.message);
    free(bc);
    free(sigc);
    free(tsc);
    free(idc);
    return st;
}

/* The reference example, verified at `now` with tolerance `tol`. */
ugw_status verify_ref(const char *ts, const char *sig, int64_t now,
                             int64_t tol)
{
    ugw_secret s = secret_of(REF_SECRET);
    return verifyx(&s, REF_ID, ts, sig, LIT(REF_BODY), now, tol);
}

unsigned char *big_body(void)
{
    unsigned char *b = malloc(BIG_LEN);
    assert_non_null(b);
    for (size_t i = 0; i < BIG_LEN; i++)
        b[i] = (unsigned char)((i * 31 + 7) & 0xff);
    return b;
}


double now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

