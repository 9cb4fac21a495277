/*
 * ugw_events.c - event descriptors and typed entry points
 *
 * Generated from schema/events.toml (schema version 1) by ugw codegen 0.2.0.
 * DO NOT EDIT: change the schema and run the generator again.
 */
#include "ugw/ugw_events.h"

#include <string.h>

#include <ugw/ugw_generated_support.h>

/* guide_preview_start */
static const ugw_field_desc ugw__guide_preview_start_fields[] = {
    { .name = "userId", .path = "payload.userId",
      .json_key = "\"userId\":", .mp_key = "\246userId",
      .name_len = 6, .json_key_len = 9, .mp_key_len = 7,
      .type = UGW_TYPE_STRING, .required = true,
      .offset = offsetof(ugw_guide_preview_start, user_id),
      .has_offset = UGW_NO_HAS,
      .min = INT64_C(1), .max = INT64_C(256) },
    { .name = "pageUrl", .path = "payload.pageUrl",
      .json_key = "\"pageUrl\":", .mp_key = "\247pageUrl",
      .name_len = 7, .json_key_len = 10, .mp_key_len = 8,
      .type = UGW_TYPE_URL, .required = true,
      .offset = offsetof(ugw_guide_preview_start, page_url),
      .has_offset = UGW_NO_HAS,
      .min = INT64_C(0), .max = INT64_C(2048) },
    { .name = "guideId", .path = "payload.guideId",
      .json_key = "\"guideId\":", .mp_key = "\247guideId",
      .name_len = 7, .json_key_len = 10, .mp_key_len = 8,
      .type = UGW_TYPE_ID, .required = true,
      .offset = offsetof(ugw_guide_preview_start, guide_id),
      .has_offset = UGW_NO_HAS,
      .min = INT64_C(0), .max = INT64_C(9007199254740991) },
    { .name = "guideName", .path = "payload.guideName",
      .json_key = "\"guideName\":", .mp_key = "\251guideName",
      .name_len = 9, .json_key_len = 12, .mp_key_len = 10,
      .type = UGW_TYPE_STRING, .required = true,
      .offset = offsetof(ugw_guide_preview_start, guide_name),
      .has_offset = UGW_NO_HAS,
      .min = INT64_C(0), .max = INT64_C(512) },
};

/* guide_preview_start: the fast paths (every field string, url, id, int, bool) */
static bool ugw__guide_preview_start_validate_fast(const void *payload)
{
    const ugw_guide_preview_start *v = (const ugw_guide_preview_start *)payload;
    return true
           && (v->user_id.ptr && ugw__str_valid(v->user_id.ptr, v->user_id.len, INT64_C(1), INT64_C(256), false))
           && (v->page_url.ptr && ugw__str_valid(v->page_url.ptr, v->page_url.len, INT64_C(0), INT64_C(2048), true))
           && ugw__id_in(v->guide_id, INT64_C(0), INT64_C(9007199254740991))
           && (v->guide_name.ptr && ugw__str_valid(v->guide_name.ptr, v->guide_name.len, INT64_C(0), INT64_C(512), false));
}

static size_t ugw__guide_preview_start_msgpack_fast(const void *payload, unsigned char *out, size_t cap)
{
    const ugw_guide_preview_start c = *(const ugw_guide_preview_start *)payload;
    unsigned char *p = out;
    uint64_t need = 44 + 7 + 3 + 8 + 3 + 8 + 9 + 10 + 3;
    if (!(c.user_id.ptr && ugw__str_valid(c.user_id.ptr, c.user_id.len, INT64_C(1), INT64_C(256), false)))
        return 0;
    need += c.user_id.len;
    if (!(c.page_url.ptr && ugw__str_valid(c.page_url.ptr, c.page_url.len, INT64_C(0), INT64_C(2048), true)))
        return 0;
    need += c.page_url.len;
    if (!ugw__id_in(c.guide_id, INT64_C(0), INT64_C(9007199254740991)))
        return 0;
    if (!(c.guide_name.ptr && ugw__str_valid(c.guide_name.ptr, c.guide_name.len, INT64_C(0), INT64_C(512), false)))
        return 0;
    need += c.guide_name.len;
    if (need > cap)
        return 0;
    memcpy(p, "\202\245event\273guide started (userguiding)\247payload" "\204", 44);
    p += 44;
    memcpy(p, "\246userId", 7);
    p = ugw__mp_put_str(p + 7, c.user_id.ptr, c.user_id.len);
    memcpy(p, "\247pageUrl", 8);
    p = ugw__mp_put_str(p + 8, c.page_url.ptr, c.page_url.len);
    memcpy(p, "\247guideId", 8);
    p = ugw__mp_put_uint(p + 8, c.guide_id);
    memcpy(p, "\251guideName", 10);
    p = ugw__mp_put_str(p + 10, c.guide_name.ptr, c.guide_name.len);
    return (size_t)(p - out);
}

static size_t ugw__guide_preview_start_json_fast(const void *payload, char *out, size_t cap)
{
    const ugw_guide_preview_start c = *(const ugw_guide_preview_start *)payload;
    char *p = out;
    uint64_t need = 52 + 10 + 2 + 11 + 2 + 11 + 20 + 13 + 2;
    if (!(c.user_id.ptr && ugw__str_ok(c.user_id.ptr, c.user_id.len, INT64_C(1), INT64_C(256), false, true)))
        return 0;
    need += c.user_id.len;
    if (!(c.page_url.ptr && ugw__str_ok(c.page_url.ptr, c.page_url.len, INT64_C(0), INT64_C(2048), true, true)))
        return 0;
    need += c.page_url.len;
    if (!ugw__id_in(c.guide_id, INT64_C(0), INT64_C(9007199254740991)))
        return 0;
    if (!(c.guide_name.ptr && ugw__str_ok(c.guide_name.ptr, c.guide_name.len, INT64_C(0), INT64_C(512), false, true)))
        return 0;
    need += c.guide_name.len;
    if (need > cap)
        return 0;
    memcpy(p, "{\"event\":\"guide started (userguiding)\",\"payload\":{", 50);
    p += 50;
    memcpy(p, "\"userId\":" "\"", 10);
    p += 10;
    memcpy(p, c.user_id.ptr, c.user_id.len);
    p += c.user_id.len;
    *p++ = '"';
    memcpy(p, "," "\"pageUrl\":" "\"", 12);
    p += 12;
    memcpy(p, c.page_url.ptr, c.page_url.len);
    p += c.page_url.len;
    *p++ = '"';
    memcpy(p, "," "\"guideId\":", 11);
    p += 11;
    p += ugw_fmt_u64(p, c.guide_id);
    memcpy(p, "," "\"guideName\":" "\"", 14);
    p += 14;
    memcpy(p, c.guide_name.ptr, c.guide_name.len);
    p += c.guide_name.len;
    *p++ = '"';
    *p++ = '}';
    *p++ = '}';
    return (size_t)(p - out);
}

static bool ugw__guide_preview_start_json_decode_fast(
    const char *in, const ugw_json_token *obj, const ugw_json_token *end, void *payload,
    ugw_json_scratch *sc)
{
    ugw_guide_preview_start *v = (ugw_guide_preview_start *)payload;
    const ugw_json_token *k = obj + 1;
    int at = obj->start + 1;
    int64_t n;
    ugw_str s;
    if (end - obj != 9)
        return false;
    /* userId */
    if (!(k[1].type == UGW__JSON_STRING && k[1].start == at + 10
        && k[0].type == UGW__JSON_STRING && k[0].start == at + 1
        && ugw__bytes_are(in + at, "\"userId\":", 9)))
        return false;
    if (!ugw__json_str_take(sc, in + k[1].start, (size_t)(k[1].end - k[1].start), INT64_C(1), INT64_C(256), false, &s))
        return false;
    v->user_id = s;
    at = k[1].end + 1;
    k += 2;
    /* pageUrl */
    if (!(k[1].type == UGW__JSON_STRING && k[1].start == at + 12
        && k[0].type == UGW__JSON_STRING && k[0].start == at + 2
        && ugw__bytes_are(in + at, "," "\"pageUrl\":", 11)))
        return false;
    if (!ugw__json_str_take(sc, in + k[1].start, (size_t)(k[1].end - k[1].start), INT64_C(0), INT64_C(2048), true, &s))
        return false;
    v->page_url = s;
    at = k[1].end + 1;
    k += 2;
    /* guideId */
    if (!(k[1].type == UGW__JSON_PRIMITIVE && k[1].start == at + 11
        && k[0].type == UGW__JSON_STRING && k[0].start == at + 2
        && ugw__bytes_are(in + at, "," "\"guideId\":", 11)))
        return false;
    if (!ugw__json_int(in + k[1].start, (size_t)(k[1].end - k[1].start), INT64_C(0), INT64_C(9007199254740991), &n))
        return false;
    v->guide_id = (uint64_t)n;
    at = k[1].end;
    k += 2;
    /* guideName */
    if (!(k[1].type == UGW__JSON_STRING && k[1].start == at + 14
        && k[0].type == UGW__JSON_STRING && k[0].start == at + 2
        && ugw__bytes_are(in + at, "," "\"guideName\":", 13)))
        return false;
    if (!ugw__json_str_take(sc, in + k[1].start, (size_t)(k[1].end - k[1].start), INT64_C(0), INT64_C(512), false, &s))
        return false;
    v->guide_name = s;
    at = k[1].end + 1;
    k += 2;
    return k == end && at + 1 == obj->end;
}


/* guide_preview_complete */
static const ugw_field_desc ugw__guide_preview_complete_fields[] = {
    { .name = "userId", .path = "payload.userId",
      .json_key = "\"userId\":", .mp_key = "\246userId",
      .name_len = 6, .json_key_len = 9, .mp_key_len = 7,
      .type = UGW_TYPE_STRING, .required = true,
      .offset = offsetof(ugw_guide_preview_complete, user_id),
      .has_offset = UGW_NO_HAS,
      .min = INT64_C(1), .max = INT64_C(256) },
    { .name = "pageUrl", .path = "payload.pageUrl",
      .json_key = "\"pageUrl\":", .mp_key = "\247pageUrl",
      .name_len = 7, .json_key_len = 10, .mp_key_len = 8,
      .type = UGW_TYPE_URL, .required = true,
      .offset = offsetof(ugw_guide_preview_complete, page_url),
      .has_offset = UGW_NO_HAS,
      .min = INT64_C(0), .max = INT64_C(2048) },
    { .name = "guideId", .path = "payload.guideId",
      .json_key = "\"guideId\":", .mp_key = "\247guideId",
      .name_len = 7, .json_key_len = 10, .mp_key_len = 8,
      .type = UGW_TYPE_ID, .required = true,
      .offset = offsetof(ugw_guide_preview_complete, guide_id),
      .has_offset = UGW_NO_HAS,
      .min = INT64_C(0), .max = INT64_C(9007199254740991) },
    { .name = "guideName", .path = "payload.guideName",
      .json_key = "\"guideName\":", .mp_key = "\251guideName",
      .name_len = 9, .json_key_len = 12, .mp_key_len = 10,
      .type = UGW_TYPE_STRING, .required = true,
      .offset = offsetof(ugw_guide_preview_complete, guide_name),
      .has_offset = UGW_NO_HAS,
      .min = INT64_C(0), .max = INT64_C(512) },
};

/* guide_preview_complete: the fast paths (every field string, url, id, int, bool) */
static bool ugw__guide_preview_complete_validate_fast(const void *payload)
{
    const ugw_guide_preview_complete *v = (const ugw_guide_preview_complete *)payload;
    return true
           && (v->user_id.ptr && ugw__str_valid(v->user_id.ptr, v->user_id.len, INT64_C(1), INT64_C(256), false))
           && (v->page_url.ptr && ugw__str_valid(v->page_url.ptr, v->page_url.len, INT64_C(0), INT64_C(2048), true))
           && ugw__id_in(v->guide_id, INT64_C(0), INT64_C(9007199254740991))
           && (v->guide_name.ptr && ugw__str_valid(v->guide_name.ptr, v->guide_name.len, INT64_C(0), INT64_C(512), false));
}

static size_t ugw__guide_preview_complete_msgpack_fast(const void *payload, unsigned char *out, size_t cap)
{
    const ugw_guide_preview_complete c = *(const ugw_guide_preview_complete *)payload;
    unsigned char *p = out;
    uint64_t need = 46 + 7 + 3 + 8 + 3 + 8 + 9 + 10 + 3;
    if (!(c.user_id.ptr && ugw__str_valid(c.user_id.ptr, c.user_id.len, INT64_C(1), INT64_C(256), false)))
        return 0;
    need += c.user_id.len;
    if (!(c.page_url.ptr && ugw__str_valid(c.page_url.ptr, c.page_url.len, INT64_C(0), INT64_C(2048), true)))
        return 0;
    need += c.page_url.len;
    if (!ugw__id_in(c.guide_id, INT64_C(0), INT64_C(9007199254740991)))
        return 0;
    if (!(c.guide_name.ptr && ugw__str_valid(c.guide_name.ptr, c.guide_name.len, INT64_C(0), INT64_C(512), false)))
        return 0;
    need += c.guide_name.len;
    if (need > cap)
        return 0;
    memcpy(p, "\202\245event\275guide completed (userguiding)\247payload" "\204", 46);
    p += 46;
    memcpy(p, "\246userId", 7);
    p = ugw__mp_put_str(p + 7, c.user_id.ptr, c.user_id.len);
    memcpy(p, "\247pageUrl", 8);
    p = ugw__mp_put_str(p + 8, c.page_url.ptr, c.page_url.len);
    memcpy(p, "\247guideId", 8);
    p = ugw__mp_put_uint(p + 8, c.guide_id);
    memcpy(p, "\251guideName", 10);
    p = ugw__mp_put_str(p + 10, c.guide_name.ptr, c.guide_name.len);
    return (size_t)(p - out);
}

static size_t ugw__guide_preview_complete_json_fast(const void *payload, char *out, size_t cap)
{
    const ugw_guide_preview_complete c = *(const ugw_guide_preview_complete *)payload;
    char *p = out;
    uint64_t need = 54 + 10 + 2 + 11 + 2 + 11 + 20 + 13 + 2;
    if (!(c.user_id.ptr && ugw__str_ok(c.user_id.ptr, c.user_id.len, INT64_C(1), INT64_C(256), false, true)))
        return 0;
    need += c.user_id.len;
    if (!(c.page_url.ptr && ugw__str_ok(c.page_url.ptr, c.page_url.len, INT64_C(0), INT64_C(2048), true, true)))
        return 0;
    need += c.page_url.len;
    if (!ugw__id_in(c.guide_id, INT64_C(0), INT64_C(9007199254740991)))
        return 0;
    if (!(c.guide_name.ptr && ugw__str_ok(c.guide_name.ptr, c.guide_name.len, INT64_C(0), INT64_C(512), false, true)))
        return 0;
    need += c.guide_name.len;
    if (need > cap)
        return 0;
    memcpy(p, "{\"event\":\"guide completed (userguiding)\",\"payload\":{", 52);
    p += 52;
    memcpy(p, "\"userId\":" "\"", 10);
    p += 10;
    memcpy(p, c.user_id.ptr, c.user_id.len);
    p += c.user_id.len;
    *p++ = '"';
    memcpy(p, "," "\"pageUrl\":" "\"", 12);
    p += 12;
    memcpy(p, c.page_url.ptr, c.page_url.len);
    p += c.page_url.len;
    *p++ = '"';
    memcpy(p, "," "\"guideId\":", 11);
    p += 11;
    p += ugw_fmt_u64(p, c.guide_id);
    memcpy(p, "," "\"guideName\":" "\"", 14);
    p += 14;
    memcpy(p, c.guide_name.ptr, c.guide_name.len);
    p += c.guide_name.len;
    *p++ = '"';
    *p++ = '}';
    *p++ = '}';
    return (size_t)(p - out);
}

