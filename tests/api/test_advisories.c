/*
 * test_advisories.c - travel advisories: publishing versions (an escalation 2 -> 3 -> 4 is three
 * versions of one series), reading them with their history, who may publish, refusals, and the
 * public forms without login: the CAP alerts (version 1 an Alert, later versions Updates that
 * reference the previous one) validated against cap12.xsd with libxml2, the Atom feed validated
 * against atom-rfc4287.rnc with jing, and the public JSON. When a schema or jing is missing the
 * validation tests print "SKIPPED: <reason>" and pass.
 */
#include <fcntl.h>
#include <libxml/parser.h>
#include <libxml/xmlschemas.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "api/api.h"
#include "harness.h"

extern char **environ;

#define ADVISORY(country, region, level, review)                                              \
  "{\"country\":\"" country "\"" region ",\"level\":" level ",\"title_vi\":\"Cảnh báo cấp " level \
  "\",\"title_en\":\"Level " level " advisory\",\"text_vi\":\"Công dân <chú ý> & theo dõi.\\n"   \
  "Dòng hai.\",\"text_en\":\"Citizens take care & follow <news>.\",\"reason\":\"Lý do " level    \
  "\"" review "}"

static h_resp_t *publish(h_server_t *s, const h_auth_t *auth, const char *json) {
  h_resp_t *r = h_call(s, auth, "POST", json, "/api/v1/advisories");
  EXPECT_STATUS(s, r, 201);
  return r;
}

/* The path of a version's CAP alert, from its cap_url. */
static const char *cap_path(const h_resp_t *r) {
  const char *url = h_gets(r->json, "cap_url");
  assert_non_null(url);
  const char *p = strstr(url, "/advisories/");
  assert_non_null(p);
  return h_str("%s", p);
}

/* Publishes the escalation 2 -> 3 -> 4 for Lebanon once per server; returns the three versions. */
static void escalation(h_server_t *s, h_resp_t *v[3]) {
  static h_server_t *done_for;
  static char ids[3][32];
  if (done_for == s) {
    for (int i = 0; i < 3; i++) {
      v[i] = h_call(s, h_as(s, H_HQ), "GET", NULL, "/api/v1/advisories/%s", ids[i]);
      EXPECT_STATUS(s, v[i], 200);
    }
    return;
  }
  v[0] = publish(s, h_as(s, H_HQ), ADVISORY("LB", "", "2", ""));
  v[1] = publish(s, h_as(s, H_HQ), ADVISORY("LB", "", "3", ",\"review_due\":\"2099-01-31\""));
  v[2] = publish(s, h_as(s, H_ADMIN), ADVISORY("LB", "", "4", ""));
  for (int i = 0; i < 3; i++) snprintf(ids[i], sizeof(ids[i]), "%s", h_gets(v[i]->json, "id"));
  done_for = s;
}

static void advisories_escalation_keeps_three_versions_of_one_series(void **state) {
  h_server_t *s = *state;
  h_resp_t *v[3];
  escalation(s, v);
  for (int i = 0; i < 3; i++) {
    assert_int_equal(json_integer_value(h_get(v[i]->json, "version")), i + 1);
    assert_int_equal(json_integer_value(h_get(v[i]->json, "level")), i + 2);
  }
  assert_string_equal(h_gets(v[2]->json, "level_text.en"), "Do not travel / leave");
  h_resp_t *g = h_call(s, h_as(s, H_VIEWER), "GET", NULL, "/api/v1/advisories/%s",
                       h_gets(v[0]->json, "id"));
  EXPECT_STATUS(s, g, 200);
  assert_false(json_is_true(h_get(g->json, "latest")));
  json_t *hist = h_get(g->json, "history");
  assert_int_equal(json_array_size(hist), 3);
  for (int i = 0; i < 3; i++) {
    assert_int_equal(json_integer_value(h_get(json_array_get(hist, (size_t)i), "level")), i + 2);
  }
  /* The list shows the series once, at its latest version. */
  json_t *list = h_list_all(s, h_as(s, H_MYANMAR), "/api/v1/advisories?country=LB", 1);
  assert_int_equal(json_array_size(list), 1);
  assert_int_equal(json_integer_value(h_get(json_array_get(list, 0), "level")), 4);
}

