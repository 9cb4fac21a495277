/*
 * ugw_json_field.h - the JSON decoder's scalar field values: the value at
 * one jsmn token into its field of an event struct, common cases first,
 * every other one through the exact checks. Static functions private to
 * ugw_json_decode.c, which includes this once, after ugw_json_walk.h.
 */
#ifndef UGW_JSON_FIELD_H
#define UGW_JSON_FIELD_H

#include <string.h>

#include "ugw_internal.h"

/*
 * A string value of field `f` that the arena cannot hold even decoded
 * (str_value_exact()'s NOMEM, s->ptr NULL and s->len the decoded length):
 * the error the field gives a text of that length whatever it holds, as an
 * arena large enough would find it: a string's length bounds, or FORMAT for a
 * timestamp longer than any RFC 3339 date-time. Otherwise `st` stands.
 */
static UGW__NOINLINE ugw_status unheld_string(jctx *c, const ugw_field_desc *f, void *payload,
                                              const jsmntok_t *v, const ugw_str *s, ugw_status st)
{
    if (st != UGW_ERR_NOMEM || s->ptr)
        return st;
    if ((f->type == UGW_TYPE_STRING || f->type == UGW_TYPE_URL)
        && ((int64_t)s->len < f->min || (uint64_t)s->len > (uint64_t)f->max)) {
        ugw__error_clear(c->err); /* the NOMEM gives way */
        return ugw__check_string(f, NULL, s->len, raw_start(v), false, 0, c->err); /* fails on the length */
    }
    if (f->type == UGW_TYPE_TIMESTAMP && s->len > 35) { /* "YYYY-MM-DDTHH:MM:SS.fffffffff+HH:MM" */
        ugw__error_clear(c->err);
        return ugw__timestamp_decode(f, payload, "", 0, raw_start(v), false, 0, f->path, c->err);
    }
    return st;
}

/* Every value of a scalar field, with every check in order; field_value()
 * takes the common cases first and sends the others here. */
static UGW__NOINLINE ugw_status field_value_exact(jctx *c, const ugw_field_desc *f, void *payload,
                                                  const jsmntok_t *v)
{
    size_t pos = raw_start(v);
    ugw_status st;
    if (v->type == JSMN_PRIMITIVE && (st = prim_check(c, v)))
        return st;
    if (UGW__UNLIKELY(f->nullable) && v->type == JSMN_PRIMITIVE && c->in[v->start] == 'n') {
        ugw__set_null(f, payload); /* prim_check passed: it is null */
        return UGW_OK;
    }
    switch ((ugw_type)f->type) {
    case UGW_TYPE_STRING:
    case UGW_TYPE_URL: {
        ugw_str s;
        bool raw;
        if (v->type != JSMN_STRING)
            return ugw_error_set(c->err, UGW_ERR_TYPE, "expected a string", pos, f->path);
        s.ptr = c->in + v->start;
        s.len = (size_t)(v->end - v->start);
        if (ugw__plain(s.ptr, s.len, f->type == UGW_TYPE_URL, true)) {
            /* printable ASCII without escapes: only lengths and the URL head
             * are left to check, in one place */
            if ((st = ugw__check_string(f, s.ptr, s.len, pos, true, (size_t)v->start, c->err)))
                return st;
            *UGW__AT(payload, f->offset, ugw_str) = s;
            return UGW_OK;
        }
        if ((st = str_value(c, v, f->path, &s, &raw)))
            return unheld_string(c, f, payload, v, &s, st);
        if ((st = ugw__check_string(f, s.ptr, s.len, pos, raw, (size_t)v->start, c->err)))
            return st;
        *UGW__AT(payload, f->offset, ugw_str) = s;
        return UGW_OK;
    }
    case UGW_TYPE_ID:
    case UGW_TYPE_INT: {
        const char *p = c->in + v->start;
        size_t n = (size_t)(v->end - v->start);
        bool neg = false;
        uint64_t mag;
        if (v->type == JSMN_STRING && f->type == UGW_TYPE_ID) {
            /* "\u0031" is the string "1": decode first (into the arena,
             * given back at once), then check the digits. */
            ugw_str s;
            bool raw;
            size_t mark = c->dec->arena_used;
            if ((st = str_value(c, v, f->path, &s, &raw)))
                return st;
            st = ugw__id_from_digits(f, s.ptr, s.len, pos, &mag, c->err);
            c->dec->arena_used = mark;
            if (st)
                return st;
        } else {
            if (v->type != JSMN_PRIMITIVE || primitive(p, n) != PRIM_INT)
                return ugw_error_set(c->err, UGW_ERR_TYPE, "expected an integer", pos, f->path);
            if (*p == '-') {
                neg = true;
                p++;
                n--;
            }
            if (!ugw_parse_u64(p, n, &mag))
                return ugw_error_set(c->err, UGW_ERR_RANGE, neg ? "number below its minimum" : "number above its maximum", pos, f->path);
            if ((st = ugw__check_int(f, neg, mag, pos, c->err)))
                return st;
        }
        ugw__store_int(f, payload, neg, mag);
        return UGW_OK;
    }
    case UGW_TYPE_BOOL: {
        prim_kind k = v->type == JSMN_PRIMITIVE ? primitive(c->in + v->start, (size_t)(v->end - v->start)) : PRIM_BAD;
        if (k != PRIM_TRUE && k != PRIM_FALSE)
            return ugw_error_set(c->err, UGW_ERR_TYPE, "expected true or false", pos, f->path);
        *UGW__AT(payload, f->offset, bool) = k == PRIM_TRUE;
        return UGW_OK;
    }
    case UGW_TYPE_ENUM:
    case UGW_TYPE_TIMESTAMP: {
        ugw_str s = { c->in + v->start, (size_t)(v->end - v->start) };
        bool raw;
        if (v->type != JSMN_STRING)
            return ugw_error_set(c->err, UGW_ERR_TYPE, "expected a string", pos, f->path);
        if ((st = str_value(c, v, f->path, &s, &raw)))
            return unheld_string(c, f, payload, v, &s, st);
        return f->type == UGW_TYPE_ENUM
                   ? ugw__enum_decode(f, payload, s.ptr, s.len, pos, raw, (size_t)v->start, f->path, c->err)
                   : ugw__timestamp_decode(f, payload, s.ptr, s.len, pos, raw, (size_t)v->start, f->path, c->err);
    }
    case UGW_TYPE_NUMBER: {
        const char *p = c->in + v->start;
        size_t n = (size_t)(v->end - v->start);
        prim_kind k = v->type == JSMN_PRIMITIVE ? primitive(p, n) : PRIM_BAD;
        if (k != PRIM_INT && k != PRIM_NUMBER)
            return ugw_error_set(c->err, UGW_ERR_TYPE, "expected a number", pos, f->path);
        return ugw__number_text(f, payload, p, n, pos, f->path, c->err);
    }
    case UGW_TYPE_OBJECT:
    case UGW_TYPE_ARRAY:
        break; /* compound_value() */
    }
    return ugw_error_set(c->err, UGW_ERR_ARG, "descriptor has an unknown field type", pos, f->path);
}