static bool ugw__guide_preview_complete_json_decode_fast(
    const char *in, const ugw_json_token *obj, const ugw_json_token *end, void *payload,
    ugw_json_scratch *sc)
{
    ugw_guide_preview_complete *v = (ugw_guide_preview_complete *)payload;
    const ugw_json_token *k = obj + 1;
    int at = obj->start + 1;
    int64_t n;
    ugw_str s;
    if (end - obj != 9)
        return false;
    /* userId */
    if (!(k[1].type == UGW__JSON_STRING && k[1].start == at + 10
        && k[0].type == UGW__JSON_STRING && k[0].start == at + 1
        && ugw__bytes_are(in + at, "\"userId\":", 9)))
        return false;
    if (!ugw__json_str_take(sc, in + k[1].start, (size_t)(k[1].end - k[1].start), INT64_C(1), INT64_C(256), false, &s))
        return false;
    v->user_id = s;
    at = k[1].end + 1;
    k += 2;
    /* pageUrl */
    if (!(k[1].type == UGW__JSON_STRING && k[1].start == at + 12
        && k[0].type == UGW__JSON_STRING && k[0].start == at + 2
        && ugw__bytes_are(in + at, "," "\"pageUrl\":", 11)))
        return false;
    if (!ugw__json_str_take(sc, in + k[1].start, (size_t)(k[1].end - k[1].start), INT64_C(0), INT64_C(2048), true, &s))
        return false;
    v->page_url = s;
    at = k[1].end + 1;
    k += 2;
    /* guideId */
    if (!(k[1].type == UGW__JSON_PRIMITIVE && k[1].start == at + 11
        && k[0].type == UGW__JSON_STRING && k[0].start == at + 2
        && ugw__bytes_are(in + at, "," "\"guideId\":", 11)))
        return false;
    if (!ugw__json_int(in + k[1].start, (size_t)(k[1].end - k[1].start), INT64_C(0), INT64_C(9007199254740991), &n))
        return false;
    v->guide_id = (uint64_t)n;
    at = k[1].end;
    k += 2;
    /* guideName */
    if (!(k[1].type == UGW__JSON_STRING && k[1].start == at + 14
        && k[0].type == UGW__JSON_STRING && k[0].start == at + 2
        && ugw__bytes_are(in + at, "," "\"guideName\":", 13)))
        return false;
    if (!ugw__json_str_take(sc, in + k[1].start, (size_t)(k[1].end - k[1].start), INT64_C(0), INT64_C(512), false, &s))
        return false;
    v->guide_name = s;
    at = k[1].end + 1;
    k += 2;
    return k == end && at + 1 == obj->end;
}


/* nps_survey_display */
static const ugw_field_desc ugw__nps_survey_display_fields[] = {
    { .name = "userId", .path = "payload.userId",
      .json_key = "\"userId\":", .mp_key = "\246userId",
      .name_len = 6, .json_key_len = 9, .mp_key_len = 7,
      .type = UGW_TYPE_STRING, .required = true,
      .offset = offsetof(ugw_nps_survey_display, user_id),
      .has_offset = UGW_NO_HAS,
      .min = INT64_C(1), .max = INT64_C(256) },
    { .name = "pageUrl", .path = "payload.pageUrl",
      .json_key = "\"pageUrl\":", .mp_key = "\247pageUrl",
      .name_len = 7, .json_key_len = 10, .mp_key_len = 8,
      .type = UGW_TYPE_URL, .required = true,
      .offset = offsetof(ugw_nps_survey_display, page_url),
      .has_offset = UGW_NO_HAS,
      .min = INT64_C(0), .max = INT64_C(2048) },
    { .name = "surveyId", .path = "payload.surveyId",
      .json_key = "\"surveyId\":", .mp_key = "\250surveyId",
      .name_len = 8, .json_key_len = 11, .mp_key_len = 9,
      .type = UGW_TYPE_ID, .required = false,
      .offset = offsetof(ugw_nps_survey_display, survey_id),
      .has_offset = offsetof(ugw_nps_survey_display, has_survey_id),
      .min = INT64_C(0), .max = INT64_C(9007199254740991) },
};

/* nps_survey_display: the fast paths (every field string, url, id, int, bool) */
static bool ugw__nps_survey_display_validate_fast(const void *payload)
{
    const ugw_nps_survey_display *v = (const ugw_nps_survey_display *)payload;
    return true
           && (v->user_id.ptr && ugw__str_valid(v->user_id.ptr, v->user_id.len, INT64_C(1), INT64_C(256), false))
           && (v->page_url.ptr && ugw__str_valid(v->page_url.ptr, v->page_url.len, INT64_C(0), INT64_C(2048), true))
           && (!v->has_survey_id || ugw__id_in(v->survey_id, INT64_C(0), INT64_C(9007199254740991)));
}

static size_t ugw__nps_survey_display_msgpack_fast(const void *payload, unsigned char *out, size_t cap)
{
    const ugw_nps_survey_display c = *(const ugw_nps_survey_display *)payload;
    unsigned char *p = out;
    uint64_t need = 47 + 7 + 3 + 8 + 3;
    unsigned count = 2;
    if (!(c.user_id.ptr && ugw__str_valid(c.user_id.ptr, c.user_id.len, INT64_C(1), INT64_C(256), false)))
        return 0;
    need += c.user_id.len;
    if (!(c.page_url.ptr && ugw__str_valid(c.page_url.ptr, c.page_url.len, INT64_C(0), INT64_C(2048), true)))
        return 0;
    need += c.page_url.len;
    if (c.has_survey_id) {
        if (!ugw__id_in(c.survey_id, INT64_C(0), INT64_C(9007199254740991)))
            return 0;
        need += 9 + 9;
        count++;
    }
    if (need > cap)
        return 0;
    memcpy(p, "\202\245event\276nps survey shown (userguiding)\247payload", 46);
    p += 46;
    *p++ = (unsigned char)(0x80 | count);
    memcpy(p, "\246userId", 7);
    p = ugw__mp_put_str(p + 7, c.user_id.ptr, c.user_id.len);
    memcpy(p, "\247pageUrl", 8);
    p = ugw__mp_put_str(p + 8, c.page_url.ptr, c.page_url.len);
    if (c.has_survey_id) {
        memcpy(p, "\250surveyId", 9);
        p = ugw__mp_put_uint(p + 9, c.survey_id);
    }
    return (size_t)(p - out);
}

static size_t ugw__nps_survey_display_json_fast(const void *payload, char *out, size_t cap)
{
    const ugw_nps_survey_display c = *(const ugw_nps_survey_display *)payload;
    char *p = out;
    uint64_t need = 55 + 10 + 2 + 11 + 2;
    if (!(c.user_id.ptr && ugw__str_ok(c.user_id.ptr, c.user_id.len, INT64_C(1), INT64_C(256), false, true)))
        return 0;
    need += c.user_id.len;
    if (!(c.page_url.ptr && ugw__str_ok(c.page_url.ptr, c.page_url.len, INT64_C(0), INT64_C(2048), true, true)))
        return 0;
    need += c.page_url.len;
    if (c.has_survey_id) {
        if (!ugw__id_in(c.survey_id, INT64_C(0), INT64_C(9007199254740991)))
            return 0;
        need += 12 + 20;
    }
    if (need > cap)
        return 0;
    memcpy(p, "{\"event\":\"nps survey shown (userguiding)\",\"payload\":{", 53);
    p += 53;
    memcpy(p, "\"userId\":" "\"", 10);
    p += 10;
    memcpy(p, c.user_id.ptr, c.user_id.len);
    p += c.user_id.len;
    *p++ = '"';
    memcpy(p, "," "\"pageUrl\":" "\"", 12);
    p += 12;
    memcpy(p, c.page_url.ptr, c.page_url.len);
    p += c.page_url.len;
    *p++ = '"';
    if (c.has_survey_id) {
        memcpy(p, "," "\"surveyId\":", 12);
        p += 12;
        p += ugw_fmt_u64(p, c.survey_id);
    }
    *p++ = '}';
    *p++ = '}';
    return (size_t)(p - out);
}

static bool ugw__nps_survey_display_json_decode_fast(
    const char *in, const ugw_json_token *obj, const ugw_json_token *end, void *payload,
    ugw_json_scratch *sc)
{
    ugw_nps_survey_display *v = (ugw_nps_survey_display *)payload;
    const ugw_json_token *k = obj + 1;
    int at = obj->start + 1;
    int64_t n;
    ugw_str s;
    /* userId */
    if (!(end - k > 1 && k[1].type == UGW__JSON_STRING && k[1].start == at + 10
        && k[0].type == UGW__JSON_STRING && k[0].start == at + 1
        && ugw__bytes_are(in + at, "\"userId\":", 9)))
        return false;
    if (!ugw__json_str_take(sc, in + k[1].start, (size_t)(k[1].end - k[1].start), INT64_C(1), INT64_C(256), false, &s))
        return false;
    v->user_id = s;
    at = k[1].end + 1;
    k += 2;
    /* pageUrl */
    if (!(end - k > 1 && k[1].type == UGW__JSON_STRING && k[1].start == at + 12
        && k[0].type == UGW__JSON_STRING && k[0].start == at + 2
        && ugw__bytes_are(in + at, "," "\"pageUrl\":", 11)))
        return false;
    if (!ugw__json_str_take(sc, in + k[1].start, (size_t)(k[1].end - k[1].start), INT64_C(0), INT64_C(2048), true, &s))
        return false;
    v->page_url = s;
    at = k[1].end + 1;
    k += 2;
    /* surveyId, optional */
    if (end - k > 1 && k[1].type == UGW__JSON_PRIMITIVE && k[1].start == at + 12
        && k[0].type == UGW__JSON_STRING && k[0].start == at + 2
        && ugw__bytes_are(in + at, "," "\"surveyId\":", 12)) {
        if (!ugw__json_int(in + k[1].start, (size_t)(k[1].end - k[1].start), INT64_C(0), INT64_C(9007199254740991), &n))
            return false;
        v->survey_id = (uint64_t)n;
        v->has_survey_id = true;
        at = k[1].end;
        k += 2;
    }
    return k == end && at + 1 == obj->end;
}


/* nps_score_submit */
static const ugw_field_desc ugw__nps_score_submit_fields[] = {
    { .name = "userId", .path = "payload.userId",
      .json_key = "\"userId\":", .mp_key = "\246userId",
      .name_len = 6, .json_key_len = 9, .mp_key_len = 7,
      .type = UGW_TYPE_STRING, .required = true,
      .offset = offsetof(ugw_nps_score_submit, user_id),
      .has_offset = UGW_NO_HAS,
      .min = INT64_C(1), .max = INT64_C(256) },
    { .name = "pageUrl", .path = "payload.pageUrl",
      .json_key = "\"pageUrl\":", .mp_key = "\247pageUrl",
      .name_len = 7, .json_key_len = 10, .mp_key_len = 8,
      .type = UGW_TYPE_URL, .required = true,
      .offset = offsetof(ugw_nps_score_submit, page_url),
      .has_offset = UGW_NO_HAS,
      .min = INT64_C(0), .max = INT64_C(2048) },
    { .name = "question", .path = "payload.question",
      .json_key = "\"question\":", .mp_key = "\250question",
      .name_len = 8, .json_key_len = 11, .mp_key_len = 9,
      .type = UGW_TYPE_STRING, .required = true,
      .offset = offsetof(ugw_nps_score_submit, question),
      .has_offset = UGW_NO_HAS,
      .min = INT64_C(0), .max = INT64_C(1024) },
    { .name = "score", .path = "payload.score",
      .json_key = "\"score\":", .mp_key = "\245score",
      .name_len = 5, .json_key_len = 8, .mp_key_len = 6,
      .type = UGW_TYPE_INT, .required = true,
      .offset = offsetof(ugw_nps_score_submit, score),
      .has_offset = UGW_NO_HAS,
      .min = INT64_C(0), .max = INT64_C(10) },
};

/* nps_score_submit: the fast paths (every field string, url, id, int, bool) */
static bool ugw__nps_score_submit_validate_fast(const void *payload)
{
    const ugw_nps_score_submit *v = (const ugw_nps_score_submit *)payload;
    return true
           && (v->user_id.ptr && ugw__str_valid(v->user_id.ptr, v->user_id.len, INT64_C(1), INT64_C(256), false))
           && (v->page_url.ptr && ugw__str_valid(v->page_url.ptr, v->page_url.len, INT64_C(0), INT64_C(2048), true))
           && (v->question.ptr && ugw__str_valid(v->question.ptr, v->question.len, INT64_C(0), INT64_C(1024), false))
           && ugw__int_in(v->score, INT64_C(0), INT64_C(10));
}

static size_t ugw__nps_score_submit_msgpack_fast(const void *payload, unsigned char *out, size_t cap)
{
    const ugw_nps_score_submit c = *(const ugw_nps_score_submit *)payload;
    unsigned char *p = out;
    uint64_t need = 47 + 7 + 3 + 8 + 3 + 9 + 3 + 6 + 9;
    if (!(c.user_id.ptr && ugw__str_valid(c.user_id.ptr, c.user_id.len, INT64_C(1), INT64_C(256), false)))
        return 0;
    need += c.user_id.len;
    if (!(c.page_url.ptr && ugw__str_valid(c.page_url.ptr, c.page_url.len, INT64_C(0), INT64_C(2048), true)))
        return 0;
    need += c.page_url.len;
    if (!(c.question.ptr && ugw__str_valid(c.question.ptr, c.question.len, INT64_C(0), INT64_C(1024), false)))
        return 0;
    need += c.question.len;
    if (!ugw__int_in(c.score, INT64_C(0), INT64_C(10)))
        return 0;
    if (need > cap)
        return 0;
    memcpy(p, "\202\245event\276nps score submit (userguiding)\247payload" "\204", 47);
    p += 47;
    memcpy(p, "\246userId", 7);
    p = ugw__mp_put_str(p + 7, c.user_id.ptr, c.user_id.len);
    memcpy(p, "\247pageUrl", 8);
    p = ugw__mp_put_str(p + 8, c.page_url.ptr, c.page_url.len);
    memcpy(p, "\250question", 9);
    p = ugw__mp_put_str(p + 9, c.question.ptr, c.question.len);
    memcpy(p, "\245score", 6);
    p = ugw__mp_put_int(p + 6, c.score);
    return (size_t)(p - out);
}

static size_t ugw__nps_score_submit_json_fast(const void *payload, char *out, size_t cap)
{
    const ugw_nps_score_submit c = *(const ugw_nps_score_submit *)payload;
    char *p = out;
    uint64_t need = 55 + 10 + 2 + 11 + 2 + 12 + 2 + 9 + 20;
    if (!(c.user_id.ptr && ugw__str_ok(c.user_id.ptr, c.user_id.len, INT64_C(1), INT64_C(256), false, true)))
        return 0;
    need += c.user_id.len;
    if (!(c.page_url.ptr && ugw__str_ok(c.page_url.ptr, c.page_url.len, INT64_C(0), INT64_C(2048), true, true)))
        return 0;
    need += c.page_url.len;
    if (!(c.question.ptr && ugw__str_ok(c.question.ptr, c.question.len, INT64_C(0), INT64_C(1024), false, true)))
        return 0;
    need += c.question.len;
    if (!ugw__int_in(c.score, INT64_C(0), INT64_C(10)))
        return 0;
    if (need > cap)
        return 0;
    memcpy(p, "{\"event\":\"nps score submit (userguiding)\",\"payload\":{", 53);
    p += 53;
    memcpy(p, "\"userId\":" "\"", 10);
    p += 10;
    memcpy(p, c.user_id.ptr, c.user_id.len);
    p += c.user_id.len;
    *p++ = '"';
    memcpy(p, "," "\"pageUrl\":" "\"", 12);
    p += 12;
    memcpy(p, c.page_url.ptr, c.page_url.len);
    p += c.page_url.len;
    *p++ = '"';
    memcpy(p, "," "\"question\":" "\"", 13);
    p += 13;
    memcpy(p, c.question.ptr, c.question.len);
    p += c.question.len;
    *p++ = '"';
    memcpy(p, "," "\"score\":", 9);
    p += 9;
    p += ugw_fmt_i64(p, c.score);
    *p++ = '}';
    *p++ = '}';
    return (size_t)(p - out);
}

static bool ugw__nps_score_submit_json_decode_fast(
    const char *in, const ugw_json_token *obj, const ugw_json_token *end, void *payload,
    ugw_json_scratch *sc)
{
    ugw_nps_score_submit *v = (ugw_nps_score_submit *)payload;
    const ugw_json_token *k = obj + 1;
    int at = obj->start + 1;
    int64_t n;
    ugw_str s;
    if (end - obj != 9)
        return false;
    /* userId */
    if (!(k[1].type == UGW__JSON_STRING && k[1].start == at + 10
        && k[0].type == UGW__JSON_STRING && k[0].start == at + 1
        && ugw__bytes_are(in + at, "\"userId\":", 9)))
        return false;
    if (!ugw__json_str_take(sc, in + k[1].start, (size_t)(k[1].end - k[1].start), INT64_C(1), INT64_C(256), false, &s))
        return false;
    v->user_id = s;
    at = k[1].end + 1;
    k += 2;
    /* pageUrl */
    if (!(k[1].type == UGW__JSON_STRING && k[1].start == at + 12
        && k[0].type == UGW__JSON_STRING && k[0].start == at + 2
        && ugw__bytes_are(in + at, "," "\"pageUrl\":", 11)))
        return false;
    if (!ugw__json_str_take(sc, in + k[1].start, (size_t)(k[1].end - k[1].start), INT64_C(0), INT64_C(2048), true, &s))
        return false;
    v->page_url = s;
    at = k[1].end + 1;
    k += 2;
    /* question */
    if (!(k[1].type == UGW__JSON_STRING && k[1].start == at + 13
        && k[0].type == UGW__JSON_STRING && k[0].start == at + 2
        && ugw__bytes_are(in + at, "," "\"question\":", 12)))
        return false;
    if (!ugw__json_str_take(sc, in + k[1].start, (size_t)(k[1].end - k[1].start), INT64_C(0), INT64_C(1024), false, &s))
        return false;
    v->question = s;
    at = k[1].end + 1;
    k += 2;
    /* score */
    if (!(k[1].type == UGW__JSON_PRIMITIVE && k[1].start == at + 9
        && k[0].type == UGW__JSON_STRING && k[0].start == at + 2
        && ugw__bytes_are(in + at, "," "\"score\":", 9)))
        return false;
    if (!ugw__json_int(in + k[1].start, (size_t)(k[1].end - k[1].start), INT64_C(0), INT64_C(10), &n))
        return false;
    v->score = n;
    at = k[1].end;
    k += 2;
    return k == end && at + 1 == obj->end;
}


