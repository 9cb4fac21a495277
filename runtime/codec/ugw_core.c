/*
 * ugw_core.c - validation rules, event lookup and the decoder object.
 */
#include <stdlib.h>
#include <string.h>

#include "ugw_internal.h"

ugw_status ugw__check_string(const ugw_field_desc *f, const char *p, size_t n,
                             size_t pos, bool raw, size_t data_pos,
                             ugw_error *err)
{
    if ((int64_t)n < f->min)
        return ugw_error_set(err, UGW_ERR_TOO_SHORT, f->min == 1 ? "must not be empty" : "string is too short", pos, f->path);
    if ((uint64_t)n > (uint64_t)f->max)
        return ugw_error_set(err, UGW_ERR_TOO_LONG, "string is longer than its limit", pos, f->path);
    if (ugw__plain(p, n, f->type == UGW_TYPE_URL, false)
        && (f->type != UGW_TYPE_URL || ugw__url_head_ok(p, n)))
        return UGW_OK;
    return ugw__check_string_slow(f, p, n, pos, raw, data_pos, err);
}

ugw_status ugw__check_string_slow(const ugw_field_desc *f, const char *p, size_t n,
                                  size_t pos, bool raw, size_t data_pos, ugw_error *err)
{
    size_t bad;
    const char *nul;
    bad = ugw_utf8_check(p, n);
    if (bad != n)
        return ugw_error_set(err, UGW_ERR_UTF8, "invalid UTF-8", raw ? data_pos + bad : pos, f->path);
    nul = n ? memchr(p, 0, n) : NULL;
    if (nul)
        return ugw_error_set(err, UGW_ERR_NUL, "NUL character in string", raw ? data_pos + (size_t)(nul - p) : pos, f->path);
    if (f->type == UGW_TYPE_URL && !ugw_url_check(p, n))
        return ugw_error_set(err, UGW_ERR_URL, "not an absolute http(s) URL without spaces", pos, f->path);
    return UGW_OK;
}

ugw_status ugw__check_int(const ugw_field_desc *f, bool negative, uint64_t mag,
                          size_t pos, ugw_error *err)
{
    /* Both bounds compare as int64_t: a value outside int64_t is outside
     * every range, on its own side. */
    const char *below = f->type == UGW_TYPE_ID ? "id must not be negative" : "number below its minimum";
    const char *above = f->type == UGW_TYPE_ID ? "id above 2^53-1" : "number above its maximum";
    int64_t v;
    if (negative && mag != 0) {
        if (mag - 1 > (uint64_t)INT64_MAX)
            return ugw_error_set(err, UGW_ERR_RANGE, below, pos, f->path);
        v = -(int64_t)(mag - 1) - 1;
    } else {
        if (mag > (uint64_t)INT64_MAX)
            return ugw_error_set(err, UGW_ERR_RANGE, above, pos, f->path);
        v = (int64_t)mag;
    }
    if (v < f->min)
        return ugw_error_set(err, UGW_ERR_RANGE, below, pos, f->path);
    if (v > f->max)
        return ugw_error_set(err, UGW_ERR_RANGE, above, pos, f->path);
    return UGW_OK;
}

void ugw__store_int(const ugw_field_desc *f, void *payload, bool negative,
                    uint64_t mag)
{
    if (f->type == UGW_TYPE_ID)
        *UGW__AT(payload, f->offset, uint64_t) = mag;
    else
        *UGW__AT(payload, f->offset, int64_t) =
            negative && mag ? -(int64_t)(mag - 1) - 1 : (int64_t)mag;
}

ugw_status ugw__id_from_digits(const ugw_field_desc *f, const char *p, size_t n,
                               size_t pos, uint64_t *v, ugw_error *err)
{
    size_t i;
    if (n == 0)
        return ugw_error_set(err, UGW_ERR_TYPE, "id string must be 1 to 16 decimal digits", pos, f->path);
    for (i = 0; i < n; i++)
        if (p[i] < '0' || p[i] > '9')
            return ugw_error_set(err, UGW_ERR_TYPE, "id string must be 1 to 16 decimal digits", pos, f->path);
    if (n > 16 || !ugw_parse_u64(p, n, v) || *v > UGW_ID_MAX)
        return ugw_error_set(err, UGW_ERR_RANGE, "id above 2^53-1", pos, f->path);
    return UGW_OK;
}

