/*
 * ugw_dead_letter.c - writing dead letters (docs/DEAD_LETTERS.md,
 * docs/CONTRACT.md §5.3): one JSON Lines record per event that failed for
 * good, appended with one write() on a file opened with O_APPEND, so that
 * lines from several clients or processes never interleave.
 * ugw_dead_letter_reader.c reads them back.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "client_internal.h"

static size_t put(char *out, size_t at, const char *s, size_t n)
{
    memcpy(out + at, s, n);
    return at + n;
}

void ugw__client_dead_letter(ugw_client *c, const job *j)
{
    /* id and event JSON-escaped: up to 6 bytes each (\u00XX) */
    char head[128 + 6 * (UGW_WEBHOOK_ID_MAX + sizeof j->event)], tail[512 + CURL_ERROR_SIZE * 6], ts[32];
    size_t hn, tn = 0, bn, total, at = 0;
    char *line;
    time_t now = time(NULL);
    struct tm tm;
    const bool json = j->format == UGW_FORMAT_JSON;
    if (c->dead_fd < 0)
        return;
    gmtime_r(&now, &tm);
    strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%SZ", &tm);
    /* the id may be the caller's (a replay): escaped like the event */
    hn = (size_t)snprintf(head, sizeof head, "{\"id\":\"");
    hn += ugw_json_escape(head + hn, j->id, strlen(j->id));
    hn += (size_t)snprintf(head + hn, sizeof head - hn, "\",\"event\":\"");
    hn += ugw_json_escape(head + hn, j->event, strlen(j->event));
    hn += (size_t)snprintf(head + hn, sizeof head - hn, "\",\"format\":\"%s\",\"%s\":\"",
                           ugw_format_name(j->format), json ? "body" : "body_base64");
    tn = (size_t)snprintf(tail, sizeof tail,
                          "\",\"last_status\":%ld,\"attempts\":%u,\"result\":\"%s\",\"error\":\"",
                          j->status, j->attempts, ugw_result_name(j->result));
    tn += ugw_json_escape(tail + tn, j->error, strlen(j->error));
    tn += (size_t)snprintf(tail + tn, sizeof tail - tn, "\",\"time\":\"%s\"}\n", ts);
    bn = json ? ugw_json_escaped_len((const char *)j->body, j->len) : ugw_base64_encoded_len(j->len);
    if (bn >= SIZE_MAX - hn - tn) { /* no such body fits in memory, but never wrap */
        fprintf(stderr, "ugw: dead letter for %s not written: body too large\n", j->id);
        return;
    }
    total = hn + bn + tn;
    line = malloc(total + 1);
    if (!line) {
        fprintf(stderr, "ugw: dead letter for %s not written: out of memory\n", j->id);
        return;
    }
    at = put(line, at, head, hn);
    if (json)
        at += ugw_json_escape(line + at, (const char *)j->body, j->len);
    else if (ugw_base64_encode(j->body, j->len, line + at, total + 1 - at, &bn) == UGW_OK)
        at += bn; /* it fits: total counted it */
    at = put(line, at, tail, tn);
    /* One write() per line: O_APPEND keeps lines whole across writers. */
    {
        size_t off = 0;
        while (off < at) {
            ssize_t w = write(c->dead_fd, line + off, at - off);
            if (w < 0 && errno == EINTR)
                continue;
            if (w <= 0) {
                fprintf(stderr, "ugw: dead letter for %s not written: %s\n", j->id, strerror(errno));
                break;
            }
            off += (size_t)w;
        }
    }
    free(line);
}
