/*
 * test_ugw_receiver.c - the receiver library (ugw_receiver.h) without any
 * HTTP server: every answer of docs/CONTRACT.md §5.1 with its code, path and
 * JSON body, key rotation, the early header checks, caller memory, and the
 * store-then-finish rule. The replay window and its state file are in
 * test_ugw_receiver_replay.c.
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

#include <ugw/ugw_events.h>
#include <ugw/ugw_receiver.h>

#include "support/receiver_helpers.h"

static void test_method_405(void **state)
{
    ugw_receiver *rx = rx_new(0, NULL);
    req_t r;
    (void)state;
    req_init(&r, "GET", BODY_OK, NULL);
    handle_expect(rx, &r, 405, "arg", "");
    assert_string_equal(r.res.body, "{\"code\":\"arg\",\"message\":\"only POST is accepted\",\"path\":\"\",\"pos\":0}");
    ugw_receiver_free(rx);
}

static void test_body_over_limit_413(void **state)
{
    ugw_receiver_config c = { 0 };
    ugw_receiver *rx;
    req_t r;
    (void)state;
    c.schema = &ugw_schema_events;
    c.max_body = 10;
    rx = ugw_receiver_new(&c, NULL);
    assert_non_null(rx);
    assert_int_equal(ugw_receiver_max_body(rx), 10);
    req_init(&r, "POST", BODY_OK, NULL);
    handle_expect(rx, &r, 413, "limit", "");
    assert_int_equal(r.res.error.pos, 10);
    assert_non_null(strstr(r.res.body, "body larger than 10 bytes"));
    ugw_receiver_free(rx);
}

static void test_bad_webhook_id_400(void **state)
{
    static const char *bad[] = { "has space", "", "tab\there", "caf\xc3\xa9" };
    ugw_receiver *rx = rx_new(0, NULL);
    char longid[UGW_RECEIVER_ID_MAX + 2];
    req_t r;
    (void)state;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        req_init(&r, "POST", BODY_OK, bad[i]);
        handle_expect(rx, &r, 400, "syntax", "webhook-id");
        assert_false(r.res.has_id);
    }
    memset(longid, 'a', sizeof longid - 1);
    longid[sizeof longid - 1] = '\0';
    req_init(&r, "POST", BODY_OK, longid);
    handle_expect(rx, &r, 400, "syntax", "webhook-id");
    longid[UGW_RECEIVER_ID_MAX] = '\0'; /* exactly the limit is fine */
    req_init(&r, "POST", BODY_OK, longid);
    handle_expect(rx, &r, 204, NULL, NULL);
    assert_int_equal(ugw_webhook_id_check(longid, strlen(longid), NULL), UGW_OK);
    ugw_receiver_free(rx);
}

static void test_signed_rejections_401(void **state)
{
    ugw_secret s;
    ugw_receiver *rx = rx_new(1, &s);
    req_t r;
    int64_t now = (int64_t)time(NULL);
    (void)state;

    req_init(&r, "POST", BODY_OK, NULL);
    handle_expect(rx, &r, 401, "signature", "webhook-id");

    req_init(&r, "POST", BODY_OK, "msg_1");
    handle_expect(rx, &r, 401, "timestamp", "webhook-timestamp");

    req_init(&r, "POST", BODY_OK, "msg_1");
    req_set_ts(&r, now);
    handle_expect(rx, &r, 401, "signature", "webhook-signature");

    req_init(&r, "POST", BODY_OK, "msg_1");
    req_sign(&r, &s, now);
    r.body = "{\"event\":\"x\"}"; /* signed another body */
    r.len = strlen(r.body);
    sync_req(&r);
    handle_expect(rx, &r, 401, "signature", "webhook-signature");

    req_init(&r, "POST", BODY_OK, "msg_1");
    req_sign(&r, &s, now - 301);
    handle_expect(rx, &r, 401, "timestamp", "webhook-timestamp");
    assert_non_null(strstr(r.res.body, "too old"));

    req_init(&r, "POST", BODY_OK, "msg_1");
    req_sign(&r, &s, now);
    handle_expect(rx, &r, 204, NULL, NULL);
    assert_true(r.res.verified);
    assert_int_equal(r.res.timestamp, now);
    ugw_receiver_free(rx);
}

