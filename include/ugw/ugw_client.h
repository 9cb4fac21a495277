/*
 * ugw_client.h - deliver events to one webhook URL (docs/CONTRACT.md §4).
 *
 * A client owns delivery threads (`delivery_threads`, by default one per
 * online core), each driving its own libcurl multi handle over epoll: a
 * bounded queue shared by them, up to `max_in_flight` transfers in all on
 * kept-alive connections (each thread reuses its own), retries with
 * exponential backoff and jitter, Standard Webhooks signing.
 * Every accepted event ends exactly once in the outcome callback: delivered
 * (a 2xx), or failed with its last HTTP status, libcurl error and attempt
 * count, and then also in the dead-letter file when one is configured.
 *
 * Thread safety: every function but ugw_client_close() may be called from any
 * thread at any time. ugw_client_close() must be the last call: threads
 * already waiting inside ugw_client_enqueue_*() or ugw_client_send_*() when
 * it starts are woken (UGW_ERR_CLOSED, or their event's outcome) and have
 * left the client before it is freed; no call may start once it has begun.
 * Waits use CLOCK_MONOTONIC: changing the wall clock neither cuts nor
 * stretches them. The library never writes to stdout or stderr: every
 * failure reaches the caller as a status, an outcome or a counter.
 *
 * Memory: an accepted event is copied (its encoded body, once); nothing the
 * caller passes is kept after a call returns.
 *
 * Durability: without a spool, accepted events live in memory only and a
 * crash loses them. With `spool_path` (docs/DURABILITY.md) every accepted
 * event is first committed to an SQLite file; enqueue returns only after that
 * commit, a client opened again on the file resumes every pending event (same
 * webhook-id, attempt count and next-attempt time), delivered events leave
 * the file and failed ones move to its dead letters (ugw_spool.h inspects
 * them). Threads that enqueue at the same time share one commit.
 */
#ifndef UGW_CLIENT_H
#define UGW_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ugw_lines.h"
#include "ugw_metrics.h"
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
    UGW_RESULT_CONFIG,        /**< libcurl refused the request itself (bad URL, protocol) */
    UGW_RESULT_TLS,           /**< the server's TLS certificate failed verification (untrusted,
                                   wrong host, unreadable CA file): not retried unless
                                   `tls_retry` is set; `error` gives libcurl's reason */
    UGW_RESULT_KEPT           /**< (spool only) still undelivered when the client closed: it
                                   stays in the spool, pending, for the next client opened on
                                   it. Not a failure: not counted as failed, not dead-lettered */
} ugw_result;

/** A static name: "delivered", "rejected", "attempts", "expired", "gone", "closed", "config",
 * "tls", "kept". */
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
    void *user;             /**< what was given to enqueue (NULL for an event resumed from
                                 a spool) */
    int dead_letter_errno;  /**< 0, or why this failed event could not be appended to the
                                 dead-letter file (errno: ENOSPC, EFBIG, ...): it is then not
                                 in the file, not even in part, and only this outcome has it */
    int64_t retry_after_ms; /**< the Retry-After of the last answer when it was a 429 or 503
                                 that gave one (seconds or HTTP date, capped at a year), in
                                 ms; -1 when it did not. Lets a caller that retries by itself
                                 (ugw relay, with max_attempts 1) honour it */
} ugw_outcome;

/**
 * Called once for every accepted event, on one of the client's delivery
 * threads (or on the thread calling ugw_client_close()), never on two threads
 * at once: calls are serialised, so a callback needs no locking of its own
 * against other calls of the same client, though it must not rely on which
 * thread runs it. It must not block for long (the other delivery threads
 * wait to report their outcomes meanwhile). It may
 * enqueue (never waiting there: a full queue gives UGW_ERR_FULL at once);
 * send(), flush() and close() from it return UGW_ERR_ARG at once (they would
 * wait for the very thread that runs the callback).
 */
