/*
 * ugw_client.c - the delivery loop: a bounded queue, a retry heap and
 * libcurl's multi interface on one background thread.
 *
 * Locking: `mu` guards the queues, the counters and the flags. The curl multi
 * handle and the easy handles belong to the background thread alone (and to
 * ugw_client_close() once that thread has been joined); other threads only
 * call curl_multi_wakeup(), which is safe from any thread.
 *
 * Callbacks, dead-letter writes and frees happen outside `mu`.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <ugw/ugw_client.h>

#define CLIENT_UA "ugw/" UGW_VERSION_STRING

typedef struct job job;
typedef struct sync_wait sync_wait;

struct sync_wait {
    bool done;
    ugw_outcome outcome;
};

struct job {
    job *next;                  /* in the pending FIFO or the finished list */
    char id[UGW_WEBHOOK_ID_MAX];
    char event[256];            /* schema event strings are at most 255 bytes */
    ugw_format format;
    void *user;
    sync_wait *sync;            /* ugw_client_send_*() waiting for it */
    int64_t created_ms;         /* monotonic */
    int64_t due_ms;             /* next attempt (in the heap) */
    unsigned attempts;
    long status;
    int curl_code;
    bool gone;
    ugw_result result;
    char error[CURL_ERROR_SIZE];
    /* per attempt, while in flight */
    int slot;
    long retry_after_ms;        /* from the last answer, -1 when none */
    struct curl_slist *headers;
    size_t len;
    unsigned char body[];
};

typedef struct slot {
    CURL *easy;
    job *job;
} slot;

struct ugw_client {
    ugw_client_config cfg;      /* defaults filled in; strings point into `strings` */
    char *strings;
    ugw_webhook_signer *signer; /* NULL: unsigned; used by the background thread only */
    int dead_fd;

    pthread_mutex_t mu;
    pthread_cond_t room;        /* count fell below capacity */
    pthread_cond_t idle;        /* count reached 0, or a sync job finished */
    pthread_t thread;
    bool thread_started;

    /* guarded by mu */
    job *pending_head, *pending_tail;
    job **heap;                 /* retries, by due_ms */
    size_t heap_len, heap_cap;
    size_t count;               /* accepted and not finished */
    size_t unreported;          /* finished, callback not yet returned */
    bool closing, stop, gone;
    bool polling;               /* the thread sleeps in curl_multi_poll() */
    ugw_client_stats stats;
    uint64_t rng;

    /* background thread only */
    CURLM *multi;
    slot *slots;
    unsigned nslots;
};

/* ------------------------------------------------------------------ */
/* small helpers                                                       */
/* ------------------------------------------------------------------ */

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void deadline_ts(struct timespec *ts, long ms)
{
    clock_gettime(CLOCK_REALTIME, ts);
    ts->tv_sec += ms / 1000;
    ts->tv_nsec += (ms % 1000) * 1000000L;
    if (ts->tv_nsec >= 1000000000L) {
        ts->tv_sec++;
        ts->tv_nsec -= 1000000000L;
    }
}

/* xorshift64*: jitter only, not security. */
static double rnd01(ugw_client *c)
{
    uint64_t x = c->rng;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    c->rng = x;
    return (double)((x * UINT64_C(2685821657736338717)) >> 11) / 9007199254740992.0;
}

const char *ugw_result_name(ugw_result r)
{
    switch (r) {
    case UGW_RESULT_DELIVERED: return "delivered";
    case UGW_RESULT_REJECTED: return "rejected";
    case UGW_RESULT_ATTEMPTS: return "attempts";
    case UGW_RESULT_EXPIRED: return "expired";
    case UGW_RESULT_GONE: return "gone";
    case UGW_RESULT_CLOSED: return "closed";
    case UGW_RESULT_CONFIG: return "config";
    }
    return "?";
}

/* ---- the retry heap (min by due_ms) ---- */

static void heap_push(ugw_client *c, job *j)
{
    size_t i = c->heap_len++;
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (c->heap[p]->due_ms <= j->due_ms)
            break;
        c->heap[i] = c->heap[p];
        i = p;
    }
    c->heap[i] = j;
}

