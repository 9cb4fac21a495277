/*
 * ugw_spool_write.c - what the client writes to its spool, and reading its
 * rows back.
 *
 * Group commit: every enqueuer puts its write (an event, a mark) on the
 * spool's queue and waits. The first one that finds no commit running
 * becomes the leader: it takes the whole queue, writes it in one transaction
 * (one sync, for UGW_SPOOL_SYNC_POWER), marks every write done and wakes the
 * others; writes queued meanwhile go with the next leader. So durability
 * costs one commit per batch of concurrent enqueuers, not one per event, and
 * a lone enqueuer pays one commit without waiting for company.
 *
 * After outcomes and retries the background thread writes what changed
 * (delivered events deleted, failed ones moved to the dead letters, the
 * attempts and next attempt of a retried one), one transaction per batch.
 * Those writes are not waited for by anyone: if one fails (a full disk) the
 * event stays pending and the next client sends it again (at least once).
 * A delivery thread with requests in flight does not queue for the
 * connection behind the producers' commits: it tries it, and when it is
 * busy keeps its finished events for its next pass, a few milliseconds at
 * most (ugw__client_worker_outcomes(), ugw_client_spool.c); their outcomes
 * are reported after the write, as always.
 */
#include <stdlib.h>
#include <string.h>

#include "client_internal.h"

/* Runs a reset statement to its end; SQLite's result (SQLITE_DONE is OK). */
static int run(sqlite3_stmt *s)
{
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    return rc == SQLITE_DONE || rc == SQLITE_ROW ? SQLITE_OK : rc;
}

static int begin(ugw_spool *sp)
{
    return run(sp->stmt[SP_BEGIN]);
}

/* What outcomes and retries change need no sync of their own, even when
 * enqueues are power-safe: a change lost to a power cut only makes an event
 * go out once more (at least once), and the next synced commit makes it
 * durable anyway (the WAL is written in order). */
static void unsynced(ugw_spool *sp, bool on)
{
    /* Not a prepared statement: SQLite applies this pragma when it is
     * prepared, not when it runs. */
    if (sp->power)
        sqlite3_exec(sp->db, on ? "PRAGMA synchronous=NORMAL" : "PRAGMA synchronous=FULL", NULL, NULL, NULL);
}

static int end(ugw_spool *sp, int rc)
{
    if (rc == SQLITE_OK && (rc = run(sp->stmt[SP_COMMIT])) == SQLITE_OK)
        return SQLITE_OK;
    sp->sys_errno = sqlite3_system_errno(sp->db); /* before the rollback's own */
    if (!sqlite3_get_autocommit(sp->db))
        run(sp->stmt[SP_ROLLBACK]);
    return rc;
}

/* One transaction with every write of the batch. A batch of one statement
 * (one event without a mark, the common case with few producers) is its
 * own transaction: the same commit without running BEGIN and COMMIT. */
static int write_batch(ugw_spool *sp, spool_write *batch)
{
    int64_t now = ugw__wall_ms();
    bool alone = !batch->next && (!batch->j || !batch->mark_key);
    int rc = alone ? SQLITE_OK : begin(sp);
    for (spool_write *w = batch; w && rc == SQLITE_OK; w = w->next) {
        if (w->j) {
            job *j = w->j;
            sqlite3_stmt *s = sp->stmt[SP_INSERT];
            sqlite3_bind_text(s, 1, j->id, -1, SQLITE_STATIC);
            sqlite3_bind_text(s, 2, j->event, -1, SQLITE_STATIC);
            sqlite3_bind_int(s, 3, (int)j->format);
            sqlite3_bind_blob64(s, 4, j->len ? (const void *)j->body : "", j->len, SQLITE_STATIC);
            sqlite3_bind_int64(s, 5, now);
            if ((rc = run(s)) == SQLITE_OK)
                j->seq = sqlite3_last_insert_rowid(sp->db);
        }
        if (rc == SQLITE_OK && w->mark_key) {
            sqlite3_stmt *s = sp->stmt[SP_MARK];
            sqlite3_bind_text(s, 1, w->mark_key, -1, SQLITE_STATIC);
            sqlite3_bind_int64(s, 2, (int64_t)w->mark_value);
            rc = run(s);
        }
    }
    if (alone) {
        if (rc != SQLITE_OK) /* SQLite has rolled the statement back */
            sp->sys_errno = sqlite3_system_errno(sp->db);
        return rc;
    }
    return end(sp, rc);
}

