/*
 * store_pg_list.c - the PostgreSQL backend of store_list.h, with the same tables and meaning as
 * store_sqlite_list.c. Statements run through pg_run_sql (prepared once per session); person
 * scope is PG_SCOPE_P in $1, $2 (case scope PGL_SCOPE_K, the same two), and each statement's own
 * parameters follow from $3.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_list_impl.h"
#include "store/store_pg_int.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/err.h"
#include "util/log.h"

/* Persons per round trip of the registry read. */
#define PGL_PERSONS_PAGE 5000

#define PGL_LIST_SCOPE "($1::int = 1 OR l.mission_id = $2::bigint)"
/* Visibility of case k (store_case.h): everything, or the cases of the officer's mission. */
#define PGL_SCOPE_K(k) "($1::int = 1 OR " k ".mission_id = $2::bigint)"
/* An open missing-person case m (open as case_status_open in domain/case.c says). */
#define PGL_MISSING_OPEN(m)                                                                  \
  "(" m ".type = 'missing_person_report' AND " m ".status IN ('new', 'triaged', 'in_progress'))"
/* The oldest open missing-person case visible to the scope that person is linked to, or NULL. */
#define PGL_OPEN_CASE_OF(person)                                                             \
  "(SELECT min(cp.case_id) FROM case_persons cp JOIN cases m ON m.id = cp.case_id"          \
  " WHERE cp.person_id = " person " AND " PGL_MISSING_OPEN("m") " AND " PGL_SCOPE_K("m") ")"
#define PGL_LIST_COLS                                                                        \
  "l.id, l.title, l.source, l.country, l.crisis_id, l.mission_id, l.ref_date, l.bad_rows,"   \
  " l.created_by, l.created_at, count(r.row_no), count(CASE WHEN r.band = 0 THEN 1 END),"     \
  " count(CASE WHEN r.band = 1 THEN 1 END), count(CASE WHEN r.band = 2 THEN 1 END),"         \
  " count(CASE WHEN r.decision = 0 THEN 1 END), count(CASE WHEN r.decision = 1 THEN 1 END),"  \
  " count(CASE WHEN r.decision = 2 THEN 1 END), count(CASE WHEN r.decision = 3 THEN 1 END),"  \
  " l.region, l.apply_status, l.presence_category"                                            \
  " FROM lists l LEFT JOIN list_rows r ON r.list_id = l.id"

/* What the matching generation is made of: the change counter (edits, deletions) and the count
 * and highest id of persons and of presences (inserts, which may commit out of id order). */
#define PGL_GEN_N 5
static const char pgl_gen[] =
    "SELECT (SELECT gen FROM match_generation WHERE id = 1), (SELECT count(*) FROM persons),"
    " (SELECT coalesce(max(id), 0) FROM persons), (SELECT count(*) FROM presences),"
    " (SELECT coalesce(max(id), 0) FROM presences)";
static const char pgl_persons[] =
    "SELECT p.id, p.full_name, p.other_names, p.sex, p.dob, p.nid_enc, p.passport_enc,"
    " p.home_province, (SELECT string_agg(DISTINCT pr.country, ',') FROM presences pr"
    " WHERE pr.person_id = p.id) FROM persons p WHERE p.id > $3 AND " PG_SCOPE_P
    " ORDER BY p.id LIMIT $4";
static const char pgl_cases[] =
    "SELECT k.id, cp.person_id, coalesce(s.full_name, k.caller_name), s.sex, s.dob,"
    " s.home_province, s.idn_enc, (SELECT string_agg(cc.country, ',') FROM crisis_countries cc"
    " WHERE cc.crisis_id = k.crisis_id) FROM cases k"
    " LEFT JOIN case_persons cp ON cp.case_id = k.id"
    " LEFT JOIN case_subjects s ON s.case_id = k.id AND cp.person_id IS NULL"
    " WHERE " PGL_MISSING_OPEN("k") " AND " PGL_SCOPE_K("k")
    " AND (cp.person_id IS NOT NULL OR (coalesce(s.full_name, k.caller_name) IS NOT NULL AND"
    " k.caller_person_id IS NULL)) ORDER BY k.id, cp.person_id";
static const char pgl_list_insert[] =
    "INSERT INTO lists(title, source, country, crisis_id, mission_id, ref_date, bad_rows,"
    " created_by, created_at, region, apply_status, presence_category) VALUES ($1, $2, $3, $4,"
    " $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id";
static const char pgl_row_insert[] =
    "INSERT INTO list_rows(list_id, row_no, line, fields, idn_enc, band) VALUES ($1, $2, $3,"
    " $4, $5, $6)";
