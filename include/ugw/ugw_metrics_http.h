/*
 * ugw_metrics_http.h - a small HTTP server (libmicrohttpd, in
 * ugw::receiver_mhd) that answers GET /metrics with Prometheus text written
 * by a callback of the application, for processes that have no HTTP server
 * of their own: a relay (ugw_relay_metrics_write()), or a service that
 * delivers with ugw_client (ugw_client_metrics_write()).
 *
 *   static void write_metrics(void *ctx, ugw_metrics_writer *w)
 *   {
 *       ugw_relay_metrics_write(ctx, w);
 *   }
 *   ugw_metrics_http_config mc = { .port = 9464, .write = write_metrics, .ctx = relay };
 *   ugw_metrics_http *m = ugw_metrics_http_start(&mc, err, sizeof err);
 *   ...
 *   ugw_metrics_http_stop(m);
 *
 * Answers: GET or HEAD of `path` 200 with the text (Content-Type
 * UGW_METRICS_CONTENT_TYPE, Cache-Control no-store); any other path 404;
 * another method on `path` 405 with "Allow: GET, HEAD"; a GET with a body
 * is closed unanswered; a request that is
 * not HTTP, or whose headers do not fit, 400 or 431 from libmicrohttpd
 * (strict parsing), or the connection is closed.
 *
 * Limits: at most `max_connections` connections at once (more wait in the
 * listen queue, or are closed, until a place frees), and a connection idle
 * for `timeout_ms` is closed; a request body is never read, and the request
 * line and headers get 16 KiB at most. One thread answers, so the
 * callback runs on it, one call at a time, never on the application's
 * threads: a slow scrape delays other scrapes only. The text is rendered
 * into a buffer sized by a first pass of the callback (the second pass may
 * write more: counters grew), at most 16 MiB; past it the answer is 503.
 *
 * Listening on a loopback address is the default; a non-loopback address
 * exposes the counters (and the endpoint names they carry) to the network:
 * the server has no authentication.
 */
#ifndef UGW_METRICS_HTTP_H
#define UGW_METRICS_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include "ugw_export.h"
#include "ugw_metrics.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Defaults of ugw_metrics_http_config (when the field is 0 / NULL). */
#define UGW_METRICS_HTTP_DEFAULT_ADDR "127.0.0.1"
#define UGW_METRICS_HTTP_DEFAULT_PATH "/metrics"
#define UGW_METRICS_HTTP_DEFAULT_MAX_CONNECTIONS 16u
#define UGW_METRICS_HTTP_DEFAULT_TIMEOUT_MS 10000u
/** Largest text answered; more is a 503. */
#define UGW_METRICS_HTTP_TEXT_MAX ((size_t)16 << 20)

/**
 * Writes the metric families into `w` (ugw_metrics.h). Called from the
 * server's thread, one call at a time, twice a scrape (a measuring pass
 * into no buffer, then the real one); it must not block for long.
 */
typedef void (*ugw_metrics_http_write_fn)(void *ctx, ugw_metrics_writer *w);

typedef struct ugw_metrics_http_config {
    const char *addr;          /**< IPv4/IPv6 literal or host name (NULL: 127.0.0.1) */
    uint16_t port;             /**< 0 picks a free port (ugw_metrics_http_port() tells it) */
    const char *path;          /**< the path answered, starting with '/' (NULL: "/metrics") */
    unsigned max_connections;  /**< open at once, 1 to 1024 (0: 16) */
    unsigned timeout_ms;       /**< an idle connection is closed after this (0: 10 s;
                                    rounded up to whole seconds) */
    ugw_metrics_http_write_fn write; /**< required */
    void *ctx;                 /**< passed to `write` */
} ugw_metrics_http_config;

typedef struct ugw_metrics_http ugw_metrics_http;

/**
 * Binds, starts the server's thread and returns the running server. NULL
 * with a message in `err` (NUL-terminated, cut to `errlen`; `err` may be
 * NULL) when `cfg` or its `write` is NULL, the path does not start with
 * '/', max_connections is over 1024, the address does not resolve, the port
 * cannot be bound, or memory or libmicrohttpd fails. `cfg` is copied (its
 * strings too). Signals are not touched: ignore SIGPIPE in the process.
 */
UGW_API ugw_metrics_http *ugw_metrics_http_start(const ugw_metrics_http_config *cfg, char *err,
                                                 size_t errlen);

/** The port actually bound; 0 for NULL. */
UGW_API uint16_t ugw_metrics_http_port(const ugw_metrics_http *m);

/** The full URL of the metrics, "http://127.0.0.1:PORT/metrics" or
 * "http://[::1]:PORT/metrics"; "" for NULL. Valid until stopped. */
UGW_API const char *ugw_metrics_http_url(const ugw_metrics_http *m);

/** Scrapes answered 200 since the start; 0 for NULL. Any thread. */
UGW_API uint64_t ugw_metrics_http_scrapes(ugw_metrics_http *m);

/** Stops accepting, closes the connections, joins the thread (waiting for
 * a callback under way) and frees the server. NULL is a no-op. */
UGW_API void ugw_metrics_http_stop(ugw_metrics_http *m);

#ifdef __cplusplus
}
#endif
#endif /* UGW_METRICS_HTTP_H */
