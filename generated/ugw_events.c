/*
 * ugw_events.c - event descriptors and typed entry points
 *
 * Generated from schema/events.toml (schema version 1) by ugw codegen 0.2.0.
 * DO NOT EDIT: change the schema and run the generator again.
 */
#include "ugw/ugw_events.h"

#include <string.h>

/* guide_preview_start */
static const ugw_field_desc ugw__guide_preview_start_fields[] = {
    { "userId", "payload.userId", "\"userId\":", "\246userId",
      6, 9, 7, UGW_TYPE_STRING, true,
      offsetof(ugw_guide_preview_start, user_id), UGW_NO_HAS,
      INT64_C(1), INT64_C(256) },
    { "pageUrl", "payload.pageUrl", "\"pageUrl\":", "\247pageUrl",
      7, 10, 8, UGW_TYPE_URL, true,
      offsetof(ugw_guide_preview_start, page_url), UGW_NO_HAS,
      INT64_C(0), INT64_C(2048) },
    { "guideId", "payload.guideId", "\"guideId\":", "\247guideId",
      7, 10, 8, UGW_TYPE_ID, true,
      offsetof(ugw_guide_preview_start, guide_id), UGW_NO_HAS,
      INT64_C(0), INT64_C(9007199254740991) },
    { "guideName", "payload.guideName", "\"guideName\":", "\251guideName",
      9, 12, 10, UGW_TYPE_STRING, true,
      offsetof(ugw_guide_preview_start, guide_name), UGW_NO_HAS,
      INT64_C(0), INT64_C(512) },
};

/* guide_preview_complete */
static const ugw_field_desc ugw__guide_preview_complete_fields[] = {
    { "userId", "payload.userId", "\"userId\":", "\246userId",
      6, 9, 7, UGW_TYPE_STRING, true,
      offsetof(ugw_guide_preview_complete, user_id), UGW_NO_HAS,
      INT64_C(1), INT64_C(256) },
    { "pageUrl", "payload.pageUrl", "\"pageUrl\":", "\247pageUrl",
      7, 10, 8, UGW_TYPE_URL, true,
      offsetof(ugw_guide_preview_complete, page_url), UGW_NO_HAS,
      INT64_C(0), INT64_C(2048) },
    { "guideId", "payload.guideId", "\"guideId\":", "\247guideId",
      7, 10, 8, UGW_TYPE_ID, true,
      offsetof(ugw_guide_preview_complete, guide_id), UGW_NO_HAS,
      INT64_C(0), INT64_C(9007199254740991) },
    { "guideName", "payload.guideName", "\"guideName\":", "\251guideName",
      9, 12, 10, UGW_TYPE_STRING, true,
      offsetof(ugw_guide_preview_complete, guide_name), UGW_NO_HAS,
      INT64_C(0), INT64_C(512) },
};

/* nps_survey_display */
static const ugw_field_desc ugw__nps_survey_display_fields[] = {
    { "userId", "payload.userId", "\"userId\":", "\246userId",
      6, 9, 7, UGW_TYPE_STRING, true,
      offsetof(ugw_nps_survey_display, user_id), UGW_NO_HAS,
      INT64_C(1), INT64_C(256) },
    { "pageUrl", "payload.pageUrl", "\"pageUrl\":", "\247pageUrl",
      7, 10, 8, UGW_TYPE_URL, true,
      offsetof(ugw_nps_survey_display, page_url), UGW_NO_HAS,
      INT64_C(0), INT64_C(2048) },
    { "surveyId", "payload.surveyId", "\"surveyId\":", "\250surveyId",
      8, 11, 9, UGW_TYPE_ID, false,
      offsetof(ugw_nps_survey_display, survey_id), offsetof(ugw_nps_survey_display, has_survey_id),
      INT64_C(0), INT64_C(9007199254740991) },
};

/* nps_score_submit */
static const ugw_field_desc ugw__nps_score_submit_fields[] = {
    { "userId", "payload.userId", "\"userId\":", "\246userId",
      6, 9, 7, UGW_TYPE_STRING, true,
      offsetof(ugw_nps_score_submit, user_id), UGW_NO_HAS,
      INT64_C(1), INT64_C(256) },
    { "pageUrl", "payload.pageUrl", "\"pageUrl\":", "\247pageUrl",
      7, 10, 8, UGW_TYPE_URL, true,
      offsetof(ugw_nps_score_submit, page_url), UGW_NO_HAS,
      INT64_C(0), INT64_C(2048) },
    { "question", "payload.question", "\"question\":", "\250question",
      8, 11, 9, UGW_TYPE_STRING, true,
      offsetof(ugw_nps_score_submit, question), UGW_NO_HAS,
      INT64_C(0), INT64_C(1024) },
    { "score", "payload.score", "\"score\":", "\245score",
      5, 8, 6, UGW_TYPE_INT, true,
      offsetof(ugw_nps_score_submit, score), UGW_NO_HAS,
      INT64_C(0), INT64_C(10) },
};

