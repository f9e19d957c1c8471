/*
 * test_cases.c - assistance cases against the real server: intake with registered persons and
 * with an unregistered caller (and the caller made a person), the computed and overridden
 * priority and due time, the workflow and its refusals, the timeline, assignment rules, transfer
 * between missions and what it does to who sees the case, the queues and their order, the read
 * audit, and the case a check-in answered "need help" opens by itself (once per person and
 * crisis while it is open).
 */
#include <curl/curl.h>
#include <stdio.h>
#include <string.h>

#include "alert/alert.h"
#include "domain/case.h"
#include "domain/pdate.h"
#include "domain/secret.h"
#include "harness.h"

struct cs_fixture {
  h_auth_t kunming;
  const char *mission_il, *mission_mm, *mission_cn; /* public ids */
  const char *user_israel, *user_myanmar, *user_hq;
  const char *minor_il;   /* a minor present in Israel (registered by hq) */
  const char *adult_il;   /* an adult present in Israel */
  const char *adult_mm;   /* an adult present in Myanmar */
};

static struct cs_fixture cs;

static const char *cs_mission(h_server_t *s, const char *country) {
  json_t *all = h_list_all(s, h_as(s, H_ADMIN), "/api/v1/missions", 50);
  size_t i;
  json_t *m;
  json_array_foreach(all, i, m) {
    if (strcmp(h_gets(m, "country"), country) == 0) return h_str("%s", h_gets(m, "id"));
  }
  fail_msg("no demo mission in %s", country);
  return NULL;
}

static const char *cs_me(h_server_t *s, const h_auth_t *auth) {
  h_resp_t *r = h_call(s, auth, "GET", NULL, "/api/v1/session");
  EXPECT_STATUS(s, r, 200);
  return h_str("%s", h_gets(r->json, "user.id"));
}

static int cs_setup(void **state) {
  if (h_group_setup(state) != 0) return -1;
  h_server_t *s = *state;
  h_login(s, "kunming@baoho.example", "demo-kunming-2023", &cs.kunming);
  cs.mission_il = cs_mission(s, "IL");
  cs.mission_mm = cs_mission(s, "MM");
  cs.mission_cn = cs_mission(s, "CN");
  cs.user_israel = cs_me(s, h_as(s, H_ISRAEL));
  cs.user_myanmar = cs_me(s, h_as(s, H_MYANMAR));
  cs.user_hq = cs_me(s, h_as(s, H_HQ));
  h_resp_t *r = h_create_person(
      s, h_as(s, H_HQ),
      "{\"full_name\":\"Cao Thị Bé\",\"flags\":[\"minor\"],\"presence\":{\"country\":\"IL\","
      "\"city\":\"Haifa\",\"category\":\"student\"}}");
  cs.minor_il = h_str("%s", h_gets(r->json, "id"));
  r = h_create_person(s, h_as(s, H_HQ), h_person_json("Đỗ Văn Lớn", "IL", "IL-TA", "worker"));
  cs.adult_il = h_str("%s", h_gets(r->json, "id"));
  r = h_create_person(s, h_as(s, H_HQ), h_person_json("Vũ Văn Kayin", "MM", "MM-13", "worker"));
  cs.adult_mm = h_str("%s", h_gets(r->json, "id"));
  return 0;
}

/* Opens a case as auth with the given JSON fields (inserted verbatim); returns the 201 answer. */
static h_resp_t *cs_open(h_server_t *s, const h_auth_t *auth, const char *fields) {
  h_resp_t *r = h_call(s, auth, "POST", h_str("{%s}", fields), "/api/v1/cases");
  EXPECT_STATUS(s, r, 201);
  return r;
}

/* The kinds of a case's timeline, comma-separated. */
static const char *cs_kinds(const json_t *timeline) {
  char *out = h_str("%s", "");
  size_t i;
  json_t *e;
  json_array_foreach(timeline, i, e) out = h_str("%s%s%s", out, i ? "," : "", h_gets(e, "kind"));
  return out;
}

