/*
 * client_internal.h - what the files of runtime/client share (not installed).
 *
 * The delivery client is a bounded queue and a retry heap, shared by N
 * delivery threads ("workers"), each driving its own libcurl multi handle
 * with curl_multi_socket_action() over its own epoll set. Its files, by
 * concern:
 *
 *   ugw_client.c           the public API and the lifecycle (new, enqueue,
 *                          send, flush, stats, close)
 *   ugw_client_queue.c     the pending FIFO, the retry heap, finishing events
 *                          and handing their outcomes back
 *   ugw_client_retry.c     the retry policy: the clock, backoff with jitter,
 *                          Retry-After, which answers are retried
 *   ugw_client_transfer.c  one attempt: the client's strings and the
 *                          environment's proxies, the easy handles, the
 *                          request headers, what the answer means
 *   ugw_client_worker.c    the delivery threads: epoll, libcurl's socket and
 *                          timer callbacks, taking work and waking each other
 *   ugw_dead_letter.c      writing dead letters (docs/DEAD_LETTERS.md)
 *   ugw_dead_letter_reader.c
 *                          reading them back, over the line reader of
 *                          ugw::runtime (ugw_lines.h; public API)
 *   ugw_client_event.c     the schema-driven entry points
 *   ugw_spool.c            the durable spool: opening, checking and owning
 *                          the SQLite file, its schema, errors
 *   ugw_spool_write.c      writing it: the group commit of enqueued events
 *                          and marks, what outcomes and retries change
 *   ugw_spool_admin.c      reading and acting on it (ugw_spool.h)
 *   ugw_spool_vfs.c        the SQLite VFS it is opened with: a commit's WAL
 *                          writes in one system call
 *   ugw_client_spool.c     the client with a spool: defaults, resuming
 *                          pending events, accepting through a commit
 *
 * Locking: `mu` guards the queues, the counters and the flags (the
 * counters are exact: every change is made under it). A worker's multi
 * handle, epoll set and easy handles belong to that worker alone (and to
 * ugw_client_close() once it has been joined); other threads only write to
 * its eventfd to wake it. `cb_mu` serialises the outcome callbacks and the
 * dead-letter writes: they run on any worker, never two at once. Callbacks,
 * dead-letter writes and frees happen outside `mu`. A function below whose
 * name ends in _locked, or that says "mu held", is called with `mu` held.
 *
 * Internal names start with ugw__client_ (or ugw__ for the few used by more
 * than the client): hidden in a shared library, and unlikely to clash with a
 * program's own symbols when linked statically.
 */
#ifndef UGW_CLIENT_INTERNAL_H
#define UGW_CLIENT_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <curl/curl.h>
#include <sqlite3.h>

#include <ugw/ugw_client.h>
#include <ugw/ugw_spool.h>

#include "../common/ugw_read_error.h"

#define CLIENT_UA "ugw/" UGW_VERSION_STRING

typedef struct job job;
typedef struct sync_wait sync_wait;

/* A ugw_client_send_*() waiting for its event's outcome. */
struct sync_wait {
    bool done;
    ugw_outcome outcome;
    char error[CURL_ERROR_SIZE]; /* the outcome's error text, kept */
};

/* One accepted event, from enqueue to its outcome. */
struct job {
    job *next;                  /* in the pending FIFO or the finished list */
    char id[UGW_WEBHOOK_ID_MAX];
    char event[256];            /* schema event strings are at most 255 bytes */
    ugw_format format;
    void *user;
    sync_wait *sync;            /* ugw_client_send_*() waiting for it */
    int64_t created_ms;         /* monotonic */
    int64_t seq;                /* its row in the spool, 0 when not spooled */
    int64_t due_ms;             /* next attempt (in the heap) */
    unsigned attempts;
    long status;
    int curl_code;
    bool gone;
    ugw_result result;
    char error[CURL_ERROR_SIZE];
    /* per attempt, while in flight */
    int slot;
    int64_t retry_after_ms;     /* from the last answer, -1 when none */
    size_t len;
    size_t cap;                 /* bytes allocated for body[] (len rounded up) */
    unsigned char body[];
};

