/*
 * cmd_fixtures.c - `ugw fixtures`: writes the valid fixtures, encoded from
 * the C values the app's fixture() and fixture_envelope() hand out (the
 * generated fixtures of the schema, payload and envelope fields), so they are
 * the same bytes as generated/fixtures/valid/ without needing the source
 * tree. A command built without fixtures says so.
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <ugw/ugw_runtime.h>

#include "cli.h"

const char cmd_fixtures_usage[] = "ugw fixtures [--format json|msgpack] [--out DIR]";
const char cmd_fixtures_help[] =
    "Writes one example of every event, the schema's valid fixtures, as\n"
    "DIR/<event id>.json and/or DIR/<event id>.msgpack (both formats unless\n"
    "--format is given), replacing files of those names, and prints each path.\n"
    "The bytes are those of generated/fixtures/valid/ in the source tree.\n"
    "\n"
    "A schema with envelope fields (an [envelope] with fields, such as Standard\n"
    "Webhooks' timestamp) has them in every file, beside the event and payload\n"
    "keys: the example values of the generated fixture_envelope(). A command\n"
    "whose main() gives no fixture_envelope writes the payloads without them\n"
    "when every envelope field is optional, and otherwise writes nothing and\n"
    "exits 2, naming the required field.\n"
    "\n"
    "Options:\n"
    "  -f, --format FORMAT  json or msgpack (default: both)\n"
    "  -o, --out DIR        folder to write into, made if missing (default: the\n"
    "                       current folder)\n"
    "  -h, --help           show this help\n"
    "\n"
    "Exit status: 0 written, 2 usage or I/O error, or a command built without\n"
    "fixtures.\n"
    "\n"
    "Example, send every event to a receiver:\n"
    "  ugw fixtures --format json --out /tmp/events && ugw send --url URL /tmp/events/*\n";

/* mkdir -p: makes `dir` and its missing parents. Returns 0 or an errno. */
static int make_dirs(const char *dir)
{
    size_t n = strlen(dir);
    char *p, *s = malloc(n + 1);
    struct stat st;
    int e = 0;

    if (!s)
        return ENOMEM;
    memcpy(s, dir, n + 1);
    for (p = s + 1; ; p++) {
        char c = *p;
        if (c != '/' && c != '\0')
            continue;
        *p = '\0';
        if (mkdir(s, 0777) != 0 && errno != EEXIST) {
            e = errno;
            break;
        }
        *p = c;
        if (c == '\0')
            break;
    }
    if (!e) {
        if (stat(dir, &st) != 0)
            e = errno;
        else if (!S_ISDIR(st.st_mode))
            e = ENOTDIR;
    }
    free(s);
    return e;
}

/* Writes `len` bytes to `path`; returns 0 or an errno. */
static int write_file(const char *path, const void *data, size_t len)
{
    FILE *fp;
    int e = 0;

    errno = 0;
    fp = fopen(path, "wb");
    if (!fp)
        return errno ? errno : EIO;
    if (len && fwrite(data, 1, len, fp) != len)
        e = errno ? errno : EIO;
    if (fclose(fp) != 0 && !e)
        e = errno ? errno : EIO;
    return e;
}

/* Encodes the fixture of `type` and writes it into dir; false after a message. */
static bool write_fixture(const char *dir, int type, ugw_format fmt)
{
    const void *payload = cli_app()->fixture(type);
    const void *env = cli_fixture_envelope(type);
    const ugw_event_desc *d = ugw_schema_event(cli_schema(), type);
    const char *id = d ? d->id : NULL;
    const char *ext = fmt == UGW_FORMAT_JSON ? "json" : "msgpack";
    bool slash = dir[strlen(dir) - 1] == '/';
    size_t need = 0, len = 0, plen;
    char *buf = NULL, *path = NULL;
    ugw_error err;
    int e;
    bool ok = false;

    if (!payload || !id) {
        fprintf(stderr, "%s fixtures: no fixture for event type %d\n", cli_name(), type);
        return false;
    }
    plen = strlen(dir) + 1 + strlen(id) + 1 + strlen(ext) + 1;
    path = malloc(plen);
    if (!path) {
        fprintf(stderr, "%s: out of memory\n", cli_name());
        return false;
    }
    snprintf(path, plen, "%s%s%s.%s", dir, slash ? "" : "/", id, ext);
    if (cli_encode(type, env, payload, fmt, NULL, 0, &need, &err) != UGW_OK) {
        fprintf(stderr, "%s fixtures: %s: %s (%s)\n", cli_name(), id, err.message,
                ugw_status_name(err.code));
    } else if (!(buf = malloc(need ? need : 1))) {
        fprintf(stderr, "%s: out of memory\n", cli_name());
    } else if (cli_encode(type, env, payload, fmt, buf, need, &len, &err) != UGW_OK) {
        fprintf(stderr, "%s fixtures: %s: %s (%s)\n", cli_name(), id, err.message,
                ugw_status_name(err.code));
    } else if ((e = write_file(path, buf, len)) != 0) {
        fprintf(stderr, "%s: %s: %s\n", cli_name(), path, strerror(e));
    } else {
        printf("%s\n", path);
        ok = true;
    }
    free(buf);
    free(path);
    return ok;
}

int cmd_fixtures(const ugw_cmd *cmd, int argc, char **argv)
{
    static const cli_option opts[] = {
        { "format", 'f', true },
        { "out", 'o', true },
        { "help", 'h', false },
        { NULL, 0, false },
    };
    cli_parser p;
    const char *dir = ".", *format = NULL;
    ugw_format fmt = UGW_FORMAT_JSON;
    bool both = true, ok = true;
    int k, e;

    cli_init(&p, cmd, argc, argv, opts);
    while ((k = cli_next(&p)) != CLI_END) {
        switch (k) {
        case CLI_OPERAND:
            return usage_error(cmd, "unexpected operand '%s' (use --out DIR)", p.arg);
        case 'f': format = p.arg; break;
        case 'o': dir = p.arg; break;
        case 'h':
            print_cmd_help(cmd, stdout);
            return flush_stdout() ? EXIT_VALID : EXIT_USAGE;
        default:
            return EXIT_USAGE;
        }
    }
    if (format) {
        if (!cli_parse_format(format, &fmt))
            return usage_error(cmd, "--format must be json or msgpack, not '%s'", format);
        both = false;
    }
    if (dir[0] == '\0')
        return usage_error(cmd, "%s", "--out needs a folder name");
    if (!cli_has_fixtures(cmd))
        return EXIT_USAGE;
    if ((e = make_dirs(dir)) != 0) {
        fprintf(stderr, "%s: %s: %s\n", cli_name(), dir, strerror(e));
        return EXIT_USAGE;
    }
    for (int t = 1; t <= (int)cli_schema()->nevents; t++) {
        if (both || fmt == UGW_FORMAT_JSON)
            ok = write_fixture(dir, t, UGW_FORMAT_JSON) && ok;
        if (both || fmt == UGW_FORMAT_MSGPACK)
            ok = write_fixture(dir, t, UGW_FORMAT_MSGPACK) && ok;
    }
    if (!flush_stdout())
        ok = false;
    return ok ? EXIT_VALID : EXIT_USAGE;
}
