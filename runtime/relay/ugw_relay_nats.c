/*
 * ugw_relay_nats.c - what the producer and the relay share: their settings,
 * the connection to the cluster, NATS statuses as ugw errors, publishing
 * with a message id, and creating the two streams.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "relay_internal.h"

#define SERVERS_MAX 64
#define SERVERS_TEXT_MAX 4096
#define DEFAULT_TIMEOUT_MS 5000

/* A subject prefix: dot-separated tokens of [A-Za-z0-9_-]. */
static bool prefix_check(const char *p, size_t n)
{
    size_t tok = 0;
    if (n == 0 || n > RELAY_PREFIX_MAX)
        return false;
    for (size_t i = 0; i <= n; i++) {
        if (i == n || p[i] == '.') {
            if (!ugw_relay_name_check(p + tok, i - tok))
                return false;
            tok = i + 1;
        }
    }
    return true;
}

void ugw__relay_nats_free(relay_nats *n)
{
    free(n->servers_text);
    free(n->servers);
    memset(n, 0, sizeof *n);
}

ugw_status ugw__relay_nats_copy(const ugw_relay_nats *in, relay_nats *out, ugw_error *err)
{
    static const ugw_relay_nats none;
    const char *servers, *stream, *prefix, *dead;
    size_t sl;
    char *tok, *save = NULL;

    memset(out, 0, sizeof *out);
    if (!in)
        in = &none;
    servers = in->servers && in->servers[0] ? in->servers : "nats://127.0.0.1:4222";
    stream = in->stream && in->stream[0] ? in->stream : "UGW";
    prefix = in->subject_prefix && in->subject_prefix[0] ? in->subject_prefix : "ugw.events";
    dead = in->dead_subject && in->dead_subject[0] ? in->dead_subject : "ugw.dead";
    sl = strnlen(servers, SERVERS_TEXT_MAX + 1);
    if (sl > SERVERS_TEXT_MAX)
        return ugw_error_set(err, UGW_ERR_ARG, "the server list is longer than 4096 bytes", 0, "servers");
    if (strlen(stream) > UGW_RELAY_NAME_MAX - 5 || !ugw_relay_name_check(stream, strlen(stream)))
        return ugw_error_set(err, UGW_ERR_ARG, "a stream name is 1 to 59 of A-Z a-z 0-9 _ -", 0, "stream");
    if (!prefix_check(prefix, strlen(prefix)))
        return ugw_error_set(err, UGW_ERR_ARG, "a subject prefix is dot-separated tokens of A-Z a-z 0-9 _ -",
                             0, "subject_prefix");
    if (!prefix_check(dead, strlen(dead)))
        return ugw_error_set(err, UGW_ERR_ARG, "a subject prefix is dot-separated tokens of A-Z a-z 0-9 _ -",
                             0, "dead_subject");
    if (strcmp(prefix, dead) == 0)
        return ugw_error_set(err, UGW_ERR_ARG, "dead letters need a subject prefix of their own", 0,
                             "dead_subject");
    if (in->timeout_ms < 0 || in->timeout_ms > INT64_C(3600000))
        return ugw_error_set(err, UGW_ERR_ARG, "the timeout is 0 (default) to one hour", 0, "timeout_ms");
    out->timeout_ms = in->timeout_ms ? in->timeout_ms : DEFAULT_TIMEOUT_MS;
    snprintf(out->stream, sizeof out->stream, "%s", stream);
    snprintf(out->prefix, sizeof out->prefix, "%s", prefix);
    snprintf(out->dead, sizeof out->dead, "%s", dead);
    out->servers_text = malloc(sl + 1);
    out->servers = calloc(SERVERS_MAX, sizeof *out->servers);
    if (!out->servers_text || !out->servers) {
        ugw__relay_nats_free(out);
        return ugw_error_set(err, UGW_ERR_NOMEM, "out of memory", 0, NULL);
    }
    memcpy(out->servers_text, servers, sl + 1);
    for (tok = strtok_r(out->servers_text, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        ugw_str t = ugw_trim(tok, strlen(tok), UGW_WS_ALL);
        if (t.len == 0)
            continue;
        if (out->nservers == SERVERS_MAX) {
            ugw__relay_nats_free(out);
            return ugw_error_set(err, UGW_ERR_ARG, "more than 64 servers", 0, "servers");
        }
        ((char *)t.ptr)[t.len] = 0;
        out->servers[out->nservers++] = t.ptr;
    }
    if (out->nservers == 0) {
        ugw__relay_nats_free(out);
        return ugw_error_set(err, UGW_ERR_ARG, "no server in the list", 0, "servers");
    }
    return UGW_OK;
}

ugw_status ugw__relay_fail(ugw_error *err, natsStatus s, jsErrCode jerr, const char *path)
{
    ugw_status code = UGW_ERR_IO;
    const char *msg = natsStatus_GetText(s);
    if (s == NATS_TIMEOUT) {
        code = UGW_ERR_TIMEOUT;
        msg = "no answer from JetStream in time";
    } else if (s == NATS_NO_MEMORY) {
        code = UGW_ERR_NOMEM;
    } else if (s == NATS_MAX_PAYLOAD) {
        code = UGW_ERR_LIMIT;
        msg = "larger than the server's max_payload";
    } else if (s == NATS_NO_RESPONDERS) {
        msg = "no JetStream stream takes this subject (create it: ugw relay init)";
    } else if (jerr == JSStreamStoreFailedErr) {
        code = UGW_ERR_FULL;
        msg = "the stream refused to store (full)";
    } else if (jerr == JSStreamNotFoundErr) {
        msg = "no such stream (create it: ugw relay init)";
    } else if (jerr == JSStreamNameExistErr) {
        msg = "the stream exists with other settings";
    }
    return ugw_error_set(err, code, msg, 0, path);
}

void ugw__relay_subject(char *out, const char *prefix, const char *name)
{
    snprintf(out, RELAY_SUBJECT_MAX, "%s.%s", prefix, name);
}

ugw_status ugw__relay_connect(const relay_nats *n, const char *name, bool send_asap, natsConnection **nc,
                              jsCtx **js, ugw_error *err)
{
    natsOptions *o = NULL;
    jsOptions jo;
    natsStatus s;

    *nc = NULL;
    *js = NULL;
    s = natsOptions_Create(&o);
    if (s == NATS_OK)
        s = natsOptions_SetServers(o, n->servers, n->nservers);
    if (s == NATS_OK)
        s = natsOptions_SetName(o, name);
    if (s == NATS_OK)
        s = natsOptions_SetMaxReconnect(o, -1); /* forever: the cluster comes back */
    if (s == NATS_OK)
        s = natsOptions_SetReconnectWait(o, 250);
    if (s == NATS_OK)
        s = natsOptions_SetTimeout(o, n->timeout_ms);
    if (s == NATS_OK)
        s = natsOptions_SetPingInterval(o, 2000); /* notice a dead server in seconds */
    if (s == NATS_OK && send_asap)
        s = natsOptions_SetSendAsap(o, true);
    if (s != NATS_OK) {
        natsOptions_Destroy(o);
        return ugw__relay_fail(err, s, 0, "servers");
    }
    s = natsConnection_Connect(nc, o);
    natsOptions_Destroy(o);
    if (s != NATS_OK) {
        *nc = NULL;
        return ugw__relay_fail(err, s, 0, "servers");
    }
    jsOptions_Init(&jo);
    jo.Wait = n->timeout_ms;
    s = natsConnection_JetStream(js, *nc, &jo);
    if (s != NATS_OK) {
        natsConnection_Destroy(*nc);
        *nc = NULL;
        *js = NULL;
        return ugw__relay_fail(err, s, 0, "servers");
    }
    return UGW_OK;
}

void ugw__relay_disconnect(natsConnection *nc, jsCtx *js)
{
    if (nc)
        natsConnection_FlushTimeout(nc, 2000); /* acks and naks still in the buffer */
    jsCtx_Destroy(js);
    if (nc) {
        natsConnection_Close(nc);
        natsConnection_Destroy(nc);
    }
}

ugw_status ugw__relay_js_publish(jsCtx *js, const relay_nats *n, const char *subject, const void *body,
                                 size_t len, const char *media_type, const char *event, const char *id,
                                 bool *duplicate, ugw_error *err)
{
    natsMsg *m = NULL;
    jsPubOptions po;
    jsPubAck *pa = NULL;
    jsErrCode jerr = 0;
    natsStatus s;

    if (duplicate)
        *duplicate = false;
    if (len > INT32_MAX)
        return ugw_error_set(err, UGW_ERR_LIMIT, "larger than the server's max_payload", 0, "body");
    s = natsMsg_Create(&m, subject, NULL, (const char *)body, (int)len);
    if (s == NATS_OK)
        s = natsMsgHeader_Set(m, "Content-Type", media_type);
    if (s == NATS_OK && event && event[0])
        s = natsMsgHeader_Set(m, UGW_RELAY_HDR_EVENT, event);
    if (s != NATS_OK) {
        natsMsg_Destroy(m);
        return ugw__relay_fail(err, s, 0, "publish");
    }
    jsPubOptions_Init(&po);
    po.MsgId = id; /* sets Nats-Msg-Id: the stream stores an id once */
    po.MaxWait = n->timeout_ms;
    s = js_PublishMsg(&pa, js, m, &po, &jerr);
    natsMsg_Destroy(m);
    if (s != NATS_OK)
        return ugw__relay_fail(err, s, jerr, "publish");
    if (duplicate)
        *duplicate = pa->Duplicate;
    jsPubAck_Destroy(pa);
    return UGW_OK;
}

/* Adds one stream, or leaves an equal one as it is. */
static ugw_status add_stream(jsCtx *js, jsStreamConfig *sc, ugw_error *err)
{
    jsStreamInfo *si = NULL;
    jsErrCode jerr = 0;
    natsStatus s = js_AddStream(&si, js, sc, NULL, &jerr);
    jsStreamInfo_Destroy(si);
    if (s != NATS_OK)
        return ugw__relay_fail(err, s, jerr, "stream");
    return UGW_OK;
}

ugw_status ugw_relay_stream_create(const ugw_relay_nats *nats, const ugw_relay_stream_config *cfg,
                                   ugw_error *err)
{
    static const ugw_relay_stream_config defaults;
    relay_nats n;
    natsConnection *nc;
    jsCtx *js;
    jsStreamConfig sc;
    char subj[RELAY_SUBJECT_MAX], dsubj[RELAY_SUBJECT_MAX], dname[UGW_RELAY_NAME_MAX + 8];
    const char *subjects[1];
    ugw_status st;

    ugw_error_clear(err);
    if (!cfg)
        cfg = &defaults;
    if (cfg->replicas > 5)
        return ugw_error_set(err, UGW_ERR_ARG, "replicas are 1 to 5", 0, "replicas");
    if (cfg->max_age_ms < 0 || cfg->max_bytes < 0 || cfg->duplicate_window_ms < 0
        || cfg->max_age_ms > INT64_MAX / 1000000 || cfg->duplicate_window_ms > INT64_MAX / 1000000)
        return ugw_error_set(err, UGW_ERR_ARG, "a negative or too large limit", 0, "stream");
    st = ugw__relay_nats_copy(nats, &n, err);
    if (st != UGW_OK)
        return st;
    st = ugw__relay_connect(&n, "ugw relay init", false, &nc, &js, err);
    if (st != UGW_OK) {
        ugw__relay_nats_free(&n);
        return st;
    }
    ugw__relay_subject(subj, n.prefix, "*");
    ugw__relay_subject(dsubj, n.dead, "*");
    snprintf(dname, sizeof dname, "%s_DEAD", n.stream);

    jsStreamConfig_Init(&sc);
    sc.Name = n.stream;
    subjects[0] = subj;
    sc.Subjects = subjects;
    sc.SubjectsLen = 1;
    sc.Retention = js_WorkQueuePolicy; /* a message leaves once acknowledged or terminated */
    sc.Storage = cfg->memory ? js_MemoryStorage : js_FileStorage;
    sc.Replicas = cfg->replicas ? cfg->replicas : 1;
    sc.Discard = js_DiscardNew;        /* full: refuse new ones, never drop old ones */
    sc.MaxAge = cfg->max_age_ms * 1000000;
    sc.MaxBytes = cfg->max_bytes ? cfg->max_bytes : -1;
    sc.Duplicates = (cfg->duplicate_window_ms ? cfg->duplicate_window_ms : INT64_C(600000)) * 1000000;
    st = add_stream(js, &sc, err);
    if (st == UGW_OK) {
        subjects[0] = dsubj;
        sc.Name = dname;
        sc.Retention = js_LimitsPolicy; /* dead letters stay until purged */
        sc.MaxAge = 0;
        st = add_stream(js, &sc, err);
    }
    ugw__relay_disconnect(nc, js);
    ugw__relay_nats_free(&n);
    return st;
}
