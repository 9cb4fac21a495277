/*
 * ugw_spool.c - the durable spool's file (docs/DURABILITY.md): opening it,
 * making sure it is ours before anything is written, owning it, its schema
 * and settings, and turning SQLite's results into ugw errors.
 *
 * Ownership: an owner (a client, or an owned ugw_spool handle) holds an
 * exclusive flock() on a descriptor of its own, kept open until after the
 * database is closed. flock() locks belong to the open file description, so
 * a second owner is refused whether it is in another process or this one,
 * with a clear error. The owner also runs SQLite with
 * locking_mode=EXCLUSIVE: its WAL index lives in its own memory and a
 * commit takes no file locks, a third of the cost of a commit in the normal
 * mode (measured: docs/BENCHMARKS_SPOOL.md, "Spool"); the price is that nobody
 * else reads the file while it is owned (read-only handles get
 * UGW_ERR_BUSY; they are exclusive while open, too). The descriptor is closed only after sqlite3_close():
 * closing any descriptor of the file drops a process's POSIX locks.
 *
 * The database is opened through the spool's VFS (ugw_spool_vfs.c), which
 * hands SQLite's writes of one commit to the WAL to the kernel in one
 * write(2) instead of two per page.
 *
 * A file is ours when it is an SQLite database with our application_id and a
 * user_version we know, or empty (then it is made ours, 0600). Anything else
 * (another program's database, text, garbage, a truncated file, a newer
 * version's spool) is refused with UGW_ERR_CORRUPT before a byte is written,
 * and so is one that fails SQLite's quick_check when it is opened.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "client_internal.h"

/* 'ugwS' */
#define SPOOL_APP_ID 0x75677753
#define SPOOL_VERSION 1
#define SPOOL_PAGE_SIZE "2048"
#define SPOOL_CACHE_KIB "-16384" /* negative: KiB */
#define SPOOL_CHECKPOINT_FRAMES "4000"

static const char schema_sql[] =
    "PRAGMA application_id=1969715027;" /* SPOOL_APP_ID */
    "PRAGMA user_version=1;"
    "CREATE TABLE pending(seq INTEGER PRIMARY KEY, id TEXT NOT NULL, event TEXT NOT NULL,"
    " format INTEGER NOT NULL, body BLOB NOT NULL, attempts INTEGER NOT NULL,"
    " created_ms INTEGER NOT NULL, next_ms INTEGER NOT NULL, last_status INTEGER NOT NULL,"
    " error TEXT NOT NULL);"
    "CREATE TABLE dead(seq INTEGER PRIMARY KEY, id TEXT NOT NULL, event TEXT NOT NULL,"
    " format INTEGER NOT NULL, body BLOB NOT NULL, attempts INTEGER NOT NULL,"
    " created_ms INTEGER NOT NULL, failed_ms INTEGER NOT NULL, last_status INTEGER NOT NULL,"
    " result TEXT NOT NULL, error TEXT NOT NULL);"
    "CREATE TABLE marks(key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;";

_Static_assert(SPOOL_APP_ID == 1969715027, "schema_sql spells the application_id");

static const char *const stmt_sql[SP_COUNT] = {
    [SP_INSERT] = "INSERT INTO pending(id,event,format,body,attempts,created_ms,next_ms,last_status,error)"
                  " VALUES(?1,?2,?3,?4,0,?5,?5,0,'')",
    [SP_MARK] = "INSERT INTO marks(key,value) VALUES(?1,?2)"
                " ON CONFLICT(key) DO UPDATE SET value=excluded.value",
    [SP_DELETE] = "DELETE FROM pending WHERE seq=?1",
    [SP_TO_DEAD] = "INSERT INTO dead(id,event,format,body,attempts,created_ms,failed_ms,last_status,result,error)"
                   " SELECT id,event,format,body,?2,created_ms,?3,?4,?5,?6 FROM pending WHERE seq=?1",
    [SP_RETRY] = "UPDATE pending SET attempts=?2,next_ms=?3,last_status=?4,error=?5 WHERE seq=?1",
    [SP_MARK_GET] = "SELECT value FROM marks WHERE key=?1",
    [SP_BEGIN] = "BEGIN",
    [SP_COMMIT] = "COMMIT",
    [SP_ROLLBACK] = "ROLLBACK",
};

int64_t ugw__wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

