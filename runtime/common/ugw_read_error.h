/*
 * ugw_read_error.h - filling a ugw_read_error (ugw_lines.h), for the line
 * reader (ugw::runtime) and the dead-letter reader (ugw::client), which live
 * in different libraries: inline here, so that neither exports it. Not
 * installed.
 */
#ifndef UGW_READ_ERROR_H
#define UGW_READ_ERROR_H

#include <stdint.h>

#include <ugw/ugw_lines.h>

/* Fills `err` (may be NULL) and returns -1. */
static inline int ugw__read_fail(ugw_read_error *err, ugw_status code, const char *msg, uint64_t line,
                                 uint64_t pos, const char *key, int sys_errno)
{
    if (err) {
        ugw_error_clear(&err->error);
        ugw_error_set(&err->error, code, msg, (size_t)pos, key);
        err->line = line;
        err->sys_errno = sys_errno;
    }
    return -1;
}

/* Clears `err` (may be NULL). */
static inline void ugw__read_clear(ugw_read_error *err)
{
    if (err) {
        ugw_error_clear(&err->error);
        err->line = 0;
        err->sys_errno = 0;
    }
}

#endif /* UGW_READ_ERROR_H */
