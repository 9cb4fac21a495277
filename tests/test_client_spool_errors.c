/*
 * test_client_spool_errors.c - every way a spool refuses: full (events,
 * bytes, one body too large), owned by another client (this process and
 * another), foreign files (another program's SQLite database, text,
 * garbage, a short file, a newer version's spool), a damaged or truncated
 * spool, rows edited by hand, a file size limit while writing (as a full
 * disk), and bad settings. A refused file is never written.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sqlite3.h>

#include "spool_support.h"

static ugw_client *try_open(sfx *s, ugw_error *err)
{
    ugw_client_config cfg = spool_cfg(s, refused_url());
    return ugw_client_new(&cfg, err);
}

/* Opening `path` is refused with `code`, and the file is left as it was. */
static void assert_refused(sfx *s, ugw_status code)
{
    size_t n0 = 0, n1 = 0;
    unsigned char *before = slurp(s->path, &n0), *after;
    ugw_error err;
    ugw_client *c = try_open(s, &err);
    if (c)
        ugw_client_close(c, 0);
    assert_null(c);
    assert_int_equal(err.code, code);
    assert_string_equal(err.path, "spool_path");
    print_message("refused: %s: %s\n", ugw_status_name(err.code), err.message);
    assert_null(ugw_spool_open(s->path, UGW_SPOOL_READ_ONLY, &err));
    assert_int_equal(err.code, code);
    after = slurp(s->path, &n1);
    assert_non_null(before);
    assert_non_null(after);
    assert_int_equal(n0, n1);
    assert_memory_equal(before, after, n0);
    free(before);
    free(after);
}

static void write_file(const char *path, const void *p, size_t n)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(p, 1, n, f), n);
    assert_int_equal(fclose(f), 0);
}

static void sql(const char *path, const char *stmt)
{
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, stmt, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
}

/* A spool with `n` pending events (nothing listens at its URL). */
static void make_spool(sfx *s, size_t n)
{
    ugw_client_config cfg = spool_cfg(s, refused_url());
    cfg.backoff_base_ms = 60000; /* no retry within the test: base_cfg caps the backoff at 200 ms */
    cfg.backoff_max_ms = 60000;
    start_client(&s->base, &cfg);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(enqueue_fixture(s->base.c, i, 0, NULL, NULL), UGW_OK);
    close_client(&s->base, 0);
}

static void test_full(void **state)
{
    sfx *s = *state;
    ugw_client_config cfg = spool_cfg(s, refused_url());
    ugw_error err;
    unsigned char big[600];
    int64_t t0;

    cfg.backoff_base_ms = 60000; /* no retry within the test: base_cfg caps the backoff at 200 ms */
    cfg.backoff_max_ms = 60000;
    cfg.spool_max_events = 5;
    start_client(&s->base, &cfg);
    for (size_t i = 0; i < 5; i++)
        assert_int_equal(enqueue_fixture(s->base.c, i, 0, NULL, NULL), UGW_OK);
    assert_int_equal(ugw_client_enqueue_body(s->base.c, "{}", 2, UGW_FORMAT_JSON, "e", NULL, 0, NULL, NULL, &err),
                     UGW_ERR_FULL);
    t0 = now_ms();
    assert_int_equal(ugw_client_enqueue_body(s->base.c, "{}", 2, UGW_FORMAT_JSON, "e", NULL, 200, NULL, NULL, &err),
                     UGW_ERR_FULL);
    assert_true(now_ms() - t0 >= 150);
    close_client(&s->base, 0);
    assert_int_equal(spool_stats(s->path).pending, 5); /* nothing dropped, nothing extra */

    /* Bytes: 5 pending bodies already; a bound just above them. */
    cfg.spool_max_events = 100;
    cfg.spool_max_bytes = spool_stats(s->path).pending_bytes + 400;
    start_client(&s->base, &cfg);
    memset(big, ' ', sizeof big);
    big[0] = '{';
    big[sizeof big - 1] = '}';
    assert_int_equal(ugw_client_enqueue_body(s->base.c, big, 300, UGW_FORMAT_JSON, "e", NULL, 0, NULL, NULL, &err),
                     UGW_OK);
    assert_int_equal(ugw_client_enqueue_body(s->base.c, big, 300, UGW_FORMAT_JSON, "e", NULL, 0, NULL, NULL, &err),
                     UGW_ERR_FULL);
    assert_string_equal(err.message, "the spool is full");
    close_client(&s->base, 0);

    /* One body over the whole bound can never fit: refused at once. */
    cfg.spool_max_bytes = 100;
    start_client(&s->base, &cfg);
    assert_int_equal(ugw_client_enqueue_body(s->base.c, big, sizeof big, UGW_FORMAT_JSON, "e", NULL, -1, NULL, NULL,
                                             &err), UGW_ERR_LIMIT);
    assert_string_equal(err.path, "spool_max_bytes");
    assert_int_equal(err.pos, sizeof big);
    close_client(&s->base, 0);
    assert_int_equal(spool_stats(s->path).pending, 6);
}

