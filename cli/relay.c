/*
 * relay.c - `ugw relay init|run|publish`: delivery workers on NATS
 * JetStream (ugw_relay.h, docs/DURABILITY.md). `init` creates the streams,
 * `run` is one relay until SIGINT or SIGTERM (then it drains), `publish`
 * (relay_publish.c) feeds the stream. Secrets come only from the endpoints
 * file, never from the command line.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <ugw/ugw_metrics_http.h>

#include "relay.h"

const char cmd_relay_usage[] =
    "ugw relay init [--nats URLS] [--stream NAME] [--subject-prefix P] [--dead-subject D]\n"
    "                      [--replicas N] [--max-age SECONDS] [--max-bytes N] [--memory]\n"
    "       ugw relay run --endpoints FILE [--nats URLS] [--stream NAME] [--durable NAME]\n"
    "                      [--in-flight N] [--delivery-threads N] [--timeout SECONDS]\n"
    "                      [--ack-wait SECONDS]\n"
    "                      [--max-attempts N] [--backoff-ms N] [--ca-file FILE]\n"
    "                      [--retry-tls-errors] [--stats SECONDS] [--metrics FILE]\n"
    "                      [--metrics-listen ADDR:PORT] [--drain SECONDS]\n"
    "       ugw relay publish --endpoint NAME [--nats URLS] [--format json|msgpack]\n"
    "                      [--strict] [--ids FILE] [--retry-for SECONDS] FILE...\n"
    "       ugw relay dead-letters --out FILE [--endpoint NAME] [--remove] [--nats URLS]";
const char cmd_relay_help[] =
    "Delivery that scales past one machine: producers publish events to a NATS\n"
    "JetStream stream, one subject per endpoint, and any number of relays on any\n"
    "machines deliver them with the signing and retry rules of `ugw send`.\n"
    "\n"
    "  init     creates the work-queue stream (subjects PREFIX.*) and the stream\n"
    "           of dead letters (DEAD.*); --replicas 3 on a three-node cluster\n"
    "           survives the loss of a node\n"
    "  run      one relay: pulls from a durable consumer per endpoint, acks on a\n"
    "           2xx, hands a retryable failure back to the server with the\n"
    "           backoff delay (5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h), and on\n"
    "           a permanent failure publishes a dead letter to DEAD.ENDPOINT and\n"
    "           terminates the message. Runs until SIGINT or SIGTERM.\n"
    "  publish  publishes each event of the FILEs (JSON Lines, one event a line;\n"
    "           '-' is standard input) for --endpoint, each with a new\n"
    "           webhook-id as its message id, waiting for the stream to store it\n"
    "  dead-letters  copies the dead letters kept in the stream to a dead-letter\n"
    "           file (docs/DEAD_LETTERS.md, created 0600); with --remove, each is\n"
    "           deleted from the stream once it is in the file. Send them again\n"
    "           with: ugw send --replay FILE --url URL --secret-file S\n"
    "\n"
    "The endpoints file has one endpoint a line: NAME URL [secret=whsec_...]\n"
    "[in_flight=N]; '#' starts a comment. It holds secrets: keep it mode 0600.\n"
    "\n"
    "Options of every action:\n"
    "  --nats URLS           the servers, comma-separated (default\n"
    "                        nats://127.0.0.1:4222)\n"
    "  --stream NAME         the stream (default UGW; dead letters in NAME_DEAD)\n"
    "  --subject-prefix P    events of endpoint E go to P.E (default ugw.events)\n"
    "  --dead-subject D      dead letters of E go to D.E (default ugw.dead)\n"
    "  --nats-timeout SECONDS  wait for JetStream's answers (default 5)\n"
    "init:\n"
    "  --replicas N          1 to 5 (default 1)\n"
    "  --max-age SECONDS     drop events older than this (default: never)\n"
    "  --max-bytes N         the stream's size; when full, publishes are refused\n"
    "  --memory              memory storage (tests only: lost with the server)\n"
    "run:\n"
    "  --endpoints FILE      the endpoints (required)\n"
    "  --durable NAME        consumer name prefix shared by the relays (ugw-relay)\n"
    "  --in-flight N         requests at once per endpoint (default 8)\n"
    "  --delivery-threads N  threads sending each endpoint's requests (default 1:\n"
    "                        one thread drives all of them; more only help an\n"
    "                        endpoint that needs more than a core; 1 to 256)\n"
    "  --timeout SECONDS     limit of one request (default 30)\n"
    "  --ack-wait SECONDS    redelivery of an unanswered message (default twice\n"
    "                        the timeout + 30; at least the timeout + 1). At twice\n"
    "                        the timeout + 1 or more, each endpoint also holds\n"
    "                        --in-flight messages ready to send, fetched ahead\n"
    "  --max-attempts N      deliveries before a dead letter (default 8)\n"
    "  --backoff-ms N        N ms doubling up to 5 min instead of the schedule\n"
    "  --ca-file FILE, --retry-tls-errors   as for ugw send\n"
    "  --stats SECONDS       print the counters every SECONDS to stderr (default 10;\n"
    "                        0: only at the end)\n"
    "  --metrics FILE        also write the counters per endpoint in the Prometheus\n"
    "                        text format to FILE at each --stats interval (replaced\n"
    "                        whole: for node_exporter's textfile collector)\n"
    "  --metrics-listen ADDR:PORT  serve the same text at http://ADDR:PORT/metrics\n"
    "                        (GET; ADDR an IPv4 address, [IPv6] or a host name,\n"
    "                        a bare PORT listens on 127.0.0.1, PORT 0 picks a free\n"
    "                        one; the URL is printed at start). No authentication:\n"
    "                        keep it on loopback or a private network\n"
    "  --drain SECONDS       on SIGINT/SIGTERM, let requests finish this long\n"
    "                        (default 10); the rest goes back to the stream\n"
    "publish:\n"
    "  --endpoint NAME       the endpoint the events are for (required)\n"
    "  --format FMT          the body format published (default json)\n"
    "  --strict              refuse unknown keys\n"
    "  --ids FILE            append each published webhook-id to FILE, one a line\n"
    "  --retry-for SECONDS   publish again with the same id while the cluster does\n"
    "                        not answer, this long (default 60)\n"
    "dead-letters:\n"
    "  --out FILE            the dead-letter file to append to (required)\n"
    "  --endpoint NAME       only the dead letters of this endpoint\n"
    "  --remove              delete each from the stream once it is in the file\n"
    "  -h, --help            show this help\n"
    "\n"
    "Exit status: 0 done, 1 (publish) some events were invalid, 2 a usage,\n"
    "connection or stream error.\n";

enum {
    OPT_REPLICAS = RELAY_OPT__NEXT, OPT_MAX_AGE, OPT_MAX_BYTES, OPT_MEMORY, OPT_ENDPOINTS, OPT_DURABLE,
    OPT_IN_FLIGHT, OPT_DELIVERY_THREADS, OPT_TIMEOUT, OPT_ACK_WAIT, OPT_MAX_ATTEMPTS, OPT_BACKOFF_MS, OPT_CA_FILE, OPT_RETRY_TLS,
    OPT_STATS, OPT_METRICS, OPT_METRICS_LISTEN, OPT_DRAIN, OPT_OUT, OPT_ENDPOINT, OPT_REMOVE
};

bool relay_parse_seconds(const char *s, int64_t max_s, int64_t *ms)
{
    return cli_parse_seconds(s, (double)max_s, ms);
}

int relay_nats_option(const ugw_cmd *cmd, int key, const char *arg, ugw_relay_nats *n)
{
    int64_t ms;
    switch (key) {
    case RELAY_OPT_NATS: n->servers = arg; return 1;
    case RELAY_OPT_STREAM: n->stream = arg; return 1;
    case RELAY_OPT_PREFIX: n->subject_prefix = arg; return 1;
    case RELAY_OPT_DEAD: n->dead_subject = arg; return 1;
    case RELAY_OPT_NATS_TIMEOUT:
        if (!relay_parse_seconds(arg, 3600, &ms)) {
            usage_error(cmd, "--nats-timeout must be seconds above 0 and at most 3600, not '%s'", arg);
            return -1;
        }
        n->timeout_ms = ms;
        return 1;
    default: return 0;
    }
}

void relay_error(const char *action, const char *what, const ugw_error *err)
{
    fprintf(stderr, "%s relay %s: %s: %s", cli_name(), action, what, err->message ? err->message : "?");
    if (err->path[0])
        fprintf(stderr, " (%s, %s)", err->path, ugw_status_name(err->code));
    else
        fprintf(stderr, " (%s)", ugw_status_name(err->code));
    fputc('\n', stderr);
}

static int relay_init(const ugw_cmd *cmd, int argc, char **argv)
{
    static const cli_option opts[] = {
        RELAY_NATS_OPTIONS,
        { "replicas", OPT_REPLICAS, true },
        { "max-age", OPT_MAX_AGE, true },
        { "max-bytes", OPT_MAX_BYTES, true },
        { "memory", OPT_MEMORY, false },
        { "help", 'h', false },
        { NULL, 0, false },
    };
    ugw_relay_nats nats;
    ugw_relay_stream_config sc;
    cli_parser p;
    ugw_error err;
    int64_t v;
    int k, t;

    memset(&nats, 0, sizeof nats);
    memset(&sc, 0, sizeof sc);
    cli_init(&p, cmd, argc, argv, opts);
    while ((k = cli_next(&p)) != CLI_END) {
        if ((t = relay_nats_option(cmd, k, p.arg, &nats)) != 0) {
            if (t < 0)
                return EXIT_USAGE;
            continue;
        }
        switch (k) {
        case OPT_REPLICAS:
            if (!cli_parse_i64(p.arg, 1, 5, &v))
                return usage_error(cmd, "--replicas must be 1 to 5, not '%s'", p.arg);
            sc.replicas = (unsigned)v;
            break;
        case OPT_MAX_AGE:
            if (!relay_parse_seconds(p.arg, INT64_C(3650) * 86400, &sc.max_age_ms))
                return usage_error(cmd, "--max-age must be seconds above 0, at most ten years, not '%s'", p.arg);
            break;
        case OPT_MAX_BYTES:
            if (!cli_parse_i64(p.arg, 1, INT64_MAX, &sc.max_bytes))
                return usage_error(cmd, "--max-bytes must be a whole number above 0, not '%s'", p.arg);
            break;
        case OPT_MEMORY: sc.memory = true; break;
        case 'h': print_cmd_help(cmd, stdout); return flush_stdout() ? EXIT_VALID : EXIT_USAGE;
        case CLI_OPERAND: return usage_error(cmd, "unexpected '%s'", p.arg);
        default: return EXIT_USAGE;
        }
    }
    ugw_error_clear(&err);
    if (ugw_relay_stream_create(&nats, &sc, &err) != UGW_OK) {
        relay_error("init", "cannot create the streams", &err);
        return EXIT_USAGE;
    }
    fprintf(stderr, "%s relay init: streams %s and %s_DEAD ready\n", cli_name(), nats.stream ? nats.stream : "UGW",
            nats.stream ? nats.stream : "UGW");
    return EXIT_VALID;
}

static volatile sig_atomic_t relay_stop;

static void on_signal(int sig)
{
    relay_stop = 1;
    signal(sig, SIG_DFL); /* a second one ends the program at once */
}

