/*
 * store_sqlite_person.c - persons, their name index and search, presences, welfare status,
 * self-registrations and the rows of an import, on SQLite.
 *
 * Jurisdiction is enforced in the queries: every read of a person binds the caller's scope
 * (SCOPE_P), so a person outside it is not found.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_person_page_impl.h"
#include "store/store_sqlite_import.h"
#include "store/store_sqlite_priv.h"
#include "util/clock.h"

/* Visibility of person p to a scope: everything, or owned by the mission, or present in its
 * jurisdiction at any time. Binds :all and :mission. */
#define SCOPE_P                                                                              \
  "(:all = 1 OR p.owner_mission_id = :mission OR EXISTS (SELECT 1 FROM presences v"          \
  " JOIN mission_countries mc ON mc.country = v.country AND mc.mission_id = :mission"        \
  " WHERE v.person_id = p.id))"
/* Optional list filters on person p. Binds :status, :country, :region, :category. */
#define FILTER_P                                                                             \
  "(:status IS NULL OR p.status = :status) AND ((:country IS NULL AND :region IS NULL AND"   \
  " :category IS NULL) OR EXISTS (SELECT 1 FROM presences f WHERE f.person_id = p.id AND"    \
  " (:country IS NULL OR f.country = :country) AND (:region IS NULL OR f.region = :region)"  \
  " AND (:category IS NULL OR f.category = :category)))"
/* FILTER_P for a query driven by a presence pr in :country: that presence already passes the
 * country, so the EXISTS is only needed for a region or category. Binds as FILTER_P. */
#define FILTER_PR                                                                            \
  "(:status IS NULL OR p.status = :status) AND ((:region IS NULL AND :category IS NULL) OR"  \
  " EXISTS (SELECT 1 FROM presences f WHERE f.person_id = p.id AND f.country = :country AND" \
  " (:region IS NULL OR f.region = :region) AND (:category IS NULL OR f.category = :category)))"
#define PERSON_COLS                                                                          \
  "p.id, p.full_name, p.other_names, p.sex, p.dob, p.nid_enc, p.passport_enc, p.phones,"     \
  " p.emails, p.home_province, p.flags, p.contacts, p.source, p.status, p.status_at,"        \
  " p.owner_mission_id, p.created_at, p.updated_at, p.preferred_language"
/* A page of persons, all columns, for the ids an inner list query (ordered, limited) selects:
 * one statement per page instead of one more point query per person. */
#define LIST_ROWS(ids) "SELECT " PERSON_COLS " FROM persons p WHERE p.id IN (" ids ") ORDER BY p.id"
#define PRESENCE_COLS                                                                        \
  "pr.id, pr.person_id, pr.country, pr.region, pr.city, pr.address, pr.lat, pr.lon,"         \
  " pr.category, pr.organisation, pr.date_from, pr.date_until, pr.group_id, pr.created_at,"  \
  " pr.updated_at"

static const char SQ_PERSON_INSERT[] =
    "INSERT INTO persons(full_name, name_key, other_names, sex, dob, nid_enc, nid_hash,"
    " passport_enc, passport_hash, phones, emails, home_province, flags, contacts, source,"
    " status, status_at, owner_mission_id, import_key, created_at, updated_at,"
    " preferred_language, nid_key, passport_key) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9,"
    " ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?20, ?21, ?22, ?23)"
    " ON CONFLICT(import_key) DO NOTHING";

static const char SQ_PERSON_BY_IMPORT_KEY[] =
    "SELECT id FROM persons WHERE import_key = ?1";

static const char SQ_PERSON_GET[] =
    "SELECT " PERSON_COLS " FROM persons p WHERE p.id = :id AND " SCOPE_P;

static const char SQ_PERSON_NAME_KEY[] =
    "SELECT name_key FROM persons WHERE id = ?1";

static const char SQ_PERSON_UPDATE[] =
    "UPDATE persons SET full_name = ?2, name_key = ?3, other_names = ?4, sex = ?5, dob = ?6,"
    " nid_enc = ?7, nid_hash = ?8, passport_enc = ?9, passport_hash = ?10, phones = ?11,"
    " emails = ?12, home_province = ?13, flags = ?14, contacts = ?15, updated_at = ?16,"
    " preferred_language = ?17, nid_key = ?18, passport_key = ?19 WHERE id = ?1";

static const char SQ_NAME_ADD[] =
    "INSERT INTO person_names(rowid, name_key) VALUES (?1, ?2)";

static const char SQ_NAME_DEL[] =
    "INSERT INTO person_names(person_names, rowid, name_key) VALUES ('delete', ?1, ?2)";

static const char SQ_PERSON_CHECK[] =
    "SELECT 1 FROM persons p WHERE p.id = :id AND " FILTER_P " AND " SCOPE_P;

static const char SQ_LIST_ALL[] =
    LIST_ROWS("SELECT p.id FROM persons p WHERE p.id > :after AND " FILTER_P " AND " SCOPE_P
    " ORDER BY p.id LIMIT :limit");

static const char SQ_LIST_STATUS[] =
    LIST_ROWS("SELECT p.id FROM persons p INDEXED BY persons_status WHERE p.status = :status AND"
    " p.id > :after AND " FILTER_P " AND " SCOPE_P " ORDER BY p.id LIMIT :limit");

static const char SQ_LIST_COUNTRY[] =
    LIST_ROWS("SELECT DISTINCT pr.person_id FROM presences pr INDEXED BY presences_country"
    " JOIN persons p ON p.id = pr.person_id WHERE pr.country = :country AND"
    " pr.person_id > :after AND " FILTER_PR " AND " SCOPE_P " ORDER BY pr.person_id"
    " LIMIT :limit");

