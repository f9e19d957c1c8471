/*
 * test_lists.c - lists from foreign authorities (issue 6): upload a CSV list, its rows matched
 * against the registry persons the uploader may see, bad rows reported and good ones kept, the
 * refusals of bad uploads naming the field, officers' decisions (confirm, replace, reject, new
 * person) and the list's counts, who sees which list, the audit of reads and decisions, the
 * index following registry changes; what a confirmation applies to the person (the list's status
 * with history, a presence in the list's country) and how a withdrawal undoes it; open
 * missing-person cases as candidates, in the uploader's jurisdiction only and never twice; and the
 * CLI paths over the registry (`baoho match LIST.csv --db`, `baoho dedupe`); the list's country
 * as evidence (the namesake registered there ranks first, never strong on that alone) and
 * candidates of equal probability sharing a rank, in the API and the CLI (`--country`).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

/* The query string of an upload with the given title. */
#define LS_QUERY(title)                                                                          \
  "/api/v1/lists?title=" title "&source=Myanmar%20police%2C%20Myawaddy&country=MM"

/* Uploads csv as auth to path; returns the response. */
static h_resp_t *upload(h_server_t *s, const h_auth_t *auth, const char *path, const char *csv) {
  h_req_t rq = {.method = "POST", .path = path, .raw = csv, .raw_len = strlen(csv),
                .content_type = "text/csv", .auth = auth};
  return h_do(s, &rq);
}

/* Creates a person (as hq) present in country; returns the person's id. */
static const char *person(h_server_t *s, const char *name, const char *sex, const char *dob,
                          const char *country) {
  h_resp_t *r = h_create_person(
      s, h_as(s, H_HQ),
      h_str("{\"full_name\":\"%s\",\"sex\":\"%s\",\"date_of_birth\":\"%s\","
            "\"presence\":{\"country\":\"%s\",\"category\":\"worker\",\"from\":\"2023-01\"}}",
            name, sex, dob, country));
  return h_gets(r->json, "id");
}

static long long num(const json_t *root, const char *path) {
  json_t *v = h_get(root, path);
  if (!json_is_integer(v)) fail_msg("no integer at %s", path);
  return (long long)json_integer_value(v);
}

/* The rows of a list (first page of 200) as auth. */
static json_t *rows_of(h_server_t *s, const h_auth_t *auth, const char *id, const char *query) {
  h_resp_t *r = h_call(s, auth, "GET", NULL, "/api/v1/lists/%s/rows?limit=200%s", id,
                       query ? query : "");
  EXPECT_STATUS(s, r, 200);
  return h_get(r->json, "items");
}

/* 1 if some audit entry has the action (and, when object is not NULL, the object id). */
static int audited(h_server_t *s, const char *action) {
  json_t *all = h_list_all(s, h_as(s, H_ADMIN), "/api/v1/audit", 500);
  size_t i;
  json_t *v;
  json_array_foreach(all, i, v) {
    const char *a = h_gets(v, "action");
    if (a && strcmp(a, action) == 0) return 1;
  }
  return 0;
}

static void lists_upload_finds_a_registered_person_in_the_strong_band(void **state) {
  h_server_t *s = *state;
  const char *pid = person(s, "Khổng Minh Triết", "M", "1987-03-12", "MM");
  h_resp_t *r = upload(s, h_as(s, H_MYANMAR), LS_QUERY("Released%2009-11") "&map=No%3Did%2CName%3Dfull_name%2CDOB%3D"
                       "date_of_birth%2CSex%3Dsex%2CPassport%3Did_number",
                       "No,Name,DOB,Sex,Passport\r\n"
                       "17,TRIET KHONG MINH,12/03/1987,M,C7654321\r\n"
                       "18,Zyxwv Qqqq,01/01/1950,M,\r\n");
  EXPECT_STATUS(s, r, 201);
  const char *id = h_gets(r->json, "id");
  assert_non_null(id);
  assert_int_equal(num(r->json, "rows"), 2);
  assert_int_equal(num(r->json, "bad_rows"), 0);
  assert_int_equal(num(r->json, "by_band.strong"), 1);
  assert_int_equal(num(r->json, "by_band.none"), 1);
  assert_int_equal(num(r->json, "by_decision.pending"), 2);
  assert_string_equal(h_gets(r->json, "source"), "Myanmar police, Myawaddy");
  json_t *rows = rows_of(s, h_as(s, H_MYANMAR), id, "&band=strong");
  assert_int_equal(json_array_size(rows), 1);
  assert_int_equal(num(rows, "[0].row"), 1);
  assert_string_equal(h_gets(rows, "[0].fields.full_name"), "TRIET KHONG MINH");
  assert_string_equal(h_gets(rows, "[0].fields.id"), "17");
  assert_string_equal(h_gets(rows, "[0].fields.id_number"), "C7654321");
  assert_string_equal(h_gets(rows, "[0].candidates[0].person.id"), pid);
  assert_string_equal(h_gets(rows, "[0].candidates[0].person.full_name"), "Khổng Minh Triết");
  assert_string_equal(h_gets(rows, "[0].candidates[0].person.date_of_birth"), "1987-03-12");
  assert_string_equal(h_gets(rows, "[0].candidates[0].band"), "strong");
  assert_non_null(strstr(h_gets(rows, "[0].candidates[0].explanation"), "dob"));
  json_t *none = rows_of(s, h_as(s, H_MYANMAR), id, "&band=none");
  assert_int_equal(json_array_size(none), 1);
  assert_int_equal(json_array_size(h_get(none, "[0].candidates")), 0);
}

static void lists_upload_reports_bad_rows_and_keeps_the_good_ones(void **state) {
  h_server_t *s = *state;
  const char *csv = "name;age;sex\n"
                    "NGUYEN VAN AN;34;M\n"
                    "BAD \xff\xfe TEXT;20;F\n" /* line 3: not UTF-8 */
                    "TRAN THI BINH;abc;F\n"    /* line 4: age */
                    ";30;M\n"                 /* line 5: no name */
                    "LE VAN CUONG;41;M\n";
  h_resp_t *r = upload(s, h_as(s, H_HQ), LS_QUERY("Mixed") "&map=name%3Dfull_name", csv);
  EXPECT_STATUS(s, r, 201);
  assert_int_equal(num(r->json, "rows"), 2);
  assert_int_equal(num(r->json, "bad_rows"), 3);
  json_t *errors = h_get(r->json, "errors");
  assert_int_equal(json_array_size(errors), 3);
  assert_int_equal(num(errors, "[0].line"), 3);
  assert_string_equal(h_gets(errors, "[0].field"), "full_name");
  assert_int_equal(num(errors, "[1].line"), 4);
  assert_string_equal(h_gets(errors, "[1].field"), "age");
  assert_int_equal(num(errors, "[2].line"), 5);
  json_t *rows = rows_of(s, h_as(s, H_HQ), h_gets(r->json, "id"), NULL);
  assert_int_equal(json_array_size(rows), 2);
  assert_int_equal(num(rows, "[1].line"), 6);
}

