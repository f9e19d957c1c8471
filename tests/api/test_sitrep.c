/*
 * test_sitrep.c - situation reports: the figures of a crisis checked against a scenario whose
 * true counts the test knows (persons in and out of the area, statuses, cases opened and
 * resolved, a person moved to a staging site, a repatriation flight that arrived with two
 * citizens and a partner national), the spokesperson's sentences, the CSV that a spreadsheet
 * opens with Vietnamese intact (BOM, UTF-8, CRLF, read back by the project's CSV reader), the
 * printable HTML page, who may read a report, and the refusals of bad query parameters.
 */
#include <string.h>

#include "formats/csv.h"
#include "util/err.h"
#include "harness.h"

/* The scenario: a crisis in Kuwait (no demo data there) and its known figures. */
static struct {
  const char *crisis;
} sr;

static const char *person_in(h_server_t *s, const char *name, const char *country,
                             const char *category) {
  h_resp_t *r = h_create_person(
      s, h_as(s, H_HQ),
      h_str("{\"full_name\":\"%s\",\"presence\":{\"country\":\"%s\",\"city\":\"Kuwait City\","
            "\"category\":\"%s\"}}",
            name, country, category));
  return h_str("%s", h_gets(r->json, "id"));
}

static void set_status(h_server_t *s, const char *id, const char *status) {
  EXPECT_STATUS(s,
                h_call(s, h_as(s, H_HQ), "POST", h_str("{\"status\":\"%s\"}", status),
                       "/api/v1/persons/%s/status", id),
                201);
}

static long long int_at(const json_t *root, const char *path) {
  json_t *v = h_get(root, path);
  if (!json_is_integer(v)) fail_msg("no integer at %s", path);
  return (long long)json_integer_value(v);
}

/* 1 if some string of the array at path contains needle. */
static int some_string_has(const json_t *root, const char *path, const char *needle) {
  size_t i;
  json_t *v;
  json_array_foreach(h_get(root, path), i, v) {
    if (json_is_string(v) && strstr(json_string_value(v), needle) != NULL) return 1;
  }
  return 0;
}

/* 1 if the len bytes at field contain needle. */
static int field_has(const char *field, size_t len, const char *needle) {
  size_t n = strlen(needle);
  for (size_t i = 0; i + n <= len; i++) {
    if (memcmp(field + i, needle, n) == 0) return 1;
  }
  return 0;
}

