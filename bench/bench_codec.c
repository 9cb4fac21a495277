/*
 * bench_codec.c - the codec benchmark.
 *
 * Encodes and decodes the eleven valid fixtures many times, with ours and, in
 * the same run, with the anchors: cJSON and jansson (build + print, parse +
 * field extraction), msgpack-c (generic msgpack_sbuffer packing,
 * msgpack_unpack_next + extraction with ugw's checks) and msgpuck (mp_encode_*;
 * mp_check + decode + extraction with ugw's checks; when built with it), and
 * the floors under ours: ugw_event_validate, jsmn_parse and
 * msgpack_unpack_next alone.
 *
 * Method: each measurement runs a batch (every fixture, enough passes to last
 * about --batch-ms); batches of all measurements are interleaved, repeated
 * --repeats times, and the median ns/event is reported. MB/s counts the bytes
 * of the encoded documents. Ratios are median over median of the same run.
 *
 * Heap allocations are counted by defining malloc/calloc/realloc/free in this
 * executable (forwarding to glibc's __libc_* functions): symbols of the
 * executable interpose those of shared libraries, so allocations made inside
 * libmsgpackc, libcjson, libjansson and libc are counted too (memalign and
 * friends are not replaced, hence not counted; nothing here uses them).
 *
 * Usage: bench_codec [--repeats N] [--batch-ms MS] [--fixtures DIR]
 *                    [--only KEY,...] [--cpu-clock] [--check]
 *        bench_codec --alloc-check [--fixtures DIR]
 * docs/BENCHMARKS.md has the targets, docs/BENCHMARKS_CODEC.md the method,
 * the figures and how to profile.
 * This file: timing, report and main; bench_alloc.c: allocation counting;
 * bench_passes.c: fixtures, our passes and the floors; bench_anchors.c,
 * bench_extract.c and bench_msgpuck.c: the anchors.
 * Exit: 0; with --check, 1 when a target is missed; with --alloc-check, 1 when
 * one of our encode/decode paths allocates per event (77 when counting is not
 * available: not glibc, or a sanitizer build); 2 on usage, I/O or codec errors.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cJSON.h>
#include <jansson.h>

#include "bench_codec.h"

#ifndef UGW_FIXTURES_DIR
#define UGW_FIXTURES_DIR "generated/fixtures"
#endif
#ifndef UGW_BUILD_TYPE
#define UGW_BUILD_TYPE "?"
#endif
#ifndef UGW_BENCH_CFLAGS
#define UGW_BENCH_CFLAGS "?"
#endif

/* ------------------------------------------------------------------ */
/* Timing                                                               */
/* ------------------------------------------------------------------ */

/* --cpu-clock: the thread's own CPU time, which leaves out the time the
 * scheduler gives the neighbours of a shared machine. */
