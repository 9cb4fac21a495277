/*
 * test_codec.c - the generated bindings end to end: round trips, golden
 * bytes, the invalid corpus, error positions, edges and truncation.
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

/* ------------------------------------------------------------------ */
/* helpers                                                              */
/* ------------------------------------------------------------------ */

/* Reads a file into an exact-size heap buffer (ASan sees any overread). */
static unsigned char *slurp(const char *path, size_t *len)
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

static unsigned char *fixture_bytes(const char *sub, const char *name, const char *ext, size_t *len)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s/%s.%s", UGW_FIXTURES_DIR, sub, name, ext);
    return slurp(path, len);
}

/* An exact-size copy of `n` bytes. */
static unsigned char *dup_exact(const void *p, size_t n)
{
    unsigned char *b = malloc(n ? n : 1);
    assert_non_null(b);
    if (n)
        memcpy(b, p, n);
    return b;
}

static bool str_eq(const ugw_str *a, const ugw_str *b)
{
    return a->len == b->len && (a->len == 0 || memcmp(a->ptr, b->ptr, a->len) == 0);
}

/* Field-by-field equality of two events, through the descriptors. */
static void assert_events_equal(const ugw_event *a, const ugw_event *b)
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
        }
    }
}

typedef struct {
    ugw_decoder *dec;
    ugw_decoder *strict;
} decoders;

static int setup(void **state)
{
    static decoders d;
    ugw_decode_opts o = { 0 };
    d.dec = ugw_decoder_new(NULL);
    o.strict = true;
    d.strict = ugw_decoder_new(&o);
    *state = &d;
    return d.dec && d.strict ? 0 : -1;
}

static int teardown(void **state)
{
    decoders *d = *state;
    ugw_decoder_free(d->dec);
    ugw_decoder_free(d->strict);
    return 0;
}

#define DEC(state) (((decoders *)*(state))->dec)
#define STRICT(state) (((decoders *)*(state))->strict)

/* Decodes `len` bytes of `doc` (copied to an exact buffer) and returns the code. */
static ugw_status decode_copy(ugw_decoder *dec, ugw_format fmt, const void *doc, size_t len,
                              ugw_event *ev, ugw_error *err)
{
    unsigned char *b = dup_exact(doc, len);
    ugw_status st = ugw_decode(dec, fmt, b, len, ev, err);
    /* views may point into b: the callers only look at codes and numbers */
    free(b);
    return st;
}

static ugw_status decode_json_text(ugw_decoder *dec, const char *doc, ugw_error *err)
{
    ugw_event ev;
    return decode_copy(dec, UGW_FORMAT_JSON, doc, strlen(doc), &ev, err);
}

/* ------------------------------------------------------------------ */
/* round trips and golden bytes                                         */
/* ------------------------------------------------------------------ */

static void test_roundtrip_every_event(void **state)
{
    for (int t = 1; t <= UGW_EVENT_COUNT; t++) {
        const ugw_event *fx = ugw_fixture((ugw_event_type)t);
        const char *id = ugw_event_id((ugw_event_type)t);
        for (int f = 0; f < 2; f++) {
            ugw_format fmt = f ? UGW_FORMAT_MSGPACK : UGW_FORMAT_JSON;
            size_t flen, need = 0, len = 0;
            unsigned char *file = fixture_bytes("valid", id, f ? "msgpack" : "json", &flen);
            unsigned char *out;
            ugw_event back;
            ugw_error err;
            /* sizing call, then an exact buffer */
            assert_int_equal(ugw_encode(fx, fmt, NULL, 0, &need, &err), UGW_OK);
            assert_int_equal(need, flen);
            out = malloc(need);
            assert_int_equal(ugw_encode(fx, fmt, out, need, &len, &err), UGW_OK);
            /* golden: the JSON fixture is Python's json.dumps of the same data */
            assert_int_equal(len, flen);
            assert_memory_equal(out, file, flen);
            assert_int_equal(ugw_decode(DEC(state), fmt, out, len, &back, &err), UGW_OK);
            assert_events_equal(fx, &back);
            assert_int_equal(ugw_decode(STRICT(state), fmt, file, flen, &back, &err), UGW_OK);
            assert_events_equal(fx, &back);
            free(out);
            free(file);
        }
    }
}

static void test_typed_entry_points(void **state)
{
    const ugw_event *fx = ugw_fixture(UGW_EVENT_NPS_SCORE_SUBMIT);
    char buf[512];
    size_t n1 = 0, n2 = 0;
    ugw_error err;
    (void)state;
    assert_int_equal(ugw_nps_score_submit_validate(&fx->u.nps_score_submit, &err), UGW_OK);
    assert_int_equal(ugw_nps_score_submit_encode_json(&fx->u.nps_score_submit, buf, sizeof buf, &n1, &err), UGW_OK);
    assert_int_equal(ugw_encode_json(fx, NULL, 0, &n2, &err), UGW_OK);
    assert_int_equal(n1, n2);
    assert_int_equal(ugw_nps_score_submit_encode_msgpack(&fx->u.nps_score_submit, buf, sizeof buf, &n1, &err), UGW_OK);
    assert_int_equal(ugw_nps_score_submit_validate(NULL, &err), UGW_ERR_ARG);
    assert_int_equal(ugw_event_from_wire("nps score submit (userguiding)", 30), UGW_EVENT_NPS_SCORE_SUBMIT);
    assert_int_equal(ugw_event_from_wire("nope", 4), UGW_EVENT_NONE);
    assert_null(ugw_event_describe((ugw_event_type)0));
    assert_null(ugw_event_describe((ugw_event_type)(UGW_EVENT_COUNT + 1)));
    assert_string_equal(ugw_event_wire_name(UGW_EVENT_GUIDE_PREVIEW_START), "guide started (userguiding)");
    assert_string_equal(ugw_event_id(UGW_EVENT_HOTSPOT_INTERACTION), "hotspot_interaction");
    assert_true(ugw_event_describe(UGW_EVENT_GUIDE_PREVIEW_START)->fingerprint == UGW_GUIDE_PREVIEW_START_FINGERPRINT);
    assert_int_equal(ugw_schema_events.nevents, UGW_EVENT_COUNT);
}

