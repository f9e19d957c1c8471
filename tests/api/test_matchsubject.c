/*
 * test_matchsubject.c - the subject of a missing-person case (issue 6): its name, sex, date of
 * birth, province and identity number are taken by case create and update (checked at the
 * boundary, errors naming the field), returned with the case (the number canonical, sealed at
 * rest), and used by list matching, so that a list row agreeing with the subject's date of birth
 * ranks that case above a namesake case that knows only the name; and an upload retried with the
 * same idempotency key creates one list.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

/* A case body with the subject given (a printf format of one %s). */
#define MS_SUBJECT_BODY "{\"type\":\"missing_person_report\",\"summary\":\"x\",\"subject\":%s}"
#define MS_LIST "/api/v1/lists?title=Released&source=Myanmar%20police&country=MM"

/* Opens a missing-person case of the Myanmar mission with the given fields; returns its id. */
static const char *ms_case(h_server_t *s, const char *fields) {
  h_resp_t *r = h_call(s, h_as(s, H_MYANMAR), "POST",
                       h_str("{\"type\":\"missing_person_report\",\"summary\":\"Mất liên lạc\",%s}",
                             fields),
                       "/api/v1/cases");
  EXPECT_STATUS(s, r, 201);
  return h_gets(r->json, "id");
}

/* Uploads csv as the Myanmar officer, with an Idempotency-Key unless idem_key is NULL. */
static h_resp_t *ms_upload(h_server_t *s, const char *csv, const char *idem_key) {
  h_req_t rq = {.method = "POST", .path = MS_LIST, .raw = csv, .raw_len = strlen(csv),
                .content_type = "text/csv", .auth = h_as(s, H_MYANMAR)};
  if (idem_key != NULL) rq.headers[0] = h_str("Idempotency-Key: %s", idem_key);
  return h_do(s, &rq);
}

/* The first row of list id as the Myanmar officer. */
static json_t *ms_first_row(h_server_t *s, const char *id) {
  h_resp_t *r = h_call(s, h_as(s, H_MYANMAR), "GET", NULL, "/api/v1/lists/%s/rows", id);
  EXPECT_STATUS(s, r, 200);
  return h_get(r->json, "items[0]");
}

/* The probability of case kid among the candidates of row, or -1 when it is not one. */
static double ms_case_probability(json_t *row, const char *kid, int *rank /* OUT */) {
  size_t i;
  json_t *c;
  json_array_foreach(h_get(row, "candidates"), i, c) {
    const char *id = json_string_value(h_get(c, "case.id"));
    if (strcmp(h_gets(c, "kind"), "case") == 0 && id && strcmp(id, kid) == 0) {
      if (rank) *rank = (int)i;
      return json_number_value(h_get(c, "probability"));
    }
  }
  return -1;
}

static void cases_subject_is_returned_canonical_and_replaced_by_update(void **state) {
  h_server_t *s = *state;
  const char *kid = ms_case(s, "\"caller\":{\"name\":\"Lò Thị Mai\",\"relation\":\"mẹ\"},"
                               "\"subject\":{\"full_name\":\"Lò Văn Pấng\",\"sex\":\"M\","
                               "\"date_of_birth\":\"1996-03\",\"home_province\":\"Điện Biên\","
                               "\"id_number\":\"c 765-4321\"}");
  h_resp_t *r = h_call(s, h_as(s, H_MYANMAR), "GET", NULL, "/api/v1/cases/%s", kid);
  EXPECT_STATUS(s, r, 200);
  assert_string_equal(h_gets(r->json, "subject.full_name"), "Lò Văn Pấng");
  assert_string_equal(h_gets(r->json, "subject.sex"), "M");
  assert_string_equal(h_gets(r->json, "subject.date_of_birth"), "1996-03");
  assert_string_equal(h_gets(r->json, "subject.home_province"), "Điện Biên");
  assert_string_equal(h_gets(r->json, "subject.id_number"), "C7654321");
  assert_string_equal(h_gets(r->json, "caller.name"), "Lò Thị Mai");
  /* An update replaces the subject as a whole and says so on the timeline. */
  r = h_call(s, h_as(s, H_MYANMAR), "PATCH", "{\"subject\":{\"full_name\":\"Lò Văn Pấng\"}}",
             "/api/v1/cases/%s", kid);
  EXPECT_STATUS(s, r, 200);
  assert_true(json_is_null(h_get(r->json, "subject.date_of_birth")));
  assert_true(json_is_null(h_get(r->json, "subject.id_number")));
  int said = 0;
  size_t i;
  json_t *e;
  json_array_foreach(h_get(r->json, "timeline"), i, e) {
    if (strcmp(h_gets(e, "kind"), "updated") == 0 &&
        strcmp(json_string_value(h_get(e, "detail.fields[0]")), "subject") == 0)
      said = 1;
  }
  assert_true(said);
  r = h_call(s, h_as(s, H_MYANMAR), "PATCH", "{\"subject\":null}", "/api/v1/cases/%s", kid);
  EXPECT_STATUS(s, r, 200);
  assert_true(json_is_null(h_get(r->json, "subject")));
  /* Another mission's officer does not see the case, subject included. */
  EXPECT_STATUS(s, h_call(s, h_as(s, H_ISRAEL), "GET", NULL, "/api/v1/cases/%s", kid), 404);
}

