/*
 * ugw_spool_vfs.c - the spool's SQLite VFS: the default one, except that a
 * WAL file's writes of one commit reach the kernel in one write(2).
 *
 * SQLite appends a frame to the WAL as two writes (its 24-byte header, then
 * the page), so a commit of n pages costs 2n system calls; on the spool's
 * workload (one page or two per commit) those calls were the largest part of
 * what an enqueue costs (docs/BENCHMARKS_SPOOL.md, "Spool"). This VFS
 * collects the contiguous writes to a WAL file in a buffer and hands them
 * to the default VFS in one write when the frame that ends a commit (a frame
 * header with a non-zero database size) has been written, before that write
 * returns to SQLite. So a commit is in the kernel when sqlite3_step() of the
 * commit returns, as without this VFS: a commit survives the process being
 * killed the same way, and a failed write fails the commit.
 *
 * Any other use of the file first writes what is collected: a read, a
 * write elsewhere (SQLite rewriting a frame of its transaction), a sync (so
 * synchronous=FULL syncs every byte), the size, a truncation, a file
 * control, closing. A buffer past UGW_VFS_BUF_MAX is written at once (a
 * large transaction), and so is every write when the buffer cannot grow.
 * Files other than WAL files are the default VFS's own, untouched.
 *
 * Writeback started early, by another thread: with synchronous=NORMAL
 * (UGW_SPOOL_SYNC_CRASH) a commit is not synced, so the WAL's pages stayed
 * dirty in the kernel until a checkpoint synced them, all at once, while it
 * held the spool's lock: every producer and delivery thread waited for that
 * sync, about 5 ms for each 1,000 frames (docs/BENCHMARKS_SPOOL.md). So
 * every UGW_VFS_KICK bytes passed on, the file's own writeback thread is
 * woken to start writing it back (sync_file_range(2) with
 * SYNC_FILE_RANGE_WRITE, which on this kind of disk takes a quarter of a
 * millisecond to submit: not under the lock), and the checkpoint's sync
 * finds little left to write. What is durable when does not change: only a
 * sync says a byte is on the disk. Without the thread (it could not start,
 * not Linux) the checkpoint writes everything, as before. A sync of the WAL
 * starts the count again: with synchronous=FULL (UGW_SPOOL_SYNC_POWER)
 * every commit syncs, and the thread never starts.
 */
#define _GNU_SOURCE /* sync_file_range(2) */
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client_internal.h"

#define UGW_VFS_NAME "ugw-spool"
#define UGW_VFS_BUF_MAX ((size_t)1 << 20)
#define UGW_VFS_KICK ((size_t)256 << 10)

typedef struct wal_file {
    sqlite3_file base;          /* base.pMethods = &wal_methods */
    sqlite3_file *real;         /* the default VFS's file, after this struct */
    unsigned char *buf;         /* writes not yet passed on, for [off, off+len) */
    size_t len, cap;
    sqlite3_int64 off;
    bool commit_next;           /* the last write was a commit frame's header */
    int kick_fd;                /* owned: the file opened read-only for sync_file_range(2), or -1 */
    size_t unkicked;            /* bytes passed on since writeback was last asked for */
    bool kicker;                /* the writeback thread runs (kmu, kcv and kthread set up) */
    bool kick, kstop;           /* (kmu) writeback asked for; the thread is to leave */
    pthread_mutex_t kmu;
    pthread_cond_t kcv;
    pthread_t kthread;
} wal_file;

static sqlite3_vfs *real_vfs;

/* The writeback thread: starts writing the whole file back (clean pages
 * cost nothing) each time it is asked; an error only means the
 * checkpoint's sync does the writing, as without it. */
static void *kicker_main(void *arg)
{
    wal_file *f = arg;
    pthread_mutex_lock(&f->kmu);
    while (!f->kstop) {
        if (!f->kick) {
            pthread_cond_wait(&f->kcv, &f->kmu);
            continue;
        }
        f->kick = false;
        pthread_mutex_unlock(&f->kmu);
#ifdef __linux__
        (void)sync_file_range(f->kick_fd, 0, 0, SYNC_FILE_RANGE_WRITE);
#endif
        pthread_mutex_lock(&f->kmu);
    }
    pthread_mutex_unlock(&f->kmu);
    return NULL;
}