static void lists_upload_with_an_unreadable_date_keeps_the_row_and_warns(void **state) {
  h_server_t *s = *state;
  h_resp_t *r = upload(s, h_as(s, H_HQ), LS_QUERY("Dates"),
                       "full_name,date_of_birth\nPHAM VAN DUC,unknown\n");
  EXPECT_STATUS(s, r, 201);
  assert_int_equal(num(r->json, "rows"), 1);
  assert_string_equal(h_gets(r->json, "warnings[0].field"), "date_of_birth");
}

static void lists_upload_refusals_name_the_field(void **state) {
  h_server_t *s = *state;
  const h_auth_t *hq = h_as(s, H_HQ);
  const char *ok = "full_name\nNGUYEN VAN AN\n";
  EXPECT_ERROR(s, upload(s, hq, "/api/v1/lists?source=x&country=MM", ok), 422,
               "validation_failed", "title");
  EXPECT_ERROR(s, upload(s, hq, "/api/v1/lists?title=t&source=x&country=XX", ok), 422,
               "validation_failed", "country");
  EXPECT_ERROR(s, upload(s, hq, LS_QUERY("t") "&ref_date=2023-13-01", ok), 422,
               "validation_failed", "ref_date");
  EXPECT_ERROR(s, upload(s, hq, LS_QUERY("t") "&crisis=0000000000000", ok), 422,
               "validation_failed", "crisis");
  EXPECT_ERROR(s, upload(s, hq, LS_QUERY("t") "&top=9", ok), 422, "validation_failed", "top");
  EXPECT_ERROR(s, upload(s, hq, LS_QUERY("t"), ""), 422, "validation_failed", "body");
  EXPECT_ERROR(s, upload(s, hq, LS_QUERY("t"), "dob,sex\n1990,M\n"), 422, "validation_failed",
               "map");
  EXPECT_ERROR(s, upload(s, hq, LS_QUERY("t") "&map=Nom%3Dfull_name", ok), 422,
               "validation_failed", "map");
  EXPECT_ERROR(s, upload(s, hq, LS_QUERY("t"), "full_name\n;;\n"), 422, "validation_failed",
               "body");
  h_req_t json = {.method = "POST", .path = LS_QUERY("t"), .json = "{}", .auth = hq};
  EXPECT_ERROR(s, h_do(s, &json), 415, "unsupported_media_type", NULL);
  /* One row more than a list may hold. */
  size_t cap = 20 + 20001 * 8;
  char *big = h_str("%*s", (int)cap, "");
  size_t len = (size_t)snprintf(big, cap, "full_name\n");
  for (int i = 0; i < 20001; i++) len += (size_t)snprintf(big + len, cap - len, "AN BA%02d\n", i % 100);
  EXPECT_ERROR(s, upload(s, hq, LS_QUERY("t"), big), 413, "payload_too_large", "body");
  EXPECT_STATUS(s, h_call(s, h_as(s, H_VIEWER), "GET", NULL, "/api/v1/lists"), 403);
  h_req_t viewer = {.method = "POST", .path = LS_QUERY("t"), .raw = ok, .raw_len = strlen(ok),
                    .content_type = "text/csv", .auth = h_as(s, H_VIEWER)};
  EXPECT_STATUS(s, h_do(s, &viewer), 403);
}

static void lists_are_seen_by_their_mission_and_hq_only(void **state) {
  h_server_t *s = *state;
  h_resp_t *r = upload(s, h_as(s, H_MYANMAR), LS_QUERY("Mission%20only"), "full_name\nAN BINH\n");
  EXPECT_STATUS(s, r, 201);
  const char *id = h_gets(r->json, "id");
  EXPECT_STATUS(s, h_call(s, h_as(s, H_MYANMAR), "GET", NULL, "/api/v1/lists/%s", id), 200);
  EXPECT_STATUS(s, h_call(s, h_as(s, H_HQ), "GET", NULL, "/api/v1/lists/%s", id), 200);
  EXPECT_STATUS(s, h_call(s, h_as(s, H_ADMIN), "GET", NULL, "/api/v1/lists/%s", id), 200);
  EXPECT_ERROR(s, h_call(s, h_as(s, H_ISRAEL), "GET", NULL, "/api/v1/lists/%s", id), 404,
               "not_found", NULL);
  EXPECT_ERROR(s, h_call(s, h_as(s, H_ISRAEL), "GET", NULL, "/api/v1/lists/%s/rows", id), 404,
               "not_found", NULL);
  EXPECT_ERROR(s,
               h_call(s, h_as(s, H_ISRAEL), "POST", "{\"decision\":\"new_person\"}",
                      "/api/v1/lists/%s/rows/1/decision", id),
               404, "not_found", NULL);
  assert_false(h_has_id(h_list_all(s, h_as(s, H_ISRAEL), "/api/v1/lists", 50), id));
  assert_true(h_has_id(h_list_all(s, h_as(s, H_HQ), "/api/v1/lists", 1), id));
  EXPECT_STATUS(s, h_call(s, h_as(s, H_VIEWER), "GET", NULL, "/api/v1/lists/%s", id), 403);
}

static void lists_candidates_come_only_from_the_uploaders_jurisdiction(void **state) {
  h_server_t *s = *state;
  const char *pid = person(s, "Lò Văn Xòe", "M", "1979-08-02", "IL");
  const char *csv = "full_name,date_of_birth,sex\nXOE LO VAN,1979-08-02,M\n";
  h_resp_t *mm = upload(s, h_as(s, H_MYANMAR), LS_QUERY("Scope"), csv);
  EXPECT_STATUS(s, mm, 201);
  json_t *rows = rows_of(s, h_as(s, H_MYANMAR), h_gets(mm->json, "id"), NULL);
  size_t i;
  json_t *c;
  json_array_foreach(h_get(rows, "[0].candidates"), i, c) {
    assert_string_not_equal(h_gets(c, "person.id"), pid);
  }
  h_resp_t *hq = upload(s, h_as(s, H_HQ), LS_QUERY("Scope"), csv);
  EXPECT_STATUS(s, hq, 201);
  rows = rows_of(s, h_as(s, H_HQ), h_gets(hq->json, "id"), NULL);
  assert_string_equal(h_gets(rows, "[0].candidates[0].person.id"), pid);
}

