/*
 * ugw_receiver_replay_file.c - the replay window's state file
 * (receiver_internal.h), so that the window survives a restart.
 *
 * One record per line, "EXPIRY ID\n" (EXPIRY in Unix seconds, ID a valid
 * webhook-id, so it has no space or line break). At open the live records
 * are loaded and the file is rewritten through a temporary file (0600,
 * renamed over it), which also drops malformed lines and a torn last line;
 * each stored id is then appended with one write(), and a short write is
 * cut back off with ftruncate(), so the file only ever holds whole records.
 * When it holds twice as many records as live ids (and over 4096) it is
 * rewritten again, keeping the records whose id the table still holds with
 * that expiry. Reading and rewriting stream through the buffer allocated at
 * open (w->io): nothing is allocated here.
 */
#include "receiver_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* "EXPIRY ID\n": 19 digits at most, a space, the id, the line end. */
#define RECORD_MAX (19 + 1 + UGW_RECEIVER_ID_MAX + 1)
/* The halves of w->io: lines read, and records to write. */
#define HALF (REPLAY_IO_BUF / 2)

static size_t record(char *out, int64_t expiry, const char *id, size_t len)
{
    size_t n = ugw_fmt_i64(out, expiry);
    out[n++] = ' ';
    memcpy(out + n, id, len);
    n += len;
    out[n++] = '\n';
    return n;
}

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

/* What is done with each live record read. */
typedef struct scan {
    replay_window *w;
    int64_t now;
    int out;        /* rewriting: the temporary file; loading: -1 */
    size_t used;    /* bytes waiting in the write half */
    bool ok, full;  /* writes worked; loading: the table was full */
} scan;

/* One line: loads it, or keeps it in the rewrite. false stops the scan. */
static bool on_line(scan *sc, const char *line, size_t n)
{
    replay_window *w = sc->w;
    const char *id;
    size_t idlen;
    int64_t expiry;

    if (!parse_record(line, n, &expiry, &id, &idlen) || expiry < sc->now)
        return true; /* malformed or expired: dropped */
    if (sc->out < 0) {
        sc->full = !replay_load_id(w, id, idlen, expiry);
        return !sc->full;
    }
    if (!replay_holds(w, id, idlen, expiry))
        return true;
    if (HALF - sc->used < RECORD_MAX) {
        sc->ok = sc->ok && write_all(sc->out, w->io + HALF, sc->used);
        sc->used = 0;
    }
    sc->used += record(w->io + HALF + sc->used, expiry, id, idlen);
    w->records++;
    return sc->ok;
}

/* Feeds each whole line of `fd` to on_line() through the read half of
 * w->io; a line longer than that half is skipped, a last line without '\n'
 * (torn: never completed, never answered 2xx) dropped. -1 on a read error. */
static int scan_lines(scan *sc, int fd)
{
    char *buf = sc->w->io;
    size_t have = 0;
    bool skipping = false;

    for (;;) {
        ssize_t k = read(fd, buf + have, HALF - have);
        size_t at = 0;
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0)
            return -1;
        if (k == 0)
            return 0;
        have += (size_t)k;
        for (;;) {
            size_t l = ugw_cspan(buf + at, have - at, "\n");
            if (at + l == have)
                break;
            if (!skipping && !on_line(sc, buf + at, l))
                return 0;
            skipping = false;
            at += l + 1;
        }
        memmove(buf, buf + at, have - at);
        have -= at;
        if (have == HALF) { /* no line end in a whole half: not a record */
            skipping = true;
            have = 0;
        }
    }
}

/* Rewrites the state file with the live records it holds and opens it for
 * appends. */
