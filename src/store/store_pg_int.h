/*
 * store_pg_int.h - what the files of the PostgreSQL backend (store_pg.c, store_pg_person.c)
 * share and nothing else includes: every SQL statement of the backend, the connection, and the
 * helpers that bind parameters, run prepared statements and read binary results.
 *
 * Parameters are sent as text (numbers printed in decimal) or binary (BYTEA); results always
 * come back in binary format and are read with the pg_col_ helpers. Person queries put the
 * scope in $1 (all) and $2 (mission) and, when they filter, the filter in $3..$6 (status,
 * country, region, category); their own parameters follow.
 */
#ifndef BAOHO_STORE_PG_INT_H
#define BAOHO_STORE_PG_INT_H

#include <libpq-fe.h>
#include <pthread.h>
#include <stdint.h>

#include "store/store.h"
#include "store/store_impl.h"
#include "store/store_pg.h"
#include "util/buf.h"

#define PG_MAX_CONNS 256
#define PG_MAX_PARAMS 40
/* The most statements of the backend's other files (pg_run_sql) one session prepares. */
#define PG_ADHOC_MAX 256
/* Transaction control statements a session holds back for the next statement, at most. */
#define PG_QUEUE_MAX 8

/* Visibility of person p to the scope in $1, $2 (see SCOPE_P in store_sqlite.c). */
#define PG_SCOPE_P                                                                           \
  "($1::int = 1 OR p.owner_mission_id = $2::bigint OR EXISTS (SELECT 1 FROM presences v"     \
  " JOIN mission_countries mc ON mc.country = v.country AND mc.mission_id = $2::bigint"      \
  " WHERE v.person_id = p.id))"
/* Optional list filters on person p in $3 status, $4 country, $5 region, $6 category. */
#define PG_FILTER_P                                                                          \
  "($3::text IS NULL OR p.status = $3::text) AND (($4::text IS NULL AND $5::text IS NULL"    \
  " AND $6::text IS NULL) OR EXISTS (SELECT 1 FROM presences f WHERE f.person_id = p.id AND" \
  " ($4::text IS NULL OR f.country = $4::text) AND ($5::text IS NULL OR f.region = $5::text)" \
  " AND ($6::text IS NULL OR f.category = $6::text)))"
/* PG_PERSON_NCOLS columns, read by pg_person_read. */
#define PG_PERSON_COLS                                                                       \
  "p.id, p.full_name, p.other_names, p.sex, p.dob, p.nid_enc, p.passport_enc, p.phones,"     \
  " p.emails, p.home_province, p.flags, p.contacts, p.source, p.status, p.status_at,"        \
  " p.owner_mission_id, p.created_at, p.updated_at, p.preferred_language"
#define PG_PERSON_NCOLS 19
/* 15 columns, read by pg_presence_read. */
#define PG_PRESENCE_COLS                                                                     \
  "pr.id, pr.person_id, pr.country, pr.region, pr.city, pr.address, pr.lat, pr.lon,"         \
  " pr.category, pr.organisation, pr.date_from, pr.date_until, pr.group_id, pr.created_at,"  \
  " pr.updated_at"
/* 10 columns and the jurisdiction as space-separated country codes. */
#define PG_MISSION_COLS                                                                      \
  "m.id, m.kind, m.name, m.city, m.country, m.hotline, m.email, m.timezone, m.created_at,"   \
  " m.updated_at, (SELECT string_agg(mc.country, ' ' ORDER BY mc.country COLLATE \"C\")"     \
  " FROM mission_countries mc WHERE mc.mission_id = m.id)"
#define PG_USER_COLS "id, email, name, role, mission_id, pwhash, disabled, created_at"
#define PG_PERSON_LIST_TAIL " AND " PG_FILTER_P " AND " PG_SCOPE_P " ORDER BY p.id LIMIT $8"