/* The candidates of a row in one round trip: $3..$7 are arrays in step. */
static const char pgl_cand_insert[] =
    "INSERT INTO list_candidates(list_id, row_no, rank, person_id, probability, band,"
    " explanation, case_id) SELECT $1, $2, u.ord, u.person_id, u.probability, u.band,"
    " u.explanation, u.case_id FROM unnest($3::bigint[], $4::float8[], $5::int[], $6::text[],"
    " $7::bigint[]) WITH ORDINALITY AS u(person_id, probability, band, explanation, case_id,"
    " ord)";
static const char pgl_sql_list_get[] =
    "SELECT " PGL_LIST_COLS " WHERE l.id = $3 AND " PGL_LIST_SCOPE " GROUP BY l.id";
static const char pgl_list_page[] =
    "SELECT " PGL_LIST_COLS " WHERE l.id > $3 AND " PGL_LIST_SCOPE " GROUP BY l.id"
    " ORDER BY l.id LIMIT $4";
static const char pgl_list_check[] = "SELECT 1 FROM lists l WHERE l.id = $3 AND " PGL_LIST_SCOPE;
static const char pgl_rows[] =
    "SELECT r.row_no, r.line, r.fields, r.idn_enc, r.band, r.decision, r.person_id,"
    " r.decided_by, r.decided_at, r.case_id FROM list_rows r WHERE r.list_id = $1 AND"
    " r.row_no > $2"
    " AND ($3::int < 0 OR r.band = $3::int) AND ($4::int < 0 OR r.decision = $4::int)"
    " ORDER BY r.row_no LIMIT $5";
static const char pgl_cands[] =
    "SELECT x.row_no, x.rank, x.person_id, x.probability, x.band, x.explanation, x.decision,"
    " x.decided_by, x.decided_at, x.rpt, x.full_name, x.other_names, x.sex, x.dob, x.nid_enc,"
    " x.passport_enc, x.home_province, x.kid, m.status, m.summary,"
    " CASE WHEN x.person_id IS NULL THEN m.caller_phone END,"
    " CASE WHEN x.person_id IS NULL THEN m.caller_relation END,"
    " CASE WHEN x.person_id IS NULL THEN m.caller_notes END FROM (SELECT c.row_no, c.rank,"
    " c.person_id, c.probability, c.band, c.explanation, c.decision, c.decided_by,"
    " c.decided_at, CASE WHEN c.person_id IS NOT NULL THEN EXISTS (SELECT 1 FROM list_rows o"
    " WHERE o.person_id = c.person_id AND o.list_id <> c.list_id) ELSE EXISTS (SELECT 1 FROM"
    " list_rows o WHERE o.case_id = c.case_id AND o.list_id <> c.list_id) END::int AS rpt,"
    " coalesce(p.full_name, s.full_name, k.caller_name) AS full_name, p.other_names,"
    " coalesce(p.sex, s.sex) AS sex, coalesce(p.dob, s.dob) AS dob, coalesce(p.nid_enc,"
    " s.idn_enc) AS nid_enc, p.passport_enc, coalesce(p.home_province, s.home_province) AS"
    " home_province, coalesce(c.case_id, "
    PGL_OPEN_CASE_OF("c.person_id") ") AS kid FROM list_candidates c LEFT JOIN persons p ON"
    " p.id = c.person_id LEFT JOIN cases k ON k.id = c.case_id LEFT JOIN case_subjects s ON"
    " s.case_id = c.case_id WHERE c.list_id = $3 AND"
    " c.row_no BETWEEN $4 AND $5 AND ((c.person_id IS NOT NULL AND " PG_SCOPE_P ") OR"
    " (c.case_id IS NOT NULL AND " PGL_SCOPE_K("k") "))) x LEFT JOIN cases m ON m.id = x.kid"
    " ORDER BY x.row_no, x.rank";
static const char pgl_row_for_decision[] =
    "SELECT r.decision, r.person_id, r.case_id, r.applied_event_id, r.applied_prev_status,"
    " r.applied_presence_id FROM list_rows r JOIN lists l ON l.id = r.list_id"
    " WHERE r.list_id = $3 AND r.row_no = $4 AND " PGL_LIST_SCOPE " FOR UPDATE OF r";
static const char pgl_cand_check[] =
    "SELECT c.decision FROM list_candidates c LEFT JOIN persons p ON p.id = c.person_id"
    " LEFT JOIN cases k ON k.id = c.case_id WHERE c.list_id = $3 AND c.row_no = $4 AND"
    " c.person_id IS NOT DISTINCT FROM $5::bigint AND c.case_id IS NOT DISTINCT FROM"
    " $6::bigint AND ((c.person_id IS NOT NULL AND " PG_SCOPE_P ") OR (c.case_id IS NOT NULL"
    " AND " PGL_SCOPE_K("k") "))";
