/*
 * store_pg_evac.c - the PostgreSQL backend of store_evac.h, with the same tables and meaning as
 * store_sqlite_evac.c (see store_evac_impl.h for each contract). Statements run through
 * pg_run_sql (prepared once per session); scoped ones put the scope in $1 (all) and $2
 * (mission). Rows read to decide (a site's occupancy, a transport's seats, an entry's status)
 * are locked with FOR UPDATE when the caller asks, so two servers never overbook a transport.
 * It also defines the helpers of store_evac_pg.h, which store_pg_crisis.c shares.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_evac_impl.h"
#include "store/store_evac_pg.h"
#include "store/store_pg_int.h"
#include "util/clock.h"
#include "util/err.h"

/* Visibility of site s and transport t to the scope in $1, $2 (see store_sqlite_evac.c). */
#define PG_SCOPE_S                                                                           \
  "($1::int = 1 OR EXISTS (SELECT 1 FROM mission_countries mc WHERE mc.mission_id ="        \
  " $2::bigint AND mc.country = s.country))"
#define PG_SCOPE_T                                                                           \
  "($1::int = 1 OR EXISTS (SELECT 1 FROM mission_countries mc WHERE mc.mission_id ="        \
  " $2::bigint AND mc.country = t.origin_country))"
/* A seat held by person $P on transport $T, or on an active one of crisis $K (NULL: none). */
#define PG_SEAT_HELD(P, T, K)                                                                \
  "SELECT e.transport_id FROM manifest_entries e JOIN transports t ON t.id = e.transport_id"  \
  " WHERE e.person_id = " P " AND e.status IN ('booked', 'boarded', 'arrived') AND (t.id = " \
  T " OR (t.status IN ('planned', 'departed') AND t.crisis_id IS NOT DISTINCT FROM " K "))"
/* 14 columns, read by site_read. */
#define PG_SITE_COLS                                                                         \
  "s.id, s.kind, s.name, s.country, s.region, s.lat, s.lon, s.capacity, s.crisis_id,"        \
  " s.notes, s.created_by, s.created_at, s.updated_at, (SELECT count(*) FROM site_stays y"    \
  " WHERE y.site_id = s.id AND y.checked_out_at IS NULL)"
/* 22 columns, read by transport_read. */
#define PG_TRANSPORT_COLS                                                                    \
  "t.id, t.mode, t.provider, t.partner_country, t.purpose, t.crisis_id, t.origin_place,"     \
  " t.origin_country, t.destination_place, t.destination_country, t.departure_at,"           \
  " t.arrival_at, t.capacity, t.reference, t.seats, t.status, t.notes, t.created_by,"        \
  " t.created_at, t.updated_at, (SELECT coalesce(json_object_agg(x.status, x.n), '{}')::text" \
  " FROM (SELECT status, count(*) AS n FROM manifest_entries WHERE transport_id = t.id"       \
  " GROUP BY status) x), (SELECT coalesce(json_object_agg(x.nationality, x.n ORDER BY"        \
  " x.nationality), '{}')::text FROM (SELECT nationality, count(*) AS n FROM"                 \
  " manifest_entries WHERE transport_id = t.id AND status IN ('booked', 'boarded',"          \
  " 'arrived') GROUP BY nationality) x)"
/* 11 columns, read by entry_read. */
#define PG_ENTRY_COLS                                                                        \
  "e.id, e.transport_id, e.booking, e.person_id, coalesce(p.full_name, e.full_name),"        \
  " e.nationality, e.document_enc, e.status, e.booked_at, e.status_at, e.booked_by"

static const char SQL_SITE_INSERT[] =
    "INSERT INTO staging_sites(kind, name, country, region, lat, lon, capacity, crisis_id,"
    " notes, created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9,"
    " $10, $11, $11) RETURNING id";
static const char SQL_SITE_UPDATE[] =
    "UPDATE staging_sites SET kind = $2, name = $3, country = $4, region = $5, lat = $6,"
    " lon = $7, capacity = $8, crisis_id = $9, notes = $10, updated_at = $11 WHERE id = $1";
static const char SQL_SITE_GET[] =
    "SELECT " PG_SITE_COLS " FROM staging_sites s WHERE s.id = $3 AND " PG_SCOPE_S;
static const char SQL_SITE_LOCK[] =
    "SELECT " PG_SITE_COLS " FROM staging_sites s WHERE s.id = $3 AND " PG_SCOPE_S
    " FOR UPDATE";
static const char SQL_SITE_LIST[] =
    "SELECT " PG_SITE_COLS " FROM staging_sites s WHERE s.id > $3 AND ($4::bigint = 0 OR"
    " s.crisis_id = $4::bigint) AND ($5::text IS NULL OR s.country = $5::text) AND " PG_SCOPE_S
    " ORDER BY s.id LIMIT $6";
