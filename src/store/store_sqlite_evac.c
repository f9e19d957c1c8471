/*
 * store_sqlite_evac.c - the SQLite backend of store_evac.h: the single statements that
 * store_evac.c builds its rules from (see store_evac_impl.h for each contract). Statements are
 * prepared once per connection through sq_stmt_cached and bound with parameters; scoped ones
 * take the scope as :all and :mission. It also defines the binding and column helpers of
 * store_evac_sq.h, which store_sqlite_crisis.c shares.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_evac_impl.h"
#include "store/store_evac_sq.h"
#include "store/store_sqlite_int.h"
#include "util/clock.h"
#include "util/err.h"

/* Visibility to the scope in :all, :mission of site s (its country) and transport t (its origin
 * country): the country is in the jurisdiction of the mission. */
#define SCOPE_S                                                                              \
  "(:all = 1 OR EXISTS (SELECT 1 FROM mission_countries mc WHERE mc.mission_id = :mission"    \
  " AND mc.country = s.country))"
#define SCOPE_T                                                                              \
  "(:all = 1 OR EXISTS (SELECT 1 FROM mission_countries mc WHERE mc.mission_id = :mission"    \
  " AND mc.country = t.origin_country))"
/* Visibility of person p, the same expression as SCOPE_P in store_sqlite.c. */
#define SCOPE_P                                                                              \
  "(:all = 1 OR p.owner_mission_id = :mission OR EXISTS (SELECT 1 FROM presences v"          \
  " JOIN mission_countries mc ON mc.country = v.country AND mc.mission_id = :mission"        \
  " WHERE v.person_id = p.id))"
/* A seat held by person P (an expression) on transport :transport, or on an active one of crisis
 * :crisis (NULL: of no crisis). */
#define SEAT_HELD(P)                                                                         \
  "SELECT e.transport_id FROM manifest_entries e JOIN transports t ON t.id = e.transport_id"  \
  " WHERE e.person_id = " P " AND e.status IN ('booked', 'boarded', 'arrived') AND (t.id ="  \
  " :transport OR (t.status IN ('planned', 'departed') AND t.crisis_id IS :crisis))"
/* 14 columns, read by site_read. */
#define SITE_COLS                                                                            \
  "s.id, s.kind, s.name, s.country, s.region, s.lat, s.lon, s.capacity, s.crisis_id,"        \
  " s.notes, s.created_by, s.created_at, s.updated_at, (SELECT count(*) FROM site_stays y"    \
  " WHERE y.site_id = s.id AND y.checked_out_at IS NULL)"
/* 22 columns, read by transport_read. */
#define TRANSPORT_COLS                                                                       \
  "t.id, t.mode, t.provider, t.partner_country, t.purpose, t.crisis_id, t.origin_place,"     \
  " t.origin_country, t.destination_place, t.destination_country, t.departure_at,"           \
  " t.arrival_at, t.capacity, t.reference, t.seats, t.status, t.notes, t.created_by,"        \
  " t.created_at, t.updated_at, (SELECT json_group_object(status, n) FROM (SELECT status,"   \
  " count(*) AS n FROM manifest_entries WHERE transport_id = t.id GROUP BY status)),"        \
  " (SELECT json_group_object(nationality, n) FROM (SELECT nationality, count(*) AS n FROM"  \
  " manifest_entries WHERE transport_id = t.id AND status IN ('booked', 'boarded',"          \
  " 'arrived') GROUP BY nationality ORDER BY nationality))"
/* 11 columns, read by entry_read. */
#define ENTRY_COLS                                                                           \
  "e.id, e.transport_id, e.booking, e.person_id, coalesce(p.full_name, e.full_name),"        \
  " e.nationality, e.document_enc, e.status, e.booked_at, e.status_at, e.booked_by"

static const char SQL_SITE_INSERT[] =
    "INSERT INTO staging_sites(kind, name, country, region, lat, lon, capacity, crisis_id,"
    " notes, created_by, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9,"
    " ?10, ?11, ?11)";
static const char SQL_SITE_UPDATE[] =
    "UPDATE staging_sites SET kind = ?2, name = ?3, country = ?4, region = ?5, lat = ?6,"
    " lon = ?7, capacity = ?8, crisis_id = ?9, notes = ?10, updated_at = ?11 WHERE id = ?1";
static const char SQL_SITE_GET[] =
    "SELECT " SITE_COLS " FROM staging_sites s WHERE s.id = :id AND " SCOPE_S;
static const char SQL_SITE_LIST[] =
    "SELECT " SITE_COLS " FROM staging_sites s WHERE s.id > :after AND (:crisis = 0 OR"
    " s.crisis_id = :crisis) AND (:country IS NULL OR s.country = :country) AND " SCOPE_S
    " ORDER BY s.id LIMIT :limit";
static const char SQL_PERSON_VISIBLE[] = "SELECT 1 FROM persons p WHERE p.id = :id AND " SCOPE_P;
static const char SQL_STAY_OPEN[] =
    "SELECT id, site_id FROM site_stays WHERE person_id = ?1 AND checked_out_at IS NULL";
static const char SQL_STAY_INSERT[] =
    "INSERT INTO site_stays(site_id, person_id, checked_in_at, checked_in_by) VALUES (?1, ?2,"
    " ?3, ?4)";
