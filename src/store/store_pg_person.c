/*
 * store_pg_person.c - persons, their presences and welfare statuses in the PostgreSQL backend
 * (see store_pg.c for connections and the rest of store.h).
 *
 * Jurisdiction is in every query (PG_SCOPE_P). Passport and national ID numbers are sealed
 * before they are bound and opened when read; only their keyed hashes are searchable. Name
 * search is the same leapfrog as SQLite's over person_tokens, one index seek per round trip.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_person_page_impl.h"
#include "store/store_pg_int.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/err.h"
#include "util/log.h"

/* A name search stops after this many index seeks (each a round trip) and ends its page. */
#define PG_SEARCH_SEEK_BUDGET 20000
/* Rows per round trip of an export. */
#define PG_EACH_PAGE 500

/* Opens a sealed identifier column into the arena; NULL if absent or unreadable. */
static const char *col_sealed(pg_conn_t *c, arena_t *a, const PGresult *r, int row, int col) {
  if (PQgetisnull(r, row, col)) return NULL;
  const unsigned char *blob = (const unsigned char *)PQgetvalue(r, row, col);
  int len = PQgetlength(r, row, col);
  if (len < SECRET_SEAL_OVERHEAD) return NULL;
  char *out = arena_alloc(a, (size_t)len - SECRET_SEAL_OVERHEAD + 1);
  if (out == NULL) return NULL;
  if (secret_open(&c->store->keys, blob, (size_t)len, out) != BH_OK) {
    log_error("msg=\"sealed column failed to open\"");
    return NULL;
  }
  out[len - SECRET_SEAL_OVERHEAD] = '\0';
  return out;
}

/* Seals an identifier and computes its lookup hash; binds both (NULL when absent). */
static int bind_identifier(pg_conn_t *c, pg_params_t *p, const char *kind, const char *value,
                           unsigned char *sealed, unsigned char *hash) {
  if (value == NULL || value[0] == '\0') {
    pgp_bytes(p, NULL, 0);
    pgp_bytes(p, NULL, 0);
    return BH_OK;
  }
  char canon[MODEL_NUMBER_MAX + 1];
  if (secret_canon_number(value, canon, sizeof(canon)) != BH_OK) return BH_ERR_INVALID;
  size_t len = strlen(canon);
  secret_seal(&c->store->keys, canon, len, sealed);
  secret_index(&c->store->keys, kind, canon, hash);
  pgp_bytes(p, sealed, len + SECRET_SEAL_OVERHEAD);
  pgp_bytes(p, hash, SECRET_INDEX_BYTES);
  return BH_OK;
}

/* ---- persons ---- */

/* What insert and update bind besides the person's own strings: JSON texts, sealed numbers. */
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

/* Serialises j for a TEXT column; the result is malloc'd and "[]" for NULL. */
static char *json_text(const json_t *j) { return j ? json_dumps(j, JSON_COMPACT) : strdup("[]"); }

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

/* Binds full name .. contacts in the order of PG_PERSON_INSERT ($1..$14; $2 is the key). */
static int person_bind_fields(pg_conn_t *c, pg_params_t *p, const person_t *person,
                              const char *key, struct person_bound *b) {
  pgp_text(p, person->full_name);
  pgp_text(p, key);
  pgp_text(p, b->other_names);
  pgp_text(p, person->sex);
  pgp_text(p, person->date_of_birth);
  int rc = bind_identifier(c, p, "national_id", person->national_id, b->nid_sealed, b->nid_hash);
  if (rc == BH_OK) {
    rc = bind_identifier(c, p, "passport", person->passport, b->pp_sealed, b->pp_hash);
  }
  pgp_text(p, b->phones);
  pgp_text(p, b->emails);
  pgp_text(p, person->home_province);
  pgp_text(p, b->flags);
  pgp_text(p, b->contacts);
  return rc;
}

