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
 * Input is read in chunks with read(2): a JSON Lines file of any size (or a
 * pipe that is still being written) is streamed one line at a time, and no
 * line or document is kept beyond the decoder's max_input plus one byte (a
 * longer one is handed to the decoder cut there, and it says `limit`).
 *
 * Threads: the client calls on_outcome() on its own thread (or on ours in
 * ugw_client_close()); a progress thread, only when stderr is a terminal,
 * redraws one status line five times a second. `run.mu` guards the counters
 * and every write to stderr once the client has started, so that messages
 * and the progress line never mix. The client calls back without its own
 * lock held, and no client function is called with run.mu held, so the two
 * locks are never nested.
 *
 * Signals: SIGINT or SIGTERM stops reading and waiting; the events not yet
 * delivered are handed back as "closed" (listed, and written to the
 * dead-letter file when one is given). A second signal ends the program at
 * once. The client's and the progress thread block both signals.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#define JSMN_STATIC /* our own copy: the runtime's is built with other options */
#define JSMN_STRICT
#include <jsmn.h>

#include <ugw/ugw_client.h>
#include <ugw/ugw_runtime.h>
#include <ugw/ugw_webhook.h>

#include "cli.h"

const char cmd_send_usage[] =
    "ugw send --url URL [--secret S] [--format json|msgpack] [--concurrency N]\n"
    "                [--dead-letter FILE] [--strict] [--timeout SECONDS]\n"
    "                [--max-attempts N] [--backoff-ms N] FILE...\n"
    "       ugw send --replay FILE --url URL [--secret S] [--concurrency N]\n"
    "                [--dead-letter FILE] [--timeout SECONDS] [--max-attempts N]\n"
    "                [--backoff-ms N]";
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
    "On a terminal a progress line is shown; a summary line always ends the\n"
    "run: 'N events: D delivered, F failed, I invalid in T s'.\n"
    "\n"
    "With --replay, FILE is a dead-letter file (JSON Lines, as written by\n"
    "--dead-letter; see docs/DEAD_LETTERS.md) and each recorded body is sent\n"
    "again byte for byte, in its recorded format, with its original webhook-id.\n"
    "Malformed lines are reported with their line numbers.\n"
    "\n"
    "Options:\n"
    "  --url URL            the http:// or https:// endpoint (required)\n"
    "  --secret S           sign requests: whsec_ + base64 of the key\n"
    "                       (prefix optional); unsigned without it\n"
    "  --format FORMAT      body format, json (default) or msgpack\n"
    "  --concurrency N      requests in flight at once, 1 to 1024 (default 8)\n"
    "  --dead-letter FILE   append each failed event to FILE (JSON Lines)\n"
    "  --strict             reject unknown keys (default: ignore them)\n"
    "  --timeout SECONDS    limit of one attempt, e.g. 2.5 (default 30)\n"
    "  --max-attempts N     attempts per event, 1 to 1000 (default 8)\n"
    "  --backoff-ms N       delay after the first failure in milliseconds,\n"
    "                       doubling after each (default 1000)\n"
    "  --replay FILE        send a dead-letter file again (no FILE operands;\n"
    "                       --format and --strict do not apply)\n"
    "  -h, --help           show this help\n"
    "\n"
    "SIGINT or SIGTERM stops sending: events not yet delivered are listed as\n"
    "failed ('closed') and written to the dead-letter file.\n"
    "\n"
    "Exit status: 0 every event delivered, 1 an event failed or was invalid\n"
    "(or a dead-letter line was malformed), 2 usage error, bad URL or secret,\n"
    "a file that cannot be read or a dead-letter file that cannot be written.\n"
    "\n"
    "Examples:\n"
    "  ugw send --url http://127.0.0.1:8080/hook --secret \"$SECRET\" \\\n"
    "      --dead-letter failed.jsonl events.jsonl\n"
    "  ugw send --replay failed.jsonl --url http://127.0.0.1:8080/hook\n";

/* ------------------------------------------------------------------ */
/* Options                                                              */
/* ------------------------------------------------------------------ */

enum {
    OPT_URL = 256, OPT_SECRET, OPT_FORMAT, OPT_CONCURRENCY, OPT_DEAD_LETTER,
    OPT_STRICT, OPT_TIMEOUT, OPT_MAX_ATTEMPTS, OPT_BACKOFF_MS, OPT_REPLAY
};

typedef struct send_opts {
    const char *url, *secret, *dead_letter, *replay;
    ugw_format format;
    bool format_given, strict;
    unsigned concurrency, max_attempts;
    long timeout_ms, backoff_ms;
    const char **files;
    size_t nfiles;
} send_opts;

/* A decimal number of seconds, 0 < s <= 86400, into milliseconds (at least 1). */
static bool parse_seconds(const char *s, long *ms)
{
    char *end;
    double v;
    if (!s || !*s || strchr(" \t\n\r\f\v+-", s[0]))
        return false;
    errno = 0;
    v = strtod(s, &end);
    if (errno || *end || !isfinite(v) || v <= 0 || v > 86400)
        return false;
    *ms = (long)(v * 1000 + 0.5);
    if (*ms < 1)
        *ms = 1;
    return true;
}

