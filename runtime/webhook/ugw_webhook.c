/*
 * ugw_webhook.c - Standard Webhooks signing and verification on libcrypto.
 *
 * HMAC-SHA256 runs through OpenSSL 3's EVP_MAC interface; the message
 * "{id}.{timestamp}.{body}" is fed to it in five update calls, so the body
 * is never copied. The HMAC implementation is fetched once per process. Each
 * ugw_webhook_sign() call duplicates a prepared context that has SHA-256
 * chosen (no digest fetch by name per call) and sets the key; a
 * ugw_webhook_signer keeps a keyed context and only resets it.
 *
 * Base64 is ugw_base64.c; the byte scanner (ugw_span() and friends) is the
 * codec runtime's (runtime/codec/ugw_scan.c).
 */
#include <ugw/ugw_webhook.h>

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#define MAC_LEN 32     /* HMAC-SHA256 */
#define MAC_B64_LEN 44 /* base64 of 32 bytes, one '=' */

static const char secret_prefix[] = "whsec_";
#define SECRET_PREFIX_LEN (sizeof secret_prefix - 1)

/* ------------------------------------------------------------------ */
/* libcrypto objects made once per process                              */
/* ------------------------------------------------------------------ */

static pthread_once_t mac_once = PTHREAD_ONCE_INIT;
/* HMAC, or NULL when libcrypto has none. */
static EVP_MAC *mac_alg;
/* HMAC with SHA-256 chosen and no key, duplicated per ugw_webhook_sign()
 * call; NULL when this libcrypto cannot duplicate a context without a key
 * (each call then names the digest itself). Read-only once made. */
static EVP_MAC_CTX *mac_sha256;
/* Whether EVP_MAC_init(ctx, NULL, 0, NULL) restarts a keyed HMAC context
 * with its key; if not, a signer duplicates its keyed context per call. */
static bool mac_reinit_ok;

static void mac_digest_params(OSSL_PARAM params[2])
{
    params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
                                                 (char *)"SHA256", 0);
    params[1] = OSSL_PARAM_construct_end();
}

static bool mac_run(EVP_MAC_CTX *c, const void *m, size_t n,
                    unsigned char mac[MAC_LEN])
{
    size_t outl = 0;
    return EVP_MAC_update(c, m, n) && EVP_MAC_final(c, mac, &outl, MAC_LEN)
           && outl == MAC_LEN;
}

/* Checks that a finished keyed context restarts with EVP_MAC_init(c, NULL,
 * 0, NULL) and then gives the same MAC as a fresh one. */
static bool mac_probe_reinit(void)
{
    static const unsigned char key[] = "probe key";
    OSSL_PARAM params[2];
    unsigned char a[MAC_LEN], b[MAC_LEN];
    bool ok = false;

    mac_digest_params(params);
    EVP_MAC_CTX *c = EVP_MAC_CTX_new(mac_alg);
    if (c != NULL && EVP_MAC_init(c, key, sizeof key - 1, params)
        && mac_run(c, "probe", 5, a) && EVP_MAC_init(c, NULL, 0, NULL)
        && mac_run(c, "probe", 5, b))
        ok = CRYPTO_memcmp(a, b, MAC_LEN) == 0;
    EVP_MAC_CTX_free(c);
    return ok;
}

static void mac_init_once(void)
{
    OSSL_PARAM params[2];

    mac_alg = EVP_MAC_fetch(NULL, OSSL_MAC_NAME_HMAC, NULL);
    if (mac_alg == NULL)
        return;
    mac_reinit_ok = mac_probe_reinit();

    mac_digest_params(params);
    EVP_MAC_CTX *c = EVP_MAC_CTX_new(mac_alg);
    if (c != NULL && EVP_MAC_CTX_set_params(c, params)) {
        EVP_MAC_CTX *d = EVP_MAC_CTX_dup(c);
        if (d != NULL) {
            EVP_MAC_CTX_free(d);
            mac_sha256 = c;
            c = NULL;
        }
    }
    EVP_MAC_CTX_free(c);
    /* The probes may have left expected failures on this thread's queue. */
    ERR_clear_error();
}