static const char SQL_STAY_CLOSE[] =
    "UPDATE site_stays SET checked_out_at = max(?3, checked_in_at), checked_out_by = ?4"
    " WHERE site_id = ?1 AND person_id = ?2 AND checked_out_at IS NULL";
static const char SQL_SITE_PEOPLE[] =
    "SELECT y.id, y.site_id, y.person_id, p.full_name, p.status, y.checked_in_at,"
    " y.checked_out_at FROM site_stays y JOIN persons p ON p.id = y.person_id WHERE"
    " y.site_id = :site AND y.id > :after AND (:present = 0 OR y.checked_out_at IS NULL) AND "
    SCOPE_P " ORDER BY y.id LIMIT :limit";
static const char SQL_TRANSPORT_INSERT[] =
    "INSERT INTO transports(mode, provider, partner_country, purpose, crisis_id, origin_place,"
    " origin_country, destination_place, destination_country, departure_at, arrival_at,"
    " capacity, reference, seats, status, notes, created_by, created_at, updated_at) VALUES"
    " (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, 'planned', ?15, ?16, ?17,"
    " ?17)";
static const char SQL_TRANSPORT_UPDATE[] =
    "UPDATE transports SET mode = ?2, provider = ?3, partner_country = ?4, purpose = ?5,"
    " crisis_id = ?6, origin_place = ?7, origin_country = ?8, destination_place = ?9,"
    " destination_country = ?10, departure_at = ?11, arrival_at = ?12, capacity = ?13,"
    " reference = ?14, seats = ?15, notes = ?16, updated_at = ?17 WHERE id = ?1";
static const char SQL_TRANSPORT_GET[] =
    "SELECT " TRANSPORT_COLS " FROM transports t WHERE t.id = :id AND " SCOPE_T;
static const char SQL_TRANSPORT_LIST[] =
    "SELECT " TRANSPORT_COLS " FROM transports t WHERE t.id > :after AND (:crisis = 0 OR"
    " t.crisis_id = :crisis) AND (:purpose IS NULL OR t.purpose = :purpose) AND (:status IS"
    " NULL OR t.status = :status) AND (:country IS NULL OR t.origin_country = :country) AND "
    SCOPE_T " ORDER BY t.id LIMIT :limit";
static const char SQL_TRANSPORT_STATUS[] =
    "UPDATE transports SET status = ?2, departure_at = coalesce(?3, departure_at), arrival_at ="
    " coalesce(?4, arrival_at), updated_at = ?5 WHERE id = ?1";
static const char SQL_SEATS_USED[] =
    "SELECT count(*) FROM manifest_entries WHERE transport_id = ?1 AND status IN ('booked',"
    " 'boarded', 'arrived')";
static const char SQL_SEAT_HELD[] = SEAT_HELD(":person") " LIMIT 1";
static const char SQL_BOOKING_NEXT[] =
    "SELECT coalesce(max(booking), 0) + 1 FROM manifest_entries WHERE transport_id = ?1";
static const char SQL_ENTRY_INSERT[] =
    "INSERT INTO manifest_entries(transport_id, booking, person_id, full_name, nationality,"
    " document_enc, status, booked_at, status_at, booked_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6,"
    " 'booked', ?7, ?7, ?8)";
static const char SQL_ENTRY_LIST[] =
    "SELECT " ENTRY_COLS " FROM manifest_entries e LEFT JOIN persons p ON p.id = e.person_id"
    " WHERE e.transport_id = ?1 AND e.id > ?2 ORDER BY e.id LIMIT ?3";
static const char SQL_ENTRY_GET[] =
    "SELECT " ENTRY_COLS " FROM manifest_entries e LEFT JOIN persons p ON p.id = e.person_id"
    " WHERE e.transport_id = ?1 AND e.id = ?2";
static const char SQL_ENTRY_STATUS[] =
    "UPDATE manifest_entries SET status = ?2, status_at = ?3 WHERE id = ?1";
static const char SQL_BOARDED_PERSONS[] =
    "SELECT person_id FROM manifest_entries WHERE transport_id = ?1 AND status = 'boarded' AND"
    " person_id IS NOT NULL ORDER BY id";
static const char SQL_ARRIVE_BOARDED[] =
    "UPDATE manifest_entries SET status = 'arrived', status_at = ?2 WHERE transport_id = ?1"
    " AND status = 'boarded'";
/* A presence is open on :date when it started by then (partial dates cover their month or
 * year, compared as text against the date cut to their length) and has not ended before. */
static const char SQL_PRESENCE_CLOSE[] =
    "UPDATE presences SET date_until = :date, updated_at = :now WHERE person_id = :person AND"
    " country = :country AND (date_from IS NULL OR date_from <= substr(:date, 1,"
    " length(date_from))) AND (date_until IS NULL OR date_until >= substr(:date, 1,"
    " length(date_until)))";
static const char SQL_CANDIDATES[] =
    "SELECT p.id, pr.id, p.full_name, p.flags, p.dob, p.status, pr.category, pr.group_id"
    " FROM presences pr JOIN persons p ON p.id = pr.person_id WHERE pr.country = :country AND"
    " (pr.date_from IS NULL OR pr.date_from <= substr(:today, 1, length(pr.date_from))) AND"
    " (pr.date_until IS NULL OR pr.date_until >= substr(:today, 1, length(pr.date_until))) AND"
    " p.status NOT IN ('deceased', 'repatriated') AND NOT EXISTS (" SEAT_HELD("p.id") ") AND "
    SCOPE_P
    " ORDER BY p.id, pr.id DESC";