int pg_person_create(pg_conn_t *c, person_t *p) {
  struct person_bound b;
  char key[STORE_NAME_KEY_MAX];
  int owned = 0, rc = person_bound_make(p, &b);
  if (rc == BH_OK) rc = store_person_name_key(p, key, sizeof(key));
  if (rc != BH_OK) goto out_free;
  int64_t now = clock_now();
  if (p->created_at == 0) p->created_at = now;
  p->updated_at = p->created_at;
  if (p->status == NULL) p->status = "unknown";
  if (p->status_at == 0) p->status_at = p->created_at;
  pg_params_t q = {0};
  rc = person_bind_fields(c, &q, p, key, &b);
  if (rc != BH_OK) goto out_free;
  pgp_text(&q, p->source);
  pgp_text(&q, p->status);
  pgp_i64(&q, p->status_at);
  pgp_i64_or_null(&q, p->owner_mission_id);
  pgp_bytes(&q, p->import_key, SECRET_INDEX_BYTES);
  pgp_i64(&q, p->created_at);
  pgp_text(&q, p->preferred_language ? p->preferred_language : MODEL_LANGUAGE_DEFAULT);
  rc = pg_tx_enter(c, &owned);
  if (rc != BH_OK) goto out_free;
  rc = pg_scalar(c, PG_PERSON_INSERT, &q, &p->id);
  if (rc == BH_ERR_NOT_FOUND) {
    /* The import key exists: report the person already imported. */
    pg_params_t k = {0};
    pgp_bytes(&k, p->import_key, SECRET_INDEX_BYTES);
    rc = pg_scalar(c, PG_PERSON_BY_IMPORT_KEY, &k, &p->id);
    if (rc == BH_OK || rc == BH_ERR_NOT_FOUND) rc = BH_ERR_CONFLICT;
  }
  /* A duplicate import row is not a failure of the surrounding batch. */
  if (rc == BH_ERR_CONFLICT && p->import_key && owned) {
    pg_commit(c);
  } else {
    int lrc = pg_tx_leave(c, owned, rc);
    if (lrc != BH_OK && rc == BH_OK) rc = lrc;
  }
out_free:
  person_bound_free(&b);
  return rc;
}

/* A JSON list column as its text in the arena (NULL for NULL), with its length. */
static const char *col_list(arena_t *a, const PGresult *r, int row, int col, size_t *len) {
  if (PQgetisnull(r, row, col)) {
    *len = 0;
    return NULL;
  }
  *len = (size_t)PQgetlength(r, row, col);
  return arena_strndup(a, PQgetvalue(r, row, col), *len);
}

/* Reads PG_PERSON_COLS at columns 0..PG_PERSON_NCOLS-1 of row, the lists left as text (store_person_page.h). */
static int person_read_row(pg_conn_t *c, const PGresult *r, int row, arena_t *a,
                           person_row_t *out) {
  memset(out, 0, sizeof(*out));
  person_t *p = &out->p;
  p->id = pg_col_i64(r, row, 0);
  p->full_name = pg_col_text(a, r, row, 1);
  out->other_names = col_list(a, r, row, 2, &out->other_names_len);
  p->sex = pg_col_text(a, r, row, 3);
  p->date_of_birth = pg_col_text(a, r, row, 4);
  p->national_id = col_sealed(c, a, r, row, 5);
  p->passport = col_sealed(c, a, r, row, 6);
  out->phones = col_list(a, r, row, 7, &out->phones_len);
  out->emails = col_list(a, r, row, 8, &out->emails_len);
  p->home_province = pg_col_text(a, r, row, 9);
  out->flags = col_list(a, r, row, 10, &out->flags_len);
  out->contacts = col_list(a, r, row, 11, &out->contacts_len);
  p->source = pg_col_text(a, r, row, 12);
  p->status = pg_col_text(a, r, row, 13);
  p->status_at = pg_col_i64(r, row, 14);
  p->owner_mission_id = pg_col_i64(r, row, 15);
  p->created_at = pg_col_i64(r, row, 16);
  p->updated_at = pg_col_i64(r, row, 17);
  p->preferred_language = pg_col_text(a, r, row, 18);
  return p->full_name ? BH_OK : BH_ERR_NOMEM;
}

/* Reads PG_PERSON_COLS at columns 0..PG_PERSON_NCOLS-1 of row with the lists parsed (see person_clear). */
static int person_read(pg_conn_t *c, const PGresult *r, int row, arena_t *a, person_t *p) {
  person_row_t pr;
  int rc = person_read_row(c, r, row, a, &pr);
  if (rc == BH_OK) rc = store_person_row_parse(&pr);
  *p = pr.p;
  if (rc != BH_OK) memset(p, 0, sizeof(*p));
  return rc;
}

/* Runs a query returning at most one person row: BH_OK with *out, or BH_ERR_NOT_FOUND. */
static int person_fetch(pg_conn_t *c, enum pg_stmt id, const pg_params_t *q, arena_t *a,
                        person_t *out) {
  PGresult *res;
  int rc = pg_run(c, id, q, &res);
  if (rc != BH_OK) return rc;
  rc = PQntuples(res) > 0 ? person_read(c, res, 0, a, out) : BH_ERR_NOT_FOUND;
  PQclear(res);
  return rc;
}

