/*
 * api_persons.c - the registry: persons, their presences abroad and their welfare status,
 * with search. Every read of a person's record is audited.
 */
#include <math.h>
#include <string.h>

#include "api/api.h"
#include "api/render_text.h"
#include "domain/country.h"
#include "domain/name.h"
#include "domain/pdate.h"
#include "util/err.h"

static const spec_field_t contact_spec[] = {
    {.name = "name", .type = SPEC_STRING, .flags = SPEC_REQUIRED, .min_len = 1,
     .max_len = MODEL_NAME_MAX, .check = spec_check_name},
    {.name = "relation", .type = SPEC_STRING, .max_len = MODEL_SHORT_MAX},
    {.name = "phone", .type = SPEC_STRING, .max_len = MODEL_PHONE_MAX, .check = spec_check_phone},
    {.name = "email", .type = SPEC_STRING, .max_len = MODEL_EMAIL_MAX, .check = spec_check_email},
    {.name = "consent_to_disclose", .type = SPEC_BOOL},
};

/* The person fields a body may carry; create additionally requires full_name. */
#define PERSON_FIELDS(full_name_flags)                                                           \
  {.name = "full_name", .type = SPEC_STRING, .flags = (full_name_flags), .min_len = 1,           \
   .max_len = MODEL_NAME_MAX, .check = spec_check_name},                                         \
  {.name = "other_names", .type = SPEC_STRING_ARRAY, .max_len = MODEL_LIST_MAX,                  \
   .check = spec_check_name},                                                                    \
  {.name = "sex", .type = SPEC_STRING, .values = model_sexes},                                   \
  {.name = "date_of_birth", .type = SPEC_STRING, .flags = SPEC_NULLABLE,                         \
   .check = spec_check_birth_date},                                                              \
  {.name = "national_id", .type = SPEC_STRING, .flags = SPEC_NULLABLE,                           \
   .max_len = MODEL_NUMBER_MAX, .check = spec_check_number},                                     \
  {.name = "passport", .type = SPEC_STRING, .flags = SPEC_NULLABLE,                              \
   .max_len = MODEL_NUMBER_MAX, .check = spec_check_number},                                     \
  {.name = "phones", .type = SPEC_STRING_ARRAY, .max_len = MODEL_LIST_MAX,                       \
   .check = spec_check_phone},                                                                   \
  {.name = "emails", .type = SPEC_STRING_ARRAY, .max_len = MODEL_LIST_MAX,                       \
   .check = spec_check_email},                                                                   \
  {.name = "home_province", .type = SPEC_STRING, .flags = SPEC_NULLABLE,                         \
   .max_len = MODEL_SHORT_MAX},                                                                  \
  {.name = "flags", .type = SPEC_STRING_ARRAY, .max_len = 5, .values = model_flags},             \
  {.name = "emergency_contacts", .type = SPEC_OBJECT_ARRAY, .max_len = MODEL_LIST_MAX,           \
   .sub = contact_spec, .nsub = SPEC_COUNT(contact_spec)},                                       \
  {.name = "preferred_language", .type = SPEC_STRING, .values = model_languages}

#define PRESENCE_FIELDS(req)                                                                     \
  {.name = "country", .type = SPEC_STRING, .flags = (req), .check = spec_check_country},         \
  {.name = "region", .type = SPEC_STRING, .flags = SPEC_NULLABLE, .max_len = 100},               \
  {.name = "city", .type = SPEC_STRING, .flags = SPEC_NULLABLE, .max_len = 100},                 \
  {.name = "address", .type = SPEC_STRING, .flags = SPEC_NULLABLE, .max_len = 300},              \
  {.name = "latitude", .type = SPEC_NUMBER, .flags = SPEC_NULLABLE, .min = -90, .max = 90},      \
  {.name = "longitude", .type = SPEC_NUMBER, .flags = SPEC_NULLABLE, .min = -180, .max = 180},   \
  {.name = "category", .type = SPEC_STRING, .flags = (req), .values = model_categories},         \
  {.name = "organisation", .type = SPEC_STRING, .flags = SPEC_NULLABLE, .max_len = MODEL_SHORT_MAX}, \
  {.name = "from", .type = SPEC_STRING, .flags = SPEC_NULLABLE, .check = spec_check_date},       \
  {.name = "until", .type = SPEC_STRING, .flags = SPEC_NULLABLE, .check = spec_check_date},      \
  {.name = "group_id", .type = SPEC_STRING, .flags = SPEC_NULLABLE, .max_len = 64}

