/*
 * store_sqlite_crisis.c - crises, their audience's raw presences, and travel advisories in the
 * SQLite backend (see store_sqlite.c for connections and the rest of store.h). Statements are
 * prepared once per connection through sq_stmt_cached; every one binds its parameters.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_crisis_impl.h"
#include "store/store_evac_sq.h"
#include "store/store_sqlite_int.h"
#include "util/clock.h"
#include "util/err.h"

/* Visibility of crisis k to the scope in :all, :mission: one of its countries is in the
 * jurisdiction of the mission. */
#define SCOPE_K                                                                              \
  "(:all = 1 OR EXISTS (SELECT 1 FROM crisis_countries sc JOIN mission_countries mc ON"      \
  " mc.country = sc.country AND mc.mission_id = :mission WHERE sc.crisis_id = k.id))"
/* Visibility of person p, the same expression as SCOPE_P in store_sqlite.c. */
#define SCOPE_P                                                                              \
  "(:all = 1 OR p.owner_mission_id = :mission OR EXISTS (SELECT 1 FROM presences v"          \
  " JOIN mission_countries mc ON mc.country = v.country AND mc.mission_id = :mission"        \
  " WHERE v.person_id = p.id))"
/* 13 columns, read by crisis_read; countries and regions come as JSON arrays. */
#define CRISIS_COLS                                                                          \
  "k.id, k.name, k.kind, k.description, k.area, k.lead_mission_id, k.opened_at, k.closed_at," \
  " k.created_by, k.created_at, k.updated_at,"                                               \
  " (SELECT json_group_array(country) FROM (SELECT country FROM crisis_countries"            \
  " WHERE crisis_id = k.id ORDER BY country)),"                                              \
  " (SELECT json_group_array(region) FROM (SELECT region FROM crisis_regions"                \
  " WHERE crisis_id = k.id ORDER BY region))"
/* 15 columns, read by advisory_read. */
#define ADVISORY_COLS                                                                        \
  "a.id, a.series_id, a.version, a.country, a.region, a.level, a.title_vi, a.title_en,"      \
  " a.text_vi, a.text_en, a.reason, a.issued_at, a.review_due, a.author_id, a.created_at"

static const char SQL_CRISIS_INSERT[] =
    "INSERT INTO crises(name, kind, description, area, lead_mission_id, opened_at, created_by,"
    " created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)";
static const char SQL_CRISIS_UPDATE[] =
    "UPDATE crises SET name = ?2, kind = ?3, description = ?4, area = ?5, lead_mission_id = ?6,"
    " opened_at = ?7, updated_at = ?8 WHERE id = ?1";
static const char SQL_CRISIS_COUNTRIES_DELETE[] = "DELETE FROM crisis_countries WHERE crisis_id = ?1";
static const char SQL_CRISIS_COUNTRY_INSERT[] =
    "INSERT OR IGNORE INTO crisis_countries(crisis_id, country) VALUES (?1, ?2)";
static const char SQL_CRISIS_REGIONS_DELETE[] = "DELETE FROM crisis_regions WHERE crisis_id = ?1";
static const char SQL_CRISIS_REGION_INSERT[] =
    "INSERT OR IGNORE INTO crisis_regions(crisis_id, region) VALUES (?1, ?2)";
static const char SQL_CRISIS_GET[] =
    "SELECT " CRISIS_COLS " FROM crises k WHERE k.id = :id AND " SCOPE_K;
static const char SQL_CRISIS_CHECK[] = "SELECT k.closed_at FROM crises k WHERE k.id = :id AND " SCOPE_K;
static const char SQL_CRISIS_LIST[] =
    "SELECT " CRISIS_COLS " FROM crises k WHERE k.id > :after AND (:open = 0 OR k.closed_at IS"
    " NULL) AND (:country IS NULL OR EXISTS (SELECT 1 FROM crisis_countries f WHERE"
    " f.crisis_id = k.id AND f.country = :country)) AND " SCOPE_K " ORDER BY k.id LIMIT :limit";
static const char SQL_CRISIS_CLOSE[] =
    "UPDATE crises SET closed_at = ?2, updated_at = ?3 WHERE id = ?1 AND closed_at IS NULL";
/*
 * Partial dates compare as text against today cut to their length: "2023-10" <= "2023-10" for
 * any day of October, so a presence from October overlaps every day of it.
 */