static void test_busy(void **state)
{
    sfx *s = *state;
    ugw_error err;
    pid_t pid;
    int status;
    ugw_spool *sp;
    ugw_client_config cfg = spool_cfg(s, refused_url());

    start_client(&s->base, &cfg);
    assert_null(try_open(s, &err)); /* a second client in this process */
    assert_int_equal(err.code, UGW_ERR_BUSY);
    assert_string_equal(err.path, "spool_path");
    assert_null(ugw_spool_open(s->path, 0, &err));
    assert_int_equal(err.code, UGW_ERR_BUSY);
    /* Not even read: the owner keeps the WAL index in its own memory. */
    assert_null(ugw_spool_open(s->path, UGW_SPOOL_READ_ONLY, &err));
    assert_int_equal(err.code, UGW_ERR_BUSY);
    assert_string_equal(err.path, "spool_path");
    fflush(NULL);
    pid = fork(); /* another process */
    assert_true(pid >= 0);
    if (pid == 0) {
        ugw_spool *o = ugw_spool_open(s->path, 0, &err);
        _exit(o ? 1 : err.code == UGW_ERR_BUSY ? 0 : 2);
    }
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    /* Released by close. A read-only handle changes nothing. */
    close_client(&s->base, 0);
    sp = ugw_spool_open(s->path, UGW_SPOOL_READ_ONLY, &err);
    assert_non_null(sp);
    assert_int_equal(ugw_spool_purge(sp, UGW_SPOOL_DEAD, NULL, NULL, &err), UGW_ERR_ARG);
    assert_int_equal(ugw_spool_retry(sp, NULL, NULL, &err), UGW_ERR_ARG);
    ugw_spool_close(sp);
    sp = ugw_spool_open(s->path, 0, &err);
    assert_non_null(sp);
    ugw_spool_close(sp);
}

static void test_foreign(void **state)
{
    sfx *s = *state;
    static const char text[] = "these are not the events you are looking for\n";
    unsigned char garbage[8192];

    sql(s->path, "CREATE TABLE users(name TEXT); INSERT INTO users VALUES('ann');");
    assert_refused(s, UGW_ERR_CORRUPT); /* another program's database */
    unlink(s->path);
    sql(s->path, "PRAGMA application_id=1969715027; CREATE TABLE t(x);");
    assert_refused(s, UGW_ERR_CORRUPT); /* our id, not our tables */
    unlink(s->path);
    write_file(s->path, text, sizeof text - 1);
    assert_refused(s, UGW_ERR_CORRUPT); /* too short to be SQLite */
    for (size_t i = 0; i < sizeof garbage; i++)
        garbage[i] = (unsigned char)(i * 131 + 7);
    write_file(s->path, garbage, sizeof garbage);
    assert_refused(s, UGW_ERR_CORRUPT); /* not SQLite */

    unlink(s->path);
    make_spool(s, 1);
    sql(s->path, "PRAGMA user_version=2;");
    assert_refused(s, UGW_ERR_CORRUPT); /* a newer version's */
}

