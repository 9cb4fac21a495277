/*
 * ugw_receiver_replay.c - the replay window's table (receiver_internal.h):
 * fingerprints of ids under SipHash-2-4 with random keys, in an array made
 * once for `capacity` entries, chained per bucket by index, in one list by
 * insertion order from which expired ids are dropped. A full table is swept
 * for expired ids (only once the clock has passed the earliest expiry it
 * holds); a table full of live ids answers REPLAY_FULL and forgets nothing.
 */
#include "receiver_internal.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

/* What ugw_receiver.h promises per id of capacity: an entry and at most two
 * bucket heads (nbuckets < 2 x capacity). */
_Static_assert(sizeof(replay_entry) + 2 * sizeof(uint32_t) <= UGW_RECEIVER_REPLAY_ENTRY_BYTES,
               "UGW_RECEIVER_REPLAY_ENTRY_BYTES is too small");

/* ------------------------------------------------------------------ */
/* SipHash-2-4 (Aumasson and Bernstein), little-endian input words      */
/* ------------------------------------------------------------------ */

#define ROTL(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))
#define SIPROUND                                                                                   \
    do {                                                                                           \
        v0 += v1; v1 = ROTL(v1, 13); v1 ^= v0; v0 = ROTL(v0, 32);                                  \
        v2 += v3; v3 = ROTL(v3, 16); v3 ^= v2;                                                     \
        v0 += v3; v3 = ROTL(v3, 21); v3 ^= v0;                                                     \
        v2 += v1; v1 = ROTL(v1, 17); v1 ^= v2; v2 = ROTL(v2, 32);                                  \
    } while (0)

static uint64_t le64(const unsigned char *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = (v << 8) | p[i];
    return v;
}

uint64_t replay_siphash(const unsigned char key[16], const void *s, size_t len)
{
    const unsigned char *in = s;
    uint64_t k0 = le64(key), k1 = le64(key + 8);
    uint64_t v0 = k0 ^ UINT64_C(0x736f6d6570736575), v1 = k1 ^ UINT64_C(0x646f72616e646f6d);
    uint64_t v2 = k0 ^ UINT64_C(0x6c7967656e657261), v3 = k1 ^ UINT64_C(0x7465646279746573);
    uint64_t b = (uint64_t)len << 56, m;
    size_t i, end = len - len % 8;

    for (i = 0; i < end; i += 8) {
        m = le64(in + i);
        v3 ^= m;
        SIPROUND;
        SIPROUND;
        v0 ^= m;
    }
    for (size_t j = 0; j < len % 8; j++)
        b |= (uint64_t)in[end + j] << (8 * j);
    v3 ^= b;
    SIPROUND;
    SIPROUND;
    v0 ^= b;
    v2 ^= 0xff;
    SIPROUND;
    SIPROUND;
    SIPROUND;
    SIPROUND;
    return v0 ^ v1 ^ v2 ^ v3;
}

/* ------------------------------------------------------------------ */
/* The table                                                            */
/* ------------------------------------------------------------------ */

static void fingerprint(const replay_window *w, const char *id, size_t len, uint64_t *h1, uint64_t *h2)
{
    *h1 = replay_siphash(w->key, id, len);
    *h2 = replay_siphash(w->key + 16, id, len);
}

static uint32_t *bucket(replay_window *w, uint64_t h1)
{
    return &w->buckets[(size_t)h1 & (w->nbuckets - 1)];
}

static uint32_t find(replay_window *w, uint64_t h1, uint64_t h2)
{
    for (uint32_t i = *bucket(w, h1); i != REPLAY_NIL; i = w->entries[i].chain)
        if (w->entries[i].h1 == h1 && w->entries[i].h2 == h2)
            return i;
    return REPLAY_NIL;
}

/* Takes entry i out of its bucket and the order, onto the free list. */
static void drop(replay_window *w, uint32_t i)
{
    replay_entry *e = &w->entries[i];
    uint32_t *pp = bucket(w, e->h1);
    while (*pp != i)
        pp = &w->entries[*pp].chain;
    *pp = e->chain;
    if (e->prev != REPLAY_NIL)
        w->entries[e->prev].next = e->next;
    else
        w->head = e->next;
    if (e->next != REPLAY_NIL)
        w->entries[e->next].prev = e->prev;
    else
        w->tail = e->prev;
    e->chain = w->free_list;
    w->free_list = i;
    w->count--;
}

/* A free entry for (h1, h2) at the end of the order; REPLAY_NIL when full. */
static uint32_t add(replay_window *w, uint64_t h1, uint64_t h2)
{
    uint32_t i = w->free_list, *b = bucket(w, h1);
    replay_entry *e;
    if (i == REPLAY_NIL)
        return REPLAY_NIL;
    e = &w->entries[i];
    w->free_list = e->chain;
    e->h1 = h1;
    e->h2 = h2;
    e->expiry = 0;
    e->pending = false;
    e->chain = *b;
    *b = i;
    e->next = REPLAY_NIL;
    e->prev = w->tail;
    if (w->tail != REPLAY_NIL)
        w->entries[w->tail].next = i;
    else
        w->head = i;
    w->tail = i;
    w->count++;
    return i;
}

static void remembered_until(replay_window *w, uint32_t i, int64_t expiry)
{
    w->entries[i].pending = false;
    w->entries[i].expiry = expiry;
    if (expiry < w->min_expiry)
        w->min_expiry = expiry;
}

/* Drops expired ids from the old end (ids expire roughly in insertion
 * order; one that lives longer holds those behind it until a sweep). */
