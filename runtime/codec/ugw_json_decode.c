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

/* The generated JSON decode fast paths read jsmn's tokens as
 * ugw_json_token (ugw_generated_support.h): the same layout and types. */
_Static_assert(sizeof(jsmntok_t) == sizeof(ugw_json_token) && sizeof(jsmntype_t) == sizeof(int)
                   && offsetof(jsmntok_t, type) == offsetof(ugw_json_token, type)
                   && offsetof(jsmntok_t, start) == offsetof(ugw_json_token, start)
                   && offsetof(jsmntok_t, end) == offsetof(ugw_json_token, end)
                   && offsetof(jsmntok_t, size) == offsetof(ugw_json_token, size)
                   && offsetof(jsmntok_t, parent) == offsetof(ugw_json_token, parent),
               "jsmntok_t and ugw_json_token differ");
_Static_assert((int)JSMN_OBJECT == (int)UGW__JSON_OBJECT && (int)JSMN_ARRAY == (int)UGW__JSON_ARRAY
                   && (int)JSMN_STRING == (int)UGW__JSON_STRING
                   && (int)JSMN_PRIMITIVE == (int)UGW__JSON_PRIMITIVE,
               "jsmn's token types and UGW__JSON_* differ");

#include "ugw_json_walk.h"
#include "ugw_json_field.h"

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
 * The event of a document that is the envelope written the common way,
 * checked in one step: it starts with one event's json_head, the bytes the
 * encoder writes, `{"event":"<wire>","payload":{` (the schema's keys, the
 * event string escaped as JSON), and the payload object then holds every
 * token left and closes the document, which has these two members and no
 * envelope fields. Those bytes fix jsmn's first tokens (token 4 is the
 * payload) and leave nothing about the keys and the event string to check.
 * 0 for any other document (white space, another order or escaping, more
 * members, an unknown event), which envelope_walk() takes, finding the
 * first error as always.
 */
static inline int envelope_common(const jctx *c, const ugw_schema *s, const ugw_envelope_desc *env)
{
    const jsmntok_t *t = c->t;
    size_t head;
    if (c->ntok < 5 || t[0].size != 2 || env->nfields || t[4].type != JSMN_OBJECT
        || t[4].end != t[0].end - 1 || t[c->ntok - 1].start >= t[4].end)
        return 0;
    head = (size_t)(t[4].start - t[0].start) + 1;
    for (uint32_t e = 0; e < s->nevents; e++)
        if (s->events[e].json_head_len == head && bytes_eq(c->in + t[0].start, s->events[e].json_head, head))
            return (int)e + 1;
    return 0;
}

/*
 * ugw_json_scratch.text for the generated fast paths: a string token's text
 * that is not plain, as str_decode() takes it (a view when it has no escape,
 * else unescaped at the arena's next byte), when it is valid and holds no
 * NUL: the value the exact walk stores. Anything else: false.
 */
static bool scratch_text(ugw_json_scratch *sc, const char *p, size_t n, ugw_str *out)
{
    size_t at = 0;
    bool nul = false;
    int r = ugw__json_text_check(p, n, &at);
    if (r == UGW__TEXT_OK) {
        out->ptr = p;
        out->len = n;
        return true;
    }
    if (r != UGW__TEXT_ESCAPE || sc->used > sc->cap || sc->cap - sc->used < n
        || unescape_text(sc->buf + sc->used, p, n, at, out, &nul) != UGW__TEXT_OK || nul)
        return false;
    sc->used += out->len;
    return true;
}

