/*
 * store_sqlite.h - the SQLite backend behind store.h (prefix sq_). Only store.c calls these;
 * each has the contract of the store_ function of the same name.
 */
#ifndef BAOHO_STORE_SQLITE_H
#define BAOHO_STORE_SQLITE_H

#include "store/store.h"

typedef struct sq_store sq_store_t;
typedef struct sq_conn sq_conn_t;

int sq_begin(sq_conn_t *c);
int sq_begin_write(sq_conn_t *c);
int sq_commit(sq_conn_t *c);
int sq_rollback(sq_conn_t *c);
int sq_savepoint(sq_conn_t *c);
int sq_savepoint_release(sq_conn_t *c);
int sq_savepoint_rollback(sq_conn_t *c);
int sq_import_begin(sq_conn_t *c, int *initial);
int sq_import_add(sq_conn_t *c, store_import_row_t *row);
int sq_import_batch(sq_conn_t *c);
int sq_import_end(sq_conn_t *c, int ok);
int sq_open(const char *url, const secret_t *keys, enum store_sync sync, sq_store_t **out);
void sq_close(sq_store_t *s);
sq_conn_t *sq_conn(sq_store_t *s);
int sq_schema_version(sq_conn_t *c, int *version);
int sq_ping(sq_conn_t *c);
int sq_mission_create(sq_conn_t *c, mission_t *m);
int sq_mission_update(sq_conn_t *c, const mission_t *m);
int sq_mission_get(sq_conn_t *c, int64_t id, arena_t *a, mission_t *out);
int sq_mission_list(sq_conn_t *c, const store_page_t *page, arena_t *a, mission_t **out, size_t *n);
int sq_mission_find_name(sq_conn_t *c, const char *name, int64_t *id);
int sq_user_create(sq_conn_t *c, user_t *u);
int sq_user_get(sq_conn_t *c, int64_t id, arena_t *a, user_t *out);
int sq_user_by_email(sq_conn_t *c, const char *email, arena_t *a, user_t *out);
int sq_user_update(sq_conn_t *c, const user_t *u);
int sq_user_set_password(sq_conn_t *c, int64_t id, const char *pwhash);
int sq_user_list(sq_conn_t *c, const store_page_t *page, arena_t *a, user_t **out, size_t *n);
int sq_token_create(sq_conn_t *c, int64_t user_id, const unsigned char *hash, const char *name, int64_t *id);
int sq_token_lookup(sq_conn_t *c, const unsigned char *hash, int64_t *user_id);
int sq_session_create(sq_conn_t *c, const unsigned char *hash, int64_t user_id, int64_t now, int64_t expires_at);
int sq_session_touch(sq_conn_t *c, const unsigned char *hash, int64_t now, int64_t idle_s, int64_t *user_id);
int sq_session_delete(sq_conn_t *c, const unsigned char *hash);
int sq_person_create(sq_conn_t *c, person_t *p);
int sq_person_get(sq_conn_t *c, const store_scope_t *scope, int64_t id, arena_t *a, person_t *out);
int sq_person_update(sq_conn_t *c, const store_scope_t *scope, const person_t *p);
int sq_person_each(sq_conn_t *c, const store_scope_t *scope, arena_t *a, store_person_cb cb, void *ctx);
int sq_person_stats(sq_conn_t *c, store_stat_cb cb, void *ctx);
int sq_presence_create(sq_conn_t *c, const store_scope_t *scope, presence_t *pr);
int sq_presence_get(sq_conn_t *c, const store_scope_t *scope, int64_t id, arena_t *a, presence_t *out);
int sq_presence_update(sq_conn_t *c, const store_scope_t *scope, const presence_t *pr);
int sq_presence_list(sq_conn_t *c, const store_scope_t *scope, int64_t person_id, arena_t *a, presence_t **out, size_t *n);
int sq_status_set(sq_conn_t *c, const store_scope_t *scope, status_event_t *ev);
int sq_status_history(sq_conn_t *c, const store_scope_t *scope, int64_t person_id, arena_t *a, status_event_t **out, size_t *n);
int sq_registration_create(sq_conn_t *c, const unsigned char *hash, int64_t person_id, int64_t presence_id);
int sq_registration_lookup(sq_conn_t *c, const unsigned char *hash, int64_t *person_id, int64_t *presence_id);
int sq_registration_close(sq_conn_t *c, const unsigned char *hash, int64_t now);
int sq_audit_append(sq_conn_t *c, audit_entry_t *e);
int sq_audit_list(sq_conn_t *c, const audit_filter_t *f, const store_page_t *page, arena_t *a, audit_entry_t **out, size_t *n);

/*
 * Marks c so that the audit records appended on it are records of reads, kept in the audit file
 * (store_sqlite_audit.c); the group-commit writer marks its connection so.
 */
void sq_conn_audit_reads(sq_conn_t *c, int on);

/* The interface handle of a connection. */
store_conn_t *sq_conn_handle(sq_conn_t *c);

#endif
