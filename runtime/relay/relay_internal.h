/*
 * relay_internal.h - what the files of runtime/relay share (not installed).
 *
 *   ugw_relay_endpoints.c  the endpoints file (public API)
 *   ugw_relay_nats.c       settings, connecting, NATS statuses as ugw errors,
 *                          creating the streams
 *   ugw_relay_producer.c   publishing events (public API)
 *   ugw_relay.c            the relay: consumers, one puller thread and one
 *                          delivery client per endpoint, counters, close
 *   ugw_relay_outcome.c    what each delivery's outcome does to its message:
 *                          ack, nak with the backoff, dead letter and term
 *
 * Internal names start with ugw__relay_ (hidden in a shared library).
 */
#ifndef UGW_RELAY_INTERNAL_H
#define UGW_RELAY_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <nats/nats.h>

#include <ugw/ugw_client.h>
#include <ugw/ugw_relay.h>

/* The room for a subject or a consumer name we build: prefixes are at most
 * 128 bytes, names 64. */
#define RELAY_PREFIX_MAX 128
#define RELAY_SUBJECT_MAX (RELAY_PREFIX_MAX + 1 + UGW_RELAY_NAME_MAX + 1)

/* ugw_relay_nats with the defaults filled in and the strings copied. */
typedef struct relay_nats {
    char *servers_text;         /* one copy, cut at the commas */
    const char **servers;
    int nservers;
    char stream[UGW_RELAY_NAME_MAX + 1];
    char prefix[RELAY_PREFIX_MAX + 1];
    char dead[RELAY_PREFIX_MAX + 1];
    int64_t timeout_ms;
} relay_nats;

/* Checks and copies `in` (NULL: all defaults). UGW_ERR_ARG with the path of
 * the bad setting, UGW_ERR_NOMEM. */
ugw_status ugw__relay_nats_copy(const ugw_relay_nats *in, relay_nats *out, ugw_error *err);
void ugw__relay_nats_free(relay_nats *n);
/* Connects (reconnecting forever after, to any server of the list) and makes
 * the JetStream context. `send_asap`: every publish (a pull request) is
 * written at once by the publishing thread; otherwise libnats's flusher
 * thread writes what accumulated about a millisecond after the first
 * publish, so that many small publishes (acknowledgements) share a write. */
ugw_status ugw__relay_connect(const relay_nats *n, const char *name, bool send_asap, natsConnection **nc,
                              jsCtx **js, ugw_error *err);
void ugw__relay_disconnect(natsConnection *nc, jsCtx *js);
/* A NATS status (and JetStream error code) as a ugw error; the message is
 * the library's static text, `path` says what was being done. Returns the code. */
ugw_status ugw__relay_fail(ugw_error *err, natsStatus s, jsErrCode jerr, const char *path);
/* "<prefix>.<name>" into out[RELAY_SUBJECT_MAX]. */
void ugw__relay_subject(char *out, const char *prefix, const char *name);
/* Publishes `len` bytes to `subject` with message id `id` and waits for the
 * stream's acknowledgement (headers: Content-Type, Ugw-Event when not NULL). */
ugw_status ugw__relay_js_publish(jsCtx *js, const relay_nats *n, const char *subject, const void *body,
                                 size_t len, const char *media_type, const char *event, const char *id,
                                 bool *duplicate, ugw_error *err);

/* ---- the relay (ugw_relay.c) ---- */

typedef struct relay_ep relay_ep;

struct relay_ep {
    ugw_relay *r;
    char name[UGW_RELAY_NAME_MAX + 1];
    char subject[RELAY_SUBJECT_MAX];
    char dead_subject[RELAY_SUBJECT_MAX];
    char consumer[UGW_RELAY_NAME_MAX * 2 + 2];
    unsigned limit;             /* requests at once */
    unsigned window;            /* messages taken at once: limit, or twice it (ready ones) */
    unsigned batch;             /* the puller fetches once this many places are free */
    ugw_client *client;
    natsSubscription *sub;
    pthread_t thread;
    bool started;
    /* guarded by r->mu */
    unsigned taken;             /* messages fetched and not yet settled */
    bool gone;
    ugw_relay_stats stats;
};

struct ugw_relay {
    relay_nats nats;
    ugw_relay_config cfg;       /* defaults filled in; nats and endpoints not used */
    /* Two connections. `nc` (buffered: libnats's flusher writes what
     * accumulated about 1 ms after the first publish) carries the
     * acknowledgements, many to a write, the dead letters and the consumer
     * requests. `pnc` (send-asap) carries the pull subscriptions: a pull
     * request leaves at once instead of after the flusher's millisecond,
     * which bounded a relay to a few messages per millisecond. */
    natsConnection *nc;
    jsCtx *js;
    natsConnection *pnc;
    jsCtx *pjs;
    relay_ep *eps;
    size_t neps;
    pthread_mutex_t mu;
    pthread_cond_t room;        /* an endpoint's `taken` fell, or stop */
    bool stop;
    uint64_t rng;
};

/* One fetched message on its way through a client (the client's `user`). */
typedef struct relay_msg {
    relay_ep *ep;
    natsMsg *msg;
    uint64_t delivered;         /* the server's delivery count, 1 on the first */
    int64_t published_ms;       /* wall clock, when the stream stored it */
} relay_msg;

/* ---- ugw_relay_outcome.c ---- */

/* The delivery client's outcome callback (ctx: the relay_ep). */
void ugw__relay_on_outcome(const ugw_outcome *o, void *ctx);
/* Settles a message that never reached a client: a dead letter with
 * `result` and `error` (a bad message, too old, too many deliveries), or,
 * with result NULL, handed back for redelivery. Frees `m`. */
void ugw__relay_settle_unsent(relay_msg *m, const char *id, const char *result, const char *error);
/* Wall clock in ms. */
int64_t ugw__relay_wall_ms(void);

#endif /* UGW_RELAY_INTERNAL_H */