static const char pgl_cand_unconfirm[] =
    "UPDATE list_candidates SET decision = 0, decided_by = $3, decided_at = $4 WHERE"
    " list_id = $1 AND row_no = $2 AND decision = 1";
static const char pgl_cand_set[] =
    "UPDATE list_candidates SET decision = $4, decided_by = $5, decided_at = $6 WHERE"
    " list_id = $1 AND row_no = $2 AND person_id IS NOT DISTINCT FROM $3::bigint AND case_id IS"
    " NOT DISTINCT FROM $7::bigint";
static const char pgl_row_recompute[] =
    "UPDATE list_rows SET person_id = (SELECT c.person_id FROM list_candidates c WHERE"
    " c.list_id = $1 AND c.row_no = $2 AND c.decision = 1), case_id = (SELECT c.case_id FROM"
    " list_candidates c WHERE c.list_id = $1 AND c.row_no = $2 AND c.decision = 1),"
    " decision = CASE WHEN EXISTS"
    " (SELECT 1 FROM list_candidates c WHERE c.list_id = $1 AND c.row_no = $2 AND"
    " c.decision = 1) THEN 1 WHEN $3::int = 3 OR decision = 3 THEN 3 WHEN EXISTS (SELECT 1"
    " FROM list_candidates c WHERE c.list_id = $1 AND c.row_no = $2) AND NOT EXISTS (SELECT 1"
    " FROM list_candidates c WHERE c.list_id = $1 AND c.row_no = $2 AND c.decision <> 2) THEN"
    " 2 ELSE 0 END, decided_by = $4, decided_at = $5 WHERE list_id = $1 AND row_no = $2";
static const char pgl_decision_insert[] =
    "INSERT INTO list_decisions(list_id, row_no, decision, person_id, replaced_person_id,"
    " user_id, at, case_id, replaced_case_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";
static const char pgl_row_applied[] =
    "UPDATE list_rows SET applied_event_id = $3, applied_prev_status = $4,"
    " applied_presence_id = $5 WHERE list_id = $1 AND row_no = $2";
static const char pgl_status_latest[] =
    "SELECT coalesce(max(id), 0) FROM status_events WHERE person_id = $1";
/* Only a presence nobody touched since its creation, and no self-registration's. */
static const char pgl_presence_withdraw[] =
    "DELETE FROM presences WHERE id = $1 AND person_id = $2 AND updated_at = created_at AND"
    " NOT EXISTS (SELECT 1 FROM registrations g WHERE g.presence_id = $1)";
static const char pgl_open_case[] = "SELECT coalesce(" PGL_OPEN_CASE_OF("$3::bigint") ", 0)";

/* Runs sql and drops its result. */
static int pgl_exec(pg_conn_t *c, const char *sql, const pg_params_t *p) {
  PGresult *res;
  int rc = pg_run_sql(c, sql, p, &res);
  if (rc == BH_OK) PQclear(res);
  return rc;
}

/* A text column as libpq holds it (NUL-terminated), NULL for SQL NULL. */
static const char *col_raw(const PGresult *r, int row, int col) {
  return PQgetisnull(r, row, col) ? NULL : PQgetvalue(r, row, col);
}

/* Opens a sealed column into out (cap bytes); returns out, or NULL when absent or unreadable. */
static const char *col_open(const secret_t *keys, const PGresult *r, int row, int col, char *out,
                            size_t cap) {
  if (PQgetisnull(r, row, col)) return NULL;
  const unsigned char *blob = (const unsigned char *)PQgetvalue(r, row, col);
  int len = PQgetlength(r, row, col);
  if (len < SECRET_SEAL_OVERHEAD || (size_t)len - SECRET_SEAL_OVERHEAD + 1 > cap) return NULL;
  if (secret_open(keys, blob, (size_t)len, out) != BH_OK) {
    log_error("msg=\"sealed column failed to open\"");
    return NULL;
  }
  out[len - SECRET_SEAL_OVERHEAD] = '\0';
  return out;
}

static const char *col_open_arena(const secret_t *keys, arena_t *a, const PGresult *r, int row,
                                  int col) {
  if (PQgetisnull(r, row, col)) return NULL;
  int len = PQgetlength(r, row, col);
  if (len < SECRET_SEAL_OVERHEAD) return NULL;
  char *out = arena_alloc(a, (size_t)len - SECRET_SEAL_OVERHEAD + 1);
  return out ? col_open(keys, r, row, col, out, (size_t)len - SECRET_SEAL_OVERHEAD + 1) : NULL;
}

