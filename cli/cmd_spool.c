/*
 * cmd_spool.c - `ugw spool stats|list|retry|purge SPOOL`: look into a
 * delivery spool (docs/DURABILITY.md) and act on it, through the client
 * library's spool API (ugw_spool.h). stats and list only read; retry and
 * purge own the spool for a moment. All are refused (busy) while a sender
 * (`ugw send --spool`, a service) has the spool open.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <ugw/ugw_spool.h>

#include "cli.h"

const char cmd_spool_usage[] =
    "ugw spool stats SPOOL\n"
    "       ugw spool list [--pending | --dead] [--id ID] [--jsonl] SPOOL\n"
    "       ugw spool retry SPOOL (--all | ID...)\n"
    "       ugw spool purge SPOOL (--dead | --pending | --marks | ID...)";
const char cmd_spool_help[] =
    "Looks into a delivery spool (the SQLite file of 'ugw send --spool' or of a\n"
    "client configured with spool_path; see docs/DURABILITY.md) and acts on it.\n"
    "\n"
    "  stats   counts: pending events and bytes, dead letters, the oldest\n"
    "          pending event, the next attempt, the inputs' marks\n"
    "  list    one line per event: 'pending ID \"EVENT\" attempts=N\n"
    "          last_status=S next=TIME' or 'dead ID \"EVENT\" result=R attempts=N\n"
    "          last_status=S failed=TIME error=\"...\"'; --pending or --dead for\n"
    "          one kind, --id ID for one event; --jsonl writes the events as\n"
    "          dead-letter records (docs/DEAD_LETTERS.md) for 'ugw send --replay'\n"
    "  retry   moves dead letters (--all, or the given ids) back to the pending\n"
    "          events, with their webhook-ids, attempts from 0: the next\n"
    "          'ugw send --spool SPOOL' delivers them\n"
    "  purge   deletes dead letters (--dead), pending events (--pending),\n"
    "          the events with the given ids, or the inputs' marks (--marks:\n"
    "          'ugw send --spool' then reads its FILEs from the start)\n"
    "\n"
    "Options:\n"
    "  --pending            list or purge the pending events\n"
    "  --dead               list or purge the dead letters\n"
    "  --id ID              list the event with webhook-id ID only\n"
    "  --jsonl              list as dead-letter records (for ugw send --replay)\n"
    "  --all                retry every dead letter\n"
    "  --marks              purge the inputs' marks\n"
    "  -h, --help           show this help\n"
    "\n"
    "stats and list only read; retry and purge change the spool. A spool\n"
    "belongs to the process that sends from it: while 'ugw send --spool' or\n"
    "a service runs on it, these are refused ('busy'); its progress line and\n"
    "summary (or the service's metrics) tell how it goes.\n"
    "A file that is not a ugw spool, or a damaged one, is refused and left\n"
    "as it is.\n"
    "\n"
    "Exit status: 0 done, 1 nothing matched the given ids, 2 usage error or a\n"
    "spool that cannot be opened (busy, not a spool, damaged).\n";

enum { OPT_PENDING = 256, OPT_DEAD, OPT_ID, OPT_JSONL, OPT_ALL, OPT_MARKS };

static int spool_error(const char *path, const ugw_error *err)
{
    fprintf(stderr, "%s spool: %s: %s (%s)\n", cli_name(), path, err->message ? err->message : "error",
            ugw_status_name(err->code));
    return EXIT_USAGE;
}

/* "2026-11-30T12:00:00.123Z", or "-" for 0. */
static void iso(int64_t ms, char *out, size_t cap)
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    if (ms <= 0 || !gmtime_r(&t, &tm)) {
        snprintf(out, cap, "-");
        return;
    }
    strftime(out, cap, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out + strlen(out), cap - strlen(out), ".%03dZ", (int)(ms % 1000));
}

static bool print_mark(const char *key, uint64_t value, void *ctx)
{
    (void)ctx;
    printf("mark %s %llu\n", key, (unsigned long long)value);
    return true;
}

