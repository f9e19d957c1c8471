/*
 * test_storage.c - what the database holds: identity numbers only sealed, a key file only its
 * owner can read, and a committed person that survives the server being killed. On SQLite the
 * files themselves are read; on PostgreSQL a pg_dump of the server's database.
 * Each test runs its own server.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "harness.h"

/* Reads a whole file into memory (kept); *len = 0 and NULL if it does not exist. */
static const char *slurp(const char *path, size_t *len) {
  *len = 0;
  FILE *f = fopen(path, "rb");
  if (f == NULL) return NULL;
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *buf = h_str("%*s", (int)(n > 0 ? n : 0), "");
  size_t got = n > 0 ? fread(buf, 1, (size_t)n, f) : 0;
  fclose(f);
  *len = got;
  return buf;
}

static int contains(const char *hay, size_t n, const char *needle) {
  size_t k = strlen(needle);
  for (size_t i = 0; hay && i + k <= n; i++) {
    if (memcmp(hay + i, needle, k) == 0) return 1;
  }
  return 0;
}

static void identity_numbers_are_not_stored_in_clear(void **state) {
  h_server_t *s = *state;
  h_resp_t *c = h_create_person(
      s, h_as(s, H_ADMIN),
      "{\"full_name\":\"Kiều Văn Mật\",\"passport\":\"Z9876543\",\"national_id\":\"079188012345\","
      "\"presence\":{\"country\":\"IL\",\"category\":\"worker\"}}");
  const char *id = h_gets(c->json, "id");
  /* Search by number and read the record, so every path that touches the numbers ran. */
  h_resp_t *q = h_call(s, h_as(s, H_ADMIN), "GET", NULL, "/api/v1/persons?q=Z9876543");
  EXPECT_STATUS(s, q, 200);
  assert_true(h_has_id(h_get(q->json, "items"), id));
  EXPECT_STATUS(s,
                h_call(s, h_as(s, H_ADMIN), "PATCH", "{\"national_id\":\"079188054321\"}",
                       "/api/v1/persons/%s", id),
                200);
  h_resp_t *g = h_call(s, h_as(s, H_ADMIN), "GET", NULL, "/api/v1/persons/%s", id);
  assert_string_equal(h_gets(g->json, "national_id"), "079188054321");
  assert_int_equal(h_server_stop(s), 0);

  const char *secrets[] = {"Z9876543", "z9876543", "079188012345", "079188054321", "Z 9876543"};
  const char *files[] = {"t.db", "t.db-wal", "t.db-journal", "stderr", "stdout"};
  if (s->pg_name[0] != '\0') {
    /* PostgreSQL: everything the database holds, as plain SQL, stands in for the file. */
    if (h_db_dump(s, h_str("%s/t.db", s->dir)) != 0) fail_msg("pg_dump of the test database failed");
    files[1] = files[2] = "stdout";
  }
  int read_db = 0;
  for (size_t f = 0; f < sizeof(files) / sizeof(files[0]); f++) {
    size_t n;
    const char *bytes = slurp(h_str("%s/%s", s->dir, files[f]), &n);
    if (f == 0) read_db = n > 0;
    for (size_t k = 0; k < sizeof(secrets) / sizeof(secrets[0]); k++) {
      if (contains(bytes, n, secrets[k]))
        fail_msg("%s holds \"%s\" in clear", files[f], secrets[k]);
    }
  }
  assert_true(read_db);
  /* The name is there (it is searchable); so the file was the right one to look in. */
  size_t n;
  const char *db = slurp(h_str("%s/t.db", s->dir), &n);
  assert_true(contains(db, n, "Kiều Văn Mật"));

  struct stat st;
  assert_int_equal(stat(s->key, &st), 0);
  assert_int_equal(st.st_mode & 0777, 0600);
}

static void a_person_survives_kill_9_right_after_the_201(void **state) {
  h_server_t *s = *state;
  h_resp_t *c =
      h_create_person(s, h_as(s, H_HQ), h_person_json("Vũ Thị Bền", "MM", "MM-13", "worker"));
  const char *id = h_gets(c->json, "id");
  h_server_kill9(s);
  assert_int_equal(h_server_restart(s), 0);
  h_resp_t *g = h_call(s, h_as(s, H_HQ), "GET", NULL, "/api/v1/persons/%s", id);
  EXPECT_STATUS(s, g, 200);
  assert_string_equal(h_gets(g->json, "full_name"), "Vũ Thị Bền");
  assert_string_equal(h_gets(g->json, "presences[0].country"), "MM");
  /* The demo was not loaded a second time. */
  h_resp_t *m = h_call(s, h_as(s, H_HQ), "GET", NULL, "/api/v1/missions");
  assert_int_equal(json_array_size(h_get(m->json, "items")), 4);
}

