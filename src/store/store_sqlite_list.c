/*
 * store_sqlite_list.c - the SQLite backend of store_list.h: lists from foreign authorities, their
 * rows, candidates and decisions, and the registry read behind the matching index. Every
 * statement is a static text prepared once per connection through sq_stmt_cached and bound with
 * parameters. Jurisdiction is in the queries: LIST_SCOPE for lists, SQL_SCOPE_P (the same rule as
 * store_sqlite.c's SCOPE_P) for the persons that are candidates, SQL_SCOPE_K (the rule of
 * store_case.h) for the cases that are.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_list_impl.h"
#include "store/store_sqlite_int.h"
#include "util/clock.h"
#include "util/err.h"
#include "util/log.h"

/* Visibility of person p (see SCOPE_P in store_sqlite.c). Binds :all and :mission. */
#define SQL_SCOPE_P                                                                          \
  "(:all = 1 OR p.owner_mission_id = :mission OR EXISTS (SELECT 1 FROM presences v"          \
  " JOIN mission_countries mc ON mc.country = v.country AND mc.mission_id = :mission"        \
  " WHERE v.person_id = p.id))"
/* Visibility of case k: everything, or the cases of the officer's mission (store_case.h). */
#define SQL_SCOPE_K(k) "(:all = 1 OR " k ".mission_id = :mission)"
/* An open missing-person case m (open as case_status_open in domain/case.c says). */
#define SQL_MISSING_OPEN(m)                                                                  \
  "(" m ".type = 'missing_person_report' AND " m ".status IN ('new', 'triaged', 'in_progress'))"
/* The oldest open missing-person case visible to the scope that person (an expression) is
 * linked to, or NULL. */
#define SQL_OPEN_CASE_OF(person)                                                             \
  "(SELECT min(cp.case_id) FROM case_persons cp JOIN cases m ON m.id = cp.case_id"          \
  " WHERE cp.person_id = " person " AND " SQL_MISSING_OPEN("m") " AND " SQL_SCOPE_K("m") ")"
/* Visibility of list l: everything, or the lists of the officer's mission. */
#define LIST_SCOPE "(:all = 1 OR l.mission_id = :mission)"
/* A list and its figures, grouped over its rows (read by list_read). */
#define LIST_COLS                                                                            \
  "l.id, l.title, l.source, l.country, l.crisis_id, l.mission_id, l.ref_date, l.bad_rows,"   \
  " l.created_by, l.created_at, count(r.row_no), count(CASE WHEN r.band = 0 THEN 1 END),"     \
  " count(CASE WHEN r.band = 1 THEN 1 END), count(CASE WHEN r.band = 2 THEN 1 END),"         \
  " count(CASE WHEN r.decision = 0 THEN 1 END), count(CASE WHEN r.decision = 1 THEN 1 END),"  \
  " count(CASE WHEN r.decision = 2 THEN 1 END), count(CASE WHEN r.decision = 3 THEN 1 END),"  \
  " l.region, l.apply_status, l.presence_category"                                            \
  " FROM lists l LEFT JOIN list_rows r ON r.list_id = l.id"

/* What the matching generation is made of: the change counter (edits and deletions) and the
 * highest person and presence ids (inserts; writers are serialised, so ids grow in commit order). */
#define SQL_GEN_COLS                                                                         \
  "(SELECT gen FROM match_generation WHERE id = 1), (SELECT max(id) FROM persons),"          \
  " (SELECT max(id) FROM presences)"
#define SQL_GEN_N 3
static const char SQL_GEN[] = "SELECT " SQL_GEN_COLS;
/* One statement, so one snapshot: the generation and the persons it describes. */
static const char SQL_PERSONS[] =
    "SELECT " SQL_GEN_COLS ", p.id, p.full_name, p.other_names, p.sex, p.dob, p.nid_enc,"
    " p.passport_enc, p.home_province, (SELECT group_concat(DISTINCT pr.country) FROM presences"
    " pr WHERE pr.person_id = p.id) FROM persons p WHERE " SQL_SCOPE_P " ORDER BY p.id";
/* The subjects of the open missing-person cases visible to the scope (store_match_case_t). */
static const char SQL_CASES[] =
    "SELECT k.id, cp.person_id, coalesce(s.full_name, k.caller_name), s.sex, s.dob,"
    " s.home_province, s.idn_enc, (SELECT group_concat(cc.country) FROM crisis_countries cc"
    " WHERE cc.crisis_id = k.crisis_id) FROM cases k"
    " LEFT JOIN case_persons cp ON cp.case_id = k.id"
    " LEFT JOIN case_subjects s ON s.case_id = k.id AND cp.person_id IS NULL"
    " WHERE " SQL_MISSING_OPEN("k") " AND " SQL_SCOPE_K("k")
    " AND (cp.person_id IS NOT NULL OR (coalesce(s.full_name, k.caller_name) IS NOT NULL AND"
    " k.caller_person_id IS NULL)) ORDER BY k.id, cp.person_id";
