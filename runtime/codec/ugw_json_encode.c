/*
 * ugw_json_encode.c - the JSON encoder: exact size, bound and writer.
 *
 * The decoder is in ugw_json_decode.c; both share ugw_internal.h. Objects
 * and arrays recurse through the same per-value functions as the payload;
 * the encoder runs on validated structs only, so item counts are within
 * their arrays.
 */
#include <string.h>

#include "ugw_internal.h"

/* ------------------------------------------------------------------ */
/* Encoder                                                               */
/* ------------------------------------------------------------------ */

static size_t fields_size(const ugw_field_desc *fields, uint32_t n, const void *base);
static char *fields_write(const ugw_field_desc *fields, uint32_t n, const void *base, char *p);

/* Objects and arrays, out of line so that the scalar cases inline into the
 * field loops; they recurse through fields_size() / value_size(). */
static size_t compound_size(const ugw_field_desc *f, const void *base);
static char *compound_write(const ugw_field_desc *f, const void *base, char *p);

/* Exact length of the value of `f` in the struct at `base` (f->offset is
 * from `base`); UGW__SIZE_OVERFLOW when it does not fit in size_t. */
UGW__HOT_INLINE size_t scalar_size(const ugw_field_desc *f, const void *base)
{
    char tmp[24];
    if (ugw__is_null(f, base))
        return 4;
    switch ((ugw_type)f->type) {
    case UGW_TYPE_STRING:
    case UGW_TYPE_URL:
    case UGW_TYPE_ENUM: {
        ugw_str s = f->type == UGW_TYPE_ENUM ? ugw__enum_text(f, base) : *UGW__CAT(base, f->offset, ugw_str);
        size_t v = ugw_json_escaped_len(s.ptr, s.len);
        if (v == SIZE_MAX || !ugw__size_add(&v, 2))
            return UGW__SIZE_OVERFLOW;
        return v;
    }
    case UGW_TYPE_NUMBER: {
        char d[UGW_DOUBLE_MAX_LEN];
        return ugw_fmt_double(d, *UGW__CAT(base, f->offset, double));
    }
    case UGW_TYPE_TIMESTAMP:
        return UGW_TIMESTAMP_LEN + 2;
    case UGW_TYPE_ID:
        return ugw_fmt_u64(tmp, *UGW__CAT(base, f->offset, uint64_t));
    case UGW_TYPE_INT:
        return ugw_fmt_i64(tmp, *UGW__CAT(base, f->offset, int64_t));
    case UGW_TYPE_BOOL:
        return *UGW__CAT(base, f->offset, bool) ? 4 : 5;
    case UGW_TYPE_OBJECT:
    case UGW_TYPE_ARRAY:
        break; /* compound_size() */
    }
    return 0;
}

/* Any value: scalars inline, objects and arrays out of line. */
UGW__HOT_INLINE size_t value_size(const ugw_field_desc *f, const void *base)
{
    return ugw__compound(f) && !ugw__is_null(f, base) ? compound_size(f, base) : scalar_size(f, base);
}

/* Exact length of the members of a struct, without the braces. */
UGW__HOT_INLINE size_t fields_size(const ugw_field_desc *fields, uint32_t n, const void *base)
{
    size_t total = 0;
    bool first = true;
    for (uint32_t i = 0; i < n; i++) {
        const ugw_field_desc *f = &fields[i];
        size_t v;
        if (!ugw__present(f, base))
            continue;
        v = value_size(f, base);
        if (v == UGW__SIZE_OVERFLOW || !ugw__size_add(&total, (size_t)f->json_key_len + !first)
            || !ugw__size_add(&total, v) || total == UGW__SIZE_OVERFLOW)
            return UGW__SIZE_OVERFLOW;
        first = false;
    }
    return total;
}

/* Exact length of the encoding of a valid payload; UGW__SIZE_OVERFLOW when it
 * does not fit in size_t. */
size_t ugw__json_encoded_size(const ugw_event_desc *ed, const void *payload)
{
    size_t n = fields_size(ed->fields, ed->nfields, payload);
    if (n == UGW__SIZE_OVERFLOW || !ugw__size_add(&n, (size_t)ed->json_head_len + 2)
        || n == UGW__SIZE_OVERFLOW)
        return UGW__SIZE_OVERFLOW;
    return n;
}

