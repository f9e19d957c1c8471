/*
 * test_lang.c - the language a person reads messages in (preferred_language, issue 4): stored
 * and shown on both backends, refused when it is not vi or en, taken by the self-registration
 * form and by CSV import and export; an alert writes each recipient's SMS in their language
 * only and their email in both languages with theirs first (a real SMTP server,
 * tests/tools/smtp_sink.py, and a fake SMS gateway run in this process), and the check-in page
 * of their link opens in their language.
 *
 * Without python3-aiosmtpd the email assertions are skipped; the rest still runs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "harness.h"
#include "msgfix.h"

#define LG_COUNTRY "CY" /* no demo person lives there: the audience is ours alone */
#define LG_SECRET "lang-test-sms-secret-0123456789abc"

/* The text of the SMS received for a number containing digits (kept), or NULL. */
static const char *lg_sms_to(h_gateway_t *g, const char *digits) {
  const char *found = NULL;
  pthread_mutex_lock(&g->mu);
  for (int i = 0; i < g->requests && i < H_GW_MAX && found == NULL; i++) {
    json_t *j = json_loads(g->body[i], 0, NULL);
    const char *to = json_string_value(json_object_get(j, "to"));
    if (to != NULL && strstr(to, digits) != NULL) {
      found = h_str("%s", json_string_value(json_object_get(j, "text")));
    }
    json_decref(j);
  }
  pthread_mutex_unlock(&g->mu);
  return found;
}

/* Checks that the string at path of r's JSON is want (a missing value fails, not crashes). */
static void lg_expect_str(h_resp_t *r, const char *path, const char *want) {
  const char *got = h_gets(r->json, path);
  if (got == NULL) fprintf(stderr, "%s: no %s in %s\n", r->what, path, r->body);
  assert_non_null(got);
  assert_string_equal(got, want);
}

static void lg_sleep_ms(long ms) {
  struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};
  nanosleep(&ts, NULL);
}

/* ---- the group ---- */

static struct {
  h_server_t s;
  h_sink_t sink;
  h_gateway_t gw;
  int have_sink;
} lg;

static int lg_setup(void **state) {
  memset(&lg, 0, sizeof(lg));
  int sink = h_sink_start(&lg.sink);
  if (sink < 0 || h_gw_start(&lg.gw, LG_SECRET) != 0) return -1;
  lg.have_sink = sink == 1;
  if (!lg.have_sink) printf("NOTE: python3-aiosmtpd not installed: email checks skipped\n");
  const char *extra[8] = {"--sms-url", lg.gw.url, "--sms-secret", LG_SECRET, NULL};
  if (lg.have_sink) {
    extra[4] = "--smtp-url";
    extra[5] = lg.sink.url;
    extra[6] = NULL;
  }
  if (h_server_start_args(&lg.s, extra) != 0) return -1;
  *state = &lg.s;
  return 0;
}

static int lg_teardown(void **state) {
  (void)state;
  h_release_all();
  int rc = h_server_destroy(&lg.s);
  h_gw_stop(&lg.gw);
  h_sink_stop(&lg.sink);
  return rc == 0 ? 0 : -1;
}

/* Creates a person in LG_COUNTRY with an email and a phone; lang NULL leaves the field out. */
static const char *lg_person(h_server_t *s, const char *name, const char *email,
                             const char *phone, const char *lang) {
  const char *json = h_str(
      "{\"full_name\":\"%s\",\"emails\":[\"%s\"],\"phones\":[\"%s\"]%s%s%s,\"presence\":"
      "{\"country\":\"" LG_COUNTRY "\",\"region\":\"Nicosia\",\"category\":\"resident\"}}",
      name, email, phone, lang ? ",\"preferred_language\":\"" : "", lang ? lang : "",
      lang ? "\"" : "");
  h_resp_t *r = h_create_person(s, h_as(s, H_HQ), json);
  return h_str("%s", h_gets(r->json, "id"));
}

