/*
 * ugw_util.c - the helpers and error functions of ugw_runtime.h (the text
 * helpers, JSON escapes and UTF-8, are in ugw_text.c). Nothing here
 * allocates or reads past s + len.
 */
#include <ugw/ugw_runtime.h>

#include <string.h>

#include "ugw_internal.h"

uint32_t ugw_version(void)
{
    return UGW_VERSION_HEX;
}

const char *ugw_version_string(void)
{
    return UGW_VERSION_STRING;
}

/* ------------------------------------------------------------------ */
/* Status names and errors                                              */
/* ------------------------------------------------------------------ */

static const char *const status_names[] = {
    [UGW_OK] = "ok",
    [UGW_ERR_SYNTAX] = "syntax",
    [UGW_ERR_TRUNCATED] = "truncated",
    [UGW_ERR_TRAILING] = "trailing",
    [UGW_ERR_DEPTH] = "depth",
    [UGW_ERR_LIMIT] = "limit",
    [UGW_ERR_TYPE] = "type",
    [UGW_ERR_MISSING] = "missing",
    [UGW_ERR_DUPLICATE_KEY] = "duplicate_key",
    [UGW_ERR_UNKNOWN_EVENT] = "unknown_event",
    [UGW_ERR_RANGE] = "range",
    [UGW_ERR_UTF8] = "utf8",
    [UGW_ERR_NUL] = "nul",
    [UGW_ERR_TOO_SHORT] = "too_short",
    [UGW_ERR_TOO_LONG] = "too_long",
    [UGW_ERR_URL] = "url",
    [UGW_ERR_ENUM] = "enum",
    [UGW_ERR_FORMAT] = "format",
    [UGW_ERR_UNKNOWN_KEY] = "unknown_key",
    [UGW_ERR_NOMEM] = "nomem",
    [UGW_ERR_BUFFER] = "buffer",
    [UGW_ERR_ARG] = "arg",
    [UGW_ERR_SECRET] = "secret",
    [UGW_ERR_SIGNATURE] = "signature",
    [UGW_ERR_TIMESTAMP] = "timestamp",
    [UGW_ERR_FULL] = "full",
    [UGW_ERR_CLOSED] = "closed",
    [UGW_ERR_TIMEOUT] = "timeout",
    [UGW_ERR_DELIVERY] = "delivery",
    [UGW_ERR_IO] = "io",
    [UGW_ERR_BUSY] = "busy",
    [UGW_ERR_CORRUPT] = "corrupt",
};

_Static_assert(sizeof status_names / sizeof status_names[0] == UGW_ERR__COUNT,
               "status_names must name every ugw_status");

const char *ugw_status_name(ugw_status code)
{
    /* The cast also catches negative values forced into the enum. */
    if ((unsigned)code >= (unsigned)UGW_ERR__COUNT)
        return "?";
    return status_names[code];
}

int ugw_status_from_name(const char *name)
{
    if (name == NULL)
        return -1;
    for (int i = 0; i < (int)UGW_ERR__COUNT; i++) {
        if (strcmp(status_names[i], name) == 0)
            return i;
    }
    return -1;
}

ugw_status ugw_error_set(ugw_error *err, ugw_status code, const char *message,
                         size_t pos, const char *path)
{
    if (err == NULL || err->code != UGW_OK)
        return code; /* no place to write, or the first error wins */

    err->code = code;
    err->message = message != NULL ? message : ugw_status_name(code);
    err->pos = pos;

    if (path == NULL)
        path = "";
    size_t n = 0;
    while (n < UGW_PATH_MAX - 1 && path[n] != '\0') {
        err->path[n] = path[n];
        n++;
    }
    /* Here path[n] is readable: either n < UGW_PATH_MAX - 1 and it is the
     * terminator, or the loop stopped at the limit inside the string. */
    if (path[n] != '\0')
        memcpy(err->path + n - 3, "...", 3);
    err->path[n] = '\0';
    return code;
}

void ugw_error_clear(ugw_error *err)
{
    ugw__error_clear(err);
}

/* ------------------------------------------------------------------ */
/* URL                                                                  */
/* ------------------------------------------------------------------ */

/* Compares `n` bytes of `s` with the lowercase ASCII `lit`, ignoring case. */
static bool prefix_ci(const char *s, const char *lit, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 'A' && c <= 'Z')
            c = (unsigned char)(c + ('a' - 'A'));
        if (c != (unsigned char)lit[i])
            return false;
    }
    return true;
}

bool ugw_url_check(const char *s, size_t len)
{
    size_t host;
    /* The common case, 8 bytes at a time: only 0x21..0x7e and a good head. */
    if (ugw__plain(s, len, true, false))
        return ugw__url_head_ok(s, len);
    if (len >= 7 && prefix_ci(s, "http://", 7))
        host = 7;
    else if (len >= 8 && prefix_ci(s, "https://", 8))
        host = 8;
    else
        return false;

    if (host >= len)
        return false; /* no host */
    const char h = s[host];
    if (h == '/' || h == '?' || h == '#')
        return false;

    const unsigned char *p = (const unsigned char *)s;
    for (size_t i = 0; i < len; i++) {
        if (p[i] <= 0x20 || p[i] == 0x7f)
            return false;
    }
    return true;
}

/* ------------------------------------------------------------------ */
/* Integers                                                             */
/* ------------------------------------------------------------------ */

bool ugw_parse_u64(const char *s, size_t len, uint64_t *out)
{
    if (len == 0 || len > 20)
        return false;
    uint64_t v = 0;
    for (size_t i = 0; i < len; i++) {
        const unsigned char c = (unsigned char)s[i];
        if (c < '0' || c > '9')
            return false;
        const unsigned d = c - (unsigned)'0';
        if (v > (UINT64_MAX - d) / 10)
            return false;
        v = v * 10 + d;
    }
    if (out != NULL)
        *out = v;
    return true;
}

size_t ugw_fmt_u64(char *out, uint64_t v)
{
    char tmp[20];
    size_t n = sizeof tmp;
    do {
        tmp[--n] = (char)('0' + (int)(v % 10));
        v /= 10;
    } while (v != 0);
    memcpy(out, tmp + n, sizeof tmp - n);
    return sizeof tmp - n;
}

size_t ugw_fmt_i64(char *out, int64_t v)
{
    if (v >= 0)
        return ugw_fmt_u64(out, (uint64_t)v);
    /* Negate in unsigned arithmetic so INT64_MIN works. */
    out[0] = '-';
    return 1 + ugw_fmt_u64(out + 1, UINT64_C(0) - (uint64_t)v);
}

/* ------------------------------------------------------------------ */
/* Formats                                                              */
/* ------------------------------------------------------------------ */

ugw_format ugw_detect_format(const void *in, size_t len)
{
    const unsigned char *p = in;
    size_t i = ugw_span(in, len, UGW_WS_JSON);
    /* A JSON text starts with printable ASCII; a MessagePack map (or any
     * other MessagePack value but a small positive integer) does not. */
    if (i == len || (p[i] >= 0x20 && p[i] < 0x7f))
        return UGW_FORMAT_JSON;
    return UGW_FORMAT_MSGPACK;
}

const char *ugw_format_name(ugw_format f)
{
    switch (f) {
    case UGW_FORMAT_JSON: return "json";
    case UGW_FORMAT_MSGPACK: return "msgpack";
    default: return "?";
    }
}

const char *ugw_format_media_type(ugw_format f)
{
    switch (f) {
    case UGW_FORMAT_JSON: return "application/json";
    case UGW_FORMAT_MSGPACK: return "application/msgpack";
    default: return "?";
    }
}
