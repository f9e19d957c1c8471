/*
 * store_pg_idem.c - idempotency keys in the PostgreSQL backend (store_idem_impl.h). Writers do
 * not serialise here as they do in SQLite, so the key is locked by a transaction-scoped advisory
 * lock on a hash of (scope, key): a second request with the same key, while the first has not
 * committed, does not block on its row but learns at once that the key is in progress (api.c
 * then asks again for a short while before answering 409).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_idem_impl.h"
#include "store/store_pg_int.h"
#include "util/arena.h"
#include "util/buf.h"
#include "util/err.h"

/*
 * The two-integer form of the advisory lock (a key space apart from the one-bigint locks of the
 * migrations); 8 is the class of idempotency keys (migration 8). A scope holds no space, so
 * "scope key" names one pair; a hash collision costs only a retry.
 */
static const char SQL_IDEM_LOCK[] =
    "SELECT pg_try_advisory_xact_lock(8, hashtext($1::text || ' ' || $2::text))::int";
/* Through idem_get (migration_pgidem): a plan by the primary key whatever the statistics. */
static const char SQL_IDEM_GET[] =
    "SELECT request_hash, status, content_type, headers, body, created_at"
    " FROM idem_get($1, $2, $3)";
static const char SQL_IDEM_PUT[] =
    "INSERT INTO idempotency_keys(scope, idem_key, request_hash, status, content_type, headers,"
    " body, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (scope, idem_key)"
    " DO UPDATE SET request_hash = EXCLUDED.request_hash, status = EXCLUDED.status,"
    " content_type = EXCLUDED.content_type, headers = EXCLUDED.headers, body = EXCLUDED.body,"
    " created_at = EXCLUDED.created_at";
static const char SQL_IDEM_EXPIRE[] = "DELETE FROM idempotency_keys WHERE created_at < $1";
/* All but the $1 newest: those created before the $1-th newest (ties stay). */
static const char SQL_IDEM_TRIM[] =
    "DELETE FROM idempotency_keys WHERE created_at < (SELECT created_at FROM idempotency_keys"
    " ORDER BY created_at DESC LIMIT 1 OFFSET $1)";

int pgi_idem_lock(pg_conn_t *c, const char *scope, const char *key) {
  pg_params_t p = {0};
  pgp_text(&p, scope);
  pgp_text(&p, key);
  PGresult *res;
  int rc = pg_run_sql(c, SQL_IDEM_LOCK, &p, &res);
  if (rc != BH_OK) return rc;
  int got = PQntuples(res) == 1 && pg_col_i64(res, 0, 0) == 1;
  PQclear(res);
  return got ? BH_OK : BH_ERR_IDEM_IN_PROGRESS;
}

/* A NUL-terminated copy of column col in a; NULL when out of memory. */
static void *column_copy(arena_t *a, const PGresult *res, int col, size_t *len) {
  size_t n = (size_t)PQgetlength(res, 0, col);
  char *out = arena_alloc(a, n + 1);
  if (out == NULL) return NULL;
  if (n > 0) memcpy(out, PQgetvalue(res, 0, col), n);
  out[n] = '\0';
  if (len) *len = n;
  return out;
}

int pgi_idem_get(pg_conn_t *c, const char *scope, const char *key, int64_t since, arena_t *a,
                 store_idem_t *out) {
  out->found = 0;
  pg_params_t p = {0};
  pgp_text(&p, scope);
  pgp_text(&p, key);
  pgp_i64(&p, since);
  PGresult *res;
  int rc = pg_run_sql(c, SQL_IDEM_GET, &p, &res);
  if (rc != BH_OK) return rc;
  if (PQntuples(res) == 1) {
    if ((size_t)PQgetlength(res, 0, 0) == STORE_IDEM_HASH_BYTES) {
      memcpy(out->hash, PQgetvalue(res, 0, 0), STORE_IDEM_HASH_BYTES);
    }
    out->status = (int)pg_col_i64(res, 0, 1);
    out->content_type = column_copy(a, res, 2, NULL);
    out->headers = column_copy(a, res, 3, NULL);
    out->body = column_copy(a, res, 4, &out->body_len);
    out->created_at = pg_col_i64(res, 0, 5);
    if (out->content_type == NULL || out->headers == NULL || out->body == NULL) {
      rc = BH_ERR_NOMEM;
    } else {
      out->found = 1;
    }
  }
  PQclear(res);
  return rc;
}

