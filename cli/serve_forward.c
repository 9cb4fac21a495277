/*
 * serve_forward.c - `ugw serve --forward-to URL` (serve_internal.h): each
 * verified, validated event is POSTed to a local application with a fresh
 * timestamp and a signature of the local secret, and the application's
 * answer goes back to the sender.
 *
 * Connections are reused: a small pool of libcurl easy handles, each with
 * its own keyed signer, at most one per server thread that is forwarding at
 * that moment. An easy handle keeps its connection to the application open
 * between requests, so a steady stream of events costs one connection per
 * thread, not one per event.
 */
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>
#include <openssl/crypto.h>

#include <ugw/ugw_receiver.h>
#include <ugw/ugw_receiver_mhd.h>
#include <ugw/ugw_webhook.h>

#include "serve_internal.h"

/* One easy handle and its signer, used by one request at a time. */
typedef struct forward_conn {
    struct forward_conn *next;
    CURL *easy;
    ugw_webhook_signer *signer; /* NULL: unsigned */
} forward_conn;

struct forward_pool {
    char *url;
    ugw_secret secret;
    bool has_secret;
    long timeout_ms;
    char ua[48];
    pthread_mutex_t mu;
    forward_conn *idle; /* handles not in use, their connections kept */
};

forward_pool *forward_pool_new(const char *url, const ugw_secret *secret, long timeout_ms)
{
    forward_pool *fp = calloc(1, sizeof *fp);
    if (!fp)
        return NULL;
    fp->url = strdup(url);
    if (!fp->url) {
        free(fp);
        return NULL;
    }
    if (secret) {
        fp->secret = *secret;
        fp->has_secret = true;
    }
    fp->timeout_ms = timeout_ms > 0 ? timeout_ms : SERVER_DEFAULT_FORWARD_TIMEOUT_MS;
    snprintf(fp->ua, sizeof fp->ua, "ugw/%s", ugw_version_string());
    pthread_mutex_init(&fp->mu, NULL);
    return fp;
}

static void conn_free(forward_conn *c)
{
    if (!c)
        return;
    if (c->easy)
        curl_easy_cleanup(c->easy);
    ugw_webhook_signer_free(c->signer);
    free(c);
}

void forward_pool_free(forward_pool *fp)
{
    if (!fp)
        return;
    while (fp->idle) {
        forward_conn *c = fp->idle;
        fp->idle = c->next;
        conn_free(c);
    }
    pthread_mutex_destroy(&fp->mu);
    OPENSSL_cleanse(&fp->secret, sizeof fp->secret);
    free(fp->url);
    free(fp);
}

/* The application's body, kept up to the reply's room. */
static size_t on_body(char *data, size_t size, size_t nmemb, void *ctx)
{
    ugw_mhd_reply *reply = ctx;
    size_t n = size * nmemb, room = sizeof reply->body - reply->body_len;
    memcpy(reply->body + reply->body_len, data, n < room ? n : room);
    reply->body_len += n < room ? n : room;
    return n; /* the rest is read and dropped */
}

/* An idle handle of the pool, or a new one set up for the application. */
static forward_conn *conn_get(forward_pool *fp)
{
    forward_conn *c;
    pthread_mutex_lock(&fp->mu);
    c = fp->idle;
    if (c)
        fp->idle = c->next;
    pthread_mutex_unlock(&fp->mu);
    if (c)
        return c;
    c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->easy = curl_easy_init();
    if (fp->has_secret)
        c->signer = ugw_webhook_signer_new(&fp->secret);
    if (!c->easy || (fp->has_secret && !c->signer)) {
        conn_free(c);
        return NULL;
    }
    curl_easy_setopt(c->easy, CURLOPT_URL, fp->url);
    curl_easy_setopt(c->easy, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c->easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c->easy, CURLOPT_TIMEOUT_MS, fp->timeout_ms);
    curl_easy_setopt(c->easy, CURLOPT_CONNECTTIMEOUT_MS, fp->timeout_ms < 10000 ? fp->timeout_ms : 10000L);
    curl_easy_setopt(c->easy, CURLOPT_USERAGENT, fp->ua);
    curl_easy_setopt(c->easy, CURLOPT_POST, 1L);
    curl_easy_setopt(c->easy, CURLOPT_WRITEFUNCTION, on_body);
    return c;
}

static void conn_put(forward_pool *fp, forward_conn *c)
{
    pthread_mutex_lock(&fp->mu);
    c->next = fp->idle;
    fp->idle = c;
    pthread_mutex_unlock(&fp->mu);
}