static void test_key_rotation(void **state)
{
    ugw_secret keys[2], other;
    ugw_receiver_config c = { 0 };
    ugw_receiver *rx;
    req_t r;
    int64_t now = (int64_t)time(NULL);
    (void)state;
    assert_int_equal(ugw_secret_generate(&keys[0], NULL, 0), UGW_OK);
    assert_int_equal(ugw_secret_generate(&keys[1], NULL, 0), UGW_OK);
    assert_int_equal(ugw_secret_generate(&other, NULL, 0), UGW_OK);
    c.schema = &ugw_schema_events;
    c.secrets = keys;
    c.nsecrets = 2;
    rx = ugw_receiver_new(&c, NULL);
    assert_non_null(rx);
    for (int k = 0; k < 2; k++) {
        char id[16];
        snprintf(id, sizeof id, "msg_k%d", k);
        req_init(&r, "POST", BODY_OK, id);
        req_sign(&r, &keys[k], now);
        handle_expect(rx, &r, 204, NULL, NULL);
    }
    req_init(&r, "POST", BODY_OK, "msg_other");
    req_sign(&r, &other, now);
    handle_expect(rx, &r, 401, "signature", "webhook-signature");
    ugw_receiver_free(rx);

    c.nsecrets = UGW_RECEIVER_MAX_SECRETS + 1;
    assert_null(ugw_receiver_new(&c, NULL));
    c.nsecrets = 1;
    other.len = 0;
    c.secrets = &other;
    {
        ugw_error err;
        assert_null(ugw_receiver_new(&c, &err));
        assert_int_equal(err.code, UGW_ERR_SECRET);
        c.schema = NULL;
        assert_null(ugw_receiver_new(&c, &err));
        assert_int_equal(err.code, UGW_ERR_ARG);
    }
}

/* A key shorter than 24 bytes is refused by the library itself, unless the
 * configuration opts in (as `ugw serve --allow-weak-secret` does). */
static void test_weak_secret_refused_unless_allowed(void **state)
{
    ugw_secret keys[2];
    ugw_receiver_config c = { 0 };
    ugw_receiver *rx;
    ugw_error err;
    req_t r;
    (void)state;
    assert_int_equal(ugw_secret_generate(&keys[0], NULL, 0), UGW_OK);
    memset(&keys[1], 0, sizeof keys[1]);
    keys[1].key[0] = 0x2a;
    keys[1].len = 1;
    c.schema = &ugw_schema_events;
    c.secrets = keys;
    c.nsecrets = 2;
    assert_null(ugw_receiver_new(&c, &err));
    assert_int_equal(err.code, UGW_ERR_SECRET);
    assert_int_equal(err.pos, 1); /* the second secret */
    assert_non_null(strstr(err.message, "24 bytes"));
    keys[1].len = UGW_SECRET_MIN_LEN - 1;
    assert_null(ugw_receiver_new(&c, &err));
    assert_int_equal(err.code, UGW_ERR_SECRET);
    keys[1].len = UGW_SECRET_MIN_LEN;
    rx = ugw_receiver_new(&c, &err);
    assert_non_null(rx);
    ugw_receiver_free(rx);

    keys[1].len = 1;
    c.allow_weak_secrets = true;
    rx = ugw_receiver_new(&c, &err);
    assert_non_null(rx);
    req_init(&r, "POST", BODY_OK, "msg_weak");
    req_sign(&r, &keys[1], (int64_t)time(NULL));
    handle_expect(rx, &r, 204, NULL, NULL);
    ugw_receiver_free(rx);
    keys[1].len = 0; /* nothing opts in to an empty key */
    assert_null(ugw_receiver_new(&c, &err));
    assert_int_equal(err.code, UGW_ERR_SECRET);
}

static void test_content_type_415(void **state)
{
    static const char *good[] = { "application/json", "Application/JSON; charset=utf-8", " application/json " };
    static const char *bad[] = { "text/plain", "application/jsonx", "", "application/json-seq" };
    ugw_receiver *rx = rx_new(0, NULL);
    req_t r;
    (void)state;
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        req_init(&r, "POST", BODY_OK, NULL);
        req_set(&r, "Content-Type", good[i]);
        handle_expect(rx, &r, 204, NULL, NULL);
    }
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        req_init(&r, "POST", BODY_OK, NULL);
        req_set(&r, "Content-Type", bad[i]);
        handle_expect(rx, &r, 415, "type", "Content-Type");
    }
    req_init(&r, "POST", BODY_OK, NULL);
    req_set(&r, "Content-Type", NULL);
    handle_expect(rx, &r, 415, "type", "Content-Type");
    ugw_receiver_free(rx);
}

