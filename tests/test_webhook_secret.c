/*
 * test_webhook_secret.c - cmocka tests of secrets (parse, format, generate)
 * and webhook ids (new, check) of ugw_webhook.h, with inputs as exact heap
 * copies (webhook_support.h).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <ugw/ugw_runtime.h>
#include <ugw/ugw_webhook.h>

#include "webhook_support.h"

/* ------------------------------------------------------------------ */
/* Secrets                                                              */
/* ------------------------------------------------------------------ */

/* Expects UGW_ERR_SECRET at `pos` and a zeroed output. */
static void secret_fails(const void *text, size_t len, size_t pos)
{
    ugw_secret s;
    ugw_error err;
    memset(&s, 0x55, sizeof s);
    assert_int_equal(parsex(text, len, &s, &err), UGW_ERR_SECRET);
    assert_int_equal(err.code, UGW_ERR_SECRET);
    assert_non_null(err.message);
    assert_int_equal(err.pos, pos);
    assert_string_equal(err.path, "");
    assert_int_equal(s.len, 0);
    for (size_t i = 0; i < sizeof s.key; i++)
        assert_int_equal(s.key[i], 0);
}

static void test_secret_parse(void **state)
{
    (void)state;
    ugw_secret s, ref = secret_of(REF_SECRET);
    ugw_error err;

    /* White space around, with and without the prefix. */
    assert_int_equal(parsex(LIT(" \t\r\n" REF_SECRET " \n"), &s, &err), UGW_OK);
    assert_int_equal(s.len, 24);
    assert_memory_equal(s.key, ref.key, 24);
    assert_int_equal(parsex(LIT("\fMfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\v"), &s, &err), UGW_OK);
    assert_memory_equal(s.key, ref.key, 24);
    /* Only `len` bytes count: what follows is not read. */
    assert_int_equal(ugw_secret_parse(REF_SECRET "!!!!", strlen(REF_SECRET), &s, &err), UGW_OK);
    assert_memory_equal(s.key, ref.key, 24);

    /* Padding of one and two. */
    assert_int_equal(parsex(LIT("AAE="), &s, &err), UGW_OK);
    assert_int_equal(s.len, 2);
    assert_int_equal(s.key[1], 1);
    assert_int_equal(parsex(LIT("whsec_Kg=="), &s, &err), UGW_OK);
    assert_int_equal(s.len, 1);
    assert_int_equal(s.key[0], 0x2a);
    /* The whole alphabet, '+' and '/' included. */
    assert_int_equal(parsex(LIT("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"), &s, &err), UGW_OK);
    assert_int_equal(s.len, 48);
    assert_int_equal(s.key[47], 0xbf); /* "89+/" ends 10111111 */

    /* Exactly 256 bytes. */
    assert_int_equal(parsex(LIT("whsec_" KEY256_B64), &s, &err), UGW_OK);
    assert_int_equal(s.len, 256);
    for (size_t i = 0; i < 256; i++)
        assert_int_equal(s.key[i], i);

    /* Empty. */
    secret_fails(LIT(""), 0);
    secret_fails(LIT("   \t\n"), 5);
    secret_fails(LIT("whsec_"), 6);
    secret_fails(LIT("  whsec_  "), 8);
    assert_int_equal(ugw_secret_parse(NULL, 0, &s, &err), UGW_ERR_SECRET);

    /* Invalid characters, at their offset. */
    secret_fails(LIT("MfKQ9r8GKYqrTwjUPD8ILPZIo2La-aSw"), 28); /* URL-safe '-' */
    secret_fails(LIT("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLa_w"), 6 + 30);
    secret_fails(LIT("whsec_MfKQ9r8GKYqrTwjU PD8ILPZIo2LaLaSw"), 6 + 16); /* inner space */
    secret_fails(LIT("whsec_ MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"), 6);
    secret_fails(LIT("MfKQ9r8GKYqr\nTwjUPD8ILPZIo2LaLaSw"), 12);        /* line break */
    secret_fails(LIT("AA\0A"), 2);                                        /* NUL */
    secret_fails(LIT("AA\xc3\xa9"), 2);                                   /* non-ASCII */
    secret_fails(LIT("WHSEC_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"), 5);     /* prefix is lower case */
    secret_fails(LIT("whsec_whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"), 6 + 5);

    /* Bad padding and wrong lengths. */
    secret_fails(LIT("AB=C"), 2);   /* '=' inside */
    secret_fails(LIT("A=A="), 1);
    secret_fails(LIT("A==="), 1);   /* three '=' */
    secret_fails(LIT("===="), 0);
    secret_fails(LIT("AAA"), 3);    /* padding missing */
    secret_fails(LIT("AA="), 3);
    secret_fails(LIT("AAAAA"), 5);
    secret_fails(LIT("AAAA="), 5);  /* extra padding */
    secret_fails(LIT("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaS"), 31);

    /* 257 and 300 bytes: too long. */
    char b257[6 + 344 + 1], b300[400];
    memcpy(b257, "whsec_" KEY256_B64, 6 + 344);
    memcpy(b257 + 6 + 342, "A=", 2);     /* 256 bytes + 1 more: "...w==" -> "...wA=" */
    assert_int_equal(parsex(b257, 6 + 344, &s, &err), UGW_ERR_SECRET);
    assert_int_equal(s.len, 0);
    memset(b300, 'A', 400);
    secret_fails(b300, 400, 0);
    secret_fails(b300, 348, 0); /* 261 bytes */

    /* Arguments. */
    assert_int_equal(ugw_secret_parse(NULL, 4, &s, &err), UGW_ERR_ARG);
    assert_int_equal(err.code, UGW_ERR_ARG);
    assert_int_equal(ugw_secret_parse(LIT("AAAA"), NULL, &err), UGW_ERR_ARG);
    assert_int_equal(ugw_secret_parse(LIT("AAAA"), &s, NULL), UGW_OK);
    assert_int_equal(ugw_secret_parse(LIT("AAA"), &s, NULL), UGW_ERR_SECRET);
}

