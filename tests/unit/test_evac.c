/*
 * test_evac.c - the rules of evacuation (domain/evac.h): the status transitions as declared,
 * which entries hold a seat, the rank of a person, the ordering of candidates with families
 * kept together, the reason given, and a limit that never splits a family; and, on a real SQLite
 * file, the figures the situation report reads (store_evac_transport_figures,
 * store_evac_moved_to_safety) against a scenario whose true counts the test knows.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "domain/evac.h"
#include "store/store.h"
#include "store/store_evac.h"
#include "util/err.h"

static void entry_transitions_are_booked_boarded_arrived_or_no_show(void **state) {
  (void)state;
  const evac_transition_t *t = evac_entry_transitions;
  assert_true(evac_transition_allowed(t, "booked", "boarded"));
  assert_true(evac_transition_allowed(t, "boarded", "arrived"));
  assert_true(evac_transition_allowed(t, "booked", "no_show"));
  assert_true(evac_transition_allowed(t, "booked", "cancelled"));
  assert_false(evac_transition_allowed(t, "booked", "arrived"));
  assert_false(evac_transition_allowed(t, "boarded", "no_show"));
  assert_false(evac_transition_allowed(t, "arrived", "booked"));
  assert_false(evac_transition_allowed(t, "no_show", "boarded"));
  assert_false(evac_transition_allowed(t, NULL, "boarded"));
  assert_false(evac_transition_allowed(t, "booked", "bogus"));
}

static void transport_transitions_never_leave_arrived_or_cancelled(void **state) {
  (void)state;
  const evac_transition_t *t = evac_transport_transitions;
  assert_true(evac_transition_allowed(t, "planned", "departed"));
  assert_true(evac_transition_allowed(t, "departed", "arrived"));
  assert_true(evac_transition_allowed(t, "planned", "cancelled"));
  for (size_t i = 0; evac_transport_statuses[i]; i++) {
    assert_false(evac_transition_allowed(t, "arrived", evac_transport_statuses[i]));
    assert_false(evac_transition_allowed(t, "cancelled", evac_transport_statuses[i]));
  }
  assert_false(evac_transition_allowed(t, "departed", "planned"));
}

static void only_booked_boarded_and_arrived_entries_hold_a_seat(void **state) {
  (void)state;
  assert_true(evac_entry_holds_seat("booked"));
  assert_true(evac_entry_holds_seat("boarded"));
  assert_true(evac_entry_holds_seat("arrived"));
  assert_false(evac_entry_holds_seat("no_show"));
  assert_false(evac_entry_holds_seat("cancelled"));
  assert_false(evac_entry_holds_seat(NULL));
}

static void rank_follows_injured_minor_elderly_student_other(void **state) {
  (void)state;
  json_t *none = json_array();
  json_t *medical = json_pack("[s]", "medical");
  json_t *minor = json_pack("[s]", "minor");
  json_t *elderly = json_pack("[s]", "elderly");
  assert_int_equal(evac_rank_of("injured", none, NULL, "student", 2023), EVAC_RANK_INJURED);
  assert_int_equal(evac_rank_of("safe", medical, NULL, NULL, 2023), EVAC_RANK_INJURED);
  assert_int_equal(evac_rank_of("safe", minor, NULL, "student", 2023), EVAC_RANK_MINOR);
  assert_int_equal(evac_rank_of("safe", elderly, NULL, "student", 2023), EVAC_RANK_ELDERLY);
  assert_int_equal(evac_rank_of("safe", none, NULL, "student", 2023), EVAC_RANK_STUDENT);
  assert_int_equal(evac_rank_of("unknown", none, NULL, "worker", 2023), EVAC_RANK_OTHER);
  /* Birth years: only the certain cases count (born 2006 is at most 17 in 2023; born 2005 may
   * be 18). */
  assert_int_equal(evac_rank_of("safe", none, "2006-12", "worker", 2023), EVAC_RANK_MINOR);
  assert_int_equal(evac_rank_of("safe", none, "2005", "worker", 2023), EVAC_RANK_OTHER);
  assert_int_equal(evac_rank_of("safe", none, "1957-01-02", "worker", 2023), EVAC_RANK_ELDERLY);
  assert_int_equal(evac_rank_of("safe", none, "1958", "worker", 2023), EVAC_RANK_OTHER);
  assert_int_equal(evac_rank_of("safe", none, "19xx", "worker", 2023), EVAC_RANK_OTHER);
  json_decref(none);
  json_decref(medical);
  json_decref(minor);
  json_decref(elderly);
}

