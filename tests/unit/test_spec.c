/*
 * test_spec.c - unit tests for api/spec: the declarative JSON body validator and the shared
 * field checkers. Bodies are written as JSON text and parsed with jansson, as a handler gets them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "api/spec.h"
#include "util/err.h"

static const char *const test_colours[] = {"red", "green", "blue", NULL};

/* A flat spec with one field of every scalar type. */
static const spec_field_t flat_spec[] = {
    {.name = "title", .type = SPEC_STRING, .flags = SPEC_REQUIRED, .min_len = 1, .max_len = 5},
    {.name = "note", .type = SPEC_STRING, .flags = SPEC_MULTILINE, .max_len = 100},
    {.name = "code", .type = SPEC_STRING, .min_len = 3, .max_len = 8},
    {.name = "colour", .type = SPEC_STRING, .values = test_colours},
    {.name = "comment", .type = SPEC_STRING, .flags = SPEC_NULLABLE, .max_len = 20},
    {.name = "count", .type = SPEC_INT, .min = 1, .max = 10},
    {.name = "any_int", .type = SPEC_INT},
    {.name = "ratio", .type = SPEC_NUMBER, .flags = SPEC_NULLABLE, .min = -90, .max = 90},
    {.name = "any_number", .type = SPEC_NUMBER},
    {.name = "active", .type = SPEC_BOOL},
    {.name = "tags", .type = SPEC_STRING_ARRAY, .min_len = 1, .max_len = 3},
    {.name = "palette", .type = SPEC_STRING_ARRAY, .max_len = 3, .values = test_colours},
};

static const spec_field_t contact_spec[] = {
    {.name = "name", .type = SPEC_STRING, .flags = SPEC_REQUIRED, .min_len = 1, .max_len = 300,
     .check = spec_check_name},
    {.name = "phone", .type = SPEC_STRING, .max_len = 32, .check = spec_check_phone},
    {.name = "email", .type = SPEC_STRING, .max_len = 254, .check = spec_check_email},
};

static const spec_field_t place_spec[] = {
    {.name = "country", .type = SPEC_STRING, .flags = SPEC_REQUIRED,
     .check = spec_check_country},
    {.name = "helpers", .type = SPEC_OBJECT_ARRAY, .max_len = 4, .sub = contact_spec,
     .nsub = SPEC_COUNT(contact_spec)},
};

/* A person-like spec: an object array and a nested object that itself holds an object array. */
static const spec_field_t person_spec[] = {
    {.name = "full_name", .type = SPEC_STRING, .flags = SPEC_REQUIRED, .min_len = 1,
     .max_len = 300, .check = spec_check_name},
    {.name = "phones", .type = SPEC_STRING_ARRAY, .max_len = 10, .check = spec_check_phone},
    {.name = "emergency_contacts", .type = SPEC_OBJECT_ARRAY, .max_len = 3, .sub = contact_spec,
     .nsub = SPEC_COUNT(contact_spec)},
    {.name = "presence", .type = SPEC_OBJECT, .sub = place_spec, .nsub = SPEC_COUNT(place_spec)},
};

/* Parses text (which must be valid JSON) and validates it against spec. */
static int validate(const char *text, const spec_field_t *spec, size_t n, spec_error_t *err) {
  json_error_t jerr;
  json_t *body = json_loads(text, JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);
  if (body == NULL) fail_msg("test JSON does not parse: %s: %s", text, jerr.text);
  int rc = spec_validate(body, spec, n, err);
  json_decref(body);
  return rc;
}

static void assert_flat_ok(const char *text) {
  spec_error_t err;
  int rc = validate(text, flat_spec, SPEC_COUNT(flat_spec), &err);
  if (rc != BH_OK) fail_msg("%s refused: %s %s", text, err.field, err.message);
}

/* Asserts that text is refused, naming field, with a message containing message_part. */
static void assert_refused(const char *text, const spec_field_t *spec, size_t n, const char *field,
                           const char *message_part) {
  spec_error_t err;
  int rc = validate(text, spec, n, &err);
  if (rc != BH_ERR_INVALID) fail_msg("%s accepted (rc %d)", text, rc);
  assert_string_equal(err.field, field);
  if (strstr(err.message, message_part) == NULL) {
    fail_msg("%s: message \"%s\" lacks \"%s\"", text, err.message, message_part);
  }
}

