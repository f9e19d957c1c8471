/*
 * test_public.c - what citizens use without login: self-registration (create, then the private
 * manage link to read, update and close the registration; a closed or made-up link is 404), and
 * the published history of a travel advisory (newest first, paged, public fields only).
 */
#include <stdio.h>
#include <string.h>

#include "domain/secret.h"
#include "harness.h"

#define CITIZEN                                                                   \
  "{\"person\":{\"full_name\":\"Lương Thị Du "                                \
  "Lịch\",\"sex\":\"F\",\"date_of_birth\":\"1995-07-20\","                      \
  "\"passport\":\"P2468013\",\"phones\":[\"+84 91 234 "                           \
  "5678\"],\"emails\":[\"du.lich@example.org\"]},"                                \
  "\"presence\":{\"country\":\"IL\",\"region\":\"IL-JM\",\"city\":\"Jerusalem\"," \
  "\"category\":\"tourist\",\"from\":\"2023-10-01\",\"until\":\"2023-10-14\"}}"

static const char *register_citizen(h_server_t *s) {
  h_resp_t *r = h_call(s, NULL, "POST", CITIZEN, "/api/v1/public/registrations");
  EXPECT_STATUS(s, r, 201);
  const char *token = h_gets(r->json, "manage_token");
  assert_non_null(token);
  assert_int_equal(strlen(token), 43);
  const char *url = h_gets(r->json, "manage_url");
  assert_non_null(url);
  assert_non_null(strstr(url, token));
  return token;
}

static void registration_create_returns_a_private_manage_link(void **state) {
  h_server_t *s = *state;
  const char *a = register_citizen(s);
  const char *b = register_citizen(s);
  assert_string_not_equal(a, b);
}

static void registration_get_shows_the_citizen_their_record(void **state) {
  h_server_t *s = *state;
  const char *token = register_citizen(s);
  h_resp_t *g = h_call(s, NULL, "GET", NULL, "/api/v1/public/registrations/%s", token);
  EXPECT_STATUS(s, g, 200);
  assert_string_equal(h_gets(g->json, "person.full_name"), "Lương Thị Du Lịch");
  assert_string_equal(h_gets(g->json, "person.passport"), "P2468013");
  assert_string_equal(h_gets(g->json, "presence.city"), "Jerusalem");
  assert_string_equal(h_gets(g->json, "presence.until"), "2023-10-14");
  /* Not the ministry's internal fields. */
  assert_null(h_get(g->json, "person.owner_mission"));
  assert_null(h_get(g->json, "person.source"));
}

static void registration_update_changes_contacts_and_trip(void **state) {
  h_server_t *s = *state;
  const char *token = register_citizen(s);
  h_resp_t *u =
      h_call(s, NULL, "PATCH",
             "{\"phones\":[\"+972 54 000 1111\"],\"city\":\"Haifa\",\"until\":\"2023-10-20\"}",
             "/api/v1/public/registrations/%s", token);
  EXPECT_STATUS(s, u, 200);
  h_resp_t *g = h_call(s, NULL, "GET", NULL, "/api/v1/public/registrations/%s", token);
  EXPECT_STATUS(s, g, 200);
  assert_string_equal(h_gets(g->json, "person.phones[0]"), "+972 54 000 1111");
  assert_string_equal(h_gets(g->json, "person.emails[0]"), "du.lich@example.org");
  assert_string_equal(h_gets(g->json, "presence.city"), "Haifa");
  assert_string_equal(h_gets(g->json, "presence.until"), "2023-10-20");
  assert_string_equal(h_gets(g->json, "presence.from"), "2023-10-01");
  /* Only contact and trip fields may change through the link. */
  EXPECT_ERROR(s,
               h_call(s, NULL, "PATCH", "{\"full_name\":\"Someone Else\"}",
                      "/api/v1/public/registrations/%s", token),
               422, "validation_failed", "full_name");
  EXPECT_ERROR(s,
               h_call(s, NULL, "PATCH", "{\"until\":\"2023-09-01\"}",
                      "/api/v1/public/registrations/%s", token),
               422, "validation_failed", "until");
}

