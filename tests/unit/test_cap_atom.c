/*
 * test_cap_atom.c - unit tests for formats/cap (CAP 1.2 alerts) and formats/atom (the Atom feed)
 * of travel advisories.
 *
 * The fixtures are the escalation for Israel in October-November 2023 (level 2, then 3, then 4:
 * one series, three versions) and a level 4 advisory for Kayin State in Myanmar (MM-13). Every
 * document is parsed back with libxml2 and inspected with XPath. The schema tests validate CAP
 * with libxml2 against cap12.xsd and Atom with jing against atom-rfc4287.rnc, both found in
 * $BAOHO_SHARED/schemas or else <repo>/../shared/schemas; when a schema or jing is missing they
 * print "SKIPPED: <reason>" and skip, and every other test still runs.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <libxml/parser.h>
#include <libxml/xmlschemas.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>

#include "domain/pdate.h"
#include "formats/atom.h"
#include "formats/cap.h"
#include "util/buf.h"
#include "util/err.h"

extern char **environ;

#define OUT_MAX (1u << 20)
#define PATH_SIZE 4096

enum { IL_V1 = 0, IL_V2, IL_V3, MM_V1, FIXTURES };

static const cap_options_t cap_opt = {
    .sender = "consular.example.org",
    .sender_name_vi = "Cục Lãnh sự",
    .sender_name_en = "Consular Department",
    .base_url = "https://consular.example.org/",
};

static const atom_options_t atom_opt = {
    .base_url = "https://consular.example.org",
    .tag_authority = "consular.example.org",
    .tag_date = "2023",
    .author_name = "Cục Lãnh sự — Consular Department",
    .author_email = "baohocongdan@example.org",
    .now = 1700000000,
};

/* ---- fixtures ---- */

static int64_t at(const char *rfc3339) {
  int64_t t = 0;
  assert_int_equal(pdate_parse_timestamp(rfc3339, &t), BH_OK);
  return t;
}

/* Fills f with the four advisory versions of the file comment. */
static void fixtures(advisory_t f[FIXTURES] /* OUT */) {
  memset(f, 0, FIXTURES * sizeof *f);
  f[IL_V1] = (advisory_t){
      .id = 101,
      .series_id = 7,
      .version = 1,
      .country = "IL",
      .level = 2,
      .title_vi = "Tránh các khu vực xung đột",
      .title_en = "Avoid areas of conflict",
      .text_vi = "Công dân Việt Nam tại Israel cần tránh các khu vực xung đột.\nTheo dõi thông báo.",
      .text_en = "Vietnamese citizens in Israel should avoid areas of conflict.\nFollow announcements.",
      .reason = "Armed conflict since 7 October 2023",
      .issued_at = at("2023-10-08T09:30:00Z"),
  };
  f[IL_V2] = f[IL_V1];
  f[IL_V2].id = 102;
  f[IL_V2].version = 2;
  f[IL_V2].level = 3;
  f[IL_V2].title_vi = "Cân nhắc rời khỏi Israel";
  f[IL_V2].title_en = "Consider leaving Israel";
  f[IL_V2].text_vi = "Công dân nên cân nhắc rời khỏi Israel bằng các chuyến bay thương mại.";
  f[IL_V2].text_en = "Citizens should consider leaving Israel on commercial flights.";
  f[IL_V2].reason = "Escalation of the conflict";
  f[IL_V2].issued_at = at("2023-10-16T03:00:00Z");
  f[IL_V2].review_due = "2023-11-16";
  f[IL_V3] = f[IL_V2];
  f[IL_V3].id = 103;
  f[IL_V3].version = 3;
  f[IL_V3].level = 4;
  f[IL_V3].title_vi = "Rời khỏi Israel";
  f[IL_V3].title_en = "Leave Israel";
  f[IL_V3].text_vi = "Công dân cần rời khỏi Israel ngay.\nLiên hệ Đại sứ quán khi cần hỗ trợ.";
  f[IL_V3].text_en = "Citizens must leave Israel now.\nContact the Embassy for assistance.";
  f[IL_V3].reason = NULL;
  f[IL_V3].issued_at = at("2023-11-02T08:15:00Z");
  f[IL_V3].review_due = NULL;
  f[MM_V1] = (advisory_t){
      .id = 201,
      .series_id = 9,
      .version = 1,
      .country = "MM",
      .region = "MM-13",
      .level = 4,
      .title_vi = "Không đến bang Kayin",
      .title_en = "Do not travel to Kayin State",
      .text_vi = "Giao tranh tại bang Kayin.",
      .text_en = "Fighting in Kayin State.",
      .issued_at = at("2023-11-10T00:00:00Z"),
      .review_due = "2024-01-31",
  };
}

/* The version before f[i] in its series, or NULL for a first version. */
static const advisory_t *previous_of(const advisory_t f[FIXTURES], int i) {
  return f[i].version > 1 ? &f[i - 1] : NULL;
}

/* ---- XML helpers ---- */

static xmlDocPtr parse(const buf_t *b) {
  xmlDocPtr d = xmlReadMemory(b->data, (int)b->len, "out.xml", NULL, XML_PARSE_NONET);
  assert_non_null(d);
  return d;
}