typedef void (*ugw_outcome_fn)(const ugw_outcome *outcome, void *ctx);

/** What a spool's commit survives (docs/DURABILITY.md). */
typedef enum ugw_spool_sync {
    /** The default: SQLite WAL with synchronous=NORMAL. A commit is in the
     * operating system once enqueue returns: it survives the process being
     * killed (SIGKILL, OOM, a crash), not the machine losing power (the last
     * commits before a power loss or kernel crash may be lost; the file stays
     * consistent). */
    UGW_SPOOL_SYNC_CRASH = 0,
    /** synchronous=FULL: every commit is synced to the disk (fsync) before
     * enqueue returns; it survives power loss too. Costs one sync per group
     * commit. */
    UGW_SPOOL_SYNC_POWER = 1
} ugw_spool_sync;

/** Client settings; zero means the default given. Durations are int64_t
 * milliseconds everywhere in this API (a year does not fit in a 32-bit long). */
typedef struct ugw_client_config {
    const char *url;            /**< http:// or https:// endpoint (required) */
    const char *secret;         /**< "whsec_..." (prefix optional); NULL or "": unsigned */
    bool allow_weak_secret;     /**< accept a key shorter than UGW_SECRET_MIN_LEN (24) bytes;
                                     by default it is refused (ugw_secret_check()) */
    ugw_format format;          /**< body format of ugw_client_enqueue() (default JSON) */
    int64_t connect_timeout_ms; /**< default 10000 */
    int64_t timeout_ms;         /**< a whole attempt, default 30000 (negative values
                                     here and below are refused) */
    unsigned max_attempts;      /**< default 8 */
    int64_t max_age_ms;         /**< give up when the next try would be later; default 24 h
                                     (with a spool: 3 days) */
    int64_t backoff_base_ms;    /**< delay after the first failure, doubling; default 1000.
                                     With a spool and neither this nor backoff_max_ms set,
                                     the schedule spans days instead (docs/CONTRACT.md §4.5):
                                     5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h */
    int64_t backoff_max_ms;     /**< default 300000 */
    double jitter;              /**< 0..1: the random part of each delay; 0 means 0.5 (0.1 with
                                     the spool's schedule), a negative value means none */
    unsigned max_in_flight;     /**< concurrent requests and kept-alive connections; default 8,
                                     at most 1024; shared out among the delivery threads */
    unsigned delivery_threads;  /**< threads delivering, each with its own libcurl multi
                                     handle, epoll set and connections; 0: the number of
                                     online cores. At most max_in_flight (a thread has one
                                     request in flight at least) and UGW_CLIENT_THREADS_MAX */
    bool tune_malloc;           /**< opt in: set glibc's M_TRIM_THRESHOLD (64 MiB) and
                                     M_TOP_PAD (16 MiB) with mallopt() for the whole process,
                                     so that memory the delivery threads free is kept for
                                     the next requests instead of being given back to the
                                     kernel and faulted in again (docs/OPERATIONS.md, "Heap
                                     trimming"). Process-wide and sticky; no effect without
                                     glibc. Off: malloc is left as the program set it */
    size_t queue_capacity;      /**< events accepted and not yet finished; default 10000 */
    const char *user_agent;     /**< default "ugw/" UGW_VERSION_STRING */
    bool tls_insecure;          /**< turn OFF peer and host verification (tests only) */
    const char *ca_file;        /**< CA bundle (PEM file) instead of the system's */
    bool tls_retry;             /**< retry certificate failures like network errors (default:
                                     they end the event at once as UGW_RESULT_TLS) */
    const char *dead_letter_path; /**< JSON Lines file of failed events (docs/DEAD_LETTERS.md),
                                       created 0600, each record written whole or not at all */
    const char *spool_path;     /**< durable spool, an SQLite file created 0600 (ugw_spool.h,
                                     docs/DURABILITY.md); NULL: events in memory only */
    uint64_t spool_max_events;  /**< pending events the spool holds at most (default:
                                     queue_capacity); beyond it enqueue waits or says
                                     UGW_ERR_FULL, never drops. Pending events are also held
                                     in memory (their bodies, once) */
    uint64_t spool_max_bytes;   /**< bytes of pending bodies at most; default 256 MiB */
    ugw_spool_sync spool_sync;  /**< what a commit survives: UGW_SPOOL_SYNC_CRASH (default)
                                     or UGW_SPOOL_SYNC_POWER */
    ugw_outcome_fn on_outcome;  /**< may be NULL */
    void *on_outcome_ctx;
} ugw_client_config;

