/*
 * test_session.c - logging in and out, the session cookie, API tokens (from the API and from
 * the CLI), and the limit on failed logins.
 */
#include <stdio.h>
#include <string.h>

#include "harness.h"

static void session_create_sets_httponly_samesite_strict_cookie(void **state) {
  h_server_t *s = *state;
  h_resp_t *r =
      h_call(s, NULL, "POST", "{\"email\":\"hq@baoho.example\",\"password\":\"demo-hq-2023\"}",
             "/api/v1/session");
  EXPECT_STATUS(s, r, 201);
  const char *c = h_header(r, "Set-Cookie");
  assert_non_null(c);
  assert_true(strncmp(c, "baoho_session=", 14) == 0);
  assert_non_null(strstr(c, "HttpOnly"));
  assert_non_null(strstr(c, "SameSite=Strict"));
  assert_non_null(strstr(c, "Path=/"));
  assert_string_equal(h_gets(r->json, "user.email"), "hq@baoho.example");
  assert_string_equal(h_gets(r->json, "user.role"), "hq");
  assert_null(h_get(r->json, "user.pwhash"));
  assert_null(h_get(r->json, "user.password"));
}

static void session_get_returns_the_logged_in_user(void **state) {
  h_server_t *s = *state;
  h_resp_t *r = h_call(s, h_as(s, H_ISRAEL), "GET", NULL, "/api/v1/session");
  EXPECT_STATUS(s, r, 200);
  assert_string_equal(h_gets(r->json, "user.email"), "israel@baoho.example");
  assert_string_equal(h_gets(r->json, "user.role"), "officer");
  assert_non_null(h_gets(r->json, "user.mission"));
}

static void session_delete_ends_the_session(void **state) {
  h_server_t *s = *state;
  h_auth_t a;
  h_login(s, "viewer@baoho.example", "demo-viewer-2023", &a);
  EXPECT_STATUS(s, h_call(s, &a, "GET", NULL, "/api/v1/session"), 200);
  h_resp_t *r = h_call(s, &a, "DELETE", NULL, "/api/v1/session");
  EXPECT_STATUS(s, r, 200);
  const char *c = h_header(r, "Set-Cookie");
  assert_non_null(c);
  assert_non_null(strstr(c, "Max-Age=0"));
  EXPECT_ERROR(s, h_call(s, &a, "GET", NULL, "/api/v1/session"), 401, "unauthenticated", NULL);
  EXPECT_ERROR(s, h_call(s, &a, "GET", NULL, "/api/v1/stats/persons"), 401, "unauthenticated",
               NULL);
}

static void session_create_with_wrong_password_is_401(void **state) {
  h_server_t *s = *state;
  h_resp_t *r = h_call(s, NULL, "POST",
                       "{\"email\":\"admin@baoho.example\",\"password\":\"not-the-password\"}",
                       "/api/v1/session");
  EXPECT_ERROR(s, r, 401, "unauthenticated", NULL);
  assert_null(h_header(r, "Set-Cookie"));
}

static void unauthenticated_request_is_401(void **state) {
  h_server_t *s = *state;
  EXPECT_ERROR(s, h_call(s, NULL, "GET", NULL, "/api/v1/session"), 401, "unauthenticated", NULL);
  EXPECT_ERROR(s, h_call(s, NULL, "GET", NULL, "/api/v1/persons"), 401, "unauthenticated", NULL);
}

