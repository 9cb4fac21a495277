/*
 * ugw_metrics_http.c - GET /metrics on libmicrohttpd (ugw_metrics_http.h):
 * one polling thread, a bounded number of connections, no request body
 * ever read, the text rendered by the application's callback.
 */
#include <ugw/ugw_metrics_http.h>

#include "mhd_internal.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_CONNECTIONS_LIMIT 1024u
#define PATH_MAX_LEN 256
/* Room per connection for the request line and headers (libmicrohttpd
 * answers 431 past it). */
#define CONN_MEMORY ((size_t)16 << 10)
/* Counters may grow between the measuring pass and the real one. */
#define TEXT_SLACK 4096

struct ugw_metrics_http {
    struct MHD_Daemon *daemon;
    ugw_metrics_http_write_fn write;
    void *ctx;
    char path[PATH_MAX_LEN + 1];
    uint16_t port;
    char url[96 + PATH_MAX_LEN];
    pthread_mutex_t mu;
    uint64_t scrapes;
};

static void set_err(char *err, size_t errlen, const char *msg)
{
    if (err && errlen)
        snprintf(err, errlen, "%s", msg);
}

/* Queues a fixed answer (`body` static) with the headers every answer has. */
static enum MHD_Result answer(struct MHD_Connection *c, unsigned status, const char *body, const char *allow)
{
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(strlen(body), (void *)body, MHD_RESPMEM_PERSISTENT);
    enum MHD_Result r;
    if (!resp)
        return MHD_NO;
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "text/plain; charset=utf-8");
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    if (allow)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, allow);
    r = MHD_queue_response(c, status, resp);
    MHD_destroy_response(resp);
    return r;
}

/* The text: a measuring pass, then the real one into a buffer with slack;
 * NULL when it is too large or memory fails. */
static char *render(ugw_metrics_http *m, size_t *len)
{
    ugw_metrics_writer w;
    size_t cap;
    char *buf;

    ugw_metrics_init(&w, NULL, 0);
    m->write(m->ctx, &w);
    (void)ugw_metrics_end(&w, len);
    if (*len > UGW_METRICS_HTTP_TEXT_MAX)
        return NULL;
    cap = *len + TEXT_SLACK + 1;
    if (cap > UGW_METRICS_HTTP_TEXT_MAX + 1)
        cap = UGW_METRICS_HTTP_TEXT_MAX + 1;
    if (!(buf = malloc(cap)))
        return NULL;
    ugw_metrics_init(&w, buf, cap);
    m->write(m->ctx, &w);
    if (ugw_metrics_end(&w, len) != UGW_OK) {
        free(buf);
        return NULL;
    }
    return buf;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                                  const char *version, const char *upload_data, size_t *upload_data_size,
                                  void **con_cls)
{
    ugw_metrics_http *m = cls;
    struct MHD_Response *resp;
    enum MHD_Result r;
    size_t len = 0;
    char *text;

    static char seen;
    bool get = strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;

    (void)version;
    (void)upload_data;
    /* Any other method is answered on the first call, before its body: a
     * body is never read (libmicrohttpd then closes the connection). A GET
     * is answered on the second call, once the request is complete, so that
     * its connection can be kept alive. */
    if (get && !*con_cls) {
        *con_cls = &seen;
        return MHD_YES;
    }
    if (get && *upload_data_size) /* a GET with a body: not ours to read, closed */
        return MHD_NO;
    if (!url || strcmp(url, m->path) != 0)
        return answer(c, MHD_HTTP_NOT_FOUND, "not found\n", NULL);
    if (!get)
        return answer(c, MHD_HTTP_METHOD_NOT_ALLOWED, "only GET and HEAD\n", "GET, HEAD");
    if (!(text = render(m, &len)))
        return answer(c, MHD_HTTP_SERVICE_UNAVAILABLE, "metrics too large or out of memory\n", NULL);
    resp = MHD_create_response_from_buffer(len, text, MHD_RESPMEM_MUST_FREE);
    if (!resp) {
        free(text);
        return MHD_NO;
    }
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, UGW_METRICS_CONTENT_TYPE);
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    r = MHD_queue_response(c, MHD_HTTP_OK, resp);
    MHD_destroy_response(resp);
    if (r == MHD_YES) {
        pthread_mutex_lock(&m->mu);
        m->scrapes++;
        pthread_mutex_unlock(&m->mu);
    }
    return r;
}

