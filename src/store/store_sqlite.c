/*
 * store_sqlite.c - the SQLite backend of the storage interface (store.h).
 *
 * One sqlite3 connection per thread (WAL mode, foreign keys on, busy timeout), every statement
 * prepared once per connection from the table below and reset after use. All SQL of baoho's
 * SQLite backend is in this file and sqlite_schema.c, always with bound parameters.
 */
#include <pthread.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/sqlite_schema.h"
#include "store/store.h"
#include "store/store_impl.h"
#include "store/store_sqlite.h"
#include "store/store_sqlite_int.h"
#include "util/clock.h"
#include "util/err.h"
#include "util/log.h"

#define STORE_MAX_CONNS 256
#define STORE_BUSY_TIMEOUT_MS 10000

/* Visibility of person p to a scope: everything, or owned by the mission, or present in its
 * jurisdiction at any time. Binds :all and :mission. */
#define SCOPE_P                                                                              \
  "(:all = 1 OR p.owner_mission_id = :mission OR EXISTS (SELECT 1 FROM presences v"          \
  " JOIN mission_countries mc ON mc.country = v.country AND mc.mission_id = :mission"        \
  " WHERE v.person_id = p.id))"
/* Optional list filters on person p. Binds :status, :country, :region, :category. */
#define FILTER_P                                                                             \
  "(:status IS NULL OR p.status = :status) AND ((:country IS NULL AND :region IS NULL AND"   \
  " :category IS NULL) OR EXISTS (SELECT 1 FROM presences f WHERE f.person_id = p.id AND"    \
  " (:country IS NULL OR f.country = :country) AND (:region IS NULL OR f.region = :region)"  \
  " AND (:category IS NULL OR f.category = :category)))"
#define PERSON_COLS                                                                          \
  "p.id, p.full_name, p.other_names, p.sex, p.dob, p.nid_enc, p.passport_enc, p.phones,"     \
  " p.emails, p.home_province, p.flags, p.contacts, p.source, p.status, p.status_at,"        \
  " p.owner_mission_id, p.created_at, p.updated_at"
/* A page of persons, all columns, for the ids an inner list query (ordered, limited) selects:
 * one statement per page instead of one more point query per person. */
#define LIST_ROWS(ids) "SELECT " PERSON_COLS " FROM persons p WHERE p.id IN (" ids ") ORDER BY p.id"
#define PRESENCE_COLS                                                                        \
  "pr.id, pr.person_id, pr.country, pr.region, pr.city, pr.address, pr.lat, pr.lon,"         \
  " pr.category, pr.organisation, pr.date_from, pr.date_until, pr.group_id, pr.created_at,"  \
  " pr.updated_at"
#define MISSION_COLS "id, kind, name, city, country, hotline, email, timezone, created_at, updated_at"
#define USER_COLS "id, email, name, role, mission_id, pwhash, disabled, created_at"

/* X(name, sql): every statement of the backend. */
#define SQ_TABLE(X)                                                                            \
  X(SQ_BEGIN, "BEGIN")                                                                         \
  X(SQ_BEGIN_WRITE, "BEGIN IMMEDIATE")                                                         \
  X(SQ_COMMIT, "COMMIT")                                                                       \
  X(SQ_ROLLBACK, "ROLLBACK")                                                                   \
  X(SQ_PING, "SELECT 1")                                                                       \
  X(SQ_SAVEPOINT, "SAVEPOINT job")                                                             \
  X(SQ_SAVEPOINT_RELEASE, "RELEASE job")                                                       \
  X(SQ_SAVEPOINT_ROLLBACK, "ROLLBACK TO job")                                                                       \
  X(SQ_VERSION, "PRAGMA user_version")                                                         \
  X(SQ_MISSION_INSERT,                                                                         \
    "INSERT INTO missions(kind, name, city, country, hotline, email, timezone, created_at,"    \
    " updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)")                                \
  X(SQ_MISSION_UPDATE,                                                                         \
    "UPDATE missions SET kind = ?2, name = ?3, city = ?4, country = ?5, hotline = ?6,"         \
    " email = ?7, timezone = ?8, updated_at = ?9 WHERE id = ?1")                               \
  X(SQ_MISSION_COUNTRY_INSERT,                                                                 \
    "INSERT OR IGNORE INTO mission_countries(mission_id, country) VALUES (?1, ?2)")            \
  X(SQ_MISSION_COUNTRY_DELETE, "DELETE FROM mission_countries WHERE mission_id = ?1")          \
  X(SQ_MISSION_COUNTRIES,                                                                      \
    "SELECT country FROM mission_countries WHERE mission_id = ?1 ORDER BY country")            \
  X(SQ_MISSION_GET, "SELECT " MISSION_COLS " FROM missions WHERE id = ?1")                     \
  X(SQ_MISSION_LIST,                                                                           \
    "SELECT " MISSION_COLS " FROM missions WHERE id > ?1 ORDER BY id LIMIT ?2")                \
  X(SQ_MISSION_FIND_NAME, "SELECT id FROM missions WHERE name = ?1")                           \
  X(SQ_USER_INSERT,                                                                            \
    "INSERT INTO users(email, name, role, mission_id, pwhash, disabled, created_at,"           \
    " updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)")                                    \
  X(SQ_USER_GET, "SELECT " USER_COLS " FROM users WHERE id = ?1")                              \
  X(SQ_USER_BY_EMAIL, "SELECT " USER_COLS " FROM users WHERE email = ?1")                      \
  X(SQ_USER_UPDATE,                                                                            \
    "UPDATE users SET name = ?2, role = ?3, mission_id = ?4, disabled = ?5, updated_at = ?6"   \
    " WHERE id = ?1")                                                                          \
  X(SQ_USER_SET_PW, "UPDATE users SET pwhash = ?2, updated_at = ?3 WHERE id = ?1")             \
  X(SQ_USER_LIST, "SELECT " USER_COLS " FROM users WHERE id > ?1 ORDER BY id LIMIT ?2")       \
  X(SQ_TOKEN_INSERT,                                                                           \
    "INSERT INTO api_tokens(user_id, token_hash, name, created_at) VALUES (?1, ?2, ?3, ?4)")   \
  X(SQ_TOKEN_LOOKUP,                                                                           \
    "SELECT t.user_id FROM api_tokens t JOIN users u ON u.id = t.user_id"                      \
    " WHERE t.token_hash = ?1 AND t.revoked_at IS NULL AND u.disabled = 0")                    \
  X(SQ_SESSION_INSERT,                                                                         \
    "INSERT INTO sessions(token_hash, user_id, created_at, last_seen, expires_at)"             \
    " VALUES (?1, ?2, ?3, ?3, ?4)")                                                            \
  X(SQ_SESSION_GET,                                                                            \
    "SELECT s.user_id, s.last_seen, s.expires_at FROM sessions s JOIN users u"                 \
    " ON u.id = s.user_id WHERE s.token_hash = ?1 AND u.disabled = 0")                         \
  X(SQ_SESSION_TOUCH, "UPDATE sessions SET last_seen = ?2 WHERE token_hash = ?1")              \
  X(SQ_SESSION_DELETE, "DELETE FROM sessions WHERE token_hash = ?1")                           \
  X(SQ_PERSON_INSERT,                                                                          \
    "INSERT INTO persons(full_name, name_key, other_names, sex, dob, nid_enc, nid_hash,"       \
    " passport_enc, passport_hash, phones, emails, home_province, flags, contacts, source,"    \
    " status, status_at, owner_mission_id, import_key, created_at, updated_at) VALUES (?1,"    \
    " ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20,"  \
    " ?20) ON CONFLICT(import_key) DO NOTHING")                                                \
  X(SQ_IMPORT_PRESENCE,                                                                        \
    "INSERT INTO presences(person_id, country, region, city, address, lat, lon, category,"     \
    " organisation, date_from, date_until, group_id, person_status, created_at, updated_at)"   \
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?14)")              \
  X(SQ_IMPORT_EMPTY, "SELECT NOT EXISTS (SELECT 1 FROM persons)")                              \
  X(SQ_IMPORT_INDEXES,                                                                         \
    "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND"        \
    " tbl_name IN ('persons', 'presences', 'status_events') ORDER BY name")                    \
  X(SQ_PERSON_BY_IMPORT_KEY, "SELECT id FROM persons WHERE import_key = ?1")                   \
  X(SQ_PERSON_GET, "SELECT " PERSON_COLS " FROM persons p WHERE p.id = :id AND " SCOPE_P)      \
  X(SQ_PERSON_NAME_KEY, "SELECT name_key FROM persons WHERE id = ?1")                          \
  X(SQ_PERSON_UPDATE,                                                                          \
    "UPDATE persons SET full_name = ?2, name_key = ?3, other_names = ?4, sex = ?5, dob = ?6,"  \
    " nid_enc = ?7, nid_hash = ?8, passport_enc = ?9, passport_hash = ?10, phones = ?11,"      \
    " emails = ?12, home_province = ?13, flags = ?14, contacts = ?15, updated_at = ?16"        \
    " WHERE id = ?1")                                                                          \
  X(SQ_NAME_ADD, "INSERT INTO person_names(rowid, name_key) VALUES (?1, ?2)")                  \
  X(SQ_NAME_DEL,                                                                               \
    "INSERT INTO person_names(person_names, rowid, name_key) VALUES ('delete', ?1, ?2)")       \
  X(SQ_LIST_NAMES,                                                                                  \
    LIST_ROWS("SELECT p.id FROM person_names n JOIN persons p ON p.id = n.rowid WHERE person_names"     \
    " MATCH :match AND n.rowid > :after AND " FILTER_P " AND " SCOPE_P " ORDER BY n.rowid"     \
    " LIMIT :limit")) \
  X(SQ_PERSON_CHECK,                                                                           \
    "SELECT 1 FROM persons p WHERE p.id = :id AND " FILTER_P " AND " SCOPE_P)                  \
  X(SQ_LIST_ALL,                                                                                  \
    LIST_ROWS("SELECT p.id FROM persons p WHERE p.id > :after AND " FILTER_P " AND " SCOPE_P             \
    " ORDER BY p.id LIMIT :limit")) \
  X(SQ_LIST_STATUS,                                                                                  \
    LIST_ROWS("SELECT p.id FROM persons p INDEXED BY persons_status WHERE p.status = :status AND"       \
    " p.id > :after AND " FILTER_P " AND " SCOPE_P " ORDER BY p.id LIMIT :limit")) \
  X(SQ_LIST_COUNTRY,                                                                                  \
    LIST_ROWS("SELECT DISTINCT pr.person_id FROM presences pr INDEXED BY presences_country"               \
    " JOIN persons p ON p.id = pr.person_id WHERE pr.country = :country AND"                   \
    " pr.person_id > :after AND " FILTER_P " AND " SCOPE_P " ORDER BY pr.person_id"            \
    " LIMIT :limit")) \
  X(SQ_LIST_COUNTRY_STATUS,                                                                                  \
    LIST_ROWS("SELECT DISTINCT pr.person_id FROM presences pr INDEXED BY presences_country_status"       \
    " JOIN persons p ON p.id = pr.person_id WHERE pr.country = :country AND"                   \
    " pr.person_status = :status AND pr.person_id > :after AND " FILTER_P " AND " SCOPE_P      \
    " ORDER BY pr.person_id LIMIT :limit")) \
  X(SQ_LIST_NUMBER,                                                                                  \
    LIST_ROWS("SELECT p.id FROM persons p WHERE (p.passport_hash = :ph OR p.nid_hash = :nh) AND"         \
    " p.id > :after AND " FILTER_P " AND " SCOPE_P " ORDER BY p.id LIMIT :limit")) \
  X(SQ_PERSON_EACH,                                                                            \
    "SELECT " PERSON_COLS " FROM persons p WHERE " SCOPE_P " ORDER BY p.id")                   \
  X(SQ_PRESENCE_LATEST,                                                                        \
    "SELECT " PRESENCE_COLS " FROM presences pr WHERE pr.person_id = ?1"                       \
    " ORDER BY pr.id DESC LIMIT 1")                                                            \
  X(SQ_STATS,                                                                                  \
    "SELECT pr.country, pr.person_status, count(DISTINCT pr.person_id) FROM presences pr"      \
    " GROUP BY pr.country, pr.person_status ORDER BY pr.country, pr.person_status")            \
  X(SQ_PRESENCE_INSERT,                                                                        \
    "INSERT INTO presences(person_id, country, region, city, address, lat, lon, category,"     \
    " organisation, date_from, date_until, group_id, person_status, created_at, updated_at)"   \
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12,"                              \
    " (SELECT status FROM persons WHERE id = ?1), ?13, ?13)")                                  \
  X(SQ_PRESENCE_GET,                                                                           \
    "SELECT " PRESENCE_COLS " FROM presences pr JOIN persons p ON p.id = pr.person_id"         \
    " WHERE pr.id = :id AND " SCOPE_P)                                                         \
  X(SQ_PRESENCE_UPDATE,                                                                        \
    "UPDATE presences SET country = ?2, region = ?3, city = ?4, address = ?5, lat = ?6,"       \
    " lon = ?7, category = ?8, organisation = ?9, date_from = ?10, date_until = ?11,"          \
    " group_id = ?12, updated_at = ?13 WHERE id = ?1")                                         \
  X(SQ_PRESENCE_LIST,                                                                          \
    "SELECT " PRESENCE_COLS " FROM presences pr WHERE pr.person_id = ?1 ORDER BY pr.id")       \
  X(SQ_STATUS_INSERT,                                                                          \
    "INSERT INTO status_events(person_id, status, at, source, author_id, note)"                \
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6)")                                                        \
  X(SQ_PERSON_SET_STATUS,                                                                      \
    "UPDATE persons SET status = ?2, status_at = ?3, updated_at = ?3 WHERE id = ?1")           \
  X(SQ_PRESENCE_SET_STATUS, "UPDATE presences SET person_status = ?2 WHERE person_id = ?1")    \
  X(SQ_STATUS_LIST,                                                                            \
    "SELECT id, person_id, status, at, source, author_id, note FROM status_events"             \
    " WHERE person_id = ?1 ORDER BY id")                                                       \
  X(SQ_REG_INSERT,                                                                             \
    "INSERT INTO registrations(token_hash, person_id, presence_id, created_at)"                \
    " VALUES (?1, ?2, ?3, ?4)")                                                                \
  X(SQ_REG_LOOKUP,                                                                             \
    "SELECT person_id, presence_id FROM registrations WHERE token_hash = ?1"                   \
    " AND closed_at IS NULL")                                                                  \
  X(SQ_REG_CLOSE,                                                                              \
    "UPDATE registrations SET closed_at = ?2 WHERE token_hash = ?1 AND closed_at IS NULL")     \
  X(SQ_AUDIT_INSERT,                                                                           \
    "INSERT INTO audit(at, user_id, action, object_kind, object_id, client, request_id,"       \
    " detail) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)")                                        \
  X(SQ_AUDIT_LIST,                                                                             \
    "SELECT id, at, user_id, action, object_kind, object_id, client, request_id, detail"       \
    " FROM audit WHERE id > ?1 AND (?2 = 0 OR user_id = ?2) AND (?3 IS NULL OR"                \
    " object_kind = ?3) AND (?4 = 0 OR object_id = ?4) ORDER BY id LIMIT ?5")

