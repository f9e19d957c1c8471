/*
 * test_idempotency.c - Idempotency-Key against the real server: a write sent twice with the same
 * key happens once and the second answer is the first one replayed; the same key on another
 * request is refused; keys of different users (and of different check-in links) are apart; a
 * malformed key is refused naming the header; a refused request keeps no key; and a check-in
 * answered twice with the key of its form counts once, also when the two requests arrive at once
 * among others and meet in one group commit. Also /healthz's report of the database
 * (reachable, read-write, schema version), the other half of the same part of issue 8.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alert/alert.h"
#include "domain/secret.h"
#include "harness.h"
#include "store/store_idem.h"
#include "util/err.h"

#define ID_COUNTRY "LB"

/* POST /api/v1/persons as auth with body json and, unless NULL, the key. */
static h_resp_t *id_person_post(h_server_t *s, const h_auth_t *auth, const char *key,
                                const char *json) {
  h_req_t rq = {.method = "POST", .path = "/api/v1/persons", .json = json, .auth = auth};
  if (key != NULL) rq.headers[0] = h_str("Idempotency-Key: %s", key);
  return h_do(s, &rq);
}

/* The number of persons named name (one token) that auth can see. */
static size_t id_count_named(h_server_t *s, const h_auth_t *auth, const char *name) {
  json_t *items = h_list_all(s, auth, h_str("/api/v1/persons?q=%s", name), 100);
  return json_array_size(items);
}

static void idempotency_same_key_twice_creates_one_person_and_replays_the_answer(void **state) {
  h_server_t *s = *state;
  const char *body = h_person_json("Quyen Idemone", ID_COUNTRY, "Beirut", "worker");
  h_resp_t *a = id_person_post(s, h_as(s, H_HQ), "create-idemone-1", body);
  EXPECT_STATUS(s, a, 201);
  assert_null(h_header(a, "Idempotent-Replayed"));
  h_resp_t *b = id_person_post(s, h_as(s, H_HQ), "create-idemone-1", body);
  EXPECT_STATUS(s, b, 201);
  assert_non_null(h_header(b, "Idempotent-Replayed"));
  assert_string_equal(h_header(b, "Idempotent-Replayed"), "true");
  assert_string_equal(a->body, b->body);
  assert_string_equal(h_header(a, "Content-Type"), h_header(b, "Content-Type"));
  assert_string_equal(h_header(b, "Cache-Control"), "no-store");
  assert_int_equal(id_count_named(s, h_as(s, H_HQ), "Idemone"), 1);
  /* The replayed answer holds personal data: its delivery is in the audit log. */
  json_t *audit = h_list_all(s, h_as(s, H_ADMIN), "/api/v1/audit", 500);
  size_t replays = 0;
  for (size_t i = 0; i < json_array_size(audit); i++) {
    replays += strcmp(h_gets(json_array_get(audit, i), "action"), "idempotency.replay") == 0;
  }
  assert_int_equal(replays, 1);
  /* Without a key, the same body is a second person. */
  EXPECT_STATUS(s, id_person_post(s, h_as(s, H_HQ), NULL, body), 201);
  assert_int_equal(id_count_named(s, h_as(s, H_HQ), "Idemone"), 2);
}

static void idempotency_same_key_on_another_request_is_422(void **state) {
  h_server_t *s = *state;
  h_resp_t *a = id_person_post(s, h_as(s, H_HQ), "reuse-1",
                               h_person_json("Quyen Idemtwo", ID_COUNTRY, "Beirut", "worker"));
  EXPECT_STATUS(s, a, 201);
  h_resp_t *b = id_person_post(s, h_as(s, H_HQ), "reuse-1",
                               h_person_json("Quyen Idemthree", ID_COUNTRY, "Beirut", "worker"));
  EXPECT_ERROR(s, b, 422, "idempotency_key_reused", "Idempotency-Key");
  assert_int_equal(id_count_named(s, h_as(s, H_HQ), "Idemthree"), 0);
  /* The same key on another path is another request too. */
  h_req_t rq = {.method = "POST",
                .path = "/api/v1/crises",
                .json = "{\"name\":\"Reuse\",\"kind\":\"armed_conflict\",\"countries\":[\"LB\"]}",
                .auth = h_as(s, H_HQ),
                .headers = {"Idempotency-Key: reuse-1"}};
  EXPECT_ERROR(s, h_do(s, &rq), 422, "idempotency_key_reused", "Idempotency-Key");
}

