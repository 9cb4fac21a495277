/*
 * ugw_json_walk.h - the JSON decoder's walk over jsmn's tokens: separators,
 * strings, literals and numbers, keys, skipping (and checking) values that
 * are no field, and depth. Static functions private to ugw_json_decode.c,
 * which includes this once, after <jsmn.h> (JSMN_STRICT, JSMN_PARENT_LINKS).
 */
#ifndef UGW_JSON_WALK_H
#define UGW_JSON_WALK_H

#include <string.h>

#include "ugw_internal.h"

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

/*
 * The separators of the walk. jsmn hands over tokens whatever lies between
 * them (it takes "a" :: 1 and [1,,2]); gap() checks that, and these take the
 * common cases first: nothing between (no ',' expected), or exactly the one
 * separator, then gap() on anything else, for the exact error.
 */
static inline ugw_status gap_sep(jctx *c, size_t from, size_t to, char sep)
{
    if (sep ? to == from + 1 && c->in[from] == sep : to == from)
        return UGW_OK;
    return gap(c, from, to, sep);
}

/* Whether a[0..n) equals b[0..n), 8 bytes at a time (no library call for
 * the short keys of the walk); reads only a[0..n) and b[0..n). */
static inline bool bytes_eq(const char *a, const char *b, size_t n)
{
    uint64_t x, y, d = 0;
    if (n >= 8) {
        size_t i = 0;
        for (; i + 8 < n; i += 8) {
            memcpy(&x, a + i, 8);
            memcpy(&y, b + i, 8);
            d |= x ^ y;
        }
        memcpy(&x, a + n - 8, 8);
        memcpy(&y, b + n - 8, 8);
        return (d | (x ^ y)) == 0;
    }
    if (n >= 4) {
        uint32_t u, v, e;
        memcpy(&u, a, 4);
        memcpy(&v, b, 4);
        e = u ^ v;
        memcpy(&u, a + n - 4, 4);
        memcpy(&v, b + n - 4, 4);
        return (e | (u ^ v)) == 0;
    }
    for (size_t i = 0; i < n; i++)
        d |= (uint64_t)(unsigned char)(a[i] ^ b[i]);
    return d == 0;
}

/*
 * Whether key token `k` is field `f`'s name written as it is, with the ':'
 * right after it: the bytes from the key's opening quote are f->json_key,
 * `"name":` as the encoder writes it (a string without escapes ends at its
 * first quote, so they are the whole key and its ':'). Field names are
 * letters and digits (the schema checker's rule), so such a key needs no
 * unescaping and is valid UTF-8 without control bytes: matched, it needs no
 * other check, nor does its ':'. Keys of 8 to 24 bytes with their quotes and
 * ':' (names of 5 to 21 letters), the usual ones, are compared in three
 * overlapping words, without a branch on their length.
 */
static inline bool key_is(const jctx *c, const jsmntok_t *k, const ugw_field_desc *f)
{
    const size_t n = f->json_key_len, at = (size_t)k->start - 1;
    const char *a = c->in + at, *b = f->json_key;
    if (UGW__UNLIKELY(n != (size_t)f->name_len + 3u || n > c->len - at))
        return false; /* a descriptor without its json_key, or the input ends first */
    if (UGW__LIKELY(n >= 8 && n <= 24)) {
        uint64_t x0, y0, x1, y1, x2, y2;
        memcpy(&x0, a, 8);
        memcpy(&y0, b, 8);
        memcpy(&x1, a + n / 2 - 4, 8);
        memcpy(&y1, b + n / 2 - 4, 8);
        memcpy(&x2, a + n - 8, 8);
        memcpy(&y2, b + n - 8, 8);
        return ((x0 ^ y0) | (x1 ^ y1) | (x2 ^ y2)) == 0;
    }
    return bytes_eq(a, b, n);
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
 * The decoded bytes of string token `t` by the exact checks, one after the
 * other: control bytes (SYNTAX), then escapes and surrogates (UTF8), without
 * UTF-8. str_decode() comes here only for a string that has a problem. When
 * the arena cannot hold the escaped text, the decoded length is counted
 * first and only that much taken; when not even that fits: NOMEM with
 * out->ptr NULL and out->len the decoded length, for the field's check.
 */
static UGW__NOINLINE ugw_status str_value_exact(jctx *c, const jsmntok_t *t, const char *path,
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
        /* room for the escaped text, or else for the decoded text alone
         * (a valid escape decodes to at least one byte) */
        size_t room = n, m;
        char *dst = ugw__arena_alloc(c->dec, n, 1); /* n > 0: it holds a backslash */
        if (!dst && (room = ugw__json_unescaped_len(p, n, &bad)) != (size_t)-1
            && !(dst = ugw__arena_alloc(c->dec, room, 1))) {
            out->ptr = NULL;
            out->len = room;
            return ugw_error_set(c->err, UGW_ERR_NOMEM, "decoder arena is full", (size_t)t->start, path);
        }
        m = dst ? ugw_json_unescape(dst, p, n, &bad) : (size_t)-1;
        if (m == (size_t)-1)
            return ugw_error_set(c->err, UGW_ERR_UTF8, "lone surrogate in \\u escape", (size_t)t->start + bad, path);
        c->dec->arena_used -= room - m; /* give back what unescaping saved */
        out->ptr = dst;
        out->len = m;
        *raw = false;
        return UGW_OK;
    }
}

