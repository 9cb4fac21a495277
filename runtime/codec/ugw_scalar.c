/*
 * ugw_scalar.c - the rules of enum, number and timestamp fields, shared by
 * the JSON and MessagePack engines and by validation.
 *
 * The engines find the value and its type on the wire; these check and
 * store it, so both formats report the same code, path and message.
 */
#include <math.h>
#include <string.h>

#include "ugw_internal.h"

/* ---- enum ---- */

ugw_status ugw__enum_decode(const ugw_field_desc *f, void *payload, const char *p, size_t n,
                            size_t pos, bool raw, size_t data_pos, const char *path, ugw_error *err)
{
    const ugw_enum_desc *ev = f->enum_values;
    size_t bad;
    const char *nul;
    for (uint32_t i = 0; ev && i < ev->nvalues; i++) {
        if (ev->lens[i] == n && memcmp(ev->values[i], p, n) == 0) {
            *UGW__AT(payload, f->offset, int) = (int)i + 1;
            return UGW_OK;
        }
    }
    bad = ugw_utf8_check(p, n);
    if (bad != n)
        return ugw_error_set(err, UGW_ERR_UTF8, "invalid UTF-8", raw ? data_pos + bad : pos, path);
    nul = n ? memchr(p, 0, n) : NULL;
    if (nul)
        return ugw_error_set(err, UGW_ERR_NUL, "NUL character in string", raw ? data_pos + (size_t)(nul - p) : pos, path);
    /* lenient: any other text but the empty one, which could not be told
     * from an unset one when encoding */
    if (!f->lenient || n == 0)
        return ugw_error_set(err, UGW_ERR_ENUM, "not one of the field's values", pos, path);
    *UGW__AT(payload, f->offset, int) = 0;
    UGW__AT(payload, f->aux_offset, ugw_str)->ptr = p;
    UGW__AT(payload, f->aux_offset, ugw_str)->len = n;
    return UGW_OK;
}

ugw_str ugw__enum_text(const ugw_field_desc *f, const void *payload)
{
    int v = *UGW__CAT(payload, f->offset, int);
    ugw_str s = { "", 0 };
    if (v >= 1 && (uint32_t)v <= f->enum_values->nvalues) {
        s.ptr = f->enum_values->values[v - 1];
        s.len = f->enum_values->lens[v - 1];
    } else if (v == 0 && f->lenient) {
        s = *UGW__CAT(payload, f->aux_offset, ugw_str);
    }
    return s;
}

/* ---- number ---- */

static ugw_status check_number(const ugw_field_desc *f, double v, size_t pos, const char *path,
                               ugw_error *err)
{
    if (!isfinite(v))
        return ugw_error_set(err, UGW_ERR_RANGE, "number is not finite", pos, path);
    if (v < f->nmin)
        return ugw_error_set(err, UGW_ERR_RANGE, "number below its minimum", pos, path);
    if (v > f->nmax)
        return ugw_error_set(err, UGW_ERR_RANGE, "number above its maximum", pos, path);
    return UGW_OK;
}

ugw_status ugw__number_store(const ugw_field_desc *f, void *payload, double v, size_t pos,
                             const char *path, ugw_error *err)
{
    ugw_status st = check_number(f, v, pos, path, err);
    if (!st)
        *UGW__AT(payload, f->offset, double) = v;
    return st;
}

ugw_status ugw__number_text(const ugw_field_desc *f, void *payload, const char *p, size_t n,
                            size_t pos, const char *path, ugw_error *err)
{
    double v;
    if (!ugw_parse_double(p, n, &v))
        return ugw_error_set(err, UGW_ERR_RANGE, *p == '-' ? "number below its minimum" : "number above its maximum",
                             pos, path);
    return ugw__number_store(f, payload, v, pos, path, err);
}

/* ---- timestamp ---- */

static ugw_status check_ms(const ugw_field_desc *f, int64_t ms, size_t pos, const char *path, ugw_error *err)
{
    if (ms < UGW_TIMESTAMP_MIN || ms > UGW_TIMESTAMP_MAX)
        return ugw_error_set(err, UGW_ERR_RANGE, "timestamp outside years 0001..9999 in UTC", pos, path);
    if (ms < f->min)
        return ugw_error_set(err, UGW_ERR_RANGE, "timestamp before its minimum", pos, path);
    if (ms > f->max)
        return ugw_error_set(err, UGW_ERR_RANGE, "timestamp after its maximum", pos, path);
    return UGW_OK;
}

ugw_status ugw__timestamp_decode(const ugw_field_desc *f, void *payload, const char *p, size_t n,
                                 size_t pos, bool raw, size_t data_pos, const char *path,
                                 ugw_error *err)
{
    int64_t ms = 0;
    size_t bad = 0;
    ugw_status st;
    if (!ugw_timestamp_parse(p, n, &ms, &bad))
        return ugw_error_set(err, UGW_ERR_FORMAT, "not an RFC 3339 date-time of a real day and time",
                             raw ? data_pos + bad : pos, path);
    if ((st = check_ms(f, ms, pos, path, err)))
        return st;
    *UGW__AT(payload, f->offset, int64_t) = ms;
    return UGW_OK;
}

/* ---- validation of a caller's struct ---- */

ugw_status ugw__validate_scalar(const ugw_field_desc *f, const void *payload, const char *path,
                                ugw_error *err)
{
    switch ((ugw_type)f->type) {
    case UGW_TYPE_ENUM: {
        int v = *UGW__CAT(payload, f->offset, int);
        const ugw_str *other;
        size_t n;
        if (!f->enum_values || v < 0 || (uint32_t)v > f->enum_values->nvalues || (v == 0 && !f->lenient))
            return ugw_error_set(err, UGW_ERR_ARG, "enum holds none of its constants", 0, path);
        if (v)
            return UGW_OK;
        /* lenient and unknown: the kept text is written back */
        other = UGW__CAT(payload, f->aux_offset, ugw_str);
        if (!other->ptr || other->len == 0)
            return ugw_error_set(err, UGW_ERR_ARG, "unknown enum value without its text", 0, path);
        n = other->len;
        if (ugw_utf8_check(other->ptr, n) != n)
            return ugw_error_set(err, UGW_ERR_UTF8, "invalid UTF-8", 0, path);
        if (memchr(other->ptr, 0, n))
            return ugw_error_set(err, UGW_ERR_NUL, "NUL character in string", 0, path);
        return UGW_OK;
    }
    case UGW_TYPE_NUMBER:
        return check_number(f, *UGW__CAT(payload, f->offset, double), 0, path, err);
    case UGW_TYPE_TIMESTAMP:
        return check_ms(f, *UGW__CAT(payload, f->offset, int64_t), 0, path, err);
    default:
        return ugw_error_set(err, UGW_ERR_ARG, "descriptor has an unknown field type", 0, path);
    }
}