static void idempotency_keys_of_different_users_are_independent(void **state) {
  h_server_t *s = *state;
  h_resp_t *a = id_person_post(s, h_as(s, H_HQ), "shared-key",
                               h_person_json("Quyen Idemfour", ID_COUNTRY, "Beirut", "worker"));
  EXPECT_STATUS(s, a, 201);
  h_resp_t *b = id_person_post(s, h_as(s, H_ADMIN), "shared-key",
                               h_person_json("Quyen Idemfive", ID_COUNTRY, "Beirut", "worker"));
  EXPECT_STATUS(s, b, 201);
  assert_null(h_header(b, "Idempotent-Replayed"));
  assert_string_not_equal(h_gets(a->json, "id"), h_gets(b->json, "id"));
  assert_int_equal(id_count_named(s, h_as(s, H_HQ), "Idemfive"), 1);
}

static void idempotency_malformed_key_is_400_naming_the_header(void **state) {
  h_server_t *s = *state;
  char longkey[STORE_IDEM_KEY_MAX + 2];
  memset(longkey, 'k', sizeof(longkey) - 1);
  longkey[sizeof(longkey) - 1] = '\0';
  h_resp_t *r = id_person_post(s, h_as(s, H_HQ), longkey,
                               h_person_json("Quyen Idemsix", ID_COUNTRY, "Beirut", "worker"));
  EXPECT_ERROR(s, r, 400, "bad_request", "Idempotency-Key");
  assert_int_equal(id_count_named(s, h_as(s, H_HQ), "Idemsix"), 0);
  /* 128 characters are accepted. */
  longkey[STORE_IDEM_KEY_MAX] = '\0';
  EXPECT_STATUS(s,
                id_person_post(s, h_as(s, H_HQ), longkey,
                               h_person_json("Quyen Idemsix", ID_COUNTRY, "Beirut", "worker")),
                201);
}

static void idempotency_refused_request_keeps_no_key(void **state) {
  h_server_t *s = *state;
  /* A body that fails validation is answered 422 and nothing is kept under its key ... */
  h_resp_t *r = id_person_post(s, h_as(s, H_HQ), "first-invalid", "{\"full_name\":\"\"}");
  EXPECT_ERROR(s, r, 422, "validation_failed", NULL);
  assert_null(h_header(r, "Idempotent-Replayed"));
  /* ... so the corrected request with the same key is simply run. */
  r = id_person_post(s, h_as(s, H_HQ), "first-invalid",
                     h_person_json("Quyen Idemseven", ID_COUNTRY, "Beirut", "worker"));
  EXPECT_STATUS(s, r, 201);
  assert_null(h_header(r, "Idempotent-Replayed"));
}

static void idempotency_public_registration_is_created_once(void **state) {
  h_server_t *s = *state;
  const char *body =
      "{\"person\":{\"full_name\":\"Quyen Idemeight\",\"emails\":[\"idem8@example.org\"]},"
      "\"presence\":{\"country\":\"" ID_COUNTRY "\",\"category\":\"tourist\"}}";
  h_req_t rq = {.method = "POST", .path = "/api/v1/public/registrations", .json = body,
                .headers = {"Idempotency-Key: 7d1c9a52-registration"}};
  h_resp_t *a = h_do(s, &rq);
  EXPECT_STATUS(s, a, 201);
  h_resp_t *b = h_do(s, &rq);
  EXPECT_STATUS(s, b, 201);
  assert_string_equal(h_header(b, "Idempotent-Replayed"), "true");
  assert_string_equal(h_gets(a->json, "manage_token"), h_gets(b->json, "manage_token"));
  assert_int_equal(id_count_named(s, h_as(s, H_HQ), "Idemeight"), 1);
}

