/*
 * ugw_webhook.h - Standard Webhooks signing and verification
 * (docs/CONTRACT.md §4), on OpenSSL's libcrypto.
 *
 * A sender puts three headers on every request:
 *   webhook-id         an opaque id, unique per event and the same on every
 *                      retry of it (ugw_webhook_id_new());
 *   webhook-timestamp  Unix seconds of this attempt, in decimal;
 *   webhook-signature  "v1," + base64(HMAC-SHA256(key,
 *                      "{webhook-id}.{webhook-timestamp}.{body}")), over the
 *                      exact body bytes sent (ugw_webhook_sign()).
 * A receiver checks them with ugw_webhook_verify().
 *
 * The key is given as text: "whsec_" + standard base64 (with padding) of 1 to
 * 256 bytes; the prefix is optional on input (ugw_secret_parse()).
 *
 * Key length: Standard Webhooks asks for keys of at least 24 bytes
 * (UGW_SECRET_MIN_LEN). ugw_secret_check() is that rule, and every
 * configuration that takes a secret applies it: ugw_receiver_new() and
 * ugw_client_new() refuse a shorter key with UGW_ERR_SECRET unless their
 * configuration sets allow_weak_secrets / allow_weak_secret (the `ugw`
 * command's --allow-weak-secret). The primitives below (parse, format,
 * sign, verify, signer) take any key of 1 to 256 bytes, so that existing
 * keys and test vectors can still be handled on purpose.
 *
 * Memory: nothing here copies the body; signing and verifying feed it to
 * libcrypto in place. Outputs go to the caller's buffers. Only
 * ugw_webhook_signer_new() allocates (and libcrypto, inside each call, for its
 * short-lived MAC context).
 *
 * Thread safety: every function is reentrant and may be called from many
 * threads at once, except that one ugw_webhook_signer is used by one thread at
 * a time. The HMAC implementation is fetched from libcrypto once per process,
 * on first use, and kept until exit (it shows as "still reachable" in
 * valgrind, with libcrypto's own globals).
 *
 * Key material: a ugw_secret is a plain struct; clear it with
 * OPENSSL_cleanse() when done if that matters to you. Temporary copies made
 * here are cleared before return.
 *
 * Failures of libcrypto itself (out of memory, no HMAC provider) return
 * UGW_ERR_NOMEM; failure of the random generator returns UGW_ERR_IO.
 */
#ifndef UGW_WEBHOOK_H
#define UGW_WEBHOOK_H

#include <stddef.h>
#include <stdint.h>

#include "ugw_runtime.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------ */
/* Secrets                                                              */
/* ------------------------------------------------------------------ */

/** Longest key in bytes. */
#define UGW_SECRET_MAX 256

/** Shortest key in bytes that a configuration accepts without an explicit
 * opt-in (the Standard Webhooks minimum; see ugw_secret_check()). */
#define UGW_SECRET_MIN_LEN 24

/** A signing key: `len` bytes (1..UGW_SECRET_MAX) of `key`. */
typedef struct ugw_secret {
    unsigned char key[UGW_SECRET_MAX];
    size_t len;
} ugw_secret;

/** Room for the text form of any secret: "whsec_" + 344 base64 chars + NUL. */
#define UGW_SECRET_TEXT_MAX (6 + 4 * ((UGW_SECRET_MAX + 2) / 3) + 1)

/** Key length of ugw_secret_generate(), and the room its text form needs
 * including the NUL: "whsec_" + 44 base64 chars + NUL. */
#define UGW_SECRET_GENERATED_LEN 32
#define UGW_SECRET_GENERATED_TEXT_MAX (6 + 44 + 1)

/**
 * Parses a secret: optional white space (space, tab, CR, LF, VT, FF), an
 * optional "whsec_" prefix (lower case), standard base64 of 1 to 256 bytes
 * with '=' padding to a multiple of 4 characters, optional white space.
 * Nothing else is accepted: no URL-safe alphabet, no missing or misplaced
 * padding, no white space or line breaks inside the base64. Unused low bits
 * in the last character are ignored, as Python's base64 module does.
 *
 * `text` is read for exactly `len` bytes (a NUL in it is an invalid
 * character) and not changed. On success fills `out`; on failure `out` is
 * zeroed (len 0) and the error is UGW_ERR_SECRET with `pos` the offset in
 * `text` of the problem (0 when about the whole text) and path "". NULL
 * `text` with `len` 0 is an empty secret (UGW_ERR_SECRET); NULL `text` with
 * `len` > 0, or NULL `out`, is UGW_ERR_ARG. `err` may be NULL and is cleared
 * first.
 */
UGW_API ugw_status ugw_secret_parse(const char *text, size_t len, ugw_secret *out,
                            ugw_error *err);

