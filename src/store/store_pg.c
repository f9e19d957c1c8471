/*
 * store_pg.c - the PostgreSQL backend of the storage interface (store.h): connections,
 * statements, transactions, migrations, missions, users, credentials, registrations and audit.
 * Persons, presences and statuses are in store_pg_person.c; the SQL of both is the table in
 * store_pg_int.h.
 *
 * One libpq connection per thread (the pool is the worker threads), every statement prepared
 * once per session and run with bound parameters. A lost session is reset on the next use
 * outside a transaction, and the call that met the loss fails with BH_ERR_UNAVAILABLE; a
 * multi-host URL with target_session_attrs=read-write then finds the new primary by itself.
 * synchronous_commit stays at the server's setting, except inside store_bulk_begin's batch.
 * BEGIN, SAVEPOINT, RELEASE and ROLLBACK TO are held back and sent in one libpq pipeline with
 * the next statement (pg_queue), so that they cost no round trip of their own.
 */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/pg_schema.h"
#include "store/store_officer_impl.h"
#include "store/store_pg_int.h"
#include "util/clock.h"
#include "util/err.h"
#include "util/log.h"

/* Taken by every node that migrates, so that nodes starting together apply migrations once. */
#define PG_MIGRATE_LOCK 0x62616f686f01LL

static const char *const pg_sql[PG_COUNT] = {
#define PG_TEXT(name, sql) sql,
    PG_TABLE(PG_TEXT)
#undef PG_TEXT
};

/* ---- parameters ---- */

static void pgp_push(pg_params_t *p, const char *v, int len, int fmt) {
  if (p->n >= PG_MAX_PARAMS) {
    log_error("msg=\"too many statement parameters\"");
    return;
  }
  p->v[p->n] = v;
  p->len[p->n] = len;
  p->fmt[p->n] = fmt;
  p->n++;
}

void pgp_text(pg_params_t *p, const char *s) { pgp_push(p, s, 0, 0); }

void pgp_i64(pg_params_t *p, int64_t v) {
  if (p->n >= PG_MAX_PARAMS) {
    pgp_push(p, NULL, 0, 0); /* logs */
    return;
  }
  snprintf(p->num[p->n], sizeof(p->num[0]), "%lld", (long long)v);
  pgp_push(p, p->num[p->n], 0, 0);
}

void pgp_i64_or_null(pg_params_t *p, int64_t v) {
  if (v == 0) {
    pgp_push(p, NULL, 0, 0);
  } else {
    pgp_i64(p, v);
  }
}

void pgp_f64(pg_params_t *p, double v) {
  if (p->n >= PG_MAX_PARAMS) {
    pgp_push(p, NULL, 0, 0); /* logs */
    return;
  }
  snprintf(p->num[p->n], sizeof(p->num[0]), "%.17g", v);
  pgp_push(p, p->num[p->n], 0, 0);
}

void pgp_bytes(pg_params_t *p, const void *b, size_t len) {
  pgp_push(p, b, b ? (int)len : 0, 1);
}

void pgp_scope(pg_params_t *p, const store_scope_t *scope) {
  pgp_i64(p, scope->all ? 1 : 0);
  pgp_i64(p, scope->mission_id);
}

void pgp_filter(pg_params_t *p, const person_filter_t *f) {
  pgp_text(p, f ? f->status : NULL);
  pgp_text(p, f ? f->country : NULL);
  pgp_text(p, f ? f->region : NULL);
  pgp_text(p, f ? f->category : NULL);
}

/* ---- results ---- */

int pg_array_element(buf_t *b, const char *s) {
  int rc = buf_putc(b, b->len == 0 ? '{' : ',');
  if (rc != BH_OK) return rc;
  if (s == NULL) return buf_puts(b, "NULL");
  rc = buf_putc(b, '"');
  for (; rc == BH_OK && *s; s++) {
    if (*s == '"' || *s == '\\') rc = buf_putc(b, '\\');
    if (rc == BH_OK) rc = buf_putc(b, *s);
  }
  return rc == BH_OK ? buf_putc(b, '"') : rc;
}

int pg_array_hex(buf_t *b, const void *v, size_t n) {
  static const char hex[] = "0123456789abcdef";
  const unsigned char *p = v;
  int rc = buf_putc(b, b->len == 0 ? '{' : ',');
  for (size_t i = 0; i < n && rc == BH_OK; i++) {
    rc = buf_putc(b, hex[p[i] >> 4]);
    if (rc == BH_OK) rc = buf_putc(b, hex[p[i] & 15]);
  }
  /* An empty value is the empty string, quoted (an unquoted nothing is not an element). */
  if (rc == BH_OK && n == 0) rc = buf_puts(b, "\"\"");
  return rc;
}

int64_t pg_col_i64(const PGresult *r, int row, int col) {
  if (PQgetisnull(r, row, col)) return 0;
  const unsigned char *b = (const unsigned char *)PQgetvalue(r, row, col);
  int len = PQgetlength(r, row, col);
  uint64_t v = 0;
  for (int i = 0; i < len && i < 8; i++) v = (v << 8) | b[i];
  switch (len) {
    case 1: return (int8_t)v;
    case 2: return (int16_t)v;
    case 4: return (int32_t)v;
    default: return (int64_t)v;
  }
}

double pg_col_f64(const PGresult *r, int row, int col) {
  if (PQgetisnull(r, row, col) || PQgetlength(r, row, col) != 8) return 0.0;
  const unsigned char *b = (const unsigned char *)PQgetvalue(r, row, col);
  uint64_t v = 0;
  for (int i = 0; i < 8; i++) v = (v << 8) | b[i];
  double d;
  memcpy(&d, &v, sizeof(d));
  return d;
}

const char *pg_col_text(arena_t *a, const PGresult *r, int row, int col) {
  if (PQgetisnull(r, row, col)) return NULL;
  return arena_strndup(a, PQgetvalue(r, row, col), (size_t)PQgetlength(r, row, col));
}

