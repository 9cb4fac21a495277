/*
 * ugw_client_transfer.c - the libcurl side of the client: one easy handle
 * per slot (kept-alive connections), one attempt of an event on it, what the
 * answer means, and the background thread that drives the multi handle.
 *
 * The multi handle and the easy handles belong to the background thread
 * alone (see client_internal.h for the locking).
 */
#include <limits.h>
#include <stdio.h>
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
    job *j = ud;
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
    curl_easy_setopt(e, CURLOPT_URL, c->cfg.url);
    curl_easy_setopt(e, CURLOPT_POST, 1L);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, clamp_long(c->cfg.connect_timeout_ms));
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, clamp_long(c->cfg.timeout_ms));
    curl_easy_setopt(e, CURLOPT_USERAGENT, c->cfg.user_agent);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, discard_body);
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, c->cfg.tls_insecure ? 0L : 1L);
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, c->cfg.tls_insecure ? 0L : 2L);
    if (c->cfg.ca_file)
        curl_easy_setopt(e, CURLOPT_CAINFO, c->cfg.ca_file);
    return e;
}

/* Starts one attempt of `j` on a free slot (background thread, mu held). */
static bool start_attempt(ugw_client *c, job *j, unsigned si)
{
    slot *s = &c->slots[si];
    char hdr[64 + UGW_WEBHOOK_ID_MAX + UGW_SIGNATURE_MAX];
    struct curl_slist *h = NULL, *t;
    long long now = (long long)time(NULL);

    j->attempts++;
    j->slot = (int)si;
    j->retry_after_ms = -1;
    j->error[0] = 0;
#define ADD(...)                                              \
    do {                                                      \
        snprintf(hdr, sizeof hdr, __VA_ARGS__);               \
        if (!(t = curl_slist_append(h, hdr)))                 \
            goto nomem;                                       \
        h = t;                                                \
    } while (0)
    ADD("Content-Type: %s", ugw_format_media_type(j->format));
    ADD("webhook-id: %s", j->id);
    ADD("webhook-timestamp: %lld", now);
    if (c->signer) {
        char sig[UGW_SIGNATURE_MAX];
        if (ugw_webhook_signer_sign(c->signer, j->id, (int64_t)now, j->body, j->len, sig, sizeof sig, NULL))
            goto nomem;
        ADD("webhook-signature: %s", sig);
    }
    ADD("Expect:"); /* no 100-continue round trip */
#undef ADD
    j->headers = h;
    curl_easy_setopt(s->easy, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(s->easy, CURLOPT_POSTFIELDS, (const char *)j->body);
    curl_easy_setopt(s->easy, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)j->len);
    curl_easy_setopt(s->easy, CURLOPT_ERRORBUFFER, j->error);
    curl_easy_setopt(s->easy, CURLOPT_HEADERDATA, j);
    curl_easy_setopt(s->easy, CURLOPT_PRIVATE, j);
    if (curl_multi_add_handle(c->multi, s->easy) != CURLM_OK)
        goto nomem;
    s->job = j;
    c->stats.in_flight++;
    return true;
nomem:
    curl_slist_free_all(h);
    j->headers = NULL;
    snprintf(j->error, sizeof j->error, "out of memory starting the request");
    return false;
}

/* An attempt ended (mu held): delivered, failed, or back into the heap. */
static void attempt_done(ugw_client *c, job *j, CURLcode r, job **done)
{
    long status = 0;
    slot *s = &c->slots[j->slot];
    bool retry;
    curl_multi_remove_handle(c->multi, s->easy);
    s->job = NULL;
    curl_slist_free_all(j->headers);
    j->headers = NULL;
    c->stats.in_flight--;
    j->curl_code = (int)r;
    if (r == CURLE_OK) {
        curl_easy_getinfo(s->easy, CURLINFO_RESPONSE_CODE, &status);
        j->status = status;
    } else if (!j->error[0]) {
        snprintf(j->error, sizeof j->error, "%s", curl_easy_strerror(r));
    }
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
        if (j->seq && c->nretries < c->nslots) { /* one per slot, and one per slot ended */
            spool_retry *sr = &c->retries[c->nretries++];
            sr->seq = j->seq;
            sr->attempts = j->attempts;
            sr->next_ms = ugw__wall_ms() + delay;
            sr->status = j->status;
            snprintf(sr->error, sizeof sr->error, "%s", j->error);
        }
    }
}

void *ugw__client_thread(void *arg)
{
    ugw_client *c = arg;
    for (;;) {
        job *done = NULL;
        int running = 0;
        long wait = 1000;
        CURLMsg *msg;
        int left;
        bool ended = false;

        pthread_mutex_lock(&c->mu);
        if (c->stop) {
            pthread_mutex_unlock(&c->mu);
            break;
        }
        {
            int64_t now = ugw__client_now_ms();
            /* Due retries go first: behind a long backlog they would wait
             * for it and could outlive max_age for no fault of their own. */
            while (c->heap_len && c->heap[0]->due_ms <= now)
                ugw__client_pending_push_front(c, ugw__client_heap_pop(c));
            for (unsigned si = 0; si < c->nslots && c->pending_head; si++) {
                job *j;
                if (c->slots[si].job)
                    continue;
                j = ugw__client_pending_pop(c);
                c->stats.queued--;
                if (!start_attempt(c, j, si)) {
                    j->curl_code = 0;
                    ugw__client_finish_locked(c, j, UGW_RESULT_CONFIG, &done);
                }
            }
            if (c->heap_len) {
                int64_t d = c->heap[0]->due_ms - now;
                wait = d < 0 ? 0 : d < 1000 ? (long)d : 1000;
            }
        }
        pthread_mutex_unlock(&c->mu);

        curl_multi_perform(c->multi, &running);
        pthread_mutex_lock(&c->mu);
        while ((msg = curl_multi_info_read(c->multi, &left))) {
            job *j = NULL;
            if (msg->msg != CURLMSG_DONE)
                continue;
            curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&j);
            attempt_done(c, j, msg->data.result, &done);
            ended = true;
        }
        pthread_mutex_unlock(&c->mu);
        /* c->retries is the thread's own: written without mu. */
        if (c->nretries) {
            unsigned bad = ugw__spool_note_retries(c->spool, c->retries, c->nretries);
            c->nretries = 0;
            if (bad) {
                pthread_mutex_lock(&c->mu);
                c->stats.spool_errors += bad;
                pthread_mutex_unlock(&c->mu);
            }
        }
        if (done)
            ugw__client_deliver_outcomes(c, done);
        /* A slot was freed (by an outcome or a retry put in the heap, whose
         * due time `wait` does not know yet): start more, recompute the wait. */
        if (done || ended)
            continue;
        /* Sleep, unless work arrived meanwhile. Enqueuers wake the thread
         * only while `polling` is set: one wakeup write per sleep, not one
         * per event (a wakeup between here and the poll is not lost: curl
         * keeps it in its wakeup pipe). */
        pthread_mutex_lock(&c->mu);
        if (c->stop || (c->pending_head && c->stats.in_flight < c->nslots)) {
            pthread_mutex_unlock(&c->mu);
            continue;
        }
        c->polling = true;
        pthread_mutex_unlock(&c->mu);
        curl_multi_poll(c->multi, NULL, 0, (int)wait, NULL);
        pthread_mutex_lock(&c->mu);
        c->polling = false;
        pthread_mutex_unlock(&c->mu);
    }
    return NULL;
}
