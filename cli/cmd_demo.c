/*
 * cmd_demo.c - `ugw demo`: the whole path on one machine. Starts the embedded
 * receiver on a free loopback port with a fresh secret, sends the fixture
 * event of each type of the app's schema, with its envelope fields, through
 * the delivery runtime, shows each as it is received and verified, and ends
 * with a summary. A command built without fixtures says so and exits 2.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "serve.h"
#include <ugw/ugw_client.h>

#include <openssl/crypto.h>

const char cmd_demo_usage[] = "ugw demo [--format json|msgpack] [--timeout SECONDS]";
const char cmd_demo_help[] =
    "Starts the embedded receiver (the one of `ugw serve`) on a free port of\n"
    "127.0.0.1 with a freshly generated secret, sends the fixture event of each\n"
    "event type through the delivery runtime (encoded, signed, POSTed over HTTP,\n"
    "retried if need be), shows each as the receiver gets, verifies and validates\n"
    "it, and prints a summary. No external service is needed.\n"
    "\n"
    "A schema with envelope fields (an [envelope] with fields) sends each event\n"
    "with them, the example values of the generated fixture_envelope(), and the\n"
    "receiver checks them as it checks the payload. A command whose main() gives\n"
    "no fixture_envelope sends none: it exits 2, naming the field, when the\n"
    "schema requires one.\n"
    "\n"
    "Options:\n"
    "  --format F       body format: json (default) or msgpack\n"
    "  --timeout S      give up after S seconds (default 30)\n"
    "  -h, --help       show this help\n"
    "\n"
    "Exit status: 0 when all were delivered, received and verified, 1 otherwise,\n"
    "2 on a usage error or when the command was built without fixtures.\n";

typedef struct demo_state {
    pthread_mutex_t mu;
    unsigned shown, verified, failed_outcomes;
} demo_state;

/* The receiver's view: one line per request, as it is answered. */
static void on_request(void *ctx, const server_event *ev)
{
    demo_state *d = ctx;
    pthread_mutex_lock(&d->mu);
    d->shown++;
    if (ev->status == 204 && ev->desc) {
        ugw_str user = { "", 0 };
        if (ev->verified)
            d->verified++;
        server_user_id(ev->desc, ev->payload, &user); /* stays empty when there is none */
        printf("  received %-56s %-8s %s %.*s\n", ev->desc->wire, ugw_format_name(ev->format),
               ev->verified ? "verified" : "unsigned", (int)user.len, user.ptr);
    } else {
        printf("  answered %u to %s: %s%s%s\n", ev->status, ev->id ? ev->id : "-",
               ev->error && ev->error->path[0] ? ev->error->path : "",
               ev->error && ev->error->path[0] ? ": " : "",
               ev->error ? ev->error->message : "");
    }
    fflush(stdout);
    pthread_mutex_unlock(&d->mu);
}

/* The sender's view: every event's outcome. */
static void on_outcome(const ugw_outcome *o, void *ctx)
{
    demo_state *d = ctx;
    if (o->result == UGW_RESULT_DELIVERED)
        return;
    pthread_mutex_lock(&d->mu);
    d->failed_outcomes++;
    fprintf(stderr, "%s demo: %s %s: %s, HTTP %ld after %u attempts %s\n", cli_name(), o->id, o->event,
            ugw_result_name(o->result), o->http_status, o->attempts, o->error);
    pthread_mutex_unlock(&d->mu);
}