static void cases_subject_refusals_name_the_field(void **state) {
  h_server_t *s = *state;
  const h_auth_t *mm = h_as(s, H_MYANMAR);
  EXPECT_ERROR(s, h_call(s, mm, "POST", h_str(MS_SUBJECT_BODY, "{\"date_of_birth\":\"03/1996\"}"), "/api/v1/cases"),
               422, "validation_failed", "subject.date_of_birth");
  EXPECT_ERROR(s, h_call(s, mm, "POST", h_str(MS_SUBJECT_BODY, "{\"date_of_birth\":\"2999-01-01\"}"), "/api/v1/cases"),
               422, "validation_failed", "subject.date_of_birth");
  EXPECT_ERROR(s, h_call(s, mm, "POST", h_str(MS_SUBJECT_BODY, "{\"sex\":\"male\"}"), "/api/v1/cases"), 422,
               "validation_failed", "subject.sex");
  EXPECT_ERROR(s, h_call(s, mm, "POST", h_str(MS_SUBJECT_BODY, "{\"id_number\":\"--\"}"), "/api/v1/cases"), 422,
               "validation_failed", "subject.id_number");
  EXPECT_ERROR(s, h_call(s, mm, "POST", h_str(MS_SUBJECT_BODY, "{\"full_name\":\"***\"}"), "/api/v1/cases"), 422,
               "validation_failed", "subject.full_name");
  EXPECT_ERROR(s, h_call(s, mm, "POST", h_str(MS_SUBJECT_BODY, "{\"nickname\":\"Tí\"}"), "/api/v1/cases"), 422,
               "validation_failed", "subject.nickname");
  EXPECT_ERROR(s, h_call(s, mm, "POST", h_str(MS_SUBJECT_BODY, "\"Lò Văn Pấng\""), "/api/v1/cases"), 422,
               "validation_failed", "subject");
  /* A subject alone says who the case is about. */
  EXPECT_STATUS(s, h_call(s, mm, "POST", h_str(MS_SUBJECT_BODY, "{\"full_name\":\"Lò Văn Pấng\"}"), "/api/v1/cases"),
                201);
}

static void lists_case_with_the_subjects_birth_date_ranks_above_a_namesake_case(void **state) {
  h_server_t *s = *state;
  const char *csv = "full_name,date_of_birth,sex\nVI VAN KHOAT,1991-07-14,M\n";
  /* The caller stands in for the subject: only the name is known. */
  const char *bare = ms_case(s, "\"caller\":{\"name\":\"Vì Văn Khoát\"}");
  /* The mother called: the subject's details are recorded on the case. */
  const char *known = ms_case(s, "\"caller\":{\"name\":\"Vì Thị Hoa\",\"relation\":\"mẹ\"},"
                                 "\"subject\":{\"full_name\":\"Vì Văn Khoát\",\"sex\":\"M\"}");
  h_resp_t *r = ms_upload(s, csv, NULL);
  EXPECT_STATUS(s, r, 201);
  json_t *row = ms_first_row(s, h_gets(r->json, "id"));
  /* Without the date both rank alike on the name; with it the subject's case goes first. */
  double p_known = ms_case_probability(row, known, NULL);
  assert_true(p_known >= 0);
  r = h_call(s, h_as(s, H_MYANMAR), "PATCH",
             "{\"subject\":{\"full_name\":\"Vì Văn Khoát\",\"sex\":\"M\",\"date_of_birth\":\"1991-07-14\"}}",
             "/api/v1/cases/%s", known);
  EXPECT_STATUS(s, r, 200);
  r = ms_upload(s, csv, NULL);
  EXPECT_STATUS(s, r, 201);
  row = ms_first_row(s, h_gets(r->json, "id"));
  int rank_known = -1, rank_bare = -1;
  double with_date = ms_case_probability(row, known, &rank_known);
  double namesake = ms_case_probability(row, bare, &rank_bare);
  assert_int_equal(rank_known, 0);
  assert_true(namesake < 0 || rank_bare > rank_known);
  assert_true(with_date > namesake);
  assert_true(with_date > p_known);
  json_t *c = json_array_get(h_get(row, "candidates"), 0);
  assert_string_equal(h_gets(c, "case.subject.full_name"), "Vì Văn Khoát");
  assert_string_equal(h_gets(c, "case.subject.date_of_birth"), "1991-07-14");
}

