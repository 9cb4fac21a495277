/*
 * ugw_msgpack_scan.c - the errors of MessagePack's structure: when
 * msgpack-c's unpacker stops (ugw_msgpack_unpack.c), a bounds-checked scan
 * of the raw bytes (structure, depth, element count, trailing bytes) names
 * the first error, its position and, for depth, its path. Only documents
 * that fail take this second look. Also the skip over one value that gives
 * the positions of array items in error messages.
 */
#include <string.h>

#include "ugw_internal.h"

/* ------------------------------------------------------------------ */
/* The scan                                                             */
/* ------------------------------------------------------------------ */

typedef struct frame {
    uint64_t left;    /* items (maps: keys and values) still to read */
    uint64_t total;   /* items in all (arrays) */
    bool map;
    const char *key;  /* key of the value being read at this level (maps) */
    size_t key_len;
} frame;

/* The path of a depth error: the keys and indexes of levels 0..top, up to
 * the innermost key (ugw__depth_path), as the JSON decoder finds it. */
static const char *scan_path(char *buf, const frame *st, int top)
{
    const char *keys[UGW_MAX_DEPTH_LIMIT + 1];
    size_t lens[UGW_MAX_DEPTH_LIMIT + 1];
    uint64_t index[UGW_MAX_DEPTH_LIMIT + 1];
    int n = 0;
    for (int k = 0; k <= top; k++, n++) {
        if (st[k].map && !st[k].key)
            break; /* a key that is no string: the path ends before it */
        keys[k] = st[k].map ? st[k].key : NULL;
        lens[k] = st[k].map ? st[k].key_len : 0;
        index[k] = st[k].map ? 0 : st[k].total - st[k].left - 1;
    }
    return ugw__depth_path(buf, keys, lens, index, n);
}

ugw_status ugw__msgpack_scan(const unsigned char *in, size_t len, uint32_t max_depth,
                       uint32_t max_items, ugw_error *err)
{
    frame st[UGW_MAX_DEPTH_LIMIT + 1];
    int top = -1;
    size_t pos = 0;
    uint32_t items = 0;
    char pbuf[UGW_PATH_MAX];

    for (;;) {
        size_t start = pos;
        uint64_t need = 0; /* a 32-bit length plus a fixed part: never wraps */
        uint64_t children = 0;
        bool is_map = false, container = false;
        const unsigned char *str = NULL;
        size_t str_len = 0;
        unsigned char b;

        if (pos >= len)
            return ugw_error_set(err, UGW_ERR_TRUNCATED, "document ends early", len, NULL);
        if (++items > max_items)
            return ugw_error_set(err, UGW_ERR_LIMIT, "more items than the decoder's max_tokens", pos, NULL);
        b = in[pos++];
        if (b <= 0x7f || b >= 0xe0 || b == 0xc0 || b == 0xc2 || b == 0xc3) {
            /* fixint, nil, bool */
        } else if (b >= 0x80 && b <= 0x8f) {
            children = (uint64_t)(b & 0x0f) * 2;
            is_map = container = true;
        } else if (b >= 0x90 && b <= 0x9f) {
            children = b & 0x0f;
            container = true;
        } else if (b >= 0xa0 && b <= 0xbf) {
            need = b & 0x1f;
            str = in + pos;
        } else {
            int w = 0;       /* width of a length field */
            size_t fixed = 0; /* payload bytes that follow directly */
            switch (b) {
            case 0xc4: case 0xd9: w = 1; break;            /* bin8, str8 */
            case 0xc5: case 0xda: w = 2; break;            /* bin16, str16 */
            case 0xc6: case 0xdb: w = 4; break;            /* bin32, str32 */
            case 0xc7: w = 1; fixed = 1; break;            /* ext8: len, type */
            case 0xc8: w = 2; fixed = 1; break;
            case 0xc9: w = 4; fixed = 1; break;
            case 0xca: fixed = 4; break;                   /* float32 */
            case 0xcb: fixed = 8; break;                   /* float64 */
            case 0xcc: case 0xd0: fixed = 1; break;
            case 0xcd: case 0xd1: fixed = 2; break;
            case 0xce: case 0xd2: fixed = 4; break;
            case 0xcf: case 0xd3: fixed = 8; break;
            case 0xd4: fixed = 2; break;                   /* fixext 1 */
            case 0xd5: fixed = 3; break;
            case 0xd6: fixed = 5; break;
            case 0xd7: fixed = 9; break;
            case 0xd8: fixed = 17; break;
            case 0xdc: w = 2; container = true; break;     /* array16 */
            case 0xdd: w = 4; container = true; break;
            case 0xde: w = 2; container = is_map = true; break;
            case 0xdf: w = 4; container = is_map = true; break;
            default: /* 0xc1 */
                return ugw_error_set(err, UGW_ERR_SYNTAX, "invalid MessagePack byte 0xc1", start, NULL);
            }
            if (len - pos < (size_t)w)
                return ugw_error_set(err, UGW_ERR_TRUNCATED, "document ends early", len, NULL);
            if (w) {
                uint64_t n = ugw__rd_be(in + pos, w);
                pos += (size_t)w;
                if (container)
                    children = is_map ? n * 2 : n;
                else
                    need = n;
            }
            need += fixed;
            if (b == 0xd9 || b == 0xda || b == 0xdb)
                str = in + pos;
        }
        if (need) {
            if ((uint64_t)(len - pos) < need)
                return ugw_error_set(err, UGW_ERR_TRUNCATED, "document ends early", len, NULL);
            pos += (size_t)need;
        }
        if (str)
            str_len = (size_t)need;
        /* Record this item as the key of its map level. */
        if (top >= 0 && st[top].map && (st[top].left % 2) == 0) {
            st[top].key = str ? (const char *)str : NULL;
            st[top].key_len = str_len;
        }
        if (top >= 0)
            st[top].left--;
        if (container) {
            if ((uint32_t)(top + 2) > max_depth)
                return ugw_error_set(err, UGW_ERR_DEPTH, "nesting too deep", start, scan_path(pbuf, st, top));
            if (children > (uint64_t)(len - pos))
                return ugw_error_set(err, UGW_ERR_TRUNCATED, "document ends early", len, NULL);
            top++;
            st[top].left = children;
            st[top].total = children;
            st[top].map = is_map;
            st[top].key = NULL;
            st[top].key_len = 0;
        }
        while (top >= 0 && st[top].left == 0)
            top--;
        if (top < 0)
            break;
    }
    if (pos != len)
        return ugw_error_set(err, UGW_ERR_TRAILING, "bytes after the document", pos, NULL);
    return UGW_OK;
}

