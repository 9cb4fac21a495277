/*
 * ugw_receiver_mhd.h - a webhook endpoint on libmicrohttpd: the receiver of
 * ugw_receiver.h behind an HTTP server that one client cannot take down.
 *
 * Every path takes the receiver's rules (docs/CONTRACT.md §5.1). Around
 * them the server:
 *   - refuses malformed framing with 400 before reading a body: two
 *     Content-Length headers, Content-Length together with
 *     Transfer-Encoding, a Transfer-Encoding other than "chunked", a
 *     Content-Length that is not digits, HTTP/1.1 without exactly one Host,
 *     and a webhook-id, webhook-timestamp, webhook-signature or
 *     Content-Type header given twice; libmicrohttpd runs in its strict mode
 *     (no space before a header's colon);
 *   - runs ugw_receiver_check_headers() as soon as the headers are in, so a
 *     request without a well-formed signature is refused before its body is
 *     kept;
 *   - keeps a body in memory that grows with the bytes received (never sized
 *     from Content-Length), under a memory budget shared by all requests:
 *     a request that would pass it is answered 503 with Retry-After and its
 *     body dropped;
 *   - limits connections: per client address (max_per_ip, refused at
 *     accept), and in all (max_connections: past it, the connection waiting
 *     longest for its headers or body is closed to make room, so a well-
 *     behaved client always gets in);
 *   - closes a connection whose headers are not complete within
 *     header_timeout_ms, or whose request is not complete within
 *     request_timeout_ms (from its first byte, or from the end of the
 *     previous request on a kept-alive connection), however slowly it
 *     trickles; and, twice a second, one whose client has closed its side
 *     (so its memory comes back at once, even when libmicrohttpd missed
 *     the end of the stream under load);
 *   - for a new valid event calls `store` and answers 2xx only when it
 *     reports the event stored (ugw_receiver_finish()).
 *
 * A refused request whose body is on its way is read and dropped (up to
 * max_body + 16 MiB, within the deadlines) so that the client sees the
 * answer; a client that sent "Expect: 100-continue" gets it at once.
 *
 * Threads: libmicrohttpd answers on `threads` threads; `store` and
 * `on_answer` are called from them, several at once. One more thread
 * enforces the deadlines.
 */
#ifndef UGW_RECEIVER_MHD_H
#define UGW_RECEIVER_MHD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ugw_receiver.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Defaults of ugw_receiver_mhd_config (when the field is 0 / NULL). */
#define UGW_MHD_DEFAULT_ADDR "127.0.0.1"
#define UGW_MHD_DEFAULT_THREADS 4u
#define UGW_MHD_DEFAULT_MAX_CONNECTIONS 1000u
#define UGW_MHD_DEFAULT_MAX_PER_IP 64u
#define UGW_MHD_DEFAULT_HEADER_TIMEOUT_MS 10000u
#define UGW_MHD_DEFAULT_REQUEST_TIMEOUT_MS 30000u
#define UGW_MHD_DEFAULT_MEMORY_BUDGET ((size_t)64 << 20)
/** Room for the body of an answer set by `store`. */
#define UGW_MHD_REPLY_MAX 4096

/** The answer `store` may set (it starts as 204 with no body). */
typedef struct ugw_mhd_reply {
    unsigned status;
    unsigned retry_after;   /**< seconds, for a Retry-After header; 0: none */
    char content_type[128]; /**< "" for none */
    char body[UGW_MHD_REPLY_MAX];
    size_t body_len;
} ugw_mhd_reply;

/**
 * Stores a new valid event: `ev` is the receiver's result (its decoded
 * event with its envelope struct when the schema has envelope fields, id,
 * format), `body` the exact `len` bytes received and
 * `content_type` their Content-Type. Returns true when the event is safe
 * (written, forwarded and accepted...): the answer is then `reply` (a 2xx;
 * 204 unless changed). False: the id is released so the sender's retry is
 * processed afresh, and the answer is `reply` when it was set to 300 or
 * more (an application's own answer), else 503 "io" with Retry-After.
 * Called from server threads, several at once.
 */