/* nps_feedback_submit */
static const ugw_field_desc ugw__nps_feedback_submit_fields[] = {
    { .name = "userId", .path = "payload.userId",
      .json_key = "\"userId\":", .mp_key = "\246userId",
      .name_len = 6, .json_key_len = 9, .mp_key_len = 7,
      .type = UGW_TYPE_STRING, .required = true,
      .offset = offsetof(ugw_nps_feedback_submit, user_id),
      .has_offset = UGW_NO_HAS,
      .min = INT64_C(1), .max = INT64_C(256) },
    { .name = "pageUrl", .path = "payload.pageUrl",
      .json_key = "\"pageUrl\":", .mp_key = "\247pageUrl",
      .name_len = 7, .json_key_len = 10, .mp_key_len = 8,
      .type = UGW_TYPE_URL, .required = true,
      .offset = offsetof(ugw_nps_feedback_submit, page_url),
      .has_offset = UGW_NO_HAS,
      .min = INT64_C(0), .max = INT64_C(2048) },
    { .name = "question", .path = "payload.question",
      .json_key = "\"question\":", .mp_key = "\250question",
      .name_len = 8, .json_key_len = 11, .mp_key_len = 9,
      .type = UGW_TYPE_STRING, .required = true,
      .offset = offsetof(ugw_nps_feedback_submit, question),
      .has_offset = UGW_NO_HAS,
      .min = INT64_C(0), .max = INT64_C(1024) },
    { .name = "feedback", .path = "payload.feedback",
      .json_key = "\"feedback\":", .mp_key = "\250feedback",
      .name_len = 8, .json_key_len = 11, .mp_key_len = 9,
      .type = UGW_TYPE_STRING, .required = true,
      .offset = offsetof(ugw_nps_feedback_submit, feedback),
      .has_offset = UGW_NO_HAS,
      .min = INT64_C(0), .max = INT64_C(8192) },
};

/* nps_feedback_submit: the fast paths (every field string, url, id, int, bool) */
static bool ugw__nps_feedback_submit_validate_fast(const void *payload)
{
    const ugw_nps_feedback_submit *v = (const ugw_nps_feedback_submit *)payload;
    return true
           && (v->user_id.ptr && ugw__str_valid(v->user_id.ptr, v->user_id.len, INT64_C(1), INT64_C(256), false))
           && (v->page_url.ptr && ugw__str_valid(v->page_url.ptr, v->page_url.len, INT64_C(0), INT64_C(2048), true))
           && (v->question.ptr && ugw__str_valid(v->question.ptr, v->question.len, INT64_C(0), INT64_C(1024), false))
           && (v->feedback.ptr && ugw__str_valid(v->feedback.ptr, v->feedback.len, INT64_C(0), INT64_C(8192), false));
}

static size_t ugw__nps_feedback_submit_msgpack_fast(const void *payload, unsigned char *out, size_t cap)
{
    const ugw_nps_feedback_submit c = *(const ugw_nps_feedback_submit *)payload;
    unsigned char *p = out;
    uint64_t need = 51 + 7 + 3 + 8 + 3 + 9 + 3 + 9 + 3;
    if (!(c.user_id.ptr && ugw__str_valid(c.user_id.ptr, c.user_id.len, INT64_C(1), INT64_C(256), false)))
        return 0;
    need += c.user_id.len;
    if (!(c.page_url.ptr && ugw__str_valid(c.page_url.ptr, c.page_url.len, INT64_C(0), INT64_C(2048), true)))
        return 0;
    need += c.page_url.len;
    if (!(c.question.ptr && ugw__str_valid(c.question.ptr, c.question.len, INT64_C(0), INT64_C(1024), false)))
        return 0;
    need += c.question.len;
    if (!(c.feedback.ptr && ugw__str_valid(c.feedback.ptr, c.feedback.len, INT64_C(0), INT64_C(8192), false)))
        return 0;
    need += c.feedback.len;
    if (need > cap)
        return 0;
    memcpy(p, "\202\245event\331!nps feedback submit (userguiding)\247payload" "\204", 51);
    p += 51;
    memcpy(p, "\246userId", 7);
    p = ugw__mp_put_str(p + 7, c.user_id.ptr, c.user_id.len);
    memcpy(p, "\247pageUrl", 8);
    p = ugw__mp_put_str(p + 8, c.page_url.ptr, c.page_url.len);
    memcpy(p, "\250question", 9);
    p = ugw__mp_put_str(p + 9, c.question.ptr, c.question.len);
    memcpy(p, "\250feedback", 9);
    p = ugw__mp_put_str(p + 9, c.feedback.ptr, c.feedback.len);
    return (size_t)(p - out);
}

static size_t ugw__nps_feedback_submit_json_fast(const void *payload, char *out, size_t cap)
{
    const ugw_nps_feedback_submit c = *(const ugw_nps_feedback_submit *)payload;
    char *p = out;
    uint64_t need = 58 + 10 + 2 + 11 + 2 + 12 + 2 + 12 + 2;
    if (!(c.user_id.ptr && ugw__str_ok(c.user_id.ptr, c.user_id.len, INT64_C(1), INT64_C(256), false, true)))
        return 0;
    need += c.user_id.len;
    if (!(c.page_url.ptr && ugw__str_ok(c.page_url.ptr, c.page_url.len, INT64_C(0), INT64_C(2048), true, true)))
        return 0;
    need += c.page_url.len;
    if (!(c.question.ptr && ugw__str_ok(c.question.ptr, c.question.len, INT64_C(0), INT64_C(1024), false, true)))
        return 0;
    need += c.question.len;
    if (!(c.feedback.ptr && ugw__str_ok(c.feedback.ptr, c.feedback.len, INT64_C(0), INT64_C(8192), false, true)))
        return 0;
    need += c.feedback.len;
    if (need > cap)
        return 0;
    memcpy(p, "{\"event\":\"nps feedback submit (userguiding)\",\"payload\":{", 56);
    p += 56;
    memcpy(p, "\"userId\":" "\"", 10);
    p += 10;
    memcpy(p, c.user_id.ptr, c.user_id.len);
    p += c.user_id.len;
    *p++ = '"';
    memcpy(p, "," "\"pageUrl\":" "\"", 12);
    p += 12;
    memcpy(p, c.page_url.ptr, c.page_url.len);
    p += c.page_url.len;
    *p++ = '"';
    memcpy(p, "," "\"question\":" "\"", 13);
    p += 13;
    memcpy(p, c.question.ptr, c.question.len);
    p += c.question.len;
    *p++ = '"';
    memcpy(p, "," "\"feedback\":" "\"", 13);
    p += 13;
    memcpy(p, c.feedback.ptr, c.feedback.len);
    p += c.feedback.len;
    *p++ = '"';
    *p++ = '}';
    *p++ = '}';
    return (size_t)(p - out);
}

static bool ugw__nps_feedback_submit_json_decode_fast(
    const char *in, const ugw_json_token *obj, const ugw_json_token *end, void *payload,
    ugw_json_scratch *sc)
{
    ugw_nps_feedback_submit *v = (ugw_nps_feedback_submit *)payload;
    const ugw_json_token *k = obj + 1;
    int at = obj->start + 1;
    ugw_str s;
    if (end - obj != 9)
        return false;
    /* userId */
    if (!(k[1].type == UGW__JSON_STRING && k[1].start == at + 10
        && k[0].type == UGW__JSON_STRING && k[0].start == at + 1
        && ugw__bytes_are(in + at, "\"userId\":", 9)))
        return false;
    if (!ugw__json_str_take(sc, in + k[1].start, (size_t)(k[1].end - k[1].start), INT64_C(1), INT64_C(256), false, &s))
        return false;
    v->user_id = s;
    at = k[1].end + 1;
    k += 2;
    /* pageUrl */
    if (!(k[1].type == UGW__JSON_STRING && k[1].start == at + 12
        && k[0].type == UGW__JSON_STRING && k[0].start == at + 2
        && ugw__bytes_are(in + at, "," "\"pageUrl\":", 11)))
        return false;
    if (!ugw__json_str_take(sc, in + k[1].start, (size_t)(k[1].end - k[1].start), INT64_C(0), INT64_C(2048), true, &s))
        return false;
    v->page_url = s;
    at = k[1].end + 1;
    k += 2;
    /* question */
    if (!(k[1].type == UGW__JSON_STRING && k[1].start == at + 13
        && k[0].type == UGW__JSON_STRING && k[0].start == at + 2
        && ugw__bytes_are(in + at, "," "\"question\":", 12)))
        return false;
    if (!ugw__json_str_take(sc, in + k[1].start, (size_t)(k[1].end - k[1].start), INT64_C(0), INT64_C(1024), false, &s))
        return false;
    v->question = s;
    at = k[1].end + 1;
    k += 2;
    /* feedback */
    if (!(k[1].type == UGW__JSON_STRING && k[1].start == at + 13
        && k[0].type == UGW__JSON_STRING && k[0].start == at + 2
        && ugw__bytes_are(in + at, "," "\"feedback\":", 12)))
        return false;
    if (!ugw__json_str_take(sc, in + k[1].start, (size_t)(k[1].end - k[1].start), INT64_C(0), INT64_C(8192), false, &s))
        return false;
    v->feedback = s;
    at = k[1].end + 1;
    k += 2;
    return k == end && at + 1 == obj->end;
}


/* hotspot_interaction */
static const ugw_field_desc ugw__hotspot_interaction_fields[] = {
    { .name = "userId", .path = "payload.userId",
      .json_key = "\"userId\":", .mp_key = "\246userId",
      .name_len = 6, .json_key_len = 9, .mp_key_len = 7,
      .type = UGW_TYPE_STRING, .required = true,
      .offset = offsetof(ugw_hotspot_interaction, user_id),
      .has_offset = UGW_NO_HAS,
      .min = INT64_C(1), .max = INT64_C(256) },
    { .name = "pageUrl", .path = "payload.pageUrl",
      .json_key = "\"pageUrl\":", .mp_key = "\247pageUrl",
      .name_len = 7, .json_key_len = 10, .mp_key_len = 8,
      .type = UGW_TYPE_URL, .required = true,
      .offset = offsetof(ugw_hotspot_interaction, page_url),
      .has_offset = UGW_NO_HAS,
      .min = INT64_C(0), .max = INT64_C(2048) },
    { .name = "hotspotGroupId", .path = "payload.hotspotGroupId",
      .json_key = "\"hotspotGroupId\":", .mp_key = "\256hotspotGroupId",
      .name_len = 14, .json_key_len = 17, .mp_key_len = 15,
      .type = UGW_TYPE_ID, .required = true,
      .offset = offsetof(ugw_hotspot_interaction, hotspot_group_id),
      .has_offset = UGW_NO_HAS,
      .min = INT64_C(0), .max = INT64_C(9007199254740991) },
    { .name = "hotspotGroupName", .path = "payload.hotspotGroupName",
      .json_key = "\"hotspotGroupName\":", .mp_key = "\260hotspotGroupName",
      .name_len = 16, .json_key_len = 19, .mp_key_len = 17,
      .type = UGW_TYPE_STRING, .required = true,
      .offset = offsetof(ugw_hotspot_interaction, hotspot_group_name),
      .has_offset = UGW_NO_HAS,
      .min = INT64_C(0), .max = INT64_C(512) },
    { .name = "hotspotId", .path = "payload.hotspotId",
      .json_key = "\"hotspotId\":", .mp_key = "\251hotspotId",
      .name_len = 9, .json_key_len = 12, .mp_key_len = 10,
      .type = UGW_TYPE_STRING, .required = true,
      .offset = offsetof(ugw_hotspot_interaction, hotspot_id),
      .has_offset = UGW_NO_HAS,
      .min = INT64_C(0), .max = INT64_C(512) },
    { .name = "hotspotTitle", .path = "payload.hotspotTitle",
      .json_key = "\"hotspotTitle\":", .mp_key = "\254hotspotTitle",
      .name_len = 12, .json_key_len = 15, .mp_key_len = 13,
      .type = UGW_TYPE_STRING, .required = true,
      .offset = offsetof(ugw_hotspot_interaction, hotspot_title),
      .has_offset = UGW_NO_HAS,
      .min = INT64_C(0), .max = INT64_C(512) },
};

/* hotspot_interaction: the fast paths (every field string, url, id, int, bool) */
static bool ugw__hotspot_interaction_validate_fast(const void *payload)
{
    const ugw_hotspot_interaction *v = (const ugw_hotspot_interaction *)payload;
    return true
           && (v->user_id.ptr && ugw__str_valid(v->user_id.ptr, v->user_id.len, INT64_C(1), INT64_C(256), false))
           && (v->page_url.ptr && ugw__str_valid(v->page_url.ptr, v->page_url.len, INT64_C(0), INT64_C(2048), true))
           && ugw__id_in(v->hotspot_group_id, INT64_C(0), INT64_C(9007199254740991))
           && (v->hotspot_group_name.ptr && ugw__str_valid(v->hotspot_group_name.ptr, v->hotspot_group_name.len, INT64_C(0), INT64_C(512), false))
           && (v->hotspot_id.ptr && ugw__str_valid(v->hotspot_id.ptr, v->hotspot_id.len, INT64_C(0), INT64_C(512), false))
           && (v->hotspot_title.ptr && ugw__str_valid(v->hotspot_title.ptr, v->hotspot_title.len, INT64_C(0), INT64_C(512), false));
}

static size_t ugw__hotspot_interaction_msgpack_fast(const void *payload, unsigned char *out, size_t cap)
{
    const ugw_hotspot_interaction c = *(const ugw_hotspot_interaction *)payload;
    unsigned char *p = out;
    uint64_t need = 50 + 7 + 3 + 8 + 3 + 15 + 9 + 17 + 3 + 10 + 3 + 13 + 3;
    if (!(c.user_id.ptr && ugw__str_valid(c.user_id.ptr, c.user_id.len, INT64_C(1), INT64_C(256), false)))
        return 0;
    need += c.user_id.len;
    if (!(c.page_url.ptr && ugw__str_valid(c.page_url.ptr, c.page_url.len, INT64_C(0), INT64_C(2048), true)))
        return 0;
    need += c.page_url.len;
    if (!ugw__id_in(c.hotspot_group_id, INT64_C(0), INT64_C(9007199254740991)))
        return 0;
    if (!(c.hotspot_group_name.ptr && ugw__str_valid(c.hotspot_group_name.ptr, c.hotspot_group_name.len, INT64_C(0), INT64_C(512), false)))
        return 0;
    need += c.hotspot_group_name.len;
    if (!(c.hotspot_id.ptr && ugw__str_valid(c.hotspot_id.ptr, c.hotspot_id.len, INT64_C(0), INT64_C(512), false)))
        return 0;
    need += c.hotspot_id.len;
    if (!(c.hotspot_title.ptr && ugw__str_valid(c.hotspot_title.ptr, c.hotspot_title.len, INT64_C(0), INT64_C(512), false)))
        return 0;
    need += c.hotspot_title.len;
    if (need > cap)
        return 0;
    memcpy(p, "\202\245event\331 hotspot interacted (userguiding)\247payload" "\206", 50);
    p += 50;
    memcpy(p, "\246userId", 7);
    p = ugw__mp_put_str(p + 7, c.user_id.ptr, c.user_id.len);
    memcpy(p, "\247pageUrl", 8);
    p = ugw__mp_put_str(p + 8, c.page_url.ptr, c.page_url.len);
    memcpy(p, "\256hotspotGroupId", 15);
    p = ugw__mp_put_uint(p + 15, c.hotspot_group_id);
    memcpy(p, "\260hotspotGroupName", 17);
    p = ugw__mp_put_str(p + 17, c.hotspot_group_name.ptr, c.hotspot_group_name.len);
    memcpy(p, "\251hotspotId", 10);
    p = ugw__mp_put_str(p + 10, c.hotspot_id.ptr, c.hotspot_id.len);
    memcpy(p, "\254hotspotTitle", 13);
    p = ugw__mp_put_str(p + 13, c.hotspot_title.ptr, c.hotspot_title.len);
    return (size_t)(p - out);
}