static void advisories_demo_has_the_israel_escalation_and_kayin(void **state) {
  h_server_t *s = *state;
  json_t *il = h_list_all(s, h_as(s, H_HQ), "/api/v1/advisories?country=IL", 10);
  assert_true(json_array_size(il) >= 1);
  json_t *latest = json_array_get(il, 0);
  h_resp_t *g = h_call(s, h_as(s, H_HQ), "GET", NULL, "/api/v1/advisories/%s", h_gets(latest, "id"));
  EXPECT_STATUS(s, g, 200);
  json_t *hist = h_get(g->json, "history");
  assert_true(json_array_size(hist) >= 3);
  assert_string_equal(h_gets(json_array_get(hist, 0), "issued_at"), "2023-10-08T06:00:00Z");
  assert_int_equal(json_integer_value(h_get(json_array_get(hist, 0), "level")), 2);
  assert_string_equal(h_gets(json_array_get(hist, 1), "issued_at"), "2023-10-16T06:00:00Z");
  assert_int_equal(json_integer_value(h_get(json_array_get(hist, 1), "level")), 3);
  assert_string_equal(h_gets(json_array_get(hist, 2), "issued_at"), "2023-11-09T06:00:00Z");
  assert_int_equal(json_integer_value(h_get(json_array_get(hist, 2), "level")), 4);
  h_resp_t *mm = h_call(s, NULL, "GET", NULL, "/api/v1/public/advisories?country=MM");
  EXPECT_STATUS(s, mm, 200);
  assert_string_equal(h_gets(mm->json, "items[0].region"), "MM-13");
  assert_int_equal(json_integer_value(h_get(mm->json, "items[0].level")), 4);
}

static void advisories_cap_updates_reference_the_previous_version(void **state) {
  h_server_t *s = *state;
  h_resp_t *v[3];
  escalation(s, v);
  h_resp_t *cap[3];
  for (int i = 0; i < 3; i++) {
    cap[i] = h_call(s, NULL, "GET", NULL, "%s", cap_path(v[i]));
    EXPECT_STATUS(s, cap[i], 200);
    assert_string_equal(h_header(cap[i], "Content-Type"), "application/cap+xml");
  }
  assert_non_null(strstr(cap[0]->body, "<msgType>Alert</msgType>"));
  assert_null(strstr(cap[0]->body, "<references>"));
  for (int i = 1; i < 3; i++) {
    assert_non_null(strstr(cap[i]->body, "<msgType>Update</msgType>"));
    /* references = sender,identifier,sent of the version before. */
    const char *id_start = strstr(cap[i - 1]->body, "<identifier>") + strlen("<identifier>");
    const char *id_end = strstr(id_start, "</identifier>");
    char *prev_id = h_str("%.*s", (int)(id_end - id_start), id_start);
    const char *ref = strstr(cap[i]->body, "<references>");
    assert_non_null(ref);
    assert_non_null(strstr(ref, prev_id));
    assert_non_null(strstr(prev_id, h_str("-v%d", i)));
  }
  /* The opaque id reaches the same alert. */
  h_resp_t *same = h_call(s, NULL, "GET", NULL, "/advisories/%s.cap", h_gets(v[1]->json, "id"));
  EXPECT_STATUS(s, same, 200);
  assert_string_equal(same->body, cap[1]->body);
}

static void advisories_cap_of_unknown_or_malformed_id_is_404(void **state) {
  h_server_t *s = *state;
  EXPECT_ERROR(s, h_call(s, NULL, "GET", NULL, "/advisories/987654.cap"), 404, "not_found", NULL);
  EXPECT_ERROR(s, h_call(s, NULL, "GET", NULL, "/advisories/1.xml"), 404, "not_found", NULL);
  EXPECT_ERROR(s, h_call(s, NULL, "GET", NULL, "/advisories/01.cap"), 404, "not_found", NULL);
  EXPECT_ERROR(s, h_call(s, NULL, "GET", NULL, "/advisories/.cap"), 404, "not_found", NULL);
  EXPECT_ERROR(s, h_call(s, NULL, "GET", NULL, "/advisories/zzzzzzzzzzzzz.cap"), 404, "not_found",
               NULL);
}

/* Finds a schema of ../shared/schemas (or $BAOHO_SHARED/schemas); 0 with a reason if absent. */
static int schema_path(const char *name, char *path, size_t cap) {
  const char *shared = getenv("BAOHO_SHARED");
  if (shared != NULL && shared[0] != '\0') {
    snprintf(path, cap, "%s/schemas/%s", shared, name);
    if (access(path, R_OK) == 0) return 1;
  }
  const char *file = __FILE__, *suffix = "tests/api/test_advisories.c";
  size_t flen = strlen(file), slen = strlen(suffix);
  if (flen >= slen && strcmp(file + flen - slen, suffix) == 0) {
    snprintf(path, cap, "%.*s../shared/schemas/%s", (int)(flen - slen), file, name);
    if (access(path, R_OK) == 0) return 1;
  }
  return 0;
}

