/*
 * store.c - the storage interface: picks the backend from the database URL (postgresql:// or
 * postgres:// for PostgreSQL, anything else is an SQLite file) and forwards every call to it.
 * Nothing here touches a database itself.
 */
#include "store/store.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_idem_impl.h"
#include "store/store_impl.h"
#include "store/store_pg.h"
#include "store/store_sqlite.h"
#include "util/err.h"

struct store {
  sq_store_t *sq;
  pg_store_t *pg;
};

static _Atomic int64_t store_db_us;

void store_db_time_add(int64_t us) { atomic_fetch_add(&store_db_us, us); }

int64_t store_db_time_us(void) { return atomic_load(&store_db_us); }

int store_open(const char *url, const secret_t *keys, enum store_sync sync, store_t **out) {
  store_t *s = calloc(1, sizeof(*s));
  if (s == NULL) return BH_ERR_NOMEM;
  int pg = strncmp(url, "postgresql://", 13) == 0 || strncmp(url, "postgres://", 11) == 0;
  int rc = pg ? pg_open(url, keys, sync, &s->pg) : sq_open(url, keys, sync, &s->sq);
  if (rc != BH_OK) {
    free(s);
    return rc;
  }
  *out = s;
  return BH_OK;
}

void store_close(store_t *s) {
  if (s == NULL) return;
  sq_close(s->sq);
  pg_close(s->pg);
  free(s);
}

store_conn_t *store_conn(store_t *s) {
  if (s->pg) {
    pg_conn_t *p = pg_conn(s->pg);
    return p ? pg_conn_handle(p) : NULL;
  }
  sq_conn_t *c = sq_conn(s->sq);
  return c ? sq_conn_handle(c) : NULL;
}

/* Forwards a call to the backend that owns connection c. */
#define STORE_CALL(c, fn, ...) ((c)->pg ? pg_##fn((c)->pg, __VA_ARGS__) : sq_##fn((c)->sq, __VA_ARGS__))
#define STORE_CALL0(c, fn) ((c)->pg ? pg_##fn((c)->pg) : sq_##fn((c)->sq))

/*
 * While the API holds a transaction for a request with an idempotency key (store_idem.h), the
 * handler's own begin, commit and rollback join it instead of reaching the backend.
 */
int store_begin(store_conn_t *c) {
  int rc;
  return store_idem_absorb(c, STORE_IDEM_BEGIN, &rc) ? rc : STORE_CALL0(c, begin);
}

int store_begin_write(store_conn_t *c) {
  int rc;
  return store_idem_absorb(c, STORE_IDEM_BEGIN, &rc) ? rc : STORE_CALL0(c, begin_write);
}

int store_commit(store_conn_t *c) {
  int rc;
  return store_idem_absorb(c, STORE_IDEM_COMMIT, &rc) ? rc : STORE_CALL0(c, commit);
}

int store_rollback(store_conn_t *c) {
  int rc;
  return store_idem_absorb(c, STORE_IDEM_ROLLBACK, &rc) ? rc : STORE_CALL0(c, rollback);
}

int store_savepoint(store_conn_t *c) { return STORE_CALL0(c, savepoint); }

int store_savepoint_release(store_conn_t *c) { return STORE_CALL0(c, savepoint_release); }

int store_savepoint_rollback(store_conn_t *c) { return STORE_CALL0(c, savepoint_rollback); }

int store_schema_version(store_conn_t *c, int *version) { return STORE_CALL(c, schema_version, version); }

int store_ping(store_conn_t *c) { return STORE_CALL0(c, ping); }

int store_mission_create(store_conn_t *c, mission_t *m) { return STORE_CALL(c, mission_create, m); }

int store_mission_update(store_conn_t *c, const mission_t *m) { return STORE_CALL(c, mission_update, m); }

int store_mission_get(store_conn_t *c, int64_t id, arena_t *a, mission_t *out) { return STORE_CALL(c, mission_get, id, a, out); }

int store_mission_list(store_conn_t *c, const store_page_t *page, arena_t *a, mission_t **out, size_t *n) { return STORE_CALL(c, mission_list, page, a, out, n); }

int store_mission_find_name(store_conn_t *c, const char *name, int64_t *id) { return STORE_CALL(c, mission_find_name, name, id); }

