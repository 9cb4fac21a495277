/*
 * ugw_events.h - event types, structs and the encode/decode API
 *
 * Generated from schema/events.toml (schema version 1) by ugw codegen 0.2.0.
 * DO NOT EDIT: change the schema and run the generator again.
 */
#ifndef UGW_EVENTS_H
#define UGW_EVENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <ugw/ugw_runtime.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The runtime and this code must agree on the interface they share. */
#define UGW_GENERATED_ABI 5
#if !defined(UGW_RUNTIME_ABI) || UGW_RUNTIME_ABI != UGW_GENERATED_ABI
#error "ugw: generated code and ugw_runtime.h disagree on UGW_RUNTIME_ABI; regenerate or update the runtime"
#endif

/** Version of the schema this code was generated from. */
#define UGW_SCHEMA_VERSION 1
/** Version of the generator that wrote this code. */
#define UGW_CODEGEN_VERSION "0.2.0"
/** Number of events in the schema. */
#define UGW_EVENT_COUNT 11

/** Event types; the value 0 is no event. */
typedef enum ugw_event_type {
    UGW_EVENT_NONE = 0,
    UGW_EVENT_GUIDE_PREVIEW_START = 1, /**< guide started (userguiding) */
    UGW_EVENT_GUIDE_PREVIEW_COMPLETE = 2, /**< guide completed (userguiding) */
    UGW_EVENT_NPS_SURVEY_DISPLAY = 3, /**< nps survey shown (userguiding) */
    UGW_EVENT_NPS_SCORE_SUBMIT = 4, /**< nps score submit (userguiding) */
    UGW_EVENT_NPS_FEEDBACK_SUBMIT = 5, /**< nps feedback submit (userguiding) */
    UGW_EVENT_HOTSPOT_INTERACTION = 6, /**< hotspot interacted (userguiding) */
    UGW_EVENT_CHECKLIST_ITEM_TRIGGER = 7, /**< checklist item triggered (userguiding) */
    UGW_EVENT_RESOURCE_CENTER_GUIDE_TRIGGER = 8, /**< resource center guide triggered (userguiding) */
    UGW_EVENT_RESOURCE_CENTER_CHECKLIST_GUIDE_TRIGGER = 9, /**< resource center checklist guide triggered (userguiding) */
    UGW_EVENT_RESOURCE_CENTER_EXTERNAL_URL_CLICK = 10, /**< resource center external URL clicked (userguiding) */
    UGW_EVENT_RESOURCE_CENTER_SEARCH_ARTICLE_CLICK = 11, /**< resource center article clicked (userguiding) */
} ugw_event_type;

/* Per-field limits: bytes for strings and URLs, values for integers and
 * numbers, Unix milliseconds for timestamps, the constants of enums. */
#define UGW_FIELD_USER_ID_MIN 1
#define UGW_FIELD_USER_ID_MAX 256
#define UGW_FIELD_PAGE_URL_MIN 0
#define UGW_FIELD_PAGE_URL_MAX 2048
#define UGW_FIELD_GUIDE_ID_MIN 0
#define UGW_FIELD_GUIDE_ID_MAX 9007199254740991
#define UGW_FIELD_GUIDE_NAME_MIN 0
#define UGW_FIELD_GUIDE_NAME_MAX 512
#define UGW_FIELD_SURVEY_ID_MIN 0
#define UGW_FIELD_SURVEY_ID_MAX 9007199254740991
#define UGW_FIELD_QUESTION_MIN 0
#define UGW_FIELD_QUESTION_MAX 1024
#define UGW_FIELD_SCORE_MIN 0
#define UGW_FIELD_SCORE_MAX 10
#define UGW_FIELD_FEEDBACK_MIN 0
#define UGW_FIELD_FEEDBACK_MAX 8192
#define UGW_FIELD_HOTSPOT_GROUP_ID_MIN 0
#define UGW_FIELD_HOTSPOT_GROUP_ID_MAX 9007199254740991
#define UGW_FIELD_HOTSPOT_GROUP_NAME_MIN 0
#define UGW_FIELD_HOTSPOT_GROUP_NAME_MAX 512
#define UGW_FIELD_HOTSPOT_ID_MIN 0
#define UGW_FIELD_HOTSPOT_ID_MAX 512
#define UGW_FIELD_HOTSPOT_TITLE_MIN 0
#define UGW_FIELD_HOTSPOT_TITLE_MAX 512
#define UGW_FIELD_CHECKLIST_ID_MIN 0
#define UGW_FIELD_CHECKLIST_ID_MAX 9007199254740991
#define UGW_FIELD_CHECKLIST_NAME_MIN 0
#define UGW_FIELD_CHECKLIST_NAME_MAX 512
#define UGW_FIELD_RESOURCE_CENTER_ID_MIN 0
#define UGW_FIELD_RESOURCE_CENTER_ID_MAX 9007199254740991
#define UGW_FIELD_RESOURCE_CENTER_NAME_MIN 0
#define UGW_FIELD_RESOURCE_CENTER_NAME_MAX 512
#define UGW_FIELD_EXTERNAL_URL_MIN 0
#define UGW_FIELD_EXTERNAL_URL_MAX 2048
#define UGW_FIELD_ARTICLE_LINK_MIN 0
#define UGW_FIELD_ARTICLE_LINK_MAX 2048

