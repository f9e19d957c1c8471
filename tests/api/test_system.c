/* test_system.c - /healthz, /metrics, and how the router answers what it does not know. */
#include <string.h>
#include <unistd.h>

#include "harness.h"

static void healthz_reports_ok_with_schema_version(void **state) {
  h_server_t *s = *state;
  h_resp_t *r = h_call(s, NULL, "GET", NULL, "/healthz");
  EXPECT_STATUS(s, r, 200);
  assert_string_equal(h_gets(r->json, "status"), "ok");
  assert_string_equal(h_gets(r->json, "database"), "ok");
  assert_true(json_integer_value(h_get(r->json, "schema_version")) >= 1);
}

static void metrics_is_prometheus_text_counting_requests(void **state) {
  h_server_t *s = *state;
  EXPECT_STATUS(s, h_call(s, NULL, "GET", NULL, "/healthz"), 200);
  /* A request is counted when its response has been sent, which may be a moment after the
   * client has read it: ask again for up to a second before concluding it was not counted. */
  h_resp_t *r = NULL;
  for (int i = 0; i < 20; i++) {
    r = h_call(s, NULL, "GET", NULL, "/metrics");
    EXPECT_STATUS(s, r, 200);
    if (strstr(r->body, "baoho_http_requests_total{route=\"healthz\",status=\"2xx\"}")) break;
    usleep(50000);
  }
  const char *ct = h_header(r, "Content-Type");
  assert_non_null(ct);
  assert_true(strncmp(ct, "text/plain", 10) == 0);
  assert_non_null(strstr(r->body, "# TYPE baoho_http_requests_total counter"));
  assert_non_null(strstr(r->body, "baoho_http_requests_total{route=\"healthz\",status=\"2xx\"}"));
  assert_non_null(strstr(r->body, "baoho_http_request_duration_seconds_count"));
}

static void responses_carry_request_id_and_security_headers(void **state) {
  h_server_t *s = *state;
  h_resp_t *r = h_call(s, NULL, "GET", NULL, "/healthz");
  EXPECT_STATUS(s, r, 200);
  assert_non_null(h_header(r, "X-Request-Id"));
  assert_string_equal(h_header(r, "X-Content-Type-Options"), "nosniff");
  assert_string_equal(h_header(r, "X-Frame-Options"), "DENY");
  h_resp_t *r2 = h_call(s, NULL, "GET", NULL, "/healthz");
  assert_string_not_equal(h_header(r, "X-Request-Id"), h_header(r2, "X-Request-Id"));
}

static void unknown_route_is_404_not_found(void **state) {
  h_server_t *s = *state;
  EXPECT_ERROR(s, h_call(s, NULL, "GET", NULL, "/api/v1/nothing-here"), 404, "not_found", NULL);
  EXPECT_ERROR(s, h_call(s, NULL, "GET", NULL, "/api/v1/persons/x/y/z"), 404, "not_found", NULL);
  EXPECT_ERROR(s, h_call(s, NULL, "GET", NULL, "/nothing-here"), 404, "not_found", NULL);
}

static void wrong_method_is_405_method_not_allowed(void **state) {
  h_server_t *s = *state;
  EXPECT_ERROR(s, h_call(s, NULL, "DELETE", NULL, "/healthz"), 405, "method_not_allowed", NULL);
  EXPECT_ERROR(s, h_call(s, NULL, "PUT", "{}", "/api/v1/persons"), 405, "method_not_allowed", NULL);
  EXPECT_ERROR(s, h_call(s, h_as(s, H_ADMIN), "DELETE", NULL, "/api/v1/audit"), 405,
               "method_not_allowed", NULL);
}

int api_system_tests(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(healthz_reports_ok_with_schema_version),
      cmocka_unit_test(metrics_is_prometheus_text_counting_requests),
      cmocka_unit_test(responses_carry_request_id_and_security_headers),
      cmocka_unit_test(unknown_route_is_404_not_found),
      cmocka_unit_test(wrong_method_is_405_method_not_allowed),
  };
  return cmocka_run_group_tests_name("system", tests, h_group_setup, h_group_teardown);
}
