/*
 * app - Acme's events and the bundled UserGuiding events in one program.
 *
 *   app                      encode, decode and check both kinds
 *   app ACME_URL UGW_URL     ... then deliver one of each (unsigned)
 */
#include <stdio.h>
#include <string.h>

#include <acme_events.h>
#include <acme_events_client.h>
#include <ugw/ugw_events.h>
#include <ugw/ugw_events_client.h>

static int fail(const char *what, const ugw_error *err)
{
    fprintf(stderr, "app: %s: %s: %s\n", what, err->path, err->message);
    return 1;
}

static int deliver(const char *url, ugw_status (*send)(ugw_client *, const void *, ugw_outcome *, ugw_error *),
                   const void *ev)
{
    ugw_client_config cfg = { 0 };
    cfg.url = url;
    cfg.max_attempts = 3;
    ugw_error err;
    ugw_outcome out;
    ugw_client *c = ugw_client_new(&cfg, &err);
    if (!c)
        return fail("client", &err);
    ugw_status st = send(c, ev, &out, &err);
    ugw_client_close(c, 5000);
    if (st != UGW_OK)
        return fail("send", &err);
    printf("app: delivered to %s: %s (HTTP %ld)\n", url, ugw_result_name(out.result), out.http_status);
    return out.result == UGW_RESULT_DELIVERED ? 0 : 1;
}

static ugw_status send_acme(ugw_client *c, const void *ev, ugw_outcome *out, ugw_error *err)
{
    return acme_client_send(c, ev, out, err);
}

static ugw_status send_ugw(ugw_client *c, const void *ev, ugw_outcome *out, ugw_error *err)
{
    return ugw_client_send(c, ev, out, err);
}

int main(int argc, char **argv)
{
    char buf[1024];
    size_t len;
    ugw_error err;
    ugw_decoder *dec = ugw_decoder_new(NULL);
    if (!dec)
        return 1;

    /* Acme's event, through its generated bindings. */
    acme_event paid = acme_event_init(ACME_EVENT_INVOICE_PAID);
    paid.u.invoice_paid.account_id = 1042;
    paid.u.invoice_paid.plan = UGW_STR("team");
    paid.u.invoice_paid.seats = 12;
    if (acme_encode_json(&paid, buf, sizeof buf, &len, &err) != UGW_OK)
        return fail("acme encode", &err);
    printf("app: %.*s\n", (int)len, buf);
    acme_event back;
    if (acme_decode_json(dec, buf, len, &back, &err) != UGW_OK)
        return fail("acme decode", &err);
    if (back.type != ACME_EVENT_INVOICE_PAID || back.u.invoice_paid.seats != 12)
        return fprintf(stderr, "app: acme round trip differs\n"), 1;

    /* A bundled event, through the installed bindings. */
    ugw_event started = ugw_event_init(UGW_EVENT_GUIDE_PREVIEW_START);
    started.u.guide_preview_start.user_id = UGW_STR("user-7");
    started.u.guide_preview_start.page_url = UGW_STR("https://app.acme.example/");
    started.u.guide_preview_start.guide_id = 3;
    started.u.guide_preview_start.guide_name = UGW_STR("Welcome");
    if (ugw_encode_msgpack(&started, buf, sizeof buf, &len, &err) != UGW_OK)
        return fail("ugw encode", &err);
    ugw_event back2;
    if (ugw_decode_msgpack(dec, buf, len, &back2, &err) != UGW_OK)
        return fail("ugw decode", &err);
    printf("app: %s, %zu bytes of MessagePack\n", ugw_event_wire_name(back2.type), len);

    /* Each schema refuses the other's documents. */
    if (acme_decode_msgpack(dec, buf, len, &back, &err) != UGW_ERR_UNKNOWN_EVENT)
        return fprintf(stderr, "app: acme accepted a UserGuiding event\n"), 1;
    ugw_decoder_free(dec);

    if (argc == 3)
        return deliver(argv[1], send_acme, &paid) | deliver(argv[2], send_ugw, &started);
    return 0;
}
