/*
 * store_checkin_batch.c - store_checkin_answers (store_checkin_batch.h): on PostgreSQL one call
 * of the server function checkin_answers (migration_pgfast) with the batch's answers as arrays,
 * which also reads what the cases of its "need help" answers depend on, then one call of
 * checkin_cases (migration_pgcase) for those cases (pgk_cases); on SQLite the statements of
 * store_alert.h and store_case_from_checkin answer by answer.
 */
#include "store/store_checkin_batch.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alert/alert.h"
#include "domain/secret.h"
#include "store/store_case.h"
#include "store/store_case_impl.h"
#include "store/store_pg_int.h"
#include "util/arena.h"
#include "util/buf.h"
#include "util/err.h"

/* The arrays of one call: 7 columns of text, then whether to read the answer's case facts. */
enum { PGK_HASH, PGK_PHONE, PGK_ANSWER, PGK_STATUS, PGK_MESSAGE, PGK_LOCATION, PGK_SOURCE,
       PGK_CASE, PGK_NCOLS };
/* The columns of its answer. */
enum { PGK_OUTCOME, PGK_RECIPIENT, PGK_ALERT, PGK_PERSON, PGK_CRISIS, PGK_CHECKIN, PGK_OPEN,
       PGK_FLAGS, PGK_PSTATUS, PGK_MISSION };
/* Bytes of one array at most: every element a message of ALERT_CHECKIN_TEXT_MAX bytes, each
 * escaped (twice as long at worst), quoted and separated. A longer text fails the call (the
 * writer then records its answers one by one). */
#define PGK_ARRAY_MAX (CHECKIN_ANSWERS_MAX * (2 * ALERT_CHECKIN_TEXT_MAX + 4) + 2)

static const char pgk_call[] =
    "SELECT o_outcome, o_recipient, o_alert, o_person, o_crisis, o_checkin, o_open, o_flags,"
    " o_status, o_mission FROM checkin_answers($1::text[], $2::text[], $3::text[], $4::text[],"
    " $5::text[], $6::text[], $7::text[], $8::boolean[], $9::bigint)";

/* 1 if the answer *it, once recorded, opens a case or adds to one (store_case_from_checkin). */
static int answer_wants_case(const checkin_answer_t *it) {
  return strcmp(it->answer, "need_help") == 0;
}

/*
 * Closes the ncols array literals of cols and runs sql with them, then at, as its parameters;
 * *res (to PQclear) has the n rows of its answer, or the call fails (BH_ERR_DB when the count
 * differs).
 */
static int pgk_call_arrays(pg_conn_t *c, const char *sql, buf_t *cols, int ncols, int64_t at,
                           size_t n, PGresult **res) {
  pg_params_t p = {0};
  int rc = BH_OK;
  for (int k = 0; k < ncols && rc == BH_OK; k++) {
    rc = buf_putc(&cols[k], '}');
    pgp_text(&p, cols[k].data);
  }
  pgp_i64(&p, at);
  if (rc == BH_OK) rc = pg_run_sql(c, sql, &p, res);
  if (rc == BH_OK && (size_t)PQntuples(*res) != n) rc = BH_ERR_DB;
  return rc;
}

/* The token hash of an answer in hex (decoded by the function), or NULL. */
static const char *pgk_hash_hex(const checkin_answer_t *it, char *out) {
  static const char hex[] = "0123456789abcdef";
  if (it->token_hash == NULL) return NULL;
  for (size_t i = 0; i < SECRET_TOKEN_HASH_BYTES; i++) {
    out[2 * i] = hex[it->token_hash[i] >> 4];
    out[2 * i + 1] = hex[it->token_hash[i] & 15];
  }
  out[2 * SECRET_TOKEN_HASH_BYTES] = '\0';
  return out;
}

/* Records the n answers of items with one call of checkin_answers; *res (to PQclear) keeps its
 * rows, whose case facts pgk_cases reads. */
static int pgk_answers(pg_conn_t *c, checkin_answer_t *items, size_t n, int64_t at,
                       PGresult **res) {
  buf_t cols[PGK_NCOLS];
  for (int k = 0; k < PGK_NCOLS; k++) buf_init(&cols[k], PGK_ARRAY_MAX);
  int rc = BH_OK;
  for (size_t i = 0; i < n && rc == BH_OK; i++) {
    const checkin_answer_t *it = &items[i];
    char hex[2 * SECRET_TOKEN_HASH_BYTES + 1];
    const char *v[PGK_NCOLS] = {pgk_hash_hex(it, hex), it->token_hash ? NULL : it->phone,
                                it->answer, alert_answer_status(it->answer), it->message,
                                it->location, it->source, answer_wants_case(it) ? "t" : "f"};
    for (int k = 0; k < PGK_NCOLS && rc == BH_OK; k++) rc = pg_array_element(&cols[k], v[k]);
  }
  if (rc == BH_OK) rc = pgk_call_arrays(c, pgk_call, cols, PGK_NCOLS, at, n, res);
  for (size_t i = 0; i < n && rc == BH_OK; i++) {
    checkin_answer_t *it = &items[i];
    const PGresult *r = *res;
    int outcome = (int)pg_col_i64(r, (int)i, PGK_OUTCOME);
    it->rc = outcome == 0 ? BH_OK : outcome == 2 ? BH_ERR_CONFLICT : BH_ERR_NOT_FOUND;
    it->target = (checkin_target_t){.recipient_id = pg_col_i64(r, (int)i, PGK_RECIPIENT),
                                    .alert_id = pg_col_i64(r, (int)i, PGK_ALERT),
                                    .person_id = pg_col_i64(r, (int)i, PGK_PERSON),
                                    .crisis_id = pg_col_i64(r, (int)i, PGK_CRISIS)};
    it->checkin_id = pg_col_i64(r, (int)i, PGK_CHECKIN);
  }
  for (int k = 0; k < PGK_NCOLS; k++) buf_free(&cols[k]);
  return rc;
}