static const char SQ_LIST_COUNTRY_STATUS[] =
    LIST_ROWS("SELECT DISTINCT pr.person_id FROM presences pr INDEXED BY presences_country_status"
    " JOIN persons p ON p.id = pr.person_id WHERE pr.country = :country AND"
    " pr.person_status = :status AND pr.person_id > :after AND " FILTER_PR " AND " SCOPE_P
    " ORDER BY pr.person_id LIMIT :limit");

static const char SQ_LIST_NUMBER[] =
    LIST_ROWS("SELECT p.id FROM persons p WHERE ((p.passport_key = :pk AND p.passport_hash = :ph)"
    " OR (p.nid_key = :nk AND p.nid_hash = :nh)) AND p.id > :after AND " FILTER_P " AND " SCOPE_P
    " ORDER BY p.id LIMIT :limit");

static const char SQ_PERSON_EACH[] =
    "SELECT " PERSON_COLS " FROM persons p WHERE " SCOPE_P " ORDER BY p.id";

static const char SQ_PRESENCE_LATEST[] =
    "SELECT " PRESENCE_COLS " FROM presences pr WHERE pr.person_id = ?1"
    " ORDER BY pr.id DESC LIMIT 1";

static const char SQ_STATS[] =
    "SELECT pr.country, pr.person_status, count(DISTINCT pr.person_id) FROM presences pr"
    " GROUP BY pr.country, pr.person_status ORDER BY pr.country, pr.person_status";

static const char SQ_PRESENCE_INSERT[] =
    "INSERT INTO presences(person_id, country, region, city, address, lat, lon, category,"
    " organisation, date_from, date_until, group_id, person_status, created_at, updated_at)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12,"
    " (SELECT status FROM persons WHERE id = ?1), ?13, ?13)";

static const char SQ_PRESENCE_GET[] =
    "SELECT " PRESENCE_COLS " FROM presences pr JOIN persons p ON p.id = pr.person_id"
    " WHERE pr.id = :id AND " SCOPE_P;

static const char SQ_PRESENCE_UPDATE[] =
    "UPDATE presences SET country = ?2, region = ?3, city = ?4, address = ?5, lat = ?6,"
    " lon = ?7, category = ?8, organisation = ?9, date_from = ?10, date_until = ?11,"
    " group_id = ?12, updated_at = ?13 WHERE id = ?1";

static const char SQ_PRESENCE_LIST[] =
    "SELECT " PRESENCE_COLS " FROM presences pr WHERE pr.person_id = ?1 ORDER BY pr.id";

static const char SQ_STATUS_INSERT[] =
    "INSERT INTO status_events(person_id, status, at, source, author_id, note)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6)";

static const char SQ_PERSON_SET_STATUS[] =
    "UPDATE persons SET status = ?2, status_at = ?3, updated_at = ?3 WHERE id = ?1";

static const char SQ_PRESENCE_SET_STATUS[] =
    "UPDATE presences SET person_status = ?2 WHERE person_id = ?1";

static const char SQ_STATUS_LIST[] =
    "SELECT id, person_id, status, at, source, author_id, note FROM status_events"
    " WHERE person_id = ?1 ORDER BY id";

static const char SQ_REG_INSERT[] =
    "INSERT INTO registrations(token_hash, person_id, presence_id, created_at)"
    " VALUES (?1, ?2, ?3, ?4)";

static const char SQ_REG_LOOKUP[] =
    "SELECT person_id, presence_id FROM registrations WHERE token_hash = ?1"
    " AND closed_at IS NULL";

static const char SQ_REG_CLOSE[] =
    "UPDATE registrations SET closed_at = ?2 WHERE token_hash = ?1 AND closed_at IS NULL";

/* ---- the name index: tokens and pairs of tokens ---- */

/*
 * person_names indexes, for each person, every token of the name key and every pair of two of
 * its tokens, written "a" NAMES_PAIR_SEP "b" with a before b: a search for several tokens asks
 * for pairs ("an+nguyen", "an+van", ...) instead of the tokens. The doclist of a token as
 * common as "nguyen" or "thi" holds a third of the registry, and intersecting those
 * was the cost of a full-name search at a million persons (1.6 ms of CPU per query in SQLite
 * alone); the pairs' doclists are short (0.13 ms). Same results: pairs covering every query
 * token match exactly the persons whose key holds every token. A search asks for the star of
 * pairs around its last token ("long+le", "long+manh", "long+trung" for "le manh trung long"):
 * written as names are written, that token is the given name, the rarest, so every pair's
 * doclist is at most that of the given name (a chain paired "nguyen+thi" with 68,000 persons
 * at a million; the star of "nguyen thi may" asks "may+nguyen" and "may+thi", 513 and 452).
 *
 * The separator is U+E000 (private use): FTS5's unicode61 tokenizer keeps it inside a token, and
 * no name token holds it (name_fold keeps letters, digits and marks), so a pair never equals a
 * token or another pair. A key with more than NAMES_PAIR_TOKENS tokens gets the pairs of its
 * first NAMES_PAIR_TOKENS and the token NAMES_MANY; searches also take (tokens AND NAMES_MANY),
 * which finds those few persons by their tokens, but only when some key holds NAMES_MANY (one
 * term looked up in the statement itself, NAMES_MATCH): opening the iterators of every token,
 * common ones included, for an empty alternative was a fifth of a search's instructions. The
 * document NAMES_FORMAT at rowid 0 (no person has id 0) says the index holds pairs;
 * sq_names_upgrade adds it, rebuilding an index written before.
 */
/* The format itself (NAMES_PAIR_SEP, NAMES_MANY, NAMES_FORMAT, the text of a key) is declared
 * once in store_sqlite_import.h, shared with the initial load that writes the index in bulk. */
