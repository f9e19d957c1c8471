/*
 * store_pg_crisis.c - crises, their audience's raw presences, and travel advisories in the
 * PostgreSQL backend (see store_pg.c for connections and the rest of store.h). The statements
 * are the same as store_sqlite_crisis.c's, run through pg_run_sql (prepared once per session).
 * As in store_pg_int.h, queries that take a scope put it in $1 (all) and $2 (mission).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_crisis_impl.h"
#include "store/store_evac_pg.h"
#include "store/store_pg_int.h"
#include "util/clock.h"
#include "util/err.h"

/* Visibility of crisis k to the scope in $1, $2 (see SCOPE_K in store_sqlite_crisis.c). */
#define PG_SCOPE_K                                                                           \
  "($1::int = 1 OR EXISTS (SELECT 1 FROM crisis_countries sc JOIN mission_countries mc ON"   \
  " mc.country = sc.country AND mc.mission_id = $2::bigint WHERE sc.crisis_id = k.id))"
/* 13 columns, read by crisis_read. */
#define PG_CRISIS_COLS                                                                       \
  "k.id, k.name, k.kind, k.description, k.area, k.lead_mission_id, k.opened_at, k.closed_at," \
  " k.created_by, k.created_at, k.updated_at,"                                               \
  " (SELECT coalesce(json_agg(country ORDER BY country COLLATE \"C\"), '[]')::text FROM"     \
  " crisis_countries WHERE crisis_id = k.id),"                                               \
  " (SELECT coalesce(json_agg(region ORDER BY region COLLATE \"C\"), '[]')::text FROM"       \
  " crisis_regions WHERE crisis_id = k.id)"
/* 15 columns, read by advisory_read. */
#define PG_ADVISORY_COLS                                                                     \
  "a.id, a.series_id, a.version, a.country, a.region, a.level, a.title_vi, a.title_en,"      \
  " a.text_vi, a.text_en, a.reason, a.issued_at, a.review_due, a.author_id, a.created_at"

static const char SQL_CRISIS_INSERT[] =
    "INSERT INTO crises(name, kind, description, area, lead_mission_id, opened_at, created_by,"
    " created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id";
static const char SQL_CRISIS_UPDATE[] =
    "UPDATE crises SET name = $2, kind = $3, description = $4, area = $5, lead_mission_id = $6,"
    " opened_at = $7, updated_at = $8 WHERE id = $1";
/*
 * The lists of a crisis replaced at once; $2 and $3 are JSON arrays of strings. The parts of one
 * statement see the same snapshot, so only the items no longer listed are deleted and the rest
 * are inserted unless present.
 */
static const char SQL_CRISIS_LISTS_WRITE[] =
    "WITH dc AS (DELETE FROM crisis_countries WHERE crisis_id = $1 AND country NOT IN (SELECT"
    " json_array_elements_text($2::json))),"
    " dr AS (DELETE FROM crisis_regions WHERE crisis_id = $1 AND region NOT IN (SELECT"
    " json_array_elements_text($3::json))),"
    " ic AS (INSERT INTO crisis_countries(crisis_id, country) SELECT DISTINCT $1::bigint, c"
    " FROM json_array_elements_text($2::json) c ON CONFLICT DO NOTHING),"
    " ir AS (INSERT INTO crisis_regions(crisis_id, region) SELECT DISTINCT $1::bigint, r"
    " FROM json_array_elements_text($3::json) r ON CONFLICT DO NOTHING) SELECT 1";
static const char SQL_CRISIS_GET[] =
    "SELECT " PG_CRISIS_COLS " FROM crises k WHERE k.id = $3 AND " PG_SCOPE_K;
static const char SQL_CRISIS_CHECK[] =
    "SELECT coalesce(k.closed_at, 0) FROM crises k WHERE k.id = $3 AND " PG_SCOPE_K
    " FOR UPDATE";
static const char SQL_CRISIS_LIST[] =
    "SELECT " PG_CRISIS_COLS " FROM crises k WHERE k.id > $3 AND ($4::int = 0 OR k.closed_at IS"
    " NULL) AND ($5::text IS NULL OR EXISTS (SELECT 1 FROM crisis_countries f WHERE"
    " f.crisis_id = k.id AND f.country = $5::text)) AND " PG_SCOPE_K " ORDER BY k.id LIMIT $6";
static const char SQL_CRISIS_CLOSE[] =
    "UPDATE crises SET closed_at = $2, updated_at = $3 WHERE id = $1 AND closed_at IS NULL";