static int sr_setup(void **state) {
  if (h_group_setup(state) != 0) return -1;
  h_server_t *s = *state;
  h_resp_t *c = h_call(s, h_as(s, H_HQ), "POST",
                       "{\"name\":\"Khủng hoảng Kuwait\",\"kind\":\"unrest\",\"countries\":[\"KW\"]}",
                       "/api/v1/crises");
  EXPECT_STATUS(s, c, 201);
  sr.crisis = h_str("%s", h_gets(c->json, "id"));
  /* Five citizens in the area (three students, two workers), one outside it. */
  const char *st1 = person_in(s, "Nguyễn Văn Một", "KW", "student");
  const char *st2 = person_in(s, "Trần Thị Hai", "KW", "student");
  const char *st3 = person_in(s, "Lê Văn Ba", "KW", "student");
  const char *wk1 = person_in(s, "Phạm Văn Bốn", "KW", "worker");
  person_in(s, "Hoàng Thị Năm", "KW", "worker");
  person_in(s, "Vũ Văn Ngoài", "QA", "worker");
  set_status(s, wk1, "needs_assistance");
  /* Two cases of the crisis: one resolved, one still open; one case of no crisis. */
  h_resp_t *k1 = h_call(s, h_as(s, H_HQ), "POST",
                        h_str("{\"type\":\"medical\",\"summary\":\"Cần thuốc\",\"persons\":[\"%s\"],"
                              "\"crisis\":\"%s\"}",
                              wk1, sr.crisis),
                        "/api/v1/cases");
  EXPECT_STATUS(s, k1, 201);
  const char *steps[] = {"triaged", "in_progress", "resolved"};
  for (size_t i = 0; i < 3; i++) {
    EXPECT_STATUS(s,
                  h_call(s, h_as(s, H_HQ), "PATCH", h_str("{\"status\":\"%s\"}", steps[i]),
                         "/api/v1/cases/%s", h_gets(k1->json, "id")),
                  200);
  }
  EXPECT_STATUS(s,
                h_call(s, h_as(s, H_HQ), "POST",
                       h_str("{\"type\":\"lost_documents\",\"summary\":\"Mất hộ chiếu\","
                             "\"persons\":[\"%s\"],\"crisis\":\"%s\"}",
                             st3, sr.crisis),
                       "/api/v1/cases"),
                201);
  EXPECT_STATUS(s,
                h_call(s, h_as(s, H_HQ), "POST",
                       h_str("{\"type\":\"financial\",\"summary\":\"Khác\",\"persons\":[\"%s\"]}",
                             st3),
                       "/api/v1/cases"),
                201);
  /* One student moved to a staging site of the crisis. */
  h_resp_t *site = h_call(s, h_as(s, H_HQ), "POST",
                          h_str("{\"kind\":\"shelter\",\"name\":\"Trường học\",\"country\":\"KW\","
                                "\"capacity\":50,\"crisis\":\"%s\"}",
                                sr.crisis),
                          "/api/v1/sites");
  EXPECT_STATUS(s, site, 201);
  EXPECT_STATUS(s,
                h_call(s, h_as(s, H_HQ), "POST", h_str("{\"person_id\":\"%s\"}", st3),
                       "/api/v1/sites/%s/checkins", h_gets(site->json, "id")),
                201);
  /* A repatriation flight with two students and a partner national, all boarded, arrived. */
  h_resp_t *t = h_call(
      s, h_as(s, H_HQ), "POST",
      h_str("{\"mode\":\"flight\",\"provider\":\"commercial\",\"purpose\":\"repatriation\","
            "\"origin\":{\"place\":\"Kuwait City\",\"country\":\"KW\"},\"destination\":{\"place\":"
            "\"Nội Bài\",\"country\":\"VN\"},\"departure_at\":\"2023-10-14T08:00:00Z\","
            "\"capacity\":180,\"reference\":\"VN-KW1\",\"crisis\":\"%s\"}",
            sr.crisis),
      "/api/v1/transports");
  EXPECT_STATUS(s, t, 201);
  const char *tid = h_str("%s", h_gets(t->json, "id"));
  h_resp_t *m = h_call(s, h_as(s, H_HQ), "POST",
                       h_str("{\"persons\":[{\"person_id\":\"%s\"},{\"person_id\":\"%s\"},"
                             "{\"full_name\":\"Ahmed N.\",\"nationality\":\"EG\"}]}",
                             st1, st2),
                       "/api/v1/transports/%s/manifest", tid);
  EXPECT_STATUS(s, m, 201);
  for (int i = 0; i < 3; i++) {
    EXPECT_STATUS(s,
                  h_call(s, h_as(s, H_HQ), "PATCH", "{\"status\":\"boarded\"}",
                         "/api/v1/transports/%s/manifest/%s", tid,
                         h_gets(m->json, h_str("items[%d].id", i))),
                  200);
  }
  EXPECT_STATUS(s, h_call(s, h_as(s, H_HQ), "POST", NULL, "/api/v1/transports/%s/arrive", tid),
                200);
  return 0;
}

