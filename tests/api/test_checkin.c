/*
 * test_checkin.c - citizens' answers through their personal links (/c/{token}) against the real
 * server: the page, answering and answering again (latest wins, history kept), the list of
 * people needing help, bad links, closed crises, oversize answers, an alert whose email cannot
 * be sent because no relay is configured, and durability: bursts of check-ins with the server
 * killed (SIGKILL) in the middle, where every answer that got a 200 must be there after restart.
 *
 * The server of this group has no SMTP relay, so messages are stored but never sent; the test
 * computes the links from the server's key file exactly as the outbox would (alert.h).
 */
#include <curl/curl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "alert/alert.h"
#include "domain/secret.h"
#include "harness.h"

#define CK_PEOPLE 120 /* persons in the crisis area, each answering once per burst */
#define CK_COUNTRY "JO"

struct ck_fixture {
  h_server_t *s;
  const char *crisis;          /* public id */
  const char *alert;           /* public id */
  const char *person[CK_PEOPLE]; /* public ids */
  const char *token[CK_PEOPLE];
};

static struct ck_fixture ck;

/* Declares a crisis in country as hq; returns its public id. */
static const char *ck_crisis(h_server_t *s, const char *name, const char *country) {
  h_resp_t *r = h_call(s, h_as(s, H_HQ), "POST",
                       h_str("{\"name\":\"%s\",\"kind\":\"armed_conflict\",\"countries\":[\"%s\"]}",
                             name, country),
                       "/api/v1/crises");
  EXPECT_STATUS(s, r, 201);
  return h_str("%s", h_gets(r->json, "id"));
}

static const char *ck_alert_body(const char *channels) {
  return h_str("{\"subject_vi\":\"Bạn có an toàn không?\",\"subject_en\":\"Are you safe?\","
               "\"body_vi\":\"Xin trả lời qua đường link.\",\"body_en\":\"Please answer.\","
               "\"channels\":%s,\"ask_checkin\":true}",
               channels);
}

static int ck_setup(void **state) {
  if (h_group_setup(state) != 0) return -1;
  h_server_t *s = *state;
  ck.s = s;
  for (int i = 0; i < CK_PEOPLE; i++) {
    h_resp_t *r = h_create_person(
        s, h_as(s, H_HQ),
        h_str("{\"full_name\":\"Check Citizen %d\",\"emails\":[\"ck%d@example.org\"],"
              "\"phones\":[\"+96279100%04d\"],\"presence\":{\"country\":\"" CK_COUNTRY
              "\",\"region\":\"Amman\",\"category\":\"worker\"}}",
              i, i, i));
    ck.person[i] = h_str("%s", h_gets(r->json, "id"));
  }
  ck.crisis = ck_crisis(s, "Check-in crisis", CK_COUNTRY);
  h_resp_t *r = h_call(s, h_as(s, H_HQ), "POST", ck_alert_body("[\"email\"]"),
                       "/api/v1/crises/%s/alerts", ck.crisis);
  EXPECT_STATUS(s, r, 202);
  assert_int_equal(json_integer_value(h_get(r->json, "recipients")), CK_PEOPLE);
  ck.alert = h_str("%s", h_gets(r->json, "id"));
  for (int i = 0; i < CK_PEOPLE; i++) ck.token[i] = h_checkin_token(s, ck.alert, ck.person[i]);
  return 0;
}

static h_resp_t *ck_post(h_server_t *s, const char *token, const char *form) {
  h_req_t rq = {.method = "POST", .path = h_str("/c/%s", token), .raw = form,
                .raw_len = strlen(form), .content_type = "application/x-www-form-urlencoded"};
  return h_do(s, &rq);
}

static const char *ck_status(h_server_t *s, const char *person) {
  h_resp_t *r = h_call(s, h_as(s, H_HQ), "GET", NULL, "/api/v1/persons/%s/status", person);
  EXPECT_STATUS(s, r, 200);
  return h_gets(r->json, "status");
}

static void checkin_page_is_a_form_without_script_under_csp(void **state) {
  h_server_t *s = *state;
  h_resp_t *r = h_call(s, NULL, "GET", NULL, "/c/%s", ck.token[0]);
  EXPECT_STATUS(s, r, 200);
  assert_non_null(strstr(h_header(r, "Content-Type"), "text/html"));
  assert_non_null(strstr(h_header(r, "Content-Security-Policy"), "script-src 'self'"));
  assert_string_equal(h_header(r, "Cache-Control"), "no-store");
  assert_non_null(strstr(r->body, "<form method=\"post\""));
  assert_non_null(strstr(r->body, "name=\"answer\" value=\"need_help\""));
  assert_null(strstr(r->body, "<script"));
  assert_non_null(strstr(r->body, "lang=\"vi\""));
  r = h_call(s, NULL, "GET", NULL, "/c/%s?lang=en", ck.token[0]);
  EXPECT_STATUS(s, r, 200);
  assert_non_null(strstr(r->body, "Are you safe?"));
}