static void assert_flat_refused(const char *text, const char *field, const char *message_part) {
  assert_refused(text, flat_spec, SPEC_COUNT(flat_spec), field, message_part);
}

static void assert_person_refused(const char *text, const char *field, const char *message_part) {
  assert_refused(text, person_spec, SPEC_COUNT(person_spec), field, message_part);
}

/* ---- spec_validate ---- */

static void validate_accepts_body_with_every_field_valid(void **state) {
  (void)state;
  assert_flat_ok("{\"title\":\"abc\"}");
  assert_flat_ok("{\"title\":\"abcde\",\"note\":\"line one\\nline two\\ttab\",\"code\":\"abc\","
                 "\"colour\":\"green\",\"comment\":null,\"count\":10,\"any_int\":-5,"
                 "\"ratio\":-12.5,\"any_number\":1e300,\"active\":false,\"tags\":[\"x\"],"
                 "\"palette\":[\"red\",\"blue\"]}");
}

static void validate_refuses_missing_required_field_by_name(void **state) {
  (void)state;
  assert_flat_refused("{}", "title", "is required");
  assert_flat_refused("{\"note\":\"hello\"}", "title", "is required");
  assert_person_refused("{\"full_name\":\"An\",\"presence\":{}}", "presence.country",
                        "is required");
  assert_person_refused("{\"full_name\":\"An\",\"emergency_contacts\":[{\"name\":\"Binh\"},"
                        "{\"phone\":\"+84 912 345 678\"}]}",
                        "emergency_contacts[1].name", "is required");
}

static void validate_refuses_unknown_key_by_name(void **state) {
  (void)state;
  assert_flat_refused("{\"title\":\"abc\",\"nickname\":\"x\"}", "nickname", "not a known field");
  /* An unknown key is reported even when a required field is missing too. */
  assert_flat_refused("{\"nickname\":\"x\"}", "nickname", "not a known field");
  /* Keys are case-sensitive. */
  assert_flat_refused("{\"Title\":\"abc\"}", "Title", "not a known field");
  assert_person_refused("{\"full_name\":\"An\",\"presence\":{\"country\":\"VN\",\"x\":1}}",
                        "presence.x", "not a known field");
  assert_person_refused("{\"full_name\":\"An\",\"emergency_contacts\":[{\"name\":\"B\","
                        "\"relation\":\"x\"}]}",
                        "emergency_contacts[0].relation", "not a known field");
}

static void validate_shows_long_unknown_key_truncated(void **state) {
  (void)state;
  char key[300];
  memset(key, 'k', sizeof(key) - 1);
  key[sizeof(key) - 1] = '\0';
  char text[400];
  snprintf(text, sizeof(text), "{\"title\":\"abc\",\"%s\":1}", key);
  spec_error_t err;
  assert_int_equal(validate(text, flat_spec, SPEC_COUNT(flat_spec), &err), BH_ERR_INVALID);
  assert_true(strlen(err.field) <= 60);
  assert_true(strlen(err.field) > 0);
  assert_memory_equal(err.field, key, strlen(err.field));
}

static void validate_cuts_long_unknown_key_at_utf8_character_boundary(void **state) {
  (void)state;
  /* 59 ASCII bytes then a three-byte character: a cut at byte 60 would split it, and a field
   * name that is not valid UTF-8 cannot be sent back in the JSON error. */
  for (size_t ascii = 57; ascii <= 61; ascii++) {
    char key[80];
    memset(key, 'k', ascii);
    snprintf(key + ascii, sizeof(key) - ascii, "\xe1\xbb\x85\xe1\xbb\x85");
    json_t *body = json_pack("{s:s, s:i}", "title", "abc", key, 1);
    assert_non_null(body);
    spec_error_t err;
    assert_int_equal(spec_validate(body, flat_spec, SPEC_COUNT(flat_spec), &err), BH_ERR_INVALID);
    json_decref(body);
    assert_true(strlen(err.field) >= 57 && strlen(err.field) <= 60);
    assert_memory_equal(err.field, key, strlen(err.field));
    json_t *as_json = json_string(err.field);
    if (as_json == NULL) fail_msg("field of key with %zu ASCII bytes is not valid UTF-8", ascii);
    json_decref(as_json);
  }
}

