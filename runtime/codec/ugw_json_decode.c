/*
 * ugw_json_decode.c - the JSON decoder on jsmn.
 *
 * jsmn tokenizes; this file then walks the tokens and checks what jsmn leaves
 * out (the separators between tokens, literals and numbers, control bytes in
 * strings, UTF-8, surrogates, duplicate keys, depth), so that only RFC 8259
 * JSON gets through. The encoder is in ugw_json_encode.c.
 */
#define JSMN_STRICT
#define JSMN_PARENT_LINKS /* O(1) work on ',' and closing brackets */
#define JSMN_STATIC
#include <jsmn.h>

#include <string.h>

#include "ugw_internal.h"

const size_t ugw__jsmn_token_size = sizeof(jsmntok_t);

#include "ugw_json_walk.h"

/* ---- payload and document ---- */

/* The members of one struct being decoded: the payload or an object. */
typedef struct pctx {
    const ugw_field_desc *fields;
    uint32_t nfields;
    uint32_t depth;       /* of the object itself (the payload: 2) */
    const char *prefix;   /* of unknown keys' paths: "payload", or NULL in an object */
    void *payload;        /* the struct */
    uint64_t seen;
    int last;             /* the field payload_member() matched last */
    ugw_str unknown[64];  /* unknown keys seen, for duplicates */
    size_t nunknown;
} pctx;

static ugw_status compound_value(jctx *c, const ugw_field_desc *f, void *base, int *vi,
                                 uint32_t depth);

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
            return st;
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
        ugw_str s;
        bool raw;
        if (v->type != JSMN_STRING)
            return ugw_error_set(c->err, UGW_ERR_TYPE, "expected a string", pos, f->path);
        if ((st = str_value(c, v, f->path, &s, &raw)))
            return st;
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
            return st;
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

static ugw_status unknown_member(jctx *c, ugw_str *seen, size_t *nseen, size_t cap,
                                 const jsmntok_t *k, const ugw_str *kv, int *vi,
                                 const char *prefix, uint32_t depth)
{
    char pbuf[UGW_PATH_MAX];
    const char *path = ugw__path_join(pbuf, prefix, kv->ptr, kv->len);
    if (c->dec->opts.strict)
        return ugw_error_set(c->err, UGW_ERR_UNKNOWN_KEY, "unknown key (strict mode)", raw_start(k), path);
    for (size_t q = 0; q < *nseen; q++)
        if (seen[q].len == kv->len && memcmp(seen[q].ptr, kv->ptr, kv->len) == 0)
            return ugw_error_set(c->err, UGW_ERR_DUPLICATE_KEY, "duplicate key", raw_start(k), path);
    if (*nseen >= cap)
        return ugw_error_set(c->err, UGW_ERR_LIMIT, "too many unknown keys in one object", raw_start(k), path);
    seen[(*nseen)++] = *kv;
    return skip(c, vi, depth, path);
}

static ugw_status payload_member(jctx *c, void *ctx, const jsmntok_t *k,
                                 const ugw_str *kv, int *vi)
{
    pctx *p = ctx;
    int fi = ugw__field_index(p->fields, p->nfields, kv->ptr, kv->len);
    if (fi < 0)
        return unknown_member(c, p->unknown, &p->nunknown, 64, k, kv, vi, p->prefix, p->depth + 1);
    {
        const ugw_field_desc *f = &p->fields[fi];
        ugw_status st;
        if (p->seen & ((uint64_t)1 << fi))
            return ugw_error_set(c->err, UGW_ERR_DUPLICATE_KEY, "duplicate key", raw_start(k), f->path);
        p->seen |= (uint64_t)1 << fi;
        p->last = fi;
        if (ugw__compound(f)) {
            if ((st = compound_value(c, f, p->payload, vi, p->depth + 1)))
                return st;
            ugw__mark_present(f, p->payload);
            return UGW_OK;
        }
        if ((st = field_value(c, f, p->payload, &c->t[*vi])))
            return st;
        ugw__mark_present(f, p->payload);
        /* a field value is a single token unless it is a container, which
         * field_value() rejected as a wrong type */
        (*vi)++;
        return UGW_OK;
    }
}

typedef struct rctx {
    int event_tok, payload_tok;
    ugw_str unknown[64];
    size_t nunknown;
    const ugw_envelope_desc *env;
    pctx *envp;           /* the envelope's fields, when it has some */
} rctx;

/* A document member that is no envelope key, of a schema with envelope
 * fields: one of them, or an unknown key (out of line: the bundled events'
 * path never comes here). */
static UGW__NOINLINE ugw_status envelope_member(jctx *c, pctx *envp, const jsmntok_t *k,
                                                const ugw_str *kv, int *vi)
{
    return payload_member(c, envp, k, kv, vi);
}

