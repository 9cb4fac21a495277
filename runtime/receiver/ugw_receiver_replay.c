/*
 * ugw_receiver_replay.c - the replay window (receiver_internal.h): a chained
 * hash table under SipHash-2-4 with a random key, a list in insertion order
 * from which expired ids are dropped, and the optional state file.
 *
 * State file: one record per line, "EXPIRY ID\n" (EXPIRY in Unix seconds,
 * ID a valid webhook-id, so it has no space or line break). At open the
 * live records are loaded and the file is rewritten through a temporary
 * file (0600, renamed over it), which also drops a torn last line; each
 * stored id is then appended with one write(), and a short write is cut
 * back off with ftruncate(), so the file only ever holds whole records. When
 * it holds twice as many records as live ids (and at least 4096) it is
 * rewritten again.
 */
#include "receiver_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

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

static bool grow(replay_window *w)
{
    size_t n = w->nbuckets ? w->nbuckets * 2 : 1024;
    replay_node **b = calloc(n, sizeof *b);
    if (!b)
        return false;
    for (replay_node *e = w->head; e; e = e->next) {
        size_t j = (size_t)e->hash & (n - 1);
        e->chain = b[j];
        b[j] = e;
    }
    free(w->buckets);
    w->buckets = b;
    w->nbuckets = n;
    return true;
}

static replay_node *find(replay_window *w, uint64_t h, const char *id, size_t len)
{
    if (!w->nbuckets)
        return NULL;
    for (replay_node *e = w->buckets[(size_t)h & (w->nbuckets - 1)]; e; e = e->chain)
        if (e->hash == h && e->len == len && memcmp(e->id, id, len) == 0)
            return e;
    return NULL;
}

static void unlink_node(replay_window *w, replay_node *e)
{
    replay_node **pp = &w->buckets[(size_t)e->hash & (w->nbuckets - 1)];
    while (*pp != e)
        pp = &(*pp)->chain;
    *pp = e->chain;
    if (e->prev)
        e->prev->next = e->next;
    else
        w->head = e->next;
    if (e->next)
        e->next->prev = e->prev;
    else
        w->tail = e->prev;
    w->count--;
    free(e);
}

/* Drops expired ids from the old end (ids expire roughly in insertion
 * order; one that lives longer holds those behind it at most 2 x the
 * tolerance, and a lookup ignores expired ids anyway). */
static void expire(replay_window *w, int64_t now)
{
    while (w->head && !w->head->pending && w->head->expiry < now)
        unlink_node(w, w->head);
}

static replay_node *add(replay_window *w, const char *id, size_t len, uint64_t h)
{
    replay_node *e;
    if (w->count >= w->nbuckets && !grow(w))
        return NULL;
    e = malloc(sizeof *e + len);
    if (!e)
        return NULL;
    e->hash = h;
    e->len = (uint16_t)len;
    memcpy(e->id, id, len);
    e->pending = false;
    e->expiry = 0;
    e->next = NULL;
    e->prev = w->tail;
    if (w->tail)
        w->tail->next = e;
    else
        w->head = e;
    w->tail = e;
    e->chain = w->buckets[(size_t)h & (w->nbuckets - 1)];
    w->buckets[(size_t)h & (w->nbuckets - 1)] = e;
    w->count++;
    return e;
}

int replay_claim(replay_window *w, const char *id, size_t len, int64_t now, bool evict,
                 unsigned *retry_after)
{
    uint64_t h = replay_siphash(w->key, id, len);
    replay_node *e;

    expire(w, now);
    e = find(w, h, id, len);
    if (e && e->pending)
        return REPLAY_PENDING;
    if (e && e->expiry >= now)
        return REPLAY_SEEN;
    if (e) /* expired but not yet at the old end: claim it anew */
        unlink_node(w, e);
    if (w->count >= w->max) {
        replay_node *old = w->head;
        while (old && old->pending)
            old = old->next;
        if (!evict || !old) {
            int64_t wait = old ? old->expiry - now + 1 : 1;
            *retry_after = wait < 1 ? 1u : wait > 3600 ? 3600u : (unsigned)wait;
            w->window_full++;
            return REPLAY_FULL;
        }
        unlink_node(w, old);
        w->evicted++;
    }
    e = add(w, id, len, h);
    if (!e)
        return REPLAY_NOMEM;
    e->pending = true;
    return REPLAY_NEW;
}

