/*
 * cmd_schema.c - `ugw schema export` and `ugw schema diff`.
 *
 * export prints a document the generator made with the C code, embedded in
 * the command's generated main() (ugw_cli_app.schema_export): JSON Schema
 * draft 2020-12 or OpenAPI 3.1, lenient or strict. It needs nothing
 * installed.
 *
 * diff compares two schema files, which needs the TOML reader and checker of
 * the generator: it runs `ugw-codegen diff` (codegen/ugwgen/diff.py) and
 * passes its output and exit status through. The generator is found as
 * $UGW_CODEGEN, else ugw-codegen beside this executable (an installed bin/),
 * else ugw-codegen on PATH.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <stdbool.h>
#include <limits.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"

extern char **environ;

const char cmd_schema_usage[] =
    "ugw schema export [--format jsonschema|openapi] [--strict]\n"
    "       ugw schema diff [--json] [--strict] [--check-version] [--prefix P] OLD.toml NEW.toml";
const char cmd_schema_help[] =
    "export prints the schema of this command's events for receivers written in\n"
    "other languages, as made by the generator with the C code:\n"
    "\n"
    "  --format jsonschema  JSON Schema draft 2020-12: one definition per event and\n"
    "                       payload; the top level accepts any event (default)\n"
    "  --format openapi     OpenAPI 3.1 with one webhooks entry per event\n"
    "  --strict             the strict variant: unknown keys are refused\n"
    "                       (default: ignored, as 'ugw validate' does)\n"
    "\n"
    "diff lists every difference between two versions of a schema, one line per\n"
    "change naming both FILE:LINEs, and classifies each for receivers (old code\n"
    "decoding new payloads) and senders (new code reading what old senders send)\n"
    "as compatible, breaking, or strict (breaking only for strict decoders):\n"
    "\n"
    "  --json           one JSON object instead of lines\n"
    "  --strict         count changes that break strict decoders as breaking\n"
    "  --check-version  allow breaking changes when the new version is higher\n"
    "  --prefix P       check the schemas for the generated names of prefix P\n"
    "                   (default ugw)\n"
    "\n"
    "diff runs the generator (ugw-codegen diff): $UGW_CODEGEN, else ugw-codegen\n"
    "beside this program, else ugw-codegen on PATH.\n"
    "\n"
    "Exit status: export 0 printed, 2 usage or write error; diff 0 nothing breaks,\n"
    "1 a change breaks, 2 usage error, a schema error or no generator.\n";

enum { OPT_FORMAT = 256, OPT_STRICT_EXPORT, OPT_JSON, OPT_CHECK_VERSION, OPT_PREFIX };

static int schema_export(const ugw_cmd *cmd, cli_parser *p)
{
    const char *format = "jsonschema";
    int strict = 0, k;
    const char *const *pieces;

    while ((k = cli_next(p)) != CLI_END) {
        switch (k) {
        case OPT_FORMAT:
            format = p->arg;
            break;
        case OPT_STRICT_EXPORT:
            strict = 1;
            break;
        case 'h':
            print_cmd_help(cmd, stdout);
            return flush_stdout() ? EXIT_VALID : EXIT_USAGE;
        case CLI_OPERAND:
            return usage_error(cmd, "unexpected '%s'", p->arg);
        case OPT_JSON:
        case OPT_CHECK_VERSION:
        case OPT_PREFIX:
            return usage_error(cmd, "%s", "--json, --check-version and --prefix are options of 'schema diff'");
        default:
            return EXIT_USAGE;
        }
    }
    if (strcmp(format, "jsonschema") != 0 && strcmp(format, "openapi") != 0)
        return usage_error(cmd, "unknown format '%s' (jsonschema or openapi)", format);
    if (!cli_app()->schema_export || !(pieces = cli_app()->schema_export(format, strict))) {
        fprintf(stderr, "%s schema: this command was built without exported documents; "
                        "regenerate its main() with this version of ugw codegen\n", cli_name());
        return EXIT_USAGE;
    }
    for (; *pieces; pieces++)
        fputs(*pieces, stdout);
    return flush_stdout() ? EXIT_VALID : EXIT_USAGE;
}

/* ugw-codegen beside the running executable into buf, or false. */
static bool codegen_beside_exe(char *buf, size_t cap)
{
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    char *slash;
    if (n <= 0)
        return false;
    exe[n] = '\0';
    slash = strrchr(exe, '/');
    if (!slash)
        return false;
    *slash = '\0';
    if ((size_t)snprintf(buf, cap, "%s/ugw-codegen", exe) >= cap)
        return false;
    return access(buf, X_OK) == 0;
}

