/*
 * ugw_relay.c - the relay (ugw_relay.h): one durable pull consumer per
 * endpoint, one puller thread per endpoint that fetches only as many
 * messages as the endpoint has room for, and one delivery client per
 * endpoint (one attempt per delivery: the server keeps the schedule), so a
 * slow or failing endpoint holds back nothing but itself.
 *
 * Room: an endpoint takes at most `window` messages at once, its in-flight
 * limit plus, when the ack wait allows it, as many again held ready in the
 * client's queue. The puller fetches when at least `batch` places are free
 * (half the ready ones), in one pull for all of them, so the requests never
 * wait for a fetch round trip and a fetch serves several messages; a
 * settled message wakes the puller only when its room reaches `batch`.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "relay_internal.h"

#define DEFAULT_IN_FLIGHT 8
#define IN_FLIGHT_MAX 1024
#define FETCH_WAIT_MS 1000          /* a pull waits this long for messages */
#define MAX_ACK_PENDING 100000      /* per endpoint: messages out, waiting or delayed */

/* Fills in the defaults and checks the ranges (copy of the caller's). */
static ugw_status config_check(ugw_relay_config *c, ugw_error *err)
{
    if (!c->endpoints || ugw_relay_endpoints_count(c->endpoints) == 0)
        return ugw_error_set(err, UGW_ERR_ARG, "no endpoints", 0, "endpoints");
    if (!c->durable || !c->durable[0])
        c->durable = "ugw-relay";
    if (!ugw_relay_name_check(c->durable, strlen(c->durable)))
        return ugw_error_set(err, UGW_ERR_ARG, "a consumer name is 1 to 64 of A-Z a-z 0-9 _ -", 0, "durable");
    if (c->in_flight > IN_FLIGHT_MAX)
        return ugw_error_set(err, UGW_ERR_ARG, "in_flight is at most 1024", 0, "in_flight");
    if (!c->in_flight)
        c->in_flight = DEFAULT_IN_FLIGHT;
    if (c->delivery_threads > UGW_CLIENT_THREADS_MAX)
        return ugw_error_set(err, UGW_ERR_ARG, "delivery_threads is at most 256", 0, "delivery_threads");
    if (!c->delivery_threads)
        c->delivery_threads = 1;
    if (c->timeout_ms < 0 || c->connect_timeout_ms < 0 || c->ack_wait_ms < 0 || c->max_age_ms < 0
        || c->backoff_base_ms < 0 || c->backoff_max_ms < 0)
        return ugw_error_set(err, UGW_ERR_ARG, "a negative duration", 0, NULL);
    if (c->timeout_ms > INT64_C(86400000) || c->ack_wait_ms > INT64_C(86400000))
        return ugw_error_set(err, UGW_ERR_ARG, "a timeout or ack wait over a day", 0, "timeout_ms");
    if (!c->timeout_ms)
        c->timeout_ms = 30000;
    if (!c->connect_timeout_ms)
        c->connect_timeout_ms = 10000;
    if (!c->ack_wait_ms)
        c->ack_wait_ms = 2 * c->timeout_ms + 30000;
    if (c->ack_wait_ms < c->timeout_ms + 1000)
        return ugw_error_set(err, UGW_ERR_ARG,
                             "the ack wait must exceed the request timeout by a second (else a slow "
                             "answer is redelivered while it is still being sent)", 0, "ack_wait_ms");
    if (!c->max_attempts)
        c->max_attempts = UGW_RETRY_DURABLE_ATTEMPTS;
    if (!c->max_age_ms)
        c->max_age_ms = INT64_C(3) * 86400000;
    if (!c->backoff_max_ms)
        c->backoff_max_ms = 300000;
    if (c->max_age_ms > INT64_MAX / 4 || c->backoff_max_ms > INT64_MAX / 4 || c->backoff_base_ms > INT64_MAX / 4)
        return ugw_error_set(err, UGW_ERR_ARG, "a duration too large", 0, NULL);
    return UGW_OK;
}