/*
 * The text p[0..n) of a string token whose first escape is at `at` (where
 * the text scanner answered UGW__TEXT_ESCAPE), unescaped into dst, which has
 * room for n bytes: UGW__TEXT_OK with the decoded bytes in *out (and *nul
 * set when one of them is a NUL); otherwise the scanner's answer, *out
 * untouched. The one unescaping step of str_decode() and of the generated
 * fast paths' string memory (scratch_text(), ugw_json_decode.c).
 */
static int unescape_text(char *dst, const char *p, size_t n, size_t at, ugw_str *out, bool *nul)
{
    size_t m = 0, bad = 0;
    int r;
    memcpy(dst, p, at);
    r = ugw__json_text_decode(dst + at, p + at, n - at, &m, nul, &bad);
    if (r == UGW__TEXT_OK) {
        out->ptr = dst;
        out->len = at + m;
    }
    return r;
}

/*
 * The decoded bytes of string token `t`: a view into the input when it has no
 * escape (`*raw`), else unescaped into the arena; in one pass of the text
 * scanner that also checks UTF-8 (then `*valid`) and notes a decoded NUL
 * (`*nul`). A string with a problem takes the exact checks instead, which
 * report control bytes (SYNTAX) and surrogates (UTF8) as always and leave
 * `*valid` false: UTF-8 is then the caller's to check.
 */
static ugw_status str_decode(jctx *c, const jsmntok_t *t, const char *path, ugw_str *out,
                             bool *raw, bool *valid, bool *nul)
{
    const char *p = c->in + t->start;
    size_t n = (size_t)(t->end - t->start), at = 0;
    int r;
    *nul = false;
    /* printable ASCII without escapes, 8 bytes at a time inline; else the
     * scanner */
    r = ugw__plain(p, n, false, true) ? UGW__TEXT_OK : ugw__json_text_check(p, n, &at);
    if (UGW__LIKELY(r == UGW__TEXT_OK)) {
        out->ptr = p;
        out->len = n;
        *raw = *valid = true;
        return UGW_OK;
    }
    if (r == UGW__TEXT_ESCAPE) {
        size_t mark = c->dec->arena_used;
        char *dst = ugw__arena_alloc(c->dec, n, 1); /* n > 0: it holds a backslash */
        if (dst && unescape_text(dst, p, n, at, out, nul) == UGW__TEXT_OK) {
            c->dec->arena_used -= n - out->len; /* give back what unescaping saved */
            *raw = false;
            *valid = true;
            return UGW_OK;
        }
        c->dec->arena_used = mark;
        *nul = false;
    }
    *valid = false;
    return str_value_exact(c, t, path, out, raw);
}

/* str_decode() for callers that check UTF-8 themselves (or need not). */
static ugw_status str_value(jctx *c, const jsmntok_t *t, const char *path,
                            ugw_str *out, bool *raw)
{
    bool valid, nul;
    return str_decode(c, t, path, out, raw, &valid, &nul);
}

