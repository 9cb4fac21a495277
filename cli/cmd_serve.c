/*
 * cmd_serve.c - `ugw serve`: runs the receiver of serve.h until SIGINT or
 * SIGTERM, which the main thread waits for with sigwait() (the signals are
 * blocked before the server's threads start, so only sigwait() sees them).
 */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pthread.h>

#include <openssl/crypto.h>

#include <ugw/ugw_runtime.h>
#include <ugw/ugw_webhook.h>

#include "cli.h"
#include "serve.h"

enum { OPT_LISTEN = 256, OPT_SECRET, OPT_STRICT, OPT_OUT, OPT_MAX_BODY, OPT_TOLERANCE, OPT_THREADS };

const char cmd_serve_usage[] =
    "ugw serve [--listen ADDR:PORT] [--secret S] [--strict] [--out FILE] [--max-body BYTES]\n"
    "                 [--tolerance SECONDS] [--threads N] [--quiet]";
const char cmd_serve_help[] =
    "Runs a webhook receiver on libmicrohttpd until SIGINT (Ctrl-C) or SIGTERM.\n"
    "At start it prints 'ugw serve: listening on http://ADDR:PORT/' to standard\n"
    "error, with the port actually bound (so --listen 127.0.0.1:0 can be used).\n"
    "\n"
    "Every path takes POST (other methods: 405). For each request:\n"
    "  413  the body is larger than --max-body\n"
    "  400  webhook-id is not 1 to 256 printable ASCII characters\n"
    "  401  with --secret: webhook-id, webhook-timestamp or webhook-signature\n"
    "       missing, the timestamp outside the tolerance, or no signature\n"
    "       matching the body\n"
    "  415  Content-Type is not application/json or application/msgpack\n"
    "       (parameters such as '; charset=utf-8' are allowed)\n"
    "  400  the body is not a valid event in that format\n"
    "  204  a valid event; one whose webhook-id was seen before (among the last\n"
    "       100000) is a duplicate: answered 204 and counted, not shown again\n"
    "Rejections carry a JSON body {\"code\":\"range\",\"message\":\"...\",\n"
    "\"path\":\"payload.score\",\"pos\":123}, and a line on standard error.\n"
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
    "where \"body\" is the event re-encoded as JSON (whatever format it came in)\n"
    "and \"id\" is null when the request had no webhook-id.\n"
    "On stop it prints 'ugw serve: received N, valid V, invalid I, unauthorized\n"
    "U, duplicates D' to standard error; received = valid + invalid +\n"
    "unauthorized + duplicates.\n"
    "\n"
    "Options:\n"
    "  --listen ADDR:PORT   where to listen (default 127.0.0.1:8080); ADDR is an\n"
    "                       IPv4 address, [IPv6] or a host name; PORT 0 picks a\n"
    "                       free port; a bare PORT listens on 127.0.0.1\n"
    "  --secret S           require Standard Webhooks signatures with this secret\n"
    "                       (whsec_ + base64 of the key); without it every request\n"
    "                       is accepted unsigned\n"
    "  --strict             reject unknown payload keys (default: ignore them)\n"
    "  --out FILE           append JSON Lines to FILE ('-': standard output)\n"
    "  --max-body BYTES     largest body accepted (default 1048576)\n"
    "  --tolerance SECONDS  largest distance of webhook-timestamp from the clock\n"
    "                       (default 300)\n"
    "  --threads N          answering threads (default 4)\n"
    "  -q, --quiet          no event lines on standard output and no rejection\n"
    "                       lines (the listening and summary lines stay)\n"
    "  -h, --help           show this help\n"
    "\n"
    "Exit status: 0 stopped by a signal, 2 usage error, address in use, or an\n"
    "event line that could not be written.\n"
    "\n"
    "Example:\n"
    "  ugw serve --listen 127.0.0.1:9000 --secret whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\n";

/*
 * Splits "ADDR:PORT", "[IPV6]:PORT" or "PORT" into a malloc'd host and a
 * port; false when it is none of them.
 */
static bool parse_listen(const char *s, char **host, uint16_t *port)
{
    const char *colon, *h = SERVER_DEFAULT_ADDR, *p;
    size_t hlen;
    int64_t v;

    if (s[0] == '[') {
        const char *close = strchr(s, ']');
        if (!close || close[1] != ':')
            return false;
        h = s + 1;
        hlen = (size_t)(close - h);
        p = close + 2;
    } else if ((colon = strrchr(s, ':')) != NULL) {
        if (strchr(s, ':') != colon) /* an IPv6 address needs brackets */
            return false;
        h = s;
        hlen = (size_t)(colon - s);
        p = colon + 1;
    } else {
        hlen = strlen(h);
        p = s;
    }
    if (hlen == 0 || !cli_parse_i64(p, 0, 65535, &v) || p[0] == '-')
        return false;
    *host = malloc(hlen + 1);
    if (!*host)
        return false;
    memcpy(*host, h, hlen);
    (*host)[hlen] = '\0';
    *port = (uint16_t)v;
    return true;
}

