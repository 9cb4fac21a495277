/*
 * bench_codec.h - what the files of the codec benchmark share (bench_codec.c:
 * timing, report and main; bench_alloc.c: allocation counting and check;
 * bench_passes.c: fixtures, shared state, our passes and the floors;
 * bench_anchors.c: the cJSON, jansson and msgpack-c passes and the sanity
 * check; bench_extract.c: the anchors' checks and msgpack-c's extraction;
 * bench_msgpuck.c: the msgpuck anchors, when UGW_BENCH_MSGPUCK).
 */
#ifndef UGW_BENCH_CODEC_H
#define UGW_BENCH_CODEC_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <msgpack.h>

#include <ugw/ugw_events.h>
#include <ugw/ugw_fixtures.h>

/* ---- allocation counting (bench_alloc.c) ---- */

/* A sanitizer owns malloc: do not replace it. UGW_BENCH_SANITIZED comes from
 * CMake when the libraries are instrumented (UGW_SANITIZE, UGW_FUZZ) even if
 * this file is not. */
#if defined(__SANITIZE_ADDRESS__) || defined(UGW_BENCH_SANITIZED)
#define BENCH_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(memory_sanitizer)
#define BENCH_ASAN 1
#endif
#endif

#if defined(__GLIBC__) && !defined(BENCH_ASAN)
#define BENCH_COUNT_ALLOCS 1
#else
#define BENCH_COUNT_ALLOCS 0
#endif

/* Heap allocations so far (stays 0 when BENCH_COUNT_ALLOCS is 0). */
extern unsigned long long g_allocs;

typedef uint64_t (*pass_fn)(uint64_t h);

extern uint64_t g_sum; /* checksum of everything */

/* Prints the allocation line; returns the number of paths that allocate. */
int alloc_report(void);

/* ---- fixtures and shared state (bench_passes.c) ---- */

#define NEV UGW_EVENT_COUNT

typedef struct doc {
    unsigned char *p;
    size_t n;
} doc;

extern doc g_json[NEV], g_mp[NEV];
extern size_t g_json_bytes, g_mp_bytes; /* of one pass over all fixtures */

void die(const char *what, const char *detail);
void load_fixtures(const char *dir);

extern ugw_decoder *g_dec;        /* made once, reused by every decode */
extern unsigned char g_out[65536]; /* caller buffer of our encoders */

void fail_event(const char *who, int i, const char *why);

/* Field access through the generated descriptors. */
#define FIELD(payload, off, type) ((type *)(void *)((char *)(payload) + (off)))
#define CFIELD(payload, off, type) ((const type *)(const void *)((const char *)(payload) + (off)))

static inline int present(const ugw_field_desc *f, const void *payload)
{
    return f->has_offset == UGW_NO_HAS || *CFIELD(payload, f->has_offset, bool);
}

/* Mixes what a pass produced into the checksum so nothing is optimised away. */
static inline uint64_t mix(uint64_t h, uint64_t v)
{
    return (h ^ v) * UINT64_C(0x100000001b3);
}

static inline uint64_t digest_bytes(uint64_t h, const unsigned char *p, size_t n)
{
    h = mix(h, n);
    if (n)
        h = mix(h, (uint64_t)p[0] << 16 | (uint64_t)p[n / 2] << 8 | p[n - 1]);
    return h;
}

static inline uint64_t digest_event(uint64_t h, const ugw_event *ev)
{
    /* user_id is the first member of every event struct */
    const ugw_str *uid = &ev->u.guide_preview_start.user_id;
    h = mix(h, (uint64_t)ev->type);
    h = mix(h, uid->len);
    if (uid->len)
        h = mix(h, (unsigned char)uid->ptr[uid->len - 1]);
    return h;
}

/* ---- the measured passes (bench_passes.c, bench_anchors.c) ---- */

uint64_t pass_ours_json_encode(uint64_t h);
uint64_t pass_ours_json_decode(uint64_t h);
uint64_t pass_ours_mp_encode(uint64_t h);
uint64_t pass_ours_mp_decode(uint64_t h);
uint64_t pass_jsmn_only(uint64_t h);
uint64_t pass_ours_validate(uint64_t h);
uint64_t pass_cjson_encode(uint64_t h);
uint64_t pass_cjson_decode(uint64_t h);
uint64_t pass_cjson_decode_validate(uint64_t h);
uint64_t pass_jansson_encode(uint64_t h);
uint64_t pass_jansson_decode(uint64_t h);
uint64_t pass_sbuffer_encode(uint64_t h);
uint64_t pass_unpack_next(uint64_t h);
uint64_t pass_unpack_next_extract(uint64_t h);
#ifdef UGW_BENCH_MSGPUCK
uint64_t pass_msgpuck_encode(uint64_t h);
uint64_t pass_msgpuck_decode(uint64_t h);
/* Checks fixture i both ways (exits 2 if msgpuck's extraction does not give
 * it back); returns 1 when msgpuck's encoding has the fixture's bytes. */
int msgpuck_sanity(int i);
#endif

/* ---- the anchors' checks, as ugw makes them (bench_extract.c) ---- */

/* Index of the field of `ed` named k[0..n), -1 when none (or past 64). */
int anchor_field(const ugw_event_desc *ed, const char *k, size_t n);
/* 1 when a string value keeps field f's rules: length, UTF-8, no NUL, URL form. */
int anchor_str_ok(const ugw_field_desc *f, const char *p, size_t n);
/* 1 when an integer is within field f's bounds. */
int anchor_int_ok(const ugw_field_desc *f, int64_t v);
/* 1 when every required field of `ed` is in `seen` (bit i: field i). */
int anchor_required_ok(const ugw_event_desc *ed, uint64_t seen);
/* Sets an optional field's has_ flag. */
void anchor_mark(const ugw_field_desc *f, ugw_event *ev);
/* msgpack-c's tree into `ev` with those checks; 1 on success. */
int unpacked_extract(const msgpack_object *root, ugw_event *ev);

/* Everyone produces and reads the same data (bench_anchors.c); exits 2 if not. */
void sanity(int verbose);

#endif