static const char SQL_CRISIS_PRESENCES[] =
    "SELECT p.id, pr.id, p.full_name, p.phones, p.emails, p.status, p.status_at, pr.country,"
    " pr.region, pr.category, pr.lat, pr.lon, p.preferred_language FROM crisis_countries cc"
    " JOIN presences pr ON pr.country = cc.country JOIN persons p ON p.id = pr.person_id"
    " WHERE cc.crisis_id = :crisis AND (NOT EXISTS (SELECT 1 FROM crisis_regions r WHERE"
    " r.crisis_id = :crisis) OR pr.region IN (SELECT r.region FROM crisis_regions r WHERE"
    " r.crisis_id = :crisis)) AND (pr.date_from IS NULL OR pr.date_from <= substr(:today, 1,"
    " length(pr.date_from))) AND (pr.date_until IS NULL OR pr.date_until >= substr(:today, 1,"
    " length(pr.date_until))) AND " SCOPE_P " ORDER BY p.id, pr.id DESC";
/*
 * The same walk for figures only (contacts 0, every person visible): no name, contacts or
 * status time, and the status from the presence's copy of it, so that neither persons nor its
 * wide rows are read and the sort handles narrow rows.
 */
static const char SQL_CRISIS_PRESENCES_LEAN[] =
    "SELECT pr.person_id, pr.id, pr.person_status, pr.country, pr.region, pr.category, pr.lat,"
    " pr.lon FROM crisis_countries cc JOIN presences pr ON pr.country = cc.country"
    " WHERE cc.crisis_id = :crisis AND (NOT EXISTS (SELECT 1 FROM crisis_regions r WHERE"
    " r.crisis_id = :crisis) OR pr.region IN (SELECT r.region FROM crisis_regions r WHERE"
    " r.crisis_id = :crisis)) AND (pr.date_from IS NULL OR pr.date_from <= substr(:today, 1,"
    " length(pr.date_from))) AND (pr.date_until IS NULL OR pr.date_until >= substr(:today, 1,"
    " length(pr.date_until))) ORDER BY pr.person_id, pr.id DESC";
/*
 * Persons reached in a crisis: a message of one of its alerts was sent to them (outbox status 2,
 * see migration 4), or they answered a check-in (which proves they got one).
 */
static const char SQL_CRISIS_REACHED[] =
    "SELECT r.person_id FROM alerts a JOIN outbox o ON o.alert_id = a.id AND o.status = 2"
    " JOIN alert_recipients r ON r.id = o.recipient_id WHERE a.crisis_id = ?1"
    " UNION SELECT person_id FROM checkins WHERE crisis_id = ?1";
static const char SQL_STATUS_SINCE[] =
    "SELECT person_id, status, at FROM status_events WHERE at >= ?1 ORDER BY at, id";
static const char SQL_SERIES_INSERT[] =
    "INSERT INTO advisory_series(country, region_key) VALUES (?1, ?2)"
    " ON CONFLICT(country, region_key) DO NOTHING";
static const char SQL_SERIES_FIND[] =
    "SELECT s.id, (SELECT coalesce(max(version), 0) FROM advisories WHERE series_id = s.id)"
    " FROM advisory_series s WHERE s.country = ?1 AND s.region_key = ?2";
static const char SQL_SERIES_LATEST[] = "UPDATE advisory_series SET latest_id = ?2 WHERE id = ?1";
static const char SQL_ADVISORY_INSERT[] =
    "INSERT INTO advisories(series_id, version, country, region, level, title_vi, title_en,"
    " text_vi, text_en, reason, issued_at, review_due, author_id, created_at) VALUES (?1, ?2,"
    " ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)";
static const char SQL_ADVISORY_GET[] = "SELECT " ADVISORY_COLS " FROM advisories a WHERE a.id = ?1";
static const char SQL_ADVISORY_LIST[] =
    "SELECT " ADVISORY_COLS " FROM advisory_series s JOIN advisories a ON a.id = s.latest_id"
    " WHERE (?1 IS NULL OR s.country = ?1) AND a.id > ?2 ORDER BY a.id LIMIT ?3";
static const char SQL_ADVISORY_HISTORY[] =
    "SELECT " ADVISORY_COLS " FROM advisories a WHERE a.series_id = ?1"
    " AND a.version > (SELECT coalesce(max(version), 0) - ?2 FROM advisories"
    " WHERE series_id = ?1) ORDER BY a.version LIMIT ?2";
