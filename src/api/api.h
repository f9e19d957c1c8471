/*
 * api.h - the application layer between HTTP and storage: the shared context, the route table,
 * authentication, and the helpers every handler uses.
 *
 * A handler is called only for a matched route, after authentication and the route's role
 * check, with its body already parsed as JSON when the route takes one. It validates that body
 * against its spec (api_body_or_reply), calls the store with the caller's scope, and queues one
 * reply. Helpers named *_or_reply send the error themselves and return non-zero when they did.
 */
#ifndef BAOHO_API_H
#define BAOHO_API_H

#include <jansson.h>

#include "api/spec.h"
#include "domain/model.h"
#include "domain/secret.h"
#include "http/http.h"
#include "store/store.h"
#include "store/writer.h"
#include "util/ratelimit.h"

/* Limits of the API, named once. */
#define API_PAGE_DEFAULT 50
#define API_PAGE_MAX 500
#define API_SESSION_IDLE_S (30 * 60)
#define API_SESSION_MAX_S (12 * 60 * 60)
#define API_LOGIN_FAILURES_MAX 5        /* per e-mail and per client address ... */
#define API_LOGIN_WINDOW_S (15 * 60)    /* ... within this window */
#define API_REGISTRATIONS_MAX 20        /* public registrations per client address ... */
#define API_REGISTRATIONS_WINDOW_S 3600 /* ... within this window */
#define API_SESSION_COOKIE "baoho_session"
/* Idempotency keys (api.c, store/store_idem.h). */
#define API_IDEM_KEYS_MAX 1000000       /* keys kept at most (the oldest go first) */
#define API_IDEM_PURGE_S 600            /* expired keys are deleted at most this often */
#define API_IDEM_WAIT_MS 2000           /* a retry waits this long for the first to finish */
#define API_IDEM_BODY_MAX (256 * 1024)  /* bytes of an answer kept under a key */

typedef struct app {
  store_t *store;
  store_writer_t *writer; /* group commit of read-audit records */
  secret_t keys;
  ratelimit_t *login_by_email;
  ratelimit_t *login_by_client;
  ratelimit_t *registrations;
  const char *public_url; /* base of links given to citizens, e.g. http://127.0.0.1:8080 */
  const struct outbox_config *delivery; /* delivery settings (delivery/outbox.h) */
  struct outbox *outbox;                /* the delivery workers, woken when an alert is queued */
  int secure_cookies;     /* add Secure to cookies (behind HTTPS) */
} app_t;

/* Per-request state of the application layer (http_req_t.user_ctx). */
typedef struct api_ctx {
  store_conn_t *db;
  json_t *body; /* parsed body, or NULL */
  int authed;
  user_t user;
  store_scope_t scope;
  char user_pubid[PUBID_LEN + 1];
} api_ctx_t;

typedef void (*api_handler_fn)(app_t *app, http_req_t *r, api_ctx_t *ctx);

/* Route flags. */
#define ROUTE_BODY 1u /* takes a JSON body */
#define ROUTE_STATIC 2u /* embedded web assets: served without database or login */
#define ROUTE_RAW 4u    /* takes a body of any type that the handler reads (forms, signed posts) */

typedef struct api_route {
  const char *method;
  const char *pattern; /* "{}" matches one path segment, a final "*" the rest of the path
                         (possibly empty); both are captured into r->params */
  api_handler_fn handler;
  unsigned roles; /* ROLE_BIT set allowed; 0 = public, no login */
  unsigned flags;
  const char *name; /* for metrics and logs */
} api_route_t;

extern const api_route_t api_routes[];
extern const size_t api_nroutes;

/* Prepares the application context (rate limiters, route names). */
int api_init(app_t *app);
/* Releases what api_init made. */
void api_fini(app_t *app);
/* The http_dispatch_fn and http_cleanup_fn of baoho. */
void api_dispatch(http_req_t *r);
void api_cleanup(http_req_t *r);

/* Validates ctx->body against spec; on failure replies 422 naming the field and returns -1. */
int api_body_or_reply(http_req_t *r, api_ctx_t *ctx, const spec_field_t *spec, size_t n);
/* Reads ?limit= and ?after= (of pubid kind); on bad values replies 400/422 and returns -1. */
int api_page_or_reply(app_t *app, http_req_t *r, enum pubid_kind kind, store_page_t *page /* OUT */);
/*
 * Reads the query parameter key as a public id of kind into *id (left unchanged when the
 * parameter is absent); replies 422 naming key and returns -1 when it is not such an id.
 */
int api_query_id_or_reply(app_t *app, http_req_t *r, const char *key, enum pubid_kind kind,
                          int64_t *id /* OUT */);
