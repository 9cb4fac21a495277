/*
 * ugw.c - the `ugw` command line as a library: ugw_cli_main() runs it for
 * the schema of the ugw_cli_app it is given (include/ugw/ugw_cli.h).
 *
 *   ugw validate (cmd_validate.c)             check documents, one line per problem
 *   ugw convert --to json|msgpack [--strict] FILE
 *   ugw sign, ugw verify (cmd_sign.c), ugw serve (cmd_serve.c, serve.c),
 *   ugw fixtures (cmd_fixtures.c), ugw secret new (cmd_secret.c)
 *   ugw spool stats|list|retry|purge (cmd_spool.c)
 *   ugw help [COMMAND], ugw --help, ugw --version
 *
 * The app is kept in one place (cli_app(), set on entry to ugw_cli_main())
 * that every subcommand reads: the program's name for messages and help,
 * the schema's descriptors, the fixtures. No generated header is included.
 *
 * Each subcommand is one row of `commands[]` (name, summary, usage, help,
 * handler), so later commands are added as one function and one row; the
 * handlers of the other commands live in cli/cmd_*.c, declared in cli/cli.h.
 * The commands that sign, send or receive (sign, verify, secret, send, serve,
 * demo, spool, relay) need OpenSSL, libcurl, libmicrohttpd, SQLite or
 * libnats: they are built into the commands module (cli/cli_module.h), which
 * is loaded only when one of them runs, so that validate, convert, fixtures,
 * schema and help start with the codec alone. Their rows here have no usage
 * or help (the module prints those) and run cli_run_module().
 * Options are parsed by cli_next() in cli/cli_util.c: long options (`--to json`,
 * `--to=json`), short clusters (`-qv`, `-tjson`), options anywhere among the
 * operands, `--` to end options, and `-` as an operand (stdin).
 *
 * Exit codes: 0 success, 1 an input was invalid, 2 a usage or I/O error.
 * Documents are read whole into memory, at most the decoder's max_input plus
 * one byte: a longer input is handed to the decoder as that much, and the
 * decoder rejects it with its own `limit` error.
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ugw/ugw_cli.h>
#include <ugw/ugw_runtime.h>

#include "cli.h"

/* ------------------------------------------------------------------ */
/* The subcommand table                                                */
/* ------------------------------------------------------------------ */

static int cmd_convert(const ugw_cmd *cmd, int argc, char **argv);
static int cmd_help(const ugw_cmd *cmd, int argc, char **argv);

static const ugw_cmd commands[] = {
    { "validate", "check event documents (JSON or MessagePack) against the schema",
      cmd_validate_usage, cmd_validate_help, cmd_validate },
    { "convert", "re-encode one event as JSON or MessagePack",
      "ugw convert --to json|msgpack [--strict] FILE",
      "Decodes FILE (JSON or MessagePack, detected from its bytes; '-' reads\n"
      "standard input) and writes the event re-encoded in the chosen format to\n"
      "standard output: compact JSON with no trailing newline, or MessagePack.\n"
      "An invalid input gets the same one-line message as 'ugw validate', on\n"
      "standard error.\n"
      "\n"
      "Options:\n"
      "  -t, --to FORMAT  json or msgpack (required)\n"
      "  --strict         reject unknown keys (default: ignore them)\n"
      "  -h, --help       show this help\n"
      "\n"
      "Exit status: 0 converted, 1 invalid input, 2 usage, I/O or write error.\n",
      cmd_convert },
    { "demo", "send one fixture event of each type to an embedded receiver, signed, and show them arrive",
      NULL, NULL, cli_run_module },
    { "send", "send events to a webhook URL, signed and retried",
      NULL, NULL, cli_run_module },
    { "spool", "look into a delivery spool and act on it: stats, list, retry, purge",
      NULL, NULL, cli_run_module },
    { "sign", "print the webhook-signature of a body",
      NULL, NULL, cli_run_module },
    { "verify", "check a webhook-signature and timestamp against a body",
      NULL, NULL, cli_run_module },
    { "serve", "run a webhook receiver that verifies and validates events",
      NULL, NULL, cli_run_module },
    { "relay", "deliver at scale from NATS JetStream: init, run, publish",
      NULL, NULL, cli_run_module },
    { "secret", "print a new webhook secret (ugw secret new)",
      NULL, NULL, cli_run_module },
    { "fixtures", "write the shipped valid example events to files",
      cmd_fixtures_usage, cmd_fixtures_help, cmd_fixtures },
    { "schema", "export the schema as JSON Schema or OpenAPI; diff two schema versions",
      cmd_schema_usage, cmd_schema_help, cmd_schema },
    { "help", "show the help of ugw or of a command",
      "ugw help [COMMAND]",
      "Prints the help of COMMAND, or the list of commands.\n",
      cmd_help },
};

