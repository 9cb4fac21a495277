/*
 * ugw_msgpack_unpack.c - step 1 of MessagePack decoding: msgpack-c's own
 * unpacker builds the msgpack_object tree, in memory the caller bounded.
 *
 * msgpack-c's unpack functions take the arrays of a map or array from a
 * msgpack_zone as soon as they read its header, and a zone grows with
 * malloc(): ten bytes that announce a 4 GiB array would ask for 96 GiB
 * before the missing items are noticed. msgpack_unpack_next() also makes a
 * new zone for every document. So this file instantiates msgpack-c's
 * installed unpack template (msgpack/unpack_template.h, the state machine
 * behind msgpack_unpack_next()) with the same callbacks as msgpack-c's,
 * except the two that allocate: they take the arrays from a caller's block
 * of msgpack_objects and fail cleanly, before touching memory, when a header
 * asks for more items than the decoder's max_tokens (or nests deeper than
 * its max_depth). Nothing is allocated; nothing is checked twice on the way.
 *
 * When unpacking fails, ugw__msgpack_scan() (ugw_msgpack_scan.c) reads the
 * bytes again to name the error: its code, position and depth path.
 */
#include <assert.h>
#include <stdint.h>

#include "ugw_internal.h"

/* The template's own stack bounds the depth: exactly the decoders' limit. */
#define MSGPACK_EMBED_STACK_SIZE UGW_MAX_DEPTH_LIMIT
#include <msgpack/unpack_define.h>

typedef struct unpack_user {
    msgpack_object *next;   /* the first free node of the caller's block */
    size_t left;            /* nodes still allowed: max_tokens and the block */
    const void *depth_end;  /* &stack[max_depth]: a container there is too deep */
} unpack_user;

#define msgpack_unpack_struct(name) struct ugw_unpack##name
#define msgpack_unpack_func(ret, name) static ret ugw_unpack##name
#define msgpack_unpack_callback(name) ugw_unpack_cb##name
#define msgpack_unpack_object msgpack_object
#define msgpack_unpack_user unpack_user

/* The callbacks: msgpack-c's own (src/unpack.c), but for the allocation. */

static inline msgpack_object ugw_unpack_cb_root(unpack_user *u)
{
    msgpack_object o;
    (void)u;
    memset(&o, 0, sizeof o);
    o.type = MSGPACK_OBJECT_NIL;
    return o;
}

#define UGW__UNPACK_UINT(name, ctype)                                              \
    static inline int ugw_unpack_cb##name(unpack_user *u, ctype d, msgpack_object *o) \
    {                                                                               \
        (void)u;                                                                    \
        o->type = MSGPACK_OBJECT_POSITIVE_INTEGER;                                  \
        o->via.u64 = d;                                                             \
        return 0;                                                                   \
    }
#define UGW__UNPACK_INT(name, ctype)                                               \
    static inline int ugw_unpack_cb##name(unpack_user *u, ctype d, msgpack_object *o) \
    {                                                                               \
        (void)u;                                                                    \
        if (d >= 0) {                                                               \
            o->type = MSGPACK_OBJECT_POSITIVE_INTEGER;                              \
            o->via.u64 = (uint64_t)d;                                               \
        } else {                                                                    \
            o->type = MSGPACK_OBJECT_NEGATIVE_INTEGER;                              \
            o->via.i64 = d;                                                         \
        }                                                                           \
        return 0;                                                                   \
    }
UGW__UNPACK_UINT(_uint8, uint8_t)
UGW__UNPACK_UINT(_uint16, uint16_t)
UGW__UNPACK_UINT(_uint32, uint32_t)
UGW__UNPACK_UINT(_uint64, uint64_t)
UGW__UNPACK_INT(_int8, int8_t)
UGW__UNPACK_INT(_int16, int16_t)
UGW__UNPACK_INT(_int32, int32_t)
UGW__UNPACK_INT(_int64, int64_t)

static inline int ugw_unpack_cb_float(unpack_user *u, float d, msgpack_object *o)
{
    (void)u;
    o->type = MSGPACK_OBJECT_FLOAT32;
    o->via.f64 = d;
    return 0;
}

static inline int ugw_unpack_cb_double(unpack_user *u, double d, msgpack_object *o)
{
    (void)u;
    o->type = MSGPACK_OBJECT_FLOAT64;
    o->via.f64 = d;
    return 0;
}

static inline int ugw_unpack_cb_nil(unpack_user *u, msgpack_object *o)
{
    (void)u;
    o->type = MSGPACK_OBJECT_NIL;
    return 0;
}

static inline int ugw_unpack_cb_true(unpack_user *u, msgpack_object *o)
{
    (void)u;
    o->type = MSGPACK_OBJECT_BOOLEAN;
    o->via.boolean = true;
    return 0;
}

static inline int ugw_unpack_cb_false(unpack_user *u, msgpack_object *o)
{
    (void)u;
    o->type = MSGPACK_OBJECT_BOOLEAN;
    o->via.boolean = false;
    return 0;
}