static xmlXPathObjectPtr eval(xmlDocPtr d, const char *expr) {
  xmlXPathContextPtr c = xmlXPathNewContext(d);
  assert_non_null(c);
  xmlXPathRegisterNs(c, BAD_CAST "c", BAD_CAST CAP_NAMESPACE);
  xmlXPathRegisterNs(c, BAD_CAST "a", BAD_CAST ATOM_NAMESPACE);
  xmlXPathRegisterNs(c, BAD_CAST "b", BAD_CAST ATOM_BAOHO_NAMESPACE);
  xmlXPathRegisterNs(c, BAD_CAST "h", BAD_CAST "http://www.w3.org/1999/xhtml");
  xmlXPathObjectPtr r = xmlXPathEvalExpression(BAD_CAST expr, c);
  xmlXPathFreeContext(c);
  assert_non_null(r);
  return r;
}

/* Asserts that the XPath string value of expr in d equals want. */
static void assert_xpath(xmlDocPtr d, const char *expr, const char *want) {
  char wrapped[512];
  snprintf(wrapped, sizeof wrapped, "string(%s)", expr);
  xmlXPathObjectPtr r = eval(d, wrapped);
  if (strcmp((const char *)r->stringval, want) != 0)
    fail_msg("%s is \"%s\", want \"%s\"", expr, (const char *)r->stringval, want);
  xmlXPathFreeObject(r);
}

static double xpath_number(xmlDocPtr d, const char *expr) {
  xmlXPathObjectPtr r = eval(d, expr);
  double v = r->floatval;
  xmlXPathFreeObject(r);
  return v;
}

static void write_cap(const advisory_t f[FIXTURES], int i, buf_t *b /* OUT */) {
  buf_init(b, OUT_MAX);
  assert_int_equal(cap_write_advisory(&f[i], previous_of(f, i), &cap_opt, b), BH_OK);
}

/* ---- schema location and external validators ---- */

/* Finds name in the shared schema folder; returns 1 and the path, or 0 with a reason. */
static int schema_path(const char *name, char path[PATH_SIZE] /* OUT */,
                       char reason[PATH_SIZE] /* OUT */) {
  const char *shared = getenv("BAOHO_SHARED");
  if (shared != NULL && shared[0] != '\0') {
    snprintf(path, PATH_SIZE, "%s/schemas/%s", shared, name);
    if (access(path, R_OK) == 0) return 1;
  }
#ifdef BAOHO_SOURCE_DIR
  const char *file = BAOHO_SOURCE_DIR "/tests/unit/test_cap_atom.c";
#else
  const char *file = __FILE__;
#endif
  const char *suffix = "tests/unit/test_cap_atom.c";
  size_t flen = strlen(file), slen = strlen(suffix);
  if (flen >= slen && strcmp(file + flen - slen, suffix) == 0) {
    snprintf(path, PATH_SIZE, "%.*s../shared/schemas/%s", (int)(flen - slen), file, name);
    if (access(path, R_OK) == 0) return 1;
  }
  snprintf(reason, PATH_SIZE, "schema %s not found in $BAOHO_SHARED/schemas or <repo>/../shared/schemas",
           name);
  return 0;
}

/* Finds an executable on PATH; returns 1 and its path, or 0. */
static int find_program(const char *name, char path[PATH_SIZE] /* OUT */) {
  const char *env = getenv("PATH");
  if (env == NULL) return 0;
  while (*env != '\0') {
    const char *colon = strchr(env, ':');
    size_t len = colon != NULL ? (size_t)(colon - env) : strlen(env);
    if (len > 0 && len < PATH_SIZE - 64) {
      snprintf(path, PATH_SIZE, "%.*s/%s", (int)len, env, name);
      if (access(path, X_OK) == 0) return 1;
    }
    env += len;
    if (*env == ':') env++;
  }
  return 0;
}

/* Runs "jing -c schema" on the document in b; returns jing's exit status (0 = valid). Jing's
 * findings go to stdout, its start-up warnings (missing optional jars) to /dev/null. */
