/*
 * test_persons.c - the registry's success paths: persons, list filters and paging, presences,
 * welfare status with its history, and statistics.
 */
#include <string.h>

#include "harness.h"

static void persons_create_with_presence_returns_201_with_it(void **state) {
  h_server_t *s = *state;
  h_resp_t *r = h_create_person(
      s, h_as(s, H_ISRAEL),
      "{\"full_name\":\"Nguyễn Văn An\",\"sex\":\"M\",\"date_of_birth\":\"1988-03-15\","
      "\"passport\":\"C1234567\",\"national_id\":\"001088012345\",\"phones\":[\"+972 50 123 "
      "4567\"],"
      "\"emails\":[\"an@example.org\"],\"home_province\":\"Nghệ An\",\"flags\":[\"medical\"],"
      "\"emergency_contacts\":[{\"name\":\"Nguyễn Thị Bình\",\"relation\":\"mother\","
      "\"phone\":\"+84 90 111 2222\",\"consent_to_disclose\":true}],"
      "\"presence\":{\"country\":\"IL\",\"region\":\"IL-HA\",\"city\":\"Haifa\","
      "\"category\":\"worker\",\"organisation\":\"Kibbutz\",\"from\":\"2022-09\","
      "\"latitude\":32.79,\"longitude\":34.99}}");
  assert_string_equal(h_gets(r->json, "full_name"), "Nguyễn Văn An");
  assert_string_equal(h_gets(r->json, "passport"), "C1234567");
  assert_string_equal(h_gets(r->json, "national_id"), "001088012345");
  assert_string_equal(h_gets(r->json, "status"), "unknown");
  assert_string_equal(h_gets(r->json, "source"), "officer");
  assert_string_equal(h_gets(r->json, "emergency_contacts[0].relation"), "mother");
  assert_int_equal(json_array_size(h_get(r->json, "presences")), 1);
  assert_string_equal(h_gets(r->json, "presences[0].country"), "IL");
  assert_string_equal(h_gets(r->json, "presences[0].region"), "IL-HA");
  assert_string_equal(h_gets(r->json, "presences[0].person"), h_gets(r->json, "id"));
  assert_true(json_real_value(h_get(r->json, "presences[0].latitude")) > 32.7);
  /* The officer's mission owns what the officer registers. */
  h_resp_t *me = h_call(s, h_as(s, H_ISRAEL), "GET", NULL, "/api/v1/session");
  assert_string_equal(h_gets(r->json, "owner_mission"), h_gets(me->json, "user.mission"));
}

static void persons_create_names_are_stored_nfc(void **state) {
  h_server_t *s = *state;
  /* "Hằng" written decomposed: a + combining breve + combining grave. */
  h_resp_t *r =
      h_create_person(s, h_as(s, H_ADMIN),
                      h_person_json("Tr\\u00e2\\u0300n Tha\\u0306\\u0300ng", "IL", NULL, "worker"));
  assert_string_equal(h_gets(r->json, "full_name"), "Trần Thằng");
}

static void persons_create_by_officer_without_presence_is_422(void **state) {
  h_server_t *s = *state;
  EXPECT_ERROR(
      s,
      h_call(s, h_as(s, H_ISRAEL), "POST", "{\"full_name\":\"Lê Văn Không\"}", "/api/v1/persons"),
      422, "validation_failed", "presence");
}

static void persons_create_by_officer_outside_jurisdiction_is_403(void **state) {
  h_server_t *s = *state;
  EXPECT_ERROR(s,
               h_call(s, h_as(s, H_ISRAEL), "POST",
                      h_person_json("Lê Văn Xa", "MM", "MM-13", "worker"), "/api/v1/persons"),
               403, "forbidden", "presence.country");
}

static void persons_get_returns_the_record_and_presences(void **state) {
  h_server_t *s = *state;
  h_resp_t *c =
      h_create_person(s, h_as(s, H_HQ), h_person_json("Đỗ Thị Get", "IL", "IL-JM", "student"));
  const char *id = h_gets(c->json, "id");
  h_resp_t *g = h_call(s, h_as(s, H_ISRAEL), "GET", NULL, "/api/v1/persons/%s", id);
  EXPECT_STATUS(s, g, 200);
  assert_string_equal(h_gets(g->json, "id"), id);
  assert_string_equal(h_gets(g->json, "full_name"), "Đỗ Thị Get");
  assert_string_equal(h_gets(g->json, "date_of_birth"), "1990-05-01");
  assert_string_equal(h_gets(g->json, "presences[0].category"), "student");
}