json_t *pg_col_json(const PGresult *r, int row, int col) {
  json_t *j = PQgetisnull(r, row, col)
                  ? NULL
                  : json_loadb(PQgetvalue(r, row, col), (size_t)PQgetlength(r, row, col), 0, NULL);
  return j ? j : json_array();
}

/* ---- running statements ---- */

/* A session is lost: no statement runs on it until it was reset outside a transaction. */
static int pg_lost(pg_conn_t *c) {
  c->broken = 1;
  return BH_ERR_UNAVAILABLE;
}

/*
 * Whether an idle session was closed by the server (a restart, a terminated backend): it then
 * has a farewell message or end-of-file waiting. Baoho listens to no notifications, so anything
 * to read on an idle session means it is going away. Costs one poll, no round trip.
 */
static int pg_closed_while_idle(pg_conn_t *c) {
  struct pollfd pfd = {.fd = PQsocket(c->db), .events = POLLIN};
  if (pfd.fd < 0) return 1;
  return poll(&pfd, 1, 0) != 0;
}

/*
 * The session's last error as one line for the log: libpq's message spans lines (one per host
 * of a multi-host URL) and quotes host names, which would break the key=value format. Writes
 * into buf (size bytes, truncated) and returns it.
 */
static const char *pg_error_line(pg_conn_t *c, char *buf, size_t size) {
  const char *m = PQerrorMessage(c->db);
  size_t n = 0;
  for (; *m != '\0' && n + 1 < size; m++) {
    char ch = *m;
    if (ch == '\n' || ch == '\r' || ch == '\t') ch = ' ';
    if (ch == '"' || ch == '\\') ch = '\'';
    if (ch == ' ' && (n == 0 || buf[n - 1] == ' ')) continue;
    buf[n++] = ch;
  }
  while (n > 0 && buf[n - 1] == ' ') n--;
  buf[n] = '\0';
  return buf;
}

/*
 * Makes the session usable: outside a transaction, resets a session that was lost or that the
 * server closed since its last use, so that a node finds its way back (to the new primary of
 * a multi-host URL) without failing a request when it can.
 */
static int pg_ready(pg_conn_t *c) {
  if (!c->broken && PQstatus(c->db) == CONNECTION_OK && (c->in_tx || !pg_closed_while_idle(c))) {
    return BH_OK;
  }
  if (c->in_tx) return BH_ERR_UNAVAILABLE; /* the transaction died with the session */
  PQreset(c->db);
  if (PQstatus(c->db) != CONNECTION_OK) {
    char err[512];
    log_warn("msg=\"database connection lost\" err=\"%s\"", pg_error_line(c, err, sizeof(err)));
    c->broken = 1;
    return BH_ERR_UNAVAILABLE;
  }
  memset(c->prepared, 0, sizeof(c->prepared));
  c->nadhoc = 0;
  c->nqueued = 0;
  c->tx_failed = 0;
  c->broken = 0;
  log_info("msg=\"database connection reset\"");
  return BH_OK;
}

/* Maps a failed result to a bh_err, logging what is not an expected outcome. */
static int pg_err(pg_conn_t *c, const PGresult *res) {
  const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
  if (PQstatus(c->db) != CONNECTION_OK || state == NULL) return pg_lost(c);
  if (strncmp(state, "23", 2) == 0) return BH_ERR_CONFLICT;
  if (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0 || strcmp(state, "55P03") == 0) {
    return BH_ERR_UNAVAILABLE;
  }
  /* Connection failures, shutdowns, and a primary that became a standby: find another. */
  if (strncmp(state, "08", 2) == 0 || strncmp(state, "57P", 3) == 0 || strcmp(state, "25006") == 0) {
    log_warn("msg=\"database session unusable\" sqlstate=%s", state);
    return pg_lost(c);
  }
  /* Only the primary message: details may quote the values of the row. */
  const char *msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
  log_error("msg=\"postgresql error\" sqlstate=%s err=\"%s\"", state, msg ? msg : "?");
  return BH_ERR_DB;
}

static int pg_prepare(pg_conn_t *c, enum pg_stmt id) {
  if (c->prepared[id]) return BH_OK;
  /* What is held back runs first: a ROLLBACK TO among it may end an aborted state in which
   * the server would refuse to prepare. */
  int rc = pg_flush(c);
  if (rc != BH_OK) return rc;
  char name[16];
  snprintf(name, sizeof(name), "s%d", (int)id);
  PGresult *res = PQprepare(c->db, name, pg_sql[id], 0, NULL);
  rc = PQresultStatus(res) == PGRES_COMMAND_OK ? BH_OK : pg_err(c, res);
  if (rc == BH_ERR_DB) log_error("msg=\"prepare failed\" stmt=%d", (int)id);
  PQclear(res);
  if (rc == BH_OK) c->prepared[id] = 1;
  return rc;
}

/* Takes the result of one statement: BH_OK with it in *out (or cleared when out is NULL). */
static int pg_take(pg_conn_t *c, PGresult *res, PGresult **out) {
  ExecStatusType st = PQresultStatus(res);
  if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK) {
    if (out != NULL) {
      *out = res;
    } else {
      PQclear(res);
    }
    return BH_OK;
  }
  int rc = pg_err(c, res);
  PQclear(res);
  return rc;
}

/*
 * Sends the held-back statements, then the prepared statement name with p (none when name is
 * NULL), in one pipeline: one round trip instead of one each. When a held-back statement
 * fails, the server skips the rest of the pipeline, and its error is the result. The session
 * leaves pipeline mode before returning.
 */
