/*
 * test_alerts.c - mass alerts end to end against the real server, a real SMTP server
 * (tests/tools/smtp_sink.py on python3-aiosmtpd, storing into a Maildir) and a fake SMS gateway
 * run in this process (libmicrohttpd) that checks our signature: N people receive N emails in
 * Vietnamese and English and N signed SMS, each with a personal link that opens the check-in
 * page; a restart sends nothing again; preview, empty audience, oversize text and jurisdiction
 * are refused or reported; inbound SMS replies are verified and mapped to answers.
 *
 * Without python3-aiosmtpd the group prints "SKIPPED" and is skipped.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "delivery/sms.h"
#include "harness.h"
#include "msgfix.h"

#define AL_PEOPLE 5
#define AL_COUNTRY "LB"
#define AL_SECRET "api-test-sms-secret-0123456789"

/* ---- the group ---- */

struct al_fixture {
  h_server_t s;
  h_sink_t sink;
  h_gateway_t gw;
  int skipped;
  const char *crisis;
  const char *alert;
  const char *person[AL_PEOPLE];
};

static struct al_fixture al;

static const char *al_alert_json(const char *channels, const char *extra) {
  return h_str("{\"subject_vi\":\"Cảnh báo an ninh tại Beirut\",\"subject_en\":\"Security alert "
               "in Beirut\",\"body_vi\":\"Đại sứ quán đề nghị bạn ở trong nhà.\",\"body_en\":"
               "\"The embassy asks you to stay indoors.\",\"channels\":%s%s}",
               channels, extra ? extra : "");
}

static int al_setup(void **state) {
  memset(&al, 0, sizeof(al));
  int sink = h_sink_start(&al.sink);
  if (sink == 0) {
    printf("SKIPPED: python3-aiosmtpd not installed\n");
    al.skipped = 1;
    *state = &al;
    return 0;
  }
  if (sink < 0 || h_gw_start(&al.gw, AL_SECRET) != 0) return -1;
  const char *extra[] = {"--smtp-url", al.sink.url, "--sms-url", al.gw.url, "--sms-secret",
                         AL_SECRET, NULL};
  if (h_server_start_args(&al.s, extra) != 0) return -1;
  h_server_t *s = &al.s;
  for (int i = 0; i < AL_PEOPLE; i++) {
    h_resp_t *r = h_create_person(
        s, h_as(s, H_HQ),
        h_str("{\"full_name\":\"Alert Citizen %d\",\"emails\":[\"citizen%d@example.org\"],"
              "\"phones\":[\"+961 3 100 %03d\"],\"presence\":{\"country\":\"" AL_COUNTRY
              "\",\"region\":\"Beirut\",\"category\":\"%s\"}}",
              i, i, i, i == 0 ? "student" : "worker"));
    al.person[i] = h_str("%s", h_gets(r->json, "id"));
  }
  h_resp_t *r = h_call(s, h_as(s, H_HQ), "POST",
                       "{\"name\":\"Beirut unrest\",\"kind\":\"unrest\",\"countries\":[\"" AL_COUNTRY
                       "\"]}",
                       "/api/v1/crises");
  EXPECT_STATUS(s, r, 201);
  al.crisis = h_str("%s", h_gets(r->json, "id"));
  *state = &al;
  return 0;
}

static int al_teardown(void **state) {
  (void)state;
  h_release_all();
  if (al.skipped) return 0;
  int rc = h_server_destroy(&al.s);
  h_gw_stop(&al.gw);
  h_sink_stop(&al.sink);
  return rc == 0 ? 0 : -1;
}

static void al_sleep_ms(long ms) {
  struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};
  nanosleep(&ts, NULL);
}

