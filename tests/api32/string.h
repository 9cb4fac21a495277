/*
 * string.h - the few declarations the public headers need, for the
 * freestanding 32-bit syntax check of check_api32.c (the host's C library
 * has no i686 headers installed). Not a real string.h.
 */
#ifndef UGW_API32_STRING_H
#define UGW_API32_STRING_H
#include <stddef.h>
void *memset(void *s, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
#endif