static void test_invalid_event_400_and_escaped_body(void **state)
{
    ugw_receiver_config c = { 0 };
    ugw_receiver *rx;
    req_t r;
    (void)state;
    rx = rx_new(0, NULL);
    req_init(&r, "POST", "{\"event\":\"nps score submit (userguiding)\",\"payload\":{\"userId\":\"u\","
                         "\"pageUrl\":\"https://a.example\",\"question\":\"q\",\"score\":11}}", NULL);
    handle_expect(rx, &r, 400, "range", "payload.score");
    assert_true(r.res.error.pos > 0);
    ugw_receiver_free(rx);

    c.schema = &ugw_schema_events;
    c.strict = true;
    rx = ugw_receiver_new(&c, NULL);
    req_init(&r, "POST", "{\"event\":\"nps score submit (userguiding)\",\"payload\":{\"a\\\"b\\\\\":1,\"userId\":\"u\","
                         "\"pageUrl\":\"https://a.example\",\"question\":\"q\",\"score\":1}}", NULL);
    handle_expect(rx, &r, 400, "unknown_key", NULL);
    /* The client-chosen key is escaped: the body stays one JSON object. */
    assert_non_null(strstr(r.res.body, "\"path\":\"payload.a\\\"b\\\\\""));
    assert_int_equal(r.res.body_len, strlen(r.res.body));
    ugw_receiver_free(rx);
}

static void test_msgpack_by_content_type(void **state)
{
    ugw_receiver *rx = rx_new(0, NULL);
    char path[512];
    FILE *f;
    static char buf[4096];
    size_t n;
    req_t r;
    (void)state;
    snprintf(path, sizeof path, "%s/valid/nps_score_submit.msgpack", UGW_FIXTURES_DIR);
    f = fopen(path, "rb");
    assert_non_null(f);
    n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    req_init(&r, "POST", NULL, "msg_mp");
    r.body = buf;
    r.len = n;
    req_set(&r, "Content-Type", "application/msgpack");
    handle_expect(rx, &r, 204, NULL, NULL);
    ugw_receiver_free(rx);
}

static void test_result_points_at_the_event(void **state)
{
    ugw_receiver *rx = rx_new(0, NULL);
    req_t r;
    const ugw_nps_score_submit *ev;
    (void)state;
    req_init(&r, "POST", BODY_OK, "msg_ev");
    assert_int_equal(ugw_receiver_handle(rx, &r.req, &r.res), 204);
    assert_int_equal(r.res.type, UGW_EVENT_NPS_SCORE_SUBMIT);
    assert_non_null(r.res.desc);
    assert_string_equal(r.res.desc->id, "nps_score_submit");
    ev = r.res.payload;
    assert_int_equal(ev->score, 9);
    assert_int_equal(r.res.body_len, 0);
    assert_string_equal(r.res.id, "msg_ev");
    assert_int_equal(ugw_receiver_finish(rx, &r.res, true), 204);
    assert_null(r.res.payload);
    ugw_receiver_free(rx);
}

static void test_caller_memory(void **state)
{
    ugw_receiver *rx = rx_new(0, NULL);
    ugw_decoder *dec = ugw_decoder_new(NULL);
    uint64_t payload[64];
    req_t r;
    (void)state;
    assert_true(sizeof payload >= ugw_schema_payload_max(&ugw_schema_events));
    req_init(&r, "POST", BODY_OK, "msg_mem");
    r.req.decoder = dec;
    r.req.payload = payload;
    r.req.payload_cap = sizeof payload;
    assert_int_equal(ugw_receiver_handle(rx, &r.req, &r.res), 204);
    assert_ptr_equal(r.res.payload, payload);
    assert_null(r.res.slot_);
    ugw_receiver_finish(rx, &r.res, true);
    /* Too small a buffer is the decoder's error, not an overflow. */
    req_init(&r, "POST", BODY_OK, "msg_mem2");
    r.req.decoder = dec;
    r.req.payload = payload;
    r.req.payload_cap = 8;
    assert_int_not_equal(ugw_receiver_handle(rx, &r.req, &r.res), 204);
    ugw_receiver_finish(rx, &r.res, false);
    ugw_decoder_free(dec);
    ugw_receiver_free(rx);
}

static void test_check_headers_before_the_body(void **state)
{
    ugw_secret s;
    ugw_receiver *rx = rx_new(1, &s);
    req_t r;
    int64_t now = (int64_t)time(NULL);
    (void)state;

    req_init(&r, "POST", BODY_OK, "msg_h");
    req_sign(&r, &s, now);
    r.req.content_length = (int64_t)UGW_RECEIVER_DEFAULT_MAX_BODY + 1;
    assert_false(ugw_receiver_check_headers(rx, &r.req, &r.res));
    expect_answer(&r.res, 413, "limit", "");

    r.req.content_length = 100;
    assert_true(ugw_receiver_check_headers(rx, &r.req, &r.res));
    assert_int_equal(r.res.status, 0);

    req_init(&r, "POST", BODY_OK, "msg_h");
    req_sign(&r, &s, now - 1000);
    assert_false(ugw_receiver_check_headers(rx, &r.req, &r.res));
    expect_answer(&r.res, 401, "timestamp", "webhook-timestamp");

    req_init(&r, "POST", BODY_OK, "msg_h");
    req_set_ts(&r, now);
    req_set(&r, "webhook-signature", "v1,short v2,AAAA");
    assert_false(ugw_receiver_check_headers(rx, &r.req, &r.res));
    expect_answer(&r.res, 401, "signature", "webhook-signature");

    /* A well-formed but wrong signature passes the early check; the full
     * check refuses it. */
    req_set(&r, "webhook-signature", "v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=");
    assert_true(ugw_receiver_check_headers(rx, &r.req, &r.res));
    handle_expect(rx, &r, 401, "signature", "webhook-signature");

    req_init(&r, "PUT", BODY_OK, "msg_h");
    assert_false(ugw_receiver_check_headers(rx, &r.req, &r.res));
    expect_answer(&r.res, 405, "arg", "");
    assert_false(ugw_receiver_check_headers(NULL, &r.req, &r.res));
    assert_int_equal(r.res.status, 500);
    ugw_receiver_free(rx);
}