static void alerts_preview_counts_audience_and_sms_parts_without_sending(void **state) {
  (void)state;
  if (al.skipped) skip();
  h_server_t *s = &al.s;
  h_resp_t *r = h_call(s, h_as(s, H_HQ), "POST", al_alert_json("[\"email\",\"sms\"]", NULL),
                       "/api/v1/crises/%s/alerts?preview=1", al.crisis);
  EXPECT_STATUS(s, r, 200);
  assert_int_equal(json_integer_value(h_get(r->json, "recipients")), AL_PEOPLE);
  assert_int_equal(json_integer_value(h_get(r->json, "messages.sms")), AL_PEOPLE);
  assert_true(json_integer_value(h_get(r->json, "sms_parts.vi.parts")) >= 1);
  assert_string_equal(h_gets(r->json, "sms_parts.vi.encoding"), "gsm7");
  assert_null(h_get(r->json, "id"));
  al_sleep_ms(300);
  assert_int_equal(h_gw_requests(&al.gw), 0);
  /* The filter narrows the audience. */
  r = h_call(s, h_as(s, H_HQ), "POST",
             al_alert_json("[\"sms\"]", ",\"filter\":{\"categories\":[\"student\"]}"),
             "/api/v1/crises/%s/alerts?preview=1", al.crisis);
  EXPECT_STATUS(s, r, 200);
  assert_int_equal(json_integer_value(h_get(r->json, "recipients")), 1);
}

static void alerts_to_n_people_arrive_as_n_emails_and_n_signed_sms_with_working_links(
    void **state) {
  (void)state;
  if (al.skipped) skip();
  h_server_t *s = &al.s;
  h_resp_t *r = h_call(s, h_as(s, H_HQ), "POST", al_alert_json("[\"email\",\"sms\"]", NULL),
                       "/api/v1/crises/%s/alerts", al.crisis);
  EXPECT_STATUS(s, r, 202);
  assert_int_equal(json_integer_value(h_get(r->json, "recipients")), AL_PEOPLE);
  al.alert = h_str("%s", h_gets(r->json, "id"));
  json_int_t sent_email = 0, sent_sms = 0;
  for (int waited = 0; waited < 20000 && (sent_email < AL_PEOPLE || sent_sms < AL_PEOPLE);
       waited += 100) {
    al_sleep_ms(100);
    r = h_call(s, h_as(s, H_HQ), "GET", NULL, "/api/v1/alerts/%s", al.alert);
    EXPECT_STATUS(s, r, 200);
    sent_email = json_integer_value(h_get(r->json, "delivery.email.sent"));
    sent_sms = json_integer_value(h_get(r->json, "delivery.sms.sent"));
  }
  assert_int_equal(sent_email, AL_PEOPLE);
  assert_int_equal(sent_sms, AL_PEOPLE);
  assert_string_equal(h_gets(r->json, "email"), "configured");
  /* N emails, one per person, both languages, each with a link that opens the check-in page. */
  const char *paths[16];
  int n = h_mail_list(&al.sink, paths, 16);
  assert_int_equal(n, AL_PEOPLE);
  int seen[AL_PEOPLE] = {0};
  for (int i = 0; i < n; i++) {
    const char *raw = h_mail_read(paths[i]);
    for (int p = 0; p < AL_PEOPLE; p++) {
      if (strstr(raw, h_str("To: <citizen%d@example.org>", p)) != NULL) seen[p]++;
    }
    assert_non_null(strstr(raw, "Message-ID: <baoho-"));
    const char *body = h_mail_body(raw);
    assert_non_null(strstr(body, "Đại sứ quán đề nghị bạn ở trong nhà."));
    assert_non_null(strstr(body, "The embassy asks you to stay indoors."));
    const char *link = h_link_path(s, body);
    assert_non_null(link);
    h_resp_t *page = h_call(s, NULL, "GET", NULL, "%s", link);
    EXPECT_STATUS(s, page, 200);
    assert_non_null(strstr(page->body, "<form"));
  }
  for (int p = 0; p < AL_PEOPLE; p++) assert_int_equal(seen[p], 1);
  /* N SMS, signed, with their reference and a working link. */
  assert_int_equal(h_gw_requests(&al.gw), AL_PEOPLE);
  assert_int_equal(al.gw.bad_signatures, 0);
  for (int i = 0; i < AL_PEOPLE; i++) {
    json_t *j = json_loads(al.gw.body[i], 0, NULL);
    assert_non_null(j);
    assert_non_null(strstr(json_string_value(json_object_get(j, "reference")), "baoho-"));
    assert_non_null(strstr(json_string_value(json_object_get(j, "to")), "+9613100"));
    const char *link = h_link_path(s, json_string_value(json_object_get(j, "text")));
    json_decref(j);
    assert_non_null(link);
    EXPECT_STATUS(s, h_call(s, NULL, "GET", NULL, "%s", link), 200);
  }
}

