/*
 * ugw_client_metrics.c - the delivery client's counters as Prometheus text
 * (ugw_client_metrics_text(); the list is in docs/OPERATIONS.md).
 */
#include <ugw/ugw_client.h>
#include <ugw/ugw_metrics.h>

void ugw_client_metrics_write(ugw_client *c, ugw_metrics_writer *w)
{
    ugw_client_stats st;
    if (!c || !w)
        return;
    ugw_client_stats_get(c, &st);
    const ugw_metrics_scalar m[] = {
        { "ugw_client_accepted_total", "counter", "Events accepted for delivery.", st.accepted },
        { "ugw_client_delivered_total", "counter", "Events delivered (a 2xx answer).", st.delivered },
        { "ugw_client_retried_total", "counter", "Attempts scheduled again after a retryable failure.",
          st.retried },
        { "ugw_client_failed_total", "counter", "Events handed back as failed.", st.failed },
        { "ugw_client_dead_letter_failed_total", "counter",
          "Failed events that could not be written to the dead-letter file.", st.dead_letter_failed },
        { "ugw_client_queued", "gauge", "Events waiting for their first or next attempt.", st.queued },
        { "ugw_client_in_flight", "gauge", "Requests on the wire.", st.in_flight },
        { "ugw_client_spool_resumed_total", "counter", "Pending events found in the spool when the client opened it.",
          st.resumed },
        { "ugw_client_spool_kept_total", "counter", "Events left pending in the spool when the client closed.",
          st.kept },
        { "ugw_client_spool_commits_total", "counter", "Spool commits of accepted events (each one sync at most).",
          st.spool_commits },
        { "ugw_client_spool_errors_total", "counter",
          "Spool writes after delivery that failed (the event may be sent again).", st.spool_errors },
    };
    ugw_metrics_scalars(w, m, sizeof m / sizeof m[0]);
}

ugw_status ugw_client_metrics_text(ugw_client *c, char *buf, size_t cap, size_t *len)
{
    ugw_metrics_writer w;
    if (!c)
        return UGW_ERR_ARG;
    ugw_metrics_init(&w, buf, cap);
    ugw_client_metrics_write(c, &w);
    return ugw_metrics_end(&w, len);
}
