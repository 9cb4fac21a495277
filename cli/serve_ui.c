/*
 * serve_ui.c - what `ugw serve` shows a person: whether the inspector page
 * is on and its address (with its token), and, while it runs with --out on a
 * terminal, one status line on standard error that is redrawn in place
 * (received, valid, invalid, unauthorized, duplicates, the rate).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "cli.h"
#include "serve.h"

/* How often the status line is redrawn. */
#define STATUS_EVERY_MS 250

/* Whether a --listen host is this machine's loopback. */
static bool loopback_host(const char *host)
{
    return strcmp(host, "::1") == 0 || strcasecmp(host, "localhost") == 0 || strncmp(host, "127.", 4) == 0;
}

/* The first line of FILE as the token: 16 to 255 printable characters. */
static bool read_token(const ugw_cmd *cmd, const char *path, char *token, size_t cap)
{
    byte_buf b = { NULL, 0, 0 };
    int e = read_input(path, 4096, &b);
    size_t n;
    if (e) {
        fprintf(stderr, "%s: %s: %s\n", cli_name(), path, strerror(e));
        free(b.data);
        return false;
    }
    n = b.data ? strcspn(b.data, "\r\n") : 0;
    if (b.data && n > b.len)
        n = b.len;
    if (n < 16 || n >= cap || n >= 256 || ugw_span(b.data, n, "!\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNO"
                                                                 "PQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~")
                                                 != n) {
        if (b.data)
            OPENSSL_cleanse(b.data, b.len);
        free(b.data);
        return usage_error(cmd, "--ui-token-file: the first line of %s must be 16 to 255 printable characters",
                           path) == 0;
    }
    memcpy(token, b.data, n);
    token[n] = '\0';
    OPENSSL_cleanse(b.data, b.len);
    free(b.data);
    return true;
}

bool serve_ui_setup(const ugw_cmd *cmd, const char *host, int ui, const char *token_file, server_opts *so,
                    char *token, size_t cap)
{
    static const char hex[] = "0123456789abcdef";
    unsigned char raw[16];
    bool loopback = loopback_host(host);

    so->ui = ui < 0 ? loopback : ui == 1;
    token[0] = '\0';
    if (!so->ui) {
        if (token_file)
            return usage_error(cmd, "--ui-token-file needs the inspector (--ui)%s", "") == 0;
        return true;
    }
    if (token_file) {
        if (!read_token(cmd, token_file, token, cap))
            return false;
    } else if (!loopback) {
        /* Elsewhere than loopback the page is never open to all. */
        if (cap < 2 * sizeof raw + 1 || RAND_bytes(raw, (int)sizeof raw) != 1) {
            fprintf(stderr, "%s serve: no randomness for the inspector's token\n", cli_name());
            return false;
        }
        for (size_t i = 0; i < sizeof raw; i++) {
            token[2 * i] = hex[raw[i] >> 4];
            token[2 * i + 1] = hex[raw[i] & 15];
        }
        token[2 * sizeof raw] = '\0';
        OPENSSL_cleanse(raw, sizeof raw);
    }
    so->ui_token = token[0] ? token : NULL;
    return true;
}

void serve_ui_announce(ugw_server *srv, const char *host, const char *token, const char *token_file)
{
    const char *url = server_url(srv);
    if (token_file)
        fprintf(stderr, "%s serve: inspector on %s_ugw/?token=... (the token of %s)\n", cli_name(), url,
                token_file);
    else if (token[0])
        fprintf(stderr, "%s serve: inspector on %s_ugw/?token=%s\n", cli_name(), url, token);
    else
        fprintf(stderr, "%s serve: inspector on %s_ugw/ (%s only)\n", cli_name(), url,
                loopback_host(host) ? "this machine" : "loopback");
}

static double mono_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void serve_wait_signal(ugw_server *srv, const sigset_t *set, bool status_line)
{
    struct timespec every = { 0, STATUS_EVERY_MS * 1000000L };
    double t0 = mono_s(), last_t = t0;
    uint64_t last_n = 0;
    double rate = 0;
    int sig;

    for (;;) {
        server_stats st;
        char line[256];
        double now;
        if (!status_line) {
            if (sigwait(set, &sig) == 0 && (sig == SIGINT || sig == SIGTERM))
                return;
            continue;
        }
        sig = sigtimedwait(set, NULL, &every);
        if (sig == SIGINT || sig == SIGTERM)
            break;
        server_stats_get(srv, &st);
        now = mono_s();
        if (now - last_t >= 1.0) {
            rate = (double)(st.received - last_n) / (now - last_t);
            last_n = st.received;
            last_t = now;
        }
        server_stats_format(&st, line, sizeof line);
        /* One write per redraw: a rejection line (which clears this one
         * first) never lands inside it. */
        fprintf(stderr, "\r\033[K%s serve: %s, %.0f req/s, up %.0f s", cli_name(), line, rate, now - t0);
        fflush(stderr);
    }
    fputs("\r\033[K", stderr);
}