static void test_secret_format_generate(void **state)
{
    (void)state;
    ugw_secret s = secret_of(REF_SECRET), back;

    /* Round trips, with exact output buffers. */
    char *t = malloc(sizeof REF_SECRET);
    assert_non_null(t);
    assert_int_equal(ugw_secret_format(&s, t, sizeof REF_SECRET), UGW_OK);
    assert_string_equal(t, REF_SECRET);
    assert_int_equal(ugw_secret_format(&s, t, sizeof REF_SECRET - 1), UGW_ERR_BUFFER);
    assert_int_equal(t[0], '\0');
    free(t);
    ugw_secret k256 = secret_of(KEY256_B64);
    char *t256 = malloc(UGW_SECRET_TEXT_MAX);
    assert_non_null(t256);
    assert_int_equal(ugw_secret_format(&k256, t256, UGW_SECRET_TEXT_MAX), UGW_OK);
    assert_string_equal(t256, "whsec_" KEY256_B64);
    assert_int_equal(strlen(t256), UGW_SECRET_TEXT_MAX - 1);
    free(t256);
    char buf[UGW_SECRET_TEXT_MAX];
    ugw_secret k1 = secret_of(KEY1_B64);
    assert_int_equal(ugw_secret_format(&k1, buf, sizeof buf), UGW_OK);
    assert_string_equal(buf, "whsec_" KEY1_B64);

    assert_int_equal(ugw_secret_format(NULL, buf, sizeof buf), UGW_ERR_ARG);
    assert_int_equal(ugw_secret_format(&s, NULL, sizeof buf), UGW_ERR_ARG);
    ugw_secret bad = s;
    bad.len = 0;
    assert_int_equal(ugw_secret_format(&bad, buf, sizeof buf), UGW_ERR_SECRET);
    bad.len = UGW_SECRET_MAX + 1;
    assert_int_equal(ugw_secret_format(&bad, buf, sizeof buf), UGW_ERR_SECRET);

    /* Generate: 32 bytes, text that parses back to them, two differ. */
    ugw_secret g1, g2;
    char *gt = malloc(UGW_SECRET_GENERATED_TEXT_MAX);
    assert_non_null(gt);
    assert_int_equal(ugw_secret_generate(&g1, gt, UGW_SECRET_GENERATED_TEXT_MAX), UGW_OK);
    assert_int_equal(g1.len, UGW_SECRET_GENERATED_LEN);
    assert_int_equal(strlen(gt), UGW_SECRET_GENERATED_TEXT_MAX - 1);
    assert_memory_equal(gt, "whsec_", 6);
    assert_int_equal(parsex(gt, strlen(gt), &back, NULL), UGW_OK);
    assert_int_equal(back.len, 32);
    assert_memory_equal(back.key, g1.key, 32);
    free(gt);
    assert_int_equal(ugw_secret_generate(&g2, NULL, 0), UGW_OK);
    assert_int_equal(g2.len, 32);
    assert_memory_not_equal(g1.key, g2.key, 32);

    char small[UGW_SECRET_GENERATED_TEXT_MAX - 1];
    memset(&g2, 0x55, sizeof g2);
    assert_int_equal(ugw_secret_generate(&g2, small, sizeof small), UGW_ERR_BUFFER);
    assert_int_equal(small[0], '\0');
    assert_int_equal(g2.len, 0);
    assert_int_equal(ugw_secret_generate(NULL, buf, sizeof buf), UGW_ERR_ARG);

    /* A generated secret signs and verifies with a fresh id. */
    char id[UGW_WEBHOOK_ID_MAX], sig[UGW_SIGNATURE_MAX], ts[24];
    int64_t now = (int64_t)time(NULL);
    assert_int_equal(ugw_webhook_id_new(id), UGW_OK);
    assert_int_equal(signx(&g1, id, now, LIT(REF_BODY), sig), UGW_OK);
    snprintf(ts, sizeof ts, "%lld", (long long)now);
    assert_int_equal(verifyx(&g1, id, ts, sig, LIT(REF_BODY), now, 0), UGW_OK);
    assert_int_equal(verifyx(&back, id, ts, sig, LIT(REF_BODY), now, 0), UGW_OK);
    assert_int_equal(verifyx(&k1, id, ts, sig, LIT(REF_BODY), now, 0), UGW_ERR_SIGNATURE);
}

