/*
 * fuzz_receiver.c - libFuzzer target for the receiver's request path
 * (ugw_receiver.h): method, headers and body from the input.
 *
 * Input: one flags byte (bit 0: a receiver with a secret, bit 1: strict,
 * bit 2: report the event stored), then text: the method on the first line,
 * header lines "name: value" up to an empty line, and the body after it
 * (all bytes, NULs included). A webhook-timestamp of "NOW" becomes the
 * fixed clock and a webhook-signature of "SIGN" the real signature of the
 * body with the secret, so that signed inputs reach the decoder too.
 *
 * Oracle (abort() on any broken rule; ASan and UBSan watch memory):
 *   1. every answer is one of the statuses of ugw_receiver.h; a rejection
 *      carries a JSON body {"code":"<its code name>",...} of body_len bytes,
 *      NUL-terminated, with a static message and a path within UGW_PATH_MAX;
 *   2. ugw_receiver_check_headers() refusing implies ugw_receiver_handle()
 *      refusing with the same status (the early checks are a prefix);
 *   3. a new event has its descriptor and payload, which validates and
 *      encodes; ugw_receiver_finish() returns 204 when stored, else 503.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ugw/ugw_events.h>
#include <ugw/ugw_receiver.h>

#define CHECK(cond, ...)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "fuzz_receiver: %s:%d: check failed: %s: ", __FILE__, __LINE__, #cond); \
            fprintf(stderr, __VA_ARGS__);                                                          \
            fputc('\n', stderr);                                                                   \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

#define NOW ((int64_t)1717322400)
#define MAX_HEADERS 32

static ugw_receiver *rx[4]; /* by flags & 3 */
static ugw_secret secret;

static void setup(void)
{
    static const char key[] = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    ugw_receiver_config c;
    if (rx[0])
        return;
    if (ugw_secret_parse(key, sizeof key - 1, &secret, NULL) != UGW_OK)
        abort();
    for (int i = 0; i < 4; i++) {
        memset(&c, 0, sizeof c);
        c.schema = &ugw_schema_events;
        c.secrets = (i & 1) ? &secret : NULL;
        c.nsecrets = (i & 1) ? 1 : 0;
        c.strict = (i & 2) != 0;
        c.max_body = 4096;
        c.replay_capacity = 64;
        rx[i] = ugw_receiver_new(&c, NULL);
        if (!rx[i])
            abort();
    }
}

static int known_status(unsigned st)
{
    static const unsigned ok[] = { 204, 400, 401, 405, 413, 415, 500, 503 };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
        if (st == ok[i])
            return 1;
    return 0;
}

static void check_answer(const ugw_receiver_result *r)
{
    char want[48];
    CHECK(known_status(r->status), "status %u", r->status);
    if (r->status == 204) {
        CHECK(r->body_len == 0, "204 with a body");
        return;
    }
    CHECK(r->body_len < sizeof r->body && r->body[r->body_len] == '\0' && strlen(r->body) == r->body_len,
          "body length %zu", r->body_len);
    CHECK(r->error.message != NULL, "no message");
    CHECK(memchr(r->error.path, '\0', sizeof r->error.path) != NULL, "path not terminated");
    snprintf(want, sizeof want, "{\"code\":\"%s\",", ugw_status_name(r->error.code));
    CHECK(strncmp(r->body, want, strlen(want)) == 0, "body %s", r->body);
    CHECK(r->body[r->body_len - 1] == '}', "body %s", r->body);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char text[8192];
    ugw_receiver_header h[MAX_HEADERS];
    char sig[UGW_SIGNATURE_MAX], now[24];
    ugw_receiver_request q;
    ugw_receiver_result early, res;
    const char *method, *body, *id = "";
    size_t nh = 0, len, at, blen;
    unsigned flags, st;
    ugw_receiver *r;
    int refused;

    setup();
    if (size < 1 || size - 1 >= sizeof text)
        return 0;
    flags = data[0];
    r = rx[flags & 3];
    len = size - 1;
    memcpy(text, data + 1, len);
    text[len] = '\0';

    /* The method line. */
    at = strcspn(text, "\n");
    if (at == len)
        return 0;
    text[at] = '\0';
    method = text;
    at++;
    /* Header lines up to an empty one. */
    while (at < len && text[at] != '\n' && nh < MAX_HEADERS) {
        char *line = text + at, *colon;
        size_t n = strcspn(line, "\n");
        if (at + n == len)
            return 0;
        line[n] = '\0';
        at += n + 1;
        colon = strchr(line, ':');
        if (!colon)
            continue;
        *colon = '\0';
        h[nh].name = line;
        h[nh].value = colon + 1 + (colon[1] == ' ');
        if (strcmp(h[nh].name, "webhook-id") == 0)
            id = h[nh].value;
        nh++;
    }
    if (at >= len || text[at] != '\n')
        return 0;
    body = text + at + 1;
    blen = len - at - 1;
    for (size_t i = 0; i < nh; i++) {
        if (strcmp(h[i].name, "webhook-timestamp") == 0 && strcmp(h[i].value, "NOW") == 0) {
            snprintf(now, sizeof now, "%lld", (long long)NOW);
            h[i].value = now;
        } else if (strcmp(h[i].name, "webhook-signature") == 0 && strcmp(h[i].value, "SIGN") == 0) {
            if (ugw_webhook_sign(&secret, id, NOW, body, blen, sig, sizeof sig, NULL) != UGW_OK)
                sig[0] = '\0';
            h[i].value = sig;
        }
    }

    memset(&q, 0, sizeof q);
    q.method = method;
    q.headers = h;
    q.nheaders = nh;
    q.content_length = (int64_t)blen;
    q.body = body;
    q.len = blen;
    q.now = NOW;

    refused = !ugw_receiver_check_headers(r, &q, &early);
    if (refused)
        check_answer(&early);
    else
        CHECK(early.status == 0, "passed with status %u", early.status);

    st = ugw_receiver_handle(r, &q, &res);
    CHECK(st == res.status, "returned %u, result %u", st, res.status);
    check_answer(&res);
    if (refused)
        CHECK(st == early.status, "early %u, full %u", early.status, st);
    if (st == 204 && !res.duplicate) {
        ugw_error err;
        size_t need = 0;
        CHECK(res.desc != NULL && res.payload != NULL && res.type > 0, "no event");
        CHECK(ugw_schema_validate(&ugw_schema_events, res.type, res.payload, &err) == UGW_OK, "%s",
              err.message);
        CHECK(ugw_schema_encode(&ugw_schema_events, res.type, res.payload, UGW_FORMAT_JSON, NULL, 0, &need, &err)
                  == UGW_OK,
              "%s", err.message);
    }
    st = ugw_receiver_finish(r, &res, (flags & 4) != 0);
    if (res.status == 204 || res.status == 503)
        CHECK(st == res.status, "finish %u", st);
    return 0;
}
