/*
 * api.c - routing, authentication, role checks, body parsing and the shared handler helpers.
 */
#include "api/api.h"

#include <ctype.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/api_crises_acc.h"
#include "api/api_idem_int.h"
#include "domain/pdate.h"
#include "http/assets.h"
#include "store/store_idem.h"
#include "util/clock.h"
#include "util/err.h"
#include "util/log.h"

static const char *api_route_names[128];

int api_init(app_t *app) {
  app->login_by_email = ratelimit_new(API_LOGIN_FAILURES_MAX, API_LOGIN_WINDOW_S);
  app->login_by_client = ratelimit_new(API_LOGIN_FAILURES_MAX * 4, API_LOGIN_WINDOW_S);
  app->registrations = ratelimit_new(API_REGISTRATIONS_MAX, API_REGISTRATIONS_WINDOW_S);
  if (!app->login_by_email || !app->login_by_client || !app->registrations) return BH_ERR_NOMEM;
  size_t n = api_nroutes < 128 ? api_nroutes : 128;
  for (size_t i = 0; i < n; i++) api_route_names[i] = api_routes[i].name;
  http_set_route_names(api_route_names, n);
  if (assets_vendored == 0) {
    log_warn("msg=\"web console built without its vendored files (npm was unavailable at build "
             "time): the dashboard shows no world map\"");
  }
  return BH_OK;
}

void api_fini(app_t *app) {
  api_accountability_stop();
  ratelimit_free(app->login_by_email);
  ratelimit_free(app->login_by_client);
  ratelimit_free(app->registrations);
}

/*
 * Matches path against pattern, capturing "{}" segments into r->params. Returns 1 on a match.
 * Captured values are copied into the request arena.
 */
static int api_match(http_req_t *r, const char *pattern, const char *path) {
  size_t np = 0;
  const char *p = pattern, *s = path;
  while (*p && *s) {
    if (p[0] == '*' && p[1] == '\0') {
      if (np >= HTTP_MAX_PARAMS) return 0;
      r->params[np++] = arena_strdup(r->arena, s);
      s += strlen(s);
      p++;
    } else if (p[0] == '{' && p[1] == '}') {
      const char *end = strchr(s, '/');
      size_t len = end ? (size_t)(end - s) : strlen(s);
      if (len == 0 || np >= HTTP_MAX_PARAMS) return 0;
      r->params[np++] = arena_strndup(r->arena, s, len);
      s += len;
      p += 2;
    } else if (*p == *s) {
      p++;
      s++;
    } else {
      return 0;
    }
  }
  if (p[0] == '*' && p[1] == '\0' && np < HTTP_MAX_PARAMS) {
    r->params[np++] = ""; /* a trailing wildcard also matches an empty rest */
    p++;
  }
  if (*p != '\0' || *s != '\0') return 0;
  r->nparams = np;
  return 1;
}

/* Authenticates by bearer token or session cookie; fills ctx->user. Returns a bh_err. */
static int api_authenticate(app_t *app, http_req_t *r, api_ctx_t *ctx) {
  unsigned char hash[SECRET_TOKEN_HASH_BYTES];
  int64_t user_id = 0;
  int rc;
  const char *auth = http_header(r, "Authorization");
  if (auth != NULL) {
    if (strncmp(auth, "Bearer ", 7) != 0 || strlen(auth + 7) != SECRET_TOKEN_LEN) {
      return BH_ERR_UNAUTHENTICATED;
    }
    secret_token_hash(auth + 7, hash);
    rc = store_token_lookup(ctx->db, hash, &user_id);
  } else {
    const char *cookie = http_cookie(r, API_SESSION_COOKIE);
    if (cookie == NULL || strlen(cookie) != SECRET_TOKEN_LEN) return BH_ERR_UNAUTHENTICATED;
    secret_token_hash(cookie, hash);
    rc = store_session_touch(ctx->db, hash, clock_now(), API_SESSION_IDLE_S, &user_id);
  }
  if (rc != BH_OK) return rc;
  rc = store_user_get(ctx->db, user_id, r->arena, &ctx->user);
  if (rc == BH_ERR_NOT_FOUND || (rc == BH_OK && ctx->user.disabled)) return BH_ERR_UNAUTHENTICATED;
  if (rc != BH_OK) return rc;
  ctx->authed = 1;
  ctx->scope.all = ctx->user.role == ROLE_ADMIN || ctx->user.role == ROLE_HQ;
  ctx->scope.mission_id = ctx->user.mission_id;
  pubid_encode(&app->keys, PUBID_USER, ctx->user.id, ctx->user_pubid);
  r->user_label = ctx->user_pubid;
  return BH_OK;
}

