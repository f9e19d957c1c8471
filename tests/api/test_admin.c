/* test_admin.c - missions, users (officers) and the audit log. */
#include <string.h>

#include "harness.h"

static void missions_list_shows_the_demo_missions(void **state) {
  h_server_t *s = *state;
  h_resp_t *r = h_call(s, h_as(s, H_VIEWER), "GET", NULL, "/api/v1/missions");
  EXPECT_STATUS(s, r, 200);
  json_t *items = h_get(r->json, "items");
  assert_true(json_array_size(items) >= 4);
  assert_true(json_is_null(h_get(r->json, "next")));
  int israel = 0;
  size_t i;
  json_t *m;
  json_array_foreach(items, i, m) {
    if (strcmp(h_gets(m, "country"), "IL") == 0) {
      israel = 1;
      assert_string_equal(h_gets(m, "jurisdiction[0]"), "IL");
    }
  }
  assert_true(israel);
}

static void missions_list_pages_with_limit_and_after(void **state) {
  h_server_t *s = *state;
  h_resp_t *p1 = h_call(s, h_as(s, H_HQ), "GET", NULL, "/api/v1/missions?limit=2");
  EXPECT_STATUS(s, p1, 200);
  assert_int_equal(json_array_size(h_get(p1->json, "items")), 2);
  const char *next = h_gets(p1->json, "next");
  assert_non_null(next);
  h_resp_t *p2 = h_call(s, h_as(s, H_HQ), "GET", NULL, "/api/v1/missions?limit=2&after=%s", next);
  EXPECT_STATUS(s, p2, 200);
  assert_true(json_array_size(h_get(p2->json, "items")) >= 1);
  assert_string_not_equal(h_gets(p1->json, "items[0].id"), h_gets(p2->json, "items[0].id"));
  assert_string_not_equal(h_gets(p1->json, "items[1].id"), h_gets(p2->json, "items[0].id"));
}

static void missions_create_get_and_update(void **state) {
  h_server_t *s = *state;
  const h_auth_t *admin = h_as(s, H_ADMIN);
  h_resp_t *c = h_call(s, admin, "POST",
                       "{\"kind\":\"embassy\",\"name\":\"Đại sứ quán Việt Nam tại Nhật Bản\","
                       "\"city\":\"Tokyo\",\"country\":\"JP\",\"jurisdiction\":[\"JP\"],"
                       "\"hotline\":\"+81 3 0000 0000\",\"email\":\"japan@example.org\","
                       "\"timezone\":\"Asia/Tokyo\"}",
                       "/api/v1/missions");
  EXPECT_STATUS(s, c, 201);
  const char *id = h_gets(c->json, "id");
  assert_non_null(id);
  assert_string_equal(h_gets(c->json, "name"), "Đại sứ quán Việt Nam tại Nhật Bản");
  h_resp_t *g = h_call(s, h_as(s, H_ISRAEL), "GET", NULL, "/api/v1/missions/%s", id);
  EXPECT_STATUS(s, g, 200);
  assert_string_equal(h_gets(g->json, "city"), "Tokyo");
  assert_string_equal(h_gets(g->json, "jurisdiction[0]"), "JP");
  h_resp_t *u = h_call(s, admin, "PATCH", "{\"city\":\"Osaka\",\"jurisdiction\":[\"JP\",\"KR\"]}",
                       "/api/v1/missions/%s", id);
  EXPECT_STATUS(s, u, 200);
  g = h_call(s, admin, "GET", NULL, "/api/v1/missions/%s", id);
  EXPECT_STATUS(s, g, 200);
  assert_string_equal(h_gets(g->json, "city"), "Osaka");
  assert_string_equal(h_gets(g->json, "jurisdiction[1]"), "KR");
  assert_string_equal(h_gets(g->json, "hotline"), "+81 3 0000 0000");
}

static void missions_get_with_unknown_id_is_404(void **state) {
  h_server_t *s = *state;
  EXPECT_ERROR(s, h_call(s, h_as(s, H_ADMIN), "GET", NULL, "/api/v1/missions/zzzzzzzzzzzzz"), 404,
               "not_found", NULL);
}

/* The id of the first mission whose country is cc. */
static const char *mission_id(h_server_t *s, const char *cc) {
  h_resp_t *r = h_call(s, h_as(s, H_ADMIN), "GET", NULL, "/api/v1/missions?limit=500");
  EXPECT_STATUS(s, r, 200);
  size_t i;
  json_t *m;
  json_array_foreach(h_get(r->json, "items"), i, m) {
    if (strcmp(h_gets(m, "country"), cc) == 0) return h_gets(m, "id");
  }
  fail_msg("no mission in %s", cc);
  return NULL;
}