static void persons_get_with_unknown_id_is_404(void **state) {
  h_server_t *s = *state;
  EXPECT_ERROR(s, h_call(s, h_as(s, H_ADMIN), "GET", NULL, "/api/v1/persons/aaaaaaaaaaaaa"), 404,
               "not_found", NULL);
  /* A valid id of another kind is not a person id. */
  h_resp_t *me = h_call(s, h_as(s, H_ADMIN), "GET", NULL, "/api/v1/session");
  EXPECT_ERROR(
      s,
      h_call(s, h_as(s, H_ADMIN), "GET", NULL, "/api/v1/persons/%s", h_gets(me->json, "user.id")),
      404, "not_found", NULL);
}

static void persons_update_changes_given_fields_and_keeps_others(void **state) {
  h_server_t *s = *state;
  h_resp_t *c = h_create_person(
      s, h_as(s, H_ISRAEL),
      "{\"full_name\":\"Bùi Văn Sửa\",\"passport\":\"B7654321\",\"phones\":[\"+972 50 000 0001\"],"
      "\"presence\":{\"country\":\"IL\",\"category\":\"worker\"}}");
  const char *id = h_gets(c->json, "id");
  h_resp_t *u = h_call(s, h_as(s, H_ISRAEL), "PATCH",
                       "{\"phones\":[\"+972 50 000 0002\"],\"home_province\":\"Thanh Hóa\","
                       "\"date_of_birth\":\"1985\"}",
                       "/api/v1/persons/%s", id);
  EXPECT_STATUS(s, u, 200);
  h_resp_t *g = h_call(s, h_as(s, H_HQ), "GET", NULL, "/api/v1/persons/%s", id);
  EXPECT_STATUS(s, g, 200);
  assert_string_equal(h_gets(g->json, "phones[0]"), "+972 50 000 0002");
  assert_int_equal(json_array_size(h_get(g->json, "phones")), 1);
  assert_string_equal(h_gets(g->json, "home_province"), "Thanh Hóa");
  assert_string_equal(h_gets(g->json, "date_of_birth"), "1985");
  assert_string_equal(h_gets(g->json, "full_name"), "Bùi Văn Sửa");
  assert_string_equal(h_gets(g->json, "passport"), "B7654321");
}

static void persons_update_with_null_clears_a_field(void **state) {
  h_server_t *s = *state;
  h_resp_t *c = h_create_person(
      s, h_as(s, H_ADMIN),
      "{\"full_name\":\"Hồ Văn Xóa\",\"passport\":\"N1122334\",\"home_province\":\"Huế\","
      "\"presence\":{\"country\":\"IL\",\"category\":\"resident\"}}");
  const char *id = h_gets(c->json, "id");
  EXPECT_STATUS(s,
                h_call(s, h_as(s, H_ADMIN), "PATCH", "{\"passport\":null,\"home_province\":null}",
                       "/api/v1/persons/%s", id),
                200);
  h_resp_t *g = h_call(s, h_as(s, H_ADMIN), "GET", NULL, "/api/v1/persons/%s", id);
  assert_true(json_is_null(h_get(g->json, "passport")));
  assert_true(json_is_null(h_get(g->json, "home_province")));
  /* The cleared passport no longer finds the person. */
  h_resp_t *q = h_call(s, h_as(s, H_ADMIN), "GET", NULL, "/api/v1/persons?q=N1122334");
  EXPECT_STATUS(s, q, 200);
  assert_false(h_has_id(h_get(q->json, "items"), id));
}

/* Three people in Korea, where the demo has nobody, made once per server. */
static struct {
  int made;
  const char *a, *b,
      *c; /* a: KR-11 student unknown; b: KR-26 worker injured; c: KR-11 worker safe */
} kr;