static void order_keeps_families_together_at_their_best_rank(void **state) {
  (void)state;
  evac_candidate_t c[] = {
      {.person_id = 1, .rank = EVAC_RANK_OTHER},
      {.person_id = 2, .group_id = "fam", .rank = EVAC_RANK_OTHER},
      {.person_id = 3, .rank = EVAC_RANK_STUDENT},
      {.person_id = 4, .rank = EVAC_RANK_INJURED},
      {.person_id = 5, .group_id = "fam", .rank = EVAC_RANK_MINOR},
      {.person_id = 6, .group_id = "other-fam", .rank = EVAC_RANK_ELDERLY},
      {.person_id = 7, .group_id = "other-fam", .rank = EVAC_RANK_OTHER},
  };
  size_t n = sizeof(c) / sizeof(c[0]);
  evac_order(c, n);
  int64_t want[] = {4, 5, 2, 6, 7, 3, 1};
  for (size_t i = 0; i < n; i++) assert_int_equal(c[i].person_id, want[i]);
  assert_string_equal(evac_reason(&c[0]), "injured");
  assert_string_equal(evac_reason(&c[1]), "minor");
  assert_string_equal(evac_reason(&c[2]), "family_of_minor");
  assert_string_equal(evac_reason(&c[3]), "elderly");
  assert_string_equal(evac_reason(&c[4]), "family_of_elderly");
  assert_string_equal(evac_reason(&c[5]), "student");
  assert_string_equal(evac_reason(&c[6]), "other");
}

static void take_never_splits_a_family_except_the_first(void **state) {
  (void)state;
  evac_candidate_t c[] = {
      {.person_id = 1, .group_id = "a", .rank = EVAC_RANK_MINOR},
      {.person_id = 2, .group_id = "a", .rank = EVAC_RANK_OTHER},
      {.person_id = 3, .group_id = "a", .rank = EVAC_RANK_OTHER},
      {.person_id = 4, .rank = EVAC_RANK_ELDERLY},
      {.person_id = 5, .group_id = "b", .rank = EVAC_RANK_STUDENT},
      {.person_id = 6, .group_id = "b", .rank = EVAC_RANK_STUDENT},
  };
  size_t n = sizeof(c) / sizeof(c[0]);
  evac_order(c, n);
  assert_int_equal(evac_take(c, n, 2), 2); /* the first family is cut at the limit */
  assert_int_equal(evac_take(c, n, 3), 3);
  assert_int_equal(evac_take(c, n, 4), 4);
  assert_int_equal(evac_take(c, n, 5), 4); /* family b (2) does not fit in the fifth place */
  assert_int_equal(evac_take(c, n, 6), 6);
  assert_int_equal(evac_take(c, n, 100), 6);
  assert_int_equal(evac_take(c, 0, 10), 0);
}

static int64_t new_person(store_conn_t *c, const char *name) {
  person_t p = {.full_name = name, .sex = "F", .source = "officer", .status = "unknown"};
  assert_int_equal(store_person_create(c, &p), BH_OK);
  person_clear(&p);
  return p.id;
}

static int64_t new_transport(store_conn_t *c, int64_t crisis, const char *purpose, int64_t dep) {
  transport_t t = {.mode = "flight", .provider = "own", .purpose = purpose, .crisis_id = crisis,
                   .origin_place = "Tel Aviv", .origin_country = "IL",
                   .destination_place = "Hà Nội", .destination_country = "VN",
                   .departure_at = dep, .capacity = 5, .reference = "VN-1"};
  assert_int_equal(store_transport_create(c, &t), BH_OK);
  return t.id;
}