/* ---- check-ins ---- */

/* A crisis named name in ID_COUNTRY with an alert asking for check-ins by e-mail, sent to
 * everyone present there: the alert's id (*crisis, unless NULL, the crisis's). */
static const char *id_checkin_alert(h_server_t *s, const char *name, const char **crisis) {
  h_resp_t *r = h_call(s, h_as(s, H_HQ), "POST",
                       h_str("{\"name\":\"%s\",\"kind\":\"armed_conflict\","
                             "\"countries\":[\"" ID_COUNTRY "\"]}",
                             name),
                       "/api/v1/crises");
  EXPECT_STATUS(s, r, 201);
  const char *id = h_str("%s", h_gets(r->json, "id"));
  if (crisis != NULL) *crisis = id;
  return h_checkin_alert(s, id);
}

static h_resp_t *id_checkin_post(h_server_t *s, const char *token, const char *form,
                                 const char *header_key) {
  h_req_t rq = {.method = "POST", .path = h_str("/c/%s", token), .raw = form,
                .raw_len = strlen(form), .content_type = "application/x-www-form-urlencoded"};
  if (header_key != NULL) rq.headers[0] = h_str("Idempotency-Key: %s", header_key);
  return h_do(s, &rq);
}

/* Answers from check-ins in the person's status history. */
static size_t id_checkins_in_history(h_server_t *s, const char *person) {
  h_resp_t *r = h_call(s, h_as(s, H_HQ), "GET", NULL, "/api/v1/persons/%s/status", person);
  EXPECT_STATUS(s, r, 200);
  json_t *hist = h_get(r->json, "history");
  size_t n = 0;
  for (size_t i = 0; i < json_array_size(hist); i++) {
    n += strcmp(h_gets(json_array_get(hist, i), "source"), "check_in") == 0;
  }
  return n;
}

/* The person's current welfare status. */
static const char *id_status(h_server_t *s, const char *person) {
  h_resp_t *r = h_call(s, h_as(s, H_HQ), "GET", NULL, "/api/v1/persons/%s/status", person);
  EXPECT_STATUS(s, r, 200);
  return h_gets(r->json, "status");
}

/* The value of the hidden idempotency_key field of a check-in page. */
static const char *id_form_key(const char *page) {
  const char *p = strstr(page, "name=\"idempotency_key\" value=\"");
  if (p == NULL) fail_msg("the check-in form carries no idempotency_key");
  p += strlen("name=\"idempotency_key\" value=\"");
  const char *end = strchr(p, '"');
  assert_non_null(end);
  return h_str("%.*s", (int)(end - p), p);
}

/*
 * A person "Quyen NAME" in ID_COUNTRY, a recipient of a new alert of a crisis titled title:
 * returns the person's id, with the person's check-in link in *token and the hidden key of the
 * form its page shows in language lang ("vi" or "en") in *key.
 */
static const char *id_checkin_person(h_server_t *s, const char *name, const char *title,
                                     const char *lang, const char **token, const char **key) {
  h_resp_t *r = h_create_person(
      s, h_as(s, H_HQ),
      h_str("{\"full_name\":\"Quyen %s\",\"emails\":[\"%s@example.org\"],"
            "\"presence\":{\"country\":\"" ID_COUNTRY "\",\"region\":\"Beirut\","
            "\"category\":\"worker\"}}",
            name, name));
  const char *person = h_str("%s", h_gets(r->json, "id"));
  *token = h_checkin_token(s, id_checkin_alert(s, title, NULL), person);
  r = h_call(s, NULL, "GET", NULL, "/c/%s?lang=%s", *token, lang);
  EXPECT_STATUS(s, r, 200);
  *key = id_form_key(r->body);
  return person;
}

