/*
 * ugw_relay.h - delivery that scales past one machine, on NATS JetStream
 * (docs/DURABILITY.md, docs/CONTRACT.md §4).
 *
 * Producers (any number, on any machine) publish encoded events to a
 * JetStream stream, one subject per endpoint ("<subject_prefix>.<endpoint>"),
 * with the webhook-id as the message id (Nats-Msg-Id), so that a publish
 * repeated after a lost answer is stored once. Relays (any number) pull from
 * one durable consumer per endpoint and deliver with the client's signing
 * and retry rules (ugw_client.h): acknowledge on a 2xx, ask the server for
 * a redelivery after the backoff on a retryable failure (the delay is kept
 * by the server, so it survives the relay), and on a permanent failure
 * publish a dead letter (docs/DEAD_LETTERS.md) to
 * "<dead_subject>.<endpoint>" and then terminate the message. A relay that
 * dies mid-request loses nothing: the server redelivers every message not
 * acknowledged within the ack wait, which is kept longer than a request.
 *
 * Delivery is at least once: an event whose answer was lost, or whose relay
 * died after the answer and before the acknowledgement reached the server,
 * is sent again with the same webhook-id, which receivers dedupe (§5.2).
 * Events of one endpoint are delivered in parallel (up to its in-flight
 * limit) and retried independently: there is no ordering.
 *
 * Threads: every function may be called from any thread; a producer or a
 * relay may be shared by threads, except that its close must be the last
 * call on it. The library never writes to stdout or stderr.
 */
#ifndef UGW_RELAY_H
#define UGW_RELAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ugw_client.h"
#include "ugw_metrics.h"
#include "ugw_runtime.h"
#include "ugw_webhook.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Longest endpoint name: 1 to 64 bytes of [A-Za-z0-9_-] (a NATS subject
 * token and a consumer name). */
#define UGW_RELAY_NAME_MAX 64

/** The message header that carries the wire event string (recorded in dead
 * letters); the format travels as Content-Type. */
#define UGW_RELAY_HDR_EVENT "Ugw-Event"

/* ------------------------------------------------------------------ */
/* Where the stream is                                                  */
/* ------------------------------------------------------------------ */

/** How to reach JetStream and what the stream is called; zero members mean
 * the defaults given. Strings are copied by every call that takes this. */
typedef struct ugw_relay_nats {
    const char *servers;        /**< "nats://host:port", several separated by commas
                                     (the servers of one cluster); default
                                     "nats://127.0.0.1:4222" */
    const char *stream;         /**< stream name, default "UGW" */
    const char *subject_prefix; /**< events go to "<prefix>.<endpoint>"; default "ugw.events" */
    const char *dead_subject;   /**< dead letters go to "<dead>.<endpoint>"; default "ugw.dead" */
    int64_t timeout_ms;         /**< wait for a publish acknowledgement or an API answer,
                                     default 5000 */
} ugw_relay_nats;

/** Streams made by ugw_relay_stream_create(). */
typedef struct ugw_relay_stream_config {
    unsigned replicas;          /**< 1 to 5, default 1; 3 survives the loss of one node */
    int64_t max_age_ms;         /**< events older than this are dropped by the server;
                                     default 0: kept until delivered */
    int64_t max_bytes;          /**< the stream's size limit, default 0: none; a full
                                     stream refuses publishes (never drops) */
    int64_t duplicate_window_ms;/**< how long a Nats-Msg-Id is remembered, default 10 min */
    bool memory;                /**< memory storage instead of files (tests only) */
} ugw_relay_stream_config;

/**
 * Creates the work-queue stream `stream` on "<subject_prefix>.*" (file
 * storage, discard new when full, retention until acknowledged) and the
 * dead-letter stream `stream`"_DEAD" on "<dead_subject>.*" (limits
 * retention: dead letters stay until purged). A stream that exists with the
 * same settings is left as it is. `cfg` NULL means the defaults.
 * Errors: UGW_ERR_ARG (bad names, replicas out of range), UGW_ERR_IO (no
 * server answers; a stream exists with other settings: the message says
 * which), UGW_ERR_NOMEM. `err` may be NULL.
 */
UGW_API ugw_status ugw_relay_stream_create(const ugw_relay_nats *nats,
                                           const ugw_relay_stream_config *cfg, ugw_error *err);

/** Whether `name[0..len)` is a valid endpoint name (see UGW_RELAY_NAME_MAX). */
UGW_API bool ugw_relay_name_check(const char *name, size_t len);