static void print_stats(ugw_relay *r, const char *when)
{
    ugw_relay_stats s;
    ugw_relay_stats_get(r, NULL, &s);
    fprintf(stderr,
            "%s relay: %s: fetched %llu, delivered %llu, retried %llu, failed %llu (dead letters), "
            "released %llu, redelivered %llu, in flight %llu, endpoints gone %llu, errors: dead letter %llu, "
            "ack %llu, fetch %llu, bad messages %llu\n",
            cli_name(), when, (unsigned long long)s.fetched, (unsigned long long)s.delivered,
            (unsigned long long)s.retried, (unsigned long long)s.failed, (unsigned long long)s.released,
            (unsigned long long)s.redelivered, (unsigned long long)s.in_flight,
            (unsigned long long)s.endpoints_gone, (unsigned long long)s.dead_letter_errors,
            (unsigned long long)s.ack_errors, (unsigned long long)s.fetch_errors,
            (unsigned long long)s.bad_messages);
}

/* Replaces `path` (when given) with the Prometheus text of the counters:
 * written to PATH.tmp, then renamed, so a reader never sees half of it. */
static void write_metrics(ugw_relay *r, const char *path)
{
    char tmp[4096];
    size_t need = 0;
    char *buf;
    FILE *f;
    bool ok;
    if (!path)
        return;
    ugw_relay_metrics_text(r, NULL, 0, &need);
    if (!(buf = malloc(need + 1)) || ugw_relay_metrics_text(r, buf, need + 1, &need) != UGW_OK) {
        free(buf);
        return;
    }
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    f = fopen(tmp, "w");
    ok = f != NULL;
    if (f) {
        ok = fwrite(buf, 1, need, f) == need;
        ok = fclose(f) == 0 && ok;
    }
    if (ok)
        ok = rename(tmp, path) == 0;
    if (!ok) {
        int e = errno;
        unlink(tmp);
        fprintf(stderr, "%s relay: cannot write the metrics file %s: %s\n", cli_name(), path, strerror(e));
    }
    free(buf);
}

