/*
 * ugw_metrics.c - the Prometheus text writer of ugw_metrics.h.
 */
#include <ugw/ugw_metrics.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

/* Appends n bytes; counts them past the end of the buffer. */
static void put_n(ugw_metrics_writer *w, const char *s, size_t n)
{
    if (w->len < w->cap) {
        size_t room = w->cap - w->len;
        memcpy(w->buf + w->len, s, n < room ? n : room);
    }
    w->len = n > SIZE_MAX - w->len ? SIZE_MAX : w->len + n;
}

static void put(ugw_metrics_writer *w, const char *s)
{
    put_n(w, s, strlen(s));
}

/* A label value with its escapes: \\ \" \n. */
static void put_label_value(ugw_metrics_writer *w, const char *v)
{
    for (; *v; v++) {
        if (*v == '\\')
            put_n(w, "\\\\", 2);
        else if (*v == '"')
            put_n(w, "\\\"", 2);
        else if (*v == '\n')
            put_n(w, "\\n", 2);
        else
            put_n(w, v, 1);
    }
}

/* name{k="v",...,extra_k="extra_v"} followed by a space. */
static void put_series(ugw_metrics_writer *w, const char *name, const char *suffix, const char *const *labels,
                       const char *extra_k, const char *extra_v)
{
    bool any = false;
    put(w, name);
    if (suffix)
        put(w, suffix);
    for (size_t i = 0; labels && labels[i] && labels[i + 1]; i += 2) {
        put(w, any ? "," : "{");
        put(w, labels[i]);
        put(w, "=\"");
        put_label_value(w, labels[i + 1]);
        put(w, "\"");
        any = true;
    }
    if (extra_k) {
        put(w, any ? "," : "{");
        put(w, extra_k);
        put(w, "=\"");
        put_label_value(w, extra_v);
        put(w, "\"");
        any = true;
    }
    put(w, any ? "} " : " ");
}

static void put_u64(ugw_metrics_writer *w, uint64_t v)
{
    char num[24];
    put_n(w, num, ugw_fmt_u64(num, v));
}

static void put_double(ugw_metrics_writer *w, double v)
{
    char num[40];
    if (isnan(v))
        put(w, "NaN");
    else if (isinf(v))
        put(w, v > 0 ? "+Inf" : "-Inf");
    else {
        snprintf(num, sizeof num, "%.9g", v);
        put(w, num);
    }
}

void ugw_metrics_init(ugw_metrics_writer *w, char *buf, size_t cap)
{
    if (!w)
        return;
    w->buf = buf;
    w->cap = buf ? cap : 0;
    w->len = 0;
}

void ugw_metrics_family(ugw_metrics_writer *w, const char *name, const char *type, const char *help)
{
    if (!w || !name || !type || !help)
        return;
    put(w, "# HELP ");
    put(w, name);
    put(w, " ");
    put(w, help);
    put(w, "\n# TYPE ");
    put(w, name);
    put(w, " ");
    put(w, type);
    put(w, "\n");
}

void ugw_metrics_u64(ugw_metrics_writer *w, const char *name, const char *const *labels, uint64_t value)
{
    if (!w || !name)
        return;
    put_series(w, name, NULL, labels, NULL, NULL);
    put_u64(w, value);
    put(w, "\n");
}

void ugw_metrics_double(ugw_metrics_writer *w, const char *name, const char *const *labels, double value)
{
    if (!w || !name)
        return;
    put_series(w, name, NULL, labels, NULL, NULL);
    put_double(w, value);
    put(w, "\n");
}

void ugw_metrics_histogram(ugw_metrics_writer *w, const char *name, const char *const *labels,
                           const double *bounds, size_t nbounds, const uint64_t *counts, double sum)
{
    uint64_t total = 0;
    char le[40];
    if (!w || !name || (!counts) || (nbounds && !bounds))
        return;
    for (size_t i = 0; i <= nbounds; i++) {
        total += counts[i];
        if (i < nbounds)
            snprintf(le, sizeof le, "%.9g", bounds[i]);
        else
            snprintf(le, sizeof le, "+Inf");
        put_series(w, name, "_bucket", labels, "le", le);
        put_u64(w, total);
        put(w, "\n");
    }
    put_series(w, name, "_sum", labels, NULL, NULL);
    put_double(w, sum);
    put(w, "\n");
    put_series(w, name, "_count", labels, NULL, NULL);
    put_u64(w, total);
    put(w, "\n");
}

void ugw_metrics_scalars(ugw_metrics_writer *w, const ugw_metrics_scalar *s, size_t n)
{
    if (!w || !s)
        return;
    for (size_t i = 0; i < n; i++) {
        ugw_metrics_family(w, s[i].name, s[i].type, s[i].help);
        ugw_metrics_u64(w, s[i].name, NULL, s[i].value);
    }
}

ugw_status ugw_metrics_end(ugw_metrics_writer *w, size_t *len)
{
    if (!w)
        return UGW_ERR_ARG;
    if (len)
        *len = w->len;
    if (w->len < w->cap) {
        w->buf[w->len] = '\0';
        return UGW_OK;
    }
    if (w->cap)
        w->buf[w->cap - 1] = '\0';
    return UGW_ERR_BUFFER;
}