/* Types whose JSON is at most 32 bytes (an integer, a literal, a number, a
 * quoted timestamp). */
static bool short_scalar(const ugw_field_desc *f)
{
    return f->type == UGW_TYPE_ID || f->type == UGW_TYPE_INT || f->type == UGW_TYPE_BOOL
           || f->type == UGW_TYPE_NUMBER || f->type == UGW_TYPE_TIMESTAMP;
}

/* A bound of a scalar that is a string on the wire (string, url, enum); 0
 * when too long for the quick bound. */
static size_t string_bound(const ugw_field_desc *f, const void *base)
{
    size_t len = f->type == UGW_TYPE_ENUM ? ugw__enum_text(f, base).len : UGW__CAT(base, f->offset, ugw_str)->len;
    return len > (SIZE_MAX >> 3) ? 0 : 2 + 6 * len;
}

static bool stringy(const ugw_field_desc *f)
{
    return f->type == UGW_TYPE_STRING || f->type == UGW_TYPE_URL || f->type == UGW_TYPE_ENUM;
}

/* A bound of a nested value (object or array) that costs no pass over its
 * strings, checked at every step; 0 when it would pass SIZE_MAX / 2. */
static size_t nested_bound(const ugw_field_desc *f, const void *base)
{
    size_t n = 2;
    if (f->type == UGW_TYPE_OBJECT) {
        const ugw_object_desc *o = f->object;
        const void *at = (const char *)base + f->offset;
        for (uint32_t i = 0; i < o->nfields; i++) {
            const ugw_field_desc *g = &o->fields[i];
            size_t v = 32;
            if (!ugw__present(g, at))
                continue;
            if (ugw__is_null(g, at)) {
                v = 4;
            } else if (stringy(g)) {
                if (!(v = string_bound(g, at)))
                    return 0;
            } else if (ugw__compound(g)) {
                if (!(v = nested_bound(g, at)))
                    return 0;
            } else if (!short_scalar(g)) {
                return 0; /* a type without a bound here: the exact pass tells */
            }
            if (!ugw__size_add(&n, (size_t)g->json_key_len + 1) || !ugw__size_add(&n, v))
                return 0;
        }
    } else {
        uint32_t count = ugw__count(f, base);
        const ugw_field_desc *it = f->item;
        for (uint32_t i = 0; i < count; i++) {
            const void *slot = ugw__slot(f, base, i);
            size_t v = 32;
            if (stringy(it)) {
                if (!(v = string_bound(it, slot)))
                    return 0;
            } else if (ugw__compound(it)) {
                if (!(v = nested_bound(it, slot)))
                    return 0;
            } else if (!short_scalar(it)) {
                return 0;
            }
            if (!ugw__size_add(&n, v + 1))
                return 0;
        }
    }
    return n > SIZE_MAX / 2 ? 0 : n;
}

/* An upper bound that costs no pass over the strings: 6 output bytes per
 * input byte at worst (\u00XX). Absent fields count nothing (their values
 * may be stale); 0 when the bound does not fit in size_t. The scalar fields
 * stay below SIZE_MAX / 2 without checks (see below), nested values are
 * summed with checks up to SIZE_MAX / 2: the total cannot wrap. */
size_t ugw__json_bound(const ugw_event_desc *ed, const void *payload)
{
    size_t n = (size_t)ed->json_head_len + 2, nested = 0;
    for (int i = 0; i < ed->nfields; i++) {
        const ugw_field_desc *f = &ed->fields[i];
        if (!ugw__present(f, payload))
            continue;
        /* 32 bytes hold a number, a timestamp, an integer or a literal */
        n += (size_t)f->json_key_len + 1 + 32; /* nfields <= 65535: cannot wrap */
        if (ugw__is_null(f, payload))
            continue;
        if (f->type == UGW_TYPE_STRING || f->type == UGW_TYPE_URL || f->type == UGW_TYPE_ENUM) {
            size_t len = f->type == UGW_TYPE_ENUM ? ugw__enum_text(f, payload).len
                                                  : UGW__CAT(payload, f->offset, ugw_str)->len;
            /* At most 65535 fields of 2 + 6 * (SIZE_MAX >> 20) bytes and their
             * keys stay below 3/8 of SIZE_MAX; a longer string (over 16 TiB, or
             * 4 KiB with a 32-bit size_t) takes the exact sizing pass. */
            if (len > (SIZE_MAX >> 20))
                return 0;
            n += 2 + 6 * len;
        } else if (ugw__compound(f)) {
            size_t v = nested_bound(f, payload);
            if (!v || !ugw__size_add(&nested, v) || nested > SIZE_MAX / 2)
                return 0;
        }
    }
    return n + nested;
}

