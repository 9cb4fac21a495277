/*
 * bench_msgpuck.c - the msgpuck anchors of the codec benchmark (Debian's
 * libmsgpuck-dev; built only when CMake finds it): mp_encode_* into a
 * caller buffer, and mp_check + mp_decode_* with the extraction and checks
 * of bench_extract.c; see bench_codec.c.
 */
#include <msgpuck.h>

#include "bench_codec.h"

/* ---- encode: every field through mp_encode_*, capacity checked per value,
 * no validation (like msgpack-c's packer) ---- */

static char *put_str(char *p, const char *end, const char *s, uint32_t n)
{
    if (!p || (size_t)(end - p) < mp_sizeof_str(n))
        return NULL;
    return mp_encode_str(p, s, n);
}

/* Writes the event into out[0..cap); returns the end or NULL. */
static char *msgpuck_encode_event(const ugw_event *ev, char *out, size_t cap)
{
    const ugw_event_desc *ed = ugw_event_describe(ev->type);
    const char *end = out + cap;
    char *p = out;
    uint32_t count = 0;
    if (!ed || cap < 1)
        return NULL;
    for (int k = 0; k < ed->nfields; k++)
        count += present(&ed->fields[k], &ev->u) ? 1u : 0u;
    p = mp_encode_map(p, 2);
    p = put_str(p, end, "event", 5);
    p = put_str(p, end, ed->wire, (uint32_t)ed->wire_len);
    p = put_str(p, end, "payload", 7);
    if (!p || (size_t)(end - p) < mp_sizeof_map(count))
        return NULL;
    p = mp_encode_map(p, count);
    for (int k = 0; k < ed->nfields; k++) {
        const ugw_field_desc *f = &ed->fields[k];
        if (!present(f, &ev->u))
            continue;
        if (!(p = put_str(p, end, f->name, f->name_len)) || end - p < 9)
            return NULL;
        switch ((ugw_type)f->type) {
        case UGW_TYPE_STRING:
        case UGW_TYPE_URL: {
            const ugw_str *s = CFIELD(&ev->u, f->offset, ugw_str);
            if (s->len > UINT32_MAX)
                return NULL;
            p = put_str(p, end, s->ptr, (uint32_t)s->len);
            break;
        }
        case UGW_TYPE_ID:
            p = mp_encode_uint(p, *CFIELD(&ev->u, f->offset, uint64_t));
            break;
        case UGW_TYPE_INT: {
            int64_t v = *CFIELD(&ev->u, f->offset, int64_t);
            p = v < 0 ? mp_encode_int(p, v) : mp_encode_uint(p, (uint64_t)v);
            break;
        }
        case UGW_TYPE_BOOL:
            p = mp_encode_bool(p, *CFIELD(&ev->u, f->offset, bool));
            break;
        default: /* a type the bundled schema does not use */
            return NULL;
        }
        if (!p)
            return NULL;
    }
    return p;
}

uint64_t pass_msgpuck_encode(uint64_t h)
{
    for (int i = 0; i < NEV; i++) {
        char *end = msgpuck_encode_event(&ugw_fixtures[i], (char *)g_out, sizeof g_out);
        if (!end)
            fail_event("msgpuck encode", i, "error");
        h = digest_bytes(h, g_out, (size_t)(end - (char *)g_out));
    }
    return h;
}

/* ---- decode: mp_check (structure and bounds, the whole input and nothing
 * after it), then one walk that extracts with ugw's checks ---- */

