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

/*
 * Import of many persons (baoho import). Each row is prepared first with store_import_prepare,
 * which needs no connection and is thread-safe (it computes the JSON texts, the name key, the
 * sealed identifiers and their lookup hashes), so a parser thread can do it while the store
 * thread only binds and steps in store_import_add.
 */
typedef struct store_import_row {
  person_t *p;    /* the person; p->import_key must be set */
  presence_t *pr; /* the person's one presence, or NULL */
  const char *name_key, *other_names, *phones, *emails, *flags, *contacts; /* in the arena */
  size_t nid_len; /* bytes of nid_sealed; 0 when the person has no national ID */
  unsigned char nid_sealed[MODEL_NUMBER_MAX + SECRET_SEAL_OVERHEAD];
  unsigned char nid_hash[SECRET_INDEX_BYTES];
  size_t pp_len; /* bytes of pp_sealed; 0 when the person has no passport */
  unsigned char pp_sealed[MODEL_NUMBER_MAX + SECRET_SEAL_OVERHEAD];
  unsigned char pp_hash[SECRET_INDEX_BYTES];
} store_import_row_t;

/* Fills out for p and pr (pr may be NULL); strings come from arena a. Thread-safe. */
int store_import_prepare(const secret_t *keys, person_t *p, presence_t *pr, arena_t *a,
                         store_import_row_t *out /* OUT */);
/*
 * Starts an import on c. *initial is set when the registry holds no person yet: the backend may
 * then load everything in one transaction and build its secondary indexes once at the end, so
 * the load is all or nothing (store_import_end with ok = 0, or a crash, leaves no row of it).
 * Otherwise rows are committed every IMPORT-chosen batch (store_import_batch) and stay.
 */
int store_import_begin(store_conn_t *c, int *initial /* OUT */);
/* Stores a prepared row: the person, its presence and, unless unknown, its status event.
 * BH_ERR_CONFLICT when its import key was stored before (nothing is written). */
int store_import_add(store_conn_t *c, store_import_row_t *row);
/*
 * store_import_add of rows[0..n-1] in their order, each row's result (BH_OK, BH_ERR_CONFLICT for
 * a person imported before or earlier in rows, or an error) in rcs[i]. Returns BH_OK, or the
 * first error that is neither (the import then fails: the rows' results say which). On
 * PostgreSQL the rows go in one statement (one round trip), on SQLite one by one.
 */
int store_import_add_many(store_conn_t *c, store_import_row_t *const *rows, size_t n, int *rcs);
/* Marks a batch boundary: commits what was added so far, except during an initial load. */
int store_import_batch(store_conn_t *c);
/* Ends the import: with ok, builds what was deferred and commits; without, commits the rows of a
 * normal import that were stored and rolls an initial load back. */
int store_import_end(store_conn_t *c, int ok);

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

/*
 * Crises (store_sqlite_crisis.c, store_pg_crisis.c). An officer's scope sees a crisis when one
 * of its countries is in the jurisdiction of the officer's mission; otherwise it is reported as
 * not found. Regions and countries of a crisis are kept in its own tables; area is the JSON of
 * geo.h (NULL for none). Returned crises hold new JSON references: release with crisis_clear.
 */
typedef struct crisis_filter {
  int open_only;       /* only crises not closed */
  const char *country; /* only crises listing this country, or NULL */
} crisis_filter_t;

/* Creates a crisis; fills k->id and times (k->opened_at stays when set, else now). */
int store_crisis_create(store_conn_t *c, crisis_t *k /* IN, OUT */);
int store_crisis_get(store_conn_t *c, const store_scope_t *scope, int64_t id, arena_t *a,
                     crisis_t *out /* OUT */);
/* Replaces name, kind, description, countries, regions, area, lead mission and opened_at. */
int store_crisis_update(store_conn_t *c, const store_scope_t *scope, const crisis_t *k);
/* Crises in id order (newest last), visible to scope and passing f (may be NULL). */
int store_crisis_list(store_conn_t *c, const store_scope_t *scope, const crisis_filter_t *f,
                      const store_page_t *page, arena_t *a, crisis_t **out /* OUT */,
                      size_t *n /* OUT */);
/* Closes an open crisis at closed_at. BH_ERR_CONFLICT when it was closed already. */
int store_crisis_close(store_conn_t *c, const store_scope_t *scope, int64_t id,
                       int64_t closed_at);

/*
 * The audience of a crisis: every person with a presence that overlaps today (date_from, a
 * partial date, not after today; date_until absent or not before today) in one of the crisis's
 * countries, in one of its regions when it lists regions, and, when the crisis has an area and
 * the presence has coordinates, inside the area. Each person counts once, with the most recent
 * (highest id) of their presences that match.
 *
 * A member is handed to the callback with borrowed values, valid during the call only.
 */