int store_user_create(store_conn_t *c, user_t *u) { return STORE_CALL(c, user_create, u); }

int store_user_get(store_conn_t *c, int64_t id, arena_t *a, user_t *out) { return STORE_CALL(c, user_get, id, a, out); }

int store_user_by_email(store_conn_t *c, const char *email, arena_t *a, user_t *out) { return STORE_CALL(c, user_by_email, email, a, out); }

int store_user_update(store_conn_t *c, const user_t *u) { return STORE_CALL(c, user_update, u); }

int store_user_set_password(store_conn_t *c, int64_t id, const char *pwhash) { return STORE_CALL(c, user_set_password, id, pwhash); }

int store_user_list(store_conn_t *c, const store_page_t *page, arena_t *a, user_t **out, size_t *n) { return STORE_CALL(c, user_list, page, a, out, n); }

int store_token_create(store_conn_t *c, int64_t user_id, const unsigned char *hash, const char *name, int64_t *id) { return STORE_CALL(c, token_create, user_id, hash, name, id); }

int store_token_lookup(store_conn_t *c, const unsigned char *hash, int64_t *user_id) { return STORE_CALL(c, token_lookup, hash, user_id); }

int store_session_create(store_conn_t *c, const unsigned char *hash, int64_t user_id, int64_t now, int64_t expires_at) { return STORE_CALL(c, session_create, hash, user_id, now, expires_at); }

int store_session_touch(store_conn_t *c, const unsigned char *hash, int64_t now, int64_t idle_s, int64_t *user_id) { return STORE_CALL(c, session_touch, hash, now, idle_s, user_id); }

int store_session_delete(store_conn_t *c, const unsigned char *hash) { return STORE_CALL(c, session_delete, hash); }

int store_person_create(store_conn_t *c, person_t *p) { return STORE_CALL(c, person_create, p); }

int store_person_get(store_conn_t *c, const store_scope_t *scope, int64_t id, arena_t *a, person_t *out) { return STORE_CALL(c, person_get, scope, id, a, out); }

int store_person_update(store_conn_t *c, const store_scope_t *scope, const person_t *p) { return STORE_CALL(c, person_update, scope, p); }


int store_person_each(store_conn_t *c, const store_scope_t *scope, arena_t *a, store_person_cb cb, void *ctx) { return STORE_CALL(c, person_each, scope, a, cb, ctx); }

int store_person_stats(store_conn_t *c, store_stat_cb cb, void *ctx) { return STORE_CALL(c, person_stats, cb, ctx); }

int store_presence_create(store_conn_t *c, const store_scope_t *scope, presence_t *pr) { return STORE_CALL(c, presence_create, scope, pr); }

int store_presence_get(store_conn_t *c, const store_scope_t *scope, int64_t id, arena_t *a, presence_t *out) { return STORE_CALL(c, presence_get, scope, id, a, out); }

int store_presence_update(store_conn_t *c, const store_scope_t *scope, const presence_t *pr) { return STORE_CALL(c, presence_update, scope, pr); }

int store_presence_list(store_conn_t *c, const store_scope_t *scope, int64_t person_id, arena_t *a, presence_t **out, size_t *n) { return STORE_CALL(c, presence_list, scope, person_id, a, out, n); }

int store_status_set(store_conn_t *c, const store_scope_t *scope, status_event_t *ev) { return STORE_CALL(c, status_set, scope, ev); }

int store_status_history(store_conn_t *c, const store_scope_t *scope, int64_t person_id, arena_t *a, status_event_t **out, size_t *n) { return STORE_CALL(c, status_history, scope, person_id, a, out, n); }

int store_registration_create(store_conn_t *c, const unsigned char *hash, int64_t person_id, int64_t presence_id) { return STORE_CALL(c, registration_create, hash, person_id, presence_id); }

int store_registration_lookup(store_conn_t *c, const unsigned char *hash, int64_t *person_id, int64_t *presence_id) { return STORE_CALL(c, registration_lookup, hash, person_id, presence_id); }

int store_registration_close(store_conn_t *c, const unsigned char *hash, int64_t now) { return STORE_CALL(c, registration_close, hash, now); }

int store_audit_append(store_conn_t *c, audit_entry_t *e) { return STORE_CALL(c, audit_append, e); }