/* Wire fingerprints: 64 bits of SHA-256 over each event's wire shape. A
 * change here means the wire changed. */
#define UGW_GUIDE_PREVIEW_START_FINGERPRINT UINT64_C(0xee2d6003beb3969c)
#define UGW_GUIDE_PREVIEW_COMPLETE_FINGERPRINT UINT64_C(0xab90282cbf330354)
#define UGW_NPS_SURVEY_DISPLAY_FINGERPRINT UINT64_C(0x61382dab894f5ea4)
#define UGW_NPS_SCORE_SUBMIT_FINGERPRINT UINT64_C(0x2e017055dc3ea4a8)
#define UGW_NPS_FEEDBACK_SUBMIT_FINGERPRINT UINT64_C(0xd63f8db8d3a0c68c)
#define UGW_HOTSPOT_INTERACTION_FINGERPRINT UINT64_C(0x3c8082fe010ca688)
#define UGW_CHECKLIST_ITEM_TRIGGER_FINGERPRINT UINT64_C(0xdcf18d71e98f368c)
#define UGW_RESOURCE_CENTER_GUIDE_TRIGGER_FINGERPRINT UINT64_C(0xb9e9117abfda2189)
#define UGW_RESOURCE_CENTER_CHECKLIST_GUIDE_TRIGGER_FINGERPRINT UINT64_C(0xb75200e3e42b198f)
#define UGW_RESOURCE_CENTER_EXTERNAL_URL_CLICK_FINGERPRINT UINT64_C(0x7e58a5173e68438f)
#define UGW_RESOURCE_CENTER_SEARCH_ARTICLE_CLICK_FINGERPRINT UINT64_C(0xbcf5161bcb54232b)

/**
 * The first step of a guide was shown.
 *
 * Wire event: "guide started (userguiding)".
 */
typedef struct ugw_guide_preview_start {
    ugw_str user_id; /**< userId: Identifier of the end user in the customer's product. (bytes 1..256) */
    ugw_str page_url; /**< pageUrl: The page on which the user did it. (bytes 0..2048, absolute http(s) URL) */
    uint64_t guide_id; /**< guideId: Identifier of the guide. (id 0..2^53-1) */
    ugw_str guide_name; /**< guideName: Name of the guide. (bytes 0..512) */
} ugw_guide_preview_start;

/** All members zero: fill every required field before encoding (C and C++). */
#define UGW_GUIDE_PREVIEW_START_INIT { { NULL, 0 }, { NULL, 0 }, 0, { NULL, 0 } }

/**
 * The last step of a guide was shown.
 *
 * Wire event: "guide completed (userguiding)".
 */