static ugw_status root_member(jctx *c, void *ctx, const jsmntok_t *k,
                              const ugw_str *kv, int *vi)
{
    rctx *r = ctx;
    const ugw_envelope_desc *env = r->env;
    int which = ugw__root_key(env, kv->ptr, kv->len);
    int *slot = which == 1 ? &r->event_tok : which == 2 ? &r->payload_tok : NULL;
    if (UGW__UNLIKELY(!slot && r->envp))
        return envelope_member(c, r->envp, k, kv, vi);
    if (!slot)
        return unknown_member(c, r->unknown, &r->nunknown, 64, k, kv, vi, "", 2);
    if (*slot >= 0)
        return ugw_error_set(c->err, UGW_ERR_DUPLICATE_KEY, "duplicate key", raw_start(k), slot == &r->event_tok ? env->event_key : env->payload_key);
    *slot = *vi;
    /* Skip now (checking depth and syntax); the value is decoded later. */
    if (c->t[*vi].type == JSMN_OBJECT || c->t[*vi].type == JSMN_ARRAY) {
        int j = *vi;
        /* The payload object is walked again when decoded; walk only its
         * token extent here, checked by the decode. */
        const jsmntok_t *t = &c->t[j];
        j++;
        if (c->t[c->ntok - 1].start < t->end)
            j = c->ntok; /* the last member: its tokens run to the end */
        while (j < c->ntok && c->t[j].start < t->end)
            j++;
        *vi = j;
        return UGW_OK;
    }
    (*vi)++;
    return UGW_OK;
}

/*
 * A member the walk below does not take in stride (a key other than the
 * field expected next, or written another way): its ':', its key, then
 * payload_member(), all as walk_object() does. *vi is at the value.
 */
static UGW__NOINLINE ugw_status member_slow(jctx *c, pctx *p, const jsmntok_t *k, int *vi)
{
    ugw_str kv;
    ugw_status st;
    if ((st = gap(c, raw_end(k), raw_start(&c->t[*vi]), ':')))
        return st;
    if ((st = key_view(c, k, &kv)))
        return st;
    return payload_member(c, p, k, &kv, vi);
}

/*
 * The members of the object at token *i into the struct at `base`, in one
 * walk over its tokens. Encoders write the fields in their order, so each
 * key is first compared with the field expected next (the one after the
 * field matched before), as it is written, with its ':': a match leaves
 * nothing to check about the key. Other keys take member_slow().
 */
static ugw_status decode_members(jctx *c, const ugw_field_desc *fields, uint32_t n, int *i,
                                 uint32_t depth, const char *prefix, void *base)
{
    const jsmntok_t *obj = &c->t[*i];
    const int nm = obj->size;
    int j = *i + 1;
    uint32_t next = 0;
    size_t cursor = (size_t)obj->start + 1;
    uint64_t seen = 0; /* p.seen, kept out of memory on the common path */
    ugw_status st;
    pctx p;
    p.fields = fields;
    p.nfields = n;
    p.depth = depth;
    p.prefix = prefix;
    p.payload = base;
    p.seen = 0;
    p.last = -1;
    p.nunknown = 0;
    if (depth > c->dec->opts.max_depth)
        return depth_error(c, *i);
    for (int m = 0; m < nm; m++) {
        const jsmntok_t *k = &c->t[j];
        const jsmntok_t *vt = k + 1;
        const int v = j + 1;
        if (UGW__UNLIKELY(k->type != JSMN_STRING || k->size != 1))
            return member_syntax(c, j);
        if ((st = gap_sep(c, cursor, (size_t)k->start - 1, m ? ',' : 0)))
            return st;
        j = v;
        if (UGW__LIKELY(next < n && key_is(c, k, &fields[next]) && !(seen & ((uint64_t)1 << next)))) {
            const ugw_field_desc *f = &fields[next];
            if ((st = gap_sep(c, (size_t)k->end + 2, raw_start(vt), 0)))
                return st;
            seen |= (uint64_t)1 << next;
            if (ugw__compound(f)) {
                if ((st = compound_value(c, f, base, &j, depth + 1)))
                    return st;
                cursor = value_end(c, v);
            } else {
                if ((st = field_value(c, f, base, vt)))
                    return st;
                j++; /* a scalar's value is one token (field_value() refused containers) */
                cursor = raw_end(vt);
            }
            ugw__mark_present(f, base);
            next++;
        } else {
            p.seen = seen;
            p.last = -1;
            if ((st = member_slow(c, &p, k, &j)))
                return st;
            seen = p.seen;
            if (p.last >= 0)
                next = (uint32_t)p.last + 1;
            cursor = value_end(c, v);
        }
    }
    p.seen = seen;
    if ((st = gap_sep(c, cursor, (size_t)obj->end - 1, 0)))
        return st;
    *i = j;
    if (n < 64 && p.seen == ((uint64_t)1 << n) - 1)
        return UGW_OK; /* every field there */
    return ugw__check_required(fields, n, p.seen, (size_t)obj->start, c->err);
}

