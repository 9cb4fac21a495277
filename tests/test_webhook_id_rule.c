/*
 * test_webhook_id_rule.c - one rule for a valid webhook-id, the same in
 * every part that meets one: ugw_webhook_id_check() says yes or no, and the
 * client (a caller's id), the receiver (the webhook-id header: 204 or 400),
 * the dead-letter writer and the dead-letter reader (what `ugw send
 * --replay` reads) all agree with it, id by id, at the edges of the rule.
 * Before the one rule the client took ids up to 39 bytes with spaces, tabs
 * or non-ASCII bytes, which receivers then refused.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ugw/ugw_receiver.h>

#include "client_support.h"
#include "support/receiver_helpers.h"

/* The dead-letter reader's verdict on a record with this id. */
static bool reader_takes(const char *id)
{
    char path[] = "/tmp/ugw-idrule-XXXXXX", line[2048];
    size_t n = 0;
    int fd = mkstemp(path), r;
    ugw_dead_letter_reader *rd;
    ugw_dead_letter dl;
    ugw_read_error err;
    assert_true(fd >= 0);
    n += (size_t)snprintf(line, sizeof line, "{\"id\":\"");
    n += ugw_json_escape(line + n, id, strlen(id));
    n += (size_t)snprintf(line + n, sizeof line - n, "\",\"event\":\"e\",\"format\":\"json\",\"body\":\"{}\"}\n");
    assert_int_equal(write(fd, line, n), (ssize_t)n);
    close(fd);
    rd = ugw_dead_letter_open(path, 0, &err);
    assert_non_null(rd);
    r = ugw_dead_letter_next(rd, &dl, &err);
    if (r == 1)
        assert_string_equal(dl.id, id);
    else
        assert_string_equal(err.error.path, "id");
    ugw_dead_letter_close(rd);
    unlink(path);
    return r == 1;
}

/* The dead-letter writer's verdict. */
static bool writer_takes(const char *id)
{
    char path[] = "/tmp/ugw-idrule-XXXXXX";
    int fd = mkstemp(path);
    ugw_dead_letter dl;
    ugw_status st;
    assert_true(fd >= 0);
    memset(&dl, 0, sizeof dl);
    dl.id = id;
    dl.event = "e";
    dl.format = UGW_FORMAT_JSON;
    dl.body = "{}";
    dl.body_len = 2;
    st = ugw_dead_letter_write(fd, &dl, NULL, NULL);
    close(fd);
    unlink(path);
    return st == UGW_OK;
}

static void test_one_rule_everywhere(void **state)
{
    fx *t = *state;
    static char longest[UGW_WEBHOOK_ID_LEN_MAX + 1], too_long[UGW_WEBHOOK_ID_LEN_MAX + 2];
    const char *ids[] = { "a", "!", "~", "msg_\"q\\/", longest, too_long, "", "a b", "a\tb", "\x7f",
                          "caf\xc3\xa9", "a\x01", "msg_1\r\n" };
    ugw_receiver_config rc;
    ugw_receiver *rx;
    ugw_client_config cfg;
    char url[64], got[UGW_WEBHOOK_ID_MAX];
    static req_t r;
    memset(longest, '~', sizeof longest - 1);
    memset(too_long, '!', sizeof too_long - 1);
    snprintf(url, sizeof url, "http://127.0.0.1:%d/hook", tr_refused_port());
    cfg = base_cfg(t, url);
    cfg.max_attempts = 1;
    start_client(t, &cfg);
    memset(&rc, 0, sizeof rc);
    rc.schema = &ugw_schema_events;
    rx = ugw_receiver_new(&rc, NULL);
    assert_non_null(rx);

    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
        const char *id = ids[i];
        bool valid = ugw_webhook_id_check(id, strlen(id), NULL) == UGW_OK;
        ugw_status cs;
        unsigned rs;
        ugw_error err;
        cs = ugw_client_enqueue_body(t->c, "{}", 2, UGW_FORMAT_JSON, "e", id, 0, NULL, got, &err);
        req_init(&r, "POST", BODY_OK, id);
        rs = ugw_receiver_handle(rx, &r.req, &r.res);
        ugw_receiver_finish(rx, &r.res, true);
        print_message("id #%zu (%zu bytes): rule %s, client %s, receiver %u, writer %s, reader %s\n", i,
                      strlen(id), valid ? "valid" : "invalid", ugw_status_name(cs), rs,
                      writer_takes(id) ? "takes" : "refuses", reader_takes(id) ? "takes" : "refuses");
        assert_int_equal(cs == UGW_OK, valid);
        if (!valid)
            assert_string_equal(err.path, "webhook-id");
        assert_int_equal(rs, valid ? 204 : 400);
        assert_int_equal(writer_takes(id), valid);
        assert_int_equal(reader_takes(id), valid);
    }
    ugw_receiver_free(rx);
    close_client(t, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_one_rule_everywhere, fx_setup, fx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