/* msgpack-c's generic unpacker must read our bytes as the same data. */
static void test_msgpack_golden_generic_unpacker(void **state)
{
    (void)state;
    for (int t = 1; t <= UGW_EVENT_COUNT; t++) {
        const ugw_event *fx = ugw_fixture((ugw_event_type)t);
        const ugw_event_desc *ed = ugw_event_describe((ugw_event_type)t);
        unsigned char buf[4096];
        size_t len, off = 0;
        msgpack_unpacked u;
        msgpack_object root, pl;
        ugw_error err;
        int present = 0;
        assert_int_equal(ugw_encode_msgpack(fx, buf, sizeof buf, &len, &err), UGW_OK);
        msgpack_unpacked_init(&u);
        assert_int_equal(msgpack_unpack_next(&u, (const char *)buf, len, &off), MSGPACK_UNPACK_SUCCESS);
        assert_int_equal(off, len);
        root = u.data;
        assert_int_equal(root.type, MSGPACK_OBJECT_MAP);
        assert_int_equal(root.via.map.size, 2);
        assert_int_equal(root.via.map.ptr[0].key.via.str.size, 5);
        assert_memory_equal(root.via.map.ptr[0].key.via.str.ptr, "event", 5);
        assert_int_equal(root.via.map.ptr[0].val.type, MSGPACK_OBJECT_STR);
        assert_int_equal(root.via.map.ptr[0].val.via.str.size, strlen(ed->wire));
        assert_memory_equal(root.via.map.ptr[0].val.via.str.ptr, ed->wire, strlen(ed->wire));
        assert_memory_equal(root.via.map.ptr[1].key.via.str.ptr, "payload", 7);
        pl = root.via.map.ptr[1].val;
        assert_int_equal(pl.type, MSGPACK_OBJECT_MAP);
        for (int i = 0; i < ed->nfields; i++) {
            const ugw_field_desc *f = &ed->fields[i];
            const msgpack_object_kv *kv = &pl.via.map.ptr[present];
            const char *v = (const char *)&fx->u + f->offset;
            if (f->has_offset != UGW_NO_HAS && !*(const bool *)(const void *)((const char *)&fx->u + f->has_offset))
                continue;
            assert_int_equal(kv->key.type, MSGPACK_OBJECT_STR);
            assert_int_equal(kv->key.via.str.size, strlen(f->name));
            assert_memory_equal(kv->key.via.str.ptr, f->name, strlen(f->name));
            if (f->type == UGW_TYPE_STRING || f->type == UGW_TYPE_URL) {
                const ugw_str *s = (const ugw_str *)(const void *)v;
                assert_int_equal(kv->val.type, MSGPACK_OBJECT_STR);
                assert_int_equal(kv->val.via.str.size, s->len);
                assert_memory_equal(kv->val.via.str.ptr, s->ptr, s->len);
            } else if (f->type == UGW_TYPE_ID) {
                assert_int_equal(kv->val.type, MSGPACK_OBJECT_POSITIVE_INTEGER);
                assert_int_equal(kv->val.via.u64, *(const uint64_t *)(const void *)v);
            } else {
                int64_t x = *(const int64_t *)(const void *)v;
                assert_int_equal(kv->val.type, x < 0 ? MSGPACK_OBJECT_NEGATIVE_INTEGER : MSGPACK_OBJECT_POSITIVE_INTEGER);
                assert_int_equal(kv->val.via.i64, x);
            }
            present++;
        }
        assert_int_equal(pl.via.map.size, (uint32_t)present);
        msgpack_unpacked_destroy(&u);
    }
}

/* Our MessagePack integers use the smallest form, as msgpack-c's packer does. */
static void test_msgpack_integer_forms_match_msgpack_c(void **state)
{
    static const uint64_t ids[] = { 0, 1, 127, 128, 255, 256, 65535, 65536, 4294967295u,
                                    4294967296u, UGW_ID_MAX };
    (void)state;
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
        ugw_event ev = *ugw_fixture(UGW_EVENT_GUIDE_PREVIEW_START);
        unsigned char ours[1024];
        size_t len;
        msgpack_sbuffer sb;
        msgpack_packer pk;
        ugw_error err;
        const ugw_guide_preview_start *g = &ev.u.guide_preview_start;
        ev.u.guide_preview_start.guide_id = ids[i];
        assert_int_equal(ugw_encode_msgpack(&ev, ours, sizeof ours, &len, &err), UGW_OK);
        msgpack_sbuffer_init(&sb);
        msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
        msgpack_pack_map(&pk, 2);
        msgpack_pack_str_with_body(&pk, "event", 5);
        msgpack_pack_str_with_body(&pk, "guide started (userguiding)", 27);
        msgpack_pack_str_with_body(&pk, "payload", 7);
        msgpack_pack_map(&pk, 4);
        msgpack_pack_str_with_body(&pk, "userId", 6);
        msgpack_pack_str_with_body(&pk, g->user_id.ptr, g->user_id.len);
        msgpack_pack_str_with_body(&pk, "pageUrl", 7);
        msgpack_pack_str_with_body(&pk, g->page_url.ptr, g->page_url.len);
        msgpack_pack_str_with_body(&pk, "guideId", 7);
        msgpack_pack_uint64(&pk, g->guide_id);
        msgpack_pack_str_with_body(&pk, "guideName", 9);
        msgpack_pack_str_with_body(&pk, g->guide_name.ptr, g->guide_name.len);
        assert_int_equal(sb.size, len);
        assert_memory_equal(sb.data, ours, len);
        msgpack_sbuffer_destroy(&sb);
    }
}

/* ------------------------------------------------------------------ */
/* the invalid corpus                                                   */
/* ------------------------------------------------------------------ */