static void validate_refuses_non_object_body(void **state) {
  (void)state;
  const char *bodies[] = {"[]", "[{\"title\":\"abc\"}]", "\"abc\"", "42", "null", "true"};
  for (size_t i = 0; i < SPEC_COUNT(bodies); i++) {
    spec_error_t err;
    assert_int_equal(validate(bodies[i], flat_spec, SPEC_COUNT(flat_spec), &err),
                     BH_ERR_INVALID);
    assert_string_equal(err.field, "");
    assert_non_null(strstr(err.message, "object"));
  }
}

static void validate_refuses_wrong_type_for_string(void **state) {
  (void)state;
  assert_flat_refused("{\"title\":5}", "title", "must be a string");
  assert_flat_refused("{\"title\":true}", "title", "must be a string");
  assert_flat_refused("{\"title\":[\"abc\"]}", "title", "must be a string");
  assert_flat_refused("{\"title\":{}}", "title", "must be a string");
}

static void validate_refuses_wrong_type_for_int(void **state) {
  (void)state;
  assert_flat_refused("{\"title\":\"a\",\"any_int\":\"5\"}", "any_int", "must be an integer");
  assert_flat_refused("{\"title\":\"a\",\"any_int\":1.5}", "any_int", "must be an integer");
  assert_flat_refused("{\"title\":\"a\",\"any_int\":false}", "any_int", "must be an integer");
  assert_flat_refused("{\"title\":\"a\",\"any_int\":[1]}", "any_int", "must be an integer");
}

static void validate_refuses_wrong_type_for_number(void **state) {
  (void)state;
  assert_flat_ok("{\"title\":\"a\",\"any_number\":3}");
  assert_flat_ok("{\"title\":\"a\",\"any_number\":-0.25}");
  assert_flat_refused("{\"title\":\"a\",\"any_number\":\"1.5\"}", "any_number",
                      "must be a number");
  assert_flat_refused("{\"title\":\"a\",\"any_number\":true}", "any_number", "must be a number");
}

static void validate_refuses_wrong_type_for_bool(void **state) {
  (void)state;
  assert_flat_ok("{\"title\":\"a\",\"active\":true}");
  assert_flat_refused("{\"title\":\"a\",\"active\":1}", "active", "true or false");
  assert_flat_refused("{\"title\":\"a\",\"active\":\"true\"}", "active", "true or false");
}

static void validate_refuses_wrong_type_for_arrays_and_objects(void **state) {
  (void)state;
  assert_flat_refused("{\"title\":\"a\",\"tags\":\"x\"}", "tags", "must be an array");
  assert_flat_refused("{\"title\":\"a\",\"tags\":{}}", "tags", "must be an array");
  assert_flat_refused("{\"title\":\"a\",\"tags\":[\"x\",7]}", "tags[1]", "must be a string");
  assert_person_refused("{\"full_name\":\"An\",\"presence\":[]}", "presence",
                        "must be an object");
  assert_person_refused("{\"full_name\":\"An\",\"presence\":\"VN\"}", "presence",
                        "must be an object");
  assert_person_refused("{\"full_name\":\"An\",\"emergency_contacts\":{}}", "emergency_contacts",
                        "must be an array");
  assert_person_refused("{\"full_name\":\"An\",\"emergency_contacts\":[{\"name\":\"B\"},\"x\"]}",
                        "emergency_contacts[1]", "must be an object");
}

static void validate_measures_string_length_in_bytes(void **state) {
  (void)state;
  assert_flat_ok("{\"title\":\"abcde\"}");
  assert_flat_refused("{\"title\":\"abcdef\"}", "title", "at most 5 bytes");
  /* Two characters, but "ễ" is three bytes in UTF-8: six bytes in all. */
  assert_flat_refused("{\"title\":\"\xe1\xbb\x85\xe1\xbb\x85\"}", "title", "at most 5 bytes");
  /* One three-byte character plus two ASCII letters is exactly five bytes. */
  assert_flat_ok("{\"title\":\"\xe1\xbb\x85" "ab\"}");
  assert_flat_refused("{\"title\":\"\"}", "title", "must not be empty");
  assert_flat_refused("{\"title\":\"a\",\"code\":\"ab\"}", "code", "too short");
  assert_flat_ok("{\"title\":\"a\",\"code\":\"abc\"}");
  assert_flat_ok("{\"title\":\"a\",\"code\":\"abcdefgh\"}");
  assert_flat_refused("{\"title\":\"a\",\"code\":\"abcdefghi\"}", "code", "at most 8 bytes");
}

