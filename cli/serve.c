/*
 * serve.c - the embedded webhook receiver (serve.h) on libmicrohttpd
 * (0.9.75 in Debian 12: handlers return enum MHD_Result).
 *
 * The listening socket is made here (so a failure to bind says why, and
 * port 0 gives the port at once) and handed to an MHD daemon that answers on
 * an internal pool of threads. The access handler runs three ways per
 * request:
 *   1. *con_cls == NULL: headers are in. Allocate the request state; answer
 *      405 for a method other than POST at once. A Content-Length over the
 *      limit is rejected at once (MHD then skips the body and closes the
 *      connection) when the client waits for "100 Continue" before sending
 *      the body, or the body is too large to drain; otherwise the request is
 *      marked too big, nothing of it is kept, and 413 is answered at the end
 *      (a client that sends its body without waiting would otherwise see a
 *      reset connection instead of the 413).
 *   2. *upload_data_size > 0: a body chunk. Append it; once the body passes
 *      the limit, drop what was kept and only count further bytes (answering
 *      413 at the end), and close the connection after max_body + DISCARD_CAP
 *      bytes.
 *   3. *upload_data_size == 0 again: the body is complete; check, decode,
 *      record and answer.
 * The state is freed in the NOTIFY_COMPLETED callback, which MHD calls for
 * every request whose handler ran, however it ended.
 *
 * The webhook-id set is serve_ids.c and the output line of a valid event
 * serve_line.c (serve_internal.h).
 *
 * Shared state (counters, the webhook-id set, the output streams, the
 * on_event callback, the free decoders) is under s->mu. Checking and
 * decoding happen outside it; each decode uses a decoder and a payload
 * buffer (ugw_schema_payload_max() of the schema) taken together from the
 * pool, so neither is ever used by two threads at once, and a request
 * allocates nothing for its event.
 */
#include "serve.h"
#include "serve_internal.h"

#include <errno.h>
#include <netdb.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>
#include <openssl/crypto.h>

#include <ugw/ugw_runtime.h>
#include <ugw/ugw_webhook.h>

/* Longest accepted webhook-id in bytes. */
#define ID_MAX_LEN 256
/* A body over the limit is read (and dropped) up to the limit plus this many
 * bytes, so that a client that sends its whole body before reading the answer
 * still gets its 413 rather than a reset connection; past it the connection
 * is closed. */
#define DISCARD_CAP ((size_t)16 << 20)
/* Idle connections are closed after this many seconds. */
#define CONNECTION_TIMEOUT_S 30u
/* The decoder's own hard limit on max_input (runtime/ugw_internal.h). */
#define DECODER_MAX_INPUT ((size_t)1 << 28)

/* ------------------------------------------------------------------ */
/* The server                                                           */
/* ------------------------------------------------------------------ */

/* A decoder and a payload buffer, used by one request at a time. */
typedef struct dec_slot {
    ugw_decoder *dec;
    void *payload; /* payload_max bytes; malloc's alignment suits uint64_t */
} dec_slot;

struct ugw_server {
    struct MHD_Daemon *daemon;
    server_opts o;
    ugw_secret secret;
    bool has_secret;
    uint16_t port;
    char url[96];
    char limit_msg[64]; /* "body larger than N bytes", the 413 message */

    pthread_mutex_t mu;
    pthread_cond_t cv; /* CLOCK_MONOTONIC; broadcast when received grows */
    server_stats st;
    id_set ids;
    size_t payload_max; /* of the schema: each slot's payload buffer */
    dec_slot *free_decs;
    size_t nfree, capfree;
};

/* One request. */
typedef struct req {
    char *body;
    size_t len, cap;
    size_t dropped; /* bytes counted but not kept, once over the limit */
    bool too_big;
    bool oom;
} req;

/* ------------------------------------------------------------------ */
/* Decoders                                                             */
/* ------------------------------------------------------------------ */

