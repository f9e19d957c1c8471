/*
 * store.h - the storage interface: every read and write of baoho's data goes through it.
 *
 * A store_t is the database as a whole (opened once, shared by all threads); a store_conn_t is
 * one connection, used by one thread at a time (store_conn returns the calling thread's own).
 * A backend (SQLite now, PostgreSQL later) implements store_ops_t; nothing outside src/store/
 * contains SQL or knows which backend runs.
 *
 * Jurisdiction is enforced here: every function that reads or changes a person takes a
 * store_scope_t and behaves, for a person outside the scope, exactly as if the person did not
 * exist (BH_ERR_NOT_FOUND, absent from lists). Sensitive identifiers (passport, national ID) are
 * sealed before they reach the database and opened on the way back.
 *
 * Strings in returned records are allocated from the arena the caller passes; JSON values are
 * new references the caller releases with person_clear / mission_clear. All functions return
 * BH_OK or a negative bh_err (BH_ERR_NOT_FOUND, BH_ERR_CONFLICT on a uniqueness clash,
 * BH_ERR_DB otherwise).
 */
#ifndef BAOHO_STORE_H
#define BAOHO_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "domain/model.h"
#include "domain/name.h"
#include "domain/secret.h"
#include "util/arena.h"

typedef struct store store_t;
typedef struct store_conn store_conn_t;

/* Whose eyes a query serves: all = 1 for admin/hq; otherwise the officer's mission. */
typedef struct store_scope {
  int all;
  int64_t mission_id;
} store_scope_t;

#define STORE_SCOPE_ALL ((store_scope_t){.all = 1, .mission_id = 0})

/* Durability of commits: FULL syncs every commit; NORMAL survives a process kill, not power loss. */
enum store_sync { STORE_SYNC_FULL = 0, STORE_SYNC_NORMAL, STORE_SYNC_OFF };

/* A page request: items with id > after, at most limit of them. */
typedef struct store_page {
  int64_t after;
  int limit;
} store_page_t;

typedef struct person_filter {
  char tokens[NAME_MAX_TOKENS][NAME_TOKEN_MAX]; /* folded name tokens, all must match */
  size_t ntokens;
  int has_number; /* exact passport or national ID number */
  unsigned char passport_hash[SECRET_INDEX_BYTES];
  unsigned char nid_hash[SECRET_INDEX_BYTES];
  const char *country;
  const char *region;
  const char *category;
  const char *status;
} person_filter_t;

typedef struct audit_filter {
  int64_t user_id;         /* 0 for any */
  const char *object_kind; /* NULL for any */
  int64_t object_id;       /* 0 for any */
} audit_filter_t;

/* Aggregate figures a viewer may see: persons per country and status. */
typedef int (*store_stat_cb)(void *ctx, const char *country, const char *status, int64_t count);
/* Called once per person for exports; return non-zero to stop. */
typedef int (*store_person_cb)(void *ctx, const person_t *p, const presence_t *latest);

/*
 * Opens the database named by url (a file path for SQLite) with keys for sealing identifiers,
 * applies pending migrations, and returns the shared handle. The key material is copied.
 */
int store_open(const char *url, const secret_t *keys, enum store_sync sync, store_t **out /* OUT */);
/* Closes every connection and frees the store. Accepts NULL. Call after all threads stopped. */
void store_close(store_t *s);
/* The calling thread's connection, opened on first use; NULL on failure (logged). */
store_conn_t *store_conn(store_t *s);
/* The schema version after migrations. */
int store_schema_version(store_conn_t *c, int *version /* OUT */);
/* Cumulative microseconds spent in the database, for metrics. */
int64_t store_db_time_us(void);
/* Returns BH_OK if the database answers a trivial query. */
int store_ping(store_conn_t *c);

/* Transactions: begin_write takes the write lock at once. Nested use is a programming error. */
int store_begin(store_conn_t *c);
int store_begin_write(store_conn_t *c);
int store_commit(store_conn_t *c);
int store_rollback(store_conn_t *c);
/* A savepoint inside the current transaction (one level): release keeps, rollback undoes. */
int store_savepoint(store_conn_t *c);
int store_savepoint_release(store_conn_t *c);
int store_savepoint_rollback(store_conn_t *c);
/* Bulk mode for imports: trades durability of the batch for speed until store_bulk_end. */
int store_bulk_begin(store_conn_t *c);
int store_bulk_end(store_conn_t *c);

/* Missions. */
int store_mission_create(store_conn_t *c, mission_t *m /* IN, OUT: id, times */);
int store_mission_get(store_conn_t *c, int64_t id, arena_t *a, mission_t *out /* OUT */);
int store_mission_update(store_conn_t *c, const mission_t *m);
int store_mission_list(store_conn_t *c, const store_page_t *page, arena_t *a,
                       mission_t **out /* OUT */, size_t *n /* OUT */);