enum sq_stmt {
#define SQ_ENUM(name, sql) name,
  SQ_TABLE(SQ_ENUM)
#undef SQ_ENUM
      SQ_COUNT
};

static const char *const sq_sql[SQ_COUNT] = {
#define SQ_TEXT(name, sql) sql,
    SQ_TABLE(SQ_TEXT)
#undef SQ_TEXT
};

/* The most secondary indexes an initial load defers (see sq_import_begin). */
#define SQ_IMPORT_MAX_DEFERRED 32

struct sq_conn {
  store_conn_t handle; /* what store_conn hands out; handle.sq points back here */
  sq_store_t *store;
  sqlite3 *db;
  sqlite3_stmt *stmts[SQ_COUNT];
  int in_tx;
  int import_initial;                          /* an initial load runs on this connection */
  int import_journal;                          /* it left WAL for a rollback journal */
  char *import_deferred[SQ_IMPORT_MAX_DEFERRED]; /* CREATE INDEX texts it dropped (sqlite3_free) */
  size_t import_ndeferred;
};

struct sq_store {
  char *path;
  secret_t keys;
  enum store_sync sync;
  pthread_key_t tls;
  pthread_mutex_t lock;
  sq_conn_t *conns[STORE_MAX_CONNS];
  size_t nconns;
};

/* Returns the prepared statement id of c, preparing it on first use; NULL on failure (logged). */
static sqlite3_stmt *sq(sq_conn_t *c, enum sq_stmt id) {
  if (c->stmts[id] == NULL) {
    if (sqlite3_prepare_v3(c->db, sq_sql[id], -1, SQLITE_PREPARE_PERSISTENT, &c->stmts[id],
                           NULL) != SQLITE_OK) {
      log_error("msg=\"prepare failed\" stmt=%d err=\"%s\"", (int)id, sqlite3_errmsg(c->db));
      return NULL;
    }
  }
  return c->stmts[id];
}

/* Steps st, counting the time spent in the database. */
static int sq_step(sqlite3_stmt *st) {
  int64_t t0 = clock_mono_us();
  int rc = sqlite3_step(st);
  store_db_time_add(clock_mono_us() - t0);
  return rc;
}

/* Maps a SQLite result to a bh_err, logging unexpected failures. */
static int sq_err(sq_conn_t *c, int rc) {
  if (rc == SQLITE_OK || rc == SQLITE_DONE || rc == SQLITE_ROW) return BH_OK;
  if ((rc & 0xff) == SQLITE_CONSTRAINT) {
    /* A missing referenced row (a person, a mission) is reported as not found. */
    return sqlite3_extended_errcode(c->db) == SQLITE_CONSTRAINT_FOREIGNKEY ? BH_ERR_NOT_FOUND
                                                                            : BH_ERR_CONFLICT;
  }
  if ((rc & 0xff) == SQLITE_BUSY) return BH_ERR_UNAVAILABLE;
  log_error("msg=\"sqlite error\" code=%d err=\"%s\"", rc, sqlite3_errmsg(c->db));
  return BH_ERR_DB;
}

/* Runs a statement that returns no rows, then resets it. */
static int sq_exec(sq_conn_t *c, sqlite3_stmt *st) {
  int rc = sq_step(st);
  int err = rc == SQLITE_DONE ? BH_OK : sq_err(c, rc);
  sqlite3_reset(st);
  sqlite3_clear_bindings(st);
  return err;
}

static void sq_done(sqlite3_stmt *st) {
  sqlite3_reset(st);
  sqlite3_clear_bindings(st);
}

static void bind_text(sqlite3_stmt *st, int i, const char *s) {
  if (s == NULL) {
    sqlite3_bind_null(st, i);
  } else {
    sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
  }
}

static void bind_int_or_null(sqlite3_stmt *st, int i, int64_t v) {
  if (v == 0) {
    sqlite3_bind_null(st, i);
  } else {
    sqlite3_bind_int64(st, i, v);
  }
}

static int named(sqlite3_stmt *st, const char *name) { return sqlite3_bind_parameter_index(st, name); }

static void bind_named_text(sqlite3_stmt *st, const char *name, const char *s) {
  int i = named(st, name);
  if (i > 0) bind_text(st, i, s);
}

static void bind_scope(sqlite3_stmt *st, const store_scope_t *scope) {
  sqlite3_bind_int(st, named(st, ":all"), scope->all ? 1 : 0);
  sqlite3_bind_int64(st, named(st, ":mission"), scope->mission_id);
}

static void bind_filter(sqlite3_stmt *st, const person_filter_t *f) {
  bind_named_text(st, ":status", f ? f->status : NULL);
  bind_named_text(st, ":country", f ? f->country : NULL);
  bind_named_text(st, ":region", f ? f->region : NULL);
  bind_named_text(st, ":category", f ? f->category : NULL);
}

static const char *col_text(arena_t *a, sqlite3_stmt *st, int i) {
  const unsigned char *s = sqlite3_column_text(st, i);
  if (s == NULL) return NULL;
  return arena_strndup(a, (const char *)s, (size_t)sqlite3_column_bytes(st, i));
}

static json_t *col_json(sqlite3_stmt *st, int i) {
  const char *s = (const char *)sqlite3_column_text(st, i);
  size_t len = (size_t)sqlite3_column_bytes(st, i);
  /* Most list columns are empty: no parser for those. */
  if (s == NULL || (len == 2 && s[0] == '[' && s[1] == ']')) return json_array();
  json_t *j = json_loadb(s, len, 0, NULL);
  return j ? j : json_array();
}

/* Serialises j for a TEXT column; the result is malloc'd (free it) and "[]" for NULL. */
static char *json_text(const json_t *j) {
  if (j == NULL || (json_is_array(j) && json_array_size(j) == 0)) return strdup("[]");
  return json_dumps(j, JSON_COMPACT);
}

/* Opens a sealed identifier column into the arena; NULL if absent or unreadable. */
static const char *col_sealed(sq_conn_t *c, arena_t *a, sqlite3_stmt *st, int i) {
  const unsigned char *blob = sqlite3_column_blob(st, i);
  int len = sqlite3_column_bytes(st, i);
  if (blob == NULL || len < SECRET_SEAL_OVERHEAD) return NULL;
  char *out = arena_alloc(a, (size_t)len - SECRET_SEAL_OVERHEAD + 1);
  if (out == NULL) return NULL;
  if (secret_open(&c->store->keys, blob, (size_t)len, out) != BH_OK) {
    log_error("msg=\"sealed column failed to open\"");
    return NULL;
  }
  out[len - SECRET_SEAL_OVERHEAD] = '\0';
  return out;
}

