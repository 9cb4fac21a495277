/*
 * ugw_envelope.c - the envelope level of a document: the entry points with
 * envelope fields (ugw_schema_*_env) and the encoders of documents that
 * have them.
 *
 * A schema without envelope fields never comes here: its envelope keys are
 * in each event's json_head and mp_head, which the encoders copy, and the
 * decoders read the keys from ugw__envelope(). With envelope fields, a
 * document is the event key and string (the head without its payload key),
 * the present envelope fields, then the payload key and the payload, written
 * with the encoders' member writers.
 */
#include <string.h>

#include "ugw_internal.h"

const ugw_envelope_desc ugw__default_envelope = {
    .event_key = "event", .payload_key = "payload", .json_payload_key = "\"payload\":{",
    .mp_payload_key = "\xa7payload", .event_key_len = 5, .payload_key_len = 7,
    .json_payload_key_len = 11, .mp_payload_key_len = 8
};

size_t ugw_schema_envelope_size(const ugw_schema *s)
{
    return s && s->envelope && s->envelope->nfields ? s->envelope->size : 0;
}

/* The first required envelope field, reported when there is no envelope struct. */
static ugw_status no_envelope(const ugw_envelope_desc *env, ugw_error *err)
{
    for (uint32_t i = 0; i < env->nfields; i++)
        if (env->fields[i].required)
            return ugw_error_set(err, UGW_ERR_ARG, "the envelope has required fields: pass the envelope",
                                 0, env->fields[i].path);
    return UGW_OK;
}

ugw_status ugw_schema_validate_env(const ugw_schema *s, int type, const void *envelope,
                                   const void *payload, ugw_error *err)
{
    const ugw_envelope_desc *env = s ? s->envelope : NULL;
    ugw_status st;
    if (!env || !env->nfields)
        return ugw__schema_validate(s, type, payload, err);
    ugw_error_clear(err);
    if (!payload)
        return ugw_error_set(err, UGW_ERR_ARG, "event is NULL", 0, NULL);
    if (!ugw_schema_event(s, type))
        return ugw_error_set(err, UGW_ERR_ARG, "unknown event type", 0, env->event_key);
    st = envelope ? ugw__validate_fields(env->fields, env->nfields, envelope, err) : no_envelope(env, err);
    if (st)
        return st;
    return ugw__validate_payload(ugw_schema_event(s, type), payload, err);
}

/* A map header of `count` members (at most 66 here: fixmap or map 16). */
static size_t mp_map_head(unsigned char *p, uint32_t count)
{
    if (count < 16) {
        if (p)
            p[0] = (unsigned char)(0x80 | count);
        return 1;
    }
    if (p) {
        p[0] = 0xde;
        p[1] = (unsigned char)(count >> 8);
        p[2] = (unsigned char)count;
    }
    return 3;
}

static uint32_t present(const ugw_field_desc *fields, uint32_t n, const void *base)
{
    uint32_t k = 0;
    for (uint32_t i = 0; base && i < n; i++)
        k += ugw__present(&fields[i], base);
    return k;
}

/*
 * The exact size of the document (out NULL), or writes it. `envelope` may
 * be NULL: no envelope field is written. The head of an event is its
 * json_head / mp_head without the payload key at its end (and, in
 * MessagePack, without the map header, which counts the envelope fields).
 */
static size_t env_json(const ugw_envelope_desc *env, const ugw_event_desc *ed, const void *envelope,
                       const void *payload, char *out)
{
    size_t head = (size_t)ed->json_head_len - env->json_payload_key_len;
    size_t em = envelope ? ugw__json_members_size(env->fields, env->nfields, envelope) : 0;
    size_t pm = ugw__json_members_size(ed->fields, ed->nfields, payload), n = head;
    char *p = out;
    if (em == UGW__SIZE_OVERFLOW || pm == UGW__SIZE_OVERFLOW || !ugw__size_add(&n, em)
        || !ugw__size_add(&n, (size_t)(em != 0) + env->json_payload_key_len + 2) || !ugw__size_add(&n, pm)
        || n == UGW__SIZE_OVERFLOW)
        return UGW__SIZE_OVERFLOW;
    if (!out)
        return n;
    memcpy(p, ed->json_head, head); /* `{"type":"...",` */
    p += head;
    if (em) {
        p = ugw__json_members_write(env->fields, env->nfields, envelope, p);
        *p++ = ',';
    }
    memcpy(p, env->json_payload_key, env->json_payload_key_len);
    p += env->json_payload_key_len;
    p = ugw__json_members_write(ed->fields, ed->nfields, payload, p);
    *p++ = '}';
    *p++ = '}';
    return (size_t)(p - out);
}

static size_t env_msgpack(const ugw_envelope_desc *env, const ugw_event_desc *ed, const void *envelope,
                          const void *payload, unsigned char *out)
{
    size_t head = (size_t)ed->mp_head_len - env->mp_payload_key_len - 1;
    uint32_t ne = present(env->fields, env->nfields, envelope);
    uint32_t np = present(ed->fields, ed->nfields, payload);
    size_t em = envelope ? ugw__msgpack_members_size(env->fields, env->nfields, envelope) : 0;
    size_t pm = ugw__msgpack_members_size(ed->fields, ed->nfields, payload), n = head;
    unsigned char *p = out;
    if (em == UGW__SIZE_OVERFLOW || pm == UGW__SIZE_OVERFLOW || !ugw__size_add(&n, em)
        || !ugw__size_add(&n, mp_map_head(NULL, 2 + ne) + env->mp_payload_key_len + (np < 16 ? 1 : 3))
        || !ugw__size_add(&n, pm) || n == UGW__SIZE_OVERFLOW)
        return UGW__SIZE_OVERFLOW;
    if (!out)
        return n;
    p += mp_map_head(p, 2 + ne);
    memcpy(p, ed->mp_head + 1, head); /* the event key and string */
    p += head;
    if (ne)
        p = ugw__msgpack_members_write(env->fields, env->nfields, envelope, p);
    memcpy(p, env->mp_payload_key, env->mp_payload_key_len);
    p += env->mp_payload_key_len;
    if (np < 16) {
        *p++ = (unsigned char)(0x80 | np);
    } else {
        *p++ = 0xde;
        *p++ = (unsigned char)(np >> 8);
        *p++ = (unsigned char)np;
    }
    p = ugw__msgpack_members_write(ed->fields, ed->nfields, payload, p);
    return (size_t)(p - out);
}

