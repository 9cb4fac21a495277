/*
 * receiver_internal.h - the replay window of the receiver
 * (ugw_receiver_replay.c): ids under a keyed hash (SipHash-2-4), each with
 * the Unix second after which it is forgotten, in a list ordered by
 * insertion for expiry and eviction, optionally mirrored to a state file.
 * Not locked: the receiver holds its mutex around every call.
 */
#ifndef UGW_RECEIVER_INTERNAL_H
#define UGW_RECEIVER_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ugw/ugw_receiver.h>

typedef struct replay_node {
    struct replay_node *chain;       /* next in the bucket */
    struct replay_node *prev, *next; /* insertion order: head is the oldest */
    uint64_t hash;
    int64_t expiry; /* forgotten when now > expiry */
    bool pending;   /* claimed by a request being stored */
    uint16_t len;
    char id[];
} replay_node;

typedef struct replay_window {
    unsigned char key[16]; /* SipHash key, random per window */
    replay_node **buckets;
    size_t nbuckets; /* a power of two, or 0 */
    size_t count, max;
    replay_node *head, *tail;
    /* The state file: -1 when none. */
    int fd;
    char *path;
    bool sync;
    uint64_t size;    /* bytes in the file */
    uint64_t records; /* records in the file */
    uint64_t window_full, evicted, state_errors;
} replay_window;

/* Outcomes of replay_claim(). */
enum {
    REPLAY_NEW = 0,   /* claimed now (pending) */
    REPLAY_SEEN,      /* stored before and still in the window */
    REPLAY_PENDING,   /* claimed by another request not yet finished */
    REPLAY_FULL,      /* the window is full of live ids (signed only) */
    REPLAY_NOMEM
};

/* Sets up an empty window; with `path`, loads and rewrites the state file
 * (dropping expired and malformed records) and keeps it open for appends.
 * UGW_OK, or UGW_ERR_NOMEM / UGW_ERR_IO with `err` set. */
ugw_status replay_open(replay_window *w, size_t max, const char *path, bool sync, int64_t now,
                       ugw_error *err);
void replay_close(replay_window *w);

/* Looks up `id` and claims it when new. `evict` allows forgetting the oldest
 * id when the window is full (unsigned requests); otherwise REPLAY_FULL and
 * *retry_after the seconds until the oldest id expires (at least 1). */
int replay_claim(replay_window *w, const char *id, size_t len, int64_t now, bool evict,
                 unsigned *retry_after);

/* Ends a claim: with `keep` the id is remembered until `expiry` and appended
 * to the state file; else it is forgotten. */
void replay_settle(replay_window *w, const char *id, size_t len, bool keep, int64_t expiry);

/* SipHash-2-4 of s[0..len) under a 16-byte key. */
uint64_t replay_siphash(const unsigned char key[16], const void *s, size_t len);

#endif /* UGW_RECEIVER_INTERNAL_H */