int pgl_match_generation(pg_conn_t *c, int64_t *gen) {
  PGresult *res;
  int rc = pg_run_sql(c, pgl_gen, NULL, &res);
  if (rc != BH_OK) return rc;
  int64_t v[PGL_GEN_N] = {0};
  for (int i = 0; PQntuples(res) == 1 && i < PGL_GEN_N; i++) v[i] = pg_col_i64(res, 0, i);
  PQclear(res);
  *gen = store_list_gen_mix(v, PGL_GEN_N);
  return BH_OK;
}

int pgl_match_persons_each(pg_conn_t *c, const store_scope_t *scope, const secret_t *keys,
                           int64_t *gen, store_match_person_cb cb, void *ctx) {
  /* One snapshot for every page and the generation. */
  *gen = -1;
  int own = !c->in_tx;
  int rc = own ? pg_exec(c, PG_BEGIN_SNAPSHOT, NULL, NULL) : BH_OK;
  if (rc != BH_OK) return rc;
  if (own) c->in_tx = 1;
  rc = pgl_match_generation(c, gen);
  int64_t after = 0;
  char nid[MODEL_NUMBER_MAX + 1], pp[MODEL_NUMBER_MAX + 1];
  for (int more = 1; rc == BH_OK && more;) {
    pg_params_t q = {0};
    pgp_scope(&q, scope);
    pgp_i64(&q, after);
    pgp_i64(&q, PGL_PERSONS_PAGE);
    PGresult *res;
    rc = pg_run_sql(c, pgl_persons, &q, &res);
    if (rc != BH_OK) break;
    int rows = PQntuples(res);
    more = rows == PGL_PERSONS_PAGE;
    for (int i = 0; rc == BH_OK && i < rows; i++) {
      store_match_person_t p = {
          .id = pg_col_i64(res, i, 0),
          .full_name = col_raw(res, i, 1),
          .other_names = col_raw(res, i, 2),
          .sex = col_raw(res, i, 3),
          .date_of_birth = col_raw(res, i, 4),
          .national_id = col_open(keys, res, i, 5, nid, sizeof nid),
          .passport = col_open(keys, res, i, 6, pp, sizeof pp),
          .home_province = col_raw(res, i, 7),
          .countries = col_raw(res, i, 8),
      };
      after = p.id;
      if (cb(ctx, &p) != 0) rc = BH_ERR_INTERNAL;
    }
    PQclear(res);
  }
  if (own) {
    int crc = pg_commit(c);
    if (rc == BH_OK) rc = crc;
  }
  return rc;
}

int pgl_match_cases_each(pg_conn_t *c, const store_scope_t *scope, const secret_t *keys,
                         store_match_case_cb cb, void *ctx) {
  pg_params_t p = {0};
  pgp_scope(&p, scope);
  PGresult *res;
  int rc = pg_run_sql(c, pgl_cases, &p, &res);
  if (rc != BH_OK) return rc;
  int n = PQntuples(res);
  char idn[MODEL_NUMBER_MAX + 1];
  for (int i = 0; rc == BH_OK && i < n; i++) {
    store_match_case_t k = {.case_id = pg_col_i64(res, i, 0),
                            .person_id = pg_col_i64(res, i, 1),
                            .full_name = col_raw(res, i, 2),
                            .sex = col_raw(res, i, 3),
                            .date_of_birth = col_raw(res, i, 4),
                            .home_province = col_raw(res, i, 5),
                            .id_number = col_open(keys, res, i, 6, idn, sizeof idn),
                            .countries = col_raw(res, i, 7)};
    if (cb(ctx, &k) != 0) rc = BH_ERR_INTERNAL;
  }
  PQclear(res);
  return rc;
}

int pgl_list_create(pg_conn_t *c, list_rec_t *l) {
  if (l->created_at == 0) l->created_at = clock_now();
  pg_params_t p = {0};
  pgp_text(&p, l->title);
  pgp_text(&p, l->source);
  pgp_text(&p, l->country);
  pgp_i64_or_null(&p, l->crisis_id);
  pgp_i64_or_null(&p, l->mission_id);
  pgp_text(&p, l->ref_date);
  pgp_i64(&p, l->bad_rows);
  pgp_i64_or_null(&p, l->created_by);
  pgp_i64(&p, l->created_at);
  pgp_text(&p, l->region);
  pgp_text(&p, l->apply_status);
  pgp_text(&p, l->presence_category);
  PGresult *res;
  int rc = pg_run_sql(c, pgl_list_insert, &p, &res);
  if (rc != BH_OK) return rc;
  l->id = pg_col_i64(res, 0, 0);
  PQclear(res);
  return BH_OK;
}