static int do_stats(ugw_spool *sp, const char *path)
{
    ugw_spool_stats st;
    ugw_error err;
    char a[40], b[40];
    if (ugw_spool_stats_get(sp, &st, &err) != UGW_OK)
        return spool_error(path, &err);
    iso(st.oldest_ms, a, sizeof a);
    iso(st.next_attempt_ms, b, sizeof b);
    printf("pending %llu\npending_bytes %llu\nretrying %llu\nmax_attempts %llu\noldest %s\nnext_attempt %s\n"
           "dead %llu\ndead_bytes %llu\nmarks %llu\nfile_bytes %llu\n",
           (unsigned long long)st.pending, (unsigned long long)st.pending_bytes, (unsigned long long)st.retrying,
           (unsigned long long)st.max_attempts, a, b, (unsigned long long)st.dead,
           (unsigned long long)st.dead_bytes, (unsigned long long)st.marks, (unsigned long long)st.file_bytes);
    if (ugw_spool_marks(sp, print_mark, NULL, &err) != UGW_OK)
        return spool_error(path, &err);
    return flush_stdout() ? EXIT_VALID : EXIT_USAGE;
}

typedef struct list_ctx {
    bool jsonl;
    uint64_t n;
    bool write_failed;
} list_ctx;

/* A string for a one-line listing: quotes and control bytes escaped. */
static void put_quoted(const char *s)
{
    putchar('"');
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\')
            printf("\\%c", ch);
        else if (ch < 0x20 || ch == 0x7f)
            printf("\\x%02x", ch);
        else
            putchar(ch);
    }
    putchar('"');
}

static bool print_entry(const ugw_spool_entry *e, void *ctx)
{
    list_ctx *l = ctx;
    char when[40];
    l->n++;
    if (l->jsonl) {
        ugw_dead_letter rec;
        int e_no = 0;
        memset(&rec, 0, sizeof rec);
        rec.id = e->id;
        rec.event = e->event;
        rec.format = e->format;
        rec.body = e->body;
        rec.body_len = e->body_len;
        rec.last_status = e->last_status;
        rec.attempts = (long)e->attempts;
        rec.result = e->dead ? e->result : "pending";
        rec.error = e->error;
        fflush(stdout);
        if (ugw_dead_letter_write(STDOUT_FILENO, &rec, &e_no, NULL) != UGW_OK) {
            l->write_failed = true;
            return false;
        }
        return true;
    }
    iso(e->when_ms, when, sizeof when);
    printf("%s %s ", e->dead ? "dead" : "pending", e->id);
    put_quoted(e->event);
    if (e->dead)
        printf(" result=%s", e->result);
    printf(" attempts=%u last_status=%ld %s=%s", e->attempts, e->last_status, e->dead ? "failed" : "next", when);
    if (e->error[0]) {
        printf(" error=");
        put_quoted(e->error);
    }
    putchar('\n');
    return true;
}

static int do_list(ugw_spool *sp, const char *path, unsigned which, const char *id, bool jsonl)
{
    list_ctx l = { jsonl, 0, false };
    ugw_error err;
    if (ugw_spool_list(sp, which, id, print_entry, &l, &err) != UGW_OK)
        return spool_error(path, &err);
    if (l.write_failed) {
        fprintf(stderr, "%s spool: standard output cannot be written\n", cli_name());
        return EXIT_USAGE;
    }
    if (!flush_stdout())
        return EXIT_USAGE;
    return id && !l.n ? EXIT_INVALID : EXIT_VALID;
}

static int do_change(const ugw_cmd *cmd, ugw_spool *sp, const char *path, const char *verb, unsigned which,
                     bool marks, const char **ids, size_t nids)
{
    ugw_error err;
    uint64_t n = 0, total = 0;
    bool missed = false;
    ugw_status st = UGW_OK;
    (void)cmd;
    if (marks) {
        st = ugw_spool_marks_clear(sp, &total, &err);
    } else if (!nids) {
        st = strcmp(verb, "retry") == 0 ? ugw_spool_retry(sp, NULL, &total, &err)
                                        : ugw_spool_purge(sp, which, NULL, &total, &err);
    }
    for (size_t i = 0; st == UGW_OK && i < nids; i++) {
        st = strcmp(verb, "retry") == 0 ? ugw_spool_retry(sp, ids[i], &n, &err)
                                        : ugw_spool_purge(sp, UGW_SPOOL_PENDING | UGW_SPOOL_DEAD, ids[i], &n, &err);
        if (st == UGW_OK && !n) {
            fprintf(stderr, "%s spool: %s: no %s %s\n", cli_name(), path,
                    strcmp(verb, "retry") == 0 ? "dead letter" : "event", ids[i]);
            missed = true;
        }
        total += n;
    }
    if (st != UGW_OK)
        return spool_error(path, &err);
    fprintf(stderr, "%s spool: %s: %s %llu %s\n", cli_name(), path,
            strcmp(verb, "retry") == 0 ? "moved back to pending:" : "deleted", (unsigned long long)total,
            marks ? "marks" : "events");
    return missed ? EXIT_INVALID : EXIT_VALID;
}

