/*
 * test_evac.c - staging sites and transports (issue 5, parts 2 and 3): check-in and check-out
 * with capacity and "already at another site", transports and their manifests (booking groups
 * all or nothing, capacity, double booking, partner nationals counted per nationality, status
 * transitions), suggestions in priority order, arrival (repatriated, presence closed,
 * idempotent; evacuated without closing), and who may see what (viewers counts only, officers
 * their jurisdiction only).
 */
#include <string.h>

#include "harness.h"

/* A person present in country (and a city), with extra person fields and presence fields given
 * as JSON members (may be ""); returns the person's id. */
static const char *person_in(h_server_t *s, const char *name, const char *country,
                             const char *person_extra, const char *presence_extra) {
  h_resp_t *r = h_create_person(
      s, h_as(s, H_HQ),
      h_str("{\"full_name\":\"%s\"%s,\"presence\":{\"country\":\"%s\",\"city\":\"Thành phố\","
            "\"category\":\"worker\"%s}}",
            name, person_extra, country, presence_extra));
  return h_gets(r->json, "id");
}

static const char *create_site(h_server_t *s, const h_auth_t *auth, const char *country,
                               int capacity) {
  h_resp_t *r = h_call(s, auth, "POST",
                       h_str("{\"kind\":\"shelter\",\"name\":\"Nhà tạm lánh %s\",\"country\":"
                             "\"%s\",\"region\":\"Biên giới\",\"position\":{\"lat\":16.7,"
                             "\"lon\":98.5},\"capacity\":%d}",
                             country, country, capacity),
                       "/api/v1/sites");
  EXPECT_STATUS(s, r, 201);
  return h_gets(r->json, "id");
}

static h_resp_t *checkin(h_server_t *s, const char *site, const char *person) {
  return h_call(s, h_as(s, H_HQ), "POST", h_str("{\"person_id\":\"%s\"}", person),
                "/api/v1/sites/%s/checkins", site);
}

/* A transport leaving from origin; purpose evacuation or repatriation; crisis id or NULL. */
static const char *create_transport(h_server_t *s, const h_auth_t *auth, const char *origin,
                                    const char *purpose, int capacity, const char *crisis) {
  h_resp_t *r = h_call(
      s, auth, "POST",
      h_str("{\"mode\":\"flight\",\"provider\":\"own\",\"purpose\":\"%s\",\"origin\":{\"place\":"
            "\"Sân bay\",\"country\":\"%s\"},\"destination\":{\"place\":\"Nội Bài\",\"country\":"
            "\"VN\"},\"departure_at\":\"2023-10-14T08:00:00Z\",\"capacity\":%d,\"reference\":"
            "\"VN-TEST\"%s%s%s}",
            purpose, origin, capacity, crisis ? ",\"crisis\":\"" : "", crisis ? crisis : "",
            crisis ? "\"" : ""),
      "/api/v1/transports");
  EXPECT_STATUS(s, r, 201);
  return h_gets(r->json, "id");
}

static h_resp_t *book(h_server_t *s, const h_auth_t *auth, const char *transport,
                      const char *members) {
  return h_call(s, auth, "POST", h_str("{\"persons\":[%s]}", members),
                "/api/v1/transports/%s/manifest", transport);
}

static const char *member(const char *person) { return h_str("{\"person_id\":\"%s\"}", person); }

static long long int_at(const json_t *root, const char *path) {
  json_t *v = h_get(root, path);
  if (!json_is_integer(v)) fail_msg("no integer at %s", path);
  return (long long)json_integer_value(v);
}

static h_resp_t *set_entry(h_server_t *s, const char *transport, const char *entry,
                           const char *status) {
  return h_call(s, h_as(s, H_HQ), "PATCH", h_str("{\"status\":\"%s\"}", status),
                "/api/v1/transports/%s/manifest/%s", transport, entry);
}

/* ---- sites ---- */

static void evac_sites_create_then_viewer_reads_counts_and_list_filters(void **state) {
  h_server_t *s = *state;
  const char *site = create_site(s, h_as(s, H_HQ), "LA", 30);
  h_resp_t *g = h_call(s, h_as(s, H_VIEWER), "GET", NULL, "/api/v1/sites/%s", site);
  EXPECT_STATUS(s, g, 200);
  assert_string_equal(h_gets(g->json, "kind"), "shelter");
  assert_string_equal(h_gets(g->json, "country"), "LA");
  assert_int_equal(int_at(g->json, "capacity"), 30);
  assert_int_equal(int_at(g->json, "occupancy"), 0);
  assert_true(json_number_value(h_get(g->json, "position.lat")) == 16.7);
  json_t *all = h_list_all(s, h_as(s, H_VIEWER), "/api/v1/sites?country=LA", 1);
  assert_true(h_has_id(all, site));
  json_t *other = h_list_all(s, h_as(s, H_HQ), "/api/v1/sites?country=KH", 10);
  assert_false(h_has_id(other, site));
  h_resp_t *u = h_call(s, h_as(s, H_HQ), "PATCH", "{\"capacity\":40,\"notes\":\"Trường học\"}",
                       "/api/v1/sites/%s", site);
  EXPECT_STATUS(s, u, 200);
  assert_int_equal(int_at(u->json, "capacity"), 40);
  assert_string_equal(h_gets(u->json, "name"), "Nhà tạm lánh LA");
}