static void lists_match_persons_registered_after_an_earlier_upload(void **state) {
  h_server_t *s = *state;
  const char *csv = "full_name,date_of_birth,sex\nQUACH THI XUYEN,1992-11-30,F\n";
  h_resp_t *first = upload(s, h_as(s, H_HQ), LS_QUERY("Before"), csv);
  EXPECT_STATUS(s, first, 201);
  assert_int_equal(num(first->json, "by_band.strong"), 0);
  const char *pid = person(s, "Quách Thị Xuyến", "F", "1992-11-30", "TH");
  h_resp_t *second = upload(s, h_as(s, H_HQ), LS_QUERY("After"), csv);
  EXPECT_STATUS(s, second, 201);
  assert_int_equal(num(second->json, "by_band.strong"), 1);
  json_t *rows = rows_of(s, h_as(s, H_HQ), h_gets(second->json, "id"), NULL);
  assert_string_equal(h_gets(rows, "[0].candidates[0].person.id"), pid);
}

static void lists_match_follows_an_edited_name(void **state) {
  h_server_t *s = *state;
  const char *pid = person(s, "Ông Thị Gấm", "F", "1980-01-02", "MM");
  const char *csv = "full_name,date_of_birth,sex\nGAM ONG THI,1980-01-02,F\n";
  h_resp_t *r = upload(s, h_as(s, H_HQ), LS_QUERY("Edit%201"), csv);
  EXPECT_STATUS(s, r, 201);
  assert_int_equal(num(r->json, "by_band.strong"), 1);
  EXPECT_STATUS(s,
                h_call(s, h_as(s, H_HQ), "PATCH", "{\"full_name\":\"Ông Văn Khải\",\"sex\":\"M\"}",
                       "/api/v1/persons/%s", pid),
                200);
  r = upload(s, h_as(s, H_HQ), LS_QUERY("Edit%202"), csv);
  EXPECT_STATUS(s, r, 201);
  assert_int_equal(num(r->json, "by_band.strong"), 0);
}

static void lists_decisions_confirm_replace_reject_and_count(void **state) {
  h_server_t *s = *state;
  /* Two people the list cannot tell apart: same name and year. */
  const char *a = person(s, "Khúc Thị Huệ", "F", "1985-02-03", "MM");
  const char *b = person(s, "Khúc Thị Huệ", "F", "1985-09-21", "MM");
  h_resp_t *r = upload(s, h_as(s, H_MYANMAR), LS_QUERY("Decisions") "&top=5",
                       "full_name,date_of_birth,sex\nHUE KHUC THI,1985,F\nVO DANH,1970,M\n");
  EXPECT_STATUS(s, r, 201);
  const char *id = h_gets(r->json, "id");
  json_t *rows = rows_of(s, h_as(s, H_MYANMAR), id, NULL);
  assert_true(json_array_size(h_get(rows, "[0].candidates")) >= 2);
  const h_auth_t *mm = h_as(s, H_MYANMAR);
  const char *path = h_str("/api/v1/lists/%s/rows/1/decision", id);
  h_resp_t *d = h_call(s, mm, "POST", h_str("{\"decision\":\"confirm\",\"candidate_id\":\"%s\"}", a),
                       "%s", path);
  EXPECT_STATUS(s, d, 200);
  assert_int_equal(num(d->json, "list.by_decision.confirmed"), 1);
  assert_int_equal(num(d->json, "list.by_decision.pending"), 1);
  /* Confirming the other candidate replaces the first and says so. */
  d = h_call(s, mm, "POST", h_str("{\"decision\":\"confirm\",\"candidate_id\":\"%s\"}", b), "%s",
             path);
  EXPECT_STATUS(s, d, 200);
  assert_string_equal(h_gets(d->json, "replaced"), a);
  assert_int_equal(num(d->json, "list.by_decision.confirmed"), 1);
  rows = rows_of(s, mm, id, "&decision=confirmed");
  assert_int_equal(json_array_size(rows), 1);
  assert_string_equal(h_gets(rows, "[0].person"), b);
  /* Rejecting the confirmed candidate leaves the row without a person. */
  d = h_call(s, mm, "POST", h_str("{\"decision\":\"reject\",\"candidate_id\":\"%s\"}", b), "%s",
             path);
  EXPECT_STATUS(s, d, 200);
  assert_int_equal(num(d->json, "list.by_decision.confirmed"), 0);
  rows = rows_of(s, mm, id, NULL);
  assert_true(json_is_null(h_get(rows, "[0].person")));
  size_t i;
  json_t *c;
  json_array_foreach(h_get(rows, "[0].candidates"), i, c) {
    if (strcmp(h_gets(c, "person.id"), b) == 0) assert_string_equal(h_gets(c, "decision"), "rejected");
  }
  /* The second row is nobody in the registry. */
  d = h_call(s, mm, "POST", "{\"decision\":\"new_person\"}", "/api/v1/lists/%s/rows/2/decision",
             id);
  EXPECT_STATUS(s, d, 200);
  assert_int_equal(num(d->json, "list.by_decision.new_person"), 1);
  /* Refusals name the field; an unknown row is 404. */
  EXPECT_ERROR(s, h_call(s, mm, "POST", "{\"decision\":\"confirm\"}", "%s", path), 422,
               "validation_failed", "candidate_id");
  EXPECT_ERROR(s, h_call(s, mm, "POST", "{\"decision\":\"maybe\"}", "%s", path), 422,
               "validation_failed", "decision");
  EXPECT_ERROR(s,
               h_call(s, mm, "POST",
                      h_str("{\"decision\":\"confirm\",\"candidate_id\":\"%s\"}",
                            h_pubid(s, 3 /* PUBID_PERSON */, 1)),
                      "%s", path),
               422, "validation_failed", "candidate_id");
  EXPECT_ERROR(s,
               h_call(s, mm, "POST", "{\"decision\":\"new_person\"}",
                      "/api/v1/lists/%s/rows/99/decision", id),
               404, "not_found", NULL);
  assert_true(audited(s, "list.decision"));
  assert_true(audited(s, "list.read_rows"));
  assert_true(audited(s, "list.create"));
}

static void lists_confirmed_person_is_flagged_as_a_repeat_on_a_later_list(void **state) {
  h_server_t *s = *state;
  const char *pid = person(s, "Mạc Văn Thắng", "M", "1991-04-04", "MM");
  const char *csv = "full_name,date_of_birth,sex\nTHANG MAC VAN,04/04/1991,M\n";
  h_resp_t *r = upload(s, h_as(s, H_HQ), LS_QUERY("First"), csv);
  EXPECT_STATUS(s, r, 201);
  EXPECT_STATUS(s,
                h_call(s, h_as(s, H_HQ), "POST",
                       h_str("{\"decision\":\"confirm\",\"candidate_id\":\"%s\"}", pid),
                       "/api/v1/lists/%s/rows/1/decision", h_gets(r->json, "id")),
                200);
  h_resp_t *again = upload(s, h_as(s, H_HQ), LS_QUERY("Second"), csv);
  EXPECT_STATUS(s, again, 201);
  json_t *rows = rows_of(s, h_as(s, H_HQ), h_gets(again->json, "id"), NULL);
  assert_string_equal(h_gets(rows, "[0].candidates[0].person.id"), pid);
  assert_true(json_is_true(h_get(rows, "[0].candidates[0].repeat")));
}

