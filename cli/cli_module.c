/*
 * cli_module.c - the entry of the commands module (cli/cli_module.h): its
 * commands' rows and the one exported symbol, ugw_cli_module. Built into
 * the module only, never into the command's library.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "cli_module.h"

/* The module's commands, with the usage and help texts kept next to their
 * handlers (the summaries are in the rows of cli/ugw.c). */
static const ugw_cmd module_commands[] = {
    { "demo", NULL, cmd_demo_usage, cmd_demo_help, cmd_demo },
    { "send", NULL, cmd_send_usage, cmd_send_help, cmd_send },
    { "spool", NULL, cmd_spool_usage, cmd_spool_help, cmd_spool },
    { "sign", NULL, cmd_sign_usage, cmd_sign_help, cmd_sign },
    { "verify", NULL, cmd_verify_usage, cmd_verify_help, cmd_verify },
    { "serve", NULL, cmd_serve_usage, cmd_serve_help, cmd_serve },
    { "relay", NULL, cmd_relay_usage, cmd_relay_help, cmd_relay },
    { "secret", NULL, cmd_secret_usage, cmd_secret_help, cmd_secret },
};

static int module_run(const ugw_cli_app *app, int argc, char **argv)
{
    if (!app || !app->name || !app->schema || argc < 1 || !argv || !argv[0])
        return EXIT_USAGE;
    cli_set_app(app);
    for (size_t i = 0; i < sizeof module_commands / sizeof module_commands[0]; i++)
        if (strcmp(module_commands[i].name, argv[0]) == 0)
            return module_commands[i].run(&module_commands[i], argc, argv);
    return usage_error(NULL, "unknown command '%s'", argv[0]);
}

UGW_API extern const cli_module ugw_cli_module;
UGW_API const cli_module ugw_cli_module = { CLI_MODULE_ABI, module_run };
