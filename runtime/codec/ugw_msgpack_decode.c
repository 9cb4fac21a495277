/*
 * ugw_msgpack_decode.c - the MessagePack decoder.
 *
 * Decoding is in two steps: msgpack-c's unpacker builds the object tree in
 * the decoder's memory, bounded by max_tokens and max_depth
 * (ugw_msgpack_unpack.c), then one walk over the tree extracts and checks
 * the fields. The encoder is in ugw_msgpack_encode.c.
 */
#include <string.h>

#include "ugw_internal.h"

/* ------------------------------------------------------------------ */
/* Decoder, step 2: extraction                                          */
/* ------------------------------------------------------------------ */

typedef struct mctx {
    const char *in;
    size_t len;
    ugw_decoder *dec;
    ugw_error *err;
    /* Positions that cost a pass over the bytes (array items) are found
     * only when this is set: on the second walk after an input error. */
    bool exact;
} mctx;

/* Offset of the value of map entry `kv`: right after its string key. */
/* msgpack-c leaves ptr NULL for an empty str: no position can be derived
 * from it, so the callers fall back to the enclosing map's. */
static inline size_t value_pos(const mctx *c, const msgpack_object_kv *kv, size_t fallback)
{
    if (kv->key.type == MSGPACK_OBJECT_STR && kv->key.via.str.ptr)
        return (size_t)(kv->key.via.str.ptr - c->in) + kv->key.via.str.size;
    return fallback;
}

static inline size_t key_pos(const mctx *c, const msgpack_object_kv *kv, size_t fallback)
{
    if (kv->key.type == MSGPACK_OBJECT_STR && kv->key.via.str.ptr) {
        /* a short key may still have a long header (str8/16/32): read it */
        const unsigned char *d = (const unsigned char *)kv->key.via.str.ptr;
        uint32_t n = kv->key.via.str.size;
        size_t at = (size_t)(kv->key.via.str.ptr - c->in), h;
        if (n < 32 && at >= 1 && d[-1] == (0xa0 | n))
            h = 1;
        else if (n < 256 && at >= 2 && d[-2] == 0xd9)
            h = 2;
        else if (n < 65536 && at >= 3 && d[-3] == 0xda)
            h = 3;
        else
            h = 5;
        return at >= h ? at - h : fallback;
    }
    return fallback;
}

/* Checks a value that is not a field: str is UTF-8, maps have no duplicate
 * keys. Depth was bounded by the unpacker. */
static ugw_status check_any(mctx *c, const msgpack_object *o, size_t pos, const char *path)
{
    switch (o->type) {
    case MSGPACK_OBJECT_STR: {
        size_t n = o->via.str.size, bad;
        if (n == 0)
            return UGW_OK;
        bad = ugw_utf8_check(o->via.str.ptr, n);
        if (bad != n)
            return ugw_error_set(c->err, UGW_ERR_UTF8, "invalid UTF-8", (size_t)(o->via.str.ptr - c->in) + bad, path);
        return UGW_OK;
    }
    case MSGPACK_OBJECT_ARRAY:
        for (uint32_t i = 0; i < o->via.array.size; i++) {
            ugw_status st = check_any(c, &o->via.array.ptr[i], pos, path);
            if (st)
                return st;
        }
        return UGW_OK;
    case MSGPACK_OBJECT_MAP:
        for (uint32_t i = 0; i < o->via.map.size; i++) {
            const msgpack_object_kv *kv = &o->via.map.ptr[i];
            ugw_status st;
            for (uint32_t j = 0; j < i; j++)
                if (msgpack_object_equal(o->via.map.ptr[j].key, kv->key))
                    return ugw_error_set(c->err, UGW_ERR_DUPLICATE_KEY, "duplicate key", key_pos(c, kv, pos), path);
            if ((st = check_any(c, &kv->key, pos, path)) || (st = check_any(c, &kv->val, pos, path)))
                return st;
        }
        return UGW_OK;
    default:
        return UGW_OK;
    }
}

