/*
 * ugw_cli_main.c - main() of the schema's command over ugw_cli_main()
 *
 * Generated from schema/events.toml (schema version 1) by ugw codegen 0.2.0.
 * DO NOT EDIT: change the schema and run the generator again.
 */
#include <stddef.h>

#include <ugw/ugw_cli.h>

#include "ugw/ugw_events.h"
#include "ugw/ugw_fixtures.h"

/* The payload of the schema's example event of `type`, NULL when none. */
static const void *ugw__cli_fixture(int type)
{
    const ugw_event *ev = ugw_fixture((ugw_event_type)type);
    return ev ? (const void *)&ev->u : NULL;
}

int main(int argc, char **argv)
{
    static const ugw_cli_app app = { "ugw", &ugw_schema_events, ugw__cli_fixture };
    return ugw_cli_main(&app, argc, argv);
}
