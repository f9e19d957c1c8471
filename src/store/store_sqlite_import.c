/*
 * store_sqlite_import.c - the rows of an import (baoho import) on SQLite: each prepared row
 * (store_import_prepare) is bound and stepped here, a person with its name index entry, its
 * presence and its first status event.
 */
#define _GNU_SOURCE /* sync_file_range */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "store/store_import.h"
#include "store/store_sqlite_import.h"
#include "store/store_sqlite_priv.h"
#include "util/clock.h"

static const char SQ_IMPORT_PERSON[] =
    "INSERT INTO persons(full_name, name_key, other_names, sex, dob, nid_enc, nid_hash,"
    " passport_enc, passport_hash, phones, emails, home_province, flags, contacts, source,"
    " status, status_at, owner_mission_id, import_key, created_at, updated_at,"
    " preferred_language, nid_key, passport_key) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9,"
    " ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?20, ?21, ?22, ?23)"
    " ON CONFLICT(import_key) DO NOTHING";

static const char SQ_IMPORT_PRESENCE[] =
    "INSERT INTO presences(person_id, country, region, city, address, lat, lon, category,"
    " organisation, date_from, date_until, group_id, person_status, created_at, updated_at)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?14)";

static const char SQ_IMPORT_NAME[] = "INSERT INTO person_names(rowid, name_key) VALUES (?1, ?2)";

static const char SQ_IMPORT_STATUS[] =
    "INSERT INTO status_events(person_id, status, at, source, author_id, note)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6)";

/* ---- the text of the name index ---- */

/* Appends len bytes of s to out (cap bytes, *o used); 0, or -1 when it does not fit. */
int sq_names_put(char *out, size_t cap, size_t *o, const char *s, size_t len) {
  if (*o + len + 1 > cap) return -1;
  memcpy(out + *o, s, len);
  *o += len;
  out[*o] = '\0';
  return 0;
}

/* Appends the pair token of a and b, the bytewise smaller first (the shorter on a tie). */
int sq_names_put_pair(char *out, size_t cap, size_t *o, const char *a, size_t al,
                      const char *b, size_t bl) {
  int cmp = memcmp(a, b, al < bl ? al : bl);
  if (cmp > 0 || (cmp == 0 && al > bl)) {
    const char *t = a;
    size_t tl = al;
    a = b, al = bl, b = t, bl = tl;
  }
  return sq_names_put(out, cap, o, a, al) ||
                 sq_names_put(out, cap, o, SQ_NAMES_PAIR_SEP, sizeof(SQ_NAMES_PAIR_SEP) - 1) ||
                 sq_names_put(out, cap, o, b, bl)
             ? -1
             : 0;
}

int sq_names_text(const char *key, char *out, size_t cap) {
  const char *tok[SQ_NAMES_PAIR_TOKENS];
  size_t len[SQ_NAMES_PAIR_TOKENS], n = 0, o = 0;
  int many = 0;
  if (sq_names_put(out, cap, &o, key, strlen(key)) != 0) return BH_ERR_TOO_LARGE;
  for (const char *p = key; *p;) {
    while (*p == ' ') p++;
    if (*p == '\0') break;
    const char *e = p;
    while (*e && *e != ' ') e++;
    if (n == SQ_NAMES_PAIR_TOKENS) {
      many = 1;
      break;
    }
    tok[n] = p;
    len[n++] = (size_t)(e - p);
    p = e;
  }
  for (size_t i = 0; i < n; i++) {
    for (size_t j = i + 1; j < n; j++) {
      if (sq_names_put(out, cap, &o, " ", 1) != 0 ||
          sq_names_put_pair(out, cap, &o, tok[i], len[i], tok[j], len[j]) != 0) {
        return BH_ERR_TOO_LARGE;
      }
    }
  }
  if (many && sq_names_put(out, cap, &o, " " SQ_NAMES_MANY, sizeof(SQ_NAMES_MANY)) != 0) {
    return BH_ERR_TOO_LARGE;
  }
  return BH_OK;
}