typedef struct ugw_guide_preview_complete {
    ugw_str user_id; /**< userId: Identifier of the end user in the customer's product. (bytes 1..256) */
    ugw_str page_url; /**< pageUrl: The page on which the user did it. (bytes 0..2048, absolute http(s) URL) */
    uint64_t guide_id; /**< guideId: Identifier of the guide. (id 0..2^53-1) */
    ugw_str guide_name; /**< guideName: Name of the guide. (bytes 0..512) */
} ugw_guide_preview_complete;

/** All members zero: fill every required field before encoding (C and C++). */
#define UGW_GUIDE_PREVIEW_COMPLETE_INIT { { NULL, 0 }, { NULL, 0 }, 0, { NULL, 0 } }

/**
 * The NPS survey was shown.
 *
 * Wire event: "nps survey shown (userguiding)".
 */
typedef struct ugw_nps_survey_display {
    ugw_str user_id; /**< userId: Identifier of the end user in the customer's product. (bytes 1..256) */
    ugw_str page_url; /**< pageUrl: The page on which the user did it. (bytes 0..2048, absolute http(s) URL) */
    bool has_survey_id; /**< whether survey_id is present */
    uint64_t survey_id; /**< surveyId: Identifier of the NPS survey. (id 0..2^53-1, optional) */
} ugw_nps_survey_display;

/** All members zero: fill every required field before encoding (C and C++). */
#define UGW_NPS_SURVEY_DISPLAY_INIT { { NULL, 0 }, { NULL, 0 }, false, 0 }

/**
 * A score was given in the NPS survey.
 *
 * Wire event: "nps score submit (userguiding)".
 */
typedef struct ugw_nps_score_submit {
    ugw_str user_id; /**< userId: Identifier of the end user in the customer's product. (bytes 1..256) */
    ugw_str page_url; /**< pageUrl: The page on which the user did it. (bytes 0..2048, absolute http(s) URL) */
    ugw_str question; /**< question: The question the survey asked. (bytes 0..1024) */
    int64_t score; /**< score: The score given, from 0 to 10. (0..10) */
} ugw_nps_score_submit;

/** All members zero: fill every required field before encoding (C and C++). */
#define UGW_NPS_SCORE_SUBMIT_INIT { { NULL, 0 }, { NULL, 0 }, { NULL, 0 }, 0 }

/**
 * A written answer was given in the NPS survey.
 *
 * Wire event: "nps feedback submit (userguiding)".
 */
typedef struct ugw_nps_feedback_submit {
    ugw_str user_id; /**< userId: Identifier of the end user in the customer's product. (bytes 1..256) */
    ugw_str page_url; /**< pageUrl: The page on which the user did it. (bytes 0..2048, absolute http(s) URL) */
    ugw_str question; /**< question: The question the survey asked. (bytes 0..1024) */
    ugw_str feedback; /**< feedback: The written answer. (bytes 0..8192) */
} ugw_nps_feedback_submit;

/** All members zero: fill every required field before encoding (C and C++). */
#define UGW_NPS_FEEDBACK_SUBMIT_INIT { { NULL, 0 }, { NULL, 0 }, { NULL, 0 }, { NULL, 0 } }

/**
 * A hotspot of a group was interacted with (sent at most once per script load).
 *
 * Wire event: "hotspot interacted (userguiding)".
 */
typedef struct ugw_hotspot_interaction {
    ugw_str user_id; /**< userId: Identifier of the end user in the customer's product. (bytes 1..256) */
    ugw_str page_url; /**< pageUrl: The page on which the user did it. (bytes 0..2048, absolute http(s) URL) */
    uint64_t hotspot_group_id; /**< hotspotGroupId: Identifier of the hotspot group. (id 0..2^53-1) */
    ugw_str hotspot_group_name; /**< hotspotGroupName: Name of the hotspot group. (bytes 0..512) */
    ugw_str hotspot_id; /**< hotspotId: Identifier of the hotspot within its group. (bytes 0..512) */
    ugw_str hotspot_title; /**< hotspotTitle: Title of the hotspot. (bytes 0..512) */
} ugw_hotspot_interaction;