static void registration_close_ends_the_trip_and_the_link(void **state) {
  h_server_t *s = *state;
  h_resp_t *c =
      h_call(s, NULL, "POST",
             "{\"person\":{\"full_name\":\"Tạ Văn Về\",\"passport\":\"Q1357913\"},"
             "\"presence\":{\"country\":\"IL\",\"category\":\"tourist\",\"from\":\"2023-10\"}}",
             "/api/v1/public/registrations");
  EXPECT_STATUS(s, c, 201);
  const char *token = h_gets(c->json, "manage_token");
  h_resp_t *d = h_call(s, NULL, "DELETE", NULL, "/api/v1/public/registrations/%s", token);
  EXPECT_STATUS(s, d, 200);
  assert_true(json_is_true(h_get(d->json, "closed")));
  assert_non_null(h_gets(d->json, "until"));
  EXPECT_ERROR(s, h_call(s, NULL, "GET", NULL, "/api/v1/public/registrations/%s", token), 404,
               "not_found", NULL);
  EXPECT_ERROR(
      s, h_call(s, NULL, "PATCH", "{\"city\":\"Eilat\"}", "/api/v1/public/registrations/%s", token),
      404, "not_found", NULL);
  EXPECT_ERROR(s, h_call(s, NULL, "DELETE", NULL, "/api/v1/public/registrations/%s", token), 404,
               "not_found", NULL);
  /* The registry keeps the person, with the trip ended. */
  h_resp_t *q = h_call(s, h_as(s, H_ISRAEL), "GET", NULL, "/api/v1/persons?q=Q1357913");
  EXPECT_STATUS(s, q, 200);
  assert_int_equal(json_array_size(h_get(q->json, "items")), 1);
  assert_string_equal(h_gets(q->json, "items[0].source"), "self_registration");
  h_resp_t *pr = h_call(s, h_as(s, H_ISRAEL), "GET", NULL, "/api/v1/persons/%s/presences",
                        h_gets(q->json, "items[0].id"));
  EXPECT_STATUS(s, pr, 200);
  assert_string_equal(h_gets(pr->json, "items[0].until"), h_gets(d->json, "until"));
}

static void registration_with_a_made_up_link_is_404(void **state) {
  h_server_t *s = *state;
  EXPECT_ERROR(s,
               h_call(s, NULL, "GET", NULL,
                      "/api/v1/public/registrations/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"),
               404, "not_found", NULL);
  EXPECT_ERROR(s, h_call(s, NULL, "GET", NULL, "/api/v1/public/registrations/short"), 404,
               "not_found", NULL);
}

static void registration_needs_person_and_presence(void **state) {
  h_server_t *s = *state;
  EXPECT_ERROR(s,
               h_call(s, NULL, "POST", "{\"person\":{\"full_name\":\"Chỉ Tên\"}}",
                      "/api/v1/public/registrations"),
               422, "validation_failed", "presence");
  EXPECT_ERROR(s,
               h_call(s, NULL, "POST",
                      "{\"person\":{\"full_name\":\"Chỉ Tên\",\"status\":\"safe\"},"
                      "\"presence\":{\"country\":\"IL\",\"category\":\"tourist\"}}",
                      "/api/v1/public/registrations"),
               422, "validation_failed", "person.status");
}

static void registration_is_visible_to_the_officer_of_the_country(void **state) {
  h_server_t *s = *state;
  register_citizen(s);
  h_resp_t *il = h_call(s, h_as(s, H_ISRAEL), "GET", NULL, "/api/v1/persons?q=P2468013");
  EXPECT_STATUS(s, il, 200);
  assert_true(json_array_size(h_get(il->json, "items")) >= 1);
  h_resp_t *mm = h_call(s, h_as(s, H_MYANMAR), "GET", NULL, "/api/v1/persons?q=P2468013");
  EXPECT_STATUS(s, mm, 200);
  assert_int_equal(json_array_size(h_get(mm->json, "items")), 0);
}

/* ---- the published history of a travel advisory ---- */

#define JORDAN(level, extra)                                                                  \
  "{\"country\":\"JO\",\"level\":" level ",\"title_vi\":\"Jordan cấp " level "\","          \
  "\"title_en\":\"Jordan level " level "\",\"text_vi\":\"Nội dung " level "\","              \
  "\"text_en\":\"Text " level "\",\"reason\":\"Lý do " level "\"" extra "}"

