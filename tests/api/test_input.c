/*
 * test_input.c - bad input, each refused with the JSON error shape
 * {"error":{"code","message","field"}} and the status that names what is wrong.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "harness.h"

static h_resp_t *create(h_server_t *s, const char *json) {
  return h_call(s, h_as(s, H_ADMIN), "POST", json, "/api/v1/persons");
}

/* A person body whose presence is {"country":"IL","category":"worker", extra}. */
static const char *with_presence(const char *extra) {
  return h_str(
      "{\"full_name\":\"Trịnh Văn Sai\",\"presence\":{\"country\":\"IL\","
      "\"category\":\"worker\"%s%s}}",
      extra[0] ? "," : "", extra);
}

/* A person in Israel for endpoints that take an id. */
static const char *someone(h_server_t *s) {
  return h_gets(
      h_create_person(s, h_as(s, H_ADMIN), h_person_json("Người Thử", "IL", "IL-TA", "worker"))
          ->json,
      "id");
}

static void malformed_json_is_400_malformed_json(void **state) {
  h_server_t *s = *state;
  EXPECT_ERROR(s, create(s, "{\"full_name\":"), 400, "malformed_json", NULL);
  EXPECT_ERROR(s, create(s, "{full_name: \"x\"}"), 400, "malformed_json", NULL);
  EXPECT_ERROR(s, create(s, ""), 400, "malformed_json", NULL);
  EXPECT_ERROR(s, create(s, "{\"a\":1} trailing"), 400, "malformed_json", NULL);
}

static void a_body_that_is_not_an_object_is_400(void **state) {
  h_server_t *s = *state;
  EXPECT_ERROR(s, create(s, "[\"full_name\"]"), 400, "malformed_json", NULL);
  EXPECT_ERROR(s, create(s, "\"text\""), 400, "malformed_json", NULL);
}

static void duplicate_keys_are_400(void **state) {
  h_server_t *s = *state;
  EXPECT_ERROR(s, create(s, "{\"full_name\":\"A B\",\"full_name\":\"C D\"}"), 400, "malformed_json",
               NULL);
}

static void invalid_utf8_in_a_json_string_is_400(void **state) {
  h_server_t *s = *state;
  static const char bad[] = "{\"full_name\":\"Nguy\xe1\xbb \xff\xfe\"}";
  h_req_t rq = {.method = "POST",
                .path = "/api/v1/persons",
                .raw = bad,
                .raw_len = sizeof(bad) - 1,
                .content_type = "application/json",
                .auth = h_as(s, H_ADMIN)};
  EXPECT_ERROR(s, h_do(s, &rq), 400, "malformed_json", NULL);
  /* An overlong encoding of '/' and a lone surrogate escape are not UTF-8 either. */
  static const char overlong[] =
      "{\"email\":\"a\xc0\xaf"
      "b@x.org\",\"password\":\"x\"}";
  h_req_t rq2 = {.method = "POST",
                 .path = "/api/v1/session",
                 .raw = overlong,
                 .raw_len = sizeof(overlong) - 1,
                 .content_type = "application/json"};
  EXPECT_ERROR(s, h_do(s, &rq2), 400, "malformed_json", NULL);
  h_resp_t *r = create(s, "{\"full_name\":\"\\ud800\"}");
  assert_true(r->status == 400 || r->status == 422);
  assert_non_null(h_gets(r->json, "error.code"));
}

static void oversize_body_is_413(void **state) {
  h_server_t *s = *state;
  size_t n = 1024 * 1024 + 16;
  char *big = h_str("%*s", (int)n, "");
  memcpy(big, "{\"full_name\":\"", 14);
  memset(big + 14, 'a', n - 16);
  memcpy(big + n - 2, "\"}", 2);
  h_req_t rq = {.method = "POST",
                .path = "/api/v1/persons",
                .raw = big,
                .raw_len = n,
                .content_type = "application/json",
                .auth = h_as(s, H_ADMIN)};
  EXPECT_ERROR(s, h_do(s, &rq), 413, "payload_too_large", NULL);
  /* Without a Content-Length (chunked), the limit holds as the bytes arrive. */
  h_req_t chunked = rq;
  chunked.headers[0] = "Transfer-Encoding: chunked";
  EXPECT_ERROR(s, h_do(s, &chunked), 413, "payload_too_large", NULL);
  /* The server is still fine afterwards. */
  EXPECT_STATUS(s, h_call(s, NULL, "GET", NULL, "/healthz"), 200);
}