/** All members zero: fill every required field before encoding (C and C++). */
#define UGW_HOTSPOT_INTERACTION_INIT { { NULL, 0 }, { NULL, 0 }, 0, { NULL, 0 }, { NULL, 0 }, { NULL, 0 } }

/**
 * A guide was started from a checklist.
 *
 * Wire event: "checklist item triggered (userguiding)"; also accepted: "Checklist item trigger (userguiding)".
 */
typedef struct ugw_checklist_item_trigger {
    ugw_str user_id; /**< userId: Identifier of the end user in the customer's product. (bytes 1..256) */
    ugw_str page_url; /**< pageUrl: The page on which the user did it. (bytes 0..2048, absolute http(s) URL) */
    uint64_t checklist_id; /**< checklistId: Identifier of the checklist. (id 0..2^53-1) */
    ugw_str checklist_name; /**< checklistName: Name of the checklist. (bytes 0..512) */
    uint64_t guide_id; /**< guideId: Identifier of the guide. (id 0..2^53-1) */
    ugw_str guide_name; /**< guideName: Name of the guide. (bytes 0..512) */
} ugw_checklist_item_trigger;

/** All members zero: fill every required field before encoding (C and C++). */
#define UGW_CHECKLIST_ITEM_TRIGGER_INIT { { NULL, 0 }, { NULL, 0 }, 0, { NULL, 0 }, 0, { NULL, 0 } }

/**
 * A guide was started from a resource center.
 *
 * Wire event: "resource center guide triggered (userguiding)"; also accepted: "Resource center guide trigger (userguiding)".
 */
typedef struct ugw_resource_center_guide_trigger {
    ugw_str user_id; /**< userId: Identifier of the end user in the customer's product. (bytes 1..256) */
    ugw_str page_url; /**< pageUrl: The page on which the user did it. (bytes 0..2048, absolute http(s) URL) */
    uint64_t resource_center_id; /**< resourceCenterId: Identifier of the resource center. (id 0..2^53-1) */
    ugw_str resource_center_name; /**< resourceCenterName: Name of the resource center. (bytes 0..512) */
    uint64_t guide_id; /**< guideId: Identifier of the guide. (id 0..2^53-1) */
    ugw_str guide_name; /**< guideName: Name of the guide. (bytes 0..512) */
} ugw_resource_center_guide_trigger;

/** All members zero: fill every required field before encoding (C and C++). */
#define UGW_RESOURCE_CENTER_GUIDE_TRIGGER_INIT { { NULL, 0 }, { NULL, 0 }, 0, { NULL, 0 }, 0, { NULL, 0 } }

/**
 * A guide in a checklist inside a resource center was started.
 *
 * Wire event: "resource center checklist guide triggered (userguiding)"; also accepted: "Resource center checklist guide trigger (userguiding)".
 */
typedef struct ugw_resource_center_checklist_guide_trigger {
    ugw_str user_id; /**< userId: Identifier of the end user in the customer's product. (bytes 1..256) */
    ugw_str page_url; /**< pageUrl: The page on which the user did it. (bytes 0..2048, absolute http(s) URL) */
    uint64_t resource_center_id; /**< resourceCenterId: Identifier of the resource center. (id 0..2^53-1) */
    ugw_str resource_center_name; /**< resourceCenterName: Name of the resource center. (bytes 0..512) */
    uint64_t checklist_id; /**< checklistId: Identifier of the checklist. (id 0..2^53-1) */
    ugw_str checklist_name; /**< checklistName: Name of the checklist. (bytes 0..512) */
    uint64_t guide_id; /**< guideId: Identifier of the guide. (id 0..2^53-1) */
    ugw_str guide_name; /**< guideName: Name of the guide. (bytes 0..512) */
} ugw_resource_center_checklist_guide_trigger;

/** All members zero: fill every required field before encoding (C and C++). */
#define UGW_RESOURCE_CENTER_CHECKLIST_GUIDE_TRIGGER_INIT { { NULL, 0 }, { NULL, 0 }, 0, { NULL, 0 }, 0, { NULL, 0 }, 0, { NULL, 0 } }

