/*
 * api_public.c - self-registration by citizens, without login.
 *
 * POST creates a person and one presence and answers with a private manage link; the token in
 * that link (256 random bits, only its hash stored) lets the citizen read, update or close the
 * trip later. Creation is rate-limited per client address.
 */
#include <string.h>

#include "api/api.h"
#include "domain/pdate.h"
#include "util/clock.h"
#include "util/err.h"

static const spec_field_t registration_spec[] = {
    {.name = "person", .type = SPEC_OBJECT, .flags = SPEC_REQUIRED},
    {.name = "presence", .type = SPEC_OBJECT, .flags = SPEC_REQUIRED},
};

static const spec_field_t registration_patch_spec[] = {
    {.name = "phones", .type = SPEC_STRING_ARRAY, .max_len = MODEL_LIST_MAX,
     .check = spec_check_phone},
    {.name = "emails", .type = SPEC_STRING_ARRAY, .max_len = MODEL_LIST_MAX,
     .check = spec_check_email},
    {.name = "city", .type = SPEC_STRING, .flags = SPEC_NULLABLE, .max_len = 100},
    {.name = "address", .type = SPEC_STRING, .flags = SPEC_NULLABLE, .max_len = 300},
    {.name = "until", .type = SPEC_STRING, .flags = SPEC_NULLABLE, .check = spec_check_date},
};

/* The registration spec with its nested specs filled in (they live in another file). */
static void registration_spec_full(spec_field_t spec[SPEC_COUNT(registration_spec)]) {
  memcpy(spec, registration_spec, sizeof(registration_spec));
  spec[0].sub = api_person_public_spec;
  spec[0].nsub = api_person_public_nspec;
  spec[1].sub = api_presence_create_spec;
  spec[1].nsub = api_presence_create_nspec;
}

static int registration_body_or_reply(http_req_t *r, api_ctx_t *ctx) {
  spec_field_t spec[SPEC_COUNT(registration_spec)];
  registration_spec_full(spec);
  return api_body_or_reply(r, ctx, spec, SPEC_COUNT(spec));
}

int api_registration_check(const json_t *body, spec_error_t *err) {
  spec_field_t spec[SPEC_COUNT(registration_spec)];
  registration_spec_full(spec);
  return spec_validate(body, spec, SPEC_COUNT(spec), err);
}

static int token_or_reply(http_req_t *r, unsigned char hash[SECRET_TOKEN_HASH_BYTES]) {
  if (r->nparams < 1 || strlen(r->params[0]) != SECRET_TOKEN_LEN) {
    http_reply_error(r, BH_ERR_NOT_FOUND, NULL, "this link is not valid or has been closed");
    return -1;
  }
  secret_token_hash(r->params[0], hash);
  return 0;
}

int api_registration_store(app_t *app, http_req_t *r, api_ctx_t *ctx, const json_t *body,
                           char token[SECRET_TOKEN_LEN + 1]) {
  json_t *pbody = json_object_get(body, "person");
  json_t *prbody = json_object_get(body, "presence");
  person_t p = {0};
  presence_t pr = {0};
  if (api_presence_apply_or_reply(r, prbody, "presence.", &pr) != 0) return API_REPLIED;
  api_person_apply(r->arena, pbody, &p);
  p.source = "self_registration";
  unsigned char hash[SECRET_TOKEN_HASH_BYTES];
  secret_token_new(token);
  secret_token_hash(token, hash);
  int rc = store_begin_write(ctx->db);
  if (rc == BH_OK) rc = store_person_create(ctx->db, &p);
  if (rc == BH_OK) {
    pr.person_id = p.id;
    rc = store_presence_create(ctx->db, &STORE_SCOPE_ALL, &pr);
  }
  if (rc == BH_OK) rc = store_registration_create(ctx->db, hash, p.id, pr.id);
  if (rc == BH_OK) rc = api_audit(app, r, ctx, "registration.create", "person", p.id, NULL);
  if (rc == BH_OK) rc = store_commit(ctx->db);
  person_clear(&p);
  if (rc != BH_OK) store_rollback(ctx->db);
  return rc;
}

void h_registrations_create(app_t *app, http_req_t *r, api_ctx_t *ctx) {
  if (!ratelimit_hit(app->registrations, r->client, clock_now())) {
    http_reply_error(r, BH_ERR_RATE_LIMITED, NULL,
                     "too many registrations from this address; try again later");
    return;
  }
  if (registration_body_or_reply(r, ctx) != 0) return;
  char token[SECRET_TOKEN_LEN + 1];
  int rc = api_registration_store(app, r, ctx, ctx->body, token);
  if (rc == API_REPLIED) return;
  if (rc != BH_OK) {
    api_reply_store_error(r, rc, "registration");
    return;
  }
  const char *base = app->public_url ? app->public_url : "";
  json_t *out = json_pack("{s:s, s:s, s:s}", "manage_token", token, "manage_url",
                          arena_printf(r->arena, "%s/register/%s", base, token), "note",
                          "keep this link private: anyone who has it can change your registration");
  http_reply_json(r, 201, out);
}