/* Offset just after the value at in[pos] (checked by the scan); never past
 * `len`, so a wrong `pos` gives wrong offsets, never a read outside. */
size_t ugw__msgpack_skip(const unsigned char *p, size_t len, size_t pos, int depth)
{
    unsigned char b;
    uint64_t n = 0, items = 0;
    if (pos >= len || depth > (int)UGW_MAX_DEPTH_LIMIT + 1)
        return len;
    b = p[pos++];
    if (b <= 0x7f || b >= 0xe0 || b == 0xc0 || b == 0xc1 || b == 0xc2 || b == 0xc3)
        return pos;
    if (b >= 0x80 && b <= 0x8f)
        items = (uint64_t)(b & 0x0f) * 2;
    else if (b >= 0x90 && b <= 0x9f)
        items = b & 0x0f;
    else if (b >= 0xa0 && b <= 0xbf)
        n = b & 0x1f;
    else {
        int w = 0;
        size_t fixed = 0;
        switch (b) {
        case 0xc4: case 0xd9: w = 1; break;
        case 0xc5: case 0xda: w = 2; break;
        case 0xc6: case 0xdb: w = 4; break;
        case 0xc7: w = 1; fixed = 1; break;
        case 0xc8: w = 2; fixed = 1; break;
        case 0xc9: w = 4; fixed = 1; break;
        case 0xca: case 0xce: case 0xd2: fixed = 4; break;
        case 0xcb: case 0xcf: case 0xd3: fixed = 8; break;
        case 0xcc: case 0xd0: fixed = 1; break;
        case 0xcd: case 0xd1: case 0xd4: fixed = 2; break;
        case 0xd5: fixed = 3; break;
        case 0xd6: fixed = 5; break;
        case 0xd7: fixed = 9; break;
        case 0xd8: fixed = 17; break;
        case 0xdc: case 0xde: w = 2; break;
        default: w = 4; break; /* 0xdd, 0xdf */
        }
        if (len - pos < (size_t)w)
            return len;
        if (w)
            n = ugw__rd_be(p + pos, w);
        pos += (size_t)w;
        if (b == 0xdc || b == 0xdd)
            items = n, n = 0;
        else if (b == 0xde || b == 0xdf)
            items = n * 2, n = 0;
        n += fixed;
    }
    if ((uint64_t)(len - pos) < n)
        return len;
    pos += (size_t)n;
    for (uint64_t i = 0; i < items && pos < len; i++)
        pos = ugw__msgpack_skip(p, len, pos, depth + 1);
    return pos;
}

