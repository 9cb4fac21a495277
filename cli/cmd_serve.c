/*
 * cmd_serve.c - `ugw serve`: runs the receiver of serve.h until SIGINT or
 * SIGTERM, which the main thread waits for with sigwait() (the signals are
 * blocked before the server's threads start, so only sigwait() sees them).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pthread.h>
#include <sys/resource.h>
#include <unistd.h>

#include <curl/curl.h>
#include <openssl/crypto.h>

#include <ugw/ugw_runtime.h>
#include <ugw/ugw_webhook.h>

#include "cli.h"
#include "serve.h"

enum {
    OPT_LISTEN = 256, OPT_SECRET, OPT_STRICT, OPT_OUT, OPT_MAX_BODY, OPT_TOLERANCE, OPT_THREADS,
    OPT_SYNC, OPT_REPLAY_STATE, OPT_FORWARD_TO, OPT_FORWARD_SECRET, OPT_MAX_CONNECTIONS, OPT_MAX_PER_IP,
    OPT_HEADER_TIMEOUT, OPT_REQUEST_TIMEOUT, OPT_MAX_MEMORY, OPT_SECRET_FILE, OPT_FORWARD_SECRET_FILE,
    OPT_ALLOW_WEAK, OPT_NO_METRICS, OPT_UI, OPT_NO_UI, OPT_UI_HISTORY, OPT_UI_TOKEN_FILE,
    OPT_FORWARD_TIMEOUT, OPT_REPLAY_CAPACITY
};

const char cmd_serve_usage[] =
    "ugw serve [--listen ADDR:PORT] [--secret-file FILE | --secret S]...\n"
    "                 [--allow-weak-secret] [--strict]\n"
    "                 [--out FILE [--sync]] [--replay-state FILE] [--replay-capacity N]\n"
    "                 [--forward-to URL [--forward-secret-file FILE | --forward-secret S]\n"
    "                  [--forward-timeout SECONDS]]\n"
    "                 [--max-body BYTES] [--tolerance SECONDS] [--threads N]\n"
    "                 [--max-connections N] [--max-per-ip N] [--header-timeout SECONDS]\n"
    "                 [--request-timeout SECONDS] [--max-memory BYTES] [--no-metrics]\n"
    "                 [--ui | --no-ui] [--ui-history N] [--ui-token-file FILE] [--quiet]";
const char cmd_serve_help[] =
    "Runs a webhook receiver on libmicrohttpd until SIGINT (Ctrl-C) or SIGTERM.\n"
    "At start it prints 'ugw serve: listening on http://ADDR:PORT/' to standard\n"
    "error, with the port actually bound (so --listen 127.0.0.1:0 can be used).\n"
    "\n"
    "Every path takes POST (other methods: 405). For each request:\n"
    "  400  malformed framing: two Content-Length headers, Content-Length with\n"
    "       Transfer-Encoding, HTTP/1.1 without Host, a webhook header twice\n"
    "  413  the body is larger than --max-body\n"
    "  400  webhook-id is not 1 to 256 printable ASCII characters\n"
    "  401  with secrets: webhook-id, webhook-timestamp or webhook-signature\n"
    "       missing, the timestamp outside the tolerance, or no signature\n"
    "       matching the body (checked before the body is kept)\n"
    "  415  Content-Type is not application/json or application/msgpack\n"
    "       (parameters such as '; charset=utf-8' are allowed)\n"
    "  400  the body is not a valid event in that format\n"
    "  503  the event could not be written (or forwarded), the memory for\n"
    "       bodies is in use, the same webhook-id is being stored, or the\n"
    "       replay window is full (--replay-capacity): with Retry-After, so\n"
    "       the sender tries again\n"
    "  204  a valid event, written whole first; one whose webhook-id was\n"
    "       stored within the timestamp tolerance is a duplicate: answered 204\n"
    "       and counted, not written again\n"
    "Rejections carry a JSON body {\"code\":\"range\",\"message\":\"...\",\n"
    "\"path\":\"payload.score\",\"pos\":123}, and a line on standard error.\n"
    "A connection is closed when its headers take longer than --header-timeout\n"
    "or its request longer than --request-timeout; past --max-connections the\n"
    "one waiting longest is closed to make room.\n"
    "\n"
    "Each valid event is shown as one line on standard output:\n"
    "\n"
    "  WEBHOOK-ID EVENT-ID verified|unsigned json|msgpack USERID\n"
    "\n"
    "(EVENT-ID is the schema id such as guide_preview_start; WEBHOOK-ID is '-'\n"
    "when the request had none; USERID is written with JSON string escapes).\n"
    "With --out FILE, each is appended to FILE as a JSON line instead:\n"
    "\n"
    "  {\"id\":\"msg_1\",\"event\":\"guide started (userguiding)\",\"format\":\"json\",\n"
    "   \"verified\":true,\"received\":\"2024-06-02T10:00:00.123Z\",\n"
    "   \"body\":{\"event\":\"guide started (userguiding)\",\"payload\":{...}}}\n"
    "\n"
    "where \"body\" is the event re-encoded as JSON (whatever format it came in,\n"
    "with the envelope fields of a schema that has them, such as \"timestamp\")\n"
    "and \"id\" is null when the request had no webhook-id.\n"
    "On stop it prints 'ugw serve: received N, valid V, invalid I, unauthorized\n"
    "U, duplicates D' (then ', unavailable A' when some were answered 5xx other\n"
    "than 500) to standard error; received is the sum of the others. A second\n"
    "line gives the server's own counts: 'connections peak P, evicted E, header\n"
    "timeouts H, request timeouts R, malformed M, memory refusals B, peak body\n"
    "memory X bytes'.\n"
    "\n"
    "Options:\n"
    "  --listen ADDR:PORT   where to listen (default 127.0.0.1:8080); ADDR is an\n"
    "                       IPv4 address, [IPv6] or a host name; PORT 0 picks a\n"
    "                       free port; a bare PORT listens on 127.0.0.1\n"
    "  --secret-file FILE   require Standard Webhooks signatures with the secrets\n"
    "                       of FILE (whsec_ + base64 of the key, one a line; '#'\n"
    "                       lines skipped): any of them verifies (rotation).\n"
    "                       Without it, the secrets of the UGW_SECRET environment\n"
    "                       variable (separated by white space); with neither,\n"
    "                       every request is accepted unsigned\n"
    "  --secret S           a secret on the command line, visible to other users\n"
    "                       (a warning says so); up to 8 in all\n"
    "  --allow-weak-secret  accept keys shorter than 24 bytes\n"
    "  --strict             reject unknown payload keys (default: ignore them)\n"
    "  --out FILE           append JSON Lines to FILE ('-': standard output),\n"
    "                       created 0600, one write(2) per line, before the 2xx;\n"
    "                       a line that cannot be written whole is cut off again\n"
    "                       and the request answered 503\n"
    "  --sync               also fdatasync(2) each line (and each record of\n"
    "                       --replay-state) before answering\n"
    "  --replay-state FILE  keep the webhook-ids of the replay window in FILE\n"
    "                       (0600) so that a restart still knows them\n"
    "  --replay-capacity N  webhook-ids the replay window holds (default 100000,\n"
    "                       48 bytes each, allocated at start): at least the new\n"
    "                       events per second times twice the tolerance; when it\n"
    "                       is full of ids still inside the tolerance, new events\n"
    "                       are answered 503 with Retry-After\n"
    "  --forward-to URL     POST each valid new event to URL (a local app), with\n"
    "                       a fresh timestamp, and answer with its status and body\n"
    "                       (502 when it cannot be reached); connections to it are\n"
    "                       kept open and reused\n"
    "  --forward-secret-file FILE, --forward-secret S\n"
    "                       sign the forwarded requests with this secret\n"
    "  --forward-timeout SECONDS  how long the application has to answer (default\n"
    "                       10; then 502)\n"
    "  --max-body BYTES     largest body accepted (default 1048576)\n"
    "  --tolerance SECONDS  largest distance of webhook-timestamp from the clock\n"
    "                       (default 300)\n"
    "  --threads N          answering threads (default 4)\n"
    "  --max-connections N  open connections at most (default 1000)\n"
    "  --max-per-ip N       open connections per client address (default 64)\n"
    "  --header-timeout SECONDS   for the headers of a request (default 10)\n"
    "  --request-timeout SECONDS  for a whole request (default 30)\n"
    "  --max-memory BYTES   request bodies held at once (default 67108864);\n"
    "                       past it requests are answered 503\n"
    "  --no-metrics         do not answer GET /metrics (by default it gives the\n"
    "                       receiver's metrics in the Prometheus text format:\n"
    "                       requests by verdict and event, body sizes, latency\n"
    "                       histograms, connections; see docs/OPERATIONS.md)\n"
    "  --ui, --no-ui        the live inspector page at http://ADDR:PORT/_ugw/: the\n"
    "                       requests as they arrive, with verdict, headers, body\n"
    "                       and errors (default: on when listening on loopback,\n"
    "                       else off; --ui there needs a token, made at random\n"
    "                       and printed unless --ui-token-file gives it)\n"
    "  --ui-history N       requests the page keeps (default 100, at most 100000)\n"
    "  --ui-token-file FILE the page's access token: the first line of FILE,\n"
    "                       16 to 255 printable characters\n"
    "  -q, --quiet          no event lines on standard output and no rejection\n"
    "                       lines (the listening and summary lines stay)\n"
    "  -h, --help           show this help\n"
    "\n"
    "Exit status: 0 stopped by a signal, 2 usage error, address in use, or an\n"
    "event line that could not be written.\n"
    "\n"
    "Example:\n"
    "  ugw serve --listen 127.0.0.1:9000 --secret-file /etc/ugw/webhook.secret\n";

/* As many open files as the hard limit allows, for --max-connections. */
static void raise_fd_limit(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        (void)setrlimit(RLIMIT_NOFILE, &rl);
    }
}