static void test_invalid_corpus(void **state)
{
    char path[512], line[512];
    FILE *m;
    int rows = 0;
    bool codes_seen[2][UGW_ERR__COUNT] = { { false } };
    snprintf(path, sizeof path, "%s/invalid/MANIFEST.tsv", UGW_FIXTURES_DIR);
    m = fopen(path, "r");
    assert_non_null(m);
    while (fgets(line, sizeof line, m)) {
        char *file, *code, *fpath, *mode, *save = NULL;
        unsigned char *doc;
        size_t len;
        ugw_event ev;
        ugw_error err;
        ugw_format fmt;
        ugw_status st;
        int want;
        if (line[0] == '#')
            continue;
        line[strcspn(line, "\n")] = 0;
        file = strtok_r(line, "\t", &save);
        code = strtok_r(NULL, "\t", &save);
        fpath = strtok_r(NULL, "\t", &save);
        mode = strtok_r(NULL, "\t", &save);
        assert_non_null(mode);
        snprintf(path, sizeof path, "%s/invalid/%s", UGW_FIXTURES_DIR, file);
        doc = slurp(path, &len);
        fmt = strstr(file, ".msgpack") ? UGW_FORMAT_MSGPACK : UGW_FORMAT_JSON;
        want = ugw_status_from_name(code);
        assert_true(want > 0);
        st = ugw_decode(strcmp(mode, "strict") == 0 ? STRICT(state) : DEC(state), fmt, doc, len, &ev, &err);
        if ((int)st != want || strcmp(err.path, strcmp(fpath, "-") == 0 ? "" : fpath) != 0)
            fail_msg("%s: want %s at '%s', got %s at '%s' (%s, byte %zu)", file, code, fpath,
                     ugw_status_name(st), err.path, err.message, err.pos);
        assert_non_null(err.message);
        assert_true(err.pos <= len);
        assert_int_equal(ev.type, UGW_EVENT_NONE);
        if (strcmp(mode, "strict") == 0)
            assert_int_equal(ugw_decode(DEC(state), fmt, doc, len, &ev, &err), UGW_OK);
        codes_seen[fmt][want] = true;
        free(doc);
        rows++;
    }
    fclose(m);
    assert_true(rows > 50);
    /* every input error code is covered in both formats */
    for (int f = 0; f < 2; f++)
        for (int c = UGW_ERR_SYNTAX; c <= UGW_ERR_UNKNOWN_KEY; c++)
            if (!codes_seen[f][c])
                fail_msg("no %s fixture for %s", f ? "msgpack" : "json", ugw_status_name((ugw_status)c));
}

/* ------------------------------------------------------------------ */
/* error positions and paths                                            */
/* ------------------------------------------------------------------ */

typedef struct {
    const char *doc;
    ugw_status code;
    size_t pos;
    const char *path;
} jcase;

#define GS "{\"event\":\"guide started (userguiding)\",\"payload\":{"
#define GS_OK "\"userId\":\"u\",\"pageUrl\":\"https://a.b/\",\"guideId\":1,\"guideName\":\"g\""
#define SS "{\"event\":\"nps score submit (userguiding)\",\"payload\":{\"userId\":\"u\",\"pageUrl\":\"https://a.b/\",\"question\":\"q\","

static void test_json_error_positions(void **state)
{
    static const jcase cases[] = {
        { "", UGW_ERR_TRUNCATED, 0, "" },
        { "   ", UGW_ERR_TRUNCATED, 3, "" },
        { "{\"event\":", UGW_ERR_TRUNCATED, 9, "" },
        { "{\"event\" 1}", UGW_ERR_SYNTAX, 9, "" },
        { "{\"a\":1 \"b\":2}", UGW_ERR_SYNTAX, 7, "" },
        { "{\"a\":[1 2]}", UGW_ERR_SYNTAX, 8, "" },
        { "{\"a\":[1,]}", UGW_ERR_SYNTAX, 7, "" },
        { "{\"a\":01}", UGW_ERR_SYNTAX, 5, "" },
        { "{\"a\":1.}", UGW_ERR_SYNTAX, 5, "" },
        { "{\"a\":-}", UGW_ERR_SYNTAX, 5, "" },
        { "{\"a\":nul}", UGW_ERR_SYNTAX, 5, "" },
        { "{\"a\":\"x\ty\"}", UGW_ERR_SYNTAX, 7, "" },
        { "{} x", UGW_ERR_TRAILING, 3, "" },
        { "{}{}", UGW_ERR_TRAILING, 2, "" },
        { "{}  ", UGW_ERR_MISSING, 0, "event" },
        { "[]", UGW_ERR_TYPE, 0, "" },
        { "0", UGW_ERR_TYPE, 0, "" },                 /* fuzz/regressions */
        { " true ", UGW_ERR_TYPE, 1, "" },
        { "-1.5e3", UGW_ERR_TYPE, 0, "" },
        { "tru", UGW_ERR_SYNTAX, 0, "" },
        { "01", UGW_ERR_SYNTAX, 0, "" },
        { "  \"x\"", UGW_ERR_TYPE, 2, "" },
        { "{\"event\":1,\"payload\":{}}", UGW_ERR_TYPE, 9, "event" },
        { "{\"event\":\"x\",\"payload\":{}}", UGW_ERR_UNKNOWN_EVENT, 9, "event" },
        { "{\"event\":\"guide started (userguiding)\"}", UGW_ERR_MISSING, 0, "payload" },
        { "{\"event\":\"guide started (userguiding)\",\"payload\":[]}", UGW_ERR_TYPE, 49, "payload" },
        { "{\"event\":\"a\",\"event\":\"b\"}", UGW_ERR_DUPLICATE_KEY, 13, "event" },
        { GS GS_OK "}}", UGW_OK, 0, "" },
        { GS GS_OK ",\"userId\":\"v\"}}", UGW_ERR_DUPLICATE_KEY, 116, "payload.userId" },
        { GS "\"userId\":\"\",\"pageUrl\":\"https://a.b/\",\"guideId\":1,\"guideName\":\"g\"}}", UGW_ERR_TOO_SHORT, 59, "payload.userId" },
        { GS "\"userId\":\"u\",\"pageUrl\":\"https://a.b/\",\"guideId\":1}}", UGW_ERR_MISSING, 49, "payload.guideName" },
        { GS "\"userId\":\"u\",\"pageUrl\":\"ftp://a.b/\",\"guideId\":1,\"guideName\":\"g\"}}", UGW_ERR_URL, 73, "payload.pageUrl" },
        { GS "\"userId\":\"u\",\"pageUrl\":\"https://a.b/\",\"guideId\":-1,\"guideName\":\"g\"}}", UGW_ERR_RANGE, 98, "payload.guideId" },
        { GS "\"userId\":\"u\",\"pageUrl\":\"https://a.b/\",\"guideId\":1e3,\"guideName\":\"g\"}}", UGW_ERR_TYPE, 98, "payload.guideId" },
        { GS "\"userId\":\"a\\u0000\",\"pageUrl\":\"https://a.b/\",\"guideId\":1,\"guideName\":\"g\"}}", UGW_ERR_NUL, 59, "payload.userId" },
        { GS "\"userId\":\"ab\xff\",\"pageUrl\":\"https://a.b/\",\"guideId\":1,\"guideName\":\"g\"}}", UGW_ERR_UTF8, 62, "payload.userId" },
        { GS "\"userId\":\"a\\ud800\",\"pageUrl\":\"https://a.b/\",\"guideId\":1,\"guideName\":\"g\"}}", UGW_ERR_UTF8, 61, "payload.userId" },
        { GS GS_OK ",\"x\":1}}", UGW_OK, 0, "" },
        { GS GS_OK ",\"x\":{\"a\":1,\"a\":2}}}", UGW_ERR_DUPLICATE_KEY, 127, "payload.x" },
        { GS GS_OK ",\"x\":1,\"x\":2}}", UGW_ERR_DUPLICATE_KEY, 122, "payload.x" },
        { GS GS_OK ",\"x\":\"\xc0\xaf\"}}", UGW_ERR_UTF8, 121, "payload.x" },
        { GS GS_OK ",\"\\u0078\":1,\"x\":2}}", UGW_ERR_DUPLICATE_KEY, 127, "payload.x" },
        { SS "\"score\":11}}", UGW_ERR_RANGE, 114, "payload.score" },
        { SS "\"score\":-1}}", UGW_ERR_RANGE, 114, "payload.score" },
        { SS "\"score\":99999999999999999999999}}", UGW_ERR_RANGE, 114, "payload.score" },
        { SS "\"score\":\"9\"}}", UGW_ERR_TYPE, 114, "payload.score" },
        { SS "\"score\":0}}", UGW_OK, 0, "" },
        { SS "\"score\":10}}", UGW_OK, 0, "" },
    };
    int failures = 0;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ugw_error err;
        ugw_status st = decode_json_text(DEC(state), cases[i].doc, &err);
        if (st != cases[i].code || (st && (err.pos != cases[i].pos || strcmp(err.path, cases[i].path) != 0))) {
            print_error("case %zu %s: want %s@%zu '%s', got %s@%zu '%s' (%s)\n", i, cases[i].doc,
                        ugw_status_name(cases[i].code), cases[i].pos, cases[i].path,
                        ugw_status_name(st), err.pos, err.path, err.message);
            failures++;
        }
    }
    assert_int_equal(failures, 0);
}

