/*
 * client_waiter.c - a thread that waits inside the delivery client, for the
 * close() tests (client_support.h): send() waiting for its outcome, or
 * enqueue() waiting for room in a full queue.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "client_support.h"

static void *waiter_main(void *arg)
{
    waiter *w = arg;
    ugw_error err;
    if (w->on_thread)
        w->on_thread();
    if (w->sync)
        w->st = ugw_client_send_body(w->c, "{}", 2, UGW_FORMAT_JSON, "x", NULL, &w->out, &err);
    else
        w->st = ugw_client_enqueue_body(w->c, "{}", 2, UGW_FORMAT_JSON, "x", NULL, -1, NULL, NULL, &err);
    return NULL;
}

void waiter_start(waiter *w, ugw_client *c, bool sync, void (*on_thread)(void))
{
    memset(w, 0, sizeof *w);
    w->c = c;
    w->sync = sync;
    w->on_thread = on_thread;
    assert_int_equal(pthread_create(&w->th, NULL, waiter_main, w), 0);
}

ugw_status waiter_join(waiter *w)
{
    assert_int_equal(pthread_join(w->th, NULL), 0);
    return w->st;
}