UGW__HOT_INLINE ugw_status field_value(mctx *c, const ugw_field_desc *f, void *payload,
                              const msgpack_object *v, size_t pos)
{
    ugw_status st;
    if (UGW__UNLIKELY(f->nullable) && v->type == MSGPACK_OBJECT_NIL) {
        ugw__set_null(f, payload);
        return UGW_OK;
    }
    switch ((ugw_type)f->type) {
    case UGW_TYPE_STRING:
    case UGW_TYPE_URL: {
        ugw_str s;
        if (v->type != MSGPACK_OBJECT_STR)
            return ugw_error_set(c->err, UGW_ERR_TYPE, "expected a string", pos, f->path);
        s.ptr = v->via.str.size ? v->via.str.ptr : "";
        s.len = v->via.str.size;
        if ((st = ugw__check_string(f, s.ptr, s.len, pos, s.len != 0,
                                    s.len ? (size_t)(s.ptr - c->in) : 0, c->err)))
            return st;
        *UGW__AT(payload, f->offset, ugw_str) = s;
        return UGW_OK;
    }
    case UGW_TYPE_ID:
    case UGW_TYPE_INT: {
        bool neg = false;
        uint64_t mag;
        if (v->type == MSGPACK_OBJECT_POSITIVE_INTEGER) {
            mag = v->via.u64;
        } else if (v->type == MSGPACK_OBJECT_NEGATIVE_INTEGER) {
            neg = true;
            mag = (uint64_t)-(v->via.i64 + 1) + 1;
        } else if (v->type == MSGPACK_OBJECT_STR && f->type == UGW_TYPE_ID) {
            if ((st = ugw__id_from_digits(f, v->via.str.ptr, v->via.str.size, pos, &mag, c->err)))
                return st;
        } else {
            return ugw_error_set(c->err, UGW_ERR_TYPE, "expected an integer", pos, f->path);
        }
        if ((st = ugw__check_int(f, neg, mag, pos, c->err)))
            return st;
        ugw__store_int(f, payload, neg, mag);
        return UGW_OK;
    }
    case UGW_TYPE_BOOL:
        if (v->type != MSGPACK_OBJECT_BOOLEAN)
            return ugw_error_set(c->err, UGW_ERR_TYPE, "expected true or false", pos, f->path);
        *UGW__AT(payload, f->offset, bool) = v->via.boolean;
        return UGW_OK;
    case UGW_TYPE_ENUM:
    case UGW_TYPE_TIMESTAMP: {
        const char *p;
        size_t n;
        if (v->type != MSGPACK_OBJECT_STR)
            return ugw_error_set(c->err, UGW_ERR_TYPE, "expected a string", pos, f->path);
        n = v->via.str.size;
        p = n ? v->via.str.ptr : "";
        return f->type == UGW_TYPE_ENUM
                   ? ugw__enum_decode(f, payload, p, n, pos, n != 0, n ? (size_t)(p - c->in) : 0, f->path, c->err)
                   : ugw__timestamp_decode(f, payload, p, n, pos, n != 0, n ? (size_t)(p - c->in) : 0, f->path,
                                           c->err);
    }
    case UGW_TYPE_NUMBER:
        if (v->type == MSGPACK_OBJECT_FLOAT32 || v->type == MSGPACK_OBJECT_FLOAT64)
            return ugw__number_store(f, payload, v->via.f64, pos, f->path, c->err);
        if (v->type == MSGPACK_OBJECT_POSITIVE_INTEGER || v->type == MSGPACK_OBJECT_NEGATIVE_INTEGER) {
            /* only integers a double holds exactly */
            bool neg = v->type == MSGPACK_OBJECT_NEGATIVE_INTEGER;
            uint64_t mag = neg ? (uint64_t)-(v->via.i64 + 1) + 1 : v->via.u64;
            int bits = 64;
            while (bits > 0 && !(mag >> (bits - 1)))
                bits--;
            if (bits > 53 && (mag & ((UINT64_C(1) << (bits - 53)) - 1)) != 0)
                return ugw_error_set(c->err, UGW_ERR_RANGE, "integer not exactly a double", pos, f->path);
            return ugw__number_store(f, payload, neg ? -(double)mag : (double)mag, pos, f->path, c->err);
        }
        return ugw_error_set(c->err, UGW_ERR_TYPE, "expected a number", pos, f->path);
    case UGW_TYPE_OBJECT:
    case UGW_TYPE_ARRAY:
        break; /* compound_value() */
    }
    return ugw_error_set(c->err, UGW_ERR_ARG, "descriptor has an unknown field type", pos, f->path);
}