static job *heap_pop(ugw_client *c)
{
    job *top = c->heap[0], *last = c->heap[--c->heap_len];
    size_t i = 0, n = c->heap_len;
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        int64_t md = last->due_ms;
        if (l < n && c->heap[l]->due_ms < md) {
            m = l;
            md = c->heap[l]->due_ms;
        }
        if (r < n && c->heap[r]->due_ms < md)
            m = r;
        if (m == i)
            break;
        c->heap[i] = c->heap[m];
        i = m;
    }
    if (n)
        c->heap[i] = last;
    return top;
}

static void pending_push(ugw_client *c, job *j)
{
    j->next = NULL;
    if (c->pending_tail)
        c->pending_tail->next = j;
    else
        c->pending_head = j;
    c->pending_tail = j;
}

static void pending_push_front(ugw_client *c, job *j)
{
    j->next = c->pending_head;
    c->pending_head = j;
    if (!c->pending_tail)
        c->pending_tail = j;
}

static job *pending_pop(ugw_client *c)
{
    job *j = c->pending_head;
    if (j) {
        c->pending_head = j->next;
        if (!c->pending_head)
            c->pending_tail = NULL;
    }
    return j;
}

/* ------------------------------------------------------------------ */
/* dead letters (docs/DEAD_LETTERS.md)                                 */
/* ------------------------------------------------------------------ */

static size_t base64_len(size_t n)
{
    return (n + 2) / 3 * 4;
}

/* OpenSSL's encoder; it also writes a NUL, which `out` has room for. */
static size_t base64_encode(char *out, const unsigned char *p, size_t n)
{
    size_t at = 0;
    while (n) { /* EVP_EncodeBlock takes an int length */
        int chunk = n > (size_t)3 << 28 ? 3 << 28 : (int)n; /* whole 3-byte groups */
        at += (size_t)EVP_EncodeBlock((unsigned char *)out + at, p, chunk);
        p += chunk;
        n -= (size_t)chunk;
    }
    return at;
}

static size_t put(char *out, size_t at, const char *s, size_t n)
{
    memcpy(out + at, s, n);
    return at + n;
}

static void dead_letter(ugw_client *c, const job *j)
{
    /* id and event JSON-escaped: up to 6 bytes each (\u00XX) */
    char head[128 + 6 * (UGW_WEBHOOK_ID_MAX + sizeof j->event)], tail[512 + CURL_ERROR_SIZE * 6], ts[32];
    size_t hn, tn = 0, bn, total, at = 0;
    char *line;
    time_t now = time(NULL);
    struct tm tm;
    const bool json = j->format == UGW_FORMAT_JSON;
    if (c->dead_fd < 0)
        return;
    gmtime_r(&now, &tm);
    strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%SZ", &tm);
    /* the id may be the caller's (a replay): escaped like the event */
    hn = (size_t)snprintf(head, sizeof head, "{\"id\":\"");
    hn += ugw_json_escape(head + hn, j->id, strlen(j->id));
    hn += (size_t)snprintf(head + hn, sizeof head - hn, "\",\"event\":\"");
    hn += ugw_json_escape(head + hn, j->event, strlen(j->event));
    hn += (size_t)snprintf(head + hn, sizeof head - hn, "\",\"format\":\"%s\",\"%s\":\"",
                           ugw_format_name(j->format), json ? "body" : "body_base64");
    tn = (size_t)snprintf(tail, sizeof tail,
                          "\",\"last_status\":%ld,\"attempts\":%u,\"result\":\"%s\",\"error\":\"",
                          j->status, j->attempts, ugw_result_name(j->result));
    tn += ugw_json_escape(tail + tn, j->error, strlen(j->error));
    tn += (size_t)snprintf(tail + tn, sizeof tail - tn, "\",\"time\":\"%s\"}\n", ts);
    bn = json ? ugw_json_escaped_len((const char *)j->body, j->len) : base64_len(j->len);
    total = hn + bn + tn;
    line = malloc(total + 1);
    if (!line) {
        fprintf(stderr, "ugw: dead letter for %s not written: out of memory\n", j->id);
        return;
    }
    at = put(line, at, head, hn);
    if (json)
        at += ugw_json_escape(line + at, (const char *)j->body, j->len);
    else
        at += base64_encode(line + at, j->body, j->len);
    at = put(line, at, tail, tn);
    /* One write() per line: O_APPEND keeps lines whole across writers. */
    {
        size_t off = 0;
        while (off < at) {
            ssize_t w = write(c->dead_fd, line + off, at - off);
            if (w < 0 && errno == EINTR)
                continue;
            if (w <= 0) {
                fprintf(stderr, "ugw: dead letter for %s not written: %s\n", j->id, strerror(errno));
                break;
            }
            off += (size_t)w;
        }
    }
    free(line);
}

