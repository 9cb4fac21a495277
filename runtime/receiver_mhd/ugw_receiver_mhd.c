/*
 * ugw_receiver_mhd.c - the server of ugw_receiver_mhd.h: the listening
 * socket, the libmicrohttpd daemon (0.9.75: handlers return enum
 * MHD_Result), the list of connections, and the thread that enforces the
 * deadlines.
 *
 * libmicrohttpd has no deadline for a whole request (its timeout is one of
 * idleness, which a client trickling a byte at a time resets) and no way to
 * close a connection from outside. So every connection is recorded in a
 * list (its socket context, from MHD_OPTION_NOTIFY_CONNECTION), and a
 * connection past a deadline, or the one waiting longest when there are too
 * many, is shut down (shutdown(2) on its socket): libmicrohttpd then sees
 * the end of the stream and closes it itself. libmicrohttpd reports a
 * connection closed before it closes the socket, and that report takes the
 * same lock, so a socket is never shut down after its number was reused.
 */
#include "mhd_internal.h"

#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

/* How often the deadlines are checked, and every how many checks the
 * connections are looked at for a client that has gone. */
#define SWEEP_MS 100
#define PEEK_EVERY 5

int64_t mhd_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

mhd_conn *mhd_conn_of(struct MHD_Connection *c)
{
    const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    return ci ? ci->socket_context : NULL;
}

/* ------------------------------------------------------------------ */
/* The list (under s->mu)                                               */
/* ------------------------------------------------------------------ */

static void list_remove(ugw_receiver_mhd *s, mhd_conn *cn)
{
    if (cn->prev)
        cn->prev->next = cn->next;
    else
        s->head = cn->next;
    if (cn->next)
        cn->next->prev = cn->prev;
    else
        s->tail = cn->prev;
    cn->prev = cn->next = NULL;
}

static void list_append(ugw_receiver_mhd *s, mhd_conn *cn)
{
    cn->prev = s->tail;
    cn->next = NULL;
    if (s->tail)
        s->tail->next = cn;
    else
        s->head = cn;
    s->tail = cn;
}

/* Shuts a connection down (libmicrohttpd closes it on the end of stream). */
static void close_conn(mhd_conn *cn)
{
    if (!cn->closing && cn->fd >= 0) {
        (void)shutdown(cn->fd, SHUT_RDWR);
        cn->closing = true;
    }
}

void mhd_conn_phase(ugw_receiver_mhd *s, mhd_conn *cn, int phase)
{
    if (!cn)
        return;
    pthread_mutex_lock(&s->mu);
    cn->phase = phase;
    if (phase == PHASE_HEADERS) {
        cn->since = mhd_now_ms();
        list_remove(s, cn);
        list_append(s, cn);
    }
    pthread_mutex_unlock(&s->mu);
}

static void on_connection(void *cls, struct MHD_Connection *c, void **socket_context,
                          enum MHD_ConnectionNotificationCode code)
{
    ugw_receiver_mhd *s = cls;
    mhd_conn *cn = *socket_context;

    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
        const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
        cn = calloc(1, sizeof *cn);
        if (!cn)
            return; /* untracked: only the idle timeout applies to it */
        cn->fd = ci ? ci->connect_fd : -1;
        cn->since = mhd_now_ms();
        *socket_context = cn;
        pthread_mutex_lock(&s->mu);
        list_append(s, cn);
        s->st.accepted++;
        if (++s->st.connections > s->st.peak_connections)
            s->st.peak_connections = s->st.connections;
        if (s->st.connections > s->cfg.max_connections) {
            /* Make room: close the one waiting longest for its request. */
            for (mhd_conn *o = s->head; o; o = o->next) {
                if (o != cn && !o->closing && o->phase != PHASE_BUSY) {
                    close_conn(o);
                    s->st.evicted++;
                    break;
                }
            }
        }
        pthread_mutex_unlock(&s->mu);
    } else if (cn) {
        pthread_mutex_lock(&s->mu);
        list_remove(s, cn);
        s->st.connections--;
        pthread_mutex_unlock(&s->mu);
        free(cn);
        *socket_context = NULL;
    }
}

/* Whether the client has closed its side and everything it sent was read:
 * a peek that finds the end of the stream. */
static bool peer_gone(int fd)
{
    char b;
    return fd >= 0 && recv(fd, &b, 1, MSG_PEEK | MSG_DONTWAIT) == 0;
}

/* Closes the connections past a deadline, every SWEEP_MS, until stopped.
 * Every PEEK_EVERY sweeps it also closes those whose client has gone:
 * under load libmicrohttpd (edge-triggered epoll) can miss the end of a
 * stream that arrives while it is busy, and such a connection would keep
 * its body's memory until its deadline. */
