/*
 * store_sqlite_int.h - what store_sqlite.c lends to the other files of the SQLite backend
 * (store_sqlite_crisis.c) and nothing else includes: the connection's database handle, a
 * per-connection cache of statements prepared from static SQL texts, and the helpers that
 * step, reset and map results the way the rest of the backend does.
 *
 * A connection is used by one thread at a time, so its cached statements need no locking; the
 * cache is finalized when the connection closes.
 */
#ifndef BAOHO_STORE_SQLITE_INT_H
#define BAOHO_STORE_SQLITE_INT_H

#include <sqlite3.h>

#include "store/store_sqlite.h"

/* The most statements one connection caches through sq_stmt_cached. */
#define SQ_STMT_CACHE_MAX 256

/* The sqlite3 handle of c. */
sqlite3 *sq_conn_db(sq_conn_t *c);
/*
 * The statement for sql prepared on c, prepared on first use and kept until the connection
 * closes. sql must be a string with static storage: the cache is keyed by its address. NULL on
 * failure (logged), including when the cache is full.
 */
sqlite3_stmt *sq_stmt_cached(sq_conn_t *c, const char *sql);
/* Steps st, counting the time spent in the database (store_db_time_us). */
int sq_stmt_step(sqlite3_stmt *st);
/* Runs a statement that returns no rows, then resets it and clears its bindings. */
int sq_stmt_exec(sq_conn_t *c, sqlite3_stmt *st);
/* Resets st and clears its bindings. */
void sq_stmt_done(sqlite3_stmt *st);
/* Maps a SQLite result code to a bh_err as the backend does everywhere (logs the unexpected). */
int sq_result_err(sq_conn_t *c, int rc);
/* Starts a write transaction unless c holds one; *owned says which. */
int sq_tx_enter(sq_conn_t *c, int *owned /* OUT */);
/* Ends what sq_tx_enter started: commit on success, rollback on failure; the final code. */
int sq_tx_leave(sq_conn_t *c, int owned, int rc);
/* Finalizes and forgets the cached statements of c (conn_close calls it). */
void sq_stmt_cache_drop(sq_conn_t *c);

#endif