static const char SQL_ADVISORY_RECENT[] =
    "SELECT " ADVISORY_COLS " FROM advisories a ORDER BY a.issued_at DESC, a.id DESC LIMIT ?1";

static sqlite3_stmt *stmt(sq_conn_t *c, const char *sql) { return sq_stmt_cached(c, sql); }

static json_t *col_json_array(sqlite3_stmt *st, int i) {
  json_t *j = sqe_col_json_or_null(st, i);
  return j ? j : json_array();
}

/* ---- crises ---- */

static void crisis_read(sqlite3_stmt *st, arena_t *a, crisis_t *k) {
  memset(k, 0, sizeof(*k));
  k->id = sqlite3_column_int64(st, 0);
  k->name = sqe_col_text(a, st, 1);
  k->kind = sqe_col_text(a, st, 2);
  k->description = sqe_col_text(a, st, 3);
  k->area = sqe_col_json_or_null(st, 4);
  k->lead_mission_id = sqlite3_column_int64(st, 5);
  k->opened_at = sqlite3_column_int64(st, 6);
  k->closed_at = sqlite3_column_int64(st, 7);
  k->created_by = sqlite3_column_int64(st, 8);
  k->created_at = sqlite3_column_int64(st, 9);
  k->updated_at = sqlite3_column_int64(st, 10);
  k->countries = col_json_array(st, 11);
  k->regions = col_json_array(st, 12);
}

/* Replaces the rows of a list table (countries or regions) of crisis id with the strings of list. */
static int crisis_list_write(sq_conn_t *c, const char *del_sql, const char *ins_sql, int64_t id,
                             const json_t *list) {
  sqlite3_stmt *del = stmt(c, del_sql), *ins = stmt(c, ins_sql);
  if (del == NULL || ins == NULL) return BH_ERR_DB;
  sqlite3_bind_int64(del, 1, id);
  int rc = sq_stmt_exec(c, del);
  size_t i;
  json_t *v;
  json_array_foreach(list, i, v) {
    if (rc != BH_OK) break;
    sqlite3_bind_int64(ins, 1, id);
    sqe_bind_text(ins, 2, json_string_value(v));
    rc = sq_stmt_exec(c, ins);
  }
  return rc;
}

/* The crisis's area as JSON text (malloc'd, NULL for none); *rc set on exhaustion. */
static char *area_text(const crisis_t *k, int *rc) {
  *rc = BH_OK;
  if (k->area == NULL || json_is_null(k->area)) return NULL;
  char *text = json_dumps(k->area, JSON_COMPACT);
  if (text == NULL) *rc = BH_ERR_NOMEM;
  return text;
}

int sq_crisis_create(sq_conn_t *c, crisis_t *k) {
  int owned, rc = sq_tx_enter(c, &owned);
  if (rc != BH_OK) return rc;
  char *area = area_text(k, &rc);
  sqlite3_stmt *st = stmt(c, SQL_CRISIS_INSERT);
  if (rc == BH_OK && st == NULL) rc = BH_ERR_DB;
  if (rc != BH_OK) goto out;
  k->created_at = k->updated_at = clock_now();
  if (k->opened_at == 0) k->opened_at = k->created_at;
  sqe_bind_text(st, 1, k->name);
  sqe_bind_text(st, 2, k->kind);
  sqe_bind_text(st, 3, k->description);
  sqe_bind_text(st, 4, area);
  if (k->lead_mission_id) sqlite3_bind_int64(st, 5, k->lead_mission_id);
  sqlite3_bind_int64(st, 6, k->opened_at);
  if (k->created_by) sqlite3_bind_int64(st, 7, k->created_by);
  sqlite3_bind_int64(st, 8, k->created_at);
  rc = sq_stmt_exec(c, st);
  if (rc != BH_OK) goto out;
  k->id = sqlite3_last_insert_rowid(sq_conn_db(c));
  rc = crisis_list_write(c, SQL_CRISIS_COUNTRIES_DELETE, SQL_CRISIS_COUNTRY_INSERT, k->id,
                         k->countries);
  if (rc == BH_OK) {
    rc = crisis_list_write(c, SQL_CRISIS_REGIONS_DELETE, SQL_CRISIS_REGION_INSERT, k->id,
                           k->regions);
  }
out:
  free(area);
  return sq_tx_leave(c, owned, rc);
}