static void test_unknown_key_strict_positions(void **state)
{
    ugw_error err;
    assert_int_equal(decode_json_text(STRICT(state), GS GS_OK ",\"extra\":1}}", &err), UGW_ERR_UNKNOWN_KEY);
    assert_int_equal(err.pos, 116);
    assert_string_equal(err.path, "payload.extra");
    assert_int_equal(decode_json_text(STRICT(state), "{\"zz\":1,\"event\":\"guide started (userguiding)\",\"payload\":{" GS_OK "}}", &err), UGW_ERR_UNKNOWN_KEY);
    assert_int_equal(err.pos, 1);
    assert_string_equal(err.path, "zz");
}

static void test_msgpack_error_positions(void **state)
{
    /* {"event": "guide started (userguiding)", "payload": {...}} by hand */
    static const char head[] = "\x82\xa5" "event" "\xbb" "guide started (userguiding)" "\xa7" "payload";
    unsigned char doc[512];
    size_t hl = sizeof head - 1, n;
    ugw_event ev;
    ugw_error err;

#define PUT(s) (memcpy(doc + n, (s), sizeof(s) - 1), n += sizeof(s) - 1)
    /* guideId as uint64 2^53 */
    n = 0;
    PUT(head);
    PUT("\x84\xa6userId\xa1u\xa7pageUrl\xachttps://a.b/\xa7guideId\xcf\x00\x20\x00\x00\x00\x00\x00\x00\xa9guideName\xa1g");
    assert_int_equal(decode_copy(DEC(state), UGW_FORMAT_MSGPACK, doc, n, &ev, &err), UGW_ERR_RANGE);
    assert_string_equal(err.path, "payload.guideId");
    assert_int_equal(err.pos, hl + 1 + 7 + 2 + 8 + 13 + 8);
    /* 2^53 - 1 is fine */
    doc[hl + 1 + 7 + 2 + 8 + 13 + 8 + 2] = 0x1f;
    memset(doc + hl + 1 + 7 + 2 + 8 + 13 + 8 + 3, 0xff, 6);
    assert_int_equal(decode_copy(DEC(state), UGW_FORMAT_MSGPACK, doc, n, &ev, &err), UGW_OK);
    assert_true(ev.u.guide_preview_start.guide_id == UGW_ID_MAX);
    /* invalid UTF-8 points at the bad byte */
    n = 0;
    PUT(head);
    PUT("\x84\xa6userId\xa3u\xc0\xaf\xa7pageUrl\xachttps://a.b/\xa7guideId\x01\xa9guideName\xa1g");
    assert_int_equal(decode_copy(DEC(state), UGW_FORMAT_MSGPACK, doc, n, &ev, &err), UGW_ERR_UTF8);
    assert_int_equal(err.pos, hl + 1 + 7 + 2);
    assert_string_equal(err.path, "payload.userId");
    /* trailing byte */
    n = 0;
    PUT(head);
    PUT("\x84\xa6userId\xa1u\xa7pageUrl\xachttps://a.b/\xa7guideId\x01\xa9guideName\xa1g\xc0");
    assert_int_equal(decode_copy(DEC(state), UGW_FORMAT_MSGPACK, doc, n, &ev, &err), UGW_ERR_TRAILING);
    assert_int_equal(err.pos, n - 1);
    /* a map header that claims more than the input holds */
    assert_int_equal(decode_copy(DEC(state), UGW_FORMAT_MSGPACK, "\xdf\xff\xff\xff\xff", 5, &ev, &err), UGW_ERR_TRUNCATED);
    assert_int_equal(err.pos, 5);
    assert_int_equal(decode_copy(DEC(state), UGW_FORMAT_MSGPACK, "\xdb\xff\xff\xff\xff" "abc", 8, &ev, &err), UGW_ERR_TRUNCATED);
    /* bin where a string is due */
    n = 0;
    PUT(head);
    PUT("\x84\xa6userId\xc4\x01u\xa7pageUrl\xachttps://a.b/\xa7guideId\x01\xa9guideName\xa1g");
    assert_int_equal(decode_copy(DEC(state), UGW_FORMAT_MSGPACK, doc, n, &ev, &err), UGW_ERR_TYPE);
    assert_int_equal(err.pos, hl + 1 + 7);
    /* an empty string value: msgpack-c gives no pointer, we give "" */
    n = 0;
    PUT(head);
    PUT("\x84\xa6userId\xa1u\xa7pageUrl\xachttps://a.b/\xa7guideId\x01\xa9guideName\xa0");
    assert_int_equal(ugw_decode_msgpack(DEC(state), doc, n, &ev, &err), UGW_OK); /* views into doc */
    assert_non_null(ev.u.guide_preview_start.guide_name.ptr);
    assert_int_equal(ev.u.guide_preview_start.guide_name.len, 0);
    {
        unsigned char out[256];
        size_t ol;
        assert_int_equal(ugw_encode_msgpack(&ev, out, sizeof out, &ol, &err), UGW_OK);
        assert_int_equal(ol, n);
        assert_memory_equal(out, doc, n);
    }
    /* empty keys (fuzz/regressions): duplicates found, positions inside the input */
    assert_int_equal(decode_copy(DEC(state), UGW_FORMAT_MSGPACK, "\x82\xa0\x00\xa0\x00", 5, &ev, &err), UGW_ERR_DUPLICATE_KEY);
    assert_true(err.pos <= 5);
    assert_int_equal(decode_copy(DEC(state), UGW_FORMAT_MSGPACK, "\x81\xa0\x82\x01\x01\x01\x01", 7, &ev, &err), UGW_ERR_DUPLICATE_KEY);
    assert_true(err.pos <= 7);
    assert_int_equal(decode_copy(STRICT(state), UGW_FORMAT_MSGPACK, "\x81\xa0\x00", 3, &ev, &err), UGW_ERR_UNKNOWN_KEY);
    assert_true(err.pos <= 3);
    /* fuzz/regressions: an empty key after another string (msgpack-c gives it
     * a stale pointer), and a short key written as str8 */
    assert_int_equal(decode_copy(STRICT(state), UGW_FORMAT_MSGPACK, "\x82\xa5" "event" "\xa1x\xa0\x00", 11, &ev, &err), UGW_ERR_UNKNOWN_KEY);
    assert_int_equal(err.pos, 9);
    assert_int_equal(decode_copy(STRICT(state), UGW_FORMAT_MSGPACK, "\x81\xa0\x00", 3, &ev, &err), UGW_ERR_UNKNOWN_KEY);
    assert_int_equal(err.pos, 1);
    assert_int_equal(decode_copy(STRICT(state), UGW_FORMAT_MSGPACK, "\x81\xd9\x01x\x00", 5, &ev, &err), UGW_ERR_UNKNOWN_KEY);
    assert_int_equal(err.pos, 1);
    assert_string_equal(err.path, "x");
    /* ext and float values in an unknown key are skipped */
    n = 0;
    PUT(head);
    PUT("\x85\xa6userId\xa1u\xa7pageUrl\xachttps://a.b/\xa7guideId\x01\xa9guideName\xa1g\xa1x\x92\xd4\x01\x02\xcb\x40\x00\x00\x00\x00\x00\x00\x00");
    assert_int_equal(decode_copy(DEC(state), UGW_FORMAT_MSGPACK, doc, n, &ev, &err), UGW_OK);
    assert_int_equal(decode_copy(STRICT(state), UGW_FORMAT_MSGPACK, doc, n, &ev, &err), UGW_ERR_UNKNOWN_KEY);
    assert_string_equal(err.path, "payload.x");
#undef PUT
}