/* An unknown key of a map whose other keys are in `map[0..i)`. */
static ugw_status unknown_member(mctx *c, const msgpack_object_map *map, uint32_t i,
                                 const char *prefix, size_t map_pos)
{
    const msgpack_object_kv *kv = &map->ptr[i];
    char pbuf[UGW_PATH_MAX];
    const char *path = ugw__path_join(pbuf, prefix, kv->key.via.str.ptr, kv->key.via.str.size);
    size_t kp = key_pos(c, kv, map_pos);
    if (c->dec->opts.strict)
        return ugw_error_set(c->err, UGW_ERR_UNKNOWN_KEY, "unknown key (strict mode)", kp, path);
    for (uint32_t j = 0; j < i; j++) {
        const msgpack_object *k = &map->ptr[j].key;
        if (k->via.str.size == kv->key.via.str.size
            && (k->via.str.size == 0 || memcmp(k->via.str.ptr, kv->key.via.str.ptr, k->via.str.size) == 0))
            return ugw_error_set(c->err, UGW_ERR_DUPLICATE_KEY, "duplicate key", kp, path);
    }
    {
        size_t n = kv->key.via.str.size, bad = n ? ugw_utf8_check(kv->key.via.str.ptr, n) : 0;
        if (bad != n)
            return ugw_error_set(c->err, UGW_ERR_UTF8, "invalid UTF-8 in key", (size_t)(kv->key.via.str.ptr - c->in) + bad, path);
    }
    return check_any(c, &kv->val, value_pos(c, kv, map_pos), path);
}

static ugw_status compound_value(mctx *c, const ugw_field_desc *f, void *base,
                                 const msgpack_object *v, size_t pos);

/* The members of map `mo` (at `pos`) into the struct at `base`; unknown
 * keys' paths start with `prefix` ("payload", or NULL in an object). */
UGW__HOT_INLINE ugw_status decode_members(mctx *c, const ugw_field_desc *fields, uint32_t n,
                                 const char *prefix, const msgpack_object *mo, size_t pos,
                                 void *base)
{
    const msgpack_object_map *map = &mo->via.map;
    uint64_t seen = 0;
    uint32_t hint = 0;
    for (uint32_t i = 0; i < map->size; i++) {
        const msgpack_object_kv *kv = &map->ptr[i];
        const ugw_field_desc *f;
        int fi;
        ugw_status st;
        if (kv->key.type != MSGPACK_OBJECT_STR)
            return ugw_error_set(c->err, UGW_ERR_TYPE, "map key is not a string", pos, prefix ? prefix : "");
        fi = ugw__field_index_hint(fields, n, kv->key.via.str.ptr, kv->key.via.str.size, hint);
        if (fi < 0) {
            if ((st = unknown_member(c, map, i, prefix, pos)))
                return st;
            continue;
        }
        f = &fields[fi];
        hint = (uint32_t)fi + 1;
        if (seen & ((uint64_t)1 << fi))
            return ugw_error_set(c->err, UGW_ERR_DUPLICATE_KEY, "duplicate key", key_pos(c, kv, pos), f->path);
        seen |= (uint64_t)1 << fi;
        st = ugw__compound(f) ? compound_value(c, f, base, &kv->val, value_pos(c, kv, pos))
                              : field_value(c, f, base, &kv->val, value_pos(c, kv, pos));
        if (st)
            return st;
        ugw__mark_present(f, base);
    }
    return ugw__check_required(fields, n, seen, pos, c->err);
}