const spec_field_t api_presence_create_spec[] = {PRESENCE_FIELDS(SPEC_REQUIRED)};
const size_t api_presence_create_nspec = SPEC_COUNT(api_presence_create_spec);
static const spec_field_t presence_update_spec[] = {PRESENCE_FIELDS(0)};

static const spec_field_t person_create_spec[] = {
    PERSON_FIELDS(SPEC_REQUIRED),
    {.name = "source", .type = SPEC_STRING, .values = model_sources},
    {.name = "presence", .type = SPEC_OBJECT, .sub = api_presence_create_spec,
     .nsub = SPEC_COUNT(api_presence_create_spec)},
};
const spec_field_t api_person_public_spec[] = {PERSON_FIELDS(SPEC_REQUIRED)};
const size_t api_person_public_nspec = SPEC_COUNT(api_person_public_spec);
static const spec_field_t person_update_spec[] = {PERSON_FIELDS(0)};

static const spec_field_t status_spec[] = {
    {.name = "status", .type = SPEC_STRING, .flags = SPEC_REQUIRED, .values = model_statuses},
    {.name = "note", .type = SPEC_STRING, .flags = SPEC_NULLABLE | SPEC_MULTILINE,
     .max_len = MODEL_TEXT_MAX},
    {.name = "source", .type = SPEC_STRING, .values = model_sources},
};

/* Returns a NFC copy of a validated name in the arena, or NULL on exhaustion. */
static const char *nfc_copy(arena_t *a, const char *s) {
  char out[NAME_MAX_BYTES * 2];
  size_t len;
  if (name_nfc(s, strlen(s), out, sizeof(out), &len) != BH_OK) return NULL;
  return arena_strndup(a, out, len);
}

/* A string field of a validated body: absent keeps *dst, null clears it, text replaces it. */
static void take_str(arena_t *a, const json_t *body, const char *key, const char **dst) {
  json_t *v = json_object_get(body, key);
  if (v == NULL) return;
  *dst = json_is_string(v) ? arena_strdup(a, json_string_value(v)) : NULL;
}

static void take_json(const json_t *body, const char *key, json_t **dst) {
  json_t *v = json_object_get(body, key);
  if (v == NULL) return;
  json_decref(*dst);
  *dst = json_deep_copy(v);
}

int api_person_apply(arena_t *a, const json_t *body, person_t *p) {
  const char *full = api_str(body, "full_name");
  if (full != NULL) p->full_name = nfc_copy(a, full);
  json_t *other = json_object_get(body, "other_names");
  if (other != NULL) {
    json_t *names = json_array();
    size_t i;
    json_t *v;
    json_array_foreach(other, i, v) {
      const char *n = nfc_copy(a, json_string_value(v));
      if (n) json_array_append_new(names, json_string(n));
    }
    json_decref(p->other_names);
    p->other_names = names;
  }
  take_str(a, body, "sex", &p->sex);
  take_str(a, body, "date_of_birth", &p->date_of_birth);
  take_str(a, body, "national_id", &p->national_id);
  take_str(a, body, "passport", &p->passport);
  take_json(body, "phones", &p->phones);
  take_json(body, "emails", &p->emails);
  take_str(a, body, "home_province", &p->home_province);
  take_json(body, "flags", &p->flags);
  take_json(body, "emergency_contacts", &p->contacts);
  take_str(a, body, "preferred_language", &p->preferred_language);
  if (p->sex == NULL) p->sex = "U";
  return p->full_name ? BH_OK : BH_ERR_INVALID;
}

