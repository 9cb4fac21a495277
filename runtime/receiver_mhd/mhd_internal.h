/*
 * mhd_internal.h - the parts of the libmicrohttpd adapter: the server and
 * its connection list (ugw_receiver_mhd.c: start, stop, deadlines,
 * eviction) and the request handler (mhd_request.c: framing, early checks,
 * the body under the budget, the answer).
 */
#ifndef UGW_MHD_INTERNAL_H
#define UGW_MHD_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sys/socket.h>

#include <microhttpd.h>

#include <ugw/ugw_receiver_mhd.h>

#include "mhd_inspector.h"

/* A refused body is read and dropped up to max_body plus this many bytes. */
#define MHD_DRAIN_CAP ((size_t)16 << 20)

/* Where a connection is. */
enum { PHASE_HEADERS = 0, PHASE_BODY = 1, PHASE_BUSY = 2 };

/* One connection (its socket context), in the server's list in the order
 * of `since`: the head waited longest. */
typedef struct mhd_conn {
    struct mhd_conn *prev, *next;
    int fd;
    int phase;
    bool closing;  /* shut down by the server, waiting for MHD to notice */
    int64_t since; /* ms: connection start or end of the previous request */
} mhd_conn;

struct ugw_receiver_mhd {
    struct MHD_Daemon *daemon;
    ugw_receiver *rx;
    ugw_receiver_mhd_config cfg;
    uint16_t port;
    char url[96];
    char limit_msg[64]; /* "body larger than N bytes", as the receiver says it */

    pthread_mutex_t mu; /* the list, the budget, the counters */
    mhd_conn *head, *tail;
    size_t body_bytes;
    ugw_receiver_mhd_stats st;

    mhd_inspector *insp; /* NULL unless cfg.inspector.enabled */

    pthread_t sweeper;
    bool sweeper_started;
    bool stopping;
    pthread_cond_t stop_cv; /* CLOCK_MONOTONIC */
};

/* Binds `addr`:`port` (a name or literal; the first address that binds)
 * and listens; returns the socket (close-on-exec) and its address in
 * *bound, or -1 with a message in `err`. */
int mhd_listen(const char *addr, uint16_t port, struct sockaddr_storage *bound, char *err, size_t errlen);
/* "http://HOST:PORT" + `path` of a bound address into url[0..cap) (IPv6 in
 * brackets); returns the port. */
uint16_t mhd_bound_url(const struct sockaddr_storage *bound, const char *path, char *url, size_t cap);

/* Milliseconds of CLOCK_MONOTONIC. */
int64_t mhd_now_ms(void);

/* The connection's record (its socket context), or NULL. */
mhd_conn *mhd_conn_of(struct MHD_Connection *c);

/* Sets the phase of a connection (under the lock); PHASE_HEADERS also
 * restarts its clock and moves it to the tail of the list. */
void mhd_conn_phase(ugw_receiver_mhd *s, mhd_conn *cn, int phase);

/* Takes `n` more bytes of the memory budget; false when it would be passed. */
bool mhd_budget_take(ugw_receiver_mhd *s, size_t n);
/* Gives back `n` bytes. */
void mhd_budget_give(ugw_receiver_mhd *s, size_t n);

/* Counts one refusal of the kind (a field of the counters). */
void mhd_count(ugw_receiver_mhd *s, uint64_t *field);

/* mhd_routes.c: answers a request that is not a webhook (the metrics
 * path...) and returns its MHD_Result, or -1 when it is a webhook. */
int mhd_route(ugw_receiver_mhd *s, struct MHD_Connection *c, const char *url, const char *method);
/* Queues a whole answer with no-store and nosniff; `copy` when `body` does
 * not outlive the call. */
enum MHD_Result mhd_send_text(struct MHD_Connection *c, unsigned status, const char *ctype, const void *body,
                              size_t len, bool copy);

/* The libmicrohttpd callbacks of mhd_request.c. */
enum MHD_Result mhd_on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                               const char *version, const char *upload_data, size_t *upload_data_size,
                               void **con_cls);
void mhd_on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                      enum MHD_RequestTerminationCode toe);

#endif /* UGW_MHD_INTERNAL_H */