static void slot_free(dec_slot *d)
{
    ugw_decoder_free(d->dec);
    free(d->payload);
}

/* A slot from the pool, or a new one; false when memory runs out. */
static bool dec_get(ugw_server *s, dec_slot *out)
{
    ugw_decode_opts opts;
    bool have = false;

    pthread_mutex_lock(&s->mu);
    if (s->nfree) {
        *out = s->free_decs[--s->nfree];
        have = true;
    }
    pthread_mutex_unlock(&s->mu);
    if (have)
        return true;
    memset(&opts, 0, sizeof opts);
    opts.strict = s->o.strict;
    opts.max_input = s->o.max_body > UGW_DEFAULT_MAX_INPUT ? s->o.max_body : UGW_DEFAULT_MAX_INPUT;
    out->dec = ugw_decoder_new(&opts);
    out->payload = malloc(s->payload_max ? s->payload_max : 1);
    if (out->dec && out->payload)
        return true;
    slot_free(out);
    return false;
}

static void dec_put(ugw_server *s, dec_slot *d)
{
    bool kept = false;

    pthread_mutex_lock(&s->mu);
    if (s->nfree == s->capfree) {
        size_t n = s->capfree ? s->capfree * 2 : 8;
        dec_slot *a = realloc(s->free_decs, n * sizeof *a);
        if (a) {
            s->free_decs = a;
            s->capfree = n;
        }
    }
    if (s->nfree < s->capfree) {
        s->free_decs[s->nfree++] = *d;
        kept = true;
    }
    pthread_mutex_unlock(&s->mu);
    if (!kept)
        slot_free(d); /* only when there was no room to keep it */
}

/* ------------------------------------------------------------------ */
/* Answering                                                            */
/* ------------------------------------------------------------------ */

/*
 * Counts one answered request, writes its line (a valid event's to
 * o.events, a rejection's to o.log), calls on_event: all under the lock.
 * `line` is the valid event's output line (may be NULL on OOM).
 */
static void record(ugw_server *s, unsigned status, const char *id, bool verified, ugw_format fmt,
                   int type, const void *payload, const ugw_error *err, const char *line)
{
    server_event se;
    bool dup = false;

    pthread_mutex_lock(&s->mu);
    s->st.received++;
    if (status == 204) {
        if (id)
            dup = id_set_check_add(&s->ids, id, strlen(id)) == 1;
        if (dup) {
            s->st.duplicates++;
        } else {
            s->st.valid++;
            if (s->o.events) {
                if (!line || fputs(line, s->o.events) == EOF || fflush(s->o.events) != 0)
                    s->st.write_errors++;
            }
        }
    } else if (status == 401) {
        s->st.unauthorized++;
    } else {
        s->st.invalid++;
    }
    if (status != 204 && s->o.log && err) {
        fprintf(s->o.log, "%s serve: %u %s: %s: %s (%s at byte %zu)\n", s->o.name, status, id ? id : "-",
                err->path[0] ? err->path : "-", err->message ? err->message : "error",
                ugw_status_name(err->code), err->pos);
        fflush(s->o.log);
    }
    if (s->o.on_event) {
        se.status = status;
        se.duplicate = dup;
        se.verified = verified;
        se.id = id;
        se.format = fmt;
        se.type = status == 204 ? type : 0;
        se.desc = status == 204 ? ugw_schema_event(s->o.schema, type) : NULL;
        se.payload = status == 204 ? payload : NULL;
        se.error = status == 204 ? NULL : err;
        s->o.on_event(s->o.on_event_ctx, &se);
    }
    pthread_cond_broadcast(&s->cv);
    pthread_mutex_unlock(&s->mu);
}

static enum MHD_Result queue(struct MHD_Connection *c, unsigned status, const char *body, size_t len,
                             bool allow_post)
{
    struct MHD_Response *resp;
    enum MHD_Result r;

    resp = MHD_create_response_from_buffer(len, (void *)body, MHD_RESPMEM_MUST_COPY);
    if (!resp)
        return MHD_NO;
    if (len)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
    if (allow_post)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, "POST");
    r = MHD_queue_response(c, status, resp);
    MHD_destroy_response(resp);
    return r;
}