#define NAMES_PAIR_SEP SQ_NAMES_PAIR_SEP
#define NAMES_PAIR_TOKENS SQ_NAMES_PAIR_TOKENS
#define NAMES_MANY SQ_NAMES_MANY
#define NAMES_FORMAT SQ_NAMES_FORMAT
#define NAMES_TEXT_MAX SQ_NAMES_TEXT_MAX
/* Room for the FTS5 query of one search. */
#define NAMES_MATCH_MAX (NAME_MAX_TOKENS * (3 * NAME_TOKEN_MAX + 20) + 32)
/* The FTS5 query of a search: :match_many (the pairs OR the tokens with NAMES_MANY) when some
 * key holds NAMES_MANY, else :match (the pairs alone); one snapshot for both. */
#define NAMES_MATCH                                                                             \
  "person_names MATCH CASE WHEN EXISTS (SELECT 1 FROM person_names WHERE person_names MATCH"   \
  " '\"" NAMES_MANY "\"') THEN :match_many ELSE :match END"

static const char SQ_LIST_NAMES[] =
    LIST_ROWS("SELECT p.id FROM person_names n JOIN persons p ON p.id = n.rowid WHERE " NAMES_MATCH
    " AND n.rowid > :after AND " FILTER_P " AND " SCOPE_P " ORDER BY n.rowid LIMIT :limit");

/* SQ_LIST_NAMES for a scope over everything and no filter: the ids come from the index alone.
 * Every rowid above 0 of person_names is a person's id (the rows of a person are written and
 * removed with the person), so the join would only read each person one more time. */
static const char SQ_LIST_NAMES_ALL[] =
    LIST_ROWS("SELECT n.rowid FROM person_names n WHERE " NAMES_MATCH " AND n.rowid > :after"
    " ORDER BY n.rowid LIMIT :limit");

static const char SQ_NAMES_FORMAT_CHECK[] =
    "SELECT 1 FROM person_names WHERE person_names MATCH '\"" NAMES_FORMAT "\"'";
static const char SQ_NAMES_DELETE_ALL[] =
    "INSERT INTO person_names(person_names) VALUES ('delete-all')";
static const char SQ_NAMES_KEYS[] = "SELECT id, name_key FROM persons WHERE name_key != ''";

/* Binds the indexed text of key to parameter i of st; text is the caller's buffer. */
static int names_bind(sqlite3_stmt *st, int i, const char *key, char *text, size_t cap) {
  int rc = sq_names_text(key, text, cap);
  if (rc == BH_OK) sqlite3_bind_text(st, i, text, -1, SQLITE_STATIC);
  return rc;
}

/*
 * Re-indexes every person with pairs when the index was written without (see above), inside
 * one write transaction, so a concurrent start waits and then finds the work done. sq_open
 * calls it after the migrations; on an index with pairs it is one point query.
 */
int sq_names_upgrade(sq_conn_t *c) {
  int owned, rc = tx_enter(c, &owned);
  if (rc != BH_OK) return rc;
  sqlite3_stmt *chk = sq(c, SQ_NAMES_FORMAT_CHECK);
  sqlite3_stmt *del = sq(c, SQ_NAMES_DELETE_ALL);
  sqlite3_stmt *keys = sq(c, SQ_NAMES_KEYS);
  sqlite3_stmt *add = sq(c, SQ_NAME_ADD);
  if (chk == NULL || del == NULL || keys == NULL || add == NULL) return tx_leave(c, owned, BH_ERR_DB);
  int step = sq_step(chk);
  sq_done(chk);
  if (step == SQLITE_ROW) return tx_leave(c, owned, BH_OK);
  if (step != SQLITE_DONE) return tx_leave(c, owned, sq_err(c, step));
  int64_t t0 = clock_mono_us(), n = 0;
  rc = sq_exec(c, del);
  char *text = malloc(NAMES_TEXT_MAX);
  if (text == NULL) rc = BH_ERR_NOMEM;
  while (rc == BH_OK && (step = sq_step(keys)) == SQLITE_ROW) {
    sqlite3_bind_int64(add, 1, sqlite3_column_int64(keys, 0));
    rc = names_bind(add, 2, (const char *)sqlite3_column_text(keys, 1), text, NAMES_TEXT_MAX);
    rc = rc == BH_OK ? sq_exec(c, add) : (sq_done(add), rc);
    n++;
  }
  if (rc == BH_OK && step != SQLITE_DONE) rc = sq_err(c, step);
  sq_done(keys);
  if (rc == BH_OK) {
    sqlite3_bind_int64(add, 1, 0);
    sqlite3_bind_text(add, 2, NAMES_FORMAT, -1, SQLITE_STATIC);
    rc = sq_exec(c, add);
  }
  free(text);
  rc = tx_leave(c, owned, rc);
  if (rc == BH_OK && n > 0) {
    log_info("msg=\"name index rebuilt with token pairs\" persons=%lld ms=%lld", (long long)n,
             (long long)((clock_mono_us() - t0) / 1000));
  }
  return rc;
}

/* ---- persons ---- */


/* Adds a person's name key to the name index, or with del removes it (the old key is needed). */
static int name_index_apply(sq_conn_t *c, int64_t id, const char *key, int del) {
  if (key == NULL || key[0] == '\0') return BH_OK;
  sqlite3_stmt *st = sq(c, del ? SQ_NAME_DEL : SQ_NAME_ADD);
  if (st == NULL) return BH_ERR_DB;
  char text[NAMES_TEXT_MAX];
  sqlite3_bind_int64(st, 1, id);
  int rc = names_bind(st, 2, key, text, sizeof(text));
  return rc == BH_OK ? sq_exec(c, st) : (sq_done(st), rc);
}

/* Binds the editable person columns shared by insert and update, starting at parameter base. */
struct person_bound {
  char *other_names, *phones, *emails, *flags, *contacts;
  unsigned char nid_sealed[MODEL_NUMBER_MAX + SECRET_SEAL_OVERHEAD];
  unsigned char nid_hash[SECRET_INDEX_BYTES];
  unsigned char pp_sealed[MODEL_NUMBER_MAX + SECRET_SEAL_OVERHEAD];
  unsigned char pp_hash[SECRET_INDEX_BYTES];
};

