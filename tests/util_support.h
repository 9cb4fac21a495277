/*
 * util_support.h - helpers shared by the tests of runtime/codec/ugw_util.c
 * (test_util_*.c): exact heap copies of inputs (so that a build with
 * -fsanitize=address reports any read past s + len, including in the 8-byte
 * fast paths), wrappers calling the functions under test through them, a
 * small deterministic random generator and a UTF-8 encoder for test data.
 */
#ifndef UGW_TEST_UTIL_SUPPORT_H
#define UGW_TEST_UTIL_SUPPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LIT(s) (s), (sizeof(s) - 1)

/* A heap copy of exactly `len` bytes (one byte for len 0, never read). */
char *exact(const void *s, size_t len);
/* ugw_utf8_check, ugw_url_check and ugw_parse_u64 on an exact copy. */
size_t utf8x(const void *s, size_t len);
bool urlx(const void *s, size_t len);
bool parsex(const void *s, size_t len, uint64_t *out);
/* Escapes through exact input and output buffers; checks escaped_len
 * against the bytes written. Returns a malloc'd, NUL-terminated copy. */
char *escapex(const void *s, size_t len, size_t *out_len);
/* Unescapes through exact input and output buffers (output of len bytes,
 * as the API promises). Returns the result; the decoded bytes go to `dst`
 * (room for len bytes) when it is not NULL. */
size_t unescapex(const void *s, size_t len, char *dst, size_t *bad);
/* xorshift64, one fixed seed per test program. */
uint64_t rng(void);
unsigned rng_below(unsigned n);
/* Encodes a code point as UTF-8 (no validity checks: test data). */
size_t enc_utf8(unsigned char *o, unsigned long cp);

#endif