static int pg_pipeline(pg_conn_t *c, const char *name, const pg_params_t *p, PGresult **out) {
  int n = c->nqueued, rc = BH_OK;
  c->nqueued = 0;
  if (PQenterPipelineMode(c->db) != 1) return pg_lost(c);
  /* Sent as text, not prepared: parsing a transaction control statement costs nothing, and a
   * RELEASE could not be prepared ahead while the transaction is aborted, before its ROLLBACK
   * TO has run. */
  int sent = 1;
  for (int i = 0; i < n && sent; i++) {
    sent = PQsendQueryParams(c->db, pg_sql[c->queued[i]], 0, NULL, NULL, NULL, NULL, 0) == 1;
  }
  if (sent && name != NULL) {
    sent = PQsendQueryPrepared(c->db, name, p ? p->n : 0, p ? p->v : NULL, p ? p->len : NULL,
                               p ? p->fmt : NULL, 1) == 1;
  }
  if (!sent || PQpipelineSync(c->db) != 1) return pg_lost(c);
  /* One result and its terminating NULL per statement, then the end of the pipeline. */
  int total = n + (name != NULL);
  for (int i = 0; i < total; i++) {
    PGresult *res = PQgetResult(c->db);
    if (res == NULL) return pg_lost(c);
    if (PQresultStatus(res) == PGRES_PIPELINE_ABORTED) {
      PQclear(res); /* skipped after an earlier failure, whose error rc already holds */
    } else {
      int r = pg_take(c, res, i == n && rc == BH_OK ? out : NULL);
      if (rc == BH_OK) rc = r;
    }
    if (c->broken) return rc;
    PGresult *end = PQgetResult(c->db);
    if (end != NULL) {
      PQclear(end);
      return pg_lost(c);
    }
  }
  PGresult *sync = PQgetResult(c->db);
  int synced = sync != NULL && PQresultStatus(sync) == PGRES_PIPELINE_SYNC;
  PQclear(sync);
  if (!synced || PQexitPipelineMode(c->db) != 1) {
    if (out != NULL && *out != NULL) {
      PQclear(*out);
      *out = NULL;
    }
    return pg_lost(c);
  }
  if (rc != BH_OK && out != NULL && *out != NULL) {
    PQclear(*out);
    *out = NULL;
  }
  return rc;
}

/* Runs the prepared statement name with p after what the session holds back. */
static int pg_call(pg_conn_t *c, const char *name, const pg_params_t *p, PGresult **out) {
  if (c->tx_failed) return BH_ERR_DB; /* see pg_savepoint_release */
  int64_t t0 = clock_mono_us();
  int rc;
  if (c->nqueued > 0) {
    rc = pg_pipeline(c, name, p, out);
  } else {
    PGresult *res = PQexecPrepared(c->db, name, p ? p->n : 0, p ? p->v : NULL,
                                   p ? p->len : NULL, p ? p->fmt : NULL, 1);
    rc = pg_take(c, res, out);
  }
  store_db_time_add(clock_mono_us() - t0);
  return rc;
}

/*
 * Holds back statement id (no parameters, no rows: transaction control) until the next
 * statement, which takes it along in its round trip. Inside a transaction nothing else runs on
 * the session in between, so the order of effects is the same; an error of id is reported by
 * that next statement (or by pg_flush).
 */
static int pg_queue(pg_conn_t *c, enum pg_stmt id) {
  if (c->nqueued == PG_QUEUE_MAX) {
    int rc = pg_flush(c);
    if (rc != BH_OK) return rc;
  }
  c->queued[c->nqueued++] = (unsigned char)id;
  return BH_OK;
}

int pg_flush(pg_conn_t *c) {
  if (c->nqueued == 0) return BH_OK;
  int rc = pg_ready(c);
  if (rc != BH_OK) return rc;
  int64_t t0 = clock_mono_us();
  rc = pg_pipeline(c, NULL, NULL, NULL);
  store_db_time_add(clock_mono_us() - t0);
  return rc;
}

int pg_run(pg_conn_t *c, enum pg_stmt id, const pg_params_t *p, PGresult **out) {
  *out = NULL;
  int rc = pg_ready(c);
  if (rc == BH_OK) rc = pg_prepare(c, id);
  if (rc != BH_OK) return rc;
  char name[16];
  snprintf(name, sizeof(name), "s%d", (int)id);
  return pg_call(c, name, p, out);
}

int pg_exec(pg_conn_t *c, enum pg_stmt id, const pg_params_t *p, int64_t *changes) {
  PGresult *res;
  int rc = pg_run(c, id, p, &res);
  if (rc != BH_OK) return rc;
  if (changes) *changes = strtoll(PQcmdTuples(res), NULL, 10);
  PQclear(res);
  return BH_OK;
}

int pg_scalar(pg_conn_t *c, enum pg_stmt id, const pg_params_t *p, int64_t *v) {
  PGresult *res;
  int rc = pg_run(c, id, p, &res);
  if (rc != BH_OK) return rc;
  if (PQntuples(res) > 0) {
    *v = pg_col_i64(res, 0, 0);
  } else {
    rc = BH_ERR_NOT_FOUND;
  }
  PQclear(res);
  return rc;
}

/* ---- transactions ---- */

/*
 * BEGIN goes with the transaction's first statement. The session is made usable first, while
 * a lost one can still be reset.
 */
int pg_begin(pg_conn_t *c) {
  int rc = pg_ready(c);
  if (rc == BH_OK) rc = pg_queue(c, PG_BEGIN);
  if (rc == BH_OK) {
    c->in_tx = 1;
    c->tx_failed = 0;
  }
  return rc;
}

/* Whether the server has seen the transaction: its BEGIN is no longer held back. */
static int pg_tx_sent(const pg_conn_t *c) { return c->nqueued == 0 || c->queued[0] != PG_BEGIN; }

/* Writers do not serialise on a lock as in SQLite: rows are locked as they are written. */
int pg_begin_write(pg_conn_t *c) { return pg_begin(c); }

