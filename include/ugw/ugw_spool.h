/*
 * ugw_spool.h - inspect and act on a delivery spool (docs/DURABILITY.md).
 *
 * A spool is the SQLite file a client keeps its accepted events in when it
 * is configured with `spool_path` (ugw_client.h): pending events (with their
 * webhook-id, body, attempt count and next-attempt time), the dead letters
 * (events that failed for good, with their result), and producers' marks
 * (how far each input was read). These functions are what `ugw spool
 * stats|list|retry|purge FILE` calls.
 *
 * A spool belongs to the client that has it open: while it does, any
 * ugw_spool_open() is refused with UGW_ERR_BUSY, read-only or not (the
 * client keeps SQLite's WAL index in its own memory, which makes each commit
 * about three times cheaper; a running client reports through
 * ugw_client_stats_get() and its metrics instead). Opened to be changed, a
 * spool is owned as a client owns it. Either way a file that is not a ugw
 * spool (another program's database, not SQLite, a newer ugw's, damaged or
 * truncated) is refused with UGW_ERR_CORRUPT and never written.
 *
 * Thread safety: a handle is used by one thread at a time. Errors carry a
 * static message and, for file problems, path "spool_path".
 */
#ifndef UGW_SPOOL_H
#define UGW_SPOOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ugw_client.h"

#ifdef __cplusplus
extern "C" {
#endif

/** An open spool. */
typedef struct ugw_spool ugw_spool;

/** ugw_spool_open() flags. */
#define UGW_SPOOL_READ_ONLY 1u /**< read only: nothing is changed, not even a checkpoint */

/**
 * Opens the spool at `path`, which must exist. Without UGW_SPOOL_READ_ONLY
 * it is owned until ugw_spool_close(). Returns NULL with `err` (may be NULL)
 * set: UGW_ERR_ARG (NULL path, unknown flags), UGW_ERR_IO (no such file,
 * cannot be opened), UGW_ERR_BUSY, UGW_ERR_CORRUPT, UGW_ERR_NOMEM.
 */
UGW_API ugw_spool *ugw_spool_open(const char *path, unsigned flags, ugw_error *err);

/** Closes the spool and releases its ownership; NULL is a no-op. */
UGW_API void ugw_spool_close(ugw_spool *sp);

/** What a spool holds. Times are Unix milliseconds, 0 when there is none. */
typedef struct ugw_spool_stats {
    uint64_t pending;        /**< events waiting for delivery (or in flight) */
    uint64_t pending_bytes;  /**< their bodies */
    uint64_t dead;           /**< dead letters */
    uint64_t dead_bytes;
    uint64_t marks;          /**< producers' marks */
    uint64_t retrying;       /**< pending events tried at least once */
    uint64_t max_attempts;   /**< the most attempts of any pending event */
    int64_t oldest_ms;       /**< when the oldest pending event was accepted */
    int64_t next_attempt_ms; /**< the earliest next attempt of a pending event */
    uint64_t file_bytes;     /**< the database file and its WAL */
} ugw_spool_stats;

/** Fills `out`. UGW_ERR_ARG for NULL; UGW_ERR_IO, UGW_ERR_CORRUPT. */
UGW_API ugw_status ugw_spool_stats_get(ugw_spool *sp, ugw_spool_stats *out, ugw_error *err);

/** Which events: ugw_spool_list() and ugw_spool_purge() flags. */
#define UGW_SPOOL_PENDING 1u
#define UGW_SPOOL_DEAD 2u

/** One event as listed. Pointers are valid during the callback only. */
typedef struct ugw_spool_entry {
    bool dead;              /**< a dead letter (else pending) */
    const char *id;         /**< webhook-id */
    const char *event;      /**< wire event string */
    ugw_format format;
    const void *body;
    size_t body_len;
    unsigned attempts;
    long last_status;       /**< last HTTP status, 0 when none */
    const char *error;      /**< last libcurl error text, "" when none */
    const char *result;     /**< dead: ugw_result_name() of how it ended; pending: "" */
    int64_t created_ms;     /**< when it was accepted */
    int64_t when_ms;        /**< pending: next attempt; dead: when it failed */
} ugw_spool_entry;

/** Called for each entry; return false to stop. */
typedef bool (*ugw_spool_entry_fn)(const ugw_spool_entry *e, void *ctx);

/**
 * Calls `fn` for every pending event (UGW_SPOOL_PENDING, in the order they
 * were accepted) and/or dead letter (UGW_SPOOL_DEAD, in the order they
 * failed); `id` non-NULL lists that webhook-id only. A row that is not valid
 * (a file edited by hand) gives UGW_ERR_CORRUPT with `pos` its row number.
 * UGW_ERR_ARG for NULL or no flag.
 */
UGW_API ugw_status ugw_spool_list(ugw_spool *sp, unsigned which, const char *id,
                                  ugw_spool_entry_fn fn, void *ctx, ugw_error *err);

/**
 * Moves dead letters back to the pending events (`id` NULL: all of them),
 * with their webhook-id and body, attempts 0 and due at once: the next
 * client on the spool delivers them. *moved (may be NULL) gets the count.
 * In one commit. Needs an owned handle (UGW_ERR_ARG when read-only).
 */
UGW_API ugw_status ugw_spool_retry(ugw_spool *sp, const char *id, uint64_t *moved, ugw_error *err);

/**
 * Deletes events: the dead letters (UGW_SPOOL_DEAD) and/or pending events
 * (UGW_SPOOL_PENDING), all of them or only webhook-id `id`. *removed (may be
 * NULL) gets the count. In one commit. Needs an owned handle.
 */
UGW_API ugw_status ugw_spool_purge(ugw_spool *sp, unsigned which, const char *id,
                                   uint64_t *removed, ugw_error *err);

/** Called for each mark (ugw_client_enqueue_marked()); return false to stop. */
typedef bool (*ugw_spool_mark_fn)(const char *key, uint64_t value, void *ctx);

/** Lists the marks, by key. */
UGW_API ugw_status ugw_spool_marks(ugw_spool *sp, ugw_spool_mark_fn fn, void *ctx, ugw_error *err);

/** Deletes every mark (a producer then starts its inputs from the start
 * again). Needs an owned handle. */
UGW_API ugw_status ugw_spool_marks_clear(ugw_spool *sp, uint64_t *removed, ugw_error *err);

#ifdef __cplusplus
}
#endif
#endif /* UGW_SPOOL_H */
