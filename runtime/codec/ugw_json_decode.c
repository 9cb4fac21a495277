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

/* ------------------------------------------------------------------ */
/* Decoder                                                               */
/* ------------------------------------------------------------------ */

typedef struct jctx {
    const char *in;
    size_t len;
    const jsmntok_t *t;
    int ntok;
    ugw_decoder *dec;
    ugw_error *err;
} jctx;

static inline size_t raw_start(const jsmntok_t *t)
{
    return (size_t)t->start - (t->type == JSMN_STRING);
}

static inline size_t raw_end(const jsmntok_t *t)
{
    return (size_t)t->end + (t->type == JSMN_STRING);
}

static inline bool is_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* in[from..to) must be white space around exactly one `sep` (0: none). */
static ugw_status gap(jctx *c, size_t from, size_t to, char sep)
{
    size_t i = from;
    while (i < to && is_ws(c->in[i]))
        i++;
    if (sep) {
        if (i >= to || c->in[i] != sep)
            return ugw_error_set(c->err, UGW_ERR_SYNTAX, sep == ':' ? "expected ':'" : sep == ',' ? "expected ','" : "unexpected character", i < to ? i : to, NULL);
        i++;
        while (i < to && is_ws(c->in[i]))
            i++;
    }
    if (i != to)
        return ugw_error_set(c->err, UGW_ERR_SYNTAX, "unexpected character", i, NULL);
    return UGW_OK;
}

/* Offset of the first byte below 0x20 in p[0..n), or n. */
static size_t first_control(const char *p, size_t n)
{
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t v;
        memcpy(&v, p + i, 8);
        /* a byte < 0x20 has its high bits clear after subtracting 0x20 */
        if (((v - UINT64_C(0x2020202020202020)) & ~v & UINT64_C(0x8080808080808080)) != 0)
            break;
    }
    for (; i < n; i++)
        if ((unsigned char)p[i] < 0x20)
            return i;
    return n;
}

/*
 * The decoded bytes of string token `t`: a view into the input when it has no
 * escape, else unescaped into the arena. Checks control bytes (SYNTAX) and
 * surrogates (UTF8); `*raw` tells whether the view is in the input.
 */
static ugw_status str_value(jctx *c, const jsmntok_t *t, const char *path,
                            ugw_str *out, bool *raw)
{
    const char *p = c->in + t->start;
    size_t n = (size_t)(t->end - t->start), bad;
    size_t ctl = first_control(p, n);
    if (ctl != n)
        return ugw_error_set(c->err, UGW_ERR_SYNTAX, "control character in string", (size_t)t->start + ctl, NULL);
    if (!memchr(p, '\\', n)) {
        out->ptr = p;
        out->len = n;
        *raw = true;
        return UGW_OK;
    }
    {
        char *dst = ugw__arena_alloc(c->dec, n ? n : 1, 1);
        size_t m;
        if (!dst)
            return ugw_error_set(c->err, UGW_ERR_NOMEM, "decoder arena is full", (size_t)t->start, path);
        m = ugw_json_unescape(dst, p, n, &bad);
        if (m == (size_t)-1)
            return ugw_error_set(c->err, UGW_ERR_UTF8, "lone surrogate in \\u escape", (size_t)t->start + bad, path);
        c->dec->arena_used -= n - m; /* give back what unescaping saved */
        out->ptr = dst;
        out->len = m;
        *raw = false;
        return UGW_OK;
    }
}

/* Checks a string that is not a field: valid JSON, valid UTF-8. */
static ugw_status str_check(jctx *c, const jsmntok_t *t, const char *path)
{
    ugw_str s;
    bool raw;
    size_t mark = c->dec->arena_used, bad;
    ugw_status st = str_value(c, t, path, &s, &raw);
    if (st)
        return st;
    bad = ugw_utf8_check(s.ptr, s.len);
    c->dec->arena_used = mark;
    if (bad != s.len)
        return ugw_error_set(c->err, UGW_ERR_UTF8, "invalid UTF-8", raw ? (size_t)t->start + bad : (size_t)t->start, path);
    return UGW_OK;
}

