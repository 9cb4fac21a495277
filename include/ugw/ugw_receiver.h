/*
 * ugw_receiver.h - receive webhooks in a service: the checks of
 * docs/CONTRACT.md §5 as a library that knows no HTTP server.
 *
 * The server (libmicrohttpd through ugw_receiver_mhd.h, or any other) hands
 * over the request's method, a way to look up its headers and its body;
 * ugw_receiver_handle() answers with the HTTP status, the JSON error body
 * and, for an accepted event, the decoded event of the configured schema:
 *
 *   405  the method is not POST                                 code "arg"
 *   413  the body (or Content-Length) is over max_body           "limit"
 *   400  webhook-id present but not valid (ugw_webhook_id_check(): 1 to
 *        256 bytes of '!'..'~')                                  "syntax"
 *   401  with secrets: webhook-id, webhook-timestamp or
 *        webhook-signature missing, the timestamp outside the
 *        tolerance, or no signature of any secret matches        "signature"/"timestamp"
 *   415  Content-Type not application/json or application/msgpack "type"
 *   400  the body is not a valid event of the schema             the decoder's code
 *   503  (Retry-After) a request with the same webhook-id is still being
 *        handled, or the replay window is full                   "full"
 *   500  out of memory                                           "nomem"
 *   204  a valid event: new (store it, then ugw_receiver_finish()) or a
 *        duplicate (res.duplicate; do not process it again)
 *
 * A request that fails authentication is never parsed. Without secrets every
 * request is accepted unsigned and webhook-id is optional.
 *
 * Replay window: the webhook-id of every stored event is remembered until
 * its webhook-timestamp leaves the tolerance (timestamp + tolerance; for an
 * unsigned request, the time it was stored + tolerance). Inside that time a
 * repeat is a duplicate; after it, a signed repeat fails the timestamp check
 * with 401, and the id is forgotten. The window is a table made once by
 * ugw_receiver_new() for replay_capacity ids (UGW_RECEIVER_REPLAY_ENTRY_BYTES
 * each, about 4.5 MiB for the default 100,000); handling a request
 * allocates nothing in it. Ids that left the tolerance make room; when the
 * table holds replay_capacity live ids (more new events within the window
 * than it was sized for), a new event, signed or not, is answered 503 with
 * Retry-After (the seconds until the first id expires): a live id is never
 * forgotten early. Size it as the most new events per second times twice
 * the tolerance. The table keeps a 128-bit fingerprint of each id,
 * SipHash-2-4 under two random keys, so ids chosen by a client can neither
 * flood one bucket nor be made to collide. With replay_path the window is
 * also kept in a file (0600, one whole record "EXPIRY ID\n" per write,
 * rewritten without expired ids at start and when it has grown to twice
 * the live ids), so it survives a restart.
 *
 * "2xx means stored": for a new event, handle() claims its id and answers
 * 204 provisionally. The caller stores the event (writes it, forwards it),
 * then calls ugw_receiver_finish(rx, &res, stored): with true the id is
 * remembered (and appended to the state file) and the answer stays 204; with
 * false the id is released, so the sender's retry is processed afresh, and
 * the answer becomes 503 with Retry-After. A repeat that arrives while the
 * first is being stored is answered 503 with Retry-After: 1.
 *
 * Decoding: into the caller's decoder and payload memory when the request
 * gives them (ugw_schema_payload_max() bytes, aligned for uint64_t), else
 * into a decoder and payload buffer taken from the receiver's pool (made on
 * first need, reused afterwards, never shared by two requests at once), so a
 * threaded server allocates nothing per event once warm. A schema with
 * envelope fields (docs/SCHEMA_ENVELOPE.md) has them decoded with the
 * payload (ugw_schema_decode_env()) into an envelope buffer of the pool slot
 * (ugw_schema_envelope_size() bytes, made with the slot) or of the request
 * (`envelope`); res.envelope points at it, so whoever stores or re-encodes
 * the event (ugw_schema_encode_env()) keeps what the sender sent. Their
 * errors are those of payload fields with top-level paths (400 "format" at
 * "timestamp").
 *
 * Thread safety: one receiver serves any number of threads at once; the
 * replay window, the pool and the state file are under one mutex, held only
 * for their short updates (verification and decoding run outside it).
 *
 * Memory: the receiver copies the secrets (cleared with OPENSSL_cleanse() in
 * ugw_receiver_free()); it never keeps the caller's headers or body.
 */