/* A value that is not what field `f` wants: checked as JSON, then TYPE. */
static ugw_status wrong_type(jctx *c, const ugw_field_desc *f, const jsmntok_t *v,
                             const char *message)
{
    ugw_status st;
    if (v->type == JSMN_PRIMITIVE && (st = prim_check(c, v)))
        return st;
    return ugw_error_set(c->err, UGW_ERR_TYPE, message, raw_start(v), f->path);
}

/*
 * An object or array field `f` of the struct at `base`, its value at token
 * *vi; on return *vi is the token after the value. Errors inside are found
 * with paths relative to the value and completed here.
 */
static ugw_status compound_value(jctx *c, const ugw_field_desc *f, void *base, int *vi,
                                 uint32_t depth)
{
    const jsmntok_t *v = &c->t[*vi];
    ugw_status st;
    if (v->type == JSMN_PRIMITIVE && f->nullable && c->in[v->start] == 'n') {
        if ((st = prim_check(c, v)))
            return st;
        ugw__set_null(f, base);
        (*vi)++;
        return UGW_OK;
    }
    if (f->type == UGW_TYPE_OBJECT) {
        if (v->type != JSMN_OBJECT)
            return wrong_type(c, f, v, "expected an object");
        st = decode_members(c, f->object->fields, f->object->nfields, vi, depth, NULL,
                            (char *)base + f->offset);
        ugw__path_prepend(c->err, f->path);
        return st;
    }
    if (v->type != JSMN_ARRAY)
        return wrong_type(c, f, v, "expected an array");
    if (depth > c->dec->opts.max_depth)
        return depth_error(c, *vi);
    if ((st = ugw__check_count(f, (uint64_t)v->size, raw_start(v), c->err)))
        return st;
    {
        const ugw_field_desc *it = f->item;
        int j = *vi + 1;
        size_t cursor = (size_t)v->start + 1;
        for (int m = 0; m < v->size; m++) {
            int at = j;
            void *slot = (char *)base + f->offset + (size_t)m * f->item_size;
            if ((st = gap(c, cursor, raw_start(&c->t[j]), m ? ',' : 0)))
                return st;
            if (ugw__compound(it)) {
                st = compound_value(c, it, slot, &j, depth + 1);
            } else if (!(st = field_value(c, it, slot, &c->t[j]))) {
                j++;
            }
            if (st) {
                ugw__path_item(c->err, (uint32_t)m);
                ugw__path_prepend(c->err, f->path);
                return st;
            }
            cursor = value_end(c, at);
        }
        if ((st = gap(c, cursor, (size_t)v->end - 1, 0)))
            return st;
        *UGW__AT(base, f->aux_offset, uint32_t) = (uint32_t)v->size;
        *vi = j;
        return UGW_OK;
    }
}

static ugw_status decode_payload(jctx *c, const ugw_event_desc *ed, int pi,
                                 void *payload, const char *payload_key)
{
    int i = pi;
    return decode_members(c, ed->fields, ed->nfields, &i, 2, payload_key, payload);
}

