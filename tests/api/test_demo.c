/*
 * test_demo.c - the demo scenario (src/cli/demo.c, demo_scenes.c) as a newcomer sees it through
 * the API: the Israel alert with its answers and the case a "need help" answer opened, cases in
 * both scenarios (the Kayin ones referred by the local authorities, one transferred to Kunming),
 * transports of both scenarios arrived with their people repatriated, the staging area near the
 * Chinese border with people in it, and the situation report of each crisis counting them.
 */
#include <stdio.h>
#include <string.h>

#include "domain/secret.h"
#include "harness.h"

struct demo_fixture {
  const char *crisis_il, *crisis_mm; /* public ids */
  const char *mission_mm, *mission_cn;
};

static struct demo_fixture dm;

static long long dm_int(const json_t *root, const char *path) {
  json_t *v = h_get(root, path);
  if (!json_is_integer(v)) fail_msg("no integer at %s", path);
  return (long long)json_integer_value(v);
}

/* 1 if the JSON array of strings at path of o holds s. */
static int dm_has_string(const json_t *o, const char *path, const char *s) {
  size_t i;
  json_t *v;
  json_array_foreach(h_get(o, path), i, v) {
    if (json_is_string(v) && strcmp(json_string_value(v), s) == 0) return 1;
  }
  return 0;
}

static int dm_setup(void **state) {
  if (h_group_setup(state) != 0) return -1;
  h_server_t *s = *state;
  json_t *crises = h_list_all(s, h_as(s, H_HQ), "/api/v1/crises", 50);
  size_t i;
  json_t *k;
  json_array_foreach(crises, i, k) {
    if (dm_has_string(k, "countries", "IL")) dm.crisis_il = h_str("%s", h_gets(k, "id"));
    if (dm_has_string(k, "countries", "MM")) dm.crisis_mm = h_str("%s", h_gets(k, "id"));
  }
  json_t *missions = h_list_all(s, h_as(s, H_ADMIN), "/api/v1/missions", 50);
  json_array_foreach(missions, i, k) {
    if (strcmp(h_gets(k, "country"), "MM") == 0) dm.mission_mm = h_str("%s", h_gets(k, "id"));
    if (strcmp(h_gets(k, "country"), "CN") == 0) dm.mission_cn = h_str("%s", h_gets(k, "id"));
  }
  if (dm.crisis_il == NULL || dm.crisis_mm == NULL || dm.mission_mm == NULL ||
      dm.mission_cn == NULL) {
    fprintf(stderr, "the demo's crises or missions are missing\n");
    return -1;
  }
  return 0;
}

/* Every case of a crisis visible to auth. */
static json_t *dm_cases(h_server_t *s, const h_auth_t *auth, const char *crisis) {
  return h_list_all(s, auth, h_str("/api/v1/cases?queue=all&status=all&crisis=%s", crisis), 100);
}

/* The number of items of list whose field is value. */
static size_t dm_count(const json_t *list, const char *field, const char *value) {
  size_t i, n = 0;
  json_t *v;
  json_array_foreach(list, i, v) {
    const char *f = h_gets(v, field);
    n += f != NULL && strcmp(f, value) == 0;
  }
  return n;
}

static void demo_israel_alert_went_to_everyone_and_was_answered(void **state) {
  h_server_t *s = *state;
  /* The demo's alert is the first one the database holds. */
  h_resp_t *r = h_call(s, h_as(s, H_HQ), "GET", NULL, "/api/v1/alerts/%s",
                       h_pubid(s, PUBID_ALERT, 1));
  EXPECT_STATUS(s, r, 200);
  assert_string_equal(h_gets(r->json, "crisis_id"), dm.crisis_il);
  assert_int_equal(dm_int(r->json, "recipients"), 320);
  /* Each recipient was written to in their language: some read English. */
  assert_true(dm_int(r->json, "languages.en") > 0);
  assert_int_equal(dm_int(r->json, "languages.vi") + dm_int(r->json, "languages.en"), 320);
  assert_true(dm_int(r->json, "answers.safe") > 200);
  assert_true(dm_int(r->json, "answers.need_help") > 0);
  assert_true(dm_int(r->json, "answers.not_in_area") > 0);
  assert_true(dm_int(r->json, "answers.no_answer") > 0);
  /* Nothing was sent to anyone: no channel is configured for the demo's messages. */
  assert_int_equal(dm_int(r->json, "delivery.email.sent"), 0);
  /* Those who need help are listed for the officers. */
  r = h_call(s, h_as(s, H_ISRAEL), "GET", NULL, "/api/v1/crises/%s/needs-help", dm.crisis_il);
  EXPECT_STATUS(s, r, 200);
  assert_true(json_array_size(h_get(r->json, "items")) > 0);
}