static const char SQL_LIST_INSERT[] =
    "INSERT INTO lists(title, source, country, crisis_id, mission_id, ref_date, bad_rows,"
    " created_by, created_at, region, apply_status, presence_category) VALUES (?1, ?2, ?3, ?4,"
    " ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)";
static const char SQL_ROW_INSERT[] =
    "INSERT INTO list_rows(list_id, row_no, line, fields, idn_enc, band) VALUES (?1, ?2, ?3,"
    " ?4, ?5, ?6)";
static const char SQL_CAND_INSERT[] =
    "INSERT INTO list_candidates(list_id, row_no, rank, person_id, probability, band,"
    " explanation, case_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
static const char SQL_LIST_GET[] =
    "SELECT " LIST_COLS " WHERE l.id = :id AND " LIST_SCOPE " GROUP BY l.id";
static const char SQL_LIST_PAGE[] =
    "SELECT " LIST_COLS " WHERE l.id > :after AND " LIST_SCOPE " GROUP BY l.id ORDER BY l.id"
    " LIMIT :limit";
static const char SQL_LIST_CHECK[] = "SELECT 1 FROM lists l WHERE l.id = :id AND " LIST_SCOPE;
static const char SQL_ROWS[] =
    "SELECT r.row_no, r.line, r.fields, r.idn_enc, r.band, r.decision, r.person_id,"
    " r.decided_by, r.decided_at, r.case_id FROM list_rows r WHERE r.list_id = :list AND"
    " r.row_no > :after"
    " AND (:band < 0 OR r.band = :band) AND (:decision < 0 OR r.decision = :decision)"
    " ORDER BY r.row_no LIMIT :limit";
/* The visible candidates of the rows lo..hi of a list, with the person's fields or the case
 * subject's, and the case (the candidate's, or the person's open missing-person case). */
static const char SQL_CANDS[] =
    "SELECT x.row_no, x.rank, x.person_id, x.probability, x.band, x.explanation, x.decision,"
    " x.decided_by, x.decided_at, x.rpt, x.full_name, x.other_names, x.sex, x.dob, x.nid_enc,"
    " x.passport_enc, x.home_province, x.kid, m.status, m.summary,"
    " CASE WHEN x.person_id IS NULL THEN m.caller_phone END,"
    " CASE WHEN x.person_id IS NULL THEN m.caller_relation END,"
    " CASE WHEN x.person_id IS NULL THEN m.caller_notes END FROM (SELECT c.row_no, c.rank,"
    " c.person_id, c.probability, c.band, c.explanation, c.decision, c.decided_by,"
    " c.decided_at, CASE WHEN c.person_id IS NOT NULL THEN EXISTS (SELECT 1 FROM list_rows o"
    " WHERE o.person_id = c.person_id AND o.list_id <> c.list_id) ELSE EXISTS (SELECT 1 FROM"
    " list_rows o WHERE o.case_id = c.case_id AND o.list_id <> c.list_id) END AS rpt,"
    " coalesce(p.full_name, s.full_name, k.caller_name) AS full_name, p.other_names,"
    " coalesce(p.sex, s.sex) AS sex, coalesce(p.dob, s.dob) AS dob, coalesce(p.nid_enc,"
    " s.idn_enc) AS nid_enc, p.passport_enc, coalesce(p.home_province, s.home_province) AS"
    " home_province, coalesce(c.case_id, "
    SQL_OPEN_CASE_OF("c.person_id") ") AS kid FROM list_candidates c LEFT JOIN persons p ON"
    " p.id = c.person_id LEFT JOIN cases k ON k.id = c.case_id LEFT JOIN case_subjects s ON"
    " s.case_id = c.case_id WHERE c.list_id = :list AND"
    " c.row_no BETWEEN :lo AND :hi AND ((c.person_id IS NOT NULL AND " SQL_SCOPE_P ") OR"
    " (c.case_id IS NOT NULL AND " SQL_SCOPE_K("k") "))) x LEFT JOIN cases m ON m.id = x.kid"
    " ORDER BY x.row_no, x.rank";
static const char SQL_ROW_FOR_DECISION[] =
    "SELECT r.decision, r.person_id, r.case_id, r.applied_event_id, r.applied_prev_status,"
    " r.applied_presence_id FROM list_rows r JOIN lists l ON l.id = r.list_id"
    " WHERE r.list_id = :list AND r.row_no = :row AND " LIST_SCOPE;
static const char SQL_CAND_CHECK[] =
    "SELECT c.decision FROM list_candidates c LEFT JOIN persons p ON p.id = c.person_id"
    " LEFT JOIN cases k ON k.id = c.case_id WHERE c.list_id = :list AND c.row_no = :row AND"
    " c.person_id IS :person AND c.case_id IS :case AND ((c.person_id IS NOT NULL AND "
    SQL_SCOPE_P ") OR (c.case_id IS NOT NULL AND " SQL_SCOPE_K("k") "))";