static void person_bound_free(struct person_bound *b) {
  free(b->other_names);
  free(b->phones);
  free(b->emails);
  free(b->flags);
  free(b->contacts);
}

static int person_bound_make(const person_t *p, struct person_bound *b) {
  memset(b, 0, sizeof(*b));
  b->other_names = json_text(p->other_names);
  b->phones = json_text(p->phones);
  b->emails = json_text(p->emails);
  b->flags = json_text(p->flags);
  b->contacts = json_text(p->contacts);
  if (!b->other_names || !b->phones || !b->emails || !b->flags || !b->contacts) return BH_ERR_NOMEM;
  return BH_OK;
}

int sq_person_create(sq_conn_t *c, person_t *p) {
  struct person_bound b;
  char key[STORE_NAME_KEY_MAX];
  int owned = 0, rc = person_bound_make(p, &b);
  if (rc != BH_OK) goto out_free;
  rc = store_person_name_key(p, key, sizeof(key));
  if (rc != BH_OK) goto out_free;
  rc = tx_enter(c, &owned);
  if (rc != BH_OK) goto out_free;
  sqlite3_stmt *st = sq(c, SQ_PERSON_INSERT);
  if (st == NULL) {
    rc = BH_ERR_DB;
    goto out;
  }
  sq_person_defaults(p);
  bind_text(st, 1, p->full_name);
  bind_text(st, 2, key);
  bind_text(st, 3, b.other_names);
  bind_text(st, 4, p->sex);
  bind_text(st, 5, p->date_of_birth);
  rc = bind_identifier(c, st, 6, 7, 22, "national_id", p->national_id, b.nid_sealed, b.nid_hash);
  if (rc == BH_OK) {
    rc = bind_identifier(c, st, 8, 9, 23, "passport", p->passport, b.pp_sealed, b.pp_hash);
  }
  if (rc != BH_OK) {
    sq_done(st);
    goto out;
  }
  bind_text(st, 10, b.phones);
  bind_text(st, 11, b.emails);
  bind_text(st, 12, p->home_province);
  bind_text(st, 13, b.flags);
  bind_text(st, 14, b.contacts);
  bind_text(st, 15, p->source);
  bind_text(st, 16, p->status);
  sqlite3_bind_int64(st, 17, p->status_at);
  bind_int_or_null(st, 18, p->owner_mission_id);
  if (p->import_key) {
    sqlite3_bind_blob(st, 19, p->import_key, SECRET_INDEX_BYTES, SQLITE_STATIC);
  } else {
    sqlite3_bind_null(st, 19);
  }
  sqlite3_bind_int64(st, 20, p->created_at);
  bind_text(st, 21, p->preferred_language ? p->preferred_language : MODEL_LANGUAGE_DEFAULT);
  rc = sq_exec(c, st);
  if (rc != BH_OK) goto out;
  if (sqlite3_changes(c->db) == 0) {
    /* The import key exists: report the person already imported. */
    sqlite3_stmt *k = sq(c, SQ_PERSON_BY_IMPORT_KEY);
    if (k == NULL) {
      rc = BH_ERR_DB;
      goto out;
    }
    sqlite3_bind_blob(k, 1, p->import_key, SECRET_INDEX_BYTES, SQLITE_STATIC);
    if (sq_step(k) == SQLITE_ROW) p->id = sqlite3_column_int64(k, 0);
    sq_done(k);
    rc = BH_ERR_CONFLICT;
    goto out;
  }
  p->id = sqlite3_last_insert_rowid(c->db);
  rc = name_index_apply(c, p->id, key, 0);
out:
  /* A duplicate import row is not a failure of the surrounding batch. */
  if (rc == BH_ERR_CONFLICT && p->import_key && owned) {
    sq_commit(c);
  } else {
    /* Inside the caller's transaction tx_leave hands rc back: keep it (a duplicate stays a
     * BH_ERR_CONFLICT); only a failed commit of our own turns success into an error. */
    int lrc = tx_leave(c, owned, rc);
    if (rc == BH_OK) rc = lrc;
  }
out_free:
  person_bound_free(&b);
  return rc;
}

/* A JSON list column as its text in the arena (NULL for NULL), with its length. */
static const char *col_list(arena_t *a, sqlite3_stmt *st, int i, size_t *len) {
  const char *s = (const char *)sqlite3_column_text(st, i);
  *len = s ? (size_t)sqlite3_column_bytes(st, i) : 0;
  return s ? arena_strndup(a, s, *len) : NULL;
}

/* Reads PERSON_COLS with the list columns left as text (store_person_page.h). */
static int person_read_row(sq_conn_t *c, sqlite3_stmt *st, arena_t *a, person_row_t *row) {
  memset(row, 0, sizeof(*row));
  person_t *p = &row->p;
  p->id = sqlite3_column_int64(st, 0);
  p->full_name = col_text(a, st, 1);
  row->other_names = col_list(a, st, 2, &row->other_names_len);
  p->sex = col_text(a, st, 3);
  p->date_of_birth = col_text(a, st, 4);
  p->national_id = col_sealed(c, a, st, 5);
  p->passport = col_sealed(c, a, st, 6);
  row->phones = col_list(a, st, 7, &row->phones_len);
  row->emails = col_list(a, st, 8, &row->emails_len);
  p->home_province = col_text(a, st, 9);
  row->flags = col_list(a, st, 10, &row->flags_len);
  row->contacts = col_list(a, st, 11, &row->contacts_len);
  p->source = col_text(a, st, 12);
  p->status = col_text(a, st, 13);
  p->status_at = sqlite3_column_int64(st, 14);
  p->owner_mission_id = sqlite3_column_int64(st, 15);
  p->created_at = sqlite3_column_int64(st, 16);
  p->updated_at = sqlite3_column_int64(st, 17);
  p->preferred_language = col_text(a, st, 18);
  return p->full_name ? BH_OK : BH_ERR_NOMEM;
}