/* The request headers of an attempt, in the slot's own storage (no
 * allocation): the client's User-Agent line when it has one (ua_line),
 * Content-Type, webhook-id, webhook-timestamp, webhook-signature (with a
 * signer), and "Expect:" (no 100-continue) for bodies over
 * SLOT_EXPECT_OVER bytes (libcurl sends none for smaller ones). Each line's
 * name is written once, when the slot is made; an attempt writes the
 * values that change and links the optional lines. */
enum { SLOT_LINES = 5, SLOT_HEADERS = 6, SLOT_HEADER_LEN = 32 + UGW_WEBHOOK_ID_MAX + UGW_SIGNATURE_MAX };
enum { SLOT_H_TYPE, SLOT_H_ID, SLOT_H_TS, SLOT_H_SIG, SLOT_H_EXPECT, SLOT_H_UA /* no line: ua_line */ };
#define SLOT_EXPECT_OVER 1024

/* One easy handle, and the job on it (NULL when free). The options that do
 * not change from one attempt to the next (the header list, the error
 * buffer, the slot as private and header data) are set once, when the slot
 * is made. */
typedef struct slot {
    CURL *easy;
    job *job;
    int format;                 /* of the Content-Type line, -1 before the first */
    struct curl_slist hdr[SLOT_HEADERS];
    char line[SLOT_LINES][SLOT_HEADER_LEN];
    char error[CURL_ERROR_SIZE]; /* libcurl's error text of the attempt */
} slot;

/* One delivery thread: its share of the slots, its multi handle, its epoll
 * set and the eventfd that wakes it. */
typedef struct worker {
    ugw_client *c;
    unsigned index;
    pthread_t thread;
    bool started;
    CURLM *multi;
    int epfd, evfd;
    int64_t timer_due_ns;       /* libcurl's timer (monotonic ns), -1 when none */
    slot *slots;
    unsigned nslots;
    ugw_webhook_signer *signer; /* NULL: unsigned; this worker's own (one thread each) */
    unsigned char *fds;         /* by socket: what the epoll set holds, what libcurl wants */
    size_t nfds;
    /* under the client's mu */
    unsigned busy;              /* slots with a job */
    bool polling;               /* asleep (or about to be) with free slots */
    /* this thread only: retries to record in the spool, one per slot */
    struct spool_retry *retries;
    unsigned nretries;
    /* this thread only: finished events whose spool write waits for the
     * spool to be free (ugw__client_worker_outcomes()), since held_ms */
    struct job *held;
    unsigned nheld;
    int64_t held_ms;
} worker;

struct ugw_client {
    ugw_client_config cfg;      /* defaults filled in; strings point into `strings` */
    char *strings;
    /* libcurl's proxy and no-proxy lists from the environment, read once by
     * ugw_client_new() by libcurl's own rules (in `strings`; NULL: none) and
     * given to every easy handle, so that no transfer reads them again */
    const char *env_proxy, *env_noproxy;
    /* "User-Agent: <user_agent>", sent as one of the slots' header lines
     * (libcurl formats the header once instead of twice); NULL when the
     * user agent is empty or a proxy is configured (a CONNECT to the proxy
     * carries the user agent only when libcurl adds it: CURLOPT_USERAGENT) */
    char *ua_line;
    /* cfg.url parsed once, by libcurl's rules, for every easy handle
     * (CURLOPT_CURLU: a transfer copies it instead of parsing the URL
     * again); read only, by every worker; NULL: the handles take cfg.url */
    CURLU *url;
    int dead_fd;

    pthread_mutex_t mu;
    pthread_mutex_t cb_mu;      /* one outcome callback (and dead-letter write) at a time */
    pthread_mutex_t pool_mu;    /* the jobs kept for reuse below */
    job *pool;                  /* (pool_mu) finished jobs kept for the next events, through next */
    unsigned npool, pool_max;
    pthread_cond_t room;        /* count fell below capacity */
    pthread_cond_t idle;        /* count reached 0, or a sync job finished */
    unsigned waiters;           /* threads inside enqueue or send waiting on room or idle;
                                   close() frees nothing until they are out (mu) */
    unsigned room_waiters;      /* of them, waiting on room (mu) */