/* Publishes Jordan 1 -> 2 -> 3 -> 4 once per server; ids[i] is version i + 1's opaque id. */
static void jordan_series(h_server_t *s, const char *ids[4]) {
  static h_server_t *done_for;
  static char kept[4][32];
  static const char *const bodies[4] = {JORDAN("1", ""), JORDAN("2", ""),
                                        JORDAN("3", ",\"review_due\":\"2099-06-30\""),
                                        JORDAN("4", "")};
  if (done_for != s) {
    for (int i = 0; i < 4; i++) {
      h_resp_t *r = h_call(s, h_as(s, H_HQ), "POST", bodies[i], "/api/v1/advisories");
      EXPECT_STATUS(s, r, 201);
      snprintf(kept[i], sizeof(kept[i]), "%s", h_gets(r->json, "id"));
    }
    done_for = s;
  }
  for (int i = 0; i < 4; i++) ids[i] = kept[i];
}

static void public_advisory_history_needs_no_login_and_is_newest_first(void **state) {
  h_server_t *s = *state;
  const char *ids[4];
  jordan_series(s, ids);
  /* The id comes from the public list, as the public page finds it. */
  h_resp_t *list = h_call(s, NULL, "GET", NULL, "/api/v1/public/advisories?country=JO");
  EXPECT_STATUS(s, list, 200);
  const char *latest = h_gets(list->json, "items[0].id");
  assert_string_equal(latest, ids[3]);
  h_resp_t *r = h_call(s, NULL, "GET", NULL, "/api/v1/public/advisories/%s/history", latest);
  EXPECT_STATUS(s, r, 200);
  assert_string_equal(h_gets(r->json, "country"), "JO");
  assert_non_null(h_gets(r->json, "country_name.vi"));
  assert_string_equal(h_gets(r->json, "country_name.en"), "Jordan");
  assert_true(json_is_null(h_get(r->json, "region")));
  assert_int_equal(json_integer_value(h_get(r->json, "versions")), 4);
  json_t *items = h_get(r->json, "items");
  assert_int_equal(json_array_size(items), 4);
  for (int i = 0; i < 4; i++) {
    json_t *v = json_array_get(items, (size_t)i);
    assert_int_equal(json_integer_value(h_get(v, "level")), 4 - i);
    assert_int_equal(json_integer_value(h_get(v, "version")), 4 - i);
    assert_string_equal(h_gets(v, "id"), ids[3 - i]);
    assert_string_equal(h_gets(v, "reason"), h_str("Lý do %d", 4 - i));
    assert_string_equal(h_gets(v, "title_vi"), h_str("Jordan cấp %d", 4 - i));
    assert_string_equal(h_gets(v, "text_en"), h_str("Text %d", 4 - i));
    assert_non_null(h_gets(v, "level_text.vi"));
    assert_non_null(h_gets(v, "level_text.en"));
    assert_non_null(h_gets(v, "issued_at"));
  }
  assert_string_equal(h_gets(r->json, "items[0].level_text.en"), "Do not travel / leave");
  assert_string_equal(h_gets(r->json, "items[1].review_due"), "2099-06-30");
  assert_true(json_is_null(h_get(r->json, "items[0].review_due")));
  assert_true(json_is_null(h_get(r->json, "next")));
  const char *cache = h_header(r, "Cache-Control");
  assert_non_null(cache);
  assert_non_null(strstr(cache, "public"));
  assert_non_null(strstr(cache, "max-age="));
  /* One Cache-Control only: a second one saying no-store would win over it. */
  assert_null(strstr(r->headers, "no-store"));
}

