/*
 * cmd_secret.c - `ugw secret new`: prints a fresh signing secret, "whsec_" +
 * base64 of 32 bytes from OpenSSL's private random generator
 * (ugw_secret_generate()). Every copy of it is cleansed before exit.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include <ugw/ugw_webhook.h>

#include "cli.h"

const char cmd_secret_usage[] = "ugw secret new";
const char cmd_secret_help[] =
    "Prints a new webhook secret on standard output: whsec_ followed by the\n"
    "standard base64 of 32 random bytes (OpenSSL's private generator), and a\n"
    "newline. Give it to the sender and the receiver without putting it on a\n"
    "command line, for example:\n"
    "\n"
    "  umask 077; ugw secret new > secret.txt\n"
    "  ugw send --secret-file secret.txt --url URL events.jsonl\n"
    "  UGW_SECRET=\"$(cat secret.txt)\" ugw serve ...\n"
    "\n"
    "Options:\n"
    "  -h, --help   show this help\n"
    "\n"
    "Exit status: 0 printed, 2 usage error, no randomness or a write error.\n";

int cmd_secret(const ugw_cmd *cmd, int argc, char **argv)
{
    static const cli_option opts[] = {
        { "help", 'h', false },
        { NULL, 0, false },
    };
    cli_parser p;
    const char *action = NULL;
    ugw_secret key;
    char text[UGW_SECRET_GENERATED_TEXT_MAX];
    int k, rc;

    cli_init(&p, cmd, argc, argv, opts);
    while ((k = cli_next(&p)) != CLI_END) {
        switch (k) {
        case CLI_OPERAND:
            if (action)
                return usage_error(cmd, "unexpected '%s'", p.arg);
            action = p.arg;
            break;
        case 'h':
            print_cmd_help(cmd, stdout);
            return flush_stdout() ? EXIT_VALID : EXIT_USAGE;
        default:
            return EXIT_USAGE;
        }
    }
    if (!action)
        return usage_error(cmd, "%s", "no action given (ugw secret new)");
    if (strcmp(action, "new") != 0)
        return usage_error(cmd, "unknown action '%s' (ugw secret new)", action);
    if (ugw_secret_generate(&key, text, sizeof text) != UGW_OK) {
        fprintf(stderr, "%s secret: no randomness for a secret\n", cli_name());
        return EXIT_USAGE;
    }
    printf("%s\n", text);
    rc = flush_stdout() ? EXIT_VALID : EXIT_USAGE;
    OPENSSL_cleanse(&key, sizeof key);
    OPENSSL_cleanse(text, sizeof text);
    return rc;
}