/* Confirms (or rejects) candidate (a person id) of row 1 of list as auth; returns the answer. */
static h_resp_t *decide(h_server_t *s, const h_auth_t *auth, const char *list, const char *what,
                        const char *key, const char *cand) {
  return h_call(s, auth, "POST", h_str("{\"decision\":\"%s\",\"%s\":\"%s\"}", what, key, cand),
                "/api/v1/lists/%s/rows/1/decision", list);
}

/* The status history of a person as hq (oldest first). */
static json_t *history(h_server_t *s, const char *pid) {
  h_resp_t *r = h_call(s, h_as(s, H_HQ), "GET", NULL, "/api/v1/persons/%s/status", pid);
  EXPECT_STATUS(s, r, 200);
  return r->json;
}

/* The number of presences of a person in country (as hq). */
static int presences_in(h_server_t *s, const char *pid, const char *country) {
  h_resp_t *r = h_call(s, h_as(s, H_HQ), "GET", NULL, "/api/v1/persons/%s/presences", pid);
  EXPECT_STATUS(s, r, 200);
  int n = 0;
  size_t i;
  json_t *p;
  json_array_foreach(h_get(r->json, "items"), i, p) n += strcmp(h_gets(p, "country"), country) == 0;
  return n;
}

/* The query string of a list that applies detained and a presence in Kayin. */
#define LS_APPLY(title)                                                                          \
  LS_QUERY(title) "&region=Kayin&status=detained&presence=true&category=worker&ref_date=2023-11-09"

static void lists_confirm_applies_the_lists_status_and_presence(void **state) {
  h_server_t *s = *state;
  const char *pid = person(s, "Tạ Văn Khiêm", "M", "1990-05-06", "TH");
  h_resp_t *r = upload(s, h_as(s, H_HQ), LS_APPLY("Apply"),
                       "full_name,date_of_birth,sex\nKHIEM TA VAN,06/05/1990,M\n");
  EXPECT_STATUS(s, r, 201);
  const char *id = h_gets(r->json, "id");
  assert_string_equal(h_gets(r->json, "region"), "Kayin");
  assert_string_equal(h_gets(r->json, "on_confirm.status"), "detained");
  assert_string_equal(h_gets(r->json, "on_confirm.presence.country"), "MM");
  assert_string_equal(h_gets(r->json, "on_confirm.presence.category"), "worker");
  assert_int_equal(presences_in(s, pid, "MM"), 0);
  h_resp_t *d = decide(s, h_as(s, H_HQ), id, "confirm", "candidate_id", pid);
  EXPECT_STATUS(s, d, 200);
  assert_string_equal(h_gets(d->json, "person"), pid);
  assert_string_equal(h_gets(d->json, "applied.status.status"), "detained");
  assert_string_equal(h_gets(d->json, "applied.status.previous"), "unknown");
  assert_string_equal(h_gets(d->json, "applied.presence.region"), "Kayin");
  json_t *h = history(s, pid);
  assert_string_equal(h_gets(h, "status"), "detained");
  json_t *hist = h_get(h, "history");
  json_t *last = json_array_get(hist, json_array_size(hist) - 1);
  assert_string_equal(h_gets(last, "source"), "partner");
  assert_non_null(strstr(h_gets(last, "note"), "Apply"));
  assert_non_null(strstr(h_gets(last, "note"), "Myanmar police, Myawaddy"));
  assert_int_equal(presences_in(s, pid, "MM"), 1);
  /* Confirming the same person again applies nothing twice. */
  size_t events = json_array_size(hist);
  EXPECT_STATUS(s, decide(s, h_as(s, H_HQ), id, "confirm", "candidate_id", pid), 200);
  assert_int_equal(json_array_size(h_get(history(s, pid), "history")), events);
  assert_int_equal(presences_in(s, pid, "MM"), 1);
  /* The decision and its effects are in the audit log. */
  json_t *all = h_list_all(s, h_as(s, H_ADMIN), "/api/v1/audit", 500);
  int found = 0;
  size_t i;
  json_t *v;
  json_array_foreach(all, i, v) {
    char *det = json_dumps(h_get(v, "detail"), JSON_ENCODE_ANY);
    if (strcmp(h_gets(v, "action"), "list.decision") == 0 && det && strstr(det, "detained"))
      found = 1;
    free(det);
  }
  assert_true(found);
}

static void lists_confirm_keeps_a_current_presence_in_the_country(void **state) {
  h_server_t *s = *state;
  const char *pid = person(s, "Bế Thị Lan", "F", "1994-07-08", "MM");
  h_resp_t *r = upload(s, h_as(s, H_MYANMAR), LS_APPLY("Present"),
                       "full_name,date_of_birth,sex\nLAN BE THI,08/07/1994,F\n");
  EXPECT_STATUS(s, r, 201);
  h_resp_t *d = decide(s, h_as(s, H_MYANMAR), h_gets(r->json, "id"), "confirm", "candidate_id", pid);
  EXPECT_STATUS(s, d, 200);
  assert_true(json_is_null(h_get(d->json, "applied.presence")));
  assert_int_equal(presences_in(s, pid, "MM"), 1);
  assert_string_equal(h_gets(history(s, pid), "status"), "detained");
}

static void lists_withdrawn_confirmation_restores_the_status_and_keeps_history(void **state) {
  h_server_t *s = *state;
  const char *pid = person(s, "Lục Văn Quang", "M", "1988-02-14", "TH");
  h_resp_t *r = upload(s, h_as(s, H_HQ), LS_APPLY("Withdraw"),
                       "full_name,date_of_birth,sex\nQUANG LUC VAN,14/02/1988,M\n");
  EXPECT_STATUS(s, r, 201);
  const char *id = h_gets(r->json, "id");
  EXPECT_STATUS(s, decide(s, h_as(s, H_HQ), id, "confirm", "candidate_id", pid), 200);
  assert_int_equal(presences_in(s, pid, "MM"), 1);
  h_resp_t *d = decide(s, h_as(s, H_HQ), id, "reject", "candidate_id", pid);
  EXPECT_STATUS(s, d, 200);
  assert_true(json_is_null(h_get(d->json, "person")));
  assert_string_equal(h_gets(d->json, "withdrawn.person"), pid);
  assert_string_equal(h_gets(d->json, "withdrawn.status_restored"), "unknown");
  assert_true(json_is_true(h_get(d->json, "withdrawn.presence_removed")));
  json_t *h = history(s, pid);
  assert_string_equal(h_gets(h, "status"), "unknown");
  /* Nothing is erased: the list's event and the restoring one are both there. */
  json_t *hist = h_get(h, "history");
  size_t n = json_array_size(hist);
  assert_true(n >= 2);
  assert_string_equal(h_gets(json_array_get(hist, n - 2), "status"), "detained");
  assert_string_equal(h_gets(json_array_get(hist, n - 1), "source"), "officer");
  assert_int_equal(presences_in(s, pid, "MM"), 0);
}

