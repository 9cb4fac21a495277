/*
 * spool_support.h - what the spool tests share (spool_support.c): a
 * temporary folder per test for the spool file (and its -wal and -shm),
 * removed again by the teardown, and small readers of a spool.
 */
#ifndef UGW_TEST_SPOOL_SUPPORT_H
#define UGW_TEST_SPOOL_SUPPORT_H

#include "client_support.h"
#include <ugw/ugw_spool.h>

typedef struct sfx {
    fx base;          /* receivers, client, collector, dead-letter file */
    char dir[64];     /* a temporary folder */
    char path[128];   /* dir/spool.db */
} sfx;

int sfx_setup(void **state);
int sfx_teardown(void **state);
/* The fixture's config with the spool set. */
ugw_client_config spool_cfg(sfx *s, const char *url);
/* Counts in the spool, read through a read-only handle. */
ugw_spool_stats spool_stats(const char *path);
/* A copy of the entries of `which` (free with free(); ids and results
 * copied, bodies not). */
typedef struct spool_row {
    char id[UGW_WEBHOOK_ID_MAX];
    char result[32];
    unsigned attempts;
    long last_status;
    int64_t when_ms;
    bool dead;
    size_t body_len;
} spool_row;
size_t spool_rows(const char *path, unsigned which, spool_row **out);
/* Waits (up to 5 s) until the client has scheduled `n` retries, and a
 * moment more for the spool to record them. */
void wait_retried(ugw_client *c, uint64_t n);
/* Unix time in ms. */
int64_t wall_now_ms(void);
/* A whole file's bytes (free with free()); NULL when it cannot be read. */
unsigned char *slurp(const char *path, size_t *len);
/* A URL where nothing listens (connections refused). */
const char *refused_url(void);

#endif /* UGW_TEST_SPOOL_SUPPORT_H */
