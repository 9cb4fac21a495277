/*
 * cmd_validate.c - `ugw validate`: check event documents against the schema,
 * for people and for CI pipelines. FILE operands are documents (JSON or
 * MessagePack, detected from their bytes), JSON Lines files (one event a
 * line: with --jsonl, or by the name's .jsonl/.ndjson), or with -r
 * directories, walked in name order. Results are one line each: text
 * ("FILE[:LINE]: PATH: MESSAGE (CODE at byte POS)") or, with --json, one JSON
 * object a line.
 *
 * Input comes through the runtime's line reader (ugw_lines.h): a JSON Lines
 * file of any size is streamed, no line kept beyond the decoder's max_input
 * plus one byte.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include <ugw/ugw_lines.h>

#include "cli.h"

const char cmd_validate_usage[] = "ugw validate [--strict] [-r] [--jsonl] [--json] [-v|-q] FILE...";
const char cmd_validate_help[] =
    "Decodes each FILE (JSON or MessagePack, detected from its bytes; '-' reads\n"
    "standard input) and checks it against the schema. For each invalid file\n"
    "prints one line to standard output:\n"
    "\n"
    "  FILE: FIELD.PATH: MESSAGE (CODE at byte POS)\n"
    "\n"
    "where FIELD.PATH is '-' when the problem is the document itself. A summary\n"
    "line 'N valid, M invalid' goes to standard error.\n"
    "\n"
    "A JSON Lines file (--jsonl, or a name ending in .jsonl or .ndjson) holds one\n"
    "JSON event a line; each non-empty line is checked and reported with its\n"
    "line number, 'FILE:LINE: FIELD.PATH: ...', byte positions within the line.\n"
    "\n"
    "Options:\n"
    "  --strict         reject unknown keys (default: ignore them)\n"
    "  -r, --recursive  a FILE that is a directory: check every file in it and\n"
    "                   below (names starting with '.' skipped), in name order\n"
    "  --jsonl          read every FILE (standard input too) as JSON Lines\n"
    "  --json           machine-readable results: one JSON object a line for\n"
    "                   every document or line checked, valid or not:\n"
    "                   {\"file\":F,\"line\":N,\"valid\":true,\"event\":E,\"format\":\"json\"}\n"
    "                   {\"file\":F,\"line\":N,\"valid\":false,\"code\":C,\"message\":M,\n"
    "                    \"path\":P,\"pos\":B}   (\"line\" only for JSON Lines; a file\n"
    "                   that cannot be read gives \"code\":\"io\")\n"
    "  -v, --verbose    also print 'FILE: ok (EVENT, FORMAT)' for valid files\n"
    "  -q, --quiet      print nothing; only the exit code tells\n"
    "  -h, --help       show this help\n"
    "\n"
    "Exit status: 0 all valid, 1 any document or line invalid, 2 usage or I/O\n"
    "error (for example a file that cannot be read; the others are still\n"
    "checked).\n"
    "\n"
    "Examples:\n"
    "  ugw validate generated/fixtures/valid/*\n"
    "  ugw validate -r --json events/ > results.jsonl\n";

enum { OPT_STRICT = 256, OPT_JSONL, OPT_JSON };

typedef struct vrun {
    ugw_decoder *dec;
    cli_event ev;
    byte_buf buf;
    size_t limit;          /* max_input + 1 */
    bool recursive, jsonl, json;
    int verbosity;         /* 0 quiet, 1 problems, 2 also valid */
    size_t nvalid, ninvalid;
    bool io_error;
} vrun;

/* A JSON string of s[0..n) with its quotes. */
static void put_json_str(const char *s, size_t n)
{
    size_t need = ugw_json_escaped_len(s, n);
    char *b = malloc(need ? need : 1);
    putchar('"');
    if (b) {
        fwrite(b, 1, ugw_json_escape(b, s, n), stdout);
        free(b);
    }
    putchar('"');
}