/* See SQL_CRISIS_PRESENCES in store_sqlite_crisis.c for the comparison of partial dates. */
static const char SQL_CRISIS_PRESENCES[] =
    "SELECT p.id, pr.id, p.full_name, p.phones, p.emails, p.status, p.status_at, pr.country,"
    " pr.region, pr.category, pr.lat, pr.lon, (pr.lat IS NOT NULL AND pr.lon IS NOT NULL)::int,"
    " p.preferred_language FROM crisis_countries cc JOIN presences pr ON pr.country = cc.country"
    " JOIN persons p ON p.id = pr.person_id WHERE cc.crisis_id = $3 AND (NOT EXISTS (SELECT 1"
    " FROM crisis_regions r WHERE r.crisis_id = $3) OR pr.region IN (SELECT r.region FROM"
    " crisis_regions r WHERE r.crisis_id = $3)) AND (pr.date_from IS NULL OR pr.date_from"
    " COLLATE \"C\" <= substr($4::text, 1, length(pr.date_from))) AND (pr.date_until IS NULL OR"
    " pr.date_until COLLATE \"C\" >= substr($4::text, 1, length(pr.date_until))) AND " PG_SCOPE_P
    " ORDER BY p.id, pr.id DESC";
/* The walk for figures only (see SQL_CRISIS_PRESENCES_LEAN in store_sqlite_crisis.c). */
static const char SQL_CRISIS_PRESENCES_LEAN[] =
    "SELECT pr.person_id, pr.id, pr.person_status, pr.country, pr.region, pr.category, pr.lat,"
    " pr.lon, (pr.lat IS NOT NULL AND pr.lon IS NOT NULL)::int"
    " FROM crisis_countries cc JOIN presences pr ON pr.country = cc.country"
    " WHERE cc.crisis_id = $1 AND (NOT EXISTS (SELECT 1"
    " FROM crisis_regions r WHERE r.crisis_id = $1) OR pr.region IN (SELECT r.region FROM"
    " crisis_regions r WHERE r.crisis_id = $1)) AND (pr.date_from IS NULL OR pr.date_from"
    " COLLATE \"C\" <= substr($2::text, 1, length(pr.date_from))) AND (pr.date_until IS NULL OR"
    " pr.date_until COLLATE \"C\" >= substr($2::text, 1, length(pr.date_until)))"
    " ORDER BY pr.person_id, pr.id DESC";
/* Persons reached in a crisis (see SQL_CRISIS_REACHED in store_sqlite_crisis.c). */
static const char SQL_CRISIS_REACHED[] =
    "SELECT r.person_id FROM alerts a JOIN outbox o ON o.alert_id = a.id AND o.status = 2"
    " JOIN alert_recipients r ON r.id = o.recipient_id WHERE a.crisis_id = $1"
    " UNION SELECT person_id FROM checkins WHERE crisis_id = $1";
static const char SQL_STATUS_SINCE[] =
    "SELECT person_id, status, at FROM status_events WHERE at >= $1 ORDER BY at, id";
/* Finds or creates the series, locked until the version is stored. */
static const char SQL_SERIES_UPSERT[] =
    "INSERT INTO advisory_series(country, region_key) VALUES ($1, $2) ON CONFLICT (country,"
    " region_key) DO UPDATE SET region_key = EXCLUDED.region_key RETURNING id, (SELECT"
    " coalesce(max(version), 0) FROM advisories WHERE series_id = advisory_series.id)";
static const char SQL_ADVISORY_INSERT[] =
    "WITH ins AS (INSERT INTO advisories(series_id, version, country, region, level, title_vi,"
    " title_en, text_vi, text_en, reason, issued_at, review_due, author_id, created_at) VALUES"
    " ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id),"
    " up AS (UPDATE advisory_series SET latest_id = (SELECT id FROM ins) WHERE id = $1)"
    " SELECT id FROM ins";
static const char SQL_ADVISORY_GET[] =
    "SELECT " PG_ADVISORY_COLS " FROM advisories a WHERE a.id = $1";
static const char SQL_ADVISORY_LIST[] =
    "SELECT " PG_ADVISORY_COLS " FROM advisory_series s JOIN advisories a ON a.id = s.latest_id"
    " WHERE ($1::text IS NULL OR s.country = $1::text) AND a.id > $2 ORDER BY a.id LIMIT $3";
