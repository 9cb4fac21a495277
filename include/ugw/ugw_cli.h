/*
 * ugw_cli.h - the ugw command as a library, for any schema.
 *
 * The `ugw` command is this library with the bundled events; ugw_generate()
 * with CLI <exe> builds the same command for another schema, from a generated
 * main() that fills a ugw_cli_app and calls ugw_cli_main().
 */
#ifndef UGW_CLI_H
#define UGW_CLI_H

#include "ugw_runtime.h"

#ifdef __cplusplus
extern "C" {
#endif

/** What the command needs to know of its schema. */
typedef struct ugw_cli_app {
    const char *name;                 /**< program name in messages and help, "ugw" */
    const ugw_schema *schema;         /**< the schema's descriptors */
    /** The payload of the schema's example event of `type` (1-based), NULL
     * when there is none (a schema generated without fixtures: NULL). */
    const void *(*fixture)(int type);
} ugw_cli_app;

/**
 * Runs the command line `argv[0..argc)` (validate, convert, fixtures, serve,
 * send, sign, verify, demo, help, version) for `app`'s schema and returns the
 * process exit status. Installs signal handlers for SIGINT/SIGTERM while
 * serving or sending. Not reentrant: one call per process at a time.
 */
UGW_API int ugw_cli_main(const ugw_cli_app *app, int argc, char **argv);

#ifdef __cplusplus
}
#endif
#endif /* UGW_CLI_H */
