/*
 * ugw_internal.h - shared by the runtime's own files; not installed.
 */
#ifndef UGW_INTERNAL_H
#define UGW_INTERNAL_H

#include <string.h>

#include <msgpack.h>

#include <ugw/ugw_runtime.h>
/* the inline checks and writers shared with generated code (UGW__HOT_INLINE,
 * ugw__plain_ex, ugw__str_ok, ugw__mp_put_*, ...) */
#include <ugw/ugw_generated_support.h>

/* Largest depth a decoder accepts: msgpack-c's own stack is 32 deep. */
#define UGW_MAX_DEPTH_LIMIT 32u
/* Largest max_input: jsmn keeps positions in an int. */
#define UGW_MAX_INPUT_LIMIT ((size_t)1 << 28)

struct ugw_decoder {
    ugw_decode_opts opts;   /* defaults filled in */
    unsigned char *mem;     /* tokens, then the string arena */
    size_t mem_size;
    bool owns_mem;
    void *toks;             /* jsmntok_t[opts.max_tokens], only ugw_json_decode.c knows the type */
    char *arena;            /* unescaped strings and scratch */
    size_t arena_cap;
    size_t arena_used;
    /* MessagePack: the arrays of msgpack-c's object tree, in the same memory
     * as the tokens and the arena (a decode uses one or the other) */
    msgpack_object *nodes;
    size_t node_cap;        /* at least opts.max_tokens */
    void *env;              /* the envelope struct of the decode in progress, when the
                               schema's envelope has fields (ugw_schema_decode_env) */
};

/* The envelope of documents without an [envelope] table: "event", "payload". */
extern const ugw_envelope_desc ugw__default_envelope;

/* The envelope of schema `s`'s documents. */
static inline const ugw_envelope_desc *ugw__envelope(const ugw_schema *s)
{
    return s->envelope ? s->envelope : &ugw__default_envelope;
}

/* Which envelope key k[0..n) is: 1 the event key, 2 the payload key, 0
 * neither. The default keys compare as constants (the bundled events' path). */
static inline int ugw__root_key(const ugw_envelope_desc *env, const char *k, size_t n)
{
    if (env == &ugw__default_envelope) {
        if (n == 5 && memcmp(k, "event", 5) == 0)
            return 1;
        return n == 7 && memcmp(k, "payload", 7) == 0 ? 2 : 0;
    }
    if (n == env->event_key_len && memcmp(k, env->event_key, n) == 0)
        return 1;
    return n == env->payload_key_len && memcmp(k, env->payload_key, n) == 0 ? 2 : 0;
}

/* The public calls without the envelope's fields (ugw_core.c), for a schema
 * whose envelope has none. */
ugw_status ugw__schema_validate(const ugw_schema *s, int type, const void *payload, ugw_error *err);
ugw_status ugw__schema_encode(const ugw_schema *s, int type, const void *payload, ugw_format format,
                              void *out, size_t cap, size_t *out_len, ugw_error *err);
ugw_status ugw__schema_decode(const ugw_schema *s, ugw_decoder *dec, ugw_format format, const void *in,
                              size_t len, int *type, void *payload, size_t payload_cap, ugw_error *err);

/* ugw_error_clear(), inline for the entry points of every call. */
static inline void ugw__error_clear(ugw_error *err)
{
    if (err == NULL)
        return;
    err->code = UGW_OK;
    err->message = NULL;
    err->pos = 0;
    err->path[0] = '\0';
}

/* Arena: bump allocation, reset at the start of every decode. */
static inline void *ugw__arena_alloc(ugw_decoder *d, size_t n, size_t align)
{
    size_t at = (d->arena_used + (align - 1)) & ~(align - 1);
    if (at > d->arena_cap || d->arena_cap - at < n)
        return NULL;
    d->arena_used = at + n;
    return d->arena + at;
}

/* The engines, per format. Arguments are checked, `err` cleared and the
 * payload zeroed by ugw_schema_encode() / ugw_schema_decode() before they run. */
