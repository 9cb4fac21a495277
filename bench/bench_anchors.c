/*
 * bench_anchors.c - the codec benchmark's anchors: cJSON and jansson (build +
 * print, parse + field extraction) and msgpack-c (generic msgpack_sbuffer
 * packing, msgpack_unpack_next alone per event), and the sanity check that
 * everyone produces and reads the same data; see bench_codec.c.
 */
#include <cJSON.h>
#include <jansson.h>

#include "bench_codec.h"

/* ---- cJSON ---- */

/* The same object as ours, built field by field. The fixture strings are
 * NUL-terminated literals (checked at start-up), so cJSON gets them without a
 * copy. Returns the printed text (cJSON_free it) or NULL. */
static char *cjson_print_event(const ugw_event *ev)
{
    const ugw_event_desc *ed = ugw_event_describe(ev->type);
    cJSON *root = cJSON_CreateObject(), *pl;
    char *out = NULL;
    if (!root || !ed)
        goto done;
    if (!cJSON_AddStringToObject(root, "event", ed->wire))
        goto done;
    if (!(pl = cJSON_AddObjectToObject(root, "payload")))
        goto done;
    for (int k = 0; k < ed->nfields; k++) {
        const ugw_field_desc *f = &ed->fields[k];
        cJSON *item = NULL;
        if (!present(f, &ev->u))
            continue;
        switch ((ugw_type)f->type) {
        case UGW_TYPE_STRING:
        case UGW_TYPE_URL:
            item = cJSON_AddStringToObject(pl, f->name, CFIELD(&ev->u, f->offset, ugw_str)->ptr);
            break;
        case UGW_TYPE_ID:
            item = cJSON_AddNumberToObject(pl, f->name, (double)*CFIELD(&ev->u, f->offset, uint64_t));
            break;
        case UGW_TYPE_INT:
            item = cJSON_AddNumberToObject(pl, f->name, (double)*CFIELD(&ev->u, f->offset, int64_t));
            break;
        default: /* a type the bundled schema does not use */
            item = NULL;
            break;
        case UGW_TYPE_BOOL:
            item = cJSON_AddBoolToObject(pl, f->name, *CFIELD(&ev->u, f->offset, bool));
            break;
        }
        if (!item)
            goto done;
    }
    out = cJSON_PrintUnformatted(root);
done:
    cJSON_Delete(root);
    return out;
}

uint64_t pass_cjson_encode(uint64_t h)
{
    for (int i = 0; i < NEV; i++) {
        char *s = cjson_print_event(&ugw_fixtures[i]);
        if (!s)
            fail_event("cJSON build/print", i, "NULL");
        h = digest_bytes(h, (const unsigned char *)s, strlen(s));
        cJSON_free(s);
    }
    return h;
}

/* Integral double within [min, max]. */
static int whole_in(double d, double min, double max)
{
    return d >= min && d <= max && (double)(int64_t)d == d;
}

/* Extracts the event from a parsed cJSON tree into `ev` (views into the
 * tree): the event string, then each payload field with its type checked. */
