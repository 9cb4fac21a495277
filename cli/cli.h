/*
 * cli.h - internal interface of the `ugw` command line (not installed).
 *
 * The program is cli/ugw.c (the subcommand table and ugw_cli_main()) plus
 * one file per group of subcommands (cli/cmd_*.c) and the shared helpers of
 * cli/cli_util.c. A subcommand is one handler declared below and one row of
 * the table in ugw.c.
 *
 * The command knows its schema only at run time, from the ugw_cli_app that
 * ugw_cli_main() was given (cli_app()): no generated header is included
 * here. An event is a cli_event (its 1-based type in the schema and a
 * payload buffer), decoded, validated and encoded with the schema-generic
 * calls of <ugw/ugw_runtime.h> (wrapped below as cli_decode()/cli_encode()).
 *
 * Conventions every handler follows:
 *   - argv[0] is the command's name; the handler returns the exit code:
 *     EXIT_VALID (0) success, EXIT_INVALID (1) an input was invalid or a
 *     check failed, EXIT_USAGE (2) a usage or I/O error;
 *   - options are parsed with cli_init()/cli_next() (which print their own
 *     usage messages), `-h`/`--help` prints print_cmd_help() to stdout;
 *   - messages go to stderr as "NAME: ..." or "NAME CMD: ...", NAME being
 *     cli_name() (the app's name, "ugw" for the bundled command);
 *   - usage and help texts name the program "ugw"; usage_error() and
 *     print_cmd_help() print cli_name() in its place (cli_put_text()).
 *
 * This header only grows: add declarations, do not change existing ones.
 */
#ifndef CLI_H
#define CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <ugw/ugw_cli.h>
#include <ugw/ugw_runtime.h>
#include <ugw/ugw_webhook.h>

enum { EXIT_VALID = 0, EXIT_INVALID = 1, EXIT_USAGE = 2 };

/* ------------------------------------------------------------------ */
/* The app: program name and schema (set once by ugw_cli_main())       */
/* ------------------------------------------------------------------ */

/* The app ugw_cli_main() runs; never NULL while a handler runs. */
const ugw_cli_app *cli_app(void);

/* cli_app()->name and cli_app()->schema. */
const char *cli_name(void);
const ugw_schema *cli_schema(void);

/* ugw_schema_payload_max() of the schema, computed once. */
size_t cli_payload_max(void);

/* Sets the app (ugw_cli_main(), and the commands module's entry, each for
 * its own copy): `app` and its schema are not NULL. */
void cli_set_app(const ugw_cli_app *app);

/*
 * One event of the schema: `type` is 1-based (0: none), `payload` points at
 * a buffer of ugw_schema_payload_max() bytes aligned for uint64_t (from
 * cli_event_init()), holding that event's struct. Decode into the same
 * cli_event again and again: nothing is allocated per event.
 */
typedef struct cli_event {
    int type;
    void *payload;
    void *env; /* the envelope struct (ugw_schema_envelope_size() bytes), NULL when the schema has none */
} cli_event;

/* Gives `ev` a payload buffer for any event of the schema and an envelope
 * buffer when the schema has envelope fields (both sized once, per run);
 * false (after a message) when memory runs out. cli_event_free() releases it. */
bool cli_event_init(cli_event *ev);
void cli_event_free(cli_event *ev);

/* ugw_schema_decode_env() of the app's schema into `ev` (envelope too). */
ugw_status cli_decode(ugw_decoder *dec, ugw_format fmt, const void *in, size_t len,
                      cli_event *ev, ugw_error *err);

/* ugw_schema_encode_env() of `type`/`env`/`payload` in the app's schema
 * (`env` NULL: no envelope fields, see ugw_schema_encode_env()). */
ugw_status cli_encode(int type, const void *env, const void *payload, ugw_format fmt, void *out, size_t cap,
                      size_t *out_len, ugw_error *err);

/* The wire event string of `type` in the app's schema ("" when none). */
const char *cli_wire_name(int type);

