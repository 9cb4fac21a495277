/*
 * fuzz_common.h - the oracle shared by fuzz_json.c and fuzz_msgpack.c.
 *
 * For one input in one format:
 *   1. decode it with four decoders: default, strict, "tight" (small limits,
 *      a caller-owned arena that ends exactly at its size so ASan sees any
 *      write past it) and "deep" (the largest depth, many tokens);
 *   2. on failure, check the error value: code from input (syntax..unknown_key)
 *      or nomem, a static message, pos <= len, a NUL-terminated path, and an
 *      unknown (or JSON duplicate) key error pointing at the start of a key
 *      (and an unknown key error's path naming that key);
 *   3. on success, check that the event validates, encodes in both formats
 *      (sizing call == written length, one byte less is UGW_ERR_BUFFER), and
 *      that both encodings decode again to an event that encodes to the same
 *      bytes (a fixed point, the same for JSON and MessagePack);
 *   4. across decoders: strict or tight success implies default success, and
 *      default success implies deep success, all with the same encoding;
 *   5. whatever `fuzz_hook` adds: a differential check of the default and deep
 *      decoders against an independent parser (jansson in fuzz_json.c, a small
 *      reader written from the MessagePack spec in fuzz_msgpack.c).
 * Any broken rule calls abort(), which libFuzzer reports as a crash. ASan and
 * UBSan check memory and undefined behaviour on the way.
 */
#ifndef UGW_FUZZ_COMMON_H
#define UGW_FUZZ_COMMON_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ugw/ugw_events.h>

