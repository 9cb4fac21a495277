/*
 * app_without_envelope.c - a hand-written main() for the `ugw` command of a
 * generated schema that leaves ugw_cli_app.fixture_envelope out, as an app
 * written before that member does: built for the Standard Webhooks schema
 * (sw_ugw_noenv) and for one whose envelope fields are all optional
 * (opt_ugw_noenv) by tests/CMakeLists.txt, driven by test_cli_envelope.py.
 * APP_PREFIX is the generated prefix (sw, opt); APP_FIXTURES its fixtures
 * header.
 */
#include <stddef.h>

#include <ugw/ugw_cli.h>

#include APP_FIXTURES

#define APP_CAT2(a, b) a##b
#define APP_CAT(a, b) APP_CAT2(a, b)
#define APP(name) APP_CAT(APP_PREFIX, name)

/* The payload of the example event of `type` only. */
static const void *app_fixture(int type)
{
    const APP(_event) *ev = APP(_fixture)((APP(_event_type))type);
    return ev ? (const void *)&ev->u : NULL;
}

int main(int argc, char **argv)
{
    static const ugw_cli_app app = { .name = "noenv", .schema = &APP(_schema_events), .fixture = app_fixture };
    return ugw_cli_main(&app, argc, argv);
}