/* Answers a rejection with the JSON error body and records it. */
static enum MHD_Result reject(ugw_server *s, struct MHD_Connection *c, unsigned status,
                              const char *id, bool verified, ugw_format fmt, const ugw_error *err)
{
    const char *msg = err->message ? err->message : "error";
    char *m = json_escaped(msg, strlen(msg));
    char *p = json_escaped(err->path, strlen(err->path));
    char *body = NULL;
    size_t n = 0;
    enum MHD_Result r;

    if (m && p) {
        n = strlen(m) + strlen(p) + 96;
        body = malloc(n);
        if (body)
            n = (size_t)snprintf(body, n, "{\"code\":\"%s\",\"message\":\"%s\",\"path\":\"%s\",\"pos\":%zu}",
                                 ugw_status_name(err->code), m, p, err->pos);
    }
    free(m);
    free(p);
    record(s, status, id, verified, fmt, 0, NULL, err, NULL);
    r = queue(c, status, body ? body : "", body ? n : 0, status == 405);
    free(body);
    return r;
}

static enum MHD_Result reject_msg(ugw_server *s, struct MHD_Connection *c, unsigned status,
                                  const char *id, ugw_status code, const char *message,
                                  const char *path, size_t pos)
{
    ugw_error err;
    ugw_error_clear(&err);
    ugw_error_set(&err, code, message, pos, path);
    return reject(s, c, status, id, false, UGW_FORMAT_JSON, &err);
}

/* The format of a Content-Type value; false when it is neither. */
static bool content_format(const char *ct, ugw_format *fmt)
{
    static const struct { const char *type; ugw_format fmt; } types[] = {
        { "application/json", UGW_FORMAT_JSON },
        { "application/msgpack", UGW_FORMAT_MSGPACK },
    };
    size_t n;
    if (!ct)
        return false;
    while (*ct == ' ' || *ct == '\t')
        ct++;
    n = strcspn(ct, ";");
    while (n && (ct[n - 1] == ' ' || ct[n - 1] == '\t'))
        n--;
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
        if (strlen(types[i].type) == n && strncasecmp(ct, types[i].type, n) == 0) {
            *fmt = types[i].fmt;
            return true;
        }
    }
    return false;
}

/* A usable webhook-id: 1 to ID_MAX_LEN bytes in '!'..'~'. */
static bool id_ok(const char *id)
{
    size_t n = 0;
    for (; id[n]; n++)
        if (n >= ID_MAX_LEN || (unsigned char)id[n] < 0x21 || (unsigned char)id[n] > 0x7e)
            return false;
    return n > 0;
}

/* The request's webhook-id when it is usable, else NULL (for early answers). */
static const char *header_id(struct MHD_Connection *c)
{
    const char *id = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "webhook-id");
    return id && id_ok(id) ? id : NULL;
}

/* The body is complete: check, decode, record, answer. */
static enum MHD_Result finish(ugw_server *s, struct MHD_Connection *c, req *r)
{
    static const char empty[1] = { 0 };
    const char *id, *body = r->body ? r->body : empty;
    bool verified = false;
    ugw_format fmt;
    dec_slot slot;
    int type;
    ugw_error err;
    char *line;
    enum MHD_Result res;

    if (r->too_big)
        return reject_msg(s, c, 413, header_id(c), UGW_ERR_LIMIT, s->limit_msg, "", s->o.max_body);
    if (r->oom)
        return reject_msg(s, c, 500, header_id(c), UGW_ERR_NOMEM, "out of memory", "", 0);