static const char SQL_FIGURES[] =
    "SELECT t.id, t.purpose, t.mode, t.provider, t.status, t.reference, t.origin_place,"
    " t.origin_country, t.destination_place, t.destination_country, t.departure_at,"
    " t.arrival_at, t.capacity, count(e.id) FILTER (WHERE e.status = 'booked'), count(e.id)"
    " FILTER (WHERE e.status = 'boarded'), count(e.id) FILTER (WHERE e.status = 'arrived'),"
    " count(e.id) FILTER (WHERE e.status = 'no_show'), count(e.id) FILTER (WHERE e.status ="
    " 'arrived' AND e.person_id IS NOT NULL), count(e.id) FILTER (WHERE e.status = 'arrived'"
    " AND e.person_id IS NULL) FROM transports t LEFT JOIN manifest_entries e ON"
    " e.transport_id = t.id WHERE t.crisis_id = ?1 AND t.status <> 'cancelled' GROUP BY t.id"
    " ORDER BY t.departure_at, t.id";
static const char SQL_MOVED[] =
    "SELECT count(DISTINCT y.person_id), count(DISTINCT CASE WHEN y.checked_in_at >= ?2 THEN"
    " y.person_id END) FROM site_stays y JOIN staging_sites s ON s.id = y.site_id WHERE"
    " s.crisis_id = ?1";

static sqlite3_stmt *stmt(sq_conn_t *c, const char *sql) { return sq_stmt_cached(c, sql); }

void sqe_bind_text(sqlite3_stmt *st, int i, const char *s) {
  if (s == NULL) {
    sqlite3_bind_null(st, i);
  } else {
    sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
  }
}

static void bind_id(sqlite3_stmt *st, int i, int64_t v) {
  if (v == 0) {
    sqlite3_bind_null(st, i);
  } else {
    sqlite3_bind_int64(st, i, v);
  }
}

void sqe_bind_named_text(sqlite3_stmt *st, const char *name, const char *s) {
  int i = sqlite3_bind_parameter_index(st, name);
  if (i > 0) sqe_bind_text(st, i, s);
}

void sqe_bind_named_i64(sqlite3_stmt *st, const char *name, int64_t v) {
  int i = sqlite3_bind_parameter_index(st, name);
  if (i > 0) sqlite3_bind_int64(st, i, v);
}

void sqe_bind_scope(sqlite3_stmt *st, const store_scope_t *scope) {
  sqe_bind_named_i64(st, ":all", scope->all ? 1 : 0);
  sqe_bind_named_i64(st, ":mission", scope->mission_id);
}

const char *sqe_col_text(arena_t *a, sqlite3_stmt *st, int i) {
  const unsigned char *s = sqlite3_column_text(st, i);
  if (s == NULL) return NULL;
  return arena_strndup(a, (const char *)s, (size_t)sqlite3_column_bytes(st, i));
}

json_t *sqe_col_json_or_null(sqlite3_stmt *st, int i) {
  const char *s = (const char *)sqlite3_column_text(st, i);
  return s ? json_loadb(s, (size_t)sqlite3_column_bytes(st, i), 0, NULL) : NULL;
}

static void col_country(sqlite3_stmt *st, int i, char out[3]) {
  const char *s = (const char *)sqlite3_column_text(st, i);
  snprintf(out, 3, "%s", s ? s : "");
}

/* The result of a step that must give one row or none. */
static int row_result(sq_conn_t *c, int rc) {
  return rc == SQLITE_ROW ? BH_OK : rc == SQLITE_DONE ? BH_ERR_NOT_FOUND : sq_result_err(c, rc);
}

/* Grows a list of item size sz to hold one more; NULL on exhaustion. */
static void *grow(arena_t *a, void *items, size_t sz, size_t n, size_t *cap) {
  if (n < *cap) return items;
  size_t ncap = *cap ? *cap * 2 : 16;
  void *bigger = arena_alloc(a, sz * ncap);
  if (bigger == NULL) return NULL;
  if (n) memcpy(bigger, items, sz * n);
  *cap = ncap;
  return bigger;
}

/* Reads the current row of st into item (a site_t, transport_t ... as the statement selects). */
typedef void (*row_read_fn)(sqlite3_stmt *st, arena_t *a, void *item);

/* Steps st once and reads its row into item with read unless read is NULL, then resets st: BH_OK,
 * BH_ERR_NOT_FOUND when it gives no row (item untouched), or the error of the step. */
static int step_one(sq_conn_t *c, sqlite3_stmt *st, arena_t *a, row_read_fn read, void *item) {
  int rc = sq_stmt_step(st);
  if (rc == SQLITE_ROW && read != NULL) read(st, a, item);
  sq_stmt_done(st);
  return row_result(c, rc);
}

/* Runs sql, a statement of the scope in :all, :mission and a row id in :id (a get, a visibility
 * check), as step_one: BH_ERR_NOT_FOUND when the row is out of scope or gone. */
static int scoped_row(sq_conn_t *c, const char *sql, const store_scope_t *scope, int64_t id,
                      arena_t *a, row_read_fn read, void *item) {
  sqlite3_stmt *st = stmt(c, sql);
  if (st == NULL) return BH_ERR_DB;
  sqe_bind_named_i64(st, ":id", id);
  sqe_bind_scope(st, scope);
  return step_one(c, st, a, read, item);
}