ugw_status ugw__spool_fail(ugw_spool *sp, int rc, ugw_error *err)
{
    int e = sp && sp->sys_errno ? sp->sys_errno : sp && sp->db ? sqlite3_system_errno(sp->db) : 0;
    if (sp)
        sp->sys_errno = 0;
    if ((rc & 0xff) == SQLITE_IOERR && (e == ENOSPC || e == EFBIG || e == EDQUOT))
        rc = SQLITE_FULL; /* a write that did not fit: say so */
    switch (rc & 0xff) {
    case SQLITE_FULL:
        return ugw_error_set(err, UGW_ERR_IO, "the spool cannot grow: the disk is full or a file size limit was reached",
                             0, "spool_path");
    case SQLITE_NOMEM:
        return ugw_error_set(err, UGW_ERR_NOMEM, "out of memory in the spool", 0, "spool_path");
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return ugw_error_set(err, UGW_ERR_BUSY, "the spool is in use by another process", 0, "spool_path");
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
    case SQLITE_FORMAT:
    case SQLITE_SCHEMA:
    case SQLITE_ERROR:
        return ugw_error_set(err, UGW_ERR_CORRUPT, "the spool is damaged or is not a ugw spool", 0, "spool_path");
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_AUTH:
        return ugw_error_set(err, UGW_ERR_IO, "the spool cannot be written (read-only file or directory)", 0,
                             "spool_path");
    case SQLITE_CANTOPEN:
        return ugw_error_set(err, UGW_ERR_IO, "the spool cannot be opened", 0, "spool_path");
    case SQLITE_IOERR:
        if (rc == SQLITE_IOERR_READ || rc == SQLITE_IOERR_SHORT_READ)
            return ugw_error_set(err, UGW_ERR_IO, "the spool could not be read", 0, "spool_path");
        return ugw_error_set(err, UGW_ERR_IO, "the spool could not be written: the disk is full, a file size "
                             "limit was reached, or the device failed", 0, "spool_path");
    default:
        return ugw_error_set(err, UGW_ERR_IO, "the spool could not be read or written", 0, "spool_path");
    }
}

static ugw_status refuse(ugw_error *err, ugw_status code, const char *msg)
{
    return ugw_error_set(err, code, msg, 0, "spool_path");
}

/* One integer from a query; SQLite's result code. */
static int query_int(sqlite3 *db, const char *sql, int64_t *out)
{
    sqlite3_stmt *s;
    int rc = sqlite3_prepare_v2(db, sql, -1, &s, NULL);
    if (rc != SQLITE_OK)
        return rc;
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        *out = sqlite3_column_int64(s, 0);
        rc = SQLITE_OK;
    } else if (rc == SQLITE_DONE) {
        *out = 0;
        rc = SQLITE_OK;
    }
    sqlite3_finalize(s);
    return rc;
}

/* Whether quick_check says "ok". */
static int quick_check(sqlite3 *db, bool *ok)
{
    sqlite3_stmt *s;
    int rc = sqlite3_prepare_v2(db, "PRAGMA quick_check(1)", -1, &s, NULL);
    if (rc != SQLITE_OK)
        return rc;
    rc = sqlite3_step(s);
    *ok = rc == SQLITE_ROW && sqlite3_column_text(s, 0)
          && strcmp((const char *)sqlite3_column_text(s, 0), "ok") == 0;
    if (rc == SQLITE_ROW || rc == SQLITE_DONE)
        rc = SQLITE_OK;
    sqlite3_finalize(s);
    return rc;
}

/* The tables a spool has, and only those (a database of ours has exactly
 * them; another program's with our id by chance would not). */
static int check_tables(sqlite3 *db, bool *ok)
{
    int64_t n = 0, ours = 0;
    int rc = query_int(db, "SELECT count(*) FROM sqlite_schema", &n);
    if (rc == SQLITE_OK)
        rc = query_int(db, "SELECT count(*) FROM sqlite_schema WHERE type='table'"
                           " AND name IN ('pending','dead','marks')", &ours);
    *ok = n == 3 && ours == 3;
    return rc;
}

/* Makes an empty database ours: the schema in one transaction, written to
 * the main file (rollback journal) before WAL is turned on. */
