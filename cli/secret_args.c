/*
 * secret_args.c - where a command's webhook secrets come from (cli.h): the
 * option itself (`--secret S`, visible to every user through ps, so it is
 * warned about), a file (`--secret-file FILE`: one secret a line) or an
 * environment variable (`UGW_SECRET`: secrets separated by white space,
 * read only when no option names one). Keys that fail the library's rule
 * (ugw_secret_check(): shorter than UGW_SECRET_MIN_LEN bytes) are refused
 * unless --allow-weak-secret is given, which the command also passes on to
 * the library's configuration (allow_weak_secret(s)). Every temporary
 * copy of key material (file contents, decoded keys) is cleansed with
 * OPENSSL_cleanse(), which the compiler may not optimise away.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include <ugw/ugw_webhook.h>

#include "cli.h"

/* The largest secret file read: many secrets, never a whole disk. */
#define SECRET_FILE_MAX ((size_t)64 << 10)

void cli_secret_args_init(cli_secret_args *a, const char *opt, const char *env)
{
    memset(a, 0, sizeof *a);
    a->opt = opt;
    a->env = env;
}

bool cli_secret_args_add(const ugw_cmd *cmd, cli_secret_args *a, bool file, const char *arg)
{
    const char **list = file ? a->files : a->texts;
    size_t *n = file ? &a->nfiles : &a->ntexts;

    if (*n == CLI_SECRETS_MAX) {
        usage_error(cmd, file ? "too many secret files, not also '%s'" : "too many secrets, not also '%s'",
                    file ? arg : "...");
        return false;
    }
    list[(*n)++] = arg;
    return true;
}

/* "NAME CMD: " on stderr. */
static void prefix(const ugw_cmd *cmd)
{
    fprintf(stderr, "%s %s: ", cli_name(), cmd->name);
}

/* Parses one secret of `len` bytes at `text` into keys[*n]; `from` names its
 * source in messages ("--secret", "FILE:LINE", "UGW_SECRET"). */
static bool add_key(const ugw_cmd *cmd, const cli_secret_args *a, const char *from, const char *text,
                    size_t len, ugw_secret *keys, size_t max, size_t *n)
{
    ugw_error err;

    if (*n == max) {
        prefix(cmd);
        if (max == 1)
            fprintf(stderr, "%s: only one secret may be given\n", from);
        else
            fprintf(stderr, "%s: at most %zu secrets may be given\n", from, max);
        return false;
    }
    if (ugw_secret_parse(text, len, &keys[*n], &err) != UGW_OK) {
        prefix(cmd);
        fprintf(stderr, "invalid secret in %s: %s (at character %zu)\n", from,
                err.message ? err.message : "invalid", err.pos);
        return false;
    }
    if (ugw_secret_check(&keys[*n], a->allow_weak, NULL) != UGW_OK) {
        prefix(cmd);
        fprintf(stderr, "the secret in %s is %zu byte%s long; at least %d are required (the Standard "
                "Webhooks minimum): make one with '%s secret new', or give --allow-weak-secret\n",
                from, keys[*n].len, keys[*n].len == 1 ? "" : "s", UGW_SECRET_MIN_LEN, cli_name());
        OPENSSL_cleanse(&keys[*n], sizeof keys[*n]);
        return false;
    }
    (*n)++;
    return true;
}

/* Every white-space separated word of text[0..len) as a secret. */
static bool add_words(const ugw_cmd *cmd, const cli_secret_args *a, const char *from, const char *text,
                      size_t len, ugw_secret *keys, size_t max, size_t *n)
{
    size_t at = 0;
    while (at < len) {
        size_t w;
        at += ugw_span(text + at, len - at, UGW_WS_ALL);
        w = ugw_cspan(text + at, len - at, UGW_WS_ALL);
        if (w && !add_key(cmd, a, from, text + at, w, keys, max, n))
            return false;
        at += w;
    }
    return true;
}

/* Reads a secret file into buf (cap SECRET_FILE_MAX + 1); its length, or
 * (size_t)-1 after a message. */