static int run_jing(const char *jing, const char *schema, const buf_t *b) {
  char file[] = "/tmp/baoho-test-atom-XXXXXX";
  int fd = mkstemp(file);
  assert_true(fd >= 0);
  assert_int_equal(write(fd, b->data, b->len), (ssize_t)b->len);
  assert_int_equal(close(fd), 0);
  posix_spawn_file_actions_t fa;
  assert_int_equal(posix_spawn_file_actions_init(&fa), 0);
  assert_int_equal(posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0), 0);
  char *argv[] = {(char *)jing, (char *)"-c", (char *)schema, file, NULL};
  pid_t pid;
  int rc = posix_spawn(&pid, jing, &fa, NULL, argv, environ);
  posix_spawn_file_actions_destroy(&fa);
  int status = -1;
  if (rc == 0) assert_int_equal(waitpid(pid, &status, 0), pid);
  unlink(file);
  assert_int_equal(rc, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* Returns 1 if the document in b is valid against the XML Schema at path. */
static int xsd_valid(const char *path, const buf_t *b) {
  xmlSchemaParserCtxtPtr pc = xmlSchemaNewParserCtxt(path);
  assert_non_null(pc);
  xmlSchemaPtr schema = xmlSchemaParse(pc);
  xmlSchemaFreeParserCtxt(pc);
  assert_non_null(schema);
  xmlSchemaValidCtxtPtr vc = xmlSchemaNewValidCtxt(schema);
  assert_non_null(vc);
  xmlDocPtr d = parse(b);
  int rc = xmlSchemaValidateDoc(vc, d);
  xmlFreeDoc(d);
  xmlSchemaFreeValidCtxt(vc);
  xmlSchemaFree(schema);
  return rc == 0;
}

/* ---- CAP ---- */

static void cap_alert_has_one_info_block_per_language_vietnamese_first(void **state) {
  (void)state;
  advisory_t f[FIXTURES];
  fixtures(f);
  buf_t b;
  write_cap(f, IL_V1, &b);
  xmlDocPtr d = parse(&b);
  assert_xpath(d, "namespace-uri(/*)", CAP_NAMESPACE);
  assert_int_equal((int)xpath_number(d, "count(/c:alert/c:info)"), 2);
  assert_xpath(d, "/c:alert/c:info[1]/c:language", "vi-VN");
  assert_xpath(d, "/c:alert/c:info[2]/c:language", "en-US");
  assert_xpath(d, "/c:alert/c:info[1]/c:headline", "Tránh các khu vực xung đột");
  assert_xpath(d, "/c:alert/c:info[2]/c:headline", "Avoid areas of conflict");
  assert_xpath(d, "/c:alert/c:info[1]/c:event", "Cảnh báo du lịch cấp 2");
  assert_xpath(d, "/c:alert/c:info[2]/c:event", "Travel advisory level 2");
  assert_xpath(d, "/c:alert/c:info[1]/c:senderName", "Cục Lãnh sự");
  assert_xpath(d, "/c:alert/c:info[2]/c:senderName", "Consular Department");
  assert_xpath(d, "/c:alert/c:info[2]/c:description", f[IL_V1].text_en);
  assert_xpath(d, "/c:alert/c:info[2]/c:instruction", "Exercise increased caution");
  assert_xpath(d, "/c:alert/c:info[1]/c:category", "Safety");
  assert_xpath(d, "/c:alert/c:info[2]/c:web", "https://consular.example.org/advisories/101");
  assert_xpath(d, "/c:alert/c:info[1]/c:area/c:areaDesc", "Israel");
  assert_xpath(d, "/c:alert/c:info[1]/c:area/c:geocode[c:valueName='ISO3166-1']/c:value", "IL");
  assert_int_equal((int)xpath_number(d, "count(//c:geocode[c:valueName='ISO3166-2'])"), 0);
  assert_xpath(d, "/c:alert/c:status", "Actual");
  assert_xpath(d, "/c:alert/c:scope", "Public");
  assert_xpath(d, "/c:alert/c:sender", "consular.example.org");
  assert_xpath(d, "/c:alert/c:note", "Armed conflict since 7 October 2023");
  xmlFreeDoc(d);
  buf_free(&b);
}

static void cap_times_use_minus_zero_offset_never_z(void **state) {
  (void)state;
  advisory_t f[FIXTURES];
  fixtures(f);
  buf_t b;
  write_cap(f, IL_V2, &b);
  xmlDocPtr d = parse(&b);
  assert_xpath(d, "/c:alert/c:sent", "2023-10-16T03:00:00-00:00");
  assert_xpath(d, "/c:alert/c:info[1]/c:effective", "2023-10-16T03:00:00-00:00");
  assert_xpath(d, "/c:alert/c:info[2]/c:expires", "2023-11-16T00:00:00-00:00");
  assert_xpath(d, "substring-after(/c:alert/c:references, 'v1,')", "2023-10-08T09:30:00-00:00");
  /* No time anywhere in the alert ends in 'Z'. */
  assert_int_equal((int)xpath_number(d, "count(//c:sent[contains(., 'Z')] | "
                                        "//c:effective[contains(., 'Z')] | "
                                        "//c:expires[contains(., 'Z')] | "
                                        "//c:references[contains(., 'Z')])"),
                   0);
  assert_null(strstr(b.data, "Z</"));
  xmlFreeDoc(d);
  buf_free(&b);
}

static void cap_first_version_is_alert_later_versions_update_the_previous(void **state) {
  (void)state;
  advisory_t f[FIXTURES];
  fixtures(f);
  buf_t b;
  write_cap(f, IL_V1, &b);
  xmlDocPtr d = parse(&b);
  assert_xpath(d, "/c:alert/c:msgType", "Alert");
  assert_xpath(d, "/c:alert/c:identifier", "consular.example.org-advisory-7-v1");
  assert_int_equal((int)xpath_number(d, "count(/c:alert/c:references)"), 0);
  xmlFreeDoc(d);
  buf_free(&b);

  write_cap(f, IL_V2, &b);
  d = parse(&b);
  assert_xpath(d, "/c:alert/c:msgType", "Update");
  assert_xpath(d, "/c:alert/c:identifier", "consular.example.org-advisory-7-v2");
  assert_xpath(d, "/c:alert/c:references",
               "consular.example.org,consular.example.org-advisory-7-v1,2023-10-08T09:30:00-00:00");
  xmlFreeDoc(d);
  buf_free(&b);

  write_cap(f, IL_V3, &b);
  d = parse(&b);
  assert_xpath(d, "/c:alert/c:msgType", "Update");
  assert_xpath(d, "/c:alert/c:references",
               "consular.example.org,consular.example.org-advisory-7-v2,2023-10-16T03:00:00-00:00");
  assert_int_equal((int)xpath_number(d, "count(/c:alert/c:note)"), 0);
  assert_int_equal((int)xpath_number(d, "count(//c:expires)"), 0);
  xmlFreeDoc(d);
  buf_free(&b);
}

static void cap_same_version_gives_same_bytes(void **state) {
  (void)state;
  advisory_t f[FIXTURES];
  fixtures(f);
  buf_t one, two;
  write_cap(f, IL_V2, &one);
  write_cap(f, IL_V2, &two);
  assert_int_equal(one.len, two.len);
  assert_memory_equal(one.data, two.data, one.len);
  buf_free(&one);
  buf_free(&two);
}

static void cap_level_decides_response_urgency_severity_and_parameter(void **state) {
  (void)state;
  static const struct {
    int fixture;
    const char *level, *response, *urgency, *severity, *certainty;
  } want[] = {
      {IL_V1, "2", "Monitor", "Future", "Moderate", "Possible"},
      {IL_V2, "3", "Avoid", "Expected", "Severe", "Likely"},
      {IL_V3, "4", "Evacuate", "Immediate", "Extreme", "Observed"},
  };
  advisory_t f[FIXTURES];
  fixtures(f);
  for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
    buf_t b;
    write_cap(f, want[i].fixture, &b);
    xmlDocPtr d = parse(&b);
    for (int info = 1; info <= 2; info++) {
      char expr[128];
      snprintf(expr, sizeof expr, "/c:alert/c:info[%d]/c:responseType", info);
      assert_xpath(d, expr, want[i].response);
      snprintf(expr, sizeof expr, "/c:alert/c:info[%d]/c:urgency", info);
      assert_xpath(d, expr, want[i].urgency);
      snprintf(expr, sizeof expr, "/c:alert/c:info[%d]/c:severity", info);
      assert_xpath(d, expr, want[i].severity);
      snprintf(expr, sizeof expr, "/c:alert/c:info[%d]/c:certainty", info);
      assert_xpath(d, expr, want[i].certainty);
      snprintf(expr, sizeof expr,
               "/c:alert/c:info[%d]/c:parameter[c:valueName='advisoryLevel']/c:value", info);
      assert_xpath(d, expr, want[i].level);
    }
    xmlFreeDoc(d);
    buf_free(&b);
  }
  /* Level 1 means no action. */
  f[MM_V1].level = 1;
  buf_t b;
  write_cap(f, MM_V1, &b);
  xmlDocPtr d = parse(&b);
  assert_xpath(d, "/c:alert/c:info[1]/c:responseType", "None");
  xmlFreeDoc(d);
  buf_free(&b);
}