/**
 * An external link in a resource center was clicked.
 *
 * Wire event: "resource center external URL clicked (userguiding)"; also accepted: "Resource center external URL click (userguiding)".
 */
typedef struct ugw_resource_center_external_url_click {
    ugw_str user_id; /**< userId: Identifier of the end user in the customer's product. (bytes 1..256) */
    ugw_str page_url; /**< pageUrl: The page on which the user did it. (bytes 0..2048, absolute http(s) URL) */
    uint64_t resource_center_id; /**< resourceCenterId: Identifier of the resource center. (id 0..2^53-1) */
    ugw_str resource_center_name; /**< resourceCenterName: Name of the resource center. (bytes 0..512) */
    ugw_str external_url; /**< externalUrl: The external link that was clicked. (bytes 0..2048, absolute http(s) URL) */
} ugw_resource_center_external_url_click;

/** All members zero: fill every required field before encoding (C and C++). */
#define UGW_RESOURCE_CENTER_EXTERNAL_URL_CLICK_INIT { { NULL, 0 }, { NULL, 0 }, 0, { NULL, 0 }, { NULL, 0 } }

/**
 * A search article in a resource center was clicked.
 *
 * Wire event: "resource center article clicked (userguiding)"; also accepted: "Resource center article link click (userguiding)".
 */
typedef struct ugw_resource_center_search_article_click {
    ugw_str user_id; /**< userId: Identifier of the end user in the customer's product. (bytes 1..256) */
    ugw_str page_url; /**< pageUrl: The page on which the user did it. (bytes 0..2048, absolute http(s) URL) */
    uint64_t resource_center_id; /**< resourceCenterId: Identifier of the resource center. (id 0..2^53-1) */
    ugw_str resource_center_name; /**< resourceCenterName: Name of the resource center. (bytes 0..512) */
    ugw_str article_link; /**< articleLink: The search article that was clicked. (bytes 0..2048, absolute http(s) URL) */
} ugw_resource_center_search_article_click;

/** All members zero: fill every required field before encoding (C and C++). */
#define UGW_RESOURCE_CENTER_SEARCH_ARTICLE_CLICK_INIT { { NULL, 0 }, { NULL, 0 }, 0, { NULL, 0 }, { NULL, 0 } }

/** Any one event, tagged by its type. */
typedef struct ugw_event {
    ugw_event_type type;
    union {
        ugw_guide_preview_start guide_preview_start;
        ugw_guide_preview_complete guide_preview_complete;
        ugw_nps_survey_display nps_survey_display;
        ugw_nps_score_submit nps_score_submit;
        ugw_nps_feedback_submit nps_feedback_submit;
        ugw_hotspot_interaction hotspot_interaction;
        ugw_checklist_item_trigger checklist_item_trigger;
        ugw_resource_center_guide_trigger resource_center_guide_trigger;
        ugw_resource_center_checklist_guide_trigger resource_center_checklist_guide_trigger;
        ugw_resource_center_external_url_click resource_center_external_url_click;
        ugw_resource_center_search_article_click resource_center_search_article_click;
    } u;
} ugw_event;

/* Initialisers of a whole event. The UGW_EVENT_<ID>_INIT macros use a
 * designated initialiser, which is C (and C++20); ugw_event_init() works in
 * C and in every C++:
 *     ugw_event ev = ugw_event_init(UGW_EVENT_GUIDE_PREVIEW_START);
 *     ev.u.guide_preview_start.user_id = ...;
 */
