/*
 * ugw_client_transfer.c - one attempt of an event: what every request of
 * the client carries (its strings, the environment's proxies, the
 * User-Agent line), the easy handle of a slot (its connection kept alive by
 * the worker's multi handle), the request headers built in the slot's own
 * storage (no allocation per attempt), and what the answer means. The
 * threads that drive the transfers are in ugw_client_worker.c.
 *
 * What an attempt costs on this side of libcurl is kept small: the options
 * and header names that do not change are set once per slot, an attempt
 * copies the id, formats the timestamp (ugw_fmt_i64), signs straight into
 * its header line and sets the body (two options).
 *
 * A worker's multi handle and easy handles belong to that worker alone (see
 * client_internal.h for the locking).
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "client_internal.h"

static size_t discard_body(char *p, size_t size, size_t n, void *ud)
{
    (void)p;
    (void)ud;
    return size * n;
}

static size_t on_header(char *p, size_t size, size_t n, void *ud)
{
    job *j = ((slot *)ud)->job; /* set while the slot's transfer runs */
    size_t len = size * n;
    static const char name[] = "retry-after:";
    if (len > sizeof name - 1 && strncasecmp(p, name, sizeof name - 1) == 0) {
        const char *v = p + sizeof name - 1, *nul;
        size_t vl = len - (sizeof name - 1);
        if (vl > 95) /* the value as far as it matters */
            vl = 95;
        if ((nul = memchr(v, '\0', vl)))
            vl = (size_t)(nul - v);
        j->retry_after_ms = ugw__client_retry_after_ms(v, vl);
    } else if (len >= 5 && memcmp(p, "HTTP/", 5) == 0) {
        j->retry_after_ms = -1; /* a new response (after a 100) */
    }
    return len;
}

/* An environment variable as libcurl reads it (curl_getenv()): an empty
 * value is none. */
static const char *env_value(const char *name)
{
    const char *v = getenv(name);
    return v && *v ? v : NULL;
}

/* The proxy libcurl would take from the environment for `url` (lib/url.c,
 * detect_proxy()): <scheme>_proxy, its upper-case form except for HTTP
 * (HTTP_PROXY can be set by a CGI request), then all_proxy, ALL_PROXY. */
static const char *proxy_from_env(const char *url)
{
    const char *p = strncmp(url, "https://", 8) == 0
                        ? (env_value("https_proxy") ? env_value("https_proxy") : env_value("HTTPS_PROXY"))
                        : env_value("http_proxy");
    if (!p)
        p = env_value("all_proxy");
    return p ? p : env_value("ALL_PROXY");
}

bool ugw__client_copy_strings(ugw_client *c, const ugw_client_config *cfg)
{
    const char *noproxy = env_value("no_proxy") ? env_value("no_proxy") : env_value("NO_PROXY");
    const char *src[] = { cfg->url, cfg->user_agent ? cfg->user_agent : CLIENT_UA, cfg->ca_file,
                          cfg->dead_letter_path, cfg->spool_path, proxy_from_env(cfg->url), noproxy };
    const char **dst[] = { &c->cfg.url, &c->cfg.user_agent, &c->cfg.ca_file, &c->cfg.dead_letter_path,
                           &c->cfg.spool_path, &c->env_proxy, &c->env_noproxy };
    enum { N = sizeof src / sizeof src[0] };
    size_t total = 0, at = 0;
    for (size_t i = 0; i < N; i++)
        total += src[i] ? strlen(src[i]) + 1 : 0;
    c->strings = malloc(total ? total : 1);
    if (!c->strings)
        return false;
    for (size_t i = 0; i < N; i++) {
        if (!src[i]) {
            *dst[i] = NULL;
            continue;
        }
        memcpy(c->strings + at, src[i], strlen(src[i]) + 1);
        *dst[i] = c->strings + at;
        at += strlen(src[i]) + 1;
    }
    if (!c->env_proxy && c->cfg.user_agent[0]) {
        static const char name[] = "User-Agent: ";
        size_t n = strlen(c->cfg.user_agent) + 1;
        if (!(c->ua_line = malloc(sizeof name - 1 + n)))
            return false;
        memcpy(c->ua_line, name, sizeof name - 1);
        memcpy(c->ua_line + sizeof name - 1, c->cfg.user_agent, n);
    }
    /* The URL as libcurl would parse it at every transfer (lib/url.c); one
     * it refuses stays text, and each transfer fails on it as before. */
    if (!(c->url = curl_url()))
        return false;
    if (curl_url_set(c->url, CURLUPART_URL, c->cfg.url, CURLU_GUESS_SCHEME | CURLU_NON_SUPPORT_SCHEME) != CURLUE_OK) {
        curl_url_cleanup(c->url);
        c->url = NULL;
    }
    c->cfg.secret = NULL; /* parsed into c->secret; the text is not kept */
    return true;
}

/* libcurl takes long milliseconds: a longer time is as good as forever. */
static long clamp_long(int64_t ms)
{
    return ms > LONG_MAX ? LONG_MAX : (long)ms;
}