/* Opens --out FILE for appending, created 0600. */
static FILE *open_out(const char *path)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    FILE *f = fd >= 0 ? fdopen(fd, "a") : NULL;
    if (fd >= 0 && !f) {
        int e = errno;
        close(fd);
        errno = e;
    }
    return f;
}

typedef struct serve_args {
    const char *listen, *out_path;
    cli_secret_args secrets, forward; /* --secret..., --forward-secret... */
    bool quiet;
    int ui;                    /* -1: by the address; 0: --no-ui; 1: --ui */
    const char *ui_token_file; /* --ui-token-file */
} serve_args;

/* The options into `a` and `so`; EXIT_VALID to go on, else the exit code
 * (-1 for help shown). */
static int parse_args(const ugw_cmd *cmd, int argc, char **argv, serve_args *a, server_opts *so)
{
    static const cli_option opts[] = {
        { "listen", OPT_LISTEN, true },
        { "secret", OPT_SECRET, true },
        { "strict", OPT_STRICT, false },
        { "out", OPT_OUT, true },
        { "sync", OPT_SYNC, false },
        { "replay-state", OPT_REPLAY_STATE, true },
        { "forward-to", OPT_FORWARD_TO, true },
        { "forward-secret", OPT_FORWARD_SECRET, true },
        { "secret-file", OPT_SECRET_FILE, true },
        { "forward-secret-file", OPT_FORWARD_SECRET_FILE, true },
        { "allow-weak-secret", OPT_ALLOW_WEAK, false },
        { "max-body", OPT_MAX_BODY, true },
        { "tolerance", OPT_TOLERANCE, true },
        { "threads", OPT_THREADS, true },
        { "max-connections", OPT_MAX_CONNECTIONS, true },
        { "max-per-ip", OPT_MAX_PER_IP, true },
        { "header-timeout", OPT_HEADER_TIMEOUT, true },
        { "request-timeout", OPT_REQUEST_TIMEOUT, true },
        { "max-memory", OPT_MAX_MEMORY, true },
        { "no-metrics", OPT_NO_METRICS, false },
        { "ui", OPT_UI, false },
        { "no-ui", OPT_NO_UI, false },
        { "ui-history", OPT_UI_HISTORY, true },
        { "ui-token-file", OPT_UI_TOKEN_FILE, true },
        { "forward-timeout", OPT_FORWARD_TIMEOUT, true },
        { "replay-capacity", OPT_REPLAY_CAPACITY, true },
        { "quiet", 'q', false },
        { "help", 'h', false },
        { NULL, 0, false },
    };
    cli_parser p;
    int64_t v;
    int k;

    cli_init(&p, cmd, argc, argv, opts);
    while ((k = cli_next(&p)) != CLI_END) {
        switch (k) {
        case CLI_OPERAND:
            return usage_error(cmd, "unexpected operand '%s'", p.arg);
        case OPT_LISTEN: a->listen = p.arg; break;
        case OPT_SECRET:
        case OPT_SECRET_FILE:
            if (!cli_secret_args_add(cmd, &a->secrets, k == OPT_SECRET_FILE, p.arg))
                return EXIT_USAGE;
            break;
        case OPT_FORWARD_SECRET:
        case OPT_FORWARD_SECRET_FILE:
            if (!cli_secret_args_add(cmd, &a->forward, k == OPT_FORWARD_SECRET_FILE, p.arg))
                return EXIT_USAGE;
            break;
        case OPT_ALLOW_WEAK:
            a->secrets.allow_weak = a->forward.allow_weak = so->allow_weak_secrets = true;
            break;
        case OPT_STRICT: so->strict = true; break;
        case OPT_OUT: a->out_path = p.arg; break;
        case OPT_SYNC: so->sync = true; break;
        case OPT_REPLAY_STATE: so->replay_path = p.arg; break;
        case OPT_FORWARD_TO:
            if (strncmp(p.arg, "http://", 7) != 0 && strncmp(p.arg, "https://", 8) != 0)
                return usage_error(cmd, "--forward-to must be an http:// or https:// URL, not '%s'", p.arg);
            so->forward_to = p.arg;
            break;
        case OPT_MAX_BODY:
            if (!cli_parse_i64(p.arg, 1, (int64_t)1 << 28, &v))
                return usage_error(cmd, "--max-body must be a number of bytes from 1 to 268435456, not '%s'", p.arg);
            so->max_body = (size_t)v;
            break;
        case OPT_TOLERANCE:
            if (!cli_parse_i64(p.arg, 1, INT64_MAX, &v))
                return usage_error(cmd, "--tolerance must be a number of seconds, 1 or more, not '%s'", p.arg);
            so->tolerance_s = v;
            break;
        case OPT_THREADS:
            if (!cli_parse_i64(p.arg, 1, 256, &v))
                return usage_error(cmd, "--threads must be a number from 1 to 256, not '%s'", p.arg);
            so->threads = (unsigned)v;
            break;
        case OPT_MAX_CONNECTIONS:
            if (!cli_parse_i64(p.arg, 1, 100000, &v))
                return usage_error(cmd, "--max-connections must be a number from 1 to 100000, not '%s'", p.arg);
            so->max_connections = (unsigned)v;
            break;
        case OPT_MAX_PER_IP:
            if (!cli_parse_i64(p.arg, 1, 100000, &v))
                return usage_error(cmd, "--max-per-ip must be a number from 1 to 100000, not '%s'", p.arg);
            so->max_per_ip = (unsigned)v;
            break;
        case OPT_HEADER_TIMEOUT:
        case OPT_REQUEST_TIMEOUT:
            if (!cli_parse_i64(p.arg, 1, 86400, &v))
                return usage_error(cmd, k == OPT_HEADER_TIMEOUT
                                            ? "--header-timeout must be a number of seconds from 1 to 86400, not '%s'"
                                            : "--request-timeout must be a number of seconds from 1 to 86400, not '%s'",
                                   p.arg);
            if (k == OPT_HEADER_TIMEOUT)
                so->header_timeout_ms = (unsigned)v * 1000u;
            else
                so->request_timeout_ms = (unsigned)v * 1000u;
            break;
        case OPT_MAX_MEMORY:
            if (!cli_parse_i64(p.arg, 65536, (int64_t)1 << 40, &v))
                return usage_error(cmd, "--max-memory must be a number of bytes from 65536 to 2^40, not '%s'", p.arg);
            so->memory_budget = (size_t)v;
            break;
        case OPT_NO_METRICS: so->metrics_path = NULL; break;
        case OPT_UI: a->ui = 1; break;
        case OPT_NO_UI: a->ui = 0; break;
        case OPT_UI_HISTORY:
            if (!cli_parse_i64(p.arg, 1, 100000, &v))
                return usage_error(cmd, "--ui-history must be a number from 1 to 100000, not '%s'", p.arg);
            so->ui_history = (size_t)v;
            break;
        case OPT_UI_TOKEN_FILE: a->ui_token_file = p.arg; break;
        case OPT_FORWARD_TIMEOUT:
            if (!cli_parse_i64(p.arg, 1, 3600, &v))
                return usage_error(cmd, "--forward-timeout must be a number of seconds from 1 to 3600, not '%s'", p.arg);
            so->forward_timeout_ms = v * 1000;
            break;
        case OPT_REPLAY_CAPACITY:
            if (!cli_parse_i64(p.arg, 1, (int64_t)UGW_RECEIVER_MAX_REPLAY_CAPACITY, &v))
                return usage_error(cmd, "--replay-capacity must be a number from 1 to 16777216, not '%s'", p.arg);
            so->replay_capacity = (size_t)v;
            break;
        case 'q': a->quiet = true; break;
        case 'h':
            print_cmd_help(cmd, stdout);
            return flush_stdout() ? -1 : EXIT_USAGE;
        default:
            return EXIT_USAGE;
        }
    }
    if ((a->forward.ntexts || a->forward.nfiles) && !so->forward_to)
        return usage_error(cmd, "--forward-secret needs --forward-to%s", "");
    if (so->forward_timeout_ms && !so->forward_to)
        return usage_error(cmd, "--forward-timeout needs --forward-to%s", "");
    if (so->sync && !a->out_path)
        return usage_error(cmd, "--sync needs --out%s", "");
    return EXIT_VALID;
}

