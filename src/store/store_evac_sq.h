/*
 * store_evac_sq.h - the helpers of the SQLite evacuation backend (store_sqlite_evac.c) that the
 * SQLite crisis backend (store_sqlite_crisis.c) shares: binding parameters (by position or by
 * name, NULL strings as SQL NULL) and reading text and JSON columns. Only files of the SQLite
 * backend include it.
 */
#ifndef BAOHO_STORE_EVAC_SQ_H
#define BAOHO_STORE_EVAC_SQ_H

#include <jansson.h>
#include <sqlite3.h>
#include <stdint.h>

#include "store/store.h"
#include "util/arena.h"

/* Binds s (borrowed until the statement is reset) at parameter i; NULL binds SQL NULL. */
void sqe_bind_text(sqlite3_stmt *st, int i, const char *s);

/* Bind s or v to the parameter named name (":name"), when st has one; nothing otherwise. */
void sqe_bind_named_text(sqlite3_stmt *st, const char *name, const char *s);
void sqe_bind_named_i64(sqlite3_stmt *st, const char *name, int64_t v);

/* Binds scope to the parameters :all and :mission that st has. */
void sqe_bind_scope(sqlite3_stmt *st, const store_scope_t *scope);

/* Column i of the current row as text copied into a, or NULL for SQL NULL. */
const char *sqe_col_text(arena_t *a, sqlite3_stmt *st, int i);

/* Column i of the current row as JSON: a new reference, NULL for SQL NULL or unreadable text. */
json_t *sqe_col_json_or_null(sqlite3_stmt *st, int i);

#endif
