/*
 * test_crises.c - crises: declare, read, change and close one, who may do so, the refusals of
 * bad input, and the accountability figures checked against scenarios whose true counts the
 * test knows (persons placed in and out of the area by country, region, dates, circle and
 * polygon, with statuses set).
 */
#include <string.h>

#include "api/api.h"
#include "harness.h"

#define LB_CRISIS                                                                              \
  "{\"name\":\"Giao tranh miền Nam Liban\",\"kind\":\"armed_conflict\",\"countries\":[\"LB\"]," \
  "\"regions\":[\"LB-JA\",\"LB-NA\"]}"

static const char *create_crisis(h_server_t *s, const h_auth_t *auth, const char *json) {
  h_resp_t *r = h_call(s, auth, "POST", json, "/api/v1/crises");
  EXPECT_STATUS(s, r, 201);
  return h_gets(r->json, "id");
}

/* Creates a person with one presence given as JSON; returns the person's id. */
static const char *person_at(h_server_t *s, const char *name, const char *presence) {
  h_resp_t *r = h_create_person(
      s, h_as(s, H_HQ), h_str("{\"full_name\":\"%s\",\"presence\":%s}", name, presence));
  return h_gets(r->json, "id");
}

static void set_status(h_server_t *s, const char *id, const char *status) {
  EXPECT_STATUS(s,
                h_call(s, h_as(s, H_HQ), "POST", h_str("{\"status\":\"%s\"}", status),
                       "/api/v1/persons/%s/status", id),
                201);
}

static long long count_at(const json_t *root, const char *path) {
  json_t *v = h_get(root, path);
  if (!json_is_integer(v)) fail_msg("no integer at %s", path);
  return (long long)json_integer_value(v);
}

/* The item of list whose member key equals value. */
static json_t *item_with(const json_t *list, const char *key, const char *value) {
  size_t i;
  json_t *v;
  json_array_foreach(list, i, v) {
    const char *k = h_gets(v, key);
    if (k != NULL && strcmp(k, value) == 0) return v;
  }
  fail_msg("no item with %s = %s", key, value);
  return NULL;
}

static void crises_create_then_get_and_list_show_it(void **state) {
  h_server_t *s = *state;
  h_resp_t *c = h_call(s, h_as(s, H_HQ), "POST",
                       "{\"name\":\"Động đất Nepal\",\"kind\":\"natural_disaster\","
                       "\"description\":\"Động đất 6,4 độ\",\"countries\":[\"NP\"],"
                       "\"regions\":[\"Karnali\"],\"area\":{\"circle\":{\"lat\":28.84,"
                       "\"lon\":82.19,\"radius_km\":80}},\"opened_at\":\"2023-11-03T18:02:00Z\"}",
                       "/api/v1/crises");
  EXPECT_STATUS(s, c, 201);
  const char *id = h_gets(c->json, "id");
  assert_string_equal(h_gets(c->json, "status"), "open");
  assert_string_equal(h_gets(c->json, "countries[0]"), "NP");
  assert_string_equal(h_gets(c->json, "regions[0]"), "Karnali");
  assert_string_equal(h_gets(c->json, "opened_at"), "2023-11-03T18:02:00Z");
  assert_true(json_number_value(h_get(c->json, "area.circle.radius_km")) == 80.0);
  assert_true(json_is_null(h_get(c->json, "closed_at")));
  /* Crises hold no personal data: a viewer reads them. */
  h_resp_t *g = h_call(s, h_as(s, H_VIEWER), "GET", NULL, "/api/v1/crises/%s", id);
  EXPECT_STATUS(s, g, 200);
  assert_string_equal(h_gets(g->json, "name"), "Động đất Nepal");
  assert_string_equal(h_gets(g->json, "kind"), "natural_disaster");
  json_t *all = h_list_all(s, h_as(s, H_HQ), "/api/v1/crises?country=NP", 1);
  assert_int_equal(json_array_size(all), 1);
  assert_true(h_has_id(all, id));
}

