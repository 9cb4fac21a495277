/*
 * serve_forward.c - `ugw serve --forward-to URL` (serve_internal.h): each
 * verified, validated event is POSTed to a local application with a fresh
 * timestamp and a signature of the local secret, and the application's
 * answer goes back to the sender. One libcurl easy handle per event: the
 * local-development loop needs no connection reuse.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>
#include <openssl/crypto.h>

#include <ugw/ugw_receiver.h>
#include <ugw/ugw_receiver_mhd.h>
#include <ugw/ugw_webhook.h>

#include "serve_internal.h"

/* The application's body, kept up to the reply's room. */
static size_t on_body(char *data, size_t size, size_t nmemb, void *ctx)
{
    ugw_mhd_reply *reply = ctx;
    size_t n = size * nmemb, room = sizeof reply->body - reply->body_len;
    memcpy(reply->body + reply->body_len, data, n < room ? n : room);
    reply->body_len += n < room ? n : room;
    return n; /* the rest is read and dropped */
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

/* "name: value" into buf; false when it does not fit. */
static bool header_line(char *buf, size_t cap, const char *name, const char *value)
{
    int n = snprintf(buf, cap, "%s: %s", name, value);
    return n > 0 && (size_t)n < cap;
}

bool serve_forward(const char *url, const ugw_secret *secret, const ugw_receiver_result *ev, const void *body,
                   size_t len, const char *content_type, long timeout_ms, ugw_mhd_reply *reply)
{
    char id[UGW_RECEIVER_ID_MAX + 1], sig[UGW_SIGNATURE_MAX], ts[24], line[UGW_RECEIVER_ID_MAX + 64];
    char ua[48];
    struct curl_slist *h = NULL, *t;
    int64_t now = (int64_t)time(NULL);
    CURL *c;
    CURLcode rc;
    long status = 0;
    curl_off_t retry = 0;
    char *ct = NULL;
    bool ok = true;

    reply->body_len = 0;
    reply->content_type[0] = '\0';
    reply->retry_after = 0;
    if (ev->has_id)
        snprintf(id, sizeof id, "%s", ev->id);
    else if (ugw_webhook_id_new(id) != UGW_OK)
        return unreachable(reply, "no randomness for a webhook-id");
    ts[ugw_fmt_i64(ts, now)] = '\0';
    if (secret && ugw_webhook_sign(secret, id, now, body, len, sig, sizeof sig, NULL) != UGW_OK)
        return unreachable(reply, "cannot sign the forwarded request");

    const char *names[] = { "Content-Type", "webhook-id", "webhook-timestamp", "webhook-signature", "Expect" };
    const char *values[] = { content_type ? content_type : "application/json", id, ts, secret ? sig : NULL, "" };
    for (size_t i = 0; i < sizeof names / sizeof names[0] && ok; i++) {
        if (!values[i])
            continue;
        if (i == 4)
            snprintf(line, sizeof line, "Expect:"); /* no 100-continue round trip */
        else
            ok = header_line(line, sizeof line, names[i], values[i]);
        t = ok ? curl_slist_append(h, line) : NULL;
        ok = t != NULL;
        h = t ? t : h;
    }
    c = ok ? curl_easy_init() : NULL;
    if (!c) {
        curl_slist_free_all(h);
        return unreachable(reply, "cannot set up the forwarded request");
    }
    snprintf(ua, sizeof ua, "ugw/%s", ugw_version_string());
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms < 10000 ? timeout_ms : 10000L);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_USERAGENT, ua);
    curl_easy_setopt(c, CURLOPT_POST, 1L);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, len ? body : "");
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, reply);
    rc = curl_easy_perform(c);
    if (rc == CURLE_OK) {
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
        if (curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &ct) == CURLE_OK && ct)
            snprintf(reply->content_type, sizeof reply->content_type, "%s", ct);
        if (curl_easy_getinfo(c, CURLINFO_RETRY_AFTER, &retry) == CURLE_OK && retry > 0)
            reply->retry_after = retry > 86400 ? 86400u : (unsigned)retry;
    }
    curl_easy_cleanup(c);
    curl_slist_free_all(h);
    OPENSSL_cleanse(sig, sizeof sig);
    if (rc != CURLE_OK || status < 200 || status > 599)
        return unreachable(reply, rc == CURLE_OPERATION_TIMEDOUT ? "the application did not answer in time"
                                                                 : "the application cannot be reached");
    reply->status = (unsigned)status;
    return status >= 200 && status <= 299;
}
