/*
 * cmd_send.c - `ugw send`: deliver events from files to a webhook URL with
 * the delivery client (runtime/ugw_client.h), and `ugw send --replay`: send
 * the bodies of a dead-letter file (docs/DEAD_LETTERS.md) again as recorded.
 *
 * Events: each FILE holds one JSON or MessagePack document (the format is
 * detected from its bytes), or JSON Lines - one event a line - when its name
 * ends in .jsonl or .ndjson or its first two non-empty lines both start with
 * '{'. Each event is decoded and validated, re-encoded in --format and queued;
 * invalid ones are reported ("FILE:LINE: PATH: MESSAGE (CODE at byte POS)")
 * and not sent.
 *
 * This file is the run itself: the client, the signals, handing each event
 * to the client, waiting and the summary. Options, input, replay and output
 * have files of their own (see send.h, which also says how the threads and
 * locks go together).
 *
 * Signals: SIGINT or SIGTERM stops reading and waiting; the events not yet
 * delivered are handed back as "closed" (listed, and written to the
 * dead-letter file when one is given). A second signal ends the program at
 * once. The client's and the progress thread block both signals.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>

#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "send.h"

/* ------------------------------------------------------------------ */
/* Signals                                                              */
/* ------------------------------------------------------------------ */

volatile sig_atomic_t send_interrupted;

static void on_signal(int sig)
{
    send_interrupted = 1;
    signal(sig, SIG_DFL); /* a second signal ends the program */
}

/* ------------------------------------------------------------------ */
/* Handing events to the client                                         */
/* ------------------------------------------------------------------ */

void send_dead_letter_failed(run *r, const char *id, int e)
{
    pthread_mutex_lock(&r->mu);
    r->io_error = true;
    send_clear_progress_locked(r);
    fprintf(stderr, "%s send: the dead letter of %s could not be written: %s (it is not in the file)\n",
            cli_name(), id, strerror(e ? e : EIO));
    fflush(stderr);
    pthread_mutex_unlock(&r->mu);
}

bool send_enqueue(run *r, const void *body, size_t len, ugw_format fmt, const char *event,
                  const char *id, const char *file, uint64_t line)
{
    return send_enqueue_marked(r, body, len, fmt, event, id, file, line, NULL, 0);
}

bool send_enqueue_marked(run *r, const void *body, size_t len, ugw_format fmt, const char *event,
                         const char *id, const char *file, uint64_t line, const char *mark_key,
                         uint64_t mark_value)
{
    origin *o = malloc(sizeof *o);
    ugw_error err;
    ugw_status st;
    char tail[512];

    if (!o) {
        send_say(r, "%s send: out of memory\n", cli_name());
        r->io_error = true;
        r->stop_input = true;
        return false;
    }
    o->file = file;
    o->line = line;
    r->not_taken = false;
    do {
        st = mark_key ? ugw_client_enqueue_marked(r->client, body, len, fmt, event, id, 200, o, mark_key,
                                                  mark_value, NULL, &err)
                      : ugw_client_enqueue_body(r->client, body, len, fmt, event, id, 200, o, NULL, &err);
    } while (st == UGW_ERR_FULL && !send_interrupted);
    if (st == UGW_OK) {
        pthread_mutex_lock(&r->mu);
        r->accepted++;
        pthread_mutex_unlock(&r->mu);
        return true;
    }
    if (st == UGW_ERR_FULL) { /* interrupted while waiting for room: not taken */
        free(o);
        r->not_taken = true;
        return false;
    }
    /* Not accepted (the endpoint is gone, or out of memory): failed here, and
     * dead-lettered like every other failed event. */
    send_where(tail, sizeof tail, 0, o);
    free(o);
    pthread_mutex_lock(&r->mu);
    r->failed++;
    send_clear_progress_locked(r);
    fprintf(stderr, "failed %s \"%s\": not sent: %s%s\n", id ? id : "-", event ? event : "",
            err.message ? err.message : ugw_status_name(st), tail);
    if (st == UGW_ERR_CLOSED)
        fprintf(stderr, "%s send: no more events are sent (the endpoint answered 410 Gone)\n", cli_name());
    fflush(stderr);
    pthread_mutex_unlock(&r->mu);
    if (r->dead_fd >= 0 && (st == UGW_ERR_CLOSED || st == UGW_ERR_NOMEM)) {
        ugw_dead_letter rec;
        char new_id[UGW_WEBHOOK_ID_MAX];
        int e = 0;
        memset(&rec, 0, sizeof rec);
        if (!id && ugw_webhook_id_new(new_id) == UGW_OK)
            id = new_id;
        rec.id = id ? id : "-";
        rec.event = event;
        rec.format = fmt;
        rec.body = body;
        rec.body_len = len;
        rec.last_status = st == UGW_ERR_CLOSED ? 410 : 0;
        rec.result = st == UGW_ERR_CLOSED ? "gone" : "closed";
        rec.error = err.message ? err.message : "";
        if (ugw_dead_letter_write(r->dead_fd, &rec, &e, NULL) != UGW_OK)
            send_dead_letter_failed(r, rec.id, e);
    }
    if (st == UGW_ERR_CLOSED || st == UGW_ERR_NOMEM || st == UGW_ERR_IO) {
        r->stop_input = true; /* gone, no memory, or the spool cannot be written */
        if (st == UGW_ERR_IO)
            r->io_error = true;
        return false;
    }
    return true; /* this event only (the client refused its id) */
}

