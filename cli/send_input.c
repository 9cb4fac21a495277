/*
 * send_input.c - the events of `ugw send`: each FILE holds one JSON or
 * MessagePack document (the format is detected from its bytes), or JSON
 * Lines - one event a line - when its name ends in .jsonl or .ndjson or its
 * first two non-empty lines both start with '{'. Each event is decoded and
 * validated, re-encoded in --format and queued; invalid ones are reported
 * ("FILE:LINE: PATH: MESSAGE (CODE at byte POS)") and not sent.
 *
 * Input comes through the runtime's line reader (ugw_client.h): a JSON Lines
 * file of any size (or a pipe that is still being written) is streamed one
 * line at a time, and no line or document is kept beyond the decoder's
 * max_input plus one byte (a longer one is handed to the decoder cut there,
 * and it says `limit`).
 */
#define _XOPEN_SOURCE 700 /* realpath */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "send.h"

static bool grow(char **buf, size_t *cap, size_t need)
{
    char *nb;
    if (need <= *cap)
        return true;
    nb = realloc(*buf, need);
    if (!nb)
        return false;
    *buf = nb;
    *cap = need;
    return true;
}

/* 1 + the number of '\n' before `pos`. */
static uint64_t line_of(const char *doc, size_t len, size_t pos)
{
    uint64_t line = 1;
    if (pos > len)
        pos = len;
    for (size_t i = 0; i < pos; i++)
        line += doc[i] == '\n';
    return line;
}

/* Decodes, validates, re-encodes and queues one event: line `line` of a
 * JSON Lines file, or the whole file (`whole_file`: a JSON problem gets the
 * line of its byte position, a MessagePack one no line). Returns false when
 * input should stop. */
static bool send_document(run *r, const char *name, uint64_t line, const char *doc,
                          size_t len, ugw_format fmt, bool whole_file, const char *mark_key,
                          uint64_t mark_value)
{
    ugw_error err;
    size_t need = 0, n = 0;

    if (cli_decode(r->dec, fmt, doc, len, &r->ev, &err) != UGW_OK) {
        char at[48] = "";
        if (whole_file)
            line = fmt == UGW_FORMAT_JSON ? line_of(doc, len, err.pos) : 0;
        if (line)
            snprintf(at, sizeof at, ":%llu", (unsigned long long)line);
        send_count_invalid(r);
        send_say(r, "%s%s: %s: %s (%s at byte %zu)\n", name, at, err.path[0] ? err.path : "-",
                 err.message ? err.message : "error", ugw_status_name(err.code), err.pos);
        return true;
    }
    if (whole_file)
        line = 0;
    if (cli_encode(r->ev.type, r->ev.env, r->ev.payload, r->format, NULL, 0, &need, &err) != UGW_OK
        || !grow(&r->enc, &r->enc_cap, need ? need : 1)
        || cli_encode(r->ev.type, r->ev.env, r->ev.payload, r->format, r->enc, r->enc_cap, &n, &err) != UGW_OK) {
        /* A decoded event always encodes; say so if it ever does not. */
        send_say(r, "%s send: %s: cannot encode the event: %s\n", cli_name(), name,
                 err.message ? err.message : "out of memory");
        r->io_error = true;
        return true;
    }
    return send_enqueue_marked(r, r->enc, n, r->format, cli_wire_name(r->ev.type), NULL, name, line, mark_key,
                               mark_value);
}

/*
 * With --spool: the key under which the spool records how far `path` was
 * read ("input:" and its absolute path), and that offset (0 when the spool
 * has none). The offset goes with each accepted event, in the same commit:
 * a run started again skips the bytes before it. Returns false (after a
 * message) when the input cannot be resumed: it is shorter than the offset
 * recorded, so it is not the input that was read.
 */
static bool input_mark(run *r, const char *path, char **key, uint64_t *done)
{
    char *abs = realpath(path, NULL);
    struct stat st;
    ugw_error err;
    ugw_status s;
    size_t n;
    *key = NULL;
    *done = 0;
    if (!abs || stat(abs, &st) != 0) {
        send_say(r, "%s send: %s: %s\n", cli_name(), path, strerror(errno));
        free(abs);
        return false;
    }
    n = strlen(abs) + sizeof "input:";
    if (!(*key = malloc(n))) {
        free(abs);
        send_say(r, "%s send: out of memory\n", cli_name());
        return false;
    }
    snprintf(*key, n, "input:%s", abs);
    free(abs);
    s = ugw_client_mark_get(r->client, *key, done, &err);
    if (s != UGW_OK && s != UGW_ERR_MISSING) {
        send_say(r, "%s send: %s: the spool's record of this input cannot be read: %s\n", cli_name(), path,
                 err.message);
        return false;
    }
    if (S_ISREG(st.st_mode) && *done > (uint64_t)st.st_size) {
        send_say(r, "%s send: %s: the spool records %llu bytes of it as sent, but it has %lld: not the same "
                 "input (ugw spool purge --marks starts inputs over)\n", cli_name(), path,
                 (unsigned long long)*done, (long long)st.st_size);
        return false;
    }
    return true;
}

static bool has_suffix(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcasecmp(s + n - m, suffix) == 0;
}

/* The reader's next step, going on after a signal that does not stop the
 * run; a signal that does ends the input as if it were its end. */
static int next_line(ugw_line_reader *rd, ugw_line *ln, ugw_read_error *err)
{
    int m;
    while ((m = ugw_line_reader_next(rd, ln, err)) == -1 && err->sys_errno == EINTR)
        if (send_interrupted)
            return 0;
    return m;
}

static int fill(ugw_line_reader *rd, ugw_read_error *err)
{
    int m;
    while ((m = ugw_line_reader_fill(rd, err)) == -1 && err->sys_errno == EINTR)
        if (send_interrupted)
            return 0;
    return m;
}