/* Parses the JSON body of r into ctx->body; replies 415/400 itself and returns -1 on failure. */
static int api_parse_body_or_reply(http_req_t *r, api_ctx_t *ctx) {
  const char *ct = http_header(r, "Content-Type");
  if (ct == NULL || strncmp(ct, "application/json", 16) != 0 ||
      (ct[16] != '\0' && ct[16] != ';')) {
    http_reply_error(r, BH_ERR_MEDIA_TYPE, NULL, "the body must be sent as application/json");
    return -1;
  }
  json_error_t jerr;
  ctx->body = json_loadb(r->body.data ? r->body.data : "", r->body.len,
                         JSON_REJECT_DUPLICATES, &jerr);
  if (ctx->body == NULL) {
    if (jerr.position > 0 && r->body.len > 0 && strstr(jerr.text, "UTF-8") != NULL) {
      http_reply_error(r, BH_ERR_BAD_JSON, NULL, "the body is not valid UTF-8");
    } else {
      http_reply_error(r, BH_ERR_BAD_JSON, NULL, "malformed JSON at line %d column %d: %s",
                       jerr.line, jerr.column, jerr.text);
    }
    return -1;
  }
  if (!json_is_object(ctx->body)) {
    http_reply_error(r, BH_ERR_BAD_JSON, NULL, "the body must be a JSON object");
    return -1;
  }
  return 0;
}

/* ---- idempotency keys ---- */

/*
 * Public routes that take an Idempotency-Key (every other public route ignores the header).
 * Routes for logged-in users take one on every POST, PATCH and DELETE.
 */
static const char *const api_idem_public_routes[] = {"registrations.create", "registrations.update",
                                                     "registrations.close", "checkin.answer",
                                                     "register.form"};
/* The form field that carries the key of a page without script (the check-in page and the
 * registration form), which cannot send headers. */
#define API_IDEM_FORM_FIELD "idempotency_key"

static _Atomic int64_t api_idem_last_purge;

/* Decodes the form field API_IDEM_FORM_FIELD of an x-www-form-urlencoded body into the arena. */
static const char *api_idem_form_key(http_req_t *r) {
  const char *body = r->body.data, *end = body ? body + r->body.len : NULL;
  size_t nlen = strlen(API_IDEM_FORM_FIELD);
  for (const char *p = body; p != NULL && p < end;) {
    const char *amp = memchr(p, '&', (size_t)(end - p));
    const char *pe = amp ? amp : end;
    if ((size_t)(pe - p) > nlen && strncmp(p, API_IDEM_FORM_FIELD "=", nlen + 1) == 0) {
      const char *v = p + nlen + 1;
      char *out = arena_alloc(r->arena, (size_t)(pe - v) + 1);
      if (out == NULL) return NULL;
      size_t n = 0;
      for (; v < pe; v++) {
        if (*v == '+') {
          out[n++] = ' ';
        } else if (*v == '%' && pe - v > 2 && isxdigit((unsigned char)v[1]) &&
                   isxdigit((unsigned char)v[2])) {
          char hex[3] = {v[1], v[2], '\0'};
          out[n++] = (char)strtol(hex, NULL, 16);
          v += 2;
        } else {
          out[n++] = *v;
        }
      }
      out[n] = '\0';
      return out;
    }
    p = pe + 1;
  }
  return NULL;
}

