/*
 * test_officers.c - GET /api/v1/missions/{id}/officers, the colleagues a case may be assigned
 * to: only the enabled users of the mission who may hold a case (no viewer, no disabled
 * account), each with an id, a name and a role and nothing else (no e-mail); any mission for
 * admin and hq, only their own for an officer (another mission answers exactly like one that
 * does not exist), refused to viewers; paged like every list; every enabled hq user (the
 * Consular Department, with or without a mission) offered to every mission; and the ids listed
 * are accepted by the case assignment.
 */
#include <string.h>

#include "domain/secret.h"
#include "harness.h"

/* The fixtures: the demo's Israel and Myanmar missions, and the accounts added to Israel. */
static struct {
  const char *il_mission, *mm_mission;
  const char *colleague, *viewer, *disabled;
} of;

/* The id of the demo mission in country, found through the missions list. */
static const char *mission_in(h_server_t *s, const char *country) {
  h_resp_t *r = h_call(s, h_as(s, H_ADMIN), "GET", NULL, "/api/v1/missions?limit=500");
  EXPECT_STATUS(s, r, 200);
  size_t i;
  json_t *m;
  json_array_foreach(h_get(r->json, "items"), i, m) {
    if (strcmp(h_gets(m, "country"), country) == 0) return h_str("%s", h_gets(m, "id"));
  }
  fail_msg("no demo mission in %s", country);
  return NULL;
}

/* Creates a user of mission (NULL: none) as admin; returns its id. */
static const char *new_user(h_server_t *s, const char *email, const char *name, const char *role,
                            const char *mission) {
  h_resp_t *r = h_call(
      s, h_as(s, H_ADMIN), "POST",
      mission ? h_str("{\"email\":\"%s\",\"name\":\"%s\",\"role\":\"%s\",\"mission\":\"%s\"}",
                      email, name, role, mission)
              : h_str("{\"email\":\"%s\",\"name\":\"%s\",\"role\":\"%s\"}", email, name, role),
      "/api/v1/users");
  EXPECT_STATUS(s, r, 201);
  return h_str("%s", h_gets(r->json, "id"));
}

static int of_setup(void **state) {
  if (h_group_setup(state) != 0) return -1;
  h_server_t *s = *state;
  of.il_mission = mission_in(s, "IL");
  of.mm_mission = mission_in(s, "MM");
  of.colleague = new_user(s, "dong.nghiep@baoho.example", "Đỗ Văn Đồng (ĐSQ Israel)", "officer",
                          of.il_mission);
  of.viewer = new_user(s, "xem.israel@baoho.example", "Người xem Israel", "viewer", of.il_mission);
  of.disabled = new_user(s, "nghi.viec@baoho.example", "Cán bộ đã nghỉ", "officer", of.il_mission);
  EXPECT_STATUS(s,
                h_call(s, h_as(s, H_ADMIN), "PATCH", "{\"disabled\":true}", "/api/v1/users/%s",
                       of.disabled),
                200);
  return 0;
}

/* The item of items whose name is name, or NULL. */
static json_t *item_named(const json_t *items, const char *name) {
  size_t i;
  json_t *v;
  json_array_foreach(items, i, v) {
    if (strcmp(h_gets(v, "name"), name) == 0) return v;
  }
  return NULL;
}

static void officers_of_own_mission_lists_enabled_colleagues_only(void **state) {
  h_server_t *s = *state;
  h_resp_t *r =
      h_call(s, h_as(s, H_ISRAEL), "GET", NULL, "/api/v1/missions/%s/officers", of.il_mission);
  EXPECT_STATUS(s, r, 200);
  json_t *items = h_get(r->json, "items");
  assert_non_null(item_named(items, "Trần Văn Minh (ĐSQ Israel)"));
  json_t *colleague = item_named(items, "Đỗ Văn Đồng (ĐSQ Israel)");
  assert_non_null(colleague);
  assert_string_equal(h_gets(colleague, "id"), of.colleague);
  assert_string_equal(h_gets(colleague, "role"), "officer");
  assert_false(h_has_id(items, of.viewer));
  assert_false(h_has_id(items, of.disabled));
  /* Officers of other missions are not listed. */
  assert_null(item_named(items, "Lê Thu Hà (ĐSQ Myanmar)"));
  assert_true(json_is_null(h_get(r->json, "next")));
}