/* Appends s to b as an element of a PostgreSQL array literal (quoted, escaped). */
static int array_text(buf_t *b, const char *s) {
  if (buf_putc(b, '"') != BH_OK) return BH_ERR_NOMEM;
  for (; *s; s++) {
    if ((*s == '"' || *s == '\\') && buf_putc(b, '\\') != BH_OK) return BH_ERR_NOMEM;
    if (buf_putc(b, *s) != BH_OK) return BH_ERR_NOMEM;
  }
  return buf_putc(b, '"');
}

int pgl_list_add_row(pg_conn_t *c, const secret_t *keys, int64_t list_id,
                     const list_row_in_t *row) {
  unsigned char sealed[LIST_FIELD_MAX + SECRET_SEAL_OVERHEAD];
  size_t n = row->id_number ? strlen(row->id_number) : 0;
  if (n > LIST_FIELD_MAX) return BH_ERR_INVALID;
  pg_params_t p = {0};
  pgp_i64(&p, list_id);
  pgp_i64(&p, row->row_no);
  pgp_i64(&p, row->line);
  pgp_text(&p, row->fields);
  if (n > 0) {
    secret_seal(keys, row->id_number, n, sealed);
    pgp_bytes(&p, sealed, n + SECRET_SEAL_OVERHEAD);
  } else {
    pgp_bytes(&p, NULL, 0);
  }
  pgp_i64(&p, row->band);
  int rc = pgl_exec(c, pgl_row_insert, &p);
  if (rc != BH_OK || row->ncand == 0) return rc;
  buf_t ids, probs, bands, expl, cases;
  buf_init(&ids, 1 << 12);
  buf_init(&cases, 1 << 12);
  buf_init(&probs, 1 << 12);
  buf_init(&bands, 1 << 12);
  buf_init(&expl, 1 << 16);
  rc = BH_OK;
  rc |= buf_putc(&ids, '{') | buf_putc(&probs, '{') | buf_putc(&bands, '{') | buf_putc(&expl, '{');
  rc |= buf_putc(&cases, '{');
  for (int k = 0; rc == BH_OK && k < row->ncand; k++) {
    const char *sep = k ? "," : "";
    /* A candidate is a person or a case: the other is NULL. */
    if (row->cand[k].person_id != 0) {
      rc |= buf_printf(&ids, "%s%lld", sep, (long long)row->cand[k].person_id);
      rc |= buf_printf(&cases, "%sNULL", sep);
    } else {
      rc |= buf_printf(&ids, "%sNULL", sep);
      rc |= buf_printf(&cases, "%s%lld", sep, (long long)row->cand[k].case_id);
    }
    rc |= buf_printf(&probs, "%s%.17g", sep, row->cand[k].probability);
    rc |= buf_printf(&bands, "%s%d", sep, row->cand[k].band);
    if (k) rc |= buf_putc(&expl, ',');
    rc |= array_text(&expl, row->cand[k].explanation ? row->cand[k].explanation : "");
  }
  rc |= buf_putc(&ids, '}') | buf_putc(&probs, '}') | buf_putc(&bands, '}') | buf_putc(&expl, '}');
  rc |= buf_putc(&cases, '}');
  if (rc == BH_OK) {
    pg_params_t q = {0};
    pgp_i64(&q, list_id);
    pgp_i64(&q, row->row_no);
    pgp_text(&q, ids.data);
    pgp_text(&q, probs.data);
    pgp_text(&q, bands.data);
    pgp_text(&q, expl.data);
    pgp_text(&q, cases.data);
    rc = pgl_exec(c, pgl_cand_insert, &q);
  } else {
    rc = BH_ERR_NOMEM;
  }
  buf_free(&ids);
  buf_free(&probs);
  buf_free(&bands);
  buf_free(&expl);
  buf_free(&cases);
  return rc;
}