static int find_program(const char *name, char *path, size_t cap) {
  const char *env = getenv("PATH");
  while (env != NULL && *env != '\0') {
    size_t len = strcspn(env, ":");
    if (len > 0) {
      snprintf(path, cap, "%.*s/%s", (int)len, env, name);
      if (access(path, X_OK) == 0) return 1;
    }
    env += len;
    if (*env == ':') env++;
  }
  return 0;
}

static void advisories_cap_validates_against_cap12_xsd(void **state) {
  h_server_t *s = *state;
  char xsd[4096];
  if (!schema_path("cap12.xsd", xsd, sizeof(xsd))) {
    printf("SKIPPED: schema cap12.xsd not found in $BAOHO_SHARED/schemas or <repo>/../shared/schemas\n");
    return;
  }
  h_resp_t *v[3];
  escalation(s, v);
  xmlSchemaParserCtxtPtr pc = xmlSchemaNewParserCtxt(xsd);
  xmlSchemaPtr schema = xmlSchemaParse(pc);
  xmlSchemaFreeParserCtxt(pc);
  assert_non_null(schema);
  /* The escalation, and the demo's region-level advisory. */
  const char *paths[4] = {cap_path(v[0]), cap_path(v[1]), cap_path(v[2]), NULL};
  h_resp_t *mm = h_call(s, NULL, "GET", NULL, "/api/v1/public/advisories?country=MM");
  EXPECT_STATUS(s, mm, 200);
  paths[3] = h_str("%s", strstr(h_gets(mm->json, "items[0].cap_url"), "/advisories/"));
  for (int i = 0; i < 4; i++) {
    h_resp_t *cap = h_call(s, NULL, "GET", NULL, "%s", paths[i]);
    EXPECT_STATUS(s, cap, 200);
    xmlDocPtr d = xmlReadMemory(cap->body, (int)cap->len, "cap.xml", NULL, XML_PARSE_NONET);
    assert_non_null(d);
    xmlSchemaValidCtxtPtr vc = xmlSchemaNewValidCtxt(schema);
    int rc = xmlSchemaValidateDoc(vc, d);
    xmlSchemaFreeValidCtxt(vc);
    xmlFreeDoc(d);
    if (rc != 0) fail_msg("%s is not valid CAP 1.2:\n%s", paths[i], cap->body);
  }
  xmlSchemaFree(schema);
}

static void advisories_atom_feed_validates_against_rnc_with_jing(void **state) {
  h_server_t *s = *state;
  h_resp_t *v[3];
  escalation(s, v);
  h_resp_t *feed = h_call(s, NULL, "GET", NULL, "/advisories.atom");
  EXPECT_STATUS(s, feed, 200);
  assert_string_equal(h_header(feed, "Content-Type"), "application/atom+xml");
  /* Every version is an entry, the level machine-readable. */
  assert_non_null(strstr(feed->body, "term=\"level-4\""));
  assert_non_null(strstr(feed->body, "<baoho:level>3</baoho:level>"));
  assert_non_null(strstr(feed->body, cap_path(v[0])));
  char rnc[4096], jing[4096];
  if (!schema_path("atom-rfc4287.rnc", rnc, sizeof(rnc))) {
    printf("SKIPPED: schema atom-rfc4287.rnc not found in $BAOHO_SHARED/schemas or <repo>/../shared/schemas\n");
    return;
  }
  if (!find_program("jing", jing, sizeof(jing))) {
    printf("SKIPPED: jing not found on PATH (Debian package jing)\n");
    return;
  }
  char file[] = "/tmp/baoho-api-atom-XXXXXX";
  int fd = mkstemp(file);
  assert_true(fd >= 0);
  assert_int_equal(write(fd, feed->body, feed->len), (ssize_t)feed->len);
  close(fd);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
  char *argv[] = {jing, (char *)"-c", rnc, file, NULL};
  pid_t pid;
  int rc = posix_spawn(&pid, jing, &fa, NULL, argv, environ);
  posix_spawn_file_actions_destroy(&fa);
  int status = -1;
  if (rc == 0) waitpid(pid, &status, 0);
  unlink(file);
  assert_int_equal(rc, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    fail_msg("the served feed is not valid Atom:\n%s", feed->body);
  }
}

