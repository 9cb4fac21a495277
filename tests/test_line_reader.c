/*
 * test_line_reader.c - cmocka tests of the runtime's line reader
 * (ugw_lines.h): lines, numbers and offsets, cut and unterminated lines,
 * lines across read chunks, looking ahead, open errors, and a pipe that is
 * still being written (read through the dead-letter reader on top).
 *
 * Files are written into a fresh temporary folder per test and removed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <ugw/ugw_client.h>

#include "support/test_files.h"

/* ------------------------------------------------------------------ */
/* The line reader                                                      */
/* ------------------------------------------------------------------ */

static void expect_line(ugw_line_reader *r, const char *text, uint64_t number, uint64_t offset,
                        bool cut, bool unterminated)
{
    ugw_line ln;
    ugw_read_error err;
    assert_int_equal(ugw_line_reader_next(r, &ln, &err), 1);
    assert_int_equal(ln.len, strlen(text));
    assert_memory_equal(ln.ptr, text, ln.len);
    assert_int_equal(ln.number, number);
    assert_int_equal(ln.offset, offset);
    assert_int_equal(ln.cut, cut);
    assert_int_equal(ln.unterminated, unterminated);
}

static void expect_end(ugw_line_reader *r)
{
    ugw_line ln;
    ugw_read_error err;
    assert_int_equal(ugw_line_reader_next(r, &ln, &err), 0);
    assert_int_equal(err.error.code, UGW_OK);
}

static void test_lines(void **state)
{
    (void)state;
    ugw_read_error err;
    ugw_line_reader *r = ugw_line_reader_open(file_str("one\r\n\ntwo\nlast"), 0, &err);
    assert_non_null(r);
    expect_line(r, "one\r", 1, 0, false, false);
    expect_line(r, "", 2, 5, false, false);
    expect_line(r, "two", 3, 6, false, false);
    expect_line(r, "last", 4, 10, false, true);
    expect_end(r);
    expect_end(r);
    ugw_line_reader_close(r);

    /* Empty file; a file of one line end. */
    r = ugw_line_reader_open(file_str(""), 0, &err);
    expect_end(r);
    ugw_line_reader_close(r);
    r = ugw_line_reader_open(file_str("\n"), 0, &err);
    expect_line(r, "", 1, 0, false, false);
    expect_end(r);
    ugw_line_reader_close(r);

    /* Lines longer than `max` come cut, the rest skipped, in any chunking. */
    r = ugw_line_reader_open(file_str("0123456789\nab\n0123456789abcdef"), 4, &err);
    expect_line(r, "0123", 1, 0, true, false);
    expect_line(r, "ab", 2, 11, false, false);
    expect_line(r, "0123", 3, 14, true, false);
    expect_end(r);
    ugw_line_reader_close(r);

    /* A line of exactly `max` bytes is whole, with or without its line end. */
    r = ugw_line_reader_open(file_str("abcd\nabcd"), 4, &err);
    expect_line(r, "abcd", 1, 0, false, false);
    expect_line(r, "abcd", 2, 5, false, true);
    expect_end(r);
    ugw_line_reader_close(r);
    r = ugw_line_reader_open(file_str("abcde"), 4, &err);
    expect_line(r, "abcd", 1, 0, true, false);
    expect_end(r);
    ugw_line_reader_close(r);

    ugw_line_reader_close(NULL);
}

/* Lines across the 64 KiB read chunks, long and short, exact offsets. */
static void test_lines_large(void **state)
{
    (void)state;
    enum { N = 300 };
    size_t total = 0, len[N];
    char *data;
    ugw_read_error err;
    ugw_line_reader *r;
    for (size_t i = 0; i < N; i++) {
        len[i] = (i * 7919) % 5000 + (i % 50 == 0 ? 150000 : 0);
        total += len[i] + 1;
    }
    data = malloc(total);
    assert_non_null(data);
    for (size_t i = 0, at = 0; i < N; i++) {
        memset(data + at, 'a' + (int)(i % 26), len[i]);
        data[at + len[i]] = '\n';
        at += len[i] + 1;
    }
    r = ugw_line_reader_open(file_of(data, total), 200000, &err);
    assert_non_null(r);
    for (size_t i = 0, at = 0; i < N; i++) {
        ugw_line ln;
        assert_int_equal(ugw_line_reader_next(r, &ln, &err), 1);
        assert_int_equal(ln.len, len[i]);
        assert_int_equal(ln.offset, at);
        assert_int_equal(ln.number, i + 1);
        assert_false(ln.cut);
        if (ln.len)
            assert_memory_equal(ln.ptr, data + at, ln.len);
        at += len[i] + 1;
    }
    expect_end(r);
    ugw_line_reader_close(r);
    free(data);
}

