/*
 * test_codec_fastpath_decode.c - the generated JSON decode fast paths
 * (ugw_event_desc.json_decode_fast) against the exact walk. Every document
 * below goes through a schema and through its copy without fast paths, with
 * a default, a strict and a max_depth 1 decoder: status, event type, error
 * (code, position, path, message) and every payload byte must agree
 * (same_decode()). The documents: each fixture as the encoder writes it
 * (which the fast path must take whole), then near misses of each, member
 * by member (reordered, left out, doubled, an extra key, each value replaced
 * by one of many texts, a key escaped or one byte off) and byte by byte
 * (every prefix, every byte dropped, every position given one of 22 bytes
 * or one more), then seeded random mutations (UGW_FASTPATH_MUTATIONS,
 * default 100,000; UGW_FASTPATH_SEED).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define JSMN_STRICT
#define JSMN_PARENT_LINKS
#define JSMN_STATIC
#include <jsmn.h>

#include <ugw/ugw_events.h>
#include <ugw/ugw_fixtures.h>

#include <fst/fst_events.h>
#include <fst/fst_fixtures.h>

#include "fastpath_support.h"

static exact_schema ugw_exact, fst_exact;

/* A canonical document: the encoder's JSON of a payload, and its schemas. */
typedef struct canon {
    const ugw_schema *s, *x;
    int type;
    char doc[2048];
    size_t len;
} canon;

static canon pool[32];
static size_t npool;

static void add_canon(const ugw_schema *s, const ugw_schema *x, int type, const void *payload)
{
    canon *c = &pool[npool++];
    ugw_error err;
    assert_true(npool <= sizeof pool / sizeof *pool);
    c->s = s;
    c->x = x;
    c->type = type;
    assert_int_equal(ugw_schema_encode(x, type, payload, UGW_FORMAT_JSON, c->doc, sizeof c->doc, &c->len, &err),
                     UGW_OK);
}

/* The fixtures of both schemas, and those of the test schema with optional
 * fields absent or null. */
static void make_pool(void)
{
    static char quotes[600];
    fst_event ev;
    if (npool)
        return;
    memset(quotes, '"', sizeof quotes);
    for (int t = 1; t <= UGW_EVENT_COUNT; t++)
        add_canon(&ugw_schema_events, &ugw_exact.s, t, &ugw_fixture((ugw_event_type)t)->u);
    for (int t = 1; t <= FST_EVENT_COUNT; t++)
        add_canon(&fst_schema_events, &fst_exact.s, t, &fst_fixture((fst_event_type)t)->u);
    ev = *fst_fixture(FST_EVENT_PING);
    ev.u.ping.has_count = false;
    ev.u.ping.has_ref = false;
    add_canon(&fst_schema_events, &fst_exact.s, FST_EVENT_PING, &ev.u);
    ev.u.ping.has_ref = true;
    ev.u.ping.ref_is_null = true;
    ev.u.ping.site_is_null = true;
    ev.u.ping.flag = false;
    add_canon(&fst_schema_events, &fst_exact.s, FST_EVENT_PING, &ev.u);
    /* strings to escape: two of them (where the second lands in the
     * decoder's memory depends on the first), then more than a small
     * decoder's memory holds */
    ev = *fst_fixture(FST_EVENT_PING);
    ev.u.ping.name = (ugw_str){ "a\"b\\", 4 };
    ev.u.ping.note = (ugw_str){ "x\ny\xe2\x80\x94\x01\"", 8 };
    add_canon(&fst_schema_events, &fst_exact.s, FST_EVENT_PING, &ev.u);
    ev.u.ping.note = (ugw_str){ quotes, sizeof quotes };
    add_canon(&fst_schema_events, &fst_exact.s, FST_EVENT_PING, &ev.u);
    ev = *fst_fixture(FST_EVENT_OPT_FIRST);
    ev.u.opt_first.has_count = false;
    add_canon(&fst_schema_events, &fst_exact.s, FST_EVENT_OPT_FIRST, &ev.u);
    ev.u.opt_first.has_ref = false;
    add_canon(&fst_schema_events, &fst_exact.s, FST_EVENT_OPT_FIRST, &ev.u);
    ev = *fst_fixture(FST_EVENT_OPT_ONLY);
    ev.u.opt_only.has_count = false;
    add_canon(&fst_schema_events, &fst_exact.s, FST_EVENT_OPT_ONLY, &ev.u);
}