static int msgpuck_value(const ugw_field_desc *f, const char **p, ugw_event *ev)
{
    switch ((ugw_type)f->type) {
    case UGW_TYPE_STRING:
    case UGW_TYPE_URL: {
        uint32_t n;
        const char *s;
        if (mp_typeof(**p) != MP_STR)
            return 0;
        s = mp_decode_str(p, &n);
        if (!anchor_str_ok(f, s, n))
            return 0;
        FIELD(&ev->u, f->offset, ugw_str)->ptr = s;
        FIELD(&ev->u, f->offset, ugw_str)->len = n;
        return 1;
    }
    case UGW_TYPE_ID: {
        uint64_t v;
        if (mp_typeof(**p) != MP_UINT || (v = mp_decode_uint(p)) > (uint64_t)f->max)
            return 0;
        *FIELD(&ev->u, f->offset, uint64_t) = v;
        return 1;
    }
    case UGW_TYPE_INT: {
        int64_t v;
        if (mp_typeof(**p) == MP_UINT) {
            uint64_t u = mp_decode_uint(p);
            if (u > (uint64_t)INT64_MAX)
                return 0;
            v = (int64_t)u;
        } else if (mp_typeof(**p) == MP_INT) {
            v = mp_decode_int(p);
        } else {
            return 0;
        }
        if (!anchor_int_ok(f, v))
            return 0;
        *FIELD(&ev->u, f->offset, int64_t) = v;
        return 1;
    }
    case UGW_TYPE_BOOL:
        if (mp_typeof(**p) != MP_BOOL)
            return 0;
        *FIELD(&ev->u, f->offset, bool) = mp_decode_bool(p);
        return 1;
    default: /* a type the bundled schema does not use */
        return 0;
    }
}

static int msgpuck_extract(const char *in, size_t len, ugw_event *ev)
{
    const char *p = in, *end = in + len, *e = NULL, *pl = NULL;
    const ugw_event_desc *ed;
    uint32_t n, en = 0;
    uint64_t seen = 0;
    memset(ev, 0, sizeof *ev);
    if (mp_check(&p, end) || p != end)
        return 0;
    p = in;
    if (mp_typeof(*p) != MP_MAP)
        return 0;
    n = mp_decode_map(&p);
    for (uint32_t i = 0; i < n; i++) {
        uint32_t kl;
        const char *k;
        if (mp_typeof(*p) != MP_STR)
            return 0;
        k = mp_decode_str(&p, &kl);
        if (kl == 5 && !memcmp(k, "event", 5)) {
            if (e || mp_typeof(*p) != MP_STR)
                return 0;
            e = mp_decode_str(&p, &en);
        } else if (kl == 7 && !memcmp(k, "payload", 7)) {
            if (pl || mp_typeof(*p) != MP_MAP)
                return 0;
            pl = p;
            mp_next(&p);
        } else {
            mp_next(&p);
        }
    }
    if (!e || !pl)
        return 0;
    ev->type = ugw_event_from_wire(e, en);
    if (!(ed = ugw_event_describe(ev->type)))
        return 0;
    p = pl;
    n = mp_decode_map(&p);
    for (uint32_t i = 0; i < n; i++) {
        uint32_t kl;
        const char *key;
        int k;
        if (mp_typeof(*p) != MP_STR)
            return 0;
        key = mp_decode_str(&p, &kl);
        if ((k = anchor_field(ed, key, kl)) < 0) {
            mp_next(&p); /* unknown keys are ignored, as ugw does outside strict mode */
            continue;
        }
        if (seen & (UINT64_C(1) << k))
            return 0;
        seen |= UINT64_C(1) << k;
        if (!msgpuck_value(&ed->fields[k], &p, ev))
            return 0;
        anchor_mark(&ed->fields[k], ev);
    }
    return anchor_required_ok(ed, seen);
}

uint64_t pass_msgpuck_decode(uint64_t h)
{
    for (int i = 0; i < NEV; i++) {
        ugw_event ev;
        if (!msgpuck_extract((const char *)g_mp[i].p, g_mp[i].n, &ev))
            fail_event("msgpuck decode + extraction", i, "breaks a rule");
        h = digest_event(h, &ev);
    }
    return h;
}

int msgpuck_sanity(int i)
{
    ugw_event ev;
    size_t n = 0;
    char *end = msgpuck_encode_event(&ugw_fixtures[i], (char *)g_out, sizeof g_out);
    int same_bytes;
    if (!end)
        fail_event("msgpuck encode", i, "error");
    same_bytes = (size_t)(end - (char *)g_out) == g_mp[i].n && !memcmp(g_out, g_mp[i].p, g_mp[i].n);
    if (!msgpuck_extract((const char *)g_mp[i].p, g_mp[i].n, &ev)
        || ugw_encode_msgpack(&ev, g_out, sizeof g_out, &n, NULL) != UGW_OK || n != g_mp[i].n
        || memcmp(g_out, g_mp[i].p, n))
        fail_event("msgpuck decode + extraction", i, "does not give back the fixture");
    return same_bytes;
}
