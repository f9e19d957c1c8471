/*
 * store_pg_case.c - the PostgreSQL backend of store_case.h, with the same tables, statements and
 * meaning as store_sqlite_case.c. Statements run through pg_run_sql (prepared once per session);
 * parameters whose type the statement does not fix are cast.
 */
#include <stdlib.h>
#include <string.h>

#include "store/store_case_impl.h"
#include "store/store_pg_int.h"
#include "util/err.h"

/* 24 columns, read by pgc_case_read. */
#define PGC_CASE_COLS                                                                         \
  "c.id, c.type, c.status, c.priority, c.priority_computed, c.priority_override, c.channel,"  \
  " c.crisis_id, c.mission_id, c.assigned_to, c.due_at, c.due_overridden, c.summary,"         \
  " c.description, c.caller_name, c.caller_phone, c.caller_relation, c.caller_notes,"         \
  " c.caller_person_id, c.created_by, c.opened_at, c.resolved_at, c.closed_at, c.updated_at"
/* Visibility of case c to the scope in $1 (all) and $2 (mission). */
#define PGC_SCOPE_C "($1::int = 1 OR c.mission_id = $2::bigint)"
/* A queue segment, with the parameters of SQC_SEGMENT in store_sqlite_case.c. */
#define PGC_SEGMENT(key)                                                                      \
  "SELECT " PGC_CASE_COLS " FROM cases c WHERE " key " AND c.queue_rank = $3::int AND"        \
  " c.due_at < $4::bigint AND (c.due_at, c.id) > ($5::bigint, $6::bigint) AND " PGC_SCOPE_C   \
  " AND ($7::bigint = 0 OR c.assigned_to = $7) AND ($8::bigint = 0 OR c.mission_id = $8)"     \
  " AND ($9::bigint = 0 OR c.crisis_id = $9) AND ($10::text IS NULL OR c.type = $10) AND"     \
  " ($11::text IS NULL OR c.status = $11) ORDER BY c.due_at, c.id LIMIT $12"

static const char pgc_insert[] =
    "INSERT INTO cases(type, status, priority, priority_computed, priority_override,"
    " queue_rank, channel, crisis_id, mission_id, assigned_to, due_at, due_overridden,"
    " summary, description, caller_name, caller_phone, caller_relation, caller_notes,"
    " caller_person_id, created_by, opened_at, resolved_at, closed_at, updated_at) VALUES"
    " ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19,"
    " $20, $21, $22, $23, $24) RETURNING id";
static const char pgc_get[] =
    "SELECT " PGC_CASE_COLS " FROM cases c WHERE c.id = $3 AND " PGC_SCOPE_C;
/* Inside a transaction the case is read to be changed: its row is locked until the commit, so
 * that two changes of one case (two status moves) follow each other instead of racing. */
static const char pgc_get_locked[] =
    "SELECT " PGC_CASE_COLS " FROM cases c WHERE c.id = $3 AND " PGC_SCOPE_C " FOR UPDATE";
static const char pgc_update[] =
    "UPDATE cases c SET type = $4, status = $5, priority = $6, priority_computed = $7,"
    " priority_override = $8, queue_rank = $9, crisis_id = $10, mission_id = $11,"
    " assigned_to = $12, due_at = $13, due_overridden = $14, summary = $15, description = $16,"
    " caller_name = $17, caller_phone = $18, caller_relation = $19, caller_notes = $20,"
    " caller_person_id = $21, resolved_at = $22, closed_at = $23, updated_at = $24"
    " WHERE c.id = $3 AND " PGC_SCOPE_C;
static const char pgc_seg_all[] = PGC_SEGMENT("true");
static const char pgc_seg_assigned[] = PGC_SEGMENT("c.assigned_to = $7::bigint");
static const char pgc_seg_mission[] = PGC_SEGMENT("c.mission_id = $8::bigint");
static const char pgc_seg_crisis[] = PGC_SEGMENT("c.crisis_id = $9::bigint");
static const char pgc_seg_type[] = PGC_SEGMENT("c.type = $10::text");
static const char pgc_subject_put[] =
    "INSERT INTO case_subjects(case_id, full_name, sex, dob, home_province, idn_enc, idn_hash)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (case_id) DO UPDATE SET"
    " full_name = excluded.full_name, sex = excluded.sex, dob = excluded.dob,"
    " home_province = excluded.home_province, idn_enc = excluded.idn_enc,"
    " idn_hash = excluded.idn_hash";