/* Only white space after the document's object. */
static ugw_status trailing_ws(jctx *c)
{
    size_t e = (size_t)c->t[0].end;
    while (e < c->len && is_ws(c->in[e]))
        e++;
    if (e < c->len)
        return ugw_error_set(c->err, UGW_ERR_TRAILING, "bytes after the document", e, NULL);
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

/*
 * The document's members one by one (root_member()), for any document that
 * envelope_common() does not take: the event type into *evt, the payload's
 * token into *pi, every error found in document order.
 */
static UGW__NOINLINE ugw_status envelope_walk(jctx *c, const ugw_schema *s, int *evt, int *pi)
{
    rctx r;
    pctx envp;
    int i = 0;
    ugw_status st;

    r.event_tok = r.payload_tok = -1;
    r.nunknown = 0;
    r.env = ugw__envelope(s);
    r.envp = NULL;
    if (UGW__UNLIKELY(r.env->nfields)) {
        envp.fields = r.env->fields;
        envp.nfields = r.env->nfields;
        envp.depth = 1;
        envp.prefix = "";
        envp.payload = c->dec->env;
        envp.seen = 0;
        envp.last = -1;
        envp.nunknown = 0;
        r.envp = &envp;
    }
    if ((st = walk_object(c, &i, 1, "", root_member, &r)))
        return st;
    if (i < c->ntok)
        return ugw_error_set(c->err, UGW_ERR_TRAILING, "bytes after the document", raw_start(&c->t[i]), NULL);
    if ((st = trailing_ws(c)))
        return st;
    if (r.event_tok < 0)
        return ugw_error_set(c->err, UGW_ERR_MISSING, "required field is missing", (size_t)c->t[0].start, r.env->event_key);
    {
        const jsmntok_t *et = &c->t[r.event_tok];
        ugw_str ev;
        bool raw;
        if (et->type == JSMN_PRIMITIVE && (st = prim_check(c, et)))
            return st;
        if (et->type != JSMN_STRING)
            return ugw_error_set(c->err, UGW_ERR_TYPE, "expected a string", raw_start(et), r.env->event_key);
        if ((st = str_value(c, et, r.env->event_key, &ev, &raw)))
            return st;
        *evt = ugw_schema_event_lookup(s, ev.ptr, ev.len);
        if (!*evt)
            return ugw_error_set(c->err, UGW_ERR_UNKNOWN_EVENT, "unknown event", raw_start(et), r.env->event_key);
    }
    if (r.payload_tok < 0)
        return ugw_error_set(c->err, UGW_ERR_MISSING, "required field is missing", (size_t)c->t[0].start, r.env->payload_key);
    if (c->t[r.payload_tok].type != JSMN_OBJECT) {
        const jsmntok_t *pt = &c->t[r.payload_tok];
        if (pt->type == JSMN_PRIMITIVE && (st = prim_check(c, pt)))
            return st;
        if (pt->type == JSMN_STRING && (st = str_check(c, pt, r.env->payload_key)))
            return st;
        if (pt->type == JSMN_ARRAY) {
            int j = r.payload_tok;
            if ((st = skip(c, &j, 2, r.env->payload_key)))
                return st;
        }
        return ugw_error_set(c->err, UGW_ERR_TYPE, "expected an object", raw_start(pt), r.env->payload_key);
    }
    if (r.envp
        && (st = ugw__check_required(r.env->fields, r.env->nfields, envp.seen, (size_t)c->t[0].start, c->err)))
        return st;
    *pi = r.payload_tok;
    return UGW_OK;
}

ugw_status ugw__json_decode(const ugw_schema *s, ugw_decoder *dec,
                            const char *in, size_t len, int *type,
                            void *payload, size_t payload_cap, ugw_error *err)
{
    jsmn_parser parser;
    jsmntok_t *toks;
    jctx c;
    int n, evt, pi;
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
    evt = envelope_common(&c, s, ugw__envelope(s));
    pi = 4;
    if (UGW__LIKELY(evt)) {
        const ugw_event_desc *ed = &s->events[evt - 1];
        if ((st = trailing_ws(&c)))
            return st;
        if (UGW__LIKELY(ed->json_decode_fast && ed->size <= payload_cap && dec->opts.max_depth >= 2)) {
            /* the generated path: the payload written the encoder's way
             * (token 4, its tokens the document's last), or not known */
            ugw_json_scratch sc = { dec->arena, dec->arena_cap, dec->arena_used, scratch_text };
            if (ed->json_decode_fast(in, (const ugw_json_token *)(const void *)&toks[4],
                                     (const ugw_json_token *)(const void *)&toks[n], payload, &sc)) {
                dec->arena_used = sc.used;
                *type = evt;
                return UGW_OK;
            }
            memset(payload, 0, ed->size); /* its scraps: the walk starts from a zeroed struct */
        }
    } else if ((st = envelope_walk(&c, s, &evt, &pi))) {
        return st;
    }
    if (s->events[evt - 1].size > payload_cap)
        return ugw_error_set(err, UGW_ERR_ARG, "payload buffer too small", 0, NULL);
    if ((st = decode_payload(&c, &s->events[evt - 1], pi, payload, ugw__envelope(s)->payload_key)))
        return st;
    *type = evt;
    return UGW_OK;
}