/* Decodes path parameter i as a public id of kind; replies 404 and returns -1 if invalid. */
int api_id_or_reply(app_t *app, http_req_t *r, size_t i, enum pubid_kind kind, int64_t *id /* OUT */);
/* Replies with the error for a store result rc (404, 409, 500 ...). */
void api_reply_store_error(http_req_t *r, int rc, const char *what);
/* Appends an audit entry for the current user; returns the store result. */
int api_audit(app_t *app, http_req_t *r, api_ctx_t *ctx, const char *action,
              const char *object_kind, int64_t object_id, json_t *detail /* stolen, may be NULL */);
/*
 * Appends the audit record of a read of personal data through the group-commit writer and
 * waits until it is durable: the data may only be sent once its read is on record.
 */
int api_audit_read(app_t *app, http_req_t *r, api_ctx_t *ctx, const char *action,
                   const char *object_kind, int64_t object_id, json_t *detail /* stolen */);
/*
 * The same record, without holding the worker thread while the group commit runs: the request
 * is suspended (http_suspend) and then(r, arg, rc) runs on a worker thread once the record is
 * durable (rc BH_OK) or failed; it must reply, and send the data only when rc is BH_OK. Without
 * the writer, or when the request cannot be suspended, the record is written as api_audit_read
 * does and then() runs before this returns. Whatever then() reads must live in r's arena.
 */
void api_audit_read_then(app_t *app, http_req_t *r, api_ctx_t *ctx, const char *action,
                         const char *object_kind, int64_t object_id, json_t *detail /* stolen */,
                         void (*then)(http_req_t *r, void *arg, int rc), void *arg);
/* api_audit_read_then with the detail already written as compact JSON text (NULL for none),
 * which must live in r's arena until then() has run. */
void api_audit_read_text_then(app_t *app, http_req_t *r, api_ctx_t *ctx, const char *action,
                              const char *object_kind, int64_t object_id, const char *detail,
                              void (*then)(http_req_t *r, void *arg, int rc), void *arg);
/* Builds {"items":[...],"next":cursor-or-null} (items stolen). */
json_t *api_page_json(app_t *app, json_t *items, enum pubid_kind kind, int64_t last_id, int full);
/* The string value of key in obj, or NULL (for validated bodies). */
const char *api_str(const json_t *obj, const char *key);
/* Formats a unix time as RFC 3339 UTC text in the request arena. */
json_t *api_time(int64_t t);

/* Person and presence input shared by officers' and citizens' endpoints (api_persons.c). */
extern const spec_field_t api_presence_create_spec[];
extern const size_t api_presence_create_nspec;
extern const spec_field_t api_person_public_spec[];
extern const size_t api_person_public_nspec;
/* Applies the fields of a validated person body to p (names NFC-normalised). */
int api_person_apply(arena_t *a, const json_t *body, person_t *p);
/*
 * Applies a validated presence body to pr and checks cross-field rules; replies 422 on failure,
 * naming the field with prefix before it ("presence." when the body is nested, else "").
 */
int api_presence_apply_or_reply(http_req_t *r, const json_t *body, const char *prefix,
                                presence_t *pr);

/*
 * Self-registration shared by the JSON endpoint (api_public.c) and the HTML form of /register
 * (api_register_form.c). api_registration_check validates a body {"person":{...},"presence":{...}}
 * against the JSON endpoint's spec. api_registration_store stores a checked body (person,
 * presence, private link and audit, in one transaction) and writes the new manage token; it
 * returns BH_OK, a store error (nothing replied), or API_REPLIED when a cross-field rule of the
 * presence failed and a 422 JSON answer was queued.
 */
#define API_REPLIED 1
int api_registration_check(const json_t *body, spec_error_t *err /* OUT */);
int api_registration_store(app_t *app, http_req_t *r, api_ctx_t *ctx, const json_t *body,
                           char token[SECRET_TOKEN_LEN + 1] /* OUT */);

/* Renderers of records as API JSON (new references). */
json_t *render_mission(const app_t *app, const mission_t *m);
json_t *render_user(const app_t *app, const user_t *u);
json_t *render_person(const app_t *app, const person_t *p);
json_t *render_presence(const app_t *app, const presence_t *p);
json_t *render_status(const app_t *app, const status_event_t *e);
json_t *render_audit(const app_t *app, const audit_entry_t *e);

