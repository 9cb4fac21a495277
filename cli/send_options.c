/*
 * send_options.c - `ugw send`'s usage, help and options, and the check that
 * every named file opens before anything is sent.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "send.h"

const char cmd_send_usage[] =
    "ugw send --url URL [--secret-file FILE | --secret S] [--allow-weak-secret]\n"
    "                [--ca-file FILE] [--retry-tls-errors] [--format json|msgpack]\n"
    "                [--concurrency N] [--dead-letter FILE] [--strict]\n"
    "                [--timeout SECONDS] [--max-attempts N] [--backoff-ms N]\n"
    "                [--resume-at FILE:LINE] [--quiet] [--json] FILE...\n"
    "       ugw send --spool SPOOL [--spool-sync crash|power] --url URL [options] [FILE...]\n"
    "       ugw send --replay FILE --url URL [--secret-file FILE | --secret S]\n"
    "                [--ca-file FILE] [--concurrency N] [--dead-letter FILE]\n"
    "                [--timeout SECONDS] [--max-attempts N] [--backoff-ms N]\n"
    "                [--resume-at FILE:LINE] [--quiet] [--json]";
const char cmd_send_help[] =
    "Sends events to a webhook URL as signed HTTP POST requests, retrying\n"
    "failures, and says what became of each.\n"
    "\n"
    "Each FILE ('-' reads standard input) holds one event as a JSON or\n"
    "MessagePack document (detected from its bytes), or JSON Lines: one JSON\n"
    "event a line, empty lines skipped. A file is read as JSON Lines when its\n"
    "name ends in .jsonl or .ndjson, or when its first two non-empty lines both\n"
    "start with '{'. Every event is decoded and validated first; an invalid one\n"
    "is reported on standard error and not sent:\n"
    "\n"
    "  FILE:LINE: FIELD.PATH: MESSAGE (CODE at byte POS)\n"
    "\n"
    "(no LINE for MessagePack; FIELD.PATH is '-' for the document itself). The\n"
    "others are re-encoded in the chosen format and delivered, up to N at a\n"
    "time, each with a new webhook-id. A network error, a timeout, 408, 429 or\n"
    "5xx is retried with exponential backoff; any other answer but a 2xx fails\n"
    "the event at once. Each failed event is listed on standard error:\n"
    "\n"
    "  failed ID \"EVENT\": RESULT, HTTP STATUS[, ERROR] (N attempts, FILE:LINE)\n"
    "\n"
    "On a terminal one progress line is redrawn in place: events sent, of how\n"
    "many (estimated from the bytes read while the files are read, '~'), the\n"
    "percentage done, delivered, retried, failed, the rate and the time left\n"
    "(the total and time left when every input is a regular file). A summary\n"
    "line ends the run: 'N events: D delivered, F failed, I invalid in T s'.\n"
    "\n"
    "With --spool SPOOL, every event is first committed to SPOOL, an SQLite\n"
    "file (created 0600; see docs/DURABILITY.md), and sent from there: a run\n"
    "killed at any moment (kill -9, a crash) loses nothing. Run the same\n"
    "command again: it sends what the spool still holds, with the same\n"
    "webhook-ids, skips the part of each FILE the spool had accepted (it\n"
    "records how far each FILE was read, in the same commit as its events)\n"
    "and sends the rest, so no event goes out under two webhook-ids. Without\n"
    "FILEs it sends what the spool holds. Failed events stay in the spool as\n"
    "dead letters ('ugw spool list|retry SPOOL'). Without --max-attempts and\n"
    "--backoff-ms the retries span days: after 5 s, 5 min, 30 min, 2 h, 5 h,\n"
    "10 h and 10 h. SIGINT leaves the undelivered events in the spool.\n"
    "\n"
    "With --replay, FILE is a dead-letter file (JSON Lines, as written by\n"
    "--dead-letter; see docs/DEAD_LETTERS.md) and each recorded body is sent\n"
    "again byte for byte, in its recorded format, with its original webhook-id.\n"
    "Malformed lines are reported with their line numbers, byte positions\n"
    "and reasons.\n"
    "\n"
    "Options:\n"
    "  --url URL            the http:// or https:// endpoint (required)\n"
    "  --secret-file FILE   sign requests with the secret in FILE: whsec_ +\n"
    "                       base64 of the key (prefix optional), on its first\n"
    "                       line that is not blank or a '#' comment\n"
    "  --secret S           the same on the command line, where other users can\n"
    "                       see it (a warning says so)\n"
    "  --allow-weak-secret  accept a key shorter than 24 bytes\n"
    "  --ca-file FILE       trust the CA certificates in FILE (PEM) instead of\n"
    "                       the system's, for https:// URLs\n"
    "  --retry-tls-errors   retry an event whose TLS handshake or certificate\n"
    "                       check failed (default: it fails at once, with the\n"
    "                       reason)\n"
    "  --format FORMAT      body format, json (default) or msgpack\n"
    "  --concurrency N      requests in flight at once, 1 to 1024 (default 8)\n"
    "  --dead-letter FILE   append each failed event to FILE (JSON Lines)\n"
    "  --strict             reject unknown keys (default: ignore them)\n"
    "  --timeout SECONDS    limit of one attempt, e.g. 2.5 (default 30)\n"
    "  --max-attempts N     attempts per event, 1 to 1000 (default 8)\n"
    "  --backoff-ms N       delay after the first failure in milliseconds,\n"
    "                       doubling after each (default 1000)\n"
    "  --resume-at FILE:LINE  skip the FILEs before FILE and its lines before\n"
    "                       LINE: go on where a run stopped\n"
    "  --replay FILE        send a dead-letter file again (no FILE operands;\n"
    "                       --format and --strict do not apply)\n"
    "  -q, --quiet          no progress line and no summary line (failures and\n"
    "                       invalid events are still listed)\n"
    "  --json               at the end, one JSON object on standard output:\n"
    "                       {\"events\":N,\"delivered\":D,\"failed\":F,\"invalid\":I,\n"
    "                       \"retried\":R,\"seconds\":T,\"bytes\":B,\"stopped_at\":..}\n"
    "                       (with --spool also \"kept\":K, left in the spool)\n"
    "  --spool SPOOL        keep the events in the durable spool SPOOL until\n"
    "                       delivered (FILEs only: not '-', --replay or\n"
    "                       --resume-at)\n"
    "  --spool-sync MODE    crash (default): a commit survives the process\n"
    "                       being killed; power: it survives power loss too\n"
    "                       (one fsync per commit)\n"
    "  -h, --help           show this help\n"
    "\n"
    "Without --secret-file and --secret the secret is the environment variable\n"
    "UGW_SECRET; without any, requests are unsigned.\n"
    "\n"
    "SIGINT or SIGTERM stops sending: events not yet delivered are listed as\n"
    "failed ('closed') and written to the dead-letter file. After a 410 Gone\n"
    "no more events are sent; the one refused is listed and dead-lettered too.\n"
    "When input stops early, every line before the stop is accounted for\n"
    "(delivered, listed as failed, or invalid) and the run ends with\n"
    "\n"
    "  ugw send: stopped at FILE:LINE: ...\n"
    "  ugw send: to go on from there, run the same command with --resume-at FILE:LINE\n"
    "\n"
    "Dead-letter files are created with mode 0600 (they hold payloads), and each\n"
    "record is written whole: one that cannot be written (a full disk) is\n"
    "removed again, reported, and makes the exit status 2.\n"
    "\n"
    "Exit status: 0 every event delivered, 1 an event failed or was invalid\n"
    "(or a dead-letter line was malformed, or input stopped early), 2 usage\n"
    "error, bad URL or secret, a file that cannot be read or a dead letter that\n"
    "cannot be written.\n"
    "\n"
    "Examples:\n"
    "  ugw send --url https://example.com/hook --secret-file secret.txt \\\n"
    "      --dead-letter failed.jsonl events.jsonl\n"
    "  ugw send --replay failed.jsonl --url http://127.0.0.1:8080/hook\n";

enum {
    OPT_URL = 256, OPT_SECRET, OPT_FORMAT, OPT_CONCURRENCY, OPT_DEAD_LETTER,
    OPT_STRICT, OPT_TIMEOUT, OPT_MAX_ATTEMPTS, OPT_BACKOFF_MS, OPT_REPLAY, OPT_SECRET_FILE,
    OPT_ALLOW_WEAK, OPT_CA_FILE, OPT_RETRY_TLS, OPT_RESUME_AT, OPT_JSON, OPT_SPOOL, OPT_SPOOL_SYNC
};

int send_parse_options(const ugw_cmd *cmd, int argc, char **argv, send_opts *o)
{
    static const cli_option opts[] = {
        { "url", OPT_URL, true },
        { "secret", OPT_SECRET, true },
        { "secret-file", OPT_SECRET_FILE, true },
        { "allow-weak-secret", OPT_ALLOW_WEAK, false },
        { "ca-file", OPT_CA_FILE, true },
        { "retry-tls-errors", OPT_RETRY_TLS, false },
        { "resume-at", OPT_RESUME_AT, true },
        { "format", OPT_FORMAT, true },
        { "concurrency", OPT_CONCURRENCY, true },
        { "dead-letter", OPT_DEAD_LETTER, true },
        { "strict", OPT_STRICT, false },
        { "timeout", OPT_TIMEOUT, true },
        { "max-attempts", OPT_MAX_ATTEMPTS, true },
        { "backoff-ms", OPT_BACKOFF_MS, true },
        { "replay", OPT_REPLAY, true },
        { "quiet", 'q', false },
        { "json", OPT_JSON, false },
        { "spool", OPT_SPOOL, true },
        { "spool-sync", OPT_SPOOL_SYNC, true },
        { "help", 'h', false },
        { NULL, 0, false },
    };
    cli_parser p;
    int k;
    int64_t v;

    cli_secret_args_init(&o->secret, "secret", "UGW_SECRET");
    cli_init(&p, cmd, argc, argv, opts);
    while ((k = cli_next(&p)) != CLI_END) {
        switch (k) {
        case CLI_OPERAND: o->files[o->nfiles++] = p.arg; break;
        case OPT_URL: o->url = p.arg; break;
        case OPT_SECRET:
        case OPT_SECRET_FILE:
            if (!cli_secret_args_add(cmd, &o->secret, k == OPT_SECRET_FILE, p.arg))
                return EXIT_USAGE;
            break;
        case OPT_ALLOW_WEAK: o->secret.allow_weak = true; break;
        case OPT_CA_FILE: o->ca_file = p.arg; break;
        case OPT_RETRY_TLS: o->tls_retry = true; break;
        case OPT_RESUME_AT: {
            const char *colon = strrchr(p.arg, ':');
            int64_t line;
            if (!colon || colon == p.arg || !cli_parse_i64(colon + 1, 1, INT64_MAX, &line))
                return usage_error(cmd, "--resume-at must be FILE:LINE (LINE 1 or more), not '%s'", p.arg);
            o->resume_file = p.arg; /* cut at the colon below, once it is known to be one of ours */
            o->resume_line = (uint64_t)line;
            break;
        }
        case OPT_FORMAT:
            if (!cli_parse_format(p.arg, &o->format))
                return usage_error(cmd, "--format must be json or msgpack, not '%s'", p.arg);
            o->format_given = true;
            break;
        case OPT_CONCURRENCY:
            if (!cli_parse_i64(p.arg, 1, 1024, &v))
                return usage_error(cmd, "--concurrency must be a whole number from 1 to 1024, not '%s'", p.arg);
            o->concurrency = (unsigned)v;
            break;
        case OPT_DEAD_LETTER: o->dead_letter = p.arg; break;
        case 'q': o->quiet = true; break;
        case OPT_JSON: o->json = true; break;
        case OPT_STRICT: o->strict = true; break;
        case OPT_TIMEOUT:
            if (!cli_parse_seconds(p.arg, 86400, &v))
                return usage_error(cmd, "--timeout must be a number of seconds above 0 and at most 86400, not '%s'", p.arg);
            o->timeout_ms = (long)v;
            break;
        case OPT_MAX_ATTEMPTS:
            if (!cli_parse_i64(p.arg, 1, 1000, &v))
                return usage_error(cmd, "--max-attempts must be a whole number from 1 to 1000, not '%s'", p.arg);
            o->max_attempts = (unsigned)v;
            break;
        case OPT_BACKOFF_MS:
            if (!cli_parse_i64(p.arg, 1, 3600000, &v))
                return usage_error(cmd, "--backoff-ms must be a whole number from 1 to 3600000, not '%s'", p.arg);
            o->backoff_ms = (long)v;
            break;
        case OPT_REPLAY:
            if (o->replay)
                return usage_error(cmd, "--replay may be given once, not also '%s'", p.arg);
            o->replay = p.arg;
            break;
        case OPT_SPOOL:
            if (o->spool)
                return usage_error(cmd, "--spool may be given once, not also '%s'", p.arg);
            o->spool = p.arg;
            break;
        case OPT_SPOOL_SYNC:
            if (strcmp(p.arg, "crash") == 0)
                o->spool_sync = UGW_SPOOL_SYNC_CRASH;
            else if (strcmp(p.arg, "power") == 0)
                o->spool_sync = UGW_SPOOL_SYNC_POWER;
            else
                return usage_error(cmd, "--spool-sync must be crash or power, not '%s'", p.arg);
            o->spool_sync_given = true;
            break;
        case 'h':
            print_cmd_help(cmd, stdout);
            return flush_stdout() ? EXIT_VALID : EXIT_USAGE;
        default:
            return EXIT_USAGE;
        }
    }
    if (!o->url)
        return usage_error(cmd, "%s", "--url URL is required");
    if (!ugw_url_check(o->url, strlen(o->url)))
        return usage_error(cmd, "--url must be an absolute http:// or https:// URL, not '%s'", o->url);
    if (o->resume_file) {
        size_t n = (size_t)(strrchr(o->resume_file, ':') - o->resume_file);
        const char *match = NULL;
        if (o->replay && strncmp(o->replay, o->resume_file, n) == 0 && o->replay[n] == '\0')
            match = o->replay;
        for (size_t i = 0; !match && i < o->nfiles; i++)
            if (strncmp(o->files[i], o->resume_file, n) == 0 && o->files[i][n] == '\0')
                match = o->files[i];
        if (!match || strcmp(match, "-") == 0)
            return usage_error(cmd, "--resume-at names no FILE of this command (standard input cannot be resumed): '%s'",
                               o->resume_file);
        o->resume_file = match;
    }
    if (o->spool_sync_given && !o->spool)
        return usage_error(cmd, "%s", "--spool-sync needs --spool");
    if (o->spool) {
        if (o->replay)
            return usage_error(cmd, "%s", "--spool does not go with --replay (use ugw spool retry for the spool's own dead letters)");
        if (o->resume_file)
            return usage_error(cmd, "%s", "--spool does not go with --resume-at (the spool records where each FILE stopped)");
        for (size_t i = 0; i < o->nfiles; i++)
            if (strcmp(o->files[i], "-") == 0)
                return usage_error(cmd, "%s", "--spool needs FILEs it can read again: standard input ('-') cannot be resumed");
        return -1;
    }
    if (o->replay) {
        if (o->nfiles)
            return usage_error(cmd, "--replay takes no FILE operands, not '%s'", o->files[0]);
        if (o->format_given)
            return usage_error(cmd, "%s", "--format does not apply to --replay (bodies are sent as recorded)");
        if (o->strict)
            return usage_error(cmd, "%s", "--strict does not apply to --replay (bodies are sent as recorded)");
    } else if (!o->nfiles) {
        return usage_error(cmd, "%s", "no FILE given (use '-' for standard input)");
    }
    return -1;
}

const char *send_display_name(const char *path)
{
    return strcmp(path, "-") == 0 ? "(standard input)" : path;
}

bool send_check_files(const send_opts *o)
{
    bool ok = true;
    size_t n = o->replay ? 1 : o->nfiles;
    for (size_t i = 0; i < n; i++) {
        const char *path = o->replay ? o->replay : o->files[i];
        ugw_read_error err;
        ugw_line_reader *rd;
        if (strcmp(path, "-") == 0)
            continue;
        rd = ugw_line_reader_open(path, 1, &err);
        if (!rd) {
            fprintf(stderr, "%s send: %s: %s\n", cli_name(), path,
                    strerror(err.sys_errno ? err.sys_errno : EIO));
            ok = false;
        }
        ugw_line_reader_close(rd);
    }
    return ok;
}