/** A ugw_event holding an empty guide_preview_start (C, C++20). */
#define UGW_EVENT_GUIDE_PREVIEW_START_INIT { UGW_EVENT_GUIDE_PREVIEW_START, { .guide_preview_start = UGW_GUIDE_PREVIEW_START_INIT } }
/** A ugw_event holding an empty guide_preview_complete (C, C++20). */
#define UGW_EVENT_GUIDE_PREVIEW_COMPLETE_INIT { UGW_EVENT_GUIDE_PREVIEW_COMPLETE, { .guide_preview_complete = UGW_GUIDE_PREVIEW_COMPLETE_INIT } }
/** A ugw_event holding an empty nps_survey_display (C, C++20). */
#define UGW_EVENT_NPS_SURVEY_DISPLAY_INIT { UGW_EVENT_NPS_SURVEY_DISPLAY, { .nps_survey_display = UGW_NPS_SURVEY_DISPLAY_INIT } }
/** A ugw_event holding an empty nps_score_submit (C, C++20). */
#define UGW_EVENT_NPS_SCORE_SUBMIT_INIT { UGW_EVENT_NPS_SCORE_SUBMIT, { .nps_score_submit = UGW_NPS_SCORE_SUBMIT_INIT } }
/** A ugw_event holding an empty nps_feedback_submit (C, C++20). */
#define UGW_EVENT_NPS_FEEDBACK_SUBMIT_INIT { UGW_EVENT_NPS_FEEDBACK_SUBMIT, { .nps_feedback_submit = UGW_NPS_FEEDBACK_SUBMIT_INIT } }
/** A ugw_event holding an empty hotspot_interaction (C, C++20). */
#define UGW_EVENT_HOTSPOT_INTERACTION_INIT { UGW_EVENT_HOTSPOT_INTERACTION, { .hotspot_interaction = UGW_HOTSPOT_INTERACTION_INIT } }
/** A ugw_event holding an empty checklist_item_trigger (C, C++20). */
#define UGW_EVENT_CHECKLIST_ITEM_TRIGGER_INIT { UGW_EVENT_CHECKLIST_ITEM_TRIGGER, { .checklist_item_trigger = UGW_CHECKLIST_ITEM_TRIGGER_INIT } }
/** A ugw_event holding an empty resource_center_guide_trigger (C, C++20). */
#define UGW_EVENT_RESOURCE_CENTER_GUIDE_TRIGGER_INIT { UGW_EVENT_RESOURCE_CENTER_GUIDE_TRIGGER, { .resource_center_guide_trigger = UGW_RESOURCE_CENTER_GUIDE_TRIGGER_INIT } }
/** A ugw_event holding an empty resource_center_checklist_guide_trigger (C, C++20). */
#define UGW_EVENT_RESOURCE_CENTER_CHECKLIST_GUIDE_TRIGGER_INIT { UGW_EVENT_RESOURCE_CENTER_CHECKLIST_GUIDE_TRIGGER, { .resource_center_checklist_guide_trigger = UGW_RESOURCE_CENTER_CHECKLIST_GUIDE_TRIGGER_INIT } }
/** A ugw_event holding an empty resource_center_external_url_click (C, C++20). */
#define UGW_EVENT_RESOURCE_CENTER_EXTERNAL_URL_CLICK_INIT { UGW_EVENT_RESOURCE_CENTER_EXTERNAL_URL_CLICK, { .resource_center_external_url_click = UGW_RESOURCE_CENTER_EXTERNAL_URL_CLICK_INIT } }
/** A ugw_event holding an empty resource_center_search_article_click (C, C++20). */
#define UGW_EVENT_RESOURCE_CENTER_SEARCH_ARTICLE_CLICK_INIT { UGW_EVENT_RESOURCE_CENTER_SEARCH_ARTICLE_CLICK, { .resource_center_search_article_click = UGW_RESOURCE_CENTER_SEARCH_ARTICLE_CLICK_INIT } }

/** An event of `type` with every member and byte zero (C and C++). */
static inline ugw_event ugw_event_init(ugw_event_type type)
{
    ugw_event ev;
    memset(&ev, 0, sizeof ev);
    ev.type = type;
    return ev;
}

/** The schema as descriptors, for the runtime engine. */
UGW_API extern const ugw_schema ugw_schema_events;

/** Descriptor of an event type, NULL when the type is unknown. */
UGW_API const ugw_event_desc *ugw_event_describe(ugw_event_type type);
/** Wire event string of a type ("guide started (userguiding)"), NULL when unknown. */
UGW_API const char *ugw_event_wire_name(ugw_event_type type);
/** Schema id of a type ("guide_preview_start"), NULL when unknown. */
UGW_API const char *ugw_event_id(ugw_event_type type);
/** Type of a wire event string or alias; UGW_EVENT_NONE when unknown. */
UGW_API ugw_event_type ugw_event_from_wire(const char *wire, size_t len);

