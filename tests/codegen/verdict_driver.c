/*
 * verdict_driver.c - the decoder's verdict on files, for the JSON Schema
 * differential test of a schema other than the bundled one
 * (test_jsonschema_scalars.py). Compiled with -DSCHEMA_SYMBOL=<prefix>_schema_events
 * against that schema's generated <prefix>_events.c. Reads lines
 * "<d|s> <path>" (default or strict decoder; the format from the file name,
 * .msgpack or JSON) and prints "ok" or the error code's name for each.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ugw/ugw_runtime.h>

#ifndef SCHEMA_SYMBOL
#error "SCHEMA_SYMBOL must name the generated ugw_schema"
#endif
extern const ugw_schema SCHEMA_SYMBOL;

int main(void)
{
    static char line[8192];
    static unsigned char buf[1 << 20];
    size_t cap = ugw_schema_payload_max(&SCHEMA_SYMBOL);
    void *payload = malloc(cap ? cap : 1);
    ugw_decode_opts so = { 0 };
    ugw_decoder *dec = ugw_decoder_new(NULL), *strict;
    so.strict = true;
    strict = ugw_decoder_new(&so);
    if (!payload || !dec || !strict)
        return 2;
    while (fgets(line, sizeof line, stdin)) {
        size_t n = strlen(line), len;
        FILE *f;
        ugw_error err;
        int type;
        ugw_status st;
        if (n && line[n - 1] == '\n')
            line[--n] = 0;
        if (n < 3 || !(f = fopen(line + 2, "rb"))) {
            puts("?");
            continue;
        }
        len = fread(buf, 1, sizeof buf, f);
        fclose(f);
        st = ugw_schema_decode(&SCHEMA_SYMBOL, line[0] == 's' ? strict : dec,
                               strstr(line, ".msgpack") ? UGW_FORMAT_MSGPACK : UGW_FORMAT_JSON, buf, len, &type,
                               payload, cap, &err);
        puts(ugw_status_name(st));
    }
    fflush(stdout);
    ugw_decoder_free(dec);
    ugw_decoder_free(strict);
    free(payload);
    return 0;
}