/* As person_fetch, the lists left as text. */
static int person_fetch_row(pg_conn_t *c, enum pg_stmt id, const pg_params_t *q, arena_t *a,
                            person_row_t *out) {
  PGresult *res;
  int rc = pg_run(c, id, q, &res);
  if (rc != BH_OK) return rc;
  rc = PQntuples(res) > 0 ? person_read_row(c, res, 0, a, out) : BH_ERR_NOT_FOUND;
  PQclear(res);
  return rc;
}

int pg_person_get(pg_conn_t *c, const store_scope_t *scope, int64_t id, arena_t *a,
                  person_t *out) {
  pg_params_t q = {0};
  pgp_scope(&q, scope);
  pgp_i64(&q, id);
  return person_fetch(c, PG_PERSON_GET, &q, a, out);
}

/* Returns BH_OK if person id is visible in scope, BH_ERR_NOT_FOUND otherwise. */
static int person_check(pg_conn_t *c, const store_scope_t *scope, int64_t id) {
  pg_params_t q = {0};
  pgp_scope(&q, scope);
  pgp_i64(&q, id);
  int64_t one;
  return pg_scalar(c, PG_PERSON_CHECK, &q, &one);
}

int pg_person_update(pg_conn_t *c, const store_scope_t *scope, const person_t *p) {
  struct person_bound b;
  char key[STORE_NAME_KEY_MAX];
  int owned = 0, rc = person_bound_make(p, &b);
  if (rc == BH_OK) rc = store_person_name_key(p, key, sizeof(key));
  if (rc != BH_OK) goto out_free;
  pg_params_t q = {0};
  pgp_i64(&q, p->id);
  rc = person_bind_fields(c, &q, p, key, &b);
  pgp_i64(&q, clock_now());
  pgp_text(&q, p->preferred_language ? p->preferred_language : MODEL_LANGUAGE_DEFAULT);
  if (rc != BH_OK) goto out_free;
  rc = pg_tx_enter(c, &owned);
  if (rc != BH_OK) goto out_free;
  rc = person_check(c, scope, p->id);
  /* The old key, with the row locked until the transaction ends. */
  PGresult *old = NULL;
  if (rc == BH_OK) {
    pg_params_t k = {0};
    pgp_i64(&k, p->id);
    rc = pg_run(c, PG_PERSON_NAME_KEY, &k, &old);
    if (rc == BH_OK && PQntuples(old) == 0) rc = BH_ERR_NOT_FOUND;
  }
  if (rc == BH_OK) rc = pg_exec(c, PG_PERSON_UPDATE, &q, NULL);
  if (rc == BH_OK) {
    pg_params_t t = {0};
    pgp_i64(&t, p->id);
    pgp_text(&t, PQgetvalue(old, 0, 0));
    rc = pg_exec(c, PG_NAME_TOKENS_DEL, &t, NULL);
    t.n = 1;
    pgp_text(&t, key);
    if (rc == BH_OK) rc = pg_exec(c, PG_NAME_TOKENS_ADD, &t, NULL);
  }
  PQclear(old);
  rc = pg_tx_leave(c, owned, rc);
out_free:
  person_bound_free(&b);
  return rc;
}

/* Returns the smallest person id >= from having token, or 0 when there is none. */
static int name_seek(pg_conn_t *c, const char *token, int64_t from, int64_t *found) {
  pg_params_t q = {0};
  pgp_text(&q, token);
  pgp_i64(&q, from);
  *found = 0;
  int rc = pg_scalar(c, PG_NAME_SEEK, &q, found);
  return rc == BH_ERR_NOT_FOUND ? BH_OK : rc;
}

/*
 * Name search by leapfrog intersection of the token posting lists (each ordered by person id):
 * cost follows the rarest token, not the registry size. Each agreed candidate is loaded at
 * once if it passes the filter and the scope. Stops at the seek budget with what it found.
 */
static int person_search_names(pg_conn_t *c, const store_scope_t *scope,
                               const person_filter_t *f, const store_page_t *page, arena_t *a,
                               person_row_t *items, size_t *n) {
  int64_t cur = page->after + 1;
  size_t k = 0;
  long budget = PG_SEARCH_SEEK_BUDGET;
  *n = 0;
  while (k < (size_t)page->limit) {
    size_t agree = 0;
    for (size_t t = 0; agree < f->ntokens; t = (t + 1) % f->ntokens) {
      int64_t next;
      if (--budget < 0) {
        *n = k;
        return BH_OK;
      }
      int rc = name_seek(c, f->tokens[t], cur, &next);
      if (rc != BH_OK) return rc;
      if (next == 0) {
        *n = k;
        return BH_OK;
      }
      if (next == cur) {
        agree++;
      } else {
        cur = next;
        agree = 1;
      }
    }
    pg_params_t q = {0};
    pgp_scope(&q, scope);
    pgp_filter(&q, f);
    pgp_i64(&q, cur);
    int rc = person_fetch_row(c, PG_PERSON_FIND, &q, a, &items[k]);
    if (rc == BH_OK) {
      *n = ++k;
    } else if (rc != BH_ERR_NOT_FOUND) {
      return rc;
    }
    cur++;
  }
  return BH_OK;
}