static void evac_sites_checkin_counts_occupancy_and_checkout_frees_the_place(void **state) {
  h_server_t *s = *state;
  const char *site = create_site(s, h_as(s, H_HQ), "TH", 5);
  const char *p = person_in(s, "Đỗ Văn Hải", "TH", "", "");
  h_resp_t *in = checkin(s, site, p);
  EXPECT_STATUS(s, in, 201);
  assert_int_equal(int_at(in->json, "site.occupancy"), 1);
  assert_non_null(h_gets(in->json, "checked_in_at"));
  /* The same person twice at the same site is a conflict too. */
  EXPECT_ERROR(s, checkin(s, site, p), 409, "conflict", "person_id");
  h_resp_t *out = h_call(s, h_as(s, H_HQ), "POST", h_str("{\"person_id\":\"%s\"}", p),
                         "/api/v1/sites/%s/checkouts", site);
  EXPECT_STATUS(s, out, 200);
  assert_int_equal(int_at(out->json, "site.occupancy"), 0);
  /* Checking out someone who is not there is refused. */
  EXPECT_ERROR(s,
               h_call(s, h_as(s, H_HQ), "POST", h_str("{\"person_id\":\"%s\"}", p),
                      "/api/v1/sites/%s/checkouts", site),
               409, "conflict", "person_id");
}

static void evac_sites_checkin_past_capacity_is_409_naming_the_capacity(void **state) {
  h_server_t *s = *state;
  const char *site = create_site(s, h_as(s, H_HQ), "TH", 2);
  EXPECT_STATUS(s, checkin(s, site, person_in(s, "Lý Thị Một", "TH", "", "")), 201);
  EXPECT_STATUS(s, checkin(s, site, person_in(s, "Lý Thị Hai", "TH", "", "")), 201);
  h_resp_t *r = checkin(s, site, person_in(s, "Lý Thị Ba", "TH", "", ""));
  EXPECT_ERROR(s, r, 409, "conflict", NULL);
  assert_non_null(strstr(h_gets(r->json, "error.message"), "capacity 2, present 2"));
  h_resp_t *g = h_call(s, h_as(s, H_HQ), "GET", NULL, "/api/v1/sites/%s", site);
  assert_int_equal(int_at(g->json, "occupancy"), 2);
}

static void evac_sites_person_at_another_site_is_409_until_checked_out(void **state) {
  h_server_t *s = *state;
  const char *a = create_site(s, h_as(s, H_HQ), "TH", 10);
  const char *b = create_site(s, h_as(s, H_HQ), "TH", 10);
  const char *p = person_in(s, "Mai Văn Tư", "TH", "", "");
  EXPECT_STATUS(s, checkin(s, a, p), 201);
  h_resp_t *r = checkin(s, b, p);
  EXPECT_ERROR(s, r, 409, "conflict", "person_id");
  assert_non_null(strstr(h_gets(r->json, "error.message"), a));
  EXPECT_STATUS(s,
                h_call(s, h_as(s, H_HQ), "POST", h_str("{\"person_id\":\"%s\"}", p),
                       "/api/v1/sites/%s/checkouts", a),
                200);
  EXPECT_STATUS(s, checkin(s, b, p), 201);
}