static const char pgc_subject_del[] = "DELETE FROM case_subjects WHERE case_id = $1";
static const char pgc_subject_get[] =
    "SELECT full_name, sex, dob, home_province, idn_enc FROM case_subjects WHERE case_id = $1";
static const char pgc_person_add[] =
    "INSERT INTO case_persons(case_id, person_id, added_by, added_at) VALUES ($1, $2, $3, $4)"
    " ON CONFLICT DO NOTHING";
static const char pgc_persons[] =
    "SELECT cp.person_id, p.full_name, p.status, p.flags, cp.added_at FROM case_persons cp"
    " JOIN persons p ON p.id = cp.person_id WHERE cp.case_id = $1 ORDER BY cp.added_at,"
    " cp.person_id LIMIT $2";
static const char pgc_facts[] =
    "SELECT p.flags, p.status FROM persons p WHERE p.id = $3 AND " PG_SCOPE_P;
static const char pgc_event_add[] =
    "INSERT INTO case_events(case_id, at, kind, author_id, detail, note) VALUES ($1, $2, $3,"
    " $4, $5, $6) RETURNING id";
static const char pgc_events[] =
    "SELECT id, case_id, at, kind, author_id, detail, note FROM case_events WHERE case_id = $1"
    " AND id > $2 ORDER BY id LIMIT $3";
static const char pgc_counts[] =
    "SELECT type, count(*), count(*) FILTER (WHERE opened_at >= $2), count(resolved_at),"
    " count(*) FILTER (WHERE resolved_at >= $2), count(closed_at), count(*) FILTER (WHERE"
    " closed_at >= $2), count(*) FILTER (WHERE queue_rank < 4) FROM cases WHERE crisis_id = $1"
    " GROUP BY type";
/* The person's open case of the crisis (no row when none) and the mission of a check-in's new
 * case: the server functions case_open and case_mission (migration_pgbatch), which the batch of
 * check-ins (checkin_answers) reads through too. */
static const char pgc_open_for[] = "SELECT case_id FROM case_open($1, $2)";
static const char pgc_checkin_mission[] = "SELECT mission_id FROM case_mission($1, $2)";

/* Runs sql and drops its result; *changes (may be NULL) gets the rows affected. */
static int pgc_exec(pg_conn_t *c, const char *sql, const pg_params_t *p, int64_t *changes) {
  PGresult *res;
  int rc = pg_run_sql(c, sql, p, &res);
  if (rc != BH_OK) return rc;
  if (changes) *changes = strtoll(PQcmdTuples(res), NULL, 10);
  PQclear(res);
  return BH_OK;
}

/* Reads the PGC_CASE_COLS of row i of r. */
static void pgc_case_read(arena_t *a, const PGresult *r, int i, case_t *k) {
  memset(k, 0, sizeof(*k));
  k->id = pg_col_i64(r, i, 0);
  k->type = model_enum_index(case_types, PQgetvalue(r, i, 1));
  k->status = model_enum_index(case_statuses, PQgetvalue(r, i, 2));
  k->priority = (int)pg_col_i64(r, i, 3);
  k->priority_computed = (int)pg_col_i64(r, i, 4);
  k->priority_override = PQgetisnull(r, i, 5) ? -1 : (int)pg_col_i64(r, i, 5);
  k->channel = pg_col_text(a, r, i, 6);
  k->crisis_id = pg_col_i64(r, i, 7);
  k->mission_id = pg_col_i64(r, i, 8);
  k->assigned_to = pg_col_i64(r, i, 9);
  k->due_at = pg_col_i64(r, i, 10);
  k->due_overridden = (int)pg_col_i64(r, i, 11);
  k->summary = pg_col_text(a, r, i, 12);
  k->description = pg_col_text(a, r, i, 13);
  k->caller_name = pg_col_text(a, r, i, 14);
  k->caller_phone = pg_col_text(a, r, i, 15);
  k->caller_relation = pg_col_text(a, r, i, 16);
  k->caller_notes = pg_col_text(a, r, i, 17);
  k->caller_person_id = pg_col_i64(r, i, 18);
  k->created_by = pg_col_i64(r, i, 19);
  k->opened_at = pg_col_i64(r, i, 20);
  k->resolved_at = pg_col_i64(r, i, 21);
  k->closed_at = pg_col_i64(r, i, 22);
  k->updated_at = pg_col_i64(r, i, 23);
}

/* Binds type, status, priority, computed priority, override and queue rank. */
static void pgc_bind_ranks(pg_params_t *p, const case_t *k) {
  pgp_text(p, case_types[k->type]);
  pgp_text(p, case_statuses[k->status]);
  pgp_i64(p, k->priority);
  pgp_i64(p, k->priority_computed);
  if (k->priority_override < 0) {
    pgp_text(p, NULL);
  } else {
    pgp_i64(p, k->priority_override);
  }
  pgp_i64(p, case_queue_rank(k->status, k->priority));
}

