/*
 * cli_util.c - helpers shared by the subcommands of `ugw` (declared in
 * cli/cli.h): option parsing, usage messages, reading inputs, decoding them.
 * Moved here unchanged from cli/ugw.c so that cli/cmd_*.c can use them.
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ugw/ugw_events.h>
#include <ugw/ugw_runtime.h>

#include "cli.h"

/* ------------------------------------------------------------------ */
/* Messages                                                             */
/* ------------------------------------------------------------------ */

/* Writes "ugw[ CMD]: MESSAGE" and the short usage to stderr; returns 2. */
int usage_error(const ugw_cmd *cmd, const char *fmt, const char *what)
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

void print_cmd_help(const ugw_cmd *cmd, FILE *out)
{
    fprintf(out, "Usage: %s\n\n%s", cmd->usage, cmd->help);
}

/* ------------------------------------------------------------------ */
/* Option parsing                                                      */
/* ------------------------------------------------------------------ */

void cli_init(cli_parser *p, const ugw_cmd *cmd, int argc, char **argv,
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
int cli_next(cli_parser *p)
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


/*
 * Reads `path` ("-": stdin) into `b`, at most `limit` bytes. Returns 0, or
 * an errno value after which the caller reports the file.
 */
int read_input(const char *path, size_t limit, byte_buf *b)
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
ugw_decoder *make_decoder(bool strict)
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
ugw_status decode_input(ugw_decoder *dec, const byte_buf *b, ugw_format *fmt,
                        ugw_event *ev, ugw_error *err)
{
    static const char empty[1] = { 0 };
    const char *in = b->data ? b->data : empty;
    *fmt = ugw_detect_format(in, b->len);
    return ugw_decode(dec, *fmt, in, b->len, ev, err);
}

/* "FILE: PATH: MESSAGE (CODE at byte POS)" */
void print_problem(FILE *out, const char *file, const ugw_error *err)
{
    fprintf(out, "%s: %s: %s (%s at byte %zu)\n", file, err->path[0] ? err->path : "-",
            err->message ? err->message : "error", ugw_status_name(err->code), err->pos);
}

/* Flushes stdout; on a write error says so and returns false. */
bool flush_stdout(void)
{
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "ugw: error writing to standard output: %s\n", strerror(errno));
        return false;
    }
    return true;
}

/* ------------------------------------------------------------------ */
/* Values                                                               */
/* ------------------------------------------------------------------ */

bool cli_parse_i64(const char *s, int64_t min, int64_t max, int64_t *out)
{
    const char *p = s;
    bool neg = false;
    uint64_t v = 0, lim;

    if (!s)
        return false;
    if (*p == '-') {
        neg = true;
        p++;
    }
    if (*p < '0' || *p > '9')
        return false;
    /* Magnitude limit: INT64_MAX, or INT64_MAX + 1 for negatives. */
    lim = neg ? (uint64_t)INT64_MAX + 1u : (uint64_t)INT64_MAX;
    for (; *p; p++) {
        unsigned d;
        if (*p < '0' || *p > '9')
            return false;
        d = (unsigned)(*p - '0');
        if (v > (lim - d) / 10u)
            return false;
        v = v * 10u + d;
    }
    {
        int64_t r;
        if (neg)
            r = v == (uint64_t)INT64_MAX + 1u ? INT64_MIN : -(int64_t)v;
        else
            r = (int64_t)v;
        if (r < min || r > max)
            return false;
        *out = r;
    }
    return true;
}

bool cli_parse_format(const char *s, ugw_format *out)
{
    if (s && strcmp(s, "json") == 0) {
        *out = UGW_FORMAT_JSON;
        return true;
    }
    if (s && strcmp(s, "msgpack") == 0) {
        *out = UGW_FORMAT_MSGPACK;
        return true;
    }
    return false;
}
