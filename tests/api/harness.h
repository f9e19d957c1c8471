/*
 * harness.h - the API suite's harness: runs the real baoho binary as a child process on a fresh
 * database, and drives it over HTTP with libcurl.
 *
 * Ownership: every response (and every string the harness hands back, such as a session cookie
 * or header value) is kept on one list and freed by h_release_all(), which each group's teardown
 * calls; tests never free what the harness returns. Nothing here is thread-safe.
 *
 * On any failed expectation the harness prints the request, the response body and the tail of
 * the server's stderr before failing the test, so a red test explains itself.
 */
#ifndef BAOHO_TESTS_HARNESS_H
#define BAOHO_TESTS_HARNESS_H

#include <jansson.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <cmocka.h>

/* The baoho binary under test (argv[1] of api_tests). */
extern const char *h_binary;
/* The PostgreSQL cluster the servers use (BAOHO_TEST_PG), or NULL for SQLite files. */
extern const char *h_pg_url;

/*
 * Chooses the backend of every server of the run: SQLite files, or with pg a fresh PostgreSQL
 * database per server on the cluster named by BAOHO_TEST_PG. Returns 0, or 77 (the CTest skip
 * code) after printing why when pg is asked for and BAOHO_TEST_PG is unset.
 */
int h_backend_setup(int pg);

/* The demo users (src/cli/demo.c), in the order of the authorization matrix's columns. */
enum h_who { H_ADMIN, H_HQ, H_ISRAEL, H_MYANMAR, H_VIEWER, H_ANON, H_NWHO };
extern const char *const h_who_names[H_NWHO];
/* E-mail and password of each demo user (NULL for H_ANON). */
extern const char *const h_who_email[H_NWHO];
extern const char *const h_who_password[H_NWHO];

/* How a request authenticates itself: a session cookie, a bearer token, or neither. */
typedef struct h_auth {
  char cookie[128]; /* value of baoho_session, or "" */
  char bearer[128]; /* API token, or "" */
} h_auth_t;

typedef struct h_server {
  pid_t pid;
  char dir[PATH_MAX]; /* the mkdtemp directory, removed by h_server_destroy */
  char db[PATH_MAX];  /* DIR/t.db, or the URL of the server's PostgreSQL database */
  char key[PATH_MAX]; /* the server's key file: DIR/t.db.key, or DIR/baoho.key on PostgreSQL */
  char pg_name[64];   /* the PostgreSQL database created for the server, or "" */
  char port_file[PATH_MAX];
  char err_file[PATH_MAX]; /* the server's stderr */
  int port;
  int demo;             /* started with --demo */
  const char *extra[8]; /* further arguments of `baoho serve` (NULL-terminated), e.g. --smtp-url */
  h_auth_t who[H_NWHO]; /* logins made by h_as, cached */
  int logged_in[H_NWHO];
} h_server_t;

/*
 * Starts `baoho serve --demo` on a fresh database in a new temporary directory and waits for it
 * to listen. Returns 0, or -1 with the reason (and the server's stderr) printed.
 */
int h_server_start(h_server_t *s /* OUT */);
/* As h_server_start, with further arguments of `baoho serve` (NULL-terminated, at most 7). */
int h_server_start_args(h_server_t *s /* OUT */, const char *const *extra);
/* Starts the server again on the same directory and database (after a stop or a kill). */
int h_server_restart(h_server_t *s);
/* Sends SIGTERM and waits. Returns the exit status (0 for a clean stop), -1 if not running. */
int h_server_stop(h_server_t *s);
/* Sends SIGKILL and reaps the process. */
void h_server_kill9(h_server_t *s);
/* Stops the server if it runs and removes its directory. Returns h_server_stop's result. */
int h_server_destroy(h_server_t *s);
/*
 * On PostgreSQL, writes a plain-SQL pg_dump of the server's database to path and returns 0;
 * -1 on SQLite or when pg_dump fails.
 */
int h_db_dump(const h_server_t *s, const char *path);
/* Runs one SQL command on the cluster's maintenance database (BAOHO_TEST_PG); 0 or -1. */
int h_pg_sql(const char *sql);
/* Prints the last lines of the server's stderr to stderr. */
void h_server_dump_log(const h_server_t *s);

/* Group setup and teardown for cmocka: *state becomes an h_server_t started with --demo. */
int h_group_setup(void **state);
int h_group_teardown(void **state);

/* One request. Unset fields take their defaults. */
typedef struct h_req {
  const char *method;
  const char *path; /* with query string */
  const char *json; /* body text sent as application/json, or NULL */
  const void *raw;  /* raw body bytes (instead of json), with raw_len */
  size_t raw_len;
  const char *content_type; /* overrides the Content-Type; "" sends none */
  const h_auth_t *auth;     /* NULL for anonymous */
  const char *headers[8];   /* extra "Name: value" lines, NULL-terminated */
} h_req_t;

typedef struct h_resp {
  long status;
  char *headers; /* the raw response header block */
  char *body;    /* NUL-terminated */
  size_t len;
  json_t *json;   /* the parsed body, or NULL when not JSON */
  char what[256]; /* "METHOD path", for messages */
} h_resp_t;

/* Performs rq against s. Fails the test if the transport fails; never returns NULL. */
h_resp_t *h_do(h_server_t *s, const h_req_t *rq);
/* Performs the n requests rqs at once (one libcurl multi, a connection each) and puts their
 * answers in out[0..n-1], as h_do would. Fails the test if any transport fails. */