/* Applies a validated presence body and checks the rules that span fields. */
int api_presence_apply_or_reply(http_req_t *r, const json_t *body, const char *prefix,
                                presence_t *pr) {
  arena_t *a = r->arena;
  const char *country = api_str(body, "country");
  if (country) snprintf(pr->country, sizeof(pr->country), "%s", country);
  take_str(a, body, "region", &pr->region);
  take_str(a, body, "city", &pr->city);
  take_str(a, body, "address", &pr->address);
  take_str(a, body, "category", &pr->category);
  take_str(a, body, "organisation", &pr->organisation);
  take_str(a, body, "from", &pr->date_from);
  take_str(a, body, "until", &pr->date_until);
  take_str(a, body, "group_id", &pr->group_id);
  json_t *lat = json_object_get(body, "latitude"), *lon = json_object_get(body, "longitude");
  if (lat != NULL || lon != NULL) {
    if (json_is_number(lat) != json_is_number(lon)) {
      http_reply_error(r, BH_ERR_INVALID,
                       arena_printf(a, "%s%s", prefix, lat ? "longitude" : "latitude"),
                       "latitude and longitude must be given together");
      return -1;
    }
    pr->has_geo = json_is_number(lat);
    pr->lat = json_number_value(lat);
    pr->lon = json_number_value(lon);
  }
  if (pr->region != NULL && strlen(pr->region) >= 3 && pr->region[2] == '-' &&
      !country_region_valid(pr->country, pr->region)) {
    http_reply_error(r, BH_ERR_INVALID, arena_printf(a, "%sregion", prefix),
                     "region must be an ISO 3166-2 code of the presence's country, or a name");
    return -1;
  }
  if (pr->date_from && pr->date_until) {
    pdate_t f, u;
    if (pdate_parse(pr->date_from, &f) == BH_OK && pdate_parse(pr->date_until, &u) == BH_OK &&
        pdate_compare(&u, &f) < 0) {
      http_reply_error(r, BH_ERR_INVALID, arena_printf(a, "%suntil", prefix),
                       "until must not be before from");
      return -1;
    }
  }
  return 0;
}

/* An officer may only place people inside their mission's jurisdiction. */
static int presence_in_jurisdiction_or_reply(http_req_t *r, api_ctx_t *ctx, const char *country,
                                             const char *field) {
  if (ctx->scope.all) return 0;
  mission_t m;
  int rc = store_mission_get(ctx->db, ctx->scope.mission_id, r->arena, &m);
  int ok = 0;
  if (rc == BH_OK) {
    size_t i;
    json_t *v;
    json_array_foreach(m.jurisdiction, i, v) {
      if (strcmp(json_string_value(v), country) == 0) ok = 1;
    }
    mission_clear(&m);
  }
  if (!ok) {
    http_reply_error(r, BH_ERR_FORBIDDEN, field, "%s is outside your mission's jurisdiction", country);
    return -1;
  }
  return 0;
}

static void reply_person(app_t *app, http_req_t *r, api_ctx_t *ctx, int status, person_t *p) {
  json_t *out = render_person(app, p);
  presence_t *prs = NULL;
  size_t n = 0;
  json_t *list = json_array();
  if (store_presence_list(ctx->db, &ctx->scope, p->id, r->arena, &prs, &n) == BH_OK) {
    for (size_t i = 0; i < n; i++) json_array_append_new(list, render_presence(app, &prs[i]));
  }
  json_object_set_new(out, "presences", list);
  http_reply_json(r, status, out);
}

void h_persons_create(app_t *app, http_req_t *r, api_ctx_t *ctx) {
  if (api_body_or_reply(r, ctx, person_create_spec, SPEC_COUNT(person_create_spec)) != 0) return;
  person_t p = {0};
  presence_t pr = {0};
  json_t *pbody = json_object_get(ctx->body, "presence");
  int has_presence = pbody != NULL;
  if (has_presence) {
    if (api_presence_apply_or_reply(r, pbody, "presence.", &pr) != 0) return;
    if (presence_in_jurisdiction_or_reply(r, ctx, pr.country, "presence.country") != 0) return;
  } else if (!ctx->scope.all) {
    http_reply_error(r, BH_ERR_INVALID, "presence",
                     "presence is required: an officer registers people present in their jurisdiction");
    return;
  }
  api_person_apply(r->arena, ctx->body, &p);
  p.source = api_str(ctx->body, "source") ? api_str(ctx->body, "source") : "officer";
  p.owner_mission_id = ctx->user.mission_id;
  int rc = store_begin_write(ctx->db);
  if (rc == BH_OK) rc = store_person_create(ctx->db, &p);
  if (rc == BH_OK && has_presence) {
    pr.person_id = p.id;
    rc = store_presence_create(ctx->db, &STORE_SCOPE_ALL, &pr);
  }
  if (rc == BH_OK) rc = api_audit(app, r, ctx, "person.create", "person", p.id, NULL);
  if (rc == BH_OK) rc = store_commit(ctx->db);
  if (rc != BH_OK) {
    store_rollback(ctx->db);
    api_reply_store_error(r, rc, "person");
    person_clear(&p);
    return;
  }
  reply_person(app, r, ctx, 201, &p);
  person_clear(&p);
}

