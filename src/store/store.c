/*
 * store.c - the storage interface: picks the backend from the database URL and forwards every
 * call to it. Nothing here touches a database itself.
 */
#include "store/store.h"

#include <stdatomic.h>
#include <stdlib.h>

#include "store/store_impl.h"
#include "store/store_sqlite.h"
#include "util/err.h"

struct store {
  sq_store_t *sq;
};

static _Atomic int64_t store_db_us;

void store_db_time_add(int64_t us) { atomic_fetch_add(&store_db_us, us); }

int64_t store_db_time_us(void) { return atomic_load(&store_db_us); }

int store_open(const char *url, const secret_t *keys, enum store_sync sync, store_t **out) {
  store_t *s = calloc(1, sizeof(*s));
  if (s == NULL) return BH_ERR_NOMEM;
  int rc = sq_open(url, keys, sync, &s->sq);
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
  free(s);
}

store_conn_t *store_conn(store_t *s) {
  sq_conn_t *c = sq_conn(s->sq);
  return c ? sq_conn_handle(c) : NULL;
}

int store_begin(store_conn_t *c) { return sq_begin(c->sq); }

int store_begin_write(store_conn_t *c) { return sq_begin_write(c->sq); }

int store_commit(store_conn_t *c) { return sq_commit(c->sq); }

int store_rollback(store_conn_t *c) { return sq_rollback(c->sq); }

int store_savepoint(store_conn_t *c) { return sq_savepoint(c->sq); }

int store_savepoint_release(store_conn_t *c) { return sq_savepoint_release(c->sq); }

int store_savepoint_rollback(store_conn_t *c) { return sq_savepoint_rollback(c->sq); }

int store_bulk_begin(store_conn_t *c) { return sq_bulk_begin(c->sq); }

int store_bulk_end(store_conn_t *c) { return sq_bulk_end(c->sq); }

int store_schema_version(store_conn_t *c, int *version) { return sq_schema_version(c->sq, version); }

int store_ping(store_conn_t *c) { return sq_ping(c->sq); }

int store_mission_create(store_conn_t *c, mission_t *m) { return sq_mission_create(c->sq, m); }

int store_mission_update(store_conn_t *c, const mission_t *m) { return sq_mission_update(c->sq, m); }

int store_mission_get(store_conn_t *c, int64_t id, arena_t *a, mission_t *out) { return sq_mission_get(c->sq, id, a, out); }

int store_mission_list(store_conn_t *c, const store_page_t *page, arena_t *a, mission_t **out, size_t *n) { return sq_mission_list(c->sq, page, a, out, n); }

int store_mission_find_name(store_conn_t *c, const char *name, int64_t *id) { return sq_mission_find_name(c->sq, name, id); }

int store_user_create(store_conn_t *c, user_t *u) { return sq_user_create(c->sq, u); }

int store_user_get(store_conn_t *c, int64_t id, arena_t *a, user_t *out) { return sq_user_get(c->sq, id, a, out); }

int store_user_by_email(store_conn_t *c, const char *email, arena_t *a, user_t *out) { return sq_user_by_email(c->sq, email, a, out); }

int store_user_update(store_conn_t *c, const user_t *u) { return sq_user_update(c->sq, u); }

int store_user_set_password(store_conn_t *c, int64_t id, const char *pwhash) { return sq_user_set_password(c->sq, id, pwhash); }

int store_user_list(store_conn_t *c, const store_page_t *page, arena_t *a, user_t **out, size_t *n) { return sq_user_list(c->sq, page, a, out, n); }

int store_token_create(store_conn_t *c, int64_t user_id, const unsigned char *hash, const char *name, int64_t *id) { return sq_token_create(c->sq, user_id, hash, name, id); }

int store_token_lookup(store_conn_t *c, const unsigned char *hash, int64_t *user_id) { return sq_token_lookup(c->sq, hash, user_id); }

int store_session_create(store_conn_t *c, const unsigned char *hash, int64_t user_id, int64_t now, int64_t expires_at) { return sq_session_create(c->sq, hash, user_id, now, expires_at); }

int store_session_touch(store_conn_t *c, const unsigned char *hash, int64_t now, int64_t idle_s, int64_t *user_id) { return sq_session_touch(c->sq, hash, now, idle_s, user_id); }

int store_session_delete(store_conn_t *c, const unsigned char *hash) { return sq_session_delete(c->sq, hash); }

int store_person_create(store_conn_t *c, person_t *p) { return sq_person_create(c->sq, p); }

int store_person_get(store_conn_t *c, const store_scope_t *scope, int64_t id, arena_t *a, person_t *out) { return sq_person_get(c->sq, scope, id, a, out); }

int store_person_update(store_conn_t *c, const store_scope_t *scope, const person_t *p) { return sq_person_update(c->sq, scope, p); }

int store_person_search(store_conn_t *c, const store_scope_t *scope, const person_filter_t *f, const store_page_t *page, arena_t *a, person_t **out, size_t *n) { return sq_person_search(c->sq, scope, f, page, a, out, n); }

int store_person_each(store_conn_t *c, const store_scope_t *scope, arena_t *a, store_person_cb cb, void *ctx) { return sq_person_each(c->sq, scope, a, cb, ctx); }

int store_person_stats(store_conn_t *c, store_stat_cb cb, void *ctx) { return sq_person_stats(c->sq, cb, ctx); }

int store_presence_create(store_conn_t *c, const store_scope_t *scope, presence_t *pr) { return sq_presence_create(c->sq, scope, pr); }

int store_presence_get(store_conn_t *c, const store_scope_t *scope, int64_t id, arena_t *a, presence_t *out) { return sq_presence_get(c->sq, scope, id, a, out); }

int store_presence_update(store_conn_t *c, const store_scope_t *scope, const presence_t *pr) { return sq_presence_update(c->sq, scope, pr); }

int store_presence_list(store_conn_t *c, const store_scope_t *scope, int64_t person_id, arena_t *a, presence_t **out, size_t *n) { return sq_presence_list(c->sq, scope, person_id, a, out, n); }

int store_status_set(store_conn_t *c, const store_scope_t *scope, status_event_t *ev) { return sq_status_set(c->sq, scope, ev); }

int store_status_history(store_conn_t *c, const store_scope_t *scope, int64_t person_id, arena_t *a, status_event_t **out, size_t *n) { return sq_status_history(c->sq, scope, person_id, a, out, n); }

int store_registration_create(store_conn_t *c, const unsigned char *hash, int64_t person_id, int64_t presence_id) { return sq_registration_create(c->sq, hash, person_id, presence_id); }

int store_registration_lookup(store_conn_t *c, const unsigned char *hash, int64_t *person_id, int64_t *presence_id) { return sq_registration_lookup(c->sq, hash, person_id, presence_id); }

int store_registration_close(store_conn_t *c, const unsigned char *hash, int64_t now) { return sq_registration_close(c->sq, hash, now); }

int store_audit_append(store_conn_t *c, audit_entry_t *e) { return sq_audit_append(c->sq, e); }

int store_audit_list(store_conn_t *c, const audit_filter_t *f, const store_page_t *page, arena_t *a, audit_entry_t **out, size_t *n) { return sq_audit_list(c->sq, f, page, a, out, n); }
