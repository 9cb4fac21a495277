/*
 * ugw_client_retry.c - the retry policy: the clock that due times are on,
 * exponential backoff with jitter, Retry-After, and which answers are tried
 * again (docs/CONTRACT.md §4.4 and §4.5):
 *
 *   2xx                         delivered
 *   408, 429, 5xx               retried after the backoff (429 and 503 after
 *                               their Retry-After when they give one)
 *   410                         gone: this and every queued event fail
 *   any other status            rejected at once
 *   a libcurl error             retried, unless no retry can fix it (bad URL,
 *                               protocol): then a configuration failure
 *   a TLS certificate failure   fails at once as "tls" (the certificate will
 *                               not change by itself), unless tls_retry
 */
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "client_internal.h"

int64_t ugw__client_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void ugw__client_seed(ugw_client *c)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    c->rng = (uint64_t)ts.tv_nsec * UINT64_C(0x9E3779B97F4A7C15) ^ (uint64_t)(uintptr_t)c ^ 1;
}

/* xorshift64*: jitter only, not security. */
static double rnd01(ugw_client *c)
{
    uint64_t x = c->rng;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    c->rng = x;
    return (double)((x * UINT64_C(2685821657736338717)) >> 11) / 9007199254740992.0;
}

int64_t ugw__client_backoff_ms(ugw_client *c, unsigned attempts)
{
    double d = (double)c->cfg.backoff_base_ms;
    if (c->long_schedule) {
        d = (double)ugw__client_schedule_ms(attempts);
    } else {
        for (unsigned i = 1; i < attempts && d < (double)c->cfg.backoff_max_ms; i++)
            d *= 2;
        if (d > (double)c->cfg.backoff_max_ms)
            d = (double)c->cfg.backoff_max_ms;
    }
    if (c->cfg.jitter > 0)
        d = d * (1.0 - c->cfg.jitter) + d * c->cfg.jitter * rnd01(c);
    return (int64_t)d;
}

/* The longest Retry-After taken: one year, in 64 bits (it does not fit in a
 * 32-bit long). */
#define RETRY_AFTER_MAX_S INT64_C(31536000)

int64_t ugw__client_retry_after_ms(const char *v, size_t n)
{
    uint64_t secs;
    size_t lead = ugw_span(v, n, UGW_WS_HTTP);
    v += lead;
    n -= lead;
    n -= ugw_rspan(v, n, UGW_WS_JSON); /* and the line end */
    if (n == 0)
        return -1;
    if (ugw_parse_u64(v, n, &secs))
        return (secs > (uint64_t)RETRY_AFTER_MAX_S ? RETRY_AFTER_MAX_S : (int64_t)secs) * 1000;
    {
        char buf[64];
        time_t t, now = time(NULL);
        int64_t d;
        if (n >= sizeof buf)
            return -1;
        memcpy(buf, v, n);
        buf[n] = 0;
        t = curl_getdate(buf, NULL);
        if (t == (time_t)-1)
            return -1;
        if (t <= now)
            return 0;
        d = (int64_t)t - (int64_t)now; /* an HTTP-date far ahead is capped too */
        return (d > RETRY_AFTER_MAX_S ? RETRY_AFTER_MAX_S : d) * 1000;
    }
}

bool ugw__client_status_retryable(long status)
{
    return status == 408 || status == 429 || (status >= 500 && status <= 599);
}

bool ugw__client_status_takes_retry_after(long status)
{
    return status == 429 || status == 503;
}

bool ugw__client_curl_permanent(CURLcode r)
{
    switch (r) {
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
    case CURLE_NOT_BUILT_IN:
    case CURLE_BAD_FUNCTION_ARGUMENT:
        return true;
    default:
        return false;
    }
}

bool ugw__client_curl_tls(CURLcode r)
{
    switch (r) {
    case CURLE_PEER_FAILED_VERIFICATION: /* untrusted, expired, wrong host */
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_CERTPROBLEM:          /* our own client certificate */
        return true;
    default:
        return false;
    }
}