static void list_read(const PGresult *r, int row, arena_t *a, list_rec_t *l) {
  memset(l, 0, sizeof *l);
  l->id = pg_col_i64(r, row, 0);
  l->title = pg_col_text(a, r, row, 1);
  l->source = pg_col_text(a, r, row, 2);
  l->country = pg_col_text(a, r, row, 3);
  l->crisis_id = pg_col_i64(r, row, 4);
  l->mission_id = pg_col_i64(r, row, 5);
  l->ref_date = pg_col_text(a, r, row, 6);
  l->bad_rows = pg_col_i64(r, row, 7);
  l->created_by = pg_col_i64(r, row, 8);
  l->created_at = pg_col_i64(r, row, 9);
  l->rows = pg_col_i64(r, row, 10);
  for (int b = 0; b < 3; b++) l->by_band[b] = pg_col_i64(r, row, 11 + b);
  for (int d = 0; d < LIST_ROW_DECISION_COUNT; d++) l->by_decision[d] = pg_col_i64(r, row, 14 + d);
  l->region = pg_col_text(a, r, row, 18);
  l->apply_status = pg_col_text(a, r, row, 19);
  l->presence_category = pg_col_text(a, r, row, 20);
}

int pgl_list_get(pg_conn_t *c, const store_scope_t *scope, int64_t id, arena_t *a,
                 list_rec_t *out) {
  pg_params_t p = {0};
  pgp_scope(&p, scope);
  pgp_i64(&p, id);
  PGresult *res;
  int rc = pg_run_sql(c, pgl_sql_list_get, &p, &res);
  if (rc != BH_OK) return rc;
  if (PQntuples(res) == 1) {
    list_read(res, 0, a, out);
  } else {
    rc = BH_ERR_NOT_FOUND;
  }
  PQclear(res);
  return rc;
}

