/*
 * serve_line.c - the line the receiver writes for a valid event
 * (serve_internal.h; the formats are described in serve.h), for an event of
 * any schema: its descriptor gives the schema id, the wire name and the
 * "userId" field, ugw_schema_encode_env() the JSON body with the envelope
 * fields the sender sent (none for a schema without them: the bytes of
 * ugw_schema_encode()). And writing it whole.
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include <ugw/ugw_runtime.h>

#include "serve_internal.h"

char *json_escaped(const char *s, size_t len)
{
    size_t n = ugw_json_escaped_len(s, len);
    char *out = malloc(n + 1);
    if (!out)
        return NULL;
    n = ugw_json_escape(out, s, len);
    out[n] = '\0';
    return out;
}

bool server_user_id(const ugw_event_desc *d, const void *payload, ugw_str *out)
{
    for (unsigned i = 0; i < d->nfields; i++) {
        const ugw_field_desc *f = &d->fields[i];
        if (f->type == UGW_TYPE_STRING && strcmp(f->name, "userId") == 0) {
            memcpy(out, (const char *)payload + f->offset, sizeof *out);
            if (!out->ptr) {
                out->ptr = "";
                out->len = 0;
            }
            return true;
        }
    }
    return false;
}

/* "2024-06-02T10:00:00.123Z" */
static void iso_now(char out[32])
{
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    strftime(out, 24, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out + strlen(out), 8, ".%03dZ", (int)(ts.tv_nsec / 1000000));
}

char *event_line(const ugw_schema *schema, server_output output, const char *id, bool verified,
                 ugw_format fmt, int type, const void *env, const void *payload)
{
    const ugw_event_desc *d = ugw_schema_event(schema, type);
    char *line = NULL;
    if (!d)
        return NULL;
    if (output == SERVER_OUTPUT_TEXT) {
        ugw_str uid;
        bool has_uid = server_user_id(d, payload, &uid);
        char *u = has_uid ? json_escaped(uid.ptr, uid.len) : NULL;
        size_t n;
        if (has_uid && !u)
            return NULL;
        n = strlen(id ? id : "-") + strlen(d->id) + (u ? strlen(u) : 0) + 40;
        line = malloc(n);
        if (line)
            snprintf(line, n, "%s %s %s %s%s%s\n", id ? id : "-", d->id,
                     verified ? "verified" : "unsigned", ugw_format_name(fmt), u ? " " : "",
                     u ? u : "");
        free(u);
    } else {
        char when[32];
        size_t need = 0, blen = 0, n, off;
        char *w = json_escaped(d->wire, strlen(d->wire));
        char *qid = id ? json_escaped(id, strlen(id)) : NULL; /* '"' and '\\' may be in an id */
        ugw_error err;
        if (!w || (id && !qid)
            || ugw_schema_encode_env(schema, type, env, payload, UGW_FORMAT_JSON, NULL, 0, &need, &err)
                   != UGW_OK) {
            free(w);
            free(qid);
            return NULL;
        }
        iso_now(when);
        n = 128 + (qid ? strlen(qid) : 0) + strlen(w) + strlen(when) + need;
        line = malloc(n);
        if (line) {
            int k = snprintf(line, n, "{\"id\":%s%s%s,\"event\":\"%s\",\"format\":\"%s\",\"verified\":%s,"
                             "\"received\":\"%s\",\"body\":",
                             qid ? "\"" : "", qid ? qid : "null", qid ? "\"" : "", w,
                             ugw_format_name(fmt), verified ? "true" : "false", when);
            off = (size_t)k;
            if (k < 0 || off + need + 3 > n
                || ugw_schema_encode_env(schema, type, env, payload, UGW_FORMAT_JSON, line + off, n - off,
                                         &blen, &err) != UGW_OK) {
                free(line);
                line = NULL;
            } else {
                off += blen;
                line[off++] = '}';
                line[off++] = '\n';
                line[off] = '\0';
            }
        }
        free(w);
        free(qid);
    }
    return line;
}

bool write_record(int fd, const char *rec, size_t n, bool sync)
{
    struct stat st;
    off_t start = -1;
    size_t done = 0;
    int e;

    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
        start = lseek(fd, 0, SEEK_END); /* where this record starts (O_APPEND) */
    while (done < n) {
        ssize_t k = write(fd, rec + done, n - done);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            break;
        done += (size_t)k;
    }
    if (done == n && (!sync || fdatasync(fd) == 0 || errno == EINVAL || errno == EROFS))
        return true;
    e = done == n ? errno : (errno ? errno : EIO);
    /* Never leave a torn record: cut the partial (or unsynced) tail off. */
    if (start >= 0 && ftruncate(fd, start) != 0)
        e = errno;
    errno = e;
    return false;
}