/* Locks the person until the end of the transaction, so that two bookings of one person on two
 * transports (each locking its own transport) cannot both find no seat held. */
static const char SQL_PERSON_VISIBLE[] =
    "SELECT 1 FROM persons p WHERE p.id = $3 AND " PG_SCOPE_P " FOR UPDATE OF p";
static const char SQL_STAY_OPEN[] =
    "SELECT id, site_id FROM site_stays WHERE person_id = $1 AND checked_out_at IS NULL";
static const char SQL_STAY_INSERT[] =
    "INSERT INTO site_stays(site_id, person_id, checked_in_at, checked_in_by) VALUES ($1, $2,"
    " $3, $4) RETURNING id";
static const char SQL_STAY_CLOSE[] =
    "UPDATE site_stays SET checked_out_at = greatest($3::bigint, checked_in_at),"
    " checked_out_by = $4 WHERE site_id = $1 AND person_id = $2 AND checked_out_at IS NULL";
static const char SQL_SITE_PEOPLE[] =
    "SELECT y.id, y.site_id, y.person_id, p.full_name, p.status, y.checked_in_at,"
    " y.checked_out_at FROM site_stays y JOIN persons p ON p.id = y.person_id WHERE"
    " y.site_id = $3 AND y.id > $4 AND ($5::int = 0 OR y.checked_out_at IS NULL) AND "
    PG_SCOPE_P " ORDER BY y.id LIMIT $6";
static const char SQL_TRANSPORT_INSERT[] =
    "INSERT INTO transports(mode, provider, partner_country, purpose, crisis_id, origin_place,"
    " origin_country, destination_place, destination_country, departure_at, arrival_at,"
    " capacity, reference, seats, status, notes, created_by, created_at, updated_at) VALUES"
    " ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, 'planned', $15, $16, $17,"
    " $17) RETURNING id";
static const char SQL_TRANSPORT_UPDATE[] =
    "UPDATE transports SET mode = $2, provider = $3, partner_country = $4, purpose = $5,"
    " crisis_id = $6, origin_place = $7, origin_country = $8, destination_place = $9,"
    " destination_country = $10, departure_at = $11, arrival_at = $12, capacity = $13,"
    " reference = $14, seats = $15, notes = $16, updated_at = $17 WHERE id = $1";
static const char SQL_TRANSPORT_GET[] =
    "SELECT " PG_TRANSPORT_COLS " FROM transports t WHERE t.id = $3 AND " PG_SCOPE_T;
static const char SQL_TRANSPORT_LOCK[] =
    "SELECT " PG_TRANSPORT_COLS " FROM transports t WHERE t.id = $3 AND " PG_SCOPE_T
    " FOR UPDATE";
static const char SQL_TRANSPORT_LIST[] =
    "SELECT " PG_TRANSPORT_COLS " FROM transports t WHERE t.id > $3 AND ($4::bigint = 0 OR"
    " t.crisis_id = $4::bigint) AND ($5::text IS NULL OR t.purpose = $5::text) AND ($6::text"
    " IS NULL OR t.status = $6::text) AND ($7::text IS NULL OR t.origin_country = $7::text)"
    " AND " PG_SCOPE_T " ORDER BY t.id LIMIT $8";
static const char SQL_TRANSPORT_STATUS[] =
    "UPDATE transports SET status = $2, departure_at = coalesce($3::bigint, departure_at),"
    " arrival_at = coalesce($4::bigint, arrival_at), updated_at = $5 WHERE id = $1";
static const char SQL_SEATS_USED[] =
    "SELECT count(*) FROM manifest_entries WHERE transport_id = $1 AND status IN ('booked',"
    " 'boarded', 'arrived')";
static const char SQL_SEAT_HELD[] =
    PG_SEAT_HELD("$1::bigint", "$2::bigint", "$3::bigint") " LIMIT 1";
static const char SQL_BOOKING_NEXT[] =
    "SELECT coalesce(max(booking), 0) + 1 FROM manifest_entries WHERE transport_id = $1";
static const char SQL_ENTRY_INSERT[] =
    "INSERT INTO manifest_entries(transport_id, booking, person_id, full_name, nationality,"
    " document_enc, status, booked_at, status_at, booked_by) VALUES ($1, $2, $3, $4, $5, $6,"
    " 'booked', $7, $7, $8) RETURNING id";
static const char SQL_ENTRY_LIST[] =
    "SELECT " PG_ENTRY_COLS " FROM manifest_entries e LEFT JOIN persons p ON p.id ="
    " e.person_id WHERE e.transport_id = $1 AND e.id > $2 ORDER BY e.id LIMIT $3";