/* RFC 8259 number grammar. */
static bool number_ok(const char *p, size_t n, bool *integer)
{
    size_t i = 0;
    *integer = true;
    if (i < n && p[i] == '-')
        i++;
    if (i >= n)
        return false;
    if (p[i] == '0') {
        i++;
    } else if (p[i] >= '1' && p[i] <= '9') {
        while (i < n && p[i] >= '0' && p[i] <= '9')
            i++;
    } else {
        return false;
    }
    if (i < n && p[i] == '.') {
        *integer = false;
        if (++i >= n || p[i] < '0' || p[i] > '9')
            return false;
        while (i < n && p[i] >= '0' && p[i] <= '9')
            i++;
    }
    if (i < n && (p[i] == 'e' || p[i] == 'E')) {
        *integer = false;
        i++;
        if (i < n && (p[i] == '+' || p[i] == '-'))
            i++;
        if (i >= n || p[i] < '0' || p[i] > '9')
            return false;
        while (i < n && p[i] >= '0' && p[i] <= '9')
            i++;
    }
    return i == n;
}

typedef enum { PRIM_BAD, PRIM_TRUE, PRIM_FALSE, PRIM_NULL, PRIM_INT, PRIM_NUMBER } prim_kind;

static prim_kind primitive(const char *p, size_t n)
{
    bool integer;
    if (n == 4 && memcmp(p, "true", 4) == 0)
        return PRIM_TRUE;
    if (n == 5 && memcmp(p, "false", 5) == 0)
        return PRIM_FALSE;
    if (n == 4 && memcmp(p, "null", 4) == 0)
        return PRIM_NULL;
    if (!number_ok(p, n, &integer))
        return PRIM_BAD;
    return integer ? PRIM_INT : PRIM_NUMBER;
}

static ugw_status prim_check(jctx *c, const jsmntok_t *t)
{
    if (primitive(c->in + t->start, (size_t)(t->end - t->start)) == PRIM_BAD)
        return ugw_error_set(c->err, UGW_ERR_SYNTAX, "invalid literal or number", (size_t)t->start, NULL);
    return UGW_OK;
}

/* Key view of token `k` for comparisons (decoded when it has escapes). */
static ugw_status key_view(jctx *c, const jsmntok_t *k, ugw_str *out)
{
    bool raw;
    size_t bad;
    ugw_status st;
    out->ptr = c->in + k->start;
    out->len = (size_t)(k->end - k->start);
    if (ugw__plain(out->ptr, out->len, false, true))
        return UGW_OK; /* printable ASCII, no escape: the common case */
    st = str_value(c, k, NULL, out, &raw);
    if (st)
        return st;
    bad = ugw_utf8_check(out->ptr, out->len);
    if (bad != out->len)
        return ugw_error_set(c->err, UGW_ERR_UTF8, "invalid UTF-8 in key", raw ? (size_t)k->start + bad : (size_t)k->start, NULL);
    return UGW_OK;
}

static ugw_status skip(jctx *c, int *i, uint32_t depth, const char *path);

/* End offset (exclusive) of the value at token `v`. */
static size_t value_end(const jctx *c, int v)
{
    const jsmntok_t *t = &c->t[v];
    return t->type == JSMN_OBJECT || t->type == JSMN_ARRAY ? (size_t)t->end : raw_end(t);
}


/*
 * Walks the members of the object at token *i (checking separators, keys and
 * duplicates) and calls `member` for each, or skips values when NULL.
 * On return *i is the index after the object.
 */
typedef ugw_status (*member_fn)(jctx *c, void *ctx, const jsmntok_t *key,
                                const ugw_str *k, int *vi);

