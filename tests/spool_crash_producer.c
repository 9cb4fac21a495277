/*
 * spool_crash_producer.c - the library side of the spool's crash test
 * (test_spool_crash.py): a program that enqueues events to a client with a
 * spool and records each webhook-id once enqueue has returned UGW_OK, one
 * line each, written with one write() (a SIGKILL keeps what write() took).
 * The test kills it with SIGKILL at a random moment, runs it again with
 * N 0 (resume only), and checks that every recorded id was delivered.
 *
 * Usage: spool_crash_producer SPOOL URL RECORD N
 * Exit: 0 when everything it knew of was delivered; 1 otherwise; 2 usage.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ugw/ugw_client.h>

int main(int argc, char **argv)
{
    ugw_client_config cfg;
    ugw_client_stats st;
    ugw_error err;
    ugw_client *c;
    long n;
    int fd;

    if (argc != 5 || (n = strtol(argv[4], NULL, 10)) < 0) {
        fprintf(stderr, "usage: spool_crash_producer SPOOL URL RECORD N\n");
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    fd = open(argv[3], O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd < 0) {
        perror(argv[3]);
        return 2;
    }
    memset(&cfg, 0, sizeof cfg);
    cfg.url = argv[2];
    cfg.spool_path = argv[1];
    cfg.max_in_flight = 8;
    cfg.backoff_base_ms = 20;
    cfg.backoff_max_ms = 200;
    cfg.max_attempts = 100;
    cfg.timeout_ms = 5000;
    c = ugw_client_new(&cfg, &err);
    if (!c) {
        fprintf(stderr, "spool_crash_producer: %s: %s\n", ugw_status_name(err.code), err.message);
        return 2;
    }
    ugw_client_stats_get(c, &st);
    fprintf(stderr, "spool_crash_producer: resumed %llu\n", (unsigned long long)st.resumed);
    for (long i = 0; i < n; i++) {
        char body[128], id[UGW_WEBHOOK_ID_MAX], line[UGW_WEBHOOK_ID_MAX + 1];
        int len = snprintf(body, sizeof body,
                           "{\"event\":\"guide started (userguiding)\",\"payload\":{\"userId\":\"lib-%ld\"}}", i);
        size_t k;
        if (ugw_client_enqueue_body(c, body, (size_t)len, UGW_FORMAT_JSON, "guide started (userguiding)", NULL, -1,
                                    NULL, id, &err) != UGW_OK) {
            fprintf(stderr, "spool_crash_producer: enqueue: %s\n", err.message);
            return 1;
        }
        k = strlen(id);
        memcpy(line, id, k);
        line[k] = '\n';
        if (write(fd, line, k + 1) != (ssize_t)(k + 1)) {
            perror("record");
            return 2;
        }
    }
    close(fd);
    ugw_client_flush(c, -1);
    ugw_client_stats_get(c, &st);
    fprintf(stderr, "spool_crash_producer: delivered %llu, failed %llu\n", (unsigned long long)st.delivered,
            (unsigned long long)st.failed);
    ugw_client_close(c, 0);
    return st.failed ? 1 : 0;
}