/* Handlers, one file per resource. */
void h_healthz(app_t *app, http_req_t *r, api_ctx_t *ctx);
void h_metrics(app_t *app, http_req_t *r, api_ctx_t *ctx);
void h_session_create(app_t *app, http_req_t *r, api_ctx_t *ctx);
void h_session_delete(app_t *app, http_req_t *r, api_ctx_t *ctx);
void h_session_get(app_t *app, http_req_t *r, api_ctx_t *ctx);
void h_missions_list(app_t *app, http_req_t *r, api_ctx_t *ctx);
void h_missions_create(app_t *app, http_req_t *r, api_ctx_t *ctx);
void h_missions_get(app_t *app, http_req_t *r, api_ctx_t *ctx);
void h_missions_update(app_t *app, http_req_t *r, api_ctx_t *ctx);
void h_users_list(app_t *app, http_req_t *r, api_ctx_t *ctx);
void h_users_create(app_t *app, http_req_t *r, api_ctx_t *ctx);
void h_users_get(app_t *app, http_req_t *r, api_ctx_t *ctx);
void h_users_update(app_t *app, http_req_t *r, api_ctx_t *ctx);
/* The colleagues a case of a mission may be assigned to (api_officers.c). */
void h_officers_list(app_t *app, http_req_t *r, api_ctx_t *ctx);
void h_tokens_create(app_t *app, http_req_t *r, api_ctx_t *ctx);
void h_persons_list(app_t *app, http_req_t *r, api_ctx_t *ctx);
void h_persons_create(app_t *app, http_req_t *r, api_ctx_t *ctx);
void h_persons_get(app_t *app, http_req_t *r, api_ctx_t *ctx);
void h_persons_update(app_t *app, http_req_t *r, api_ctx_t *ctx);
void h_presences_list(app_t *app, http_req_t *r, api_ctx_t *ctx);
void h_presences_create(app_t *app, http_req_t *r, api_ctx_t *ctx);
void h_presences_update(app_t *app, http_req_t *r, api_ctx_t *ctx);
void h_status_get(app_t *app, http_req_t *r, api_ctx_t *ctx);
void h_status_set(app_t *app, http_req_t *r, api_ctx_t *ctx);
void h_stats_persons(app_t *app, http_req_t *r, api_ctx_t *ctx);
void h_audit_list(app_t *app, http_req_t *r, api_ctx_t *ctx);
void h_registrations_create(app_t *app, http_req_t *r, api_ctx_t *ctx);
void h_registrations_get(app_t *app, http_req_t *r, api_ctx_t *ctx);
void h_registrations_update(app_t *app, http_req_t *r, api_ctx_t *ctx);
void h_registrations_close(app_t *app, http_req_t *r, api_ctx_t *ctx);
/* Crises (api_crises.c) and travel advisories with their public forms (api_advisories.c). */
void h_crises_list(app_t *app, http_req_t *r, api_ctx_t *ctx);
void h_crises_create(app_t *app, http_req_t *r, api_ctx_t *ctx);
void h_crises_get(app_t *app, http_req_t *r, api_ctx_t *ctx);
void h_crises_update(app_t *app, http_req_t *r, api_ctx_t *ctx);
void h_crises_close(app_t *app, http_req_t *r, api_ctx_t *ctx);
void h_crises_accountability(app_t *app, http_req_t *r, api_ctx_t *ctx);
/* Situation report of a crisis (api_sitrep.c). */
void h_crises_sitrep(app_t *app, http_req_t *r, api_ctx_t *ctx);
/* The alerts of a crisis, newest first (api_alerts.c). */
void h_crisis_alerts(app_t *app, http_req_t *r, api_ctx_t *ctx);
/*
 * Reads the crisis named by path parameter 0 as the caller may see it (officers: their
 * jurisdiction) into *k; replies 404 (or the store's error) and returns -1 otherwise.
 */
