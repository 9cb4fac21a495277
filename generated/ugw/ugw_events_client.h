/*
 * ugw_events_client.h - typed delivery calls over the ugw client
 *
 * Generated from schema/events.toml (schema version 1) by ugw codegen 0.2.0.
 * DO NOT EDIT: change the schema and run the generator again.
 */
#ifndef UGW_EVENTS_CLIENT_H
#define UGW_EVENTS_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include <ugw/ugw_client.h>

#include "ugw_events.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Validates and encodes `ev` in the client's format (an invalid event is
 * refused with its error, never sent) and queues it for delivery, as
 * ugw_client_enqueue_event() does for this schema (`wait_ms` as there:
 * int64_t milliseconds, 0 no wait, < 0 as long as it takes). The event is
 * not kept.
 */
static inline ugw_status ugw_client_enqueue(ugw_client *c, const ugw_event *ev, int64_t wait_ms,
    void *user, char id_out[UGW_WEBHOOK_ID_MAX], ugw_error *err)
{
    return ugw_client_enqueue_event(c, &ugw_schema_events, ev ? (int)ev->type : 0,
                                    ev ? (const void *)&ev->u : NULL, wait_ms, user, id_out, err);
}

/** Encodes `ev` and delivers it, waiting for its outcome, as ugw_client_send_event() does. */
static inline ugw_status ugw_client_send(ugw_client *c, const ugw_event *ev, ugw_outcome *out,
    ugw_error *err)
{
    return ugw_client_send_event(c, &ugw_schema_events, ev ? (int)ev->type : 0,
                                 ev ? (const void *)&ev->u : NULL, out, err);
}

#ifdef __cplusplus
}
#endif

#endif /* UGW_EVENTS_CLIENT_H */
