/*
 * mhd_request.c - one request on libmicrohttpd (mhd_internal.h). The access
 * handler runs three ways:
 *   1. *con_cls == NULL: the headers are in. Refuse malformed framing with
 *      400 at once (the body's extent is unknown, so the connection is
 *      closed), then run the receiver's header checks; a refusal is
 *      answered at once when the client waits for "100 Continue" or
 *      announced a body too large to drain, else after the body is drained.
 *   2. *upload_data_size > 0: a chunk of the body. Keep it in a buffer that
 *      grows with what arrived (doubling, from 4 KiB, never past max_body),
 *      each growth taken from the memory budget; past max_body (413) or the
 *      budget (503), drop what was kept and only count further bytes.
 *   3. *upload_data_size == 0 again: the request is complete: handle it,
 *      store a new event through cfg.store, answer.
 * The state is freed, and its memory given back to the budget, in the
 * NOTIFY_COMPLETED callback, which libmicrohttpd calls for every request
 * whose handler ran, however it ended.
 */
#include "mhd_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The request context of an answer that is not a webhook's (mhd_route()):
 * a body that follows it is dropped. */
static char routed_mark;

/* Where the body's buffer starts. */
#define BODY_FIRST_CAP ((size_t)4096)

typedef struct mhd_req {
    char *body;
    size_t len, cap; /* cap is taken from the budget */
    size_t dropped;  /* bytes counted but not kept, once refused */
    bool refused;    /* answer `res` once the body is drained */
    const char *method, *url; /* libmicrohttpd's, valid for the request */
    ugw_receiver_result res;
} mhd_req;

/* ------------------------------------------------------------------ */
/* Answers                                                              */
/* ------------------------------------------------------------------ */

static enum MHD_Result send_answer(struct MHD_Connection *c, unsigned status, const char *body, size_t len,
                                   const char *ctype, unsigned retry_after, bool close)
{
    struct MHD_Response *resp = MHD_create_response_from_buffer(len, (void *)body, MHD_RESPMEM_MUST_COPY);
    enum MHD_Result r;
    char num[24];
    if (!resp)
        return MHD_NO;
    if (ctype && *ctype)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, ctype);
    if (status == 405)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, "POST");
    if (retry_after) {
        num[ugw_fmt_u64(num, retry_after)] = '\0';
        MHD_add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER, num);
    }
    if (close)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONNECTION, "close");
    r = MHD_queue_response(c, status, resp);
    MHD_destroy_response(resp);
    return r;
}

/* Tells on_answer and the inspector of an answer: `body` is the request's
 * (NULL when it was not kept). */
static void notify(ugw_receiver_mhd *s, struct MHD_Connection *c, const mhd_req *r, unsigned status,
                   const ugw_receiver_result *res, const void *body, size_t len)
{
    if (s->cfg.on_answer)
        s->cfg.on_answer(s->cfg.answer_ctx, status, res);
    if (s->insp) {
        insp_request rq = { c, r->method, r->url, status, res, body, len };
        insp_record(s->insp, &rq);
    }
}

/* Answers the receiver's result `res` (an error body, or none for 2xx). */
static enum MHD_Result answer_result(ugw_receiver_mhd *s, struct MHD_Connection *c, mhd_req *r,
                                     ugw_receiver_result *res, bool close)
{
    notify(s, c, r, res->status, res, r->refused ? NULL : r->body, r->refused ? 0 : r->len);
    return send_answer(c, res->status, res->body, res->body_len, res->body_len ? "application/json" : NULL,
                       res->retry_after, close);
}

/* ------------------------------------------------------------------ */
/* Framing                                                              */
/* ------------------------------------------------------------------ */

typedef struct framing {
    unsigned content_length, transfer_encoding, host, content_type, id, ts, sig;
    const char *cl, *te;
} framing;

static enum MHD_Result count_header(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
    framing *f = cls;
    (void)kind;
    if (!key)
        return MHD_YES;
    if (strcasecmp(key, MHD_HTTP_HEADER_CONTENT_LENGTH) == 0) {
        f->content_length++;
        f->cl = value;
    } else if (strcasecmp(key, MHD_HTTP_HEADER_TRANSFER_ENCODING) == 0) {
        f->transfer_encoding++;
        f->te = value;
    } else if (strcasecmp(key, MHD_HTTP_HEADER_HOST) == 0) {
        f->host++;
    } else if (strcasecmp(key, MHD_HTTP_HEADER_CONTENT_TYPE) == 0) {
        f->content_type++;
    } else if (strcasecmp(key, "webhook-id") == 0) {
        f->id++;
    } else if (strcasecmp(key, "webhook-timestamp") == 0) {
        f->ts++;
    } else if (strcasecmp(key, "webhook-signature") == 0) {
        f->sig++;
    }
    return MHD_YES;
}