int sq_import_add(sq_conn_t *c, store_import_row_t *row) {
  person_t *p = row->p;
  sqlite3_stmt *st = sq(c, SQ_IMPORT_PERSON);
  sqlite3_stmt *names = sq(c, SQ_IMPORT_NAME);
  sqlite3_stmt *pst = sq(c, SQ_IMPORT_PRESENCE);
  sqlite3_stmt *ev = sq(c, SQ_IMPORT_STATUS);
  if (st == NULL || names == NULL || pst == NULL || ev == NULL) return BH_ERR_DB;
  sq_person_defaults(p);
  bind_text(st, 1, p->full_name);
  bind_text(st, 2, row->name_key);
  bind_text(st, 3, row->other_names);
  bind_text(st, 4, p->sex);
  bind_text(st, 5, p->date_of_birth);
  if (row->nid_len > 0) {
    sqlite3_bind_blob(st, 6, row->nid_sealed, (int)row->nid_len, SQLITE_STATIC);
    sqlite3_bind_blob(st, 7, row->nid_hash, SECRET_INDEX_BYTES, SQLITE_STATIC);
    sqlite3_bind_int64(st, 22, sq_identity_key(row->nid_hash));
  }
  if (row->pp_len > 0) {
    sqlite3_bind_blob(st, 8, row->pp_sealed, (int)row->pp_len, SQLITE_STATIC);
    sqlite3_bind_blob(st, 9, row->pp_hash, SECRET_INDEX_BYTES, SQLITE_STATIC);
    sqlite3_bind_int64(st, 23, sq_identity_key(row->pp_hash));
  }
  bind_text(st, 10, row->phones);
  bind_text(st, 11, row->emails);
  bind_text(st, 12, p->home_province);
  bind_text(st, 13, row->flags);
  bind_text(st, 14, row->contacts);
  bind_text(st, 15, p->source);
  bind_text(st, 16, p->status);
  sqlite3_bind_int64(st, 17, p->status_at);
  bind_int_or_null(st, 18, p->owner_mission_id);
  sqlite3_bind_blob(st, 19, p->import_key, SECRET_INDEX_BYTES, SQLITE_STATIC);
  sqlite3_bind_int64(st, 20, p->created_at);
  bind_text(st, 21, p->preferred_language ? p->preferred_language : MODEL_LANGUAGE_DEFAULT);
  int rc = sq_exec(c, st);
  if (rc != BH_OK) return rc;
  if (sqlite3_changes(c->db) == 0) return BH_ERR_CONFLICT; /* imported before */
  p->id = sqlite3_last_insert_rowid(c->db);
  /* An initial load indexes names apart (store_import_names). */
  if (row->name_key[0] != '\0' && c->import_names == NULL) {
    char text[SQ_NAMES_TEXT_MAX];
    sqlite3_bind_int64(names, 1, p->id);
    rc = sq_names_text(row->name_key, text, sizeof(text));
    if (rc == BH_OK) sqlite3_bind_text(names, 2, text, -1, SQLITE_STATIC);
    rc = rc == BH_OK ? sq_exec(c, names) : (sq_done(names), rc);
    if (rc != BH_OK) return rc;
  }
  presence_t *pr = row->pr;
  if (pr != NULL) {
    /* The person is new, so the current status is the one it was stored with. */
    pr->person_id = p->id;
    pr->created_at = pr->updated_at = p->created_at;
    sqlite3_bind_int64(pst, 1, pr->person_id);
    sq_presence_bind(pst, 2, pr);
    bind_text(pst, 13, p->status);
    sqlite3_bind_int64(pst, 14, pr->created_at);
    rc = sq_exec(c, pst);
    if (rc != BH_OK) return rc;
    pr->id = sqlite3_last_insert_rowid(c->db);
  }
  if (strcmp(p->status, "unknown") != 0) {
    sqlite3_bind_int64(ev, 1, p->id);
    bind_text(ev, 2, p->status);
    sqlite3_bind_int64(ev, 3, p->status_at);
    bind_text(ev, 4, "import");
    sqlite3_bind_null(ev, 5);
    sqlite3_bind_null(ev, 6);
    rc = sq_exec(c, ev);
  }
  return rc;
}

