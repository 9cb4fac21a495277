/*
 * test_client_proxy.c - the environment's proxy variables, which the client
 * reads once when it is made and hands to libcurl: they must mean what they
 * meant when libcurl read them itself at every transfer (lib/url.c's rules):
 * http_proxy (never HTTP_PROXY) for http://, https_proxy or HTTPS_PROXY for
 * https://, then all_proxy or ALL_PROXY; no_proxy or NO_PROXY exempts hosts;
 * an empty variable counts as unset.
 *
 * The receiver plays the proxy: a request that went through it arrives in
 * absolute form (the whole URL as its path); the endpoint's own port is one
 * where nothing listens, so only the proxy can deliver.
 *
 * And the User-Agent, which the client sends as one of its own header lines
 * without a proxy and through libcurl's option with one: the same header
 * either way.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client_support.h"

static const char *const proxy_vars[] = { "http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY",
                                          "all_proxy", "ALL_PROXY", "no_proxy", "NO_PROXY" };

static int setup(void **state)
{
    for (size_t i = 0; i < sizeof proxy_vars / sizeof proxy_vars[0]; i++)
        unsetenv(proxy_vars[i]);
    return fx_setup(state);
}

static int teardown(void **state)
{
    int r = fx_teardown(state);
    for (size_t i = 0; i < sizeof proxy_vars / sizeof proxy_vars[0]; i++)
        unsetenv(proxy_vars[i]);
    return r;
}

/* "http://127.0.0.1:PORT" of a receiver, as a proxy URL. */
static void proxy_url(char *out, size_t cap, test_receiver *tr)
{
    snprintf(out, cap, "http://127.0.0.1:%d", tr_port(tr));
}

/* Sends one event to `url` (one attempt) with `ua` (NULL: the default) and
 * returns the status of the send. */
static ugw_status send_one_ua(fx *t, const char *url, const char *ua)
{
    ugw_client_config cfg = base_cfg(t, url);
    ugw_outcome out;
    ugw_error err;
    cfg.max_attempts = 1;
    cfg.user_agent = ua;
    cfg.connect_timeout_ms = 2000;
    start_client(t, &cfg);
    return ugw_client_send(t->c, fixture_at(0), &out, &err);
}

static ugw_status send_one(fx *t, const char *url)
{
    return send_one_ua(t, url, NULL);
}

/* The receiver got exactly one request, for `path`, with the default
 * User-Agent. */
static void assert_one_request(test_receiver *tr, const char *method, const char *path)
{
    size_t n;
    tr_request *rs = get_requests(tr, &n);
    assert_int_equal(n, 1);
    assert_string_equal(rs[0].method, method);
    assert_string_equal(rs[0].path, path);
    assert_non_null(rs[0].user_agent);
    assert_string_equal(rs[0].user_agent, "ugw/" UGW_VERSION_STRING);
    free_requests(rs, n);
}

static void assert_no_request(test_receiver *tr)
{
    size_t n;
    tr_request *rs = get_requests(tr, &n);
    assert_int_equal(n, 0);
    free_requests(rs, n);
}

/* http_proxy (or all_proxy, ALL_PROXY) carries an http:// event through the proxy. */
static void check_through(fx *t, const char *var, const char *empty_var)
{
    test_receiver *proxy = start_rx(t, NULL);
    char purl[64], url[64];
    proxy_url(purl, sizeof purl, proxy);
    snprintf(url, sizeof url, "http://127.0.0.1:%d/hook", tr_refused_port());
    assert_int_equal(setenv(var, purl, 1), 0);
    if (empty_var)
        assert_int_equal(setenv(empty_var, "", 1), 0);
    assert_int_equal(send_one(t, url), UGW_OK);
    assert_one_request(proxy, "POST", url);
}

static void test_http_proxy(void **state)
{
    check_through(*state, "http_proxy", NULL);
}

static void test_all_proxy(void **state)
{
    check_through(*state, "all_proxy", NULL);
}

static void test_all_proxy_upper(void **state)
{
    check_through(*state, "ALL_PROXY", NULL);
}

/* An empty http_proxy is no http_proxy: all_proxy applies. */
static void test_empty_http_proxy(void **state)
{
    check_through(*state, "all_proxy", "http_proxy");
}

/* `var` names `proxy`, yet an event to <scheme>://127.0.0.1:<port where
 * nothing listens>/hook does not go through it: it fails at its endpoint,
 * and the proxy gets no request. */
static void check_not_through(fx *t, test_receiver *proxy, const char *var, const char *scheme)
{
    char purl[64], url[64];
    proxy_url(purl, sizeof purl, proxy);
    snprintf(url, sizeof url, "%s://127.0.0.1:%d/hook", scheme, tr_refused_port());
    assert_int_equal(setenv(var, purl, 1), 0);
    assert_int_equal(send_one(t, url), UGW_ERR_DELIVERY);
    assert_no_request(proxy);
}

