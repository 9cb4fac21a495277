/*
 * send.h - what the files of `ugw send` share (internal to cli/, not
 * installed). By concern:
 *
 *   cmd_send.c      the run: the client, signals, handing events over, the
 *                   end of the run
 *   send_options.c  usage and help, the options, the files checked first
 *   send_input.c    event files: JSON Lines or one document, each event
 *                   decoded, validated and re-encoded
 *   send_replay.c   --replay: dead letters through the runtime's reader
 *   send_output.c   messages, failed events, the progress line, the summary
 *
 * Threads: the client calls send_on_outcome() on its own thread (or on ours
 * in ugw_client_close()); a progress thread, only when stderr is a terminal,
 * redraws one status line five times a second. `run.mu` guards the counters
 * and every write to stderr once the client has started, so that messages
 * and the progress line never mix. The client calls back without its own
 * lock held, and no client function is called with run.mu held, so the two
 * locks are never nested.
 */
#ifndef UGW_CLI_SEND_H
#define UGW_CLI_SEND_H

#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <ugw/ugw_client.h>

#include "cli.h"

typedef struct send_opts {
    const ugw_cmd *cmd;
    const char *url, *dead_letter, *replay, *ca_file;
    cli_secret_args secret;  /* --secret, --secret-file, UGW_SECRET */
    bool tls_retry;          /* --retry-tls-errors */
    const char *resume_file; /* --resume-at FILE:LINE */
    const char *spool;       /* --spool FILE */
    ugw_spool_sync spool_sync; /* --spool-sync crash|power */
    bool spool_sync_given;
    uint64_t resume_line;
    ugw_format format;
    bool format_given, strict;
    unsigned concurrency, max_attempts;
    long timeout_ms, backoff_ms;
    const char **files;
    size_t nfiles;
    bool quiet;              /* -q: no progress line, no summary line */
    bool json;               /* --json: a JSON summary on standard output */
} send_opts;

/* Where an event came from, handed to the client as its `user` pointer. */
typedef struct origin {
    const char *file;
    uint64_t line; /* 0: the whole file */
} origin;

/* One run of `ugw send`. */
typedef struct run {
    ugw_client *client;
    ugw_decoder *dec;
    cli_event ev;            /* the decoded event: one payload buffer for all */
    ugw_format format;

    pthread_mutex_t mu;      /* the fields below, and stderr */
    pthread_cond_t wake;     /* the progress thread's timer; signalled to stop */
    uint64_t delivered, failed, invalid, accepted, kept;
    bool spool;              /* --spool: inputs are marked, kept events reported */
    bool progress_on;        /* the progress line is on the screen */
    /* How far the input is read, for the percentage and the time left:
     * in_total bytes in all (when every input is a regular file), in_done
     * of them in the files finished, in_pos in the current one. */
    bool in_total_known, input_done;
    uint64_t in_total, in_done, in_pos;
    uint64_t retried;        /* the client's count, at the end */
    bool stop_progress;
    pthread_t progress;
    bool progress_started;

    struct timespec start;
    bool io_error;           /* an input could not be read: exit 2 */
    bool stop_input;         /* the endpoint is gone: read no more */

    char *enc;               /* re-encoded body */
    size_t enc_cap;

    int dead_fd;             /* our own handle on --dead-letter (-1: none), for the
                                events the client refuses after a 410 */
    const char *resume_file; /* skip inputs until this one, then its lines before */
    uint64_t resume_line;    /*   this one (--resume-at) */
    bool not_taken;          /* the last event handed over was not taken (a signal) */
    const char *stop_file;   /* where input stopped early, NULL when it did not: */
    uint64_t stop_line;      /*   the first line not accounted for (0: the whole file) */
} run;

/* Set by SIGINT or SIGTERM: stop reading and waiting (cmd_send.c). */
extern volatile sig_atomic_t send_interrupted;

/* ---- cmd_send.c ---- */

/*
 * Hands one body to the client, waiting for room as long as it takes (in
 * steps, to notice a signal). `id` NULL makes a new webhook-id. Returns false
 * when input should stop (interrupted, or the endpoint is gone).
 */
bool send_enqueue(run *r, const void *body, size_t len, ugw_format fmt, const char *event,
                  const char *id, const char *file, uint64_t line);
/* The same, recording (with --spool) `mark_value` under `mark_key` in the
 * same commit as the event (mark_key NULL: none). */
bool send_enqueue_marked(run *r, const void *body, size_t len, ugw_format fmt, const char *event,
                         const char *id, const char *file, uint64_t line, const char *mark_key,
                         uint64_t mark_value);

/* Says that the dead letter of `id` could not be written (errno `e`) and
 * makes the exit status 2. */
void send_dead_letter_failed(run *r, const char *id, int e);

/* ---- send_options.c ---- */

/* Returns -1 when the options are good, else the exit code (after a message). */
int send_parse_options(const ugw_cmd *cmd, int argc, char **argv, send_opts *o);
/* Every named file must open before anything is sent. */
bool send_check_files(const send_opts *o);
/* A path as messages show it: "(standard input)" for "-". */
const char *send_display_name(const char *path);

/* ---- send_input.c ---- */

/* Sends the events of one file ("-": standard input). Sets r->stop_file
 * and r->stop_line when it stops before the file's end. */
void send_file(run *r, const char *path);

/* ---- send_replay.c ---- */

/* Sends the records of a dead-letter file again, as recorded (stopping
 * early as send_file() does). */
void send_replay(run *r, const char *path);

/* ---- send_output.c ---- */

/* Seconds since the run started. */
double send_elapsed_s(const run *r);
/* Clears the progress line, if shown; with r->mu held. */
void send_clear_progress_locked(run *r);
/* A message line on stderr that does not mix with the progress line. */
#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
void send_say(run *r, const char *fmt, ...);
/* " (3 attempts, FILE:LINE)" */
void send_where(char *out, size_t cap, unsigned attempts, const origin *o);
/* Counts one invalid event or malformed line. */
void send_count_invalid(run *r);
/* The client's outcome callback: counts, and lists a failed event. */
void send_on_outcome(const ugw_outcome *oc, void *ctx);
/* Starts the progress thread when stderr is a terminal. */
void send_start_progress(run *r);
/* Stops it (before the client is closed: it reads the client's counters). */
void send_stop_progress(run *r);
/* "N events: D delivered, F failed, I invalid in T s" */
void send_summary(const run *r);
/* {"events":N,"delivered":D,"failed":F,"invalid":I,"retried":R,"seconds":T,
 *  "bytes":B|null,"stopped_at":"FILE:LINE"|null} and a line end, on stdout. */
void send_summary_json(const run *r);
/* The input's sizes: in_total from the regular files among `paths` (or the
 * replay file), unknown when one is not (standard input, a pipe). */
void send_input_sizes(run *r, const char *const *paths, size_t n);
/* The bytes of the current input read so far; and that it is finished
 * (its size counted as read). With r->mu taken inside. */
void send_input_at(run *r, uint64_t pos);
void send_input_file_done(run *r, const char *path);

#endif /* UGW_CLI_SEND_H */