int pgi_idem_put(pg_conn_t *c, const char *scope, const char *key, const store_idem_t *ans,
                 int64_t now) {
  pg_params_t p = {0};
  pgp_text(&p, scope);
  pgp_text(&p, key);
  pgp_bytes(&p, ans->hash, STORE_IDEM_HASH_BYTES);
  pgp_i64(&p, ans->status);
  pgp_text(&p, ans->content_type ? ans->content_type : "");
  pgp_text(&p, ans->headers ? ans->headers : "");
  pgp_bytes(&p, ans->body ? (const void *)ans->body : "", ans->body_len);
  pgp_i64(&p, now);
  PGresult *res;
  int rc = pg_run_sql(c, SQL_IDEM_PUT, &p, &res);
  if (rc == BH_OK) PQclear(res);
  return rc;
}

int pgi_idem_purge(pg_conn_t *c, int64_t before, int64_t keep, int64_t *deleted) {
  int64_t n = 0;
  pg_params_t p = {0};
  pgp_i64(&p, before);
  PGresult *res;
  int rc = pg_run_sql(c, SQL_IDEM_EXPIRE, &p, &res);
  if (rc != BH_OK) return rc;
  n += strtoll(PQcmdTuples(res), NULL, 10);
  PQclear(res);
  p = (pg_params_t){0};
  pgp_i64(&p, keep);
  rc = pg_run_sql(c, SQL_IDEM_TRIM, &p, &res);
  if (rc != BH_OK) return rc;
  n += strtoll(PQcmdTuples(res), NULL, 10);
  PQclear(res);
  *deleted = n;
  return BH_OK;
}

/* ---- the keys of a batch (store_idem_claim_many, store_idem_store_many) ---- */

static const char SQL_IDEM_CLAIM_MANY[] =
    "SELECT o_locked, o_found, o_hash, o_status, o_type, o_headers, o_body, o_created"
    " FROM idem_claim_many($1::text[], $2::text[], $3)";
static const char SQL_IDEM_PUT_MANY[] =
    "INSERT INTO idempotency_keys(scope, idem_key, request_hash, status, content_type, headers,"
    " body, created_at) SELECT u.s, u.k, decode(u.h, 'hex'), u.st, u.t, u.hd, decode(u.b, 'hex'),"
    " $8 FROM unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::text[], $6::text[],"
    " $7::text[]) AS u(s, k, h, st, t, hd, b) ON CONFLICT (scope, idem_key)"
    " DO UPDATE SET request_hash = EXCLUDED.request_hash, status = EXCLUDED.status,"
    " content_type = EXCLUDED.content_type, headers = EXCLUDED.headers, body = EXCLUDED.body,"
    " created_at = EXCLUDED.created_at";

/* Room for one array of n elements of at most each bytes (quoted, escaped, separated). */
static size_t many_cap(size_t n, size_t each) { return n * (2 * each + 4) + 2; }

