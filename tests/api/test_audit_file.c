/*
 * test_audit_file.c - the audit log kept in two places on SQLite: records of reads in the audit
 * file next to the database ("<db>-audit"), records of writes in the database. Nothing may be
 * lost by the split: reads audited before a kill are there after the restart, GET /api/v1/audit
 * merges both kinds in the order they happened (also across pages), and the audit file refuses
 * changes like the main table does. On PostgreSQL (one table) the same API checks hold.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

/* The actions audited for person pid, oldest first, paging with limit (all pages). */
static json_t *audit_actions(h_server_t *s, const char *pid, int limit) {
  json_t *items = h_list_all(s, h_as(s, H_ADMIN), h_str("/api/v1/audit?person=%s", pid), limit);
  json_t *actions = json_array();
  size_t i;
  json_t *e;
  json_array_foreach(items, i, e) json_array_append_new(actions, json_string(h_gets(e, "action")));
  return actions;
}

static int count_action(const json_t *actions, const char *action) {
  int n = 0;
  size_t i;
  json_t *a;
  json_array_foreach(actions, i, a) n += strcmp(json_string_value(a), action) == 0;
  return n;
}

static void reads_audited_before_a_kill_are_listed_after_restart(void **state) {
  h_server_t *s = *state;
  h_resp_t *p =
      h_create_person(s, h_as(s, H_ADMIN), h_person_json("Kill Audit", "IL", "IL-TA", "worker"));
  const char *pid = h_gets(p->json, "id");
  for (int i = 0; i < 5; i++) {
    EXPECT_STATUS(s, h_call(s, h_as(s, H_HQ), "GET", NULL, "/api/v1/persons/%s", pid), 200);
  }
  h_server_kill9(s);
  assert_int_equal(h_server_restart(s), 0);
  memset(s->logged_in, 0, sizeof(s->logged_in));
  json_t *actions = audit_actions(s, pid, 500);
  assert_int_equal(count_action(actions, "person.read"), 5);
  assert_int_equal(count_action(actions, "person.create"), 1);
  json_decref(actions);
}

static void audit_merges_reads_and_writes_in_order_across_pages(void **state) {
  h_server_t *s = *state;
  h_resp_t *p =
      h_create_person(s, h_as(s, H_ADMIN), h_person_json("Order Audit", "IL", "IL-TA", "worker"));
  const char *pid = h_gets(p->json, "id");
  EXPECT_STATUS(s, h_call(s, h_as(s, H_HQ), "GET", NULL, "/api/v1/persons/%s", pid), 200);
  EXPECT_STATUS(s,
                h_call(s, h_as(s, H_ADMIN), "PATCH", "{\"home_province\":\"Nghệ An\"}",
                       "/api/v1/persons/%s", pid),
                200);
  EXPECT_STATUS(s, h_call(s, h_as(s, H_HQ), "GET", NULL, "/api/v1/persons/%s/status", pid), 200);
  EXPECT_STATUS(s,
                h_call(s, h_as(s, H_ADMIN), "POST", "{\"status\":\"safe\"}",
                       "/api/v1/persons/%s/status", pid),
                201);
  EXPECT_STATUS(s, h_call(s, h_as(s, H_HQ), "GET", NULL, "/api/v1/persons/%s", pid), 200);
  const char *want[] = {"person.create", "person.read",   "person.update",
                        "person.read_status", "person.status", "person.read"};
  size_t nwant = sizeof(want) / sizeof(want[0]);
  /* One page, then pages of one and of two: the same records in the same order. */
  int limits[] = {500, 1, 2};
  for (size_t l = 0; l < sizeof(limits) / sizeof(limits[0]); l++) {
    json_t *actions = audit_actions(s, pid, limits[l]);
    assert_int_equal(json_array_size(actions), nwant);
    for (size_t i = 0; i < nwant; i++) {
      assert_string_equal(json_string_value(json_array_get(actions, i)), want[i]);
    }
    json_decref(actions);
  }
}

/* Runs sql on the file at path; the SQLite result code. */
static int file_exec(const char *path, const char *sql) {
  sqlite3 *db = NULL;
  int rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL);
  if (rc == SQLITE_OK) rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
  sqlite3_close(db);
  return rc;
}

/* The first column of the first row of sql on the file at path, or -1. */
static long long file_count(const char *path, const char *sql) {
  sqlite3 *db = NULL;
  sqlite3_stmt *st = NULL;
  long long n = -1;
  if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
      sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW) {
    n = sqlite3_column_int64(st, 0);
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
  return n;
}

