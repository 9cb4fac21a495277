/*
 * bench_delivery.c - the delivery benchmark.
 *
 * Enqueues the eleven valid fixtures in turn to a ugw_client pointed at a
 * local HTTP endpoint (bench/run_delivery.sh starts nginx answering 204) and
 * measures delivered events per second, from the first enqueue to the end of
 * ugw_client_flush(). Every event must come back DELIVERED through the
 * outcome callback, else the run fails (exit 1): a figure for lost or failed
 * events means nothing.
 *
 * Modes:
 *   rate (default): --repeats runs of --events events, a fresh client each
 *     (so connection set-up is inside the timing, as it is for wrk); one
 *     unmeasured warm-up run first; prints each run and the median.
 *   --backlog: one run, usually 1,000,000 events, through a queue of
 *     --queue events (enqueue waits, so the producer is throttled by the
 *     deliveries); prints VmRSS / VmHWM from /proc/self/status before the
 *     client, after it started, and at 10%, 50% and 100% of the events
 *     enqueued, then ru_maxrss and the rate.
 *   --write-bodies DIR: writes the eleven bodies exactly as the client encodes
 *     them (DIR/NN.json, NN = 01..11) and the headers the client would send
 *     with them (DIR/NN.headers, "Name: value" lines, signed with --secret
 *     at a fixed id and timestamp), for wrk and curl to send the same bytes.
 *
 * The last line of rate and backlog mode is "RESULT key=value ..." for the
 * script to read.
 *
 * --diag samples the client's counters every 200 us from another thread
 * (mean in_flight and queued; the sampling itself costs a little).
 *
 * --threads N sets delivery_threads (default 0: one per online core),
 * --ca-file the certificate an https:// receiver is verified against, and
 * --tune-malloc the client's tune_malloc.
 *
 * Usage: bench_delivery --url URL [--events N] [--repeats R] [--warmup N]
 *                       [--secret whsec_...|--unsigned] [--in-flight N]
 *                       [--queue N] [--format json|msgpack] [--backlog] [--diag]
 *                       [--threads N] [--ca-file PEM] [--tune-malloc]
 *        bench_delivery --write-bodies DIR [--secret whsec_...|--unsigned]
 *                       [--format json|msgpack]
 * Exit: 0; 1 when an event was not delivered or the client failed; 2 on usage
 * or I/O errors.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include <ugw/ugw_client.h>
#include <ugw/ugw_events_client.h>
#include <ugw/ugw_events.h>
#include <ugw/ugw_fixtures.h>

#include "bench_time.h"

#ifndef UGW_BUILD_TYPE
#define UGW_BUILD_TYPE "?"
#endif

/* A fixed test key: "whsec_" + base64 of 24 bytes (the Standard Webhooks example key). Not a secret. */
#define BENCH_SECRET "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"

typedef struct options {
    const char *url;
    const char *secret;      /* NULL: unsigned */
    const char *bodies_dir;  /* --write-bodies */
    ugw_format format;
    unsigned long events;
    unsigned long warmup;
    unsigned repeats;
    unsigned in_flight;
    unsigned threads;        /* delivery_threads, 0: the client's default */
    const char *ca_file;     /* https: the receiver's certificate */
    int tune_malloc;
    size_t queue;
    int backlog;
    int diag;                /* sample in_flight and queued */
} options;

/* Outcome counters: written by the client thread, read after flush. */
typedef struct tally {
    atomic_ulong delivered;
    atomic_ulong failed;
    atomic_int reported; /* first failure printed once */
} tally;

static void on_outcome(const ugw_outcome *o, void *ctx)
{
    tally *t = ctx;
    if (o->result == UGW_RESULT_DELIVERED) {
        atomic_fetch_add_explicit(&t->delivered, 1, memory_order_relaxed);
        return;
    }
    atomic_fetch_add_explicit(&t->failed, 1, memory_order_relaxed);
    if (atomic_exchange(&t->reported, 1) == 0)
        fprintf(stderr, "bench_delivery: event %s %s: status %ld, curl %d (%s), %u attempts\n",
                o->id, ugw_result_name(o->result), o->http_status, o->curl_code, o->error,
                o->attempts);
}