static void cases_priority_is_computed_from_type_and_persons_and_due_follows(void **state) {
  h_server_t *s = *state;
  /* Lost documents are low; a minor among the persons raises them one step. */
  h_resp_t *r = cs_open(s, h_as(s, H_ISRAEL),
                        h_str("\"type\":\"lost_documents\",\"summary\":\"Mất hộ chiếu\","
                              "\"persons\":[\"%s\"]",
                              cs.adult_il));
  assert_string_equal(h_gets(r->json, "priority"), "low");
  assert_string_equal(h_gets(r->json, "status"), "new");
  assert_string_equal(h_gets(r->json, "channel"), "hotline");
  assert_string_equal(h_gets(r->json, "mission"), cs.mission_il);
  assert_false(json_is_true(h_get(r->json, "priority_overridden")));
  r = cs_open(s, h_as(s, H_ISRAEL),
              h_str("\"type\":\"lost_documents\",\"summary\":\"Mất hộ chiếu\","
                    "\"persons\":[\"%s\",\"%s\"]",
                    cs.adult_il, cs.minor_il));
  assert_string_equal(h_gets(r->json, "priority"), "normal");
  assert_string_equal(h_gets(r->json, "priority_computed"), "normal");
  /* Normal: due three days after opening. */
  int64_t opened = 0, due = 0;
  assert_int_equal(pdate_parse_timestamp(h_gets(r->json, "opened_at"), &opened), 0);
  assert_int_equal(pdate_parse_timestamp(h_gets(r->json, "due_at"), &due), 0);
  assert_int_equal(due - opened, 72 * 3600);
  assert_int_equal(json_array_size(h_get(r->json, "persons")), 2);
  assert_string_equal(cs_kinds(h_get(r->json, "timeline")), "created,person_linked,person_linked");
  /* Trafficking is critical by itself. */
  r = cs_open(s, h_as(s, H_ISRAEL),
              "\"type\":\"trafficking\",\"summary\":\"Bị giữ tại công trường\","
              "\"caller\":{\"name\":\"Nguyễn Văn Gọi\",\"phone\":\"+84 90 111 2222\","
              "\"relation\":\"brother\"}");
  assert_string_equal(h_gets(r->json, "priority"), "critical");
  assert_string_equal(h_gets(r->json, "caller.name"), "Nguyễn Văn Gọi");
  assert_true(json_is_null(h_get(r->json, "caller.person")));
}

static void cases_priority_override_is_kept_and_shown_as_such(void **state) {
  h_server_t *s = *state;
  h_resp_t *r = cs_open(s, h_as(s, H_ISRAEL),
                        h_str("\"type\":\"financial\",\"summary\":\"Hết tiền\",\"persons\":[\"%s\"]",
                              cs.adult_il));
  const char *id = h_str("%s", h_gets(r->json, "id"));
  const char *due = h_str("%s", h_gets(r->json, "due_at"));
  r = h_call(s, h_as(s, H_ISRAEL), "PATCH", "{\"priority\":\"critical\"}", "/api/v1/cases/%s", id);
  EXPECT_STATUS(s, r, 200);
  assert_string_equal(h_gets(r->json, "priority"), "critical");
  assert_string_equal(h_gets(r->json, "priority_computed"), "low");
  assert_true(json_is_true(h_get(r->json, "priority_overridden")));
  /* The due time follows the effective priority while nobody set it by hand. */
  assert_string_not_equal(h_gets(r->json, "due_at"), due);
  assert_non_null(strstr(cs_kinds(h_get(r->json, "timeline")), "priority,due"));
  /* A hand-set due time stays through later priority changes. */
  r = h_call(s, h_as(s, H_ISRAEL), "PATCH", "{\"due_at\":\"2030-01-02T03:04:05Z\"}",
             "/api/v1/cases/%s", id);
  EXPECT_STATUS(s, r, 200);
  assert_true(json_is_true(h_get(r->json, "due_overridden")));
  r = h_call(s, h_as(s, H_ISRAEL), "PATCH", "{\"priority\":null}", "/api/v1/cases/%s", id);
  EXPECT_STATUS(s, r, 200);
  assert_string_equal(h_gets(r->json, "priority"), "low");
  assert_false(json_is_true(h_get(r->json, "priority_overridden")));
  assert_string_equal(h_gets(r->json, "due_at"), "2030-01-02T03:04:05Z");
  EXPECT_ERROR(s, h_call(s, h_as(s, H_ISRAEL), "PATCH", "{\"priority\":\"urgent\"}",
                         "/api/v1/cases/%s", id),
               422, "validation_failed", "priority");
}