/* BH_OK if crisis id is visible to scope, with *closed_at; BH_ERR_NOT_FOUND otherwise. */
static int crisis_check(sq_conn_t *c, const store_scope_t *scope, int64_t id, int64_t *closed_at) {
  sqlite3_stmt *st = stmt(c, SQL_CRISIS_CHECK);
  if (st == NULL) return BH_ERR_DB;
  sqe_bind_named_i64(st, ":id", id);
  sqe_bind_scope(st, scope);
  int rc = sq_stmt_step(st);
  if (rc == SQLITE_ROW) *closed_at = sqlite3_column_int64(st, 0);
  sq_stmt_done(st);
  return rc == SQLITE_ROW ? BH_OK : rc == SQLITE_DONE ? BH_ERR_NOT_FOUND : sq_result_err(c, rc);
}

int sq_crisis_get(sq_conn_t *c, const store_scope_t *scope, int64_t id, arena_t *a,
                  crisis_t *out) {
  sqlite3_stmt *st = stmt(c, SQL_CRISIS_GET);
  if (st == NULL) return BH_ERR_DB;
  sqe_bind_named_i64(st, ":id", id);
  sqe_bind_scope(st, scope);
  int rc = sq_stmt_step(st);
  if (rc == SQLITE_ROW) crisis_read(st, a, out);
  sq_stmt_done(st);
  return rc == SQLITE_ROW ? BH_OK : rc == SQLITE_DONE ? BH_ERR_NOT_FOUND : sq_result_err(c, rc);
}

int sq_crisis_update(sq_conn_t *c, const store_scope_t *scope, const crisis_t *k) {
  int owned, rc = sq_tx_enter(c, &owned);
  if (rc != BH_OK) return rc;
  int64_t closed_at;
  char *area = NULL;
  rc = crisis_check(c, scope, k->id, &closed_at);
  if (rc == BH_OK) area = area_text(k, &rc);
  sqlite3_stmt *st = stmt(c, SQL_CRISIS_UPDATE);
  if (rc == BH_OK && st == NULL) rc = BH_ERR_DB;
  if (rc != BH_OK) goto out;
  sqlite3_bind_int64(st, 1, k->id);
  sqe_bind_text(st, 2, k->name);
  sqe_bind_text(st, 3, k->kind);
  sqe_bind_text(st, 4, k->description);
  sqe_bind_text(st, 5, area);
  if (k->lead_mission_id) sqlite3_bind_int64(st, 6, k->lead_mission_id);
  sqlite3_bind_int64(st, 7, k->opened_at);
  sqlite3_bind_int64(st, 8, clock_now());
  rc = sq_stmt_exec(c, st);
  if (rc == BH_OK) {
    rc = crisis_list_write(c, SQL_CRISIS_COUNTRIES_DELETE, SQL_CRISIS_COUNTRY_INSERT, k->id,
                           k->countries);
  }
  if (rc == BH_OK) {
    rc = crisis_list_write(c, SQL_CRISIS_REGIONS_DELETE, SQL_CRISIS_REGION_INSERT, k->id,
                           k->regions);
  }
out:
  free(area);
  return sq_tx_leave(c, owned, rc);
}

int sq_crisis_list(sq_conn_t *c, const store_scope_t *scope, const crisis_filter_t *f,
                   const store_page_t *page, arena_t *a, crisis_t **out, size_t *n) {
  sqlite3_stmt *st = stmt(c, SQL_CRISIS_LIST);
  if (st == NULL) return BH_ERR_DB;
  crisis_t *items = arena_calloc(a, sizeof(*items) * (size_t)page->limit);
  if (items == NULL) return BH_ERR_NOMEM;
  sqe_bind_named_i64(st, ":after", page->after);
  sqe_bind_named_i64(st, ":limit", page->limit);
  sqe_bind_named_i64(st, ":open", f && f->open_only ? 1 : 0);
  sqe_bind_named_text(st, ":country", f ? f->country : NULL);
  sqe_bind_scope(st, scope);
  size_t k = 0;
  int rc;
  while (k < (size_t)page->limit && (rc = sq_stmt_step(st)) == SQLITE_ROW) {
    crisis_read(st, a, &items[k++]);
  }
  if (k == (size_t)page->limit) rc = SQLITE_DONE;
  sq_stmt_done(st);
  *out = items;
  *n = k;
  return rc == SQLITE_DONE ? BH_OK : sq_result_err(c, rc);
}