/* `nodes` msgpack_objects for a container at `o` (the template's stack
 * entry), or the template's error, before any memory is touched: too deep,
 * or more items than are left. */
static inline msgpack_object *take(unpack_user *u, uint64_t nodes, const msgpack_object *o)
{
    msgpack_object *at = u->next;
    if (UGW__UNLIKELY((const void *)o >= u->depth_end || nodes > u->left))
        return NULL;
    u->left -= (size_t)nodes;
    u->next += nodes;
    return at;
}

/* An array or a map: its items' nodes from the caller's block (a map's
 * items are pairs, two nodes each) or take()'s error; the item callbacks
 * below fill them in order. */
#define UGW__UNPACK_CONTAINER(name, type_, member, item_type, nodes_per_item)                \
    static inline int ugw_unpack_cb##name(unpack_user *u, unsigned int n, msgpack_object *o) \
    {                                                                                      \
        msgpack_object *a = take(u, (uint64_t)n * (nodes_per_item), o);                    \
        if (!a)                                                                            \
            return MSGPACK_UNPACK_NOMEM_ERROR;                                             \
        o->type = type_;                                                                   \
        o->via.member.size = 0;                                                            \
        o->via.member.ptr = (item_type *)(void *)a;                                        \
        return 0;                                                                          \
    }
UGW__UNPACK_CONTAINER(_array, MSGPACK_OBJECT_ARRAY, array, msgpack_object, 1)
UGW__UNPACK_CONTAINER(_map, MSGPACK_OBJECT_MAP, map, msgpack_object_kv, 2)

static inline int ugw_unpack_cb_array_item(unpack_user *u, msgpack_object *c, msgpack_object o)
{
    (void)u;
    c->via.array.ptr[c->via.array.size++] = o;
    return 0;
}

static inline int ugw_unpack_cb_map_item(unpack_user *u, msgpack_object *c, msgpack_object k,
                                         msgpack_object v)
{
    msgpack_object_kv *kv = &c->via.map.ptr[c->via.map.size++];
    (void)u;
    kv->key = k;
    kv->val = v;
    return 0;
}

/* Strings, bin and ext point into the input. The template hands an empty
 * one a stale pointer; its position is found again on the error path. */
#define UGW__UNPACK_SPAN(name, type_, member)                                           \
    static inline int ugw_unpack_cb##name(unpack_user *u, const char *b, const char *p, \
                                          unsigned int l, msgpack_object *o)            \
    {                                                                                   \
        (void)u;                                                                        \
        (void)b;                                                                        \
        o->type = type_;                                                                \
        o->via.member.ptr = p;                                                          \
        o->via.member.size = l;                                                         \
        return 0;                                                                       \
    }
UGW__UNPACK_SPAN(_str, MSGPACK_OBJECT_STR, str)
UGW__UNPACK_SPAN(_bin, MSGPACK_OBJECT_BIN, bin)

static inline int ugw_unpack_cb_ext(unpack_user *u, const char *b, const char *p, unsigned int l,
                                    msgpack_object *o)
{
    (void)u;
    (void)b;
    if (l == 0) /* msgpack-c refuses an ext without its type byte */
        return MSGPACK_UNPACK_PARSE_ERROR;
    o->type = MSGPACK_OBJECT_EXT;
    o->via.ext.type = (int8_t)*p;
    o->via.ext.ptr = p + 1;
    o->via.ext.size = l - 1;
    return 0;
}

#include <msgpack/unpack_template.h>

typedef struct ugw_unpack_context unpack_context;

ugw_status ugw__msgpack_unpack(const char *in, size_t len, msgpack_object *nodes, size_t cap,
                               uint32_t max_depth, uint32_t max_items, msgpack_object *root,
                               ugw_error *err)
{
    unpack_context ctx;
    size_t off = 0;
    int rc = 0;
    ugw_status st;

    if (len) {
        ugw_unpack_init(&ctx);
        ctx.user.next = nodes;
        /* every item but the root is a node of its container's array */
        ctx.user.left = max_items ? max_items - 1 : 0;
        if (ctx.user.left > cap)
            ctx.user.left = cap;
        ctx.user.depth_end = &ctx.stack[max_depth < MSGPACK_EMBED_STACK_SIZE ? max_depth
                                                                          : MSGPACK_EMBED_STACK_SIZE];
        rc = ugw_unpack_execute(&ctx, in, len, &off);
        if (rc > 0 && off == len) {
            *root = ugw_unpack_data(&ctx);
            return UGW_OK;
        }
    }
    /* Unpacking stopped early, or bytes are left over: the scan names why. */
    if ((st = ugw__msgpack_scan((const unsigned char *)in, len, max_depth, max_items, err)))
        return st;
    return ugw_error_set(err, UGW_ERR_SYNTAX, "malformed MessagePack", off, NULL);
}
