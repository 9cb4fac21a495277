/*
 * ugw_client_event.c - the event entry points of the client: encode an event
 * of any schema through its descriptors, then hand the bytes to the core.
 */
#include <stdlib.h>

#include <ugw/ugw_client.h>

/* Encodes into `stack` when it fits, else into a heap buffer (*heap). */
static ugw_status encode(const ugw_schema *s, int type, const void *env, const void *payload, ugw_format fmt, char *stack,
                         size_t cap, char **heap, const char **body,
                         size_t *len, ugw_error *err)
{
    ugw_status st = ugw_schema_encode_env(s, type, env, payload, fmt, stack, cap, len, err);
    *heap = NULL;
    *body = stack;
    if (st != UGW_ERR_BUFFER)
        return st;
    if (!(*heap = malloc(*len))) {
        ugw_error_clear(err);
        return ugw_error_set(err, UGW_ERR_NOMEM, "out of memory", 0, NULL);
    }
    *body = *heap;
    return ugw_schema_encode_env(s, type, env, payload, fmt, *heap, *len, len, err);
}

/* Encodes `ev` in the client's format, then sends it and waits (`sync`) or
 * enqueues it. */
static ugw_status encode_and_hand_over(ugw_client *c, const ugw_schema *s, int type,
                                       const void *env, const void *payload, bool sync,
                                       int64_t wait_ms, void *user, char *id_out,
                                       ugw_outcome *out, ugw_error *err)
{
    char stack[2048], *heap;
    const char *body;
    size_t len;
    ugw_status st;
    if (!c) {
        ugw_error_clear(err);
        return ugw_error_set(err, UGW_ERR_ARG, "client is NULL", 0, NULL);
    }
    st = encode(s, type, env, payload, ugw_client_format(c), stack, sizeof stack, &heap, &body, &len, err);
    if (!st && sync)
        st = ugw_client_send_body(c, body, len, ugw_client_format(c), s->events[type - 1].wire,
                                  NULL, out, err);
    else if (!st)
        st = ugw_client_enqueue_body(c, body, len, ugw_client_format(c), s->events[type - 1].wire,
                                     NULL, wait_ms, user, id_out, err);
    free(heap);
    return st;
}

ugw_status ugw_client_enqueue_event(ugw_client *c, const ugw_schema *schema, int type,
                                    const void *payload, int64_t wait_ms, void *user,
                                    char id_out[UGW_WEBHOOK_ID_MAX], ugw_error *err)
{
    return encode_and_hand_over(c, schema, type, NULL, payload, false, wait_ms, user, id_out, NULL, err);
}

ugw_status ugw_client_send_event(ugw_client *c, const ugw_schema *schema, int type,
                                 const void *payload, ugw_outcome *out, ugw_error *err)
{
    return encode_and_hand_over(c, schema, type, NULL, payload, true, -1, NULL, NULL, out, err);
}

ugw_status ugw_client_enqueue_event_env(ugw_client *c, const ugw_schema *schema, int type,
                                        const void *envelope, const void *payload, int64_t wait_ms,
                                        void *user, char id_out[UGW_WEBHOOK_ID_MAX], ugw_error *err)
{
    return encode_and_hand_over(c, schema, type, envelope, payload, false, wait_ms, user, id_out, NULL,
                                err);
}

ugw_status ugw_client_send_event_env(ugw_client *c, const ugw_schema *schema, int type,
                                     const void *envelope, const void *payload, ugw_outcome *out,
                                     ugw_error *err)
{
    return encode_and_hand_over(c, schema, type, envelope, payload, true, -1, NULL, NULL, out, err);
}