static void cap_region_area_names_country_and_subdivision(void **state) {
  (void)state;
  advisory_t f[FIXTURES];
  fixtures(f);
  buf_t b;
  write_cap(f, MM_V1, &b);
  xmlDocPtr d = parse(&b);
  assert_xpath(d, "/c:alert/c:info[1]/c:area/c:areaDesc", "Myanmar (MM-13)");
  assert_xpath(d, "/c:alert/c:info[2]/c:area/c:geocode[c:valueName='ISO3166-1']/c:value", "MM");
  assert_xpath(d, "/c:alert/c:info[2]/c:area/c:geocode[c:valueName='ISO3166-2']/c:value",
               "MM-13");
  assert_xpath(d, "/c:alert/c:info[1]/c:expires", "2024-01-31T00:00:00-00:00");
  xmlFreeDoc(d);
  buf_free(&b);
}

static void cap_escapes_markup_in_text(void **state) {
  (void)state;
  advisory_t f[FIXTURES];
  fixtures(f);
  f[IL_V1].title_en = "Gaza <border> & \"north\" 'zone'";
  f[IL_V1].text_vi = "Tránh <script>alert(1)</script> & ]]> khu vực\r\nxung đột";
  f[IL_V1].reason = "a < b && c > d";
  buf_t b;
  write_cap(f, IL_V1, &b);
  assert_null(strstr(b.data, "<border>"));
  assert_null(strstr(b.data, "<script>"));
  assert_null(strstr(b.data, "]]>"));
  xmlDocPtr d = parse(&b);
  assert_xpath(d, "/c:alert/c:info[2]/c:headline", f[IL_V1].title_en);
  assert_xpath(d, "/c:alert/c:info[1]/c:description", f[IL_V1].text_vi);
  assert_xpath(d, "/c:alert/c:note", f[IL_V1].reason);
  xmlFreeDoc(d);
  buf_free(&b);
}