static void advisories_public_json_needs_no_login_and_filters_by_country(void **state) {
  h_server_t *s = *state;
  h_resp_t *v[3];
  escalation(s, v);
  h_resp_t *r = h_call(s, NULL, "GET", NULL, "/api/v1/public/advisories?country=LB");
  EXPECT_STATUS(s, r, 200);
  json_t *items = h_get(r->json, "items");
  assert_int_equal(json_array_size(items), 1);
  assert_int_equal(json_integer_value(h_get(json_array_get(items, 0), "level")), 4);
  assert_string_equal(h_gets(json_array_get(items, 0), "title_vi"), "Cảnh báo cấp 4");
  assert_string_equal(h_gets(json_array_get(items, 0), "title_en"), "Level 4 advisory");
  assert_string_equal(h_gets(json_array_get(items, 0), "country_name.en"), "Lebanon");
  assert_null(h_get(json_array_get(items, 0), "author"));
  h_resp_t *all = h_call(s, NULL, "GET", NULL, "/api/v1/public/advisories");
  EXPECT_STATUS(s, all, 200);
  assert_true(json_array_size(h_get(all->json, "items")) >= 3); /* IL, MM-13, LB */
  EXPECT_ERROR(s, h_call(s, NULL, "GET", NULL, "/api/v1/public/advisories?country=lb"), 422,
               "validation_failed", "country");
}

static void advisories_officer_publishes_only_within_the_jurisdiction(void **state) {
  h_server_t *s = *state;
  h_resp_t *ok = publish(s, h_as(s, H_MYANMAR), ADVISORY("MM", ",\"region\":\"MM-11\"", "3", ""));
  assert_string_equal(h_gets(ok->json, "region"), "MM-11");
  assert_int_equal(json_integer_value(h_get(ok->json, "version")), 1);
  EXPECT_ERROR(s, h_call(s, h_as(s, H_ISRAEL), "POST", ADVISORY("MM", "", "2", ""),
                         "/api/v1/advisories"),
               403, "forbidden", "country");
  EXPECT_ERROR(s, h_call(s, h_as(s, H_VIEWER), "POST", ADVISORY("VN", "", "1", ""),
                         "/api/v1/advisories"),
               403, "forbidden", NULL);
}

static void advisories_publish_with_bad_input_is_422_naming_the_field(void **state) {
  h_server_t *s = *state;
  const h_auth_t *hq = h_as(s, H_HQ);
  static const struct {
    const char *body, *field;
  } cases[] = {
      {ADVISORY("LB", "", "5", ""), "level"},
      {ADVISORY("LB", "", "0", ""), "level"},
      {ADVISORY("LB", ",\"region\":\"IL-TA\"", "2", ""), "region"},
      {ADVISORY("ZZ", "", "2", ""), "country"},
      {ADVISORY("LB", "", "2", ",\"review_due\":\"2024-02\""), "review_due"},
      {ADVISORY("LB", "", "2", ",\"severity\":\"high\""), "severity"},
      {"{\"country\":\"LB\",\"level\":2,\"title_vi\":\"a\",\"text_vi\":\"b\",\"text_en\":\"c\"}",
       "title_en"},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    EXPECT_ERROR(s, h_call(s, hq, "POST", cases[i].body, "/api/v1/advisories"), 422,
                 "validation_failed", cases[i].field);
  }
}

int api_advisories_tests(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(advisories_escalation_keeps_three_versions_of_one_series),
      cmocka_unit_test(advisories_demo_has_the_israel_escalation_and_kayin),
      cmocka_unit_test(advisories_cap_updates_reference_the_previous_version),
      cmocka_unit_test(advisories_cap_of_unknown_or_malformed_id_is_404),
      cmocka_unit_test(advisories_cap_validates_against_cap12_xsd),
      cmocka_unit_test(advisories_atom_feed_validates_against_rnc_with_jing),
      cmocka_unit_test(advisories_public_json_needs_no_login_and_filters_by_country),
      cmocka_unit_test(advisories_officer_publishes_only_within_the_jurisdiction),
      cmocka_unit_test(advisories_publish_with_bad_input_is_422_naming_the_field),
  };
  return cmocka_run_group_tests_name("advisories", tests, h_group_setup, h_group_teardown);
}