#ifndef UGW_RECEIVER_H
#define UGW_RECEIVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ugw_metrics.h"
#include "ugw_runtime.h"
#include "ugw_webhook.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Longest accepted webhook-id in bytes: the one rule of
 * ugw_webhook_id_check(). */
#define UGW_RECEIVER_ID_MAX UGW_WEBHOOK_ID_LEN_MAX
/** Room for the JSON error body of any answer, with its NUL. */
#define UGW_RECEIVER_BODY_MAX 1536
/** Defaults of ugw_receiver_config (when the field is 0). */
#define UGW_RECEIVER_DEFAULT_MAX_BODY ((size_t)1 << 20)
#define UGW_RECEIVER_DEFAULT_REPLAY_CAPACITY ((size_t)100000)
/** Largest replay_capacity (2^24 ids: at most 768 MiB). */
#define UGW_RECEIVER_MAX_REPLAY_CAPACITY ((size_t)1 << 24)
/** Memory of the replay window per id of replay_capacity, in bytes (at
 * most: an entry and its share of the buckets). */
#define UGW_RECEIVER_REPLAY_ENTRY_BYTES 48
/** Most secrets tried per request (key rotation). */
#define UGW_RECEIVER_MAX_SECRETS 8

/** What a receiver checks and remembers. Zero-initialise, then set. */
typedef struct ugw_receiver_config {
    const ugw_schema *schema;  /**< events are decoded against it (required) */
    const ugw_secret *secrets; /**< `nsecrets` keys, any of which verifies (copied) */
    size_t nsecrets;           /**< 0: requests are not verified */
    bool allow_weak_secrets;   /**< accept keys shorter than UGW_SECRET_MIN_LEN (24)
                                    bytes; by default they are refused (ugw_secret_check()) */
    int64_t tolerance_s;       /**< <= 0: UGW_WEBHOOK_TOLERANCE_DEFAULT (300) */
    bool strict;               /**< reject unknown payload keys */
    size_t max_body;           /**< 0: 1 MiB; at most 256 MiB */
    size_t replay_capacity;    /**< ids the replay window holds, allocated at
                                    ugw_receiver_new() (0: 100,000; at most
                                    UGW_RECEIVER_MAX_REPLAY_CAPACITY): at least
                                    new events per second x 2 x tolerance_s */
    const char *replay_path;   /**< state file of the replay window; NULL: memory only */
    bool replay_sync;          /**< fdatasync() the state file after each record */
} ugw_receiver_config;

/** One header of the array form: NUL-terminated name and value. */
typedef struct ugw_receiver_header {
    const char *name;
    const char *value;
} ugw_receiver_header;

/** The header lookup form: the value of header `name` (matched without
 * regard to letter case), NUL-terminated, or NULL when absent. */
typedef const char *(*ugw_receiver_header_fn)(void *ctx, const char *name);

/** One request as the server received it. Zero-initialise, then set. */
typedef struct ugw_receiver_request {
    const char *method;                 /**< "POST"; NULL is not POST */
    ugw_receiver_header_fn header;      /**< lookup form (used when not NULL) */
    void *header_ctx;
    const ugw_receiver_header *headers; /**< array form: `nheaders` entries; a
                                             header the receiver reads appearing
                                             twice is answered 400 */
    size_t nheaders;
    int64_t content_length;             /**< announced length, -1 when unknown
                                             (only ugw_receiver_check_headers()) */
    const void *body;                   /**< `len` bytes (NULL allowed when 0) */
    size_t len;
    int64_t now;                        /**< Unix seconds; 0: time(NULL) */
    ugw_decoder *decoder;               /**< optional: decode with it... */
    void *payload;                      /**< ...into this memory... */
    size_t payload_cap;                 /**< ...of this size (else: the pool) */
    void *envelope;                     /**< with `decoder` and `payload`: the envelope
                                             struct's memory (ugw_schema_envelope_size()
                                             bytes, aligned for uint64_t); NULL: the
                                             envelope fields are checked, not kept
                                             (res.envelope NULL). Not read for a schema
                                             without envelope fields, nor with the pool */
    size_t envelope_cap;                /**< its size */
} ugw_receiver_request;