static const char SQL_ENTRY_GET[] =
    "SELECT " PG_ENTRY_COLS " FROM manifest_entries e LEFT JOIN persons p ON p.id ="
    " e.person_id WHERE e.transport_id = $1 AND e.id = $2";
static const char SQL_ENTRY_LOCK[] =
    "SELECT " PG_ENTRY_COLS " FROM manifest_entries e LEFT JOIN persons p ON p.id ="
    " e.person_id WHERE e.transport_id = $1 AND e.id = $2 FOR UPDATE OF e";
static const char SQL_ENTRY_STATUS[] =
    "UPDATE manifest_entries SET status = $2, status_at = $3 WHERE id = $1";
static const char SQL_BOARDED_PERSONS[] =
    "SELECT person_id FROM manifest_entries WHERE transport_id = $1 AND status = 'boarded' AND"
    " person_id IS NOT NULL ORDER BY id";
static const char SQL_ARRIVE_BOARDED[] =
    "UPDATE manifest_entries SET status = 'arrived', status_at = $2 WHERE transport_id = $1"
    " AND status = 'boarded'";
/* See SQL_PRESENCE_CLOSE in store_sqlite_evac.c for the comparison of partial dates. */
static const char SQL_PRESENCE_CLOSE[] =
    "UPDATE presences SET date_until = $1::text, updated_at = $2 WHERE person_id = $3 AND"
    " country = $4 AND (date_from IS NULL OR date_from COLLATE \"C\" <= substr($1::text, 1,"
    " length(date_from))) AND (date_until IS NULL OR date_until COLLATE \"C\" >="
    " substr($1::text, 1, length(date_until)))";
static const char SQL_CANDIDATES[] =
    "SELECT p.id, pr.id, p.full_name, p.flags, p.dob, p.status, pr.category, pr.group_id"
    " FROM presences pr JOIN persons p ON p.id = pr.person_id WHERE pr.country = $3 AND"
    " (pr.date_from IS NULL OR pr.date_from COLLATE \"C\" <= substr($4::text, 1,"
    " length(pr.date_from))) AND (pr.date_until IS NULL OR pr.date_until COLLATE \"C\" >="
    " substr($4::text, 1, length(pr.date_until))) AND p.status NOT IN ('deceased',"
    " 'repatriated') AND NOT EXISTS (" PG_SEAT_HELD("p.id", "$6::bigint", "$5::bigint")
    ") AND " PG_SCOPE_P " ORDER BY p.id, pr.id DESC";
static const char SQL_FIGURES[] =
    "SELECT t.id, t.purpose, t.mode, t.provider, t.status, t.reference, t.origin_place,"
    " t.origin_country, t.destination_place, t.destination_country, t.departure_at,"
    " t.arrival_at, t.capacity, count(e.id) FILTER (WHERE e.status = 'booked'), count(e.id)"
    " FILTER (WHERE e.status = 'boarded'), count(e.id) FILTER (WHERE e.status = 'arrived'),"
    " count(e.id) FILTER (WHERE e.status = 'no_show'), count(e.id) FILTER (WHERE e.status ="
    " 'arrived' AND e.person_id IS NOT NULL), count(e.id) FILTER (WHERE e.status = 'arrived'"
    " AND e.person_id IS NULL) FROM transports t LEFT JOIN manifest_entries e ON"
    " e.transport_id = t.id WHERE t.crisis_id = $1 AND t.status <> 'cancelled' GROUP BY t.id"
    " ORDER BY t.departure_at, t.id";
static const char SQL_MOVED[] =
    "SELECT count(DISTINCT y.person_id), count(DISTINCT y.person_id) FILTER (WHERE"
    " y.checked_in_at >= $2) FROM site_stays y JOIN staging_sites s ON s.id = y.site_id WHERE"
    " s.crisis_id = $1";

/* Reads row of r into item (a site_t, transport_t ... as the caller's sql returns it). */
typedef void (*row_read_fn)(const PGresult *r, int row, arena_t *a, void *item);

int pge_run_exec(pg_conn_t *c, const char *sql, const pg_params_t *p, int64_t *changes) {
  PGresult *res;
  int rc = pg_run_sql(c, sql, p, &res);
  if (rc != BH_OK) return rc;
  if (changes) *changes = strtoll(PQcmdTuples(res), NULL, 10);
  PQclear(res);
  return BH_OK;
}

int pge_run_scalar(pg_conn_t *c, const char *sql, const pg_params_t *p, int64_t *v) {
  PGresult *res;
  int rc = pg_run_sql(c, sql, p, &res);
  if (rc != BH_OK) return rc;
  if (PQntuples(res) > 0) {
    *v = pg_col_i64(res, 0, 0);
  } else {
    rc = BH_ERR_NOT_FOUND;
  }
  PQclear(res);
  return rc;
}