int store_audit_list(store_conn_t *c, const audit_filter_t *f, const store_page_t *page, arena_t *a, audit_entry_t **out, size_t *n) { return STORE_CALL(c, audit_list, f, page, a, out, n); }

/* Writes the JSON string of the len bytes at s to out, escaped as jansson's dump escapes it
 * without flags (", \ and control characters; UTF-8 as it is); the bytes written. out holds at
 * least 6 * len + 2 bytes. */
static size_t import_json_string(const char *s, size_t len, char *out) {
  static const char hex[] = "0123456789ABCDEF";
  size_t o = 0;
  out[o++] = '"';
  for (size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c >= 0x20 && c != '"' && c != '\\') {
      out[o++] = (char)c;
      continue;
    }
    out[o++] = '\\';
    switch (c) {
      case '"': out[o++] = '"'; break;
      case '\\': out[o++] = '\\'; break;
      case '\b': out[o++] = 'b'; break;
      case '\f': out[o++] = 'f'; break;
      case '\n': out[o++] = 'n'; break;
      case '\r': out[o++] = 'r'; break;
      case '\t': out[o++] = 't'; break;
      default:
        memcpy(out + o, "u00", 3);
        out[o + 3] = hex[c >> 4];
        out[o + 4] = hex[c & 15];
        o += 5;
    }
  }
  out[o++] = '"';
  return o;
}

/*
 * A compact JSON text of j in the arena, the text json_dumps(j, JSON_COMPACT) gives; "[]" for
 * NULL or an empty array. An array of strings (every list of an import row) is written here
 * directly: jansson's writer was an eighth of the parser thread's work.
 */
static const char *import_json_text(arena_t *a, const json_t *j) {
  if (j == NULL || (json_is_array(j) && json_array_size(j) == 0)) return "[]";
  size_t n = json_is_array(j) ? json_array_size(j) : 0, cap = 3;
  for (size_t i = 0; i < n && cap > 0; i++) {
    const json_t *v = json_array_get(j, i);
    cap = json_is_string(v) ? cap + 6 * json_string_length(v) + 3 : 0;
  }
  if (n > 0 && cap > 0) {
    char *out = arena_alloc(a, cap);
    if (out == NULL) return NULL;
    size_t o = 0;
    out[o++] = '[';
    for (size_t i = 0; i < n; i++) {
      const json_t *v = json_array_get(j, i);
      if (i > 0) out[o++] = ',';
      o += import_json_string(json_string_value(v), json_string_length(v), out + o);
    }
    out[o++] = ']';
    out[o] = '\0';
    return out;
  }
  char *text = json_dumps(j, JSON_COMPACT);
  if (text == NULL) return NULL;
  const char *out = arena_strdup(a, text);
  free(text);
  return out;
}

/* Seals a sensitive number and computes its lookup hash; *len = 0 when absent. */
static int import_identifier(const secret_t *keys, const char *kind, const char *value,
                             unsigned char *sealed, size_t *len, unsigned char *hash) {
  *len = 0;
  if (value == NULL || value[0] == '\0') return BH_OK;
  char canon[MODEL_NUMBER_MAX + 1];
  if (secret_canon_number(value, canon, sizeof(canon)) != BH_OK) return BH_ERR_INVALID;
  size_t n = strlen(canon);
  secret_seal(keys, canon, n, sealed);
  secret_index(keys, kind, canon, hash);
  *len = n + SECRET_SEAL_OVERHEAD;
  return BH_OK;
}

int store_import_prepare(const secret_t *keys, person_t *p, presence_t *pr, arena_t *a,
                         store_import_row_t *out) {
  out->p = p;
  out->pr = pr;
  char key[STORE_NAME_KEY_MAX];
  int rc = store_person_name_key(p, key, sizeof(key));
  if (rc != BH_OK) return rc;
  out->name_key = arena_strdup(a, key);
  out->other_names = import_json_text(a, p->other_names);
  out->phones = import_json_text(a, p->phones);
  out->emails = import_json_text(a, p->emails);
  out->flags = import_json_text(a, p->flags);
  out->contacts = import_json_text(a, p->contacts);
  if (!out->name_key || !out->other_names || !out->phones || !out->emails || !out->flags ||
      !out->contacts) {
    return BH_ERR_NOMEM;
  }
  rc = import_identifier(keys, "national_id", p->national_id, out->nid_sealed, &out->nid_len,
                         out->nid_hash);
  if (rc == BH_OK) {
    rc = import_identifier(keys, "passport", p->passport, out->pp_sealed, &out->pp_len,
                           out->pp_hash);
  }
  return rc;
}