/* VmRSS and VmHWM of this process in kB (-1 when unknown). */
static void proc_mem(long *rss_kb, long *hwm_kb)
{
    char line[256];
    FILE *f = fopen("/proc/self/status", "r");
    *rss_kb = -1;
    *hwm_kb = -1;
    if (!f)
        return;
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, "VmRSS:", 6) == 0)
            *rss_kb = strtol(line + 6, NULL, 10);
        else if (strncmp(line, "VmHWM:", 6) == 0)
            *hwm_kb = strtol(line + 6, NULL, 10);
    }
    fclose(f);
}

static long maxrss_kb(void)
{
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) != 0)
        return -1;
    return ru.ru_maxrss; /* kB on Linux */
}

static ugw_client *start_client(const options *o, tally *t)
{
    ugw_client_config cfg;
    ugw_error err;
    ugw_client *c;
    memset(&cfg, 0, sizeof cfg);
    cfg.url = o->url;
    cfg.secret = o->secret;
    cfg.format = o->format;
    cfg.max_in_flight = o->in_flight;
    cfg.delivery_threads = o->threads;
    cfg.ca_file = o->ca_file;
    cfg.tune_malloc = o->tune_malloc != 0;
    cfg.queue_capacity = o->queue;
    cfg.max_attempts = 1; /* a failure is a benchmark failure, not a retry */
    cfg.on_outcome = on_outcome;
    cfg.on_outcome_ctx = t;
    c = ugw_client_new(&cfg, &err);
    if (!c)
        fprintf(stderr, "bench_delivery: ugw_client_new: %s (%s)\n", err.message,
                ugw_status_name(err.code));
    return c;
}

/* --diag: a thread sampling the client's counters every 200 us. */
typedef struct sampler {
    ugw_client *c;
    atomic_int stop;
    unsigned long samples;
    double in_flight_sum, queued_sum;
    unsigned long full_slots; /* samples with every slot busy */
    unsigned slots;
} sampler;

static void *sampler_main(void *arg)
{
    sampler *sp = arg;
    const struct timespec tick = { 0, 200000 };
    while (!atomic_load(&sp->stop)) {
        ugw_client_stats s;
        ugw_client_stats_get(sp->c, &s);
        sp->samples++;
        sp->in_flight_sum += (double)s.in_flight;
        sp->queued_sum += (double)s.queued;
        sp->full_slots += s.in_flight >= sp->slots;
        nanosleep(&tick, NULL);
    }
    return NULL;
}

typedef struct checkpoint {
    unsigned long at;  /* events enqueued */
    const char *name;
} checkpoint;

/*
 * One run of `n` events. Returns events/s, or a negative value on failure;
 * `cpu_us` receives the CPU time of the process per event (both threads).
 * With `marks`, prints the memory at each checkpoint.
 */