static void idempotency_checkin_answered_twice_with_its_key_counts_once(void **state) {
  h_server_t *s = *state;
  const char *token, *key;
  const char *person = id_checkin_person(s, "Idemnine", "Idempotent check-ins", "vi", &token, &key);
  h_resp_t *r;

  /* The form's own hidden key: the same form sent twice records one answer. */
  const char *form = h_str("answer=safe&idempotency_key=%s&lang=vi", h_urlencode(key));
  h_resp_t *a = id_checkin_post(s, token, form, NULL);
  EXPECT_STATUS(s, a, 200);
  assert_null(h_header(a, "Idempotent-Replayed"));
  assert_string_equal(id_status(s, person), "safe");
  /* A later answer (another key) changes the status ... */
  EXPECT_STATUS(s, id_checkin_post(s, token, "answer=need_help", "sms-app-42"), 200);
  assert_string_equal(id_status(s, person), "needs_assistance");
  assert_int_equal(id_checkins_in_history(s, person), 2);
  /* ... and the first form sent again (a retry) is answered from its key: it is not recorded
   * a second time, so it does not turn the status back to safe. */
  h_resp_t *b = id_checkin_post(s, token, form, NULL);
  EXPECT_STATUS(s, b, 200);
  assert_string_equal(h_header(b, "Idempotent-Replayed"), "true");
  assert_string_equal(a->body, b->body);
  assert_non_null(strstr(h_header(b, "Content-Security-Policy"), "script-src 'self'"));
  assert_string_equal(id_status(s, person), "needs_assistance");
  assert_int_equal(id_checkins_in_history(s, person), 2);
  /* The key in a header works the same; the same key with another answer is refused. */
  r = id_checkin_post(s, token, "answer=need_help", "sms-app-42");
  EXPECT_STATUS(s, r, 200);
  assert_string_equal(h_header(r, "Idempotent-Replayed"), "true");
  EXPECT_ERROR(s, id_checkin_post(s, token, "answer=safe", "sms-app-42"), 422,
               "idempotency_key_reused", "Idempotency-Key");
  assert_string_equal(id_status(s, person), "needs_assistance");
  assert_int_equal(id_checkins_in_history(s, person), 2);
}

/* ---- what a check-in's key keeps ---- */

/* The content type and the body's length of the row kept under key in the server's SQLite
 * database (content_type "" when there is none). */
