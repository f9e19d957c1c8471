/*
 * test_pgcheckin.c - the PostgreSQL backend's transaction control as the group-commit writer
 * uses it: BEGIN, SAVEPOINT, RELEASE and ROLLBACK TO are held back and sent in one pipeline with
 * the next statement (store_pg.c), and a batch must still keep every job that succeeded, drop
 * every job that failed, and never commit a failure carried past a savepoint.
 *
 * Runs on a fresh database of the cluster named by BAOHO_TEST_PG (created and dropped here);
 * every test is skipped when it is unset. The writer's batch functions (writer.h,
 * writer_batch_fn) must keep the same guarantee: a job that fails inside its group costs the
 * others nothing but the group's speed.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <libpq-fe.h>

#include "domain/secret.h"
#include "store/store.h"
#include "store/writer.h"
#include "util/arena.h"
#include "util/err.h"

static char pgc_admin_url[1024];
static char pgc_db_url[1200];
static char pgc_db_name[64];

/* Runs one command on the cluster's admin database; 0 on success. */
static int pgc_admin(const char *sql) {
  PGconn *db = PQconnectdb(pgc_admin_url);
  PGresult *res = PQexec(db, sql);
  int ok = PQresultStatus(res) == PGRES_COMMAND_OK;
  PQclear(res);
  PQfinish(db);
  return ok ? 0 : -1;
}

static int pgc_setup(void **state) {
  const char *url = getenv("BAOHO_TEST_PG");
  if (url == NULL || url[0] == '\0') {
    *state = NULL;
    return 0;
  }
  snprintf(pgc_admin_url, sizeof(pgc_admin_url), "%s", url);
  snprintf(pgc_db_name, sizeof(pgc_db_name), "pgcheckin_unit_%ld", (long)getpid());
  char sql[128];
  snprintf(sql, sizeof(sql), "CREATE DATABASE %s", pgc_db_name);
  if (pgc_admin(sql) != 0) return -1;
  /* The same server and user, the new database. */
  const char *slash = strrchr(url, '/');
  const char *query = strchr(url, '?');
  size_t base = slash != NULL && slash > strstr(url, "//") + 1 ? (size_t)(slash - url) : strlen(url);
  snprintf(pgc_db_url, sizeof(pgc_db_url), "%.*s/%s%s", (int)base, url, pgc_db_name,
           query ? query : "");
  secret_t keys;
  unsigned char master[SECRET_KEY_BYTES] = {1};
  secret_init();
  secret_from_master(master, &keys);
  store_t *s = NULL;
  if (store_open(pgc_db_url, &keys, STORE_SYNC_FULL, &s) != BH_OK) return -1;
  *state = s;
  return 0;
}

static int pgc_teardown(void **state) {
  if (*state == NULL) return 0;
  store_close(*state);
  char sql[128];
  snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s", pgc_db_name);
  return pgc_admin(sql);
}

/* The store, or the test is skipped. */
static store_conn_t *pgc_conn(void **state) {
  if (*state == NULL) skip();
  store_conn_t *c = store_conn(*state);
  assert_non_null(c);
  return c;
}

static int pgc_audit(store_conn_t *c, const char *kind, const char *action) {
  audit_entry_t e = {.action = action, .object_kind = kind};
  return store_audit_append(c, &e);
}

/* How many audit records of kind have action. */
static int pgc_count(store_conn_t *c, const char *kind, const char *action) {
  arena_t *a = arena_new(64 * 1024);
  audit_filter_t f = {.object_kind = kind};
  store_page_t page = {.after = 0, .limit = 100};
  audit_entry_t *items = NULL;
  size_t n = 0;
  assert_int_equal(store_audit_list(c, &f, &page, a, &items, &n), BH_OK);
  int count = 0;
  for (size_t i = 0; i < n; i++) count += strcmp(items[i].action, action) == 0;
  arena_free(a);
  return count;
}