/* Steps st to its end and reads every row with read into a growing array of items of size bytes
 * in a (NULL while no row is read), then resets st: BH_OK with *items and *n, BH_ERR_NOMEM with
 * them untouched, or the error of a step with the rows read before it. */
static int step_rows(sq_conn_t *c, sqlite3_stmt *st, arena_t *a, size_t size, row_read_fn read,
                     void **items, size_t *n) {
  size_t cap = 0, k = 0;
  char *mem = NULL;
  int rc;
  while ((rc = sq_stmt_step(st)) == SQLITE_ROW) {
    mem = grow(a, mem, size, k, &cap);
    if (mem == NULL) {
      sq_stmt_done(st);
      return BH_ERR_NOMEM;
    }
    read(st, a, mem + size * k++);
  }
  sq_stmt_done(st);
  *items = mem;
  *n = k;
  return rc == SQLITE_DONE ? BH_OK : sq_result_err(c, rc);
}

/* ---- sites ---- */

static void site_read(sqlite3_stmt *st, arena_t *a, void *item) {
  site_t *s = item;
  memset(s, 0, sizeof(*s));
  s->id = sqlite3_column_int64(st, 0);
  s->kind = sqe_col_text(a, st, 1);
  s->name = sqe_col_text(a, st, 2);
  col_country(st, 3, s->country);
  s->region = sqe_col_text(a, st, 4);
  s->has_geo =
      sqlite3_column_type(st, 5) != SQLITE_NULL && sqlite3_column_type(st, 6) != SQLITE_NULL;
  s->lat = sqlite3_column_double(st, 5);
  s->lon = sqlite3_column_double(st, 6);
  s->capacity = sqlite3_column_int64(st, 7);
  s->crisis_id = sqlite3_column_int64(st, 8);
  s->notes = sqe_col_text(a, st, 9);
  s->created_by = sqlite3_column_int64(st, 10);
  s->created_at = sqlite3_column_int64(st, 11);
  s->updated_at = sqlite3_column_int64(st, 12);
  s->occupancy = sqlite3_column_int64(st, 13);
}

/* Binds the fields of s shared by insert and update from parameter 2 (update) or 1 (insert). */
static void site_bind(sqlite3_stmt *st, int first, const site_t *s) {
  sqe_bind_text(st, first, s->kind);
  sqe_bind_text(st, first + 1, s->name);
  sqe_bind_text(st, first + 2, s->country);
  sqe_bind_text(st, first + 3, s->region);
  if (s->has_geo) {
    sqlite3_bind_double(st, first + 4, s->lat);
    sqlite3_bind_double(st, first + 5, s->lon);
  } else {
    sqlite3_bind_null(st, first + 4);
    sqlite3_bind_null(st, first + 5);
  }
  sqlite3_bind_int64(st, first + 6, s->capacity);
  bind_id(st, first + 7, s->crisis_id);
  sqe_bind_text(st, first + 8, s->notes);
}

int sqe_site_create(sq_conn_t *c, site_t *s) {
  sqlite3_stmt *st = stmt(c, SQL_SITE_INSERT);
  if (st == NULL) return BH_ERR_DB;
  s->created_at = s->updated_at = clock_now();
  site_bind(st, 1, s);
  bind_id(st, 10, s->created_by);
  sqlite3_bind_int64(st, 11, s->created_at);
  int rc = sq_stmt_exec(c, st);
  if (rc == BH_OK) s->id = sqlite3_last_insert_rowid(sq_conn_db(c));
  return rc;
}

int sqe_site_get(sq_conn_t *c, const store_scope_t *scope, int64_t id, int lock, arena_t *a,
                 site_t *out) {
  (void)lock; /* the caller's write transaction excludes other writers */
  return scoped_row(c, SQL_SITE_GET, scope, id, a, site_read, out);
}

int sqe_site_update(sq_conn_t *c, const store_scope_t *scope, const site_t *s) {
  int rc = scoped_row(c, SQL_SITE_GET, scope, s->id, NULL, NULL, NULL);
  if (rc != BH_OK) return rc;
  sqlite3_stmt *st = stmt(c, SQL_SITE_UPDATE);
  if (st == NULL) return BH_ERR_DB;
  sqlite3_bind_int64(st, 1, s->id);
  site_bind(st, 2, s);
  sqlite3_bind_int64(st, 11, clock_now());
  return sq_stmt_exec(c, st);
}

int sqe_site_list(sq_conn_t *c, const store_scope_t *scope, const site_filter_t *f,
                  const store_page_t *page, arena_t *a, site_t **out, size_t *n) {
  sqlite3_stmt *st = stmt(c, SQL_SITE_LIST);
  if (st == NULL) return BH_ERR_DB;
  sqe_bind_named_i64(st, ":after", page->after);
  sqe_bind_named_i64(st, ":limit", page->limit);
  sqe_bind_named_i64(st, ":crisis", f ? f->crisis_id : 0);
  sqe_bind_named_text(st, ":country", f ? f->country : NULL);
  sqe_bind_scope(st, scope);
  void *items = NULL;
  int rc = step_rows(c, st, a, sizeof(site_t), site_read, &items, n);
  if (rc != BH_ERR_NOMEM) *out = items;
  return rc;
}

int sqe_person_visible(sq_conn_t *c, const store_scope_t *scope, int64_t person_id) {
  return scoped_row(c, SQL_PERSON_VISIBLE, scope, person_id, NULL, NULL, NULL);
}