/*
 * The value at token `v` of scalar field `f` into the struct at `payload`.
 * Strings take one pass of the text scanner (a plain one, or unescaping and
 * UTF-8 together) and only the checks left after it; integers are parsed
 * and checked in one pass over their digits; true and false are compared
 * whole. Anything else, and every value that fails these, goes to
 * field_value_exact(), which finds the same first error as ever.
 */
UGW__HOT_INLINE ugw_status field_value(jctx *c, const ugw_field_desc *f, void *payload, const jsmntok_t *v)
{
    const char *p = c->in + v->start;
    size_t n = (size_t)(v->end - v->start);
    ugw_status st;
    if (v->type == JSMN_STRING && (f->type == UGW_TYPE_STRING || f->type == UGW_TYPE_URL)) {
        const bool url = f->type == UGW_TYPE_URL;
        ugw_str s = { p, n };
        bool raw, valid, nul;
        if (UGW__LIKELY(ugw__plain(p, n, url, true))) {
            /* printable ASCII without escapes: lengths and the URL head */
            if (UGW__UNLIKELY((int64_t)n < f->min || (uint64_t)n > (uint64_t)f->max
                              || (url && !ugw__url_head_ok(p, n)))
                && (st = ugw__check_string(f, p, n, raw_start(v), true, (size_t)v->start, c->err)))
                return st;
            *UGW__AT(payload, f->offset, ugw_str) = s;
            return UGW_OK;
        }
        if ((st = str_decode(c, v, f->path, &s, &raw, &valid, &nul)))
            return unheld_string(c, f, payload, v, &s, st);
        if ((!valid || nul || (int64_t)s.len < f->min || (uint64_t)s.len > (uint64_t)f->max
             || (url && !ugw_url_check(s.ptr, s.len)))
            && (st = ugw__check_string(f, s.ptr, s.len, raw_start(v), raw, (size_t)v->start, c->err)))
            return st;
        *UGW__AT(payload, f->offset, ugw_str) = s;
        return UGW_OK;
    }
    if (v->type == JSMN_PRIMITIVE && (f->type == UGW_TYPE_INT || f->type == UGW_TYPE_ID)) {
        /* '-'?, then 1 to 19 digits without a leading zero: fits in 64 bits */
        size_t i = *p == '-', q;
        uint64_t mag = 0;
        if (n - i >= 1 && n - i <= 19 && (p[i] != '0' || n - i == 1)) {
            for (q = i; q < n; q++) {
                unsigned d = (unsigned)(unsigned char)p[q] - '0';
                if (d > 9)
                    break;
                mag = mag * 10 + d;
            }
            if (q == n) {
                if (UGW__LIKELY(i == 0 && f->min <= 0 && f->max >= 0 && mag <= (uint64_t)f->max)) {
                    /* within bounds from 0 up (an id's are): stored as is */
                    if (f->type == UGW_TYPE_ID)
                        *UGW__AT(payload, f->offset, uint64_t) = mag;
                    else
                        *UGW__AT(payload, f->offset, int64_t) = (int64_t)mag;
                    return UGW_OK;
                }
                if ((st = ugw__check_int(f, i != 0, mag, raw_start(v), c->err)))
                    return st;
                ugw__store_int(f, payload, i != 0, mag);
                return UGW_OK;
            }
        }
    } else if (v->type == JSMN_PRIMITIVE && f->type == UGW_TYPE_BOOL) {
        if (n == 4 && memcmp(p, "true", 4) == 0) {
            *UGW__AT(payload, f->offset, bool) = true;
            return UGW_OK;
        }
        if (n == 5 && memcmp(p, "false", 5) == 0) {
            *UGW__AT(payload, f->offset, bool) = false;
            return UGW_OK;
        }
    }
    return field_value_exact(c, f, payload, v);
}

#endif /* UGW_JSON_FIELD_H */