static int group_setup(void **state)
{
    (void)state;
    exact_of(&ugw_schema_events, &ugw_exact);
    exact_of(&fst_schema_events, &fst_exact);
    make_pool();
    return 0;
}

/* The runtime's ugw_json_scratch.text, as the public helpers say it. */
static bool text_check(ugw_json_scratch *sc, const char *p, size_t n, ugw_str *out)
{
    size_t bad = 0, m;
    if (sc->cap - sc->used < n)
        return false;
    m = ugw_json_unescape(sc->buf + sc->used, p, n, &bad);
    if (m == (size_t)-1 || ugw_utf8_check(sc->buf + sc->used, m) != m || (m && memchr(sc->buf + sc->used, 0, m)))
        return false;
    out->ptr = sc->buf + sc->used;
    out->len = m;
    sc->used += m;
    return true;
}

/* Each canonical document: the fast path takes it (escaped strings
 * through the scratch memory), and both ways agree. */
static void test_fixtures_taken(void **state)
{
    (void)state;
    for (size_t i = 0; i < npool; i++) {
        const canon *c = &pool[i];
        const ugw_event_desc *ed = ugw_schema_event(c->s, c->type);
        assert_int_equal(same_decode(c->s, c->x, c->doc, c->len), UGW_OK);
        static char buf[4096];
        ugw_json_scratch sc = { buf, sizeof buf, 0, text_check };
        if (ed->json_decode_fast) {
            assert_true(fast_decode_takes(c->s, c->type, c->doc, c->len, &sc));
            /* unescaped bytes only where the document has an escape */
            assert_int_equal(sc.used != 0, memchr(c->doc, '\\', c->len) != NULL);
        } else /* a type the fast paths do not know: none generated */
            assert_true(c->s == &fst_schema_events && c->type == FST_EVENT_RATIO);
    }
}

/* The members of a canonical document: [from, to) of each, its text from
 * the key's quote to the value's end, and where the value starts. */
typedef struct span {
    size_t from, to, value;
} span;

static size_t members(const canon *c, span *m, size_t cap)
{
    static jsmntok_t t[256];
    jsmn_parser p;
    int n, j = 5;
    size_t k = 0;
    jsmn_init(&p);
    n = jsmn_parse(&p, c->doc, c->len, t, 256);
    assert_true(n >= 5);
    assert_int_equal(t[4].type, JSMN_OBJECT);
    for (int q = 0; q < t[4].size; q++, j += 2) {
        assert_true(k < cap);
        m[k].from = (size_t)t[j].start - 1;
        m[k].value = (size_t)t[j + 1].start - (t[j + 1].type == JSMN_STRING);
        m[k].to = (size_t)t[j + 1].end + (t[j + 1].type == JSMN_STRING);
        k++;
    }
    return k;
}

/* doc[0..at) + ins + doc[cut..len), through both ways. */
static ugw_status splice(const canon *c, size_t at, const char *ins, size_t nins, size_t cut)
{
    static char buf[4096];
    size_t n = 0;
    assert_true(at <= cut && cut <= c->len && at + nins + (c->len - cut) <= sizeof buf);
    memcpy(buf, c->doc, at);
    n = at;
    memcpy(buf + n, ins, nins);
    n += nins;
    memcpy(buf + n, c->doc + cut, c->len - cut);
    n += c->len - cut;
    return same_decode(c->s, c->x, buf, n);
}