static void put_where(const char *file, uint64_t line)
{
    fputs("{\"file\":", stdout);
    put_json_str(file, strlen(file));
    if (line)
        printf(",\"line\":%llu", (unsigned long long)line);
}

/* One result: valid (`err` NULL) or not. */
static void report(vrun *v, const char *file, uint64_t line, ugw_format fmt, const ugw_error *err)
{
    if (!err)
        v->nvalid++;
    else
        v->ninvalid++;
    if (v->verbosity == 0 || (!err && v->verbosity < 2 && !v->json))
        return;
    if (v->json) {
        put_where(file, line);
        if (!err) {
            const char *e = cli_wire_name(v->ev.type);
            fputs(",\"valid\":true,\"event\":", stdout);
            put_json_str(e, strlen(e));
            printf(",\"format\":\"%s\"}\n", ugw_format_name(fmt));
        } else {
            const char *m = err->message ? err->message : "error";
            printf(",\"valid\":false,\"code\":\"%s\",\"message\":", ugw_status_name(err->code));
            put_json_str(m, strlen(m));
            fputs(",\"path\":", stdout);
            put_json_str(err->path, strlen(err->path));
            printf(",\"pos\":%zu}\n", err->pos);
        }
        return;
    }
    if (line)
        printf("%s:%llu", file, (unsigned long long)line);
    else
        fputs(file, stdout);
    if (!err)
        printf(": ok (%s, %s)\n", cli_wire_name(v->ev.type), ugw_format_name(fmt));
    else
        printf(": %s: %s (%s at byte %zu)\n", err->path[0] ? err->path : "-",
               err->message ? err->message : "error", ugw_status_name(err->code), err->pos);
}

/* A file that cannot be read: on stderr, and as a result with --json. */
static void io_failure(vrun *v, const char *file, int e)
{
    v->io_error = true;
    fprintf(stderr, "%s: %s: %s\n", cli_name(), file, strerror(e ? e : EIO));
    if (v->json && v->verbosity) {
        const char *m = strerror(e ? e : EIO);
        put_where(file, 0);
        fputs(",\"valid\":false,\"code\":\"io\",\"message\":", stdout);
        put_json_str(m, strlen(m));
        fputs(",\"path\":\"\",\"pos\":0}\n", stdout);
    }
}

static bool is_jsonl_name(const char *path)
{
    size_t n = strlen(path);
    return (n >= 6 && strcasecmp(path + n - 6, ".jsonl") == 0) || (n >= 7 && strcasecmp(path + n - 7, ".ndjson") == 0);
}

static void check_lines(vrun *v, const char *path)
{
    ugw_read_error rerr;
    ugw_line ln;
    int m;
    ugw_line_reader *rd = ugw_line_reader_open(path, v->limit, &rerr);

    if (!rd) {
        io_failure(v, path, rerr.sys_errno);
        return;
    }
    while ((m = ugw_line_reader_next(rd, &ln, &rerr)) > 0) {
        ugw_error err;
        if (ugw_span(ln.ptr, ln.len, UGW_WS_JSON) == ln.len)
            continue; /* empty lines are skipped */
        if (cli_decode(v->dec, UGW_FORMAT_JSON, ln.ptr, ln.len, &v->ev, &err) == UGW_OK)
            report(v, path, ln.number, UGW_FORMAT_JSON, NULL);
        else
            report(v, path, ln.number, UGW_FORMAT_JSON, &err);
    }
    if (m < 0)
        io_failure(v, path, rerr.error.code == UGW_ERR_NOMEM ? ENOMEM : rerr.sys_errno);
    ugw_line_reader_close(rd);
}

static void check_document(vrun *v, const char *path)
{
    ugw_error err;
    ugw_format fmt;
    int e = read_input(path, v->limit, &v->buf);
    if (e) {
        io_failure(v, path, e);
        return;
    }
    if (decode_input(v->dec, &v->buf, &fmt, &v->ev, &err) == UGW_OK)
        report(v, path, 0, fmt, NULL);
    else
        report(v, path, 0, fmt, &err);
}