    /* guarded by mu */
    job *pending_head, *pending_tail;
    job **heap;                 /* retries, by due_ms */
    size_t heap_len, heap_cap;
    size_t count;               /* accepted and not finished */
    size_t unreported;          /* finished, callback not yet returned */
    bool closing, stop, gone;
    unsigned npolling;          /* workers with `polling` set */
    unsigned wake_next;         /* where the search for a worker to wake starts */
    ugw_client_stats stats;
    uint64_t rng;

    /* the spool (NULL: memory only); its bounds under mu */
    ugw_spool *spool;
    uint64_t cap_events;        /* the bound on `count` (queue_capacity or spool_max_events) */
    uint64_t spool_bytes;       /* bodies of the events in `count` (spool only) */
    unsigned committing;        /* enqueuers inside a spool commit (close() waits for them) */
    bool long_schedule;         /* the spool's retry schedule (days), not doubling */

    /* the delivery threads, fixed from start to close */
    worker *workers;
    unsigned nworkers;
};

/* ---- ugw_spool*.c: the spool ---- */

/* One enqueuer's write in a group commit: an event (j, which gets its seq)
 * and/or a mark. */
typedef struct spool_write {
    struct spool_write *next;
    job *j;
    const char *mark_key;
    uint64_t mark_value;
    bool done;
    ugw_status st;
    const char *msg;
} spool_write;

/* A retry to record: the row, the attempts so far, the next attempt (Unix
 * ms), the last status and error. */
typedef struct spool_retry {
    int64_t seq;
    unsigned attempts;
    int64_t next_ms;
    long status;
    char error[CURL_ERROR_SIZE];
} spool_retry;

enum { SP_INSERT, SP_MARK, SP_DELETE, SP_TO_DEAD, SP_RETRY, SP_MARK_GET, SP_BEGIN, SP_COMMIT,
       SP_ROLLBACK, SP_COUNT };

struct ugw_spool {
    sqlite3 *db;
    int lock_fd;                /* owned: the flock()ed descriptor, closed after the database */
    bool read_only;
    bool power;                 /* UGW_SPOOL_SYNC_POWER: enqueue commits are synced */
    int sys_errno;              /* (dbmu) the errno of the last failed transaction */
    pthread_mutex_t dbmu;       /* the connection and its statements, sys_errno */
    pthread_mutex_t gmu;        /* the group commit below */
    pthread_cond_t gcv;
    spool_write *queue, **queue_tail;
    bool leader;
    uint64_t commits;           /* (gmu) */
    sqlite3_stmt *stmt[SP_COUNT];
};

/* Opens a spool: owned (`own`: flock, statements for writing, created 0600
 * with `create` when missing) or read-only; checks that it is ours. */
ugw_status ugw__spool_open(const char *path, bool own, bool create, ugw_spool_sync sync,
                           ugw_spool **out, ugw_error *err);
/* Sets `err` for an SQLite result code (static messages), returns the code. */
ugw_status ugw__spool_fail(ugw_spool *sp, int rc, ugw_error *err);
/* The name of the spool's SQLite VFS (ugw_spool_vfs.c), registered on
 * first use; NULL (SQLite's default) when it could not be registered. */
const char *ugw__spool_vfs(void);
/* Unix time in milliseconds (spool times survive restarts: not monotonic). */
int64_t ugw__wall_ms(void);
/* Each pending (UGW_SPOOL_PENDING) and/or dead row, checked, with its seq. */
typedef bool (*spool_row_fn)(const ugw_spool_entry *e, int64_t seq, void *ctx);
ugw_status ugw__spool_each(ugw_spool *sp, unsigned which, const char *id, spool_row_fn fn, void *ctx,
                           ugw_error *err);
/* Commits `w` with whatever other threads are committing (one transaction,
 * one sync); returns when it is durable or failed. */
ugw_status ugw__spool_commit(ugw_spool *sp, spool_write *w, ugw_error *err);
/* After outcomes: delivered events leave, failed ones become dead letters
 * (KEPT ones stay). One transaction; returns the number of failed writes.
 * With `wait` false, writes nothing and sets *busy when another thread is
 * writing the spool. */
