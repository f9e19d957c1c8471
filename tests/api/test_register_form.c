/*
 * test_register_form.c - self-registration without JavaScript (api_register_form.c): the page
 * /register with its countries and form token, the form post answered with the same page (the
 * private link, or the error next to its field in the page's language), and its CSRF defence
 * (the token must match the page's cookie).
 */
#include <string.h>

#include "harness.h"

#define FORM_TYPE "application/x-www-form-urlencoded"

/* A loaded form: the Cookie header line of its page and its token. */
typedef struct rf_form {
  const char *cookie; /* "Cookie: baoho_form=..." */
  const char *csrf;   /* 64 hex digits */
} rf_form_t;

/* GETs /register (path may carry ?lang=) and takes its cookie and token; fails otherwise. */
static rf_form_t rf_load(h_server_t *s, const char *path) {
  h_resp_t *r = h_call(s, NULL, "GET", NULL, "%s", path);
  EXPECT_STATUS(s, r, 200);
  const char *set = h_header(r, "Set-Cookie");
  assert_non_null(set);
  assert_non_null(strstr(set, "HttpOnly"));
  assert_non_null(strstr(set, "SameSite=Strict"));
  assert_non_null(strstr(set, "Path=/register"));
  const char *mark = strstr(r->body, "name=\"csrf\" value=\"");
  assert_non_null(mark);
  mark += strlen("name=\"csrf\" value=\"");
  assert_int_equal(strspn(mark, "0123456789abcdef"), 64);
  rf_form_t f = {.cookie = h_str("Cookie: %.*s", (int)strcspn(set, ";"), set),
                 .csrf = h_str("%.64s", mark)};
  return f;
}

/* POSTs the form body (the token is added first) with the cookie, or without when cookie NULL. */
static h_resp_t *rf_post(h_server_t *s, const char *cookie, const char *csrf, const char *fields,
                         const char *lang) {
  const char *body = h_str("csrf=%s&%s", csrf, fields);
  h_req_t rq = {.method = "POST",
                .path = lang ? h_str("/register?lang=%s", lang) : "/register",
                .raw = body,
                .raw_len = strlen(body),
                .content_type = FORM_TYPE,
                .headers = {cookie, NULL}};
  return h_do(s, &rq);
}

/* The manage token in an answered page (43 characters after /register/), or NULL. */
static const char *rf_manage_token(const h_resp_t *r) {
  const char *a = strstr(r->body, "id=\"manage-link\" href=\"");
  if (a == NULL) return NULL;
  a = strstr(a, "/register/");
  if (a == NULL) return NULL;
  a += strlen("/register/");
  return h_str("%.43s", a);
}

static void register_page_lists_countries_in_its_language_and_carries_a_form_token(void **state) {
  h_server_t *s = *state;
  rf_load(s, "/register");
  h_resp_t *vi = h_call(s, NULL, "GET", NULL, "/register");
  assert_non_null(strstr(vi->body, "<option value=\"JP\">Nhật Bản</option>"));
  assert_null(strstr(vi->body, "<option value=\"VN\""));
  assert_null(strstr(vi->body, "<!--baoho:"));
  assert_non_null(strstr(h_header(vi, "Content-Security-Policy"), "form-action 'self'"));
  assert_string_equal(h_header(vi, "Cache-Control"), "no-store");
  h_resp_t *en = h_call(s, NULL, "GET", NULL, "/register?lang=en");
  assert_non_null(strstr(en->body, "<option value=\"JP\">Japan</option>"));
  /* Two loads give two different tokens. */
  rf_form_t a = rf_load(s, "/register"), b = rf_load(s, "/register");
  assert_string_not_equal(a.csrf, b.csrf);
}