static void validate_refuses_control_characters_in_single_line_strings(void **state) {
  (void)state;
  assert_flat_refused("{\"title\":\"a\\nb\"}", "title", "control characters");
  assert_flat_refused("{\"title\":\"a\\tb\"}", "title", "control characters");
  assert_flat_refused("{\"title\":\"a\\rb\"}", "title", "control characters");
  assert_flat_refused("{\"title\":\"a\\u0001\"}", "title", "control characters");
  assert_flat_refused("{\"title\":\"a\\u001f\"}", "title", "control characters");
  assert_flat_refused("{\"title\":\"a\\u007f\"}", "title", "control characters");
  /* C1 controls (U+0080..U+009F) too. */
  assert_flat_refused("{\"title\":\"a\\u0085\"}", "title", "control characters");
  assert_flat_refused("{\"title\":\"a\\u009f\"}", "title", "control characters");
  /* Array items are single-line strings as well. */
  assert_flat_refused("{\"title\":\"a\",\"tags\":[\"ok\",\"x\\ny\"]}", "tags[1]",
                      "control characters");
  /* U+00A0 (after the C1 range) is not a control character. */
  assert_flat_ok("{\"title\":\"a\\u00a0b\"}");
}

static void validate_allows_newline_and_tab_only_in_multiline_strings(void **state) {
  (void)state;
  assert_flat_ok("{\"title\":\"a\",\"note\":\"one\\ntwo\\r\\nthree\\tfour\"}");
  assert_flat_refused("{\"title\":\"a\",\"note\":\"bell\\u0007\"}", "note", "control characters");
  assert_flat_refused("{\"title\":\"a\",\"note\":\"del\\u007f\"}", "note", "control characters");
  assert_flat_refused("{\"title\":\"a\",\"note\":\"c1\\u0080\"}", "note", "control characters");
}

static void validate_refuses_embedded_nul(void **state) {
  (void)state;
  assert_flat_refused("{\"title\":\"a\\u0000b\"}", "title", "NUL");
}

static void validate_accepts_only_values_of_closed_vocabulary(void **state) {
  (void)state;
  assert_flat_ok("{\"title\":\"a\",\"colour\":\"red\"}");
  assert_flat_ok("{\"title\":\"a\",\"colour\":\"blue\"}");
  assert_flat_refused("{\"title\":\"a\",\"colour\":\"Red\"}", "colour", "red, green, blue");
  assert_flat_refused("{\"title\":\"a\",\"colour\":\"purple\"}", "colour", "must be one of");
  assert_flat_refused("{\"title\":\"a\",\"colour\":\"\"}", "colour", "must be one of");
  assert_flat_ok("{\"title\":\"a\",\"palette\":[\"green\",\"red\"]}");
  assert_flat_refused("{\"title\":\"a\",\"palette\":[\"green\",\"grey\"]}", "palette[1]",
                      "must be one of");
}

static void validate_accepts_null_only_for_nullable_fields(void **state) {
  (void)state;
  assert_flat_ok("{\"title\":\"a\",\"comment\":null}");
  assert_flat_ok("{\"title\":\"a\",\"ratio\":null}");
  assert_flat_refused("{\"title\":null}", "title", "must not be null");
  assert_flat_refused("{\"title\":\"a\",\"note\":null}", "note", "must not be null");
  assert_flat_refused("{\"title\":\"a\",\"count\":null}", "count", "must not be null");
  assert_flat_refused("{\"title\":\"a\",\"tags\":null}", "tags", "must not be null");
  assert_flat_refused("{\"title\":\"a\",\"tags\":[null]}", "tags[0]", "must be a string");
}

static void validate_names_path_of_error_in_nested_arrays_and_objects(void **state) {
  (void)state;
  assert_person_refused("{\"full_name\":\"An\",\"emergency_contacts\":[{\"name\":\"B\","
                        "\"phone\":\"+84 912 345 678\"},{\"name\":\"C\",\"phone\":\"call me\"}]}",
                        "emergency_contacts[1].phone", "phone number");
  assert_person_refused("{\"full_name\":\"An\",\"presence\":{\"country\":\"vn\"}}",
                        "presence.country", "country code");
  assert_person_refused("{\"full_name\":\"An\",\"presence\":{\"country\":\"VN\",\"helpers\":"
                        "[{\"name\":\"B\"},{\"name\":\"C\"},{\"name\":\"D\",\"email\":\"x\"}]}}",
                        "presence.helpers[2].email", "e-mail");
  assert_person_refused("{\"full_name\":\"An\",\"phones\":[\"+84 912 345 678\",\"abc\"]}",
                        "phones[1]", "phone number");
}