static const char SQL_CAND_UNCONFIRM[] =
    "UPDATE list_candidates SET decision = 0, decided_by = ?3, decided_at = ?4 WHERE"
    " list_id = ?1 AND row_no = ?2 AND decision = 1";
static const char SQL_CAND_SET[] =
    "UPDATE list_candidates SET decision = ?4, decided_by = ?5, decided_at = ?6 WHERE"
    " list_id = ?1 AND row_no = ?2 AND person_id IS ?3 AND case_id IS ?7";
/* The row's decision follows its candidates': confirmed when one is, new person when said so,
 * rejected when every candidate is, else pending. ?3 is the decision being recorded. */
static const char SQL_ROW_RECOMPUTE[] =
    "UPDATE list_rows SET person_id = (SELECT c.person_id FROM list_candidates c WHERE"
    " c.list_id = ?1 AND c.row_no = ?2 AND c.decision = 1), case_id = (SELECT c.case_id FROM"
    " list_candidates c WHERE c.list_id = ?1 AND c.row_no = ?2 AND c.decision = 1),"
    " decision = CASE WHEN EXISTS"
    " (SELECT 1 FROM list_candidates c WHERE c.list_id = ?1 AND c.row_no = ?2 AND"
    " c.decision = 1) THEN 1 WHEN ?3 = 3 OR decision = 3 THEN 3 WHEN EXISTS (SELECT 1 FROM"
    " list_candidates c WHERE c.list_id = ?1 AND c.row_no = ?2) AND NOT EXISTS (SELECT 1 FROM"
    " list_candidates c WHERE c.list_id = ?1 AND c.row_no = ?2 AND c.decision <> 2) THEN 2"
    " ELSE 0 END, decided_by = ?4, decided_at = ?5 WHERE list_id = ?1 AND row_no = ?2";
static const char SQL_DECISION_INSERT[] =
    "INSERT INTO list_decisions(list_id, row_no, decision, person_id, replaced_person_id,"
    " user_id, at, case_id, replaced_case_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";
static const char SQL_ROW_APPLIED[] =
    "UPDATE list_rows SET applied_event_id = ?3, applied_prev_status = ?4,"
    " applied_presence_id = ?5 WHERE list_id = ?1 AND row_no = ?2";
static const char SQL_STATUS_LATEST[] = "SELECT max(id) FROM status_events WHERE person_id = ?1";
/* Only a presence nobody touched since its creation, and no self-registration's. */
static const char SQL_PRESENCE_WITHDRAW[] =
    "DELETE FROM presences WHERE id = ?1 AND person_id = ?2 AND updated_at = created_at AND"
    " NOT EXISTS (SELECT 1 FROM registrations g WHERE g.presence_id = ?1)";
static const char SQL_OPEN_CASE[] = "SELECT " SQL_OPEN_CASE_OF(":person");

static void bind_text(sqlite3_stmt *st, int i, const char *s) {
  if (s == NULL) {
    sqlite3_bind_null(st, i);
  } else {
    sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
  }
}

static void bind_i64_or_null(sqlite3_stmt *st, int i, int64_t v) {
  if (v == 0) {
    sqlite3_bind_null(st, i);
  } else {
    sqlite3_bind_int64(st, i, v);
  }
}

static void bind_named(sqlite3_stmt *st, const char *name, int64_t v) {
  int i = sqlite3_bind_parameter_index(st, name);
  if (i > 0) sqlite3_bind_int64(st, i, v);
}

/* Binds :name to v, or to NULL when v is 0. */
static void bind_named_or_null(sqlite3_stmt *st, const char *name, int64_t v) {
  int i = sqlite3_bind_parameter_index(st, name);
  if (i > 0) bind_i64_or_null(st, i, v);
}

static void bind_scope(sqlite3_stmt *st, const store_scope_t *scope) {
  bind_named(st, ":all", scope->all ? 1 : 0);
  bind_named(st, ":mission", scope->mission_id);
}

static const char *col_text(arena_t *a, sqlite3_stmt *st, int i) {
  const unsigned char *s = sqlite3_column_text(st, i);
  if (s == NULL) return NULL;
  return arena_strndup(a, (const char *)s, (size_t)sqlite3_column_bytes(st, i));
}