/* nps_feedback_submit */
static const ugw_field_desc ugw__nps_feedback_submit_fields[] = {
    { "userId", "payload.userId", "\"userId\":", "\246userId",
      6, 9, 7, UGW_TYPE_STRING, true,
      offsetof(ugw_nps_feedback_submit, user_id), UGW_NO_HAS,
      INT64_C(1), INT64_C(256) },
    { "pageUrl", "payload.pageUrl", "\"pageUrl\":", "\247pageUrl",
      7, 10, 8, UGW_TYPE_URL, true,
      offsetof(ugw_nps_feedback_submit, page_url), UGW_NO_HAS,
      INT64_C(0), INT64_C(2048) },
    { "question", "payload.question", "\"question\":", "\250question",
      8, 11, 9, UGW_TYPE_STRING, true,
      offsetof(ugw_nps_feedback_submit, question), UGW_NO_HAS,
      INT64_C(0), INT64_C(1024) },
    { "feedback", "payload.feedback", "\"feedback\":", "\250feedback",
      8, 11, 9, UGW_TYPE_STRING, true,
      offsetof(ugw_nps_feedback_submit, feedback), UGW_NO_HAS,
      INT64_C(0), INT64_C(8192) },
};

/* hotspot_interaction */
static const ugw_field_desc ugw__hotspot_interaction_fields[] = {
    { "userId", "payload.userId", "\"userId\":", "\246userId",
      6, 9, 7, UGW_TYPE_STRING, true,
      offsetof(ugw_hotspot_interaction, user_id), UGW_NO_HAS,
      INT64_C(1), INT64_C(256) },
    { "pageUrl", "payload.pageUrl", "\"pageUrl\":", "\247pageUrl",
      7, 10, 8, UGW_TYPE_URL, true,
      offsetof(ugw_hotspot_interaction, page_url), UGW_NO_HAS,
      INT64_C(0), INT64_C(2048) },
    { "hotspotGroupId", "payload.hotspotGroupId", "\"hotspotGroupId\":", "\256hotspotGroupId",
      14, 17, 15, UGW_TYPE_ID, true,
      offsetof(ugw_hotspot_interaction, hotspot_group_id), UGW_NO_HAS,
      INT64_C(0), INT64_C(9007199254740991) },
    { "hotspotGroupName", "payload.hotspotGroupName", "\"hotspotGroupName\":", "\260hotspotGroupName",
      16, 19, 17, UGW_TYPE_STRING, true,
      offsetof(ugw_hotspot_interaction, hotspot_group_name), UGW_NO_HAS,
      INT64_C(0), INT64_C(512) },
    { "hotspotId", "payload.hotspotId", "\"hotspotId\":", "\251hotspotId",
      9, 12, 10, UGW_TYPE_STRING, true,
      offsetof(ugw_hotspot_interaction, hotspot_id), UGW_NO_HAS,
      INT64_C(0), INT64_C(512) },
    { "hotspotTitle", "payload.hotspotTitle", "\"hotspotTitle\":", "\254hotspotTitle",
      12, 15, 13, UGW_TYPE_STRING, true,
      offsetof(ugw_hotspot_interaction, hotspot_title), UGW_NO_HAS,
      INT64_C(0), INT64_C(512) },
};

/* checklist_item_trigger */
static const char *const ugw__checklist_item_trigger_aliases[] = { "Checklist item trigger (userguiding)", NULL };
static const ugw_field_desc ugw__checklist_item_trigger_fields[] = {
    { "userId", "payload.userId", "\"userId\":", "\246userId",
      6, 9, 7, UGW_TYPE_STRING, true,
      offsetof(ugw_checklist_item_trigger, user_id), UGW_NO_HAS,
      INT64_C(1), INT64_C(256) },
    { "pageUrl", "payload.pageUrl", "\"pageUrl\":", "\247pageUrl",
      7, 10, 8, UGW_TYPE_URL, true,
      offsetof(ugw_checklist_item_trigger, page_url), UGW_NO_HAS,
      INT64_C(0), INT64_C(2048) },
    { "checklistId", "payload.checklistId", "\"checklistId\":", "\253checklistId",
      11, 14, 12, UGW_TYPE_ID, true,
      offsetof(ugw_checklist_item_trigger, checklist_id), UGW_NO_HAS,
      INT64_C(0), INT64_C(9007199254740991) },
    { "checklistName", "payload.checklistName", "\"checklistName\":", "\255checklistName",
      13, 16, 14, UGW_TYPE_STRING, true,
      offsetof(ugw_checklist_item_trigger, checklist_name), UGW_NO_HAS,
      INT64_C(0), INT64_C(512) },
    { "guideId", "payload.guideId", "\"guideId\":", "\247guideId",
      7, 10, 8, UGW_TYPE_ID, true,
      offsetof(ugw_checklist_item_trigger, guide_id), UGW_NO_HAS,
      INT64_C(0), INT64_C(9007199254740991) },
    { "guideName", "payload.guideName", "\"guideName\":", "\251guideName",
      9, 12, 10, UGW_TYPE_STRING, true,
      offsetof(ugw_checklist_item_trigger, guide_name), UGW_NO_HAS,
      INT64_C(0), INT64_C(512) },
};