static void lists_case_subject_identity_number_is_a_strong_match(void **state) {
  h_server_t *s = *state;
  const char *kid = ms_case(s, "\"caller\":{\"name\":\"Sùng Thị Dua\"},"
                               "\"subject\":{\"full_name\":\"Sùng A Páo\",\"sex\":\"M\","
                               "\"date_of_birth\":\"1988\",\"id_number\":\"B1234567\"}");
  h_resp_t *r = ms_upload(s, "full_name,date_of_birth,sex,id_number\nSUNG A PAO,1988-02-02,M,B1234567\n",
                          NULL);
  EXPECT_STATUS(s, r, 201);
  json_t *row = ms_first_row(s, h_gets(r->json, "id"));
  json_t *c = json_array_get(h_get(row, "candidates"), 0);
  assert_non_null(c);
  assert_string_equal(h_gets(c, "case.id"), kid);
  assert_string_equal(h_gets(c, "band"), "strong");
  assert_string_equal(h_gets(c, "case.subject.id_number"), "B1234567");
}

static void lists_upload_retried_with_the_same_key_creates_one_list(void **state) {
  h_server_t *s = *state;
  const char *csv = "full_name,date_of_birth\nHA VAN CHU,1990-01-01\n";
  h_resp_t *a = ms_upload(s, csv, "ms-upload-retry-1");
  EXPECT_STATUS(s, a, 201);
  const char *id = h_gets(a->json, "id");
  h_resp_t *b = ms_upload(s, csv, "ms-upload-retry-1");
  EXPECT_STATUS(s, b, 201);
  assert_string_equal(h_gets(b->json, "id"), id);
  h_resp_t *all = h_call(s, h_as(s, H_MYANMAR), "GET", NULL, "/api/v1/lists?limit=500");
  EXPECT_STATUS(s, all, 200);
  size_t n = 0, i;
  json_t *l;
  json_array_foreach(h_get(all->json, "items"), i, l) {
    if (strcmp(h_gets(l, "id"), id) == 0) n++;
  }
  assert_int_equal(n, 1);
  /* The same key with another file is refused; nothing is created. */
  EXPECT_ERROR(s, ms_upload(s, "full_name\nHA THI MO\n", "ms-upload-retry-1"), 422,
               "idempotency_key_reused", "Idempotency-Key");
}

static void lists_upload_with_every_report_is_kept_under_its_key_and_replayed(void **state) {
  h_server_t *s = *state;
  /* 150 rows left out (an age that is no number) and 150 kept with a warning (no date). */
  size_t cap = 64 * 1024, len = 0;
  char *csv = malloc(cap);
  assert_non_null(csv);
  len += (size_t)snprintf(csv + len, cap - len, "full_name,age,date_of_birth\n");
  for (int i = 0; i < 150; i++) {
    len += (size_t)snprintf(csv + len, cap - len, "HA VAN BAD%d,old,\n", i);
    len += (size_t)snprintf(csv + len, cap - len, "HA VAN WARN%d,,unknown\n", i);
  }
  h_resp_t *a = ms_upload(s, csv, "ms-upload-reports-1");
  EXPECT_STATUS(s, a, 201);
  assert_int_equal(json_array_size(h_get(a->json, "errors")), 100);
  assert_int_equal(json_array_size(h_get(a->json, "warnings")), 100);
  assert_int_equal(json_integer_value(h_get(a->json, "bad_rows")), 150);
  h_resp_t *b = ms_upload(s, csv, "ms-upload-reports-1");
  free(csv);
  EXPECT_STATUS(s, b, 201);
  assert_string_equal(h_header(b, "Idempotent-Replayed"), "true");
  assert_string_equal(h_gets(b->json, "id"), h_gets(a->json, "id"));
  assert_int_equal(json_array_size(h_get(b->json, "warnings")), 100);
}

int api_matchsubject_tests(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(cases_subject_is_returned_canonical_and_replaced_by_update),
      cmocka_unit_test(cases_subject_refusals_name_the_field),
      cmocka_unit_test(lists_case_with_the_subjects_birth_date_ranks_above_a_namesake_case),
      cmocka_unit_test(lists_case_subject_identity_number_is_a_strong_match),
      cmocka_unit_test(lists_upload_retried_with_the_same_key_creates_one_list),
      cmocka_unit_test(lists_upload_with_every_report_is_kept_under_its_key_and_replayed),
  };
  return cmocka_run_group_tests_name("matchsubject", tests, h_group_setup, h_group_teardown);
}