static void checkin_answer_updates_status_and_may_be_answered_again(void **state) {
  h_server_t *s = *state;
  h_resp_t *r = ck_post(s, ck.token[1], "answer=safe&message=%C3%94+k%C3%AA&lang=vi");
  EXPECT_STATUS(s, r, 200);
  assert_string_equal(ck_status(s, ck.person[1]), "safe");
  r = ck_post(s, ck.token[1], "answer=need_help&message=B%E1%BB%8B+th%C6%B0%C6%A1ng&location=Hotel+X");
  EXPECT_STATUS(s, r, 200);
  assert_string_equal(ck_status(s, ck.person[1]), "needs_assistance");
  r = h_call(s, h_as(s, H_HQ), "GET", NULL, "/api/v1/persons/%s/status", ck.person[1]);
  json_t *hist = h_get(r->json, "history");
  size_t n = json_array_size(hist), from_checkin = 0;
  for (size_t i = 0; i < n; i++) {
    from_checkin += strcmp(h_gets(json_array_get(hist, i), "source"), "check_in") == 0;
  }
  assert_int_equal(from_checkin, 2);
  r = h_call(s, h_as(s, H_HQ), "GET", NULL, "/api/v1/crises/%s/needs-help", ck.crisis);
  EXPECT_STATUS(s, r, 200);
  int found = 0;
  json_t *items = h_get(r->json, "items");
  for (size_t i = 0; i < json_array_size(items); i++) {
    if (strcmp(h_gets(json_array_get(items, i), "person_id"), ck.person[1]) == 0) {
      found = 1;
      assert_string_equal(h_gets(json_array_get(items, i), "location"), "Hotel X");
    }
  }
  assert_true(found);
  /* The alert counts the latest answer. */
  r = h_call(s, h_as(s, H_HQ), "GET", NULL, "/api/v1/alerts/%s", ck.alert);
  EXPECT_STATUS(s, r, 200);
  assert_true(json_integer_value(h_get(r->json, "answers.need_help")) >= 1);
  /* A person answering "not in the area" leaves the need-help list. */
  r = ck_post(s, ck.token[1], "answer=not_in_area");
  EXPECT_STATUS(s, r, 200);
  assert_string_equal(ck_status(s, ck.person[1]), "left_area");
  r = h_call(s, h_as(s, H_HQ), "GET", NULL, "/api/v1/crises/%s/needs-help", ck.crisis);
  items = h_get(r->json, "items");
  for (size_t i = 0; i < json_array_size(items); i++) {
    assert_string_not_equal(h_gets(json_array_get(items, i), "person_id"), ck.person[1]);
  }
}

static void checkin_unknown_and_malformed_tokens_are_404(void **state) {
  h_server_t *s = *state;
  const char *bad[] = {"short", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
                       "%00AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
                       "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA!"};
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    h_resp_t *r = h_call(s, NULL, "GET", NULL, "/c/%s", bad[i]);
    EXPECT_STATUS(s, r, 404);
    /* A link of the right shape that leads nowhere gets the page that says so. */
    if (i == 1) assert_non_null(strstr(h_header(r, "Content-Type"), "text/html"));
    r = ck_post(s, bad[i], "answer=safe");
    EXPECT_STATUS(s, r, 404);
  }
}

static void checkin_bad_answers_are_refused(void **state) {
  h_server_t *s = *state;
  const char *forms[] = {"answer=fine", "answer=safe&answer=safe", "answer=safe&extra=1",
                         "answer=safe&message=%FF%FE", "answer=safe&message=%0", "", "answer"};
  for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
    h_resp_t *r = ck_post(s, ck.token[2], forms[i]);
    EXPECT_STATUS(s, r, 422);
  }
  char big[2200] = "answer=safe&message=";
  memset(big + strlen(big), 'x', 1200);
  big[20 + 1200] = '\0';
  EXPECT_STATUS(s, ck_post(s, ck.token[2], big), 422);
  h_req_t rq = {.method = "POST", .path = h_str("/c/%s", ck.token[2]), .json = "{\"answer\":\"safe\"}"};
  EXPECT_STATUS(s, h_do(s, &rq), 415);
}

static void checkin_email_without_relay_is_not_configured(void **state) {
  h_server_t *s = *state;
  h_resp_t *r = h_call(s, h_as(s, H_HQ), "GET", NULL, "/api/v1/alerts/%s", ck.alert);
  EXPECT_STATUS(s, r, 200);
  assert_string_equal(h_gets(r->json, "email"), "not_configured");
  assert_int_equal(json_integer_value(h_get(r->json, "delivery.email.not_configured")), CK_PEOPLE);
  assert_int_equal(json_integer_value(h_get(r->json, "delivery.email.sent")), 0);
}

/* ---- durability ---- */

struct ck_xfer {
  CURL *h;
  int i;
  long status;
  char form[64];
  char url[256];
};

static size_t ck_discard(char *p, size_t size, size_t n, void *ud) {
  (void)p;
  (void)ud;
  return size * n;
}

/*
 * Sends one answer per person concurrently (64 at a time) and kills the server with SIGKILL
 * once kill_after answers got 200; fills ok[i] with 1 for each answer that got 200.
 */
