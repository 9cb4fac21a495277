/*
 * test_relay_endpoints.c - the relay's endpoints file (ugw_relay.h) against
 * hostile text: every error with its code, line, byte offset and field;
 * bounds on lines, endpoints and the file; and the settings ugw_relay_new()
 * and the producer refuse before they connect anywhere.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ugw/ugw_relay.h>

#define SECRET "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"

static ugw_relay_endpoints *parse(const char *text, ugw_read_error *err)
{
    return ugw_relay_endpoints_parse(text, strlen(text), err);
}

/* The text fails with `code` on `line`, at byte `pos`, field `path`. */
static void expect_error(const char *text, ugw_status code, uint64_t line, size_t pos, const char *path)
{
    ugw_read_error err;
    ugw_relay_endpoints *e = parse(text, &err);
    if (e)
        fail_msg("accepted: %s", text);
    if (err.error.code != code || err.line != line || err.error.pos != pos || strcmp(err.error.path, path) != 0)
        fail_msg("%s: got %s line %llu pos %zu path '%s' (%s)", text, ugw_status_name(err.error.code),
                 (unsigned long long)err.line, err.error.pos, err.error.path, err.error.message);
    assert_non_null(err.error.message);
}

static void test_good_file(void **state)
{
    static const char text[] = "# the endpoints\n"
                               "\n"
                               "billing https://billing.example.com/hooks secret=" SECRET " in_flight=4\r\n"
                               "   \t\n"
                               "crm\thttp://127.0.0.1:8080/ugw\n"
                               "  # indented comment\n"
                               "audit https://audit.example.com/x in_flight=1024 secret=" SECRET;
    ugw_read_error err;
    ugw_relay_endpoints *e = parse(text, &err);
    const ugw_relay_endpoint *ep;
    (void)state;
    assert_non_null(e);
    assert_int_equal(ugw_relay_endpoints_count(e), 3);
    ep = ugw_relay_endpoints_at(e, 0);
    assert_string_equal(ep->name, "billing");
    assert_string_equal(ep->url, "https://billing.example.com/hooks");
    assert_string_equal(ep->secret, SECRET);
    assert_int_equal(ep->in_flight, 4);
    ep = ugw_relay_endpoints_at(e, 1);
    assert_string_equal(ep->name, "crm");
    assert_string_equal(ep->url, "http://127.0.0.1:8080/ugw");
    assert_null(ep->secret);
    assert_int_equal(ep->in_flight, 0);
    ep = ugw_relay_endpoints_at(e, 2);
    assert_int_equal(ep->in_flight, 1024);
    assert_null(ugw_relay_endpoints_at(e, 3));
    ugw_relay_endpoints_free(e);
    assert_int_equal(ugw_relay_endpoints_count(NULL), 0);
    assert_null(ugw_relay_endpoints_at(NULL, 0));
    ugw_relay_endpoints_free(NULL);
}