static void wrong_content_type_is_415(void **state) {
  h_server_t *s = *state;
  const char *body = h_person_json("Văn Bản", "IL", NULL, "worker");
  const char *types[] = {"text/plain", "application/x-www-form-urlencoded", "application/jsonx",
                         ""};
  for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
    h_req_t rq = {.method = "POST",
                  .path = "/api/v1/persons",
                  .json = body,
                  .content_type = types[i],
                  .auth = h_as(s, H_ADMIN)};
    EXPECT_ERROR(s, h_do(s, &rq), 415, "unsupported_media_type", NULL);
  }
  h_req_t ok = {.method = "POST",
                .path = "/api/v1/persons",
                .json = body,
                .content_type = "application/json; charset=utf-8",
                .auth = h_as(s, H_ADMIN)};
  EXPECT_STATUS(s, h_do(s, &ok), 201);
}

static void a_body_on_a_get_is_400(void **state) {
  h_server_t *s = *state;
  EXPECT_ERROR(s, h_call(s, h_as(s, H_ADMIN), "GET", "{\"x\":1}", "/api/v1/missions"), 400,
               "bad_request", NULL);
}

static void wrong_types_are_422_naming_the_field(void **state) {
  h_server_t *s = *state;
  EXPECT_ERROR(s, create(s, "{\"full_name\":42}"), 422, "validation_failed", "full_name");
  EXPECT_ERROR(s, create(s, "{\"full_name\":\"A B\",\"phones\":\"+84 90 000 0000\"}"), 422,
               "validation_failed", "phones");
  EXPECT_ERROR(s, create(s, "{\"full_name\":\"A B\",\"phones\":[1234567]}"), 422,
               "validation_failed", "phones[0]");
  EXPECT_ERROR(s, create(s, with_presence("\"latitude\":\"north\",\"longitude\":1")), 422,
               "validation_failed", "presence.latitude");
  EXPECT_ERROR(s,
               create(s,
                      "{\"full_name\":\"A B\",\"emergency_contacts\":[{\"name\":\"C D\","
                      "\"consent_to_disclose\":\"yes\"}]}"),
               422, "validation_failed", "emergency_contacts[0].consent_to_disclose");
  EXPECT_ERROR(s, create(s, "{\"full_name\":null}"), 422, "validation_failed", "full_name");
  EXPECT_ERROR(s,
               h_call(s, h_as(s, H_ADMIN), "POST", "{\"status\":true}", "/api/v1/persons/%s/status",
                      someone(s)),
               422, "validation_failed", "status");
}

static void unknown_fields_are_422_naming_the_field(void **state) {
  h_server_t *s = *state;
  EXPECT_ERROR(s, create(s, "{\"full_name\":\"A B\",\"shoe_size\":42}"), 422, "validation_failed",
               "shoe_size");
  EXPECT_ERROR(s, create(s, with_presence("\"altitude\":12")), 422, "validation_failed",
               "presence.altitude");
  EXPECT_ERROR(s,
               h_call(s, h_as(s, H_ADMIN), "PATCH", "{\"status\":\"safe\"}", "/api/v1/persons/%s",
                      someone(s)),
               422, "validation_failed", "status");
}

static void missing_required_fields_are_422(void **state) {
  h_server_t *s = *state;
  EXPECT_ERROR(s, create(s, "{}"), 422, "validation_failed", "full_name");
  EXPECT_ERROR(s, create(s, "{\"full_name\":\"A B\",\"presence\":{\"category\":\"worker\"}}"), 422,
               "validation_failed", "presence.country");
  EXPECT_ERROR(s, create(s, "{\"full_name\":\"A B\",\"presence\":{\"country\":\"IL\"}}"), 422,
               "validation_failed", "presence.category");
  EXPECT_ERROR(s, h_call(s, NULL, "POST", "{\"email\":\"admin@baoho.example\"}", "/api/v1/session"),
               422, "validation_failed", "password");
  EXPECT_ERROR(s,
               h_call(s, h_as(s, H_ADMIN), "POST", "{}", "/api/v1/persons/%s/status", someone(s)),
               422, "validation_failed", "status");
  EXPECT_ERROR(s, h_call(s, h_as(s, H_ADMIN), "POST", "{}", "/api/v1/tokens"), 422,
               "validation_failed", "name");
}