static void alerts_restart_sends_nothing_twice(void **state) {
  (void)state;
  if (al.skipped) skip();
  h_server_t *s = &al.s;
  assert_int_equal(h_server_restart(s), 0);
  al_sleep_ms(2500);
  const char *paths[16];
  assert_int_equal(h_mail_list(&al.sink, paths, 16), AL_PEOPLE);
  assert_int_equal(h_gw_requests(&al.gw), AL_PEOPLE);
}

static void alerts_inbound_sms_is_verified_and_mapped_to_answers(void **state) {
  (void)state;
  if (al.skipped) skip();
  h_server_t *s = &al.s;
  struct {
    const char *text;
    const char *status;
  } cases[] = {{"CẦN GIÚP, tôi bị thương", "needs_assistance"},
               {"an toan", "safe"},
               {"HELP please", "needs_assistance"},
               {"  An Toàn!", "safe"}};
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    const char *body = h_str("{\"from\":\"+9613100001\",\"text\":\"%s\"}", cases[i].text);
    char sig[SMS_SIGNATURE_SIZE];
    assert_int_equal(sms_sign(AL_SECRET, body, strlen(body), sig), 0);
    h_req_t rq = {.method = "POST", .path = "/api/v1/inbound/sms", .json = body,
                  .headers = {h_str("%s: %s", SMS_SIGNATURE_HEADER, sig), NULL}};
    h_resp_t *r = h_do(s, &rq);
    EXPECT_STATUS(s, r, 200);
    r = h_call(s, h_as(s, H_HQ), "GET", NULL, "/api/v1/persons/%s/status", al.person[1]);
    assert_string_equal(h_gets(r->json, "status"), cases[i].status);
  }
  /* Bad and missing signatures are refused; so is a number no alert went to. */
  const char *body = "{\"from\":\"+9613100001\",\"text\":\"SAFE\"}";
  h_req_t bad = {.method = "POST", .path = "/api/v1/inbound/sms", .json = body,
                 .headers = {"X-Baoho-Signature: sha256=00", NULL}};
  EXPECT_ERROR(s, h_do(s, &bad), 401, "unauthenticated", NULL);
  h_req_t none = {.method = "POST", .path = "/api/v1/inbound/sms", .json = body};
  EXPECT_ERROR(s, h_do(s, &none), 401, "unauthenticated", NULL);
  const char *other = "{\"from\":\"+84900000000\",\"text\":\"SAFE\"}";
  char sig[SMS_SIGNATURE_SIZE];
  assert_int_equal(sms_sign(AL_SECRET, other, strlen(other), sig), 0);
  h_req_t unknown = {.method = "POST", .path = "/api/v1/inbound/sms", .json = other,
                     .headers = {h_str("%s: %s", SMS_SIGNATURE_HEADER, sig), NULL}};
  EXPECT_STATUS(s, h_do(s, &unknown), 404);
}

/* Posts the inbound SMS {from, text, id} with the gateway's signature; the response. */
static h_resp_t *al_inbound(h_server_t *s, const char *text, const char *id) {
  const char *body = h_str("{\"from\":\"+9613100001\",\"text\":\"%s\",\"id\":\"%s\"}", text, id);
  char sig[SMS_SIGNATURE_SIZE];
  assert_int_equal(sms_sign(AL_SECRET, body, strlen(body), sig), 0);
  h_req_t rq = {.method = "POST", .path = "/api/v1/inbound/sms", .json = body,
                .headers = {h_str("%s: %s", SMS_SIGNATURE_HEADER, sig), NULL}};
  return h_do(s, &rq);
}

static const char *al_status(h_server_t *s) {
  h_resp_t *r = h_call(s, h_as(s, H_HQ), "GET", NULL, "/api/v1/persons/%s/status", al.person[1]);
  return h_gets(r->json, "status");
}

static void alerts_inbound_sms_delivered_twice_is_recorded_once(void **state) {
  (void)state;
  if (al.skipped) skip();
  h_server_t *s = &al.s;
  h_resp_t *r = al_inbound(s, "SAFE", "gw-msg-1");
  EXPECT_STATUS(s, r, 200);
  assert_string_equal(h_gets(r->json, "answer"), "safe");
  assert_string_equal(al_status(s), "safe");
  EXPECT_STATUS(s, al_inbound(s, "HELP", "gw-msg-2"), 200);
  assert_string_equal(al_status(s), "needs_assistance");
  /* The gateway delivers its first message again: the same answer, nothing recorded (recorded
   * again, "SAFE" would be the latest answer and turn the status back to safe). */
  r = al_inbound(s, "SAFE", "gw-msg-1");
  EXPECT_STATUS(s, r, 200);
  assert_string_equal(h_gets(r->json, "answer"), "safe");
  assert_true(json_is_true(json_object_get(r->json, "repeated")));
  assert_string_equal(al_status(s), "needs_assistance");
  /* Another message with the same text is another answer. */
  EXPECT_STATUS(s, al_inbound(s, "SAFE", "gw-msg-3"), 200);
  assert_string_equal(al_status(s), "safe");
}