/** The most delivery threads one client runs. */
#define UGW_CLIENT_THREADS_MAX 256u

/** Attempts in the durable retry schedule (ugw_retry_durable_delay_ms()). */
#define UGW_RETRY_DURABLE_ATTEMPTS 8u

/**
 * The retry schedule for senders that keep their events durably (a spool, a
 * JetStream stream: docs/CONTRACT.md §4.5), as Standard Webhooks advises:
 * the first attempt at once, then after 5 s, 5 min, 30 min, 2 h, 5 h, 10 h
 * and 10 h, UGW_RETRY_DURABLE_ATTEMPTS attempts spanning about 28 hours.
 * Returns the wait in ms before the next attempt once `failed` attempts
 * (1 to UGW_RETRY_DURABLE_ATTEMPTS - 1) have failed, shortened by jitter as
 * the client's backoff is: with `jitter` j (0..1, clamped) and `u` a uniform
 * draw in [0, 1) (clamped), the wait is d * (1 - j) + d * j * u. Returns -1
 * when `failed` is 0 or no attempt is left (the event then ends as
 * UGW_RESULT_ATTEMPTS). Pure: thread-safe, no allocation.
 */
UGW_API int64_t ugw_retry_durable_delay_ms(unsigned failed, double jitter, double u);

/** Counters; `queued` and `in_flight` are current, the rest totals. */
typedef struct ugw_client_stats {
    uint64_t queued;     /**< accepted, waiting for their first or next attempt */
    uint64_t in_flight;  /**< requests on the wire */
    uint64_t delivered;
    uint64_t retried;    /**< attempts scheduled again after a retryable failure */
    uint64_t failed;     /**< handed back as failed */
    uint64_t accepted;   /**< events accepted since the start */
    uint64_t dead_letter_failed; /**< failed events that could not be written to the
                                      dead-letter file (see ugw_outcome.dead_letter_errno) */
    uint64_t resumed;    /**< (spool) pending events found in the spool when the client
                              opened it; they are in `queued` and end in the callback too */
    uint64_t kept;       /**< (spool) events left pending in the spool by close() */
    uint64_t spool_commits; /**< (spool) enqueue commits: accepted / spool_commits is the
                                 number of events that shared one commit (and one sync) */
    uint64_t spool_errors;  /**< (spool) writes after delivery that failed (removing a
                                 delivered event, moving a failed one to the dead letters,
                                 recording a retry); such an event may be sent again by the
                                 next client on the spool: at least once, never lost */
} ugw_client_stats;

typedef struct ugw_client ugw_client;

/**
 * Starts a client and its delivery threads. `cfg` is copied (strings too).
 * Returns NULL with `err` set on a bad configuration (UGW_ERR_ARG, path the
 * field: "delivery_threads" over UGW_CLIENT_THREADS_MAX; UGW_ERR_SECRET for a
 * secret that does not parse or fails ugw_secret_check(), path "secret"), a
 * dead-letter file that cannot be opened for appending (UGW_ERR_IO) or a lack
 * of memory (UGW_ERR_NOMEM).
 *
 * With `spool_path` the file is opened (created 0600 when missing), checked
 * and owned by this client until close, and its pending events resumed.
 * Errors then, with `path` "spool_path": UGW_ERR_BUSY (another client, in
 * this process or another, owns it), UGW_ERR_CORRUPT (not a ugw spool: another
 * program's SQLite database, not SQLite at all, a newer ugw's, or damaged or
 * truncated; the file is never written then), UGW_ERR_IO (cannot be opened or
 * created), UGW_ERR_NOMEM.
 *
 * The proxy variables of the environment are read here, once, by libcurl's
 * rules (http_proxy for an http:// URL, never HTTP_PROXY; https_proxy or
 * HTTPS_PROXY for https://; then all_proxy or ALL_PROXY; no_proxy or NO_PROXY
 * for exceptions; an empty variable counts as unset), and hold for the
 * client's life: a change to them afterwards applies to the next client.
 * Not thread-safe against a concurrent setenv() (as getenv() is not).
 */
