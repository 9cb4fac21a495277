/*
 * ugw_base64.c - standard padded base64 (RFC 4648 section 4) on OpenSSL's
 * EVP_EncodeBlock / EVP_DecodeBlock, exported as ugw_base64_*() (declared in
 * ugw_webhook.h): the one base64 of secrets, signatures, dead letters and the
 * command. EVP_DecodeBlock accepts '=' anywhere and decodes it as zero bits,
 * and does not subtract padding from its result, so b64_check() checks the
 * alphabet and the padding first and gives the decoded length.
 */
#include <ugw/ugw_webhook.h>

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

/* The most bytes given to one EVP_EncodeBlock (whole 3-byte groups) and
 * characters to one EVP_DecodeBlock (whole 4-character groups): they take
 * int lengths. */
#define B64_ENC_CHUNK ((size_t)3 << 28)
#define B64_DEC_CHUNK ((size_t)1 << 30)

static bool b64_alpha(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')
           || (c >= '0' && c <= '9') || c == '+' || c == '/';
}

/*
 * Checks padded standard base64 of `n` bytes. On success returns NULL and
 * sets *out_len to the decoded length; otherwise returns a static message
 * and sets *bad to the offset of the problem.
 */
static const char *b64_check(const char *s, size_t n, size_t *out_len,
                             size_t *bad)
{
    size_t pad = 0;
    while (pad < n && s[n - 1 - pad] == '=')
        pad++;
    for (size_t i = 0; i < n - pad; i++) {
        if (s[i] == '=') {
            *bad = i;
            return "base64 padding '=' before the end";
        }
        if (!b64_alpha((unsigned char)s[i])) {
            *bad = i;
            return "invalid base64 character";
        }
    }
    if (pad > 2) {
        *bad = n - pad;
        return "more than two '=' of base64 padding";
    }
    if (n % 4 != 0) {
        *bad = n;
        return "base64 length is not a multiple of 4 (missing or extra padding)";
    }
    *out_len = n / 4 * 3 - pad;
    return NULL;
}

size_t ugw_base64_encoded_len(size_t n)
{
    size_t groups = n / 3 + (n % 3 != 0);
    return groups > SIZE_MAX / 4 ? SIZE_MAX : groups * 4;
}

size_t ugw_base64_decoded_max(size_t n)
{
    return n / 4 * 3;
}

ugw_status ugw_base64_encode(const void *in, size_t n, char *out, size_t cap,
                             size_t *out_len)
{
    const unsigned char *p = in;
    size_t need = ugw_base64_encoded_len(n), at = 0;

    if (out != NULL && cap > 0)
        out[0] = '\0';
    if (out == NULL || (in == NULL && n != 0))
        return UGW_ERR_ARG;
    if (out_len != NULL)
        *out_len = need;
    if (need == SIZE_MAX || cap <= need) /* need < SIZE_MAX: need + 1 fits */
        return UGW_ERR_BUFFER;
    while (n != 0) {
        size_t chunk = n > B64_ENC_CHUNK ? B64_ENC_CHUNK : n;
        at += (size_t)EVP_EncodeBlock((unsigned char *)out + at, p, (int)chunk);
        p += chunk;
        n -= chunk;
    }
    out[at] = '\0'; /* EVP_EncodeBlock wrote it too, except for n == 0 */
    return UGW_OK;
}

ugw_status ugw_base64_decode(const char *text, size_t n, void *out, size_t cap,
                             size_t *out_len, ugw_error *err)
{
    unsigned char *o = out, last[3];
    size_t len = 0, bad = 0, body;
    const char *msg;

    ugw_error_clear(err);
    if (out_len == NULL || (text == NULL && n != 0))
        return ugw_error_set(err, UGW_ERR_ARG, "NULL base64 text or length", 0, NULL);
    msg = b64_check(text, n, &len, &bad);
    if (msg != NULL)
        return ugw_error_set(err, UGW_ERR_SYNTAX, msg, bad, NULL);
    *out_len = len;
    if (out == NULL || n == 0)
        return UGW_OK;
    if (cap < len)
        return ugw_error_set(err, UGW_ERR_BUFFER, "base64 output buffer too small", 0, NULL);
    /* All groups but the last straight into `out`; the last through `last`,
     * since EVP_DecodeBlock writes the bits of its padding as zero bytes. */
    body = n - 4;
    for (size_t at = 0; at < body;) {
        size_t chunk = body - at > B64_DEC_CHUNK ? B64_DEC_CHUNK : body - at;
        if (EVP_DecodeBlock(o, (const unsigned char *)text + at, (int)chunk) != (int)(chunk / 4 * 3))
            return ugw_error_set(err, UGW_ERR_NOMEM, "libcrypto failed to decode base64", at, NULL);
        o += chunk / 4 * 3;
        at += chunk;
    }
    if (EVP_DecodeBlock(last, (const unsigned char *)text + body, 4) != 3)
        return ugw_error_set(err, UGW_ERR_NOMEM, "libcrypto failed to decode base64", body, NULL);
    memcpy(o, last, len - body / 4 * 3);
    OPENSSL_cleanse(last, sizeof last); /* secrets pass through here */
    return UGW_OK;
}