static void col_country(const PGresult *r, int row, int col, char out[3]) {
  snprintf(out, 3, "%s", PQgetisnull(r, row, col) ? "" : PQgetvalue(r, row, col));
}

json_t *pge_col_json_or_null(const PGresult *r, int row, int col) {
  if (PQgetisnull(r, row, col)) return NULL;
  return json_loadb(PQgetvalue(r, row, col), (size_t)PQgetlength(r, row, col), 0, NULL);
}

/* Runs sql and reads its first row into item with read, unless read is NULL: BH_OK,
 * BH_ERR_NOT_FOUND when it returns no row (item untouched), or the error of pg_run_sql. */
static int run_one(pg_conn_t *c, const char *sql, const pg_params_t *p, arena_t *a,
                   row_read_fn read, void *item) {
  PGresult *res;
  int rc = pg_run_sql(c, sql, p, &res);
  if (rc != BH_OK) return rc;
  if (PQntuples(res) > 0) {
    if (read != NULL) read(res, 0, a, item);
  } else {
    rc = BH_ERR_NOT_FOUND;
  }
  PQclear(res);
  return rc;
}

/* Runs sql, a statement of the scope in $1, $2 and a row id in $3 (a get, a lock, a visibility
 * check), as run_one: BH_ERR_NOT_FOUND when the row is out of scope or gone. A lock holds until
 * the end of the transaction. */
static int scoped_row(pg_conn_t *c, const char *sql, const store_scope_t *scope, int64_t id,
                      arena_t *a, row_read_fn read, void *item) {
  pg_params_t p = {0};
  pgp_scope(&p, scope);
  pgp_i64(&p, id);
  return run_one(c, sql, &p, a, read, item);
}

/* Runs sql and reads every row with read into a new array of items of size bytes in a, with room
 * for one item at least so that *items is never NULL: BH_OK with *items and *n, BH_ERR_NOMEM,
 * or the error of pg_run_sql. On failure *items and *n are untouched. */
static int run_rows(pg_conn_t *c, const char *sql, const pg_params_t *p, arena_t *a, size_t size,
                    row_read_fn read, void **items, size_t *n) {
  PGresult *res;
  int rc = pg_run_sql(c, sql, p, &res);
  if (rc != BH_OK) return rc;
  int rows = PQntuples(res);
  char *mem = arena_alloc(a, size * (size_t)(rows > 0 ? rows : 1));
  if (mem == NULL) {
    rc = BH_ERR_NOMEM;
    goto out;
  }
  for (int i = 0; i < rows; i++) read(res, i, a, mem + size * (size_t)i);
  *items = mem;
  *n = (size_t)rows;
out:
  PQclear(res);
  return rc;
}

/* ---- sites ---- */

static void site_read(const PGresult *r, int row, arena_t *a, void *item) {
  site_t *s = item;
  memset(s, 0, sizeof(*s));
  s->id = pg_col_i64(r, row, 0);
  s->kind = pg_col_text(a, r, row, 1);
  s->name = pg_col_text(a, r, row, 2);
  col_country(r, row, 3, s->country);
  s->region = pg_col_text(a, r, row, 4);
  s->has_geo = !PQgetisnull(r, row, 5) && !PQgetisnull(r, row, 6);
  s->lat = pg_col_f64(r, row, 5);
  s->lon = pg_col_f64(r, row, 6);
  s->capacity = pg_col_i64(r, row, 7);
  s->crisis_id = pg_col_i64(r, row, 8);
  s->notes = pg_col_text(a, r, row, 9);
  s->created_by = pg_col_i64(r, row, 10);
  s->created_at = pg_col_i64(r, row, 11);
  s->updated_at = pg_col_i64(r, row, 12);
  s->occupancy = pg_col_i64(r, row, 13);
}

static void site_params(pg_params_t *p, const site_t *s) {
  pgp_text(p, s->kind);
  pgp_text(p, s->name);
  pgp_text(p, s->country);
  pgp_text(p, s->region);
  if (s->has_geo) {
    pgp_f64(p, s->lat);
    pgp_f64(p, s->lon);
  } else {
    pgp_text(p, NULL);
    pgp_text(p, NULL);
  }
  pgp_i64(p, s->capacity);
  pgp_i64_or_null(p, s->crisis_id);
  pgp_text(p, s->notes);
}

int pge_site_create(pg_conn_t *c, site_t *s) {
  s->created_at = s->updated_at = clock_now();
  pg_params_t p = {0};
  site_params(&p, s);
  pgp_i64_or_null(&p, s->created_by);
  pgp_i64(&p, s->created_at);
  return pge_run_scalar(c, SQL_SITE_INSERT, &p, &s->id);
}