/* ------------------------------------------------------------------ */
/* The subcommand table (rows in ugw.c)                                */
/* ------------------------------------------------------------------ */

typedef struct ugw_cmd ugw_cmd;
struct ugw_cmd {
    const char *name;
    const char *summary; /* one line for `ugw --help` */
    const char *usage;   /* the synopsis, after "Usage: " */
    const char *help;    /* the rest of `ugw help NAME` */
    /* argv[0] is the command's name; returns the exit code. */
    int (*run)(const ugw_cmd *cmd, int argc, char **argv);
};

/* ------------------------------------------------------------------ */
/* Option parsing (cli_util.c)                                          */
/* ------------------------------------------------------------------ */

/*
 * Long options (`--to json`, `--to=json`), short clusters (`-qv`,
 * `-tjson`), options anywhere among the operands, `--` to end options, and
 * `-` as an operand (stdin). Keys of long-only options are values above 255
 * (each file picks its own, e.g. an enum starting at 256).
 */
typedef struct cli_option {
    const char *name; /* long name without "--", NULL for short-only */
    int key;          /* short letter, or a value above 255 for long-only */
    bool has_arg;
} cli_option;

enum { CLI_END = -1, CLI_OPERAND = -2, CLI_ERROR = -3 };

typedef struct cli_parser {
    const ugw_cmd *cmd;
    int argc;
    char **argv;
    int i;                  /* next argv index */
    const char *shorts;     /* rest of a short-option cluster, or NULL */
    bool operands_only;     /* after "--" */
    const cli_option *opts; /* ends with a zero row */
    const char *arg;        /* the operand, or the option's value */
} cli_parser;

/* Starts parsing argv[1..argc-1] of `cmd` with the options `opts`. */
void cli_init(cli_parser *p, const ugw_cmd *cmd, int argc, char **argv,
              const cli_option *opts);

/*
 * The next option's key (p->arg holding its value, if it takes one),
 * CLI_OPERAND (p->arg is the operand), CLI_END, or CLI_ERROR after a
 * message on stderr.
 */
int cli_next(cli_parser *p);

/* ------------------------------------------------------------------ */
/* Messages and output (cli_util.c)                                     */
/* ------------------------------------------------------------------ */

/* Writes "NAME[ CMD]: MESSAGE" (fmt with one %s for `what`) and the short
 * usage to stderr; returns EXIT_USAGE. `cmd` may be NULL (the program). */
int usage_error(const ugw_cmd *cmd, const char *fmt, const char *what);

/* "Usage: SYNOPSIS\n\nHELP" */
void print_cmd_help(const ugw_cmd *cmd, FILE *out);

/* Writes a usage or help text with cli_name() in place of each word "ugw"
 * (not of "ugw_client.h" or "ugw-x": only "ugw" between non-name characters). */
void cli_put_text(const char *text, FILE *out);

/* Whether the app has fixtures (cli_app()->fixture) that can be encoded:
 * when it has none, or has no fixture_envelope while the schema requires an
 * envelope field, says so on stderr (naming `cmd` and the field). */
bool cli_has_fixtures(const ugw_cmd *cmd);

/* The envelope of the example event of `type` (cli_app()->fixture_envelope),
 * NULL when the app has none: pass it to cli_encode() with the payload. */
const void *cli_fixture_envelope(int type);

/* Flushes stdout; on a write error says so and returns false. */
bool flush_stdout(void);

/* "FILE: PATH: MESSAGE (CODE at byte POS)" */
void print_problem(FILE *out, const char *file, const ugw_error *err);

/* ------------------------------------------------------------------ */
/* Input (cli_util.c)                                                   */
/* ------------------------------------------------------------------ */

/* A growable byte buffer; free(data) when done. */
typedef struct byte_buf {
    char *data;
    size_t len, cap;
} byte_buf;

/*
 * Reads `path` ("-": stdin) into `b`, at most `limit` bytes. Returns 0, or
 * an errno value after which the caller reports the file.
 */
