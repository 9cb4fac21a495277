/*
 * bench_extract.c - the checks that the MessagePack decode anchors make as
 * ugw makes them (types, string lengths, UTF-8, NUL, URL form, integer
 * ranges, required fields, duplicate keys), and msgpack-c's
 * msgpack_unpack_next + extraction with those checks; see bench_codec.c.
 *
 * The UTF-8 and URL rules are ugw's public ugw_utf8_check() and
 * ugw_url_check(), so a ratio against these anchors compares parsing and
 * extraction, not two implementations of the same rule.
 */
#include "bench_codec.h"

int anchor_field(const ugw_event_desc *ed, const char *k, size_t n)
{
    for (int i = 0; i < ed->nfields && i < 64; i++) /* 64: the bits of `seen` */
        if (ed->fields[i].name_len == n && ed->fields[i].name[0] == k[0] && memcmp(ed->fields[i].name, k, n) == 0)
            return i;
    return -1;
}

int anchor_str_ok(const ugw_field_desc *f, const char *p, size_t n)
{
    if ((int64_t)n < f->min || (uint64_t)n > (uint64_t)f->max)
        return 0;
    if (ugw_utf8_check(p, n) != n || (n && memchr(p, 0, n)))
        return 0;
    return f->type != UGW_TYPE_URL || ugw_url_check(p, n);
}

int anchor_int_ok(const ugw_field_desc *f, int64_t v)
{
    return v >= f->min && v <= f->max;
}

int anchor_required_ok(const ugw_event_desc *ed, uint64_t seen)
{
    for (int i = 0; i < ed->nfields; i++)
        if (ed->fields[i].required && (i >= 64 || !(seen & (UINT64_C(1) << i))))
            return 0;
    return 1;
}

void anchor_mark(const ugw_field_desc *f, ugw_event *ev)
{
    if (f->has_offset != UGW_NO_HAS)
        *FIELD(&ev->u, f->has_offset, bool) = true;
}

/* ---- msgpack-c: msgpack_unpack_next, then extraction from its tree ---- */

static int is_key(const msgpack_object *o, const char *k, size_t n)
{
    return o->via.str.size == n && memcmp(o->via.str.ptr, k, n) == 0;
}

/* One payload value of field `f` into `ev`; 0 when it breaks a rule. */
static int unpacked_value(const ugw_field_desc *f, const msgpack_object *v, ugw_event *ev)
{
    switch ((ugw_type)f->type) {
    case UGW_TYPE_STRING:
    case UGW_TYPE_URL:
        if (v->type != MSGPACK_OBJECT_STR || !anchor_str_ok(f, v->via.str.ptr, v->via.str.size))
            return 0;
        FIELD(&ev->u, f->offset, ugw_str)->ptr = v->via.str.ptr;
        FIELD(&ev->u, f->offset, ugw_str)->len = v->via.str.size;
        return 1;
    case UGW_TYPE_ID:
        if (v->type != MSGPACK_OBJECT_POSITIVE_INTEGER || v->via.u64 > (uint64_t)f->max)
            return 0;
        *FIELD(&ev->u, f->offset, uint64_t) = v->via.u64;
        return 1;
    case UGW_TYPE_INT:
        if (v->type == MSGPACK_OBJECT_POSITIVE_INTEGER) {
            if (v->via.u64 > (uint64_t)INT64_MAX || !anchor_int_ok(f, (int64_t)v->via.u64))
                return 0;
            *FIELD(&ev->u, f->offset, int64_t) = (int64_t)v->via.u64;
        } else if (v->type == MSGPACK_OBJECT_NEGATIVE_INTEGER) {
            if (!anchor_int_ok(f, v->via.i64))
                return 0;
            *FIELD(&ev->u, f->offset, int64_t) = v->via.i64;
        } else {
            return 0;
        }
        return 1;
    case UGW_TYPE_BOOL:
        if (v->type != MSGPACK_OBJECT_BOOLEAN)
            return 0;
        *FIELD(&ev->u, f->offset, bool) = v->via.boolean;
        return 1;
    default: /* a type the bundled schema does not use */
        return 0;
    }
}

int unpacked_extract(const msgpack_object *root, ugw_event *ev)
{
    const msgpack_object *e = NULL, *pl = NULL;
    const ugw_event_desc *ed;
    uint64_t seen = 0;
    memset(ev, 0, sizeof *ev);
    if (root->type != MSGPACK_OBJECT_MAP)
        return 0;
    for (uint32_t i = 0; i < root->via.map.size; i++) {
        const msgpack_object_kv *kv = &root->via.map.ptr[i];
        if (kv->key.type != MSGPACK_OBJECT_STR)
            return 0;
        if (is_key(&kv->key, "event", 5)) {
            if (e || kv->val.type != MSGPACK_OBJECT_STR)
                return 0;
            e = &kv->val;
        } else if (is_key(&kv->key, "payload", 7)) {
            if (pl || kv->val.type != MSGPACK_OBJECT_MAP)
                return 0;
            pl = &kv->val;
        }
    }
    if (!e || !pl)
        return 0;
    ev->type = ugw_event_from_wire(e->via.str.ptr, e->via.str.size);
    if (!(ed = ugw_event_describe(ev->type)))
        return 0;
    for (uint32_t i = 0; i < pl->via.map.size; i++) {
        const msgpack_object_kv *kv = &pl->via.map.ptr[i];
        int k;
        if (kv->key.type != MSGPACK_OBJECT_STR)
            return 0;
        k = anchor_field(ed, kv->key.via.str.ptr, kv->key.via.str.size);
        if (k < 0)
            continue; /* unknown keys are ignored, as ugw does outside strict mode */
        if (seen & (UINT64_C(1) << k))
            return 0;
        seen |= UINT64_C(1) << k;
        if (!unpacked_value(&ed->fields[k], &kv->val, ev))
            return 0;
        anchor_mark(&ed->fields[k], ev);
    }
    return anchor_required_ok(ed, seen);
}

uint64_t pass_unpack_next_extract(uint64_t h)
{
    for (int i = 0; i < NEV; i++) {
        msgpack_unpacked u;
        ugw_event ev;
        size_t off = 0;
        msgpack_unpacked_init(&u);
        if (msgpack_unpack_next(&u, (const char *)g_mp[i].p, g_mp[i].n, &off) != MSGPACK_UNPACK_SUCCESS
            || off != g_mp[i].n)
            fail_event("msgpack_unpack_next", i, "not success");
        if (!unpacked_extract(&u.data, &ev))
            fail_event("msgpack_unpack_next extraction", i, "breaks a rule");
        h = digest_event(h, &ev);
        msgpack_unpacked_destroy(&u);
    }
    return h;
}