/* Seals an identifier and computes its lookup hash; binds both (NULL when absent). */
static int bind_identifier(sq_conn_t *c, sqlite3_stmt *st, int i_enc, int i_hash,
                           const char *kind, const char *value, unsigned char *sealed,
                           unsigned char *hash) {
  if (value == NULL || value[0] == '\0') {
    sqlite3_bind_null(st, i_enc);
    sqlite3_bind_null(st, i_hash);
    return BH_OK;
  }
  char canon[MODEL_NUMBER_MAX + 1];
  if (secret_canon_number(value, canon, sizeof(canon)) != BH_OK) return BH_ERR_INVALID;
  size_t len = strlen(canon);
  secret_seal(&c->store->keys, canon, len, sealed);
  secret_index(&c->store->keys, kind, canon, hash);
  sqlite3_bind_blob(st, i_enc, sealed, (int)(len + SECRET_SEAL_OVERHEAD), SQLITE_STATIC);
  sqlite3_bind_blob(st, i_hash, hash, SECRET_INDEX_BYTES, SQLITE_STATIC);
  return BH_OK;
}

/* ---- transactions ---- */

static int sq_simple(sq_conn_t *c, enum sq_stmt id) {
  sqlite3_stmt *st = sq(c, id);
  if (st == NULL) return BH_ERR_DB;
  return sq_exec(c, st);
}

int sq_begin(sq_conn_t *c) {
  int rc = sq_simple(c, SQ_BEGIN);
  if (rc == BH_OK) c->in_tx = 1;
  return rc;
}

int sq_begin_write(sq_conn_t *c) {
  int rc = sq_simple(c, SQ_BEGIN_WRITE);
  if (rc == BH_OK) c->in_tx = 1;
  return rc;
}

int sq_commit(sq_conn_t *c) {
  int rc = sq_simple(c, SQ_COMMIT);
  if (rc == BH_OK) c->in_tx = 0;
  return rc;
}

int sq_rollback(sq_conn_t *c) {
  if (!c->in_tx) return BH_OK;
  int rc = sq_simple(c, SQ_ROLLBACK);
  c->in_tx = 0;
  return rc;
}

/* Starts a write transaction unless the caller already holds one; *owned says which. */
static int tx_enter(sq_conn_t *c, int *owned) {
  *owned = 0;
  if (c->in_tx) return BH_OK;
  int rc = sq_begin_write(c);
  if (rc == BH_OK) *owned = 1;
  return rc;
}

/* Ends what tx_enter started: commit on success, rollback on failure. Returns the final code. */
static int tx_leave(sq_conn_t *c, int owned, int rc) {
  if (!owned) return rc;
  if (rc == BH_OK) return sq_commit(c);
  sq_rollback(c);
  return rc;
}

int sq_savepoint(sq_conn_t *c) { return sq_simple(c, SQ_SAVEPOINT); }

int sq_savepoint_release(sq_conn_t *c) { return sq_simple(c, SQ_SAVEPOINT_RELEASE); }

int sq_savepoint_rollback(sq_conn_t *c) {
  int rc = sq_simple(c, SQ_SAVEPOINT_ROLLBACK);
  if (rc == BH_OK) rc = sq_simple(c, SQ_SAVEPOINT_RELEASE);
  return rc;
}

/* The page cache of a bulk load: big enough to hold the random-key indexes of millions of rows. */
#define STORE_BULK_CACHE "PRAGMA cache_size=-524288"
#define STORE_CACHE "PRAGMA cache_size=-32768"
/* No memory-mapped I/O (see sq_pragmas). */
#define STORE_MMAP "PRAGMA mmap_size=0"
/* The page cache of an initial load (see sq_import_begin). */
#define STORE_LOAD_CACHE "PRAGMA cache_size=-131072"

/* ---- import ---- */

static void presence_bind(sqlite3_stmt *st, int first, const presence_t *p);

/* Sets the journal mode (a PRAGMA that answers with the mode in force); 1 if it took effect. */
static int import_journal(sq_conn_t *c, const char *pragma, const char *want) {
  sqlite3_stmt *st = NULL;
  int ok = 0;
  if (sqlite3_prepare_v2(c->db, pragma, -1, &st, NULL) == SQLITE_OK &&
      sqlite3_step(st) == SQLITE_ROW) {
    const char *mode = (const char *)sqlite3_column_text(st, 0);
    ok = mode != NULL && strcmp(mode, want) == 0;
  }
  sqlite3_finalize(st);
  return ok;
}

/* Restores what sq_import_begin changed for the load: durability and cache size. */
static void import_settings_restore(sq_conn_t *c) {
  if (c->import_journal) {
    if (!import_journal(c, "PRAGMA journal_mode=WAL", "wal")) {
      log_error("msg=\"database left in rollback-journal mode; the next open restores WAL\"");
    }
    c->import_journal = 0;
  }
  const char *sync = c->store->sync == STORE_SYNC_FULL     ? "PRAGMA synchronous=FULL"
                     : c->store->sync == STORE_SYNC_NORMAL ? "PRAGMA synchronous=NORMAL"
                                                           : "PRAGMA synchronous=OFF";
  sqlite3_exec(c->db, sync, NULL, NULL, NULL);
  sqlite3_exec(c->db, STORE_CACHE, NULL, NULL, NULL);
}

static void import_deferred_free(sq_conn_t *c) {
  for (size_t i = 0; i < c->import_ndeferred; i++) sqlite3_free(c->import_deferred[i]);
  c->import_ndeferred = 0;
  c->import_initial = 0;
}

/*
 * Drops the secondary indexes of the person tables inside the load's transaction, keeping their
 * CREATE texts (taken verbatim from the schema, so whatever the migrations made is rebuilt) to
 * run at the end: building an index from sorted rows is many times cheaper than a million
 * random inserts. Other connections never see the database without them, since the drop and the
 * rebuild commit together. UNIQUE constraints (import_key) have no text and stay.
 */
static int import_defer_indexes(sq_conn_t *c) {
  sqlite3_stmt *st = sq(c, SQ_IMPORT_INDEXES);
  if (st == NULL) return BH_ERR_DB;
  char *names[SQ_IMPORT_MAX_DEFERRED];
  size_t n = 0;
  int rc;
  while ((rc = sq_step(st)) == SQLITE_ROW && n < SQ_IMPORT_MAX_DEFERRED) {
    names[n] = sqlite3_mprintf("DROP INDEX \"%w\"", (const char *)sqlite3_column_text(st, 0));
    c->import_deferred[n] = sqlite3_mprintf("%s", (const char *)sqlite3_column_text(st, 1));
    n++;
  }
  c->import_ndeferred = n;
  sq_done(st);
  int err = rc == SQLITE_DONE || rc == SQLITE_ROW ? BH_OK : sq_err(c, rc);
  for (size_t i = 0; i < n; i++) {
    if (err == BH_OK && (names[i] == NULL || c->import_deferred[i] == NULL)) err = BH_ERR_NOMEM;
    if (err == BH_OK && sqlite3_exec(c->db, names[i], NULL, NULL, NULL) != SQLITE_OK) {
      err = sq_err(c, sqlite3_errcode(c->db));
    }
    sqlite3_free(names[i]);
  }
  /* Statements prepared against the old schema are recompiled by SQLite on their next use. */
  return err;
}

/* Whether the registry holds no person yet. */
static int import_registry_empty(sq_conn_t *c, int *empty) {
  sqlite3_stmt *st = sq(c, SQ_IMPORT_EMPTY);
  if (st == NULL) return BH_ERR_DB;
  int step = sq_step(st);
  *empty = step == SQLITE_ROW && sqlite3_column_int(st, 0) == 1;
  sq_done(st);
  return step == SQLITE_ROW ? BH_OK : sq_err(c, step);
}

/*
 * An initial load (no person stored yet) runs as one transaction in a rollback journal instead
 * of the WAL: SQLite journals only pages that existed before the transaction, so the load is
 * written once, not to the WAL and again by the checkpoint. The switch needs the database to
 * itself; with another connection open (a running server) it does not happen and the load goes
 * through the WAL. Durability: synchronous=NORMAL syncs the (small) journal before any page of
 * the old database is overwritten, so a crash or power loss during the load leaves a hot journal
 * that the next open rolls back to the state before the import (which may simply be run again:
 * the import is idempotent); sq_pragmas then puts the database back in WAL mode.
 */
int sq_import_begin(sq_conn_t *c, int *initial) {
  *initial = 0;
  int empty = 0;
  int rc = import_registry_empty(c, &empty);
  if (rc != BH_OK) return rc;
  c->import_journal = empty && import_journal(c, "PRAGMA journal_mode=TRUNCATE", "truncate");
  /* A load into an empty registry appends; beyond the random import-key index a bigger cache
   * only costs page faults (measured: 512 MB of cache was slower than 128 MB). */
  sqlite3_exec(c->db, empty ? STORE_LOAD_CACHE : STORE_BULK_CACHE, NULL, NULL, NULL);
  sqlite3_exec(c->db, c->import_journal ? "PRAGMA synchronous=NORMAL" : "PRAGMA synchronous=OFF",
               NULL, NULL, NULL);
  rc = sq_begin_write(c);
  if (rc != BH_OK) {
    import_settings_restore(c);
    return rc;
  }
  /* Asked again inside the transaction: another writer may have come first. */
  rc = import_registry_empty(c, &empty);
  if (rc == BH_OK && empty) {
    c->import_initial = 1;
    rc = import_defer_indexes(c);
  }
  if (rc != BH_OK) {
    sq_rollback(c);
    import_deferred_free(c);
    import_settings_restore(c);
    return rc;
  }
  *initial = c->import_initial;
  return BH_OK;
}

