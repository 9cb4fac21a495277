/*
 * test_metrics.c - the Prometheus text writer (ugw_metrics.h), the receiver's
 * metrics (ugw_receiver_metrics_text(): one count per answer, by verdict and
 * event, and the histograms) and the delivery client's
 * (ugw_client_metrics_text()). The text is checked by line; the format
 * itself is checked by promtool and a Prometheus server in
 * test_serve_metrics.py.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <ugw/ugw_client.h>
#include <ugw/ugw_events.h>
#include <ugw/ugw_metrics.h>
#include <ugw/ugw_receiver.h>

#include "support/receiver_helpers.h"

/* Whether `text` holds `line` as a whole line. */
static int has_line(const char *text, const char *line)
{
    size_t n = strlen(line);
    for (const char *p = text; (p = strstr(p, line)) != NULL; p++)
        if ((p == text || p[-1] == '\n') && p[n] == '\n')
            return 1;
    return 0;
}

static void test_writer_lines_and_escapes(void **state)
{
    char buf[1024];
    ugw_metrics_writer w;
    size_t len = 0;
    const char *labels[] = { "path", "a\"b\\c\nd", "kind", "x", NULL };
    const double bounds[] = { 0.5, 1 };
    const uint64_t counts[] = { 1, 2, 3 };
    (void)state;
    ugw_metrics_init(&w, buf, sizeof buf);
    ugw_metrics_family(&w, "app_jobs_total", "counter", "Jobs run.");
    ugw_metrics_u64(&w, "app_jobs_total", labels, 42);
    ugw_metrics_u64(&w, "app_plain", NULL, 18446744073709551615u);
    ugw_metrics_double(&w, "app_ratio", NULL, 0.25);
    ugw_metrics_histogram(&w, "app_t", NULL, bounds, 2, counts, 7.5);
    ugw_metrics_scalars(&w, (const ugw_metrics_scalar[]){ { "app_up", "gauge", "Up.", 1 } }, 1);
    assert_int_equal(ugw_metrics_end(&w, &len), UGW_OK);
    assert_int_equal(len, strlen(buf));
    assert_true(has_line(buf, "# HELP app_jobs_total Jobs run."));
    assert_true(has_line(buf, "# TYPE app_jobs_total counter"));
    assert_true(has_line(buf, "app_jobs_total{path=\"a\\\"b\\\\c\\nd\",kind=\"x\"} 42"));
    assert_true(has_line(buf, "app_plain 18446744073709551615"));
    assert_true(has_line(buf, "app_ratio 0.25"));
    assert_true(has_line(buf, "app_t_bucket{le=\"0.5\"} 1"));
    assert_true(has_line(buf, "app_t_bucket{le=\"1\"} 3"));
    assert_true(has_line(buf, "app_t_bucket{le=\"+Inf\"} 6"));
    assert_true(has_line(buf, "app_t_sum 7.5"));
    assert_true(has_line(buf, "app_t_count 6"));
    assert_true(has_line(buf, "# TYPE app_up gauge"));
    assert_true(has_line(buf, "app_up 1"));
}

static void test_writer_too_small_tells_the_room(void **state)
{
    char small[16], big[256];
    ugw_metrics_writer w;
    size_t need = 0, len = 0;
    (void)state;
    ugw_metrics_init(&w, small, sizeof small);
    ugw_metrics_family(&w, "a_total", "counter", "A.");
    ugw_metrics_u64(&w, "a_total", NULL, 1);
    assert_int_equal(ugw_metrics_end(&w, &need), UGW_ERR_BUFFER);
    assert_int_equal(small[sizeof small - 1], '\0');
    assert_true(need >= sizeof small);
    /* Measuring alone (no buffer) gives the same. */
    ugw_metrics_init(&w, NULL, 0);
    ugw_metrics_family(&w, "a_total", "counter", "A.");
    ugw_metrics_u64(&w, "a_total", NULL, 1);
    assert_int_equal(ugw_metrics_end(&w, &len), UGW_ERR_BUFFER);
    assert_int_equal(len, need);
    /* Exactly need + 1 bytes fit. */
    ugw_metrics_init(&w, big, need + 1);
    ugw_metrics_family(&w, "a_total", "counter", "A.");
    ugw_metrics_u64(&w, "a_total", NULL, 1);
    assert_int_equal(ugw_metrics_end(&w, &len), UGW_OK);
    assert_int_equal(len, need);
    assert_int_equal(ugw_metrics_end(NULL, &len), UGW_ERR_ARG);
}

/* The receiver's text in a malloc'd buffer. */
static char *rx_text(ugw_receiver *rx)
{
    size_t need = 0;
    char *buf;
    assert_int_equal(ugw_receiver_metrics_text(rx, NULL, 0, &need), UGW_ERR_BUFFER);
    buf = malloc(need + 1);
    assert_non_null(buf);
    assert_int_equal(ugw_receiver_metrics_text(rx, buf, need + 1, &need), UGW_OK);
    assert_int_equal(strlen(buf), need);
    return buf;
}

