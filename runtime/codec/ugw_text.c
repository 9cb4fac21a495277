/*
 * ugw_text.c - the text helpers of ugw_runtime.h: JSON escaping and
 * unescaping, and the one UTF-8 scanner, whose JSON mode checks and
 * unescapes a string body in the same pass (the decoder's strings).
 *
 * Nothing here allocates. Every scanner reads whole 8-byte words only while
 * at least 8 bytes remain (copied with memcpy, so alignment and strict
 * aliasing do not matter) and finishes byte by byte: no read ever goes past
 * s + len.
 */
#include <ugw/ugw_runtime.h>

#include <string.h>

#include "ugw_internal.h"

/* ------------------------------------------------------------------ */
/* SWAR helpers                                                         */
/* ------------------------------------------------------------------ */

#define ONES UINT64_C(0x0101010101010101)
#define HIGHS UINT64_C(0x8080808080808080)

static inline uint64_t load64(const unsigned char *p)
{
    uint64_t w;
    memcpy(&w, p, sizeof w);
    return w;
}

/*
 * Nonzero iff some byte of `w` is below 0x20, is '"' or is '\\'. Only the
 * zero / nonzero answer is exact (borrows may set flags above a true hit),
 * so a nonzero word is rescanned byte by byte.
 */
static inline uint64_t swar_needs_escape(uint64_t w)
{
    uint64_t lt = (w - ONES * 0x20) & ~w & HIGHS;
    uint64_t q = w ^ (ONES * 0x22);
    uint64_t b = w ^ (ONES * 0x5c);
    q = (q - ONES) & ~q & HIGHS;
    b = (b - ONES) & ~b & HIGHS;
    return lt | q | b;
}

/* ------------------------------------------------------------------ */
/* JSON escaping                                                        */
/* ------------------------------------------------------------------ */

static inline bool needs_escape(unsigned char c)
{
    return c < 0x20 || c == '"' || c == '\\';
}

/* The escaped length of a byte for which needs_escape() holds. */
static inline size_t escape_len(unsigned char c)
{
    switch (c) {
    case '"': case '\\': case '\b': case '\f': case '\n': case '\r': case '\t':
        return 2;
    default:
        return 6;
    }
}

/* Writes the escape of a byte for which needs_escape() holds. */
static inline size_t escape_byte(char *out, unsigned char c)
{
    static const char hex[] = "0123456789abcdef";
    char e;
    switch (c) {
    case '"': e = '"'; break;
    case '\\': e = '\\'; break;
    case '\b': e = 'b'; break;
    case '\f': e = 'f'; break;
    case '\n': e = 'n'; break;
    case '\r': e = 'r'; break;
    case '\t': e = 't'; break;
    default:
        out[0] = '\\';
        out[1] = 'u';
        out[2] = '0';
        out[3] = '0';
        out[4] = hex[c >> 4];
        out[5] = hex[c & 0xf];
        return 6;
    }
    out[0] = '\\';
    out[1] = e;
    return 2;
}

/*
 * The one escape scan: the index of the first byte at or after i that needs
 * an escape, or len. Clean words are skipped 8 bytes at a time; the tail
 * under 8 bytes is settled by the string's last whole word (overlapping
 * bytes before i) when that is clean, else byte by byte, as is a word whose
 * SWAR answer is nonzero.
 */
static inline size_t next_escape(const unsigned char *p, size_t i, size_t len)
{
    while (i < len) {
        size_t end = i + 8;
        if (len - i >= 8) {
            if (!swar_needs_escape(load64(p + i))) {
                i = end;
                continue;
            }
        } else {
            if (len >= 8 && !swar_needs_escape(load64(p + len - 8)))
                return len;
            end = len;
        }
        for (; i < end; i++)
            if (needs_escape(p[i]))
                return i;
    }
    return len;
}

size_t ugw_json_escaped_len(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t n = len;

    for (size_t i = next_escape(p, 0, len); i < len; i = next_escape(p, i + 1, len)) {
        if (n > SIZE_MAX - 5)
            return SIZE_MAX; /* saturates: no buffer holds that */
        n += escape_len(p[i]) - 1;
    }
    return n;
}

size_t ugw_json_escape(char *out, const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i, run = 0, o = 0; /* run: start of the clean bytes not yet copied */

    if (len == 0)
        return 0;
    i = next_escape(p, 0, len);
    if (i == len) { /* most strings need no escape at all: one copy */
        memcpy(out, s, len);
        return len;
    }
    do {
        memcpy(out + o, s + run, i - run);
        o += i - run;
        o += escape_byte(out + o, p[i]);
        run = i + 1;
        i = next_escape(p, run, len);
    } while (i < len);
    memcpy(out + o, s + run, len - run);
    return o + (len - run);
}

