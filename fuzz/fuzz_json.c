/*
 * fuzz_json.c - libFuzzer target for ugw_decode_json().
 *
 * Every input is decoded by a default, a strict and a tight decoder; what
 * decodes must re-encode in JSON and MessagePack to a fixed point, and what
 * fails must carry a well-formed error (fuzz_common.h). With jansson (built
 * with UGW_FUZZ_WITH_JANSSON), the default decoder is also checked against an
 * independent parser:
 *   - what ugw accepts, jansson parses (rejecting duplicate keys) to the same
 *     event string and the same payload field values;
 *   - what ugw rejects as syntax, truncated or trailing, jansson rejects too
 *     (unless it holds a NUL byte, which jansson takes for the end of input).
 * See README.md for how to build and run.
 */
#include "fuzz_common.h"

#ifdef UGW_FUZZ_WITH_JANSSON
#include <jansson.h>

/* jansson failures that are no disagreement: numbers beyond its integer or
 * double range (ugw ignores them in unknown members), "\u0000" in a key (jansson
 * cannot hold it; ugw ignores unknown keys), and its own resource limits. */
static int jansson_cannot(const json_error_t *je)
{
    switch (json_error_code(je)) {
    case json_error_numeric_overflow:
    case json_error_null_byte_in_key:
    case json_error_out_of_memory:
    case json_error_stack_overflow:
        return 1;
    default:
        return 0;
    }
}

static int field_present(const ugw_field_desc *f, const void *payload)
{
    return f->has_offset == UGW_NO_HAS || *(const bool *)((const char *)payload + f->has_offset);
}

/* The field values ugw decoded equal what jansson read. */
static void compare_event(const json_t *root, const ugw_event *ev)
{
    const json_t *jev = json_object_get(root, "event");
    const json_t *jp = json_object_get(root, "payload");
    const ugw_event_desc *ed = ugw_event_describe(ev->type);
    const void *payload = &ev->u;

    FUZZ_CHECK(json_is_object(root), "jansson: document is not an object");
    FUZZ_CHECK(json_is_string(jev), "jansson: event is not a string");
    FUZZ_CHECK(ugw_event_from_wire(json_string_value(jev), json_string_length(jev)) == ev->type,
               "jansson reads event \"%s\", ugw type %d", json_string_value(jev), (int)ev->type);
    FUZZ_CHECK(json_is_object(jp), "jansson: payload is not an object");
    for (int i = 0; i < ed->nfields; i++) {
        const ugw_field_desc *f = &ed->fields[i];
        const json_t *v = json_object_get(jp, f->name);
        const char *at = (const char *)payload + f->offset;
        FUZZ_CHECK(field_present(f, payload) == (v != NULL), "%s: ugw present %d, jansson present %d",
                   f->path, field_present(f, payload), v != NULL);
        if (!v)
            continue;
        switch ((ugw_type)f->type) {
        case UGW_TYPE_STRING:
        case UGW_TYPE_URL: {
            const ugw_str *s = (const ugw_str *)(const void *)at;
            FUZZ_CHECK(json_is_string(v), "%s: ugw string, jansson type %d", f->path, (int)json_typeof(v));
            FUZZ_CHECK(json_string_length(v) == s->len
                           && (s->len == 0 || memcmp(json_string_value(v), s->ptr, s->len) == 0),
                       "%s: ugw \"%.*s\" (%zu bytes), jansson \"%s\" (%zu bytes)", f->path,
                       (int)s->len, s->ptr, s->len, json_string_value(v), json_string_length(v));
            break;
        }
        case UGW_TYPE_ID: {
            uint64_t id = *(const uint64_t *)(const void *)at, want = 0;
            if (json_is_integer(v)) {
                FUZZ_CHECK(json_integer_value(v) >= 0, "%s: ugw %llu, jansson %lld", f->path,
                           (unsigned long long)id, (long long)json_integer_value(v));
                want = (uint64_t)json_integer_value(v);
            } else {
                FUZZ_CHECK(json_is_string(v), "%s: ugw id, jansson type %d", f->path, (int)json_typeof(v));
                FUZZ_CHECK(ugw_parse_u64(json_string_value(v), json_string_length(v), &want),
                           "%s: ugw %llu, jansson \"%s\"", f->path, (unsigned long long)id,
                           json_string_value(v));
            }
            FUZZ_CHECK(id == want, "%s: ugw %llu, jansson %llu", f->path, (unsigned long long)id,
                       (unsigned long long)want);
            break;
        }
        case UGW_TYPE_INT: {
            int64_t n = *(const int64_t *)(const void *)at;
            FUZZ_CHECK(json_is_integer(v) && json_integer_value(v) == n,
                       "%s: ugw %lld, jansson type %d value %lld", f->path, (long long)n,
                       (int)json_typeof(v), json_is_integer(v) ? (long long)json_integer_value(v) : 0);
            break;
        }
        default: /* the bundled schema has no field of the later types */
            FUZZ_CHECK(false, "%s: field type %d not compared", f->path, (int)f->type);
            break;
        case UGW_TYPE_BOOL: {
            bool b = *(const bool *)(const void *)at;
            FUZZ_CHECK(json_is_boolean(v) && json_is_true(v) == b, "%s: ugw %d, jansson type %d", f->path, (int)b,
                       (int)json_typeof(v));
            break;
        }
        case UGW_TYPE_OBJECT:
        case UGW_TYPE_ARRAY:
            break; /* the bundled schema has no nested fields */
        }
    }
}

static void jansson_diff(const uint8_t *data, size_t size, ugw_status st, const ugw_event *ev)
{
    json_error_t je;
    json_t *root;

    if (st == UGW_OK) {
        root = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &je);
        if (!root) {
            FUZZ_CHECK(jansson_cannot(&je), "ugw accepts, jansson rejects: %s (at byte %d)", je.text,
                       je.position);
            return;
        }
        compare_event(root, ev);
        json_decref(root);
    } else if ((st == UGW_ERR_SYNTAX || st == UGW_ERR_TRUNCATED || st == UGW_ERR_TRAILING)
               && !memchr(data, 0, size)) { /* jansson takes a NUL byte for the end */
        root = json_loadb((const char *)data, size, JSON_DECODE_ANY | JSON_ALLOW_NUL, &je);
        FUZZ_CHECK(root == NULL, "ugw rejects as %s, jansson parses a JSON value", ugw_status_name(st));
    }
}
#endif

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_init();
#ifdef UGW_FUZZ_WITH_JANSSON
    fuzz_hook = jansson_diff;
#endif
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_one(UGW_FORMAT_JSON, data, size);
    return 0;
}