ugw_status ugw__spool_commit(ugw_spool *sp, spool_write *w, ugw_error *err)
{
    w->next = NULL;
    w->done = false;
    pthread_mutex_lock(&sp->gmu);
    *sp->queue_tail = w;
    sp->queue_tail = &w->next;
    while (!w->done) {
        spool_write *batch;
        ugw_error e;
        ugw_status st = UGW_OK;
        int rc;
        if (sp->leader) {
            pthread_cond_wait(&sp->gcv, &sp->gmu);
            continue;
        }
        ugw_error_clear(&e);
        sp->leader = true;
        batch = sp->queue;
        sp->queue = NULL;
        sp->queue_tail = &sp->queue;
        pthread_mutex_unlock(&sp->gmu);

        pthread_mutex_lock(&sp->dbmu);
        rc = write_batch(sp, batch);
        if (rc != SQLITE_OK)
            st = ugw__spool_fail(sp, rc, &e);
        pthread_mutex_unlock(&sp->dbmu);

        pthread_mutex_lock(&sp->gmu);
        sp->commits++;
        for (spool_write *b = batch, *next; b; b = next) {
            next = b->next; /* b may leave as soon as it is done */
            if (st != UGW_OK && b->j)
                b->j->seq = 0;
            b->st = st;
            b->msg = st != UGW_OK ? e.message : NULL;
            b->done = true;
        }
        sp->leader = false;
        pthread_cond_broadcast(&sp->gcv);
    }
    pthread_mutex_unlock(&sp->gmu);
    if (w->st != UGW_OK)
        return ugw_error_set(err, w->st, w->msg, 0, "spool_path");
    return UGW_OK;
}

unsigned ugw__spool_finish(ugw_spool *sp, const job *done, bool wait, bool *busy)
{
    int64_t now;
    unsigned failed = 0, n = 0;
    int rc;
    for (const job *j = done; j; j = j->next)
        n += j->seq && j->result != UGW_RESULT_KEPT;
    if (!n)
        return 0;
    if (wait) {
        pthread_mutex_lock(&sp->dbmu);
    } else if (pthread_mutex_trylock(&sp->dbmu) != 0) {
        *busy = true;
        return 0;
    }
    now = ugw__wall_ms();
    unsynced(sp, true);
    rc = begin(sp);
    for (const job *j = done; j && rc == SQLITE_OK; j = j->next) {
        if (!j->seq || j->result == UGW_RESULT_KEPT)
            continue;
        if (j->result != UGW_RESULT_DELIVERED) {
            sqlite3_stmt *s = sp->stmt[SP_TO_DEAD];
            sqlite3_bind_int64(s, 1, j->seq);
            sqlite3_bind_int(s, 2, (int)j->attempts);
            sqlite3_bind_int64(s, 3, now);
            sqlite3_bind_int64(s, 4, j->status);
            sqlite3_bind_text(s, 5, ugw_result_name(j->result), -1, SQLITE_STATIC);
            sqlite3_bind_text(s, 6, j->error, -1, SQLITE_STATIC);
            if ((rc = run(s)) != SQLITE_OK)
                break;
        }
        sqlite3_bind_int64(sp->stmt[SP_DELETE], 1, j->seq);
        rc = run(sp->stmt[SP_DELETE]);
    }
    if (end(sp, rc) != SQLITE_OK)
        failed = n;
    unsynced(sp, false);
    pthread_mutex_unlock(&sp->dbmu);
    return failed;
}

unsigned ugw__spool_note_retries(ugw_spool *sp, const spool_retry *r, unsigned n)
{
    int rc;
    if (!n)
        return 0;
    pthread_mutex_lock(&sp->dbmu);
    unsynced(sp, true);
    rc = begin(sp);
    for (unsigned i = 0; i < n && rc == SQLITE_OK; i++) {
        sqlite3_stmt *s = sp->stmt[SP_RETRY];
        sqlite3_bind_int64(s, 1, r[i].seq);
        sqlite3_bind_int(s, 2, (int)r[i].attempts);
        sqlite3_bind_int64(s, 3, r[i].next_ms);
        sqlite3_bind_int64(s, 4, r[i].status);
        sqlite3_bind_text(s, 5, r[i].error, -1, SQLITE_STATIC);
        rc = run(s);
    }
    rc = end(sp, rc);
    unsynced(sp, false);
    pthread_mutex_unlock(&sp->dbmu);
    return rc == SQLITE_OK ? 0 : n;
}

ugw_status ugw__spool_mark_get(ugw_spool *sp, const char *key, uint64_t *value, ugw_error *err)
{
    sqlite3_stmt *s = sp->stmt[SP_MARK_GET];
    ugw_status st = UGW_OK;
    int rc;
    *value = 0;
    pthread_mutex_lock(&sp->dbmu);
    sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW)
        *value = (uint64_t)sqlite3_column_int64(s, 0);
    else if (rc == SQLITE_DONE)
        st = ugw_error_set(err, UGW_ERR_MISSING, "no such mark", 0, "mark_key");
    else
        st = ugw__spool_fail(sp, rc, err);
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    pthread_mutex_unlock(&sp->dbmu);
    return st;
}

/* ------------------------------------------------------------------ */
/* reading rows back, checked                                           */
/* ------------------------------------------------------------------ */

/* A text column: valid UTF-8 is not required, but no NUL and at most `max`
 * bytes; NULL when not so. */
