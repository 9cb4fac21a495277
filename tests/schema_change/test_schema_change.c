/*
 * test_schema_change.c - the schema-change test.
 *
 * Built by tests/schema_change/CMakeLists.txt against the code generated from
 * schema/events.toml + guide_button_click.toml (one more event) with the
 * prefix `plus` (plus_event, PLUS_EVENT_COUNT, ...), the schema-agnostic
 * ugw_runtime library and, beside them, the bundled ugw_events library. It
 * proves that adding an event needs nothing but a build:
 *   - the new event round-trips through JSON and MessagePack from its
 *     generated C fixture, and its encodings equal the generated fixture files;
 *   - every event of the extended schema round-trips the same way;
 *   - the old events keep their numbers and wire fingerprints: they are
 *     compared with the main generated/ugw/ugw_events.h (UGW_MAIN_EVENTS_H)
 *     and with the bundled library linked into this test;
 *   - two schemas live in one program: the bundled bindings read what the
 *     extended ones write for the old events, and refuse the new one.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <msgpack.h>

#include <plus/plus_events.h>
#include <plus/plus_fixtures.h>
#include <ugw/ugw_events.h>

#ifndef UGW_SC_FIXTURES_DIR
#error "UGW_SC_FIXTURES_DIR must name the generated fixtures of the extended schema"
#endif
#ifndef UGW_MAIN_EVENTS_H
#error "UGW_MAIN_EVENTS_H must name the main generated/ugw/ugw_events.h"
#endif

/* The new event exists, is the last one, and has the fields of the fragment. */
_Static_assert(PLUS_EVENT_GUIDE_BUTTON_CLICK == PLUS_EVENT_COUNT, "the new event is appended last");
_Static_assert(PLUS_FIELD_STEP_MIN == 0 && PLUS_FIELD_STEP_MAX == 1000, "step limits from the fragment");
_Static_assert(PLUS_FIELD_CTA_TEXT_MAX == 512, "ctaText limit from the fragment");
_Static_assert(sizeof(((plus_guide_button_click *)0)->type) == sizeof(ugw_str), "member `type` is a string");

#define MAX_OLD 64

/* ------------------------------------------------------------------ */
/* helpers                                                              */
/* ------------------------------------------------------------------ */

static unsigned char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    unsigned char *buf = NULL;
    size_t cap = 0, n = 0;
    if (!f)
        fail_msg("cannot open %s", path);
    for (;;) {
        if (n == cap) {
            unsigned char *p;
            cap = cap ? cap * 2 : 4096;
            p = realloc(buf, cap);
            assert_non_null(p);
            buf = p;
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0)
            break;
    }
    assert_int_equal(ferror(f), 0);
    fclose(f);
    *len = n;
    return buf;
}

static unsigned char *read_fixture(const char *id, const char *ext, size_t *len)
{
    char path[1024];
    int n = snprintf(path, sizeof path, "%s/valid/%s.%s", UGW_SC_FIXTURES_DIR, id, ext);
    assert_true(n > 0 && (size_t)n < sizeof path);
    return read_file(path, len);
}

static void assert_str_equal(ugw_str a, ugw_str b)
{
    assert_int_equal(a.len, b.len);
    if (a.len)
        assert_memory_equal(a.ptr, b.ptr, a.len);
}

static ugw_decoder *strict_decoder(void)
{
    ugw_decode_opts opts;
    memset(&opts, 0, sizeof opts);
    opts.strict = true;
    ugw_decoder *dec = ugw_decoder_new(&opts);
    assert_non_null(dec);
    return dec;
}

/* Encodes `ev` in `format` with a sizing call first; returns a malloc'd buffer. */
static unsigned char *encode(const plus_event *ev, ugw_format format, size_t *len)
{
    ugw_error err;
    size_t need = 0, got = 0;
    assert_int_equal(plus_encode(ev, format, NULL, 0, &need, &err), UGW_OK);
    assert_true(need > 0);
    unsigned char *buf = malloc(need);
    assert_non_null(buf);
    /* One byte short is refused with the size needed. */
    assert_int_equal(plus_encode(ev, format, buf, need - 1, &got, &err), UGW_ERR_BUFFER);
    assert_int_equal(got, need);
    got = 0;
    assert_int_equal(plus_encode(ev, format, buf, need, &got, &err), UGW_OK);
    assert_int_equal(got, need);
    *len = got;
    return buf;
}

