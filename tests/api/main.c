/*
 * main.c - runs the API suite: `api_tests BAOHO_BINARY [--pg] [TEST_NAME_FILTER]`. Every group
 * starts its own baoho server from the binary given, on a fresh database (an SQLite file, or
 * with --pg a new database on the PostgreSQL cluster named by BAOHO_TEST_PG), and stops it at
 * the end. Exits 77 (skipped) when --pg is given without BAOHO_TEST_PG.
 */
#include <curl/curl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "harness.h"

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: api_tests PATH-TO-BAOHO [--pg] [TEST-NAME-FILTER]\n");
    return 2;
  }
  h_binary = argv[1];
  int pg = argc > 2 && strcmp(argv[2], "--pg") == 0;
  if (h_backend_setup(pg) != 0) return 77;
  if (argc > 2 + pg) cmocka_set_test_filter(argv[2 + pg]);
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
  failed += api_register_form_tests();
  failed += api_storage_tests();
  failed += api_crises_tests();
  failed += api_advisories_tests();
  failed += api_alerts_tests();
  failed += api_checkin_tests();
  failed += api_lists_tests();
  failed += api_list_map_tests();
  failed += api_cases_tests();
  failed += api_idempotency_tests();
  failed += api_audit_file_tests();
  failed += api_name_index_tests();
  failed += api_evac_tests();
  failed += api_sitrep_tests();
  failed += api_demo_tests();
  failed += api_lang_tests();
  failed += api_officers_tests();
  failed += api_import_tests();
  failed += api_matchsubject_tests();
  curl_global_cleanup();
  fprintf(stderr, "api_tests: %d failed\n", failed);
  return failed == 0 ? 0 : 1;
}
