/*
 * test_metrics_http.c - the /metrics server of ugw_metrics_http.h over a
 * plain socket: the text and its headers, HEAD, 404 and 405, hostile
 * requests (not HTTP, headers too large, a body never read), the
 * connection limit and the idle timeout, a text that grows between the two
 * passes or passes 16 MiB, and every start error. The text's format is
 * checked by promtool in tests/relay/test_relay_metrics.py.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <ugw/ugw_metrics_http.h>

/* What the callback writes: `extra` more samples on every call after the
 * first (counters growing between the passes), `huge` past 16 MiB. */
typedef struct app {
    unsigned calls;
    unsigned extra;
    int huge;
} app;

static void write_app(void *ctx, ugw_metrics_writer *w)
{
    app *a = ctx;
    a->calls++;
    ugw_metrics_family(w, "app_jobs_total", "counter", "Jobs run.");
    ugw_metrics_u64(w, "app_jobs_total", (const char *[]){ "queue", "mail", NULL }, 42);
    for (unsigned i = 0; i < a->extra * (a->calls - 1); i++)
        ugw_metrics_u64(w, "app_jobs_total", (const char *[]){ "queue", "grown", NULL }, i);
    for (int i = 0; a->huge && i < 600000; i++)
        ugw_metrics_u64(w, "app_padding_padding_padding", NULL, 1);
}

static ugw_metrics_http *start(app *a, unsigned max_conn, unsigned timeout_ms)
{
    char err[256];
    ugw_metrics_http_config c;
    ugw_metrics_http *m;
    memset(&c, 0, sizeof c);
    c.write = write_app;
    c.ctx = a;
    c.max_connections = max_conn;
    c.timeout_ms = timeout_ms;
    m = ugw_metrics_http_start(&c, err, sizeof err);
    if (!m)
        fail_msg("start: %s", err);
    return m;
}

static int connect_to(uint16_t port)
{
    struct sockaddr_in sa;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons(port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    return fd;
}

static void send_all(int fd, const char *s, size_t n)
{
    while (n) {
        ssize_t k = send(fd, s, n, MSG_NOSIGNAL);
        if (k <= 0)
            return; /* the server may close first: what it answered is read */
        s += k;
        n -= (size_t)k;
    }
}

/* Reads until the server closes or `ms` pass; returns the bytes (malloc'd,
 * NUL-terminated) and their count in *n. */
static char *read_all(int fd, size_t *n, int ms)
{
    size_t cap = 1 << 16, len = 0;
    char *b = malloc(cap + 1);
    assert_non_null(b);
    for (;;) {
        struct pollfd p = { fd, POLLIN, 0 };
        ssize_t k;
        if (poll(&p, 1, ms) <= 0)
            break;
        if (len == cap) {
            cap *= 2;
            b = realloc(b, cap + 1);
            assert_non_null(b);
        }
        k = recv(fd, b + len, cap - len, 0);
        if (k <= 0)
            break;
        len += (size_t)k;
    }
    b[len] = 0;
    *n = len;
    return b;
}

/* One request on a new connection ("Connection: close"); the answer. */
static char *request(uint16_t port, const char *req, size_t *n)
{
    int fd = connect_to(port);
    char *r;
    send_all(fd, req, strlen(req));
    r = read_all(fd, n, 5000);
    close(fd);
    return r;
}

static int status_of(const char *answer)
{
    int st = 0;
    if (sscanf(answer, "HTTP/1.%*d %d", &st) != 1)
        return 0;
    return st;
}

static const char *body_of(const char *answer)
{
    const char *p = strstr(answer, "\r\n\r\n");
    return p ? p + 4 : "";
}

static void test_get_and_head(void **state)
{
    app a = { 0 };
    size_t n;
    char *r;
    ugw_metrics_http *m = start(&a, 0, 0);
    char want_url[64], want_len[64];
    const char *want = "# HELP app_jobs_total Jobs run.\n# TYPE app_jobs_total counter\n"
                       "app_jobs_total{queue=\"mail\"} 42\n";
    (void)state;
    snprintf(want_len, sizeof want_len, "\r\nContent-Length: %zu\r\n", strlen(want));
    snprintf(want_url, sizeof want_url, "http://127.0.0.1:%u/metrics", (unsigned)ugw_metrics_http_port(m));
    assert_string_equal(ugw_metrics_http_url(m), want_url);
    r = request(ugw_metrics_http_port(m), "GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", &n);
    assert_int_equal(status_of(r), 200);
    assert_non_null(strstr(r, "\r\nContent-Type: text/plain; version=0.0.4; charset=utf-8\r\n"));
    assert_non_null(strstr(r, "\r\nCache-Control: no-store\r\n"));
    assert_string_equal(body_of(r), want);
    free(r);
    assert_int_equal(ugw_metrics_http_scrapes(m), 1);
    assert_int_equal(a.calls, 2); /* a measuring pass and the real one */
    /* HEAD: the headers, no body; HTTP/1.0 too */
    r = request(ugw_metrics_http_port(m), "HEAD /metrics HTTP/1.0\r\n\r\n", &n);
    assert_int_equal(status_of(r), 200);
    assert_non_null(strstr(r, want_len));
    assert_string_equal(body_of(r), "");
    free(r);
    /* two scrapes on one kept-alive connection, one after the other */
    {
        int fd = connect_to(ugw_metrics_http_port(m));
        const char *one = "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n";
        const char *two = "GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
        send_all(fd, one, strlen(one));
        r = read_all(fd, &n, 1000); /* the answer, then the connection stays open */
        assert_int_equal(status_of(r), 200);
        assert_string_equal(body_of(r), want);
        free(r);
        send_all(fd, two, strlen(two));
        r = read_all(fd, &n, 5000);
        assert_int_equal(status_of(r), 200);
        assert_string_equal(body_of(r), want);
        free(r);
        close(fd);
    }
    assert_int_equal(ugw_metrics_http_scrapes(m), 4);
    ugw_metrics_http_stop(m);
}

static void test_not_found_and_methods(void **state)
{
    static const char *const not_found[] = {
        "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        "GET /metricsx HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        "GET /metrics/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        "POST /other HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nConnection: close\r\n\r\nabc",
    };
    static const char *const not_allowed[] = {
        "POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello",
        "DELETE /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        ("PUT /metrics HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
         "5\r\nhello\r\n0\r\n\r\n"),
    };
    app a = { 0 };
    size_t n;
    char *r;
    ugw_metrics_http *m = start(&a, 0, 0);
    (void)state;
    for (size_t i = 0; i < sizeof not_found / sizeof not_found[0]; i++) {
        r = request(ugw_metrics_http_port(m), not_found[i], &n);
        assert_int_equal(status_of(r), 404);
        assert_string_equal(body_of(r), "not found\n");
        free(r);
    }
    for (size_t i = 0; i < sizeof not_allowed / sizeof not_allowed[0]; i++) {
        r = request(ugw_metrics_http_port(m), not_allowed[i], &n);
        assert_int_equal(status_of(r), 405);
        assert_non_null(strstr(r, "\r\nAllow: GET, HEAD\r\n"));
        free(r);
    }
    assert_int_equal(a.calls, 0); /* nothing rendered for them */
    assert_int_equal(ugw_metrics_http_scrapes(m), 0);
    ugw_metrics_http_stop(m);
}

