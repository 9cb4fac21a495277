/*
 * fuzz_msgpack.c - libFuzzer target for ugw_decode_msgpack().
 *
 * Every input is decoded by a default, a strict, a tight and a deep decoder;
 * what decodes must re-encode in JSON and MessagePack to a fixed point, and
 * what fails must carry a well-formed error (fuzz_common.h). The default and
 * deep decoders are also checked against the small reader below, written from
 * the MessagePack specification and sharing no code with msgpack-c or the
 * runtime:
 *   - what ugw accepts, the reader reads as one map whose "event" string and
 *     payload field values are the ones ugw decoded;
 *   - what ugw rejects as syntax, truncated or trailing, the reader rejects too.
 * See README.md for how to build and run.
 */
#include "fuzz_common.h"

/* ---- an independent MessagePack reader ---- */

enum { MP_OK, MP_SYNTAX, MP_TRUNCATED, MP_TOO_DEEP };
enum { MP_NIL, MP_BOOL, MP_UINT, MP_INT, MP_FLOAT, MP_STR, MP_BIN, MP_ARRAY, MP_MAP, MP_EXT };
#define MP_MAX_DEPTH 64

typedef struct mp_item {
    int kind;
    uint64_t u;      /* MP_UINT value, MP_INT value as two's complement, or count */
    const uint8_t *data;
    size_t len;      /* bytes of str, bin or ext data */
} mp_item;

typedef struct mp_reader {
    const uint8_t *p, *end;
} mp_reader;

static int mp_be(mp_reader *r, size_t n, uint64_t *v)
{
    if ((size_t)(r->end - r->p) < n)
        return MP_TRUNCATED;
    *v = 0;
    for (size_t i = 0; i < n; i++)
        *v = *v << 8 | *r->p++;
    return MP_OK;
}

static int mp_bytes(mp_reader *r, size_t n, mp_item *it)
{
    if ((size_t)(r->end - r->p) < n)
        return MP_TRUNCATED;
    it->data = r->p;
    it->len = n;
    r->p += n;
    return MP_OK;
}

/* Reads one item's header (and the bytes of a str, bin or ext). */
static int mp_head(mp_reader *r, mp_item *it)
{
    uint64_t n = 0;
    int rc;
    uint8_t b;
    memset(it, 0, sizeof *it);
    if (r->p == r->end)
        return MP_TRUNCATED;
    b = *r->p++;
    if (b <= 0x7f) {
        it->kind = MP_UINT;
        it->u = b;
    } else if (b >= 0xe0) {
        it->kind = MP_INT;
        it->u = (uint64_t)(int64_t)(int8_t)b;
    } else if (b <= 0x8f) {
        it->kind = MP_MAP;
        it->u = b & 0x0f;
    } else if (b <= 0x9f) {
        it->kind = MP_ARRAY;
        it->u = b & 0x0f;
    } else if (b <= 0xbf) {
        it->kind = MP_STR;
        return mp_bytes(r, b & 0x1f, it);
    } else {
        switch (b) {
        case 0xc0: it->kind = MP_NIL; break;
        case 0xc2: case 0xc3: it->kind = MP_BOOL; it->u = b & 1; break;
        case 0xc4: case 0xc5: case 0xc6:
            it->kind = MP_BIN;
            if ((rc = mp_be(r, (size_t)1 << (b - 0xc4), &n)))
                return rc;
            return mp_bytes(r, (size_t)n, it);
        case 0xc7: case 0xc8: case 0xc9:
            it->kind = MP_EXT;
            if ((rc = mp_be(r, (size_t)1 << (b - 0xc7), &n)) || (rc = mp_be(r, 1, &it->u)))
                return rc;
            return mp_bytes(r, (size_t)n, it);
        case 0xca: it->kind = MP_FLOAT; return mp_be(r, 4, &it->u);
        case 0xcb: it->kind = MP_FLOAT; return mp_be(r, 8, &it->u);
        case 0xcc: case 0xcd: case 0xce: case 0xcf:
            it->kind = MP_UINT;
            return mp_be(r, (size_t)1 << (b - 0xcc), &it->u);
        case 0xd0: case 0xd1: case 0xd2: case 0xd3: {
            size_t w = (size_t)1 << (b - 0xd0);
            it->kind = MP_INT;
            if ((rc = mp_be(r, w, &n)))
                return rc;
            /* sign-extend from w bytes */
            it->u = w == 8 ? n : (n ^ ((uint64_t)1 << (8 * w - 1))) - ((uint64_t)1 << (8 * w - 1));
            return MP_OK;
        }
        case 0xd4: case 0xd5: case 0xd6: case 0xd7: case 0xd8:
            it->kind = MP_EXT;
            if ((rc = mp_be(r, 1, &it->u)))
                return rc;
            return mp_bytes(r, (size_t)1 << (b - 0xd4), it);
        case 0xd9: case 0xda: case 0xdb:
            it->kind = MP_STR;
            if ((rc = mp_be(r, (size_t)1 << (b - 0xd9), &n)))
                return rc;
            return mp_bytes(r, (size_t)n, it);
        case 0xdc: case 0xdd:
            it->kind = MP_ARRAY;
            return mp_be(r, (size_t)2 << (b - 0xdc), &it->u);
        case 0xde: case 0xdf:
            it->kind = MP_MAP;
            return mp_be(r, (size_t)2 << (b - 0xde), &it->u);
        default: /* 0xc1, never used */
            return MP_SYNTAX;
        }
    }
    return MP_OK;
}

