/*
 * corpus_driver.c - runs the generated fixtures of any schema through the
 * schema-generic runtime API. Compiled by tests/codegen/corpus.py with
 * -DSCHEMA_SYMBOL=<prefix>_schema_events against that schema's generated
 * <prefix>_events.c (and nothing else of it), then run with the fixtures
 * folder as its argument.
 *
 * Checks, printing one line per failure (exit 1 when any):
 *   - each event's valid/<id>.json and .msgpack decode to that event; the
 *     decoded payload re-encodes to exactly both files; both re-encodings
 *     decode again; validate accepts it; the same for the variants that
 *     exist: <id>.null, <id>.absent (nullable and optional fields), <id>.min
 *     and <id>.max (arrays at their min_items and max_items);
 *   - each row of invalid/MANIFEST.tsv: the file is refused with that code
 *     and path (strict rows by a strict decoder, and accepted by a default one).
 * Everything goes through the calls with the envelope (ugw_schema_*_env),
 * which are the plain ones for a schema without envelope fields.
 * Prints "ok <events> <invalid files>" on success.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ugw/ugw_runtime.h>

#ifndef SCHEMA_SYMBOL
#error "SCHEMA_SYMBOL must name the generated ugw_schema"
#endif
extern const ugw_schema SCHEMA_SYMBOL;

static int failures;
static void *env;      /* the envelope struct, ugw_schema_envelope_size() bytes */
static size_t env_cap;

#define FAIL(...)                          \
    do {                                   \
        fprintf(stderr, "FAIL: " __VA_ARGS__); \
        fputc('\n', stderr);               \
        failures++;                        \
    } while (0)

/* The whole file in an exact-size heap buffer (so ASan sees overreads). */
static unsigned char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    unsigned char *buf;
    long n;
    if (!f)
        return NULL;
    if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
        fclose(f);
        return NULL;
    }
    buf = malloc(n ? (size_t)n : 1);
    if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    *len = (size_t)n;
    return buf;
}

/* Encodes `payload` of event `type` in `fmt` into a fresh exact buffer. */
static unsigned char *encode(int type, const void *payload, ugw_format fmt, size_t *len)
{
    ugw_error err;
    size_t need = 0;
    unsigned char *out;
    ugw_status st = ugw_schema_encode_env(&SCHEMA_SYMBOL, type, env, payload, fmt, NULL, 0, &need, &err);
    if (st) {
        FAIL("event %d: sizing %s: %s at %s", type, ugw_format_name(fmt), ugw_status_name(st), err.path);
        return NULL;
    }
    out = malloc(need ? need : 1);
    if (!out)
        return NULL;
    st = ugw_schema_encode_env(&SCHEMA_SYMBOL, type, env, payload, fmt, out, need, len, &err);
    if (st || *len != need) {
        FAIL("event %d: encode %s: %s at %s", type, ugw_format_name(fmt), ugw_status_name(st), err.path);
        free(out);
        return NULL;
    }
    return out;
}

/* valid/<id><suffix>.json and .msgpack; a variant (suffix not "") may be absent. */
static void valid_event(ugw_decoder *dec, const char *dir, int type, const char *suffix, void *payload,
                        size_t cap)
{
    const ugw_event_desc *ed = ugw_schema_event(&SCHEMA_SYMBOL, type);
    unsigned char *files[2];
    size_t lens[2];
    char path[4096];
    static const ugw_format fmts[2] = { UGW_FORMAT_JSON, UGW_FORMAT_MSGPACK };
    for (int k = 0; k < 2; k++) {
        snprintf(path, sizeof path, "%s/valid/%s%s.%s", dir, ed->id, suffix, ugw_format_name(fmts[k]));
        files[k] = slurp(path, &lens[k]);
        if (!files[k] && !*suffix)
            FAIL("cannot read %s", path);
    }
    for (int k = 0; k < 2 && files[0] && files[1]; k++) {
        ugw_error err;
        int got = 0;
        ugw_status st = ugw_schema_decode_env(&SCHEMA_SYMBOL, dec, fmts[k], files[k], lens[k], &got, env, env_cap,
                                              payload, cap, &err);
        if (st || got != type) {
            FAIL("valid %s%s.%s: %s (%s) at %zu path %s", ed->id, suffix, ugw_format_name(fmts[k]), ugw_status_name(st),
                 err.message ? err.message : "", err.pos, err.path);
            continue;
        }
        if (ugw_schema_validate_env(&SCHEMA_SYMBOL, type, env, payload, &err))
            FAIL("valid %s%s.%s: decoded payload does not validate: %s", ed->id, suffix, ugw_format_name(fmts[k]), err.path);
        for (int j = 0; j < 2; j++) {
            size_t n = 0;
            unsigned char *re = encode(type, payload, fmts[j], &n);
            if (!re)
                continue;
            if (n != lens[j] || memcmp(re, files[j], n) != 0)
                FAIL("valid %s%s: decoded from %s, re-encoded as %s differs from the fixture (%zu vs %zu bytes)",
                     ed->id, suffix, ugw_format_name(fmts[k]), ugw_format_name(fmts[j]), n, lens[j]);
            free(re);
        }
    }
    free(files[0]);
    free(files[1]);
}

