/*
 * codec_support.c - helpers shared by the codec tests (codec_support.h).
 */
#define _GNU_SOURCE /* memmem */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <msgpack.h>

#include <ugw/ugw_events.h>
#include <ugw/ugw_fixtures.h>
#include "codec_support.h"

/* ------------------------------------------------------------------ */
/* helpers                                                              */
/* ------------------------------------------------------------------ */

/* Reads a file into an exact-size heap buffer (ASan sees any overread). */
unsigned char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    unsigned char *buf;
    long n;
    if (!f)
        fail_msg("cannot open %s", path);
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = malloc(n ? (size_t)n : 1);
    assert_non_null(buf);
    *len = fread(buf, 1, (size_t)n, f);
    assert_int_equal(*len, (size_t)n);
    fclose(f);
    return buf;
}

unsigned char *fixture_bytes(const char *sub, const char *name, const char *ext, size_t *len)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s/%s.%s", UGW_FIXTURES_DIR, sub, name, ext);
    return slurp(path, len);
}

/* An exact-size copy of `n` bytes. */
unsigned char *dup_exact(const void *p, size_t n)
{
    unsigned char *b = malloc(n ? n : 1);
    assert_non_null(b);
    if (n)
        memcpy(b, p, n);
    return b;
}

bool str_eq(const ugw_str *a, const ugw_str *b)
{
    return a->len == b->len && (a->len == 0 || memcmp(a->ptr, b->ptr, a->len) == 0);
}

/* Field-by-field equality of two events, through the descriptors. */
void assert_events_equal(const ugw_event *a, const ugw_event *b)
{
    const ugw_event_desc *ed = ugw_event_describe(a->type);
    assert_int_equal(a->type, b->type);
    assert_non_null(ed);
    for (int i = 0; i < ed->nfields; i++) {
        const ugw_field_desc *f = &ed->fields[i];
        const char *pa = (const char *)&a->u + f->offset, *pb = (const char *)&b->u + f->offset;
        if (f->has_offset != UGW_NO_HAS) {
            bool ha = *(const bool *)(const void *)((const char *)&a->u + f->has_offset);
            bool hb = *(const bool *)(const void *)((const char *)&b->u + f->has_offset);
            assert_int_equal(ha, hb);
            if (!ha)
                continue;
        }
        switch ((ugw_type)f->type) {
        case UGW_TYPE_STRING:
        case UGW_TYPE_URL:
            if (!str_eq((const ugw_str *)(const void *)pa, (const ugw_str *)(const void *)pb))
                fail_msg("field %s differs", f->path);
            break;
        case UGW_TYPE_ID:
            assert_int_equal(*(const uint64_t *)(const void *)pa, *(const uint64_t *)(const void *)pb);
            break;
        case UGW_TYPE_INT:
            assert_int_equal(*(const int64_t *)(const void *)pa, *(const int64_t *)(const void *)pb);
            break;
        case UGW_TYPE_BOOL:
            assert_int_equal(*(const bool *)(const void *)pa, *(const bool *)(const void *)pb);
            break;
        case UGW_TYPE_ENUM:
            assert_int_equal(*(const int *)(const void *)pa, *(const int *)(const void *)pb);
            break;
        case UGW_TYPE_NUMBER:
            assert_memory_equal(pa, pb, sizeof(double)); /* -0.0 is not 0.0 */
            break;
        case UGW_TYPE_TIMESTAMP:
            assert_int_equal(*(const int64_t *)(const void *)pa, *(const int64_t *)(const void *)pb);
            break;
        case UGW_TYPE_OBJECT:
        case UGW_TYPE_ARRAY:
            fail_msg("field %s: the bundled schema has no nested fields", f->path);
            break;
        }
    }
}

int setup(void **state)
{
    static decoders d;
    ugw_decode_opts o = { 0 };
    d.dec = ugw_decoder_new(NULL);
    o.strict = true;
    d.strict = ugw_decoder_new(&o);
    *state = &d;
    return d.dec && d.strict ? 0 : -1;
}

int teardown(void **state)
{
    decoders *d = *state;
    ugw_decoder_free(d->dec);
    ugw_decoder_free(d->strict);
    return 0;
}

/* Decodes `len` bytes of `doc` (copied to an exact buffer) and returns the code. */
ugw_status decode_copy(ugw_decoder *dec, ugw_format fmt, const void *doc, size_t len,
                              ugw_event *ev, ugw_error *err)
{
    unsigned char *b = dup_exact(doc, len);
    ugw_status st = ugw_decode(dec, fmt, b, len, ev, err);
    /* views may point into b: the callers only look at codes and numbers */
    free(b);
    return st;
}

ugw_status decode_json_text(ugw_decoder *dec, const char *doc, ugw_error *err)
{
    ugw_event ev;
    return decode_copy(dec, UGW_FORMAT_JSON, doc, strlen(doc), &ev, err);
}

int json_case_failures(ugw_decoder *dec, const jcase *cases, size_t n)
{
    int failures = 0;
    for (size_t i = 0; i < n; i++) {
        ugw_error err;
        ugw_status st = decode_json_text(dec, cases[i].doc, &err);
        if (st != cases[i].code || (st && (err.pos != cases[i].pos || strcmp(err.path, cases[i].path) != 0))) {
            print_error("case %zu %s: want %s@%zu '%s', got %s@%zu '%s' (%s)\n", i, cases[i].doc,
                        ugw_status_name(cases[i].code), cases[i].pos, cases[i].path,
                        ugw_status_name(st), err.pos, err.path, err.message);
            failures++;
        }
    }
    return failures;
}