static void cases_workflow_runs_its_chain_and_reopens(void **state) {
  h_server_t *s = *state;
  h_resp_t *r = cs_open(s, h_as(s, H_ISRAEL),
                        h_str("\"type\":\"medical\",\"summary\":\"Nhập viện\",\"persons\":[\"%s\"]",
                              cs.adult_il));
  const char *id = h_str("%s", h_gets(r->json, "id"));
  const char *chain[] = {"triaged", "in_progress", "resolved", "closed", "in_progress"};
  for (size_t i = 0; i < sizeof(chain) / sizeof(chain[0]); i++) {
    r = h_call(s, h_as(s, H_ISRAEL), "PATCH",
               h_str("{\"status\":\"%s\",\"note\":\"bước %zu\"}", chain[i], i), "/api/v1/cases/%s",
               id);
    EXPECT_STATUS(s, r, 200);
    assert_string_equal(h_gets(r->json, "status"), chain[i]);
    if (strcmp(chain[i], "resolved") == 0) assert_non_null(h_gets(r->json, "resolved_at"));
    if (strcmp(chain[i], "closed") == 0) assert_non_null(h_gets(r->json, "closed_at"));
  }
  /* Reopened: the workflow's times are cleared. */
  assert_true(json_is_null(h_get(r->json, "closed_at")));
  assert_true(json_is_null(h_get(r->json, "resolved_at")));
  json_t *tl = h_get(r->json, "timeline");
  assert_string_equal(cs_kinds(tl), "created,person_linked,status,status,status,status,status");
  assert_string_equal(h_gets(json_array_get(tl, 6), "detail.from"), "closed");
  assert_string_equal(h_gets(json_array_get(tl, 6), "detail.to"), "in_progress");
  assert_string_equal(h_gets(json_array_get(tl, 6), "note"), "bước 4");
  assert_string_equal(h_gets(json_array_get(tl, 2), "author"), cs.user_israel);
}

static void cases_illegal_transition_is_409_naming_status_and_allowed_states(void **state) {
  h_server_t *s = *state;
  h_resp_t *r = cs_open(s, h_as(s, H_ISRAEL),
                        h_str("\"type\":\"other\",\"summary\":\"Hỏi thủ tục\",\"persons\":[\"%s\"]",
                              cs.adult_il));
  const char *id = h_str("%s", h_gets(r->json, "id"));
  r = h_call(s, h_as(s, H_ISRAEL), "PATCH", "{\"status\":\"resolved\"}", "/api/v1/cases/%s", id);
  EXPECT_ERROR(s, r, 409, "conflict", "status");
  json_t *allowed = h_get(r->json, "error.allowed");
  assert_int_equal(json_array_size(allowed), 2);
  assert_string_equal(json_string_value(json_array_get(allowed, 0)), "triaged");
  assert_string_equal(json_string_value(json_array_get(allowed, 1)), "closed");
  /* Nothing changed, not even a note. */
  r = h_call(s, h_as(s, H_ISRAEL), "GET", NULL, "/api/v1/cases/%s", id);
  EXPECT_STATUS(s, r, 200);
  assert_string_equal(h_gets(r->json, "status"), "new");
  assert_string_equal(cs_kinds(h_get(r->json, "timeline")), "created,person_linked");
  EXPECT_ERROR(s, h_call(s, h_as(s, H_ISRAEL), "PATCH", "{\"status\":\"done\"}",
                         "/api/v1/cases/%s", id),
               422, "validation_failed", "status");
}

static void cases_intake_refuses_bad_input_naming_the_field(void **state) {
  h_server_t *s = *state;
  const h_auth_t *il = h_as(s, H_ISRAEL);
  /* A person outside the officer's jurisdiction is like one that does not exist. */
  EXPECT_ERROR(s, h_call(s, il, "POST", h_str("{\"type\":\"medical\",\"summary\":\"x\","
                                               "\"persons\":[\"%s\"]}", cs.adult_mm),
                         "/api/v1/cases"),
               422, "validation_failed", "persons[0]");
  EXPECT_ERROR(s, h_call(s, il, "POST", "{\"type\":\"medical\",\"summary\":\"x\"}", "/api/v1/cases"),
               422, "validation_failed", "persons");
  EXPECT_ERROR(s, h_call(s, il, "POST", "{\"type\":\"picnic\",\"summary\":\"x\",\"caller\":"
                                        "{\"name\":\"A\"}}", "/api/v1/cases"),
               422, "validation_failed", "type");
  EXPECT_ERROR(s, h_call(s, il, "POST", "{\"type\":\"medical\",\"caller\":{\"name\":\"A\"}}",
                         "/api/v1/cases"),
               422, "validation_failed", "summary");
  char big[CASE_SUMMARY_MAX + 2];
  memset(big, 'a', sizeof(big) - 1);
  big[sizeof(big) - 1] = '\0';
  EXPECT_ERROR(s, h_call(s, il, "POST", h_str("{\"type\":\"medical\",\"summary\":\"%s\","
                                               "\"caller\":{\"name\":\"A\"}}", big),
                         "/api/v1/cases"),
               422, "validation_failed", "summary");
  EXPECT_ERROR(s, h_call(s, il, "POST", "{\"type\":\"medical\",\"summary\":\"x\",\"caller\":"
                                        "{\"name\":\"A\",\"phone\":\"call me\"}}", "/api/v1/cases"),
               422, "validation_failed", "caller.phone");
  EXPECT_ERROR(s, h_call(s, il, "POST", h_str("{\"type\":\"medical\",\"summary\":\"x\","
                                               "\"caller\":{\"name\":\"A\"},\"mission\":\"%s\"}",
                                               cs.mission_mm),
                         "/api/v1/cases"),
               403, "forbidden", "mission");
  /* The assignee must belong to the case's mission, or to hq. */
  EXPECT_ERROR(s, h_call(s, il, "POST", h_str("{\"type\":\"medical\",\"summary\":\"x\","
                                               "\"caller\":{\"name\":\"A\"},\"assigned_to\":\"%s\"}",
                                               cs.user_myanmar),
                         "/api/v1/cases"),
               422, "validation_failed", "assigned_to");
  EXPECT_ERROR(s, h_call(s, il, "POST", "{\"type\":\"medical\",\"summary\":\"x\",\"caller\":"
                                        "{\"name\":\"A\"},\"colour\":\"red\"}", "/api/v1/cases"),
               422, "validation_failed", "colour");
}