static void korea(h_server_t *s) {
  if (kr.made) return;
  const h_auth_t *hq = h_as(s, H_HQ);
  kr.a = h_str(
      "%s",
      h_gets(h_create_person(s, hq, h_person_json("Kim Korea Một", "KR", "KR-11", "student"))->json,
             "id"));
  kr.b = h_str(
      "%s",
      h_gets(h_create_person(s, hq, h_person_json("Kim Korea Hai", "KR", "KR-26", "worker"))->json,
             "id"));
  kr.c = h_str(
      "%s",
      h_gets(h_create_person(s, hq, h_person_json("Kim Korea Ba", "KR", "KR-11", "worker"))->json,
             "id"));
  EXPECT_STATUS(
      s, h_call(s, hq, "POST", "{\"status\":\"injured\"}", "/api/v1/persons/%s/status", kr.b), 201);
  EXPECT_STATUS(
      s, h_call(s, hq, "POST", "{\"status\":\"safe\"}", "/api/v1/persons/%s/status", kr.c), 201);
  kr.made = 1;
}

/* Asserts that the list at path holds exactly the given ids (NULL-terminated), in any order. */
static void expect_exactly(h_server_t *s, const char *path, const char *id, ...) {
  json_t *items = h_list_all(s, h_as(s, H_ADMIN), path, 50);
  size_t want = 0;
  va_list ap;
  va_start(ap, id);
  for (const char *x = id; x; x = va_arg(ap, const char *)) {
    if (!h_has_id(items, x)) fail_msg("%s: %s is missing", path, x);
    want++;
  }
  va_end(ap);
  if (json_array_size(items) != want) {
    fail_msg("%s: %zu items, expected %zu", path, json_array_size(items), want);
  }
}

static void persons_list_filters_by_country(void **state) {
  h_server_t *s = *state;
  korea(s);
  expect_exactly(s, "/api/v1/persons?country=KR", kr.a, kr.b, kr.c, NULL);
}

static void persons_list_filters_by_region(void **state) {
  h_server_t *s = *state;
  korea(s);
  expect_exactly(s, "/api/v1/persons?region=KR-11", kr.a, kr.c, NULL);
  expect_exactly(s, "/api/v1/persons?country=KR&region=KR-26", kr.b, NULL);
}

static void persons_list_filters_by_category(void **state) {
  h_server_t *s = *state;
  korea(s);
  expect_exactly(s, "/api/v1/persons?country=KR&category=worker", kr.b, kr.c, NULL);
  json_t *students = h_list_all(s, h_as(s, H_ADMIN), "/api/v1/persons?category=student", 500);
  assert_true(h_has_id(students, kr.a));
  assert_false(h_has_id(students, kr.b));
  assert_false(h_has_id(students, kr.c));
}

static void persons_list_filters_by_status(void **state) {
  h_server_t *s = *state;
  korea(s);
  expect_exactly(s, "/api/v1/persons?country=KR&status=injured", kr.b, NULL);
  json_t *injured = h_list_all(s, h_as(s, H_ADMIN), "/api/v1/persons?status=injured", 500);
  assert_true(h_has_id(injured, kr.b));
  size_t i;
  json_t *p;
  json_array_foreach(injured, i, p) assert_string_equal(h_gets(p, "status"), "injured");
}

static void persons_list_filters_by_q(void **state) {
  h_server_t *s = *state;
  korea(s);
  expect_exactly(s, "/api/v1/persons?q=kim%20korea", kr.a, kr.b, kr.c, NULL);
  expect_exactly(s, "/api/v1/persons?q=korea%20hai", kr.b, NULL);
}

static void persons_list_combines_every_filter(void **state) {
  h_server_t *s = *state;
  korea(s);
  expect_exactly(s, "/api/v1/persons?q=kim&country=KR&region=KR-11&category=worker&status=safe",
                 kr.c, NULL);
  expect_exactly(s, "/api/v1/persons?country=KR&region=KR-26&status=safe", NULL);
}