ugw_status ugw__check_required(const ugw_field_desc *fields, uint32_t nf, uint64_t seen,
                               size_t pos, ugw_error *err)
{
    for (uint32_t i = 0; i < nf; i++)
        if (fields[i].required && !(seen & ((uint64_t)1 << i)))
            return ugw_error_set(err, UGW_ERR_MISSING, "required field is missing", pos, fields[i].path);
    return UGW_OK;
}

const char *ugw__path_join(char *buf, const char *prefix, const char *key,
                           size_t key_len)
{
    size_t n = 0, i;
    if (prefix && *prefix) {
        size_t pl = strlen(prefix);
        if (pl > UGW_PATH_MAX - 2)
            pl = UGW_PATH_MAX - 2;
        memcpy(buf, prefix, pl);
        n = pl;
        buf[n++] = '.';
    }
    for (i = 0; i < key_len && n < UGW_PATH_MAX - 1; i++) {
        unsigned char c = (unsigned char)key[i];
        buf[n++] = (char)(c < 0x20 || c == 0x7f ? '?' : c);
    }
    buf[n] = 0;
    if (i < key_len && n >= 3)
        memcpy(buf + n - 3, "...", 3);
    return buf;
}

ugw_status ugw__validate_fields(const ugw_field_desc *fields, uint32_t n, const void *payload,
                                ugw_error *err)
{
    /* the end of the table in a local: the calls in the loop could
     * otherwise make the compiler load it again for every field */
    const ugw_field_desc *const end = fields + n;
    for (const ugw_field_desc *f = fields; f < end; f++) {
        ugw_status st;
        if (f->has_offset != UGW_NO_HAS && !*UGW__CAT(payload, f->has_offset, bool))
            continue;
        if (UGW__UNLIKELY(f->nullable)) {
            unsigned char b; /* as for bool: only 0 or 1 */
            memcpy(&b, (const char *)payload + f->null_offset, 1);
            if (b > 1)
                return ugw_error_set(err, UGW_ERR_ARG, "null flag holds neither 0 nor 1", 0, f->path);
            if (b)
                continue;
        }
        switch ((ugw_type)f->type) {
        case UGW_TYPE_STRING:
        case UGW_TYPE_URL: {
            const ugw_str *s = UGW__CAT(payload, f->offset, ugw_str);
            if (s->ptr) {
                if (ugw__string_fast(f, s->ptr, s->len, false))
                    continue;
                /* within bounds: only the exact byte rules are left */
                if ((int64_t)s->len >= f->min && (uint64_t)s->len <= (uint64_t)f->max) {
                    st = ugw__check_string_slow(f, s->ptr, s->len, 0, false, 0, err);
                    break;
                }
            } else {
                if (s->len)
                    return ugw_error_set(err, UGW_ERR_ARG, "string has a length but no pointer", 0, f->path);
                if (f->required)
                    return ugw_error_set(err, UGW_ERR_MISSING, "required field is missing", 0, f->path);
            }
            st = ugw__check_string(f, s->ptr ? s->ptr : "", s->len, 0, false, 0, err);
            break;
        }
        case UGW_TYPE_ID: {
            uint64_t v = *UGW__CAT(payload, f->offset, uint64_t);
            if (ugw__id_fast(f, v))
                continue;
            st = ugw__check_int(f, false, v, 0, err);
            break;
        }
        case UGW_TYPE_INT: {
            int64_t v = *UGW__CAT(payload, f->offset, int64_t);
            if (ugw__int_fast(f, v))
                continue;
            st = ugw__check_int(f, v < 0, v < 0 ? (uint64_t)-(v + 1) + 1 : (uint64_t)v, 0, err);
            break;
        }
        case UGW_TYPE_BOOL: {
            /* read as a byte: a bool holding anything but 0 or 1 (memory
             * filled by other means) is refused, not undefined behaviour */
            unsigned char b;
            memcpy(&b, (const char *)payload + f->offset, 1);
            st = b > 1 ? ugw_error_set(err, UGW_ERR_ARG, "bool holds neither 0 nor 1", 0, f->path) : UGW_OK;
            break;
        }
        default: /* the later types, objects and arrays, out of this loop */
            st = ugw__compound(f) ? ugw__validate_compound(f, payload, err)
                                  : ugw__validate_scalar(f, payload, f->path, err);
            break;
        }
        if (st)
            return st;
    }
    return UGW_OK;
}

