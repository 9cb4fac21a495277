/*
 * ugw_metrics.h - writing metrics in the Prometheus text exposition format
 * (version 0.0.4), the one writer behind ugw_receiver_metrics_text(),
 * ugw_receiver_mhd_metrics_text() and ugw_client_metrics_text(); a service
 * may use it for metrics of its own on the same endpoint.
 *
 * A writer fills the caller's buffer and keeps counting past its end, so one
 * pass tells both the text and, when it did not fit, the room it needs:
 *
 *   ugw_metrics_writer w;
 *   ugw_metrics_init(&w, buf, cap);
 *   ugw_metrics_family(&w, "app_jobs_total", "counter", "Jobs run.");
 *   ugw_metrics_u64(&w, "app_jobs_total", (const char *[]){ "queue", "mail", NULL }, 42);
 *   if (ugw_metrics_end(&w, &len) == UGW_ERR_BUFFER) ... retry with len + 1 bytes
 *
 * Label values are escaped as the format wants (backslash, double quote,
 * line feed); names are the caller's and must be valid metric and label
 * names. Nothing allocates; a writer is used by one thread at a time.
 */
#ifndef UGW_METRICS_H
#define UGW_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "ugw_export.h"
#include "ugw_runtime.h"

#ifdef __cplusplus
extern "C" {
#endif

/** The Content-Type of the text format, for the HTTP answer. */
#define UGW_METRICS_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

/** A writer over the caller's buffer (see above). Fields are read-only. */
typedef struct ugw_metrics_writer {
    char *buf;  /**< the caller's buffer (may be NULL with cap 0: measure only) */
    size_t cap; /**< its size in bytes */
    size_t len; /**< bytes of text so far, also those past cap (saturates at SIZE_MAX) */
} ugw_metrics_writer;

/** Starts writing into buf[0..cap). NULL `w` is a no-op. */
UGW_API void ugw_metrics_init(ugw_metrics_writer *w, char *buf, size_t cap);

/** "# HELP name help" and "# TYPE name type" (type: "counter", "gauge",
 * "histogram"). `help` has no line break. NULL arguments: no-op. */
UGW_API void ugw_metrics_family(ugw_metrics_writer *w, const char *name, const char *type, const char *help);

/** One sample line "name{k="v",...} value": `labels` is NULL or a
 * NULL-terminated list of name, value, name, value... (values escaped). */
UGW_API void ugw_metrics_u64(ugw_metrics_writer *w, const char *name, const char *const *labels, uint64_t value);

/** As ugw_metrics_u64() with a floating-point value ("%.9g"; NaN and the
 * infinities as the format spells them). */
UGW_API void ugw_metrics_double(ugw_metrics_writer *w, const char *name, const char *const *labels, double value);

/**
 * The samples of one histogram `name`: name_bucket{...,le="B"} for each of
 * the `nbounds` upper bounds (increasing) and le="+Inf", cumulative, then
 * name_sum and name_count. `counts` holds nbounds + 1 plain (not cumulative)
 * counts, the last one for values above every bound. `labels` as above.
 */
UGW_API void ugw_metrics_histogram(ugw_metrics_writer *w, const char *name, const char *const *labels,
                                   const double *bounds, size_t nbounds, const uint64_t *counts, double sum);

/** A family of one sample without labels, for ugw_metrics_scalars(). */
typedef struct ugw_metrics_scalar {
    const char *name, *type, *help;
    uint64_t value;
} ugw_metrics_scalar;

/** Writes `n` such families: ugw_metrics_family() and ugw_metrics_u64()
 * for each. NULL `w` or `s`: no-op. */
UGW_API void ugw_metrics_scalars(ugw_metrics_writer *w, const ugw_metrics_scalar *s, size_t n);

/**
 * Ends the text: NUL-terminates it when it fits and sets *len (may be NULL)
 * to its length without the NUL. UGW_OK, or UGW_ERR_BUFFER when the buffer
 * was too small (the text is then cut and *len is the room needed less one).
 * UGW_ERR_ARG for NULL `w`.
 */
UGW_API ugw_status ugw_metrics_end(ugw_metrics_writer *w, size_t *len);

#ifdef __cplusplus
}
#endif
#endif /* UGW_METRICS_H */
