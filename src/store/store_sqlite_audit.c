/*
 * store_sqlite_audit.c - the audit log of the SQLite backend, kept in two files.
 *
 * Records of writes stay in the main database's audit table, committed in the same transaction
 * as the write they describe. Records of reads (appended on a connection marked with
 * sq_conn_audit_reads: the group-commit writer's) go to the table read_audit of a file of their
 * own, "<db>-audit", which every connection attaches as SQ_AUDIT_SCHEMA. Reads are audited all
 * the time; were their commits in the main file, each one would change the main file's WAL and
 * make every other connection drop its page cache and read its pages again. Committed in the
 * audit file, they leave the main file and those caches alone.
 *
 * One order over both tables: every record takes as id one more than the largest id of either
 * table, inside a transaction that holds the write locks of both files (BEGIN IMMEDIATE locks
 * every attached file, and a statement writing the main file holds its lock while it reads the
 * other), so ids are unique across the two tables and increase in commit order, whatever the
 * process. GET /api/v1/audit merges the two tables by id. Both tables are append-only
 * (triggers) and both files are written with the store's synchronous setting: a read is audited
 * durably before its data is sent, as before. Records of reads written before the split stay in
 * the main table, where the merge finds them.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "store/store_sqlite_priv.h"
#include "util/clock.h"

/* The schema of the audit file; its user_version says which of these steps it has. */
static const char *const sq_audit_schema[] = {
    /* 1: the read-audit table, append-only, like the main file's audit table. */
    "CREATE TABLE " SQ_AUDIT_SCHEMA ".read_audit ("
    "  id INTEGER PRIMARY KEY,"
    "  at INTEGER NOT NULL,"
    "  user_id INTEGER,"
    "  action TEXT NOT NULL,"
    "  object_kind TEXT,"
    "  object_id INTEGER,"
    "  client TEXT,"
    "  request_id TEXT,"
    "  detail TEXT);"
    "CREATE INDEX " SQ_AUDIT_SCHEMA ".read_audit_object ON read_audit(object_kind, object_id, id);"
    "CREATE INDEX " SQ_AUDIT_SCHEMA ".read_audit_user ON read_audit(user_id, id);"
    "CREATE TRIGGER " SQ_AUDIT_SCHEMA ".read_audit_no_update BEFORE UPDATE ON read_audit"
    "  BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;"
    "CREATE TRIGGER " SQ_AUDIT_SCHEMA ".read_audit_no_delete BEFORE DELETE ON read_audit"
    "  BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;",
};

/* The next id of either table (see the file comment). */
#define SQ_AUDIT_NEXT_ID                                                                        \
  "(SELECT max(coalesce((SELECT max(id) FROM main.audit), 0),"                                  \
  " coalesce((SELECT max(id) FROM " SQ_AUDIT_SCHEMA ".read_audit), 0)) + 1)"

static const char SQ_AUDIT_VERSION[] = "PRAGMA " SQ_AUDIT_SCHEMA ".user_version";

static const char SQ_AUDIT_INSERT[] =
    "INSERT INTO main.audit(id, at, user_id, action, object_kind, object_id, client,"
    " request_id, detail) VALUES (" SQ_AUDIT_NEXT_ID ", ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";

static const char SQ_AUDIT_READ_INSERT[] =
    "INSERT INTO " SQ_AUDIT_SCHEMA ".read_audit(id, at, user_id, action, object_kind, object_id,"
    " client, request_id, detail) VALUES (" SQ_AUDIT_NEXT_ID ", ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";

/* Each side is already in id order (rowid), so SQLite merges the two and stops at the limit. */
#define SQ_AUDIT_WHERE                                                                          \
  " WHERE id > ?1 AND (?2 = 0 OR user_id = ?2) AND (?3 IS NULL OR object_kind = ?3)"            \
  " AND (?4 = 0 OR object_id = ?4)"
#define SQ_AUDIT_COLS "id, at, user_id, action, object_kind, object_id, client, request_id, detail"
static const char SQ_AUDIT_LIST[] =
    "SELECT " SQ_AUDIT_COLS " FROM main.audit" SQ_AUDIT_WHERE " UNION ALL SELECT " SQ_AUDIT_COLS
    " FROM " SQ_AUDIT_SCHEMA ".read_audit" SQ_AUDIT_WHERE " ORDER BY 1 LIMIT ?5";