static void cap_refuses_control_characters_and_leaves_buffer_unchanged(void **state) {
  (void)state;
  static const char *const bad[] = {"bell \a", "nul-free \x01 ctl", "del \x7f", "c1 \xc2\x85",
                                    "bad utf-8 \xff", "surrogate \xed\xa0\x80",
                                    "nonchar \xef\xbf\xbe", "escape \x1b[31m"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    for (int field = 0; field < 4; field++) {
      advisory_t f[FIXTURES];
      fixtures(f);
      cap_options_t opt = cap_opt;
      if (field == 0) f[IL_V1].title_vi = bad[i];
      if (field == 1) f[IL_V1].text_en = bad[i];
      if (field == 2) f[IL_V1].reason = bad[i];
      if (field == 3) opt.sender_name_vi = bad[i];
      buf_t b;
      buf_init(&b, OUT_MAX);
      assert_int_equal(buf_puts(&b, "kept"), BH_OK);
      assert_int_equal(cap_write_advisory(&f[IL_V1], NULL, &opt, &b), BH_ERR_INVALID);
      assert_int_equal(b.len, 4);
      assert_string_equal(b.data, "kept");
      buf_free(&b);
    }
  }
}

static void cap_refuses_invalid_advisory_options_and_history(void **state) {
  (void)state;
  advisory_t f[FIXTURES];
  buf_t b;
  buf_init(&b, OUT_MAX);
#define EXPECT_INVALID(setup, a, prev, opt)                                           \
  do {                                                                                \
    fixtures(f);                                                                      \
    cap_options_t o = cap_opt;                                                        \
    (void)o;                                                                          \
    setup;                                                                            \
    assert_int_equal(cap_write_advisory(a, prev, opt, &b), BH_ERR_INVALID);           \
    assert_int_equal(b.len, 0);                                                       \
  } while (0)
  EXPECT_INVALID(f[IL_V1].level = 0, &f[IL_V1], NULL, &o);
  EXPECT_INVALID(f[IL_V1].level = 5, &f[IL_V1], NULL, &o);
  EXPECT_INVALID(memcpy(f[IL_V1].country, "XX", 3), &f[IL_V1], NULL, &o);
  EXPECT_INVALID(f[MM_V1].region = "VN-HN", &f[MM_V1], NULL, &o);
  EXPECT_INVALID(f[IL_V1].title_en = NULL, &f[IL_V1], NULL, &o);
  EXPECT_INVALID(f[IL_V2].review_due = "2023-11", &f[IL_V2], &f[IL_V1], &o);
  EXPECT_INVALID(f[IL_V2].review_due = "16/11/2023", &f[IL_V2], &f[IL_V1], &o);
  EXPECT_INVALID((void)0, &f[IL_V2], NULL, &o);        /* an update needs its previous version */
  EXPECT_INVALID((void)0, &f[IL_V3], &f[IL_V1], &o);   /* not the version just before */
  EXPECT_INVALID((void)0, &f[IL_V1], &f[MM_V1], &o);   /* a first version has none */
  EXPECT_INVALID(f[IL_V1].series_id = 8, &f[IL_V2], &f[IL_V1], &o);
  EXPECT_INVALID(o.sender = "consular example", &f[IL_V1], NULL, &o);
  EXPECT_INVALID(o.sender = "a,b", &f[IL_V1], NULL, &o);
  EXPECT_INVALID(o.sender = "a<b&c", &f[IL_V1], NULL, &o);
  EXPECT_INVALID(o.sender = "", &f[IL_V1], NULL, &o);
  EXPECT_INVALID(o.sender_name_en = NULL, &f[IL_V1], NULL, &o);
  EXPECT_INVALID(o.base_url = "ftp://consular.example.org", &f[IL_V1], NULL, &o);
  EXPECT_INVALID(o.base_url = "https://", &f[IL_V1], NULL, &o);
  EXPECT_INVALID(o.base_url = "https://x.org/a b", &f[IL_V1], NULL, &o);
  EXPECT_INVALID(o.base_url = "https://x.org/\"><x", &f[IL_V1], NULL, &o);
  EXPECT_INVALID((void)0, NULL, NULL, &o);
  EXPECT_INVALID((void)0, &f[IL_V1], NULL, NULL);
#undef EXPECT_INVALID
  buf_free(&b);
}

static void cap_stops_at_buffer_maximum_and_leaves_buffer_unchanged(void **state) {
  (void)state;
  advisory_t f[FIXTURES];
  fixtures(f);
  buf_t full;
  write_cap(f, IL_V2, &full);
  /* Every maximum short of the whole document fails cleanly; the exact one succeeds. */
  static const size_t room[] = {0, 10, 100, 1000, 4000, 4096, 4097};
  for (size_t i = 0; i < sizeof room / sizeof room[0]; i++) {
    if (room[i] >= full.len) continue;
    buf_t b;
    buf_init(&b, 3 + room[i]);
    assert_int_equal(buf_puts(&b, "abc"), BH_OK);
    assert_int_equal(cap_write_advisory(&f[IL_V2], &f[IL_V1], &cap_opt, &b), BH_ERR_TOO_LARGE);
    assert_string_equal(b.data, "abc");
    buf_free(&b);
  }
  buf_t exact;
  buf_init(&exact, full.len);
  assert_int_equal(cap_write_advisory(&f[IL_V2], &f[IL_V1], &cap_opt, &exact), BH_OK);
  assert_int_equal(exact.len, full.len);
  buf_free(&exact);
  buf_free(&full);
}

