/*
 * ugw_line_reader.c - lines from a file or standard input, read in chunks
 * with read(2), for the dead-letter reader (ugw_client.h) and the command's
 * JSON Lines inputs (ugw_lines.h). The one place that splits input into
 * lines.
 *
 * The buffer holds buf[beg..end) unread; it grows by doubling from 64 KiB
 * up to `max` + 1 bytes (a line of `max` bytes and its '\n') and never
 * beyond, and is compacted (the unread bytes moved to its start) before it
 * grows. A line longer than `max` is handed out cut to `max` bytes and the
 * rest of it is skipped.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ugw/ugw_lines.h>

#include "../common/ugw_read_error.h"

#define READ_CHUNK ((size_t)64 << 10)

struct ugw_line_reader {
    int fd;
    bool own_fd;        /* not standard input: closed with the reader */
    char *buf;
    size_t size;        /* allocated */
    size_t max;         /* most bytes handed out of one line */
    size_t keep;        /* most bytes kept unread: max + 1 */
    size_t beg, end;    /* unread bytes buf[beg..end) */
    size_t scan;        /* no '\n' in buf[beg..scan): where the search goes on */
    uint64_t base;      /* input offset of buf[0] */
    uint64_t number;    /* of the last line handed out */
    bool eof;
    bool skip;          /* dropping the rest of a cut line */
    ugw_status failed;  /* a final error (UGW_OK when none) */
    int failed_errno;
    const char *failed_msg;
};

ugw_line_reader *ugw_line_reader_open(const char *path, size_t max, ugw_read_error *err)
{
    ugw_line_reader *r;
    struct stat st;

    ugw__read_clear(err);
    if (!path) {
        ugw__read_fail(err, UGW_ERR_ARG, "NULL path", 0, 0, NULL, 0);
        return NULL;
    }
    if (!(r = calloc(1, sizeof *r))) {
        ugw__read_fail(err, UGW_ERR_NOMEM, "out of memory", 0, 0, NULL, ENOMEM);
        return NULL;
    }
    r->max = max ? max : UGW_LINE_MAX_DEFAULT;
    if (r->max > SIZE_MAX / 4) /* callers size scratch space from it */
        r->max = SIZE_MAX / 4;
    r->keep = r->max + 1;
    if (strcmp(path, "-") == 0) {
        r->fd = STDIN_FILENO;
        return r;
    }
    r->fd = open(path, O_RDONLY | O_CLOEXEC);
    if (r->fd < 0) {
        int e = errno ? errno : EIO;
        free(r);
        ugw__read_fail(err, UGW_ERR_IO, "cannot open the file", 0, 0, NULL, e);
        return NULL;
    }
    r->own_fd = true;
    if (fstat(r->fd, &st) == 0 && S_ISDIR(st.st_mode)) {
        ugw_line_reader_close(r);
        ugw__read_fail(err, UGW_ERR_IO, "cannot read a directory", 0, 0, NULL, EISDIR);
        return NULL;
    }
    return r;
}

void ugw_line_reader_close(ugw_line_reader *r)
{
    if (!r)
        return;
    if (r->own_fd)
        close(r->fd);
    free(r->buf);
    free(r);
}

ugw_str ugw_line_reader_pending(const ugw_line_reader *r)
{
    ugw_str s = { "", 0 };
    if (r && r->buf) {
        s.ptr = r->buf + r->beg;
        s.len = r->end - r->beg;
    }
    return s;
}

static int fail_final(ugw_line_reader *r, ugw_read_error *err, ugw_status code, const char *msg, int e)
{
    r->failed = code;
    r->failed_msg = msg;
    r->failed_errno = e;
    return ugw__read_fail(err, code, msg, 0, r->base + r->end, NULL, e);
}

