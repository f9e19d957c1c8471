/*
 * test_name_index.c - name search through the index of token pairs (SQLite's person_names):
 * a person with more name tokens than get pairs is still found by any of them, and a database
 * whose name index was written before the pairs is re-indexed at start-up, so nobody goes
 * missing from searches after an upgrade. The first test also runs on PostgreSQL.
 */
#include <sqlite3.h>
#include <string.h>

#include "harness.h"

static int search_finds(h_server_t *s, const char *q, const char *id) {
  h_resp_t *r = h_call(s, h_as(s, H_ADMIN), "GET", NULL, "/api/v1/persons?q=%s&limit=100", h_urlencode(q));
  EXPECT_STATUS(s, r, 200);
  return h_has_id(h_get(r->json, "items"), id);
}

/* Whether who's search for q (with the extra query text) lists id. */
static int search_as_finds(h_server_t *s, enum h_who who, const char *q, const char *extra,
                           const char *id) {
  h_resp_t *r = h_call(s, h_as(s, who), "GET", NULL, "/api/v1/persons?q=%s%s", h_urlencode(q),
                       extra);
  EXPECT_STATUS(s, r, 200);
  return h_has_id(h_get(r->json, "items"), id);
}

/*
 * Runs first, while no name has more tokens than get pairs: the search then asks for pairs
 * alone (around its last token), for an officer's scope and filters as for an admin's.
 */
static void a_name_search_needs_every_token_in_any_order(void **state) {
  h_server_t *s = *state;
  h_resp_t *p = h_create_person(s, h_as(s, H_ADMIN),
                                h_person_json("Nguyễn Thị Mây", "IL", "IL-TA", "worker"));
  const char *may = h_gets(p->json, "id");
  p = h_create_person(s, h_as(s, H_ADMIN), h_person_json("Nguyễn Thị Lan", "IL", "IL-TA", "worker"));
  const char *lan = h_gets(p->json, "id");
  assert_non_null(may);
  assert_non_null(lan);
  for (enum h_who who = H_ADMIN; who <= H_ISRAEL; who++) {
    for (int filtered = 0; filtered < 2; filtered++) {
      const char *extra = filtered ? "&country=IL&category=worker" : "";
      assert_true(search_as_finds(s, who, "Nguyen Thi May", extra, may));
      assert_true(search_as_finds(s, who, "may nguyen thi", extra, may));
      assert_true(search_as_finds(s, who, "THỊ MÂY", extra, may));
      assert_false(search_as_finds(s, who, "may nguyen thi", extra, lan));
      assert_true(search_as_finds(s, who, "Thi Nguyen", extra, lan));
      assert_false(search_as_finds(s, who, "Nguyen Thi May Lan", extra, may));
      assert_false(search_as_finds(s, who, "Nguyen Thi May Lan", extra, lan));
    }
  }
  /* Out of the officer's jurisdiction, nobody is found. */
  assert_false(search_as_finds(s, H_MYANMAR, "Nguyen Thi May", "", may));
}

static void a_person_with_eighteen_name_tokens_is_found_by_any_two(void **state) {
  h_server_t *s = *state;
  h_resp_t *p = h_create_person(
      s, h_as(s, H_ADMIN),
      "{\"full_name\":\"Alpha Bravo Charlie Delta Echo Foxtrot\","
      "\"other_names\":[\"Golf Hotel India Juliet Kilo Lima\",\"Mike November Oscar Papa Quebec Romeo\"],"
      "\"presence\":{\"country\":\"IL\",\"category\":\"worker\"}}");
  const char *id = h_gets(p->json, "id");
  assert_non_null(id);
  assert_true(search_finds(s, "Alpha Bravo", id));
  assert_true(search_finds(s, "alpha romeo", id));  /* the 18th token has no pairs */
  assert_true(search_finds(s, "Quebec Romeo", id)); /* neither has */
  assert_true(search_finds(s, "Romeo", id));
  assert_true(search_finds(s, "Papa Alpha Lima Golf", id));
  assert_false(search_finds(s, "Alpha Zulu", id));
  assert_false(search_finds(s, "Romeo Zulu", id));
}

static void a_name_index_without_pairs_is_rebuilt_at_start(void **state) {
  h_server_t *s = *state;
  if (s->pg_name[0] != '\0') skip(); /* PostgreSQL has no FTS5 index */
  h_resp_t *p = h_create_person(s, h_as(s, H_ADMIN),
                                h_person_json("Trịnh Công Sơn", "IL", "IL-TA", "worker"));
  const char *id = h_gets(p->json, "id");
  assert_true(search_finds(s, "Son Trinh", id));
  assert_int_equal(h_server_stop(s), 0);
  /* Write the index the way baoho did before the pairs: each person's key alone. */
  sqlite3 *db = NULL;
  assert_int_equal(sqlite3_open_v2(s->db, &db, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
  assert_int_equal(
      sqlite3_exec(db,
                   "BEGIN; INSERT INTO person_names(person_names) VALUES ('delete-all');"
                   " INSERT INTO person_names(rowid, name_key) SELECT id, name_key FROM persons;"
                   " COMMIT;",
                   NULL, NULL, NULL),
      SQLITE_OK);
  sqlite3_close(db);
  assert_int_equal(h_server_restart(s), 0);
  assert_true(search_finds(s, "Son Trinh", id));
  assert_true(search_finds(s, "trinh cong son", id));
  assert_true(search_finds(s, "Sơn", id));
}

int api_name_index_tests(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(a_name_search_needs_every_token_in_any_order),
      cmocka_unit_test(a_person_with_eighteen_name_tokens_is_found_by_any_two),
      cmocka_unit_test(a_name_index_without_pairs_is_rebuilt_at_start),
  };
  return cmocka_run_group_tests_name("name_index", tests, h_group_setup, h_group_teardown);
}