static void sitrep_json_figures_match_the_scenario(void **state) {
  h_server_t *s = *state;
  h_resp_t *r =
      h_call(s, h_as(s, H_HQ), "GET", NULL, "/api/v1/crises/%s/sitrep?format=json", sr.crisis);
  EXPECT_STATUS(s, r, 200);
  assert_string_equal(h_gets(r->json, "crisis.id"), sr.crisis);
  assert_string_equal(h_gets(r->json, "lang"), "vi");
  assert_int_equal(int_at(r->json, "people.in_area"), 5);
  assert_int_equal(int_at(r->json, "people.by_category.student"), 3);
  assert_int_equal(int_at(r->json, "people.by_category.worker"), 2);
  assert_int_equal(int_at(r->json, "people.by_status.repatriated"), 2);
  assert_int_equal(int_at(r->json, "people.by_status.needs_assistance"), 1);
  assert_int_equal(int_at(r->json, "people.by_status.unknown"), 2);
  assert_int_equal(int_at(r->json, "people.accounted_for"), 3);
  /* Only the crisis's two cases count, each in its type. */
  assert_int_equal(int_at(r->json, "cases.opened"), 2);
  assert_int_equal(int_at(r->json, "cases.opened_today"), 2);
  assert_int_equal(int_at(r->json, "cases.resolved"), 1);
  assert_int_equal(int_at(r->json, "cases.open"), 1);
  assert_int_equal(int_at(r->json, "cases.by_type.medical.resolved"), 1);
  assert_int_equal(int_at(r->json, "cases.by_type.lost_documents.open"), 1);
  assert_int_equal(int_at(r->json, "cases.by_type.financial.opened"), 0);
  assert_int_equal(int_at(r->json, "moved_to_safety.total"), 1);
  assert_int_equal(int_at(r->json, "moved_to_safety.today"), 1);
  assert_int_equal(int_at(r->json, "repatriated.total"), 2);
  assert_int_equal(int_at(r->json, "repatriated.today"), 2);
  assert_int_equal(int_at(r->json, "repatriated.partner_nationals"), 1);
  assert_int_equal(int_at(r->json, "repatriated.transports"), 1);
  assert_int_equal(int_at(r->json, "evacuated.total"), 0);
  assert_int_equal(json_array_size(h_get(r->json, "transports")), 1);
  assert_string_equal(h_gets(r->json, "transports[0].reference"), "VN-KW1");
  assert_int_equal(int_at(r->json, "transports[0].arrived"), 3);
  assert_int_equal(int_at(r->json, "transports[0].arrived_citizens"), 2);
  /* The day's status changes are in the series. */
  json_t *series = h_get(r->json, "series");
  assert_true(json_array_size(series) >= 1);
  json_t *last = json_array_get(series, json_array_size(series) - 1);
  assert_true(int_at(last, "by_status.repatriated") >= 2);
  /* The sentences a spokesperson reads out. */
  assert_true(some_string_has(r->json, "statements", "trong số 5 công dân"));
  assert_true(some_string_has(r->json, "statements", "2 công dân đã về nước an toàn trên 1 chuyến"));
  assert_true(some_string_has(r->json, "statements", "cùng 1 công dân nước khác"));
  assert_true(some_string_has(r->json, "statements", "1 công dân đã được đưa đến nơi an toàn"));
  assert_true(some_string_has(r->json, "statements", "tiếp nhận 2 vụ việc"));
}

static void sitrep_english_sentences_on_lang_en(void **state) {
  h_server_t *s = *state;
  h_resp_t *r = h_call(s, h_as(s, H_HQ), "GET", NULL, "/api/v1/crises/%s/sitrep?lang=en",
                       sr.crisis);
  EXPECT_STATUS(s, r, 200);
  assert_string_equal(h_gets(r->json, "lang"), "en");
  assert_true(some_string_has(r->json, "statements", "So far, of the 5 citizens in the area"));
  assert_true(some_string_has(r->json, "statements",
                              "2 citizens have been brought home safely on 1 transport"));
  assert_false(some_string_has(r->json, "statements", "công dân"));
}