static double run(const options *o, unsigned long n, const checkpoint *marks, size_t nmarks,
                  ugw_client_stats *stats_out, double *cpu_us)
{
    tally t;
    ugw_client *c;
    ugw_error err;
    double t0, t1, c0, c1;
    size_t mi = 0;
    unsigned long delivered, failed;
    ugw_status st;
    sampler sp;
    pthread_t sampler_thread;
    int sampling = 0;

    atomic_init(&t.delivered, 0);
    atomic_init(&t.failed, 0);
    atomic_init(&t.reported, 0);
    if (!(c = start_client(o, &t)))
        return -1;
    if (marks) {
        long rss, hwm;
        proc_mem(&rss, &hwm);
        printf("  memory  client started      VmRSS %7ld kB  VmHWM %7ld kB\n", rss, hwm);
    }
    if (o->diag) {
        memset(&sp, 0, sizeof sp);
        sp.c = c;
        sp.slots = o->in_flight;
        atomic_init(&sp.stop, 0);
        sampling = pthread_create(&sampler_thread, NULL, sampler_main, &sp) == 0;
    }
    c0 = cpu_s();
    t0 = now_s();
    for (unsigned long i = 0; i < n; i++) {
        st = ugw_client_enqueue(c, &ugw_fixtures[i % UGW_EVENT_COUNT], -1, NULL, NULL, &err);
        if (st) {
            fprintf(stderr, "bench_delivery: enqueue %lu: %s (%s)\n", i, err.message,
                    ugw_status_name(st));
            ugw_client_close(c, 0);
            return -1;
        }
        while (marks && mi < nmarks && i + 1 == marks[mi].at) {
            long rss, hwm;
            ugw_client_stats s;
            proc_mem(&rss, &hwm);
            ugw_client_stats_get(c, &s);
            printf("  memory  %-8s enqueued   VmRSS %7ld kB  VmHWM %7ld kB  (delivered %llu, "
                   "%.0f events/s so far)\n",
                   marks[mi].name, rss, hwm, (unsigned long long)s.delivered,
                   (double)s.delivered / (now_s() - t0));
            fflush(stdout);
            mi++;
        }
    }
    st = ugw_client_flush(c, -1);
    t1 = now_s();
    c1 = cpu_s();
    if (sampling) {
        atomic_store(&sp.stop, 1);
        pthread_join(sampler_thread, NULL);
        if (sp.samples)
            printf("  diag    in_flight mean %.1f of %u (all busy in %.0f%% of samples), queued mean %.0f\n",
                   sp.in_flight_sum / (double)sp.samples, sp.slots,
                   100.0 * (double)sp.full_slots / (double)sp.samples,
                   sp.queued_sum / (double)sp.samples);
    }
    if (cpu_us)
        *cpu_us = (c1 - c0) * 1e6 / (double)n;
    if (stats_out)
        ugw_client_stats_get(c, stats_out);
    if (st) {
        fprintf(stderr, "bench_delivery: flush: %s\n", ugw_status_name(st));
        ugw_client_close(c, 0);
        return -1;
    }
    ugw_client_close(c, 0);
    delivered = atomic_load(&t.delivered);
    failed = atomic_load(&t.failed);
    if (delivered != n || failed) {
        fprintf(stderr, "bench_delivery: %lu of %lu events delivered, %lu failed\n", delivered,
                n, failed);
        return -1;
    }
    return (double)n / (t1 - t0);
}

static int mode_rate(const options *o)
{
    double *eps = calloc(o->repeats, sizeof *eps);
    double *cpu = calloc(o->repeats, sizeof *cpu);
    ugw_client_stats s;
    int rc = 1;
    if (!eps || !cpu) {
        rc = 2;
        goto out;
    }
    if (o->warmup) {
        double w = run(o, o->warmup, NULL, 0, NULL, NULL);
        if (w < 0)
            goto out;
        printf("  warm-up %8lu events %10.0f events/s (not counted)\n", o->warmup, w);
    }
    for (unsigned r = 0; r < o->repeats; r++) {
        eps[r] = run(o, o->events, NULL, 0, &s, &cpu[r]);
        if (eps[r] < 0)
            goto out;
        printf("  run %u   %8lu events %10.0f events/s  %5.1f us CPU/event (retried %llu)\n", r + 1,
               o->events, eps[r], cpu[r], (unsigned long long)s.retried);
        fflush(stdout);
    }
    qsort(eps, o->repeats, sizeof *eps, cmp_double);
    qsort(cpu, o->repeats, sizeof *cpu, cmp_double);
    printf("RESULT mode=rate signed=%d format=%s events=%lu repeats=%u in_flight=%u threads=%u queue=%zu "
           "median_eps=%.0f min_eps=%.0f max_eps=%.0f cpu_us_per_event=%.1f maxrss_kb=%ld\n",
           o->secret != NULL, ugw_format_name(o->format), o->events, o->repeats, o->in_flight,
           o->threads, o->queue, eps[o->repeats / 2], eps[0], eps[o->repeats - 1], cpu[o->repeats / 2],
           maxrss_kb());
    rc = 0;
out:
    free(eps);
    free(cpu);
    return rc;
}