static void persons_preferred_language_defaults_to_vi_and_can_be_changed(void **state) {
  h_server_t *s = *state;
  const h_auth_t *hq = h_as(s, H_HQ);
  h_resp_t *r = h_create_person(s, hq, h_person_json("Default Language", "JP", "null", "student"));
  lg_expect_str(r, "preferred_language", "vi");
  const char *id = h_str("%s", h_gets(r->json, "id"));
  r = h_call(s, hq, "PATCH", "{\"preferred_language\":\"en\"}", "/api/v1/persons/%s", id);
  EXPECT_STATUS(s, r, 200);
  lg_expect_str(r, "preferred_language", "en");
  r = h_call(s, hq, "GET", NULL, "/api/v1/persons/%s", id);
  EXPECT_STATUS(s, r, 200);
  lg_expect_str(r, "preferred_language", "en");
  /* A change of another field keeps it. */
  r = h_call(s, hq, "PATCH", "{\"home_province\":\"Huế\"}", "/api/v1/persons/%s", id);
  EXPECT_STATUS(s, r, 200);
  lg_expect_str(r, "preferred_language", "en");
  r = h_call(s, hq, "PATCH", "{\"preferred_language\":\"vi\"}", "/api/v1/persons/%s", id);
  lg_expect_str(r, "preferred_language", "vi");
}

static void persons_bad_preferred_language_is_refused_naming_the_field(void **state) {
  h_server_t *s = *state;
  const h_auth_t *hq = h_as(s, H_HQ);
  h_resp_t *r = h_call(s, hq, "POST",
                       "{\"full_name\":\"Bad Language\",\"preferred_language\":\"fr\"}",
                       "/api/v1/persons");
  EXPECT_ERROR(s, r, 422, "validation_failed", "preferred_language");
  r = h_call(s, hq, "POST", "{\"full_name\":\"Bad Language\",\"preferred_language\":\"EN\"}",
             "/api/v1/persons");
  EXPECT_ERROR(s, r, 422, "validation_failed", "preferred_language");
  r = h_create_person(s, hq, h_person_json("Patch Language", "JP", "null", "student"));
  const char *id = h_str("%s", h_gets(r->json, "id"));
  r = h_call(s, hq, "PATCH", "{\"preferred_language\":1}", "/api/v1/persons/%s", id);
  EXPECT_ERROR(s, r, 422, "validation_failed", "preferred_language");
  r = h_call(s, hq, "PATCH", "{\"preferred_language\":null}", "/api/v1/persons/%s", id);
  EXPECT_ERROR(s, r, 422, "validation_failed", "preferred_language");
  r = h_call(s, NULL, "POST",
             "{\"person\":{\"full_name\":\"Public Bad\",\"preferred_language\":\"de\"},"
             "\"presence\":{\"country\":\"JP\",\"category\":\"tourist\"}}",
             "/api/v1/public/registrations");
  EXPECT_ERROR(s, r, 422, "validation_failed", "person.preferred_language");
}

static void registration_keeps_the_preferred_language(void **state) {
  h_server_t *s = *state;
  h_resp_t *r = h_call(s, NULL, "POST",
                       "{\"person\":{\"full_name\":\"Public English\",\"preferred_language\":"
                       "\"en\"},\"presence\":{\"country\":\"JP\",\"category\":\"tourist\"}}",
                       "/api/v1/public/registrations");
  EXPECT_STATUS(s, r, 201);
  const char *token = h_str("%s", h_gets(r->json, "manage_token"));
  r = h_call(s, NULL, "GET", NULL, "/api/v1/public/registrations/%s", token);
  EXPECT_STATUS(s, r, 200);
  lg_expect_str(r, "person.preferred_language", "en");
  /* The holder of the link may change it, and only to vi or en. */
  r = h_call(s, NULL, "PATCH", "{\"preferred_language\":\"vi\"}",
             "/api/v1/public/registrations/%s", token);
  EXPECT_STATUS(s, r, 200);
  lg_expect_str(r, "person.preferred_language", "vi");
  r = h_call(s, NULL, "PATCH", "{\"preferred_language\":\"xx\"}",
             "/api/v1/public/registrations/%s", token);
  EXPECT_ERROR(s, r, 422, "validation_failed", "preferred_language");
  /* The form without JavaScript: its select offers the page's language first, and posts it. */
  h_resp_t *page = h_call(s, NULL, "GET", NULL, "/register?lang=en");
  EXPECT_STATUS(s, page, 200);
  const char *sel = strstr(page->body, "name=\"preferred_language\"");
  assert_non_null(sel);
  const char *en = strstr(sel, "<option value=\"en\">"), *vi = strstr(sel, "<option value=\"vi\">");
  assert_non_null(en);
  assert_non_null(vi);
  assert_true(en < vi);
  const char *set = h_header(page, "Set-Cookie");
  const char *mark = strstr(page->body, "name=\"csrf\" value=\"");
  assert_non_null(set);
  assert_non_null(mark);
  mark += strlen("name=\"csrf\" value=\"");
  const char *body = h_str("csrf=%.64s&full_name=Form+English&sex=F&preferred_language=en"
                           "&country=JP&category=student",
                           mark);
  h_req_t rq = {.method = "POST",
                .path = "/register?lang=en",
                .raw = body,
                .raw_len = strlen(body),
                .content_type = "application/x-www-form-urlencoded",
                .headers = {h_str("Cookie: %.*s", (int)strcspn(set, ";"), set), NULL}};
  r = h_do(s, &rq);
  EXPECT_STATUS(s, r, 200);
  const char *a = strstr(r->body, "id=\"manage-link\" href=\"");
  assert_non_null(a);
  a = strstr(a, "/register/");
  assert_non_null(a);
  const char *form_token = h_str("%.43s", a + strlen("/register/"));
  r = h_call(s, NULL, "GET", NULL, "/api/v1/public/registrations/%s", form_token);
  EXPECT_STATUS(s, r, 200);
  lg_expect_str(r, "person.preferred_language", "en");
}

