/*
 * ugw_relay_endpoints.c - the relay's endpoints file (ugw_relay.h): one
 * endpoint a line, `NAME URL [secret=SECRET] [in_flight=N]`. The text is
 * hostile: every field is checked, every error carries its line, byte offset
 * and field, and lines, fields and the endpoint count are bounded. Secrets
 * are cleansed from every buffer they passed through.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "relay_internal.h"

#define ENDPOINTS_MAX 1024
#define LINE_MAX_BYTES 8192
#define FILE_MAX_BYTES ((size_t)8 << 20)
#define IN_FLIGHT_MAX 1024

struct ugw_relay_endpoints {
    ugw_relay_endpoint *list;
    size_t n;
};

bool ugw_relay_name_check(const char *name, size_t len)
{
    if (!name || len == 0 || len > UGW_RELAY_NAME_MAX)
        return false;
    for (size_t i = 0; i < len; i++) {
        char ch = name[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_'
              || ch == '-'))
            return false;
    }
    return true;
}

static void free_strings(ugw_relay_endpoint *ep)
{
    if (ep->secret)
        OPENSSL_cleanse((void *)ep->secret, strlen(ep->secret));
    free((void *)ep->name); /* name, url and secret share one block */
    memset(ep, 0, sizeof *ep);
}

void ugw_relay_endpoints_free(ugw_relay_endpoints *e)
{
    if (!e)
        return;
    for (size_t i = 0; i < e->n; i++)
        free_strings(&e->list[i]);
    free(e->list);
    free(e);
}

size_t ugw_relay_endpoints_count(const ugw_relay_endpoints *e)
{
    return e ? e->n : 0;
}

const ugw_relay_endpoint *ugw_relay_endpoints_at(const ugw_relay_endpoints *e, size_t i)
{
    return e && i < e->n ? &e->list[i] : NULL;
}

/* Sets the error of a parse: code, message, line, offset, field. */
static void fail(ugw_read_error *err, ugw_status code, const char *msg, uint64_t line, size_t pos,
                 const char *field)
{
    if (!err)
        return;
    ugw_error_set(&err->error, code, msg, pos, field);
    err->line = line;
}

typedef struct field {
    const char *p;
    size_t n;
    size_t off; /* in the whole text */
} field;

/* Parses one non-blank, non-comment line into `ep` (strings in one block).
 * Returns false after fail(). */
static bool parse_line(const char *ln, size_t n, size_t base, uint64_t lineno, ugw_relay_endpoint *ep,
                       ugw_read_error *err)
{
    field f[4] = { { NULL, 0, 0 }, { NULL, 0, 0 }, { NULL, 0, 0 }, { NULL, 0, 0 } };
    size_t nf = 0, at = 0;
    field secret = { NULL, 0, 0 };
    uint64_t in_flight = 0;
    bool have_in_flight = false;
    char *block;
    ugw_secret key;
    ugw_error se;

    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)ln[i];
        if ((ch < 0x20 && ch != '\t') || ch == 0x7f) {
            fail(err, UGW_ERR_SYNTAX, "a control byte in the line", lineno, base + i, "");
            return false;
        }
    }
    while (at < n) {
        at += ugw_span(ln + at, n - at, UGW_WS_HTTP);
        if (at == n)
            break;
        if (nf == 4) {
            fail(err, UGW_ERR_SYNTAX, "more fields than NAME URL secret= in_flight=", lineno, base + at, "");
            return false;
        }
        f[nf].p = ln + at;
        f[nf].n = ugw_cspan(ln + at, n - at, UGW_WS_HTTP);
        f[nf].off = base + at;
        at += f[nf].n;
        nf++;
    }
    if (!ugw_relay_name_check(f[0].p, f[0].n)) {
        fail(err, UGW_ERR_SYNTAX, "an endpoint name is 1 to 64 of A-Z a-z 0-9 _ -", lineno, f[0].off, "name");
        return false;
    }
    if (nf < 2) {
        fail(err, UGW_ERR_SYNTAX, "the URL is missing after the name", lineno, base + n, "url");
        return false;
    }
    if (!ugw_url_check(f[1].p, f[1].n)) {
        fail(err, UGW_ERR_URL, "not an absolute http:// or https:// URL", lineno, f[1].off, "url");
        return false;
    }
    for (size_t i = 2; i < nf; i++) {
        if (f[i].n > 7 && memcmp(f[i].p, "secret=", 7) == 0) {
            if (secret.p) {
                fail(err, UGW_ERR_DUPLICATE_KEY, "secret= given twice", lineno, f[i].off, "secret");
                return false;
            }
            secret = (field){ f[i].p + 7, f[i].n - 7, f[i].off + 7 };
        } else if (f[i].n > 10 && memcmp(f[i].p, "in_flight=", 10) == 0) {
            if (have_in_flight) {
                fail(err, UGW_ERR_DUPLICATE_KEY, "in_flight= given twice", lineno, f[i].off, "in_flight");
                return false;
            }
            have_in_flight = true;
            if (!ugw_parse_u64(f[i].p + 10, f[i].n - 10, &in_flight) || in_flight < 1
                || in_flight > IN_FLIGHT_MAX) {
                fail(err, UGW_ERR_RANGE, "in_flight is a whole number from 1 to 1024", lineno, f[i].off + 10,
                     "in_flight");
                return false;
            }
        } else {
            fail(err, UGW_ERR_SYNTAX, "unknown option (secret=SECRET and in_flight=N are known)", lineno,
                 f[i].off, "");
            return false;
        }
    }
    if (secret.p) {
        ugw_error_clear(&se);
        if (ugw_secret_parse(secret.p, secret.n, &key, &se) != UGW_OK) {
            fail(err, UGW_ERR_SECRET, "not a webhook secret (whsec_ and base64 of 1 to 256 bytes)", lineno,
                 secret.off + se.pos, "secret");
            return false;
        }
        OPENSSL_cleanse(&key, sizeof key);
    }
    block = malloc(f[0].n + f[1].n + secret.n + 3);
    if (!block) {
        fail(err, UGW_ERR_NOMEM, "out of memory", lineno, f[0].off, "");
        return false;
    }
    memcpy(block, f[0].p, f[0].n);
    block[f[0].n] = 0;
    memcpy(block + f[0].n + 1, f[1].p, f[1].n);
    block[f[0].n + 1 + f[1].n] = 0;
    ep->name = block;
    ep->url = block + f[0].n + 1;
    ep->secret = NULL;
    if (secret.p) {
        char *s = block + f[0].n + f[1].n + 2;
        memcpy(s, secret.p, secret.n);
        s[secret.n] = 0;
        ep->secret = s;
    }
    ep->in_flight = (unsigned)in_flight;
    return true;
}