int sq_crisis_close(sq_conn_t *c, const store_scope_t *scope, int64_t id, int64_t closed_at) {
  int owned, rc = sq_tx_enter(c, &owned);
  if (rc != BH_OK) return rc;
  int64_t was = 0;
  rc = crisis_check(c, scope, id, &was);
  if (rc == BH_OK && was != 0) rc = BH_ERR_CONFLICT;
  sqlite3_stmt *st = rc == BH_OK ? stmt(c, SQL_CRISIS_CLOSE) : NULL;
  if (rc == BH_OK && st == NULL) rc = BH_ERR_DB;
  if (rc == BH_OK) {
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int64(st, 2, closed_at);
    sqlite3_bind_int64(st, 3, clock_now());
    rc = sq_stmt_exec(c, st);
  }
  return sq_tx_leave(c, owned, rc);
}

/* The lean walk (SQL_CRISIS_PRESENCES_LEAN). */
static int sq_crisis_presences_lean(sq_conn_t *c, int64_t crisis_id, const char *today,
                                    store_crisis_row_cb cb, void *ctx) {
  sqlite3_stmt *st = stmt(c, SQL_CRISIS_PRESENCES_LEAN);
  if (st == NULL) return BH_ERR_DB;
  sqe_bind_named_i64(st, ":crisis", crisis_id);
  sqe_bind_named_text(st, ":today", today);
  int rc, stop = 0;
  while (!stop && (rc = sq_stmt_step(st)) == SQLITE_ROW) {
    store_crisis_row_t row = {0};
    row.m.person_id = sqlite3_column_int64(st, 0);
    row.m.presence_id = sqlite3_column_int64(st, 1);
    row.m.status = (const char *)sqlite3_column_text(st, 2);
    row.m.country = (const char *)sqlite3_column_text(st, 3);
    row.m.region = (const char *)sqlite3_column_text(st, 4);
    row.m.category = (const char *)sqlite3_column_text(st, 5);
    row.has_geo = sqlite3_column_type(st, 6) != SQLITE_NULL &&
                  sqlite3_column_type(st, 7) != SQLITE_NULL;
    row.lat = sqlite3_column_double(st, 6);
    row.lon = sqlite3_column_double(st, 7);
    stop = cb(ctx, &row);
  }
  if (stop) rc = SQLITE_DONE;
  sq_stmt_done(st);
  return rc == SQLITE_DONE ? BH_OK : sq_result_err(c, rc);
}

int sq_crisis_presences_each(sq_conn_t *c, const store_scope_t *scope, int64_t crisis_id,
                             const char *today, int contacts, store_crisis_row_cb cb, void *ctx) {
  if (!contacts && scope->all) return sq_crisis_presences_lean(c, crisis_id, today, cb, ctx);
  sqlite3_stmt *st = stmt(c, SQL_CRISIS_PRESENCES);
  if (st == NULL) return BH_ERR_DB;
  sqe_bind_named_i64(st, ":crisis", crisis_id);
  sqe_bind_named_text(st, ":today", today);
  sqe_bind_scope(st, scope);
  int rc, stop = 0;
  json_t *phones = NULL, *emails = NULL;
  while (!stop && (rc = sq_stmt_step(st)) == SQLITE_ROW) {
    store_crisis_row_t row = {0};
    row.m.person_id = sqlite3_column_int64(st, 0);
    row.m.presence_id = sqlite3_column_int64(st, 1);
    row.m.full_name = (const char *)sqlite3_column_text(st, 2);
    phones = contacts ? col_json_array(st, 3) : NULL;
    emails = contacts ? col_json_array(st, 4) : NULL;
    row.m.phones = phones;
    row.m.emails = emails;
    row.m.status = (const char *)sqlite3_column_text(st, 5);
    row.m.status_at = sqlite3_column_int64(st, 6);
    row.m.country = (const char *)sqlite3_column_text(st, 7);
    row.m.region = (const char *)sqlite3_column_text(st, 8);
    row.m.category = (const char *)sqlite3_column_text(st, 9);
    row.has_geo = sqlite3_column_type(st, 10) != SQLITE_NULL &&
                  sqlite3_column_type(st, 11) != SQLITE_NULL;
    row.lat = sqlite3_column_double(st, 10);
    row.lon = sqlite3_column_double(st, 11);
    row.m.preferred_language = (const char *)sqlite3_column_text(st, 12);
    stop = cb(ctx, &row);
    json_decref(phones);
    json_decref(emails);
  }
  if (stop) rc = SQLITE_DONE;
  sq_stmt_done(st);
  return rc == SQLITE_DONE ? BH_OK : sq_result_err(c, rc);
}