int sqe_stay_open(sq_conn_t *c, int64_t person_id, int64_t *stay_id, int64_t *site_id) {
  sqlite3_stmt *st = stmt(c, SQL_STAY_OPEN);
  if (st == NULL) return BH_ERR_DB;
  sqlite3_bind_int64(st, 1, person_id);
  int rc = sq_stmt_step(st);
  if (rc == SQLITE_ROW) {
    *stay_id = sqlite3_column_int64(st, 0);
    *site_id = sqlite3_column_int64(st, 1);
  }
  sq_stmt_done(st);
  return row_result(c, rc);
}

int sqe_stay_insert(sq_conn_t *c, int64_t site_id, int64_t person_id, int64_t at,
                    int64_t author_id, int64_t *stay_id) {
  sqlite3_stmt *st = stmt(c, SQL_STAY_INSERT);
  if (st == NULL) return BH_ERR_DB;
  sqlite3_bind_int64(st, 1, site_id);
  sqlite3_bind_int64(st, 2, person_id);
  sqlite3_bind_int64(st, 3, at);
  bind_id(st, 4, author_id);
  int rc = sq_stmt_exec(c, st);
  if (rc == BH_OK) *stay_id = sqlite3_last_insert_rowid(sq_conn_db(c));
  return rc;
}

int sqe_stay_close(sq_conn_t *c, int64_t site_id, int64_t person_id, int64_t at,
                   int64_t author_id, int64_t *changes) {
  sqlite3_stmt *st = stmt(c, SQL_STAY_CLOSE);
  if (st == NULL) return BH_ERR_DB;
  sqlite3_bind_int64(st, 1, site_id);
  sqlite3_bind_int64(st, 2, person_id);
  sqlite3_bind_int64(st, 3, at);
  bind_id(st, 4, author_id);
  int rc = sq_stmt_exec(c, st);
  *changes = rc == BH_OK ? sqlite3_changes(sq_conn_db(c)) : 0;
  return rc;
}

static void stay_read(sqlite3_stmt *st, arena_t *a, void *item) {
  site_stay_t *y = item;
  y->id = sqlite3_column_int64(st, 0);
  y->site_id = sqlite3_column_int64(st, 1);
  y->person_id = sqlite3_column_int64(st, 2);
  y->full_name = sqe_col_text(a, st, 3);
  y->status = sqe_col_text(a, st, 4);
  y->checked_in_at = sqlite3_column_int64(st, 5);
  y->checked_out_at = sqlite3_column_int64(st, 6);
}

int sqe_site_people(sq_conn_t *c, const store_scope_t *scope, int64_t site_id, int present_only,
                    const store_page_t *page, arena_t *a, site_stay_t **out, size_t *n) {
  sqlite3_stmt *st = stmt(c, SQL_SITE_PEOPLE);
  if (st == NULL) return BH_ERR_DB;
  sqe_bind_named_i64(st, ":site", site_id);
  sqe_bind_named_i64(st, ":after", page->after);
  sqe_bind_named_i64(st, ":limit", page->limit);
  sqe_bind_named_i64(st, ":present", present_only ? 1 : 0);
  sqe_bind_scope(st, scope);
  void *items = NULL;
  int rc = step_rows(c, st, a, sizeof(site_stay_t), stay_read, &items, n);
  if (rc != BH_ERR_NOMEM) *out = items;
  return rc;
}

/* ---- transports ---- */

static void transport_read(sqlite3_stmt *st, arena_t *a, void *item) {
  transport_t *t = item;
  memset(t, 0, sizeof(*t));
  t->id = sqlite3_column_int64(st, 0);
  t->mode = sqe_col_text(a, st, 1);
  t->provider = sqe_col_text(a, st, 2);
  t->partner_country = sqe_col_text(a, st, 3);
  t->purpose = sqe_col_text(a, st, 4);
  t->crisis_id = sqlite3_column_int64(st, 5);
  t->origin_place = sqe_col_text(a, st, 6);
  col_country(st, 7, t->origin_country);
  t->destination_place = sqe_col_text(a, st, 8);
  col_country(st, 9, t->destination_country);
  t->departure_at = sqlite3_column_int64(st, 10);
  t->arrival_at = sqlite3_column_int64(st, 11);
  t->capacity = sqlite3_column_int64(st, 12);
  t->reference = sqe_col_text(a, st, 13);
  t->seats = sqe_col_json_or_null(st, 14);
  if (t->seats == NULL) t->seats = json_array();
  t->status = sqe_col_text(a, st, 15);
  t->notes = sqe_col_text(a, st, 16);
  t->created_by = sqlite3_column_int64(st, 17);
  t->created_at = sqlite3_column_int64(st, 18);
  t->updated_at = sqlite3_column_int64(st, 19);
  store_evac_counts_parse((const char *)sqlite3_column_text(st, 20),
                          (size_t)sqlite3_column_bytes(st, 20), t->counts);
  t->by_nationality = sqe_col_json_or_null(st, 21);
  if (t->by_nationality == NULL) t->by_nationality = json_object();
}

/* Binds the fields of t shared by insert (from 1) and update (from 2), up to reference; the
 * seats' JSON text follows at first + 13. */
