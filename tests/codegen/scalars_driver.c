/*
 * scalars_driver.c - the runtime's pure number and timestamp functions on
 * lines of standard input, for test_scalars_python.py to compare with
 * Python's json and datetime. One answer line per request line:
 *   d <16 hex digits>   ugw_fmt_double() of the double with those bits
 *   p <text>            ugw_parse_double(): the bits in hex, or "x"
 *   t <text>            ugw_timestamp_parse(): the milliseconds, or "bad <offset>"
 *   f <ms>              ugw_timestamp_format(): the text, or "x"
 */
#include <inttypes.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ugw/ugw_runtime.h>

int main(void)
{
    static char line[1 << 16];
    setlocale(LC_ALL, ""); /* the caller's locale must change nothing */
    while (fgets(line, sizeof line, stdin)) {
        size_t n = strlen(line);
        const char *arg = line + 2;
        if (n && line[n - 1] == '\n')
            line[--n] = 0;
        if (n < 2) {
            puts("?");
            continue;
        }
        if (line[0] == 'd') {
            uint64_t bits = strtoull(arg, NULL, 16);
            double v;
            char out[UGW_DOUBLE_MAX_LEN];
            memcpy(&v, &bits, 8);
            ugw_fmt_double(out, v);
            puts(out[0] ? out : "x");
        } else if (line[0] == 'p') {
            double v;
            uint64_t bits;
            if (!ugw_parse_double(arg, n - 2, &v)) {
                puts("x");
                continue;
            }
            memcpy(&bits, &v, 8);
            printf("%016" PRIx64 "\n", bits);
        } else if (line[0] == 't') {
            int64_t ms = 0;
            size_t bad = 0;
            if (!ugw_timestamp_parse(arg, n - 2, &ms, &bad))
                printf("bad %zu\n", bad);
            else
                printf("%" PRId64 "\n", ms);
        } else if (line[0] == 'f') {
            char out[UGW_TIMESTAMP_LEN + 1];
            ugw_timestamp_format(out, (int64_t)strtoll(arg, NULL, 10));
            puts(out[0] ? out : "x");
        } else {
            puts("?");
        }
        fflush(stdout);
    }
    return 0;
}