int pg_person_page(pg_conn_t *c, const store_scope_t *scope, const person_filter_t *f,
                   const store_page_t *page, arena_t *a, person_row_t **out, size_t *n) {
  person_row_t *items = arena_calloc(a, sizeof(*items) * (size_t)page->limit);
  if (items == NULL) return BH_ERR_NOMEM;
  size_t k = 0;
  int rc;
  *n = 0;
  if (f->ntokens > 0 && !f->has_number) {
    rc = person_search_names(c, scope, f, page, a, items, &k);
  } else {
    enum pg_stmt which = f->has_number             ? PG_LIST_NUMBER
                         : f->country && f->status ? PG_LIST_COUNTRY_STATUS
                         : f->country              ? PG_LIST_COUNTRY
                         : f->status               ? PG_LIST_STATUS
                                                   : PG_LIST_ALL;
    pg_params_t q = {0};
    pgp_scope(&q, scope);
    pgp_filter(&q, f);
    pgp_i64(&q, page->after);
    pgp_i64(&q, page->limit);
    if (f->has_number) {
      pgp_bytes(&q, f->passport_hash, SECRET_INDEX_BYTES);
      pgp_bytes(&q, f->nid_hash, SECRET_INDEX_BYTES);
    }
    PGresult *res;
    rc = pg_run(c, which, &q, &res);
    for (int i = 0; rc == BH_OK && i < PQntuples(res) && k < (size_t)page->limit; i++) {
      rc = person_read_row(c, res, i, a, &items[k]);
      if (rc == BH_OK) k++;
    }
    if (res != NULL) PQclear(res);
  }
  if (rc != BH_OK) return rc;
  *out = items;
  *n = k;
  return BH_OK;
}

/* Reads PG_PRESENCE_COLS starting at column base of row. */
static void presence_read(const PGresult *r, int row, int base, arena_t *a, presence_t *p) {
  memset(p, 0, sizeof(*p));
  p->id = pg_col_i64(r, row, base);
  p->person_id = pg_col_i64(r, row, base + 1);
  if (!PQgetisnull(r, row, base + 2)) {
    snprintf(p->country, sizeof(p->country), "%.*s", PQgetlength(r, row, base + 2),
             PQgetvalue(r, row, base + 2));
  }
  p->region = pg_col_text(a, r, row, base + 3);
  p->city = pg_col_text(a, r, row, base + 4);
  p->address = pg_col_text(a, r, row, base + 5);
  p->has_geo = !PQgetisnull(r, row, base + 6);
  p->lat = pg_col_f64(r, row, base + 6);
  p->lon = pg_col_f64(r, row, base + 7);
  p->category = pg_col_text(a, r, row, base + 8);
  p->organisation = pg_col_text(a, r, row, base + 9);
  p->date_from = pg_col_text(a, r, row, base + 10);
  p->date_until = pg_col_text(a, r, row, base + 11);
  p->group_id = pg_col_text(a, r, row, base + 12);
  p->created_at = pg_col_i64(r, row, base + 13);
  p->updated_at = pg_col_i64(r, row, base + 14);
}

/* Pages through PG_PERSON_EACH, calling cb for each person of one page. */
static int person_each_page(pg_conn_t *c, const store_scope_t *scope, int64_t *after,
                            store_person_cb cb, void *ctx, int *more) {
  pg_params_t q = {0};
  pgp_scope(&q, scope);
  pgp_i64(&q, *after);
  pgp_i64(&q, PG_EACH_PAGE);
  PGresult *res;
  int rc = pg_run(c, PG_PERSON_EACH, &q, &res);
  if (rc != BH_OK) return rc;
  int rows = PQntuples(res);
  *more = rows == PG_EACH_PAGE;
  for (int i = 0; rc == BH_OK && i < rows; i++) {
    arena_t *row = arena_new(1 << 20);
    if (row == NULL) {
      rc = BH_ERR_NOMEM;
      break;
    }
    person_t p;
    presence_t pr;
    int has_pr = !PQgetisnull(res, i, PG_PERSON_NCOLS);
    rc = person_read(c, res, i, row, &p);
    if (rc == BH_OK) {
      if (has_pr) presence_read(res, i, PG_PERSON_NCOLS, row, &pr);
      *after = p.id;
      if (cb(ctx, &p, has_pr ? &pr : NULL) != 0) rc = BH_ERR_INTERNAL;
    }
    person_clear(&p);
    arena_free(row);
  }
  PQclear(res);
  return rc;
}