/* ---- the schema-generic entry points (and of the generated wrappers) ---- */

static const ugw_event_desc *describe(const ugw_schema *s, int type)
{
    return s && type >= 1 && (uint32_t)type <= s->nevents ? &s->events[type - 1] : NULL;
}

const ugw_event_desc *ugw_schema_event(const ugw_schema *s, int type)
{
    return describe(s, type);
}

size_t ugw_schema_payload_max(const ugw_schema *s)
{
    size_t max = 0;
    for (uint32_t i = 0; s && i < s->nevents; i++)
        if (s->events[i].size > max)
            max = s->events[i].size;
    return max;
}

/* The calls without envelope fields; the public ones send a schema with an
 * envelope to ugw_envelope.c, which comes back here when it has no fields. */
UGW__HOT_INLINE ugw_status validate_plain(const ugw_schema *s, int type, const void *payload,
                                          ugw_error *err)
{
    const ugw_event_desc *ed = describe(s, type);
    ugw__error_clear(err);
    if (!payload)
        return ugw_error_set(err, UGW_ERR_ARG, "event is NULL", 0, NULL);
    if (!ed)
        return ugw_error_set(err, UGW_ERR_ARG, "unknown event type", 0, "event");
    return ugw__validate_payload(ed, payload, err);
}

ugw_status ugw_schema_validate(const ugw_schema *s, int type, const void *payload,
                         ugw_error *err)
{
    if (UGW__UNLIKELY(s && s->envelope))
        return ugw_schema_validate_env(s, type, NULL, payload, err);
    return validate_plain(s, type, payload, err);
}

ugw_status ugw__schema_validate(const ugw_schema *s, int type, const void *payload, ugw_error *err)
{
    return validate_plain(s, type, payload, err);
}

UGW__HOT_INLINE ugw_status encode_plain(const ugw_schema *s, int type, const void *payload,
                                        ugw_format format, void *out, size_t cap,
                                        size_t *out_len, ugw_error *err);

ugw_status ugw_schema_encode(const ugw_schema *s, int type, const void *payload,
                       ugw_format format, void *out, size_t cap,
                       size_t *out_len, ugw_error *err)
{
    if (UGW__UNLIKELY(s && s->envelope))
        return ugw_schema_encode_env(s, type, NULL, payload, format, out, cap, out_len, err);
    return encode_plain(s, type, payload, format, out, cap, out_len, err);
}

ugw_status ugw__encode_room(size_t need, const void *out, size_t cap, size_t *out_len, ugw_error *err)
{
    if (need == UGW__SIZE_OVERFLOW) {
        if (out_len)
            *out_len = 0;
        return ugw_error_set(err, UGW_ERR_LIMIT, "encoded event too large", 0, NULL);
    }
    if (out_len)
        *out_len = need;
    if (out && cap < need)
        return ugw_error_set(err, UGW_ERR_BUFFER, "output buffer too small", 0, NULL);
    return UGW_OK;
}

ugw_status ugw__schema_encode(const ugw_schema *s, int type, const void *payload, ugw_format format,
                              void *out, size_t cap, size_t *out_len, ugw_error *err)
{
    return encode_plain(s, type, payload, format, out, cap, out_len, err);
}