static void test_errors(void **state)
{
    (void)state;
    expect_error("", UGW_ERR_MISSING, 0, 0, "");
    expect_error("# only a comment\n\n", UGW_ERR_MISSING, 2, 18, "");
    expect_error("a.b http://x/", UGW_ERR_SYNTAX, 1, 0, "name");
    expect_error("ok http://x/\n  b\xc3\xa9 http://x/", UGW_ERR_SYNTAX, 2, 15, "name");
    expect_error("x http://x/\nlonely", UGW_ERR_SYNTAX, 2, 18, "url");
    expect_error("x ftp://x/", UGW_ERR_URL, 1, 2, "url");
    expect_error("x http://x/ secret=whsec_!!!!", UGW_ERR_SECRET, 1, 25, "secret");
    expect_error("x http://x/ secret=", UGW_ERR_SYNTAX, 1, 12, "");
    expect_error("x http://x/ secret=" SECRET " secret=" SECRET, UGW_ERR_DUPLICATE_KEY, 1, 58, "secret");
    expect_error("x http://x/ in_flight=0", UGW_ERR_RANGE, 1, 22, "in_flight");
    expect_error("x http://x/ in_flight=1025", UGW_ERR_RANGE, 1, 22, "in_flight");
    expect_error("x http://x/ in_flight=-1", UGW_ERR_RANGE, 1, 22, "in_flight");
    expect_error("x http://x/ in_flight=3 in_flight=3", UGW_ERR_DUPLICATE_KEY, 1, 24, "in_flight");
    expect_error("x http://x/ colour=red", UGW_ERR_SYNTAX, 1, 12, "");
    expect_error("x http://x/ a=1 b=2 c=3", UGW_ERR_SYNTAX, 1, 20, "");
    expect_error("x http://x/\ny http://y/\nx http://z/", UGW_ERR_DUPLICATE_KEY, 3, 24, "name");
    expect_error("x http://x/\x01", UGW_ERR_SYNTAX, 1, 11, "");
    expect_error("x http://x/\x7f", UGW_ERR_SYNTAX, 1, 11, "");
    /* a NUL inside the text is a control byte, never the end of it */
    {
        static const char nul[] = "x http://x/\0y http://y/\n";
        ugw_read_error err;
        assert_null(ugw_relay_endpoints_parse(nul, sizeof nul - 1, &err));
        assert_int_equal(err.error.code, UGW_ERR_SYNTAX);
        assert_int_equal(err.error.pos, 11);
    }
    {
        ugw_read_error err;
        assert_null(ugw_relay_endpoints_parse(NULL, 3, &err));
        assert_int_equal(err.error.code, UGW_ERR_ARG);
    }
}

static void test_names(void **state)
{
    char name[70];
    (void)state;
    memset(name, 'a', sizeof name);
    assert_true(ugw_relay_name_check(name, 64));
    assert_false(ugw_relay_name_check(name, 65));
    assert_false(ugw_relay_name_check(name, 0));
    assert_false(ugw_relay_name_check(NULL, 3));
    assert_true(ugw_relay_name_check("A-z_0", 5));
    assert_false(ugw_relay_name_check("a*", 2));
    assert_false(ugw_relay_name_check("a>", 2));
    assert_false(ugw_relay_name_check("a b", 3));
}

/* Bounds: a line over 8192 bytes, more than 1024 endpoints. */
static void test_limits(void **state)
{
    size_t cap = 1100 * 40, n = 0;
    char *text = malloc(cap);
    ugw_read_error err;
    ugw_relay_endpoints *e;
    (void)state;
    assert_non_null(text);
    for (int i = 0; i < 1025; i++)
        n += (size_t)snprintf(text + n, cap - n, "e%d http://x/\n", i);
    assert_null(ugw_relay_endpoints_parse(text, n, &err));
    assert_int_equal(err.error.code, UGW_ERR_LIMIT);
    assert_int_equal(err.line, 1025);
    e = ugw_relay_endpoints_parse(text, n - strlen("e1024 http://x/\n"), &err);
    assert_non_null(e);
    assert_int_equal(ugw_relay_endpoints_count(e), 1024);
    ugw_relay_endpoints_free(e);

    memset(text, ' ', 9000);
    memcpy(text + 8990, "x http://", 9);
    assert_null(ugw_relay_endpoints_parse(text, 9000, &err));
    assert_int_equal(err.error.code, UGW_ERR_LIMIT);
    assert_int_equal(err.error.pos, 8192);
    free(text);
}