    id = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "webhook-id");
    if (id && !id_ok(id))
        return reject_msg(s, c, 400, NULL, UGW_ERR_SYNTAX,
                          "webhook-id must be 1 to 256 printable ASCII characters without spaces",
                          "webhook-id", 0);
    if (s->has_secret) {
        const char *ts = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "webhook-timestamp");
        const char *sig = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "webhook-signature");
        if (!id)
            return reject_msg(s, c, 401, NULL, UGW_ERR_SIGNATURE, "no webhook-id header", "webhook-id", 0);
        if (!ts)
            return reject_msg(s, c, 401, id, UGW_ERR_TIMESTAMP, "no webhook-timestamp header",
                              "webhook-timestamp", 0);
        if (!sig)
            return reject_msg(s, c, 401, id, UGW_ERR_SIGNATURE, "no webhook-signature header",
                              "webhook-signature", 0);
        if (ugw_webhook_verify(&s->secret, id, ts, sig, body, r->len, (int64_t)time(NULL),
                               s->o.tolerance_s, &err) != UGW_OK)
            return reject(s, c, err.code == UGW_ERR_SIGNATURE || err.code == UGW_ERR_TIMESTAMP ? 401 : 500,
                          id, false, UGW_FORMAT_JSON, &err);
        verified = true;
    }
    if (!content_format(MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE), &fmt)) {
        ugw_error_clear(&err);
        ugw_error_set(&err, UGW_ERR_TYPE, "Content-Type must be application/json or application/msgpack", 0,
                      "Content-Type");
        return reject(s, c, 415, id, verified, UGW_FORMAT_JSON, &err);
    }

    if (!dec_get(s, &slot)) {
        ugw_error_clear(&err);
        ugw_error_set(&err, UGW_ERR_NOMEM, "out of memory", 0, "");
        return reject(s, c, 500, id, verified, fmt, &err);
    }
    if (ugw_schema_decode(s->o.schema, slot.dec, fmt, body, r->len, &type, slot.payload,
                          s->payload_max, &err) != UGW_OK) {
        res = reject(s, c, 400, id, verified, fmt, &err);
        dec_put(s, &slot);
        return res;
    }
    line = s->o.events ? event_line(s->o.schema, s->o.output, id, verified, fmt, type, slot.payload)
                        : NULL;
    record(s, 204, id, verified, fmt, type, slot.payload, NULL, line);
    free(line);
    dec_put(s, &slot); /* the event's views may point into the decoder: keep it until here */
    return queue(c, 204, "", 0, false);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
    ugw_server *s = cls;
    req *r = *con_cls;

    (void)url;
    (void)version;
    if (!r) {
        const char *cl;
        r = calloc(1, sizeof *r);
        if (!r)
            return MHD_NO;
        *con_cls = r;
        if (strcmp(method, MHD_HTTP_METHOD_POST) != 0)
            return reject_msg(s, c, 405, header_id(c), UGW_ERR_ARG, "only POST is accepted", "", 0);
        cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
        if (cl && *cl) {
            uint64_t n = 0;
            const char *p = cl;
            bool over = false;
            for (; *p >= '0' && *p <= '9'; p++) {
                if (n > s->o.max_body) {
                    over = true; /* no need to read more digits */
                    break;
                }
                n = n * 10u + (uint64_t)(*p - '0');
            }
            if (over || n > s->o.max_body) {
                const char *expect = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_EXPECT);
                if (over || n - s->o.max_body > DISCARD_CAP || (expect && strcasecmp(expect, "100-continue") == 0))
                    return reject_msg(s, c, 413, header_id(c), UGW_ERR_LIMIT, s->limit_msg, "", s->o.max_body);
                r->too_big = true; /* drain it, answer at the end */
                return MHD_YES;
            }
            if (!*p && n > 0) {
                r->body = malloc((size_t)n);
                if (r->body)
                    r->cap = (size_t)n;
            }
        }
        return MHD_YES;
    }
    if (*upload_data_size) {
        size_t n = *upload_data_size;
        *upload_data_size = 0;
        if (r->too_big || r->oom) {
            r->dropped += n;
            return r->dropped > s->o.max_body + DISCARD_CAP ? MHD_NO : MHD_YES;
        }
        if (n > s->o.max_body - r->len) {
            r->too_big = true;
            r->dropped = r->len + n;
            free(r->body);
            r->body = NULL;
            r->len = r->cap = 0;
            return MHD_YES;
        }
        if (r->len + n > r->cap) {
            size_t ncap = r->cap ? r->cap : 4096;
            char *nb;
            while (ncap < r->len + n)
                ncap *= 2;
            if (ncap > s->o.max_body)
                ncap = s->o.max_body;
            nb = realloc(r->body, ncap);
            if (!nb) {
                r->oom = true;
                free(r->body);
                r->body = NULL;
                r->len = r->cap = 0;
                return MHD_YES;
            }
            r->body = nb;
            r->cap = ncap;
        }
        memcpy(r->body + r->len, upload_data, n);
        r->len += n;
        return MHD_YES;
    }
    return finish(s, c, r);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    req *r = *con_cls;
    (void)cls;
    (void)c;
    (void)toe;
    if (r) {
        free(r->body);
        free(r);
        *con_cls = NULL;
    }
}