static void evac_sites_people_lists_those_present_is_audited_and_not_for_viewers(void **state) {
  h_server_t *s = *state;
  const char *site = create_site(s, h_as(s, H_HQ), "TH", 10);
  const char *p = person_in(s, "Hồ Thị Năm", "TH", "", "");
  const char *q = person_in(s, "Hồ Văn Sáu", "TH", "", "");
  EXPECT_STATUS(s, checkin(s, site, p), 201);
  EXPECT_STATUS(s, checkin(s, site, q), 201);
  EXPECT_STATUS(s,
                h_call(s, h_as(s, H_HQ), "POST", h_str("{\"person_id\":\"%s\"}", q),
                       "/api/v1/sites/%s/checkouts", site),
                200);
  h_resp_t *r = h_call(s, h_as(s, H_HQ), "GET", NULL, "/api/v1/sites/%s/people", site);
  EXPECT_STATUS(s, r, 200);
  assert_int_equal(json_array_size(h_get(r->json, "items")), 1);
  assert_string_equal(h_gets(r->json, "items[0].person_id"), p);
  assert_string_equal(h_gets(r->json, "items[0].full_name"), "Hồ Thị Năm");
  h_resp_t *all =
      h_call(s, h_as(s, H_HQ), "GET", NULL, "/api/v1/sites/%s/people?present=false", site);
  assert_int_equal(json_array_size(h_get(all->json, "items")), 2);
  assert_non_null(h_gets(all->json, "items[1].checked_out_at"));
  EXPECT_ERROR(s, h_call(s, h_as(s, H_VIEWER), "GET", NULL, "/api/v1/sites/%s/people", site), 403,
               "forbidden", NULL);
  h_resp_t *audit = h_call(s, h_as(s, H_ADMIN), "GET", NULL, "/api/v1/audit?limit=500");
  EXPECT_STATUS(s, audit, 200);
  int found = 0;
  size_t i;
  json_t *e;
  json_array_foreach(h_get(audit->json, "items"), i, e) {
    const char *action = h_gets(e, "action");
    if (action != NULL && strcmp(action, "site.read_people") == 0) found = 1;
  }
  /* The list is paged from the oldest; the read may be on a later page. */
  if (!found) {
    json_t *every = h_list_all(s, h_as(s, H_ADMIN), "/api/v1/audit", 500);
    json_array_foreach(every, i, e) {
      const char *action = h_gets(e, "action");
      if (action != NULL && strcmp(action, "site.read_people") == 0) found = 1;
    }
  }
  assert_true(found);
}

static void evac_sites_officer_sees_only_the_jurisdiction_and_creates_only_there(void **state) {
  h_server_t *s = *state;
  const char *mm = create_site(s, h_as(s, H_MYANMAR), "MM", 100);
  EXPECT_STATUS(s, h_call(s, h_as(s, H_MYANMAR), "GET", NULL, "/api/v1/sites/%s", mm), 200);
  EXPECT_ERROR(s, h_call(s, h_as(s, H_ISRAEL), "GET", NULL, "/api/v1/sites/%s", mm), 404,
               "not_found", NULL);
  json_t *list = h_list_all(s, h_as(s, H_ISRAEL), "/api/v1/sites", 100);
  assert_false(h_has_id(list, mm));
  EXPECT_ERROR(s,
               h_call(s, h_as(s, H_ISRAEL), "POST",
                      "{\"kind\":\"assembly_point\",\"name\":\"X\",\"country\":\"MM\","
                      "\"capacity\":10}",
                      "/api/v1/sites"),
               403, "forbidden", "country");
  /* A person outside the officer's jurisdiction cannot be checked in: 404 on person_id. */
  const char *il = person_in(s, "Người ở Israel", "IL", "", "");
  EXPECT_ERROR(s,
               h_call(s, h_as(s, H_MYANMAR), "POST", h_str("{\"person_id\":\"%s\"}", il),
                      "/api/v1/sites/%s/checkins", mm),
               404, "not_found", "person_id");
}

static void evac_sites_bad_input_is_422_naming_the_field(void **state) {
  h_server_t *s = *state;
  EXPECT_ERROR(s,
               h_call(s, h_as(s, H_HQ), "POST",
                      "{\"kind\":\"hotel\",\"name\":\"X\",\"country\":\"TH\",\"capacity\":1}",
                      "/api/v1/sites"),
               422, "validation_failed", "kind");
  EXPECT_ERROR(s,
               h_call(s, h_as(s, H_HQ), "POST",
                      "{\"kind\":\"shelter\",\"name\":\"X\",\"country\":\"TH\",\"capacity\":1,"
                      "\"position\":{\"lat\":95,\"lon\":0}}",
                      "/api/v1/sites"),
               422, "validation_failed", "position.lat");
  EXPECT_ERROR(s,
               h_call(s, h_as(s, H_HQ), "POST",
                      "{\"kind\":\"shelter\",\"name\":\"X\",\"country\":\"TH\",\"capacity\":0}",
                      "/api/v1/sites"),
               422, "validation_failed", "capacity");
  EXPECT_ERROR(s,
               h_call(s, h_as(s, H_HQ), "POST",
                      "{\"kind\":\"shelter\",\"name\":\"X\",\"country\":\"ZZ\",\"capacity\":1}",
                      "/api/v1/sites"),
               422, "validation_failed", "country");
}

/* ---- transports and manifests ---- */