/** The answer to one request. Pointers stay valid until ugw_receiver_finish(). */
typedef struct ugw_receiver_result {
    unsigned status;            /**< HTTP status to answer */
    unsigned retry_after;       /**< seconds for a Retry-After header (503), else 0 */
    bool duplicate;             /**< 204 for a webhook-id already stored */
    bool verified;              /**< the signature was checked */
    bool has_id;                /**< `id` holds the request's valid webhook-id */
    char id[UGW_RECEIVER_ID_MAX + 1];
    ugw_format format;          /**< by Content-Type (from 415 on) */
    int type;                   /**< new event: its 1-based type, else 0 */
    const ugw_event_desc *desc; /**< new event: its descriptor, else NULL */
    const void *payload;        /**< new event: its struct, else NULL */
    int64_t timestamp;          /**< webhook-timestamp when verified, else 0 */
    ugw_error error;            /**< why, for any status but 204 */
    char body[UGW_RECEIVER_BODY_MAX]; /**< JSON error body, "" for 204 */
    size_t body_len;
    void *slot_;                /**< internal: the pool slot in use */
    int64_t now_;               /**< internal: the request's clock */
    unsigned state_;            /**< internal */
    /** New event of a schema with envelope fields: its envelope struct (the
     * schema's `<prefix>_envelope`, ugw_schema_envelope_size() bytes; pass
     * it to ugw_schema_encode_env() with `payload`), else NULL (also when the
     * request gave its own decoder without `envelope`). Owned by the receiver
     * (the pool slot) or the request's memory, read-only; its string views
     * point into the body or the decoder, like the payload's. Valid until
     * ugw_receiver_finish(), which sets it to NULL. */
    const void *envelope;
} ugw_receiver_result;

typedef struct ugw_receiver ugw_receiver;

/**
 * Makes a receiver. Returns NULL with `err` set (may be NULL) when `cfg` or
 * its schema is NULL, nsecrets is over UGW_RECEIVER_MAX_SECRETS or `secrets`
 * is NULL with nsecrets > 0, a secret fails ugw_secret_check() (shorter
 * than UGW_SECRET_MIN_LEN bytes without allow_weak_secrets, or longer than
 * UGW_SECRET_MAX; `pos` is then the index of the secret)
 * (UGW_ERR_ARG / UGW_ERR_SECRET), memory or the random generator fails
 * (UGW_ERR_NOMEM / UGW_ERR_IO), or the state file cannot be read, rewritten
 * or opened (UGW_ERR_IO, errno kept), replay_capacity is over
 * UGW_RECEIVER_MAX_REPLAY_CAPACITY (UGW_ERR_ARG, path "replay_capacity"),
 * or the state file holds more live ids than replay_capacity (UGW_ERR_LIMIT,
 * path "replay_capacity": raise it). Lines of the state file that are not
 * records (a torn last line, anything malformed) are dropped when it is
 * rewritten. Free with ugw_receiver_free().
 */
UGW_API ugw_receiver *ugw_receiver_new(const ugw_receiver_config *cfg, ugw_error *err);

/** Frees the receiver, its pool, its window, and clears its secrets. Every
 * result must have been finished. NULL is a no-op. */
UGW_API void ugw_receiver_free(ugw_receiver *rx);

/**
 * The checks that need no body, for a server to run as soon as the headers
 * are in and before it buffers anything: the method (405), content_length
 * over max_body (413), webhook-id (400), and with secrets the presence of
 * the three headers, the timestamp's format and tolerance, and that
 * webhook-signature holds at least one entry "v1," + 44 base64 characters
 * (401). Returns true when the request may go on (res->status 0); false with
 * the answer in `res` (nothing to finish). Reentrant.
 */
UGW_API bool ugw_receiver_check_headers(ugw_receiver *rx, const ugw_receiver_request *req,
                                        ugw_receiver_result *res);

/**
 * Handles a whole request (all checks, in the order above) and returns the
 * status, also in res->status. For a new valid event res->type, desc,
 * payload and (with envelope fields) envelope are set and the id is claimed: store the event, then call
 * ugw_receiver_finish(). Every result must be finished exactly once (it is
 * a no-op for answers that claimed nothing). NULL `rx`, `req` or `res`:
 * 500 with code "arg" in `res` when it is not NULL.
 */