/* The arrays of a checkin_cases call (migration_pgcase): 16 columns, then the time. */
enum { PGKC_OPEN, PGKC_PERSON, PGKC_CRISIS, PGKC_MISSION, PGKC_TYPE, PGKC_STATUS, PGKC_PRIORITY,
       PGKC_COMPUTED, PGKC_RANK, PGKC_CHANNEL, PGKC_DUE, PGKC_SUMMARY, PGKC_DESCRIPTION, PGKC_KIND,
       PGKC_DETAIL, PGKC_NOTE, PGKC_NCOLS };
/* Bytes of one array at most: every element a note or detail escaped for JSON (six bytes a byte
 * at worst) and for the array (twice). A longer batch fails (its answers then go one by one). */
#define PGKC_ARRAY_MAX (CHECKIN_ANSWERS_MAX * (12 * CASE_CHECKIN_NOTE_MAX + 4) + 2)

static const char pgk_cases_call[] =
    "SELECT o_case FROM checkin_cases($1::bigint[], $2::bigint[], $3::bigint[], $4::bigint[],"
    " $5::text[], $6::text[], $7::int[], $8::int[], $9::int[], $10::text[], $11::bigint[],"
    " $12::text[], $13::text[], $14::text[], $15::text[], $16::text[], $17::bigint)";

/* The decimal text of v in out, or NULL when v is 0 and zero_null. */
static const char *pgk_num(int64_t v, int zero_null, char out[24]) {
  if (v == 0 && zero_null) return NULL;
  snprintf(out, 24, "%lld", (long long)v);
  return out;
}

/* Writes the n planned cases of plans with one call of checkin_cases. */
static int pgk_cases_write(pg_conn_t *c, const case_checkin_t *plans, size_t n, int64_t at) {
  buf_t cols[PGKC_NCOLS];
  for (int k = 0; k < PGKC_NCOLS; k++) buf_init(&cols[k], PGKC_ARRAY_MAX);
  int rc = BH_OK;
  for (size_t i = 0; i < n && rc == BH_OK; i++) {
    const case_checkin_t *p = &plans[i];
    const case_t *k = &p->k;
    int fresh = p->open_case_id == 0;
    char num[6][24];
    const char *v[PGKC_NCOLS] = {
        pgk_num(p->open_case_id, 1, num[0]), pgk_num(p->person_id, 1, num[1]),
        fresh ? pgk_num(k->crisis_id, 1, num[2]) : NULL,
        fresh ? pgk_num(k->mission_id, 1, num[3]) : NULL,
        fresh ? case_types[k->type] : NULL, fresh ? case_statuses[k->status] : NULL,
        fresh ? pgk_num(k->priority, 0, num[4]) : NULL,
        fresh ? pgk_num(k->priority_computed, 0, num[5]) : NULL, NULL,
        fresh ? k->channel : NULL, NULL, fresh ? k->summary : NULL,
        fresh ? k->description : NULL, p->kind, p->detail, p->event_note};
    char rank[24], due[24];
    if (fresh) {
      v[PGKC_RANK] = pgk_num(case_queue_rank(k->status, k->priority), 0, rank);
      v[PGKC_DUE] = pgk_num(k->due_at, 0, due);
    }
    for (int j = 0; j < PGKC_NCOLS && rc == BH_OK; j++) rc = pg_array_element(&cols[j], v[j]);
  }
  PGresult *res = NULL;
  if (rc == BH_OK) rc = pgk_call_arrays(c, pgk_cases_call, cols, PGKC_NCOLS, at, n, &res);
  PQclear(res);
  for (int j = 0; j < PGKC_NCOLS; j++) buf_free(&cols[j]);
  return rc;
}

/*
 * The cases of the recorded "need help" answers of items on PostgreSQL, as
 * store_case_from_checkin opens them one by one, in one more round trip: what they read came
 * back with the answers (res, pgk_answers), the rule is C's (case_checkin_plan), the writes of
 * all of them are one call (checkin_cases). No person answers twice in items (need_help_twice),
 * so no answer's case depends on another's.
 */