/*
 * The PostgreSQL backend stores an import row through its ordinary calls (it seals again; the
 * prepared texts are only SQLite's shortcut) inside pg_bulk_begin's batches.
 */
static int pg_import_add(store_conn_t *c, store_import_row_t *row) {
  person_t *p = row->p;
  int rc = store_person_create(c, p);
  if (rc != BH_OK) return rc;
  if (row->pr != NULL) {
    row->pr->person_id = p->id;
    rc = store_presence_create(c, &STORE_SCOPE_ALL, row->pr);
  }
  if (rc == BH_OK && p->status != NULL && strcmp(p->status, "unknown") != 0) {
    status_event_t ev = {.person_id = p->id, .status = p->status, .source = "import",
                         .at = p->status_at};
    rc = store_status_set(c, &STORE_SCOPE_ALL, &ev);
  }
  return rc;
}

int store_import_begin(store_conn_t *c, int *initial) {
  *initial = 0;
  return c->pg ? pg_bulk_begin(c->pg) : sq_import_begin(c->sq, initial);
}

int store_import_add(store_conn_t *c, store_import_row_t *row) {
  return c->pg ? pg_import_add(c, row) : sq_import_add(c->sq, row);
}

int store_import_add_many(store_conn_t *c, store_import_row_t *const *rows, size_t n, int *rcs) {
  if (c->pg && n > 0) {
    int rc = pg_import_rows(c->pg, rows, n, rcs);
    if (rc != BH_OK) {
      for (size_t i = 0; i < n; i++) rcs[i] = rc;
    }
    return rc;
  }
  for (size_t i = 0; i < n; i++) {
    int rc = store_import_add(c, rows[i]);
    if (rc != BH_OK && rc != BH_ERR_CONFLICT) {
      for (size_t j = i; j < n; j++) rcs[j] = rc; /* this row failed, the others were not tried */
      return rc;
    }
    rcs[i] = rc;
  }
  return BH_OK;
}

int store_import_batch(store_conn_t *c) {
  if (!c->pg) return sq_import_batch(c->sq);
  int rc = pg_bulk_end(c->pg);
  if (rc == BH_OK) rc = pg_bulk_begin(c->pg);
  return rc;
}

int store_import_end(store_conn_t *c, int ok) {
  (void)ok; /* PostgreSQL keeps the batches committed so far either way. */
  return c->pg ? pg_bulk_end(c->pg) : sq_import_end(c->sq, ok);
}

int store_person_name_key(const person_t *p, char *key, size_t cap) {
  size_t len = 0;
  key[0] = '\0';
  size_t nnames = 1 + (p->other_names ? json_array_size(p->other_names) : 0);
  for (size_t i = 0; i < nnames; i++) {
    const char *name = i == 0 ? p->full_name : json_string_value(json_array_get(p->other_names, i - 1));
    if (name == NULL) continue;
    char folded[NAME_MAX_BYTES * 2 + 1];
    size_t flen = 0;
    if (name_fold(name, strlen(name), folded, sizeof(folded), &flen) != BH_OK) continue;
    char toks[NAME_MAX_TOKENS][NAME_TOKEN_MAX];
    size_t nt = name_tokens(folded, toks, NAME_MAX_TOKENS);
    for (size_t t = 0; t < nt; t++) {
      /* Skip a token already in the key (space-delimited membership test). */
      size_t tl = strlen(toks[t]);
      int dup = 0;
      for (const char *q = key; *q;) {
        const char *e = strchr(q, ' ');
        size_t ql = e ? (size_t)(e - q) : strlen(q);
        if (ql == tl && memcmp(q, toks[t], tl) == 0) dup = 1;
        q += ql + (e ? 1 : 0);
      }
      if (dup) continue;
      if (len + tl + 2 > cap) return BH_ERR_TOO_LARGE;
      if (len > 0) key[len++] = ' ';
      memcpy(key + len, toks[t], tl);
      len += tl;
      key[len] = '\0';
    }
  }
  return BH_OK;
}