/* A user with one API token of hash h, committed: writing h again is a constraint error. */
static void pgc_token_taken(store_conn_t *c, const unsigned char *h) {
  user_t u = {.email = "pgcheckin@example.org", .name = "pgcheckin", .role = ROLE_ADMIN,
              .pwhash = "x"};
  assert_int_equal(store_user_create(c, &u), BH_OK);
  int64_t id;
  assert_int_equal(store_token_create(c, u.id, h, "t", &id), BH_OK);
}

static void pg_batch_keeps_jobs_around_a_failed_one(void **state) {
  store_conn_t *c = pgc_conn(state);
  unsigned char h[SECRET_TOKEN_HASH_BYTES] = {7};
  pgc_token_taken(c, h);
  int64_t user = 0;
  assert_int_equal(store_token_lookup(c, h, &user), BH_OK);
  /* As writer_batch runs three jobs: the second fails in the server. */
  assert_int_equal(store_begin_write(c), BH_OK);
  assert_int_equal(store_savepoint(c), BH_OK);
  assert_int_equal(pgc_audit(c, "batch", "first"), BH_OK);
  assert_int_equal(store_savepoint_release(c), BH_OK);
  assert_int_equal(store_savepoint(c), BH_OK);
  assert_int_equal(pgc_audit(c, "batch", "second"), BH_OK);
  int64_t id;
  assert_int_equal(store_token_create(c, user, h, "again", &id), BH_ERR_CONFLICT);
  assert_int_equal(store_savepoint_rollback(c), BH_OK);
  assert_int_equal(store_savepoint(c), BH_OK);
  assert_int_equal(pgc_audit(c, "batch", "third"), BH_OK);
  assert_int_equal(store_savepoint_release(c), BH_OK);
  assert_int_equal(store_commit(c), BH_OK);
  assert_int_equal(pgc_count(c, "batch", "first"), 1);
  assert_int_equal(pgc_count(c, "batch", "second"), 0);
  assert_int_equal(pgc_count(c, "batch", "third"), 1);
}

static void pg_failure_carried_past_a_savepoint_never_commits(void **state) {
  store_conn_t *c = pgc_conn(state);
  unsigned char h[SECRET_TOKEN_HASH_BYTES] = {8};
  user_t u = {.email = "carried@example.org", .name = "c", .role = ROLE_ADMIN, .pwhash = "x"};
  assert_int_equal(store_user_create(c, &u), BH_OK);
  int64_t id;
  assert_int_equal(store_token_create(c, u.id, h, "t", &id), BH_OK);
  assert_int_equal(store_begin_write(c), BH_OK);
  assert_int_equal(store_savepoint(c), BH_OK);
  assert_int_equal(pgc_audit(c, "carried", "before"), BH_OK);
  /* A job that ignores its failed statement and reports success. */
  assert_int_equal(store_token_create(c, u.id, h, "again", &id), BH_ERR_CONFLICT);
  assert_int_not_equal(store_savepoint_release(c), BH_OK);
  (void)store_savepoint(c); /* the next job */
  assert_int_not_equal(pgc_audit(c, "carried", "after"), BH_OK);
  assert_int_not_equal(store_commit(c), BH_OK);
  assert_int_equal(pgc_count(c, "carried", "before"), 0);
  assert_int_equal(pgc_count(c, "carried", "after"), 0);
  /* The session is usable again. */
  assert_int_equal(store_begin_write(c), BH_OK);
  assert_int_equal(pgc_audit(c, "carried", "later"), BH_OK);
  assert_int_equal(store_commit(c), BH_OK);
  assert_int_equal(pgc_count(c, "carried", "later"), 1);
}

static void pg_transactions_without_statements_cost_nothing_and_end(void **state) {
  store_conn_t *c = pgc_conn(state);
  assert_int_equal(store_begin_write(c), BH_OK);
  assert_int_equal(store_savepoint(c), BH_OK);
  assert_int_equal(store_savepoint_release(c), BH_OK);
  assert_int_equal(store_savepoint(c), BH_OK);
  assert_int_equal(store_savepoint_rollback(c), BH_OK);
  assert_int_equal(store_commit(c), BH_OK);
  assert_int_equal(store_begin_write(c), BH_OK);
  assert_int_equal(store_rollback(c), BH_OK);
  /* Outside any transaction, a statement commits at once. */
  assert_int_equal(pgc_audit(c, "empty", "alone"), BH_OK);
  assert_int_equal(pgc_count(c, "empty", "alone"), 1);
}

