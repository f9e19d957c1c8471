/*
 * store_sqlite_priv.h - what store_sqlite.c shares with the other files of the core SQLite
 * backend (store_sqlite_person.c, store_sqlite_admin.c, store_sqlite_audit.c) and nothing else
 * includes: the connection and store structures, and the small helpers every statement uses
 * (binding, reading columns, sealing identifiers). The files of other features use the narrower
 * store_sqlite_int.h.
 */
#ifndef BAOHO_STORE_SQLITE_PRIV_H
#define BAOHO_STORE_SQLITE_PRIV_H

#include <pthread.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "domain/secret.h"
#include "store/store.h"
#include "store/store_impl.h"
#include "store/store_sqlite.h"
#include "store/store_sqlite_int.h"
#include "util/err.h"
#include "util/log.h"

#define STORE_MAX_CONNS 256
#define STORE_BUSY_TIMEOUT_MS 10000

/* The most secondary indexes an initial load defers (see sq_import_begin). */
#define SQ_IMPORT_MAX_DEFERRED 32
/* The statements of the core backend files, on top of SQ_STMT_CACHE_MAX for the others. */
#define SQ_CORE_STMTS 128
/* Slots of a connection's statement cache (a power of two, at least twice the statements). */
#define SQ_STMT_SLOTS 1024

/* The name under which every connection attaches the read-audit file (see store_sqlite_audit.c). */
#define SQ_AUDIT_SCHEMA "ra"

struct sq_conn {
  store_conn_t handle; /* what store_conn hands out; handle.sq points back here */
  sq_store_t *store;
  sqlite3 *db;
  int in_tx;
  int audit_reads;                             /* audit records appended here are reads */
  int import_initial;                          /* an initial load runs on this connection */
  int import_journal;                          /* it left WAL for a rollback journal */
  char *import_deferred[SQ_IMPORT_MAX_DEFERRED]; /* CREATE INDEX texts it dropped (sqlite3_free) */
  size_t import_ndeferred;
  struct sq_import_names *import_names;        /* the load's name index, built apart (or NULL) */
  struct sq_import_flush *import_flush;        /* the load's early writeback (or NULL) */
  /* The statement cache: open addressing on the address of the SQL text. */
  const char *stmt_sql[SQ_STMT_SLOTS];
  sqlite3_stmt *stmt[SQ_STMT_SLOTS];
  size_t nstmt;
};

struct sq_store {
  char *path;
  char *audit_path; /* the read-audit file: path + "-audit" */
  secret_t keys;
  enum store_sync sync;
  pthread_key_t tls;
  pthread_mutex_t lock;
  sq_conn_t *conns[STORE_MAX_CONNS];
  size_t nconns;
};

/* The statement for the static SQL text sql on c (see sq_stmt_cached). */
static inline sqlite3_stmt *sq(sq_conn_t *c, const char *sql) { return sq_stmt_cached(c, sql); }
static inline int sq_step(sqlite3_stmt *st) { return sq_stmt_step(st); }
static inline int sq_err(sq_conn_t *c, int rc) { return sq_result_err(c, rc); }
static inline int sq_exec(sq_conn_t *c, sqlite3_stmt *st) { return sq_stmt_exec(c, st); }
static inline void sq_done(sqlite3_stmt *st) { sq_stmt_done(st); }
static inline int tx_enter(sq_conn_t *c, int *owned) { return sq_tx_enter(c, owned); }
static inline int tx_leave(sq_conn_t *c, int owned, int rc) { return sq_tx_leave(c, owned, rc); }

static inline void bind_text(sqlite3_stmt *st, int i, const char *s) {
  if (s == NULL) {
    sqlite3_bind_null(st, i);
  } else {
    sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
  }
}

static inline void bind_int_or_null(sqlite3_stmt *st, int i, int64_t v) {
  if (v == 0) {
    sqlite3_bind_null(st, i);
  } else {
    sqlite3_bind_int64(st, i, v);
  }
}

static inline int named(sqlite3_stmt *st, const char *name) { return sqlite3_bind_parameter_index(st, name); }

static inline void bind_named_text(sqlite3_stmt *st, const char *name, const char *s) {
  int i = named(st, name);
  if (i > 0) bind_text(st, i, s);
}

static inline void bind_scope(sqlite3_stmt *st, const store_scope_t *scope) {
  sqlite3_bind_int(st, named(st, ":all"), scope->all ? 1 : 0);
  sqlite3_bind_int64(st, named(st, ":mission"), scope->mission_id);
}