int sq_crisis_reached_each(sq_conn_t *c, int64_t crisis_id,
                           int (*cb)(void *ctx, int64_t person_id), void *ctx) {
  sqlite3_stmt *st = stmt(c, SQL_CRISIS_REACHED);
  if (st == NULL) return BH_ERR_DB;
  sqlite3_bind_int64(st, 1, crisis_id);
  int rc, stop = 0;
  while (!stop && (rc = sq_stmt_step(st)) == SQLITE_ROW) stop = cb(ctx, sqlite3_column_int64(st, 0));
  if (stop) rc = SQLITE_DONE;
  sq_stmt_done(st);
  return rc == SQLITE_DONE ? BH_OK : sq_result_err(c, rc);
}

int sq_status_events_since(sq_conn_t *c, int64_t since,
                           int (*cb)(void *ctx, int64_t person_id, const char *status, int64_t at),
                           void *ctx) {
  sqlite3_stmt *st = stmt(c, SQL_STATUS_SINCE);
  if (st == NULL) return BH_ERR_DB;
  sqlite3_bind_int64(st, 1, since);
  int rc, stop = 0;
  while (!stop && (rc = sq_stmt_step(st)) == SQLITE_ROW) {
    stop = cb(ctx, sqlite3_column_int64(st, 0), (const char *)sqlite3_column_text(st, 1),
              sqlite3_column_int64(st, 2));
  }
  if (stop) rc = SQLITE_DONE;
  sq_stmt_done(st);
  return rc == SQLITE_DONE ? BH_OK : sq_result_err(c, rc);
}

/* ---- advisories ---- */

static void advisory_read(sqlite3_stmt *st, arena_t *a, advisory_t *v) {
  memset(v, 0, sizeof(*v));
  v->id = sqlite3_column_int64(st, 0);
  v->series_id = sqlite3_column_int64(st, 1);
  v->version = sqlite3_column_int(st, 2);
  const char *country = (const char *)sqlite3_column_text(st, 3);
  if (country) snprintf(v->country, sizeof(v->country), "%s", country);
  v->region = sqe_col_text(a, st, 4);
  v->level = sqlite3_column_int(st, 5);
  v->title_vi = sqe_col_text(a, st, 6);
  v->title_en = sqe_col_text(a, st, 7);
  v->text_vi = sqe_col_text(a, st, 8);
  v->text_en = sqe_col_text(a, st, 9);
  v->reason = sqe_col_text(a, st, 10);
  v->issued_at = sqlite3_column_int64(st, 11);
  v->review_due = sqe_col_text(a, st, 12);
  v->author_id = sqlite3_column_int64(st, 13);
  v->created_at = sqlite3_column_int64(st, 14);
}

