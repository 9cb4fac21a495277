/*
 * ugw_scan.c - runs of bytes from a small set (declared in ugw_runtime.h):
 * trimming header values, skipping JSON white space, splitting lists. The
 * one byte scanner of the codec, the webhook and client libraries and the
 * command. Reads s[0..len) only and allocates nothing.
 */
#include <ugw/ugw_runtime.h>

#include <stdbool.h>
#include <string.h>

static bool in_set(char c, const char *set)
{
    return c != '\0' && strchr(set, c) != NULL;
}

size_t ugw_span(const char *s, size_t len, const char *set)
{
    size_t i = 0;
    while (i < len && in_set(s[i], set))
        i++;
    return i;
}

size_t ugw_cspan(const char *s, size_t len, const char *set)
{
    size_t i = 0;
    while (i < len && !in_set(s[i], set))
        i++;
    return i;
}

size_t ugw_rspan(const char *s, size_t len, const char *set)
{
    size_t i = 0;
    while (i < len && in_set(s[len - 1 - i], set))
        i++;
    return i;
}

ugw_str ugw_trim(const char *s, size_t len, const char *set)
{
    size_t b = ugw_span(s, len, set);
    ugw_str r = { s + b, len - b - ugw_rspan(s + b, len - b, set) };
    return r;
}
