/*
 * bench_passes.c - the codec benchmark's fixtures, the state shared by the
 * measured passes, and our passes with the floors under them; see
 * bench_codec.c.
 */
#include <errno.h>

/* jsmn configured as the runtime uses it, static so it cannot clash. */
#define JSMN_STATIC
#define JSMN_STRICT
#include <jsmn.h>

#include "bench_codec.h"

/* ------------------------------------------------------------------ */
/* Fixtures                                                             */
/* ------------------------------------------------------------------ */

doc g_json[NEV], g_mp[NEV];
size_t g_json_bytes, g_mp_bytes; /* of one pass over all fixtures */

void die(const char *what, const char *detail)
{
    fprintf(stderr, "bench_codec: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
    exit(2);
}

static doc read_file(const char *path)
{
    doc d = { NULL, 0 };
    size_t cap = 4096;
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "bench_codec: %s: %s\n", path, strerror(errno));
        exit(2);
    }
    d.p = malloc(cap);
    if (!d.p)
        die("out of memory", NULL);
    for (;;) {
        size_t got = fread(d.p + d.n, 1, cap - d.n, f);
        d.n += got;
        if (d.n < cap)
            break;
        unsigned char *bigger = realloc(d.p, cap * 2);
        if (!bigger)
            die("out of memory", NULL);
        d.p = bigger;
        cap *= 2;
    }
    if (ferror(f))
        die("read error", path);
    fclose(f);
    return d;
}

void load_fixtures(const char *dir)
{
    char path[4096];
    for (int i = 0; i < NEV; i++) {
        const char *id = ugw_event_id((ugw_event_type)(i + 1));
        if (!id)
            die("no schema id for an event type", NULL);
        snprintf(path, sizeof path, "%s/valid/%s.json", dir, id);
        g_json[i] = read_file(path);
        snprintf(path, sizeof path, "%s/valid/%s.msgpack", dir, id);
        g_mp[i] = read_file(path);
        g_json_bytes += g_json[i].n;
        g_mp_bytes += g_mp[i].n;
    }
}

/* ------------------------------------------------------------------ */
/* Shared state of the measured passes                                  */
/* ------------------------------------------------------------------ */

ugw_decoder *g_dec;        /* made once, reused by every decode */
unsigned char g_out[65536]; /* caller buffer of our encoders */

void fail_event(const char *who, int i, const char *why)
{
    fprintf(stderr, "bench_codec: %s failed on %s: %s\n", who,
            ugw_event_id((ugw_event_type)(i + 1)), why);
    exit(2);
}


/* ---- ours ---- */

uint64_t pass_ours_json_encode(uint64_t h)
{
    for (int i = 0; i < NEV; i++) {
        size_t n = 0;
        if (ugw_encode_json(&ugw_fixtures[i], g_out, sizeof g_out, &n, NULL) != UGW_OK)
            fail_event("ugw_encode_json", i, "error");
        h = digest_bytes(h, g_out, n);
    }
    return h;
}

uint64_t pass_ours_json_decode(uint64_t h)
{
    for (int i = 0; i < NEV; i++) {
        ugw_event ev;
        if (ugw_decode_json(g_dec, g_json[i].p, g_json[i].n, &ev, NULL) != UGW_OK)
            fail_event("ugw_decode_json", i, "error");
        h = digest_event(h, &ev);
    }
    return h;
}

uint64_t pass_ours_mp_encode(uint64_t h)
{
    for (int i = 0; i < NEV; i++) {
        size_t n = 0;
        if (ugw_encode_msgpack(&ugw_fixtures[i], g_out, sizeof g_out, &n, NULL) != UGW_OK)
            fail_event("ugw_encode_msgpack", i, "error");
        h = digest_bytes(h, g_out, n);
    }
    return h;
}

uint64_t pass_ours_mp_decode(uint64_t h)
{
    for (int i = 0; i < NEV; i++) {
        ugw_event ev;
        if (ugw_decode_msgpack(g_dec, g_mp[i].p, g_mp[i].n, &ev, NULL) != UGW_OK)
            fail_event("ugw_decode_msgpack", i, "error");
        h = digest_event(h, &ev);
    }
    return h;
}

/* ---- the floors under ours (information) ---- */

/* jsmn_parse alone: what the JSON decoder pays before it looks at a token. */
uint64_t pass_jsmn_only(uint64_t h)
{
    static jsmntok_t toks[256];
    for (int i = 0; i < NEV; i++) {
        jsmn_parser p;
        int n;
        jsmn_init(&p);
        n = jsmn_parse(&p, (const char *)g_json[i].p, g_json[i].n, toks, 256);
        if (n <= 0)
            fail_event("jsmn_parse", i, "no tokens");
        h = mix(h, (uint64_t)n << 32 | (uint64_t)toks[n - 1].end);
    }
    return h;
}

/* ugw_event_validate alone: what every encode pays before writing. */
uint64_t pass_ours_validate(uint64_t h)
{
    for (int i = 0; i < NEV; i++) {
        if (ugw_event_validate(&ugw_fixtures[i], NULL) != UGW_OK)
            fail_event("ugw_event_validate", i, "invalid");
        h = mix(h, (uint64_t)i);
    }
    return h;
}
