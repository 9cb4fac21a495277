/*
 * client_support.h - what the delivery client's tests share
 * (client_support.c): a per-test fixture that owns the receivers, the client
 * and an empty dead-letter file (so teardown stops them even after a failed
 * assertion), a collector of outcomes, encoding and request helpers, a
 * parser of dead-letter files independent of the runtime's reader, and
 * threads that wait inside the client (client_waiter.c).
 */
#ifndef UGW_TEST_CLIENT_SUPPORT_H
#define UGW_TEST_CLIENT_SUPPORT_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "test_receiver.h"
#include <ugw/ugw_client.h>
#include <ugw/ugw_events_client.h>
#include <ugw/ugw_events.h>
#include <ugw/ugw_fixtures.h>
#include <ugw/ugw_runtime.h>
#include <ugw/ugw_webhook.h>

/* A test secret: "whsec_" + base64 of 32 bytes. */
#define SECRET "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
#define OTHER_SECRET "whsec_c2VjcmV0LXRoYXQtaXMtbm90LXRoZS1vbmU="

typedef struct rec {
    char id[UGW_WEBHOOK_ID_MAX];
    ugw_result result;
    long http_status;
    int curl_code;
    unsigned attempts;
    bool endpoint_gone;
    void *user;
    char event[128];
    ugw_format format;
    unsigned char *body; /* copied when the collector keeps bodies */
    size_t body_len;
} rec;

typedef struct collector {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    rec *recs;
    size_t n, cap;
    bool keep_bodies;
    bool oom;
} collector;

typedef struct fx {
    test_receiver *tr;
    test_receiver *tr2;
    ugw_client *c;
    collector col;
    char dl_path[64]; /* an empty dead-letter file made by setup */
} fx;

/* A thread that waits inside the client (client_waiter.c): send() of "{}"
 * waiting for its outcome (sync) or enqueue() of it waiting for room. */
typedef struct waiter {
    ugw_client *c;
    bool sync;
    void (*on_thread)(void); /* NULL, or run first on the waiter's thread */
    pthread_t th;
    ugw_status st;   /* what send() or enqueue() returned */
    ugw_outcome out; /* send()'s outcome */
} waiter;

typedef struct dl_entry {
    char id[UGW_WEBHOOK_ID_MAX];
    char event[160];
    char format[16];
    char result[16];
    bool has_body, has_body_base64;
    unsigned char *body; /* decoded */
    size_t body_len;
    long last_status;
    long attempts;
    bool has_time, has_error;
} dl_entry;

int64_t now_ms(void);
/* Timed asserts: lower bounds are asserted as they are; upper bounds on
 * elapsed time, and the delays they are measured against, go through
 * upper_ms(), which multiplies by time_scale(): UGW_TEST_TIME_SCALE when set
 * (1 to 100), else 5 under valgrind (RUNNING_ON_VALGRIND), else 1. */
int64_t time_scale(void);
int64_t upper_ms(int64_t ms);
int64_t ts_ms(const struct timespec *ts);
void sleep_ms(long ms);
void col_init(collector *col);
void col_free(collector *col);
void on_outcome(const ugw_outcome *o, void *ctx);
size_t col_count(collector *col);
bool col_wait(collector *col, size_t n, long timeout_ms);
const rec *col_find(collector *col, const char *id, size_t *count);
int fx_setup(void **state);
int fx_teardown(void **state);
test_receiver *start_rx(fx *t, const tr_config *cfg);
/* A receiver answering every request with `status` (0: 204) after delay_ms,
 * and in *cfg a base_cfg() to it that writes dead letters to t->dl_path. */
test_receiver *start_rx_answering(fx *t, int status, int delay_ms, ugw_client_config *cfg);
ugw_client_config base_cfg(fx *t, const char *url);
ugw_client *start_client(fx *t, const ugw_client_config *cfg);
ugw_status close_client(fx *t, long drain_ms);
unsigned char *encode_new(const ugw_event *ev, ugw_format fmt, size_t *len);
const ugw_event *fixture_at(size_t i);
ugw_status enqueue_fixture(ugw_client *c, size_t i, int64_t wait_ms, void *user, char id[UGW_WEBHOOK_ID_MAX]);
tr_request *get_requests(test_receiver *tr, size_t *n);
void free_requests(tr_request *rs, size_t n);
int64_t gap_ms(const tr_request *a, const tr_request *b);
int64_t parse_ts(const char *s);
void assert_signed(const tr_request *r, const char *secret);
const char *json_string_end(const char *p, const char *end);
unsigned char *unescape_new(const char *s, size_t n, size_t *out_len);
unsigned char *base64_decode_new(const char *s, size_t n, size_t *out_len);
void copy_unescaped(char *dst, size_t cap, const char *s, size_t n);
void dl_parse_line(const char *p, size_t len, dl_entry *e);
size_t dl_read(const char *path, dl_entry **out);
void dl_free(dl_entry *es, size_t n);
const dl_entry *dl_find(const dl_entry *es, size_t n, const char *id, size_t *count);
void dl_check_reader(const char *path, const dl_entry *es, size_t n);
off_t file_size(const char *path);
ugw_status send_scripted(fx *t, const tr_action *script, size_t n, ugw_client_config *cfg_io, ugw_outcome *out);
void assert_same_id(test_receiver *tr, const char *id, size_t expect_n);
int cmp_id(const void *a, const void *b);
int cmp_rec(const void *a, const void *b);
/* Starts a waiter's thread on c; waiter_join() joins it and returns w->st. */
void waiter_start(waiter *w, ugw_client *c, bool sync, void (*on_thread)(void));
ugw_status waiter_join(waiter *w);

#endif /* UGW_TEST_CLIENT_SUPPORT_H */