/* X(name, sql): every statement of the backend. */
#define PG_TABLE(X)                                                                            \
  X(PG_BEGIN, "BEGIN")                                                                         \
  X(PG_BEGIN_SNAPSHOT, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")                      \
  X(PG_COMMIT, "COMMIT")                                                                       \
  X(PG_ROLLBACK, "ROLLBACK")                                                                   \
  X(PG_PING, "SELECT 1")                                                                       \
  X(PG_SAVEPOINT, "SAVEPOINT job")                                                             \
  X(PG_SAVEPOINT_RELEASE, "RELEASE SAVEPOINT job")                                             \
  X(PG_SAVEPOINT_ROLLBACK, "ROLLBACK TO SAVEPOINT job")                                        \
  X(PG_BULK, "SELECT set_config('synchronous_commit', 'off', true)")                           \
  X(PG_VERSION, "SELECT version FROM schema_version")                                          \
  X(PG_MISSION_INSERT,                                                                         \
    "INSERT INTO missions(kind, name, city, country, hotline, email, timezone, created_at,"    \
    " updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id")                   \
  X(PG_MISSION_UPDATE,                                                                         \
    "UPDATE missions SET kind = $2, name = $3, city = $4, country = $5, hotline = $6,"         \
    " email = $7, timezone = $8, updated_at = $9 WHERE id = $1")                               \
  X(PG_MISSION_COUNTRY_DELETE, "DELETE FROM mission_countries WHERE mission_id = $1")          \
  X(PG_MISSION_COUNTRY_INSERT,                                                                 \
    "INSERT INTO mission_countries(mission_id, country) SELECT DISTINCT $1::bigint, c"         \
    " FROM unnest(string_to_array($2::text, ' ')) c ON CONFLICT DO NOTHING")                   \
  X(PG_MISSION_GET, "SELECT " PG_MISSION_COLS " FROM missions m WHERE m.id = $1")              \
  X(PG_MISSION_LIST,                                                                           \
    "SELECT " PG_MISSION_COLS " FROM missions m WHERE m.id > $1 ORDER BY m.id LIMIT $2")       \
  X(PG_MISSION_FIND_NAME, "SELECT id FROM missions WHERE name = $1")                           \
  X(PG_USER_INSERT,                                                                            \
    "INSERT INTO users(email, name, role, mission_id, pwhash, disabled, created_at,"           \
    " updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id")                       \
  X(PG_USER_GET, "SELECT " PG_USER_COLS " FROM users WHERE id = $1")                           \
  X(PG_USER_BY_EMAIL, "SELECT " PG_USER_COLS " FROM users WHERE lower(email) = lower($1)")     \
  X(PG_USER_UPDATE,                                                                            \
    "UPDATE users SET name = $2, role = $3, mission_id = $4, disabled = $5, updated_at = $6"   \
    " WHERE id = $1")                                                                          \
  X(PG_USER_SET_PW, "UPDATE users SET pwhash = $2, updated_at = $3 WHERE id = $1")             \
  X(PG_USER_LIST, "SELECT " PG_USER_COLS " FROM users WHERE id > $1 ORDER BY id LIMIT $2")     \
  X(PG_TOKEN_INSERT,                                                                           \
    "INSERT INTO api_tokens(user_id, token_hash, name, created_at) VALUES ($1, $2, $3, $4)"    \
    " RETURNING id")                                                                           \
  X(PG_TOKEN_LOOKUP,                                                                           \
    "SELECT t.user_id FROM api_tokens t JOIN users u ON u.id = t.user_id"                      \
    " WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND u.disabled = 0")                    \
  X(PG_SESSION_INSERT,                                                                         \
    "INSERT INTO sessions(token_hash, user_id, created_at, last_seen, expires_at)"             \
    " VALUES ($1, $2, $3, $3, $4)")                                                            \
  X(PG_SESSION_GET,                                                                            \
    "SELECT s.user_id, s.last_seen, s.expires_at FROM sessions s JOIN users u"                 \
    " ON u.id = s.user_id WHERE s.token_hash = $1 AND u.disabled = 0")                         \
  X(PG_SESSION_TOUCH, "UPDATE sessions SET last_seen = $2 WHERE token_hash = $1")              \
  X(PG_SESSION_DELETE, "DELETE FROM sessions WHERE token_hash = $1")                           \
  /* The person and its name tokens in one round trip; no row when the import key exists. */   \
  X(PG_PERSON_INSERT,                                                                          \
    "WITH ins AS (INSERT INTO persons(full_name, name_key, other_names, sex, dob, nid_enc,"    \
    " nid_hash, passport_enc, passport_hash, phones, emails, home_province, flags, contacts,"   \
    " source, status, status_at, owner_mission_id, import_key, created_at, updated_at,"       \
    " preferred_language) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14,"\
    " $15, $16, $17, $18, $19, $20, $20, $21) ON CONFLICT (import_key) DO NOTHING RETURNING"   \
    " id),"                                                                                    \
    " tok AS (INSERT INTO person_tokens(token, person_id) SELECT DISTINCT t, ins.id"           \
    " FROM ins, unnest(string_to_array($2::text, ' ')) t)"                                     \
    " SELECT id FROM ins")                                                                     \
  X(PG_PERSON_BY_IMPORT_KEY, "SELECT id FROM persons WHERE import_key = $1")                   \
  X(PG_PERSON_GET,                                                                             \
    "SELECT " PG_PERSON_COLS " FROM persons p WHERE p.id = $3 AND " PG_SCOPE_P)                \
  X(PG_PERSON_CHECK, "SELECT 1 FROM persons p WHERE p.id = $3 AND " PG_SCOPE_P)                \
  /* A search candidate: its row if it passes the filter and the scope. */                     \
  X(PG_PERSON_FIND,                                                                            \
    "SELECT " PG_PERSON_COLS " FROM persons p WHERE p.id = $7 AND " PG_FILTER_P " AND "        \
    PG_SCOPE_P)                                                                                \
  X(PG_PERSON_NAME_KEY, "SELECT name_key FROM persons WHERE id = $1 FOR UPDATE")               \
  X(PG_PERSON_UPDATE,                                                                          \
    "UPDATE persons SET full_name = $2, name_key = $3, other_names = $4, sex = $5, dob = $6,"  \
    " nid_enc = $7, nid_hash = $8, passport_enc = $9, passport_hash = $10, phones = $11,"      \
    " emails = $12, home_province = $13, flags = $14, contacts = $15, updated_at = $16,"       \
    " preferred_language = $17 WHERE id = $1")                                                 \
  X(PG_NAME_TOKENS_ADD,                                                                        \
    "INSERT INTO person_tokens(token, person_id) SELECT DISTINCT t, $1::bigint"                \
    " FROM unnest(string_to_array($2::text, ' ')) t ON CONFLICT DO NOTHING")                   \
  X(PG_NAME_TOKENS_DEL,                                                                        \
    "DELETE FROM person_tokens WHERE person_id = $1"                                           \
    " AND token = ANY(string_to_array($2::text, ' '))")                                        \
  X(PG_NAME_SEEK,                                                                              \
    "SELECT person_id FROM person_tokens WHERE token = $1 AND person_id >= $2"                 \
    " ORDER BY person_id LIMIT 1")                                                             \
  X(PG_LIST_ALL,                                                                               \
    "SELECT " PG_PERSON_COLS " FROM persons p WHERE p.id > $7" PG_PERSON_LIST_TAIL)            \
  X(PG_LIST_STATUS,                                                                            \
    "SELECT " PG_PERSON_COLS " FROM persons p WHERE p.status = $3 AND p.id > $7"               \
    PG_PERSON_LIST_TAIL)                                                                       \
  X(PG_LIST_COUNTRY,                                                                           \
    "SELECT " PG_PERSON_COLS " FROM persons p WHERE p.id IN (SELECT c.person_id FROM"          \
    " presences c WHERE c.country = $4 AND c.person_id > $7)" PG_PERSON_LIST_TAIL)             \
  X(PG_LIST_COUNTRY_STATUS,                                                                    \
    "SELECT " PG_PERSON_COLS " FROM persons p WHERE p.id IN (SELECT c.person_id FROM"          \
    " presences c WHERE c.country = $4 AND c.person_status = $3 AND c.person_id > $7)"         \
    PG_PERSON_LIST_TAIL)                                                                       \
  X(PG_LIST_NUMBER,                                                                            \
    "SELECT " PG_PERSON_COLS " FROM persons p WHERE (p.passport_hash = $9 OR"                  \
    " p.nid_hash = $10) AND p.id > $7" PG_PERSON_LIST_TAIL)                                    \
  /* Export: a page of persons with their latest presence (NULL columns when none). */         \
  X(PG_PERSON_EACH,                                                                            \
    "SELECT " PG_PERSON_COLS ", " PG_PRESENCE_COLS " FROM persons p LEFT JOIN LATERAL"         \
    " (SELECT * FROM presences x WHERE x.person_id = p.id ORDER BY x.id DESC LIMIT 1) pr"      \
    " ON true WHERE p.id > $3 AND " PG_SCOPE_P " ORDER BY p.id LIMIT $4")                      \
  X(PG_STATS,                                                                                  \
    "SELECT pr.country, pr.person_status, count(DISTINCT pr.person_id) FROM presences pr"      \
    " GROUP BY pr.country, pr.person_status"                                                   \
    " ORDER BY pr.country COLLATE \"C\", pr.person_status COLLATE \"C\"")                      \
  X(PG_PRESENCE_INSERT,                                                                        \
    "INSERT INTO presences(person_id, country, region, city, address, lat, lon, category,"     \
    " organisation, date_from, date_until, group_id, person_status, created_at, updated_at)"   \
    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12,"                              \
    " (SELECT status FROM persons WHERE id = $1), $13, $13) RETURNING id")                     \
  X(PG_PRESENCE_GET,                                                                           \
    "SELECT " PG_PRESENCE_COLS " FROM presences pr JOIN persons p ON p.id = pr.person_id"      \
    " WHERE pr.id = $3 AND " PG_SCOPE_P)                                                       \
  X(PG_PRESENCE_UPDATE,                                                                        \
    "UPDATE presences SET country = $2, region = $3, city = $4, address = $5, lat = $6,"       \
    " lon = $7, category = $8, organisation = $9, date_from = $10, date_until = $11,"          \
    " group_id = $12, updated_at = $13 WHERE id = $1")                                         \
  X(PG_PRESENCE_LIST,                                                                          \
    "SELECT " PG_PRESENCE_COLS " FROM presences pr WHERE pr.person_id = $1 ORDER BY pr.id")    \
  /* The event, the person's current status and its copy on every presence, at once. */        \
  X(PG_STATUS_SET,                                                                             \
    "WITH ev AS (INSERT INTO status_events(person_id, status, at, source, author_id, note)"    \
    " VALUES ($1, $2, $3, $4, $5, $6) RETURNING id),"                                          \
    " up AS (UPDATE persons SET status = $2, status_at = $3, updated_at = $3 WHERE id = $1),"  \
    " pr AS (UPDATE presences SET person_status = $2 WHERE person_id = $1)"                    \
    " SELECT id FROM ev")                                                                      \
  X(PG_STATUS_LIST,                                                                            \
    "SELECT id, person_id, status, at, source, author_id, note FROM status_events"             \
    " WHERE person_id = $1 ORDER BY id")                                                       \
  X(PG_REG_INSERT,                                                                             \
    "INSERT INTO registrations(token_hash, person_id, presence_id, created_at)"                \
    " VALUES ($1, $2, $3, $4)")                                                                \
  X(PG_REG_LOOKUP,                                                                             \
    "SELECT person_id, presence_id FROM registrations WHERE token_hash = $1"                   \
    " AND closed_at IS NULL")                                                                  \
  X(PG_REG_CLOSE,                                                                              \
    "UPDATE registrations SET closed_at = $2 WHERE token_hash = $1 AND closed_at IS NULL")     \
  X(PG_AUDIT_INSERT,                                                                           \
    "INSERT INTO audit(at, user_id, action, object_kind, object_id, client, request_id,"       \
    " detail) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id")                           \
  X(PG_AUDIT_LIST,                                                                             \
    "SELECT id, at, user_id, action, object_kind, object_id, client, request_id, detail"       \
    " FROM audit WHERE id > $1 AND ($2::bigint = 0 OR user_id = $2) AND ($3::text IS NULL OR"  \
    " object_kind = $3) AND ($4::bigint = 0 OR object_id = $4) ORDER BY id LIMIT $5")

enum pg_stmt {
#define PG_ENUM(name, sql) name,
  PG_TABLE(PG_ENUM)
#undef PG_ENUM
      PG_COUNT
};

struct bh_pg_store {
  char *url;
  secret_t keys;
  pthread_key_t tls;
  pthread_mutex_t lock;
  pg_conn_t *conns[PG_MAX_CONNS];
  size_t nconns;
};

struct bh_pg_conn {
  store_conn_t handle; /* what store_conn hands out; handle.pg points back here */
  pg_store_t *store;
  PGconn *db;
  unsigned char prepared[PG_COUNT]; /* statement prepared on this session */
  int in_tx;
  int broken; /* the session was lost: reset before the next statement outside a transaction */
  const char *adhoc[PG_ADHOC_MAX]; /* texts prepared by pg_run_sql on this session, as "x<i>" */
  size_t nadhoc;
  /* Statements without parameters or rows (BEGIN, SAVEPOINT, RELEASE, ROLLBACK TO) not sent
   * yet: they go in one pipeline with the next statement (see pg_queue in store_pg.c). */
  unsigned char queued[PG_QUEUE_MAX];
  int nqueued;
  int tx_failed; /* a failure was carried past a savepoint: the transaction can only roll back */
};

/* Parameters of one statement; values point to caller memory or to num. */
typedef struct pg_params {
  int n;
  const char *v[PG_MAX_PARAMS];
  int len[PG_MAX_PARAMS];
  int fmt[PG_MAX_PARAMS];
  char num[PG_MAX_PARAMS][32];
} pg_params_t;

/* Appends s to the array literal being built in b as one more element: '{' before the first,
 * ',' before the others, s quoted and escaped, or NULL for s NULL. The caller closes it with
 * '}'. BH_OK, or BH_ERR_NOMEM (or BH_ERR_TOO_LARGE) when b is full. */
int pg_array_element(buf_t *b, const char *s);
/* The same for the n bytes at v, as the hex text that decode(..., 'hex') reads back. */
int pg_array_hex(buf_t *b, const void *v, size_t n);
void pgp_text(pg_params_t *p, const char *s);         /* NULL binds SQL NULL */
void pgp_i64(pg_params_t *p, int64_t v);
void pgp_i64_or_null(pg_params_t *p, int64_t v);       /* 0 binds SQL NULL */
void pgp_f64(pg_params_t *p, double v);
void pgp_bytes(pg_params_t *p, const void *b, size_t len); /* NULL binds SQL NULL */
/* Binds $1, $2 (scope) and, with f or not, $3..$6 (filter; NULL binds no filter). */
void pgp_scope(pg_params_t *p, const store_scope_t *scope);
void pgp_filter(pg_params_t *p, const person_filter_t *f);

/*
 * Runs statement id with p, preparing it first on this session. On BH_OK *out holds the result
 * (rows or command), which the caller PQclears. Errors: BH_ERR_CONFLICT for a constraint,
 * BH_ERR_UNAVAILABLE for a lost connection, a serialization failure or deadlock, BH_ERR_DB
 * otherwise (logged); *out is then NULL.
 */
int pg_run(pg_conn_t *c, enum pg_stmt id, const pg_params_t *p, PGresult **out /* OUT */);
/* Runs a statement and drops its result; *changes (may be NULL) gets the rows affected. */
int pg_exec(pg_conn_t *c, enum pg_stmt id, const pg_params_t *p, int64_t *changes /* OUT */);
/* Runs a statement returning one bigint: BH_OK with *v, or BH_ERR_NOT_FOUND without a row. */
int pg_scalar(pg_conn_t *c, enum pg_stmt id, const pg_params_t *p, int64_t *v /* OUT */);

/*
 * Runs sql, a string with static storage that is not in PG_TABLE (the statements of
 * store_pg_crisis.c), exactly as pg_run runs a statement of the table: prepared once per
 * session (keyed by the address of sql), binary results, the same errors.
 */
int pg_run_sql(pg_conn_t *c, const char *sql, const pg_params_t *p, PGresult **out /* OUT */);

/* Binary result columns; NULL reads as 0, 0.0 or a NULL string. */
int64_t pg_col_i64(const PGresult *r, int row, int col);
double pg_col_f64(const PGresult *r, int row, int col);
const char *pg_col_text(arena_t *a, const PGresult *r, int row, int col);
json_t *pg_col_json(const PGresult *r, int row, int col);

/*
 * Sends the statements the session holds back (see pg_queue in store_pg.c) without another
 * one; for code that talks to libpq itself (COPY). Returns the first one's error, if any.
 */
int pg_flush(pg_conn_t *c);

/* Starts a write transaction unless the caller holds one; *owned says which. */
int pg_tx_enter(pg_conn_t *c, int *owned /* OUT */);
/* Ends what pg_tx_enter started: commit on success, rollback on failure; the final code. */
int pg_tx_leave(pg_conn_t *c, int owned, int rc);

#endif