int read_input(const char *path, size_t limit, byte_buf *b);

/* A decoder with the given strictness; NULL (after a message) when memory runs out. */
ugw_decoder *make_decoder(bool strict);

/* Decodes `b` in the format its bytes show (stored in *fmt) into `ev`. */
ugw_status decode_input(ugw_decoder *dec, const byte_buf *b, ugw_format *fmt,
                        cli_event *ev, ugw_error *err);

/* ------------------------------------------------------------------ */
/* Value parsing (cli_util.c)                                           */
/* ------------------------------------------------------------------ */

/*
 * Parses a whole decimal integer (optional '-', digits, nothing else) in
 * [min, max] into *out. Returns false (out unchanged) otherwise.
 */
bool cli_parse_i64(const char *s, int64_t min, int64_t max, int64_t *out);

/* A number of seconds (decimal, e.g. "2.5"; no sign, no white space) above 0
 * and at most `max_s`, into *ms (at least 1). Returns false otherwise. */
bool cli_parse_seconds(const char *s, double max_s, int64_t *ms);
/* Splits "ADDR:PORT", "[IPV6]:PORT" or "PORT" (then on `default_host`)
 * into a malloc'd host (the caller frees it) and a port 0 to 65535; false
 * when it is none of them or memory fails. */
bool cli_parse_listen(const char *s, const char *default_host, char **host, uint16_t *port);
/* "json" or "msgpack" into *out; false for anything else. */
bool cli_parse_format(const char *s, ugw_format *out);

/* ------------------------------------------------------------------ */
/* Secrets (secret_args.c)                                              */
/* ------------------------------------------------------------------ */

/* The most secrets one option takes (key rotation). The shortest key
 * accepted without --allow-weak-secret is the library's rule
 * (ugw_secret_check(), UGW_SECRET_MIN_LEN). */
#define CLI_SECRETS_MAX 8

/*
 * Where the secrets of one option come from. A command with an option
 * `--OPT S` (e.g. "secret", "forward-secret") also offers `--OPT-file FILE`
 * and `--allow-weak-secret` and, when `env` is not NULL, reads that
 * environment variable (e.g. "UGW_SECRET") when neither option is given:
 *
 *   cli_secret_args sa;
 *   cli_secret_args_init(&sa, "secret", "UGW_SECRET");
 *   ... case OPT_SECRET:      if (!cli_secret_args_add(cmd, &sa, false, p.arg)) return EXIT_USAGE;
 *   ... case OPT_SECRET_FILE: if (!cli_secret_args_add(cmd, &sa, true, p.arg)) return EXIT_USAGE;
 *   ... case OPT_ALLOW_WEAK:  sa.allow_weak = true;
 *   ugw_secret keys[CLI_SECRETS_MAX]; size_t n;
 *   if (!cli_secret_args_load(cmd, &sa, keys, CLI_SECRETS_MAX, &n)) return EXIT_USAGE;
 *   ... use keys[0..n) (n 0: none given) ...
 *   OPENSSL_cleanse(keys, sizeof keys);
 */
typedef struct cli_secret_args {
    const char *opt;                       /* option name without "--" */
    const char *env;                       /* environment variable, or NULL */
    const char *texts[CLI_SECRETS_MAX];    /* --OPT values */
    size_t ntexts;
    const char *files[CLI_SECRETS_MAX];    /* --OPT-file paths */
    size_t nfiles;
    bool allow_weak;                       /* --allow-weak-secret */
} cli_secret_args;

/* Empties `a` for option `opt` and environment variable `env` (may be NULL). */
void cli_secret_args_init(cli_secret_args *a, const char *opt, const char *env);

/* Records one `--OPT S` (`file` false) or `--OPT-file FILE` (`file` true);
 * false after a usage message when more than CLI_SECRETS_MAX are given. */
bool cli_secret_args_add(const ugw_cmd *cmd, cli_secret_args *a, bool file, const char *arg);