/* ------------------------------------------------------------------ */
/* Producing                                                            */
/* ------------------------------------------------------------------ */

typedef struct ugw_relay_producer ugw_relay_producer;

/**
 * Connects to the servers (reconnecting by itself after a loss, to any
 * server of the cluster). Returns NULL with `err` set: UGW_ERR_ARG (a bad
 * setting), UGW_ERR_IO (no server could be reached), UGW_ERR_NOMEM.
 */
UGW_API ugw_relay_producer *ugw_relay_producer_new(const ugw_relay_nats *nats, ugw_error *err);

/**
 * Publishes one encoded event (its exact body; it is signed when a relay
 * delivers it, with the endpoint's secret) for `endpoint` and returns only
 * once JetStream has stored it (on every replica's quorum). `webhook_id`
 * NULL makes a new id (else it is kept and must pass ugw_webhook_id_check();
 * UGW_ERR_ARG with path "webhook-id"); it is the message id, so publishing
 * the same id again within the duplicate window stores nothing new and
 * succeeds (`*duplicate`, may be NULL, says so). `event` is the wire event
 * string (fewer than 256 bytes, may be NULL), `id_out` (may be NULL) gets
 * the id. Errors: UGW_ERR_ARG (endpoint name, body NULL with a length, body
 * over 64 MiB, format), UGW_ERR_TIMEOUT (no acknowledgement in time: the
 * event may or may not be stored; publish it again with the same id),
 * UGW_ERR_FULL (the stream is full), UGW_ERR_IO (no stream for that subject,
 * connection lost: the message says which), UGW_ERR_NOMEM.
 */
UGW_API ugw_status ugw_relay_publish(ugw_relay_producer *p, const char *endpoint,
                                     const void *body, size_t len, ugw_format format,
                                     const char *event, const char *webhook_id,
                                     char id_out[UGW_WEBHOOK_ID_MAX], bool *duplicate,
                                     ugw_error *err);

/**
 * Validates and encodes one event of `schema` in `format` (`type` is its
 * 1-based event number, `payload` its struct), then publishes it as
 * ugw_relay_publish() does with a new id. An invalid event is refused with
 * its error, never published.
 */
UGW_API ugw_status ugw_relay_publish_event(ugw_relay_producer *p, const char *endpoint,
                                           const ugw_schema *schema, int type, const void *payload,
                                           ugw_format format, char id_out[UGW_WEBHOOK_ID_MAX],
                                           ugw_error *err);

/**
 * ugw_relay_publish_event() for a schema with envelope fields: `envelope`
 * (the generated `<prefix>_envelope`, e.g. `&ev.env`) is encoded beside the
 * payload as ugw_schema_encode_env() does. `envelope` NULL: every envelope
 * field counts as absent (UGW_ERR_ARG with the field's path, "timestamp",
 * when one is required; nothing is published). For a schema without
 * envelope fields `envelope` is not read. ugw_relay_publish_event() is this
 * call with `envelope` NULL. Neither argument is kept.
 */
UGW_API ugw_status ugw_relay_publish_event_env(ugw_relay_producer *p, const char *endpoint,
                                               const ugw_schema *schema, int type,
                                               const void *envelope, const void *payload,
                                               ugw_format format, char id_out[UGW_WEBHOOK_ID_MAX],
                                               ugw_error *err);

/** Closes the connection and frees the producer; NULL is a no-op. */
UGW_API void ugw_relay_producer_close(ugw_relay_producer *p);

/**
 * Copies the dead letters kept in the dead-letter stream (of every endpoint,
 * or of `endpoint` only) to a dead-letter file opened for appending with
 * ugw_dead_letter_append_open(), in stream order, each record appended whole
 * (ugw_dead_letter_append_line()); with `remove`, each record is deleted from
 * the stream once it is in the file (so nothing is lost if the copy stops
 * half way: what is left is still in the stream). `ugw send --replay FILE
 * --url URL` then delivers them again with their original webhook-ids.
 * *count (may be NULL) gets the number copied. A stored message that is not
 * one line (it did not come from a relay) is skipped and counted in
 * *skipped (may be NULL). Errors: UGW_ERR_ARG, UGW_ERR_IO (no server, no
 * dead-letter stream, a write failed: `path` "file"), UGW_ERR_NOMEM.
 */
UGW_API ugw_status ugw_relay_dead_letters_export(const ugw_relay_nats *nats, const char *endpoint, int fd,
                                                 bool remove, uint64_t *count, uint64_t *skipped,
                                                 ugw_error *err);