int pge_site_get(pg_conn_t *c, const store_scope_t *scope, int64_t id, int lock, arena_t *a,
                 site_t *out) {
  return scoped_row(c, lock ? SQL_SITE_LOCK : SQL_SITE_GET, scope, id, a, site_read, out);
}

int pge_site_update(pg_conn_t *c, const store_scope_t *scope, const site_t *s) {
  int rc = scoped_row(c, SQL_SITE_LOCK, scope, s->id, NULL, NULL, NULL);
  if (rc != BH_OK) return rc;
  pg_params_t p = {0};
  pgp_i64(&p, s->id);
  site_params(&p, s);
  pgp_i64(&p, clock_now());
  return pge_run_exec(c, SQL_SITE_UPDATE, &p, NULL);
}

int pge_site_list(pg_conn_t *c, const store_scope_t *scope, const site_filter_t *f,
                  const store_page_t *page, arena_t *a, site_t **out, size_t *n) {
  pg_params_t p = {0};
  pgp_scope(&p, scope);
  pgp_i64(&p, page->after);
  pgp_i64(&p, f ? f->crisis_id : 0);
  pgp_text(&p, f ? f->country : NULL);
  pgp_i64(&p, page->limit);
  void *items;
  int rc = run_rows(c, SQL_SITE_LIST, &p, a, sizeof(site_t), site_read, &items, n);
  if (rc == BH_OK) *out = items;
  return rc;
}

int pge_person_visible(pg_conn_t *c, const store_scope_t *scope, int64_t person_id) {
  return scoped_row(c, SQL_PERSON_VISIBLE, scope, person_id, NULL, NULL, NULL);
}

int pge_stay_open(pg_conn_t *c, int64_t person_id, int64_t *stay_id, int64_t *site_id) {
  pg_params_t p = {0};
  pgp_i64(&p, person_id);
  PGresult *res;
  int rc = pg_run_sql(c, SQL_STAY_OPEN, &p, &res);
  if (rc != BH_OK) return rc;
  if (PQntuples(res) > 0) {
    *stay_id = pg_col_i64(res, 0, 0);
    *site_id = pg_col_i64(res, 0, 1);
  } else {
    rc = BH_ERR_NOT_FOUND;
  }
  PQclear(res);
  return rc;
}

int pge_stay_insert(pg_conn_t *c, int64_t site_id, int64_t person_id, int64_t at,
                    int64_t author_id, int64_t *stay_id) {
  pg_params_t p = {0};
  pgp_i64(&p, site_id);
  pgp_i64(&p, person_id);
  pgp_i64(&p, at);
  pgp_i64_or_null(&p, author_id);
  return pge_run_scalar(c, SQL_STAY_INSERT, &p, stay_id);
}

int pge_stay_close(pg_conn_t *c, int64_t site_id, int64_t person_id, int64_t at,
                   int64_t author_id, int64_t *changes) {
  pg_params_t p = {0};
  pgp_i64(&p, site_id);
  pgp_i64(&p, person_id);
  pgp_i64(&p, at);
  pgp_i64_or_null(&p, author_id);
  return pge_run_exec(c, SQL_STAY_CLOSE, &p, changes);
}

static void stay_read(const PGresult *r, int row, arena_t *a, void *item) {
  site_stay_t *y = item;
  y->id = pg_col_i64(r, row, 0);
  y->site_id = pg_col_i64(r, row, 1);
  y->person_id = pg_col_i64(r, row, 2);
  y->full_name = pg_col_text(a, r, row, 3);
  y->status = pg_col_text(a, r, row, 4);
  y->checked_in_at = pg_col_i64(r, row, 5);
  y->checked_out_at = pg_col_i64(r, row, 6);
}

int pge_site_people(pg_conn_t *c, const store_scope_t *scope, int64_t site_id, int present_only,
                    const store_page_t *page, arena_t *a, site_stay_t **out, size_t *n) {
  pg_params_t p = {0};
  pgp_scope(&p, scope);
  pgp_i64(&p, site_id);
  pgp_i64(&p, page->after);
  pgp_i64(&p, present_only ? 1 : 0);
  pgp_i64(&p, page->limit);
  void *items;
  int rc = run_rows(c, SQL_SITE_PEOPLE, &p, a, sizeof(site_stay_t), stay_read, &items, n);
  if (rc == BH_OK) *out = items;
  return rc;
}

/* ---- transports ---- */

