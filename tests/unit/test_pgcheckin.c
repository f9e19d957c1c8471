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

#include "alert/alert.h"
#include "domain/secret.h"
#include "store/store.h"
#include "store/store_alert.h"
#include "store/store_case.h"
#include "store/store_checkin_batch.h"
#include "store/store_idem.h"
#include "store/store_impl.h"
#include "store/store_pg_int.h"
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

/* baoho's sessions run without JIT (store_pg.c, conn_open): a check-in batch's generic plan is
 * estimated above jit_above_cost and would be compiled again at every call. */
static void pg_sessions_run_without_jit(void **state) {
  store_conn_t *c = pgc_conn(state);
  assert_non_null(c->pg);
  PGresult *res = PQexec(c->pg->db, "SHOW jit");
  assert_int_equal(PQresultStatus(res), PGRES_TUPLES_OK);
  assert_string_equal(PQgetvalue(res, 0, 0), "off");
  PQclear(res);
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

/* Persons of pgc_world: 0 and 5 without a case, 1 a minor without one, 2 answers "safe", 3 and 4
 * with an open case of the crisis already; 0 and 3 registered by a mission. */
#define PGC_PERSONS 6

/* A second database beside the test's, with its url in url, opened into *out. */
static void pgc_open_ref(char *url, size_t size, store_t **out) {
  char sql[160];
  snprintf(sql, sizeof(sql), "CREATE DATABASE %s_ref", pgc_db_name);
  assert_int_equal(pgc_admin(sql), 0);
  const char *query = strchr(pgc_db_url, '?');
  size_t base = query ? (size_t)(query - pgc_db_url) : strlen(pgc_db_url);
  snprintf(url, size, "%.*s_ref%s", (int)base, pgc_db_url, query ? query : "");
  secret_t keys;
  unsigned char master[SECRET_KEY_BYTES] = {1};
  secret_from_master(master, &keys);
  assert_int_equal(store_open(url, &keys, STORE_SYNC_FULL, out), BH_OK);
}

/* Closes the database of pgc_open_ref and drops it. */
static void pgc_close_ref(store_t *ref) {
  store_close(ref);
  char sql[160];
  snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s_ref", pgc_db_name);
  assert_int_equal(pgc_admin(sql), 0);
}

/* A crisis of Lebanon named name and an alert of it asking for check-ins, in the caller's
 * transaction. */
static void pgc_crisis_alert(store_conn_t *c, const char *name, int64_t *crisis_id,
                             int64_t *alert_id) {
  crisis_t k = {.name = name, .kind = "unrest", .countries = json_pack("[s]", "LB"),
                .regions = json_array()};
  assert_int_equal(store_crisis_create(c, &k), BH_OK);
  json_decref(k.countries);
  json_decref(k.regions);
  alert_t al = {.crisis_id = k.id, .status = "sending", .subject_vi = "Cảnh báo",
                .subject_en = "Alert", .body_vi = "Xin ở trong nhà.", .body_en = "Stay indoors.",
                .channels = json_pack("[s]", "email"), .ask_checkin = 1, .created_at = 1000};
  alert_extra_t x = {0};
  assert_int_equal(store_alert_create(c, &al, &x), BH_OK);
  json_decref(al.channels);
  *crisis_id = k.id;
  *alert_id = al.id;
}

/* The same crisis, alert, persons and open cases in every database it is run on; *alert_id is
 * the alert, whose link of person i has the token hash {i + 1, 0x5a, 0...}. */
static void pgc_world(store_conn_t *c, int64_t *alert_id) {
  int64_t crisis_id = 0;
  pgc_crisis_alert(c, "Case batch", &crisis_id, alert_id);
  /* Persons 0 and 3 were registered by a mission: their cases belong to it. */
  mission_t m = {.kind = "embassy", .name = "Đại sứ quán Beirut", .city = "Beirut",
                 .timezone = "Asia/Beirut", .jurisdiction = json_pack("[s]", "LB")};
  memcpy(m.country, "LB", 3);
  assert_int_equal(store_mission_create(c, &m), BH_OK);
  json_decref(m.jurisdiction);
  for (int i = 0; i < PGC_PERSONS; i++) {
    char name[32];
    snprintf(name, sizeof(name), "Nguyễn Văn %d", i);
    person_t p = {.full_name = name, .sex = "M", .source = "manual", .status = "unknown",
                  .flags = i == 1 ? json_pack("[s]", "minor") : json_array(),
                  .owner_mission_id = i == 0 || i == 3 ? m.id : 0};
    assert_int_equal(store_person_create(c, &p), BH_OK);
    json_decref(p.flags);
    alert_recipient_in_t in = {.person_id = p.id, .lang = "vi", .token_hash = {(unsigned char)(i + 1), 0x5a}};
    assert_int_equal(store_alert_add_recipient(c, *alert_id, &in, 0, 0, 1000), BH_OK);
    if (i == 3 || i == 4) {
      assert_int_equal(store_case_from_checkin(c, crisis_id, p.id, *alert_id, "earlier", NULL,
                                               1500, NULL, NULL),
                       BH_OK);
    }
  }
  assert_int_equal(store_alert_set_recipients(c, *alert_id, PGC_PERSONS, 0, 1000), BH_OK);
}

/* The answers of the batch: a "need help" from every person but 2, who is safe, and an unknown
 * link. hashes holds their token hashes. */
static size_t pgc_answers(unsigned char hashes[][SECRET_TOKEN_HASH_BYTES], checkin_answer_t *out) {
  static const char *const messages[PGC_PERSONS] = {"Chúng tôi bị kẹt \"ở\" nhà", "Em bé sợ",
                                                    NULL, NULL, "Hết nước", NULL};
  static const char *const locations[PGC_PERSONS] = {"Hamra, Beirut", NULL, NULL, "Tyre",
                                                     NULL, NULL};
  size_t n = 0;
  for (int i = 0; i <= PGC_PERSONS; i++) {
    memset(hashes[i], 0, SECRET_TOKEN_HASH_BYTES);
    hashes[i][0] = (unsigned char)(i + 1);
    hashes[i][1] = 0x5a;
    out[n++] = (checkin_answer_t){.token_hash = hashes[i],
                                  .answer = i == 2 ? "safe" : "need_help",
                                  .message = i < PGC_PERSONS ? messages[i] : NULL,
                                  .location = i < PGC_PERSONS ? locations[i] : NULL,
                                  .source = "web"};
  }
  return n;
}

/* The answer *it as the check-in job records it one by one (api_checkin.c). */
static void pgc_answer_alone(store_conn_t *c, checkin_answer_t *it, int64_t at) {
  arena_t *a = arena_new(64 * 1024);
  checkin_target_t t;
  int rc = store_checkin_target(c, it->token_hash, a, &t);
  if (rc == BH_ERR_NOT_FOUND) {
    arena_free(a);
    return;
  }
  assert_int_equal(rc, BH_OK);
  checkin_t k = {.target = &t, .answer = it->answer, .message = it->message,
                 .location = it->location, .source = it->source, .at = at};
  assert_int_equal(store_checkin_record(c, &k), BH_OK);
  const char *status = alert_answer_status(it->answer);
  if (t.person_status == NULL || strcmp(t.person_status, status) != 0) {
    status_event_t ev = {.person_id = t.person_id, .status = status, .at = at,
                         .source = "check_in", .note = it->message};
    assert_int_equal(store_status_set(c, &STORE_SCOPE_ALL, &ev), BH_OK);
  }
  if (strcmp(it->answer, "need_help") == 0) {
    assert_int_equal(store_case_from_checkin(c, t.crisis_id, t.person_id, t.alert_id,
                                             it->message, it->location, at, NULL, NULL),
                     BH_OK);
  }
  arena_free(a);
}

/* The first value of the answer to sql in the database at url (free()). */
static char *pgc_text(const char *url, const char *sql) {
  PGconn *db = PQconnectdb(url);
  PGresult *res = PQexec(db, sql);
  assert_int_equal(PQresultStatus(res), PGRES_TUPLES_OK);
  char *text = strdup(PQgetvalue(res, 0, 0));
  PQclear(res);
  PQfinish(db);
  return text;
}

/* The n answers of items at time at: on ref answer by answer (pgc_answer_alone, with
 * store_case_from_checkin), on c as one batch (store_checkin_answers); each committed. */
static void pgc_both_ways(store_conn_t *c, store_conn_t *ref, checkin_answer_t *items, size_t n,
                          int64_t at) {
  assert_int_equal(store_begin_write(ref), BH_OK);
  for (size_t i = 0; i < n; i++) pgc_answer_alone(ref, &items[i], at);
  assert_int_equal(store_commit(ref), BH_OK);
  assert_int_equal(store_begin_write(c), BH_OK);
  assert_int_equal(store_checkin_answers(c, items, n, at), BH_OK);
  assert_int_equal(store_commit(c), BH_OK);
}

/* The cases, their persons and their events in the database at url, as text in id order. */
static char *pgc_cases_dump(const char *url) {
  return pgc_text(url, "SELECT (SELECT string_agg(row_to_json(c)::text, E'\\n' ORDER BY c.id)"
                       " FROM cases c) || E'\\n' || (SELECT string_agg(row_to_json(p)::text,"
                       " E'\\n' ORDER BY p.case_id, p.person_id) FROM case_persons p) ||"
                       " E'\\n' || (SELECT string_agg(row_to_json(e)::text, E'\\n' ORDER BY"
                       " e.id) FROM case_events e)");
}

/* How many rows the query counts in the database at url. */
static long pgc_rows(const char *url, const char *sql) {
  PGconn *db = PQconnectdb(url);
  PGresult *res = PQexec(db, sql);
  assert_int_equal(PQresultStatus(res), PGRES_TUPLES_OK);
  long n = strtol(PQgetvalue(res, 0, 0), NULL, 10);
  PQclear(res);
  PQfinish(db);
  return n;
}

static void pg_batch_cases_match_the_answer_by_answer_cases(void **state) {
  store_conn_t *c = pgc_conn(state);
  char ref_url[1300];
  store_t *ref = NULL;
  pgc_open_ref(ref_url, sizeof(ref_url), &ref);
  store_conn_t *rc_conn = store_conn(ref);
  int64_t alert_batch = 0, alert_ref = 0;
  assert_int_equal(store_begin_write(c), BH_OK);
  pgc_world(c, &alert_batch);
  assert_int_equal(store_commit(c), BH_OK);
  assert_int_equal(store_begin_write(rc_conn), BH_OK);
  pgc_world(rc_conn, &alert_ref);
  assert_int_equal(store_commit(rc_conn), BH_OK);
  assert_int_equal(alert_batch, alert_ref);
  unsigned char hashes[PGC_PERSONS + 1][SECRET_TOKEN_HASH_BYTES];
  checkin_answer_t items[PGC_PERSONS + 1];
  size_t n = pgc_answers(hashes, items);
  pgc_both_ways(c, rc_conn, items, n, 2000);
  for (size_t i = 0; i < n; i++) {
    assert_int_equal(items[i].rc, i < PGC_PERSONS ? BH_OK : BH_ERR_NOT_FOUND);
  }
  /* Two cases before; three new (persons 0, 1, 5); two "check_in" events on the open ones. */
  assert_int_equal(pgc_rows(pgc_db_url, "SELECT count(*) FROM cases"), 5);
  assert_int_equal(pgc_rows(pgc_db_url, "SELECT count(*) FROM case_events WHERE kind = 'check_in'"), 2);
  assert_int_equal(pgc_rows(pgc_db_url, "SELECT count(*) FROM case_events WHERE kind = 'created'"), 5);
  assert_int_equal(pgc_rows(pgc_db_url, "SELECT count(DISTINCT priority) FROM cases"), 2);
  assert_int_equal(pgc_rows(pgc_db_url, "SELECT count(*) FROM cases WHERE mission_id IS NOT NULL"), 2);
  char *batch = pgc_cases_dump(pgc_db_url);
  char *alone = pgc_cases_dump(ref_url);
  assert_non_null(strstr(batch, "\"kind\":\"check_in\""));
  assert_string_equal(batch, alone);
  free(batch);
  free(alone);
  pgc_close_ref(ref);
}

/* A crisis, an alert and n persons (status "unknown") with a link each, whose token hash is
 * {tag, i + 1, 0...}; committed. persons gets their ids, *crisis_id the crisis. */
static void pgf_world(store_conn_t *c, unsigned char tag, int n, int64_t *persons,
                      int64_t *crisis_id) {
  assert_int_equal(store_begin_write(c), BH_OK);
  int64_t alert_id = 0;
  pgc_crisis_alert(c, "Batch order", crisis_id, &alert_id);
  for (int i = 0; i < n; i++) {
    char name[32];
    snprintf(name, sizeof(name), "Trần Thị %d", i);
    person_t p = {.full_name = name, .sex = "F", .source = "manual", .status = "unknown",
                  .flags = json_array()};
    assert_int_equal(store_person_create(c, &p), BH_OK);
    json_decref(p.flags);
    persons[i] = p.id;
    alert_recipient_in_t in = {.person_id = p.id, .lang = "vi",
                               .token_hash = {tag, (unsigned char)(i + 1)}};
    assert_int_equal(store_alert_add_recipient(c, alert_id, &in, 0, 0, 1000), BH_OK);
  }
  assert_int_equal(store_alert_set_recipients(c, alert_id, n, 0, 1000), BH_OK);
  assert_int_equal(store_commit(c), BH_OK);
}

/* The check-ins, status history, statuses and recipients' answers of the persons of the crisis,
 * as text in id order, each row naming its person (ids differ between databases). */
static char *pgf_answers_dump(const char *url, int64_t crisis_id) {
  char sql[1024];
  snprintf(sql, sizeof(sql),
           "SELECT (SELECT string_agg(concat_ws(' ', p.full_name, k.answer, k.message,"
           " k.location, k.source, k.at), E'\\n' ORDER BY k.id) FROM checkins k JOIN persons p"
           " ON p.id = k.person_id WHERE k.crisis_id = %lld) || E'\\n' || (SELECT"
           " string_agg(concat_ws(' ', p.full_name, e.status, e.at, e.source, e.note), E'\\n'"
           " ORDER BY e.id) FROM status_events e JOIN persons p ON p.id = e.person_id WHERE"
           " e.person_id IN (SELECT person_id FROM checkins WHERE crisis_id = %lld)) || E'\\n'"
           " || (SELECT string_agg(concat_ws(' ', p.full_name, p.status, p.status_at, r.answer,"
           " r.answered_at), E'\\n' ORDER BY p.id) FROM persons p JOIN alert_recipients r ON"
           " r.person_id = p.id JOIN alerts a ON a.id = r.alert_id WHERE a.crisis_id = %lld)",
           (long long)crisis_id, (long long)crisis_id, (long long)crisis_id);
  return pgc_text(url, sql);
}

/* The two worlds of a comparison: pgf_world with tag on c and on ref (persons, persons_ref,
 * *crisis, *crisis_ref), and in h the token hashes of their n links. */
static void pgf_worlds(store_conn_t *c, store_conn_t *ref, unsigned char tag, int n,
                       int64_t *persons, int64_t *persons_ref, int64_t *crisis,
                       int64_t *crisis_ref, unsigned char (*h)[SECRET_TOKEN_HASH_BYTES]) {
  pgf_world(c, tag, n, persons, crisis);
  pgf_world(ref, tag, n, persons_ref, crisis_ref);
  for (int i = 0; i < n; i++) {
    memset(h[i], 0, SECRET_TOKEN_HASH_BYTES);
    h[i][0] = tag;
    h[i][1] = (unsigned char)(i + 1);
  }
}

/*
 * Answers that see one another: a link answered twice with different answers, then again with
 * the first; a person whose second answer changes nothing; a "need help" among them. The batch
 * must write what the same answers write one by one (pgc_answer_alone): the same check-ins, one
 * status entry per change in order, the latest answer and status.
 */
static void pg_batch_with_a_person_twice_matches_the_answers_one_by_one(void **state) {
  store_conn_t *c = pgc_conn(state);
  char ref_url[1300];
  store_t *ref = NULL;
  pgc_open_ref(ref_url, sizeof(ref_url), &ref);
  store_conn_t *rc_conn = store_conn(ref);
  enum { N = 3 };
  int64_t persons[N], persons_ref[N], crisis = 0, crisis_ref = 0;
  unsigned char h[N][SECRET_TOKEN_HASH_BYTES];
  pgf_worlds(c, rc_conn, 0xb1, N, persons, persons_ref, &crisis, &crisis_ref, h);
  checkin_answer_t items[] = {
      {.token_hash = h[0], .answer = "safe", .source = "web", .message = "ổn"},
      {.token_hash = h[1], .answer = "safe", .source = "web"},
      {.token_hash = h[0], .answer = "not_in_area", .source = "web", .message = "đã đi"},
      {.token_hash = h[2], .answer = "need_help", .source = "web", .message = "cứu"},
      {.token_hash = h[1], .answer = "safe", .source = "sms"},
      {.token_hash = h[0], .answer = "safe", .source = "web"},
  };
  size_t n = sizeof(items) / sizeof(items[0]);
  pgc_both_ways(c, rc_conn, items, n, 3000);
  for (size_t i = 0; i < n; i++) {
    assert_int_equal(items[i].rc, BH_OK);
    assert_true(items[i].checkin_id > 0);
  }
  assert_true(items[5].checkin_id > items[4].checkin_id);
  char *batch = pgf_answers_dump(pgc_db_url, crisis);
  char *alone = pgf_answers_dump(ref_url, crisis_ref);
  /* Person 0: unknown, safe, left_area, safe: three entries; person 1: one. */
  assert_non_null(strstr(batch, "left_area"));
  assert_string_equal(batch, alone);
  free(batch);
  free(alone);
  pgc_close_ref(ref);
}

/*
 * The same answers given again in a later batch (a citizen pressing "safe" twice, an SMS sent
 * again): each is recorded as a check-in, nothing else changes (no status entry, the recipient's
 * answer keeps its first time), and a second "need help" adds an event to the case the first one
 * opened. Batch and answer by answer must agree on all of it.
 */
static void pg_answers_given_again_are_recorded_and_change_nothing_else(void **state) {
  store_conn_t *c = pgc_conn(state);
  char ref_url[1300];
  store_t *ref = NULL;
  pgc_open_ref(ref_url, sizeof(ref_url), &ref);
  store_conn_t *rc_conn = store_conn(ref);
  enum { N = 3 };
  int64_t persons[N], persons_ref[N], crisis = 0, crisis_ref = 0;
  unsigned char h[N][SECRET_TOKEN_HASH_BYTES];
  pgf_worlds(c, rc_conn, 0xd3, N, persons, persons_ref, &crisis, &crisis_ref, h);
  static const char *const answers[N] = {"safe", "need_help", "not_in_area"};
  for (int round = 0; round < 2; round++) {
    checkin_answer_t items[N];
    for (int i = 0; i < N; i++) {
      items[i] = (checkin_answer_t){.token_hash = h[i], .answer = answers[i], .source = "web"};
    }
    pgc_both_ways(c, rc_conn, items, N, 3000 + 500 * round);
    for (int i = 0; i < N; i++) assert_int_equal(items[i].rc, BH_OK);
  }
  char sql[512];
  snprintf(sql, sizeof(sql), "SELECT count(*) FROM checkins WHERE crisis_id = %lld",
           (long long)crisis);
  assert_int_equal(pgc_rows(pgc_db_url, sql), 2 * N);
  snprintf(sql, sizeof(sql),
           "SELECT count(*) FROM status_events WHERE person_id IN (SELECT person_id FROM"
           " checkins WHERE crisis_id = %lld)",
           (long long)crisis);
  assert_int_equal(pgc_rows(pgc_db_url, sql), N);
  snprintf(sql, sizeof(sql),
           "SELECT count(*) FROM alert_recipients r JOIN alerts a ON a.id = r.alert_id"
           " WHERE a.crisis_id = %lld AND r.answered_at = 3000",
           (long long)crisis);
  assert_int_equal(pgc_rows(pgc_db_url, sql), N);
  snprintf(sql, sizeof(sql),
           "SELECT count(*) FROM case_events e JOIN cases k ON k.id = e.case_id JOIN"
           " case_persons p ON p.case_id = k.id WHERE k.crisis_id = %lld AND p.person_id = %lld",
           (long long)crisis, (long long)persons[1]);
  assert_int_equal(pgc_rows(pgc_db_url, sql), 2);
  snprintf(sql, sizeof(sql), "SELECT count(*) FROM cases WHERE crisis_id = %lld",
           (long long)crisis);
  assert_int_equal(pgc_rows(pgc_db_url, sql), 1);
  char *batch = pgf_answers_dump(pgc_db_url, crisis);
  char *alone = pgf_answers_dump(ref_url, crisis_ref);
  assert_string_equal(batch, alone);
  free(batch);
  free(alone);
  pgc_close_ref(ref);
}

/*
 * A crisis begins on tables the planner believes small (analysed when they held a few rows): the
 * batch functions still find cases, persons and links by their keys. A plan cached with a
 * sequential scan would read the whole of cases for every case the surge opens until
 * autovacuum analyses the table again (bench/README.md, "A plan made on small tables").
 */
static void pg_batches_find_rows_by_key_on_tables_analysed_small(void **state) {
  store_conn_t *c = pgc_conn(state);
  enum { N = 12 };
  int64_t persons[N], crisis = 0;
  pgf_world(c, 0xe1, N, persons, &crisis);
  PGconn *admin = PQconnectdb(pgc_db_url);
  PGresult *res = PQexec(admin, "ANALYZE cases, case_persons, case_events, checkins, persons,"
                                " presences, crises, alerts, alert_recipients, status_events");
  assert_int_equal(PQresultStatus(res), PGRES_COMMAND_OK);
  PQclear(res);
  PQfinish(admin);
  unsigned char h[N][SECRET_TOKEN_HASH_BYTES];
  checkin_answer_t items[N];
  for (int i = 0; i < N; i++) {
    memset(h[i], 0, SECRET_TOKEN_HASH_BYTES);
    h[i][0] = 0xe1;
    h[i][1] = (unsigned char)(i + 1);
    items[i] = (checkin_answer_t){.token_hash = h[i], .answer = "need_help", .source = "web"};
  }
  assert_int_equal(store_begin_write(c), BH_OK);
  assert_int_equal(store_checkin_answers(c, items, N, 4000), BH_OK);
  for (int i = 0; i < N; i++) assert_int_equal(items[i].rc, BH_OK);
  /* The scans of this transaction, on this backend, before it commits. */
  res = PQexec(c->pg->db, "SELECT coalesce(string_agg(relname || '=' || seq_scan, ' ' ORDER BY"
                          " relname), '') FROM pg_stat_xact_user_tables WHERE seq_scan > 0");
  assert_int_equal(PQresultStatus(res), PGRES_TUPLES_OK);
  assert_string_equal(PQgetvalue(res, 0, 0), "");
  PQclear(res);
  assert_int_equal(store_commit(c), BH_OK);
  char sql[256];
  snprintf(sql, sizeof(sql), "SELECT count(*) FROM cases WHERE crisis_id = %lld",
           (long long)crisis);
  assert_int_equal(pgc_rows(pgc_db_url, sql), N);
}

/* Runs sql on a connection of its own (each statement alone, as VACUUM wants). */
static void pgf_admin(const char *sql) {
  PGconn *admin = PQconnectdb(pgc_db_url);
  PGresult *res = PQexec(admin, sql);
  if (PQresultStatus(res) != PGRES_COMMAND_OK) fail_msg("%s: %s", sql, PQerrorMessage(admin));
  PQclear(res);
  PQfinish(admin);
}

/* Claims key "k<i>" of scope "pgidem" and keeps a short answer under it, in c's transaction. */
static void pgf_idem_key(store_conn_t *c, arena_t *a, int i) {
  char key[32];
  snprintf(key, sizeof(key), "k%d", i);
  store_idem_t old;
  assert_int_equal(store_idem_claim(c, "pgidem", key, 5000, a, &old), BH_OK);
  assert_false(old.found);
  store_idem_t ans = {.status = 200, .content_type = "text/plain", .headers = "",
                      .body = (const unsigned char *)"ok", .body_len = 2};
  assert_int_equal(store_idem_store(c, "pgidem", key, &ans, 5000), BH_OK);
}

/*
 * A crisis begins with no idempotency key kept, and the table analysed empty: a key is still
 * found by its key when the table has grown. The lookup's plan, made while the table was empty
 * and cached for the session, read the whole table for every keyed answer until autovacuum
 * analysed it again (bench/README.md, "Answers with a key keep the answer, not the page").
 */
static void pg_idempotency_keys_found_by_key_on_a_table_analysed_empty(void **state) {
  store_conn_t *c = pgc_conn(state);
  arena_t *a = arena_new(1 << 20);
  assert_non_null(a);
  pgf_admin("DELETE FROM idempotency_keys");
  pgf_admin("VACUUM (ANALYZE) idempotency_keys");
  /* Keys claimed one transaction each while the table is (nearly) empty: the session's plans are
   * made and cached then (a generic plan after the fifth execution). */
  for (int i = 0; i < 8; i++) {
    assert_int_equal(store_begin_write(c), BH_OK);
    pgf_idem_key(c, a, i);
    assert_int_equal(store_commit(c), BH_OK);
  }
  pgf_admin("INSERT INTO idempotency_keys(scope, idem_key, request_hash, status, content_type,"
            " headers, body, created_at) SELECT 'pgidem-other', 'o' || g, '\\x00', 200,"
            " 'text/plain', '', '\\x00', 5000 FROM generate_series(1, 5000) g");
  assert_int_equal(store_begin_write(c), BH_OK);
  for (int i = 8; i < 12; i++) pgf_idem_key(c, a, i);
  PGresult *res = PQexec(c->pg->db, "SELECT coalesce(sum(seq_scan), 0) FROM"
                                    " pg_stat_xact_user_tables WHERE relname = 'idempotency_keys'");
  assert_int_equal(PQresultStatus(res), PGRES_TUPLES_OK);
  assert_string_equal(PQgetvalue(res, 0, 0), "0");
  PQclear(res);
  assert_int_equal(store_commit(c), BH_OK);
  arena_free(a);
}

/*
 * The keys of a batch claimed and kept in one call each: a new key is claimed, a key kept before
 * gives back its answer byte for byte (hash and body with NUL, quote, backslash, comma and
 * high bytes), a key that another transaction holds is in progress; what the batch keeps is
 * found again the same way.
 */
static void pg_idem_keys_of_a_batch_claimed_and_kept_at_once(void **state) {
  store_conn_t *c = pgc_conn(state);
  arena_t *a = arena_new(1 << 20);
  assert_non_null(a);
  static const unsigned char body[] = {0x00, 0xff, '"', '\\', ',', '{', 'x', 0x80, '}'};
  store_idem_t kept = {.status = 201, .content_type = "text/x-\"odd\", {1}",
                       .headers = "A: b\nC: \\d\n", .body = body, .body_len = sizeof(body)};
  for (int i = 0; i < STORE_IDEM_HASH_BYTES; i++) kept.hash[i] = (unsigned char)(255 - 7 * i);
  assert_int_equal(store_begin_write(c), BH_OK);
  assert_int_equal(store_idem_store(c, "pgmany", "k-b", &kept, 6000), BH_OK);
  assert_int_equal(store_commit(c), BH_OK);
  /* Another transaction holds k-c. */
  PGconn *other = PQconnectdb(pgc_db_url);
  PGresult *res = PQexec(other, "BEGIN; SELECT pg_advisory_xact_lock(8, hashtext('pgmany k-c'))");
  assert_int_equal(PQresultStatus(res), PGRES_TUPLES_OK);
  PQclear(res);
  store_idem_t old[3];
  store_idem_item_t items[3] = {{.scope = "pgmany", .key = "k-a", .arena = a, .old = &old[0]},
                                {.scope = "pgmany", .key = "k-b", .arena = a, .old = &old[1]},
                                {.scope = "pgmany", .key = "k-c", .arena = a, .old = &old[2]}};
  assert_int_equal(store_begin_write(c), BH_OK);
  assert_int_equal(store_idem_claim_many(c, items, 3, 6001), BH_OK);
  assert_int_equal(items[0].rc, BH_OK);
  assert_false(old[0].found);
  assert_int_equal(items[1].rc, BH_OK);
  assert_true(old[1].found);
  assert_int_equal(old[1].status, 201);
  assert_string_equal(old[1].content_type, kept.content_type);
  assert_string_equal(old[1].headers, kept.headers);
  assert_int_equal(old[1].body_len, sizeof(body));
  assert_memory_equal(old[1].body, body, sizeof(body));
  assert_memory_equal(old[1].hash, kept.hash, STORE_IDEM_HASH_BYTES);
  assert_int_equal(items[2].rc, BH_ERR_IDEM_IN_PROGRESS);
  /* The new key keeps the same odd answer; found again once committed. */
  items[0].ans = &kept;
  assert_int_equal(store_idem_store_many(c, items, 1, 6001), BH_OK);
  assert_int_equal(store_commit(c), BH_OK);
  res = PQexec(other, "ROLLBACK");
  PQclear(res);
  PQfinish(other);
  assert_int_equal(store_begin_write(c), BH_OK);
  assert_int_equal(store_idem_claim_many(c, items, 3, 6002), BH_OK);
  for (int i = 0; i < 2; i++) {
    assert_int_equal(items[i].rc, BH_OK);
    assert_true(old[i].found);
    assert_int_equal(old[i].body_len, sizeof(body));
    assert_memory_equal(old[i].body, body, sizeof(body));
    assert_memory_equal(old[i].hash, kept.hash, STORE_IDEM_HASH_BYTES);
    assert_string_equal(old[i].headers, kept.headers);
  }
  assert_int_equal(items[2].rc, BH_OK);
  assert_false(old[2].found);
  assert_int_equal(store_rollback(c), BH_OK);
  arena_free(a);
}

/* One batch of answers recorded and committed by a thread of its own. */
typedef struct pgf_batch {
  store_conn_t *c;
  checkin_answer_t *items;
  size_t n;
  int rc;
} pgf_batch_t;

static void *pgf_batch_main(void *arg) {
  pgf_batch_t *b = arg;
  b->rc = store_begin_write(b->c);
  if (b->rc == BH_OK) b->rc = store_checkin_answers(b->c, b->items, b->n, 4000);
  if (b->rc == BH_OK) {
    b->rc = store_commit(b->c);
  } else {
    store_rollback(b->c);
  }
  return NULL;
}

/*
 * Two transactions answering for the same person at once (two writer threads): the second one
 * waits for the first's lock on the person, then sees the status the first wrote and adds no
 * second history entry for the same change. Deterministic: the first transaction is held open
 * here until the batch's backend is seen waiting for a lock.
 */
static void pg_concurrent_answers_add_one_status_entry(void **state) {
  store_conn_t *c = pgc_conn(state);
  int64_t person = 0, crisis = 0;
  pgf_world(c, 0xc2, 1, &person, &crisis);
  PGconn *first = PQconnectdb(pgc_db_url);
  PGconn *watch = PQconnectdb(pgc_db_url);
  assert_int_equal(PQstatus(first), CONNECTION_OK);
  assert_int_equal(PQstatus(watch), CONNECTION_OK);
  char sql[512];
  snprintf(sql, sizeof(sql),
           "BEGIN; UPDATE persons SET status = 'safe', status_at = 4000 WHERE id = %lld;"
           " INSERT INTO status_events(person_id, status, at, source) VALUES (%lld, 'safe', 4000,"
           " 'check_in')",
           (long long)person, (long long)person);
  PGresult *res = PQexec(first, sql);
  assert_int_equal(PQresultStatus(res), PGRES_COMMAND_OK);
  PQclear(res);
  unsigned char h[SECRET_TOKEN_HASH_BYTES] = {0xc2, 1};
  checkin_answer_t item = {.token_hash = h, .answer = "safe", .source = "web"};
  pgf_batch_t b = {.c = c, .items = &item, .n = 1};
  pthread_t t;
  assert_int_equal(pthread_create(&t, NULL, pgf_batch_main, &b), 0);
  int waiting = 0;
  for (int i = 0; i < 1000 && !waiting; i++) {
    res = PQexec(watch, "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                        " AND wait_event_type = 'Lock' AND query LIKE '%checkin_answers%'");
    assert_int_equal(PQresultStatus(res), PGRES_TUPLES_OK);
    waiting = atoi(PQgetvalue(res, 0, 0)) > 0;
    PQclear(res);
    if (!waiting) usleep(10000);
  }
  assert_true(waiting);
  res = PQexec(first, "COMMIT");
  assert_int_equal(PQresultStatus(res), PGRES_COMMAND_OK);
  PQclear(res);
  assert_int_equal(pthread_join(t, NULL), 0);
  assert_int_equal(b.rc, BH_OK);
  assert_int_equal(item.rc, BH_OK);
  snprintf(sql, sizeof(sql), "SELECT count(*) FROM status_events WHERE person_id = %lld",
           (long long)person);
  assert_int_equal(pgc_rows(pgc_db_url, sql), 1);
  snprintf(sql, sizeof(sql), "SELECT count(*) FROM checkins WHERE person_id = %lld",
           (long long)person);
  assert_int_equal(pgc_rows(pgc_db_url, sql), 1);
  PQfinish(first);
  PQfinish(watch);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(pg_batch_keeps_jobs_around_a_failed_one),
      cmocka_unit_test(pg_failure_carried_past_a_savepoint_never_commits),
      cmocka_unit_test(pg_transactions_without_statements_cost_nothing_and_end),
      cmocka_unit_test(pg_rollback_drops_the_whole_batch),
      cmocka_unit_test(pg_sessions_run_without_jit),
      cmocka_unit_test(pg_failed_group_reruns_its_jobs_alone),
      cmocka_unit_test(pg_batch_cases_match_the_answer_by_answer_cases),
      cmocka_unit_test(pg_batch_with_a_person_twice_matches_the_answers_one_by_one),
      cmocka_unit_test(pg_concurrent_answers_add_one_status_entry),
      cmocka_unit_test(pg_answers_given_again_are_recorded_and_change_nothing_else),
      cmocka_unit_test(pg_batches_find_rows_by_key_on_tables_analysed_small),
      cmocka_unit_test(pg_idempotency_keys_found_by_key_on_a_table_analysed_empty),
      cmocka_unit_test(pg_idem_keys_of_a_batch_claimed_and_kept_at_once),
  };
  return cmocka_run_group_tests(tests, pgc_setup, pgc_teardown);
}