static void validate_accepts_valid_nested_body(void **state) {
  (void)state;
  spec_error_t err;
  int rc = validate("{\"full_name\":\"Nguy\xe1\xbb\x85n V\xc4\x83n An\","
                    "\"phones\":[\"+84 912 345 678\",\"0912-345-678\"],"
                    "\"emergency_contacts\":[{\"name\":\"Ph\xe1\xba\xa1m Thu H\xe1\xba\xb1ng\","
                    "\"phone\":\"+84 (24) 3826 1234\",\"email\":\"hang@example.vn\"}],"
                    "\"presence\":{\"country\":\"IL\",\"helpers\":[]}}",
                    person_spec, SPEC_COUNT(person_spec), &err);
  if (rc != BH_OK) fail_msg("refused: %s %s", err.field, err.message);
}

static void validate_refuses_arrays_outside_item_bounds(void **state) {
  (void)state;
  assert_flat_refused("{\"title\":\"a\",\"tags\":[]}", "tags", "must have 1 to 3 items");
  assert_flat_ok("{\"title\":\"a\",\"tags\":[\"a\",\"b\",\"c\"]}");
  assert_flat_refused("{\"title\":\"a\",\"tags\":[\"a\",\"b\",\"c\",\"d\"]}", "tags",
                      "must have 1 to 3 items");
  assert_person_refused("{\"full_name\":\"An\",\"emergency_contacts\":[{\"name\":\"A\"},"
                        "{\"name\":\"B\"},{\"name\":\"C\"},{\"name\":\"D\"}]}",
                        "emergency_contacts", "items");
  /* String array items are never empty. */
  assert_flat_refused("{\"title\":\"a\",\"tags\":[\"\"]}", "tags[0]", "must not be empty");
}

static void validate_refuses_numbers_outside_range(void **state) {
  (void)state;
  assert_flat_ok("{\"title\":\"a\",\"count\":1}");
  assert_flat_ok("{\"title\":\"a\",\"count\":10}");
  assert_flat_refused("{\"title\":\"a\",\"count\":0}", "count", "between 1 and 10");
  assert_flat_refused("{\"title\":\"a\",\"count\":11}", "count", "between 1 and 10");
  assert_flat_ok("{\"title\":\"a\",\"ratio\":90}");
  assert_flat_ok("{\"title\":\"a\",\"ratio\":-90.0}");
  assert_flat_refused("{\"title\":\"a\",\"ratio\":90.0001}", "ratio", "between -90 and 90");
  assert_flat_refused("{\"title\":\"a\",\"ratio\":-91}", "ratio", "between -90 and 90");
  /* Without a range (min == max) any finite value is accepted. */
  assert_flat_ok("{\"title\":\"a\",\"any_int\":9223372036854775807}");
  assert_flat_ok("{\"title\":\"a\",\"any_number\":-1.5e308}");
}

static void validate_keeps_error_path_terminated_when_too_long(void **state) {
  (void)state;
  /* A path longer than SPEC_FIELD_PATH_MAX is cut, never overflowed. */
  static const spec_field_t leaf[] = {{.name = "value_with_a_rather_long_field_name_here",
                                       .type = SPEC_INT}};
  static const spec_field_t mid[] = {{.name = "another_quite_long_intermediate_object_name",
                                      .type = SPEC_OBJECT_ARRAY, .sub = leaf, .nsub = 1}};
  static const spec_field_t top[] = {{.name = "the_outermost_object_with_a_long_name",
                                      .type = SPEC_OBJECT, .sub = mid, .nsub = 1}};
  spec_error_t err;
  int rc = validate("{\"the_outermost_object_with_a_long_name\":{\"another_quite_long_"
                    "intermediate_object_name\":[{},{\"value_with_a_rather_long_field_name_"
                    "here\":\"x\"}]}}",
                    top, 1, &err);
  assert_int_equal(rc, BH_ERR_INVALID);
  assert_true(strlen(err.field) < SPEC_FIELD_PATH_MAX);
  assert_true(strncmp(err.field, "the_outermost_object_with_a_long_name.", 38) == 0);
  assert_non_null(strstr(err.message, "integer"));
}