static void alert_writes_each_recipient_in_their_language(void **state) {
  h_server_t *s = *state;
  const h_auth_t *hq = h_as(s, H_HQ);
  lg_person(s, "Lan Việt", "lan.vi@example.org", "+357 99 100 001", NULL);
  lg_person(s, "Ann English", "ann.en@example.org", "+357 99 100 002", "en");
  h_resp_t *r = h_call(s, hq, "POST",
                       "{\"name\":\"Cyprus fires\",\"kind\":\"natural_disaster\",\"countries\":"
                       "[\"" LG_COUNTRY "\"]}",
                       "/api/v1/crises");
  EXPECT_STATUS(s, r, 201);
  const char *crisis = h_str("%s", h_gets(r->json, "id"));
  const char *alert_json =
      "{\"subject_vi\":\"Cháy rừng gần Nicosia\",\"subject_en\":\"Forest fires near Nicosia\","
      "\"body_vi\":\"Hãy rời khỏi khu vực rừng.\",\"body_en\":\"Leave the forest area.\","
      "\"channels\":[\"email\",\"sms\"]}";
  /* The preview says how many recipients read each language. */
  r = h_call(s, hq, "POST", alert_json, "/api/v1/crises/%s/alerts?preview=1", crisis);
  EXPECT_STATUS(s, r, 200);
  assert_int_equal(json_integer_value(h_get(r->json, "languages.vi")), 1);
  assert_int_equal(json_integer_value(h_get(r->json, "languages.en")), 1);
  r = h_call(s, hq, "POST", alert_json, "/api/v1/crises/%s/alerts", crisis);
  EXPECT_STATUS(s, r, 202);
  assert_int_equal(json_integer_value(h_get(r->json, "recipients")), 2);
  assert_int_equal(json_integer_value(h_get(r->json, "languages.en")), 1);
  /* The alert's page (GET) gives the same split, counted from the stored recipients. */
  h_resp_t *got = h_call(s, hq, "GET", NULL, "/api/v1/alerts/%s", h_gets(r->json, "id"));
  EXPECT_STATUS(s, got, 200);
  assert_int_equal(json_integer_value(h_get(got->json, "languages.vi")), 1);
  assert_int_equal(json_integer_value(h_get(got->json, "languages.en")), 1);
  const char *sms_vi = NULL, *sms_en = NULL, *mail_vi = NULL, *mail_en = NULL;
  for (int waited = 0; waited < 20000; waited += 100) {
    sms_vi = lg_sms_to(&lg.gw, "35799100001");
    sms_en = lg_sms_to(&lg.gw, "35799100002");
    if (lg.have_sink) {
      mail_vi = h_mail_to(&lg.sink, "lan.vi@example.org");
      mail_en = h_mail_to(&lg.sink, "ann.en@example.org");
    }
    if (sms_vi && sms_en && (!lg.have_sink || (mail_vi && mail_en))) break;
    lg_sleep_ms(100);
  }
  /* SMS: the recipient's language only (the subject unaccented when no SMS text is given). */
  assert_non_null(sms_vi);
  assert_non_null(sms_en);
  assert_non_null(strstr(sms_vi, "Chay rung gan Nicosia"));
  assert_non_null(strstr(sms_vi, "Tra loi AN TOAN"));
  assert_null(strstr(sms_vi, "Forest"));
  assert_null(strstr(sms_vi, "Reply SAFE"));
  assert_non_null(strstr(sms_en, "Forest fires near Nicosia"));
  assert_non_null(strstr(sms_en, "Reply SAFE"));
  assert_null(strstr(sms_en, "Chay rung"));
  assert_null(strstr(sms_en, "Tra loi"));
  /* The check-in page of each link opens in the recipient's language; ?lang= still wins. */
  const char *link_vi = h_link_path(NULL, sms_vi), *link_en = h_link_path(NULL, sms_en);
  assert_non_null(link_vi);
  assert_non_null(link_en);
  h_resp_t *page = h_call(s, NULL, "GET", NULL, "%s", link_en);
  EXPECT_STATUS(s, page, 200);
  assert_non_null(strstr(page->body, "<html lang=\"en\""));
  assert_non_null(strstr(page->body, "name=\"lang\" value=\"en\""));
  page = h_call(s, NULL, "GET", NULL, "%s", link_vi);
  EXPECT_STATUS(s, page, 200);
  assert_non_null(strstr(page->body, "<html lang=\"vi\""));
  page = h_call(s, NULL, "GET", NULL, "%s?lang=vi", link_en);
  EXPECT_STATUS(s, page, 200);
  assert_non_null(strstr(page->body, "<html lang=\"vi\""));
  page = h_call(s, NULL, "GET", NULL, "%s?lang=en", link_vi);
  EXPECT_STATUS(s, page, 200);
  assert_non_null(strstr(page->body, "<html lang=\"en\""));
  if (!lg.have_sink) return;
  /* Email: both languages, the recipient's first, and the headers say so. */
  assert_non_null(mail_vi);
  assert_non_null(mail_en);
  assert_non_null(strstr(mail_vi, "Content-Language: vi, en"));
  assert_non_null(strstr(mail_en, "Content-Language: en, vi"));
  const char *body_vi = h_mail_body(mail_vi), *body_en = h_mail_body(mail_en);
  const char *v1 = strstr(body_vi, "Hãy rời khỏi khu vực rừng."),
             *e1 = strstr(body_vi, "Leave the forest area.");
  assert_non_null(v1);
  assert_non_null(e1);
  assert_true(v1 < e1);
  const char *v2 = strstr(body_en, "Hãy rời khỏi khu vực rừng."),
             *e2 = strstr(body_en, "Leave the forest area.");
  assert_non_null(v2);
  assert_non_null(e2);
  assert_true(e2 < v2);
  /* The invitation to answer follows each text in its language. */
  assert_non_null(strstr(body_en, "Please tell us whether you are safe:"));
  assert_true(strstr(body_en, "Please tell us whether you are safe:") < v2);
  /* The email's link opens the page in the recipient's language too. */
  page = h_call(s, NULL, "GET", NULL, "%s", h_link_path(NULL, body_en));
  EXPECT_STATUS(s, page, 200);
  assert_non_null(strstr(page->body, "<html lang=\"en\""));
}