/* resource_center_guide_trigger */
static const char *const ugw__resource_center_guide_trigger_aliases[] = { "Resource center guide trigger (userguiding)", NULL };
static const ugw_field_desc ugw__resource_center_guide_trigger_fields[] = {
    { "userId", "payload.userId", "\"userId\":", "\246userId",
      6, 9, 7, UGW_TYPE_STRING, true,
      offsetof(ugw_resource_center_guide_trigger, user_id), UGW_NO_HAS,
      INT64_C(1), INT64_C(256) },
    { "pageUrl", "payload.pageUrl", "\"pageUrl\":", "\247pageUrl",
      7, 10, 8, UGW_TYPE_URL, true,
      offsetof(ugw_resource_center_guide_trigger, page_url), UGW_NO_HAS,
      INT64_C(0), INT64_C(2048) },
    { "resourceCenterId", "payload.resourceCenterId", "\"resourceCenterId\":", "\260resourceCenterId",
      16, 19, 17, UGW_TYPE_ID, true,
      offsetof(ugw_resource_center_guide_trigger, resource_center_id), UGW_NO_HAS,
      INT64_C(0), INT64_C(9007199254740991) },
    { "resourceCenterName", "payload.resourceCenterName", "\"resourceCenterName\":", "\262resourceCenterName",
      18, 21, 19, UGW_TYPE_STRING, true,
      offsetof(ugw_resource_center_guide_trigger, resource_center_name), UGW_NO_HAS,
      INT64_C(0), INT64_C(512) },
    { "guideId", "payload.guideId", "\"guideId\":", "\247guideId",
      7, 10, 8, UGW_TYPE_ID, true,
      offsetof(ugw_resource_center_guide_trigger, guide_id), UGW_NO_HAS,
      INT64_C(0), INT64_C(9007199254740991) },
    { "guideName", "payload.guideName", "\"guideName\":", "\251guideName",
      9, 12, 10, UGW_TYPE_STRING, true,
      offsetof(ugw_resource_center_guide_trigger, guide_name), UGW_NO_HAS,
      INT64_C(0), INT64_C(512) },
};

/* resource_center_checklist_guide_trigger */
static const char *const ugw__resource_center_checklist_guide_trigger_aliases[] = { "Resource center checklist guide trigger (userguiding)", NULL };
static const ugw_field_desc ugw__resource_center_checklist_guide_trigger_fields[] = {
    { "userId", "payload.userId", "\"userId\":", "\246userId",
      6, 9, 7, UGW_TYPE_STRING, true,
      offsetof(ugw_resource_center_checklist_guide_trigger, user_id), UGW_NO_HAS,
      INT64_C(1), INT64_C(256) },
    { "pageUrl", "payload.pageUrl", "\"pageUrl\":", "\247pageUrl",
      7, 10, 8, UGW_TYPE_URL, true,
      offsetof(ugw_resource_center_checklist_guide_trigger, page_url), UGW_NO_HAS,
      INT64_C(0), INT64_C(2048) },
    { "resourceCenterId", "payload.resourceCenterId", "\"resourceCenterId\":", "\260resourceCenterId",
      16, 19, 17, UGW_TYPE_ID, true,
      offsetof(ugw_resource_center_checklist_guide_trigger, resource_center_id), UGW_NO_HAS,
      INT64_C(0), INT64_C(9007199254740991) },
    { "resourceCenterName", "payload.resourceCenterName", "\"resourceCenterName\":", "\262resourceCenterName",
      18, 21, 19, UGW_TYPE_STRING, true,
      offsetof(ugw_resource_center_checklist_guide_trigger, resource_center_name), UGW_NO_HAS,
      INT64_C(0), INT64_C(512) },
    { "checklistId", "payload.checklistId", "\"checklistId\":", "\253checklistId",
      11, 14, 12, UGW_TYPE_ID, true,
      offsetof(ugw_resource_center_checklist_guide_trigger, checklist_id), UGW_NO_HAS,
      INT64_C(0), INT64_C(9007199254740991) },
    { "checklistName", "payload.checklistName", "\"checklistName\":", "\255checklistName",
      13, 16, 14, UGW_TYPE_STRING, true,
      offsetof(ugw_resource_center_checklist_guide_trigger, checklist_name), UGW_NO_HAS,
      INT64_C(0), INT64_C(512) },
    { "guideId", "payload.guideId", "\"guideId\":", "\247guideId",
      7, 10, 8, UGW_TYPE_ID, true,
      offsetof(ugw_resource_center_checklist_guide_trigger, guide_id), UGW_NO_HAS,
      INT64_C(0), INT64_C(9007199254740991) },
    { "guideName", "payload.guideName", "\"guideName\":", "\251guideName",
      9, 12, 10, UGW_TYPE_STRING, true,
      offsetof(ugw_resource_center_checklist_guide_trigger, guide_name), UGW_NO_HAS,
      INT64_C(0), INT64_C(512) },
};