int cmd_demo(const ugw_cmd *cmd, int argc, char **argv)
{
    enum { OPT_FORMAT = 256, OPT_TIMEOUT };
    static const cli_option opts[] = {
        { "format", OPT_FORMAT, true },
        { "timeout", OPT_TIMEOUT, true },
        { "help", 'h', false },
        { NULL, 0, false },
    };
    cli_parser p;
    int key, rc = EXIT_INVALID;
    ugw_format format = UGW_FORMAT_JSON;
    int64_t timeout_s = 30;
    ugw_secret secret;
    char secret_text[UGW_SECRET_GENERATED_TEXT_MAX], errbuf[256];
    server_opts so;
    ugw_server *srv;
    ugw_client_config cc;
    ugw_client *client;
    ugw_client_stats cst;
    server_stats sst;
    ugw_error err;
    demo_state d;
    unsigned sent = 0;
    const unsigned nevents = cli_schema()->nevents;

    cli_init(&p, cmd, argc, argv, opts);
    while ((key = cli_next(&p)) != CLI_END) {
        switch (key) {
        case OPT_FORMAT:
            if (!cli_parse_format(p.arg, &format))
                return usage_error(cmd, "--format must be json or msgpack, not '%s'", p.arg);
            break;
        case OPT_TIMEOUT:
            if (!cli_parse_i64(p.arg, 1, 3600, &timeout_s))
                return usage_error(cmd, "--timeout must be 1 to 3600 seconds, not '%s'", p.arg);
            break;
        case 'h':
            print_cmd_help(cmd, stdout);
            return flush_stdout() ? EXIT_VALID : EXIT_USAGE;
        case CLI_OPERAND:
            return usage_error(cmd, "unexpected argument '%s'", p.arg);
        default:
            return EXIT_USAGE;
        }
    }
    if (!cli_has_fixtures(cmd))
        return EXIT_USAGE;

    if (ugw_secret_generate(&secret, secret_text, sizeof secret_text)) {
        fprintf(stderr, "%s demo: no randomness for a secret\n", cli_name());
        return EXIT_USAGE;
    }
    memset(&d, 0, sizeof d);
    pthread_mutex_init(&d.mu, NULL);

    memset(&so, 0, sizeof so);
    so.schema = cli_schema();
    so.name = cli_name();
    so.addr = "127.0.0.1";
    so.port = 0;
    so.secret = &secret;
    so.strict = true;
    so.log = stderr;
    so.on_event = on_request;
    so.on_event_ctx = &d;
    srv = server_start(&so, errbuf, sizeof errbuf);
    if (!srv) {
        fprintf(stderr, "%s demo: cannot start the receiver: %s\n", cli_name(), errbuf);
        pthread_mutex_destroy(&d.mu);
        return EXIT_USAGE;
    }
    printf("%s demo: receiver on %s (signature and timestamp checked, strict payloads)\n", cli_name(),
           server_url(srv));
    printf("%s demo: sending %u fixture events as %s, signed with a fresh secret\n", cli_name(), nevents,
           ugw_format_name(format));
    fflush(stdout);

    memset(&cc, 0, sizeof cc);
    cc.url = server_url(srv);
    cc.secret = secret_text;
    cc.format = format;
    cc.backoff_base_ms = 100;
    cc.max_age_ms = (long)timeout_s * 1000;
    cc.on_outcome = on_outcome;
    cc.on_outcome_ctx = &d;
    client = ugw_client_new(&cc, &err);
    if (!client) {
        fprintf(stderr, "%s demo: cannot start the client: %s\n", cli_name(), err.message);
        server_stop(srv, NULL);
        pthread_mutex_destroy(&d.mu);
        return EXIT_USAGE;
    }
    for (int t = 1; t <= (int)nevents; t++) {
        const void *payload = cli_app()->fixture(t);
        const char *id = ugw_schema_event(cli_schema(), t)->id;
        if (!payload)
            fprintf(stderr, "%s demo: %s not sent: no fixture\n", cli_name(), id);
        else if (ugw_client_enqueue_event_env(client, cli_schema(), t, cli_fixture_envelope(t), payload, -1,
                                              NULL, NULL, &err))
            fprintf(stderr, "%s demo: %s not sent: %s\n", cli_name(), id, err.message);
        else
            sent++;
    }
    if (ugw_client_flush(client, (long)timeout_s * 1000))
        fprintf(stderr, "%s demo: not all events finished within %lld s\n", cli_name(), (long long)timeout_s);
    ugw_client_stats_get(client, &cst);
    ugw_client_close(client, 0);
    /* every delivered event was answered: the receiver has counted it */
    server_wait(srv, cst.delivered, 5000);
    server_stop(srv, &sst);

    printf("%s demo: %u sent, %llu delivered, %llu received and verified, %llu invalid, "
           "%llu unauthorized, %llu duplicates, %llu retried\n",
           cli_name(), sent, (unsigned long long)cst.delivered, (unsigned long long)sst.valid,
           (unsigned long long)sst.invalid, (unsigned long long)sst.unauthorized,
           (unsigned long long)sst.duplicates, (unsigned long long)cst.retried);
    if (sent == nevents && cst.delivered == nevents && sst.valid == nevents && d.verified == nevents
        && d.failed_outcomes == 0) {
        printf("%s demo: all %u events encoded, signed, posted, received, verified and validated\n",
               cli_name(), nevents);
        rc = EXIT_VALID;
    }
    pthread_mutex_destroy(&d.mu);
    OPENSSL_cleanse(&secret, sizeof secret);
    return flush_stdout() ? rc : EXIT_USAGE;
}