/* ---- checkers ---- */

static void check_country_accepts_only_uppercase_alpha2_codes(void **state) {
  (void)state;
  assert_null(spec_check_country("VN"));
  assert_null(spec_check_country("IL"));
  assert_non_null(spec_check_country("vn"));
  assert_non_null(spec_check_country("Vn"));
  assert_non_null(spec_check_country("XX"));
  assert_non_null(spec_check_country("VNM"));
  assert_non_null(spec_check_country("V"));
  assert_non_null(spec_check_country(""));
}

static void check_date_accepts_partial_dates_and_refuses_impossible_ones(void **state) {
  (void)state;
  assert_null(spec_check_date("1990"));
  assert_null(spec_check_date("1990-05"));
  assert_null(spec_check_date("1990-05-17"));
  assert_null(spec_check_date("2024-02-29"));
  assert_non_null(spec_check_date("2023-02-29"));
  assert_non_null(spec_check_date("2024-02-30"));
  assert_non_null(spec_check_date("2024-13"));
  assert_non_null(spec_check_date("17/05/1990"));
  assert_non_null(spec_check_date("1990-5-17"));
  assert_non_null(spec_check_date(""));
}

static void check_birth_date_refuses_future_and_very_old_dates(void **state) {
  (void)state;
  time_t now = time(NULL);
  struct tm tm;
  gmtime_r(&now, &tm);
  char next_year[8], this_year[8];
  snprintf(next_year, sizeof(next_year), "%04d", tm.tm_year + 1900 + 1);
  snprintf(this_year, sizeof(this_year), "%04d", tm.tm_year + 1900);
  assert_null(spec_check_birth_date("1985-03-02"));
  assert_null(spec_check_birth_date("1985"));
  assert_null(spec_check_birth_date(this_year));
  assert_non_null(strstr(spec_check_birth_date(next_year), "future"));
  assert_non_null(strstr(spec_check_birth_date("2150-01-01"), "future"));
  assert_non_null(spec_check_birth_date("1899-12-31"));
  assert_non_null(spec_check_birth_date("1985-02-30"));
}

static void check_email_accepts_plain_addresses_only(void **state) {
  (void)state;
  assert_null(spec_check_email("name@example.org"));
  assert_null(spec_check_email("first.last+tag@mail.example.vn"));
  assert_non_null(spec_check_email("name"));
  assert_non_null(spec_check_email("name@"));
  assert_non_null(spec_check_email("@example.org"));
  assert_non_null(spec_check_email("name@example"));
  assert_non_null(spec_check_email("name@.example.org"));
  assert_non_null(spec_check_email("name@example.org."));
  assert_non_null(spec_check_email("a@b@example.org"));
  assert_non_null(spec_check_email("first last@example.org"));
  assert_non_null(spec_check_email(""));
}

static void check_phone_accepts_digits_with_separators_and_refuses_letters(void **state) {
  (void)state;
  assert_null(spec_check_phone("+84 912 345 678"));
  assert_null(spec_check_phone("0912-345-678"));
  assert_null(spec_check_phone("+972 (3) 123.4567"));
  assert_null(spec_check_phone("1234"));
  assert_non_null(spec_check_phone("+84 912 ABC 678"));
  assert_non_null(spec_check_phone("call me"));
  assert_non_null(spec_check_phone("84+912345678"));
  assert_non_null(spec_check_phone("++84912345678"));
  assert_non_null(spec_check_phone("123"));
  assert_non_null(spec_check_phone("123456789012345678"));
  assert_non_null(spec_check_phone(""));
}

static void check_timezone_accepts_iana_names(void **state) {
  (void)state;
  assert_null(spec_check_timezone("UTC"));
  assert_null(spec_check_timezone("Asia/Ho_Chi_Minh"));
  assert_null(spec_check_timezone("America/Argentina/Buenos_Aires"));
  assert_null(spec_check_timezone("Etc/GMT+7"));
  assert_non_null(spec_check_timezone("Asia"));
  assert_non_null(spec_check_timezone("/Asia"));
  assert_non_null(spec_check_timezone("Asia/"));
  assert_non_null(spec_check_timezone("Asia/Ho Chi Minh"));
  assert_non_null(spec_check_timezone("../etc/passwd"));
  assert_non_null(spec_check_timezone(""));
}

