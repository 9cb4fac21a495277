/*
 * cmd_sign.c - `ugw sign` and `ugw verify`: the Standard Webhooks signature
 * of a body, made or checked with runtime/ugw_webhook.h.
 *
 * The body is the exact bytes of FILE ('-' reads standard input), read whole
 * up to SIGN_MAX_BODY; a longer one is an error rather than a signature over
 * part of it.
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include <ugw/ugw_runtime.h>
#include <ugw/ugw_webhook.h>

#include "cli.h"

/* Largest body read: 256 MiB. */
#define SIGN_MAX_BODY ((size_t)256 << 20)

enum { OPT_SECRET = 256, OPT_SECRET_FILE, OPT_ALLOW_WEAK, OPT_ID, OPT_TIMESTAMP, OPT_SIGNATURE, OPT_NOW,
       OPT_TOLERANCE };

const char cmd_sign_usage[] =
    "ugw sign [--secret S | --secret-file FILE] [--allow-weak-secret] --id ID --timestamp TS FILE";
const char cmd_sign_help[] =
    "Prints the Standard Webhooks 'webhook-signature' value for the exact bytes\n"
    "of FILE ('-' reads standard input), as a sender puts it on a request:\n"
    "\n"
    "  v1,BASE64(HMAC-SHA256(KEY, \"ID.TS.BODY\"))\n"
    "\n"
    "followed by a newline. The body is not decoded or changed.\n"
    "\n"
    "Options:\n"
    "  --secret S       the secret: whsec_ + base64 of the key (prefix optional);\n"
    "                   visible to other users on the command line (a warning\n"
    "                   says so): prefer --secret-file or UGW_SECRET\n"
    "  --secret-file FILE  read the secret from FILE (its first non-empty line\n"
    "                   not starting with '#')\n"
    "  --allow-weak-secret  accept a key shorter than 24 bytes\n"
    "  --id ID          the webhook-id header value\n"
    "  --timestamp TS   the webhook-timestamp header value: Unix seconds in\n"
    "                   decimal, no sign or leading zeros\n"
    "  -h, --help       show this help\n"
    "\n"
    "Without --secret and --secret-file the secret is the environment variable\n"
    "UGW_SECRET. A key shorter than 24 bytes is refused unless\n"
    "--allow-weak-secret is given.\n"
    "\n"
    "Exit status: 0 printed, 2 usage error, invalid secret or I/O error.\n"
    "\n"
    "Example:\n"
    "  ugw secret new > key.txt\n"
    "  ugw sign --secret-file key.txt --id msg_1 --timestamp \"$(date +%s)\" event.json\n";

const char cmd_verify_usage[] =
    "ugw verify [--secret S... | --secret-file FILE...] [--allow-weak-secret] --id ID\n"
    "                  --timestamp TS --signature SIG [--now TS] [--tolerance SECONDS] FILE";
const char cmd_verify_help[] =
    "Checks a request as a receiver does: the webhook-id, webhook-timestamp and\n"
    "webhook-signature header values against the exact bytes of FILE ('-' reads\n"
    "standard input). Prints 'verified' when they match; otherwise says why on\n"
    "standard error.\n"
    "\n"
    "The timestamp must be within the tolerance of now, either way. SIG may be a\n"
    "space-separated list of signatures (as during a key rotation): any v1\n"
    "entry that matches verifies; comparison is in constant time.\n"
    "\n"
    "Options:\n"
    "  --secret S           the secret: whsec_ + base64 of the key (prefix\n"
    "                       optional); repeat it during a key rotation (any key\n"
    "                       that verifies will do). Visible to other users on\n"
    "                       the command line: prefer --secret-file or UGW_SECRET\n"
    "  --secret-file FILE   read the secrets from FILE, one a line ('#' lines and\n"
    "                       blank lines skipped)\n"
    "  --allow-weak-secret  accept a key shorter than 24 bytes\n"
    "  --id ID              the webhook-id header value\n"
    "  --timestamp TS       the webhook-timestamp header value, as received\n"
    "  --signature SIG      the webhook-signature header value, as received\n"
    "  --now TS             the time to check against, Unix seconds (default: the\n"
    "                       clock)\n"
    "  --tolerance SECONDS  largest allowed distance between TS and now (default\n"
    "                       300)\n"
    "  -h, --help           show this help\n"
    "\n"
    "Without --secret and --secret-file the secrets are the environment variable\n"
    "UGW_SECRET (separated by white space).\n"
    "\n"
    "Exit status: 0 verified, 1 not verified (wrong signature, or timestamp\n"
    "malformed or outside the tolerance), 2 usage error, invalid secret or I/O\n"
    "error.\n";