UGW__HOT_INLINE ugw_status encode_plain(const ugw_schema *s, int type, const void *payload,
                                        ugw_format format, void *out, size_t cap,
                                        size_t *out_len, ugw_error *err)
{
    const ugw_event_desc *ed = describe(s, type);
    ugw_status st;
    size_t need;
    if (format != UGW_FORMAT_JSON && format != UGW_FORMAT_MSGPACK) {
        ugw__error_clear(err);
        return ugw_error_set(err, UGW_ERR_ARG, "unknown format", 0, NULL);
    }
    ugw__error_clear(err);
    if (!payload)
        return ugw_error_set(err, UGW_ERR_ARG, "event is NULL", 0, NULL);
    if (!ed)
        return ugw_error_set(err, UGW_ERR_ARG, "unknown event type", 0, "event");
    /* The common case in one walk: the event's generated fast path, else
     * the engine's walk over the descriptors; anything unusual, errors
     * included, the exact way below. */
    if (out) {
        size_t n = 0;
        if (format == UGW_FORMAT_JSON
                ? (ed->json_fast && (n = ed->json_fast(payload, out, cap)) != 0)
                      || ugw__json_encode_fast(ed, payload, out, cap, &n)
                : (ed->msgpack_fast && (n = ed->msgpack_fast(payload, out, cap)) != 0)
                      || ugw__msgpack_encode_fast(ed, payload, out, cap, &n)) {
            if (out_len)
                *out_len = n;
            return UGW_OK;
        }
    }
    if ((st = ugw__validate_payload(ed, payload, err)))
        return st;
    if (format == UGW_FORMAT_JSON) {
        /* Skip the exact sizing pass when the buffer is surely big enough. */
        size_t bound = out ? ugw__json_bound(ed, payload) : 0;
        if (bound && cap >= bound) {
            need = ugw__json_write(ed, payload, out);
            if (out_len)
                *out_len = need;
            return UGW_OK;
        }
        need = ugw__json_encoded_size(ed, payload);
    } else {
        need = ugw__msgpack_encoded_size(ed, payload);
    }
    if ((st = ugw__encode_room(need, out, cap, out_len, err)) || !out)
        return st;
    if (format == UGW_FORMAT_JSON)
        ugw__json_write(ed, payload, out);
    else
        ugw__msgpack_write(ed, payload, out);
    return UGW_OK;
}

UGW__HOT_INLINE ugw_status decode_plain(const ugw_schema *s, ugw_decoder *dec, ugw_format format,
                                        const void *in, size_t len, int *type, void *payload,
                                        size_t payload_cap, ugw_error *err);

ugw_status ugw_schema_decode(const ugw_schema *s, ugw_decoder *dec, ugw_format format,
                       const void *in, size_t len, int *type, void *payload,
                       size_t payload_cap, ugw_error *err)
{
    if (UGW__UNLIKELY(s && s->envelope))
        return ugw_schema_decode_env(s, dec, format, in, len, type, NULL, 0, payload, payload_cap, err);
    return decode_plain(s, dec, format, in, len, type, payload, payload_cap, err);
}

ugw_status ugw__schema_decode(const ugw_schema *s, ugw_decoder *dec, ugw_format format, const void *in,
                              size_t len, int *type, void *payload, size_t payload_cap, ugw_error *err)
{
    return decode_plain(s, dec, format, in, len, type, payload, payload_cap, err);
}

UGW__HOT_INLINE ugw_status decode_plain(const ugw_schema *s, ugw_decoder *dec, ugw_format format,
                                        const void *in, size_t len, int *type, void *payload,
                                        size_t payload_cap, ugw_error *err)
{
    ugw_status st;
    ugw__error_clear(err);
    if (type)
        *type = 0;
    if (!s || !dec || (!in && len) || !payload || !type)
        return ugw_error_set(err, UGW_ERR_ARG, "NULL argument", 0, NULL);
    memset(payload, 0, payload_cap);
    if (format != UGW_FORMAT_JSON && format != UGW_FORMAT_MSGPACK)
        return ugw_error_set(err, UGW_ERR_ARG, "unknown format", 0, NULL);
    if (len > dec->opts.max_input)
        return ugw_error_set(err, UGW_ERR_LIMIT, "input larger than the decoder's max_input", dec->opts.max_input, NULL);
    dec->arena_used = 0;
    st = format == UGW_FORMAT_JSON
             ? ugw__json_decode(s, dec, in, len, type, payload, payload_cap, err)
             : ugw__msgpack_decode(s, dec, in, len, type, payload, payload_cap, err);
    if (st) {
        *type = 0;
        memset(payload, 0, payload_cap);
    }
    return st;
}

