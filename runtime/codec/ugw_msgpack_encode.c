/*
 * ugw_msgpack_encode.c - the MessagePack encoder.
 *
 * Encoding writes the bytes directly (smallest forms). The decoder is in
 * ugw_msgpack_decode.c; both share ugw_internal.h.
 */
#include <string.h>

#include "ugw_internal.h"

/* ------------------------------------------------------------------ */
/* Encoder                                                               */
/* ------------------------------------------------------------------ */

static size_t uint_size(uint64_t v)
{
    return v < 128 ? 1 : v < 256 ? 2 : v < 65536 ? 3 : v < 4294967296u ? 5 : 9;
}

static size_t int_size(int64_t v)
{
    if (v >= 0)
        return uint_size((uint64_t)v);
    return v >= -32 ? 1 : v >= INT8_MIN ? 2 : v >= INT16_MIN ? 3 : v >= INT32_MIN ? 5 : 9;
}

static size_t str_head_size(size_t n)
{
    return n < 32 ? 1 : n < 256 ? 2 : n < 65536 ? 3 : 5;
}

/* The value writers are those of generated code (ugw__mp_put_*,
 * ugw_generated_support.h). */

static unsigned present_count(const ugw_field_desc *fields, uint32_t n, const void *base)
{
    unsigned count = 0;
    for (uint32_t i = 0; i < n; i++)
        count += ugw__present(&fields[i], base);
    return count;
}

/* Map and array headers: fix, 16 or 32 bits by count. */
static size_t head_size(uint64_t count)
{
    return count < 16 ? 1 : count < 65536 ? 3 : 5;
}

static unsigned char *put_head(unsigned char *p, uint64_t count, unsigned char fix,
                               unsigned char h16)
{
    if (count < 16) {
        *p++ = (unsigned char)(fix | count);
        return p;
    }
    if (count < 65536) {
        *p++ = h16;
        return ugw__mp_be(p, count, 2);
    }
    *p++ = (unsigned char)(h16 + 1);
    return ugw__mp_be(p, count, 4);
}

UGW__HOT_INLINE size_t fields_size(const ugw_field_desc *fields, uint32_t n, const void *base);
UGW__HOT_INLINE unsigned char *fields_write(const ugw_field_desc *fields, uint32_t n, const void *base,
                                   unsigned char *p);

/* Objects and arrays, out of line so that the scalar cases inline into the
 * field loops; they recurse through fields_size() / value_size(). */
static size_t compound_size(const ugw_field_desc *f, const void *base);
static unsigned char *compound_write(const ugw_field_desc *f, const void *base, unsigned char *p);

/* Exact length of the value of `f` in the struct at `base`;
 * UGW__SIZE_OVERFLOW when it does not fit or a string is too long for a str32. */
