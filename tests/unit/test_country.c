/*
 * test_country.c - unit tests for domain/country: ISO 3166-1 alpha-2 codes and names.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "domain/country.h"

static void country_accepts_assigned_codes(void **state) {
  (void)state;
  static const char *const codes[] = {"VN", "US", "IL", "PS", "MM", "CN", "KR", "KP", "JP", "DE",
                                      "FR", "TH", "AD", "ZW", "AX", "TW", "GB"};
  for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
    assert_true(country_valid(codes[i]));
}

static void country_rejects_lowercase(void **state) {
  (void)state;
  assert_false(country_valid("vn"));
  assert_false(country_valid("Vn"));
  assert_false(country_valid("vN"));
}

static void country_rejects_unassigned_and_reserved_codes(void **state) {
  (void)state;
  assert_false(country_valid("XK")); /* Kosovo: user-assigned, not in ISO 3166-1 */
  assert_false(country_valid("UK")); /* exceptionally reserved */
  assert_false(country_valid("EU"));
  assert_false(country_valid("AA"));
  assert_false(country_valid("ZZ"));
  assert_false(country_valid("AN")); /* withdrawn */
  assert_false(country_valid("YU"));
}

static void country_rejects_other_shapes(void **state) {
  (void)state;
  assert_false(country_valid(NULL));
  assert_false(country_valid(""));
  assert_false(country_valid("V"));
  assert_false(country_valid("VNM"));
  assert_false(country_valid("VN "));
  assert_false(country_valid(" VN"));
  assert_false(country_valid("704"));
  assert_false(country_valid("V1"));
}

static void country_names_in_english_and_vietnamese(void **state) {
  (void)state;
  static const char *const rows[][3] = {
      {"VN", "Viet Nam", "Vi\xe1\xbb\x87t Nam"},
      {"IL", "Israel", "Israel"},
      {"MM", "Myanmar", "Myanmar"},
      {"CN", "China", "Trung Qu\xe1\xbb\x91" "c"},
      {"PS", "Palestine, State of", "Palestine"},
      {"US", "United States of America", "Hoa K\xe1\xbb\xb3"},
      {"KR", "Korea, Republic of", "H\xc3\xa0n Qu\xe1\xbb\x91" "c"},
      {"JP", "Japan", "Nh\xe1\xba\xad" "t B\xe1\xba\xa3n"},
      {"DE", "Germany", "\xc4\x90\xe1\xbb\xa9" "c"},
      {"FR", "France", "Ph\xc3\xa1p"},
      {"TH", "Thailand", "Th\xc3\xa1i Lan"},
  };
  for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
    assert_string_equal(country_name(rows[i][0], "en"), rows[i][1]);
    assert_string_equal(country_name(rows[i][0], "vi"), rows[i][2]);
  }
}

static void country_name_is_null_for_unknown_code_or_language(void **state) {
  (void)state;
  assert_null(country_name("XX", "en"));
  assert_null(country_name("vn", "vi"));
  assert_null(country_name(NULL, "vi"));
  assert_null(country_name("VN", "fr"));
  assert_null(country_name("VN", "VI"));
  assert_null(country_name("VN", NULL));
}

static void country_table_is_sorted_and_complete(void **state) {
  (void)state;
  assert_int_equal(country_count(), 249);
  const char *prev = NULL;
  for (size_t i = 0; i < country_count(); i++) {
    const char *code = country_code_at(i);
    assert_non_null(code);
    assert_int_equal(strlen(code), 2);
    assert_true(country_valid(code));
    if (prev != NULL)
      assert_true(strcmp(prev, code) < 0);
    const char *en = country_name(code, "en"), *vi = country_name(code, "vi");
    assert_non_null(en);
    assert_non_null(vi);
    assert_true(strlen(en) > 0);
    assert_true(strlen(vi) > 0);
    prev = code;
  }
  assert_null(country_code_at(country_count()));
  assert_string_equal(country_code_at(0), "AD");
  assert_string_equal(country_code_at(country_count() - 1), "ZW");
}

static void country_accepts_every_two_letter_code_only_from_the_table(void **state) {
  (void)state;
  size_t valid = 0;
  char code[3] = {0, 0, 0};
  for (char a = 'A'; a <= 'Z'; a++) {
    for (char b = 'A'; b <= 'Z'; b++) {
      code[0] = a;
      code[1] = b;
      valid += (size_t)country_valid(code);
    }
  }
  assert_int_equal(valid, 249);
}

static void region_accepts_subdivision_shapes(void **state) {
  (void)state;
  assert_true(country_region_valid("VN", "VN-HN"));
  assert_true(country_region_valid("VN", "VN-SG"));
  assert_true(country_region_valid("US", "US-CA"));
  assert_true(country_region_valid("JP", "JP-13"));
  assert_true(country_region_valid("GB", "GB-ENG"));
  assert_true(country_region_valid("FR", "FR-A"));
  assert_true(country_region_valid("TH", "TH-10"));
}

static void region_rejects_wrong_prefix_or_shape(void **state) {
  (void)state;
  assert_false(country_region_valid("VN", "US-CA"));
  assert_false(country_region_valid("VN", "VN-"));
  assert_false(country_region_valid("VN", "VN-ABCD"));
  assert_false(country_region_valid("VN", "VNHN"));
  assert_false(country_region_valid("VN", "VN_HN"));
  assert_false(country_region_valid("VN", "vn-hn"));
  assert_false(country_region_valid("VN", "VN-hn"));
  assert_false(country_region_valid("VN", "VN-H N"));
  assert_false(country_region_valid("VN", "VN-HN "));
  assert_false(country_region_valid("VN", "VN"));
  assert_false(country_region_valid("VN", ""));
  assert_false(country_region_valid("XX", "XX-AB"));
  assert_false(country_region_valid("vn", "vn-HN"));
  assert_false(country_region_valid(NULL, "VN-HN"));
  assert_false(country_region_valid("VN", NULL));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(country_accepts_assigned_codes),
      cmocka_unit_test(country_rejects_lowercase),
      cmocka_unit_test(country_rejects_unassigned_and_reserved_codes),
      cmocka_unit_test(country_rejects_other_shapes),
      cmocka_unit_test(country_names_in_english_and_vietnamese),
      cmocka_unit_test(country_name_is_null_for_unknown_code_or_language),
      cmocka_unit_test(country_table_is_sorted_and_complete),
      cmocka_unit_test(country_accepts_every_two_letter_code_only_from_the_table),
      cmocka_unit_test(region_accepts_subdivision_shapes),
      cmocka_unit_test(region_rejects_wrong_prefix_or_shape),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
