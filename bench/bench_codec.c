/*
 * bench_codec.c - the codec benchmark.
 *
 * Encodes and decodes the eleven valid fixtures many times, with ours and, in
 * the same run, with the anchors: cJSON and jansson (build + print, parse +
 * field extraction) and msgpack-c (generic msgpack_sbuffer packing,
 * msgpack_unpack_next per event, msgpack_unpack into one reused zone).
 *
 * Method: each measurement runs a batch (every fixture, enough passes to last
 * about --batch-ms); batches of all measurements are interleaved, repeated
 * --repeats times, and the median ns/event is reported. MB/s counts the bytes
 * of the encoded documents. Ratios are median over median of the same run.
 *
 * Heap allocations are counted by defining malloc/calloc/realloc/free in this
 * executable (forwarding to glibc's __libc_* functions): symbols of the
 * executable interpose those of shared libraries, so allocations made inside
 * libmsgpackc, libcjson, libjansson and libc are counted too (memalign and
 * friends are not replaced, hence not counted; nothing here uses them).
 *
 * Usage: bench_codec [--repeats N] [--batch-ms MS] [--fixtures DIR]
 *                    [--only KEY,...] [--check]
 *        bench_codec --alloc-check [--fixtures DIR]
 * docs/BENCHMARKS.md has the method, the figures and how to profile.
 * Exit: 0; with --check, 1 when a target is missed; with --alloc-check, 1 when
 * one of our encode/decode paths allocates per event (77 when counting is not
 * available: not glibc, or a sanitizer build); 2 on usage, I/O or codec errors.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cJSON.h>
#include <jansson.h>
#include <msgpack.h>

/* jsmn configured as the runtime uses it, static so it cannot clash. */
#define JSMN_STATIC
#define JSMN_STRICT
#include <jsmn.h>

#include <ugw/ugw_events.h>
#include <ugw/ugw_fixtures.h>

#ifndef UGW_FIXTURES_DIR
#define UGW_FIXTURES_DIR "generated/fixtures"
#endif
#ifndef UGW_BUILD_TYPE
#define UGW_BUILD_TYPE "?"
#endif
#ifndef UGW_BENCH_CFLAGS
#define UGW_BENCH_CFLAGS "?"
#endif

/* ------------------------------------------------------------------ */
/* Allocation counting                                                 */
/* ------------------------------------------------------------------ */

/* A sanitizer owns malloc: do not replace it. UGW_BENCH_SANITIZED comes from
 * CMake when the libraries are instrumented (UGW_SANITIZE, UGW_FUZZ) even if
 * this file is not. */
#if defined(__SANITIZE_ADDRESS__) || defined(UGW_BENCH_SANITIZED)
#define BENCH_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(memory_sanitizer)
#define BENCH_ASAN 1
#endif
#endif

#if defined(__GLIBC__) && !defined(BENCH_ASAN)
#define BENCH_COUNT_ALLOCS 1

/* glibc's own allocator entry points (exported by libc.so.6). */
extern void *__libc_malloc(size_t n);
extern void *__libc_calloc(size_t n, size_t size);
extern void *__libc_realloc(void *p, size_t n);
extern void __libc_free(void *p);

/* Single-threaded benchmark: a plain counter is enough. */
static unsigned long long g_allocs;

void *malloc(size_t n)
{
    g_allocs++;
    return __libc_malloc(n);
}

void *calloc(size_t n, size_t size)
{
    g_allocs++;
    return __libc_calloc(n, size);
}

void *realloc(void *p, size_t n)
{
    g_allocs++;
    return __libc_realloc(p, n);
}

/* Replaced with the others so that every block goes back to the allocator
 * that made it (glibc's "Replacing malloc" rules). */
void free(void *p)
{
    __libc_free(p);
}
#else
#define BENCH_COUNT_ALLOCS 0
static unsigned long long g_allocs;
#endif

/* ------------------------------------------------------------------ */
/* Fixtures                                                             */
/* ------------------------------------------------------------------ */

#define NEV UGW_EVENT_COUNT

typedef struct doc {
    unsigned char *p;
    size_t n;
} doc;

static doc g_json[NEV], g_mp[NEV];
static size_t g_json_bytes, g_mp_bytes; /* of one pass over all fixtures */

static void die(const char *what, const char *detail)
{
    fprintf(stderr, "bench_codec: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
    exit(2);
}

static doc read_file(const char *path)
{
    doc d = { NULL, 0 };
    size_t cap = 4096;
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "bench_codec: %s: %s\n", path, strerror(errno));
        exit(2);
    }
    d.p = malloc(cap);
    if (!d.p)
        die("out of memory", NULL);
    for (;;) {
        size_t got = fread(d.p + d.n, 1, cap - d.n, f);
        d.n += got;
        if (d.n < cap)
            break;
        unsigned char *bigger = realloc(d.p, cap * 2);
        if (!bigger)
            die("out of memory", NULL);
        d.p = bigger;
        cap *= 2;
    }
    if (ferror(f))
        die("read error", path);
    fclose(f);
    return d;
}

static void load_fixtures(const char *dir)
{
    char path[4096];
    for (int i = 0; i < NEV; i++) {
        const char *id = ugw_event_id((ugw_event_type)(i + 1));
        if (!id)
            die("no schema id for an event type", NULL);
        snprintf(path, sizeof path, "%s/valid/%s.json", dir, id);
        g_json[i] = read_file(path);
        snprintf(path, sizeof path, "%s/valid/%s.msgpack", dir, id);
        g_mp[i] = read_file(path);
        g_json_bytes += g_json[i].n;
        g_mp_bytes += g_mp[i].n;
    }
}

/* ------------------------------------------------------------------ */
/* Shared state of the measured passes                                  */
/* ------------------------------------------------------------------ */