void h_do_all(h_server_t *s, const h_req_t *rqs, size_t n, h_resp_t **out);
/* Shorthand: method, auth, optional JSON body, and a printf-style path. */
h_resp_t *h_call(h_server_t *s, const h_auth_t *auth, const char *method, const char *json,
                 const char *path_fmt, ...) __attribute__((format(printf, 5, 6)));
/* The value of the first response header called name (case-insensitive), or NULL. */
const char *h_header(h_resp_t *r, const char *name);
/* Frees every response and string the harness handed out. */
void h_release_all(void);
/* A string kept until h_release_all (printf-style). */
char *h_str(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Percent-encodes s for a query string (kept until h_release_all). */
char *h_urlencode(const char *s);

/* Logs in with e-mail and password; fills auth from the Set-Cookie header. Fails the test. */
void h_login(h_server_t *s, const char *email, const char *password, h_auth_t *auth /* OUT */);
/* The cached login of a demo user (NULL for H_ANON). */
const h_auth_t *h_as(h_server_t *s, enum h_who who);
/* Creates an API token with POST /api/v1/tokens as auth; returns bearer-only credentials. */
void h_token(h_server_t *s, const h_auth_t *auth, h_auth_t *out /* OUT */);

/*
 * Runs the baoho binary with the given NULL-terminated arguments, feeding stdin_text (may be
 * NULL) and capturing stdout into out (cap bytes, NUL-terminated). Returns the exit status.
 * With "--db" naming a running server's database, it runs in that server's directory, so that
 * on PostgreSQL it finds the server's key file (./baoho.key).
 */
int h_cli(const char *stdin_text, char *out, size_t cap, const char *arg, ...)
    __attribute__((sentinel));

/* JSON access by a dotted path with [i] indexes, e.g. "error.code", "items[0].id"; NULL if absent.
 */
json_t *h_get(const json_t *root, const char *path);
/* The string at path, or NULL. */
const char *h_gets(const json_t *root, const char *path);

/* Expectations that explain themselves (print request, body, server log) when they fail. */
void h_expect_status_at(h_server_t *s, h_resp_t *r, long status, const char *file, int line);
void h_expect_class_at(h_server_t *s, h_resp_t *r, int cls, const char *file, int line);
void h_expect_error_at(h_server_t *s, h_resp_t *r, long status, const char *code, const char *field,
                       const char *file, int line);
#define EXPECT_STATUS(s, r, st) h_expect_status_at((s), (r), (st), __FILE__, __LINE__)
#define EXPECT_2XX(s, r) h_expect_class_at((s), (r), 2, __FILE__, __LINE__)
/* Checks status and the error shape {"error":{"code","message","field"}}; field NULL = any. */
#define EXPECT_ERROR(s, r, st, code, field) \
  h_expect_error_at((s), (r), (st), (code), (field), __FILE__, __LINE__)

/* A person body with a presence; the strings are inserted verbatim into the JSON. */
const char *h_person_json(const char *full_name, const char *country, const char *region,
                          const char *category);
/* Creates a person as auth and returns the 201 response (fails the test otherwise). */
h_resp_t *h_create_person(h_server_t *s, const h_auth_t *auth, const char *json);

/*
 * Follows the pages of a list (path may carry a query) with ?limit=limit and ?after= until
 * "next" is null; returns every item in order (kept). Fails the test on a non-200 page or when
 * the same id comes back twice.
 */
json_t *h_list_all(h_server_t *s, const h_auth_t *auth, const char *path, int limit);
/* 1 if an item of the array has the given "id". */
int h_has_id(const json_t *items, const char *id);

/*
 * The public id the server would give internal id of kind (an enum pubid_kind), made with the
 * server's own key file: a well-formed id of something that may not exist. Kept.
 */
const char *h_pubid(h_server_t *s, int kind, int64_t id);
/* The check-in link token of a recipient (alert and person by public id), computed with the
 * server's own key file as the outbox computes it. */
const char *h_checkin_token(h_server_t *s, const char *alert_pubid, const char *person_pubid);
/* Sends, as hq, the standard "are you safe?" alert of crisis (public id) by e-mail, asking for
 * check-ins; returns the alert's public id (the answer must be 202). */
const char *h_checkin_alert(h_server_t *s, const char *crisis_pubid);

/* Groups of the suite, one per file; each returns the number of failed tests. */
int api_system_tests(void);
int api_session_tests(void);
int api_admin_tests(void);
int api_persons_tests(void);
int api_search_tests(void);
int api_input_tests(void);
int api_authz_tests(void);
int api_public_tests(void);
int api_register_form_tests(void);
int api_storage_tests(void);
int api_crises_tests(void);
int api_advisories_tests(void);
int api_alerts_tests(void);
int api_checkin_tests(void);
int api_lists_tests(void);
int api_list_map_tests(void);
int api_cases_tests(void);
int api_idempotency_tests(void);
int api_matchsubject_tests(void);
int api_audit_file_tests(void);
int api_name_index_tests(void);
int api_evac_tests(void);
int api_sitrep_tests(void);
int api_demo_tests(void);
int api_lang_tests(void);
int api_officers_tests(void);
int api_import_tests(void);

#endif