void sq_conn_audit_reads(sq_conn_t *c, int on) { c->audit_reads = on; }

int sq_audit_migrate(sq_conn_t *c) {
  sqlite3_stmt *st = sq(c, SQ_AUDIT_VERSION);
  if (st == NULL) return BH_ERR_DB;
  int step = sq_step(st);
  int version = step == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
  sq_done(st);
  if (step != SQLITE_ROW) return sq_err(c, step);
  int want = (int)(sizeof(sq_audit_schema) / sizeof(sq_audit_schema[0]));
  if (version > want) {
    fprintf(stderr, "baoho: audit file schema %d is newer than this baoho (%d)\n", version, want);
    return BH_ERR_DB;
  }
  for (int v = version + 1; v <= want; v++) {
    char *err = NULL;
    char pragma[64];
    snprintf(pragma, sizeof(pragma), "PRAGMA " SQ_AUDIT_SCHEMA ".user_version=%d", v);
    if (sqlite3_exec(c->db, "BEGIN IMMEDIATE", NULL, NULL, &err) != SQLITE_OK ||
        sqlite3_exec(c->db, sq_audit_schema[v - 1], NULL, NULL, &err) != SQLITE_OK ||
        sqlite3_exec(c->db, pragma, NULL, NULL, &err) != SQLITE_OK ||
        sqlite3_exec(c->db, "COMMIT", NULL, NULL, &err) != SQLITE_OK) {
      fprintf(stderr, "baoho: audit file migration %d failed: %s\n", v, err ? err : "?");
      sqlite3_free(err);
      sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
      return BH_ERR_DB;
    }
    log_info("msg=\"audit file migration applied\" version=%d", v);
  }
  return BH_OK;
}

int sq_audit_append(sq_conn_t *c, audit_entry_t *e) {
  /* A record of a read takes the locks of both files even outside a transaction (see above). */
  int owned = 0, rc = c->audit_reads ? tx_enter(c, &owned) : BH_OK;
  if (rc != BH_OK) return rc;
  sqlite3_stmt *st = sq(c, c->audit_reads ? SQ_AUDIT_READ_INSERT : SQ_AUDIT_INSERT);
  if (st == NULL) return tx_leave(c, owned, BH_ERR_DB);
  if (e->at == 0) e->at = clock_now();
  sqlite3_bind_int64(st, 1, e->at);
  bind_int_or_null(st, 2, e->user_id);
  bind_text(st, 3, e->action);
  bind_text(st, 4, e->object_kind);
  bind_int_or_null(st, 5, e->object_id);
  bind_text(st, 6, e->client);
  bind_text(st, 7, e->request_id);
  bind_text(st, 8, e->detail);
  rc = sq_exec(c, st);
  if (rc == BH_OK) e->id = sqlite3_last_insert_rowid(c->db);
  return tx_leave(c, owned, rc);
}

int sq_audit_list(sq_conn_t *c, const audit_filter_t *f, const store_page_t *page, arena_t *a,
                  audit_entry_t **out, size_t *n) {
  sqlite3_stmt *st = sq(c, SQ_AUDIT_LIST);
  if (st == NULL) return BH_ERR_DB;
  audit_entry_t *items = arena_calloc(a, sizeof(*items) * (size_t)page->limit);
  if (items == NULL) return BH_ERR_NOMEM;
  sqlite3_bind_int64(st, 1, page->after);
  sqlite3_bind_int64(st, 2, f->user_id);
  bind_text(st, 3, f->object_kind);
  sqlite3_bind_int64(st, 4, f->object_id);
  sqlite3_bind_int(st, 5, page->limit);
  size_t k = 0;
  int rc;
  while ((rc = sq_step(st)) == SQLITE_ROW && k < (size_t)page->limit) {
    audit_entry_t *e = &items[k++];
    e->id = sqlite3_column_int64(st, 0);
    e->at = sqlite3_column_int64(st, 1);
    e->user_id = sqlite3_column_int64(st, 2);
    e->action = col_text(a, st, 3);
    e->object_kind = col_text(a, st, 4);
    e->object_id = sqlite3_column_int64(st, 5);
    e->client = col_text(a, st, 6);
    e->request_id = col_text(a, st, 7);
    e->detail = col_text(a, st, 8);
  }
  sq_done(st);
  *out = items;
  *n = k;
  return rc == SQLITE_DONE || rc == SQLITE_ROW ? BH_OK : sq_err(c, rc);
}
