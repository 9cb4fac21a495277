/*
 * ugw_generated_support.h - inline checks and writers for GENERATED code only.
 *
 * The per-event fast paths that ugw-codegen writes into `<prefix>_events.c`
 * (and the runtime's own engines) are built from these. They belong to
 * UGW_RUNTIME_ABI: generated code checks that ABI when it compiles, and
 * everything here may change with it. Hand-written code uses ugw_runtime.h.
 *
 * Everything is static inline and nothing is exported. Each check answers
 * only "this value takes the common case": true means the exact rules of
 * ugw_schema_validate() accept it; false means nothing more than "take the
 * exact (descriptor) path", which then finds any error with its code and
 * path. Nothing here allocates; every function is reentrant.
 */
#ifndef UGW_GENERATED_SUPPORT_H
#define UGW_GENERATED_SUPPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "ugw_runtime.h"

#if UGW_RUNTIME_ABI != 5
#error "ugw_generated_support.h belongs to UGW_RUNTIME_ABI 5"
#endif

/* Inlined into loops that would otherwise call them per field. */
#if defined(__GNUC__)
#define UGW__HOT_INLINE static inline __attribute__((always_inline))
#define UGW__UNLIKELY(x) __builtin_expect(!!(x), 0)
#define UGW__LIKELY(x) __builtin_expect(!!(x), 1)
#else
#define UGW__HOT_INLINE static inline
#define UGW__UNLIKELY(x) (x)
#define UGW__LIKELY(x) (x)
#endif

/* ---- word-at-a-time byte tests (SWAR) ---- */
#define UGW__ONES UINT64_C(0x0101010101010101)
#define UGW__HIGHS UINT64_C(0x8080808080808080)

/* Non-zero when some byte of `w` is below `n` (n <= 128; bytes >= 0x80 may
 * or may not be flagged: callers test the high bits themselves). */
static inline uint64_t ugw__below(uint64_t w, unsigned n)
{
    return (w - UGW__ONES * n) & ~w & UGW__HIGHS;
}

/* Non-zero when some byte of `w` equals `c`. */
static inline uint64_t ugw__has(uint64_t w, unsigned char c)
{
    return ugw__below(w ^ (UGW__ONES * c), 1);
}

/* The bytes of a string shorter than 8 in one word: all of p[0..n) (some
 * twice) and 'a' in the rest, so that a word test sees exactly its bytes.
 * Reads only p[0..n). */
static inline uint64_t ugw__short_word(const char *p, size_t n)
{
    uint32_t a, b;
    if (n >= 4) { /* two overlapping halves */
        memcpy(&a, p, 4);
        memcpy(&b, p + n - 4, 4);
        return a | (uint64_t)b << 32;
    }
    if (n == 0)
        return UGW__ONES * 0x61u;
    return (uint64_t)(unsigned char)p[0] | (uint64_t)(unsigned char)p[n >> 1] << 8
           | (uint64_t)(unsigned char)p[n - 1] << 16 | UINT64_C(0x6161616161000000);
}

/*
 * True when every byte of p[0..n) is in 0x01..0x7e, and also above 0x20 when
 * `url`, and not '\\' when `json`, and not '"' when `quote`. Such a string is
 * valid UTF-8 without NUL (and, for a URL, without spaces or controls; with
 * `json` and `quote`, it is its own JSON string body).
 */