/* Why the request's framing is refused (a static message), or NULL; *path
 * names the header. *cl is the announced length (-1 when none). */
static const char *framing_problem(struct MHD_Connection *c, const char *version, int64_t *cl,
                                   const char **path)
{
    framing f;
    memset(&f, 0, sizeof f);
    *cl = -1;
    MHD_get_connection_values(c, MHD_HEADER_KIND, count_header, &f);
    *path = "Content-Length";
    if (f.content_length > 1)
        return "Content-Length appears more than once";
    *path = "Transfer-Encoding";
    if (f.transfer_encoding > 1)
        return "Transfer-Encoding appears more than once";
    if (f.transfer_encoding && f.content_length)
        return "both Content-Length and Transfer-Encoding";
    if (f.te) {
        ugw_str t = ugw_trim(f.te, strlen(f.te), UGW_WS_HTTP);
        if (t.len != 7 || strncasecmp(t.ptr, "chunked", 7) != 0)
            return "Transfer-Encoding other than chunked";
    }
    if (f.cl) {
        ugw_str t = ugw_trim(f.cl, strlen(f.cl), UGW_WS_HTTP);
        uint64_t v;
        *path = "Content-Length";
        if (t.len == 0 || t.len > 18 || !ugw_parse_u64(t.ptr, t.len, &v))
            return "Content-Length is not a number of bytes";
        *cl = (int64_t)v;
    }
    *path = "Host";
    if (f.host > 1)
        return "Host appears more than once";
    if (f.host == 0 && version && strcmp(version, MHD_HTTP_VERSION_1_0) != 0)
        return "HTTP/1.1 request without Host";
    *path = f.id > 1 ? "webhook-id" : f.ts > 1 ? "webhook-timestamp" : f.sig > 1 ? "webhook-signature"
                                                                                   : "Content-Type";
    if (f.id > 1 || f.ts > 1 || f.sig > 1 || f.content_type > 1)
        return "a header appears more than once";
    return NULL;
}

static const char *lookup(void *ctx, const char *name)
{
    return MHD_lookup_connection_value(ctx, MHD_HEADER_KIND, name);
}

/* ------------------------------------------------------------------ */
/* The body                                                             */
/* ------------------------------------------------------------------ */

static void body_free(ugw_receiver_mhd *s, mhd_req *r)
{
    free(r->body);
    if (r->cap)
        mhd_budget_give(s, r->cap);
    r->body = NULL;
    r->len = r->cap = 0;
}

/* Refuses the request once its body is drained: drops what was kept. */
static void refuse(ugw_receiver_mhd *s, mhd_req *r, unsigned status, ugw_status code, const char *message,
                   size_t pos, unsigned retry_after)
{
    r->dropped = r->len;
    body_free(s, r);
    r->refused = true;
    ugw_receiver_answer(&r->res, status, code, message, "", pos, retry_after);
    ugw_receiver_count(s->rx, &r->res);
}

static enum MHD_Result take_chunk(ugw_receiver_mhd *s, mhd_req *r, const char *data, size_t n)
{
    size_t max = ugw_receiver_max_body(s->rx);

    if (r->refused) {
        r->dropped += n;
        return r->dropped > max + MHD_DRAIN_CAP ? MHD_NO : MHD_YES;
    }
    if (n > max - r->len) {
        refuse(s, r, 413, UGW_ERR_LIMIT, s->limit_msg, max, 0);
        r->dropped += n;
        return MHD_YES;
    }
    if (n > r->cap - r->len) {
        size_t ncap = r->cap ? r->cap : BODY_FIRST_CAP;
        char *nb;
        while (ncap - r->len < n && ncap < max)
            ncap = ncap > max / 2 ? max : ncap * 2;
        if (ncap > max)
            ncap = max;
        if (!mhd_budget_take(s, ncap - r->cap)) {
            refuse(s, r, 503, UGW_ERR_NOMEM, "the server's memory for request bodies is in use", 0, 1);
            r->dropped += n;
            return MHD_YES;
        }
        nb = realloc(r->body, ncap);
        if (!nb) {
            mhd_budget_give(s, ncap - r->cap);
            refuse(s, r, 503, UGW_ERR_NOMEM, "out of memory", 0, 1);
            r->dropped += n;
            return MHD_YES;
        }
        r->body = nb;
        r->cap = ncap;
    }
    memcpy(r->body + r->len, data, n);
    r->len += n;
    return MHD_YES;
}

/* ------------------------------------------------------------------ */
/* The request                                                          */
/* ------------------------------------------------------------------ */

