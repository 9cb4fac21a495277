/*
 * mhd_inspector.h - the live inspector of ugw_receiver_mhd.h, in two files:
 * mhd_inspector.c keeps the ring of recent requests (each rendered once as
 * the JSON the page reads) and wakes the page viewers; mhd_inspector_http.c
 * answers the page's paths: its files (built into the library from ui/),
 * the event stream, "send again", with the access rules.
 */
#ifndef UGW_MHD_INSPECTOR_H
#define UGW_MHD_INSPECTOR_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <microhttpd.h>

#include <ugw/ugw_receiver_mhd.h>

/* A viewer's stream ends after this long; the page reconnects and goes on
 * after the last request it saw (Last-Event-ID). */
#define INSP_STREAM_MAX_MS (10 * 60 * 1000)
/* A comment line keeps an idle stream alive and finds a viewer gone. */
#define INSP_HEARTBEAT_MS 15000

/* The ring's memory at most (rendered requests and bodies kept for "send
 * again"): past it the oldest requests are dropped, whatever `history`. */
#define INSP_MEMORY_MAX ((size_t)64 << 20)

/* One request in the ring. */
typedef struct insp_entry {
    uint64_t seq;       /* 1, 2, ...: the stream's event id */
    char *json;         /* what the page reads (malloc'd) */
    size_t json_len;
    unsigned char *body; /* the whole body, for "send again" (NULL when not kept whole) */
    size_t body_len;
    char ctype[128];
    char id[UGW_RECEIVER_ID_MAX + 1]; /* "" when none */
} insp_entry;

/* One viewer of the event stream (the reader's context). */
typedef struct insp_viewer {
    struct insp_viewer *prev, *next;
    struct mhd_inspector *in;
    struct MHD_Connection *conn;
    uint64_t next_seq;  /* the next request to send */
    bool suspended;     /* waiting for a request (MHD_suspend_connection) */
    bool hello_sent;
    int64_t start_ms, last_ms;
    char *buf;          /* the message being sent */
    size_t len, off, cap;
} insp_viewer;

typedef struct mhd_inspector {
    ugw_receiver_mhd_inspector cfg; /* defaults filled in; token points at `token` */
    char token[256];
    size_t token_len;
    pthread_mutex_t mu;  /* the ring and the viewers */
    insp_entry *ring;    /* cfg.history slots; seq s is at (s - 1) % history */
    uint64_t next_seq;   /* the seq of the next request (1 at first) */
    uint64_t first_seq;  /* the oldest request kept (next_seq when none) */
    size_t bytes;        /* held by the ring's entries */
    insp_viewer *viewers;
    unsigned nviewers;
    bool stopping;
} mhd_inspector;

/* What the adapter knows of one answered request. */
typedef struct insp_request {
    struct MHD_Connection *conn;
    const char *method, *url;
    unsigned status;
    const ugw_receiver_result *res;
    const void *body; /* NULL when it was not kept */
    size_t len;
} insp_request;

/* ---- mhd_inspector.c ---- */

/* NULL when memory runs out or the configuration is not enabled. */
mhd_inspector *insp_new(const ugw_receiver_mhd_inspector *cfg);
/* After the daemon stopped. NULL: no-op. */
void insp_free(mhd_inspector *in);
/* Adds a request to the ring and wakes the viewers. Any server thread. */
void insp_record(mhd_inspector *in, const insp_request *rq);
/* Wakes viewers due a heartbeat (the server's sweeper, every 100 ms). */
void insp_tick(mhd_inspector *in);
/* Ends every stream and wakes its viewer: before the daemon stops. */
void insp_shutdown(mhd_inspector *in);
/* Wakes a suspended viewer (in->mu held). */
void insp_wake_locked(insp_viewer *v);

/* ---- mhd_inspector_http.c ---- */

/* Answers a request under UGW_MHD_INSPECTOR_PATH and returns its
 * MHD_Result, or -1 when `url` is not the inspector's. */
int insp_route(mhd_inspector *in, struct MHD_Connection *c, const char *url, const char *method);

#endif /* UGW_MHD_INSPECTOR_H */