static void metrics_http_write(void *ctx, ugw_metrics_writer *w)
{
    ugw_relay_metrics_write(ctx, w);
}

/* Serves the relay's metrics over HTTP (ugw_metrics_http.h); NULL after a
 * message when it cannot listen. */
static ugw_metrics_http *start_metrics_http(ugw_relay *r, const char *host, uint16_t port)
{
    ugw_metrics_http_config mc;
    ugw_metrics_http *m;
    char err[512];
    memset(&mc, 0, sizeof mc);
    mc.addr = host;
    mc.port = port;
    mc.write = metrics_http_write;
    mc.ctx = r;
    if (!(m = ugw_metrics_http_start(&mc, err, sizeof err))) {
        fprintf(stderr, "%s relay run: --metrics-listen: %s\n", cli_name(), err);
        return NULL;
    }
    fprintf(stderr, "%s relay: metrics on %s\n", cli_name(), ugw_metrics_http_url(m));
    return m;
}

/* Loads the endpoints file, warning when others may read its secrets. */
static ugw_relay_endpoints *load_endpoints(const char *path)
{
    ugw_read_error rerr;
    unsigned mode = 0;
    bool secrets = false;
    ugw_relay_endpoints *e = ugw_relay_endpoints_load(path, &mode, &rerr);
    if (!e) {
        if (rerr.error.code == UGW_ERR_IO)
            fprintf(stderr, "%s relay run: cannot read the endpoints file %s: %s\n", cli_name(), path,
                    strerror(rerr.sys_errno ? rerr.sys_errno : EIO));
        else
            fprintf(stderr, "%s relay run: %s:%llu: %s%s%s (%s at byte %zu)\n", cli_name(), path,
                    (unsigned long long)rerr.line, rerr.error.path, rerr.error.path[0] ? ": " : "",
                    rerr.error.message, ugw_status_name(rerr.error.code), rerr.error.pos);
        return NULL;
    }
    for (size_t i = 0; i < ugw_relay_endpoints_count(e); i++)
        secrets |= ugw_relay_endpoints_at(e, i)->secret != NULL;
    if (secrets && (mode & 077))
        fprintf(stderr, "%s relay run: warning: the endpoints file %s holds secrets and can be read by other "
                "users (mode %04o); 'chmod 600 %s' keeps it private\n", cli_name(), path, mode, path);
    return e;
}