/* ------------------------------------------------------------------ */
/* finishing events                                                     */
/* ------------------------------------------------------------------ */

static void fill_outcome(const job *j, ugw_outcome *o)
{
    memcpy(o->id, j->id, sizeof o->id);
    o->result = j->result;
    o->http_status = j->status;
    o->curl_code = j->curl_code;
    o->error = j->error;
    o->attempts = j->attempts;
    o->endpoint_gone = j->gone;
    o->event = j->event;
    o->body = j->body;
    o->body_len = j->len;
    o->format = j->format;
    o->user = j->user;
}

/* Called with mu held: takes `j` off the books and onto `done`. */
static void finish_locked(ugw_client *c, job *j, ugw_result r, job **done)
{
    j->result = r;
    if (r == UGW_RESULT_DELIVERED)
        c->stats.delivered++;
    else
        c->stats.failed++;
    c->count--;
    c->unreported++;
    j->next = *done;
    *done = j;
}

/* Without mu: dead letter, callback, wake a send(), free. */
static void deliver_outcomes(ugw_client *c, job *done)
{
    while (done) {
        job *j = done;
        ugw_outcome o;
        done = j->next;
        if (j->result != UGW_RESULT_DELIVERED)
            dead_letter(c, j);
        fill_outcome(j, &o);
        if (c->cfg.on_outcome)
            c->cfg.on_outcome(&o, c->cfg.on_outcome_ctx);
        pthread_mutex_lock(&c->mu);
        if (j->sync) {
            j->sync->outcome = o;
            j->sync->outcome.body = NULL;
            j->sync->outcome.event = NULL;
            j->sync->outcome.error = "";
            j->sync->done = true;
        }
        c->unreported--;
        pthread_mutex_unlock(&c->mu);
        free(j);
    }
    pthread_mutex_lock(&c->mu);
    pthread_cond_broadcast(&c->room);
    pthread_cond_broadcast(&c->idle);
    pthread_mutex_unlock(&c->mu);
}

/* After a 410 every queued event fails at once (mu held). */
static void fail_queued_gone(ugw_client *c, job **done)
{
    job *j;
    while ((j = pending_pop(c))) {
        j->gone = true;
        finish_locked(c, j, UGW_RESULT_GONE, done);
    }
    while (c->heap_len) {
        j = heap_pop(c);
        j->gone = true;
        finish_locked(c, j, UGW_RESULT_GONE, done);
    }
    c->stats.queued = 0;
}

/* ------------------------------------------------------------------ */
/* transfers                                                            */
/* ------------------------------------------------------------------ */

static size_t discard_body(char *p, size_t size, size_t n, void *ud)
{
    (void)p;
    (void)ud;
    return size * n;
}

/* Retry-After: delay-seconds or an HTTP-date (RFC 9110 10.2.3), in ms; -1. */
static long parse_retry_after(const char *v)
{
    uint64_t secs;
    size_t n;
    while (*v == ' ' || *v == '\t')
        v++;
    n = strlen(v);
    while (n && (v[n - 1] == ' ' || v[n - 1] == '\t' || v[n - 1] == '\r' || v[n - 1] == '\n'))
        n--;
    if (n == 0)
        return -1;
    if (ugw_parse_u64(v, n, &secs))
        return secs > 86400u * 365 ? 86400L * 365 * 1000 : (long)secs * 1000;
    {
        char buf[64];
        time_t t, now = time(NULL);
        if (n >= sizeof buf)
            return -1;
        memcpy(buf, v, n);
        buf[n] = 0;
        t = curl_getdate(buf, NULL);
        if (t == (time_t)-1)
            return -1;
        return t <= now ? 0 : (long)(t - now) * 1000;
    }
}