/* ------------------------------------------------------------------ */
/* Ids                                                                  */
/* ------------------------------------------------------------------ */

static int cmp_id(const void *a, const void *b)
{
    return strcmp(a, b);
}

static void test_id_new(void **state)
{
    (void)state;
    enum { N = 1000 };
    static const char alphabet[] = "0123456789abcdefghjkmnpqrstvwxyz";
    char(*ids)[UGW_WEBHOOK_ID_MAX] = malloc(N * sizeof *ids);
    unsigned seen[32] = {0}, first[8] = {0};
    assert_non_null(ids);

    for (int i = 0; i < N; i++) {
        char *id = ids[i];
        memset(id, 'z', UGW_WEBHOOK_ID_MAX);
        assert_int_equal(ugw_webhook_id_new(id), UGW_OK);
        assert_int_equal(strlen(id), UGW_WEBHOOK_ID_LEN);
        assert_memory_equal(id, "msg_", 4);
        for (size_t j = 4; j < UGW_WEBHOOK_ID_LEN; j++) {
            const char *at = strchr(alphabet, id[j]);
            assert_non_null(at);
            assert_true(at - alphabet < 32); /* not the terminator */
            if (j == 4) {
                assert_true(at - alphabet < 8); /* the top two of 130 bits are 0 */
                first[at - alphabet]++;
            } else {
                seen[at - alphabet]++;
            }
        }
    }
    /* All distinct. */
    qsort(ids, N, sizeof *ids, cmp_id);
    for (int i = 1; i < N; i++)
        assert_string_not_equal(ids[i - 1], ids[i]);
    /* Every character shows up (25,000 draws of 32; missing one by chance
     * has probability below 1e-300), and each first character (1,000 of 8). */
    for (int c = 0; c < 32; c++)
        assert_true(seen[c] > 0);
    for (int c = 0; c < 8; c++)
        assert_true(first[c] > 0);
    free(ids);

    assert_int_equal(ugw_webhook_id_new(NULL), UGW_ERR_ARG);
}