/*
 * Ends what is left of a transaction whose COMMIT did not run: a held-back statement before it
 * failed, and the server skipped the COMMIT (the rest of the pipeline) and still holds the
 * failed transaction.
 */
static void pg_tx_abandon(pg_conn_t *c) {
  if (!c->broken && PQstatus(c->db) == CONNECTION_OK &&
      PQtransactionStatus(c->db) != PQTRANS_IDLE) {
    PQclear(PQexec(c->db, "ROLLBACK"));
  }
}

int pg_commit(pg_conn_t *c) {
  if (!pg_tx_sent(c) && !c->tx_failed) { /* no statement ran: nothing to commit */
    c->nqueued = 0;
    c->in_tx = 0;
    return BH_OK;
  }
  if (c->tx_failed) {
    pg_rollback(c);
    return BH_ERR_DB;
  }
  PGresult *res;
  int rc = pg_run(c, PG_COMMIT, NULL, &res);
  c->in_tx = 0;
  if (rc != BH_OK) {
    pg_tx_abandon(c);
    return rc;
  }
  /* COMMIT of a transaction that failed earlier answers ROLLBACK: nothing was written. */
  if (strcmp(PQcmdStatus(res), "ROLLBACK") == 0) rc = BH_ERR_DB;
  PQclear(res);
  return rc;
}

int pg_rollback(pg_conn_t *c) {
  if (!c->in_tx) return BH_OK;
  int sent = pg_tx_sent(c);
  c->nqueued = 0; /* what is held back dies with the transaction */
  c->tx_failed = 0;
  int rc = c->broken || !sent ? BH_OK : pg_exec(c, PG_ROLLBACK, NULL, NULL);
  c->in_tx = 0;
  return rc;
}

int pg_tx_enter(pg_conn_t *c, int *owned) {
  *owned = 0;
  if (c->in_tx) return BH_OK;
  int rc = pg_begin_write(c);
  if (rc == BH_OK) *owned = 1;
  return rc;
}

int pg_tx_leave(pg_conn_t *c, int owned, int rc) {
  if (!owned) return rc;
  if (rc == BH_OK) return pg_commit(c);
  pg_rollback(c);
  return rc;
}

/*
 * Savepoints are held back like BEGIN: a job of the group-commit writer costs no round trip
 * of its own for them. A savepoint released or rolled back before any statement ran is simply
 * forgotten.
 */
int pg_savepoint(pg_conn_t *c) { return pg_queue(c, PG_SAVEPOINT); }

int pg_savepoint_release(pg_conn_t *c) {
  if (c->nqueued > 0 && c->queued[c->nqueued - 1] == PG_SAVEPOINT) {
    c->nqueued--;
    return BH_OK;
  }
  /* A statement since the savepoint failed, yet its caller carries on as if it had not: the
   * transaction may not commit (a RELEASE sent at once would fail too, and the COMMIT answer
   * ROLLBACK). The libpq status is that of the last statement's end: no round trip. */
  if (c->tx_failed || PQtransactionStatus(c->db) == PQTRANS_INERROR) {
    c->tx_failed = 1;
    return BH_ERR_DB;
  }
  return pg_queue(c, PG_SAVEPOINT_RELEASE);
}

int pg_savepoint_rollback(pg_conn_t *c) {
  if (c->tx_failed) return BH_ERR_DB;
  if (c->nqueued > 0 && c->queued[c->nqueued - 1] == PG_SAVEPOINT) {
    c->nqueued--;
    return BH_OK;
  }
  int rc = pg_queue(c, PG_SAVEPOINT_ROLLBACK);
  if (rc == BH_OK) rc = pg_queue(c, PG_SAVEPOINT_RELEASE);
  return rc;
}

/* The batch commits without waiting for the WAL flush (and replicas); a crash may lose it. */
int pg_bulk_begin(pg_conn_t *c) {
  int rc = pg_begin_write(c);
  if (rc == BH_OK) rc = pg_exec(c, PG_BULK, NULL, NULL);
  return rc;
}

int pg_bulk_end(pg_conn_t *c) { return pg_commit(c); }

/* ---- open, migrate, close ---- */

static void pg_notice(void *arg, const char *message) {
  (void)arg;
  (void)message; /* "relation already exists, skipping" and the like */
}

static int conn_open(pg_store_t *s, pg_conn_t **out) {
  pg_conn_t *c = calloc(1, sizeof(*c));
  if (c == NULL) return BH_ERR_NOMEM;
  c->store = s;
  c->handle.pg = c;
  /* Defaults first: the URL (expanded from dbname, last) overrides any of them. JIT is off:
   * baoho's statements are short, and a generic plan whose estimate passes jit_above_cost
   * (arrays of unknown length estimate a thousand rows) paid 20 ms of compilation at every
   * execution for a statement that runs in 0.3 ms (bench/README.md, issue 8, sixth pass). */
  const char *const keys[] = {"connect_timeout", "application_name", "options", "dbname", NULL};
  const char *const vals[] = {"5", "baoho", "-c jit=off", s->url, NULL};
  c->db = PQconnectdbParams(keys, vals, 1);
  if (c->db == NULL) {
    free(c);
    return BH_ERR_NOMEM;
  }
  PQsetNoticeProcessor(c->db, pg_notice, NULL);
  if (PQstatus(c->db) != CONNECTION_OK) {
    char err[512];
    log_warn("msg=\"cannot connect to the database\" err=\"%s\"",
             pg_error_line(c, err, sizeof(err)));
    c->broken = 1; /* retried on first use */
  }
  *out = c;
  return BH_OK;
}

static void conn_close(pg_conn_t *c) {
  if (c == NULL) return;
  PQfinish(c->db);
  free(c);
}