/**
 * Checks every rule of the schema on `ev`: type known, required fields
 * present, strings valid UTF-8 without NUL and within their limits, URLs
 * absolute http(s), numbers in range. The first problem wins; `err` may be
 * NULL. Does not change `ev`.
 */
UGW_API ugw_status ugw_event_validate(const ugw_event *ev, ugw_error *err);

/**
 * Validates `ev` then writes it as JSON (event, then payload in schema order,
 * compact, escaped as Python's json.dumps with ensure_ascii=False) into
 * `out[0..cap)`. The result is not NUL-terminated. `*out_len` receives the
 * length written or, with `out` NULL or `cap` too small, the length needed
 * (then UGW_ERR_BUFFER unless `out` is NULL). Allocates nothing.
 */
UGW_API ugw_status ugw_encode_json(const ugw_event *ev, void *out, size_t cap,
    size_t *out_len, ugw_error *err);

/** As ugw_encode_json(), writing MessagePack (smallest integer and string forms). */
UGW_API ugw_status ugw_encode_msgpack(const ugw_event *ev, void *out, size_t cap,
    size_t *out_len, ugw_error *err);

/** ugw_encode_json() or ugw_encode_msgpack(), by `format`. */
UGW_API ugw_status ugw_encode(const ugw_event *ev, ugw_format format, void *out,
    size_t cap, size_t *out_len, ugw_error *err);

/**
 * Decodes and validates one JSON document into `out` (overwritten, also on
 * error). String views point into `in` or the decoder's arena. Unknown keys are
 * ignored unless the decoder is strict. Never reads past `in + len`.
 */
UGW_API ugw_status ugw_decode_json(ugw_decoder *dec, const void *in, size_t len,
    ugw_event *out, ugw_error *err);
/** As ugw_decode_json(), for one MessagePack document (decoded with msgpack-c). */
UGW_API ugw_status ugw_decode_msgpack(ugw_decoder *dec, const void *in, size_t len,
    ugw_event *out, ugw_error *err);
/** ugw_decode_json() or ugw_decode_msgpack(), by `format`. */
UGW_API ugw_status ugw_decode(ugw_decoder *dec, ugw_format format, const void *in,
    size_t len, ugw_event *out, ugw_error *err);