UGW_API ugw_client *ugw_client_new(const ugw_client_config *cfg, ugw_error *err);

/**
 * Queues an already encoded body for delivery. `webhook_id` NULL makes a new
 * one (else it is kept, for replays; it must pass ugw_webhook_id_check(), or
 * UGW_ERR_ARG with path "webhook-id" and `pos` the offending byte). `event` is the wire event string,
 * recorded in dead letters. When the queue is full: `wait_ms` 0 returns
 * UGW_ERR_FULL at once, > 0 waits up to that long (then UGW_ERR_FULL), < 0
 * waits as long as it takes. After close began or a 410: UGW_ERR_CLOSED. On
 * any error the event was not accepted and no callback will come for it.
 * `id_out` (may be NULL) receives the webhook-id.
 *
 * With a spool it returns once the event is committed to it. The spool's
 * bounds count as the queue's (UGW_ERR_FULL, waiting as above); an event
 * whose body alone is over spool_max_bytes is refused with UGW_ERR_LIMIT.
 * A commit that fails is UGW_ERR_IO (disk full, file size limit: path
 * "spool_path"): nothing of the event is in the spool then. A program that
 * sets RLIMIT_FSIZE should ignore SIGXFSZ, or the limit kills it instead.
 */
UGW_API ugw_status ugw_client_enqueue_body(ugw_client *c, const void *body, size_t len,
                                   ugw_format format, const char *event,
                                   const char *webhook_id, int64_t wait_ms,
                                   void *user, char id_out[UGW_WEBHOOK_ID_MAX],
                                   ugw_error *err);

/**
 * Delivers one encoded body and waits for its outcome (retries included),
 * copied to `out` (body and event are NULL there; `error`, libcurl's text,
 * points into a per-thread buffer valid until the next send on the same
 * thread). The
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
 * UGW_ERR_TIMEOUT with events still pending; UGW_ERR_ARG for NULL or when
 * called from an outcome callback.
 */
UGW_API ugw_status ugw_client_flush(ugw_client *c, int64_t timeout_ms);

/**
 * Validates and encodes one event of `schema` (`type` is its 1-based event
 * number, `payload` points at that event's struct) in the client's format,
 * then queues it as ugw_client_enqueue_body() does. An invalid event is
 * refused with its error, never sent. The event is not kept. Generated code
 * wraps this in a typed call per schema: `<prefix>_client_enqueue()` in
 * `<prefix>_events_client.h` (ugw_client_enqueue() for the bundled events).
 */
UGW_API ugw_status ugw_client_enqueue_event(ugw_client *c, const ugw_schema *schema, int type,
                                            const void *payload, int64_t wait_ms, void *user,
                                            char id_out[UGW_WEBHOOK_ID_MAX], ugw_error *err);

/**
 * As ugw_client_enqueue_body(), and records `mark_value` under `mark_key` in
 * the spool in the same commit as the event: once this returns UGW_OK both
 * are durable, and after a crash either both are in the spool or neither is.
 * A producer records how far it has read its input (`ugw send --spool`
 * records each input's byte offset) and, opened again, goes on from
 * ugw_client_mark_get(). `mark_key` is 1 to 1024 bytes (UGW_ERR_ARG, path
 * "mark_key"); NULL records no mark. Without a spool: UGW_ERR_ARG.
 */