/* Runs one simple-protocol command of the migration transaction; logs and fails on error. */
static int migrate_cmd(pg_conn_t *c, const char *sql, PGresult **keep) {
  PGresult *res = PQexec(c->db, sql);
  ExecStatusType st = PQresultStatus(res);
  if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
    fprintf(stderr, "baoho: database migration failed: %s", PQerrorMessage(c->db));
    PQclear(res);
    return BH_ERR_DB;
  }
  if (keep) {
    *keep = res;
  } else {
    PQclear(res);
  }
  return BH_OK;
}

static int pg_migrate(pg_conn_t *c) {
  if (PQstatus(c->db) != CONNECTION_OK) {
    fprintf(stderr, "baoho: cannot connect to the database: %s", PQerrorMessage(c->db));
    return BH_ERR_IO;
  }
  char lock[96];
  snprintf(lock, sizeof(lock), "SELECT pg_advisory_xact_lock(%lld)", (long long)PG_MIGRATE_LOCK);
  PGresult *res = NULL;
  int rc = migrate_cmd(c, "BEGIN", NULL);
  if (rc == BH_OK) rc = migrate_cmd(c, lock, NULL);
  if (rc == BH_OK) {
    rc = migrate_cmd(c,
                     "CREATE TABLE IF NOT EXISTS schema_version (one INTEGER PRIMARY KEY"
                     " CHECK (one = 1), version INTEGER NOT NULL);"
                     "INSERT INTO schema_version VALUES (1, 0) ON CONFLICT DO NOTHING",
                     NULL);
  }
  if (rc == BH_OK) rc = migrate_cmd(c, "SELECT version FROM schema_version", &res);
  size_t version = 0, want = pg_schema_count();
  if (rc == BH_OK) {
    version = (size_t)strtoul(PQgetvalue(res, 0, 0), NULL, 10);
    PQclear(res);
    if (version > want) {
      fprintf(stderr, "baoho: database schema %zu is newer than this baoho (%zu)\n", version, want);
      rc = BH_ERR_DB;
    }
  }
  for (size_t v = version + 1; rc == BH_OK && v <= want; v++) {
    char set[80];
    snprintf(set, sizeof(set), "UPDATE schema_version SET version = %zu", v);
    rc = migrate_cmd(c, pg_schema_migration(v), NULL);
    if (rc == BH_OK) rc = migrate_cmd(c, set, NULL);
    if (rc == BH_OK) log_info("msg=\"migration applied\" version=%zu", v);
  }
  if (rc == BH_OK) rc = migrate_cmd(c, "COMMIT", NULL);
  if (rc != BH_OK) PQclear(PQexec(c->db, "ROLLBACK"));
  return rc;
}

int pg_open(const char *url, const secret_t *keys, enum store_sync sync, pg_store_t **out) {
  (void)sync; /* durability is the server's synchronous_commit (and its replication) */
  pg_store_t *s = calloc(1, sizeof(*s));
  if (s == NULL) return BH_ERR_NOMEM;
  s->url = strdup(url);
  s->keys = *keys;
  pthread_mutex_init(&s->lock, NULL);
  pthread_key_create(&s->tls, NULL);
  pg_conn_t *c = s->url ? pg_conn(s) : NULL;
  int rc = c ? pg_migrate(c) : BH_ERR_NOMEM;
  if (rc != BH_OK) {
    pg_close(s);
    return rc;
  }
  *out = s;
  return BH_OK;
}

void pg_close(pg_store_t *s) {
  if (s == NULL) return;
  for (size_t i = 0; i < s->nconns; i++) conn_close(s->conns[i]);
  pthread_key_delete(s->tls);
  pthread_mutex_destroy(&s->lock);
  free(s->url);
  free(s);
}

store_conn_t *pg_conn_handle(pg_conn_t *c) { return &c->handle; }

pg_conn_t *pg_conn(pg_store_t *s) {
  pg_conn_t *c = pthread_getspecific(s->tls);
  if (c != NULL) return c;
  pthread_mutex_lock(&s->lock);
  if (s->nconns < PG_MAX_CONNS && conn_open(s, &c) == BH_OK) {
    s->conns[s->nconns++] = c;
    pthread_setspecific(s->tls, c);
  } else {
    c = NULL;
    log_error("msg=\"no database connection for thread\"");
  }
  pthread_mutex_unlock(&s->lock);
  return c;
}

int pg_schema_version(pg_conn_t *c, int *version) {
  int64_t v = 0;
  int rc = pg_scalar(c, PG_VERSION, NULL, &v);
  *version = (int)v;
  return rc == BH_ERR_NOT_FOUND ? BH_ERR_DB : rc;
}

int pg_ping(pg_conn_t *c) { return pg_exec(c, PG_PING, NULL, NULL); }

/* ---- missions ---- */

/* The jurisdiction as space-separated codes (malloc'd; free it). */
static char *mission_countries_text(const json_t *jur) {
  size_t n = json_array_size(jur), len = 0;
  char *out = malloc(n * 3 + 1);
  if (out == NULL) return NULL;
  out[0] = '\0';
  size_t i;
  json_t *v;
  json_array_foreach(jur, i, v) {
    const char *cc = json_string_value(v);
    if (cc == NULL || strlen(cc) != 2 || strchr(cc, ' ')) continue; /* ISO 3166-1 alpha-2 */
    len += (size_t)sprintf(out + len, "%s%s", len ? " " : "", cc);
  }
  return out;
}

static int mission_countries_write(pg_conn_t *c, int64_t id, const json_t *jur) {
  char *text = mission_countries_text(jur);
  if (text == NULL) return BH_ERR_NOMEM;
  pg_params_t p = {0};
  pgp_i64(&p, id);
  int rc = pg_exec(c, PG_MISSION_COUNTRY_DELETE, &p, NULL);
  pgp_text(&p, text);
  if (rc == BH_OK) rc = pg_exec(c, PG_MISSION_COUNTRY_INSERT, &p, NULL);
  free(text);
  return rc;
}