static ugw_status rewrite(replay_window *w, int64_t now, ugw_error *err)
{
    scan sc = { w, now, -1, 0, true, false };
    int in = open(w->path, O_RDONLY | O_CLOEXEC), e;
    struct stat st;

    if (in < 0 && errno != ENOENT)
        return ugw_error_set(err, UGW_ERR_IO, "cannot read the replay state file", 0, "");
    sc.out = open(w->tmp_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (sc.out < 0) {
        e = errno;
        if (in >= 0)
            close(in);
        errno = e;
        return ugw_error_set(err, UGW_ERR_IO, "cannot create the replay state file", 0, "");
    }
    w->records = 0;
    if (in >= 0) {
        sc.ok = scan_lines(&sc, in) == 0 && sc.ok;
        e = errno;
        close(in);
        errno = e;
    }
    sc.ok = sc.ok && write_all(sc.out, w->io + HALF, sc.used) && fsync(sc.out) == 0;
    e = errno;
    if (close(sc.out) != 0 && sc.ok) {
        sc.ok = false;
        e = errno;
    }
    if (!sc.ok || rename(w->tmp_path, w->path) != 0) {
        e = sc.ok ? errno : e;
        unlink(w->tmp_path);
        errno = e;
        return ugw_error_set(err, UGW_ERR_IO, "cannot rewrite the replay state file", 0, "");
    }
    if (w->fd >= 0)
        close(w->fd);
    w->fd = open(w->path, O_WRONLY | O_APPEND | O_CLOEXEC);
    if (w->fd < 0)
        return ugw_error_set(err, UGW_ERR_IO, "cannot open the replay state file", 0, "");
    w->size = fstat(w->fd, &st) == 0 ? (uint64_t)st.st_size : 0;
    return UGW_OK;
}

ugw_status replay_file_open(replay_window *w, int64_t now, ugw_error *err)
{
    /* The file holds at most about 2 x capacity live records; refuse one far
     * larger than that could be rather than read it all. */
    uint64_t limit = ((uint64_t)w->capacity * 2 + 8192) * RECORD_MAX;
    scan sc = { w, now, -1, 0, true, false };
    int fd = open(w->path, O_RDONLY | O_CLOEXEC), r, e;
    struct stat st;

    if (fd < 0 && errno != ENOENT)
        return ugw_error_set(err, UGW_ERR_IO, "cannot open the replay state file", 0, "");
    if (fd >= 0) {
        if (fstat(fd, &st) != 0 || (uint64_t)st.st_size > limit || S_ISDIR(st.st_mode)) {
            e = S_ISDIR(st.st_mode) ? EISDIR : errno;
            close(fd);
            errno = e;
            return ugw_error_set(err, UGW_ERR_IO, "the replay state file is larger than its window allows", 0,
                                 "");
        }
        r = scan_lines(&sc, fd);
        e = errno;
        close(fd);
        errno = e;
        if (r < 0)
            return ugw_error_set(err, UGW_ERR_IO, "cannot read the replay state file", 0, "");
        if (sc.full)
            return ugw_error_set(err, UGW_ERR_LIMIT,
                                 "the replay state file holds more live ids than replay_capacity", 0,
                                 "replay_capacity");
    }
    return rewrite(w, now, err);
}

void replay_file_append(replay_window *w, const char *id, size_t len, int64_t expiry, int64_t now)
{
    char line[RECORD_MAX];
    size_t n = record(line, expiry, id, len);
    ssize_t k = write(w->fd, line, n);

    if (k == (ssize_t)n && (!w->sync || fdatasync(w->fd) == 0)) {
        w->size += n;
        w->records++;
    } else {
        /* Never leave a torn record: cut the partial tail off again. */
        if (k > 0 && k < (ssize_t)n && ftruncate(w->fd, (off_t)w->size) != 0)
            (void)0;
        if (k == (ssize_t)n) {
            w->size += n; /* written but not synced: it stays, counted */
            w->records++;
        }
        w->state_errors++;
    }
    if (w->records > 4096 && w->records > 2 * (uint64_t)w->count && rewrite(w, now, NULL) != UGW_OK)
        w->state_errors++;
}

void replay_file_close(replay_window *w)
{
    if (w->fd >= 0)
        close(w->fd);
    w->fd = -1;
}