UGW_API unsigned ugw_receiver_handle(ugw_receiver *rx, const ugw_receiver_request *req,
                                     ugw_receiver_result *res);

/**
 * Ends a handled request. For a new event: `stored` true remembers its id
 * (and appends it to the state file; a failed append is counted in
 * state_errors, the answer stays 204 since the event is stored); false
 * releases the id and turns the answer into 503 "io" with Retry-After 1.
 * Returns the final status. Gives back the pool slot: the payload, the
 * envelope and their views are invalid afterwards. NULL `rx` or `res`: returns 0.
 */
UGW_API unsigned ugw_receiver_finish(ugw_receiver *rx, ugw_receiver_result *res, bool stored);

/**
 * Fills `res` with an answer of the server's own (a 400 for a malformed
 * request, a 503 when memory is short...): status, retry_after, the error and
 * its JSON body {"code":...,"message":...,"path":...,"pos":N}. `message` and
 * `path` must be static or outlive `res` (path may be NULL). Nothing to
 * finish. NULL `res` is a no-op.
 */
UGW_API void ugw_receiver_answer(ugw_receiver_result *res, unsigned status, ugw_status code,
                                 const char *message, const char *path, size_t pos,
                                 unsigned retry_after);

/** The receiver's largest body (max_body after defaults); 0 for NULL. */
UGW_API size_t ugw_receiver_max_body(const ugw_receiver *rx);

/** Counters of the replay window. */
typedef struct ugw_receiver_stats {
    uint64_t remembered;   /**< ids in the window now (pending ones included) */
    uint64_t capacity;     /**< ids it can hold (replay_capacity) */
    uint64_t window_full;  /**< new events answered 503 for a window full of live ids */
    uint64_t expired;      /**< ids forgotten once their timestamp left the tolerance */
    uint64_t state_errors; /**< records that could not be written to the state file */
} ugw_receiver_stats;

/** A snapshot of the counters; any thread. NULL arguments: no-op. */
UGW_API void ugw_receiver_stats_get(ugw_receiver *rx, ugw_receiver_stats *out);

/*
 * Metrics (docs/OPERATIONS.md lists them). The receiver counts every answer
 * it makes: ugw_receiver_handle() those it gives (a new event when it is
 * finished: "delivered" when stored, else "unavailable"),
 * ugw_receiver_check_headers() its refusals; an answer the server makes
 * itself (ugw_receiver_answer()) is counted with ugw_receiver_count(). It
 * also times signature verification and decoding, and records body sizes.
 * Counting is lock-free (relaxed atomics) and allocates nothing.
 */

/** The verdict of an answer, a static label: "delivered" (2xx, new),
 * "duplicate" (2xx, webhook-id seen), "unauthorized" (401), "unavailable"
 * (501 to 599: the sender retries), "invalid" (any other). */
UGW_API const char *ugw_receiver_verdict_name(unsigned status, bool duplicate);

/** Counts an answer the server made without ugw_receiver_handle() or
 * ugw_receiver_check_headers() (a framing 400, a 503 for memory): by
 * res->status, res->duplicate and res->type. Any thread; NULL: no-op. */
UGW_API void ugw_receiver_count(ugw_receiver *rx, const ugw_receiver_result *res);

/** Writes the receiver's metric families to `w` (to add them to a service's
 * own endpoint). Any thread; NULL arguments: no-op. */
UGW_API void ugw_receiver_metrics_write(ugw_receiver *rx, ugw_metrics_writer *w);

/**
 * The receiver's metrics as Prometheus text into buf[0..cap), NUL-terminated;
 * *len (may be NULL) gets the length. UGW_ERR_BUFFER when `cap` is too small
 * (*len is then the room needed less one; about 200 bytes per event of the
 * schema and 6 KiB more suffice), UGW_ERR_ARG for NULL `rx`. Any thread.
 */
UGW_API ugw_status ugw_receiver_metrics_text(ugw_receiver *rx, char *buf, size_t cap, size_t *len);

#ifdef __cplusplus
}
#endif
#endif /* UGW_RECEIVER_H */
