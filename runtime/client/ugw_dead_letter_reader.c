/*
 * ugw_dead_letter_reader.c - reading dead letters back (docs/DEAD_LETTERS.md,
 * ugw_client.h): lines from ugw_line_reader.c, each checked as one JSON
 * object by a scanner made for it, so that every problem has its exact byte.
 *
 * The scanner validates the whole line as JSON first (strings, escapes,
 * numbers, literals, nesting up to DEPTH_MAX without recursion), noting
 * where the known keys' values are; then the values are checked and decoded
 * into one scratch buffer of at most twice the line's length.
 */
#include <stdlib.h>
#include <string.h>

#include "client_internal.h"

#define DEPTH_MAX 64

struct ugw_dead_letter_reader {
    ugw_line_reader *lines;
    char *scratch; /* the record's strings and body */
    size_t scratch_cap;
};

/* A problem in one line: code, static message, index in the line, key. */
typedef struct problem {
    ugw_status code;
    const char *msg;
    size_t at;
    const char *key;
} problem;

static bool bad(problem *pb, ugw_status code, const char *msg, size_t at, const char *key)
{
    pb->code = code;
    pb->msg = msg;
    pb->at = at;
    pb->key = key;
    return false;
}

static const char ends_inside[] = "not valid JSON: the line ends inside the record";
static const char torn[] = "not valid JSON: the file ends inside the last record (a torn write)";

static bool ends(problem *pb, size_t n)
{
    return bad(pb, UGW_ERR_TRUNCATED, ends_inside, n, NULL);
}

/* A value in the line. */
typedef struct value {
    char kind;     /* 0 absent, '"' string, '0' number, 'l' literal, 'o' object or array */
    bool escaped;  /* a string with a backslash in it */
    bool integer;  /* a number without fraction or exponent */
    bool negative;
    size_t at;     /* its first byte; a string's first byte inside the quotes */
    size_t len;    /* its bytes; a string's without the quotes */
} value;

enum { K_ID, K_EVENT, K_FORMAT, K_BODY, K_BODY_B64, K_STATUS, K_ATTEMPTS, K_RESULT, K_ERROR, K_TIME, K_COUNT };

static const char *const key_names[K_COUNT] = {
    "id", "event", "format", "body", "body_base64", "last_status", "attempts", "result", "error", "time",
};
static const char *const not_string[K_COUNT] = {
    "\"id\" is not a string", "\"event\" is not a string", "\"format\" is not a string",
    "\"body\" is not a string", "\"body_base64\" is not a string", NULL, NULL,
    "\"result\" is not a string", "\"error\" is not a string", "\"time\" is not a string",
};
static const char *const bad_escape[K_COUNT] = {
    "\"id\" has a bad escape (a lone surrogate)", "\"event\" has a bad escape (a lone surrogate)",
    "\"format\" has a bad escape (a lone surrogate)", "\"body\" has a bad escape (a lone surrogate)",
    "\"body_base64\" has a bad escape (a lone surrogate)", NULL, NULL,
    "\"result\" has a bad escape (a lone surrogate)", "\"error\" has a bad escape (a lone surrogate)",
    "\"time\" has a bad escape (a lone surrogate)",
};

static size_t ws(const char *s, size_t n, size_t i)
{
    return i + ugw_span(s + i, n - i, UGW_WS_JSON);
}