/* Every timeline event of every case of the alerts' crisis. */
static size_t al_case_events(h_server_t *s) {
  json_t *cases = h_list_all(s, h_as(s, H_HQ),
                             h_str("/api/v1/cases?crisis=%s&status=all", al.crisis), 100);
  size_t n = 0;
  for (size_t i = 0; i < json_array_size(cases); i++) {
    h_resp_t *r = h_call(s, h_as(s, H_HQ), "GET", NULL, "/api/v1/cases/%s",
                         h_gets(json_array_get(cases, i), "id"));
    EXPECT_STATUS(s, r, 200);
    n += json_array_size(h_get(r->json, "timeline"));
  }
  return n;
}

/*
 * The gateway delivers every one of AL_PEOPLE "HELP" messages twice, all at once (h_do_all), so
 * that deliveries of one message meet in one group commit: each message is recorded once (each
 * adds one event to the cases of the crisis: a new case, or a "check_in" on the open one), and
 * the other delivery answers "repeated".
 */
static void alerts_inbound_sms_delivered_twice_at_once_is_recorded_once(void **state) {
  (void)state;
  if (al.skipped) skip();
  h_server_t *s = &al.s;
  size_t before = al_case_events(s);
  h_req_t rqs[2 * AL_PEOPLE];
  for (int p = 0; p < AL_PEOPLE; p++) {
    const char *body =
        h_str("{\"from\":\"+9613100%03d\",\"text\":\"HELP\",\"id\":\"gw-burst-%d\"}", p, p);
    char sig[SMS_SIGNATURE_SIZE];
    assert_int_equal(sms_sign(AL_SECRET, body, strlen(body), sig), 0);
    rqs[2 * p] = rqs[2 * p + 1] =
        (h_req_t){.method = "POST", .path = "/api/v1/inbound/sms", .json = body,
                  .headers = {h_str("%s: %s", SMS_SIGNATURE_HEADER, sig), NULL}};
  }
  h_resp_t *out[2 * AL_PEOPLE];
  h_do_all(s, rqs, 2 * AL_PEOPLE, out);
  for (int p = 0; p < AL_PEOPLE; p++) {
    int recorded = 0;
    for (int k = 2 * p; k < 2 * p + 2; k++) {
      if (out[k]->status == 409) continue; /* the other delivery still being committed */
      EXPECT_STATUS(s, out[k], 200);
      assert_string_equal(h_gets(out[k]->json, "answer"), "need_help");
      recorded += !json_is_true(json_object_get(out[k]->json, "repeated"));
    }
    assert_int_equal(recorded, 1);
  }
  assert_int_equal(al_case_events(s), before + AL_PEOPLE);
  for (int p = 0; p < AL_PEOPLE; p++) {
    h_resp_t *r = h_call(s, h_as(s, H_HQ), "GET", NULL, "/api/v1/persons/%s/status", al.person[p]);
    assert_string_equal(h_gets(r->json, "status"), "needs_assistance");
  }
}

static void alerts_empty_audience_and_oversize_text_are_422(void **state) {
  (void)state;
  if (al.skipped) skip();
  h_server_t *s = &al.s;
  h_resp_t *r = h_call(s, h_as(s, H_HQ), "POST",
                       al_alert_json("[\"email\"]", ",\"filter\":{\"categories\":[\"official\"]}"),
                       "/api/v1/crises/%s/alerts", al.crisis);
  EXPECT_ERROR(s, r, 422, "validation_failed", "filter");
  char *big = malloc(5000);
  memset(big, 'a', 4001);
  big[4001] = '\0';
  r = h_call(s, h_as(s, H_HQ), "POST",
             h_str("{\"subject_vi\":\"x\",\"subject_en\":\"x\",\"body_vi\":\"%s\",\"body_en\":"
                   "\"x\",\"channels\":[\"email\"]}",
                   big),
             "/api/v1/crises/%s/alerts", al.crisis);
  free(big);
  EXPECT_ERROR(s, r, 422, "validation_failed", "body_vi");
  r = h_call(s, h_as(s, H_HQ), "POST", al_alert_json("[\"fax\"]", NULL), "/api/v1/crises/%s/alerts",
             al.crisis);
  EXPECT_ERROR(s, r, 422, "validation_failed", "channels[0]");
}

