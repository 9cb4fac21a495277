/*
 * ugw_client_metrics.c - the delivery client's counters as Prometheus text
 * (ugw_client_metrics_text(); the list is in docs/OPERATIONS.md).
 */
#include <ugw/ugw_client.h>
#include <ugw/ugw_metrics.h>

void ugw_client_metrics_write(ugw_client *c, ugw_metrics_writer *w)
{
    static const struct {
        const char *name, *type, *help;
    } fam[] = {
        { "ugw_client_accepted_total", "counter", "Events accepted for delivery." },
        { "ugw_client_delivered_total", "counter", "Events delivered (a 2xx answer)." },
        { "ugw_client_retried_total", "counter", "Attempts scheduled again after a retryable failure." },
        { "ugw_client_failed_total", "counter", "Events handed back as failed." },
        { "ugw_client_dead_letter_failed_total", "counter",
          "Failed events that could not be written to the dead-letter file." },
        { "ugw_client_queued", "gauge", "Events waiting for their first or next attempt." },
        { "ugw_client_in_flight", "gauge", "Requests on the wire." },
        { "ugw_client_spool_resumed_total", "counter", "Pending events found in the spool when the client opened it." },
        { "ugw_client_spool_kept_total", "counter", "Events left pending in the spool when the client closed." },
        { "ugw_client_spool_commits_total", "counter", "Spool commits of accepted events (each one sync at most)." },
        { "ugw_client_spool_errors_total", "counter",
          "Spool writes after delivery that failed (the event may be sent again)." },
    };
    ugw_client_stats st;
    uint64_t v[11];
    if (!c || !w)
        return;
    ugw_client_stats_get(c, &st);
    v[0] = st.accepted;
    v[1] = st.delivered;
    v[2] = st.retried;
    v[3] = st.failed;
    v[4] = st.dead_letter_failed;
    v[5] = st.queued;
    v[6] = st.in_flight;
    v[7] = st.resumed;
    v[8] = st.kept;
    v[9] = st.spool_commits;
    v[10] = st.spool_errors;
    for (size_t i = 0; i < sizeof fam / sizeof fam[0]; i++) {
        ugw_metrics_family(w, fam[i].name, fam[i].type, fam[i].help);
        ugw_metrics_u64(w, fam[i].name, NULL, v[i]);
    }
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