static void officers_items_carry_id_name_and_role_only(void **state) {
  h_server_t *s = *state;
  h_resp_t *r =
      h_call(s, h_as(s, H_HQ), "GET", NULL, "/api/v1/missions/%s/officers", of.il_mission);
  EXPECT_STATUS(s, r, 200);
  json_t *items = h_get(r->json, "items");
  assert_true(json_array_size(items) >= 2);
  size_t i;
  json_t *v;
  json_array_foreach(items, i, v) {
    assert_int_equal(json_object_size(v), 3);
    assert_non_null(h_gets(v, "id"));
    assert_non_null(h_gets(v, "name"));
    assert_non_null(h_gets(v, "role"));
  }
  assert_null(strstr(r->body, "@baoho.example"));
  assert_null(strstr(r->body, "email"));
}

static void officers_of_another_mission_is_404_like_a_missing_one(void **state) {
  h_server_t *s = *state;
  h_resp_t *other =
      h_call(s, h_as(s, H_ISRAEL), "GET", NULL, "/api/v1/missions/%s/officers", of.mm_mission);
  EXPECT_ERROR(s, other, 404, "not_found", NULL);
  h_resp_t *missing = h_call(s, h_as(s, H_ISRAEL), "GET", NULL, "/api/v1/missions/%s/officers",
                             h_pubid(s, PUBID_MISSION, 999999));
  EXPECT_ERROR(s, missing, 404, "not_found", NULL);
  assert_string_equal(other->body, missing->body);
  /* The same for the other officer, the other way round. */
  EXPECT_ERROR(s,
               h_call(s, h_as(s, H_MYANMAR), "GET", NULL, "/api/v1/missions/%s/officers",
                      of.il_mission),
               404, "not_found", NULL);
  /* Not an id at all. */
  EXPECT_ERROR(s,
               h_call(s, h_as(s, H_ADMIN), "GET", NULL, "/api/v1/missions/nonsense/officers"),
               404, "not_found", NULL);
}

static void officers_of_any_mission_for_admin_and_hq(void **state) {
  h_server_t *s = *state;
  for (int who = H_ADMIN; who <= H_HQ; who++) {
    h_resp_t *r = h_call(s, h_as(s, (enum h_who)who), "GET", NULL,
                         "/api/v1/missions/%s/officers", of.mm_mission);
    EXPECT_STATUS(s, r, 200);
    assert_non_null(item_named(h_get(r->json, "items"), "Lê Thu Hà (ĐSQ Myanmar)"));
  }
  /* A mission without anyone who may hold a case lists only the hq users, who may hold any. */
  h_resp_t *m = h_call(s, h_as(s, H_ADMIN), "POST",
                       "{\"kind\":\"embassy\",\"name\":\"Đại sứ quán trống\",\"country\":\"JP\"}",
                       "/api/v1/missions");
  EXPECT_STATUS(s, m, 201);
  h_resp_t *r = h_call(s, h_as(s, H_HQ), "GET", NULL, "/api/v1/missions/%s/officers",
                       h_gets(m->json, "id"));
  EXPECT_STATUS(s, r, 200);
  size_t i;
  json_t *v;
  json_array_foreach(h_get(r->json, "items"), i, v) assert_string_equal(h_gets(v, "role"), "hq");
}

/* The items of items whose role is not hq. */
static size_t not_hq(const json_t *items) {
  size_t i, n = 0;
  json_t *v;
  json_array_foreach(items, i, v) n += strcmp(h_gets(v, "role"), "hq") != 0;
  return n;
}

static void officers_list_offers_every_enabled_hq_user_to_every_mission(void **state) {
  h_server_t *s = *state;
  const char *hq = new_user(s, "cuc.lanh.su@baoho.example", "Phạm Minh Cục (Cục Lãnh sự)", "hq", NULL);
  const char *hq_mm =
      new_user(s, "hq.myanmar@baoho.example", "Vũ Hồng (Cục Lãnh sự, Myanmar)", "hq", of.mm_mission);
  const char *gone = new_user(s, "hq.cu@baoho.example", "Cục Lãnh sự đã nghỉ", "hq", NULL);
  EXPECT_STATUS(s,
                h_call(s, h_as(s, H_ADMIN), "PATCH", "{\"disabled\":true}", "/api/v1/users/%s", gone),
                200);
  /* An officer of Israel sees them in the list of their own mission. */
  json_t *items =
      h_list_all(s, h_as(s, H_ISRAEL), h_str("/api/v1/missions/%s/officers", of.il_mission), 50);
  assert_true(h_has_id(items, hq));
  assert_true(h_has_id(items, hq_mm));
  assert_false(h_has_id(items, gone));
  json_t *v = item_named(items, "Phạm Minh Cục (Cục Lãnh sự)");
  assert_non_null(v);
  assert_string_equal(h_gets(v, "role"), "hq");
  /* The officers of Myanmar are still not offered to Israel. */
  assert_null(item_named(items, "Lê Thu Hà (ĐSQ Myanmar)"));
}