static void empty_or_letterless_names_are_422(void **state) {
  h_server_t *s = *state;
  EXPECT_ERROR(s, create(s, "{\"full_name\":\"\"}"), 422, "validation_failed", "full_name");
  EXPECT_ERROR(s, create(s, "{\"full_name\":\"   \"}"), 422, "validation_failed", "full_name");
  EXPECT_ERROR(s, create(s, "{\"full_name\":\"A\\nB\"}"), 422, "validation_failed", "full_name");
  char *longname = h_str("{\"full_name\":\"%0301d\"}", 0);
  memset(longname + 14, 'a', 301);
  EXPECT_ERROR(s, create(s, longname), 422, "validation_failed", "full_name");
}

static void bad_birth_dates_are_422(void **state) {
  h_server_t *s = *state;
  time_t now = time(NULL);
  struct tm tm;
  gmtime_r(&now, &tm);
  const char *dates[] = {"1990-02-30",
                         "1990/05/01",
                         "1990-13-01",
                         "90-05-01",
                         "1990-5-1",
                         "yesterday",
                         h_str("%04d-01-01", tm.tm_year + 1900 + 1),
                         "1850-01-01"};
  for (size_t i = 0; i < sizeof(dates) / sizeof(dates[0]); i++) {
    h_resp_t *r = create(s, h_str("{\"full_name\":\"A B\",\"date_of_birth\":\"%s\"}", dates[i]));
    if (r->status != 422) fail_msg("date_of_birth \"%s\" was not refused", dates[i]);
    EXPECT_ERROR(s, r, 422, "validation_failed", "date_of_birth");
  }
  /* Partial dates and a leap day are fine. */
  EXPECT_STATUS(s, create(s, "{\"full_name\":\"A B\",\"date_of_birth\":\"1988-02-29\"}"), 201);
  EXPECT_STATUS(s, create(s, "{\"full_name\":\"A B\",\"date_of_birth\":\"1988-02\"}"), 201);
}

static void bad_country_codes_are_422(void **state) {
  h_server_t *s = *state;
  const char *codes[] = {"XX", "vn", "VNM", "", "V"};
  for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
    h_resp_t *r = create(s, h_str("{\"full_name\":\"A B\",\"presence\":{\"country\":\"%s\","
                                  "\"category\":\"worker\"}}",
                                  codes[i]));
    EXPECT_ERROR(s, r, 422, "validation_failed", "presence.country");
  }
  EXPECT_ERROR(s, h_call(s, h_as(s, H_ADMIN), "GET", NULL, "/api/v1/persons?country=XX"), 422,
               "validation_failed", "country");
  EXPECT_ERROR(s, h_call(s, h_as(s, H_ADMIN), "GET", NULL, "/api/v1/persons?country=vn"), 422,
               "validation_failed", "country");
}

static void a_region_of_another_country_is_422(void **state) {
  h_server_t *s = *state;
  EXPECT_ERROR(s, create(s, with_presence("\"region\":\"MM-13\"")), 422, "validation_failed",
               "presence.region");
  EXPECT_ERROR(s,
               h_call(s, h_as(s, H_ADMIN), "POST",
                      "{\"country\":\"IL\",\"region\":\"VN-HN\",\"category\":\"worker\"}",
                      "/api/v1/persons/%s/presences", someone(s)),
               422, "validation_failed", "region");
  /* A free-text region name is accepted. */
  EXPECT_STATUS(s, create(s, with_presence("\"region\":\"Southern District\"")), 201);
}