/* Whether the file at path holds the bytes of needle (a missing file holds nothing). */
static int file_holds(const char *path, const char *needle) {
  FILE *f = fopen(path, "rb");
  if (f == NULL) return 0;
  size_t n = strlen(needle), len = 0, cap = 1 << 16;
  char *buf = malloc(cap);
  size_t got;
  while (buf != NULL && (got = fread(buf + len, 1, cap - len, f)) > 0) {
    len += got;
    if (len == cap) {
      char *more = realloc(buf, cap *= 2);
      if (more == NULL) break;
      buf = more;
    }
  }
  fclose(f);
  int found = 0;
  for (size_t i = 0; buf != NULL && i + n <= len && !found; i++) found = memcmp(buf + i, needle, n) == 0;
  free(buf);
  return found;
}

static void reads_go_to_the_audit_file_which_is_append_only(void **state) {
  h_server_t *s = *state;
  if (s->pg_name[0] != '\0') skip(); /* PostgreSQL keeps one audit table */
  h_resp_t *p = h_create_person(
      s, h_as(s, H_ADMIN),
      "{\"full_name\":\"File Audit\",\"passport\":\"Q7654321\","
      "\"presence\":{\"country\":\"IL\",\"category\":\"worker\"}}");
  const char *pid = h_gets(p->json, "id");
  EXPECT_STATUS(s, h_call(s, h_as(s, H_HQ), "GET", NULL, "/api/v1/persons/%s", pid), 200);
  EXPECT_STATUS(s, h_call(s, h_as(s, H_HQ), "GET", NULL, "/api/v1/persons?q=File%%20Audit"), 200);
  EXPECT_STATUS(s, h_call(s, h_as(s, H_HQ), "GET", NULL, "/api/v1/persons?q=Q7654321"), 200);
  /* Read while the server runs: the WAL still holds the newest records. */
  const char *audit_files[] = {"-audit", "-audit-wal"};
  for (size_t i = 0; i < sizeof(audit_files) / sizeof(audit_files[0]); i++) {
    assert_false(file_holds(h_str("%s%s", s->db, audit_files[i]), "Q7654321"));
  }
  assert_int_equal(h_server_stop(s), 0);
  const char *main_db = s->db;
  const char *audit_db = h_str("%s-audit", s->db);
  /* The number searched for is not in the audit file in clear either. */
  assert_false(file_holds(audit_db, "Q7654321"));
  /* The reads are in the audit file, not in the database; the writes the other way round. */
  assert_true(file_count(audit_db, "SELECT count(*) FROM read_audit WHERE action = 'person.read'") >= 1);
  assert_true(file_count(audit_db, "SELECT count(*) FROM read_audit WHERE action = 'person.search'") >= 1);
  assert_int_equal(file_count(audit_db, "SELECT count(*) FROM read_audit WHERE action = 'person.create'"), 0);
  assert_int_equal(file_count(main_db, "SELECT count(*) FROM audit WHERE action = 'person.read'"), 0);
  assert_true(file_count(main_db, "SELECT count(*) FROM audit WHERE action = 'person.create'") >= 1);
  /* No id is in both tables. */
  sqlite3 *db = NULL;
  assert_int_equal(sqlite3_open_v2(main_db, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
  char *attach = sqlite3_mprintf("ATTACH DATABASE %Q AS ra", audit_db);
  assert_int_equal(sqlite3_exec(db, attach, NULL, NULL, NULL), SQLITE_OK);
  sqlite3_free(attach);
  sqlite3_stmt *st = NULL;
  assert_int_equal(sqlite3_prepare_v2(db, "SELECT count(*) FROM audit a JOIN ra.read_audit r USING (id)",
                                      -1, &st, NULL),
                   SQLITE_OK);
  assert_int_equal(sqlite3_step(st), SQLITE_ROW);
  assert_int_equal(sqlite3_column_int64(st, 0), 0);
  sqlite3_finalize(st);
  sqlite3_close(db);
  /* Append-only, like the database's audit table. */
  assert_int_not_equal(file_exec(audit_db, "DELETE FROM read_audit"), SQLITE_OK);
  assert_int_not_equal(file_exec(audit_db, "UPDATE read_audit SET action = 'x'"), SQLITE_OK);
  assert_true(file_count(audit_db, "SELECT count(*) FROM read_audit") >= 2);
  assert_int_equal(h_server_restart(s), 0);
  memset(s->logged_in, 0, sizeof(s->logged_in));
}

int api_audit_file_tests(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(reads_audited_before_a_kill_are_listed_after_restart),
      cmocka_unit_test(audit_merges_reads_and_writes_in_order_across_pages),
      cmocka_unit_test(reads_go_to_the_audit_file_which_is_append_only),
  };
  return cmocka_run_group_tests_name("audit_file", tests, h_group_setup, h_group_teardown);
}