static const char *ext_of(ugw_format format)
{
    return format == UGW_FORMAT_JSON ? "json" : "msgpack";
}

/*
 * Round trip of one event: encode equals the fixture file, the file decodes
 * (strict) to an event of the same type that re-encodes to the same bytes.
 * The decoded event is left in *out (views into `dec`/the file: the caller
 * frees `*file` after use).
 */
static void round_trip(ugw_decoder *dec, const plus_event *ev, ugw_format format,
                       plus_event *out, unsigned char **file)
{
    const char *id = plus_event_id(ev->type);
    ugw_error err;
    size_t len, flen, len2;
    assert_non_null(id);
    unsigned char *enc = encode(ev, format, &len);
    *file = read_fixture(id, ext_of(format), &flen);
    assert_int_equal(len, flen);
    assert_memory_equal(enc, *file, len);
    assert_int_equal(ugw_detect_format(*file, flen), format);

    memset(out, 0xA5, sizeof *out);
    ugw_status st = plus_decode(dec, format, *file, flen, out, &err);
    if (st != UGW_OK)
        fail_msg("%s.%s: decode: %s at %zu, path '%s'", id, ext_of(format),
                 err.message ? err.message : "?", err.pos, err.path);
    assert_int_equal(out->type, ev->type);
    assert_int_equal(plus_event_validate(out, &err), UGW_OK);
    unsigned char *enc2 = encode(out, format, &len2);
    assert_int_equal(len2, len);
    assert_memory_equal(enc2, enc, len);
    free(enc2);
    free(enc);
}

static void assert_button_click_equal(const plus_guide_button_click *a, const plus_guide_button_click *b)
{
    assert_str_equal(a->user_id, b->user_id);
    assert_str_equal(a->page_url, b->page_url);
    assert_int_equal(a->guide_id, b->guide_id);
    assert_int_equal(a->has_guide_name, b->has_guide_name);
    if (a->has_guide_name)
        assert_str_equal(a->guide_name, b->guide_name);
    assert_int_equal(a->step, b->step);
    assert_str_equal(a->button_id, b->button_id);
    assert_str_equal(a->type, b->type);
    assert_str_equal(a->action, b->action);
    assert_str_equal(a->cta_text, b->cta_text);
}

/* ------------------------------------------------------------------ */
/* the new event                                                        */
/* ------------------------------------------------------------------ */

static void new_event_round_trip(ugw_format format)
{
    const plus_event *fx = plus_fixture(PLUS_EVENT_GUIDE_BUTTON_CLICK);
    ugw_decoder *dec = strict_decoder();
    plus_event out;
    unsigned char *file;
    assert_non_null(fx);
    assert_int_equal(fx->type, PLUS_EVENT_GUIDE_BUTTON_CLICK);
    assert_string_equal(plus_event_id(PLUS_EVENT_GUIDE_BUTTON_CLICK), "guide_button_click");
    assert_string_equal(plus_event_wire_name(PLUS_EVENT_GUIDE_BUTTON_CLICK), "guide button click (userguiding)");
    /* The fixture carries the fragment's examples. */
    assert_int_equal(fx->u.guide_button_click.step, 2);
    assert_str_equal(fx->u.guide_button_click.type, UGW_STR("primary"));
    assert_true(fx->u.guide_button_click.has_guide_name);

    round_trip(dec, fx, format, &out, &file);
    assert_button_click_equal(&out.u.guide_button_click, &fx->u.guide_button_click);

    /* The typed entry point writes the same bytes as the tagged one. */
    size_t len_typed = 0, len_tagged = 0;
    ugw_error err;
    unsigned char *tagged = encode(fx, format, &len_tagged);
    unsigned char buf[1024];
    assert_true(len_tagged <= sizeof buf);
    ugw_status st = format == UGW_FORMAT_JSON
        ? plus_guide_button_click_encode_json(&fx->u.guide_button_click, buf, sizeof buf, &len_typed, &err)
        : plus_guide_button_click_encode_msgpack(&fx->u.guide_button_click, buf, sizeof buf, &len_typed, &err);
    assert_int_equal(st, UGW_OK);
    assert_int_equal(len_typed, len_tagged);
    assert_memory_equal(buf, tagged, len_tagged);
    assert_int_equal(plus_guide_button_click_validate(&fx->u.guide_button_click, &err), UGW_OK);

    free(tagged);
    free(file);
    ugw_decoder_free(dec);
}

