/*
 * ugw.c - the `ugw` command line.
 *
 *   ugw validate [--strict] [-v|-q] FILE...   check documents, one line per problem
 *   ugw convert --to json|msgpack [--strict] FILE
 *   ugw help [COMMAND], ugw --help, ugw --version
 *
 * Each subcommand is one row of `commands[]` (name, summary, usage, help,
 * handler), so later commands are added as one function and one row. Options
 * are parsed by the small cli_next() below: long options (`--to json`,
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

#include "ugw_events.h"
#include "ugw_runtime.h"

enum { EXIT_VALID = 0, EXIT_INVALID = 1, EXIT_USAGE = 2 };

/* ------------------------------------------------------------------ */
/* The subcommand table                                                */
/* ------------------------------------------------------------------ */

typedef struct ugw_cmd ugw_cmd;
struct ugw_cmd {
    const char *name;
    const char *summary; /* one line for `ugw --help` */
    const char *usage;   /* the synopsis, after "Usage: " */
    const char *help;    /* the rest of `ugw help NAME` */
    /* argv[0] is the command's name; returns the exit code. */
    int (*run)(const ugw_cmd *cmd, int argc, char **argv);
};

static int cmd_validate(const ugw_cmd *cmd, int argc, char **argv);
static int cmd_convert(const ugw_cmd *cmd, int argc, char **argv);
static int cmd_help(const ugw_cmd *cmd, int argc, char **argv);

static const ugw_cmd commands[] = {
    { "validate", "check event documents (JSON or MessagePack) against the schema",
      "ugw validate [--strict] [-v|-q] FILE...",
      "Decodes each FILE (JSON or MessagePack, detected from its bytes; '-' reads\n"
      "standard input) and checks it against the schema. For each invalid file\n"
      "prints one line to standard output:\n"
      "\n"
      "  FILE: FIELD.PATH: MESSAGE (CODE at byte POS)\n"
      "\n"
      "where FIELD.PATH is '-' when the problem is the document itself. A summary\n"
      "line 'N valid, M invalid' goes to standard error.\n"
      "\n"
      "Options:\n"
      "  --strict       reject unknown keys (default: ignore them)\n"
      "  -v, --verbose  also print 'FILE: ok (EVENT, FORMAT)' for valid files\n"
      "  -q, --quiet    print nothing; only the exit code tells\n"
      "  -h, --help     show this help\n"
      "\n"
      "Exit status: 0 all files valid, 1 any file invalid, 2 usage or I/O error\n"
      "(for example a file that cannot be read; the other files are still checked).\n"
      "\n"
      "Example, every shipped valid fixture:\n"
      "  ugw validate generated/fixtures/valid/*\n",
      cmd_validate },
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
    fputs("Usage: ugw [--help] [--version] COMMAND [ARGS...]\n"
          "\n"
          "Tools for UserGuiding-style webhook events, in JSON and MessagePack.\n"
          "\n"
          "Commands:\n", out);
    for (size_t i = 0; i < NCOMMANDS; i++)
        fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fputs("\n"
          "Options:\n"
          "  -h, --help     show this help\n"
          "  -V, --version  show the version of ugw, of the schema and of the generator\n"
          "\n"
          "Run 'ugw help COMMAND' or 'ugw COMMAND --help' for a command's options.\n", out);
}

static void print_cmd_help(const ugw_cmd *cmd, FILE *out)
{
    fprintf(out, "Usage: %s\n\n%s", cmd->usage, cmd->help);
}

static void print_version(FILE *out)
{
    fprintf(out, "ugw %s (schema %lu, codegen %s)\n", UGW_VERSION_STRING,
            (unsigned long)UGW_SCHEMA_VERSION, UGW_CODEGEN_VERSION);
}

