/*
 * serve_internal.h - the parts of the receiver (serve.c) that live in files
 * of their own: the output line of a valid event and writing it whole
 * (serve_line.c), and forwarding to a local application (serve_forward.c).
 * Internal to serve.c.
 */
#ifndef UGW_CLI_SERVE_INTERNAL_H
#define UGW_CLI_SERVE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ugw/ugw_receiver.h>
#include <ugw/ugw_receiver_mhd.h>
#include <ugw/ugw_runtime.h>

#include "serve.h"

/* ------------------------------------------------------------------ */
/* Text (serve_line.c)                                                  */
/* ------------------------------------------------------------------ */

/* A malloc'd copy of `s` (len bytes) with JSON string escapes, no quotes. */
char *json_escaped(const char *s, size_t len);

/* The `output` line (serve.h) of a valid event of `schema`, its body
 * re-encoded with the envelope struct `env` (ugw_receiver_result.envelope;
 * NULL for a schema without envelope fields): malloc'd, ends in '\n'; NULL
 * when memory runs out, `type` is not in the schema or the event does not
 * encode (`env` NULL with a required envelope field). */
char *event_line(const ugw_schema *schema, server_output output, const char *id, bool verified,
                 ugw_format fmt, int type, const void *env, const void *payload);

/* Writes the record rec[0..n) whole to `fd`: one write(2) (more only after
 * a short one), then fdatasync(2) with `sync` (where the file supports it).
 * On failure a partial record is cut back off a regular file with
 * ftruncate(2) and false is returned (errno kept). */
bool write_record(int fd, const char *rec, size_t n, bool sync);

/* ------------------------------------------------------------------ */
/* Forwarding (serve_forward.c)                                         */
/* ------------------------------------------------------------------ */

/* Forwarding to one application: a pool of libcurl handles whose
 * connections are kept open between events (one per thread forwarding at
 * once). libcurl's global state must be set up before and cleaned up after. */
typedef struct forward_pool forward_pool;

/* A pool for `url`, signing with `secret` (copied; NULL: unsigned), each
 * request given `timeout_ms` in all (<= 0: SERVER_DEFAULT_FORWARD_TIMEOUT_MS).
 * NULL when memory runs out. */
forward_pool *forward_pool_new(const char *url, const ugw_secret *secret, long timeout_ms);

/* Closes the connections, frees the pool and clears its secret; NULL is a
 * no-op. No serve_forward() may be running. */
void forward_pool_free(forward_pool *fp);

/* POSTs the event's exact body to the pool's URL with its Content-Type, its
 * webhook-id (a new one when it had none), a fresh webhook-timestamp and,
 * with a secret, a webhook-signature, on an idle connection of the pool;
 * puts the application's answer in `reply` (status, Content-Type,
 * Retry-After, the body's first UGW_MHD_REPLY_MAX bytes), or 502 with a
 * JSON error body when it cannot be reached or does not answer within the
 * timeout. True when the application answered 2xx. Any thread. */
bool serve_forward(forward_pool *fp, const ugw_receiver_result *ev, const void *body, size_t len,
                   const char *content_type, ugw_mhd_reply *reply);

#endif /* UGW_CLI_SERVE_INTERNAL_H */