static void alerts_officer_outside_jurisdiction_is_refused(void **state) {
  (void)state;
  if (al.skipped) skip();
  h_server_t *s = &al.s;
  /* Lebanon is in no officer's jurisdiction: the crisis is not even visible. */
  h_resp_t *r = h_call(s, h_as(s, H_ISRAEL), "POST", al_alert_json("[\"email\"]", NULL),
                       "/api/v1/crises/%s/alerts", al.crisis);
  EXPECT_STATUS(s, r, 404);
  /* A crisis across Israel and Lebanon is visible to the Israel officer but not theirs to alert. */
  r = h_call(s, h_as(s, H_HQ), "POST",
             "{\"name\":\"Border\",\"kind\":\"armed_conflict\",\"countries\":[\"IL\",\"LB\"]}",
             "/api/v1/crises");
  EXPECT_STATUS(s, r, 201);
  const char *both = h_str("%s", h_gets(r->json, "id"));
  r = h_call(s, h_as(s, H_ISRAEL), "POST", al_alert_json("[\"email\"]", NULL),
             "/api/v1/crises/%s/alerts?preview=1", both);
  EXPECT_STATUS(s, r, 403);
  r = h_call(s, h_as(s, H_MYANMAR), "POST", al_alert_json("[\"email\"]", NULL),
             "/api/v1/crises/%s/alerts?preview=1", both);
  EXPECT_STATUS(s, r, 404);
  r = h_call(s, h_as(s, H_VIEWER), "POST", al_alert_json("[\"email\"]", NULL),
             "/api/v1/crises/%s/alerts?preview=1", both);
  EXPECT_STATUS(s, r, 403);
  /* Its own crisis, within its jurisdiction, the officer may preview. */
  r = h_call(s, h_as(s, H_ISRAEL), "POST",
             "{\"name\":\"Tel Aviv\",\"kind\":\"armed_conflict\",\"countries\":[\"IL\"]}",
             "/api/v1/crises");
  EXPECT_STATUS(s, r, 201);
  r = h_call(s, h_as(s, H_ISRAEL), "POST", al_alert_json("[\"email\"]", NULL),
             "/api/v1/crises/%s/alerts?preview=1", h_gets(r->json, "id"));
  EXPECT_STATUS(s, r, 200);
}

static void alerts_draft_is_stored_unsent_then_sent_once(void **state) {
  (void)state;
  if (al.skipped) skip();
  h_server_t *s = &al.s;
  h_resp_t *r = h_call(s, h_as(s, H_HQ), "POST", al_alert_json("[\"email\"]", ",\"draft\":true"),
                       "/api/v1/crises/%s/alerts", al.crisis);
  EXPECT_STATUS(s, r, 201);
  assert_string_equal(h_gets(r->json, "status"), "draft");
  assert_int_equal(json_integer_value(h_get(r->json, "recipients")), AL_PEOPLE);
  const char *draft = h_str("%s", h_gets(r->json, "id"));
  r = h_call(s, h_as(s, H_HQ), "GET", NULL, "/api/v1/alerts/%s", draft);
  EXPECT_STATUS(s, r, 200);
  assert_string_equal(h_gets(r->json, "status"), "draft");
  assert_int_equal(json_integer_value(h_get(r->json, "delivery.email.queued")), 0);
  /* Another mission's officer cannot send it; hq can, once. */
  EXPECT_STATUS(s, h_call(s, h_as(s, H_MYANMAR), "POST", NULL, "/api/v1/alerts/%s/send", draft),
                404);
  r = h_call(s, h_as(s, H_HQ), "POST", NULL, "/api/v1/alerts/%s/send", draft);
  EXPECT_STATUS(s, r, 202);
  assert_int_equal(json_integer_value(h_get(r->json, "recipients")), AL_PEOPLE);
  EXPECT_STATUS(s, h_call(s, h_as(s, H_HQ), "POST", NULL, "/api/v1/alerts/%s/send", draft), 409);
  r = h_call(s, h_as(s, H_HQ), "GET", NULL, "/api/v1/alerts/%s", draft);
  assert_string_equal(h_gets(r->json, "status"), "sending");
  assert_int_equal(json_integer_value(h_get(r->json, "recipients")), AL_PEOPLE);
}