static void reply_registration(app_t *app, http_req_t *r, api_ctx_t *ctx, int64_t person_id,
                               int64_t presence_id) {
  person_t p;
  presence_t pr;
  int rc = store_person_get(ctx->db, &STORE_SCOPE_ALL, person_id, r->arena, &p);
  if (rc == BH_OK) rc = store_presence_get(ctx->db, &STORE_SCOPE_ALL, presence_id, r->arena, &pr);
  if (rc != BH_OK) {
    api_reply_store_error(r, rc, "registration");
    return;
  }
  json_t *person = render_person(app, &p);
  /* The citizen sees their own record, but not the ministry's internal fields. */
  json_object_del(person, "owner_mission");
  json_object_del(person, "source");
  person_clear(&p);
  http_reply_json(r, 200, json_pack("{s:o, s:o}", "person", person, "presence",
                                    render_presence(app, &pr)));
}

void h_registrations_get(app_t *app, http_req_t *r, api_ctx_t *ctx) {
  unsigned char hash[SECRET_TOKEN_HASH_BYTES];
  if (token_or_reply(r, hash) != 0) return;
  int64_t person_id, presence_id;
  int rc = store_registration_lookup(ctx->db, hash, &person_id, &presence_id);
  if (rc != BH_OK) {
    http_reply_error(r, BH_ERR_NOT_FOUND, NULL, "this link is not valid or has been closed");
    return;
  }
  reply_registration(app, r, ctx, person_id, presence_id);
}

void h_registrations_update(app_t *app, http_req_t *r, api_ctx_t *ctx) {
  unsigned char hash[SECRET_TOKEN_HASH_BYTES];
  if (token_or_reply(r, hash) != 0) return;
  if (api_body_or_reply(r, ctx, registration_patch_spec, SPEC_COUNT(registration_patch_spec)) != 0) {
    return;
  }
  int64_t person_id, presence_id;
  int rc = store_registration_lookup(ctx->db, hash, &person_id, &presence_id);
  if (rc != BH_OK) {
    http_reply_error(r, BH_ERR_NOT_FOUND, NULL, "this link is not valid or has been closed");
    return;
  }
  person_t p;
  presence_t pr;
  rc = store_begin_write(ctx->db);
  if (rc == BH_OK) rc = store_person_get(ctx->db, &STORE_SCOPE_ALL, person_id, r->arena, &p);
  if (rc == BH_OK) rc = store_presence_get(ctx->db, &STORE_SCOPE_ALL, presence_id, r->arena, &pr);
  if (rc != BH_OK) {
    store_rollback(ctx->db);
    api_reply_store_error(r, rc, "registration");
    return;
  }
  json_t *phones = json_object_get(ctx->body, "phones");
  json_t *emails = json_object_get(ctx->body, "emails");
  if (phones) {
    json_decref(p.phones);
    p.phones = json_deep_copy(phones);
  }
  if (emails) {
    json_decref(p.emails);
    p.emails = json_deep_copy(emails);
  }
  json_t *sub = json_object();
  const char *keys[] = {"city", "address", "until"};
  for (size_t i = 0; i < 3; i++) {
    json_t *v = json_object_get(ctx->body, keys[i]);
    if (v) json_object_set(sub, keys[i], v);
  }
  int replied = api_presence_apply_or_reply(r, sub, "", &pr);
  json_decref(sub);
  if (replied != 0) {
    store_rollback(ctx->db);
    person_clear(&p);
    return;
  }
  rc = store_person_update(ctx->db, &STORE_SCOPE_ALL, &p);
  if (rc == BH_OK) rc = store_presence_update(ctx->db, &STORE_SCOPE_ALL, &pr);
  if (rc == BH_OK) rc = api_audit(app, r, ctx, "registration.update", "person", person_id, NULL);
  if (rc == BH_OK) rc = store_commit(ctx->db);
  person_clear(&p);
  if (rc != BH_OK) {
    store_rollback(ctx->db);
    api_reply_store_error(r, rc, "registration");
    return;
  }
  reply_registration(app, r, ctx, person_id, presence_id);
}

void h_registrations_close(app_t *app, http_req_t *r, api_ctx_t *ctx) {
  unsigned char hash[SECRET_TOKEN_HASH_BYTES];
  if (token_or_reply(r, hash) != 0) return;
  int64_t person_id, presence_id;
  int rc = store_registration_lookup(ctx->db, hash, &person_id, &presence_id);
  if (rc != BH_OK) {
    http_reply_error(r, BH_ERR_NOT_FOUND, NULL, "this link is not valid or has been closed");
    return;
  }
  presence_t pr;
  char today[PDATE_TIMESTAMP_SIZE];
  pdate_format_timestamp(clock_now(), today);
  today[10] = '\0';
  rc = store_begin_write(ctx->db);
  if (rc == BH_OK) rc = store_presence_get(ctx->db, &STORE_SCOPE_ALL, presence_id, r->arena, &pr);
  if (rc == BH_OK) {
    if (pr.date_until == NULL) pr.date_until = arena_strdup(r->arena, today);
    rc = store_presence_update(ctx->db, &STORE_SCOPE_ALL, &pr);
  }
  if (rc == BH_OK) rc = store_registration_close(ctx->db, hash, clock_now());
  if (rc == BH_OK) rc = api_audit(app, r, ctx, "registration.close", "person", person_id, NULL);
  if (rc == BH_OK) rc = store_commit(ctx->db);
  if (rc != BH_OK) {
    store_rollback(ctx->db);
    api_reply_store_error(r, rc, "registration");
    return;
  }
  http_reply_json(r, 200, json_pack("{s:b, s:s}", "closed", 1, "until", pr.date_until));
}