static void test_receiver_counts_each_answer_once(void **state)
{
    ugw_secret s;
    ugw_receiver *rx = rx_new(1, &s);
    int64_t now = (int64_t)time(NULL);
    req_t r;
    char *t;
    (void)state;

    req_init(&r, "POST", BODY_OK, "msg_1"); /* delivered */
    req_sign(&r, &s, now);
    handle_expect(rx, &r, 204, NULL, NULL);
    req_init(&r, "POST", BODY_OK, "msg_1"); /* duplicate */
    req_sign(&r, &s, now);
    handle_expect(rx, &r, 204, NULL, NULL);
    req_init(&r, "POST", BODY_OK, "msg_2"); /* unauthorized: not signed */
    handle_expect(rx, &r, 401, "timestamp", NULL);
    req_init(&r, "POST", "{\"event\":1}", "msg_3"); /* invalid */
    req_sign(&r, &s, now);
    handle_expect(rx, &r, 400, NULL, NULL);
    req_init(&r, "POST", BODY_OK, "msg_4"); /* not stored: unavailable */
    req_sign(&r, &s, now);
    assert_int_equal(ugw_receiver_handle(rx, &r.req, &r.res), 204);
    assert_int_equal(ugw_receiver_finish(rx, &r.res, false), 503);
    req_init(&r, "POST", BODY_OK, "msg_5"); /* refused on its headers alone */
    r.req.content_length = (int64_t)r.len;
    assert_false(ugw_receiver_check_headers(rx, &r.req, &r.res));
    ugw_receiver_answer(&r.res, 400, UGW_ERR_SYNTAX, "framing", "Host", 0, 0); /* the server's own */
    ugw_receiver_count(rx, &r.res);

    t = rx_text(rx);
    assert_true(has_line(t, "ugw_receiver_requests_total{verdict=\"delivered\",event=\"nps_score_submit\"} 1"));
    assert_true(has_line(t, "ugw_receiver_requests_total{verdict=\"duplicate\",event=\"nps_score_submit\"} 1"));
    assert_true(has_line(t, "ugw_receiver_requests_total{verdict=\"unauthorized\",event=\"unknown\"} 2"));
    assert_true(has_line(t, "ugw_receiver_requests_total{verdict=\"invalid\",event=\"unknown\"} 2"));
    assert_true(has_line(t, "ugw_receiver_requests_total{verdict=\"unavailable\",event=\"nps_score_submit\"} 1"));
    assert_true(has_line(t, "ugw_receiver_requests_total{verdict=\"delivered\",event=\"guide_preview_start\"} 0"));
    /* Four bodies handled, verified and decoded (the unsigned one and the
     * one refused on its headers stopped before). */
    assert_true(has_line(t, "ugw_receiver_body_bytes_count 4"));
    assert_true(has_line(t, "ugw_receiver_verify_seconds_count 4"));
    assert_true(has_line(t, "ugw_receiver_decode_seconds_count 4"));
    assert_true(has_line(t, "ugw_receiver_body_bytes_bucket{le=\"64\"} 1"));
    assert_true(has_line(t, "ugw_receiver_replay_ids 1"));
    assert_true(has_line(t, "ugw_receiver_replay_capacity 100000"));
    assert_true(has_line(t, "ugw_receiver_replay_expired_total 0"));
    assert_true(has_line(t, "# TYPE ugw_receiver_verify_seconds histogram"));
    free(t);
    assert_string_equal(ugw_receiver_verdict_name(204, false), "delivered");
    assert_string_equal(ugw_receiver_verdict_name(204, true), "duplicate");
    assert_string_equal(ugw_receiver_verdict_name(401, false), "unauthorized");
    assert_string_equal(ugw_receiver_verdict_name(415, false), "invalid");
    assert_string_equal(ugw_receiver_verdict_name(503, false), "unavailable");
    assert_int_equal(ugw_receiver_metrics_text(NULL, NULL, 0, NULL), UGW_ERR_ARG);
    ugw_receiver_count(NULL, &r.res); /* no-op */
    ugw_receiver_free(rx);
}

static void test_client_counters_as_text(void **state)
{
    ugw_client_config cfg;
    ugw_client *c;
    char buf[2048], small[8];
    size_t len = 0;
    (void)state;
    memset(&cfg, 0, sizeof cfg);
    cfg.url = "http://127.0.0.1:9/never";
    c = ugw_client_new(&cfg, NULL);
    assert_non_null(c);
    assert_int_equal(ugw_client_metrics_text(c, buf, sizeof buf, &len), UGW_OK);
    assert_int_equal(len, strlen(buf));
    assert_true(has_line(buf, "# TYPE ugw_client_delivered_total counter"));
    assert_true(has_line(buf, "ugw_client_accepted_total 0"));
    assert_true(has_line(buf, "# TYPE ugw_client_queued gauge"));
    assert_true(has_line(buf, "ugw_client_in_flight 0"));
    assert_true(has_line(buf, "ugw_client_spool_commits_total 0")); /* no spool: no commits */
    assert_int_equal(ugw_client_metrics_text(c, small, sizeof small, &len), UGW_ERR_BUFFER);
    assert_true(len > sizeof small);
    assert_int_equal(ugw_client_metrics_text(NULL, buf, sizeof buf, &len), UGW_ERR_ARG);
    ugw_client_close(c, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_writer_lines_and_escapes),
        cmocka_unit_test(test_writer_too_small_tells_the_room),
        cmocka_unit_test(test_receiver_counts_each_answer_once),
        cmocka_unit_test(test_client_counters_as_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