static void register_form_post_registers_and_answers_the_private_link(void **state) {
  h_server_t *s = *state;
  rf_form_t f = rf_load(s, "/register");
  h_resp_t *r = rf_post(s, f.cookie, f.csrf,
                        "full_name=%C4%90%E1%BB%97+V%C4%83n+Form&sex=M&date_of_birth=1991-04"
                        "&phones=%2B82+10+1111+2222%2C+%2B84+91+000+1111&emails="
                        "&country=KR&city=Busan&category=worker&from=2023-03-01&until=",
                        NULL);
  EXPECT_STATUS(s, r, 200);
  assert_non_null(strstr(h_header(r, "Content-Type"), "text/html"));
  assert_non_null(strstr(r->body, "<form id=\"register-form\" hidden"));
  const char *token = rf_manage_token(r);
  assert_non_null(token);
  assert_int_equal(strspn(token, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"), 43);
  h_resp_t *g = h_call(s, NULL, "GET", NULL, "/api/v1/public/registrations/%s", token);
  EXPECT_STATUS(s, g, 200);
  assert_string_equal(h_gets(g->json, "person.full_name"), "Đỗ Văn Form");
  assert_string_equal(h_gets(g->json, "person.phones[0]"), "+82 10 1111 2222");
  assert_string_equal(h_gets(g->json, "person.phones[1]"), "+84 91 000 1111");
  assert_null(h_get(g->json, "person.emails[0]"));
  assert_string_equal(h_gets(g->json, "presence.country"), "KR");
  assert_string_equal(h_gets(g->json, "presence.city"), "Busan");
  assert_string_equal(h_gets(g->json, "presence.from"), "2023-03-01");
  /* The answer carries a new token: posting the old page again is refused, not registered twice. */
  const char *set = h_header(r, "Set-Cookie");
  assert_non_null(set);
  assert_null(strstr(set, f.cookie + strlen("Cookie: ")));
}

/* The hidden idempotency key of a loaded page (43 characters), or NULL. */
static const char *rf_page_key(const h_resp_t *r) {
  const char *mark = strstr(r->body, "name=\"idempotency_key\" value=\"");
  if (mark == NULL) return NULL;
  mark += strlen("name=\"idempotency_key\" value=\"");
  return h_str("%.*s", (int)strcspn(mark, "\""), mark);
}

static void register_form_sent_twice_with_its_key_registers_once(void **state) {
  h_server_t *s = *state;
  rf_form_t f = rf_load(s, "/register");
  h_resp_t *page = h_call(s, NULL, "GET", NULL, "/register");
  const char *key = rf_page_key(page);
  assert_non_null(key);
  assert_true(strlen(key) >= 22);
  /* Two renderings carry two keys: a reloaded page registers anew. */
  assert_string_not_equal(key, rf_page_key(h_call(s, NULL, "GET", NULL, "/register")));
  const char *fields = h_str("full_name=Hai+L%%E1%%BA%%A7n+B%%E1%%BA%%A5m&country=KR&category=worker"
                             "&idempotency_key=%s", key);
  h_resp_t *first = rf_post(s, f.cookie, f.csrf, fields, NULL);
  EXPECT_STATUS(s, first, 200);
  const char *link = rf_manage_token(first);
  assert_non_null(link);
  assert_null(h_header(first, "Idempotent-Replayed"));
  /* The same form again (a double tap, or a resend after a lost answer): the same page and link. */
  h_resp_t *again = rf_post(s, f.cookie, f.csrf, fields, NULL);
  EXPECT_STATUS(s, again, 200);
  assert_string_equal(h_header(again, "Idempotent-Replayed"), "true");
  assert_string_equal(rf_manage_token(again), link);
  /* Without the key the same form registers a second time (what the key prevents). */
  h_resp_t *nokey = rf_post(s, f.cookie, f.csrf,
                            "full_name=Hai+L%E1%BA%A7n+B%E1%BA%A5m&country=KR&category=worker", NULL);
  EXPECT_STATUS(s, nokey, 200);
  assert_string_not_equal(rf_manage_token(nokey), link);
}

static void register_form_without_the_cookie_of_its_page_is_refused(void **state) {
  h_server_t *s = *state;
  rf_form_t f = rf_load(s, "/register");
  const char *fields = "full_name=Gi%E1%BA%A3+M%E1%BA%A1o&country=KR&category=worker";
  h_resp_t *r = rf_post(s, NULL, f.csrf, fields, NULL);
  EXPECT_STATUS(s, r, 403);
  assert_non_null(strstr(r->body, "Biểu mẫu đã hết hạn"));
  assert_null(rf_manage_token(r));
  rf_form_t other = rf_load(s, "/register");
  r = rf_post(s, other.cookie, f.csrf, fields, NULL); /* a token of another page */
  EXPECT_STATUS(s, r, 403);
  r = rf_post(s, f.cookie, "00", fields, NULL);
  EXPECT_STATUS(s, r, 403);
  r = rf_post(s, f.cookie, f.csrf, fields, NULL);
  EXPECT_STATUS(s, r, 200);
  assert_non_null(rf_manage_token(r));
}

static void register_form_shows_the_error_next_to_its_field_with_what_was_typed(void **state) {
  h_server_t *s = *state;
  rf_form_t f = rf_load(s, "/register");
  h_resp_t *r = rf_post(s, f.cookie, f.csrf,
                        "full_name=L%C3%AA+Th%E1%BB%8B+Sai&date_of_birth=1990-13-45&sex=F"
                        "&country=JP&category=student",
                        NULL);
  EXPECT_STATUS(s, r, 422);
  assert_non_null(strstr(r->body, "id=\"r-date_of_birth\" aria-invalid=\"true\" autofocus"));
  assert_non_null(strstr(r->body, "<p class=\"field-error\" id=\"r-date_of_birth-error\">Ngày viết dạng"));
  assert_non_null(strstr(r->body, "id=\"r-full_name\" value=\"Lê Thị Sai\""));
  assert_non_null(strstr(r->body, "<option value=\"F\" selected>"));
  assert_non_null(strstr(r->body, "<option value=\"JP\" selected>"));
  assert_non_null(strstr(r->body, "<option value=\"student\" selected>"));
  assert_null(rf_manage_token(r));

  /* In English, a missing country; then an end before the start. */
  f = rf_load(s, "/register?lang=en");
  r = rf_post(s, f.cookie, f.csrf, "full_name=Le+Thi+Sai&category=student", "en");
  EXPECT_STATUS(s, r, 422);
  assert_non_null(strstr(r->body, "id=\"r-country\" aria-invalid=\"true\""));
  assert_non_null(strstr(r->body, "<p class=\"field-error\" id=\"r-country-error\">This is required."));
  f = rf_load(s, "/register?lang=en");
  r = rf_post(s, f.cookie, f.csrf,
              "full_name=Le+Thi+Sai&country=JP&category=student&from=2023-05-01&until=2023-04-01",
              "en");
  EXPECT_STATUS(s, r, 422);
  assert_non_null(strstr(r->body, "<p class=\"field-error\" id=\"r-until-error\">The end date must not be before the start date."));
  /* Markup typed into a field comes back as text. */
  f = rf_load(s, "/register");
  r = rf_post(s, f.cookie, f.csrf, "full_name=%3Cscript%3Ex%3C%2Fscript%3E&date_of_birth=x", NULL);
  EXPECT_STATUS(s, r, 422);
  assert_null(strstr(r->body, "<script>x"));
  assert_non_null(strstr(r->body, "&lt;script&gt;x&lt;/script&gt;"));
}

static void register_form_takes_only_a_well_formed_urlencoded_body(void **state) {
  h_server_t *s = *state;
  rf_form_t f = rf_load(s, "/register");
  h_req_t rq = {.method = "POST", .path = "/register", .json = "{\"full_name\":\"x\"}",
                .headers = {f.cookie, NULL}};
  EXPECT_ERROR(s, h_do(s, &rq), 415, "unsupported_media_type", NULL);
  h_resp_t *r = rf_post(s, f.cookie, f.csrf, "full_name=%zz", NULL);
  EXPECT_STATUS(s, r, 422);
  r = rf_post(s, f.cookie, f.csrf, "full_name=a&full_name=b", NULL);
  EXPECT_STATUS(s, r, 422);
  r = rf_post(s, f.cookie, f.csrf, "owner_mission=x&full_name=a", NULL);
  EXPECT_STATUS(s, r, 422);
  assert_null(rf_manage_token(r));
}

int api_register_form_tests(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(register_page_lists_countries_in_its_language_and_carries_a_form_token),
      cmocka_unit_test(register_form_post_registers_and_answers_the_private_link),
      cmocka_unit_test(register_form_sent_twice_with_its_key_registers_once),
      cmocka_unit_test(register_form_without_the_cookie_of_its_page_is_refused),
      cmocka_unit_test(register_form_shows_the_error_next_to_its_field_with_what_was_typed),
      cmocka_unit_test(register_form_takes_only_a_well_formed_urlencoded_body),
  };
  return cmocka_run_group_tests_name("register_form", tests, h_group_setup, h_group_teardown);
}