typedef bool (*ugw_receiver_mhd_store_fn)(void *ctx, const ugw_receiver_result *ev, const void *body,
                                          size_t len, const char *content_type, ugw_mhd_reply *reply);

/**
 * Sees every answer: `status` as sent, `res` with the id, the error (for a
 * rejection) and, for a stored event, its decoded event (valid during the
 * call). Called from server threads, several at once; keep it short.
 */
typedef void (*ugw_receiver_mhd_answer_fn)(void *ctx, unsigned status, const ugw_receiver_result *res);

/**
 * "Send again" of the inspector: POSTs an event's exact `len` bytes of
 * `body` (with `content_type` and `webhook_id`, NULL when it had none)
 * wherever the application sends them, and puts the answer in `reply`.
 * Returns whether it was delivered (a 2xx). Called from a server thread.
 */
typedef bool (*ugw_receiver_mhd_resend_fn)(void *ctx, const char *webhook_id, const void *body, size_t len,
                                           const char *content_type, ugw_mhd_reply *reply);

/** Where the inspector's page is served. */
#define UGW_MHD_INSPECTOR_PATH "/_ugw/"
/** Defaults of ugw_receiver_mhd_inspector. */
#define UGW_MHD_INSPECTOR_DEFAULT_HISTORY 100u
#define UGW_MHD_INSPECTOR_DEFAULT_BODY_MAX ((size_t)64 << 10)
/** Page viewers connected at once, at most (more are answered 503). */
#define UGW_MHD_INSPECTOR_MAX_VIEWERS 16u

/**
 * The live inspector: a page at UGW_MHD_INSPECTOR_PATH that lists the
 * requests received, newest first, as they arrive (server-sent events from
 * UGW_MHD_INSPECTOR_PATH "events"): verdict, event, webhook-id, time,
 * headers, the body (JSON pretty-printed, MessagePack decoded, raw bytes in
 * hex), and for a refusal its error with the failing byte marked. The page,
 * its script and its style are built into the library; they are served with
 * a Content-Security-Policy of default-src 'none' plus the page's own script,
 * style and event stream, and every value of a request is put on the page as
 * text, never as markup.
 *
 * The last `history` requests are kept in memory, each with at most
 * `body_max` bytes of its body (a body refused before it was read is not
 * kept), and 64 MiB for them all at most (past it the oldest go first). Access: with `token`, every request under the path but the static
 * files must carry it (?token=... or an X-Ugw-Token header; compared in
 * constant time); without it, only requests whose Host is a loopback name
 * (127.0.0.1, [::1], localhost) are answered, which keeps other web sites
 * out through DNS rebinding. Refusals are 403 with a fixed body.
 */
typedef struct ugw_receiver_mhd_inspector {
    bool enabled;
    size_t history;  /**< requests kept (0: 100; at most 100000) */
    size_t body_max; /**< bytes of each body kept (0: 64 KiB; at most 16 MiB) */
    const char *token; /**< NULL or "": no token (loopback Host only); copied */
    ugw_receiver_mhd_resend_fn resend; /**< NULL: no "send again" */
    void *resend_ctx;
} ugw_receiver_mhd_inspector;