const char *api_idem_checkin_key(http_req_t *r) {
  const char *k = http_header(r, "Idempotency-Key");
  return k != NULL ? k : api_idem_form_key(r);
}

/*
 * Finds the request's idempotency key: the Idempotency-Key header of a POST, PATCH or DELETE
 * to a route that takes one (or the hidden form field of a check-in page or of the registration
 * form). *key stays NULL when
 * there is none. A key that is empty, longer than STORE_IDEM_KEY_MAX or not printable ASCII
 * answers 400 naming the header, and -1 is returned.
 */
static int api_idem_key_or_reply(http_req_t *r, const api_route_t *route, const char **key) {
  *key = NULL;
  if (strcmp(r->method, "POST") != 0 && strcmp(r->method, "PATCH") != 0 &&
      strcmp(r->method, "DELETE") != 0) {
    return 0;
  }
  int takes = route->roles != 0;
  for (size_t i = 0; !takes && i < sizeof(api_idem_public_routes) / sizeof(*api_idem_public_routes);
       i++) {
    takes = strcmp(route->name, api_idem_public_routes[i]) == 0;
  }
  if (!takes) return 0;
  int form = strcmp(route->name, "checkin.answer") == 0 || strcmp(route->name, "register.form") == 0;
  const char *k = form ? api_idem_checkin_key(r) : http_header(r, "Idempotency-Key");
  if (k == NULL) return 0;
  size_t n = strlen(k);
  int ok = n >= 1 && n <= STORE_IDEM_KEY_MAX;
  for (size_t i = 0; ok && i < n; i++) ok = k[i] >= 0x20 && k[i] <= 0x7e;
  if (!ok) {
    http_reply_error(r, BH_ERR_BAD_REQUEST, "Idempotency-Key",
                     "Idempotency-Key must be 1 to %d printable ASCII characters",
                     STORE_IDEM_KEY_MAX);
    return -1;
  }
  *key = k;
  return 0;
}

/*
 * The scope of a key: the logged-in user; on a public route with a token in its path, that
 * token (a check-in link, a registration's management link); else all public clients together.
 */
void api_idem_scope(http_req_t *r, const api_ctx_t *ctx, char scope[STORE_IDEM_SCOPE_MAX + 1]) {
  if (ctx->authed) {
    snprintf(scope, STORE_IDEM_SCOPE_MAX + 1, "u:%lld", (long long)ctx->user.id);
  } else if (r->nparams > 0) {
    unsigned char h[SECRET_TOKEN_HASH_BYTES];
    secret_token_hash(r->params[0], h);
    char hex[2 * 16 + 1];
    sodium_bin2hex(hex, sizeof(hex), h, 16);
    snprintf(scope, STORE_IDEM_SCOPE_MAX + 1, "t:%s", hex);
  } else {
    snprintf(scope, STORE_IDEM_SCOPE_MAX + 1, "public");
  }
}

/* The hash that tells two requests under one key apart: method, path and body. */
void api_idem_hash(const http_req_t *r, unsigned char out[STORE_IDEM_HASH_BYTES]) {
  crypto_generichash_state st;
  crypto_generichash_init(&st, NULL, 0, STORE_IDEM_HASH_BYTES);
  crypto_generichash_update(&st, (const unsigned char *)r->method, strlen(r->method) + 1);
  crypto_generichash_update(&st, (const unsigned char *)r->path, strlen(r->path) + 1);
  if (r->body.len > 0) {
    crypto_generichash_update(&st, (const unsigned char *)r->body.data, r->body.len);
  }
  crypto_generichash_final(&st, out, STORE_IDEM_HASH_BYTES);
}