static ugw_decoder *g_dec;        /* made once, reused by every decode */
static unsigned char g_out[65536]; /* caller buffer of our encoders */
static msgpack_zone g_zone;       /* reused zone of the msgpack_unpack anchor */

static void fail_event(const char *who, int i, const char *why)
{
    fprintf(stderr, "bench_codec: %s failed on %s: %s\n", who,
            ugw_event_id((ugw_event_type)(i + 1)), why);
    exit(2);
}

/* Field access through the generated descriptors. */
#define FIELD(payload, off, type) ((type *)(void *)((char *)(payload) + (off)))
#define CFIELD(payload, off, type) ((const type *)(const void *)((const char *)(payload) + (off)))

static int present(const ugw_field_desc *f, const void *payload)
{
    return f->has_offset == UGW_NO_HAS || *CFIELD(payload, f->has_offset, bool);
}

/* Mixes what a pass produced into the checksum so nothing is optimised away. */
static inline uint64_t mix(uint64_t h, uint64_t v)
{
    return (h ^ v) * UINT64_C(0x100000001b3);
}

static uint64_t digest_bytes(uint64_t h, const unsigned char *p, size_t n)
{
    h = mix(h, n);
    if (n)
        h = mix(h, (uint64_t)p[0] << 16 | (uint64_t)p[n / 2] << 8 | p[n - 1]);
    return h;
}

static uint64_t digest_event(uint64_t h, const ugw_event *ev)
{
    /* user_id is the first member of every event struct */
    const ugw_str *uid = &ev->u.guide_preview_start.user_id;
    h = mix(h, (uint64_t)ev->type);
    h = mix(h, uid->len);
    if (uid->len)
        h = mix(h, (unsigned char)uid->ptr[uid->len - 1]);
    return h;
}

/* ---- ours ---- */

static uint64_t pass_ours_json_encode(uint64_t h)
{
    for (int i = 0; i < NEV; i++) {
        size_t n = 0;
        if (ugw_encode_json(&ugw_fixtures[i], g_out, sizeof g_out, &n, NULL) != UGW_OK)
            fail_event("ugw_encode_json", i, "error");
        h = digest_bytes(h, g_out, n);
    }
    return h;
}

static uint64_t pass_ours_json_decode(uint64_t h)
{
    for (int i = 0; i < NEV; i++) {
        ugw_event ev;
        if (ugw_decode_json(g_dec, g_json[i].p, g_json[i].n, &ev, NULL) != UGW_OK)
            fail_event("ugw_decode_json", i, "error");
        h = digest_event(h, &ev);
    }
    return h;
}

static uint64_t pass_ours_mp_encode(uint64_t h)
{
    for (int i = 0; i < NEV; i++) {
        size_t n = 0;
        if (ugw_encode_msgpack(&ugw_fixtures[i], g_out, sizeof g_out, &n, NULL) != UGW_OK)
            fail_event("ugw_encode_msgpack", i, "error");
        h = digest_bytes(h, g_out, n);
    }
    return h;
}

static uint64_t pass_ours_mp_decode(uint64_t h)
{
    for (int i = 0; i < NEV; i++) {
        ugw_event ev;
        if (ugw_decode_msgpack(g_dec, g_mp[i].p, g_mp[i].n, &ev, NULL) != UGW_OK)
            fail_event("ugw_decode_msgpack", i, "error");
        h = digest_event(h, &ev);
    }
    return h;
}

/* ---- the floors under ours (information) ---- */

/* jsmn_parse alone: what the JSON decoder pays before it looks at a token. */
static uint64_t pass_jsmn_only(uint64_t h)
{
    static jsmntok_t toks[256];
    for (int i = 0; i < NEV; i++) {
        jsmn_parser p;
        int n;
        jsmn_init(&p);
        n = jsmn_parse(&p, (const char *)g_json[i].p, g_json[i].n, toks, 256);
        if (n <= 0)
            fail_event("jsmn_parse", i, "no tokens");
        h = mix(h, (uint64_t)n << 32 | (uint64_t)toks[n - 1].end);
    }
    return h;
}

/* ugw_event_validate alone: what every encode pays before writing. */
static uint64_t pass_ours_validate(uint64_t h)
{
    for (int i = 0; i < NEV; i++) {
        if (ugw_event_validate(&ugw_fixtures[i], NULL) != UGW_OK)
            fail_event("ugw_event_validate", i, "invalid");
        h = mix(h, (uint64_t)i);
    }
    return h;
}

/* ---- cJSON ---- */

/* The same object as ours, built field by field. The fixture strings are
 * NUL-terminated literals (checked at start-up), so cJSON gets them without a
 * copy. Returns the printed text (cJSON_free it) or NULL. */
static char *cjson_print_event(const ugw_event *ev)
{
    const ugw_event_desc *ed = ugw_event_describe(ev->type);
    cJSON *root = cJSON_CreateObject(), *pl;
    char *out = NULL;
    if (!root || !ed)
        goto done;
    if (!cJSON_AddStringToObject(root, "event", ed->wire))
        goto done;
    if (!(pl = cJSON_AddObjectToObject(root, "payload")))
        goto done;
    for (int k = 0; k < ed->nfields; k++) {
        const ugw_field_desc *f = &ed->fields[k];
        cJSON *item = NULL;
        if (!present(f, &ev->u))
            continue;
        switch ((ugw_type)f->type) {
        case UGW_TYPE_STRING:
        case UGW_TYPE_URL:
            item = cJSON_AddStringToObject(pl, f->name, CFIELD(&ev->u, f->offset, ugw_str)->ptr);
            break;
        case UGW_TYPE_ID:
            item = cJSON_AddNumberToObject(pl, f->name, (double)*CFIELD(&ev->u, f->offset, uint64_t));
            break;
        case UGW_TYPE_INT:
            item = cJSON_AddNumberToObject(pl, f->name, (double)*CFIELD(&ev->u, f->offset, int64_t));
            break;
        case UGW_TYPE_BOOL:
            item = cJSON_AddBoolToObject(pl, f->name, *CFIELD(&ev->u, f->offset, bool));
            break;
        }
        if (!item)
            goto done;
    }
    out = cJSON_PrintUnformatted(root);
done:
    cJSON_Delete(root);
    return out;
}