/* ------------------------------------------------------------------ */
/* JSON, as far as one line of it goes                                  */
/* ------------------------------------------------------------------ */

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool is_hex(char c)
{
    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* The string that opens at s[*pi] == '"'; *pi goes past its closing quote. */
static bool scan_string(const char *s, size_t n, size_t *pi, value *v, problem *pb)
{
    size_t i = *pi + 1;
    v->kind = '"';
    v->at = i;
    v->escaped = false;
    for (;;) {
        while (i < n && s[i] != '"' && s[i] != '\\' && (unsigned char)s[i] >= 0x20)
            i++;
        if (i >= n)
            return ends(pb, n);
        if (s[i] == '"')
            break;
        if (s[i] != '\\')
            return bad(pb, UGW_ERR_SYNTAX, "not valid JSON: a control character in a string", i, NULL);
        v->escaped = true;
        if (i + 1 >= n)
            return ends(pb, n);
        if (s[i + 1] == 'u') {
            for (size_t k = i + 2; k < i + 6; k++) {
                if (k >= n)
                    return ends(pb, n);
                if (!is_hex(s[k]))
                    return bad(pb, UGW_ERR_SYNTAX, "not valid JSON: a bad \\u escape", i, NULL);
            }
            i += 6;
        } else if (s[i + 1] != '\0' && strchr("\"\\/bfnrt", s[i + 1])) {
            i += 2;
        } else {
            return bad(pb, UGW_ERR_SYNTAX, "not valid JSON: a bad escape in a string", i, NULL);
        }
    }
    v->len = i - v->at;
    *pi = i + 1;
    return true;
}

/* A run of at least one digit at s[*pi]. */
static bool digits(const char *s, size_t n, size_t *pi, problem *pb)
{
    size_t i = *pi;
    if (i >= n)
        return ends(pb, n);
    if (!is_digit(s[i]))
        return bad(pb, UGW_ERR_SYNTAX, "not valid JSON: a bad number", i, NULL);
    while (i < n && is_digit(s[i]))
        i++;
    *pi = i;
    return true;
}

static bool scan_number(const char *s, size_t n, size_t *pi, value *v, problem *pb)
{
    size_t i = *pi;
    v->kind = '0';
    v->at = i;
    v->integer = true;
    v->negative = s[i] == '-';
    if (v->negative)
        i++;
    if (i < n && s[i] == '0')
        i++;
    else if (!digits(s, n, &i, pb))
        return false;
    if (i < n && s[i] == '.') {
        v->integer = false;
        i++;
        if (!digits(s, n, &i, pb))
            return false;
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        v->integer = false;
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-'))
            i++;
        if (!digits(s, n, &i, pb))
            return false;
    }
    v->len = i - v->at;
    *pi = i;
    return true;
}

static bool scan_literal(const char *s, size_t n, size_t *pi, value *v, problem *pb)
{
    static const char *const lits[] = { "true", "false", "null" };
    size_t i = *pi;
    for (size_t k = 0; k < 3; k++) {
        size_t len = strlen(lits[k]), have = n - i < len ? n - i : len;
        if (memcmp(s + i, lits[k], have) != 0)
            continue;
        if (have < len)
            return ends(pb, n);
        v->kind = 'l';
        v->at = i;
        v->len = len;
        *pi = i + len;
        return true;
    }
    return bad(pb, UGW_ERR_SYNTAX, "not valid JSON", i, NULL);
}

static bool scan_value(const char *s, size_t n, size_t *pi, value *v, problem *pb);

/* The key of a member, up to and past its ':'. */
static bool scan_key(const char *s, size_t n, size_t *pi, value *k, problem *pb)
{
    size_t i = *pi;
    if (i >= n)
        return ends(pb, n);
    if (s[i] != '"')
        return bad(pb, UGW_ERR_SYNTAX, "not valid JSON: a key must be a string", i, NULL);
    if (!scan_string(s, n, &i, k, pb))
        return false;
    i = ws(s, n, i);
    if (i >= n)
        return ends(pb, n);
    if (s[i] != ':')
        return bad(pb, UGW_ERR_SYNTAX, "not valid JSON: expected ':' after a key", i, NULL);
    *pi = ws(s, n, i + 1);
    return true;
}

/* The object or array that opens at s[*pi], all that is inside included,
 * without recursion: `close` holds what each open level waits for. */
static bool skip_nested(const char *s, size_t n, size_t *pi, problem *pb)
{
    enum { VALUE, FIRST_KEY, FIRST_VALUE, NEXT, KEY } want = VALUE;
    char close[DEPTH_MAX];
    size_t depth = 0, i = *pi;
    for (;;) {
        value v;
        char c;
        i = ws(s, n, i);
        if (i >= n)
            return ends(pb, n);
        c = s[i];
        if ((want == FIRST_KEY || want == FIRST_VALUE || want == NEXT) && c == close[depth - 1]) {
            i++;
            if (--depth == 0) {
                *pi = i;
                return true;
            }
            want = NEXT;
        } else if (want == NEXT) {
            if (c != ',')
                return bad(pb, UGW_ERR_SYNTAX, "not valid JSON: expected ',' or the end of an object or array", i, NULL);
            i++;
            want = close[depth - 1] == '}' ? KEY : VALUE;
        } else if (want == FIRST_KEY || want == KEY) {
            if (!scan_key(s, n, &i, &v, pb))
                return false;
            want = VALUE;
        } else if (c == '{' || c == '[') {
            if (depth == DEPTH_MAX)
                return bad(pb, UGW_ERR_DEPTH, "nested deeper than 64 levels", i, NULL);
            close[depth++] = c == '{' ? '}' : ']';
            i++;
            want = c == '{' ? FIRST_KEY : FIRST_VALUE;
        } else {
            if (!scan_value(s, n, &i, &v, pb))
                return false;
            want = NEXT;
        }
    }
}

static bool scan_value(const char *s, size_t n, size_t *pi, value *v, problem *pb)
{
    char c;
    if (*pi >= n)
        return ends(pb, n);
    c = s[*pi];
    if (c == '"')
        return scan_string(s, n, pi, v, pb);
    if (c == '-' || is_digit(c))
        return scan_number(s, n, pi, v, pb);
    if (c == '{' || c == '[') {
        v->kind = 'o';
        v->at = *pi;
        if (!skip_nested(s, n, pi, pb))
            return false;
        v->len = *pi - v->at;
        return true;
    }
    return scan_literal(s, n, pi, v, pb);
}

/* Which known key `k` is, or -1 (escaped keys are compared unescaped). */
static int key_id(const char *s, const value *k)
{
    char buf[32];
    const char *name = s + k->at;
    size_t len = k->len, badpos;
    if (k->escaped) {
        if (k->len > sizeof buf)
            return -1;
        len = ugw_json_unescape(buf, s + k->at, k->len, &badpos);
        if (len == (size_t)-1)
            return -1;
        name = buf;
    }
    for (int id = 0; id < K_COUNT; id++)
        if (strlen(key_names[id]) == len && memcmp(key_names[id], name, len) == 0)
            return id;
    return -1;
}

/*
 * The line as one JSON object: where each known key's value is (vals), where
 * the object starts (*obj), and the first key that appears twice. Syntax
 * comes first: a repeated key is reported only in a line that is JSON.
 */
static bool scan_object(const char *s, size_t n, value vals[K_COUNT], size_t *obj, problem *pb)
{
    size_t i = ws(s, n, 0), dup_at = 0;
    int dup = -1;
    value v;
    memset(vals, 0, sizeof *vals * K_COUNT);
    if (s[i] != '{') { /* i < n: blank lines never come here */
        size_t j = i;
        if (!scan_value(s, n, &j, &v, pb))
            return false;
        if (ws(s, n, j) < n)
            return bad(pb, UGW_ERR_SYNTAX, "not valid JSON", ws(s, n, j), NULL);
        return bad(pb, UGW_ERR_TYPE, "not a JSON object", i, NULL);
    }
    *obj = i;
    i = ws(s, n, i + 1);
    if (i < n && s[i] == '}') {
        i++;
    } else {
        for (;;) {
            value k;
            int id;
            if (!scan_key(s, n, &i, &k, pb) || !scan_value(s, n, &i, &v, pb))
                return false;
            id = key_id(s, &k);
            if (id >= 0 && vals[id].kind && dup < 0) {
                dup = id;
                dup_at = k.at - 1;
            } else if (id >= 0 && !vals[id].kind) {
                vals[id] = v;
            }
            i = ws(s, n, i);
            if (i >= n)
                return ends(pb, n);
            if (s[i] == '}') {
                i++;
                break;
            }
            if (s[i] != ',')
                return bad(pb, UGW_ERR_SYNTAX, "not valid JSON: expected ',' or '}'", i, NULL);
            i = ws(s, n, i + 1);
        }
    }
    i = ws(s, n, i);
    if (i < n)
        return bad(pb, UGW_ERR_TRAILING, "not valid JSON: bytes after the JSON object", i, NULL);
    if (dup >= 0)
        return bad(pb, UGW_ERR_DUPLICATE_KEY, "a key appears twice", dup_at, key_names[dup]);
    return true;
}

/* ------------------------------------------------------------------ */
/* The record                                                            */
/* ------------------------------------------------------------------ */

/* String `id` of the line unescaped into *at (NUL added), which moves on. */
static bool take_string(const char *s, const value *v, int id, char **at, const char **out,
                        size_t *len, problem *pb)
{
    size_t n = v->len, badpos = 0;
    if (v->escaped) {
        n = ugw_json_unescape(*at, s + v->at, v->len, &badpos);
        if (n == (size_t)-1)
            return bad(pb, UGW_ERR_UTF8, bad_escape[id], v->at + badpos, key_names[id]);
    } else {
        memcpy(*at, s + v->at, n);
    }
    (*at)[n] = '\0';
    *out = *at;
    *len = n;
    *at += n + 1;
    return true;
}

/* A whole number from 0 to 2^31-1, or -1 when the key is absent. */
static bool take_count(const char *s, const value *v, int id, long *out, problem *pb)
{
    uint64_t x;
    *out = -1;
    if (!v->kind)
        return true;
    if (v->kind != '0' || !v->integer)
        return bad(pb, UGW_ERR_TYPE, id == K_STATUS ? "\"last_status\" is not a whole number"
                                                    : "\"attempts\" is not a whole number",
                   v->at, key_names[id]);
    if (v->negative || !ugw_parse_u64(s + v->at, v->len, &x) || x > INT32_MAX)
        return bad(pb, UGW_ERR_RANGE, id == K_STATUS ? "\"last_status\" is out of range (0 to 2^31-1)"
                                                     : "\"attempts\" is out of range (0 to 2^31-1)",
                   v->at, key_names[id]);
    *out = (long)x;
    return true;
}

static bool parse_record(ugw_dead_letter_reader *r, const char *s, size_t n, ugw_dead_letter *rec,
                         problem *pb)
{
    value vals[K_COUNT];
    const char *fmt = NULL, *text = NULL;
    size_t obj = 0, len = 0, evlen = 0, tlen = 0;
    char *at = r->scratch;
    const value *body;
    ugw_error b64err;

    if (!scan_object(s, n, vals, &obj, pb))
        return false;
    for (int id = 0; id < K_COUNT; id++)
        if (vals[id].kind && not_string[id] && vals[id].kind != '"')
            return bad(pb, UGW_ERR_TYPE, not_string[id], vals[id].at, key_names[id]);
    for (int id = K_ID; id <= K_FORMAT; id++)
        if (!vals[id].kind)
            return bad(pb, UGW_ERR_MISSING, id == K_ID ? "no \"id\"" : id == K_EVENT ? "no \"event\"" : "no \"format\"",
                       obj, NULL);
    if (!vals[K_BODY].kind == !vals[K_BODY_B64].kind)
        return bad(pb, vals[K_BODY].kind ? UGW_ERR_DUPLICATE_KEY : UGW_ERR_MISSING,
                   vals[K_BODY].kind ? "both \"body\" and \"body_base64\"" : "neither \"body\" nor \"body_base64\"",
                   obj, NULL);

    if (!take_string(s, &vals[K_ID], K_ID, &at, &rec->id, &len, pb)
        || !take_string(s, &vals[K_EVENT], K_EVENT, &at, &rec->event, &evlen, pb)
        || !take_string(s, &vals[K_FORMAT], K_FORMAT, &at, &fmt, &tlen, pb))
        return false;
    /* what ugw_client_enqueue_body() takes: the one rule of a webhook-id */
    if (len == 0 || len > UGW_WEBHOOK_ID_LEN_MAX)
        return bad(pb, len ? UGW_ERR_TOO_LONG : UGW_ERR_TOO_SHORT, "\"id\" must be 1 to 256 bytes",
                   vals[K_ID].at, "id");
    if (ugw_webhook_id_check(rec->id, len, NULL) != UGW_OK)
        return bad(pb, UGW_ERR_RANGE, "\"id\" has a byte that is not printable ASCII ('!' to '~')",
                   vals[K_ID].at, "id");
    if (memchr(rec->event, '\0', evlen))
        return bad(pb, UGW_ERR_NUL, "\"event\" has a NUL character", vals[K_EVENT].at, "event");
    if (strcmp(fmt, "json") == 0 && tlen == 4)
        rec->format = UGW_FORMAT_JSON;
    else if (strcmp(fmt, "msgpack") == 0 && tlen == 7)
        rec->format = UGW_FORMAT_MSGPACK;
    else
        return bad(pb, UGW_ERR_RANGE, "\"format\" must be \"json\" or \"msgpack\"", vals[K_FORMAT].at, "format");

    body = vals[K_BODY].kind ? &vals[K_BODY] : &vals[K_BODY_B64];
    if (body == &vals[K_BODY]) {
        if (!take_string(s, body, K_BODY, &at, &text, &rec->body_len, pb))
            return false;
        rec->body = text;
    } else {
        /* base64 needs no escapes, but a JSON writer may put "\/": unescape first */
        if (!take_string(s, body, K_BODY_B64, &at, &text, &tlen, pb))
            return false;
        if (ugw_base64_decode(text, tlen, at, ugw_base64_decoded_max(tlen), &rec->body_len, &b64err) != UGW_OK)
            return bad(pb, b64err.code == UGW_ERR_SYNTAX ? UGW_ERR_SYNTAX : UGW_ERR_NOMEM, b64err.message,
                       body->escaped ? body->at : body->at + b64err.pos, "body_base64");
        rec->body = at;
        at += rec->body_len;
    }
    if (!take_count(s, &vals[K_STATUS], K_STATUS, &rec->last_status, pb)
        || !take_count(s, &vals[K_ATTEMPTS], K_ATTEMPTS, &rec->attempts, pb))
        return false;
    {
        const char **outs[] = { &rec->result, &rec->error, &rec->time };
        for (int id = K_RESULT; id <= K_TIME; id++) {
            const char **out = outs[id - K_RESULT];
            *out = "";
            if (!vals[id].kind)
                continue;
            if (!take_string(s, &vals[id], id, &at, out, &tlen, pb))
                return false;
            if (memchr(*out, '\0', tlen))
                return bad(pb, UGW_ERR_NUL, "a NUL character in a string", vals[id].at, key_names[id]);
        }
    }
    return true;
}

/* ------------------------------------------------------------------ */
/* The reader                                                            */
/* ------------------------------------------------------------------ */

ugw_dead_letter_reader *ugw_dead_letter_open(const char *path, size_t max_line, ugw_read_error *err)
{
    ugw_dead_letter_reader *r = calloc(1, sizeof *r);
    ugw__read_clear(err);
    if (!r) {
        ugw__read_fail(err, UGW_ERR_NOMEM, "out of memory", 0, 0, NULL, 0);
        return NULL;
    }
    if (!(r->lines = ugw_line_reader_open(path, max_line, err))) {
        free(r);
        return NULL;
    }
    return r;
}

void ugw_dead_letter_close(ugw_dead_letter_reader *r)
{
    if (!r)
        return;
    ugw_line_reader_close(r->lines);
    free(r->scratch);
    free(r);
}

int ugw_dead_letter_next(ugw_dead_letter_reader *r, ugw_dead_letter *rec, ugw_read_error *err)
{
    ugw_line ln;
    problem pb;
    size_t need;
    int m;

    ugw__read_clear(err);
    if (!r || !rec)
        return ugw__read_fail(err, UGW_ERR_ARG, "NULL reader or record", 0, 0, NULL, 0);
    memset(rec, 0, sizeof *rec);
    for (;;) {
        if ((m = ugw_line_reader_next(r->lines, &ln, err)) <= 0)
            return m;
        if (ln.cut)
            return ugw__read_fail(err, UGW_ERR_LIMIT, "line longer than the reader's limit", ln.number,
                                  ln.offset + ln.len, NULL, 0);
        if (ugw_span(ln.ptr, ln.len, UGW_WS_JSON) < ln.len)
            break; /* lines of white space only are skipped */
    }
    rec->line = ln.number;
    rec->offset = ln.offset;
    /* every string once plus its NUL, and a body decoded from base64 after its text:
     * at most twice the line (the reader keeps max_line <= SIZE_MAX / 4) */
    need = 2 * ln.len + 2 * K_COUNT;
    if (need > r->scratch_cap) {
        char *nb = realloc(r->scratch, need);
        if (!nb)
            return ugw__read_fail(err, UGW_ERR_NOMEM, "out of memory", ln.number, ln.offset, NULL, 0);
        r->scratch = nb;
        r->scratch_cap = need;
    }
    if (!parse_record(r, ln.ptr, ln.len, rec, &pb)) {
        const char *msg = pb.code == UGW_ERR_TRUNCATED && ln.unterminated ? torn : pb.msg;
        ugw_dead_letter line_only = { .line = ln.number, .offset = ln.offset };
        *rec = line_only;
        return ugw__read_fail(err, pb.code, msg, ln.number, ln.offset + pb.at, pb.key, 0);
    }
    return 1;
}