static ugw_status walk_object(jctx *c, int *i, uint32_t depth, const char *path,
                              member_fn member, void *ctx)
{
    const jsmntok_t *obj = &c->t[*i];
    int n = obj->size, j = *i + 1;
    size_t cursor = (size_t)obj->start + 1;
    size_t mark = c->dec->arena_used;
    ugw_str *keys;
    ugw_status st;
    int v;

    if (depth > c->dec->opts.max_depth)
        return ugw_error_set(c->err, UGW_ERR_DEPTH, "nesting too deep", (size_t)obj->start, path);
    keys = member ? NULL : ugw__arena_alloc(c->dec, sizeof(ugw_str) * (size_t)(n ? n : 1), _Alignof(ugw_str));
    if (!member && !keys)
        return ugw_error_set(c->err, UGW_ERR_NOMEM, "decoder arena is full", (size_t)obj->start, path);
    for (int m = 0; m < n; m++) {
        const jsmntok_t *k = &c->t[j];
        ugw_str kv;
        if (k->type != JSMN_STRING || k->size != 1) {
            /* jsmn hangs a value that lacks its ',' on the previous key:
             * point at that value */
            size_t at = raw_start(k);
            if (k->type == JSMN_STRING && k->size > 1 && j + 1 < c->ntok) {
                at = value_end(c, j + 1);
                while (at < c->len && is_ws(c->in[at]))
                    at++;
            }
            return ugw_error_set(c->err, UGW_ERR_SYNTAX, k->size > 1 ? "expected ','" : "expected a key and ':'", at, NULL);
        }
        if ((st = gap(c, cursor, raw_start(k), m ? ',' : 0)))
            return st;
        if ((st = gap(c, raw_end(k), raw_start(&c->t[j + 1]), ':')))
            return st;
        if ((st = key_view(c, k, &kv)))
            return st;
        j++;
        v = j;
        if (member) {
            if ((st = member(c, ctx, k, &kv, &j)))
                return st;
        } else {
            for (int q = 0; q < m; q++)
                if (keys[q].len == kv.len && memcmp(keys[q].ptr, kv.ptr, kv.len) == 0)
                    return ugw_error_set(c->err, UGW_ERR_DUPLICATE_KEY, "duplicate key", raw_start(k), path);
            keys[m] = kv;
            if ((st = skip(c, &j, depth + 1, path)))
                return st;
        }
        cursor = value_end(c, v);
    }
    if (!member)
        c->dec->arena_used = mark;
    if ((st = gap(c, cursor, (size_t)obj->end - 1, 0)))
        return st;
    *i = j;
    return UGW_OK;
}

/* Skips (and checks) the value at token *i. */
static ugw_status skip(jctx *c, int *i, uint32_t depth, const char *path)
{
    const jsmntok_t *t = &c->t[*i];
    ugw_status st;
    switch (t->type) {
    case JSMN_STRING:
        if ((st = str_check(c, t, path)))
            return st;
        (*i)++;
        return UGW_OK;
    case JSMN_PRIMITIVE:
        if ((st = prim_check(c, t)))
            return st;
        (*i)++;
        return UGW_OK;
    case JSMN_ARRAY: {
        int n = t->size, j = *i + 1;
        size_t cursor = (size_t)t->start + 1;
        if (depth > c->dec->opts.max_depth)
            return ugw_error_set(c->err, UGW_ERR_DEPTH, "nesting too deep", (size_t)t->start, path);
        for (int m = 0; m < n; m++) {
            int v = j;
            if ((st = gap(c, cursor, raw_start(&c->t[j]), m ? ',' : 0)))
                return st;
            if ((st = skip(c, &j, depth + 1, path)))
                return st;
            cursor = value_end(c, v);
        }
        if ((st = gap(c, cursor, (size_t)t->end - 1, 0)))
            return st;
        *i = j;
        return UGW_OK;
    }
    case JSMN_OBJECT:
        return walk_object(c, i, depth, path, NULL, NULL);
    default:
        return ugw_error_set(c->err, UGW_ERR_SYNTAX, "malformed document", (size_t)t->start, NULL);
    }
}

/* ---- payload and document ---- */

typedef struct pctx {
    const ugw_event_desc *ed;
    void *payload;
    uint64_t seen;
    ugw_str unknown[64];  /* unknown keys seen, for duplicates */
    size_t nunknown;
} pctx;

static ugw_status field_value(jctx *c, const ugw_field_desc *f, void *payload, const jsmntok_t *v)
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
    }
    return ugw_error_set(c->err, UGW_ERR_ARG, "descriptor has an unknown field type", pos, f->path);
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
    int fi = ugw__field_index(p->ed, kv->ptr, kv->len);
    if (fi < 0)
        return unknown_member(c, p->unknown, &p->nunknown, 64, k, kv, vi, "payload", 3);
    {
        const ugw_field_desc *f = &p->ed->fields[fi];
        ugw_status st;
        if (p->seen & ((uint64_t)1 << fi))
            return ugw_error_set(c->err, UGW_ERR_DUPLICATE_KEY, "duplicate key", raw_start(k), f->path);
        p->seen |= (uint64_t)1 << fi;
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
} rctx;

