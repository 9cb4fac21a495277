/*
 * ugw_lines.h - reading a file or standard input line by line: the JSON
 * Lines inputs of `ugw validate` and `ugw send`, and the lines under the
 * dead-letter reader of ugw_client.h. Part of ugw::runtime (the codec
 * library, pkg-config ugw): reading needs no network library.
 */
#ifndef UGW_LINES_H
#define UGW_LINES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ugw_export.h"
#include "ugw_runtime.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Memory: a reader keeps at most `max` + 1 bytes of input (one line and its
 * '\n', or what ugw_line_reader_fill() gathered); a longer line is cut there,
 * never kept whole (the dead-letter reader of ugw_client.h adds a scratch
 * buffer of about twice the longest line read). Nothing is read past what a
 * call needs, so a pipe that is still being written can be streamed. Hostile
 * input (any bytes, lines of any length, a missing last line end) gives
 * errors, never a crash or an unbounded allocation. A reader is used by one thread at a time.
 */

/** Longest line kept by default (`max` 0): 64 MiB (a 1 MiB body escaped as
 * JSON takes at most 6 MiB). */
#define UGW_LINE_MAX_DEFAULT ((size_t)64 << 20)

/** Where reading an input went wrong. */
typedef struct ugw_read_error {
    ugw_error error;  /**< code and static message; `pos` is the byte offset
                           in the input (the file) of the problem; `path` the
                           record key concerned ("id", "body_base64"), "" for
                           the line or the input as a whole */
    uint64_t line;    /**< 1-based line number, 0 when not about one line */
    int sys_errno;    /**< the errno behind UGW_ERR_IO, else 0 */
} ugw_read_error;

/** A reader of lines from a file or standard input. */
typedef struct ugw_line_reader ugw_line_reader;

/** One line, without its '\n' (a '\r' before it is kept). */
typedef struct ugw_line {
    const char *ptr;    /**< `len` bytes, valid until the next call on the reader */
    size_t len;
    uint64_t number;    /**< 1-based */
    uint64_t offset;    /**< of its first byte in the input */
    bool cut;           /**< longer than `max` bytes: these are its first
                             `max`, and the rest of it is skipped */
    bool unterminated;  /**< the last line of the input, with no '\n' after it */
} ugw_line;

/**
 * Opens `path` for reading ("-" is standard input, which is read but never
 * closed). `max` is the longest line handed out whole (0:
 * UGW_LINE_MAX_DEFAULT; at most SIZE_MAX / 4).
 * Nothing is read yet. Returns NULL with `err` set (may be NULL): UGW_ERR_IO
 * when the file cannot be opened or is a directory (sys_errno says why),
 * UGW_ERR_ARG for a NULL path, UGW_ERR_NOMEM.
 */
UGW_API ugw_line_reader *ugw_line_reader_open(const char *path, size_t max, ugw_read_error *err);

/** Closes the file (not standard input) and frees the reader; NULL is a no-op. */
UGW_API void ugw_line_reader_close(ugw_line_reader *r);

/**
 * The next line in `*line`: returns 1; 0 at the end of the input; -1 with
 * `err` set when reading failed (UGW_ERR_IO; UGW_ERR_NOMEM): no half-read
 * line is returned then. A read interrupted by a signal (a handler installed
 * without SA_RESTART) returns -1 with sys_errno EINTR, so that a program can
 * stop; calling again goes on where it was. Any other failure is final.
 */
UGW_API int ugw_line_reader_next(ugw_line_reader *r, ugw_line *line, ugw_read_error *err);

/**
 * Reads more input into the reader without taking a line (to look ahead with
 * ugw_line_reader_pending(), or to read a whole document): 1 when bytes were
 * added, 0 at the end of the input, -2 when the unread bytes already are
 * `max` + 1 (more than a line may be), -1 on an error as
 * ugw_line_reader_next() has them.
 */
UGW_API int ugw_line_reader_fill(ugw_line_reader *r, ugw_read_error *err);

/** The bytes read and not yet taken as lines (valid until the next call). */
UGW_API ugw_str ugw_line_reader_pending(const ugw_line_reader *r);

#ifdef __cplusplus
}
#endif
#endif /* UGW_LINES_H */