static int cjson_extract(const cJSON *root, ugw_event *ev)
{
    const cJSON *e = cJSON_GetObjectItemCaseSensitive(root, "event"), *pl;
    const ugw_event_desc *ed;
    memset(ev, 0, sizeof *ev);
    if (!cJSON_IsString(e))
        return 0;
    ev->type = ugw_event_from_wire(e->valuestring, strlen(e->valuestring));
    if (!(ed = ugw_event_describe(ev->type)))
        return 0;
    pl = cJSON_GetObjectItemCaseSensitive(root, "payload");
    if (!cJSON_IsObject(pl))
        return 0;
    for (int k = 0; k < ed->nfields; k++) {
        const ugw_field_desc *f = &ed->fields[k];
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(pl, f->name);
        if (!v) {
            if (f->required)
                return 0;
            continue;
        }
        switch ((ugw_type)f->type) {
        case UGW_TYPE_STRING:
        case UGW_TYPE_URL:
            if (!cJSON_IsString(v))
                return 0;
            FIELD(&ev->u, f->offset, ugw_str)->ptr = v->valuestring;
            FIELD(&ev->u, f->offset, ugw_str)->len = strlen(v->valuestring);
            break;
        case UGW_TYPE_ID:
            if (!cJSON_IsNumber(v) || !whole_in(v->valuedouble, 0, 9007199254740991.0))
                return 0;
            *FIELD(&ev->u, f->offset, uint64_t) = (uint64_t)v->valuedouble;
            break;
        case UGW_TYPE_INT:
            if (!cJSON_IsNumber(v) || !whole_in(v->valuedouble, (double)f->min, (double)f->max))
                return 0;
            *FIELD(&ev->u, f->offset, int64_t) = (int64_t)v->valuedouble;
            break;
        default: /* a type the bundled schema does not use */
            return 0;
        case UGW_TYPE_BOOL:
            if (!cJSON_IsBool(v))
                return 0;
            *FIELD(&ev->u, f->offset, bool) = cJSON_IsTrue(v);
            break;
        }
        if (f->has_offset != UGW_NO_HAS)
            *FIELD(&ev->u, f->has_offset, bool) = true;
    }
    return 1;
}

static uint64_t cjson_decode_pass(uint64_t h, int validate)
{
    for (int i = 0; i < NEV; i++) {
        ugw_event ev;
        cJSON *root = cJSON_ParseWithLength((const char *)g_json[i].p, g_json[i].n);
        if (!root)
            fail_event("cJSON_ParseWithLength", i, "NULL");
        if (!cjson_extract(root, &ev))
            fail_event("cJSON extraction", i, "missing field or wrong type");
        if (validate && ugw_event_validate(&ev, NULL) != UGW_OK)
            fail_event("cJSON extraction + ugw_event_validate", i, "invalid");
        h = digest_event(h, &ev);
        cJSON_Delete(root);
    }
    return h;
}

uint64_t pass_cjson_decode(uint64_t h)
{
    return cjson_decode_pass(h, 0);
}

uint64_t pass_cjson_decode_validate(uint64_t h)
{
    return cjson_decode_pass(h, 1);
}

/* ---- jansson ---- */

static char *jansson_dump_event(const ugw_event *ev)
{
    const ugw_event_desc *ed = ugw_event_describe(ev->type);
    json_t *root = json_object(), *pl = json_object();
    char *out = NULL;
    if (!root || !pl || !ed) {
        json_decref(pl);
        goto done;
    }
    if (json_object_set_new(root, "event", json_stringn(ed->wire, ed->wire_len)))
        goto done;
    if (json_object_set_new(root, "payload", pl)) /* steals pl, also on error */
        goto done;
    for (int k = 0; k < ed->nfields; k++) {
        const ugw_field_desc *f = &ed->fields[k];
        json_t *v = NULL;
        if (!present(f, &ev->u))
            continue;
        switch ((ugw_type)f->type) {
        case UGW_TYPE_STRING:
        case UGW_TYPE_URL: {
            const ugw_str *s = CFIELD(&ev->u, f->offset, ugw_str);
            v = json_stringn(s->ptr, s->len);
            break;
        }
        case UGW_TYPE_ID:
            v = json_integer((json_int_t)*CFIELD(&ev->u, f->offset, uint64_t));
            break;
        case UGW_TYPE_INT:
            v = json_integer((json_int_t)*CFIELD(&ev->u, f->offset, int64_t));
            break;
        default: /* a type the bundled schema does not use */
            v = NULL;
            break;
        case UGW_TYPE_BOOL:
            v = json_boolean(*CFIELD(&ev->u, f->offset, bool));
            break;
        }
        if (json_object_set_new(pl, f->name, v))
            goto done;
    }
    out = json_dumps(root, JSON_COMPACT);
done:
    json_decref(root);
    return out;
}