static int name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void check_path(vrun *v, const char *path, unsigned depth);

/* Every entry of a directory but the hidden ones, in name order. */
static void check_dir(vrun *v, const char *path, unsigned depth)
{
    DIR *d = opendir(path);
    struct dirent *de;
    char **names = NULL;
    size_t n = 0, cap = 0;

    if (!d) {
        io_failure(v, path, errno);
        return;
    }
    while ((de = readdir(d)) != NULL) {
        char **nn;
        if (de->d_name[0] == '.')
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            nn = realloc(names, cap * sizeof *names);
            if (!nn)
                break;
            names = nn;
        }
        if (!(names[n] = strdup(de->d_name)))
            break;
        n++;
    }
    closedir(d);
    if (n)
        qsort(names, n, sizeof *names, name_cmp);
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(path) + 1 + strlen(names[i]) + 1;
        char *full = malloc(len);
        if (full) {
            snprintf(full, len, "%s%s%s", path, path[strlen(path) - 1] == '/' ? "" : "/", names[i]);
            check_path(v, full, depth + 1);
            free(full);
        } else {
            io_failure(v, names[i], ENOMEM);
        }
        free(names[i]);
    }
    free(names);
}

static void check_path(vrun *v, const char *path, unsigned depth)
{
    struct stat st;
    if (strcmp(path, "-") != 0 && stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        if (!v->recursive) {
            fprintf(stderr, "%s: %s: is a directory (use -r to check the files in it)\n", cli_name(), path);
            v->io_error = true;
        } else if (depth > 64) {
            io_failure(v, path, ELOOP);
        } else {
            check_dir(v, path, depth);
        }
        return;
    }
    if (v->jsonl || is_jsonl_name(path))
        check_lines(v, path);
    else
        check_document(v, path);
}

int cmd_validate(const ugw_cmd *cmd, int argc, char **argv)
{
    static const cli_option opts[] = {
        { "strict", OPT_STRICT, false },
        { "recursive", 'r', false },
        { "jsonl", OPT_JSONL, false },
        { "json", OPT_JSON, false },
        { "verbose", 'v', false },
        { "quiet", 'q', false },
        { "help", 'h', false },
        { NULL, 0, false },
    };
    cli_parser p;
    const char **files;
    size_t nfiles = 0;
    bool strict = false;
    int k;
    vrun v;

    memset(&v, 0, sizeof v);
    v.verbosity = 1;
    files = malloc(sizeof *files * (size_t)(argc > 0 ? argc : 1));
    if (!files) {
        fprintf(stderr, "%s: out of memory\n", cli_name());
        return EXIT_USAGE;
    }
    cli_init(&p, cmd, argc, argv, opts);
    while ((k = cli_next(&p)) != CLI_END) {
        switch (k) {
        case CLI_OPERAND: files[nfiles++] = p.arg; break;
        case OPT_STRICT: strict = true; break;
        case 'r': v.recursive = true; break;
        case OPT_JSONL: v.jsonl = true; break;
        case OPT_JSON: v.json = true; break;
        case 'v': v.verbosity = 2; break;
        case 'q': v.verbosity = 0; break;
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
    v.dec = make_decoder(strict);
    if (!v.dec || !cli_event_init(&v.ev)) {
        ugw_decoder_free(v.dec);
        free(files);
        return EXIT_USAGE;
    }
    /* One byte over the limit is enough for the decoder to say `limit`. */
    v.limit = ugw_decoder_opts(v.dec)->max_input + 1;
    for (size_t i = 0; i < nfiles; i++)
        check_path(&v, files[i], 0);
    cli_event_free(&v.ev);
    ugw_decoder_free(v.dec);
    free(v.buf.data);
    free(files);

    if (!flush_stdout())
        v.io_error = true;
    if (v.verbosity >= 1)
        fprintf(stderr, "%zu valid, %zu invalid\n", v.nvalid, v.ninvalid);
    return v.io_error ? EXIT_USAGE : v.ninvalid ? EXIT_INVALID : EXIT_VALID;
}
