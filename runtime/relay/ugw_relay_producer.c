/*
 * ugw_relay_producer.c - publishing events to the relays' stream
 * (ugw_relay.h): one subject per endpoint, the webhook-id as the message id,
 * and a return only once the stream has stored the event.
 */
#include <stdlib.h>
#include <string.h>

#include "relay_internal.h"

/* Bodies larger than this are refused before the server sees them. */
#define BODY_MAX ((size_t)64 << 20)

struct ugw_relay_producer {
    relay_nats nats;
    natsConnection *nc;
    jsCtx *js;
};

ugw_relay_producer *ugw_relay_producer_new(const ugw_relay_nats *nats, ugw_error *err)
{
    ugw_relay_producer *p;
    ugw_error_clear(err);
    p = calloc(1, sizeof *p);
    if (!p) {
        ugw_error_set(err, UGW_ERR_NOMEM, "out of memory", 0, NULL);
        return NULL;
    }
    if (ugw__relay_nats_copy(nats, &p->nats, err) != UGW_OK) {
        free(p);
        return NULL;
    }
    if (ugw__relay_connect(&p->nats, "ugw producer", false, &p->nc, &p->js, err) != UGW_OK) {
        ugw__relay_nats_free(&p->nats);
        free(p);
        return NULL;
    }
    return p;
}

void ugw_relay_producer_close(ugw_relay_producer *p)
{
    if (!p)
        return;
    ugw__relay_disconnect(p->nc, p->js);
    ugw__relay_nats_free(&p->nats);
    free(p);
}

ugw_status ugw_relay_publish(ugw_relay_producer *p, const char *endpoint, const void *body, size_t len,
                             ugw_format format, const char *event, const char *webhook_id,
                             char id_out[UGW_WEBHOOK_ID_MAX], bool *duplicate, ugw_error *err)
{
    char id[UGW_WEBHOOK_ID_MAX], subject[RELAY_SUBJECT_MAX];
    size_t evn = 0;
    ugw_status st;

    ugw_error_clear(err);
    if (duplicate)
        *duplicate = false;
    if (id_out)
        id_out[0] = 0;
    if (!p || !endpoint || (!body && len))
        return ugw_error_set(err, UGW_ERR_ARG, "NULL producer, endpoint or body", 0, NULL);
    if (!ugw_relay_name_check(endpoint, strlen(endpoint)))
        return ugw_error_set(err, UGW_ERR_ARG, "an endpoint name is 1 to 64 of A-Z a-z 0-9 _ -", 0, "endpoint");
    if (format != UGW_FORMAT_JSON && format != UGW_FORMAT_MSGPACK)
        return ugw_error_set(err, UGW_ERR_ARG, "unknown body format", 0, "format");
    if (len > BODY_MAX)
        return ugw_error_set(err, UGW_ERR_LIMIT, "a body over 64 MiB", 0, "body");
    if (event) {
        evn = strnlen(event, 256);
        if (evn == 256)
            return ugw_error_set(err, UGW_ERR_ARG, "the event string is 256 bytes or longer", 255, "event");
        for (size_t i = 0; i < evn; i++) /* it travels in a header */
            if ((unsigned char)event[i] < 0x20 || event[i] == 0x7f)
                return ugw_error_set(err, UGW_ERR_ARG, "a control byte in the event string", i, "event");
    }
    if (webhook_id) {
        size_t n = strnlen(webhook_id, UGW_WEBHOOK_ID_MAX);
        if (ugw_webhook_id_check(webhook_id, n, err) != UGW_OK)
            return err ? err->code : UGW_ERR_ARG;
        memcpy(id, webhook_id, n);
        id[n] = 0;
    } else if (ugw_webhook_id_new(id) != UGW_OK) {
        return ugw_error_set(err, UGW_ERR_IO, "no random bytes for a webhook-id", 0, "webhook-id");
    }
    ugw__relay_subject(subject, p->nats.prefix, endpoint);
    st = ugw__relay_js_publish(p->js, &p->nats, subject, body, len, ugw_format_media_type(format), event, id,
                               duplicate, err);
    if (st == UGW_OK && id_out)
        memcpy(id_out, id, strlen(id) + 1);
    return st;
}

ugw_status ugw_relay_publish_event(ugw_relay_producer *p, const char *endpoint, const ugw_schema *schema,
                                   int type, const void *payload, ugw_format format,
                                   char id_out[UGW_WEBHOOK_ID_MAX], ugw_error *err)
{
    return ugw_relay_publish_event_env(p, endpoint, schema, type, NULL, payload, format, id_out, err);
}

ugw_status ugw_relay_publish_event_env(ugw_relay_producer *p, const char *endpoint, const ugw_schema *schema,
                                       int type, const void *envelope, const void *payload, ugw_format format,
                                       char id_out[UGW_WEBHOOK_ID_MAX], ugw_error *err)
{
    const ugw_event_desc *d;
    char stack[2048], *heap = NULL;
    const char *body = stack;
    size_t n = 0;
    ugw_status st;

    ugw_error_clear(err);
    if (id_out)
        id_out[0] = 0;
    if (!schema || !(d = ugw_schema_event(schema, type)))
        return ugw_error_set(err, UGW_ERR_ARG, "no schema, or no event of that type", 0, NULL);
    st = ugw_schema_encode_env(schema, type, envelope, payload, format, stack, sizeof stack, &n, err);
    if (st == UGW_ERR_BUFFER) { /* n is the size it needs */
        ugw_error_clear(err);
        if (!(heap = malloc(n)))
            return ugw_error_set(err, UGW_ERR_NOMEM, "out of memory", 0, NULL);
        body = heap;
        st = ugw_schema_encode_env(schema, type, envelope, payload, format, heap, n, &n, err);
    }
    if (st == UGW_OK)
        st = ugw_relay_publish(p, endpoint, body, n, format, d->wire, NULL, id_out, NULL, err);
    free(heap);
    return st;
}