static void test_hostile_requests(void **state)
{
    app a = { 0 };
    size_t n;
    char *r, *big;
    ugw_metrics_http *m = start(&a, 0, 0);
    (void)state;
    /* not HTTP at all: 400 or closed, never an answer of ours */
    r = request(ugw_metrics_http_port(m), "\x16\x03\x01\x02\x00garbage\r\n\r\n", &n);
    assert_true(n == 0 || status_of(r) == 400);
    free(r);
    /* a space before a header's colon (strict parsing) */
    r = request(ugw_metrics_http_port(m), "GET /metrics HTTP/1.1\r\nHost : x\r\n\r\n", &n);
    assert_true(n == 0 || status_of(r) == 400);
    free(r);
    /* headers larger than the connection's memory: refused, not kept */
    big = malloc(70000);
    assert_non_null(big);
    memcpy(big, "GET /metrics HTTP/1.1\r\nHost: x\r\nX-Pad: ", 40);
    memset(big + 40, 'a', 70000 - 45);
    memcpy(big + 70000 - 5, "\r\n\r\n", 5);
    r = request(ugw_metrics_http_port(m), big, &n);
    assert_true(n == 0 || status_of(r) == 431 || status_of(r) == 413 || status_of(r) == 400);
    free(r);
    free(big);
    /* a GET with a body: closed unanswered, the body not kept */
    r = request(ugw_metrics_http_port(m), "GET /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello",
                &n);
    assert_int_equal(n, 0);
    free(r);
    /* a huge announced body on the path is answered at once, never read */
    r = request(ugw_metrics_http_port(m),
                "POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 999999999999\r\n\r\nabc", &n);
    assert_int_equal(status_of(r), 405);
    free(r);
    assert_int_equal(a.calls, 0);
    /* and it still answers */
    r = request(ugw_metrics_http_port(m), "GET /metrics HTTP/1.0\r\n\r\n", &n);
    assert_int_equal(status_of(r), 200);
    free(r);
    ugw_metrics_http_stop(m);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void test_connection_limit_and_idle_timeout(void **state)
{
    app a = { 0 };
    size_t n;
    char *r;
    int idle[2], extra;
    double t0;
    ugw_metrics_http *m = start(&a, 2, 1000);
    (void)state;
    /* two idle connections take every place */
    idle[0] = connect_to(ugw_metrics_http_port(m));
    idle[1] = connect_to(ugw_metrics_http_port(m));
    send_all(idle[0], "GET /met", 8); /* a request that never ends */
    nanosleep(&(struct timespec){ 0, 200 * 1000000L }, NULL);
    /* a third is not answered while they hold the places (it waits in the
     * listen queue, or is closed) */
    extra = connect_to(ugw_metrics_http_port(m));
    send_all(extra, "GET /metrics HTTP/1.0\r\n\r\n", 25);
    r = read_all(extra, &n, 300);
    assert_int_equal(n, 0);
    free(r);
    /* the idle ones are closed after the timeout (1 s; generous bound) */
    t0 = now_s();
    for (int i = 0; i < 2; i++) {
        r = read_all(idle[i], &n, 8000);
        assert_int_equal(n, 0);
        free(r);
        close(idle[i]);
    }
    assert_true(now_s() - t0 < 8.0);
    /* the third then got its answer, or was closed unanswered */
    r = read_all(extra, &n, 5000);
    assert_true(n == 0 || status_of(r) == 200);
    free(r);
    close(extra);
    /* then there is room again */
    r = request(ugw_metrics_http_port(m), "GET /metrics HTTP/1.0\r\n\r\n", &n);
    assert_int_equal(status_of(r), 200);
    free(r);
    ugw_metrics_http_stop(m);
}

static void test_text_grows_or_is_too_large(void **state)
{
    app a = { 0, 20, 0 };
    size_t n;
    char *r;
    ugw_metrics_http *m = start(&a, 0, 0);
    (void)state;
    /* the second pass writes 20 more samples than the first measured */
    r = request(ugw_metrics_http_port(m), "GET /metrics HTTP/1.0\r\n\r\n", &n);
    assert_int_equal(status_of(r), 200);
    assert_non_null(strstr(body_of(r), "app_jobs_total{queue=\"grown\"} 19\n"));
    free(r);
    /* past 16 MiB: 503, and the server goes on */
    a.extra = 0;
    a.huge = 1;
    r = request(ugw_metrics_http_port(m), "GET /metrics HTTP/1.0\r\n\r\n", &n);
    assert_int_equal(status_of(r), 503);
    assert_string_equal(body_of(r), "metrics too large or out of memory\n");
    free(r);
    a.huge = 0;
    r = request(ugw_metrics_http_port(m), "GET /metrics HTTP/1.0\r\n\r\n", &n);
    assert_int_equal(status_of(r), 200);
    free(r);
    ugw_metrics_http_stop(m);
}

static void test_start_errors(void **state)
{
    app a = { 0 };
    char err[256];
    ugw_metrics_http_config c;
    ugw_metrics_http *m, *m2;
    (void)state;
    assert_null(ugw_metrics_http_start(NULL, err, sizeof err));
    assert_string_equal(err, "no configuration or no write callback");
    memset(&c, 0, sizeof c);
    assert_null(ugw_metrics_http_start(&c, err, sizeof err));
    assert_string_equal(err, "no configuration or no write callback");
    c.write = write_app;
    c.ctx = &a;
    c.path = "metrics";
    assert_null(ugw_metrics_http_start(&c, err, sizeof err));
    assert_string_equal(err, "the path must start with '/' and have at most 256 bytes");
    c.path = NULL;
    c.max_connections = 1025;
    assert_null(ugw_metrics_http_start(&c, err, sizeof err));
    assert_string_equal(err, "max_connections is at most 1024");
    c.max_connections = 0;
    c.addr = "no-such-host.invalid";
    assert_null(ugw_metrics_http_start(&c, err, sizeof err));
    assert_non_null(strstr(err, "cannot resolve 'no-such-host.invalid'"));
    c.addr = "192.0.2.1"; /* not an address of this machine */
    assert_null(ugw_metrics_http_start(&c, NULL, 0)); /* no room for a message: fine */
    /* a port taken */
    c.addr = NULL;
    m = ugw_metrics_http_start(&c, err, sizeof err);
    assert_non_null(m);
    c.port = ugw_metrics_http_port(m);
    m2 = ugw_metrics_http_start(&c, err, sizeof err);
    assert_null(m2);
    assert_non_null(strstr(err, "cannot listen on 127.0.0.1 port"));
    ugw_metrics_http_stop(m);
    /* a path of its own, on IPv6 loopback when the machine has it */
    c.port = 0;
    c.path = "/_ugw/metrics";
    c.addr = "::1";
    m = ugw_metrics_http_start(&c, err, sizeof err);
    if (m) {
        assert_non_null(strstr(ugw_metrics_http_url(m), "http://[::1]:"));
        assert_non_null(strstr(ugw_metrics_http_url(m), "/_ugw/metrics"));
        ugw_metrics_http_stop(m);
    }
    /* NULL is harmless everywhere */
    assert_int_equal(ugw_metrics_http_port(NULL), 0);
    assert_string_equal(ugw_metrics_http_url(NULL), "");
    assert_int_equal(ugw_metrics_http_scrapes(NULL), 0);
    ugw_metrics_http_stop(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_get_and_head),
        cmocka_unit_test(test_not_found_and_methods),
        cmocka_unit_test(test_hostile_requests),
        cmocka_unit_test(test_connection_limit_and_idle_timeout),
        cmocka_unit_test(test_text_grows_or_is_too_large),
        cmocka_unit_test(test_start_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
