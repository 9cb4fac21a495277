/*
 * test_receiver_answer.c - how the test receiver answers (test_receiver.h):
 * choosing the action for one request (413 for an oversized body, then the
 * decide callback, the script, the seeded random mode, the default action)
 * and building the libmicrohttpd response for it, TR_RESET included.
 * Called by test_receiver_record.c and test_receiver.c; see
 * test_receiver_internal.h.
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include "test_receiver_internal.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include <microhttpd.h>

/* Declared length and actual bytes of a TR_RESET answer. */
#define TR_RESET_DECLARED 64u
static const char tr_reset_part[] = "partial!";

static uint64_t splitmix64(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15u);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return z ^ (z >> 31);
}

void tr_free_action_strings(tr_action *a)
{
    free((char *)a->retry_after);
    free((char *)a->location);
    a->retry_after = NULL;
    a->location = NULL;
}

/* Copies an action with its strings; false on allocation failure. */
bool tr_copy_action(tr_action *dst, const tr_action *src)
{
    bool oom = false;
    *dst = *src;
    dst->retry_after = tr_dup_or_null(src->retry_after, &oom);
    dst->location = tr_dup_or_null(src->location, &oom);
    if (oom) {
        tr_free_action_strings(dst);
        return false;
    }
    return true;
}

/* ------------------------------------------------------------------ */
/* Deciding (under tr->mu)                                              */
/* ------------------------------------------------------------------ */

static tr_action random_action(test_receiver *tr)
{
    tr_action a = {0};
    double u = (double)(splitmix64(&tr->rng) >> 11) * 0x1.0p-53;
    if (u >= tr->failure_ratio) {
        a.status = 204;
        return a;
    }
    switch (splitmix64(&tr->rng) % 6u) {
    case 0:
        a.status = 500;
        break;
    case 1:
        a.status = 503;
        a.retry_after = "0";
        break;
    case 2:
        a.status = 503;
        a.retry_after = "1";
        break;
    case 3:
        a.status = 429;
        break;
    case 4:
        a.status = 408;
        break;
    default:
        a.status = 200;
        a.kind = TR_RESET;
        break;
    }
    return a;
}

tr_action tr_choose_action(test_receiver *tr, const conn_state *st, size_t index, unsigned attempt_no)
{
    if (st->truncated) {
        tr_action a = {.status = 413};
        return a;
    }
    if (tr->decide != NULL) {
        tr_request_info info = {
            .method = st->method,
            .path = st->path,
            .webhook_id = st->hdr[TR_HDR_ID],
            .webhook_timestamp = st->hdr[TR_HDR_TS],
            .webhook_signature = st->hdr[TR_HDR_SIG],
            .content_type = st->hdr[TR_HDR_CT],
            .user_agent = st->hdr[TR_HDR_UA],
            .body = st->body,
            .body_len = st->len,
            .body_truncated = st->truncated,
            .index = index,
        };
        return tr->decide(&info, attempt_no, tr->decide_ctx);
    }
    if (tr->script_pos < tr->script_len)
        return tr->script[tr->script_pos++];
    if (tr->random_mode)
        return random_action(tr);
    return tr->def;
}

/* ------------------------------------------------------------------ */
/* Responses                                                            */
/* ------------------------------------------------------------------ */

static ssize_t reset_reader(void *cls, uint64_t pos, char *buf, size_t max)
{
    (void)cls;
    if (pos == 0 && max >= sizeof tr_reset_part - 1) {
        memcpy(buf, tr_reset_part, sizeof tr_reset_part - 1);
        return (ssize_t)(sizeof tr_reset_part - 1);
    }
    return MHD_CONTENT_READER_END_WITH_ERROR;
}

struct MHD_Response *tr_build_response(const tr_action *a, int status)
{
    struct MHD_Response *resp;
    if (a->kind == TR_RESET) {
        resp = MHD_create_response_from_callback(TR_RESET_DECLARED, 1024, reset_reader, NULL, NULL);
    } else if (status == 204 || status == 304 || status < 200) {
        resp = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
    } else {
        char text[48];
        int n = snprintf(text, sizeof text, "test receiver: %d\n", status);
        resp = MHD_create_response_from_buffer((size_t)n, text, MHD_RESPMEM_MUST_COPY);
        if (resp != NULL)
            MHD_add_response_header(resp, "Content-Type", "text/plain");
    }
    if (resp == NULL)
        return NULL;
    if ((a->retry_after != NULL &&
         MHD_add_response_header(resp, "Retry-After", a->retry_after) != MHD_YES) ||
        (a->location != NULL && MHD_add_response_header(resp, "Location", a->location) != MHD_YES)) {
        MHD_destroy_response(resp);
        return NULL;
    }
    return resp;
}