static int mode_backlog(const options *o)
{
    const checkpoint marks[] = {
        { o->events / 10, "10%" },
        { o->events / 2, "50%" },
        { o->events, "100%" },
    };
    long rss0, hwm0, rss1, hwm1;
    ugw_client_stats s;
    double eps, cpu;
    proc_mem(&rss0, &hwm0);
    printf("  memory  before the client   VmRSS %7ld kB  VmHWM %7ld kB\n", rss0, hwm0);
    eps = run(o, o->events, marks, sizeof marks / sizeof marks[0], &s, &cpu);
    if (eps < 0)
        return 1;
    proc_mem(&rss1, &hwm1);
    printf("  memory  flushed and closed  VmRSS %7ld kB  VmHWM %7ld kB\n", rss1, hwm1);
    printf("RESULT mode=backlog signed=%d format=%s events=%lu in_flight=%u queue=%zu eps=%.0f "
           "cpu_us_per_event=%.1f maxrss_kb=%ld hwm_before_kb=%ld rss_end_kb=%ld retried=%llu\n",
           o->secret != NULL, ugw_format_name(o->format), o->events, o->in_flight, o->queue, eps,
           cpu, maxrss_kb(), hwm0, rss1, (unsigned long long)s.retried);
    return 0;
}

static int write_file(const char *path, const void *p, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(p, 1, n, f) != n || fclose(f) != 0) {
        fprintf(stderr, "bench_delivery: %s: %s\n", path, strerror(errno));
        return -1;
    }
    return 0;
}

/* The bodies and headers of the eleven fixtures, for wrk and curl. */
static int mode_write_bodies(const options *o)
{
    ugw_secret key;
    ugw_error err;
    const char *id = "msg_0bench00000000000000000000";
    const int64_t ts = 1700000000;
    if (o->secret && ugw_secret_parse(o->secret, strlen(o->secret), &key, &err)) {
        fprintf(stderr, "bench_delivery: secret: %s\n", err.message);
        return 2;
    }
    for (int t = 1; t <= UGW_EVENT_COUNT; t++) {
        char body[4096], path[4096], hdr[1024], sig[UGW_SIGNATURE_MAX];
        size_t len, hn;
        const ugw_event *ev = ugw_fixture((ugw_event_type)t);
        if (!ev || ugw_encode(ev, o->format, body, sizeof body, &len, &err)) {
            fprintf(stderr, "bench_delivery: fixture %d does not encode: %s\n", t,
                    ev ? err.message : "unknown type");
            return 2;
        }
        snprintf(path, sizeof path, "%s/%02d.%s", o->bodies_dir, t,
                 o->format == UGW_FORMAT_JSON ? "json" : "msgpack");
        if (write_file(path, body, len))
            return 2;
        hn = (size_t)snprintf(hdr, sizeof hdr,
                              "Content-Type: %s\nUser-Agent: ugw/%s\nwebhook-id: %s\n"
                              "webhook-timestamp: %lld\n",
                              ugw_format_media_type(o->format), UGW_VERSION_STRING, id,
                              (long long)ts);
        if (o->secret) {
            if (ugw_webhook_sign(&key, id, ts, body, len, sig, sizeof sig, &err)) {
                fprintf(stderr, "bench_delivery: sign: %s\n", err.message);
                return 2;
            }
            hn += (size_t)snprintf(hdr + hn, sizeof hdr - hn, "webhook-signature: %s\n", sig);
        }
        snprintf(path, sizeof path, "%s/%02d.headers", o->bodies_dir, t);
        if (write_file(path, hdr, hn))
            return 2;
    }
    printf("wrote %d bodies and headers to %s\n", UGW_EVENT_COUNT, o->bodies_dir);
    return 0;
}