static void sitrep_csv_has_bom_crlf_and_vietnamese_intact(void **state) {
  h_server_t *s = *state;
  h_resp_t *r = h_call(s, h_as(s, H_HQ), "GET", NULL, "/api/v1/crises/%s/sitrep?format=csv",
                       sr.crisis);
  EXPECT_STATUS(s, r, 200);
  assert_non_null(strstr(h_header(r, "Content-Type"), "text/csv"));
  assert_non_null(strstr(h_header(r, "Content-Type"), "utf-8"));
  assert_non_null(strstr(h_header(r, "Content-Disposition"), ".csv"));
  /* A spreadsheet takes UTF-8 only with the byte-order mark. */
  assert_true(r->len > 3 && memcmp(r->body, "\xEF\xBB\xBF", 3) == 0);
  assert_true(csv_field_valid_utf8(r->body, r->len));
  assert_non_null(strstr(r->body, "\r\n"));
  /* Read back as a spreadsheet would: the statement with its Vietnamese text, and the figures. */
  csv_reader_t *rd = NULL;
  assert_int_equal(csv_reader_open_mem(r->body, r->len, NULL, &rd), BH_OK);
  csv_row_t row;
  int found_statement = 0, found_repatriated = 0, rows = 0;
  while (csv_read_row(rd, &row) == BH_OK) {
    rows++;
    assert_int_equal(row.count, 4);
    if (rows == 1) {
      assert_true(row.len[0] == strlen("Mục") && memcmp(row.field[0], "Mục", row.len[0]) == 0);
    }
    if (field_has(row.field[1], row.len[1], "về nước an toàn")) found_statement = 1;
    if (row.len[0] == strlen("Đã về nước") && memcmp(row.field[0], "Đã về nước", row.len[0]) == 0 &&
        row.len[1] == strlen("Số người") && memcmp(row.field[1], "Số người", row.len[1]) == 0) {
      assert_true(row.len[3] == 1 && row.field[3][0] == '2');
      found_repatriated = 1;
    }
  }
  csv_reader_free(rd);
  assert_true(rows > 10);
  assert_true(found_statement);
  assert_true(found_repatriated);
}

static void sitrep_html_is_a_printable_page_without_script(void **state) {
  h_server_t *s = *state;
  h_resp_t *r = h_call(s, h_as(s, H_VIEWER), "GET", NULL,
                       "/api/v1/crises/%s/sitrep?format=html&lang=vi", sr.crisis);
  EXPECT_STATUS(s, r, 200);
  assert_non_null(strstr(h_header(r, "Content-Type"), "text/html"));
  assert_non_null(strstr(h_header(r, "Content-Security-Policy"), "default-src 'none'"));
  assert_non_null(strstr(r->body, "<html lang=\"vi\""));
  assert_non_null(strstr(r->body, "Báo cáo tình hình"));
  assert_non_null(strstr(r->body, "Khủng hoảng Kuwait"));
  assert_non_null(strstr(r->body, "VN-KW1"));
  assert_non_null(strstr(r->body, "/assets/css/sitrep.css"));
  assert_null(strstr(r->body, "<script"));
  /* Names from the registry are never in a report (aggregates only). */
  assert_null(strstr(r->body, "Nguyễn Văn Một"));
  h_resp_t *css = h_call(s, NULL, "GET", NULL, "/assets/css/sitrep.css");
  EXPECT_STATUS(s, css, 200);
  assert_non_null(strstr(css->body, "A4"));
  h_resp_t *en = h_call(s, h_as(s, H_HQ), "GET", NULL,
                        "/api/v1/crises/%s/sitrep?format=html&lang=en", sr.crisis);
  EXPECT_STATUS(s, en, 200);
  assert_non_null(strstr(en->body, "<html lang=\"en\""));
  assert_non_null(strstr(en->body, "Situation report"));
  assert_null(strstr(en->body, "Báo cáo"));
}

