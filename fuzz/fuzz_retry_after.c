/*
 * fuzz_retry_after.c - libFuzzer target for the client's Retry-After parser
 * (delay-seconds or an HTTP-date, RFC 9110 section 10.2.3) on any header
 * value. Oracle: -1 (malformed) or a delay from 0 to one year in ms (an
 * HTTP-date far ahead was once returned uncapped); a value
 * of plain digits gives exactly digits * 1000 (capped at one year).
 */
#include <stdbool.h>

#include <ugw/ugw_runtime.h>

#include "fuzz_parsers.h"

/* Internal to the client library (runtime/client/client_internal.h). */
int64_t ugw__client_retry_after_ms(const char *v, size_t n);

#define YEAR_MS (INT64_C(86400) * 365 * 1000)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *v = fuzz_copy(data, size, 0);
    int64_t ms = ugw__client_retry_after_ms(v, size);
    ugw_str t = ugw_trim(v, size, UGW_WS_JSON);
    uint64_t secs;

    PCHECK(ms == -1 || (ms >= 0 && ms <= YEAR_MS), "range");
    if (t.len && t.ptr == v + ugw_span(v, size, UGW_WS_HTTP) && ugw_parse_u64(t.ptr, t.len, &secs)) {
        int64_t want = secs > (uint64_t)(YEAR_MS / 1000) ? YEAR_MS : (int64_t)secs * 1000;
        PCHECK(ms == want, "delay-seconds");
    }
    free(v);
    return 0;
}
