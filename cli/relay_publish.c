/*
 * relay_publish.c - `ugw relay publish`: each event of the FILEs (JSON
 * Lines, one event a line) is decoded, validated, re-encoded in --format and
 * published for --endpoint through the producer API with a new webhook-id.
 * While the cluster does not answer (a node lost, a leader being elected)
 * the same event is published again with the same id, which the stream
 * stores once, for up to --retry-for seconds. --ids FILE records every id
 * once the stream has stored it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "relay.h"

enum { OPT_ENDPOINT = RELAY_OPT__NEXT, OPT_FORMAT, OPT_STRICT, OPT_IDS, OPT_RETRY_FOR };

typedef struct pub_run {
    ugw_relay_producer *p;
    const char *endpoint;
    ugw_format format;
    ugw_decoder *dec;
    cli_event ev;
    char *enc;
    size_t enc_cap;
    FILE *ids;
    int64_t retry_for_ms;
    uint64_t published, duplicates, invalid;
    bool failed;
} pub_run;

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Publishes one encoded event, again with the same id while the cluster does
 * not answer. False when it could not be published (after a message). */
static bool publish_one(pub_run *pr, const char *file, uint64_t line, size_t n)
{
    char id[UGW_WEBHOOK_ID_MAX];
    int64_t end = mono_ms() + pr->retry_for_ms;
    ugw_error err;
    bool dup = false;

    if (ugw_webhook_id_new(id) != UGW_OK) {
        fprintf(stderr, "%s relay publish: no random bytes for a webhook-id\n", cli_name());
        return false;
    }
    for (;;) {
        ugw_status st = ugw_relay_publish(pr->p, pr->endpoint, pr->enc, n, pr->format, cli_wire_name(pr->ev.type),
                                          id, NULL, &dup, &err);
        if (st == UGW_OK)
            break;
        if ((st != UGW_ERR_TIMEOUT && st != UGW_ERR_IO) || mono_ms() >= end) {
            fprintf(stderr, "%s relay publish: %s:%llu: not published: %s (%s)\n", cli_name(), file,
                    (unsigned long long)line, err.message, ugw_status_name(err.code));
            return false;
        }
        {
            struct timespec ts = { 0, 200 * 1000000L };
            nanosleep(&ts, NULL);
        }
    }
    pr->published++;
    pr->duplicates += dup;
    if (pr->ids && fprintf(pr->ids, "%s\n", id) < 0) {
        fprintf(stderr, "%s relay publish: cannot write the ids file: %s\n", cli_name(), strerror(errno));
        return false;
    }
    return true;
}

/* One JSON Lines file. False when publishing must stop. */
static bool publish_file(pub_run *pr, const char *path)
{
    const char *name = strcmp(path, "-") == 0 ? "(standard input)" : path;
    ugw_read_error rerr;
    ugw_line_reader *rd = ugw_line_reader_open(path, 0, &rerr);
    ugw_line ln;
    int got;

    if (!rd) {
        fprintf(stderr, "%s relay publish: cannot read %s: %s\n", cli_name(), name,
                strerror(rerr.sys_errno ? rerr.sys_errno : EIO));
        return false;
    }
    while ((got = ugw_line_reader_next(rd, &ln, &rerr)) == 1) {
        ugw_error err;
        size_t n = 0;
        size_t len = ln.len;
        if (len && ln.ptr[len - 1] == '\r')
            len--;
        if (ugw_span(ln.ptr, len, UGW_WS_ALL) == len)
            continue; /* blank */
        if (cli_decode(pr->dec, UGW_FORMAT_JSON, ln.ptr, len, &pr->ev, &err) != UGW_OK) {
            char where[64];
            snprintf(where, sizeof where, "%s:%llu", name, (unsigned long long)ln.number);
            print_problem(stderr, where, &err);
            pr->invalid++;
            continue;
        }
        for (;;) {
            ugw_status st = cli_encode(pr->ev.type, pr->ev.env, pr->ev.payload, pr->format, pr->enc, pr->enc_cap, &n, &err);
            if (st == UGW_OK)
                break;
            if (st == UGW_ERR_BUFFER) {
                char *nb = realloc(pr->enc, n);
                if (nb) {
                    pr->enc = nb;
                    pr->enc_cap = n;
                    continue;
                }
            }
            fprintf(stderr, "%s relay publish: %s:%llu: cannot encode: %s\n", cli_name(), name,
                    (unsigned long long)ln.number, err.message);
            ugw_line_reader_close(rd);
            return false;
        }
        if (!publish_one(pr, name, ln.number, n)) {
            ugw_line_reader_close(rd);
            return false;
        }
    }
    ugw_line_reader_close(rd);
    if (got < 0) {
        fprintf(stderr, "%s relay publish: cannot read %s: %s\n", cli_name(), name,
                strerror(rerr.sys_errno ? rerr.sys_errno : EIO));
        return false;
    }
    return true;
}

