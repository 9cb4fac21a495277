/*
 * serve.h - the webhook receiver of `ugw serve` and `ugw demo`: the
 * receiver library (ugw_receiver.h) behind its libmicrohttpd adapter
 * (ugw_receiver_mhd.h), plus what the command adds: the output line of each
 * event, written whole before the 2xx (serve_line.c), forwarding to a local
 * application (serve_forward.c), counters and the log.
 *
 * Every request, on any path, gets the answers of ugw_receiver.h and
 * ugw_receiver_mhd.h (405, 413, 400, 401, 415, 400, 503, 204) with their
 * JSON error body {"code":..,"message":..,"path":..,"pos":N}. A new valid
 * event is answered 2xx only once it is stored: its line written whole to
 * opts.events (one write(2) per record, a failed or short write cut back
 * off and answered 503) and, with opts.forward_to, the application's answer
 * a 2xx. A request without webhook-id is accepted when no secret is set; it
 * is shown with id "-" and never counted as a duplicate.
 *
 * Threads: libmicrohttpd answers on its own pool of threads. Counters, the
 * output stream and on_event are serialised by one mutex.
 */
#ifndef UGW_CLI_SERVE_H
#define UGW_CLI_SERVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <signal.h>
#include <stdio.h>

#include <ugw/ugw_receiver.h>
#include <ugw/ugw_receiver_mhd.h>
#include <ugw/ugw_runtime.h>
#include <ugw/ugw_webhook.h>

/* Defaults of server_opts (when the field is 0 / NULL). */
#define SERVER_DEFAULT_ADDR "127.0.0.1"
#define SERVER_DEFAULT_PORT 8080
#define SERVER_DEFAULT_MAX_BODY ((size_t)1 << 20)
#define SERVER_DEFAULT_THREADS 4
/* How long the application behind forward_to has to answer in all. */
#define SERVER_DEFAULT_FORWARD_TIMEOUT_MS 10000

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
     *  "body":<the event re-encoded as JSON with ugw_schema_encode_env(),
     *  the envelope fields the sender sent included>} */
    SERVER_OUTPUT_JSONL = 1
} server_output;

/* What happened to one request, for opts.on_event. Pointers are valid only
 * during the call. */
typedef struct server_event {
    unsigned status;        /* HTTP status answered: 204, 400, 401, 405, 413, 415, 500, 503,
                               or the application's (forward_to) */
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
    /* For 204 of a schema with envelope fields: the envelope struct
     * (ugw_receiver_result.envelope; encode with ugw_schema_encode_env()),
     * else NULL. */
    const void *envelope;
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
    /* More keys, any of which verifies (rotation; copied; with `secret`,
     * at most UGW_RECEIVER_MAX_SECRETS in all). */
    const ugw_secret *secrets;
    size_t nsecrets;
    /* Accept keys shorter than UGW_SECRET_MIN_LEN bytes (the receiver's
     * allow_weak_secrets; --allow-weak-secret). */
    bool allow_weak_secrets;
    /* The replay window's state file (NULL: memory only), and the ids it
     * holds (0: UGW_RECEIVER_DEFAULT_REPLAY_CAPACITY). */
    const char *replay_path;
    size_t replay_capacity;
    /* Timestamp tolerance in seconds (<= 0: UGW_WEBHOOK_TOLERANCE_DEFAULT). */
    int64_t tolerance_s;
    /* Reject unknown payload keys. */
    bool strict;
    /* Largest body in bytes (0: SERVER_DEFAULT_MAX_BODY). */
    size_t max_body;
    /* Answering threads (0: SERVER_DEFAULT_THREADS). */
    unsigned threads;
    /* Where valid new events are written, one write(2) per line on its file
     * descriptor (not through the stream's buffer); a write that fails or
     * is short is cut back off and the request answered 503. NULL for
     * nothing. Not closed by the server. */
    FILE *events;
    server_output output;
    /* fdatasync(2) each line before answering 2xx. */
    bool sync;
    /* Forward each new valid event to this URL, re-signed with
     * forward_secret (NULL: sent unsigned), and answer the sender with the
     * application's status and body (502 when it cannot be reached or does
     * not answer within forward_timeout_ms; 0: SERVER_DEFAULT_FORWARD_TIMEOUT_MS).
     * Connections to it are kept open and reused. */
    const char *forward_to;
    const ugw_secret *forward_secret;
    int64_t forward_timeout_ms;
    /* Server limits (0: the defaults of ugw_receiver_mhd.h). */
    unsigned max_connections, max_per_ip;
    unsigned header_timeout_ms, request_timeout_ms;
    size_t memory_budget;
    /* Where a line per rejected request goes ("NAME serve: 401 msg_1:
     * webhook-signature: ..."); NULL for nothing. */
    FILE *log;
    /* Optional callback for every answered request. */
    server_event_fn on_event;
    void *on_event_ctx;
    /* GET of this path answers the metrics in the Prometheus text format
     * (ugw_receiver_mhd_metrics_text()); NULL: none. */
    const char *metrics_path;
    /* The live inspector page at UGW_MHD_INSPECTOR_PATH (ugw_receiver_mhd.h):
     * the last ui_history requests (0: 100); with ui_token (copied), only
     * for requests that carry it; "send again" goes to forward_to. */
    bool ui;
    size_t ui_history;
    const char *ui_token;
    /* A rejection line on `log` starts by clearing the terminal's line
     * ("\r\033[K"): a status line is drawn there. */
    bool log_clears_line;
} server_opts;

typedef struct server_stats {
    uint64_t received;     /* requests answered: the sum of the next five */
    uint64_t valid;        /* 2xx, new webhook-id (or none) */
    uint64_t invalid;      /* 400, 405, 413, 415, 500, an application's 4xx */
    uint64_t unauthorized; /* 401 */
    uint64_t duplicates;   /* 204, webhook-id seen before */
    uint64_t unavailable;  /* 501 to 599 (503 not stored, 502 application away, an
                              application's own): the sender retries */
    uint64_t write_errors; /* lines that could not be written to opts.events */
    ugw_receiver_mhd_stats http; /* the server's own counters (at server_stop) */
} server_stats;

typedef struct ugw_server ugw_server;

/*
 * Binds, starts the threads and returns the running server; NULL with a
 * message in err (NUL-terminated, cut to errlen) when there is no schema, a
 * secret is invalid, the replay state file cannot be used, the address does
 * not resolve, the port cannot be bound, or memory runs out. `opts` is copied
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

/* Writes "received N, valid V, invalid I, unauthorized U, duplicates D",
 * then ", unavailable A" when A > 0 (snprintf semantics); the summary line
 * of `ugw serve`. */
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

/* ---- serve_ui.c: what `ugw serve` shows a person ---- */

struct ugw_cmd;

/* Turns the inspector on or off (`ui`: -1 by the address, on for loopback;
 * 0 off; 1 on) and sets so->ui_token into `token` (cap bytes): read from
 * `token_file`, or made at random when the page is on elsewhere than
 * loopback. False after a message. */
bool serve_ui_setup(const struct ugw_cmd *cmd, const char *host, int ui, const char *token_file, server_opts *so,
                    char *token, size_t cap);
/* "NAME serve: inspector on URL_ugw/..." on standard error. */
void serve_ui_announce(ugw_server *srv, const char *host, const char *token, const char *token_file);
/* Waits for SIGINT or SIGTERM (blocked in `set`); with `status_line`,
 * redraws the counters on one line of standard error meanwhile. */
void serve_wait_signal(ugw_server *srv, const sigset_t *set, bool status_line);

#endif /* UGW_CLI_SERVE_H */
