/*
 * test_jsonw.c - unit tests for the JSON text writer (util/jsonw) and the person written with it
 * (render_person_text): the text must be what jansson's compact dump gives for the same values.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "api/render_text.h"
#include "util/err.h"
#include "util/jsonw.h"

/* What jansson writes for the string s (JSON_COMPACT, a bare value). */
static char *jansson_string(const char *s) {
  json_t *j = json_string(s);
  assert_non_null(j);
  char *text = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);
  json_decref(j);
  assert_non_null(text);
  return text;
}

/* The text jsonw writes for one call of fn on a fresh writer (caller frees). */
static char *written_string(const char *s) {
  jsonw_t w;
  jsonw_init(&w, 1 << 20);
  jsonw_str(&w, s);
  assert_int_equal(jsonw_error(&w), BH_OK);
  char *text = strndup(w.data, w.len);
  jsonw_free(&w);
  return text;
}

static void jsonw_str_escapes_every_string_as_jansson_does(void **state) {
  (void)state;
  static const char *const cases[] = {
      "", "plain", "Phạm Thu Hằng", "Đặng \"Bé\" Na", "back\\slash", "a/b</script>",
      "tab\tnew\nline\rret", "bell\x07 esc\x1b us\x1f del\x7f", "\b\f", "日本語 𝄞 emoji 😀",
      "ends with backslash \\",
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    char *want = jansson_string(cases[i]);
    char *got = written_string(cases[i]);
    assert_string_equal(got, want);
    free(want);
    free(got);
  }
  /* Every control character on its own. */
  for (int c = 1; c < 0x20; c++) {
    char s[2] = {(char)c, '\0'};
    char *want = jansson_string(s);
    char *got = written_string(s);
    assert_string_equal(got, want);
    free(want);
    free(got);
  }
}

static void jsonw_str_writes_null_for_text_that_is_not_utf8(void **state) {
  (void)state;
  static const char *const bad[] = {
      "\xff", "a\x80", "\xc0\x80" /* overlong */, "\xed\xa0\x80" /* surrogate */,
      "\xe1\x80" /* cut short */, "\xf4\x90\x80\x80" /* past U+10FFFF */,
  };
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    assert_null(json_string(bad[i])); /* jansson refuses to hold it too */
    char *got = written_string(bad[i]);
    assert_string_equal(got, "null");
    free(got);
  }
  char *got = written_string(NULL);
  assert_string_equal(got, "null");
  free(got);
}

/* jsonw_json's text for input (caller frees), and whether the input was taken. */
static char *copied(const char *input, int *taken) {
  jsonw_t w;
  jsonw_init(&w, 1 << 20);
  *taken = jsonw_json(&w, input, input ? strlen(input) : 0, "[]");
  assert_int_equal(jsonw_error(&w), BH_OK);
  char *text = strndup(w.data, w.len);
  jsonw_free(&w);
  return text;
}

static void jsonw_json_copies_valid_text_without_spaces(void **state) {
  (void)state;
  static const char *const cases[] = {
      "[]", "{}", "[\"+84901234567\",\"+66812345678\"]",
      " [ \"a\" ,\t{ \"name\" : \"Lê Văn A\", \"relation\":\"mẹ\", \"consent_to_disclose\" : true } ,"
      " null , false , 12 , -7, [ [ ] ] ]\n",
      "[\"quote \\\" slash \\/ tab \\t\"]",
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    int taken;
    char *got = copied(cases[i], &taken);
    assert_int_equal(taken, 1);
    json_t *orig = json_loads(cases[i], 0, NULL), *back = json_loads(got, 0, NULL);
    assert_non_null(orig);
    assert_non_null(back);
    assert_true(json_equal(orig, back));
    json_decref(orig);
    json_decref(back);
    free(got);
  }
  /* What jansson wrote (how the columns are filled) comes back byte for byte. */
  json_t *j = json_pack("[s, {s:s, s:s, s:b}, s]", "Phạm \"Thu\"\n", "name", "Bà Hằng",
                        "phone", "+84 90", "consent_to_disclose", 1, "a/b\x01");
  char *dumped = json_dumps(j, JSON_COMPACT);
  int taken;
  char *got = copied(dumped, &taken);
  assert_int_equal(taken, 1);
  assert_string_equal(got, dumped);
  free(got);
  free(dumped);
  json_decref(j);
}