/* A new HMAC-SHA256 context with `key`; NULL when libcrypto fails. */
static EVP_MAC_CTX *mac_new_keyed(const unsigned char *key, size_t len)
{
    EVP_MAC_CTX *c;

    if (pthread_once(&mac_once, mac_init_once) != 0 || mac_alg == NULL)
        return NULL;
    if (mac_sha256 != NULL) {
        c = EVP_MAC_CTX_dup(mac_sha256);
        if (c != NULL && !EVP_MAC_init(c, key, len, NULL)) {
            EVP_MAC_CTX_free(c);
            c = NULL;
        }
    } else {
        OSSL_PARAM params[2];
        mac_digest_params(params);
        c = EVP_MAC_CTX_new(mac_alg);
        if (c != NULL && !EVP_MAC_init(c, key, len, params)) {
            EVP_MAC_CTX_free(c);
            c = NULL;
        }
    }
    return c;
}

/* Feeds "{id}.{ts}.{body}" to a started context and finishes it. */
static bool mac_message(EVP_MAC_CTX *c, const char *id, const char *ts,
                        size_t ts_len, const void *body, size_t len,
                        unsigned char mac[MAC_LEN])
{
    size_t outl = 0;
    size_t id_len = strlen(id);

    if ((id_len != 0 && !EVP_MAC_update(c, (const unsigned char *)id, id_len))
        || !EVP_MAC_update(c, (const unsigned char *)".", 1)
        || !EVP_MAC_update(c, (const unsigned char *)ts, ts_len)
        || !EVP_MAC_update(c, (const unsigned char *)".", 1)
        || (len != 0 && !EVP_MAC_update(c, body, len)))
        return false;
    return EVP_MAC_final(c, mac, &outl, MAC_LEN) && outl == MAC_LEN;
}

/* ------------------------------------------------------------------ */
/* Secrets                                                              */
/* ------------------------------------------------------------------ */

static bool secret_ok(const ugw_secret *s)
{
    return s->len >= 1 && s->len <= UGW_SECRET_MAX;
}

ugw_status ugw_secret_parse(const char *text, size_t len, ugw_secret *out,
                            ugw_error *err)
{
    const char *base = text != NULL ? text : "";
    ugw_error b64err;
    ugw_status st;
    size_t b, dec_len = 0;
    ugw_str t;

    ugw_error_clear(err);
    if (out == NULL || (text == NULL && len != 0))
        return ugw_error_set(err, UGW_ERR_ARG, "NULL secret text or output", 0, NULL);
    OPENSSL_cleanse(out, sizeof *out);

    t = ugw_trim(base, len, UGW_WS_ALL);
    if (t.len >= SECRET_PREFIX_LEN && memcmp(t.ptr, secret_prefix, SECRET_PREFIX_LEN) == 0) {
        t.ptr += SECRET_PREFIX_LEN;
        t.len -= SECRET_PREFIX_LEN;
    }
    b = (size_t)(t.ptr - base);
    if (t.len == 0)
        return ugw_error_set(err, UGW_ERR_SECRET, "empty secret", b, NULL);

    st = ugw_base64_decode(t.ptr, t.len, out->key, sizeof out->key, &dec_len, &b64err);
    if (st == UGW_OK) {
        out->len = dec_len;
        return UGW_OK;
    }
    OPENSSL_cleanse(out, sizeof *out);
    if (st == UGW_ERR_SYNTAX)
        return ugw_error_set(err, UGW_ERR_SECRET, b64err.message, b + b64err.pos, NULL);
    if (st == UGW_ERR_BUFFER)
        return ugw_error_set(err, UGW_ERR_SECRET, "secret key longer than 256 bytes", b, NULL);
    return ugw_error_set(err, UGW_ERR_SECRET, "invalid base64", b, NULL);
}