/* ------------------------------------------------------------------ */
/* Start and stop                                                       */
/* ------------------------------------------------------------------ */

/* Binds and listens; returns the socket or -1 with a message in err. */
static int listen_on(const char *addr, uint16_t port, struct sockaddr_storage *bound,
                     char *err, size_t errlen)
{
    struct addrinfo hints, *res = NULL, *ai;
    char portstr[8];
    int fd = -1, e = 0, gai;

    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    snprintf(portstr, sizeof portstr, "%u", (unsigned)port);
    gai = getaddrinfo(addr, portstr, &hints, &res);
    if (gai != 0) {
        snprintf(err, errlen, "cannot resolve '%s': %s", addr, gai_strerror(gai));
        return -1;
    }
    for (ai = res; ai; ai = ai->ai_next) {
        int one = 1;
        socklen_t blen = sizeof *bound;
        fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
        if (fd < 0) {
            e = errno;
            continue;
        }
        (void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && listen(fd, 128) == 0
            && getsockname(fd, (struct sockaddr *)bound, &blen) == 0)
            break;
        e = errno;
        close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    if (fd < 0)
        snprintf(err, errlen, "cannot listen on %s port %u: %s", addr, (unsigned)port,
                 strerror(e ? e : EADDRNOTAVAIL));
    return fd;
}

ugw_server *server_start(const server_opts *opts, char *err, size_t errlen)
{
    ugw_server *s;
    struct sockaddr_storage bound;
    char host[64], serv[16];
    pthread_condattr_t ca;
    int fd;
    char dummy[1];

    if (!err || !errlen) {
        err = dummy;
        errlen = sizeof dummy;
    }
    err[0] = '\0';
    s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    if (opts)
        s->o = *opts;
    if (!s->o.schema) {
        snprintf(err, errlen, "no schema to validate events against");
        free(s);
        return NULL;
    }
    s->payload_max = ugw_schema_payload_max(s->o.schema);
    if (!s->o.name)
        s->o.name = "ugw";
    if (!s->o.addr)
        s->o.addr = SERVER_DEFAULT_ADDR;
    if (!s->o.max_body)
        s->o.max_body = SERVER_DEFAULT_MAX_BODY;
    if (s->o.max_body > DECODER_MAX_INPUT)
        s->o.max_body = DECODER_MAX_INPUT;
    snprintf(s->limit_msg, sizeof s->limit_msg, "body larger than %zu bytes", s->o.max_body);
    if (!s->o.threads)
        s->o.threads = SERVER_DEFAULT_THREADS;
    if (s->o.secret) {
        s->secret = *s->o.secret;
        s->has_secret = true;
        s->o.secret = NULL; /* the copy is used from here on */
    }
    s->ids.max = SERVER_DEDUP_IDS;
    pthread_mutex_init(&s->mu, NULL);
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&s->cv, &ca);
    pthread_condattr_destroy(&ca);

    fd = listen_on(s->o.addr, s->o.port, &bound, err, errlen);
    if (fd < 0) {
        server_stop(s, NULL);
        return NULL;
    }
    if (getnameinfo((struct sockaddr *)&bound, sizeof bound, host, sizeof host, serv, sizeof serv,
                    NI_NUMERICHOST | NI_NUMERICSERV) != 0) {
        snprintf(host, sizeof host, "?");
        snprintf(serv, sizeof serv, "0");
    }
    s->port = (uint16_t)atoi(serv);
    snprintf(s->url, sizeof s->url, "http://%s%s%s:%s/", strchr(host, ':') ? "[" : "", host,
             strchr(host, ':') ? "]" : "", serv);

    s->daemon = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO | MHD_USE_ITC
                                 | (bound.ss_family == AF_INET6 ? MHD_USE_IPv6 : 0),
                                 0, NULL, NULL, on_request, s,
                                 MHD_OPTION_LISTEN_SOCKET, fd,
                                 MHD_OPTION_THREAD_POOL_SIZE, (unsigned int)s->o.threads,
                                 MHD_OPTION_CONNECTION_TIMEOUT, CONNECTION_TIMEOUT_S,
                                 MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
                                 MHD_OPTION_END);
    if (!s->daemon) {
        close(fd);
        snprintf(err, errlen, "cannot start the HTTP server (libmicrohttpd) on %s", s->url);
        server_stop(s, NULL);
        return NULL;
    }
    return s;
}