static const char *const values[] = {
    "null", "true", "false", "0", "-0", "-1", "1", "01", "007", "1.5", "1e3", "-", "--1", "+1", "1 ",
    " 1", "9007199254740991", "9007199254740992", "99999", "100000", "100001", "-100000", "-100001",
    "123456789012345678", "-123456789012345678", "999999999999999999", "1234567890123456789",
    "-9223372036854775808", "9223372036854775807", "9223372036854775808", "18446744073709551616",
    "\"\"", "\"a\"", "\"1\"", "\"\\u0041\"", "\"a\\\"b\"", "\"\\\\\"", "\"\\/\"", "\"\\ud800\"", "\"http://x\"",
    "\"https://a.b/\"", "\"HTTPS://A.B/c?d#e\"", "\"http://a b\"", "\"ftp://a.b\"", "\"\xc3\xa9\"", "\"\xff\"",
    "\"\x01\"", "\"\x7f\"", "\"a\tb\"", "\"12345678901234567890\"", "\"xxxxxxxxxxxxxxxxxxxxx\"", "{}", "[]",
    "[1]", "{\"a\":1}", "nul", "nulll", "truex", "tru", "fals", "NaN", "\"", "",
    /* escapes: valid, NUL, surrogates, a URL written escaped */
    "\"\\u0000\"", "\"a\\u0000\"", "\"\\u00e9\"", "\"\\ud83d\\ude00\"", "\"\\udc00\"", "\"\\ud800\\u0041\"",
    "\"\\n\"", "\"\\u0061\\u0062\"", "\"\\u0001\"", "\"https:\\/\\/a.b\\/\"", "\"http:\\/\\/x y\"",
    "\"http\\u0073://a.b/\"", "\"\\u0068ttp://\\u00e9\"", "\"\\\"\\\"\\\"\\\"\\\"\\\"\\\"\\\"\\\"\\\"\\\"\"",
    "\"\\x\"", "\"\\u12\"", "\"\xc3\\n\"", "\"\xed\xa0\x80\"", "\"\xf4\x90\x80\x80\"", "\"\xc0\xaf\"",
};

/* Near misses of each canonical document, member by member. */
static void test_member_near_misses(void **state)
{
    static char tmp[4096];
    (void)state;
    for (size_t i = 0; i < npool; i++) {
        const canon *c = &pool[i];
        span m[32];
        size_t nm = members(c, m, 32);
        const size_t close = c->len - 2; /* the payload's '}' */
        for (size_t a = 0; a < nm; a++) {
            const size_t la = m[a].to - m[a].from;
            /* left out (with its comma) */
            if (nm > 1)
                splice(c, a ? m[a - 1].to : m[a].from, "", 0, a ? m[a].to : m[a + 1].from);
            else
                splice(c, m[a].from, "", 0, m[a].to);
            /* doubled at the end, and right after itself */
            tmp[0] = ',';
            memcpy(tmp + 1, c->doc + m[a].from, la);
            splice(c, close, tmp, la + 1, close);
            splice(c, m[a].to, tmp, la + 1, m[a].to);
            /* swapped with each later member */
            for (size_t b = a + 1; b < nm; b++) {
                size_t n = 0, lb = m[b].to - m[b].from;
                memcpy(tmp + n, c->doc + m[b].from, lb);
                n += lb;
                memcpy(tmp + n, c->doc + m[a].to, m[b].from - m[a].to);
                n += m[b].from - m[a].to;
                memcpy(tmp + n, c->doc + m[a].from, la);
                n += la;
                splice(c, m[a].from, tmp, n, m[b].to);
            }
            /* an extra key before it and after the last (strict: unknown) */
            splice(c, m[a].from, "\"extra\":1,", 10, m[a].from);
            splice(c, m[a].from, "\"\":\"\",", 6, m[a].from);
            /* each value in its place */
            for (size_t v = 0; v < sizeof values / sizeof *values; v++)
                splice(c, m[a].value, values[v], strlen(values[v]), m[a].to);
            /* the key's first letter escaped, and each byte of it one off */
            {
                char esc[8];
                snprintf(esc, sizeof esc, "\\u%04x", (unsigned char)c->doc[m[a].from + 1]);
                splice(c, m[a].from + 1, esc, 6, m[a].from + 2);
            }
            for (size_t q = m[a].from; q < m[a].value; q++)
                for (int d = -1; d <= 1; d += 2) {
                    char b = (char)(c->doc[q] + d);
                    splice(c, q, &b, 1, q + 1);
                }
            /* white space around its ':' and before its key */
            splice(c, m[a].value - 1, " ", 1, m[a].value - 1);
            splice(c, m[a].value, "\n", 1, m[a].value);
            splice(c, m[a].from, "\t", 1, m[a].from);
            splice(c, m[a].to, "\r", 1, m[a].to);
        }
        splice(c, close, ",\"extra\":1", 10, close);
        splice(c, close, ",", 1, close);
        splice(c, close, " ", 1, close);
        splice(c, c->len, " ", 1, c->len);
        splice(c, c->len, "x", 1, c->len);
        splice(c, c->len, "{}", 2, c->len);
    }
}

