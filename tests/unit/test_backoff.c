/*
 * test_backoff.c - unit tests for delivery/backoff: the retry schedule of each channel.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <sodium.h>

#include "delivery/backoff.h"

static void backoff_doubles_up_to_the_cap_then_gives_up(void **state) {
  (void)state;
  const backoff_policy *p = backoff_policy_get(BACKOFF_EMAIL);
  assert_non_null(p);
  assert_string_equal(p->name, "email");
  uint32_t d = 0, expect = p->base_ms;
  for (unsigned attempts = 1; attempts < p->max_attempts; attempts++) {
    assert_int_equal(backoff_next(BACKOFF_EMAIL, attempts, 0, &d), 1);
    assert_int_equal(d, expect);
    expect = expect * 2 > p->cap_ms ? p->cap_ms : expect * 2;
  }
  assert_int_equal(d, p->cap_ms);
  d = 7;
  assert_int_equal(backoff_next(BACKOFF_EMAIL, p->max_attempts, 0, &d), 0);
  assert_int_equal(d, 7);
  /* Large attempt counts do not overflow. */
  assert_int_equal(backoff_next(BACKOFF_SMS, 4000000000u, 0, &d), 0);
}

static void backoff_jitter_stays_within_its_share(void **state) {
  (void)state;
  const backoff_policy *p = backoff_policy_get(BACKOFF_SMS);
  uint32_t lo = UINT32_MAX, hi = 0;
  for (uint32_t i = 0; i < 10000; i++) {
    uint32_t d;
    assert_int_equal(backoff_next(BACKOFF_SMS, 3, backoff_random(), &d), 1);
    lo = d < lo ? d : lo;
    hi = d > hi ? d : hi;
  }
  uint32_t nominal = p->base_ms * 4;
  assert_true(hi <= nominal);
  assert_true(lo >= nominal - nominal * p->jitter_pct / 100);
  assert_true(hi - lo > nominal * p->jitter_pct / 200); /* it does spread */
}

static void backoff_refuses_invalid_arguments(void **state) {
  (void)state;
  uint32_t d;
  assert_int_equal(backoff_next(BACKOFF_EMAIL, 0, 0, &d), 0);
  assert_int_equal(backoff_next(BACKOFF_EMAIL, 1, 0, NULL), 0);
  assert_int_equal(backoff_next(BACKOFF_POLICY_COUNT, 1, 0, &d), 0);
  assert_null(backoff_policy_get(BACKOFF_POLICY_COUNT));
}

int main(void) {
  if (sodium_init() < 0) return 1;
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(backoff_doubles_up_to_the_cap_then_gives_up),
      cmocka_unit_test(backoff_jitter_stays_within_its_share),
      cmocka_unit_test(backoff_refuses_invalid_arguments),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
