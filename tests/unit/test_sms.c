/*
 * test_sms.c - unit tests for delivery/sms without a gateway: the signature helpers both ways
 * and the client's configuration checks. Sending through a fake gateway is in test_delivery.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include <curl/curl.h>
#include <sodium.h>

#include "delivery/sms.h"
#include "util/err.h"

static const char SECRET[] = "test-secret-0123456789abcdef";

static void sms_verify_signature_refuses_tampered_or_malformed_headers(void **state) {
  (void)state;
  const char body[] = "{\"from\":\"+84912345678\",\"text\":\"AN TOÀN\"}";
  char sig[SMS_SIGNATURE_SIZE];
  assert_int_equal(sms_sign(SECRET, body, strlen(body), sig), BH_OK);
  assert_int_equal(strlen(sig), 71);
  assert_int_equal(sms_verify_signature(SECRET, body, strlen(body), sig), BH_OK);
  char upper[SMS_SIGNATURE_SIZE];
  memcpy(upper, sig, sizeof(upper));
  for (char *p = upper + 7; *p != '\0'; p++)
    if (*p >= 'a' && *p <= 'f') *p = (char)(*p - 'a' + 'A');
  assert_int_equal(sms_verify_signature(SECRET, body, strlen(body), upper), BH_OK);
  /* The body changed by one byte, or cut short. */
  char tampered[sizeof(body)];
  memcpy(tampered, body, sizeof(body));
  tampered[10] = '5';
  assert_int_equal(sms_verify_signature(SECRET, tampered, strlen(tampered), sig),
                   BH_ERR_UNAUTHENTICATED);
  assert_int_equal(sms_verify_signature(SECRET, body, strlen(body) - 1, sig),
                   BH_ERR_UNAUTHENTICATED);
  /* Malformed headers. */
  char bad[SMS_SIGNATURE_SIZE + 8];
  const char *malformed[] = {NULL, "", "sha256=", sig + 7, "sha1=abc"};
  for (size_t i = 0; i < sizeof(malformed) / sizeof(malformed[0]); i++)
    assert_int_equal(sms_verify_signature(SECRET, body, strlen(body), malformed[i]),
                     BH_ERR_UNAUTHENTICATED);
  snprintf(bad, sizeof(bad), "%s ", sig);
  assert_int_equal(sms_verify_signature(SECRET, body, strlen(body), bad), BH_ERR_UNAUTHENTICATED);
  snprintf(bad, sizeof(bad), "%s", sig);
  bad[20] = 'g';
  assert_int_equal(sms_verify_signature(SECRET, body, strlen(body), bad), BH_ERR_UNAUTHENTICATED);
  snprintf(bad, sizeof(bad), "SHA256=%s", sig + 7);
  assert_int_equal(sms_verify_signature(SECRET, body, strlen(body), bad), BH_ERR_UNAUTHENTICATED);
  /* Short secrets are refused outright. */
  assert_int_equal(sms_verify_signature("short", body, strlen(body), sig), BH_ERR_INVALID);
  assert_int_equal(sms_sign("short", body, strlen(body), sig), BH_ERR_INVALID);
}

static void sms_gateway_config_is_validated(void **state) {
  (void)state;
  sms_gateway *c = NULL;
  sms_config bad[] = {
      {.url = "ftp://127.0.0.1/", .secret = SECRET},
      {.url = "http://127.0.0.1/", .secret = "short"},
      {.url = "http://127.0.0.1/", .secret = NULL},
      {.url = NULL, .secret = SECRET},
      {.url = "http://127.0.0.1/", .secret = SECRET, .timeout_ms = -1},
  };
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
    assert_int_equal(sms_gateway_new(&bad[i], &c), BH_ERR_INVALID);
  sms_gateway_free(NULL);
}

int main(void) {
  if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK || sodium_init() < 0) return 1;
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(sms_verify_signature_refuses_tampered_or_malformed_headers),
      cmocka_unit_test(sms_gateway_config_is_validated),
  };
  int failed = cmocka_run_group_tests(tests, NULL, NULL);
  curl_global_cleanup();
  return failed;
}