static void users_create_get_list_and_update(void **state) {
  h_server_t *s = *state;
  const h_auth_t *admin = h_as(s, H_ADMIN);
  const char *mm = mission_id(s, "MM");
  h_resp_t *c = h_call(s, admin, "POST",
                       h_str("{\"email\":\"new.officer@baoho.example\",\"name\":\"Võ Thị Sáu\","
                             "\"role\":\"officer\",\"mission\":\"%s\","
                             "\"password\":\"new-officer-pass\"}",
                             mm),
                       "/api/v1/users");
  EXPECT_STATUS(s, c, 201);
  const char *id = h_gets(c->json, "id");
  assert_non_null(id);
  assert_string_equal(h_gets(c->json, "mission"), mm);
  assert_null(h_get(c->json, "password"));
  h_resp_t *g = h_call(s, admin, "GET", NULL, "/api/v1/users/%s", id);
  EXPECT_STATUS(s, g, 200);
  assert_string_equal(h_gets(g->json, "name"), "Võ Thị Sáu");
  assert_string_equal(h_gets(g->json, "role"), "officer");

  h_resp_t *l = h_call(s, admin, "GET", NULL, "/api/v1/users?limit=500");
  EXPECT_STATUS(s, l, 200);
  int seen = 0;
  size_t i;
  json_t *u;
  json_array_foreach(h_get(l->json, "items"), i, u) {
    if (strcmp(h_gets(u, "id"), id) == 0) seen = 1;
  }
  assert_true(seen);

  h_resp_t *p =
      h_call(s, admin, "PATCH", "{\"name\":\"Võ Thị Sáu (ĐSQ Myanmar)\",\"role\":\"viewer\"}",
             "/api/v1/users/%s", id);
  EXPECT_STATUS(s, p, 200);
  assert_string_equal(h_gets(p->json, "role"), "viewer");
  h_auth_t a;
  h_login(s, "new.officer@baoho.example", "new-officer-pass", &a);
  /* Now a viewer: no personal data. */
  EXPECT_ERROR(s, h_call(s, &a, "GET", NULL, "/api/v1/persons"), 403, "forbidden", NULL);
}

static void users_create_with_duplicate_email_is_409(void **state) {
  h_server_t *s = *state;
  EXPECT_ERROR(s,
               h_call(s, h_as(s, H_ADMIN), "POST",
                      "{\"email\":\"hq@baoho.example\",\"name\":\"Second HQ\",\"role\":\"hq\"}",
                      "/api/v1/users"),
               409, "conflict", "email");
}

static void users_create_officer_without_mission_is_422(void **state) {
  h_server_t *s = *state;
  EXPECT_ERROR(s,
               h_call(s, h_as(s, H_ADMIN), "POST",
                      "{\"email\":\"lost@baoho.example\",\"name\":\"No Mission\","
                      "\"role\":\"officer\"}",
                      "/api/v1/users"),
               422, "validation_failed", "mission");
  EXPECT_ERROR(s,
               h_call(s, h_as(s, H_ADMIN), "POST",
                      "{\"email\":\"lost@baoho.example\",\"name\":\"No Mission\","
                      "\"role\":\"officer\",\"mission\":\"zzzzzzzzzzzzz\"}",
                      "/api/v1/users"),
               422, "validation_failed", "mission");
}

static void disabling_a_user_ends_their_access(void **state) {
  h_server_t *s = *state;
  const h_auth_t *admin = h_as(s, H_ADMIN);
  h_resp_t *c = h_call(s, admin, "POST",
                       "{\"email\":\"leaver@baoho.example\",\"name\":\"Leaver\",\"role\":\"hq\","
                       "\"password\":\"leaver-password\"}",
                       "/api/v1/users");
  EXPECT_STATUS(s, c, 201);
  const char *id = h_gets(c->json, "id");
  h_auth_t session, token;
  h_login(s, "leaver@baoho.example", "leaver-password", &session);
  h_token(s, &session, &token);
  EXPECT_STATUS(s, h_call(s, &session, "GET", NULL, "/api/v1/persons?limit=1"), 200);
  EXPECT_STATUS(s, h_call(s, &token, "GET", NULL, "/api/v1/persons?limit=1"), 200);

  h_resp_t *d = h_call(s, admin, "PATCH", "{\"disabled\":true}", "/api/v1/users/%s", id);
  EXPECT_STATUS(s, d, 200);
  assert_true(json_is_true(h_get(d->json, "disabled")));
  EXPECT_ERROR(s, h_call(s, &session, "GET", NULL, "/api/v1/persons?limit=1"), 401,
               "unauthenticated", NULL);
  EXPECT_ERROR(s, h_call(s, &token, "GET", NULL, "/api/v1/persons?limit=1"), 401, "unauthenticated",
               NULL);
  EXPECT_ERROR(s,
               h_call(s, NULL, "POST",
                      "{\"email\":\"leaver@baoho.example\",\"password\":\"leaver-password\"}",
                      "/api/v1/session"),
               401, "unauthenticated", NULL);
}