/*
 * Whether the input is JSON Lines: by name, or because its first two
 * non-empty lines both start with '{' (a lone non-empty line counts too: one
 * event either way). Reads only as far as needed to tell, so that a pipe can
 * be streamed. Otherwise it is one document (JSON or MessagePack). *failed
 * is set after a read error (in `err`).
 */
static bool is_json_lines(ugw_line_reader *rd, const char *path, ugw_read_error *err, bool *failed)
{
    if (has_suffix(path, ".jsonl") || has_suffix(path, ".ndjson"))
        return true;
    for (;;) {
        ugw_str b = ugw_line_reader_pending(rd);
        size_t first = ugw_span(b.ptr, b.len, UGW_WS_JSON);
        int m;
        if (first < b.len) {
            const char *nl;
            if (ugw_detect_format(b.ptr + first, b.len - first) != UGW_FORMAT_JSON || b.ptr[first] != '{')
                return false;
            nl = memchr(b.ptr + first, '\n', b.len - first);
            if (nl) {
                size_t at = (size_t)(nl - b.ptr), second = at + ugw_span(nl, b.len - at, UGW_WS_JSON);
                if (second < b.len)
                    return b.ptr[second] == '{';
            }
        }
        m = fill(rd, err);
        if (m == 0)
            return first < b.len; /* at most one non-empty line; none: one (empty) document */
        if (m < 0) {
            *failed = m == -1; /* an error, or no line end within the limit */
            return false;
        }
    }
}

void send_file(run *r, const char *path)
{
    size_t limit = ugw_decoder_opts(r->dec)->max_input + 1;
    const char *name = send_display_name(path);
    ugw_read_error err;
    ugw_line_reader *rd = ugw_line_reader_open(path, limit, &err);
    bool failed = false;

    uint64_t skip_below = 0; /* --resume-at: lines before this one were handled before */
    char *mark_key = NULL;   /* --spool: this input's mark, and the bytes it says are done */
    uint64_t done = 0, read_to = 0;

    if (r->resume_file) {
        if (strcmp(r->resume_file, path) != 0) {
            ugw_line_reader_close(rd); /* an input before the resume point */
            send_input_file_done(r, path);
            return;
        }
        r->resume_file = NULL;
        skip_below = r->resume_line;
    }
    send_input_at(r, 0);
    if (!rd) {
        send_say(r, "%s send: %s: %s\n", cli_name(), name, strerror(err.sys_errno ? err.sys_errno : EIO));
        r->io_error = true;
        return;
    }
    if (r->spool && !input_mark(r, path, &mark_key, &done)) {
        free(mark_key);
        ugw_line_reader_close(rd);
        r->io_error = true;
        r->stop_input = true;
        return;
    }
    if (done)
        send_say(r, "%s send: %s: skipping its first %llu bytes: the spool has them from an earlier run\n",
                 cli_name(), name, (unsigned long long)done);
    if (is_json_lines(rd, path, &err, &failed)) {
        ugw_line ln;
        int m = 1;
        uint64_t next = skip_below > 1 ? skip_below : 1; /* the first line not yet handled */
        while (!send_interrupted && !r->stop_input && (m = next_line(rd, &ln, &err)) > 0) {
            uint64_t end = ln.offset + ln.len + (ln.unterminated ? 0 : 1);
            read_to = end;
            if (end <= done)
                continue; /* accepted by an earlier run (the spool's mark) */
            if (ln.number < skip_below || ugw_span(ln.ptr, ln.len, UGW_WS_JSON) == ln.len)
                continue; /* before the resume point, or empty: skipped */
            next = ln.number;
            if (!send_document(r, name, ln.number, ln.ptr, ln.len, UGW_FORMAT_JSON, false, mark_key, end)) {
                if (!r->not_taken)
                    next++; /* that line is accounted for (failed, listed) */
                break;
            }
            next = ln.number + 1;
            send_input_at(r, ln.offset + ln.len + 1);
        }
        failed = m < 0;
        /* Stopped before the end: a line refused or not taken, or a signal
         * (which also ends a read with 0). */
        if (m > 0 || (m == 0 && send_interrupted)) {
            r->stop_file = path;
            r->stop_line = next;
        } else if (m == 0 && mark_key && read_to > done) {
            /* The whole input is read: its last lines (empty, invalid)
             * need not be read again either. */
            ugw_error merr;
            if (ugw_client_mark_set(r->client, mark_key, read_to, &merr) != UGW_OK) {
                send_say(r, "%s send: %s: the spool cannot record it as read: %s\n", cli_name(), name,
                         merr.message);
                r->io_error = true;
            }
        }
    } else if (!failed) {
        ugw_str doc;
        int m;
        while ((m = fill(rd, &err)) > 0)
            ;
        failed = m == -1;
        doc = ugw_line_reader_pending(rd);
        if (doc.len > limit)
            doc.len = limit; /* as much as the decoder needs to say `limit` */
        if (!failed && !send_interrupted && skip_below <= 1 && done == 0) {
            if (!send_document(r, name, 1, doc.ptr, doc.len, ugw_detect_format(doc.ptr, doc.len), true, mark_key,
                               doc.len ? doc.len : 1)
                && r->not_taken) {
                r->stop_file = path;
                r->stop_line = 0;
            }
        } else if (!failed && send_interrupted) {
            r->stop_file = path;
            r->stop_line = 0;
        }
    }
    if (failed) {
        send_say(r, "%s send: %s: %s\n", cli_name(), name, strerror(err.sys_errno ? err.sys_errno : EIO));
        r->io_error = true;
    }
    if (!r->stop_file)
        send_input_file_done(r, path);
    free(mark_key);
    ugw_line_reader_close(rd);
}