/**
 * The key-length rule of every configuration that takes a secret: UGW_OK
 * when s->len is UGW_SECRET_MIN_LEN to UGW_SECRET_MAX, or 1 to
 * UGW_SECRET_MIN_LEN - 1 with `allow_weak` (the caller's explicit opt-in).
 * Otherwise UGW_ERR_SECRET with a static message ("secret key shorter than
 * 24 bytes (the Standard Webhooks minimum)", or "secret key length not in
 * 1..256"), `pos` the key's length and path "". UGW_ERR_ARG when `s` is
 * NULL. `err` may be NULL and is cleared first. Reads `s` only; reentrant.
 */
UGW_API ugw_status ugw_secret_check(const ugw_secret *s, bool allow_weak, ugw_error *err);

/**
 * Writes the text form of `s`, "whsec_" + padded base64, NUL-terminated, into
 * `text` (`cap` bytes; UGW_SECRET_TEXT_MAX is always enough, exactly
 * 6 + 4*ceil(len/3) + 1 is needed). Returns UGW_ERR_ARG when `s` or `text` is
 * NULL, UGW_ERR_SECRET when s->len is 0 or above UGW_SECRET_MAX,
 * UGW_ERR_BUFFER when `cap` is too small; on failure text[0] is set to NUL
 * when cap > 0. `s` is not changed.
 */
UGW_API ugw_status ugw_secret_format(const ugw_secret *s, char *text, size_t cap);

/**
 * Makes a new secret of UGW_SECRET_GENERATED_LEN random bytes from OpenSSL's
 * RAND_bytes() into `out` (not NULL) and, when `text` is not NULL, writes its
 * text form (see ugw_secret_format(); `cap` at least
 * UGW_SECRET_GENERATED_TEXT_MAX). Returns UGW_ERR_ARG when `out` is NULL,
 * UGW_ERR_BUFFER when `text` is given and `cap` is too small (checked before
 * anything is generated), UGW_ERR_IO when the random generator fails. On
 * failure `out` is zeroed when not NULL and text[0] is NUL when text is given
 * and cap > 0.
 */
UGW_API ugw_status ugw_secret_generate(ugw_secret *out, char *text, size_t cap);

/* ------------------------------------------------------------------ */
/* Signing                                                              */
/* ------------------------------------------------------------------ */

/** Room for one signature, "v1," + 44 base64 characters, plus the NUL. */
#define UGW_SIGNATURE_MAX (3 + 44 + 1)

/**
 * Signs one attempt: writes "v1," + base64(HMAC-SHA256(s->key,
 * "{msg_id}.{timestamp}.{body}")), NUL-terminated, into `out` (`cap` bytes, at
 * least UGW_SIGNATURE_MAX) - the value of the webhook-signature header.
 * `timestamp` is the value sent as webhook-timestamp (Unix seconds, written in
 * decimal without leading zeros); `msg_id` is the webhook-id value, signed as
 * given. The body is `len` bytes at `body` (NULL allowed when `len` is 0),
 * hashed in place, never copied.
 *
 * Errors: UGW_ERR_ARG when `s`, `msg_id` or `out` is NULL, `body` is NULL with
 * `len` > 0, or `timestamp` is negative; UGW_ERR_SECRET when s->len is 0 or
 * above UGW_SECRET_MAX; UGW_ERR_BUFFER when `cap` < UGW_SIGNATURE_MAX;
 * UGW_ERR_NOMEM when libcrypto fails. On failure out[0] is NUL when `out` is
 * not NULL and `cap` > 0. Inputs are not changed. `err` may be NULL and is
 * cleared first; pos is 0 and path "".
 *
 * Thread safety: reentrant; makes and frees one libcrypto MAC context per call
 * (about 1 us for a 300-byte body). To sign many requests with one key, a
 * ugw_webhook_signer is about twice as fast.
 */
UGW_API ugw_status ugw_webhook_sign(const ugw_secret *s, const char *msg_id,
                            int64_t timestamp, const void *body, size_t len,
                            char *out, size_t cap, ugw_error *err);

/**
 * A keyed signer: the HMAC state after the key, kept so that each signature
 * costs only the hashing of the message (no allocation, no key setup). Used
 * by one thread at a time; make one per thread that signs.
 */
typedef struct ugw_webhook_signer ugw_webhook_signer;

/**
 * Makes a signer for the key in `s` (copied; `s` may be cleared afterwards).
 * Returns NULL when `s` is NULL, s->len is 0 or above UGW_SECRET_MAX, or
 * memory or libcrypto fails. Free it with ugw_webhook_signer_free().
 */
UGW_API ugw_webhook_signer *ugw_webhook_signer_new(const ugw_secret *s);

/** Frees a signer and clears its key material; NULL is a no-op. */
UGW_API void ugw_webhook_signer_free(ugw_webhook_signer *sg);