/* Sends a stored answer again, with its headers and Idempotent-Replayed: true. */
static void api_idem_replay(app_t *app, http_req_t *r, const store_idem_t *ans) {
  if (ans->body_len < SECRET_SEAL_OVERHEAD) {
    http_reply_error(r, BH_ERR_INTERNAL, NULL, "internal error (request %s)", r->request_id);
    return;
  }
  size_t len = ans->body_len - SECRET_SEAL_OVERHEAD;
  char *body = arena_alloc(r->arena, len + 1);
  if (body == NULL || secret_open(&app->keys, ans->body, ans->body_len, body) != BH_OK) {
    log_error("req=%s msg=\"stored idempotent answer unreadable\"", r->request_id);
    http_reply_error(r, BH_ERR_INTERNAL, NULL, "internal error (request %s)", r->request_id);
    return;
  }
  for (const char *line = ans->headers; line && *line;) {
    const char *nl = strchr(line, '\n');
    size_t n = nl ? (size_t)(nl - line) : strlen(line);
    const char *colon = memchr(line, ':', n);
    if (colon != NULL && colon + 2 <= line + n) {
      char *name = arena_strndup(r->arena, line, (size_t)(colon - line));
      char *value = arena_strndup(r->arena, colon + 2, n - (size_t)(colon + 2 - line));
      if (name && value) http_add_header(r, name, value);
    }
    line = nl ? nl + 1 : line + n;
  }
  /* JSON answers carry no-store from http_reply_json, not as an added header: keep it. */
  if (strstr(ans->headers ? ans->headers : "", "Cache-Control:") == NULL) {
    http_add_header(r, "Cache-Control", "no-store");
  }
  http_add_header(r, "Idempotent-Replayed", "true");
  http_reply_bytes(r, ans->status, ans->content_type, body, len);
}

void api_idem_purge(http_req_t *r, store_conn_t *db, int64_t now) {
  int64_t last = atomic_load(&api_idem_last_purge);
  if (now - last < API_IDEM_PURGE_S ||
      !atomic_compare_exchange_strong(&api_idem_last_purge, &last, now)) {
    return;
  }
  int64_t n = 0;
  int rc = store_idem_purge(db, now, API_IDEM_KEYS_MAX, &n);
  if (rc != BH_OK) {
    log_warn("req=%s msg=\"idempotency keys purge failed\" err=%s", r->request_id, bh_err_str(rc));
  } else if (n > 0) {
    log_info("req=%s msg=\"idempotency keys purged\" count=%lld", r->request_id, (long long)n);
  }
}

int api_idem_replay_allowed(app_t *app, http_req_t *r, api_ctx_t *ctx, const char *route_name,
                            const unsigned char hash[STORE_IDEM_HASH_BYTES],
                            const store_idem_t *old) {
  if (sodium_memcmp(old->hash, hash, STORE_IDEM_HASH_BYTES) != 0) {
    http_reply_error(r, BH_ERR_IDEM_REUSED, "Idempotency-Key",
                     "this Idempotency-Key was used for a different request");
    return BH_ERR_IDEM_REUSED;
  }
  /* The stored answer may hold personal data: its second delivery is recorded as a read. */
  if (api_audit_read(app, r, ctx, "idempotency.replay", "request", 0,
                     json_pack("{s:s}", "route", route_name)) != BH_OK) {
    http_reply_error(r, BH_ERR_UNAVAILABLE, NULL, "the audit log is unavailable; try again");
    return BH_ERR_UNAVAILABLE;
  }
  return BH_OK;
}

void api_idem_answer_stored(app_t *app, http_req_t *r, api_ctx_t *ctx, const char *route_name,
                            const unsigned char hash[STORE_IDEM_HASH_BYTES],
                            const store_idem_t *old) {
  if (api_idem_replay_allowed(app, r, ctx, route_name, hash, old) == BH_OK) {
    api_idem_replay(app, r, old);
  }
}

/*
 * Runs the handler of a request that carries an idempotency key inside one transaction held for
 * it (store_idem.h), with its reply held back (http.h): a successful (2xx) answer is stored under
 * the key and committed together with everything the handler wrote, and only then sent. Any
 * other answer rolls everything back and is sent as it is, so a retry runs the request again.
 * The handler sees the application without its group-commit writer, so that what it would have
 * written on the writer's own connection (a check-in, the audit of a read) joins the transaction.
 */
