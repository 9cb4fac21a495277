/*
 * ugw_dead_letter.c - writing dead letters (docs/DEAD_LETTERS.md,
 * docs/CONTRACT.md §5.3): one JSON Lines record per event that failed for
 * good, appended with one write() on a file opened with O_APPEND, so that
 * lines from several clients or processes never interleave. A write that
 * stops short (a full disk, a file size limit) has its partial tail cut off
 * again, so the file never holds a torn record; the failure goes back to the
 * caller (the outcome's dead_letter_errno, the client's counters), never to
 * stderr. ugw_dead_letter_reader.c reads them back.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "client_internal.h"

int ugw_dead_letter_append_open(const char *path, int *sys_errno)
{
    int fd;
    if (sys_errno)
        *sys_errno = 0;
    if (!path) {
        if (sys_errno)
            *sys_errno = EINVAL;
        return -1;
    }
    /* 0600: the file holds payloads */
    fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd < 0 && sys_errno)
        *sys_errno = errno;
    return fd;
}

static size_t put(char *out, size_t at, const char *s, size_t n)
{
    memcpy(out + at, s, n);
    return at + n;
}

/* Appends `n` bytes with one write() (more only if the kernel takes part of
 * them); on failure cuts what was written off the end again. */
static ugw_status append_whole(int fd, const char *line, size_t n, int *sys_errno, ugw_error *err)
{
    size_t off = 0;
    while (off < n) {
        ssize_t w = write(fd, line + off, n - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            int e = w < 0 ? errno : ENOSPC;
            struct stat st;
            /* Our partial record is at the end (O_APPEND): cut it off. */
            if (off > 0 && fstat(fd, &st) == 0 && (uint64_t)st.st_size >= off)
                (void)!ftruncate(fd, st.st_size - (off_t)off);
            if (sys_errno)
                *sys_errno = e;
            return ugw_error_set(err, UGW_ERR_IO, off ? "the dead letter was written only in part (removed again)"
                                                      : "the dead letter could not be written", 0, NULL);
        }
        off += (size_t)w;
    }
    return UGW_OK;
}

/* Sets `err` and returns NULL, for ugw_dead_letter_format(). */
static char *format_fail(ugw_error *err, ugw_status code, const char *message, const char *path)
{
    ugw_error_set(err, code, message, 0, path);
    return NULL;
}

