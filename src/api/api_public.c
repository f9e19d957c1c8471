/*
 * api_public.c - what citizens use without login: self-registration, and the published history
 * of a travel advisory.
 *
 * POST creates a person and one presence and answers with a private manage link; the token in
 * that link (256 random bits, only its hash stored) lets the citizen read, update or close the
 * trip later. Creation is rate-limited per client address.
 *
 * The history of an advisory (every published version of a country's or region's series,
 * newest first, paged) carries only what was published: levels, titles and texts in both
 * languages, the reason, the dates and the CAP link. It names no author and shows no internal
 * number: versions are known by their opaque ids, which the CAP route also accepts.
 */
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "domain/country.h"
#include "domain/pdate.h"
#include "util/clock.h"
#include "util/err.h"

/* Versions one page of a public advisory history holds at most, and by default. */
#define PUBLIC_HISTORY_LIMIT_MAX 100
#define PUBLIC_HISTORY_LIMIT_DEFAULT 20
/* How long browsers and caches may keep public advisory data (as the feed and the CAP files). */
#define PUBLIC_ADVISORY_CACHE "public, max-age=60"

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
    {.name = "preferred_language", .type = SPEC_STRING, .values = model_languages},
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
  const char *lang = api_str(ctx->body, "preferred_language");
  if (lang != NULL) p.preferred_language = lang;
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

/* ---- the published history of a travel advisory ---- */

/* One published version, with its public fields only (no author, no internal number). */
static json_t *render_public_version(const app_t *app, http_req_t *r, const advisory_t *v) {
  char id[PUBID_LEN + 1];
  pubid_encode(&app->keys, PUBID_ADVISORY, v->id, id);
  const char *base = app->public_url ? app->public_url : "";
  size_t blen = strlen(base);
  while (blen > 0 && base[blen - 1] == '/') blen--;
  json_t *level_text = json_null();
  if (v->level >= ADVISORY_LEVEL_MIN && v->level <= ADVISORY_LEVEL_MAX) {
    json_decref(level_text);
    level_text = json_pack("{s:s, s:s}", "vi", model_advisory_levels_vi[v->level], "en",
                           model_advisory_levels_en[v->level]);
  }
  return json_pack("{s:s, s:i, s:i, s:o, s:s, s:s, s:s, s:s, s:s?, s:o, s:s?, s:s?}", "id", id,
                   "version", v->version, "level", v->level, "level_text", level_text,
                   "title_vi", v->title_vi, "title_en", v->title_en, "text_vi", v->text_vi,
                   "text_en", v->text_en, "reason", v->reason, "issued_at",
                   api_time(v->issued_at), "review_due", v->review_due, "cap_url",
                   arena_printf(r->arena, "%.*s/advisories/%s.cap", (int)blen, base, id));
}

/*
 * Replies 200 with body (stolen) as JSON that browsers and caches may keep a while. Not through
 * http_reply_json, which marks every answer no-store (a second Cache-Control would be combined
 * with that one, and no-store would win).
 */
static void reply_public_json(http_req_t *r, json_t *body) {
  char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
  json_decref(body);
  if (text == NULL) {
    http_reply_error(r, BH_ERR_NOMEM, NULL, "internal error (request %s)", r->request_id);
    return;
  }
  http_add_header(r, "Cache-Control", PUBLIC_ADVISORY_CACHE);
  http_reply_bytes(r, 200, "application/json; charset=utf-8", text, strlen(text));
  free(text);
}

void h_public_advisory_history(app_t *app, http_req_t *r, api_ctx_t *ctx) {
  int64_t id;
  if (api_id_or_reply(app, r, 0, PUBID_ADVISORY, &id) != 0) return;
  store_page_t page;
  if (api_page_or_reply(app, r, PUBID_ADVISORY, &page) != 0) return;
  if (http_query(r, "limit") == NULL) page.limit = PUBLIC_HISTORY_LIMIT_DEFAULT;
  if (page.limit > PUBLIC_HISTORY_LIMIT_MAX) {
    http_reply_error(r, BH_ERR_INVALID, "limit", "limit must be an integer from 1 to %d",
                     PUBLIC_HISTORY_LIMIT_MAX);
    return;
  }
  advisory_t v, *hist = NULL;
  size_t n = 0;
  int rc = store_advisory_get(ctx->db, id, r->arena, &v);
  if (rc == BH_OK) rc = store_advisory_history(ctx->db, v.series_id, r->arena, &hist, &n);
  if (rc != BH_OK) {
    api_reply_store_error(r, rc, "advisory");
    return;
  }
  /* The store gives the series oldest first; the page goes newest first, below the cursor. */
  json_t *items = json_array();
  size_t i = n, shown = 0;
  int64_t last = 0;
  while (i > 0 && shown < (size_t)page.limit) {
    const advisory_t *h = &hist[--i];
    if (page.after > 0 && h->id >= page.after) continue;
    json_array_append_new(items, render_public_version(app, r, h));
    last = h->id;
    shown++;
  }
  /* Versions left below the last one shown are older still: there is a next page. */
  json_t *out = api_page_json(app, items, PUBID_ADVISORY, last, i > 0 && shown > 0);
  const advisory_t *latest = n > 0 ? &hist[n - 1] : &v;
  json_object_set_new(out, "country", json_string(latest->country));
  json_object_set_new(out, "country_name",
                      json_pack("{s:s?, s:s?}", "vi", country_name(latest->country, "vi"), "en",
                                country_name(latest->country, "en")));
  json_object_set_new(out, "region", latest->region ? json_string(latest->region) : json_null());
  json_object_set_new(out, "versions", json_integer((json_int_t)n));
  reply_public_json(r, out);
}