static int pgk_cases(pg_conn_t *c, const checkin_answer_t *items, size_t n, int64_t at,
                     const PGresult *res) {
  size_t m = 0;
  for (size_t i = 0; i < n; i++) {
    if (items[i].rc == BH_OK && answer_wants_case(&items[i])) m++;
  }
  if (m == 0) return BH_OK;
  case_checkin_t *plans = calloc(m, sizeof(*plans));
  if (plans == NULL) return BH_ERR_NOMEM;
  m = 0;
  for (size_t i = 0; i < n; i++) {
    const checkin_answer_t *it = &items[i];
    if (it->rc != BH_OK || !answer_wants_case(it)) continue;
    case_checkin_t *p = &plans[m++];
    *p = (case_checkin_t){.crisis_id = it->target.crisis_id, .person_id = it->target.person_id,
                          .alert_id = it->target.alert_id, .message = it->message,
                          .location = it->location, .at = at,
                          .open_case_id = pg_col_i64(res, (int)i, PGK_OPEN),
                          .mission_id = pg_col_i64(res, (int)i, PGK_MISSION)};
    if (p->open_case_id == 0) {
      json_t *flags = pg_col_json(res, (int)i, PGK_FLAGS);
      int no_status = PQgetisnull(res, (int)i, PGK_PSTATUS);
      case_person_facts(flags, no_status ? NULL : PQgetvalue(res, (int)i, PGK_PSTATUS),
                        &p->facts);
      json_decref(flags);
    }
    case_checkin_plan(p);
  }
  int rc = pgk_cases_write(c, plans, m, at);
  for (size_t i = 0; i < m; i++) free(plans[i].detail);
  free(plans);
  return rc;
}

/* One answer with the statements of store_alert.h, as the check-in job records it. */
static int sqk_answer(store_conn_t *c, checkin_answer_t *it, int64_t at, arena_t *a) {
  checkin_target_t t;
  int rc = it->token_hash ? store_checkin_target(c, it->token_hash, a, &t)
                          : store_checkin_target_by_phone(c, it->phone, a, &t);
  if (rc == BH_ERR_NOT_FOUND) {
    it->rc = rc;
    return BH_OK;
  }
  if (rc != BH_OK) return rc;
  it->target = (checkin_target_t){.recipient_id = t.recipient_id, .alert_id = t.alert_id,
                                  .person_id = t.person_id, .crisis_id = t.crisis_id};
  if (t.crisis_closed_at != 0) {
    it->rc = BH_ERR_CONFLICT;
    return BH_OK;
  }
  checkin_t k = {.target = &t, .answer = it->answer, .message = it->message,
                 .location = it->location, .source = it->source, .at = at};
  rc = store_checkin_record(c, &k);
  if (rc != BH_OK) return rc;
  it->checkin_id = k.id;
  it->rc = BH_OK;
  const char *status = alert_answer_status(it->answer);
  if (t.person_status != NULL && strcmp(t.person_status, status) == 0) return BH_OK;
  status_event_t ev = {.person_id = t.person_id, .status = status, .at = at,
                       .source = "check_in", .note = it->message};
  return store_status_set(c, &STORE_SCOPE_ALL, &ev);
}

/* 1 if the person of a recorded "need help" answer has another recorded answer in items. */
static int need_help_twice(const checkin_answer_t *items, size_t n) {
  for (size_t i = 0; i < n; i++) {
    if (items[i].rc != BH_OK || !answer_wants_case(&items[i])) continue;
    for (size_t k = 0; k < n; k++) {
      if (k != i && items[k].rc == BH_OK &&
          items[k].target.person_id == items[i].target.person_id) {
        return 1;
      }
    }
  }
  return 0;
}

int store_checkin_answers(store_conn_t *c, checkin_answer_t *items, size_t n, int64_t at) {
  if (n == 0 || n > CHECKIN_ANSWERS_MAX) return BH_ERR_INVALID;
  int rc = BH_OK;
  PGresult *res = NULL;
  if (c->pg != NULL) {
    rc = pgk_answers(c->pg, items, n, at, &res);
  } else {
    arena_t *a = arena_new(1024 * 1024);
    if (a == NULL) return BH_ERR_NOMEM;
    for (size_t i = 0; i < n && rc == BH_OK; i++) rc = sqk_answer(c, &items[i], at, a);
    arena_free(a);
  }
  if (rc == BH_OK && need_help_twice(items, n)) rc = BH_ERR_CONFLICT;
  if (c->pg != NULL) {
    if (rc == BH_OK) rc = pgk_cases(c->pg, items, n, at, res);
    PQclear(res);
    return rc;
  }
  for (size_t i = 0; i < n && rc == BH_OK; i++) {
    const checkin_answer_t *it = &items[i];
    if (it->rc != BH_OK || !answer_wants_case(it)) continue;
    rc = store_case_from_checkin(c, it->target.crisis_id, it->target.person_id,
                                 it->target.alert_id, it->message, it->location, at, NULL, NULL);
  }
  return rc;
}