unsigned ugw__spool_finish(ugw_spool *sp, const job *done, bool wait, bool *busy);
/* Records retries (attempts, next attempt); returns the failed writes. */
unsigned ugw__spool_note_retries(ugw_spool *sp, const spool_retry *r, unsigned n);
/* The value of a mark: UGW_OK, UGW_ERR_MISSING, or an error. */
ugw_status ugw__spool_mark_get(ugw_spool *sp, const char *key, uint64_t *value, ugw_error *err);
/* Checks a mark key: 1 to 1024 bytes. */
bool ugw__spool_mark_key_ok(const char *key);

/* ---- ugw_client_spool.c: the client with a spool ---- */

/* Opens the configured spool, fills the defaults it changes (`given`: the
 * caller's config, to tell what was left 0), allocates the heap and loads the
 * pending events as jobs (before the thread starts). */
ugw_status ugw__client_spool_start(ugw_client *c, const ugw_client_config *given, ugw_error *err);
/* The spool's retry schedule: the wait after the `attempts`-th failure. */
int64_t ugw__client_schedule_ms(unsigned attempts);
/* How long (ms) a worker may hold finished events while the spool is busy
 * with enqueues, before it waits for the spool. */
#define UGW_SPOOL_HOLD_MS 5
/* A worker's finished events (`done`, may be NULL) and those it holds:
 * written to the spool and reported (ugw__client_deliver_outcomes()), or,
 * when the spool is busy and nothing says to wait, held for the next pass,
 * so that a worker does not sleep on the spool's lock with requests to
 * drive. It waits when told (`wait`: the worker stops, or has nothing in
 * flight), when a send() waits for one of the events, when the oldest was
 * held UGW_SPOOL_HOLD_MS, or when it holds as many as it has slots: so a
 * kill finds at most twice its slots delivered and still pending, as
 * before (in flight, and finished in the pass being written). Without a
 * spool: ugw__client_deliver_outcomes(). */
void ugw__client_worker_outcomes(ugw_client *c, worker *w, job *done, bool wait);

/* ---- ugw_client_queue.c: the queues (mu held) and finishing ---- */

/* The retry heap, a min-heap by due_ms; push needs heap_len < heap_cap. */
void ugw__client_heap_push(ugw_client *c, job *j);
job *ugw__client_heap_pop(ugw_client *c);
/* The pending FIFO; push_front puts a due retry ahead of the backlog. */
void ugw__client_pending_push(ugw_client *c, job *j);
void ugw__client_pending_push_front(ugw_client *c, job *j);
job *ugw__client_pending_pop(ugw_client *c);
/* A job with room for a body of `len` bytes, its fields zeroed (cap set):
 * one kept from a finished event when it is large enough, else a new one;
 * NULL when out of memory. Any thread, without mu. */
job *ugw__client_job_new(ugw_client *c, size_t len);
/* Frees the jobs of the list `j` (through next), keeping up to pool_max of
 * them for the next events. Any thread, without mu. */
void ugw__client_jobs_free(ugw_client *c, job *j);
/* Takes `j` off the books with result `r` and onto the list `done` (mu held). */
void ugw__client_finish_locked(ugw_client *c, job *j, ugw_result r, job **done);
/* After a 410 every queued event fails at once (mu held). */
void ugw__client_fail_queued_gone(ugw_client *c, job **done);
/* Without mu: the spool (ugw__spool_finish()), then dead letter, callback,
 * wake a send(), free; for each of `done`. */
void ugw__client_deliver_outcomes(ugw_client *c, job *done);
/* The same after the spool was written. */
void ugw__client_report_outcomes(ugw_client *c, job *done);
/* Whether producers waiting for room should be woken now (mu held): there
 * is room and either a worker would otherwise sleep with free slots
 * (`starving`) or room came back below a low mark. With a full queue a
 * producer is so woken once per batch of completions, not once per event. */
bool ugw__client_room_wake_locked(const ugw_client *c, bool starving);

/* ---- ugw_client_retry.c: the retry policy ---- */

/* The monotonic clock in milliseconds. */
int64_t ugw__client_now_ms(void);
/* Seeds the client's jitter generator (not for security). */
void ugw__client_seed(ugw_client *c);
/* Backoff before attempt `attempts + 1`: base * 2^(attempts-1), capped, with
 * jitter (mu held: it draws from the client's generator). */