static void mission_bind(pg_params_t *p, const mission_t *m) {
  pgp_text(p, m->kind);
  pgp_text(p, m->name);
  pgp_text(p, m->city);
  pgp_text(p, m->country);
  pgp_text(p, m->hotline);
  pgp_text(p, m->email);
  pgp_text(p, m->timezone);
}

int pg_mission_create(pg_conn_t *c, mission_t *m) {
  int owned, rc = pg_tx_enter(c, &owned);
  if (rc != BH_OK) return rc;
  m->created_at = m->updated_at = clock_now();
  pg_params_t p = {0};
  mission_bind(&p, m);
  pgp_i64(&p, m->created_at);
  rc = pg_scalar(c, PG_MISSION_INSERT, &p, &m->id);
  if (rc == BH_OK) rc = mission_countries_write(c, m->id, m->jurisdiction);
  return pg_tx_leave(c, owned, rc);
}

int pg_mission_update(pg_conn_t *c, const mission_t *m) {
  int owned, rc = pg_tx_enter(c, &owned);
  if (rc != BH_OK) return rc;
  pg_params_t p = {0};
  pgp_i64(&p, m->id);
  mission_bind(&p, m);
  pgp_i64(&p, clock_now());
  int64_t changes = 0;
  rc = pg_exec(c, PG_MISSION_UPDATE, &p, &changes);
  if (rc == BH_OK && changes == 0) rc = BH_ERR_NOT_FOUND;
  if (rc == BH_OK) rc = mission_countries_write(c, m->id, m->jurisdiction);
  return pg_tx_leave(c, owned, rc);
}

static int mission_read(const PGresult *r, int row, arena_t *a, mission_t *m) {
  memset(m, 0, sizeof(*m));
  m->id = pg_col_i64(r, row, 0);
  m->kind = pg_col_text(a, r, row, 1);
  m->name = pg_col_text(a, r, row, 2);
  m->city = pg_col_text(a, r, row, 3);
  if (!PQgetisnull(r, row, 4)) {
    snprintf(m->country, sizeof(m->country), "%.*s", PQgetlength(r, row, 4), PQgetvalue(r, row, 4));
  }
  m->hotline = pg_col_text(a, r, row, 5);
  m->email = pg_col_text(a, r, row, 6);
  m->timezone = pg_col_text(a, r, row, 7);
  m->created_at = pg_col_i64(r, row, 8);
  m->updated_at = pg_col_i64(r, row, 9);
  m->jurisdiction = json_array();
  if (m->jurisdiction == NULL) return BH_ERR_NOMEM;
  const char *list = PQgetisnull(r, row, 10) ? "" : PQgetvalue(r, row, 10);
  while (*list) {
    size_t n = strcspn(list, " ");
    json_array_append_new(m->jurisdiction, json_stringn(list, n));
    list += n + (list[n] == ' ');
  }
  return BH_OK;
}

int pg_mission_get(pg_conn_t *c, int64_t id, arena_t *a, mission_t *out) {
  pg_params_t p = {0};
  pgp_i64(&p, id);
  PGresult *res;
  int rc = pg_run(c, PG_MISSION_GET, &p, &res);
  if (rc != BH_OK) return rc;
  rc = PQntuples(res) > 0 ? mission_read(res, 0, a, out) : BH_ERR_NOT_FOUND;
  PQclear(res);
  return rc;
}

int pg_mission_list(pg_conn_t *c, const store_page_t *page, arena_t *a, mission_t **out,
                    size_t *n) {
  mission_t *items = arena_calloc(a, sizeof(*items) * (size_t)page->limit);
  if (items == NULL) return BH_ERR_NOMEM;
  pg_params_t p = {0};
  pgp_i64(&p, page->after);
  pgp_i64(&p, page->limit);
  PGresult *res;
  int rc = pg_run(c, PG_MISSION_LIST, &p, &res);
  if (rc != BH_OK) return rc;
  size_t k = 0;
  for (int i = 0; i < PQntuples(res) && k < (size_t)page->limit && rc == BH_OK; i++) {
    rc = mission_read(res, i, a, &items[k]);
    if (rc == BH_OK) k++;
  }
  PQclear(res);
  *out = items;
  *n = k;
  return rc;
}

int pg_mission_find_name(pg_conn_t *c, const char *name, int64_t *id) {
  pg_params_t p = {0};
  pgp_text(&p, name);
  return pg_scalar(c, PG_MISSION_FIND_NAME, &p, id);
}

/* ---- users and credentials ---- */

static void user_read(const PGresult *r, int row, arena_t *a, user_t *u) {
  memset(u, 0, sizeof(*u));
  u->id = pg_col_i64(r, row, 0);
  u->email = pg_col_text(a, r, row, 1);
  u->name = pg_col_text(a, r, row, 2);
  u->role = (int)pg_col_i64(r, row, 3);
  u->mission_id = pg_col_i64(r, row, 4);
  u->pwhash = pg_col_text(a, r, row, 5);
  u->disabled = (int)pg_col_i64(r, row, 6);
  u->created_at = pg_col_i64(r, row, 7);
}

int pg_user_create(pg_conn_t *c, user_t *u) {
  u->created_at = clock_now();
  pg_params_t p = {0};
  pgp_text(&p, u->email);
  pgp_text(&p, u->name);
  pgp_i64(&p, u->role);
  pgp_i64_or_null(&p, u->mission_id);
  pgp_text(&p, u->pwhash);
  pgp_i64(&p, u->disabled);
  pgp_i64(&p, u->created_at);
  return pg_scalar(c, PG_USER_INSERT, &p, &u->id);
}

static int user_fetch(pg_conn_t *c, enum pg_stmt id, const pg_params_t *p, arena_t *a,
                      user_t *out) {
  PGresult *res;
  int rc = pg_run(c, id, p, &res);
  if (rc != BH_OK) return rc;
  if (PQntuples(res) > 0) {
    user_read(res, 0, a, out);
  } else {
    rc = BH_ERR_NOT_FOUND;
  }
  PQclear(res);
  return rc;
}