/* Makes (or updates to our settings) the durable consumer of one endpoint
 * and binds a pull subscription to it. */
static ugw_status bind_consumer(ugw_relay *r, relay_ep *ep, ugw_error *err)
{
    jsConsumerConfig cc;
    jsConsumerInfo *ci = NULL;
    jsSubOptions so;
    jsErrCode jerr = 0;
    natsStatus s;

    jsConsumerConfig_Init(&cc);
    cc.Durable = ep->consumer;
    cc.FilterSubject = ep->subject;
    cc.AckPolicy = js_AckExplicit;
    cc.AckWait = r->cfg.ack_wait_ms * 1000000; /* ns */
    cc.MaxDeliver = -1;                         /* we count attempts ourselves */
    cc.MaxAckPending = MAX_ACK_PENDING;
    cc.DeliverPolicy = js_DeliverAll;
    s = js_AddConsumer(&ci, r->js, r->nats.stream, &cc, NULL, &jerr);
    if (s != NATS_OK && (jerr == JSConsumerNameExistErr || jerr == JSConsumerExistingActiveErr || jerr == 10148)) {
        jerr = 0;
        s = js_UpdateConsumer(&ci, r->js, r->nats.stream, &cc, NULL, &jerr);
    }
    jsConsumerInfo_Destroy(ci);
    if (s != NATS_OK)
        return ugw__relay_fail(err, s, jerr, "consumer");
    jsSubOptions_Init(&so);
    so.Stream = r->nats.stream;
    so.Consumer = ep->consumer; /* bind: never deleted by an unsubscribe */
    s = js_PullSubscribe(&ep->sub, r->pjs, ep->subject, ep->consumer, NULL, &so, &jerr);
    if (s != NATS_OK) {
        ep->sub = NULL;
        return ugw__relay_fail(err, s, jerr, "consumer");
    }
    return UGW_OK;
}

/* Reads what one fetched message says about itself, then hands it to the
 * endpoint's client (there is room: `taken` counted it). */
static void take(relay_ep *ep, natsMsg *msg)
{
    ugw_relay *r = ep->r;
    relay_msg *m = calloc(1, sizeof *m);
    jsMsgMetaData *meta = NULL;
    const char *id = NULL, *ctype = NULL, *event = NULL;
    char evbuf[256], idbuf[UGW_WEBHOOK_ID_MAX];
    ugw_format fmt = UGW_FORMAT_JSON;
    ugw_error err;

    if (!m) { /* the server redelivers it after the ack wait */
        natsMsg_Destroy(msg);
        pthread_mutex_lock(&r->mu);
        ep->taken--;
        pthread_mutex_unlock(&r->mu);
        return;
    }
    m->ep = ep;
    m->msg = msg;
    m->delivered = 1;
    m->published_ms = ugw__relay_wall_ms();
    if (natsMsg_GetMetaData(&meta, msg) == NATS_OK) {
        m->delivered = meta->NumDelivered ? meta->NumDelivered : 1;
        m->published_ms = meta->Timestamp / 1000000;
        jsMsgMetaData_Destroy(meta);
    }
    pthread_mutex_lock(&r->mu);
    ep->stats.fetched++;
    if (m->delivered > 1)
        ep->stats.redelivered++;
    pthread_mutex_unlock(&r->mu);

    if (natsMsgHeader_Get(msg, "Nats-Msg-Id", &id) != NATS_OK || !id
        || ugw_webhook_id_check(id, strnlen(id, UGW_WEBHOOK_ID_MAX), NULL) != UGW_OK) {
        snprintf(idbuf, sizeof idbuf, "nats_seq_%llu", (unsigned long long)natsMsg_GetSequence(msg));
        pthread_mutex_lock(&r->mu);
        ep->stats.bad_messages++;
        pthread_mutex_unlock(&r->mu);
        ugw__relay_settle_unsent(m, idbuf, "rejected", "the message has no valid Nats-Msg-Id (webhook-id)");
        return;
    }
    if (natsMsgHeader_Get(msg, "Content-Type", &ctype) == NATS_OK && ctype
        && strcmp(ctype, ugw_format_media_type(UGW_FORMAT_MSGPACK)) == 0)
        fmt = UGW_FORMAT_MSGPACK;
    evbuf[0] = 0;
    if (natsMsgHeader_Get(msg, UGW_RELAY_HDR_EVENT, &event) == NATS_OK && event)
        snprintf(evbuf, sizeof evbuf, "%s", event);
    if (m->delivered > r->cfg.max_attempts) { /* relays died mid-request that often */
        ugw__relay_settle_unsent(m, id, "attempts", "delivered to relays more often than max_attempts");
        return;
    }
    if (ugw__relay_wall_ms() - m->published_ms > r->cfg.max_age_ms) {
        ugw__relay_settle_unsent(m, id, "expired", "older than max_age_ms");
        return;
    }
    ugw_error_clear(&err);
    if (ugw_client_enqueue_body(ep->client, natsMsg_GetData(msg), (size_t)natsMsg_GetDataLength(msg), fmt,
                                evbuf, id, 0, m, NULL, &err) != UGW_OK)
        ugw__relay_settle_unsent(m, id, NULL, NULL); /* closed or gone: back to the stream */
}

