/*
 * ugw_compound.c - what objects and arrays share in every format: item
 * counts, validation of nested structs, and error paths completed on the way
 * out of a nested value ("payload.items[3].sku"), written into the error
 * itself and never allocated.
 */
#include <string.h>

#include "ugw_internal.h"

ugw_status ugw__check_count(const ugw_field_desc *f, uint64_t count, size_t pos,
                            ugw_error *err)
{
    if (count > (uint64_t)f->max)
        return ugw_error_set(err, UGW_ERR_TOO_LONG, "more items than the array's max_items", pos, f->path);
    if ((int64_t)count < f->min)
        return ugw_error_set(err, UGW_ERR_TOO_SHORT, "fewer items than the array's min_items", pos, f->path);
    return UGW_OK;
}

/* Whether `err` holds a path that a nested value may complete. */
static bool completable(const ugw_error *err)
{
    return err && err->code != UGW_OK && err->code != UGW_ERR_DEPTH && err->path[0];
}

/* err->path = head[0..hn) + tail (the old path from `from`), cut with "..."
 * when longer than UGW_PATH_MAX - 1. */
static void rewrite(ugw_error *err, const char *head, size_t hn, size_t from)
{
    char buf[UGW_PATH_MAX];
    size_t tn = strlen(err->path + from), n = 0;
    bool cut = false;
    if (hn > UGW_PATH_MAX - 1) {
        hn = UGW_PATH_MAX - 1;
        cut = true;
    }
    memcpy(buf, head, hn);
    n = hn;
    if (tn > UGW_PATH_MAX - 1 - n) {
        tn = UGW_PATH_MAX - 1 - n;
        cut = true;
    }
    memcpy(buf + n, err->path + from, tn);
    n += tn;
    /* a path that was cut already ends in "..." and stays so */
    if (cut && n >= 3)
        memcpy(buf + n - 3, "...", 3);
    buf[n] = 0;
    memcpy(err->path, buf, n + 1);
}

void ugw__path_prepend(ugw_error *err, const char *at)
{
    char head[UGW_PATH_MAX + 1];
    size_t an;
    if (!completable(err) || !at || !*at)
        return;
    an = strlen(at);
    if (an > UGW_PATH_MAX - 1)
        an = UGW_PATH_MAX - 1;
    memcpy(head, at, an);
    if (err->path[0] != '[')
        head[an++] = '.';
    rewrite(err, head, an, 0);
}

void ugw__path_item(ugw_error *err, uint32_t i)
{
    char head[16];
    size_t n;
    if (!completable(err) || err->path[0] != '[' || err->path[1] != ']')
        return;
    head[0] = '[';
    n = 1 + ugw_fmt_u64(head + 1, i);
    head[n++] = ']';
    rewrite(err, head, n, 2);
}

const char *ugw__depth_path(char *buf, const char *const *keys, const size_t *lens,
                            const uint64_t *index, int nlev)
{
    size_t n = 0;
    int last = -1;
    bool cut = false;
    for (int k = 0; k < nlev; k++)
        if (keys[k])
            last = k;
    for (int k = 0; k <= last && !cut; k++) {
        char tmp[24];
        const char *s;
        size_t len;
        if (keys[k]) {
            s = keys[k];
            len = lens[k];
            if (n && n < UGW_PATH_MAX - 1)
                buf[n++] = '.';
        } else {
            tmp[0] = '[';
            len = 1 + ugw_fmt_u64(tmp + 1, index[k]);
            tmp[len++] = ']';
            s = tmp;
        }
        for (size_t i = 0; i < len; i++) {
            unsigned char ch = (unsigned char)s[i];
            if (n >= UGW_PATH_MAX - 1) {
                cut = true;
                break;
            }
            buf[n++] = (char)(ch < 0x20 || ch == 0x7f ? '?' : ch);
        }
    }
    if (cut && n >= 3)
        memcpy(buf + n - 3, "...", 3);
    buf[n] = 0;
    return buf;
}

ugw_status ugw__validate_compound(const ugw_field_desc *f, const void *base, ugw_error *err)
{
    ugw_status st;
    if (f->type == UGW_TYPE_OBJECT) {
        const ugw_object_desc *o = f->object;
        if (!o)
            return ugw_error_set(err, UGW_ERR_ARG, "object field without its descriptor", 0, f->path);
        st = ugw__validate_fields(o->fields, o->nfields, (const char *)base + f->offset, err);
        ugw__path_prepend(err, f->path);
        return st;
    }
    {
        uint32_t count = ugw__count(f, base);
        if (!f->item || !f->item_size)
            return ugw_error_set(err, UGW_ERR_ARG, "array field without its item descriptor", 0, f->path);
        if ((st = ugw__check_count(f, count, 0, err)))
            return st;
        for (uint32_t i = 0; i < count; i++) {
            if ((st = ugw__validate_fields(f->item, 1, ugw__slot(f, base, i), err))) {
                ugw__path_item(err, i);
                ugw__path_prepend(err, f->path);
                return st;
            }
        }
        return UGW_OK;
    }
}
