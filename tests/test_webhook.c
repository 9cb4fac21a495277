/*
 * test_webhook.c - cmocka tests of runtime/webhook/ugw_webhook.c: Standard
 * Webhooks signing and verification (ugw_webhook.h). Secrets and ids are
 * test_webhook_secret.c, base64 and the byte scanner test_webhook_base64.c.
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

#include "webhook_support.h"

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
        cmocka_unit_test(test_verify_basic),
        cmocka_unit_test(test_verify_signature_list),
        cmocka_unit_test(test_verify_timestamp),
        cmocka_unit_test(test_verify_args),
        cmocka_unit_test(test_sign_verify_round_trip),
        cmocka_unit_test(test_sign_timing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