int pgi_idem_claim_many(pg_conn_t *c, store_idem_item_t *items, size_t n, int64_t since) {
  buf_t scopes, keys;
  buf_init(&scopes, many_cap(n, STORE_IDEM_SCOPE_MAX));
  buf_init(&keys, many_cap(n, STORE_IDEM_KEY_MAX));
  int rc = BH_OK;
  for (size_t i = 0; i < n && rc == BH_OK; i++) {
    rc = pg_array_element(&scopes, items[i].scope);
    if (rc == BH_OK) rc = pg_array_element(&keys, items[i].key);
  }
  if (rc == BH_OK) rc = buf_putc(&scopes, '}');
  if (rc == BH_OK) rc = buf_putc(&keys, '}');
  PGresult *res = NULL;
  if (rc == BH_OK) {
    pg_params_t p = {0};
    pgp_text(&p, scopes.data);
    pgp_text(&p, keys.data);
    pgp_i64(&p, since);
    rc = pg_run_sql(c, SQL_IDEM_CLAIM_MANY, &p, &res);
  }
  if (rc == BH_OK && (size_t)PQntuples(res) != n) rc = BH_ERR_DB;
  for (size_t i = 0; i < n && rc == BH_OK; i++) {
    store_idem_item_t *it = &items[i];
    store_idem_t *out = it->old;
    *out = (store_idem_t){0};
    it->rc = pg_col_i64(res, (int)i, 0) == 1 ? BH_OK : BH_ERR_IDEM_IN_PROGRESS;
    if (pg_col_i64(res, (int)i, 1) != 1) continue;
    if (PQgetlength(res, (int)i, 2) == STORE_IDEM_HASH_BYTES) {
      memcpy(out->hash, PQgetvalue(res, (int)i, 2), STORE_IDEM_HASH_BYTES);
    }
    out->status = (int)pg_col_i64(res, (int)i, 3);
    out->content_type = pg_col_text(it->arena, res, (int)i, 4);
    out->headers = pg_col_text(it->arena, res, (int)i, 5);
    size_t blen = (size_t)PQgetlength(res, (int)i, 6);
    unsigned char *body = arena_alloc(it->arena, blen + 1);
    if (body != NULL) {
      memcpy(body, PQgetvalue(res, (int)i, 6), blen);
      body[blen] = '\0';
    }
    out->body = body;
    out->body_len = blen;
    out->created_at = pg_col_i64(res, (int)i, 7);
    if (out->content_type == NULL || out->headers == NULL || body == NULL) {
      rc = BH_ERR_NOMEM;
    } else {
      out->found = 1;
    }
  }
  PQclear(res);
  buf_free(&scopes);
  buf_free(&keys);
  return rc;
}

/* The columns of SQL_IDEM_PUT_MANY's arrays. */
enum { PUT_SCOPE, PUT_KEY, PUT_HASH, PUT_STATUS, PUT_TYPE, PUT_HEADERS, PUT_BODY, PUT_NCOLS };

int pgi_idem_put_many(pg_conn_t *c, const store_idem_item_t *items, size_t n, int64_t now) {
  size_t longest = 0;
  for (size_t i = 0; i < n; i++) {
    const store_idem_t *a = items[i].ans;
    size_t l = 2 * a->body_len;
    if (a->content_type && strlen(a->content_type) > l) l = strlen(a->content_type);
    if (a->headers && strlen(a->headers) > l) l = strlen(a->headers);
    if (l > longest) longest = l;
  }
  if (longest < 2 * STORE_IDEM_HASH_BYTES + STORE_IDEM_SCOPE_MAX + STORE_IDEM_KEY_MAX) {
    longest = 2 * STORE_IDEM_HASH_BYTES + STORE_IDEM_SCOPE_MAX + STORE_IDEM_KEY_MAX;
  }
  buf_t cols[PUT_NCOLS];
  for (int k = 0; k < PUT_NCOLS; k++) buf_init(&cols[k], many_cap(n, longest));
  int rc = BH_OK;
  for (size_t i = 0; i < n && rc == BH_OK; i++) {
    const store_idem_t *a = items[i].ans;
    char status[16];
    snprintf(status, sizeof(status), "%d", a->status);
    rc = pg_array_element(&cols[PUT_SCOPE], items[i].scope);
    if (rc == BH_OK) rc = pg_array_element(&cols[PUT_KEY], items[i].key);
    if (rc == BH_OK) rc = pg_array_hex(&cols[PUT_HASH], a->hash, STORE_IDEM_HASH_BYTES);
    if (rc == BH_OK) rc = pg_array_element(&cols[PUT_STATUS], status);
    if (rc == BH_OK) rc = pg_array_element(&cols[PUT_TYPE], a->content_type ? a->content_type : "");
    if (rc == BH_OK) rc = pg_array_element(&cols[PUT_HEADERS], a->headers ? a->headers : "");
    if (rc == BH_OK) rc = pg_array_hex(&cols[PUT_BODY], a->body, a->body ? a->body_len : 0);
  }
  pg_params_t p = {0};
  for (int k = 0; k < PUT_NCOLS && rc == BH_OK; k++) {
    rc = buf_putc(&cols[k], '}');
    pgp_text(&p, cols[k].data);
  }
  pgp_i64(&p, now);
  PGresult *res = NULL;
  if (rc == BH_OK) rc = pg_run_sql(c, SQL_IDEM_PUT_MANY, &p, &res);
  PQclear(res);
  for (int k = 0; k < PUT_NCOLS; k++) buf_free(&cols[k]);
  return rc;
}
