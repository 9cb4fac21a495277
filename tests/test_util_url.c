/*
 * test_util_url.c - cmocka tests of runtime/codec/ugw_util.c: the URL check.
 *
 * Inputs go through the exact-size copies of util_support.h.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ugw/ugw_runtime.h>

#include "util_support.h"

/* ------------------------------------------------------------------ */
/* URL                                                                  */
/* ------------------------------------------------------------------ */

static void test_url_accept(void **state)
{
    (void)state;
    static const char *const good[] = {
        "http://a",
        "https://a",
        "http://example.com",
        "https://example.com/path?q=1&r=2#frag",
        "HTTP://EXAMPLE.COM/",
        "HTTPS://x",
        "HtTpS://x.y",
        "hTTp://x",
        "http://user:pw@host:8080/p",
        "http://[::1]:80/",
        "http://a/b~!$&'()*+,;=",
        "http://h\xc3\xa9.example/\xe2\x82\xac",
        "http://\x80\xff",
        "https://a?",
        "https://a#",
        "http://a//b",
        "http://:80",
        "http://.",
    };
    for (size_t k = 0; k < sizeof good / sizeof good[0]; k++) {
        if (!urlx(good[k], strlen(good[k])))
            fail_msg("rejected good URL \"%s\"", good[k]);
    }
}

static void test_url_reject(void **state)
{
    (void)state;
    static const char *const badv[] = {
        "",
        "h",
        "http",
        "http:",
        "http:/",
        "http://",
        "https://",
        "HTTPS://",
        "http:/a",
        "https:/a",
        "http//a",
        "http:\\\\a",
        "https//:a",
        "httpx://a",
        "httpss://a",
        "htp://a",
        "ftp://a",
        "mailto:a@b",
        "//a",
        "/a",
        "a",
        "http:///a",
        "https:///",
        "http://?q",
        "http://#f",
        "http://a b",
        " http://a",
        "http://a ",
        "http:// a",
        "http://a\tb",
        "http://a\nb",
        "http://a\r",
        "http://a\x01",
        "http://a\x1f",
        "http://a\x7f",
        "\x7fhttp://a",
        "http\x7f://a",
    };
    for (size_t k = 0; k < sizeof badv / sizeof badv[0]; k++) {
        if (urlx(badv[k], strlen(badv[k])))
            fail_msg("accepted bad URL \"%s\"", badv[k]);
    }
    /* NUL bytes inside the length. */
    assert_false(urlx(LIT("http://a\0b")));
    assert_false(urlx(LIT("http://\0")));
    assert_false(urlx(LIT("http://ab\0")));
    assert_true(urlx(LIT("http://a\x21")));
    assert_false(urlx(LIT("http://a\x20")));

    /* The length limits what is looked at. */
    assert_false(urlx("http://a", 7));
    assert_true(urlx("http://a b", 8));
    assert_false(ugw_url_check(NULL, 0));

    /* Every control byte, and space and DEL, at every position. */
    char buf[32] = "https://host.example/p";
    const size_t n = strlen(buf);
    for (unsigned c = 0; c <= 0x20; c++) {
        for (size_t pos = 0; pos < n; pos++) {
            char t[32];
            memcpy(t, buf, n);
            t[pos] = (char)c;
            assert_false(urlx(t, n));
        }
    }
    for (size_t pos = 0; pos < n; pos++) {
        char t[32];
        memcpy(t, buf, n);
        t[pos] = 0x7f;
        assert_false(urlx(t, n));
    }
    assert_true(urlx(buf, n));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_url_accept),
        cmocka_unit_test(test_url_reject),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