/* Asks the writeback thread to run, starting it the first time. */
static void kick(wal_file *f)
{
    if (!f->kicker) {
        sigset_t all, old;
        bool started;
        if (pthread_mutex_init(&f->kmu, NULL) != 0)
            return;
        if (pthread_cond_init(&f->kcv, NULL) != 0) {
            pthread_mutex_destroy(&f->kmu);
            return;
        }
        f->kick = f->kstop = false;
        /* Started by whichever thread commits, the thread takes no signal:
         * a program's signals go to its own threads, as before. */
        sigfillset(&all);
        pthread_sigmask(SIG_BLOCK, &all, &old);
        started = pthread_create(&f->kthread, NULL, kicker_main, f) == 0;
        pthread_sigmask(SIG_SETMASK, &old, NULL);
        if (!started) {
            pthread_cond_destroy(&f->kcv);
            pthread_mutex_destroy(&f->kmu);
            close(f->kick_fd); /* not asked again */
            f->kick_fd = -1;
            return;
        }
        f->kicker = true;
    }
    pthread_mutex_lock(&f->kmu);
    f->kick = true;
    pthread_cond_signal(&f->kcv);
    pthread_mutex_unlock(&f->kmu);
}

/* Passes the collected writes on, in one write; SQLite's result code. */
static int wal_flush(wal_file *f)
{
    int rc;
    if (!f->len)
        return SQLITE_OK;
    rc = f->real->pMethods->xWrite(f->real, f->buf, (int)f->len, f->off);
    f->unkicked += f->len;
    f->len = 0;
    f->commit_next = false;
    if (f->unkicked >= UGW_VFS_KICK && f->kick_fd >= 0) {
        f->unkicked = 0;
        kick(f);
    }
    return rc;
}

static int wal_close(sqlite3_file *p)
{
    wal_file *f = (wal_file *)p;
    int rc = wal_flush(f);
    int rc2 = f->real->pMethods->xClose(f->real);
    free(f->buf);
    f->buf = NULL;
    if (f->kicker) {
        pthread_mutex_lock(&f->kmu);
        f->kstop = true;
        pthread_cond_signal(&f->kcv);
        pthread_mutex_unlock(&f->kmu);
        pthread_join(f->kthread, NULL);
        pthread_cond_destroy(&f->kcv);
        pthread_mutex_destroy(&f->kmu);
        f->kicker = false;
    }
    if (f->kick_fd >= 0)
        close(f->kick_fd);
    f->kick_fd = -1;
    return rc != SQLITE_OK ? rc : rc2;
}

static int wal_read(sqlite3_file *p, void *out, int amt, sqlite3_int64 off)
{
    wal_file *f = (wal_file *)p;
    int rc = wal_flush(f);
    return rc != SQLITE_OK ? rc : f->real->pMethods->xRead(f->real, out, amt, off);
}

/* Whether `amt` more bytes fit in the buffer (grown as needed). */
static bool wal_room(wal_file *f, size_t amt)
{
    size_t cap = f->cap ? f->cap : 16384;
    unsigned char *nb;
    if (amt > UGW_VFS_BUF_MAX || f->len > UGW_VFS_BUF_MAX - amt)
        return false;
    while (cap < f->len + amt)
        cap *= 2;
    if (cap == f->cap)
        return true;
    if (!(nb = realloc(f->buf, cap)))
        return false;
    f->buf = nb;
    f->cap = cap;
    return true;
}