/* resource_center_external_url_click */
static const char *const ugw__resource_center_external_url_click_aliases[] = { "Resource center external URL click (userguiding)", NULL };
static const ugw_field_desc ugw__resource_center_external_url_click_fields[] = {
    { "userId", "payload.userId", "\"userId\":", "\246userId",
      6, 9, 7, UGW_TYPE_STRING, true,
      offsetof(ugw_resource_center_external_url_click, user_id), UGW_NO_HAS,
      INT64_C(1), INT64_C(256) },
    { "pageUrl", "payload.pageUrl", "\"pageUrl\":", "\247pageUrl",
      7, 10, 8, UGW_TYPE_URL, true,
      offsetof(ugw_resource_center_external_url_click, page_url), UGW_NO_HAS,
      INT64_C(0), INT64_C(2048) },
    { "resourceCenterId", "payload.resourceCenterId", "\"resourceCenterId\":", "\260resourceCenterId",
      16, 19, 17, UGW_TYPE_ID, true,
      offsetof(ugw_resource_center_external_url_click, resource_center_id), UGW_NO_HAS,
      INT64_C(0), INT64_C(9007199254740991) },
    { "resourceCenterName", "payload.resourceCenterName", "\"resourceCenterName\":", "\262resourceCenterName",
      18, 21, 19, UGW_TYPE_STRING, true,
      offsetof(ugw_resource_center_external_url_click, resource_center_name), UGW_NO_HAS,
      INT64_C(0), INT64_C(512) },
    { "externalUrl", "payload.externalUrl", "\"externalUrl\":", "\253externalUrl",
      11, 14, 12, UGW_TYPE_URL, true,
      offsetof(ugw_resource_center_external_url_click, external_url), UGW_NO_HAS,
      INT64_C(0), INT64_C(2048) },
};

/* resource_center_search_article_click */
static const char *const ugw__resource_center_search_article_click_aliases[] = { "Resource center article link click (userguiding)", NULL };
static const ugw_field_desc ugw__resource_center_search_article_click_fields[] = {
    { "userId", "payload.userId", "\"userId\":", "\246userId",
      6, 9, 7, UGW_TYPE_STRING, true,
      offsetof(ugw_resource_center_search_article_click, user_id), UGW_NO_HAS,
      INT64_C(1), INT64_C(256) },
    { "pageUrl", "payload.pageUrl", "\"pageUrl\":", "\247pageUrl",
      7, 10, 8, UGW_TYPE_URL, true,
      offsetof(ugw_resource_center_search_article_click, page_url), UGW_NO_HAS,
      INT64_C(0), INT64_C(2048) },
    { "resourceCenterId", "payload.resourceCenterId", "\"resourceCenterId\":", "\260resourceCenterId",
      16, 19, 17, UGW_TYPE_ID, true,
      offsetof(ugw_resource_center_search_article_click, resource_center_id), UGW_NO_HAS,
      INT64_C(0), INT64_C(9007199254740991) },
    { "resourceCenterName", "payload.resourceCenterName", "\"resourceCenterName\":", "\262resourceCenterName",
      18, 21, 19, UGW_TYPE_STRING, true,
      offsetof(ugw_resource_center_search_article_click, resource_center_name), UGW_NO_HAS,
      INT64_C(0), INT64_C(512) },
    { "articleLink", "payload.articleLink", "\"articleLink\":", "\253articleLink",
      11, 14, 12, UGW_TYPE_URL, true,
      offsetof(ugw_resource_center_search_article_click, article_link), UGW_NO_HAS,
      INT64_C(0), INT64_C(2048) },
};