int sq_import_add(sq_conn_t *c, store_import_row_t *row) {
  person_t *p = row->p;
  sqlite3_stmt *st = sq(c, SQ_PERSON_INSERT);
  sqlite3_stmt *names = sq(c, SQ_NAME_ADD);
  sqlite3_stmt *pst = sq(c, SQ_IMPORT_PRESENCE);
  sqlite3_stmt *ev = sq(c, SQ_STATUS_INSERT);
  if (st == NULL || names == NULL || pst == NULL || ev == NULL) return BH_ERR_DB;
  int64_t now = clock_now();
  if (p->created_at == 0) p->created_at = now;
  p->updated_at = p->created_at;
  if (p->status == NULL) p->status = "unknown";
  if (p->status_at == 0) p->status_at = p->created_at;
  bind_text(st, 1, p->full_name);
  bind_text(st, 2, row->name_key);
  bind_text(st, 3, row->other_names);
  bind_text(st, 4, p->sex);
  bind_text(st, 5, p->date_of_birth);
  if (row->nid_len > 0) {
    sqlite3_bind_blob(st, 6, row->nid_sealed, (int)row->nid_len, SQLITE_STATIC);
    sqlite3_bind_blob(st, 7, row->nid_hash, SECRET_INDEX_BYTES, SQLITE_STATIC);
  }
  if (row->pp_len > 0) {
    sqlite3_bind_blob(st, 8, row->pp_sealed, (int)row->pp_len, SQLITE_STATIC);
    sqlite3_bind_blob(st, 9, row->pp_hash, SECRET_INDEX_BYTES, SQLITE_STATIC);
  }
  bind_text(st, 10, row->phones);
  bind_text(st, 11, row->emails);
  bind_text(st, 12, p->home_province);
  bind_text(st, 13, row->flags);
  bind_text(st, 14, row->contacts);
  bind_text(st, 15, p->source);
  bind_text(st, 16, p->status);
  sqlite3_bind_int64(st, 17, p->status_at);
  bind_int_or_null(st, 18, p->owner_mission_id);
  sqlite3_bind_blob(st, 19, p->import_key, SECRET_INDEX_BYTES, SQLITE_STATIC);
  sqlite3_bind_int64(st, 20, p->created_at);
  int rc = sq_exec(c, st);
  if (rc != BH_OK) return rc;
  if (sqlite3_changes(c->db) == 0) return BH_ERR_CONFLICT; /* imported before */
  p->id = sqlite3_last_insert_rowid(c->db);
  if (row->name_key[0] != '\0') {
    sqlite3_bind_int64(names, 1, p->id);
    bind_text(names, 2, row->name_key);
    rc = sq_exec(c, names);
    if (rc != BH_OK) return rc;
  }
  presence_t *pr = row->pr;
  if (pr != NULL) {
    /* The person is new, so the current status is the one it was stored with. */
    pr->person_id = p->id;
    pr->created_at = pr->updated_at = p->created_at;
    sqlite3_bind_int64(pst, 1, pr->person_id);
    presence_bind(pst, 2, pr);
    bind_text(pst, 13, p->status);
    sqlite3_bind_int64(pst, 14, pr->created_at);
    rc = sq_exec(c, pst);
    if (rc != BH_OK) return rc;
    pr->id = sqlite3_last_insert_rowid(c->db);
  }
  if (strcmp(p->status, "unknown") != 0) {
    sqlite3_bind_int64(ev, 1, p->id);
    bind_text(ev, 2, p->status);
    sqlite3_bind_int64(ev, 3, p->status_at);
    bind_text(ev, 4, "import");
    sqlite3_bind_null(ev, 5);
    sqlite3_bind_null(ev, 6);
    rc = sq_exec(c, ev);
  }
  return rc;
}

int sq_import_batch(sq_conn_t *c) {
  if (c->import_initial) return BH_OK;
  int rc = sq_commit(c);
  if (rc == BH_OK) rc = sq_begin_write(c);
  return rc;
}

