/*
 * receiver - a webhook endpoint for the bundled events on libmicrohttpd.
 *
 *   UGW_SECRET=whsec_... receiver PORT [COUNT]
 *
 * Listens on 127.0.0.1:PORT. For each POST: refuses a body over 64 KiB (413)
 * before reading it, verifies the Standard Webhooks signature (401), decodes
 * and validates the event as JSON or MessagePack by Content-Type (415, 400
 * with the error), prints it and answers 204. Stops after COUNT accepted
 * events (default: runs until killed).
 */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <microhttpd.h>
#include <ugw/ugw_events.h>
#include <ugw/ugw_webhook.h>

#define MAX_BODY (64 * 1024)

typedef struct request {
    char body[MAX_BODY];
    size_t len;
    int too_large;
} request;

static ugw_secret secret;
static ugw_decoder *decoder; /* one thread: MHD_USE_INTERNAL_POLLING_THREAD */
static atomic_long accepted;
static long wanted;

static enum MHD_Result reply(struct MHD_Connection *conn, unsigned status, const char *text)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(strlen(text), (void *)text,
                                                             MHD_RESPMEM_MUST_COPY);
    enum MHD_Result ok = MHD_queue_response(conn, status, r);
    MHD_destroy_response(r);
    return ok;
}

static const char *header(struct MHD_Connection *conn, const char *name)
{
    const char *v = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, name);
    return v ? v : "";
}

static enum MHD_Result finish(struct MHD_Connection *conn, request *rq)
{
    ugw_error err;
    char msg[512];
    if (rq->too_large)
        return reply(conn, MHD_HTTP_CONTENT_TOO_LARGE, "too large\n");
    if (ugw_webhook_verify(&secret, header(conn, "webhook-id"), header(conn, "webhook-timestamp"),
                           header(conn, "webhook-signature"), rq->body, rq->len,
                           (int64_t)time(NULL), 0, &err) != UGW_OK) {
        snprintf(msg, sizeof msg, "%s: %s\n", err.path, err.message);
        return reply(conn, MHD_HTTP_UNAUTHORIZED, msg);
    }
    const char *type = header(conn, "Content-Type");
    ugw_format fmt;
    if (strncmp(type, "application/json", 16) == 0)
        fmt = UGW_FORMAT_JSON;
    else if (strncmp(type, "application/msgpack", 19) == 0)
        fmt = UGW_FORMAT_MSGPACK;
    else
        return reply(conn, MHD_HTTP_UNSUPPORTED_MEDIA_TYPE, "unsupported media type\n");

    ugw_event ev;
    if (ugw_decode(decoder, fmt, rq->body, rq->len, &ev, &err) != UGW_OK) {
        snprintf(msg, sizeof msg, "%s: %s (%s at byte %zu)\n", err.path, err.message,
                 ugw_status_name(err.code), err.pos);
        return reply(conn, MHD_HTTP_BAD_REQUEST, msg);
    }
    printf("receiver: %s %s (%s)\n", header(conn, "webhook-id"), ugw_event_wire_name(ev.type),
           ugw_format_name(fmt));
    fflush(stdout);
    accepted++;
    return reply(conn, MHD_HTTP_NO_CONTENT, "");
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *data,
                                  size_t *size, void **state)
{
    request *rq = *state;
    (void)cls, (void)url, (void)version;
    if (strcmp(method, "POST") != 0)
        return reply(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "POST only\n");
    if (!rq) { /* headers are in: refuse an announced oversize body before reading it */
        const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");
        if (cl && strtoull(cl, NULL, 10) > MAX_BODY)
            return reply(conn, MHD_HTTP_CONTENT_TOO_LARGE, "too large\n");
        if (!(rq = calloc(1, sizeof *rq)))
            return MHD_NO;
        *state = rq;
        return MHD_YES;
    }
    if (*size) { /* a piece of the body */
        if (*size > MAX_BODY - rq->len)
            rq->too_large = 1;
        else
            memcpy(rq->body + rq->len, data, *size), rq->len += *size;
        *size = 0;
        return MHD_YES;
    }
    return finish(conn, rq);
}

static void on_done(void *cls, struct MHD_Connection *conn, void **state,
                    enum MHD_RequestTerminationCode code)
{
    (void)cls, (void)conn, (void)code;
    free(*state);
    *state = NULL;
}

int main(int argc, char **argv)
{
    const char *text = getenv("UGW_SECRET");
    ugw_error err;
    if (argc < 2 || !text) {
        fprintf(stderr, "usage: UGW_SECRET=whsec_... receiver PORT [COUNT]\n");
        return 2;
    }
    if (ugw_secret_parse(text, strlen(text), &secret, &err) != UGW_OK) {
        fprintf(stderr, "receiver: secret: %s\n", err.message);
        return 2;
    }
    wanted = argc > 2 ? atol(argv[2]) : 0;
    decoder = ugw_decoder_new(NULL);
    struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(argv[1])),
                                .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    struct MHD_Daemon *d = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG, 0, NULL, NULL, on_request, NULL,
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr, MHD_OPTION_NOTIFY_COMPLETED, on_done, NULL,
        MHD_OPTION_CONNECTION_LIMIT, 64u, MHD_OPTION_CONNECTION_TIMEOUT, 10u, MHD_OPTION_END);
    if (!decoder || !d) {
        fprintf(stderr, "receiver: cannot listen on 127.0.0.1:%s\n", argv[1]);
        return 1;
    }
    printf("receiver: listening on 127.0.0.1:%s\n", argv[1]);
    fflush(stdout);
    while (!wanted || accepted < wanted) {
        struct timespec ts = { 0, 20 * 1000 * 1000 };
        nanosleep(&ts, NULL);
    }
    MHD_stop_daemon(d);
    ugw_decoder_free(decoder);
    return 0;
}