UGW__HOT_INLINE char *scalar_write(const ugw_field_desc *f, const void *base, char *p)
{
    if (ugw__is_null(f, base)) {
        memcpy(p, "null", 4);
        return p + 4;
    }
    switch ((ugw_type)f->type) {
    case UGW_TYPE_STRING:
    case UGW_TYPE_URL:
    case UGW_TYPE_ENUM: {
        ugw_str s = f->type == UGW_TYPE_ENUM ? ugw__enum_text(f, base) : *UGW__CAT(base, f->offset, ugw_str);
        *p++ = '"';
        p += ugw_json_escape(p, s.ptr, s.len);
        *p++ = '"';
        break;
    }
    case UGW_TYPE_NUMBER: {
        char d[UGW_DOUBLE_MAX_LEN];
        size_t k = ugw_fmt_double(d, *UGW__CAT(base, f->offset, double));
        memcpy(p, d, k);
        p += k;
        break;
    }
    case UGW_TYPE_TIMESTAMP:
        /* its NUL lands where the closing quote goes */
        *p++ = '"';
        p += ugw_timestamp_format(p, *UGW__CAT(base, f->offset, int64_t));
        *p++ = '"';
        break;
    case UGW_TYPE_ID:
        p += ugw_fmt_u64(p, *UGW__CAT(base, f->offset, uint64_t));
        break;
    case UGW_TYPE_INT:
        p += ugw_fmt_i64(p, *UGW__CAT(base, f->offset, int64_t));
        break;
    case UGW_TYPE_BOOL:
        if (*UGW__CAT(base, f->offset, bool)) {
            memcpy(p, "true", 4);
            p += 4;
        } else {
            memcpy(p, "false", 5);
            p += 5;
        }
        break;
    case UGW_TYPE_OBJECT:
    case UGW_TYPE_ARRAY:
        break; /* compound_write() */
    }
    return p;
}

UGW__HOT_INLINE char *value_write(const ugw_field_desc *f, const void *base, char *p)
{
    return ugw__compound(f) && !ugw__is_null(f, base) ? compound_write(f, base, p) : scalar_write(f, base, p);
}

UGW__HOT_INLINE char *fields_write(const ugw_field_desc *fields, uint32_t n, const void *base, char *p)
{
    bool first = true;
    for (uint32_t i = 0; i < n; i++) {
        const ugw_field_desc *f = &fields[i];
        if (!ugw__present(f, base))
            continue;
        if (!first)
            *p++ = ',';
        first = false;
        memcpy(p, f->json_key, f->json_key_len);
        p += f->json_key_len;
        p = value_write(f, base, p);
    }
    return p;
}

size_t ugw__json_write(const ugw_event_desc *ed, const void *payload, char *out)
{
    char *p = out;
    memcpy(p, ed->json_head, ed->json_head_len);
    p += ed->json_head_len;
    p = fields_write(ed->fields, ed->nfields, payload, p);
    *p++ = '}';
    *p++ = '}';
    return (size_t)(p - out);
}

static size_t compound_size(const ugw_field_desc *f, const void *base)
{
    if (f->type == UGW_TYPE_OBJECT) {
        size_t v = fields_size(f->object->fields, f->object->nfields, (const char *)base + f->offset);
        return v == UGW__SIZE_OVERFLOW || !ugw__size_add(&v, 2) ? UGW__SIZE_OVERFLOW : v;
    }
    {
        uint32_t count = ugw__count(f, base);
        size_t v = 2;
        for (uint32_t i = 0; i < count; i++) {
            size_t one = value_size(f->item, ugw__slot(f, base, i));
            if (one == UGW__SIZE_OVERFLOW || !ugw__size_add(&v, one) || !ugw__size_add(&v, i != 0))
                return UGW__SIZE_OVERFLOW;
        }
        return v;
    }
}