int cmd_serve(const ugw_cmd *cmd, int argc, char **argv)
{
    serve_args a;
    int rc;
    server_opts so;
    server_stats st;
    ugw_secret secrets[CLI_SECRETS_MAX], fwd;
    size_t nsecrets = 0, nfwd = 0;
    ugw_server *srv;
    char *host = NULL, errbuf[512], token[256] = "";
    FILE *out = NULL;
    sigset_t set;
    bool curl_up = false;

    memset(&a, 0, sizeof a);
    memset(&so, 0, sizeof so);
    memset(secrets, 0, sizeof secrets);
    memset(&fwd, 0, sizeof fwd);
    cli_secret_args_init(&a.secrets, "secret", "UGW_SECRET");
    cli_secret_args_init(&a.forward, "forward-secret", NULL);
    a.listen = SERVER_DEFAULT_ADDR ":8080";
    a.ui = -1;
    so.metrics_path = "/metrics";
    so.schema = cli_schema();
    so.name = cli_name();
    rc = parse_args(cmd, argc, argv, &a, &so);
    if (rc != EXIT_VALID)
        return rc < 0 ? EXIT_VALID : rc;
    if (!cli_parse_listen(a.listen, SERVER_DEFAULT_ADDR, &host, &so.port))
        return usage_error(cmd, "--listen must be ADDR:PORT, [IPV6]:PORT or PORT (0 to 65535), not '%s'", a.listen);
    rc = EXIT_VALID;
    if (!cli_secret_args_load(cmd, &a.secrets, secrets, CLI_SECRETS_MAX, &nsecrets)
        || !cli_secret_args_load(cmd, &a.forward, &fwd, 1, &nfwd))
        rc = EXIT_USAGE;
    so.secrets = secrets;
    so.nsecrets = nsecrets;
    so.forward_secret = nfwd ? &fwd : NULL;
    if (rc == EXIT_VALID && a.out_path) {
        if (strcmp(a.out_path, "-") == 0) {
            out = stdout;
        } else if (!(out = open_out(a.out_path))) {
            fprintf(stderr, "%s: %s: %s\n", cli_name(), a.out_path, strerror(errno));
            rc = EXIT_USAGE;
        }
        so.events = out;
        so.output = SERVER_OUTPUT_JSONL;
    } else {
        so.events = a.quiet ? NULL : stdout;
        so.output = SERVER_OUTPUT_TEXT;
    }
    so.log = a.quiet ? NULL : stderr;
    so.addr = host;
    if (rc == EXIT_VALID && !serve_ui_setup(cmd, host, a.ui, a.ui_token_file, &so, token, sizeof token))
        rc = EXIT_USAGE;
    so.log_clears_line = a.out_path && out != stdout && !a.quiet && isatty(STDERR_FILENO);
    if (rc == EXIT_VALID && so.forward_to) {
        curl_up = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
        if (!curl_up) {
            fprintf(stderr, "%s serve: cannot set up libcurl for --forward-to\n", cli_name());
            rc = EXIT_USAGE;
        }
    }

    /* Only this thread takes the signals: block them before threads start. */
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN); /* a closed stdout or client is an error value */
    signal(SIGXFSZ, SIG_IGN); /* a file-size limit is a failed write, answered 503 */
    raise_fd_limit();

    srv = rc == EXIT_VALID ? server_start(&so, errbuf, sizeof errbuf) : NULL;
    OPENSSL_cleanse(secrets, sizeof secrets); /* the server has its copies */
    OPENSSL_cleanse(&fwd, sizeof fwd);
    if (rc != EXIT_VALID) {
        /* already reported */
    } else if (!srv) {
        fprintf(stderr, "%s serve: %s\n", cli_name(), errbuf);
        rc = EXIT_USAGE;
    } else {
        fprintf(stderr, "%s serve: listening on %s (%s; stop with Ctrl-C or SIGTERM)\n", cli_name(),
                server_url(srv), nsecrets ? "signed requests only" : "signatures not checked");
        if (so.ui)
            serve_ui_announce(srv, host, token, a.ui_token_file);
        fflush(stderr);
        OPENSSL_cleanse(token, sizeof token);
        serve_wait_signal(srv, &set, so.log_clears_line);
        server_stop(srv, &st);
        server_stats_format(&st, errbuf, sizeof errbuf);
        fprintf(stderr, "%s serve: %s\n", cli_name(), errbuf);
        fprintf(stderr,
                "%s serve: connections peak %llu, evicted %llu, header timeouts %llu, request timeouts %llu, "
                "malformed %llu, memory refusals %llu, peak body memory %llu bytes\n",
                cli_name(), (unsigned long long)st.http.peak_connections, (unsigned long long)st.http.evicted,
                (unsigned long long)st.http.header_timeouts, (unsigned long long)st.http.request_timeouts,
                (unsigned long long)st.http.malformed, (unsigned long long)st.http.budget_refusals,
                (unsigned long long)st.http.peak_body_bytes);
        if (st.write_errors) {
            fprintf(stderr, "%s serve: %llu event lines could not be written to %s (answered 503)\n", cli_name(),
                    (unsigned long long)st.write_errors, a.out_path ? a.out_path : "standard output");
            rc = EXIT_USAGE;
        }
    }
    /* The signals stay blocked: one more arriving while we finish must not
     * kill the process with a non-zero status. */
    if (out && out != stdout && fclose(out) != 0) {
        fprintf(stderr, "%s: %s: %s\n", cli_name(), a.out_path, strerror(errno));
        rc = EXIT_USAGE;
    }
    if (!flush_stdout())
        rc = EXIT_USAGE;
    if (curl_up)
        curl_global_cleanup();
    free(host);
    return rc;
}
