/*
 * ugw_spool_admin.c - reading and acting on a spool (ugw_spool.h): its
 * counts, its events and dead letters, moving dead letters back to pending,
 * deleting, and the producers' marks. What `ugw spool` calls.
 *
 * Every change is one transaction, on an owned handle only: no client can
 * be running on the spool meanwhile (it would not see the change in memory).
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "client_internal.h"

static ugw_status need(ugw_spool *sp, bool write, ugw_error *err)
{
    ugw_error_clear(err);
    if (!sp)
        return ugw_error_set(err, UGW_ERR_ARG, "no spool", 0, NULL);
    if (write && sp->read_only)
        return ugw_error_set(err, UGW_ERR_ARG, "the spool was opened read-only", 0, NULL);
    return UGW_OK;
}

/* Binds `id` (when not NULL) as ?1 and runs `s` to its end. */
static int step_all(sqlite3_stmt *s)
{
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW)
        ;
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* Runs the statements `sql` (with ?1 = id when given) in one transaction;
 * *changed gets the rows changed by the statements whose bit is in `count`. */
static ugw_status change(ugw_spool *sp, const char *const *sql, size_t n, unsigned count, const char *id,
                         uint64_t *changed, ugw_error *err)
{
    int rc;
    uint64_t ch = 0;
    pthread_mutex_lock(&sp->dbmu);
    rc = sqlite3_exec(sp->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
    for (size_t i = 0; i < n && rc == SQLITE_OK; i++) {
        sqlite3_stmt *s;
        if ((rc = sqlite3_prepare_v2(sp->db, sql[i], -1, &s, NULL)) != SQLITE_OK)
            break;
        if (id && sqlite3_bind_parameter_count(s) >= 1)
            sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
        rc = step_all(s);
        if (count & (1u << i))
            ch += (uint64_t)sqlite3_changes64(sp->db);
        sqlite3_finalize(s);
    }
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(sp->db, "COMMIT", NULL, NULL, NULL);
    if (rc != SQLITE_OK && !sqlite3_get_autocommit(sp->db))
        sqlite3_exec(sp->db, "ROLLBACK", NULL, NULL, NULL);
    pthread_mutex_unlock(&sp->dbmu);
    if (rc != SQLITE_OK)
        return ugw__spool_fail(sp, rc, err);
    if (changed)
        *changed = ch;
    return UGW_OK;
}

ugw_status ugw_spool_stats_get(ugw_spool *sp, ugw_spool_stats *out, ugw_error *err)
{
    static const char sql[] =
        "SELECT (SELECT count(*) FROM pending), (SELECT coalesce(sum(length(body)),0) FROM pending),"
        " (SELECT count(*) FROM dead), (SELECT coalesce(sum(length(body)),0) FROM dead),"
        " (SELECT count(*) FROM marks), (SELECT count(*) FROM pending WHERE attempts>0),"
        " (SELECT coalesce(max(attempts),0) FROM pending), (SELECT coalesce(min(created_ms),0) FROM pending),"
        " (SELECT coalesce(min(next_ms),0) FROM pending)";
    sqlite3_stmt *s;
    int rc;
    ugw_status st = need(sp, false, err);
    if (st != UGW_OK || !out)
        return st ? st : ugw_error_set(err, UGW_ERR_ARG, "no stats to fill", 0, NULL);
    memset(out, 0, sizeof *out);
    pthread_mutex_lock(&sp->dbmu);
    rc = sqlite3_prepare_v2(sp->db, sql, -1, &s, NULL);
    if (rc == SQLITE_OK) {
        if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
            uint64_t *u[] = { &out->pending, &out->pending_bytes, &out->dead, &out->dead_bytes, &out->marks,
                              &out->retrying, &out->max_attempts };
            for (int i = 0; i < 7; i++)
                *u[i] = (uint64_t)sqlite3_column_int64(s, i);
            out->oldest_ms = sqlite3_column_int64(s, 7);
            out->next_attempt_ms = sqlite3_column_int64(s, 8);
            rc = SQLITE_OK;
        }
        sqlite3_finalize(s);
    }
    if (rc == SQLITE_OK) {
        const char *file = sqlite3_db_filename(sp->db, "main");
        char wal[4096];
        struct stat fst;
        if (file && stat(file, &fst) == 0)
            out->file_bytes += (uint64_t)fst.st_size;
        if (file && (size_t)snprintf(wal, sizeof wal, "%s-wal", file) < sizeof wal && stat(wal, &fst) == 0)
            out->file_bytes += (uint64_t)fst.st_size;
    }
    pthread_mutex_unlock(&sp->dbmu);
    return rc == SQLITE_OK ? UGW_OK : ugw__spool_fail(sp, rc, err);
}

