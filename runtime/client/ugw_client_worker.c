/*
 * ugw_client_worker.c - the delivery threads. Each worker owns a share of
 * the client's slots (easy handles), one libcurl multi handle (so its own
 * connection cache: connections are reused per thread), one epoll set and
 * one eventfd. libcurl tells it which sockets to watch
 * (CURLMOPT_SOCKETFUNCTION) and when its next timeout is due
 * (CURLMOPT_TIMERFUNCTION); epoll_wait() then reports only the sockets that
 * are ready, and curl_multi_socket_action() touches only the transfers on
 * them, however many are in flight.
 *
 * The workers share the client's pending FIFO and retry heap (under `mu`):
 * a worker with free slots takes the oldest pending events, so a transfer
 * stalled on one thread holds only its own slot while the others go on.
 * Producers wake a sleeping worker with free slots (one eventfd write per
 * sleep, not per event), and a worker that leaves work behind that it has
 * no room for wakes the next sleeping one.
 *
 * libcurl stops watching a connection's socket when a transfer ends and
 * watches it again when the next transfer reuses it: two or three
 * epoll_ctl() calls per request. A worker keeps such a socket in its epoll
 * set instead (w->fds records what the set holds and what libcurl wants),
 * so a reused connection costs none; an event on a socket libcurl does not
 * want (the server closed an idle connection) takes it out then. This is
 * done only for the connections' own sockets, which the worker opens and
 * closes for libcurl (CURLOPT_OPENSOCKETFUNCTION, _CLOSESOCKETFUNCTION) and
 * so knows the life of; any other socket libcurl watches (a resolver's) is
 * taken out of the set as soon as libcurl stops watching it, since it may
 * be closed behind the worker's back and its number reused.
 */
#define _GNU_SOURCE /* sysconf(_SC_NPROCESSORS_ONLN) */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#ifdef __GLIBC__
#include <malloc.h> /* mallopt() */
#endif

#include "client_internal.h"

/* The client whose worker this thread is (NULL on other threads). */
static _Thread_local const ugw_client *tl_client;

bool ugw__client_on_worker(const ugw_client *c)
{
    return c && tl_client == c;
}

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

unsigned ugw__client_worker_count(unsigned asked, unsigned slots)
{
    unsigned n = asked;
    if (!n) {
        long cores = sysconf(_SC_NPROCESSORS_ONLN);
        n = cores < 1 ? 1 : cores > (long)UGW_CLIENT_THREADS_MAX ? UGW_CLIENT_THREADS_MAX : (unsigned)cores;
    }
    if (n > slots)
        n = slots;
    return n ? n : 1;
}

/* What w->fds[fd] records: the events the epoll set holds for the socket
 * (FD_IN, FD_OUT; FD_SET when it is in the set at all), and FD_WANTED while
 * libcurl watches it. */
enum { FD_IN = 1, FD_OUT = 2, FD_SET = 4, FD_WANTED = 8, FD_OURS = 16 };

/* The record of `fd`, the table grown to hold it; NULL when it cannot be. */
static unsigned char *fd_state(worker *w, curl_socket_t fd)
{
    if (fd < 0)
        return NULL;
    if ((size_t)fd >= w->nfds) {
        size_t n = w->nfds ? w->nfds : 64;
        unsigned char *t;
        while (n <= (size_t)fd && n < ((size_t)1 << 24))
            n *= 2;
        if (n <= (size_t)fd || !(t = realloc(w->fds, n)))
            return NULL;
        memset(t + w->nfds, 0, n - w->nfds);
        w->fds = t;
        w->nfds = n;
    }
    return &w->fds[fd];
}

/* Puts `fd` in the epoll set for `mask` (FD_IN | FD_OUT), or takes it out
 * (mask 0). */
static int fd_watch(worker *w, curl_socket_t fd, unsigned char *st, unsigned mask)
{
    struct epoll_event ev;
    int op;
    if (!mask) {
        epoll_ctl(w->epfd, EPOLL_CTL_DEL, fd, NULL); /* ENOENT/EBADF: already gone */
        if (st)
            *st &= FD_OURS;
        return 0;
    }
    if (st && (*st & FD_SET) && (*st & (FD_IN | FD_OUT)) == mask)
        return 0; /* as it is: nothing to change */
    memset(&ev, 0, sizeof ev);
    ev.events = (mask & FD_IN ? EPOLLIN : 0u) | (mask & FD_OUT ? EPOLLOUT : 0u);
    ev.data.fd = fd;
    op = st && (*st & FD_SET) ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
    if (epoll_ctl(w->epfd, op, fd, &ev) != 0) {
        op = op == EPOLL_CTL_MOD ? EPOLL_CTL_ADD : EPOLL_CTL_MOD; /* the record was wrong */
        if (epoll_ctl(w->epfd, op, fd, &ev) != 0)
            return -1; /* libcurl fails the transfers on it: they are retried */
    }
    if (st)
        *st = (unsigned char)((*st & FD_OURS) | FD_SET | mask);
    return 0;
}

