/*
 * receiver - a webhook endpoint for the bundled events: ugw::receiver does
 * the checks (signature, media type, decode, replays), ugw::receiver_mhd
 * the HTTP side with its limits; this program only stores the events.
 *
 *   UGW_SECRET=whsec_... receiver PORT [COUNT]
 *
 * Listens on 127.0.0.1:PORT. Every POST gets the answers of the wire
 * contract (docs/CONTRACT.md §5): 401 for a bad signature, 415, 400 with the
 * error as JSON, 413 past 64 KiB, 204 for a valid event once store() says it
 * is stored (a duplicate is answered 204 and not stored twice). Stops after
 * COUNT stored events (default: runs until killed).
 */
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <ugw/ugw_events.h>
#include <ugw/ugw_receiver.h>
#include <ugw/ugw_receiver_mhd.h>

static atomic_long stored;

/* A new, verified, valid event: keep it somewhere safe, then say so. Called
 * from the server's threads. Returning false answers 503 so the sender
 * retries later. */
static bool store(void *ctx, const ugw_receiver_result *ev, const void *body, size_t len,
                  const char *content_type, ugw_mhd_reply *reply)
{
    (void)ctx, (void)body, (void)len, (void)content_type, (void)reply;
    printf("receiver: %s %s (%s)", ev->id, ev->desc->wire, ugw_format_name(ev->format));
    if (ev->type == UGW_EVENT_NPS_SCORE_SUBMIT) { /* the typed struct of the event */
        const ugw_nps_score_submit *e = ev->payload;
        printf(" score %lld from %.*s", (long long)e->score, (int)e->user_id.len, e->user_id.ptr);
    }
    printf("\n");
    fflush(stdout);
    atomic_fetch_add(&stored, 1);
    return true;
}

/* Every answer, for the log. */
static void on_answer(void *ctx, unsigned status, const ugw_receiver_result *res)
{
    (void)ctx;
    if (status >= 300)
        fprintf(stderr, "receiver: %u %s: %s\n", status, res->has_id ? res->id : "-", res->body);
}

int main(int argc, char **argv)
{
    const char *text = getenv("UGW_SECRET");
    ugw_secret secret;
    ugw_error err;
    char msg[256];

    if (argc < 2 || !text) {
        fprintf(stderr, "usage: UGW_SECRET=whsec_... receiver PORT [COUNT]\n");
        return 2;
    }
    if (ugw_secret_parse(text, strlen(text), &secret, &err) != UGW_OK) {
        fprintf(stderr, "receiver: secret: %s\n", err.message);
        return 2;
    }
    long wanted = argc > 2 ? atol(argv[2]) : 0;

    ugw_receiver_config rc = { .schema = &ugw_schema_events, .secrets = &secret, .nsecrets = 1,
                               .max_body = 64 * 1024 };
    ugw_receiver *rx = ugw_receiver_new(&rc, &err);
    if (!rx) {
        fprintf(stderr, "receiver: %s\n", err.message);
        return 1;
    }
    ugw_receiver_mhd_config hc = { .addr = "127.0.0.1", .port = (uint16_t)atoi(argv[1]),
                                   .store = store, .on_answer = on_answer };
    ugw_receiver_mhd *srv = ugw_receiver_mhd_start(rx, &hc, msg, sizeof msg);
    if (!srv) {
        fprintf(stderr, "receiver: %s\n", msg);
        ugw_receiver_free(rx);
        return 1;
    }
    printf("receiver: listening on %s\n", ugw_receiver_mhd_url(srv));
    fflush(stdout);
    while (!wanted || atomic_load(&stored) < wanted) {
        struct timespec ts = { 0, 20 * 1000 * 1000 };
        nanosleep(&ts, NULL);
    }
    ugw_receiver_mhd_stop(srv);
    ugw_receiver_free(rx);
    return 0;
}