uint64_t pass_jansson_encode(uint64_t h)
{
    for (int i = 0; i < NEV; i++) {
        char *s = jansson_dump_event(&ugw_fixtures[i]);
        if (!s)
            fail_event("jansson build/json_dumps", i, "NULL");
        h = digest_bytes(h, (const unsigned char *)s, strlen(s));
        free(s);
    }
    return h;
}

static int jansson_extract(json_t *root, ugw_event *ev)
{
    json_t *e = json_object_get(root, "event"), *pl;
    const ugw_event_desc *ed;
    memset(ev, 0, sizeof *ev);
    if (!json_is_string(e))
        return 0;
    ev->type = ugw_event_from_wire(json_string_value(e), json_string_length(e));
    if (!(ed = ugw_event_describe(ev->type)))
        return 0;
    pl = json_object_get(root, "payload");
    if (!json_is_object(pl))
        return 0;
    for (int k = 0; k < ed->nfields; k++) {
        const ugw_field_desc *f = &ed->fields[k];
        json_t *v = json_object_get(pl, f->name);
        json_int_t n;
        if (!v) {
            if (f->required)
                return 0;
            continue;
        }
        switch ((ugw_type)f->type) {
        case UGW_TYPE_STRING:
        case UGW_TYPE_URL:
            if (!json_is_string(v))
                return 0;
            FIELD(&ev->u, f->offset, ugw_str)->ptr = json_string_value(v);
            FIELD(&ev->u, f->offset, ugw_str)->len = json_string_length(v);
            break;
        case UGW_TYPE_ID:
            if (!json_is_integer(v) || (n = json_integer_value(v)) < 0 || (uint64_t)n > UGW_ID_MAX)
                return 0;
            *FIELD(&ev->u, f->offset, uint64_t) = (uint64_t)n;
            break;
        case UGW_TYPE_INT:
            if (!json_is_integer(v) || (n = json_integer_value(v)) < f->min || n > f->max)
                return 0;
            *FIELD(&ev->u, f->offset, int64_t) = n;
            break;
        default: /* a type the bundled schema does not use */
            return 0;
        case UGW_TYPE_BOOL:
            if (!json_is_boolean(v))
                return 0;
            *FIELD(&ev->u, f->offset, bool) = json_is_true(v);
            break;
        }
        if (f->has_offset != UGW_NO_HAS)
            *FIELD(&ev->u, f->has_offset, bool) = true;
    }
    return 1;
}

uint64_t pass_jansson_decode(uint64_t h)
{
    for (int i = 0; i < NEV; i++) {
        ugw_event ev;
        json_error_t jerr;
        json_t *root = json_loadb((const char *)g_json[i].p, g_json[i].n, 0, &jerr);
        if (!root)
            fail_event("json_loadb", i, jerr.text);
        if (!jansson_extract(root, &ev))
            fail_event("jansson extraction", i, "missing field or wrong type");
        h = digest_event(h, &ev);
        json_decref(root);
    }
    return h;
}

/* ---- msgpack-c ---- */

static int pack_str(msgpack_packer *pk, const char *s, size_t n)
{
    return msgpack_pack_str(pk, n) || msgpack_pack_str_body(pk, s, n);
}

/* Packs the event with msgpack-c's generic packer into `sb` (initialised by
 * the caller). Returns 0 on success. */
