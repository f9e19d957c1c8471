/*
 * store_sqlite_admin.c - missions, users (officers), API tokens and sessions on SQLite.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_officer_impl.h"
#include "store/store_sqlite_priv.h"
#include "util/clock.h"

#define MISSION_COLS "id, kind, name, city, country, hotline, email, timezone, created_at, updated_at"
#define USER_COLS "id, email, name, role, mission_id, pwhash, disabled, created_at"

static const char SQ_MISSION_INSERT[] =
    "INSERT INTO missions(kind, name, city, country, hotline, email, timezone, created_at,"
    " updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)";

static const char SQ_MISSION_UPDATE[] =
    "UPDATE missions SET kind = ?2, name = ?3, city = ?4, country = ?5, hotline = ?6,"
    " email = ?7, timezone = ?8, updated_at = ?9 WHERE id = ?1";

static const char SQ_MISSION_COUNTRY_INSERT[] =
    "INSERT OR IGNORE INTO mission_countries(mission_id, country) VALUES (?1, ?2)";

static const char SQ_MISSION_COUNTRY_DELETE[] =
    "DELETE FROM mission_countries WHERE mission_id = ?1";

static const char SQ_MISSION_COUNTRIES[] =
    "SELECT country FROM mission_countries WHERE mission_id = ?1 ORDER BY country";

static const char SQ_MISSION_GET[] =
    "SELECT " MISSION_COLS " FROM missions WHERE id = ?1";

static const char SQ_MISSION_LIST[] =
    "SELECT " MISSION_COLS " FROM missions WHERE id > ?1 ORDER BY id LIMIT ?2";

static const char SQ_MISSION_FIND_NAME[] =
    "SELECT id FROM missions WHERE name = ?1";

static const char SQ_USER_INSERT[] =
    "INSERT INTO users(email, name, role, mission_id, pwhash, disabled, created_at,"
    " updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)";

static const char SQ_USER_GET[] =
    "SELECT " USER_COLS " FROM users WHERE id = ?1";

static const char SQ_USER_BY_EMAIL[] =
    "SELECT " USER_COLS " FROM users WHERE email = ?1";

static const char SQ_USER_UPDATE[] =
    "UPDATE users SET name = ?2, role = ?3, mission_id = ?4, disabled = ?5, updated_at = ?6"
    " WHERE id = ?1";

static const char SQ_USER_SET_PW[] =
    "UPDATE users SET pwhash = ?2, updated_at = ?3 WHERE id = ?1";

static const char SQ_USER_LIST[] =
    "SELECT " USER_COLS " FROM users WHERE id > ?1 ORDER BY id LIMIT ?2";

/* The colleagues of a mission (store_officer.h): enabled, not viewers, and every hq user; only
 * what they need. */
static const char SQ_OFFICER_LIST[] =
    "SELECT id, name, role, mission_id FROM users WHERE disabled = 0"
    " AND ((mission_id = ?1 AND role <> ?2) OR role = ?5) AND id > ?3 ORDER BY id LIMIT ?4";

static const char SQ_TOKEN_INSERT[] =
    "INSERT INTO api_tokens(user_id, token_hash, name, created_at) VALUES (?1, ?2, ?3, ?4)";

static const char SQ_TOKEN_LOOKUP[] =
    "SELECT t.user_id FROM api_tokens t JOIN users u ON u.id = t.user_id"
    " WHERE t.token_hash = ?1 AND t.revoked_at IS NULL AND u.disabled = 0";

static const char SQ_SESSION_INSERT[] =
    "INSERT INTO sessions(token_hash, user_id, created_at, last_seen, expires_at)"
    " VALUES (?1, ?2, ?3, ?3, ?4)";

static const char SQ_SESSION_GET[] =
    "SELECT s.user_id, s.last_seen, s.expires_at FROM sessions s JOIN users u"
    " ON u.id = s.user_id WHERE s.token_hash = ?1 AND u.disabled = 0";

static const char SQ_SESSION_TOUCH[] =
    "UPDATE sessions SET last_seen = ?2 WHERE token_hash = ?1";

static const char SQ_SESSION_DELETE[] =
    "DELETE FROM sessions WHERE token_hash = ?1";

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

int sq_officer_list(sq_conn_t *c, int64_t mission_id, const store_page_t *page, arena_t *a,
                    user_t **out, size_t *n) {
  sqlite3_stmt *st = sq(c, SQ_OFFICER_LIST);
  if (st == NULL) return BH_ERR_DB;
  user_t *items = arena_calloc(a, sizeof(*items) * (size_t)page->limit);
  if (items == NULL) return BH_ERR_NOMEM;
  sqlite3_bind_int64(st, 1, mission_id);
  sqlite3_bind_int(st, 2, ROLE_VIEWER);
  sqlite3_bind_int64(st, 3, page->after);
  sqlite3_bind_int(st, 4, page->limit);
  sqlite3_bind_int(st, 5, ROLE_HQ);
  size_t k = 0;
  int rc;
  while ((rc = sq_step(st)) == SQLITE_ROW && k < (size_t)page->limit) {
    user_t *u = &items[k++];
    u->id = sqlite3_column_int64(st, 0);
    u->name = col_text(a, st, 1);
    u->role = sqlite3_column_int(st, 2);
    u->mission_id = sqlite3_column_int64(st, 3);
  }
  sq_done(st);
  *out = items;
  *n = k;
  return rc == SQLITE_DONE || rc == SQLITE_ROW ? BH_OK : sq_err(c, rc);
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