/* Validates the fields[0..n) of a struct at `base` (a payload or an object). */
ugw_status ugw__validate_fields(const ugw_field_desc *fields, uint32_t n, const void *base,
                                ugw_error *err);
/* Validates an event's payload: its generated fast path when it has one and
 * that says valid, else the walk over its fields (every error is the walk's). */
static inline ugw_status ugw__validate_payload(const ugw_event_desc *ed, const void *payload,
                                               ugw_error *err)
{
    if (ed->validate_fast && ed->validate_fast(payload))
        return UGW_OK;
    return ugw__validate_fields(ed->fields, ed->nfields, payload, err);
}
size_t ugw__json_encoded_size(const ugw_event_desc *ed, const void *payload);
/* An upper bound of the JSON size without a pass over the strings; 0 when it
 * does not fit in size_t (then only the exact size tells). */
size_t ugw__json_bound(const ugw_event_desc *ed, const void *payload);
size_t ugw__json_write(const ugw_event_desc *ed, const void *payload, char *out);
size_t ugw__msgpack_encoded_size(const ugw_event_desc *ed, const void *payload);
size_t ugw__msgpack_write(const ugw_event_desc *ed, const void *payload,
                          unsigned char *out);
/* Validates and writes in one walk when the event allows (see the
 * definitions); false: validate and encode the exact way instead. */
bool ugw__msgpack_encode_fast(const ugw_event_desc *ed, const void *payload, unsigned char *out,
                              size_t cap, size_t *out_len);
bool ugw__json_encode_fast(const ugw_event_desc *ed, const void *payload, char *out, size_t cap,
                           size_t *out_len);
/* The members of fields[0..n) of the struct at `base`, without braces or a
 * map header: the exact size (UGW__SIZE_OVERFLOW when it does not fit) and
 * the writer, for the envelope's fields (ugw_envelope.c). */
size_t ugw__json_members_size(const ugw_field_desc *fields, uint32_t n, const void *base);
char *ugw__json_members_write(const ugw_field_desc *fields, uint32_t n, const void *base, char *p);
size_t ugw__msgpack_members_size(const ugw_field_desc *fields, uint32_t n, const void *base);
unsigned char *ugw__msgpack_members_write(const ugw_field_desc *fields, uint32_t n, const void *base,
                                          unsigned char *p);
ugw_status ugw__json_decode(const ugw_schema *s, ugw_decoder *dec,
                            const char *in, size_t len, int *type,
                            void *payload, size_t payload_cap, ugw_error *err);
ugw_status ugw__msgpack_decode(const ugw_schema *s, ugw_decoder *dec,
                               const char *in, size_t len, int *type,
                               void *payload, size_t payload_cap,
                               ugw_error *err);

/*
 * MessagePack step 1 (ugw_msgpack_unpack.c): msgpack-c's unpacker turns
 * in[0..len) into the tree at *root, whose arrays are taken from
 * nodes[0..cap) and never anywhere else; a document deeper than max_depth
 * or with more than max_items items (keys and values counted apart) fails
 * before its arrays are taken. Errors are those of ugw__msgpack_scan().
 */
ugw_status ugw__msgpack_unpack(const char *in, size_t len, msgpack_object *nodes, size_t cap,
                               uint32_t max_depth, uint32_t max_items, msgpack_object *root,
                               ugw_error *err);

/* The exact structural check behind step 1's errors (ugw_msgpack_scan.c):
 * structure, depth (max_depth, the path of ugw__depth_path), item count
 * (max_items), trailing bytes; the first error in document order. */
ugw_status ugw__msgpack_scan(const unsigned char *in, size_t len, uint32_t max_depth,
                             uint32_t max_items, ugw_error *err);
/* Offset after the value at in[pos], for a document the scan accepted; at
 * most `len` whatever `pos` is (call with depth 0). */
size_t ugw__msgpack_skip(const unsigned char *in, size_t len, size_t pos, int depth);

/* A big-endian unsigned number of `bytes` bytes. */
static inline uint64_t ugw__rd_be(const unsigned char *p, int bytes)
{
    uint64_t v = 0;
    for (int i = 0; i < bytes; i++)
        v = v << 8 | p[i];
    return v;
}