/* ------------------------------------------------------------------ */
/* edges                                                                */
/* ------------------------------------------------------------------ */

/* Every string field of every event at its limit, and one byte over. */
static void test_string_limits(void **state)
{
    static char big[8194];
    memset(big, 'a', sizeof big);
    for (int t = 1; t <= UGW_EVENT_COUNT; t++) {
        const ugw_event_desc *ed = ugw_event_describe((ugw_event_type)t);
        for (int i = 0; i < ed->nfields; i++) {
            const ugw_field_desc *f = &ed->fields[i];
            ugw_event ev = *ugw_fixture((ugw_event_type)t), back;
            ugw_str *s = (ugw_str *)(void *)((char *)&ev.u + f->offset);
            static unsigned char out[40000];
            size_t len;
            ugw_error err;
            if (f->type == UGW_TYPE_URL) {
                static char url[2100];
                memset(url, 'a', sizeof url);
                memcpy(url, "https://x.y/", 12);
                s->ptr = url;
            } else if (f->type == UGW_TYPE_STRING) {
                s->ptr = big;
            } else {
                continue;
            }
            for (int fmt = 0; fmt < 2; fmt++) {
                s->len = (size_t)f->max;
                assert_int_equal(ugw_encode(&ev, (ugw_format)fmt, out, sizeof out, &len, &err), UGW_OK);
                assert_int_equal(ugw_decode(STRICT(state), (ugw_format)fmt, out, len, &back, &err), UGW_OK);
                assert_events_equal(&ev, &back);
                /* one byte over: the encoder refuses, and so does the decoder
                 * when the bytes come from elsewhere */
                s->len = (size_t)f->max + 1;
                assert_int_equal(ugw_encode(&ev, (ugw_format)fmt, out, sizeof out, &len, &err), UGW_ERR_TOO_LONG);
                assert_string_equal(err.path, f->path);
                s->len = (size_t)f->max;
                assert_int_equal(ugw_encode(&ev, (ugw_format)fmt, out, sizeof out, &len, &err), UGW_OK);
                if (fmt == UGW_FORMAT_JSON) {
                    /* widen the string by one byte in the text: find "aaaa..." */
                    static unsigned char wide[40001];
                    unsigned char *run = memmem(out, len, big, (size_t)f->max - 12);
                    size_t at;
                    assert_non_null(run);
                    at = (size_t)(run - out);
                    memcpy(wide, out, at);
                    wide[at] = 'a';
                    memcpy(wide + at + 1, out + at, len - at);
                    assert_int_equal(decode_copy(DEC(state), UGW_FORMAT_JSON, wide, len + 1, &back, &err), UGW_ERR_TOO_LONG);
                    assert_string_equal(err.path, f->path);
                }
            }
        }
    }
}