static void usage(FILE *f)
{
    fprintf(f,
            "usage: bench_delivery --url URL [--events N] [--repeats R] [--warmup N]\n"
            "                      [--secret whsec_...|--unsigned] [--in-flight N] [--queue N]\n"
            "                      [--format json|msgpack] [--backlog] [--diag]\n"
            "                      [--threads N] [--ca-file PEM] [--tune-malloc]\n"
            "       bench_delivery --write-bodies DIR [--secret whsec_...|--unsigned]\n"
            "                      [--format json|msgpack]\n"
            "defaults: --events 100000 --repeats 5 --warmup events/10 --in-flight 16\n"
            "          --queue 10000 --format json, signed with a fixed test key\n");
}

static int parse_ulong(const char *s, unsigned long *out)
{
    char *end;
    unsigned long v;
    errno = 0;
    v = strtoul(s, &end, 10);
    if (errno || end == s || *end || s[0] == '-')
        return -1;
    *out = v;
    return 0;
}

int main(int argc, char **argv)
{
    options o;
    long warmup = -1;
    memset(&o, 0, sizeof o);
    o.secret = BENCH_SECRET;
    o.format = UGW_FORMAT_JSON;
    o.events = 100000;
    o.repeats = 5;
    o.in_flight = 16;
    o.queue = 10000;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        unsigned long n;
        if (strcmp(a, "--unsigned") == 0) {
            o.secret = NULL;
        } else if (strcmp(a, "--backlog") == 0) {
            o.backlog = 1;
        } else if (strcmp(a, "--diag") == 0) {
            o.diag = 1;
        } else if (strcmp(a, "--tune-malloc") == 0) {
            o.tune_malloc = 1;
        } else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            usage(stdout);
            return 0;
        } else if (!v) {
            usage(stderr);
            return 2;
        } else if (strcmp(a, "--url") == 0) {
            o.url = v, i++;
        } else if (strcmp(a, "--secret") == 0) {
            o.secret = v, i++;
        } else if (strcmp(a, "--ca-file") == 0) {
            o.ca_file = v, i++;
        } else if (strcmp(a, "--write-bodies") == 0) {
            o.bodies_dir = v, i++;
        } else if (strcmp(a, "--format") == 0) {
            if (strcmp(v, "json") == 0)
                o.format = UGW_FORMAT_JSON;
            else if (strcmp(v, "msgpack") == 0)
                o.format = UGW_FORMAT_MSGPACK;
            else {
                usage(stderr);
                return 2;
            }
            i++;
        } else if (parse_ulong(v, &n) != 0) {
            fprintf(stderr, "bench_delivery: %s wants a number, not '%s'\n", a, v);
            return 2;
        } else if (strcmp(a, "--events") == 0 && n > 0) {
            o.events = n, i++;
        } else if (strcmp(a, "--repeats") == 0 && n > 0 && n < 1000) {
            o.repeats = (unsigned)n, i++;
        } else if (strcmp(a, "--warmup") == 0) {
            warmup = (long)n, i++;
        } else if (strcmp(a, "--in-flight") == 0 && n > 0 && n < 10000) {
            o.in_flight = (unsigned)n, i++;
        } else if (strcmp(a, "--threads") == 0 && n <= 256) {
            o.threads = (unsigned)n, i++;
        } else if (strcmp(a, "--queue") == 0 && n > 0) {
            o.queue = n, i++;
        } else {
            usage(stderr);
            return 2;
        }
    }
    if (o.bodies_dir)
        return mode_write_bodies(&o);
    if (!o.url) {
        usage(stderr);
        return 2;
    }
    o.warmup = warmup >= 0 ? (unsigned long)warmup : o.backlog ? 0 : o.events / 10;
    printf("bench_delivery: %s %s, %s, %lu events%s, max_in_flight %u, delivery_threads %u, "
           "queue_capacity %zu, build %s\n",
           o.backlog ? "backlog" : "rate", o.url, o.secret ? "signed" : "unsigned", o.events,
           o.backlog ? "" : " per run", o.in_flight, o.threads, o.queue, UGW_BUILD_TYPE);
    fflush(stdout);
    return o.backlog ? mode_backlog(&o) : mode_rate(&o);
}