/* Typed entry points, one set per event. */
UGW_API ugw_status ugw_guide_preview_start_validate(const ugw_guide_preview_start *v, ugw_error *err);
UGW_API ugw_status ugw_guide_preview_start_encode_json(const ugw_guide_preview_start *v, void *out, size_t cap, size_t *out_len, ugw_error *err);
UGW_API ugw_status ugw_guide_preview_start_encode_msgpack(const ugw_guide_preview_start *v, void *out, size_t cap, size_t *out_len, ugw_error *err);
UGW_API ugw_status ugw_guide_preview_complete_validate(const ugw_guide_preview_complete *v, ugw_error *err);
UGW_API ugw_status ugw_guide_preview_complete_encode_json(const ugw_guide_preview_complete *v, void *out, size_t cap, size_t *out_len, ugw_error *err);
UGW_API ugw_status ugw_guide_preview_complete_encode_msgpack(const ugw_guide_preview_complete *v, void *out, size_t cap, size_t *out_len, ugw_error *err);
UGW_API ugw_status ugw_nps_survey_display_validate(const ugw_nps_survey_display *v, ugw_error *err);
UGW_API ugw_status ugw_nps_survey_display_encode_json(const ugw_nps_survey_display *v, void *out, size_t cap, size_t *out_len, ugw_error *err);
UGW_API ugw_status ugw_nps_survey_display_encode_msgpack(const ugw_nps_survey_display *v, void *out, size_t cap, size_t *out_len, ugw_error *err);
UGW_API ugw_status ugw_nps_score_submit_validate(const ugw_nps_score_submit *v, ugw_error *err);
UGW_API ugw_status ugw_nps_score_submit_encode_json(const ugw_nps_score_submit *v, void *out, size_t cap, size_t *out_len, ugw_error *err);
UGW_API ugw_status ugw_nps_score_submit_encode_msgpack(const ugw_nps_score_submit *v, void *out, size_t cap, size_t *out_len, ugw_error *err);
UGW_API ugw_status ugw_nps_feedback_submit_validate(const ugw_nps_feedback_submit *v, ugw_error *err);
UGW_API ugw_status ugw_nps_feedback_submit_encode_json(const ugw_nps_feedback_submit *v, void *out, size_t cap, size_t *out_len, ugw_error *err);
UGW_API ugw_status ugw_nps_feedback_submit_encode_msgpack(const ugw_nps_feedback_submit *v, void *out, size_t cap, size_t *out_len, ugw_error *err);
UGW_API ugw_status ugw_hotspot_interaction_validate(const ugw_hotspot_interaction *v, ugw_error *err);
UGW_API ugw_status ugw_hotspot_interaction_encode_json(const ugw_hotspot_interaction *v, void *out, size_t cap, size_t *out_len, ugw_error *err);
UGW_API ugw_status ugw_hotspot_interaction_encode_msgpack(const ugw_hotspot_interaction *v, void *out, size_t cap, size_t *out_len, ugw_error *err);
UGW_API ugw_status ugw_checklist_item_trigger_validate(const ugw_checklist_item_trigger *v, ugw_error *err);
UGW_API ugw_status ugw_checklist_item_trigger_encode_json(const ugw_checklist_item_trigger *v, void *out, size_t cap, size_t *out_len, ugw_error *err);
UGW_API ugw_status ugw_checklist_item_trigger_encode_msgpack(const ugw_checklist_item_trigger *v, void *out, size_t cap, size_t *out_len, ugw_error *err);
UGW_API ugw_status ugw_resource_center_guide_trigger_validate(const ugw_resource_center_guide_trigger *v, ugw_error *err);
UGW_API ugw_status ugw_resource_center_guide_trigger_encode_json(const ugw_resource_center_guide_trigger *v, void *out, size_t cap, size_t *out_len, ugw_error *err);
UGW_API ugw_status ugw_resource_center_guide_trigger_encode_msgpack(const ugw_resource_center_guide_trigger *v, void *out, size_t cap, size_t *out_len, ugw_error *err);
UGW_API ugw_status ugw_resource_center_checklist_guide_trigger_validate(const ugw_resource_center_checklist_guide_trigger *v, ugw_error *err);
UGW_API ugw_status ugw_resource_center_checklist_guide_trigger_encode_json(const ugw_resource_center_checklist_guide_trigger *v, void *out, size_t cap, size_t *out_len, ugw_error *err);
UGW_API ugw_status ugw_resource_center_checklist_guide_trigger_encode_msgpack(const ugw_resource_center_checklist_guide_trigger *v, void *out, size_t cap, size_t *out_len, ugw_error *err);
UGW_API ugw_status ugw_resource_center_external_url_click_validate(const ugw_resource_center_external_url_click *v, ugw_error *err);
UGW_API ugw_status ugw_resource_center_external_url_click_encode_json(const ugw_resource_center_external_url_click *v, void *out, size_t cap, size_t *out_len, ugw_error *err);
UGW_API ugw_status ugw_resource_center_external_url_click_encode_msgpack(const ugw_resource_center_external_url_click *v, void *out, size_t cap, size_t *out_len, ugw_error *err);
UGW_API ugw_status ugw_resource_center_search_article_click_validate(const ugw_resource_center_search_article_click *v, ugw_error *err);
UGW_API ugw_status ugw_resource_center_search_article_click_encode_json(const ugw_resource_center_search_article_click *v, void *out, size_t cap, size_t *out_len, ugw_error *err);
UGW_API ugw_status ugw_resource_center_search_article_click_encode_msgpack(const ugw_resource_center_search_article_click *v, void *out, size_t cap, size_t *out_len, ugw_error *err);

#ifdef __cplusplus
}
#endif

#endif /* UGW_EVENTS_H */