int pgc_case_create(pg_conn_t *c, case_t *k) {
  pg_params_t p = {0};
  pgc_bind_ranks(&p, k);
  pgp_text(&p, k->channel);
  pgp_i64_or_null(&p, k->crisis_id);
  pgp_i64_or_null(&p, k->mission_id);
  pgp_i64_or_null(&p, k->assigned_to);
  pgp_i64(&p, k->due_at);
  pgp_i64(&p, k->due_overridden ? 1 : 0);
  pgp_text(&p, k->summary);
  pgp_text(&p, k->description);
  pgp_text(&p, k->caller_name);
  pgp_text(&p, k->caller_phone);
  pgp_text(&p, k->caller_relation);
  pgp_text(&p, k->caller_notes);
  pgp_i64_or_null(&p, k->caller_person_id);
  pgp_i64_or_null(&p, k->created_by);
  pgp_i64(&p, k->opened_at);
  pgp_i64_or_null(&p, k->resolved_at);
  pgp_i64_or_null(&p, k->closed_at);
  pgp_i64(&p, k->updated_at);
  PGresult *res;
  int rc = pg_run_sql(c, pgc_insert, &p, &res);
  if (rc != BH_OK) return rc;
  k->id = pg_col_i64(res, 0, 0);
  PQclear(res);
  return BH_OK;
}

int pgc_case_get(pg_conn_t *c, const store_scope_t *scope, int64_t id, arena_t *a, case_t *out) {
  pg_params_t p = {0};
  pgp_scope(&p, scope);
  pgp_i64(&p, id);
  PGresult *res;
  int rc = pg_run_sql(c, c->in_tx ? pgc_get_locked : pgc_get, &p, &res);
  if (rc != BH_OK) return rc;
  if (PQntuples(res) == 0) {
    rc = BH_ERR_NOT_FOUND;
  } else {
    pgc_case_read(a, res, 0, out);
  }
  PQclear(res);
  return rc;
}

int pgc_case_update(pg_conn_t *c, const store_scope_t *scope, const case_t *k) {
  pg_params_t p = {0};
  pgp_scope(&p, scope);
  pgp_i64(&p, k->id);
  pgc_bind_ranks(&p, k);
  pgp_i64_or_null(&p, k->crisis_id);
  pgp_i64_or_null(&p, k->mission_id);
  pgp_i64_or_null(&p, k->assigned_to);
  pgp_i64(&p, k->due_at);
  pgp_i64(&p, k->due_overridden ? 1 : 0);
  pgp_text(&p, k->summary);
  pgp_text(&p, k->description);
  pgp_text(&p, k->caller_name);
  pgp_text(&p, k->caller_phone);
  pgp_text(&p, k->caller_relation);
  pgp_text(&p, k->caller_notes);
  pgp_i64_or_null(&p, k->caller_person_id);
  pgp_i64_or_null(&p, k->resolved_at);
  pgp_i64_or_null(&p, k->closed_at);
  pgp_i64(&p, k->updated_at);
  int64_t changes = 0;
  int rc = pgc_exec(c, pgc_update, &p, &changes);
  if (rc == BH_OK && changes == 0) rc = BH_ERR_NOT_FOUND;
  return rc;
}

int pgc_case_segment(pg_conn_t *c, const store_scope_t *scope, const case_filter_t *f, int rank,
                     int64_t after_due, int64_t after_id, int limit, arena_t *a, case_t *out,
                     size_t *n) {
  const char *sql = f->assigned_to ? pgc_seg_assigned
                    : f->mission_id ? pgc_seg_mission
                    : f->crisis_id  ? pgc_seg_crisis
                    : f->type       ? pgc_seg_type
                                    : pgc_seg_all;
  pg_params_t p = {0};
  pgp_scope(&p, scope);
  pgp_i64(&p, rank);
  pgp_i64(&p, f->due_before);
  pgp_i64(&p, after_due);
  pgp_i64(&p, after_id);
  pgp_i64(&p, f->assigned_to);
  pgp_i64(&p, f->mission_id);
  pgp_i64(&p, f->crisis_id);
  pgp_text(&p, f->type);
  pgp_text(&p, f->status);
  pgp_i64(&p, limit);
  PGresult *res;
  int rc = pg_run_sql(c, sql, &p, &res);
  if (rc != BH_OK) return rc;
  int rows = PQntuples(res);
  for (int i = 0; i < rows && (int)*n < limit; i++) pgc_case_read(a, res, i, &out[(*n)++]);
  PQclear(res);
  return BH_OK;
}