static void cases_are_hidden_from_other_missions_and_from_viewers(void **state) {
  h_server_t *s = *state;
  h_resp_t *r = cs_open(s, h_as(s, H_ISRAEL),
                        h_str("\"type\":\"detention\",\"summary\":\"Bị tạm giữ\",\"persons\":[\"%s\"]",
                              cs.adult_il));
  const char *id = h_str("%s", h_gets(r->json, "id"));
  const h_auth_t *mm = h_as(s, H_MYANMAR);
  EXPECT_ERROR(s, h_call(s, mm, "GET", NULL, "/api/v1/cases/%s", id), 404, "not_found", NULL);
  EXPECT_ERROR(s, h_call(s, mm, "PATCH", "{\"status\":\"triaged\"}", "/api/v1/cases/%s", id), 404,
               "not_found", NULL);
  EXPECT_ERROR(s, h_call(s, mm, "POST", "{\"text\":\"x\"}", "/api/v1/cases/%s/notes", id), 404,
               "not_found", NULL);
  EXPECT_ERROR(s, h_call(s, mm, "GET", NULL, "/api/v1/cases/%s/timeline", id), 404, "not_found",
               NULL);
  EXPECT_ERROR(s, h_call(s, mm, "POST", h_str("{\"mission_id\":\"%s\",\"reason\":\"x\"}",
                                              cs.mission_mm),
                         "/api/v1/cases/%s/transfer", id),
               404, "not_found", NULL);
  assert_false(h_has_id(h_list_all(s, mm, "/api/v1/cases?status=all", 100), id));
  assert_true(h_has_id(h_list_all(s, h_as(s, H_HQ), "/api/v1/cases?status=all", 100), id));
  assert_true(h_has_id(h_list_all(s, h_as(s, H_ISRAEL), "/api/v1/cases", 100), id));
  EXPECT_ERROR(s, h_call(s, h_as(s, H_VIEWER), "GET", NULL, "/api/v1/cases"), 403, "forbidden",
               NULL);
  EXPECT_ERROR(s, h_call(s, h_as(s, H_VIEWER), "GET", NULL, "/api/v1/cases/%s", id), 403,
               "forbidden", NULL);
  EXPECT_ERROR(s, h_call(s, NULL, "GET", NULL, "/api/v1/cases/%s", id), 401, "unauthenticated",
               NULL);
  /* Reading a case is audited, like reading a person. */
  r = h_call(s, h_as(s, H_ADMIN), "GET", NULL, "/api/v1/audit?user=%s&limit=500", cs.user_israel);
  EXPECT_STATUS(s, r, 200);
  int reads = 0;
  size_t i;
  json_t *e;
  json_array_foreach(h_get(r->json, "items"), i, e) {
    reads += strcmp(h_gets(e, "action"), "case.read") == 0 || strcmp(h_gets(e, "action"), "case.list") == 0;
  }
  assert_true(reads >= 1);
}