/* A forked child must not repeat the ids its parent makes next (the
 * per-thread pool of random bytes is emptied in the child). */
static void test_id_fork(void **state)
{
    (void)state;
    enum { N = 40 }; /* more than one pool of 32 ids */
    char first[UGW_WEBHOOK_ID_MAX], parent[N][UGW_WEBHOOK_ID_MAX], child[N][UGW_WEBHOOK_ID_MAX];
    int fds[2];

    memset(child, 0, sizeof child); /* the tails after each NUL are sent too */
    assert_int_equal(ugw_webhook_id_new(first), UGW_OK); /* fills the pool */
    assert_int_equal(pipe(fds), 0);
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(fds[0]);
        for (int i = 0; i < N; i++)
            if (ugw_webhook_id_new(child[i]) != UGW_OK)
                _exit(2);
        size_t off = 0;
        while (off < sizeof child) {
            ssize_t w = write(fds[1], (char *)child + off, sizeof child - off);
            if (w <= 0)
                _exit(3);
            off += (size_t)w;
        }
        _exit(0);
    }
    close(fds[1]);
    for (int i = 0; i < N; i++)
        assert_int_equal(ugw_webhook_id_new(parent[i]), UGW_OK);
    size_t off = 0;
    while (off < sizeof child) {
        ssize_t r = read(fds[0], (char *)child + off, sizeof child - off);
        assert_true(r > 0);
        off += (size_t)r;
    }
    close(fds[0]);
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    for (int i = 0; i < N; i++) {
        assert_string_not_equal(child[i], first);
        for (int j = 0; j < N; j++)
            assert_string_not_equal(child[i], parent[j]);
    }
}


/* The one rule of a valid webhook-id: 1 to 256 bytes of '!'..'~'. */
static void id_check_fails(const char *s, size_t len, ugw_status code, size_t pos)
{
    char *c = exact(s, len);
    ugw_error err;
    assert_int_equal(ugw_webhook_id_check(c, len, &err), code);
    assert_int_equal(err.code, code);
    assert_int_equal(err.pos, pos);
    assert_string_equal(err.path, "webhook-id");
    assert_non_null(err.message);
    assert_int_equal(ugw_webhook_id_check(c, len, NULL), code);
    free(c);
}