static const char SQL_ADVISORY_HISTORY[] =
    "SELECT " PG_ADVISORY_COLS " FROM advisories a WHERE a.series_id = $1"
    " AND a.version > (SELECT coalesce(max(version), 0) - $2 FROM advisories"
    " WHERE series_id = $1) ORDER BY a.version LIMIT $2";
static const char SQL_ADVISORY_RECENT[] =
    "SELECT " PG_ADVISORY_COLS " FROM advisories a ORDER BY a.issued_at DESC, a.id DESC LIMIT $1";

/* A borrowed NUL-terminated text column (libpq terminates every value), NULL for SQL NULL. */
static const char *col_str(const PGresult *r, int row, int col) {
  return PQgetisnull(r, row, col) ? NULL : PQgetvalue(r, row, col);
}

/* ---- crises ---- */

static void crisis_read(const PGresult *r, int row, arena_t *a, crisis_t *k) {
  memset(k, 0, sizeof(*k));
  k->id = pg_col_i64(r, row, 0);
  k->name = pg_col_text(a, r, row, 1);
  k->kind = pg_col_text(a, r, row, 2);
  k->description = pg_col_text(a, r, row, 3);
  k->area = pge_col_json_or_null(r, row, 4);
  k->lead_mission_id = pg_col_i64(r, row, 5);
  k->opened_at = pg_col_i64(r, row, 6);
  k->closed_at = pg_col_i64(r, row, 7);
  k->created_by = pg_col_i64(r, row, 8);
  k->created_at = pg_col_i64(r, row, 9);
  k->updated_at = pg_col_i64(r, row, 10);
  k->countries = pg_col_json(r, row, 11);
  k->regions = pg_col_json(r, row, 12);
}

/* JSON texts of a crisis's area (NULL for none) and lists; malloc'd. */
struct crisis_texts {
  char *area, *countries, *regions;
};

static int crisis_texts_make(const crisis_t *k, struct crisis_texts *t) {
  memset(t, 0, sizeof(*t));
  if (k->area != NULL && !json_is_null(k->area)) t->area = json_dumps(k->area, JSON_COMPACT);
  t->countries = k->countries ? json_dumps(k->countries, JSON_COMPACT) : strdup("[]");
  t->regions = k->regions ? json_dumps(k->regions, JSON_COMPACT) : strdup("[]");
  int bad_area = k->area != NULL && !json_is_null(k->area) && t->area == NULL;
  return bad_area || t->countries == NULL || t->regions == NULL ? BH_ERR_NOMEM : BH_OK;
}

static void crisis_texts_free(struct crisis_texts *t) {
  free(t->area);
  free(t->countries);
  free(t->regions);
}

static int crisis_lists_write(pg_conn_t *c, int64_t id, const struct crisis_texts *t) {
  pg_params_t p = {0};
  pgp_i64(&p, id);
  pgp_text(&p, t->countries);
  pgp_text(&p, t->regions);
  return pge_run_exec(c, SQL_CRISIS_LISTS_WRITE, &p, NULL);
}

int pg_crisis_create(pg_conn_t *c, crisis_t *k) {
  struct crisis_texts t;
  int owned = 0, rc = crisis_texts_make(k, &t);
  if (rc == BH_OK) rc = pg_tx_enter(c, &owned);
  if (rc != BH_OK) {
    crisis_texts_free(&t);
    return rc;
  }
  k->created_at = k->updated_at = clock_now();
  if (k->opened_at == 0) k->opened_at = k->created_at;
  pg_params_t p = {0};
  pgp_text(&p, k->name);
  pgp_text(&p, k->kind);
  pgp_text(&p, k->description);
  pgp_text(&p, t.area);
  pgp_i64_or_null(&p, k->lead_mission_id);
  pgp_i64(&p, k->opened_at);
  pgp_i64_or_null(&p, k->created_by);
  pgp_i64(&p, k->created_at);
  rc = pge_run_scalar(c, SQL_CRISIS_INSERT, &p, &k->id);
  if (rc == BH_ERR_NOT_FOUND) rc = BH_ERR_DB;
  if (rc == BH_OK) rc = crisis_lists_write(c, k->id, &t);
  crisis_texts_free(&t);
  return pg_tx_leave(c, owned, rc);
}

/* BH_OK if crisis id is visible to scope (its row then locked), with *closed_at. */
static int crisis_check(pg_conn_t *c, const store_scope_t *scope, int64_t id, int64_t *closed_at) {
  pg_params_t p = {0};
  pgp_scope(&p, scope);
  pgp_i64(&p, id);
  return pge_run_scalar(c, SQL_CRISIS_CHECK, &p, closed_at);
}