/* ------------------------------------------------------------------ */
/* ugw send                                                             */
/* ------------------------------------------------------------------ */

/* Says where input stopped (the first line that is neither delivered, nor
 * listed as failed, nor invalid) and how to go on from there. */
static void send_report_stop(const run *r, const send_opts *o)
{
    const char *name = send_display_name(r->stop_file);
    char at[32] = "";
    if (r->stop_line)
        snprintf(at, sizeof at, ":%llu", (unsigned long long)r->stop_line);
    fprintf(stderr, "%s send: stopped at %s%s: %s and what follows %s not read or not sent\n", cli_name(), name, at,
            r->stop_line ? "that line" : "that file", o->replay || o->nfiles < 2 ? "was" : "(and the files after it) were");
    if (strcmp(r->stop_file, "-") != 0)
        fprintf(stderr, "%s send: to go on from there, run the same command with --resume-at %s:%llu\n", cli_name(),
                r->stop_file, (unsigned long long)(r->stop_line ? r->stop_line : 1));
}

static int send_run(const send_opts *o)
{
    run r;
    ugw_client_config cfg;
    ugw_error err;
    sigset_t block, old_mask;
    struct sigaction sa, old_int, old_term;
    int rc;

    ugw_secret key;
    char key_text[UGW_SECRET_TEXT_MAX];
    size_t nkeys = 0;

    /* The secret, checked before anything is read or sent; the client keeps
     * only its own keyed copy, so both of ours are cleansed right after. */
    if (!cli_secret_args_load(o->cmd, &o->secret, &key, 1, &nkeys))
        return EXIT_USAGE;
    key_text[0] = '\0';
    if (nkeys && ugw_secret_format(&key, key_text, sizeof key_text) != UGW_OK) {
        OPENSSL_cleanse(&key, sizeof key);
        fprintf(stderr, "%s send: the secret cannot be used\n", cli_name());
        return EXIT_USAGE;
    }
    OPENSSL_cleanse(&key, sizeof key);
    memset(&r, 0, sizeof r);
    r.dead_fd = -1;
    r.resume_file = o->resume_file;
    r.resume_line = o->resume_line;
    if (o->dead_letter) {
        int e = 0;
        r.dead_fd = ugw_dead_letter_append_open(o->dead_letter, &e);
        if (r.dead_fd < 0) {
            OPENSSL_cleanse(key_text, sizeof key_text);
            fprintf(stderr, "%s send: cannot open the dead-letter file %s: %s\n", cli_name(), o->dead_letter,
                    strerror(e));
            return EXIT_USAGE;
        }
    }
    r.format = o->format;
    if ((!o->replay && !(r.dec = make_decoder(o->strict))) || (!o->replay && !cli_event_init(&r.ev))) {
        ugw_decoder_free(r.dec);
        OPENSSL_cleanse(key_text, sizeof key_text);
        if (r.dead_fd >= 0)
            close(r.dead_fd);
        return EXIT_USAGE;
    }
    pthread_mutex_init(&r.mu, NULL);
    pthread_cond_init(&r.wake, NULL);

    memset(&cfg, 0, sizeof cfg);
    cfg.url = o->url;
    cfg.secret = nkeys ? key_text : NULL;
    cfg.allow_weak_secret = o->secret.allow_weak;
    cfg.ca_file = o->ca_file;
    cfg.tls_retry = o->tls_retry;
    cfg.format = o->format;
    cfg.timeout_ms = o->timeout_ms;
    cfg.max_attempts = o->max_attempts;
    cfg.backoff_base_ms = o->backoff_ms;
    cfg.max_in_flight = o->concurrency;
    /* The process is ours: keep freed heap for the next requests instead of
     * trimming it back after each (docs/OPERATIONS.md, heap trimming). */
    cfg.tune_malloc = true;
    cfg.dead_letter_path = o->dead_letter;
    cfg.spool_path = o->spool;
    cfg.spool_sync = o->spool_sync;
    r.spool = o->spool != NULL;
    cfg.on_outcome = send_on_outcome;
    cfg.on_outcome_ctx = &r;

    /* The client's thread and ours take no SIGINT/SIGTERM: they come to main. */
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &block, &old_mask);
    send_interrupted = 0;
    clock_gettime(CLOCK_MONOTONIC, &r.start);
    r.client = ugw_client_new(&cfg, &err);
    OPENSSL_cleanse(key_text, sizeof key_text);
    if (!r.client) {
        pthread_sigmask(SIG_SETMASK, &old_mask, NULL);
        if (o->spool && strcmp(err.path, "spool_path") == 0)
            fprintf(stderr, "%s send: the spool %s: %s (%s)\n", cli_name(), o->spool,
                    err.message ? err.message : "error", ugw_status_name(err.code));
        else if (err.code == UGW_ERR_IO && o->dead_letter)
            fprintf(stderr, "%s send: cannot open the dead-letter file %s: %s\n", cli_name(), o->dead_letter,
                    err.message ? err.message : "error");
        else
            fprintf(stderr, "%s send: %s%s%s\n", cli_name(), err.path[0] ? err.path : "", err.path[0] ? ": " : "",
                    err.message ? err.message : "cannot start the client");
        ugw_decoder_free(r.dec);
        cli_event_free(&r.ev);
        pthread_cond_destroy(&r.wake);
        pthread_mutex_destroy(&r.mu);
        if (r.dead_fd >= 0)
            close(r.dead_fd);
        return EXIT_USAGE;
    }
    if (o->replay)
        send_input_sizes(&r, &o->replay, 1);
    else
        send_input_sizes(&r, o->files, o->nfiles);
    if (o->spool) {
        ugw_client_stats cs;
        ugw_client_stats_get(r.client, &cs);
        if (cs.resumed)
            send_say(&r, "%s send: resuming %llu event%s pending in the spool %s\n", cli_name(),
                     (unsigned long long)cs.resumed, cs.resumed == 1 ? "" : "s", o->spool);
    }
    if (!o->quiet)
        send_start_progress(&r);
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0; /* no SA_RESTART: a blocking read returns at once */
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);
    pthread_sigmask(SIG_SETMASK, &old_mask, NULL);

    if (o->replay) {
        send_replay(&r, o->replay);
    } else {
        size_t i;
        for (i = 0; i < o->nfiles && !send_interrupted && !r.stop_input && !r.stop_file; i++)
            send_file(&r, o->files[i]);
        pthread_mutex_lock(&r.mu);
        r.input_done = true; /* the total is now the events read */
        pthread_mutex_unlock(&r.mu);
        /* Stopped between files: the next one was not read at all. */
        if (!r.stop_file && i < o->nfiles) {
            r.stop_file = o->files[i];
            r.stop_line = 0;
        }
    }
    /* Wait for every outcome, in steps so that a signal is noticed. */
    while (!send_interrupted && ugw_client_flush(r.client, 200) == UGW_ERR_TIMEOUT)
        ;
    /* The progress thread reads the client's counters: it ends before close(). */
    send_stop_progress(&r);
    {
        ugw_client_stats cs;
        ugw_client_stats_get(r.client, &cs);
        r.retried = cs.retried;
    }
    if (send_interrupted && o->spool)
        send_say(&r, "%s send: interrupted: events not yet delivered stay in the spool %s; run again to "
                 "deliver them\n", cli_name(), o->spool);
    else if (send_interrupted)
        send_say(&r, "%s send: interrupted: events not yet delivered are handed back as failed\n", cli_name());
    ugw_client_close(r.client, 0); /* hands back whatever is left, as "closed" */
    r.client = NULL;
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);

    if (!o->quiet)
        send_summary(&r);
    if (r.stop_file)
        send_report_stop(&r, o);
    if (o->json) {
        send_summary_json(&r);
        if (!flush_stdout())
            r.io_error = true;
    }
    if (r.dead_fd >= 0 && close(r.dead_fd) != 0) {
        fprintf(stderr, "%s send: the dead-letter file %s: %s\n", cli_name(), o->dead_letter, strerror(errno));
        r.io_error = true;
    }
    rc = r.io_error ? EXIT_USAGE
       : (r.failed || r.invalid || r.kept || send_interrupted || r.stop_file) ? EXIT_INVALID : EXIT_VALID;

    ugw_decoder_free(r.dec);
    cli_event_free(&r.ev);
    free(r.enc);
    pthread_cond_destroy(&r.wake);
    pthread_mutex_destroy(&r.mu);
    return rc;
}

int cmd_send(const ugw_cmd *cmd, int argc, char **argv)
{
    send_opts o;
    int rc;

    memset(&o, 0, sizeof o);
    o.cmd = cmd;
    o.format = UGW_FORMAT_JSON;
    o.files = malloc(sizeof *o.files * (size_t)(argc > 0 ? argc : 1));
    if (!o.files) {
        fprintf(stderr, "%s send: out of memory\n", cli_name());
        return EXIT_USAGE;
    }
    rc = send_parse_options(cmd, argc, argv, &o);
    if (rc < 0)
        rc = send_check_files(&o) ? send_run(&o) : EXIT_USAGE;
    free(o.files);
    return rc;
}