static void invalid_row(ugw_decoder *dec, ugw_decoder *strict, const char *dir, char *line,
                        void *payload, size_t cap)
{
    char *file = strtok(line, "\t"), *code = strtok(NULL, "\t"), *path = strtok(NULL, "\t"),
         *mode = strtok(NULL, "\t\r\n");
    char full[4096];
    unsigned char *buf;
    size_t len = 0;
    ugw_error err;
    ugw_status st;
    int type = 0;
    ugw_format fmt;
    if (!file || !code || !path || !mode) {
        FAIL("malformed manifest row");
        return;
    }
    fmt = strstr(file, ".msgpack") ? UGW_FORMAT_MSGPACK : UGW_FORMAT_JSON;
    snprintf(full, sizeof full, "%s/invalid/%s", dir, file);
    buf = slurp(full, &len);
    if (!buf) {
        FAIL("cannot read %s", full);
        return;
    }
    st = ugw_schema_decode_env(&SCHEMA_SYMBOL, strcmp(mode, "strict") == 0 ? strict : dec, fmt, buf, len, &type,
                               env, env_cap, payload, cap, &err);
    if (strcmp(ugw_status_name(st), code) != 0
        || strcmp(err.path, strcmp(path, "-") == 0 ? "" : path) != 0)
        FAIL("%s: expected %s at %s, got %s (%s) at %s pos %zu", file, code, path, ugw_status_name(st),
             err.message ? err.message : "", err.path, err.pos);
    if (strcmp(mode, "strict") == 0) {
        st = ugw_schema_decode_env(&SCHEMA_SYMBOL, dec, fmt, buf, len, &type, env, env_cap, payload, cap, &err);
        if (st)
            FAIL("%s: strict-only, but the default decoder refuses it: %s at %s", file, ugw_status_name(st),
                 err.path);
    }
    free(buf);
}

int main(int argc, char **argv)
{
    static const char *const variants[] = { "", ".null", ".absent", ".min", ".max" };
    size_t cap = ugw_schema_payload_max(&SCHEMA_SYMBOL);
    void *payload = malloc(cap ? cap : 1);
    ugw_decode_opts so = { 0 };
    ugw_decoder *dec = ugw_decoder_new(NULL), *strict;
    char manifest[4096], line[8192];
    FILE *mf;
    int rows = 0;
    so.strict = true;
    strict = ugw_decoder_new(&so);
    env_cap = ugw_schema_envelope_size(&SCHEMA_SYMBOL);
    env = malloc(env_cap ? env_cap : 1);
    if (argc != 2 || !payload || !dec || !strict || !env) {
        fprintf(stderr, "usage: corpus_driver FIXTURES_DIR\n");
        return 2;
    }
    for (uint32_t t = 1; t <= SCHEMA_SYMBOL.nevents; t++)
        for (size_t v = 0; v < sizeof variants / sizeof variants[0]; v++)
            valid_event(dec, argv[1], (int)t, variants[v], payload, cap);
    snprintf(manifest, sizeof manifest, "%s/invalid/MANIFEST.tsv", argv[1]);
    mf = fopen(manifest, "r");
    if (!mf) {
        FAIL("cannot read %s", manifest);
    } else {
        while (fgets(line, sizeof line, mf)) {
            if (line[0] == '#' || line[0] == '\n')
                continue;
            invalid_row(dec, strict, argv[1], line, payload, cap);
            rows++;
        }
        fclose(mf);
    }
    ugw_decoder_free(dec);
    ugw_decoder_free(strict);
    free(payload);
    free(env);
    if (failures)
        return 1;
    printf("ok %u %d\n", SCHEMA_SYMBOL.nevents, rows);
    return 0;
}