int cmd_spool(const ugw_cmd *cmd, int argc, char **argv)
{
    static const cli_option opts[] = {
        { "pending", OPT_PENDING, false }, { "dead", OPT_DEAD, false }, { "id", OPT_ID, true },
        { "jsonl", OPT_JSONL, false },     { "all", OPT_ALL, false },   { "marks", OPT_MARKS, false },
        { "help", 'h', false },            { NULL, 0, false },
    };
    const char **ops = malloc(sizeof *ops * (size_t)(argc > 0 ? argc : 1));
    const char *id = NULL, *verb, *path;
    unsigned which = 0;
    bool jsonl = false, all = false, marks = false, reading;
    size_t nops = 0;
    cli_parser p;
    ugw_error err;
    ugw_spool *sp;
    int k, rc;

    if (!ops) {
        fprintf(stderr, "%s spool: out of memory\n", cli_name());
        return EXIT_USAGE;
    }
    cli_init(&p, cmd, argc, argv, opts);
    while ((k = cli_next(&p)) != CLI_END) {
        switch (k) {
        case CLI_OPERAND: ops[nops++] = p.arg; break;
        case OPT_PENDING: which |= UGW_SPOOL_PENDING; break;
        case OPT_DEAD: which |= UGW_SPOOL_DEAD; break;
        case OPT_ID: id = p.arg; break;
        case OPT_JSONL: jsonl = true; break;
        case OPT_ALL: all = true; break;
        case OPT_MARKS: marks = true; break;
        case 'h':
            free(ops);
            print_cmd_help(cmd, stdout);
            return flush_stdout() ? EXIT_VALID : EXIT_USAGE;
        default: free(ops); return EXIT_USAGE;
        }
    }
    rc = -1;
    verb = nops > 0 ? ops[0] : "";
    path = nops > 1 ? ops[1] : NULL;
    if (!nops)
        rc = usage_error(cmd, "%s", "no subcommand given (stats, list, retry or purge)");
    else if (strcmp(verb, "stats") && strcmp(verb, "list") && strcmp(verb, "retry") && strcmp(verb, "purge"))
        rc = usage_error(cmd, "unknown subcommand '%s' (stats, list, retry or purge)", verb);
    else if (!path)
        rc = usage_error(cmd, "%s", "no SPOOL given");
    else if (strcmp(verb, "list") && (id || jsonl))
        rc = usage_error(cmd, "%s", "--id and --jsonl go with list only");
    else if (strcmp(verb, "retry") && all)
        rc = usage_error(cmd, "%s", "--all goes with retry only (purge takes --dead, --pending or --marks)");
    else if (strcmp(verb, "purge") && marks)
        rc = usage_error(cmd, "%s", "--marks goes with purge only");
    else if ((!strcmp(verb, "stats") || !strcmp(verb, "list")) && nops > 2)
        rc = usage_error(cmd, "unexpected operand '%s'", ops[2]);
    else if (!strcmp(verb, "retry") && (all == (nops > 2) || which))
        rc = usage_error(cmd, "%s", "retry takes --all or the ids of dead letters, not both");
    else if (!strcmp(verb, "purge") && ((which || marks) + (nops > 2) != 1 || (which && marks)))
        rc = usage_error(cmd, "%s", "purge takes one of --dead, --pending, --marks, or ids");
    else if (!strcmp(verb, "stats") && which)
        rc = usage_error(cmd, "%s", "--pending and --dead go with list and purge");
    if (rc >= 0) {
        free(ops);
        return rc;
    }
    reading = !strcmp(verb, "stats") || !strcmp(verb, "list");
    sp = ugw_spool_open(path, reading ? UGW_SPOOL_READ_ONLY : 0, &err);
    if (!sp) {
        free(ops);
        return spool_error(path, &err);
    }
    if (!strcmp(verb, "stats"))
        rc = do_stats(sp, path);
    else if (!strcmp(verb, "list"))
        rc = do_list(sp, path, which ? which : UGW_SPOOL_PENDING | UGW_SPOOL_DEAD, id, jsonl);
    else
        rc = do_change(cmd, sp, path, verb, which, marks, ops + 2, nops - 2);
    ugw_spool_close(sp);
    free(ops);
    return rc;
}
