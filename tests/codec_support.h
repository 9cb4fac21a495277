/*
 * codec_support.h - helpers shared by the codec tests (test_codec*.c): exact
 * heap copies of fixtures and documents (so ASan sees any overread), field-by-
 * field event equality, the default and strict decoders of a test group, and
 * documents of the bundled schema used by several files.
 */
#ifndef UGW_TEST_CODEC_SUPPORT_H
#define UGW_TEST_CODEC_SUPPORT_H

#include <stdbool.h>
#include <stddef.h>

#include <ugw/ugw_events.h>

/* Reads a file into an exact-size heap buffer; fails the test if it cannot. */
unsigned char *slurp(const char *path, size_t *len);
/* UGW_FIXTURES_DIR/sub/name.ext, read by slurp(). */
unsigned char *fixture_bytes(const char *sub, const char *name, const char *ext, size_t *len);
/* An exact-size heap copy of `n` bytes. */
unsigned char *dup_exact(const void *p, size_t n);
bool str_eq(const ugw_str *a, const ugw_str *b);
/* Field-by-field equality of two events, through the descriptors. */
void assert_events_equal(const ugw_event *a, const ugw_event *b);

/* The group state: a default and a strict decoder (setup/teardown). */
typedef struct {
    ugw_decoder *dec;
    ugw_decoder *strict;
} decoders;

int setup(void **state);
int teardown(void **state);

#define DEC(state) (((decoders *)*(state))->dec)
#define STRICT(state) (((decoders *)*(state))->strict)

/* Decodes `len` bytes of `doc` (copied to an exact buffer) and returns the code. */
ugw_status decode_copy(ugw_decoder *dec, ugw_format fmt, const void *doc, size_t len,
                       ugw_event *ev, ugw_error *err);
ugw_status decode_json_text(ugw_decoder *dec, const char *doc, ugw_error *err);

/* A JSON document and the outcome it must have (code, and for an error its
 * byte position and field path). */
typedef struct {
    const char *doc;
    ugw_status code;
    size_t pos;
    const char *path;
} jcase;

/* Decodes each case's document and prints every case whose outcome differs;
 * returns how many did. */
int json_case_failures(ugw_decoder *dec, const jcase *cases, size_t n);

/* Documents of the bundled schema: a guide start (head, valid fields) and an
 * NPS score submit up to its score. */
#define GS "{\"event\":\"guide started (userguiding)\",\"payload\":{"
#define GS_OK "\"userId\":\"u\",\"pageUrl\":\"https://a.b/\",\"guideId\":1,\"guideName\":\"g\""
#define SS "{\"event\":\"nps score submit (userguiding)\",\"payload\":{\"userId\":\"u\",\"pageUrl\":\"https://a.b/\",\"question\":\"q\","

#endif