static size_t ugw__hotspot_interaction_json_fast(const void *payload, char *out, size_t cap)
{
    const ugw_hotspot_interaction c = *(const ugw_hotspot_interaction *)payload;
    char *p = out;
    uint64_t need = 57 + 10 + 2 + 11 + 2 + 18 + 20 + 20 + 2 + 13 + 2 + 16 + 2;
    if (!(c.user_id.ptr && ugw__str_ok(c.user_id.ptr, c.user_id.len, INT64_C(1), INT64_C(256), false, true)))
        return 0;
    need += c.user_id.len;
    if (!(c.page_url.ptr && ugw__str_ok(c.page_url.ptr, c.page_url.len, INT64_C(0), INT64_C(2048), true, true)))
        return 0;
    need += c.page_url.len;
    if (!ugw__id_in(c.hotspot_group_id, INT64_C(0), INT64_C(9007199254740991)))
        return 0;
    if (!(c.hotspot_group_name.ptr && ugw__str_ok(c.hotspot_group_name.ptr, c.hotspot_group_name.len, INT64_C(0), INT64_C(512), false, true)))
        return 0;
    need += c.hotspot_group_name.len;
    if (!(c.hotspot_id.ptr && ugw__str_ok(c.hotspot_id.ptr, c.hotspot_id.len, INT64_C(0), INT64_C(512), false, true)))
        return 0;
    need += c.hotspot_id.len;
    if (!(c.hotspot_title.ptr && ugw__str_ok(c.hotspot_title.ptr, c.hotspot_title.len, INT64_C(0), INT64_C(512), false, true)))
        return 0;
    need += c.hotspot_title.len;
    if (need > cap)
        return 0;
    memcpy(p, "{\"event\":\"hotspot interacted (userguiding)\",\"payload\":{", 55);
    p += 55;
    memcpy(p, "\"userId\":" "\"", 10);
    p += 10;
    memcpy(p, c.user_id.ptr, c.user_id.len);
    p += c.user_id.len;
    *p++ = '"';
    memcpy(p, "," "\"pageUrl\":" "\"", 12);
    p += 12;
    memcpy(p, c.page_url.ptr, c.page_url.len);
    p += c.page_url.len;
    *p++ = '"';
    memcpy(p, "," "\"hotspotGroupId\":", 18);
    p += 18;
    p += ugw_fmt_u64(p, c.hotspot_group_id);
    memcpy(p, "," "\"hotspotGroupName\":" "\"", 21);
    p += 21;
    memcpy(p, c.hotspot_group_name.ptr, c.hotspot_group_name.len);
    p += c.hotspot_group_name.len;
    *p++ = '"';
    memcpy(p, "," "\"hotspotId\":" "\"", 14);
    p += 14;
    memcpy(p, c.hotspot_id.ptr, c.hotspot_id.len);
    p += c.hotspot_id.len;
    *p++ = '"';
    memcpy(p, "," "\"hotspotTitle\":" "\"", 17);
    p += 17;
    memcpy(p, c.hotspot_title.ptr, c.hotspot_title.len);
    p += c.hotspot_title.len;
    *p++ = '"';
    *p++ = '}';
    *p++ = '}';
    return (size_t)(p - out);
}

static bool ugw__hotspot_interaction_json_decode_fast(
    const char *in, const ugw_json_token *obj, const ugw_json_token *end, void *payload,
    ugw_json_scratch *sc)
{
    ugw_hotspot_interaction *v = (ugw_hotspot_interaction *)payload;
    const ugw_json_token *k = obj + 1;
    int at = obj->start + 1;
    int64_t n;
    ugw_str s;
    if (end - obj != 13)
        return false;
    /* userId */
    if (!(k[1].type == UGW__JSON_STRING && k[1].start == at + 10
        && k[0].type == UGW__JSON_STRING && k[0].start == at + 1
        && ugw__bytes_are(in + at, "\"userId\":", 9)))
        return false;
    if (!ugw__json_str_take(sc, in + k[1].start, (size_t)(k[1].end - k[1].start), INT64_C(1), INT64_C(256), false, &s))
        return false;
    v->user_id = s;
    at = k[1].end + 1;
    k += 2;
    /* pageUrl */
    if (!(k[1].type == UGW__JSON_STRING && k[1].start == at + 12
        && k[0].type == UGW__JSON_STRING && k[0].start == at + 2
        && ugw__bytes_are(in + at, "," "\"pageUrl\":", 11)))
        return false;
    if (!ugw__json_str_take(sc, in + k[1].start, (size_t)(k[1].end - k[1].start), INT64_C(0), INT64_C(2048), true, &s))
        return false;
    v->page_url = s;
    at = k[1].end + 1;
    k += 2;
    /* hotspotGroupId */
    if (!(k[1].type == UGW__JSON_PRIMITIVE && k[1].start == at + 18
        && k[0].type == UGW__JSON_STRING && k[0].start == at + 2
        && ugw__bytes_are(in + at, "," "\"hotspotGroupId\":", 18)))
        return false;
    if (!ugw__json_int(in + k[1].start, (size_t)(k[1].end - k[1].start), INT64_C(0), INT64_C(9007199254740991), &n))
        return false;
    v->hotspot_group_id = (uint64_t)n;
    at = k[1].end;
    k += 2;
    /* hotspotGroupName */
    if (!(k[1].type == UGW__JSON_STRING && k[1].start == at + 21
        && k[0].type == UGW__JSON_STRING && k[0].start == at + 2
        && ugw__bytes_are(in + at, "," "\"hotspotGroupName\":", 20)))
        return false;
    if (!ugw__json_str_take(sc, in + k[1].start, (size_t)(k[1].end - k[1].start), INT64_C(0), INT64_C(512), false, &s))
        return false;
    v->hotspot_group_name = s;
    at = k[1].end + 1;
    k += 2;
    /* hotspotId */
    if (!(k[1].type == UGW__JSON_STRING && k[1].start == at + 14
        && k[0].type == UGW__JSON_STRING && k[0].start == at + 2
        && ugw__bytes_are(in + at, "," "\"hotspotId\":", 13)))
        return false;
    if (!ugw__json_str_take(sc, in + k[1].start, (size_t)(k[1].end - k[1].start), INT64_C(0), INT64_C(512), false, &s))
        return false;
    v->hotspot_id = s;
    at = k[1].end + 1;
    k += 2;
    /* hotspotTitle */
    if (!(k[1].type == UGW__JSON_STRING && k[1].start == at + 17
        && k[0].type == UGW__JSON_STRING && k[0].start == at + 2
        && ugw__bytes_are(in + at, "," "\"hotspotTitle\":", 16)))
        return false;
    if (!ugw__json_str_take(sc, in + k[1].start, (size_t)(k[1].end - k[1].start), INT64_C(0), INT64_C(512), false, &s))
        return false;
    v->hotspot_title = s;
    at = k[1].end + 1;
    k += 2;
    return k == end && at + 1 == obj->end;
}


/* checklist_item_trigger */
static const char *const ugw__checklist_item_trigger_aliases[] = { "Checklist item trigger (userguiding)", NULL };
static const ugw_field_desc ugw__checklist_item_trigger_fields[] = {
    { .name = "userId", .path = "payload.userId",
      .json_key = "\"userId\":", .mp_key = "\246userId",
      .name_len = 6, .json_key_len = 9, .mp_key_len = 7,
      .type = UGW_TYPE_STRING, .required = true,
      .offset = offsetof(ugw_checklist_item_trigger, user_id),
      .has_offset = UGW_NO_HAS,
      .min = INT64_C(1), .max = INT64_C(256) },
    { .name = "pageUrl", .path = "payload.pageUrl",
      .json_key = "\"pageUrl\":", .mp_key = "\247pageUrl",
      .name_len = 7, .json_key_len = 10, .mp_key_len = 8,
      .type = UGW_TYPE_URL, .required = true,
      .offset = offsetof(ugw_checklist_item_trigger, page_url),
      .has_offset = UGW_NO_HAS,
      .min = INT64_C(0), .max = INT64_C(2048) },
    { .name = "checklistId", .path = "payload.checklistId",
      .json_key = "\"checklistId\":", .mp_key = "\253checklistId",
      .name_len = 11, .json_key_len = 14, .mp_key_len = 12,
      .type = UGW_TYPE_ID, .required = true,
      .offset = offsetof(ugw_checklist_item_trigger, checklist_id),
      .has_offset = UGW_NO_HAS,
      .min = INT64_C(0), .max = INT64_C(9007199254740991) },
    { .name = "checklistName", .path = "payload.checklistName",
      .json_key = "\"checklistName\":", .mp_key = "\255checklistName",
      .name_len = 13, .json_key_len = 16, .mp_key_len = 14,
      .type = UGW_TYPE_STRING, .required = true,
      .offset = offsetof(ugw_checklist_item_trigger, checklist_name),
      .has_offset = UGW_NO_HAS,
      .min = INT64_C(0), .max = INT64_C(512) },
    { .name = "guideId", .path = "payload.guideId",
      .json_key = "\"guideId\":", .mp_key = "\247guideId",
      .name_len = 7, .json_key_len = 10, .mp_key_len = 8,
      .type = UGW_TYPE_ID, .required = true,
      .offset = offsetof(ugw_checklist_item_trigger, guide_id),
      .has_offset = UGW_NO_HAS,
      .min = INT64_C(0), .max = INT64_C(9007199254740991) },
    { .name = "guideName", .path = "payload.guideName",
      .json_key = "\"guideName\":", .mp_key = "\251guideName",
      .name_len = 9, .json_key_len = 12, .mp_key_len = 10,
      .type = UGW_TYPE_STRING, .required = true,
      .offset = offsetof(ugw_checklist_item_trigger, guide_name),
      .has_offset = UGW_NO_HAS,
      .min = INT64_C(0), .max = INT64_C(512) },
};

/* checklist_item_trigger: the fast paths (every field string, url, id, int, bool) */
static bool ugw__checklist_item_trigger_validate_fast(const void *payload)
{
    const ugw_checklist_item_trigger *v = (const ugw_checklist_item_trigger *)payload;
    return true
           && (v->user_id.ptr && ugw__str_valid(v->user_id.ptr, v->user_id.len, INT64_C(1), INT64_C(256), false))
           && (v->page_url.ptr && ugw__str_valid(v->page_url.ptr, v->page_url.len, INT64_C(0), INT64_C(2048), true))
           && ugw__id_in(v->checklist_id, INT64_C(0), INT64_C(9007199254740991))
           && (v->checklist_name.ptr && ugw__str_valid(v->checklist_name.ptr, v->checklist_name.len, INT64_C(0), INT64_C(512), false))
           && ugw__id_in(v->guide_id, INT64_C(0), INT64_C(9007199254740991))
           && (v->guide_name.ptr && ugw__str_valid(v->guide_name.ptr, v->guide_name.len, INT64_C(0), INT64_C(512), false));
}

static size_t ugw__checklist_item_trigger_msgpack_fast(const void *payload, unsigned char *out, size_t cap)
{
    const ugw_checklist_item_trigger c = *(const ugw_checklist_item_trigger *)payload;
    unsigned char *p = out;
    uint64_t need = 56 + 7 + 3 + 8 + 3 + 12 + 9 + 14 + 3 + 8 + 9 + 10 + 3;
    if (!(c.user_id.ptr && ugw__str_valid(c.user_id.ptr, c.user_id.len, INT64_C(1), INT64_C(256), false)))
        return 0;
    need += c.user_id.len;
    if (!(c.page_url.ptr && ugw__str_valid(c.page_url.ptr, c.page_url.len, INT64_C(0), INT64_C(2048), true)))
        return 0;
    need += c.page_url.len;
    if (!ugw__id_in(c.checklist_id, INT64_C(0), INT64_C(9007199254740991)))
        return 0;
    if (!(c.checklist_name.ptr && ugw__str_valid(c.checklist_name.ptr, c.checklist_name.len, INT64_C(0), INT64_C(512), false)))
        return 0;
    need += c.checklist_name.len;
    if (!ugw__id_in(c.guide_id, INT64_C(0), INT64_C(9007199254740991)))
        return 0;
    if (!(c.guide_name.ptr && ugw__str_valid(c.guide_name.ptr, c.guide_name.len, INT64_C(0), INT64_C(512), false)))
        return 0;
    need += c.guide_name.len;
    if (need > cap)
        return 0;
    memcpy(p, "\202\245event\331&checklist item triggered (userguiding)\247payload" "\206", 56);
    p += 56;
    memcpy(p, "\246userId", 7);
    p = ugw__mp_put_str(p + 7, c.user_id.ptr, c.user_id.len);
    memcpy(p, "\247pageUrl", 8);
    p = ugw__mp_put_str(p + 8, c.page_url.ptr, c.page_url.len);
    memcpy(p, "\253checklistId", 12);
    p = ugw__mp_put_uint(p + 12, c.checklist_id);
    memcpy(p, "\255checklistName", 14);
    p = ugw__mp_put_str(p + 14, c.checklist_name.ptr, c.checklist_name.len);
    memcpy(p, "\247guideId", 8);
    p = ugw__mp_put_uint(p + 8, c.guide_id);
    memcpy(p, "\251guideName", 10);
    p = ugw__mp_put_str(p + 10, c.guide_name.ptr, c.guide_name.len);
    return (size_t)(p - out);
}

static size_t ugw__checklist_item_trigger_json_fast(const void *payload, char *out, size_t cap)
{
    const ugw_checklist_item_trigger c = *(const ugw_checklist_item_trigger *)payload;
    char *p = out;
    uint64_t need = 63 + 10 + 2 + 11 + 2 + 15 + 20 + 17 + 2 + 11 + 20 + 13 + 2;
    if (!(c.user_id.ptr && ugw__str_ok(c.user_id.ptr, c.user_id.len, INT64_C(1), INT64_C(256), false, true)))
        return 0;
    need += c.user_id.len;
    if (!(c.page_url.ptr && ugw__str_ok(c.page_url.ptr, c.page_url.len, INT64_C(0), INT64_C(2048), true, true)))
        return 0;
    need += c.page_url.len;
    if (!ugw__id_in(c.checklist_id, INT64_C(0), INT64_C(9007199254740991)))
        return 0;
    if (!(c.checklist_name.ptr && ugw__str_ok(c.checklist_name.ptr, c.checklist_name.len, INT64_C(0), INT64_C(512), false, true)))
        return 0;
    need += c.checklist_name.len;
    if (!ugw__id_in(c.guide_id, INT64_C(0), INT64_C(9007199254740991)))
        return 0;
    if (!(c.guide_name.ptr && ugw__str_ok(c.guide_name.ptr, c.guide_name.len, INT64_C(0), INT64_C(512), false, true)))
        return 0;
    need += c.guide_name.len;
    if (need > cap)
        return 0;
    memcpy(p, "{\"event\":\"checklist item triggered (userguiding)\",\"payload\":{", 61);
    p += 61;
    memcpy(p, "\"userId\":" "\"", 10);
    p += 10;
    memcpy(p, c.user_id.ptr, c.user_id.len);
    p += c.user_id.len;
    *p++ = '"';
    memcpy(p, "," "\"pageUrl\":" "\"", 12);
    p += 12;
    memcpy(p, c.page_url.ptr, c.page_url.len);
    p += c.page_url.len;
    *p++ = '"';
    memcpy(p, "," "\"checklistId\":", 15);
    p += 15;
    p += ugw_fmt_u64(p, c.checklist_id);
    memcpy(p, "," "\"checklistName\":" "\"", 18);
    p += 18;
    memcpy(p, c.checklist_name.ptr, c.checklist_name.len);
    p += c.checklist_name.len;
    *p++ = '"';
    memcpy(p, "," "\"guideId\":", 11);
    p += 11;
    p += ugw_fmt_u64(p, c.guide_id);
    memcpy(p, "," "\"guideName\":" "\"", 14);
    p += 14;
    memcpy(p, c.guide_name.ptr, c.guide_name.len);
    p += c.guide_name.len;
    *p++ = '"';
    *p++ = '}';
    *p++ = '}';
    return (size_t)(p - out);
}