static uint64_t pass_cjson_encode(uint64_t h)
{
    for (int i = 0; i < NEV; i++) {
        char *s = cjson_print_event(&ugw_fixtures[i]);
        if (!s)
            fail_event("cJSON build/print", i, "NULL");
        h = digest_bytes(h, (const unsigned char *)s, strlen(s));
        cJSON_free(s);
    }
    return h;
}

/* Integral double within [min, max]. */
static int whole_in(double d, double min, double max)
{
    return d >= min && d <= max && (double)(int64_t)d == d;
}

/* Extracts the event from a parsed cJSON tree into `ev` (views into the
 * tree): the event string, then each payload field with its type checked. */
static int cjson_extract(const cJSON *root, ugw_event *ev)
{
    const cJSON *e = cJSON_GetObjectItemCaseSensitive(root, "event"), *pl;
    const ugw_event_desc *ed;
    memset(ev, 0, sizeof *ev);
    if (!cJSON_IsString(e))
        return 0;
    ev->type = ugw_event_from_wire(e->valuestring, strlen(e->valuestring));
    if (!(ed = ugw_event_describe(ev->type)))
        return 0;
    pl = cJSON_GetObjectItemCaseSensitive(root, "payload");
    if (!cJSON_IsObject(pl))
        return 0;
    for (int k = 0; k < ed->nfields; k++) {
        const ugw_field_desc *f = &ed->fields[k];
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(pl, f->name);
        if (!v) {
            if (f->required)
                return 0;
            continue;
        }
        switch ((ugw_type)f->type) {
        case UGW_TYPE_STRING:
        case UGW_TYPE_URL:
            if (!cJSON_IsString(v))
                return 0;
            FIELD(&ev->u, f->offset, ugw_str)->ptr = v->valuestring;
            FIELD(&ev->u, f->offset, ugw_str)->len = strlen(v->valuestring);
            break;
        case UGW_TYPE_ID:
            if (!cJSON_IsNumber(v) || !whole_in(v->valuedouble, 0, 9007199254740991.0))
                return 0;
            *FIELD(&ev->u, f->offset, uint64_t) = (uint64_t)v->valuedouble;
            break;
        case UGW_TYPE_INT:
            if (!cJSON_IsNumber(v) || !whole_in(v->valuedouble, (double)f->min, (double)f->max))
                return 0;
            *FIELD(&ev->u, f->offset, int64_t) = (int64_t)v->valuedouble;
            break;
        case UGW_TYPE_BOOL:
            if (!cJSON_IsBool(v))
                return 0;
            *FIELD(&ev->u, f->offset, bool) = cJSON_IsTrue(v);
            break;
        }
        if (f->has_offset != UGW_NO_HAS)
            *FIELD(&ev->u, f->has_offset, bool) = true;
    }
    return 1;
}

static uint64_t cjson_decode_pass(uint64_t h, int validate)
{
    for (int i = 0; i < NEV; i++) {
        ugw_event ev;
        cJSON *root = cJSON_ParseWithLength((const char *)g_json[i].p, g_json[i].n);
        if (!root)
            fail_event("cJSON_ParseWithLength", i, "NULL");
        if (!cjson_extract(root, &ev))
            fail_event("cJSON extraction", i, "missing field or wrong type");
        if (validate && ugw_event_validate(&ev, NULL) != UGW_OK)
            fail_event("cJSON extraction + ugw_event_validate", i, "invalid");
        h = digest_event(h, &ev);
        cJSON_Delete(root);
    }
    return h;
}

static uint64_t pass_cjson_decode(uint64_t h)
{
    return cjson_decode_pass(h, 0);
}

static uint64_t pass_cjson_decode_validate(uint64_t h)
{
    return cjson_decode_pass(h, 1);
}

/* ---- jansson ---- */

static char *jansson_dump_event(const ugw_event *ev)
{
    const ugw_event_desc *ed = ugw_event_describe(ev->type);
    json_t *root = json_object(), *pl = json_object();
    char *out = NULL;
    if (!root || !pl || !ed) {
        json_decref(pl);
        goto done;
    }
    if (json_object_set_new(root, "event", json_stringn(ed->wire, ed->wire_len)))
        goto done;
    if (json_object_set_new(root, "payload", pl)) /* steals pl, also on error */
        goto done;
    for (int k = 0; k < ed->nfields; k++) {
        const ugw_field_desc *f = &ed->fields[k];
        json_t *v = NULL;
        if (!present(f, &ev->u))
            continue;
        switch ((ugw_type)f->type) {
        case UGW_TYPE_STRING:
        case UGW_TYPE_URL: {
            const ugw_str *s = CFIELD(&ev->u, f->offset, ugw_str);
            v = json_stringn(s->ptr, s->len);
            break;
        }
        case UGW_TYPE_ID:
            v = json_integer((json_int_t)*CFIELD(&ev->u, f->offset, uint64_t));
            break;
        case UGW_TYPE_INT:
            v = json_integer((json_int_t)*CFIELD(&ev->u, f->offset, int64_t));
            break;
        case UGW_TYPE_BOOL:
            v = json_boolean(*CFIELD(&ev->u, f->offset, bool));
            break;
        }
        if (json_object_set_new(pl, f->name, v))
            goto done;
    }
    out = json_dumps(root, JSON_COMPACT);
done:
    json_decref(root);
    return out;
}