int pgc_case_person_add(pg_conn_t *c, int64_t case_id, int64_t person_id, int64_t added_by,
                        int64_t at) {
  pg_params_t p = {0};
  pgp_i64(&p, case_id);
  pgp_i64(&p, person_id);
  pgp_i64_or_null(&p, added_by);
  pgp_i64(&p, at);
  int64_t changes = 0;
  int rc = pgc_exec(c, pgc_person_add, &p, &changes);
  if (rc == BH_OK && changes == 0) rc = BH_ERR_CONFLICT;
  return rc;
}

int pgc_case_persons(pg_conn_t *c, int64_t case_id, arena_t *a, case_person_t **out, size_t *n) {
  *out = NULL;
  *n = 0;
  pg_params_t p = {0};
  pgp_i64(&p, case_id);
  pgp_i64(&p, CASE_PERSONS_MAX);
  PGresult *res;
  int rc = pg_run_sql(c, pgc_persons, &p, &res);
  if (rc != BH_OK) return rc;
  int rows = PQntuples(res);
  case_person_t *items = arena_calloc(a, sizeof(*items) * CASE_PERSONS_MAX);
  if (items == NULL) {
    PQclear(res);
    return BH_ERR_NOMEM;
  }
  size_t k = 0;
  for (int i = 0; i < rows && k < CASE_PERSONS_MAX; i++) {
    case_person_t *cp = &items[k++];
    cp->person_id = pg_col_i64(res, i, 0);
    cp->full_name = pg_col_text(a, res, i, 1);
    cp->status = pg_col_text(a, res, i, 2);
    cp->flags = pg_col_json(res, i, 3);
    if (cp->flags == NULL) cp->flags = json_array();
    cp->added_at = pg_col_i64(res, i, 4);
  }
  PQclear(res);
  *out = items;
  *n = k;
  return BH_OK;
}

int pgc_case_person_facts(pg_conn_t *c, const store_scope_t *scope, int64_t person_id,
                          case_person_facts_t *out) {
  pg_params_t p = {0};
  pgp_scope(&p, scope);
  pgp_i64(&p, person_id);
  PGresult *res;
  int rc = pg_run_sql(c, pgc_facts, &p, &res);
  if (rc != BH_OK) return rc;
  if (PQntuples(res) == 0) {
    rc = BH_ERR_NOT_FOUND;
  } else {
    json_t *flags = pg_col_json(res, 0, 0);
    case_person_facts(flags, PQgetisnull(res, 0, 1) ? NULL : PQgetvalue(res, 0, 1), out);
    json_decref(flags);
  }
  PQclear(res);
  return rc;
}

int pgc_case_event_add(pg_conn_t *c, case_event_t *e) {
  pg_params_t p = {0};
  pgp_i64(&p, e->case_id);
  pgp_i64(&p, e->at);
  pgp_text(&p, e->kind);
  pgp_i64_or_null(&p, e->author_id);
  pgp_text(&p, e->detail);
  pgp_text(&p, e->note);
  PGresult *res;
  int rc = pg_run_sql(c, pgc_event_add, &p, &res);
  if (rc != BH_OK) return rc;
  e->id = pg_col_i64(res, 0, 0);
  PQclear(res);
  return BH_OK;
}

int pgc_case_events(pg_conn_t *c, int64_t case_id, const store_page_t *page, arena_t *a,
                    case_event_t **out, size_t *n) {
  *out = NULL;
  *n = 0;
  pg_params_t p = {0};
  pgp_i64(&p, case_id);
  pgp_i64(&p, page->after);
  pgp_i64(&p, page->limit);
  PGresult *res;
  int rc = pg_run_sql(c, pgc_events, &p, &res);
  if (rc != BH_OK) return rc;
  int rows = PQntuples(res);
  case_event_t *items = arena_calloc(a, sizeof(*items) * (size_t)(rows > 0 ? rows : 1));
  if (items == NULL) {
    PQclear(res);
    return BH_ERR_NOMEM;
  }
  for (int i = 0; i < rows; i++) {
    case_event_t *e = &items[i];
    e->id = pg_col_i64(res, i, 0);
    e->case_id = pg_col_i64(res, i, 1);
    e->at = pg_col_i64(res, i, 2);
    e->kind = pg_col_text(a, res, i, 3);
    e->author_id = pg_col_i64(res, i, 4);
    e->detail = pg_col_text(a, res, i, 5);
    e->note = pg_col_text(a, res, i, 6);
  }
  PQclear(res);
  *out = items;
  *n = (size_t)rows;
  return BH_OK;
}

