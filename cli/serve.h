/*
 * serve.h - the embedded webhook receiver of `ugw serve` (cli/serve.c), on
 * libmicrohttpd. Internal to the command line: `ugw serve` runs it until a
 * signal, `ugw demo` runs it in-process on a free loopback port.
 *
 * Every request, on any path:
 *   - not POST                                   -> 405 (Allow: POST)
 *   - Content-Length over max_body               -> 413 at once, before the
 *     body is read; a chunked body that grows past max_body -> 413 after it
 *   - webhook-id over 256 bytes, or with a byte outside '!'..'~' -> 400
 *   - with a secret: webhook-id, webhook-timestamp and webhook-signature
 *     checked by ugw_webhook_verify() against the exact body -> 401 if not
 *   - Content-Type not application/json or application/msgpack (parameters
 *     such as "; charset=utf-8" ignored, case-insensitive) -> 415
 *   - decoded and validated in that format (strict if asked) against
 *     opts.schema, whatever schema that is -> 400 if not
 *   - a valid event whose webhook-id was seen before -> 204, a duplicate:
 *     counted, not written again (the last 100,000 ids are remembered)
 *   - a valid new event -> 204, written to opts.events and reported to
 *     opts.on_event.
 * Rejections (4xx) carry a JSON body
 *   {"code":"<ugw_status_name>","message":"...","path":"payload.score","pos":N}
 * with code "signature"/"timestamp" for 401, "limit" for 413, "type" for
 * 415 and "arg" for 405. A request without webhook-id is accepted when no
 * secret is set; it is shown with id "-" and never counted as a duplicate.
 *
 * Threads: libmicrohttpd answers on its own pool of threads. Counters, the id
 * set, the output stream and on_event are serialised by one mutex; decoders
 * and payload buffers come from a pool (one pair per request being decoded,
 * never shared), so a request allocates nothing for its event.
 */
#ifndef UGW_CLI_SERVE_H
#define UGW_CLI_SERVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <ugw/ugw_runtime.h>
#include <ugw/ugw_webhook.h>

/* Defaults of server_opts (when the field is 0 / NULL). */
#define SERVER_DEFAULT_ADDR "127.0.0.1"
#define SERVER_DEFAULT_PORT 8080
#define SERVER_DEFAULT_MAX_BODY ((size_t)1 << 20)
#define SERVER_DEFAULT_THREADS 4
#define SERVER_DEDUP_IDS 100000

/* How opts.events gets one line per valid new event. */
typedef enum server_output {
    /* "<webhook-id> <event id> verified|unsigned <format> <userId>\n": the
     * event id is the schema id (guide_preview_start); userId is the
     * payload's string field named "userId", written with JSON string
     * escapes (no quotes) so a line is always one line; an event without
     * such a field ends after <format>. */
    SERVER_OUTPUT_TEXT = 0,
    /* One JSON object a line:
     * {"id":"msg_..."|null,"event":"<wire event string>","format":"json",
     *  "verified":true,"received":"2024-06-02T10:00:00.123Z",
     *  "body":<the event re-encoded as JSON with ugw_schema_encode()>} */
    SERVER_OUTPUT_JSONL = 1
} server_output;

/* What happened to one request, for opts.on_event. Pointers are valid only
 * during the call. */
typedef struct server_event {
    unsigned status;        /* HTTP status answered: 204, 400, 401, 405, 413, 415, 500 */
    bool duplicate;         /* 204 for a webhook-id seen before */
    bool verified;          /* the signature was checked (a secret is set) */
    const char *id;         /* webhook-id, NULL when absent */
    ugw_format format;      /* by Content-Type (meaningful from 400 on decoding, and 204) */
    /* The decoded event for 204 (else 0 and NULLs): its 1-based type in
     * opts.schema, its descriptor, and its payload struct (desc->fields[i]
     * at payload + fields[i].offset). */
    int type;
    const ugw_event_desc *desc;
    const void *payload;
    const ugw_error *error; /* why, for a 4xx/5xx; NULL for 204 */
} server_event;