int api_crisis_or_reply(app_t *app, http_req_t *r, api_ctx_t *ctx, crisis_t *k);
void h_advisories_list(app_t *app, http_req_t *r, api_ctx_t *ctx);
void h_advisories_publish(app_t *app, http_req_t *r, api_ctx_t *ctx);
void h_advisories_get(app_t *app, http_req_t *r, api_ctx_t *ctx);
void h_advisories_atom(app_t *app, http_req_t *r, api_ctx_t *ctx);
void h_advisories_cap(app_t *app, http_req_t *r, api_ctx_t *ctx);
void h_public_advisories(app_t *app, http_req_t *r, api_ctx_t *ctx);
/* The published history of an advisory, without login (api_public.c). */
void h_public_advisory_history(app_t *app, http_req_t *r, api_ctx_t *ctx);
/* Mass alerts, check-ins and inbound SMS (api_alerts.c, api_checkin.c). */
void h_alerts_create(app_t *app, http_req_t *r, api_ctx_t *ctx);
void h_alerts_get(app_t *app, http_req_t *r, api_ctx_t *ctx);
void h_alerts_send(app_t *app, http_req_t *r, api_ctx_t *ctx);
void h_alerts_call_list(app_t *app, http_req_t *r, api_ctx_t *ctx);
void h_crisis_needs_help(app_t *app, http_req_t *r, api_ctx_t *ctx);
void h_checkin_page(app_t *app, http_req_t *r, api_ctx_t *ctx);
void h_checkin_answer(app_t *app, http_req_t *r, api_ctx_t *ctx);
void h_inbound_sms(app_t *app, http_req_t *r, api_ctx_t *ctx);
/* Assistance cases (api_cases.c). */
void h_cases_list(app_t *app, http_req_t *r, api_ctx_t *ctx);
void h_cases_create(app_t *app, http_req_t *r, api_ctx_t *ctx);
void h_cases_get(app_t *app, http_req_t *r, api_ctx_t *ctx);
void h_cases_update(app_t *app, http_req_t *r, api_ctx_t *ctx);
void h_cases_timeline(app_t *app, http_req_t *r, api_ctx_t *ctx);
void h_cases_note(app_t *app, http_req_t *r, api_ctx_t *ctx);
void h_cases_person_link(app_t *app, http_req_t *r, api_ctx_t *ctx);
void h_cases_promote_caller(app_t *app, http_req_t *r, api_ctx_t *ctx);
void h_cases_transfer(app_t *app, http_req_t *r, api_ctx_t *ctx);
/* Staging sites (api_sites.c), transports, manifests and arrival (api_transports.c). */
void h_sites_list(app_t *app, http_req_t *r, api_ctx_t *ctx);
void h_sites_create(app_t *app, http_req_t *r, api_ctx_t *ctx);
void h_sites_get(app_t *app, http_req_t *r, api_ctx_t *ctx);
void h_sites_update(app_t *app, http_req_t *r, api_ctx_t *ctx);
void h_sites_checkin(app_t *app, http_req_t *r, api_ctx_t *ctx);
void h_sites_checkout(app_t *app, http_req_t *r, api_ctx_t *ctx);
void h_sites_people(app_t *app, http_req_t *r, api_ctx_t *ctx);
void h_transports_list(app_t *app, http_req_t *r, api_ctx_t *ctx);
void h_transports_create(app_t *app, http_req_t *r, api_ctx_t *ctx);
void h_transports_get(app_t *app, http_req_t *r, api_ctx_t *ctx);
void h_transports_update(app_t *app, http_req_t *r, api_ctx_t *ctx);
void h_transports_arrive(app_t *app, http_req_t *r, api_ctx_t *ctx);
void h_manifest_list(app_t *app, http_req_t *r, api_ctx_t *ctx);
void h_manifest_add(app_t *app, http_req_t *r, api_ctx_t *ctx);
void h_manifest_update(app_t *app, http_req_t *r, api_ctx_t *ctx);
void h_manifest_suggestions(app_t *app, http_req_t *r, api_ctx_t *ctx);
/* Shared by api_sites.c, api_transports.c and api_crises.c: the scope of sites, transports and
 * crises (officers are limited to their jurisdiction, every other role sees all: they hold no
 * personal data); an
 * opaque id or JSON null for 0; the crisis a body names (null: none), which the caller must be
 * able to see, else 422 on "crisis"; and, for an officer, 403 naming field when country is
 * outside the mission's jurisdiction. The *_or_reply helpers return -1 after replying. */
store_scope_t api_evac_scope(const api_ctx_t *ctx);
json_t *api_evac_id(const app_t *app, enum pubid_kind kind, int64_t id);
int api_evac_crisis_or_reply(app_t *app, http_req_t *r, api_ctx_t *ctx, const json_t *v,
                             int64_t *crisis_id /* OUT */);
int api_jurisdiction_or_reply(http_req_t *r, api_ctx_t *ctx, const char *country,
                              const char *field);
/* Lists from foreign authorities matched against the registry (api_lists.c). */
void h_lists_create(app_t *app, http_req_t *r, api_ctx_t *ctx);
void h_lists_list(app_t *app, http_req_t *r, api_ctx_t *ctx);
void h_lists_get(app_t *app, http_req_t *r, api_ctx_t *ctx);
void h_lists_rows(app_t *app, http_req_t *r, api_ctx_t *ctx);
void h_lists_decide(app_t *app, http_req_t *r, api_ctx_t *ctx);
/* The web console and public pages (api_static.c): a route named "page.NAME[.more]"
 * serves page NAME. */
void h_static_page(app_t *app, http_req_t *r, api_ctx_t *ctx);
void h_static_asset(app_t *app, http_req_t *r, api_ctx_t *ctx);
/* The language of a page: ?lang=, else the baoho_lang cookie, else Vietnamese ("vi", "en"). */
const char *api_static_lang(const http_req_t *r);
/* The headers of every page: Content-Security-Policy (no inline script), no-store, language. */
void api_static_page_headers(http_req_t *r, const char *lang);
/* The self-registration page and its form post without JavaScript (api_register_form.c). */
void h_register_page(app_t *app, http_req_t *r, api_ctx_t *ctx);
void h_register_submit(app_t *app, http_req_t *r, api_ctx_t *ctx);

#endif