static void demo_some_settled_people_in_israel_read_english(void **state) {
  h_server_t *s = *state;
  json_t *people = h_list_all(s, h_as(s, H_HQ), "/api/v1/persons?country=IL", 100);
  size_t en = dm_count(people, "preferred_language", "en");
  size_t vi = dm_count(people, "preferred_language", "vi");
  /* Vietnamese stays the language of most; the others make the alert's language split show. */
  assert_true(en > 0);
  assert_true(vi > en);
  assert_int_equal(en + vi, json_array_size(people));
}

static void demo_need_help_answers_opened_cases_of_the_israel_embassy(void **state) {
  h_server_t *s = *state;
  json_t *cases = dm_cases(s, h_as(s, H_ISRAEL), dm.crisis_il);
  assert_true(dm_count(cases, "channel", "check_in") > 0);
  /* Several types and states, from several channels. */
  assert_true(dm_count(cases, "type", "evacuation_request") > 0);
  assert_true(dm_count(cases, "type", "medical") > 0);
  assert_true(dm_count(cases, "type", "missing_person_report") > 0);
  assert_true(dm_count(cases, "status", "new") > 0);
  assert_true(dm_count(cases, "status", "in_progress") > 0);
  assert_true(dm_count(cases, "status", "resolved") > 0);
  assert_true(dm_count(cases, "status", "closed") > 0);
  assert_true(dm_count(cases, "channel", "hotline") > 0);
  /* A case carries its timeline: created, then the officer's steps and notes. */
  const char *id = NULL;
  size_t i;
  json_t *k;
  json_array_foreach(cases, i, k) {
    if (strcmp(h_gets(k, "status"), "closed") == 0) id = h_gets(k, "id");
  }
  assert_non_null(id);
  h_resp_t *r = h_call(s, h_as(s, H_ISRAEL), "GET", NULL, "/api/v1/cases/%s", id);
  EXPECT_STATUS(s, r, 200);
  json_t *timeline = h_get(r->json, "timeline");
  assert_true(json_array_size(timeline) >= 3);
  assert_string_equal(h_gets(timeline, "[0].kind"), "created");
  assert_non_null(strstr(h_gets(r->json, "opened_at"), "2023-1"));
}

static void demo_kayin_cases_are_referrals_of_the_embassy_in_myanmar(void **state) {
  h_server_t *s = *state;
  json_t *all = dm_cases(s, h_as(s, H_HQ), dm.crisis_mm);
  assert_true(json_array_size(all) >= 3);
  assert_int_equal(dm_count(all, "channel", "partner_referral"), json_array_size(all));
  assert_true(dm_count(all, "type", "trafficking") > 0);
  assert_true(dm_count(all, "type", "detention") > 0);
  /* One was handed to the Consulate General in Kunming: the Embassy no longer sees it. */
  assert_int_equal(dm_count(all, "mission", dm.mission_cn), 1);
  assert_int_equal(dm_count(all, "mission", dm.mission_mm), json_array_size(all) - 1);
  json_t *mine = dm_cases(s, h_as(s, H_MYANMAR), dm.crisis_mm);
  assert_int_equal(json_array_size(mine), json_array_size(all) - 1);
  assert_int_equal(dm_count(mine, "mission", dm.mission_cn), 0);
  h_auth_t kunming;
  h_login(s, "kunming@baoho.example", "demo-kunming-2023", &kunming);
  json_t *theirs = dm_cases(s, &kunming, dm.crisis_mm);
  assert_int_equal(json_array_size(theirs), 1);
  assert_string_equal(h_gets(theirs, "[0].mission"), dm.mission_cn);
}

/* The transports of a crisis that arrived, kept. */
static json_t *dm_arrived(h_server_t *s, const char *crisis) {
  return h_list_all(s, h_as(s, H_HQ),
                    h_str("/api/v1/transports?crisis=%s&status=arrived", crisis), 50);
}

/* Checks that every registered person who arrived on transport t is repatriated; returns how
 * many there were. */
static size_t dm_repatriated_on(h_server_t *s, const json_t *t) {
  json_t *entries = h_list_all(s, h_as(s, H_HQ),
                               h_str("/api/v1/transports/%s/manifest", h_gets(t, "id")), 100);
  size_t i, n = 0;
  json_t *e;
  json_array_foreach(entries, i, e) {
    assert_string_equal(h_gets(e, "status"), "arrived");
    const char *p = h_gets(e, "person_id");
    if (p == NULL) continue;
    h_resp_t *r = h_call(s, h_as(s, H_HQ), "GET", NULL, "/api/v1/persons/%s/status", p);
    EXPECT_STATUS(s, r, 200);
    assert_string_equal(h_gets(r->json, "status"), "repatriated");
    n++;
  }
  return n;
}