/* Adds `n` to `*acc` unless the sum would wrap; false then (and *acc unchanged). */
static inline bool ugw__size_add(size_t *acc, size_t n)
{
    if (n > SIZE_MAX - *acc)
        return false;
    *acc += n;
    return true;
}

/* The exact-size functions return this when the size does not fit in size_t
 * (never a real size: no buffer can hold it). */
#define UGW__SIZE_OVERFLOW SIZE_MAX

/* The checks of every encode call once the exact size `need` is known:
 * UGW_ERR_LIMIT for UGW__SIZE_OVERFLOW (and *out_len 0), else *out_len =
 * need; UGW_ERR_BUFFER when `out` is given and `cap` is short. UGW_OK means
 * the caller writes, when `out` is not NULL. */
ugw_status ugw__encode_room(size_t need, const void *out, size_t cap, size_t *out_len, ugw_error *err);

/* Whether an optional field is present (required ones always are). */
static inline bool ugw__present(const ugw_field_desc *f, const void *payload);

/* Validates an object or array field of the struct at `base` (ugw_compound.c). */
ugw_status ugw__validate_compound(const ugw_field_desc *f, const void *base, ugw_error *err);

/*
 * The text scanner (ugw_util.c), whose plain mode is ugw_utf8_check(): one
 * pass over a JSON string body s[0..len) (between the quotes) that checks
 * UTF-8 and refuses bytes below 0x20 together.
 * ugw__json_text_check() stops at the first backslash (UGW__TEXT_ESCAPE,
 * *at its offset); ugw__json_text_decode() decodes the escapes into `out`
 * (room for len bytes), *olen bytes, *nul set when one is U+0000 (*nul is
 * only ever set, never cleared). UGW__TEXT_BAD: *at is the first bad
 * byte, or the backslash of a bad escape or lone surrogate; which error
 * that is, the exact (slower) checks tell.
 */
enum { UGW__TEXT_OK, UGW__TEXT_ESCAPE, UGW__TEXT_BAD };
/* The length ugw_json_unescape() would write, without writing; the same
 * (size_t)-1 and *bad for an escape it refuses. */
size_t ugw__json_unescaped_len(const char *s, size_t len, size_t *bad);
int ugw__json_text_check(const char *s, size_t len, size_t *at);
int ugw__json_text_decode(char *out, const char *s, size_t len, size_t *olen, bool *nul,
                          size_t *at);

UGW__HOT_INLINE bool ugw__plain(const char *p, size_t n, bool url, bool json)
{
    return ugw__plain_ex(p, n, url, json, false);
}

/* Out-of-line functions for the rare paths (GCC, Clang). */
#if defined(__GNUC__)
#define UGW__NOINLINE __attribute__((noinline))
#else
#define UGW__NOINLINE
#endif

/* Value of a field in an event struct. */
#define UGW__AT(payload, off, type) ((type *)(void *)((char *)(payload) + (off)))
#define UGW__CAT(payload, off, type) ((const type *)(const void *)((const char *)(payload) + (off)))

/* The common case of ugw__check_string(), inline: true when the string is
 * within its length bounds, plain (see ugw__plain_ex(); with `json_out`,
 * also without '"' and '\\', so it is its own JSON string body) and, for a URL,
 * starts as one. False says only "take the exact check". */
UGW__HOT_INLINE bool ugw__string_fast(const ugw_field_desc *f, const char *p, size_t n, bool json_out)
{
    /* one inlined copy per kind, so that each folds its constants */
    if (f->type == UGW_TYPE_URL)
        return ugw__str_ok(p, n, f->min, f->max, true, json_out);
    return ugw__str_ok(p, n, f->min, f->max, false, json_out);
}

/* The common case of ugw__check_int() for a stored id (unsigned) or int:
 * true when within the field's bounds. False: take the exact check. */
UGW__HOT_INLINE bool ugw__id_fast(const ugw_field_desc *f, uint64_t v)
{
    return ugw__id_in(v, f->min, f->max);
}