static void jsonw_json_writes_the_fallback_for_what_jansson_refuses(void **state) {
  (void)state;
  static const char *const bad[] = {
      "",         "  ",          "[",           "[1,]",          "{\"a\" 1}",   "{\"a\":}",
      "\"text\"", "12",          "[\"\\u0000\"]", "[\"\\ud800\"]", "[\"\\udc00\"]", "[1] x",
      "[01]",     "[\"a\x01\"]", "[\"\xff\"]",  "[99999999999999999999]",       "[1e999]",
      "[tru]",    "[\"\\x\"]",   "{1:2}",       "[\"unterminated]",
  };
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    json_error_t err;
    json_t *j = json_loads(bad[i], 0, &err);
    assert_null(j);
    int taken;
    char *got = copied(bad[i], &taken);
    assert_int_equal(taken, 0);
    assert_string_equal(got, "[]");
    free(got);
  }
  int taken;
  char *got = copied(NULL, &taken);
  assert_int_equal(taken, 0);
  assert_string_equal(got, "[]");
  free(got);
  /* Deeper than JSONW_MAX_DEPTH: the fallback, however valid. */
  char deep[2 * (JSONW_MAX_DEPTH + 1) + 1];
  for (int i = 0; i <= JSONW_MAX_DEPTH; i++) {
    deep[i] = '[';
    deep[2 * (JSONW_MAX_DEPTH + 1) - 1 - i] = ']';
  }
  deep[2 * (JSONW_MAX_DEPTH + 1)] = '\0';
  got = copied(deep, &taken);
  assert_int_equal(taken, 0);
  free(got);
}

static void jsonw_json_keeps_what_was_written_before_a_fallback(void **state) {
  (void)state;
  jsonw_t w;
  jsonw_init(&w, 1024);
  jsonw_lit(&w, "{\"a\":");
  jsonw_json(&w, "[1, 2, {\"b\": [3,", 16, "[]"); /* fails after copying part of it */
  jsonw_lit(&w, "}");
  assert_int_equal(jsonw_error(&w), BH_OK);
  assert_string_equal(w.data, "{\"a\":[]}");
  jsonw_free(&w);
}

static void jsonw_stops_at_its_maximum_and_keeps_the_error(void **state) {
  (void)state;
  jsonw_t w;
  jsonw_init(&w, 10);
  jsonw_lit(&w, "0123456789");
  assert_int_equal(jsonw_error(&w), BH_OK);
  assert_int_equal(w.len, 10);
  jsonw_raw(&w, "x", 1);
  assert_int_equal(jsonw_error(&w), BH_ERR_TOO_LARGE);
  jsonw_lit(&w, "");
  jsonw_int(&w, 5);
  assert_int_equal(jsonw_error(&w), BH_ERR_TOO_LARGE);
  assert_int_equal(w.len, 10);
  jsonw_free(&w);
}

static void jsonw_int_writes_decimal_integers(void **state) {
  (void)state;
  jsonw_t w;
  jsonw_init(&w, 100);
  jsonw_int(&w, -9007199254740993LL);
  jsonw_lit(&w, ",");
  jsonw_int(&w, 0);
  assert_string_equal(w.data, "-9007199254740993,0");
  jsonw_free(&w);
}

/* ---- the person ---- */