UGW__HOT_INLINE bool ugw__plain_ex(const char *p, size_t n, bool url, bool json, bool quote)
{
    /* Per byte b < 0x80: b - lo borrows into the high bit when b < lo, and
     * b + 1 carries into it when b >= 0x7f; bytes >= 0x80 have it already.
     * Carries and borrows only add flags next to a real one. */
    const uint64_t lo = UGW__ONES * (url ? 0x21u : json ? 0x20u : 0x01u);
    uint64_t bad = 0, w;
    size_t i = 0;
#define UGW__PLAIN_WORD(w)                                                                         \
    do {                                                                                           \
        bad |= ((w) - lo) | ((w) + UGW__ONES) | (w);                                               \
        if (json)                                                                                  \
            bad |= ugw__has((w), '\\');                                                            \
        if (quote)                                                                                 \
            bad |= ugw__has((w), '"');                                                             \
    } while (0)
    if (n < 8) {
        w = ugw__short_word(p, n);
        UGW__PLAIN_WORD(w);
        return (bad & UGW__HIGHS) == 0;
    }
#if defined(__SSE2__)
    if (n >= 16) {
        /* 16 bytes a turn, the last 16 overlapping what was read. As signed
         * bytes, those >= 0x80 are negative: below `lo` like the controls. */
        const __m128i vlo = _mm_set1_epi8((char)(url ? 0x21 : json ? 0x20 : 0x01));
        __m128i acc = _mm_setzero_si128(), v;
#define UGW__PLAIN_VEC(v)                                                                          \
    do {                                                                                           \
        acc = _mm_or_si128(acc, _mm_or_si128(_mm_cmpgt_epi8(vlo, (v)),                             \
                                             _mm_cmpeq_epi8((v), _mm_set1_epi8(0x7f))));           \
        if (json)                                                                                  \
            acc = _mm_or_si128(acc, _mm_cmpeq_epi8((v), _mm_set1_epi8('\\')));                     \
        if (quote)                                                                                 \
            acc = _mm_or_si128(acc, _mm_cmpeq_epi8((v), _mm_set1_epi8('"')));                      \
    } while (0)
        for (; i + 16 <= n; i += 16) {
            v = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
            UGW__PLAIN_VEC(v);
        }
        if (i < n) {
            v = _mm_loadu_si128((const __m128i *)(const void *)(p + n - 16));
            UGW__PLAIN_VEC(v);
        }
#undef UGW__PLAIN_VEC
        return _mm_movemask_epi8(acc) == 0;
    }
#endif
    for (; i + 16 <= n; i += 16) { /* two words a turn: half the loop overhead */
        uint64_t w2;
        memcpy(&w, p + i, 8);
        memcpy(&w2, p + i + 8, 8);
        UGW__PLAIN_WORD(w);
        UGW__PLAIN_WORD(w2);
    }
    if (i + 8 <= n) {
        memcpy(&w, p + i, 8);
        UGW__PLAIN_WORD(w);
        i += 8;
    }
    if (i < n) { /* the last 8 bytes, overlapping what was read */
        memcpy(&w, p + n - 8, 8);
        UGW__PLAIN_WORD(w);
    }
#undef UGW__PLAIN_WORD
    return (bad & UGW__HIGHS) == 0;
}

/* http:// or https:// (any case) and a first host byte; the rest of a URL's
 * rules hold when ugw__plain_ex(url=true) held. */
static inline bool ugw__url_head_ok(const char *p, size_t n)
{
    uint32_t head, http;
    size_t k;
    char h;
    if (n < 8)
        return false;
    /* "http" in any case: setting bit 5 of each byte lowers exactly the
     * letters' capitals (no other byte lands on h, t or p) */
    memcpy(&head, p, 4);
    memcpy(&http, "http", 4);
    if ((head | UINT32_C(0x20202020)) != http)
        return false;
    k = (p[4] | 0x20) == 's' ? 5 : 4;
    if (n <= k + 3 || memcmp(p + k, "://", 3) != 0)
        return false;
    h = p[k + 3];
    return h != '/' && h != '?' && h != '#';
}

/*
 * The common case of a string or url field: within min..max bytes, plain
 * (ugw__plain_ex(); with `json_out` also without '"' and '\\', so it is its
 * own JSON string body) and, for a URL, starting as one. With constant
 * bounds and flags (generated code) the compiler folds them.
 */
UGW__HOT_INLINE bool ugw__str_ok(const char *p, size_t n, int64_t min, int64_t max, bool url,
                                 bool json_out)
{
    if ((int64_t)n < min || (uint64_t)n > (uint64_t)max)
        return false;
    if (url)
        return ugw__plain_ex(p, n, true, json_out, json_out) && ugw__url_head_ok(p, n);
    return ugw__plain_ex(p, n, false, json_out, json_out);
}

/* The common case of a string or url field's JSON string token p[0..n)
 * (its bytes between the quotes): within min..max bytes, printable ASCII
 * without a backslash (so it is its own decoded text, and valid UTF-8
 * without NUL) and, for a URL, starting as one: the JSON decoder's common
 * case, which then stores it as it is. */
UGW__HOT_INLINE bool ugw__json_str_ok(const char *p, size_t n, int64_t min, int64_t max, bool url)
{
    if ((int64_t)n < min || (uint64_t)n > (uint64_t)max)
        return false;
    if (url)
        return ugw__plain_ex(p, n, true, true, false) && ugw__url_head_ok(p, n);
    return ugw__plain_ex(p, n, false, true, false);
}

/* The exact rules of a string or url field, as a yes or no: within
 * min..max bytes, UTF-8 without NUL and, for a URL, ugw_url_check() (the
 * public checks the exact path makes). The plain test first; the rest only
 * for a string it refuses (one that is not ASCII, say). */
