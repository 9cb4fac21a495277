/*
 * spool_support.c - the helpers of spool_support.h.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "spool_support.h"

int sfx_setup(void **state)
{
    sfx *s = calloc(1, sizeof *s);
    int fd;
    if (!s)
        return -1;
    col_init(&s->base.col);
    snprintf(s->base.dl_path, sizeof s->base.dl_path, "/tmp/ugw_test_client_XXXXXX");
    snprintf(s->dir, sizeof s->dir, "/tmp/ugw_test_spool_XXXXXX");
    if ((fd = mkstemp(s->base.dl_path)) < 0 || !mkdtemp(s->dir)) {
        col_free(&s->base.col);
        free(s);
        return -1;
    }
    close(fd);
    snprintf(s->path, sizeof s->path, "%s/spool.db", s->dir);
    *state = s;
    return 0;
}

int sfx_teardown(void **state)
{
    sfx *s = *state;
    char p[160];
    static const char *const suffix[] = { "", "-wal", "-shm", "-journal" };
    if (!s)
        return 0;
    if (s->base.c)
        ugw_client_close(s->base.c, 0); /* may still call back into the collector */
    tr_stop(s->base.tr);
    tr_stop(s->base.tr2);
    unlink(s->base.dl_path);
    col_free(&s->base.col);
    for (size_t i = 0; i < 4; i++) {
        snprintf(p, sizeof p, "%s%s", s->path, suffix[i]);
        unlink(p);
    }
    rmdir(s->dir);
    free(s);
    *state = NULL;
    return 0;
}

ugw_client_config spool_cfg(sfx *s, const char *url)
{
    ugw_client_config cfg = base_cfg(&s->base, url);
    cfg.spool_path = s->path;
    return cfg;
}

ugw_spool_stats spool_stats(const char *path)
{
    ugw_error err;
    ugw_spool_stats st;
    ugw_spool *sp = ugw_spool_open(path, UGW_SPOOL_READ_ONLY, &err);
    if (!sp)
        fail_msg("ugw_spool_open: %s: %s", ugw_status_name(err.code), err.message);
    assert_int_equal(ugw_spool_stats_get(sp, &st, &err), UGW_OK);
    ugw_spool_close(sp);
    return st;
}

typedef struct rows {
    spool_row *v;
    size_t n, cap;
} rows;

static bool add_row(const ugw_spool_entry *e, void *ctx)
{
    rows *r = ctx;
    spool_row *x;
    if (r->n == r->cap) {
        r->cap = r->cap ? r->cap * 2 : 64;
        r->v = realloc(r->v, r->cap * sizeof *r->v);
        assert_non_null(r->v);
    }
    x = &r->v[r->n++];
    memset(x, 0, sizeof *x);
    snprintf(x->id, sizeof x->id, "%s", e->id);
    snprintf(x->result, sizeof x->result, "%s", e->result);
    x->attempts = e->attempts;
    x->last_status = e->last_status;
    x->when_ms = e->when_ms;
    x->dead = e->dead;
    x->body_len = e->body_len;
    return true;
}

size_t spool_rows(const char *path, unsigned which, spool_row **out)
{
    ugw_error err;
    rows r = { NULL, 0, 0 };
    ugw_spool *sp = ugw_spool_open(path, UGW_SPOOL_READ_ONLY, &err);
    if (!sp)
        fail_msg("ugw_spool_open: %s: %s", ugw_status_name(err.code), err.message);
    assert_int_equal(ugw_spool_list(sp, which, NULL, add_row, &r, &err), UGW_OK);
    ugw_spool_close(sp);
    *out = r.v;
    return r.n;
}

void wait_retried(ugw_client *c, uint64_t n)
{
    ugw_client_stats cs;
    for (int i = 0; i < 500; i++) {
        ugw_client_stats_get(c, &cs);
        if (cs.retried >= n)
            break;
        sleep_ms(10);
    }
    assert_int_equal(cs.retried, n);
    sleep_ms(100); /* recorded right after, on the client's thread */
}

int64_t wall_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

unsigned char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    unsigned char *p = NULL;
    long n;
    if (!f)
        return NULL;
    if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0
        && (p = malloc((size_t)n + 1)) && fread(p, 1, (size_t)n, f) == (size_t)n) {
        *len = (size_t)n;
    } else {
        free(p);
        p = NULL;
    }
    fclose(f);
    return p;
}

const char *refused_url(void)
{
    /* A port bound and closed again: nothing listens there now. */
    static char url[64];
    struct sockaddr_in a;
    socklen_t al = sizeof a;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &al), 0);
    close(fd);
    snprintf(url, sizeof url, "http://127.0.0.1:%d/hook", ntohs(a.sin_port));
    return url;
}