/* Returns -1 when the options are good, else the exit code (after a message). */
static int parse_options(const ugw_cmd *cmd, int argc, char **argv, send_opts *o)
{
    static const cli_option opts[] = {
        { "url", OPT_URL, true },
        { "secret", OPT_SECRET, true },
        { "format", OPT_FORMAT, true },
        { "concurrency", OPT_CONCURRENCY, true },
        { "dead-letter", OPT_DEAD_LETTER, true },
        { "strict", OPT_STRICT, false },
        { "timeout", OPT_TIMEOUT, true },
        { "max-attempts", OPT_MAX_ATTEMPTS, true },
        { "backoff-ms", OPT_BACKOFF_MS, true },
        { "replay", OPT_REPLAY, true },
        { "help", 'h', false },
        { NULL, 0, false },
    };
    cli_parser p;
    int k;
    int64_t v;

    cli_init(&p, cmd, argc, argv, opts);
    while ((k = cli_next(&p)) != CLI_END) {
        switch (k) {
        case CLI_OPERAND: o->files[o->nfiles++] = p.arg; break;
        case OPT_URL: o->url = p.arg; break;
        case OPT_SECRET: o->secret = p.arg; break;
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
        case OPT_STRICT: o->strict = true; break;
        case OPT_TIMEOUT:
            if (!parse_seconds(p.arg, &o->timeout_ms))
                return usage_error(cmd, "--timeout must be a number of seconds above 0 and at most 86400, not '%s'", p.arg);
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
    if (o->secret) {
        ugw_secret key;
        ugw_error err;
        if (!o->secret[0])
            return usage_error(cmd, "%s", "--secret is empty (leave it out to send unsigned requests)");
        if (ugw_secret_parse(o->secret, strlen(o->secret), &key, &err) != UGW_OK) {
            fprintf(stderr, "%s send: bad --secret: %s (at character %zu)\n", cli_name(),
                    err.message ? err.message : "invalid", err.pos);
            return EXIT_USAGE;
        }
        memset(&key, 0, sizeof key);
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

/* ------------------------------------------------------------------ */
/* Signals                                                              */
/* ------------------------------------------------------------------ */

static volatile sig_atomic_t send_interrupted;

static void on_signal(int sig)
{
    send_interrupted = 1;
    signal(sig, SIG_DFL); /* a second signal ends the program */
}

/* ------------------------------------------------------------------ */
/* Reading: chunks with read(2), lines or one whole document            */
/* ------------------------------------------------------------------ */

#define READ_CHUNK ((size_t)64 << 10)

typedef struct reader {
    const char *name; /* for messages */
    int fd;
    char *buf;
    size_t size;      /* allocated */
    size_t cap;       /* most bytes kept of one line or document */
    size_t beg, end;  /* unread bytes buf[beg..end) */
    size_t scan;      /* no '\n' in buf[beg..scan): where the search goes on */
    bool eof;
    bool skip;        /* dropping the rest of an over-long line */
    int err;          /* errno of a failed read (or ENOMEM), 0 when none */
    uint64_t line;    /* number of the last line returned */
} reader;

static const char *display_name(const char *path)
{
    return strcmp(path, "-") == 0 ? "(standard input)" : path;
}

/* Opens `path` ("-": stdin); returns 0 or an errno value. */
static int reader_open(reader *r, const char *path, size_t cap)
{
    struct stat st;
    memset(r, 0, sizeof *r);
    r->name = display_name(path);
    r->cap = cap;
    if (strcmp(path, "-") == 0) {
        r->fd = STDIN_FILENO;
        return 0;
    }
    r->fd = open(path, O_RDONLY | O_CLOEXEC);
    if (r->fd < 0)
        return errno ? errno : EIO;
    if (fstat(r->fd, &st) == 0 && S_ISDIR(st.st_mode)) {
        close(r->fd);
        r->fd = -1;
        return EISDIR;
    }
    return 0;
}

static void reader_close(reader *r)
{
    if (r->fd > STDIN_FILENO)
        close(r->fd);
    r->fd = -1;
    free(r->buf);
    r->buf = NULL;
}

/*
 * Reads more: > 0 bytes were added; 0 at the end of input (or interrupted);
 * -1 on an error (r->err set); -2 when buf[beg..end) is already `cap` bytes.
 */
static int reader_more(reader *r)
{
    if (r->eof)
        return 0;
    if (r->err)
        return -1;
    if (r->end == r->size && r->beg > 0) {
        memmove(r->buf, r->buf + r->beg, r->end - r->beg);
        r->end -= r->beg;
        r->scan = r->scan > r->beg ? r->scan - r->beg : 0;
        r->beg = 0;
    }
    if (r->end - r->beg >= r->cap)
        return -2;
    if (r->end == r->size) {
        size_t nsize = r->size ? r->size * 2 : READ_CHUNK;
        char *nb;
        if (nsize > r->cap)
            nsize = r->cap;
        nb = realloc(r->buf, nsize);
        if (!nb) {
            r->err = ENOMEM;
            return -1;
        }
        r->buf = nb;
        r->size = nsize;
    }
    for (;;) {
        size_t want = r->size - r->end;
        ssize_t n;
        if (want > r->cap - (r->end - r->beg))
            want = r->cap - (r->end - r->beg);
        n = read(r->fd, r->buf + r->end, want);
        if (n > 0) {
            r->end += (size_t)n;
            return 1;
        }
        if (n == 0 || (errno == EINTR && send_interrupted)) {
            r->eof = true;
            return 0;
        }
        if (errno != EINTR) {
            r->err = errno ? errno : EIO;
            return -1;
        }
    }
}

/* The next '\n' in buf[beg..end), or NULL; remembers how far it looked. */
static char *find_newline(reader *r)
{
    size_t from = r->scan > r->beg ? r->scan : r->beg;
    char *nl = r->end > from ? memchr(r->buf + from, '\n', r->end - from) : NULL;
    r->scan = nl ? (size_t)(nl - r->buf) : r->end;
    return nl;
}

/*
 * The next line without its '\n' in *p, *n (valid until the next call) and
 * true; false at the end of input or after an error (r->err). A line longer
 * than `cap` is returned cut to `cap` bytes with *cut set, and its rest is
 * skipped.
 */
static bool reader_line(reader *r, const char **p, size_t *n, bool *cut)
{
    *cut = false;
    while (r->skip) {
        char *nl = find_newline(r);
        if (nl) {
            r->beg = (size_t)(nl - r->buf) + 1;
            r->skip = false;
            break;
        }
        r->beg = r->end;
        if (reader_more(r) <= 0)
            return false;
    }
    for (;;) {
        char *nl = find_newline(r);
        int m;
        if (nl) {
            *p = r->buf + r->beg;
            *n = (size_t)(nl - *p);
            r->beg = (size_t)(nl - r->buf) + 1;
            r->line++;
            return true;
        }
        m = reader_more(r);
        if (m > 0)
            continue;
        if (m == -1 || (m == 0 && send_interrupted))
            return false; /* an error, or a signal: not a half-read line */
        if (m == -2) {
            *cut = true;
            r->skip = true;
        } else if (r->end == r->beg) {
            return false;
        }
        /* the last line without '\n', or the first `cap` bytes of a long one */
        *p = r->buf + r->beg;
        *n = r->end - r->beg;
        r->beg = r->end;
        r->line++;
        return true;
    }
}

/* Reads the rest, up to `cap` bytes in all; false after an error (r->err). */
static bool reader_all(reader *r, const char **p, size_t *n)
{
    int m;
    while ((m = reader_more(r)) > 0)
        ;
    if (m == -1)
        return false;
    *p = r->buf ? r->buf + r->beg : "";
    *n = r->end - r->beg;
    return true;
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static bool is_blank(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!is_space(p[i]))
            return false;
    return true;
}

/* Index of the first byte at or after `i` that is not white space, or `end`. */
static size_t skip_space(const char *b, size_t i, size_t end)
{
    while (i < end && is_space(b[i]))
        i++;
    return i;
}

static bool has_suffix(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcasecmp(s + n - m, suffix) == 0;
}

/*
 * Whether the input is JSON Lines: by name, or because its first two
 * non-empty lines both start with '{' (a lone non-empty line counts too: one
 * event either way). Reads only as far as needed to tell, so that a pipe can
 * be streamed. Otherwise it is one document (JSON or MessagePack).
 */
static bool is_json_lines(reader *r, const char *path)
{
    if (has_suffix(path, ".jsonl") || has_suffix(path, ".ndjson"))
        return true;
    for (;;) {
        const char *b = r->buf;
        size_t first = b ? skip_space(b, r->beg, r->end) : r->end, second;
        const char *nl;
        int m;
        if (first < r->end) {
            if (ugw_detect_format(b + first, r->end - first) != UGW_FORMAT_JSON || b[first] != '{')
                return false;
            nl = memchr(b + first, '\n', r->end - first);
            if (nl) {
                second = skip_space(b, (size_t)(nl - b), r->end);
                if (second < r->end)
                    return b[second] == '{';
            }
        }
        m = reader_more(r);
        if (m == 0)
            return first < r->end; /* at most one non-empty line; none: one (empty) document */
        if (m < 0)
            return false; /* an error (reported by the caller), or no line end within `cap` */
    }
}

/* ------------------------------------------------------------------ */
/* The run: client, counters, messages, progress                        */
/* ------------------------------------------------------------------ */

/* Where an event came from, handed to the client as its `user` pointer. */
typedef struct origin {
    const char *file;
    uint64_t line; /* 0: the whole file */
} origin;

typedef struct run {
    ugw_client *client;
    ugw_decoder *dec;
    cli_event ev;            /* the decoded event: one payload buffer for all */
    ugw_format format;

    pthread_mutex_t mu;      /* the fields below, and stderr */
    pthread_cond_t wake;     /* the progress thread's timer; signalled to stop */
    uint64_t delivered, failed, invalid, accepted;
    bool progress_on;        /* the progress line is on the screen */
    bool stop_progress;
    pthread_t progress;
    bool progress_started;

    struct timespec start;
    bool io_error;           /* an input could not be read: exit 2 */
    bool stop_input;         /* the endpoint is gone: read no more */

    char *enc;               /* re-encoded body */
    size_t enc_cap;
    char *scratch;           /* replay: unescaped strings and bodies */
    size_t scratch_cap;
} run;

static double elapsed_s(const run *r)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - r->start.tv_sec) + (double)(now.tv_nsec - r->start.tv_nsec) / 1e9;
}

/* Clears the progress line, if shown; with r->mu held. */
static void clear_progress_locked(run *r)
{
    if (r->progress_on) {
        fputs("\r\033[K", stderr);
        r->progress_on = false;
    }
}

/* A message line on stderr that does not mix with the progress line. */
#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static void say(run *r, const char *fmt, ...)
{
    va_list ap;
    pthread_mutex_lock(&r->mu);
    clear_progress_locked(r);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fflush(stderr);
    pthread_mutex_unlock(&r->mu);
}

/* " (3 attempts, FILE:LINE)" */
static void where(char *out, size_t cap, unsigned attempts, const origin *o)
{
    int n = snprintf(out, cap, " (%u attempt%s", attempts, attempts == 1 ? "" : "s");
    if (n < 0 || (size_t)n >= cap)
        return;
    if (o && o->line)
        snprintf(out + n, cap - (size_t)n, ", %s:%llu)", o->file, (unsigned long long)o->line);
    else if (o)
        snprintf(out + n, cap - (size_t)n, ", %s)", o->file);
    else
        snprintf(out + n, cap - (size_t)n, ")");
}

static void on_outcome(const ugw_outcome *oc, void *ctx)
{
    run *r = ctx;
    origin *o = oc->user;

    pthread_mutex_lock(&r->mu);
    if (oc->result == UGW_RESULT_DELIVERED) {
        r->delivered++;
    } else {
        char status[32], tail[512];
        r->failed++;
        if (oc->http_status)
            snprintf(status, sizeof status, "HTTP %ld", oc->http_status);
        else
            snprintf(status, sizeof status, "no HTTP answer");
        where(tail, sizeof tail, oc->attempts, o);
        clear_progress_locked(r);
        fprintf(stderr, "failed %s \"%s\": %s, %s%s%s%s\n", oc->id, oc->event ? oc->event : "",
                ugw_result_name(oc->result), status, oc->error && oc->error[0] ? ", " : "",
                oc->error ? oc->error : "", tail);
        fflush(stderr);
    }
    pthread_mutex_unlock(&r->mu);
    free(o);
}

/* Redraws the progress line; with r->mu held. */
static void draw_progress_locked(run *r, const ugw_client_stats *st)
{
    double t = elapsed_s(r);
    double rate = t > 0 ? (double)(r->delivered + r->failed) / t : 0;
    fprintf(stderr, "\rsent %llu, delivered %llu, retried %llu, failed %llu, %.0f ev/s\033[K",
            (unsigned long long)r->accepted, (unsigned long long)r->delivered,
            (unsigned long long)st->retried, (unsigned long long)r->failed, rate);
    fflush(stderr);
    r->progress_on = true;
}

static void *progress_thread(void *arg)
{
    run *r = arg;
    pthread_mutex_lock(&r->mu);
    while (!r->stop_progress) {
        struct timespec dl;
        ugw_client_stats st;
        clock_gettime(CLOCK_REALTIME, &dl);
        dl.tv_nsec += 200 * 1000000L;
        if (dl.tv_nsec >= 1000000000L) {
            dl.tv_sec++;
            dl.tv_nsec -= 1000000000L;
        }
        while (!r->stop_progress && pthread_cond_timedwait(&r->wake, &r->mu, &dl) != ETIMEDOUT)
            ;
        if (r->stop_progress)
            break;
        /* The client's lock is never taken with ours held. */
        pthread_mutex_unlock(&r->mu);
        ugw_client_stats_get(r->client, &st);
        pthread_mutex_lock(&r->mu);
        if (!r->stop_progress)
            draw_progress_locked(r, &st);
    }
    clear_progress_locked(r);
    fflush(stderr);
    pthread_mutex_unlock(&r->mu);
    return NULL;
}

static void stop_progress(run *r)
{
    if (!r->progress_started)
        return;
    pthread_mutex_lock(&r->mu);
    r->stop_progress = true;
    pthread_cond_signal(&r->wake);
    pthread_mutex_unlock(&r->mu);
    pthread_join(r->progress, NULL);
    r->progress_started = false;
}

/*
 * Hands one body to the client, waiting for room as long as it takes (in
 * steps, to notice a signal). `id` NULL makes a new webhook-id. Returns false
 * when input should stop (interrupted, or the endpoint is gone).
 */
static bool enqueue(run *r, const void *body, size_t len, ugw_format fmt, const char *event,
                    const char *id, const char *file, uint64_t line)
{
    origin *o = malloc(sizeof *o);
    ugw_error err;
    ugw_status st;
    char tail[512];

    if (!o) {
        say(r, "%s send: out of memory\n", cli_name());
        r->io_error = true;
        r->stop_input = true;
        return false;
    }
    o->file = file;
    o->line = line;
    do {
        st = ugw_client_enqueue_body(r->client, body, len, fmt, event, id, 200, o, NULL, &err);
    } while (st == UGW_ERR_FULL && !send_interrupted);
    if (st == UGW_OK) {
        pthread_mutex_lock(&r->mu);
        r->accepted++;
        pthread_mutex_unlock(&r->mu);
        return true;
    }
    if (st == UGW_ERR_FULL) { /* interrupted while waiting for room: not taken */
        free(o);
        return false;
    }
    /* Not accepted (the endpoint is gone, or out of memory): failed here. */
    where(tail, sizeof tail, 0, o);
    free(o);
    pthread_mutex_lock(&r->mu);
    r->failed++;
    clear_progress_locked(r);
    fprintf(stderr, "failed %s \"%s\": not sent: %s%s\n", id ? id : "-", event ? event : "",
            err.message ? err.message : ugw_status_name(st), tail);
    if (st == UGW_ERR_CLOSED)
        fprintf(stderr, "%s send: no more events are sent (the endpoint answered 410 Gone)\n", cli_name());
    fflush(stderr);
    pthread_mutex_unlock(&r->mu);
    if (st == UGW_ERR_CLOSED || st == UGW_ERR_NOMEM) {
        r->stop_input = true;
        return false;
    }
    return true; /* this event only (the client refused its id) */
}

static bool grow(char **buf, size_t *cap, size_t need)
{
    char *nb;
    if (need <= *cap)
        return true;
    nb = realloc(*buf, need);
    if (!nb)
        return false;
    *buf = nb;
    *cap = need;
    return true;
}

/* 1 + the number of '\n' before `pos`. */
static uint64_t line_of(const char *doc, size_t len, size_t pos)
{
    uint64_t line = 1;
    if (pos > len)
        pos = len;
    for (size_t i = 0; i < pos; i++)
        line += doc[i] == '\n';
    return line;
}

/* Decodes, validates, re-encodes and queues one event: line `line` of a
 * JSON Lines file, or the whole file (`whole_file`: a JSON problem gets the
 * line of its byte position, a MessagePack one no line). Returns false when
 * input should stop. */
static bool send_document(run *r, const char *name, uint64_t line, const char *doc,
                          size_t len, ugw_format fmt, bool whole_file)
{
    ugw_error err;
    size_t need = 0, n = 0;

    if (cli_decode(r->dec, fmt, doc, len, &r->ev, &err) != UGW_OK) {
        char at[48] = "";
        if (whole_file)
            line = fmt == UGW_FORMAT_JSON ? line_of(doc, len, err.pos) : 0;
        if (line)
            snprintf(at, sizeof at, ":%llu", (unsigned long long)line);
        pthread_mutex_lock(&r->mu);
        r->invalid++;
        pthread_mutex_unlock(&r->mu);
        say(r, "%s%s: %s: %s (%s at byte %zu)\n", name, at, err.path[0] ? err.path : "-",
            err.message ? err.message : "error", ugw_status_name(err.code), err.pos);
        return true;
    }
    if (whole_file)
        line = 0;
    if (cli_encode(r->ev.type, r->ev.payload, r->format, NULL, 0, &need, &err) != UGW_OK
        || !grow(&r->enc, &r->enc_cap, need ? need : 1)
        || cli_encode(r->ev.type, r->ev.payload, r->format, r->enc, r->enc_cap, &n, &err) != UGW_OK) {
        /* A decoded event always encodes; say so if it ever does not. */
        say(r, "%s send: %s: cannot encode the event: %s\n", cli_name(), name,
            err.message ? err.message : "out of memory");
        r->io_error = true;
        return true;
    }
    return enqueue(r, r->enc, n, r->format, cli_wire_name(r->ev.type), NULL, name, line);
}

/* Sends the events of one file. */
static void send_file(run *r, const char *path)
{
    reader rd;
    size_t limit = ugw_decoder_opts(r->dec)->max_input + 1;
    int e = reader_open(&rd, path, limit);

    if (e) {
        say(r, "%s send: %s: %s\n", cli_name(), display_name(path), strerror(e));
        r->io_error = true;
        return;
    }
    if (is_json_lines(&rd, path)) {
        const char *p;
        size_t n;
        bool cut;
        while (!send_interrupted && !r->stop_input && reader_line(&rd, &p, &n, &cut)) {
            if (is_blank(p, n))
                continue;
            if (!send_document(r, rd.name, rd.line, p, n, UGW_FORMAT_JSON, false))
                break;
        }
    } else if (!rd.err) {
        const char *p;
        size_t n;
        if (reader_all(&rd, &p, &n) && !send_interrupted)
            send_document(r, rd.name, 1, p, n, ugw_detect_format(p, n), true);
    }
    if (rd.err) {
        say(r, "%s send: %s: %s\n", cli_name(), rd.name, strerror(rd.err));
        r->io_error = true;
    }
    reader_close(&rd);
}

/* ------------------------------------------------------------------ */
/* Replay: one dead-letter line                                         */
/* ------------------------------------------------------------------ */

/* A dead-letter line is short in tokens; more than this is not one. */
#define REPLAY_TOKENS 256
/* Longest dead-letter line read: 64 MiB (a 1 MiB body escaped is at most 6 MiB). */
#define REPLAY_LINE_MAX ((size_t)64 << 20)

/* Index after the value at `i` and everything inside it. */
static int tok_skip(const jsmntok_t *t, int i, int n)
{
    int todo = 1;
    while (todo > 0 && i < n) {
        todo += t[i].size;
        todo--;
        i++;
    }
    return i;
}

static bool tok_is(const char *line, const jsmntok_t *t, const char *s)
{
    size_t n = strlen(s);
    return t->type == JSMN_STRING && (size_t)(t->end - t->start) == n
           && memcmp(line + t->start, s, n) == 0;
}

/* Unescapes a string token into out (room for its raw length + 1, NUL added). */
static bool tok_string(const char *line, const jsmntok_t *t, char *out, size_t *len)
{
    size_t bad;
    size_t n = ugw_json_unescape(out, line + t->start, (size_t)(t->end - t->start), &bad);
    if (n == (size_t)-1)
        return false;
    out[n] = '\0';
    *len = n;
    return true;
}

static bool b64_char(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/';
}

/* Standard padded base64 of s[0..n) into out (room for 3 * n / 4 + 1); false when malformed. */
static bool b64_decode(const char *s, size_t n, unsigned char *out, size_t *len)
{
    size_t pad = 0;
    int got;
    if (n % 4)
        return false;
    if (n == 0) {
        *len = 0;
        return true;
    }
    if (s[n - 1] == '=')
        pad = s[n - 2] == '=' ? 2 : 1;
    for (size_t i = 0; i < n - pad; i++)
        if (!b64_char((unsigned char)s[i]))
            return false;
    if (n > (size_t)INT32_MAX)
        return false;
    got = EVP_DecodeBlock(out, (const unsigned char *)s, (int)n);
    if (got < 0 || (size_t)got != n / 4 * 3)
        return false;
    *len = (size_t)got - pad;
    return true;
}

/* Parses one dead-letter line and queues its body. Returns a message when
 * the line is malformed, NULL when it was handled. */
static const char *replay_line(run *r, reader *rd, const char *line, size_t n, bool *stop)
{
    jsmntok_t t[REPLAY_TOKENS];
    jsmn_parser jp;
    int nt, i, k, tid = -1, tevent = -1, tformat = -1, tbody = -1, tb64 = -1;
    size_t end, idlen, evlen, fmtlen, blen, off_id, off_ev, off_fmt, off_body;
    ugw_format fmt;

    *stop = false;
    if (n > (size_t)INT32_MAX - 1)
        return "line too long";
    jsmn_init(&jp);
    nt = jsmn_parse(&jp, line, n, t, REPLAY_TOKENS);
    if (nt == JSMN_ERROR_NOMEM)
        return "too many values for a dead-letter line";
    if (nt < 0)
        return "not valid JSON";
    if (nt < 1 || t[0].type != JSMN_OBJECT)
        return "not a JSON object";
    end = skip_space(line, (size_t)t[0].end, n);
    if (end != n || tok_skip(t, 0, nt) != nt)
        return "bytes after the JSON object";
    for (i = 1, k = 0; k < t[0].size && i < nt; k++) {
        int *slot = NULL;
        if (t[i].type != JSMN_STRING || t[i].size != 1 || i + 1 >= nt)
            return "not a JSON object";
        if (tok_is(line, &t[i], "id"))
            slot = &tid;
        else if (tok_is(line, &t[i], "event"))
            slot = &tevent;
        else if (tok_is(line, &t[i], "format"))
            slot = &tformat;
        else if (tok_is(line, &t[i], "body"))
            slot = &tbody;
        else if (tok_is(line, &t[i], "body_base64"))
            slot = &tb64;
        if (slot) {
            if (*slot >= 0)
                return "a key appears twice";
            if (t[i + 1].type != JSMN_STRING)
                return slot == &tid ? "\"id\" is not a string"
                     : slot == &tevent ? "\"event\" is not a string"
                     : slot == &tformat ? "\"format\" is not a string"
                     : slot == &tbody ? "\"body\" is not a string" : "\"body_base64\" is not a string";
            *slot = i + 1;
        }
        i = tok_skip(t, i + 1, nt); /* keys we do not know are ignored */
    }
    if (tid < 0)
        return "no \"id\"";
    if (tevent < 0)
        return "no \"event\"";
    if (tformat < 0)
        return "no \"format\"";
    if ((tbody < 0) == (tb64 < 0))
        return tbody < 0 ? "neither \"body\" nor \"body_base64\"" : "both \"body\" and \"body_base64\"";

    /* One scratch buffer: id, event, format, then the body (each fits in its raw length + 1). */
    off_id = 0;
    off_ev = off_id + (size_t)(t[tid].end - t[tid].start) + 1;
    off_fmt = off_ev + (size_t)(t[tevent].end - t[tevent].start) + 1;
    off_body = off_fmt + (size_t)(t[tformat].end - t[tformat].start) + 1;
    {
        int tb = tbody >= 0 ? tbody : tb64;
        size_t raw = (size_t)(t[tb].end - t[tb].start);
        if (!grow(&r->scratch, &r->scratch_cap, off_body + 2 * raw + 4)) {
            r->io_error = true;
            *stop = true;
            return "out of memory";
        }
    }
    if (!tok_string(line, &t[tid], r->scratch + off_id, &idlen))
        return "\"id\" has a bad escape";
    if (!tok_string(line, &t[tevent], r->scratch + off_ev, &evlen))
        return "\"event\" has a bad escape";
    if (!tok_string(line, &t[tformat], r->scratch + off_fmt, &fmtlen))
        return "\"format\" has a bad escape";
    if (idlen == 0 || idlen >= UGW_WEBHOOK_ID_MAX)
        return "\"id\" must be 1 to 39 bytes";
    for (size_t j = 0; j < idlen; j++) {
        unsigned char c = (unsigned char)r->scratch[off_id + j];
        if (c < 0x20 || c == 0x7f)
            return "\"id\" has a control character";
    }
    if (memchr(r->scratch + off_ev, '\0', evlen))
        return "\"event\" has a NUL character";
    if (!cli_parse_format(r->scratch + off_fmt, &fmt) || strlen(r->scratch + off_fmt) != fmtlen)
        return "\"format\" must be \"json\" or \"msgpack\"";
    if (tbody >= 0) {
        if (!tok_string(line, &t[tbody], r->scratch + off_body, &blen))
            return "\"body\" has a bad escape";
    } else {
        /* base64 needs no escapes, but a JSON writer may put "\/": unescape first. */
        size_t raw = (size_t)(t[tb64].end - t[tb64].start);
        char *text = r->scratch + off_body + raw + 2;
        size_t tlen;
        if (!tok_string(line, &t[tb64], text, &tlen))
            return "\"body_base64\" has a bad escape";
        if (!b64_decode(text, tlen, (unsigned char *)r->scratch + off_body, &blen))
            return "\"body_base64\" is not padded standard base64";
    }
    if (!enqueue(r, r->scratch + off_body, blen, fmt, r->scratch + off_ev, r->scratch + off_id,
                 rd->name, rd->line))
        *stop = true;
    return NULL;
}

static void replay_file(run *r, const char *path)
{
    reader rd;
    const char *p;
    size_t n;
    bool cut, stop = false;
    int e = reader_open(&rd, path, REPLAY_LINE_MAX);

    if (e) {
        say(r, "%s send: %s: %s\n", cli_name(), display_name(path), strerror(e));
        r->io_error = true;
        return;
    }
    while (!stop && !send_interrupted && !r->stop_input && reader_line(&rd, &p, &n, &cut)) {
        const char *bad;
        if (is_blank(p, n))
            continue;
        bad = cut ? "line longer than 64 MiB" : replay_line(r, &rd, p, n, &stop);
        if (bad) {
            pthread_mutex_lock(&r->mu);
            r->invalid++;
            pthread_mutex_unlock(&r->mu);
            say(r, "%s:%llu: malformed dead-letter line: %s\n", rd.name,
                (unsigned long long)rd.line, bad);
        }
    }
    if (rd.err) {
        say(r, "%s send: %s: %s\n", cli_name(), rd.name, strerror(rd.err));
        r->io_error = true;
    }
    reader_close(&rd);
}

/* ------------------------------------------------------------------ */
/* ugw send                                                             */
/* ------------------------------------------------------------------ */

/* Every named file must open before anything is sent. */
static bool check_files(const send_opts *o)
{
    bool ok = true;
    size_t n = o->replay ? 1 : o->nfiles;
    for (size_t i = 0; i < n; i++) {
        const char *path = o->replay ? o->replay : o->files[i];
        reader rd;
        int e;
        if (strcmp(path, "-") == 0)
            continue;
        e = reader_open(&rd, path, 1);
        if (e) {
            fprintf(stderr, "%s send: %s: %s\n", cli_name(), path, strerror(e));
            ok = false;
        } else {
            reader_close(&rd);
        }
    }
    return ok;
}

static int send_run(const send_opts *o)
{
    run r;
    ugw_client_config cfg;
    ugw_error err;
    sigset_t block, old_mask;
    struct sigaction sa, old_int, old_term;
    uint64_t total;
    double secs;
    int rc;

    memset(&r, 0, sizeof r);
    r.format = o->format;
    if (!o->replay && !(r.dec = make_decoder(o->strict)))
        return EXIT_USAGE;
    if (!o->replay && !cli_event_init(&r.ev)) {
        ugw_decoder_free(r.dec);
        return EXIT_USAGE;
    }
    pthread_mutex_init(&r.mu, NULL);
    pthread_cond_init(&r.wake, NULL);

    memset(&cfg, 0, sizeof cfg);
    cfg.url = o->url;
    cfg.secret = o->secret;
    cfg.format = o->format;
    cfg.timeout_ms = o->timeout_ms;
    cfg.max_attempts = o->max_attempts;
    cfg.backoff_base_ms = o->backoff_ms;
    cfg.max_in_flight = o->concurrency;
    cfg.dead_letter_path = o->dead_letter;
    cfg.on_outcome = on_outcome;
    cfg.on_outcome_ctx = &r;

    /* The client's thread and ours take no SIGINT/SIGTERM: they come to main. */
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &block, &old_mask);
    send_interrupted = 0;
    clock_gettime(CLOCK_MONOTONIC, &r.start);
    r.client = ugw_client_new(&cfg, &err);
    if (!r.client) {
        pthread_sigmask(SIG_SETMASK, &old_mask, NULL);
        if (err.code == UGW_ERR_IO && o->dead_letter)
            fprintf(stderr, "%s send: cannot open the dead-letter file %s: %s\n", cli_name(), o->dead_letter,
                    err.message ? err.message : "error");
        else
            fprintf(stderr, "%s send: %s%s%s\n", cli_name(), err.path[0] ? err.path : "", err.path[0] ? ": " : "",
                    err.message ? err.message : "cannot start the client");
        ugw_decoder_free(r.dec);
        cli_event_free(&r.ev);
        pthread_cond_destroy(&r.wake);
        pthread_mutex_destroy(&r.mu);
        return EXIT_USAGE;
    }
    if (isatty(STDERR_FILENO) && pthread_create(&r.progress, NULL, progress_thread, &r) == 0)
        r.progress_started = true;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0; /* no SA_RESTART: a blocking read returns at once */
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);
    pthread_sigmask(SIG_SETMASK, &old_mask, NULL);

    if (o->replay) {
        replay_file(&r, o->replay);
    } else {
        for (size_t i = 0; i < o->nfiles && !send_interrupted && !r.stop_input; i++)
            send_file(&r, o->files[i]);
    }
    /* Wait for every outcome, in steps so that a signal is noticed. */
    while (!send_interrupted && ugw_client_flush(r.client, 200) == UGW_ERR_TIMEOUT)
        ;
    /* The progress thread reads the client's counters: it ends before close(). */
    stop_progress(&r);
    if (send_interrupted)
        say(&r, "%s send: interrupted: events not yet delivered are handed back as failed\n", cli_name());
    ugw_client_close(r.client, 0); /* hands back whatever is left, as "closed" */
    r.client = NULL;
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);

    secs = elapsed_s(&r);
    total = r.delivered + r.failed + r.invalid;
    fprintf(stderr, "%llu event%s: %llu delivered, %llu failed, %llu invalid in %.2f s\n",
            (unsigned long long)total, total == 1 ? "" : "s", (unsigned long long)r.delivered,
            (unsigned long long)r.failed, (unsigned long long)r.invalid, secs);
    rc = r.io_error ? EXIT_USAGE
       : (r.failed || r.invalid || send_interrupted) ? EXIT_INVALID : EXIT_VALID;

    ugw_decoder_free(r.dec);
    cli_event_free(&r.ev);
    free(r.enc);
    free(r.scratch);
    pthread_cond_destroy(&r.wake);
    pthread_mutex_destroy(&r.mu);
    return rc;
}

int cmd_send(const ugw_cmd *cmd, int argc, char **argv)
{
    send_opts o;
    int rc;

    memset(&o, 0, sizeof o);
    o.format = UGW_FORMAT_JSON;
    o.files = malloc(sizeof *o.files * (size_t)(argc > 0 ? argc : 1));
    if (!o.files) {
        fprintf(stderr, "%s send: out of memory\n", cli_name());
        return EXIT_USAGE;
    }
    rc = parse_options(cmd, argc, argv, &o);
    if (rc < 0)
        rc = check_files(&o) ? send_run(&o) : EXIT_USAGE;
    free(o.files);
    return rc;
}