void h_persons_get(app_t *app, http_req_t *r, api_ctx_t *ctx) {
  int64_t id;
  if (api_id_or_reply(app, r, 0, PUBID_PERSON, &id) != 0) return;
  person_t p;
  int rc = store_person_get(ctx->db, &ctx->scope, id, r->arena, &p);
  if (rc != BH_OK) {
    api_reply_store_error(r, rc, "person");
    return;
  }
  if (api_audit_read(app, r, ctx, "person.read", "person", id, NULL) != BH_OK) {
    /* No read of personal data goes unrecorded. */
    person_clear(&p);
    http_reply_error(r, BH_ERR_UNAVAILABLE, NULL, "the audit log is unavailable; try again");
    return;
  }
  reply_person(app, r, ctx, 200, &p);
  person_clear(&p);
}

void h_persons_update(app_t *app, http_req_t *r, api_ctx_t *ctx) {
  int64_t id;
  if (api_id_or_reply(app, r, 0, PUBID_PERSON, &id) != 0) return;
  if (api_body_or_reply(r, ctx, person_update_spec, SPEC_COUNT(person_update_spec)) != 0) return;
  person_t p;
  int rc = store_begin_write(ctx->db);
  if (rc == BH_OK) rc = store_person_get(ctx->db, &ctx->scope, id, r->arena, &p);
  if (rc != BH_OK) {
    store_rollback(ctx->db);
    api_reply_store_error(r, rc, "person");
    return;
  }
  api_person_apply(r->arena, ctx->body, &p);
  rc = store_person_update(ctx->db, &ctx->scope, &p);
  json_t *fields = json_array();
  const char *key;
  json_t *v;
  json_object_foreach(ctx->body, key, v) json_array_append_new(fields, json_string(key));
  if (rc == BH_OK) {
    rc = api_audit(app, r, ctx, "person.update", "person", id, json_pack("{s:o}", "fields", fields));
  } else {
    json_decref(fields);
  }
  if (rc == BH_OK) rc = store_commit(ctx->db);
  if (rc != BH_OK) {
    store_rollback(ctx->db);
    person_clear(&p);
    api_reply_store_error(r, rc, "person");
    return;
  }
  reply_person(app, r, ctx, 200, &p);
  person_clear(&p);
}

/* Turns ?q= into name tokens or an identity-number lookup; replies 422 on bad input. */
static int search_query_or_reply(app_t *app, http_req_t *r, const char *q, person_filter_t *f) {
  size_t qlen = strlen(q);
  if (qlen > NAME_MAX_BYTES) {
    http_reply_error(r, BH_ERR_INVALID, "q", "q must be at most %d bytes", NAME_MAX_BYTES);
    return -1;
  }
  /* Digits, letters, spaces and hyphens only, with a digit: an identity number as people write
   * it ("C1234567", "038 190 001 234"); anything else is a name. */
  int digits = 0, other = 0;
  for (const char *p = q; *p; p++) {
    if (*p >= '0' && *p <= '9') {
      digits++;
    } else if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || *p == ' ' || *p == '-')) {
      other++;
    }
  }
  if (digits > 0 && other == 0) {
    char canon[MODEL_NUMBER_MAX + 1];
    if (secret_canon_number(q, canon, sizeof(canon)) != BH_OK) {
      http_reply_error(r, BH_ERR_INVALID, "q", "q looks like an identity number but is not one");
      return -1;
    }
    secret_index(&app->keys, "passport", canon, f->passport_hash);
    secret_index(&app->keys, "national_id", canon, f->nid_hash);
    f->has_number = 1;
    return 0;
  }
  char folded[NAME_MAX_BYTES * 2 + 1];
  size_t flen;
  if (name_fold(q, qlen, folded, sizeof(folded), &flen) != BH_OK) {
    http_reply_error(r, BH_ERR_INVALID, "q", "q must be valid UTF-8 text");
    return -1;
  }
  f->ntokens = name_tokens(folded, f->tokens, NAME_MAX_TOKENS);
  if (f->ntokens == 0) {
    http_reply_error(r, BH_ERR_INVALID, "q", "q must contain a letter or a number");
    return -1;
  }
  return 0;
}