static void officers_refused_to_viewer_and_anonymous(void **state) {
  h_server_t *s = *state;
  EXPECT_ERROR(s,
               h_call(s, h_as(s, H_VIEWER), "GET", NULL, "/api/v1/missions/%s/officers",
                      of.il_mission),
               403, "forbidden", NULL);
  EXPECT_ERROR(s, h_call(s, NULL, "GET", NULL, "/api/v1/missions/%s/officers", of.il_mission),
               401, "unauthenticated", NULL);
}

static void officers_list_is_paged_and_limited(void **state) {
  h_server_t *s = *state;
  const char *kunming = mission_in(s, "CN");
  for (int i = 0; i < 4; i++) {
    new_user(s, h_str("con.minh.%d@baoho.example", i), h_str("Cán bộ Côn Minh %d", i), "officer",
             kunming);
  }
  /* The demo's Kunming officer and the four new ones, one page at a time. */
  json_t *all = h_list_all(s, h_as(s, H_HQ), h_str("/api/v1/missions/%s/officers", kunming), 2);
  assert_int_equal(not_hq(all), 5);
  h_resp_t *first =
      h_call(s, h_as(s, H_HQ), "GET", NULL, "/api/v1/missions/%s/officers?limit=2", kunming);
  EXPECT_STATUS(s, first, 200);
  assert_int_equal(json_array_size(h_get(first->json, "items")), 2);
  assert_non_null(h_gets(first->json, "next"));
  EXPECT_ERROR(s,
               h_call(s, h_as(s, H_HQ), "GET", NULL, "/api/v1/missions/%s/officers?limit=501",
                      kunming),
               422, "validation_failed", "limit");
  EXPECT_ERROR(s,
               h_call(s, h_as(s, H_HQ), "GET", NULL, "/api/v1/missions/%s/officers?after=zz",
                      kunming),
               422, "validation_failed", "after");
}

static void officers_listed_are_accepted_by_the_case_assignment(void **state) {
  h_server_t *s = *state;
  h_resp_t *k = h_call(s, h_as(s, H_ISRAEL), "POST",
                       "{\"type\":\"other\",\"summary\":\"Giao cho đồng nghiệp\","
                       "\"caller\":{\"name\":\"Người gọi\"}}",
                       "/api/v1/cases");
  EXPECT_STATUS(s, k, 201);
  const char *id = h_str("%s", h_gets(k->json, "id"));
  h_resp_t *r =
      h_call(s, h_as(s, H_ISRAEL), "GET", NULL, "/api/v1/missions/%s/officers", of.il_mission);
  EXPECT_STATUS(s, r, 200);
  size_t i;
  json_t *v;
  json_array_foreach(h_get(r->json, "items"), i, v) {
    h_resp_t *a = h_call(s, h_as(s, H_ISRAEL), "PATCH",
                         h_str("{\"assigned_to\":\"%s\"}", h_gets(v, "id")), "/api/v1/cases/%s",
                         id);
    EXPECT_STATUS(s, a, 200);
    assert_string_equal(h_gets(a->json, "assigned_to"), h_gets(v, "id"));
  }
  /* The viewer of the mission, who is not listed, is refused. */
  EXPECT_ERROR(s,
               h_call(s, h_as(s, H_ISRAEL), "PATCH", h_str("{\"assigned_to\":\"%s\"}", of.viewer),
                      "/api/v1/cases/%s", id),
               422, "validation_failed", "assigned_to");
}

int api_officers_tests(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(officers_of_own_mission_lists_enabled_colleagues_only),
      cmocka_unit_test(officers_items_carry_id_name_and_role_only),
      cmocka_unit_test(officers_of_another_mission_is_404_like_a_missing_one),
      cmocka_unit_test(officers_of_any_mission_for_admin_and_hq),
      cmocka_unit_test(officers_refused_to_viewer_and_anonymous),
      cmocka_unit_test(officers_list_is_paged_and_limited),
      cmocka_unit_test(officers_list_offers_every_enabled_hq_user_to_every_mission),
      cmocka_unit_test(officers_listed_are_accepted_by_the_case_assignment),
  };
  return cmocka_run_group_tests_name("officers", tests, of_setup, h_group_teardown);
}