static void api_idem_run(app_t *app, http_req_t *r, api_ctx_t *ctx, const api_route_t *route,
                         const char *key) {
  char scope[STORE_IDEM_SCOPE_MAX + 1];
  unsigned char hash[STORE_IDEM_HASH_BYTES];
  api_idem_scope(r, ctx, scope);
  api_idem_hash(r, hash);
  int64_t now = clock_now();
  api_idem_purge(r, ctx->db, now);
  store_idem_t old;
  int rc = store_idem_begin(ctx->db, scope, key, now, r->arena, &old);
  for (int waited = 0; rc == BH_ERR_IDEM_IN_PROGRESS && waited < API_IDEM_WAIT_MS; waited += 50) {
    nanosleep(&(struct timespec){.tv_nsec = 50 * 1000 * 1000}, NULL);
    rc = store_idem_begin(ctx->db, scope, key, now, r->arena, &old);
  }
  if (rc == BH_ERR_IDEM_IN_PROGRESS) {
    http_add_header(r, "Retry-After", "1");
    http_reply_error(r, rc, "Idempotency-Key",
                     "a request with this Idempotency-Key is still being processed");
    return;
  }
  if (rc != BH_OK) {
    api_reply_store_error(r, rc, "request");
    return;
  }
  if (old.found) {
    api_idem_answer_stored(app, r, ctx, route->name, hash, &old);
    return;
  }
  app_t local = *app;
  local.writer = NULL;
  r->hold = 1;
  route->handler(&local, r, ctx);
  sodium_memzero(&local.keys, sizeof(local.keys));
  int status = r->held != NULL ? r->held_status : 0;
  if (status < 200 || status > 299) {
    store_idem_abort(ctx->db);
    http_release(r);
    return;
  }
  const char *fail = NULL;
  rc = BH_OK;
  if (store_idem_doomed(ctx->db)) {
    fail = "the handler rolled back but answered success";
    rc = BH_ERR_INTERNAL;
  } else if (r->held_len > API_IDEM_BODY_MAX || r->held_body == NULL) {
    fail = "the answer is too large to keep";
    rc = BH_ERR_TOO_LARGE;
  }
  if (rc == BH_OK) {
    buf_t headers;
    buf_init(&headers, 8 * 1024);
    for (size_t i = 0; i < r->nextra && rc == BH_OK; i++) {
      rc = buf_printf(&headers, "%s: %s\n", r->extra_names[i], r->extra_values[i]);
    }
    unsigned char *sealed = arena_alloc(r->arena, r->held_len + SECRET_SEAL_OVERHEAD);
    if (sealed == NULL) rc = BH_ERR_NOMEM;
    if (rc == BH_OK) {
      secret_seal(&app->keys, r->held_body, r->held_len, sealed);
      store_idem_t ans = {.status = status,
                          .content_type = r->held_type,
                          .headers = headers.data ? headers.data : "",
                          .body = sealed,
                          .body_len = r->held_len + SECRET_SEAL_OVERHEAD};
      memcpy(ans.hash, hash, sizeof(hash));
      rc = store_idem_finish(ctx->db, scope, key, &ans, now);
    }
    buf_free(&headers);
    if (rc != BH_OK && fail == NULL) fail = "the answer and its key could not be committed";
  }
  if (rc == BH_OK) {
    http_release(r);
    return;
  }
  store_idem_abort(ctx->db);
  http_discard(r);
  log_warn("req=%s msg=\"idempotent request not committed\" reason=\"%s\" err=%s", r->request_id,
           fail, bh_err_str(rc));
  if (rc == BH_ERR_TOO_LARGE) {
    http_reply_error(r, rc, "Idempotency-Key",
                     "the answer to this request is too large to keep under an Idempotency-Key; "
                     "nothing was written");
  } else if (rc == BH_ERR_UNAVAILABLE) {
    http_reply_error(r, rc, NULL,
                     "the database became unavailable while the request was committed; retry "
                     "with the same Idempotency-Key");
  } else {
    api_reply_store_error(r, rc, "request");
  }
}