UGW__HOT_INLINE bool ugw__str_valid(const char *p, size_t n, int64_t min, int64_t max, bool url)
{
    if (UGW__LIKELY(ugw__str_ok(p, n, min, max, url, false)))
        return true;
    if ((int64_t)n < min || (uint64_t)n > (uint64_t)max)
        return false;
    return ugw_utf8_check(p, n) == n && (n == 0 || !memchr(p, 0, n)) && (!url || ugw_url_check(p, n));
}

/* The common case of an id (stored unsigned) or int within min..max. */
UGW__HOT_INLINE bool ugw__id_in(uint64_t v, int64_t min, int64_t max)
{
    return v <= (uint64_t)INT64_MAX && (int64_t)v >= min && (int64_t)v <= max;
}

UGW__HOT_INLINE bool ugw__int_in(int64_t v, int64_t min, int64_t max)
{
    return v >= min && v <= max;
}

/* ---- the generated JSON decode fast paths ---- */

/*
 * A token of the runtime's JSON tokenizer, as the generated decode fast
 * paths read them: jsmn's jsmntok_t with parent links, which the runtime
 * (ugw_json_decode.c) checks at compile time to have this layout and these
 * type values. Positions are byte offsets into the input; a string's are
 * those of its text between the quotes.
 */
typedef struct ugw_json_token {
    int type;   /**< UGW__JSON_OBJECT, _ARRAY, _STRING or _PRIMITIVE */
    int start;  /**< first byte (a string: the one after its quote) */
    int end;    /**< one past the last (a string: its closing quote) */
    int size;   /**< members of an object, items of an array, 1 for a key */
    int parent; /**< index of the parent token, -1 at the top */
} ugw_json_token;

enum { UGW__JSON_OBJECT = 1, UGW__JSON_ARRAY = 2, UGW__JSON_STRING = 3, UGW__JSON_PRIMITIVE = 4 };

/*
 * The decoder's string memory, lent to a JSON decode fast path for the
 * strings that are not plain: buf[used..cap) is free. `text` is the
 * runtime's own check of such a string token's text p[0..n): true when it
 * is valid JSON text and valid UTF-8 without NUL, with its decoded bytes in
 * *out (a view of p, or unescaped into buf at `used`, which it advances,
 * where the exact walk would put them); false: take the exact way.
 */
typedef struct ugw_json_scratch {
    char *buf;
    size_t cap, used;
    bool (*text)(struct ugw_json_scratch *sc, const char *p, size_t n, ugw_str *out);
} ugw_json_scratch;

/* A string or url field's JSON string token p[0..n) into *out: plain
 * within its bounds (a URL starting as one) in line, any other text by the
 * runtime's check, then its bounds and ugw_url_check(), as the exact walk
 * checks them. false: take the exact way. */
UGW__HOT_INLINE bool ugw__json_str_take(ugw_json_scratch *sc, const char *p, size_t n, int64_t min,
                                        int64_t max, bool url, ugw_str *out)
{
    if (UGW__LIKELY(ugw__json_str_ok(p, n, min, max, url))) {
        out->ptr = p;
        out->len = n;
        return true;
    }
    return sc->text(sc, p, n, out) && (int64_t)out->len >= min && (uint64_t)out->len <= (uint64_t)max
           && (!url || ugw_url_check(out->ptr, out->len));
}

/* Whether p[0..n) are the bytes k[0..n) (k a constant in generated code,
 * which the compiler folds into the words): overlapping words, no loop up
 * to 24 bytes. Reads only p[0..n) and k[0..n). */
UGW__HOT_INLINE bool ugw__bytes_are(const char *p, const char *k, size_t n)
{
    uint64_t a0, b0, a1, b1, a2, b2;
    if (n >= 8 && n <= 16) {
        memcpy(&a0, p, 8);
        memcpy(&b0, k, 8);
        memcpy(&a1, p + n - 8, 8);
        memcpy(&b1, k + n - 8, 8);
        return ((a0 ^ b0) | (a1 ^ b1)) == 0;
    }
    if (n > 16 && n <= 24) {
        memcpy(&a0, p, 8);
        memcpy(&b0, k, 8);
        memcpy(&a1, p + 8, 8);
        memcpy(&b1, k + 8, 8);
        memcpy(&a2, p + n - 8, 8);
        memcpy(&b2, k + n - 8, 8);
        return ((a0 ^ b0) | (a1 ^ b1) | (a2 ^ b2)) == 0;
    }
    if (n >= 4 && n < 8) {
        uint32_t u0, v0, u1, v1;
        memcpy(&u0, p, 4);
        memcpy(&v0, k, 4);
        memcpy(&u1, p + n - 4, 4);
        memcpy(&v1, k + n - 4, 4);
        return ((u0 ^ v0) | (u1 ^ v1)) == 0;
    }
    return memcmp(p, k, n) == 0;
}