/* The request is complete and not refused: handle, store, answer. */
static enum MHD_Result complete(ugw_receiver_mhd *s, struct MHD_Connection *c, const char *method, mhd_req *r)
{
    ugw_receiver_request q;
    ugw_receiver_result *res = &r->res;
    ugw_mhd_reply reply;
    enum MHD_Result ret;
    unsigned st;
    bool stored;

    memset(&q, 0, sizeof q);
    q.method = method;
    q.header = lookup;
    q.header_ctx = c;
    q.content_length = -1;
    q.body = r->body;
    q.len = r->len;
    st = ugw_receiver_handle(s->rx, &q, res);
    if (st != 204 || res->duplicate) {
        ret = answer_result(s, c, r, res, false);
        ugw_receiver_finish(s->rx, res, true);
        return ret;
    }
    reply.status = 204;
    reply.retry_after = 0;
    reply.content_type[0] = '\0';
    reply.body_len = 0;
    stored = s->cfg.store
                 ? s->cfg.store(s->cfg.store_ctx, res, r->body, r->len,
                                MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE),
                                &reply)
                 : true;
    if (reply.body_len > sizeof reply.body)
        reply.body_len = sizeof reply.body;
    if (stored) {
        if (reply.status < 200 || reply.status > 299)
            reply.status = 204;
        notify(s, c, r, reply.status, res, r->body, r->len);
        ugw_receiver_finish(s->rx, res, true);
        return send_answer(c, reply.status, reply.body, reply.body_len, reply.content_type, reply.retry_after,
                           false);
    }
    ugw_receiver_finish(s->rx, res, false); /* res is now the 503 */
    if (reply.status < 300 || reply.status > 599)
        return answer_result(s, c, r, res, false);
    res->status = reply.status;
    notify(s, c, r, reply.status, res, r->body, r->len);
    return send_answer(c, reply.status, reply.body, reply.body_len, reply.content_type, reply.retry_after,
                       false);
}

enum MHD_Result mhd_on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                               const char *version, const char *upload_data, size_t *upload_data_size,
                               void **con_cls)
{
    ugw_receiver_mhd *s = cls;
    mhd_req *r = *con_cls;

    if ((void *)r == (void *)&routed_mark) {
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (!r) {
        ugw_receiver_request q;
        const char *msg, *path, *expect;
        int64_t cl;
        int routed;

        /* Malformed framing is refused on every path, before any routing. */
        msg = framing_problem(c, version, &cl, &path);
        if (!msg && (routed = mhd_route(s, c, url, method)) >= 0) {
            *con_cls = &routed_mark;
            return (enum MHD_Result)routed;
        }
        mhd_conn_phase(s, mhd_conn_of(c), PHASE_BODY);
        r = calloc(1, sizeof *r);
        if (!r)
            return MHD_NO;
        *con_cls = r;
        r->method = method;
        r->url = url;
        if (msg) {
            mhd_count(s, &s->st.malformed);
            ugw_receiver_answer(&r->res, 400, UGW_ERR_SYNTAX, msg, path, 0, 0);
            ugw_receiver_count(s->rx, &r->res);
            r->refused = true; /* its body is not read */
            return answer_result(s, c, r, &r->res, true);
        }
        memset(&q, 0, sizeof q);
        q.method = method;
        q.header = lookup;
        q.header_ctx = c;
        q.content_length = cl;
        if (ugw_receiver_check_headers(s->rx, &q, &r->res))
            return MHD_YES;
        expect = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_EXPECT);
        if ((expect && strcasecmp(expect, "100-continue") == 0)
            || (cl >= 0 && (uint64_t)cl > (uint64_t)ugw_receiver_max_body(s->rx) + MHD_DRAIN_CAP)) {
            r->refused = true;
            return answer_result(s, c, r, &r->res, true);
        }
        r->refused = true; /* answered once the body is drained */
        return MHD_YES;
    }
    if (*upload_data_size) {
        size_t n = *upload_data_size;
        *upload_data_size = 0;
        return take_chunk(s, r, upload_data, n);
    }
    mhd_conn_phase(s, mhd_conn_of(c), PHASE_BUSY);
    if (r->refused)
        return answer_result(s, c, r, &r->res, false);
    return complete(s, c, method, r);
}

void mhd_on_completed(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode toe)
{
    ugw_receiver_mhd *s = cls;
    mhd_req *r = *con_cls;
    (void)toe;
    if ((void *)r == (void *)&routed_mark) {
        *con_cls = NULL;
    } else if (r) {
        body_free(s, r);
        free(r);
        *con_cls = NULL;
    }
    mhd_conn_phase(s, mhd_conn_of(c), PHASE_HEADERS); /* a kept-alive connection waits anew */
}