static void test_new_event_json(void **state)
{
    (void)state;
    new_event_round_trip(UGW_FORMAT_JSON);
}

static void test_new_event_msgpack(void **state)
{
    (void)state;
    new_event_round_trip(UGW_FORMAT_MSGPACK);
}

/* msgpack-c's generic unpacker reads our encoding of the new event. */
static void test_new_event_msgpack_generic_unpack(void **state)
{
    (void)state;
    size_t len, off = 0;
    unsigned char *enc = encode(plus_fixture(PLUS_EVENT_GUIDE_BUTTON_CLICK), UGW_FORMAT_MSGPACK, &len);
    msgpack_unpacked u;
    msgpack_unpacked_init(&u);
    assert_int_equal(msgpack_unpack_next(&u, (const char *)enc, len, &off), MSGPACK_UNPACK_SUCCESS);
    assert_int_equal(off, len);
    msgpack_object root = u.data;
    assert_int_equal(root.type, MSGPACK_OBJECT_MAP);
    assert_int_equal(root.via.map.size, 2);
    msgpack_object_kv *kv = root.via.map.ptr;
    assert_int_equal(kv[0].key.type, MSGPACK_OBJECT_STR);
    assert_memory_equal(kv[0].key.via.str.ptr, "event", 5);
    assert_int_equal(kv[0].val.via.str.size, strlen("guide button click (userguiding)"));
    assert_memory_equal(kv[0].val.via.str.ptr, "guide button click (userguiding)", kv[0].val.via.str.size);
    msgpack_object payload = kv[1].val;
    assert_int_equal(payload.type, MSGPACK_OBJECT_MAP);
    assert_int_equal(payload.via.map.size, 9);
    static const char *const names[9] = { "userId", "pageUrl", "guideId", "guideName", "step",
                                          "buttonId", "type", "action", "ctaText" };
    for (uint32_t i = 0; i < 9; i++) {
        msgpack_object_kv *p = &payload.via.map.ptr[i];
        assert_int_equal(p->key.type, MSGPACK_OBJECT_STR);
        assert_int_equal(p->key.via.str.size, strlen(names[i]));
        assert_memory_equal(p->key.via.str.ptr, names[i], p->key.via.str.size);
    }
    assert_int_equal(payload.via.map.ptr[4].val.type, MSGPACK_OBJECT_POSITIVE_INTEGER);
    assert_int_equal(payload.via.map.ptr[4].val.via.u64, 2);
    assert_int_equal(payload.via.map.ptr[6].val.type, MSGPACK_OBJECT_STR);
    assert_memory_equal(payload.via.map.ptr[6].val.via.str.ptr, "primary", 7);
    msgpack_unpacked_destroy(&u);
    free(enc);
}