/* Writes "ugw[ CMD]: MESSAGE" and the short usage to stderr; returns 2. */
static int usage_error(const ugw_cmd *cmd, const char *fmt, const char *what)
{
    fprintf(stderr, "ugw%s%s: ", cmd ? " " : "", cmd ? cmd->name : "");
    fprintf(stderr, fmt, what);
    fputc('\n', stderr);
    if (cmd)
        fprintf(stderr, "Usage: %s\nTry 'ugw help %s' for more information.\n", cmd->usage, cmd->name);
    else
        fputs("Usage: ugw [--help] [--version] COMMAND [ARGS...]\n"
              "Try 'ugw --help' for more information.\n", stderr);
    return EXIT_USAGE;
}

/* ------------------------------------------------------------------ */
/* Option parsing                                                      */
/* ------------------------------------------------------------------ */

typedef struct cli_option {
    const char *name; /* long name without "--", NULL for short-only */
    int key;          /* short letter, or a value above 255 for long-only */
    bool has_arg;
} cli_option;

enum { CLI_END = -1, CLI_OPERAND = -2, CLI_ERROR = -3 };

typedef struct cli_parser {
    const ugw_cmd *cmd;
    int argc;
    char **argv;
    int i;                  /* next argv index */
    const char *shorts;     /* rest of a short-option cluster, or NULL */
    bool operands_only;     /* after "--" */
    const cli_option *opts; /* ends with a zero row */
    const char *arg;        /* the operand, or the option's value */
} cli_parser;

static void cli_init(cli_parser *p, const ugw_cmd *cmd, int argc, char **argv,
                     const cli_option *opts)
{
    memset(p, 0, sizeof *p);
    p->cmd = cmd;
    p->argc = argc;
    p->argv = argv;
    p->i = 1;
    p->opts = opts;
}

/*
 * The next option's key (p->arg holding its value, if it takes one),
 * CLI_OPERAND (p->arg is the operand), CLI_END, or CLI_ERROR after a
 * message on stderr.
 */
static int cli_next(cli_parser *p)
{
    const cli_option *o;
    char sname[3] = { '-', 0, 0 };

    p->arg = NULL;
    if (p->shorts && *p->shorts) {
        int c = (unsigned char)*p->shorts++;
        for (o = p->opts; o->key; o++)
            if (o->key == c)
                break;
        sname[1] = (char)c;
        if (!o->key) {
            p->shorts = NULL;
            usage_error(p->cmd, "unknown option '%s'", sname);
            return CLI_ERROR;
        }
        if (o->has_arg) {
            if (*p->shorts) {
                p->arg = p->shorts;
            } else if (p->i < p->argc) {
                p->arg = p->argv[p->i++];
            } else {
                p->shorts = NULL;
                usage_error(p->cmd, "option '%s' needs a value", sname);
                return CLI_ERROR;
            }
            p->shorts = NULL;
        }
        return o->key;
    }
    p->shorts = NULL;
    for (;;) {
        const char *a;
        if (p->i >= p->argc)
            return CLI_END;
        a = p->argv[p->i++];
        if (p->operands_only || a[0] != '-' || a[1] == '\0') {
            p->arg = a;
            return CLI_OPERAND;
        }
        if (strcmp(a, "--") == 0) {
            p->operands_only = true;
            continue;
        }
        if (a[1] == '-') {
            const char *name = a + 2;
            const char *eq = strchr(name, '=');
            size_t n = eq ? (size_t)(eq - name) : strlen(name);
            for (o = p->opts; o->key; o++)
                if (o->name && strlen(o->name) == n && memcmp(o->name, name, n) == 0)
                    break;
            if (!o->key) {
                usage_error(p->cmd, "unknown option '%s'", a);
                return CLI_ERROR;
            }
            if (!o->has_arg) {
                if (eq) {
                    usage_error(p->cmd, "option '--%s' takes no value", o->name);
                    return CLI_ERROR;
                }
            } else if (eq) {
                p->arg = eq + 1;
            } else if (p->i < p->argc) {
                p->arg = p->argv[p->i++];
            } else {
                usage_error(p->cmd, "option '%s' needs a value", a);
                return CLI_ERROR;
            }
            return o->key;
        }
        p->shorts = a + 1;
        return cli_next(p);
    }
}