static void ck_burst(h_server_t *s, const char *answer, int kill_after, int ok[CK_PEOPLE]) {
  static struct ck_xfer x[CK_PEOPLE];
  CURLM *m = curl_multi_init();
  curl_multi_setopt(m, CURLMOPT_MAX_TOTAL_CONNECTIONS, 64L);
  for (int i = 0; i < CK_PEOPLE; i++) {
    x[i].i = i;
    x[i].status = 0;
    snprintf(x[i].form, sizeof(x[i].form), "answer=%s", answer);
    snprintf(x[i].url, sizeof(x[i].url), "http://127.0.0.1:%d/c/%s", s->port, ck.token[i]);
    x[i].h = curl_easy_init();
    curl_easy_setopt(x[i].h, CURLOPT_URL, x[i].url);
    curl_easy_setopt(x[i].h, CURLOPT_POSTFIELDS, x[i].form);
    curl_easy_setopt(x[i].h, CURLOPT_WRITEFUNCTION, ck_discard);
    curl_easy_setopt(x[i].h, CURLOPT_TIMEOUT_MS, 20000L);
    curl_easy_setopt(x[i].h, CURLOPT_PRIVATE, &x[i]);
    curl_multi_add_handle(m, x[i].h);
    ok[i] = 0;
  }
  int running = 1, oks = 0, killed = 0;
  while (running) {
    curl_multi_perform(m, &running);
    CURLMsg *msg;
    int left;
    while ((msg = curl_multi_info_read(m, &left)) != NULL) {
      if (msg->msg != CURLMSG_DONE) continue;
      struct ck_xfer *t;
      curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&t);
      if (msg->data.result == CURLE_OK) {
        curl_easy_getinfo(msg->easy_handle, CURLINFO_RESPONSE_CODE, &t->status);
      }
      if (t->status == 200) {
        ok[t->i] = 1;
        oks++;
      }
    }
    if (!killed && oks >= kill_after) {
      kill(s->pid, SIGKILL);
      killed = 1;
    }
    curl_multi_poll(m, NULL, 0, 100, NULL);
  }
  for (int i = 0; i < CK_PEOPLE; i++) {
    curl_multi_remove_handle(m, x[i].h);
    curl_easy_cleanup(x[i].h);
  }
  curl_multi_cleanup(m);
  if (!killed) kill(s->pid, SIGKILL);
  h_server_kill9(s);
}

static void checkin_burst_killed_mid_way_keeps_every_answered_checkin(void **state) {
  h_server_t *s = *state;
  const char *answers[] = {"safe", "need_help", "not_in_area"};
  const char *statuses[] = {"safe", "needs_assistance", "left_area"};
  for (int round = 0; round < 3; round++) {
    int ok[CK_PEOPLE];
    ck_burst(s, answers[round], CK_PEOPLE / 3, ok);
    assert_int_equal(h_server_restart(s), 0);
    int answered = 0;
    for (int i = 0; i < CK_PEOPLE; i++) {
      if (!ok[i]) continue;
      answered++;
      const char *st = ck_status(s, ck.person[i]);
      if (strcmp(st, statuses[round]) != 0) {
        fail_msg("round %d: person %d got 200 for %s but has status %s after the restart", round,
                 i, answers[round], st);
      }
    }
    fprintf(stderr, "    round %d: %d of %d check-ins answered 200 before SIGKILL; all stored\n",
            round, answered, CK_PEOPLE);
    assert_true(answered >= CK_PEOPLE / 3);
  }
}

static void checkin_closed_crisis_is_410(void **state) {
  h_server_t *s = *state;
  h_resp_t *r = h_call(s, h_as(s, H_HQ), "POST", NULL, "/api/v1/crises/%s/close", ck.crisis);
  EXPECT_2XX(s, r);
  r = h_call(s, NULL, "GET", NULL, "/c/%s", ck.token[3]);
  EXPECT_STATUS(s, r, 410);
  assert_non_null(strstr(r->body, "<p>"));
  EXPECT_STATUS(s, ck_post(s, ck.token[3], "answer=safe"), 410);
  /* A new alert on a closed crisis is refused too. */
  r = h_call(s, h_as(s, H_HQ), "POST", ck_alert_body("[\"email\"]"), "/api/v1/crises/%s/alerts",
             ck.crisis);
  EXPECT_STATUS(s, r, 409);
}

int api_checkin_tests(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(checkin_page_is_a_form_without_script_under_csp),
      cmocka_unit_test(checkin_answer_updates_status_and_may_be_answered_again),
      cmocka_unit_test(checkin_unknown_and_malformed_tokens_are_404),
      cmocka_unit_test(checkin_bad_answers_are_refused),
      cmocka_unit_test(checkin_email_without_relay_is_not_configured),
      cmocka_unit_test(checkin_burst_killed_mid_way_keeps_every_answered_checkin),
      cmocka_unit_test(checkin_closed_crisis_is_410),
  };
  return cmocka_run_group_tests_name("checkin", tests, ck_setup, h_group_teardown);
}