static void audit_lists_entries_with_paging_for_admin(void **state) {
  h_server_t *s = *state;
  h_resp_t *r = h_call(s, h_as(s, H_ADMIN), "GET", NULL, "/api/v1/audit?limit=5");
  EXPECT_STATUS(s, r, 200);
  json_t *items = h_get(r->json, "items");
  assert_true(json_array_size(items) >= 1);
  assert_non_null(h_gets(items, "[0].action"));
  assert_non_null(h_gets(items, "[0].at"));
  if (json_array_size(items) == 5) {
    const char *next = h_gets(r->json, "next");
    assert_non_null(next);
    EXPECT_STATUS(
        s, h_call(s, h_as(s, H_ADMIN), "GET", NULL, "/api/v1/audit?limit=5&after=%s", next), 200);
  }
}

static void audit_is_for_admin_only(void **state) {
  h_server_t *s = *state;
  EXPECT_ERROR(s, h_call(s, h_as(s, H_HQ), "GET", NULL, "/api/v1/audit"), 403, "forbidden", NULL);
  EXPECT_ERROR(s, h_call(s, h_as(s, H_ISRAEL), "GET", NULL, "/api/v1/audit"), 403, "forbidden",
               NULL);
  EXPECT_ERROR(s, h_call(s, NULL, "GET", NULL, "/api/v1/audit"), 401, "unauthenticated", NULL);
}

static void a_person_read_appears_in_the_audit_log(void **state) {
  h_server_t *s = *state;
  h_resp_t *p =
      h_create_person(s, h_as(s, H_ADMIN), h_person_json("Audit Subject", "IL", "IL-TA", "worker"));
  const char *pid = h_gets(p->json, "id");
  EXPECT_STATUS(s, h_call(s, h_as(s, H_ISRAEL), "GET", NULL, "/api/v1/persons/%s", pid), 200);
  h_resp_t *me = h_call(s, h_as(s, H_ISRAEL), "GET", NULL, "/api/v1/session");
  const char *officer = h_gets(me->json, "user.id");
  h_resp_t *a = h_call(s, h_as(s, H_ADMIN), "GET", NULL, "/api/v1/audit?person=%s&limit=500", pid);
  EXPECT_STATUS(s, a, 200);
  int read_by_officer = 0, created = 0;
  size_t i;
  json_t *e;
  json_array_foreach(h_get(a->json, "items"), i, e) {
    assert_string_equal(h_gets(e, "object_id"), pid);
    if (strcmp(h_gets(e, "action"), "person.read") == 0 && h_gets(e, "user") &&
        strcmp(h_gets(e, "user"), officer) == 0) {
      read_by_officer = 1;
    }
    if (strcmp(h_gets(e, "action"), "person.create") == 0) created = 1;
  }
  assert_true(read_by_officer);
  assert_true(created);
}

int api_admin_tests(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(missions_list_shows_the_demo_missions),
      cmocka_unit_test(missions_list_pages_with_limit_and_after),
      cmocka_unit_test(missions_create_get_and_update),
      cmocka_unit_test(missions_get_with_unknown_id_is_404),
      cmocka_unit_test(users_create_get_list_and_update),
      cmocka_unit_test(users_create_with_duplicate_email_is_409),
      cmocka_unit_test(users_create_officer_without_mission_is_422),
      cmocka_unit_test(disabling_a_user_ends_their_access),
      cmocka_unit_test(audit_lists_entries_with_paging_for_admin),
      cmocka_unit_test(audit_is_for_admin_only),
      cmocka_unit_test(a_person_read_appears_in_the_audit_log),
  };
  return cmocka_run_group_tests_name("admin", tests, h_group_setup, h_group_teardown);
}