static void alerts_of_a_crisis_are_listed_newest_first_and_paged(void **state) {
  (void)state;
  if (al.skipped) skip();
  h_server_t *s = &al.s;
  h_resp_t *k = h_call(s, h_as(s, H_HQ), "POST",
                       "{\"name\":\"Beirut list\",\"kind\":\"unrest\",\"countries\":[\"" AL_COUNTRY
                       "\"]}",
                       "/api/v1/crises");
  EXPECT_STATUS(s, k, 201);
  const char *crisis = h_str("%s", h_gets(k->json, "id"));
  const char *ids[2];
  for (int i = 0; i < 2; i++) {
    h_resp_t *r = h_call(s, h_as(s, H_HQ), "POST",
                         al_alert_json("[\"email\"]", ",\"draft\":true"),
                         "/api/v1/crises/%s/alerts", crisis);
    EXPECT_STATUS(s, r, 201);
    ids[i] = h_str("%s", h_gets(r->json, "id"));
  }
  h_resp_t *l = h_call(s, h_as(s, H_HQ), "GET", NULL, "/api/v1/crises/%s/alerts", crisis);
  EXPECT_STATUS(s, l, 200);
  assert_int_equal(json_array_size(h_get(l->json, "items")), 2);
  assert_string_equal(h_gets(l->json, "items[0].id"), ids[1]);
  assert_string_equal(h_gets(l->json, "items[1].id"), ids[0]);
  assert_string_equal(h_gets(l->json, "items[0].status"), "draft");
  assert_string_equal(h_gets(l->json, "items[0].subject_vi"), "Cảnh báo an ninh tại Beirut");
  /* A draft has no recipients yet: they are counted when it is sent. */
  assert_int_equal(json_integer_value(h_get(l->json, "items[0].recipients")), 0);
  assert_true(json_is_null(h_get(l->json, "items[0].sent_at")));
  /* One a page: the cursor leads to the older one, then to nothing. */
  h_resp_t *p1 = h_call(s, h_as(s, H_HQ), "GET", NULL, "/api/v1/crises/%s/alerts?limit=1", crisis);
  EXPECT_STATUS(s, p1, 200);
  assert_string_equal(h_gets(p1->json, "items[0].id"), ids[1]);
  const char *next = h_gets(p1->json, "next");
  assert_non_null(next);
  h_resp_t *p2 = h_call(s, h_as(s, H_HQ), "GET", NULL, "/api/v1/crises/%s/alerts?limit=1&after=%s",
                        crisis, next);
  EXPECT_STATUS(s, p2, 200);
  assert_string_equal(h_gets(p2->json, "items[0].id"), ids[0]);
  /* Another jurisdiction's officer does not see the crisis; a viewer has no access. */
  EXPECT_ERROR(s, h_call(s, h_as(s, H_MYANMAR), "GET", NULL, "/api/v1/crises/%s/alerts", crisis),
               404, "not_found", NULL);
  EXPECT_STATUS(s, h_call(s, h_as(s, H_VIEWER), "GET", NULL, "/api/v1/crises/%s/alerts", crisis),
                403);
}

#define AL_ESC_PEOPLE 4
#define AL_ESC_ANSWERED 2

/* Posts a check-in form to path on s. */
static h_resp_t *al_post_form(h_server_t *s, const char *path, const char *form) {
  h_req_t rq = {.method = "POST", .path = path, .raw = form, .raw_len = strlen(form),
                .content_type = "application/x-www-form-urlencoded"};
  return h_do(s, &rq);
}

/* Emails in the sink to esc<p>@example.org; *link gets the check-in path of the last one. */
static int al_esc_mails(const h_server_t *s, int p, const char **link) {
  const char *paths[64];
  int n = h_mail_list(&al.sink, paths, 64), got = 0;
  assert_true(n <= 64);
  for (int i = 0; i < n; i++) {
    const char *raw = h_mail_read(paths[i]);
    if (strstr(raw, h_str("To: <esc%d@example.org>", p)) == NULL) continue;
    got++;
    if (link != NULL) *link = h_link_path(s, h_mail_body(raw));
  }
  return got;
}

