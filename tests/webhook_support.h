/*
 * webhook_support.h - what the webhook tests share: known-answer vectors
 * from independent implementations, and helpers that pass every input as a
 * heap copy of exactly its length, so that AddressSanitizer sees any read
 * out of bounds (webhook_support.c).
 */
#ifndef UGW_TEST_WEBHOOK_SUPPORT_H
#define UGW_TEST_WEBHOOK_SUPPORT_H

#include <stddef.h>
#include <stdint.h>

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
extern const unsigned char key256_body[17];
#define KEY256_SIG "v1,Eiq+qaP4+iVX48mLHLqL+/TvPXMDRuV11Y0nki2ReC4="

/* sig(b"\x2a", "", 0, b""): one-byte key "Kg==", empty id and body. */
#define KEY1_B64 "Kg=="
#define KEY1_SIG "v1,JmUZ94m8vKx3XPZB3NlIf4VikdoXgUQwbwBnW9GORZI="

/* sig(REF key, "msg_big", 1614265330, bytes((i*31+7) & 0xff for i in
 * range(1 << 20))): a 1 MiB body. */
#define BIG_LEN ((size_t)1 << 20)
#define BIG_SIG "v1,Qj6+EDMbDbmpeA0rERXwac7Ex7ZpFpVILcJuc4lZXtY="


/* ------------------------------------------------------------------ */
/* Helpers (webhook_support.c)                                          */
/* ------------------------------------------------------------------ */

char *exact(const void *s, size_t len);
char *dupz(const char *s);
ugw_status parsex(const void *text, size_t len, ugw_secret *out, ugw_error *err);
ugw_secret secret_of(const char *text);
ugw_status signx(const ugw_secret *s, const char *id, int64_t ts, const void *body, size_t len, char *sig);
ugw_status signer_signx(ugw_webhook_signer *sg, const char *id, int64_t ts, const void *body, size_t len, char *sig);
ugw_status verifyx(const ugw_secret *s, const char *id, const char *ts, const char *sig, const void *body, size_t len, int64_t now, int64_t tol);
ugw_status verify_ref(const char *ts, const char *sig, int64_t now, int64_t tol);
unsigned char *big_body(void);
double now_ns(void);

#endif /* UGW_TEST_WEBHOOK_SUPPORT_H */