int pgc_case_counts(pg_conn_t *c, int64_t crisis_id, int64_t since, case_counts_t *out) {
  memset(out, 0, sizeof(*out));
  pg_params_t p = {0};
  pgp_i64(&p, crisis_id);
  pgp_i64(&p, since);
  PGresult *res;
  int rc = pg_run_sql(c, pgc_counts, &p, &res);
  if (rc != BH_OK) return rc;
  int rows = PQntuples(res);
  for (int i = 0; i < rows; i++) {
    int t = model_enum_index(case_types, PQgetvalue(res, i, 0));
    if (t < 0) continue;
    case_type_counts_t *ct = &out->by_type[t];
    ct->opened = pg_col_i64(res, i, 1);
    ct->opened_since = pg_col_i64(res, i, 2);
    ct->resolved = pg_col_i64(res, i, 3);
    ct->resolved_since = pg_col_i64(res, i, 4);
    ct->closed = pg_col_i64(res, i, 5);
    ct->closed_since = pg_col_i64(res, i, 6);
    ct->open_now = pg_col_i64(res, i, 7);
  }
  PQclear(res);
  return BH_OK;
}

int pgc_case_open_for(pg_conn_t *c, int64_t person_id, int64_t crisis_id, int64_t *case_id) {
  pg_params_t p = {0};
  pgp_i64(&p, person_id);
  pgp_i64(&p, crisis_id);
  PGresult *res;
  int rc = pg_run_sql(c, pgc_open_for, &p, &res);
  if (rc != BH_OK) return rc;
  if (PQntuples(res) != 1 || PQgetisnull(res, 0, 0)) {
    rc = BH_ERR_NOT_FOUND;
  } else {
    *case_id = pg_col_i64(res, 0, 0);
  }
  PQclear(res);
  return rc;
}

int pgc_case_checkin_mission(pg_conn_t *c, int64_t crisis_id, int64_t person_id,
                             int64_t *mission_id) {
  pg_params_t p = {0};
  pgp_i64(&p, crisis_id);
  pgp_i64(&p, person_id);
  PGresult *res;
  int rc = pg_run_sql(c, pgc_checkin_mission, &p, &res);
  if (rc != BH_OK) return rc;
  *mission_id = PQntuples(res) > 0 ? pg_col_i64(res, 0, 0) : 0;
  PQclear(res);
  return BH_OK;
}

int pgc_case_subject_put(pg_conn_t *c, int64_t case_id, const case_subject_row_t *row) {
  pg_params_t p = {0};
  pgp_i64(&p, case_id);
  if (row == NULL) return pgc_exec(c, pgc_subject_del, &p, NULL);
  pgp_text(&p, row->s.full_name);
  pgp_text(&p, row->s.sex);
  pgp_text(&p, row->s.date_of_birth);
  pgp_text(&p, row->s.home_province);
  pgp_bytes(&p, row->idn_enc, row->idn_len);
  pgp_bytes(&p, row->idn_hash, row->idn_hash ? SECRET_INDEX_BYTES : 0);
  return pgc_exec(c, pgc_subject_put, &p, NULL);
}

int pgc_case_subject_read(pg_conn_t *c, int64_t case_id, arena_t *a, case_subject_row_t *out) {
  pg_params_t p = {0};
  pgp_i64(&p, case_id);
  PGresult *res;
  int rc = pg_run_sql(c, pgc_subject_get, &p, &res);
  if (rc != BH_OK) return rc;
  if (PQntuples(res) == 0) {
    PQclear(res);
    return BH_ERR_NOT_FOUND;
  }
  out->s.full_name = pg_col_text(a, res, 0, 0);
  out->s.sex = pg_col_text(a, res, 0, 1);
  out->s.date_of_birth = pg_col_text(a, res, 0, 2);
  out->s.home_province = pg_col_text(a, res, 0, 3);
  if (!PQgetisnull(res, 0, 4)) {
    int len = PQgetlength(res, 0, 4);
    unsigned char *copy = arena_alloc(a, len > 0 ? (size_t)len : 1);
    if (copy == NULL) {
      rc = BH_ERR_NOMEM;
    } else {
      memcpy(copy, PQgetvalue(res, 0, 4), (size_t)len);
      out->idn_enc = copy;
      out->idn_len = (size_t)len;
    }
  }
  PQclear(res);
  return rc;
}
