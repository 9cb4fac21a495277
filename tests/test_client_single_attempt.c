/*
 * test_client_single_attempt.c - what a caller that retries by itself (the
 * relay: one attempt per delivery, the schedule kept elsewhere) learns from
 * the client: the durable retry schedule (docs/CONTRACT.md §4.5) and the
 * Retry-After of the last answer in the outcome.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdbool.h>
#include <string.h>

#include "client_support.h"

static void test_durable_schedule_values(void **state)
{
    static const int64_t want[] = { 5000, 300000, 1800000, 7200000, 18000000, 36000000, 36000000 };
    int64_t total = 0;
    (void)state;
    assert_int_equal(UGW_RETRY_DURABLE_ATTEMPTS, 8);
    for (unsigned n = 1; n < UGW_RETRY_DURABLE_ATTEMPTS; n++) {
        assert_int_equal(ugw_retry_durable_delay_ms(n, 0, 0.5), want[n - 1]);
        total += want[n - 1];
    }
    /* about 28 hours from the first attempt to the last */
    assert_true(total > INT64_C(27) * 3600000 && total < INT64_C(29) * 3600000);
}

static void test_durable_schedule_ends(void **state)
{
    (void)state;
    assert_int_equal(ugw_retry_durable_delay_ms(0, 0.5, 0.5), -1);
    assert_int_equal(ugw_retry_durable_delay_ms(UGW_RETRY_DURABLE_ATTEMPTS, 0.5, 0.5), -1);
    assert_int_equal(ugw_retry_durable_delay_ms(1000000, 0.5, 0.5), -1);
}

static void test_durable_schedule_jitter(void **state)
{
    (void)state;
    /* j = 0.5: between half the wait and the wait */
    assert_int_equal(ugw_retry_durable_delay_ms(2, 0.5, 0), 150000);
    assert_true(ugw_retry_durable_delay_ms(2, 0.5, 0.999) <= 300000);
    assert_true(ugw_retry_durable_delay_ms(2, 0.5, 0.999) > 299000);
    /* out-of-range and NaN inputs are clamped, never a wait outside [0, d] */
    assert_int_equal(ugw_retry_durable_delay_ms(1, -3, 0.7), 5000);
    assert_int_equal(ugw_retry_durable_delay_ms(1, 7, 0), 0);
    assert_int_equal(ugw_retry_durable_delay_ms(1, NAN, 0.3), 5000);
    assert_int_equal(ugw_retry_durable_delay_ms(1, 1, NAN), 0);
    assert_true(ugw_retry_durable_delay_ms(1, 1, 5) < 5000);
    assert_true(ugw_retry_durable_delay_ms(1, 1, 5) >= 4999);
}

/* max_attempts 1: a 503 with Retry-After ends at once as "attempts", and the
 * outcome carries the wait asked for. */
static void test_outcome_retry_after(void **state)
{
    fx *t = *state;
    const tr_action script[] = { { .status = 503, .retry_after = "7" } };
    ugw_client_config cfg = base_cfg(t, NULL);
    ugw_outcome out;
    cfg.max_attempts = 1;
    assert_int_equal(send_scripted(t, script, 1, &cfg, &out), UGW_ERR_DELIVERY);
    assert_int_equal(out.result, UGW_RESULT_ATTEMPTS);
    assert_int_equal(out.attempts, 1);
    assert_int_equal(out.http_status, 503);
    assert_int_equal(out.retry_after_ms, 7000);
}

/* Retry-After counts on 429 and 503 only; an unreadable one is -1. */
static void check_no_retry_after(fx *t, const tr_action *script, long status, ugw_result result)
{
    ugw_client_config cfg = base_cfg(t, NULL);
    ugw_outcome out;
    cfg.max_attempts = 1;
    assert_int_equal(send_scripted(t, script, 1, &cfg, &out), UGW_ERR_DELIVERY);
    assert_int_equal(out.http_status, status);
    assert_int_equal(out.result, result);
    assert_int_equal(out.retry_after_ms, -1);
}

static void test_outcome_retry_after_on_500(void **state)
{
    const tr_action script[] = { { .status = 500, .retry_after = "3" } };
    check_no_retry_after(*state, script, 500, UGW_RESULT_ATTEMPTS);
}

static void test_outcome_retry_after_unreadable(void **state)
{
    const tr_action script[] = { { .status = 429, .retry_after = "soon" } };
    check_no_retry_after(*state, script, 429, UGW_RESULT_ATTEMPTS);
}

static void test_outcome_retry_after_none(void **state)
{
    const tr_action script[] = { { .status = 404 } };
    check_no_retry_after(*state, script, 404, UGW_RESULT_REJECTED);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_durable_schedule_values),
        cmocka_unit_test(test_durable_schedule_ends),
        cmocka_unit_test(test_durable_schedule_jitter),
        cmocka_unit_test_setup_teardown(test_outcome_retry_after, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_outcome_retry_after_on_500, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_outcome_retry_after_unreadable, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_outcome_retry_after_none, fx_setup, fx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