static void sitrep_figures_count_transports_and_persons_moved_to_safety(void **state) {
  (void)state;
  char path[] = "/tmp/baoho-test-evac-XXXXXX";
  int fd = mkstemp(path);
  assert_true(fd >= 0);
  close(fd);
  unlink(path);
  unsigned char master[SECRET_KEY_BYTES] = {7};
  secret_t keys;
  secret_from_master(master, &keys);
  store_t *s;
  assert_int_equal(store_open(path, &keys, STORE_SYNC_NORMAL, &s), BH_OK);
  store_conn_t *c = store_conn(s);
  store_scope_t all = STORE_SCOPE_ALL;
  crisis_t k = {.name = "Sitrep", .kind = "armed_conflict", .countries = json_pack("[s]", "IL"),
                .regions = json_array()};
  assert_int_equal(store_crisis_create(c, &k), BH_OK);
  int64_t p1 = new_person(c, "Một"), p2 = new_person(c, "Hai"), p3 = new_person(c, "Ba");
  site_t site = {.kind = "shelter", .name = "Site", .country = "IL", .capacity = 10,
                 .crisis_id = k.id};
  assert_int_equal(store_site_create(c, &site), BH_OK);
  evac_refusal_t why;
  int64_t stay;
  assert_int_equal(store_begin_write(c), BH_OK);
  assert_int_equal(store_site_checkin(c, &all, site.id, p1, 1000, 0, &why, &stay), BH_OK);
  assert_int_equal(store_site_checkin(c, &all, site.id, p2, 5000, 0, &why, &stay), BH_OK);
  assert_int_equal(store_site_checkout(c, &all, site.id, p1, 5200, 0, &why), BH_OK);
  assert_int_equal(store_site_checkin(c, &all, site.id, p1, 6000, 0, &why, &stay), BH_OK);
  assert_int_equal(store_commit(c), BH_OK);
  int64_t total = -1, since = -1;
  assert_int_equal(store_evac_moved_to_safety(c, k.id, 4000, &total, &since), BH_OK);
  assert_int_equal(total, 2);
  assert_int_equal(since, 2);
  assert_int_equal(store_evac_moved_to_safety(c, k.id, 5500, &total, &since), BH_OK);
  assert_int_equal(since, 1);
  int64_t repat = new_transport(c, k.id, "repatriation", 2000);
  int64_t cancelled = new_transport(c, k.id, "evacuation", 1000);
  new_transport(c, 0, "evacuation", 500);
  manifest_in_t in[3] = {{.person_id = p1}, {.person_id = p2}, {.full_name = "Partner"}};
  memcpy(in[2].nationality, "TH", 3);
  int64_t ids[3], booking;
  assert_int_equal(store_begin_write(c), BH_OK);
  assert_int_equal(store_manifest_add(c, &all, repat, in, 3, 0, 0, ids, &booking, &why), BH_OK);
  assert_int_equal(store_manifest_add(c, &all, cancelled, &(manifest_in_t){.person_id = p3}, 1,
                                      0, 0, ids + 1, &booking, &why), BH_OK);
  assert_int_equal(store_transport_set_status(c, &all, cancelled, "cancelled", 0, 0, &why), BH_OK);
  assert_int_equal(store_commit(c), BH_OK);
  assert_int_equal(store_begin_write(c), BH_OK);
  assert_int_equal(store_manifest_set_status(c, &all, repat, ids[0], "boarded", 0, 0, &why), BH_OK);
  assert_int_equal(store_manifest_set_status(c, &all, repat, ids[2], "boarded", 0, 0, &why), BH_OK);
  store_arrival_t arrival;
  assert_int_equal(store_transport_arrive(c, &all, repat, 9000, 0, &arrival, &why), BH_OK);
  assert_int_equal(store_commit(c), BH_OK);
  assert_int_equal(arrival.entries, 2);
  assert_int_equal(arrival.persons, 1);
  arena_t *a = arena_new(1 << 16);
  evac_transport_figures_t *f;
  size_t n;
  assert_int_equal(store_evac_transport_figures(c, k.id, a, &f, &n), BH_OK);
  assert_int_equal(n, 1); /* the cancelled one and the one of no crisis are left out */
  assert_int_equal(f[0].transport_id, repat);
  assert_string_equal(f[0].purpose, "repatriation");
  assert_string_equal(f[0].status, "arrived");
  assert_int_equal(f[0].booked, 1);
  assert_int_equal(f[0].boarded, 0);
  assert_int_equal(f[0].arrived, 2);
  assert_int_equal(f[0].arrived_registered, 1);
  assert_int_equal(f[0].arrived_partner, 1);
  assert_int_equal(f[0].arrival_at, 9000);
  arena_free(a);
  crisis_clear(&k);
  store_close(s);
  char side[sizeof(path) + 8];
  unlink(path);
  snprintf(side, sizeof(side), "%s-wal", path);
  unlink(side);
  snprintf(side, sizeof(side), "%s-shm", path);
  unlink(side);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(entry_transitions_are_booked_boarded_arrived_or_no_show),
      cmocka_unit_test(transport_transitions_never_leave_arrived_or_cancelled),
      cmocka_unit_test(only_booked_boarded_and_arrived_entries_hold_a_seat),
      cmocka_unit_test(rank_follows_injured_minor_elderly_student_other),
      cmocka_unit_test(order_keeps_families_together_at_their_best_rank),
      cmocka_unit_test(take_never_splits_a_family_except_the_first),
      cmocka_unit_test(sitrep_figures_count_transports_and_persons_moved_to_safety),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