static void garbage_session_cookie_is_401(void **state) {
  h_server_t *s = *state;
  h_auth_t a = {0};
  snprintf(a.cookie, sizeof(a.cookie), "%s", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
  EXPECT_ERROR(s, h_call(s, &a, "GET", NULL, "/api/v1/session"), 401, "unauthenticated", NULL);
  snprintf(a.cookie, sizeof(a.cookie), "%s", "short");
  EXPECT_ERROR(s, h_call(s, &a, "GET", NULL, "/api/v1/session"), 401, "unauthenticated", NULL);
}

static void garbage_bearer_token_is_401(void **state) {
  h_server_t *s = *state;
  h_auth_t a = {0};
  /* The right length but never issued, then the wrong length. */
  snprintf(a.bearer, sizeof(a.bearer), "%s", "BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB");
  EXPECT_ERROR(s, h_call(s, &a, "GET", NULL, "/api/v1/session"), 401, "unauthenticated", NULL);
  snprintf(a.bearer, sizeof(a.bearer), "%s", "nope");
  EXPECT_ERROR(s, h_call(s, &a, "GET", NULL, "/api/v1/session"), 401, "unauthenticated", NULL);
  /* Not the Bearer scheme at all. */
  h_req_t rq = {.method = "GET",
                .path = "/api/v1/session",
                .headers = {"Authorization: Basic YWRtaW46YWRtaW4="}};
  EXPECT_ERROR(s, h_do(s, &rq), 401, "unauthenticated", NULL);
}

static void a_bad_bearer_token_is_not_rescued_by_a_good_cookie(void **state) {
  h_server_t *s = *state;
  h_auth_t a = *h_as(s, H_ADMIN);
  snprintf(a.bearer, sizeof(a.bearer), "%s", "CCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCC");
  EXPECT_ERROR(s, h_call(s, &a, "GET", NULL, "/api/v1/session"), 401, "unauthenticated", NULL);
}

static void token_create_gives_a_bearer_token_that_authenticates(void **state) {
  h_server_t *s = *state;
  h_resp_t *r = h_call(s, h_as(s, H_MYANMAR), "POST", "{\"name\":\"laptop\"}", "/api/v1/tokens");
  EXPECT_STATUS(s, r, 201);
  const char *token = h_gets(r->json, "token");
  assert_non_null(token);
  assert_int_equal(strlen(token), 43);
  h_auth_t b = {0};
  snprintf(b.bearer, sizeof(b.bearer), "%s", token);
  h_resp_t *who = h_call(s, &b, "GET", NULL, "/api/v1/session");
  EXPECT_STATUS(s, who, 200);
  assert_string_equal(h_gets(who->json, "user.email"), "myanmar@baoho.example");
  EXPECT_STATUS(s, h_call(s, &b, "GET", NULL, "/api/v1/persons?limit=1"), 200);
}

static void cli_user_add_and_token_create_give_working_credentials(void **state) {
  h_server_t *s = *state;
  char out[1024];
  int rc = h_cli("cli-officer-pass-123\n", out, sizeof(out), "user", "add", "--email",
                 "cli.officer@baoho.example", "--name", "Officer From CLI", "--role", "officer",
                 "--mission", "Đại sứ quán Việt Nam tại Israel", "--db", s->db, NULL);
  assert_int_equal(rc, 0);
  h_auth_t a;
  h_login(s, "cli.officer@baoho.example", "cli-officer-pass-123", &a);
  h_resp_t *who = h_call(s, &a, "GET", NULL, "/api/v1/session");
  EXPECT_STATUS(s, who, 200);
  assert_string_equal(h_gets(who->json, "user.role"), "officer");

  rc = h_cli(NULL, out, sizeof(out), "token", "create", "--email", "cli.officer@baoho.example",
             "--name", "cli test", "--db", s->db, NULL);
  assert_int_equal(rc, 0);
  out[strcspn(out, "\r\n")] = '\0';
  assert_int_equal(strlen(out), 43);
  h_auth_t b = {0};
  snprintf(b.bearer, sizeof(b.bearer), "%s", out);
  who = h_call(s, &b, "GET", NULL, "/api/v1/session");
  EXPECT_STATUS(s, who, 200);
  assert_string_equal(h_gets(who->json, "user.email"), "cli.officer@baoho.example");
  /* The officer of the Israel mission sees people in Israel. */
  h_resp_t *list = h_call(s, &b, "GET", NULL, "/api/v1/persons?country=IL&limit=1");
  EXPECT_STATUS(s, list, 200);
  assert_int_equal(json_array_size(h_get(list->json, "items")), 1);
}

static void cli_user_add_refuses_a_duplicate_email(void **state) {
  h_server_t *s = *state;
  char out[256];
  int rc = h_cli("another-password-1\n", out, sizeof(out), "user", "add", "--email",
                 "admin@baoho.example", "--name", "Twin", "--role", "viewer", "--db", s->db, NULL);
  assert_int_not_equal(rc, 0);
}

static void repeated_failed_logins_are_429_and_audited(void **state) {
  h_server_t *s = *state;
  EXPECT_STATUS(s,
                h_call(s, h_as(s, H_ADMIN), "POST",
                       "{\"email\":\"locked@baoho.example\",\"name\":\"Locked Out\","
                       "\"role\":\"viewer\",\"password\":\"right-password-1\"}",
                       "/api/v1/users"),
                201);
  const char *bad = "{\"email\":\"locked@baoho.example\",\"password\":\"wrong-password\"}";
  for (int i = 0; i < 5; i++) {
    EXPECT_ERROR(s, h_call(s, NULL, "POST", bad, "/api/v1/session"), 401, "unauthenticated", NULL);
  }
  h_resp_t *r = h_call(s, NULL, "POST", bad, "/api/v1/session");
  EXPECT_ERROR(s, r, 429, "rate_limited", NULL);
  assert_non_null(h_header(r, "Retry-After"));
  /* Once blocked, even the right password is refused. */
  EXPECT_ERROR(s,
               h_call(s, NULL, "POST",
                      "{\"email\":\"locked@baoho.example\",\"password\":\"right-password-1\"}",
                      "/api/v1/session"),
               429, "rate_limited", NULL);
  h_resp_t *audit = h_call(s, h_as(s, H_ADMIN), "GET", NULL, "/api/v1/audit?limit=500");
  EXPECT_STATUS(s, audit, 200);
  int failed = 0, blocked = 0;
  size_t i;
  json_t *e;
  json_array_foreach(h_get(audit->json, "items"), i, e) {
    const char *action = h_gets(e, "action");
    if (action && strcmp(action, "session.login_failed") == 0) failed++;
    if (action && strcmp(action, "session.login_blocked") == 0) blocked++;
  }
  assert_true(failed >= 5);
  assert_true(blocked >= 1);
}

int api_session_tests(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(session_create_sets_httponly_samesite_strict_cookie),
      cmocka_unit_test(session_get_returns_the_logged_in_user),
      cmocka_unit_test(session_delete_ends_the_session),
      cmocka_unit_test(session_create_with_wrong_password_is_401),
      cmocka_unit_test(unauthenticated_request_is_401),
      cmocka_unit_test(garbage_session_cookie_is_401),
      cmocka_unit_test(garbage_bearer_token_is_401),
      cmocka_unit_test(a_bad_bearer_token_is_not_rescued_by_a_good_cookie),
      cmocka_unit_test(token_create_gives_a_bearer_token_that_authenticates),
      cmocka_unit_test(cli_user_add_and_token_create_give_working_credentials),
      cmocka_unit_test(cli_user_add_refuses_a_duplicate_email),
      cmocka_unit_test(repeated_failed_logins_are_429_and_audited),
  };
  return cmocka_run_group_tests_name("session", tests, h_group_setup, h_group_teardown);
}