int ugw_schema_event_lookup(const ugw_schema *s, const char *wire, size_t len)
{
    if (!s || (!wire && len))
        return 0;
    for (uint32_t i = 0; i < s->nevents; i++) {
        const ugw_event_desc *ed = &s->events[i];
        if (ed->wire_len == len && memcmp(ed->wire, wire, len) == 0)
            return (int)i + 1;
    }
    for (uint32_t i = 0; i < s->nevents; i++) {
        const char *const *a = s->events[i].aliases;
        for (; a && *a; a++)
            if (strlen(*a) == len && memcmp(*a, wire, len) == 0)
                return (int)i + 1;
    }
    return 0;
}

/* ---- the decoder object ---- */

/* Size of one jsmn token; ugw_json_decode.c checks this matches jsmntok_t. */
extern const size_t ugw__jsmn_token_size;

ugw_decoder *ugw_decoder_new(const ugw_decode_opts *opts)
{
    ugw_decoder *d;
    size_t toks_bytes, nodes_bytes;
    d = calloc(1, sizeof *d);
    if (!d)
        return NULL;
    if (opts)
        d->opts = *opts;
    if (!d->opts.max_depth)
        d->opts.max_depth = UGW_DEFAULT_MAX_DEPTH;
    if (!d->opts.max_tokens)
        d->opts.max_tokens = UGW_DEFAULT_MAX_TOKENS;
    if (!d->opts.max_input)
        d->opts.max_input = UGW_DEFAULT_MAX_INPUT;
    /* A caller's arena of unknown size: guessing would let input write past it. */
    if (d->opts.arena && !d->opts.arena_size)
        goto fail;
    if (!d->opts.arena_size)
        d->opts.arena_size = UGW_DEFAULT_ARENA_SIZE;
    if (d->opts.max_depth > UGW_MAX_DEPTH_LIMIT || d->opts.max_input > UGW_MAX_INPUT_LIMIT
        || d->opts.max_tokens > (1u << 24))
        goto fail;
    toks_bytes = (size_t)d->opts.max_tokens * ugw__jsmn_token_size;
    /* MessagePack decoding puts max_tokens msgpack_objects where JSON
     * decoding puts its tokens and strings. */
    nodes_bytes = (size_t)d->opts.max_tokens * sizeof(msgpack_object);
    /* The tokens plus at least 1 KiB of string arena. */
    if (d->opts.arena_size < toks_bytes + 1024 || d->opts.arena_size < nodes_bytes)
        goto fail;
    if (d->opts.arena) {
        d->mem = d->opts.arena;
    } else {
        d->mem = malloc(d->opts.arena_size);
        if (!d->mem)
            goto fail;
        d->owns_mem = true;
    }
    d->mem_size = d->opts.arena_size;
    /* Keep the tokens aligned: caller memory may not be. */
    {
        size_t mis = (size_t)((uintptr_t)d->mem % _Alignof(max_align_t));
        size_t skip = mis ? _Alignof(max_align_t) - mis : 0;
        if (d->mem_size < skip + toks_bytes + 1024 || d->mem_size - skip < nodes_bytes)
            goto fail;
        d->toks = d->mem + skip;
        d->arena = (char *)d->mem + skip + toks_bytes;
        d->arena_cap = d->mem_size - skip - toks_bytes;
        d->nodes = (msgpack_object *)(void *)(d->mem + skip);
        d->node_cap = (d->mem_size - skip) / sizeof(msgpack_object);
    }
    return d;
fail:
    if (d->owns_mem)
        free(d->mem);
    free(d);
    return NULL;
}

void ugw_decoder_free(ugw_decoder *d)
{
    if (!d)
        return;
    if (d->owns_mem)
        free(d->mem);
    free(d);
}

const ugw_decode_opts *ugw_decoder_opts(const ugw_decoder *d)
{
    return d ? &d->opts : NULL;
}