_Static_assert(UGW_SECRET_MIN_LEN == 24, "the message of ugw_secret_check() says 24");

ugw_status ugw_secret_check(const ugw_secret *s, bool allow_weak, ugw_error *err)
{
    ugw_error_clear(err);
    if (s == NULL)
        return ugw_error_set(err, UGW_ERR_ARG, "NULL secret", 0, NULL);
    if (!secret_ok(s))
        return ugw_error_set(err, UGW_ERR_SECRET, "secret key length not in 1..256", s->len, NULL);
    if (s->len < UGW_SECRET_MIN_LEN && !allow_weak)
        return ugw_error_set(err, UGW_ERR_SECRET, "secret key shorter than 24 bytes (the Standard Webhooks minimum)",
                             s->len, NULL);
    return UGW_OK;
}

ugw_status ugw_secret_format(const ugw_secret *s, char *text, size_t cap)
{
    if (text != NULL && cap > 0)
        text[0] = '\0';
    if (s == NULL || text == NULL)
        return UGW_ERR_ARG;
    if (!secret_ok(s))
        return UGW_ERR_SECRET;
    size_t need = SECRET_PREFIX_LEN + 4 * ((s->len + 2) / 3) + 1;
    if (cap < need)
        return UGW_ERR_BUFFER;
    memcpy(text, secret_prefix, SECRET_PREFIX_LEN);
    return ugw_base64_encode(s->key, s->len, text + SECRET_PREFIX_LEN,
                             cap - SECRET_PREFIX_LEN, NULL);
}

ugw_status ugw_secret_generate(ugw_secret *out, char *text, size_t cap)
{
    if (text != NULL && cap > 0)
        text[0] = '\0';
    if (out == NULL)
        return UGW_ERR_ARG;
    OPENSSL_cleanse(out, sizeof *out);
    if (text != NULL && cap < UGW_SECRET_GENERATED_TEXT_MAX)
        return UGW_ERR_BUFFER;
    /* The private generator: OpenSSL's advice for long-term key material. */
    if (RAND_priv_bytes(out->key, UGW_SECRET_GENERATED_LEN) != 1) {
        OPENSSL_cleanse(out, sizeof *out);
        return UGW_ERR_IO;
    }
    out->len = UGW_SECRET_GENERATED_LEN;
    return text != NULL ? ugw_secret_format(out, text, cap) : UGW_OK;
}

/* ------------------------------------------------------------------ */
/* Signing                                                              */
/* ------------------------------------------------------------------ */

struct ugw_webhook_signer {
    EVP_MAC_CTX *ctx; /* keyed; restarted per signature, or duplicated */
};

/* The checks both signing functions share; `out` is emptied first. */
static ugw_status sign_args(const char *msg_id, int64_t timestamp,
                            const void *body, size_t len, char *out,
                            size_t cap, ugw_error *err)
{
    ugw_error_clear(err);
    if (out != NULL && cap > 0)
        out[0] = '\0';
    if (msg_id == NULL || out == NULL || (body == NULL && len != 0))
        return ugw_error_set(err, UGW_ERR_ARG, "NULL message id, body or output", 0, NULL);
    if (timestamp < 0)
        return ugw_error_set(err, UGW_ERR_ARG, "negative timestamp", 0, NULL);
    if (cap < UGW_SIGNATURE_MAX)
        return ugw_error_set(err, UGW_ERR_BUFFER, "signature buffer smaller than UGW_SIGNATURE_MAX", 0, NULL);
    return UGW_OK;
}