static void lists_withdrawal_leaves_a_status_changed_since(void **state) {
  h_server_t *s = *state;
  const char *pid = person(s, "Hà Thị Nguyệt", "F", "1979-10-10", "TH");
  h_resp_t *r = upload(s, h_as(s, H_HQ), LS_APPLY("Changed%20since"),
                       "full_name,date_of_birth,sex\nNGUYET HA THI,10/10/1979,F\n");
  EXPECT_STATUS(s, r, 201);
  const char *id = h_gets(r->json, "id");
  EXPECT_STATUS(s, decide(s, h_as(s, H_HQ), id, "confirm", "candidate_id", pid), 200);
  EXPECT_STATUS(s,
                h_call(s, h_as(s, H_HQ), "POST", "{\"status\":\"safe\"}",
                       "/api/v1/persons/%s/status", pid),
                201);
  h_resp_t *d = h_call(s, h_as(s, H_HQ), "POST", "{\"decision\":\"new_person\"}",
                       "/api/v1/lists/%s/rows/1/decision", id);
  EXPECT_STATUS(s, d, 200);
  assert_true(json_is_null(h_get(d->json, "withdrawn.status_restored")));
  assert_string_equal(h_gets(history(s, pid), "status"), "safe");
}

static void lists_upload_refuses_bad_confirmation_settings(void **state) {
  h_server_t *s = *state;
  const char *ok = "full_name\nNGUYEN VAN AN\n";
  const h_auth_t *mm = h_as(s, H_MYANMAR);
  EXPECT_ERROR(s, upload(s, mm, LS_QUERY("t") "&status=unknown", ok), 422, "validation_failed",
               "status");
  EXPECT_ERROR(s, upload(s, mm, LS_QUERY("t") "&status=free", ok), 422, "validation_failed",
               "status");
  EXPECT_ERROR(s, upload(s, mm, LS_QUERY("t") "&category=worker", ok), 422, "validation_failed",
               "category");
  EXPECT_ERROR(s, upload(s, mm, LS_QUERY("t") "&presence=true&category=pilot", ok), 422,
               "validation_failed", "category");
  EXPECT_ERROR(s, upload(s, mm, LS_QUERY("t") "&presence=maybe", ok), 422, "validation_failed",
               "presence");
  /* An officer records presences in their own jurisdiction only. */
  EXPECT_ERROR(s, upload(s, mm, "/api/v1/lists?title=t&source=Thai%20police&country=TH&presence=true", ok),
               403, "forbidden", "presence");
  h_resp_t *r = upload(s, mm, LS_QUERY("t") "&presence=true", ok);
  EXPECT_STATUS(s, r, 201);
  assert_string_equal(h_gets(r->json, "on_confirm.presence.category"), "other");
  assert_true(json_is_null(h_get(r->json, "on_confirm.status")));
}

/* Opens a missing-person case as auth with the given fields; returns its id. */
static const char *missing_case(h_server_t *s, const h_auth_t *auth, const char *fields) {
  h_resp_t *r = h_call(s, auth, "POST",
                       h_str("{\"type\":\"missing_person_report\",\"summary\":\"Mất liên lạc\",%s}",
                             fields),
                       "/api/v1/cases");
  EXPECT_STATUS(s, r, 201);
  return h_gets(r->json, "id");
}

/* The candidate of kind case in a row's candidates, or NULL. */
static json_t *case_candidate(json_t *row) {
  size_t i;
  json_t *c;
  json_array_foreach(h_get(row, "candidates"), i, c) {
    if (strcmp(h_gets(c, "kind"), "case") == 0) return c;
  }
  return NULL;
}

static void lists_open_missing_person_case_is_a_candidate_of_its_mission(void **state) {
  h_server_t *s = *state;
  const char *csv = "full_name,date_of_birth,sex\nDUONG VAN TUNG,1996-03-03,M\n";
  /* An upload before the case exists: the index is built and cached without it. */
  h_resp_t *r = upload(s, h_as(s, H_MYANMAR), LS_QUERY("Before%20case"), csv);
  EXPECT_STATUS(s, r, 201);
  assert_null(case_candidate(json_array_get(rows_of(s, h_as(s, H_MYANMAR), h_gets(r->json, "id"), NULL), 0)));
  const char *kid = missing_case(s, h_as(s, H_MYANMAR),
                                 "\"caller\":{\"name\":\"Dương Văn Tùng\",\"phone\":\"+84 91 555 0199\","
                                 "\"notes\":\"Làm việc ở Myawaddy\"}");
  r = upload(s, h_as(s, H_MYANMAR), LS_QUERY("With%20case"), csv);
  EXPECT_STATUS(s, r, 201);
  const char *id = h_gets(r->json, "id");
  json_t *c = case_candidate(json_array_get(rows_of(s, h_as(s, H_MYANMAR), id, NULL), 0));
  assert_non_null(c);
  assert_true(json_is_null(h_get(c, "person")));
  assert_string_equal(h_gets(c, "case.id"), kid);
  assert_string_equal(h_gets(c, "case.status"), "new");
  assert_string_equal(h_gets(c, "case.subject.full_name"), "Dương Văn Tùng");
  assert_string_equal(h_gets(c, "case.subject.phone"), "+84 91 555 0199");
  /* Another mission's officer never sees the case, on their own list or on this one. */
  h_resp_t *il = upload(s, h_as(s, H_ISRAEL), LS_QUERY("Other%20mission"), csv);
  EXPECT_STATUS(s, il, 201);
  assert_null(case_candidate(json_array_get(rows_of(s, h_as(s, H_ISRAEL), h_gets(il->json, "id"), NULL), 0)));
  /* The case is confirmed by its id; a person id field does not take it. */
  EXPECT_ERROR(s, decide(s, h_as(s, H_MYANMAR), id, "confirm", "candidate_id", kid), 422,
               "validation_failed", "candidate_id");
  EXPECT_ERROR(s,
               h_call(s, h_as(s, H_MYANMAR), "POST",
                      h_str("{\"decision\":\"confirm\",\"case_id\":\"%s\",\"candidate_id\":\"%s\"}",
                            kid, kid),
                      "/api/v1/lists/%s/rows/1/decision", id),
               422, "validation_failed", "case_id");
  h_resp_t *d = decide(s, h_as(s, H_MYANMAR), id, "confirm", "case_id", kid);
  EXPECT_STATUS(s, d, 200);
  assert_string_equal(h_gets(d->json, "case"), kid);
  assert_true(json_is_null(h_get(d->json, "person")));
  assert_string_equal(h_gets(d->json, "case_notes[0]"), kid);
  json_t *row = json_array_get(rows_of(s, h_as(s, H_MYANMAR), id, NULL), 0);
  assert_string_equal(h_gets(row, "case"), kid);
  assert_string_equal(h_gets(row, "decision"), "confirmed");
  h_resp_t *tl = h_call(s, h_as(s, H_MYANMAR), "GET", NULL, "/api/v1/cases/%s/timeline", kid);
  EXPECT_STATUS(s, tl, 200);
  json_t *items = h_get(tl->json, "items");
  assert_non_null(strstr(h_gets(json_array_get(items, json_array_size(items) - 1), "note"),
                         "With case"));
  /* A closed case is no candidate any more. */
  EXPECT_STATUS(s, h_call(s, h_as(s, H_MYANMAR), "PATCH", "{\"status\":\"closed\"}",
                          "/api/v1/cases/%s", kid),
                200);
  r = upload(s, h_as(s, H_MYANMAR), LS_QUERY("After%20close"), csv);
  EXPECT_STATUS(s, r, 201);
  assert_null(case_candidate(json_array_get(rows_of(s, h_as(s, H_MYANMAR), h_gets(r->json, "id"), NULL), 0)));
}