/* CURLMOPT_SOCKETFUNCTION: what to watch on socket `s`. */
static int on_socket(CURL *easy, curl_socket_t s, int what, void *userp, void *socketp)
{
    worker *w = userp;
    unsigned char *st = fd_state(w, s);
    unsigned mask = (what & CURL_POLL_IN ? FD_IN : 0u) | (what & CURL_POLL_OUT ? FD_OUT : 0u);
    (void)easy;
    (void)socketp;
    if (what == CURL_POLL_REMOVE) {
        if (!st || !(*st & FD_OURS))
            return fd_watch(w, s, st, 0);
        *st &= (unsigned char)~FD_WANTED; /* stays in the set until an event or its close */
        return 0;
    }
    if (fd_watch(w, s, st, mask) != 0)
        return -1;
    if (st)
        *st |= FD_WANTED;
    return 0;
}

/* CURLOPT_OPENSOCKETFUNCTION: a connection's socket, whose close the
 * worker will see. */
static curl_socket_t on_open_socket(void *clientp, curlsocktype purpose, struct curl_sockaddr *a)
{
    worker *w = clientp;
    curl_socket_t s = socket(a->family, a->socktype | SOCK_CLOEXEC, a->protocol);
    unsigned char *st;
    (void)purpose;
    if (s >= 0 && (st = fd_state(w, s)))
        *st = FD_OURS; /* nothing of an earlier socket of that number holds */
    return s < 0 ? CURL_SOCKET_BAD : s;
}

/* CURLOPT_CLOSESOCKETFUNCTION: libcurl closes `s` (closing takes it out of
 * the epoll set). */
static int on_close_socket(void *clientp, curl_socket_t s)
{
    worker *w = clientp;
    if (s >= 0 && (size_t)s < w->nfds)
        w->fds[s] = 0;
    return close(s);
}

/* CURLMOPT_TIMERFUNCTION: libcurl's next timeout, from now (-1: none). */
static int on_timer(CURLM *multi, long timeout_ms, void *userp)
{
    worker *w = userp;
    (void)multi;
    w->timer_due_ns = timeout_ms < 0 ? -1 : now_ns() + (int64_t)timeout_ms * 1000000;
    return 0;
}

bool ugw__client_worker_init(ugw_client *c, worker *w, unsigned i, unsigned n, unsigned slots,
                             const ugw_secret *key)
{
    memset(w, 0, sizeof *w);
    w->c = c;
    w->index = i;
    w->epfd = -1;
    w->evfd = -1;
    w->timer_due_ns = -1;
    w->nslots = slots / n + (i < slots % n ? 1 : 0);
    w->epfd = epoll_create1(EPOLL_CLOEXEC);
    w->evfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    w->slots = calloc(w->nslots, sizeof *w->slots);
    w->multi = curl_multi_init();
    if (w->epfd < 0 || w->evfd < 0 || !w->slots || !w->multi)
        return false;
    if (key && !(w->signer = ugw_webhook_signer_new(key)))
        return false;
    if (c->cfg.spool_path && !(w->retries = calloc(w->nslots, sizeof *w->retries)))
        return false;
    {
        struct epoll_event ev;
        memset(&ev, 0, sizeof ev);
        ev.events = EPOLLIN;
        ev.data.fd = w->evfd;
        if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, w->evfd, &ev) != 0)
            return false;
    }
    curl_multi_setopt(w->multi, CURLMOPT_SOCKETFUNCTION, on_socket);
    curl_multi_setopt(w->multi, CURLMOPT_SOCKETDATA, w);
    curl_multi_setopt(w->multi, CURLMOPT_TIMERFUNCTION, on_timer);
    curl_multi_setopt(w->multi, CURLMOPT_TIMERDATA, w);
    curl_multi_setopt(w->multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, (long)w->nslots);
    curl_multi_setopt(w->multi, CURLMOPT_MAX_HOST_CONNECTIONS, (long)w->nslots);
    curl_multi_setopt(w->multi, CURLMOPT_MAXCONNECTS, (long)w->nslots);
    for (unsigned k = 0; k < w->nslots; k++) {
        if (!ugw__client_slot_init(c, w, &w->slots[k]))
            return false;
        curl_easy_setopt(w->slots[k].easy, CURLOPT_OPENSOCKETFUNCTION, on_open_socket);
        curl_easy_setopt(w->slots[k].easy, CURLOPT_OPENSOCKETDATA, w);
        curl_easy_setopt(w->slots[k].easy, CURLOPT_CLOSESOCKETFUNCTION, on_close_socket);
        curl_easy_setopt(w->slots[k].easy, CURLOPT_CLOSESOCKETDATA, w);
    }
    return true;
}