static void transport_bind(sqlite3_stmt *st, int first, const transport_t *t, const char *seats) {
  sqe_bind_text(st, first, t->mode);
  sqe_bind_text(st, first + 1, t->provider);
  sqe_bind_text(st, first + 2, t->partner_country);
  sqe_bind_text(st, first + 3, t->purpose);
  bind_id(st, first + 4, t->crisis_id);
  sqe_bind_text(st, first + 5, t->origin_place);
  sqe_bind_text(st, first + 6, t->origin_country);
  sqe_bind_text(st, first + 7, t->destination_place);
  sqe_bind_text(st, first + 8, t->destination_country);
  sqlite3_bind_int64(st, first + 9, t->departure_at);
  bind_id(st, first + 10, t->arrival_at);
  sqlite3_bind_int64(st, first + 11, t->capacity);
  sqe_bind_text(st, first + 12, t->reference);
  sqe_bind_text(st, first + 13, seats);
  sqe_bind_text(st, first + 14, t->notes);
}

int sqe_transport_create(sq_conn_t *c, transport_t *t) {
  sqlite3_stmt *st = stmt(c, SQL_TRANSPORT_INSERT);
  if (st == NULL) return BH_ERR_DB;
  char *seats = t->seats ? json_dumps(t->seats, JSON_COMPACT) : strdup("[]");
  if (seats == NULL) return BH_ERR_NOMEM;
  t->created_at = t->updated_at = clock_now();
  t->status = "planned";
  transport_bind(st, 1, t, seats);
  bind_id(st, 16, t->created_by);
  sqlite3_bind_int64(st, 17, t->created_at);
  int rc = sq_stmt_exec(c, st);
  free(seats);
  if (rc == BH_OK) t->id = sqlite3_last_insert_rowid(sq_conn_db(c));
  return rc;
}

int sqe_transport_get(sq_conn_t *c, const store_scope_t *scope, int64_t id, int lock,
                      arena_t *a, transport_t *out) {
  (void)lock; /* the caller's write transaction excludes other writers */
  return scoped_row(c, SQL_TRANSPORT_GET, scope, id, a, transport_read, out);
}

int sqe_transport_update(sq_conn_t *c, const store_scope_t *scope, const transport_t *t) {
  int rc = scoped_row(c, SQL_TRANSPORT_GET, scope, t->id, NULL, NULL, NULL);
  if (rc != BH_OK) return rc;
  sqlite3_stmt *st = stmt(c, SQL_TRANSPORT_UPDATE);
  if (st == NULL) return BH_ERR_DB;
  char *seats = t->seats ? json_dumps(t->seats, JSON_COMPACT) : strdup("[]");
  if (seats == NULL) return BH_ERR_NOMEM;
  sqlite3_bind_int64(st, 1, t->id);
  transport_bind(st, 2, t, seats);
  sqlite3_bind_int64(st, 17, clock_now());
  rc = sq_stmt_exec(c, st);
  free(seats);
  return rc;
}

int sqe_transport_list(sq_conn_t *c, const store_scope_t *scope, const transport_filter_t *f,
                       const store_page_t *page, arena_t *a, transport_t **out, size_t *n) {
  sqlite3_stmt *st = stmt(c, SQL_TRANSPORT_LIST);
  if (st == NULL) return BH_ERR_DB;
  sqe_bind_named_i64(st, ":after", page->after);
  sqe_bind_named_i64(st, ":limit", page->limit);
  sqe_bind_named_i64(st, ":crisis", f ? f->crisis_id : 0);
  sqe_bind_named_text(st, ":purpose", f ? f->purpose : NULL);
  sqe_bind_named_text(st, ":status", f ? f->status : NULL);
  sqe_bind_named_text(st, ":country", f ? f->country : NULL);
  sqe_bind_scope(st, scope);
  void *items = NULL;
  int rc = step_rows(c, st, a, sizeof(transport_t), transport_read, &items, n);
  if (rc != BH_ERR_NOMEM) *out = items;
  return rc;
}

int sqe_transport_status_write(sq_conn_t *c, int64_t id, const char *status,
                               int64_t departure_at, int64_t arrival_at, int64_t now) {
  sqlite3_stmt *st = stmt(c, SQL_TRANSPORT_STATUS);
  if (st == NULL) return BH_ERR_DB;
  sqlite3_bind_int64(st, 1, id);
  sqe_bind_text(st, 2, status);
  bind_id(st, 3, departure_at);
  bind_id(st, 4, arrival_at);
  sqlite3_bind_int64(st, 5, now);
  return sq_stmt_exec(c, st);
}

/* Runs a statement whose first column of one row is an integer. */
static int scalar(sq_conn_t *c, sqlite3_stmt *st, int64_t *v) {
  int rc = sq_stmt_step(st);
  if (rc == SQLITE_ROW) *v = sqlite3_column_int64(st, 0);
  sq_stmt_done(st);
  return row_result(c, rc);
}

int sqe_seats_used(sq_conn_t *c, int64_t transport_id, int64_t *used) {
  sqlite3_stmt *st = stmt(c, SQL_SEATS_USED);
  if (st == NULL) return BH_ERR_DB;
  sqlite3_bind_int64(st, 1, transport_id);
  return scalar(c, st, used);
}

int sqe_seat_held(sq_conn_t *c, int64_t person_id, int64_t transport_id, int64_t crisis_id,
                  int64_t *other_id) {
  sqlite3_stmt *st = stmt(c, SQL_SEAT_HELD);
  if (st == NULL) return BH_ERR_DB;
  sqe_bind_named_i64(st, ":person", person_id);
  sqe_bind_named_i64(st, ":transport", transport_id);
  int i = sqlite3_bind_parameter_index(st, ":crisis");
  if (i > 0) bind_id(st, i, crisis_id);
  return scalar(c, st, other_id);
}