#define FUZZ_CHECK(cond, ...)                                                  \
    do {                                                                       \
        if (!(cond)) {                                                         \
            fprintf(stderr, "fuzz: %s:%d: check failed: %s: ", __FILE__,       \
                    __LINE__, #cond);                                          \
            fprintf(stderr, __VA_ARGS__);                                      \
            fputc('\n', stderr);                                               \
            abort();                                                           \
        }                                                                      \
    } while (0)

/* A stale error left in the struct before each call: a decoder must replace
 * it on failure and clear it on success. */
static const char fuzz_stale_message[] = "stale message from an earlier call";

enum { FUZZ_DEFAULT, FUZZ_STRICT, FUZZ_TIGHT, FUZZ_DEEP, FUZZ_NDEC };

static ugw_decoder *fuzz_dec[FUZZ_NDEC];
static ugw_decoder *fuzz_check_dec; /* strict, decodes our own encodings */
static const char *const fuzz_dec_name[FUZZ_NDEC] = { "default", "strict", "tight", "deep" };

/* Optional extra check of a target, called with the default and the deep
 * decoder's results (`ev` is NULL when it failed with `st`). */
typedef void fuzz_hook_fn(const uint8_t *data, size_t size, ugw_status st, const ugw_event *ev);
static fuzz_hook_fn *fuzz_hook;

static ugw_decoder *fuzz_new_decoder(const ugw_decode_opts *o)
{
    ugw_decoder *d = ugw_decoder_new(o);
    FUZZ_CHECK(d != NULL, "ugw_decoder_new failed");
    return d;
}

/* The tight decoder: small limits, and the smallest caller arena that
 * ugw_decoder_new() accepts, placed at an odd address so the runtime must
 * align the token array itself. Never freed: it lives as long as the process. */
static ugw_decoder *fuzz_new_tight(void)
{
    ugw_decode_opts o = { 0 };
    o.max_depth = 4;
    o.max_tokens = 40;
    o.max_input = 2048;
    for (size_t size = 1024; size <= 64 * 1024; size += 8) {
        unsigned char *block = malloc(size + 1);
        ugw_decoder *d;
        FUZZ_CHECK(block != NULL, "out of memory");
        o.arena = block + 1;
        o.arena_size = size;
        d = ugw_decoder_new(&o);
        if (d)
            return d;
        free(block);
    }
    FUZZ_CHECK(0, "no arena size up to 64 KiB makes a tight decoder");
    return NULL;
}

static void fuzz_init(void)
{
    ugw_decode_opts strict = { 0 }, deep = { 0 };
    strict.strict = true;
    deep.max_depth = 32; /* the most ugw_decoder_new() allows */
    /* More than the default 1024, but not so many that the quadratic work of
     * jsmn and of the duplicate-key checks on a 64 KiB input slows every run. */
    deep.max_tokens = 4096;
    deep.arena_size = (size_t)1 << 20;
    fuzz_dec[FUZZ_DEFAULT] = fuzz_new_decoder(NULL);
    fuzz_dec[FUZZ_STRICT] = fuzz_new_decoder(&strict);
    fuzz_dec[FUZZ_TIGHT] = fuzz_new_tight();
    fuzz_dec[FUZZ_DEEP] = fuzz_new_decoder(&deep);
    fuzz_check_dec = fuzz_new_decoder(&strict);
}

static void fuzz_error_reset(ugw_error *err)
{
    err->code = UGW_ERR_SYNTAX;
    err->message = fuzz_stale_message;
    err->pos = SIZE_MAX;
    memset(err->path, 'X', sizeof err->path); /* not NUL-terminated */
}

/* Is in[pos] where a map key starts: '"' in JSON, a str header in MessagePack? */
static int fuzz_key_starts_at(ugw_format f, const uint8_t *in, size_t len, size_t pos)
{
    if (pos >= len)
        return 0;
    if (f == UGW_FORMAT_JSON)
        return in[pos] == '"';
    return (in[pos] >= 0xa0 && in[pos] <= 0xbf) || (in[pos] >= 0xd9 && in[pos] <= 0xdb);
}

/* The bytes of the key that starts at in[pos] when they can be read without
 * unescaping: 1 and k, kn set; 0 when that cannot be told. */
static int fuzz_key_at(ugw_format f, const uint8_t *in, size_t len, size_t pos,
                       const uint8_t **k, size_t *kn)
{
    size_t n = 0, w = 0;
    if (!fuzz_key_starts_at(f, in, len, pos))
        return 0;
    if (f == UGW_FORMAT_JSON) {
        for (size_t i = pos + 1; i < len; i++) {
            if (in[i] == '\\')
                return 0;
            if (in[i] == '"') {
                *k = in + pos + 1;
                *kn = i - pos - 1;
                return 1;
            }
        }
        return 0;
    }
    if (in[pos] <= 0xbf)
        n = in[pos] & 0x1f;
    else
        w = (size_t)1 << (in[pos] - 0xd9);
    if (len - pos - 1 < w)
        return 0;
    for (size_t i = 0; i < w; i++)
        n = n << 8 | in[pos + 1 + i];
    if (len - pos - 1 - w < n)
        return 0;
    *k = in + pos + 1 + w;
    *kn = n;
    return 1;
}

/* Is `path` prefix + key (a control byte in the key may be shown as anything;
 * a path that would be cut is not checked)? */
static int fuzz_path_is(const char *path, const char *prefix, const uint8_t *k, size_t kn)
{
    size_t pl = strlen(prefix);
    if (pl + kn > UGW_PATH_MAX - 4)
        return 1;
    if (strlen(path) != pl + kn || memcmp(path, prefix, pl) != 0)
        return 0;
    for (size_t i = 0; i < kn; i++)
        if (k[i] >= 0x20 && k[i] != 0x7f && (uint8_t)path[pl + i] != k[i])
            return 0;
    return 1;
}

/* The error of a failed decode of `len` bytes of untrusted input. */
static void fuzz_check_error(const char *who, ugw_format f, ugw_status st, const ugw_error *err,
                             const uint8_t *in, size_t len)
{
    FUZZ_CHECK((st >= UGW_ERR_SYNTAX && st <= UGW_ERR_UNKNOWN_KEY) || st == UGW_ERR_NOMEM,
               "%s: status %d (%s) is not an input error", who, (int)st, ugw_status_name(st));
    FUZZ_CHECK(err->code == st, "%s: returned %d but err.code is %d", who, (int)st, (int)err->code);
    FUZZ_CHECK(err->message != NULL && err->message != fuzz_stale_message && err->message[0],
               "%s: no message (stale or empty)", who);
    FUZZ_CHECK(err->pos <= len, "%s: err.pos %zu > input length %zu (%s)", who, err->pos, len,
               err->message);
    FUZZ_CHECK(memchr(err->path, '\0', sizeof err->path) != NULL,
               "%s: err.path is not NUL-terminated within UGW_PATH_MAX", who);
    FUZZ_CHECK(strcmp(ugw_status_name(st), "?") != 0, "%s: status %d has no name", who, (int)st);
    /* An unknown key is always a string key: the error points at it and its
     * path names it. */
    if (st == UGW_ERR_UNKNOWN_KEY) {
        const uint8_t *k;
        size_t kn;
        FUZZ_CHECK(fuzz_key_starts_at(f, in, len, err->pos),
                   "%s: unknown_key error at %zu (path %s) does not point at a key", who, err->pos,
                   err->path);
        if (fuzz_key_at(f, in, len, err->pos, &k, &kn))
            FUZZ_CHECK(fuzz_path_is(err->path, "", k, kn) || fuzz_path_is(err->path, "payload.", k, kn),
                       "%s: unknown_key error at %zu points at key \"%.*s\", but its path is %s", who,
                       err->pos, (int)kn, (const char *)k, err->path);
    }
    /* JSON keys are always strings: a duplicate one is pointed at. */
    if (st == UGW_ERR_DUPLICATE_KEY && f == UGW_FORMAT_JSON)
        FUZZ_CHECK(fuzz_key_starts_at(f, in, len, err->pos),
                   "%s: duplicate_key error at %zu (path %s) does not point at a key", who,
                   err->pos, err->path);
}

/* Encodes `ev` in `f` into a fresh buffer of exactly the needed size. */
static unsigned char *fuzz_encode(const char *who, const ugw_event *ev, ugw_format f, size_t *len)
{
    ugw_error err;
    size_t need = 0, got = 0;
    ugw_status st;
    unsigned char *buf;

    fuzz_error_reset(&err);
    st = ugw_encode(ev, f, NULL, 0, &need, &err);
    FUZZ_CHECK(st == UGW_OK, "%s: sizing %s encode failed: %s %s at %s", who, ugw_format_name(f),
               ugw_status_name(st), err.message, err.path);
    FUZZ_CHECK(err.code == UGW_OK, "%s: sizing call returned OK but err.code is %d", who, (int)err.code);
    FUZZ_CHECK(need > 0, "%s: sizing call says 0 bytes", who);

    /* One byte short: must fail with UGW_ERR_BUFFER, writing nothing past it. */
    buf = malloc(need - 1 ? need - 1 : 1);
    FUZZ_CHECK(buf != NULL, "out of memory");
    st = ugw_encode(ev, f, buf, need - 1, &got, &err);
    FUZZ_CHECK(st == UGW_ERR_BUFFER, "%s: %s encode into %zu of %zu bytes gave %s", who,
               ugw_format_name(f), need - 1, need, ugw_status_name(st));
    FUZZ_CHECK(got == need, "%s: short %s buffer reports %zu needed, sizing said %zu", who,
               ugw_format_name(f), got, need);
    free(buf);

    buf = malloc(need);
    FUZZ_CHECK(buf != NULL, "out of memory");
    fuzz_error_reset(&err);
    st = ugw_encode(ev, f, buf, need, &got, &err);
    FUZZ_CHECK(st == UGW_OK, "%s: %s encode failed: %s", who, ugw_format_name(f), ugw_status_name(st));
    FUZZ_CHECK(err.code == UGW_OK, "%s: encode returned OK but err.code is %d", who, (int)err.code);
    FUZZ_CHECK(got == need, "%s: %s encode wrote %zu bytes, sizing said %zu", who,
               ugw_format_name(f), got, need);
    *len = got;
    return buf;
}

static void fuzz_check_same(const char *who, const unsigned char *a, size_t alen,
                            const unsigned char *b, size_t blen)
{
    FUZZ_CHECK(alen == blen && memcmp(a, b, alen) == 0,
               "%s: encodings differ (%zu vs %zu bytes)", who, alen, blen);
}

/* Decodes one of our own encodings with the strict check decoder; its two
 * encodings must equal `json` and `mp`. */
static void fuzz_check_fixed_point(const char *who, ugw_format f, const unsigned char *json,
                                   size_t json_len, const unsigned char *mp, size_t mp_len)
{
    const unsigned char *in = f == UGW_FORMAT_JSON ? json : mp;
    size_t in_len = f == UGW_FORMAT_JSON ? json_len : mp_len;
    ugw_event ev;
    ugw_error err;
    ugw_status st;
    unsigned char *j2, *m2;
    size_t j2_len, m2_len;

    fuzz_error_reset(&err);
    st = ugw_decode(fuzz_check_dec, f, in, in_len, &ev, &err);
    FUZZ_CHECK(st == UGW_OK, "%s: our own %s encoding does not decode: %s (%s) at %zu, path %s", who,
               ugw_format_name(f), ugw_status_name(st), err.message, err.pos, err.path);
    j2 = fuzz_encode(who, &ev, UGW_FORMAT_JSON, &j2_len);
    m2 = fuzz_encode(who, &ev, UGW_FORMAT_MSGPACK, &m2_len);
    fuzz_check_same(who, json, json_len, j2, j2_len);
    fuzz_check_same(who, mp, mp_len, m2, m2_len);
    free(j2);
    free(m2);
}

/* Runs the whole oracle on one input in format `f`. */
static void fuzz_one(ugw_format f, const uint8_t *data, size_t size)
{
    ugw_status st[FUZZ_NDEC];
    unsigned char *json[FUZZ_NDEC] = { 0 }, *mp[FUZZ_NDEC] = { 0 };
    size_t json_len[FUZZ_NDEC] = { 0 }, mp_len[FUZZ_NDEC] = { 0 };

    for (int i = 0; i < FUZZ_NDEC; i++) {
        const char *who = fuzz_dec_name[i];
        ugw_event ev;
        ugw_error err;

        fuzz_error_reset(&err);
        st[i] = ugw_decode(fuzz_dec[i], f, data, size, &ev, &err);
        if (st[i] != UGW_OK) {
            fuzz_check_error(who, f, st[i], &err, data, size);
            if ((i == FUZZ_DEFAULT || i == FUZZ_DEEP) && fuzz_hook)
                fuzz_hook(data, size, st[i], NULL);
            continue;
        }
        FUZZ_CHECK(err.code == UGW_OK, "%s: decode returned OK but err.code is %d", who, (int)err.code);
        FUZZ_CHECK(ev.type > UGW_EVENT_NONE && ugw_event_describe(ev.type) != NULL,
                   "%s: decoded event has type %d", who, (int)ev.type);
        fuzz_error_reset(&err);
        FUZZ_CHECK(ugw_event_validate(&ev, &err) == UGW_OK,
                   "%s: decoded event does not validate: %s (%s) at %s", who,
                   ugw_status_name(err.code), err.message, err.path);
        if ((i == FUZZ_DEFAULT || i == FUZZ_DEEP) && fuzz_hook)
            fuzz_hook(data, size, st[i], &ev);
        /* Encode before the next decode with this decoder reuses its arena. */
        json[i] = fuzz_encode(who, &ev, UGW_FORMAT_JSON, &json_len[i]);
        mp[i] = fuzz_encode(who, &ev, UGW_FORMAT_MSGPACK, &mp_len[i]);
        fuzz_check_fixed_point(who, UGW_FORMAT_JSON, json[i], json_len[i], mp[i], mp_len[i]);
        fuzz_check_fixed_point(who, UGW_FORMAT_MSGPACK, json[i], json_len[i], mp[i], mp_len[i]);
    }

    /* Limits only take away: strict and tight accept a subset of what the
     * default decoder accepts, which accepts a subset of what the deep one
     * (larger limits) accepts; all read the same event. */
    for (int i = FUZZ_STRICT; i < FUZZ_NDEC; i++) {
        int sub = i == FUZZ_DEEP ? FUZZ_DEFAULT : i, super = i == FUZZ_DEEP ? FUZZ_DEEP : FUZZ_DEFAULT;
        if (st[sub] != UGW_OK)
            continue;
        FUZZ_CHECK(st[super] == UGW_OK, "%s accepts what %s rejects (%s)", fuzz_dec_name[sub],
                   fuzz_dec_name[super], ugw_status_name(st[super]));
        fuzz_check_same(fuzz_dec_name[i], json[super], json_len[super], json[sub], json_len[sub]);
        fuzz_check_same(fuzz_dec_name[i], mp[super], mp_len[super], mp[sub], mp_len[sub]);
    }
    for (int i = 0; i < FUZZ_NDEC; i++) {
        free(json[i]);
        free(mp[i]);
    }
}

#endif /* UGW_FUZZ_COMMON_H */