static void *puller(void *arg)
{
    relay_ep *ep = arg;
    ugw_relay *r = ep->r;
    for (;;) {
        natsMsgList list = { NULL, 0 };
        jsErrCode jerr = 0;
        natsStatus s;
        int room;
        bool stopping;

        pthread_mutex_lock(&r->mu);
        while (!r->stop && (ep->gone || ep->window - ep->taken < ep->batch))
            pthread_cond_wait(&r->room, &r->mu);
        if (r->stop) {
            pthread_mutex_unlock(&r->mu);
            break;
        }
        room = (int)(ep->window - ep->taken);
        ep->taken += (unsigned)room; /* reserved; given back below for what did not come */
        pthread_mutex_unlock(&r->mu);

        s = natsSubscription_Fetch(&list, ep->sub, room, FETCH_WAIT_MS, &jerr);
        pthread_mutex_lock(&r->mu);
        ep->taken -= (unsigned)(room - (s == NATS_OK ? list.Count : 0));
        if (s != NATS_OK && s != NATS_TIMEOUT)
            ep->stats.fetch_errors++;
        stopping = r->stop;
        pthread_mutex_unlock(&r->mu);
        if (s == NATS_OK) {
            for (int i = 0; i < list.Count; i++) {
                if (stopping) { /* came while closing: back to the stream, for another relay */
                    natsStatus a = natsMsg_Nak(list.Msgs[i], NULL);
                    pthread_mutex_lock(&r->mu);
                    ep->taken--;
                    ep->stats.released++;
                    ep->stats.ack_errors += a != NATS_OK;
                    pthread_mutex_unlock(&r->mu);
                    continue; /* destroyed with the list */
                }
                take(ep, list.Msgs[i]);
                list.Msgs[i] = NULL; /* ours now */
            }
            natsMsgList_Destroy(&list);
        } else if (s != NATS_TIMEOUT) {
            struct timespec ts = { 0, 200 * 1000000L }; /* the cluster is electing, or we reconnect */
            nanosleep(&ts, NULL);
        }
    }
    return NULL;
}