static const ugw_event_desc ugw__events[UGW_EVENT_COUNT] = {
    { "guide_preview_start", "guide started (userguiding)", NULL,
      "{\"event\":\"guide started (userguiding)\",\"payload\":{",
      "\202\245event\273guide started (userguiding)\247payload",
      ugw__guide_preview_start_fields, UGW_GUIDE_PREVIEW_START_FINGERPRINT, sizeof(ugw_guide_preview_start),
      27, 50, 43, 4, 4 },
    { "guide_preview_complete", "guide completed (userguiding)", NULL,
      "{\"event\":\"guide completed (userguiding)\",\"payload\":{",
      "\202\245event\275guide completed (userguiding)\247payload",
      ugw__guide_preview_complete_fields, UGW_GUIDE_PREVIEW_COMPLETE_FINGERPRINT, sizeof(ugw_guide_preview_complete),
      29, 52, 45, 4, 4 },
    { "nps_survey_display", "nps survey shown (userguiding)", NULL,
      "{\"event\":\"nps survey shown (userguiding)\",\"payload\":{",
      "\202\245event\276nps survey shown (userguiding)\247payload",
      ugw__nps_survey_display_fields, UGW_NPS_SURVEY_DISPLAY_FINGERPRINT, sizeof(ugw_nps_survey_display),
      30, 53, 46, 3, 2 },
    { "nps_score_submit", "nps score submit (userguiding)", NULL,
      "{\"event\":\"nps score submit (userguiding)\",\"payload\":{",
      "\202\245event\276nps score submit (userguiding)\247payload",
      ugw__nps_score_submit_fields, UGW_NPS_SCORE_SUBMIT_FINGERPRINT, sizeof(ugw_nps_score_submit),
      30, 53, 46, 4, 4 },
    { "nps_feedback_submit", "nps feedback submit (userguiding)", NULL,
      "{\"event\":\"nps feedback submit (userguiding)\",\"payload\":{",
      "\202\245event\331!nps feedback submit (userguiding)\247payload",
      ugw__nps_feedback_submit_fields, UGW_NPS_FEEDBACK_SUBMIT_FINGERPRINT, sizeof(ugw_nps_feedback_submit),
      33, 56, 50, 4, 4 },
    { "hotspot_interaction", "hotspot interacted (userguiding)", NULL,
      "{\"event\":\"hotspot interacted (userguiding)\",\"payload\":{",
      "\202\245event\331 hotspot interacted (userguiding)\247payload",
      ugw__hotspot_interaction_fields, UGW_HOTSPOT_INTERACTION_FINGERPRINT, sizeof(ugw_hotspot_interaction),
      32, 55, 49, 6, 6 },
    { "checklist_item_trigger", "checklist item triggered (userguiding)", ugw__checklist_item_trigger_aliases,
      "{\"event\":\"checklist item triggered (userguiding)\",\"payload\":{",
      "\202\245event\331&checklist item triggered (userguiding)\247payload",
      ugw__checklist_item_trigger_fields, UGW_CHECKLIST_ITEM_TRIGGER_FINGERPRINT, sizeof(ugw_checklist_item_trigger),
      38, 61, 55, 6, 6 },
    { "resource_center_guide_trigger", "resource center guide triggered (userguiding)", ugw__resource_center_guide_trigger_aliases,
      "{\"event\":\"resource center guide triggered (userguiding)\",\"payload\":{",
      "\202\245event\331-resource center guide triggered (userguiding)\247payload",
      ugw__resource_center_guide_trigger_fields, UGW_RESOURCE_CENTER_GUIDE_TRIGGER_FINGERPRINT, sizeof(ugw_resource_center_guide_trigger),
      45, 68, 62, 6, 6 },
    { "resource_center_checklist_guide_trigger", "resource center checklist guide triggered (userguiding)", ugw__resource_center_checklist_guide_trigger_aliases,
      "{\"event\":\"resource center checklist guide triggered (userguiding)\",\"payload\":{",
      "\202\245event\3317resource center checklist guide triggered (userguiding)\247payload",
      ugw__resource_center_checklist_guide_trigger_fields, UGW_RESOURCE_CENTER_CHECKLIST_GUIDE_TRIGGER_FINGERPRINT, sizeof(ugw_resource_center_checklist_guide_trigger),
      55, 78, 72, 8, 8 },
    { "resource_center_external_url_click", "resource center external URL clicked (userguiding)", ugw__resource_center_external_url_click_aliases,
      "{\"event\":\"resource center external URL clicked (userguiding)\",\"payload\":{",
      "\202\245event\3312resource center external URL clicked (userguiding)\247payload",
      ugw__resource_center_external_url_click_fields, UGW_RESOURCE_CENTER_EXTERNAL_URL_CLICK_FINGERPRINT, sizeof(ugw_resource_center_external_url_click),
      50, 73, 67, 5, 5 },
    { "resource_center_search_article_click", "resource center article clicked (userguiding)", ugw__resource_center_search_article_click_aliases,
      "{\"event\":\"resource center article clicked (userguiding)\",\"payload\":{",
      "\202\245event\331-resource center article clicked (userguiding)\247payload",
      ugw__resource_center_search_article_click_fields, UGW_RESOURCE_CENTER_SEARCH_ARTICLE_CLICK_FINGERPRINT, sizeof(ugw_resource_center_search_article_click),
      45, 68, 62, 5, 5 },
};

const ugw_schema ugw_schema_events = {
    ugw__events, UGW_EVENT_COUNT, UGW_SCHEMA_VERSION, UGW_CODEGEN_VERSION
};

/* The union member of every event starts at the same place. */
_Static_assert(offsetof(ugw_event, u) % _Alignof(uint64_t) == 0, "event layout");

