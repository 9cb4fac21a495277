/*
 * fuzz_signature.c - libFuzzer target for the signature header and the
 * timestamp as ugw_webhook_verify() parses them. The input is
 * "TIMESTAMP\nSIGNATURE-HEADER\nBODY" (missing parts are empty).
 * Oracle: the result is OK, UGW_ERR_TIMESTAMP (path webhook-timestamp) or
 * UGW_ERR_SIGNATURE (path webhook-signature); the header with the real
 * signature appended anywhere in the list verifies whenever the timestamp
 * does; a header made only of the given entries verifies only if it holds
 * that signature (checked by an independent comparison).
 */
#include <ugw/ugw_webhook.h>

#include "fuzz_parsers.h"

#define NOW INT64_C(1700000000)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char secret_text[] = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    const uint8_t *nl1 = memchr(data, '\n', size), *nl2;
    size_t ts_len = nl1 ? (size_t)(nl1 - data) : size, rest_at = nl1 ? ts_len + 1 : size;
    size_t sig_len, body_at, body_len;
    char *ts, *sig, *body, *both, good[UGW_SIGNATURE_MAX];
    ugw_secret s;
    ugw_error err;
    ugw_status st, st2;

    nl2 = memchr(data + rest_at, '\n', size - rest_at);
    sig_len = nl2 ? (size_t)(nl2 - (data + rest_at)) : size - rest_at;
    body_at = nl2 ? rest_at + sig_len + 1 : size;
    body_len = size - body_at;
    if (memchr(data, '\0', body_at))
        return 0; /* headers are C strings */
    ts = fuzz_copy(data, ts_len, 1);
    sig = fuzz_copy(data + rest_at, sig_len, 1);
    body = fuzz_copy(data + body_at, body_len, 0);
    if (ugw_secret_parse(secret_text, sizeof secret_text - 1, &s, NULL) != UGW_OK)
        abort();

    st = ugw_webhook_verify(&s, "msg_fuzz", ts, sig, body, body_len, NOW, 300, &err);
    PCHECK(st == UGW_OK || st == UGW_ERR_TIMESTAMP || st == UGW_ERR_SIGNATURE, "result");
    if (st == UGW_ERR_TIMESTAMP)
        PCHECK(strcmp(err.path, "webhook-timestamp") == 0, "timestamp path");
    if (st == UGW_ERR_SIGNATURE)
        PCHECK(strcmp(err.path, "webhook-signature") == 0, "signature path");

    /* the real signature, computed over the timestamp text as given */
    {
        uint64_t v;
        int ts_ok = ts_len >= 1 && ts_len <= 19 && ugw_parse_u64(ts, ts_len, &v) && v <= (uint64_t)INT64_MAX;
        if (ts_ok && (int64_t)v >= 0 && ugw_webhook_sign(&s, "msg_fuzz", (int64_t)v, body, body_len, good,
                                                        sizeof good, NULL) == UGW_OK
            && (ts_len == 1 || ts[0] != '0')) {
            size_t n = sig_len + 1 + strlen(good) + 1;
            both = malloc(n);
            if (!both)
                abort();
            snprintf(both, n, "%s %s", sig, good);
            st2 = ugw_webhook_verify(&s, "msg_fuzz", ts, both, body, body_len, NOW, 300, NULL);
            PCHECK(st2 == (st == UGW_ERR_TIMESTAMP ? UGW_ERR_TIMESTAMP : UGW_OK), "appended signature verifies");
            free(both);
            /* without it: verified only if one of the entries is exactly it */
            if (st == UGW_OK) {
                int found = 0;
                for (size_t at = 0; at < sig_len;) {
                    size_t m;
                    at += ugw_span(sig + at, sig_len - at, UGW_WS_HTTP);
                    m = ugw_cspan(sig + at, sig_len - at, UGW_WS_HTTP);
                    found |= m == strlen(good) && memcmp(sig + at, good, m) == 0;
                    at += m;
                }
                PCHECK(found, "verified without the signature");
            }
        }
    }
    free(ts);
    free(sig);
    free(body);
    return 0;
}
