/*
 * fuzz_parsers.h - what the parser targets share (fuzz_signature.c,
 * fuzz_secret.c, fuzz_retry_after.c, fuzz_dead_letter.c): a check that
 * aborts with a message (libFuzzer reports it as a crash), and heap copies of
 * exactly the input's length so that AddressSanitizer sees any read past it.
 */
#ifndef UGW_FUZZ_PARSERS_H
#define UGW_FUZZ_PARSERS_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PCHECK(cond, what)                                                             \
    do {                                                                               \
        if (!(cond)) {                                                                 \
            fprintf(stderr, "fuzz: %s:%d: check failed: %s: %s\n", __FILE__, __LINE__, \
                    #cond, (what));                                                    \
            abort();                                                                   \
        }                                                                              \
    } while (0)

/* A heap copy of exactly n bytes (plus a NUL when `nul`). */
static inline char *fuzz_copy(const uint8_t *data, size_t n, int nul)
{
    char *p = malloc(n + (nul ? 1 : 0) + (n == 0 && !nul));
    if (!p)
        abort();
    if (n)
        memcpy(p, data, n);
    if (nul)
        p[n] = '\0';
    return p;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif /* UGW_FUZZ_PARSERS_H */
