/*
 * ugw_fixtures.h - the valid fixtures as C values
 *
 * Generated from schema/events.toml (schema version 1) by ugw codegen 0.2.0.
 * DO NOT EDIT: change the schema and run the generator again.
 */
#ifndef UGW_FIXTURES_H
#define UGW_FIXTURES_H

#include "ugw_events.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * The valid fixtures as C values: for event type T, ugw_fixtures[T - 1]
 * holds the schema's example values, the same data as fixtures/valid/<id>.json
 * and .msgpack. Read-only; the strings are static.
 */
UGW_API extern const ugw_event ugw_fixtures[UGW_EVENT_COUNT];

/** The fixture of one type, NULL when the type is unknown. */
UGW_API const ugw_event *ugw_fixture(ugw_event_type type);

#ifdef __cplusplus
}
#endif

#endif /* UGW_FIXTURES_H */