void ugw__client_worker_free(worker *w)
{
    if (w->slots) {
        for (unsigned k = 0; k < w->nslots; k++)
            if (w->slots[k].easy)
                curl_easy_cleanup(w->slots[k].easy);
        free(w->slots);
    }
    /* Closing the cached connections calls on_socket: the epoll set goes last. */
    if (w->multi)
        curl_multi_cleanup(w->multi);
    if (w->evfd >= 0)
        close(w->evfd);
    if (w->epfd >= 0)
        close(w->epfd);
    free(w->retries);
    free(w->fds);
    ugw_webhook_signer_free(w->signer);
}

void ugw__client_worker_wake(worker *w)
{
    uint64_t one = 1;
    /* EAGAIN: the counter is full, so a wakeup is pending anyway. */
    while (write(w->evfd, &one, sizeof one) < 0 && errno == EINTR) {
    }
}

worker *ugw__client_worker_to_wake_locked(ugw_client *c)
{
    if (!c->npolling)
        return NULL;
    for (unsigned k = 0; k < c->nworkers; k++) {
        worker *w = &c->workers[(c->wake_next + k) % c->nworkers];
        if (w->polling && w->busy < w->nslots) {
            w->polling = false;
            c->npolling--;
            c->wake_next = (w->index + 1) % c->nworkers;
            return w;
        }
    }
    return NULL;
}

/* Ready sockets and libcurl's expired timer: curl_multi_socket_action() on
 * each, then the finished attempts taken off their slots (without mu), in
 * a list through job->next. */
static job *drive(worker *w, const struct epoll_event *evs, int n)
{
    job *ended = NULL;
    int running, left;
    CURLMsg *msg;
    for (int i = 0; i < n; i++) {
        int fd = evs[i].data.fd, flags = 0;
        if (fd == w->evfd) {
            uint64_t v;
            while (read(w->evfd, &v, sizeof v) < 0 && errno == EINTR) {
            }
            continue;
        }
        if (fd >= 0 && (size_t)fd < w->nfds && !(w->fds[fd] & FD_WANTED)) {
            fd_watch(w, fd, &w->fds[fd], 0); /* an idle connection spoke or closed */
            continue;
        }
        if (evs[i].events & (EPOLLIN | EPOLLHUP))
            flags |= CURL_CSELECT_IN;
        if (evs[i].events & EPOLLOUT)
            flags |= CURL_CSELECT_OUT;
        if (evs[i].events & EPOLLERR)
            flags |= CURL_CSELECT_ERR;
        curl_multi_socket_action(w->multi, fd, flags, &running);
    }
    if (w->timer_due_ns >= 0 && now_ns() >= w->timer_due_ns) {
        w->timer_due_ns = -1; /* libcurl sets the next one */
        curl_multi_socket_action(w->multi, CURL_SOCKET_TIMEOUT, 0, &running);
    }
    while ((msg = curl_multi_info_read(w->multi, &left))) {
        slot *s = NULL;
        job *j;
        if (msg->msg != CURLMSG_DONE)
            continue;
        curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&s);
        j = s->job;
        ugw__client_attempt_off(w, j, msg->data.result); /* sets j->curl_code */
        j->next = ended;
        ended = j;
    }
    return ended;
}

/* How long epoll_wait() may sleep, in ms: until libcurl's timer, the next
 * retry (`retry_ms`, -1: none), the outcomes held for the spool or a second,
 * whichever comes first. */
static int sleep_ms(const worker *w, int64_t retry_ms)
{
    int64_t ms = w->held ? UGW_SPOOL_HOLD_MS : 1000;
    if (retry_ms >= 0 && retry_ms < ms)
        ms = retry_ms;
    if (w->timer_due_ns >= 0) {
        int64_t d = w->timer_due_ns - now_ns();
        int64_t t = d <= 0 ? 0 : (d + 999999) / 1000000; /* never wake before it */
        if (t < ms)
            ms = t;
    }
    return (int)ms;
}

