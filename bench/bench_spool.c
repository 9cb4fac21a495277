/*
 * bench_spool.c - the durable spool against the in-memory queue, in one run.
 *
 * Three queues, run in turn in every round (interleaved, so that a change in
 * the machine's load falls on all three alike), medians over the rounds:
 *
 *   memory   no spool
 *   crash    spool, UGW_SPOOL_SYNC_CRASH (WAL, synchronous=NORMAL)
 *   power    spool, UGW_SPOOL_SYNC_POWER (WAL, synchronous=FULL: an fsync
 *            per group commit)
 *
 * Two measures, each with --threads producers enqueueing --events events
 * in all (the eleven fixtures in turn, JSON, unsigned), every enqueue timed:
 *
 *   enqueue   the endpoint accepts connections and never answers, so nothing
 *             leaves the queue: events/s of enqueue alone (first call to
 *             last return), p50 and p99 of one enqueue. What durability
 *             costs a producer.
 *   delivery  with --url (an endpoint answering 2xx, bench/run_spool.sh starts
 *             nginx): events/s from the first enqueue until every event was
 *             delivered (and, with a spool, removed from it), enqueue
 *             waiting for room, p99 of one enqueue. What durability costs
 *             the queue's throughput.
 *
 * A fresh spool file in --dir for every run. The last lines are
 * "RESULT measure=... queue=... events_per_s=... p50_us=... p99_us=..." and
 * "RATIO measure=... crash=... power=..." (against memory).
 *
 * Usage: bench_spool [--url URL] [--events N] [--threads T] [--rounds R]
 *                    [--dir DIR] [--in-flight N] [--queues LIST] [--measures LIST]
 * --queues (e.g. "crash", "memory,crash"; default all three) runs only some
 * queues, for profiling one of them; the ratios need memory in the list.
 * --measures ("enqueue", "delivery"; default both) runs only some measures.
 * Every round prints the process's CPU time (user+sys) per event and the
 * spool's enqueue commits per event: figures that depend less on the
 * machine's load than the rates do.
 * Exit: 0; 1 when an event was refused or not delivered; 2 on usage errors.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <ugw/ugw_client.h>
#include <ugw/ugw_events.h>
#include <ugw/ugw_fixtures.h>

#include "bench_time.h"

#define MAX_THREADS 64
#define MAX_ROUNDS 32

typedef struct options {
    const char *url, *dir;
    unsigned long events;
    unsigned threads, rounds, in_flight;
    unsigned queues;   /* bit q: run queue q */
    unsigned measures; /* bit 0: enqueue, bit 1: delivery */
} options;

enum { Q_MEMORY, Q_CRASH, Q_POWER, Q_COUNT };
static const char *const qname[Q_COUNT] = { "memory", "crash", "power" };

static unsigned char *bodies[UGW_EVENT_COUNT];
static size_t body_len[UGW_EVENT_COUNT];
static atomic_ulong delivered, failed;

static void on_outcome(const ugw_outcome *o, void *ctx)
{
    (void)ctx;
    if (o->result == UGW_RESULT_DELIVERED)
        atomic_fetch_add(&delivered, 1);
    else if (o->result != UGW_RESULT_KEPT && o->result != UGW_RESULT_CLOSED)
        atomic_fetch_add(&failed, 1);
}

typedef struct producer {
    ugw_client *c;
    unsigned long first, n;
    double *lat_us; /* n latencies */
    int refused;
} producer;

static void *produce(void *arg)
{
    producer *p = arg;
    for (unsigned long i = 0; i < p->n; i++) {
        size_t k = (p->first + i) % UGW_EVENT_COUNT;
        double t0 = now_s();
        if (ugw_client_enqueue_body(p->c, bodies[k], body_len[k], UGW_FORMAT_JSON,
                                    ugw_event_wire_name((ugw_event_type)(k + 1)), NULL, -1, NULL, NULL,
                                    NULL) != UGW_OK)
            p->refused++;
        p->lat_us[i] = (now_s() - t0) * 1e6;
    }
    return NULL;
}

typedef struct result {
    double rate, p50, p99;
    double cpu_us;  /* the process's user+sys CPU per event */
    double commits; /* enqueue commits per event (spool) */
} result;