static void evac_transports_partner_flight_needs_the_partner_country(void **state) {
  h_server_t *s = *state;
  const char *base =
      "\"mode\":\"flight\",\"provider\":\"partner\",\"purpose\":\"repatriation\",\"origin\":"
      "{\"place\":\"Tel Aviv\",\"country\":\"IL\"},\"destination\":{\"place\":\"Hà Nội\","
      "\"country\":\"VN\"},\"departure_at\":\"2023-10-19T10:00:00Z\",\"capacity\":200";
  EXPECT_ERROR(s, h_call(s, h_as(s, H_HQ), "POST", h_str("{%s}", base), "/api/v1/transports"),
               422, "validation_failed", "partner_country");
  h_resp_t *r = h_call(s, h_as(s, H_HQ), "POST",
                       h_str("{%s,\"partner_country\":\"KR\",\"reference\":\"KE9999\","
                             "\"seats\":[{\"country\":\"KR\",\"seats\":15,\"direction\":"
                             "\"received\"}]}",
                             base),
                       "/api/v1/transports");
  EXPECT_STATUS(s, r, 201);
  assert_string_equal(h_gets(r->json, "status"), "planned");
  assert_string_equal(h_gets(r->json, "partner_country"), "KR");
  assert_string_equal(h_gets(r->json, "seats[0].direction"), "received");
  assert_int_equal(int_at(r->json, "seats_free"), 200);
  EXPECT_ERROR(s,
               h_call(s, h_as(s, H_HQ), "POST",
                      h_str("{%s,\"partner_country\":\"KR\",\"arrival_at\":"
                            "\"2023-10-18T10:00:00Z\"}",
                            base),
                      "/api/v1/transports"),
               422, "validation_failed", "arrival_at");
}

static void evac_manifest_books_a_group_and_counts_partner_nationals(void **state) {
  h_server_t *s = *state;
  const char *t = create_transport(s, h_as(s, H_HQ), "JO", "evacuation", 10, NULL);
  const char *a = person_in(s, "Vũ Thị Bảy", "JO", "", ",\"group_id\":\"fam-jo\"");
  const char *b = person_in(s, "Vũ Văn Tám", "JO", "", ",\"group_id\":\"fam-jo\"");
  h_resp_t *r = book(s, h_as(s, H_HQ), t,
                     h_str("%s,%s,{\"full_name\":\"Somchai K.\",\"nationality\":\"LA\","
                           "\"document_number\":\"p 1234-567\"},{\"full_name\":\"Bounmy S.\","
                           "\"nationality\":\"LA\"}",
                           member(a), member(b)));
  EXPECT_STATUS(s, r, 201);
  assert_int_equal(int_at(r->json, "booking"), 1);
  assert_int_equal(json_array_size(h_get(r->json, "items")), 4);
  assert_string_equal(h_gets(r->json, "items[0].full_name"), "Vũ Thị Bảy");
  assert_string_equal(h_gets(r->json, "items[0].nationality"), "VN");
  assert_string_equal(h_gets(r->json, "items[2].nationality"), "LA");
  assert_string_equal(h_gets(r->json, "items[2].document_number"), "P1234567");
  assert_string_equal(h_gets(r->json, "items[0].status"), "booked");
  h_resp_t *g = h_call(s, h_as(s, H_VIEWER), "GET", NULL, "/api/v1/transports/%s", t);
  EXPECT_STATUS(s, g, 200);
  assert_int_equal(int_at(g->json, "by_nationality.VN"), 2);
  assert_int_equal(int_at(g->json, "by_nationality.LA"), 2);
  assert_int_equal(int_at(g->json, "counts.booked"), 4);
  assert_int_equal(int_at(g->json, "seats_free"), 6);
  h_resp_t *m = h_call(s, h_as(s, H_HQ), "GET", NULL, "/api/v1/transports/%s/manifest", t);
  EXPECT_STATUS(s, m, 200);
  assert_int_equal(json_array_size(h_get(m->json, "items")), 4);
  assert_string_equal(h_gets(m->json, "items[3].full_name"), "Bounmy S.");
  assert_true(json_is_null(h_get(m->json, "items[3].document_number")));
  /* Viewers see the figures, never the manifest. */
  EXPECT_ERROR(s, h_call(s, h_as(s, H_VIEWER), "GET", NULL, "/api/v1/transports/%s/manifest", t),
               403, "forbidden", NULL);
}

static void evac_manifest_refuses_a_group_past_capacity_and_stores_none(
    void **state) {
  h_server_t *s = *state;
  const char *t = create_transport(s, h_as(s, H_HQ), "JO", "evacuation", 3, NULL);
  EXPECT_STATUS(s, book(s, h_as(s, H_HQ), t, member(person_in(s, "Tạ Văn Một", "JO", "", ""))),
                201);
  const char *f1 = person_in(s, "Tạ Thị Hai", "JO", "", "");
  const char *f2 = person_in(s, "Tạ Văn Ba", "JO", "", "");
  const char *f3 = person_in(s, "Tạ Thị Bốn", "JO", "", "");
  h_resp_t *r = book(s, h_as(s, H_HQ), t, h_str("%s,%s,%s", member(f1), member(f2), member(f3)));
  EXPECT_ERROR(s, r, 409, "conflict", "persons");
  assert_non_null(
      strstr(h_gets(r->json, "error.message"), "capacity 3, booked 1, this group needs 3"));
  h_resp_t *g = h_call(s, h_as(s, H_HQ), "GET", NULL, "/api/v1/transports/%s", t);
  assert_int_equal(int_at(g->json, "counts.booked"), 1);
  /* Two of the family fit: booked as a group of two. */
  EXPECT_STATUS(s, book(s, h_as(s, H_HQ), t, h_str("%s,%s", member(f1), member(f2))), 201);
}