void *ugw__client_worker_main(void *arg)
{
    worker *w = arg;
    ugw_client *c = w->c;
    struct epoll_event evs[64];
    int n = 0;
    tl_client = c;
    for (;;) {
        job *ended = drive(w, evs, n), *done = NULL, *start = NULL, *j;
        worker *other;
        int64_t retry_ms = -1;
        bool room, idle;

        pthread_mutex_lock(&c->mu);
        if (w->polling) {
            w->polling = false;
            c->npolling--;
        }
        while ((j = ended)) {
            ended = j->next;
            ugw__client_attempt_done_locked(c, w, j, (CURLcode)j->curl_code, &done);
        }
        if (c->stop) {
            pthread_mutex_unlock(&c->mu);
            ugw__client_worker_outcomes(c, w, done, true);
            break;
        }
        {
            int64_t now = ugw__client_now_ms();
            /* Due retries go first: behind a long backlog they would wait
             * for it and could outlive max_age for no fault of their own. */
            while (c->heap_len && c->heap[0]->due_ms <= now)
                ugw__client_pending_push_front(c, ugw__client_heap_pop(c));
            if (c->heap_len)
                retry_ms = c->heap[0]->due_ms - now;
        }
        while (w->busy < w->nslots && (j = ugw__client_pending_pop(c))) {
            ugw__client_take_slot_locked(c, w, j);
            j->next = start;
            start = j;
        }
        /* Work left that this worker has no room for: another one takes it. */
        other = c->pending_head ? ugw__client_worker_to_wake_locked(c) : NULL;
        if (w->busy < w->nslots) {
            w->polling = true; /* producers wake us for new work */
            c->npolling++;
        }
        idle = w->busy == 0;
        room = c->room_waiters && ugw__client_room_wake_locked(c, w->busy < w->nslots);
        pthread_mutex_unlock(&c->mu);
        if (room)
            pthread_cond_broadcast(&c->room);
        if (other)
            ugw__client_worker_wake(other);

        /* Signing and the headers outside mu: enqueuers do not wait for them. */
        while ((j = start)) {
            start = j->next;
            if (!ugw__client_start_attempt(w, j)) {
                pthread_mutex_lock(&c->mu);
                w->slots[j->slot].job = NULL;
                w->busy--;
                c->stats.in_flight--;
                j->curl_code = 0;
                ugw__client_finish_locked(c, j, UGW_RESULT_CONFIG, &done);
                pthread_mutex_unlock(&c->mu);
            }
        }
        if (w->nretries) { /* w->retries is this thread's own */
            unsigned bad = ugw__spool_note_retries(c->spool, w->retries, w->nretries);
            w->nretries = 0;
            if (bad) {
                pthread_mutex_lock(&c->mu);
                c->stats.spool_errors += bad;
                pthread_mutex_unlock(&c->mu);
            }
        }
        if (done || w->held) /* idle: the spool is written now, not held */
            ugw__client_worker_outcomes(c, w, done, idle);
        n = epoll_wait(w->epfd, evs, (int)(sizeof evs / sizeof evs[0]), sleep_ms(w, retry_ms));
        if (n < 0)
            n = 0; /* EINTR: look again */
    }
    tl_client = NULL;
    return NULL;
}

/* Stops and joins the workers that were started. */
void ugw__client_workers_stop(ugw_client *c)
{
    pthread_mutex_lock(&c->mu);
    c->stop = true;
    pthread_mutex_unlock(&c->mu);
    for (unsigned i = 0; i < c->nworkers; i++)
        if (c->workers[i].started)
            ugw__client_worker_wake(&c->workers[i]);
    for (unsigned i = 0; i < c->nworkers; i++) {
        if (c->workers[i].started)
            pthread_join(c->workers[i].thread, NULL);
        c->workers[i].started = false;
    }
}

/* tune_malloc: glibc keeps up to 64 MiB free at the top of a heap instead of
 * giving it back at each free() (one madvise() per trim, and page faults to
 * get it back), and grows heaps 16 MiB at a time. Process-wide, once. */
static void tune_malloc_apply(void)
{
#ifdef __GLIBC__
    mallopt(M_TRIM_THRESHOLD, 64 << 20);
    mallopt(M_TOP_PAD, 16 << 20);
#endif
}

static pthread_once_t malloc_once = PTHREAD_ONCE_INIT;

void ugw__client_tune_malloc(void)
{
    pthread_once(&malloc_once, tune_malloc_apply);
}
