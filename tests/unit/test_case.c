/*
 * test_case.c - unit tests for domain/case: the priority rule, default due times, queue ranks
 * and the workflow table; and, on a temporary SQLite database, the figures of a crisis's cases
 * that situation reports read (store_case_counts).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "domain/case.h"
#include "domain/model.h"
#include "store/store.h"
#include "store/store_case.h"
#include "util/err.h"

static void case_priority_follows_the_type(void **state) {
  (void)state;
  assert_int_equal(case_priority_compute(CASE_TRAFFICKING, NULL, 0), CASE_CRITICAL);
  assert_int_equal(case_priority_compute(CASE_DETENTION, NULL, 0), CASE_HIGH);
  assert_int_equal(case_priority_compute(CASE_EVACUATION_REQUEST, NULL, 0), CASE_HIGH);
  assert_int_equal(case_priority_compute(CASE_DEATH, NULL, 0), CASE_NORMAL);
  assert_int_equal(case_priority_compute(CASE_LOST_DOCUMENTS, NULL, 0), CASE_LOW);
  assert_int_equal(case_priority_compute(CASE_OTHER, NULL, 0), CASE_NORMAL);
  /* Every type has a priority. */
  for (int t = 0; t < CASE_TYPE_COUNT; t++) {
    int p = case_priority_compute(t, NULL, 0);
    assert_true(p >= CASE_CRITICAL && p <= CASE_LOW);
    assert_non_null(case_types[t]);
  }
  assert_null(case_types[CASE_TYPE_COUNT]);
}

static void case_minor_injured_or_detained_person_raises_priority_once(void **state) {
  (void)state;
  json_t *flags = json_pack("[s, s]", "pregnant", "minor");
  case_person_facts_t f[2];
  case_person_facts(NULL, "safe", &f[0]);
  case_person_facts(flags, "unknown", &f[1]);
  assert_false(f[0].minor || f[0].injured || f[0].detained);
  assert_true(f[1].minor);
  assert_int_equal(case_priority_compute(CASE_LOST_DOCUMENTS, f, 1), CASE_LOW);
  assert_int_equal(case_priority_compute(CASE_LOST_DOCUMENTS, f, 2), CASE_NORMAL);
  assert_int_equal(case_priority_compute(CASE_EVACUATION_REQUEST, f, 2), CASE_CRITICAL);
  /* Never above critical. */
  assert_int_equal(case_priority_compute(CASE_TRAFFICKING, f, 2), CASE_CRITICAL);
  case_person_facts(NULL, "injured", &f[0]);
  assert_true(f[0].injured);
  assert_int_equal(case_priority_compute(CASE_FINANCIAL, f, 1), CASE_NORMAL);
  case_person_facts(NULL, "detained", &f[0]);
  assert_true(f[0].detained);
  assert_int_equal(case_priority_compute(CASE_DEATH, f, 1), CASE_HIGH);
  json_decref(flags);
}

static void case_due_time_is_sooner_for_more_urgent_cases(void **state) {
  (void)state;
  int64_t t0 = 1700000000;
  assert_int_equal(case_due_default(CASE_CRITICAL, t0), t0 + 4 * 3600);
  for (int p = CASE_CRITICAL; p < CASE_LOW; p++) {
    assert_true(case_due_default(p, t0) < case_due_default(p + 1, t0));
  }
}

static void case_queue_puts_open_cases_first_then_by_priority(void **state) {
  (void)state;
  assert_int_equal(case_queue_rank(CASE_NEW, CASE_CRITICAL), 0);
  assert_int_equal(case_queue_rank(CASE_IN_PROGRESS, CASE_LOW), CASE_RANK_OPEN_LAST);
  assert_int_equal(case_queue_rank(CASE_RESOLVED, CASE_CRITICAL), CASE_PRIORITY_COUNT);
  assert_int_equal(case_queue_rank(CASE_CLOSED, CASE_LOW), CASE_RANK_LAST);
  assert_true(case_status_open(CASE_TRIAGED));
  assert_false(case_status_open(CASE_CLOSED));
}

