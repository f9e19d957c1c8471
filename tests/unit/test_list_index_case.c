/*
 * test_list_index_case.c - unit tests for the matching record built from the unregistered
 * subject of a missing-person case (list_index_case_input in src/registry/list_index.c): the
 * subject's sex, date of birth, province and identity number reach the engine, and with them a
 * list row agreeing with the subject's date of birth ranks that case above a namesake case known
 * by its name only.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "match/match_run.h"
#include "registry/list_index.h"
#include "util/err.h"

static void case_input_carries_the_subjects_details(void **state) {
  (void)state;
  store_match_case_t k = {.case_id = 42, .full_name = "Lò Văn Pấng", .sex = "M",
                          .date_of_birth = "1991-07", .home_province = "Điện Biên",
                          .id_number = "C7654321"};
  char idtext[LIST_INDEX_IDTEXT];
  match_input_t in;
  list_index_case_input(&k, idtext, &in);
  assert_string_equal(in.id, "case 42");
  assert_ptr_equal(in.id, idtext);
  assert_string_equal(in.full_name, "Lò Văn Pấng");
  assert_string_equal(in.sex, "M");
  assert_string_equal(in.date_of_birth, "1991-07");
  assert_string_equal(in.province, "Điện Biên");
  assert_string_equal(in.id_number[0], "C7654321");
  assert_null(in.id_number[1]);
  assert_int_equal(in.age, -1);
  assert_int_equal(in.order, MATCH_ORDER_FAMILY_FIRST);
}

static void case_input_of_a_caller_only_case_has_the_name_only(void **state) {
  (void)state;
  store_match_case_t k = {.case_id = 7, .full_name = "Vì Văn Khoát"};
  char idtext[LIST_INDEX_IDTEXT];
  match_input_t in;
  list_index_case_input(&k, idtext, &in);
  assert_string_equal(in.full_name, "Vì Văn Khoát");
  assert_null(in.sex);
  assert_null(in.date_of_birth);
  assert_null(in.province);
  assert_null(in.id_number[0]);
}

/* Adds case k's record to idx. */
static void add_case(match_index_t *idx, const store_match_case_t *k) {
  char idtext[LIST_INDEX_IDTEXT];
  match_input_t in;
  list_index_case_input(k, idtext, &in);
  assert_int_equal(match_index_add(idx, &in, NULL), BH_OK);
}

/* The rank of external id among the hits of res, or -1. */
static int rank_of(const match_index_t *idx, const match_result_t *res, const char *id) {
  for (int i = 0; i < res->nhit; i++)
    if (strcmp(match_index_external_id(idx, res->hit[i].cand), id) == 0) return i;
  return -1;
}

static void row_with_the_subjects_birth_date_ranks_that_case_above_a_namesake(void **state) {
  (void)state;
  match_index_t *idx = NULL;
  assert_int_equal(match_index_new(&idx), BH_OK);
  /* Namesakes first, so that record order cannot be what puts the subject's case first. */
  store_match_case_t bare = {.case_id = 1, .full_name = "Vì Văn Khoát"};
  store_match_case_t known = {.case_id = 2, .full_name = "Vì Văn Khoát", .sex = "M",
                              .date_of_birth = "1991-07-14"};
  store_match_case_t other = {.case_id = 3, .full_name = "Lường Thị Én", .sex = "F",
                              .date_of_birth = "1988-02-02"};
  add_case(idx, &bare);
  add_case(idx, &known);
  add_case(idx, &other);
  assert_int_equal(match_index_freeze(idx, 1), BH_OK);

  match_input_t row = {.full_name = "VI VAN KHOAT", .date_of_birth = "14/07/1991", .sex = "M",
                       .age = -1, .order = MATCH_ORDER_UNKNOWN};
  match_query_t q;
  match_result_t res;
  match_options_t opt;
  match_options_init(&opt);
  assert_int_equal(match_query_prepare(idx, &row, 2025, 6, 1, &q, NULL), BH_OK);
  assert_int_equal(match_run(idx, &q, 1, &opt, &res), BH_OK);
  int r_known = rank_of(idx, &res, "case 2"), r_bare = rank_of(idx, &res, "case 1");
  assert_int_equal(r_known, 0);
  assert_true(r_bare < 0 || res.hit[r_bare].probability < res.hit[r_known].probability);
  match_index_free(idx);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(case_input_carries_the_subjects_details),
      cmocka_unit_test(case_input_of_a_caller_only_case_has_the_name_only),
      cmocka_unit_test(row_with_the_subjects_birth_date_ranks_that_case_above_a_namesake),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