char *ugw_dead_letter_format(const ugw_dead_letter *rec, size_t *len_out, ugw_error *err)
{
    /* id and event JSON-escaped: up to 6 bytes each (\u00XX) */
    char head[128 + 6 * UGW_WEBHOOK_ID_MAX + 6 * 256], tail[512 + 6 * CURL_ERROR_SIZE], ts[32];
    size_t hn, tn, bn, total, at = 0, idn, evn, ern, rsn;
    char *line;
    const bool json = rec && rec->format == UGW_FORMAT_JSON;
    ugw_error_clear(err);
    if (len_out)
        *len_out = 0;
    if (!len_out || !rec || !rec->id || (!rec->body && rec->body_len)
        || (rec->format != UGW_FORMAT_JSON && rec->format != UGW_FORMAT_MSGPACK))
        return format_fail(err, UGW_ERR_ARG, "bad record, length, id, body or format", NULL);
    idn = strnlen(rec->id, UGW_WEBHOOK_ID_MAX);
    if (ugw_webhook_id_check(rec->id, idn, NULL) != UGW_OK)
        return format_fail(err, UGW_ERR_ARG, "the id is not a valid webhook-id", "id");
    evn = rec->event ? strnlen(rec->event, 256) : 0;
    ern = rec->error ? strnlen(rec->error, CURL_ERROR_SIZE) : 0;
    rsn = rec->result ? strnlen(rec->result, 32) : 0;
    if (evn == 256 || ern == CURL_ERROR_SIZE || rsn == 32)
        return format_fail(err, UGW_ERR_ARG, "event, error or result too long", NULL);
    if (rec->time && rec->time[0]) {
        snprintf(ts, sizeof ts, "%.31s", rec->time);
    } else {
        time_t now = time(NULL);
        struct tm tm;
        gmtime_r(&now, &tm);
        strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%SZ", &tm);
    }
    hn = (size_t)snprintf(head, sizeof head, "{\"id\":\"");
    hn += ugw_json_escape(head + hn, rec->id, idn);
    hn += (size_t)snprintf(head + hn, sizeof head - hn, "\",\"event\":\"");
    hn += ugw_json_escape(head + hn, rec->event ? rec->event : "", evn);
    hn += (size_t)snprintf(head + hn, sizeof head - hn, "\",\"format\":\"%s\",\"%s\":\"",
                           ugw_format_name(rec->format), json ? "body" : "body_base64");
    tn = (size_t)snprintf(tail, sizeof tail, "\",\"last_status\":%ld,\"attempts\":%ld,\"result\":\"",
                          rec->last_status < 0 ? 0 : rec->last_status, rec->attempts < 0 ? 0 : rec->attempts);
    tn += ugw_json_escape(tail + tn, rec->result ? rec->result : "", rsn);
    tn += (size_t)snprintf(tail + tn, sizeof tail - tn, "\",\"error\":\"");
    tn += ugw_json_escape(tail + tn, rec->error ? rec->error : "", ern);
    tn += (size_t)snprintf(tail + tn, sizeof tail - tn, "\",\"time\":\"");
    tn += ugw_json_escape(tail + tn, ts, strlen(ts));
    tn += (size_t)snprintf(tail + tn, sizeof tail - tn, "\"}\n");
    bn = json ? ugw_json_escaped_len((const char *)rec->body, rec->body_len) : ugw_base64_encoded_len(rec->body_len);
    if (bn >= SIZE_MAX - hn - tn) /* no such body fits in memory, but never wrap */
        return format_fail(err, UGW_ERR_NOMEM, "the dead letter would be too large", NULL);
    total = hn + bn + tn;
    line = malloc(total + 1); /* + the NUL */
    if (!line)
        return format_fail(err, UGW_ERR_NOMEM, "out of memory for the dead letter", NULL);
    at = put(line, at, head, hn);
    if (json)
        at += ugw_json_escape(line + at, (const char *)rec->body, rec->body_len);
    else if (ugw_base64_encode(rec->body, rec->body_len, line + at, total + 1 - at, &bn) == UGW_OK)
        at += bn; /* it fits: total counted it */
    at = put(line, at, tail, tn);
    line[at] = 0;
    *len_out = at;
    return line;
}

ugw_status ugw_dead_letter_write(int fd, const ugw_dead_letter *rec, int *sys_errno, ugw_error *err)
{
    size_t n;
    char *line;
    ugw_status st;
    ugw_error e;

    ugw_error_clear(err);
    if (sys_errno)
        *sys_errno = 0;
    if (fd < 0)
        return ugw_error_set(err, UGW_ERR_ARG, "bad file descriptor, record, id, body or format", 0, NULL);
    line = ugw_dead_letter_format(rec, &n, &e);
    if (!line) {
        if (sys_errno && e.code == UGW_ERR_NOMEM)
            *sys_errno = ENOMEM;
        if (err)
            *err = e;
        return e.code;
    }
    st = append_whole(fd, line, n, sys_errno, err);
    free(line);
    return st;
}

ugw_status ugw_dead_letter_append_line(int fd, const char *line, size_t len, int *sys_errno, ugw_error *err)
{
    ugw_error_clear(err);
    if (sys_errno)
        *sys_errno = 0;
    if (fd < 0 || !line || len == 0 || line[len - 1] != '\n' || memchr(line, '\n', len - 1))
        return ugw_error_set(err, UGW_ERR_ARG, "bad file descriptor, or not one line ending in a newline", 0,
                             NULL);
    return append_whole(fd, line, len, sys_errno, err);
}

int ugw__client_dead_letter(ugw_client *c, const job *j)
{
    ugw_dead_letter rec;
    int e = 0;
    if (c->dead_fd < 0)
        return 0;
    memset(&rec, 0, sizeof rec);
    rec.id = j->id;
    rec.event = j->event;
    rec.format = j->format;
    rec.body = j->body;
    rec.body_len = j->len;
    rec.last_status = j->status;
    rec.attempts = (long)j->attempts;
    rec.result = ugw_result_name(j->result);
    rec.error = j->error;
    if (ugw_dead_letter_write(c->dead_fd, &rec, &e, NULL) == UGW_OK)
        return 0;
    return e ? e : EIO;
}