/* ------------------------------------------------------------------ */
/* The state file                                                       */
/* ------------------------------------------------------------------ */

/* "EXPIRY ID\n" into out (room for 21 + 1 + UGW_RECEIVER_ID_MAX + 1). */
static size_t record(char *out, int64_t expiry, const char *id, size_t len)
{
    size_t n = ugw_fmt_i64(out, expiry);
    out[n++] = ' ';
    memcpy(out + n, id, len);
    n += len;
    out[n++] = '\n';
    return n;
}

#define RECORD_MAX (21 + 1 + UGW_RECEIVER_ID_MAX + 1)

/* Writes all of buf, retrying on EINTR; false on failure. */
static bool write_all(int fd, const char *buf, size_t n)
{
    while (n) {
        ssize_t k = write(fd, buf, n);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return false;
        buf += k;
        n -= (size_t)k;
    }
    return true;
}

/* Rewrites the state file with the live ids and opens it for appends. */
static ugw_status rewrite(replay_window *w, ugw_error *err)
{
    size_t plen = strlen(w->path);
    char *tmp = malloc(plen + 5);
    char *buf;
    size_t cap = 64 * RECORD_MAX, used = 0;
    int fd;
    bool ok = true;

    if (!tmp)
        return ugw_error_set(err, UGW_ERR_NOMEM, "out of memory", 0, "");
    memcpy(tmp, w->path, plen);
    memcpy(tmp + plen, ".new", 5);
    fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    buf = malloc(cap);
    if (fd < 0 || !buf) {
        int e = errno;
        if (fd >= 0)
            close(fd);
        free(tmp);
        free(buf);
        errno = e;
        return ugw_error_set(err, buf ? UGW_ERR_IO : UGW_ERR_NOMEM,
                             buf ? "cannot create the replay state file" : "out of memory", 0, "");
    }
    w->records = 0;
    for (replay_node *e = w->head; e && ok; e = e->next) {
        if (e->pending)
            continue;
        if (cap - used < RECORD_MAX) {
            ok = write_all(fd, buf, used);
            used = 0;
        }
        used += record(buf + used, e->expiry, e->id, e->len);
        w->records++;
    }
    ok = ok && write_all(fd, buf, used) && fsync(fd) == 0;
    free(buf);
    if (close(fd) != 0)
        ok = false;
    if (!ok || rename(tmp, w->path) != 0) {
        int e = errno;
        unlink(tmp);
        free(tmp);
        errno = e;
        return ugw_error_set(err, UGW_ERR_IO, "cannot rewrite the replay state file", 0, "");
    }
    free(tmp);
    if (w->fd >= 0)
        close(w->fd);
    w->fd = open(w->path, O_WRONLY | O_APPEND | O_CLOEXEC);
    if (w->fd < 0)
        return ugw_error_set(err, UGW_ERR_IO, "cannot open the replay state file", 0, "");
    {
        struct stat st;
        w->size = fstat(w->fd, &st) == 0 ? (uint64_t)st.st_size : 0;
    }
    return UGW_OK;
}

/* Parses one record line (without its '\n'); false when malformed. */
static bool parse_record(const char *s, size_t n, int64_t *expiry, const char **id, size_t *idlen)
{
    size_t d = ugw_cspan(s, n, " ");
    uint64_t v;
    if (d == n || d > 19 || !ugw_parse_u64(s, d, &v) || v > (uint64_t)INT64_MAX)
        return false;
    *expiry = (int64_t)v;
    *id = s + d + 1;
    *idlen = n - d - 1;
    return ugw_webhook_id_check(*id, *idlen, NULL) == UGW_OK;
}