static bool ugw__checklist_item_trigger_json_decode_fast(
    const char *in, const ugw_json_token *obj, const ugw_json_token *end, void *payload,
    ugw_json_scratch *sc)
{
    ugw_checklist_item_trigger *v = (ugw_checklist_item_trigger *)payload;
    const ugw_json_token *k = obj + 1;
    int at = obj->start + 1;
    int64_t n;
    ugw_str s;
    if (end - obj != 13)
        return false;
    /* userId */
    if (!(k[1].type == UGW__JSON_STRING && k[1].start == at + 10
        && k[0].type == UGW__JSON_STRING && k[0].start == at + 1
        && ugw__bytes_are(in + at, "\"userId\":", 9)))
        return false;
    if (!ugw__json_str_take(sc, in + k[1].start, (size_t)(k[1].end - k[1].start), INT64_C(1), INT64_C(256), false, &s))
        return false;
    v->user_id = s;
    at = k[1].end + 1;
    k += 2;
    /* pageUrl */
    if (!(k[1].type == UGW__JSON_STRING && k[1].start == at + 12
        && k[0].type == UGW__JSON_STRING && k[0].start == at + 2
        && ugw__bytes_are(in + at, "," "\"pageUrl\":", 11)))
        return false;
    if (!ugw__json_str_take(sc, in + k[1].start, (size_t)(k[1].end - k[1].start), INT64_C(0), INT64_C(2048), true, &s))
        return false;
    v->page_url = s;
    at = k[1].end + 1;
    k += 2;
    /* checklistId */
    if (!(k[1].type == UGW__JSON_PRIMITIVE && k[1].start == at + 15
        && k[0].type == UGW__JSON_STRING && k[0].start == at + 2
        && ugw__bytes_are(in + at, "," "\"checklistId\":", 15)))
        return false;
    if (!ugw__json_int(in + k[1].start, (size_t)(k[1].end - k[1].start), INT64_C(0), INT64_C(9007199254740991), &n))
        return false;
    v->checklist_id = (uint64_t)n;
    at = k[1].end;
    k += 2;
    /* checklistName */
    if (!(k[1].type == UGW__JSON_STRING && k[1].start == at + 18
        && k[0].type == UGW__JSON_STRING && k[0].start == at + 2
        && ugw__bytes_are(in + at, "," "\"checklistName\":", 17)))
        return false;
    if (!ugw__json_str_take(sc, in + k[1].start, (size_t)(k[1].end - k[1].start), INT64_C(0), INT64_C(512), false, &s))
        return false;
    v->checklist_name = s;
    at = k[1].end + 1;
    k += 2;
    /* guideId */
    if (!(k[1].type == UGW__JSON_PRIMITIVE && k[1].start == at + 11
        && k[0].type == UGW__JSON_STRING && k[0].start == at + 2
        && ugw__bytes_are(in + at, "," "\"guideId\":", 11)))
        return false;
    if (!ugw__json_int(in + k[1].start, (size_t)(k[1].end - k[1].start), INT64_C(0), INT64_C(9007199254740991), &n))
        return false;
    v->guide_id = (uint64_t)n;
    at = k[1].end;
    k += 2;
    /* guideName */
    if (!(k[1].type == UGW__JSON_STRING && k[1].start == at + 14
        && k[0].type == UGW__JSON_STRING && k[0].start == at + 2
        && ugw__bytes_are(in + at, "," "\"guideName\":", 13)))
        return false;
    if (!ugw__json_str_take(sc, in + k[1].start, (size_t)(k[1].end - k[1].start), INT64_C(0), INT64_C(512), false, &s))
        return false;
    v->guide_name = s;
    at = k[1].end + 1;
    k += 2;
    return k == end && at + 1 == obj->end;
}


/* resource_center_guide_trigger */
static const char *const ugw__resource_center_guide_trigger_aliases[] = { "Resource center guide trigger (userguiding)", NULL };
static const ugw_field_desc ugw__resource_center_guide_trigger_fields[] = {
    { .name = "userId", .path = "payload.userId",
      .json_key = "\"userId\":", .mp_key = "\246userId",
      .name_len = 6, .json_key_len = 9, .mp_key_len = 7,
      .type = UGW_TYPE_STRING, .required = true,
      .offset = offsetof(ugw_resource_center_guide_trigger, user_id),
      .has_offset = UGW_NO_HAS,
      .min = INT64_C(1), .max = INT64_C(256) },
    { .name = "pageUrl", .path = "payload.pageUrl",
      .json_key = "\"pageUrl\":", .mp_key = "\247pageUrl",
      .name_len = 7, .json_key_len = 10, .mp_key_len = 8,
      .type = UGW_TYPE_URL, .required = true,
      .offset = offsetof(ugw_resource_center_guide_trigger, page_url),
      .has_offset = UGW_NO_HAS,
      .min = INT64_C(0), .max = INT64_C(2048) },
    { .name = "resourceCenterId", .path = "payload.resourceCenterId",
      .json_key = "\"resourceCenterId\":", .mp_key = "\260resourceCenterId",
      .name_len = 16, .json_key_len = 19, .mp_key_len = 17,
      .type = UGW_TYPE_ID, .required = true,
      .offset = offsetof(ugw_resource_center_guide_trigger, resource_center_id),
      .has_offset = UGW_NO_HAS,
      .min = INT64_C(0), .max = INT64_C(9007199254740991) },
    { .name = "resourceCenterName", .path = "payload.resourceCenterName",
      .json_key = "\"resourceCenterName\":", .mp_key = "\262resourceCenterName",
      .name_len = 18, .json_key_len = 21, .mp_key_len = 19,
      .type = UGW_TYPE_STRING, .required = true,
      .offset = offsetof(ugw_resource_center_guide_trigger, resource_center_name),
      .has_offset = UGW_NO_HAS,
      .min = INT64_C(0), .max = INT64_C(512) },
    { .name = "guideId", .path = "payload.guideId",
      .json_key = "\"guideId\":", .mp_key = "\247guideId",
      .name_len = 7, .json_key_len = 10, .mp_key_len = 8,
      .type = UGW_TYPE_ID, .required = true,
      .offset = offsetof(ugw_resource_center_guide_trigger, guide_id),
      .has_offset = UGW_NO_HAS,
      .min = INT64_C(0), .max = INT64_C(9007199254740991) },
    { .name = "guideName", .path = "payload.guideName",
      .json_key = "\"guideName\":", .mp_key = "\251guideName",
      .name_len = 9, .json_key_len = 12, .mp_key_len = 10,
      .type = UGW_TYPE_STRING, .required = true,
      .offset = offsetof(ugw_resource_center_guide_trigger, guide_name),
      .has_offset = UGW_NO_HAS,
      .min = INT64_C(0), .max = INT64_C(512) },
};

/* resource_center_guide_trigger: the fast paths (every field string, url, id, int, bool) */
static bool ugw__resource_center_guide_trigger_validate_fast(const void *payload)
{
    const ugw_resource_center_guide_trigger *v = (const ugw_resource_center_guide_trigger *)payload;
    return true
           && (v->user_id.ptr && ugw__str_valid(v->user_id.ptr, v->user_id.len, INT64_C(1), INT64_C(256), false))
           && (v->page_url.ptr && ugw__str_valid(v->page_url.ptr, v->page_url.len, INT64_C(0), INT64_C(2048), true))
           && ugw__id_in(v->resource_center_id, INT64_C(0), INT64_C(9007199254740991))
           && (v->resource_center_name.ptr && ugw__str_valid(v->resource_center_name.ptr, v->resource_center_name.len, INT64_C(0), INT64_C(512), false))
           && ugw__id_in(v->guide_id, INT64_C(0), INT64_C(9007199254740991))
           && (v->guide_name.ptr && ugw__str_valid(v->guide_name.ptr, v->guide_name.len, INT64_C(0), INT64_C(512), false));
}

static size_t ugw__resource_center_guide_trigger_msgpack_fast(const void *payload, unsigned char *out, size_t cap)
{
    const ugw_resource_center_guide_trigger c = *(const ugw_resource_center_guide_trigger *)payload;
    unsigned char *p = out;
    uint64_t need = 63 + 7 + 3 + 8 + 3 + 17 + 9 + 19 + 3 + 8 + 9 + 10 + 3;
    if (!(c.user_id.ptr && ugw__str_valid(c.user_id.ptr, c.user_id.len, INT64_C(1), INT64_C(256), false)))
        return 0;
    need += c.user_id.len;
    if (!(c.page_url.ptr && ugw__str_valid(c.page_url.ptr, c.page_url.len, INT64_C(0), INT64_C(2048), true)))
        return 0;
    need += c.page_url.len;
    if (!ugw__id_in(c.resource_center_id, INT64_C(0), INT64_C(9007199254740991)))
        return 0;
    if (!(c.resource_center_name.ptr && ugw__str_valid(c.resource_center_name.ptr, c.resource_center_name.len, INT64_C(0), INT64_C(512), false)))
        return 0;
    need += c.resource_center_name.len;
    if (!ugw__id_in(c.guide_id, INT64_C(0), INT64_C(9007199254740991)))
        return 0;
    if (!(c.guide_name.ptr && ugw__str_valid(c.guide_name.ptr, c.guide_name.len, INT64_C(0), INT64_C(512), false)))
        return 0;
    need += c.guide_name.len;
    if (need > cap)
        return 0;
    memcpy(p, "\202\245event\331-resource center guide triggered (userguiding)\247payload" "\206", 63);
    p += 63;
    memcpy(p, "\246userId", 7);
    p = ugw__mp_put_str(p + 7, c.user_id.ptr, c.user_id.len);
    memcpy(p, "\247pageUrl", 8);
    p = ugw__mp_put_str(p + 8, c.page_url.ptr, c.page_url.len);
    memcpy(p, "\260resourceCenterId", 17);
    p = ugw__mp_put_uint(p + 17, c.resource_center_id);
    memcpy(p, "\262resourceCenterName", 19);
    p = ugw__mp_put_str(p + 19, c.resource_center_name.ptr, c.resource_center_name.len);
    memcpy(p, "\247guideId", 8);
    p = ugw__mp_put_uint(p + 8, c.guide_id);
    memcpy(p, "\251guideName", 10);
    p = ugw__mp_put_str(p + 10, c.guide_name.ptr, c.guide_name.len);
    return (size_t)(p - out);
}

static size_t ugw__resource_center_guide_trigger_json_fast(const void *payload, char *out, size_t cap)
{
    const ugw_resource_center_guide_trigger c = *(const ugw_resource_center_guide_trigger *)payload;
    char *p = out;
    uint64_t need = 70 + 10 + 2 + 11 + 2 + 20 + 20 + 22 + 2 + 11 + 20 + 13 + 2;
    if (!(c.user_id.ptr && ugw__str_ok(c.user_id.ptr, c.user_id.len, INT64_C(1), INT64_C(256), false, true)))
        return 0;
    need += c.user_id.len;
    if (!(c.page_url.ptr && ugw__str_ok(c.page_url.ptr, c.page_url.len, INT64_C(0), INT64_C(2048), true, true)))
        return 0;
    need += c.page_url.len;
    if (!ugw__id_in(c.resource_center_id, INT64_C(0), INT64_C(9007199254740991)))
        return 0;
    if (!(c.resource_center_name.ptr && ugw__str_ok(c.resource_center_name.ptr, c.resource_center_name.len, INT64_C(0), INT64_C(512), false, true)))
        return 0;
    need += c.resource_center_name.len;
    if (!ugw__id_in(c.guide_id, INT64_C(0), INT64_C(9007199254740991)))
        return 0;
    if (!(c.guide_name.ptr && ugw__str_ok(c.guide_name.ptr, c.guide_name.len, INT64_C(0), INT64_C(512), false, true)))
        return 0;
    need += c.guide_name.len;
    if (need > cap)
        return 0;
    memcpy(p, "{\"event\":\"resource center guide triggered (userguiding)\",\"payload\":{", 68);
    p += 68;
    memcpy(p, "\"userId\":" "\"", 10);
    p += 10;
    memcpy(p, c.user_id.ptr, c.user_id.len);
    p += c.user_id.len;
    *p++ = '"';
    memcpy(p, "," "\"pageUrl\":" "\"", 12);
    p += 12;
    memcpy(p, c.page_url.ptr, c.page_url.len);
    p += c.page_url.len;
    *p++ = '"';
    memcpy(p, "," "\"resourceCenterId\":", 20);
    p += 20;
    p += ugw_fmt_u64(p, c.resource_center_id);
    memcpy(p, "," "\"resourceCenterName\":" "\"", 23);
    p += 23;
    memcpy(p, c.resource_center_name.ptr, c.resource_center_name.len);
    p += c.resource_center_name.len;
    *p++ = '"';
    memcpy(p, "," "\"guideId\":", 11);
    p += 11;
    p += ugw_fmt_u64(p, c.guide_id);
    memcpy(p, "," "\"guideName\":" "\"", 14);
    p += 14;
    memcpy(p, c.guide_name.ptr, c.guide_name.len);
    p += c.guide_name.len;
    *p++ = '"';
    *p++ = '}';
    *p++ = '}';
    return (size_t)(p - out);
}

static bool ugw__resource_center_guide_trigger_json_decode_fast(
    const char *in, const ugw_json_token *obj, const ugw_json_token *end, void *payload,
    ugw_json_scratch *sc)
{
    ugw_resource_center_guide_trigger *v = (ugw_resource_center_guide_trigger *)payload;
    const ugw_json_token *k = obj + 1;
    int at = obj->start + 1;
    int64_t n;
    ugw_str s;
    if (end - obj != 13)
        return false;
    /* userId */
    if (!(k[1].type == UGW__JSON_STRING && k[1].start == at + 10
        && k[0].type == UGW__JSON_STRING && k[0].start == at + 1
        && ugw__bytes_are(in + at, "\"userId\":", 9)))
        return false;
    if (!ugw__json_str_take(sc, in + k[1].start, (size_t)(k[1].end - k[1].start), INT64_C(1), INT64_C(256), false, &s))
        return false;
    v->user_id = s;
    at = k[1].end + 1;
    k += 2;
    /* pageUrl */
    if (!(k[1].type == UGW__JSON_STRING && k[1].start == at + 12
        && k[0].type == UGW__JSON_STRING && k[0].start == at + 2
        && ugw__bytes_are(in + at, "," "\"pageUrl\":", 11)))
        return false;
    if (!ugw__json_str_take(sc, in + k[1].start, (size_t)(k[1].end - k[1].start), INT64_C(0), INT64_C(2048), true, &s))
        return false;
    v->page_url = s;
    at = k[1].end + 1;
    k += 2;
    /* resourceCenterId */
    if (!(k[1].type == UGW__JSON_PRIMITIVE && k[1].start == at + 20
        && k[0].type == UGW__JSON_STRING && k[0].start == at + 2
        && ugw__bytes_are(in + at, "," "\"resourceCenterId\":", 20)))
        return false;
    if (!ugw__json_int(in + k[1].start, (size_t)(k[1].end - k[1].start), INT64_C(0), INT64_C(9007199254740991), &n))
        return false;
    v->resource_center_id = (uint64_t)n;
    at = k[1].end;
    k += 2;
    /* resourceCenterName */
    if (!(k[1].type == UGW__JSON_STRING && k[1].start == at + 23
        && k[0].type == UGW__JSON_STRING && k[0].start == at + 2
        && ugw__bytes_are(in + at, "," "\"resourceCenterName\":", 22)))
        return false;
    if (!ugw__json_str_take(sc, in + k[1].start, (size_t)(k[1].end - k[1].start), INT64_C(0), INT64_C(512), false, &s))
        return false;
    v->resource_center_name = s;
    at = k[1].end + 1;
    k += 2;
    /* guideId */
    if (!(k[1].type == UGW__JSON_PRIMITIVE && k[1].start == at + 11
        && k[0].type == UGW__JSON_STRING && k[0].start == at + 2
        && ugw__bytes_are(in + at, "," "\"guideId\":", 11)))
        return false;
    if (!ugw__json_int(in + k[1].start, (size_t)(k[1].end - k[1].start), INT64_C(0), INT64_C(9007199254740991), &n))
        return false;
    v->guide_id = (uint64_t)n;
    at = k[1].end;
    k += 2;
    /* guideName */
    if (!(k[1].type == UGW__JSON_STRING && k[1].start == at + 14
        && k[0].type == UGW__JSON_STRING && k[0].start == at + 2
        && ugw__bytes_are(in + at, "," "\"guideName\":", 13)))
        return false;
    if (!ugw__json_str_take(sc, in + k[1].start, (size_t)(k[1].end - k[1].start), INT64_C(0), INT64_C(512), false, &s))
        return false;
    v->guide_name = s;
    at = k[1].end + 1;
    k += 2;
    return k == end && at + 1 == obj->end;
}