static void demo_israel_students_came_home_on_commercial_and_partner_flights(void **state) {
  h_server_t *s = *state;
  json_t *arrived = dm_arrived(s, dm.crisis_il);
  assert_true(dm_count(arrived, "provider", "commercial") >= 1);
  assert_true(dm_count(arrived, "provider", "partner") >= 1);
  size_t i, people = 0, offered = 0, received = 0;
  json_t *t;
  json_array_foreach(arrived, i, t) {
    assert_string_equal(h_gets(t, "mode"), "flight");
    assert_string_equal(h_gets(t, "purpose"), "repatriation");
    people += dm_repatriated_on(s, t);
    offered += dm_count(h_get(t, "seats"), "direction", "offered");
    received += dm_count(h_get(t, "seats"), "direction", "received");
  }
  assert_true(people > 0);
  assert_true(offered > 0);
  assert_true(received > 0);
}

static void demo_kayin_people_came_home_overland_by_bus(void **state) {
  h_server_t *s = *state;
  json_t *arrived = dm_arrived(s, dm.crisis_mm);
  assert_true(dm_count(arrived, "mode", "bus") >= 1);
  size_t i, people = 0;
  json_t *t;
  json_array_foreach(arrived, i, t) {
    assert_string_equal(h_gets(t, "origin.country"), "MM");
    people += dm_repatriated_on(s, t);
  }
  assert_true(people > 0);
}

static void demo_staging_site_near_the_chinese_border_is_occupied(void **state) {
  h_server_t *s = *state;
  json_t *sites = h_list_all(s, h_as(s, H_MYANMAR), h_str("/api/v1/sites?crisis=%s", dm.crisis_mm),
                             50);
  size_t i, found = 0;
  json_t *k;
  json_array_foreach(sites, i, k) {
    json_t *lat = h_get(k, "position.lat");
    /* Myanmar's border with Yunnan runs north of 23°N (Muse, Lashio); Kayin State is south. */
    if (strstr(h_gets(k, "name"), "Trung Quốc") == NULL || !json_is_number(lat) ||
        json_number_value(lat) < 23.0) {
      continue;
    }
    assert_true(dm_int(k, "occupancy") > 0);
    assert_true(dm_int(k, "occupancy") <= dm_int(k, "capacity"));
    h_resp_t *r = h_call(s, h_as(s, H_MYANMAR), "GET", NULL, "/api/v1/sites/%s/people?present=true",
                         h_gets(k, "id"));
    EXPECT_STATUS(s, r, 200);
    assert_true(json_array_size(h_get(r->json, "items")) > 0);
    found++;
  }
  assert_int_equal(found, 1);
}

static void demo_sitrep_of_each_crisis_counts_the_repatriated(void **state) {
  h_server_t *s = *state;
  const char *crises[2] = {dm.crisis_il, dm.crisis_mm};
  for (int i = 0; i < 2; i++) {
    h_resp_t *r = h_call(s, h_as(s, H_HQ), "GET", NULL, "/api/v1/crises/%s/sitrep?format=json",
                         crises[i]);
    EXPECT_STATUS(s, r, 200);
    assert_true(dm_int(r->json, "repatriated.total") > 0);
    assert_true(dm_int(r->json, "repatriated.transports") > 0);
    assert_true(dm_int(r->json, "cases.opened") > 0);
    assert_true(dm_int(r->json, "moved_to_safety.total") > 0);
  }
  /* The Israel report counts the partner nationals who flew on the commercial flight. */
  h_resp_t *r = h_call(s, h_as(s, H_HQ), "GET", NULL, "/api/v1/crises/%s/sitrep?format=json",
                       dm.crisis_il);
  assert_true(dm_int(r->json, "repatriated.partner_nationals") > 0);
}

int api_demo_tests(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(demo_israel_alert_went_to_everyone_and_was_answered),
      cmocka_unit_test(demo_some_settled_people_in_israel_read_english),
      cmocka_unit_test(demo_need_help_answers_opened_cases_of_the_israel_embassy),
      cmocka_unit_test(demo_kayin_cases_are_referrals_of_the_embassy_in_myanmar),
      cmocka_unit_test(demo_israel_students_came_home_on_commercial_and_partner_flights),
      cmocka_unit_test(demo_kayin_people_came_home_overland_by_bus),
      cmocka_unit_test(demo_staging_site_near_the_chinese_border_is_occupied),
      cmocka_unit_test(demo_sitrep_of_each_crisis_counts_the_repatriated),
  };
  return cmocka_run_group_tests_name("demo", tests, dm_setup, h_group_teardown);
}