/*
 * Escalation through the API: an alert with resend_after_minutes is answered by some of its
 * recipients; the silent ones (only they) are sent it again, then listed for calls with their
 * phones and only the emergency contacts who consented. The answers are given while a minute is
 * still 60 s; the server is then restarted with minutes of one second (the test-only variable),
 * so both stages fall due at once and the answers cannot race the escalation.
 */
static void alerts_escalation_resends_to_silent_then_lists_them_for_calls(void **state) {
  (void)state;
  if (al.skipped) skip();
  h_server_t e;
  memset(&e, 0, sizeof(e));
  const char *extra[] = {"--smtp-url", al.sink.url, NULL};
  if (h_server_start_args(&e, extra) != 0) fail_msg("cannot start the escalation server");
  const char *person[AL_ESC_PEOPLE];
  for (int i = 0; i < AL_ESC_PEOPLE; i++) {
    h_resp_t *r = h_create_person(
        &e, h_as(&e, H_HQ),
        h_str("{\"full_name\":\"Silent Citizen %d\",\"emails\":[\"esc%d@example.org\"],"
              "\"phones\":[\"+961 3 200 %03d\"],\"emergency_contacts\":[{\"name\":\"Consenting "
              "Sister\",\"phone\":\"+84 90 111 2222\",\"consent_to_disclose\":true},{\"name\":"
              "\"Private Brother\",\"phone\":\"+84 90 333 4444\",\"consent_to_disclose\":false}],"
              "\"presence\":{\"country\":\"" AL_COUNTRY "\",\"region\":\"Beirut\","
              "\"category\":\"worker\"}}",
              i, i, i));
    person[i] = h_str("%s", h_gets(r->json, "id"));
  }
  h_resp_t *r = h_call(&e, h_as(&e, H_HQ), "POST",
                       "{\"name\":\"Beirut shelling\",\"kind\":\"armed_conflict\",\"countries\":"
                       "[\"" AL_COUNTRY "\"]}",
                       "/api/v1/crises");
  EXPECT_STATUS(&e, r, 201);
  const char *crisis = h_str("%s", h_gets(r->json, "id"));
  r = h_call(&e, h_as(&e, H_HQ), "POST", al_alert_json("[\"email\"]", ",\"resend_after_minutes\":1"),
             "/api/v1/crises/%s/alerts", crisis);
  EXPECT_STATUS(&e, r, 202);
  assert_int_equal(json_integer_value(h_get(r->json, "recipients")), AL_ESC_PEOPLE);
  const char *alert = h_str("%s", h_gets(r->json, "id"));
  /* The first round arrives; the first AL_ESC_ANSWERED people answer through their links. */
  const char *link[AL_ESC_PEOPLE] = {0};
  for (int waited = 0; waited < 20000; waited += 100) {
    int all = 1;
    for (int p = 0; p < AL_ESC_PEOPLE; p++) all &= al_esc_mails(&e, p, &link[p]) == 1;
    if (all) break;
    al_sleep_ms(100);
  }
  for (int p = 0; p < AL_ESC_PEOPLE; p++) {
    assert_int_equal(al_esc_mails(&e, p, &link[p]), 1);
    assert_non_null(link[p]);
  }
  for (int p = 0; p < AL_ESC_ANSWERED; p++) {
    r = al_post_form(&e, link[p], p == 0 ? "answer=safe" : "answer=need_help&message=no+water");
    EXPECT_STATUS(&e, r, 200);
  }
  r = h_call(&e, h_as(&e, H_HQ), "GET", NULL, "/api/v1/alerts/%s", alert);
  EXPECT_STATUS(&e, r, 200);
  assert_string_equal(h_gets(r->json, "stage"), "sent");
  assert_int_equal(json_integer_value(h_get(r->json, "answers.no_answer")),
                   AL_ESC_PEOPLE - AL_ESC_ANSWERED);
  /* Before the second stage the call list is empty. */
  r = h_call(&e, h_as(&e, H_HQ), "GET", NULL, "/api/v1/alerts/%s/call-list", alert);
  EXPECT_STATUS(&e, r, 200);
  assert_int_equal(json_array_size(h_get(r->json, "items")), 0);
  /* Minutes of one second from now on: both stages are due. */
  setenv("BAOHO_TEST_ESCALATION_MINUTE_S", "1", 1);
  int restarted = h_server_restart(&e);
  unsetenv("BAOHO_TEST_ESCALATION_MINUTE_S");
  assert_int_equal(restarted, 0);
  const char *stage = NULL;
  json_int_t sent = 0;
  const json_int_t want = AL_ESC_PEOPLE + (AL_ESC_PEOPLE - AL_ESC_ANSWERED);
  for (int waited = 0; waited < 30000; waited += 100) {
    r = h_call(&e, h_as(&e, H_HQ), "GET", NULL, "/api/v1/alerts/%s", alert);
    EXPECT_STATUS(&e, r, 200);
    stage = h_gets(r->json, "stage");
    sent = json_integer_value(h_get(r->json, "delivery.email.sent"));
    if (strcmp(stage, "calls") == 0 && sent >= want) break;
    al_sleep_ms(100);
  }
  assert_string_equal(stage, "calls");
  /* The second round went to the silent recipients only: one message each, no more. */
  assert_int_equal(sent, want);
  assert_int_equal(json_integer_value(h_get(r->json, "delivery.email.queued")), 0);
  for (int p = 0; p < AL_ESC_PEOPLE; p++) {
    assert_int_equal(al_esc_mails(&e, p, NULL), p < AL_ESC_ANSWERED ? 1 : 2);
  }
  /* The call list: the silent ones, their phones, and only the contact who consented. */
  r = h_call(&e, h_as(&e, H_HQ), "GET", NULL, "/api/v1/alerts/%s/call-list", alert);
  EXPECT_STATUS(&e, r, 200);
  assert_string_equal(h_gets(r->json, "stage"), "calls");
  json_t *items = h_get(r->json, "items");
  assert_int_equal(json_array_size(items), AL_ESC_PEOPLE - AL_ESC_ANSWERED);
  for (size_t i = 0; i < json_array_size(items); i++) {
    json_t *it = json_array_get(items, i);
    const char *id = json_string_value(json_object_get(it, "person_id"));
    assert_non_null(id);
    int found = -1;
    for (int p = 0; p < AL_ESC_PEOPLE; p++) {
      if (strcmp(id, person[p]) == 0) found = p;
    }
    assert_true(found >= AL_ESC_ANSWERED);
    assert_int_equal(json_array_size(json_object_get(it, "phones")), 1);
    json_t *contacts = json_object_get(it, "emergency_contacts");
    assert_int_equal(json_array_size(contacts), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(contacts, 0), "name")),
                        "Consenting Sister");
  }
  /* A later answer takes the person off the list. */
  r = al_post_form(&e, link[AL_ESC_ANSWERED], "answer=safe");
  EXPECT_STATUS(&e, r, 200);
  r = h_call(&e, h_as(&e, H_HQ), "GET", NULL, "/api/v1/alerts/%s/call-list", alert);
  EXPECT_STATUS(&e, r, 200);
  assert_int_equal(json_array_size(h_get(r->json, "items")), AL_ESC_PEOPLE - AL_ESC_ANSWERED - 1);
  assert_int_equal(h_server_destroy(&e), 0);
}

int api_alerts_tests(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(alerts_preview_counts_audience_and_sms_parts_without_sending),
      cmocka_unit_test(alerts_to_n_people_arrive_as_n_emails_and_n_signed_sms_with_working_links),
      cmocka_unit_test(alerts_restart_sends_nothing_twice),
      cmocka_unit_test(alerts_inbound_sms_is_verified_and_mapped_to_answers),
      cmocka_unit_test(alerts_inbound_sms_delivered_twice_is_recorded_once),
      cmocka_unit_test(alerts_inbound_sms_delivered_twice_at_once_is_recorded_once),
      cmocka_unit_test(alerts_empty_audience_and_oversize_text_are_422),
      cmocka_unit_test(alerts_officer_outside_jurisdiction_is_refused),
      cmocka_unit_test(alerts_draft_is_stored_unsent_then_sent_once),
      cmocka_unit_test(alerts_of_a_crisis_are_listed_newest_first_and_paged),
      cmocka_unit_test(alerts_escalation_resends_to_silent_then_lists_them_for_calls),
  };
  return cmocka_run_group_tests_name("alerts", tests, al_setup, al_teardown);
}