static int sbuffer_pack_event(msgpack_sbuffer *sb, const ugw_event *ev)
{
    const ugw_event_desc *ed = ugw_event_describe(ev->type);
    msgpack_packer pk;
    uint32_t count = 0;
    if (!ed)
        return -1;
    msgpack_packer_init(&pk, sb, msgpack_sbuffer_write);
    for (int k = 0; k < ed->nfields; k++)
        count += present(&ed->fields[k], &ev->u) ? 1u : 0u;
    if (msgpack_pack_map(&pk, 2) || pack_str(&pk, "event", 5) || pack_str(&pk, ed->wire, ed->wire_len)
        || pack_str(&pk, "payload", 7) || msgpack_pack_map(&pk, count))
        return -1;
    for (int k = 0; k < ed->nfields; k++) {
        const ugw_field_desc *f = &ed->fields[k];
        int rc = 0;
        if (!present(f, &ev->u))
            continue;
        if (pack_str(&pk, f->name, f->name_len))
            return -1;
        switch ((ugw_type)f->type) {
        case UGW_TYPE_STRING:
        case UGW_TYPE_URL: {
            const ugw_str *s = CFIELD(&ev->u, f->offset, ugw_str);
            rc = pack_str(&pk, s->ptr, s->len);
            break;
        }
        case UGW_TYPE_ID:
            rc = msgpack_pack_uint64(&pk, *CFIELD(&ev->u, f->offset, uint64_t));
            break;
        case UGW_TYPE_INT:
            rc = msgpack_pack_int64(&pk, *CFIELD(&ev->u, f->offset, int64_t));
            break;
        default: /* a type the bundled schema does not use */
            rc = -1;
            break;
        case UGW_TYPE_BOOL:
            rc = *CFIELD(&ev->u, f->offset, bool) ? msgpack_pack_true(&pk) : msgpack_pack_false(&pk);
            break;
        }
        if (rc)
            return -1;
    }
    return 0;
}

uint64_t pass_sbuffer_encode(uint64_t h)
{
    for (int i = 0; i < NEV; i++) {
        msgpack_sbuffer sb;
        msgpack_sbuffer_init(&sb);
        if (sbuffer_pack_event(&sb, &ugw_fixtures[i]))
            fail_event("msgpack_sbuffer packing", i, "error");
        h = digest_bytes(h, (const unsigned char *)sb.data, sb.size);
        msgpack_sbuffer_destroy(&sb);
    }
    return h;
}

uint64_t pass_unpack_next(uint64_t h)
{
    for (int i = 0; i < NEV; i++) {
        msgpack_unpacked u;
        size_t off = 0;
        msgpack_unpacked_init(&u);
        if (msgpack_unpack_next(&u, (const char *)g_mp[i].p, g_mp[i].n, &off) != MSGPACK_UNPACK_SUCCESS)
            fail_event("msgpack_unpack_next", i, "not success");
        h = mix(h, (uint64_t)u.data.type << 32 | u.data.via.map.size);
        h = mix(h, off);
        msgpack_unpacked_destroy(&u);
    }
    return h;
}

/* ------------------------------------------------------------------ */
/* Sanity: everyone produces and reads the same data                    */
/* ------------------------------------------------------------------ */

static int same(const void *a, size_t an, const void *b, size_t bn)
{
    return an == bn && memcmp(a, b, an) == 0;
}