void api_dispatch(http_req_t *r) {
  app_t *app = r->app;
  api_ctx_t *ctx = arena_calloc(r->arena, sizeof(*ctx));
  if (ctx == NULL) {
    http_reply_error(r, BH_ERR_NOMEM, NULL, "out of memory");
    return;
  }
  r->user_ctx = ctx;
  /* The path without its query string is what routes match. */
  const api_route_t *route = NULL;
  int path_matched = 0;
  for (size_t i = 0; i < api_nroutes; i++) {
    if (!api_match(r, api_routes[i].pattern, r->path)) continue;
    path_matched = 1;
    if (strcmp(api_routes[i].method, r->method) == 0 ||
        (strcmp(r->method, "HEAD") == 0 && strcmp(api_routes[i].method, "GET") == 0)) {
      route = &api_routes[i];
      r->route_index = (int)i;
      break;
    }
  }
  if (route == NULL) {
    if (path_matched) {
      http_reply_error(r, BH_ERR_METHOD, NULL, "method %s is not allowed here",
                       strcmp(r->method, "GET") == 0 || strcmp(r->method, "POST") == 0 ||
                               strcmp(r->method, "PATCH") == 0 || strcmp(r->method, "DELETE") == 0 ||
                               strcmp(r->method, "PUT") == 0
                           ? r->method
                           : "used");
    } else {
      http_reply_error(r, BH_ERR_NOT_FOUND, NULL, "no such resource");
    }
    return;
  }
  if (route->flags & ROUTE_STATIC) {
    route->handler(app, r, ctx);
    return;
  }
  ctx->db = store_conn(app->store);
  if (ctx->db == NULL) {
    http_reply_error(r, BH_ERR_UNAVAILABLE, NULL, "the database is not available");
    return;
  }
  if (route->roles != 0) {
    int rc = api_authenticate(app, r, ctx);
    if (rc == BH_ERR_UNAUTHENTICATED) {
      http_reply_error(r, rc, NULL, "log in or present a valid API token");
      return;
    }
    if (rc != BH_OK) {
      api_reply_store_error(r, rc, "session");
      return;
    }
    if ((route->roles & ROLE_BIT(ctx->user.role)) == 0) {
      http_reply_error(r, BH_ERR_FORBIDDEN, NULL, "your role may not do this");
      return;
    }
  }
  if (route->flags & ROUTE_BODY) {
    if (api_parse_body_or_reply(r, ctx) != 0) return;
  } else if (r->body.len > 0 && !(route->flags & ROUTE_RAW)) {
    http_reply_error(r, BH_ERR_BAD_REQUEST, NULL, "this request takes no body");
    return;
  }
  const char *key = NULL;
  if (api_idem_key_or_reply(r, route, &key) != 0) return;
  /* A check-in answer records its key itself, in its group-commit job (api_checkin.c); a list
   * upload in the short transaction that follows its matching (api_lists.c). */
  if (key != NULL && !(app->writer != NULL && strcmp(route->name, "checkin.answer") == 0) &&
      strcmp(route->name, "lists.create") != 0) {
    api_idem_run(app, r, ctx, route, key);
    return;
  }
  route->handler(app, r, ctx);
}

void api_cleanup(http_req_t *r) {
  api_ctx_t *ctx = r->user_ctx;
  if (ctx == NULL) return;
  json_decref(ctx->body);
  ctx->body = NULL;
}

int api_body_or_reply(http_req_t *r, api_ctx_t *ctx, const spec_field_t *spec, size_t n) {
  spec_error_t err;
  if (spec_validate(ctx->body, spec, n, &err) == BH_OK) return 0;
  http_reply_error(r, BH_ERR_INVALID, err.field[0] ? err.field : NULL, "%s%s%s", err.field,
                   err.field[0] ? " " : "", err.message);
  return -1;
}