static void transport_read(const PGresult *r, int row, arena_t *a, void *item) {
  transport_t *t = item;
  memset(t, 0, sizeof(*t));
  t->id = pg_col_i64(r, row, 0);
  t->mode = pg_col_text(a, r, row, 1);
  t->provider = pg_col_text(a, r, row, 2);
  t->partner_country = pg_col_text(a, r, row, 3);
  t->purpose = pg_col_text(a, r, row, 4);
  t->crisis_id = pg_col_i64(r, row, 5);
  t->origin_place = pg_col_text(a, r, row, 6);
  col_country(r, row, 7, t->origin_country);
  t->destination_place = pg_col_text(a, r, row, 8);
  col_country(r, row, 9, t->destination_country);
  t->departure_at = pg_col_i64(r, row, 10);
  t->arrival_at = pg_col_i64(r, row, 11);
  t->capacity = pg_col_i64(r, row, 12);
  t->reference = pg_col_text(a, r, row, 13);
  t->seats = pg_col_json(r, row, 14);
  t->status = pg_col_text(a, r, row, 15);
  t->notes = pg_col_text(a, r, row, 16);
  t->created_by = pg_col_i64(r, row, 17);
  t->created_at = pg_col_i64(r, row, 18);
  t->updated_at = pg_col_i64(r, row, 19);
  store_evac_counts_parse(PQgetisnull(r, row, 20) ? NULL : PQgetvalue(r, row, 20),
                          (size_t)PQgetlength(r, row, 20), t->counts);
  t->by_nationality = pge_col_json_or_null(r, row, 21);
  if (t->by_nationality == NULL) t->by_nationality = json_object();
}

/* Adds the parameters of t shared by insert and update (15 of them, seats' text included). */
static void transport_params(pg_params_t *p, const transport_t *t, const char *seats) {
  pgp_text(p, t->mode);
  pgp_text(p, t->provider);
  pgp_text(p, t->partner_country);
  pgp_text(p, t->purpose);
  pgp_i64_or_null(p, t->crisis_id);
  pgp_text(p, t->origin_place);
  pgp_text(p, t->origin_country);
  pgp_text(p, t->destination_place);
  pgp_text(p, t->destination_country);
  pgp_i64(p, t->departure_at);
  pgp_i64_or_null(p, t->arrival_at);
  pgp_i64(p, t->capacity);
  pgp_text(p, t->reference);
  pgp_text(p, seats);
  pgp_text(p, t->notes);
}

int pge_transport_create(pg_conn_t *c, transport_t *t) {
  char *seats = t->seats ? json_dumps(t->seats, JSON_COMPACT) : strdup("[]");
  if (seats == NULL) return BH_ERR_NOMEM;
  t->created_at = t->updated_at = clock_now();
  t->status = "planned";
  pg_params_t p = {0};
  transport_params(&p, t, seats);
  pgp_i64_or_null(&p, t->created_by);
  pgp_i64(&p, t->created_at);
  int rc = pge_run_scalar(c, SQL_TRANSPORT_INSERT, &p, &t->id);
  free(seats);
  return rc;
}

int pge_transport_get(pg_conn_t *c, const store_scope_t *scope, int64_t id, int lock, arena_t *a,
                      transport_t *out) {
  return scoped_row(c, lock ? SQL_TRANSPORT_LOCK : SQL_TRANSPORT_GET, scope, id, a, transport_read, out);
}

int pge_transport_update(pg_conn_t *c, const store_scope_t *scope, const transport_t *t) {
  int rc = scoped_row(c, SQL_TRANSPORT_LOCK, scope, t->id, NULL, NULL, NULL);
  if (rc != BH_OK) return rc;
  char *seats = t->seats ? json_dumps(t->seats, JSON_COMPACT) : strdup("[]");
  if (seats == NULL) return BH_ERR_NOMEM;
  pg_params_t p = {0};
  pgp_i64(&p, t->id);
  transport_params(&p, t, seats);
  pgp_i64(&p, clock_now());
  rc = pge_run_exec(c, SQL_TRANSPORT_UPDATE, &p, NULL);
  free(seats);
  return rc;
}

int pge_transport_list(pg_conn_t *c, const store_scope_t *scope, const transport_filter_t *f,
                       const store_page_t *page, arena_t *a, transport_t **out, size_t *n) {
  pg_params_t p = {0};
  pgp_scope(&p, scope);
  pgp_i64(&p, page->after);
  pgp_i64(&p, f ? f->crisis_id : 0);
  pgp_text(&p, f ? f->purpose : NULL);
  pgp_text(&p, f ? f->status : NULL);
  pgp_text(&p, f ? f->country : NULL);
  pgp_i64(&p, page->limit);
  void *items;
  int rc = run_rows(c, SQL_TRANSPORT_LIST, &p, a, sizeof(transport_t), transport_read, &items, n);
  if (rc == BH_OK) *out = items;
  return rc;
}

int pge_transport_status_write(pg_conn_t *c, int64_t id, const char *status,
                               int64_t departure_at, int64_t arrival_at, int64_t now) {
  pg_params_t p = {0};
  pgp_i64(&p, id);
  pgp_text(&p, status);
  pgp_i64_or_null(&p, departure_at);
  pgp_i64_or_null(&p, arrival_at);
  pgp_i64(&p, now);
  return pge_run_exec(c, SQL_TRANSPORT_STATUS, &p, NULL);
}

