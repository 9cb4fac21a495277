/*
 * test_receiver.h - an in-process HTTP webhook receiver for the delivery
 * tests, on libmicrohttpd.
 *
 * tr_start() listens on 127.0.0.1 on a free port (one thread per connection,
 * so slow answers and many keep-alive connections never block each other),
 * records every request (method, path, the Standard Webhooks headers,
 * Content-Type, User-Agent, the body bytes, the answer, the receive time)
 * and answers each one as a script, a callback, a seeded random mode or a
 * default action decides. Accessors are thread-safe; tr_wait_count() lets a
 * test wait for the n-th request.
 *
 * Test support only: the names use the tr_ prefix, not ugw_.
 *
 * Threads: the receiver's own threads call the decide callback; every other
 * function may be called from any thread, except that tr_stop() must not
 * race with other calls on the same receiver.
 */
#ifndef UGW_TEST_RECEIVER_H
#define UGW_TEST_RECEIVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Bodies longer than this (default of tr_config.max_body) are cut to it,
 * flagged body_truncated, and answered 413 whatever the script says. */
#define TR_DEFAULT_MAX_BODY ((size_t)1 << 20)

typedef enum tr_kind {
    /* A complete response: status line, headers, and a body (empty for 204
     * and 304, a short text otherwise). */
    TR_NORMAL = 0,
    /* The status line and headers with Content-Length: 64, then 8 bytes of
     * body, then the connection is closed: the client sees an incomplete
     * response (libcurl: CURLE_PARTIAL_FILE). */
    TR_RESET = 1
} tr_kind;

/* How to answer one request. All fields zero means "204, no delay". */
typedef struct tr_action {
    int status;              /* 100..599; 0 = 204 (TR_NORMAL) or 200 (TR_RESET) */
    const char *retry_after; /* Retry-After header value, or NULL for none */
    const char *location;    /* Location header value (for 3xx), or NULL */
    int delay_ms;            /* sleep this long before answering; tr_stop cuts it short */
    tr_kind kind;
} tr_action;

/* The request as the decide callback sees it. Pointers are valid only during
 * the call. Header fields are NULL when the header is absent. */
typedef struct tr_request_info {
    const char *method;
    const char *path;              /* the URL path, without the query */
    const char *webhook_id;
    const char *webhook_timestamp;
    const char *webhook_signature;
    const char *content_type;
    const char *user_agent;
    const unsigned char *body;     /* body_len bytes, then a NUL not counted */
    size_t body_len;
    bool body_truncated;           /* the body was longer than max_body */
    size_t index;                  /* 0-based order among all requests recorded */
} tr_request_info;

/*
 * Chooses the answer for one request. attempt_no counts the requests seen so
 * far with this webhook-id, this one included (1 for the first); requests
 * without a webhook-id share one counter. Called from the receiver's threads
 * with its lock held: calls are serialised, so ctx needs no locking of its
 * own, but the callback must be quick and must not call tr_* functions of the
 * same receiver (it would deadlock). retry_after and location strings of the
 * returned action are copied before the lock is released; they must stay
 * valid at least until the callback returns to the receiver (string literals
 * or storage in ctx).
 */
typedef tr_action (*tr_decide_fn)(const tr_request_info *req, unsigned attempt_no, void *ctx);

/*
 * Configuration. Zero-initialise and set what you need. The answer to each
 * request comes from the first of these that applies:
 *   1. the body exceeded max_body: 413;
 *   2. decide, when set;
 *   3. the next unused entry of script[0 .. script_len);
 *   4. the random mode, when random_mode is set;
 *   5. default_action (all zero: 204).
 */
typedef struct tr_config {
    const tr_action *script; /* copied by tr_start, strings too */
    size_t script_len;
    tr_action default_action; /* copied by tr_start */

    tr_decide_fn decide;
    void *decide_ctx;

    /* Random mode: each request fails with probability failure_ratio, with
     * one of (equally likely) 500, 503 + Retry-After: 0, 503 + Retry-After: 1,
     * 429, 408, or TR_RESET (status 200); otherwise 204. The sequence of
     * answers in arrival order is a function of seed alone. */
    bool random_mode;
    uint64_t seed;
    double failure_ratio; /* 0.0 .. 1.0 */

    size_t max_body; /* 0 = TR_DEFAULT_MAX_BODY */
    bool verbose;    /* let libmicrohttpd print its error log to stderr */
} tr_config;

/* One recorded request, a deep copy owned by the caller of tr_get(), freed
 * with tr_request_free(). Header fields are NULL when the header was absent. */
typedef struct tr_request {
    char *method;
    char *path;
    char *webhook_id;
    char *webhook_timestamp;
    char *webhook_signature;
    char *content_type;
    char *user_agent;
    unsigned char *body; /* body_len bytes, then a NUL not counted; never NULL */
    size_t body_len;
    bool body_truncated;

    size_t index;        /* 0-based order in which requests were recorded */
    unsigned attempt_no; /* as passed to decide */
    int status;          /* the status line answered (or, while delayed, to be answered) */
    tr_kind kind;
    int delay_ms;
    /* libmicrohttpd reported the response fully sent. False while the answer
     * is pending, after TR_RESET, and when the client went away first. */
    bool completed;
    struct timespec received;      /* CLOCK_REALTIME when the body was complete */
    struct timespec received_mono; /* CLOCK_MONOTONIC, same moment: for intervals */
} tr_request;

typedef struct test_receiver test_receiver;

/* Starts a receiver on 127.0.0.1, port chosen by the kernel. cfg may be NULL
 * (every request answered 204). Returns NULL on failure (message on stderr). */
test_receiver *tr_start(const tr_config *cfg);

/* Stops the daemon, wakes delayed answers (their connections are closed
 * unanswered), joins every thread and frees everything, tr_request copies
 * already handed out excepted. Safe with NULL. Returns within about a second
 * even with requests in flight. */
void tr_stop(test_receiver *tr);

int tr_port(const test_receiver *tr);
/* "http://127.0.0.1:PORT/hook", owned by the receiver. */
const char *tr_url(const test_receiver *tr);

/* Number of requests recorded so far. */
size_t tr_count(test_receiver *tr);

/* Deep copy of the i-th recorded request into *copy. False (and *copy zeroed)
 * when i >= tr_count() or on allocation failure. */
bool tr_get(test_receiver *tr, size_t i, tr_request *copy);
/* Frees what tr_get() allocated and zeroes *r. Safe with NULL. */
void tr_request_free(tr_request *r);

/* Calls fn for every recorded request in order, with the lock held (fn must
 * not call tr_* functions of this receiver). The request is valid only during
 * the call. Stops early when fn returns false. */
void tr_foreach(test_receiver *tr, bool (*fn)(const tr_request *r, void *ctx), void *ctx);

/* Requests with this webhook-id answered (or to be answered) with a 2xx as
 * TR_NORMAL. O(1). */
size_t tr_count_2xx_for_id(test_receiver *tr, const char *id);
/* Requests seen with this webhook-id. O(1). */
size_t tr_attempts_for_id(test_receiver *tr, const char *id);
/* Number of distinct webhook-id values seen. */
size_t tr_distinct_ids(test_receiver *tr);

/* Waits until at least n requests are recorded, or timeout_ms passes.
 * Returns whether the count was reached. */
bool tr_wait_count(test_receiver *tr, size_t n, int timeout_ms);

/* A port on 127.0.0.1 where nothing listens right now (bound to port 0,
 * read, closed), or -1 on failure: for connection-refused tests. */
int tr_refused_port(void);

#ifdef __cplusplus
}
#endif

#endif /* UGW_TEST_RECEIVER_H */
