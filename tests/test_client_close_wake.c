/*
 * test_client_close_wake.c - close() frees nothing under threads that it
 * woke inside the client, however late they get to run again.
 *
 * A thread woken from a condition variable must take the mutex back before
 * it leaves the client; if close() freed the client in between, that thread
 * would lock freed memory. Whether that happens depends on scheduling, so
 * this program makes the late waker certain: it defines pthread_cond_wait()
 * and pthread_cond_timedwait() (taking precedence over the C library's for
 * the client linked in), and a thread marked as a slow waker that returns
 * from the real wait after close() began lets the mutex go for 300 ms before
 * taking it back, as a thread descheduled at that point would. If close()
 * has returned by then, the client is gone: the thread records it and ends
 * without touching the client, and the test fails. Without sanitizers too.
 */
#define _GNU_SOURCE /* RTLD_NEXT */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dlfcn.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

#include "client_support.h"

static _Thread_local bool slow_waker;
static atomic_bool close_began, close_returned;
static atomic_int woke_late, woke_after_free;

typedef int (*cond_wait_fn)(pthread_cond_t *, pthread_mutex_t *);
typedef int (*cond_timedwait_fn)(pthread_cond_t *, pthread_mutex_t *, const struct timespec *);

/* After the real wait returned with `m` held. */
static void wake_late(pthread_mutex_t *m)
{
    if (!slow_waker || !atomic_load(&close_began))
        return;
    atomic_fetch_add(&woke_late, 1);
    pthread_mutex_unlock(m);
    sleep_ms(300);
    if (atomic_load(&close_returned)) {
        /* The client (and `m` in it) has been freed under this thread. */
        atomic_fetch_add(&woke_after_free, 1);
        pthread_exit(NULL);
    }
    pthread_mutex_lock(m);
}

int pthread_cond_wait(pthread_cond_t *c, pthread_mutex_t *m)
{
    static cond_wait_fn real;
    int r;
    if (!real)
        *(void **)&real = dlsym(RTLD_NEXT, "pthread_cond_wait");
    r = real(c, m);
    wake_late(m);
    return r;
}

int pthread_cond_timedwait(pthread_cond_t *c, pthread_mutex_t *m, const struct timespec *abstime)
{
    static cond_timedwait_fn real;
    int r;
    if (!real)
        *(void **)&real = dlsym(RTLD_NEXT, "pthread_cond_timedwait");
    r = real(c, m, abstime);
    wake_late(m);
    return r;
}

static void mark_slow_waker(void)
{
    slow_waker = true;
}

/* Two threads wait for room in enqueue() and two for their outcome in
 * send(); all four are woken by close() and come back late. */
static void test_close_waits_for_late_wakers(void **state)
{
    fx *t = *state;
    tr_config rc;
    ugw_client_config cfg;
    ugw_client_stats st;
    waiter w[4];
    char id[UGW_WEBHOOK_ID_MAX];
    ugw_client *c;
    memset(&rc, 0, sizeof rc);
    rc.default_action.delay_ms = 5000; /* nothing finishes on its own */
    cfg = base_cfg(t, tr_url(start_rx(t, &rc)));
    cfg.queue_capacity = 3;
    cfg.max_in_flight = 1;
    start_client(t, &cfg);
    assert_int_equal(enqueue_fixture(t->c, 0, -1, NULL, id), UGW_OK);
    for (int i = 0; i < 4; i++) { /* two senders take the two places left... */
        waiter_start(&w[i], t->c, i < 2, mark_slow_waker);
        if (i == 1) {
            do { /* ...and wait for their outcomes before the others come */
                sleep_ms(20);
                ugw_client_stats_get(t->c, &st);
            } while (st.accepted < 3);
        }
    }
    sleep_ms(200); /* the two enqueuers wait for room */
    c = t->c;
    t->c = NULL;
    atomic_store(&close_began, true);
    assert_int_equal(ugw_client_close(c, 0), UGW_ERR_TIMEOUT);
    atomic_store(&close_returned, true);
    for (int i = 0; i < 4; i++)
        waiter_join(&w[i]);
    print_message("%d threads woke late inside the client, %d after close() had returned\n",
                  atomic_load(&woke_late), atomic_load(&woke_after_free));
    assert_int_equal(atomic_load(&woke_after_free), 0);
    assert_true(atomic_load(&woke_late) >= 4);
    for (int i = 0; i < 4; i++) {
        if (w[i].sync) {
            assert_int_equal(w[i].st, UGW_ERR_DELIVERY);
            assert_int_equal(w[i].out.result, UGW_RESULT_CLOSED);
        } else {
            assert_int_equal(w[i].st, UGW_ERR_CLOSED);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_close_waits_for_late_wakers, fx_setup, fx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