static uint64_t pass_jansson_encode(uint64_t h)
{
    for (int i = 0; i < NEV; i++) {
        char *s = jansson_dump_event(&ugw_fixtures[i]);
        if (!s)
            fail_event("jansson build/json_dumps", i, "NULL");
        h = digest_bytes(h, (const unsigned char *)s, strlen(s));
        free(s);
    }
    return h;
}

static int jansson_extract(json_t *root, ugw_event *ev)
{
    json_t *e = json_object_get(root, "event"), *pl;
    const ugw_event_desc *ed;
    memset(ev, 0, sizeof *ev);
    if (!json_is_string(e))
        return 0;
    ev->type = ugw_event_from_wire(json_string_value(e), json_string_length(e));
    if (!(ed = ugw_event_describe(ev->type)))
        return 0;
    pl = json_object_get(root, "payload");
    if (!json_is_object(pl))
        return 0;
    for (int k = 0; k < ed->nfields; k++) {
        const ugw_field_desc *f = &ed->fields[k];
        json_t *v = json_object_get(pl, f->name);
        json_int_t n;
        if (!v) {
            if (f->required)
                return 0;
            continue;
        }
        switch ((ugw_type)f->type) {
        case UGW_TYPE_STRING:
        case UGW_TYPE_URL:
            if (!json_is_string(v))
                return 0;
            FIELD(&ev->u, f->offset, ugw_str)->ptr = json_string_value(v);
            FIELD(&ev->u, f->offset, ugw_str)->len = json_string_length(v);
            break;
        case UGW_TYPE_ID:
            if (!json_is_integer(v) || (n = json_integer_value(v)) < 0 || (uint64_t)n > UGW_ID_MAX)
                return 0;
            *FIELD(&ev->u, f->offset, uint64_t) = (uint64_t)n;
            break;
        case UGW_TYPE_INT:
            if (!json_is_integer(v) || (n = json_integer_value(v)) < f->min || n > f->max)
                return 0;
            *FIELD(&ev->u, f->offset, int64_t) = n;
            break;
        case UGW_TYPE_BOOL:
            if (!json_is_boolean(v))
                return 0;
            *FIELD(&ev->u, f->offset, bool) = json_is_true(v);
            break;
        }
        if (f->has_offset != UGW_NO_HAS)
            *FIELD(&ev->u, f->has_offset, bool) = true;
    }
    return 1;
}

static uint64_t pass_jansson_decode(uint64_t h)
{
    for (int i = 0; i < NEV; i++) {
        ugw_event ev;
        json_error_t jerr;
        json_t *root = json_loadb((const char *)g_json[i].p, g_json[i].n, 0, &jerr);
        if (!root)
            fail_event("json_loadb", i, jerr.text);
        if (!jansson_extract(root, &ev))
            fail_event("jansson extraction", i, "missing field or wrong type");
        h = digest_event(h, &ev);
        json_decref(root);
    }
    return h;
}

/* ---- msgpack-c ---- */

static int pack_str(msgpack_packer *pk, const char *s, size_t n)
{
    return msgpack_pack_str(pk, n) || msgpack_pack_str_body(pk, s, n);
}

/* Packs the event with msgpack-c's generic packer into `sb` (initialised by
 * the caller). Returns 0 on success. */
static int sbuffer_pack_event(msgpack_sbuffer *sb, const ugw_event *ev)
{
    const ugw_event_desc *ed = ugw_event_describe(ev->type);
    msgpack_packer pk;
    uint32_t count = 0;
    if (!ed)
        return -1;
    msgpack_packer_init(&pk, sb, msgpack_sbuffer_write);
    for (int k = 0; k < ed->nfields; k++)
        count += present(&ed->fields[k], &ev->u) ? 1u : 0u;
    if (msgpack_pack_map(&pk, 2) || pack_str(&pk, "event", 5) || pack_str(&pk, ed->wire, ed->wire_len)
        || pack_str(&pk, "payload", 7) || msgpack_pack_map(&pk, count))
        return -1;
    for (int k = 0; k < ed->nfields; k++) {
        const ugw_field_desc *f = &ed->fields[k];
        int rc = 0;
        if (!present(f, &ev->u))
            continue;
        if (pack_str(&pk, f->name, f->name_len))
            return -1;
        switch ((ugw_type)f->type) {
        case UGW_TYPE_STRING:
        case UGW_TYPE_URL: {
            const ugw_str *s = CFIELD(&ev->u, f->offset, ugw_str);
            rc = pack_str(&pk, s->ptr, s->len);
            break;
        }
        case UGW_TYPE_ID:
            rc = msgpack_pack_uint64(&pk, *CFIELD(&ev->u, f->offset, uint64_t));
            break;
        case UGW_TYPE_INT:
            rc = msgpack_pack_int64(&pk, *CFIELD(&ev->u, f->offset, int64_t));
            break;
        case UGW_TYPE_BOOL:
            rc = *CFIELD(&ev->u, f->offset, bool) ? msgpack_pack_true(&pk) : msgpack_pack_false(&pk);
            break;
        }
        if (rc)
            return -1;
    }
    return 0;
}

static uint64_t pass_sbuffer_encode(uint64_t h)
{
    for (int i = 0; i < NEV; i++) {
        msgpack_sbuffer sb;
        msgpack_sbuffer_init(&sb);
        if (sbuffer_pack_event(&sb, &ugw_fixtures[i]))
            fail_event("msgpack_sbuffer packing", i, "error");
        h = digest_bytes(h, (const unsigned char *)sb.data, sb.size);
        msgpack_sbuffer_destroy(&sb);
    }
    return h;
}