/* Checks a string that is not a field: valid JSON, valid UTF-8. */
static ugw_status str_check(jctx *c, const jsmntok_t *t, const char *path)
{
    ugw_str s;
    bool raw, valid, nul;
    size_t mark = c->dec->arena_used, bad;
    ugw_status st = str_decode(c, t, path, &s, &raw, &valid, &nul);
    if (st)
        return st;
    bad = valid ? s.len : ugw_utf8_check(s.ptr, s.len);
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
static ugw_status key_view_rest(jctx *c, const jsmntok_t *k, ugw_str *out);

static inline ugw_status key_view(jctx *c, const jsmntok_t *k, ugw_str *out)
{
    out->ptr = c->in + k->start;
    out->len = (size_t)(k->end - k->start);
    if (UGW__LIKELY(ugw__plain(out->ptr, out->len, false, true)))
        return UGW_OK; /* printable ASCII, no escape: the common case */
    return key_view_rest(c, k, out);
}

static UGW__NOINLINE ugw_status key_view_rest(jctx *c, const jsmntok_t *k, ugw_str *out)
{
    bool raw, valid, nul;
    size_t bad;
    ugw_status st = str_decode(c, k, NULL, out, &raw, &valid, &nul);
    if (st || valid)
        return st;
    bad = ugw_utf8_check(out->ptr, out->len);
    if (bad != out->len)
        return ugw_error_set(c->err, UGW_ERR_UTF8, "invalid UTF-8 in key", raw ? (size_t)k->start + bad : (size_t)k->start, NULL);
    return UGW_OK;
}

static ugw_status skip(jctx *c, int *i, uint32_t depth, const char *path);

/*
 * A depth error at the container at token `ti`: its path, rebuilt from
 * jsmn's parent links (a value's parent is its key, a key's its object, an
 * item's its array) up to the innermost key, as the MessagePack scan does.
 * Keys are shown as they are written (escapes and all).
 */
static ugw_status depth_error(jctx *c, int ti)
{
    const char *keys[UGW_MAX_DEPTH_LIMIT + 2];
    size_t lens[UGW_MAX_DEPTH_LIMIT + 2];
    uint64_t index[UGW_MAX_DEPTH_LIMIT + 2];
    char buf[UGW_PATH_MAX];
    int nlev = 0, cur = ti, cap = UGW_MAX_DEPTH_LIMIT + 2;
    /* walk up, filling the levels from the end */
    while (cur > 0 && nlev < cap) {
        int par = c->t[cur].parent;
        if (par < 0)
            break;
        if (c->t[par].type == JSMN_STRING) {
            keys[cap - 1 - nlev] = c->in + c->t[par].start;
            lens[cap - 1 - nlev] = (size_t)(c->t[par].end - c->t[par].start);
            index[cap - 1 - nlev] = 0;
            cur = c->t[par].parent;
        } else {
            uint64_t k = 0;
            for (int q = par + 1; q < cur; q++)
                k += c->t[q].parent == par;
            keys[cap - 1 - nlev] = NULL;
            lens[cap - 1 - nlev] = 0;
            index[cap - 1 - nlev] = k;
            cur = par;
        }
        nlev++;
    }
    ugw__depth_path(buf, keys + cap - nlev, lens + cap - nlev, index + cap - nlev, nlev);
    return ugw_error_set(c->err, UGW_ERR_DEPTH, "nesting too deep", (size_t)c->t[ti].start, buf);
}

/* End offset (exclusive) of the value at token `v`. */
static size_t value_end(const jctx *c, int v)
{
    const jsmntok_t *t = &c->t[v];
    return t->type == JSMN_OBJECT || t->type == JSMN_ARRAY ? (size_t)t->end : raw_end(t);
}


/* The error of a member whose key token is no string with one value. */
static UGW__NOINLINE ugw_status member_syntax(jctx *c, int j)
{
    const jsmntok_t *k = &c->t[j];
    /* jsmn hangs a value that lacks its ',' on the previous key: point at
     * that value */
    size_t at = raw_start(k);
    if (k->type == JSMN_STRING && k->size > 1 && j + 1 < c->ntok) {
        at = value_end(c, j + 1);
        while (at < c->len && is_ws(c->in[at]))
            at++;
    }
    return ugw_error_set(c->err, UGW_ERR_SYNTAX, k->size > 1 ? "expected ','" : "expected a key and ':'", at, NULL);
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
        return depth_error(c, *i);
    keys = member ? NULL : ugw__arena_alloc(c->dec, sizeof(ugw_str) * (size_t)(n ? n : 1), _Alignof(ugw_str));
    if (!member && !keys)
        return ugw_error_set(c->err, UGW_ERR_NOMEM, "decoder arena is full", (size_t)obj->start, path);
    for (int m = 0; m < n; m++) {
        const jsmntok_t *k = &c->t[j];
        ugw_str kv;
        if (k->type != JSMN_STRING || k->size != 1)
            return member_syntax(c, j);
        if ((st = gap_sep(c, cursor, raw_start(k), m ? ',' : 0)))
            return st;
        if ((st = gap_sep(c, raw_end(k), raw_start(&c->t[j + 1]), ':')))
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
    if ((st = gap_sep(c, cursor, (size_t)obj->end - 1, 0)))
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
            return depth_error(c, *i);
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

#endif /* UGW_JSON_WALK_H */