static void evac_manifest_refuses_a_person_holding_a_seat_on_an_active_transport(
    void **state) {
  h_server_t *s = *state;
  h_resp_t *k = h_call(s, h_as(s, H_HQ), "POST",
                       "{\"name\":\"Lũ lụt Lào\",\"kind\":\"natural_disaster\",\"countries\":"
                       "[\"LA\"]}",
                       "/api/v1/crises");
  EXPECT_STATUS(s, k, 201);
  const char *crisis = h_gets(k->json, "id");
  const char *t1 = create_transport(s, h_as(s, H_HQ), "LA", "evacuation", 50, crisis);
  const char *t2 = create_transport(s, h_as(s, H_HQ), "LA", "repatriation", 50, crisis);
  const char *p = person_in(s, "Cao Văn Chín", "LA", "", "");
  const char *q = person_in(s, "Cao Thị Mười", "LA", "", "");
  EXPECT_STATUS(s, book(s, h_as(s, H_HQ), t1, member(p)), 201);
  h_resp_t *r = book(s, h_as(s, H_HQ), t2, h_str("%s,%s", member(q), member(p)));
  EXPECT_ERROR(s, r, 409, "conflict", "persons[1].person_id");
  assert_non_null(strstr(h_gets(r->json, "error.message"), t1));
  /* The same person twice on one transport is refused too. */
  EXPECT_ERROR(s, book(s, h_as(s, H_HQ), t1, member(p)), 409, "conflict", "persons[0].person_id");
  /* Listed twice in one group is a validation error. */
  EXPECT_ERROR(s, book(s, h_as(s, H_HQ), t2, h_str("%s,%s", member(q), member(q))), 422,
               "validation_failed", "persons[1].person_id");
  /* Once the first transport is cancelled the seat is free to book elsewhere. */
  EXPECT_STATUS(s,
                h_call(s, h_as(s, H_HQ), "PATCH", "{\"status\":\"cancelled\"}",
                       "/api/v1/transports/%s", t1),
                200);
  EXPECT_STATUS(s, book(s, h_as(s, H_HQ), t2, h_str("%s,%s", member(q), member(p))), 201);
  /* A cancelled transport takes no bookings. */
  EXPECT_ERROR(s, book(s, h_as(s, H_HQ), t1, member(q)), 409, "conflict", "status");
}

static void evac_manifest_person_outside_the_officers_jurisdiction_is_404(void **state) {
  h_server_t *s = *state;
  const char *t = create_transport(s, h_as(s, H_MYANMAR), "MM", "repatriation", 20, NULL);
  const char *il = person_in(s, "Người chỉ ở Israel", "IL", "", "");
  EXPECT_ERROR(s, book(s, h_as(s, H_MYANMAR), t, member(il)), 404, "not_found",
               "persons[0].person_id");
  /* And the Israel officer does not see the Myanmar transport at all. */
  EXPECT_ERROR(s, h_call(s, h_as(s, H_ISRAEL), "GET", NULL, "/api/v1/transports/%s", t), 404,
               "not_found", NULL);
  EXPECT_ERROR(s, h_call(s, h_as(s, H_ISRAEL), "GET", NULL, "/api/v1/transports/%s/manifest", t),
               404, "not_found", NULL);
  EXPECT_ERROR(s,
               h_call(s, h_as(s, H_ISRAEL), "POST",
                      "{\"mode\":\"bus\",\"provider\":\"own\",\"purpose\":\"evacuation\","
                      "\"origin\":{\"place\":\"Myawaddy\",\"country\":\"MM\"},\"destination\":"
                      "{\"place\":\"Mae Sot\",\"country\":\"TH\"},\"departure_at\":"
                      "\"2023-11-10T08:00:00Z\",\"capacity\":40}",
                      "/api/v1/transports"),
               403, "forbidden", "origin.country");
  json_t *list = h_list_all(s, h_as(s, H_VIEWER), "/api/v1/transports?country=MM", 100);
  assert_true(h_has_id(list, t));
}