static void cases_transfer_moves_the_case_to_the_other_missions_officers(void **state) {
  h_server_t *s = *state;
  const h_auth_t *mm = h_as(s, H_MYANMAR);
  h_resp_t *r = cs_open(s, mm,
                        h_str("\"type\":\"evacuation_request\",\"summary\":\"Đưa về qua biên giới\","
                              "\"persons\":[\"%s\"],\"assigned_to\":\"%s\"",
                              cs.adult_mm, cs.user_myanmar));
  const char *id = h_str("%s", h_gets(r->json, "id"));
  assert_string_equal(h_gets(r->json, "assigned_to"), cs.user_myanmar);
  EXPECT_STATUS(s, h_call(s, &cs.kunming, "GET", NULL, "/api/v1/cases/%s", id), 404);
  /* To the mission that owns it already: refused. */
  EXPECT_ERROR(s, h_call(s, mm, "POST", h_str("{\"mission_id\":\"%s\",\"reason\":\"x\"}",
                                              cs.mission_mm),
                         "/api/v1/cases/%s/transfer", id),
               409, "conflict", "mission_id");
  EXPECT_ERROR(s, h_call(s, mm, "POST", h_str("{\"mission_id\":\"%s\"}", cs.mission_cn),
                         "/api/v1/cases/%s/transfer", id),
               422, "validation_failed", "reason");
  r = h_call(s, mm, "POST",
             h_str("{\"mission_id\":\"%s\",\"reason\":\"Đã sang Vân Nam\"}", cs.mission_cn),
             "/api/v1/cases/%s/transfer", id);
  EXPECT_STATUS(s, r, 200);
  assert_string_equal(h_gets(r->json, "mission"), cs.mission_cn);
  assert_true(json_is_null(h_get(r->json, "assigned_to")));
  /* The old mission's officers no longer see it; the new mission's do. */
  EXPECT_STATUS(s, h_call(s, mm, "GET", NULL, "/api/v1/cases/%s", id), 404);
  assert_false(h_has_id(h_list_all(s, mm, "/api/v1/cases", 100), id));
  r = h_call(s, &cs.kunming, "GET", NULL, "/api/v1/cases/%s", id);
  EXPECT_STATUS(s, r, 200);
  assert_true(h_has_id(h_list_all(s, &cs.kunming, "/api/v1/cases?queue=mission", 100), id));
  json_t *tl = h_get(r->json, "timeline");
  json_t *last = json_array_get(tl, json_array_size(tl) - 1);
  assert_string_equal(h_gets(last, "kind"), "transferred");
  assert_string_equal(h_gets(last, "detail.mission"), cs.mission_cn);
  assert_string_equal(h_gets(last, "detail.previous_mission"), cs.mission_mm);
  assert_string_equal(h_gets(last, "detail.previous_user"), cs.user_myanmar);
  assert_string_equal(h_gets(last, "note"), "Đã sang Vân Nam");
  /* hq may transfer any case back. */
  r = h_call(s, h_as(s, H_HQ), "POST",
             h_str("{\"mission_id\":\"%s\",\"reason\":\"Trả lại\"}", cs.mission_mm),
             "/api/v1/cases/%s/transfer", id);
  EXPECT_STATUS(s, r, 200);
  EXPECT_STATUS(s, h_call(s, &cs.kunming, "GET", NULL, "/api/v1/cases/%s", id), 404);
  EXPECT_STATUS(s, h_call(s, mm, "GET", NULL, "/api/v1/cases/%s", id), 200);
}

static void cases_assignment_takes_officers_of_the_mission_or_hq(void **state) {
  h_server_t *s = *state;
  const h_auth_t *il = h_as(s, H_ISRAEL);
  h_resp_t *r = cs_open(s, il, h_str("\"type\":\"death\",\"summary\":\"Báo tử\",\"persons\":[\"%s\"]",
                                     cs.adult_il));
  const char *id = h_str("%s", h_gets(r->json, "id"));
  EXPECT_ERROR(s, h_call(s, il, "PATCH", h_str("{\"assigned_to\":\"%s\"}", cs.user_myanmar),
                         "/api/v1/cases/%s", id),
               422, "validation_failed", "assigned_to");
  r = h_call(s, il, "PATCH", h_str("{\"assigned_to\":\"%s\"}", cs.user_israel), "/api/v1/cases/%s",
             id);
  EXPECT_STATUS(s, r, 200);
  assert_true(h_has_id(h_list_all(s, il, "/api/v1/cases?queue=mine", 100), id));
  r = h_call(s, il, "PATCH", h_str("{\"assigned_to\":\"%s\"}", cs.user_hq), "/api/v1/cases/%s", id);
  EXPECT_STATUS(s, r, 200);
  assert_false(h_has_id(h_list_all(s, il, "/api/v1/cases?queue=mine", 100), id));
  assert_true(h_has_id(h_list_all(s, h_as(s, H_HQ), "/api/v1/cases?queue=mine", 100), id));
  json_t *tl = h_get(r->json, "timeline");
  json_t *last = json_array_get(tl, json_array_size(tl) - 1);
  assert_string_equal(h_gets(last, "kind"), "assigned");
  assert_string_equal(h_gets(last, "detail.user"), cs.user_hq);
  assert_string_equal(h_gets(last, "detail.previous_user"), cs.user_israel);
}

