/* interim: replaced by the generator */
#ifndef UGW_EVENTS_CLIENT_H
#define UGW_EVENTS_CLIENT_H
#include <ugw/ugw_client.h>
#include "ugw_events.h"
static inline ugw_status ugw_client_enqueue(ugw_client *c, const ugw_event *ev, long wait_ms, void *user,
                                            char id_out[UGW_WEBHOOK_ID_MAX], ugw_error *err)
{
    return ugw_client_enqueue_event(c, &ugw_schema_events, ev ? (int)ev->type : 0,
                                    ev ? (const void *)&ev->u : NULL, wait_ms, user, id_out, err);
}
static inline ugw_status ugw_client_send(ugw_client *c, const ugw_event *ev, ugw_outcome *out, ugw_error *err)
{
    return ugw_client_send_event(c, &ugw_schema_events, ev ? (int)ev->type : 0,
                                 ev ? (const void *)&ev->u : NULL, out, err);
}
#endif
