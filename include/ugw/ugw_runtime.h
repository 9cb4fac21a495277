/*
 * ugw_runtime.h - the hand-written runtime under the generated bindings.
 *
 * What goes on the wire, and every rule checked here, is docs/CONTRACT.md;
 * the generated `<prefix>_events.h` of a schema is the typed API over this.
 *
 * Naming: every function and type is `ugw_...`, every macro and constant
 * `UGW_...`; names with a double underscore (`ugw__...`) are for the generated
 * code only and may change between versions.
 *
 * Memory: nothing here allocates per event. Encoders write into the caller's
 * buffer; decoders return string views that point either into the caller's
 * input or into the decoder's arena (memory the caller handed in, or that
 * ugw_decoder_new() took once).
 *
 * Thread safety: every function is reentrant; a ugw_decoder is used by one
 * thread at a time.
 */
#ifndef UGW_RUNTIME_H
#define UGW_RUNTIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ugw_export.h"
#include "ugw_version.h"

#ifdef __cplusplus
extern "C" {
#endif

/** The interface version that generated code must match. */
#define UGW_RUNTIME_ABI 5

/**
 * The version of the library linked at run time, as UGW_VERSION_HEX (compare
 * it with the header's UGW_VERSION_HEX to catch a mismatched shared library).
 */
UGW_API uint32_t ugw_version(void);
/** The same as "MAJOR.MINOR.PATCH"; a static string. */
UGW_API const char *ugw_version_string(void);

/** Largest id on the wire: 2^53 - 1 (docs/CONTRACT.md §2). */
#define UGW_ID_MAX UINT64_C(9007199254740991)

/**
 * Error codes. The first error found wins; each code lists an example input.
 * Codes up to UGW_ERR_UNKNOWN_KEY come from untrusted input; the rest from
 * the caller's own arguments or resources.
 */
typedef enum ugw_status {
    UGW_OK = 0,              /**< success */
    UGW_ERR_SYNTAX,          /**< malformed document: `{"a" 1}`, MessagePack 0xc1 */
    UGW_ERR_TRUNCATED,       /**< input ends inside the document: `{"event":` */
    UGW_ERR_TRAILING,        /**< bytes after the document: `{...} x` */
    UGW_ERR_DEPTH,           /**< nesting deeper than the limit: `[[[[...]]]]` */
    UGW_ERR_LIMIT,           /**< input, token or key count over the decoder's limits */
    UGW_ERR_TYPE,            /**< wrong type: `"score":"9"`, top level not an object */
    UGW_ERR_MISSING,         /**< a required field is absent: no `payload.userId` */
    UGW_ERR_DUPLICATE_KEY,   /**< a key appears twice in one object */
    UGW_ERR_UNKNOWN_EVENT,   /**< `event` names no known event */
    UGW_ERR_RANGE,           /**< number out of range: `"score":11`, id 2^53 */
    UGW_ERR_UTF8,            /**< invalid UTF-8, overlong form, lone surrogate `\ud800` */
    UGW_ERR_NUL,             /**< a NUL character inside a string: `"a\u0000b"` */
    UGW_ERR_TOO_SHORT,       /**< string shorter than its minimum: `"userId":""` */
    UGW_ERR_TOO_LONG,        /**< string longer than its maximum in bytes */
    UGW_ERR_URL,             /**< not an absolute http(s) URL, or has a space or control */
    UGW_ERR_ENUM,            /**< a strict enum field holds none of its values: `"action":"hover"` */
    UGW_ERR_FORMAT,          /**< a malformed or impossible timestamp: `"at":"2023-02-29T00:00:00Z"` */
    UGW_ERR_UNKNOWN_KEY,     /**< unknown key in strict mode: `"payload":{"x":1,...}` */
    UGW_ERR_NOMEM,           /**< the decoder's arena or an allocation ran out */
    UGW_ERR_BUFFER,          /**< the caller's output buffer is too small */
    UGW_ERR_ARG,             /**< invalid argument: NULL pointer, unknown event type */
    UGW_ERR_SECRET,          /**< a webhook secret that is not (whsec_)base64 of 1..256 bytes */
    UGW_ERR_SIGNATURE,       /**< no webhook-signature matches the body */
    UGW_ERR_TIMESTAMP,       /**< webhook-timestamp malformed or outside the tolerance */
    UGW_ERR_FULL,            /**< the delivery queue is full (and waiting was not allowed or timed out) */
    UGW_ERR_CLOSED,          /**< the client is closing or closed */
    UGW_ERR_TIMEOUT,         /**< a flush or wait ran out of time */
    UGW_ERR_DELIVERY,        /**< the event failed for good (see its outcome) */
    UGW_ERR_IO,              /**< a file could not be read or written (errno kept) */
    UGW_ERR_BUSY,            /**< a file is owned by another client or process (a spool in use) */
    UGW_ERR_CORRUPT,         /**< a file is not what it should be: foreign, damaged or truncated */
    UGW_ERR__COUNT
} ugw_status;

/** Longest field path kept in an error, including the terminating NUL. */
#define UGW_PATH_MAX 96

/**
 * An error value: code, static message, byte offset in the input (0 when not
 * about input), and the field path such as "payload.score" ("" for the
 * document itself). A longer path is cut and ends in "...".
 */
typedef struct ugw_error {
    ugw_status code;
    const char *message; /**< static string, never NULL after an error */
    size_t pos;          /**< byte offset in the input */
    char path[UGW_PATH_MAX];
} ugw_error;

/** A static name for a code: "syntax", "truncated", ...; "?" if unknown. */
UGW_API const char *ugw_status_name(ugw_status code);
/** The code for a name given by ugw_status_name(), or -1. */
UGW_API int ugw_status_from_name(const char *name);

/**
 * A string view: `len` bytes at `ptr`, not NUL-terminated. Decoded views
 * point into the input or the decoder's arena and live as long as those do.
 */
typedef struct ugw_str {
    const char *ptr;
    size_t len;
} ugw_str;

/** A view of a string literal: UGW_STR("abc"). */
#define UGW_STR(lit) ((ugw_str){ (lit), sizeof(lit) - 1 })

/* ------------------------------------------------------------------ */
/* Decoding                                                              */
/* ------------------------------------------------------------------ */

/** Decoder options; zero-initialised means every default. */
typedef struct ugw_decode_opts {
    bool strict;        /**< reject unknown keys (default: ignore them) */
    uint32_t max_depth; /**< nesting limit, document = 1 (default 16, at most 32) */
    uint32_t max_tokens;/**< JSON tokens, or MessagePack items (keys and values
                             counted apart), per document (default 1024) */
    size_t max_input;   /**< largest accepted input in bytes (default 1 MiB) */
    void *arena;        /**< caller memory for the decoder's work (arena_size required):
                             max_tokens jsmn tokens plus at least 1 KiB for JSON
                             strings, and max_tokens msgpack_objects (24 bytes
                             each on 64-bit) for MessagePack; NULL: allocate */
    size_t arena_size;  /**< size of `arena`; with NULL arena, bytes to allocate
                             (default 64 KiB) */
} ugw_decode_opts;

#define UGW_DEFAULT_MAX_DEPTH 16u
#define UGW_DEFAULT_MAX_TOKENS 1024u
#define UGW_DEFAULT_MAX_INPUT ((size_t)1 << 20)
#define UGW_DEFAULT_ARENA_SIZE ((size_t)64 << 10)

/**
 * A decoder: options plus the reusable memory that decoding needs (the jsmn
 * token array and the arena for unescaped strings, or msgpack-c's objects:
 * one block, opts.arena or allocated here once). Make one
 * per thread with ugw_decoder_new() and reuse it: decoding then allocates
 * nothing. Views in a decoded event stay valid until the next decode with the
 * same decoder, or ugw_decoder_free().
 */
typedef struct ugw_decoder ugw_decoder;

/**
 * Makes a decoder. `opts` may be NULL for defaults and is copied. When
 * opts->arena is set the caller owns that memory and must keep it alive.
 * Returns NULL when memory runs out or the options are invalid (arena too
 * small for max_tokens, max_depth above 32, or an arena given without its
 * arena_size).
 */
UGW_API ugw_decoder *ugw_decoder_new(const ugw_decode_opts *opts);
/** Frees a decoder; NULL is a no-op. */
UGW_API void ugw_decoder_free(ugw_decoder *dec);
/** The options in force, with defaults filled in. */
UGW_API const ugw_decode_opts *ugw_decoder_opts(const ugw_decoder *dec);

/** Wire formats. */
typedef enum ugw_format {
    UGW_FORMAT_JSON = 0,
    UGW_FORMAT_MSGPACK = 1
} ugw_format;

/**
 * Guesses the format from the first bytes: JSON when the first byte that is
 * not JSON white space is printable ASCII (or there is none), MessagePack
 * otherwise (a MessagePack map starts with 0x80-0x8f, 0xde or 0xdf). Never
 * reads past `len`.
 */
UGW_API ugw_format ugw_detect_format(const void *in, size_t len);

/** "json" or "msgpack"; the HTTP media type of a format. */
UGW_API const char *ugw_format_name(ugw_format f);
UGW_API const char *ugw_format_media_type(ugw_format f);

/* ------------------------------------------------------------------ */
/* Descriptors: what the generated code hands to the runtime engine.   */
/* ------------------------------------------------------------------ */

/** Field types of the schema. */
typedef enum ugw_type {
    UGW_TYPE_ID = 0,       /**< uint64_t, 0..2^53-1; decoders accept digit strings */
    UGW_TYPE_STRING = 1,   /**< ugw_str, UTF-8 without NUL, length bounds */
    UGW_TYPE_URL = 2,      /**< ugw_str, absolute http(s) URL */
    UGW_TYPE_INT = 3,      /**< int64_t with value bounds */
    UGW_TYPE_BOOL = 4,     /**< bool: JSON true/false, MessagePack 0xc3/0xc2 */
    UGW_TYPE_ENUM = 5,     /**< int (the field's C enum): one of a closed set of wire strings */
    UGW_TYPE_NUMBER = 6,   /**< double: finite, inclusive bounds; JSON number, MessagePack float64 */
    UGW_TYPE_TIMESTAMP = 7, /**< int64_t Unix milliseconds; on the wire an RFC 3339 string */
    UGW_TYPE_OBJECT = 8,   /**< a generated struct (`object`), embedded by value: JSON object,
                                MessagePack map */
    UGW_TYPE_ARRAY = 9     /**< `T name[max]` with a uint32_t count at aux_offset: JSON array,
                                MessagePack array */
} ugw_type;

/** The wire strings of an enum field (generated, read-only). */
typedef struct ugw_enum_desc {
    const char *const *values; /**< values[i] is the wire string of C value i + 1 */
    const uint16_t *lens;      /**< their lengths in bytes */
    uint32_t nvalues;
} ugw_enum_desc;

struct ugw_object_desc;
struct ugw_json_token;
struct ugw_json_scratch;

/**
 * One field of an event payload or of an object type (generated, read-only).
 * The generated tables use designated initialisers: a member that does not
 * apply to the field's type is zero.
 */
typedef struct ugw_field_desc {
    const char *name;      /**< wire name, "userId" */
    const char *path;      /**< error path, "payload.userId"; in an object type, the name
                                (the engine prefixes where the object sits) */
    const char *json_key;  /**< `"userId":` */
    const char *mp_key;    /**< MessagePack str header + name */
    uint8_t name_len, json_key_len, mp_key_len;
    uint8_t type;          /**< ugw_type */
    bool required;         /**< may not be absent (else `has_offset` holds its flag) */
    bool nullable;         /**< may be JSON null / MessagePack nil (flag at `null_offset`) */
    bool lenient;          /**< enum: an unknown value decodes to 0 with its text at
                                `aux_offset` instead of failing */
    uint32_t offset;       /**< of the value in the struct */
    uint32_t has_offset;   /**< of its `has_` flag, UGW_NO_HAS when required */
    uint32_t null_offset;  /**< of its bool `_is_null` flag (nullable fields) */
    uint32_t aux_offset;   /**< enum, lenient: of the ugw_str with an unknown value's
                                text; array: of the uint32_t item count */
    int64_t min, max;      /**< length bounds (strings, urls), value bounds (int,
                                timestamp), item count bounds (array); 0 and 1 for bool */
    double nmin, nmax;     /**< number: inclusive bounds (-DBL_MAX, DBL_MAX when none) */
    const ugw_enum_desc *enum_values;      /**< enum */
    const struct ugw_object_desc *object;  /**< object */
    const struct ugw_field_desc *item;     /**< array: the item; its offset is 0 in a slot */
    uint32_t item_size;    /**< array: bytes per slot of the fixed array */
} ugw_field_desc;

#define UGW_NO_HAS UINT32_MAX

/** A named object type: the fields of a nested struct (generated, read-only). */
typedef struct ugw_object_desc {
    const char *name;            /**< schema name of the type */
    const ugw_field_desc *fields;
    uint32_t nfields;
    uint32_t nrequired;
    size_t size;                 /**< sizeof the generated struct */
} ugw_object_desc;

/** One event (generated, read-only). */
typedef struct ugw_event_desc {
    const char *id;            /**< schema id, "guide_preview_start" */
    const char *wire;          /**< wire event string */
    const char *const *aliases;/**< NULL-terminated list of accepted aliases */
    const char *json_head;     /**< `{"event":"...","payload":{` */
    const char *mp_head;       /**< MessagePack of the map header, "event", the
                                    string and "payload" (the payload map header
                                    follows at run time) */
    const ugw_field_desc *fields;
    uint64_t fingerprint;      /**< of the wire shape */
    size_t size;               /**< sizeof the event struct */
    uint32_t wire_len, json_head_len, mp_head_len;
    uint16_t nfields;
    uint16_t nrequired;
    /* Since ABI 4: the event's generated fast paths, NULL where the generator
     * wrote none (the engine then walks the fields above, as it always can).
     * Each takes the event's payload struct and answers only in the common
     * case (every field of a type it knows, its value plain, room to spare);
     * anything else sends the call the exact way, whose answer it never
     * changes. Built from ugw_generated_support.h. */
    bool (*validate_fast)(const void *payload); /**< true: valid; false: not known */
    size_t (*msgpack_fast)(const void *payload, unsigned char *out,
                           size_t cap);         /**< the whole valid encoding written
                                                     into out[0..cap): its length; 0:
                                                     not known (out holds scraps) */
    size_t (*json_fast)(const void *payload, char *out, size_t cap); /**< the same for JSON */
    /* Since ABI 5: the event's generated JSON decode fast path, NULL where
     * the generator wrote none. The runtime calls it, after its tokenizer
     * has read the whole document and the envelope was found in its common
     * form, with the input, the payload object's token and the end of the
     * document's tokens (every token from `obj` to `end` is the payload's),
     * the zeroed payload struct and the decoder's string memory (struct
     * ugw_json_token and ugw_json_scratch are in ugw_generated_support.h).
     * true: the payload is the encoder's order and form exactly (no white
     * space, every value within its bounds) and is decoded into `payload`,
     * as the exact walk would; false: not known, `payload` may hold scraps
     * (the runtime zeroes it and walks the descriptors, which find every
     * error). */
    bool (*json_decode_fast)(const char *in, const struct ugw_json_token *obj,
                             const struct ugw_json_token *end, void *payload,
                             struct ugw_json_scratch *sc);
} ugw_event_desc;

/**
 * The envelope of a schema's documents (generated, read-only): the key of
 * the event string, the key of the payload, and the envelope's own fields,
 * which sit at the top level of every document between the two keys
 * (`{"type":"...","timestamp":"...","data":{...}}`). Their descriptors are
 * those of payload fields, with top-level paths ("timestamp"), over the
 * generated envelope struct (`<prefix>_envelope`). Each event's json_head and
 * mp_head are made with these keys.
 */
typedef struct ugw_envelope_desc {
    const char *event_key;        /**< "type" */
    const char *payload_key;      /**< "data" */
    const char *json_payload_key; /**< `"data":{`, the end of each event's json_head */
    const char *mp_payload_key;   /**< MessagePack str of the payload key, the end of mp_head */
    const ugw_field_desc *fields; /**< the envelope fields, in encoding order */
    size_t size;                  /**< sizeof the envelope struct; 0 without fields */
    uint32_t nfields;             /**< at most 64 */
    uint32_t nrequired;
    uint8_t event_key_len, payload_key_len, json_payload_key_len, mp_payload_key_len;
} ugw_envelope_desc;

/** A whole schema: events indexed by (event type - 1). */
typedef struct ugw_schema {
    const ugw_event_desc *events;
    uint32_t nevents;
    uint32_t version;
    const char *codegen_version;
    const ugw_envelope_desc *envelope; /**< NULL: `{"event":...,"payload":{...}}`, no fields */
} ugw_schema;

/*
 * The engine over any schema. Generated code wraps these in typed calls
 * (`<prefix>_encode_json()`, ...); code that handles a schema it only knows at
 * run time (the ugw command for any schema, a receiver) calls them directly.
 * `type` is the 1-based event number in `s`; `payload` points at that event's
 * struct (the `u` member of a generated event). They clear `err`, check their
 * arguments (UGW_ERR_ARG for NULL or an unknown type) and dispatch on
 * `format`; they allocate nothing and are reentrant.
 */

/** The descriptor of event `type` of `s`, NULL when there is none. */
UGW_API const ugw_event_desc *ugw_schema_event(const ugw_schema *s, int type);
/** The size of the largest payload struct of `s` (0 for NULL): a buffer of
 * this size, aligned for uint64_t, holds the payload of any of its events. */
UGW_API size_t ugw_schema_payload_max(const ugw_schema *s);
/** Validates a payload as the generated `<prefix>_event_validate()` does. */
UGW_API ugw_status ugw_schema_validate(const ugw_schema *s, int type, const void *payload,
                                       ugw_error *err);
/** Validates then encodes as the generated `<prefix>_encode()` does: into
 * `out[0..cap)`, `*out_len` the length written or needed (`out` NULL: size
 * only; too small: UGW_ERR_BUFFER). */
UGW_API ugw_status ugw_schema_encode(const ugw_schema *s, int type, const void *payload,
                                     ugw_format format, void *out, size_t cap,
                                     size_t *out_len, ugw_error *err);
/** Decodes and validates one document into `payload` (`payload_cap` bytes,
 * zeroed first; at least the event's size, see ugw_schema_payload_max()) and
 * sets *type (0 on error). String views point into `in` or the decoder's
 * arena. */
UGW_API ugw_status ugw_schema_decode(const ugw_schema *s, ugw_decoder *dec, ugw_format format,
                                     const void *in, size_t len, int *type, void *payload,
                                     size_t payload_cap, ugw_error *err);
/*
 * The same with the envelope fields of a schema that has them: `envelope`
 * points at the generated envelope struct (`<prefix>_envelope`, the `env`
 * member of a generated event). ugw_schema_envelope_size() gives its size.
 *  - validate and encode check and write its fields; with `envelope` NULL
 *    every envelope field counts as absent (UGW_ERR_ARG, with the field's
 *    path, when one is required). Encoders write the event key, the present
 *    envelope fields in schema order, then the payload key and the payload.
 *  - decode fills `envelope` (`envelope_cap` bytes, zeroed first; at least
 *    the envelope's size) as it fills the payload; with `envelope` NULL the
 *    envelope fields are decoded and checked all the same, into scratch
 *    room at the top of the decoder's memory, and not kept (UGW_ERR_NOMEM
 *    when the envelope struct does not fit there beside max_tokens: pass one). Errors in envelope fields have top-level
 *    paths ("timestamp"); a missing one is reported after the event key and
 *    the payload's type are checked, before the payload's fields.
 * For a schema without envelope fields they are the calls above (`envelope`
 * is not read). Reentrant, and they allocate nothing.
 */
/** The size of the envelope struct of `s`, 0 when it has no envelope fields (or `s` is NULL). */
UGW_API size_t ugw_schema_envelope_size(const ugw_schema *s);
/** ugw_schema_validate() with the envelope's fields. */
UGW_API ugw_status ugw_schema_validate_env(const ugw_schema *s, int type, const void *envelope,
                                           const void *payload, ugw_error *err);
/** ugw_schema_encode() with the envelope's fields. */
UGW_API ugw_status ugw_schema_encode_env(const ugw_schema *s, int type, const void *envelope,
                                         const void *payload, ugw_format format, void *out,
                                         size_t cap, size_t *out_len, ugw_error *err);
/** ugw_schema_decode() into the envelope's fields too. */
UGW_API ugw_status ugw_schema_decode_env(const ugw_schema *s, ugw_decoder *dec, ugw_format format,
                                         const void *in, size_t len, int *type, void *envelope,
                                         size_t envelope_cap, void *payload, size_t payload_cap,
                                         ugw_error *err);

/** The 1-based event number of a wire string or alias, 0 when unknown. */
UGW_API int ugw_schema_event_lookup(const ugw_schema *s, const char *wire, size_t len);

/* ------------------------------------------------------------------ */
/* Byte scanning                                                        */
/* ------------------------------------------------------------------ */

/*
 * Runs of bytes from a small set, for trimming header values, skipping JSON
 * white space and splitting lists: the one place the runtime, the webhook and
 * client libraries and the command scan for them. `set` is a C string; its
 * NUL is never part of the set. They read s[0..len) only, never past it, and
 * allocate nothing. Reentrant.
 */

/** HTTP's optional white space (RFC 9110 section 5.6.3): space and tab. */
#define UGW_WS_HTTP " \t"
/** JSON's white space (RFC 8259): space, tab, LF and CR. */
#define UGW_WS_JSON " \t\n\r"
/** White space as isspace() has it in the C locale: JSON's, VT and FF. */
#define UGW_WS_ALL " \t\n\r\v\f"

/** Length of the run at the start of s[0..len) of bytes in `set`. */
UGW_API size_t ugw_span(const char *s, size_t len, const char *set);
/** Length of the run at the start of s[0..len) of bytes not in `set`. */
UGW_API size_t ugw_cspan(const char *s, size_t len, const char *set);
/** Length of the run at the end of s[0..len) of bytes in `set`. */
UGW_API size_t ugw_rspan(const char *s, size_t len, const char *set);
/** s[0..len) without the runs of bytes in `set` at either end: a view into `s`. */
UGW_API ugw_str ugw_trim(const char *s, size_t len, const char *set);

/* ------------------------------------------------------------------ */
/* Helpers, also useful to callers.                                    */
/* ------------------------------------------------------------------ */

/**
 * Checks that `s[0..len)` is valid UTF-8 (no overlong forms, no surrogates,
 * nothing above U+10FFFF). Returns len when valid, else the offset of the
 * first bad byte.
 */
UGW_API size_t ugw_utf8_check(const char *s, size_t len);

/**
 * Checks an absolute http:// or https:// URL with a host, no space or control
 * byte. Returns true when it passes. Does not check UTF-8.
 */
UGW_API bool ugw_url_check(const char *s, size_t len);

/**
 * Bytes needed to write `s` as a JSON string body (without the quotes),
 * escaped as Python's json.dumps(ensure_ascii=False) does; SIZE_MAX when
 * that does not fit in size_t (it saturates instead of wrapping).
 */
UGW_API size_t ugw_json_escaped_len(const char *s, size_t len);

/** Writes the escaped body of `s` to `out` (room checked by the caller);
 * returns the bytes written. */
UGW_API size_t ugw_json_escape(char *out, const char *s, size_t len);

/**
 * Parses a JSON string body (between the quotes, escapes valid per JSON) into
 * `out` (at least `len` bytes), joining surrogate pairs. Returns the length
 * written, or (size_t)-1 on a lone or reversed surrogate with `*bad` set to
 * the offset of its backslash.
 */
UGW_API size_t ugw_json_unescape(char *out, const char *s, size_t len, size_t *bad);

/**
 * Parses an unsigned decimal of 1 to 20 digits with no sign or leading '+'.
 * Returns false on any other byte, on an empty string, or on overflow.
 */
UGW_API bool ugw_parse_u64(const char *s, size_t len, uint64_t *out);

/** Writes `v` in decimal to `out` (room for 20 bytes); returns the length. */
UGW_API size_t ugw_fmt_u64(char *out, uint64_t v);
/** Writes `v` in decimal to `out` (room for 20 bytes); returns the length. */
UGW_API size_t ugw_fmt_i64(char *out, int64_t v);

/** Room ugw_fmt_double() needs: "-2.2250738585072014e-308" and a NUL. */
#define UGW_DOUBLE_MAX_LEN 25

/**
 * Writes finite `v` to `out` (UGW_DOUBLE_MAX_LEN bytes, NUL-terminated) as
 * Python's repr() and json.dumps() write a float: the shortest digits that
 * read back as exactly `v`, in positional form with at least one fraction
 * digit when the decimal exponent is -4..15 ("1.0", "0.0001", "-0.0"),
 * else as d[.ddd]e+XX ("1e+16", "1.5e-05", "5e-324"). Independent of the
 * locale; allocates nothing; reentrant. Returns the length without the NUL;
 * 0 (and "" in `out`) when `v` is NaN or infinite, which JSON cannot hold.
 */
UGW_API size_t ugw_fmt_double(char *out, double v);

/**
 * Parses s[0..len), a number in JSON's grammar (RFC 8259: optional '-',
 * no leading zeros, optional fraction and exponent), into the double nearest
 * to its exact value (ties to even), whatever the locale and however many
 * digits it has. Returns false, leaving *out unchanged, when the text is not
 * such a number or its value is beyond the largest double (it would be
 * infinite); a value below the smallest subnormal reads as (signed) zero, as
 * in Python's json.loads. Allocates nothing; reentrant.
 */
UGW_API bool ugw_parse_double(const char *s, size_t len, double *out);

/** Unix milliseconds of 0001-01-01T00:00:00.000Z and 9999-12-31T23:59:59.999Z,
 * the range of a timestamp field. */
#define UGW_TIMESTAMP_MIN INT64_C(-62135596800000)
#define UGW_TIMESTAMP_MAX INT64_C(253402300799999)
/** Length of ugw_timestamp_format()'s text, "YYYY-MM-DDTHH:MM:SS.sssZ". */
#define UGW_TIMESTAMP_LEN 24

/**
 * Parses s[0..len), an RFC 3339 date-time: YYYY-MM-DD, 'T' or 't',
 * HH:MM:SS, an optional '.' and 1 to 9 digits of fraction (truncated to
 * milliseconds), then 'Z', 'z' or an offset +HH:MM / -HH:MM (hours 00..23).
 * The calendar is checked: years 0001..9999, months 01..12, days within the
 * month (February 29 in leap years only: 2000 yes, 1900 no), hours 00..23
 * (no 24:00), minutes and seconds 00..59 (no leap second :60). On success
 * sets *ms to the Unix milliseconds of that instant in UTC (which may fall
 * just outside UGW_TIMESTAMP_MIN..MAX when an offset moves it past year 1 or
 * 9999) and returns true. Otherwise returns false with *bad (when not NULL)
 * set to the offset of the first byte that breaks the rules, or to len when
 * the text ends early; *ms is left unchanged. Allocates nothing; reentrant.
 */
UGW_API bool ugw_timestamp_parse(const char *s, size_t len, int64_t *ms, size_t *bad);

/**
 * Writes `ms` (UGW_TIMESTAMP_MIN..MAX) to `out` (at least UGW_TIMESTAMP_LEN
 * + 1 bytes, NUL-terminated) as "YYYY-MM-DDTHH:MM:SS.sssZ", the one form
 * encoders write. Returns UGW_TIMESTAMP_LEN; 0 (and "" in `out`) when `ms` is
 * outside the range. Allocates nothing; reentrant.
 */
UGW_API size_t ugw_timestamp_format(char *out, int64_t ms);

/**
 * Fills `err` (when not NULL) unless it already holds an error: the first
 * error wins. `path` may be NULL. Returns `code` so callers can return it.
 */
UGW_API ugw_status ugw_error_set(ugw_error *err, ugw_status code, const char *message,
                         size_t pos, const char *path);
/** Clears `err` to UGW_OK (NULL is a no-op). */
UGW_API void ugw_error_clear(ugw_error *err);

#ifdef __cplusplus
}
#endif
#endif /* UGW_RUNTIME_H */
