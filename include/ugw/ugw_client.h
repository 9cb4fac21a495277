/*
 * ugw_client.h - deliver events to one webhook URL (CONTRACT.md section 4).
 *
 * A client owns a background thread that drives libcurl's multi interface:
 * a bounded queue, up to `max_in_flight` transfers on kept-alive connections,
 * retries with exponential backoff and jitter, Standard Webhooks signing.
 * Every accepted event ends exactly once in the outcome callback: delivered
 * (a 2xx), or failed with its last HTTP status, libcurl error and attempt
 * count, and then also in the dead-letter file when one is configured.
 *
 * Thread safety: every function but ugw_client_close() may be called from any
 * thread at any time. ugw_client_close() must be the last call: no other
 * thread may be using the client when it starts.
 *
 * Memory: an accepted event is copied (its encoded body, once); nothing the
 * caller passes is kept after a call returns.
 */
#ifndef UGW_CLIENT_H
#define UGW_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ugw_runtime.h"
#include "ugw_webhook.h"

#ifdef __cplusplus
extern "C" {
#endif

/** How an event ended. */
typedef enum ugw_result {
    UGW_RESULT_DELIVERED = 0, /**< a 2xx answer */
    UGW_RESULT_REJECTED,      /**< a 3xx, or a 4xx other than 408 and 429: not retried */
    UGW_RESULT_ATTEMPTS,      /**< retryable failures until max_attempts */
    UGW_RESULT_EXPIRED,       /**< retryable failures until max_age_ms (or a Retry-After past it) */
    UGW_RESULT_GONE,          /**< the endpoint answered 410 to this or an earlier event */
    UGW_RESULT_CLOSED,        /**< still undelivered when the client closed */
    UGW_RESULT_CONFIG         /**< libcurl refused the request itself (bad URL, protocol) */
} ugw_result;

/** A static name: "delivered", "rejected", "attempts", "expired", "gone", "closed", "config". */
UGW_API const char *ugw_result_name(ugw_result r);

/** The outcome of one event, as passed to the callback. */
typedef struct ugw_outcome {
    char id[UGW_WEBHOOK_ID_MAX]; /**< webhook-id: the same on every attempt */
    ugw_result result;
    long http_status;       /**< last HTTP status received in any attempt, 0 when none was */
    int curl_code;          /**< last libcurl CURLcode, 0 when the transfer itself worked */
    const char *error;      /**< last libcurl error text, "" when none (valid in the callback) */
    unsigned attempts;      /**< requests sent for this event */
    bool endpoint_gone;     /**< a 410 was received (this or an earlier event) */
    const char *event;      /**< wire event string (valid in the callback) */
    const void *body;       /**< exact bytes sent (valid in the callback; NULL after send()) */
    size_t body_len;
    ugw_format format;
    void *user;             /**< what was given to enqueue */
} ugw_outcome;

/**
 * Called once for every accepted event, on the client's thread (or on the
 * thread calling ugw_client_close()). It must not block for long and must not
 * call ugw_client_close(). It may enqueue (never waiting there: a full queue
 * gives UGW_ERR_FULL at once); send() from it returns UGW_ERR_ARG.
 */
typedef void (*ugw_outcome_fn)(const ugw_outcome *outcome, void *ctx);

/** Client settings; zero means the default given. */
typedef struct ugw_client_config {
    const char *url;            /**< http:// or https:// endpoint (required) */
    const char *secret;         /**< "whsec_..." (prefix optional); NULL or "": unsigned */
    ugw_format format;          /**< body format of ugw_client_enqueue() (default JSON) */
    long connect_timeout_ms;    /**< default 10000 */
    long timeout_ms;            /**< a whole attempt, default 30000 (negative values
                                     here and below are refused) */
    unsigned max_attempts;      /**< default 8 */
    long max_age_ms;            /**< give up when the next try would be later; default 24 h */
    long backoff_base_ms;       /**< delay after the first failure, doubling; default 1000 */
    long backoff_max_ms;        /**< default 300000 */
    double jitter;              /**< 0..1: the random part of each delay; 0 means 0.5,
                                     a negative value means none */
    unsigned max_in_flight;     /**< concurrent requests and kept-alive connections; default 8,
                                     at most 1024 */
    size_t queue_capacity;      /**< events accepted and not yet finished; default 10000 */
    const char *user_agent;     /**< default "ugw/" UGW_VERSION_STRING */
    bool tls_insecure;          /**< turn OFF peer and host verification (tests only) */
    const char *ca_file;        /**< CA bundle instead of the system's */
    const char *dead_letter_path; /**< JSON Lines file of failed events (docs/DEAD_LETTERS.md) */
    ugw_outcome_fn on_outcome;  /**< may be NULL */
    void *on_outcome_ctx;
} ugw_client_config;

/** Counters; `queued` and `in_flight` are current, the rest totals. */
typedef struct ugw_client_stats {
    uint64_t queued;     /**< accepted, waiting for their first or next attempt */
    uint64_t in_flight;  /**< requests on the wire */
    uint64_t delivered;
    uint64_t retried;    /**< attempts scheduled again after a retryable failure */
    uint64_t failed;     /**< handed back as failed */
    uint64_t accepted;   /**< events accepted since the start */
} ugw_client_stats;

typedef struct ugw_client ugw_client;

/**
 * Starts a client and its thread. `cfg` is copied (strings too). Returns NULL
 * with `err` set on a bad configuration (UGW_ERR_ARG, UGW_ERR_SECRET), a
 * dead-letter file that cannot be opened for appending (UGW_ERR_IO) or a lack
 * of memory (UGW_ERR_NOMEM).
 */
UGW_API ugw_client *ugw_client_new(const ugw_client_config *cfg, ugw_error *err);

/**
 * Queues an already encoded body for delivery. `webhook_id` NULL makes a new
 * one (else it is kept, for replays). `event` is the wire event string,
 * recorded in dead letters. When the queue is full: `wait_ms` 0 returns
 * UGW_ERR_FULL at once, > 0 waits up to that long (then UGW_ERR_FULL), < 0
 * waits as long as it takes. After close began or a 410: UGW_ERR_CLOSED. On
 * any error the event was not accepted and no callback will come for it.
 * `id_out` (may be NULL) receives the webhook-id.
 */
UGW_API ugw_status ugw_client_enqueue_body(ugw_client *c, const void *body, size_t len,
                                   ugw_format format, const char *event,
                                   const char *webhook_id, long wait_ms,
                                   void *user, char id_out[UGW_WEBHOOK_ID_MAX],
                                   ugw_error *err);

/**
 * Delivers one encoded body and waits for its outcome (retries included),
 * copied to `out` (body, event and error text are not kept: body and event
 * are NULL there, error is ""). The
 * callback is called too. Returns UGW_OK when delivered, UGW_ERR_DELIVERY when
 * it failed for good, or the error of ugw_client_enqueue_body() (waiting for
 * room as long as it takes).
 */
UGW_API ugw_status ugw_client_send_body(ugw_client *c, const void *body, size_t len,
                                ugw_format format, const char *event,
                                const char *webhook_id, ugw_outcome *out,
                                ugw_error *err);

/**
 * Waits until every accepted event has finished and its outcome callback has
 * returned, up to `timeout_ms` (< 0: without limit). UGW_OK, or
 * UGW_ERR_TIMEOUT with events still pending.
 */
UGW_API ugw_status ugw_client_flush(ugw_client *c, long timeout_ms);

/**
 * Validates and encodes one event of `schema` (`type` is its 1-based event
 * number, `payload` points at that event's struct) in the client's format,
 * then queues it as ugw_client_enqueue_body() does. An invalid event is
 * refused with its error, never sent. The event is not kept. Generated code
 * wraps this in a typed call per schema: `<prefix>_client_enqueue()` in
 * `<prefix>_events_client.h` (ugw_client_enqueue() for the bundled events).
 */
UGW_API ugw_status ugw_client_enqueue_event(ugw_client *c, const ugw_schema *schema, int type,
                                            const void *payload, long wait_ms, void *user,
                                            char id_out[UGW_WEBHOOK_ID_MAX], ugw_error *err);

/** As ugw_client_enqueue_event(), delivering as ugw_client_send_body() does
 * (`<prefix>_client_send()` in generated code). */
UGW_API ugw_status ugw_client_send_event(ugw_client *c, const ugw_schema *schema, int type,
                                         const void *payload, ugw_outcome *out, ugw_error *err);

/** A snapshot of the counters. */
UGW_API void ugw_client_stats_get(ugw_client *c, ugw_client_stats *out);

/** The body format the typed calls encode to (the config's `format`). */
UGW_API ugw_format ugw_client_format(const ugw_client *c);

/** Whether the endpoint answered 410 (the client then refuses new events). */
UGW_API bool ugw_client_endpoint_gone(ugw_client *c);

/**
 * Stops accepting, lets deliveries (with their retries) go on for up to
 * `drain_ms` (0: not at all, < 0: until done), then hands every event still
 * undelivered to the callback and the dead-letter file as UGW_RESULT_CLOSED,
 * stops the thread and frees the client. Returns UGW_OK when nothing had to
 * be handed back, UGW_ERR_TIMEOUT otherwise. NULL is a no-op.
 */
UGW_API ugw_status ugw_client_close(ugw_client *c, long drain_ms);

#ifdef __cplusplus
}
#endif
#endif /* UGW_CLIENT_H */