static const char *text_col(sqlite3_stmt *s, int i, size_t max)
{
    const char *t;
    int n;
    if (sqlite3_column_type(s, i) != SQLITE_TEXT)
        return NULL;
    t = (const char *)sqlite3_column_text(s, i);
    n = sqlite3_column_bytes(s, i);
    if (!t || n < 0 || (size_t)n > max || strlen(t) != (size_t)n)
        return NULL;
    return t;
}

static bool int_col(sqlite3_stmt *s, int i, int64_t lo, int64_t hi, int64_t *out)
{
    if (sqlite3_column_type(s, i) != SQLITE_INTEGER)
        return false;
    *out = sqlite3_column_int64(s, i);
    return *out >= lo && *out <= hi;
}

/* One row into `e`; false when a value is not one a spool holds. */
static bool row_entry(sqlite3_stmt *s, bool dead, ugw_spool_entry *e)
{
    int64_t fmt, attempts, status;
    memset(e, 0, sizeof e[0]);
    e->dead = dead;
    e->id = text_col(s, 1, UGW_WEBHOOK_ID_MAX - 1);
    e->event = text_col(s, 2, 255);
    e->error = text_col(s, 9, CURL_ERROR_SIZE - 1);
    e->result = dead ? text_col(s, 10, 31) : "";
    if (!e->id || !e->event || !e->error || !e->result
        || ugw_webhook_id_check(e->id, strlen(e->id), NULL) != UGW_OK
        || !int_col(s, 3, UGW_FORMAT_JSON, UGW_FORMAT_MSGPACK, &fmt)
        || !int_col(s, 5, 0, 1000000, &attempts)
        || !int_col(s, 6, 0, INT64_MAX, &e->created_ms)
        || !int_col(s, 7, 0, INT64_MAX, &e->when_ms)
        || !int_col(s, 8, 0, 999, &status)
        || (sqlite3_column_type(s, 4) != SQLITE_BLOB && sqlite3_column_type(s, 4) != SQLITE_NULL))
        return false;
    e->format = (ugw_format)fmt;
    e->attempts = (unsigned)attempts;
    e->last_status = (long)status;
    e->body = sqlite3_column_blob(s, 4);
    e->body_len = (size_t)sqlite3_column_bytes(s, 4);
    if (!e->body)
        e->body = "";
    return true;
}

static ugw_status each_table(ugw_spool *sp, bool dead, const char *id, spool_row_fn fn, void *ctx,
                             bool *stopped, ugw_error *err)
{
    static const char *const sql[2][2] = {
        { "SELECT seq,id,event,format,body,attempts,created_ms,next_ms,last_status,error FROM pending ORDER BY seq",
          "SELECT seq,id,event,format,body,attempts,created_ms,next_ms,last_status,error FROM pending"
          " WHERE id=?1 ORDER BY seq" },
        { "SELECT seq,id,event,format,body,attempts,created_ms,failed_ms,last_status,error,result FROM dead"
          " ORDER BY seq",
          "SELECT seq,id,event,format,body,attempts,created_ms,failed_ms,last_status,error,result FROM dead"
          " WHERE id=?1 ORDER BY seq" },
    };
    sqlite3_stmt *s;
    ugw_status st = UGW_OK;
    int rc = sqlite3_prepare_v2(sp->db, sql[dead][id != NULL], -1, &s, NULL);
    if (rc != SQLITE_OK)
        return ugw__spool_fail(sp, rc, err);
    if (id)
        sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        ugw_spool_entry e;
        int64_t seq = sqlite3_column_int64(s, 0);
        if (!row_entry(s, dead, &e)) {
            st = ugw_error_set(err, UGW_ERR_CORRUPT, dead ? "a dead letter in the spool is not valid"
                                                          : "a pending event in the spool is not valid",
                               (size_t)seq, "spool_path");
            break;
        }
        if (!fn(&e, seq, ctx)) {
            *stopped = true;
            break;
        }
    }
    if (st == UGW_OK && !*stopped && rc != SQLITE_DONE)
        st = ugw__spool_fail(sp, rc, err);
    sqlite3_finalize(s);
    return st;
}

ugw_status ugw__spool_each(ugw_spool *sp, unsigned which, const char *id, spool_row_fn fn, void *ctx,
                           ugw_error *err)
{
    ugw_status st = UGW_OK;
    bool stopped = false;
    pthread_mutex_lock(&sp->dbmu);
    /* One read transaction: both tables as of one commit. */
    sqlite3_exec(sp->db, "BEGIN", NULL, NULL, NULL);
    if (which & UGW_SPOOL_PENDING)
        st = each_table(sp, false, id, fn, ctx, &stopped, err);
    if (st == UGW_OK && !stopped && (which & UGW_SPOOL_DEAD))
        st = each_table(sp, true, id, fn, ctx, &stopped, err);
    sqlite3_exec(sp->db, "COMMIT", NULL, NULL, NULL);
    pthread_mutex_unlock(&sp->dbmu);
    return st;
}