static void crises_demo_has_the_israel_and_kayin_crises(void **state) {
  h_server_t *s = *state;
  json_t *il = h_list_all(s, h_as(s, H_HQ), "/api/v1/crises?country=IL", 50);
  assert_true(json_array_size(il) >= 1);
  json_t *k = json_array_get(il, 0);
  assert_string_equal(h_gets(k, "opened_at"), "2023-10-07T03:30:00Z");
  assert_string_equal(h_gets(k, "countries[0]"), "IL");
  assert_string_equal(h_gets(k, "countries[1]"), "PS");
  json_t *mm = h_list_all(s, h_as(s, H_HQ), "/api/v1/crises?country=MM", 50);
  assert_string_equal(h_gets(json_array_get(mm, 0), "regions[0]"), "MM-13");
}

static void crises_update_changes_given_fields_and_keeps_others(void **state) {
  h_server_t *s = *state;
  const char *id = create_crisis(s, h_as(s, H_HQ), LB_CRISIS);
  h_resp_t *u = h_call(s, h_as(s, H_HQ), "PATCH",
                       "{\"description\":\"Cập nhật\",\"regions\":[\"LB-JA\"],\"area\":null}",
                       "/api/v1/crises/%s", id);
  EXPECT_STATUS(s, u, 200);
  assert_string_equal(h_gets(u->json, "description"), "Cập nhật");
  assert_int_equal(json_array_size(h_get(u->json, "regions")), 1);
  assert_string_equal(h_gets(u->json, "name"), "Giao tranh miền Nam Liban");
  assert_string_equal(h_gets(u->json, "countries[0]"), "LB");
}

static void crises_close_once_then_409_and_open_filter_leaves_it_out(void **state) {
  h_server_t *s = *state;
  const char *id = create_crisis(
      s, h_as(s, H_HQ), "{\"name\":\"Bạo loạn\",\"kind\":\"unrest\",\"countries\":[\"SN\"]}");
  h_resp_t *c = h_call(s, h_as(s, H_HQ), "POST", NULL, "/api/v1/crises/%s/close", id);
  EXPECT_STATUS(s, c, 200);
  assert_string_equal(h_gets(c->json, "status"), "closed");
  assert_non_null(h_gets(c->json, "closed_at"));
  EXPECT_ERROR(s, h_call(s, h_as(s, H_HQ), "POST", NULL, "/api/v1/crises/%s/close", id), 409,
               "conflict", NULL);
  json_t *open = h_list_all(s, h_as(s, H_HQ), "/api/v1/crises?country=SN&status=open", 10);
  assert_false(h_has_id(open, id));
  json_t *all = h_list_all(s, h_as(s, H_HQ), "/api/v1/crises?country=SN", 10);
  assert_true(h_has_id(all, id));
}

static void crises_officer_declares_only_within_the_jurisdiction(void **state) {
  h_server_t *s = *state;
  const h_auth_t *o = h_as(s, H_ISRAEL);
  h_resp_t *ok = h_call(s, o, "POST",
                        "{\"name\":\"Gaza\",\"kind\":\"armed_conflict\",\"countries\":[\"PS\"]}",
                        "/api/v1/crises");
  EXPECT_STATUS(s, ok, 201);
  /* The officer's mission leads what the officer declares. */
  h_resp_t *me = h_call(s, o, "GET", NULL, "/api/v1/session");
  assert_string_equal(h_gets(ok->json, "lead_mission"), h_gets(me->json, "user.mission"));
  EXPECT_ERROR(s,
               h_call(s, o, "POST",
                      "{\"name\":\"X\",\"kind\":\"unrest\",\"countries\":[\"IL\",\"MM\"]}",
                      "/api/v1/crises"),
               403, "forbidden", "countries[1]");
  /* Nor may the officer stretch a crisis of theirs outside it. */
  EXPECT_ERROR(s,
               h_call(s, o, "PATCH", "{\"countries\":[\"PS\",\"LB\"]}", "/api/v1/crises/%s",
                      h_gets(ok->json, "id")),
               403, "forbidden", "countries[1]");
}

