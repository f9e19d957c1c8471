/*
 * store_pg.h - the PostgreSQL backend behind store.h (prefix pg_). Only store.c calls these;
 * each has the contract of the store_ function of the same name.
 */
#ifndef BAOHO_STORE_PG_H
#define BAOHO_STORE_PG_H

#include "store/store.h"

typedef struct bh_pg_store pg_store_t;
/* Not "pg_conn": that is libpq's own struct tag (PGconn). */
typedef struct bh_pg_conn pg_conn_t;

int pg_begin(pg_conn_t *c);
int pg_begin_write(pg_conn_t *c);
int pg_commit(pg_conn_t *c);
int pg_rollback(pg_conn_t *c);
int pg_savepoint(pg_conn_t *c);
int pg_savepoint_release(pg_conn_t *c);
int pg_savepoint_rollback(pg_conn_t *c);
int pg_bulk_begin(pg_conn_t *c);
int pg_bulk_end(pg_conn_t *c);
int pg_open(const char *url, const secret_t *keys, enum store_sync sync, pg_store_t **out);
void pg_close(pg_store_t *s);
pg_conn_t *pg_conn(pg_store_t *s);
int pg_schema_version(pg_conn_t *c, int *version);
int pg_ping(pg_conn_t *c);
int pg_mission_create(pg_conn_t *c, mission_t *m);
int pg_mission_update(pg_conn_t *c, const mission_t *m);
int pg_mission_get(pg_conn_t *c, int64_t id, arena_t *a, mission_t *out);
int pg_mission_list(pg_conn_t *c, const store_page_t *page, arena_t *a, mission_t **out, size_t *n);
int pg_mission_find_name(pg_conn_t *c, const char *name, int64_t *id);
int pg_user_create(pg_conn_t *c, user_t *u);
int pg_user_get(pg_conn_t *c, int64_t id, arena_t *a, user_t *out);
int pg_user_by_email(pg_conn_t *c, const char *email, arena_t *a, user_t *out);
int pg_user_update(pg_conn_t *c, const user_t *u);
int pg_user_set_password(pg_conn_t *c, int64_t id, const char *pwhash);
int pg_user_list(pg_conn_t *c, const store_page_t *page, arena_t *a, user_t **out, size_t *n);
int pg_token_create(pg_conn_t *c, int64_t user_id, const unsigned char *hash, const char *name, int64_t *id);
int pg_token_lookup(pg_conn_t *c, const unsigned char *hash, int64_t *user_id);
int pg_session_create(pg_conn_t *c, const unsigned char *hash, int64_t user_id, int64_t now, int64_t expires_at);
int pg_session_touch(pg_conn_t *c, const unsigned char *hash, int64_t now, int64_t idle_s, int64_t *user_id);
int pg_session_delete(pg_conn_t *c, const unsigned char *hash);
int pg_person_create(pg_conn_t *c, person_t *p);
/* store_import_add_many on PostgreSQL: the rows in one statement; see store_pg_person.c. */
int pg_import_rows(pg_conn_t *c, store_import_row_t *const *rows, size_t n, int *rcs);
int pg_person_get(pg_conn_t *c, const store_scope_t *scope, int64_t id, arena_t *a, person_t *out);
int pg_person_update(pg_conn_t *c, const store_scope_t *scope, const person_t *p);
int pg_person_each(pg_conn_t *c, const store_scope_t *scope, arena_t *a, store_person_cb cb, void *ctx);
int pg_person_stats(pg_conn_t *c, store_stat_cb cb, void *ctx);
int pg_presence_create(pg_conn_t *c, const store_scope_t *scope, presence_t *pr);
int pg_presence_get(pg_conn_t *c, const store_scope_t *scope, int64_t id, arena_t *a, presence_t *out);
int pg_presence_update(pg_conn_t *c, const store_scope_t *scope, const presence_t *pr);
int pg_presence_list(pg_conn_t *c, const store_scope_t *scope, int64_t person_id, arena_t *a, presence_t **out, size_t *n);
int pg_status_set(pg_conn_t *c, const store_scope_t *scope, status_event_t *ev);
int pg_status_history(pg_conn_t *c, const store_scope_t *scope, int64_t person_id, arena_t *a, status_event_t **out, size_t *n);
int pg_registration_create(pg_conn_t *c, const unsigned char *hash, int64_t person_id, int64_t presence_id);
int pg_registration_lookup(pg_conn_t *c, const unsigned char *hash, int64_t *person_id, int64_t *presence_id);
int pg_registration_close(pg_conn_t *c, const unsigned char *hash, int64_t now);
int pg_audit_append(pg_conn_t *c, audit_entry_t *e);
int pg_audit_list(pg_conn_t *c, const audit_filter_t *f, const store_page_t *page, arena_t *a, audit_entry_t **out, size_t *n);

/* The interface handle of a connection. */
store_conn_t *pg_conn_handle(pg_conn_t *c);

#endif
