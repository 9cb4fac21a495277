/*
 * mhd_routes.c - what the adapter answers besides webhooks (mhd_internal.h):
 * GET of the metrics path, and the server's metric families.
 */
#include "mhd_internal.h"

#include <stdlib.h>
#include <string.h>

void ugw_receiver_mhd_metrics_write(ugw_receiver_mhd *s, ugw_metrics_writer *w)
{
    ugw_receiver_mhd_stats st;
    if (!s || !w)
        return;
    ugw_receiver_metrics_write(s->rx, w);
    ugw_receiver_mhd_stats_get(s, &st);
    const ugw_metrics_scalar m[] = {
        { "ugw_http_connections", "gauge", "Connections open now.", st.connections },
        { "ugw_http_connections_peak", "gauge", "Most connections open at once.", st.peak_connections },
        { "ugw_http_connections_accepted_total", "counter", "Connections accepted.", st.accepted },
        { "ugw_http_connections_evicted_total", "counter",
          "Connections closed to make room past the connection limit.", st.evicted },
        { "ugw_http_header_timeouts_total", "counter",
          "Connections closed for headers not in within the deadline.", st.header_timeouts },
        { "ugw_http_request_timeouts_total", "counter",
          "Connections closed for a request not complete in time.", st.request_timeouts },
        { "ugw_http_peers_gone_total", "counter",
          "Connections closed because the client had closed its side.", st.peers_gone },
        { "ugw_http_memory_refusals_total", "counter", "Requests answered 503 for the body memory budget.",
          st.budget_refusals },
        { "ugw_http_malformed_total", "counter", "Requests answered 400 for their framing.", st.malformed },
        { "ugw_http_body_memory_bytes", "gauge", "Memory held by request bodies now.", st.body_bytes },
        { "ugw_http_body_memory_peak_bytes", "gauge", "Most memory held by request bodies at once.",
          st.peak_body_bytes },
    };
    ugw_metrics_scalars(w, m, sizeof m / sizeof m[0]);
}

ugw_status ugw_receiver_mhd_metrics_text(ugw_receiver_mhd *s, char *buf, size_t cap, size_t *len)
{
    ugw_metrics_writer w;
    if (!s)
        return UGW_ERR_ARG;
    ugw_metrics_init(&w, buf, cap);
    ugw_receiver_mhd_metrics_write(s, &w);
    return ugw_metrics_end(&w, len);
}

enum MHD_Result mhd_send_text(struct MHD_Connection *c, unsigned status, const char *ctype, const void *body,
                              size_t len, bool copy)
{
    struct MHD_Response *resp = MHD_create_response_from_buffer(
        len, (void *)body, copy ? MHD_RESPMEM_MUST_COPY : MHD_RESPMEM_PERSISTENT);
    enum MHD_Result r;
    if (!resp)
        return MHD_NO;
    if (ctype)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, ctype);
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    r = MHD_queue_response(c, status, resp);
    MHD_destroy_response(resp);
    return r;
}

/* The metrics, rendered into a buffer sized by a first pass. */
static enum MHD_Result send_metrics(ugw_receiver_mhd *s, struct MHD_Connection *c)
{
    size_t need = 0;
    char *buf;
    enum MHD_Result r;
    (void)ugw_receiver_mhd_metrics_text(s, NULL, 0, &need);
    need += 4096; /* counters may grow between the passes; lines do not */
    buf = malloc(need);
    if (!buf || ugw_receiver_mhd_metrics_text(s, buf, need, &need) != UGW_OK) {
        free(buf);
        return mhd_send_text(c, 503, "text/plain", "out of memory\n", 14, false);
    }
    r = mhd_send_text(c, 200, UGW_METRICS_CONTENT_TYPE, buf, need, true);
    free(buf);
    return r;
}

int mhd_route(ugw_receiver_mhd *s, struct MHD_Connection *c, const char *url, const char *method)
{
    bool get = strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
    int r;
    if (get && s->cfg.metrics_path && url && strcmp(url, s->cfg.metrics_path) == 0) {
        mhd_conn_phase(s, mhd_conn_of(c), PHASE_BUSY);
        return (int)send_metrics(s, c);
    }
    /* The inspector's stream stays open: BUSY keeps the deadlines off it. */
    if (s->insp && url && strncmp(url, UGW_MHD_INSPECTOR_PATH, strlen(UGW_MHD_INSPECTOR_PATH)) == 0)
        mhd_conn_phase(s, mhd_conn_of(c), PHASE_BUSY);
    r = insp_route(s->insp, c, url, method);
    return r;
}