CURL *ugw__client_make_easy(ugw_client *c)
{
    CURL *e = curl_easy_init();
    if (!e)
        return NULL;
    if (!c->url || curl_easy_setopt(e, CURLOPT_CURLU, c->url) != CURLE_OK)
        curl_easy_setopt(e, CURLOPT_URL, c->cfg.url);
    curl_easy_setopt(e, CURLOPT_POST, 1L);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, clamp_long(c->cfg.connect_timeout_ms));
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, clamp_long(c->cfg.timeout_ms));
    if (!c->ua_line) /* else a line of the slot's headers */
        curl_easy_setopt(e, CURLOPT_USERAGENT, c->cfg.user_agent);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, discard_body);
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
    /* Over TLS libcurl 7.88 copies each request into its upload buffer
     * (64 KiB by default), allocated for the transfer and freed at its end;
     * glibc consolidates and trims its heap at every free of 64 KiB or more
     * (one madvise() every 18 requests, then page faults). 16 KiB, the
     * least, is one TLS record: a larger request goes out in records of
     * that size anyway. */
    curl_easy_setopt(e, CURLOPT_UPLOAD_BUFFERSIZE, 16384L);
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, c->cfg.tls_insecure ? 0L : 1L);
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, c->cfg.tls_insecure ? 0L : 2L);
    if (c->cfg.ca_file)
        curl_easy_setopt(e, CURLOPT_CAINFO, c->cfg.ca_file);
    /* The environment's proxy, as libcurl would read it at every transfer
     * ("" where it has none: no proxy, no exception). */
    curl_easy_setopt(e, CURLOPT_PROXY, c->env_proxy ? c->env_proxy : "");
    curl_easy_setopt(e, CURLOPT_NOPROXY, c->env_noproxy ? c->env_noproxy : "");
    return e;
}

/* The names of the header lines; the values follow them in the line. */
static const char h_type[] = "Content-Type: ", h_id[] = "webhook-id: ", h_ts[] = "webhook-timestamp: ",
                  h_sig[] = "webhook-signature: ";
#define AT(name) (sizeof name - 1)

_Static_assert(AT(h_type) + 32 <= SLOT_HEADER_LEN, "a media type fits its line");
_Static_assert(AT(h_id) + UGW_WEBHOOK_ID_MAX <= SLOT_HEADER_LEN, "a webhook-id fits its line");
_Static_assert(AT(h_ts) + 21 <= SLOT_HEADER_LEN, "a timestamp fits its line");
_Static_assert(AT(h_sig) + UGW_SIGNATURE_MAX <= SLOT_HEADER_LEN, "a signature fits its line");

bool ugw__client_slot_init(ugw_client *c, worker *w, slot *s)
{
    if (!(s->easy = ugw__client_make_easy(c)))
        return false;
    s->format = -1;
    memcpy(s->line[SLOT_H_TYPE], h_type, sizeof h_type);
    memcpy(s->line[SLOT_H_ID], h_id, sizeof h_id);
    memcpy(s->line[SLOT_H_TS], h_ts, sizeof h_ts);
    memcpy(s->line[SLOT_H_SIG], h_sig, sizeof h_sig);
    memcpy(s->line[SLOT_H_EXPECT], "Expect:", sizeof "Expect:"); /* no 100-continue round trip */
    for (unsigned k = 0; k < SLOT_LINES; k++) {
        s->hdr[k].data = s->line[k];
        s->hdr[k].next = NULL;
    }
    s->hdr[SLOT_H_UA].data = c->ua_line;
    s->hdr[SLOT_H_UA].next = &s->hdr[SLOT_H_TYPE];
    s->hdr[SLOT_H_TYPE].next = &s->hdr[SLOT_H_ID];
    s->hdr[SLOT_H_ID].next = &s->hdr[SLOT_H_TS];
    if (w->signer)
        s->hdr[SLOT_H_TS].next = &s->hdr[SLOT_H_SIG];
    /* The rest of the list is linked per attempt (Expect). */
    if (curl_easy_setopt(s->easy, CURLOPT_HTTPHEADER, &s->hdr[c->ua_line ? SLOT_H_UA : SLOT_H_TYPE]) != CURLE_OK
        || curl_easy_setopt(s->easy, CURLOPT_ERRORBUFFER, s->error) != CURLE_OK
        || curl_easy_setopt(s->easy, CURLOPT_HEADERDATA, s) != CURLE_OK
        || curl_easy_setopt(s->easy, CURLOPT_PRIVATE, s) != CURLE_OK)
        return false;
    return true;
}

unsigned ugw__client_take_slot_locked(ugw_client *c, worker *w, job *j)
{
    unsigned si = 0;
    while (w->slots[si].job) /* a free one exists: busy < nslots */
        si++;
    w->slots[si].job = j;
    w->busy++;
    c->stats.queued--;
    c->stats.in_flight++;
    j->attempts++;
    j->slot = (int)si;
    j->retry_after_ms = -1;
    j->error[0] = 0;
    return si;
}