int sqe_booking_next(sq_conn_t *c, int64_t transport_id, int64_t *booking) {
  sqlite3_stmt *st = stmt(c, SQL_BOOKING_NEXT);
  if (st == NULL) return BH_ERR_DB;
  sqlite3_bind_int64(st, 1, transport_id);
  return scalar(c, st, booking);
}

int sqe_entry_insert(sq_conn_t *c, int64_t transport_id, int64_t booking, const manifest_in_t *in,
                     int64_t now, int64_t author_id, int64_t *id) {
  sqlite3_stmt *st = stmt(c, SQL_ENTRY_INSERT);
  if (st == NULL) return BH_ERR_DB;
  sqlite3_bind_int64(st, 1, transport_id);
  sqlite3_bind_int64(st, 2, booking);
  bind_id(st, 3, in->person_id);
  sqe_bind_text(st, 4, in->person_id ? NULL : in->full_name);
  sqe_bind_text(st, 5, in->person_id ? "VN" : in->nationality);
  if (in->document_sealed != NULL) {
    sqlite3_bind_blob(st, 6, in->document_sealed, (int)in->document_len, SQLITE_STATIC);
  } else {
    sqlite3_bind_null(st, 6);
  }
  sqlite3_bind_int64(st, 7, now);
  bind_id(st, 8, author_id);
  int rc = sq_stmt_exec(c, st);
  if (rc == BH_OK) *id = sqlite3_last_insert_rowid(sq_conn_db(c));
  return rc;
}

static void entry_read(sqlite3_stmt *st, arena_t *a, void *item) {
  manifest_entry_t *e = item;
  memset(e, 0, sizeof(*e));
  e->id = sqlite3_column_int64(st, 0);
  e->transport_id = sqlite3_column_int64(st, 1);
  e->booking = sqlite3_column_int64(st, 2);
  e->person_id = sqlite3_column_int64(st, 3);
  e->full_name = sqe_col_text(a, st, 4);
  col_country(st, 5, e->nationality);
  int len = sqlite3_column_bytes(st, 6);
  const void *doc = sqlite3_column_blob(st, 6);
  if (doc != NULL && len > 0) {
    unsigned char *copy = arena_alloc(a, (size_t)len);
    if (copy != NULL) {
      memcpy(copy, doc, (size_t)len);
      e->document_sealed = copy;
      e->document_len = (size_t)len;
    }
  }
  e->status = sqe_col_text(a, st, 7);
  e->booked_at = sqlite3_column_int64(st, 8);
  e->status_at = sqlite3_column_int64(st, 9);
  e->booked_by = sqlite3_column_int64(st, 10);
}

int sqe_manifest_list(sq_conn_t *c, int64_t transport_id, const store_page_t *page, arena_t *a,
                      manifest_entry_t **out, size_t *n) {
  sqlite3_stmt *st = stmt(c, SQL_ENTRY_LIST);
  if (st == NULL) return BH_ERR_DB;
  sqlite3_bind_int64(st, 1, transport_id);
  sqlite3_bind_int64(st, 2, page->after);
  sqlite3_bind_int64(st, 3, page->limit);
  void *items = NULL;
  int rc = step_rows(c, st, a, sizeof(manifest_entry_t), entry_read, &items, n);
  if (rc != BH_ERR_NOMEM) *out = items;
  return rc;
}

int sqe_manifest_get(sq_conn_t *c, int64_t transport_id, int64_t entry_id, int lock, arena_t *a,
                     manifest_entry_t *out) {
  (void)lock;
  sqlite3_stmt *st = stmt(c, SQL_ENTRY_GET);
  if (st == NULL) return BH_ERR_DB;
  sqlite3_bind_int64(st, 1, transport_id);
  sqlite3_bind_int64(st, 2, entry_id);
  return step_one(c, st, a, entry_read, out);
}

int sqe_entry_status_write(sq_conn_t *c, int64_t entry_id, const char *status, int64_t at) {
  sqlite3_stmt *st = stmt(c, SQL_ENTRY_STATUS);
  if (st == NULL) return BH_ERR_DB;
  sqlite3_bind_int64(st, 1, entry_id);
  sqe_bind_text(st, 2, status);
  sqlite3_bind_int64(st, 3, at);
  return sq_stmt_exec(c, st);
}

/* Reads the integer of the first column into item (an int64_t). */
static void id_read(sqlite3_stmt *st, arena_t *a, void *item) {
  (void)a;
  *(int64_t *)item = sqlite3_column_int64(st, 0);
}

int sqe_boarded_persons(sq_conn_t *c, int64_t transport_id, arena_t *a, int64_t **ids,
                        size_t *n) {
  sqlite3_stmt *st = stmt(c, SQL_BOARDED_PERSONS);
  if (st == NULL) return BH_ERR_DB;
  sqlite3_bind_int64(st, 1, transport_id);
  void *items = NULL;
  int rc = step_rows(c, st, a, sizeof(int64_t), id_read, &items, n);
  if (rc != BH_ERR_NOMEM) *ids = items;
  return rc;
}