int pg_person_each(pg_conn_t *c, const store_scope_t *scope, arena_t *a, store_person_cb cb,
                   void *ctx) {
  (void)a;
  /* One snapshot for the whole export, as SQLite's single statement reads one. */
  int own = !c->in_tx;
  int rc = own ? pg_exec(c, PG_BEGIN_SNAPSHOT, NULL, NULL) : BH_OK;
  if (rc != BH_OK) return rc;
  if (own) c->in_tx = 1;
  int64_t after = 0;
  int more = 1;
  while (rc == BH_OK && more) rc = person_each_page(c, scope, &after, cb, ctx, &more);
  if (own) {
    int crc = pg_commit(c);
    if (rc == BH_OK) rc = crc;
  }
  return rc;
}

int pg_person_stats(pg_conn_t *c, store_stat_cb cb, void *ctx) {
  PGresult *res;
  int rc = pg_run(c, PG_STATS, NULL, &res);
  if (rc != BH_OK) return rc;
  arena_t *a = arena_new(1 << 16);
  if (a == NULL) rc = BH_ERR_NOMEM;
  for (int i = 0; rc == BH_OK && i < PQntuples(res); i++) {
    const char *country = pg_col_text(a, res, i, 0), *status = pg_col_text(a, res, i, 1);
    rc = country && status ? cb(ctx, country, status, pg_col_i64(res, i, 2)) : BH_ERR_NOMEM;
  }
  arena_free(a);
  PQclear(res);
  return rc;
}

/* ---- presences ---- */

/* Binds country .. group_id ($2..$12 of insert and update). */
static void presence_bind(pg_params_t *q, const presence_t *p) {
  pgp_text(q, p->country);
  pgp_text(q, p->region);
  pgp_text(q, p->city);
  pgp_text(q, p->address);
  if (p->has_geo) {
    pgp_f64(q, p->lat);
    pgp_f64(q, p->lon);
  } else {
    pgp_text(q, NULL);
    pgp_text(q, NULL);
  }
  pgp_text(q, p->category);
  pgp_text(q, p->organisation);
  pgp_text(q, p->date_from);
  pgp_text(q, p->date_until);
  pgp_text(q, p->group_id);
}

int pg_presence_create(pg_conn_t *c, const store_scope_t *scope, presence_t *pr) {
  int owned, rc = pg_tx_enter(c, &owned);
  if (rc != BH_OK) return rc;
  rc = person_check(c, scope, pr->person_id);
  if (rc == BH_OK) {
    pr->created_at = pr->updated_at = clock_now();
    pg_params_t q = {0};
    pgp_i64(&q, pr->person_id);
    presence_bind(&q, pr);
    pgp_i64(&q, pr->created_at);
    rc = pg_scalar(c, PG_PRESENCE_INSERT, &q, &pr->id);
  }
  return pg_tx_leave(c, owned, rc);
}

int pg_presence_get(pg_conn_t *c, const store_scope_t *scope, int64_t id, arena_t *a,
                    presence_t *out) {
  pg_params_t q = {0};
  pgp_scope(&q, scope);
  pgp_i64(&q, id);
  PGresult *res;
  int rc = pg_run(c, PG_PRESENCE_GET, &q, &res);
  if (rc != BH_OK) return rc;
  if (PQntuples(res) > 0) {
    presence_read(res, 0, 0, a, out);
  } else {
    rc = BH_ERR_NOT_FOUND;
  }
  PQclear(res);
  return rc;
}

int pg_presence_update(pg_conn_t *c, const store_scope_t *scope, const presence_t *pr) {
  int owned, rc = pg_tx_enter(c, &owned);
  if (rc != BH_OK) return rc;
  rc = person_check(c, scope, pr->person_id);
  if (rc == BH_OK) {
    pg_params_t q = {0};
    pgp_i64(&q, pr->id);
    presence_bind(&q, pr);
    pgp_i64(&q, clock_now());
    int64_t changes = 0;
    rc = pg_exec(c, PG_PRESENCE_UPDATE, &q, &changes);
    if (rc == BH_OK && changes == 0) rc = BH_ERR_NOT_FOUND;
  }
  return pg_tx_leave(c, owned, rc);
}