static uint64_t pass_unpack_next(uint64_t h)
{
    for (int i = 0; i < NEV; i++) {
        msgpack_unpacked u;
        size_t off = 0;
        msgpack_unpacked_init(&u);
        if (msgpack_unpack_next(&u, (const char *)g_mp[i].p, g_mp[i].n, &off) != MSGPACK_UNPACK_SUCCESS)
            fail_event("msgpack_unpack_next", i, "not success");
        h = mix(h, (uint64_t)u.data.type << 32 | u.data.via.map.size);
        h = mix(h, off);
        msgpack_unpacked_destroy(&u);
    }
    return h;
}

static uint64_t pass_unpack_zone(uint64_t h)
{
    for (int i = 0; i < NEV; i++) {
        msgpack_object obj;
        size_t off = 0;
        msgpack_zone_clear(&g_zone);
        if (msgpack_unpack((const char *)g_mp[i].p, g_mp[i].n, &off, &g_zone, &obj) != MSGPACK_UNPACK_SUCCESS)
            fail_event("msgpack_unpack", i, "not success");
        h = mix(h, (uint64_t)obj.type << 32 | obj.via.map.size);
        h = mix(h, off);
    }
    return h;
}

/* ------------------------------------------------------------------ */
/* Sanity: everyone produces and reads the same data                    */
/* ------------------------------------------------------------------ */

static int same(const void *a, size_t an, const void *b, size_t bn)
{
    return an == bn && memcmp(a, b, an) == 0;
}

static void sanity(int verbose)
{
    int cj_same = 0, ja_same = 0, sb_same = 0;
    for (int i = 0; i < NEV; i++) {
        const ugw_event *fx = &ugw_fixtures[i];
        const ugw_event_desc *ed = ugw_event_describe(fx->type);
        ugw_event ev;
        ugw_error err;
        size_t n = 0;
        char *s;
        msgpack_sbuffer sb;

        if (!ed || (int)fx->type != i + 1)
            fail_event("fixture table", i, "type out of order");
        /* cJSON gets the strings without a copy: they must end in NUL. */
        for (int k = 0; k < ed->nfields; k++) {
            const ugw_field_desc *f = &ed->fields[k];
            if ((f->type == UGW_TYPE_STRING || f->type == UGW_TYPE_URL) && present(f, &fx->u)) {
                const ugw_str *v = CFIELD(&fx->u, f->offset, ugw_str);
                if (!v->ptr || v->ptr[v->len] != '\0' || memchr(v->ptr, 0, v->len))
                    fail_event("fixture strings", i, "not NUL-terminated C strings");
            }
        }
        if (ugw_encode_json(fx, g_out, sizeof g_out, &n, &err) || !same(g_out, n, g_json[i].p, g_json[i].n))
            fail_event("ugw_encode_json", i, "output differs from the fixture file");
        if (ugw_encode_msgpack(fx, g_out, sizeof g_out, &n, &err) || !same(g_out, n, g_mp[i].p, g_mp[i].n))
            fail_event("ugw_encode_msgpack", i, "output differs from the fixture file");
        if (ugw_decode_json(g_dec, g_json[i].p, g_json[i].n, &ev, &err))
            fail_event("ugw_decode_json", i, err.message);
        if (ugw_encode_json(&ev, g_out, sizeof g_out, &n, &err) || !same(g_out, n, g_json[i].p, g_json[i].n))
            fail_event("ugw_decode_json", i, "decoded event re-encodes differently");
        if (ugw_decode_msgpack(g_dec, g_mp[i].p, g_mp[i].n, &ev, &err))
            fail_event("ugw_decode_msgpack", i, err.message);
        if (ugw_encode_msgpack(&ev, g_out, sizeof g_out, &n, &err) || !same(g_out, n, g_mp[i].p, g_mp[i].n))
            fail_event("ugw_decode_msgpack", i, "decoded event re-encodes differently");

        /* The anchors: same bytes out, same event back. */
        if (!(s = cjson_print_event(fx)))
            fail_event("cJSON build/print", i, "NULL");
        cj_same += same(s, strlen(s), g_json[i].p, g_json[i].n);
        cJSON_free(s);
        if (!(s = jansson_dump_event(fx)))
            fail_event("jansson build/json_dumps", i, "NULL");
        ja_same += same(s, strlen(s), g_json[i].p, g_json[i].n);
        free(s);
        msgpack_sbuffer_init(&sb);
        if (sbuffer_pack_event(&sb, fx))
            fail_event("msgpack_sbuffer packing", i, "error");
        sb_same += same(sb.data, sb.size, g_mp[i].p, g_mp[i].n);
        msgpack_sbuffer_destroy(&sb);
        {
            cJSON *root = cJSON_ParseWithLength((const char *)g_json[i].p, g_json[i].n);
            if (!root || !cjson_extract(root, &ev) || ugw_encode_json(&ev, g_out, sizeof g_out, &n, NULL)
                || !same(g_out, n, g_json[i].p, g_json[i].n))
                fail_event("cJSON parse + extraction", i, "does not give back the fixture");
            cJSON_Delete(root);
        }
        {
            json_error_t jerr;
            json_t *root = json_loadb((const char *)g_json[i].p, g_json[i].n, 0, &jerr);
            if (!root || !jansson_extract(root, &ev) || ugw_encode_json(&ev, g_out, sizeof g_out, &n, NULL)
                || !same(g_out, n, g_json[i].p, g_json[i].n))
                fail_event("jansson parse + extraction", i, "does not give back the fixture");
            json_decref(root);
        }
    }
    if (verbose)
        printf("same bytes as ours: cJSON %d/%d, jansson %d/%d, msgpack_sbuffer %d/%d; "
               "all anchors' extraction gives back every fixture\n",
               cj_same, NEV, ja_same, NEV, sb_same, NEV);
}