#define NCOMMANDS (sizeof commands / sizeof commands[0])

static const ugw_cmd *find_command(const char *name)
{
    for (size_t i = 0; i < NCOMMANDS; i++)
        if (strcmp(commands[i].name, name) == 0)
            return &commands[i];
    return NULL;
}

static void print_main_help(FILE *out)
{
    cli_put_text("Usage: ugw [--help] [--version] COMMAND [ARGS...]\n"
                 "\n"
                 "Tools for UserGuiding-style webhook events, in JSON and MessagePack.\n"
                 "\n"
                 "Commands:\n", out);
    for (size_t i = 0; i < NCOMMANDS; i++) {
        fprintf(out, "  %-10s ", commands[i].name);
        cli_put_text(commands[i].summary, out);
        fputc('\n', out);
    }
    cli_put_text("\n"
                 "Options:\n"
                 "  -h, --help     show this help\n"
                 "  -V, --version  show the version of ugw, of the schema and of the generator\n"
                 "\n"
                 "Run 'ugw help COMMAND' or 'ugw COMMAND --help' for a command's options.\n", out);
}

/* "NAME LIBRARY-VERSION (schema N, codegen V)" */
static void print_version(FILE *out)
{
    const ugw_schema *s = cli_schema();
    fprintf(out, "%s %s (schema %lu, codegen %s)\n", cli_name(), ugw_version_string(),
            (unsigned long)s->version, s->codegen_version ? s->codegen_version : "unknown");
}

/* ------------------------------------------------------------------ */
/* ugw convert                                                          */
/* ------------------------------------------------------------------ */

enum { OPT_STRICT = 256 };

static int cmd_convert(const ugw_cmd *cmd, int argc, char **argv)
{
    static const cli_option opts[] = {
        { "to", 't', true },
        { "strict", OPT_STRICT, false },
        { "help", 'h', false },
        { NULL, 0, false },
    };
    cli_parser p;
    const char *file = NULL, *to = NULL;
    bool strict = false;
    int k, e, rc = EXIT_VALID;
    ugw_format out_fmt, in_fmt;
    ugw_decoder *dec;
    byte_buf buf = { NULL, 0, 0 };
    cli_event ev;
    ugw_error err;
    size_t need = 0, len = 0;
    char *out;

    cli_init(&p, cmd, argc, argv, opts);
    while ((k = cli_next(&p)) != CLI_END) {
        switch (k) {
        case CLI_OPERAND:
            if (file)
                return usage_error(cmd, "only one FILE may be given, not also '%s'", p.arg);
            file = p.arg;
            break;
        case 't': to = p.arg; break;
        case OPT_STRICT: strict = true; break;
        case 'h':
            print_cmd_help(cmd, stdout);
            return flush_stdout() ? EXIT_VALID : EXIT_USAGE;
        default:
            return EXIT_USAGE;
        }
    }
    if (!to)
        return usage_error(cmd, "%s", "--to json|msgpack is required");
    if (strcmp(to, "json") == 0)
        out_fmt = UGW_FORMAT_JSON;
    else if (strcmp(to, "msgpack") == 0)
        out_fmt = UGW_FORMAT_MSGPACK;
    else
        return usage_error(cmd, "--to must be json or msgpack, not '%s'", to);
    if (!file)
        return usage_error(cmd, "%s", "no FILE given (use '-' for standard input)");

    dec = make_decoder(strict);
    if (!dec)
        return EXIT_USAGE;
    if (!cli_event_init(&ev)) {
        ugw_decoder_free(dec);
        return EXIT_USAGE;
    }
    e = read_input(file, ugw_decoder_opts(dec)->max_input + 1, &buf);
    if (e) {
        fprintf(stderr, "%s: %s: %s\n", cli_name(), file, strerror(e));
        rc = EXIT_USAGE;
    } else if (decode_input(dec, &buf, &in_fmt, &ev, &err) != UGW_OK) {
        print_problem(stderr, file, &err);
        rc = EXIT_INVALID;
    } else if (cli_encode(ev.type, ev.env, ev.payload, out_fmt, NULL, 0, &need, &err) != UGW_OK) {
        /* A decoded event always encodes; say so if it ever does not. */
        print_problem(stderr, file, &err);
        rc = EXIT_INVALID;
    } else if (!(out = malloc(need ? need : 1))) {
        fprintf(stderr, "%s: out of memory\n", cli_name());
        rc = EXIT_USAGE;
    } else {
        if (cli_encode(ev.type, ev.env, ev.payload, out_fmt, out, need, &len, &err) != UGW_OK) {
            print_problem(stderr, file, &err);
            rc = EXIT_INVALID;
        } else if (fwrite(out, 1, len, stdout) != len) {
            fprintf(stderr, "%s: error writing to standard output: %s\n", cli_name(), strerror(errno));
            rc = EXIT_USAGE;
        } else if (!flush_stdout()) {
            rc = EXIT_USAGE;
        }
        free(out);
    }
    cli_event_free(&ev);
    ugw_decoder_free(dec);
    free(buf.data);
    return rc;
}

