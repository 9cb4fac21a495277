/*
 * ugw_relay_outcome.c - what each delivery does to its message, by the rules
 * of docs/CONTRACT.md §4.4 with the schedule kept by the server:
 *
 *   delivered (2xx)              Ack
 *   retryable (408, 429, 5xx,    NakWithDelay(the backoff after this many
 *   network error, timeout)      deliveries, or the answer's Retry-After);
 *                                past max_attempts or max_age_ms: as below
 *   permanent (other 4xx, 3xx,   a dead letter published to
 *   410, TLS, bad request)       "<dead>.<endpoint>", and only once the
 *                                stream has it, Term; a dead letter that
 *                                cannot be published: NakWithDelay (kept)
 *   never attempted (closing,    Nak: redelivered at once, to any relay
 *   the endpoint gone)
 *
 * Runs on the endpoint's client thread (or the closing thread), so a slow
 * dead-letter publish holds back this endpoint only.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "relay_internal.h"

/* A dead letter that could not be published is tried again after this. */
#define DEAD_LETTER_RETRY_MS 30000

int64_t ugw__relay_wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* xorshift64*, mu held: jitter only. */
static double rnd01_locked(ugw_relay *r)
{
    uint64_t x = r->rng;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    r->rng = x;
    return (double)((x * UINT64_C(2685821657736338717)) >> 11) / 9007199254740992.0;
}

/* The wait before the next delivery after `failed` failed ones; -1: none left. */
static int64_t backoff_ms(ugw_relay *r, uint64_t failed)
{
    const ugw_relay_config *c = &r->cfg;
    /* as the client's: 0.1 on the durable schedule (as with a spool), else 0.5 */
    double jitter = c->jitter == 0 ? (c->backoff_base_ms ? 0.5 : 0.1) : c->jitter < 0 ? 0 : c->jitter;
    double u, d;
    if (failed >= c->max_attempts)
        return -1;
    pthread_mutex_lock(&r->mu);
    u = rnd01_locked(r);
    pthread_mutex_unlock(&r->mu);
    if (c->backoff_base_ms == 0) {
        /* the durable schedule; a max_attempts beyond it repeats its last wait */
        uint64_t n = failed < UGW_RETRY_DURABLE_ATTEMPTS - 1 ? failed : UGW_RETRY_DURABLE_ATTEMPTS - 1;
        return ugw_retry_durable_delay_ms((unsigned)n, jitter, u);
    }
    d = (double)c->backoff_base_ms;
    for (uint64_t i = 1; i < failed && d < (double)c->backoff_max_ms; i++)
        d *= 2;
    if (d > (double)c->backoff_max_ms)
        d = (double)c->backoff_max_ms;
    if (jitter > 1)
        jitter = 1;
    return (int64_t)(d * (1.0 - jitter) + d * jitter * u);
}

/* Acknowledges `m` on the relay's buffered connection: an acknowledgement
 * is a publish of "+ACK" to the message's reply subject (what natsMsg_Ack()
 * sends), from any connection. The message came on the send-asap pull
 * connection, where natsMsg_Ack() would cost a write per message; here the
 * acknowledgements of about a millisecond share one. */
static natsStatus ack(relay_msg *m)
{
    const char *reply = natsMsg_GetReply(m->msg);
    if (!reply || !reply[0])
        return NATS_ILLEGAL_STATE; /* not from a JetStream consumer: redelivered after the ack wait */
    return natsConnection_PublishString(m->ep->r->nc, reply, "+ACK");
}

enum settle { S_DELIVERED, S_RETRIED, S_FAILED, S_RELEASED, S_DEAD_LETTER_ERROR };

/* Takes `m` off the books: counts `how` (and an ack that could not be sent),
 * wakes the puller, frees. */
static void finish(relay_msg *m, enum settle how, natsStatus ack)
{
    relay_ep *ep = m->ep;
    ugw_relay *r = ep->r;
    natsMsg_Destroy(m->msg);
    pthread_mutex_lock(&r->mu);
    switch (how) {
    case S_DELIVERED: ep->stats.delivered++; break;
    case S_RETRIED: ep->stats.retried++; break;
    case S_FAILED: ep->stats.failed++; break;
    case S_RELEASED: ep->stats.released++; break;
    case S_DEAD_LETTER_ERROR: ep->stats.dead_letter_errors++; break;
    }
    if (ack != NATS_OK)
        ep->stats.ack_errors++;
    ep->taken--;
    if (ep->window - ep->taken == ep->batch) /* the puller's room, reached just now */
        pthread_cond_broadcast(&r->room);
    pthread_mutex_unlock(&r->mu);
    free(m);
}