int ugw_line_reader_fill(ugw_line_reader *r, ugw_read_error *err)
{
    ugw__read_clear(err);
    if (!r)
        return ugw__read_fail(err, UGW_ERR_ARG, "NULL reader", 0, 0, NULL, 0);
    if (r->failed)
        return ugw__read_fail(err, r->failed, r->failed_msg, 0, r->base + r->end, NULL, r->failed_errno);
    if (r->eof)
        return 0;
    if (r->end == r->size && r->beg > 0) {
        memmove(r->buf, r->buf + r->beg, r->end - r->beg);
        r->base += r->beg;
        r->end -= r->beg;
        r->scan = r->scan > r->beg ? r->scan - r->beg : 0;
        r->beg = 0;
    }
    if (r->end - r->beg >= r->keep)
        return -2;
    if (r->end == r->size) {
        size_t nsize = !r->size ? READ_CHUNK : r->size > r->keep / 2 ? r->keep : r->size * 2;
        char *nb;
        if (nsize > r->keep)
            nsize = r->keep;
        if (!(nb = realloc(r->buf, nsize)))
            return fail_final(r, err, UGW_ERR_NOMEM, "out of memory", ENOMEM);
        r->buf = nb;
        r->size = nsize;
    }
    for (;;) {
        size_t want = r->size - r->end;
        ssize_t n;
        if (want > r->keep - (r->end - r->beg))
            want = r->keep - (r->end - r->beg);
        n = read(r->fd, r->buf + r->end, want);
        if (n > 0) {
            r->end += (size_t)n;
            return 1;
        }
        if (n == 0) {
            r->eof = true;
            return 0;
        }
        if (errno == EINTR) /* not final: a signal may want the program to stop */
            return ugw__read_fail(err, UGW_ERR_IO, "interrupted", 0, r->base + r->end, NULL, EINTR);
        return fail_final(r, err, UGW_ERR_IO, "cannot read the file", errno ? errno : EIO);
    }
}

/* The next '\n' in buf[beg..end), or NULL; remembers how far it looked. */
static char *find_newline(ugw_line_reader *r)
{
    size_t from = r->scan > r->beg ? r->scan : r->beg;
    char *nl = r->end > from ? memchr(r->buf + from, '\n', r->end - from) : NULL;
    r->scan = nl ? (size_t)(nl - r->buf) : r->end;
    return nl;
}

/* Hands out buf[beg..beg+n) as the next line and takes `skip` bytes more. */
static int take(ugw_line_reader *r, ugw_line *line, size_t n, size_t skip)
{
    line->ptr = r->buf + r->beg;
    line->len = n;
    line->offset = r->base + r->beg;
    line->number = ++r->number;
    r->beg += n + skip;
    return 1;
}

int ugw_line_reader_next(ugw_line_reader *r, ugw_line *line, ugw_read_error *err)
{
    ugw__read_clear(err);
    if (!r || !line)
        return ugw__read_fail(err, UGW_ERR_ARG, "NULL reader or line", 0, 0, NULL, 0);
    memset(line, 0, sizeof *line);
    while (r->skip) {
        char *nl = find_newline(r);
        int m;
        if (nl) {
            r->beg = (size_t)(nl - r->buf) + 1;
            r->skip = false;
            break;
        }
        r->beg = r->end;
        if ((m = ugw_line_reader_fill(r, err)) <= 0)
            return m;
    }
    for (;;) {
        char *nl = find_newline(r);
        int m;
        if (nl)
            return take(r, line, (size_t)(nl - (r->buf + r->beg)), 1);
        m = ugw_line_reader_fill(r, err);
        if (m > 0)
            continue;
        if (m == -1)
            return -1; /* not a half-read line */
        if (m == -2) { /* no '\n' in max + 1 bytes: the first `max` of a long line */
            line->cut = true;
            r->skip = true;
            return take(r, line, r->max, 0);
        }
        if (r->end == r->beg)
            return 0;
        line->unterminated = true; /* the last line, without '\n' */
        return take(r, line, r->end - r->beg, 0);
    }
}