int pg_crisis_get(pg_conn_t *c, const store_scope_t *scope, int64_t id, arena_t *a,
                  crisis_t *out) {
  pg_params_t p = {0};
  pgp_scope(&p, scope);
  pgp_i64(&p, id);
  PGresult *res;
  int rc = pg_run_sql(c, SQL_CRISIS_GET, &p, &res);
  if (rc != BH_OK) return rc;
  if (PQntuples(res) > 0) {
    crisis_read(res, 0, a, out);
  } else {
    rc = BH_ERR_NOT_FOUND;
  }
  PQclear(res);
  return rc;
}

int pg_crisis_update(pg_conn_t *c, const store_scope_t *scope, const crisis_t *k) {
  struct crisis_texts t;
  int owned = 0, rc = crisis_texts_make(k, &t);
  if (rc == BH_OK) rc = pg_tx_enter(c, &owned);
  if (rc != BH_OK) {
    crisis_texts_free(&t);
    return rc;
  }
  int64_t closed_at;
  rc = crisis_check(c, scope, k->id, &closed_at);
  if (rc == BH_OK) {
    pg_params_t p = {0};
    pgp_i64(&p, k->id);
    pgp_text(&p, k->name);
    pgp_text(&p, k->kind);
    pgp_text(&p, k->description);
    pgp_text(&p, t.area);
    pgp_i64_or_null(&p, k->lead_mission_id);
    pgp_i64(&p, k->opened_at);
    pgp_i64(&p, clock_now());
    rc = pge_run_exec(c, SQL_CRISIS_UPDATE, &p, NULL);
  }
  if (rc == BH_OK) rc = crisis_lists_write(c, k->id, &t);
  crisis_texts_free(&t);
  return pg_tx_leave(c, owned, rc);
}

int pg_crisis_list(pg_conn_t *c, const store_scope_t *scope, const crisis_filter_t *f,
                   const store_page_t *page, arena_t *a, crisis_t **out, size_t *n) {
  crisis_t *items = arena_calloc(a, sizeof(*items) * (size_t)page->limit);
  if (items == NULL) return BH_ERR_NOMEM;
  pg_params_t p = {0};
  pgp_scope(&p, scope);
  pgp_i64(&p, page->after);
  pgp_i64(&p, f && f->open_only ? 1 : 0);
  pgp_text(&p, f ? f->country : NULL);
  pgp_i64(&p, page->limit);
  PGresult *res;
  int rc = pg_run_sql(c, SQL_CRISIS_LIST, &p, &res);
  if (rc != BH_OK) return rc;
  size_t k = 0;
  for (int i = 0; i < PQntuples(res) && k < (size_t)page->limit; i++) {
    crisis_read(res, i, a, &items[k++]);
  }
  PQclear(res);
  *out = items;
  *n = k;
  return BH_OK;
}

int pg_crisis_close(pg_conn_t *c, const store_scope_t *scope, int64_t id, int64_t closed_at) {
  int owned, rc = pg_tx_enter(c, &owned);
  if (rc != BH_OK) return rc;
  int64_t was = 0;
  rc = crisis_check(c, scope, id, &was);
  if (rc == BH_OK && was != 0) rc = BH_ERR_CONFLICT;
  if (rc == BH_OK) {
    pg_params_t p = {0};
    pgp_i64(&p, id);
    pgp_i64(&p, closed_at);
    pgp_i64(&p, clock_now());
    rc = pge_run_exec(c, SQL_CRISIS_CLOSE, &p, NULL);
  }
  return pg_tx_leave(c, owned, rc);
}

/* The lean walk (SQL_CRISIS_PRESENCES_LEAN). */
static int pg_crisis_presences_lean(pg_conn_t *c, int64_t crisis_id, const char *today,
                                    store_crisis_row_cb cb, void *ctx) {
  pg_params_t p = {0};
  pgp_i64(&p, crisis_id);
  pgp_text(&p, today);
  PGresult *res;
  int rc = pg_run_sql(c, SQL_CRISIS_PRESENCES_LEAN, &p, &res);
  if (rc != BH_OK) return rc;
  int stop = 0;
  for (int i = 0; i < PQntuples(res) && !stop; i++) {
    store_crisis_row_t row = {0};
    row.m.person_id = pg_col_i64(res, i, 0);
    row.m.presence_id = pg_col_i64(res, i, 1);
    row.m.status = col_str(res, i, 2);
    row.m.country = col_str(res, i, 3);
    row.m.region = col_str(res, i, 4);
    row.m.category = col_str(res, i, 5);
    row.lat = pg_col_f64(res, i, 6);
    row.lon = pg_col_f64(res, i, 7);
    row.has_geo = pg_col_i64(res, i, 8) != 0;
    stop = cb(ctx, &row);
  }
  PQclear(res);
  return BH_OK;
}

