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

/** What the command needs to know of its schema. All of it must outlive the
 * ugw_cli_main() call (static data, as the generated main() has it). */
typedef struct ugw_cli_app {
    /** Program name in messages, usage and help ("ugw": "ugw send: ...",
     * "Usage: ugw send ..."), and first word of `--version`. Required. */
    const char *name;
    /** The schema's descriptors (`<prefix>_schema_events` of the generated
     * code): every event is decoded, validated and encoded against it, with
     * the schema-generic calls of ugw_runtime.h. Required. */
    const ugw_schema *schema;
    /** The payload of the schema's example event of `type` (1-based): the
     * `u` member of the generated fixture, or NULL when there is none. The
     * function itself is NULL for a schema generated without fixtures; the
     * `fixtures` and `demo` commands then say so and exit with status 2. */
    const void *(*fixture)(int type);
    /** The schema's exported documents, made by the generator with the C code
     * (`ugw schema export`): for `format` "jsonschema" (JSON Schema draft
     * 2020-12) or "openapi" (OpenAPI 3.1 webhooks), lenient or, with `strict`
     * nonzero, strict (unknown keys refused), the document as a
     * NULL-terminated array of strings to write one after the other; NULL for
     * an unknown or NULL format. Static data, safe from any thread. The
     * function may be NULL (no documents): `schema export` then says so and
     * exits with status 2. */
    const char *const *(*schema_export)(const char *format, int strict);
    /** The envelope of the schema's example event of `type` (1-based): the
     * `env` member of the generated fixture (a `<prefix>_envelope`), or NULL
     * when there is none. `fixtures` and `demo` encode and send each example
     * with it (ugw_schema_encode_env(), ugw_client_enqueue_event_env()), so
     * that they write the bytes of the generated valid fixtures. The function
     * is NULL for a schema without envelope fields (the generated main() of
     * such a schema, and an app written before this member, which a positional
     * or designated initializer leaves NULL): the examples are then encoded
     * with every envelope field absent, and where the schema requires one,
     * `fixtures` and `demo` say which and exit with status 2. Static data,
     * safe from any thread. */
    const void *(*fixture_envelope)(int type);
} ugw_cli_app;

/**
 * Runs the command line `argv[0..argc)` (validate, convert, fixtures, serve,
 * send, sign, verify, demo, schema, help, version) for `app`'s schema and returns the
 * process exit status: 0 success, 1 an input was invalid or a check failed,
 * 2 a usage or I/O error (also when `app`, its name or its schema is NULL).
 * `--version` prints "NAME LIBRARY-VERSION (schema N, codegen V)" with the
 * library's ugw_version_string() and the schema's version and codegen_version.
 * Installs signal handlers for SIGINT/SIGTERM while serving or sending. Not
 * reentrant: one call per process at a time (the app is kept in a static).
 * validate, convert, fixtures, schema and help run on the codec alone; sign,
 * verify, secret, send, serve, demo, spool and relay are loaded, on their
 * first use, from ugw's commands module (lib/ugw/ugw-commands.so of the ugw
 * this was built with, or the file named by the environment variable
 * UGW_CLI_MODULE; docs/INTEGRATION.md), which stays loaded until the process
 * exits. When the module is missing, cannot be loaded or belongs to another
 * build of ugw, those commands print why (naming the places looked in) and
 * return 2.
 */
UGW_API int ugw_cli_main(const ugw_cli_app *app, int argc, char **argv);

#ifdef __cplusplus
}
#endif
#endif /* UGW_CLI_H */
