/*
 * receiver_internal.h - the replay window of the receiver: a table made
 * once at ugw_receiver_new() for `capacity` ids (ugw_receiver_replay.c) and
 * its optional state file (ugw_receiver_replay_file.c).
 *
 * The table keeps no id text: each id is a 128-bit fingerprint, SipHash-2-4
 * of the id under two random 16-byte keys (so ids chosen by a client can
 * neither flood a bucket nor be made to collide), with the Unix second
 * after which it is forgotten. Entries live in one array of `capacity`
 * (free ones on a free list), are chained per bucket by index, and sit in
 * one list in insertion order from which expired ids are dropped. Nothing
 * is allocated after replay_open(): a request costs no allocation, and
 * memory is capacity x (sizeof(replay_entry) + about 4 bytes of buckets).
 *
 * Not locked: the receiver holds its mutex around every call.
 */
#ifndef UGW_RECEIVER_INTERNAL_H
#define UGW_RECEIVER_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ugw/ugw_receiver.h>

#define REPLAY_NIL UINT32_MAX

typedef struct replay_entry {
    uint64_t h1, h2;  /* the id's fingerprint */
    int64_t expiry;   /* forgotten when now > expiry (meaningless while pending) */
    uint32_t chain;   /* next in the bucket; next free entry when free */
    uint32_t prev, next; /* insertion order: head is the oldest */
    bool pending;     /* claimed by a request being stored */
} replay_entry;

typedef struct replay_window {
    unsigned char key[32]; /* two SipHash keys, random per window */
    replay_entry *entries; /* `capacity` of them */
    uint32_t *buckets;     /* `nbuckets` heads, a power of two */
    size_t nbuckets, capacity, count;
    uint32_t head, tail, free_list;
    /* No live id expires before this second: a full window is swept for
     * expired ids only once the clock passes it (INT64_MIN: sweep). */
    int64_t min_expiry;
    uint64_t window_full, expired, state_errors;
    /* The state file (ugw_receiver_replay_file.c): fd -1 when none. */
    int fd;
    char *path, *tmp_path; /* tmp_path: path + ".new" */
    char *io;              /* REPLAY_IO_BUF bytes for reading and rewriting */
    bool sync;
    uint64_t size;    /* bytes in the file */
    uint64_t records; /* records in the file */
} replay_window;

/* Outcomes of replay_claim(). */
enum {
    REPLAY_NEW = 0, /* claimed now (pending) */
    REPLAY_SEEN,    /* stored before and still in the window */
    REPLAY_PENDING, /* claimed by another request not yet finished */
    REPLAY_FULL     /* every entry holds a live id: answer 503 */
};

/* ---- ugw_receiver_replay.c: the table ---- */

/* Makes the table for `capacity` ids (1..UGW_RECEIVER_MAX_REPLAY_CAPACITY)
 * and, with `path`, loads the state file and rewrites it without expired and
 * malformed records. UGW_OK, or UGW_ERR_NOMEM / UGW_ERR_IO / UGW_ERR_LIMIT
 * with `err` set (errno kept for UGW_ERR_IO). */
ugw_status replay_open(replay_window *w, size_t capacity, const char *path, bool sync, int64_t now,
                       ugw_error *err);
void replay_close(replay_window *w);

/* Looks up `id` and claims it when new. When every entry holds a live id:
 * REPLAY_FULL, *retry_after the seconds until the first of them expires
 * (1 to 3600). Never forgets a live id, never allocates. */
int replay_claim(replay_window *w, const char *id, size_t len, int64_t now, unsigned *retry_after);

/* Ends a claim: with `keep` the id is remembered until `expiry` and appended
 * to the state file; else it is forgotten. */
void replay_settle(replay_window *w, const char *id, size_t len, bool keep, int64_t expiry, int64_t now);

/* Remembers a stored id read from the state file (not pending). false when
 * the table is full. */
bool replay_load_id(replay_window *w, const char *id, size_t len, int64_t expiry);

/* Whether `id` is remembered, not pending, with exactly this expiry: the
 * state file's rewrite keeps such records only. */
bool replay_holds(replay_window *w, const char *id, size_t len, int64_t expiry);

/* SipHash-2-4 of s[0..len) under a 16-byte key. */
uint64_t replay_siphash(const unsigned char key[16], const void *s, size_t len);

/* ---- ugw_receiver_replay_file.c: the state file ---- */

/* Room for the state file's reading and rewriting, allocated at open. */
#define REPLAY_IO_BUF ((size_t)64 << 10)

/* Loads the live records of w->path into the table (a missing file is
 * empty), then rewrites it and opens it for appends. */
ugw_status replay_file_open(replay_window *w, int64_t now, ugw_error *err);
/* Appends the record of a stored id (one write; a short one is cut off);
 * rewrites the file when it holds twice the live ids (and over 4096). */
void replay_file_append(replay_window *w, const char *id, size_t len, int64_t expiry, int64_t now);
void replay_file_close(replay_window *w);

#endif /* UGW_RECEIVER_INTERNAL_H */