/* Opens a sealed column into out (cap bytes); returns out, or NULL when absent or unreadable. */
static const char *col_open(const secret_t *keys, sqlite3_stmt *st, int i, char *out,
                            size_t cap) {
  const unsigned char *blob = sqlite3_column_blob(st, i);
  int len = sqlite3_column_bytes(st, i);
  if (blob == NULL || len < SECRET_SEAL_OVERHEAD ||
      (size_t)len - SECRET_SEAL_OVERHEAD + 1 > cap)
    return NULL;
  if (secret_open(keys, blob, (size_t)len, out) != BH_OK) {
    log_error("msg=\"sealed column failed to open\"");
    return NULL;
  }
  out[len - SECRET_SEAL_OVERHEAD] = '\0';
  return out;
}

/* col_open into the arena. */
static const char *col_open_arena(const secret_t *keys, arena_t *a, sqlite3_stmt *st, int i) {
  int len = sqlite3_column_bytes(st, i);
  if (len < SECRET_SEAL_OVERHEAD) return NULL;
  char *out = arena_alloc(a, (size_t)len - SECRET_SEAL_OVERHEAD + 1);
  return out ? col_open(keys, st, i, out, (size_t)len - SECRET_SEAL_OVERHEAD + 1) : NULL;
}

int sql_match_generation(sq_conn_t *c, int64_t *gen) {
  sqlite3_stmt *st = sq_stmt_cached(c, SQL_GEN);
  if (st == NULL) return BH_ERR_DB;
  int rc = sq_stmt_step(st);
  int64_t v[SQL_GEN_N] = {0};
  for (int i = 0; rc == SQLITE_ROW && i < SQL_GEN_N; i++) v[i] = sqlite3_column_int64(st, i);
  *gen = store_list_gen_mix(v, SQL_GEN_N);
  sq_stmt_done(st);
  return rc == SQLITE_ROW ? BH_OK : sq_result_err(c, rc);
}

int sql_match_persons_each(sq_conn_t *c, const store_scope_t *scope, const secret_t *keys,
                           int64_t *gen, store_match_person_cb cb, void *ctx) {
  sqlite3_stmt *st = sq_stmt_cached(c, SQL_PERSONS);
  if (st == NULL) return BH_ERR_DB;
  bind_scope(st, scope);
  /* Without a person there is no snapshot to name: -1 is never current, so the next use looks
   * again (an empty index costs nothing to rebuild). */
  *gen = -1;
  int rc, err = BH_OK;
  char nid[MODEL_NUMBER_MAX + 1], pp[MODEL_NUMBER_MAX + 1];
  while (err == BH_OK && (rc = sq_stmt_step(st)) == SQLITE_ROW) {
    if (*gen == -1) {
      int64_t v[SQL_GEN_N];
      for (int i = 0; i < SQL_GEN_N; i++) v[i] = sqlite3_column_int64(st, i);
      *gen = store_list_gen_mix(v, SQL_GEN_N);
    }
    const int b = SQL_GEN_N;
    store_match_person_t p = {
        .id = sqlite3_column_int64(st, b),
        .full_name = (const char *)sqlite3_column_text(st, b + 1),
        .other_names = (const char *)sqlite3_column_text(st, b + 2),
        .sex = (const char *)sqlite3_column_text(st, b + 3),
        .date_of_birth = (const char *)sqlite3_column_text(st, b + 4),
        .national_id = col_open(keys, st, b + 5, nid, sizeof nid),
        .passport = col_open(keys, st, b + 6, pp, sizeof pp),
        .home_province = (const char *)sqlite3_column_text(st, b + 7),
        .countries = (const char *)sqlite3_column_text(st, b + 8),
    };
    if (cb(ctx, &p) != 0) err = BH_ERR_INTERNAL;
  }
  if (err == BH_OK && rc != SQLITE_DONE) err = sq_result_err(c, rc);
  sq_stmt_done(st);
  return err;
}

int sql_match_cases_each(sq_conn_t *c, const store_scope_t *scope, const secret_t *keys,
                         store_match_case_cb cb, void *ctx) {
  sqlite3_stmt *st = sq_stmt_cached(c, SQL_CASES);
  if (st == NULL) return BH_ERR_DB;
  bind_scope(st, scope);
  int rc, err = BH_OK;
  char idn[MODEL_NUMBER_MAX + 1];
  while (err == BH_OK && (rc = sq_stmt_step(st)) == SQLITE_ROW) {
    store_match_case_t k = {.case_id = sqlite3_column_int64(st, 0),
                            .person_id = sqlite3_column_int64(st, 1),
                            .full_name = (const char *)sqlite3_column_text(st, 2),
                            .sex = (const char *)sqlite3_column_text(st, 3),
                            .date_of_birth = (const char *)sqlite3_column_text(st, 4),
                            .home_province = (const char *)sqlite3_column_text(st, 5),
                            .id_number = col_open(keys, st, 6, idn, sizeof idn),
                            .countries = (const char *)sqlite3_column_text(st, 7)};
    if (cb(ctx, &k) != 0) err = BH_ERR_INTERNAL;
  }
  if (err == BH_OK && rc != SQLITE_DONE) err = sq_result_err(c, rc);
  sq_stmt_done(st);
  return err;
}