static void crises_officer_elsewhere_gets_404_and_does_not_list_them(void **state) {
  h_server_t *s = *state;
  const char *id = create_crisis(
      s, h_as(s, H_HQ), "{\"name\":\"Haifa\",\"kind\":\"accident\",\"countries\":[\"IL\"]}");
  const h_auth_t *mm = h_as(s, H_MYANMAR);
  EXPECT_ERROR(s, h_call(s, mm, "GET", NULL, "/api/v1/crises/%s", id), 404, "not_found", NULL);
  EXPECT_ERROR(s, h_call(s, mm, "GET", NULL, "/api/v1/crises/%s/accountability", id), 404,
               "not_found", NULL);
  EXPECT_ERROR(s, h_call(s, mm, "POST", NULL, "/api/v1/crises/%s/close", id), 404, "not_found",
               NULL);
  json_t *seen = h_list_all(s, mm, "/api/v1/crises", 100);
  assert_false(h_has_id(seen, id));
  assert_true(json_array_size(seen) >= 1); /* the Kayin crisis */
  EXPECT_STATUS(s, h_call(s, h_as(s, H_ISRAEL), "GET", NULL, "/api/v1/crises/%s", id), 200);
}

static void crises_create_with_bad_input_is_422_naming_the_field(void **state) {
  h_server_t *s = *state;
  const h_auth_t *hq = h_as(s, H_HQ);
  static const struct {
    const char *body, *field;
  } cases[] = {
      {"{\"kind\":\"unrest\",\"countries\":[\"LB\"]}", "name"},
      {"{\"name\":\"x\",\"kind\":\"war\",\"countries\":[\"LB\"]}", "kind"},
      {"{\"name\":\"x\",\"kind\":\"unrest\",\"countries\":[]}", "countries"},
      {"{\"name\":\"x\",\"kind\":\"unrest\",\"countries\":[\"XX\"]}", "countries[0]"},
      {"{\"name\":\"x\",\"kind\":\"unrest\",\"countries\":[\"LB\"],\"regions\":[\"IL-TA\"]}",
       "regions[0]"},
      {"{\"name\":\"x\",\"kind\":\"unrest\",\"countries\":[\"LB\"],\"area\":{}}", "area"},
      {"{\"name\":\"x\",\"kind\":\"unrest\",\"countries\":[\"LB\"],\"area\":{\"circle\":{\"lat\":"
       "33,\"lon\":35,\"radius_km\":1},\"polygon\":[{\"lat\":1,\"lon\":1},{\"lat\":2,\"lon\":1},"
       "{\"lat\":2,\"lon\":2}]}}",
       "area"},
      {"{\"name\":\"x\",\"kind\":\"unrest\",\"countries\":[\"LB\"],\"area\":{\"polygon\":[{\"lat\":"
       "1,\"lon\":1},{\"lat\":2,\"lon\":1}]}}",
       "area.polygon"},
      {"{\"name\":\"x\",\"kind\":\"unrest\",\"countries\":[\"LB\"],\"area\":{\"circle\":{\"lat\":"
       "95,\"lon\":35,\"radius_km\":1}}}",
       "area.circle.lat"},
      {"{\"name\":\"x\",\"kind\":\"unrest\",\"countries\":[\"LB\"],\"area\":{\"circle\":{\"lat\":"
       "33,\"lon\":35,\"radius_km\":0}}}",
       "area.circle.radius_km"},
      {"{\"name\":\"x\",\"kind\":\"unrest\",\"countries\":[\"LB\"],\"opened_at\":\"yesterday\"}",
       "opened_at"},
      {"{\"name\":\"x\",\"kind\":\"unrest\",\"countries\":[\"LB\"],\"lead_mission\":\"aaaaaaaaaaaaa\"}",
       "lead_mission"},
      {"{\"name\":\"x\",\"kind\":\"unrest\",\"countries\":[\"LB\"],\"colour\":\"red\"}", "colour"},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    EXPECT_ERROR(s, h_call(s, hq, "POST", cases[i].body, "/api/v1/crises"), 422,
                 "validation_failed", cases[i].field);
  }
  EXPECT_ERROR(s, h_call(s, hq, "GET", NULL, "/api/v1/crises?status=maybe"), 422,
               "validation_failed", "status");
  EXPECT_ERROR(s, h_call(s, hq, "GET", NULL, "/api/v1/crises/aaaaaaaaaaaaa"), 404, "not_found",
               NULL);
  /* A valid id of another kind is not a crisis id. */
  EXPECT_ERROR(s, h_call(s, hq, "GET", NULL, "/api/v1/crises/%s", h_pubid(s, PUBID_PERSON, 1)),
               404, "not_found", NULL);
}

