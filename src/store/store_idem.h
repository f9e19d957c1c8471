/*
 * store_idem.h - idempotency keys: the answer to a write request kept under the key its client
 * chose, committed in the same transaction as the write itself, so that a retry of a request cut
 * off mid-commit finds either both the write and its answer, or neither.
 *
 * The API layer (api.c) drives it for a request that carries an Idempotency-Key:
 *
 *   store_idem_begin    starts a write transaction that the connection *holds*, takes the key's
 *                       lock and looks the key up. A key already answered comes back in *out
 *                       (the transaction is then over). Otherwise the transaction stays open.
 *   (the handler runs)  while the transaction is held, the handler's own store_begin,
 *                       store_begin_write and store_commit join it (they nest and do nothing),
 *                       and store_rollback marks it doomed: nothing of it will be committed.
 *   store_idem_finish   records the answer and commits everything at once, or
 *   store_idem_abort    rolls everything back.
 *
 * Keys are scoped: the same key under two scopes (two users, two check-in links) is two keys.
 * A key lives STORE_IDEM_TTL_S seconds; store_idem_purge deletes older ones and keeps at most a
 * given number. Bodies are stored as given: the caller seals what must not be kept in clear.
 * A held transaction belongs to the calling thread and its connection; functions here are
 * otherwise as thread-safe as the connection they are given.
 */
#ifndef BAOHO_STORE_IDEM_H
#define BAOHO_STORE_IDEM_H

#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

/* Limits of the keys, named once. */
#define STORE_IDEM_KEY_MAX 128      /* characters of a key (printable ASCII) */
#define STORE_IDEM_SCOPE_MAX 80     /* characters of a scope */
#define STORE_IDEM_HASH_BYTES 32    /* the request hash */
#define STORE_IDEM_TTL_S (24 * 3600) /* how long a key is remembered */

/* A stored answer. Strings and body come from the caller's arena. */
typedef struct store_idem {
  int found; /* 1 when the key was answered before (the rest is then filled) */
  unsigned char hash[STORE_IDEM_HASH_BYTES];
  int status;
  const char *content_type;
  const char *headers; /* "Name: value\n" lines, possibly empty */
  const unsigned char *body;
  size_t body_len;
  int64_t created_at;
} store_idem_t;

/*
 * Starts the held transaction for (scope, key) and looks the key up, ignoring an answer older
 * than now - STORE_IDEM_TTL_S. With out->found the transaction is rolled back before returning
 * and the caller replays (or refuses) the stored answer; without, the transaction stays held
 * until store_idem_finish or store_idem_abort. BH_ERR_IDEM_IN_PROGRESS when another transaction
 * holds the same key at this moment (nothing is held then); BH_ERR_UNAVAILABLE and the other
 * store errors likewise leave nothing held.
 */
int store_idem_begin(store_conn_t *c, const char *scope, const char *key, int64_t now,
                     arena_t *a, store_idem_t *out /* OUT */);
/* 1 when a joined store_rollback doomed the held transaction of c. */
int store_idem_doomed(store_conn_t *c);
/*
 * Stores the answer in (scope, key) inside the held transaction and commits it with everything
 * the handler wrote; the transaction is no longer held afterwards. On failure everything is
 * rolled back and the error returned (BH_ERR_UNAVAILABLE when the commit's outcome is unknown:
 * a retry with the same key then tells). A doomed transaction is rolled back with BH_ERR_DB.
 */
int store_idem_finish(store_conn_t *c, const char *scope, const char *key, const store_idem_t *ans,
                      int64_t now);
/* Rolls the held transaction back and ends it. Safe when nothing is held. */
int store_idem_abort(store_conn_t *c);
/*
 * The same, inside a write transaction the caller holds itself (a job of the group-commit
 * writer, in its savepoint; nothing is held here): store_idem_claim takes the key's lock until
 * that transaction ends and looks the key up as store_idem_begin does (BH_ERR_IDEM_IN_PROGRESS
 * when another transaction holds the key); store_idem_store records the answer, to be
 * committed with the caller's transaction.
 */
int store_idem_claim(store_conn_t *c, const char *scope, const char *key, int64_t now, arena_t *a,
                     store_idem_t *out /* OUT */);
int store_idem_store(store_conn_t *c, const char *scope, const char *key, const store_idem_t *ans,
                     int64_t now);
/*
 * The keys of a batch of answers (the group-commit writer's keyed check-ins), claimed and stored
 * together: one round trip for all on PostgreSQL, the calls above one by one on SQLite.
 */
typedef struct store_idem_item {
  const char *scope, *key;
  arena_t *arena;          /* where the claim puts old's strings */
  store_idem_t *old;       /* OUT of the claim, as store_idem_claim's out */
  int rc;                  /* OUT of the claim: BH_OK, or BH_ERR_IDEM_IN_PROGRESS */
  const store_idem_t *ans; /* what store_idem_store_many keeps under the key */
} store_idem_item_t;
/*
 * store_idem_claim for each of the n items, whose keys must be distinct (scope and key), at time
 * now: each item's rc and old say what store_idem_claim would have. Returns BH_OK, or the error
 * that fails the caller's transaction (the items are then undefined).
 */
int store_idem_claim_many(store_conn_t *c, store_idem_item_t *items, size_t n, int64_t now);
/* store_idem_store of each item's ans under its key (distinct keys), created at now. */
int store_idem_store_many(store_conn_t *c, const store_idem_item_t *items, size_t n, int64_t now);
/*
 * Deletes keys created before now - STORE_IDEM_TTL_S and, beyond the keep newest, the oldest
 * (in its own transaction; call it outside a held one). *deleted (may be NULL) gets the count.
 */
int store_idem_purge(store_conn_t *c, int64_t now, int64_t keep, int64_t *deleted /* OUT */);

#endif