/* Runs `baoho A1 A2 A3 A4 --db DB` and fails the test unless it exits 0; its output (kept). */
static const char *lg_cli_ok(h_server_t *s, const char *a1, const char *a2, const char *a3,
                             const char *a4) {
  char out[4096];
  int rc = h_cli(NULL, out, sizeof(out), a1, a2, a3, a4, "--db", s->db, NULL);
  if (rc != 0) {
    fprintf(stderr, "baoho %s %s %s %s: exit %d\n%s\n", a1, a2, a3, a4, rc, out);
    h_server_dump_log(s);
  }
  assert_int_equal(rc, 0);
  return h_str("%s", out);
}

/* The id of the one person whose name search q finds; the list shows its language too. */
static const char *lg_find(h_server_t *s, const char *q, const char *lang) {
  h_resp_t *r = h_call(s, h_as(s, H_HQ), "GET", NULL, "/api/v1/persons?q=%s", h_urlencode(q));
  EXPECT_STATUS(s, r, 200);
  assert_int_equal(json_array_size(h_get(r->json, "items")), 1);
  assert_non_null(h_gets(r->json, "items[0].preferred_language"));
  assert_string_equal(h_gets(r->json, "items[0].preferred_language"), lang);
  return h_str("%s", h_gets(r->json, "items[0].id"));
}

