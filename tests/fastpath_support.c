/*
 * fastpath_support.c - see fastpath_support.h.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#define JSMN_STRICT
#define JSMN_PARENT_LINKS
#define JSMN_STATIC
#include <jsmn.h>

#include <ugw/ugw_generated_support.h>

#include "fastpath_support.h"

void exact_of(const ugw_schema *s, exact_schema *x)
{
    assert_true(s->nevents <= 32);
    memcpy(x->events, s->events, s->nevents * sizeof *x->events);
    for (uint32_t i = 0; i < s->nevents; i++) {
        x->events[i].validate_fast = NULL;
        x->events[i].msgpack_fast = NULL;
        x->events[i].json_fast = NULL;
        x->events[i].json_decode_fast = NULL;
    }
    x->s = *s;
    x->s.events = x->events;
}

void same_error(const ugw_error *a, const ugw_error *b)
{
    assert_int_equal(a->code, b->code);
    assert_int_equal(a->pos, b->pos);
    assert_string_equal(a->path, b->path);
    if (a->message || b->message) {
        assert_non_null(a->message);
        assert_non_null(b->message);
        assert_string_equal(a->message, b->message);
    }
}

/* The default, strict, max_depth 1 and least-memory decoders (64 tokens
 * and 1 KiB and a little for strings), made once. */
static ugw_decoder *decoders[4];

static ugw_decoder *decoder(int i)
{
    if (!decoders[i]) {
        ugw_decode_opts o;
        memset(&o, 0, sizeof o);
        o.strict = i == 1;
        o.max_depth = i == 2 ? 1 : 0;
        if (i == 3) {
            o.max_tokens = 64;
            o.arena_size = 64 * 20 + 1024 + 16;
        }
        decoders[i] = ugw_decoder_new(&o);
        assert_non_null(decoders[i]);
    }
    return decoders[i];
}

ugw_status same_decode(const ugw_schema *s, const ugw_schema *x, const void *doc, size_t len)
{
    static _Alignas(16) unsigned char pa[8192], pb[8192];
    const size_t cap = ugw_schema_payload_max(s);
    char *copy = malloc(len ? len : 1);
    ugw_status first = UGW_OK;
    assert_non_null(copy);
    assert_true(cap <= sizeof pa);
    if (len)
        memcpy(copy, doc, len);
    for (int i = 0; i < 4; i++) {
        ugw_decoder *dec = decoder(i);
        ugw_error ea, eb;
        int ta = -1, tb = -2;
        ugw_status a, b;
        memset(pa, 0x5a, sizeof pa);
        memset(pb, 0x5a, sizeof pb);
        /* one decoder for both: the same arena, so the same string views */
        a = ugw_schema_decode(s, dec, UGW_FORMAT_JSON, copy, len, &ta, pa, cap, &ea);
        b = ugw_schema_decode(x, dec, UGW_FORMAT_JSON, copy, len, &tb, pb, cap, &eb);
        assert_int_equal(a, b);
        assert_int_equal(ta, tb);
        same_error(&ea, &eb);
        assert_memory_equal(pa, pb, cap);
        if (i == 0)
            first = a;
    }
    free(copy);
    return first;
}

bool fast_decode_takes(const ugw_schema *s, int type, const char *doc, size_t len, ugw_json_scratch *sc)
{
    static jsmntok_t toks[1024];
    static _Alignas(16) unsigned char pl[8192];
    const ugw_event_desc *ed = ugw_schema_event(s, type);
    jsmn_parser p;
    int n;
    assert_non_null(ed);
    assert_non_null(ed->json_decode_fast);
    jsmn_init(&p);
    n = jsmn_parse(&p, doc, len, toks, 1024);
    if (n < 5 || toks[4].type != JSMN_OBJECT || (size_t)toks[4].start + 1 != ed->json_head_len
        || memcmp(doc, ed->json_head, ed->json_head_len) != 0)
        return false;
    memset(pl, 0, sizeof pl);
    return ed->json_decode_fast(doc, (const ugw_json_token *)(const void *)&toks[4],
                                (const ugw_json_token *)(const void *)&toks[n], pl, sc);
}
