/*
 * sender - delivers one NPS score event to a webhook URL, signed.
 *
 *   sender URL [SECRET]      (SECRET: whsec_... ; also read from $UGW_SECRET)
 *
 * Exit 0 when the receiver acknowledged the event with a 2xx.
 */
#include <stdio.h>
#include <stdlib.h>

#include <ugw/ugw_client.h>
#include <ugw/ugw_events.h>
#include <ugw/ugw_events_client.h>

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: sender URL [SECRET]\n");
        return 2;
    }
    const char *secret = argc > 2 ? argv[2] : getenv("UGW_SECRET");

    ugw_event ev = ugw_event_init(UGW_EVENT_NPS_SCORE_SUBMIT);
    ev.u.nps_score_submit.user_id = UGW_STR("user-42");
    ev.u.nps_score_submit.page_url = UGW_STR("https://app.example.com/settings");
    ev.u.nps_score_submit.question = UGW_STR("How likely are you to recommend us?");
    ev.u.nps_score_submit.score = 9;

    ugw_client_config cfg = { 0 };
    cfg.url = argv[1];
    cfg.secret = secret;
    cfg.max_attempts = 3;
    ugw_error err;
    ugw_client *client = ugw_client_new(&cfg, &err);
    if (!client) {
        fprintf(stderr, "sender: %s\n", err.message);
        return 1;
    }
    ugw_outcome out;
    ugw_status st = ugw_client_send(client, &ev, &out, &err);
    if (st != UGW_OK)
        fprintf(stderr, "sender: %s: %s\n", err.path, err.message);
    else
        printf("sender: %s %s (HTTP %ld, %u attempt%s)\n", out.id, ugw_result_name(out.result),
               out.http_status, out.attempts, out.attempts == 1 ? "" : "s");
    ugw_client_close(client, 5000);
    return st == UGW_OK && out.result == UGW_RESULT_DELIVERED ? 0 : 1;
}