int64_t ugw__client_backoff_ms(ugw_client *c, unsigned attempts);
/* Retry-After (RFC 9110 10.2.3) from a header value of `n` bytes: delay-seconds
 * or an HTTP-date, in ms (at most a year, either way); -1 when malformed. */
int64_t ugw__client_retry_after_ms(const char *v, size_t n);
/* Whether an HTTP status is worth another attempt: 408, 429, 5xx. */
bool ugw__client_status_retryable(long status);
/* Whether Retry-After overrides the backoff for this status: 429, 503. */
bool ugw__client_status_takes_retry_after(long status);
/* libcurl results that no retry can fix (a bad URL or protocol). */
bool ugw__client_curl_permanent(CURLcode r);
/* libcurl results that are TLS certificate failures (not retried unless
 * the config's tls_retry says so). */
bool ugw__client_curl_tls(CURLcode r);

/* ---- ugw_client_transfer.c: one attempt, on its worker ---- */

/* Copies the config's strings (defaults filled in) into one block owned by
 * the client, with the proxy variables of the environment that apply to its
 * URL (libcurl's rules), and makes ua_line; false when out of memory. */
bool ugw__client_copy_strings(ugw_client *c, const ugw_client_config *cfg);
/* A configured easy handle for the client's URL; NULL when out of memory. */
CURL *ugw__client_make_easy(ugw_client *c);
/* Makes slot `s` of `w`: its easy handle, the names of its header lines and
 * the options that stay from one attempt to the next; false when out of
 * memory. */
bool ugw__client_slot_init(ugw_client *c, worker *w, slot *s);
/* Takes `j` (popped from pending, mu held) onto a free slot of `w`: the
 * counters and the attempt number; returns the slot. */
unsigned ugw__client_take_slot_locked(ugw_client *c, worker *w, job *j);
/* Builds the attempt's headers (signing) and adds it to the worker's multi
 * handle (without mu). False when out of memory: the job is still on its
 * slot, with an error text. */
bool ugw__client_start_attempt(worker *w, job *j);
/* Takes the finished attempt of `j` off its slot (without mu): removes the
 * easy handle, reads the status. */
void ugw__client_attempt_off(worker *w, job *j, CURLcode r);
/* An attempt ended (mu held): delivered, failed, or back into the heap. */
void ugw__client_attempt_done_locked(ugw_client *c, worker *w, job *j, CURLcode r, job **done);

/* ---- ugw_client_worker.c: the delivery threads ---- */

/* How many workers a config asks for (0: the online cores), at most one per
 * slot and UGW_CLIENT_THREADS_MAX. */
unsigned ugw__client_worker_count(unsigned asked, unsigned slots);
/* Sets up worker `i` of `n` with its share of `slots` and its signer for
 * `key` (NULL: unsigned), before any thread starts; false when out of memory
 * or descriptors. */
bool ugw__client_worker_init(ugw_client *c, worker *w, unsigned i, unsigned n, unsigned slots,
                             const ugw_secret *key);
/* Frees what ugw__client_worker_init() made (the thread joined). */
void ugw__client_worker_free(worker *w);
/* The thread of a worker. */
void *ugw__client_worker_main(void *arg);
/* Wakes a worker from its epoll_wait() (any thread). */
void ugw__client_worker_wake(worker *w);
/* Picks a sleeping worker with a free slot for pending work and clears its
 * `polling` (mu held); NULL when none sleeps. The caller wakes it after
 * unlocking. */
worker *ugw__client_worker_to_wake_locked(ugw_client *c);
/* Whether the calling thread is one of `c`'s workers (an outcome callback). */
bool ugw__client_on_worker(const ugw_client *c);
/* Stops and joins the workers that were started (close, or a failed start). */
void ugw__client_workers_stop(ugw_client *c);
/* tune_malloc: glibc's trim threshold and top pad for the process, once. */
void ugw__client_tune_malloc(void);

/* ---- ugw_dead_letter.c ---- */

/* Appends the dead-letter line of a failed job, when a file is configured
 * (without mu). Returns 0, or the errno of a failed write (the record is then
 * not in the file, not even in part). */
int ugw__client_dead_letter(ugw_client *c, const job *j);

#endif /* UGW_CLIENT_INTERNAL_H */