static void accountability_matches_a_known_scenario(void **state) {
  h_server_t *s = *state;
  const char *id = create_crisis(s, h_as(s, H_HQ), LB_CRISIS);
#define P(region, cat, extra)                                                               \
  "{\"country\":\"LB\",\"region\":\"" region "\",\"category\":\"" cat "\"" extra "}"
  /* In the area (7). */
  const char *a1 = person_at(s, "Trong Một", P("LB-JA", "worker", ",\"from\":\"2023-01\""));
  const char *a2 = person_at(s, "Trong Hai", P("LB-JA", "worker", ""));
  person_at(s, "Trong Ba", P("LB-NA", "student", ",\"from\":\"2022\""));
  const char *a4 = person_at(s, "Trong Bốn", P("LB-NA", "student", ""));
  const char *a5 = person_at(s, "Trong Năm", P("LB-JA", "resident", ""));
  const char *a6 = person_at(s, "Trong Sáu", P("LB-JA", "worker", ""));
  /* A second presence in the area: the person still counts once, with the newer presence. */
  EXPECT_STATUS(s,
                h_call(s, h_as(s, H_HQ), "POST", P("LB-NA", "official", ""),
                       "/api/v1/persons/%s/presences", a6),
                201);
  person_at(s, "Trong Bảy", P("LB-JA", "tourist", ",\"from\":\"2023-10-01\",\"until\":\"2099-12\""));
  /* Out of it: another region, a stay that ended, one not begun, another country. */
  const char *o1 = person_at(s, "Ngoài Một", P("LB-BA", "worker", ""));
  person_at(s, "Ngoài Hai", P("LB-JA", "worker", ",\"from\":\"2019\",\"until\":\"2020-05\""));
  person_at(s, "Ngoài Ba", P("LB-JA", "worker", ",\"from\":\"2099-01\""));
  person_at(s, "Ngoài Bốn", "{\"country\":\"SY\",\"category\":\"worker\"}");
#undef P
  set_status(s, a1, "safe");
  set_status(s, a2, "needs_assistance");
  set_status(s, a4, "safe");
  set_status(s, a5, "missing");
  set_status(s, a6, "injured");
  set_status(s, a6, "safe"); /* the latest status counts; both changes are in the series */
  set_status(s, o1, "safe"); /* outside: neither counted nor in the series */
  /* A viewer reads the aggregate. */
  h_resp_t *r = h_call(s, h_as(s, H_VIEWER), "GET", NULL, "/api/v1/crises/%s/accountability", id);
  EXPECT_STATUS(s, r, 200);
  json_t *j = r->json;
  assert_int_equal(count_at(j, "total"), 7);
  assert_int_equal(count_at(j, "reached"), 0);
  assert_int_equal(count_at(j, "by_status.safe"), 3);
  assert_int_equal(count_at(j, "by_status.needs_assistance"), 1);
  assert_int_equal(count_at(j, "by_status.missing"), 1);
  assert_int_equal(count_at(j, "by_status.injured"), 0);
  assert_int_equal(count_at(j, "by_status.unknown"), 2);
  assert_int_equal(count_at(j, "accounted_for"), 5);
  assert_int_equal(count_at(j, "not_accounted_for"), 2);
  json_t *ja = item_with(h_get(j, "by_region"), "region", "LB-JA");
  json_t *na = item_with(h_get(j, "by_region"), "region", "LB-NA");
  assert_int_equal(count_at(ja, "total"), 4);
  assert_int_equal(count_at(ja, "by_status.safe"), 1);
  assert_int_equal(count_at(ja, "not_accounted_for"), 1);
  assert_int_equal(count_at(na, "total"), 3);
  assert_int_equal(count_at(na, "by_status.safe"), 2);
  assert_int_equal(json_array_size(h_get(j, "by_region")), 2);
  assert_int_equal(count_at(item_with(h_get(j, "by_category"), "category", "worker"), "total"), 2);
  assert_int_equal(count_at(item_with(h_get(j, "by_category"), "category", "student"), "total"), 2);
  assert_int_equal(count_at(item_with(h_get(j, "by_category"), "category", "official"), "total"),
                   1);
  assert_int_equal(count_at(item_with(h_get(j, "by_category"), "category", "tourist"), "total"),
                   1);
  /* Six status changes of audience members since the crisis opened. */
  long long changes = 0, safe = 0;
  size_t i;
  json_t *pt;
  json_array_foreach(h_get(j, "series"), i, pt) {
    changes += count_at(pt, "changes");
    json_t *sv = h_get(pt, "by_status.safe");
    if (sv) safe += json_integer_value(sv);
    assert_non_null(h_gets(pt, "hour"));
  }
  assert_int_equal(changes, 6);
  assert_int_equal(safe, 3);
  assert_string_equal(h_gets(j, "statement.en"),
                      "So far, of the 7 citizens in the area: 3 safe, 1 needs help, 1 missing, 2 "
                      "not yet accounted for.");
  assert_string_equal(h_gets(j, "statement.vi"),
                      "Đến nay, trong số 7 công dân trong khu vực: 3 an toàn, 1 cần hỗ trợ, 1 "
                      "mất tích, 2 chưa liên lạc được.");
}