int pg_user_get(pg_conn_t *c, int64_t id, arena_t *a, user_t *out) {
  pg_params_t p = {0};
  pgp_i64(&p, id);
  return user_fetch(c, PG_USER_GET, &p, a, out);
}

int pg_user_by_email(pg_conn_t *c, const char *email, arena_t *a, user_t *out) {
  pg_params_t p = {0};
  pgp_text(&p, email);
  return user_fetch(c, PG_USER_BY_EMAIL, &p, a, out);
}

int pg_user_update(pg_conn_t *c, const user_t *u) {
  pg_params_t p = {0};
  pgp_i64(&p, u->id);
  pgp_text(&p, u->name);
  pgp_i64(&p, u->role);
  pgp_i64_or_null(&p, u->mission_id);
  pgp_i64(&p, u->disabled);
  pgp_i64(&p, clock_now());
  int64_t changes = 0;
  int rc = pg_exec(c, PG_USER_UPDATE, &p, &changes);
  return rc == BH_OK && changes == 0 ? BH_ERR_NOT_FOUND : rc;
}

int pg_user_set_password(pg_conn_t *c, int64_t id, const char *pwhash) {
  pg_params_t p = {0};
  pgp_i64(&p, id);
  pgp_text(&p, pwhash);
  pgp_i64(&p, clock_now());
  int64_t changes = 0;
  int rc = pg_exec(c, PG_USER_SET_PW, &p, &changes);
  return rc == BH_OK && changes == 0 ? BH_ERR_NOT_FOUND : rc;
}

int pg_user_list(pg_conn_t *c, const store_page_t *page, arena_t *a, user_t **out, size_t *n) {
  user_t *items = arena_calloc(a, sizeof(*items) * (size_t)page->limit);
  if (items == NULL) return BH_ERR_NOMEM;
  pg_params_t p = {0};
  pgp_i64(&p, page->after);
  pgp_i64(&p, page->limit);
  PGresult *res;
  int rc = pg_run(c, PG_USER_LIST, &p, &res);
  if (rc != BH_OK) return rc;
  size_t k = 0;
  for (int i = 0; i < PQntuples(res) && k < (size_t)page->limit; i++) {
    user_read(res, i, a, &items[k++]);
  }
  PQclear(res);
  *out = items;
  *n = k;
  return BH_OK;
}

/* The colleagues of a mission (store_officer.h): enabled, not viewers, and every hq user; only
 * what they need. */
static const char pg_officer_list_sql[] =
    "SELECT id, name, role, coalesce(mission_id, 0) FROM users WHERE disabled = 0"
    " AND ((mission_id = $1 AND role <> $2) OR role = $5) AND id > $3 ORDER BY id LIMIT $4";

int pg_officer_list(pg_conn_t *c, int64_t mission_id, const store_page_t *page, arena_t *a,
                    user_t **out, size_t *n) {
  user_t *items = arena_calloc(a, sizeof(*items) * (size_t)page->limit);
  if (items == NULL) return BH_ERR_NOMEM;
  pg_params_t p = {0};
  pgp_i64(&p, mission_id);
  pgp_i64(&p, ROLE_VIEWER);
  pgp_i64(&p, page->after);
  pgp_i64(&p, page->limit);
  pgp_i64(&p, ROLE_HQ);
  PGresult *res;
  int rc = pg_run_sql(c, pg_officer_list_sql, &p, &res);
  if (rc != BH_OK) return rc;
  size_t k = 0;
  for (int i = 0; i < PQntuples(res) && k < (size_t)page->limit; i++) {
    user_t *u = &items[k++];
    u->id = pg_col_i64(res, i, 0);
    u->name = pg_col_text(a, res, i, 1);
    u->role = (int)pg_col_i64(res, i, 2);
    u->mission_id = pg_col_i64(res, i, 3);
  }
  PQclear(res);
  *out = items;
  *n = k;
  return BH_OK;
}

int pg_token_create(pg_conn_t *c, int64_t user_id, const unsigned char *hash, const char *name,
                    int64_t *id) {
  pg_params_t p = {0};
  pgp_i64(&p, user_id);
  pgp_bytes(&p, hash, SECRET_TOKEN_HASH_BYTES);
  pgp_text(&p, name);
  pgp_i64(&p, clock_now());
  return pg_scalar(c, PG_TOKEN_INSERT, &p, id);
}

int pg_token_lookup(pg_conn_t *c, const unsigned char *hash, int64_t *user_id) {
  pg_params_t p = {0};
  pgp_bytes(&p, hash, SECRET_TOKEN_HASH_BYTES);
  int rc = pg_scalar(c, PG_TOKEN_LOOKUP, &p, user_id);
  return rc == BH_ERR_NOT_FOUND ? BH_ERR_UNAUTHENTICATED : rc;
}

int pg_session_create(pg_conn_t *c, const unsigned char *hash, int64_t user_id, int64_t now,
                      int64_t expires_at) {
  pg_params_t p = {0};
  pgp_bytes(&p, hash, SECRET_TOKEN_HASH_BYTES);
  pgp_i64(&p, user_id);
  pgp_i64(&p, now);
  pgp_i64(&p, expires_at);
  return pg_exec(c, PG_SESSION_INSERT, &p, NULL);
}

