/*
 * cli_util.c - helpers shared by the subcommands of `ugw` (declared in
 * cli/cli.h): the app, option parsing, usage messages, reading inputs,
 * decoding and encoding events of the app's schema. Built into both the
 * command's library and its commands module (cli/cli_module.h), each with
 * its own copy of the app.
 */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ugw/ugw_runtime.h>

#include "cli.h"

/* ------------------------------------------------------------------ */
/* The app                                                              */
/* ------------------------------------------------------------------ */

static const ugw_cli_app *the_app;
static size_t the_payload_max;

void cli_set_app(const ugw_cli_app *app)
{
    the_app = app;
    the_payload_max = ugw_schema_payload_max(app->schema);
}

const ugw_cli_app *cli_app(void)
{
    return the_app;
}

const char *cli_name(void)
{
    return the_app->name;
}

const ugw_schema *cli_schema(void)
{
    return the_app->schema;
}

size_t cli_payload_max(void)
{
    return the_payload_max;
}

/* ------------------------------------------------------------------ */
/* Messages                                                             */
/* ------------------------------------------------------------------ */

/* A character that continues a name or a path: "ugw" next to one is not
 * the program ("ugw_client.h", "ugw-dead-letter", "bin/ugw"). */
static bool name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
        || c == '_' || c == '-' || c == '.' || c == '/';
}

void cli_put_text(const char *text, FILE *out)
{
    const char *name = cli_name(), *start = text, *p = text;

    while ((p = strstr(p, "ugw")) != NULL) {
        if ((p == text || !name_char(p[-1])) && !name_char(p[3])) {
            fwrite(start, 1, (size_t)(p - start), out);
            fputs(name, out);
            start = p + 3;
        }
        p += 3;
    }
    fputs(start, out);
}

/* Writes "NAME[ CMD]: MESSAGE" and the short usage to stderr; returns 2. */
int usage_error(const ugw_cmd *cmd, const char *fmt, const char *what)
{
    const char *name = cli_name();

    fprintf(stderr, "%s%s%s: ", name, cmd ? " " : "", cmd ? cmd->name : "");
    fprintf(stderr, fmt, what);
    fputc('\n', stderr);
    if (cmd) {
        fputs("Usage: ", stderr);
        cli_put_text(cmd->usage, stderr);
        fprintf(stderr, "\nTry '%s help %s' for more information.\n", name, cmd->name);
    } else {
        fprintf(stderr, "Usage: %s [--help] [--version] COMMAND [ARGS...]\n"
                "Try '%s --help' for more information.\n", name, name);
    }
    return EXIT_USAGE;
}

void print_cmd_help(const ugw_cmd *cmd, FILE *out)
{
    fputs("Usage: ", out);
    cli_put_text(cmd->usage, out);
    fputs("\n\n", out);
    cli_put_text(cmd->help, out);
}

bool cli_has_fixtures(const ugw_cmd *cmd)
{
    const ugw_envelope_desc *env = cli_schema()->envelope;

    if (!cli_app()->fixture) {
        fprintf(stderr, "%s %s: this command was built without fixtures: it has no example events\n",
                cli_name(), cmd->name);
        return false;
    }
    if (cli_app()->fixture_envelope || !env || env->nrequired == 0)
        return true;
    for (uint32_t i = 0; i < env->nfields; i++) {
        if (env->fields[i].required) {
            fprintf(stderr, "%s %s: this command was built without the envelope of its example events, and "
                    "the schema requires the envelope field '%s': generate its main() again "
                    "(ugw_cli_app.fixture_envelope)\n", cli_name(), cmd->name, env->fields[i].name);
            return false;
        }
    }
    return true;
}

const void *cli_fixture_envelope(int type)
{
    return cli_app()->fixture_envelope ? cli_app()->fixture_envelope(type) : NULL;
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
        fprintf(stderr, "%s: cannot make a decoder: out of memory\n", cli_name());
    return dec;
}

/* Decodes `b` in the format its bytes show. */
ugw_status decode_input(ugw_decoder *dec, const byte_buf *b, ugw_format *fmt,
                        cli_event *ev, ugw_error *err)
{
    static const char empty[1] = { 0 };
    const char *in = b->data ? b->data : empty;
    *fmt = ugw_detect_format(in, b->len);
    return cli_decode(dec, *fmt, in, b->len, ev, err);
}

/* ------------------------------------------------------------------ */
/* Events of the app's schema                                           */
/* ------------------------------------------------------------------ */

bool cli_event_init(cli_event *ev)
{
    size_t max = cli_payload_max();
    size_t env = ugw_schema_envelope_size(cli_schema());

    ev->type = 0;
    /* malloc's alignment suits any scalar, uint64_t included. */
    ev->payload = malloc(max ? max : 1);
    ev->env = env ? malloc(env) : NULL;
    if (!ev->payload || (env && !ev->env)) {
        fprintf(stderr, "%s: out of memory\n", cli_name());
        cli_event_free(ev);
        return false;
    }
    return true;
}

void cli_event_free(cli_event *ev)
{
    free(ev->payload);
    free(ev->env);
    ev->payload = NULL;
    ev->env = NULL;
    ev->type = 0;
}

ugw_status cli_decode(ugw_decoder *dec, ugw_format fmt, const void *in, size_t len,
                      cli_event *ev, ugw_error *err)
{
    return ugw_schema_decode_env(cli_schema(), dec, fmt, in, len, &ev->type, ev->env,
                                 ev->env ? ugw_schema_envelope_size(cli_schema()) : 0, ev->payload,
                                 cli_payload_max(), err);
}

ugw_status cli_encode(int type, const void *env, const void *payload, ugw_format fmt, void *out,
                      size_t cap, size_t *out_len, ugw_error *err)
{
    return ugw_schema_encode_env(cli_schema(), type, env, payload, fmt, out, cap, out_len, err);
}

const char *cli_wire_name(int type)
{
    const ugw_event_desc *d = ugw_schema_event(cli_schema(), type);
    return d ? d->wire : "";
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
        fprintf(stderr, "%s: error writing to standard output: %s\n", cli_name(), strerror(errno));
        return false;
    }
    return true;
}

/* ------------------------------------------------------------------ */
/* Values                                                               */
/* ------------------------------------------------------------------ */

bool cli_parse_seconds(const char *s, double max_s, int64_t *ms)
{
    char *end;
    double v;
    if (!s || !*s || strchr(" \t\n\r\f\v+-", s[0]))
        return false;
    errno = 0;
    v = strtod(s, &end);
    if (errno || *end || !isfinite(v) || v <= 0 || v > max_s)
        return false;
    *ms = (int64_t)(v * 1000 + 0.5);
    if (*ms < 1)
        *ms = 1;
    return true;
}

bool cli_parse_listen(const char *s, const char *default_host, char **host, uint16_t *port)
{
    const char *colon, *h = default_host, *p;
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
