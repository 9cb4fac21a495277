/*
 * test_dead_letter_write.c - cmocka tests of the dead-letter writer
 * (ugw_dead_letter_append_open(), ugw_dead_letter_write()): files created
 * 0600, records that read back as written, and a write cut short by a file
 * size limit (RLIMIT_FSIZE, as a full disk would) leaves no torn record and
 * says why. No network.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ugw/ugw_client.h>

static char dir[] = "/tmp/ugw_dl_write_XXXXXX";

static int setup_dir(void **state)
{
    (void)state;
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown_dir(void **state)
{
    char cmd[128];
    (void)state;
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static off_t size_of(const char *path)
{
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    return st.st_size;
}

static ugw_dead_letter record(const char *id, const void *body, size_t len, ugw_format fmt)
{
    ugw_dead_letter rec;
    memset(&rec, 0, sizeof rec);
    rec.id = id;
    rec.event = "ev \"quoted\"";
    rec.format = fmt;
    rec.body = body;
    rec.body_len = len;
    rec.last_status = 503;
    rec.attempts = 3;
    rec.result = "attempts";
    rec.error = "boom";
    rec.time = "2026-11-30T10:00:00Z";
    return rec;
}

static void test_mode_and_round_trip(void **state)
{
    (void)state;
    char path[128];
    struct stat st;
    int e = -1, fd;
    mode_t old = umask(0); /* so that the mode is the one asked for */
    static const unsigned char mp[] = { 0x81, 0xa1, 'a', 0x00, 0xff };
    ugw_dead_letter rec;
    ugw_read_error rerr;
    ugw_error err;

    snprintf(path, sizeof path, "%s/new.jsonl", dir);
    fd = ugw_dead_letter_append_open(path, &e);
    umask(old);
    assert_true(fd >= 0);
    assert_int_equal(e, 0);
    assert_int_equal(fstat(fd, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);

    rec = record("msg_1", "{\"a\":\"\\n\"}", 10, UGW_FORMAT_JSON);
    assert_int_equal(ugw_dead_letter_write(fd, &rec, &e, &err), UGW_OK);
    rec = record("msg_2", mp, sizeof mp, UGW_FORMAT_MSGPACK);
    rec.time = NULL; /* now */
    assert_int_equal(ugw_dead_letter_write(fd, &rec, &e, &err), UGW_OK);
    /* refused: an id outside the one rule, a bad format, no fd */
    rec.id = "has space";
    assert_int_equal(ugw_dead_letter_write(fd, &rec, &e, &err), UGW_ERR_ARG);
    assert_string_equal(err.path, "id");
    rec.id = "msg_3";
    rec.format = (ugw_format)7;
    assert_int_equal(ugw_dead_letter_write(fd, &rec, &e, &err), UGW_ERR_ARG);
    assert_int_equal(ugw_dead_letter_write(-1, &rec, &e, &err), UGW_ERR_ARG);
    close(fd);

    ugw_dead_letter_reader *r = ugw_dead_letter_open(path, 0, &rerr);
    assert_non_null(r);
    assert_int_equal(ugw_dead_letter_next(r, &rec, &rerr), 1);
    assert_string_equal(rec.id, "msg_1");
    assert_string_equal(rec.event, "ev \"quoted\"");
    assert_int_equal(rec.body_len, 10);
    assert_memory_equal(rec.body, "{\"a\":\"\\n\"}", 10);
    assert_int_equal(rec.last_status, 503);
    assert_int_equal(rec.attempts, 3);
    assert_string_equal(rec.time, "2026-11-30T10:00:00Z");
    assert_int_equal(ugw_dead_letter_next(r, &rec, &rerr), 1);
    assert_string_equal(rec.id, "msg_2");
    assert_int_equal(rec.format, UGW_FORMAT_MSGPACK);
    assert_memory_equal(rec.body, mp, sizeof mp);
    assert_int_equal(strlen(rec.time), 20);
    assert_int_equal(ugw_dead_letter_next(r, &rec, &rerr), 0);
    ugw_dead_letter_close(r);

    /* a path that cannot be opened gives its errno */
    snprintf(path, sizeof path, "%s/no/such/dir.jsonl", dir);
    assert_int_equal(ugw_dead_letter_append_open(path, &e), -1);
    assert_int_equal(e, ENOENT);
}

/* ugw_dead_letter_format(): the very line write() appends, and its errors. */
static void test_format(void **state)
{
    (void)state;
    ugw_dead_letter rec = record("msg_f", "{\"a\":1}", 7, UGW_FORMAT_JSON);
    static const char want[] = "{\"id\":\"msg_f\",\"event\":\"ev \\\"quoted\\\"\",\"format\":\"json\","
                               "\"body\":\"{\\\"a\\\":1}\",\"last_status\":503,\"attempts\":3,"
                               "\"result\":\"attempts\",\"error\":\"boom\",\"time\":\"2026-11-30T10:00:00Z\"}\n";
    ugw_error err;
    size_t n = 99;
    char *line = ugw_dead_letter_format(&rec, &n, &err);
    assert_non_null(line);
    assert_int_equal(n, strlen(want));
    assert_string_equal(line, want);
    free(line);
    /* errors: NULL length, an invalid id (path "id"), a NULL record */
    assert_null(ugw_dead_letter_format(&rec, NULL, &err));
    assert_int_equal(err.code, UGW_ERR_ARG);
    rec.id = "";
    n = 5;
    assert_null(ugw_dead_letter_format(&rec, &n, &err));
    assert_int_equal(err.code, UGW_ERR_ARG);
    assert_string_equal(err.path, "id");
    assert_int_equal(n, 0);
    assert_null(ugw_dead_letter_format(NULL, &n, NULL));
}