UGW_API ugw_status ugw_client_enqueue_marked(ugw_client *c, const void *body, size_t len,
                                             ugw_format format, const char *event,
                                             const char *webhook_id, int64_t wait_ms, void *user,
                                             const char *mark_key, uint64_t mark_value,
                                             char id_out[UGW_WEBHOOK_ID_MAX], ugw_error *err);

/**
 * Records a mark without an event (durable when it returns; committed with
 * the events of other threads). UGW_ERR_ARG without a spool or for a bad
 * key; UGW_ERR_IO when the commit fails.
 */
UGW_API ugw_status ugw_client_mark_set(ugw_client *c, const char *mark_key, uint64_t mark_value,
                                       ugw_error *err);

/**
 * The value last recorded under `mark_key` in the client's spool: UGW_OK with
 * *value set, UGW_ERR_MISSING when there is none (*value 0), UGW_ERR_ARG
 * without a spool or for a bad key, UGW_ERR_IO when reading failed.
 */
UGW_API ugw_status ugw_client_mark_get(ugw_client *c, const char *mark_key, uint64_t *value,
                                       ugw_error *err);

/** As ugw_client_enqueue_event(), delivering as ugw_client_send_body() does
 * (`<prefix>_client_send()` in generated code). */
UGW_API ugw_status ugw_client_send_event(ugw_client *c, const ugw_schema *schema, int type,
                                         const void *payload, ugw_outcome *out, ugw_error *err);

/**
 * ugw_client_enqueue_event() and ugw_client_send_event() for a schema with
 * envelope fields: `envelope` points at the generated envelope struct
 * (`<prefix>_envelope`, the `env` member of a generated event), encoded
 * beside the payload as ugw_schema_encode_env() does. `envelope` NULL: every
 * envelope field counts as absent (UGW_ERR_ARG with the field's path when one
 * is required). For a schema without envelope fields `envelope` is not read.
 * Neither is kept; thread safety, ownership and errors as the calls above.
 * The generated `<prefix>_client_enqueue()`/`_send()` call these with `&ev->env`.
 */
UGW_API ugw_status ugw_client_enqueue_event_env(ugw_client *c, const ugw_schema *schema, int type,
                                                const void *envelope, const void *payload,
                                                int64_t wait_ms, void *user,
                                                char id_out[UGW_WEBHOOK_ID_MAX], ugw_error *err);
UGW_API ugw_status ugw_client_send_event_env(ugw_client *c, const ugw_schema *schema, int type,
                                             const void *envelope, const void *payload,
                                             ugw_outcome *out, ugw_error *err);

/** A snapshot of the counters. */
UGW_API void ugw_client_stats_get(ugw_client *c, ugw_client_stats *out);

/** Writes the counters of ugw_client_stats as Prometheus metric families
 * (ugw_client_accepted_total, ..._delivered_total, ..._retried_total,
 * ..._failed_total, ..._dead_letter_failed_total, and the gauges
 * ugw_client_queued and ugw_client_in_flight) to `w`, so that a service adds
 * them to its own metrics endpoint. Any thread; NULL arguments: no-op. */
UGW_API void ugw_client_metrics_write(ugw_client *c, ugw_metrics_writer *w);

/**
 * The same as Prometheus text in buf[0..cap), NUL-terminated; *len (may be
 * NULL) gets its length. UGW_OK; UGW_ERR_BUFFER when `cap` is too small
 * (*len is then the room needed less one; 2 KiB always suffice);
 * UGW_ERR_ARG for NULL `c`. Any thread; allocates nothing.
 */
UGW_API ugw_status ugw_client_metrics_text(ugw_client *c, char *buf, size_t cap, size_t *len);

/** The body format the typed calls encode to (the config's `format`). */
UGW_API ugw_format ugw_client_format(const ugw_client *c);