/* ------------------------------------------------------------------ */
/* The endpoints file                                                   */
/* ------------------------------------------------------------------ */

/** One endpoint: where its events go. */
typedef struct ugw_relay_endpoint {
    const char *name;           /**< valid by ugw_relay_name_check() */
    const char *url;            /**< http:// or https:// */
    const char *secret;         /**< "whsec_...", or NULL: unsigned */
    unsigned in_flight;         /**< its own limit, 0: the relay's */
} ugw_relay_endpoint;

typedef struct ugw_relay_endpoints ugw_relay_endpoints;

/**
 * Parses an endpoints file's text (`len` bytes, need not be NUL-terminated):
 * one endpoint a line, `NAME URL [secret=SECRET] [in_flight=N]`, fields
 * separated by spaces or tabs; '#' starts a comment line; blank lines are
 * skipped; a '\r' before the '\n' is allowed. Names are unique; URLs pass
 * ugw_url_check(); secrets ugw_secret_parse(); in_flight is 1 to 1024. At
 * most 1024 endpoints and lines of 8192 bytes. Returns NULL with `err` set:
 * the code, a static message, the line, the byte offset in the text, and
 * the field ("name", "url", "secret", "in_flight", "" for the line):
 * UGW_ERR_SYNTAX (a missing field, an unknown option, a control byte),
 * UGW_ERR_DUPLICATE_KEY (a name or option twice), UGW_ERR_URL,
 * UGW_ERR_SECRET, UGW_ERR_RANGE, UGW_ERR_LIMIT, UGW_ERR_MISSING (no
 * endpoint at all), UGW_ERR_NOMEM. Secret text is cleansed from every
 * buffer it passed through when freed.
 */
UGW_API ugw_relay_endpoints *ugw_relay_endpoints_parse(const char *text, size_t len,
                                                       ugw_read_error *err);

/**
 * Reads and parses an endpoints file (at most 8 MiB). It holds secrets:
 * *mode_out (may be NULL) receives its permission bits so that the caller
 * can warn when others may read it (mode & 077), as for secret files.
 * UGW_ERR_IO with sys_errno when it cannot be read; otherwise the errors of
 * ugw_relay_endpoints_parse().
 */
UGW_API ugw_relay_endpoints *ugw_relay_endpoints_load(const char *path, unsigned *mode_out,
                                                      ugw_read_error *err);

/** The number of endpoints (0 for NULL). */
UGW_API size_t ugw_relay_endpoints_count(const ugw_relay_endpoints *e);

/** The i-th endpoint in file order, NULL when out of range; valid until freed. */
UGW_API const ugw_relay_endpoint *ugw_relay_endpoints_at(const ugw_relay_endpoints *e, size_t i);

/** Frees the list, cleansing secrets; NULL is a no-op. */
UGW_API void ugw_relay_endpoints_free(ugw_relay_endpoints *e);

/* ------------------------------------------------------------------ */
/* Relaying                                                             */
/* ------------------------------------------------------------------ */

/** Relay settings; zero members mean the defaults given. */
typedef struct ugw_relay_config {
    ugw_relay_nats nats;
    const ugw_relay_endpoints *endpoints; /**< required; copied */
    const char *durable;        /**< consumer name prefix: one durable consumer
                                     "<durable>_<endpoint>" per endpoint, shared by every
                                     relay using the same name; default "ugw-relay" */
    unsigned in_flight;         /**< per endpoint, default 8, at most 1024 */
    int64_t timeout_ms;         /**< a whole request, default 30000 */
    int64_t connect_timeout_ms; /**< default 10000 */
    int64_t ack_wait_ms;        /**< redelivery of a message not acknowledged, default
                                     2 * timeout_ms + 30000; must exceed timeout_ms by 1 s.
                                     At 2 * timeout_ms + 1000 or more (the default), each
                                     endpoint also holds as many messages as its in-flight
                                     limit ready to send (fetched ahead, so that a request
                                     never waits for a fetch: one waits at most one request
                                     timeout for a place, then its own); below, none */
    unsigned max_attempts;      /**< deliveries before "attempts", default
                                     UGW_RETRY_DURABLE_ATTEMPTS */
    int64_t max_age_ms;         /**< an event is "expired" when its next attempt would be
                                     later than this after it was published; default 3 days */
    int64_t backoff_base_ms;    /**< 0: the durable schedule (ugw_retry_durable_delay_ms());
                                     > 0: base * 2^(n-1) capped at backoff_max_ms (tests) */
    int64_t backoff_max_ms;     /**< default 300000, with backoff_base_ms only */
    double jitter;              /**< the random part of each wait (0..1): 0 means 0.1 on the
                                     durable schedule (as a client with a spool), 0.5 with
                                     backoff_base_ms; < 0 none */
    const char *user_agent;     /**< default "ugw/" UGW_VERSION_STRING */
    const char *ca_file;        /**< as in ugw_client_config */
    bool tls_insecure;
    bool tls_retry;
    unsigned delivery_threads;  /**< delivery threads of each endpoint's client (as
                                     ugw_client_config.delivery_threads), default 1, at most
                                     UGW_CLIENT_THREADS_MAX. One thread drives an endpoint's
                                     in-flight requests on one epoll set; more only add
                                     hand-offs between threads, unless one endpoint needs
                                     more than a core of HTTP work */
} ugw_relay_config;