static size_t on_header(char *p, size_t size, size_t n, void *ud)
{
    job *j = ud;
    size_t len = size * n;
    static const char name[] = "retry-after:";
    if (len > sizeof name - 1 && strncasecmp(p, name, sizeof name - 1) == 0) {
        char v[96];
        size_t vl = len - (sizeof name - 1);
        if (vl >= sizeof v)
            vl = sizeof v - 1;
        memcpy(v, p + sizeof name - 1, vl);
        v[vl] = 0;
        j->retry_after_ms = parse_retry_after(v);
    } else if (len >= 5 && memcmp(p, "HTTP/", 5) == 0) {
        j->retry_after_ms = -1; /* a new response (after a 100) */
    }
    return len;
}

static CURL *make_easy(ugw_client *c)
{
    CURL *e = curl_easy_init();
    if (!e)
        return NULL;
    curl_easy_setopt(e, CURLOPT_URL, c->cfg.url);
    curl_easy_setopt(e, CURLOPT_POST, 1L);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, c->cfg.connect_timeout_ms);
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, c->cfg.timeout_ms);
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
    char hdr[64 + UGW_SIGNATURE_MAX];
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

/* libcurl results that no retry can fix. */
static bool curl_permanent(CURLcode r)
{
    switch (r) {
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
    case CURLE_NOT_BUILT_IN:
    case CURLE_BAD_FUNCTION_ARGUMENT:
        return true;
    default:
        return false;
    }
}

/* Backoff before attempt `attempts + 1`: base * 2^(attempts-1), capped, with jitter. */
static long backoff_ms(ugw_client *c, unsigned attempts)
{
    double d = (double)c->cfg.backoff_base_ms;
    for (unsigned i = 1; i < attempts && d < (double)c->cfg.backoff_max_ms; i++)
        d *= 2;
    if (d > (double)c->cfg.backoff_max_ms)
        d = (double)c->cfg.backoff_max_ms;
    if (c->cfg.jitter > 0)
        d = d * (1.0 - c->cfg.jitter) + d * c->cfg.jitter * rnd01(c);
    return (long)d;
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
        finish_locked(c, j, UGW_RESULT_DELIVERED, done);
        return;
    }
    if (r != CURLE_OK) {
        if (curl_permanent(r)) {
            finish_locked(c, j, UGW_RESULT_CONFIG, done);
            return;
        }
        retry = true;
    } else {
        retry = status == 408 || status == 429 || (status >= 500 && status <= 599);
        if (!retry) {
            if (status == 410) {
                j->gone = true;
                c->gone = true;
                finish_locked(c, j, UGW_RESULT_GONE, done);
                fail_queued_gone(c, done);
            } else {
                finish_locked(c, j, UGW_RESULT_REJECTED, done);
            }
            return;
        }
    }
    if (c->gone) {
        j->gone = true;
        finish_locked(c, j, UGW_RESULT_GONE, done);
        return;
    }
    if (j->attempts >= c->cfg.max_attempts) {
        finish_locked(c, j, UGW_RESULT_ATTEMPTS, done);
        return;
    }
    {
        long delay = backoff_ms(c, j->attempts);
        int64_t now = mono_ms();
        if ((status == 429 || status == 503) && j->retry_after_ms >= 0)
            delay = j->retry_after_ms;
        if (now + delay - j->created_ms > c->cfg.max_age_ms) {
            finish_locked(c, j, UGW_RESULT_EXPIRED, done);
            return;
        }
        j->due_ms = now + delay;
        heap_push(c, j);
        c->stats.retried++;
        c->stats.queued++;
    }
}