/** Whether the endpoint answered 410 (the client then refuses new events). */
UGW_API bool ugw_client_endpoint_gone(ugw_client *c);

/**
 * Stops accepting, lets deliveries (with their retries) go on for up to
 * `drain_ms` (0: not at all, < 0: until done), then hands every event still
 * undelivered to the callback and the dead-letter file as UGW_RESULT_CLOSED,
 * stops the delivery threads and frees the client. With a spool those events are
 * handed to the callback as UGW_RESULT_KEPT instead and stay in the spool,
 * pending, for the next client (an attempt cut short is not counted); the
 * spool is closed and its ownership released. Returns UGW_OK when nothing had to
 * be handed back, UGW_ERR_TIMEOUT otherwise. NULL is a no-op. From an outcome
 * callback it does nothing and returns UGW_ERR_ARG.
 */
UGW_API ugw_status ugw_client_close(ugw_client *c, int64_t drain_ms);

/* ------------------------------------------------------------------ */
/* Reading dead-letter files (lines: ugw_lines.h)                       */
/* ------------------------------------------------------------------ */

/** A reader of dead-letter files (docs/DEAD_LETTERS.md). */
typedef struct ugw_dead_letter_reader ugw_dead_letter_reader;

/** One dead letter. Pointers are valid until the next call on its reader. */
typedef struct ugw_dead_letter {
    const char *id;       /**< webhook-id: valid by ugw_webhook_id_check() (1 to 256
                               bytes of '!'..'~'), as ugw_client_enqueue_body() takes them */
    const char *event;    /**< wire event string, no NUL inside; may be "" */
    ugw_format format;    /**< the body's format, and so its Content-Type */
    const void *body;     /**< the exact bytes sent: "body", or "body_base64" decoded */
    size_t body_len;
    long last_status;     /**< "last_status", -1 when the record has none */
    long attempts;        /**< "attempts", -1 when the record has none */
    const char *result;   /**< "result" as recorded ("rejected", ...), "" when none */
    const char *error;    /**< "error", "" when none */
    const char *time;     /**< "time", "" when none */
    uint64_t line;        /**< its line in the file */
    uint64_t offset;      /**< the byte offset of that line */
} ugw_dead_letter;

/**
 * Opens a dead-letter file as ugw_line_reader_open() does ("-": standard
 * input; `max_line` 0: UGW_LINE_MAX_DEFAULT).
 */
UGW_API ugw_dead_letter_reader *ugw_dead_letter_open(const char *path, size_t max_line,
                                                     ugw_read_error *err);

/**
 * The next record in `*rec` (strings NUL-terminated): returns 1; 0 at the end
 * of the file; -1 with `err` set when a line is not a dead letter or reading
 * failed. Lines of white space only are skipped. A record is one JSON object
 * on one line with string "id", "event" and "format" ("json" or "msgpack")
 * and exactly one of "body" (a string) and "body_base64" (strict base64, see
 * ugw_base64_decode()); "last_status" and "attempts" when present are whole
 * numbers from 0 to 2^31-1, "result", "error" and "time" strings. Other keys
 * are ignored; strings are not checked for UTF-8 (bodies are returned byte for
 * byte).
 *
 * Errors carry the code, a static message, the line number and the byte
 * offset in the file of the problem (the start of a value whose escapes hide
 * the exact byte), and the key concerned: UGW_ERR_SYNTAX (not JSON, or bad
 * base64), UGW_ERR_TRUNCATED (the line ends inside the record: on the last
 * line without a '\n', a torn write, said so), UGW_ERR_TRAILING (bytes after
 * the object), UGW_ERR_TYPE (not an object, a value of the wrong type),
 * UGW_ERR_MISSING, UGW_ERR_DUPLICATE_KEY, UGW_ERR_DEPTH (nested deeper than
 * 64), UGW_ERR_UTF8 (a lone surrogate escape), UGW_ERR_NUL (a NUL in a string
 * other than the body), UGW_ERR_TOO_SHORT/UGW_ERR_TOO_LONG (the id),
 * UGW_ERR_RANGE (a byte of the id outside '!'..'~', an unknown format, a
 * number out of range), UGW_ERR_LIMIT (a line longer than `max_line`). After these
 * the next call goes on with the next line. UGW_ERR_IO and UGW_ERR_NOMEM are
 * as ugw_line_reader_next() has them: stop there (but for EINTR).
 *
 * The records go back to a client as they were with
 * ugw_client_enqueue_body(c, rec.body, rec.body_len, rec.format, rec.event,
 * rec.id, ...).
 */
