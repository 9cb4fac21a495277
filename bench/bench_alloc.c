/*
 * bench_alloc.c - heap allocation counting of the codec benchmark, and the
 * allocation check (bench_codec --alloc-check); see bench_codec.c.
 */
#include "bench_codec.h"

/* ------------------------------------------------------------------ */
/* Allocation counting                                                 */
/* ------------------------------------------------------------------ */
#if BENCH_COUNT_ALLOCS
/* glibc's own allocator entry points (exported by libc.so.6). */
extern void *__libc_malloc(size_t n);
extern void *__libc_calloc(size_t n, size_t size);
extern void *__libc_realloc(void *p, size_t n);
extern void __libc_free(void *p);

/* Single-threaded benchmark: a plain counter is enough. */
unsigned long long g_allocs;

void *malloc(size_t n)
{
    g_allocs++;
    return __libc_malloc(n);
}

void *calloc(size_t n, size_t size)
{
    g_allocs++;
    return __libc_calloc(n, size);
}

void *realloc(void *p, size_t n)
{
    g_allocs++;
    return __libc_realloc(p, n);
}

/* Replaced with the others so that every block goes back to the allocator
 * that made it (glibc's "Replacing malloc" rules). */
void free(void *p)
{
    __libc_free(p);
}
#else
unsigned long long g_allocs;
#endif

/* ------------------------------------------------------------------ */
/* Allocation check                                                     */
/* ------------------------------------------------------------------ */
uint64_t g_sum = UINT64_C(0xcbf29ce484222325); /* checksum of everything */

/* Allocations per event of `fn` over `passes` passes after one warm-up pass. */
static double allocs_per_event(pass_fn fn, int passes)
{
    unsigned long long a0;
    g_sum = fn(g_sum);
    a0 = g_allocs;
    for (int p = 0; p < passes; p++)
        g_sum = fn(g_sum);
    return (double)(g_allocs - a0) / ((double)passes * NEV);
}

static const struct {
    const char *name;
    pass_fn fn;
} g_ours[] = {
    { "json encode", pass_ours_json_encode },
    { "json decode", pass_ours_json_decode },
    { "msgpack encode", pass_ours_mp_encode },
    { "msgpack decode", pass_ours_mp_decode },
};

/* Prints the allocation line; returns the number of paths that allocate. */
int alloc_report(void)
{
    int bad = 0;
    const int passes = 1000;
    printf("allocations per event (%d x %d events after warm-up, malloc/calloc/realloc "
           "interposed in the executable, shared libraries included):\n  ours",
           passes, NEV);
    for (size_t k = 0; k < sizeof g_ours / sizeof g_ours[0]; k++) {
        double a = allocs_per_event(g_ours[k].fn, passes);
        printf("%s %s %g", k ? "," : "", g_ours[k].name, a);
        bad += a != 0;
    }
    printf("\n");
    return bad;
}