int pge_seats_used(pg_conn_t *c, int64_t transport_id, int64_t *used) {
  pg_params_t p = {0};
  pgp_i64(&p, transport_id);
  return pge_run_scalar(c, SQL_SEATS_USED, &p, used);
}

int pge_seat_held(pg_conn_t *c, int64_t person_id, int64_t transport_id, int64_t crisis_id,
                  int64_t *other_id) {
  pg_params_t p = {0};
  pgp_i64(&p, person_id);
  pgp_i64(&p, transport_id);
  pgp_i64_or_null(&p, crisis_id);
  return pge_run_scalar(c, SQL_SEAT_HELD, &p, other_id);
}

int pge_booking_next(pg_conn_t *c, int64_t transport_id, int64_t *booking) {
  pg_params_t p = {0};
  pgp_i64(&p, transport_id);
  return pge_run_scalar(c, SQL_BOOKING_NEXT, &p, booking);
}

int pge_entry_insert(pg_conn_t *c, int64_t transport_id, int64_t booking, const manifest_in_t *in,
                     int64_t now, int64_t author_id, int64_t *id) {
  pg_params_t p = {0};
  pgp_i64(&p, transport_id);
  pgp_i64(&p, booking);
  pgp_i64_or_null(&p, in->person_id);
  pgp_text(&p, in->person_id ? NULL : in->full_name);
  pgp_text(&p, in->person_id ? "VN" : in->nationality);
  pgp_bytes(&p, in->document_sealed, in->document_len);
  pgp_i64(&p, now);
  pgp_i64_or_null(&p, author_id);
  return pge_run_scalar(c, SQL_ENTRY_INSERT, &p, id);
}

static void entry_read(const PGresult *r, int row, arena_t *a, void *item) {
  manifest_entry_t *e = item;
  memset(e, 0, sizeof(*e));
  e->id = pg_col_i64(r, row, 0);
  e->transport_id = pg_col_i64(r, row, 1);
  e->booking = pg_col_i64(r, row, 2);
  e->person_id = pg_col_i64(r, row, 3);
  e->full_name = pg_col_text(a, r, row, 4);
  col_country(r, row, 5, e->nationality);
  if (!PQgetisnull(r, row, 6) && PQgetlength(r, row, 6) > 0) {
    size_t len = (size_t)PQgetlength(r, row, 6);
    unsigned char *copy = arena_alloc(a, len);
    if (copy != NULL) {
      memcpy(copy, PQgetvalue(r, row, 6), len);
      e->document_sealed = copy;
      e->document_len = len;
    }
  }
  e->status = pg_col_text(a, r, row, 7);
  e->booked_at = pg_col_i64(r, row, 8);
  e->status_at = pg_col_i64(r, row, 9);
  e->booked_by = pg_col_i64(r, row, 10);
}

int pge_manifest_list(pg_conn_t *c, int64_t transport_id, const store_page_t *page, arena_t *a,
                      manifest_entry_t **out, size_t *n) {
  pg_params_t p = {0};
  pgp_i64(&p, transport_id);
  pgp_i64(&p, page->after);
  pgp_i64(&p, page->limit);
  void *items;
  int rc = run_rows(c, SQL_ENTRY_LIST, &p, a, sizeof(manifest_entry_t), entry_read, &items, n);
  if (rc == BH_OK) *out = items;
  return rc;
}

int pge_manifest_get(pg_conn_t *c, int64_t transport_id, int64_t entry_id, int lock, arena_t *a,
                     manifest_entry_t *out) {
  pg_params_t p = {0};
  pgp_i64(&p, transport_id);
  pgp_i64(&p, entry_id);
  return run_one(c, lock ? SQL_ENTRY_LOCK : SQL_ENTRY_GET, &p, a, entry_read, out);
}

int pge_entry_status_write(pg_conn_t *c, int64_t entry_id, const char *status, int64_t at) {
  pg_params_t p = {0};
  pgp_i64(&p, entry_id);
  pgp_text(&p, status);
  pgp_i64(&p, at);
  return pge_run_exec(c, SQL_ENTRY_STATUS, &p, NULL);
}

/* Reads the bigint of the first column into item (an int64_t). */
static void id_read(const PGresult *r, int row, arena_t *a, void *item) {
  (void)a;
  *(int64_t *)item = pg_col_i64(r, row, 0);
}