int pgl_list_list(pg_conn_t *c, const store_scope_t *scope, const store_page_t *page, arena_t *a,
                  list_rec_t **out, size_t *n) {
  *n = 0;
  pg_params_t p = {0};
  pgp_scope(&p, scope);
  pgp_i64(&p, page->after);
  pgp_i64(&p, page->limit);
  PGresult *res;
  int rc = pg_run_sql(c, pgl_list_page, &p, &res);
  if (rc != BH_OK) return rc;
  int rows = PQntuples(res);
  *out = arena_alloc(a, sizeof(list_rec_t) * (size_t)(rows > 0 ? rows : 1));
  if (*out == NULL) rc = BH_ERR_NOMEM;
  for (int i = 0; rc == BH_OK && i < rows; i++) list_read(res, i, a, &(*out)[(*n)++]);
  PQclear(res);
  return rc;
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

static int rows_candidates(pg_conn_t *c, const store_scope_t *scope, const secret_t *keys,
                           int64_t list_id, arena_t *a, list_row_out_t *rows, size_t n) {
  for (size_t i = 0; i < n; i++) {
    rows[i].cand = arena_alloc(a, sizeof(list_cand_out_t) * LIST_CANDIDATES_MAX);
    if (rows[i].cand == NULL) return BH_ERR_NOMEM;
  }
  pg_params_t p = {0};
  pgp_scope(&p, scope);
  pgp_i64(&p, list_id);
  pgp_i64(&p, rows[0].row_no);
  pgp_i64(&p, rows[n - 1].row_no);
  PGresult *res;
  int rc = pg_run_sql(c, pgl_cands, &p, &res);
  if (rc != BH_OK) return rc;
  int nr = PQntuples(res);
  for (int j = 0; j < nr; j++) {
    long i = row_index(rows, n, pg_col_i64(res, j, 0));
    if (i < 0 || rows[i].ncand >= LIST_CANDIDATES_MAX) continue;
    list_cand_out_t *k = &rows[i].cand[rows[i].ncand++];
    k->rank = (int)pg_col_i64(res, j, 1);
    k->person_id = pg_col_i64(res, j, 2);
    k->probability = pg_col_f64(res, j, 3);
    k->band = (int)pg_col_i64(res, j, 4);
    k->explanation = pg_col_text(a, res, j, 5);
    k->decision = (int)pg_col_i64(res, j, 6);
    k->decided_by = pg_col_i64(res, j, 7);
    k->decided_at = pg_col_i64(res, j, 8);
    k->repeat = (int)pg_col_i64(res, j, 9);
    k->full_name = pg_col_text(a, res, j, 10);
    k->other_names = pg_col_text(a, res, j, 11);
    k->sex = pg_col_text(a, res, j, 12);
    k->date_of_birth = pg_col_text(a, res, j, 13);
    k->national_id = col_open_arena(keys, a, res, j, 14);
    k->passport = col_open_arena(keys, a, res, j, 15);
    k->home_province = pg_col_text(a, res, j, 16);
    k->case_id = pg_col_i64(res, j, 17);
    k->case_status = pg_col_text(a, res, j, 18);
    k->case_summary = pg_col_text(a, res, j, 19);
    k->caller_phone = pg_col_text(a, res, j, 20);
    k->caller_relation = pg_col_text(a, res, j, 21);
    k->caller_notes = pg_col_text(a, res, j, 22);
  }
  PQclear(res);
  return BH_OK;
}

int pgl_list_rows(pg_conn_t *c, const store_scope_t *scope, const secret_t *keys,
                  int64_t list_id, const list_row_filter_t *f, const store_page_t *page,
                  arena_t *a, list_row_out_t **out, size_t *n) {
  *n = 0;
  *out = NULL;
  pg_params_t ck = {0};
  pgp_scope(&ck, scope);
  pgp_i64(&ck, list_id);
  PGresult *res;
  int rc = pg_run_sql(c, pgl_list_check, &ck, &res);
  if (rc != BH_OK) return rc;
  int found = PQntuples(res) == 1;
  PQclear(res);
  if (!found) return BH_ERR_NOT_FOUND;
  pg_params_t p = {0};
  pgp_i64(&p, list_id);
  pgp_i64(&p, page->after);
  pgp_i64(&p, f ? f->band : -1);
  pgp_i64(&p, f ? f->decision : -1);
  pgp_i64(&p, page->limit);
  rc = pg_run_sql(c, pgl_rows, &p, &res);
  if (rc != BH_OK) return rc;
  int nr = PQntuples(res);
  list_row_out_t *rows = arena_calloc(a, sizeof *rows * (size_t)(nr > 0 ? nr : 1));
  if (rows == NULL) {
    PQclear(res);
    return BH_ERR_NOMEM;
  }
  for (int i = 0; i < nr; i++) {
    list_row_out_t *r = &rows[i];
    r->row_no = pg_col_i64(res, i, 0);
    r->line = pg_col_i64(res, i, 1);
    r->fields = pg_col_text(a, res, i, 2);
    r->id_number = col_open_arena(keys, a, res, i, 3);
    r->band = (int)pg_col_i64(res, i, 4);
    r->decision = (int)pg_col_i64(res, i, 5);
    r->person_id = pg_col_i64(res, i, 6);
    r->decided_by = pg_col_i64(res, i, 7);
    r->decided_at = pg_col_i64(res, i, 8);
    r->case_id = pg_col_i64(res, i, 9);
  }
  PQclear(res);
  if (nr > 0 && (rc = rows_candidates(c, scope, keys, list_id, a, rows, (size_t)nr)) != BH_OK)
    return rc;
  *out = rows;
  *n = (size_t)nr;
  return BH_OK;
}

/* Reads (and locks) the row's decision state into *person, *kase and (when d is not NULL) its
 * applied fields. BH_ERR_NOT_FOUND when the row is absent or its list not visible. */
static int decision_row(pg_conn_t *c, const store_scope_t *scope, int64_t list_id,
                        int64_t row_no, arena_t *a, int64_t *person, int64_t *kase,
                        list_decision_t *d) {
  pg_params_t p = {0};
  pgp_scope(&p, scope);
  pgp_i64(&p, list_id);
  pgp_i64(&p, row_no);
  PGresult *res;
  int rc = pg_run_sql(c, pgl_row_for_decision, &p, &res);
  if (rc != BH_OK) return rc;
  if (PQntuples(res) == 1) {
    *person = pg_col_i64(res, 0, 1);
    *kase = pg_col_i64(res, 0, 2);
    if (d != NULL) {
      d->applied_event_id = pg_col_i64(res, 0, 3);
      d->applied_prev_status = pg_col_text(a, res, 0, 4);
      d->applied_presence_id = pg_col_i64(res, 0, 5);
    }
  } else {
    rc = BH_ERR_NOT_FOUND;
  }
  PQclear(res);
  return rc;
}

int pgl_list_decide(pg_conn_t *c, const store_scope_t *scope, int64_t list_id, int64_t row_no,
                    arena_t *a, list_decision_t *d) {
  d->replaced = d->replaced_case = 0;
  d->applied_event_id = d->applied_presence_id = 0;
  d->applied_prev_status = NULL;
  int rc = decision_row(c, scope, list_id, row_no, a, &d->prev_person_id, &d->prev_case_id, d);
  if (rc != BH_OK) return rc;
  int decision = d->decision;
  PGresult *res;
  if (decision != LIST_ROW_NEW_PERSON) {
    pg_params_t q = {0};
    pgp_scope(&q, scope);
    pgp_i64(&q, list_id);
    pgp_i64(&q, row_no);
    pgp_i64_or_null(&q, d->person_id);
    pgp_i64_or_null(&q, d->case_id);
    rc = pg_run_sql(c, pgl_cand_check, &q, &res);
    if (rc != BH_OK) return rc;
    int found = PQntuples(res) == 1;
    PQclear(res);
    if (!found) return BH_ERR_INVALID;
  }
  if (decision == LIST_ROW_CONFIRMED || decision == LIST_ROW_NEW_PERSON) {
    if (d->prev_person_id != 0 && d->prev_person_id != d->person_id)
      d->replaced = d->prev_person_id;
    if (d->prev_case_id != 0 && d->prev_case_id != d->case_id) d->replaced_case = d->prev_case_id;
    pg_params_t q = {0};
    pgp_i64(&q, list_id);
    pgp_i64(&q, row_no);
    pgp_i64_or_null(&q, d->user_id);
    pgp_i64(&q, d->now);
    rc = pgl_exec(c, pgl_cand_unconfirm, &q);
  }
  if (rc == BH_OK && decision != LIST_ROW_NEW_PERSON) {
    pg_params_t q = {0};
    pgp_i64(&q, list_id);
    pgp_i64(&q, row_no);
    pgp_i64_or_null(&q, d->person_id);
    pgp_i64(&q, decision == LIST_ROW_CONFIRMED ? LIST_CAND_CONFIRMED : LIST_CAND_REJECTED);
    pgp_i64_or_null(&q, d->user_id);
    pgp_i64(&q, d->now);
    pgp_i64_or_null(&q, d->case_id);
    rc = pgl_exec(c, pgl_cand_set, &q);
  }
  if (rc == BH_OK) {
    pg_params_t q = {0};
    pgp_i64(&q, list_id);
    pgp_i64(&q, row_no);
    pgp_i64(&q, decision);
    pgp_i64_or_null(&q, d->user_id);
    pgp_i64(&q, d->now);
    rc = pgl_exec(c, pgl_row_recompute, &q);
  }
  if (rc == BH_OK) {
    int nn = decision == LIST_ROW_NEW_PERSON;
    pg_params_t q = {0};
    pgp_i64(&q, list_id);
    pgp_i64(&q, row_no);
    pgp_text(&q, list_row_decisions[decision]);
    pgp_i64_or_null(&q, nn ? 0 : d->person_id);
    pgp_i64_or_null(&q, d->replaced);
    pgp_i64_or_null(&q, d->user_id);
    pgp_i64(&q, d->now);
    pgp_i64_or_null(&q, nn ? 0 : d->case_id);
    pgp_i64_or_null(&q, d->replaced_case);
    rc = pgl_exec(c, pgl_decision_insert, &q);
  }
  if (rc == BH_OK)
    rc = decision_row(c, scope, list_id, row_no, a, &d->person_after, &d->case_after, NULL);
  return rc;
}

int pgl_list_row_applied(pg_conn_t *c, int64_t list_id, int64_t row_no, int64_t event_id,
                         const char *prev_status, int64_t presence_id) {
  pg_params_t q = {0};
  pgp_i64(&q, list_id);
  pgp_i64(&q, row_no);
  pgp_i64_or_null(&q, event_id);
  pgp_text(&q, prev_status);
  pgp_i64_or_null(&q, presence_id);
  return pgl_exec(c, pgl_row_applied, &q);
}

/* Runs a statement that answers one integer into *v. */
static int pgl_one_i64(pg_conn_t *c, const char *sql, const pg_params_t *p, int64_t *v) {
  *v = 0;
  PGresult *res;
  int rc = pg_run_sql(c, sql, p, &res);
  if (rc != BH_OK) return rc;
  if (PQntuples(res) == 1) *v = pg_col_i64(res, 0, 0);
  PQclear(res);
  return BH_OK;
}

int pgl_list_status_latest(pg_conn_t *c, int64_t person_id, int64_t *event_id) {
  pg_params_t q = {0};
  pgp_i64(&q, person_id);
  return pgl_one_i64(c, pgl_status_latest, &q, event_id);
}

int pgl_list_presence_withdraw(pg_conn_t *c, int64_t presence_id, int64_t person_id,
                               int *removed) {
  *removed = 0;
  pg_params_t q = {0};
  pgp_i64(&q, presence_id);
  pgp_i64(&q, person_id);
  PGresult *res;
  int rc = pg_run_sql(c, pgl_presence_withdraw, &q, &res);
  if (rc != BH_OK) return rc;
  *removed = atoi(PQcmdTuples(res)) > 0;
  PQclear(res);
  return BH_OK;
}

int pgl_list_open_case(pg_conn_t *c, const store_scope_t *scope, int64_t person_id,
                       int64_t *case_id) {
  pg_params_t q = {0};
  pgp_scope(&q, scope);
  pgp_i64(&q, person_id);
  return pgl_one_i64(c, pgl_open_case, &q, case_id);
}