static void render_person_text_is_the_compact_dump_of_the_person_object(void **state) {
  (void)state;
  app_t app;
  memset(&app, 0, sizeof(app));
  person_row_t row;
  memset(&row, 0, sizeof(row));
  row.p.id = 42;
  row.p.full_name = "Phạm \"Thu\" Hằng";
  row.p.sex = "F";
  row.p.date_of_birth = "1990-05";
  row.p.national_id = "038190001234";
  row.p.home_province = "Hà Nội";
  row.p.source = "import";
  row.p.status = "safe";
  row.p.status_at = 1700000000;
  row.p.owner_mission_id = 7;
  row.p.created_at = 1690000000;
  row.p.updated_at = 1700000000;
  row.other_names = "[\"Hang Pham\"]";
  row.other_names_len = strlen(row.other_names);
  row.phones = "[ \"+84901234567\" ]";
  row.phones_len = strlen(row.phones);
  row.emails = "not json";
  row.emails_len = strlen(row.emails);
  row.contacts = "[{\"name\":\"Mẹ\",\"phone\":\"+8490\",\"consent_to_disclose\":true}]";
  row.contacts_len = strlen(row.contacts);
  jsonw_t w;
  jsonw_init(&w, RENDER_TEXT_MAX);
  char written[PUBID_LEN + 1];
  render_person_text(&app, &w, &row, written);
  assert_int_equal(jsonw_error(&w), BH_OK);
  /* The text parses, and holds the person's fields with their values, in the wire order. */
  json_t *got = json_loads(w.data, 0, NULL);
  assert_non_null(got);
  char id[PUBID_LEN + 1], mission[PUBID_LEN + 1];
  pubid_encode(&app.keys, PUBID_PERSON, 42, id);
  pubid_encode(&app.keys, PUBID_MISSION, 7, mission);
  /* The id handed back is the one written. */
  assert_string_equal(written, id);
  json_t *want = json_object();
  json_object_set_new(want, "id", json_string(id));
  json_object_set_new(want, "full_name", json_string("Phạm \"Thu\" Hằng"));
  json_object_set_new(want, "other_names", json_pack("[s]", "Hang Pham"));
  json_object_set_new(want, "sex", json_string("F"));
  json_object_set_new(want, "date_of_birth", json_string("1990-05"));
  json_object_set_new(want, "national_id", json_string("038190001234"));
  json_object_set_new(want, "passport", json_null());
  json_object_set_new(want, "phones", json_pack("[s]", "+84901234567"));
  json_object_set_new(want, "emails", json_array()); /* unparsable text reads as [] */
  json_object_set_new(want, "home_province", json_string("Hà Nội"));
  json_object_set_new(want, "flags", json_array());
  json_object_set_new(want, "emergency_contacts", json_loads(row.contacts, 0, NULL));
  json_object_set_new(want, "preferred_language", json_string(MODEL_LANGUAGE_DEFAULT));
  json_object_set_new(want, "source", json_string("import"));
  json_object_set_new(want, "status", json_string("safe"));
  json_object_set_new(want, "status_at", api_time(1700000000));
  json_object_set_new(want, "owner_mission", json_string(mission));
  json_object_set_new(want, "created_at", api_time(1690000000));
  json_object_set_new(want, "updated_at", api_time(1700000000));
  assert_true(json_equal(got, want));
  /* Same order and bytes as jansson's compact dump of that object. */
  char *dumped = json_dumps(want, JSON_COMPACT);
  assert_string_equal(w.data, dumped);
  free(dumped);
  /* render_person (the jansson object other replies extend) holds the same person. */
  person_t p = row.p;
  p.other_names = json_pack("[s]", "Hang Pham");
  p.phones = json_pack("[s]", "+84901234567");
  p.contacts = json_loads(row.contacts, 0, NULL);
  json_t *obj = render_person(&app, &p);
  assert_non_null(obj);
  assert_true(json_equal(obj, want));
  json_decref(obj);
  json_decref(want);
  json_decref(got);
  person_clear(&p);
  jsonw_free(&w);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(jsonw_str_escapes_every_string_as_jansson_does),
      cmocka_unit_test(jsonw_str_writes_null_for_text_that_is_not_utf8),
      cmocka_unit_test(jsonw_json_copies_valid_text_without_spaces),
      cmocka_unit_test(jsonw_json_writes_the_fallback_for_what_jansson_refuses),
      cmocka_unit_test(jsonw_json_keeps_what_was_written_before_a_fallback),
      cmocka_unit_test(jsonw_stops_at_its_maximum_and_keeps_the_error),
      cmocka_unit_test(jsonw_int_writes_decimal_integers),
      cmocka_unit_test(render_person_text_is_the_compact_dump_of_the_person_object),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