/* Publishes the dead letter of `m` (id valid), then terminates the message;
 * when the dead letter cannot be published the message is kept (nak). */
static void dead_letter(relay_msg *m, const char *id, const char *event, const void *body, size_t len,
                        ugw_format fmt, long status, const char *result, const char *error)
{
    relay_ep *ep = m->ep;
    ugw_relay *r = ep->r;
    ugw_dead_letter rec;
    ugw_error err;
    char *line;
    size_t n;
    ugw_status st = UGW_ERR_NOMEM;

    memset(&rec, 0, sizeof rec);
    rec.id = id;
    rec.event = event;
    rec.format = fmt;
    rec.body = body;
    rec.body_len = len;
    rec.last_status = status;
    rec.attempts = m->delivered > (uint64_t)INT32_MAX ? INT32_MAX : (long)m->delivered;
    rec.result = result;
    rec.error = error;
    ugw_error_clear(&err);
    line = ugw_dead_letter_format(&rec, &n, &err);
    if (line) {
        /* without the '\n': a message is a record; the dead stream dedups by id */
        st = ugw__relay_js_publish(r->js, &r->nats, ep->dead_subject, line, n - 1, "application/json", event,
                                   id, NULL, &err);
        free(line);
    }
    if (st == UGW_OK)
        finish(m, S_FAILED, natsMsg_Term(m->msg, NULL));
    else
        finish(m, S_DEAD_LETTER_ERROR, natsMsg_NakWithDelay(m->msg, DEAD_LETTER_RETRY_MS, NULL));
}

void ugw__relay_settle_unsent(relay_msg *m, const char *id, const char *result, const char *error)
{
    const char *event = NULL, *ctype = NULL;
    ugw_format fmt = UGW_FORMAT_JSON;
    if (!result) {
        finish(m, S_RELEASED, natsMsg_Nak(m->msg, NULL));
        return;
    }
    (void)natsMsgHeader_Get(m->msg, UGW_RELAY_HDR_EVENT, &event);
    if (natsMsgHeader_Get(m->msg, "Content-Type", &ctype) == NATS_OK && ctype
        && strcmp(ctype, ugw_format_media_type(UGW_FORMAT_MSGPACK)) == 0)
        fmt = UGW_FORMAT_MSGPACK;
    if (event && strnlen(event, 256) == 256)
        event = NULL;
    dead_letter(m, id, event ? event : "", natsMsg_GetData(m->msg), (size_t)natsMsg_GetDataLength(m->msg),
                fmt, 0, result, error);
}

void ugw__relay_on_outcome(const ugw_outcome *o, void *ctx)
{
    relay_ep *ep = ctx;
    ugw_relay *r = ep->r;
    relay_msg *m = o->user;
    const char *result = ugw_result_name(o->result);
    int64_t delay;

    switch (o->result) {
    case UGW_RESULT_DELIVERED:
        finish(m, S_DELIVERED, ack(m));
        return;
    case UGW_RESULT_CLOSED:
        finish(m, S_RELEASED, natsMsg_Nak(m->msg, NULL));
        return;
    case UGW_RESULT_GONE:
        pthread_mutex_lock(&r->mu);
        ep->gone = true;
        pthread_mutex_unlock(&r->mu);
        if (o->attempts == 0) { /* queued behind the 410: never sent, stays in the stream */
            finish(m, S_RELEASED, natsMsg_Nak(m->msg, NULL));
            return;
        }
        break; /* the one answered 410: a dead letter */
    case UGW_RESULT_ATTEMPTS:
    case UGW_RESULT_EXPIRED:
        delay = o->retry_after_ms >= 0 ? o->retry_after_ms : backoff_ms(r, m->delivered);
        if (delay < 0 || m->delivered >= r->cfg.max_attempts) {
            result = ugw_result_name(UGW_RESULT_ATTEMPTS);
            break;
        }
        if (ugw__relay_wall_ms() + delay - m->published_ms > r->cfg.max_age_ms) {
            result = ugw_result_name(UGW_RESULT_EXPIRED);
            break;
        }
        finish(m, S_RETRIED, natsMsg_NakWithDelay(m->msg, delay, NULL));
        return;
    default: /* rejected, config, tls */
        break;
    }
    dead_letter(m, o->id, o->event, o->body, o->body_len, o->format, o->http_status, result, o->error);
}