ugw_status ugw__json_decode(const ugw_schema *s, ugw_decoder *dec,
                            const char *in, size_t len, int *type,
                            void *payload, size_t payload_cap, ugw_error *err)
{
    jsmn_parser parser;
    jsmntok_t *toks;
    jctx c;
    rctx r;
    pctx envp;
    int n, i, evt;
    ugw_status st;
    const char *nul;

    toks = dec->toks;
    jsmn_init(&parser);
    n = jsmn_parse(&parser, in, len, toks, dec->opts.max_tokens);
    /* jsmn stops at the first NUL: where it stopped short of the end after
     * a success, that is one; after a failure, it may have stopped earlier */
    nul = n > 0 ? (parser.pos < len ? in + parser.pos : NULL) : len ? memchr(in, 0, len) : NULL;
    if (nul)
        return ugw_error_set(err, UGW_ERR_SYNTAX, "NUL byte in JSON text", (size_t)(nul - in), NULL);
    if (n < 0 || n == 0) {
        /* Was a whole document already closed? Then the problem is after it. */
        if (parser.toknext > 0 && toks[0].end >= 0 && n != 0) {
            size_t e = (size_t)toks[0].end;
            while (e < len && is_ws(in[e]))
                e++;
            if (e < len)
                return ugw_error_set(err, UGW_ERR_TRAILING, "bytes after the document", e, NULL);
        }
        if (n == JSMN_ERROR_PART && parser.toknext == 0) {
            /* jsmn (strict) wants a delimiter after a primitive: a whole
             * document that is one literal or number ends up here. */
            size_t b = 0, e = len;
            while (b < len && is_ws(in[b]))
                b++;
            while (e > b && is_ws(in[e - 1]))
                e--;
            if (b < e && in[b] != '"' && in[b] != '{' && in[b] != '[') {
                if (primitive(in + b, e - b) != PRIM_BAD)
                    return ugw_error_set(err, UGW_ERR_TYPE, "document is not an object", b, NULL);
                return ugw_error_set(err, UGW_ERR_SYNTAX, "invalid literal or number", b, NULL);
            }
        }
        if (n == JSMN_ERROR_NOMEM)
            return ugw_error_set(err, UGW_ERR_LIMIT, "more tokens than the decoder's max_tokens", parser.pos, NULL);
        if (n == JSMN_ERROR_INVAL)
            return ugw_error_set(err, UGW_ERR_SYNTAX, "malformed JSON", parser.pos, NULL);
        return ugw_error_set(err, UGW_ERR_TRUNCATED, "document ends early", len, NULL);
    }
    c.in = in;
    c.len = len;
    c.t = toks;
    c.ntok = n;
    c.dec = dec;
    c.err = err;
    /* Leading white space, then the document, then only white space. */
    {
        size_t b = 0;
        while (b < len && is_ws(in[b]))
            b++;
        if (b != raw_start(&toks[0]))
            return ugw_error_set(err, UGW_ERR_SYNTAX, "unexpected character", b, NULL);
    }
    if (toks[0].type != JSMN_OBJECT)
        return ugw_error_set(err, UGW_ERR_TYPE, "document is not an object", raw_start(&toks[0]), NULL);
    r.event_tok = r.payload_tok = -1;
    r.nunknown = 0;
    r.env = ugw__envelope(s);
    r.envp = NULL;
    if (UGW__UNLIKELY(r.env->nfields)) {
        envp.fields = r.env->fields;
        envp.nfields = r.env->nfields;
        envp.depth = 1;
        envp.prefix = "";
        envp.payload = dec->env;
        envp.seen = 0;
        envp.last = -1;
        envp.nunknown = 0;
        r.envp = &envp;
    }
    i = 0;
    if ((st = walk_object(&c, &i, 1, "", root_member, &r)))
        return st;
    if (i < n)
        return ugw_error_set(err, UGW_ERR_TRAILING, "bytes after the document", raw_start(&toks[i]), NULL);
    {
        size_t e = (size_t)toks[0].end;
        while (e < len && is_ws(in[e]))
            e++;
        if (e < len)
            return ugw_error_set(err, UGW_ERR_TRAILING, "bytes after the document", e, NULL);
    }
    if (r.event_tok < 0)
        return ugw_error_set(err, UGW_ERR_MISSING, "required field is missing", (size_t)toks[0].start, r.env->event_key);
    {
        const jsmntok_t *et = &toks[r.event_tok];
        ugw_str ev;
        bool raw;
        if (et->type == JSMN_PRIMITIVE && (st = prim_check(&c, et)))
            return st;
        if (et->type != JSMN_STRING)
            return ugw_error_set(err, UGW_ERR_TYPE, "expected a string", raw_start(et), r.env->event_key);
        if ((st = str_value(&c, et, r.env->event_key, &ev, &raw)))
            return st;
        evt = ugw_schema_event_lookup(s, ev.ptr, ev.len);
        if (!evt)
            return ugw_error_set(err, UGW_ERR_UNKNOWN_EVENT, "unknown event", raw_start(et), r.env->event_key);
    }
    if (r.payload_tok < 0)
        return ugw_error_set(err, UGW_ERR_MISSING, "required field is missing", (size_t)toks[0].start, r.env->payload_key);
    if (toks[r.payload_tok].type != JSMN_OBJECT) {
        const jsmntok_t *pt = &toks[r.payload_tok];
        if (pt->type == JSMN_PRIMITIVE && (st = prim_check(&c, pt)))
            return st;
        if (pt->type == JSMN_STRING && (st = str_check(&c, pt, r.env->payload_key)))
            return st;
        if (pt->type == JSMN_ARRAY) {
            int j = r.payload_tok;
            if ((st = skip(&c, &j, 2, r.env->payload_key)))
                return st;
        }
        return ugw_error_set(err, UGW_ERR_TYPE, "expected an object", raw_start(pt), r.env->payload_key);
    }
    if (r.envp
        && (st = ugw__check_required(r.env->fields, r.env->nfields, envp.seen, (size_t)toks[0].start, err)))
        return st;
    if (s->events[evt - 1].size > payload_cap)
        return ugw_error_set(err, UGW_ERR_ARG, "payload buffer too small", 0, NULL);
    if ((st = decode_payload(&c, &s->events[evt - 1], r.payload_tok, payload, r.env->payload_key)))
        return st;
    *type = evt;
    return UGW_OK;
}
