/*
 * receiver_metrics.h - what the receiver counts for ugw_receiver_metrics_text()
 * (ugw_receiver_metrics.c): requests by verdict and event, and histograms of
 * body sizes, verification and decoding times. Lock-free: relaxed atomic
 * adds from any number of threads, read whole only to render.
 */
#ifndef UGW_RECEIVER_METRICS_H
#define UGW_RECEIVER_METRICS_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ugw/ugw_metrics.h>
#include <ugw/ugw_receiver.h>

/* Verdicts, in the order of ugw_receiver_verdict_name(). */
enum { RXV_DELIVERED = 0, RXV_DUPLICATE, RXV_UNAUTHORIZED, RXV_INVALID, RXV_UNAVAILABLE, RXV_N };

#define RXM_SIZE_BOUNDS 10
#define RXM_TIME_BOUNDS 13

typedef struct rxm_hist {
    _Atomic uint64_t n[RXM_TIME_BOUNDS + 1]; /* room for either kind */
    _Atomic uint64_t sum;                    /* bytes, or nanoseconds */
} rxm_hist;

typedef struct rx_metrics {
    const ugw_schema *schema;
    size_t nevents;             /* the schema's; index 0 of `requests` rows is "unknown" */
    _Atomic uint64_t *requests; /* (nevents + 1) * RXV_N */
    rxm_hist body, verify, decode;
} rx_metrics;

/* Sets up the counters of `schema`; false when memory runs out. */
bool rxm_init(rx_metrics *m, const ugw_schema *schema);
void rxm_free(rx_metrics *m);

/* The verdict index of an answer. */
int rxm_verdict(unsigned status, bool duplicate);
/* Counts one answered request; `type` 0 when the event is unknown. */
void rxm_count(rx_metrics *m, unsigned status, bool duplicate, int type);
void rxm_body(rx_metrics *m, size_t len);
void rxm_verify_ns(rx_metrics *m, uint64_t ns);
void rxm_decode_ns(rx_metrics *m, uint64_t ns);
/* CLOCK_MONOTONIC in nanoseconds. */
uint64_t rxm_now_ns(void);

/* Writes every family of the receiver, with the replay window's counters. */
void rxm_write(rx_metrics *m, const ugw_receiver_stats *st, ugw_metrics_writer *w);

#endif /* UGW_RECEIVER_METRICS_H */