/* ------------------------------------------------------------------ */
/* JSON unescaping                                                      */
/* ------------------------------------------------------------------ */

/* Four hex digits at `s` (either case), or -1. */
static long hex4(const char *s)
{
    long v = 0;
    for (int k = 0; k < 4; k++) {
        const char c = s[k];
        long d;
        if (c >= '0' && c <= '9')
            d = c - '0';
        else if (c >= 'a' && c <= 'f')
            d = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F')
            d = c - 'A' + 10;
        else
            return -1;
        v = v * 16 + d;
    }
    return v;
}

static size_t put_utf8(char *out, unsigned long cp)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xc0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3f));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xe0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
        out[2] = (char)(0x80 | (cp & 0x3f));
        return 3;
    }
    out[0] = (char)(0xf0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
    out[3] = (char)(0x80 | (cp & 0x3f));
    return 4;
}

/*
 * Decodes the escape at s[i] (a backslash) into `out`: returns the bytes
 * written (1 to 4) and sets *used to the input bytes read (2, 6 or 12), or
 * returns 0 for a backslash at the end, an unknown escape letter, a short or
 * non-hex \u, or a lone or reversed surrogate. Reads the whole escape before
 * writing, so `out` may lie at or before s + i.
 */
static size_t decode_escape(const char *s, size_t len, size_t i, char *out, size_t *used)
{
    if (len - i < 2)
        return 0;
    switch (s[i + 1]) {
    case '"': out[0] = '"'; break;
    case '\\': out[0] = '\\'; break;
    case '/': out[0] = '/'; break;
    case 'b': out[0] = '\b'; break;
    case 'f': out[0] = '\f'; break;
    case 'n': out[0] = '\n'; break;
    case 'r': out[0] = '\r'; break;
    case 't': out[0] = '\t'; break;
    case 'u': {
        if (len - i < 6)
            return 0;
        const long u = hex4(s + i + 2);
        if (u < 0)
            return 0;
        unsigned long cp = (unsigned long)u;
        *used = 6;
        if (cp >= 0xdc00 && cp <= 0xdfff)
            return 0; /* lone low surrogate */
        if (cp >= 0xd800 && cp <= 0xdbff) {
            if (len - i < 12 || s[i + 6] != '\\' || s[i + 7] != 'u')
                return 0; /* high surrogate not followed by an escape */
            const long lo = hex4(s + i + 8);
            if (lo < 0xdc00 || lo > 0xdfff)
                return 0; /* followed by something other than a low */
            cp = 0x10000 + ((cp - 0xd800) << 10) + ((unsigned long)lo - 0xdc00);
            *used = 12;
        }
        return put_utf8(out, cp);
    }
    default:
        return 0;
    }
    *used = 2;
    return 1;
}

/*
 * The output never gets ahead of the input (an escape of 2, 6 or 12 bytes
 * decodes to 1, at most 3, or 4 bytes), and every escape is read whole
 * before its bytes are written, so `out == s` (decoding in place) works;
 * clean runs are moved with memmove for that reason.
 *
 * The caller promises valid escapes; a backslash at the end, an unknown
 * escape letter or a short or non-hex \u are still refused like a bad
 * surrogate (return (size_t)-1, *bad at the backslash) instead of reading
 * past the input. With `out` NULL it only counts the bytes it would write.
 */
static size_t unescape(char *out, const char *s, size_t len, size_t *bad)
{
    size_t i = 0, o = 0;
    char one[4]; /* an escape's bytes when only counting (`out` NULL) */

    while (i < len) {
        const char *bs = memchr(s + i, '\\', len - i);
        const size_t run = bs != NULL ? (size_t)(bs - (s + i)) : len - i;
        if (run != 0) {
            if (out)
                memmove(out + o, s + i, run);
            o += run;
            i += run;
        }
        if (bs == NULL)
            break;
        /* s[i] is a backslash. */
        size_t used = 0;
        const size_t w = decode_escape(s, len, i, out ? out + o : one, &used);
        if (w == 0) {
            if (bad != NULL)
                *bad = i;
            return (size_t)-1;
        }
        o += w;
        i += used;
    }
    return o;
}

size_t ugw_json_unescape(char *out, const char *s, size_t len, size_t *bad)
{
    return unescape(out, s, len, bad);
}

size_t ugw__json_unescaped_len(const char *s, size_t len, size_t *bad)
{
    return unescape(NULL, s, len, bad);
}

/* ------------------------------------------------------------------ */
/* The text scanner: UTF-8, and JSON string bodies in the same pass      */
/* ------------------------------------------------------------------ */