static void sitrep_html_writes_dates_in_the_readers_convention(void **state) {
  h_server_t *s = *state;
  const h_auth_t *hq = h_as(s, H_HQ);
  h_resp_t *vi = h_call(s, hq, "GET", NULL,
                        "/api/v1/crises/%s/sitrep?format=html&lang=vi&day=2020-01-05", sr.crisis);
  EXPECT_STATUS(s, vi, 200);
  assert_non_null(strstr(vi->body, "05/01/2020"));
  /* English names the month, so that nobody reads 5 January as 1 May. */
  h_resp_t *en = h_call(s, hq, "GET", NULL,
                        "/api/v1/crises/%s/sitrep?format=html&lang=en&day=2020-01-05", sr.crisis);
  EXPECT_STATUS(s, en, 200);
  assert_non_null(strstr(en->body, "5 Jan 2020"));
  assert_null(strstr(en->body, "2020-01-05"));
}

static void sitrep_refuses_bad_parameters_naming_them(void **state) {
  h_server_t *s = *state;
  const h_auth_t *hq = h_as(s, H_HQ);
  EXPECT_ERROR(s, h_call(s, hq, "GET", NULL, "/api/v1/crises/%s/sitrep?format=pdf", sr.crisis),
               422, "validation_failed", "format");
  EXPECT_ERROR(s, h_call(s, hq, "GET", NULL, "/api/v1/crises/%s/sitrep?lang=fr", sr.crisis), 422,
               "validation_failed", "lang");
  EXPECT_ERROR(s, h_call(s, hq, "GET", NULL, "/api/v1/crises/%s/sitrep?day=2023-13-01", sr.crisis),
               422, "validation_failed", "day");
  EXPECT_ERROR(s, h_call(s, hq, "GET", NULL, "/api/v1/crises/%s/sitrep?day=2999-01-01", sr.crisis),
               422, "validation_failed", "day");
  EXPECT_ERROR(s, h_call(s, hq, "GET", NULL, "/api/v1/crises/AAAAAAAAAAAA/sitrep"), 404, "not_found",
               NULL);
}

static void sitrep_of_an_earlier_day_counts_nothing_today(void **state) {
  h_server_t *s = *state;
  h_resp_t *r = h_call(s, h_as(s, H_HQ), "GET", NULL, "/api/v1/crises/%s/sitrep?day=2020-01-01",
                       sr.crisis);
  EXPECT_STATUS(s, r, 200);
  assert_string_equal(h_gets(r->json, "day"), "2020-01-01");
  /* Nothing happened on that day; what happened since still counts since the start. */
  assert_int_equal(int_at(r->json, "cases.opened_today"), 0);
  assert_int_equal(int_at(r->json, "cases.opened"), 2);
  assert_int_equal(int_at(r->json, "moved_to_safety.today"), 0);
  assert_int_equal(int_at(r->json, "repatriated.today"), 0);
}

static void sitrep_readable_by_viewer_but_not_by_another_jurisdiction(void **state) {
  h_server_t *s = *state;
  EXPECT_STATUS(s, h_call(s, h_as(s, H_VIEWER), "GET", NULL, "/api/v1/crises/%s/sitrep", sr.crisis),
                200);
  EXPECT_ERROR(s, h_call(s, h_as(s, H_MYANMAR), "GET", NULL, "/api/v1/crises/%s/sitrep", sr.crisis),
               404, "not_found", NULL);
  EXPECT_ERROR(s, h_call(s, NULL, "GET", NULL, "/api/v1/crises/%s/sitrep", sr.crisis), 401,
               "unauthenticated", NULL);
}

int api_sitrep_tests(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(sitrep_json_figures_match_the_scenario),
      cmocka_unit_test(sitrep_english_sentences_on_lang_en),
      cmocka_unit_test(sitrep_csv_has_bom_crlf_and_vietnamese_intact),
      cmocka_unit_test(sitrep_html_is_a_printable_page_without_script),
      cmocka_unit_test(sitrep_html_writes_dates_in_the_readers_convention),
      cmocka_unit_test(sitrep_refuses_bad_parameters_naming_them),
      cmocka_unit_test(sitrep_of_an_earlier_day_counts_nothing_today),
      cmocka_unit_test(sitrep_readable_by_viewer_but_not_by_another_jurisdiction),
  };
  return cmocka_run_group_tests_name("sitrep", tests, sr_setup, h_group_teardown);
}