const ugw_event_desc *ugw_event_describe(ugw_event_type type)
{
    if ((int)type < 1 || (int)type > UGW_EVENT_COUNT)
        return NULL;
    return &ugw__events[(int)type - 1];
}

const char *ugw_event_wire_name(ugw_event_type type)
{
    const ugw_event_desc *ed = ugw_event_describe(type);
    return ed ? ed->wire : NULL;
}

const char *ugw_event_id(ugw_event_type type)
{
    const ugw_event_desc *ed = ugw_event_describe(type);
    return ed ? ed->id : NULL;
}

ugw_event_type ugw_event_from_wire(const char *wire, size_t len)
{
    return (ugw_event_type)ugw_schema_event_lookup(&ugw_schema_events, wire, len);
}

/* The generic entry points: the runtime checks the arguments and the type. */
#define UGW__TYPE(ev) ((ev) ? (int)(ev)->type : 0)
#define UGW__PAYLOAD(ev) ((ev) ? (const void *)&(ev)->u : NULL)

ugw_status ugw_event_validate(const ugw_event *ev, ugw_error *err)
{
    return ugw_schema_validate(&ugw_schema_events, UGW__TYPE(ev), UGW__PAYLOAD(ev), err);
}

ugw_status ugw_encode(const ugw_event *ev, ugw_format format, void *out,
    size_t cap, size_t *out_len, ugw_error *err)
{
    return ugw_schema_encode(&ugw_schema_events, UGW__TYPE(ev), UGW__PAYLOAD(ev), format, out, cap, out_len, err);
}

ugw_status ugw_encode_json(const ugw_event *ev, void *out, size_t cap,
    size_t *out_len, ugw_error *err)
{
    return ugw_encode(ev, UGW_FORMAT_JSON, out, cap, out_len, err);
}

ugw_status ugw_encode_msgpack(const ugw_event *ev, void *out, size_t cap,
    size_t *out_len, ugw_error *err)
{
    return ugw_encode(ev, UGW_FORMAT_MSGPACK, out, cap, out_len, err);
}

ugw_status ugw_decode(ugw_decoder *dec, ugw_format format, const void *in,
    size_t len, ugw_event *out, ugw_error *err)
{
    int type = 0;
    ugw_status st = ugw_schema_decode(&ugw_schema_events, dec, format, in, len, &type,
                                out ? (void *)&out->u : NULL, sizeof out->u, err);
    if (out)
        out->type = (ugw_event_type)type;
    return st;
}

ugw_status ugw_decode_json(ugw_decoder *dec, const void *in, size_t len,
    ugw_event *out, ugw_error *err)
{
    return ugw_decode(dec, UGW_FORMAT_JSON, in, len, out, err);
}

ugw_status ugw_decode_msgpack(ugw_decoder *dec, const void *in, size_t len,
    ugw_event *out, ugw_error *err)
{
    return ugw_decode(dec, UGW_FORMAT_MSGPACK, in, len, out, err);
}

ugw_status ugw_guide_preview_start_validate(const ugw_guide_preview_start *v, ugw_error *err)
{
    return ugw_schema_validate(&ugw_schema_events, UGW_EVENT_GUIDE_PREVIEW_START, v, err);
}

ugw_status ugw_guide_preview_start_encode_json(const ugw_guide_preview_start *v, void *out, size_t cap, size_t *out_len, ugw_error *err)
{
    return ugw_schema_encode(&ugw_schema_events, UGW_EVENT_GUIDE_PREVIEW_START, v, UGW_FORMAT_JSON, out, cap, out_len, err);
}

ugw_status ugw_guide_preview_start_encode_msgpack(const ugw_guide_preview_start *v, void *out, size_t cap, size_t *out_len, ugw_error *err)
{
    return ugw_schema_encode(&ugw_schema_events, UGW_EVENT_GUIDE_PREVIEW_START, v, UGW_FORMAT_MSGPACK, out, cap, out_len, err);
}

ugw_status ugw_guide_preview_complete_validate(const ugw_guide_preview_complete *v, ugw_error *err)
{
    return ugw_schema_validate(&ugw_schema_events, UGW_EVENT_GUIDE_PREVIEW_COMPLETE, v, err);
}

ugw_status ugw_guide_preview_complete_encode_json(const ugw_guide_preview_complete *v, void *out, size_t cap, size_t *out_len, ugw_error *err)
{
    return ugw_schema_encode(&ugw_schema_events, UGW_EVENT_GUIDE_PREVIEW_COMPLETE, v, UGW_FORMAT_JSON, out, cap, out_len, err);
}

ugw_status ugw_guide_preview_complete_encode_msgpack(const ugw_guide_preview_complete *v, void *out, size_t cap, size_t *out_len, ugw_error *err)
{
    return ugw_schema_encode(&ugw_schema_events, UGW_EVENT_GUIDE_PREVIEW_COMPLETE, v, UGW_FORMAT_MSGPACK, out, cap, out_len, err);
}