static void until_before_from_is_422(void **state) {
  h_server_t *s = *state;
  EXPECT_ERROR(s, create(s, with_presence("\"from\":\"2023-10-07\",\"until\":\"2023-10-06\"")), 422,
               "validation_failed", "presence.until");
  const char *id = someone(s);
  EXPECT_ERROR(s,
               h_call(s, h_as(s, H_ADMIN), "POST",
                      "{\"country\":\"IL\",\"category\":\"worker\",\"from\":\"2023\","
                      "\"until\":\"2022-12\"}",
                      "/api/v1/persons/%s/presences", id),
               422, "validation_failed", "until");
  EXPECT_ERROR(s,
               h_call(s, h_as(s, H_ADMIN), "POST",
                      "{\"country\":\"IL\",\"category\":\"worker\",\"until\":\"2023-02-30\"}",
                      "/api/v1/persons/%s/presences", id),
               422, "validation_failed", "until");
}

static void latitude_without_longitude_is_422(void **state) {
  h_server_t *s = *state;
  EXPECT_ERROR(s, create(s, with_presence("\"latitude\":32.1")), 422, "validation_failed",
               "presence.longitude");
  EXPECT_ERROR(s, create(s, with_presence("\"latitude\":91,\"longitude\":0")), 422,
               "validation_failed", "presence.latitude");
}

static void bad_closed_vocabulary_values_are_422(void **state) {
  h_server_t *s = *state;
  EXPECT_ERROR(s, create(s, "{\"full_name\":\"A B\",\"sex\":\"female\"}"), 422, "validation_failed",
               "sex");
  EXPECT_ERROR(s, create(s, "{\"full_name\":\"A B\",\"flags\":[\"vip\"]}"), 422,
               "validation_failed", "flags[0]");
  EXPECT_ERROR(s,
               create(s,
                      "{\"full_name\":\"A B\",\"presence\":{\"country\":\"IL\","
                      "\"category\":\"spy\"}}"),
               422, "validation_failed", "presence.category");
  EXPECT_ERROR(s,
               h_call(s, h_as(s, H_ADMIN), "POST", "{\"status\":\"fine\"}",
                      "/api/v1/persons/%s/status", someone(s)),
               422, "validation_failed", "status");
  EXPECT_ERROR(s, h_call(s, h_as(s, H_ADMIN), "GET", NULL, "/api/v1/persons?status=fine"), 422,
               "validation_failed", "status");
  EXPECT_ERROR(s, h_call(s, h_as(s, H_ADMIN), "GET", NULL, "/api/v1/persons?category=spy"), 422,
               "validation_failed", "category");
}

static void bad_contact_details_are_422(void **state) {
  h_server_t *s = *state;
  EXPECT_ERROR(s, create(s, "{\"full_name\":\"A B\",\"emails\":[\"not-an-email\"]}"), 422,
               "validation_failed", "emails[0]");
  EXPECT_ERROR(s, create(s, "{\"full_name\":\"A B\",\"phones\":[\"call me\"]}"), 422,
               "validation_failed", "phones[0]");
  EXPECT_ERROR(s, create(s, "{\"full_name\":\"A B\",\"passport\":\"C12\"}"), 422,
               "validation_failed", "passport");
  EXPECT_ERROR(s, create(s, "{\"full_name\":\"A B\",\"national_id\":\"0381/90001234\"}"), 422,
               "validation_failed", "national_id");
  EXPECT_ERROR(
      s,
      h_call(s, h_as(s, H_ADMIN), "POST",
             "{\"email\":\"bad email@x.org\",\"name\":\"X\",\"role\":\"hq\"}", "/api/v1/users"),
      422, "validation_failed", "email");
  EXPECT_ERROR(s,
               h_call(s, h_as(s, H_ADMIN), "POST",
                      "{\"email\":\"short@x.org\",\"name\":\"X\",\"role\":\"hq\","
                      "\"password\":\"short\"}",
                      "/api/v1/users"),
               422, "validation_failed", "password");
}

static void bad_limit_is_422(void **state) {
  h_server_t *s = *state;
  const char *limits[] = {"0", "-1", "501", "abc", "10x", "", "99999999999999999999"};
  for (size_t i = 0; i < sizeof(limits) / sizeof(limits[0]); i++) {
    EXPECT_ERROR(s, h_call(s, h_as(s, H_ADMIN), "GET", NULL, "/api/v1/persons?limit=%s", limits[i]),
                 422, "validation_failed", "limit");
  }
  EXPECT_ERROR(s, h_call(s, h_as(s, H_ADMIN), "GET", NULL, "/api/v1/missions?limit=0"), 422,
               "validation_failed", "limit");
}