static void test_id_check(void **state)
{
    (void)state;
    char id[UGW_WEBHOOK_ID_MAX], all[94], longest[UGW_WEBHOOK_ID_LEN_MAX + 1];
    ugw_error err;
    char *c;

    /* every id ugw makes passes */
    for (int i = 0; i < 100; i++) {
        assert_int_equal(ugw_webhook_id_new(id), UGW_OK);
        c = dupz(id);
        assert_int_equal(ugw_webhook_id_check(c, strlen(c), &err), UGW_OK);
        assert_int_equal(err.code, UGW_OK);
        free(c);
    }
    /* every printable byte but space, and the longest */
    for (int b = 0x21; b <= 0x7e; b++)
        all[b - 0x21] = (char)b;
    c = exact(all, sizeof all);
    assert_int_equal(ugw_webhook_id_check(c, sizeof all, NULL), UGW_OK);
    free(c);
    memset(longest, 'x', sizeof longest);
    c = exact(longest, UGW_WEBHOOK_ID_LEN_MAX);
    assert_int_equal(ugw_webhook_id_check(c, UGW_WEBHOOK_ID_LEN_MAX, NULL), UGW_OK);
    free(c);

    id_check_fails(longest, UGW_WEBHOOK_ID_LEN_MAX + 1, UGW_ERR_TOO_LONG, UGW_WEBHOOK_ID_LEN_MAX);
    id_check_fails("", 0, UGW_ERR_TOO_SHORT, 0);
    id_check_fails("msg 1", 5, UGW_ERR_RANGE, 3);
    id_check_fails("msg_1\r\n", 7, UGW_ERR_RANGE, 5);
    id_check_fails("msg\tx", 5, UGW_ERR_RANGE, 3);
    id_check_fails("a\0b", 3, UGW_ERR_RANGE, 1);
    id_check_fails("\x7f", 1, UGW_ERR_RANGE, 0);
    id_check_fails("caf\xc3\xa9", 5, UGW_ERR_RANGE, 3);
    assert_int_equal(ugw_webhook_id_check(NULL, 0, &err), UGW_ERR_TOO_SHORT);
    assert_int_equal(ugw_webhook_id_check(NULL, 1, &err), UGW_ERR_ARG);
    assert_string_equal(err.path, "webhook-id");
}

/* The key-length rule of configurations: 24 bytes (Standard Webhooks)
 * unless the caller opts in to weaker keys. */
static void test_secret_check_min_length(void **state)
{
    ugw_secret s;
    ugw_error err;
    (void)state;
    memset(&s, 0x42, sizeof s);
    s.len = UGW_SECRET_MIN_LEN;
    assert_int_equal(UGW_SECRET_MIN_LEN, 24);
    assert_int_equal(ugw_secret_check(&s, false, &err), UGW_OK);
    assert_int_equal(err.code, UGW_OK);
    s.len = UGW_SECRET_MAX;
    assert_int_equal(ugw_secret_check(&s, false, NULL), UGW_OK);
    for (size_t len = 1; len < UGW_SECRET_MIN_LEN; len++) {
        s.len = len;
        assert_int_equal(ugw_secret_check(&s, false, &err), UGW_ERR_SECRET);
        assert_int_equal(err.code, UGW_ERR_SECRET);
        assert_non_null(strstr(err.message, "shorter than 24 bytes"));
        assert_int_equal(err.pos, len);
        assert_string_equal(err.path, "");
        assert_int_equal(ugw_secret_check(&s, true, &err), UGW_OK); /* the explicit opt-in */
    }
    /* Outside 1..256 nothing opts in. */
    s.len = 0;
    assert_int_equal(ugw_secret_check(&s, true, &err), UGW_ERR_SECRET);
    assert_int_equal(err.pos, 0);
    s.len = UGW_SECRET_MAX + 1;
    assert_int_equal(ugw_secret_check(&s, true, &err), UGW_ERR_SECRET);
    assert_int_equal(err.pos, UGW_SECRET_MAX + 1);
    assert_int_equal(ugw_secret_check(NULL, true, &err), UGW_ERR_ARG);
    /* A parsed 23-byte key is refused, the reference 24-byte key taken. */
    assert_int_equal(ugw_secret_parse(LIT("whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="), &s, &err), UGW_OK);
    assert_int_equal(s.len, 23);
    assert_int_equal(ugw_secret_check(&s, false, &err), UGW_ERR_SECRET);
    s = secret_of(REF_SECRET);
    assert_int_equal(ugw_secret_check(&s, false, &err), UGW_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_secret_parse),
        cmocka_unit_test(test_secret_format_generate),
        cmocka_unit_test(test_secret_check_min_length),
        cmocka_unit_test(test_id_new),
        cmocka_unit_test(test_id_fork),
        cmocka_unit_test(test_id_check),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