static void test_damaged(void **state)
{
    sfx *s = *state;
    size_t n;
    unsigned char *p;
    ugw_error err;
    ugw_spool *sp;

    make_spool(s, 400); /* several pages */
    p = slurp(s->path, &n);
    assert_non_null(p);
    assert_true(n > 8192);
    truncate(s->path, (off_t)(n / 2)); /* cut in the middle */
    assert_refused(s, UGW_ERR_CORRUPT);
    /* Pages of garbage in the middle, header intact. */
    for (size_t i = 4096; i < n; i++)
        p[i] = (unsigned char)(i * 7);
    write_file(s->path, p, n);
    assert_refused(s, UGW_ERR_CORRUPT);
    free(p);

    /* A row edited by hand: the client refuses to resume it. */
    unlink(s->path);
    make_spool(s, 3);
    sql(s->path, "UPDATE pending SET id='not a valid id' WHERE seq=2;");
    assert_null(try_open(s, &err));
    assert_int_equal(err.code, UGW_ERR_CORRUPT);
    assert_int_equal(err.pos, 2);
    sp = ugw_spool_open(s->path, UGW_SPOOL_READ_ONLY, &err);
    assert_non_null(sp);
    ugw_spool_close(sp);
    sql(s->path, "UPDATE pending SET id='msg_ok', format=7 WHERE seq=2;");
    assert_null(try_open(s, &err));
    assert_int_equal(err.code, UGW_ERR_CORRUPT);
}

/* A file size limit while writing (as a full disk): enqueue says io, and
 * every event it accepted is there afterwards. */
static void test_fsize(void **state)
{
    sfx *s = *state;
    ugw_client_config cfg = spool_cfg(s, refused_url());
    struct rlimit old, lim;
    ugw_error err;
    ugw_status st = UGW_OK;
    size_t accepted = 0;
    struct stat fst;
    void (*old_handler)(int) = signal(SIGXFSZ, SIG_IGN); /* EFBIG instead of the signal */
    unsigned char body[2000];

    memset(body, ' ', sizeof body);
    body[0] = '{';
    body[sizeof body - 1] = '}';
    cfg.backoff_base_ms = 60000; /* no retry within the test: base_cfg caps the backoff at 200 ms */
    cfg.backoff_max_ms = 60000;
    start_client(&s->base, &cfg);
    assert_int_equal(stat(s->path, &fst), 0);
    assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
    lim = old;
    lim.rlim_cur = (rlim_t)fst.st_size + 128 * 1024;
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
    for (int i = 0; i < 1000 && st == UGW_OK; i++) {
        st = ugw_client_enqueue_body(s->base.c, body, sizeof body, UGW_FORMAT_JSON, "e", NULL, 0, NULL, NULL, &err);
        accepted += st == UGW_OK;
    }
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
    signal(SIGXFSZ, old_handler);
    assert_int_equal(st, UGW_ERR_IO);
    assert_string_equal(err.path, "spool_path");
    assert_true(strstr(err.message, "cannot grow") || strstr(err.message, "could not be written"));
    print_message("file size limit: %zu accepted, then %s\n", accepted, err.message);
    assert_true(accepted > 5);
    /* Room again: the client goes on. */
    assert_int_equal(ugw_client_enqueue_body(s->base.c, body, sizeof body, UGW_FORMAT_JSON, "e", NULL, 0, NULL,
                                             NULL, &err), UGW_OK);
    accepted++;
    close_client(&s->base, 0);
    assert_int_equal(spool_stats(s->path).pending, accepted);
}

/* A full disk, for real: a 512 KiB tmpfs (root only, where mounts are
 * allowed; skipped otherwise). Every accepted event is there afterwards. */