/**
 * As ugw_webhook_sign() with the signer's key: same output, same errors
 * (UGW_ERR_ARG when `sg` is NULL). Changes only the signer's internal state;
 * after a failure the signer is still usable.
 */
UGW_API ugw_status ugw_webhook_signer_sign(ugw_webhook_signer *sg, const char *msg_id,
                                   int64_t timestamp, const void *body,
                                   size_t len, char *out, size_t cap,
                                   ugw_error *err);

/* ------------------------------------------------------------------ */
/* Verifying                                                            */
/* ------------------------------------------------------------------ */

/** Tolerance used when ugw_webhook_verify() is given 0 or less: 5 minutes. */
#define UGW_WEBHOOK_TOLERANCE_DEFAULT 300

/**
 * Checks a request as a receiver: the three header values (NUL-terminated,
 * as received) and the exact body bytes.
 *
 * 1. `timestamp_header` must be 1 to 19 ASCII digits and nothing else (no
 *    sign, no white space) with a value up to INT64_MAX, and lie within
 *    `tolerance_s` seconds of `now` either way (|now - ts| <= tolerance; the
 *    default UGW_WEBHOOK_TOLERANCE_DEFAULT when `tolerance_s` <= 0). Else
 *    UGW_ERR_TIMESTAMP, path "webhook-timestamp". The header text itself, as
 *    received, is what the HMAC covers.
 * 2. `signature_header` is a list of entries separated by spaces or tabs
 *    (runs of them allowed). An entry "v1," + padded base64 of 32 bytes that
 *    equals HMAC-SHA256(s->key, "{msg_id}.{timestamp_header}.{body}"),
 *    compared in constant time (CRYPTO_memcmp), verifies the request. Other
 *    versions ("v1a,...") and malformed entries are ignored. No match:
 *    UGW_ERR_SIGNATURE, path "webhook-signature".
 *
 * `now` is Unix seconds (the caller's clock, so tests can fix it). `body` may
 * be NULL when `len` is 0. Returns UGW_OK when verified; UGW_ERR_ARG when
 * `s`, `msg_id`, `timestamp_header` or `signature_header` is NULL, or `body`
 * is NULL with `len` > 0 (a receiver that got no such header passes "" to get
 * UGW_ERR_TIMESTAMP or UGW_ERR_SIGNATURE instead); UGW_ERR_SECRET when s->len is 0 or above UGW_SECRET_MAX; UGW_ERR_NOMEM when
 * libcrypto fails. The timestamp is checked before the signature; pos is
 * always 0. Inputs are not changed; `err` may be NULL and is cleared first.
 * Reentrant.
 */
UGW_API ugw_status ugw_webhook_verify(const ugw_secret *s, const char *msg_id,
                              const char *timestamp_header,
                              const char *signature_header, const void *body,
                              size_t len, int64_t now, int64_t tolerance_s,
                              ugw_error *err);

/* ------------------------------------------------------------------ */
/* Base64                                                               */
/* ------------------------------------------------------------------ */

/*
 * Standard base64 with '=' padding (RFC 4648 section 4), on OpenSSL's
 * EVP_EncodeBlock() and EVP_DecodeBlock(): the one implementation that
 * secrets, signatures, dead letters and the command use. Lengths are checked
 * so that no size arithmetic wraps; inputs of any size are taken (OpenSSL's
 * int lengths are fed in chunks).
 */

/**
 * Length of the base64 text of `n` bytes, without a NUL: 4 * ceil(n / 3).
 * SIZE_MAX when that does not fit in a size_t (no text length is SIZE_MAX,
 * which is not a multiple of 4, so it cannot be mistaken for one).
 */
UGW_API size_t ugw_base64_encoded_len(size_t n);

/**
 * Writes the padded base64 of the `n` bytes at `in`, NUL-terminated, into
 * `out` (`cap` bytes: at least ugw_base64_encoded_len(n) + 1). `*out_len`
 * (`out_len` may be NULL) receives the text length, or on UGW_ERR_BUFFER the
 * length needed. Returns UGW_ERR_ARG when `out` is NULL or `in` is NULL with
 * `n` > 0, UGW_ERR_BUFFER when `cap` is too small (out[0] is then NUL when
 * `cap` > 0). Reentrant; allocates nothing.
 */
UGW_API ugw_status ugw_base64_encode(const void *in, size_t n, char *out, size_t cap,
                                     size_t *out_len);

/** The most bytes `n` characters of base64 decode to: n / 4 * 3 (never wraps). */
UGW_API size_t ugw_base64_decoded_max(size_t n);