static void cap_alerts_validate_against_cap12_xsd(void **state) {
  (void)state;
  char path[PATH_SIZE], reason[PATH_SIZE];
  if (!schema_path("cap12.xsd", path, reason)) {
    printf("SKIPPED: %s\n", reason);
    skip();
  }
  advisory_t f[FIXTURES];
  fixtures(f);
  f[IL_V1].text_en = "Avoid <Gaza> & the north; \"stay\" 'safe'.";
  for (int i = 0; i < FIXTURES; i++) {
    buf_t b;
    write_cap(f, i, &b);
    if (!xsd_valid(path, &b)) fail_msg("fixture %d is not valid CAP 1.2:\n%s", i, b.data);
    buf_free(&b);
  }
  /* The check has teeth: the same alert with a 'Z' time is refused by the schema. */
  buf_t b;
  write_cap(f, IL_V1, &b);
  char *sent = strstr(b.data, "-00:00</sent>");
  assert_non_null(sent);
  memcpy(sent, "Z</sent>     ", 13);
  printf("(libxml2 is expected to report the 'Z' time below)\n");
  fflush(stdout);
  assert_false(xsd_valid(path, &b));
  buf_free(&b);
}

/* ---- Atom ---- */

static void write_feed(const advisory_t *items, size_t n, buf_t *b /* OUT */) {
  buf_init(b, OUT_MAX);
  assert_int_equal(atom_write_advisories(items, n, &atom_opt, b), BH_OK);
}

static void atom_feed_lists_versions_newest_first(void **state) {
  (void)state;
  advisory_t f[FIXTURES];
  fixtures(f);
  advisory_t shuffled[FIXTURES] = {f[IL_V2], f[MM_V1], f[IL_V1], f[IL_V3]};
  buf_t b;
  write_feed(shuffled, FIXTURES, &b);
  xmlDocPtr d = parse(&b);
  assert_xpath(d, "namespace-uri(/*)", ATOM_NAMESPACE);
  assert_int_equal((int)xpath_number(d, "count(/a:feed/a:entry)"), 4);
  assert_xpath(d, "/a:feed/a:entry[1]/a:id", "tag:consular.example.org,2023:advisories/9/v1");
  assert_xpath(d, "/a:feed/a:entry[2]/a:id", "tag:consular.example.org,2023:advisories/7/v3");
  assert_xpath(d, "/a:feed/a:entry[3]/a:id", "tag:consular.example.org,2023:advisories/7/v2");
  assert_xpath(d, "/a:feed/a:entry[4]/a:id", "tag:consular.example.org,2023:advisories/7/v1");
  assert_xpath(d, "/a:feed/a:updated", "2023-11-10T00:00:00Z");
  assert_xpath(d, "/a:feed/a:id", "tag:consular.example.org,2023:advisories");
  assert_xpath(d, "/a:feed/a:title", ATOM_DEFAULT_TITLE);
  assert_xpath(d, "/a:feed/a:author/a:name", atom_opt.author_name);
  assert_xpath(d, "/a:feed/a:link[@rel='self']/@href",
               "https://consular.example.org/advisories.atom");
  /* The caller's array is not reordered. */
  assert_int_equal(shuffled[0].id, 102);
  xmlFreeDoc(d);
  buf_free(&b);
}

static void atom_entry_carries_level_links_and_both_languages(void **state) {
  (void)state;
  advisory_t f[FIXTURES];
  fixtures(f);
  buf_t b;
  write_feed(&f[IL_V2], 1, &b);
  xmlDocPtr d = parse(&b);
  assert_xpath(d, "/a:feed/a:entry/a:title",
               "Israel: cấp 3 — Cân nhắc việc đi lại / tránh khu vực");
  assert_xpath(d, "/a:feed/a:entry/a:summary",
               "Israel: level 3 — Reconsider travel / avoid the area");
  assert_xpath(d, "/a:feed/a:entry/a:summary/@xml:lang", "en");
  assert_xpath(d, "/a:feed/@xml:lang", "vi");
  assert_xpath(d, "/a:feed/a:entry/a:updated", "2023-10-16T03:00:00Z");
  assert_xpath(d, "/a:feed/a:entry/a:published", "2023-10-16T03:00:00Z");
  assert_xpath(d, "/a:feed/a:entry/a:link[@rel='alternate' and @type='text/html']/@href",
               "https://consular.example.org/advisories/102");
  assert_xpath(d, "/a:feed/a:entry/a:link[@rel='alternate' and @type='application/cap+xml']/@href",
               "https://consular.example.org/advisories/102.cap");
  assert_xpath(d, "/a:feed/a:entry/a:category/@term", "level-3");
  assert_xpath(d, "/a:feed/a:entry/a:category/@scheme",
               "https://consular.example.org/advisory-levels");
  assert_xpath(d, "/a:feed/a:entry/a:category/@label", "Cân nhắc việc đi lại / tránh khu vực");
  assert_xpath(d, "/a:feed/a:entry/b:level", "3");
  assert_xpath(d, "/a:feed/a:entry/b:country", "IL");
  assert_int_equal((int)xpath_number(d, "count(/a:feed/a:entry/b:region)"), 0);
  assert_xpath(d, "/a:feed/a:entry/a:content/@type", "xhtml");
  assert_xpath(d, "/a:feed/a:entry/a:content/h:div/h:div[1]/@xml:lang", "vi");
  assert_xpath(d, "/a:feed/a:entry/a:content/h:div/h:div[1]/h:h2", "Cân nhắc rời khỏi Israel");
  assert_xpath(d, "/a:feed/a:entry/a:content/h:div/h:div[2]/@xml:lang", "en");
  assert_xpath(d, "/a:feed/a:entry/a:content/h:div/h:div[2]/h:p[1]", f[IL_V2].text_en);
  xmlFreeDoc(d);
  buf_free(&b);

  write_feed(&f[MM_V1], 1, &b);
  d = parse(&b);
  assert_xpath(d, "/a:feed/a:entry/a:title",
               "Myanmar (MM-13): cấp 4 — Không đi đến / rời khỏi khu vực");
  assert_xpath(d, "/a:feed/a:entry/b:region", "MM-13");
  assert_xpath(d, "/a:feed/a:entry/b:level", "4");
  xmlFreeDoc(d);
  buf_free(&b);
}