int relay_publish(const ugw_cmd *cmd, int argc, char **argv)
{
    static const cli_option opts[] = {
        RELAY_NATS_OPTIONS,
        { "endpoint", OPT_ENDPOINT, true },
        { "format", OPT_FORMAT, true },
        { "strict", OPT_STRICT, false },
        { "ids", OPT_IDS, true },
        { "retry-for", OPT_RETRY_FOR, true },
        { "help", 'h', false },
        { NULL, 0, false },
    };
    ugw_relay_nats nats;
    pub_run pr;
    const char **files;
    size_t nfiles = 0;
    const char *ids_path = NULL;
    bool strict = false, ok = true;
    cli_parser p;
    ugw_error err;
    int k, t;

    memset(&nats, 0, sizeof nats);
    memset(&pr, 0, sizeof pr);
    pr.format = UGW_FORMAT_JSON;
    pr.retry_for_ms = 60000;
    files = calloc((size_t)argc + 1, sizeof *files);
    if (!files)
        return EXIT_USAGE;
    cli_init(&p, cmd, argc, argv, opts);
    while ((k = cli_next(&p)) != CLI_END) {
        if ((t = relay_nats_option(cmd, k, p.arg, &nats)) != 0) {
            if (t < 0)
                goto usage;
            continue;
        }
        switch (k) {
        case OPT_ENDPOINT: pr.endpoint = p.arg; break;
        case OPT_FORMAT:
            if (!cli_parse_format(p.arg, &pr.format)) {
                usage_error(cmd, "--format must be json or msgpack, not '%s'", p.arg);
                goto usage;
            }
            break;
        case OPT_STRICT: strict = true; break;
        case OPT_IDS: ids_path = p.arg; break;
        case OPT_RETRY_FOR:
            if (strcmp(p.arg, "0") == 0) {
                pr.retry_for_ms = 0;
            } else if (!relay_parse_seconds(p.arg, 86400, &pr.retry_for_ms)) {
                usage_error(cmd, "--retry-for must be seconds, at most 86400, not '%s'", p.arg);
                goto usage;
            }
            break;
        case 'h':
            free(files);
            print_cmd_help(cmd, stdout);
            return flush_stdout() ? EXIT_VALID : EXIT_USAGE;
        case CLI_OPERAND: files[nfiles++] = p.arg; break;
        default: goto usage;
        }
    }
    if (!pr.endpoint) {
        usage_error(cmd, "%s", "relay publish needs --endpoint NAME");
        goto usage;
    }
    if (!ugw_relay_name_check(pr.endpoint, strlen(pr.endpoint))) {
        usage_error(cmd, "an endpoint name is 1 to 64 of A-Z a-z 0-9 _ -, not '%s'", pr.endpoint);
        goto usage;
    }
    if (nfiles == 0) {
        usage_error(cmd, "%s", "relay publish needs FILE... ('-' for standard input)");
        goto usage;
    }
    if (ids_path) {
        int fd = open(ids_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
        if (fd < 0 || !(pr.ids = fdopen(fd, "a"))) {
            fprintf(stderr, "%s relay publish: cannot open %s: %s\n", cli_name(), ids_path, strerror(errno));
            if (fd >= 0)
                close(fd);
            free(files);
            return EXIT_USAGE;
        }
    }
    pr.enc_cap = 4096;
    if (!(pr.enc = malloc(pr.enc_cap)) || !cli_event_init(&pr.ev) || !(pr.dec = make_decoder(strict))) {
        ok = false;
        goto done;
    }
    ugw_error_clear(&err);
    pr.p = ugw_relay_producer_new(&nats, &err);
    if (!pr.p) {
        relay_error("publish", "cannot connect", &err);
        ok = false;
        goto done;
    }
    for (size_t i = 0; i < nfiles && ok; i++)
        ok = publish_file(&pr, files[i]);
    fprintf(stderr, "%s relay publish: %llu published (%llu already in the stream), %llu invalid\n", cli_name(),
            (unsigned long long)pr.published, (unsigned long long)pr.duplicates,
            (unsigned long long)pr.invalid);
done:
    ugw_relay_producer_close(pr.p);
    ugw_decoder_free(pr.dec);
    cli_event_free(&pr.ev);
    free(pr.enc);
    if (pr.ids && fclose(pr.ids) != 0) {
        fprintf(stderr, "%s relay publish: cannot write %s: %s\n", cli_name(), ids_path, strerror(errno));
        ok = false;
    }
    free(files);
    if (!ok)
        return EXIT_USAGE;
    return pr.invalid ? EXIT_INVALID : EXIT_VALID;
usage:
    free(files);
    return EXIT_USAGE;
}