/* The new fields obey their limits; guideName is optional; the alias decodes. */
static void test_new_event_rules(void **state)
{
    (void)state;
    ugw_decoder *dec = strict_decoder();
    ugw_error err;
    plus_event ev = *plus_fixture(PLUS_EVENT_GUIDE_BUTTON_CLICK);
    size_t len = 0;

    ev.u.guide_button_click.step = PLUS_FIELD_STEP_MAX + 1;
    assert_int_equal(plus_encode_json(&ev, NULL, 0, &len, &err), UGW_ERR_RANGE);
    assert_string_equal(err.path, "payload.step");
    ev.u.guide_button_click.step = PLUS_FIELD_STEP_MIN - 1;
    assert_int_equal(plus_event_validate(&ev, &err), UGW_ERR_RANGE);
    assert_string_equal(err.path, "payload.step");

    ev = *plus_fixture(PLUS_EVENT_GUIDE_BUTTON_CLICK);
    char big[PLUS_FIELD_CTA_TEXT_MAX + 1];
    memset(big, 'a', sizeof big);
    ev.u.guide_button_click.cta_text.ptr = big;
    ev.u.guide_button_click.cta_text.len = PLUS_FIELD_CTA_TEXT_MAX;
    assert_int_equal(plus_event_validate(&ev, &err), UGW_OK);
    ev.u.guide_button_click.cta_text.len = PLUS_FIELD_CTA_TEXT_MAX + 1;
    assert_int_equal(plus_event_validate(&ev, &err), UGW_ERR_TOO_LONG);
    assert_string_equal(err.path, "payload.ctaText");

    static const char no_cta[] =
        "{\"event\":\"guide button click (userguiding)\",\"payload\":{\"userId\":\"u\","
        "\"pageUrl\":\"https://a.example/\",\"guideId\":\"5\",\"step\":0,\"buttonId\":\"b\","
        "\"type\":\"close\",\"action\":\"dismiss\"}}";
    plus_event out;
    assert_int_equal(plus_decode_json(dec, no_cta, sizeof no_cta - 1, &out, &err), UGW_ERR_MISSING);
    assert_string_equal(err.path, "payload.ctaText");

    /* Without the optional guideName, through the alias, keys in another order. */
    static const char alias[] =
        "{\"payload\":{\"ctaText\":\"Close\",\"userId\":\"u\",\"pageUrl\":\"https://a.example/\","
        "\"guideId\":5,\"step\":1000,\"buttonId\":\"b\",\"type\":\"close\",\"action\":\"dismiss\"},"
        "\"event\":\"Guide button click (userguiding)\"}";
    assert_int_equal(plus_decode_json(dec, alias, sizeof alias - 1, &out, &err), UGW_OK);
    assert_int_equal(out.type, PLUS_EVENT_GUIDE_BUTTON_CLICK);
    assert_false(out.u.guide_button_click.has_guide_name);
    assert_int_equal(out.u.guide_button_click.step, 1000);
    assert_int_equal(out.u.guide_button_click.guide_id, 5);
    assert_str_equal(out.u.guide_button_click.type, UGW_STR("close"));
    assert_str_equal(out.u.guide_button_click.cta_text, UGW_STR("Close"));
    /* Encoders write the canonical string and schema order, without guideName. */
    static const char canonical[] =
        "{\"event\":\"guide button click (userguiding)\",\"payload\":{\"userId\":\"u\","
        "\"pageUrl\":\"https://a.example/\",\"guideId\":5,\"step\":1000,\"buttonId\":\"b\","
        "\"type\":\"close\",\"action\":\"dismiss\",\"ctaText\":\"Close\"}}";
    char buf[512];
    assert_int_equal(plus_encode_json(&out, buf, sizeof buf, &len, &err), UGW_OK);
    assert_int_equal(len, sizeof canonical - 1);
    assert_memory_equal(buf, canonical, len);
    ugw_decoder_free(dec);
}

/* ------------------------------------------------------------------ */
/* every event of the extended schema                                   */
/* ------------------------------------------------------------------ */

static void test_all_events_round_trip(void **state)
{
    (void)state;
    ugw_decoder *dec = strict_decoder();
    assert_int_equal(plus_schema_events.nevents, PLUS_EVENT_COUNT);
    for (int t = 1; t <= PLUS_EVENT_COUNT; t++) {
        const plus_event *fx = plus_fixture((plus_event_type)t);
        assert_non_null(fx);
        assert_int_equal(fx->type, t);
        for (int f = 0; f < 2; f++) {
            plus_event out;
            unsigned char *file;
            round_trip(dec, fx, f ? UGW_FORMAT_MSGPACK : UGW_FORMAT_JSON, &out, &file);
            free(file);
        }
    }
    assert_null(plus_fixture((plus_event_type)(PLUS_EVENT_COUNT + 1)));
    ugw_decoder_free(dec);
}

/* ------------------------------------------------------------------ */
/* the old events are untouched                                         */
/* ------------------------------------------------------------------ */

typedef struct old_event {
    char macro[128];   /* GUIDE_PREVIEW_START */
    long number;       /* enum value, 0 until found */
    uint64_t fingerprint;
    int has_fingerprint;
} old_event;

static old_event *find_old(old_event *olds, int *n, const char *macro, size_t len)
{
    for (int i = 0; i < *n; i++)
        if (strlen(olds[i].macro) == len && memcmp(olds[i].macro, macro, len) == 0)
            return &olds[i];
    assert_true(*n < MAX_OLD);
    assert_true(len < sizeof olds[0].macro);
    memset(&olds[*n], 0, sizeof olds[*n]);
    memcpy(olds[*n].macro, macro, len);
    return &olds[(*n)++];
}

/* Parses `UGW_EVENT_X = N,` and `#define UGW_X_FINGERPRINT UINT64_C(0x...)`
 * lines of the main generated header. */