/* Reads the body; false after a message. */
static bool read_body(const char *file, byte_buf *b)
{
    int e = read_input(file, SIGN_MAX_BODY + 1, b);
    if (e) {
        fprintf(stderr, "%s: %s: %s\n", cli_name(), file, strerror(e));
        return false;
    }
    if (b->len > SIGN_MAX_BODY) {
        fprintf(stderr, "%s: %s: larger than %zu bytes\n", cli_name(), file, SIGN_MAX_BODY);
        return false;
    }
    return true;
}

/* ------------------------------------------------------------------ */
/* ugw sign                                                             */
/* ------------------------------------------------------------------ */

int cmd_sign(const ugw_cmd *cmd, int argc, char **argv)
{
    static const cli_option opts[] = {
        { "secret", OPT_SECRET, true },
        { "secret-file", OPT_SECRET_FILE, true },
        { "allow-weak-secret", OPT_ALLOW_WEAK, false },
        { "id", OPT_ID, true },
        { "timestamp", OPT_TIMESTAMP, true },
        { "help", 'h', false },
        { NULL, 0, false },
    };
    cli_parser p;
    const char *id = NULL, *ts_text = NULL, *file = NULL;
    int64_t ts;
    int k, rc = EXIT_VALID;
    cli_secret_args sa;
    ugw_secret secret;
    size_t nsecrets = 0;
    ugw_error err;
    byte_buf body = { NULL, 0, 0 };
    char sig[UGW_SIGNATURE_MAX];

    cli_secret_args_init(&sa, "secret", "UGW_SECRET");
    cli_init(&p, cmd, argc, argv, opts);
    while ((k = cli_next(&p)) != CLI_END) {
        switch (k) {
        case CLI_OPERAND:
            if (file)
                return usage_error(cmd, "only one FILE may be given, not also '%s'", p.arg);
            file = p.arg;
            break;
        case OPT_SECRET:
        case OPT_SECRET_FILE:
            if (!cli_secret_args_add(cmd, &sa, k == OPT_SECRET_FILE, p.arg))
                return EXIT_USAGE;
            break;
        case OPT_ALLOW_WEAK: sa.allow_weak = true; break;
        case OPT_ID: id = p.arg; break;
        case OPT_TIMESTAMP: ts_text = p.arg; break;
        case 'h':
            print_cmd_help(cmd, stdout);
            return flush_stdout() ? EXIT_VALID : EXIT_USAGE;
        default:
            return EXIT_USAGE;
        }
    }
    if (!id)
        return usage_error(cmd, "%s", "--id is required");
    if (!ts_text)
        return usage_error(cmd, "%s", "--timestamp is required");
    /* Signed as written by ugw_webhook_sign(): no sign, no leading zeros. */
    if (!cli_parse_i64(ts_text, 0, INT64_MAX, &ts) || ts_text[0] == '-'
        || (ts_text[0] == '0' && ts_text[1] != '\0'))
        return usage_error(cmd, "--timestamp must be Unix seconds in decimal (no sign or leading zeros), not '%s'",
                           ts_text);
    if (!file)
        return usage_error(cmd, "%s", "no FILE given (use '-' for standard input)");
    if (!cli_secret_args_load(cmd, &sa, &secret, 1, &nsecrets))
        return EXIT_USAGE;
    if (nsecrets == 0)
        return usage_error(cmd, "%s", "no secret: give --secret-file FILE, set UGW_SECRET, or give --secret");

    if (!read_body(file, &body)) {
        rc = EXIT_USAGE;
    } else if (ugw_webhook_sign(&secret, id, ts, body.data, body.len, sig, sizeof sig, &err) != UGW_OK) {
        fprintf(stderr, "%s sign: %s (%s)\n", cli_name(), err.message, ugw_status_name(err.code));
        rc = EXIT_USAGE;
    } else {
        printf("%s\n", sig);
        if (!flush_stdout())
            rc = EXIT_USAGE;
    }
    OPENSSL_cleanse(&secret, sizeof secret);
    free(body.data);
    return rc;
}

/* ------------------------------------------------------------------ */
/* ugw verify                                                           */
/* ------------------------------------------------------------------ */

/* Says why a timestamp failed, with the distance when it is a number. */
static void explain_timestamp(const char *ts_text, int64_t now, int64_t tolerance, const ugw_error *err)
{
    int64_t ts;
    if (!cli_parse_i64(ts_text, 0, INT64_MAX, &ts) || ts_text[0] == '-') {
        fprintf(stderr, "%s verify: %s: '%s'\n", cli_name(), err->message, ts_text);
        return;
    }
    /* Both in [0, INT64_MAX] (now was checked too), so the difference fits. */
    if (ts < now)
        fprintf(stderr, "%s verify: timestamp outside the tolerance (%lld s before now; tolerance %lld s)\n",
                cli_name(), (long long)(now - ts), (long long)tolerance);
    else
        fprintf(stderr, "%s verify: timestamp outside the tolerance (%lld s after now; tolerance %lld s)\n",
                cli_name(), (long long)(ts - now), (long long)tolerance);
}

