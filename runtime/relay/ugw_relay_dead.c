/*
 * ugw_relay_dead.c - dead letters out of the dead-letter stream into a
 * dead-letter file (ugw_relay_dead_letters_export()), for `ugw send
 * --replay`. Messages are read one by one by sequence (direct get), so the
 * stream is never changed except by the deletes asked for, each made only
 * after its record is whole in the file.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "relay_internal.h"

ugw_status ugw_relay_dead_letters_export(const ugw_relay_nats *nats, const char *endpoint, int fd, bool remove,
                                         uint64_t *count, uint64_t *skipped, ugw_error *err)
{
    relay_nats n;
    natsConnection *nc;
    jsCtx *js;
    jsStreamInfo *si = NULL;
    jsErrCode jerr = 0;
    char dname[UGW_RELAY_NAME_MAX + 8], subject[RELAY_SUBJECT_MAX];
    uint64_t first, last, copied = 0, bad = 0;
    ugw_status st = UGW_OK;
    natsStatus s;

    ugw_error_clear(err);
    if (count)
        *count = 0;
    if (skipped)
        *skipped = 0;
    if (fd < 0)
        return ugw_error_set(err, UGW_ERR_ARG, "no file to write to", 0, "file");
    if (endpoint && !ugw_relay_name_check(endpoint, strlen(endpoint)))
        return ugw_error_set(err, UGW_ERR_ARG, "an endpoint name is 1 to 64 of A-Z a-z 0-9 _ -", 0, "endpoint");
    st = ugw__relay_nats_copy(nats, &n, err);
    if (st != UGW_OK)
        return st;
    st = ugw__relay_connect(&n, "ugw relay dead-letters", false, &nc, &js, err);
    if (st != UGW_OK) {
        ugw__relay_nats_free(&n);
        return st;
    }
    snprintf(dname, sizeof dname, "%s_DEAD", n.stream);
    if (endpoint)
        ugw__relay_subject(subject, n.dead, endpoint);
    s = js_GetStreamInfo(&si, js, dname, NULL, &jerr);
    if (s != NATS_OK) {
        st = ugw__relay_fail(err, s, jerr == 0 && s == NATS_NOT_FOUND ? JSStreamNotFoundErr : jerr, "stream");
        goto out;
    }
    first = si->State.FirstSeq;
    last = si->State.LastSeq;
    jsStreamInfo_Destroy(si);
    for (uint64_t seq = first; seq && seq <= last; seq++) {
        natsMsg *m = NULL;
        const char *data;
        int len;
        int e = 0;
        jerr = 0;
        s = js_GetMsg(&m, js, dname, seq, NULL, &jerr);
        if (s == NATS_NOT_FOUND || jerr == JSNoMessageFoundErr)
            continue; /* deleted before */
        if (s != NATS_OK) {
            st = ugw__relay_fail(err, s, jerr, "stream");
            break;
        }
        if (endpoint && strcmp(natsMsg_GetSubject(m), subject) != 0) {
            natsMsg_Destroy(m);
            continue;
        }
        data = natsMsg_GetData(m);
        len = natsMsg_GetDataLength(m);
        if (len <= 0 || data[len - 1] == '\n' || memchr(data, '\n', (size_t)len) || memchr(data, 0, (size_t)len)
            || data[0] != '{') {
            bad++;
            natsMsg_Destroy(m);
            continue;
        }
        {
            /* the record and its newline, in one write */
            char *line = malloc((size_t)len + 1);
            if (!line) {
                natsMsg_Destroy(m);
                st = ugw_error_set(err, UGW_ERR_NOMEM, "out of memory", 0, NULL);
                break;
            }
            memcpy(line, data, (size_t)len);
            line[len] = '\n';
            st = ugw_dead_letter_append_line(fd, line, (size_t)len + 1, &e, err);
            free(line);
        }
        natsMsg_Destroy(m);
        if (st != UGW_OK) {
            if (err)
                snprintf(err->path, sizeof err->path, "file");
            errno = e;
            break;
        }
        copied++;
        if (remove && (s = js_DeleteMsg(js, dname, seq, NULL, &jerr)) != NATS_OK) {
            st = ugw__relay_fail(err, s, jerr, "stream");
            break;
        }
    }
out:
    if (count)
        *count = copied;
    if (skipped)
        *skipped = bad;
    ugw__relay_disconnect(nc, js);
    ugw__relay_nats_free(&n);
    return st;
}