void sanity(int verbose)
{
    int cj_same = 0, ja_same = 0, sb_same = 0, mp_same = -1;
    for (int i = 0; i < NEV; i++) {
        const ugw_event *fx = &ugw_fixtures[i];
        const ugw_event_desc *ed = ugw_event_describe(fx->type);
        ugw_event ev;
        ugw_error err;
        size_t n = 0;
        char *s;
        msgpack_sbuffer sb;

        if (!ed || (int)fx->type != i + 1)
            fail_event("fixture table", i, "type out of order");
        /* cJSON gets the strings without a copy: they must end in NUL. */
        for (int k = 0; k < ed->nfields; k++) {
            const ugw_field_desc *f = &ed->fields[k];
            if ((f->type == UGW_TYPE_STRING || f->type == UGW_TYPE_URL) && present(f, &fx->u)) {
                const ugw_str *v = CFIELD(&fx->u, f->offset, ugw_str);
                if (!v->ptr || v->ptr[v->len] != '\0' || memchr(v->ptr, 0, v->len))
                    fail_event("fixture strings", i, "not NUL-terminated C strings");
            }
        }
        if (ugw_encode_json(fx, g_out, sizeof g_out, &n, &err) || !same(g_out, n, g_json[i].p, g_json[i].n))
            fail_event("ugw_encode_json", i, "output differs from the fixture file");
        if (ugw_encode_msgpack(fx, g_out, sizeof g_out, &n, &err) || !same(g_out, n, g_mp[i].p, g_mp[i].n))
            fail_event("ugw_encode_msgpack", i, "output differs from the fixture file");
        if (ugw_decode_json(g_dec, g_json[i].p, g_json[i].n, &ev, &err))
            fail_event("ugw_decode_json", i, err.message);
        if (ugw_encode_json(&ev, g_out, sizeof g_out, &n, &err) || !same(g_out, n, g_json[i].p, g_json[i].n))
            fail_event("ugw_decode_json", i, "decoded event re-encodes differently");
        if (ugw_decode_msgpack(g_dec, g_mp[i].p, g_mp[i].n, &ev, &err))
            fail_event("ugw_decode_msgpack", i, err.message);
        if (ugw_encode_msgpack(&ev, g_out, sizeof g_out, &n, &err) || !same(g_out, n, g_mp[i].p, g_mp[i].n))
            fail_event("ugw_decode_msgpack", i, "decoded event re-encodes differently");

        /* The anchors: same bytes out, same event back. */
        if (!(s = cjson_print_event(fx)))
            fail_event("cJSON build/print", i, "NULL");
        cj_same += same(s, strlen(s), g_json[i].p, g_json[i].n);
        cJSON_free(s);
        if (!(s = jansson_dump_event(fx)))
            fail_event("jansson build/json_dumps", i, "NULL");
        ja_same += same(s, strlen(s), g_json[i].p, g_json[i].n);
        free(s);
        msgpack_sbuffer_init(&sb);
        if (sbuffer_pack_event(&sb, fx))
            fail_event("msgpack_sbuffer packing", i, "error");
        sb_same += same(sb.data, sb.size, g_mp[i].p, g_mp[i].n);
        msgpack_sbuffer_destroy(&sb);
        {
            cJSON *root = cJSON_ParseWithLength((const char *)g_json[i].p, g_json[i].n);
            if (!root || !cjson_extract(root, &ev) || ugw_encode_json(&ev, g_out, sizeof g_out, &n, NULL)
                || !same(g_out, n, g_json[i].p, g_json[i].n))
                fail_event("cJSON parse + extraction", i, "does not give back the fixture");
            cJSON_Delete(root);
        }
        {
            msgpack_unpacked u;
            size_t off = 0;
            msgpack_unpacked_init(&u);
            if (msgpack_unpack_next(&u, (const char *)g_mp[i].p, g_mp[i].n, &off) != MSGPACK_UNPACK_SUCCESS
                || !unpacked_extract(&u.data, &ev) || ugw_encode_msgpack(&ev, g_out, sizeof g_out, &n, NULL)
                || !same(g_out, n, g_mp[i].p, g_mp[i].n))
                fail_event("msgpack_unpack_next + extraction", i, "does not give back the fixture");
            msgpack_unpacked_destroy(&u);
        }
#ifdef UGW_BENCH_MSGPUCK
        mp_same += (i == 0) + msgpuck_sanity(i);
#endif
        {
            json_error_t jerr;
            json_t *root = json_loadb((const char *)g_json[i].p, g_json[i].n, 0, &jerr);
            if (!root || !jansson_extract(root, &ev) || ugw_encode_json(&ev, g_out, sizeof g_out, &n, NULL)
                || !same(g_out, n, g_json[i].p, g_json[i].n))
                fail_event("jansson parse + extraction", i, "does not give back the fixture");
            json_decref(root);
        }
    }
    if (verbose) {
        printf("same bytes as ours: cJSON %d/%d, jansson %d/%d, msgpack_sbuffer %d/%d, ", cj_same, NEV,
               ja_same, NEV, sb_same, NEV);
        if (mp_same >= 0)
            printf("msgpuck %d/%d; ", mp_same, NEV);
        else
            printf("msgpuck not built (apt-get install libmsgpuck-dev); ");
        printf("all anchors' extraction gives back every fixture\n");
    }
}