/* HTTP_PROXY is not read for http:// (a CGI request can set it): the event
 * goes straight to its endpoint, where nothing listens. */
static void test_http_proxy_upper_ignored(void **state)
{
    fx *t = *state;
    check_not_through(t, start_rx(t, NULL), "HTTP_PROXY", "http");
}

/* no_proxy (or NO_PROXY) naming the host: straight to the endpoint. */
static void check_exempt(fx *t, const char *var)
{
    test_receiver *rx = start_rx(t, NULL);
    char purl[64];
    snprintf(purl, sizeof purl, "http://127.0.0.1:%d", tr_refused_port());
    assert_int_equal(setenv("http_proxy", purl, 1), 0);
    assert_int_equal(setenv(var, "example.com,127.0.0.1", 1), 0);
    assert_int_equal(send_one(t, tr_url(rx)), UGW_OK);
    assert_one_request(rx, "POST", "/hook");
}

static void test_no_proxy(void **state)
{
    check_exempt(*state, "no_proxy");
}

static void test_no_proxy_upper(void **state)
{
    check_exempt(*state, "NO_PROXY");
}

/* https:// reads HTTPS_PROXY too: libcurl asks the proxy for a tunnel. The
 * receiver is no proxy, so the event fails, but the CONNECT reached it. */
static void test_https_proxy_upper(void **state)
{
    fx *t = *state;
    test_receiver *proxy = start_rx(t, NULL);
    char purl[64], url[64], target[64];
    int port = tr_refused_port();
    size_t n;
    tr_request *rs;
    proxy_url(purl, sizeof purl, proxy);
    snprintf(url, sizeof url, "https://127.0.0.1:%d/hook", port);
    snprintf(target, sizeof target, "127.0.0.1:%d", port);
    assert_int_equal(setenv("HTTPS_PROXY", purl, 1), 0);
    assert_int_equal(send_one(t, url), UGW_ERR_DELIVERY);
    rs = get_requests(proxy, &n);
    assert_true(n >= 1);
    assert_string_equal(rs[0].method, "CONNECT");
    assert_string_equal(rs[0].path, target);
    free_requests(rs, n);
}

/* http_proxy is not for https:// (nor https_proxy for http://). */
static void test_proxy_by_scheme(void **state)
{
    fx *t = *state;
    test_receiver *proxy = start_rx(t, NULL);
    check_not_through(t, proxy, "http_proxy", "https");
    close_client(t, 0);
    unsetenv("http_proxy");
    check_not_through(t, proxy, "https_proxy", "http");
}

/* A configured User-Agent, straight and through a proxy. */
static void test_user_agent(void **state)
{
    fx *t = *state;
    test_receiver *rx = start_rx(t, NULL), *proxy = start_rx(t, NULL);
    char purl[64], url[64];
    size_t n;
    tr_request *rs;
    assert_int_equal(send_one_ua(t, tr_url(rx), "acme-hooks/2.1 (+https://example.com)"), UGW_OK);
    rs = get_requests(rx, &n);
    assert_int_equal(n, 1);
    assert_string_equal(rs[0].user_agent, "acme-hooks/2.1 (+https://example.com)");
    free_requests(rs, n);
    close_client(t, 0);

    proxy_url(purl, sizeof purl, proxy);
    snprintf(url, sizeof url, "http://127.0.0.1:%d/hook", tr_refused_port());
    assert_int_equal(setenv("http_proxy", purl, 1), 0);
    assert_int_equal(send_one_ua(t, url, "acme-hooks/2.1"), UGW_OK);
    rs = get_requests(proxy, &n);
    assert_int_equal(n, 1);
    assert_string_equal(rs[0].path, url);
    assert_string_equal(rs[0].user_agent, "acme-hooks/2.1");
    free_requests(rs, n);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_http_proxy, setup, teardown),
        cmocka_unit_test_setup_teardown(test_all_proxy, setup, teardown),
        cmocka_unit_test_setup_teardown(test_all_proxy_upper, setup, teardown),
        cmocka_unit_test_setup_teardown(test_empty_http_proxy, setup, teardown),
        cmocka_unit_test_setup_teardown(test_http_proxy_upper_ignored, setup, teardown),
        cmocka_unit_test_setup_teardown(test_no_proxy, setup, teardown),
        cmocka_unit_test_setup_teardown(test_no_proxy_upper, setup, teardown),
        cmocka_unit_test_setup_teardown(test_https_proxy_upper, setup, teardown),
        cmocka_unit_test_setup_teardown(test_proxy_by_scheme, setup, teardown),
        cmocka_unit_test_setup_teardown(test_user_agent, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