static void public_advisory_history_shows_only_published_fields(void **state) {
  h_server_t *s = *state;
  const char *ids[4];
  jordan_series(s, ids);
  h_resp_t *r = h_call(s, NULL, "GET", NULL, "/api/v1/public/advisories/%s/history", ids[0]);
  EXPECT_STATUS(s, r, 200);
  static const char *const allowed[] = {"id",       "version",  "level",    "level_text",
                                        "title_vi", "title_en", "text_vi",  "text_en",
                                        "reason",   "issued_at", "review_due", "cap_url"};
  json_t *items = h_get(r->json, "items");
  size_t i;
  json_t *v;
  json_array_foreach(items, i, v) {
    const char *key;
    json_t *val;
    json_object_foreach(v, key, val) {
      int ok = 0;
      for (size_t k = 0; k < sizeof(allowed) / sizeof(allowed[0]); k++)
        if (strcmp(key, allowed[k]) == 0) ok = 1;
      if (!ok) fail_msg("the public history shows the unpublished field \"%s\"", key);
    }
    /* The CAP link names the version by its opaque id, and it works without login. */
    const char *cap = h_gets(v, "cap_url");
    assert_non_null(cap);
    assert_non_null(strstr(cap, h_str("/advisories/%s.cap", h_gets(v, "id"))));
    h_resp_t *c = h_call(s, NULL, "GET", NULL, "%s", strstr(cap, "/advisories/"));
    EXPECT_STATUS(s, c, 200);
    assert_non_null(strstr(c->body, h_str("Jordan level %d", (int)(4 - i))));
  }
  /* The body names nobody: not the officer who published, nor any author id. */
  assert_null(strstr(r->body, "author"));
  assert_null(strstr(r->body, "series"));
  /* Any version's id gives the same history. */
  h_resp_t *other = h_call(s, NULL, "GET", NULL, "/api/v1/public/advisories/%s/history", ids[2]);
  EXPECT_STATUS(s, other, 200);
  assert_string_equal(other->body, r->body);
}

static void public_advisory_history_pages_with_a_cursor(void **state) {
  h_server_t *s = *state;
  const char *ids[4];
  jordan_series(s, ids);
  h_resp_t *p1 =
      h_call(s, NULL, "GET", NULL, "/api/v1/public/advisories/%s/history?limit=3", ids[3]);
  EXPECT_STATUS(s, p1, 200);
  assert_int_equal(json_array_size(h_get(p1->json, "items")), 3);
  assert_string_equal(h_gets(p1->json, "items[2].id"), ids[1]);
  const char *next = h_gets(p1->json, "next");
  assert_non_null(next);
  h_resp_t *p2 = h_call(s, NULL, "GET", NULL,
                        "/api/v1/public/advisories/%s/history?limit=3&after=%s", ids[3], next);
  EXPECT_STATUS(s, p2, 200);
  assert_int_equal(json_array_size(h_get(p2->json, "items")), 1);
  assert_string_equal(h_gets(p2->json, "items[0].id"), ids[0]);
  assert_true(json_is_null(h_get(p2->json, "next")));
  /* A page that ends exactly at the oldest version has no next page. */
  h_resp_t *exact =
      h_call(s, NULL, "GET", NULL, "/api/v1/public/advisories/%s/history?limit=4", ids[3]);
  EXPECT_STATUS(s, exact, 200);
  assert_true(json_is_null(h_get(exact->json, "next")));
  /* The whole history through h_list_all, one version a page. */
  json_t *all = h_list_all(s, NULL, h_str("/api/v1/public/advisories/%s/history", ids[3]), 1);
  assert_int_equal(json_array_size(all), 4);
}

static void public_advisory_history_refuses_bad_ids_and_limits(void **state) {
  h_server_t *s = *state;
  const char *ids[4];
  jordan_series(s, ids);
  EXPECT_ERROR(s, h_call(s, NULL, "GET", NULL, "/api/v1/public/advisories/nonsense/history"),
               404, "not_found", NULL);
  EXPECT_ERROR(s,
               h_call(s, NULL, "GET", NULL, "/api/v1/public/advisories/%s/history",
                      h_pubid(s, PUBID_ADVISORY, 987654)),
               404, "not_found", NULL);
  /* An id of another kind (a person's) is no advisory's. */
  EXPECT_ERROR(s,
               h_call(s, NULL, "GET", NULL, "/api/v1/public/advisories/%s/history",
                      h_pubid(s, PUBID_PERSON, 1)),
               404, "not_found", NULL);
  EXPECT_ERROR(s,
               h_call(s, NULL, "GET", NULL, "/api/v1/public/advisories/%s/history?limit=101",
                      ids[3]),
               422, "validation_failed", "limit");
  EXPECT_ERROR(s,
               h_call(s, NULL, "GET", NULL, "/api/v1/public/advisories/%s/history?limit=0",
                      ids[3]),
               422, "validation_failed", "limit");
  EXPECT_ERROR(s,
               h_call(s, NULL, "GET", NULL, "/api/v1/public/advisories/%s/history?after=zzz",
                      ids[3]),
               422, "validation_failed", "after");
  EXPECT_ERROR(s, h_call(s, NULL, "POST", "{}", "/api/v1/public/advisories/%s/history", ids[3]),
               405, "method_not_allowed", NULL);
}