static void atom_text_lines_become_paragraphs(void **state) {
  (void)state;
  advisory_t f[FIXTURES];
  fixtures(f);
  f[IL_V3].text_vi = "Dòng một\r\n\r\nDòng hai\n";
  buf_t b;
  write_feed(&f[IL_V3], 1, &b);
  xmlDocPtr d = parse(&b);
  assert_int_equal((int)xpath_number(d, "count(//h:div[@xml:lang='vi']/h:p)"), 2);
  assert_xpath(d, "//h:div[@xml:lang='vi']/h:p[1]", "Dòng một");
  assert_xpath(d, "//h:div[@xml:lang='vi']/h:p[2]", "Dòng hai");
  assert_int_equal((int)xpath_number(d, "count(//h:div[@xml:lang='en']/h:p)"), 2);
  xmlFreeDoc(d);
  buf_free(&b);
}

static void atom_escapes_markup_in_text_and_attributes(void **state) {
  (void)state;
  advisory_t f[FIXTURES];
  fixtures(f);
  f[IL_V1].title_vi = "<b>Cảnh báo</b> & \"x\"";
  f[IL_V1].text_en = "Avoid <script>alert(1)</script> & ]]> here";
  atom_options_t opt = atom_opt;
  opt.title = "Advisories <&> \"quoted\"";
  opt.author_name = "A & B <consuls>";
  buf_t b;
  buf_init(&b, OUT_MAX);
  assert_int_equal(atom_write_advisories(&f[IL_V1], 1, &opt, &b), BH_OK);
  assert_null(strstr(b.data, "<script>"));
  assert_null(strstr(b.data, "<b>"));
  assert_null(strstr(b.data, "]]>"));
  xmlDocPtr d = parse(&b);
  assert_xpath(d, "/a:feed/a:title", opt.title);
  assert_xpath(d, "/a:feed/a:author/a:name", opt.author_name);
  assert_xpath(d, "//h:div[@xml:lang='vi']/h:h2", f[IL_V1].title_vi);
  assert_xpath(d, "//h:div[@xml:lang='en']/h:p", f[IL_V1].text_en);
  xmlFreeDoc(d);
  buf_free(&b);
}

static void atom_refuses_bad_items_and_options_and_leaves_buffer_unchanged(void **state) {
  (void)state;
  advisory_t f[FIXTURES];
  buf_t b;
  buf_init(&b, OUT_MAX);
  assert_int_equal(buf_puts(&b, "kept"), BH_OK);
#define EXPECT_INVALID(setup)                                                      \
  do {                                                                             \
    fixtures(f);                                                                   \
    atom_options_t o = atom_opt;                                                   \
    setup;                                                                         \
    assert_int_equal(atom_write_advisories(f, FIXTURES, &o, &b), BH_ERR_INVALID); \
    assert_string_equal(b.data, "kept");                                           \
  } while (0)
  EXPECT_INVALID(f[MM_V1].text_vi = "tab\tok but bell\a not");
  EXPECT_INVALID(f[IL_V2].title_en = "c1 \xc2\x9b");
  EXPECT_INVALID(f[IL_V2].title_en = "broken \xc3");
  EXPECT_INVALID(f[IL_V3].level = 9);
  EXPECT_INVALID(f[IL_V3].text_en = NULL);
  EXPECT_INVALID(memcpy(f[IL_V1].country, "il", 3));
  EXPECT_INVALID(f[MM_V1].region = "TH-10");
  EXPECT_INVALID(o.base_url = "javascript:alert(1)");
  EXPECT_INVALID(o.base_url = NULL);
  EXPECT_INVALID(o.tag_authority = "consular example.org");
  EXPECT_INVALID(o.tag_date = "23");
  EXPECT_INVALID(o.tag_date = "2023-13");
  EXPECT_INVALID(o.author_name = "");
  EXPECT_INVALID(o.author_name = NULL);
  EXPECT_INVALID(o.author_email = "nobody");
  EXPECT_INVALID(o.title = "vertical\vtab");
#undef EXPECT_INVALID
  assert_int_equal(atom_write_advisories(NULL, 1, &atom_opt, &b), BH_ERR_INVALID);
  assert_int_equal(atom_write_advisories(f, 1, NULL, &b), BH_ERR_INVALID);
  assert_string_equal(b.data, "kept");
  buf_free(&b);
}

