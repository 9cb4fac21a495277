/*
 * bench_time.h - the clocks and the median sort the delivery and spool
 * benchmarks share (header-only, static inline).
 */
#ifndef UGW_BENCH_TIME_H
#define UGW_BENCH_TIME_H

#include <sys/resource.h>
#include <time.h>

/* Monotonic wall-clock time, in seconds. */
static inline double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* User + system CPU time of the whole process (every thread), in seconds. */
static inline double cpu_s(void)
{
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) != 0)
        return 0;
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6
           + (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

/* qsort() order of doubles, ascending. */
static inline int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

#endif