int sq_advisory_publish(sq_conn_t *c, advisory_t *v) {
  int owned, rc = sq_tx_enter(c, &owned);
  if (rc != BH_OK) return rc;
  const char *region_key = v->region ? v->region : "";
  sqlite3_stmt *ins = stmt(c, SQL_SERIES_INSERT), *find = stmt(c, SQL_SERIES_FIND);
  sqlite3_stmt *st = stmt(c, SQL_ADVISORY_INSERT), *latest = stmt(c, SQL_SERIES_LATEST);
  if (ins == NULL || find == NULL || st == NULL || latest == NULL) {
    rc = BH_ERR_DB;
    goto out;
  }
  sqe_bind_text(ins, 1, v->country);
  sqe_bind_text(ins, 2, region_key);
  rc = sq_stmt_exec(c, ins);
  if (rc != BH_OK) goto out;
  sqe_bind_text(find, 1, v->country);
  sqe_bind_text(find, 2, region_key);
  int step = sq_stmt_step(find);
  if (step == SQLITE_ROW) {
    v->series_id = sqlite3_column_int64(find, 0);
    v->version = sqlite3_column_int(find, 1) + 1;
  }
  sq_stmt_done(find);
  if (step != SQLITE_ROW) {
    rc = step == SQLITE_DONE ? BH_ERR_DB : sq_result_err(c, step);
    goto out;
  }
  v->created_at = clock_now();
  if (v->issued_at == 0) v->issued_at = v->created_at;
  sqlite3_bind_int64(st, 1, v->series_id);
  sqlite3_bind_int(st, 2, v->version);
  sqe_bind_text(st, 3, v->country);
  sqe_bind_text(st, 4, v->region);
  sqlite3_bind_int(st, 5, v->level);
  sqe_bind_text(st, 6, v->title_vi);
  sqe_bind_text(st, 7, v->title_en);
  sqe_bind_text(st, 8, v->text_vi);
  sqe_bind_text(st, 9, v->text_en);
  sqe_bind_text(st, 10, v->reason);
  sqlite3_bind_int64(st, 11, v->issued_at);
  sqe_bind_text(st, 12, v->review_due);
  if (v->author_id) sqlite3_bind_int64(st, 13, v->author_id);
  sqlite3_bind_int64(st, 14, v->created_at);
  rc = sq_stmt_exec(c, st);
  if (rc != BH_OK) goto out;
  v->id = sqlite3_last_insert_rowid(sq_conn_db(c));
  sqlite3_bind_int64(latest, 1, v->series_id);
  sqlite3_bind_int64(latest, 2, v->id);
  rc = sq_stmt_exec(c, latest);
out:
  return sq_tx_leave(c, owned, rc);
}

int sq_advisory_get(sq_conn_t *c, int64_t id, arena_t *a, advisory_t *out) {
  sqlite3_stmt *st = stmt(c, SQL_ADVISORY_GET);
  if (st == NULL) return BH_ERR_DB;
  sqlite3_bind_int64(st, 1, id);
  int rc = sq_stmt_step(st);
  if (rc == SQLITE_ROW) advisory_read(st, a, out);
  sq_stmt_done(st);
  return rc == SQLITE_ROW ? BH_OK : rc == SQLITE_DONE ? BH_ERR_NOT_FOUND : sq_result_err(c, rc);
}

/* Reads at most max rows of a bound advisory statement into a new arena array. */
static int advisory_rows(sq_conn_t *c, sqlite3_stmt *st, size_t max, arena_t *a,
                         advisory_t **out, size_t *n) {
  advisory_t *items = arena_calloc(a, sizeof(*items) * (max ? max : 1));
  if (items == NULL) {
    sq_stmt_done(st);
    return BH_ERR_NOMEM;
  }
  size_t k = 0;
  int rc = SQLITE_DONE;
  while (k < max && (rc = sq_stmt_step(st)) == SQLITE_ROW) advisory_read(st, a, &items[k++]);
  if (k == max) rc = SQLITE_DONE;
  sq_stmt_done(st);
  *out = items;
  *n = k;
  return rc == SQLITE_DONE ? BH_OK : sq_result_err(c, rc);
}

int sq_advisory_list(sq_conn_t *c, const char *country, const store_page_t *page, arena_t *a,
                     advisory_t **out, size_t *n) {
  sqlite3_stmt *st = stmt(c, SQL_ADVISORY_LIST);
  if (st == NULL) return BH_ERR_DB;
  sqe_bind_text(st, 1, country);
  sqlite3_bind_int64(st, 2, page->after);
  sqlite3_bind_int(st, 3, page->limit);
  return advisory_rows(c, st, (size_t)page->limit, a, out, n);
}

int sq_advisory_history(sq_conn_t *c, int64_t series_id, arena_t *a, advisory_t **out,
                        size_t *n) {
  sqlite3_stmt *st = stmt(c, SQL_ADVISORY_HISTORY);
  if (st == NULL) return BH_ERR_DB;
  sqlite3_bind_int64(st, 1, series_id);
  sqlite3_bind_int(st, 2, STORE_ADVISORY_HISTORY_MAX);
  return advisory_rows(c, st, STORE_ADVISORY_HISTORY_MAX, a, out, n);
}

int sq_advisory_recent(sq_conn_t *c, int limit, arena_t *a, advisory_t **out, size_t *n) {
  sqlite3_stmt *st = stmt(c, SQL_ADVISORY_RECENT);
  if (st == NULL) return BH_ERR_DB;
  sqlite3_bind_int(st, 1, limit);
  return advisory_rows(c, st, (size_t)limit, a, out, n);
}