/* ------------------------------------------------------------------ */
/* Allocation check                                                     */
/* ------------------------------------------------------------------ */

typedef uint64_t (*pass_fn)(uint64_t h);

static uint64_t g_sum = UINT64_C(0xcbf29ce484222325); /* checksum of everything */

/* Allocations per event of `fn` over `passes` passes after one warm-up pass. */
static double allocs_per_event(pass_fn fn, int passes)
{
    unsigned long long a0;
    g_sum = fn(g_sum);
    a0 = g_allocs;
    for (int p = 0; p < passes; p++)
        g_sum = fn(g_sum);
    return (double)(g_allocs - a0) / ((double)passes * NEV);
}

static const struct {
    const char *name;
    pass_fn fn;
} g_ours[] = {
    { "json encode", pass_ours_json_encode },
    { "json decode", pass_ours_json_decode },
    { "msgpack encode", pass_ours_mp_encode },
    { "msgpack decode", pass_ours_mp_decode },
};

/* Prints the allocation line; returns the number of paths that allocate. */
static int alloc_report(void)
{
    int bad = 0;
    const int passes = 1000;
    printf("allocations per event (%d x %d events after warm-up, malloc/calloc/realloc "
           "interposed in the executable, shared libraries included):\n  ours",
           passes, NEV);
    for (size_t k = 0; k < sizeof g_ours / sizeof g_ours[0]; k++) {
        double a = allocs_per_event(g_ours[k].fn, passes);
        printf("%s %s %g", k ? "," : "", g_ours[k].name, a);
        bad += a != 0;
    }
    printf("\n");
    return bad;
}

/* ------------------------------------------------------------------ */
/* Timing                                                               */
/* ------------------------------------------------------------------ */

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

#define MAX_REPEATS 101

typedef struct meas {
    const char *key;   /* for --only */
    const char *label;
    int json;          /* MB/s of the JSON (1) or MessagePack (0) documents; 2: none */
    pass_fn fn;
    int off;           /* left out by --only */
    long passes;       /* per batch, from calibration */
    double ns[MAX_REPEATS];
    double med, lo, hi, mbps, allocs;
} meas;

enum {
    M_OURS_JE, M_OURS_JD, M_OURS_ME, M_OURS_MD,
    M_CJ_E, M_CJ_D, M_CJ_DV, M_JA_E, M_JA_D,
    M_SB_E, M_UN_NEXT, M_UN_ZONE, M_VALIDATE, M_JSMN, M__COUNT
};

static meas g_m[M__COUNT] = {
    [M_OURS_JE] = { "ours-json-encode", "ours     JSON encode (ugw_encode_json, caller buffer)", 1, pass_ours_json_encode, 0, 0, {0}, 0, 0, 0, 0, 0 },
    [M_OURS_JD] = { "ours-json-decode", "ours     JSON decode (ugw_decode_json, reused decoder)", 1, pass_ours_json_decode, 0, 0, {0}, 0, 0, 0, 0, 0 },
    [M_OURS_ME] = { "ours-msgpack-encode", "ours     MessagePack encode (ugw_encode_msgpack)", 0, pass_ours_mp_encode, 0, 0, {0}, 0, 0, 0, 0, 0 },
    [M_OURS_MD] = { "ours-msgpack-decode", "ours     MessagePack decode (ugw_decode_msgpack)", 0, pass_ours_mp_decode, 0, 0, {0}, 0, 0, 0, 0, 0 },
    [M_CJ_E] = { "cjson-encode", "cJSON    build + PrintUnformatted + free", 1, pass_cjson_encode, 0, 0, {0}, 0, 0, 0, 0, 0 },
    [M_CJ_D] = { "cjson-decode", "cJSON    ParseWithLength + extract + Delete", 1, pass_cjson_decode, 0, 0, {0}, 0, 0, 0, 0, 0 },
    [M_CJ_DV] = { "cjson-decode-validate", "cJSON    ... + ugw_event_validate (info)", 1, pass_cjson_decode_validate, 0, 0, {0}, 0, 0, 0, 0, 0 },
    [M_JA_E] = { "jansson-encode", "jansson  build + json_dumps(COMPACT) + free", 1, pass_jansson_encode, 0, 0, {0}, 0, 0, 0, 0, 0 },
    [M_JA_D] = { "jansson-decode", "jansson  json_loadb + extract + decref", 1, pass_jansson_decode, 0, 0, {0}, 0, 0, 0, 0, 0 },
    [M_SB_E] = { "msgpack-sbuffer-encode", "msgpackc sbuffer + packer, per event", 0, pass_sbuffer_encode, 0, 0, {0}, 0, 0, 0, 0, 0 },
    [M_UN_NEXT] = { "msgpack-unpack-next", "msgpackc msgpack_unpack_next (unpacked per event)", 0, pass_unpack_next, 0, 0, {0}, 0, 0, 0, 0, 0 },
    [M_VALIDATE] = { "ours-validate", "floor    ugw_event_validate alone (in every encode)", 2, pass_ours_validate, 0, 0, {0}, 0, 0, 0, 0, 0 },
    [M_JSMN] = { "jsmn-parse", "floor    jsmn_parse alone (under our JSON decode)", 1, pass_jsmn_only, 0, 0, {0}, 0, 0, 0, 0, 0 },
    [M_UN_ZONE] = { "msgpack-unpack-zone", "msgpackc msgpack_unpack, one reused zone", 0, pass_unpack_zone, 0, 0, {0}, 0, 0, 0, 0, 0 },
};

