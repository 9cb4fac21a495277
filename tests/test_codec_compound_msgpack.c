/*
 * test_codec_compound_msgpack.c - the errors of nested values in MessagePack
 * (test_codec_compound.c has them in JSON): code, full path and the byte
 * position, also of array items behind a long array header.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include <cpd/cpd_events.h>

ugw_status compound_decode(ugw_format fmt, const void *doc, size_t n, cpd_event *ev, ugw_error *err,
                           const ugw_decode_opts *o);
void test_msgpack_errors(void **state);

/* A document under construction, and the offset a case marks. */
typedef struct {
    unsigned char b[512];
    size_t n, mark;
} doc;

static void raw(doc *d, const void *p, size_t n)
{
    assert_true(d->n + n <= sizeof d->b);
    memcpy(d->b + d->n, p, n);
    d->n += n;
}

static void byte(doc *d, unsigned v)
{
    unsigned char c = (unsigned char)v;
    raw(d, &c, 1);
}

static void str(doc *d, const char *s)
{
    byte(d, 0xa0 | (unsigned)strlen(s));
    raw(d, s, strlen(s));
}

static void map(doc *d, unsigned n) { byte(d, 0x80 | n); }
static void arr(doc *d, unsigned n) { byte(d, 0x90 | n); }
static void mark(doc *d) { d->mark = d->n; }

/* {"event":"order placed","payload":{"userId":"u1", then 2 more members */
static void head(doc *d)
{
    d->n = d->mark = 0;
    map(d, 2);
    str(d, "event");
    str(d, "order placed");
    str(d, "payload");
    map(d, 3);
    str(d, "userId");
    str(d, "u1");
}

/* "order":{"orderId":7, then members - 1 more */
static void order_head(doc *d, unsigned members)
{
    str(d, "order");
    map(d, members);
    str(d, "orderId");
    byte(d, 7);
}

/* {"sku":"A","quantity":2,"tags": and the tags' value next */
static void line_head(doc *d)
{
    map(d, 3);
    str(d, "sku");
    str(d, "A");
    str(d, "quantity");
    byte(d, 2);
    str(d, "tags");
}

/* "lines":[{"sku":"A","quantity":2,"tags":[...tags]}], tag bad_tag marked and not a string */
static void lines(doc *d, int tags, int bad_tag)
{
    str(d, "lines");
    arr(d, 1);
    line_head(d);
    arr(d, (unsigned)tags);
    for (int i = 0; i < tags; i++) {
        if (i == bad_tag) {
            mark(d);
            byte(d, 5);
        } else {
            str(d, "t");
        }
    }
}

/* "scores":[1,2] */
static void scores_ok(doc *d)
{
    str(d, "scores");
    arr(d, 2);
    byte(d, 1);
    byte(d, 2);
}

static void order_ok(doc *d)
{
    order_head(d, 2);
    lines(d, 1, -1);
}

static void check(const doc *d, ugw_status code, const char *path, uint32_t max_depth)
{
    ugw_decode_opts o = { 0 };
    cpd_event ev;
    ugw_error err;
    ugw_status st;
    o.max_depth = max_depth;
    st = compound_decode(UGW_FORMAT_MSGPACK, d->b, d->n, &ev, &err, &o);
    if (st != code || strcmp(err.path, path) != 0 || err.pos != d->mark)
        fail_msg("want %s at %s pos %zu, got %s (%s) at %s pos %zu", ugw_status_name(code), path, d->mark,
                 ugw_status_name(st), err.message, err.path, err.pos);
}

void test_msgpack_errors(void **state)
{
    doc d;
    (void)state;
    /* a valid one first */
    head(&d);
    order_ok(&d);
    scores_ok(&d);
    check(&d, UGW_OK, "", 0);

    head(&d);
    order_ok(&d);
    str(&d, "scores");
    mark(&d);
    arr(&d, 4);
    for (int i = 0; i < 4; i++)
        byte(&d, 1);
    check(&d, UGW_ERR_TOO_LONG, "payload.scores", 0);

    /* an array 16 header for two items: item positions still exact */
    head(&d);
    order_ok(&d);
    str(&d, "scores");
    byte(&d, 0xdc);
    byte(&d, 0);
    byte(&d, 2);
    byte(&d, 1);
    mark(&d);
    str(&d, "2");
    check(&d, UGW_ERR_TYPE, "payload.scores[1]", 0);

    head(&d);
    str(&d, "order");
    mark(&d);
    map(&d, 1);
    lines(&d, 0, -1);
    scores_ok(&d);
    check(&d, UGW_ERR_MISSING, "payload.order.orderId", 0);

    head(&d);
    order_head(&d, 3);
    mark(&d);
    str(&d, "orderId");
    byte(&d, 8);
    lines(&d, 0, -1);
    scores_ok(&d);
    check(&d, UGW_ERR_DUPLICATE_KEY, "payload.order.orderId", 0);

    head(&d);
    order_head(&d, 2);
    lines(&d, 3, 2);
    scores_ok(&d);
    check(&d, UGW_ERR_TYPE, "payload.order.lines[0].tags[2]", 0);

    /* a second line that is not an object */
    head(&d);
    order_head(&d, 2);
    str(&d, "lines");
    arr(&d, 2);
    line_head(&d);
    arr(&d, 0);
    mark(&d);
    byte(&d, 0xc3);
    scores_ok(&d);
    check(&d, UGW_ERR_TYPE, "payload.order.lines[1]", 0);

    head(&d);
    str(&d, "order");
    mark(&d);
    map(&d, 2);
    byte(&d, 1);
    byte(&d, 7);
    lines(&d, 0, -1);
    scores_ok(&d);
    check(&d, UGW_ERR_TYPE, "payload.order", 0);

    /* depth: the tags array is at depth 6 */
    head(&d);
    order_head(&d, 2);
    str(&d, "lines");
    arr(&d, 1);
    line_head(&d);
    mark(&d);
    arr(&d, 0);
    scores_ok(&d);
    check(&d, UGW_ERR_DEPTH, "payload.order.lines[0].tags", 5);
}