static void *client_thread(void *arg)
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
            int64_t now = mono_ms();
            /* Due retries go first: behind a long backlog they would wait
             * for it and could outlive max_age for no fault of their own. */
            while (c->heap_len && c->heap[0]->due_ms <= now)
                pending_push_front(c, heap_pop(c));
            for (unsigned si = 0; si < c->nslots && c->pending_head; si++) {
                job *j;
                if (c->slots[si].job)
                    continue;
                j = pending_pop(c);
                c->stats.queued--;
                if (!start_attempt(c, j, si)) {
                    j->curl_code = 0;
                    finish_locked(c, j, UGW_RESULT_CONFIG, &done);
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
        if (done)
            deliver_outcomes(c, done);
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

/* ------------------------------------------------------------------ */
/* public API                                                           */
/* ------------------------------------------------------------------ */

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_result;

static void curl_init_once(void)
{
    curl_init_result = curl_global_init(CURL_GLOBAL_DEFAULT);
}

/* Copies the config's strings into one block owned by the client. */
static bool copy_strings(ugw_client *c, const ugw_client_config *cfg)
{
    const char *src[] = { cfg->url, cfg->user_agent ? cfg->user_agent : CLIENT_UA, cfg->ca_file,
                          cfg->dead_letter_path };
    const char **dst[] = { &c->cfg.url, &c->cfg.user_agent, &c->cfg.ca_file, &c->cfg.dead_letter_path };
    size_t total = 0, at = 0;
    for (size_t i = 0; i < 4; i++)
        total += src[i] ? strlen(src[i]) + 1 : 0;
    c->strings = malloc(total ? total : 1);
    if (!c->strings)
        return false;
    for (size_t i = 0; i < 4; i++) {
        if (!src[i]) {
            *dst[i] = NULL;
            continue;
        }
        memcpy(c->strings + at, src[i], strlen(src[i]) + 1);
        *dst[i] = c->strings + at;
        at += strlen(src[i]) + 1;
    }
    c->cfg.secret = NULL; /* parsed into c->secret; the text is not kept */
    return true;
}

static void client_free(ugw_client *c)
{
    if (c->slots) {
        for (unsigned i = 0; i < c->nslots; i++)
            if (c->slots[i].easy)
                curl_easy_cleanup(c->slots[i].easy);
        free(c->slots);
    }
    if (c->multi)
        curl_multi_cleanup(c->multi);
    if (c->dead_fd >= 0)
        close(c->dead_fd);
    pthread_mutex_destroy(&c->mu);
    pthread_cond_destroy(&c->room);
    pthread_cond_destroy(&c->idle);
    free(c->heap);
    free(c->strings);
    ugw_webhook_signer_free(c->signer);
    free(c);
}

ugw_client *ugw_client_new(const ugw_client_config *cfg, ugw_error *err)
{
    ugw_client *c;
    ugw_error_clear(err);
    if (!cfg || !cfg->url || (strncmp(cfg->url, "http://", 7) != 0 && strncmp(cfg->url, "https://", 8) != 0)) {
        ugw_error_set(err, UGW_ERR_ARG, "url must be http:// or https://", 0, "url");
        return NULL;
    }
    if (cfg->format != UGW_FORMAT_JSON && cfg->format != UGW_FORMAT_MSGPACK) {
        ugw_error_set(err, UGW_ERR_ARG, "unknown format", 0, "format");
        return NULL;
    }
    if (cfg->jitter > 1.0) {
        ugw_error_set(err, UGW_ERR_ARG, "jitter must be at most 1", 0, "jitter");
        return NULL;
    }
    if (cfg->connect_timeout_ms < 0 || cfg->timeout_ms < 0 || cfg->max_age_ms < 0
        || cfg->backoff_base_ms < 0 || cfg->backoff_max_ms < 0) {
        ugw_error_set(err, UGW_ERR_ARG, "timeouts, ages and backoffs must not be negative", 0, NULL);
        return NULL;
    }
    if (cfg->max_in_flight > 1024) {
        ugw_error_set(err, UGW_ERR_ARG, "max_in_flight must be at most 1024", 0, "max_in_flight");
        return NULL;
    }
    pthread_once(&curl_once, curl_init_once);
    if (curl_init_result != CURLE_OK) {
        ugw_error_set(err, UGW_ERR_NOMEM, "libcurl failed to initialise", 0, NULL);
        return NULL;
    }
    c = calloc(1, sizeof *c);
    if (!c) {
        ugw_error_set(err, UGW_ERR_NOMEM, "out of memory", 0, NULL);
        return NULL;
    }
    c->dead_fd = -1;
    pthread_mutex_init(&c->mu, NULL);
    pthread_cond_init(&c->room, NULL);
    pthread_cond_init(&c->idle, NULL);
    c->cfg = *cfg;
    if (!copy_strings(c, cfg))
        goto nomem;
    if (!c->cfg.connect_timeout_ms)
        c->cfg.connect_timeout_ms = 10000;
    if (!c->cfg.timeout_ms)
        c->cfg.timeout_ms = 30000;
    if (!c->cfg.max_attempts)
        c->cfg.max_attempts = 8;
    if (!c->cfg.max_age_ms)
        c->cfg.max_age_ms = 24L * 3600 * 1000;
    if (!c->cfg.backoff_base_ms)
        c->cfg.backoff_base_ms = 1000;
    if (!c->cfg.backoff_max_ms)
        c->cfg.backoff_max_ms = 300000;
    if (c->cfg.jitter == 0)
        c->cfg.jitter = 0.5;
    if (!c->cfg.max_in_flight)
        c->cfg.max_in_flight = 8;
    if (!c->cfg.queue_capacity)
        c->cfg.queue_capacity = 10000;
    if (c->cfg.queue_capacity > SIZE_MAX / sizeof *c->heap) { /* the heap's size would wrap */
        ugw_error_set(err, UGW_ERR_ARG, "queue_capacity is too large", 0, "queue_capacity");
        goto fail;
    }
    if (cfg->secret && cfg->secret[0]) {
        ugw_secret key;
        if (ugw_secret_parse(cfg->secret, strlen(cfg->secret), &key, err))
            goto fail;
        c->signer = ugw_webhook_signer_new(&key);
        OPENSSL_cleanse(&key, sizeof key);
        if (!c->signer)
            goto nomem;
    }
    if (c->cfg.dead_letter_path) {
        c->dead_fd = open(c->cfg.dead_letter_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
        if (c->dead_fd < 0) {
            ugw_error_set(err, UGW_ERR_IO, strerror(errno), 0, "dead_letter_path");
            goto fail;
        }
    }
    c->heap_cap = c->cfg.queue_capacity;
    c->heap = malloc(sizeof *c->heap * c->heap_cap);
    c->nslots = c->cfg.max_in_flight;
    c->slots = calloc(c->nslots, sizeof *c->slots);
    c->multi = curl_multi_init();
    if (!c->heap || !c->slots || !c->multi)
        goto nomem;
    curl_multi_setopt(c->multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, (long)c->nslots);
    curl_multi_setopt(c->multi, CURLMOPT_MAX_HOST_CONNECTIONS, (long)c->nslots);
    curl_multi_setopt(c->multi, CURLMOPT_MAXCONNECTS, (long)c->nslots);
    for (unsigned i = 0; i < c->nslots; i++)
        if (!(c->slots[i].easy = make_easy(c)))
            goto nomem;
    {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        c->rng = (uint64_t)ts.tv_nsec * UINT64_C(0x9E3779B97F4A7C15) ^ (uint64_t)(uintptr_t)c ^ 1;
    }
    if (pthread_create(&c->thread, NULL, client_thread, c) != 0)
        goto nomem;
    c->thread_started = true;
    return c;
nomem:
    ugw_error_set(err, UGW_ERR_NOMEM, "out of memory", 0, NULL);
fail:
    client_free(c);
    return NULL;
}

static ugw_status accept_job(ugw_client *c, const void *body, size_t len,
                             ugw_format format, const char *event,
                             const char *webhook_id, long wait_ms, void *user,
                             sync_wait *sync, char *id_out, ugw_error *err)
{
    job *j;
    bool wake;
    ugw_error_clear(err);
    if (!c || (!body && len) || (format != UGW_FORMAT_JSON && format != UGW_FORMAT_MSGPACK))
        return ugw_error_set(err, UGW_ERR_ARG, "invalid argument", 0, NULL);
    if (c->thread_started && pthread_equal(pthread_self(), c->thread)) {
        /* From an outcome callback: the client's own thread must never wait
         * for room it alone can make, nor for an outcome it alone reports. */
        if (sync)
            return ugw_error_set(err, UGW_ERR_ARG, "send() from an outcome callback would wait forever", 0, NULL);
        wait_ms = 0;
    }
    if (webhook_id && (!webhook_id[0] || strlen(webhook_id) >= UGW_WEBHOOK_ID_MAX
                       || strpbrk(webhook_id, "\r\n")))
        return ugw_error_set(err, UGW_ERR_ARG, "webhook-id must be 1 to 39 bytes without line breaks", 0, "webhook-id");
    j = malloc(sizeof *j + (len ? len : 1));
    if (!j)
        return ugw_error_set(err, UGW_ERR_NOMEM, "out of memory", 0, NULL);
    memset(j, 0, sizeof *j);
    if (webhook_id)
        memcpy(j->id, webhook_id, strlen(webhook_id) + 1);
    else if (ugw_webhook_id_new(j->id)) {
        free(j);
        return ugw_error_set(err, UGW_ERR_NOMEM, "no randomness for a webhook-id", 0, NULL);
    }
    snprintf(j->event, sizeof j->event, "%s", event ? event : "");
    j->format = format;
    j->user = user;
    j->sync = sync;
    j->len = len;
    if (len)
        memcpy(j->body, body, len);
    j->created_ms = mono_ms();
    j->slot = -1;

    pthread_mutex_lock(&c->mu);
    if (!c->closing && !c->gone && c->count >= c->cfg.queue_capacity && wait_ms != 0) {
        struct timespec dl;
        if (wait_ms > 0)
            deadline_ts(&dl, wait_ms);
        while (!c->closing && !c->gone && c->count >= c->cfg.queue_capacity) {
            if (wait_ms < 0)
                pthread_cond_wait(&c->room, &c->mu);
            else if (pthread_cond_timedwait(&c->room, &c->mu, &dl) == ETIMEDOUT)
                break;
        }
    }
    if (c->closing || c->gone) {
        bool gone = c->gone;
        pthread_mutex_unlock(&c->mu);
        free(j);
        return ugw_error_set(err, UGW_ERR_CLOSED, gone ? "the endpoint is gone (410)" : "the client is closing", 0, NULL);
    }
    if (c->count >= c->cfg.queue_capacity) {
        pthread_mutex_unlock(&c->mu);
        free(j);
        return ugw_error_set(err, UGW_ERR_FULL, "the delivery queue is full", 0, NULL);
    }
    c->count++;
    c->stats.queued++;
    c->stats.accepted++;
    pending_push(c, j);
    if (id_out)
        memcpy(id_out, j->id, UGW_WEBHOOK_ID_MAX);
    wake = c->polling;
    c->polling = false; /* one wakeup is enough until it sleeps again */
    pthread_mutex_unlock(&c->mu);
    if (wake)
        curl_multi_wakeup(c->multi);
    return UGW_OK;
}

ugw_status ugw_client_enqueue_body(ugw_client *c, const void *body, size_t len,
                                   ugw_format format, const char *event,
                                   const char *webhook_id, long wait_ms,
                                   void *user, char id_out[UGW_WEBHOOK_ID_MAX],
                                   ugw_error *err)
{
    return accept_job(c, body, len, format, event, webhook_id, wait_ms, user, NULL, id_out, err);
}

ugw_status ugw_client_send_body(ugw_client *c, const void *body, size_t len,
                                ugw_format format, const char *event,
                                const char *webhook_id, ugw_outcome *out,
                                ugw_error *err)
{
    sync_wait w;
    ugw_status st;
    memset(&w, 0, sizeof w);
    st = accept_job(c, body, len, format, event, webhook_id, -1, NULL, &w, NULL, err);
    if (st)
        return st;
    pthread_mutex_lock(&c->mu);
    while (!w.done)
        pthread_cond_wait(&c->idle, &c->mu);
    pthread_mutex_unlock(&c->mu);
    if (out)
        *out = w.outcome;
    if (w.outcome.result != UGW_RESULT_DELIVERED)
        return ugw_error_set(err, UGW_ERR_DELIVERY, ugw_result_name(w.outcome.result), 0, NULL);
    return UGW_OK;
}

ugw_status ugw_client_flush(ugw_client *c, long timeout_ms)
{
    struct timespec dl;
    ugw_status st = UGW_OK;
    if (!c)
        return UGW_ERR_ARG;
    if (timeout_ms >= 0)
        deadline_ts(&dl, timeout_ms);
    pthread_mutex_lock(&c->mu);
    /* finished means reported too: the callback has returned */
    while (c->count > 0 || c->unreported > 0) {
        if (timeout_ms < 0) {
            pthread_cond_wait(&c->idle, &c->mu);
        } else if (pthread_cond_timedwait(&c->idle, &c->mu, &dl) == ETIMEDOUT) {
            st = c->count || c->unreported ? UGW_ERR_TIMEOUT : UGW_OK;
            break;
        }
    }
    pthread_mutex_unlock(&c->mu);
    return st;
}

void ugw_client_stats_get(ugw_client *c, ugw_client_stats *out)
{
    if (!c || !out)
        return;
    pthread_mutex_lock(&c->mu);
    *out = c->stats;
    pthread_mutex_unlock(&c->mu);
}

ugw_format ugw_client_format(const ugw_client *c)
{
    return c ? c->cfg.format : UGW_FORMAT_JSON;
}

bool ugw_client_endpoint_gone(ugw_client *c)
{
    bool g;
    if (!c)
        return false;
    pthread_mutex_lock(&c->mu);
    g = c->gone;
    pthread_mutex_unlock(&c->mu);
    return g;
}

ugw_status ugw_client_close(ugw_client *c, long drain_ms)
{
    job *done = NULL, *j;
    ugw_status st;
    if (!c)
        return UGW_OK;
    pthread_mutex_lock(&c->mu);
    c->closing = true;
    pthread_cond_broadcast(&c->room); /* waiting enqueuers give up */
    pthread_mutex_unlock(&c->mu);
    if (drain_ms != 0)
        ugw_client_flush(c, drain_ms);
    pthread_mutex_lock(&c->mu);
    c->stop = true;
    pthread_mutex_unlock(&c->mu);
    curl_multi_wakeup(c->multi);
    if (c->thread_started)
        pthread_join(c->thread, NULL);
    /* The thread is gone: hand back whatever is left. */
    pthread_mutex_lock(&c->mu);
    for (unsigned i = 0; i < c->nslots; i++) {
        if (!(j = c->slots[i].job))
            continue;
        curl_multi_remove_handle(c->multi, c->slots[i].easy);
        curl_slist_free_all(j->headers);
        j->headers = NULL;
        c->slots[i].job = NULL;
        c->stats.in_flight--;
        if (!j->error[0])
            snprintf(j->error, sizeof j->error, "in flight when the client closed");
        finish_locked(c, j, UGW_RESULT_CLOSED, &done);
    }
    while ((j = pending_pop(c))) {
        c->stats.queued--;
        finish_locked(c, j, UGW_RESULT_CLOSED, &done);
    }
    while (c->heap_len) {
        j = heap_pop(c);
        c->stats.queued--;
        finish_locked(c, j, UGW_RESULT_CLOSED, &done);
    }
    st = done ? UGW_ERR_TIMEOUT : UGW_OK;
    pthread_mutex_unlock(&c->mu);
    if (done)
        deliver_outcomes(c, done);
    if (c->dead_fd >= 0)
        fsync(c->dead_fd);
    client_free(c);
    return st;
}