/* ------------------------------------------------------------------ */
/* Input                                                                */
/* ------------------------------------------------------------------ */

/* A growable byte buffer, reused for every file of a run. */
typedef struct byte_buf {
    char *data;
    size_t len, cap;
} byte_buf;

/*
 * Reads `path` ("-": stdin) into `b`, at most `limit` bytes. Returns 0, or
 * an errno value after which the caller reports the file.
 */
static int read_input(const char *path, size_t limit, byte_buf *b)
{
    FILE *fp;
    int e = 0;
    bool is_stdin = strcmp(path, "-") == 0;

    b->len = 0;
    if (is_stdin) {
        fp = stdin;
    } else {
        errno = 0;
        fp = fopen(path, "rb");
        if (!fp)
            return errno ? errno : EIO;
    }
    while (b->len < limit) {
        size_t want, n;
        if (b->len == b->cap) {
            size_t ncap = b->cap ? b->cap * 2 : (size_t)64 << 10;
            char *nd;
            if (ncap > limit)
                ncap = limit;
            nd = realloc(b->data, ncap);
            if (!nd) {
                e = ENOMEM;
                break;
            }
            b->data = nd;
            b->cap = ncap;
        }
        want = b->cap - b->len;
        errno = 0;
        n = fread(b->data + b->len, 1, want, fp);
        b->len += n;
        if (n < want) {
            if (ferror(fp))
                e = errno ? errno : EIO;
            break;
        }
    }
    if (is_stdin)
        clearerr(stdin);
    else if (fclose(fp) != 0 && !e)
        e = errno ? errno : EIO;
    return e;
}

/* A decoder with the given strictness; NULL (after a message) when memory runs out. */
static ugw_decoder *make_decoder(bool strict)
{
    ugw_decode_opts opts;
    ugw_decoder *dec;
    memset(&opts, 0, sizeof opts);
    opts.strict = strict;
    dec = ugw_decoder_new(&opts);
    if (!dec)
        fputs("ugw: cannot make a decoder: out of memory\n", stderr);
    return dec;
}

/* Decodes `b` in the format its bytes show. */
static ugw_status decode_input(ugw_decoder *dec, const byte_buf *b, ugw_format *fmt,
                               ugw_event *ev, ugw_error *err)
{
    static const char empty[1] = { 0 };
    const char *in = b->data ? b->data : empty;
    *fmt = ugw_detect_format(in, b->len);
    return ugw_decode(dec, *fmt, in, b->len, ev, err);
}

/* "FILE: PATH: MESSAGE (CODE at byte POS)" */
static void print_problem(FILE *out, const char *file, const ugw_error *err)
{
    fprintf(out, "%s: %s: %s (%s at byte %zu)\n", file, err->path[0] ? err->path : "-",
            err->message ? err->message : "error", ugw_status_name(err->code), err->pos);
}

/* Flushes stdout; on a write error says so and returns false. */
static bool flush_stdout(void)
{
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "ugw: error writing to standard output: %s\n", strerror(errno));
        return false;
    }
    return true;
}

/* ------------------------------------------------------------------ */
/* ugw validate                                                         */
/* ------------------------------------------------------------------ */

enum { OPT_STRICT = 256 };