static int wal_write(sqlite3_file *p, const void *data, int amt, sqlite3_int64 off)
{
    wal_file *f = (wal_file *)p;
    bool header = amt == 24; /* a frame header: SQLite writes it alone */
    bool commit;
    int rc;
    if (amt <= 0 || (f->len && off != f->off + (sqlite3_int64)f->len) || !wal_room(f, (size_t)amt)) {
        /* Not an append to what is collected, or too large: in order. */
        if ((rc = wal_flush(f)) != SQLITE_OK)
            return rc;
        if (amt <= 0 || !wal_room(f, (size_t)amt))
            return f->real->pMethods->xWrite(f->real, data, amt, off);
    }
    if (!f->len)
        f->off = off;
    memcpy(f->buf + f->len, data, (size_t)amt);
    f->len += (size_t)amt;
    /* The frame after a commit frame's header is that commit's last page. */
    commit = f->commit_next && !header;
    f->commit_next = header && (((const unsigned char *)data)[4] | ((const unsigned char *)data)[5]
                                | ((const unsigned char *)data)[6] | ((const unsigned char *)data)[7]) != 0;
    return commit ? wal_flush(f) : SQLITE_OK;
}

static int wal_truncate(sqlite3_file *p, sqlite3_int64 size)
{
    wal_file *f = (wal_file *)p;
    int rc = wal_flush(f);
    return rc != SQLITE_OK ? rc : f->real->pMethods->xTruncate(f->real, size);
}

static int wal_sync(sqlite3_file *p, int flags)
{
    wal_file *f = (wal_file *)p;
    int rc = wal_flush(f);
    /* The sync writes it all: no writeback to start for what came before
     * (with synchronous=FULL every commit syncs, so no thread starts). */
    f->unkicked = 0;
    return rc != SQLITE_OK ? rc : f->real->pMethods->xSync(f->real, flags);
}

static int wal_file_size(sqlite3_file *p, sqlite3_int64 *size)
{
    wal_file *f = (wal_file *)p;
    int rc = wal_flush(f);
    return rc != SQLITE_OK ? rc : f->real->pMethods->xFileSize(f->real, size);
}

static int wal_lock(sqlite3_file *p, int level)
{
    wal_file *f = (wal_file *)p;
    return f->real->pMethods->xLock(f->real, level);
}

static int wal_unlock(sqlite3_file *p, int level)
{
    wal_file *f = (wal_file *)p;
    return f->real->pMethods->xUnlock(f->real, level);
}

static int wal_check_reserved(sqlite3_file *p, int *out)
{
    wal_file *f = (wal_file *)p;
    return f->real->pMethods->xCheckReservedLock(f->real, out);
}

static int wal_file_control(sqlite3_file *p, int op, void *arg)
{
    wal_file *f = (wal_file *)p;
    int rc = wal_flush(f);
    return rc != SQLITE_OK ? rc : f->real->pMethods->xFileControl(f->real, op, arg);
}

static int wal_sector_size(sqlite3_file *p)
{
    wal_file *f = (wal_file *)p;
    return f->real->pMethods->xSectorSize(f->real);
}

static int wal_device(sqlite3_file *p)
{
    wal_file *f = (wal_file *)p;
    return f->real->pMethods->xDeviceCharacteristics(f->real);
}

/* Version 1: a WAL file has no shared memory or memory map of its own (those
 * are the database file's). */
static const sqlite3_io_methods wal_methods = {
    1, wal_close, wal_read, wal_write, wal_truncate, wal_sync, wal_file_size, wal_lock, wal_unlock,
    wal_check_reserved, wal_file_control, wal_sector_size, wal_device,
    NULL, NULL, NULL, NULL, NULL, NULL,
};

static size_t real_offset(void)
{
    return (sizeof(wal_file) + 15) & ~(size_t)15;
}

static int vfs_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *p, int flags, int *out_flags)
{
    wal_file *f = (wal_file *)p;
    int rc;
    (void)vfs;
    if (!(flags & SQLITE_OPEN_WAL))
        return real_vfs->xOpen(real_vfs, name, p, flags, out_flags); /* the default's file, in place */
    memset(f, 0, sizeof *f);
    f->kick_fd = -1;
    f->real = (sqlite3_file *)((char *)p + real_offset());
    rc = real_vfs->xOpen(real_vfs, name, f->real, flags, out_flags);
#ifdef __linux__
    /* A descriptor of our own for the writeback hint (SQLite's is private).
     * The WAL file holds no POSIX lock of SQLite's (the database file and
     * its shared memory do), so closing this one releases none. */
    if (rc == SQLITE_OK && name)
        f->kick_fd = open(name, O_RDONLY | O_CLOEXEC);
#endif
    /* SQLite closes a file whose pMethods is set, even when opening failed. */
    f->base.pMethods = f->real->pMethods ? &wal_methods : NULL;
    return rc;
}