/* A page of persons written and waiting for the audit record of its read (in r's arena). */
struct search_reply {
  const char *data;
  size_t len;
};

/* Sends the page once its read is on record (api_audit_read_then). */
static void search_reply_send(http_req_t *r, void *arg, int rc) {
  const struct search_reply *out = arg;
  if (rc != BH_OK) {
    http_reply_error(r, BH_ERR_UNAVAILABLE, NULL, "the audit log is unavailable; try again");
    return;
  }
  http_add_header(r, "Cache-Control", "no-store");
  http_reply_bytes(r, 200, "application/json; charset=utf-8", out->data, out->len);
}

void h_persons_list(app_t *app, http_req_t *r, api_ctx_t *ctx) {
  store_page_t page;
  if (api_page_or_reply(app, r, PUBID_PERSON, &page) != 0) return;
  person_filter_t *f = arena_calloc(r->arena, sizeof(*f));
  if (f == NULL) {
    http_reply_error(r, BH_ERR_NOMEM, NULL, "out of memory");
    return;
  }
  const char *q = http_query(r, "q");
  f->country = http_query(r, "country");
  f->region = http_query(r, "region");
  f->category = http_query(r, "category");
  f->status = http_query(r, "status");
  if (f->country && !country_valid(f->country)) {
    http_reply_error(r, BH_ERR_INVALID, "country", "country must be an ISO 3166-1 alpha-2 code");
    return;
  }
  if (f->region && strlen(f->region) > 100) {
    http_reply_error(r, BH_ERR_INVALID, "region", "region must be at most 100 bytes");
    return;
  }
  if (f->category && model_enum_index(model_categories, f->category) < 0) {
    http_reply_error(r, BH_ERR_INVALID, "category", "category is not a known category");
    return;
  }
  if (f->status && model_enum_index(model_statuses, f->status) < 0) {
    http_reply_error(r, BH_ERR_INVALID, "status", "status is not a known welfare status");
    return;
  }
  if (q != NULL && q[0] != '\0' && search_query_or_reply(app, r, q, f) != 0) return;
  person_row_t *items = NULL;
  size_t n = 0;
  int rc = store_person_page(ctx->db, &ctx->scope, f, &page, r->arena, &items, &n);
  if (rc != BH_OK) {
    api_reply_store_error(r, rc, "search");
    return;
  }
  /* The page is written as text (render_text.h): {"items":[...],"next":cursor or null}, and so
   * is the detail of its audit record, as json_dumps wrote it: {"q":...,"country":...,
   * "status":...,"results":n,"persons":[ids]}. An identity number searched for stays out of the
   * audit log, like everywhere else at rest. */
  jsonw_t w, d;
  jsonw_init(&w, RENDER_TEXT_MAX);
  jsonw_init(&d, RENDER_TEXT_MAX);
  jsonw_lit(&d, "{\"q\":");
  jsonw_str(&d, f->has_number ? "(identity number)" : q);
  jsonw_lit(&d, ",\"country\":");
  jsonw_str(&d, f->country);
  jsonw_lit(&d, ",\"status\":");
  jsonw_str(&d, f->status);
  jsonw_lit(&d, ",\"results\":");
  jsonw_int(&d, (int64_t)n);
  jsonw_lit(&d, ",\"persons\":[");
  jsonw_lit(&w, "{\"items\":[");
  for (size_t i = 0; i < n; i++) {
    char id[PUBID_LEN + 1];
    if (i > 0) {
      jsonw_raw(&w, ",", 1);
      jsonw_raw(&d, ",", 1);
    }
    render_person_text(app, &w, &items[i], id);
    jsonw_str(&d, id);
  }
  jsonw_lit(&w, "],\"next\":");
  render_id_text(app, &w, PUBID_PERSON, n == (size_t)page.limit ? items[n - 1].p.id : 0);
  jsonw_raw(&w, "}", 1);
  jsonw_lit(&d, "]}");
  rc = jsonw_error(&w);
  if (rc == BH_OK) rc = jsonw_error(&d);
  /* The page and the detail wait in the arena, and no worker thread waits, while the read is
   * put on record. */
  struct search_reply *out = rc == BH_OK ? arena_alloc(r->arena, sizeof(*out)) : NULL;
  char *text = out ? arena_alloc(r->arena, w.len + 1) : NULL;
  char *detail = text ? arena_strndup(r->arena, d.data, d.len) : NULL;
  if (detail != NULL) {
    memcpy(text, w.data, w.len);
    *out = (struct search_reply){.data = text, .len = w.len};
  }
  jsonw_free(&w);
  jsonw_free(&d);
  if (rc != BH_OK) {
    api_reply_store_error(r, rc, "search");
    return;
  }
  if (detail == NULL) {
    http_reply_error(r, BH_ERR_NOMEM, NULL, "out of memory");
    return;
  }
  api_audit_read_text_then(app, r, ctx, "person.search", "person", 0, detail, search_reply_send,
                           out);
}

