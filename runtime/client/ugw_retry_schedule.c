/*
 * ugw_retry_schedule.c - the durable retry schedule (docs/CONTRACT.md §4.5),
 * shared by every sender that keeps its events across restarts.
 */
#include <stdint.h>

#include <ugw/ugw_client.h>

/* The waits after the 1st, 2nd, ... 7th failed attempt, in ms. */
static const int64_t durable_waits_ms[UGW_RETRY_DURABLE_ATTEMPTS - 1] = {
    INT64_C(5000),              /* 5 s */
    INT64_C(300000),            /* 5 min */
    INT64_C(1800000),           /* 30 min */
    INT64_C(7200000),           /* 2 h */
    INT64_C(18000000),          /* 5 h */
    INT64_C(36000000),          /* 10 h */
    INT64_C(36000000),          /* 10 h */
};

static double clamp01(double v)
{
    if (!(v >= 0)) /* NaN too */
        return 0;
    return v > 1 ? 1 : v;
}

int64_t ugw_retry_durable_delay_ms(unsigned failed, double jitter, double u)
{
    double d;
    if (failed == 0 || failed >= UGW_RETRY_DURABLE_ATTEMPTS)
        return -1;
    d = (double)durable_waits_ms[failed - 1];
    jitter = clamp01(jitter);
    u = clamp01(u);
    if (u >= 1)
        u = 0.9999999999;
    return (int64_t)(d * (1.0 - jitter) + d * jitter * u);
}
