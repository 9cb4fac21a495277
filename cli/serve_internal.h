/*
 * serve_internal.h - the parts of the receiver (serve.c) that live in files
 * of their own: the webhook-id set (serve_ids.c) and the output line of a
 * valid event (serve_line.c). Internal to serve.c.
 */
#ifndef UGW_CLI_SERVE_INTERNAL_H
#define UGW_CLI_SERVE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ugw/ugw_runtime.h>

#include "serve.h"

/* ------------------------------------------------------------------ */
/* The webhook-id set: chained hash table plus a FIFO for eviction      */
/* (serve_ids.c); not locked: the server holds its mutex around it.     */
/* ------------------------------------------------------------------ */

typedef struct id_node {
    struct id_node *chain; /* next in the bucket */
    struct id_node *older; /* the next newer id (FIFO order, see id_set) */
    uint64_t hash;
    size_t len;
    char id[];
} id_node;

typedef struct id_set {
    id_node **buckets;
    size_t nbuckets; /* a power of two, or 0 */
    size_t count, max;
    id_node *oldest, *newest; /* FIFO: oldest -> ... -> newest via `older` */
} id_set;

/* 1: seen before; 0: added now (evicting the oldest id past `max`); -1:
 * not known and no memory to add it. */
int id_set_check_add(id_set *set, const char *id, size_t len);

/* Frees every id and zeroes the set. */
void id_set_free(id_set *set);

/* ------------------------------------------------------------------ */
/* Text (serve_line.c)                                                  */
/* ------------------------------------------------------------------ */

/* A malloc'd copy of `s` (len bytes) with JSON string escapes, no quotes. */
char *json_escaped(const char *s, size_t len);

/* The `output` line (serve.h) of a valid event of `schema`: malloc'd, ends
 * in '\n'; NULL when memory runs out or `type` is not in the schema. */
char *event_line(const ugw_schema *schema, server_output output, const char *id, bool verified,
                 ugw_format fmt, int type, const void *payload);

#endif /* UGW_CLI_SERVE_INTERNAL_H */
