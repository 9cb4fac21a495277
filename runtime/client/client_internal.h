/*
 * client_internal.h - what the files of runtime/client share (not installed).
 *
 * The delivery client is one background thread that drives libcurl's multi
 * interface over a bounded queue and a retry heap. Its files, by concern:
 *
 *   ugw_client.c           the public API and the lifecycle (new, enqueue,
 *                          send, flush, stats, close)
 *   ugw_client_queue.c     the pending FIFO, the retry heap, finishing events
 *                          and handing their outcomes back
 *   ugw_client_retry.c     the retry policy: the clock, backoff with jitter,
 *                          Retry-After, which answers are retried
 *   ugw_client_transfer.c  the libcurl transfers and the background thread
 *   ugw_dead_letter.c      writing dead letters (docs/DEAD_LETTERS.md)
 *   ugw_dead_letter_reader.c, ugw_line_reader.c
 *                          reading them back, line by line (public API)
 *   ugw_client_event.c     the schema-driven entry points
 *
 * Locking: `mu` guards the queues, the counters and the flags. The curl multi
 * handle and the easy handles belong to the background thread alone (and to
 * ugw_client_close() once that thread has been joined); other threads only
 * call curl_multi_wakeup(), which is safe from any thread. Callbacks,
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

#include <ugw/ugw_client.h>

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
    struct curl_slist *headers;
    size_t len;
    unsigned char body[];
};

/* One easy handle, and the job on it (NULL when free). */
typedef struct slot {
    CURL *easy;
    job *job;
} slot;

struct ugw_client {
    ugw_client_config cfg;      /* defaults filled in; strings point into `strings` */
    char *strings;
    ugw_webhook_signer *signer; /* NULL: unsigned; used by the background thread only */
    int dead_fd;

    pthread_mutex_t mu;
    pthread_cond_t room;        /* count fell below capacity */
    pthread_cond_t idle;        /* count reached 0, or a sync job finished */
    pthread_t thread;
    bool thread_started;
    unsigned waiters;           /* threads inside enqueue or send waiting on room or idle;
                                   close() frees nothing until they are out (mu) */

    /* guarded by mu */
    job *pending_head, *pending_tail;
    job **heap;                 /* retries, by due_ms */
    size_t heap_len, heap_cap;
    size_t count;               /* accepted and not finished */
    size_t unreported;          /* finished, callback not yet returned */
    bool closing, stop, gone;
    bool polling;               /* the thread sleeps in curl_multi_poll() */
    ugw_client_stats stats;
    uint64_t rng;

    /* background thread only */
    CURLM *multi;
    slot *slots;
    unsigned nslots;
};

/* ---- ugw_client_queue.c: the queues (mu held) and finishing ---- */

/* The retry heap, a min-heap by due_ms; push needs heap_len < heap_cap. */
void ugw__client_heap_push(ugw_client *c, job *j);
job *ugw__client_heap_pop(ugw_client *c);
/* The pending FIFO; push_front puts a due retry ahead of the backlog. */
void ugw__client_pending_push(ugw_client *c, job *j);
void ugw__client_pending_push_front(ugw_client *c, job *j);
job *ugw__client_pending_pop(ugw_client *c);
/* Takes `j` off the books with result `r` and onto the list `done` (mu held). */
void ugw__client_finish_locked(ugw_client *c, job *j, ugw_result r, job **done);
/* After a 410 every queued event fails at once (mu held). */
void ugw__client_fail_queued_gone(ugw_client *c, job **done);
/* Without mu: dead letter, callback, wake a send(), free; for each of `done`. */
void ugw__client_deliver_outcomes(ugw_client *c, job *done);

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

/* ---- ugw_client_transfer.c: libcurl, on the background thread ---- */

/* A configured easy handle for the client's URL; NULL when out of memory. */
CURL *ugw__client_make_easy(ugw_client *c);
/* The background thread. */
void *ugw__client_thread(void *arg);

/* ---- ugw_dead_letter.c ---- */

/* Appends the dead-letter line of a failed job, when a file is configured
 * (without mu). Returns 0, or the errno of a failed write (the record is then
 * not in the file, not even in part). */
int ugw__client_dead_letter(ugw_client *c, const job *j);

/* ---- ugw_line_reader.c ---- */

/* Fills `err` (may be NULL) and returns -1. */
int ugw__read_fail(ugw_read_error *err, ugw_status code, const char *msg, uint64_t line,
                   uint64_t pos, const char *key, int sys_errno);
/* Clears `err` (may be NULL). */
void ugw__read_clear(ugw_read_error *err);

#endif /* UGW_CLIENT_INTERNAL_H */