/* Byte by byte: every prefix, every byte dropped, replaced or added. */
static void test_byte_near_misses(void **state)
{
    static const char bytes[] = { ' ', ',', ':', '"', '\\', '{', '}', '[', ']', '0', '9', '-', 'a', 'n',
                                  '\0', '\x01', '\x7f', '\x80', '\xc3', '\xff', 'X', '/' };
    (void)state;
    for (size_t i = 0; i < npool; i++) {
        const canon *c = &pool[i];
        for (size_t q = 0; q <= c->len; q++) {
            same_decode(c->s, c->x, c->doc, q); /* a prefix */
            if (q == c->len)
                break;
            splice(c, q, "", 0, q + 1);
            for (size_t b = 0; b < sizeof bytes; b++) {
                if (c->doc[q] != bytes[b])
                    splice(c, q, &bytes[b], 1, q + 1);
                splice(c, q, &bytes[b], 1, q);
            }
        }
    }
}

static uint64_t rng;

static uint64_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

/* Seeded mutations: 1 to 4 edits of a canonical document each. */
static void test_mutations(void **state)
{
    static char doc[2048];
    static const char specials[] = " ,:\"\\{}[]0123456789-+.eEtrufalsn\x00\x01\x1f\x7f\x80\xbf\xc3\xe2\xff";
    const char *e = getenv("UGW_FASTPATH_MUTATIONS");
    const char *sd = getenv("UGW_FASTPATH_SEED");
    const long count = e ? atol(e) : 100000;
    size_t outcome[UGW_ERR_ARG + 2];
    clock_t t0 = clock();
    (void)state;
    memset(outcome, 0, sizeof outcome);
    rng = sd ? strtoull(sd, NULL, 10) | 1 : UINT64_C(0x9e3779b97f4a7c15);
    for (long it = 0; it < count; it++) {
        const canon *c = &pool[next() % npool];
        size_t n = c->len;
        int edits = 1 + (int)(next() % 4);
        ugw_status st;
        memcpy(doc, c->doc, n);
        for (int k = 0; k < edits && n > 0; k++) {
            size_t at = next() % n, len2 = 1 + next() % 12;
            switch (next() % 6) {
            case 0: /* a byte replaced */
                doc[at] = specials[next() % (sizeof specials - 1)];
                break;
            case 1: /* a byte added */
                if (n + 1 < sizeof doc) {
                    memmove(doc + at + 1, doc + at, n - at);
                    doc[at] = specials[next() % (sizeof specials - 1)];
                    n++;
                }
                break;
            case 2: /* bytes dropped */
                if (at + len2 > n)
                    len2 = n - at;
                memmove(doc + at, doc + at + len2, n - at - len2);
                n -= len2;
                break;
            case 3: /* a span copied elsewhere */
                if (at + len2 <= n && n + len2 < sizeof doc) {
                    size_t to = next() % (n + 1);
                    char tmp[16];
                    memcpy(tmp, doc + at, len2);
                    memmove(doc + to + len2, doc + to, n - to);
                    memcpy(doc + to, tmp, len2);
                    n += len2;
                }
                break;
            case 4: /* one bit flipped */
                doc[at] ^= (char)(1u << (next() % 8));
                break;
            default: /* cut short */
                n = at;
                break;
            }
        }
        st = same_decode(c->s, c->x, doc, n);
        outcome[st <= UGW_ERR_ARG ? st : UGW_ERR_ARG + 1]++;
    }
    printf("%ld mutated documents in %.1f s: %zu decoded, %zu syntax, %zu truncated, %zu type, %zu other\n",
           count, (double)(clock() - t0) / CLOCKS_PER_SEC, outcome[UGW_OK], outcome[UGW_ERR_SYNTAX],
           outcome[UGW_ERR_TRUNCATED], outcome[UGW_ERR_TYPE],
           (size_t)count - outcome[UGW_OK] - outcome[UGW_ERR_SYNTAX] - outcome[UGW_ERR_TRUNCATED]
               - outcome[UGW_ERR_TYPE]);
    /* the mutations reach past the tokenizer: some decode, some fail later */
    assert_true(outcome[UGW_OK] > 0);
    assert_true(outcome[UGW_ERR_TYPE] > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fixtures_taken),
        cmocka_unit_test(test_member_near_misses),
        cmocka_unit_test(test_byte_near_misses),
        cmocka_unit_test(test_mutations),
    };
    return cmocka_run_group_tests(tests, group_setup, NULL);
}