/* Passes per batch so that a batch lasts about `batch_ns`. */
static long calibrate(pass_fn fn, double batch_ns)
{
    long passes = 1;
    for (;;) {
        double t0 = now_ns(), dt;
        for (long p = 0; p < passes; p++)
            g_sum = fn(g_sum);
        dt = now_ns() - t0;
        if (dt >= batch_ns / 8 || passes > (1L << 30)) {
            double want = (double)passes * batch_ns / (dt > 1 ? dt : 1);
            return want < 1 ? 1 : (long)want;
        }
        passes *= 2;
    }
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void run_all(int repeats, double batch_ms)
{
    double batch_ns = batch_ms * 1e6;
    unsigned long long a0[M__COUNT] = { 0 }, acc[M__COUNT] = { 0 };
    for (int m = 0; m < M__COUNT; m++) {
        if (g_m[m].off)
            continue;
        /* warm-up: caches, branch predictors, allocator free lists */
        for (int p = 0; p < 200; p++)
            g_sum = g_m[m].fn(g_sum);
        g_m[m].passes = calibrate(g_m[m].fn, batch_ns);
    }
    /* Interleave the batches so that drift (frequency, neighbours on a
     * shared machine) touches every measurement alike. */
    for (int r = 0; r < repeats; r++) {
        for (int m = 0; m < M__COUNT; m++) {
            meas *x = &g_m[m];
            double t0, t1;
            if (x->off)
                continue;
            a0[m] = g_allocs;
            t0 = now_ns();
            for (long p = 0; p < x->passes; p++)
                g_sum = x->fn(g_sum);
            t1 = now_ns();
            acc[m] += g_allocs - a0[m];
            x->ns[r] = (t1 - t0) / ((double)x->passes * NEV);
        }
    }
    for (int m = 0; m < M__COUNT; m++) {
        meas *x = &g_m[m];
        double sorted[MAX_REPEATS];
        double bytes_per_event;
        if (x->off)
            continue;
        bytes_per_event = (double)(x->json == 1 ? g_json_bytes : x->json == 0 ? g_mp_bytes : 0) / NEV;
        memcpy(sorted, x->ns, sizeof(double) * (size_t)repeats);
        qsort(sorted, (size_t)repeats, sizeof(double), cmp_double);
        x->med = repeats % 2 ? sorted[repeats / 2] : (sorted[repeats / 2 - 1] + sorted[repeats / 2]) / 2;
        x->lo = sorted[0];
        x->hi = sorted[repeats - 1];
        x->mbps = bytes_per_event / x->med * 1e3; /* bytes/ns = GB/s; x1000 = MB/s */
        x->allocs = (double)acc[m] / ((double)x->passes * NEV * repeats);
    }
}

/* ------------------------------------------------------------------ */
/* Report                                                               */
/* ------------------------------------------------------------------ */

/* Prints num/den against a target; returns 1 when a counted target is missed. */
static int ratio_line(const char *what, const char *how, int num, int den, int at_least, double target, int counts)
{
    char t[16];
    double r;
    int pass;
    snprintf(t, sizeof t, "%gx", target);
    if (g_m[num].off || g_m[den].off) {
        printf("  %-19s %-38s %8s   target %s %-5s  not measured\n", what, how, "-", at_least ? ">=" : "<=", t);
        return 0;
    }
    r = g_m[num].med / g_m[den].med;
    pass = at_least ? r >= target : r <= target;
    printf("  %-19s %-38s %7.2fx   target %s %-5s  %s%s\n", what, how, r, at_least ? ">=" : "<=", t,
           pass ? "PASS" : "MISS", counts ? "" : " (info)");
    return counts && !pass;
}

/* --only KEY[,KEY...]: keeps the named measurements; 0 on an unknown key. */
static int select_only(const char *list)
{
    int keep[M__COUNT] = { 0 };
    const char *p = list;
    while (*p) {
        size_t n = strcspn(p, ",");
        int found = 0;
        for (int m = 0; m < M__COUNT; m++)
            if (strlen(g_m[m].key) == n && !memcmp(g_m[m].key, p, n))
                keep[m] = found = 1;
        if (!found)
            return 0;
        p += n;
        if (*p == ',')
            p++;
    }
    for (int m = 0; m < M__COUNT; m++)
        g_m[m].off = !keep[m];
    return 1;
}

static void cleanup(void)
{
    ugw_decoder_free(g_dec);
    g_dec = NULL;
    msgpack_zone_destroy(&g_zone);
    for (int i = 0; i < NEV; i++) {
        free(g_json[i].p);
        free(g_mp[i].p);
        g_json[i].p = g_mp[i].p = NULL;
    }
}

static void usage(FILE *to)
{
    fprintf(to,
            "usage: bench_codec [--repeats N] [--batch-ms MS] [--fixtures DIR] [--only KEYS] [--check]\n"
            "       bench_codec --alloc-check [--fixtures DIR]\n"
            "  --repeats N     timed batches per measurement, median reported (default 15)\n"
            "  --batch-ms MS   length of one batch in milliseconds (default 30)\n"
            "  --fixtures DIR  the fixtures folder (default %s)\n"
            "  --only KEYS     run only these measurements (comma-separated), e.g. for a profiler:\n",
            UGW_FIXTURES_DIR);
    for (int m = 0; m < M__COUNT; m++)
        fprintf(to, "                  %s\n", g_m[m].key);
    fprintf(to,
            "  --check         exit 1 when a target is missed (a target not measured is not missed)\n"
            "  --alloc-check   only check that our encode/decode paths allocate nothing\n"
            "                  per event; exit 1 when one does, 77 when counting is unavailable\n");
}

int main(int argc, char **argv)
{
    const char *dir = UGW_FIXTURES_DIR;
    int repeats = 15, check = 0, alloc_check = 0, missed = 0;
    double batch_ms = 30;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--check")) {
            check = 1;
        } else if (!strcmp(a, "--alloc-check")) {
            alloc_check = 1;
        } else if (!strcmp(a, "--repeats") && i + 1 < argc) {
            repeats = atoi(argv[++i]);
            if (repeats < 1 || repeats > MAX_REPEATS) {
                fprintf(stderr, "bench_codec: --repeats must be 1..%d\n", MAX_REPEATS);
                return 2;
            }
        } else if (!strcmp(a, "--batch-ms") && i + 1 < argc) {
            batch_ms = atof(argv[++i]);
            if (!(batch_ms > 0 && batch_ms <= 10000)) {
                fprintf(stderr, "bench_codec: --batch-ms must be in (0, 10000]\n");
                return 2;
            }
        } else if (!strcmp(a, "--only") && i + 1 < argc) {
            if (!select_only(argv[++i])) {
                fprintf(stderr, "bench_codec: --only: unknown measurement in '%s'\n", argv[i]);
                usage(stderr);
                return 2;
            }
        } else if (!strcmp(a, "--fixtures") && i + 1 < argc) {
            dir = argv[++i];
        } else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            return 0;
        } else {
            usage(stderr);
            return 2;
        }
    }

    load_fixtures(dir);
    if (!(g_dec = ugw_decoder_new(NULL)))
        die("ugw_decoder_new failed", NULL);
    if (!msgpack_zone_init(&g_zone, MSGPACK_ZONE_CHUNK_SIZE))
        die("msgpack_zone_init failed", NULL);

    if (alloc_check) {
        int bad;
        sanity(0);
        if (!BENCH_COUNT_ALLOCS) {
            printf("bench_codec --alloc-check: allocation counting needs glibc and no sanitizer; skipped\n");
            cleanup();
            return 77;
        }
        bad = alloc_report();
        printf("%s\n", bad ? "FAIL: a per-event path allocates" : "OK: no allocation per event");
        printf("checksum %016llx\n", (unsigned long long)g_sum);
        cleanup();
        return bad ? 1 : 0;
    }

    printf("ugw codec benchmark: %d fixtures; JSON %.1f bytes/event, MessagePack %.1f bytes/event\n",
           NEV, (double)g_json_bytes / NEV, (double)g_mp_bytes / NEV);