/* An object or array field `f` of the struct at `base`, value `v` at `pos`.
 * Errors inside are found with paths relative to the value and completed here. */
static ugw_status compound_value(mctx *c, const ugw_field_desc *f, void *base,
                                 const msgpack_object *v, size_t pos)
{
    ugw_status st;
    if (f->nullable && v->type == MSGPACK_OBJECT_NIL) {
        ugw__set_null(f, base);
        return UGW_OK;
    }
    if (f->type == UGW_TYPE_OBJECT) {
        if (v->type != MSGPACK_OBJECT_MAP)
            return ugw_error_set(c->err, UGW_ERR_TYPE, "expected a map", pos, f->path);
        /* keys that are no strings are the object's fault: found first,
         * named by the object's own path */
        for (uint32_t i = 0; i < v->via.map.size; i++)
            if (v->via.map.ptr[i].key.type != MSGPACK_OBJECT_STR)
                return ugw_error_set(c->err, UGW_ERR_TYPE, "map key is not a string", pos, f->path);
        st = decode_members(c, f->object->fields, f->object->nfields, NULL, v, pos,
                            (char *)base + f->offset);
        ugw__path_prepend(c->err, f->path);
        return st;
    }
    if (v->type != MSGPACK_OBJECT_ARRAY)
        return ugw_error_set(c->err, UGW_ERR_TYPE, "expected an array", pos, f->path);
    if ((st = ugw__check_count(f, v->via.array.size, pos, c->err)))
        return st;
    {
        const unsigned char *in = (const unsigned char *)c->in;
        size_t ipos = pos + (v->via.array.size < 16 ? 1 : v->via.array.size < 65536 ? 3 : 5);
        /* the header's real width: a short array may have a long header */
        if (pos < c->len && (in[pos] == 0xdc || in[pos] == 0xdd))
            ipos = pos + (in[pos] == 0xdc ? 3 : 5);
        else if (pos < c->len && in[pos] >= 0x90 && in[pos] <= 0x9f)
            ipos = pos + 1;
        for (uint32_t i = 0; i < v->via.array.size; i++) {
            const msgpack_object *o = &v->via.array.ptr[i];
            void *slot = (char *)base + f->offset + (size_t)i * f->item_size;
            st = ugw__compound(f->item) ? compound_value(c, f->item, slot, o, ipos)
                                        : field_value(c, f->item, slot, o, ipos);
            if (st) {
                ugw__path_item(c->err, i);
                ugw__path_prepend(c->err, f->path);
                return st;
            }
            if (UGW__UNLIKELY(c->exact))
                ipos = ugw__msgpack_skip(in, c->len, ipos, 0);
        }
        *UGW__AT(base, f->aux_offset, uint32_t) = v->via.array.size;
        return UGW_OK;
    }
}

static ugw_status decode_payload(mctx *c, const ugw_event_desc *ed,
                                 const msgpack_object *po, size_t ppos, void *payload,
                                 const char *payload_key)
{
    return decode_members(c, ed->fields, ed->nfields, payload_key, po, ppos, payload);
}

/* Member i of the document map when it is no envelope key: an envelope
 * field (into c->dec->env, `*seen` its bit set) or an unknown key. */
