/*
 * ugw_fixtures.c - the valid fixtures as C values
 *
 * Generated from schema/events.toml (schema version 1) by ugw codegen 0.2.0.
 * DO NOT EDIT: change the schema and run the generator again.
 */
#include "ugw/ugw_fixtures.h"

const ugw_event ugw_fixtures[UGW_EVENT_COUNT] = {
    { UGW_EVENT_GUIDE_PREVIEW_START, { .guide_preview_start = {
        .user_id = { "user-42", 7 },
        .page_url = { "https://app.example.com/dashboard\?tab=1", 39 },
        .guide_id = UINT64_C(1),
        .guide_name = { "Onboarding tour", 15 },
    } } },
    { UGW_EVENT_GUIDE_PREVIEW_COMPLETE, { .guide_preview_complete = {
        .user_id = { "user-42", 7 },
        .page_url = { "https://app.example.com/dashboard\?tab=1", 39 },
        .guide_id = UINT64_C(1),
        .guide_name = { "Onboarding tour", 15 },
    } } },
    { UGW_EVENT_NPS_SURVEY_DISPLAY, { .nps_survey_display = {
        .user_id = { "user-42", 7 },
        .page_url = { "https://app.example.com/dashboard\?tab=1", 39 },
        .has_survey_id = true,
        .survey_id = UINT64_C(7),
    } } },
    { UGW_EVENT_NPS_SCORE_SUBMIT, { .nps_score_submit = {
        .user_id = { "user-42", 7 },
        .page_url = { "https://app.example.com/dashboard\?tab=1", 39 },
        .question = { "How likely are you to recommend us to a friend\?", 47 },
        .score = INT64_C(9),
    } } },
    { UGW_EVENT_NPS_FEEDBACK_SUBMIT, { .nps_feedback_submit = {
        .user_id = { "user-42", 7 },
        .page_url = { "https://app.example.com/dashboard\?tab=1", 39 },
        .question = { "How likely are you to recommend us to a friend\?", 47 },
        .feedback = { "Great product \"so far\" \342\200\224 keep going!", 38 },
    } } },
    { UGW_EVENT_HOTSPOT_INTERACTION, { .hotspot_interaction = {
        .user_id = { "user-42", 7 },
        .page_url = { "https://app.example.com/dashboard\?tab=1", 39 },
        .hotspot_group_id = UINT64_C(12),
        .hotspot_group_name = { "Billing hints", 13 },
        .hotspot_id = { "hs-3", 4 },
        .hotspot_title = { "Export your invoices", 20 },
    } } },
    { UGW_EVENT_CHECKLIST_ITEM_TRIGGER, { .checklist_item_trigger = {
        .user_id = { "user-42", 7 },
        .page_url = { "https://app.example.com/dashboard\?tab=1", 39 },
        .checklist_id = UINT64_C(5),
        .checklist_name = { "Getting started", 15 },
        .guide_id = UINT64_C(1),
        .guide_name = { "Onboarding tour", 15 },
    } } },
    { UGW_EVENT_RESOURCE_CENTER_GUIDE_TRIGGER, { .resource_center_guide_trigger = {
        .user_id = { "user-42", 7 },
        .page_url = { "https://app.example.com/dashboard\?tab=1", 39 },
        .resource_center_id = UINT64_C(3),
        .resource_center_name = { "Help center", 11 },
        .guide_id = UINT64_C(1),
        .guide_name = { "Onboarding tour", 15 },
    } } },
    { UGW_EVENT_RESOURCE_CENTER_CHECKLIST_GUIDE_TRIGGER, { .resource_center_checklist_guide_trigger = {
        .user_id = { "user-42", 7 },
        .page_url = { "https://app.example.com/dashboard\?tab=1", 39 },
        .resource_center_id = UINT64_C(3),
        .resource_center_name = { "Help center", 11 },
        .checklist_id = UINT64_C(5),
        .checklist_name = { "Getting started", 15 },
        .guide_id = UINT64_C(1),
        .guide_name = { "Onboarding tour", 15 },
    } } },
    { UGW_EVENT_RESOURCE_CENTER_EXTERNAL_URL_CLICK, { .resource_center_external_url_click = {
        .user_id = { "user-42", 7 },
        .page_url = { "https://app.example.com/dashboard\?tab=1", 39 },
        .resource_center_id = UINT64_C(3),
        .resource_center_name = { "Help center", 11 },
        .external_url = { "https://docs.example.com/start", 30 },
    } } },
    { UGW_EVENT_RESOURCE_CENTER_SEARCH_ARTICLE_CLICK, { .resource_center_search_article_click = {
        .user_id = { "user-42", 7 },
        .page_url = { "https://app.example.com/dashboard\?tab=1", 39 },
        .resource_center_id = UINT64_C(3),
        .resource_center_name = { "Help center", 11 },
        .article_link = { "https://help.example.com/articles/42-exporting", 46 },
    } } },
};

const ugw_event *ugw_fixture(ugw_event_type type)
{
    if ((int)type < 1 || (int)type > UGW_EVENT_COUNT)
        return NULL;
    return &ugw_fixtures[(int)type - 1];
}