/* Finds a mission by exact name (for the CLI); BH_ERR_NOT_FOUND if none. */
int store_mission_find_name(store_conn_t *c, const char *name, int64_t *id /* OUT */);

/* Users and credentials. */
int store_user_create(store_conn_t *c, user_t *u /* IN, OUT: id */);
int store_user_get(store_conn_t *c, int64_t id, arena_t *a, user_t *out /* OUT */);
int store_user_by_email(store_conn_t *c, const char *email, arena_t *a, user_t *out /* OUT */);
int store_user_update(store_conn_t *c, const user_t *u); /* role, name, mission, disabled */
int store_user_set_password(store_conn_t *c, int64_t id, const char *pwhash);
int store_user_list(store_conn_t *c, const store_page_t *page, arena_t *a, user_t **out /* OUT */,
                    size_t *n /* OUT */);
int store_token_create(store_conn_t *c, int64_t user_id, const unsigned char *hash,
                       const char *name, int64_t *id /* OUT */);
/* Resolves an API token hash to its (enabled) user id. */
int store_token_lookup(store_conn_t *c, const unsigned char *hash, int64_t *user_id /* OUT */);
int store_session_create(store_conn_t *c, const unsigned char *hash, int64_t user_id,
                         int64_t now, int64_t expires_at);
/*
 * Resolves a session: valid if now - last_seen <= idle_s and now < expires_at, and the user is
 * enabled. Refreshes last_seen when it is older than a minute. BH_ERR_UNAUTHENTICATED otherwise.
 */
int store_session_touch(store_conn_t *c, const unsigned char *hash, int64_t now, int64_t idle_s,
                        int64_t *user_id /* OUT */);
int store_session_delete(store_conn_t *c, const unsigned char *hash);

/* Persons. */
/*
 * Creates a person; fills p->id and times. If p->import_key is set and already present, returns
 * BH_ERR_CONFLICT and sets p->id to the existing person (imports skip it).
 */
int store_person_create(store_conn_t *c, person_t *p /* IN, OUT */);
int store_person_get(store_conn_t *c, const store_scope_t *scope, int64_t id, arena_t *a,
                     person_t *out /* OUT */);
/* Replaces the editable fields (not status, not owner). */
int store_person_update(store_conn_t *c, const store_scope_t *scope, const person_t *p);
int store_person_search(store_conn_t *c, const store_scope_t *scope, const person_filter_t *f,
                        const store_page_t *page, arena_t *a, person_t **out /* OUT */,
                        size_t *n /* OUT */);
/* Every person, in id order, with their latest presence (NULL if none); for exports. */
int store_person_each(store_conn_t *c, const store_scope_t *scope, arena_t *a,
                      store_person_cb cb, void *ctx);
int store_person_stats(store_conn_t *c, store_stat_cb cb, void *ctx);

/* Presences of a person (the person must be in scope). */
int store_presence_create(store_conn_t *c, const store_scope_t *scope, presence_t *pr /* IN, OUT */);
int store_presence_get(store_conn_t *c, const store_scope_t *scope, int64_t id, arena_t *a,
                       presence_t *out /* OUT */);
int store_presence_update(store_conn_t *c, const store_scope_t *scope, const presence_t *pr);
int store_presence_list(store_conn_t *c, const store_scope_t *scope, int64_t person_id,
                        arena_t *a, presence_t **out /* OUT */, size_t *n /* OUT */);

/* Welfare status: records the event and makes it the person's current status. */
int store_status_set(store_conn_t *c, const store_scope_t *scope, status_event_t *ev /* IN, OUT */);
int store_status_history(store_conn_t *c, const store_scope_t *scope, int64_t person_id,
                         arena_t *a, status_event_t **out /* OUT */, size_t *n /* OUT */);

/* Self-registration manage links (only the token's hash is stored). */
int store_registration_create(store_conn_t *c, const unsigned char *hash, int64_t person_id,
                              int64_t presence_id);
int store_registration_lookup(store_conn_t *c, const unsigned char *hash, int64_t *person_id /* OUT */,
                              int64_t *presence_id /* OUT */);
int store_registration_close(store_conn_t *c, const unsigned char *hash, int64_t now);

/* The append-only audit log. */
int store_audit_append(store_conn_t *c, audit_entry_t *e /* IN, OUT: id */);
int store_audit_list(store_conn_t *c, const audit_filter_t *f, const store_page_t *page,
                     arena_t *a, audit_entry_t **out /* OUT */, size_t *n /* OUT */);

#endif
