/*
 * test_receiver_internal.h - what the three files of the test receiver
 * (test_receiver.h) share, and nothing else includes:
 *   test_receiver.c         the daemon's lifecycle and the HTTP side (the
 *                           libmicrohttpd callbacks, connection state, body
 *                           upload, delays);
 *   test_receiver_record.c  the records: deciding-and-recording one request,
 *                           the webhook-id table, and the thread-safe
 *                           accessors (tr_count, tr_get, tr_wait_count, ...);
 *   test_receiver_answer.c  the answers: script, decide callback, seeded
 *                           random mode, default action, and building the
 *                           libmicrohttpd response for one.
 *
 * All shared state (records, the id table, the script position, the PRNG)
 * is under tr->mu. Delays wait on tr->stop_cv so that tr_stop() can cut them
 * short before MHD_stop_daemon() joins the connection threads.
 */
#ifndef UGW_TEST_RECEIVER_INTERNAL_H
#define UGW_TEST_RECEIVER_INTERNAL_H

#include "test_receiver.h"

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct MHD_Daemon;
struct MHD_Response;

enum { TR_HDR_ID, TR_HDR_TS, TR_HDR_SIG, TR_HDR_CT, TR_HDR_UA, TR_HDR_COUNT };

typedef struct id_slot {
    char *id; /* NULL = empty slot */
    size_t attempts;
    size_t ok2xx;
} id_slot;

struct test_receiver {
    struct MHD_Daemon *daemon;
    int port;
    char url[64];

    pthread_mutex_t mu;
    pthread_cond_t count_cv; /* CLOCK_MONOTONIC: a record was added */
    pthread_cond_t stop_cv;  /* CLOCK_MONOTONIC: stopping was set */
    bool stopping;

    tr_request *recs;
    size_t nrecs, caprecs;

    id_slot *ids;
    size_t nids, capids; /* capids a power of two, or 0 */
    size_t noid_attempts, noid_ok2xx;

    tr_action *script;
    size_t script_len, script_pos;
    tr_action def;
    tr_decide_fn decide;
    void *decide_ctx;
    bool random_mode;
    double failure_ratio;
    uint64_t rng;
    size_t max_body;
};

typedef struct conn_state {
    test_receiver *tr;
    char *method;
    char *path;
    char *hdr[TR_HDR_COUNT];
    unsigned char *body;
    size_t len, cap;
    bool truncated;
    bool recorded;
    size_t rec_index;
} conn_state;

/* test_receiver_record.c */

/* strdup(s), or NULL for NULL; sets *oom when the copy fails. */
char *tr_dup_or_null(const char *s, bool *oom);
/* CLOCK_MONOTONIC now + ms (negative counts as 0), for timed waits. */
struct timespec tr_deadline_after_ms(int ms);
/* Frees the strings and body of a record (not r itself). */
void tr_free_record_fields(tr_request *r);
/* Decides the answer and appends the record, moving the strings of st into
 * it. On success *act holds an action whose strings the caller frees. */
bool tr_record_request(test_receiver *tr, conn_state *st, tr_action *act);

/* test_receiver_answer.c */

/* Frees the strings of an action and sets them to NULL. */
void tr_free_action_strings(tr_action *a);
/* Copies an action with its strings; false on allocation failure. */
bool tr_copy_action(tr_action *dst, const tr_action *src);
/* The answer to request number index (attempt_no with its id), under tr->mu:
 * 413 when truncated, else decide, script, random mode, default action. */
tr_action tr_choose_action(test_receiver *tr, const conn_state *st, size_t index, unsigned attempt_no);
/* The libmicrohttpd response for action a with this status; NULL on failure. */
struct MHD_Response *tr_build_response(const tr_action *a, int status);

#endif /* UGW_TEST_RECEIVER_INTERNAL_H */