static void check_timestamp_accepts_rfc3339_times_only(void **state) {
  (void)state;
  assert_null(spec_check_timestamp("2023-10-08T09:30:00Z"));
  assert_null(spec_check_timestamp("2023-10-08T16:30:00.250+07:00"));
  assert_non_null(spec_check_timestamp("2023-10-08"));
  assert_non_null(spec_check_timestamp("2023-10-08 09:30:00"));
  assert_non_null(spec_check_timestamp("2023-02-30T09:30:00Z"));
  assert_non_null(spec_check_timestamp(""));
  /* The message names the form, as every endpoint with a time field returns it. */
  assert_non_null(strstr(spec_check_timestamp("yesterday"), "RFC 3339"));
}

static void check_number_accepts_identity_numbers(void **state) {
  (void)state;
  assert_null(spec_check_number("B1234567"));
  assert_null(spec_check_number("079 085 001 234"));
  assert_null(spec_check_number("C-1234-567"));
  assert_non_null(spec_check_number("1234"));
  assert_non_null(spec_check_number("12_345"));
  assert_non_null(spec_check_number("N\xc2\xb0 12345"));
  assert_non_null(spec_check_number("123456789012345678901234567890123"));
  assert_null(spec_check_number("12345678901234567890123456789012"));
  assert_non_null(spec_check_number(""));
}

static void check_name_accepts_vietnamese_and_refuses_bare_punctuation(void **state) {
  (void)state;
  assert_null(spec_check_name("Nguy\xe1\xbb\x85n V\xc4\x83n An"));
  assert_null(spec_check_name("\xc4\x90\xe1\xbb\x97 Th\xe1\xbb\x8b Ph\xc6\xb0\xc6\xa1ng"));
  assert_null(spec_check_name("O'Brien-Smith"));
  assert_non_null(spec_check_name("..."));
  assert_non_null(spec_check_name("- ' -"));
  assert_non_null(spec_check_name("   "));
  assert_non_null(spec_check_name(""));
  assert_non_null(spec_check_name("An\x01"));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(validate_accepts_body_with_every_field_valid),
      cmocka_unit_test(validate_refuses_missing_required_field_by_name),
      cmocka_unit_test(validate_refuses_unknown_key_by_name),
      cmocka_unit_test(validate_shows_long_unknown_key_truncated),
      cmocka_unit_test(validate_cuts_long_unknown_key_at_utf8_character_boundary),
      cmocka_unit_test(validate_refuses_non_object_body),
      cmocka_unit_test(validate_refuses_wrong_type_for_string),
      cmocka_unit_test(validate_refuses_wrong_type_for_int),
      cmocka_unit_test(validate_refuses_wrong_type_for_number),
      cmocka_unit_test(validate_refuses_wrong_type_for_bool),
      cmocka_unit_test(validate_refuses_wrong_type_for_arrays_and_objects),
      cmocka_unit_test(validate_measures_string_length_in_bytes),
      cmocka_unit_test(validate_refuses_control_characters_in_single_line_strings),
      cmocka_unit_test(validate_allows_newline_and_tab_only_in_multiline_strings),
      cmocka_unit_test(validate_refuses_embedded_nul),
      cmocka_unit_test(validate_accepts_only_values_of_closed_vocabulary),
      cmocka_unit_test(validate_accepts_null_only_for_nullable_fields),
      cmocka_unit_test(validate_names_path_of_error_in_nested_arrays_and_objects),
      cmocka_unit_test(validate_accepts_valid_nested_body),
      cmocka_unit_test(validate_refuses_arrays_outside_item_bounds),
      cmocka_unit_test(validate_refuses_numbers_outside_range),
      cmocka_unit_test(validate_keeps_error_path_terminated_when_too_long),
      cmocka_unit_test(check_country_accepts_only_uppercase_alpha2_codes),
      cmocka_unit_test(check_date_accepts_partial_dates_and_refuses_impossible_ones),
      cmocka_unit_test(check_birth_date_refuses_future_and_very_old_dates),
      cmocka_unit_test(check_email_accepts_plain_addresses_only),
      cmocka_unit_test(check_phone_accepts_digits_with_separators_and_refuses_letters),
      cmocka_unit_test(check_timezone_accepts_iana_names),
      cmocka_unit_test(check_timestamp_accepts_rfc3339_times_only),
      cmocka_unit_test(check_number_accepts_identity_numbers),
      cmocka_unit_test(check_name_accepts_vietnamese_and_refuses_bare_punctuation),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