static clockid_t g_clock = CLOCK_MONOTONIC;

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(g_clock, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

#define MAX_REPEATS 101

typedef struct meas {
    const char *key;   /* for --only */
    const char *label;
    int json;          /* MB/s of the JSON (1) or MessagePack (0) documents; 2: none */
    pass_fn fn;
    int off;           /* left out by --only */
    long passes;       /* per batch, from calibration */
    double ns[MAX_REPEATS];
    double med, lo, hi, mbps, allocs;
} meas;

#ifdef UGW_BENCH_MSGPUCK
#define MSGPUCK(fn) fn
#define MSGPUCK_STATE "(libmsgpuck-dev)"
#else
#define MSGPUCK(fn) NULL /* not built: reported, never run */
#define MSGPUCK_STATE "not built"
#endif

enum {
    M_OURS_JE, M_OURS_JD, M_OURS_ME, M_OURS_MD,
    M_CJ_E, M_CJ_D, M_CJ_DV, M_JA_E, M_JA_D,
    M_SB_E, M_UN_X, M_MP_E, M_MP_D,
    M_VALIDATE, M_JSMN, M_UN_NEXT, M__COUNT
};

#define MEAS(key, label, json, fn) { key, label, json, fn, 0, 0, {0}, 0, 0, 0, 0, 0 }
static meas g_m[M__COUNT] = {
    [M_OURS_JE] = MEAS("ours-json-encode", "ours     JSON encode (ugw_encode_json, caller buffer)", 1, pass_ours_json_encode),
    [M_OURS_JD] = MEAS("ours-json-decode", "ours     JSON decode (ugw_decode_json, reused decoder)", 1, pass_ours_json_decode),
    [M_OURS_ME] = MEAS("ours-msgpack-encode", "ours     MessagePack encode (ugw_encode_msgpack)", 0, pass_ours_mp_encode),
    [M_OURS_MD] = MEAS("ours-msgpack-decode", "ours     MessagePack decode (ugw_decode_msgpack)", 0, pass_ours_mp_decode),
    [M_CJ_E] = MEAS("cjson-encode", "cJSON    build + PrintUnformatted + free", 1, pass_cjson_encode),
    [M_CJ_D] = MEAS("cjson-decode", "cJSON    ParseWithLength + extract + Delete", 1, pass_cjson_decode),
    [M_CJ_DV] = MEAS("cjson-decode-validate", "cJSON    ... + ugw_event_validate (info)", 1, pass_cjson_decode_validate),
    [M_JA_E] = MEAS("jansson-encode", "jansson  build + json_dumps(COMPACT) + free", 1, pass_jansson_encode),
    [M_JA_D] = MEAS("jansson-decode", "jansson  json_loadb + extract + decref", 1, pass_jansson_decode),
    [M_SB_E] = MEAS("msgpack-sbuffer-encode", "msgpackc sbuffer + packer, per event", 0, pass_sbuffer_encode),
    [M_UN_X] = MEAS("msgpack-unpack-next-extract", "msgpackc msgpack_unpack_next + extract (same checks)", 0, pass_unpack_next_extract),
    [M_MP_E] = MEAS("msgpuck-encode", "msgpuck  mp_encode_* into a caller buffer", 0, MSGPUCK(pass_msgpuck_encode)),
    [M_MP_D] = MEAS("msgpuck-decode", "msgpuck  mp_check + decode + extract (same checks)", 0, MSGPUCK(pass_msgpuck_decode)),
    [M_VALIDATE] = MEAS("ours-validate", "floor    ugw_event_validate alone (in every encode)", 2, pass_ours_validate),
    [M_JSMN] = MEAS("jsmn-parse", "floor    jsmn_parse alone (under our JSON decode)", 1, pass_jsmn_only),
    [M_UN_NEXT] = MEAS("msgpack-unpack-next", "floor    msgpack_unpack_next alone (zone per event)", 0, pass_unpack_next),
};

/* Passes per batch so that a batch lasts about `batch_ns`. */
static long calibrate(pass_fn fn, double batch_ns)
{
    long passes = 1;
    for (;;) {
        double t0 = now_ns(), dt;
        for (long p = 0; p < passes; p++)
            g_sum = fn(g_sum);
        dt = now_ns() - t0;
        if (dt >= batch_ns / 8 || passes > (1L << 30)) {
            double want = (double)passes * batch_ns / (dt > 1 ? dt : 1);
            return want < 1 ? 1 : (long)want;
        }
        passes *= 2;
    }
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void run_all(int repeats, double batch_ms)
{
    double batch_ns = batch_ms * 1e6;
    unsigned long long a0[M__COUNT] = { 0 }, acc[M__COUNT] = { 0 };
    for (int m = 0; m < M__COUNT; m++) {
        if (g_m[m].off)
            continue;
        /* warm-up: caches, branch predictors, allocator free lists */
        for (int p = 0; p < 200; p++)
            g_sum = g_m[m].fn(g_sum);
        g_m[m].passes = calibrate(g_m[m].fn, batch_ns);
    }
    /* Interleave the batches so that drift (frequency, neighbours on a
     * shared machine) touches every measurement alike. */
    for (int r = 0; r < repeats; r++) {
        for (int m = 0; m < M__COUNT; m++) {
            meas *x = &g_m[m];
            double t0, t1;
            if (x->off)
                continue;
            a0[m] = g_allocs;
            t0 = now_ns();
            for (long p = 0; p < x->passes; p++)
                g_sum = x->fn(g_sum);
            t1 = now_ns();
            acc[m] += g_allocs - a0[m];
            x->ns[r] = (t1 - t0) / ((double)x->passes * NEV);
        }
    }
    for (int m = 0; m < M__COUNT; m++) {
        meas *x = &g_m[m];
        double sorted[MAX_REPEATS];
        double bytes_per_event;
        if (x->off)
            continue;
        bytes_per_event = (double)(x->json == 1 ? g_json_bytes : x->json == 0 ? g_mp_bytes : 0) / NEV;
        memcpy(sorted, x->ns, sizeof(double) * (size_t)repeats);
        qsort(sorted, (size_t)repeats, sizeof(double), cmp_double);
        x->med = repeats % 2 ? sorted[repeats / 2] : (sorted[repeats / 2 - 1] + sorted[repeats / 2]) / 2;
        x->lo = sorted[0];
        x->hi = sorted[repeats - 1];
        x->mbps = bytes_per_event / x->med * 1e3; /* bytes/ns = GB/s; x1000 = MB/s */
        x->allocs = (double)acc[m] / ((double)x->passes * NEV * repeats);
    }
}

/* ------------------------------------------------------------------ */
/* Report                                                               */
/* ------------------------------------------------------------------ */

/* Prints num/den against a target (none when target is 0: information);
 * returns 1 when a counted target is missed. */
static int ratio_line(const char *what, const char *how, int num, int den, int at_least, double target, int counts)
{
    char t[24];
    double r;
    int pass;
    if (target > 0)
        snprintf(t, sizeof t, "target %s %gx", at_least ? ">=" : "<=", target);
    else
        snprintf(t, sizeof t, "(info)");
    if (g_m[num].off || g_m[den].off) {
        printf("  %-19s %-40s %8s   %-15s  not measured\n", what, how, "-", t);
        return 0;
    }
    r = g_m[num].med / g_m[den].med;
    if (target <= 0) {
        printf("  %-19s %-40s %7.2fx   %s\n", what, how, r, t);
        return 0;
    }
    pass = at_least ? r >= target : r <= target;
    printf("  %-19s %-40s %7.2fx   %-15s  %s%s\n", what, how, r, t, pass ? "PASS" : "MISS", counts ? "" : " (info)");
    return counts && !pass;
}

/* --only KEY[,KEY...]: keeps the named measurements; 0 on an unknown key. */
static int select_only(const char *list)
{
    int keep[M__COUNT] = { 0 };
    const char *p = list;
    while (*p) {
        size_t n = strcspn(p, ",");
        int found = 0;
        for (int m = 0; m < M__COUNT; m++)
            if (strlen(g_m[m].key) == n && !memcmp(g_m[m].key, p, n))
                keep[m] = found = 1;
        if (!found)
            return 0;
        p += n;
        if (*p == ',')
            p++;
    }
    for (int m = 0; m < M__COUNT; m++)
        g_m[m].off = !keep[m] || !g_m[m].fn;
    return 1;
}

static void cleanup(void)
{
    ugw_decoder_free(g_dec);
    g_dec = NULL;
    for (int i = 0; i < NEV; i++) {
        free(g_json[i].p);
        free(g_mp[i].p);
        g_json[i].p = g_mp[i].p = NULL;
    }
}

static void usage(FILE *to)
{
    fprintf(to,
            "usage: bench_codec [--repeats N] [--batch-ms MS] [--fixtures DIR] [--only KEYS] [--cpu-clock] [--check]\n"
            "       bench_codec --alloc-check [--fixtures DIR]\n"
            "  --repeats N     timed batches per measurement, median reported (default 15)\n"
            "  --batch-ms MS   length of one batch in milliseconds (default 30)\n"
            "  --fixtures DIR  the fixtures folder (default %s)\n"
            "  --cpu-clock     time by the thread's CPU clock (CLOCK_THREAD_CPUTIME_ID), not the\n"
            "                  wall clock: time the scheduler gives other processes is left out\n"
            "  --only KEYS     run only these measurements (comma-separated), e.g. for a profiler:\n",
            UGW_FIXTURES_DIR);
    for (int m = 0; m < M__COUNT; m++)
        fprintf(to, "                  %s\n", g_m[m].key);
    fprintf(to,
            "  --check         exit 1 when a target is missed (a target not measured is not missed)\n"
            "  --alloc-check   only check that our encode/decode paths allocate nothing\n"
            "                  per event; exit 1 when one does, 77 when counting is unavailable\n");
}

int main(int argc, char **argv)
{
    const char *dir = UGW_FIXTURES_DIR;
    int repeats = 15, check = 0, alloc_check = 0, missed = 0;
    double batch_ms = 30;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--check")) {
            check = 1;
        } else if (!strcmp(a, "--cpu-clock")) {
            g_clock = CLOCK_THREAD_CPUTIME_ID;
        } else if (!strcmp(a, "--alloc-check")) {
            alloc_check = 1;
        } else if (!strcmp(a, "--repeats") && i + 1 < argc) {
            repeats = atoi(argv[++i]);
            if (repeats < 1 || repeats > MAX_REPEATS) {
                fprintf(stderr, "bench_codec: --repeats must be 1..%d\n", MAX_REPEATS);
                return 2;
            }
        } else if (!strcmp(a, "--batch-ms") && i + 1 < argc) {
            batch_ms = atof(argv[++i]);
            if (!(batch_ms > 0 && batch_ms <= 10000)) {
                fprintf(stderr, "bench_codec: --batch-ms must be in (0, 10000]\n");
                return 2;
            }
        } else if (!strcmp(a, "--only") && i + 1 < argc) {
            if (!select_only(argv[++i])) {
                fprintf(stderr, "bench_codec: --only: unknown measurement in '%s'\n", argv[i]);
                usage(stderr);
                return 2;
            }
        } else if (!strcmp(a, "--fixtures") && i + 1 < argc) {
            dir = argv[++i];
        } else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            return 0;
        } else {
            usage(stderr);
            return 2;
        }
    }

    load_fixtures(dir);
    if (!(g_dec = ugw_decoder_new(NULL)))
        die("ugw_decoder_new failed", NULL);
    for (int m = 0; m < M__COUNT; m++)
        if (!g_m[m].fn)
            g_m[m].off = 1;

    if (alloc_check) {
        int bad;
        sanity(0);
        if (!BENCH_COUNT_ALLOCS) {
            printf("bench_codec --alloc-check: allocation counting needs glibc and no sanitizer; skipped\n");
            cleanup();
            return 77;
        }
        bad = alloc_report();
        printf("%s\n", bad ? "FAIL: a per-event path allocates" : "OK: no allocation per event");
        printf("checksum %016llx\n", (unsigned long long)g_sum);
        cleanup();
        return bad ? 1 : 0;
    }

    printf("ugw codec benchmark: %d fixtures; JSON %.1f bytes/event, MessagePack %.1f bytes/event\n",
           NEV, (double)g_json_bytes / NEV, (double)g_mp_bytes / NEV);