/* resource_center_checklist_guide_trigger */
static const char *const ugw__resource_center_checklist_guide_trigger_aliases[] = { "Resource center checklist guide trigger (userguiding)", NULL };
static const ugw_field_desc ugw__resource_center_checklist_guide_trigger_fields[] = {
    { .name = "userId", .path = "payload.userId",
      .json_key = "\"userId\":", .mp_key = "\246userId",
      .name_len = 6, .json_key_len = 9, .mp_key_len = 7,
      .type = UGW_TYPE_STRING, .required = true,
      .offset = offsetof(ugw_resource_center_checklist_guide_trigger, user_id),
      .has_offset = UGW_NO_HAS,
      .min = INT64_C(1), .max = INT64_C(256) },
    { .name = "pageUrl", .path = "payload.pageUrl",
      .json_key = "\"pageUrl\":", .mp_key = "\247pageUrl",
      .name_len = 7, .json_key_len = 10, .mp_key_len = 8,
      .type = UGW_TYPE_URL, .required = true,
      .offset = offsetof(ugw_resource_center_checklist_guide_trigger, page_url),
      .has_offset = UGW_NO_HAS,
      .min = INT64_C(0), .max = INT64_C(2048) },
    { .name = "resourceCenterId", .path = "payload.resourceCenterId",
      .json_key = "\"resourceCenterId\":", .mp_key = "\260resourceCenterId",
      .name_len = 16, .json_key_len = 19, .mp_key_len = 17,
      .type = UGW_TYPE_ID, .required = true,
      .offset = offsetof(ugw_resource_center_checklist_guide_trigger, resource_center_id),
      .has_offset = UGW_NO_HAS,
      .min = INT64_C(0), .max = INT64_C(9007199254740991) },
    { .name = "resourceCenterName", .path = "payload.resourceCenterName",
      .json_key = "\"resourceCenterName\":", .mp_key = "\262resourceCenterName",
      .name_len = 18, .json_key_len = 21, .mp_key_len = 19,
      .type = UGW_TYPE_STRING, .required = true,
      .offset = offsetof(ugw_resource_center_checklist_guide_trigger, resource_center_name),
      .has_offset = UGW_NO_HAS,
      .min = INT64_C(0), .max = INT64_C(512) },
    { .name = "checklistId", .path = "payload.checklistId",
      .json_key = "\"checklistId\":", .mp_key = "\253checklistId",
      .name_len = 11, .json_key_len = 14, .mp_key_len = 12,
      .type = UGW_TYPE_ID, .required = true,
      .offset = offsetof(ugw_resource_center_checklist_guide_trigger, checklist_id),
      .has_offset = UGW_NO_HAS,
      .min = INT64_C(0), .max = INT64_C(9007199254740991) },
    { .name = "checklistName", .path = "payload.checklistName",
      .json_key = "\"checklistName\":", .mp_key = "\255checklistName",
      .name_len = 13, .json_key_len = 16, .mp_key_len = 14,
      .type = UGW_TYPE_STRING, .required = true,
      .offset = offsetof(ugw_resource_center_checklist_guide_trigger, checklist_name),
      .has_offset = UGW_NO_HAS,
      .min = INT64_C(0), .max = INT64_C(512) },
    { .name = "guideId", .path = "payload.guideId",
      .json_key = "\"guideId\":", .mp_key = "\247guideId",
      .name_len = 7, .json_key_len = 10, .mp_key_len = 8,
      .type = UGW_TYPE_ID, .required = true,
      .offset = offsetof(ugw_resource_center_checklist_guide_trigger, guide_id),
      .has_offset = UGW_NO_HAS,
      .min = INT64_C(0), .max = INT64_C(9007199254740991) },
    { .name = "guideName", .path = "payload.guideName",
      .json_key = "\"guideName\":", .mp_key = "\251guideName",
      .name_len = 9, .json_key_len = 12, .mp_key_len = 10,
      .type = UGW_TYPE_STRING, .required = true,
      .offset = offsetof(ugw_resource_center_checklist_guide_trigger, guide_name),
      .has_offset = UGW_NO_HAS,
      .min = INT64_C(0), .max = INT64_C(512) },
};

/* resource_center_checklist_guide_trigger: the fast paths (every field string, url, id, int, bool) */
static bool ugw__resource_center_checklist_guide_trigger_validate_fast(const void *payload)
{
    const ugw_resource_center_checklist_guide_trigger *v = (const ugw_resource_center_checklist_guide_trigger *)payload;
    return true
           && (v->user_id.ptr && ugw__str_valid(v->user_id.ptr, v->user_id.len, INT64_C(1), INT64_C(256), false))
           && (v->page_url.ptr && ugw__str_valid(v->page_url.ptr, v->page_url.len, INT64_C(0), INT64_C(2048), true))
           && ugw__id_in(v->resource_center_id, INT64_C(0), INT64_C(9007199254740991))
           && (v->resource_center_name.ptr && ugw__str_valid(v->resource_center_name.ptr, v->resource_center_name.len, INT64_C(0), INT64_C(512), false))
           && ugw__id_in(v->checklist_id, INT64_C(0), INT64_C(9007199254740991))
           && (v->checklist_name.ptr && ugw__str_valid(v->checklist_name.ptr, v->checklist_name.len, INT64_C(0), INT64_C(512), false))
           && ugw__id_in(v->guide_id, INT64_C(0), INT64_C(9007199254740991))
           && (v->guide_name.ptr && ugw__str_valid(v->guide_name.ptr, v->guide_name.len, INT64_C(0), INT64_C(512), false));
}

static size_t ugw__resource_center_checklist_guide_trigger_msgpack_fast(const void *payload, unsigned char *out, size_t cap)
{
    const ugw_resource_center_checklist_guide_trigger c = *(const ugw_resource_center_checklist_guide_trigger *)payload;
    unsigned char *p = out;
    uint64_t need = 73 + 7 + 3 + 8 + 3 + 17 + 9 + 19 + 3 + 12 + 9 + 14 + 3 + 8 + 9 + 10 + 3;
    if (!(c.user_id.ptr && ugw__str_valid(c.user_id.ptr, c.user_id.len, INT64_C(1), INT64_C(256), false)))
        return 0;
    need += c.user_id.len;
    if (!(c.page_url.ptr && ugw__str_valid(c.page_url.ptr, c.page_url.len, INT64_C(0), INT64_C(2048), true)))
        return 0;
    need += c.page_url.len;
    if (!ugw__id_in(c.resource_center_id, INT64_C(0), INT64_C(9007199254740991)))
        return 0;
    if (!(c.resource_center_name.ptr && ugw__str_valid(c.resource_center_name.ptr, c.resource_center_name.len, INT64_C(0), INT64_C(512), false)))
        return 0;
    need += c.resource_center_name.len;
    if (!ugw__id_in(c.checklist_id, INT64_C(0), INT64_C(9007199254740991)))
        return 0;
    if (!(c.checklist_name.ptr && ugw__str_valid(c.checklist_name.ptr, c.checklist_name.len, INT64_C(0), INT64_C(512), false)))
        return 0;
    need += c.checklist_name.len;
    if (!ugw__id_in(c.guide_id, INT64_C(0), INT64_C(9007199254740991)))
        return 0;
    if (!(c.guide_name.ptr && ugw__str_valid(c.guide_name.ptr, c.guide_name.len, INT64_C(0), INT64_C(512), false)))
        return 0;
    need += c.guide_name.len;
    if (need > cap)
        return 0;
    memcpy(p, "\202\245event\3317resource center checklist guide triggered (userguiding)\247payload" "\210", 73);
    p += 73;
    memcpy(p, "\246userId", 7);
    p = ugw__mp_put_str(p + 7, c.user_id.ptr, c.user_id.len);
    memcpy(p, "\247pageUrl", 8);
    p = ugw__mp_put_str(p + 8, c.page_url.ptr, c.page_url.len);
    memcpy(p, "\260resourceCenterId", 17);
    p = ugw__mp_put_uint(p + 17, c.resource_center_id);
    memcpy(p, "\262resourceCenterName", 19);
    p = ugw__mp_put_str(p + 19, c.resource_center_name.ptr, c.resource_center_name.len);
    memcpy(p, "\253checklistId", 12);
    p = ugw__mp_put_uint(p + 12, c.checklist_id);
    memcpy(p, "\255checklistName", 14);
    p = ugw__mp_put_str(p + 14, c.checklist_name.ptr, c.checklist_name.len);
    memcpy(p, "\247guideId", 8);
    p = ugw__mp_put_uint(p + 8, c.guide_id);
    memcpy(p, "\251guideName", 10);
    p = ugw__mp_put_str(p + 10, c.guide_name.ptr, c.guide_name.len);
    return (size_t)(p - out);
}

static size_t ugw__resource_center_checklist_guide_trigger_json_fast(const void *payload, char *out, size_t cap)
{
    const ugw_resource_center_checklist_guide_trigger c = *(const ugw_resource_center_checklist_guide_trigger *)payload;
    char *p = out;
    uint64_t need = 80 + 10 + 2 + 11 + 2 + 20 + 20 + 22 + 2 + 15 + 20 + 17 + 2 + 11 + 20 + 13 + 2;
    if (!(c.user_id.ptr && ugw__str_ok(c.user_id.ptr, c.user_id.len, INT64_C(1), INT64_C(256), false, true)))
        return 0;
    need += c.user_id.len;
    if (!(c.page_url.ptr && ugw__str_ok(c.page_url.ptr, c.page_url.len, INT64_C(0), INT64_C(2048), true, true)))
        return 0;
    need += c.page_url.len;
    if (!ugw__id_in(c.resource_center_id, INT64_C(0), INT64_C(9007199254740991)))
        return 0;
    if (!(c.resource_center_name.ptr && ugw__str_ok(c.resource_center_name.ptr, c.resource_center_name.len, INT64_C(0), INT64_C(512), false, true)))
        return 0;
    need += c.resource_center_name.len;
    if (!ugw__id_in(c.checklist_id, INT64_C(0), INT64_C(9007199254740991)))
        return 0;
    if (!(c.checklist_name.ptr && ugw__str_ok(c.checklist_name.ptr, c.checklist_name.len, INT64_C(0), INT64_C(512), false, true)))
        return 0;
    need += c.checklist_name.len;
    if (!ugw__id_in(c.guide_id, INT64_C(0), INT64_C(9007199254740991)))
        return 0;
    if (!(c.guide_name.ptr && ugw__str_ok(c.guide_name.ptr, c.guide_name.len, INT64_C(0), INT64_C(512), false, true)))
        return 0;
    need += c.guide_name.len;
    if (need > cap)
        return 0;
    memcpy(p, "{\"event\":\"resource center checklist guide triggered (userguiding)\",\"payload\":{", 78);
    p += 78;
    memcpy(p, "\"userId\":" "\"", 10);
    p += 10;
    memcpy(p, c.user_id.ptr, c.user_id.len);
    p += c.user_id.len;
    *p++ = '"';
    memcpy(p, "," "\"pageUrl\":" "\"", 12);
    p += 12;
    memcpy(p, c.page_url.ptr, c.page_url.len);
    p += c.page_url.len;
    *p++ = '"';
    memcpy(p, "," "\"resourceCenterId\":", 20);
    p += 20;
    p += ugw_fmt_u64(p, c.resource_center_id);
    memcpy(p, "," "\"resourceCenterName\":" "\"", 23);
    p += 23;
    memcpy(p, c.resource_center_name.ptr, c.resource_center_name.len);
    p += c.resource_center_name.len;
    *p++ = '"';
    memcpy(p, "," "\"checklistId\":", 15);
    p += 15;
    p += ugw_fmt_u64(p, c.checklist_id);
    memcpy(p, "," "\"checklistName\":" "\"", 18);
    p += 18;
    memcpy(p, c.checklist_name.ptr, c.checklist_name.len);
    p += c.checklist_name.len;
    *p++ = '"';
    memcpy(p, "," "\"guideId\":", 11);
    p += 11;
    p += ugw_fmt_u64(p, c.guide_id);
    memcpy(p, "," "\"guideName\":" "\"", 14);
    p += 14;
    memcpy(p, c.guide_name.ptr, c.guide_name.len);
    p += c.guide_name.len;
    *p++ = '"';
    *p++ = '}';
    *p++ = '}';
    return (size_t)(p - out);
}

static bool ugw__resource_center_checklist_guide_trigger_json_decode_fast(
    const char *in, const ugw_json_token *obj, const ugw_json_token *end, void *payload,
    ugw_json_scratch *sc)
{
    ugw_resource_center_checklist_guide_trigger *v = (ugw_resource_center_checklist_guide_trigger *)payload;
    const ugw_json_token *k = obj + 1;
    int at = obj->start + 1;
    int64_t n;
    ugw_str s;
    if (end - obj != 17)
        return false;
    /* userId */
    if (!(k[1].type == UGW__JSON_STRING && k[1].start == at + 10
        && k[0].type == UGW__JSON_STRING && k[0].start == at + 1
        && ugw__bytes_are(in + at, "\"userId\":", 9)))
        return false;
    if (!ugw__json_str_take(sc, in + k[1].start, (size_t)(k[1].end - k[1].start), INT64_C(1), INT64_C(256), false, &s))
        return false;
    v->user_id = s;
    at = k[1].end + 1;
    k += 2;
    /* pageUrl */
    if (!(k[1].type == UGW__JSON_STRING && k[1].start == at + 12
        && k[0].type == UGW__JSON_STRING && k[0].start == at + 2
        && ugw__bytes_are(in + at, "," "\"pageUrl\":", 11)))
        return false;
    if (!ugw__json_str_take(sc, in + k[1].start, (size_t)(k[1].end - k[1].start), INT64_C(0), INT64_C(2048), true, &s))
        return false;
    v->page_url = s;
    at = k[1].end + 1;
    k += 2;
    /* resourceCenterId */
    if (!(k[1].type == UGW__JSON_PRIMITIVE && k[1].start == at + 20
        && k[0].type == UGW__JSON_STRING && k[0].start == at + 2
        && ugw__bytes_are(in + at, "," "\"resourceCenterId\":", 20)))
        return false;
    if (!ugw__json_int(in + k[1].start, (size_t)(k[1].end - k[1].start), INT64_C(0), INT64_C(9007199254740991), &n))
        return false;
    v->resource_center_id = (uint64_t)n;
    at = k[1].end;
    k += 2;
    /* resourceCenterName */
    if (!(k[1].type == UGW__JSON_STRING && k[1].start == at + 23
        && k[0].type == UGW__JSON_STRING && k[0].start == at + 2
        && ugw__bytes_are(in + at, "," "\"resourceCenterName\":", 22)))
        return false;
    if (!ugw__json_str_take(sc, in + k[1].start, (size_t)(k[1].end - k[1].start), INT64_C(0), INT64_C(512), false, &s))
        return false;
    v->resource_center_name = s;
    at = k[1].end + 1;
    k += 2;
    /* checklistId */
    if (!(k[1].type == UGW__JSON_PRIMITIVE && k[1].start == at + 15
        && k[0].type == UGW__JSON_STRING && k[0].start == at + 2
        && ugw__bytes_are(in + at, "," "\"checklistId\":", 15)))
        return false;
    if (!ugw__json_int(in + k[1].start, (size_t)(k[1].end - k[1].start), INT64_C(0), INT64_C(9007199254740991), &n))
        return false;
    v->checklist_id = (uint64_t)n;
    at = k[1].end;
    k += 2;
    /* checklistName */
    if (!(k[1].type == UGW__JSON_STRING && k[1].start == at + 18
        && k[0].type == UGW__JSON_STRING && k[0].start == at + 2
        && ugw__bytes_are(in + at, "," "\"checklistName\":", 17)))
        return false;
    if (!ugw__json_str_take(sc, in + k[1].start, (size_t)(k[1].end - k[1].start), INT64_C(0), INT64_C(512), false, &s))
        return false;
    v->checklist_name = s;
    at = k[1].end + 1;
    k += 2;
    /* guideId */
    if (!(k[1].type == UGW__JSON_PRIMITIVE && k[1].start == at + 11
        && k[0].type == UGW__JSON_STRING && k[0].start == at + 2
        && ugw__bytes_are(in + at, "," "\"guideId\":", 11)))
        return false;
    if (!ugw__json_int(in + k[1].start, (size_t)(k[1].end - k[1].start), INT64_C(0), INT64_C(9007199254740991), &n))
        return false;
    v->guide_id = (uint64_t)n;
    at = k[1].end;
    k += 2;
    /* guideName */
    if (!(k[1].type == UGW__JSON_STRING && k[1].start == at + 14
        && k[0].type == UGW__JSON_STRING && k[0].start == at + 2
        && ugw__bytes_are(in + at, "," "\"guideName\":", 13)))
        return false;
    if (!ugw__json_str_take(sc, in + k[1].start, (size_t)(k[1].end - k[1].start), INT64_C(0), INT64_C(512), false, &s))
        return false;
    v->guide_name = s;
    at = k[1].end + 1;
    k += 2;
    return k == end && at + 1 == obj->end;
}