/* The rank of a priority word, for order checks. */
static int cs_rank(const char *p) {
  return strcmp(p, "critical") == 0 ? 0 : strcmp(p, "high") == 0 ? 1 : strcmp(p, "normal") == 0 ? 2 : 3;
}

static void cases_queues_are_ordered_by_priority_then_due_and_paged(void **state) {
  h_server_t *s = *state;
  const h_auth_t *il = h_as(s, H_ISRAEL);
  const char *types[] = {"financial", "trafficking", "death", "medical", "lost_documents",
                         "trafficking", "other"};
  const char *overdue = NULL;
  for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
    h_resp_t *r = cs_open(s, il,
                          h_str("\"type\":\"%s\",\"summary\":\"Hàng đợi %zu\",\"caller\":"
                                "{\"name\":\"Người gọi %zu\"}%s",
                                types[i], i, i,
                                i == 6 ? ",\"due_at\":\"2020-01-01T00:00:00Z\"" : ""));
    if (i == 6) overdue = h_str("%s", h_gets(r->json, "id"));
  }
  json_t *all = h_list_all(s, il, "/api/v1/cases?queue=mission", 2);
  assert_true(json_array_size(all) >= 7);
  for (size_t i = 1; i < json_array_size(all); i++) {
    json_t *a = json_array_get(all, i - 1), *b = json_array_get(all, i);
    int ra = cs_rank(h_gets(a, "priority")), rb = cs_rank(h_gets(b, "priority"));
    assert_true(ra <= rb);
    if (ra == rb) assert_true(strcmp(h_gets(a, "due_at"), h_gets(b, "due_at")) <= 0);
    assert_string_equal(h_gets(b, "mission"), cs.mission_il);
  }
  /* Overdue: due in the past and still open. */
  json_t *late = h_list_all(s, il, "/api/v1/cases?queue=overdue", 50);
  assert_true(h_has_id(late, overdue));
  size_t i;
  json_t *c;
  json_array_foreach(late, i, c) assert_true(json_is_true(h_get(c, "overdue")));
  /* Filters. */
  json_t *traf = h_list_all(s, il, "/api/v1/cases?type=trafficking", 50);
  assert_true(json_array_size(traf) >= 2);
  json_array_foreach(traf, i, c) assert_string_equal(h_gets(c, "type"), "trafficking");
  EXPECT_ERROR(s, h_call(s, il, "GET", NULL, "/api/v1/cases?queue=everything"), 422,
               "validation_failed", "queue");
  EXPECT_ERROR(s, h_call(s, il, "GET", NULL, "/api/v1/cases?status=gone"), 422,
               "validation_failed", "status");
  EXPECT_ERROR(s, h_call(s, il, "GET", NULL, "/api/v1/cases?limit=501"), 422, "validation_failed",
               "limit");
  /* A closed case leaves the default (open) queue and stays under status=all. */
  h_resp_t *r = h_call(s, il, "PATCH", "{\"status\":\"closed\",\"note\":\"trùng\"}",
                       "/api/v1/cases/%s", overdue);
  EXPECT_STATUS(s, r, 200);
  assert_false(h_has_id(h_list_all(s, il, "/api/v1/cases", 50), overdue));
  assert_false(h_has_id(h_list_all(s, il, "/api/v1/cases?queue=overdue", 50), overdue));
  assert_true(h_has_id(h_list_all(s, il, "/api/v1/cases?status=all", 3), overdue));
  assert_true(h_has_id(h_list_all(s, il, "/api/v1/cases?status=closed", 3), overdue));
}

static void cases_notes_and_persons_join_the_timeline_which_pages(void **state) {
  h_server_t *s = *state;
  const h_auth_t *il = h_as(s, H_ISRAEL);
  h_resp_t *r = cs_open(s, il, h_str("\"type\":\"lost_documents\",\"summary\":\"Mất giấy tờ\","
                                     "\"persons\":[\"%s\"]", cs.adult_il));
  const char *id = h_str("%s", h_gets(r->json, "id"));
  for (int i = 0; i < 3; i++) {
    r = h_call(s, il, "POST", h_str("{\"text\":\"Ghi chú %d\\nDòng hai\"}", i),
               "/api/v1/cases/%s/notes", id);
    EXPECT_STATUS(s, r, 201);
    assert_string_equal(h_gets(r->json, "kind"), "note");
  }
  /* Linking a minor recomputes the priority (low -> normal). */
  r = h_call(s, il, "POST", h_str("{\"person\":\"%s\"}", cs.minor_il), "/api/v1/cases/%s/persons", id);
  EXPECT_STATUS(s, r, 201);
  assert_string_equal(h_gets(r->json, "priority"), "normal");
  EXPECT_ERROR(s, h_call(s, il, "POST", h_str("{\"person\":\"%s\"}", cs.minor_il),
                         "/api/v1/cases/%s/persons", id),
               409, "conflict", "person");
  EXPECT_ERROR(s, h_call(s, il, "POST", h_str("{\"person\":\"%s\"}", cs.adult_mm),
                         "/api/v1/cases/%s/persons", id),
               422, "validation_failed", "person");
  json_t *tl = h_list_all(s, il, h_str("/api/v1/cases/%s/timeline", id), 2);
  assert_string_equal(cs_kinds(tl), "created,person_linked,note,note,note,person_linked,priority");
  assert_string_equal(h_gets(json_array_get(tl, 2), "note"), "Ghi chú 0\nDòng hai");
  assert_string_equal(h_gets(json_array_get(tl, 5), "detail.person"), cs.minor_il);
}

