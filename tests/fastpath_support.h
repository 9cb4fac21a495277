/*
 * fastpath_support.h - the generated fast paths against the exact way, for
 * test_codec_fastpath*.c: a schema's copy without fast paths, error
 * equality, and one JSON document decoded through both.
 */
#ifndef UGW_TEST_FASTPATH_SUPPORT_H
#define UGW_TEST_FASTPATH_SUPPORT_H

#include <stdbool.h>
#include <stddef.h>

#include <ugw/ugw_generated_support.h>

/* A schema's copy whose events have no generated fast paths: the runtime
 * walks their descriptors (the exact way, and the engine's one walk). */
typedef struct exact_schema {
    ugw_schema s;
    ugw_event_desc events[32];
} exact_schema;

void exact_of(const ugw_schema *s, exact_schema *x);

/* The same code, byte position, path and message. */
void same_error(const ugw_error *a, const ugw_error *b);

/*
 * Decodes doc[0..len) (copied to a buffer of exactly len bytes, so that a
 * read past it is ASan's to see) through `s` and through its exact copy `x`
 * with each of four decoders (default, strict, max_depth 1, the least
 * memory for tokens and strings): the same
 * status, event type, error and payload bytes every time. Returns the
 * default decoder's status.
 */
ugw_status same_decode(const ugw_schema *s, const ugw_schema *x, const void *doc, size_t len);

/* Whether the generated decode fast path of `s` takes doc[0..len) whole
 * (the document tokenized as the runtime does, its envelope the encoder's:
 * event type `type`), with `sc` for its strings that are not plain. */
bool fast_decode_takes(const ugw_schema *s, int type, const char *doc, size_t len, ugw_json_scratch *sc);

#endif