/* Reads PERSON_COLS with the lists parsed (release them with person_clear). */
static int person_read(sq_conn_t *c, sqlite3_stmt *st, arena_t *a, person_t *p) {
  person_row_t row;
  int rc = person_read_row(c, st, a, &row);
  if (rc == BH_OK) rc = store_person_row_parse(&row);
  *p = row.p;
  if (rc != BH_OK) memset(p, 0, sizeof(*p));
  return rc;
}

int sq_person_get(sq_conn_t *c, const store_scope_t *scope, int64_t id, arena_t *a,
                     person_t *out) {
  sqlite3_stmt *st = sq(c, SQ_PERSON_GET);
  if (st == NULL) return BH_ERR_DB;
  sqlite3_bind_int64(st, named(st, ":id"), id);
  bind_scope(st, scope);
  int rc = sq_step(st);
  int err = rc == SQLITE_ROW ? person_read(c, st, a, out)
            : rc == SQLITE_DONE ? BH_ERR_NOT_FOUND
                                : sq_err(c, rc);
  sq_done(st);
  return err;
}

/* Returns BH_OK if person id is visible in scope and passes the optional filter. */
static int person_check(sq_conn_t *c, const store_scope_t *scope, const person_filter_t *f,
                        int64_t id) {
  sqlite3_stmt *st = sq(c, SQ_PERSON_CHECK);
  if (st == NULL) return BH_ERR_DB;
  sqlite3_bind_int64(st, named(st, ":id"), id);
  bind_filter(st, f);
  bind_scope(st, scope);
  int rc = sq_step(st);
  sq_done(st);
  return rc == SQLITE_ROW ? BH_OK : rc == SQLITE_DONE ? BH_ERR_NOT_FOUND : sq_err(c, rc);
}

int sq_person_update(sq_conn_t *c, const store_scope_t *scope, const person_t *p) {
  struct person_bound b;
  char key[STORE_NAME_KEY_MAX], old_key[STORE_NAME_KEY_MAX];
  int owned = 0, rc = person_bound_make(p, &b);
  if (rc != BH_OK) goto out_free;
  rc = store_person_name_key(p, key, sizeof(key));
  if (rc != BH_OK) goto out_free;
  rc = tx_enter(c, &owned);
  if (rc != BH_OK) goto out_free;
  rc = person_check(c, scope, NULL, p->id);
  if (rc != BH_OK) goto out;
  sqlite3_stmt *k = sq(c, SQ_PERSON_NAME_KEY);
  if (k == NULL) {
    rc = BH_ERR_DB;
    goto out;
  }
  sqlite3_bind_int64(k, 1, p->id);
  old_key[0] = '\0';
  if (sq_step(k) == SQLITE_ROW) {
    snprintf(old_key, sizeof(old_key), "%s", (const char *)sqlite3_column_text(k, 0));
  }
  sq_done(k);
  sqlite3_stmt *st = sq(c, SQ_PERSON_UPDATE);
  if (st == NULL) {
    rc = BH_ERR_DB;
    goto out;
  }
  sqlite3_bind_int64(st, 1, p->id);
  bind_text(st, 2, p->full_name);
  bind_text(st, 3, key);
  bind_text(st, 4, b.other_names);
  bind_text(st, 5, p->sex);
  bind_text(st, 6, p->date_of_birth);
  rc = bind_identifier(c, st, 7, 8, 18, "national_id", p->national_id, b.nid_sealed, b.nid_hash);
  if (rc == BH_OK) {
    rc = bind_identifier(c, st, 9, 10, 19, "passport", p->passport, b.pp_sealed, b.pp_hash);
  }
  if (rc != BH_OK) {
    sq_done(st);
    goto out;
  }
  bind_text(st, 11, b.phones);
  bind_text(st, 12, b.emails);
  bind_text(st, 13, p->home_province);
  bind_text(st, 14, b.flags);
  bind_text(st, 15, b.contacts);
  sqlite3_bind_int64(st, 16, clock_now());
  bind_text(st, 17, p->preferred_language ? p->preferred_language : MODEL_LANGUAGE_DEFAULT);
  rc = sq_exec(c, st);
  if (rc == BH_OK) rc = name_index_apply(c, p->id, old_key, 1);
  if (rc == BH_OK) rc = name_index_apply(c, p->id, key, 0);
out:
  rc = tx_leave(c, owned, rc);
out_free:
  person_bound_free(&b);
  return rc;
}

/* Appends the query of every distinct token (tok, n of them): the star of pairs around the last
 * (see above) "hub+t1" "hub+t2" ..., or the token alone when there is one. */
static int name_match_pairs(const char *const *tok, size_t n, char *out, size_t cap, size_t *o) {
  int bad = 0;
  if (n == 1) {
    return sq_names_put(out, cap, o, "\"", 1) || sq_names_put(out, cap, o, tok[0], strlen(tok[0])) ||
           sq_names_put(out, cap, o, "\"", 1);
  }
  const char *hub = tok[n - 1];
  for (size_t t = 0; t + 1 < n; t++) {
    bad |= sq_names_put(out, cap, o, t ? " \"" : "\"", t ? 2 : 1);
    bad |= sq_names_put_pair(out, cap, o, hub, strlen(hub), tok[t], strlen(tok[t]));
    bad |= sq_names_put(out, cap, o, "\"", 1);
  }
  return bad;
}