#if defined(__clang__)
    printf("compiler: clang %s", __clang_version__);
#elif defined(__GNUC__)
    printf("compiler: gcc %s", __VERSION__);
#else
    printf("compiler: unknown");
#endif
    printf(", build type %s (%s)%s; cJSON %s, jansson %s, msgpack-c %s\n", UGW_BUILD_TYPE, UGW_BENCH_CFLAGS,
#if defined(BENCH_ASAN)
           " (sanitizer build: figures are meaningless)",
#elif defined(__OPTIMIZE__)
           "",
#else
           " (NOT OPTIMISED: figures are meaningless)",
#endif
           cJSON_Version(), JANSSON_VERSION, msgpack_version());
    printf("method: %d interleaved repeats of a ~%g ms batch per measurement; median ns/event; "
           "CLOCK_MONOTONIC\n", repeats, batch_ms);
    sanity(1);
    if (BENCH_COUNT_ALLOCS)
        alloc_report();
    else
        printf("allocations per event: not counted (needs glibc and no sanitizer)\n");
    fflush(stdout);

    run_all(repeats, batch_ms);

    printf("\n%-54s %9s %21s %9s %8s\n", "measurement", "ns/event", "(min..max)", "MB/s", "allocs/ev");
    for (int m = 0; m < M__COUNT; m++) {
        const meas *x = &g_m[m];
        char range[48];
        if (x->off)
            continue;
        snprintf(range, sizeof range, "(%.1f..%.1f)", x->lo, x->hi);
        if (x->json == 2)
            printf("%-54s %9.1f %21s %9s ", x->label, x->med, range, "-");
        else
            printf("%-54s %9.1f %21s %9.1f ", x->label, x->med, range, x->mbps);
        if (BENCH_COUNT_ALLOCS)
            printf("%8.2f\n", x->allocs);
        else
            printf("%8s\n", "-");
    }

    printf("\nratios (median over median, this run):\n");
    missed += ratio_line("JSON encode", "cJSON build+print / ours", M_CJ_E, M_OURS_JE, 1, 20, 1);
    missed += ratio_line("JSON decode", "cJSON parse+extract / ours", M_CJ_D, M_OURS_JD, 1, 4, 1);
    missed += ratio_line("MessagePack encode", "msgpack_sbuffer packing / ours", M_SB_E, M_OURS_ME, 1, 2, 1);
    missed += ratio_line("MessagePack decode", "ours / msgpack_unpack_next", M_OURS_MD, M_UN_NEXT, 0, 1.2, 1);
    ratio_line("MessagePack decode", "ours / msgpack_unpack (reused zone)", M_OURS_MD, M_UN_ZONE, 0, 1.2, 0);
    ratio_line("JSON decode", "cJSON parse+extract+validate / ours", M_CJ_DV, M_OURS_JD, 1, 4, 0);
    ratio_line("JSON encode", "jansson build+dump / ours", M_JA_E, M_OURS_JE, 1, 20, 0);
    ratio_line("JSON decode", "jansson load+extract / ours", M_JA_D, M_OURS_JD, 1, 4, 0);
    printf("targets missed: %d of 4\n", missed);
    printf("checksum %016llx\n", (unsigned long long)g_sum);

    cleanup();
    return check && missed ? 1 : 0;
}