ugw_status ugw_schema_encode_env(const ugw_schema *s, int type, const void *envelope,
                                 const void *payload, ugw_format format, void *out, size_t cap,
                                 size_t *out_len, ugw_error *err)
{
    const ugw_envelope_desc *env = s ? s->envelope : NULL;
    const ugw_event_desc *ed;
    ugw_status st;
    size_t need;
    if (!env || !env->nfields)
        return ugw__schema_encode(s, type, payload, format, out, cap, out_len, err);
    if (format != UGW_FORMAT_JSON && format != UGW_FORMAT_MSGPACK) {
        ugw_error_clear(err);
        return ugw_error_set(err, UGW_ERR_ARG, "unknown format", 0, NULL);
    }
    if ((st = ugw_schema_validate_env(s, type, envelope, payload, err)))
        return st;
    ed = ugw_schema_event(s, type);
    need = format == UGW_FORMAT_JSON ? env_json(env, ed, envelope, payload, NULL)
                                     : env_msgpack(env, ed, envelope, payload, NULL);
    if ((st = ugw__encode_room(need, out, cap, out_len, err)) || !out)
        return st;
    if (format == UGW_FORMAT_JSON)
        env_json(env, ed, envelope, payload, out);
    else
        env_msgpack(env, ed, envelope, payload, out);
    return UGW_OK;
}

/*
 * Scratch room for the envelope fields of a decode without an envelope
 * struct: the top of the decoder's memory, which the string arena (JSON) and
 * msgpack-c's nodes (MessagePack) give up for this decode, as long as the
 * nodes keep room for max_tokens. NULL when it does not fit.
 */
static void *scratch_envelope(ugw_decoder *dec, size_t size, size_t *arena_cap, size_t *node_cap)
{
    uintptr_t lo = (uintptr_t)dec->arena, top = (uintptr_t)dec->mem + dec->mem_size, at;
    if (size > dec->mem_size || top - lo < size)
        return NULL;
    at = (top - size) & ~(uintptr_t)(_Alignof(max_align_t) - 1);
    if (at < lo || (at - lo) < 1024 || at < (uintptr_t)dec->nodes
        || (at - (uintptr_t)dec->nodes) / sizeof(msgpack_object) < dec->opts.max_tokens)
        return NULL;
    *arena_cap = dec->arena_cap;
    *node_cap = dec->node_cap;
    dec->arena_cap = (size_t)(at - lo);
    dec->node_cap = (size_t)(at - (uintptr_t)dec->nodes) / sizeof(msgpack_object);
    return (void *)at;
}

ugw_status ugw_schema_decode_env(const ugw_schema *s, ugw_decoder *dec, ugw_format format,
                                 const void *in, size_t len, int *type, void *envelope,
                                 size_t envelope_cap, void *payload, size_t payload_cap,
                                 ugw_error *err)
{
    const ugw_envelope_desc *env = s ? s->envelope : NULL;
    ugw_status st;
    size_t arena_cap = 0, node_cap = 0;
    if (!env || !env->nfields)
        return ugw__schema_decode(s, dec, format, in, len, type, payload, payload_cap, err);
    ugw_error_clear(err);
    if (type)
        *type = 0;
    if (!dec || (!in && len) || !payload || !type)
        return ugw_error_set(err, UGW_ERR_ARG, "NULL argument", 0, NULL);
    memset(payload, 0, payload_cap);
    if (envelope)
        memset(envelope, 0, envelope_cap);
    if (envelope && envelope_cap < env->size)
        return ugw_error_set(err, UGW_ERR_ARG, "envelope buffer too small", 0, NULL);
    if (format != UGW_FORMAT_JSON && format != UGW_FORMAT_MSGPACK)
        return ugw_error_set(err, UGW_ERR_ARG, "unknown format", 0, NULL);
    if (len > dec->opts.max_input)
        return ugw_error_set(err, UGW_ERR_LIMIT, "input larger than the decoder's max_input", dec->opts.max_input, NULL);
    dec->arena_used = 0;
    dec->env = envelope;
    if (!dec->env) {
        /* decoded and checked all the same, into scratch memory */
        dec->env = scratch_envelope(dec, env->size, &arena_cap, &node_cap);
        if (!dec->env)
            return ugw_error_set(err, UGW_ERR_NOMEM, "the decoder's memory cannot hold the envelope: pass one",
                                 0, NULL);
        memset(dec->env, 0, env->size);
    }
    st = format == UGW_FORMAT_JSON
             ? ugw__json_decode(s, dec, in, len, type, payload, payload_cap, err)
             : ugw__msgpack_decode(s, dec, in, len, type, payload, payload_cap, err);
    if (!envelope) {
        dec->arena_cap = arena_cap;
        dec->node_cap = node_cap;
    }
    dec->env = NULL;
    if (st) {
        *type = 0;
        memset(payload, 0, payload_cap);
        if (envelope)
            memset(envelope, 0, envelope_cap);
    }
    return st;
}