/*
 * Writes the FTS5 queries requiring every token of f (tokens hold no quotes): pairs, the pairs
 * alone, and many, (the pairs) OR (every token AND NAMES_MANY); both the token alone for one.
 */
static int name_match_query(const person_filter_t *f, char *pairs, char *many, size_t cap) {
  /* The distinct tokens of the query (a repeated token adds nothing). */
  const char *tok[NAME_MAX_TOKENS];
  size_t n = 0, o = 0, m = 0;
  for (size_t t = 0; t < f->ntokens && n < NAME_MAX_TOKENS; t++) {
    int dup = 0;
    for (size_t u = 0; u < n && !dup; u++) dup = strcmp(tok[u], f->tokens[t]) == 0;
    if (!dup) tok[n++] = f->tokens[t];
  }
  if (n == 0) return BH_ERR_INVALID;
  int bad = name_match_pairs(tok, n, pairs, cap, &o);
  if (n == 1) {
    bad |= sq_names_put(many, cap, &m, pairs, o);
    return bad ? BH_ERR_TOO_LARGE : BH_OK;
  }
  bad |= sq_names_put(many, cap, &m, "(", 1) || sq_names_put(many, cap, &m, pairs, o) ||
         sq_names_put(many, cap, &m, ") OR (", 6);
  for (size_t t = 0; t < n; t++) {
    bad |= sq_names_put(many, cap, &m, "\"", 1) || sq_names_put(many, cap, &m, tok[t], strlen(tok[t])) ||
           sq_names_put(many, cap, &m, "\" ", 2);
  }
  bad |= sq_names_put(many, cap, &m, "\"" NAMES_MANY "\")", sizeof(NAMES_MANY) + 2);
  return bad ? BH_ERR_TOO_LARGE : BH_OK;
}

int sq_person_page(sq_conn_t *c, const store_scope_t *scope, const person_filter_t *f,
                   const store_page_t *page, arena_t *a, person_row_t **out, size_t *n) {
  person_row_t *items = arena_calloc(a, sizeof(*items) * (size_t)page->limit);
  if (items == NULL) return BH_ERR_NOMEM;
  *n = 0;
  char match[NAMES_MATCH_MAX], match_many[NAMES_MATCH_MAX];
  int names = f->ntokens > 0 && !f->has_number;
  if (names && name_match_query(f, match, match_many, sizeof(match)) != BH_OK) {
    return BH_ERR_INVALID;
  }
  int unfiltered = scope->all && !f->status && !f->country && !f->region && !f->category;
  const char *which = names && unfiltered ? SQ_LIST_NAMES_ALL
                       : names                   ? SQ_LIST_NAMES
                       : f->has_number           ? SQ_LIST_NUMBER
                       : f->country && f->status ? SQ_LIST_COUNTRY_STATUS
                       : f->country              ? SQ_LIST_COUNTRY
                       : f->status               ? SQ_LIST_STATUS
                                                 : SQ_LIST_ALL;
  sqlite3_stmt *st = sq(c, which);
  if (st == NULL) return BH_ERR_DB;
  if (names) {
    bind_named_text(st, ":match", match);
    bind_named_text(st, ":match_many", match_many);
  }
  if (f->has_number) {
    sqlite3_bind_blob(st, named(st, ":ph"), f->passport_hash, SECRET_INDEX_BYTES, SQLITE_STATIC);
    sqlite3_bind_blob(st, named(st, ":nh"), f->nid_hash, SECRET_INDEX_BYTES, SQLITE_STATIC);
    sqlite3_bind_int64(st, named(st, ":pk"), sq_identity_key(f->passport_hash));
    sqlite3_bind_int64(st, named(st, ":nk"), sq_identity_key(f->nid_hash));
  }
  sqlite3_bind_int64(st, named(st, ":after"), page->after);
  sqlite3_bind_int(st, named(st, ":limit"), page->limit);
  bind_filter(st, f);
  bind_scope(st, scope);
  size_t k = 0;
  int rc = SQLITE_DONE, err = BH_OK;
  while (err == BH_OK && k < (size_t)page->limit && (rc = sq_step(st)) == SQLITE_ROW) {
    err = person_read_row(c, st, a, &items[k]);
    k++;
  }
  if (err == BH_OK && rc != SQLITE_DONE && rc != SQLITE_ROW) err = sq_err(c, rc);
  sq_done(st);
  if (err != BH_OK) return err;
  *out = items;
  *n = k;
  return BH_OK;
}

static void presence_read(sqlite3_stmt *st, arena_t *a, presence_t *p) {
  memset(p, 0, sizeof(*p));
  p->id = sqlite3_column_int64(st, 0);
  p->person_id = sqlite3_column_int64(st, 1);
  const char *country = (const char *)sqlite3_column_text(st, 2);
  if (country) snprintf(p->country, sizeof(p->country), "%s", country);
  p->region = col_text(a, st, 3);
  p->city = col_text(a, st, 4);
  p->address = col_text(a, st, 5);
  p->has_geo = sqlite3_column_type(st, 6) != SQLITE_NULL;
  p->lat = sqlite3_column_double(st, 6);
  p->lon = sqlite3_column_double(st, 7);
  p->category = col_text(a, st, 8);
  p->organisation = col_text(a, st, 9);
  p->date_from = col_text(a, st, 10);
  p->date_until = col_text(a, st, 11);
  p->group_id = col_text(a, st, 12);
  p->created_at = sqlite3_column_int64(st, 13);
  p->updated_at = sqlite3_column_int64(st, 14);
}

