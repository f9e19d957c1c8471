/*
 * main.c - runs the API suite: `api_tests BAOHO_BINARY [TEST_NAME_FILTER]`. Every group starts
 * its own baoho server from the binary given, on a fresh database, and stops it at the end.
 */
#include <curl/curl.h>
#include <signal.h>
#include <stdio.h>

#include "harness.h"

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: api_tests PATH-TO-BAOHO [TEST-NAME-FILTER]\n");
    return 2;
  }
  h_binary = argv[1];
  if (argc > 2) cmocka_set_test_filter(argv[2]);
  signal(SIGPIPE, SIG_IGN);
  if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) return 1;
  int failed = 0;
  failed += api_system_tests();
  failed += api_session_tests();
  failed += api_admin_tests();
  failed += api_persons_tests();
  failed += api_search_tests();
  failed += api_input_tests();
  failed += api_authz_tests();
  failed += api_public_tests();
  failed += api_storage_tests();
  curl_global_cleanup();
  fprintf(stderr, "api_tests: %d failed\n", failed);
  return failed == 0 ? 0 : 1;
}