static int parse_main_header(old_event *olds, long *count)
{
    size_t len;
    char *text = (char *)read_file(UGW_MAIN_EVENTS_H, &len);
    int n = 0;
    *count = -1;
    char *p = text, *end = text + len;
    while (p < end) {
        char *eol = memchr(p, '\n', (size_t)(end - p));
        if (!eol)
            eol = end;
        char line[512];
        size_t ll = (size_t)(eol - p) < sizeof line - 1 ? (size_t)(eol - p) : sizeof line - 1;
        memcpy(line, p, ll);
        line[ll] = '\0';
        char name[128];
        unsigned long long fp;
        long num;
        if (sscanf(line, "#define UGW_EVENT_COUNT %ld", &num) == 1) {
            *count = num;
        } else if (sscanf(line, "#define UGW_%127[A-Z0-9_] UINT64_C(0x%llx)", name, &fp) == 2) {
            size_t nl = strlen(name);
            static const char suffix[] = "_FINGERPRINT";
            if (nl > sizeof suffix - 1 && strcmp(name + nl - (sizeof suffix - 1), suffix) == 0) {
                old_event *o = find_old(olds, &n, name, nl - (sizeof suffix - 1));
                o->fingerprint = (uint64_t)fp;
                o->has_fingerprint = 1;
            }
        } else if (sscanf(line, "    UGW_EVENT_%127[A-Z0-9_] = %ld,", name, &num) == 2 &&
                   strcmp(name, "NONE") != 0) {
            old_event *o = find_old(olds, &n, name, strlen(name));
            o->number = num;
        }
        p = eol + 1;
    }
    free(text);
    return n;
}

static void upper(char *dst, const char *src, size_t cap)
{
    size_t i = 0;
    for (; src[i] && i + 1 < cap; i++)
        dst[i] = (char)(src[i] >= 'a' && src[i] <= 'z' ? src[i] - 'a' + 'A' : src[i]);
    dst[i] = '\0';
}

static void test_old_fingerprints_unchanged(void **state)
{
    (void)state;
    old_event olds[MAX_OLD];
    long main_count;
    int n = parse_main_header(olds, &main_count);

    /* The main schema has the eleven events; the extended one has one more. */
    assert_true(main_count >= 11);
    assert_int_equal(n, main_count);
    assert_int_equal(PLUS_EVENT_COUNT, main_count + 1);
    for (int i = 0; i < n; i++) {
        char macro[128];
        const ugw_event_desc *ed;
        assert_true(olds[i].has_fingerprint);
        assert_true(olds[i].number >= 1 && olds[i].number <= main_count);
        ed = plus_event_describe((plus_event_type)olds[i].number);
        assert_non_null(ed);
        upper(macro, ed->id, sizeof macro);
        assert_string_equal(macro, olds[i].macro);    /* same number, same event */
        if (ed->fingerprint != olds[i].fingerprint)
            fail_msg("fingerprint of %s changed: 0x%016llx, main header 0x%016llx", ed->id,
                     (unsigned long long)ed->fingerprint, (unsigned long long)olds[i].fingerprint);
    }

    /* The same through this header's macros, for the eleven of the contract. */
    static const struct { plus_event_type type; uint64_t fp; const char *macro; } mine[] = {
        { PLUS_EVENT_GUIDE_PREVIEW_START, PLUS_GUIDE_PREVIEW_START_FINGERPRINT, "GUIDE_PREVIEW_START" },
        { PLUS_EVENT_GUIDE_PREVIEW_COMPLETE, PLUS_GUIDE_PREVIEW_COMPLETE_FINGERPRINT, "GUIDE_PREVIEW_COMPLETE" },
        { PLUS_EVENT_NPS_SURVEY_DISPLAY, PLUS_NPS_SURVEY_DISPLAY_FINGERPRINT, "NPS_SURVEY_DISPLAY" },
        { PLUS_EVENT_NPS_SCORE_SUBMIT, PLUS_NPS_SCORE_SUBMIT_FINGERPRINT, "NPS_SCORE_SUBMIT" },
        { PLUS_EVENT_NPS_FEEDBACK_SUBMIT, PLUS_NPS_FEEDBACK_SUBMIT_FINGERPRINT, "NPS_FEEDBACK_SUBMIT" },
        { PLUS_EVENT_HOTSPOT_INTERACTION, PLUS_HOTSPOT_INTERACTION_FINGERPRINT, "HOTSPOT_INTERACTION" },
        { PLUS_EVENT_CHECKLIST_ITEM_TRIGGER, PLUS_CHECKLIST_ITEM_TRIGGER_FINGERPRINT, "CHECKLIST_ITEM_TRIGGER" },
        { PLUS_EVENT_RESOURCE_CENTER_GUIDE_TRIGGER, PLUS_RESOURCE_CENTER_GUIDE_TRIGGER_FINGERPRINT,
          "RESOURCE_CENTER_GUIDE_TRIGGER" },
        { PLUS_EVENT_RESOURCE_CENTER_CHECKLIST_GUIDE_TRIGGER, PLUS_RESOURCE_CENTER_CHECKLIST_GUIDE_TRIGGER_FINGERPRINT,
          "RESOURCE_CENTER_CHECKLIST_GUIDE_TRIGGER" },
        { PLUS_EVENT_RESOURCE_CENTER_EXTERNAL_URL_CLICK, PLUS_RESOURCE_CENTER_EXTERNAL_URL_CLICK_FINGERPRINT,
          "RESOURCE_CENTER_EXTERNAL_URL_CLICK" },
        { PLUS_EVENT_RESOURCE_CENTER_SEARCH_ARTICLE_CLICK, PLUS_RESOURCE_CENTER_SEARCH_ARTICLE_CLICK_FINGERPRINT,
          "RESOURCE_CENTER_SEARCH_ARTICLE_CLICK" },
    };
    for (size_t i = 0; i < sizeof mine / sizeof mine[0]; i++) {
        int found = 0;
        for (int j = 0; j < n; j++) {
            if (strcmp(olds[j].macro, mine[i].macro) == 0) {
                found = 1;
                assert_int_equal(olds[j].number, mine[i].type);
                assert_true(olds[j].fingerprint == mine[i].fp);
            }
        }
        assert_true(found);
    }

    /* The new event has a fingerprint of its own. */
    const ugw_event_desc *ed = plus_event_describe(PLUS_EVENT_GUIDE_BUTTON_CLICK);
    assert_non_null(ed);
    assert_true(ed->fingerprint == PLUS_GUIDE_BUTTON_CLICK_FINGERPRINT);
    for (int i = 0; i < n; i++)
        assert_true(olds[i].fingerprint != ed->fingerprint);
}