/* ugw_dead_letter_append_line(): one whole line, or nothing. */
static void test_append_line(void **state)
{
    char path[128];
    int e = -1, fd;
    ugw_error err;
    (void)state;
    snprintf(path, sizeof path, "%s/lines.jsonl", dir);
    fd = ugw_dead_letter_append_open(path, &e);
    assert_true(fd >= 0);
    assert_int_equal(ugw_dead_letter_append_line(fd, "{}\n", 3, &e, &err), UGW_OK);
    assert_int_equal(ugw_dead_letter_append_line(fd, "{}", 2, &e, &err), UGW_ERR_ARG);
    assert_int_equal(ugw_dead_letter_append_line(fd, "{}\n{}\n", 6, &e, &err), UGW_ERR_ARG);
    assert_int_equal(ugw_dead_letter_append_line(fd, "", 0, &e, &err), UGW_ERR_ARG);
    assert_int_equal(ugw_dead_letter_append_line(fd, NULL, 3, &e, &err), UGW_ERR_ARG);
    assert_int_equal(ugw_dead_letter_append_line(-1, "{}\n", 3, &e, &err), UGW_ERR_ARG);
    close(fd);
    assert_int_equal(size_of(path), 3);
    unlink(path);
}

/* A record that does not fit under the file size limit is cut off again:
 * the file ends with the last whole record. */
static void test_short_write_is_removed(void **state)
{
    (void)state;
    char path[128];
    struct rlimit old, lim;
    int e = 0, fd;
    off_t whole;
    size_t big_len = 64 << 10;
    char *big = malloc(big_len);
    ugw_dead_letter rec;
    ugw_read_error rerr;
    ugw_error err;
    void (*old_handler)(int) = signal(SIGXFSZ, SIG_IGN); /* EFBIG instead of the signal */

    assert_non_null(big);
    memset(big, 'x', big_len);
    snprintf(path, sizeof path, "%s/full.jsonl", dir);
    fd = ugw_dead_letter_append_open(path, &e);
    assert_true(fd >= 0);
    rec = record("msg_fits", "{}", 2, UGW_FORMAT_JSON);
    assert_int_equal(ugw_dead_letter_write(fd, &rec, &e, &err), UGW_OK);
    whole = size_of(path);

    assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
    lim = old;
    lim.rlim_cur = (rlim_t)whole + 1000; /* room for part of the next record */
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
    rec = record("msg_big", big, big_len, UGW_FORMAT_JSON);
    assert_int_equal(ugw_dead_letter_write(fd, &rec, &e, &err), UGW_ERR_IO);
    assert_int_equal(e, EFBIG);
    assert_int_equal(err.code, UGW_ERR_IO);
    assert_non_null(strstr(err.message, "removed again"));
    assert_int_equal(size_of(path), whole); /* no torn tail */
    /* nothing at all fits: an error, the file unchanged */
    lim.rlim_cur = (rlim_t)whole;
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
    rec = record("msg_none", "{}", 2, UGW_FORMAT_JSON);
    assert_int_equal(ugw_dead_letter_write(fd, &rec, &e, &err), UGW_ERR_IO);
    assert_int_equal(e, EFBIG);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
    signal(SIGXFSZ, old_handler);
    assert_int_equal(size_of(path), whole);
    /* and the next record goes on from the last whole one */
    rec = record("msg_after", "{}", 2, UGW_FORMAT_JSON);
    assert_int_equal(ugw_dead_letter_write(fd, &rec, &e, &err), UGW_OK);
    close(fd);

    ugw_dead_letter_reader *r = ugw_dead_letter_open(path, 0, &rerr);
    assert_non_null(r);
    assert_int_equal(ugw_dead_letter_next(r, &rec, &rerr), 1);
    assert_string_equal(rec.id, "msg_fits");
    assert_int_equal(ugw_dead_letter_next(r, &rec, &rerr), 1);
    assert_string_equal(rec.id, "msg_after");
    assert_int_equal(rec.line, 2);
    assert_int_equal(ugw_dead_letter_next(r, &rec, &rerr), 0);
    ugw_dead_letter_close(r);
    free(big);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mode_and_round_trip),
        cmocka_unit_test(test_format),
        cmocka_unit_test(test_append_line),
        cmocka_unit_test(test_short_write_is_removed),
    };
    return cmocka_run_group_tests(tests, setup_dir, teardown_dir);
}