int pg_crisis_presences_each(pg_conn_t *c, const store_scope_t *scope, int64_t crisis_id,
                             const char *today, int contacts, store_crisis_row_cb cb, void *ctx) {
  if (!contacts && scope->all) return pg_crisis_presences_lean(c, crisis_id, today, cb, ctx);
  pg_params_t p = {0};
  pgp_scope(&p, scope);
  pgp_i64(&p, crisis_id);
  pgp_text(&p, today);
  PGresult *res;
  int rc = pg_run_sql(c, SQL_CRISIS_PRESENCES, &p, &res);
  if (rc != BH_OK) return rc;
  int stop = 0;
  for (int i = 0; i < PQntuples(res) && !stop; i++) {
    store_crisis_row_t row = {0};
    row.m.person_id = pg_col_i64(res, i, 0);
    row.m.presence_id = pg_col_i64(res, i, 1);
    row.m.full_name = col_str(res, i, 2);
    json_t *phones = contacts ? pg_col_json(res, i, 3) : NULL;
    json_t *emails = contacts ? pg_col_json(res, i, 4) : NULL;
    row.m.phones = phones;
    row.m.emails = emails;
    row.m.status = col_str(res, i, 5);
    row.m.status_at = pg_col_i64(res, i, 6);
    row.m.country = col_str(res, i, 7);
    row.m.region = col_str(res, i, 8);
    row.m.category = col_str(res, i, 9);
    row.lat = pg_col_f64(res, i, 10);
    row.lon = pg_col_f64(res, i, 11);
    row.has_geo = pg_col_i64(res, i, 12) != 0;
    row.m.preferred_language = col_str(res, i, 13);
    stop = cb(ctx, &row);
    json_decref(phones);
    json_decref(emails);
  }
  PQclear(res);
  return BH_OK;
}

int pg_crisis_reached_each(pg_conn_t *c, int64_t crisis_id,
                           int (*cb)(void *ctx, int64_t person_id), void *ctx) {
  pg_params_t p = {0};
  pgp_i64(&p, crisis_id);
  PGresult *res;
  int rc = pg_run_sql(c, SQL_CRISIS_REACHED, &p, &res);
  if (rc != BH_OK) return rc;
  for (int i = 0, stop = 0; i < PQntuples(res) && !stop; i++) stop = cb(ctx, pg_col_i64(res, i, 0));
  PQclear(res);
  return BH_OK;
}

int pg_status_events_since(pg_conn_t *c, int64_t since,
                           int (*cb)(void *ctx, int64_t person_id, const char *status, int64_t at),
                           void *ctx) {
  pg_params_t p = {0};
  pgp_i64(&p, since);
  PGresult *res;
  int rc = pg_run_sql(c, SQL_STATUS_SINCE, &p, &res);
  if (rc != BH_OK) return rc;
  int stop = 0;
  for (int i = 0; i < PQntuples(res) && !stop; i++) {
    stop = cb(ctx, pg_col_i64(res, i, 0), col_str(res, i, 1), pg_col_i64(res, i, 2));
  }
  PQclear(res);
  return BH_OK;
}

/* ---- advisories ---- */

static void advisory_read(const PGresult *r, int row, arena_t *a, advisory_t *v) {
  memset(v, 0, sizeof(*v));
  v->id = pg_col_i64(r, row, 0);
  v->series_id = pg_col_i64(r, row, 1);
  v->version = (int)pg_col_i64(r, row, 2);
  const char *country = col_str(r, row, 3);
  if (country) snprintf(v->country, sizeof(v->country), "%s", country);
  v->region = pg_col_text(a, r, row, 4);
  v->level = (int)pg_col_i64(r, row, 5);
  v->title_vi = pg_col_text(a, r, row, 6);
  v->title_en = pg_col_text(a, r, row, 7);
  v->text_vi = pg_col_text(a, r, row, 8);
  v->text_en = pg_col_text(a, r, row, 9);
  v->reason = pg_col_text(a, r, row, 10);
  v->issued_at = pg_col_i64(r, row, 11);
  v->review_due = pg_col_text(a, r, row, 12);
  v->author_id = pg_col_i64(r, row, 13);
  v->created_at = pg_col_i64(r, row, 14);
}