/* Runs a started context over the message and writes "v1,<base64>". */
static ugw_status sign_finish(EVP_MAC_CTX *c, const char *msg_id,
                              int64_t timestamp, const void *body, size_t len,
                              char *out, ugw_error *err)
{
    unsigned char mac[MAC_LEN];
    char ts[24];
    size_t ts_len = ugw_fmt_i64(ts, timestamp);

    if (!mac_message(c, msg_id, ts, ts_len, body, len, mac))
        return ugw_error_set(err, UGW_ERR_NOMEM, "libcrypto failed to compute the HMAC", 0, NULL);
    memcpy(out, "v1,", 3);
    ugw_base64_encode(mac, MAC_LEN, out + 3, UGW_SIGNATURE_MAX - 3, NULL); /* fits: + NUL */
    OPENSSL_cleanse(mac, sizeof mac);
    return UGW_OK;
}

ugw_status ugw_webhook_sign(const ugw_secret *s, const char *msg_id,
                            int64_t timestamp, const void *body, size_t len,
                            char *out, size_t cap, ugw_error *err)
{
    ugw_status st = sign_args(msg_id, timestamp, body, len, out, cap, err);
    if (st != UGW_OK)
        return st;
    if (s == NULL)
        return ugw_error_set(err, UGW_ERR_ARG, "NULL secret", 0, NULL);
    if (!secret_ok(s))
        return ugw_error_set(err, UGW_ERR_SECRET, "secret key length not in 1..256", 0, NULL);

    EVP_MAC_CTX *c = mac_new_keyed(s->key, s->len);
    if (c == NULL)
        return ugw_error_set(err, UGW_ERR_NOMEM, "libcrypto failed to set up HMAC-SHA256", 0, NULL);
    st = sign_finish(c, msg_id, timestamp, body, len, out, err);
    EVP_MAC_CTX_free(c);
    return st;
}

ugw_webhook_signer *ugw_webhook_signer_new(const ugw_secret *s)
{
    if (s == NULL || !secret_ok(s))
        return NULL;
    ugw_webhook_signer *sg = malloc(sizeof *sg);
    if (sg == NULL)
        return NULL;
    sg->ctx = mac_new_keyed(s->key, s->len);
    if (sg->ctx == NULL) {
        free(sg);
        return NULL;
    }
    return sg;
}

void ugw_webhook_signer_free(ugw_webhook_signer *sg)
{
    if (sg == NULL)
        return;
    EVP_MAC_CTX_free(sg->ctx); /* clears the key copy it holds */
    free(sg);
}

ugw_status ugw_webhook_signer_sign(ugw_webhook_signer *sg, const char *msg_id,
                                   int64_t timestamp, const void *body,
                                   size_t len, char *out, size_t cap,
                                   ugw_error *err)
{
    ugw_status st = sign_args(msg_id, timestamp, body, len, out, cap, err);
    if (st != UGW_OK)
        return st;
    if (sg == NULL)
        return ugw_error_set(err, UGW_ERR_ARG, "NULL signer", 0, NULL);

    if (mac_reinit_ok) {
        /* Restart from the state right after the key: no allocation. */
        if (!EVP_MAC_init(sg->ctx, NULL, 0, NULL))
            return ugw_error_set(err, UGW_ERR_NOMEM, "libcrypto failed to restart HMAC-SHA256", 0, NULL);
        return sign_finish(sg->ctx, msg_id, timestamp, body, len, out, err);
    }
    /* sg->ctx is then never finished: it is the keyed template. */
    EVP_MAC_CTX *c = EVP_MAC_CTX_dup(sg->ctx);
    if (c == NULL)
        return ugw_error_set(err, UGW_ERR_NOMEM, "libcrypto failed to copy HMAC-SHA256", 0, NULL);
    st = sign_finish(c, msg_id, timestamp, body, len, out, err);
    EVP_MAC_CTX_free(c);
    return st;
}

/* ------------------------------------------------------------------ */
/* Verifying                                                            */
/* ------------------------------------------------------------------ */

#define PATH_TS "webhook-timestamp"
#define PATH_SIG "webhook-signature"