/*
 * Loads the secrets into keys[0..*n), at most `max`: every --OPT value (with
 * a warning on stderr that the command line is visible to other users),
 * every secret of every --OPT-file (one a line; blank lines and '#' lines
 * skipped; a warning when the file can be read by others), or, when neither
 * is given, the white-space separated secrets of the environment variable.
 * *n is 0 when none is given anywhere (the caller decides whether that is
 * an error). Returns false after a message on stderr (exit EXIT_USAGE) for
 * an unreadable or empty file, an invalid or empty secret, more than `max`,
 * or a key that fails ugw_secret_check() (shorter than UGW_SECRET_MIN_LEN
 * bytes without allow_weak);
 * keys[] is then cleansed. Every temporary copy is cleansed; the caller
 * cleanses keys[] with OPENSSL_cleanse() when done.
 */
bool cli_secret_args_load(const ugw_cmd *cmd, const cli_secret_args *a, ugw_secret *keys, size_t max,
                          size_t *n);

/* ------------------------------------------------------------------ */
/* Handlers                                                             */
/* ------------------------------------------------------------------ */

/* cli/cmd_sign.c: `ugw sign`, `ugw verify` */
int cmd_sign(const ugw_cmd *cmd, int argc, char **argv);
int cmd_verify(const ugw_cmd *cmd, int argc, char **argv);

/* cli/cmd_serve.c: `ugw serve` (the receiver itself is cli/serve.h) */
int cmd_serve(const ugw_cmd *cmd, int argc, char **argv);

/* cli/cmd_fixtures.c: `ugw fixtures` */
int cmd_fixtures(const ugw_cmd *cmd, int argc, char **argv);

/* The usage and help texts of the rows in ugw.c, kept next to their handler. */
extern const char cmd_sign_usage[], cmd_sign_help[];
extern const char cmd_verify_usage[], cmd_verify_help[];
extern const char cmd_serve_usage[], cmd_serve_help[];
extern const char cmd_fixtures_usage[], cmd_fixtures_help[];

/* cli/cmd_send.c: `ugw send`, `ugw send --replay` */
int cmd_send(const ugw_cmd *cmd, int argc, char **argv);
extern const char cmd_send_usage[], cmd_send_help[];

/* cli/cmd_spool.c: `ugw spool stats|list|retry|purge` */
int cmd_spool(const ugw_cmd *cmd, int argc, char **argv);
extern const char cmd_spool_usage[], cmd_spool_help[];

/* cli/cmd_schema.c: `ugw schema export`, `ugw schema diff` */
int cmd_schema(const ugw_cmd *cmd, int argc, char **argv);
extern const char cmd_schema_usage[], cmd_schema_help[];

/* cli/cmd_validate.c: `ugw validate` */
int cmd_validate(const ugw_cmd *cmd, int argc, char **argv);
extern const char cmd_validate_usage[], cmd_validate_help[];

/* cli/cmd_secret.c: `ugw secret new` */
int cmd_secret(const ugw_cmd *cmd, int argc, char **argv);
extern const char cmd_secret_usage[], cmd_secret_help[];

/* cli/cmd_schema.c: `ugw schema export`, `ugw schema diff` */
int cmd_schema(const ugw_cmd *cmd, int argc, char **argv);
extern const char cmd_schema_usage[], cmd_schema_help[];

/* cli/relay.c: `ugw relay init|run|publish` */
int cmd_relay(const ugw_cmd *cmd, int argc, char **argv);
extern const char cmd_relay_usage[], cmd_relay_help[];
/* cli/cmd_demo.c: `ugw demo` */
int cmd_demo(const ugw_cmd *cmd, int argc, char **argv);
extern const char cmd_demo_usage[], cmd_demo_help[];

/* cli/cli_loader.c: the handler of the rows (usage and help NULL) whose
 * command is in the commands module (cli/cli_module.h): loads the module and
 * runs the command there, `argv[0]` its name. */
int cli_run_module(const ugw_cmd *cmd, int argc, char **argv);

#endif /* CLI_H */