ugw_relay_endpoints *ugw_relay_endpoints_parse(const char *text, size_t len, ugw_read_error *err)
{
    ugw_relay_endpoints *e;
    size_t at = 0;
    uint64_t lineno = 0;

    if (err) {
        memset(err, 0, sizeof *err);
        ugw_error_clear(&err->error);
    }
    if (!text && len) {
        fail(err, UGW_ERR_ARG, "no text", 0, 0, "");
        return NULL;
    }
    e = calloc(1, sizeof *e);
    if (!e || !(e->list = calloc(ENDPOINTS_MAX, sizeof *e->list))) {
        free(e);
        fail(err, UGW_ERR_NOMEM, "out of memory", 0, 0, "");
        return NULL;
    }
    while (at < len) {
        const char *nl = memchr(text + at, '\n', len - at);
        size_t n = nl ? (size_t)(nl - (text + at)) : len - at, next = at + n + (nl ? 1 : 0);
        size_t lead;
        lineno++;
        if (n > LINE_MAX_BYTES) {
            fail(err, UGW_ERR_LIMIT, "a line longer than 8192 bytes", lineno, at + LINE_MAX_BYTES, "");
            goto bad;
        }
        if (n && text[at + n - 1] == '\r')
            n--;
        lead = ugw_span(text + at, n, UGW_WS_HTTP);
        if (lead == n || text[at + lead] == '#') {
            at = next;
            continue;
        }
        if (e->n == ENDPOINTS_MAX) {
            fail(err, UGW_ERR_LIMIT, "more than 1024 endpoints", lineno, at, "");
            goto bad;
        }
        if (!parse_line(text + at, n, at, lineno, &e->list[e->n], err))
            goto bad;
        for (size_t i = 0; i < e->n; i++) {
            if (strcmp(e->list[i].name, e->list[e->n].name) == 0) {
                fail(err, UGW_ERR_DUPLICATE_KEY, "this endpoint name was given before", lineno, at + lead,
                     "name");
                free_strings(&e->list[e->n]);
                goto bad;
            }
        }
        e->n++;
        at = next;
    }
    if (e->n == 0) {
        fail(err, UGW_ERR_MISSING, "no endpoint in the file", lineno, len, "");
        goto bad;
    }
    return e;
bad:
    ugw_relay_endpoints_free(e);
    return NULL;
}

ugw_relay_endpoints *ugw_relay_endpoints_load(const char *path, unsigned *mode_out, ugw_read_error *err)
{
    struct stat st;
    char *buf;
    size_t len = 0;
    int fd;
    ugw_relay_endpoints *e;

    if (err) {
        memset(err, 0, sizeof *err);
        ugw_error_clear(&err->error);
    }
    if (mode_out)
        *mode_out = 0;
    if (!path) {
        fail(err, UGW_ERR_ARG, "no path", 0, 0, "");
        return NULL;
    }
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0 || fstat(fd, &st) != 0 || S_ISDIR(st.st_mode)) {
        int e_no = fd < 0 ? errno : S_ISDIR(st.st_mode) ? EISDIR : errno;
        if (fd >= 0)
            close(fd);
        fail(err, UGW_ERR_IO, "the endpoints file cannot be read", 0, 0, "");
        if (err)
            err->sys_errno = e_no;
        return NULL;
    }
    if (mode_out)
        *mode_out = (unsigned)(st.st_mode & 07777);
    buf = malloc(FILE_MAX_BYTES + 1);
    if (!buf) {
        close(fd);
        fail(err, UGW_ERR_NOMEM, "out of memory", 0, 0, "");
        return NULL;
    }
    for (;;) {
        ssize_t r = read(fd, buf + len, FILE_MAX_BYTES + 1 - len);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            int e_no = errno;
            OPENSSL_cleanse(buf, len);
            free(buf);
            close(fd);
            fail(err, UGW_ERR_IO, "the endpoints file cannot be read", 0, len, "");
            if (err)
                err->sys_errno = e_no;
            return NULL;
        }
        len += (size_t)r;
        if (r == 0 || len == FILE_MAX_BYTES + 1)
            break;
    }
    close(fd);
    if (len > FILE_MAX_BYTES) {
        OPENSSL_cleanse(buf, len);
        free(buf);
        fail(err, UGW_ERR_LIMIT, "the endpoints file is larger than 8 MiB", 0, FILE_MAX_BYTES, "");
        return NULL;
    }
    e = ugw_relay_endpoints_parse(buf, len, err);
    OPENSSL_cleanse(buf, len);
    free(buf);
    return e;
}