static int vfs_delete(sqlite3_vfs *v, const char *name, int sync_dir)
{
    (void)v;
    return real_vfs->xDelete(real_vfs, name, sync_dir);
}

static int vfs_access(sqlite3_vfs *v, const char *name, int flags, int *out)
{
    (void)v;
    return real_vfs->xAccess(real_vfs, name, flags, out);
}

static int vfs_full_pathname(sqlite3_vfs *v, const char *name, int n, char *out)
{
    (void)v;
    return real_vfs->xFullPathname(real_vfs, name, n, out);
}

static void *vfs_dl_open(sqlite3_vfs *v, const char *name)
{
    (void)v;
    return real_vfs->xDlOpen(real_vfs, name);
}

static void vfs_dl_error(sqlite3_vfs *v, int n, char *out)
{
    (void)v;
    real_vfs->xDlError(real_vfs, n, out);
}

static void (*vfs_dl_sym(sqlite3_vfs *v, void *h, const char *sym))(void)
{
    (void)v;
    return real_vfs->xDlSym(real_vfs, h, sym);
}

static void vfs_dl_close(sqlite3_vfs *v, void *h)
{
    (void)v;
    real_vfs->xDlClose(real_vfs, h);
}

static int vfs_randomness(sqlite3_vfs *v, int n, char *out)
{
    (void)v;
    return real_vfs->xRandomness(real_vfs, n, out);
}

static int vfs_sleep(sqlite3_vfs *v, int us)
{
    (void)v;
    return real_vfs->xSleep(real_vfs, us);
}

static int vfs_current_time(sqlite3_vfs *v, double *out)
{
    (void)v;
    return real_vfs->xCurrentTime(real_vfs, out);
}

static int vfs_last_error(sqlite3_vfs *v, int n, char *out)
{
    (void)v;
    return real_vfs->xGetLastError ? real_vfs->xGetLastError(real_vfs, n, out) : 0;
}

static int vfs_current_time64(sqlite3_vfs *v, sqlite3_int64 *out)
{
    double d;
    int rc;
    (void)v;
    if (real_vfs->iVersion >= 2 && real_vfs->xCurrentTimeInt64)
        return real_vfs->xCurrentTimeInt64(real_vfs, out);
    rc = real_vfs->xCurrentTime(real_vfs, &d);
    *out = (sqlite3_int64)(d * 86400000.0);
    return rc;
}

static sqlite3_vfs spool_vfs = {
    2, 0, 0, NULL, UGW_VFS_NAME, NULL,
    vfs_open, vfs_delete, vfs_access, vfs_full_pathname, vfs_dl_open, vfs_dl_error, vfs_dl_sym, vfs_dl_close,
    vfs_randomness, vfs_sleep, vfs_current_time, vfs_last_error, vfs_current_time64,
    NULL, NULL, NULL,
};

static pthread_once_t vfs_once = PTHREAD_ONCE_INIT;
static int vfs_rc = SQLITE_ERROR;

static void vfs_register(void)
{
    if (sqlite3_initialize() != SQLITE_OK || !(real_vfs = sqlite3_vfs_find(NULL)))
        return;
    spool_vfs.szOsFile = (int)real_offset() + real_vfs->szOsFile;
    spool_vfs.mxPathname = real_vfs->mxPathname;
    vfs_rc = sqlite3_vfs_register(&spool_vfs, 0);
}

const char *ugw__spool_vfs(void)
{
    pthread_once(&vfs_once, vfs_register);
    return vfs_rc == SQLITE_OK ? UGW_VFS_NAME : NULL;
}