/* ---- the name index of an initial load, built apart ---- */

/* CPU time of the calling thread, in microseconds. */
static int64_t thread_cpu_us(void) {
  struct timespec ts;
  if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) != 0) return 0;
  return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/*
 * An initial load writes its name index into a scratch database of its own (a private temporary
 * file that SQLite deletes when it is closed) through a connection of its own, so that the FTS5
 * work (a fifth of the store thread's time: every token and token pair of a million names) runs
 * on another thread than the rows. At the end the registry's FTS5 shadow tables are replaced by
 * the scratch ones, inside the load's transaction: a crash leaves the registry as it was. The
 * scratch table is created from the registry's own CREATE VIRTUAL TABLE text, so both have the
 * same tokenizer and options, and the same SQLite library writes both, so their shadow tables
 * have the same format (the configuration rows are equal and stay). The scratch database is
 * not attached to the load's connection: its BEGIN IMMEDIATE would lock the scratch file for
 * the whole load; the copy goes through statements on both connections instead.
 */
struct sq_import_names {
  sqlite3 *db;       /* the scratch connection: the names thread's, then the copy's */
  sqlite3_stmt *add; /* INSERT of one person's name text */
  char text[SQ_NAMES_TEXT_MAX];
};

static const char SQ_IMPORT_NAMES_DEF[] =
    "SELECT sql FROM main.sqlite_master WHERE type = 'table' AND name = 'person_names'";
static const char SQ_IMPORT_NAMES_CLEAR[] =
    "DELETE FROM main.person_names_data; DELETE FROM main.person_names_idx;"
    " DELETE FROM main.person_names_docsize;";
static const char SQ_IMPORT_NAMES_DATA[] =
    "INSERT INTO main.person_names_data(id, block) VALUES (?1, ?2)";
static const char SQ_IMPORT_NAMES_IDX[] =
    "INSERT INTO main.person_names_idx(segid, term, pgno) VALUES (?1, ?2, ?3)";
static const char SQ_IMPORT_NAMES_DOCSIZE[] =
    "INSERT INTO main.person_names_docsize(id, sz) VALUES (?1, ?2)";

/* The shadow tables copied: what is read from the scratch index, what writes it into c. */
static const struct names_shadow {
  const char *select;
  const char *insert;
  int columns;
} names_shadows[] = {
    {"SELECT id, block FROM person_names_data ORDER BY id", SQ_IMPORT_NAMES_DATA, 2},
    {"SELECT segid, term, pgno FROM person_names_idx ORDER BY segid, term", SQ_IMPORT_NAMES_IDX, 3},
    {"SELECT id, sz FROM person_names_docsize ORDER BY id", SQ_IMPORT_NAMES_DOCSIZE, 2},
};

/* The scratch connection: one write transaction, no journal, no sync (the file is thrown away
 * whatever happens). */
#define SQ_IMPORT_NAMES_PRAGMAS                                                                 \
  "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA cache_size=-65536;"

static void names_close(sq_conn_t *c) {
  struct sq_import_names *n = c->import_names;
  if (n == NULL) return;
  sqlite3_finalize(n->add);
  sqlite3_close(n->db);
  free(n);
  c->import_names = NULL;
}

/* Opens the scratch database with an empty copy of the registry's name index holding the
 * document that says it holds pairs, then its write transaction. */