int sql_list_create(sq_conn_t *c, list_rec_t *l) {
  sqlite3_stmt *st = sq_stmt_cached(c, SQL_LIST_INSERT);
  if (st == NULL) return BH_ERR_DB;
  if (l->created_at == 0) l->created_at = clock_now();
  bind_text(st, 1, l->title);
  bind_text(st, 2, l->source);
  bind_text(st, 3, l->country);
  bind_i64_or_null(st, 4, l->crisis_id);
  bind_i64_or_null(st, 5, l->mission_id);
  bind_text(st, 6, l->ref_date);
  sqlite3_bind_int64(st, 7, l->bad_rows);
  bind_i64_or_null(st, 8, l->created_by);
  sqlite3_bind_int64(st, 9, l->created_at);
  bind_text(st, 10, l->region);
  bind_text(st, 11, l->apply_status);
  bind_text(st, 12, l->presence_category);
  int rc = sq_stmt_exec(c, st);
  if (rc == BH_OK) l->id = sqlite3_last_insert_rowid(sq_conn_db(c));
  return rc;
}

int sql_list_add_row(sq_conn_t *c, const secret_t *keys, int64_t list_id,
                     const list_row_in_t *row) {
  sqlite3_stmt *st = sq_stmt_cached(c, SQL_ROW_INSERT);
  sqlite3_stmt *ct = sq_stmt_cached(c, SQL_CAND_INSERT);
  if (st == NULL || ct == NULL) return BH_ERR_DB;
  unsigned char sealed[LIST_FIELD_MAX + SECRET_SEAL_OVERHEAD];
  sqlite3_bind_int64(st, 1, list_id);
  sqlite3_bind_int64(st, 2, row->row_no);
  sqlite3_bind_int64(st, 3, row->line);
  bind_text(st, 4, row->fields);
  size_t n = row->id_number ? strlen(row->id_number) : 0;
  if (n > LIST_FIELD_MAX) return BH_ERR_INVALID;
  if (n > 0) {
    secret_seal(keys, row->id_number, n, sealed);
    sqlite3_bind_blob(st, 5, sealed, (int)(n + SECRET_SEAL_OVERHEAD), SQLITE_STATIC);
  } else {
    sqlite3_bind_null(st, 5);
  }
  sqlite3_bind_int(st, 6, row->band);
  int rc = sq_stmt_exec(c, st);
  for (int k = 0; rc == BH_OK && k < row->ncand; k++) {
    sqlite3_bind_int64(ct, 1, list_id);
    sqlite3_bind_int64(ct, 2, row->row_no);
    sqlite3_bind_int(ct, 3, k + 1);
    bind_i64_or_null(ct, 4, row->cand[k].person_id);
    sqlite3_bind_double(ct, 5, row->cand[k].probability);
    sqlite3_bind_int(ct, 6, row->cand[k].band);
    bind_text(ct, 7, row->cand[k].explanation ? row->cand[k].explanation : "");
    bind_i64_or_null(ct, 8, row->cand[k].case_id);
    rc = sq_stmt_exec(c, ct);
  }
  return rc;
}

static void list_read(sqlite3_stmt *st, arena_t *a, list_rec_t *l) {
  memset(l, 0, sizeof *l);
  l->id = sqlite3_column_int64(st, 0);
  l->title = col_text(a, st, 1);
  l->source = col_text(a, st, 2);
  l->country = col_text(a, st, 3);
  l->crisis_id = sqlite3_column_int64(st, 4);
  l->mission_id = sqlite3_column_int64(st, 5);
  l->ref_date = col_text(a, st, 6);
  l->bad_rows = sqlite3_column_int64(st, 7);
  l->created_by = sqlite3_column_int64(st, 8);
  l->created_at = sqlite3_column_int64(st, 9);
  l->rows = sqlite3_column_int64(st, 10);
  for (int b = 0; b < 3; b++) l->by_band[b] = sqlite3_column_int64(st, 11 + b);
  for (int d = 0; d < LIST_ROW_DECISION_COUNT; d++)
    l->by_decision[d] = sqlite3_column_int64(st, 14 + d);
  l->region = col_text(a, st, 18);
  l->apply_status = col_text(a, st, 19);
  l->presence_category = col_text(a, st, 20);
}

int sql_list_get(sq_conn_t *c, const store_scope_t *scope, int64_t id, arena_t *a,
                 list_rec_t *out) {
  sqlite3_stmt *st = sq_stmt_cached(c, SQL_LIST_GET);
  if (st == NULL) return BH_ERR_DB;
  bind_named(st, ":id", id);
  bind_scope(st, scope);
  int rc = sq_stmt_step(st);
  if (rc == SQLITE_ROW) list_read(st, a, out);
  sq_stmt_done(st);
  return rc == SQLITE_ROW ? BH_OK : rc == SQLITE_DONE ? BH_ERR_NOT_FOUND : sq_result_err(c, rc);
}