/* Bytes of the valid UTF-8 sequence led by p[i] >= 0x80 in p[0..len), or 0
 * (Unicode table 3-7: no overlong form, surrogate or code point above
 * U+10FFFF, no stray continuation, nothing cut short by the end). */
static inline size_t utf8_seq(const unsigned char *p, size_t i, size_t len)
{
    const unsigned c = p[i];
    size_t ncont;
    unsigned lo = 0x80, hi = 0xbf; /* range of the second byte */
    if (c >= 0xc2 && c <= 0xdf) {
        ncont = 1;
    } else if (c == 0xe0) {
        ncont = 2;
        lo = 0xa0; /* E0 80..9F is overlong */
    } else if (c == 0xed) {
        ncont = 2;
        hi = 0x9f; /* ED A0..BF are surrogates */
    } else if (c >= 0xe1 && c <= 0xef) {
        ncont = 2;
    } else if (c == 0xf0) {
        ncont = 3;
        lo = 0x90; /* F0 80..8F is overlong */
    } else if (c >= 0xf1 && c <= 0xf3) {
        ncont = 3;
    } else if (c == 0xf4) {
        ncont = 3;
        hi = 0x8f; /* F4 90.. is above U+10FFFF */
    } else {
        return 0; /* 80..BF stray continuation, C0 C1 F5..FF */
    }
    if (len - i - 1 < ncont)
        return 0; /* truncated at the end of the input */
    if (p[i + 1] < lo || p[i + 1] > hi)
        return 0;
    for (size_t k = 2; k <= ncont; k++)
        if ((p[i + k] & 0xc0) != 0x80)
            return 0;
    return ncont + 1;
}

#if defined(__GNUC__)
#define SCAN_INLINE static inline __attribute__((always_inline))
#else
#define SCAN_INLINE static inline
#endif

/*
 * The one UTF-8 scanner of the project, in two modes fixed by each caller:
 * plain (`json` false: UTF-8 only) and a JSON string body (`json` true: also
 * no byte below 0x20, and escapes: with `out` NULL it stops at the first
 * backslash, UGW__TEXT_ESCAPE; with `out` it decodes them there, *olen bytes,
 * and sets *nul when one decodes to U+0000). UGW__TEXT_BAD puts the first
 * problem's offset in *at: the first byte of an invalid sequence, a control
 * byte, or the backslash of a bad escape or lone surrogate. ASCII runs go 8
 * bytes at a time; `out` never gets ahead of the input.
 */
SCAN_INLINE int text_scan(const char *s, size_t len, bool json, char *out, size_t *at,
                          size_t *olen, bool *nul)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0, o = 0, stop = 0; /* bytes before `stop` go one by one */
    while (i < len) {
        if (i >= stop) {
            while (len - i >= 8) {
                const uint64_t w = load64(p + i);
                if ((w & HIGHS) != 0 || (json && swar_needs_escape(w) != 0))
                    break;
                if (out)
                    memcpy(out + o, p + i, 8);
                i += 8;
                o += 8;
            }
            if (i >= len)
                break;
            stop = i + 8; /* the word that stopped it, or the tail */
        }
        const unsigned c = p[i];
        if (c >= 0x80) {
            const size_t k = utf8_seq(p, i, len);
            if (k == 0) {
                *at = i;
                return UGW__TEXT_BAD;
            }
            if (out)
                memcpy(out + o, p + i, k);
            i += k;
            o += k;
        } else if (!json || (c >= 0x20 && c != '\\')) {
            if (out)
                out[o] = (char)c;
            i++;
            o++;
        } else if (c != '\\' || !out) {
            *at = i;
            return c != '\\' ? UGW__TEXT_BAD : UGW__TEXT_ESCAPE;
        } else {
            size_t used = 0;
            const size_t w = decode_escape(s, len, i, out + o, &used);
            if (w == 0) {
                *at = i;
                return UGW__TEXT_BAD;
            }
            if (w == 1 && out[o] == '\0')
                *nul = true;
            i += used;
            o += w;
        }
    }
    if (olen)
        *olen = o;
    return UGW__TEXT_OK;
}

size_t ugw_utf8_check(const char *s, size_t len)
{
    size_t at = 0;
    return text_scan(s, len, false, NULL, &at, NULL, NULL) == UGW__TEXT_OK ? len : at;
}

int ugw__json_text_check(const char *s, size_t len, size_t *at)
{
    return text_scan(s, len, true, NULL, at, NULL, NULL);
}

int ugw__json_text_decode(char *out, const char *s, size_t len, size_t *olen, bool *nul,
                          size_t *at)
{
    return text_scan(s, len, true, out, at, olen, nul);
}

