/*
 * store_sqlite.c - the SQLite backend of the storage interface (store.h): connections,
 * transactions, the per-connection statement cache, migrations and the bulk-load mode of the
 * import.
 *
 * One sqlite3 connection per thread (WAL mode, foreign keys on, busy timeout), every statement
 * prepared once per connection and reset after use. The resources live in their own files:
 * store_sqlite_person.c (persons, presences, status, search, registrations, import rows),
 * store_sqlite_admin.c (missions, users, tokens, sessions) and store_sqlite_audit.c (the audit
 * log, over the main file and the read-audit file). All SQL of the backend is in these files and
 * the schema files, always with bound parameters.
 */
#include <pthread.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/sqlite_schema.h"
#include "store/store_sqlite_import.h"
#include "store/store_sqlite_priv.h"
#include "util/clock.h"

static const char SQ_BEGIN[] =
    "BEGIN";

static const char SQ_BEGIN_WRITE[] =
    "BEGIN IMMEDIATE";

static const char SQ_COMMIT[] =
    "COMMIT";

static const char SQ_ROLLBACK[] =
    "ROLLBACK";

static const char SQ_PING[] =
    "SELECT 1";

static const char SQ_SAVEPOINT[] =
    "SAVEPOINT job";

static const char SQ_SAVEPOINT_RELEASE[] =
    "RELEASE job";

static const char SQ_SAVEPOINT_ROLLBACK[] =
    "ROLLBACK TO job";

static const char SQ_VERSION[] =
    "PRAGMA user_version";

static const char SQ_IMPORT_EMPTY[] =
    "SELECT NOT EXISTS (SELECT 1 FROM persons)";

/* The indexes an initial load drops and rebuilds by sorting: those whose keys are random (the
 * keyed hashes of the identity numbers), where every insert lands on another page. The other
 * indexes of the person tables end in the person's id, which only grows during a load, so their
 * inserts append at a few places and cost less than a rebuild's scan of the whole table
 * (status_events_at is not such an index, but an import writes an event only for a status
 * other than unknown). Measured in bench/README.md ("Import, session 8"). */
static const char SQ_IMPORT_INDEXES[] =
    "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND"
    " name IN ('persons_nid', 'persons_passport') ORDER BY name";

/* ---- transactions ---- */