/* Called for every answered request, one call at a time (under the server's
 * lock, from a server thread): keep it short, and do not call server_*()
 * from it. */
typedef void (*server_event_fn)(void *ctx, const server_event *ev);

typedef struct server_opts {
    /* The schema events are decoded and validated against (required). */
    const ugw_schema *schema;
    /* Program name that starts log lines ("NAME serve: ..."; NULL: "ugw"). */
    const char *name;
    /* Address to listen on: an IPv4 or IPv6 literal or a host name
     * (NULL: SERVER_DEFAULT_ADDR). */
    const char *addr;
    /* Port; 0 picks a free one (see server_port()). */
    uint16_t port;
    /* When not NULL, requests must be signed with this key (copied). */
    const ugw_secret *secret;
    /* Timestamp tolerance in seconds (<= 0: UGW_WEBHOOK_TOLERANCE_DEFAULT). */
    int64_t tolerance_s;
    /* Reject unknown payload keys. */
    bool strict;
    /* Largest body in bytes (0: SERVER_DEFAULT_MAX_BODY). */
    size_t max_body;
    /* Answering threads (0: SERVER_DEFAULT_THREADS). */
    unsigned threads;
    /* Where valid new events are written, flushed after each line; NULL for
     * nothing. Not closed by the server. */
    FILE *events;
    server_output output;
    /* Where a line per rejected request goes ("NAME serve: 401 msg_1:
     * webhook-signature: ..."); NULL for nothing. */
    FILE *log;
    /* Optional callback for every answered request. */
    server_event_fn on_event;
    void *on_event_ctx;
} server_opts;

typedef struct server_stats {
    uint64_t received;     /* requests answered: the sum of the next four */
    uint64_t valid;        /* 204, new webhook-id (or none) */
    uint64_t invalid;      /* 400, 405, 413, 415, 500 */
    uint64_t unauthorized; /* 401 */
    uint64_t duplicates;   /* 204, webhook-id seen before */
    uint64_t write_errors; /* lines that could not be written to opts.events */
} server_stats;

typedef struct ugw_server ugw_server;

/*
 * Binds, starts the threads and returns the running server; NULL with a
 * message in err (NUL-terminated, cut to errlen) when there is no schema, the
 * address does not resolve, the port cannot be bound, or memory runs out. `opts` is copied
 * (the secret too; `events`, `log` and `on_event_ctx` must outlive the
 * server). Signals are not touched: block SIGINT/SIGTERM before this call
 * if the threads must not receive them.
 */
ugw_server *server_start(const server_opts *opts, char *err, size_t errlen);

/* The port actually bound (useful with port 0). */
uint16_t server_port(const ugw_server *s);

/* The URL to send to: "http://127.0.0.1:PORT/" or "http://[::1]:PORT/". */
const char *server_url(const ugw_server *s);

/* A consistent snapshot of the counters; any thread. */
void server_stats_get(ugw_server *s, server_stats *out);

/* Writes "received N, valid V, invalid I, unauthorized U, duplicates D"
 * (snprintf semantics); the summary line of `ugw serve`. */
int server_stats_format(const server_stats *st, char *buf, size_t len);

/* Waits until at least `received` requests are answered or `timeout_ms`
 * pass (negative: no limit); returns whether the count was reached. */
bool server_wait(ugw_server *s, uint64_t received, int timeout_ms);

/* The payload's string field named "userId" (of the event `d`) in *out: an
 * empty view when it is optional and absent; false when the event has no
 * such field. The user shown in output lines, for an event of any schema. */
bool server_user_id(const ugw_event_desc *d, const void *payload, ugw_str *out);

/* Stops accepting, finishes or drops open connections, joins the threads,
 * writes the final counters to `final` (may be NULL) and frees everything.
 * NULL is a no-op. */
void server_stop(ugw_server *s, server_stats *final);

#endif /* UGW_CLI_SERVE_H */
