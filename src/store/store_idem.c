/*
 * store_idem.c - idempotency keys (store_idem.h): the held transaction that a request with a key
 * runs in, and the forwarding of the key's reads and writes to the backend that owns the
 * connection (sqi_ SQLite, pgi_ PostgreSQL).
 *
 * The held transaction is per thread: a connection is used by one thread at a time, and a
 * request runs on one thread from its first statement to its reply, so the state below needs no
 * lock. store.c asks store_idem_absorb before each begin, commit and rollback.
 */
#include "store/store_idem.h"

#include "store/store_idem_impl.h"
#include "store/store_impl.h"
#include "util/err.h"

#define IDEM_CALL(c, fn, ...) \
  ((c)->pg ? pgi_##fn((c)->pg, __VA_ARGS__) : sqi_##fn((c)->sq, __VA_ARGS__))

/* The connection whose transaction this thread holds (NULL: none), its nesting and its fate. */
static _Thread_local store_conn_t *idem_held;
static _Thread_local int idem_depth;
static _Thread_local int idem_doomed;

int store_idem_absorb(store_conn_t *c, enum store_idem_op op, int *rc) {
  if (idem_held == NULL || idem_held != c) return 0;
  *rc = BH_OK;
  switch (op) {
    case STORE_IDEM_BEGIN:
      idem_depth++;
      break;
    case STORE_IDEM_COMMIT:
      if (idem_depth > 0) idem_depth--;
      if (idem_doomed) *rc = BH_ERR_DB;
      break;
    case STORE_IDEM_ROLLBACK:
      if (idem_depth > 0) idem_depth--;
      idem_doomed = 1;
      break;
  }
  return 1;
}

/* Ends the hold (the transaction itself is the caller's to end). */
static void idem_release(void) {
  idem_held = NULL;
  idem_depth = 0;
  idem_doomed = 0;
}

int store_idem_begin(store_conn_t *c, const char *scope, const char *key, int64_t now,
                     arena_t *a, store_idem_t *out) {
  *out = (store_idem_t){0};
  if (idem_held != NULL) return BH_ERR_INTERNAL; /* one held transaction per thread */
  int rc = store_begin_write(c);
  if (rc != BH_OK) return rc;
  rc = IDEM_CALL(c, idem_lock, scope, key);
  if (rc == BH_OK) rc = IDEM_CALL(c, idem_get, scope, key, now - STORE_IDEM_TTL_S, a, out);
  if (rc != BH_OK || out->found) {
    store_rollback(c);
    return rc;
  }
  idem_held = c;
  idem_depth = 0;
  idem_doomed = 0;
  return BH_OK;
}

int store_idem_doomed(store_conn_t *c) { return idem_held == c && idem_doomed; }

int store_idem_finish(store_conn_t *c, const char *scope, const char *key, const store_idem_t *ans,
                      int64_t now) {
  if (idem_held != c) return BH_ERR_INTERNAL;
  int doomed = idem_doomed;
  idem_release();
  int rc = doomed ? BH_ERR_DB : IDEM_CALL(c, idem_put, scope, key, ans, now);
  if (rc == BH_OK) return store_commit(c);
  store_rollback(c);
  return rc;
}

int store_idem_abort(store_conn_t *c) {
  if (idem_held != c) return BH_OK;
  idem_release();
  return store_rollback(c);
}

int store_idem_claim(store_conn_t *c, const char *scope, const char *key, int64_t now, arena_t *a,
                     store_idem_t *out) {
  *out = (store_idem_t){0};
  int rc = IDEM_CALL(c, idem_lock, scope, key);
  if (rc == BH_OK) rc = IDEM_CALL(c, idem_get, scope, key, now - STORE_IDEM_TTL_S, a, out);
  return rc;
}

int store_idem_store(store_conn_t *c, const char *scope, const char *key, const store_idem_t *ans,
                     int64_t now) {
  return IDEM_CALL(c, idem_put, scope, key, ans, now);
}

int store_idem_claim_many(store_conn_t *c, store_idem_item_t *items, size_t n, int64_t now) {
  if (n == 0) return BH_OK;
  if (c->pg) return pgi_idem_claim_many(c->pg, items, n, now - STORE_IDEM_TTL_S);
  for (size_t i = 0; i < n; i++) {
    store_idem_item_t *it = &items[i];
    int rc = store_idem_claim(c, it->scope, it->key, now, it->arena, it->old);
    if (rc != BH_OK && rc != BH_ERR_IDEM_IN_PROGRESS) return rc;
    it->rc = rc;
  }
  return BH_OK;
}

int store_idem_store_many(store_conn_t *c, const store_idem_item_t *items, size_t n,
                          int64_t now) {
  if (n == 0) return BH_OK;
  if (c->pg) return pgi_idem_put_many(c->pg, items, n, now);
  for (size_t i = 0; i < n; i++) {
    int rc = store_idem_store(c, items[i].scope, items[i].key, items[i].ans, now);
    if (rc != BH_OK) return rc;
  }
  return BH_OK;
}

int store_idem_purge(store_conn_t *c, int64_t now, int64_t keep, int64_t *deleted) {
  int64_t n = 0;
  int rc = store_begin_write(c);
  if (rc == BH_OK) rc = IDEM_CALL(c, idem_purge, now - STORE_IDEM_TTL_S, keep, &n);
  if (rc == BH_OK) {
    rc = store_commit(c);
  } else {
    store_rollback(c);
  }
  if (deleted) *deleted = rc == BH_OK ? n : 0;
  return rc;
}