static void evac_manifest_status_follows_the_transitions_and_illegal_ones_are_409(void **state) {
  h_server_t *s = *state;
  const char *t = create_transport(s, h_as(s, H_HQ), "JO", "evacuation", 10, NULL);
  h_resp_t *r = book(s, h_as(s, H_HQ), t,
                     h_str("%s,%s", member(person_in(s, "Kiều Văn A", "JO", "", "")),
                           member(person_in(s, "Kiều Thị B", "JO", "", ""))));
  EXPECT_STATUS(s, r, 201);
  const char *e1 = h_gets(r->json, "items[0].id");
  const char *e2 = h_gets(r->json, "items[1].id");
  h_resp_t *bad = set_entry(s, t, e1, "arrived");
  EXPECT_ERROR(s, bad, 409, "conflict", "status");
  assert_non_null(strstr(h_gets(bad->json, "error.message"), "from booked to arrived"));
  h_resp_t *ok = set_entry(s, t, e1, "boarded");
  EXPECT_STATUS(s, ok, 200);
  assert_string_equal(h_gets(ok->json, "status"), "boarded");
  EXPECT_ERROR(s, set_entry(s, t, e1, "no_show"), 409, "conflict", "status");
  EXPECT_STATUS(s, set_entry(s, t, e2, "no_show"), 200);
  EXPECT_ERROR(s, set_entry(s, t, e2, "boarded"), 409, "conflict", "status");
  EXPECT_ERROR(s, set_entry(s, t, e2, "flying"), 422, "validation_failed", "status");
  /* A no-show frees the seat. */
  h_resp_t *g = h_call(s, h_as(s, H_HQ), "GET", NULL, "/api/v1/transports/%s", t);
  assert_int_equal(int_at(g->json, "seats_free"), 9);
  assert_int_equal(int_at(g->json, "counts.no_show"), 1);
}

static void evac_arrival_of_a_repatriation_repatriates_boarded_persons_once(void **state) {
  h_server_t *s = *state;
  const char *t = create_transport(s, h_as(s, H_HQ), "EG", "repatriation", 10, NULL);
  const char *p = person_in(s, "Phan Thị Về", "EG", "", ",\"from\":\"2023-01\"");
  const char *q = person_in(s, "Phan Văn Ở", "EG", "", ",\"from\":\"2023-01\"");
  h_resp_t *r = book(s, h_as(s, H_HQ), t,
                     h_str("%s,%s,{\"full_name\":\"Ahmed N.\",\"nationality\":\"EG\"}", member(p),
                           member(q)));
  EXPECT_STATUS(s, r, 201);
  EXPECT_STATUS(s, set_entry(s, t, h_gets(r->json, "items[0].id"), "boarded"), 200);
  EXPECT_STATUS(s, set_entry(s, t, h_gets(r->json, "items[2].id"), "boarded"), 200);
  h_resp_t *a = h_call(s, h_as(s, H_HQ), "POST", NULL, "/api/v1/transports/%s/arrive", t);
  EXPECT_STATUS(s, a, 200);
  assert_true(json_is_true(h_get(a->json, "arrival.changed")));
  assert_int_equal(int_at(a->json, "arrival.entries"), 2);
  assert_int_equal(int_at(a->json, "arrival.persons"), 1);
  assert_int_equal(int_at(a->json, "arrival.presences_closed"), 1);
  assert_string_equal(h_gets(a->json, "transport.status"), "arrived");
  assert_int_equal(int_at(a->json, "transport.counts.arrived"), 2);
  assert_int_equal(int_at(a->json, "transport.counts.booked"), 1);
  h_resp_t *st = h_call(s, h_as(s, H_HQ), "GET", NULL, "/api/v1/persons/%s/status", p);
  EXPECT_STATUS(s, st, 200);
  assert_string_equal(h_gets(st->json, "status"), "repatriated");
  size_t events = json_array_size(h_get(st->json, "history"));
  h_resp_t *pr = h_call(s, h_as(s, H_HQ), "GET", NULL, "/api/v1/persons/%s/presences", p);
  const char *until = h_gets(pr->json, "items[0].until");
  assert_non_null(until);
  assert_int_equal(strlen(until), 10);
  /* The person only booked stays where they were. */
  h_resp_t *sq = h_call(s, h_as(s, H_HQ), "GET", NULL, "/api/v1/persons/%s/status", q);
  assert_string_not_equal(h_gets(sq->json, "status"), "repatriated");
  /* Arriving twice changes nothing. */
  h_resp_t *again = h_call(s, h_as(s, H_HQ), "POST", NULL, "/api/v1/transports/%s/arrive", t);
  EXPECT_STATUS(s, again, 200);
  assert_false(json_is_true(h_get(again->json, "arrival.changed")));
  h_resp_t *st2 = h_call(s, h_as(s, H_HQ), "GET", NULL, "/api/v1/persons/%s/status", p);
  assert_int_equal(json_array_size(h_get(st2->json, "history")), events);
  /* An arrived transport cannot be cancelled. */
  EXPECT_ERROR(s,
               h_call(s, h_as(s, H_HQ), "PATCH", "{\"status\":\"cancelled\"}",
                      "/api/v1/transports/%s", t),
               409, "conflict", "status");
}