typedef struct ugw_receiver_mhd_config {
    const char *addr;            /**< IPv4/IPv6 literal or host name (NULL: 127.0.0.1) */
    uint16_t port;               /**< 0 picks a free port */
    unsigned threads;            /**< answering threads (0: 4) */
    unsigned max_connections;    /**< open connections at most (0: 1000) */
    unsigned max_per_ip;         /**< per client address (0: 64) */
    unsigned header_timeout_ms;  /**< (0: 10 s; at most request_timeout_ms) */
    unsigned request_timeout_ms; /**< whole request (0: 30 s) */
    size_t memory_budget;        /**< bytes of bodies held at once (0: 64 MiB) */
    ugw_receiver_mhd_store_fn store; /**< NULL: every valid event counts as stored */
    void *store_ctx;
    ugw_receiver_mhd_answer_fn on_answer; /**< optional */
    void *answer_ctx;
    /** A GET or HEAD of this path ("/metrics") answers the metrics of
     * ugw_receiver_mhd_metrics_text() (Content-Type
     * UGW_METRICS_CONTENT_TYPE); NULL: not served (every path takes POST). */
    const char *metrics_path;
    /** The live inspector page (off unless inspector.enabled). */
    ugw_receiver_mhd_inspector inspector;
} ugw_receiver_mhd_config;

/** The server's counters. */
typedef struct ugw_receiver_mhd_stats {
    uint64_t connections;      /**< open now */
    uint64_t peak_connections; /**< most open at once */
    uint64_t evicted;          /**< closed to make room past max_connections */
    uint64_t header_timeouts;  /**< closed for headers not in within the deadline */
    uint64_t request_timeouts; /**< closed for a request not complete within it */
    uint64_t peers_gone;       /**< closed because the client had closed its side */
    uint64_t budget_refusals;  /**< answered 503 for the memory budget */
    uint64_t malformed;        /**< answered 400 for framing (smuggling shapes) */
    uint64_t body_bytes;       /**< body memory held now */
    uint64_t peak_body_bytes;  /**< most body memory held at once */
    uint64_t accepted;         /**< connections accepted since the start */
} ugw_receiver_mhd_stats;

typedef struct ugw_receiver_mhd ugw_receiver_mhd;

/**
 * Binds, starts the threads and returns the running server, which answers
 * with `rx` (not owned: it must outlive the server). NULL with a message in
 * `err` (NUL-terminated, cut to `errlen`) when `rx` or `cfg` is NULL, the
 * address does not resolve, the port cannot be bound, or memory or
 * libmicrohttpd fails. `cfg` is copied. Signals are not touched: block
 * SIGINT/SIGTERM before this call if the threads must not receive them, and
 * ignore SIGPIPE.
 */
UGW_API ugw_receiver_mhd *ugw_receiver_mhd_start(ugw_receiver *rx, const ugw_receiver_mhd_config *cfg,
                                                 char *err, size_t errlen);

/** The port actually bound; 0 for NULL. */
UGW_API uint16_t ugw_receiver_mhd_port(const ugw_receiver_mhd *s);

/** "http://127.0.0.1:PORT/" or "http://[::1]:PORT/"; "" for NULL. */
UGW_API const char *ugw_receiver_mhd_url(const ugw_receiver_mhd *s);

/** A snapshot of the counters; any thread. NULL arguments: no-op. */
UGW_API void ugw_receiver_mhd_stats_get(ugw_receiver_mhd *s, ugw_receiver_mhd_stats *out);

/** Writes the receiver's metric families (ugw_receiver_metrics_write())
 * and the server's: connections open, peak, accepted and closed by each
 * limit, framing refusals, memory refusals and body memory held
 * (docs/OPERATIONS.md). Any thread; NULL arguments: no-op. */
UGW_API void ugw_receiver_mhd_metrics_write(ugw_receiver_mhd *s, ugw_metrics_writer *w);

/** The same as Prometheus text into buf[0..cap), as
 * ugw_receiver_metrics_text() does (UGW_ERR_BUFFER with *len the room needed
 * less one; UGW_ERR_ARG for NULL `s`). Any thread. */
UGW_API ugw_status ugw_receiver_mhd_metrics_text(ugw_receiver_mhd *s, char *buf, size_t cap, size_t *len);

/** Stops accepting, closes the connections, joins the threads and frees the
 * server (not the receiver). NULL is a no-op. */
UGW_API void ugw_receiver_mhd_stop(ugw_receiver_mhd *s);

#ifdef __cplusplus
}
#endif
#endif /* UGW_RECEIVER_MHD_H */