int pg_advisory_publish(pg_conn_t *c, advisory_t *v) {
  int owned, rc = pg_tx_enter(c, &owned);
  if (rc != BH_OK) return rc;
  pg_params_t p = {0};
  pgp_text(&p, v->country);
  pgp_text(&p, v->region ? v->region : "");
  PGresult *res;
  rc = pg_run_sql(c, SQL_SERIES_UPSERT, &p, &res);
  if (rc == BH_OK) {
    if (PQntuples(res) == 1) {
      v->series_id = pg_col_i64(res, 0, 0);
      v->version = (int)pg_col_i64(res, 0, 1) + 1;
    } else {
      rc = BH_ERR_DB;
    }
    PQclear(res);
  }
  if (rc == BH_OK) {
    v->created_at = clock_now();
    if (v->issued_at == 0) v->issued_at = v->created_at;
    pg_params_t q = {0};
    pgp_i64(&q, v->series_id);
    pgp_i64(&q, v->version);
    pgp_text(&q, v->country);
    pgp_text(&q, v->region);
    pgp_i64(&q, v->level);
    pgp_text(&q, v->title_vi);
    pgp_text(&q, v->title_en);
    pgp_text(&q, v->text_vi);
    pgp_text(&q, v->text_en);
    pgp_text(&q, v->reason);
    pgp_i64(&q, v->issued_at);
    pgp_text(&q, v->review_due);
    pgp_i64_or_null(&q, v->author_id);
    pgp_i64(&q, v->created_at);
    rc = pge_run_scalar(c, SQL_ADVISORY_INSERT, &q, &v->id);
    if (rc == BH_ERR_NOT_FOUND) rc = BH_ERR_DB;
  }
  return pg_tx_leave(c, owned, rc);
}

int pg_advisory_get(pg_conn_t *c, int64_t id, arena_t *a, advisory_t *out) {
  pg_params_t p = {0};
  pgp_i64(&p, id);
  PGresult *res;
  int rc = pg_run_sql(c, SQL_ADVISORY_GET, &p, &res);
  if (rc != BH_OK) return rc;
  if (PQntuples(res) > 0) {
    advisory_read(res, 0, a, out);
  } else {
    rc = BH_ERR_NOT_FOUND;
  }
  PQclear(res);
  return rc;
}

/* Runs an advisory query and reads at most max rows into a new arena array. */
static int advisory_rows(pg_conn_t *c, const char *sql, const pg_params_t *p, size_t max,
                         arena_t *a, advisory_t **out, size_t *n) {
  advisory_t *items = arena_calloc(a, sizeof(*items) * (max ? max : 1));
  if (items == NULL) return BH_ERR_NOMEM;
  PGresult *res;
  int rc = pg_run_sql(c, sql, p, &res);
  if (rc != BH_OK) return rc;
  size_t k = 0;
  for (int i = 0; i < PQntuples(res) && k < max; i++) advisory_read(res, i, a, &items[k++]);
  PQclear(res);
  *out = items;
  *n = k;
  return BH_OK;
}

int pg_advisory_list(pg_conn_t *c, const char *country, const store_page_t *page, arena_t *a,
                     advisory_t **out, size_t *n) {
  pg_params_t p = {0};
  pgp_text(&p, country);
  pgp_i64(&p, page->after);
  pgp_i64(&p, page->limit);
  return advisory_rows(c, SQL_ADVISORY_LIST, &p, (size_t)page->limit, a, out, n);
}

int pg_advisory_history(pg_conn_t *c, int64_t series_id, arena_t *a, advisory_t **out,
                        size_t *n) {
  pg_params_t p = {0};
  pgp_i64(&p, series_id);
  pgp_i64(&p, STORE_ADVISORY_HISTORY_MAX);
  return advisory_rows(c, SQL_ADVISORY_HISTORY, &p, STORE_ADVISORY_HISTORY_MAX, a, out, n);
}

int pg_advisory_recent(pg_conn_t *c, int limit, arena_t *a, advisory_t **out, size_t *n) {
  pg_params_t p = {0};
  pgp_i64(&p, limit);
  return advisory_rows(c, SQL_ADVISORY_RECENT, &p, (size_t)limit, a, out, n);
}