static int schema_diff(const ugw_cmd *cmd, cli_parser *p)
{
    char *args[12];
    char beside[PATH_MAX];
    const char *operands[2];
    const char *prefix = NULL;
    const char *codegen = getenv("UGW_CODEGEN");
    bool json = false, strict = false, check_version = false;
    int nargs = 0, nops = 0, k, status;
    pid_t pid;

    while ((k = cli_next(p)) != CLI_END) {
        switch (k) {
        case OPT_JSON:
            json = true;
            break;
        case OPT_STRICT_EXPORT:
            strict = true;
            break;
        case OPT_CHECK_VERSION:
            check_version = true;
            break;
        case OPT_PREFIX:
            prefix = p->arg;
            break;
        case 'h':
            print_cmd_help(cmd, stdout);
            return flush_stdout() ? EXIT_VALID : EXIT_USAGE;
        case CLI_OPERAND:
            if (nops == 2)
                return usage_error(cmd, "unexpected '%s' (diff takes OLD.toml NEW.toml)", p->arg);
            operands[nops++] = p->arg;
            break;
        case OPT_FORMAT:
            return usage_error(cmd, "%s", "--format is an option of 'schema export'");
        default:
            return EXIT_USAGE;
        }
    }
    if (nops != 2)
        return usage_error(cmd, "%s", "diff needs two schema files: OLD.toml NEW.toml");
    if (!codegen || !*codegen)
        codegen = codegen_beside_exe(beside, sizeof beside) ? beside : "ugw-codegen";
    /* At most 11 arguments and the NULL: each option once, whatever argv held. */
    args[nargs++] = (char *)codegen;
    args[nargs++] = (char *)"diff";
    if (json)
        args[nargs++] = (char *)"--json";
    if (strict)
        args[nargs++] = (char *)"--strict";
    if (check_version)
        args[nargs++] = (char *)"--check-version";
    if (prefix) {
        args[nargs++] = (char *)"--prefix";
        args[nargs++] = (char *)prefix;
    }
    args[nargs++] = (char *)"--";
    args[nargs++] = (char *)operands[0];
    args[nargs++] = (char *)operands[1];
    args[nargs] = NULL;
    fflush(stdout);
    if ((errno = posix_spawnp(&pid, codegen, NULL, NULL, args, environ)) != 0) {
        fprintf(stderr, "%s schema diff: cannot run %s: %s (set UGW_CODEGEN to the generator's "
                        "ugw-codegen)\n", cli_name(), codegen, strerror(errno));
        return EXIT_USAGE;
    }
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) {
            fprintf(stderr, "%s schema diff: %s\n", cli_name(), strerror(errno));
            return EXIT_USAGE;
        }
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) <= EXIT_USAGE)
        return WEXITSTATUS(status);
    fprintf(stderr, "%s schema diff: %s failed\n", cli_name(), codegen);
    return EXIT_USAGE;
}

int cmd_schema(const ugw_cmd *cmd, int argc, char **argv)
{
    static const cli_option opts[] = {
        { "format", OPT_FORMAT, true },
        { "strict", OPT_STRICT_EXPORT, false },
        { "json", OPT_JSON, false },
        { "check-version", OPT_CHECK_VERSION, false },
        { "prefix", OPT_PREFIX, true },
        { "help", 'h', false },
        { NULL, 0, false },
    };
    cli_parser p;
    int k;

    cli_init(&p, cmd, argc, argv, opts);
    k = cli_next(&p);
    if (k == 'h') {
        print_cmd_help(cmd, stdout);
        return flush_stdout() ? EXIT_VALID : EXIT_USAGE;
    }
    if (k == CLI_END)
        return usage_error(cmd, "%s", "no action given (export or diff)");
    if (k != CLI_OPERAND)
        return k == CLI_ERROR ? EXIT_USAGE : usage_error(cmd, "%s", "the action (export or diff) comes first");
    if (strcmp(p.arg, "export") == 0)
        return schema_export(cmd, &p);
    if (strcmp(p.arg, "diff") == 0)
        return schema_diff(cmd, &p);
    return usage_error(cmd, "unknown action '%s' (export or diff)", p.arg);
}
