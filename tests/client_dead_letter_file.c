/*
 * client_dead_letter_file.c - the client tests' reading of dead-letter
 * files: flat JSON objects, one per line, parsed field by field (dl_*() of
 * client_support.h), and checked against the library's reader.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "client_support.h"
/* ------------------------------------------------------------------ */
/* Dead-letter file parsing (flat JSON objects, one per line)           */
/* ------------------------------------------------------------------ */


/* Returns the end of the JSON string starting after its opening quote. */
const char *json_string_end(const char *p, const char *end)
{
    while (p < end) {
        if (*p == '\\') {
            p += 2;
            continue;
        }
        if (*p == '"')
            return p;
        if ((unsigned char)*p < 0x20)
            return NULL; /* raw control character: not JSON */
        p++;
    }
    return NULL;
}

unsigned char *unescape_new(const char *s, size_t n, size_t *out_len)
{
    size_t bad = 0, k;
    unsigned char *out = malloc(n + 1);
    assert_non_null(out);
    k = ugw_json_unescape((char *)out, s, n, &bad);
    assert_true(k != (size_t)-1);
    *out_len = k;
    return out;
}

unsigned char *base64_decode_new(const char *s, size_t n, size_t *out_len)
{
    unsigned char *out = malloc(n / 4 * 3 + 1);
    int k;
    size_t pad = 0;
    assert_non_null(out);
    assert_int_equal(n % 4, 0);
    k = EVP_DecodeBlock(out, (const unsigned char *)s, (int)n);
    assert_true(k >= 0);
    while (pad < n && pad < 2 && s[n - 1 - pad] == '=')
        pad++;
    *out_len = (size_t)k - pad;
    return out;
}

void copy_unescaped(char *dst, size_t cap, const char *s, size_t n)
{
    size_t k;
    unsigned char *u = unescape_new(s, n, &k);
    assert_true(k < cap);
    memcpy(dst, u, k);
    dst[k] = 0;
    free(u);
}

/* Parses one line; fails the test when it is not a flat object of strings and integers. */
void dl_parse_line(const char *p, size_t len, dl_entry *e)
{
    const char *end = p + len;
    memset(e, 0, sizeof *e);
    e->last_status = -1;
    e->attempts = -1;
    assert_true(len >= 2);
    assert_int_equal(*p, '{');
    assert_int_equal(end[-1], '}');
    p++;
    end--;
    while (p < end) {
        const char *k, *ke, *v, *ve;
        assert_int_equal(*p, '"');
        k = p + 1;
        ke = json_string_end(k, end);
        assert_non_null(ke);
        p = ke + 1;
        assert_int_equal(*p, ':');
        p++;
        if (*p == '"') {
            v = p + 1;
            ve = json_string_end(v, end);
            assert_non_null(ve);
            p = ve + 1;
#define KEY(name) ((size_t)(ke - k) == sizeof(name) - 1 && memcmp(k, name, sizeof(name) - 1) == 0)
            if (KEY("id"))
                copy_unescaped(e->id, sizeof e->id, v, (size_t)(ve - v));
            else if (KEY("event"))
                copy_unescaped(e->event, sizeof e->event, v, (size_t)(ve - v));
            else if (KEY("format"))
                copy_unescaped(e->format, sizeof e->format, v, (size_t)(ve - v));
            else if (KEY("result"))
                copy_unescaped(e->result, sizeof e->result, v, (size_t)(ve - v));
            else if (KEY("body")) {
                assert_false(e->has_body || e->has_body_base64);
                e->has_body = true;
                e->body = unescape_new(v, (size_t)(ve - v), &e->body_len);
            } else if (KEY("body_base64")) {
                assert_false(e->has_body || e->has_body_base64);
                e->has_body_base64 = true;
                e->body = base64_decode_new(v, (size_t)(ve - v), &e->body_len);
            } else if (KEY("time"))
                e->has_time = ve - v == 20; /* YYYY-MM-DDTHH:MM:SSZ */
            else if (KEY("error"))
                e->has_error = true;
        } else {
            long val = 0;
            bool neg = false;
            if (*p == '-') {
                neg = true;
                p++;
            }
            assert_true(*p >= '0' && *p <= '9');
            while (p < end && *p >= '0' && *p <= '9')
                val = val * 10 + (*p++ - '0');
            if (neg)
                val = -val;
            if (KEY("last_status"))
                e->last_status = val;
            else if (KEY("attempts"))
                e->attempts = val;
#undef KEY
        }
        if (p < end) {
            assert_int_equal(*p, ',');
            p++;
        }
    }
}

/* Reads the whole dead-letter file into entries; returns their number. */
size_t dl_read(const char *path, dl_entry **out)
{
    FILE *f = fopen(path, "rb");
    char *data = NULL;
    size_t cap = 0, len = 0, n = 0, lines = 0;
    dl_entry *es;
    assert_non_null(f);
    for (;;) {
        size_t r;
        if (len + 65536 > cap) {
            cap = cap ? cap * 2 : 65536;
            data = realloc(data, cap);
            assert_non_null(data);
        }
        r = fread(data + len, 1, cap - len, f);
        len += r;
        if (r == 0)
            break;
    }
    fclose(f);
    for (size_t i = 0; i < len; i++)
        lines += data[i] == '\n';
    if (len)
        assert_int_equal(data[len - 1], '\n'); /* whole lines only */
    es = calloc(lines ? lines : 1, sizeof *es);
    assert_non_null(es);
    for (size_t at = 0; at < len;) {
        const char *nl = memchr(data + at, '\n', len - at);
        assert_non_null(nl);
        dl_parse_line(data + at, (size_t)(nl - (data + at)), &es[n++]);
        at = (size_t)(nl - data) + 1;
    }
    free(data);
    *out = es;
    return n;
}

void dl_free(dl_entry *es, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(es[i].body);
    free(es);
}

const dl_entry *dl_find(const dl_entry *es, size_t n, const char *id, size_t *count)
{
    const dl_entry *found = NULL;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(es[i].id, id) == 0) {
            if (!found)
                found = &es[i];
            k++;
        }
    }
    *count = k;
    return found;
}

/* The runtime's reader (ugw_dead_letter_next()) gives back what the file
 * holds, as the test's own parser above reads it: writer and reader agree. */
void dl_check_reader(const char *path, const dl_entry *es, size_t n)
{
    ugw_read_error err;
    ugw_dead_letter dl;
    ugw_dead_letter_reader *r = ugw_dead_letter_open(path, 0, &err);
    assert_non_null(r);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(ugw_dead_letter_next(r, &dl, &err), 1);
        assert_int_equal(err.error.code, UGW_OK);
        assert_int_equal(dl.line, i + 1);
        assert_string_equal(dl.id, es[i].id);
        assert_string_equal(dl.event, es[i].event);
        assert_string_equal(ugw_format_name(dl.format), es[i].format);
        assert_string_equal(dl.result, es[i].result);
        assert_int_equal(dl.last_status, es[i].last_status);
        assert_int_equal(dl.attempts, es[i].attempts);
        assert_int_equal(dl.body_len, es[i].body_len);
        if (dl.body_len)
            assert_memory_equal(dl.body, es[i].body, dl.body_len);
        assert_true(dl.time[0] != '\0');
    }
    assert_int_equal(ugw_dead_letter_next(r, &dl, &err), 0);
    ugw_dead_letter_close(r);
}