static void lists_person_with_an_open_case_is_listed_once_with_a_note(void **state) {
  h_server_t *s = *state;
  const char *pid = person(s, "Nông Văn Đạt", "M", "1993-12-12", "MM");
  const char *kid = missing_case(s, h_as(s, H_MYANMAR),
                                 h_str("\"persons\":[\"%s\"],\"caller\":{\"name\":\"Nông Thị Mẹ\","
                                       "\"relation\":\"mother\"}",
                                       pid));
  h_resp_t *r = upload(s, h_as(s, H_MYANMAR), LS_QUERY("Once"),
                       "full_name,date_of_birth,sex\nDAT NONG VAN,12/12/1993,M\n");
  EXPECT_STATUS(s, r, 201);
  const char *id = h_gets(r->json, "id");
  json_t *row = json_array_get(rows_of(s, h_as(s, H_MYANMAR), id, NULL), 0);
  assert_null(case_candidate(row));
  int seen = 0;
  size_t i;
  json_t *c;
  json_array_foreach(h_get(row, "candidates"), i, c) {
    if (strcmp(h_gets(c, "person.id"), pid) != 0) continue;
    seen++;
    assert_string_equal(h_gets(c, "kind"), "person");
    assert_string_equal(h_gets(c, "case.id"), kid);
    assert_non_null(h_gets(c, "note"));
  }
  assert_int_equal(seen, 1);
  h_resp_t *d = decide(s, h_as(s, H_MYANMAR), id, "confirm", "candidate_id", pid);
  EXPECT_STATUS(s, d, 200);
  assert_string_equal(h_gets(d->json, "case_notes[0]"), kid);
}

static void cli_match_against_the_registry_lists_missing_person_cases(void **state) {
  h_server_t *s = *state;
  const char *kid =
      missing_case(s, h_as(s, H_MYANMAR), "\"caller\":{\"name\":\"Khuất Văn Hiển\"}");
  const char *path = h_str("%s/cli-cases.csv", s->dir);
  FILE *f = fopen(path, "w");
  assert_non_null(f);
  fputs("No,Name\n9,HIEN KHUAT VAN\n", f);
  fclose(f);
  char out[8192];
  int rc = h_cli(NULL, out, sizeof out, "match", path, "--db", s->db, "--map",
                 "No=id,Name=full_name", NULL);
  assert_int_equal(rc, 0);
  assert_non_null(strstr(out, "explanation,candidate_kind,case_id,note"));
  assert_non_null(strstr(out, h_str("9,1,%s,", kid)));
  assert_non_null(strstr(out, h_str(",case,%s,", kid)));
  assert_null(strstr(out, "Khuất")); /* only the opaque id of the case leaves */
}

static void cli_match_against_the_registry_writes_opaque_person_ids(void **state) {
  h_server_t *s = *state;
  const char *pid = person(s, "Ninh Thị Tuyết", "F", "1983-06-15", "MM");
  const char *path = h_str("%s/cli-list.csv", s->dir);
  FILE *f = fopen(path, "w");
  assert_non_null(f);
  fputs("No,Name,DOB\n5,TUYET NINH THI,15/06/1983\n", f);
  fclose(f);
  char out[8192];
  int rc = h_cli(NULL, out, sizeof out, "match", path, "--db", s->db, "--map",
                 "No=id,Name=full_name,DOB=date_of_birth", NULL);
  assert_int_equal(rc, 0);
  assert_non_null(strstr(out, "query_id,rank,candidate_id,probability,band,explanation"));
  assert_non_null(strstr(out, h_str("5,1,%s,", pid)));
  assert_null(strstr(out, "Ninh")); /* only the opaque id of the person leaves */
  assert_true(audited(s, "person.match"));
}

static void cli_dedupe_finds_a_person_registered_twice(void **state) {
  h_server_t *s = *state;
  const char *a = person(s, "Đinh Công Tráng", "M", "1975-12-01", "MM");
  const char *b = person(s, "Đinh Công Tráng", "M", "1975-12-01", "TH");
  char out[65536];
  int rc = h_cli(NULL, out, sizeof out, "dedupe", "--db", s->db, "--format", "json", NULL);
  assert_int_equal(rc, 0);
  json_t *pairs = json_loads(out, 0, NULL);
  assert_non_null(pairs);
  int found = 0;
  size_t i;
  json_t *p;
  json_array_foreach(pairs, i, p) {
    const char *x = json_string_value(json_object_get(p, "person_a"));
    const char *y = json_string_value(json_object_get(p, "person_b"));
    if ((strcmp(x, a) == 0 && strcmp(y, b) == 0) || (strcmp(x, b) == 0 && strcmp(y, a) == 0)) {
      found = 1;
      assert_non_null(json_string_value(json_object_get(p, "explanation")));
    }
  }
  json_decref(pairs);
  assert_true(found);
  assert_true(audited(s, "person.dedupe"));
}