/* One run: a fresh client (and spool), the producers, the figures. */
static int run_once(const options *o, const char *url, int q, bool deliver, result *out)
{
    ugw_client_config cfg;
    ugw_error err;
    ugw_client *c;
    pthread_t th[MAX_THREADS];
    producer p[MAX_THREADS];
    double *lat = malloc(sizeof *lat * o->events), t0, t1, cpu0;
    ugw_client_stats stats;
    char spool[512];
    unsigned long at = 0;
    int refused = 0;

    if (!lat)
        return 1;
    snprintf(spool, sizeof spool, "%s/bench_spool_%d.db", o->dir, (int)getpid());
    unlink(spool);
    memset(&cfg, 0, sizeof cfg);
    cfg.url = url;
    cfg.max_in_flight = deliver ? o->in_flight : 1;
    cfg.queue_capacity = deliver ? 10000 : o->events + 1;
    cfg.timeout_ms = 600000;
    cfg.max_attempts = 1;
    cfg.on_outcome = on_outcome;
    if (q != Q_MEMORY) {
        cfg.spool_path = spool;
        cfg.spool_sync = q == Q_POWER ? UGW_SPOOL_SYNC_POWER : UGW_SPOOL_SYNC_CRASH;
        cfg.spool_max_bytes = (uint64_t)1 << 32;
    }
    atomic_store(&delivered, 0);
    atomic_store(&failed, 0);
    if (!(c = ugw_client_new(&cfg, &err))) {
        fprintf(stderr, "bench_spool: %s: %s\n", ugw_status_name(err.code), err.message);
        free(lat);
        return 1;
    }
    cpu0 = cpu_s();
    t0 = now_s();
    for (unsigned i = 0; i < o->threads; i++) {
        unsigned long n = o->events / o->threads + (i < o->events % o->threads);
        p[i] = (producer){ c, at, n, lat + at, 0 };
        at += n;
        pthread_create(&th[i], NULL, produce, &p[i]);
    }
    for (unsigned i = 0; i < o->threads; i++) {
        pthread_join(th[i], NULL);
        refused += p[i].refused;
    }
    if (deliver)
        ugw_client_flush(c, -1);
    t1 = now_s();
    ugw_client_stats_get(c, &stats);
    ugw_client_close(c, 0);
    out->cpu_us = (cpu_s() - cpu0) * 1e6 / (double)o->events;
    out->commits = (double)stats.spool_commits / (double)o->events;
    unlink(spool);
    qsort(lat, o->events, sizeof *lat, cmp_double);
    out->rate = (double)o->events / (t1 - t0);
    out->p50 = lat[o->events / 2];
    out->p99 = lat[(size_t)((double)o->events * 0.99)];
    free(lat);
    if (refused || atomic_load(&failed) || (deliver && atomic_load(&delivered) != o->events)) {
        fprintf(stderr, "bench_spool: %d refused, %lu failed, %lu delivered of %lu\n", refused,
                atomic_load(&failed), atomic_load(&delivered), o->events);
        return 1;
    }
    return 0;
}

/* A loopback port that accepts connections and never answers. */
static int silent_endpoint(char *url, size_t cap)
{
    struct sockaddr_in a;
    socklen_t al = sizeof a;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) || listen(fd, 16)
        || getsockname(fd, (struct sockaddr *)&a, &al))
        return -1;
    snprintf(url, cap, "http://127.0.0.1:%d/hook", ntohs(a.sin_port));
    return fd;
}