static void test_lines_fill_pending(void **state)
{
    (void)state;
    ugw_read_error err;
    ugw_line_reader *r = ugw_line_reader_open(file_str("{\"a\":1}\n{\"b\":2}\n"), 8, &err);
    ugw_str p = ugw_line_reader_pending(r);
    assert_int_equal(p.len, 0);
    assert_int_equal(ugw_line_reader_fill(r, &err), 1);
    p = ugw_line_reader_pending(r);
    assert_int_equal(p.len, 9); /* at most `max` + 1 */
    assert_memory_equal(p.ptr, "{\"a\":1}\n{", 9);
    assert_int_equal(ugw_line_reader_fill(r, &err), -2);
    expect_line(r, "{\"a\":1}", 1, 0, false, false);
    p = ugw_line_reader_pending(r);
    assert_int_equal(p.len, 1);
    assert_memory_equal(p.ptr, "{", 1);
    expect_line(r, "{\"b\":2}", 2, 8, false, false);
    assert_int_equal(ugw_line_reader_fill(r, &err), 0);
    expect_end(r);
    ugw_line_reader_close(r);
    assert_int_equal(ugw_line_reader_pending(NULL).len, 0);
}

static void test_lines_open_errors(void **state)
{
    (void)state;
    ugw_read_error err;
    char path[160];
    ugw_line_reader *r;
    snprintf(path, sizeof path, "%s/no-such-file", dir);
    assert_null(ugw_line_reader_open(path, 0, &err));
    assert_int_equal(err.error.code, UGW_ERR_IO);
    assert_int_equal(err.sys_errno, ENOENT);
    assert_int_equal(err.line, 0);
    assert_null(ugw_line_reader_open(dir, 0, &err));
    assert_int_equal(err.error.code, UGW_ERR_IO);
    assert_int_equal(err.sys_errno, EISDIR);
    assert_null(ugw_line_reader_open(NULL, 0, &err));
    assert_int_equal(err.error.code, UGW_ERR_ARG);
    assert_null(ugw_dead_letter_open(path, 0, &err));
    assert_int_equal(err.error.code, UGW_ERR_IO);
    assert_int_equal(err.sys_errno, ENOENT);
    assert_null(ugw_line_reader_open(path, 0, NULL)); /* err may be NULL */
    r = ugw_line_reader_open(file_str("x\n"), 0, NULL);
    assert_non_null(r);
    assert_int_equal(ugw_line_reader_next(r, NULL, &err), -1);
    assert_int_equal(err.error.code, UGW_ERR_ARG);
    assert_int_equal(ugw_line_reader_next(NULL, NULL, &err), -1);
    assert_int_equal(ugw_line_reader_fill(NULL, &err), -1);
    ugw_line_reader_close(r);
    assert_int_equal(ugw_dead_letter_next(NULL, NULL, &err), -1);
    assert_int_equal(err.error.code, UGW_ERR_ARG);
    ugw_dead_letter_close(NULL);
}

/* A pipe still being written is read line by line as the lines come. */
static int pipe_w;
static pthread_mutex_t pipe_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t pipe_cv = PTHREAD_COND_INITIALIZER;
static int pipe_lines_read;

static void *pipe_writer(void *arg)
{
    (void)arg;
    for (int i = 0; i < 3; i++) {
        char line[128];
        int n = snprintf(line, sizeof line, "{\"id\":\"msg_%d\",\"event\":\"e\",\"format\":\"json\",\"body\":\"\"}\n", i);
        /* in two pieces, the second only after the reader has the line before */
        assert_int_equal(write(pipe_w, line, 10), 10);
        nanosleep(&(struct timespec){ .tv_nsec = 20000000 }, NULL);
        assert_int_equal(write(pipe_w, line + 10, (size_t)n - 10), n - 10);
        pthread_mutex_lock(&pipe_mu);
        while (pipe_lines_read < i + 1)
            pthread_cond_wait(&pipe_cv, &pipe_mu);
        pthread_mutex_unlock(&pipe_mu);
    }
    close(pipe_w);
    return NULL;
}

static void test_pipe_streaming(void **state)
{
    (void)state;
    int fds[2];
    char path[64];
    pthread_t t;
    ugw_dead_letter rec;
    ugw_dead_letter_reader *r;
    assert_int_equal(pipe(fds), 0);
    pipe_w = fds[1];
    pipe_lines_read = 0;
    snprintf(path, sizeof path, "/dev/fd/%d", fds[0]);
    r = dl_open(path, 0);
    assert_int_equal(pthread_create(&t, NULL, pipe_writer, NULL), 0);
    for (int i = 0; i < 3; i++) {
        char id[16];
        snprintf(id, sizeof id, "msg_%d", i);
        next_is(r, id, (uint64_t)i + 1, &rec);
        pthread_mutex_lock(&pipe_mu);
        pipe_lines_read++;
        pthread_cond_signal(&pipe_cv);
        pthread_mutex_unlock(&pipe_mu);
    }
    next_ends(r);
    pthread_join(t, NULL);
    ugw_dead_letter_close(r);
    close(fds[0]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_lines, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lines_large, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lines_fill_pending, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lines_open_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pipe_streaming, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