int sqe_arrive_boarded(sq_conn_t *c, int64_t transport_id, int64_t at, int64_t *changes) {
  sqlite3_stmt *st = stmt(c, SQL_ARRIVE_BOARDED);
  if (st == NULL) return BH_ERR_DB;
  sqlite3_bind_int64(st, 1, transport_id);
  sqlite3_bind_int64(st, 2, at);
  int rc = sq_stmt_exec(c, st);
  *changes = rc == BH_OK ? sqlite3_changes(sq_conn_db(c)) : 0;
  return rc;
}

int sqe_presence_close(sq_conn_t *c, int64_t person_id, const char *country, const char *date,
                       int64_t now, int64_t *changes) {
  sqlite3_stmt *st = stmt(c, SQL_PRESENCE_CLOSE);
  if (st == NULL) return BH_ERR_DB;
  sqe_bind_named_text(st, ":date", date);
  sqe_bind_named_i64(st, ":now", now);
  sqe_bind_named_i64(st, ":person", person_id);
  sqe_bind_named_text(st, ":country", country);
  int rc = sq_stmt_exec(c, st);
  *changes = rc == BH_OK ? sqlite3_changes(sq_conn_db(c)) : 0;
  return rc;
}

int sqe_candidates_each(sq_conn_t *c, const store_scope_t *scope, const char *country,
                        const char *today, int64_t crisis_id, int64_t transport_id, arena_t *a,
                        evac_candidate_cb cb, void *ctx) {
  (void)a;
  sqlite3_stmt *st = stmt(c, SQL_CANDIDATES);
  if (st == NULL) return BH_ERR_DB;
  sqe_bind_named_text(st, ":country", country);
  sqe_bind_named_text(st, ":today", today);
  sqe_bind_named_i64(st, ":transport", transport_id);
  int i = sqlite3_bind_parameter_index(st, ":crisis");
  if (i > 0) bind_id(st, i, crisis_id);
  sqe_bind_scope(st, scope);
  int rc;
  while ((rc = sq_stmt_step(st)) == SQLITE_ROW) {
    json_t *flags = sqe_col_json_or_null(st, 3);
    evac_candidate_row_t row = {
        .person_id = sqlite3_column_int64(st, 0),
        .presence_id = sqlite3_column_int64(st, 1),
        .full_name = (const char *)sqlite3_column_text(st, 2),
        .flags = flags,
        .date_of_birth = (const char *)sqlite3_column_text(st, 4),
        .status = (const char *)sqlite3_column_text(st, 5),
        .category = (const char *)sqlite3_column_text(st, 6),
        .group_id = (const char *)sqlite3_column_text(st, 7),
    };
    int stop = cb(ctx, &row);
    json_decref(flags);
    if (stop) {
      rc = SQLITE_DONE;
      break;
    }
  }
  sq_stmt_done(st);
  return rc == SQLITE_DONE ? BH_OK : sq_result_err(c, rc);
}

static void figures_read(sqlite3_stmt *st, arena_t *a, void *item) {
  evac_transport_figures_t *f = item;
  memset(f, 0, sizeof(*f));
  f->transport_id = sqlite3_column_int64(st, 0);
  f->purpose = sqe_col_text(a, st, 1);
  f->mode = sqe_col_text(a, st, 2);
  f->provider = sqe_col_text(a, st, 3);
  f->status = sqe_col_text(a, st, 4);
  f->reference = sqe_col_text(a, st, 5);
  f->origin_place = sqe_col_text(a, st, 6);
  col_country(st, 7, f->origin_country);
  f->destination_place = sqe_col_text(a, st, 8);
  col_country(st, 9, f->destination_country);
  f->departure_at = sqlite3_column_int64(st, 10);
  f->arrival_at = sqlite3_column_int64(st, 11);
  f->capacity = sqlite3_column_int64(st, 12);
  f->booked = sqlite3_column_int64(st, 13);
  f->boarded = sqlite3_column_int64(st, 14);
  f->arrived = sqlite3_column_int64(st, 15);
  f->no_show = sqlite3_column_int64(st, 16);
  f->arrived_registered = sqlite3_column_int64(st, 17);
  f->arrived_partner = sqlite3_column_int64(st, 18);
}

int sqe_transport_figures(sq_conn_t *c, int64_t crisis_id, arena_t *a,
                          evac_transport_figures_t **out, size_t *n) {
  sqlite3_stmt *st = stmt(c, SQL_FIGURES);
  if (st == NULL) return BH_ERR_DB;
  sqlite3_bind_int64(st, 1, crisis_id);
  void *items = NULL;
  int rc = step_rows(c, st, a, sizeof(evac_transport_figures_t), figures_read, &items, n);
  if (rc != BH_ERR_NOMEM) *out = items;
  return rc;
}

int sqe_moved_to_safety(sq_conn_t *c, int64_t crisis_id, int64_t since, int64_t *total,
                        int64_t *since_count) {
  sqlite3_stmt *st = stmt(c, SQL_MOVED);
  if (st == NULL) return BH_ERR_DB;
  sqlite3_bind_int64(st, 1, crisis_id);
  sqlite3_bind_int64(st, 2, since);
  int rc = sq_stmt_step(st);
  if (rc == SQLITE_ROW) {
    *total = sqlite3_column_int64(st, 0);
    *since_count = sqlite3_column_int64(st, 1);
  }
  sq_stmt_done(st);
  return rc == SQLITE_ROW ? BH_OK : sq_result_err(c, rc);
}