static void persons_list_pages_until_next_is_null_without_duplicates_or_gaps(void **state) {
  h_server_t *s = *state;
  const h_auth_t *admin = h_as(s, H_ADMIN);
  /* Small pages and one big page give the same people in the same order. */
  json_t *small = h_list_all(s, admin, "/api/v1/persons", 7);
  json_t *big = h_list_all(s, admin, "/api/v1/persons", 500);
  assert_true(json_array_size(small) >= 510); /* the demo's 320 + 166 + 24 */
  assert_int_equal(json_array_size(small), json_array_size(big));
  for (size_t i = 0; i < json_array_size(small); i++) {
    assert_string_equal(h_gets(json_array_get(small, i), "id"),
                        h_gets(json_array_get(big, i), "id"));
  }
  /* Everyone the statistics count in Myanmar comes back exactly once. */
  h_resp_t *st = h_call(s, admin, "GET", NULL, "/api/v1/stats/persons");
  EXPECT_STATUS(s, st, 200);
  json_int_t in_mm = 0;
  const char *k;
  json_t *v;
  json_object_foreach(h_get(st->json, "by_country.MM"), k, v) in_mm += json_integer_value(v);
  assert_true(in_mm >= 166);
  json_t *mm = h_list_all(s, admin, "/api/v1/persons?country=MM", 9);
  assert_int_equal(json_array_size(mm), in_mm);
}

static void presences_list_create_and_update(void **state) {
  h_server_t *s = *state;
  const h_auth_t *il = h_as(s, H_ISRAEL);
  h_resp_t *c = h_create_person(s, il, h_person_json("Phan Văn Đi", "IL", "IL-TA", "tourist"));
  const char *id = h_gets(c->json, "id");
  const char *first = h_gets(c->json, "presences[0].id");
  h_resp_t *n = h_call(s, il, "POST",
                       "{\"country\":\"PS\",\"city\":\"Bethlehem\",\"category\":\"tourist\","
                       "\"from\":\"2023-10-01\",\"until\":\"2023-10-05\",\"group_id\":\"tour-7\"}",
                       "/api/v1/persons/%s/presences", id);
  EXPECT_STATUS(s, n, 201);
  const char *second = h_gets(n->json, "id");
  assert_string_equal(h_gets(n->json, "country"), "PS");
  assert_string_equal(h_gets(n->json, "group_id"), "tour-7");
  h_resp_t *u = h_call(s, il, "PATCH", "{\"until\":\"2023-10-09\",\"city\":\"Jericho\"}",
                       "/api/v1/persons/%s/presences/%s", id, second);
  EXPECT_STATUS(s, u, 200);
  assert_string_equal(h_gets(u->json, "until"), "2023-10-09");
  assert_string_equal(h_gets(u->json, "from"), "2023-10-01");
  h_resp_t *l = h_call(s, il, "GET", NULL, "/api/v1/persons/%s/presences", id);
  EXPECT_STATUS(s, l, 200);
  json_t *items = h_get(l->json, "items");
  assert_int_equal(json_array_size(items), 2);
  assert_string_equal(h_gets(items, "[0].id"), first);
  assert_string_equal(h_gets(items, "[1].id"), second);
  assert_string_equal(h_gets(items, "[1].city"), "Jericho");
}

static void presences_update_of_another_persons_presence_is_404(void **state) {
  h_server_t *s = *state;
  const h_auth_t *admin = h_as(s, H_ADMIN);
  h_resp_t *a = h_create_person(s, admin, h_person_json("Người Một", "IL", NULL, "worker"));
  h_resp_t *b = h_create_person(s, admin, h_person_json("Người Hai", "IL", NULL, "worker"));
  EXPECT_ERROR(s,
               h_call(s, admin, "PATCH", "{\"city\":\"Eilat\"}", "/api/v1/persons/%s/presences/%s",
                      h_gets(a->json, "id"), h_gets(b->json, "presences[0].id")),
               404, "not_found", NULL);
}