typedef struct store_audience_member {
  int64_t person_id;
  int64_t presence_id;
  const char *full_name;
  const json_t *phones; /* array of strings */
  const json_t *emails; /* array of strings */
  const char *status;   /* current welfare status (model_statuses) */
  int64_t status_at;
  const char *country;
  const char *region;   /* may be NULL */
  const char *category;
  const char *preferred_language; /* "vi" or "en"; NULL in a walk for figures only */
} store_audience_member_t;

/* Return non-zero to stop the iteration (store_crisis_audience_each then returns BH_OK). */
typedef int (*store_audience_cb)(void *ctx, const store_audience_member_t *m);

/*
 * Calls cb for each member of the crisis's audience visible to scope, in increasing person id,
 * that passes filter: NULL or the alert filter {"regions":[...],"categories":[...],
 * "statuses":[...]} where each absent or empty list lets everyone through and a person passes
 * when its region, category and status are each in the given lists. today is the ISO date
 * (YYYY-MM-DD) the presences must overlap; NULL means the current UTC date. Used by
 * accountability and by alerts. BH_ERR_NOT_FOUND if the crisis is not visible to scope.
 */
int store_crisis_audience_each(store_conn_t *c, const store_scope_t *scope, int64_t crisis_id,
                               const json_t *filter, const char *today, store_audience_cb cb,
                               void *ctx);
/*
 * Calls cb with the id of each person a message of the crisis was delivered to (any order,
 * duplicates allowed). Until the alerts' delivery tables exist this calls nothing, so every
 * "reached" figure is 0.
 */
int store_crisis_reached_each(store_conn_t *c, int64_t crisis_id,
                              int (*cb)(void *ctx, int64_t person_id), void *ctx);
/* Calls cb with every status event at or after since, in time order. */
int store_status_events_since(store_conn_t *c, int64_t since,
                              int (*cb)(void *ctx, int64_t person_id, const char *status,
                                        int64_t at),
                              void *ctx);

/* Figures of one part of the audience (a region, a category, or all of it). */
#define STORE_STATUS_SLOTS 16 /* > the number of model_statuses */
typedef struct store_tally {
  const char *key; /* region or category; NULL for "not given" */
  int64_t total;
  int64_t reached;
  int64_t by_status[STORE_STATUS_SLOTS]; /* index of model_statuses */
} store_tally_t;

/* Status changes of audience members within one hour. */
typedef struct store_series_point {
  int64_t hour; /* unix time of the hour's start */
  int64_t changes;
  int64_t by_status[STORE_STATUS_SLOTS];
} store_series_point_t;

/* At most this many regions are told apart (the rest are added up under key "(other)"), and
 * at most this many hours of the time series are returned (the latest ones). */
#define STORE_TALLY_MAX 200
#define STORE_SERIES_MAX 720

typedef struct store_accountability {
  store_tally_t all;
  store_tally_t *regions; /* in the arena, sorted by key */
  size_t nregions;
  store_tally_t *categories;
  size_t ncategories;
  store_series_point_t *series; /* oldest first; hours without changes are left out */
  size_t nseries;
} store_accountability_t;

/*
 * The accountability figures of a crisis (aggregates only, so for any role): the audience as of
 * today (NULL: the current date), counted by latest status, reached, region and category, and
 * the audience's status changes per hour since the crisis opened. Arrays come from arena a.
 */
int store_crisis_accountability(store_conn_t *c, const crisis_t *k, const char *today, arena_t *a,
                                store_accountability_t *out /* OUT */);

/*
 * Travel advisories. A series is one country, or one region of it; each publication is a new
 * version of its series, so history is never lost.
 */
#define STORE_ADVISORY_HISTORY_MAX 500

/*
 * Publishes a version: finds or creates the series of (a->country, a->region) and stores a as
 * its next version. Fills a->id, a->series_id, a->version, a->created_at, and a->issued_at when
 * it is 0 (now).
 */
int store_advisory_publish(store_conn_t *c, advisory_t *a /* IN, OUT */);
int store_advisory_get(store_conn_t *c, int64_t id, arena_t *a, advisory_t *out /* OUT */);
/* The latest version of each series (of country, or of all when NULL), in version id order. */
int store_advisory_list(store_conn_t *c, const char *country, const store_page_t *page,
                        arena_t *a, advisory_t **out /* OUT */, size_t *n /* OUT */);
/*
 * The newest STORE_ADVISORY_HISTORY_MAX versions of a series (all of them when it has fewer),
 * oldest first.
 */
int store_advisory_history(store_conn_t *c, int64_t series_id, arena_t *a,
                           advisory_t **out /* OUT */, size_t *n /* OUT */);
/* The limit most recent versions of every series, newest first (for the Atom feed). */
int store_advisory_recent(store_conn_t *c, int limit, arena_t *a, advisory_t **out /* OUT */,
                          size_t *n /* OUT */);

#endif