/* ------------------------------------------------------------------ */
/* the bundled library in the same program                              */
/* ------------------------------------------------------------------ */

static void test_bundled_library_alongside(void **state)
{
    (void)state;
    ugw_decoder *dec = strict_decoder();
    assert_int_equal(PLUS_EVENT_COUNT, UGW_EVENT_COUNT + 1);
    assert_ptr_not_equal(&plus_schema_events, &ugw_schema_events);
    for (int t = 1; t <= PLUS_EVENT_COUNT; t++) {
        const plus_event *fx = plus_fixture((plus_event_type)t);
        for (int f = 0; f < 2; f++) {
            ugw_format format = f ? UGW_FORMAT_MSGPACK : UGW_FORMAT_JSON;
            size_t len;
            ugw_error err;
            ugw_event out;
            unsigned char *enc = encode(fx, format, &len);
            ugw_status st = ugw_decode(dec, format, enc, len, &out, &err);
            if (t == PLUS_EVENT_GUIDE_BUTTON_CLICK) {
                /* Unknown to the bundled schema. */
                assert_int_equal(st, UGW_ERR_UNKNOWN_EVENT);
            } else {
                /* Same number, same fingerprint, same bytes once encoded again. */
                unsigned char again[4096];
                size_t len2 = 0;
                assert_int_equal(st, UGW_OK);
                assert_int_equal(out.type, t);
                assert_true(ugw_event_describe(out.type)->fingerprint ==
                            plus_event_describe((plus_event_type)t)->fingerprint);
                assert_int_equal(ugw_encode(&out, format, again, sizeof again, &len2, &err), UGW_OK);
                assert_int_equal(len2, len);
                assert_memory_equal(again, enc, len);
            }
            free(enc);
        }
    }
    ugw_decoder_free(dec);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_new_event_json),
        cmocka_unit_test(test_new_event_msgpack),
        cmocka_unit_test(test_new_event_msgpack_generic_unpack),
        cmocka_unit_test(test_new_event_rules),
        cmocka_unit_test(test_all_events_round_trip),
        cmocka_unit_test(test_old_fingerprints_unchanged),
        cmocka_unit_test(test_bundled_library_alongside),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
