/*
 * test_import_prepare.c - unit tests for store_import_prepare, the part of an import row computed
 * on the parser thread: its JSON texts are exactly what jansson writes, whatever the items hold,
 * and its name key and sealed numbers are those of an ordinary create.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "domain/secret.h"
#include "store/store.h"
#include "store/store_impl.h"
#include "util/arena.h"
#include "util/err.h"

static secret_t keys;

static int setup_keys(void **state) {
  (void)state;
  if (secret_init() != BH_OK) return -1;
  unsigned char master[SECRET_KEY_BYTES];
  for (size_t i = 0; i < sizeof(master); i++) master[i] = (unsigned char)(3 + 11 * i);
  secret_from_master(master, &keys);
  return 0;
}

/* A JSON array of the n strings in items. */
static json_t *strings(const char *const *items, size_t n) {
  json_t *a = json_array();
  for (size_t i = 0; i < n; i++) json_array_append_new(a, json_string(items[i]));
  return a;
}

/* Asserts that text is what json_dumps(j, JSON_COMPACT) writes. */
static void assert_jansson_text(const char *text, const json_t *j) {
  char *want = json_dumps(j, JSON_COMPACT);
  assert_non_null(want);
  assert_string_equal(text, want);
  free(want);
}

static void import_json_texts_are_what_jansson_writes(void **state) {
  (void)state;
  static const char *const odd[] = {
      "Đức \"Bé\" \\ Trịnh", "tab\there", "line\nbreak\r\n", "\x01\x1f\x7f", "slash/é€😀", "",
  };
  static const char *const phones[] = {"+84912345678", "+8618876202374"};
  person_t p = {.full_name = "Trịnh Văn Đức", .sex = "M", .status = "safe"};
  p.other_names = strings(odd, sizeof(odd) / sizeof(odd[0]));
  p.phones = strings(phones, 2);
  p.emails = json_array();
  p.flags = strings((const char *const[]){"minor"}, 1);
  p.contacts = json_array();
  json_array_append_new(p.contacts, json_pack("{s:s, s:b}", "name", "Mẹ", "consent", 1));
  arena_t *a = arena_new(1 << 20);
  assert_non_null(a);
  store_import_row_t row;
  assert_int_equal(store_import_prepare(&keys, &p, NULL, a, &row), BH_OK);
  assert_jansson_text(row.other_names, p.other_names);
  assert_jansson_text(row.phones, p.phones);
  assert_string_equal(row.emails, "[]");
  assert_jansson_text(row.flags, p.flags);
  assert_jansson_text(row.contacts, p.contacts); /* not strings: jansson writes it */
  assert_int_equal(row.nid_len, 0);
  assert_int_equal(row.pp_len, 0);
  person_clear(&p);
  arena_free(a);
}

static void import_row_has_the_name_key_and_sealed_numbers(void **state) {
  (void)state;
  person_t p = {.full_name = "Nguyễn Thị Hằng", .sex = "F", .status = "unknown",
                .passport = "c 050-9793", .national_id = "031214074585"};
  p.other_names = strings((const char *const[]){"Hằng Nguyễn", "Đào"}, 2);
  arena_t *a = arena_new(1 << 20);
  assert_non_null(a);
  store_import_row_t row;
  assert_int_equal(store_import_prepare(&keys, &p, NULL, a, &row), BH_OK);
  char key[STORE_NAME_KEY_MAX];
  assert_int_equal(store_person_name_key(&p, key, sizeof(key)), BH_OK);
  assert_string_equal(row.name_key, key);
  assert_string_equal(row.name_key, "nguyen thi hang dao");
  unsigned char hash[SECRET_INDEX_BYTES], plain[32];
  secret_index(&keys, "passport", "C0509793", hash);
  assert_memory_equal(row.pp_hash, hash, sizeof(hash));
  assert_int_equal(row.pp_len, strlen("C0509793") + SECRET_SEAL_OVERHEAD);
  assert_int_equal(secret_open(&keys, row.pp_sealed, row.pp_len, plain), BH_OK);
  assert_memory_equal(plain, "C0509793", 8);
  secret_index(&keys, "national_id", "031214074585", hash);
  assert_memory_equal(row.nid_hash, hash, sizeof(hash));
  person_clear(&p);
  arena_free(a);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(import_json_texts_are_what_jansson_writes),
      cmocka_unit_test(import_row_has_the_name_key_and_sealed_numbers),
  };
  return cmocka_run_group_tests(tests, setup_keys, NULL);
}