static ugw_status start_endpoint(ugw_relay *r, relay_ep *ep, const ugw_relay_endpoint *e, ugw_error *err)
{
    ugw_client_config cc;
    ugw_status st;

    ep->r = r;
    snprintf(ep->name, sizeof ep->name, "%s", e->name);
    ugw__relay_subject(ep->subject, r->nats.prefix, e->name);
    ugw__relay_subject(ep->dead_subject, r->nats.dead, e->name);
    snprintf(ep->consumer, sizeof ep->consumer, "%s_%s", r->cfg.durable, e->name);
    ep->limit = e->in_flight ? e->in_flight : r->cfg.in_flight;
    /* Messages held ready wait at most one timeout for a place, then take
     * their own: the ack wait must cover both. */
    ep->window = ep->limit;
    if (r->cfg.ack_wait_ms >= 2 * r->cfg.timeout_ms + 1000)
        ep->window = 2 * ep->limit;
    ep->batch = ep->window > ep->limit ? (ep->limit + 1) / 2 : 1;

    memset(&cc, 0, sizeof cc);
    cc.url = e->url;
    cc.secret = e->secret;
    cc.connect_timeout_ms = r->cfg.connect_timeout_ms;
    cc.timeout_ms = r->cfg.timeout_ms;
    cc.max_attempts = 1;                   /* the server keeps the schedule */
    cc.max_age_ms = INT64_C(365) * 86400000; /* we judge the age ourselves */
    cc.max_in_flight = ep->limit;
    cc.delivery_threads = r->cfg.delivery_threads;
    cc.queue_capacity = ep->window;
    cc.user_agent = r->cfg.user_agent;
    cc.tls_insecure = r->cfg.tls_insecure;
    cc.ca_file = r->cfg.ca_file;
    cc.tls_retry = r->cfg.tls_retry;
    cc.on_outcome = ugw__relay_on_outcome;
    cc.on_outcome_ctx = ep;
    ep->client = ugw_client_new(&cc, err);
    if (!ep->client)
        return err ? err->code : UGW_ERR_ARG;
    st = bind_consumer(r, ep, err);
    if (st != UGW_OK)
        return st;
    if (pthread_create(&ep->thread, NULL, puller, ep) != 0)
        return ugw_error_set(err, UGW_ERR_NOMEM, "cannot start a thread", 0, NULL);
    ep->started = true;
    return UGW_OK;
}

ugw_relay *ugw_relay_new(const ugw_relay_config *cfg, ugw_error *err)
{
    ugw_relay *r;
    size_t n;

    ugw_error_clear(err);
    if (!cfg) {
        ugw_error_set(err, UGW_ERR_ARG, "no configuration", 0, NULL);
        return NULL;
    }
    r = calloc(1, sizeof *r);
    if (!r) {
        ugw_error_set(err, UGW_ERR_NOMEM, "out of memory", 0, NULL);
        return NULL;
    }
    r->cfg = *cfg;
    pthread_mutex_init(&r->mu, NULL);
    pthread_cond_init(&r->room, NULL);
    r->rng = (uint64_t)ugw__relay_wall_ms() * UINT64_C(0x9E3779B97F4A7C15) ^ (uint64_t)(uintptr_t)r ^ 1;
    if (config_check(&r->cfg, err) != UGW_OK || ugw__relay_nats_copy(&cfg->nats, &r->nats, err) != UGW_OK) {
        pthread_cond_destroy(&r->room);
        pthread_mutex_destroy(&r->mu);
        free(r);
        return NULL;
    }
    n = ugw_relay_endpoints_count(cfg->endpoints);
    r->eps = calloc(n, sizeof *r->eps);
    if (!r->eps) {
        ugw_error_set(err, UGW_ERR_NOMEM, "out of memory", 0, NULL);
        ugw_relay_close(r, 0);
        return NULL;
    }
    if (ugw__relay_connect(&r->nats, "ugw relay", false, &r->nc, &r->js, err) != UGW_OK
        || ugw__relay_connect(&r->nats, "ugw relay pull", true, &r->pnc, &r->pjs, err) != UGW_OK) {
        ugw_relay_close(r, 0);
        return NULL;
    }
    {
        jsStreamInfo *si = NULL;
        jsErrCode jerr = 0;
        natsStatus s = js_GetStreamInfo(&si, r->js, r->nats.stream, NULL, &jerr);
        jsStreamInfo_Destroy(si);
        if (s != NATS_OK) {
            ugw__relay_fail(err, s, jerr == 0 && s == NATS_NOT_FOUND ? JSStreamNotFoundErr : jerr, "stream");
            ugw_relay_close(r, 0);
            return NULL;
        }
    }
    for (size_t i = 0; i < n; i++) {
        r->neps = i + 1;
        if (start_endpoint(r, &r->eps[i], ugw_relay_endpoints_at(cfg->endpoints, i), err) != UGW_OK) {
            ugw_relay_close(r, 0);
            return NULL;
        }
    }
    return r;
}

