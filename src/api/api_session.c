/*
 * api_session.c - login (session cookie), logout, who-am-i, and API tokens.
 * Failed logins are rate-limited per e-mail and per client address, and audited.
 */
#include <stdio.h>
#include <string.h>

#include "api/api.h"
#include "util/clock.h"
#include "util/err.h"

static const spec_field_t login_spec[] = {
    {.name = "email", .type = SPEC_STRING, .flags = SPEC_REQUIRED, .min_len = 3,
     .max_len = MODEL_EMAIL_MAX},
    {.name = "password", .type = SPEC_STRING, .flags = SPEC_REQUIRED, .min_len = 1,
     .max_len = PASSWORD_MAX_LEN},
};

static const spec_field_t token_spec[] = {
    {.name = "name", .type = SPEC_STRING, .flags = SPEC_REQUIRED, .min_len = 1, .max_len = 100},
};

/* Argon2id of a fixed string, so unknown e-mails cost as much time as wrong passwords. */
static const char *dummy_hash(void) {
  static char hash[PASSWORD_HASH_MAX];
  static int ready;
  if (!ready) {
    password_hash("baoho-timing-equaliser", hash);
    ready = 1;
  }
  return hash;
}

void h_session_create(app_t *app, http_req_t *r, api_ctx_t *ctx) {
  if (api_body_or_reply(r, ctx, login_spec, SPEC_COUNT(login_spec)) != 0) return;
  const char *email = api_str(ctx->body, "email");
  const char *password = api_str(ctx->body, "password");
  int64_t now = clock_now();
  if (ratelimit_blocked(app->login_by_email, email, now) ||
      ratelimit_blocked(app->login_by_client, r->client, now)) {
    api_audit(app, r, ctx, "session.login_blocked", "user", 0, NULL);
    http_reply_error(r, BH_ERR_RATE_LIMITED, NULL,
                     "too many failed logins; wait %d minutes and try again",
                     API_LOGIN_WINDOW_S / 60);
    return;
  }
  user_t u;
  int rc = store_user_by_email(ctx->db, email, r->arena, &u);
  int ok = 0;
  if (rc == BH_OK && u.pwhash != NULL && !u.disabled) {
    ok = password_verify(u.pwhash, password);
  } else {
    password_verify(dummy_hash(), password);
  }
  if (!ok) {
    ratelimit_hit(app->login_by_email, email, now);
    ratelimit_hit(app->login_by_client, r->client, now);
    api_audit(app, r, ctx, "session.login_failed", "user", rc == BH_OK ? u.id : 0, NULL);
    http_reply_error(r, BH_ERR_UNAUTHENTICATED, NULL, "wrong e-mail or password");
    return;
  }
  ratelimit_reset(app->login_by_email, email);
  char token[SECRET_TOKEN_LEN + 1];
  unsigned char hash[SECRET_TOKEN_HASH_BYTES];
  secret_token_new(token);
  secret_token_hash(token, hash);
  rc = store_session_create(ctx->db, hash, u.id, now, now + API_SESSION_MAX_S);
  if (rc != BH_OK) {
    api_reply_store_error(r, rc, "session");
    return;
  }
  ctx->authed = 1;
  ctx->user = u;
  api_audit(app, r, ctx, "session.login", "user", u.id, NULL);
  r->set_cookie = arena_printf(r->arena, "%s=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%d%s",
                               API_SESSION_COOKIE, token, API_SESSION_MAX_S,
                               app->secure_cookies ? "; Secure" : "");
  json_t *user = render_user(app, &u);
  http_reply_json(r, 201, json_pack("{s:o, s:i}", "user", user, "idle_timeout_s", API_SESSION_IDLE_S));
}

void h_session_get(app_t *app, http_req_t *r, api_ctx_t *ctx) {
  http_reply_json(r, 200, json_pack("{s:o}", "user", render_user(app, &ctx->user)));
}

void h_session_delete(app_t *app, http_req_t *r, api_ctx_t *ctx) {
  const char *cookie = http_cookie(r, API_SESSION_COOKIE);
  if (cookie != NULL) {
    unsigned char hash[SECRET_TOKEN_HASH_BYTES];
    secret_token_hash(cookie, hash);
    store_session_delete(ctx->db, hash);
  }
  api_audit(app, r, ctx, "session.logout", "user", ctx->user.id, NULL);
  r->set_cookie = arena_printf(r->arena, "%s=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0",
                               API_SESSION_COOKIE);
  http_reply_json(r, 200, json_pack("{s:b}", "ended", 1));
}

void h_tokens_create(app_t *app, http_req_t *r, api_ctx_t *ctx) {
  if (api_body_or_reply(r, ctx, token_spec, SPEC_COUNT(token_spec)) != 0) return;
  char token[SECRET_TOKEN_LEN + 1];
  unsigned char hash[SECRET_TOKEN_HASH_BYTES];
  secret_token_new(token);
  secret_token_hash(token, hash);
  int64_t id;
  int rc = store_token_create(ctx->db, ctx->user.id, hash, api_str(ctx->body, "name"), &id);
  if (rc != BH_OK) {
    api_reply_store_error(r, rc, "token");
    return;
  }
  api_audit(app, r, ctx, "token.create", "token", id, NULL);
  http_reply_json(r, 201, json_pack("{s:s, s:s}", "token", token, "note",
                                    "shown once: store it now; send it as Authorization: Bearer"));
}
