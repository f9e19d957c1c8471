/*
 * store_sqlite_idem.c - idempotency keys in the SQLite backend (store_idem_impl.h). Every writer
 * of an SQLite database takes its one write lock with BEGIN IMMEDIATE, so a key is never being
 * answered by two transactions at once: the lock of store_idem_begin's transaction is the key's.
 */
#include <string.h>

#include "store/store_idem_impl.h"
#include "store/store_sqlite_int.h"
#include "util/err.h"

static const char SQL_IDEM_GET[] =
    "SELECT request_hash, status, content_type, headers, body, created_at FROM idempotency_keys"
    " WHERE scope = ?1 AND idem_key = ?2 AND created_at >= ?3";
static const char SQL_IDEM_PUT[] =
    "INSERT OR REPLACE INTO idempotency_keys(scope, idem_key, request_hash, status, content_type,"
    " headers, body, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
static const char SQL_IDEM_EXPIRE[] = "DELETE FROM idempotency_keys WHERE created_at < ?1";
/* All but the ?1 newest: those created before the ?1-th newest (ties stay). */
static const char SQL_IDEM_TRIM[] =
    "DELETE FROM idempotency_keys WHERE created_at < (SELECT created_at FROM idempotency_keys"
    " ORDER BY created_at DESC LIMIT 1 OFFSET ?1)";

int sqi_idem_lock(sq_conn_t *c, const char *scope, const char *key) {
  (void)c;
  (void)scope;
  (void)key;
  return BH_OK;
}

/* A copy of column col of st in a, NUL-terminated; NULL when out of memory. */
static void *column_copy(arena_t *a, sqlite3_stmt *st, int col, size_t *len) {
  const void *v = sqlite3_column_blob(st, col);
  size_t n = (size_t)sqlite3_column_bytes(st, col);
  char *out = arena_alloc(a, n + 1);
  if (out == NULL) return NULL;
  if (n > 0) memcpy(out, v, n);
  out[n] = '\0';
  if (len) *len = n;
  return out;
}

int sqi_idem_get(sq_conn_t *c, const char *scope, const char *key, int64_t since, arena_t *a,
                 store_idem_t *out) {
  out->found = 0;
  sqlite3_stmt *st = sq_stmt_cached(c, SQL_IDEM_GET);
  if (st == NULL) return BH_ERR_DB;
  sqlite3_bind_text(st, 1, scope, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 3, since);
  int rc = sq_stmt_step(st);
  int err = BH_OK;
  if (rc == SQLITE_ROW) {
    if ((size_t)sqlite3_column_bytes(st, 0) == STORE_IDEM_HASH_BYTES) {
      memcpy(out->hash, sqlite3_column_blob(st, 0), STORE_IDEM_HASH_BYTES);
    }
    out->status = sqlite3_column_int(st, 1);
    out->content_type = column_copy(a, st, 2, NULL);
    out->headers = column_copy(a, st, 3, NULL);
    out->body = column_copy(a, st, 4, &out->body_len);
    out->created_at = sqlite3_column_int64(st, 5);
    if (out->content_type == NULL || out->headers == NULL || out->body == NULL) {
      err = BH_ERR_NOMEM;
    } else {
      out->found = 1;
    }
  } else if (rc != SQLITE_DONE) {
    err = sq_result_err(c, rc);
  }
  sq_stmt_done(st);
  return err;
}

int sqi_idem_put(sq_conn_t *c, const char *scope, const char *key, const store_idem_t *ans,
                 int64_t now) {
  sqlite3_stmt *st = sq_stmt_cached(c, SQL_IDEM_PUT);
  if (st == NULL) return BH_ERR_DB;
  sqlite3_bind_text(st, 1, scope, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
  sqlite3_bind_blob(st, 3, ans->hash, STORE_IDEM_HASH_BYTES, SQLITE_STATIC);
  sqlite3_bind_int(st, 4, ans->status);
  sqlite3_bind_text(st, 5, ans->content_type ? ans->content_type : "", -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 6, ans->headers ? ans->headers : "", -1, SQLITE_STATIC);
  sqlite3_bind_blob(st, 7, ans->body ? (const void *)ans->body : "", (int)ans->body_len,
                    SQLITE_STATIC);
  sqlite3_bind_int64(st, 8, now);
  return sq_stmt_exec(c, st);
}

int sqi_idem_purge(sq_conn_t *c, int64_t before, int64_t keep, int64_t *deleted) {
  sqlite3 *db = sq_conn_db(c);
  int64_t n = 0;
  sqlite3_stmt *st = sq_stmt_cached(c, SQL_IDEM_EXPIRE);
  if (st == NULL) return BH_ERR_DB;
  sqlite3_bind_int64(st, 1, before);
  int rc = sq_stmt_exec(c, st);
  if (rc != BH_OK) return rc;
  n += sqlite3_changes(db);
  st = sq_stmt_cached(c, SQL_IDEM_TRIM);
  if (st == NULL) return BH_ERR_DB;
  sqlite3_bind_int64(st, 1, keep);
  rc = sq_stmt_exec(c, st);
  if (rc != BH_OK) return rc;
  n += sqlite3_changes(db);
  *deleted = n;
  return BH_OK;
}