/* Whether one entry "v1,<base64>" of `n` bytes carries `mac`. */
static bool entry_matches(const char *p, size_t n,
                          const unsigned char mac[MAC_LEN])
{
    unsigned char got[MAC_LEN];
    size_t dec_len = 0;

    if (n != 3 + MAC_B64_LEN || memcmp(p, "v1,", 3) != 0)
        return false;
    if (ugw_base64_decode(p + 3, MAC_B64_LEN, got, sizeof got, &dec_len, NULL) != UGW_OK
        || dec_len != MAC_LEN)
        return false;
    return CRYPTO_memcmp(got, mac, MAC_LEN) == 0;
}

ugw_status ugw_webhook_verify(const ugw_secret *s, const char *msg_id,
                              const char *timestamp_header,
                              const char *signature_header, const void *body,
                              size_t len, int64_t now, int64_t tolerance_s,
                              ugw_error *err)
{
    unsigned char mac[MAC_LEN];
    uint64_t ts, diff, tol;
    size_t ts_len;

    ugw_error_clear(err);
    if (s == NULL || msg_id == NULL || timestamp_header == NULL
        || signature_header == NULL || (body == NULL && len != 0))
        return ugw_error_set(err, UGW_ERR_ARG, "NULL secret, message id, header or body", 0, NULL);
    if (!secret_ok(s))
        return ugw_error_set(err, UGW_ERR_SECRET, "secret key length not in 1..256", 0, NULL);

    /* 1. The timestamp: 1 to 19 digits, at most INT64_MAX, near `now`. */
    ts_len = strlen(timestamp_header);
    if (ts_len > 19 || !ugw_parse_u64(timestamp_header, ts_len, &ts)
        || ts > (uint64_t)INT64_MAX)
        return ugw_error_set(err, UGW_ERR_TIMESTAMP, "webhook-timestamp is not decimal Unix seconds", 0, PATH_TS);
    /* Both are in int64_t range, so the difference fits in uint64_t. */
    diff = (int64_t)ts >= now ? ts - (uint64_t)now : (uint64_t)now - ts;
    tol = tolerance_s > 0 ? (uint64_t)tolerance_s : UGW_WEBHOOK_TOLERANCE_DEFAULT;
    if (diff > tol)
        return ugw_error_set(err, UGW_ERR_TIMESTAMP,
                             (int64_t)ts < now ? "webhook-timestamp is too old"
                                               : "webhook-timestamp is too far in the future",
                             0, PATH_TS);

    /* 2. The expected MAC, over the timestamp text as received. */
    EVP_MAC_CTX *c = mac_new_keyed(s->key, s->len);
    if (c == NULL)
        return ugw_error_set(err, UGW_ERR_NOMEM, "libcrypto failed to set up HMAC-SHA256", 0, NULL);
    bool ok = mac_message(c, msg_id, timestamp_header, ts_len, body, len, mac);
    EVP_MAC_CTX_free(c);
    if (!ok)
        return ugw_error_set(err, UGW_ERR_NOMEM, "libcrypto failed to compute the HMAC", 0, NULL);

    /* 3. Any matching v1 entry verifies; the rest are ignored. */
    size_t hl = strlen(signature_header);
    for (size_t at = 0; at < hl;) {
        at += ugw_span(signature_header + at, hl - at, UGW_WS_HTTP);
        size_t m = ugw_cspan(signature_header + at, hl - at, UGW_WS_HTTP);
        if (m != 0 && entry_matches(signature_header + at, m, mac)) {
            OPENSSL_cleanse(mac, sizeof mac);
            return UGW_OK;
        }
        at += m;
    }
    OPENSSL_cleanse(mac, sizeof mac);
    return ugw_error_set(err, UGW_ERR_SIGNATURE, "no webhook-signature matches", 0, PATH_SIG);
}

/* ------------------------------------------------------------------ */
/* Message ids                                                          */
/* ------------------------------------------------------------------ */