static void *sweep(void *arg)
{
    ugw_receiver_mhd *s = arg;
    struct timespec dl;
    unsigned n = 0;

    pthread_mutex_lock(&s->mu);
    while (!s->stopping) {
        int64_t now = mhd_now_ms();
        bool peek = ++n % PEEK_EVERY == 0;
        for (mhd_conn *cn = s->head; cn; cn = cn->next) {
            int64_t age = now - cn->since;
            if (cn->closing || cn->phase == PHASE_BUSY)
                continue;
            if (peek && peer_gone(cn->fd)) {
                close_conn(cn);
                s->st.peers_gone++;
                continue;
            }
            if (cn->phase == PHASE_HEADERS && age > (int64_t)s->cfg.header_timeout_ms) {
                close_conn(cn);
                s->st.header_timeouts++;
            } else if (age > (int64_t)s->cfg.request_timeout_ms) {
                close_conn(cn);
                s->st.request_timeouts++;
            }
        }
        if (s->insp) {
            pthread_mutex_unlock(&s->mu); /* never nested with the inspector's */
            insp_tick(s->insp);
            pthread_mutex_lock(&s->mu);
        }
        clock_gettime(CLOCK_MONOTONIC, &dl);
        dl.tv_nsec += SWEEP_MS * 1000000L;
        if (dl.tv_nsec >= 1000000000L) {
            dl.tv_sec++;
            dl.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&s->stop_cv, &s->mu, &dl);
    }
    pthread_mutex_unlock(&s->mu);
    return NULL;
}

bool mhd_budget_take(ugw_receiver_mhd *s, size_t n)
{
    bool ok;
    pthread_mutex_lock(&s->mu);
    ok = n <= s->cfg.memory_budget - s->body_bytes;
    if (ok) {
        s->body_bytes += n;
        s->st.body_bytes = s->body_bytes;
        if (s->body_bytes > s->st.peak_body_bytes)
            s->st.peak_body_bytes = s->body_bytes;
    } else {
        s->st.budget_refusals++;
    }
    pthread_mutex_unlock(&s->mu);
    return ok;
}

void mhd_budget_give(ugw_receiver_mhd *s, size_t n)
{
    pthread_mutex_lock(&s->mu);
    s->body_bytes -= n;
    s->st.body_bytes = s->body_bytes;
    pthread_mutex_unlock(&s->mu);
}

void mhd_count(ugw_receiver_mhd *s, uint64_t *field)
{
    pthread_mutex_lock(&s->mu);
    (*field)++;
    pthread_mutex_unlock(&s->mu);
}

/* ------------------------------------------------------------------ */
/* Start and stop                                                       */
/* ------------------------------------------------------------------ */