int api_query_id_or_reply(app_t *app, http_req_t *r, const char *key, enum pubid_kind kind,
                          int64_t *id) {
  const char *text = http_query(r, key);
  if (text == NULL || pubid_decode(&app->keys, kind, text, id) == BH_OK) return 0;
  http_reply_error(r, BH_ERR_INVALID, key, "%s must be the id of a %s", key, key);
  return -1;
}

int api_page_or_reply(app_t *app, http_req_t *r, enum pubid_kind kind, store_page_t *page) {
  page->after = 0;
  page->limit = API_PAGE_DEFAULT;
  const char *limit = http_query(r, "limit");
  if (limit != NULL) {
    char *end = NULL;
    long v = strtol(limit, &end, 10);
    if (end == limit || *end != '\0' || v < 1 || v > API_PAGE_MAX) {
      http_reply_error(r, BH_ERR_INVALID, "limit", "limit must be an integer from 1 to %d",
                       API_PAGE_MAX);
      return -1;
    }
    page->limit = (int)v;
  }
  const char *after = http_query(r, "after");
  if (after != NULL && pubid_decode(&app->keys, kind, after, &page->after) != BH_OK) {
    http_reply_error(r, BH_ERR_INVALID, "after", "after must be a cursor from a previous page");
    return -1;
  }
  return 0;
}

int api_id_or_reply(app_t *app, http_req_t *r, size_t i, enum pubid_kind kind, int64_t *id) {
  if (i >= r->nparams || pubid_decode(&app->keys, kind, r->params[i], id) != BH_OK) {
    http_reply_error(r, BH_ERR_NOT_FOUND, NULL, "no such resource");
    return -1;
  }
  return 0;
}

void api_reply_store_error(http_req_t *r, int rc, const char *what) {
  switch (rc) {
    case BH_ERR_NOT_FOUND:
      http_reply_error(r, rc, NULL, "no such %s", what);
      break;
    case BH_ERR_CONFLICT:
      http_reply_error(r, rc, NULL, "this %s conflicts with an existing one", what);
      break;
    case BH_ERR_UNAVAILABLE:
      http_reply_error(r, rc, NULL, "the database is busy; try again");
      break;
    case BH_ERR_INVALID:
      http_reply_error(r, rc, NULL, "the %s is not valid", what);
      break;
    default:
      log_error("req=%s msg=\"store failure\" what=%s err=%s", r->request_id, what, bh_err_str(rc));
      http_reply_error(r, BH_ERR_INTERNAL, NULL, "internal error (request %s)", r->request_id);
  }
}

int api_audit(app_t *app, http_req_t *r, api_ctx_t *ctx, const char *action,
              const char *object_kind, int64_t object_id, json_t *detail) {
  (void)app;
  char *text = detail ? json_dumps(detail, JSON_COMPACT) : NULL;
  json_decref(detail);
  audit_entry_t e = {.user_id = ctx->authed ? ctx->user.id : 0,
                     .action = action,
                     .object_kind = object_kind,
                     .object_id = object_id,
                     .client = r->client,
                     .request_id = r->request_id,
                     .detail = text};
  int rc = store_audit_append(ctx->db, &e);
  free(text);
  if (rc != BH_OK) log_error("req=%s msg=\"audit append failed\" action=%s", r->request_id, action);
  return rc;
}

static int audit_job(store_conn_t *c, void *ctx) { return store_audit_append(c, ctx); }

/* api_audit_read with the detail as text. */
static int audit_read_text(app_t *app, http_req_t *r, api_ctx_t *ctx, const char *action,
                           const char *object_kind, int64_t object_id, const char *text) {
  audit_entry_t e = {.user_id = ctx->authed ? ctx->user.id : 0,
                     .action = action,
                     .object_kind = object_kind,
                     .object_id = object_id,
                     .client = r->client,
                     .request_id = r->request_id,
                     .detail = text};
  int rc = app->writer ? store_writer_run(app->writer, audit_job, &e)
                       : store_audit_append(ctx->db, &e);
  if (rc != BH_OK) log_error("req=%s msg=\"audit append failed\" action=%s", r->request_id, action);
  return rc;
}