static double median(double *v, unsigned n)
{
    qsort(v, n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static int measure(const options *o, const char *name, const char *url, bool deliver)
{
    double rate[Q_COUNT][MAX_ROUNDS], p50[Q_COUNT][MAX_ROUNDS], p99[Q_COUNT][MAX_ROUNDS], med[Q_COUNT];
    result r;
    printf("== %s: %lu events, %u producer threads, %u rounds%s\n", name, o->events, o->threads, o->rounds,
           deliver ? "" : " (nothing delivered: the endpoint never answers)");
    /* A warm-up, not counted: crash, or the first queue asked for. */
    if (run_once(o, url, o->queues & 1u << Q_CRASH ? Q_CRASH : __builtin_ctz(o->queues), deliver, &r))
        return 1;
    for (unsigned k = 0; k < o->rounds; k++) {
        for (int q = 0; q < Q_COUNT; q++) {
            if (!(o->queues & 1u << q))
                continue;
            if (run_once(o, url, q, deliver, &r))
                return 1;
            rate[q][k] = r.rate;
            p50[q][k] = r.p50;
            p99[q][k] = r.p99;
            printf("round %u %-6s %10.0f events/s  p50 %8.1f us  p99 %8.1f us  cpu %5.1f us/event"
                   "  %.3f enqueue commits/event\n", k + 1, qname[q], r.rate, r.p50, r.p99, r.cpu_us, r.commits);
            fflush(stdout);
        }
    }
    for (int q = 0; q < Q_COUNT; q++) {
        if (!(o->queues & 1u << q))
            continue;
        med[q] = median(rate[q], o->rounds);
        printf("RESULT measure=%s queue=%s events_per_s=%.0f p50_us=%.1f p99_us=%.1f\n", name, qname[q], med[q],
               median(p50[q], o->rounds), median(p99[q], o->rounds));
    }
    if (o->queues == (1u << Q_COUNT) - 1)
        printf("RATIO measure=%s crash=%.3f power=%.3f\n", name, med[Q_CRASH] / med[Q_MEMORY],
               med[Q_POWER] / med[Q_MEMORY]);
    return 0;
}

int main(int argc, char **argv)
{
    options o = { NULL, "/tmp", 50000, 4, 5, 16, (1u << Q_COUNT) - 1, 3 };
    char silent[64];
    int fd, rc = 0;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!v)
            goto usage;
        if (!strcmp(a, "--url"))
            o.url = v;
        else if (!strcmp(a, "--dir"))
            o.dir = v;
        else if (!strcmp(a, "--events"))
            o.events = strtoul(v, NULL, 10);
        else if (!strcmp(a, "--threads"))
            o.threads = (unsigned)strtoul(v, NULL, 10);
        else if (!strcmp(a, "--rounds"))
            o.rounds = (unsigned)strtoul(v, NULL, 10);
        else if (!strcmp(a, "--in-flight"))
            o.in_flight = (unsigned)strtoul(v, NULL, 10);
        else if (!strcmp(a, "--queues")) {
            o.queues = 0;
            for (int q = 0; q < Q_COUNT; q++) {
                const char *at = strstr(v, qname[q]);
                size_t n = strlen(qname[q]);
                if (at && (at == v || at[-1] == ',') && (at[n] == ',' || !at[n]))
                    o.queues |= 1u << q;
            }
            if (!o.queues)
                goto usage;
        } else if (!strcmp(a, "--measures")) {
            o.measures = (strstr(v, "enqueue") ? 1u : 0u) | (strstr(v, "delivery") ? 2u : 0u);
            if (!o.measures)
                goto usage;
        } else
            goto usage;
        i++;
    }
    if (!o.events || !o.threads || o.threads > MAX_THREADS || !o.rounds || o.rounds > MAX_ROUNDS || !o.in_flight
        || o.in_flight > 1024)
        goto usage;
    for (size_t k = 0; k < UGW_EVENT_COUNT; k++) {
        size_t need = 0;
        ugw_encode(&ugw_fixtures[k], UGW_FORMAT_JSON, NULL, 0, &need, NULL);
        bodies[k] = malloc(need ? need : 1);
        if (!bodies[k] || ugw_encode(&ugw_fixtures[k], UGW_FORMAT_JSON, bodies[k], need, &body_len[k], NULL))
            return 2;
    }
    if ((fd = silent_endpoint(silent, sizeof silent)) < 0)
        return 2;
    if (o.measures & 1u)
        rc = measure(&o, "enqueue", silent, false);
    close(fd);
    if (!rc && o.url && (o.measures & 2u))
        rc = measure(&o, "delivery", o.url, true);
    for (size_t k = 0; k < UGW_EVENT_COUNT; k++)
        free(bodies[k]);
    return rc;
usage:
    fprintf(stderr, "usage: bench_spool [--url URL] [--events N] [--threads T] [--rounds R] [--dir DIR] "
                    "[--in-flight N] [--queues memory,crash,power] [--measures enqueue,delivery]\n");
    return 2;
}