UGW__HOT_INLINE size_t scalar_size(const ugw_field_desc *f, const void *base)
{
    if (ugw__is_null(f, base))
        return 1;
    switch ((ugw_type)f->type) {
    case UGW_TYPE_STRING:
    case UGW_TYPE_URL:
    case UGW_TYPE_ENUM: {
        size_t n = f->type == UGW_TYPE_ENUM ? ugw__enum_text(f, base).len : UGW__CAT(base, f->offset, ugw_str)->len, v;
        if ((uint64_t)n > UINT32_MAX)
            return UGW__SIZE_OVERFLOW;
        v = str_head_size(n);
        if (!ugw__size_add(&v, n))
            return UGW__SIZE_OVERFLOW;
        return v;
    }
    case UGW_TYPE_ID:
        return uint_size(*UGW__CAT(base, f->offset, uint64_t));
    case UGW_TYPE_INT:
        return int_size(*UGW__CAT(base, f->offset, int64_t));
    case UGW_TYPE_BOOL:
        return 1;
    case UGW_TYPE_NUMBER:
        return 9; /* float 64 */
    case UGW_TYPE_TIMESTAMP:
        return 1 + UGW_TIMESTAMP_LEN; /* fixstr */
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

/* Exact length of the members of a struct, keys and values, without the map header. */
UGW__HOT_INLINE size_t fields_size(const ugw_field_desc *fields, uint32_t n, const void *base)
{
    size_t need = 0;
    for (uint32_t i = 0; i < n; i++) {
        const ugw_field_desc *f = &fields[i];
        size_t v;
        if (!ugw__present(f, base))
            continue;
        v = value_size(f, base);
        if (v == UGW__SIZE_OVERFLOW || !ugw__size_add(&need, f->mp_key_len)
            || !ugw__size_add(&need, v) || need == UGW__SIZE_OVERFLOW)
            return UGW__SIZE_OVERFLOW;
    }
    return need;
}

/* Exact length of the encoding of a valid payload; UGW__SIZE_OVERFLOW when it
 * does not fit in size_t or a string is too long for a str32. */
size_t ugw__msgpack_encoded_size(const ugw_event_desc *ed, const void *payload)
{
    size_t need = fields_size(ed->fields, ed->nfields, payload);
    if (need == UGW__SIZE_OVERFLOW
        || !ugw__size_add(&need, ed->mp_head_len + (present_count(ed->fields, ed->nfields, payload) < 16 ? 1 : 3))
        || need == UGW__SIZE_OVERFLOW)
        return UGW__SIZE_OVERFLOW;
    return need;
}

UGW__HOT_INLINE unsigned char *scalar_write(const ugw_field_desc *f, const void *base, unsigned char *p)
{
    if (ugw__is_null(f, base)) {
        *p++ = 0xc0;
        return p;
    }
    switch ((ugw_type)f->type) {
    case UGW_TYPE_STRING:
    case UGW_TYPE_URL: {
        const ugw_str *s = UGW__CAT(base, f->offset, ugw_str);
        p = ugw__mp_put_str(p, s->ptr, s->len);
        break;
    }
    case UGW_TYPE_ID:
        p = ugw__mp_put_uint(p, *UGW__CAT(base, f->offset, uint64_t));
        break;
    case UGW_TYPE_INT:
        p = ugw__mp_put_int(p, *UGW__CAT(base, f->offset, int64_t));
        break;
    case UGW_TYPE_BOOL:
        *p++ = *UGW__CAT(base, f->offset, bool) ? 0xc3 : 0xc2;
        break;
    case UGW_TYPE_ENUM: {
        ugw_str s = ugw__enum_text(f, base);
        p = ugw__mp_put_str(p, s.ptr, s.len);
        break;
    }
    case UGW_TYPE_NUMBER: {
        uint64_t bits;
        memcpy(&bits, UGW__CAT(base, f->offset, double), 8);
        *p++ = 0xcb;
        p = ugw__mp_be(p, bits, 8);
        break;
    }
    case UGW_TYPE_TIMESTAMP: {
        char t[UGW_TIMESTAMP_LEN + 1];
        ugw_timestamp_format(t, *UGW__CAT(base, f->offset, int64_t));
        p = ugw__mp_put_str(p, t, UGW_TIMESTAMP_LEN);
        break;
    }
    case UGW_TYPE_OBJECT:
    case UGW_TYPE_ARRAY:
        break; /* compound_write() */
    }
    return p;
}

UGW__HOT_INLINE unsigned char *value_write(const ugw_field_desc *f, const void *base, unsigned char *p)
{
    return ugw__compound(f) && !ugw__is_null(f, base) ? compound_write(f, base, p) : scalar_write(f, base, p);
}

UGW__HOT_INLINE unsigned char *fields_write(const ugw_field_desc *fields, uint32_t n, const void *base,
                                   unsigned char *p)
{
    for (uint32_t i = 0; i < n; i++) {
        const ugw_field_desc *f = &fields[i];
        if (!ugw__present(f, base))
            continue;
        memcpy(p, f->mp_key, f->mp_key_len);
        p += f->mp_key_len;
        p = value_write(f, base, p);
    }
    return p;
}

size_t ugw__msgpack_write(const ugw_event_desc *ed, const void *payload,
                          unsigned char *out)
{
    unsigned char *p = out;
    unsigned count = present_count(ed->fields, ed->nfields, payload);
    memcpy(p, ed->mp_head, ed->mp_head_len);
    p += ed->mp_head_len;
    p = put_head(p, count, 0x80, 0xde);
    p = fields_write(ed->fields, ed->nfields, payload, p);
    return (size_t)(p - out);
}

/*
 * Validation and writing in one walk, for the common case: an event with
 * fewer than 16 fields, none nullable, of the types below, whose strings
 * take the plain path of validation, in a buffer with room to spare. False
 * when anything else is met (out[0..cap) then holds scraps): the caller
 * validates and encodes the exact way, which finds the first error and
 * every byte as before. A field that passes here passes validation, so the
 * first error of the exact way is the first error of the event.
 */
bool ugw__msgpack_encode_fast(const ugw_event_desc *ed, const void *payload, unsigned char *out,
                              size_t cap, size_t *out_len)
{
    const ugw_field_desc *f = ed->fields, *const end = f + ed->nfields;
    unsigned char *p = out, *head;
    const unsigned char *const lim = out + cap;
    unsigned count = 0;
    if (ed->nfields >= 16 || cap < (size_t)ed->mp_head_len + 1)
        return false;
    memcpy(p, ed->mp_head, ed->mp_head_len);
    p += ed->mp_head_len;
    head = p++; /* a fixmap: fewer than 16 fields */
    for (; f < end; f++) {
        const size_t room = (size_t)(lim - p), need = f->mp_key_len;
        if (f->has_offset != UGW_NO_HAS && !*UGW__CAT(payload, f->has_offset, bool))
            continue;
        if (f->nullable)
            return false;
        switch ((ugw_type)f->type) {
        case UGW_TYPE_STRING:
        case UGW_TYPE_URL: {
            const ugw_str *s = UGW__CAT(payload, f->offset, ugw_str);
            size_t n = s->len;
            /* need + 5 <= 260: cannot wrap */
            if (!s->ptr || !ugw__string_fast(f, s->ptr, n, false) || n > UINT32_MAX
                || room < need + 5 || room - need - 5 < n)
                return false;
            memcpy(p, f->mp_key, f->mp_key_len);
            p = ugw__mp_put_str(p + f->mp_key_len, s->ptr, n);
            break;
        }
        case UGW_TYPE_ID: {
            uint64_t v = *UGW__CAT(payload, f->offset, uint64_t);
            if (!ugw__id_fast(f, v) || room < need + 9)
                return false;
            memcpy(p, f->mp_key, f->mp_key_len);
            p = ugw__mp_put_uint(p + f->mp_key_len, v);
            break;
        }
        case UGW_TYPE_INT: {
            int64_t v = *UGW__CAT(payload, f->offset, int64_t);
            if (!ugw__int_fast(f, v) || room < need + 9)
                return false;
            memcpy(p, f->mp_key, f->mp_key_len);
            p = ugw__mp_put_int(p + f->mp_key_len, v);
            break;
        }
        case UGW_TYPE_BOOL: {
            unsigned char b;
            memcpy(&b, (const char *)payload + f->offset, 1);
            if (b > 1 || room < need + 1)
                return false;
            memcpy(p, f->mp_key, f->mp_key_len);
            p += f->mp_key_len;
            *p++ = b ? 0xc3 : 0xc2;
            break;
        }
        default:
            return false;
        }
        count++;
    }
    *head = (unsigned char)(0x80 | count);
    *out_len = (size_t)(p - out);
    return true;
}

static size_t compound_size(const ugw_field_desc *f, const void *base)
{
    if (f->type == UGW_TYPE_OBJECT) {
        const void *at = (const char *)base + f->offset;
        size_t v = fields_size(f->object->fields, f->object->nfields, at);
        if (v == UGW__SIZE_OVERFLOW
            || !ugw__size_add(&v, head_size(present_count(f->object->fields, f->object->nfields, at))))
            return UGW__SIZE_OVERFLOW;
        return v;
    }
    {
        uint32_t count = ugw__count(f, base);
        size_t v = head_size(count);
        for (uint32_t i = 0; i < count; i++) {
            size_t one = value_size(f->item, ugw__slot(f, base, i));
            if (one == UGW__SIZE_OVERFLOW || !ugw__size_add(&v, one))
                return UGW__SIZE_OVERFLOW;
        }
        return v;
    }
}

static unsigned char *compound_write(const ugw_field_desc *f, const void *base, unsigned char *p)
{
    if (f->type == UGW_TYPE_OBJECT) {
        const void *at = (const char *)base + f->offset;
        p = put_head(p, present_count(f->object->fields, f->object->nfields, at), 0x80, 0xde);
        return fields_write(f->object->fields, f->object->nfields, at, p);
    }
    {
        uint32_t count = ugw__count(f, base);
        p = put_head(p, count, 0x90, 0xdc);
        for (uint32_t i = 0; i < count; i++)
            p = value_write(f->item, ugw__slot(f, base, i), p);
        return p;
    }
}

size_t ugw__msgpack_members_size(const ugw_field_desc *fields, uint32_t n, const void *base)
{
    return fields_size(fields, n, base);
}

unsigned char *ugw__msgpack_members_write(const ugw_field_desc *fields, uint32_t n, const void *base,
                                          unsigned char *p)
{
    return fields_write(fields, n, base, p);
}