static void pg_rollback_drops_the_whole_batch(void **state) {
  store_conn_t *c = pgc_conn(state);
  assert_int_equal(store_begin_write(c), BH_OK);
  assert_int_equal(store_savepoint(c), BH_OK);
  assert_int_equal(pgc_audit(c, "dropped", "one"), BH_OK);
  assert_int_equal(store_savepoint_release(c), BH_OK);
  assert_int_equal(store_savepoint(c), BH_OK);
  assert_int_equal(pgc_audit(c, "dropped", "two"), BH_OK);
  assert_int_equal(store_rollback(c), BH_OK);
  assert_int_equal(pgc_count(c, "dropped", "one"), 0);
  assert_int_equal(pgc_count(c, "dropped", "two"), 0);
}

/* A job of the writer test: appends its audit record; a bad one then fails. */
struct pgc_job {
  const char *action;
  int bad;
  int rc;
  int done;
};

static pthread_mutex_t pgc_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t pgc_cond = PTHREAD_COND_INITIALIZER;

static int pgc_job_run(store_conn_t *c, void *ctx) {
  struct pgc_job *j = ctx;
  int rc = pgc_audit(c, "grouped", j->action);
  return rc == BH_OK && j->bad ? BH_ERR_INVALID : rc;
}

/* Writes every job of the group, then fails the group if one of them is bad. */
static int pgc_batch_run(store_conn_t *c, void *const *ctxs, int *rcs, size_t n) {
  int failed = 0;
  for (size_t i = 0; i < n; i++) {
    struct pgc_job *j = ctxs[i];
    rcs[i] = pgc_audit(c, "grouped", j->action);
    if (rcs[i] != BH_OK) return rcs[i];
    failed |= j->bad;
  }
  return failed ? BH_ERR_INVALID : BH_OK;
}

static void pgc_job_done(void *ctx, int rc) {
  struct pgc_job *j = ctx;
  pthread_mutex_lock(&pgc_lock);
  j->rc = rc;
  j->done = 1;
  pthread_cond_broadcast(&pgc_cond);
  pthread_mutex_unlock(&pgc_lock);
}

static void pg_failed_group_reruns_its_jobs_alone(void **state) {
  store_conn_t *c = pgc_conn(state);
  store_writer_t *w = NULL;
  assert_int_equal(store_writer_start(*state, &w), BH_OK);
  /* However the writer groups them, the bad job fails alone and the others are written once. */
  struct pgc_job jobs[] = {{.action = "one"}, {.action = "two"}, {.action = "bad", .bad = 1},
                           {.action = "four"}, {.action = "five"}};
  size_t n = sizeof(jobs) / sizeof(jobs[0]);
  for (size_t i = 0; i < n; i++) {
    assert_int_equal(store_writer_submit_batch(w, pgc_job_run, pgc_batch_run, &jobs[i],
                                               pgc_job_done),
                     BH_OK);
  }
  pthread_mutex_lock(&pgc_lock);
  for (size_t i = 0; i < n; i++) {
    while (!jobs[i].done) pthread_cond_wait(&pgc_cond, &pgc_lock);
  }
  pthread_mutex_unlock(&pgc_lock);
  store_writer_stop(w);
  for (size_t i = 0; i < n; i++) {
    assert_int_equal(jobs[i].rc, jobs[i].bad ? BH_ERR_INVALID : BH_OK);
    assert_int_equal(pgc_count(c, "grouped", jobs[i].action), jobs[i].bad ? 0 : 1);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(pg_batch_keeps_jobs_around_a_failed_one),
      cmocka_unit_test(pg_failure_carried_past_a_savepoint_never_commits),
      cmocka_unit_test(pg_transactions_without_statements_cost_nothing_and_end),
      cmocka_unit_test(pg_rollback_drops_the_whole_batch),
      cmocka_unit_test(pg_failed_group_reruns_its_jobs_alone),
  };
  return cmocka_run_group_tests(tests, pgc_setup, pgc_teardown);
}