static void evac_arrival_of_an_evacuation_marks_evacuated_and_keeps_presences(void **state) {
  h_server_t *s = *state;
  const char *t = create_transport(s, h_as(s, H_HQ), "SD", "evacuation", 10, NULL);
  const char *p = person_in(s, "Lâm Văn Đi", "SD", "", "");
  h_resp_t *r = book(s, h_as(s, H_HQ), t, member(p));
  EXPECT_STATUS(s, r, 201);
  EXPECT_STATUS(s, set_entry(s, t, h_gets(r->json, "items[0].id"), "boarded"), 200);
  h_resp_t *a = h_call(s, h_as(s, H_HQ), "PATCH", "{\"status\":\"arrived\"}",
                       "/api/v1/transports/%s", t);
  EXPECT_STATUS(s, a, 200);
  assert_string_equal(h_gets(a->json, "status"), "arrived");
  h_resp_t *st = h_call(s, h_as(s, H_HQ), "GET", NULL, "/api/v1/persons/%s/status", p);
  assert_string_equal(h_gets(st->json, "status"), "evacuated");
  h_resp_t *pr = h_call(s, h_as(s, H_HQ), "GET", NULL, "/api/v1/persons/%s/presences", p);
  assert_true(json_is_null(h_get(pr->json, "items[0].until")));
}

static void evac_suggestions_rank_injured_minors_with_family_elderly_students_others(
    void **state) {
  h_server_t *s = *state;
  /* No crisis: the candidates are those present today in the origin country (YE). */
  const char *other = person_in(s, "Người Khác", "YE", "", "");
  const char *student = h_gets(
      h_create_person(s, h_as(s, H_HQ),
                      "{\"full_name\":\"Sinh Viên\",\"presence\":{\"country\":\"YE\","
                      "\"category\":\"student\"}}")
          ->json,
      "id");
  const char *elderly = person_in(s, "Cụ Già", "YE", ",\"flags\":[\"elderly\"]", "");
  const char *mother = person_in(s, "Mẹ Của Bé", "YE", "", ",\"group_id\":\"ye-fam\"");
  const char *child = person_in(s, "Bé Con", "YE", ",\"flags\":[\"minor\"]",
                                ",\"group_id\":\"ye-fam\"");
  const char *injured = person_in(s, "Người Bị Thương", "YE", "", "");
  EXPECT_STATUS(s,
                h_call(s, h_as(s, H_HQ), "POST", "{\"status\":\"injured\"}",
                       "/api/v1/persons/%s/status", injured),
                201);
  const char *gone = person_in(s, "Đã Về", "YE", "", "");
  EXPECT_STATUS(s,
                h_call(s, h_as(s, H_HQ), "POST", "{\"status\":\"repatriated\"}",
                       "/api/v1/persons/%s/status", gone),
                201);
  const char *t = create_transport(s, h_as(s, H_HQ), "YE", "repatriation", 100, NULL);
  h_resp_t *r =
      h_call(s, h_as(s, H_HQ), "GET", NULL, "/api/v1/transports/%s/manifest/suggestions", t);
  EXPECT_STATUS(s, r, 200);
  json_t *items = h_get(r->json, "items");
  assert_int_equal(json_array_size(items), 6);
  assert_string_equal(h_gets(items, "[0].person_id"), injured);
  assert_string_equal(h_gets(items, "[0].reason"), "injured");
  /* The family of the minor, together: the child, then the mother proposed with her. */
  assert_string_equal(h_gets(items, "[1].person_id"), child);
  assert_string_equal(h_gets(items, "[1].reason"), "minor");
  assert_string_equal(h_gets(items, "[2].person_id"), mother);
  assert_string_equal(h_gets(items, "[2].reason"), "family_of_minor");
  assert_string_equal(h_gets(items, "[3].person_id"), elderly);
  assert_string_equal(h_gets(items, "[3].reason"), "elderly");
  assert_string_equal(h_gets(items, "[4].person_id"), student);
  assert_string_equal(h_gets(items, "[4].reason"), "student");
  assert_string_equal(h_gets(items, "[5].person_id"), other);
  assert_string_equal(h_gets(items, "[5].reason"), "other");
  /* Booked persons are no longer proposed; limit does not split the family. */
  EXPECT_STATUS(s, book(s, h_as(s, H_HQ), t, member(injured)), 201);
  h_resp_t *l2 = h_call(s, h_as(s, H_HQ), "GET", NULL,
                        "/api/v1/transports/%s/manifest/suggestions?limit=1", t);
  EXPECT_STATUS(s, l2, 200);
  assert_int_equal(json_array_size(h_get(l2->json, "items")), 1);
  assert_string_equal(h_gets(l2->json, "items[0].person_id"), child);
  h_resp_t *l3 = h_call(s, h_as(s, H_HQ), "GET", NULL,
                        "/api/v1/transports/%s/manifest/suggestions?limit=3", t);
  assert_int_equal(json_array_size(h_get(l3->json, "items")), 3);
  assert_string_equal(h_gets(l3->json, "items[2].person_id"), elderly);
  EXPECT_ERROR(s,
               h_call(s, h_as(s, H_HQ), "GET", NULL,
                      "/api/v1/transports/%s/manifest/suggestions?limit=0", t),
               422, "validation_failed", "limit");
}