static int relay_run(const ugw_cmd *cmd, int argc, char **argv)
{
    static const cli_option opts[] = {
        RELAY_NATS_OPTIONS,
        { "endpoints", OPT_ENDPOINTS, true },
        { "durable", OPT_DURABLE, true },
        { "in-flight", OPT_IN_FLIGHT, true },
        { "delivery-threads", OPT_DELIVERY_THREADS, true },
        { "timeout", OPT_TIMEOUT, true },
        { "ack-wait", OPT_ACK_WAIT, true },
        { "max-attempts", OPT_MAX_ATTEMPTS, true },
        { "backoff-ms", OPT_BACKOFF_MS, true },
        { "ca-file", OPT_CA_FILE, true },
        { "retry-tls-errors", OPT_RETRY_TLS, false },
        { "stats", OPT_STATS, true },
        { "metrics", OPT_METRICS, true },
        { "metrics-listen", OPT_METRICS_LISTEN, true },
        { "drain", OPT_DRAIN, true },
        { "help", 'h', false },
        { NULL, 0, false },
    };
    ugw_relay_config rc;
    const char *endpoints = NULL, *metrics = NULL, *metrics_listen = NULL;
    char *mhost = NULL;
    uint16_t mport = 0;
    ugw_metrics_http *mhttp = NULL;
    int64_t v, stats_ms = 10000, drain_ms = 10000, last, tick;
    struct sigaction sa, old_int, old_term;
    ugw_relay_endpoints *eps;
    ugw_relay *r;
    ugw_error err;
    cli_parser p;
    int k, t, rc_exit = EXIT_VALID;

    memset(&rc, 0, sizeof rc);
    cli_init(&p, cmd, argc, argv, opts);
    while ((k = cli_next(&p)) != CLI_END) {
        if ((t = relay_nats_option(cmd, k, p.arg, &rc.nats)) != 0) {
            if (t < 0)
                return EXIT_USAGE;
            continue;
        }
        switch (k) {
        case OPT_ENDPOINTS: endpoints = p.arg; break;
        case OPT_DURABLE: rc.durable = p.arg; break;
        case OPT_IN_FLIGHT:
            if (!cli_parse_i64(p.arg, 1, 1024, &v))
                return usage_error(cmd, "--in-flight must be a whole number from 1 to 1024, not '%s'", p.arg);
            rc.in_flight = (unsigned)v;
            break;
        case OPT_DELIVERY_THREADS:
            if (!cli_parse_i64(p.arg, 1, 256, &v))
                return usage_error(cmd, "--delivery-threads must be a whole number from 1 to 256, not '%s'", p.arg);
            rc.delivery_threads = (unsigned)v;
            break;
        case OPT_TIMEOUT:
            if (!relay_parse_seconds(p.arg, 86400, &rc.timeout_ms))
                return usage_error(cmd, "--timeout must be seconds above 0 and at most 86400, not '%s'", p.arg);
            break;
        case OPT_ACK_WAIT:
            if (!relay_parse_seconds(p.arg, 86400, &rc.ack_wait_ms))
                return usage_error(cmd, "--ack-wait must be seconds above 0 and at most 86400, not '%s'", p.arg);
            break;
        case OPT_MAX_ATTEMPTS:
            if (!cli_parse_i64(p.arg, 1, 1000, &v))
                return usage_error(cmd, "--max-attempts must be a whole number from 1 to 1000, not '%s'", p.arg);
            rc.max_attempts = (unsigned)v;
            break;
        case OPT_BACKOFF_MS:
            if (!cli_parse_i64(p.arg, 1, 3600000, &rc.backoff_base_ms))
                return usage_error(cmd, "--backoff-ms must be a whole number from 1 to 3600000, not '%s'", p.arg);
            break;
        case OPT_CA_FILE: rc.ca_file = p.arg; break;
        case OPT_RETRY_TLS: rc.tls_retry = true; break;
        case OPT_STATS:
            if (strcmp(p.arg, "0") == 0)
                stats_ms = 0;
            else if (!relay_parse_seconds(p.arg, 86400, &stats_ms))
                return usage_error(cmd, "--stats must be seconds (0: only at the end), not '%s'", p.arg);
            break;
        case OPT_METRICS: metrics = p.arg; break;
        case OPT_METRICS_LISTEN: metrics_listen = p.arg; break;
        case OPT_DRAIN:
            if (strcmp(p.arg, "0") == 0)
                drain_ms = 0;
            else if (!relay_parse_seconds(p.arg, 86400, &drain_ms))
                return usage_error(cmd, "--drain must be seconds, at most 86400, not '%s'", p.arg);
            break;
        case 'h': print_cmd_help(cmd, stdout); return flush_stdout() ? EXIT_VALID : EXIT_USAGE;
        case CLI_OPERAND: return usage_error(cmd, "unexpected '%s'", p.arg);
        default: return EXIT_USAGE;
        }
    }
    if (!endpoints)
        return usage_error(cmd, "%s", "relay run needs --endpoints FILE");
    if (metrics_listen && !cli_parse_listen(metrics_listen, UGW_METRICS_HTTP_DEFAULT_ADDR, &mhost, &mport))
        return usage_error(cmd, "--metrics-listen must be ADDR:PORT, [IPV6]:PORT or PORT (0 to 65535), not '%s'",
                           metrics_listen);
    if (!(eps = load_endpoints(endpoints))) {
        free(mhost);
        return EXIT_USAGE;
    }
    rc.endpoints = eps;
    /* Before starting: a signal during the start stops the relay right after it. */
    relay_stop = 0;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);
    ugw_error_clear(&err);
    r = ugw_relay_new(&rc, &err);
    if (!r) {
        relay_error("run", "cannot start", &err);
        sigaction(SIGINT, &old_int, NULL);
        sigaction(SIGTERM, &old_term, NULL);
        ugw_relay_endpoints_free(eps);
        free(mhost);
        return EXIT_USAGE;
    }
    if (mhost) {
        signal(SIGPIPE, SIG_IGN); /* a scraper that hung up is an error value */
        mhttp = start_metrics_http(r, mhost, mport);
        free(mhost);
        if (!mhttp) { /* what it fetched goes straight back to the stream */
            ugw_relay_close(r, 0);
            sigaction(SIGINT, &old_int, NULL);
            sigaction(SIGTERM, &old_term, NULL);
            ugw_relay_endpoints_free(eps);
            return EXIT_USAGE;
        }
    }
    fprintf(stderr, "%s relay: relaying %zu endpoint(s); SIGINT or SIGTERM stops\n", cli_name(),
            ugw_relay_endpoints_count(eps));
    last = 0;
    /* Wakes every 100 ms, or as often as --stats asks below that (at most
     * every 10 ms): a benchmark reads the counters from these lines. */
    tick = stats_ms && stats_ms < 100 ? (stats_ms < 10 ? 10 : stats_ms) : 100;
    for (int64_t elapsed = 0; !relay_stop; elapsed += tick) {
        struct timespec ts = { 0, (long)tick * 1000000L };
        nanosleep(&ts, NULL);
        if (stats_ms && elapsed - last >= stats_ms) {
            print_stats(r, "running");
            write_metrics(r, metrics);
            last = elapsed;
        }
    }
    fprintf(stderr, "%s relay: stopping: letting requests finish for up to %lld ms\n", cli_name(),
            (long long)drain_ms);
    print_stats(r, "stopping");
    write_metrics(r, metrics);
    ugw_metrics_http_stop(mhttp); /* before the relay it reads */
    if (ugw_relay_close(r, drain_ms) != UGW_OK)
        fprintf(stderr, "%s relay: some requests did not finish; their events went back to the stream\n",
                cli_name());
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    ugw_relay_endpoints_free(eps);
    return rc_exit;
}