/* Last in the group: it spends the address's registration allowance. */
static void registrations_from_one_address_are_rate_limited(void **state) {
  h_server_t *s = *state;
  int limited = 0;
  for (int i = 0; i < 25; i++) {
    h_resp_t *r = h_call(s, NULL, "POST", CITIZEN, "/api/v1/public/registrations");
    if (limited) {
      EXPECT_ERROR(s, r, 429, "rate_limited", NULL);
    } else if (r->status == 429) {
      EXPECT_ERROR(s, r, 429, "rate_limited", NULL);
      limited = 1;
    } else {
      EXPECT_STATUS(s, r, 201);
    }
  }
  assert_true(limited);
}

/* Registers once with the given X-Forwarded-For value and returns the status. */
static long register_via_proxy(h_server_t *s, const char *forwarded_for) {
  h_req_t rq = {.method = "POST",
                .path = "/api/v1/public/registrations",
                .json = CITIZEN,
                .headers = {h_str("X-Forwarded-For: %s", forwarded_for), NULL}};
  return h_do(s, &rq)->status;
}

/*
 * Behind a trusted proxy each citizen's address (the last X-Forwarded-For entry) has its own
 * allowance; an address a client put earlier in the header is never believed.
 */
static void trusted_proxy_rate_limits_each_forwarded_address(void **state) {
  (void)state;
  h_server_t s = {0};
  const char *const extra[] = {"--trusted-proxy", "127.0.0.1", NULL};
  assert_int_equal(h_server_start_args(&s, extra), 0);
  long last = 0;
  for (int i = 0; i < 21; i++) last = register_via_proxy(&s, "192.0.2.10");
  assert_int_equal(last, 429);
  /* Another citizen behind the same proxy is not blocked by the first one. */
  assert_int_equal(register_via_proxy(&s, "192.0.2.11"), 201);
  /* A forged first entry does not escape the limit of the real (last) address. */
  assert_int_equal(register_via_proxy(&s, "198.51.100.7, 192.0.2.10"), 429);
  assert_int_equal(h_server_destroy(&s), 0);
}

/* Without --trusted-proxy, X-Forwarded-For is ignored: varying it does not escape the limit. */
static void untrusted_forwarded_for_is_ignored(void **state) {
  (void)state;
  h_server_t s = {0};
  assert_int_equal(h_server_start(&s), 0);
  long last = 0;
  for (int i = 0; i < 21; i++) last = register_via_proxy(&s, h_str("192.0.2.%d", i + 1));
  assert_int_equal(last, 429);
  assert_int_equal(h_server_destroy(&s), 0);
}

int api_public_tests(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(registration_create_returns_a_private_manage_link),
      cmocka_unit_test(registration_get_shows_the_citizen_their_record),
      cmocka_unit_test(registration_update_changes_contacts_and_trip),
      cmocka_unit_test(registration_close_ends_the_trip_and_the_link),
      cmocka_unit_test(registration_with_a_made_up_link_is_404),
      cmocka_unit_test(registration_needs_person_and_presence),
      cmocka_unit_test(registration_is_visible_to_the_officer_of_the_country),
      cmocka_unit_test(public_advisory_history_needs_no_login_and_is_newest_first),
      cmocka_unit_test(public_advisory_history_shows_only_published_fields),
      cmocka_unit_test(public_advisory_history_pages_with_a_cursor),
      cmocka_unit_test(public_advisory_history_refuses_bad_ids_and_limits),
      cmocka_unit_test(registrations_from_one_address_are_rate_limited),
      cmocka_unit_test(trusted_proxy_rate_limits_each_forwarded_address),
      cmocka_unit_test(untrusted_forwarded_for_is_ignored),
  };
  return cmocka_run_group_tests_name("public", tests, h_group_setup, h_group_teardown);
}