int pg_presence_list(pg_conn_t *c, const store_scope_t *scope, int64_t person_id, arena_t *a,
                     presence_t **out, size_t *n) {
  int rc = person_check(c, scope, person_id);
  if (rc != BH_OK) return rc;
  pg_params_t q = {0};
  pgp_i64(&q, person_id);
  PGresult *res;
  rc = pg_run(c, PG_PRESENCE_LIST, &q, &res);
  if (rc != BH_OK) return rc;
  int rows = PQntuples(res);
  presence_t *items = arena_alloc(a, sizeof(*items) * (size_t)(rows > 0 ? rows : 1));
  if (items == NULL) {
    PQclear(res);
    return BH_ERR_NOMEM;
  }
  for (int i = 0; i < rows; i++) presence_read(res, i, 0, a, &items[i]);
  PQclear(res);
  *out = items;
  *n = (size_t)rows;
  return BH_OK;
}

/* ---- welfare status ---- */

int pg_status_set(pg_conn_t *c, const store_scope_t *scope, status_event_t *ev) {
  int owned, rc = pg_tx_enter(c, &owned);
  if (rc != BH_OK) return rc;
  rc = person_check(c, scope, ev->person_id);
  if (rc == BH_OK) {
    if (ev->at == 0) ev->at = clock_now();
    pg_params_t q = {0};
    pgp_i64(&q, ev->person_id);
    pgp_text(&q, ev->status);
    pgp_i64(&q, ev->at);
    pgp_text(&q, ev->source);
    pgp_i64_or_null(&q, ev->author_id);
    pgp_text(&q, ev->note);
    rc = pg_scalar(c, PG_STATUS_SET, &q, &ev->id);
  }
  return pg_tx_leave(c, owned, rc);
}

int pg_status_history(pg_conn_t *c, const store_scope_t *scope, int64_t person_id, arena_t *a,
                      status_event_t **out, size_t *n) {
  int rc = person_check(c, scope, person_id);
  if (rc != BH_OK) return rc;
  pg_params_t q = {0};
  pgp_i64(&q, person_id);
  PGresult *res;
  rc = pg_run(c, PG_STATUS_LIST, &q, &res);
  if (rc != BH_OK) return rc;
  int rows = PQntuples(res);
  status_event_t *items = arena_alloc(a, sizeof(*items) * (size_t)(rows > 0 ? rows : 1));
  if (items == NULL) {
    PQclear(res);
    return BH_ERR_NOMEM;
  }
  for (int i = 0; i < rows; i++) {
    status_event_t *e = &items[i];
    e->id = pg_col_i64(res, i, 0);
    e->person_id = pg_col_i64(res, i, 1);
    e->status = pg_col_text(a, res, i, 2);
    e->at = pg_col_i64(res, i, 3);
    e->source = pg_col_text(a, res, i, 4);
    e->author_id = pg_col_i64(res, i, 5);
    e->note = pg_col_text(a, res, i, 6);
  }
  PQclear(res);
  *out = items;
  *n = (size_t)rows;
  return BH_OK;
}

/* ---- the rows of an import, many per statement ---- */

/*
 * The rows of an import (store_import_add_many) in one statement: the arrays of their columns,
 * unnested in order; rows whose import key comes again in the statement are left to the first
 * (DISTINCT ON), those whose key is stored already are skipped (ON CONFLICT), and each new
 * person gets its name tokens, its presence and, for a status other than unknown, its first
 * status event, as pg_person_create, pg_presence_create and store_status_set would one by one.
 * Answers each row's order with its new id, or NULL when it was not inserted.
 */