int sq_import_end(sq_conn_t *c, int ok) {
  int rc = BH_OK;
  if (c->import_initial && !ok) {
    rc = sq_rollback(c);
  } else {
    for (size_t i = 0; i < c->import_ndeferred && rc == BH_OK; i++) {
      if (sqlite3_exec(c->db, c->import_deferred[i], NULL, NULL, NULL) != SQLITE_OK) {
        rc = sq_err(c, sqlite3_errcode(c->db));
      }
    }
    rc = rc == BH_OK ? sq_commit(c) : (sq_rollback(c), rc);
  }
  import_deferred_free(c);
  import_settings_restore(c);
  /* Copy the load into the database file and give the WAL's space back. */
  if (rc == BH_OK) sqlite3_wal_checkpoint_v2(c->db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
  return rc;
}

/* ---- open, migrate, close ---- */

static int sq_pragmas(sqlite3 *db, enum store_sync sync) {
  /* No memory map: in WAL mode SQLite unmaps the whole file whenever another connection has
   * committed (the audit writer does, all the time), so every read would fault its page in
   * again; measured 4.5 ms of CPU per filtered list with the map against 1.5 ms without. */
  static const char *const base =
      "PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON; PRAGMA temp_store=MEMORY;"
      " " STORE_CACHE "; " STORE_MMAP ";";
  const char *s = sync == STORE_SYNC_FULL     ? "PRAGMA synchronous=FULL"
                  : sync == STORE_SYNC_NORMAL ? "PRAGMA synchronous=NORMAL"
                                              : "PRAGMA synchronous=OFF";
  if (sqlite3_exec(db, base, NULL, NULL, NULL) != SQLITE_OK) return BH_ERR_DB;
  if (sqlite3_exec(db, s, NULL, NULL, NULL) != SQLITE_OK) return BH_ERR_DB;
  return BH_OK;
}

static int conn_open(sq_store_t *s, sq_conn_t **out) {
  sq_conn_t *c = calloc(1, sizeof(*c));
  if (c == NULL) return BH_ERR_NOMEM;
  c->store = s;
  c->handle.sq = c;
  int rc = sqlite3_open_v2(s->path, &c->db,
                           SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
  if (rc != SQLITE_OK) {
    fprintf(stderr, "baoho: cannot open database %s: %s\n", s->path,
            c->db ? sqlite3_errmsg(c->db) : "out of memory");
    sqlite3_close(c->db);
    free(c);
    return BH_ERR_IO;
  }
  sqlite3_busy_timeout(c->db, STORE_BUSY_TIMEOUT_MS);
  if (sq_pragmas(c->db, s->sync) != BH_OK) {
    fprintf(stderr, "baoho: cannot configure database %s: %s\n", s->path, sqlite3_errmsg(c->db));
    sqlite3_close(c->db);
    free(c);
    return BH_ERR_DB;
  }
  *out = c;
  return BH_OK;
}

static void conn_close(sq_conn_t *c) {
  if (c == NULL) return;
  for (int i = 0; i < SQ_COUNT; i++) sqlite3_finalize(c->stmts[i]);
  sq_stmt_cache_drop(c);
  sqlite3_close(c->db);
  free(c);
}

static int sq_migrate(sq_conn_t *c) {
  int version = 0;
  int rc = sq_schema_version(c, &version);
  if (rc != BH_OK) return rc;
  size_t want = sqlite_schema_count();
  if ((size_t)version > want) {
    fprintf(stderr, "baoho: database schema %d is newer than this baoho (%zu)\n", version, want);
    return BH_ERR_DB;
  }
  for (size_t v = (size_t)version + 1; v <= want; v++) {
    char *err = NULL;
    char pragma[64];
    snprintf(pragma, sizeof(pragma), "PRAGMA user_version=%zu", v);
    if (sqlite3_exec(c->db, "BEGIN IMMEDIATE", NULL, NULL, &err) != SQLITE_OK ||
        sqlite3_exec(c->db, sqlite_schema_migration(v), NULL, NULL, &err) != SQLITE_OK ||
        sqlite3_exec(c->db, pragma, NULL, NULL, &err) != SQLITE_OK ||
        sqlite3_exec(c->db, "COMMIT", NULL, NULL, &err) != SQLITE_OK) {
      fprintf(stderr, "baoho: migration %zu failed: %s\n", v, err ? err : "?");
      sqlite3_free(err);
      sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
      return BH_ERR_DB;
    }
    log_info("msg=\"migration applied\" version=%zu", v);
  }
  return BH_OK;
}

int sq_open(const char *url, const secret_t *keys, enum store_sync sync, sq_store_t **out) {
  sq_store_t *s = calloc(1, sizeof(*s));
  if (s == NULL) return BH_ERR_NOMEM;
  s->path = strdup(url);
  s->keys = *keys;
  s->sync = sync;
  pthread_mutex_init(&s->lock, NULL);
  pthread_key_create(&s->tls, NULL);
  sq_conn_t *c = sq_conn(s);
  int rc = c ? sq_migrate(c) : BH_ERR_IO;
  if (rc != BH_OK) {
    sq_close(s);
    return rc;
  }
  *out = s;
  return BH_OK;
}

void sq_close(sq_store_t *s) {
  if (s == NULL) return;
  for (size_t i = 0; i < s->nconns; i++) conn_close(s->conns[i]);
  pthread_key_delete(s->tls);
  pthread_mutex_destroy(&s->lock);
  free(s->path);
  free(s);
}

store_conn_t *sq_conn_handle(sq_conn_t *c) { return &c->handle; }

sq_conn_t *sq_conn(sq_store_t *s) {
  sq_conn_t *c = pthread_getspecific(s->tls);
  if (c != NULL) return c;
  pthread_mutex_lock(&s->lock);
  if (s->nconns < STORE_MAX_CONNS && conn_open(s, &c) == BH_OK) {
    s->conns[s->nconns++] = c;
    pthread_setspecific(s->tls, c);
  } else {
    c = NULL;
    log_error("msg=\"no database connection for thread\"");
  }
  pthread_mutex_unlock(&s->lock);
  return c;
}

int sq_schema_version(sq_conn_t *c, int *version) {
  sqlite3_stmt *st = sq(c, SQ_VERSION);
  if (st == NULL) return BH_ERR_DB;
  int rc = sq_step(st);
  *version = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
  sq_done(st);
  return rc == SQLITE_ROW ? BH_OK : sq_err(c, rc);
}

int sq_ping(sq_conn_t *c) {
  sqlite3_stmt *st = sq(c, SQ_PING);
  if (st == NULL) return BH_ERR_DB;
  int rc = sq_step(st);
  sq_done(st);
  return rc == SQLITE_ROW ? BH_OK : sq_err(c, rc);
}

/* ---- missions ---- */

static int mission_countries_write(sq_conn_t *c, int64_t id, const json_t *jur) {
  sqlite3_stmt *del = sq(c, SQ_MISSION_COUNTRY_DELETE);
  sqlite3_stmt *ins = sq(c, SQ_MISSION_COUNTRY_INSERT);
  if (del == NULL || ins == NULL) return BH_ERR_DB;
  sqlite3_bind_int64(del, 1, id);
  int rc = sq_exec(c, del);
  size_t i;
  json_t *v;
  json_array_foreach(jur, i, v) {
    if (rc != BH_OK) break;
    sqlite3_bind_int64(ins, 1, id);
    bind_text(ins, 2, json_string_value(v));
    rc = sq_exec(c, ins);
  }
  return rc;
}

static void mission_bind(sqlite3_stmt *st, int first, const mission_t *m) {
  bind_text(st, first, m->kind);
  bind_text(st, first + 1, m->name);
  bind_text(st, first + 2, m->city);
  bind_text(st, first + 3, m->country);
  bind_text(st, first + 4, m->hotline);
  bind_text(st, first + 5, m->email);
  bind_text(st, first + 6, m->timezone);
}

int sq_mission_create(sq_conn_t *c, mission_t *m) {
  int owned, rc = tx_enter(c, &owned);
  if (rc != BH_OK) return rc;
  sqlite3_stmt *st = sq(c, SQ_MISSION_INSERT);
  if (st == NULL) {
    rc = BH_ERR_DB;
    goto out;
  }
  m->created_at = m->updated_at = clock_now();
  mission_bind(st, 1, m);
  sqlite3_bind_int64(st, 8, m->created_at);
  rc = sq_exec(c, st);
  if (rc != BH_OK) goto out;
  m->id = sqlite3_last_insert_rowid(c->db);
  rc = mission_countries_write(c, m->id, m->jurisdiction);
out:
  return tx_leave(c, owned, rc);
}

int sq_mission_update(sq_conn_t *c, const mission_t *m) {
  int owned, rc = tx_enter(c, &owned);
  if (rc != BH_OK) return rc;
  sqlite3_stmt *st = sq(c, SQ_MISSION_UPDATE);
  if (st == NULL) {
    rc = BH_ERR_DB;
    goto out;
  }
  sqlite3_bind_int64(st, 1, m->id);
  mission_bind(st, 2, m);
  sqlite3_bind_int64(st, 9, clock_now());
  rc = sq_exec(c, st);
  if (rc == BH_OK && sqlite3_changes(c->db) == 0) rc = BH_ERR_NOT_FOUND;
  if (rc == BH_OK) rc = mission_countries_write(c, m->id, m->jurisdiction);
out:
  return tx_leave(c, owned, rc);
}

static int mission_read(sq_conn_t *c, sqlite3_stmt *st, arena_t *a, mission_t *m) {
  memset(m, 0, sizeof(*m));
  m->id = sqlite3_column_int64(st, 0);
  m->kind = col_text(a, st, 1);
  m->name = col_text(a, st, 2);
  m->city = col_text(a, st, 3);
  const char *country = (const char *)sqlite3_column_text(st, 4);
  if (country) snprintf(m->country, sizeof(m->country), "%s", country);
  m->hotline = col_text(a, st, 5);
  m->email = col_text(a, st, 6);
  m->timezone = col_text(a, st, 7);
  m->created_at = sqlite3_column_int64(st, 8);
  m->updated_at = sqlite3_column_int64(st, 9);
  m->jurisdiction = json_array();
  sqlite3_stmt *jc = sq(c, SQ_MISSION_COUNTRIES);
  if (jc == NULL || m->jurisdiction == NULL) return BH_ERR_DB;
  sqlite3_bind_int64(jc, 1, m->id);
  int rc;
  while ((rc = sq_step(jc)) == SQLITE_ROW) {
    json_array_append_new(m->jurisdiction, json_string((const char *)sqlite3_column_text(jc, 0)));
  }
  sq_done(jc);
  return rc == SQLITE_DONE ? BH_OK : sq_err(c, rc);
}

int sq_mission_get(sq_conn_t *c, int64_t id, arena_t *a, mission_t *out) {
  sqlite3_stmt *st = sq(c, SQ_MISSION_GET);
  if (st == NULL) return BH_ERR_DB;
  sqlite3_bind_int64(st, 1, id);
  int rc = sq_step(st);
  int err = rc == SQLITE_ROW ? BH_OK : rc == SQLITE_DONE ? BH_ERR_NOT_FOUND : sq_err(c, rc);
  mission_t m;
  if (err == BH_OK) {
    /* Copy the row before the nested jurisdiction query reuses the connection. */
    err = mission_read(c, st, a, &m);
    if (err == BH_OK) *out = m;
  }
  sq_done(st);
  return err;
}

int sq_mission_list(sq_conn_t *c, const store_page_t *page, arena_t *a, mission_t **out,
                        size_t *n) {
  sqlite3_stmt *st = sq(c, SQ_MISSION_LIST);
  if (st == NULL) return BH_ERR_DB;
  mission_t *items = arena_calloc(a, sizeof(*items) * (size_t)page->limit);
  if (items == NULL) return BH_ERR_NOMEM;
  sqlite3_bind_int64(st, 1, page->after);
  sqlite3_bind_int(st, 2, page->limit);
  size_t k = 0;
  int rc, err = BH_OK;
  while (err == BH_OK && (rc = sq_step(st)) == SQLITE_ROW) {
    err = mission_read(c, st, a, &items[k]);
    if (err == BH_OK) k++;
  }
  sq_done(st);
  *out = items;
  *n = k;
  return err;
}

int sq_mission_find_name(sq_conn_t *c, const char *name, int64_t *id) {
  sqlite3_stmt *st = sq(c, SQ_MISSION_FIND_NAME);
  if (st == NULL) return BH_ERR_DB;
  bind_text(st, 1, name);
  int rc = sq_step(st);
  if (rc == SQLITE_ROW) *id = sqlite3_column_int64(st, 0);
  sq_done(st);
  return rc == SQLITE_ROW ? BH_OK : rc == SQLITE_DONE ? BH_ERR_NOT_FOUND : sq_err(c, rc);
}

/* ---- users and credentials ---- */

static void user_read(sqlite3_stmt *st, arena_t *a, user_t *u) {
  memset(u, 0, sizeof(*u));
  u->id = sqlite3_column_int64(st, 0);
  u->email = col_text(a, st, 1);
  u->name = col_text(a, st, 2);
  u->role = sqlite3_column_int(st, 3);
  u->mission_id = sqlite3_column_int64(st, 4);
  u->pwhash = col_text(a, st, 5);
  u->disabled = sqlite3_column_int(st, 6);
  u->created_at = sqlite3_column_int64(st, 7);
}

int sq_user_create(sq_conn_t *c, user_t *u) {
  sqlite3_stmt *st = sq(c, SQ_USER_INSERT);
  if (st == NULL) return BH_ERR_DB;
  u->created_at = clock_now();
  bind_text(st, 1, u->email);
  bind_text(st, 2, u->name);
  sqlite3_bind_int(st, 3, u->role);
  bind_int_or_null(st, 4, u->mission_id);
  bind_text(st, 5, u->pwhash);
  sqlite3_bind_int(st, 6, u->disabled);
  sqlite3_bind_int64(st, 7, u->created_at);
  int rc = sq_exec(c, st);
  if (rc == BH_OK) u->id = sqlite3_last_insert_rowid(c->db);
  return rc;
}

static int user_fetch(sq_conn_t *c, sqlite3_stmt *st, arena_t *a, user_t *out) {
  int rc = sq_step(st);
  if (rc == SQLITE_ROW) user_read(st, a, out);
  sq_done(st);
  return rc == SQLITE_ROW ? BH_OK : rc == SQLITE_DONE ? BH_ERR_NOT_FOUND : sq_err(c, rc);
}

int sq_user_get(sq_conn_t *c, int64_t id, arena_t *a, user_t *out) {
  sqlite3_stmt *st = sq(c, SQ_USER_GET);
  if (st == NULL) return BH_ERR_DB;
  sqlite3_bind_int64(st, 1, id);
  return user_fetch(c, st, a, out);
}

int sq_user_by_email(sq_conn_t *c, const char *email, arena_t *a, user_t *out) {
  sqlite3_stmt *st = sq(c, SQ_USER_BY_EMAIL);
  if (st == NULL) return BH_ERR_DB;
  bind_text(st, 1, email);
  return user_fetch(c, st, a, out);
}

int sq_user_update(sq_conn_t *c, const user_t *u) {
  sqlite3_stmt *st = sq(c, SQ_USER_UPDATE);
  if (st == NULL) return BH_ERR_DB;
  sqlite3_bind_int64(st, 1, u->id);
  bind_text(st, 2, u->name);
  sqlite3_bind_int(st, 3, u->role);
  bind_int_or_null(st, 4, u->mission_id);
  sqlite3_bind_int(st, 5, u->disabled);
  sqlite3_bind_int64(st, 6, clock_now());
  int rc = sq_exec(c, st);
  if (rc == BH_OK && sqlite3_changes(c->db) == 0) rc = BH_ERR_NOT_FOUND;
  return rc;
}

int sq_user_set_password(sq_conn_t *c, int64_t id, const char *pwhash) {
  sqlite3_stmt *st = sq(c, SQ_USER_SET_PW);
  if (st == NULL) return BH_ERR_DB;
  sqlite3_bind_int64(st, 1, id);
  bind_text(st, 2, pwhash);
  sqlite3_bind_int64(st, 3, clock_now());
  int rc = sq_exec(c, st);
  if (rc == BH_OK && sqlite3_changes(c->db) == 0) rc = BH_ERR_NOT_FOUND;
  return rc;
}

int sq_user_list(sq_conn_t *c, const store_page_t *page, arena_t *a, user_t **out,
                    size_t *n) {
  sqlite3_stmt *st = sq(c, SQ_USER_LIST);
  if (st == NULL) return BH_ERR_DB;
  user_t *items = arena_calloc(a, sizeof(*items) * (size_t)page->limit);
  if (items == NULL) return BH_ERR_NOMEM;
  sqlite3_bind_int64(st, 1, page->after);
  sqlite3_bind_int(st, 2, page->limit);
  size_t k = 0;
  int rc;
  while ((rc = sq_step(st)) == SQLITE_ROW) user_read(st, a, &items[k++]);
  sq_done(st);
  *out = items;
  *n = k;
  return rc == SQLITE_DONE ? BH_OK : sq_err(c, rc);
}

int sq_token_create(sq_conn_t *c, int64_t user_id, const unsigned char *hash,
                       const char *name, int64_t *id) {
  sqlite3_stmt *st = sq(c, SQ_TOKEN_INSERT);
  if (st == NULL) return BH_ERR_DB;
  sqlite3_bind_int64(st, 1, user_id);
  sqlite3_bind_blob(st, 2, hash, SECRET_TOKEN_HASH_BYTES, SQLITE_STATIC);
  bind_text(st, 3, name);
  sqlite3_bind_int64(st, 4, clock_now());
  int rc = sq_exec(c, st);
  if (rc == BH_OK) *id = sqlite3_last_insert_rowid(c->db);
  return rc;
}

int sq_token_lookup(sq_conn_t *c, const unsigned char *hash, int64_t *user_id) {
  sqlite3_stmt *st = sq(c, SQ_TOKEN_LOOKUP);
  if (st == NULL) return BH_ERR_DB;
  sqlite3_bind_blob(st, 1, hash, SECRET_TOKEN_HASH_BYTES, SQLITE_STATIC);
  int rc = sq_step(st);
  if (rc == SQLITE_ROW) *user_id = sqlite3_column_int64(st, 0);
  sq_done(st);
  return rc == SQLITE_ROW ? BH_OK : rc == SQLITE_DONE ? BH_ERR_UNAUTHENTICATED : sq_err(c, rc);
}

int sq_session_create(sq_conn_t *c, const unsigned char *hash, int64_t user_id, int64_t now,
                         int64_t expires_at) {
  sqlite3_stmt *st = sq(c, SQ_SESSION_INSERT);
  if (st == NULL) return BH_ERR_DB;
  sqlite3_bind_blob(st, 1, hash, SECRET_TOKEN_HASH_BYTES, SQLITE_STATIC);
  sqlite3_bind_int64(st, 2, user_id);
  sqlite3_bind_int64(st, 3, now);
  sqlite3_bind_int64(st, 4, expires_at);
  return sq_exec(c, st);
}

int sq_session_touch(sq_conn_t *c, const unsigned char *hash, int64_t now, int64_t idle_s,
                        int64_t *user_id) {
  sqlite3_stmt *st = sq(c, SQ_SESSION_GET);
  if (st == NULL) return BH_ERR_DB;
  sqlite3_bind_blob(st, 1, hash, SECRET_TOKEN_HASH_BYTES, SQLITE_STATIC);
  int rc = sq_step(st);
  int64_t last = 0, expires = 0;
  if (rc == SQLITE_ROW) {
    *user_id = sqlite3_column_int64(st, 0);
    last = sqlite3_column_int64(st, 1);
    expires = sqlite3_column_int64(st, 2);
  }
  sq_done(st);
  if (rc == SQLITE_DONE) return BH_ERR_UNAUTHENTICATED;
  if (rc != SQLITE_ROW) return sq_err(c, rc);
  if (now - last > idle_s || now >= expires) {
    sq_session_delete(c, hash);
    return BH_ERR_UNAUTHENTICATED;
  }
  if (now - last >= 60) {
    sqlite3_stmt *t = sq(c, SQ_SESSION_TOUCH);
    if (t == NULL) return BH_ERR_DB;
    sqlite3_bind_blob(t, 1, hash, SECRET_TOKEN_HASH_BYTES, SQLITE_STATIC);
    sqlite3_bind_int64(t, 2, now);
    return sq_exec(c, t);
  }
  return BH_OK;
}

int sq_session_delete(sq_conn_t *c, const unsigned char *hash) {
  sqlite3_stmt *st = sq(c, SQ_SESSION_DELETE);
  if (st == NULL) return BH_ERR_DB;
  sqlite3_bind_blob(st, 1, hash, SECRET_TOKEN_HASH_BYTES, SQLITE_STATIC);
  return sq_exec(c, st);
}

/* ---- persons ---- */


/* Adds a person's name key to the name index, or with del removes it (the old key is needed). */
static int name_index_apply(sq_conn_t *c, int64_t id, const char *key, int del) {
  if (key == NULL || key[0] == '\0') return BH_OK;
  sqlite3_stmt *st = sq(c, del ? SQ_NAME_DEL : SQ_NAME_ADD);
  if (st == NULL) return BH_ERR_DB;
  sqlite3_bind_int64(st, 1, id);
  bind_text(st, 2, key);
  return sq_exec(c, st);
}

/* Binds the editable person columns shared by insert and update, starting at parameter base. */
struct person_bound {
  char *other_names, *phones, *emails, *flags, *contacts;
  unsigned char nid_sealed[MODEL_NUMBER_MAX + SECRET_SEAL_OVERHEAD];
  unsigned char nid_hash[SECRET_INDEX_BYTES];
  unsigned char pp_sealed[MODEL_NUMBER_MAX + SECRET_SEAL_OVERHEAD];
  unsigned char pp_hash[SECRET_INDEX_BYTES];
};

static void person_bound_free(struct person_bound *b) {
  free(b->other_names);
  free(b->phones);
  free(b->emails);
  free(b->flags);
  free(b->contacts);
}

static int person_bound_make(const person_t *p, struct person_bound *b) {
  memset(b, 0, sizeof(*b));
  b->other_names = json_text(p->other_names);
  b->phones = json_text(p->phones);
  b->emails = json_text(p->emails);
  b->flags = json_text(p->flags);
  b->contacts = json_text(p->contacts);
  if (!b->other_names || !b->phones || !b->emails || !b->flags || !b->contacts) return BH_ERR_NOMEM;
  return BH_OK;
}

int sq_person_create(sq_conn_t *c, person_t *p) {
  struct person_bound b;
  char key[STORE_NAME_KEY_MAX];
  int owned = 0, rc = person_bound_make(p, &b);
  if (rc != BH_OK) goto out_free;
  rc = store_person_name_key(p, key, sizeof(key));
  if (rc != BH_OK) goto out_free;
  rc = tx_enter(c, &owned);
  if (rc != BH_OK) goto out_free;
  sqlite3_stmt *st = sq(c, SQ_PERSON_INSERT);
  if (st == NULL) {
    rc = BH_ERR_DB;
    goto out;
  }
  int64_t now = clock_now();
  if (p->created_at == 0) p->created_at = now;
  p->updated_at = p->created_at;
  if (p->status == NULL) p->status = "unknown";
  if (p->status_at == 0) p->status_at = p->created_at;
  bind_text(st, 1, p->full_name);
  bind_text(st, 2, key);
  bind_text(st, 3, b.other_names);
  bind_text(st, 4, p->sex);
  bind_text(st, 5, p->date_of_birth);
  rc = bind_identifier(c, st, 6, 7, "national_id", p->national_id, b.nid_sealed, b.nid_hash);
  if (rc == BH_OK) {
    rc = bind_identifier(c, st, 8, 9, "passport", p->passport, b.pp_sealed, b.pp_hash);
  }
  if (rc != BH_OK) {
    sq_done(st);
    goto out;
  }
  bind_text(st, 10, b.phones);
  bind_text(st, 11, b.emails);
  bind_text(st, 12, p->home_province);
  bind_text(st, 13, b.flags);
  bind_text(st, 14, b.contacts);
  bind_text(st, 15, p->source);
  bind_text(st, 16, p->status);
  sqlite3_bind_int64(st, 17, p->status_at);
  bind_int_or_null(st, 18, p->owner_mission_id);
  if (p->import_key) {
    sqlite3_bind_blob(st, 19, p->import_key, SECRET_INDEX_BYTES, SQLITE_STATIC);
  } else {
    sqlite3_bind_null(st, 19);
  }
  sqlite3_bind_int64(st, 20, p->created_at);
  rc = sq_exec(c, st);
  if (rc != BH_OK) goto out;
  if (sqlite3_changes(c->db) == 0) {
    /* The import key exists: report the person already imported. */
    sqlite3_stmt *k = sq(c, SQ_PERSON_BY_IMPORT_KEY);
    if (k == NULL) {
      rc = BH_ERR_DB;
      goto out;
    }
    sqlite3_bind_blob(k, 1, p->import_key, SECRET_INDEX_BYTES, SQLITE_STATIC);
    if (sq_step(k) == SQLITE_ROW) p->id = sqlite3_column_int64(k, 0);
    sq_done(k);
    rc = BH_ERR_CONFLICT;
    goto out;
  }
  p->id = sqlite3_last_insert_rowid(c->db);
  rc = name_index_apply(c, p->id, key, 0);
out:
  /* A duplicate import row is not a failure of the surrounding batch. */
  if (rc == BH_ERR_CONFLICT && p->import_key && owned) {
    sq_commit(c);
  } else {
    /* Inside the caller's transaction tx_leave hands rc back: keep it (a duplicate stays a
     * BH_ERR_CONFLICT); only a failed commit of our own turns success into an error. */
    int lrc = tx_leave(c, owned, rc);
    if (rc == BH_OK) rc = lrc;
  }
out_free:
  person_bound_free(&b);
  return rc;
}

static int person_read(sq_conn_t *c, sqlite3_stmt *st, arena_t *a, person_t *p) {
  memset(p, 0, sizeof(*p));
  p->id = sqlite3_column_int64(st, 0);
  p->full_name = col_text(a, st, 1);
  p->other_names = col_json(st, 2);
  p->sex = col_text(a, st, 3);
  p->date_of_birth = col_text(a, st, 4);
  p->national_id = col_sealed(c, a, st, 5);
  p->passport = col_sealed(c, a, st, 6);
  p->phones = col_json(st, 7);
  p->emails = col_json(st, 8);
  p->home_province = col_text(a, st, 9);
  p->flags = col_json(st, 10);
  p->contacts = col_json(st, 11);
  p->source = col_text(a, st, 12);
  p->status = col_text(a, st, 13);
  p->status_at = sqlite3_column_int64(st, 14);
  p->owner_mission_id = sqlite3_column_int64(st, 15);
  p->created_at = sqlite3_column_int64(st, 16);
  p->updated_at = sqlite3_column_int64(st, 17);
  return p->full_name ? BH_OK : BH_ERR_NOMEM;
}

int sq_person_get(sq_conn_t *c, const store_scope_t *scope, int64_t id, arena_t *a,
                     person_t *out) {
  sqlite3_stmt *st = sq(c, SQ_PERSON_GET);
  if (st == NULL) return BH_ERR_DB;
  sqlite3_bind_int64(st, named(st, ":id"), id);
  bind_scope(st, scope);
  int rc = sq_step(st);
  int err = rc == SQLITE_ROW ? person_read(c, st, a, out)
            : rc == SQLITE_DONE ? BH_ERR_NOT_FOUND
                                : sq_err(c, rc);
  sq_done(st);
  return err;
}

/* Returns BH_OK if person id is visible in scope and passes the optional filter. */
static int person_check(sq_conn_t *c, const store_scope_t *scope, const person_filter_t *f,
                        int64_t id) {
  sqlite3_stmt *st = sq(c, SQ_PERSON_CHECK);
  if (st == NULL) return BH_ERR_DB;
  sqlite3_bind_int64(st, named(st, ":id"), id);
  bind_filter(st, f);
  bind_scope(st, scope);
  int rc = sq_step(st);
  sq_done(st);
  return rc == SQLITE_ROW ? BH_OK : rc == SQLITE_DONE ? BH_ERR_NOT_FOUND : sq_err(c, rc);
}

int sq_person_update(sq_conn_t *c, const store_scope_t *scope, const person_t *p) {
  struct person_bound b;
  char key[STORE_NAME_KEY_MAX], old_key[STORE_NAME_KEY_MAX];
  int owned = 0, rc = person_bound_make(p, &b);
  if (rc != BH_OK) goto out_free;
  rc = store_person_name_key(p, key, sizeof(key));
  if (rc != BH_OK) goto out_free;
  rc = tx_enter(c, &owned);
  if (rc != BH_OK) goto out_free;
  rc = person_check(c, scope, NULL, p->id);
  if (rc != BH_OK) goto out;
  sqlite3_stmt *k = sq(c, SQ_PERSON_NAME_KEY);
  if (k == NULL) {
    rc = BH_ERR_DB;
    goto out;
  }
  sqlite3_bind_int64(k, 1, p->id);
  old_key[0] = '\0';
  if (sq_step(k) == SQLITE_ROW) {
    snprintf(old_key, sizeof(old_key), "%s", (const char *)sqlite3_column_text(k, 0));
  }
  sq_done(k);
  sqlite3_stmt *st = sq(c, SQ_PERSON_UPDATE);
  if (st == NULL) {
    rc = BH_ERR_DB;
    goto out;
  }
  sqlite3_bind_int64(st, 1, p->id);
  bind_text(st, 2, p->full_name);
  bind_text(st, 3, key);
  bind_text(st, 4, b.other_names);
  bind_text(st, 5, p->sex);
  bind_text(st, 6, p->date_of_birth);
  rc = bind_identifier(c, st, 7, 8, "national_id", p->national_id, b.nid_sealed, b.nid_hash);
  if (rc == BH_OK) {
    rc = bind_identifier(c, st, 9, 10, "passport", p->passport, b.pp_sealed, b.pp_hash);
  }
  if (rc != BH_OK) {
    sq_done(st);
    goto out;
  }
  bind_text(st, 11, b.phones);
  bind_text(st, 12, b.emails);
  bind_text(st, 13, p->home_province);
  bind_text(st, 14, b.flags);
  bind_text(st, 15, b.contacts);
  sqlite3_bind_int64(st, 16, clock_now());
  rc = sq_exec(c, st);
  if (rc == BH_OK) rc = name_index_apply(c, p->id, old_key, 1);
  if (rc == BH_OK) rc = name_index_apply(c, p->id, key, 0);
out:
  rc = tx_leave(c, owned, rc);
out_free:
  person_bound_free(&b);
  return rc;
}

/* Writes the FTS5 query requiring every token of f: "t1" "t2" ... (tokens hold no quotes). */
static int name_match_query(const person_filter_t *f, char *out, size_t cap) {
  size_t o = 0;
  for (size_t t = 0; t < f->ntokens; t++) {
    int w = snprintf(out + o, cap - o, "%s\"%s\"", t ? " " : "", f->tokens[t]);
    if (w < 0 || (size_t)w >= cap - o) return BH_ERR_TOO_LARGE;
    o += (size_t)w;
  }
  return BH_OK;
}

int sq_person_search(sq_conn_t *c, const store_scope_t *scope, const person_filter_t *f,
                        const store_page_t *page, arena_t *a, person_t **out, size_t *n) {
  person_t *items = arena_calloc(a, sizeof(*items) * (size_t)page->limit);
  if (items == NULL) return BH_ERR_NOMEM;
  *n = 0;
  char match[NAME_MAX_TOKENS * (NAME_TOKEN_MAX + 3) + 1];
  int names = f->ntokens > 0 && !f->has_number;
  if (names && name_match_query(f, match, sizeof(match)) != BH_OK) return BH_ERR_INVALID;
  enum sq_stmt which = names ? SQ_LIST_NAMES
                       : f->has_number ? SQ_LIST_NUMBER
                       : f->country && f->status ? SQ_LIST_COUNTRY_STATUS
                       : f->country              ? SQ_LIST_COUNTRY
                       : f->status               ? SQ_LIST_STATUS
                                                 : SQ_LIST_ALL;
  sqlite3_stmt *st = sq(c, which);
  if (st == NULL) return BH_ERR_DB;
  if (names) bind_named_text(st, ":match", match);
  if (f->has_number) {
    sqlite3_bind_blob(st, named(st, ":ph"), f->passport_hash, SECRET_INDEX_BYTES, SQLITE_STATIC);
    sqlite3_bind_blob(st, named(st, ":nh"), f->nid_hash, SECRET_INDEX_BYTES, SQLITE_STATIC);
  }
  sqlite3_bind_int64(st, named(st, ":after"), page->after);
  sqlite3_bind_int(st, named(st, ":limit"), page->limit);
  bind_filter(st, f);
  bind_scope(st, scope);
  size_t k = 0;
  int rc = SQLITE_DONE, err = BH_OK;
  while (err == BH_OK && k < (size_t)page->limit && (rc = sq_step(st)) == SQLITE_ROW) {
    err = person_read(c, st, a, &items[k]);
    k++;
  }
  if (err == BH_OK && rc != SQLITE_DONE && rc != SQLITE_ROW) err = sq_err(c, rc);
  sq_done(st);
  if (err != BH_OK) {
    for (size_t i = 0; i < k; i++) person_clear(&items[i]);
    return err;
  }
  *out = items;
  *n = k;
  return BH_OK;
}

static void presence_read(sqlite3_stmt *st, arena_t *a, presence_t *p) {
  memset(p, 0, sizeof(*p));
  p->id = sqlite3_column_int64(st, 0);
  p->person_id = sqlite3_column_int64(st, 1);
  const char *country = (const char *)sqlite3_column_text(st, 2);
  if (country) snprintf(p->country, sizeof(p->country), "%s", country);
  p->region = col_text(a, st, 3);
  p->city = col_text(a, st, 4);
  p->address = col_text(a, st, 5);
  p->has_geo = sqlite3_column_type(st, 6) != SQLITE_NULL;
  p->lat = sqlite3_column_double(st, 6);
  p->lon = sqlite3_column_double(st, 7);
  p->category = col_text(a, st, 8);
  p->organisation = col_text(a, st, 9);
  p->date_from = col_text(a, st, 10);
  p->date_until = col_text(a, st, 11);
  p->group_id = col_text(a, st, 12);
  p->created_at = sqlite3_column_int64(st, 13);
  p->updated_at = sqlite3_column_int64(st, 14);
}

int sq_person_each(sq_conn_t *c, const store_scope_t *scope, arena_t *a, store_person_cb cb,
                      void *ctx) {
  sqlite3_stmt *st = sq(c, SQ_PERSON_EACH);
  sqlite3_stmt *lp = sq(c, SQ_PRESENCE_LATEST);
  if (st == NULL || lp == NULL) return BH_ERR_DB;
  bind_scope(st, scope);
  int rc, err = BH_OK;
  while (err == BH_OK && (rc = sq_step(st)) == SQLITE_ROW) {
    arena_t *row = arena_new(1 << 20);
    person_t p;
    presence_t pr;
    int has_pr = 0;
    if (row == NULL) {
      err = BH_ERR_NOMEM;
      break;
    }
    err = person_read(c, st, row, &p);
    if (err == BH_OK) {
      sqlite3_bind_int64(lp, 1, p.id);
      if (sq_step(lp) == SQLITE_ROW) {
        presence_read(lp, row, &pr);
        has_pr = 1;
      }
      sq_done(lp);
      if (cb(ctx, &p, has_pr ? &pr : NULL) != 0) err = BH_ERR_INTERNAL;
    }
    person_clear(&p);
    arena_free(row);
  }
  (void)a;
  sq_done(st);
  return err;
}

int sq_person_stats(sq_conn_t *c, store_stat_cb cb, void *ctx) {
  sqlite3_stmt *st = sq(c, SQ_STATS);
  if (st == NULL) return BH_ERR_DB;
  int rc, err = BH_OK;
  while (err == BH_OK && (rc = sq_step(st)) == SQLITE_ROW) {
    err = cb(ctx, (const char *)sqlite3_column_text(st, 0),
             (const char *)sqlite3_column_text(st, 1), sqlite3_column_int64(st, 2));
  }
  sq_done(st);
  return err;
}

/* ---- presences ---- */

static void presence_bind(sqlite3_stmt *st, int first, const presence_t *p) {
  bind_text(st, first, p->country);
  bind_text(st, first + 1, p->region);
  bind_text(st, first + 2, p->city);
  bind_text(st, first + 3, p->address);
  if (p->has_geo) {
    sqlite3_bind_double(st, first + 4, p->lat);
    sqlite3_bind_double(st, first + 5, p->lon);
  } else {
    sqlite3_bind_null(st, first + 4);
    sqlite3_bind_null(st, first + 5);
  }
  bind_text(st, first + 6, p->category);
  bind_text(st, first + 7, p->organisation);
  bind_text(st, first + 8, p->date_from);
  bind_text(st, first + 9, p->date_until);
  bind_text(st, first + 10, p->group_id);
}

int sq_presence_create(sq_conn_t *c, const store_scope_t *scope, presence_t *pr) {
  int owned, rc = tx_enter(c, &owned);
  if (rc != BH_OK) return rc;
  /* With every person in scope, the foreign key alone tells whether the person exists. */
  if (!scope->all) rc = person_check(c, scope, NULL, pr->person_id);
  if (rc != BH_OK) goto out;
  sqlite3_stmt *st = sq(c, SQ_PRESENCE_INSERT);
  if (st == NULL) {
    rc = BH_ERR_DB;
    goto out;
  }
  pr->created_at = pr->updated_at = clock_now();
  sqlite3_bind_int64(st, 1, pr->person_id);
  presence_bind(st, 2, pr);
  sqlite3_bind_int64(st, 13, pr->created_at);
  rc = sq_exec(c, st);
  if (rc == BH_OK) pr->id = sqlite3_last_insert_rowid(c->db);
out:
  return tx_leave(c, owned, rc);
}

int sq_presence_get(sq_conn_t *c, const store_scope_t *scope, int64_t id, arena_t *a,
                       presence_t *out) {
  sqlite3_stmt *st = sq(c, SQ_PRESENCE_GET);
  if (st == NULL) return BH_ERR_DB;
  sqlite3_bind_int64(st, named(st, ":id"), id);
  bind_scope(st, scope);
  int rc = sq_step(st);
  if (rc == SQLITE_ROW) presence_read(st, a, out);
  sq_done(st);
  return rc == SQLITE_ROW ? BH_OK : rc == SQLITE_DONE ? BH_ERR_NOT_FOUND : sq_err(c, rc);
}

int sq_presence_update(sq_conn_t *c, const store_scope_t *scope, const presence_t *pr) {
  int owned, rc = tx_enter(c, &owned);
  if (rc != BH_OK) return rc;
  rc = person_check(c, scope, NULL, pr->person_id);
  if (rc != BH_OK) goto out;
  sqlite3_stmt *st = sq(c, SQ_PRESENCE_UPDATE);
  if (st == NULL) {
    rc = BH_ERR_DB;
    goto out;
  }
  sqlite3_bind_int64(st, 1, pr->id);
  presence_bind(st, 2, pr);
  sqlite3_bind_int64(st, 13, clock_now());
  rc = sq_exec(c, st);
  if (rc == BH_OK && sqlite3_changes(c->db) == 0) rc = BH_ERR_NOT_FOUND;
out:
  return tx_leave(c, owned, rc);
}

int sq_presence_list(sq_conn_t *c, const store_scope_t *scope, int64_t person_id, arena_t *a,
                        presence_t **out, size_t *n) {
  int rc = person_check(c, scope, NULL, person_id);
  if (rc != BH_OK) return rc;
  sqlite3_stmt *st = sq(c, SQ_PRESENCE_LIST);
  if (st == NULL) return BH_ERR_DB;
  size_t cap = 8, k = 0;
  presence_t *items = arena_alloc(a, sizeof(*items) * cap);
  sqlite3_bind_int64(st, 1, person_id);
  while (items != NULL && (rc = sq_step(st)) == SQLITE_ROW) {
    if (k == cap) {
      presence_t *bigger = arena_alloc(a, sizeof(*items) * cap * 2);
      if (bigger != NULL) memcpy(bigger, items, sizeof(*items) * cap);
      items = bigger;
      cap *= 2;
      if (items == NULL) break;
    }
    presence_read(st, a, &items[k++]);
  }
  sq_done(st);
  if (items == NULL) return BH_ERR_NOMEM;
  *out = items;
  *n = k;
  return rc == SQLITE_DONE ? BH_OK : sq_err(c, rc);
}

/* ---- welfare status ---- */

int sq_status_set(sq_conn_t *c, const store_scope_t *scope, status_event_t *ev) {
  int owned, rc = tx_enter(c, &owned);
  if (rc != BH_OK) return rc;
  /* With every person in scope, the foreign key alone tells whether the person exists. */
  if (!scope->all) rc = person_check(c, scope, NULL, ev->person_id);
  if (rc != BH_OK) goto out;
  sqlite3_stmt *ins = sq(c, SQ_STATUS_INSERT);
  sqlite3_stmt *up = sq(c, SQ_PERSON_SET_STATUS);
  sqlite3_stmt *pr = sq(c, SQ_PRESENCE_SET_STATUS);
  if (ins == NULL || up == NULL || pr == NULL) {
    rc = BH_ERR_DB;
    goto out;
  }
  if (ev->at == 0) ev->at = clock_now();
  sqlite3_bind_int64(ins, 1, ev->person_id);
  bind_text(ins, 2, ev->status);
  sqlite3_bind_int64(ins, 3, ev->at);
  bind_text(ins, 4, ev->source);
  bind_int_or_null(ins, 5, ev->author_id);
  bind_text(ins, 6, ev->note);
  rc = sq_exec(c, ins);
  if (rc != BH_OK) goto out;
  ev->id = sqlite3_last_insert_rowid(c->db);
  sqlite3_bind_int64(up, 1, ev->person_id);
  bind_text(up, 2, ev->status);
  sqlite3_bind_int64(up, 3, ev->at);
  rc = sq_exec(c, up);
  if (rc != BH_OK) goto out;
  sqlite3_bind_int64(pr, 1, ev->person_id);
  bind_text(pr, 2, ev->status);
  rc = sq_exec(c, pr);
out:
  return tx_leave(c, owned, rc);
}

int sq_status_history(sq_conn_t *c, const store_scope_t *scope, int64_t person_id,
                         arena_t *a, status_event_t **out, size_t *n) {
  int rc = person_check(c, scope, NULL, person_id);
  if (rc != BH_OK) return rc;
  sqlite3_stmt *st = sq(c, SQ_STATUS_LIST);
  if (st == NULL) return BH_ERR_DB;
  size_t cap = 16, k = 0;
  status_event_t *items = arena_alloc(a, sizeof(*items) * cap);
  sqlite3_bind_int64(st, 1, person_id);
  while (items != NULL && (rc = sq_step(st)) == SQLITE_ROW) {
    if (k == cap) {
      status_event_t *bigger = arena_alloc(a, sizeof(*items) * cap * 2);
      if (bigger != NULL) memcpy(bigger, items, sizeof(*items) * cap);
      items = bigger;
      cap *= 2;
      if (items == NULL) break;
    }
    status_event_t *e = &items[k++];
    e->id = sqlite3_column_int64(st, 0);
    e->person_id = sqlite3_column_int64(st, 1);
    e->status = col_text(a, st, 2);
    e->at = sqlite3_column_int64(st, 3);
    e->source = col_text(a, st, 4);
    e->author_id = sqlite3_column_int64(st, 5);
    e->note = col_text(a, st, 6);
  }
  sq_done(st);
  if (items == NULL) return BH_ERR_NOMEM;
  *out = items;
  *n = k;
  return rc == SQLITE_DONE ? BH_OK : sq_err(c, rc);
}

/* ---- self-registration ---- */

int sq_registration_create(sq_conn_t *c, const unsigned char *hash, int64_t person_id,
                              int64_t presence_id) {
  sqlite3_stmt *st = sq(c, SQ_REG_INSERT);
  if (st == NULL) return BH_ERR_DB;
  sqlite3_bind_blob(st, 1, hash, SECRET_TOKEN_HASH_BYTES, SQLITE_STATIC);
  sqlite3_bind_int64(st, 2, person_id);
  bind_int_or_null(st, 3, presence_id);
  sqlite3_bind_int64(st, 4, clock_now());
  return sq_exec(c, st);
}

int sq_registration_lookup(sq_conn_t *c, const unsigned char *hash, int64_t *person_id,
                              int64_t *presence_id) {
  sqlite3_stmt *st = sq(c, SQ_REG_LOOKUP);
  if (st == NULL) return BH_ERR_DB;
  sqlite3_bind_blob(st, 1, hash, SECRET_TOKEN_HASH_BYTES, SQLITE_STATIC);
  int rc = sq_step(st);
  if (rc == SQLITE_ROW) {
    *person_id = sqlite3_column_int64(st, 0);
    *presence_id = sqlite3_column_int64(st, 1);
  }
  sq_done(st);
  return rc == SQLITE_ROW ? BH_OK : rc == SQLITE_DONE ? BH_ERR_NOT_FOUND : sq_err(c, rc);
}

int sq_registration_close(sq_conn_t *c, const unsigned char *hash, int64_t now) {
  sqlite3_stmt *st = sq(c, SQ_REG_CLOSE);
  if (st == NULL) return BH_ERR_DB;
  sqlite3_bind_blob(st, 1, hash, SECRET_TOKEN_HASH_BYTES, SQLITE_STATIC);
  sqlite3_bind_int64(st, 2, now);
  int rc = sq_exec(c, st);
  if (rc == BH_OK && sqlite3_changes(c->db) == 0) rc = BH_ERR_NOT_FOUND;
  return rc;
}

/* ---- audit ---- */

int sq_audit_append(sq_conn_t *c, audit_entry_t *e) {
  sqlite3_stmt *st = sq(c, SQ_AUDIT_INSERT);
  if (st == NULL) return BH_ERR_DB;
  if (e->at == 0) e->at = clock_now();
  sqlite3_bind_int64(st, 1, e->at);
  bind_int_or_null(st, 2, e->user_id);
  bind_text(st, 3, e->action);
  bind_text(st, 4, e->object_kind);
  bind_int_or_null(st, 5, e->object_id);
  bind_text(st, 6, e->client);
  bind_text(st, 7, e->request_id);
  bind_text(st, 8, e->detail);
  int rc = sq_exec(c, st);
  if (rc == BH_OK) e->id = sqlite3_last_insert_rowid(c->db);
  return rc;
}

int sq_audit_list(sq_conn_t *c, const audit_filter_t *f, const store_page_t *page,
                     arena_t *a, audit_entry_t **out, size_t *n) {
  sqlite3_stmt *st = sq(c, SQ_AUDIT_LIST);
  if (st == NULL) return BH_ERR_DB;
  audit_entry_t *items = arena_calloc(a, sizeof(*items) * (size_t)page->limit);
  if (items == NULL) return BH_ERR_NOMEM;
  sqlite3_bind_int64(st, 1, page->after);
  sqlite3_bind_int64(st, 2, f->user_id);
  bind_text(st, 3, f->object_kind);
  sqlite3_bind_int64(st, 4, f->object_id);
  sqlite3_bind_int(st, 5, page->limit);
  size_t k = 0;
  int rc;
  while ((rc = sq_step(st)) == SQLITE_ROW && k < (size_t)page->limit) {
    audit_entry_t *e = &items[k++];
    e->id = sqlite3_column_int64(st, 0);
    e->at = sqlite3_column_int64(st, 1);
    e->user_id = sqlite3_column_int64(st, 2);
    e->action = col_text(a, st, 3);
    e->object_kind = col_text(a, st, 4);
    e->object_id = sqlite3_column_int64(st, 5);
    e->client = col_text(a, st, 6);
    e->request_id = col_text(a, st, 7);
    e->detail = col_text(a, st, 8);
  }
  sq_done(st);
  *out = items;
  *n = k;
  return rc == SQLITE_DONE || rc == SQLITE_ROW ? BH_OK : sq_err(c, rc);
}

/* ---- internal API of the backend's other files (store_sqlite_int.h) ---- */

/*
 * The statement caches of all connections, one per connection, on a list under a lock: the
 * owning thread looks its cache up there, and conn_close drops it. Each cache's slots are only
 * touched by the thread that uses the connection.
 */
struct sq_stmt_cache {
  sq_conn_t *conn;
  const char *sql[SQ_STMT_CACHE_MAX];
  sqlite3_stmt *st[SQ_STMT_CACHE_MAX];
  size_t n;
  struct sq_stmt_cache *next;
};

static pthread_mutex_t sq_caches_lock = PTHREAD_MUTEX_INITIALIZER;
static struct sq_stmt_cache *sq_caches;

sqlite3 *sq_conn_db(sq_conn_t *c) { return c->db; }

sqlite3_stmt *sq_stmt_cached(sq_conn_t *c, const char *sql) {
  pthread_mutex_lock(&sq_caches_lock);
  struct sq_stmt_cache *k = sq_caches;
  while (k != NULL && k->conn != c) k = k->next;
  if (k == NULL && (k = calloc(1, sizeof(*k))) != NULL) {
    k->conn = c;
    k->next = sq_caches;
    sq_caches = k;
  }
  pthread_mutex_unlock(&sq_caches_lock);
  if (k == NULL) return NULL;
  for (size_t i = 0; i < k->n; i++) {
    if (k->sql[i] == sql) return k->st[i];
  }
  if (k->n == SQ_STMT_CACHE_MAX) {
    log_error("msg=\"statement cache full\"");
    return NULL;
  }
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v3(c->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK) {
    log_error("msg=\"prepare failed\" err=\"%s\"", sqlite3_errmsg(c->db));
    return NULL;
  }
  k->sql[k->n] = sql;
  k->st[k->n++] = st;
  return st;
}

void sq_stmt_cache_drop(sq_conn_t *c) {
  pthread_mutex_lock(&sq_caches_lock);
  struct sq_stmt_cache **p = &sq_caches;
  while (*p != NULL && (*p)->conn != c) p = &(*p)->next;
  struct sq_stmt_cache *k = *p;
  if (k != NULL) *p = k->next;
  pthread_mutex_unlock(&sq_caches_lock);
  if (k == NULL) return;
  for (size_t i = 0; i < k->n; i++) sqlite3_finalize(k->st[i]);
  free(k);
}

int sq_stmt_step(sqlite3_stmt *st) { return sq_step(st); }

int sq_stmt_exec(sq_conn_t *c, sqlite3_stmt *st) { return sq_exec(c, st); }

void sq_stmt_done(sqlite3_stmt *st) { sq_done(st); }

int sq_result_err(sq_conn_t *c, int rc) { return sq_err(c, rc); }

int sq_tx_enter(sq_conn_t *c, int *owned) { return tx_enter(c, owned); }

int sq_tx_leave(sq_conn_t *c, int owned, int rc) { return tx_leave(c, owned, rc); }
