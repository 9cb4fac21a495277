/*
 * check_api32.c - the public API and the generated typed calls take int64_t
 * milliseconds, also where `long` is 32 bits. Compiled (syntax only, no
 * code) for i686 by clang in the test suite: on x86-64 `long` and int64_t
 * are the same type, so only a 32-bit target tells them apart. A duration
 * parameter or field declared `long` fails one of the checks below.
 */
#include <stdint.h>

#include <ugw/ugw_client.h>
#include <ugw/ugw_events_client.h>

_Static_assert(sizeof(long) == 4, "compile this check for a 32-bit target");

#define IS_I64(x) _Generic((x), int64_t: 1, default: 0)

static const ugw_client_config cfg;
_Static_assert(IS_I64(cfg.connect_timeout_ms), "connect_timeout_ms is int64_t");
_Static_assert(IS_I64(cfg.timeout_ms), "timeout_ms is int64_t");
_Static_assert(IS_I64(cfg.max_age_ms), "max_age_ms is int64_t");
_Static_assert(IS_I64(cfg.backoff_base_ms), "backoff_base_ms is int64_t");
_Static_assert(IS_I64(cfg.backoff_max_ms), "backoff_max_ms is int64_t");

/* Every call that takes milliseconds, by its exact type. */
static ugw_status (*const enqueue_body)(ugw_client *, const void *, size_t, ugw_format, const char *,
                                        const char *, int64_t, void *, char *, ugw_error *)
    = ugw_client_enqueue_body;
static ugw_status (*const enqueue_event)(ugw_client *, const ugw_schema *, int, const void *, int64_t,
                                         void *, char *, ugw_error *) = ugw_client_enqueue_event;
static ugw_status (*const flush)(ugw_client *, int64_t) = ugw_client_flush;
static ugw_status (*const close_)(ugw_client *, int64_t) = ugw_client_close;
/* The generated typed call agrees with the runtime it wraps. */
static ugw_status (*const typed_enqueue)(ugw_client *, const ugw_event *, int64_t, void *, char *, ugw_error *)
    = ugw_client_enqueue;

/* Used, so that no unused-variable warning hides a real one. */
const void *const ugw_api32_refs[] = {
    &cfg, (const void *)&enqueue_body, (const void *)&enqueue_event, (const void *)&flush,
    (const void *)&close_, (const void *)&typed_enqueue,
};