/* Loads the live records of the state file (a missing file is empty). */
static ugw_status load(replay_window *w, int64_t now, ugw_error *err)
{
    /* The file holds at most about 2 x max live records; refuse one far
     * larger than that could be rather than read it whole. */
    uint64_t limit = ((uint64_t)w->max * 2 + 8192) * RECORD_MAX;
    int fd = open(w->path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    char *data;
    size_t n = 0, at = 0;

    if (fd < 0)
        return errno == ENOENT ? UGW_OK
                               : ugw_error_set(err, UGW_ERR_IO, "cannot open the replay state file", 0, "");
    if (fstat(fd, &st) != 0 || (uint64_t)st.st_size > limit) {
        close(fd);
        return ugw_error_set(err, UGW_ERR_IO, "the replay state file is larger than its window allows", 0, "");
    }
    data = malloc((size_t)st.st_size + 1);
    if (!data) {
        close(fd);
        return ugw_error_set(err, UGW_ERR_NOMEM, "out of memory", 0, "");
    }
    while (n < (size_t)st.st_size) {
        ssize_t k = read(fd, data + n, (size_t)st.st_size - n);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            break;
        n += (size_t)k;
    }
    close(fd);
    while (at < n) {
        const char *line = data + at, *id;
        size_t len = ugw_cspan(line, n - at, "\n"), idlen;
        int64_t expiry;
        if (len == n - at)
            break; /* a torn last record: never completed, never answered 2xx */
        at += len + 1;
        if (!parse_record(line, len, &expiry, &id, &idlen) || expiry < now)
            continue;
        uint64_t h = replay_siphash(w->key, id, idlen);
        replay_node *e = find(w, h, id, idlen);
        if (!e) {
            if (w->count >= w->max)
                unlink_node(w, w->head);
            e = add(w, id, idlen, h);
            if (!e) {
                free(data);
                return ugw_error_set(err, UGW_ERR_NOMEM, "out of memory", 0, "");
            }
        }
        e->expiry = expiry > e->expiry ? expiry : e->expiry;
    }
    free(data);
    return UGW_OK;
}

ugw_status replay_open(replay_window *w, size_t max, const char *path, bool sync, int64_t now,
                       ugw_error *err)
{
    ugw_status st;
    memset(w, 0, sizeof *w);
    w->fd = -1;
    w->max = max;
    w->sync = sync;
    if (RAND_bytes(w->key, sizeof w->key) != 1)
        return ugw_error_set(err, UGW_ERR_IO, "the random generator failed", 0, "");
    if (!path)
        return UGW_OK;
    w->path = strdup(path);
    if (!w->path)
        return ugw_error_set(err, UGW_ERR_NOMEM, "out of memory", 0, "");
    st = load(w, now, err);
    if (st == UGW_OK)
        st = rewrite(w, err);
    return st;
}

static void append(replay_window *w, const replay_node *e)
{
    char line[RECORD_MAX];
    size_t n = record(line, e->expiry, e->id, e->len);
    ssize_t k = write(w->fd, line, n);

    if (k == (ssize_t)n && (!w->sync || fdatasync(w->fd) == 0)) {
        w->size += n;
        w->records++;
    } else {
        /* Never leave a torn record: cut the partial tail off again. */
        if (k > 0 && ftruncate(w->fd, (off_t)w->size) != 0)
            (void)0;
        if (k == (ssize_t)n) {
            w->size += n; /* written but not synced: it stays, counted */
            w->records++;
        }
        w->state_errors++;
    }
    if (w->records > 4096 && w->records > 2 * w->count) {
        ugw_error err;
        if (rewrite(w, &err) != UGW_OK)
            w->state_errors++;
    }
}

void replay_settle(replay_window *w, const char *id, size_t len, bool keep, int64_t expiry)
{
    replay_node *e = find(w, replay_siphash(w->key, id, len), id, len);
    if (!e || !e->pending)
        return;
    if (!keep) {
        unlink_node(w, e);
        return;
    }
    e->pending = false;
    e->expiry = expiry;
    if (w->fd >= 0)
        append(w, e);
}

void replay_close(replay_window *w)
{
    replay_node *e = w->head;
    while (e) {
        replay_node *next = e->next;
        free(e);
        e = next;
    }
    free(w->buckets);
    if (w->fd >= 0)
        close(w->fd);
    free(w->path);
    OPENSSL_cleanse(w->key, sizeof w->key);
    memset(w, 0, sizeof *w);
    w->fd = -1;
}