static void test_duplicate_headers_in_array_400(void **state)
{
    ugw_receiver *rx = rx_new(0, NULL);
    req_t r;
    (void)state;
    req_init(&r, "POST", BODY_OK, "msg_a");
    req_add(&r, "WEBHOOK-ID", "msg_b");
    handle_expect(rx, &r, 400, "syntax", "webhook-id");
    req_init(&r, "POST", BODY_OK, "msg_a");
    req_add(&r, "content-type", "application/json");
    handle_expect(rx, &r, 415, "type", "Content-Type");
    ugw_receiver_free(rx);
}

static void test_header_callback_form(void **state)
{
    ugw_receiver *rx = rx_new(0, NULL);
    req_t r;
    (void)state;
    req_init(&r, "POST", BODY_OK, "msg_cb");
    r.req.header = req_lookup;
    r.req.header_ctx = &r;
    r.req.headers = NULL;
    r.req.nheaders = 0;
    handle_expect(rx, &r, 204, NULL, NULL);
    ugw_receiver_free(rx);
}

static void test_answer_body_is_bounded(void **state)
{
    static char message[3000], path[UGW_PATH_MAX];
    ugw_receiver_result res;
    (void)state;
    /* A message that escapes to six times its length: cut, never overrun. */
    memset(message, '\x01', sizeof message - 1);
    memset(path, '"', sizeof path - 1);
    ugw_receiver_answer(&res, 400, UGW_ERR_SYNTAX, message, path, SIZE_MAX, 0);
    assert_true(res.body_len < UGW_RECEIVER_BODY_MAX);
    assert_int_equal(strlen(res.body), res.body_len);
    assert_true(strncmp(res.body, "{\"code\":\"syntax\",\"message\":\"\\u0001", 31) == 0);
    assert_non_null(strstr(res.body, "\",\"pos\":18446744073709551615}"));
    assert_non_null(strstr(res.body, "\",\"path\":\"\\\""));
}

static void test_null_arguments(void **state)
{
    ugw_receiver_result res;
    req_t r;
    (void)state;
    assert_int_equal(ugw_receiver_handle(NULL, NULL, NULL), 500);
    assert_int_equal(ugw_receiver_handle(NULL, NULL, &res), 500);
    expect_answer(&res, 500, "arg", "");
    assert_int_equal(ugw_receiver_finish(NULL, &res, true), 0);
    req_init(&r, "POST", NULL, NULL);
    r.req.len = 3; /* NULL body with a length */
    {
        ugw_receiver *rx = rx_new(0, NULL);
        assert_int_equal(ugw_receiver_handle(rx, &r.req, &res), 500);
        ugw_receiver_free(rx);
    }
    ugw_receiver_answer(NULL, 400, UGW_ERR_SYNTAX, "x", NULL, 0, 0);
    ugw_receiver_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_method_405),
        cmocka_unit_test(test_body_over_limit_413),
        cmocka_unit_test(test_bad_webhook_id_400),
        cmocka_unit_test(test_signed_rejections_401),
        cmocka_unit_test(test_key_rotation),
        cmocka_unit_test(test_weak_secret_refused_unless_allowed),
        cmocka_unit_test(test_content_type_415),
        cmocka_unit_test(test_invalid_event_400_and_escaped_body),
        cmocka_unit_test(test_msgpack_by_content_type),
        cmocka_unit_test(test_result_points_at_the_event),
        cmocka_unit_test(test_caller_memory),
        cmocka_unit_test(test_check_headers_before_the_body),
        cmocka_unit_test(test_duplicate_headers_in_array_400),
        cmocka_unit_test(test_header_callback_form),
        cmocka_unit_test(test_answer_body_is_bounded),
        cmocka_unit_test(test_null_arguments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