/* Skips the children of a container item read at nesting `depth`. */
static int mp_skip_children(mp_reader *r, const mp_item *it, int depth)
{
    uint64_t n;
    if (it->kind != MP_ARRAY && it->kind != MP_MAP)
        return MP_OK;
    if (depth >= MP_MAX_DEPTH)
        return MP_TOO_DEEP;
    n = it->kind == MP_MAP ? it->u * 2 : it->u;
    for (uint64_t i = 0; i < n; i++) {
        mp_item c;
        int rc = mp_head(r, &c);
        if (rc || (rc = mp_skip_children(r, &c, depth + 1)))
            return rc;
    }
    return MP_OK;
}

/* Reads the whole input as one item: MP_OK, MP_SYNTAX (also for bytes after
 * it), MP_TRUNCATED or MP_TOO_DEEP (the reader cannot tell). */
static int mp_check_document(const uint8_t *in, size_t len)
{
    mp_reader r = { in, in + len };
    mp_item it;
    int rc = mp_head(&r, &it);
    if (rc || (rc = mp_skip_children(&r, &it, 1)))
        return rc;
    return r.p == r.end ? MP_OK : MP_SYNTAX;
}

static int mp_str_is(const mp_item *it, const char *s, size_t n)
{
    return it->kind == MP_STR && it->len == n && (n == 0 || memcmp(it->data, s, n) == 0);
}

/* Finds the value of string key `key` in the map whose header `map` was just
 * read from `r` (left positioned after the map). Exactly one must match. */
static void mp_find(const char *in_what, mp_reader *r, const mp_item *map, const char *key,
                    mp_item *val, mp_reader *val_at, int *found)
{
    *found = 0;
    for (uint64_t i = 0; i < map->u; i++) {
        mp_item k, v;
        mp_reader at;
        FUZZ_CHECK(mp_head(r, &k) == MP_OK && mp_skip_children(r, &k, 2) == MP_OK,
                   "reader: bad key in %s", in_what);
        at = *r;
        FUZZ_CHECK(mp_head(r, &v) == MP_OK, "reader: bad value in %s", in_what);
        if (mp_str_is(&k, key, strlen(key))) {
            FUZZ_CHECK(!*found, "reader: key %s appears twice in %s, ugw accepted it", key, in_what);
            *found = 1;
            *val = v;
            *val_at = at;
        }
        FUZZ_CHECK(mp_skip_children(r, &v, 2) == MP_OK, "reader: bad value in %s", in_what);
    }
}

static int field_present(const ugw_field_desc *f, const void *payload)
{
    return f->has_offset == UGW_NO_HAS || *(const bool *)((const char *)payload + f->has_offset);
}

