/*
 * test_files.h - temporary files for the reader tests (test_line_reader.c,
 * test_dead_letter.c): a fresh folder per test (setup/teardown), files
 * written into it, and the dead-letter reader's common steps. Include after
 * <cmocka.h>.
 */
#ifndef UGW_TEST_FILES_H
#define UGW_TEST_FILES_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ugw/ugw_client.h>

#define LIT(s) (s), (sizeof(s) - 1)

/* ------------------------------------------------------------------ */
/* Test support                                                         */
/* ------------------------------------------------------------------ */

static char dir[64];
static unsigned nfiles;

static inline int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/ugw-dl-XXXXXX");
    assert_non_null(mkdtemp(dir));
    nfiles = 0;
    return 0;
}

static inline int teardown(void **state)
{
    char path[128];
    (void)state;
    for (unsigned i = 0; i < nfiles; i++) {
        snprintf(path, sizeof path, "%s/%u", dir, i);
        unlink(path);
    }
    rmdir(dir);
    return 0;
}

/* Writes `len` bytes to a new file; returns its path (static, one at a time). */
static inline const char *file_of(const void *data, size_t len)
{
    static char path[128];
    FILE *f;
    snprintf(path, sizeof path, "%s/%u", dir, nfiles++);
    f = fopen(path, "wb");
    assert_non_null(f);
    if (len)
        assert_int_equal(fwrite(data, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
    return path;
}

static inline const char *file_str(const char *s)
{
    return file_of(s, strlen(s));
}

static inline ugw_dead_letter_reader *dl_open(const char *path, size_t max)
{
    ugw_read_error err;
    ugw_dead_letter_reader *r = ugw_dead_letter_open(path, max, &err);
    assert_non_null(r);
    assert_int_equal(err.error.code, UGW_OK);
    return r;
}

/* The next record must be one with this id, on this line. */
static inline void next_is(ugw_dead_letter_reader *r, const char *id, uint64_t line, ugw_dead_letter *rec)
{
    ugw_read_error err;
    assert_int_equal(ugw_dead_letter_next(r, rec, &err), 1);
    assert_int_equal(err.error.code, UGW_OK);
    assert_string_equal(rec->id, id);
    assert_int_equal(rec->line, line);
}

static inline void next_ends(ugw_dead_letter_reader *r)
{
    ugw_dead_letter rec;
    ugw_read_error err;
    assert_int_equal(ugw_dead_letter_next(r, &rec, &err), 0);
    assert_int_equal(err.error.code, UGW_OK);
    assert_int_equal(ugw_dead_letter_next(r, &rec, &err), 0); /* and stays there */
}

#define GOOD "{\"id\":\"msg_good\",\"event\":\"e\",\"format\":\"json\",\"body\":\"{}\"}"
#define LAST "{\"id\":\"msg_last\",\"event\":\"e\",\"format\":\"json\",\"body\":\"{}\"}"

#endif /* UGW_TEST_FILES_H */
