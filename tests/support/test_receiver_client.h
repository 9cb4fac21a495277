/*
 * test_receiver_client.h - the libcurl client of the test receiver's
 * self-tests (test_receiver_selftest_*.c): POSTing with the webhook headers
 * on a kept-alive handle and collecting status, body, Retry-After, Location,
 * new connections and time taken; a slow client for a thread; global libcurl
 * setup and teardown for cmocka. Include after <cmocka.h>.
 */
#ifndef UGW_TEST_RECEIVER_CLIENT_H
#define UGW_TEST_RECEIVER_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>

typedef struct buf {
    char *p;
    size_t len;
} buf;

typedef struct reply {
    CURLcode rc;
    long status;
    buf body;
    char retry_after[64]; /* "" when absent */
    char location[256];
    long new_connections;
    double seconds;
} reply;

static inline size_t on_body(char *data, size_t size, size_t n, void *ud)
{
    buf *b = ud;
    size_t add = size * n;
    char *np = realloc(b->p, b->len + add + 1);
    if (np == NULL)
        return 0;
    memcpy(np + b->len, data, add);
    b->p = np;
    b->len += add;
    b->p[b->len] = '\0';
    return add;
}

/* Copies the value of header `name` from a header line into out. */
static inline void grab_header(const char *line, size_t len, const char *name, char *out, size_t cap)
{
    size_t nl = strlen(name);
    if (len <= nl + 1 || strncasecmp(line, name, nl) != 0 || line[nl] != ':')
        return;
    const char *v = line + nl + 1;
    const char *end = line + len;
    while (v < end && (*v == ' ' || *v == '\t'))
        v++;
    while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' '))
        end--;
    size_t vl = (size_t)(end - v);
    if (vl >= cap)
        vl = cap - 1;
    memcpy(out, v, vl);
    out[vl] = '\0';
}

static inline size_t on_header(char *data, size_t size, size_t n, void *ud)
{
    reply *r = ud;
    size_t len = size * n;
    grab_header(data, len, "Retry-After", r->retry_after, sizeof r->retry_after);
    grab_header(data, len, "Location", r->location, sizeof r->location);
    return len;
}

static inline double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static inline CURL *new_handle(void)
{
    CURL *h = curl_easy_init();
    assert_non_null(h);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 20000L);
    return h;
}

/* POSTs body to url on handle h (keeping its connection alive), with the
 * webhook headers when id != NULL. Fills *r; free r->body.p. */
static inline void post(CURL *h, const char *url, const char *id, const void *body, size_t len, reply *r)
{
    memset(r, 0, sizeof *r);
    struct curl_slist *hdrs = NULL;
    char line[256];
    if (id != NULL) {
        snprintf(line, sizeof line, "webhook-id: %s", id);
        hdrs = curl_slist_append(hdrs, line);
        hdrs = curl_slist_append(hdrs, "webhook-timestamp: 1700000000");
        hdrs = curl_slist_append(hdrs, "webhook-signature: v1,c2lnbmF0dXJl v1,b3RoZXI=");
    }
    hdrs = curl_slist_append(hdrs, "Content-Type: application/json");
    assert_non_null(hdrs);
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_POST, 1L);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(h, CURLOPT_USERAGENT, "ugw-selftest/1.0");
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &r->body);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, r);
    double t0 = now_s();
    r->rc = curl_easy_perform(h);
    r->seconds = now_s() - t0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r->status);
    curl_easy_getinfo(h, CURLINFO_NUM_CONNECTS, &r->new_connections);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, NULL);
    curl_slist_free_all(hdrs);
}

static inline void post_once(const char *url, const char *id, const char *body, reply *r)
{
    CURL *h = new_handle();
    post(h, url, id, body, strlen(body), r);
    curl_easy_cleanup(h);
}

typedef struct slow_arg {
    const char *url;
    long timeout_ms;
    reply r;
} slow_arg;

/* A thread's body: POSTs {} as webhook-id "slow" to a->url, giving up after
 * a->timeout_ms; the reply in a->r (free a->r.body.p). */
static inline void *slow_client(void *p)
{
    slow_arg *a = p;
    CURL *h = new_handle();
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, a->timeout_ms);
    post(h, a->url, "slow", "{}", 2, &a->r);
    curl_easy_cleanup(h);
    return NULL;
}

/* cmocka group setup and teardown: libcurl's global state. */
static inline int tr_client_setup(void **state)
{
    (void)state;
    return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : -1;
}

static inline int tr_client_teardown(void **state)
{
    (void)state;
    curl_global_cleanup();
    return 0;
}

#endif /* UGW_TEST_RECEIVER_CLIENT_H */