static void expire_oldest(replay_window *w, int64_t now)
{
    while (w->head != REPLAY_NIL && !w->entries[w->head].pending && w->entries[w->head].expiry < now) {
        drop(w, w->head);
        w->expired++;
    }
}

/* Drops every expired id, and notes the earliest expiry left. */
static void sweep(replay_window *w, int64_t now)
{
    int64_t min = INT64_MAX;
    if (now <= w->min_expiry)
        return; /* nothing can have expired yet */
    for (uint32_t i = w->head, next; i != REPLAY_NIL; i = next) {
        replay_entry *e = &w->entries[i];
        next = e->next;
        if (e->pending)
            continue;
        if (e->expiry < now) {
            drop(w, i);
            w->expired++;
        } else if (e->expiry < min) {
            min = e->expiry;
        }
    }
    w->min_expiry = min;
}

int replay_claim(replay_window *w, const char *id, size_t len, int64_t now, unsigned *retry_after)
{
    uint64_t h1, h2;
    uint32_t i;

    fingerprint(w, id, len, &h1, &h2);
    expire_oldest(w, now);
    i = find(w, h1, h2);
    if (i != REPLAY_NIL) {
        if (w->entries[i].pending)
            return REPLAY_PENDING;
        if (w->entries[i].expiry >= now)
            return REPLAY_SEEN;
        drop(w, i); /* expired but not yet at the old end: claim it anew */
        w->expired++;
    }
    if (w->count >= w->capacity)
        sweep(w, now);
    if (w->count >= w->capacity) {
        /* Every entry holds a live id (or one being stored): forget none. */
        int64_t wait = w->min_expiry == INT64_MAX ? 1 : w->min_expiry - now + 1;
        *retry_after = wait < 1 ? 1u : wait > 3600 ? 3600u : (unsigned)wait;
        w->window_full++;
        return REPLAY_FULL;
    }
    i = add(w, h1, h2);
    w->entries[i].pending = true;
    return REPLAY_NEW;
}

void replay_settle(replay_window *w, const char *id, size_t len, bool keep, int64_t expiry, int64_t now)
{
    uint64_t h1, h2;
    uint32_t i;
    fingerprint(w, id, len, &h1, &h2);
    i = find(w, h1, h2);
    if (i == REPLAY_NIL || !w->entries[i].pending)
        return;
    if (!keep) {
        drop(w, i);
        return;
    }
    remembered_until(w, i, expiry);
    if (w->fd >= 0)
        replay_file_append(w, id, len, expiry, now);
}

bool replay_load_id(replay_window *w, const char *id, size_t len, int64_t expiry)
{
    uint64_t h1, h2;
    uint32_t i;
    fingerprint(w, id, len, &h1, &h2);
    i = find(w, h1, h2);
    if (i == REPLAY_NIL) {
        i = add(w, h1, h2);
        if (i == REPLAY_NIL)
            return false;
    } else if (w->entries[i].expiry > expiry) {
        expiry = w->entries[i].expiry;
    }
    remembered_until(w, i, expiry);
    return true;
}

bool replay_holds(replay_window *w, const char *id, size_t len, int64_t expiry)
{
    uint64_t h1, h2;
    uint32_t i;
    fingerprint(w, id, len, &h1, &h2);
    i = find(w, h1, h2);
    return i != REPLAY_NIL && !w->entries[i].pending && w->entries[i].expiry == expiry;
}

ugw_status replay_open(replay_window *w, size_t capacity, const char *path, bool sync, int64_t now,
                       ugw_error *err)
{
    memset(w, 0, sizeof *w);
    w->fd = -1;
    w->head = w->tail = w->free_list = REPLAY_NIL;
    w->min_expiry = INT64_MAX;
    w->sync = sync;
    if (capacity == 0 || capacity > UGW_RECEIVER_MAX_REPLAY_CAPACITY)
        return ugw_error_set(err, UGW_ERR_ARG, "replay_capacity must be 1 to 16777216", 0, "replay_capacity");
    w->capacity = capacity;
    w->nbuckets = 16;
    while (w->nbuckets < capacity)
        w->nbuckets *= 2;
    w->entries = calloc(capacity, sizeof *w->entries);
    w->buckets = malloc(w->nbuckets * sizeof *w->buckets);
    if (!w->entries || !w->buckets)
        return ugw_error_set(err, UGW_ERR_NOMEM, "out of memory for the replay window", 0, "");
    memset(w->buckets, 0xff, w->nbuckets * sizeof *w->buckets); /* REPLAY_NIL */
    for (size_t i = capacity; i-- > 0;) {
        w->entries[i].chain = w->free_list;
        w->free_list = (uint32_t)i;
    }
    if (RAND_bytes(w->key, sizeof w->key) != 1)
        return ugw_error_set(err, UGW_ERR_IO, "the random generator failed", 0, "");
    if (!path)
        return UGW_OK;
    w->path = strdup(path);
    w->tmp_path = malloc(strlen(path) + 5);
    w->io = malloc(REPLAY_IO_BUF);
    if (!w->path || !w->tmp_path || !w->io)
        return ugw_error_set(err, UGW_ERR_NOMEM, "out of memory", 0, "");
    memcpy(w->tmp_path, path, strlen(path));
    memcpy(w->tmp_path + strlen(path), ".new", 5);
    return replay_file_open(w, now, err);
}

void replay_close(replay_window *w)
{
    replay_file_close(w);
    free(w->entries);
    free(w->buckets);
    free(w->path);
    free(w->tmp_path);
    free(w->io);
    OPENSSL_cleanse(w->key, sizeof w->key);
    memset(w, 0, sizeof *w);
    w->fd = -1;
}