int mhd_listen(const char *addr, uint16_t port, struct sockaddr_storage *bound, char *err, size_t errlen)
{
    struct addrinfo hints, *res = NULL, *ai;
    char portstr[8];
    int fd = -1, e = 0, gai;

    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    snprintf(portstr, sizeof portstr, "%u", (unsigned)port);
    gai = getaddrinfo(addr, portstr, &hints, &res);
    if (gai != 0) {
        snprintf(err, errlen, "cannot resolve '%s': %s", addr, gai_strerror(gai));
        return -1;
    }
    for (ai = res; ai; ai = ai->ai_next) {
        int one = 1;
        socklen_t blen = sizeof *bound;
        fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
        if (fd < 0) {
            e = errno;
            continue;
        }
        (void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && listen(fd, 1024) == 0
            && getsockname(fd, (struct sockaddr *)bound, &blen) == 0)
            break;
        e = errno;
        close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    if (fd < 0)
        snprintf(err, errlen, "cannot listen on %s port %u: %s", addr, (unsigned)port,
                 strerror(e ? e : EADDRNOTAVAIL));
    return fd;
}

uint16_t mhd_bound_url(const struct sockaddr_storage *bound, const char *path, char *url, size_t cap)
{
    char host[64], serv[16];
    if (getnameinfo((const struct sockaddr *)bound, sizeof *bound, host, sizeof host, serv, sizeof serv,
                    NI_NUMERICHOST | NI_NUMERICSERV) != 0) {
        snprintf(host, sizeof host, "?");
        snprintf(serv, sizeof serv, "0");
    }
    snprintf(url, cap, "http://%s%s%s:%s%s", strchr(host, ':') ? "[" : "", host, strchr(host, ':') ? "]" : "",
             serv, path);
    return (uint16_t)atoi(serv);
}

static void defaults(ugw_receiver_mhd_config *c)
{
    if (!c->addr)
        c->addr = UGW_MHD_DEFAULT_ADDR;
    if (!c->threads)
        c->threads = UGW_MHD_DEFAULT_THREADS;
    if (!c->max_connections)
        c->max_connections = UGW_MHD_DEFAULT_MAX_CONNECTIONS;
    if (!c->max_per_ip)
        c->max_per_ip = UGW_MHD_DEFAULT_MAX_PER_IP;
    if (!c->header_timeout_ms)
        c->header_timeout_ms = UGW_MHD_DEFAULT_HEADER_TIMEOUT_MS;
    if (!c->request_timeout_ms)
        c->request_timeout_ms = UGW_MHD_DEFAULT_REQUEST_TIMEOUT_MS;
    if (c->header_timeout_ms > c->request_timeout_ms)
        c->header_timeout_ms = c->request_timeout_ms; /* the headers are part of the request */
    if (!c->memory_budget)
        c->memory_budget = UGW_MHD_DEFAULT_MEMORY_BUDGET;
}

ugw_receiver_mhd *ugw_receiver_mhd_start(ugw_receiver *rx, const ugw_receiver_mhd_config *cfg, char *err,
                                         size_t errlen)
{
    ugw_receiver_mhd *s;
    struct sockaddr_storage bound;
    char dummy[1];
    pthread_condattr_t ca;
    unsigned idle_s, hard_limit;
    int fd;

    if (!err || !errlen) {
        err = dummy;
        errlen = sizeof dummy;
    }
    err[0] = '\0';
    if (!rx || !cfg) {
        snprintf(err, errlen, "no receiver or no configuration");
        return NULL;
    }
    s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    s->rx = rx;
    s->cfg = *cfg;
    defaults(&s->cfg);
    snprintf(s->limit_msg, sizeof s->limit_msg, "body larger than %zu bytes", ugw_receiver_max_body(rx));
    pthread_mutex_init(&s->mu, NULL);
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&s->stop_cv, &ca);
    pthread_condattr_destroy(&ca);

    if (s->cfg.inspector.enabled && !(s->insp = insp_new(&s->cfg.inspector))) {
        snprintf(err, errlen, "cannot set up the inspector (out of memory, or a token of 256 bytes or more)");
        ugw_receiver_mhd_stop(s);
        return NULL;
    }
    s->cfg.inspector.token = NULL; /* the inspector has its copy */
    fd = mhd_listen(s->cfg.addr, s->cfg.port, &bound, err, errlen);
    if (fd < 0) {
        ugw_receiver_mhd_stop(s);
        return NULL;
    }
    s->port = mhd_bound_url(&bound, "/", s->url, sizeof s->url);

    /* The idle timeout is a backstop; the sweeper enforces the deadlines. */
    idle_s = (s->cfg.request_timeout_ms + 999) / 1000 + 1;
    {
        uint64_t h = ((uint64_t)s->cfg.max_connections + s->cfg.max_connections / 4 + 16) * s->cfg.threads;
        hard_limit = h > 1000000 ? 1000000u : (unsigned int)h;
    }
    s->daemon = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO | MHD_USE_ITC
            | (bound.ss_family == AF_INET6 ? MHD_USE_IPv6 : 0)
            | (s->insp ? MHD_ALLOW_SUSPEND_RESUME : 0), /* the inspector's waiting streams */
        0, NULL, NULL, mhd_on_request, s,
        MHD_OPTION_LISTEN_SOCKET, fd,
        MHD_OPTION_THREAD_POOL_SIZE, (unsigned int)s->cfg.threads,
        /* Past max_connections the longest waiting one is closed. This hard
         * limit only leaves room for those being closed: libmicrohttpd
         * splits it between its threads, which do not share connections
         * evenly, so each gets room for all. */
        MHD_OPTION_CONNECTION_LIMIT, hard_limit,
        MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned int)s->cfg.max_per_ip,
        MHD_OPTION_CONNECTION_TIMEOUT, idle_s,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)32768,
        MHD_OPTION_STRICT_FOR_CLIENT, (int)1,
        MHD_OPTION_NOTIFY_CONNECTION, on_connection, s,
        MHD_OPTION_NOTIFY_COMPLETED, mhd_on_completed, s,
        MHD_OPTION_END);
    if (!s->daemon) {
        close(fd);
        snprintf(err, errlen, "cannot start the HTTP server (libmicrohttpd) on %s", s->url);
        ugw_receiver_mhd_stop(s);
        return NULL;
    }
    if (pthread_create(&s->sweeper, NULL, sweep, s) != 0) {
        snprintf(err, errlen, "cannot start a thread");
        ugw_receiver_mhd_stop(s);
        return NULL;
    }
    s->sweeper_started = true;
    return s;
}

uint16_t ugw_receiver_mhd_port(const ugw_receiver_mhd *s)
{
    return s ? s->port : 0;
}

const char *ugw_receiver_mhd_url(const ugw_receiver_mhd *s)
{
    return s ? s->url : "";
}

void ugw_receiver_mhd_stats_get(ugw_receiver_mhd *s, ugw_receiver_mhd_stats *out)
{
    if (!s || !out)
        return;
    pthread_mutex_lock(&s->mu);
    *out = s->st;
    pthread_mutex_unlock(&s->mu);
}

void ugw_receiver_mhd_stop(ugw_receiver_mhd *s)
{
    if (!s)
        return;
    if (s->sweeper_started) {
        pthread_mutex_lock(&s->mu);
        s->stopping = true;
        pthread_cond_broadcast(&s->stop_cv);
        pthread_mutex_unlock(&s->mu);
        pthread_join(s->sweeper, NULL);
    }
    insp_shutdown(s->insp); /* wakes the waiting streams, which then end */
    if (s->daemon)
        MHD_stop_daemon(s->daemon); /* joins its threads, closes every connection and the socket */
    insp_free(s->insp);
    pthread_cond_destroy(&s->stop_cv);
    pthread_mutex_destroy(&s->mu);
    free(s);
}
