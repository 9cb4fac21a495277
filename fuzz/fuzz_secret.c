/*
 * fuzz_secret.c - libFuzzer target for ugw_secret_parse() on any bytes.
 * Oracle: an error is UGW_ERR_SECRET with pos <= len and a zeroed output; a
 * parsed secret has 1..256 bytes, formats to text that parses back to the
 * same key, and the text is whsec_ + strict base64 (checked again by
 * ugw_base64_decode()).
 */
#include <ugw/ugw_webhook.h>

#include "fuzz_parsers.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *in = fuzz_copy(data, size, 0);
    ugw_secret s, again;
    ugw_error err;
    char text[UGW_SECRET_TEXT_MAX];
    static const ugw_secret zero;

    if (ugw_secret_parse(in, size, &s, &err) != UGW_OK) {
        PCHECK(err.code == UGW_ERR_SECRET, "error code");
        PCHECK(err.pos <= size, "error position");
        PCHECK(err.message != NULL, "message");
        PCHECK(memcmp(&s, &zero, sizeof s) == 0, "output zeroed on failure");
    } else {
        size_t n = 0;
        PCHECK(s.len >= 1 && s.len <= UGW_SECRET_MAX, "key length");
        PCHECK(ugw_secret_format(&s, text, sizeof text) == UGW_OK, "format");
        PCHECK(strncmp(text, "whsec_", 6) == 0, "prefix");
        PCHECK(ugw_base64_decode(text + 6, strlen(text) - 6, NULL, 0, &n, NULL) == UGW_OK && n == s.len,
               "strict base64 of the key");
        PCHECK(ugw_secret_parse(text, strlen(text), &again, NULL) == UGW_OK, "parse back");
        PCHECK(again.len == s.len && memcmp(again.key, s.key, s.len) == 0, "same key");
    }
    free(in);
    return 0;
}
