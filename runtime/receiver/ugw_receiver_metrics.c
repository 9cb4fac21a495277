/*
 * ugw_receiver_metrics.c - the receiver's counters and histograms
 * (receiver_metrics.h) and their Prometheus text (docs/OPERATIONS.md).
 */
#include "receiver_metrics.h"

#include <stdlib.h>
#include <time.h>

static const char *const verdict_names[RXV_N] = { "delivered", "duplicate", "unauthorized", "invalid",
                                                  "unavailable" };

/* Upper bounds: bytes, and seconds (the times are kept in nanoseconds). */
static const double size_bounds[RXM_SIZE_BOUNDS] = { 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576,
                                                     4194304, 16777216 };
static const uint64_t size_bounds_u64[RXM_SIZE_BOUNDS] = { 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576,
                                                           4194304, 16777216 };
static const double time_bounds[RXM_TIME_BOUNDS] = { 1e-6,   2.5e-6, 5e-6,  1e-5, 2.5e-5, 5e-5, 1e-4,
                                                     2.5e-4, 5e-4,   1e-3,  5e-3, 2.5e-2, 1e-1 };
static const uint64_t time_bounds_ns[RXM_TIME_BOUNDS] = { 1000,   2500,   5000,    10000,    25000,
                                                          50000,  100000, 250000,  500000,   1000000,
                                                          5000000, 25000000, 100000000 };

const char *ugw_receiver_verdict_name(unsigned status, bool duplicate)
{
    return verdict_names[rxm_verdict(status, duplicate)];
}

int rxm_verdict(unsigned status, bool duplicate)
{
    if (status >= 200 && status <= 299)
        return duplicate ? RXV_DUPLICATE : RXV_DELIVERED;
    if (status == 401)
        return RXV_UNAUTHORIZED;
    if (status > 500)
        return RXV_UNAVAILABLE;
    return RXV_INVALID;
}

bool rxm_init(rx_metrics *m, const ugw_schema *schema)
{
    size_t n = (size_t)schema->nevents + 1;
    m->schema = schema;
    m->nevents = schema->nevents;
    m->requests = calloc(n * RXV_N, sizeof *m->requests);
    return m->requests != NULL;
}

void rxm_free(rx_metrics *m)
{
    free(m->requests);
    m->requests = NULL;
}

void rxm_count(rx_metrics *m, unsigned status, bool duplicate, int type)
{
    size_t row = type > 0 && (size_t)type <= m->nevents ? (size_t)type : 0;
    if (m->requests)
        atomic_fetch_add_explicit(&m->requests[row * RXV_N + (size_t)rxm_verdict(status, duplicate)], 1,
                                  memory_order_relaxed);
}

/* Counts v in the first bucket whose upper bound is at least v. */
static void observe(rxm_hist *h, const uint64_t *bounds, size_t nbounds, uint64_t v)
{
    size_t i = 0;
    while (i < nbounds && v > bounds[i])
        i++;
    atomic_fetch_add_explicit(&h->n[i], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&h->sum, v, memory_order_relaxed);
}

void rxm_body(rx_metrics *m, size_t len)
{
    observe(&m->body, size_bounds_u64, RXM_SIZE_BOUNDS, (uint64_t)len);
}

void rxm_verify_ns(rx_metrics *m, uint64_t ns)
{
    observe(&m->verify, time_bounds_ns, RXM_TIME_BOUNDS, ns);
}

void rxm_decode_ns(rx_metrics *m, uint64_t ns)
{
    observe(&m->decode, time_bounds_ns, RXM_TIME_BOUNDS, ns);
}

uint64_t rxm_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* A snapshot of one histogram: counts, and the sum scaled by `unit`. */
static void write_hist(ugw_metrics_writer *w, const char *name, const char *help, rxm_hist *h,
                       const double *bounds, size_t nbounds, double unit)
{
    uint64_t counts[RXM_TIME_BOUNDS + 1];
    for (size_t i = 0; i <= nbounds; i++)
        counts[i] = atomic_load_explicit(&h->n[i], memory_order_relaxed);
    ugw_metrics_family(w, name, "histogram", help);
    ugw_metrics_histogram(w, name, NULL, bounds, nbounds, counts,
                          (double)atomic_load_explicit(&h->sum, memory_order_relaxed) * unit);
}

void rxm_write(rx_metrics *m, const ugw_receiver_stats *st, ugw_metrics_writer *w)
{
    ugw_metrics_family(w, "ugw_receiver_requests_total", "counter",
                       "Requests answered, by verdict and event (the schema id; unknown when the body did "
                       "not decode or was not read).");
    for (size_t row = 0; row <= m->nevents; row++) {
        const ugw_event_desc *d = row ? ugw_schema_event(m->schema, (int)row) : NULL;
        for (int v = 0; v < RXV_N; v++) {
            const char *labels[] = { "verdict", verdict_names[v], "event", d ? d->id : "unknown", NULL };
            ugw_metrics_u64(w, "ugw_receiver_requests_total", labels,
                            m->requests ? atomic_load_explicit(&m->requests[row * RXV_N + (size_t)v],
                                                               memory_order_relaxed)
                                        : 0);
        }
    }
    write_hist(w, "ugw_receiver_body_bytes", "Sizes of the bodies handled, in bytes.", &m->body, size_bounds,
               RXM_SIZE_BOUNDS, 1.0);
    write_hist(w, "ugw_receiver_verify_seconds", "Time to verify a signature (all secrets tried).", &m->verify,
               time_bounds, RXM_TIME_BOUNDS, 1e-9);
    write_hist(w, "ugw_receiver_decode_seconds", "Time to decode and validate a body.", &m->decode,
               time_bounds, RXM_TIME_BOUNDS, 1e-9);
    ugw_metrics_family(w, "ugw_receiver_replay_ids", "gauge", "Webhook-ids in the replay window now.");
    ugw_metrics_u64(w, "ugw_receiver_replay_ids", NULL, st->remembered);
    ugw_metrics_family(w, "ugw_receiver_replay_capacity", "gauge", "Webhook-ids the replay window can hold.");
    ugw_metrics_u64(w, "ugw_receiver_replay_capacity", NULL, st->capacity);
    ugw_metrics_family(w, "ugw_receiver_replay_full_total", "counter",
                       "New events answered 503 because the replay window was full of live ids.");
    ugw_metrics_u64(w, "ugw_receiver_replay_full_total", NULL, st->window_full);
    ugw_metrics_family(w, "ugw_receiver_replay_expired_total", "counter",
                       "Webhook-ids forgotten once their timestamp left the tolerance.");
    ugw_metrics_u64(w, "ugw_receiver_replay_expired_total", NULL, st->expired);
    ugw_metrics_family(w, "ugw_receiver_state_errors_total", "counter",
                       "Records that could not be written to the replay state file.");
    ugw_metrics_u64(w, "ugw_receiver_state_errors_total", NULL, st->state_errors);
}