static char *compound_write(const ugw_field_desc *f, const void *base, char *p)
{
    if (f->type == UGW_TYPE_OBJECT) {
        *p++ = '{';
        p = fields_write(f->object->fields, f->object->nfields, (const char *)base + f->offset, p);
        *p++ = '}';
        return p;
    }
    {
        uint32_t count = ugw__count(f, base);
        *p++ = '[';
        for (uint32_t i = 0; i < count; i++) {
            if (i)
                *p++ = ',';
            p = value_write(f->item, ugw__slot(f, base, i), p);
        }
        *p++ = ']';
        return p;
    }
}

/*
 * Validation and writing in one walk, for the common case: no nullable
 * field, only the types below, strings that are their own JSON string body
 * (plain ASCII without '"' or '\\'), and room to spare. False when anything
 * else is met (out[0..cap) then holds scraps): the caller validates and
 * encodes the exact way, which finds the first error, escapes and sizes as
 * before. A field that passes here passes validation, so the first error of
 * the exact way is the first error of the event.
 */
bool ugw__json_encode_fast(const ugw_event_desc *ed, const void *payload, char *out, size_t cap,
                           size_t *out_len)
{
    const ugw_field_desc *f = ed->fields, *const end = f + ed->nfields;
    char *p = out;
    const char *lim;
    bool first = true;
    if (cap < (size_t)ed->json_head_len + 2)
        return false;
    memcpy(p, ed->json_head, ed->json_head_len);
    p += ed->json_head_len;
    lim = out + cap - 2; /* the closing braces kept */
    for (; f < end; f++) {
        const size_t room = (size_t)(lim - p);
        const size_t need = (size_t)f->json_key_len + !first; /* at most 256: sums cannot wrap */
        if (f->has_offset != UGW_NO_HAS && !*UGW__CAT(payload, f->has_offset, bool))
            continue;
        if (f->nullable)
            return false;
        switch ((ugw_type)f->type) {
        case UGW_TYPE_STRING:
        case UGW_TYPE_URL: {
            const ugw_str *s = UGW__CAT(payload, f->offset, ugw_str);
            size_t n = s->len;
            if (!s->ptr || !ugw__string_fast(f, s->ptr, n, true) || room < need + 2
                || room - need - 2 < n)
                return false;
            if (!first)
                *p++ = ',';
            memcpy(p, f->json_key, f->json_key_len);
            p += f->json_key_len;
            *p++ = '"';
            memcpy(p, s->ptr, n);
            p += n;
            *p++ = '"';
            break;
        }
        case UGW_TYPE_ID:
        case UGW_TYPE_INT: {
            const bool id = f->type == UGW_TYPE_ID;
            uint64_t u = *UGW__CAT(payload, f->offset, uint64_t);
            int64_t v = *UGW__CAT(payload, f->offset, int64_t);
            size_t k;
            if (!(id ? ugw__id_fast(f, u) : ugw__int_fast(f, v)) || room < need + 20)
                return false;
            if (!first)
                *p++ = ',';
            memcpy(p, f->json_key, f->json_key_len);
            p += f->json_key_len;
            k = id ? ugw_fmt_u64(p, u) : ugw_fmt_i64(p, v);
            p += k;
            break;
        }
        case UGW_TYPE_BOOL: {
            unsigned char b;
            memcpy(&b, (const char *)payload + f->offset, 1);
            if (b > 1 || room < need + 5)
                return false;
            if (!first)
                *p++ = ',';
            memcpy(p, f->json_key, f->json_key_len);
            p += f->json_key_len;
            memcpy(p, b ? "true" : "false", 5); /* within room: 5 was checked */
            p += 5 - b;
            break;
        }
        default:
            return false;
        }
        first = false;
    }
    *p++ = '}';
    *p++ = '}';
    *out_len = (size_t)(p - out);
    return true;
}

size_t ugw__json_members_size(const ugw_field_desc *fields, uint32_t n, const void *base)
{
    return fields_size(fields, n, base);
}

char *ugw__json_members_write(const ugw_field_desc *fields, uint32_t n, const void *base, char *p)
{
    return fields_write(fields, n, base, p);
}