static void accountability_of_a_circle_counts_only_presences_inside_it(void **state) {
  h_server_t *s = *state;
  /* Nicosia, 15 km. */
  const char *id = create_crisis(
      s, h_as(s, H_HQ),
      "{\"name\":\"Cháy rừng Síp\",\"kind\":\"natural_disaster\",\"countries\":[\"CY\"],"
      "\"area\":{\"circle\":{\"lat\":35.17,\"lon\":33.36,\"radius_km\":15}}}");
  const char *in = person_at(s, "Síp Trong",
                             "{\"country\":\"CY\",\"category\":\"student\",\"latitude\":35.18,"
                             "\"longitude\":33.37}");
  /* Without coordinates the country decides. */
  const char *nogeo = person_at(s, "Síp Không Toạ Độ", "{\"country\":\"CY\",\"category\":\"worker\"}");
  /* Limassol is some 60 km away. */
  person_at(s, "Síp Ngoài",
            "{\"country\":\"CY\",\"category\":\"worker\",\"latitude\":34.68,\"longitude\":33.04}");
  set_status(s, in, "safe");
  set_status(s, nogeo, "safe");
  h_resp_t *r = h_call(s, h_as(s, H_HQ), "GET", NULL, "/api/v1/crises/%s/accountability", id);
  EXPECT_STATUS(s, r, 200);
  assert_int_equal(count_at(r->json, "total"), 2);
  assert_int_equal(count_at(r->json, "by_status.safe"), 2);
  assert_string_equal(h_gets(r->json, "statement.en"), "So far, all 2 citizens in the area are safe.");
  assert_string_equal(h_gets(r->json, "statement.vi"),
                      "Đến nay, toàn bộ 2 công dân trong khu vực đều an toàn.");
}

static void accountability_of_a_polygon_counts_only_presences_inside_it(void **state) {
  h_server_t *s = *state;
  /* A square around Amman. */
  const char *id = create_crisis(
      s, h_as(s, H_HQ),
      "{\"name\":\"Amman\",\"kind\":\"unrest\",\"countries\":[\"JO\"],\"area\":{\"polygon\":["
      "{\"lat\":31.8,\"lon\":35.7},{\"lat\":32.1,\"lon\":35.7},{\"lat\":32.1,\"lon\":36.1},"
      "{\"lat\":31.8,\"lon\":36.1}]}}");
  person_at(s, "Amman Trong",
            "{\"country\":\"JO\",\"category\":\"worker\",\"latitude\":31.95,\"longitude\":35.93}");
  person_at(s, "Aqaba Ngoài",
            "{\"country\":\"JO\",\"category\":\"worker\",\"latitude\":29.53,\"longitude\":35.0}");
  h_resp_t *r = h_call(s, h_as(s, H_HQ), "GET", NULL, "/api/v1/crises/%s/accountability", id);
  EXPECT_STATUS(s, r, 200);
  assert_int_equal(count_at(r->json, "total"), 1);
  assert_int_equal(count_at(r->json, "by_status.unknown"), 1);
  assert_string_equal(h_gets(r->json, "statement.en"),
                      "So far, of the 1 citizen in the area: 1 not yet accounted for.");
}