static void cases_caller_becomes_a_person_linked_to_the_case(void **state) {
  h_server_t *s = *state;
  const h_auth_t *il = h_as(s, H_ISRAEL);
  h_resp_t *r = cs_open(s, il,
                        "\"type\":\"missing_person_report\",\"summary\":\"Mất liên lạc với con\","
                        "\"caller\":{\"name\":\"Trịnh Thị Mẹ\",\"phone\":\"+84 91 555 0101\","
                        "\"relation\":\"mother\",\"notes\":\"Gọi từ Nghệ An\"}");
  const char *id = h_str("%s", h_gets(r->json, "id"));
  assert_int_equal(json_array_size(h_get(r->json, "persons")), 0);
  /* An officer places the new person inside the jurisdiction only. */
  EXPECT_ERROR(s, h_call(s, il, "POST", "{\"presence\":{\"country\":\"MM\",\"category\":\"other\"}}",
                         "/api/v1/cases/%s/promote-caller", id),
               403, "forbidden", "presence.country");
  EXPECT_ERROR(s, h_call(s, il, "POST", "{\"presence\":{\"country\":\"IL\"}}",
                         "/api/v1/cases/%s/promote-caller", id),
               422, "validation_failed", "presence.category");
  r = h_call(s, il, "POST",
             "{\"sex\":\"F\",\"presence\":{\"country\":\"IL\",\"city\":\"Eilat\","
             "\"category\":\"tourist\"}}",
             "/api/v1/cases/%s/promote-caller", id);
  EXPECT_STATUS(s, r, 201);
  const char *person = h_gets(r->json, "caller.person");
  assert_non_null(person);
  assert_string_equal(h_gets(r->json, "persons[0].id"), person);
  assert_string_equal(h_gets(r->json, "persons[0].full_name"), "Trịnh Thị Mẹ");
  json_t *tl = h_get(r->json, "timeline");
  assert_string_equal(h_gets(json_array_get(tl, json_array_size(tl) - 1), "kind"),
                      "caller_promoted");
  /* The person exists, with the caller's phone, and the officer can read it. */
  r = h_call(s, il, "GET", NULL, "/api/v1/persons/%s", person);
  EXPECT_STATUS(s, r, 200);
  assert_string_equal(h_gets(r->json, "phones[0]"), "+84 91 555 0101");
  assert_string_equal(h_gets(r->json, "presences[0].city"), "Eilat");
  EXPECT_ERROR(s, h_call(s, il, "POST", "{}", "/api/v1/cases/%s/promote-caller", id), 409,
               "conflict", NULL);
}

/* ---- a check-in answered "need help" ---- */

static h_resp_t *cs_answer(h_server_t *s, const char *token, const char *form) {
  h_req_t rq = {.method = "POST", .path = h_str("/c/%s", token), .raw = form,
                .raw_len = strlen(form), .content_type = "application/x-www-form-urlencoded"};
  return h_do(s, &rq);
}

static json_t *cs_crisis_cases(h_server_t *s, const h_auth_t *auth, const char *crisis,
                               const char *status) {
  return h_list_all(s, auth, h_str("/api/v1/cases?crisis=%s&status=%s", crisis, status), 50);
}

