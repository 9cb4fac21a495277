/*
 * ugw_json_encode.c - the JSON encoder: exact size, bound and writer.
 *
 * The decoder is in ugw_json_decode.c; both share ugw_internal.h.
 */
#include <string.h>

#include "ugw_internal.h"

/* ------------------------------------------------------------------ */
/* Encoder                                                               */
/* ------------------------------------------------------------------ */

/* Size of a value of the later types (enum, number, timestamp), kept out of
 * the loop over the first ones. */
static UGW__NOINLINE size_t later_size(const ugw_field_desc *f, const void *payload)
{
    char d[UGW_DOUBLE_MAX_LEN];
    size_t v;
    ugw_str s;
    switch ((ugw_type)f->type) {
    case UGW_TYPE_ENUM:
        s = ugw__enum_text(f, payload);
        v = ugw_json_escaped_len(s.ptr, s.len);
        return v == SIZE_MAX || !ugw__size_add(&v, 2) ? UGW__SIZE_OVERFLOW : v;
    case UGW_TYPE_NUMBER:
        return ugw_fmt_double(d, *UGW__CAT(payload, f->offset, double));
    case UGW_TYPE_TIMESTAMP:
        return UGW_TIMESTAMP_LEN + 2;
    default:
        return 0;
    }
}

static UGW__NOINLINE char *later_write(const ugw_field_desc *f, const void *payload, char *p)
{
    char d[UGW_DOUBLE_MAX_LEN];
    size_t k;
    ugw_str s;
    switch ((ugw_type)f->type) {
    case UGW_TYPE_ENUM:
        s = ugw__enum_text(f, payload);
        *p++ = '"';
        p += ugw_json_escape(p, s.ptr, s.len);
        *p++ = '"';
        return p;
    case UGW_TYPE_NUMBER:
        k = ugw_fmt_double(d, *UGW__CAT(payload, f->offset, double));
        memcpy(p, d, k);
        return p + k;
    case UGW_TYPE_TIMESTAMP:
        /* its NUL lands where the closing quote goes */
        *p++ = '"';
        p += ugw_timestamp_format(p, *UGW__CAT(payload, f->offset, int64_t));
        *p++ = '"';
        return p;
    default:
        return p;
    }
}

/* Exact length of the encoding of a valid payload; UGW__SIZE_OVERFLOW when it
 * does not fit in size_t. */
size_t ugw__json_encoded_size(const ugw_event_desc *ed, const void *payload)
{
    size_t n = (size_t)ed->json_head_len + 2; /* head ... "}}" */
    char tmp[24];
    bool first = true;
    /* the table and its length in locals: the calls in the loop could
     * otherwise make the compiler load them again for every field */
    const ugw_field_desc *const fields = ed->fields, *const end = fields + ed->nfields;
    for (const ugw_field_desc *f = fields; f < end; f++) {
        size_t v = 0;
        if (!ugw__present(f, payload))
            continue;
        n += (size_t)f->json_key_len + (first ? 0 : 1); /* at most 256 per field */
        first = false;
        if (UGW__UNLIKELY(f->nullable) && ugw__is_null(f, payload)) {
            v = 4;
        } else switch ((ugw_type)f->type) {
        case UGW_TYPE_STRING:
        case UGW_TYPE_URL: {
            const ugw_str *s = UGW__CAT(payload, f->offset, ugw_str);
            v = ugw_json_escaped_len(s->ptr, s->len);
            if (v == SIZE_MAX || !ugw__size_add(&v, 2))
                return UGW__SIZE_OVERFLOW;
            break;
        }
        case UGW_TYPE_ID:
            v = ugw_fmt_u64(tmp, *UGW__CAT(payload, f->offset, uint64_t));
            break;
        case UGW_TYPE_INT:
            v = ugw_fmt_i64(tmp, *UGW__CAT(payload, f->offset, int64_t));
            break;
        case UGW_TYPE_BOOL:
            v = *UGW__CAT(payload, f->offset, bool) ? 4 : 5;
            break;
        default:
            if ((v = later_size(f, payload)) == UGW__SIZE_OVERFLOW)
                return UGW__SIZE_OVERFLOW;
            break;
        }
        if (!ugw__size_add(&n, v) || n == UGW__SIZE_OVERFLOW)
            return UGW__SIZE_OVERFLOW;
    }
    return n;
}

/* An upper bound that costs no pass over the strings: 6 output bytes per
 * input byte at worst (\u00XX). Absent fields count nothing (their values
 * may be stale); 0 when the bound does not fit in size_t. */
size_t ugw__json_bound(const ugw_event_desc *ed, const void *payload)
{
    size_t n = (size_t)ed->json_head_len + 2;
    const ugw_field_desc *const fields = ed->fields, *const end = fields + ed->nfields;
    for (const ugw_field_desc *f = fields; f < end; f++) {
        if (!ugw__present(f, payload))
            continue;
        /* 32 bytes hold a number, a timestamp, an integer or a literal */
        n += (size_t)f->json_key_len + 1 + 32; /* nfields <= 65535: cannot wrap */
        if (f->type == UGW_TYPE_STRING || f->type == UGW_TYPE_URL || f->type == UGW_TYPE_ENUM) {
            /* a null value's text counts too: a bound, never below the size */
            size_t len = f->type != UGW_TYPE_ENUM ? UGW__CAT(payload, f->offset, ugw_str)->len
                                                  : ugw__enum_text(f, payload).len;
            /* At most 65535 fields of 2 + 6 * (SIZE_MAX >> 20) bytes and their
             * keys stay below SIZE_MAX; a longer string (over 16 TiB, or 4 KiB
             * with a 32-bit size_t) takes the exact sizing pass. */
            if (len > (SIZE_MAX >> 20))
                return 0;
            n += 2 + 6 * len;
        }
    }
    return n;
}

size_t ugw__json_write(const ugw_event_desc *ed, const void *payload, char *out)
{
    char *p = out;
    bool first = true;
    memcpy(p, ed->json_head, ed->json_head_len);
    p += ed->json_head_len;
    const ugw_field_desc *const fields = ed->fields, *const end = fields + ed->nfields;
    for (const ugw_field_desc *f = fields; f < end; f++) {
        if (!ugw__present(f, payload))
            continue;
        if (!first)
            *p++ = ',';
        first = false;
        memcpy(p, f->json_key, f->json_key_len);
        p += f->json_key_len;
        if (UGW__UNLIKELY(f->nullable) && ugw__is_null(f, payload)) {
            memcpy(p, "null", 4);
            p += 4;
            continue;
        }
        switch ((ugw_type)f->type) {
        case UGW_TYPE_STRING:
        case UGW_TYPE_URL: {
            const ugw_str *s = UGW__CAT(payload, f->offset, ugw_str);
            *p++ = '"';
            p += ugw_json_escape(p, s->ptr, s->len);
            *p++ = '"';
            break;
        }
        case UGW_TYPE_ID:
            p += ugw_fmt_u64(p, *UGW__CAT(payload, f->offset, uint64_t));
            break;
        case UGW_TYPE_INT:
            p += ugw_fmt_i64(p, *UGW__CAT(payload, f->offset, int64_t));
            break;
        case UGW_TYPE_BOOL:
            if (*UGW__CAT(payload, f->offset, bool)) {
                memcpy(p, "true", 4);
                p += 4;
            } else {
                memcpy(p, "false", 5);
                p += 5;
            }
            break;
        default:
            p = later_write(f, payload, p);
            break;
        }
    }
    *p++ = '}';
    *p++ = '}';
    return (size_t)(p - out);
}