static void lists_country_ranks_the_in_country_namesake_first(void **state) {
  h_server_t *s = *state;
  const char *in_mm = person(s, "Vi Thị Ngoan", "F", "1991-04-22", "MM");
  const char *in_th = person(s, "Vi Thị Ngoan", "F", "1991-04-22", "TH");
  const char *csv = "full_name,date_of_birth,sex\nNGOAN VI THI,22/04/1991,F\n";
  h_resp_t *r = upload(s, h_as(s, H_HQ), LS_QUERY("Ngoan%20MM"), csv);
  EXPECT_STATUS(s, r, 201);
  json_t *rows = rows_of(s, h_as(s, H_HQ), h_gets(r->json, "id"), NULL);
  assert_string_equal(h_gets(rows, "[0].candidates[0].person.id"), in_mm);
  assert_string_equal(h_gets(rows, "[0].candidates[1].person.id"), in_th);
  assert_int_equal(num(rows, "[0].candidates[0].rank"), 1);
  assert_int_equal(num(rows, "[0].candidates[1].rank"), 2);
  assert_non_null(strstr(h_gets(rows, "[0].candidates[0].explanation"), "country: registered in MM"));
  assert_non_null(
      strstr(h_gets(rows, "[0].candidates[1].explanation"), "country: not registered in MM"));
  /* The twins agree on everything else: where the list comes from must not make one strong. */
  assert_string_equal(h_gets(rows, "[0].candidates[0].band"), "review");
}

static void lists_candidates_of_equal_probability_share_a_rank(void **state) {
  h_server_t *s = *state;
  const char *a = person(s, "Lò Văn Piểng", "M", "1979-09-03", "LA");
  const char *b = person(s, "Lò Văn Piểng", "M", "1979-09-03", "LA");
  const char *csv = "full_name,date_of_birth,sex\nPIENG LO VAN,03/09/1979,M\n";
  h_resp_t *r = upload(s, h_as(s, H_HQ),
                       "/api/v1/lists?title=Pieng&source=Lao%20police&country=LA", csv);
  EXPECT_STATUS(s, r, 201);
  json_t *rows = rows_of(s, h_as(s, H_HQ), h_gets(r->json, "id"), NULL);
  assert_true(json_array_size(h_get(rows, "[0].candidates")) >= 2);
  const char *first = h_gets(rows, "[0].candidates[0].person.id");
  const char *second = h_gets(rows, "[0].candidates[1].person.id");
  assert_true((strcmp(first, a) == 0 && strcmp(second, b) == 0) ||
              (strcmp(first, b) == 0 && strcmp(second, a) == 0));
  assert_int_equal(num(rows, "[0].candidates[0].rank"), 1);
  assert_int_equal(num(rows, "[0].candidates[1].rank"), 1);
  assert_true(json_real_value(h_get(rows, "[0].candidates[0].probability")) ==
              json_real_value(h_get(rows, "[0].candidates[1].probability")));
}

static void lists_missing_subject_counts_as_present_in_its_crisis_country(void **state) {
  h_server_t *s = *state;
  const h_auth_t *mm = h_as(s, H_MYANMAR);
  h_resp_t *r = h_call(s, h_as(s, H_HQ), "POST",
                       "{\"name\":\"Myawaddy\",\"kind\":\"armed_conflict\",\"countries\":[\"MM\"]}",
                       "/api/v1/crises");
  EXPECT_STATUS(s, r, 201);
  const char *crisis = h_str("%s", h_gets(r->json, "id"));
  const char *with = h_str("%s", missing_case(
      s, mm, h_str("\"crisis\":\"%s\",\"subject\":{\"full_name\":\"Hứa Thị Quyên\",\"sex\":\"F\","
                   "\"date_of_birth\":\"2001-07-19\"}",
                   crisis)));
  const char *without = h_str("%s", missing_case(s, mm,
                                     "\"subject\":{\"full_name\":\"Hứa Thị Quyên\",\"sex\":\"F\","
                                     "\"date_of_birth\":\"2001-07-19\"}"));
  const char *csv = "full_name,date_of_birth,sex\nQUYEN HUA THI,19/07/2001,F\n";
  r = upload(s, mm, LS_QUERY("Quyen"), csv);
  EXPECT_STATUS(s, r, 201);
  json_t *rows = rows_of(s, mm, h_gets(r->json, "id"), NULL);
  assert_string_equal(h_gets(rows, "[0].candidates[0].case.id"), with);
  assert_non_null(strstr(h_gets(rows, "[0].candidates[0].explanation"), "country: registered in MM"));
  /* Without a crisis nobody knows where the subject is: no evidence either way. */
  assert_string_equal(h_gets(rows, "[0].candidates[1].case.id"), without);
  assert_null(strstr(h_gets(rows, "[0].candidates[1].explanation"), "country"));
  /* Putting the case in the crisis moves the matching generation: the next upload sees it. */
  r = h_call(s, mm, "PATCH", h_str("{\"crisis\":\"%s\"}", crisis), "/api/v1/cases/%s", without);
  EXPECT_2XX(s, r);
  r = upload(s, mm, LS_QUERY("Quyen%202"), csv);
  EXPECT_STATUS(s, r, 201);
  rows = rows_of(s, mm, h_gets(r->json, "id"), NULL);
  assert_non_null(strstr(h_gets(rows, "[0].candidates[0].explanation"), "country: registered in MM"));
  assert_non_null(strstr(h_gets(rows, "[0].candidates[1].explanation"), "country: registered in MM"));
  assert_int_equal(num(rows, "[0].candidates[1].rank"), 1);
}

/* Writes text to a new file of the server's directory; returns its path. */
static const char *write_file(h_server_t *s, const char *name, const char *text) {
  const char *path = h_str("%s/%s", s->dir, name);
  FILE *f = fopen(path, "w");
  assert_non_null(f);
  fputs(text, f);
  fclose(f);
  return path;
}