static void a_clean_restart_keeps_data_and_sessions(void **state) {
  h_server_t *s = *state;
  h_auth_t a;
  h_login(s, "israel@baoho.example", "demo-israel-2023", &a);
  h_resp_t *c = h_create_person(s, &a, h_person_json("Lâm Văn Lại", "IL", NULL, "worker"));
  assert_int_equal(h_server_restart(s), 0);
  EXPECT_STATUS(s, h_call(s, &a, "GET", NULL, "/api/v1/persons/%s", h_gets(c->json, "id")), 200);
}

/* Every answer of a database that is down: 503, a stable code, and when to come back. */
static void expect_unavailable(h_server_t *s, h_resp_t *r) {
  EXPECT_STATUS(s, r, 503);
  if (h_header(r, "Retry-After") == NULL) fail_msg("%s: 503 without Retry-After", r->what);
}

/*
 * PostgreSQL only: with the server's sessions cut and the database refusing connections,
 * /healthz answers 503 and the API 503 with Retry-After (no hang, no 500); once the database takes
 * connections again, the node reconnects by itself.
 */
static void a_lost_database_is_503_until_the_node_reconnects(void **state) {
  h_server_t *s = *state;
  if (s->pg_name[0] == '\0') {
    fprintf(stderr, "    skipped: only PostgreSQL sessions can be cut under a running server\n");
    skip();
  }
  const h_auth_t *hq = h_as(s, H_HQ);
  EXPECT_STATUS(s, h_call(s, NULL, "GET", NULL, "/healthz"), 200);
  const char *cut = h_str("SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                          " WHERE datname = '%s' AND pid <> pg_backend_pid()", s->pg_name);
  assert_int_equal(h_pg_sql(h_str("ALTER DATABASE %s ALLOW_CONNECTIONS false", s->pg_name)), 0);
  assert_int_equal(h_pg_sql(cut), 0);
  for (int i = 0; i < 8; i++) {
    h_resp_t *h = h_call(s, NULL, "GET", NULL, "/healthz");
    EXPECT_STATUS(s, h, 503);
    assert_string_equal(h_gets(h->json, "database"), "down");
    h_resp_t *r = h_call(s, hq, "GET", NULL, "/api/v1/persons");
    expect_unavailable(s, r);
    assert_string_equal(h_gets(r->json, "error.code"), "unavailable");
  }
  assert_int_equal(h_pg_sql(h_str("ALTER DATABASE %s ALLOW_CONNECTIONS true", s->pg_name)), 0);
  for (int i = 0; i < 8; i++) {
    EXPECT_STATUS(s, h_call(s, NULL, "GET", NULL, "/healthz"), 200);
    EXPECT_STATUS(s, h_call(s, hq, "GET", NULL, "/api/v1/persons"), 200);
  }
  /* A session cut between requests costs at most one 503 per connection, then works. */
  assert_int_equal(h_pg_sql(cut), 0);
  int ok = 0;
  for (int i = 0; i < 12 && ok < 3; i++) {
    h_resp_t *r = h_call(s, hq, "GET", NULL, "/api/v1/persons?limit=1");
    if (r->status == 200) {
      ok++;
    } else {
      expect_unavailable(s, r);
    }
  }
  assert_int_equal(ok, 3);
}

int api_storage_tests(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(identity_numbers_are_not_stored_in_clear, h_group_setup,
                                      h_group_teardown),
      cmocka_unit_test_setup_teardown(a_person_survives_kill_9_right_after_the_201, h_group_setup,
                                      h_group_teardown),
      cmocka_unit_test_setup_teardown(a_clean_restart_keeps_data_and_sessions, h_group_setup,
                                      h_group_teardown),
      cmocka_unit_test_setup_teardown(a_lost_database_is_503_until_the_node_reconnects,
                                      h_group_setup, h_group_teardown),
  };
  return cmocka_run_group_tests_name("storage", tests, NULL, NULL);
}