/* resource_center_external_url_click */
static const char *const ugw__resource_center_external_url_click_aliases[] = { "Resource center external URL click (userguiding)", NULL };
static const ugw_field_desc ugw__resource_center_external_url_click_fields[] = {
    { .name = "userId", .path = "payload.userId",
      .json_key = "\"userId\":", .mp_key = "\246userId",
      .name_len = 6, .json_key_len = 9, .mp_key_len = 7,
      .type = UGW_TYPE_STRING, .required = true,
      .offset = offsetof(ugw_resource_center_external_url_click, user_id),
      .has_offset = UGW_NO_HAS,
      .min = INT64_C(1), .max = INT64_C(256) },
    { .name = "pageUrl", .path = "payload.pageUrl",
      .json_key = "\"pageUrl\":", .mp_key = "\247pageUrl",
      .name_len = 7, .json_key_len = 10, .mp_key_len = 8,
      .type = UGW_TYPE_URL, .required = true,
      .offset = offsetof(ugw_resource_center_external_url_click, page_url),
      .has_offset = UGW_NO_HAS,
      .min = INT64_C(0), .max = INT64_C(2048) },
    { .name = "resourceCenterId", .path = "payload.resourceCenterId",
      .json_key = "\"resourceCenterId\":", .mp_key = "\260resourceCenterId",
      .name_len = 16, .json_key_len = 19, .mp_key_len = 17,
      .type = UGW_TYPE_ID, .required = true,
      .offset = offsetof(ugw_resource_center_external_url_click, resource_center_id),
      .has_offset = UGW_NO_HAS,
      .min = INT64_C(0), .max = INT64_C(9007199254740991) },
    { .name = "resourceCenterName", .path = "payload.resourceCenterName",
      .json_key = "\"resourceCenterName\":", .mp_key = "\262resourceCenterName",
      .name_len = 18, .json_key_len = 21, .mp_key_len = 19,
      .type = UGW_TYPE_STRING, .required = true,
      .offset = offsetof(ugw_resource_center_external_url_click, resource_center_name),
      .has_offset = UGW_NO_HAS,
      .min = INT64_C(0), .max = INT64_C(512) },
    { .name = "externalUrl", .path = "payload.externalUrl",
      .json_key = "\"externalUrl\":", .mp_key = "\253externalUrl",
      .name_len = 11, .json_key_len = 14, .mp_key_len = 12,
      .type = UGW_TYPE_URL, .required = true,
      .offset = offsetof(ugw_resource_center_external_url_click, external_url),
      .has_offset = UGW_NO_HAS,
      .min = INT64_C(0), .max = INT64_C(2048) },
};

/* resource_center_external_url_click: the fast paths (every field string, url, id, int, bool) */
static bool ugw__resource_center_external_url_click_validate_fast(const void *payload)
{
    const ugw_resource_center_external_url_click *v = (const ugw_resource_center_external_url_click *)payload;
    return true
           && (v->user_id.ptr && ugw__str_valid(v->user_id.ptr, v->user_id.len, INT64_C(1), INT64_C(256), false))
           && (v->page_url.ptr && ugw__str_valid(v->page_url.ptr, v->page_url.len, INT64_C(0), INT64_C(2048), true))
           && ugw__id_in(v->resource_center_id, INT64_C(0), INT64_C(9007199254740991))
           && (v->resource_center_name.ptr && ugw__str_valid(v->resource_center_name.ptr, v->resource_center_name.len, INT64_C(0), INT64_C(512), false))
           && (v->external_url.ptr && ugw__str_valid(v->external_url.ptr, v->external_url.len, INT64_C(0), INT64_C(2048), true));
}

static size_t ugw__resource_center_external_url_click_msgpack_fast(const void *payload, unsigned char *out, size_t cap)
{
    const ugw_resource_center_external_url_click c = *(const ugw_resource_center_external_url_click *)payload;
    unsigned char *p = out;
    uint64_t need = 68 + 7 + 3 + 8 + 3 + 17 + 9 + 19 + 3 + 12 + 3;
    if (!(c.user_id.ptr && ugw__str_valid(c.user_id.ptr, c.user_id.len, INT64_C(1), INT64_C(256), false)))
        return 0;
    need += c.user_id.len;
    if (!(c.page_url.ptr && ugw__str_valid(c.page_url.ptr, c.page_url.len, INT64_C(0), INT64_C(2048), true)))
        return 0;
    need += c.page_url.len;
    if (!ugw__id_in(c.resource_center_id, INT64_C(0), INT64_C(9007199254740991)))
        return 0;
    if (!(c.resource_center_name.ptr && ugw__str_valid(c.resource_center_name.ptr, c.resource_center_name.len, INT64_C(0), INT64_C(512), false)))
        return 0;
    need += c.resource_center_name.len;
    if (!(c.external_url.ptr && ugw__str_valid(c.external_url.ptr, c.external_url.len, INT64_C(0), INT64_C(2048), true)))
        return 0;
    need += c.external_url.len;
    if (need > cap)
        return 0;
    memcpy(p, "\202\245event\3312resource center external URL clicked (userguiding)\247payload" "\205", 68);
    p += 68;
    memcpy(p, "\246userId", 7);
    p = ugw__mp_put_str(p + 7, c.user_id.ptr, c.user_id.len);
    memcpy(p, "\247pageUrl", 8);
    p = ugw__mp_put_str(p + 8, c.page_url.ptr, c.page_url.len);
    memcpy(p, "\260resourceCenterId", 17);
    p = ugw__mp_put_uint(p + 17, c.resource_center_id);
    memcpy(p, "\262resourceCenterName", 19);
    p = ugw__mp_put_str(p + 19, c.resource_center_name.ptr, c.resource_center_name.len);
    memcpy(p, "\253externalUrl", 12);
    p = ugw__mp_put_str(p + 12, c.external_url.ptr, c.external_url.len);
    return (size_t)(p - out);
}

static size_t ugw__resource_center_external_url_click_json_fast(const void *payload, char *out, size_t cap)
{
    const ugw_resource_center_external_url_click c = *(const ugw_resource_center_external_url_click *)payload;
    char *p = out;
    uint64_t need = 75 + 10 + 2 + 11 + 2 + 20 + 20 + 22 + 2 + 15 + 2;
    if (!(c.user_id.ptr && ugw__str_ok(c.user_id.ptr, c.user_id.len, INT64_C(1), INT64_C(256), false, true)))
        return 0;
    need += c.user_id.len;
    if (!(c.page_url.ptr && ugw__str_ok(c.page_url.ptr, c.page_url.len, INT64_C(0), INT64_C(2048), true, true)))
        return 0;
    need += c.page_url.len;
    if (!ugw__id_in(c.resource_center_id, INT64_C(0), INT64_C(9007199254740991)))
        return 0;
    if (!(c.resource_center_name.ptr && ugw__str_ok(c.resource_center_name.ptr, c.resource_center_name.len, INT64_C(0), INT64_C(512), false, true)))
        return 0;
    need += c.resource_center_name.len;
    if (!(c.external_url.ptr && ugw__str_ok(c.external_url.ptr, c.external_url.len, INT64_C(0), INT64_C(2048), true, true)))
        return 0;
    need += c.external_url.len;
    if (need > cap)
        return 0;
    memcpy(p, "{\"event\":\"resource center external URL clicked (userguiding)\",\"payload\":{", 73);
    p += 73;
    memcpy(p, "\"userId\":" "\"", 10);
    p += 10;
    memcpy(p, c.user_id.ptr, c.user_id.len);
    p += c.user_id.len;
    *p++ = '"';
    memcpy(p, "," "\"pageUrl\":" "\"", 12);
    p += 12;
    memcpy(p, c.page_url.ptr, c.page_url.len);
    p += c.page_url.len;
    *p++ = '"';
    memcpy(p, "," "\"resourceCenterId\":", 20);
    p += 20;
    p += ugw_fmt_u64(p, c.resource_center_id);
    memcpy(p, "," "\"resourceCenterName\":" "\"", 23);
    p += 23;
    memcpy(p, c.resource_center_name.ptr, c.resource_center_name.len);
    p += c.resource_center_name.len;
    *p++ = '"';
    memcpy(p, "," "\"externalUrl\":" "\"", 16);
    p += 16;
    memcpy(p, c.external_url.ptr, c.external_url.len);
    p += c.external_url.len;
    *p++ = '"';
    *p++ = '}';
    *p++ = '}';
    return (size_t)(p - out);
}

static bool ugw__resource_center_external_url_click_json_decode_fast(
    const char *in, const ugw_json_token *obj, const ugw_json_token *end, void *payload,
    ugw_json_scratch *sc)
{
    ugw_resource_center_external_url_click *v = (ugw_resource_center_external_url_click *)payload;
    const ugw_json_token *k = obj + 1;
    int at = obj->start + 1;
    int64_t n;
    ugw_str s;
    if (end - obj != 11)
        return false;
    /* userId */
    if (!(k[1].type == UGW__JSON_STRING && k[1].start == at + 10
        && k[0].type == UGW__JSON_STRING && k[0].start == at + 1
        && ugw__bytes_are(in + at, "\"userId\":", 9)))
        return false;
    if (!ugw__json_str_take(sc, in + k[1].start, (size_t)(k[1].end - k[1].start), INT64_C(1), INT64_C(256), false, &s))
        return false;
    v->user_id = s;
    at = k[1].end + 1;
    k += 2;
    /* pageUrl */
    if (!(k[1].type == UGW__JSON_STRING && k[1].start == at + 12
        && k[0].type == UGW__JSON_STRING && k[0].start == at + 2
        && ugw__bytes_are(in + at, "," "\"pageUrl\":", 11)))
        return false;
    if (!ugw__json_str_take(sc, in + k[1].start, (size_t)(k[1].end - k[1].start), INT64_C(0), INT64_C(2048), true, &s))
        return false;
    v->page_url = s;
    at = k[1].end + 1;
    k += 2;
    /* resourceCenterId */
    if (!(k[1].type == UGW__JSON_PRIMITIVE && k[1].start == at + 20
        && k[0].type == UGW__JSON_STRING && k[0].start == at + 2
        && ugw__bytes_are(in + at, "," "\"resourceCenterId\":", 20)))
        return false;
    if (!ugw__json_int(in + k[1].start, (size_t)(k[1].end - k[1].start), INT64_C(0), INT64_C(9007199254740991), &n))
        return false;
    v->resource_center_id = (uint64_t)n;
    at = k[1].end;
    k += 2;
    /* resourceCenterName */
    if (!(k[1].type == UGW__JSON_STRING && k[1].start == at + 23
        && k[0].type == UGW__JSON_STRING && k[0].start == at + 2
        && ugw__bytes_are(in + at, "," "\"resourceCenterName\":", 22)))
        return false;
    if (!ugw__json_str_take(sc, in + k[1].start, (size_t)(k[1].end - k[1].start), INT64_C(0), INT64_C(512), false, &s))
        return false;
    v->resource_center_name = s;
    at = k[1].end + 1;
    k += 2;
    /* externalUrl */
    if (!(k[1].type == UGW__JSON_STRING && k[1].start == at + 16
        && k[0].type == UGW__JSON_STRING && k[0].start == at + 2
        && ugw__bytes_are(in + at, "," "\"externalUrl\":", 15)))
        return false;
    if (!ugw__json_str_take(sc, in + k[1].start, (size_t)(k[1].end - k[1].start), INT64_C(0), INT64_C(2048), true, &s))
        return false;
    v->external_url = s;
    at = k[1].end + 1;
    k += 2;
    return k == end && at + 1 == obj->end;
}


/* resource_center_search_article_click */
static const char *const ugw__resource_center_search_article_click_aliases[] = { "Resource center article link click (userguiding)", NULL };
static const ugw_field_desc ugw__resource_center_search_article_click_fields[] = {
    { .name = "userId", .path = "payload.userId",
      .json_key = "\"userId\":", .mp_key = "\246userId",
      .name_len = 6, .json_key_len = 9, .mp_key_len = 7,
      .type = UGW_TYPE_STRING, .required = true,
      .offset = offsetof(ugw_resource_center_search_article_click, user_id),
      .has_offset = UGW_NO_HAS,
      .min = INT64_C(1), .max = INT64_C(256) },
    { .name = "pageUrl", .path = "payload.pageUrl",
      .json_key = "\"pageUrl\":", .mp_key = "\247pageUrl",
      .name_len = 7, .json_key_len = 10, .mp_key_len = 8,
      .type = UGW_TYPE_URL, .required = true,
      .offset = offsetof(ugw_resource_center_search_article_click, page_url),
      .has_offset = UGW_NO_HAS,
      .min = INT64_C(0), .max = INT64_C(2048) },
    { .name = "resourceCenterId", .path = "payload.resourceCenterId",
      .json_key = "\"resourceCenterId\":", .mp_key = "\260resourceCenterId",
      .name_len = 16, .json_key_len = 19, .mp_key_len = 17,
      .type = UGW_TYPE_ID, .required = true,
      .offset = offsetof(ugw_resource_center_search_article_click, resource_center_id),
      .has_offset = UGW_NO_HAS,
      .min = INT64_C(0), .max = INT64_C(9007199254740991) },
    { .name = "resourceCenterName", .path = "payload.resourceCenterName",
      .json_key = "\"resourceCenterName\":", .mp_key = "\262resourceCenterName",
      .name_len = 18, .json_key_len = 21, .mp_key_len = 19,
      .type = UGW_TYPE_STRING, .required = true,
      .offset = offsetof(ugw_resource_center_search_article_click, resource_center_name),
      .has_offset = UGW_NO_HAS,
      .min = INT64_C(0), .max = INT64_C(512) },
    { .name = "articleLink", .path = "payload.articleLink",
      .json_key = "\"articleLink\":", .mp_key = "\253articleLink",
      .name_len = 11, .json_key_len = 14, .mp_key_len = 12,
      .type = UGW_TYPE_URL, .required = true,
      .offset = offsetof(ugw_resource_center_search_article_click, article_link),
      .has_offset = UGW_NO_HAS,
      .min = INT64_C(0), .max = INT64_C(2048) },
};

/* resource_center_search_article_click: the fast paths (every field string, url, id, int, bool) */
static bool ugw__resource_center_search_article_click_validate_fast(const void *payload)
{
    const ugw_resource_center_search_article_click *v = (const ugw_resource_center_search_article_click *)payload;
    return true
           && (v->user_id.ptr && ugw__str_valid(v->user_id.ptr, v->user_id.len, INT64_C(1), INT64_C(256), false))
           && (v->page_url.ptr && ugw__str_valid(v->page_url.ptr, v->page_url.len, INT64_C(0), INT64_C(2048), true))
           && ugw__id_in(v->resource_center_id, INT64_C(0), INT64_C(9007199254740991))
           && (v->resource_center_name.ptr && ugw__str_valid(v->resource_center_name.ptr, v->resource_center_name.len, INT64_C(0), INT64_C(512), false))
           && (v->article_link.ptr && ugw__str_valid(v->article_link.ptr, v->article_link.len, INT64_C(0), INT64_C(2048), true));
}

static size_t ugw__resource_center_search_article_click_msgpack_fast(const void *payload, unsigned char *out, size_t cap)
{
    const ugw_resource_center_search_article_click c = *(const ugw_resource_center_search_article_click *)payload;
    unsigned char *p = out;
    uint64_t need = 63 + 7 + 3 + 8 + 3 + 17 + 9 + 19 + 3 + 12 + 3;
    if (!(c.user_id.ptr && ugw__str_valid(c.user_id.ptr, c.user_id.len, INT64_C(1), INT64_C(256), false)))
        return 0;
    need += c.user_id.len;
    if (!(c.page_url.ptr && ugw__str_valid(c.page_url.ptr, c.page_url.len, INT64_C(0), INT64_C(2048), true)))
        return 0;
    need += c.page_url.len;
    if (!ugw__id_in(c.resource_center_id, INT64_C(0), INT64_C(9007199254740991)))
        return 0;
    if (!(c.resource_center_name.ptr && ugw__str_valid(c.resource_center_name.ptr, c.resource_center_name.len, INT64_C(0), INT64_C(512), false)))
        return 0;
    need += c.resource_center_name.len;
    if (!(c.article_link.ptr && ugw__str_valid(c.article_link.ptr, c.article_link.len, INT64_C(0), INT64_C(2048), true)))
        return 0;
    need += c.article_link.len;
    if (need > cap)
        return 0;
    memcpy(p, "\202\245event\331-resource center article clicked (userguiding)\247payload" "\205", 63);
    p += 63;
    memcpy(p, "\246userId", 7);
    p = ugw__mp_put_str(p + 7, c.user_id.ptr, c.user_id.len);
    memcpy(p, "\247pageUrl", 8);
    p = ugw__mp_put_str(p + 8, c.page_url.ptr, c.page_url.len);
    memcpy(p, "\260resourceCenterId", 17);
    p = ugw__mp_put_uint(p + 17, c.resource_center_id);
    memcpy(p, "\262resourceCenterName", 19);
    p = ugw__mp_put_str(p + 19, c.resource_center_name.ptr, c.resource_center_name.len);
    memcpy(p, "\253articleLink", 12);
    p = ugw__mp_put_str(p + 12, c.article_link.ptr, c.article_link.len);
    return (size_t)(p - out);
}

