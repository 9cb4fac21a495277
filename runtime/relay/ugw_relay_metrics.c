/*
 * ugw_relay_metrics.c - a relay's counters as Prometheus metric families,
 * one sample per endpoint (label "endpoint"), through ugw_metrics.h.
 */
#include <string.h>

#include "relay_internal.h"

void ugw_relay_metrics_write(ugw_relay *r, ugw_metrics_writer *w)
{
    static const struct {
        const char *name, *type, *help;
    } fam[] = {
        { "ugw_relay_fetched_total", "counter", "Messages received from JetStream." },
        { "ugw_relay_delivered_total", "counter", "Events delivered (a 2xx answer) and acknowledged." },
        { "ugw_relay_retried_total", "counter", "Retryable failures handed back to JetStream with a delay." },
        { "ugw_relay_failed_total", "counter", "Permanent failures: dead letter published, message terminated." },
        { "ugw_relay_released_total", "counter", "Messages handed back unattempted (closing, endpoint gone)." },
        { "ugw_relay_redelivered_total", "counter", "Messages JetStream had delivered before." },
        { "ugw_relay_dead_letter_errors_total", "counter", "Dead letters that could not be published (kept)." },
        { "ugw_relay_ack_errors_total", "counter", "Acknowledgements that could not be sent." },
        { "ugw_relay_fetch_errors_total", "counter", "Pulls that failed other than by timeout." },
        { "ugw_relay_bad_messages_total", "counter", "Messages without a valid webhook-id." },
        { "ugw_relay_in_flight", "gauge", "Requests on the wire." },
        { "ugw_relay_endpoint_gone", "gauge", "1 when the endpoint answered 410 and is no longer pulled." },
    };
    if (!r || !w)
        return;
    for (size_t f = 0; f < sizeof fam / sizeof fam[0]; f++) {
        ugw_metrics_family(w, fam[f].name, fam[f].type, fam[f].help);
        for (size_t i = 0; i < r->neps; i++) {
            const char *labels[] = { "endpoint", r->eps[i].name, NULL };
            ugw_relay_stats s;
            uint64_t v[12];
            ugw_relay_stats_get(r, r->eps[i].name, &s);
            v[0] = s.fetched;
            v[1] = s.delivered;
            v[2] = s.retried;
            v[3] = s.failed;
            v[4] = s.released;
            v[5] = s.redelivered;
            v[6] = s.dead_letter_errors;
            v[7] = s.ack_errors;
            v[8] = s.fetch_errors;
            v[9] = s.bad_messages;
            v[10] = s.in_flight;
            v[11] = s.endpoints_gone;
            ugw_metrics_u64(w, fam[f].name, labels, v[f]);
        }
    }
}

ugw_status ugw_relay_metrics_text(ugw_relay *r, char *buf, size_t cap, size_t *len)
{
    ugw_metrics_writer w;
    if (!r)
        return UGW_ERR_ARG;
    ugw_metrics_init(&w, buf, cap);
    ugw_relay_metrics_write(r, &w);
    return ugw_metrics_end(&w, len);
}