static int relay_dead_letters(const ugw_cmd *cmd, int argc, char **argv)
{
    static const cli_option opts[] = {
        RELAY_NATS_OPTIONS,
        { "out", OPT_OUT, true },
        { "endpoint", OPT_ENDPOINT, true },
        { "remove", OPT_REMOVE, false },
        { "help", 'h', false },
        { NULL, 0, false },
    };
    ugw_relay_nats nats;
    const char *out = NULL, *endpoint = NULL;
    bool remove = false;
    uint64_t copied = 0, skipped = 0;
    ugw_error err;
    cli_parser p;
    int k, t, fd, e = 0;
    ugw_status st;

    memset(&nats, 0, sizeof nats);
    cli_init(&p, cmd, argc, argv, opts);
    while ((k = cli_next(&p)) != CLI_END) {
        if ((t = relay_nats_option(cmd, k, p.arg, &nats)) != 0) {
            if (t < 0)
                return EXIT_USAGE;
            continue;
        }
        switch (k) {
        case OPT_OUT: out = p.arg; break;
        case OPT_ENDPOINT: endpoint = p.arg; break;
        case OPT_REMOVE: remove = true; break;
        case 'h': print_cmd_help(cmd, stdout); return flush_stdout() ? EXIT_VALID : EXIT_USAGE;
        case CLI_OPERAND: return usage_error(cmd, "unexpected '%s'", p.arg);
        default: return EXIT_USAGE;
        }
    }
    if (!out)
        return usage_error(cmd, "%s", "relay dead-letters needs --out FILE");
    if ((fd = ugw_dead_letter_append_open(out, &e)) < 0) {
        fprintf(stderr, "%s relay dead-letters: cannot open %s: %s\n", cli_name(), out, strerror(e));
        return EXIT_USAGE;
    }
    ugw_error_clear(&err);
    st = ugw_relay_dead_letters_export(&nats, endpoint, fd, remove, &copied, &skipped, &err);
    if (close(fd) != 0 && st == UGW_OK) {
        fprintf(stderr, "%s relay dead-letters: cannot write %s: %s\n", cli_name(), out, strerror(errno));
        return EXIT_USAGE;
    }
    fprintf(stderr, "%s relay dead-letters: %llu copied to %s%s, %llu skipped (not dead letters)\n", cli_name(),
            (unsigned long long)copied, out, remove ? " and removed from the stream" : "",
            (unsigned long long)skipped);
    if (st != UGW_OK) {
        relay_error("dead-letters", "stopped", &err);
        return EXIT_USAGE;
    }
    return EXIT_VALID;
}

int cmd_relay(const ugw_cmd *cmd, int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "dead-letters") == 0)
        return relay_dead_letters(cmd, argc - 1, argv + 1);
    if (argc >= 2 && strcmp(argv[1], "init") == 0)
        return relay_init(cmd, argc - 1, argv + 1);
    if (argc >= 2 && strcmp(argv[1], "run") == 0)
        return relay_run(cmd, argc - 1, argv + 1);
    if (argc >= 2 && strcmp(argv[1], "publish") == 0)
        return relay_publish(cmd, argc - 1, argv + 1);
    if (argc >= 2 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
        print_cmd_help(cmd, stdout);
        return flush_stdout() ? EXIT_VALID : EXIT_USAGE;
    }
    if (argc < 2)
        return usage_error(cmd, "%s", "no action given (init, run, publish or dead-letters)");
    return usage_error(cmd, "unknown action '%s' (init, run, publish or dead-letters)", argv[1]);
}