static int sq_simple(sq_conn_t *c, const char *sql) {
  sqlite3_stmt *st = sq(c, sql);
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
    if (!import_journal(c, "PRAGMA main.journal_mode=WAL", "wal")) {
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
 * Drops the random-key indexes (SQ_IMPORT_INDEXES) inside the load's transaction, keeping their
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
  c->import_journal = empty && import_journal(c, "PRAGMA main.journal_mode=TRUNCATE", "truncate");
  /* A load into an empty registry appends; beyond the random import-key index a bigger cache
   * only costs page faults (measured: 512 MB of cache was slower than 128 MB). */
  sqlite3_exec(c->db, empty ? STORE_LOAD_CACHE : STORE_BULK_CACHE, NULL, NULL, NULL);
  sqlite3_exec(c->db, c->import_journal ? "PRAGMA synchronous=NORMAL" : "PRAGMA synchronous=OFF",
               NULL, NULL, NULL);
  if (empty) sq_import_names_open(c);
  rc = sq_begin_write(c);
  if (rc != BH_OK) {
    sq_import_names_finish(c, 0);
    import_settings_restore(c);
    return rc;
  }
  /* Asked again inside the transaction: another writer may have come first. */
  rc = import_registry_empty(c, &empty);
  if (rc == BH_OK && empty) {
    c->import_initial = 1;
    rc = import_defer_indexes(c);
  }
  sq_import_names_keep(c, c->import_initial);
  if (rc == BH_OK && c->import_initial && c->import_journal) sq_import_flush_start(c);
  if (rc != BH_OK) {
    sq_rollback(c);
    sq_import_names_finish(c, 0);
    import_deferred_free(c);
    import_settings_restore(c);
    return rc;
  }
  *initial = c->import_initial;
  return BH_OK;
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
    sq_import_names_finish(c, 0);
    rc = sq_rollback(c);
  } else {
    rc = sq_import_names_finish(c, 1);
    for (size_t i = 0; i < c->import_ndeferred && rc == BH_OK; i++) {
      rc = sq_import_exec_timed(c, c->import_deferred[i]);
    }
    if (rc == BH_OK) rc = sq_import_exec_timed(c, "COMMIT");
    if (rc == BH_OK) {
      c->in_tx = 0;
    } else {
      sq_rollback(c); /* also after a failed COMMIT: the load's transaction ends here */
    }
  }
  /* Only now, with the transaction over (see sq_import_flush_stop). */
  sq_import_flush_stop(c);
  import_deferred_free(c);
  import_settings_restore(c);
  /* Copy the load into the database file and give the WAL's space back. */
  if (rc == BH_OK) sqlite3_wal_checkpoint_v2(c->db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
  return rc;
}

/* ---- open, migrate, close ---- */

static int sq_pragmas(sqlite3 *db, enum store_sync sync) {
  /* No memory map: in WAL mode SQLite unmaps the whole file whenever another connection has
   * committed, which the audit writer did all the time (4.5 ms of CPU per filtered list with the
   * map, 1.5 ms without). Since the records of reads go to the audit file the map no longer
   * costs, but measured it did not gain either (bench/README.md), so the memory stays unused. */
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

/*
 * Attaches the read-audit file (store_sqlite_audit.c) as SQ_AUDIT_SCHEMA, in WAL mode with the
 * store's durability: a read's audit record is as durable as a write's.
 */
static int sq_attach_audit(sqlite3 *db, const sq_store_t *s) {
  char *sql = sqlite3_mprintf(
      "ATTACH DATABASE %Q AS " SQ_AUDIT_SCHEMA "; PRAGMA " SQ_AUDIT_SCHEMA ".journal_mode=WAL;"
      " PRAGMA " SQ_AUDIT_SCHEMA ".synchronous=%s;",
      s->audit_path, s->sync == STORE_SYNC_FULL ? "FULL" : s->sync == STORE_SYNC_NORMAL ? "NORMAL" : "OFF");
  if (sql == NULL) return BH_ERR_NOMEM;
  int rc = sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK ? BH_OK : BH_ERR_DB;
  sqlite3_free(sql);
  return rc;
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
  if (sq_pragmas(c->db, s->sync) != BH_OK || sq_attach_audit(c->db, s) != BH_OK) {
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

/* SQLite's memory statistics take one process-wide mutex around every allocation, which the
 * import's three threads and the server's workers then contend for; baoho never reads those
 * statistics. The setting must precede SQLite's initialisation, so it is made once, before the
 * first database of the process is opened; if something initialised SQLite earlier, the call
 * fails harmlessly and the statistics stay on. */
static void sq_global_config(void) { (void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); }

int sq_open(const char *url, const secret_t *keys, enum store_sync sync, sq_store_t **out) {
  static pthread_once_t once = PTHREAD_ONCE_INIT;
  pthread_once(&once, sq_global_config);
  sq_store_t *s = calloc(1, sizeof(*s));
  if (s == NULL) return BH_ERR_NOMEM;
  s->keys = *keys;
  s->sync = sync;
  pthread_mutex_init(&s->lock, NULL);
  pthread_key_create(&s->tls, NULL);
  s->path = strdup(url);
  /* An in-memory database gets an in-memory audit file (one per connection). */
  s->audit_path = sqlite3_mprintf(strcmp(url, ":memory:") == 0 ? "%s" : "%s-audit", url);
  if (s->path == NULL || s->audit_path == NULL) {
    sq_close(s);
    return BH_ERR_NOMEM;
  }
  sq_conn_t *c = sq_conn(s);
  int rc = c ? sq_migrate(c) : BH_ERR_IO;
  if (rc == BH_OK) rc = sq_audit_migrate(c);
  if (rc == BH_OK) rc = sq_names_upgrade(c);
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
  sqlite3_free(s->audit_path);
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

/* ---- the statement cache and helpers (store_sqlite_int.h) ---- */

sqlite3 *sq_conn_db(sq_conn_t *c) { return c->db; }

/*
 * The cache lives in the connection, which one thread uses at a time, so it needs no lock: open
 * addressing on the address of the static SQL text, linear probing. It holds the core files'
 * statements and up to SQ_STMT_CACHE_MAX of the other files'.
 */
sqlite3_stmt *sq_stmt_cached(sq_conn_t *c, const char *sql) {
  size_t h = ((uintptr_t)sql >> 3) * 0x9E3779B97F4A7C15u;
  size_t i = (h >> 20) & (SQ_STMT_SLOTS - 1);
  while (c->stmt_sql[i] != NULL) {
    if (c->stmt_sql[i] == sql) return c->stmt[i];
    i = (i + 1) & (SQ_STMT_SLOTS - 1);
  }
  if (c->nstmt >= SQ_STMT_CACHE_MAX + SQ_CORE_STMTS) {
    log_error("msg=\"statement cache full\"");
    return NULL;
  }
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v3(c->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK) {
    log_error("msg=\"prepare failed\" err=\"%s\"", sqlite3_errmsg(c->db));
    return NULL;
  }
  c->stmt_sql[i] = sql;
  c->stmt[i] = st;
  c->nstmt++;
  return st;
}

void sq_stmt_cache_drop(sq_conn_t *c) {
  for (size_t i = 0; i < SQ_STMT_SLOTS; i++) {
    if (c->stmt_sql[i] == NULL) continue;
    sqlite3_finalize(c->stmt[i]);
    c->stmt_sql[i] = NULL;
    c->stmt[i] = NULL;
  }
  c->nstmt = 0;
}

int sq_stmt_step(sqlite3_stmt *st) {
  int64_t t0 = clock_mono_us();
  int rc = sqlite3_step(st);
  store_db_time_add(clock_mono_us() - t0);
  return rc;
}

int sq_result_err(sq_conn_t *c, int rc) {
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

int sq_stmt_exec(sq_conn_t *c, sqlite3_stmt *st) {
  int rc = sq_step(st);
  int err = rc == SQLITE_DONE ? BH_OK : sq_err(c, rc);
  sqlite3_reset(st);
  sqlite3_clear_bindings(st);
  return err;
}

void sq_stmt_done(sqlite3_stmt *st) {
  sqlite3_reset(st);
  sqlite3_clear_bindings(st);
}

/* Starts a write transaction unless the caller already holds one; *owned says which. */
int sq_tx_enter(sq_conn_t *c, int *owned) {
  *owned = 0;
  if (c->in_tx) return BH_OK;
  int rc = sq_begin_write(c);
  if (rc == BH_OK) *owned = 1;
  return rc;
}

/* Ends what sq_tx_enter started: commit on success, rollback on failure. The final code. */
int sq_tx_leave(sq_conn_t *c, int owned, int rc) {
  if (!owned) return rc;
  if (rc == BH_OK) return sq_commit(c);
  sq_rollback(c);
  return rc;
}