uint16_t server_port(const ugw_server *s)
{
    return s ? s->port : 0;
}

const char *server_url(const ugw_server *s)
{
    return s ? s->url : "";
}

void server_stats_get(ugw_server *s, server_stats *out)
{
    pthread_mutex_lock(&s->mu);
    *out = s->st;
    pthread_mutex_unlock(&s->mu);
}

int server_stats_format(const server_stats *st, char *buf, size_t len)
{
    return snprintf(buf, len, "received %llu, valid %llu, invalid %llu, unauthorized %llu, duplicates %llu",
                    (unsigned long long)st->received, (unsigned long long)st->valid,
                    (unsigned long long)st->invalid, (unsigned long long)st->unauthorized,
                    (unsigned long long)st->duplicates);
}

bool server_wait(ugw_server *s, uint64_t received, int timeout_ms)
{
    struct timespec dl;
    bool ok;

    clock_gettime(CLOCK_MONOTONIC, &dl);
    if (timeout_ms > 0) {
        dl.tv_sec += timeout_ms / 1000;
        dl.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
        if (dl.tv_nsec >= 1000000000L) {
            dl.tv_sec++;
            dl.tv_nsec -= 1000000000L;
        }
    }
    pthread_mutex_lock(&s->mu);
    while (s->st.received < received) {
        if (timeout_ms < 0)
            pthread_cond_wait(&s->cv, &s->mu);
        else if (pthread_cond_timedwait(&s->cv, &s->mu, &dl) == ETIMEDOUT)
            break;
    }
    ok = s->st.received >= received;
    pthread_mutex_unlock(&s->mu);
    return ok;
}

void server_stop(ugw_server *s, server_stats *final)
{
    if (!s)
        return;
    if (s->daemon)
        MHD_stop_daemon(s->daemon); /* joins the threads, closes the listening socket */
    if (final)
        *final = s->st;
    for (size_t i = 0; i < s->nfree; i++)
        slot_free(&s->free_decs[i]);
    free(s->free_decs);
    id_set_free(&s->ids);
    pthread_cond_destroy(&s->cv);
    pthread_mutex_destroy(&s->mu);
    OPENSSL_cleanse(&s->secret, sizeof s->secret);
    free(s);
}