bool ugw__client_start_attempt(worker *w, job *j)
{
    slot *s = &w->slots[j->slot];
    int64_t now = (int64_t)time(NULL);
    size_t n;
    bool ok = true;
    if (s->format != (int)j->format) {
        const char *mt = ugw_format_media_type(j->format);
        size_t ml = strnlen(mt, 31);
        memcpy(s->line[SLOT_H_TYPE] + AT(h_type), mt, ml);
        s->line[SLOT_H_TYPE][AT(h_type) + ml] = '\0';
        s->format = (int)j->format;
    }
    memcpy(s->line[SLOT_H_ID] + AT(h_id), j->id, strnlen(j->id, UGW_WEBHOOK_ID_MAX - 1) + 1);
    n = AT(h_ts) + ugw_fmt_i64(s->line[SLOT_H_TS] + AT(h_ts), now);
    s->line[SLOT_H_TS][n] = '\0';
    if (w->signer) {
        ok = ugw_webhook_signer_sign(w->signer, j->id, now, j->body, j->len, s->line[SLOT_H_SIG] + AT(h_sig),
                                     SLOT_HEADER_LEN - AT(h_sig), NULL)
             == UGW_OK;
    }
    (w->signer ? &s->hdr[SLOT_H_SIG] : &s->hdr[SLOT_H_TS])->next
        = j->len > SLOT_EXPECT_OVER ? &s->hdr[SLOT_H_EXPECT] : NULL;
    s->error[0] = 0;
    if (ok) {
        curl_easy_setopt(s->easy, CURLOPT_POSTFIELDS, (const char *)j->body);
        curl_easy_setopt(s->easy, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)j->len);
        ok = curl_multi_add_handle(w->multi, s->easy) == CURLM_OK;
    }
    if (!ok)
        snprintf(j->error, sizeof j->error, "out of memory starting the request");
    return ok;
}

void ugw__client_attempt_off(worker *w, job *j, CURLcode r)
{
    slot *s = &w->slots[j->slot];
    long status = 0;
    curl_multi_remove_handle(w->multi, s->easy);
    j->curl_code = (int)r;
    if (r == CURLE_OK) {
        curl_easy_getinfo(s->easy, CURLINFO_RESPONSE_CODE, &status);
        j->status = status;
    } else if (s->error[0]) {
        memcpy(j->error, s->error, sizeof j->error); /* libcurl's text, NUL-terminated */
        j->error[sizeof j->error - 1] = 0;
    } else {
        snprintf(j->error, sizeof j->error, "%s", curl_easy_strerror(r));
    }
}

void ugw__client_attempt_done_locked(ugw_client *c, worker *w, job *j, CURLcode r, job **done)
{
    long status = r == CURLE_OK ? j->status : 0;
    bool retry;
    w->slots[j->slot].job = NULL;
    w->busy--;
    c->stats.in_flight--;
    if (r == CURLE_OK && status >= 200 && status <= 299) {
        j->error[0] = 0;
        ugw__client_finish_locked(c, j, UGW_RESULT_DELIVERED, done);
        return;
    }
    if (r != CURLE_OK) {
        if (ugw__client_curl_permanent(r)) {
            ugw__client_finish_locked(c, j, UGW_RESULT_CONFIG, done);
            return;
        }
        if (ugw__client_curl_tls(r) && !c->cfg.tls_retry) {
            ugw__client_finish_locked(c, j, UGW_RESULT_TLS, done);
            return;
        }
        retry = true;
    } else {
        retry = ugw__client_status_retryable(status);
        if (!retry) {
            if (status == 410) {
                j->gone = true;
                c->gone = true;
                ugw__client_finish_locked(c, j, UGW_RESULT_GONE, done);
                ugw__client_fail_queued_gone(c, done);
            } else {
                ugw__client_finish_locked(c, j, UGW_RESULT_REJECTED, done);
            }
            return;
        }
    }
    if (c->gone) {
        j->gone = true;
        ugw__client_finish_locked(c, j, UGW_RESULT_GONE, done);
        return;
    }
    if (j->attempts >= c->cfg.max_attempts) {
        ugw__client_finish_locked(c, j, UGW_RESULT_ATTEMPTS, done);
        return;
    }
    {
        int64_t delay = ugw__client_backoff_ms(c, j->attempts);
        int64_t now = ugw__client_now_ms();
        if (ugw__client_status_takes_retry_after(status) && j->retry_after_ms >= 0)
            delay = j->retry_after_ms;
        if (now + delay - j->created_ms > c->cfg.max_age_ms) {
            ugw__client_finish_locked(c, j, UGW_RESULT_EXPIRED, done);
            return;
        }
        j->due_ms = now + delay;
        ugw__client_heap_push(c, j);
        c->stats.retried++;
        c->stats.queued++;
        if (j->seq && w->nretries < w->nslots) { /* one per slot, and one per slot ended */
            spool_retry *sr = &w->retries[w->nretries++];
            sr->seq = j->seq;
            sr->attempts = j->attempts;
            sr->next_ms = ugw__wall_ms() + delay;
            sr->status = j->status;
            snprintf(sr->error, sizeof sr->error, "%s", j->error);
        }
    }
}