UGW_API int ugw_dead_letter_next(ugw_dead_letter_reader *r, ugw_dead_letter *rec,
                                 ugw_read_error *err);

/** Closes the file and frees the reader; NULL is a no-op. */
UGW_API void ugw_dead_letter_close(ugw_dead_letter_reader *r);

/**
 * Opens (creating it with mode 0600: it holds payloads) a dead-letter file
 * for appending, as the client does for its dead_letter_path. Returns the
 * file descriptor (O_APPEND, O_CLOEXEC; the caller closes it), or -1 with
 * *sys_errno (may be NULL) set.
 */
UGW_API int ugw_dead_letter_append_open(const char *path, int *sys_errno);

/**
 * Appends one record to a dead-letter file opened for appending, in the
 * format ugw_dead_letter_next() reads: rec->id (valid by
 * ugw_webhook_id_check()), event, format, body (JSON bodies as "body", others
 * as "body_base64"), last_status and attempts (negative: 0), result, error
 * and time ("" or NULL: now, UTC). `line` and `offset` are ignored.
 *
 * The record goes out in one write(); if that stops short (a full disk, a
 * file size limit), the part written is cut off the end of the file again
 * (ftruncate), so that the file never holds a torn record, and UGW_ERR_IO is
 * returned with *sys_errno (may be NULL) the reason. A writer that appends
 * to the same file at that very moment from another process may lose the
 * cut; writers of one client are never concurrent.
 *
 * Errors: UGW_ERR_ARG (fd < 0, NULL record, id or body with length, an
 * invalid id, an unknown format, event 256 bytes or longer), UGW_ERR_NOMEM,
 * UGW_ERR_IO. `err` may be NULL. Allocates the line once per call;
 * reentrant.
 */
UGW_API ugw_status ugw_dead_letter_write(int fd, const ugw_dead_letter *rec, int *sys_errno,
                                         ugw_error *err);

/**
 * The record ugw_dead_letter_write() appends, as one line ending in '\n'
 * (NUL-terminated after it) in a new heap buffer that the caller frees, its
 * length without the NUL in *len_out: for dead letters that go somewhere
 * other than a file (ugw relay publishes them to a JetStream subject).
 * Returns NULL with `err` set (may be NULL) on the argument errors of
 * ugw_dead_letter_write() (UGW_ERR_ARG, also for a NULL `len_out`) and
 * UGW_ERR_NOMEM. Reentrant.
 */
UGW_API char *ugw_dead_letter_format(const ugw_dead_letter *rec, size_t *len_out, ugw_error *err);

/**
 * Appends `len` bytes of an already formatted record (one line ending in
 * '\n', as ugw_dead_letter_format() makes them) to a dead-letter file opened
 * for appending, with the guarantees of ugw_dead_letter_write(): one write(),
 * and a part written is cut off again, so the file never holds a torn
 * record. UGW_ERR_ARG (fd < 0, NULL line, len 0, no '\n' at the end or one
 * before it), UGW_ERR_IO with *sys_errno (may be NULL). Reentrant.
 */
UGW_API ugw_status ugw_dead_letter_append_line(int fd, const char *line, size_t len, int *sys_errno,
                                               ugw_error *err);

#ifdef __cplusplus
}
#endif
#endif /* UGW_CLIENT_H */