ugw_status ugw_nps_survey_display_validate(const ugw_nps_survey_display *v, ugw_error *err)
{
    return ugw_schema_validate(&ugw_schema_events, UGW_EVENT_NPS_SURVEY_DISPLAY, v, err);
}

ugw_status ugw_nps_survey_display_encode_json(const ugw_nps_survey_display *v, void *out, size_t cap, size_t *out_len, ugw_error *err)
{
    return ugw_schema_encode(&ugw_schema_events, UGW_EVENT_NPS_SURVEY_DISPLAY, v, UGW_FORMAT_JSON, out, cap, out_len, err);
}

ugw_status ugw_nps_survey_display_encode_msgpack(const ugw_nps_survey_display *v, void *out, size_t cap, size_t *out_len, ugw_error *err)
{
    return ugw_schema_encode(&ugw_schema_events, UGW_EVENT_NPS_SURVEY_DISPLAY, v, UGW_FORMAT_MSGPACK, out, cap, out_len, err);
}

ugw_status ugw_nps_score_submit_validate(const ugw_nps_score_submit *v, ugw_error *err)
{
    return ugw_schema_validate(&ugw_schema_events, UGW_EVENT_NPS_SCORE_SUBMIT, v, err);
}

ugw_status ugw_nps_score_submit_encode_json(const ugw_nps_score_submit *v, void *out, size_t cap, size_t *out_len, ugw_error *err)
{
    return ugw_schema_encode(&ugw_schema_events, UGW_EVENT_NPS_SCORE_SUBMIT, v, UGW_FORMAT_JSON, out, cap, out_len, err);
}

ugw_status ugw_nps_score_submit_encode_msgpack(const ugw_nps_score_submit *v, void *out, size_t cap, size_t *out_len, ugw_error *err)
{
    return ugw_schema_encode(&ugw_schema_events, UGW_EVENT_NPS_SCORE_SUBMIT, v, UGW_FORMAT_MSGPACK, out, cap, out_len, err);
}

ugw_status ugw_nps_feedback_submit_validate(const ugw_nps_feedback_submit *v, ugw_error *err)
{
    return ugw_schema_validate(&ugw_schema_events, UGW_EVENT_NPS_FEEDBACK_SUBMIT, v, err);
}

ugw_status ugw_nps_feedback_submit_encode_json(const ugw_nps_feedback_submit *v, void *out, size_t cap, size_t *out_len, ugw_error *err)
{
    return ugw_schema_encode(&ugw_schema_events, UGW_EVENT_NPS_FEEDBACK_SUBMIT, v, UGW_FORMAT_JSON, out, cap, out_len, err);
}

ugw_status ugw_nps_feedback_submit_encode_msgpack(const ugw_nps_feedback_submit *v, void *out, size_t cap, size_t *out_len, ugw_error *err)
{
    return ugw_schema_encode(&ugw_schema_events, UGW_EVENT_NPS_FEEDBACK_SUBMIT, v, UGW_FORMAT_MSGPACK, out, cap, out_len, err);
}

ugw_status ugw_hotspot_interaction_validate(const ugw_hotspot_interaction *v, ugw_error *err)
{
    return ugw_schema_validate(&ugw_schema_events, UGW_EVENT_HOTSPOT_INTERACTION, v, err);
}

ugw_status ugw_hotspot_interaction_encode_json(const ugw_hotspot_interaction *v, void *out, size_t cap, size_t *out_len, ugw_error *err)
{
    return ugw_schema_encode(&ugw_schema_events, UGW_EVENT_HOTSPOT_INTERACTION, v, UGW_FORMAT_JSON, out, cap, out_len, err);
}

ugw_status ugw_hotspot_interaction_encode_msgpack(const ugw_hotspot_interaction *v, void *out, size_t cap, size_t *out_len, ugw_error *err)
{
    return ugw_schema_encode(&ugw_schema_events, UGW_EVENT_HOTSPOT_INTERACTION, v, UGW_FORMAT_MSGPACK, out, cap, out_len, err);
}

ugw_status ugw_checklist_item_trigger_validate(const ugw_checklist_item_trigger *v, ugw_error *err)
{
    return ugw_schema_validate(&ugw_schema_events, UGW_EVENT_CHECKLIST_ITEM_TRIGGER, v, err);
}

ugw_status ugw_checklist_item_trigger_encode_json(const ugw_checklist_item_trigger *v, void *out, size_t cap, size_t *out_len, ugw_error *err)
{
    return ugw_schema_encode(&ugw_schema_events, UGW_EVENT_CHECKLIST_ITEM_TRIGGER, v, UGW_FORMAT_JSON, out, cap, out_len, err);
}