static void atom_stops_at_buffer_maximum_and_leaves_buffer_unchanged(void **state) {
  (void)state;
  advisory_t f[FIXTURES];
  fixtures(f);
  buf_t full;
  write_feed(f, FIXTURES, &full);
  for (size_t room = 0; room < full.len; room += 997) {
    buf_t b;
    buf_init(&b, 4 + room);
    assert_int_equal(buf_puts(&b, "kept"), BH_OK);
    assert_int_equal(atom_write_advisories(f, FIXTURES, &atom_opt, &b), BH_ERR_TOO_LARGE);
    assert_string_equal(b.data, "kept");
    buf_free(&b);
  }
  buf_free(&full);
}

static void atom_empty_feed_is_updated_now(void **state) {
  (void)state;
  buf_t b;
  write_feed(NULL, 0, &b);
  xmlDocPtr d = parse(&b);
  assert_int_equal((int)xpath_number(d, "count(/a:feed/a:entry)"), 0);
  assert_xpath(d, "/a:feed/a:updated", "2023-11-14T22:13:20Z");
  xmlFreeDoc(d);
  buf_free(&b);
}

static void atom_feed_validates_against_rnc_with_jing(void **state) {
  (void)state;
  char schema[PATH_SIZE], reason[PATH_SIZE], jing[PATH_SIZE];
  if (!schema_path("atom-rfc4287.rnc", schema, reason)) {
    printf("SKIPPED: %s\n", reason);
    skip();
  }
  if (!find_program("jing", jing)) {
    printf("SKIPPED: jing not found on PATH (Debian package jing)\n");
    skip();
  }
  advisory_t f[FIXTURES];
  fixtures(f);
  f[IL_V1].text_en = "Avoid <Gaza> & the north; \"stay\" 'safe'.";
  buf_t b;
  write_feed(f, FIXTURES, &b);
  if (run_jing(jing, schema, &b) != 0) fail_msg("the feed is not valid Atom:\n%s", b.data);
  buf_free(&b);

  write_feed(NULL, 0, &b);
  if (run_jing(jing, schema, &b) != 0) fail_msg("the empty feed is not valid Atom:\n%s", b.data);
  buf_free(&b);

  /* The check has teeth: an entry without its id is refused. */
  write_feed(&f[MM_V1], 1, &b);
  char *id = strstr(b.data, "<id>tag:consular.example.org,2023:advisories/9/v1</id>");
  assert_non_null(id);
  memcpy(id, "<!--", 4);
  memcpy(id + strlen("<id>tag:consular.example.org,2023:advisories/9/v1</id>") - 3, "-->", 3);
  printf("(jing is expected to report a missing id below)\n");
  fflush(stdout);
  assert_int_not_equal(run_jing(jing, schema, &b), 0);
  buf_free(&b);
}

int main(void) {
  xmlInitParser();
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(cap_alert_has_one_info_block_per_language_vietnamese_first),
      cmocka_unit_test(cap_times_use_minus_zero_offset_never_z),
      cmocka_unit_test(cap_first_version_is_alert_later_versions_update_the_previous),
      cmocka_unit_test(cap_same_version_gives_same_bytes),
      cmocka_unit_test(cap_level_decides_response_urgency_severity_and_parameter),
      cmocka_unit_test(cap_region_area_names_country_and_subdivision),
      cmocka_unit_test(cap_escapes_markup_in_text),
      cmocka_unit_test(cap_refuses_control_characters_and_leaves_buffer_unchanged),
      cmocka_unit_test(cap_refuses_invalid_advisory_options_and_history),
      cmocka_unit_test(cap_stops_at_buffer_maximum_and_leaves_buffer_unchanged),
      cmocka_unit_test(cap_alerts_validate_against_cap12_xsd),
      cmocka_unit_test(atom_feed_lists_versions_newest_first),
      cmocka_unit_test(atom_entry_carries_level_links_and_both_languages),
      cmocka_unit_test(atom_text_lines_become_paragraphs),
      cmocka_unit_test(atom_escapes_markup_in_text_and_attributes),
      cmocka_unit_test(atom_refuses_bad_items_and_options_and_leaves_buffer_unchanged),
      cmocka_unit_test(atom_stops_at_buffer_maximum_and_leaves_buffer_unchanged),
      cmocka_unit_test(atom_empty_feed_is_updated_now),
      cmocka_unit_test(atom_feed_validates_against_rnc_with_jing),
  };
  int failed = cmocka_run_group_tests(tests, NULL, NULL);
  xmlCleanupParser();
  return failed;
}