static ugw_status root_other(mctx *c, const ugw_envelope_desc *env, const msgpack_object_map *map,
                             uint32_t i, uint64_t *seen)
{
    const msgpack_object_kv *kv = &map->ptr[i];
    int fi = env->nfields ? ugw__field_index(env->fields, env->nfields, kv->key.via.str.ptr,
                                             kv->key.via.str.size)
                          : -1;
    const ugw_field_desc *f;
    ugw_status st;
    if (fi < 0)
        return unknown_member(c, map, i, "", 0);
    f = &env->fields[fi];
    if (*seen & ((uint64_t)1 << fi))
        return ugw_error_set(c->err, UGW_ERR_DUPLICATE_KEY, "duplicate key", key_pos(c, kv, 0), f->path);
    *seen |= (uint64_t)1 << fi;
    st = ugw__compound(f) ? compound_value(c, f, c->dec->env, &kv->val, value_pos(c, kv, 0))
                          : field_value(c, f, c->dec->env, &kv->val, value_pos(c, kv, 0));
    if (!st)
        ugw__mark_present(f, c->dec->env);
    return st;
}

/*
 * msgpack-c's unpacker gives an empty str a NULL pointer, or a stale one
 * into an earlier header: harmless for the checks (the size is 0) but wrong
 * for error positions. Walking the tree and the bytes together sets every str
 * and bin pointer to its real place. The tree came from the whole input and
 * is at most 32 deep, so this reads nothing past the input and recurses at
 * most 32 deep.
 */
static size_t fix_ptrs(msgpack_object *o, const unsigned char *p, size_t pos)
{
    unsigned char b = p[pos++];
    size_t n = 0;
    if (b >= 0xa0 && b <= 0xbf) {
        n = b & 0x1f;
    } else if (b == 0xd9 || b == 0xc4) {
        n = (size_t)ugw__rd_be(p + pos, 1);
        pos += 1;
    } else if (b == 0xda || b == 0xc5) {
        n = (size_t)ugw__rd_be(p + pos, 2);
        pos += 2;
    } else if (b == 0xdb || b == 0xc6) {
        n = (size_t)ugw__rd_be(p + pos, 4);
        pos += 4;
    } else if ((b >= 0x80 && b <= 0x8f) || b == 0xde || b == 0xdf) {
        pos += b == 0xde ? 2 : b == 0xdf ? 4 : 0;
        for (uint32_t i = 0; i < o->via.map.size; i++) {
            pos = fix_ptrs(&o->via.map.ptr[i].key, p, pos);
            pos = fix_ptrs(&o->via.map.ptr[i].val, p, pos);
        }
        return pos;
    } else if ((b >= 0x90 && b <= 0x9f) || b == 0xdc || b == 0xdd) {
        pos += b == 0xdc ? 2 : b == 0xdd ? 4 : 0;
        for (uint32_t i = 0; i < o->via.array.size; i++)
            pos = fix_ptrs(&o->via.array.ptr[i], p, pos);
        return pos;
    } else {
        switch (b) {
        case 0xcc: case 0xd0: return pos + 1;
        case 0xcd: case 0xd1: return pos + 2;
        case 0xce: case 0xd2: case 0xca: return pos + 4;
        case 0xcf: case 0xd3: case 0xcb: return pos + 8;
        case 0xd4: return pos + 2;
        case 0xd5: return pos + 3;
        case 0xd6: return pos + 5;
        case 0xd7: return pos + 9;
        case 0xd8: return pos + 17;
        case 0xc7: return pos + 2 + (size_t)ugw__rd_be(p + pos, 1);
        case 0xc8: return pos + 3 + (size_t)ugw__rd_be(p + pos, 2);
        case 0xc9: return pos + 5 + (size_t)ugw__rd_be(p + pos, 4);
        default: return pos; /* fixint, nil, bool */
        }
    }
    if (o->type == MSGPACK_OBJECT_STR)
        o->via.str.ptr = (const char *)p + pos;
    else if (o->type == MSGPACK_OBJECT_BIN)
        o->via.bin.ptr = (const char *)p + pos;
    return pos + n;
}