UGW__HOT_INLINE bool ugw__int_fast(const ugw_field_desc *f, int64_t v)
{
    return ugw__int_in(v, f->min, f->max);
}

/*
 * Checks a string value of field `f`: length bounds, UTF-8, no NUL, URL form.
 * `pos` is the input offset of the value; `raw` says that `p` lies in the input
 * at offset `data_pos`, so UTF-8 and NUL errors can point at the bad byte
 * (otherwise they point at `pos`).
 */
ugw_status ugw__check_string(const ugw_field_desc *f, const char *p, size_t n,
                             size_t pos, bool raw, size_t data_pos,
                             ugw_error *err);
/* Its rules after the length bounds (UTF-8, NUL, URL form), for a string
 * that is within them and failed the plain fast path. */
ugw_status ugw__check_string_slow(const ugw_field_desc *f, const char *p, size_t n,
                                  size_t pos, bool raw, size_t data_pos, ugw_error *err);

/* Checks an integer of field `f` (id or int) given as a sign and magnitude. */
ugw_status ugw__check_int(const ugw_field_desc *f, bool negative, uint64_t mag,
                          size_t pos, ugw_error *err);

/* Stores a checked integer into the struct. */
void ugw__store_int(const ugw_field_desc *f, void *payload, bool negative,
                    uint64_t mag);

/* Parses an id given as a string of 1..16 digits; sets *v. */
ugw_status ugw__id_from_digits(const ugw_field_desc *f, const char *p, size_t n,
                               size_t pos, uint64_t *v, ugw_error *err);

static inline bool ugw__present(const ugw_field_desc *f, const void *payload)
{
    return f->has_offset == UGW_NO_HAS || *UGW__CAT(payload, f->has_offset, bool);
}

/* Marks an optional field present. */
static inline void ugw__mark_present(const ugw_field_desc *f, void *payload)
{
    if (f->has_offset != UGW_NO_HAS)
        *UGW__AT(payload, f->has_offset, bool) = true;
}

/* Whether wire name `f` is k[0..n): the length, the first byte, the rest. */
static inline bool ugw__name_is(const ugw_field_desc *f, const char *k, size_t n)
{
    return f->name_len == n && (n == 0 || (f->name[0] == k[0] && memcmp(f->name, k, n) == 0));
}

/* Finds a field of fields[0..nf) by wire name, trying fields[hint] first
 * (the field after the last one found: encoders write schema order); -1
 * when none. */
static inline int ugw__field_index_hint(const ugw_field_desc *fields, uint32_t nf, const char *k,
                                        size_t n, uint32_t hint)
{
    if (hint < nf && ugw__name_is(&fields[hint], k, n))
        return (int)hint;
    for (uint32_t i = 0; i < nf; i++)
        if (i != hint && ugw__name_is(&fields[i], k, n))
            return (int)i;
    return -1;
}

/* Finds a field of fields[0..nf) by wire name; -1 when none. */
static inline int ugw__field_index(const ugw_field_desc *fields, uint32_t nf, const char *k,
                                   size_t n)
{
    for (uint32_t i = 0; i < nf; i++) {
        const ugw_field_desc *f = &fields[i];
        if (f->name_len == n && memcmp(f->name, k, n) == 0)
            return (int)i;
    }
    return -1;
}

/* ---- enum, number, timestamp and null (ugw_scalar.c) ---- */

/* Whether a nullable field holds null (its flag set). */
static inline bool ugw__is_null(const ugw_field_desc *f, const void *payload)
{
    return f->nullable && *UGW__CAT(payload, f->null_offset, bool);
}

/* Marks a nullable field null. */
static inline void ugw__set_null(const ugw_field_desc *f, void *payload)
{
    *UGW__AT(payload, f->null_offset, bool) = true;
}

/*
 * Stores the decoded text p[0..n) of enum field `f`: its value's number, or
 * for an unknown text UGW_ERR_ENUM (strict) or 0 and the text at aux_offset
 * (lenient, after the UTF-8 and NUL checks of strings). `pos`, `raw` and
 * `data_pos` as for ugw__check_string(); `path` is the field's error path.
 */
