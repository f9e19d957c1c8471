/*
 * store_idem_impl.h - the two backends of store_idem.h (sqi_ SQLite in store_sqlite_idem.c, pgi_
 * PostgreSQL in store_pg_idem.c), and the hook by which store.c lets a held transaction absorb a
 * handler's own begin, commit and rollback. Only store.c and store_idem.c include it.
 */
#ifndef BAOHO_STORE_IDEM_IMPL_H
#define BAOHO_STORE_IDEM_IMPL_H

#include "store/store_idem.h"

struct sq_conn;
struct bh_pg_conn;

/*
 * Per backend, inside a transaction the caller holds:
 *   idem_lock   takes the key's lock until the transaction ends; BH_ERR_IDEM_IN_PROGRESS when
 *               another transaction has it (SQLite: the write lock of BEGIN IMMEDIATE is the lock)
 *   idem_get    reads (scope, key) created at or after since: BH_OK with out->found set or not
 *   idem_put    writes (scope, key), replacing an expired row
 *   idem_purge  deletes rows created before before and all but the keep newest
 */
#define STORE_IDEM_DECLARE(P, C)                                                                \
  int P##idem_lock(C *c, const char *scope, const char *key);                                   \
  int P##idem_get(C *c, const char *scope, const char *key, int64_t since, arena_t *a,          \
                  store_idem_t *out);                                                           \
  int P##idem_put(C *c, const char *scope, const char *key, const store_idem_t *ans,            \
                  int64_t now);                                                                 \
  int P##idem_purge(C *c, int64_t before, int64_t keep, int64_t *deleted);

/* The batch calls of store_idem.h, on PostgreSQL only (SQLite claims and stores one by one). */
int pgi_idem_claim_many(struct bh_pg_conn *c, store_idem_item_t *items, size_t n, int64_t since);
int pgi_idem_put_many(struct bh_pg_conn *c, const store_idem_item_t *items, size_t n,
                      int64_t now);

STORE_IDEM_DECLARE(sqi_, struct sq_conn)
STORE_IDEM_DECLARE(pgi_, struct bh_pg_conn)

/* What a handler asked of store.c while a transaction may be held. */
enum store_idem_op { STORE_IDEM_BEGIN, STORE_IDEM_COMMIT, STORE_IDEM_ROLLBACK };

/*
 * Returns 1 when c holds an idempotent transaction on this thread and op was absorbed into it
 * (*rc is then the result to return: begin nests, commit un-nests, and is BH_ERR_DB once the
 * transaction is doomed; rollback dooms it), 0 when store.c must run op itself.
 */
int store_idem_absorb(store_conn_t *c, enum store_idem_op op, int *rc /* OUT */);

#endif