int cmd_verify(const ugw_cmd *cmd, int argc, char **argv)
{
    static const cli_option opts[] = {
        { "secret", OPT_SECRET, true },
        { "secret-file", OPT_SECRET_FILE, true },
        { "allow-weak-secret", OPT_ALLOW_WEAK, false },
        { "id", OPT_ID, true },
        { "timestamp", OPT_TIMESTAMP, true },
        { "signature", OPT_SIGNATURE, true },
        { "now", OPT_NOW, true },
        { "tolerance", OPT_TOLERANCE, true },
        { "help", 'h', false },
        { NULL, 0, false },
    };
    cli_parser p;
    const char *id = NULL, *ts_text = NULL, *sig = NULL, *file = NULL;
    int64_t now = -1, tolerance = UGW_WEBHOOK_TOLERANCE_DEFAULT;
    int k, rc;
    cli_secret_args sa;
    ugw_secret secrets[CLI_SECRETS_MAX];
    size_t nsecrets = 0;
    ugw_error err;
    ugw_status st;
    byte_buf body = { NULL, 0, 0 };

    cli_secret_args_init(&sa, "secret", "UGW_SECRET");
    cli_init(&p, cmd, argc, argv, opts);
    while ((k = cli_next(&p)) != CLI_END) {
        switch (k) {
        case CLI_OPERAND:
            if (file)
                return usage_error(cmd, "only one FILE may be given, not also '%s'", p.arg);
            file = p.arg;
            break;
        case OPT_SECRET:
        case OPT_SECRET_FILE:
            if (!cli_secret_args_add(cmd, &sa, k == OPT_SECRET_FILE, p.arg))
                return EXIT_USAGE;
            break;
        case OPT_ALLOW_WEAK: sa.allow_weak = true; break;
        case OPT_ID: id = p.arg; break;
        case OPT_TIMESTAMP: ts_text = p.arg; break;
        case OPT_SIGNATURE: sig = p.arg; break;
        case OPT_NOW:
            if (!cli_parse_i64(p.arg, 0, INT64_MAX, &now))
                return usage_error(cmd, "--now must be Unix seconds (0 or more), not '%s'", p.arg);
            break;
        case OPT_TOLERANCE:
            if (!cli_parse_i64(p.arg, 1, INT64_MAX, &tolerance))
                return usage_error(cmd, "--tolerance must be a number of seconds, 1 or more, not '%s'", p.arg);
            break;
        case 'h':
            print_cmd_help(cmd, stdout);
            return flush_stdout() ? EXIT_VALID : EXIT_USAGE;
        default:
            return EXIT_USAGE;
        }
    }
    if (!id)
        return usage_error(cmd, "%s", "--id is required");
    if (!ts_text)
        return usage_error(cmd, "%s", "--timestamp is required");
    if (!sig)
        return usage_error(cmd, "%s", "--signature is required");
    if (!file)
        return usage_error(cmd, "%s", "no FILE given (use '-' for standard input)");
    if (now < 0) {
        time_t t = time(NULL);
        if (t == (time_t)-1) {
            fprintf(stderr, "%s verify: cannot read the clock; give --now\n", cli_name());
            return EXIT_USAGE;
        }
        now = (int64_t)t;
    }
    if (!cli_secret_args_load(cmd, &sa, secrets, CLI_SECRETS_MAX, &nsecrets))
        return EXIT_USAGE;
    if (nsecrets == 0)
        return usage_error(cmd, "%s", "no secret: give --secret-file FILE, set UGW_SECRET, or give --secret");
    if (!read_body(file, &body)) {
        OPENSSL_cleanse(secrets, sizeof secrets);
        return EXIT_USAGE;
    }

    /* Any of the keys (a rotation) verifies; the timestamp fails for all alike. */
    st = UGW_ERR_SIGNATURE;
    for (size_t i = 0; i < nsecrets && st == UGW_ERR_SIGNATURE; i++)
        st = ugw_webhook_verify(&secrets[i], id, ts_text, sig, body.data, body.len, now, tolerance, &err);
    switch (st) {
    case UGW_OK:
        puts("verified");
        rc = flush_stdout() ? EXIT_VALID : EXIT_USAGE;
        break;
    case UGW_ERR_SIGNATURE:
        fprintf(stderr, "%s verify: no signature matches the body\n", cli_name());
        rc = EXIT_INVALID;
        break;
    case UGW_ERR_TIMESTAMP:
        explain_timestamp(ts_text, now, tolerance, &err);
        rc = EXIT_INVALID;
        break;
    default:
        fprintf(stderr, "%s verify: %s (%s)\n", cli_name(), err.message, ugw_status_name(err.code));
        rc = EXIT_USAGE;
        break;
    }
    OPENSSL_cleanse(secrets, sizeof secrets);
    free(body.data);
    return rc;
}