static int create_schema(sqlite3 *db)
{
    /* 2 KiB pages (SQLite's default is 4 KiB): a commit of one event writes
     * its page whole to the WAL, and an event of a few hundred bytes leaves
     * most of a larger page unchanged; measured: about 10% less CPU per
     * event (docs/BENCHMARKS_SPOOL.md, "Spool"). Only a new file's. */
    int rc = sqlite3_exec(db, "PRAGMA page_size=" SPOOL_PAGE_SIZE, NULL, NULL, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
    if (rc != SQLITE_OK)
        return rc;
    rc = sqlite3_exec(db, schema_sql, NULL, NULL, NULL);
    if (rc == SQLITE_OK)
        return sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
    sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    return rc;
}

/* Checks (and, when empty and owned, creates) the schema. */
static ugw_status check_ours(ugw_spool *sp, bool own, ugw_error *err)
{
    int64_t app = 0, ver = 0, pages = 0;
    bool ok = false;
    int rc = query_int(sp->db, "PRAGMA application_id", &app);
    if (rc == SQLITE_OK)
        rc = query_int(sp->db, "PRAGMA user_version", &ver);
    if (rc == SQLITE_OK)
        rc = query_int(sp->db, "PRAGMA page_count", &pages);
    if (rc != SQLITE_OK) {
        if ((rc & 0xff) == SQLITE_NOTADB)
            return refuse(err, UGW_ERR_CORRUPT, "not a ugw spool: the file is not an SQLite database");
        return ugw__spool_fail(sp, rc, err);
    }
    if (app == 0 && ver == 0 && pages == 0) {
        if (!own)
            return refuse(err, UGW_ERR_CORRUPT, "not a ugw spool: the file is empty");
        if ((rc = create_schema(sp->db)) != SQLITE_OK)
            return ugw__spool_fail(sp, rc, err);
        return UGW_OK;
    }
    if (app != SPOOL_APP_ID)
        return refuse(err, UGW_ERR_CORRUPT, "not a ugw spool: another program's SQLite database (application_id)");
    if (ver > SPOOL_VERSION)
        return refuse(err, UGW_ERR_CORRUPT, "a spool of a newer ugw version (user_version): not opened");
    if (ver != SPOOL_VERSION)
        return refuse(err, UGW_ERR_CORRUPT, "not a ugw spool: unknown user_version");
    if ((rc = quick_check(sp->db, &ok)) != SQLITE_OK)
        return ugw__spool_fail(sp, rc, err);
    if (!ok)
        return refuse(err, UGW_ERR_CORRUPT, "the spool is damaged (SQLite quick_check failed): not opened");
    if ((rc = check_tables(sp->db, &ok)) != SQLITE_OK)
        return ugw__spool_fail(sp, rc, err);
    if (!ok)
        return refuse(err, UGW_ERR_CORRUPT, "not a ugw spool: its tables are not a spool's");
    return UGW_OK;
}

/* Opens (creating 0600 when asked) and flock()s the file for an owner. */
static ugw_status take_ownership(ugw_spool *sp, const char *path, bool create, ugw_error *err)
{
    struct stat st;
    int fd = open(path, O_RDWR | O_CLOEXEC | (create ? O_CREAT : 0), 0600);
    if (fd < 0) {
        if (errno == ENOENT)
            return refuse(err, UGW_ERR_IO, "the spool does not exist");
        return refuse(err, UGW_ERR_IO, "the spool cannot be opened or created");
    }
    sp->lock_fd = fd;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
        return refuse(err, UGW_ERR_IO, "the spool is not a regular file");
    while (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        if (errno == EINTR)
            continue;
        if (errno == EWOULDBLOCK)
            return refuse(err, UGW_ERR_BUSY, "the spool is owned by another client (this process or another)");
        return refuse(err, UGW_ERR_IO, "the spool cannot be locked");
    }
    /* A file too short for the SQLite header: truncated, or never ours. */
    if (st.st_size > 0 && st.st_size < 100)
        return refuse(err, UGW_ERR_CORRUPT, "not a ugw spool: the file is too short to be an SQLite database (truncated?)");
    return UGW_OK;
}

static ugw_status prepare(ugw_spool *sp, ugw_error *err)
{
    for (int i = 0; i < SP_COUNT; i++) {
        int rc = sqlite3_prepare_v3(sp->db, stmt_sql[i], -1, SQLITE_PREPARE_PERSISTENT, &sp->stmt[i], NULL);
        if (rc != SQLITE_OK)
            return ugw__spool_fail(sp, rc, err);
    }
    return UGW_OK;
}

static void spool_free(ugw_spool *sp)
{
    if (!sp)
        return;
    for (int i = 0; i < SP_COUNT; i++)
        sqlite3_finalize(sp->stmt[i]);
    if (sp->db)
        sqlite3_close(sp->db);
    if (sp->lock_fd >= 0)
        close(sp->lock_fd); /* after the database: see the top of the file */
    pthread_mutex_destroy(&sp->dbmu);
    pthread_mutex_destroy(&sp->gmu);
    pthread_cond_destroy(&sp->gcv);
    free(sp);
}

ugw_status ugw__spool_open(const char *path, bool own, bool create, ugw_spool_sync sync,
                           ugw_spool **out, ugw_error *err)
{
    ugw_spool *sp;
    ugw_status st;
    int rc;
    *out = NULL;
    if (!path || !path[0])
        return ugw_error_set(err, UGW_ERR_ARG, "no spool path", 0, "spool_path");
    if (sync != UGW_SPOOL_SYNC_CRASH && sync != UGW_SPOOL_SYNC_POWER)
        return ugw_error_set(err, UGW_ERR_ARG, "unknown spool_sync", 0, "spool_sync");
    if (!(sp = calloc(1, sizeof *sp)))
        return ugw_error_set(err, UGW_ERR_NOMEM, "out of memory", 0, NULL);
    sp->lock_fd = -1;
    sp->read_only = !own;
    sp->queue_tail = &sp->queue;
    pthread_mutex_init(&sp->dbmu, NULL);
    pthread_mutex_init(&sp->gmu, NULL);
    pthread_cond_init(&sp->gcv, NULL);
    if (own && (st = take_ownership(sp, path, create, err)) != UGW_OK)
        goto fail;
    if (!own && access(path, F_OK) != 0) {
        st = refuse(err, UGW_ERR_IO, "the spool does not exist");
        goto fail;
    }
    /* One connection, used under dbmu only: SQLite's own mutexes are not
     * needed. */
    rc = sqlite3_open_v2(path, &sp->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, ugw__spool_vfs());
    if (rc != SQLITE_OK) {
        st = ugw__spool_fail(sp, rc, err);
        goto fail;
    }
    sqlite3_extended_result_codes(sp->db, 1);
    /* An owner waits for a reader that is just finishing (a read-only
     * handle opened before it); a reader does not wait long for an owner. */
    sqlite3_busy_timeout(sp->db, own ? 5000 : 200);
    /* Nothing is written before the file is known to be ours, not even the
     * checkpoint SQLite makes when it closes a WAL database. A reader is
     * exclusive too while it reads: it then needs no -shm file (which it
     * could not create on a full disk). */
    sqlite3_db_config(sp->db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL);
    if ((rc = sqlite3_exec(sp->db, "PRAGMA locking_mode=EXCLUSIVE", NULL, NULL, NULL)) != SQLITE_OK) {
        st = ugw__spool_fail(sp, rc, err);
        goto fail;
    }
    if ((st = check_ours(sp, own, err)) != UGW_OK)
        goto fail;
    if (own) {
        rc = sqlite3_exec(sp->db, "PRAGMA journal_mode=WAL", NULL, NULL, NULL);
        sp->power = sync == UGW_SPOOL_SYNC_POWER;
        if (rc == SQLITE_OK)
            rc = sqlite3_exec(sp->db, sp->power ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL",
                              NULL, NULL, NULL);
        /* A page cache of up to 16 MiB (SQLite's default: 2 MB): removing
         * an event finds its page in memory, not read back from the file,
         * while the queue holds thousands of events; measured: a third
         * fewer pread(2) (docs/BENCHMARKS_SPOOL.md). Memory is taken as
         * pages are used, so a small spool costs no more. */
        if (rc == SQLITE_OK)
            rc = sqlite3_exec(sp->db, "PRAGMA cache_size=" SPOOL_CACHE_KIB, NULL, NULL, NULL);
        /* Crash-safe: a checkpoint every 4,000 frames (8 MiB of WAL), not
         * SQLite's 1,000: each one syncs the WAL and the file under the
         * spool's lock, and with the WAL's writeback started early
         * (ugw_spool_vfs.c) what is left of a sync is mostly its fixed
         * cost, paid a quarter as often; measured: delivery 0.50x -> 0.56x
         * of the in-memory queue's (docs/BENCHMARKS_SPOOL.md). Power-safe
         * commits sync every frame anyway: SQLite's default stays. */
        if (rc == SQLITE_OK && !sp->power)
            rc = sqlite3_exec(sp->db, "PRAGMA wal_autocheckpoint=" SPOOL_CHECKPOINT_FRAMES, NULL, NULL, NULL);
        if (rc != SQLITE_OK || (st = prepare(sp, err)) != UGW_OK) {
            if (rc != SQLITE_OK)
                st = ugw__spool_fail(sp, rc, err);
            goto fail;
        }
        /* Ours: closing checkpoints the WAL into the file and removes it. */
        sqlite3_db_config(sp->db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 0, NULL);
    } else {
        sqlite3_exec(sp->db, "PRAGMA query_only=1", NULL, NULL, NULL);
    }
    *out = sp;
    return UGW_OK;
fail:
    spool_free(sp);
    return st;
}

ugw_spool *ugw_spool_open(const char *path, unsigned flags, ugw_error *err)
{
    ugw_spool *sp = NULL;
    ugw_error_clear(err);
    if (flags & ~UGW_SPOOL_READ_ONLY) {
        ugw_error_set(err, UGW_ERR_ARG, "unknown flags", 0, NULL);
        return NULL;
    }
    ugw__spool_open(path, !(flags & UGW_SPOOL_READ_ONLY), false, UGW_SPOOL_SYNC_POWER, &sp, err);
    return sp;
}

void ugw_spool_close(ugw_spool *sp)
{
    spool_free(sp);
}

bool ugw__spool_mark_key_ok(const char *key)
{
    size_t n = key ? strnlen(key, 1025) : 0;
    return n >= 1 && n <= 1024;
}