static void case_workflow_allows_the_chain_and_reopening_only(void **state) {
  (void)state;
  assert_true(case_transition_allowed(CASE_NEW, CASE_TRIAGED));
  assert_true(case_transition_allowed(CASE_TRIAGED, CASE_IN_PROGRESS));
  assert_true(case_transition_allowed(CASE_IN_PROGRESS, CASE_RESOLVED));
  assert_true(case_transition_allowed(CASE_RESOLVED, CASE_CLOSED));
  assert_true(case_transition_allowed(CASE_RESOLVED, CASE_IN_PROGRESS));
  assert_true(case_transition_allowed(CASE_CLOSED, CASE_IN_PROGRESS));
  assert_false(case_transition_allowed(CASE_NEW, CASE_RESOLVED));
  assert_false(case_transition_allowed(CASE_IN_PROGRESS, CASE_NEW));
  assert_false(case_transition_allowed(CASE_CLOSED, CASE_RESOLVED));
  assert_false(case_transition_allowed(CASE_NEW, CASE_NEW));
  int next[CASE_STATUS_COUNT];
  size_t n = case_next_statuses(CASE_NEW, next);
  assert_int_equal(n, 2);
  assert_int_equal(next[0], CASE_TRIAGED);
  assert_int_equal(next[1], CASE_CLOSED);
  n = case_next_statuses(CASE_CLOSED, next);
  assert_int_equal(n, 1);
  assert_int_equal(next[0], CASE_IN_PROGRESS);
  /* Every status can be left: no case is stuck. */
  for (int s = 0; s < CASE_STATUS_COUNT; s++) assert_true(case_next_statuses(s, next) > 0);
  assert_int_equal(model_enum_index(case_statuses, "in_progress"), CASE_IN_PROGRESS);
}

static void case_counts_of_a_crisis_by_type_for_sitreps(void **state) {
  (void)state;
  char dir[] = "/tmp/baoho-test-case-XXXXXX";
  assert_non_null(mkdtemp(dir));
  char path[128];
  snprintf(path, sizeof(path), "%s/t.db", dir);
  unsigned char master[SECRET_KEY_BYTES] = {1};
  secret_t keys;
  assert_int_equal(secret_init(), BH_OK);
  secret_from_master(master, &keys);
  store_t *s = NULL;
  assert_int_equal(store_open(path, &keys, STORE_SYNC_OFF, &s), BH_OK);
  store_conn_t *c = store_conn(s);
  crisis_t k = {.name = "Counts", .kind = "unrest", .countries = json_pack("[s]", "MM"),
                .regions = json_array()};
  crisis_t other = {.name = "Other", .kind = "unrest", .countries = json_pack("[s]", "MM"),
                    .regions = json_array()};
  assert_int_equal(store_crisis_create(c, &k), BH_OK);
  assert_int_equal(store_crisis_create(c, &other), BH_OK);
  /* type, status, opened_at, resolved_at, closed_at, crisis */
  const struct {
    int type, status;
    int64_t opened, resolved, closed;
    int in_other;
  } rows[] = {
      {CASE_EVACUATION_REQUEST, CASE_NEW, 1000, 0, 0, 0},
      {CASE_EVACUATION_REQUEST, CASE_CLOSED, 1000, 1500, 2500, 0},
      {CASE_EVACUATION_REQUEST, CASE_RESOLVED, 3000, 3100, 0, 0},
      {CASE_DETENTION, CASE_CLOSED, 500, 0, 600, 0},
      {CASE_DETENTION, CASE_NEW, 5000, 0, 0, 1},
  };
  for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
    case_t x = {.type = rows[i].type, .status = rows[i].status, .priority = CASE_HIGH,
                .priority_computed = CASE_HIGH, .priority_override = -1, .channel = "hotline",
                .crisis_id = rows[i].in_other ? other.id : k.id, .due_at = 9999,
                .summary = "x", .opened_at = rows[i].opened, .resolved_at = rows[i].resolved,
                .closed_at = rows[i].closed, .updated_at = rows[i].opened};
    assert_int_equal(store_case_create(c, &x), BH_OK);
  }
  case_counts_t n;
  assert_int_equal(store_case_counts(c, k.id, 2000, &n), BH_OK);
  const case_type_counts_t *ev = &n.by_type[CASE_EVACUATION_REQUEST];
  assert_int_equal(ev->opened, 3);
  assert_int_equal(ev->opened_since, 1);
  assert_int_equal(ev->resolved, 2);
  assert_int_equal(ev->resolved_since, 1);
  assert_int_equal(ev->closed, 1);
  assert_int_equal(ev->closed_since, 1);
  assert_int_equal(ev->open_now, 1);
  assert_int_equal(n.by_type[CASE_DETENTION].opened, 1);
  assert_int_equal(n.by_type[CASE_DETENTION].closed_since, 0);
  assert_int_equal(n.by_type[CASE_MEDICAL].opened, 0);
  assert_int_equal(n.total.opened, 4);
  assert_int_equal(n.total.closed, 2);
  assert_int_equal(n.total.open_now, 1);
  crisis_clear(&k);
  crisis_clear(&other);
  store_close(s);
  char cmd[160];
  snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
  assert_int_equal(system(cmd), 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(case_priority_follows_the_type),
      cmocka_unit_test(case_minor_injured_or_detained_person_raises_priority_once),
      cmocka_unit_test(case_due_time_is_sooner_for_more_urgent_cases),
      cmocka_unit_test(case_queue_puts_open_cases_first_then_by_priority),
      cmocka_unit_test(case_workflow_allows_the_chain_and_reopening_only),
      cmocka_unit_test(case_counts_of_a_crisis_by_type_for_sitreps),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