static void evac_suggestions_of_a_crisis_transport_come_from_its_audience(void **state) {
  h_server_t *s = *state;
  h_resp_t *k = h_call(s, h_as(s, H_HQ), "POST",
                       "{\"name\":\"Bão Fiji\",\"kind\":\"natural_disaster\",\"countries\":"
                       "[\"FJ\"],\"regions\":[\"FJ-W\"]}",
                       "/api/v1/crises");
  EXPECT_STATUS(s, k, 201);
  const char *in = person_in(s, "Trong Vùng", "FJ", "", ",\"region\":\"FJ-W\"");
  const char *out = person_in(s, "Ngoài Vùng", "FJ", "", ",\"region\":\"FJ-C\"");
  const char *t = create_transport(s, h_as(s, H_HQ), "FJ", "evacuation", 10, h_gets(k->json, "id"));
  h_resp_t *r =
      h_call(s, h_as(s, H_HQ), "GET", NULL, "/api/v1/transports/%s/manifest/suggestions", t);
  EXPECT_STATUS(s, r, 200);
  json_t *items = h_get(r->json, "items");
  assert_int_equal(json_array_size(items), 1);
  assert_string_equal(h_gets(items, "[0].person_id"), in);
  (void)out;
}

static void evac_departed_transport_takes_no_bookings(void **state) {
  h_server_t *s = *state;
  const char *t = create_transport(s, h_as(s, H_HQ), "JO", "evacuation", 10, NULL);
  h_resp_t *d = h_call(s, h_as(s, H_HQ), "PATCH", "{\"status\":\"departed\"}",
                       "/api/v1/transports/%s", t);
  EXPECT_STATUS(s, d, 200);
  assert_string_equal(h_gets(d->json, "status"), "departed");
  h_resp_t *r = book(s, h_as(s, H_HQ), t, member(person_in(s, "Trễ Chuyến", "JO", "", "")));
  EXPECT_ERROR(s, r, 409, "conflict", "status");
  /* Back to planned is not a transition. */
  EXPECT_ERROR(s,
               h_call(s, h_as(s, H_HQ), "PATCH", "{\"status\":\"planned\"}",
                      "/api/v1/transports/%s", t),
               409, "conflict", "status");
}

int api_evac_tests(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(evac_sites_create_then_viewer_reads_counts_and_list_filters),
      cmocka_unit_test(evac_sites_checkin_counts_occupancy_and_checkout_frees_the_place),
      cmocka_unit_test(evac_sites_checkin_past_capacity_is_409_naming_the_capacity),
      cmocka_unit_test(evac_sites_person_at_another_site_is_409_until_checked_out),
      cmocka_unit_test(evac_sites_people_lists_those_present_is_audited_and_not_for_viewers),
      cmocka_unit_test(evac_sites_officer_sees_only_the_jurisdiction_and_creates_only_there),
      cmocka_unit_test(evac_sites_bad_input_is_422_naming_the_field),
      cmocka_unit_test(evac_transports_partner_flight_needs_the_partner_country),
      cmocka_unit_test(evac_manifest_books_a_group_and_counts_partner_nationals),
      cmocka_unit_test(evac_manifest_refuses_a_group_past_capacity_and_stores_none),
      cmocka_unit_test(evac_manifest_refuses_a_person_holding_a_seat_on_an_active_transport),
      cmocka_unit_test(evac_manifest_person_outside_the_officers_jurisdiction_is_404),
      cmocka_unit_test(evac_manifest_status_follows_the_transitions_and_illegal_ones_are_409),
      cmocka_unit_test(evac_arrival_of_a_repatriation_repatriates_boarded_persons_once),
      cmocka_unit_test(evac_arrival_of_an_evacuation_marks_evacuated_and_keeps_presences),
      cmocka_unit_test(evac_suggestions_rank_injured_minors_with_family_elderly_students_others),
      cmocka_unit_test(evac_suggestions_of_a_crisis_transport_come_from_its_audience),
      cmocka_unit_test(evac_departed_transport_takes_no_bookings),
  };
  return cmocka_run_group_tests_name("evac", tests, h_group_setup, h_group_teardown);
}