/** Counters, totals since the start but `in_flight` and `endpoints_gone`. */
typedef struct ugw_relay_stats {
    uint64_t fetched;           /**< messages received from the server */
    uint64_t delivered;         /**< 2xx, acknowledged */
    uint64_t retried;           /**< retryable failures handed back with a delay */
    uint64_t failed;            /**< permanent failures: dead letter published, terminated */
    uint64_t released;          /**< handed back unattempted (closing, endpoint gone) */
    uint64_t redelivered;       /**< fetched messages the server had delivered before */
    uint64_t dead_letter_errors;/**< dead letters that could not be published (the message
                                     was then handed back for a later try, not terminated) */
    uint64_t ack_errors;        /**< acknowledgements that could not be sent (the server
                                     redelivers after the ack wait) */
    uint64_t fetch_errors;      /**< pulls that failed other than by timeout */
    uint64_t bad_messages;      /**< messages without a valid Nats-Msg-Id (dead-lettered
                                     under their stream sequence) */
    uint64_t in_flight;         /**< requests on the wire now */
    uint64_t endpoints_gone;    /**< endpoints stopped by a 410 */
} ugw_relay_stats;

typedef struct ugw_relay ugw_relay;

/**
 * Connects, makes or binds the durable consumers (the stream must exist:
 * ugw_relay_stream_create()), starts one puller thread per endpoint and one
 * delivery client per endpoint, and returns. Returns NULL with `err` set:
 * UGW_ERR_ARG (a bad setting; the path names it), UGW_ERR_SECRET,
 * UGW_ERR_IO (no server, no stream, a consumer that cannot be made: the
 * message says which), UGW_ERR_NOMEM.
 */
UGW_API ugw_relay *ugw_relay_new(const ugw_relay_config *cfg, ugw_error *err);

/** A snapshot of the counters, over all endpoints (`endpoint` NULL) or one
 * (by name; all zero when there is no such endpoint). */
UGW_API void ugw_relay_stats_get(ugw_relay *r, const char *endpoint, ugw_relay_stats *out);

/** Writes the counters as Prometheus metric families with one sample per
 * endpoint (label "endpoint"): ugw_relay_fetched_total, _delivered_total,
 * _retried_total, _failed_total, _released_total, _redelivered_total,
 * _dead_letter_errors_total, _ack_errors_total, _fetch_errors_total,
 * _bad_messages_total, and the gauges ugw_relay_in_flight and
 * ugw_relay_endpoint_gone. Any thread; NULL arguments: no-op. */
UGW_API void ugw_relay_metrics_write(ugw_relay *r, ugw_metrics_writer *w);

/** The same as Prometheus text in buf[0..cap), NUL-terminated, as
 * ugw_client_metrics_text() does: UGW_OK, UGW_ERR_BUFFER (*len is then the
 * room needed less one), UGW_ERR_ARG for NULL `r`. Allocates nothing. */
UGW_API ugw_status ugw_relay_metrics_text(ugw_relay *r, char *buf, size_t cap, size_t *len);

/** Whether the endpoint named answered 410 (the relay then stops pulling
 * its events: they stay in the stream). */
UGW_API bool ugw_relay_endpoint_gone(ugw_relay *r, const char *endpoint);

/**
 * Stops pulling, lets requests on the wire finish for up to `drain_ms` (< 0:
 * until done), hands the rest back to the server for immediate redelivery
 * (another relay takes them), closes the connection and frees the relay.
 * UGW_OK, or UGW_ERR_TIMEOUT when some had to be handed back. NULL: no-op.
 */
UGW_API ugw_status ugw_relay_close(ugw_relay *r, int64_t drain_ms);

#ifdef __cplusplus
}
#endif
#endif /* UGW_RELAY_H */