static void import_and_export_carry_the_preferred_language(void **state) {
  h_server_t *s = *state;
  const char *csv = h_str("%s/lang-import.csv", s->dir);
  const char *rejects = h_str("%s/lang-import.rejects.csv", s->dir);
  FILE *f = fopen(csv, "w");
  assert_non_null(f);
  fputs("full_name,country,category,preferred_language\r\n"
        "Importen Quyen,JP,student,en\r\n"
        "Importvi Quyen,JP,student,\r\n"
        "Importbad Quyen,JP,student,fr\r\n",
        f);
  fclose(f);
  const char *said = lg_cli_ok(s, "import", "persons", csv, h_str("--rejects=%s", rejects));
  assert_non_null(strstr(said, "2 imported"));
  assert_non_null(strstr(said, "1 rejected"));
  f = fopen(rejects, "rb");
  assert_non_null(f);
  char rej[2048];
  size_t rn = fread(rej, 1, sizeof(rej) - 1, f);
  fclose(f);
  rej[rn] = '\0';
  assert_non_null(strstr(rej, "preferred_language"));
  assert_non_null(strstr(rej, "Importbad Quyen"));
  /* A file without the column reads as Vietnamese. */
  const char *csv2 = h_str("%s/lang-import2.csv", s->dir);
  f = fopen(csv2, "w");
  assert_non_null(f);
  fputs("full_name,country,category\r\nImportnone Quyen,JP,worker\r\n", f);
  fclose(f);
  lg_cli_ok(s, "import", "persons", csv2, h_str("--rejects=%s.rejects", csv2));
  const h_auth_t *hq = h_as(s, H_HQ);
  struct {
    const char *q, *lang;
  } want[] = {{"importen quyen", "en"}, {"importvi quyen", "vi"}, {"importnone quyen", "vi"}};
  for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
    h_resp_t *r = h_call(s, hq, "GET", NULL, "/api/v1/persons/%s",
                          lg_find(s, want[i].q, want[i].lang));
    EXPECT_STATUS(s, r, 200);
    assert_string_equal(h_gets(r->json, "preferred_language"), want[i].lang);
  }
  h_resp_t *r = h_call(s, hq, "GET", NULL, "/api/v1/persons?q=importbad");
  EXPECT_STATUS(s, r, 200);
  assert_int_equal(json_array_size(h_get(r->json, "items")), 0);
  /* The export has the column, with each person's language. */
  const char *out = h_str("%s/lang-export.csv", s->dir);
  lg_cli_ok(s, "export", "persons", "--out", out);
  f = fopen(out, "rb");
  assert_non_null(f);
  char *text = calloc(1, 1 << 22);
  assert_non_null(text);
  size_t n = fread(text, 1, (1 << 22) - 1, f);
  fclose(f);
  text[n] = '\0';
  char *head_end = strstr(text, "\r\n");
  assert_non_null(head_end);
  *head_end = '\0';
  int header_ok = strstr(text, ",status,preferred_language") != NULL;
  *head_end = '\r';
  char *en_row = strstr(text, "Importen Quyen");
  char *vi_row = strstr(text, "Importvi Quyen");
  int en_ok = en_row != NULL && strstr(en_row, ",en\r\n") != NULL &&
              strstr(en_row, ",en\r\n") < strstr(en_row, "\r\n") + 2;
  int vi_ok = vi_row != NULL && strstr(vi_row, ",vi\r\n") != NULL &&
              strstr(vi_row, ",vi\r\n") < strstr(vi_row, "\r\n") + 2;
  free(text);
  assert_true(header_ok);
  assert_true(en_ok);
  assert_true(vi_ok);
}

int api_lang_tests(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(persons_preferred_language_defaults_to_vi_and_can_be_changed),
      cmocka_unit_test(persons_bad_preferred_language_is_refused_naming_the_field),
      cmocka_unit_test(registration_keeps_the_preferred_language),
      cmocka_unit_test(alert_writes_each_recipient_in_their_language),
      cmocka_unit_test(import_and_export_carry_the_preferred_language),
  };
  return cmocka_run_group_tests_name("lang", tests, lg_setup, lg_teardown);
}