static int tmpfs_teardown(void **state)
{
    sfx *s = *state;
    if (s && s->base.c) {
        ugw_client_close(s->base.c, 0);
        s->base.c = NULL;
    }
    if (s)
        umount2(s->dir, MNT_DETACH);
    return sfx_teardown(state);
}

static void test_disk_full(void **state)
{
    sfx *s = *state;
    ugw_client_config cfg = spool_cfg(s, refused_url());
    ugw_error err;
    ugw_status st = UGW_OK;
    size_t accepted = 0;
    unsigned char body[3000];

    if (geteuid() != 0 || mount("tmpfs", s->dir, "tmpfs", 0, "size=512k,mode=0700") != 0) {
        print_message("skipped: no tmpfs can be mounted here (root only)\n");
        skip();
    }
    memset(body, ' ', sizeof body);
    body[0] = '{';
    body[sizeof body - 1] = '}';
    cfg.backoff_base_ms = 60000; /* no retry within the test: base_cfg caps the backoff at 200 ms */
    cfg.backoff_max_ms = 60000;
    start_client(&s->base, &cfg);
    for (int i = 0; i < 2000 && st == UGW_OK; i++) {
        st = ugw_client_enqueue_body(s->base.c, body, sizeof body, UGW_FORMAT_JSON, "e", NULL, 0, NULL, NULL, &err);
        accepted += st == UGW_OK;
    }
    assert_int_equal(st, UGW_ERR_IO);
    assert_string_equal(err.path, "spool_path");
    print_message("full tmpfs: %zu accepted, then %s\n", accepted, err.message);
    assert_true(accepted > 10);
    close_client(&s->base, 0);
    assert_int_equal(spool_stats(s->path).pending, accepted);
}

static void test_bad_settings(void **state)
{
    sfx *s = *state;
    ugw_client_config cfg = spool_cfg(s, refused_url());
    ugw_error err;

    cfg.spool_sync = (ugw_spool_sync)7;
    assert_null(ugw_client_new(&cfg, &err));
    assert_int_equal(err.code, UGW_ERR_ARG);
    assert_string_equal(err.path, "spool_sync");
    cfg = spool_cfg(s, refused_url());
    cfg.spool_path = "";
    assert_null(ugw_client_new(&cfg, &err));
    assert_int_equal(err.code, UGW_ERR_ARG);
    assert_string_equal(err.path, "spool_path");
    cfg.spool_path = "/nonexistent-dir-of-ugw/spool.db";
    assert_null(ugw_client_new(&cfg, &err));
    assert_int_equal(err.code, UGW_ERR_IO);
    assert_string_equal(err.path, "spool_path");
    assert_null(ugw_spool_open(s->path, 0, &err)); /* the admin API never creates one */
    assert_int_equal(err.code, UGW_ERR_IO);
    assert_int_equal(access(s->path, F_OK), -1);
    assert_null(ugw_spool_open(NULL, 0, &err));
    assert_int_equal(err.code, UGW_ERR_ARG);
    assert_null(ugw_spool_open(s->path, 0x80, &err));
    assert_int_equal(err.code, UGW_ERR_ARG);
    assert_int_equal(mkdir(s->path, 0700), 0); /* a directory */
    assert_null(try_open(s, &err));
    assert_int_equal(err.code, UGW_ERR_IO);
    rmdir(s->path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_full, sfx_setup, sfx_teardown),
        cmocka_unit_test_setup_teardown(test_busy, sfx_setup, sfx_teardown),
        cmocka_unit_test_setup_teardown(test_foreign, sfx_setup, sfx_teardown),
        cmocka_unit_test_setup_teardown(test_damaged, sfx_setup, sfx_teardown),
        cmocka_unit_test_setup_teardown(test_fsize, sfx_setup, sfx_teardown),
        cmocka_unit_test_setup_teardown(test_disk_full, sfx_setup, tmpfs_teardown),
        cmocka_unit_test_setup_teardown(test_bad_settings, sfx_setup, sfx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