int sql_list_list(sq_conn_t *c, const store_scope_t *scope, const store_page_t *page, arena_t *a,
                  list_rec_t **out, size_t *n) {
  sqlite3_stmt *st = sq_stmt_cached(c, SQL_LIST_PAGE);
  if (st == NULL) return BH_ERR_DB;
  *n = 0;
  *out = arena_alloc(a, sizeof(list_rec_t) * (size_t)(page->limit > 0 ? page->limit : 1));
  if (*out == NULL) return BH_ERR_NOMEM;
  bind_named(st, ":after", page->after);
  bind_named(st, ":limit", page->limit);
  bind_scope(st, scope);
  int rc;
  while ((rc = sq_stmt_step(st)) == SQLITE_ROW && *n < (size_t)page->limit)
    list_read(st, a, &(*out)[(*n)++]);
  sq_stmt_done(st);
  return rc == SQLITE_DONE || rc == SQLITE_ROW ? BH_OK : sq_result_err(c, rc);
}

/* The index of the row numbered row_no in rows[0..n) (sorted), or -1. */
static long row_index(const list_row_out_t *rows, size_t n, int64_t row_no) {
  size_t lo = 0, hi = n;
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    if (rows[mid].row_no < row_no) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo < n && rows[lo].row_no == row_no ? (long)lo : -1;
}

/* Reads the visible candidates of rows[0..n) in one statement. */
static int rows_candidates(sq_conn_t *c, const store_scope_t *scope, const secret_t *keys,
                           int64_t list_id, arena_t *a, list_row_out_t *rows, size_t n) {
  sqlite3_stmt *st = sq_stmt_cached(c, SQL_CANDS);
  if (st == NULL) return BH_ERR_DB;
  for (size_t i = 0; i < n; i++) {
    rows[i].cand = arena_alloc(a, sizeof(list_cand_out_t) * LIST_CANDIDATES_MAX);
    if (rows[i].cand == NULL) return BH_ERR_NOMEM;
  }
  bind_named(st, ":list", list_id);
  bind_named(st, ":lo", rows[0].row_no);
  bind_named(st, ":hi", rows[n - 1].row_no);
  bind_scope(st, scope);
  int rc;
  while ((rc = sq_stmt_step(st)) == SQLITE_ROW) {
    long i = row_index(rows, n, sqlite3_column_int64(st, 0));
    if (i < 0 || rows[i].ncand >= LIST_CANDIDATES_MAX) continue;
    list_cand_out_t *k = &rows[i].cand[rows[i].ncand++];
    k->rank = sqlite3_column_int(st, 1);
    k->person_id = sqlite3_column_int64(st, 2);
    k->probability = sqlite3_column_double(st, 3);
    k->band = sqlite3_column_int(st, 4);
    k->explanation = col_text(a, st, 5);
    k->decision = sqlite3_column_int(st, 6);
    k->decided_by = sqlite3_column_int64(st, 7);
    k->decided_at = sqlite3_column_int64(st, 8);
    k->repeat = sqlite3_column_int(st, 9);
    k->full_name = col_text(a, st, 10);
    k->other_names = col_text(a, st, 11);
    k->sex = col_text(a, st, 12);
    k->date_of_birth = col_text(a, st, 13);
    k->national_id = col_open_arena(keys, a, st, 14);
    k->passport = col_open_arena(keys, a, st, 15);
    k->home_province = col_text(a, st, 16);
    k->case_id = sqlite3_column_int64(st, 17);
    k->case_status = col_text(a, st, 18);
    k->case_summary = col_text(a, st, 19);
    k->caller_phone = col_text(a, st, 20);
    k->caller_relation = col_text(a, st, 21);
    k->caller_notes = col_text(a, st, 22);
  }
  sq_stmt_done(st);
  return rc == SQLITE_DONE ? BH_OK : sq_result_err(c, rc);
}