static void cases_checkin_need_help_opens_one_case_per_person_and_crisis(void **state) {
  h_server_t *s = *state;
  /* A person in Palestine (the Israel embassy's jurisdiction), a crisis led by that embassy. */
  h_resp_t *r = h_create_person(
      s, h_as(s, H_HQ),
      "{\"full_name\":\"Lâm Văn Cứu\",\"flags\":[\"minor\"],\"emails\":[\"cuu@example.org\"],"
      "\"presence\":{\"country\":\"PS\",\"city\":\"Gaza\",\"category\":\"student\"}}");
  const char *person = h_str("%s", h_gets(r->json, "id"));
  r = h_call(s, h_as(s, H_HQ), "POST",
             h_str("{\"name\":\"Gaza\",\"kind\":\"armed_conflict\",\"countries\":[\"PS\"],"
                   "\"lead_mission\":\"%s\"}",
                   cs.mission_il),
             "/api/v1/crises");
  EXPECT_STATUS(s, r, 201);
  const char *crisis = h_str("%s", h_gets(r->json, "id"));
  const char *token = h_checkin_token(s, h_checkin_alert(s, crisis), person);
  /* "Safe" opens nothing. */
  EXPECT_STATUS(s, cs_answer(s, token, "answer=safe"), 200);
  assert_int_equal(json_array_size(cs_crisis_cases(s, h_as(s, H_HQ), crisis, "all")), 0);
  EXPECT_STATUS(s, cs_answer(s, token, "answer=need_help&message=H%E1%BA%BFt+n%C6%B0%E1%BB%9Bc"
                                       "&location=Rafah"),
                200);
  json_t *cases = cs_crisis_cases(s, h_as(s, H_ISRAEL), crisis, "all");
  assert_int_equal(json_array_size(cases), 1);
  json_t *c = json_array_get(cases, 0);
  assert_string_equal(h_gets(c, "channel"), "check_in");
  assert_string_equal(h_gets(c, "type"), "evacuation_request");
  assert_string_equal(h_gets(c, "mission"), cs.mission_il);
  /* Evacuation requests are high; the person is a minor: critical. */
  assert_string_equal(h_gets(c, "priority"), "critical");
  const char *id = h_str("%s", h_gets(c, "id"));
  /* Asking again while the case is open adds to it. */
  EXPECT_STATUS(s, cs_answer(s, token, "answer=need_help&message=V%E1%BA%ABn+c%E1%BA%A7n"), 200);
  cases = cs_crisis_cases(s, h_as(s, H_HQ), crisis, "all");
  assert_int_equal(json_array_size(cases), 1);
  r = h_call(s, h_as(s, H_ISRAEL), "GET", NULL, "/api/v1/cases/%s", id);
  EXPECT_STATUS(s, r, 200);
  assert_string_equal(h_gets(r->json, "persons[0].id"), person);
  json_t *tl = h_get(r->json, "timeline");
  assert_string_equal(cs_kinds(tl), "created,check_in");
  assert_string_equal(h_gets(json_array_get(tl, 1), "note"), "Vẫn cần");
  assert_true(json_is_null(h_get(json_array_get(tl, 0), "author")));
  assert_non_null(strstr(h_gets(r->json, "description"), "Rafah"));
  /* Once the case is resolved, a new call for help opens a new case. */
  const char *steps[] = {"triaged", "in_progress", "resolved"};
  for (int i = 0; i < 3; i++) {
    EXPECT_STATUS(s, h_call(s, h_as(s, H_ISRAEL), "PATCH", h_str("{\"status\":\"%s\"}", steps[i]),
                            "/api/v1/cases/%s", id),
                  200);
  }
  EXPECT_STATUS(s, cs_answer(s, token, "answer=need_help"), 200);
  assert_int_equal(json_array_size(cs_crisis_cases(s, h_as(s, H_HQ), crisis, "all")), 2);
  assert_int_equal(json_array_size(cs_crisis_cases(s, h_as(s, H_HQ), crisis, "open")), 1);
  /* Another mission's officer sees none of them. */
  assert_int_equal(json_array_size(cs_crisis_cases(s, h_as(s, H_MYANMAR), crisis, "all")), 0);
}

int api_cases_tests(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(cases_priority_is_computed_from_type_and_persons_and_due_follows),
      cmocka_unit_test(cases_priority_override_is_kept_and_shown_as_such),
      cmocka_unit_test(cases_workflow_runs_its_chain_and_reopens),
      cmocka_unit_test(cases_illegal_transition_is_409_naming_status_and_allowed_states),
      cmocka_unit_test(cases_intake_refuses_bad_input_naming_the_field),
      cmocka_unit_test(cases_are_hidden_from_other_missions_and_from_viewers),
      cmocka_unit_test(cases_transfer_moves_the_case_to_the_other_missions_officers),
      cmocka_unit_test(cases_assignment_takes_officers_of_the_mission_or_hq),
      cmocka_unit_test(cases_queues_are_ordered_by_priority_then_due_and_paged),
      cmocka_unit_test(cases_notes_and_persons_join_the_timeline_which_pages),
      cmocka_unit_test(cases_caller_becomes_a_person_linked_to_the_case),
      cmocka_unit_test(cases_checkin_need_help_opens_one_case_per_person_and_crisis),
  };
  return cmocka_run_group_tests_name("cases", tests, cs_setup, h_group_teardown);
}