static inline void bind_filter(sqlite3_stmt *st, const person_filter_t *f) {
  bind_named_text(st, ":status", f ? f->status : NULL);
  bind_named_text(st, ":country", f ? f->country : NULL);
  bind_named_text(st, ":region", f ? f->region : NULL);
  bind_named_text(st, ":category", f ? f->category : NULL);
}

static inline const char *col_text(arena_t *a, sqlite3_stmt *st, int i) {
  const unsigned char *s = sqlite3_column_text(st, i);
  if (s == NULL) return NULL;
  return arena_strndup(a, (const char *)s, (size_t)sqlite3_column_bytes(st, i));
}

static inline json_t *col_json(sqlite3_stmt *st, int i) {
  const char *s = (const char *)sqlite3_column_text(st, i);
  size_t len = (size_t)sqlite3_column_bytes(st, i);
  /* Most list columns are empty: no parser for those. */
  if (s == NULL || (len == 2 && s[0] == '[' && s[1] == ']')) return json_array();
  json_t *j = json_loadb(s, len, 0, NULL);
  return j ? j : json_array();
}

/* Serialises j for a TEXT column; the result is malloc'd (free it) and "[]" for NULL. */
static inline char *json_text(const json_t *j) {
  if (j == NULL || (json_is_array(j) && json_array_size(j) == 0)) return strdup("[]");
  return json_dumps(j, JSON_COMPACT);
}

/* Opens a sealed identifier column into the arena; NULL if absent or unreadable. */
static inline const char *col_sealed(sq_conn_t *c, arena_t *a, sqlite3_stmt *st, int i) {
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

/*
 * The lookup key of an identity number: the first SQ_IDENTITY_KEY_BYTES bytes of its keyed hash
 * (secret_index) as a big-endian integer. persons_nid and persons_passport index this integer,
 * not the 32-byte hash: an initial load rebuilds them by sorting, and SQLite sorts integer keys
 * several times faster than blobs. Two numbers may share a key, so every lookup also compares
 * the full hash (kept unindexed in nid_hash / passport_hash). Seven bytes keep the key positive
 * in an int64, so migration_importfast computes the same value in SQL for existing rows.
 */
#define SQ_IDENTITY_KEY_BYTES 7
static inline sqlite3_int64 sq_identity_key(const unsigned char *hash) {
  sqlite3_int64 k = 0;
  for (int i = 0; i < SQ_IDENTITY_KEY_BYTES; i++) k = (k << 8) | hash[i];
  return k;
}

/* Seals an identifier and computes its lookup hash and key (sq_identity_key); binds the three
 * at i_enc, i_hash and i_key (NULL when absent). */
static inline int bind_identifier(sq_conn_t *c, sqlite3_stmt *st, int i_enc, int i_hash,
                                  int i_key, const char *kind, const char *value,
                                  unsigned char *sealed, unsigned char *hash) {
  if (value == NULL || value[0] == '\0') {
    sqlite3_bind_null(st, i_enc);
    sqlite3_bind_null(st, i_hash);
    sqlite3_bind_null(st, i_key);
    return BH_OK;
  }
  char canon[MODEL_NUMBER_MAX + 1];
  if (secret_canon_number(value, canon, sizeof(canon)) != BH_OK) return BH_ERR_INVALID;
  size_t len = strlen(canon);
  secret_seal(&c->store->keys, canon, len, sealed);
  secret_index(&c->store->keys, kind, canon, hash);
  sqlite3_bind_blob(st, i_enc, sealed, (int)(len + SECRET_SEAL_OVERHEAD), SQLITE_STATIC);
  sqlite3_bind_blob(st, i_hash, hash, SECRET_INDEX_BYTES, SQLITE_STATIC);
  sqlite3_bind_int64(st, i_key, sq_identity_key(hash));
  return BH_OK;
}

/* Creates the read-audit table in the attached audit file when it is missing. */
int sq_audit_migrate(sq_conn_t *c);
/* Rebuilds the name index with token pairs when it was written without (store_sqlite_person.c). */
int sq_names_upgrade(sq_conn_t *c);
/* Binds the columns of presence p to st from parameter first on (country, region, city,
 * address, lat, lon, category, organisation, from, until, group_id). */
void sq_presence_bind(sqlite3_stmt *st, int first, const presence_t *p);
/* Fills what a new person takes by default: created_at (now), updated_at (= created_at), status
 * "unknown" and status_at (= created_at) when they are not set. */
void sq_person_defaults(person_t *p);

#endif