static void status_set_then_get_keeps_history_in_order(void **state) {
  h_server_t *s = *state;
  const h_auth_t *il = h_as(s, H_ISRAEL);
  h_resp_t *c = h_create_person(s, il, h_person_json("Mai Thị Trạng", "IL", "IL-D", "worker"));
  const char *id = h_gets(c->json, "id");
  const char *steps[] = {"needs_assistance", "evacuated", "safe", "repatriated"};
  for (size_t i = 0; i < 4; i++) {
    h_resp_t *r = h_call(s, il, "POST",
                         h_str("{\"status\":\"%s\",\"note\":\"step %zu\\nline two\"}", steps[i], i),
                         "/api/v1/persons/%s/status", id);
    EXPECT_STATUS(s, r, 201);
    assert_string_equal(h_gets(r->json, "status"), steps[i]);
  }
  h_resp_t *g = h_call(s, h_as(s, H_HQ), "GET", NULL, "/api/v1/persons/%s/status", id);
  EXPECT_STATUS(s, g, 200);
  assert_string_equal(h_gets(g->json, "status"), "repatriated");
  assert_non_null(h_gets(g->json, "at"));
  json_t *hist = h_get(g->json, "history");
  assert_int_equal(json_array_size(hist), 4);
  h_resp_t *me = h_call(s, il, "GET", NULL, "/api/v1/session");
  for (size_t i = 0; i < 4; i++) {
    json_t *e = json_array_get(hist, i);
    assert_string_equal(h_gets(e, "status"), steps[i]);
    assert_string_equal(h_gets(e, "note"), h_str("step %zu\nline two", i));
    assert_string_equal(h_gets(e, "author"), h_gets(me->json, "user.id"));
    assert_string_equal(h_gets(e, "source"), "officer");
  }
  h_resp_t *p = h_call(s, il, "GET", NULL, "/api/v1/persons/%s", id);
  assert_string_equal(h_gets(p->json, "status"), "repatriated");
}

static void stats_count_persons_by_country_and_status(void **state) {
  h_server_t *s = *state;
  const h_auth_t *admin = h_as(s, H_ADMIN);
  h_resp_t *before = h_call(s, h_as(s, H_VIEWER), "GET", NULL, "/api/v1/stats/persons");
  EXPECT_STATUS(s, before, 200);
  assert_true(json_integer_value(h_get(before->json, "by_country.IL.safe")) > 0);
  assert_null(h_get(before->json, "by_country.TH"));
  h_resp_t *c = h_create_person(s, admin, h_person_json("Lò Văn Thái", "TH", "TH-10", "worker"));
  h_create_person(s, admin, h_person_json("Lò Thị Thái", "TH", NULL, "worker"));
  EXPECT_STATUS(s,
                h_call(s, admin, "POST", "{\"status\":\"missing\"}", "/api/v1/persons/%s/status",
                       h_gets(c->json, "id")),
                201);
  h_resp_t *after = h_call(s, h_as(s, H_VIEWER), "GET", NULL, "/api/v1/stats/persons");
  EXPECT_STATUS(s, after, 200);
  assert_int_equal(json_integer_value(h_get(after->json, "by_country.TH.missing")), 1);
  assert_int_equal(json_integer_value(h_get(after->json, "by_country.TH.unknown")), 1);
}

int api_persons_tests(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(persons_create_with_presence_returns_201_with_it),
      cmocka_unit_test(persons_create_names_are_stored_nfc),
      cmocka_unit_test(persons_create_by_officer_without_presence_is_422),
      cmocka_unit_test(persons_create_by_officer_outside_jurisdiction_is_403),
      cmocka_unit_test(persons_get_returns_the_record_and_presences),
      cmocka_unit_test(persons_get_with_unknown_id_is_404),
      cmocka_unit_test(persons_update_changes_given_fields_and_keeps_others),
      cmocka_unit_test(persons_update_with_null_clears_a_field),
      cmocka_unit_test(persons_list_filters_by_country),
      cmocka_unit_test(persons_list_filters_by_region),
      cmocka_unit_test(persons_list_filters_by_category),
      cmocka_unit_test(persons_list_filters_by_status),
      cmocka_unit_test(persons_list_filters_by_q),
      cmocka_unit_test(persons_list_combines_every_filter),
      cmocka_unit_test(persons_list_pages_until_next_is_null_without_duplicates_or_gaps),
      cmocka_unit_test(presences_list_create_and_update),
      cmocka_unit_test(presences_update_of_another_persons_presence_is_404),
      cmocka_unit_test(status_set_then_get_keeps_history_in_order),
      cmocka_unit_test(stats_count_persons_by_country_and_status),
  };
  return cmocka_run_group_tests_name("persons", tests, h_group_setup, h_group_teardown);
}