typedef struct lister {
    ugw_spool_entry_fn fn;
    void *ctx;
} lister;

static bool list_row(const ugw_spool_entry *e, int64_t seq, void *ctx)
{
    lister *l = ctx;
    (void)seq;
    return l->fn(e, l->ctx);
}

ugw_status ugw_spool_list(ugw_spool *sp, unsigned which, const char *id, ugw_spool_entry_fn fn, void *ctx,
                          ugw_error *err)
{
    lister l = { fn, ctx };
    ugw_status st = need(sp, false, err);
    if (st != UGW_OK)
        return st;
    if (!fn || !(which & (UGW_SPOOL_PENDING | UGW_SPOOL_DEAD)) || (which & ~(UGW_SPOOL_PENDING | UGW_SPOOL_DEAD)))
        return ugw_error_set(err, UGW_ERR_ARG, "no callback, or no or unknown flags", 0, NULL);
    return ugw__spool_each(sp, which, id, list_row, &l, err);
}

ugw_status ugw_spool_retry(ugw_spool *sp, const char *id, uint64_t *moved, ugw_error *err)
{
    /* Back in the order they failed, due now, attempts from 0. */
    static const char *const all[] = {
        "INSERT INTO pending(id,event,format,body,attempts,created_ms,next_ms,last_status,error)"
        " SELECT id,event,format,body,0,created_ms,CAST((julianday('now')-2440587.5)*86400000 AS INTEGER),0,''"
        " FROM dead ORDER BY seq",
        "DELETE FROM dead",
    };
    static const char *const one[] = {
        "INSERT INTO pending(id,event,format,body,attempts,created_ms,next_ms,last_status,error)"
        " SELECT id,event,format,body,0,created_ms,CAST((julianday('now')-2440587.5)*86400000 AS INTEGER),0,''"
        " FROM dead WHERE id=?1 ORDER BY seq",
        "DELETE FROM dead WHERE id=?1",
    };
    ugw_status st = need(sp, true, err);
    if (moved)
        *moved = 0;
    if (st != UGW_OK)
        return st;
    return change(sp, id ? one : all, 2, 1u, id, moved, err);
}

ugw_status ugw_spool_purge(ugw_spool *sp, unsigned which, const char *id, uint64_t *removed, ugw_error *err)
{
    const char *sql[2];
    size_t n = 0;
    ugw_status st = need(sp, true, err);
    if (removed)
        *removed = 0;
    if (st != UGW_OK)
        return st;
    if (!(which & (UGW_SPOOL_PENDING | UGW_SPOOL_DEAD)) || (which & ~(UGW_SPOOL_PENDING | UGW_SPOOL_DEAD)))
        return ugw_error_set(err, UGW_ERR_ARG, "no or unknown flags", 0, NULL);
    if (which & UGW_SPOOL_PENDING)
        sql[n++] = id ? "DELETE FROM pending WHERE id=?1" : "DELETE FROM pending";
    if (which & UGW_SPOOL_DEAD)
        sql[n++] = id ? "DELETE FROM dead WHERE id=?1" : "DELETE FROM dead";
    return change(sp, sql, n, 3u, id, removed, err);
}

ugw_status ugw_spool_marks(ugw_spool *sp, ugw_spool_mark_fn fn, void *ctx, ugw_error *err)
{
    sqlite3_stmt *s;
    int rc;
    ugw_status st = need(sp, false, err);
    if (st != UGW_OK)
        return st;
    if (!fn)
        return ugw_error_set(err, UGW_ERR_ARG, "no callback", 0, NULL);
    pthread_mutex_lock(&sp->dbmu);
    rc = sqlite3_prepare_v2(sp->db, "SELECT key,value FROM marks ORDER BY key", -1, &s, NULL);
    if (rc == SQLITE_OK) {
        while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
            const char *k = (const char *)sqlite3_column_text(s, 0);
            if (!k || !fn(k, (uint64_t)sqlite3_column_int64(s, 1), ctx))
                break;
        }
        if (rc == SQLITE_ROW || rc == SQLITE_DONE)
            rc = SQLITE_OK;
        sqlite3_finalize(s);
    }
    pthread_mutex_unlock(&sp->dbmu);
    return rc == SQLITE_OK ? UGW_OK : ugw__spool_fail(sp, rc, err);
}

ugw_status ugw_spool_marks_clear(ugw_spool *sp, uint64_t *removed, ugw_error *err)
{
    static const char *const sql[] = { "DELETE FROM marks" };
    ugw_status st = need(sp, true, err);
    if (removed)
        *removed = 0;
    if (st != UGW_OK)
        return st;
    return change(sp, sql, 1, 1u, NULL, removed, err);
}