static void cli_match_country_ranks_the_in_country_record_first(void **state) {
  h_server_t *s = *state;
  const char *other = write_file(s, "cli-other.csv",
                                 "id,full_name,date_of_birth,sex,country\n"
                                 "A1,Vi Thị Ngoan,1991-04-22,F,TH\n"
                                 "A2,Vi Thị Ngoan,1991-04-22,F,\"LA,MM\"\n"
                                 "A3,Đỗ Văn Lực,1970-01-30,M,JP\n");
  const char *list = write_file(s, "cli-ngoan.csv", "id,full_name,date_of_birth,sex\n"
                                                    "Q1,NGOAN VI THI,22/04/1991,F\n");
  char out[8192];
  int rc = h_cli(NULL, out, sizeof out, "match", list, "--against", other, "--country", "mm",
                 NULL);
  assert_int_equal(rc, 0);
  assert_non_null(strstr(out, "Q1,1,A2,"));
  assert_non_null(strstr(out, "Q1,2,A1,"));
  assert_non_null(strstr(out, "country: registered in MM"));
  assert_non_null(strstr(out, "country: not registered in MM"));
  /* Without --country the two agree on everything: they share the first rank. */
  rc = h_cli(NULL, out, sizeof out, "match", list, "--against", other, NULL);
  assert_int_equal(rc, 0);
  assert_non_null(strstr(out, "Q1,1,A1,"));
  assert_non_null(strstr(out, "Q1,1,A2,"));
  assert_null(strstr(out, "country:"));
  rc = h_cli(NULL, out, sizeof out, "match", list, "--against", other, "--country", "M1", NULL);
  assert_int_not_equal(rc, 0);
  rc = h_cli(NULL, out, sizeof out, "match", "--help", NULL);
  assert_int_equal(rc, 0);
  assert_non_null(strstr(out, "--country XX"));
}

/* The rows of a CSV file at path, each as one line in lines (at most max), header skipped;
 * returns their number. */
static int read_lines(const char *path, char lines[][160], int max) {
  FILE *f = fopen(path, "r");
  assert_non_null(f);
  char buf[512];
  int n = -1;
  while (fgets(buf, sizeof buf, f) != NULL) {
    buf[strcspn(buf, "\r\n")] = '\0';
    if (n >= 0 && n < max) snprintf(lines[n], sizeof lines[n], "%s", buf);
    n++;
  }
  fclose(f);
  return n < 0 ? 0 : n;
}

/*
 * `baoho gen list` makes a foreign authority's list from the persons `baoho gen persons` writes
 * with the same seed, with its truth; `baoho match` against those persons finds nearly every
 * row's person first and gives no strong candidate to a row of nobody in them. The floors are
 * generous (the figures of bench/README.md are measured on far larger sets); without
 * --registry, gen list refuses.
 */
static void a_generated_list_finds_its_people_with_baoho_match(void **state) {
  h_server_t *s = *state;
  enum { LIST_ROWS = 150 };
  static char persons[4 << 20];
  int rc = h_cli(NULL, persons, sizeof persons, "gen", "persons", "3000", "--seed", "11", NULL);
  assert_int_equal(rc, 0);
  const char *registry = write_file(s, "gen-persons.csv", persons);
  const char *truth = h_str("%s/gen-truth.csv", s->dir);
  static char list[64 << 10];
  rc = h_cli(NULL, list, sizeof list, "gen", "list", "150", "--registry", "3000", "--seed", "11",
             "--truth", truth, NULL);
  assert_int_equal(rc, 0);
  assert_non_null(strstr(list, "id,full_name,date_of_birth,age,sex,id_number,province"));
  const char *list_path = write_file(s, "gen-list.csv", list);
  const char *out = h_str("%s/gen-matches.csv", s->dir);
  char msg[256];
  rc = h_cli(NULL, msg, sizeof msg, "match", list_path, "--against", registry, "--against-map",
             "external_id=id,national_id=id_number,home_province=province", "--ref-date",
             "2025-06-01", "--top", "1", "--out", out, NULL);
  assert_int_equal(rc, 0);
  static char want[LIST_ROWS][160], got[LIST_ROWS + 1][160];
  assert_int_equal(read_lines(truth, want, LIST_ROWS), LIST_ROWS);
  int nout = read_lines(out, got, LIST_ROWS + 1);
  assert_int_equal(nout, LIST_ROWS); /* --top 1: one line a row */
  int with = 0, first = 0, without = 0, strong = 0;
  for (int i = 0; i < LIST_ROWS; i++) {
    const char *id = strchr(want[i], ',') + 1; /* query_id,true_external_id */
    char expect[160];
    snprintf(expect, sizeof expect, "%.*s,1,%s,", (int)(id - 1 - want[i]), want[i], id);
    if (*id != '\0') {
      with++;
      first += strncmp(got[i], expect, strlen(expect)) == 0;
    } else {
      without++;
      strong += strstr(got[i], ",strong,") != NULL;
    }
  }
  assert_true(with > LIST_ROWS / 2 && without > 0);
  assert_true(first * 10 >= with * 9);
  assert_int_equal(strong, 0);
  rc = h_cli(NULL, msg, sizeof msg, "gen", "list", "10", "--seed", "11", NULL);
  assert_int_equal(rc, 2);
}

int api_lists_tests(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(lists_upload_finds_a_registered_person_in_the_strong_band),
      cmocka_unit_test(a_generated_list_finds_its_people_with_baoho_match),
      cmocka_unit_test(lists_upload_reports_bad_rows_and_keeps_the_good_ones),
      cmocka_unit_test(lists_upload_with_an_unreadable_date_keeps_the_row_and_warns),
      cmocka_unit_test(lists_upload_refusals_name_the_field),
      cmocka_unit_test(lists_are_seen_by_their_mission_and_hq_only),
      cmocka_unit_test(lists_candidates_come_only_from_the_uploaders_jurisdiction),
      cmocka_unit_test(lists_match_persons_registered_after_an_earlier_upload),
      cmocka_unit_test(lists_match_follows_an_edited_name),
      cmocka_unit_test(lists_decisions_confirm_replace_reject_and_count),
      cmocka_unit_test(lists_confirmed_person_is_flagged_as_a_repeat_on_a_later_list),
      cmocka_unit_test(lists_confirm_applies_the_lists_status_and_presence),
      cmocka_unit_test(lists_confirm_keeps_a_current_presence_in_the_country),
      cmocka_unit_test(lists_withdrawn_confirmation_restores_the_status_and_keeps_history),
      cmocka_unit_test(lists_withdrawal_leaves_a_status_changed_since),
      cmocka_unit_test(lists_upload_refuses_bad_confirmation_settings),
      cmocka_unit_test(lists_open_missing_person_case_is_a_candidate_of_its_mission),
      cmocka_unit_test(lists_person_with_an_open_case_is_listed_once_with_a_note),
      cmocka_unit_test(cli_match_against_the_registry_lists_missing_person_cases),
      cmocka_unit_test(cli_match_against_the_registry_writes_opaque_person_ids),
      cmocka_unit_test(cli_dedupe_finds_a_person_registered_twice),
      cmocka_unit_test(lists_country_ranks_the_in_country_namesake_first),
      cmocka_unit_test(lists_candidates_of_equal_probability_share_a_rank),
      cmocka_unit_test(lists_missing_subject_counts_as_present_in_its_crisis_country),
      cmocka_unit_test(cli_match_country_ranks_the_in_country_record_first),
  };
  return cmocka_run_group_tests_name("lists", tests, h_group_setup, h_group_teardown);
}
