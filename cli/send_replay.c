/*
 * send_replay.c - `ugw send --replay FILE`: the records of a dead-letter file
 * (docs/DEAD_LETTERS.md), read by the runtime's reader (ugw_client.h), are
 * sent again byte for byte, in their recorded format, with their original
 * webhook-ids. A malformed line is reported with its line, byte position and
 * reason, and counted as invalid; the lines after it are still sent.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "send.h"

void send_replay(run *r, const char *path)
{
    const char *name = send_display_name(path);
    ugw_read_error err;
    ugw_dead_letter rec;
    ugw_dead_letter_reader *dl = ugw_dead_letter_open(path, 0, &err);

    uint64_t next = r->resume_line > 1 ? r->resume_line : 1; /* first line not yet handled */
    int m = 1;

    if (!dl) {
        send_say(r, "%s send: %s: %s\n", cli_name(), name, strerror(err.sys_errno ? err.sys_errno : EIO));
        r->io_error = true;
        return;
    }
    while (!send_interrupted && !r->stop_input) {
        m = ugw_dead_letter_next(dl, &rec, &err);
        if (m == 0)
            break;
        if (m == 1) {
            if (rec.line < r->resume_line)
                continue; /* before the resume point (--resume-at) */
            next = rec.line;
            if (!send_enqueue(r, rec.body, rec.body_len, rec.format, rec.event, rec.id, name, rec.line)) {
                if (!r->not_taken)
                    next++;
                break;
            }
            next = rec.line + 1;
            send_input_at(r, rec.offset);
            continue;
        }
        if (err.line && err.line < r->resume_line)
            continue;
        if (err.error.code == UGW_ERR_IO && err.sys_errno == EINTR)
            continue; /* the loop stops if the signal stops the run */
        if (err.error.code == UGW_ERR_IO || err.error.code == UGW_ERR_NOMEM) {
            send_say(r, "%s send: %s: %s\n", cli_name(), name,
                     err.error.code == UGW_ERR_NOMEM ? "out of memory"
                                                     : strerror(err.sys_errno ? err.sys_errno : EIO));
            r->io_error = true;
            break;
        }
        send_count_invalid(r);
        send_say(r, "%s:%llu: malformed dead-letter line: %s (%s at byte %zu%s%s%s)\n", name,
                 (unsigned long long)err.line, err.error.message, ugw_status_name(err.error.code),
                 err.error.pos, err.error.path[0] ? ", key \"" : "", err.error.path,
                 err.error.path[0] ? "\"" : "");
    }
    if (m != 0 && !r->io_error) {
        r->stop_file = path;
        r->stop_line = next;
    }
    ugw_dead_letter_close(dl);
}