/* The common case of an int or id field's JSON number token p[0..n): '-'
 * (only when min < 0) and 1 to 18 digits without a leading zero ("0"
 * alone, not "-0"), within min..max: its value in *v. false: take the
 * exact way (which also takes 19 and 20 digits). */
UGW__HOT_INLINE bool ugw__json_int(const char *p, size_t n, int64_t min, int64_t max, int64_t *v)
{
    const size_t i = min < 0 && n && *p == '-';
    uint64_t mag = 0;
    int64_t x;
    if (n - i < 1 || n - i > 18 || (p[i] == '0' && (n - i > 1 || i)))
        return false;
    for (size_t q = i; q < n; q++) {
        unsigned d = (unsigned)(unsigned char)p[q] - '0';
        if (d > 9)
            return false;
        mag = mag * 10 + d;
    }
    x = i ? -(int64_t)mag : (int64_t)mag;
    if (x < min || x > max)
        return false;
    *v = x;
    return true;
}

/* Whether the JSON primitive token p[0..n) is the literal `lit` (n_lit bytes). */
UGW__HOT_INLINE bool ugw__json_lit(const char *p, size_t n, const char *lit, size_t n_lit)
{
    return n == n_lit && memcmp(p, lit, n_lit) == 0;
}

/* The byte of a bool member (a flag or a value), read as a byte: memory
 * filled by other means may hold anything, which only 0 and 1 pass. */
UGW__HOT_INLINE unsigned ugw__bool_byte(const bool *b)
{
    unsigned char c;
    memcpy(&c, b, 1);
    return c;
}

/* ---- MessagePack writers (smallest forms, as the exact encoder writes) ---- */

/* `v` big-endian in `bytes` bytes at p; returns p + bytes. */
UGW__HOT_INLINE unsigned char *ugw__mp_be(unsigned char *p, uint64_t v, int bytes)
{
    for (int i = bytes - 1; i >= 0; i--)
        *p++ = (unsigned char)(v >> (8 * i));
    return p;
}

UGW__HOT_INLINE unsigned char *ugw__mp_put_uint(unsigned char *p, uint64_t v)
{
    if (v < 128) {
        *p++ = (unsigned char)v;
        return p;
    }
    if (v < 256) {
        *p++ = 0xcc;
        return ugw__mp_be(p, v, 1);
    }
    if (v < 65536) {
        *p++ = 0xcd;
        return ugw__mp_be(p, v, 2);
    }
    if (v < UINT64_C(4294967296)) {
        *p++ = 0xce;
        return ugw__mp_be(p, v, 4);
    }
    *p++ = 0xcf;
    return ugw__mp_be(p, v, 8);
}

UGW__HOT_INLINE unsigned char *ugw__mp_put_int(unsigned char *p, int64_t v)
{
    if (v >= 0)
        return ugw__mp_put_uint(p, (uint64_t)v);
    if (v >= -32) {
        *p++ = (unsigned char)(0xe0 | (v + 32));
        return p;
    }
    if (v >= INT8_MIN) {
        *p++ = 0xd0;
        return ugw__mp_be(p, (uint64_t)v, 1);
    }
    if (v >= INT16_MIN) {
        *p++ = 0xd1;
        return ugw__mp_be(p, (uint64_t)v, 2);
    }
    if (v >= INT32_MIN) {
        *p++ = 0xd2;
        return ugw__mp_be(p, (uint64_t)v, 4);
    }
    *p++ = 0xd3;
    return ugw__mp_be(p, (uint64_t)v, 8);
}

/* A str header and the n bytes at s (n < 2^32; the caller made sure). */
UGW__HOT_INLINE unsigned char *ugw__mp_put_str(unsigned char *p, const char *s, size_t n)
{
    if (n < 32) {
        *p++ = (unsigned char)(0xa0 | n);
    } else if (n < 256) {
        *p++ = 0xd9;
        p = ugw__mp_be(p, n, 1);
    } else if (n < 65536) {
        *p++ = 0xda;
        p = ugw__mp_be(p, n, 2);
    } else {
        *p++ = 0xdb;
        p = ugw__mp_be(p, n, 4);
    }
    if (n)
        memcpy(p, s, n);
    return p + n;
}

#endif /* UGW_GENERATED_SUPPORT_H */