static int names_create(sq_conn_t *c, struct sq_import_names *n) {
  sqlite3_stmt *def = sq(c, SQ_IMPORT_NAMES_DEF);
  if (def == NULL) return BH_ERR_DB;
  char *create = NULL;
  if (sq_step(def) == SQLITE_ROW) create = sqlite3_mprintf("%s", sqlite3_column_text(def, 0));
  sq_done(def);
  if (create == NULL) return BH_ERR_DB;
  int rc = sqlite3_open_v2("", &n->db,
                           SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
  if (rc == SQLITE_OK) rc = sqlite3_exec(n->db, SQ_IMPORT_NAMES_PRAGMAS, NULL, NULL, NULL);
  if (rc == SQLITE_OK) rc = sqlite3_exec(n->db, create, NULL, NULL, NULL);
  sqlite3_free(create);
  if (rc == SQLITE_OK) {
    rc = sqlite3_prepare_v2(n->db, "INSERT INTO person_names(rowid, name_key) VALUES (?1, ?2)",
                            -1, &n->add, NULL);
  }
  if (rc == SQLITE_OK) {
    sqlite3_bind_int64(n->add, 1, 0);
    sqlite3_bind_text(n->add, 2, SQ_NAMES_FORMAT, -1, SQLITE_STATIC);
    rc = sqlite3_step(n->add) == SQLITE_DONE ? SQLITE_OK : SQLITE_ERROR;
    sqlite3_reset(n->add);
  }
  /* The document went in by itself, as in the registry: the index is then written exactly as
   * store_import_add would have written it (same segments, byte for byte). */
  if (rc == SQLITE_OK) rc = sqlite3_exec(n->db, "BEGIN", NULL, NULL, NULL);
  return rc == SQLITE_OK ? BH_OK : BH_ERR_DB;
}

void sq_import_names_open(sq_conn_t *c) {
  struct sq_import_names *n = calloc(1, sizeof(*n));
  c->import_names = n;
  int rc = n == NULL ? BH_ERR_NOMEM : names_create(c, n);
  if (rc != BH_OK) {
    log_info("msg=\"import: the name index is written inline\" reason=%s", bh_err_str(rc));
    names_close(c);
  }
}

void sq_import_names_keep(sq_conn_t *c, int initial) {
  if (!initial) names_close(c);
}

/* Copies one shadow table of the scratch index into c's (emptied before). */
static int names_copy(sq_conn_t *c, const struct names_shadow *t) {
  sqlite3_stmt *sel = NULL, *ins = sq(c, t->insert);
  if (ins == NULL) return BH_ERR_DB;
  if (sqlite3_prepare_v2(c->import_names->db, t->select, -1, &sel, NULL) != SQLITE_OK) {
    return BH_ERR_DB;
  }
  int rc = BH_OK, step;
  while (rc == BH_OK && (step = sqlite3_step(sel)) == SQLITE_ROW) {
    for (int i = 0; i < t->columns; i++) sqlite3_bind_value(ins, i + 1, sqlite3_column_value(sel, i));
    rc = sq_exec(c, ins);
  }
  if (rc == BH_OK && step != SQLITE_DONE) rc = BH_ERR_DB;
  sqlite3_finalize(sel);
  return rc;
}

int sq_import_names_finish(sq_conn_t *c, int ok) {
  struct sq_import_names *n = c->import_names;
  if (n == NULL) return BH_OK;
  int rc = BH_OK;
  if (ok) {
    int64_t t0 = clock_mono_us(), cpu = thread_cpu_us();
    /* The commit flushes what FTS5 still holds in memory into the shadow tables. */
    sqlite3_finalize(n->add);
    n->add = NULL;
    rc = sqlite3_exec(n->db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK ? BH_OK : BH_ERR_DB;
    if (rc == BH_OK) rc = sq_import_exec_timed(c, SQ_IMPORT_NAMES_CLEAR);
    for (size_t i = 0; rc == BH_OK && i < sizeof(names_shadows) / sizeof(names_shadows[0]); i++) {
      rc = names_copy(c, &names_shadows[i]);
    }
    log_info("msg=\"import: end of load\" step=name_index_copy cpu_ms=%lld wall_ms=%lld",
             (long long)((thread_cpu_us() - cpu) / 1000), (long long)((clock_mono_us() - t0) / 1000));
  }
  names_close(c);
  return rc;
}

/* ---- the early writeback of an initial load ---- */

/* How often the flush thread starts the writeback of the database file. */
#define SQ_IMPORT_FLUSH_MS 250

struct sq_import_flush {
  pthread_t thread;
  pthread_mutex_t lock;
  pthread_cond_t wake; /* signalled by sq_import_flush_stop */
  int stop;
  int fd; /* the database file, opened read-only for its writeback only */
};

static void *flush_main(void *arg) {
  struct sq_import_flush *f = arg;
  pthread_mutex_lock(&f->lock);
  while (!f->stop) {
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_nsec += (long)SQ_IMPORT_FLUSH_MS * 1000000L;
    until.tv_sec += until.tv_nsec / 1000000000L;
    until.tv_nsec %= 1000000000L;
    int w = 0;
    while (!f->stop && w != ETIMEDOUT) w = pthread_cond_timedwait(&f->wake, &f->lock, &until);
    if (f->stop) break;
    pthread_mutex_unlock(&f->lock);
    /* Starts the writeback of every dirty page of the file and returns without waiting for it. */
    (void)sync_file_range(f->fd, 0, 0, SYNC_FILE_RANGE_WRITE);
    pthread_mutex_lock(&f->lock);
  }
  pthread_mutex_unlock(&f->lock);
  return NULL;
}

void sq_import_flush_start(sq_conn_t *c) {
  const char *path = sqlite3_db_filename(c->db, "main");
  if (path == NULL || path[0] == '\0' || c->import_flush != NULL) return;
  struct sq_import_flush *f = calloc(1, sizeof(*f));
  if (f == NULL) return;
  f->fd = open(path, O_RDONLY | O_CLOEXEC);
  if (f->fd < 0) {
    free(f);
    return;
  }
  pthread_mutex_init(&f->lock, NULL);
  pthread_cond_init(&f->wake, NULL);
  if (pthread_create(&f->thread, NULL, flush_main, f) != 0) {
    pthread_cond_destroy(&f->wake);
    pthread_mutex_destroy(&f->lock);
    close(f->fd);
    free(f);
    return;
  }
  c->import_flush = f;
}

void sq_import_flush_stop(sq_conn_t *c) {
  struct sq_import_flush *f = c->import_flush;
  if (f == NULL) return;
  pthread_mutex_lock(&f->lock);
  f->stop = 1;
  pthread_cond_signal(&f->wake);
  pthread_mutex_unlock(&f->lock);
  pthread_join(f->thread, NULL);
  pthread_cond_destroy(&f->wake);
  pthread_mutex_destroy(&f->lock);
  close(f->fd);
  free(f);
  c->import_flush = NULL;
}

int sq_import_exec_timed(sq_conn_t *c, const char *sql) {
  int64_t cpu = thread_cpu_us(), wall = clock_mono_us();
  int rc = sqlite3_exec(c->db, sql, NULL, NULL, NULL) == SQLITE_OK ? BH_OK
                                                                 : sq_err(c, sqlite3_errcode(c->db));
  char what[64];
  if (sscanf(sql, "CREATE INDEX %63s", what) != 1 && sscanf(sql, "%63s", what) != 1) what[0] = '\0';
  log_info("msg=\"import: end of load\" step=%s cpu_ms=%lld wall_ms=%lld", what,
           (long long)((thread_cpu_us() - cpu) / 1000), (long long)((clock_mono_us() - wall) / 1000));
  return rc;
}

int store_import_names_add(store_import_names_t *n, int64_t id, const char *key) {
  if (key == NULL || key[0] == '\0') return BH_OK;
  int rc = sq_names_text(key, n->text, sizeof(n->text));
  if (rc != BH_OK) return rc;
  sqlite3_bind_int64(n->add, 1, id);
  sqlite3_bind_text(n->add, 2, n->text, -1, SQLITE_STATIC);
  int step = sqlite3_step(n->add);
  sqlite3_reset(n->add);
  return step == SQLITE_DONE ? BH_OK : BH_ERR_DB;
}

store_import_names_t *store_import_names(store_conn_t *c) {
  return c->pg != NULL ? NULL : c->sq->import_names;
}