/* The event ugw decoded from `in` is the one the reader sees there. */
static void compare_event(const uint8_t *in, size_t len, const ugw_event *ev)
{
    mp_reader r = { in, in + len }, at;
    mp_item root, item, payload_map;
    const ugw_event_desc *ed = ugw_event_describe(ev->type);
    const void *payload = &ev->u;
    int found;

    FUZZ_CHECK(mp_head(&r, &root) == MP_OK && root.kind == MP_MAP, "reader: document is not a map");
    mp_find("the document", &r, &root, "event", &item, &at, &found);
    FUZZ_CHECK(found && item.kind == MP_STR, "reader: no event string");
    FUZZ_CHECK(ugw_event_from_wire((const char *)item.data, item.len) == ev->type,
               "reader: event \"%.*s\", ugw type %d", (int)item.len, (const char *)item.data,
               (int)ev->type);
    r = (mp_reader){ in, in + len };
    mp_head(&r, &root);
    mp_find("the document", &r, &root, "payload", &item, &at, &found);
    FUZZ_CHECK(found && item.kind == MP_MAP, "reader: payload is not a map");

    for (int i = 0; i < ed->nfields; i++) {
        const ugw_field_desc *f = &ed->fields[i];
        const char *slot = (const char *)payload + f->offset;
        mp_reader pr = at;
        mp_item v;
        FUZZ_CHECK(mp_head(&pr, &payload_map) == MP_OK, "reader: payload");
        mp_find("payload", &pr, &payload_map, f->name, &v, &(mp_reader){ 0 }, &found);
        FUZZ_CHECK(field_present(f, payload) == found, "%s: ugw present %d, reader present %d",
                   f->path, field_present(f, payload), found);
        if (!found)
            continue;
        switch ((ugw_type)f->type) {
        case UGW_TYPE_STRING:
        case UGW_TYPE_URL: {
            const ugw_str *s = (const ugw_str *)(const void *)slot;
            FUZZ_CHECK(v.kind == MP_STR && v.len == s->len
                           && (s->len == 0 || memcmp(v.data, s->ptr, s->len) == 0),
                       "%s: ugw \"%.*s\", reader kind %d \"%.*s\"", f->path, (int)s->len, s->ptr,
                       v.kind, (int)v.len, (const char *)v.data);
            break;
        }
        case UGW_TYPE_ID: {
            uint64_t id = *(const uint64_t *)(const void *)slot, want = 0;
            if (v.kind == MP_UINT || (v.kind == MP_INT && (int64_t)v.u >= 0))
                want = v.u;
            else
                FUZZ_CHECK(v.kind == MP_STR && ugw_parse_u64((const char *)v.data, v.len, &want),
                           "%s: ugw %llu, reader kind %d", f->path, (unsigned long long)id, v.kind);
            FUZZ_CHECK(id == want, "%s: ugw %llu, reader %llu", f->path, (unsigned long long)id,
                       (unsigned long long)want);
            break;
        }
        case UGW_TYPE_INT: {
            int64_t n = *(const int64_t *)(const void *)slot;
            FUZZ_CHECK((v.kind == MP_UINT && v.u <= INT64_MAX && (int64_t)v.u == n)
                           || (v.kind == MP_INT && (int64_t)v.u == n),
                       "%s: ugw %lld, reader kind %d value %llu", f->path, (long long)n, v.kind,
                       (unsigned long long)v.u);
            break;
        }
        default: /* the bundled schema has no field of the later types */
            FUZZ_CHECK(false, "%s: field type %d not compared", f->path, (int)f->type);
            break;
        case UGW_TYPE_BOOL: {
            bool b = *(const bool *)(const void *)slot;
            FUZZ_CHECK(v.kind == MP_BOOL && v.u == (uint64_t)b, "%s: ugw %d, reader kind %d", f->path, (int)b,
                       v.kind);
            break;
        }
        case UGW_TYPE_OBJECT:
        case UGW_TYPE_ARRAY:
            break; /* the bundled schema has no nested fields */
        }
    }
}

static void reader_diff(const uint8_t *data, size_t size, ugw_status st, const ugw_event *ev)
{
    int rc = mp_check_document(data, size);
    if (st == UGW_OK) {
        FUZZ_CHECK(rc == MP_OK, "ugw accepts, the reader says %d", rc);
        compare_event(data, size, ev);
    } else if (st == UGW_ERR_SYNTAX || st == UGW_ERR_TRUNCATED || st == UGW_ERR_TRAILING) {
        FUZZ_CHECK(rc != MP_OK, "ugw rejects as %s, the reader reads one item", ugw_status_name(st));
    }
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_init();
    fuzz_hook = reader_diff;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_one(UGW_FORMAT_MSGPACK, data, size);
    return 0;
}