static void test_load(void **state)
{
    char dir[] = "/tmp/ugw_relay_ep_XXXXXX", path[64];
    static const char text[] = "main http://127.0.0.1:1/ secret=" SECRET "\n";
    ugw_read_error err;
    unsigned mode = 1;
    int fd;
    ugw_relay_endpoints *e;
    (void)state;
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/endpoints", dir);
    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0640);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, sizeof text - 1), (ssize_t)(sizeof text - 1));
    assert_int_equal(fchmod(fd, 0640), 0);
    close(fd);
    e = ugw_relay_endpoints_load(path, &mode, &err);
    assert_non_null(e);
    assert_int_equal(mode, 0640); /* the caller warns: others may read it */
    assert_string_equal(ugw_relay_endpoints_at(e, 0)->secret, SECRET);
    ugw_relay_endpoints_free(e);
    /* a directory, a missing file */
    assert_null(ugw_relay_endpoints_load(dir, &mode, &err));
    assert_int_equal(err.error.code, UGW_ERR_IO);
    assert_int_equal(err.sys_errno, EISDIR);
    unlink(path);
    assert_null(ugw_relay_endpoints_load(path, &mode, &err));
    assert_int_equal(err.error.code, UGW_ERR_IO);
    assert_int_equal(err.sys_errno, ENOENT);
    assert_null(ugw_relay_endpoints_load(NULL, NULL, &err));
    assert_int_equal(err.error.code, UGW_ERR_ARG);
    rmdir(dir);
}

/* Settings refused before any connection (no server listens on port 1). */
static void test_relay_settings(void **state)
{
    ugw_read_error rerr;
    ugw_relay_endpoints *e = parse("main http://127.0.0.1:1/\n", &rerr);
    ugw_relay_config cfg;
    ugw_error err;
    (void)state;
    assert_non_null(e);

    memset(&cfg, 0, sizeof cfg);
    cfg.nats.servers = "nats://127.0.0.1:1";
    assert_null(ugw_relay_new(&cfg, &err));
    assert_int_equal(err.code, UGW_ERR_ARG);
    assert_string_equal(err.path, "endpoints");

    cfg.endpoints = e;
    cfg.timeout_ms = 5000;
    cfg.ack_wait_ms = 5500;
    assert_null(ugw_relay_new(&cfg, &err));
    assert_int_equal(err.code, UGW_ERR_ARG);
    assert_string_equal(err.path, "ack_wait_ms");

    cfg.ack_wait_ms = 0;
    cfg.delivery_threads = UGW_CLIENT_THREADS_MAX + 1;
    assert_null(ugw_relay_new(&cfg, &err));
    assert_int_equal(err.code, UGW_ERR_ARG);
    assert_string_equal(err.path, "delivery_threads");
    cfg.delivery_threads = 0;
    cfg.durable = "has.dot";
    assert_null(ugw_relay_new(&cfg, &err));
    assert_string_equal(err.path, "durable");
    cfg.durable = NULL;

    cfg.nats.subject_prefix = "a..b";
    assert_null(ugw_relay_new(&cfg, &err));
    assert_string_equal(err.path, "subject_prefix");
    cfg.nats.subject_prefix = "same";
    cfg.nats.dead_subject = "same";
    assert_null(ugw_relay_new(&cfg, &err));
    assert_string_equal(err.path, "dead_subject");
    cfg.nats.subject_prefix = cfg.nats.dead_subject = NULL;
    cfg.nats.stream = "a.b";
    assert_null(ugw_relay_new(&cfg, &err));
    assert_string_equal(err.path, "stream");
    cfg.nats.stream = NULL;
    cfg.nats.servers = " , ";
    assert_null(ugw_relay_new(&cfg, &err));
    assert_string_equal(err.path, "servers");

    /* good settings, no server: UGW_ERR_IO naming the servers */
    cfg.nats.servers = "nats://127.0.0.1:1";
    cfg.nats.timeout_ms = 500;
    assert_null(ugw_relay_new(&cfg, &err));
    assert_int_equal(err.code, UGW_ERR_IO);
    assert_string_equal(err.path, "servers");
    assert_null(ugw_relay_producer_new(&cfg.nats, &err));
    assert_int_equal(err.code, UGW_ERR_IO);
    assert_null(ugw_relay_new(NULL, &err));
    assert_int_equal(err.code, UGW_ERR_ARG);
    ugw_relay_endpoints_free(e);
    ugw_relay_producer_close(NULL);
    assert_int_equal(ugw_relay_close(NULL, 0), UGW_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good_file),   cmocka_unit_test(test_errors),         cmocka_unit_test(test_names),
        cmocka_unit_test(test_limits),      cmocka_unit_test(test_load),           cmocka_unit_test(test_relay_settings),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