/*
 * RAND_bytes() costs about 2 us per call in OpenSSL 3.0 whatever the size up
 * to a few hundred bytes, so ids take their 16 bytes from a per-thread pool
 * refilled 512 bytes at a time. A forked child must not hand out the bytes
 * its parent will also use: a fork handler empties the pool in the child
 * (only the forking thread exists there). OpenSSL detects forks the same way.
 */
#define ID_RAND 16
#define ID_POOL (32 * ID_RAND)

static _Thread_local struct {
    unsigned char bytes[ID_POOL];
    size_t next; /* first unused byte; ID_POOL when empty */
} id_pool = {.next = ID_POOL};

static pthread_once_t id_once = PTHREAD_ONCE_INIT;
static bool id_pool_ok; /* the fork handler is registered */

static void id_pool_drop(void)
{
    OPENSSL_cleanse(id_pool.bytes, sizeof id_pool.bytes);
    id_pool.next = ID_POOL;
}

static void id_init_once(void)
{
    id_pool_ok = pthread_atfork(NULL, NULL, id_pool_drop) == 0;
}

static bool id_random(unsigned char r[ID_RAND])
{
    /* Without the fork handler, every id draws from RAND_bytes() itself. */
    if (pthread_once(&id_once, id_init_once) != 0 || !id_pool_ok)
        return RAND_bytes(r, ID_RAND) == 1;
    if (id_pool.next > ID_POOL - ID_RAND) {
        if (RAND_bytes(id_pool.bytes, ID_POOL) != 1)
            return false;
        id_pool.next = 0;
    }
    memcpy(r, id_pool.bytes + id_pool.next, ID_RAND);
    OPENSSL_cleanse(id_pool.bytes + id_pool.next, ID_RAND);
    id_pool.next += ID_RAND;
    return true;
}

ugw_status ugw_webhook_id_new(char out[UGW_WEBHOOK_ID_MAX])
{
    static const char crockford[] = "0123456789abcdefghjkmnpqrstvwxyz";
    unsigned char r[ID_RAND];
    unsigned acc = 0;
    int nbits = 2; /* 26 characters hold 130 bits: two leading zero bits */
    size_t o = 4;

    if (out == NULL)
        return UGW_ERR_ARG;
    out[0] = '\0';
    if (!id_random(r))
        return UGW_ERR_IO;
    memcpy(out, "msg_", 4);
    for (size_t i = 0; i < sizeof r; i++) {
        acc = (acc << 8 | r[i]) & 0xfffu; /* at most 4 + 8 bits are pending */
        nbits += 8;
        while (nbits >= 5) {
            nbits -= 5;
            out[o++] = crockford[(acc >> nbits) & 31u];
        }
    }
    out[o] = '\0'; /* o == UGW_WEBHOOK_ID_LEN */
    return UGW_OK;
}

ugw_status ugw_webhook_id_check(const char *s, size_t len, ugw_error *err)
{
    ugw_error_clear(err);
    if (s == NULL && len != 0)
        return ugw_error_set(err, UGW_ERR_ARG, "NULL webhook-id", 0, "webhook-id");
    if (len == 0)
        return ugw_error_set(err, UGW_ERR_TOO_SHORT, "webhook-id is empty", 0, "webhook-id");
    if (len > UGW_WEBHOOK_ID_LEN_MAX)
        return ugw_error_set(err, UGW_ERR_TOO_LONG, "webhook-id is longer than 256 bytes",
                             UGW_WEBHOOK_ID_LEN_MAX, "webhook-id");
    for (size_t i = 0; i < len; i++) {
        unsigned char b = (unsigned char)s[i];
        if (b < 0x21 || b > 0x7e)
            return ugw_error_set(err, UGW_ERR_RANGE,
                                 "webhook-id has a byte that is not printable ASCII ('!' to '~')",
                                 i, "webhook-id");
    }
    return UGW_OK;
}