int sql_list_rows(sq_conn_t *c, const store_scope_t *scope, const secret_t *keys,
                  int64_t list_id, const list_row_filter_t *f, const store_page_t *page,
                  arena_t *a, list_row_out_t **out, size_t *n) {
  *n = 0;
  *out = NULL;
  sqlite3_stmt *ck = sq_stmt_cached(c, SQL_LIST_CHECK);
  sqlite3_stmt *st = sq_stmt_cached(c, SQL_ROWS);
  if (ck == NULL || st == NULL) return BH_ERR_DB;
  bind_named(ck, ":id", list_id);
  bind_scope(ck, scope);
  int rc = sq_stmt_step(ck);
  sq_stmt_done(ck);
  if (rc != SQLITE_ROW) return rc == SQLITE_DONE ? BH_ERR_NOT_FOUND : sq_result_err(c, rc);
  list_row_out_t *rows = arena_calloc(a, sizeof *rows * (size_t)(page->limit > 0 ? page->limit : 1));
  if (rows == NULL) return BH_ERR_NOMEM;
  bind_named(st, ":list", list_id);
  bind_named(st, ":after", page->after);
  bind_named(st, ":band", f ? f->band : -1);
  bind_named(st, ":decision", f ? f->decision : -1);
  bind_named(st, ":limit", page->limit);
  size_t k = 0;
  while ((rc = sq_stmt_step(st)) == SQLITE_ROW && k < (size_t)page->limit) {
    list_row_out_t *r = &rows[k++];
    r->row_no = sqlite3_column_int64(st, 0);
    r->line = sqlite3_column_int64(st, 1);
    r->fields = col_text(a, st, 2);
    r->id_number = col_open_arena(keys, a, st, 3);
    r->band = sqlite3_column_int(st, 4);
    r->decision = sqlite3_column_int(st, 5);
    r->person_id = sqlite3_column_int64(st, 6);
    r->decided_by = sqlite3_column_int64(st, 7);
    r->decided_at = sqlite3_column_int64(st, 8);
    r->case_id = sqlite3_column_int64(st, 9);
  }
  sq_stmt_done(st);
  if (rc != SQLITE_DONE && rc != SQLITE_ROW) return sq_result_err(c, rc);
  if (k > 0 && (rc = rows_candidates(c, scope, keys, list_id, a, rows, k)) != BH_OK) return rc;
  *out = rows;
  *n = k;
  return BH_OK;
}

/* Reads the row's decision state into *person, *kase and (when d is not NULL) its applied
 * fields. BH_ERR_NOT_FOUND when the row is absent or its list not visible. */
static int decision_row(sq_conn_t *c, const store_scope_t *scope, int64_t list_id,
                        int64_t row_no, arena_t *a, int64_t *person, int64_t *kase,
                        list_decision_t *d) {
  sqlite3_stmt *rs = sq_stmt_cached(c, SQL_ROW_FOR_DECISION);
  if (rs == NULL) return BH_ERR_DB;
  bind_named(rs, ":list", list_id);
  bind_named(rs, ":row", row_no);
  bind_scope(rs, scope);
  int rc = sq_stmt_step(rs);
  if (rc == SQLITE_ROW) {
    *person = sqlite3_column_int64(rs, 1);
    *kase = sqlite3_column_int64(rs, 2);
    if (d != NULL) {
      d->applied_event_id = sqlite3_column_int64(rs, 3);
      d->applied_prev_status = col_text(a, rs, 4);
      d->applied_presence_id = sqlite3_column_int64(rs, 5);
    }
  }
  sq_stmt_done(rs);
  return rc == SQLITE_ROW ? BH_OK : rc == SQLITE_DONE ? BH_ERR_NOT_FOUND : sq_result_err(c, rc);
}

