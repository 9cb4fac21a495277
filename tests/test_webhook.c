/*
 * test_webhook.c - cmocka tests of runtime/ugw_webhook.c (Standard Webhooks
 * signing and verification, ugw_webhook.h).
 *
 * Known answers come from an independent implementation: the Standard
 * Webhooks reference example, and vectors made with Python's hmac module:
 *
 *   /usr/bin/python3 -c 'import hmac, hashlib, base64
 *   def sig(key, mid, ts, body):
 *       m = mid.encode() + b"." + str(ts).encode() + b"." + body
 *       return "v1," + base64.b64encode(
 *           hmac.new(key, m, hashlib.sha256).digest()).decode()
 *   ...'
 *
 * with the keys, ids, timestamps and bodies written next to each vector.
 *
 * Inputs go through heap copies of exactly their length (exact(), dupz())
 * and outputs into buffers of exactly the size the API asks for, so that a
 * build with -fsanitize=address reports any read or write out of bounds.
 *
 * test_sign_timing prints (does not assert) nanoseconds per signature of a
 * 300-byte body.
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

#define LIT(s) (s), (sizeof(s) - 1)

/* ------------------------------------------------------------------ */
/* Vectors                                                              */
/* ------------------------------------------------------------------ */

/* The Standard Webhooks reference example (24-byte key). */
#define REF_SECRET "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
#define REF_ID "msg_p5jXN8AQM9LWM0D4loKWxJek"
#define REF_TS 1614265330
#define REF_TS_TEXT "1614265330"
#define REF_BODY "{\"test\": 2432232314}"
#define REF_SIG "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
/* The same key, id and body signed with the timestamp text "01614265330"
 * (sig(key, REF_ID, "01614265330", REF_BODY) in Python, the timestamp as a
 * string): a receiver must hash the header text it got. */
#define REF_SIG_TS_LEADING_ZERO "v1,HIx6LAZYyqSIVlrnt3IQyW4sH3DpS7I7MvDYauyP37k="

/* Key bytes 0..255 (256 bytes, the longest), base64 = base64.b64encode(
 * bytes(range(256))). */
#define KEY256_B64 \
    "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDEyMzQ1" \
    "Njc4OTo7PD0+P0BBQkNERUZHSElKS0xNTk9QUVJTVFVWV1hZWltcXV5fYGFiY2RlZmdoaWpr" \
    "bG1ub3BxcnN0dXZ3eHl6e3x9fn+AgYKDhIWGh4iJiouMjY6PkJGSk5SVlpeYmZqbnJ2en6Ch" \
    "oqOkpaanqKmqq6ytrq+wsbKztLW2t7i5uru8vb6/wMHCw8TFxsfIycrLzM3Oz9DR0tPU1dbX" \
    "2Nna29zd3t/g4eLj5OXm5+jp6uvs7e7v8PHy8/T19vf4+fr7/P3+/w=="
/* sig(bytes(range(256)), "msg_01hx5v0k2m8p9q3r4s5t6v7w8x", 1700000000,
 *     b'\x82\xa5event\xa4test\x00\xff\x01."'): a binary body with a NUL. */
#define KEY256_ID "msg_01hx5v0k2m8p9q3r4s5t6v7w8x"
#define KEY256_TS 1700000000
static const unsigned char key256_body[] = {
    0x82, 0xa5, 'e', 'v', 'e', 'n', 't', 0xa4, 't', 'e', 's', 't',
    0x00, 0xff, 0x01, '.', '"'};
#define KEY256_SIG "v1,Eiq+qaP4+iVX48mLHLqL+/TvPXMDRuV11Y0nki2ReC4="

/* sig(b"\x2a", "", 0, b""): one-byte key "Kg==", empty id and body. */
#define KEY1_B64 "Kg=="
#define KEY1_SIG "v1,JmUZ94m8vKx3XPZB3NlIf4VikdoXgUQwbwBnW9GORZI="

/* sig(REF key, "msg_big", 1614265330, bytes((i*31+7) & 0xff for i in
 * range(1 << 20))): a 1 MiB body. */
#define BIG_LEN ((size_t)1 << 20)
#define BIG_SIG "v1,Qj6+EDMbDbmpeA0rERXwac7Ex7ZpFpVILcJuc4lZXtY="

/* ------------------------------------------------------------------ */
/* Test support                                                         */
/* ------------------------------------------------------------------ */

/* A heap copy of exactly `len` bytes (one byte for len 0, never read). */
static char *exact(const void *s, size_t len)
{
    char *p = malloc(len != 0 ? len : 1);
    assert_non_null(p);
    if (len != 0)
        memcpy(p, s, len);
    return p;
}

/* A heap copy of a C string, exactly strlen + 1 bytes. */
static char *dupz(const char *s)
{
    return exact(s, strlen(s) + 1);
}

static ugw_status parsex(const void *text, size_t len, ugw_secret *out,
                         ugw_error *err)
{
    char *p = exact(text, len);
    ugw_status st = ugw_secret_parse(p, len, out, err);
    free(p);
    return st;
}

static ugw_secret secret_of(const char *text)
{
    ugw_secret s;
    ugw_error err;
    assert_int_equal(parsex(text, strlen(text), &s, &err), UGW_OK);
    assert_int_equal(err.code, UGW_OK);
    return s;
}

/* Signs into an output buffer of exactly UGW_SIGNATURE_MAX bytes and
 * returns a copy of the result in `sig` (room for UGW_SIGNATURE_MAX). */