int pge_boarded_persons(pg_conn_t *c, int64_t transport_id, arena_t *a, int64_t **ids,
                        size_t *n) {
  pg_params_t p = {0};
  pgp_i64(&p, transport_id);
  void *items;
  int rc = run_rows(c, SQL_BOARDED_PERSONS, &p, a, sizeof(int64_t), id_read, &items, n);
  if (rc == BH_OK) *ids = items;
  return rc;
}

int pge_arrive_boarded(pg_conn_t *c, int64_t transport_id, int64_t at, int64_t *changes) {
  pg_params_t p = {0};
  pgp_i64(&p, transport_id);
  pgp_i64(&p, at);
  return pge_run_exec(c, SQL_ARRIVE_BOARDED, &p, changes);
}

int pge_presence_close(pg_conn_t *c, int64_t person_id, const char *country, const char *date,
                       int64_t now, int64_t *changes) {
  pg_params_t p = {0};
  pgp_text(&p, date);
  pgp_i64(&p, now);
  pgp_i64(&p, person_id);
  pgp_text(&p, country);
  return pge_run_exec(c, SQL_PRESENCE_CLOSE, &p, changes);
}

int pge_candidates_each(pg_conn_t *c, const store_scope_t *scope, const char *country,
                        const char *today, int64_t crisis_id, int64_t transport_id, arena_t *a,
                        evac_candidate_cb cb, void *ctx) {
  (void)a;
  pg_params_t p = {0};
  pgp_scope(&p, scope);
  pgp_text(&p, country);
  pgp_text(&p, today);
  pgp_i64_or_null(&p, crisis_id);
  pgp_i64(&p, transport_id);
  PGresult *res;
  int rc = pg_run_sql(c, SQL_CANDIDATES, &p, &res);
  if (rc != BH_OK) return rc;
  int rows = PQntuples(res);
  for (int i = 0; i < rows; i++) {
    json_t *flags = pge_col_json_or_null(res, i, 3);
#define STR(col) (PQgetisnull(res, i, (col)) ? NULL : PQgetvalue(res, i, (col)))
    evac_candidate_row_t row = {
        .person_id = pg_col_i64(res, i, 0),
        .presence_id = pg_col_i64(res, i, 1),
        .full_name = STR(2),
        .flags = flags,
        .date_of_birth = STR(4),
        .status = STR(5),
        .category = STR(6),
        .group_id = STR(7),
    };
#undef STR
    int stop = cb(ctx, &row);
    json_decref(flags);
    if (stop) break;
  }
  PQclear(res);
  return BH_OK;
}

static void figures_read(const PGresult *r, int row, arena_t *a, void *item) {
  evac_transport_figures_t *f = item;
  memset(f, 0, sizeof(*f));
  f->transport_id = pg_col_i64(r, row, 0);
  f->purpose = pg_col_text(a, r, row, 1);
  f->mode = pg_col_text(a, r, row, 2);
  f->provider = pg_col_text(a, r, row, 3);
  f->status = pg_col_text(a, r, row, 4);
  f->reference = pg_col_text(a, r, row, 5);
  f->origin_place = pg_col_text(a, r, row, 6);
  col_country(r, row, 7, f->origin_country);
  f->destination_place = pg_col_text(a, r, row, 8);
  col_country(r, row, 9, f->destination_country);
  f->departure_at = pg_col_i64(r, row, 10);
  f->arrival_at = pg_col_i64(r, row, 11);
  f->capacity = pg_col_i64(r, row, 12);
  f->booked = pg_col_i64(r, row, 13);
  f->boarded = pg_col_i64(r, row, 14);
  f->arrived = pg_col_i64(r, row, 15);
  f->no_show = pg_col_i64(r, row, 16);
  f->arrived_registered = pg_col_i64(r, row, 17);
  f->arrived_partner = pg_col_i64(r, row, 18);
}

int pge_transport_figures(pg_conn_t *c, int64_t crisis_id, arena_t *a,
                          evac_transport_figures_t **out, size_t *n) {
  pg_params_t p = {0};
  pgp_i64(&p, crisis_id);
  void *items;
  int rc = run_rows(c, SQL_FIGURES, &p, a, sizeof(evac_transport_figures_t), figures_read, &items,
                    n);
  if (rc == BH_OK) *out = items;
  return rc;
}

int pge_moved_to_safety(pg_conn_t *c, int64_t crisis_id, int64_t since, int64_t *total,
                        int64_t *since_count) {
  pg_params_t p = {0};
  pgp_i64(&p, crisis_id);
  pgp_i64(&p, since);
  PGresult *res;
  int rc = pg_run_sql(c, SQL_MOVED, &p, &res);
  if (rc != BH_OK) return rc;
  if (PQntuples(res) > 0) {
    *total = pg_col_i64(res, 0, 0);
    *since_count = pg_col_i64(res, 0, 1);
  } else {
    rc = BH_ERR_DB;
  }
  PQclear(res);
  return rc;
}