ugw_status ugw__enum_decode(const ugw_field_desc *f, void *payload, const char *p, size_t n,
                            size_t pos, bool raw, size_t data_pos, const char *path, ugw_error *err);
/* The wire text of a valid enum field's value. */
ugw_str ugw__enum_text(const ugw_field_desc *f, const void *payload);

/* Checks a decoded number of field `f` (finite, within nmin..nmax) and stores it. */
ugw_status ugw__number_store(const ugw_field_desc *f, void *payload, double v, size_t pos,
                             const char *path, ugw_error *err);
/* Parses JSON number text p[0..n) (already in JSON's grammar) and stores it. */
ugw_status ugw__number_text(const ugw_field_desc *f, void *payload, const char *p, size_t n,
                            size_t pos, const char *path, ugw_error *err);

/* Parses the decoded text of timestamp field `f` and stores its
 * milliseconds: UGW_ERR_FORMAT at the first bad byte (when `raw`, else at
 * `pos`), UGW_ERR_RANGE outside years 0001..9999 or the field's bounds. */
ugw_status ugw__timestamp_decode(const ugw_field_desc *f, void *payload, const char *p, size_t n,
                                 size_t pos, bool raw, size_t data_pos, const char *path,
                                 ugw_error *err);

/* ugw_schema_validate()'s rules for enum, number and timestamp fields (and
 * UGW_ERR_ARG for a type no engine knows). */
ugw_status ugw__validate_scalar(const ugw_field_desc *f, const void *payload, const char *path,
                                ugw_error *err);

/* Reports the first required field of fields[0..nf) not in `seen` as missing. */
ugw_status ugw__check_required(const ugw_field_desc *fields, uint32_t nf, uint64_t seen,
                               size_t pos, ugw_error *err);

/* ---- compound fields (objects and arrays), ugw_compound.c ---- */

static inline bool ugw__compound(const ugw_field_desc *f)
{
    return f->type == UGW_TYPE_OBJECT || f->type == UGW_TYPE_ARRAY;
}

/* The item count of an array field (at aux_offset). */
static inline uint32_t ugw__count(const ugw_field_desc *f, const void *base)
{
    return *UGW__CAT(base, f->aux_offset, uint32_t);
}

/* Slot `i` of array field `f` in the struct at `base`. */
static inline const void *ugw__slot(const ugw_field_desc *f, const void *base, uint32_t i)
{
    return (const char *)base + f->offset + (size_t)i * f->item_size;
}

/* Checks an item count against an array field's bounds (TOO_LONG, TOO_SHORT). */
ugw_status ugw__check_count(const ugw_field_desc *f, uint64_t count, size_t pos,
                            ugw_error *err);

/*
 * Error paths of nested values are made where the error is found, relative
 * to the struct being read ("sku" in an object type, "[]" for an array
 * item), and completed on the way out, never allocated:
 *   ugw__path_item(err, i)      "[]..." becomes "[i]..."
 *   ugw__path_prepend(err, at)  "rest" becomes "at.rest" ("at[i]..." before an index)
 * Both leave an empty path (an error about the document's syntax) and a
 * depth error (whose path is already the whole path) alone.
 */
void ugw__path_prepend(ugw_error *err, const char *at);
void ugw__path_item(ugw_error *err, uint32_t i);

/* A depth error's path: from the document root to the innermost object key
 * on the way to the value that is too deep ("payload.items[2].tags" stops
 * at "payload.items[2].tags"; indexes after the last key are left out).
 * `keys`/`lens` give each level's key (NULL for an array level, whose
 * `index` is used instead); `nlev` levels. Written into buf (UGW_PATH_MAX). */
const char *ugw__depth_path(char *buf, const char *const *keys, const size_t *lens,
                            const uint64_t *index, int nlev);

/* "prefix.key" into buf (at least UGW_PATH_MAX), control bytes as '?'. */
const char *ugw__path_join(char *buf, const char *prefix, const char *key,
                           size_t key_len);

#endif /* UGW_INTERNAL_H */