ugw_metrics_http *ugw_metrics_http_start(const ugw_metrics_http_config *cfg, char *err, size_t errlen)
{
    ugw_metrics_http *m;
    struct sockaddr_storage bound;
    const char *addr, *path;
    unsigned maxc, idle_s;
    int fd;

    set_err(err, errlen, "");
    if (!cfg || !cfg->write) {
        set_err(err, errlen, "no configuration or no write callback");
        return NULL;
    }
    path = cfg->path ? cfg->path : UGW_METRICS_HTTP_DEFAULT_PATH;
    if (path[0] != '/' || strnlen(path, PATH_MAX_LEN + 1) > PATH_MAX_LEN) {
        set_err(err, errlen, "the path must start with '/' and have at most 256 bytes");
        return NULL;
    }
    maxc = cfg->max_connections ? cfg->max_connections : UGW_METRICS_HTTP_DEFAULT_MAX_CONNECTIONS;
    if (maxc > MAX_CONNECTIONS_LIMIT) {
        set_err(err, errlen, "max_connections is at most 1024");
        return NULL;
    }
    idle_s = ((cfg->timeout_ms ? cfg->timeout_ms : UGW_METRICS_HTTP_DEFAULT_TIMEOUT_MS) + 999) / 1000;
    if (!(m = calloc(1, sizeof *m))) {
        set_err(err, errlen, "out of memory");
        return NULL;
    }
    m->write = cfg->write;
    m->ctx = cfg->ctx;
    snprintf(m->path, sizeof m->path, "%s", path);
    pthread_mutex_init(&m->mu, NULL);
    addr = cfg->addr && cfg->addr[0] ? cfg->addr : UGW_METRICS_HTTP_DEFAULT_ADDR;
    {
        char e[256];
        fd = mhd_listen(addr, cfg->port, &bound, e, sizeof e);
        if (fd < 0) {
            set_err(err, errlen, e);
            ugw_metrics_http_stop(m);
            return NULL;
        }
    }
    m->port = mhd_bound_url(&bound, m->path, m->url, sizeof m->url);
    m->daemon = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO | MHD_USE_ITC
                                     | (bound.ss_family == AF_INET6 ? MHD_USE_IPv6 : 0),
                                 0, NULL, NULL, on_request, m,
                                 MHD_OPTION_LISTEN_SOCKET, fd,
                                 MHD_OPTION_CONNECTION_LIMIT, maxc,
                                 MHD_OPTION_CONNECTION_TIMEOUT, idle_s,
                                 MHD_OPTION_CONNECTION_MEMORY_LIMIT, CONN_MEMORY,
                                 MHD_OPTION_STRICT_FOR_CLIENT, (int)1,
                                 MHD_OPTION_END);
    if (!m->daemon) {
        close(fd);
        set_err(err, errlen, "cannot start the HTTP server (libmicrohttpd)");
        ugw_metrics_http_stop(m);
        return NULL;
    }
    return m;
}

uint16_t ugw_metrics_http_port(const ugw_metrics_http *m)
{
    return m ? m->port : 0;
}

const char *ugw_metrics_http_url(const ugw_metrics_http *m)
{
    return m ? m->url : "";
}

uint64_t ugw_metrics_http_scrapes(ugw_metrics_http *m)
{
    uint64_t n;
    if (!m)
        return 0;
    pthread_mutex_lock(&m->mu);
    n = m->scrapes;
    pthread_mutex_unlock(&m->mu);
    return n;
}

void ugw_metrics_http_stop(ugw_metrics_http *m)
{
    if (!m)
        return;
    if (m->daemon)
        MHD_stop_daemon(m->daemon); /* joins the thread, closes the connections and the socket */
    pthread_mutex_destroy(&m->mu);
    free(m);
}
