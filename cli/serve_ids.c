/*
 * serve_ids.c - the webhook-id set of the receiver (serve_internal.h): the
 * last SERVER_DEDUP_IDS ids seen, to answer a repeated id as a duplicate.
 * A chained hash table (FNV-1a) for lookups and a FIFO for eviction.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "serve_internal.h"

static uint64_t fnv1a(const char *s, size_t len)
{
    uint64_t h = 0xcbf29ce484222325u;
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)s[i];
        h *= 0x100000001b3u;
    }
    return h;
}

static bool id_set_grow(id_set *set)
{
    size_t n = set->nbuckets ? set->nbuckets * 2 : 1024;
    id_node **b = calloc(n, sizeof *b);
    if (!b)
        return false;
    for (size_t i = 0; i < set->nbuckets; i++) {
        id_node *e = set->buckets[i];
        while (e) {
            id_node *next = e->chain;
            size_t j = (size_t)e->hash & (n - 1);
            e->chain = b[j];
            b[j] = e;
            e = next;
        }
    }
    free(set->buckets);
    set->buckets = b;
    set->nbuckets = n;
    return true;
}

/* Removes the oldest id. */
static void id_set_evict(id_set *set)
{
    id_node *e = set->oldest, **pp;
    if (!e)
        return;
    set->oldest = e->older;
    if (!set->oldest)
        set->newest = NULL;
    for (pp = &set->buckets[(size_t)e->hash & (set->nbuckets - 1)]; *pp; pp = &(*pp)->chain) {
        if (*pp == e) {
            *pp = e->chain;
            break;
        }
    }
    set->count--;
    free(e);
}

int id_set_check_add(id_set *set, const char *id, size_t len)
{
    uint64_t h = fnv1a(id, len);
    id_node *e;

    if (set->nbuckets) {
        for (e = set->buckets[(size_t)h & (set->nbuckets - 1)]; e; e = e->chain)
            if (e->hash == h && e->len == len && memcmp(e->id, id, len) == 0)
                return 1;
    }
    if (set->count >= set->max)
        id_set_evict(set);
    if (set->count >= set->nbuckets && !id_set_grow(set))
        return -1;
    e = malloc(sizeof *e + len);
    if (!e)
        return -1;
    e->hash = h;
    e->len = len;
    memcpy(e->id, id, len);
    e->older = NULL;
    e->chain = set->buckets[(size_t)h & (set->nbuckets - 1)];
    set->buckets[(size_t)h & (set->nbuckets - 1)] = e;
    if (set->newest)
        set->newest->older = e;
    else
        set->oldest = e;
    set->newest = e;
    set->count++;
    return 0;
}

void id_set_free(id_set *set)
{
    id_node *e = set->oldest;
    while (e) {
        id_node *next = e->older;
        free(e);
        e = next;
    }
    free(set->buckets);
    memset(set, 0, sizeof *set);
}