int cmd_serve(const ugw_cmd *cmd, int argc, char **argv)
{
    static const cli_option opts[] = {
        { "listen", OPT_LISTEN, true },
        { "secret", OPT_SECRET, true },
        { "strict", OPT_STRICT, false },
        { "out", OPT_OUT, true },
        { "max-body", OPT_MAX_BODY, true },
        { "tolerance", OPT_TOLERANCE, true },
        { "threads", OPT_THREADS, true },
        { "quiet", 'q', false },
        { "help", 'h', false },
        { NULL, 0, false },
    };
    cli_parser p;
    const char *listen = SERVER_DEFAULT_ADDR ":8080", *secret_text = NULL, *out_path = NULL;
    bool quiet = false;
    int64_t v;
    int k, sig = 0, rc = EXIT_VALID;
    server_opts so;
    server_stats st;
    ugw_secret secret;
    ugw_server *srv;
    char *host = NULL, errbuf[256];
    FILE *out = NULL;
    sigset_t set;

    memset(&so, 0, sizeof so);
    so.schema = cli_schema();
    so.name = cli_name();
    cli_init(&p, cmd, argc, argv, opts);
    while ((k = cli_next(&p)) != CLI_END) {
        switch (k) {
        case CLI_OPERAND:
            return usage_error(cmd, "unexpected operand '%s'", p.arg);
        case OPT_LISTEN: listen = p.arg; break;
        case OPT_SECRET: secret_text = p.arg; break;
        case OPT_STRICT: so.strict = true; break;
        case OPT_OUT: out_path = p.arg; break;
        case OPT_MAX_BODY:
            if (!cli_parse_i64(p.arg, 1, (int64_t)1 << 28, &v))
                return usage_error(cmd, "--max-body must be a number of bytes from 1 to 268435456, not '%s'", p.arg);
            so.max_body = (size_t)v;
            break;
        case OPT_TOLERANCE:
            if (!cli_parse_i64(p.arg, 1, INT64_MAX, &v))
                return usage_error(cmd, "--tolerance must be a number of seconds, 1 or more, not '%s'", p.arg);
            so.tolerance_s = v;
            break;
        case OPT_THREADS:
            if (!cli_parse_i64(p.arg, 1, 256, &v))
                return usage_error(cmd, "--threads must be a number from 1 to 256, not '%s'", p.arg);
            so.threads = (unsigned)v;
            break;
        case 'q': quiet = true; break;
        case 'h':
            print_cmd_help(cmd, stdout);
            return flush_stdout() ? EXIT_VALID : EXIT_USAGE;
        default:
            return EXIT_USAGE;
        }
    }
    if (!parse_listen(listen, &host, &so.port))
        return usage_error(cmd, "--listen must be ADDR:PORT, [IPV6]:PORT or PORT (0 to 65535), not '%s'", listen);
    if (secret_text) {
        ugw_error err;
        if (ugw_secret_parse(secret_text, strlen(secret_text), &secret, &err) != UGW_OK) {
            fprintf(stderr, "%s serve: invalid --secret: %s (at character %zu)\n", cli_name(), err.message,
                    err.pos);
            free(host);
            return EXIT_USAGE;
        }
        so.secret = &secret;
    }
    if (out_path) {
        if (strcmp(out_path, "-") == 0) {
            out = stdout;
        } else if (!(out = fopen(out_path, "a"))) {
            fprintf(stderr, "%s: %s: %s\n", cli_name(), out_path, strerror(errno));
            free(host);
            if (so.secret)
                OPENSSL_cleanse(&secret, sizeof secret);
            return EXIT_USAGE;
        }
        so.events = out;
        so.output = SERVER_OUTPUT_JSONL;
    } else {
        so.events = quiet ? NULL : stdout;
        so.output = SERVER_OUTPUT_TEXT;
    }
    so.log = quiet ? NULL : stderr;
    so.addr = host;

    /* Only this thread takes the signals: block them before threads start. */
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN); /* a closed stdout or client is an error value */

    srv = server_start(&so, errbuf, sizeof errbuf);
    if (so.secret)
        OPENSSL_cleanse(&secret, sizeof secret); /* the server has its copy */
    if (!srv) {
        fprintf(stderr, "%s serve: %s\n", cli_name(), errbuf);
        rc = EXIT_USAGE;
    } else {
        fprintf(stderr, "%s serve: listening on %s (%s; stop with Ctrl-C or SIGTERM)\n", cli_name(),
                server_url(srv), so.secret ? "signed requests only" : "signatures not checked");
        fflush(stderr);
        while (sigwait(&set, &sig) != 0 || (sig != SIGINT && sig != SIGTERM))
            ;
        server_stop(srv, &st);
        server_stats_format(&st, errbuf, sizeof errbuf);
        fprintf(stderr, "%s serve: %s\n", cli_name(), errbuf);
        if (st.write_errors) {
            fprintf(stderr, "%s serve: %llu event lines could not be written to %s\n", cli_name(),
                    (unsigned long long)st.write_errors, out_path ? out_path : "standard output");
            rc = EXIT_USAGE;
        }
    }
    /* The signals stay blocked: one more arriving while we finish must not
     * kill the process with a non-zero status. */
    if (out && out != stdout && fclose(out) != 0) {
        fprintf(stderr, "%s: %s: %s\n", cli_name(), out_path, strerror(errno));
        rc = EXIT_USAGE;
    }
    if (!flush_stdout())
        rc = EXIT_USAGE;
    free(host);
    return rc;
}
