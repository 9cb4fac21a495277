/*
 * test_codec.c - the generated bindings end to end: round trips of every event,
 * the typed entry points, golden MessagePack bytes and the invalid corpus.
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

/* Whether some field of the bundled schema has type `t`. */
static bool schema_has(ugw_type t)
{
    for (uint32_t e = 0; e < ugw_schema_events.nevents; e++)
        for (int i = 0; i < ugw_schema_events.events[e].nfields; i++)
            if (ugw_schema_events.events[e].fields[i].type == t)
                return true;
    return false;
}

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
    /* every input error code is covered in both formats, but those of field
     * types the bundled schema does not use (test_codec_scalars has them) */
    for (int f = 0; f < 2; f++)
        for (int c = UGW_ERR_SYNTAX; c <= UGW_ERR_UNKNOWN_KEY; c++)
            if (!codes_seen[f][c] && !(c == UGW_ERR_ENUM && !schema_has(UGW_TYPE_ENUM))
                && !(c == UGW_ERR_FORMAT && !schema_has(UGW_TYPE_TIMESTAMP)))
                fail_msg("no %s fixture for %s", f ? "msgpack" : "json", ugw_status_name((ugw_status)c));
}


int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roundtrip_every_event),
        cmocka_unit_test(test_typed_entry_points),
        cmocka_unit_test(test_msgpack_golden_generic_unpacker),
        cmocka_unit_test(test_msgpack_integer_forms_match_msgpack_c),
        cmocka_unit_test(test_invalid_corpus),
    };
    return cmocka_run_group_tests_name("test_codec", tests, setup, teardown);
}