int sq_person_each(sq_conn_t *c, const store_scope_t *scope, arena_t *a, store_person_cb cb,
                      void *ctx) {
  sqlite3_stmt *st = sq(c, SQ_PERSON_EACH);
  sqlite3_stmt *lp = sq(c, SQ_PRESENCE_LATEST);
  if (st == NULL || lp == NULL) return BH_ERR_DB;
  bind_scope(st, scope);
  int rc, err = BH_OK;
  while (err == BH_OK && (rc = sq_step(st)) == SQLITE_ROW) {
    arena_t *row = arena_new(1 << 20);
    person_t p;
    presence_t pr;
    int has_pr = 0;
    if (row == NULL) {
      err = BH_ERR_NOMEM;
      break;
    }
    err = person_read(c, st, row, &p);
    if (err == BH_OK) {
      sqlite3_bind_int64(lp, 1, p.id);
      if (sq_step(lp) == SQLITE_ROW) {
        presence_read(lp, row, &pr);
        has_pr = 1;
      }
      sq_done(lp);
      if (cb(ctx, &p, has_pr ? &pr : NULL) != 0) err = BH_ERR_INTERNAL;
    }
    person_clear(&p);
    arena_free(row);
  }
  (void)a;
  sq_done(st);
  return err;
}

int sq_person_stats(sq_conn_t *c, store_stat_cb cb, void *ctx) {
  sqlite3_stmt *st = sq(c, SQ_STATS);
  if (st == NULL) return BH_ERR_DB;
  int rc, err = BH_OK;
  while (err == BH_OK && (rc = sq_step(st)) == SQLITE_ROW) {
    err = cb(ctx, (const char *)sqlite3_column_text(st, 0),
             (const char *)sqlite3_column_text(st, 1), sqlite3_column_int64(st, 2));
  }
  sq_done(st);
  return err;
}

/* ---- presences ---- */

void sq_person_defaults(person_t *p) {
  if (p->created_at == 0) p->created_at = clock_now();
  p->updated_at = p->created_at;
  if (p->status == NULL) p->status = "unknown";
  if (p->status_at == 0) p->status_at = p->created_at;
}

void sq_presence_bind(sqlite3_stmt *st, int first, const presence_t *p) {
  bind_text(st, first, p->country);
  bind_text(st, first + 1, p->region);
  bind_text(st, first + 2, p->city);
  bind_text(st, first + 3, p->address);
  if (p->has_geo) {
    sqlite3_bind_double(st, first + 4, p->lat);
    sqlite3_bind_double(st, first + 5, p->lon);
  } else {
    sqlite3_bind_null(st, first + 4);
    sqlite3_bind_null(st, first + 5);
  }
  bind_text(st, first + 6, p->category);
  bind_text(st, first + 7, p->organisation);
  bind_text(st, first + 8, p->date_from);
  bind_text(st, first + 9, p->date_until);
  bind_text(st, first + 10, p->group_id);
}

int sq_presence_create(sq_conn_t *c, const store_scope_t *scope, presence_t *pr) {
  int owned, rc = tx_enter(c, &owned);
  if (rc != BH_OK) return rc;
  /* With every person in scope, the foreign key alone tells whether the person exists. */
  if (!scope->all) rc = person_check(c, scope, NULL, pr->person_id);
  if (rc != BH_OK) goto out;
  sqlite3_stmt *st = sq(c, SQ_PRESENCE_INSERT);
  if (st == NULL) {
    rc = BH_ERR_DB;
    goto out;
  }
  pr->created_at = pr->updated_at = clock_now();
  sqlite3_bind_int64(st, 1, pr->person_id);
  sq_presence_bind(st, 2, pr);
  sqlite3_bind_int64(st, 13, pr->created_at);
  rc = sq_exec(c, st);
  if (rc == BH_OK) pr->id = sqlite3_last_insert_rowid(c->db);
out:
  return tx_leave(c, owned, rc);
}

int sq_presence_get(sq_conn_t *c, const store_scope_t *scope, int64_t id, arena_t *a,
                       presence_t *out) {
  sqlite3_stmt *st = sq(c, SQ_PRESENCE_GET);
  if (st == NULL) return BH_ERR_DB;
  sqlite3_bind_int64(st, named(st, ":id"), id);
  bind_scope(st, scope);
  int rc = sq_step(st);
  if (rc == SQLITE_ROW) presence_read(st, a, out);
  sq_done(st);
  return rc == SQLITE_ROW ? BH_OK : rc == SQLITE_DONE ? BH_ERR_NOT_FOUND : sq_err(c, rc);
}

int sq_presence_update(sq_conn_t *c, const store_scope_t *scope, const presence_t *pr) {
  int owned, rc = tx_enter(c, &owned);
  if (rc != BH_OK) return rc;
  rc = person_check(c, scope, NULL, pr->person_id);
  if (rc != BH_OK) goto out;
  sqlite3_stmt *st = sq(c, SQ_PRESENCE_UPDATE);
  if (st == NULL) {
    rc = BH_ERR_DB;
    goto out;
  }
  sqlite3_bind_int64(st, 1, pr->id);
  sq_presence_bind(st, 2, pr);
  sqlite3_bind_int64(st, 13, clock_now());
  rc = sq_exec(c, st);
  if (rc == BH_OK && sqlite3_changes(c->db) == 0) rc = BH_ERR_NOT_FOUND;
out:
  return tx_leave(c, owned, rc);
}

int sq_presence_list(sq_conn_t *c, const store_scope_t *scope, int64_t person_id, arena_t *a,
                        presence_t **out, size_t *n) {
  int rc = person_check(c, scope, NULL, person_id);
  if (rc != BH_OK) return rc;
  sqlite3_stmt *st = sq(c, SQ_PRESENCE_LIST);
  if (st == NULL) return BH_ERR_DB;
  size_t cap = 8, k = 0;
  presence_t *items = arena_alloc(a, sizeof(*items) * cap);
  sqlite3_bind_int64(st, 1, person_id);
  while (items != NULL && (rc = sq_step(st)) == SQLITE_ROW) {
    if (k == cap) {
      presence_t *bigger = arena_alloc(a, sizeof(*items) * cap * 2);
      if (bigger != NULL) memcpy(bigger, items, sizeof(*items) * cap);
      items = bigger;
      cap *= 2;
      if (items == NULL) break;
    }
    presence_read(st, a, &items[k++]);
  }
  sq_done(st);
  if (items == NULL) return BH_ERR_NOMEM;
  *out = items;
  *n = k;
  return rc == SQLITE_DONE ? BH_OK : sq_err(c, rc);
}