static void id_kept_row(h_server_t *s, const char *key, const char **type, int *len) {
  sqlite3 *db = NULL;
  sqlite3_stmt *st = NULL;
  assert_int_equal(sqlite3_open_v2(s->db, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
  assert_int_equal(sqlite3_prepare_v2(db,
                                      "SELECT content_type, length(body) FROM idempotency_keys"
                                      " WHERE idem_key = ?1",
                                      -1, &st, NULL),
                   SQLITE_OK);
  sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
  *type = "";
  *len = 0;
  if (sqlite3_step(st) == SQLITE_ROW) {
    *type = h_str("%s", (const char *)sqlite3_column_text(st, 0));
    *len = sqlite3_column_int(st, 1);
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
}

/* Rewrites the row kept under key as versions before the compact form kept it: the whole page
 * (page, sealed with the server's key), its content type and its headers. */
static void id_keep_page(h_server_t *s, const char *key, const char *page) {
  secret_t k;
  assert_int_equal(secret_load(s->key, &k), BH_OK);
  size_t n = strlen(page);
  unsigned char *sealed = malloc(n + SECRET_SEAL_OVERHEAD);
  assert_non_null(sealed);
  secret_seal(&k, page, n, sealed);
  sqlite3 *db = NULL;
  sqlite3_stmt *st = NULL;
  assert_int_equal(sqlite3_open_v2(s->db, &db, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
  sqlite3_busy_timeout(db, 5000);
  assert_int_equal(
      sqlite3_prepare_v2(db,
                         "UPDATE idempotency_keys SET content_type = 'text/html; charset=utf-8',"
                         " headers = 'Cache-Control: no-store\nContent-Language: en\n',"
                         " body = ?2 WHERE idem_key = ?1",
                         -1, &st, NULL),
      SQLITE_OK);
  sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
  sqlite3_bind_blob(st, 2, sealed, (int)(n + SECRET_SEAL_OVERHEAD), SQLITE_STATIC);
  assert_int_equal(sqlite3_step(st), SQLITE_DONE);
  assert_int_equal(sqlite3_changes(db), 1);
  sqlite3_finalize(st);
  sqlite3_close(db);
  free(sealed);
}

static void idempotency_checkin_key_keeps_the_answer_and_replays_its_page(void **state) {
  h_server_t *s = *state;
  const char *token, *key;
  const char *person = id_checkin_person(s, "Idemkept", "Kept check-in answers", "en", &token, &key);
  const char *form = h_str("answer=need_help&idempotency_key=%s&lang=en", h_urlencode(key));
  h_resp_t *a = id_checkin_post(s, token, form, NULL);
  EXPECT_STATUS(s, a, 200);
  assert_string_equal(h_header(a, "Content-Language"), "en");
  /* Sent again: the English page of the same answer, for the same link, marked as replayed. */
  h_resp_t *b = id_checkin_post(s, token, form, NULL);
  EXPECT_STATUS(s, b, 200);
  assert_string_equal(h_header(b, "Idempotent-Replayed"), "true");
  assert_string_equal(a->body, b->body);
  assert_string_equal(h_header(b, "Content-Language"), "en");
  assert_string_equal(h_header(b, "Content-Security-Policy"), h_header(a, "Content-Security-Policy"));
  assert_string_equal(h_header(b, "Cache-Control"), "no-store");
  assert_int_equal(id_checkins_in_history(s, person), 1);
  if (s->pg_name[0]) return; /* the rest reads and writes the SQLite file */
  /* The key keeps the answer (sealed, a few dozen bytes), not the page of more than a kilobyte. */
  const char *type;
  int len;
  id_kept_row(s, key, &type, &len);
  assert_string_equal(type, "application/x-baoho-checkin-answer");
  assert_in_range(len, SECRET_SEAL_OVERHEAD + 4, SECRET_SEAL_OVERHEAD + 40);
  /* A key kept by an earlier version holds the page itself: it is replayed as it was kept. */
  id_keep_page(s, key, "<p>kept page</p>");
  h_resp_t *c = id_checkin_post(s, token, form, NULL);
  EXPECT_STATUS(s, c, 200);
  assert_string_equal(c->body, "<p>kept page</p>");
  assert_string_equal(h_header(c, "Idempotent-Replayed"), "true");
  assert_int_equal(id_checkins_in_history(s, person), 1);
}

/* ---- a burst of keyed answers, sent at once ---- */

enum { ID_BURST_PERSONS = 8, ID_BURST = 2 * ID_BURST_PERSONS + 1 };

/*
 * Citizens' phones answer at once (h_do_all), and each form is sent twice (a double tap): the answers meet
 * in the writer's group commits, the two of a form often in one. Each key is recorded once (one
 * case per person, no second "need help" event on it); the other request of the pair replays
 * the first's page, or is asked to retry while the first is being committed; a key answered
 * before the burst is replayed.
 */
static void idempotency_checkin_burst_records_each_key_once(void **state) {
  h_server_t *s = *state;
  const char *persons[ID_BURST_PERSONS];
  for (int i = 0; i < ID_BURST_PERSONS; i++) {
    h_resp_t *r = h_create_person(
        s, h_as(s, H_HQ),
        h_str("{\"full_name\":\"Quyen Burst%c\",\"emails\":[\"burst%d@example.org\"],"
              "\"presence\":{\"country\":\"" ID_COUNTRY "\",\"category\":\"worker\"}}",
              'a' + i, i));
    persons[i] = h_str("%s", h_gets(r->json, "id"));
  }
  const char *crisis = NULL;
  const char *alert = id_checkin_alert(s, "Burst of check-ins", &crisis);
  h_resp_t *r;
  const char *paths[ID_BURST], *forms[ID_BURST];
  for (int i = 0; i < ID_BURST_PERSONS; i++) {
    paths[2 * i] = paths[2 * i + 1] = h_str("/c/%s", h_checkin_token(s, alert, persons[i]));
    forms[2 * i] = forms[2 * i + 1] =
        h_str("answer=need_help&message=burst&idempotency_key=burst-%d&lang=vi", i);
  }
  /* The last one repeats a form answered before the burst. */
  paths[ID_BURST - 1] = paths[0];
  forms[ID_BURST - 1] = "answer=safe&idempotency_key=burst-before&lang=vi";
  r = id_checkin_post(s, paths[0] + 3, forms[ID_BURST - 1], NULL);
  EXPECT_STATUS(s, r, 200);
  const char *before = h_str("%s", r->body);

  h_req_t rqs[ID_BURST];
  for (int k = 0; k < ID_BURST; k++) {
    rqs[k] = (h_req_t){.method = "POST", .path = paths[k], .raw = forms[k],
                       .raw_len = strlen(forms[k]),
                       .content_type = "application/x-www-form-urlencoded"};
  }
  h_resp_t *shots[ID_BURST];
  h_do_all(s, rqs, ID_BURST, shots);
  for (int i = 0; i < ID_BURST_PERSONS; i++) {
    int recorded = 0;
    for (int k = 2 * i; k < 2 * i + 2; k++) {
      if (shots[k]->status == 409) {
        assert_non_null(h_header(shots[k], "Retry-After"));
        continue;
      }
      EXPECT_STATUS(s, shots[k], 200);
      recorded += h_header(shots[k], "Idempotent-Replayed") == NULL;
    }
    assert_int_equal(recorded, 1);
    if (shots[2 * i]->status == 200 && shots[2 * i + 1]->status == 200) {
      assert_string_equal(shots[2 * i]->body, shots[2 * i + 1]->body);
    }
  }
  EXPECT_STATUS(s, shots[ID_BURST - 1], 200);
  assert_string_equal(h_header(shots[ID_BURST - 1], "Idempotent-Replayed"), "true");
  assert_string_equal(shots[ID_BURST - 1]->body, before);

  /* One case per person, each with its "created" event only. */
  json_t *cases = h_list_all(s, h_as(s, H_HQ),
                             h_str("/api/v1/cases?crisis=%s&status=all", crisis), 100);
  assert_int_equal(json_array_size(cases), ID_BURST_PERSONS);
  for (size_t i = 0; i < json_array_size(cases); i++) {
    r = h_call(s, h_as(s, H_HQ), "GET", NULL, "/api/v1/cases/%s",
               h_gets(json_array_get(cases, i), "id"));
    EXPECT_STATUS(s, r, 200);
    assert_int_equal(json_array_size(h_get(r->json, "timeline")), 1);
  }
  for (int i = 0; i < ID_BURST_PERSONS; i++) {
    assert_string_equal(id_status(s, persons[i]), "needs_assistance");
  }
}

/* /healthz tells a primary from a standby (issue 8: the health endpoint reports the database). */
static void healthz_reports_read_write_access_and_schema(void **state) {
  h_server_t *s = *state;
  h_resp_t *r = h_call(s, NULL, "GET", NULL, "/healthz");
  EXPECT_STATUS(s, r, 200);
  assert_string_equal(h_gets(r->json, "database"), "ok");
  assert_string_equal(h_gets(r->json, "access"), "read_write");
  assert_true(json_integer_value(h_get(r->json, "schema_version")) >= 8);
}

int api_idempotency_tests(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(idempotency_same_key_twice_creates_one_person_and_replays_the_answer),
      cmocka_unit_test(idempotency_same_key_on_another_request_is_422),
      cmocka_unit_test(idempotency_keys_of_different_users_are_independent),
      cmocka_unit_test(idempotency_malformed_key_is_400_naming_the_header),
      cmocka_unit_test(idempotency_refused_request_keeps_no_key),
      cmocka_unit_test(idempotency_public_registration_is_created_once),
      cmocka_unit_test(idempotency_checkin_answered_twice_with_its_key_counts_once),
      cmocka_unit_test(idempotency_checkin_key_keeps_the_answer_and_replays_its_page),
      cmocka_unit_test(idempotency_checkin_burst_records_each_key_once),
      cmocka_unit_test(healthz_reports_read_write_access_and_schema),
  };
  return cmocka_run_group_tests_name("idempotency", tests, h_group_setup, h_group_teardown);
}
