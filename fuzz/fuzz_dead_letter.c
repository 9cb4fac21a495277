/*
 * fuzz_dead_letter.c - libFuzzer target for the dead-letter reader
 * (ugw_dead_letter_open/next/close) on any file contents. Oracle: every
 * error has a code from the reader's list, a static message, a line number
 * within the file and a byte offset within it; every record has a valid
 * webhook-id, a known format, pointers inside the reader, and written back
 * with ugw_dead_letter_write() reads back the same.
 */
#define _GNU_SOURCE /* memfd_create */
#include <sys/mman.h>
#include <unistd.h>

#include <ugw/ugw_client.h>

#include "fuzz_parsers.h"

static int mem_file(const uint8_t *data, size_t size, char *path, size_t cap)
{
    int fd = memfd_create("ugw_fuzz_dl", 0);
    size_t off = 0;
    if (fd < 0)
        abort();
    while (off < size) {
        ssize_t w = write(fd, data + off, size - off);
        if (w <= 0)
            abort();
        off += (size_t)w;
    }
    snprintf(path, cap, "/proc/self/fd/%d", fd);
    return fd;
}

static void check_round_trip(const ugw_dead_letter *rec)
{
    char path[64];
    int fd = mem_file(NULL, 0, path, sizeof path), e = 0;
    ugw_read_error rerr;
    ugw_dead_letter back;
    ugw_dead_letter_reader *r;
    ugw_status st = ugw_dead_letter_write(fd, rec, &e, NULL);
    if (st == UGW_ERR_ARG) { /* an event string too long to write: fine */
        close(fd);
        return;
    }
    PCHECK(st == UGW_OK, "write");
    r = ugw_dead_letter_open(path, 0, &rerr);
    PCHECK(r != NULL, "open written file");
    PCHECK(ugw_dead_letter_next(r, &back, &rerr) == 1, "read back");
    PCHECK(strcmp(back.id, rec->id) == 0, "id");
    PCHECK(strcmp(back.event, rec->event) == 0, "event");
    PCHECK(back.format == rec->format, "format");
    PCHECK(back.body_len == rec->body_len && (!rec->body_len || memcmp(back.body, rec->body, rec->body_len) == 0),
           "body");
    PCHECK(ugw_dead_letter_next(r, &back, &rerr) == 0, "one record");
    ugw_dead_letter_close(r);
    close(fd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[64];
    int fd = mem_file(data, size, path, sizeof path), m;
    ugw_read_error err;
    ugw_dead_letter rec;
    ugw_dead_letter_reader *r = ugw_dead_letter_open(path, 4096, &err);
    uint64_t last_line = 0;

    PCHECK(r != NULL, "open");
    while ((m = ugw_dead_letter_next(r, &rec, &err)) != 0) {
        if (m < 0) {
            PCHECK(err.error.code != UGW_OK && err.error.message != NULL, "error value");
            PCHECK(err.error.code != UGW_ERR_IO, "no I/O error on a memory file");
            if (err.error.code == UGW_ERR_NOMEM)
                break;
            PCHECK(err.error.pos <= size, "offset within the file");
            PCHECK(err.line >= 1 && err.line > last_line, "line numbers grow");
            last_line = err.line;
            continue;
        }
        PCHECK(m == 1, "result");
        PCHECK(rec.line > last_line && rec.offset < size, "record position");
        last_line = rec.line;
        PCHECK(ugw_webhook_id_check(rec.id, strlen(rec.id), NULL) == UGW_OK, "valid id");
        PCHECK(rec.format == UGW_FORMAT_JSON || rec.format == UGW_FORMAT_MSGPACK, "format");
        PCHECK(rec.body != NULL || rec.body_len == 0, "body");
        check_round_trip(&rec);
    }
    ugw_dead_letter_close(r);
    close(fd);
    return 0;
}