/* ---- welfare status ---- */

int sq_status_set(sq_conn_t *c, const store_scope_t *scope, status_event_t *ev) {
  int owned, rc = tx_enter(c, &owned);
  if (rc != BH_OK) return rc;
  /* With every person in scope, the foreign key alone tells whether the person exists. */
  if (!scope->all) rc = person_check(c, scope, NULL, ev->person_id);
  if (rc != BH_OK) goto out;
  sqlite3_stmt *ins = sq(c, SQ_STATUS_INSERT);
  sqlite3_stmt *up = sq(c, SQ_PERSON_SET_STATUS);
  sqlite3_stmt *pr = sq(c, SQ_PRESENCE_SET_STATUS);
  if (ins == NULL || up == NULL || pr == NULL) {
    rc = BH_ERR_DB;
    goto out;
  }
  if (ev->at == 0) ev->at = clock_now();
  sqlite3_bind_int64(ins, 1, ev->person_id);
  bind_text(ins, 2, ev->status);
  sqlite3_bind_int64(ins, 3, ev->at);
  bind_text(ins, 4, ev->source);
  bind_int_or_null(ins, 5, ev->author_id);
  bind_text(ins, 6, ev->note);
  rc = sq_exec(c, ins);
  if (rc != BH_OK) goto out;
  ev->id = sqlite3_last_insert_rowid(c->db);
  sqlite3_bind_int64(up, 1, ev->person_id);
  bind_text(up, 2, ev->status);
  sqlite3_bind_int64(up, 3, ev->at);
  rc = sq_exec(c, up);
  if (rc != BH_OK) goto out;
  sqlite3_bind_int64(pr, 1, ev->person_id);
  bind_text(pr, 2, ev->status);
  rc = sq_exec(c, pr);
out:
  return tx_leave(c, owned, rc);
}

int sq_status_history(sq_conn_t *c, const store_scope_t *scope, int64_t person_id,
                         arena_t *a, status_event_t **out, size_t *n) {
  int rc = person_check(c, scope, NULL, person_id);
  if (rc != BH_OK) return rc;
  sqlite3_stmt *st = sq(c, SQ_STATUS_LIST);
  if (st == NULL) return BH_ERR_DB;
  size_t cap = 16, k = 0;
  status_event_t *items = arena_alloc(a, sizeof(*items) * cap);
  sqlite3_bind_int64(st, 1, person_id);
  while (items != NULL && (rc = sq_step(st)) == SQLITE_ROW) {
    if (k == cap) {
      status_event_t *bigger = arena_alloc(a, sizeof(*items) * cap * 2);
      if (bigger != NULL) memcpy(bigger, items, sizeof(*items) * cap);
      items = bigger;
      cap *= 2;
      if (items == NULL) break;
    }
    status_event_t *e = &items[k++];
    e->id = sqlite3_column_int64(st, 0);
    e->person_id = sqlite3_column_int64(st, 1);
    e->status = col_text(a, st, 2);
    e->at = sqlite3_column_int64(st, 3);
    e->source = col_text(a, st, 4);
    e->author_id = sqlite3_column_int64(st, 5);
    e->note = col_text(a, st, 6);
  }
  sq_done(st);
  if (items == NULL) return BH_ERR_NOMEM;
  *out = items;
  *n = k;
  return rc == SQLITE_DONE ? BH_OK : sq_err(c, rc);
}

/* ---- self-registration ---- */

int sq_registration_create(sq_conn_t *c, const unsigned char *hash, int64_t person_id,
                              int64_t presence_id) {
  sqlite3_stmt *st = sq(c, SQ_REG_INSERT);
  if (st == NULL) return BH_ERR_DB;
  sqlite3_bind_blob(st, 1, hash, SECRET_TOKEN_HASH_BYTES, SQLITE_STATIC);
  sqlite3_bind_int64(st, 2, person_id);
  bind_int_or_null(st, 3, presence_id);
  sqlite3_bind_int64(st, 4, clock_now());
  return sq_exec(c, st);
}

int sq_registration_lookup(sq_conn_t *c, const unsigned char *hash, int64_t *person_id,
                              int64_t *presence_id) {
  sqlite3_stmt *st = sq(c, SQ_REG_LOOKUP);
  if (st == NULL) return BH_ERR_DB;
  sqlite3_bind_blob(st, 1, hash, SECRET_TOKEN_HASH_BYTES, SQLITE_STATIC);
  int rc = sq_step(st);
  if (rc == SQLITE_ROW) {
    *person_id = sqlite3_column_int64(st, 0);
    *presence_id = sqlite3_column_int64(st, 1);
  }
  sq_done(st);
  return rc == SQLITE_ROW ? BH_OK : rc == SQLITE_DONE ? BH_ERR_NOT_FOUND : sq_err(c, rc);
}

int sq_registration_close(sq_conn_t *c, const unsigned char *hash, int64_t now) {
  sqlite3_stmt *st = sq(c, SQ_REG_CLOSE);
  if (st == NULL) return BH_ERR_DB;
  sqlite3_bind_blob(st, 1, hash, SECRET_TOKEN_HASH_BYTES, SQLITE_STATIC);
  sqlite3_bind_int64(st, 2, now);
  int rc = sq_exec(c, st);
  if (rc == BH_OK && sqlite3_changes(c->db) == 0) rc = BH_ERR_NOT_FOUND;
  return rc;
}

