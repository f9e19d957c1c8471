/*
 * test_search.c - finding people by name (without regard to case, tone marks or word order) and
 * by exact identity number, and never beyond the searcher's jurisdiction.
 */
#include <string.h>

#include "harness.h"

/* Ids of the people the searches look for, made once per server. */
static struct {
  int made;
  const char *hang_il, *hang_mm, *duc;
} p;

static void people(h_server_t *s) {
  if (p.made) return;
  const h_auth_t *admin = h_as(s, H_ADMIN);
  p.hang_il = h_str(
      "%s",
      h_gets(h_create_person(
                 s, admin,
                 "{\"full_name\":\"Phạm Thu "
                 "Hằng\",\"passport\":\"Z9876543\",\"national_id\":\"038190001234\","
                 "\"presence\":{\"country\":\"IL\",\"region\":\"IL-TA\",\"category\":\"student\"}}")
                 ->json,
             "id"));
  p.hang_mm = h_str(
      "%s",
      h_gets(h_create_person(
                 s, admin,
                 "{\"full_name\":\"Phạm Thu Hằng\",\"passport\":\"M5550001\","
                 "\"presence\":{\"country\":\"MM\",\"region\":\"MM-13\",\"category\":\"worker\"}}")
                 ->json,
             "id"));
  p.duc = h_str(
      "%s",
      h_gets(
          h_create_person(s, admin, h_person_json("Đặng Văn Đức", "IL", "IL-HA", "worker"))->json,
          "id"));
  p.made = 1;
}

/* The items of one search as who (limit 500). */
static json_t *search(h_server_t *s, enum h_who who, const char *q) {
  h_resp_t *r =
      h_call(s, h_as(s, who), "GET", NULL, "/api/v1/persons?limit=500&q=%s", h_urlencode(q));
  EXPECT_STATUS(s, r, 200);
  return h_get(r->json, "items");
}

static void search_ignores_case_and_tone_marks(void **state) {
  h_server_t *s = *state;
  people(s);
  const char *queries[] = {"pham thu hang", "PHẠM THU HẰNG", "Phạm Thu Hằng", "  pham   THU hang ",
                           "pham-thu-hang"};
  for (size_t i = 0; i < sizeof(queries) / sizeof(queries[0]); i++) {
    json_t *items = search(s, H_ADMIN, queries[i]);
    if (!h_has_id(items, p.hang_il) || !h_has_id(items, p.hang_mm)) {
      fail_msg("q=\"%s\" did not find both people named Phạm Thu Hằng", queries[i]);
    }
  }
}

static void search_ignores_word_order(void **state) {
  h_server_t *s = *state;
  people(s);
  json_t *items = search(s, H_ADMIN, "Hang Pham");
  assert_true(h_has_id(items, p.hang_il));
  assert_true(h_has_id(items, p.hang_mm));
}

static void search_folds_d_with_stroke(void **state) {
  h_server_t *s = *state;
  people(s);
  assert_true(h_has_id(search(s, H_ADMIN, "dang van duc"), p.duc));
  assert_true(h_has_id(search(s, H_ADMIN, "ĐẶNG VĂN ĐỨC"), p.duc));
  assert_false(h_has_id(search(s, H_ADMIN, "dang van duc"), p.hang_il));
}

static void search_needs_every_word(void **state) {
  h_server_t *s = *state;
  people(s);
  json_t *items = search(s, H_ADMIN, "pham thu hang zyxwvut");
  assert_int_equal(json_array_size(items), 0);
}

static void search_by_exact_passport_finds_the_person(void **state) {
  h_server_t *s = *state;
  people(s);
  json_t *items = search(s, H_ADMIN, "Z9876543");
  assert_int_equal(json_array_size(items), 1);
  assert_string_equal(h_gets(items, "[0].id"), p.hang_il);
  assert_string_equal(h_gets(items, "[0].passport"), "Z9876543");
}

static void search_by_passport_ignores_case_and_spaces(void **state) {
  h_server_t *s = *state;
  people(s);
  const char *queries[] = {"z9876543", " Z9876543 ", "Z98 765 43", "z-987-6543"};
  for (size_t i = 0; i < sizeof(queries) / sizeof(queries[0]); i++) {
    json_t *items = search(s, H_ADMIN, queries[i]);
    if (json_array_size(items) != 1 || !h_has_id(items, p.hang_il)) {
      fail_msg("q=\"%s\" did not find exactly the holder of passport Z9876543", queries[i]);
    }
  }
}

static void search_by_national_id_finds_the_person(void **state) {
  h_server_t *s = *state;
  people(s);
  const char *queries[] = {"038190001234", "038 190 001 234"};
  for (size_t i = 0; i < sizeof(queries) / sizeof(queries[0]); i++) {
    json_t *items = search(s, H_ADMIN, queries[i]);
    if (json_array_size(items) != 1 || !h_has_id(items, p.hang_il)) {
      fail_msg("q=\"%s\" did not find exactly the holder of national ID 038190001234", queries[i]);
    }
  }
}

static void search_by_part_of_a_number_finds_nobody(void **state) {
  h_server_t *s = *state;
  people(s);
  assert_int_equal(json_array_size(search(s, H_ADMIN, "Z987654")), 0);
  assert_int_equal(json_array_size(search(s, H_ADMIN, "0381900012345")), 0);
}

static void search_never_returns_a_person_outside_the_officers_jurisdiction(void **state) {
  h_server_t *s = *state;
  people(s);
  json_t *mm = search(s, H_MYANMAR, "pham thu hang");
  assert_true(h_has_id(mm, p.hang_mm));
  assert_false(h_has_id(mm, p.hang_il));
  json_t *il = search(s, H_ISRAEL, "pham thu hang");
  assert_true(h_has_id(il, p.hang_il));
  assert_false(h_has_id(il, p.hang_mm));
  assert_int_equal(json_array_size(search(s, H_MYANMAR, "Z9876543")), 0);
  assert_int_equal(json_array_size(search(s, H_MYANMAR, "038190001234")), 0);
  assert_int_equal(json_array_size(search(s, H_ISRAEL, "M5550001")), 0);
  /* Nor does a plain list or a country filter. */
  json_t *all = h_list_all(s, h_as(s, H_MYANMAR), "/api/v1/persons", 500);
  assert_false(h_has_id(all, p.hang_il));
  assert_false(h_has_id(all, p.duc));
  json_t *il_from_mm = h_list_all(s, h_as(s, H_MYANMAR), "/api/v1/persons?country=IL", 500);
  assert_int_equal(json_array_size(il_from_mm), 0);
}

int api_search_tests(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(search_ignores_case_and_tone_marks),
      cmocka_unit_test(search_ignores_word_order),
      cmocka_unit_test(search_folds_d_with_stroke),
      cmocka_unit_test(search_needs_every_word),
      cmocka_unit_test(search_by_exact_passport_finds_the_person),
      cmocka_unit_test(search_by_passport_ignores_case_and_spaces),
      cmocka_unit_test(search_by_national_id_finds_the_person),
      cmocka_unit_test(search_by_part_of_a_number_finds_nobody),
      cmocka_unit_test(search_never_returns_a_person_outside_the_officers_jurisdiction),
  };
  return cmocka_run_group_tests_name("search", tests, h_group_setup, h_group_teardown);
}