#if defined(__clang__)
    printf("compiler: clang %s", __clang_version__);
#elif defined(__GNUC__)
    printf("compiler: gcc %s", __VERSION__);
#else
    printf("compiler: unknown");
#endif
    printf(", build type %s (%s)%s; cJSON %s, jansson %s, msgpack-c %s, msgpuck %s\n", UGW_BUILD_TYPE, UGW_BENCH_CFLAGS,
#if defined(BENCH_ASAN)
           " (sanitizer build: figures are meaningless)",
#elif defined(__OPTIMIZE__)
           "",
#else
           " (NOT OPTIMISED: figures are meaningless)",
#endif
           cJSON_Version(), JANSSON_VERSION, msgpack_version(), MSGPUCK_STATE);
    printf("method: %d interleaved repeats of a ~%g ms batch per measurement; median ns/event; "
           "%s\n", repeats, batch_ms,
           g_clock == CLOCK_MONOTONIC ? "CLOCK_MONOTONIC" : "CLOCK_THREAD_CPUTIME_ID");
    sanity(1);
    if (BENCH_COUNT_ALLOCS)
        alloc_report();
    else
        printf("allocations per event: not counted (needs glibc and no sanitizer)\n");
    fflush(stdout);

    run_all(repeats, batch_ms);

    printf("\n%-54s %9s %21s %9s %8s\n", "measurement", "ns/event", "(min..max)", "MB/s", "allocs/ev");
    for (int m = 0; m < M__COUNT; m++) {
        const meas *x = &g_m[m];
        char range[48];
        if (!x->fn)
            printf("%-54s not built (apt-get install libmsgpuck-dev)\n", x->label);
        if (x->off)
            continue;
        snprintf(range, sizeof range, "(%.1f..%.1f)", x->lo, x->hi);
        if (x->json == 2)
            printf("%-54s %9.1f %21s %9s ", x->label, x->med, range, "-");
        else
            printf("%-54s %9.1f %21s %9.1f ", x->label, x->med, range, x->mbps);
        if (BENCH_COUNT_ALLOCS)
            printf("%8.2f\n", x->allocs);
        else
            printf("%8s\n", "-");
    }

    printf("\nratios (median over median, this run):\n");
    missed += ratio_line("JSON decode", "ours / jsmn_parse alone", M_OURS_JD, M_JSMN, 0, 1.35, 1);
    missed += ratio_line("MessagePack decode", "ours / msgpack_unpack_next + extract", M_OURS_MD, M_UN_X, 0, 1.2, 1);
    missed += ratio_line("MessagePack encode", "ours / msgpuck", M_OURS_ME, M_MP_E, 0, 1.3, 1);
    ratio_line("MessagePack decode", "ours / msgpuck decode + extract", M_OURS_MD, M_MP_D, 0, 0, 0);
    ratio_line("MessagePack decode", "ours / msgpack_unpack_next alone", M_OURS_MD, M_UN_NEXT, 0, 0, 0);
    ratio_line("MessagePack encode", "ours / msgpack_sbuffer packing", M_OURS_ME, M_SB_E, 0, 0, 0);
    ratio_line("validation", "ugw_event_validate / ours MP encode", M_VALIDATE, M_OURS_ME, 0, 0, 0);
    ratio_line("JSON encode", "cJSON build+print / ours", M_CJ_E, M_OURS_JE, 1, 0, 0);
    ratio_line("JSON encode", "jansson build+dump / ours", M_JA_E, M_OURS_JE, 1, 0, 0);
    ratio_line("JSON decode", "cJSON parse+extract+validate / ours", M_CJ_DV, M_OURS_JD, 1, 0, 0);
    ratio_line("JSON decode", "jansson load+extract / ours", M_JA_D, M_OURS_JD, 1, 0, 0);
    printf("targets missed: %d of 3 (a target not measured is not missed)\n", missed);
    printf("checksum %016llx\n", (unsigned long long)g_sum);

    cleanup();
    return check && missed ? 1 : 0;
}