void h_presences_list(app_t *app, http_req_t *r, api_ctx_t *ctx) {
  int64_t id;
  if (api_id_or_reply(app, r, 0, PUBID_PERSON, &id) != 0) return;
  presence_t *items;
  size_t n;
  int rc = store_presence_list(ctx->db, &ctx->scope, id, r->arena, &items, &n);
  if (rc != BH_OK) {
    api_reply_store_error(r, rc, "person");
    return;
  }
  json_t *list = json_array();
  for (size_t i = 0; i < n; i++) json_array_append_new(list, render_presence(app, &items[i]));
  api_audit_read(app, r, ctx, "person.read_presences", "person", id, NULL);
  http_reply_json(r, 200, json_pack("{s:o, s:n}", "items", list, "next"));
}

void h_presences_create(app_t *app, http_req_t *r, api_ctx_t *ctx) {
  int64_t id;
  if (api_id_or_reply(app, r, 0, PUBID_PERSON, &id) != 0) return;
  if (api_body_or_reply(r, ctx, api_presence_create_spec, api_presence_create_nspec) != 0) return;
  presence_t pr = {0};
  if (api_presence_apply_or_reply(r, ctx->body, "", &pr) != 0) return;
  pr.person_id = id;
  if (!ctx->scope.all) {
    /* A person out of scope stays a 404; only then may the country be refused. */
    person_t p;
    int vis = store_person_get(ctx->db, &ctx->scope, id, r->arena, &p);
    if (vis != BH_OK) {
      api_reply_store_error(r, vis, "person");
      return;
    }
    person_clear(&p);
    if (presence_in_jurisdiction_or_reply(r, ctx, pr.country, "country") != 0) return;
  }
  int rc = store_begin_write(ctx->db);
  if (rc == BH_OK) rc = store_presence_create(ctx->db, &ctx->scope, &pr);
  if (rc == BH_OK) rc = api_audit(app, r, ctx, "presence.create", "person", id, NULL);
  if (rc == BH_OK) rc = store_commit(ctx->db);
  if (rc != BH_OK) {
    store_rollback(ctx->db);
    api_reply_store_error(r, rc, "person");
    return;
  }
  http_reply_json(r, 201, render_presence(app, &pr));
}

