/*
 * relay.h - what the files of `ugw relay` share (internal to cli/):
 *
 *   relay.c          the options common to every action, `ugw relay init`,
 *                    `ugw relay run` (a relay until SIGINT or SIGTERM)
 *   relay_publish.c  `ugw relay publish`: events from JSON Lines files into
 *                    the stream, through the producer API
 *
 * The command is a thin shell over ugw_relay.h.
 */
#ifndef UGW_CLI_RELAY_H
#define UGW_CLI_RELAY_H

#include <stdbool.h>
#include <stdint.h>

#include <ugw/ugw_relay.h>

#include "cli.h"

/* Keys of the long options shared by the actions (above 255). */
enum {
    RELAY_OPT_NATS = 256,
    RELAY_OPT_STREAM,
    RELAY_OPT_PREFIX,
    RELAY_OPT_DEAD,
    RELAY_OPT_NATS_TIMEOUT,
    RELAY_OPT__NEXT /* each action's own keys start here */
};

/* The rows of the shared options, to copy at the start of an action's table. */
#define RELAY_NATS_OPTIONS                                                                         \
    { "nats", RELAY_OPT_NATS, true }, { "stream", RELAY_OPT_STREAM, true },                        \
        { "subject-prefix", RELAY_OPT_PREFIX, true }, { "dead-subject", RELAY_OPT_DEAD, true },    \
        { "nats-timeout", RELAY_OPT_NATS_TIMEOUT, true }

/* Takes a shared option into `n`: 1 taken, 0 not one of them, -1 after a
 * usage message. */
int relay_nats_option(const ugw_cmd *cmd, int key, const char *arg, ugw_relay_nats *n);

/* "SECONDS" (a decimal number, e.g. 2.5) above 0 and at most `max_s`, in ms. */
bool relay_parse_seconds(const char *s, int64_t max_s, int64_t *ms);

/* "NAME relay ACTION: ..." */
void relay_error(const char *action, const char *what, const ugw_error *err);

/* `ugw relay publish` (relay_publish.c) */
int relay_publish(const ugw_cmd *cmd, int argc, char **argv);

#endif /* UGW_CLI_RELAY_H */
