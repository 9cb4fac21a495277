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

static inline unsigned char *be(unsigned char *p, uint64_t v, int bytes)
{
    for (int i = bytes - 1; i >= 0; i--)
        *p++ = (unsigned char)(v >> (8 * i));
    return p;
}

static unsigned char *put_uint(unsigned char *p, uint64_t v)
{
    if (v < 128) {
        *p++ = (unsigned char)v;
        return p;
    }
    if (v < 256) {
        *p++ = 0xcc;
        return be(p, v, 1);
    }
    if (v < 65536) {
        *p++ = 0xcd;
        return be(p, v, 2);
    }
    if (v < 4294967296u) {
        *p++ = 0xce;
        return be(p, v, 4);
    }
    *p++ = 0xcf;
    return be(p, v, 8);
}

static unsigned char *put_int(unsigned char *p, int64_t v)
{
    if (v >= 0)
        return put_uint(p, (uint64_t)v);
    if (v >= -32) {
        *p++ = (unsigned char)(0xe0 | (v + 32));
        return p;
    }
    if (v >= INT8_MIN) {
        *p++ = 0xd0;
        return be(p, (uint64_t)v, 1);
    }
    if (v >= INT16_MIN) {
        *p++ = 0xd1;
        return be(p, (uint64_t)v, 2);
    }
    if (v >= INT32_MIN) {
        *p++ = 0xd2;
        return be(p, (uint64_t)v, 4);
    }
    *p++ = 0xd3;
    return be(p, (uint64_t)v, 8);
}

static unsigned char *put_str(unsigned char *p, const char *s, size_t n)
{
    if (n < 32) {
        *p++ = (unsigned char)(0xa0 | n);
    } else if (n < 256) {
        *p++ = 0xd9;
        p = be(p, n, 1);
    } else if (n < 65536) {
        *p++ = 0xda;
        p = be(p, n, 2);
    } else {
        *p++ = 0xdb;
        p = be(p, n, 4);
    }
    if (n)
        memcpy(p, s, n);
    return p + n;
}

/* Size of a value of the later types (enum, number, timestamp), kept out of
 * the loop over the first ones. */
static UGW__NOINLINE size_t later_size(const ugw_field_desc *f, const void *payload)
{
    size_t n, v;
    switch ((ugw_type)f->type) {
    case UGW_TYPE_ENUM:
        n = ugw__enum_text(f, payload).len;
        if ((uint64_t)n > UINT32_MAX)
            return UGW__SIZE_OVERFLOW;
        v = str_head_size(n);
        return ugw__size_add(&v, n) ? v : UGW__SIZE_OVERFLOW;
    case UGW_TYPE_NUMBER:
        return 9; /* float 64 */
    case UGW_TYPE_TIMESTAMP:
        return 1 + UGW_TIMESTAMP_LEN; /* fixstr */
    default:
        return 0;
    }
}

static UGW__NOINLINE unsigned char *later_write(const ugw_field_desc *f, const void *payload, unsigned char *p)
{
    switch ((ugw_type)f->type) {
    case UGW_TYPE_ENUM: {
        ugw_str s = ugw__enum_text(f, payload);
        return put_str(p, s.ptr, s.len);
    }
    case UGW_TYPE_NUMBER: {
        uint64_t bits;
        memcpy(&bits, UGW__CAT(payload, f->offset, double), 8);
        *p++ = 0xcb;
        return be(p, bits, 8);
    }
    case UGW_TYPE_TIMESTAMP: {
        char t[UGW_TIMESTAMP_LEN + 1];
        ugw_timestamp_format(t, *UGW__CAT(payload, f->offset, int64_t));
        return put_str(p, t, UGW_TIMESTAMP_LEN);
    }
    default:
        return p;
    }
}

static unsigned present_count(const ugw_event_desc *ed, const void *payload)
{
    unsigned count = 0;
    for (int i = 0; i < ed->nfields; i++)
        count += ugw__present(&ed->fields[i], payload);
    return count;
}

/* Exact length of the encoding of a valid payload; UGW__SIZE_OVERFLOW when it
 * does not fit in size_t or a string is too long for a str32. */
size_t ugw__msgpack_encoded_size(const ugw_event_desc *ed, const void *payload)
{
    size_t need = ed->mp_head_len + (present_count(ed, payload) < 16 ? 1 : 3);
    /* the table and its length in locals: the calls in the loop could
     * otherwise make the compiler load them again for every field */
    const ugw_field_desc *const fields = ed->fields, *const end = fields + ed->nfields;
    for (const ugw_field_desc *f = fields; f < end; f++) {
        size_t v = 0;
        if (!ugw__present(f, payload))
            continue;
        need += f->mp_key_len; /* at most 256 per field: cannot wrap */
        if (UGW__UNLIKELY(f->nullable) && ugw__is_null(f, payload)) {
            v = 1;
        } else switch ((ugw_type)f->type) {
        case UGW_TYPE_STRING:
        case UGW_TYPE_URL: {
            size_t n = UGW__CAT(payload, f->offset, ugw_str)->len;
            if ((uint64_t)n > UINT32_MAX)
                return UGW__SIZE_OVERFLOW;
            v = str_head_size(n);
            if (!ugw__size_add(&v, n))
                return UGW__SIZE_OVERFLOW;
            break;
        }
        case UGW_TYPE_ID:
            v = uint_size(*UGW__CAT(payload, f->offset, uint64_t));
            break;
        case UGW_TYPE_INT:
            v = int_size(*UGW__CAT(payload, f->offset, int64_t));
            break;
        case UGW_TYPE_BOOL:
            v = 1;
            break;
        default:
            if ((v = later_size(f, payload)) == UGW__SIZE_OVERFLOW)
                return UGW__SIZE_OVERFLOW;
            break;
        }
        if (!ugw__size_add(&need, v) || need == UGW__SIZE_OVERFLOW)
            return UGW__SIZE_OVERFLOW;
    }
    return need;
}

size_t ugw__msgpack_write(const ugw_event_desc *ed, const void *payload,
                          unsigned char *out)
{
    unsigned char *p = out;
    unsigned count = present_count(ed, payload);
    memcpy(p, ed->mp_head, ed->mp_head_len);
    p += ed->mp_head_len;
    if (count < 16) {
        *p++ = (unsigned char)(0x80 | count);
    } else {
        *p++ = 0xde;
        p = be(p, count, 2);
    }
    const ugw_field_desc *const fields = ed->fields, *const end = fields + ed->nfields;
    for (const ugw_field_desc *f = fields; f < end; f++) {
        if (!ugw__present(f, payload))
            continue;
        memcpy(p, f->mp_key, f->mp_key_len);
        p += f->mp_key_len;
        if (UGW__UNLIKELY(f->nullable) && ugw__is_null(f, payload)) {
            *p++ = 0xc0;
            continue;
        }
        switch ((ugw_type)f->type) {
        case UGW_TYPE_STRING:
        case UGW_TYPE_URL: {
            const ugw_str *s = UGW__CAT(payload, f->offset, ugw_str);
            p = put_str(p, s->ptr, s->len);
            break;
        }
        case UGW_TYPE_ID:
            p = put_uint(p, *UGW__CAT(payload, f->offset, uint64_t));
            break;
        case UGW_TYPE_INT:
            p = put_int(p, *UGW__CAT(payload, f->offset, int64_t));
            break;
        case UGW_TYPE_BOOL:
            *p++ = *UGW__CAT(payload, f->offset, bool) ? 0xc3 : 0xc2;
            break;
        default:
            p = later_write(f, payload, p);
            break;
        }
    }
    return (size_t)(p - out);
}