/* Step 3 on the unpacked tree: the document's keys, the event, the payload. */
static ugw_status extract(const ugw_schema *s, mctx *c, const msgpack_object *rootp,
                          int *type, void *payload, size_t payload_cap)
{
    const msgpack_object root = *rootp;
    const msgpack_object *ev = NULL, *po = NULL;
    const ugw_envelope_desc *env = ugw__envelope(s);
    uint64_t env_seen = 0;
    size_t ev_pos = 0, po_pos = 0;
    ugw_error *err = c->err;
    ugw_status st;
    int evt;

    if (root.type != MSGPACK_OBJECT_MAP)
        return ugw_error_set(err, UGW_ERR_TYPE, "document is not a map", 0, NULL);
    for (uint32_t i = 0; i < root.via.map.size; i++) {
        const msgpack_object_kv *kv = &root.via.map.ptr[i];
        const msgpack_object **slot = NULL;
        size_t *slot_pos = NULL;
        if (kv->key.type != MSGPACK_OBJECT_STR)
            return ugw_error_set(err, UGW_ERR_TYPE, "map key is not a string", 0, NULL);
        int which = ugw__root_key(env, kv->key.via.str.ptr, kv->key.via.str.size);
        if (which == 1) {
            slot = &ev;
            slot_pos = &ev_pos;
        } else if (which == 2) {
            slot = &po;
            slot_pos = &po_pos;
        }
        if (!slot) {
            if ((st = root_other(c, env, &root.via.map, i, &env_seen)))
                return st;
            continue;
        }
        if (*slot)
            return ugw_error_set(err, UGW_ERR_DUPLICATE_KEY, "duplicate key", key_pos(c, kv, 0), slot == &ev ? env->event_key : env->payload_key);
        *slot = &kv->val;
        *slot_pos = value_pos(c, kv, 0);
    }
    if (!ev)
        return ugw_error_set(err, UGW_ERR_MISSING, "required field is missing", 0, env->event_key);
    if (ev->type != MSGPACK_OBJECT_STR)
        return ugw_error_set(err, UGW_ERR_TYPE, "expected a string", ev_pos, env->event_key);
    evt = ugw_schema_event_lookup(s, ev->via.str.ptr, ev->via.str.size);
    if (!evt)
        return ugw_error_set(err, UGW_ERR_UNKNOWN_EVENT, "unknown event", ev_pos, env->event_key);
    if (!po)
        return ugw_error_set(err, UGW_ERR_MISSING, "required field is missing", 0, env->payload_key);
    if (po->type != MSGPACK_OBJECT_MAP)
        return ugw_error_set(err, UGW_ERR_TYPE, "expected a map", po_pos, env->payload_key);
    if (env->nfields && (st = ugw__check_required(env->fields, env->nfields, env_seen, 0, err)))
        return st;
    if (s->events[evt - 1].size > payload_cap)
        return ugw_error_set(err, UGW_ERR_ARG, "payload buffer too small", 0, NULL);
    if ((st = decode_payload(c, &s->events[evt - 1], po, po_pos, payload, env->payload_key)))
        return st;
    *type = evt;
    return UGW_OK;
}

ugw_status ugw__msgpack_decode(const ugw_schema *s, ugw_decoder *dec,
                               const char *in, size_t len, int *type,
                               void *payload, size_t payload_cap,
                               ugw_error *err)
{
    msgpack_object root;
    mctx c;
    ugw_status st;

    if ((st = ugw__msgpack_unpack(in, len, dec->nodes, dec->node_cap, dec->opts.max_depth,
                                  dec->opts.max_tokens, &root, err)))
        return st;
    c.in = in;
    c.len = len;
    c.dec = dec;
    c.err = err;
    c.exact = false;
    st = extract(s, &c, &root, type, payload, payload_cap);
    if (st && st <= UGW_ERR_UNKNOWN_KEY) {
        /* An input error: find it again with every string pointer and array
         * item position exact, so that its position is too (the same error
         * comes first again). */
        fix_ptrs(&root, (const unsigned char *)in, 0);
        c.exact = true;
        ugw_error_clear(err);
        memset(payload, 0, payload_cap);
        st = extract(s, &c, &root, type, payload, payload_cap);
    }
    return st;
}
