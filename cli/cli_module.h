/*
 * cli_module.h - the commands module of `ugw` (internal, not installed).
 *
 * The commands that sign, send or receive (sign, verify, secret, send, serve,
 * demo, spool, relay) need OpenSSL, libcurl, libmicrohttpd, SQLite and
 * libnats, whose loading takes far longer than validating a document does.
 * They are built into a private shared object, CLI_MODULE_FILE, that
 * ugw_cli_main() loads with dlopen() only when one of them runs
 * (cli_run_module(), cli/cli_loader.c); validate, convert, fixtures, schema
 * and help need the codec alone (ugw::runtime).
 *
 * The module exports one symbol, CLI_MODULE_SYMBOL, a cli_module: its `abi`
 * is compared with the loader's CLI_MODULE_ABI before anything else of it is
 * used (`abi` stays the first member in every version), so that a module of
 * another build of ugw is refused with a message instead of being called.
 * The module holds its own copy of cli/cli_util.c: run() sets that copy's app
 * from the one it is given.
 *
 * Where it is looked for, first found wins (docs/INTEGRATION.md):
 *   1. the file named by the environment variable UGW_CLI_MODULE, when set
 *      (then nowhere else);
 *   2. beside the executable (a build tree), and in UGW_CLI_MODULE_REL under
 *      its directory (the installed layout: bin/../lib/ugw/);
 *   3. beside the shared library that holds ugw_cli_main(), and in ugw/ under
 *      its directory (lib/ugw/);
 *   4. UGW_CLI_MODULE_DIR, the directory it was installed to (an executable
 *      of another project, linked with the static ugw::cli).
 */
#ifndef CLI_MODULE_H
#define CLI_MODULE_H

#include <ugw/ugw_cli.h>
#include <ugw/ugw_version.h>

/* The module's file name. */
#define CLI_MODULE_FILE "ugw-commands.so"

/* The name of the module's one exported symbol. */
#define CLI_MODULE_SYMBOL "ugw_cli_module"

/* Changes with every version of ugw, and with the last number whenever
 * cli_module, ugw_cli_app or what run() expects changes. */
#define CLI_MODULE_ABI "ugw-commands " UGW_VERSION_STRING " 2"

typedef struct cli_module {
    /* CLI_MODULE_ABI of the module's build: checked first. */
    const char *abi;
    /* Runs the command argv[0] (one of the module's) with `app`: the
     * process's exit status, as ugw_cli_main() returns it. */
    int (*run)(const ugw_cli_app *app, int argc, char **argv);
} cli_module;

#endif /* CLI_MODULE_H */