ugw_status ugw_checklist_item_trigger_encode_msgpack(const ugw_checklist_item_trigger *v, void *out, size_t cap, size_t *out_len, ugw_error *err)
{
    return ugw_schema_encode(&ugw_schema_events, UGW_EVENT_CHECKLIST_ITEM_TRIGGER, v, UGW_FORMAT_MSGPACK, out, cap, out_len, err);
}

ugw_status ugw_resource_center_guide_trigger_validate(const ugw_resource_center_guide_trigger *v, ugw_error *err)
{
    return ugw_schema_validate(&ugw_schema_events, UGW_EVENT_RESOURCE_CENTER_GUIDE_TRIGGER, v, err);
}

ugw_status ugw_resource_center_guide_trigger_encode_json(const ugw_resource_center_guide_trigger *v, void *out, size_t cap, size_t *out_len, ugw_error *err)
{
    return ugw_schema_encode(&ugw_schema_events, UGW_EVENT_RESOURCE_CENTER_GUIDE_TRIGGER, v, UGW_FORMAT_JSON, out, cap, out_len, err);
}

ugw_status ugw_resource_center_guide_trigger_encode_msgpack(const ugw_resource_center_guide_trigger *v, void *out, size_t cap, size_t *out_len, ugw_error *err)
{
    return ugw_schema_encode(&ugw_schema_events, UGW_EVENT_RESOURCE_CENTER_GUIDE_TRIGGER, v, UGW_FORMAT_MSGPACK, out, cap, out_len, err);
}

ugw_status ugw_resource_center_checklist_guide_trigger_validate(const ugw_resource_center_checklist_guide_trigger *v, ugw_error *err)
{
    return ugw_schema_validate(&ugw_schema_events, UGW_EVENT_RESOURCE_CENTER_CHECKLIST_GUIDE_TRIGGER, v, err);
}

ugw_status ugw_resource_center_checklist_guide_trigger_encode_json(const ugw_resource_center_checklist_guide_trigger *v, void *out, size_t cap, size_t *out_len, ugw_error *err)
{
    return ugw_schema_encode(&ugw_schema_events, UGW_EVENT_RESOURCE_CENTER_CHECKLIST_GUIDE_TRIGGER, v, UGW_FORMAT_JSON, out, cap, out_len, err);
}

ugw_status ugw_resource_center_checklist_guide_trigger_encode_msgpack(const ugw_resource_center_checklist_guide_trigger *v, void *out, size_t cap, size_t *out_len, ugw_error *err)
{
    return ugw_schema_encode(&ugw_schema_events, UGW_EVENT_RESOURCE_CENTER_CHECKLIST_GUIDE_TRIGGER, v, UGW_FORMAT_MSGPACK, out, cap, out_len, err);
}

ugw_status ugw_resource_center_external_url_click_validate(const ugw_resource_center_external_url_click *v, ugw_error *err)
{
    return ugw_schema_validate(&ugw_schema_events, UGW_EVENT_RESOURCE_CENTER_EXTERNAL_URL_CLICK, v, err);
}

ugw_status ugw_resource_center_external_url_click_encode_json(const ugw_resource_center_external_url_click *v, void *out, size_t cap, size_t *out_len, ugw_error *err)
{
    return ugw_schema_encode(&ugw_schema_events, UGW_EVENT_RESOURCE_CENTER_EXTERNAL_URL_CLICK, v, UGW_FORMAT_JSON, out, cap, out_len, err);
}

ugw_status ugw_resource_center_external_url_click_encode_msgpack(const ugw_resource_center_external_url_click *v, void *out, size_t cap, size_t *out_len, ugw_error *err)
{
    return ugw_schema_encode(&ugw_schema_events, UGW_EVENT_RESOURCE_CENTER_EXTERNAL_URL_CLICK, v, UGW_FORMAT_MSGPACK, out, cap, out_len, err);
}

ugw_status ugw_resource_center_search_article_click_validate(const ugw_resource_center_search_article_click *v, ugw_error *err)
{
    return ugw_schema_validate(&ugw_schema_events, UGW_EVENT_RESOURCE_CENTER_SEARCH_ARTICLE_CLICK, v, err);
}

ugw_status ugw_resource_center_search_article_click_encode_json(const ugw_resource_center_search_article_click *v, void *out, size_t cap, size_t *out_len, ugw_error *err)
{
    return ugw_schema_encode(&ugw_schema_events, UGW_EVENT_RESOURCE_CENTER_SEARCH_ARTICLE_CLICK, v, UGW_FORMAT_JSON, out, cap, out_len, err);
}

ugw_status ugw_resource_center_search_article_click_encode_msgpack(const ugw_resource_center_search_article_click *v, void *out, size_t cap, size_t *out_len, ugw_error *err)
{
    return ugw_schema_encode(&ugw_schema_events, UGW_EVENT_RESOURCE_CENTER_SEARCH_ARTICLE_CLICK, v, UGW_FORMAT_MSGPACK, out, cap, out_len, err);
}