/* The application could not be reached: 502 with the JSON error body. */
static bool unreachable(ugw_mhd_reply *reply, const char *message)
{
    ugw_receiver_result *r = OPENSSL_zalloc(sizeof *r);
    reply->status = 502;
    reply->retry_after = 0;
    snprintf(reply->content_type, sizeof reply->content_type, "application/json");
    reply->body_len = 0;
    if (r) {
        ugw_receiver_answer(r, 502, UGW_ERR_IO, message, "", 0, 0);
        memcpy(reply->body, r->body, r->body_len);
        reply->body_len = r->body_len;
        OPENSSL_free(r);
    }
    return false;
}

/* The request's headers; NULL when memory runs out. */
static struct curl_slist *headers(const char *content_type, const char *id, const char *ts, const char *sig)
{
    char line[UGW_RECEIVER_ID_MAX + 64];
    const char *names[] = { "Content-Type", "webhook-id", "webhook-timestamp", "webhook-signature" };
    const char *values[] = { content_type ? content_type : "application/json", id, ts, sig };
    struct curl_slist *h = curl_slist_append(NULL, "Expect:"), *t; /* no 100-continue round trip */

    for (size_t i = 0; h && i < sizeof names / sizeof names[0]; i++) {
        int n;
        if (!values[i])
            continue;
        n = snprintf(line, sizeof line, "%s: %s", names[i], values[i]);
        t = n > 0 && (size_t)n < sizeof line ? curl_slist_append(h, line) : NULL;
        if (!t) {
            curl_slist_free_all(h);
            return NULL;
        }
        h = t;
    }
    return h;
}

bool serve_forward(forward_pool *fp, const ugw_receiver_result *ev, const void *body, size_t len,
                   const char *content_type, ugw_mhd_reply *reply)
{
    char id[UGW_RECEIVER_ID_MAX + 1], sig[UGW_SIGNATURE_MAX], ts[24];
    int64_t now = (int64_t)time(NULL);
    struct curl_slist *h;
    forward_conn *c;
    CURLcode rc;
    long status = 0;
    curl_off_t retry = 0;
    char *ct = NULL;

    reply->body_len = 0;
    reply->content_type[0] = '\0';
    reply->retry_after = 0;
    if (ev->has_id)
        snprintf(id, sizeof id, "%s", ev->id);
    else if (ugw_webhook_id_new(id) != UGW_OK)
        return unreachable(reply, "no randomness for a webhook-id");
    ts[ugw_fmt_i64(ts, now)] = '\0';
    c = conn_get(fp);
    if (!c)
        return unreachable(reply, "cannot set up the forwarded request");
    if (c->signer && ugw_webhook_signer_sign(c->signer, id, now, body, len, sig, sizeof sig, NULL) != UGW_OK) {
        conn_put(fp, c);
        return unreachable(reply, "cannot sign the forwarded request");
    }
    h = headers(content_type, id, ts, c->signer ? sig : NULL);
    OPENSSL_cleanse(sig, sizeof sig);
    if (!h) {
        conn_put(fp, c);
        return unreachable(reply, "cannot set up the forwarded request");
    }
    curl_easy_setopt(c->easy, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c->easy, CURLOPT_POSTFIELDS, len ? body : "");
    curl_easy_setopt(c->easy, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
    curl_easy_setopt(c->easy, CURLOPT_WRITEDATA, reply);
    rc = curl_easy_perform(c->easy);
    if (rc == CURLE_OK) {
        curl_easy_getinfo(c->easy, CURLINFO_RESPONSE_CODE, &status);
        if (curl_easy_getinfo(c->easy, CURLINFO_CONTENT_TYPE, &ct) == CURLE_OK && ct)
            snprintf(reply->content_type, sizeof reply->content_type, "%s", ct);
        if (curl_easy_getinfo(c->easy, CURLINFO_RETRY_AFTER, &retry) == CURLE_OK && retry > 0)
            reply->retry_after = retry > 86400 ? 86400u : (unsigned)retry;
    }
    /* Nothing of this request stays on the handle but its connection. */
    curl_easy_setopt(c->easy, CURLOPT_HTTPHEADER, NULL);
    curl_easy_setopt(c->easy, CURLOPT_POSTFIELDS, NULL);
    curl_easy_setopt(c->easy, CURLOPT_WRITEDATA, NULL);
    curl_slist_free_all(h);
    conn_put(fp, c);
    if (rc != CURLE_OK || status < 200 || status > 599)
        return unreachable(reply, rc == CURLE_OPERATION_TIMEDOUT ? "the application did not answer in time"
                                                                 : "the application cannot be reached");
    reply->status = (unsigned)status;
    return status >= 200 && status <= 299;
}