void h_presences_update(app_t *app, http_req_t *r, api_ctx_t *ctx) {
  int64_t id, pid;
  if (api_id_or_reply(app, r, 0, PUBID_PERSON, &id) != 0) return;
  if (api_id_or_reply(app, r, 1, PUBID_PRESENCE, &pid) != 0) return;
  if (api_body_or_reply(r, ctx, presence_update_spec, SPEC_COUNT(presence_update_spec)) != 0) return;
  presence_t pr;
  int rc = store_presence_get(ctx->db, &ctx->scope, pid, r->arena, &pr);
  if (rc == BH_OK && pr.person_id != id) rc = BH_ERR_NOT_FOUND;
  if (rc != BH_OK) {
    api_reply_store_error(r, rc, "presence");
    return;
  }
  if (api_presence_apply_or_reply(r, ctx->body, "", &pr) != 0) return;
  if (json_object_get(ctx->body, "country") != NULL &&
      presence_in_jurisdiction_or_reply(r, ctx, pr.country, "country") != 0) {
    return;
  }
  rc = store_begin_write(ctx->db);
  if (rc == BH_OK) rc = store_presence_update(ctx->db, &ctx->scope, &pr);
  if (rc == BH_OK) rc = api_audit(app, r, ctx, "presence.update", "person", id, NULL);
  if (rc == BH_OK) rc = store_commit(ctx->db);
  if (rc != BH_OK) {
    store_rollback(ctx->db);
    api_reply_store_error(r, rc, "presence");
    return;
  }
  http_reply_json(r, 200, render_presence(app, &pr));
}

static void reply_status(app_t *app, http_req_t *r, api_ctx_t *ctx, int status, int64_t id) {
  status_event_t *items;
  size_t n;
  int rc = store_status_history(ctx->db, &ctx->scope, id, r->arena, &items, &n);
  if (rc != BH_OK) {
    api_reply_store_error(r, rc, "person");
    return;
  }
  json_t *hist = json_array();
  for (size_t i = 0; i < n; i++) json_array_append_new(hist, render_status(app, &items[i]));
  person_t p;
  rc = store_person_get(ctx->db, &ctx->scope, id, r->arena, &p);
  if (rc != BH_OK) {
    json_decref(hist);
    api_reply_store_error(r, rc, "person");
    return;
  }
  http_reply_json(r, status, json_pack("{s:s, s:o, s:o}", "status", p.status, "at",
                                       api_time(p.status_at), "history", hist));
  person_clear(&p);
}

void h_status_get(app_t *app, http_req_t *r, api_ctx_t *ctx) {
  int64_t id;
  if (api_id_or_reply(app, r, 0, PUBID_PERSON, &id) != 0) return;
  api_audit_read(app, r, ctx, "person.read_status", "person", id, NULL);
  reply_status(app, r, ctx, 200, id);
}

void h_status_set(app_t *app, http_req_t *r, api_ctx_t *ctx) {
  int64_t id;
  if (api_id_or_reply(app, r, 0, PUBID_PERSON, &id) != 0) return;
  if (api_body_or_reply(r, ctx, status_spec, SPEC_COUNT(status_spec)) != 0) return;
  status_event_t ev = {.person_id = id,
                       .status = api_str(ctx->body, "status"),
                       .source = api_str(ctx->body, "source") ? api_str(ctx->body, "source")
                                                              : "officer",
                       .author_id = ctx->user.id,
                       .note = api_str(ctx->body, "note")};
  int rc = store_begin_write(ctx->db);
  if (rc == BH_OK) rc = store_status_set(ctx->db, &ctx->scope, &ev);
  if (rc == BH_OK) {
    rc = api_audit(app, r, ctx, "person.status", "person", id,
                   json_pack("{s:s}", "status", ev.status));
  }
  if (rc == BH_OK) rc = store_commit(ctx->db);
  if (rc != BH_OK) {
    store_rollback(ctx->db);
    api_reply_store_error(r, rc, "person");
    return;
  }
  reply_status(app, r, ctx, 201, id);
}

struct stats_ctx {
  json_t *by_country;
  json_int_t total;
};

static int stats_row(void *vctx, const char *country, const char *status, int64_t count) {
  struct stats_ctx *s = vctx;
  json_t *c = json_object_get(s->by_country, country);
  if (c == NULL) {
    c = json_object();
    json_object_set_new(s->by_country, country, c);
  }
  json_object_set_new(c, status, json_integer((json_int_t)count));
  return BH_OK;
}

void h_stats_persons(app_t *app, http_req_t *r, api_ctx_t *ctx) {
  (void)app;
  struct stats_ctx s = {.by_country = json_object()};
  int rc = store_person_stats(ctx->db, stats_row, &s);
  if (rc != BH_OK) {
    json_decref(s.by_country);
    api_reply_store_error(r, rc, "statistics");
    return;
  }
  http_reply_json(r, 200, json_pack("{s:o}", "by_country", s.by_country));
}