static ugw_status signx(const ugw_secret *s, const char *id, int64_t ts,
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
static ugw_status signer_signx(ugw_webhook_signer *sg, const char *id,
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
static ugw_status verifyx(const ugw_secret *s, const char *id, const char *ts,
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
static ugw_status verify_ref(const char *ts, const char *sig, int64_t now,
                             int64_t tol)
{
    ugw_secret s = secret_of(REF_SECRET);
    return verifyx(&s, REF_ID, ts, sig, LIT(REF_BODY), now, tol);
}

static unsigned char *big_body(void)
{
    unsigned char *b = malloc(BIG_LEN);
    assert_non_null(b);
    for (size_t i = 0; i < BIG_LEN; i++)
        b[i] = (unsigned char)((i * 31 + 7) & 0xff);
    return b;
}

/* ------------------------------------------------------------------ */
/* Known answers                                                        */
/* ------------------------------------------------------------------ */

static void test_sign_reference(void **state)
{
    (void)state;
    char sig[UGW_SIGNATURE_MAX];
    ugw_secret s = secret_of(REF_SECRET);
    assert_int_equal(s.len, 24);
    assert_int_equal(signx(&s, REF_ID, REF_TS, LIT(REF_BODY), sig), UGW_OK);
    assert_string_equal(sig, REF_SIG);

    /* The same key without the prefix. */
    ugw_secret bare = secret_of("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
    assert_int_equal(bare.len, 24);
    assert_memory_equal(bare.key, s.key, 24);
    assert_int_equal(signx(&bare, REF_ID, REF_TS, LIT(REF_BODY), sig), UGW_OK);
    assert_string_equal(sig, REF_SIG);
}

static void test_sign_vectors(void **state)
{
    (void)state;
    char sig[UGW_SIGNATURE_MAX];

    ugw_secret k256 = secret_of("whsec_" KEY256_B64);
    assert_int_equal(k256.len, 256);
    assert_int_equal(signx(&k256, KEY256_ID, KEY256_TS, key256_body,
                           sizeof key256_body, sig), UGW_OK);
    assert_string_equal(sig, KEY256_SIG);

    ugw_secret k1 = secret_of(KEY1_B64);
    assert_int_equal(k1.len, 1);
    assert_int_equal(k1.key[0], 0x2a);
    assert_int_equal(signx(&k1, "", 0, "", 0, sig), UGW_OK);
    assert_string_equal(sig, KEY1_SIG);
    /* A NULL body of length 0 is the empty body. */
    char out[UGW_SIGNATURE_MAX];
    assert_int_equal(ugw_webhook_sign(&k1, "", 0, NULL, 0, out, sizeof out, NULL), UGW_OK);
    assert_string_equal(out, KEY1_SIG);
}

static void test_sign_large_body(void **state)
{
    (void)state;
    char sig[UGW_SIGNATURE_MAX];
    ugw_secret s = secret_of(REF_SECRET);
    unsigned char *b = big_body();

    assert_int_equal(ugw_webhook_sign(&s, "msg_big", REF_TS, b, BIG_LEN, sig, sizeof sig, NULL), UGW_OK);
    assert_string_equal(sig, BIG_SIG);

    ugw_webhook_signer *sg = ugw_webhook_signer_new(&s);
    assert_non_null(sg);
    assert_int_equal(ugw_webhook_signer_sign(sg, "msg_big", REF_TS, b, BIG_LEN, sig, sizeof sig, NULL), UGW_OK);
    assert_string_equal(sig, BIG_SIG);
    ugw_webhook_signer_free(sg);

    assert_int_equal(ugw_webhook_verify(&s, "msg_big", REF_TS_TEXT, BIG_SIG, b, BIG_LEN, REF_TS, 0, NULL), UGW_OK);
    /* BIG_SIG has an 'A' (zero bits) at offset 13 of its base64; OpenSSL's
     * EVP_DecodeBlock would decode '=' there to the same bytes. */
    char mangled[] = BIG_SIG;
    assert_int_equal(mangled[3 + 13], 'A');
    mangled[3 + 13] = '=';
    assert_int_equal(ugw_webhook_verify(&s, "msg_big", REF_TS_TEXT, mangled, b, BIG_LEN, REF_TS, 0, NULL), UGW_ERR_SIGNATURE);
    b[BIG_LEN - 1] ^= 1;
    assert_int_equal(ugw_webhook_verify(&s, "msg_big", REF_TS_TEXT, BIG_SIG, b, BIG_LEN, REF_TS, 0, NULL), UGW_ERR_SIGNATURE);
    free(b);
}

/* ------------------------------------------------------------------ */
/* Signing: buffers and arguments                                       */
/* ------------------------------------------------------------------ */

static void test_sign_buffer(void **state)
{
    (void)state;
    ugw_secret s = secret_of(REF_SECRET);
    ugw_error err;

    /* One byte short: UGW_ERR_BUFFER, output emptied, nothing past it written. */
    char *small = malloc(UGW_SIGNATURE_MAX - 1);
    assert_non_null(small);
    memset(small, 'x', UGW_SIGNATURE_MAX - 1);
    assert_int_equal(ugw_webhook_sign(&s, REF_ID, REF_TS, LIT(REF_BODY), small, UGW_SIGNATURE_MAX - 1, &err), UGW_ERR_BUFFER);
    assert_int_equal(err.code, UGW_ERR_BUFFER);
    assert_non_null(err.message);
    assert_int_equal(small[0], '\0');
    free(small);

    /* cap 0: nothing written at all. */
    char canary = 'c';
    assert_int_equal(ugw_webhook_sign(&s, REF_ID, REF_TS, LIT(REF_BODY), &canary, 0, NULL), UGW_ERR_BUFFER);
    assert_int_equal(canary, 'c');

    /* Exactly UGW_SIGNATURE_MAX: fits, NUL included. */
    char *fit = malloc(UGW_SIGNATURE_MAX);
    assert_non_null(fit);
    assert_int_equal(ugw_webhook_sign(&s, REF_ID, REF_TS, LIT(REF_BODY), fit, UGW_SIGNATURE_MAX, &err), UGW_OK);
    assert_int_equal(err.code, UGW_OK);
    assert_string_equal(fit, REF_SIG);
    free(fit);

    /* The signer has the same rule and stays usable after it. */
    ugw_webhook_signer *sg = ugw_webhook_signer_new(&s);
    assert_non_null(sg);
    char out[UGW_SIGNATURE_MAX];
    assert_int_equal(ugw_webhook_signer_sign(sg, REF_ID, REF_TS, LIT(REF_BODY), out, sizeof out - 1, &err), UGW_ERR_BUFFER);
    assert_int_equal(out[0], '\0');
    assert_int_equal(ugw_webhook_signer_sign(sg, REF_ID, REF_TS, LIT(REF_BODY), out, sizeof out, &err), UGW_OK);
    assert_string_equal(out, REF_SIG);
    ugw_webhook_signer_free(sg);
}

static void test_sign_args(void **state)
{
    (void)state;
    ugw_secret s = secret_of(REF_SECRET);
    ugw_error err;
    char out[UGW_SIGNATURE_MAX];

    assert_int_equal(ugw_webhook_sign(NULL, REF_ID, REF_TS, LIT(REF_BODY), out, sizeof out, &err), UGW_ERR_ARG);
    assert_int_equal(err.code, UGW_ERR_ARG);
    assert_non_null(err.message);
    assert_string_equal(err.path, "");
    assert_int_equal(ugw_webhook_sign(&s, NULL, REF_TS, LIT(REF_BODY), out, sizeof out, &err), UGW_ERR_ARG);
    assert_int_equal(ugw_webhook_sign(&s, REF_ID, REF_TS, NULL, 5, out, sizeof out, &err), UGW_ERR_ARG);
    assert_int_equal(ugw_webhook_sign(&s, REF_ID, REF_TS, LIT(REF_BODY), NULL, sizeof out, &err), UGW_ERR_ARG);
    assert_int_equal(ugw_webhook_sign(&s, REF_ID, -1, LIT(REF_BODY), out, sizeof out, &err), UGW_ERR_ARG);
    assert_int_equal(ugw_webhook_sign(&s, REF_ID, INT64_MIN, LIT(REF_BODY), out, sizeof out, NULL), UGW_ERR_ARG);
    assert_int_equal(out[0], '\0');

    /* A secret struct whose length is out of range. */
    ugw_secret bad = s;
    bad.len = 0;
    assert_int_equal(ugw_webhook_sign(&bad, REF_ID, REF_TS, LIT(REF_BODY), out, sizeof out, &err), UGW_ERR_SECRET);
    assert_int_equal(err.code, UGW_ERR_SECRET);
    bad.len = UGW_SECRET_MAX + 1;
    assert_int_equal(ugw_webhook_sign(&bad, REF_ID, REF_TS, LIT(REF_BODY), out, sizeof out, &err), UGW_ERR_SECRET);

    /* err is cleared by a success after a failure. */
    assert_int_equal(ugw_webhook_sign(&s, REF_ID, REF_TS, LIT(REF_BODY), out, sizeof out, &err), UGW_OK);
    assert_int_equal(err.code, UGW_OK);

    /* The largest timestamp is written in full. */
    char sig[UGW_SIGNATURE_MAX];
    assert_int_equal(signx(&s, REF_ID, INT64_MAX, LIT(REF_BODY), sig), UGW_OK);
    assert_int_equal(verify_ref("9223372036854775807", sig, INT64_MAX, 0), UGW_OK);
}

static void test_signer(void **state)
{
    (void)state;
    ugw_secret s = secret_of(REF_SECRET);
    ugw_secret k256 = secret_of(KEY256_B64);
    char sig[UGW_SIGNATURE_MAX];
    ugw_error err;

    assert_null(ugw_webhook_signer_new(NULL));
    ugw_secret bad = s;
    bad.len = 0;
    assert_null(ugw_webhook_signer_new(&bad));
    bad.len = UGW_SECRET_MAX + 1;
    assert_null(ugw_webhook_signer_new(&bad));
    ugw_webhook_signer_free(NULL);
    assert_int_equal(ugw_webhook_signer_sign(NULL, REF_ID, REF_TS, LIT(REF_BODY), sig, sizeof sig, &err), UGW_ERR_ARG);
    assert_int_equal(err.code, UGW_ERR_ARG);

    ugw_webhook_signer *a = ugw_webhook_signer_new(&s);
    ugw_webhook_signer *b = ugw_webhook_signer_new(&k256);
    assert_non_null(a);
    assert_non_null(b);
    /* The key is copied: clearing the secret does not change the signer. */
    memset(&s, 0, sizeof s);

    /* Repeated and interleaved: each signature starts from the key alone. */
    for (int i = 0; i < 3; i++) {
        assert_int_equal(signer_signx(a, REF_ID, REF_TS, LIT(REF_BODY), sig), UGW_OK);
        assert_string_equal(sig, REF_SIG);
        assert_int_equal(signer_signx(b, KEY256_ID, KEY256_TS, key256_body, sizeof key256_body, sig), UGW_OK);
        assert_string_equal(sig, KEY256_SIG);
        /* Argument failures leave the signer usable. */
        assert_int_equal(signer_signx(a, REF_ID, -5, LIT(REF_BODY), sig), UGW_ERR_ARG);
        assert_int_equal(ugw_webhook_signer_sign(a, NULL, REF_TS, LIT(REF_BODY), sig, sizeof sig, NULL), UGW_ERR_ARG);
    }
    ugw_webhook_signer_free(a);
    ugw_webhook_signer_free(b);
}

/* Many threads signing at once with both APIs and one shared secret. */
#define THREADS 4
#define THREAD_ROUNDS 500

static void *sign_thread(void *arg)
{
    const ugw_secret *s = arg;
    ugw_webhook_signer *sg = ugw_webhook_signer_new(s);
    char sig[UGW_SIGNATURE_MAX];
    intptr_t bad = sg == NULL;
    for (int i = 0; i < THREAD_ROUNDS && sg != NULL; i++) {
        if (ugw_webhook_sign(s, REF_ID, REF_TS, LIT(REF_BODY), sig, sizeof sig, NULL) != UGW_OK
            || strcmp(sig, REF_SIG) != 0)
            bad++;
        if (ugw_webhook_signer_sign(sg, REF_ID, REF_TS, LIT(REF_BODY), sig, sizeof sig, NULL) != UGW_OK
            || strcmp(sig, REF_SIG) != 0)
            bad++;
        if (ugw_webhook_verify(s, REF_ID, REF_TS_TEXT, REF_SIG, LIT(REF_BODY), REF_TS, 0, NULL) != UGW_OK)
            bad++;
    }
    ugw_webhook_signer_free(sg);
    return (void *)bad;
}

static void test_threads(void **state)
{
    (void)state;
    ugw_secret s = secret_of(REF_SECRET);
    pthread_t t[THREADS];
    for (int i = 0; i < THREADS; i++)
        assert_int_equal(pthread_create(&t[i], NULL, sign_thread, &s), 0);
    for (int i = 0; i < THREADS; i++) {
        void *r = NULL;
        assert_int_equal(pthread_join(t[i], &r), 0);
        assert_int_equal((intptr_t)r, 0);
    }
}

/* ------------------------------------------------------------------ */
/* Secrets                                                              */
/* ------------------------------------------------------------------ */

/* Expects UGW_ERR_SECRET at `pos` and a zeroed output. */
static void secret_fails(const void *text, size_t len, size_t pos)
{
    ugw_secret s;
    ugw_error err;
    memset(&s, 0x55, sizeof s);
    assert_int_equal(parsex(text, len, &s, &err), UGW_ERR_SECRET);
    assert_int_equal(err.code, UGW_ERR_SECRET);
    assert_non_null(err.message);
    assert_int_equal(err.pos, pos);
    assert_string_equal(err.path, "");
    assert_int_equal(s.len, 0);
    for (size_t i = 0; i < sizeof s.key; i++)
        assert_int_equal(s.key[i], 0);
}

static void test_secret_parse(void **state)
{
    (void)state;
    ugw_secret s, ref = secret_of(REF_SECRET);
    ugw_error err;

    /* White space around, with and without the prefix. */
    assert_int_equal(parsex(LIT(" \t\r\n" REF_SECRET " \n"), &s, &err), UGW_OK);
    assert_int_equal(s.len, 24);
    assert_memory_equal(s.key, ref.key, 24);
    assert_int_equal(parsex(LIT("\fMfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\v"), &s, &err), UGW_OK);
    assert_memory_equal(s.key, ref.key, 24);
    /* Only `len` bytes count: what follows is not read. */
    assert_int_equal(ugw_secret_parse(REF_SECRET "!!!!", strlen(REF_SECRET), &s, &err), UGW_OK);
    assert_memory_equal(s.key, ref.key, 24);

    /* Padding of one and two. */
    assert_int_equal(parsex(LIT("AAE="), &s, &err), UGW_OK);
    assert_int_equal(s.len, 2);
    assert_int_equal(s.key[1], 1);
    assert_int_equal(parsex(LIT("whsec_Kg=="), &s, &err), UGW_OK);
    assert_int_equal(s.len, 1);
    assert_int_equal(s.key[0], 0x2a);
    /* The whole alphabet, '+' and '/' included. */
    assert_int_equal(parsex(LIT("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"), &s, &err), UGW_OK);
    assert_int_equal(s.len, 48);
    assert_int_equal(s.key[47], 0xbf); /* "89+/" ends 10111111 */

    /* Exactly 256 bytes. */
    assert_int_equal(parsex(LIT("whsec_" KEY256_B64), &s, &err), UGW_OK);
    assert_int_equal(s.len, 256);
    for (size_t i = 0; i < 256; i++)
        assert_int_equal(s.key[i], i);

    /* Empty. */
    secret_fails(LIT(""), 0);
    secret_fails(LIT("   \t\n"), 5);
    secret_fails(LIT("whsec_"), 6);
    secret_fails(LIT("  whsec_  "), 8);
    assert_int_equal(ugw_secret_parse(NULL, 0, &s, &err), UGW_ERR_SECRET);

    /* Invalid characters, at their offset. */
    secret_fails(LIT("MfKQ9r8GKYqrTwjUPD8ILPZIo2La-aSw"), 28); /* URL-safe '-' */
    secret_fails(LIT("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLa_w"), 6 + 30);
    secret_fails(LIT("whsec_MfKQ9r8GKYqrTwjU PD8ILPZIo2LaLaSw"), 6 + 16); /* inner space */
    secret_fails(LIT("whsec_ MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"), 6);
    secret_fails(LIT("MfKQ9r8GKYqr\nTwjUPD8ILPZIo2LaLaSw"), 12);        /* line break */
    secret_fails(LIT("AA\0A"), 2);                                        /* NUL */
    secret_fails(LIT("AA\xc3\xa9"), 2);                                   /* non-ASCII */
    secret_fails(LIT("WHSEC_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"), 5);     /* prefix is lower case */
    secret_fails(LIT("whsec_whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"), 6 + 5);

    /* Bad padding and wrong lengths. */
    secret_fails(LIT("AB=C"), 2);   /* '=' inside */
    secret_fails(LIT("A=A="), 1);
    secret_fails(LIT("A==="), 1);   /* three '=' */
    secret_fails(LIT("===="), 0);
    secret_fails(LIT("AAA"), 3);    /* padding missing */
    secret_fails(LIT("AA="), 3);
    secret_fails(LIT("AAAAA"), 5);
    secret_fails(LIT("AAAA="), 5);  /* extra padding */
    secret_fails(LIT("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaS"), 31);

    /* 257 and 300 bytes: too long. */
    char b257[6 + 344 + 1], b300[400];
    memcpy(b257, "whsec_" KEY256_B64, 6 + 344);
    memcpy(b257 + 6 + 342, "A=", 2);     /* 256 bytes + 1 more: "...w==" -> "...wA=" */
    assert_int_equal(parsex(b257, 6 + 344, &s, &err), UGW_ERR_SECRET);
    assert_int_equal(s.len, 0);
    memset(b300, 'A', 400);
    secret_fails(b300, 400, 0);
    secret_fails(b300, 348, 0); /* 261 bytes */

    /* Arguments. */
    assert_int_equal(ugw_secret_parse(NULL, 4, &s, &err), UGW_ERR_ARG);
    assert_int_equal(err.code, UGW_ERR_ARG);
    assert_int_equal(ugw_secret_parse(LIT("AAAA"), NULL, &err), UGW_ERR_ARG);
    assert_int_equal(ugw_secret_parse(LIT("AAAA"), &s, NULL), UGW_OK);
    assert_int_equal(ugw_secret_parse(LIT("AAA"), &s, NULL), UGW_ERR_SECRET);
}

static void test_secret_format_generate(void **state)
{
    (void)state;
    ugw_secret s = secret_of(REF_SECRET), back;

    /* Round trips, with exact output buffers. */
    char *t = malloc(sizeof REF_SECRET);
    assert_non_null(t);
    assert_int_equal(ugw_secret_format(&s, t, sizeof REF_SECRET), UGW_OK);
    assert_string_equal(t, REF_SECRET);
    assert_int_equal(ugw_secret_format(&s, t, sizeof REF_SECRET - 1), UGW_ERR_BUFFER);
    assert_int_equal(t[0], '\0');
    free(t);
    ugw_secret k256 = secret_of(KEY256_B64);
    char *t256 = malloc(UGW_SECRET_TEXT_MAX);
    assert_non_null(t256);
    assert_int_equal(ugw_secret_format(&k256, t256, UGW_SECRET_TEXT_MAX), UGW_OK);
    assert_string_equal(t256, "whsec_" KEY256_B64);
    assert_int_equal(strlen(t256), UGW_SECRET_TEXT_MAX - 1);
    free(t256);
    char buf[UGW_SECRET_TEXT_MAX];
    ugw_secret k1 = secret_of(KEY1_B64);
    assert_int_equal(ugw_secret_format(&k1, buf, sizeof buf), UGW_OK);
    assert_string_equal(buf, "whsec_" KEY1_B64);

    assert_int_equal(ugw_secret_format(NULL, buf, sizeof buf), UGW_ERR_ARG);
    assert_int_equal(ugw_secret_format(&s, NULL, sizeof buf), UGW_ERR_ARG);
    ugw_secret bad = s;
    bad.len = 0;
    assert_int_equal(ugw_secret_format(&bad, buf, sizeof buf), UGW_ERR_SECRET);
    bad.len = UGW_SECRET_MAX + 1;
    assert_int_equal(ugw_secret_format(&bad, buf, sizeof buf), UGW_ERR_SECRET);

    /* Generate: 32 bytes, text that parses back to them, two differ. */
    ugw_secret g1, g2;
    char *gt = malloc(UGW_SECRET_GENERATED_TEXT_MAX);
    assert_non_null(gt);
    assert_int_equal(ugw_secret_generate(&g1, gt, UGW_SECRET_GENERATED_TEXT_MAX), UGW_OK);
    assert_int_equal(g1.len, UGW_SECRET_GENERATED_LEN);
    assert_int_equal(strlen(gt), UGW_SECRET_GENERATED_TEXT_MAX - 1);
    assert_memory_equal(gt, "whsec_", 6);
    assert_int_equal(parsex(gt, strlen(gt), &back, NULL), UGW_OK);
    assert_int_equal(back.len, 32);
    assert_memory_equal(back.key, g1.key, 32);
    free(gt);
    assert_int_equal(ugw_secret_generate(&g2, NULL, 0), UGW_OK);
    assert_int_equal(g2.len, 32);
    assert_memory_not_equal(g1.key, g2.key, 32);

    char small[UGW_SECRET_GENERATED_TEXT_MAX - 1];
    memset(&g2, 0x55, sizeof g2);
    assert_int_equal(ugw_secret_generate(&g2, small, sizeof small), UGW_ERR_BUFFER);
    assert_int_equal(small[0], '\0');
    assert_int_equal(g2.len, 0);
    assert_int_equal(ugw_secret_generate(NULL, buf, sizeof buf), UGW_ERR_ARG);

    /* A generated secret signs and verifies with a fresh id. */
    char id[UGW_WEBHOOK_ID_MAX], sig[UGW_SIGNATURE_MAX], ts[24];
    int64_t now = (int64_t)time(NULL);
    assert_int_equal(ugw_webhook_id_new(id), UGW_OK);
    assert_int_equal(signx(&g1, id, now, LIT(REF_BODY), sig), UGW_OK);
    snprintf(ts, sizeof ts, "%lld", (long long)now);
    assert_int_equal(verifyx(&g1, id, ts, sig, LIT(REF_BODY), now, 0), UGW_OK);
    assert_int_equal(verifyx(&back, id, ts, sig, LIT(REF_BODY), now, 0), UGW_OK);
    assert_int_equal(verifyx(&k1, id, ts, sig, LIT(REF_BODY), now, 0), UGW_ERR_SIGNATURE);
}

/* ------------------------------------------------------------------ */
/* Verifying                                                            */
/* ------------------------------------------------------------------ */

static void test_verify_basic(void **state)
{
    (void)state;
    ugw_secret s = secret_of(REF_SECRET);

    assert_int_equal(verify_ref(REF_TS_TEXT, REF_SIG, REF_TS, 0), UGW_OK);

    /* Wrong body: each byte flipped in turn. */
    char body[] = REF_BODY;
    for (size_t i = 0; i < sizeof body - 1; i++) {
        body[i] ^= 0x01;
        assert_int_equal(verifyx(&s, REF_ID, REF_TS_TEXT, REF_SIG, body, sizeof body - 1, REF_TS, 0), UGW_ERR_SIGNATURE);
        body[i] ^= 0x01;
    }
    assert_int_equal(verifyx(&s, REF_ID, REF_TS_TEXT, REF_SIG, body, sizeof body - 1, REF_TS, 0), UGW_OK);
    /* Body one byte shorter or longer. */
    assert_int_equal(verifyx(&s, REF_ID, REF_TS_TEXT, REF_SIG, body, sizeof body - 2, REF_TS, 0), UGW_ERR_SIGNATURE);
    assert_int_equal(verifyx(&s, REF_ID, REF_TS_TEXT, REF_SIG, body, sizeof body, REF_TS, 0), UGW_ERR_SIGNATURE);

    /* Wrong id, wrong timestamp, wrong key. */
    assert_int_equal(verifyx(&s, "msg_p5jXN8AQM9LWM0D4loKWxJeK", REF_TS_TEXT, REF_SIG, LIT(REF_BODY), REF_TS, 0), UGW_ERR_SIGNATURE);
    assert_int_equal(verifyx(&s, "", REF_TS_TEXT, REF_SIG, LIT(REF_BODY), REF_TS, 0), UGW_ERR_SIGNATURE);
    assert_int_equal(verifyx(&s, REF_ID, "1614265331", REF_SIG, LIT(REF_BODY), REF_TS, 0), UGW_ERR_SIGNATURE);
    ugw_secret k = s;
    k.key[23] ^= 0x80;
    assert_int_equal(verifyx(&k, REF_ID, REF_TS_TEXT, REF_SIG, LIT(REF_BODY), REF_TS, 0), UGW_ERR_SIGNATURE);

    /* The header text is what is hashed: leading zeros are signed as sent. */
    assert_int_equal(verify_ref("01614265330", REF_SIG_TS_LEADING_ZERO, REF_TS, 0), UGW_OK);
    assert_int_equal(verify_ref("01614265330", REF_SIG, REF_TS, 0), UGW_ERR_SIGNATURE);

    /* Other known answers verify. */
    ugw_secret k256 = secret_of(KEY256_B64), k1 = secret_of(KEY1_B64);
    assert_int_equal(verifyx(&k256, KEY256_ID, "1700000000", KEY256_SIG, key256_body, sizeof key256_body, KEY256_TS, 0), UGW_OK);
    assert_int_equal(verifyx(&k1, "", "0", KEY1_SIG, "", 0, 0, 0), UGW_OK);
    assert_int_equal(ugw_webhook_verify(&k1, "", "0", KEY1_SIG, NULL, 0, 0, 0, NULL), UGW_OK);
}

static void test_verify_signature_list(void **state)
{
    (void)state;
    /* A well-formed v1 entry with another MAC. */
#define WRONG_SIG "v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4="

    /* Several entries, the right one last, first, in the middle. */
    assert_int_equal(verify_ref(REF_TS_TEXT, "v1,bm9wZQ== v1a,abc " REF_SIG, REF_TS, 0), UGW_OK);
    assert_int_equal(verify_ref(REF_TS_TEXT, WRONG_SIG " " REF_SIG, REF_TS, 0), UGW_OK);
    assert_int_equal(verify_ref(REF_TS_TEXT, REF_SIG " " WRONG_SIG, REF_TS, 0), UGW_OK);
    assert_int_equal(verify_ref(REF_TS_TEXT, WRONG_SIG " " REF_SIG " " WRONG_SIG, REF_TS, 0), UGW_OK);
    assert_int_equal(verify_ref(REF_TS_TEXT, "garbage " REF_SIG " v1a,xyz", REF_TS, 0), UGW_OK);
    /* Runs of spaces and tabs, leading and trailing. */
    assert_int_equal(verify_ref(REF_TS_TEXT, "  v1a,x \t  " REF_SIG "\t ", REF_TS, 0), UGW_OK);
    /* A signature that is only wrong. */
    assert_int_equal(verify_ref(REF_TS_TEXT, WRONG_SIG, REF_TS, 0), UGW_ERR_SIGNATURE);
    assert_int_equal(verify_ref(REF_TS_TEXT, WRONG_SIG " " WRONG_SIG, REF_TS, 0), UGW_ERR_SIGNATURE);

    /* Only other versions, even with the right bytes. */
    assert_int_equal(verify_ref(REF_TS_TEXT, "v1a,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", REF_TS, 0), UGW_ERR_SIGNATURE);
    assert_int_equal(verify_ref(REF_TS_TEXT, "v1a,abc v2,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", REF_TS, 0), UGW_ERR_SIGNATURE);
    assert_int_equal(verify_ref(REF_TS_TEXT, "V1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", REF_TS, 0), UGW_ERR_SIGNATURE);
    assert_int_equal(verify_ref(REF_TS_TEXT, "v1g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", REF_TS, 0), UGW_ERR_SIGNATURE);

    /* Garbage: each alone fails, none is an error of its own. */
    static const char *const garbage[] = {
        "", " ", "\t", "garbage", "v1", "v1,", ",", "v1,,",
        "v1,!!!!", "v1,====", "v1,bm9wZQ==",
        /* the right MAC, mangled */
        "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE",   /* padding missing */
        "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE==", /* extra '=' */
        "v1,g0hM9SsE-OTPJTGt_tmIKtSyZlE3uFJELVlNIOLJ1OE=",  /* URL-safe */
        "v1, g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", /* space after comma */
        "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=,",
        ",v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
        "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=x",
        "v1,v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
        "v1;g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",  /* not a comma */
        "v2,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
        "1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
        "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1O==", /* 31 bytes */
        "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=g0hM",
        "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=\n",
        "v1,g0hM9SsE+OTPJTGt\n/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
    };
    for (size_t i = 0; i < sizeof garbage / sizeof garbage[0]; i++)
        assert_int_equal(verify_ref(REF_TS_TEXT, garbage[i], REF_TS, 0), UGW_ERR_SIGNATURE);
    /* and garbage next to the right signature is ignored. */
    char list[1024] = "";
    for (size_t i = 0; i < sizeof garbage / sizeof garbage[0]; i++) {
        if (strchr(garbage[i], '\n') != NULL)
            continue; /* a line break would glue two entries */
        strcat(list, garbage[i]);
        strcat(list, " ");
    }
    strcat(list, REF_SIG);
    assert_true(strlen(list) < sizeof list - 1);
    assert_int_equal(verify_ref(REF_TS_TEXT, list, REF_TS, 0), UGW_OK);

    /* Unused low bits of the last base64 character are ignored when
     * decoding ('E' = 000100, 'F' = 000101: same 4 leading bits). */
    char noncanon[sizeof REF_SIG];
    memcpy(noncanon, REF_SIG, sizeof REF_SIG);
    assert_int_equal(noncanon[3 + 42], 'E');
    noncanon[3 + 42] = 'F';
    assert_int_equal(verify_ref(REF_TS_TEXT, noncanon, REF_TS, 0), UGW_OK);
    noncanon[3 + 42] = 'I'; /* 001000: a different byte */
    assert_int_equal(verify_ref(REF_TS_TEXT, noncanon, REF_TS, 0), UGW_ERR_SIGNATURE);
}

static void test_verify_timestamp(void **state)
{
    (void)state;
    /* Exactly at the default tolerance (300 s) either way; one more fails. */
    assert_int_equal(verify_ref(REF_TS_TEXT, REF_SIG, REF_TS + 300, 0), UGW_OK);
    assert_int_equal(verify_ref(REF_TS_TEXT, REF_SIG, REF_TS - 300, 0), UGW_OK);
    assert_int_equal(verify_ref(REF_TS_TEXT, REF_SIG, REF_TS + 301, 0), UGW_ERR_TIMESTAMP); /* too old */
    assert_int_equal(verify_ref(REF_TS_TEXT, REF_SIG, REF_TS - 301, 0), UGW_ERR_TIMESTAMP); /* too new */
    /* A negative tolerance is the default too. */
    assert_int_equal(verify_ref(REF_TS_TEXT, REF_SIG, REF_TS + 300, -7), UGW_OK);
    assert_int_equal(verify_ref(REF_TS_TEXT, REF_SIG, REF_TS + 301, -7), UGW_ERR_TIMESTAMP);
    assert_int_equal(verify_ref(REF_TS_TEXT, REF_SIG, REF_TS + 301, INT64_MIN), UGW_ERR_TIMESTAMP);

    /* Custom tolerance. */
    assert_int_equal(verify_ref(REF_TS_TEXT, REF_SIG, REF_TS + 10, 10), UGW_OK);
    assert_int_equal(verify_ref(REF_TS_TEXT, REF_SIG, REF_TS - 10, 10), UGW_OK);
    assert_int_equal(verify_ref(REF_TS_TEXT, REF_SIG, REF_TS + 11, 10), UGW_ERR_TIMESTAMP);
    assert_int_equal(verify_ref(REF_TS_TEXT, REF_SIG, REF_TS - 11, 10), UGW_ERR_TIMESTAMP);
    assert_int_equal(verify_ref(REF_TS_TEXT, REF_SIG, REF_TS + 1, 1), UGW_OK);
    assert_int_equal(verify_ref(REF_TS_TEXT, REF_SIG, REF_TS + 2, 1), UGW_ERR_TIMESTAMP);
    assert_int_equal(verify_ref(REF_TS_TEXT, REF_SIG, REF_TS + 100000, 100000), UGW_OK);
    assert_int_equal(verify_ref(REF_TS_TEXT, REF_SIG, REF_TS + 1000, 100000), UGW_OK);
    assert_int_equal(verify_ref(REF_TS_TEXT, REF_SIG, INT64_MAX, INT64_MAX), UGW_OK);
    assert_int_equal(verify_ref(REF_TS_TEXT, REF_SIG, INT64_MIN, INT64_MAX), UGW_ERR_TIMESTAMP);

    /* The timestamp is checked first: a bad one hides a bad signature. */
    assert_int_equal(verify_ref(REF_TS_TEXT, "v1,nope", REF_TS + 301, 0), UGW_ERR_TIMESTAMP);

    /* Malformed. */
    static const char *const bad[] = {
        "", "12a", "a12", "-5", "+5", "-1614265330", "+1614265330",
        " 1614265330", "1614265330 ", "1614265330\n", "1614265330.0",
        "1.6e9", "0x6037e3f2", "1614265330 1614265330", "\xd9\xa1",
        "123456789012345678901",  /* 21 digits */
        "000000000001614265330",  /* 21 digits, a fine value */
        "01614265330000000000",   /* 20 digits */
        "9223372036854775808",    /* INT64_MAX + 1 */
        "9999999999999999999",
        "18446744073709551616",   /* 2^64 */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(verify_ref(bad[i], REF_SIG, REF_TS, 0), UGW_ERR_TIMESTAMP);
        assert_int_equal(verify_ref(bad[i], REF_SIG, REF_TS, INT64_MAX), UGW_ERR_TIMESTAMP);
    }

    /* Extremes that parse: no overflow in |now - ts|. */
    assert_int_equal(verify_ref("9223372036854775807", REF_SIG, INT64_MAX, 0), UGW_ERR_SIGNATURE);
    assert_int_equal(verify_ref("9223372036854775807", REF_SIG, INT64_MIN, 0), UGW_ERR_TIMESTAMP);
    assert_int_equal(verify_ref("9223372036854775807", REF_SIG, INT64_MIN, INT64_MAX), UGW_ERR_TIMESTAMP);
    assert_int_equal(verify_ref("9223372036854775807", REF_SIG, 0, INT64_MAX), UGW_ERR_SIGNATURE);
    assert_int_equal(verify_ref("0", REF_SIG, INT64_MIN, 0), UGW_ERR_TIMESTAMP);
    assert_int_equal(verify_ref("0", REF_SIG, -300, 0), UGW_ERR_SIGNATURE);
    assert_int_equal(verify_ref("0", REF_SIG, -301, 0), UGW_ERR_TIMESTAMP);
    assert_int_equal(verify_ref("0", REF_SIG, INT64_MAX, 0), UGW_ERR_TIMESTAMP);
}

static void test_verify_args(void **state)
{
    (void)state;
    ugw_secret s = secret_of(REF_SECRET);
    ugw_error err;

    /* V(secret, id, timestamp, signature, body, len) at REF_TS. */
#define V(...) ugw_webhook_verify(__VA_ARGS__, REF_TS, 0, &err)
    assert_int_equal(V(NULL, REF_ID, REF_TS_TEXT, REF_SIG, LIT(REF_BODY)), UGW_ERR_ARG);
    assert_int_equal(err.code, UGW_ERR_ARG);
    assert_non_null(err.message);
    assert_int_equal(V(&s, NULL, REF_TS_TEXT, REF_SIG, LIT(REF_BODY)), UGW_ERR_ARG);
    assert_int_equal(V(&s, REF_ID, NULL, REF_SIG, LIT(REF_BODY)), UGW_ERR_ARG);
    assert_int_equal(V(&s, REF_ID, REF_TS_TEXT, NULL, LIT(REF_BODY)), UGW_ERR_ARG);
    assert_int_equal(V(&s, REF_ID, REF_TS_TEXT, REF_SIG, NULL, 20), UGW_ERR_ARG);
    assert_int_equal(err.code, UGW_ERR_ARG);
    /* Missing headers passed as "". */
    assert_int_equal(V(&s, REF_ID, "", REF_SIG, LIT(REF_BODY)), UGW_ERR_TIMESTAMP);
    assert_int_equal(V(&s, REF_ID, REF_TS_TEXT, "", LIT(REF_BODY)), UGW_ERR_SIGNATURE);
    ugw_secret bad = s;
    bad.len = 0;
    assert_int_equal(V(&bad, REF_ID, REF_TS_TEXT, REF_SIG, LIT(REF_BODY)), UGW_ERR_SECRET);
    assert_int_equal(err.code, UGW_ERR_SECRET);
    bad.len = UGW_SECRET_MAX + 1;
    assert_int_equal(V(&bad, REF_ID, REF_TS_TEXT, REF_SIG, LIT(REF_BODY)), UGW_ERR_SECRET);
    /* err is cleared by a later success; NULL err is fine. */
    assert_int_equal(V(&s, REF_ID, REF_TS_TEXT, REF_SIG, LIT(REF_BODY)), UGW_OK);
    assert_int_equal(err.code, UGW_OK);
    assert_int_equal(ugw_webhook_verify(&s, REF_ID, "x", REF_SIG, LIT(REF_BODY), REF_TS, 0, NULL), UGW_ERR_TIMESTAMP);
#undef V
}

/* Sign then verify across ids, timestamps and body lengths around the
 * SHA-256 block size (64) and the HMAC key block. */
static void test_sign_verify_round_trip(void **state)
{
    (void)state;
    ugw_secret keys[3] = {secret_of(KEY1_B64), secret_of(REF_SECRET), secret_of(KEY256_B64)};
    unsigned char body[200];
    char sig[UGW_SIGNATURE_MAX], other[UGW_SIGNATURE_MAX], ts[24];
    for (size_t i = 0; i < sizeof body; i++)
        body[i] = (unsigned char)(i * 7 + 3);

    for (size_t k = 0; k < 3; k++) {
        ugw_webhook_signer *sg = ugw_webhook_signer_new(&keys[k]);
        assert_non_null(sg);
        for (size_t len = 0; len <= sizeof body; len += (len < 130 ? 1 : 17)) {
            int64_t t = REF_TS + (int64_t)len;
            snprintf(ts, sizeof ts, "%lld", (long long)t);
            assert_int_equal(signx(&keys[k], REF_ID, t, body, len, sig), UGW_OK);
            assert_int_equal(signer_signx(sg, REF_ID, t, body, len, other), UGW_OK);
            assert_string_equal(sig, other);
            assert_int_equal(verifyx(&keys[k], REF_ID, ts, sig, body, len, t, 0), UGW_OK);
            assert_int_equal(verifyx(&keys[(k + 1) % 3], REF_ID, ts, sig, body, len, t, 0), UGW_ERR_SIGNATURE);
            if (len != 0)
                assert_int_equal(verifyx(&keys[k], REF_ID, ts, sig, body, len - 1, t, 0), UGW_ERR_SIGNATURE);
        }
        ugw_webhook_signer_free(sg);
    }
}

/* ------------------------------------------------------------------ */
/* Ids                                                                  */
/* ------------------------------------------------------------------ */

static int cmp_id(const void *a, const void *b)
{
    return strcmp(a, b);
}

static void test_id_new(void **state)
{
    (void)state;
    enum { N = 1000 };
    static const char alphabet[] = "0123456789abcdefghjkmnpqrstvwxyz";
    char(*ids)[UGW_WEBHOOK_ID_MAX] = malloc(N * sizeof *ids);
    unsigned seen[32] = {0}, first[8] = {0};
    assert_non_null(ids);

    for (int i = 0; i < N; i++) {
        char *id = ids[i];
        memset(id, 'z', UGW_WEBHOOK_ID_MAX);
        assert_int_equal(ugw_webhook_id_new(id), UGW_OK);
        assert_int_equal(strlen(id), UGW_WEBHOOK_ID_LEN);
        assert_memory_equal(id, "msg_", 4);
        for (size_t j = 4; j < UGW_WEBHOOK_ID_LEN; j++) {
            const char *at = strchr(alphabet, id[j]);
            assert_non_null(at);
            assert_true(at - alphabet < 32); /* not the terminator */
            if (j == 4) {
                assert_true(at - alphabet < 8); /* the top two of 130 bits are 0 */
                first[at - alphabet]++;
            } else {
                seen[at - alphabet]++;
            }
        }
    }
    /* All distinct. */
    qsort(ids, N, sizeof *ids, cmp_id);
    for (int i = 1; i < N; i++)
        assert_string_not_equal(ids[i - 1], ids[i]);
    /* Every character shows up (25,000 draws of 32; missing one by chance
     * has probability below 1e-300), and each first character (1,000 of 8). */
    for (int c = 0; c < 32; c++)
        assert_true(seen[c] > 0);
    for (int c = 0; c < 8; c++)
        assert_true(first[c] > 0);
    free(ids);

    assert_int_equal(ugw_webhook_id_new(NULL), UGW_ERR_ARG);
}

/* A forked child must not repeat the ids its parent makes next (the
 * per-thread pool of random bytes is emptied in the child). */
static void test_id_fork(void **state)
{
    (void)state;
    enum { N = 40 }; /* more than one pool of 32 ids */
    char first[UGW_WEBHOOK_ID_MAX], parent[N][UGW_WEBHOOK_ID_MAX], child[N][UGW_WEBHOOK_ID_MAX];
    int fds[2];

    memset(child, 0, sizeof child); /* the tails after each NUL are sent too */
    assert_int_equal(ugw_webhook_id_new(first), UGW_OK); /* fills the pool */
    assert_int_equal(pipe(fds), 0);
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(fds[0]);
        for (int i = 0; i < N; i++)
            if (ugw_webhook_id_new(child[i]) != UGW_OK)
                _exit(2);
        size_t off = 0;
        while (off < sizeof child) {
            ssize_t w = write(fds[1], (char *)child + off, sizeof child - off);
            if (w <= 0)
                _exit(3);
            off += (size_t)w;
        }
        _exit(0);
    }
    close(fds[1]);
    for (int i = 0; i < N; i++)
        assert_int_equal(ugw_webhook_id_new(parent[i]), UGW_OK);
    size_t off = 0;
    while (off < sizeof child) {
        ssize_t r = read(fds[0], (char *)child + off, sizeof child - off);
        assert_true(r > 0);
        off += (size_t)r;
    }
    close(fds[0]);
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    for (int i = 0; i < N; i++) {
        assert_string_not_equal(child[i], first);
        for (int j = 0; j < N; j++)
            assert_string_not_equal(child[i], parent[j]);
    }
}

/* ------------------------------------------------------------------ */
/* Timing (printed, not asserted)                                       */
/* ------------------------------------------------------------------ */

static double now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

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

static void test_sign_timing(void **state)
{
    (void)state;
    enum { ROUNDS = 20000 };
    ugw_secret s;
    char body[300], sig[UGW_SIGNATURE_MAX], id[UGW_WEBHOOK_ID_MAX];
    assert_int_equal(ugw_secret_generate(&s, NULL, 0), UGW_OK);
    memset(body, 'x', sizeof body);
    assert_int_equal(ugw_webhook_id_new(id), UGW_OK);
    ugw_webhook_signer *sg = ugw_webhook_signer_new(&s);
    assert_non_null(sg);
    unsigned fails = 0;

    double t0 = now_ns();
    for (int i = 0; i < ROUNDS; i++)
        fails += ugw_webhook_sign(&s, id, REF_TS + i, body, sizeof body, sig, sizeof sig, NULL) != UGW_OK;
    double t1 = now_ns();
    for (int i = 0; i < ROUNDS; i++)
        fails += ugw_webhook_signer_sign(sg, id, REF_TS + i, body, sizeof body, sig, sizeof sig, NULL) != UGW_OK;
    double t2 = now_ns();
    for (int i = 0; i < ROUNDS; i++)
        fails += ugw_webhook_id_new(id) != UGW_OK;
    double t3 = now_ns();
    ugw_webhook_signer_free(sg);
    assert_int_equal(fails, 0);

    printf("[ timing ] 300-byte body: ugw_webhook_sign %.0f ns, ugw_webhook_signer_sign %.0f ns; ugw_webhook_id_new %.0f ns\n",
           (t1 - t0) / ROUNDS, (t2 - t1) / ROUNDS, (t3 - t2) / ROUNDS);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sign_reference),
        cmocka_unit_test(test_sign_vectors),
        cmocka_unit_test(test_sign_large_body),
        cmocka_unit_test(test_sign_buffer),
        cmocka_unit_test(test_sign_args),
        cmocka_unit_test(test_signer),
        cmocka_unit_test(test_threads),
        cmocka_unit_test(test_secret_parse),
        cmocka_unit_test(test_secret_format_generate),
        cmocka_unit_test(test_verify_basic),
        cmocka_unit_test(test_verify_signature_list),
        cmocka_unit_test(test_verify_timestamp),
        cmocka_unit_test(test_verify_args),
        cmocka_unit_test(test_sign_verify_round_trip),
        cmocka_unit_test(test_id_new),
        cmocka_unit_test(test_id_fork),
        cmocka_unit_test(test_base64_vectors),
        cmocka_unit_test(test_base64_errors),
        cmocka_unit_test(test_byte_scan),
        cmocka_unit_test(test_sign_timing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