int pg_session_touch(pg_conn_t *c, const unsigned char *hash, int64_t now, int64_t idle_s,
                     int64_t *user_id) {
  pg_params_t p = {0};
  pgp_bytes(&p, hash, SECRET_TOKEN_HASH_BYTES);
  PGresult *res;
  int rc = pg_run(c, PG_SESSION_GET, &p, &res);
  if (rc != BH_OK) return rc;
  if (PQntuples(res) == 0) {
    PQclear(res);
    return BH_ERR_UNAUTHENTICATED;
  }
  *user_id = pg_col_i64(res, 0, 0);
  int64_t last = pg_col_i64(res, 0, 1), expires = pg_col_i64(res, 0, 2);
  PQclear(res);
  if (now - last > idle_s || now >= expires) {
    pg_session_delete(c, hash);
    return BH_ERR_UNAUTHENTICATED;
  }
  if (now - last >= 60) {
    pgp_i64(&p, now);
    return pg_exec(c, PG_SESSION_TOUCH, &p, NULL);
  }
  return BH_OK;
}

int pg_session_delete(pg_conn_t *c, const unsigned char *hash) {
  pg_params_t p = {0};
  pgp_bytes(&p, hash, SECRET_TOKEN_HASH_BYTES);
  return pg_exec(c, PG_SESSION_DELETE, &p, NULL);
}

/* ---- self-registration ---- */

int pg_registration_create(pg_conn_t *c, const unsigned char *hash, int64_t person_id,
                           int64_t presence_id) {
  pg_params_t p = {0};
  pgp_bytes(&p, hash, SECRET_TOKEN_HASH_BYTES);
  pgp_i64(&p, person_id);
  pgp_i64_or_null(&p, presence_id);
  pgp_i64(&p, clock_now());
  return pg_exec(c, PG_REG_INSERT, &p, NULL);
}

int pg_registration_lookup(pg_conn_t *c, const unsigned char *hash, int64_t *person_id,
                           int64_t *presence_id) {
  pg_params_t p = {0};
  pgp_bytes(&p, hash, SECRET_TOKEN_HASH_BYTES);
  PGresult *res;
  int rc = pg_run(c, PG_REG_LOOKUP, &p, &res);
  if (rc != BH_OK) return rc;
  if (PQntuples(res) > 0) {
    *person_id = pg_col_i64(res, 0, 0);
    *presence_id = pg_col_i64(res, 0, 1);
  } else {
    rc = BH_ERR_NOT_FOUND;
  }
  PQclear(res);
  return rc;
}

int pg_registration_close(pg_conn_t *c, const unsigned char *hash, int64_t now) {
  pg_params_t p = {0};
  pgp_bytes(&p, hash, SECRET_TOKEN_HASH_BYTES);
  pgp_i64(&p, now);
  int64_t changes = 0;
  int rc = pg_exec(c, PG_REG_CLOSE, &p, &changes);
  return rc == BH_OK && changes == 0 ? BH_ERR_NOT_FOUND : rc;
}

/* ---- audit ---- */

int pg_audit_append(pg_conn_t *c, audit_entry_t *e) {
  if (e->at == 0) e->at = clock_now();
  pg_params_t p = {0};
  pgp_i64(&p, e->at);
  pgp_i64_or_null(&p, e->user_id);
  pgp_text(&p, e->action);
  pgp_text(&p, e->object_kind);
  pgp_i64_or_null(&p, e->object_id);
  pgp_text(&p, e->client);
  pgp_text(&p, e->request_id);
  pgp_text(&p, e->detail);
  return pg_scalar(c, PG_AUDIT_INSERT, &p, &e->id);
}

int pg_audit_list(pg_conn_t *c, const audit_filter_t *f, const store_page_t *page, arena_t *a,
                  audit_entry_t **out, size_t *n) {
  audit_entry_t *items = arena_calloc(a, sizeof(*items) * (size_t)page->limit);
  if (items == NULL) return BH_ERR_NOMEM;
  pg_params_t p = {0};
  pgp_i64(&p, page->after);
  pgp_i64(&p, f->user_id);
  pgp_text(&p, f->object_kind);
  pgp_i64(&p, f->object_id);
  pgp_i64(&p, page->limit);
  PGresult *res;
  int rc = pg_run(c, PG_AUDIT_LIST, &p, &res);
  if (rc != BH_OK) return rc;
  size_t k = 0;
  for (int i = 0; i < PQntuples(res) && k < (size_t)page->limit; i++) {
    audit_entry_t *e = &items[k++];
    e->id = pg_col_i64(res, i, 0);
    e->at = pg_col_i64(res, i, 1);
    e->user_id = pg_col_i64(res, i, 2);
    e->action = pg_col_text(a, res, i, 3);
    e->object_kind = pg_col_text(a, res, i, 4);
    e->object_id = pg_col_i64(res, i, 5);
    e->client = pg_col_text(a, res, i, 6);
    e->request_id = pg_col_text(a, res, i, 7);
    e->detail = pg_col_text(a, res, i, 8);
  }
  PQclear(res);
  *out = items;
  *n = k;
  return BH_OK;
}

/* ---- statements of the backend's other files ---- */

int pg_run_sql(pg_conn_t *c, const char *sql, const pg_params_t *p, PGresult **out) {
  *out = NULL;
  int rc = pg_ready(c);
  if (rc != BH_OK) return rc;
  size_t i = 0;
  while (i < c->nadhoc && c->adhoc[i] != sql) i++;
  char name[16];
  snprintf(name, sizeof(name), "x%zu", i);
  if (i == c->nadhoc) {
    if (i == PG_ADHOC_MAX) {
      log_error("msg=\"too many statements prepared\"");
      return BH_ERR_DB;
    }
    rc = pg_flush(c); /* as in pg_prepare */
    if (rc != BH_OK) return rc;
    PGresult *res = PQprepare(c->db, name, sql, 0, NULL);
    rc = PQresultStatus(res) == PGRES_COMMAND_OK ? BH_OK : pg_err(c, res);
    if (rc == BH_ERR_DB) log_error("msg=\"prepare failed\" stmt=%s", name);
    PQclear(res);
    if (rc != BH_OK) return rc;
    c->adhoc[c->nadhoc++] = sql;
  }
  return pg_call(c, name, p, out);
}