int sql_list_decide(sq_conn_t *c, const store_scope_t *scope, int64_t list_id, int64_t row_no,
                    arena_t *a, list_decision_t *d) {
  d->replaced = d->replaced_case = 0;
  d->applied_event_id = d->applied_presence_id = 0;
  d->applied_prev_status = NULL;
  sqlite3_stmt *cs = sq_stmt_cached(c, SQL_CAND_CHECK);
  sqlite3_stmt *un = sq_stmt_cached(c, SQL_CAND_UNCONFIRM);
  sqlite3_stmt *set = sq_stmt_cached(c, SQL_CAND_SET);
  sqlite3_stmt *re = sq_stmt_cached(c, SQL_ROW_RECOMPUTE);
  sqlite3_stmt *hi = sq_stmt_cached(c, SQL_DECISION_INSERT);
  if (!cs || !un || !set || !re || !hi) return BH_ERR_DB;
  int rc = decision_row(c, scope, list_id, row_no, a, &d->prev_person_id, &d->prev_case_id, d);
  if (rc != BH_OK) return rc;
  int decision = d->decision;
  if (decision != LIST_ROW_NEW_PERSON) {
    bind_named(cs, ":list", list_id);
    bind_named(cs, ":row", row_no);
    bind_named_or_null(cs, ":person", d->person_id);
    bind_named_or_null(cs, ":case", d->case_id);
    bind_scope(cs, scope);
    rc = sq_stmt_step(cs);
    sq_stmt_done(cs);
    if (rc != SQLITE_ROW) return rc == SQLITE_DONE ? BH_ERR_INVALID : sq_result_err(c, rc);
  }
  int err = BH_OK;
  if (decision == LIST_ROW_CONFIRMED || decision == LIST_ROW_NEW_PERSON) {
    if (d->prev_person_id != 0 && d->prev_person_id != d->person_id)
      d->replaced = d->prev_person_id;
    if (d->prev_case_id != 0 && d->prev_case_id != d->case_id) d->replaced_case = d->prev_case_id;
    sqlite3_bind_int64(un, 1, list_id);
    sqlite3_bind_int64(un, 2, row_no);
    bind_i64_or_null(un, 3, d->user_id);
    sqlite3_bind_int64(un, 4, d->now);
    err = sq_stmt_exec(c, un);
  }
  if (err == BH_OK && decision != LIST_ROW_NEW_PERSON) {
    sqlite3_bind_int64(set, 1, list_id);
    sqlite3_bind_int64(set, 2, row_no);
    bind_i64_or_null(set, 3, d->person_id);
    sqlite3_bind_int(set, 4,
                     decision == LIST_ROW_CONFIRMED ? LIST_CAND_CONFIRMED : LIST_CAND_REJECTED);
    bind_i64_or_null(set, 5, d->user_id);
    sqlite3_bind_int64(set, 6, d->now);
    bind_i64_or_null(set, 7, d->case_id);
    err = sq_stmt_exec(c, set);
  }
  if (err == BH_OK) {
    sqlite3_bind_int64(re, 1, list_id);
    sqlite3_bind_int64(re, 2, row_no);
    sqlite3_bind_int(re, 3, decision);
    bind_i64_or_null(re, 4, d->user_id);
    sqlite3_bind_int64(re, 5, d->now);
    err = sq_stmt_exec(c, re);
  }
  if (err == BH_OK) {
    int nn = decision == LIST_ROW_NEW_PERSON;
    sqlite3_bind_int64(hi, 1, list_id);
    sqlite3_bind_int64(hi, 2, row_no);
    bind_text(hi, 3, list_row_decisions[decision]);
    bind_i64_or_null(hi, 4, nn ? 0 : d->person_id);
    bind_i64_or_null(hi, 5, d->replaced);
    bind_i64_or_null(hi, 6, d->user_id);
    sqlite3_bind_int64(hi, 7, d->now);
    bind_i64_or_null(hi, 8, nn ? 0 : d->case_id);
    bind_i64_or_null(hi, 9, d->replaced_case);
    err = sq_stmt_exec(c, hi);
  }
  if (err == BH_OK)
    err = decision_row(c, scope, list_id, row_no, a, &d->person_after, &d->case_after, NULL);
  return err;
}

int sql_list_row_applied(sq_conn_t *c, int64_t list_id, int64_t row_no, int64_t event_id,
                         const char *prev_status, int64_t presence_id) {
  sqlite3_stmt *st = sq_stmt_cached(c, SQL_ROW_APPLIED);
  if (st == NULL) return BH_ERR_DB;
  sqlite3_bind_int64(st, 1, list_id);
  sqlite3_bind_int64(st, 2, row_no);
  bind_i64_or_null(st, 3, event_id);
  bind_text(st, 4, prev_status);
  bind_i64_or_null(st, 5, presence_id);
  return sq_stmt_exec(c, st);
}

int sql_list_status_latest(sq_conn_t *c, int64_t person_id, int64_t *event_id) {
  *event_id = 0;
  sqlite3_stmt *st = sq_stmt_cached(c, SQL_STATUS_LATEST);
  if (st == NULL) return BH_ERR_DB;
  sqlite3_bind_int64(st, 1, person_id);
  int rc = sq_stmt_step(st);
  if (rc == SQLITE_ROW) *event_id = sqlite3_column_int64(st, 0);
  sq_stmt_done(st);
  return rc == SQLITE_ROW ? BH_OK : sq_result_err(c, rc);
}

int sql_list_presence_withdraw(sq_conn_t *c, int64_t presence_id, int64_t person_id,
                               int *removed) {
  *removed = 0;
  sqlite3_stmt *st = sq_stmt_cached(c, SQL_PRESENCE_WITHDRAW);
  if (st == NULL) return BH_ERR_DB;
  sqlite3_bind_int64(st, 1, presence_id);
  sqlite3_bind_int64(st, 2, person_id);
  int rc = sq_stmt_exec(c, st);
  if (rc == BH_OK) *removed = sqlite3_changes(sq_conn_db(c)) > 0;
  return rc;
}

int sql_list_open_case(sq_conn_t *c, const store_scope_t *scope, int64_t person_id,
                       int64_t *case_id) {
  *case_id = 0;
  sqlite3_stmt *st = sq_stmt_cached(c, SQL_OPEN_CASE);
  if (st == NULL) return BH_ERR_DB;
  bind_named(st, ":person", person_id);
  bind_scope(st, scope);
  int rc = sq_stmt_step(st);
  if (rc == SQLITE_ROW) *case_id = sqlite3_column_int64(st, 0);
  sq_stmt_done(st);
  return rc == SQLITE_ROW ? BH_OK : sq_result_err(c, rc);
}