static size_t read_secret_file(const ugw_cmd *cmd, const char *path, char *buf)
{
    struct stat st;
    size_t len = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);

    if (fd < 0) {
        prefix(cmd);
        fprintf(stderr, "cannot read the secret file %s: %s\n", path, strerror(errno));
        return (size_t)-1;
    }
    if (fstat(fd, &st) != 0 || S_ISDIR(st.st_mode)) {
        int e = S_ISDIR(st.st_mode) ? EISDIR : errno;
        prefix(cmd);
        fprintf(stderr, "cannot read the secret file %s: %s\n", path, strerror(e));
        close(fd);
        return (size_t)-1;
    }
    if (S_ISREG(st.st_mode) && (st.st_mode & 077)) {
        prefix(cmd);
        fprintf(stderr, "warning: the secret file %s can be read by other users (mode %04o); "
                "'chmod 600 %s' keeps it private\n", path, (unsigned)(st.st_mode & 07777), path);
    }
    for (;;) {
        ssize_t r = read(fd, buf + len, SECRET_FILE_MAX + 1 - len);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            prefix(cmd);
            fprintf(stderr, "cannot read the secret file %s: %s\n", path, strerror(errno));
            close(fd);
            return (size_t)-1;
        }
        if (r == 0)
            break;
        len += (size_t)r;
        if (len > SECRET_FILE_MAX) {
            prefix(cmd);
            fprintf(stderr, "the secret file %s is larger than %zu bytes\n", path, SECRET_FILE_MAX);
            close(fd);
            return (size_t)-1;
        }
    }
    close(fd);
    return len;
}

/* The secrets of a file: one a line; blank lines and lines starting with
 * '#' are skipped. */
static bool add_file(const ugw_cmd *cmd, const cli_secret_args *a, const char *path, ugw_secret *keys,
                     size_t max, size_t *n)
{
    char *buf = malloc(SECRET_FILE_MAX + 1);
    char from[300];
    size_t len, at = 0;
    unsigned line = 0;
    bool ok = true;

    if (!buf) {
        prefix(cmd);
        fputs("out of memory\n", stderr);
        return false;
    }
    len = read_secret_file(cmd, path, buf);
    if (len == (size_t)-1) {
        free(buf);
        return false;
    }
    while (ok && at < len) {
        size_t ll = ugw_cspan(buf + at, len - at, "\n");
        ugw_str t = ugw_trim(buf + at, ll, UGW_WS_ALL);
        line++;
        if (t.len && t.ptr[0] != '#') {
            snprintf(from, sizeof from, "%s:%u", path, line);
            ok = add_key(cmd, a, from, t.ptr, t.len, keys, max, n);
        }
        at += ll + (at + ll < len);
    }
    OPENSSL_cleanse(buf, SECRET_FILE_MAX + 1);
    free(buf);
    return ok;
}

bool cli_secret_args_load(const ugw_cmd *cmd, const cli_secret_args *a, ugw_secret *keys, size_t max,
                          size_t *n)
{
    bool ok = true;
    size_t before;
    char from[64];

    *n = 0;
    snprintf(from, sizeof from, "--%s", a->opt);
    for (size_t i = 0; ok && i < a->ntexts; i++) {
        if (!a->texts[i][0]) {
            prefix(cmd);
            fprintf(stderr, "--%s is empty\n", a->opt);
            ok = false;
            break;
        }
        ok = add_key(cmd, a, from, a->texts[i], strlen(a->texts[i]), keys, max, n);
    }
    if (ok && a->ntexts) {
        prefix(cmd);
        fprintf(stderr, "warning: --%s puts the secret on the command line, where other users can "
                "see it (ps); prefer --%s-file FILE%s%s\n", a->opt, a->opt,
                a->env ? " or the environment variable " : "", a->env ? a->env : "");
    }
    for (size_t i = 0; ok && i < a->nfiles; i++) {
        before = *n;
        ok = add_file(cmd, a, a->files[i], keys, max, n);
        if (ok && *n == before) {
            prefix(cmd);
            fprintf(stderr, "the secret file %s holds no secret\n", a->files[i]);
            ok = false;
        }
    }
    if (ok && !a->ntexts && !a->nfiles && a->env) {
        const char *v = getenv(a->env);
        if (v) {
            ok = add_words(cmd, a, a->env, v, strlen(v), keys, max, n);
            if (ok && *n == 0) {
                prefix(cmd);
                fprintf(stderr, "the environment variable %s is set but holds no secret\n", a->env);
                ok = false;
            }
        }
    }
    if (!ok) {
        OPENSSL_cleanse(keys, sizeof *keys * max);
        *n = 0;
    }
    return ok;
}