static void bad_after_is_422(void **state) {
  h_server_t *s = *state;
  EXPECT_ERROR(s, h_call(s, h_as(s, H_ADMIN), "GET", NULL, "/api/v1/persons?after=garbage"), 422,
               "validation_failed", "after");
  EXPECT_ERROR(s, h_call(s, h_as(s, H_ADMIN), "GET", NULL, "/api/v1/persons?after="), 422,
               "validation_failed", "after");
  /* Wrong length, and a character outside the id alphabet. */
  EXPECT_ERROR(s, h_call(s, h_as(s, H_ADMIN), "GET", NULL, "/api/v1/persons?after=abcdefghjkmn"),
               422, "validation_failed", "after");
  EXPECT_ERROR(s,
               h_call(s, h_as(s, H_ADMIN), "GET", NULL, "/api/v1/persons?after=abcdefghjkmn%%21"),
               422, "validation_failed", "after");
  EXPECT_ERROR(s, h_call(s, h_as(s, H_ADMIN), "GET", NULL, "/api/v1/audit?after=-1"), 422,
               "validation_failed", "after");
}

static void bad_search_query_is_422(void **state) {
  h_server_t *s = *state;
  EXPECT_ERROR(s, h_call(s, h_as(s, H_ADMIN), "GET", NULL, "/api/v1/persons?q=%%21%%21%%21"), 422,
               "validation_failed", "q");
  char *longq = h_str("%0400d", 0);
  memset(longq, 'a', 400);
  EXPECT_ERROR(s, h_call(s, h_as(s, H_ADMIN), "GET", NULL, "/api/v1/persons?q=%s", longq), 422,
               "validation_failed", "q");
}

static void ids_that_do_not_decode_are_404(void **state) {
  h_server_t *s = *state;
  const h_auth_t *admin = h_as(s, H_ADMIN);
  EXPECT_ERROR(s, h_call(s, admin, "GET", NULL, "/api/v1/persons/%%00"), 404, "not_found", NULL);
  EXPECT_ERROR(s, h_call(s, admin, "GET", NULL, "/api/v1/persons/%s", h_urlencode("../../etc")),
               404, "not_found", NULL);
  EXPECT_ERROR(
      s, h_call(s, admin, "PATCH", "{\"full_name\":\"A B\"}", "/api/v1/persons/0000000000000"), 404,
      "not_found", NULL);
  EXPECT_ERROR(s, h_call(s, admin, "GET", NULL, "/api/v1/users/xyz"), 404, "not_found", NULL);
}

int api_input_tests(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(malformed_json_is_400_malformed_json),
      cmocka_unit_test(a_body_that_is_not_an_object_is_400),
      cmocka_unit_test(duplicate_keys_are_400),
      cmocka_unit_test(invalid_utf8_in_a_json_string_is_400),
      cmocka_unit_test(oversize_body_is_413),
      cmocka_unit_test(wrong_content_type_is_415),
      cmocka_unit_test(a_body_on_a_get_is_400),
      cmocka_unit_test(wrong_types_are_422_naming_the_field),
      cmocka_unit_test(unknown_fields_are_422_naming_the_field),
      cmocka_unit_test(missing_required_fields_are_422),
      cmocka_unit_test(empty_or_letterless_names_are_422),
      cmocka_unit_test(bad_birth_dates_are_422),
      cmocka_unit_test(bad_country_codes_are_422),
      cmocka_unit_test(a_region_of_another_country_is_422),
      cmocka_unit_test(until_before_from_is_422),
      cmocka_unit_test(latitude_without_longitude_is_422),
      cmocka_unit_test(bad_closed_vocabulary_values_are_422),
      cmocka_unit_test(bad_contact_details_are_422),
      cmocka_unit_test(bad_limit_is_422),
      cmocka_unit_test(bad_after_is_422),
      cmocka_unit_test(bad_search_query_is_422),
      cmocka_unit_test(ids_that_do_not_decode_are_404),
  };
  return cmocka_run_group_tests_name("input", tests, h_group_setup, h_group_teardown);
}
