#include <stdio.h>

#include <acme_events.h>
#include <ugw/ugw_client.h>
#include <ugw/ugw_events.h>

int main(void)
{
    acme_event a = acme_event_init(ACME_EVENT_TRIAL_START);
    ugw_event u = ugw_event_init(UGW_EVENT_NPS_SURVEY_DISPLAY);
    char buf[512];
    size_t n, m;
    a.u.trial_start.account_id = 1;
    a.u.trial_start.user_id = UGW_STR("u");
    a.u.trial_start.plan = UGW_STR("free");
    u.u.nps_survey_display.user_id = UGW_STR("u");
    u.u.nps_survey_display.page_url = UGW_STR("https://a.example/");
    if (acme_encode_json(&a, buf, sizeof buf, &n, NULL) != UGW_OK
        || ugw_encode_json(&u, buf, sizeof buf, &m, NULL) != UGW_OK)
        return 1;
    printf("consumer: acme %zu bytes, ugw %zu bytes, ugw %s\n", n, m, ugw_version_string());
    return 0;
}
