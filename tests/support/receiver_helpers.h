/*
 * receiver_helpers.h - requests for the receiver library's tests
 * (test_ugw_receiver*.c): a request with an array of headers, signing it,
 * handling it and checking the answer. Include after <cmocka.h>.
 */
#ifndef UGW_TEST_RECEIVER_HELPERS_H
#define UGW_TEST_RECEIVER_HELPERS_H

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <ugw/ugw_events.h>
#include <ugw/ugw_receiver.h>

#define BODY_OK                                                                                    \
    "{\"event\":\"nps score submit (userguiding)\",\"payload\":{\"userId\":\"user-42\","           \
    "\"pageUrl\":\"https://app.example.com/dashboard?tab=1\",\"question\":\"How likely?\",\"score\":9}}"

#define REQ_MAX_HEADERS 8

typedef struct req_t {
    ugw_receiver_header h[REQ_MAX_HEADERS];
    size_t n;
    char ts[24];
    char sig[UGW_SIGNATURE_MAX];
    const char *body;
    size_t len;
    ugw_receiver_request req;
    ugw_receiver_result res;
} req_t;

static inline void sync_req(req_t *r)
{
    r->req.headers = r->h;
    r->req.nheaders = r->n;
    r->req.body = r->body;
    r->req.len = r->len;
}

/* Appends a header (a second one of the same name included). */
static inline void req_add(req_t *r, const char *name, const char *value)
{
    assert_true(r->n < REQ_MAX_HEADERS);
    r->h[r->n].name = name;
    r->h[r->n].value = value;
    r->n++;
    sync_req(r);
}

/* Sets a header, replacing one of that name; NULL value removes it. */
static inline void req_set(req_t *r, const char *name, const char *value)
{
    for (size_t i = 0; i < r->n; i++) {
        if (strcasecmp(r->h[i].name, name) == 0) {
            if (value) {
                r->h[i].value = value;
            } else {
                memmove(&r->h[i], &r->h[i + 1], (r->n - i - 1) * sizeof r->h[0]);
                r->n--;
            }
            sync_req(r);
            return;
        }
    }
    if (value)
        req_add(r, name, value);
}

/* A request with Content-Type application/json and, when `id` is not
 * NULL, that webhook-id. */
static inline void req_init(req_t *r, const char *method, const char *body, const char *id)
{
    memset(r, 0, sizeof *r);
    r->body = body;
    r->len = body ? strlen(body) : 0;
    r->req.method = method;
    r->req.content_length = -1;
    req_add(r, "Content-Type", "application/json");
    if (id)
        req_add(r, "webhook-id", id);
    sync_req(r);
}

static inline const char *req_lookup(void *ctx, const char *name)
{
    req_t *r = ctx;
    for (size_t i = 0; i < r->n; i++)
        if (strcasecmp(r->h[i].name, name) == 0)
            return r->h[i].value;
    return NULL;
}

static inline void req_set_ts(req_t *r, int64_t ts)
{
    snprintf(r->ts, sizeof r->ts, "%lld", (long long)ts);
    req_set(r, "webhook-timestamp", r->ts);
}

/* Signs the request's body with `s` at `ts`. */
static inline void req_sign(req_t *r, const ugw_secret *s, int64_t ts)
{
    const char *id = req_lookup(r, "webhook-id");
    assert_non_null(id);
    req_set_ts(r, ts);
    assert_int_equal(ugw_webhook_sign(s, id, ts, r->body, r->len, r->sig, sizeof r->sig, NULL), UGW_OK);
    req_set(r, "webhook-signature", r->sig);
}

/* A receiver of `schema`'s events; with `nsecrets` 1, a new secret in *s. */
static inline ugw_receiver *rx_new_for(const ugw_schema *schema, size_t nsecrets, ugw_secret *s)
{
    ugw_receiver_config c;
    ugw_receiver *rx;
    memset(&c, 0, sizeof c);
    c.schema = schema;
    if (nsecrets) {
        assert_int_equal(ugw_secret_generate(s, NULL, 0), UGW_OK);
        c.secrets = s;
        c.nsecrets = 1;
    }
    rx = ugw_receiver_new(&c, NULL);
    assert_non_null(rx);
    return rx;
}

/* A receiver of the bundled events; with `nsecrets` 1, a new secret in *s. */
static inline ugw_receiver *rx_new(size_t nsecrets, ugw_secret *s)
{
    return rx_new_for(&ugw_schema_events, nsecrets, s);
}

/* Checks an answer: status, and for an error its code name, path (when not
 * NULL) and that the body is the error's JSON object. */
static inline void expect_answer(const ugw_receiver_result *res, unsigned status, const char *code,
                                 const char *path)
{
    assert_int_equal(res->status, status);
    if (status == 204 || status == 0) {
        assert_int_equal(res->body_len, 0);
        return;
    }
    assert_int_equal(res->body_len, strlen(res->body));
    assert_true(strncmp(res->body, "{\"code\":\"", 9) == 0);
    assert_true(res->body[res->body_len - 1] == '}');
    if (code) {
        assert_string_equal(ugw_status_name(res->error.code), code);
        assert_true(strncmp(res->body + 9, code, strlen(code)) == 0);
    }
    if (path)
        assert_string_equal(res->error.path, path);
}

/* Handles the request, checks the answer, and finishes it as stored. */
static inline void handle_expect(ugw_receiver *rx, req_t *r, unsigned status, const char *code,
                                 const char *path)
{
    unsigned st;
    sync_req(r);
    st = ugw_receiver_handle(rx, &r->req, &r->res);
    assert_int_equal(st, r->res.status);
    expect_answer(&r->res, status, code, path);
    assert_int_equal(ugw_receiver_finish(rx, &r->res, true), status);
}

#endif /* UGW_TEST_RECEIVER_HELPERS_H */