/**
 * Decodes strict padded base64: `n` characters (`text` is read for exactly
 * `n` bytes; a NUL in it is an invalid character) of A-Z, a-z, 0-9, '+' and
 * '/', `n` a multiple of 4, with '=' only as the last one or two. Nothing else
 * is accepted: no white space or line breaks, no URL-safe alphabet, no
 * missing or extra padding. "" decodes to 0 bytes. Unused low bits in the
 * last character are ignored, as Python's base64 module does.
 *
 * With `out` NULL only checks and sets `*out_len`; otherwise writes the bytes
 * to `out` (`cap` bytes: at least the decoded length, which
 * ugw_base64_decoded_max(n) always is) and never writes past `cap`.
 *
 * Errors (`err` may be NULL and is cleared first; path ""):
 * UGW_ERR_SYNTAX for malformed text, with a static message ("invalid base64
 * character", "base64 padding '=' before the end", "more than two '=' of
 * base64 padding", "base64 length is not a multiple of 4 (missing or extra
 * padding)") and `pos` the offset of the first bad character (`n` for a
 * wrong length, the first '=' for too much padding); UGW_ERR_BUFFER when
 * `cap` is too small (`*out_len` the length needed, nothing written);
 * UGW_ERR_ARG when `out_len` is NULL or `text` is NULL with `n` > 0;
 * UGW_ERR_NOMEM only if OpenSSL disagrees with the check. Reentrant.
 */
UGW_API ugw_status ugw_base64_decode(const char *text, size_t n, void *out, size_t cap,
                                     size_t *out_len, ugw_error *err);

/* ------------------------------------------------------------------ */
/* Message ids                                                          */
/* ------------------------------------------------------------------ */

/**
 * Longest valid webhook id in bytes. A valid webhook id (docs/CONTRACT.md
 * §4.2) is 1 to UGW_WEBHOOK_ID_LEN_MAX bytes of printable ASCII without
 * space ('!' to '~'): the one rule of the client (ids a caller supplies),
 * the dead-letter reader and the receiver (see ugw_webhook_id_check()).
 */
#define UGW_WEBHOOK_ID_LEN_MAX 256
/** Room for any valid webhook id with its NUL. */
#define UGW_WEBHOOK_ID_MAX (UGW_WEBHOOK_ID_LEN_MAX + 1)
/** Length of an id from ugw_webhook_id_new(): "msg_" + 26 characters. */
#define UGW_WEBHOOK_ID_LEN 30

/**
 * Writes a new webhook id into `out`: "msg_" followed by 16 random bytes from
 * RAND_bytes() in 26 characters of lower-case Crockford base32
 * ("0123456789abcdefghjkmnpqrstvwxyz", most significant first, so the first
 * character is 0-7), NUL-terminated: UGW_WEBHOOK_ID_LEN characters. 128
 * random bits make a repeated id practically impossible. The id contains
 * only [a-z0-9_] (no '.'), so it is safe in an HTTP header and in the signed
 * content. Returns UGW_ERR_ARG when `out` is NULL, UGW_ERR_IO when the random
 * generator fails (out[0] is then NUL).
 *
 * Reentrant. RAND_bytes() has a fixed cost of about 2 us per call, so the
 * random bytes come from a per-thread pool of 512 bytes (32 ids) refilled
 * from RAND_bytes(); a pthread_atfork() handler empties the pool in a forked
 * child so that parent and child never hand out the same bytes. (A child
 * made by a raw clone() or vfork() that skips fork handlers must not call
 * this before exec.)
 */
UGW_API ugw_status ugw_webhook_id_new(char out[UGW_WEBHOOK_ID_MAX]);

/**
 * Checks that `s[0..len)` is a valid webhook id: 1 to
 * UGW_WEBHOOK_ID_LEN_MAX bytes, each printable ASCII other than space ('!'
 * to '~', so no white space, control byte, NUL or non-ASCII byte). Every id
 * from ugw_webhook_id_new() passes. The client refuses a caller's id that
 * fails, the dead-letter reader a record whose id fails, and a receiver
 * answers 400 to a request whose webhook-id fails: one rule for all three.
 *
 * Returns UGW_OK; UGW_ERR_TOO_SHORT for an empty id; UGW_ERR_TOO_LONG for
 * more than UGW_WEBHOOK_ID_LEN_MAX bytes (pos UGW_WEBHOOK_ID_LEN_MAX);
 * UGW_ERR_RANGE for a byte outside '!'..'~' (pos its offset);
 * UGW_ERR_ARG when `s` is NULL with `len` > 0. The path is "webhook-id";
 * messages are static. `err` may be NULL (then only the code tells) and is
 * cleared first. Reads s[0..len) only; reentrant, allocates nothing.
 */
UGW_API ugw_status ugw_webhook_id_check(const char *s, size_t len, ugw_error *err);

#ifdef __cplusplus
}
#endif
#endif /* UGW_WEBHOOK_H */