static size_t ugw__resource_center_search_article_click_json_fast(const void *payload, char *out, size_t cap)
{
    const ugw_resource_center_search_article_click c = *(const ugw_resource_center_search_article_click *)payload;
    char *p = out;
    uint64_t need = 70 + 10 + 2 + 11 + 2 + 20 + 20 + 22 + 2 + 15 + 2;
    if (!(c.user_id.ptr && ugw__str_ok(c.user_id.ptr, c.user_id.len, INT64_C(1), INT64_C(256), false, true)))
        return 0;
    need += c.user_id.len;
    if (!(c.page_url.ptr && ugw__str_ok(c.page_url.ptr, c.page_url.len, INT64_C(0), INT64_C(2048), true, true)))
        return 0;
    need += c.page_url.len;
    if (!ugw__id_in(c.resource_center_id, INT64_C(0), INT64_C(9007199254740991)))
        return 0;
    if (!(c.resource_center_name.ptr && ugw__str_ok(c.resource_center_name.ptr, c.resource_center_name.len, INT64_C(0), INT64_C(512), false, true)))
        return 0;
    need += c.resource_center_name.len;
    if (!(c.article_link.ptr && ugw__str_ok(c.article_link.ptr, c.article_link.len, INT64_C(0), INT64_C(2048), true, true)))
        return 0;
    need += c.article_link.len;
    if (need > cap)
        return 0;
    memcpy(p, "{\"event\":\"resource center article clicked (userguiding)\",\"payload\":{", 68);
    p += 68;
    memcpy(p, "\"userId\":" "\"", 10);
    p += 10;
    memcpy(p, c.user_id.ptr, c.user_id.len);
    p += c.user_id.len;
    *p++ = '"';
    memcpy(p, "," "\"pageUrl\":" "\"", 12);
    p += 12;
    memcpy(p, c.page_url.ptr, c.page_url.len);
    p += c.page_url.len;
    *p++ = '"';
    memcpy(p, "," "\"resourceCenterId\":", 20);
    p += 20;
    p += ugw_fmt_u64(p, c.resource_center_id);
    memcpy(p, "," "\"resourceCenterName\":" "\"", 23);
    p += 23;
    memcpy(p, c.resource_center_name.ptr, c.resource_center_name.len);
    p += c.resource_center_name.len;
    *p++ = '"';
    memcpy(p, "," "\"articleLink\":" "\"", 16);
    p += 16;
    memcpy(p, c.article_link.ptr, c.article_link.len);
    p += c.article_link.len;
    *p++ = '"';
    *p++ = '}';
    *p++ = '}';
    return (size_t)(p - out);
}

static bool ugw__resource_center_search_article_click_json_decode_fast(
    const char *in, const ugw_json_token *obj, const ugw_json_token *end, void *payload,
    ugw_json_scratch *sc)
{
    ugw_resource_center_search_article_click *v = (ugw_resource_center_search_article_click *)payload;
    const ugw_json_token *k = obj + 1;
    int at = obj->start + 1;
    int64_t n;
    ugw_str s;
    if (end - obj != 11)
        return false;
    /* userId */
    if (!(k[1].type == UGW__JSON_STRING && k[1].start == at + 10
        && k[0].type == UGW__JSON_STRING && k[0].start == at + 1
        && ugw__bytes_are(in + at, "\"userId\":", 9)))
        return false;
    if (!ugw__json_str_take(sc, in + k[1].start, (size_t)(k[1].end - k[1].start), INT64_C(1), INT64_C(256), false, &s))
        return false;
    v->user_id = s;
    at = k[1].end + 1;
    k += 2;
    /* pageUrl */
    if (!(k[1].type == UGW__JSON_STRING && k[1].start == at + 12
        && k[0].type == UGW__JSON_STRING && k[0].start == at + 2
        && ugw__bytes_are(in + at, "," "\"pageUrl\":", 11)))
        return false;
    if (!ugw__json_str_take(sc, in + k[1].start, (size_t)(k[1].end - k[1].start), INT64_C(0), INT64_C(2048), true, &s))
        return false;
    v->page_url = s;
    at = k[1].end + 1;
    k += 2;
    /* resourceCenterId */
    if (!(k[1].type == UGW__JSON_PRIMITIVE && k[1].start == at + 20
        && k[0].type == UGW__JSON_STRING && k[0].start == at + 2
        && ugw__bytes_are(in + at, "," "\"resourceCenterId\":", 20)))
        return false;
    if (!ugw__json_int(in + k[1].start, (size_t)(k[1].end - k[1].start), INT64_C(0), INT64_C(9007199254740991), &n))
        return false;
    v->resource_center_id = (uint64_t)n;
    at = k[1].end;
    k += 2;
    /* resourceCenterName */
    if (!(k[1].type == UGW__JSON_STRING && k[1].start == at + 23
        && k[0].type == UGW__JSON_STRING && k[0].start == at + 2
        && ugw__bytes_are(in + at, "," "\"resourceCenterName\":", 22)))
        return false;
    if (!ugw__json_str_take(sc, in + k[1].start, (size_t)(k[1].end - k[1].start), INT64_C(0), INT64_C(512), false, &s))
        return false;
    v->resource_center_name = s;
    at = k[1].end + 1;
    k += 2;
    /* articleLink */
    if (!(k[1].type == UGW__JSON_STRING && k[1].start == at + 16
        && k[0].type == UGW__JSON_STRING && k[0].start == at + 2
        && ugw__bytes_are(in + at, "," "\"articleLink\":", 15)))
        return false;
    if (!ugw__json_str_take(sc, in + k[1].start, (size_t)(k[1].end - k[1].start), INT64_C(0), INT64_C(2048), true, &s))
        return false;
    v->article_link = s;
    at = k[1].end + 1;
    k += 2;
    return k == end && at + 1 == obj->end;
}


static const ugw_event_desc ugw__events[UGW_EVENT_COUNT] = {
    { .id = "guide_preview_start", .wire = "guide started (userguiding)",
      .aliases = NULL,
      .json_head = "{\"event\":\"guide started (userguiding)\",\"payload\":{",
      .mp_head = "\202\245event\273guide started (userguiding)\247payload",
      .fields = ugw__guide_preview_start_fields, .fingerprint = UGW_GUIDE_PREVIEW_START_FINGERPRINT,
      .size = sizeof(ugw_guide_preview_start), .wire_len = 27,
      .json_head_len = 50, .mp_head_len = 43,
      .nfields = 4, .nrequired = 4,
      .validate_fast = ugw__guide_preview_start_validate_fast,
      .msgpack_fast = ugw__guide_preview_start_msgpack_fast,
      .json_fast = ugw__guide_preview_start_json_fast,
      .json_decode_fast = ugw__guide_preview_start_json_decode_fast,
    },
    { .id = "guide_preview_complete", .wire = "guide completed (userguiding)",
      .aliases = NULL,
      .json_head = "{\"event\":\"guide completed (userguiding)\",\"payload\":{",
      .mp_head = "\202\245event\275guide completed (userguiding)\247payload",
      .fields = ugw__guide_preview_complete_fields, .fingerprint = UGW_GUIDE_PREVIEW_COMPLETE_FINGERPRINT,
      .size = sizeof(ugw_guide_preview_complete), .wire_len = 29,
      .json_head_len = 52, .mp_head_len = 45,
      .nfields = 4, .nrequired = 4,
      .validate_fast = ugw__guide_preview_complete_validate_fast,
      .msgpack_fast = ugw__guide_preview_complete_msgpack_fast,
      .json_fast = ugw__guide_preview_complete_json_fast,
      .json_decode_fast = ugw__guide_preview_complete_json_decode_fast,
    },
    { .id = "nps_survey_display", .wire = "nps survey shown (userguiding)",
      .aliases = NULL,
      .json_head = "{\"event\":\"nps survey shown (userguiding)\",\"payload\":{",
      .mp_head = "\202\245event\276nps survey shown (userguiding)\247payload",
      .fields = ugw__nps_survey_display_fields, .fingerprint = UGW_NPS_SURVEY_DISPLAY_FINGERPRINT,
      .size = sizeof(ugw_nps_survey_display), .wire_len = 30,
      .json_head_len = 53, .mp_head_len = 46,
      .nfields = 3, .nrequired = 2,
      .validate_fast = ugw__nps_survey_display_validate_fast,
      .msgpack_fast = ugw__nps_survey_display_msgpack_fast,
      .json_fast = ugw__nps_survey_display_json_fast,
      .json_decode_fast = ugw__nps_survey_display_json_decode_fast,
    },
    { .id = "nps_score_submit", .wire = "nps score submit (userguiding)",
      .aliases = NULL,
      .json_head = "{\"event\":\"nps score submit (userguiding)\",\"payload\":{",
      .mp_head = "\202\245event\276nps score submit (userguiding)\247payload",
      .fields = ugw__nps_score_submit_fields, .fingerprint = UGW_NPS_SCORE_SUBMIT_FINGERPRINT,
      .size = sizeof(ugw_nps_score_submit), .wire_len = 30,
      .json_head_len = 53, .mp_head_len = 46,
      .nfields = 4, .nrequired = 4,
      .validate_fast = ugw__nps_score_submit_validate_fast,
      .msgpack_fast = ugw__nps_score_submit_msgpack_fast,
      .json_fast = ugw__nps_score_submit_json_fast,
      .json_decode_fast = ugw__nps_score_submit_json_decode_fast,
    },
    { .id = "nps_feedback_submit", .wire = "nps feedback submit (userguiding)",
      .aliases = NULL,
      .json_head = "{\"event\":\"nps feedback submit (userguiding)\",\"payload\":{",
      .mp_head = "\202\245event\331!nps feedback submit (userguiding)\247payload",
      .fields = ugw__nps_feedback_submit_fields, .fingerprint = UGW_NPS_FEEDBACK_SUBMIT_FINGERPRINT,
      .size = sizeof(ugw_nps_feedback_submit), .wire_len = 33,
      .json_head_len = 56, .mp_head_len = 50,
      .nfields = 4, .nrequired = 4,
      .validate_fast = ugw__nps_feedback_submit_validate_fast,
      .msgpack_fast = ugw__nps_feedback_submit_msgpack_fast,
      .json_fast = ugw__nps_feedback_submit_json_fast,
      .json_decode_fast = ugw__nps_feedback_submit_json_decode_fast,
    },
    { .id = "hotspot_interaction", .wire = "hotspot interacted (userguiding)",
      .aliases = NULL,
      .json_head = "{\"event\":\"hotspot interacted (userguiding)\",\"payload\":{",
      .mp_head = "\202\245event\331 hotspot interacted (userguiding)\247payload",
      .fields = ugw__hotspot_interaction_fields, .fingerprint = UGW_HOTSPOT_INTERACTION_FINGERPRINT,
      .size = sizeof(ugw_hotspot_interaction), .wire_len = 32,
      .json_head_len = 55, .mp_head_len = 49,
      .nfields = 6, .nrequired = 6,
      .validate_fast = ugw__hotspot_interaction_validate_fast,
      .msgpack_fast = ugw__hotspot_interaction_msgpack_fast,
      .json_fast = ugw__hotspot_interaction_json_fast,
      .json_decode_fast = ugw__hotspot_interaction_json_decode_fast,
    },
    { .id = "checklist_item_trigger", .wire = "checklist item triggered (userguiding)",
      .aliases = ugw__checklist_item_trigger_aliases,
      .json_head = "{\"event\":\"checklist item triggered (userguiding)\",\"payload\":{",
      .mp_head = "\202\245event\331&checklist item triggered (userguiding)\247payload",
      .fields = ugw__checklist_item_trigger_fields, .fingerprint = UGW_CHECKLIST_ITEM_TRIGGER_FINGERPRINT,
      .size = sizeof(ugw_checklist_item_trigger), .wire_len = 38,
      .json_head_len = 61, .mp_head_len = 55,
      .nfields = 6, .nrequired = 6,
      .validate_fast = ugw__checklist_item_trigger_validate_fast,
      .msgpack_fast = ugw__checklist_item_trigger_msgpack_fast,
      .json_fast = ugw__checklist_item_trigger_json_fast,
      .json_decode_fast = ugw__checklist_item_trigger_json_decode_fast,
    },
    { .id = "resource_center_guide_trigger", .wire = "resource center guide triggered (userguiding)",
      .aliases = ugw__resource_center_guide_trigger_aliases,
      .json_head = "{\"event\":\"resource center guide triggered (userguiding)\",\"payload\":{",
      .mp_head = "\202\245event\331-resource center guide triggered (userguiding)\247payload",
      .fields = ugw__resource_center_guide_trigger_fields, .fingerprint = UGW_RESOURCE_CENTER_GUIDE_TRIGGER_FINGERPRINT,
      .size = sizeof(ugw_resource_center_guide_trigger), .wire_len = 45,
      .json_head_len = 68, .mp_head_len = 62,
      .nfields = 6, .nrequired = 6,
      .validate_fast = ugw__resource_center_guide_trigger_validate_fast,
      .msgpack_fast = ugw__resource_center_guide_trigger_msgpack_fast,
      .json_fast = ugw__resource_center_guide_trigger_json_fast,
      .json_decode_fast = ugw__resource_center_guide_trigger_json_decode_fast,
    },
    { .id = "resource_center_checklist_guide_trigger", .wire = "resource center checklist guide triggered (userguiding)",
      .aliases = ugw__resource_center_checklist_guide_trigger_aliases,
      .json_head = "{\"event\":\"resource center checklist guide triggered (userguiding)\",\"payload\":{",
      .mp_head = "\202\245event\3317resource center checklist guide triggered (userguiding)\247payload",
      .fields = ugw__resource_center_checklist_guide_trigger_fields, .fingerprint = UGW_RESOURCE_CENTER_CHECKLIST_GUIDE_TRIGGER_FINGERPRINT,
      .size = sizeof(ugw_resource_center_checklist_guide_trigger), .wire_len = 55,
      .json_head_len = 78, .mp_head_len = 72,
      .nfields = 8, .nrequired = 8,
      .validate_fast = ugw__resource_center_checklist_guide_trigger_validate_fast,
      .msgpack_fast = ugw__resource_center_checklist_guide_trigger_msgpack_fast,
      .json_fast = ugw__resource_center_checklist_guide_trigger_json_fast,
      .json_decode_fast = ugw__resource_center_checklist_guide_trigger_json_decode_fast,
    },
    { .id = "resource_center_external_url_click", .wire = "resource center external URL clicked (userguiding)",
      .aliases = ugw__resource_center_external_url_click_aliases,
      .json_head = "{\"event\":\"resource center external URL clicked (userguiding)\",\"payload\":{",
      .mp_head = "\202\245event\3312resource center external URL clicked (userguiding)\247payload",
      .fields = ugw__resource_center_external_url_click_fields, .fingerprint = UGW_RESOURCE_CENTER_EXTERNAL_URL_CLICK_FINGERPRINT,
      .size = sizeof(ugw_resource_center_external_url_click), .wire_len = 50,
      .json_head_len = 73, .mp_head_len = 67,
      .nfields = 5, .nrequired = 5,
      .validate_fast = ugw__resource_center_external_url_click_validate_fast,
      .msgpack_fast = ugw__resource_center_external_url_click_msgpack_fast,
      .json_fast = ugw__resource_center_external_url_click_json_fast,
      .json_decode_fast = ugw__resource_center_external_url_click_json_decode_fast,
    },
    { .id = "resource_center_search_article_click", .wire = "resource center article clicked (userguiding)",
      .aliases = ugw__resource_center_search_article_click_aliases,
      .json_head = "{\"event\":\"resource center article clicked (userguiding)\",\"payload\":{",
      .mp_head = "\202\245event\331-resource center article clicked (userguiding)\247payload",
      .fields = ugw__resource_center_search_article_click_fields, .fingerprint = UGW_RESOURCE_CENTER_SEARCH_ARTICLE_CLICK_FINGERPRINT,
      .size = sizeof(ugw_resource_center_search_article_click), .wire_len = 45,
      .json_head_len = 68, .mp_head_len = 62,
      .nfields = 5, .nrequired = 5,
      .validate_fast = ugw__resource_center_search_article_click_validate_fast,
      .msgpack_fast = ugw__resource_center_search_article_click_msgpack_fast,
      .json_fast = ugw__resource_center_search_article_click_json_fast,
      .json_decode_fast = ugw__resource_center_search_article_click_json_decode_fast,
    },
};

const ugw_schema ugw_schema_events = {
    ugw__events, UGW_EVENT_COUNT, UGW_SCHEMA_VERSION, UGW_CODEGEN_VERSION,
    NULL
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