static void accountability_of_an_empty_area_says_so(void **state) {
  h_server_t *s = *state;
  const char *id = create_crisis(
      s, h_as(s, H_HQ), "{\"name\":\"Tonga\",\"kind\":\"natural_disaster\",\"countries\":[\"TO\"]}");
  h_resp_t *r = h_call(s, h_as(s, H_HQ), "GET", NULL, "/api/v1/crises/%s/accountability", id);
  EXPECT_STATUS(s, r, 200);
  assert_int_equal(count_at(r->json, "total"), 0);
  assert_int_equal(json_array_size(h_get(r->json, "series")), 0);
  assert_string_equal(h_gets(r->json, "statement.en"), "So far, no citizens are recorded in the area.");
}

/* A read, then a change of status, then a read: the second read counts the change (a small
 * crisis is counted anew on every read), and says when it was counted. */
static void accountability_read_again_sees_a_status_change_made_after_a_read(void **state) {
  h_server_t *s = *state;
  const char *id = create_crisis(
      s, h_as(s, H_HQ), "{\"name\":\"Fiji\",\"kind\":\"natural_disaster\",\"countries\":[\"FJ\"]}");
  const char *p = person_at(s, "Fiji Một", "{\"country\":\"FJ\",\"category\":\"worker\"}");
  h_resp_t *r = h_call(s, h_as(s, H_HQ), "GET", NULL, "/api/v1/crises/%s/accountability", id);
  EXPECT_STATUS(s, r, 200);
  assert_int_equal(count_at(r->json, "by_status.unknown"), 1);
  assert_non_null(h_gets(r->json, "as_of"));
  assert_non_null(strstr(h_header(r, "Cache-Control"), "no-store"));
  set_status(s, p, "safe");
  r = h_call(s, h_as(s, H_HQ), "GET", NULL, "/api/v1/crises/%s/accountability", id);
  EXPECT_STATUS(s, r, 200);
  assert_int_equal(count_at(r->json, "by_status.safe"), 1);
  assert_int_equal(count_at(r->json, "by_status.unknown"), 0);
  set_status(s, p, "injured");
  /* A reader may also ask for a new count outright. */
  h_req_t rq = {.method = "GET", .path = h_str("/api/v1/crises/%s/accountability", id),
                .auth = h_as(s, H_HQ), .headers = {"Cache-Control: no-cache", NULL}};
  r = h_do(s, &rq);
  EXPECT_STATUS(s, r, 200);
  assert_int_equal(count_at(r->json, "by_status.injured"), 1);
  assert_int_equal(count_at(r->json, "by_status.safe"), 0);
}

int api_crises_tests(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(crises_create_then_get_and_list_show_it),
      cmocka_unit_test(crises_demo_has_the_israel_and_kayin_crises),
      cmocka_unit_test(crises_update_changes_given_fields_and_keeps_others),
      cmocka_unit_test(crises_close_once_then_409_and_open_filter_leaves_it_out),
      cmocka_unit_test(crises_officer_declares_only_within_the_jurisdiction),
      cmocka_unit_test(crises_officer_elsewhere_gets_404_and_does_not_list_them),
      cmocka_unit_test(crises_create_with_bad_input_is_422_naming_the_field),
      cmocka_unit_test(accountability_matches_a_known_scenario),
      cmocka_unit_test(accountability_of_a_circle_counts_only_presences_inside_it),
      cmocka_unit_test(accountability_of_a_polygon_counts_only_presences_inside_it),
      cmocka_unit_test(accountability_of_an_empty_area_says_so),
      cmocka_unit_test(accountability_read_again_sees_a_status_change_made_after_a_read),
  };
  return cmocka_run_group_tests_name("crises", tests, h_group_setup, h_group_teardown);
}