int api_audit_read(app_t *app, http_req_t *r, api_ctx_t *ctx, const char *action,
                   const char *object_kind, int64_t object_id, json_t *detail) {
  char *text = detail ? json_dumps(detail, JSON_COMPACT) : NULL;
  json_decref(detail);
  int rc = audit_read_text(app, r, ctx, action, object_kind, object_id, text);
  free(text);
  return rc;
}

/* A read's audit record waiting for its group commit, and what to do after (in r's arena). */
struct api_audit_pending {
  audit_entry_t e;
  http_req_t *r;
  void (*then)(http_req_t *r, void *arg, int rc);
  void *arg;
  int rc;
};

/* The writer job: the record, in the batch's transaction. */
static int api_audit_pending_job(store_conn_t *c, void *ctx) {
  struct api_audit_pending *p = ctx;
  return store_audit_append(c, &p->e);
}

/* On the writer thread, once the batch holding the record is committed or has failed. */
static void api_audit_committed(void *ctx, int rc) {
  struct api_audit_pending *p = ctx;
  p->rc = rc;
  http_resume(p->r);
}

/* On a worker thread, after http_resume. */
static void api_audit_resumed(http_req_t *r, void *arg) {
  struct api_audit_pending *p = arg;
  if (p->rc != BH_OK) {
    log_error("req=%s msg=\"audit append failed\" action=%s", r->request_id, p->e.action);
  }
  p->then(r, p->arg, p->rc);
}

void api_audit_read_then(app_t *app, http_req_t *r, api_ctx_t *ctx, const char *action,
                         const char *object_kind, int64_t object_id, json_t *detail,
                         void (*then)(http_req_t *r, void *arg, int rc), void *arg) {
  char *t = detail ? json_dumps(detail, JSON_COMPACT) : NULL;
  char *text = t ? arena_strdup(r->arena, t) : NULL;
  free(t);
  json_decref(detail);
  api_audit_read_text_then(app, r, ctx, action, object_kind, object_id, text, then, arg);
}

void api_audit_read_text_then(app_t *app, http_req_t *r, api_ctx_t *ctx, const char *action,
                              const char *object_kind, int64_t object_id, const char *detail,
                              void (*then)(http_req_t *r, void *arg, int rc), void *arg) {
  struct api_audit_pending *p = app->writer ? arena_calloc(r->arena, sizeof(*p)) : NULL;
  if (p == NULL) {
    then(r, arg, audit_read_text(app, r, ctx, action, object_kind, object_id, detail));
    return;
  }
  p->e = (audit_entry_t){.user_id = ctx->authed ? ctx->user.id : 0,
                         .action = action,
                         .object_kind = object_kind,
                         .object_id = object_id,
                         .client = r->client,
                         .request_id = r->request_id,
                         .detail = detail};
  p->r = r;
  p->then = then;
  p->arg = arg;
  if (http_suspend(r, api_audit_resumed, p) != BH_OK) {
    p->rc = store_writer_run(app->writer, api_audit_pending_job, p);
    api_audit_resumed(r, p);
    return;
  }
  int rc = store_writer_submit(app->writer, api_audit_pending_job, p, api_audit_committed);
  if (rc != BH_OK) api_audit_committed(p, rc);
}

json_t *api_page_json(app_t *app, json_t *items, enum pubid_kind kind, int64_t last_id, int full) {
  json_t *next = json_null();
  if (full && last_id > 0) {
    char id[PUBID_LEN + 1];
    pubid_encode(&app->keys, kind, last_id, id);
    json_decref(next);
    next = json_string(id);
  }
  return json_pack("{s:o, s:o}", "items", items, "next", next);
}

const char *api_str(const json_t *obj, const char *key) {
  return json_string_value(json_object_get(obj, key));
}

json_t *api_time(int64_t t) {
  if (t == 0) return json_null();
  char text[PDATE_TIMESTAMP_SIZE];
  pdate_format_timestamp(t, text);
  return json_string(text);
}