/* ------------------------------------------------------------------ */
/* ugw help                                                             */
/* ------------------------------------------------------------------ */

static int cmd_help(const ugw_cmd *cmd, int argc, char **argv)
{
    static const cli_option opts[] = {
        { "help", 'h', false },
        { NULL, 0, false },
    };
    cli_parser p;
    const char *topic = NULL;
    const ugw_cmd *c;
    int k;

    cli_init(&p, cmd, argc, argv, opts);
    while ((k = cli_next(&p)) != CLI_END) {
        switch (k) {
        case CLI_OPERAND:
            if (topic)
                return usage_error(cmd, "only one COMMAND may be given, not also '%s'", p.arg);
            topic = p.arg;
            break;
        case 'h':
            print_cmd_help(cmd, stdout);
            return flush_stdout() ? EXIT_VALID : EXIT_USAGE;
        default:
            return EXIT_USAGE;
        }
    }
    if (!topic) {
        print_main_help(stdout);
    } else {
        c = find_command(topic);
        if (!c)
            return usage_error(cmd, "unknown command '%s'", topic);
        if (!c->help) { /* a command of the module: its own --help */
            char *args[] = { (char *)c->name, (char *)"--help", NULL };
            return c->run(c, 2, args);
        }
        print_cmd_help(c, stdout);
    }
    return flush_stdout() ? EXIT_VALID : EXIT_USAGE;
}

/* ------------------------------------------------------------------ */

int ugw_cli_main(const ugw_cli_app *app, int argc, char **argv)
{
    const ugw_cmd *cmd;
    const char *a;

    if (!app || !app->name || !app->schema) {
        fprintf(stderr, "%s: ugw_cli_main() needs an app with a name and a schema\n",
                app && app->name ? app->name : "ugw");
        return EXIT_USAGE;
    }
    cli_set_app(app);
    if (argc < 2)
        return usage_error(NULL, "%s", "no command given");
    a = argv[1];
    if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
        print_main_help(stdout);
        return flush_stdout() ? EXIT_VALID : EXIT_USAGE;
    }
    if (strcmp(a, "--version") == 0 || strcmp(a, "-V") == 0) {
        print_version(stdout);
        return flush_stdout() ? EXIT_VALID : EXIT_USAGE;
    }
    if (a[0] == '-')
        return usage_error(NULL, "unknown option '%s'", a);
    cmd = find_command(a);
    if (!cmd)
        return usage_error(NULL, "unknown command '%s'", a);
    return cmd->run(cmd, argc - 1, argv + 1);
}