static ugw_status root_member(jctx *c, void *ctx, const jsmntok_t *k,
                              const ugw_str *kv, int *vi)
{
    rctx *r = ctx;
    int *slot = NULL;
    if (kv->len == 5 && memcmp(kv->ptr, "event", 5) == 0)
        slot = &r->event_tok;
    else if (kv->len == 7 && memcmp(kv->ptr, "payload", 7) == 0)
        slot = &r->payload_tok;
    if (!slot)
        return unknown_member(c, r->unknown, &r->nunknown, 64, k, kv, vi, "", 2);
    if (*slot >= 0)
        return ugw_error_set(c->err, UGW_ERR_DUPLICATE_KEY, "duplicate key", raw_start(k), slot == &r->event_tok ? "event" : "payload");
    *slot = *vi;
    /* Skip now (checking depth and syntax); the value is decoded later. */
    if (c->t[*vi].type == JSMN_OBJECT || c->t[*vi].type == JSMN_ARRAY) {
        int j = *vi;
        /* The payload object is walked again when decoded; walk only its
         * token extent here, checked by the decode. */
        const jsmntok_t *t = &c->t[j];
        j++;
        while (j < c->ntok && c->t[j].start < t->end)
            j++;
        *vi = j;
        return UGW_OK;
    }
    (*vi)++;
    return UGW_OK;
}

static ugw_status decode_payload(jctx *c, const ugw_event_desc *ed, int pi,
                                 void *payload)
{
    pctx p;
    ugw_status st;
    int i = pi;
    p.ed = ed;
    p.payload = payload;
    p.seen = 0;
    p.nunknown = 0;
    if ((st = walk_object(c, &i, 2, "payload", payload_member, &p)))
        return st;
    return ugw__check_required(ed, p.seen, (size_t)c->t[pi].start, c->err);
}

ugw_status ugw__json_decode(const ugw_schema *s, ugw_decoder *dec,
                            const char *in, size_t len, int *type,
                            void *payload, size_t payload_cap, ugw_error *err)
{
    jsmn_parser parser;
    jsmntok_t *toks;
    jctx c;
    rctx r;
    int n, i, evt;
    ugw_status st;
    const char *nul;

    nul = len ? memchr(in, 0, len) : NULL;
    if (nul)
        return ugw_error_set(err, UGW_ERR_SYNTAX, "NUL byte in JSON text", (size_t)(nul - in), NULL);
    toks = dec->toks;
    jsmn_init(&parser);
    n = jsmn_parse(&parser, in, len, toks, dec->opts.max_tokens);
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
        return ugw_error_set(err, UGW_ERR_MISSING, "required field is missing", (size_t)toks[0].start, "event");
    {
        const jsmntok_t *et = &toks[r.event_tok];
        ugw_str ev;
        bool raw;
        if (et->type == JSMN_PRIMITIVE && (st = prim_check(&c, et)))
            return st;
        if (et->type != JSMN_STRING)
            return ugw_error_set(err, UGW_ERR_TYPE, "expected a string", raw_start(et), "event");
        if ((st = str_value(&c, et, "event", &ev, &raw)))
            return st;
        evt = ugw_schema_event_lookup(s, ev.ptr, ev.len);
        if (!evt)
            return ugw_error_set(err, UGW_ERR_UNKNOWN_EVENT, "unknown event", raw_start(et), "event");
    }
    if (r.payload_tok < 0)
        return ugw_error_set(err, UGW_ERR_MISSING, "required field is missing", (size_t)toks[0].start, "payload");
    if (toks[r.payload_tok].type != JSMN_OBJECT) {
        const jsmntok_t *pt = &toks[r.payload_tok];
        if (pt->type == JSMN_PRIMITIVE && (st = prim_check(&c, pt)))
            return st;
        if (pt->type == JSMN_STRING && (st = str_check(&c, pt, "payload")))
            return st;
        if (pt->type == JSMN_ARRAY) {
            int j = r.payload_tok;
            if ((st = skip(&c, &j, 2, "payload")))
                return st;
        }
        return ugw_error_set(err, UGW_ERR_TYPE, "expected an object", raw_start(pt), "payload");
    }
    if (s->events[evt - 1].size > payload_cap)
        return ugw_error_set(err, UGW_ERR_ARG, "payload buffer too small", 0, NULL);
    if ((st = decode_payload(&c, &s->events[evt - 1], r.payload_tok, payload)))
        return st;
    *type = evt;
    return UGW_OK;
}