static void add_stats(ugw_relay_stats *to, const ugw_relay_stats *s)
{
    to->fetched += s->fetched;
    to->delivered += s->delivered;
    to->retried += s->retried;
    to->failed += s->failed;
    to->released += s->released;
    to->redelivered += s->redelivered;
    to->dead_letter_errors += s->dead_letter_errors;
    to->ack_errors += s->ack_errors;
    to->fetch_errors += s->fetch_errors;
    to->bad_messages += s->bad_messages;
}

void ugw_relay_stats_get(ugw_relay *r, const char *endpoint, ugw_relay_stats *out)
{
    memset(out, 0, sizeof *out);
    if (!r)
        return;
    pthread_mutex_lock(&r->mu);
    for (size_t i = 0; i < r->neps; i++) {
        relay_ep *ep = &r->eps[i];
        ugw_client_stats cs;
        if (endpoint && strcmp(endpoint, ep->name) != 0)
            continue;
        add_stats(out, &ep->stats);
        out->endpoints_gone += ep->gone;
        if (ep->client) {
            ugw_client_stats_get(ep->client, &cs);
            out->in_flight += cs.in_flight;
        }
    }
    pthread_mutex_unlock(&r->mu);
}

bool ugw_relay_endpoint_gone(ugw_relay *r, const char *endpoint)
{
    bool gone = false;
    if (!r || !endpoint)
        return false;
    pthread_mutex_lock(&r->mu);
    for (size_t i = 0; i < r->neps; i++)
        if (strcmp(endpoint, r->eps[i].name) == 0)
            gone = r->eps[i].gone;
    pthread_mutex_unlock(&r->mu);
    return gone;
}

ugw_status ugw_relay_close(ugw_relay *r, int64_t drain_ms)
{
    ugw_status st = UGW_OK;
    if (!r)
        return UGW_OK;
    pthread_mutex_lock(&r->mu);
    r->stop = true;
    pthread_cond_broadcast(&r->room);
    pthread_mutex_unlock(&r->mu);
    for (size_t i = 0; i < r->neps; i++)
        if (r->eps[i].started)
            pthread_join(r->eps[i].thread, NULL);
    /* Each client finishes what is on the wire, then hands the rest back as
     * "closed": our callback releases those to the server at once. The
     * clients are closed one after another, all within `drain_ms`. */
    {
        int64_t end = drain_ms < 0 ? -1 : ugw__relay_wall_ms() + drain_ms;
        for (size_t i = 0; i < r->neps; i++) {
            int64_t left = end < 0 ? -1 : end - ugw__relay_wall_ms();
            if (r->eps[i].client
                && ugw_client_close(r->eps[i].client, end < 0 ? -1 : left > 0 ? left : 0) != UGW_OK)
                st = UGW_ERR_TIMEOUT;
            r->eps[i].client = NULL;
        }
    }
    for (size_t i = 0; i < r->neps; i++)
        natsSubscription_Destroy(r->eps[i].sub); /* bound: the consumer stays */
    ugw__relay_disconnect(r->pnc, r->pjs);
    ugw__relay_disconnect(r->nc, r->js); /* after the clients: their acks are sent */
    ugw__relay_nats_free(&r->nats);
    free(r->eps);
    pthread_cond_destroy(&r->room);
    pthread_mutex_destroy(&r->mu);
    free(r);
    return st;
}