static const char PG_IMPORT_ROWS[] =
    "WITH u AS (SELECT * FROM unnest($1::int[], $2::text[], $3::text[], $4::text[], $5::text[],"
    " $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[],"
    " $13::text[], $14::text[], $15::text[], $16::text[], $17::text[], $18::bigint[],"
    " $19::bigint[], $20::text[], $21::bigint[], $22::text[], $23::text[], $24::text[],"
    " $25::text[], $26::text[], $27::float8[], $28::float8[], $29::text[], $30::text[],"
    " $31::text[], $32::text[], $33::text[]) AS u(ord, full_name, name_key, other_names, sex,"
    " dob, nid_enc, nid_hash, pp_enc, pp_hash, phones, emails, province, flags, contacts, source,"
    " status, status_at, owner, import_key, created_at, lang, country, region, city, address,"
    " lat, lon, category, organisation, date_from, date_until, group_id)),"
    " f AS (SELECT DISTINCT ON (import_key) * FROM u ORDER BY import_key, ord),"
    " ins AS (INSERT INTO persons(full_name, name_key, other_names, sex, dob, nid_enc, nid_hash,"
    " passport_enc, passport_hash, phones, emails, home_province, flags, contacts, source, status,"
    " status_at, owner_mission_id, import_key, created_at, updated_at, preferred_language)"
    " SELECT full_name, name_key, other_names, sex, dob, decode(nid_enc, 'hex'),"
    " decode(nid_hash, 'hex'), decode(pp_enc, 'hex'), decode(pp_hash, 'hex'), phones, emails,"
    " province, flags, contacts, source, status, status_at, owner, decode(import_key, 'hex'),"
    " created_at, created_at, lang FROM f ORDER BY ord"
    " ON CONFLICT (import_key) DO NOTHING RETURNING id, import_key),"
    " got AS (SELECT f.*, ins.id FROM f JOIN ins ON ins.import_key = decode(f.import_key, 'hex')),"
    " tok AS (INSERT INTO person_tokens(token, person_id) SELECT DISTINCT t, got.id FROM got,"
    " unnest(string_to_array(got.name_key, ' ')) t),"
    " pres AS (INSERT INTO presences(person_id, country, region, city, address, lat, lon,"
    " category, organisation, date_from, date_until, group_id, person_status, created_at,"
    " updated_at) SELECT id, country, region, city, address, lat, lon, category, organisation,"
    " date_from, date_until, group_id, status, created_at, created_at FROM got"
    " WHERE country IS NOT NULL ORDER BY ord),"
    " ev AS (INSERT INTO status_events(person_id, status, at, source)"
    " SELECT id, status, status_at, 'import' FROM got WHERE status <> 'unknown' ORDER BY ord)"
    " SELECT u.ord, got.id FROM u LEFT JOIN got ON got.ord = u.ord ORDER BY u.ord";

/* The most bytes one value of an import row can have: a whole CSV row (1 MiB, the reader's
 * limit) with room for what the row adds (sealing, hashes). */
#define PG_IMPORT_ROW_MAX (1024 * 1024 + 4096)

/* The columns of PG_IMPORT_ROWS's arrays, in the order of its parameters. */
enum { IR_ORD, IR_NAME, IR_KEY, IR_OTHER, IR_SEX, IR_DOB, IR_NID_ENC, IR_NID_HASH, IR_PP_ENC,
       IR_PP_HASH, IR_PHONES, IR_EMAILS, IR_PROVINCE, IR_FLAGS, IR_CONTACTS, IR_SOURCE, IR_STATUS,
       IR_STATUS_AT, IR_OWNER, IR_IMPORT_KEY, IR_CREATED, IR_LANG, IR_COUNTRY, IR_REGION, IR_CITY,
       IR_ADDRESS, IR_LAT, IR_LON, IR_CATEGORY, IR_ORG, IR_FROM, IR_UNTIL, IR_GROUP, IR_NCOLS };

/* A number as an array element; NULL when null. */
static int ir_number(buf_t *b, int null, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int ir_number(buf_t *b, int null, const char *fmt, ...) {
  char num[48] = "";
  if (!null) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(num, sizeof(num), fmt, ap);
    va_end(ap);
  }
  return pg_array_element(b, null ? NULL : num);
}

/* The n bytes at v as an array element in hex (decoded by the statement), or NULL when absent. */
static int ir_bytes(buf_t *b, int present, const void *v, size_t n) {
  return present ? pg_array_hex(b, v, n) : pg_array_element(b, NULL);
}