static void test_id_edges(void **state)
{
    static const struct {
        const char *v;
        ugw_status st;
        uint64_t want;
    } cases[] = {
        { "0", UGW_OK, 0 },
        { "9007199254740991", UGW_OK, UGW_ID_MAX },
        { "9007199254740992", UGW_ERR_RANGE, 0 },
        { "18446744073709551615", UGW_ERR_RANGE, 0 },
        { "18446744073709551616", UGW_ERR_RANGE, 0 },
        { "-0", UGW_OK, 0 },
        { "-1", UGW_ERR_RANGE, 0 },
        { "\"0\"", UGW_OK, 0 },
        { "\"1\"", UGW_OK, 1 },
        { "\"0000000000000001\"", UGW_OK, 1 },
        { "\"9007199254740991\"", UGW_OK, UGW_ID_MAX },
        { "\"9007199254740992\"", UGW_ERR_RANGE, 0 },
        { "\"12345678901234567\"", UGW_ERR_RANGE, 0 },
        { "\"\\u0031\"", UGW_OK, 1 },
        { "\"4\\u0032\"", UGW_OK, 42 },
        { "\"\\u0041\"", UGW_ERR_TYPE, 0 },
        { "\"\\ud800\"", UGW_ERR_UTF8, 0 },
        { "\"\"", UGW_ERR_TYPE, 0 },
        { "\"-1\"", UGW_ERR_TYPE, 0 },
        { "\" 1\"", UGW_ERR_TYPE, 0 },
        { "1.0", UGW_ERR_TYPE, 0 },
        { "true", UGW_ERR_TYPE, 0 },
        { "null", UGW_ERR_TYPE, 0 },
        { "[1]", UGW_ERR_TYPE, 0 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char doc[512];
        ugw_event ev;
        ugw_error err;
        ugw_status st;
        snprintf(doc, sizeof doc, GS "\"userId\":\"u\",\"pageUrl\":\"https://a.b/\",\"guideId\":%s,\"guideName\":\"g\"}}", cases[i].v);
        st = ugw_decode_json(DEC(state), doc, strlen(doc), &ev, &err); /* views point into doc */
        if (st != cases[i].st)
            fail_msg("guideId %s: want %s, got %s", cases[i].v, ugw_status_name(cases[i].st), ugw_status_name(st));
        if (!st) {
            char out[512];
            size_t len;
            assert_true(ev.u.guide_preview_start.guide_id == cases[i].want);
            /* the encoder always writes the integer */
            assert_int_equal(ugw_encode_json(&ev, out, sizeof out, &len, &err), UGW_OK);
            snprintf(doc, sizeof doc, "\"guideId\":%llu,", (unsigned long long)cases[i].want);
            assert_non_null(memmem(out, len, doc, strlen(doc)));
        } else {
            assert_string_equal(err.path, "payload.guideId");
        }
    }
    /* the encoder refuses ids above 2^53-1 */
    {
        ugw_event ev = *ugw_fixture(UGW_EVENT_GUIDE_PREVIEW_START);
        char out[512];
        size_t len;
        ugw_error err;
        ev.u.guide_preview_start.guide_id = UGW_ID_MAX + 1;
        assert_int_equal(ugw_encode_json(&ev, out, sizeof out, &len, &err), UGW_ERR_RANGE);
        assert_string_equal(err.path, "payload.guideId");
        assert_int_equal(ugw_encode_msgpack(&ev, out, sizeof out, &len, &err), UGW_ERR_RANGE);
    }
}

static void test_every_escape(void **state)
{
    static const struct {
        const char *json;
        const char *want;
        size_t want_len;
    } cases[] = {
        { "a\\\"b", "a\"b", 3 },
        { "a\\\\b", "a\\b", 3 },
        { "a\\/b", "a/b", 3 },
        { "\\b\\f\\n\\r\\t", "\b\f\n\r\t", 5 },
        { "\\u0041\\u00e9\\u00E9", "A\xc3\xa9\xc3\xa9", 5 },
        { "\\u20ac", "\xe2\x82\xac", 3 },
        { "\\ud83d\\ude00", "\xf0\x9f\x98\x80", 4 },
        { "\\uD83D\\uDE00x", "\xf0\x9f\x98\x80x", 5 },
        { "\\udbff\\udfff", "\xf4\x8f\xbf\xbf", 4 },
        { "\\u001f", "\x1f", 1 },
        { "\\u007f", "\x7f", 1 },
        { "\\u2028\\u2029", "\xe2\x80\xa8\xe2\x80\xa9", 6 },
        { "\xf0\x9f\x98\x80 raw", "\xf0\x9f\x98\x80 raw", 8 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char doc[512];
        ugw_event ev;
        ugw_error err;
        snprintf(doc, sizeof doc, GS "\"userId\":\"u\",\"pageUrl\":\"https://a.b/\",\"guideId\":1,\"guideName\":\"%s\"}}", cases[i].json);
        assert_int_equal(ugw_decode_json(DEC(state), doc, strlen(doc), &ev, &err), UGW_OK);
        assert_int_equal(ev.u.guide_preview_start.guide_name.len, cases[i].want_len);
        assert_memory_equal(ev.u.guide_preview_start.guide_name.ptr, cases[i].want, cases[i].want_len);
    }
    /* bad escapes and surrogates */
    {
        static const struct {
            const char *json;
            ugw_status st;
        } bad[] = {
            { "\\x41", UGW_ERR_SYNTAX },
            { "\\u12", UGW_ERR_SYNTAX },
            { "\\u12g4", UGW_ERR_SYNTAX },
            { "\\ud800", UGW_ERR_UTF8 },
            { "\\ud800x", UGW_ERR_UTF8 },
            { "\\ud800\\u0041", UGW_ERR_UTF8 },
            { "\\udc00", UGW_ERR_UTF8 },
            { "\\ude00\\ud83d", UGW_ERR_UTF8 },
            { "\\ud83d\\ud83d", UGW_ERR_UTF8 },
            { "\xc0\x80", UGW_ERR_UTF8 },          /* overlong NUL */
            { "\xe0\x80\xaf", UGW_ERR_UTF8 },      /* overlong '/' */
            { "\xf0\x80\x80\xaf", UGW_ERR_UTF8 },  /* overlong, 4 bytes */
            { "\xed\xa0\x80", UGW_ERR_UTF8 },      /* encoded surrogate */
            { "\xf4\x90\x80\x80", UGW_ERR_UTF8 },  /* above U+10FFFF */
            { "\xe2\x82", UGW_ERR_UTF8 },          /* cut sequence */
            { "\x80", UGW_ERR_UTF8 },              /* stray continuation */
            { "\xff", UGW_ERR_UTF8 },
            { "a\\u0000", UGW_ERR_NUL },
            { "\x01", UGW_ERR_SYNTAX },            /* raw control byte */
        };
        for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
            char doc[512];
            ugw_error err;
            ugw_status st;
            snprintf(doc, sizeof doc, GS "\"userId\":\"u\",\"pageUrl\":\"https://a.b/\",\"guideId\":1,\"guideName\":\"%s\"}}", bad[i].json);
            st = decode_json_text(DEC(state), doc, &err);
            if (st != bad[i].st)
                fail_msg("guideName \"%s\": want %s, got %s (%s)", bad[i].json, ugw_status_name(bad[i].st), ugw_status_name(st), err.message);
        }
    }
}

static void test_escaping_on_encode(void **state)
{
    ugw_event ev = *ugw_fixture(UGW_EVENT_GUIDE_PREVIEW_START), back;
    static const char name[] = "q\"b\\s/\b\f\n\r\t\x01\x1f\x7f\xc3\xa9\xe2\x80\xa8\xf0\x9f\x98\x80";
    static const char want[] = "\"guideName\":\"q\\\"b\\\\s/\\b\\f\\n\\r\\t\\u0001\\u001f\x7f\xc3\xa9\xe2\x80\xa8\xf0\x9f\x98\x80\"}}";
    char out[512];
    size_t len;
    ugw_error err;
    ev.u.guide_preview_start.guide_name.ptr = name;
    ev.u.guide_preview_start.guide_name.len = sizeof name - 1;
    assert_int_equal(ugw_encode_json(&ev, out, sizeof out, &len, &err), UGW_OK);
    assert_true(len > sizeof want - 1);
    assert_memory_equal(out + len - (sizeof want - 1), want, sizeof want - 1);
    assert_int_equal(ugw_decode_json(DEC(state), out, len, &back, &err), UGW_OK);
    assert_events_equal(&ev, &back);
}

static void test_depth(void **state)
{
    /* payload at depth 2, so "x" holding k nested arrays reaches 2 + k */
    ugw_decode_opts o = { 0 };
    ugw_decoder *d;
    (void)state;
    o.max_depth = 8;
    d = ugw_decoder_new(&o);
    assert_non_null(d);
    for (int k = 1; k <= 40; k++) {
        char doc[1024];
        unsigned char mp[1024];
        size_t n = 0, mn = 0;
        ugw_event ev;
        ugw_error err;
        ugw_status want = 2 + k <= 8 ? UGW_OK : UGW_ERR_DEPTH, st;
        n += (size_t)snprintf(doc, sizeof doc, GS GS_OK ",\"x\":");
        for (int i = 0; i < k; i++)
            doc[n++] = '[';
        for (int i = 0; i < k; i++)
            doc[n++] = ']';
        doc[n++] = '}';
        doc[n++] = '}';
        st = decode_copy(d, UGW_FORMAT_JSON, doc, n, &ev, &err);
        assert_int_equal(st, want);
        if (st)
            assert_string_equal(err.path, "payload.x");
        /* the same in MessagePack */
        {
            static const char h[] = "\x82\xa5" "event" "\xbb" "guide started (userguiding)" "\xa7" "payload" "\x85"
                                    "\xa6userId\xa1u\xa7pageUrl\xachttps://a.b/\xa7guideId\x01\xa9guideName\xa1g\xa1x";
            memcpy(mp, h, sizeof h - 1);
            mn = sizeof h - 1;
        }
        for (int i = 0; i < k; i++)
            mp[mn++] = i + 1 < k ? 0x91 : 0x90;
        st = decode_copy(d, UGW_FORMAT_MSGPACK, mp, mn, &ev, &err);
        if (st != want)
            fail_msg("msgpack depth %d: want %s, got %s (%s @%zu)", k, ugw_status_name(want), ugw_status_name(st), err.message, err.pos);
        if (st)
            assert_string_equal(err.path, "payload.x");
    }
    ugw_decoder_free(d);
}

/* Every prefix of a valid document is rejected, and none is read past its end. */
static void test_truncation_every_offset(void **state)
{
    for (int f = 0; f < 2; f++) {
        size_t len;
        unsigned char *doc = fixture_bytes("valid", "resource_center_checklist_guide_trigger", f ? "msgpack" : "json", &len);
        for (size_t cut = 0; cut < len; cut++) {
            ugw_event ev;
            ugw_error err;
            ugw_status st = decode_copy(DEC(state), (ugw_format)f, doc, cut, &ev, &err);
            if (st == UGW_OK)
                fail_msg("%s prefix of %zu bytes accepted", f ? "msgpack" : "json", cut);
            assert_true(err.pos <= cut);
            if (f == UGW_FORMAT_MSGPACK)
                assert_int_equal(st, UGW_ERR_TRUNCATED);
        }
        free(doc);
    }
}

/* ------------------------------------------------------------------ */
/* API contracts                                                        */
/* ------------------------------------------------------------------ */

static void test_encode_buffer_sizes(void **state)
{
    (void)state;
    for (int f = 0; f < 2; f++) {
        const ugw_event *fx = ugw_fixture(UGW_EVENT_NPS_FEEDBACK_SUBMIT);
        size_t need, len;
        ugw_error err;
        assert_int_equal(ugw_encode(fx, (ugw_format)f, NULL, 0, &need, &err), UGW_OK);
        for (size_t cap = 0; cap <= need; cap++) {
            unsigned char *out = malloc(cap + 8);
            memset(out, 0xa5, cap + 8);
            len = 0;
            ugw_status st = ugw_encode(fx, (ugw_format)f, out, cap, &len, &err);
            if (cap < need) {
                assert_int_equal(st, UGW_ERR_BUFFER);
                assert_int_equal(len, need);
            } else {
                assert_int_equal(st, UGW_OK);
                assert_int_equal(len, need);
            }
            for (size_t i = cap; i < cap + 8; i++)
                assert_int_equal(out[i], 0xa5); /* nothing written past cap */
            free(out);
        }
    }
}

static void test_validate_and_arguments(void **state)
{
    ugw_event ev = *ugw_fixture(UGW_EVENT_GUIDE_PREVIEW_START);
    ugw_event none = { UGW_EVENT_NONE, { .guide_preview_start = UGW_GUIDE_PREVIEW_START_INIT } };
    ugw_event empty = UGW_EVENT_GUIDE_PREVIEW_START_INIT;
    char out[64];
    size_t len;
    ugw_error err;
    assert_int_equal(ugw_event_validate(&ev, &err), UGW_OK);
    assert_int_equal(ugw_event_validate(&ev, NULL), UGW_OK);
    assert_int_equal(ugw_event_validate(NULL, &err), UGW_ERR_ARG);
    assert_int_equal(ugw_event_validate(&none, &err), UGW_ERR_ARG);
    assert_int_equal(ugw_event_validate(&empty, &err), UGW_ERR_MISSING);
    assert_string_equal(err.path, "payload.userId");
    ev.u.guide_preview_start.user_id.ptr = NULL;
    ev.u.guide_preview_start.user_id.len = 3;
    assert_int_equal(ugw_event_validate(&ev, &err), UGW_ERR_ARG);
    assert_int_equal(ugw_encode_json(&none, out, sizeof out, &len, &err), UGW_ERR_ARG);
    assert_int_equal(ugw_encode(&empty, (ugw_format)7, out, sizeof out, &len, &err), UGW_ERR_ARG);
    assert_int_equal(ugw_decode(DEC(state), (ugw_format)7, "{}", 2, &ev, &err), UGW_ERR_ARG);
    assert_int_equal(ugw_decode_json(NULL, "{}", 2, &ev, &err), UGW_ERR_ARG);
    assert_int_equal(ugw_decode_json(DEC(state), NULL, 2, &ev, &err), UGW_ERR_ARG);
    assert_int_equal(ugw_decode_msgpack(DEC(state), "\x80", 1, NULL, &err), UGW_ERR_ARG);
    /* err may be NULL everywhere */
    assert_int_equal(ugw_decode_json(DEC(state), "[", 1, &ev, NULL), UGW_ERR_TRUNCATED);
}

static void test_optional_field_and_alias(void **state)
{
    static const char doc[] = "{\"payload\":{\"pageUrl\":\"http://x\",\"userId\":\"u\"},\"event\":\"nps survey shown (userguiding)\"}";
    static const char alias[] = "{\"event\":\"Checklist item trigger (userguiding)\",\"payload\":{\"userId\":\"u\",\"pageUrl\":\"http://x\",\"checklistId\":\"5\",\"checklistName\":\"c\",\"guideId\":1,\"guideName\":\"g\"}}";
    ugw_event ev;
    ugw_error err;
    char out[512];
    size_t len;
    assert_int_equal(ugw_decode_json(DEC(state), doc, sizeof doc - 1, &ev, &err), UGW_OK);
    assert_int_equal(ev.type, UGW_EVENT_NPS_SURVEY_DISPLAY);
    assert_false(ev.u.nps_survey_display.has_survey_id);
    assert_int_equal(ugw_encode_json(&ev, out, sizeof out, &len, &err), UGW_OK);
    assert_int_equal(len, strlen("{\"event\":\"nps survey shown (userguiding)\",\"payload\":{\"userId\":\"u\",\"pageUrl\":\"http://x\"}}"));
    assert_memory_equal(out, "{\"event\":\"nps survey shown (userguiding)\",\"payload\":{\"userId\":\"u\",\"pageUrl\":\"http://x\"}}", len);
    assert_int_equal(ugw_decode_json(DEC(state), alias, sizeof alias - 1, &ev, &err), UGW_OK);
    assert_int_equal(ev.type, UGW_EVENT_CHECKLIST_ITEM_TRIGGER);
    assert_int_equal(ev.u.checklist_item_trigger.checklist_id, 5);
    assert_int_equal(ugw_encode_json(&ev, out, sizeof out, &len, &err), UGW_OK);
    assert_non_null(memmem(out, len, "\"event\":\"checklist item triggered (userguiding)\"", 48));
    assert_non_null(memmem(out, len, "\"checklistId\":5,", 16));
}

static void test_decoder_options(void **state)
{
    ugw_decode_opts o = { 0 };
    ugw_decoder *d;
    size_t len;
    unsigned char *doc = fixture_bytes("valid", "nps_feedback_submit", "json", &len);
    ugw_event ev;
    ugw_error err;
    static max_align_t mem[(32 << 10) / sizeof(max_align_t)];
    (void)state;
    /* invalid options */
    o.max_depth = 33;
    assert_null(ugw_decoder_new(&o));
    o.max_depth = 0;
    o.arena_size = 100;
    assert_null(ugw_decoder_new(&o));
    /* max_input */
    o.arena_size = 0;
    o.max_input = len - 1;
    d = ugw_decoder_new(&o);
    assert_int_equal(ugw_decode_json(d, doc, len, &ev, &err), UGW_ERR_LIMIT);
    assert_int_equal(ugw_decode_msgpack(d, doc, len, &ev, &err), UGW_ERR_LIMIT);
    assert_int_equal(ugw_decoder_opts(d)->max_depth, UGW_DEFAULT_MAX_DEPTH);
    ugw_decoder_free(d);
    /* max_tokens */
    o.max_input = 0;
    o.max_tokens = 8;
    d = ugw_decoder_new(&o);
    assert_int_equal(ugw_decode_json(d, doc, len, &ev, &err), UGW_ERR_LIMIT);
    ugw_decoder_free(d);
    /* caller memory, and an arena too small for the unescaped strings */
    memset(&o, 0, sizeof o);
    o.arena = mem;
    o.arena_size = sizeof mem;
    o.max_tokens = 64;
    d = ugw_decoder_new(&o);
    assert_non_null(d);
    assert_int_equal(ugw_decode_json(d, doc, len, &ev, &err), UGW_OK);
    {
        static char big[60000];
        size_t n = (size_t)snprintf(big, sizeof big, GS "\"userId\":\"u\",\"pageUrl\":\"https://a.b/\",\"guideId\":1,\"guideName\":\"g\",\"x\":\"");
        for (int i = 0; i < 20000; i++)
            n += (size_t)snprintf(big + n, sizeof big - n, "\\n");
        n += (size_t)snprintf(big + n, sizeof big - n, "\"}}");
        assert_int_equal(ugw_decode_json(d, big, n, &ev, &err), UGW_ERR_NOMEM);
        assert_string_equal(err.path, "payload.x");
    }
    ugw_decoder_free(d);
    ugw_decoder_free(NULL);
    free(doc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roundtrip_every_event),
        cmocka_unit_test(test_typed_entry_points),
        cmocka_unit_test(test_msgpack_golden_generic_unpacker),
        cmocka_unit_test(test_msgpack_integer_forms_match_msgpack_c),
        cmocka_unit_test(test_invalid_corpus),
        cmocka_unit_test(test_json_error_positions),
        cmocka_unit_test(test_unknown_key_strict_positions),
        cmocka_unit_test(test_msgpack_error_positions),
        cmocka_unit_test(test_string_limits),
        cmocka_unit_test(test_id_edges),
        cmocka_unit_test(test_every_escape),
        cmocka_unit_test(test_escaping_on_encode),
        cmocka_unit_test(test_depth),
        cmocka_unit_test(test_truncation_every_offset),
        cmocka_unit_test(test_encode_buffer_sizes),
        cmocka_unit_test(test_validate_and_arguments),
        cmocka_unit_test(test_optional_field_and_alias),
        cmocka_unit_test(test_decoder_options),
    };
    return cmocka_run_group_tests_name("codec", tests, setup, teardown);
}