static int cmd_validate(const ugw_cmd *cmd, int argc, char **argv)
{
    static const cli_option opts[] = {
        { "strict", OPT_STRICT, false },
        { "verbose", 'v', false },
        { "quiet", 'q', false },
        { "help", 'h', false },
        { NULL, 0, false },
    };
    cli_parser p;
    const char **files;
    size_t nfiles = 0, nvalid = 0, ninvalid = 0;
    bool strict = false, io_error = false;
    int verbosity = 1; /* 0 quiet, 1 problems, 2 also valid files */
    int k, rc;
    ugw_decoder *dec;
    byte_buf buf = { NULL, 0, 0 };
    size_t limit;

    files = malloc(sizeof *files * (size_t)argc);
    if (!files) {
        fputs("ugw: out of memory\n", stderr);
        return EXIT_USAGE;
    }
    cli_init(&p, cmd, argc, argv, opts);
    while ((k = cli_next(&p)) != CLI_END) {
        switch (k) {
        case CLI_OPERAND: files[nfiles++] = p.arg; break;
        case OPT_STRICT: strict = true; break;
        case 'v': verbosity = 2; break;
        case 'q': verbosity = 0; break;
        case 'h':
            free(files);
            print_cmd_help(cmd, stdout);
            return flush_stdout() ? EXIT_VALID : EXIT_USAGE;
        default:
            free(files);
            return EXIT_USAGE;
        }
    }
    if (nfiles == 0) {
        free(files);
        return usage_error(cmd, "%s", "no FILE given (use '-' for standard input)");
    }
    dec = make_decoder(strict);
    if (!dec) {
        free(files);
        return EXIT_USAGE;
    }
    /* One byte over the limit is enough for the decoder to say `limit`. */
    limit = ugw_decoder_opts(dec)->max_input + 1;

    for (size_t i = 0; i < nfiles; i++) {
        ugw_event ev;
        ugw_error err;
        ugw_format fmt;
        int e = read_input(files[i], limit, &buf);
        if (e) {
            fprintf(stderr, "ugw: %s: %s\n", files[i], strerror(e));
            io_error = true;
            continue;
        }
        if (decode_input(dec, &buf, &fmt, &ev, &err) == UGW_OK) {
            nvalid++;
            if (verbosity >= 2)
                printf("%s: ok (%s, %s)\n", files[i], ugw_event_wire_name(ev.type), ugw_format_name(fmt));
        } else {
            ninvalid++;
            if (verbosity >= 1)
                print_problem(stdout, files[i], &err);
        }
    }
    ugw_decoder_free(dec);
    free(buf.data);
    free(files);

    if (!flush_stdout())
        io_error = true;
    if (verbosity >= 1)
        fprintf(stderr, "%zu valid, %zu invalid\n", nvalid, ninvalid);
    rc = io_error ? EXIT_USAGE : ninvalid ? EXIT_INVALID : EXIT_VALID;
    return rc;
}

/* ------------------------------------------------------------------ */
/* ugw convert                                                          */
/* ------------------------------------------------------------------ */

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
    ugw_event ev;
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
    e = read_input(file, ugw_decoder_opts(dec)->max_input + 1, &buf);
    if (e) {
        fprintf(stderr, "ugw: %s: %s\n", file, strerror(e));
        rc = EXIT_USAGE;
    } else if (decode_input(dec, &buf, &in_fmt, &ev, &err) != UGW_OK) {
        print_problem(stderr, file, &err);
        rc = EXIT_INVALID;
    } else if (ugw_encode(&ev, out_fmt, NULL, 0, &need, &err) != UGW_OK) {
        /* A decoded event always encodes; say so if it ever does not. */
        print_problem(stderr, file, &err);
        rc = EXIT_INVALID;
    } else if (!(out = malloc(need ? need : 1))) {
        fputs("ugw: out of memory\n", stderr);
        rc = EXIT_USAGE;
    } else {
        if (ugw_encode(&ev, out_fmt, out, need, &len, &err) != UGW_OK) {
            print_problem(stderr, file, &err);
            rc = EXIT_INVALID;
        } else if (fwrite(out, 1, len, stdout) != len) {
            fprintf(stderr, "ugw: error writing to standard output: %s\n", strerror(errno));
            rc = EXIT_USAGE;
        } else if (!flush_stdout()) {
            rc = EXIT_USAGE;
        }
        free(out);
    }
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
        print_cmd_help(c, stdout);
    }
    return flush_stdout() ? EXIT_VALID : EXIT_USAGE;
}

/* ------------------------------------------------------------------ */

int main(int argc, char **argv)
{
    const ugw_cmd *cmd;
    const char *a;

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