/* Appends row i's values to the column arrays of cols. */
static int ir_row(buf_t *cols, size_t i, store_import_row_t *row) {
  person_t *p = row->p;
  const presence_t *pr = row->pr;
  if (p->created_at == 0) p->created_at = clock_now();
  p->updated_at = p->created_at;
  if (p->status == NULL) p->status = "unknown";
  if (p->status_at == 0) p->status_at = p->created_at;
  int rc = ir_number(&cols[IR_ORD], 0, "%zu", i);
  const char *text[IR_NCOLS] = {
      [IR_NAME] = p->full_name, [IR_KEY] = row->name_key, [IR_OTHER] = row->other_names,
      [IR_SEX] = p->sex, [IR_DOB] = p->date_of_birth, [IR_PHONES] = row->phones,
      [IR_EMAILS] = row->emails, [IR_PROVINCE] = p->home_province, [IR_FLAGS] = row->flags,
      [IR_CONTACTS] = row->contacts, [IR_SOURCE] = p->source, [IR_STATUS] = p->status,
      [IR_LANG] = p->preferred_language ? p->preferred_language : MODEL_LANGUAGE_DEFAULT,
      [IR_COUNTRY] = pr ? pr->country : NULL, [IR_REGION] = pr ? pr->region : NULL,
      [IR_CITY] = pr ? pr->city : NULL, [IR_ADDRESS] = pr ? pr->address : NULL,
      [IR_CATEGORY] = pr ? pr->category : NULL, [IR_ORG] = pr ? pr->organisation : NULL,
      [IR_FROM] = pr ? pr->date_from : NULL, [IR_UNTIL] = pr ? pr->date_until : NULL,
      [IR_GROUP] = pr ? pr->group_id : NULL};
  for (int k = IR_NAME; k < IR_NCOLS && rc == BH_OK; k++) {
    switch (k) {
      case IR_NID_ENC:
        rc = ir_bytes(&cols[k], row->nid_len > 0, row->nid_sealed, row->nid_len);
        break;
      case IR_NID_HASH:
        rc = ir_bytes(&cols[k], row->nid_len > 0, row->nid_hash, SECRET_INDEX_BYTES);
        break;
      case IR_PP_ENC:
        rc = ir_bytes(&cols[k], row->pp_len > 0, row->pp_sealed, row->pp_len);
        break;
      case IR_PP_HASH:
        rc = ir_bytes(&cols[k], row->pp_len > 0, row->pp_hash, SECRET_INDEX_BYTES);
        break;
      case IR_STATUS_AT:
        rc = ir_number(&cols[k], 0, "%lld", (long long)p->status_at);
        break;
      case IR_OWNER:
        rc = ir_number(&cols[k], p->owner_mission_id == 0, "%lld", (long long)p->owner_mission_id);
        break;
      case IR_IMPORT_KEY:
        rc = pg_array_hex(&cols[k], p->import_key, SECRET_INDEX_BYTES);
        break;
      case IR_CREATED:
        rc = ir_number(&cols[k], 0, "%lld", (long long)p->created_at);
        break;
      case IR_LAT:
        rc = ir_number(&cols[k], !pr || !pr->has_geo, "%.17g", pr ? pr->lat : 0.0);
        break;
      case IR_LON:
        rc = ir_number(&cols[k], !pr || !pr->has_geo, "%.17g", pr ? pr->lon : 0.0);
        break;
      default:
        rc = pg_array_element(&cols[k], text[k]);
    }
  }
  return rc;
}

int pg_import_rows(pg_conn_t *c, store_import_row_t *const *rows, size_t n, int *rcs) {
  buf_t cols[IR_NCOLS];
  /* A row is at most a CSV row (CSV_MAX_ROW bytes) with its sealed numbers, hashes and
   * JSON texts, escaped: twice its size and some room per column bounds every array. */
  for (int k = 0; k < IR_NCOLS; k++) buf_init(&cols[k], n * (2 * PG_IMPORT_ROW_MAX + 8) + 2);
  int rc = BH_OK;
  for (size_t i = 0; i < n && rc == BH_OK; i++) {
    if (rows[i]->p->import_key == NULL) rc = BH_ERR_INTERNAL;
    if (rc == BH_OK) rc = ir_row(cols, i, rows[i]);
  }
  pg_params_t q = {0};
  for (int k = 0; k < IR_NCOLS && rc == BH_OK; k++) {
    rc = buf_putc(&cols[k], '}');
    pgp_text(&q, cols[k].data);
  }
  PGresult *res = NULL;
  int owned = 0;
  if (rc == BH_OK) rc = pg_tx_enter(c, &owned);
  if (rc == BH_OK) {
    rc = pg_run_sql(c, PG_IMPORT_ROWS, &q, &res);
    if (rc == BH_OK && (size_t)PQntuples(res) != n) rc = BH_ERR_DB;
    for (size_t i = 0; i < n && rc == BH_OK; i++) {
      person_t *p = rows[i]->p;
      if (PQgetisnull(res, (int)i, 1)) {
        rcs[i] = BH_ERR_CONFLICT;
        continue;
      }
      rcs[i] = BH_OK;
      p->id = pg_col_i64(res, (int)i, 1);
      if (rows[i]->pr != NULL) rows[i]->pr->person_id = p->id;
    }
    PQclear(res);
    rc = pg_tx_leave(c, owned, rc);
  }
  for (int k = 0; k < IR_NCOLS; k++) buf_free(&cols[k]);
  return rc;
}
