/*
 * api_advisories.c - travel advisories: publishing a new version of a country's (or region's)
 * advisory, reading them with their history, and their public forms without login: the Atom
 * feed (/advisories.atom), one CAP 1.2 alert per version (/advisories/{id}.cap) and JSON
 * (/api/v1/public/advisories). Advisories are public information: every role may read them;
 * hq and admin publish anywhere, an officer within the mission's jurisdiction.
 *
 * The public links written by the Atom and CAP writers carry the version's number
 * (/advisories/42.cap); the CAP route also accepts the version's opaque id.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "domain/country.h"
#include "domain/pdate.h"
#include "formats/atom.h"
#include "formats/cap.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/err.h"

/* Entries of the Atom feed (the latest versions of all series), and the largest documents. */
#define API_ATOM_ENTRIES 100
#define API_FEED_MAX (4 * 1024 * 1024)
/* Latest versions the public JSON lists (one per country or region). */
#define API_PUBLIC_ADVISORIES_MAX 1000
#define API_ADVISORY_SENDER_VI "Cục Lãnh sự"
#define API_ADVISORY_SENDER_EN "Consular Department"
/* The date of the tag URIs of the feed: the publisher held its domain then; never change it. */
#define API_ADVISORY_TAG_DATE "2023"

static const char *check_full_date(const char *s) {
  pdate_t d;
  if (pdate_parse(s, &d) != BH_OK || strlen(s) != 10) return "must be a date written YYYY-MM-DD";
  return NULL;
}

static const spec_field_t advisory_spec[] = {
    {.name = "country", .type = SPEC_STRING, .flags = SPEC_REQUIRED, .check = spec_check_country},
    {.name = "region", .type = SPEC_STRING, .flags = SPEC_NULLABLE, .max_len = 10},
    {.name = "level", .type = SPEC_INT, .flags = SPEC_REQUIRED, .min = ADVISORY_LEVEL_MIN,
     .max = ADVISORY_LEVEL_MAX},
    {.name = "title_vi", .type = SPEC_STRING, .flags = SPEC_REQUIRED, .min_len = 1,
     .max_len = MODEL_SHORT_MAX},
    {.name = "title_en", .type = SPEC_STRING, .flags = SPEC_REQUIRED, .min_len = 1,
     .max_len = MODEL_SHORT_MAX},
    {.name = "text_vi", .type = SPEC_STRING, .flags = SPEC_REQUIRED | SPEC_MULTILINE,
     .min_len = 1, .max_len = MODEL_TEXT_MAX},
    {.name = "text_en", .type = SPEC_STRING, .flags = SPEC_REQUIRED | SPEC_MULTILINE,
     .min_len = 1, .max_len = MODEL_TEXT_MAX},
    {.name = "reason", .type = SPEC_STRING, .flags = SPEC_NULLABLE | SPEC_MULTILINE,
     .max_len = MODEL_TEXT_MAX},
    {.name = "review_due", .type = SPEC_STRING, .flags = SPEC_NULLABLE, .check = check_full_date},
};

/* The host (and port) of the public URL: the CAP sender and, without the port, the tag
 * authority of the feed. */
static void public_host(const app_t *app, int with_port, char *out, size_t cap) {
  const char *u = app->public_url ? app->public_url : "http://localhost";
  const char *h = strstr(u, "://");
  h = h ? h + 3 : u;
  size_t n = strcspn(h, with_port ? "/" : ":/");
  snprintf(out, cap, "%.*s", (int)n, h);
}

static const char *public_base(const app_t *app) {
  return app->public_url ? app->public_url : "http://localhost";
}

static json_t *pubid_json(const app_t *app, enum pubid_kind kind, int64_t id) {
  if (id <= 0) return json_null();
  char text[PUBID_LEN + 1];
  pubid_encode(&app->keys, kind, id, text);
  return json_string(text);
}

static json_t *render_advisory(const app_t *app, const advisory_t *v, int with_author) {
  json_t *o = json_object();
  if (o == NULL) return NULL;
  const char *base = public_base(app);
  size_t blen = strlen(base);
  while (blen > 0 && base[blen - 1] == '/') blen--;
  char link[CAP_BASE_URL_MAX + 64];
  json_object_set_new(o, "id", pubid_json(app, PUBID_ADVISORY, v->id));
  json_object_set_new(o, "version", json_integer(v->version));
  json_object_set_new(o, "country", json_string(v->country));
  json_object_set_new(o, "country_name", json_pack("{s:s?, s:s?}", "vi",
                                                   country_name(v->country, "vi"), "en",
                                                   country_name(v->country, "en")));
  json_object_set_new(o, "region", v->region ? json_string(v->region) : json_null());
  json_object_set_new(o, "level", json_integer(v->level));
  if (v->level >= ADVISORY_LEVEL_MIN && v->level <= ADVISORY_LEVEL_MAX) {
    json_object_set_new(o, "level_text", json_pack("{s:s, s:s}", "vi",
                                                   model_advisory_levels_vi[v->level], "en",
                                                   model_advisory_levels_en[v->level]));
  }
  json_object_set_new(o, "title_vi", json_string(v->title_vi));
  json_object_set_new(o, "title_en", json_string(v->title_en));
  json_object_set_new(o, "text_vi", json_string(v->text_vi));
  json_object_set_new(o, "text_en", json_string(v->text_en));
  json_object_set_new(o, "reason", v->reason ? json_string(v->reason) : json_null());
  json_object_set_new(o, "issued_at", api_time(v->issued_at));
  json_object_set_new(o, "review_due", v->review_due ? json_string(v->review_due) : json_null());
  snprintf(link, sizeof(link), "%.*s/advisories/%lld.cap", (int)blen, base, (long long)v->id);
  json_object_set_new(o, "cap_url", json_string(link));
  if (with_author) json_object_set_new(o, "author", pubid_json(app, PUBID_USER, v->author_id));
  return o;
}

static void cap_options(const app_t *app, char *sender, size_t cap, cap_options_t *opt) {
  public_host(app, 1, sender, cap);
  *opt = (cap_options_t){.sender = sender,
                         .sender_name_vi = API_ADVISORY_SENDER_VI,
                         .sender_name_en = API_ADVISORY_SENDER_EN,
                         .base_url = public_base(app)};
}

static void atom_options(const app_t *app, char *authority, size_t cap, atom_options_t *opt) {
  public_host(app, 0, authority, cap);
  *opt = (atom_options_t){.base_url = public_base(app),
                          .tag_authority = authority,
                          .tag_date = API_ADVISORY_TAG_DATE,
                          .author_name = API_ADVISORY_SENDER_VI " — " API_ADVISORY_SENDER_EN,
                          .now = clock_now()};
}

/* An officer publishes only for a country of the mission's jurisdiction. */
static int advisory_in_jurisdiction_or_reply(http_req_t *r, api_ctx_t *ctx, const char *country) {
  if (ctx->user.role != ROLE_OFFICER) return 0;
  mission_t m;
  int rc = store_mission_get(ctx->db, ctx->scope.mission_id, r->arena, &m);
  if (rc != BH_OK) {
    api_reply_store_error(r, rc, "mission");
    return -1;
  }
  int ok = 0;
  size_t i;
  json_t *v;
  json_array_foreach(m.jurisdiction, i, v) {
    if (strcmp(json_string_value(v), country) == 0) ok = 1;
  }
  mission_clear(&m);
  if (!ok) {
    http_reply_error(r, BH_ERR_FORBIDDEN, "country", "%s is outside your mission's jurisdiction",
                     country);
    return -1;
  }
  return 0;
}

void h_advisories_publish(app_t *app, http_req_t *r, api_ctx_t *ctx) {
  if (api_body_or_reply(r, ctx, advisory_spec, SPEC_COUNT(advisory_spec)) != 0) return;
  const json_t *b = ctx->body;
  arena_t *a = r->arena;
  advisory_t v = {.level = (int)json_integer_value(json_object_get(b, "level")),
                  .title_vi = arena_strdup(a, api_str(b, "title_vi")),
                  .title_en = arena_strdup(a, api_str(b, "title_en")),
                  .text_vi = arena_strdup(a, api_str(b, "text_vi")),
                  .text_en = arena_strdup(a, api_str(b, "text_en")),
                  .author_id = ctx->user.id};
  snprintf(v.country, sizeof(v.country), "%s", api_str(b, "country"));
  if (api_str(b, "region") != NULL) v.region = arena_strdup(a, api_str(b, "region"));
  if (api_str(b, "reason") != NULL) v.reason = arena_strdup(a, api_str(b, "reason"));
  if (api_str(b, "review_due") != NULL) v.review_due = arena_strdup(a, api_str(b, "review_due"));
  if (v.region != NULL && !country_region_valid(v.country, v.region)) {
    http_reply_error(r, BH_ERR_INVALID, "region",
                     "region must be an ISO 3166-2 code of the country, such as MM-13");
    return;
  }
  if (advisory_in_jurisdiction_or_reply(r, ctx, v.country) != 0) return;
  /* What is stored must publish: try the CAP writer on it first (it checks every text). */
  advisory_t trial = v;
  trial.id = trial.series_id = 1;
  trial.version = 1;
  trial.issued_at = clock_now();
  char sender[CAP_SENDER_MAX + 1];
  cap_options_t copt;
  cap_options(app, sender, sizeof(sender), &copt);
  buf_t doc;
  buf_init(&doc, API_FEED_MAX);
  int rc = cap_write_advisory(&trial, NULL, &copt, &doc);
  buf_free(&doc);
  if (rc == BH_ERR_INVALID) {
    http_reply_error(r, BH_ERR_INVALID, NULL,
                     "the advisory cannot be published: a text holds characters CAP forbids");
    return;
  }
  rc = store_begin_write(ctx->db);
  if (rc == BH_OK) rc = store_advisory_publish(ctx->db, &v);
  if (rc == BH_OK) {
    rc = api_audit(app, r, ctx, "advisory.publish", "advisory", v.id,
                   json_pack("{s:s, s:i, s:i}", "country", v.country, "version", v.version,
                             "level", v.level));
  }
  if (rc == BH_OK) rc = store_commit(ctx->db);
  if (rc != BH_OK) {
    store_rollback(ctx->db);
    api_reply_store_error(r, rc, "advisory");
    return;
  }
  http_reply_json(r, 201, render_advisory(app, &v, 1));
}

void h_advisories_list(app_t *app, http_req_t *r, api_ctx_t *ctx) {
  store_page_t page;
  if (api_page_or_reply(app, r, PUBID_ADVISORY, &page) != 0) return;
  const char *country = http_query(r, "country");
  if (country != NULL && !country_valid(country)) {
    http_reply_error(r, BH_ERR_INVALID, "country", "country must be an ISO 3166-1 alpha-2 code");
    return;
  }
  advisory_t *items;
  size_t n;
  int rc = store_advisory_list(ctx->db, country, &page, r->arena, &items, &n);
  if (rc != BH_OK) {
    api_reply_store_error(r, rc, "advisory");
    return;
  }
  json_t *list = json_array();
  for (size_t i = 0; i < n; i++) json_array_append_new(list, render_advisory(app, &items[i], 1));
  http_reply_json(r, 200, api_page_json(app, list, PUBID_ADVISORY, n ? items[n - 1].id : 0,
                                        n == (size_t)page.limit));
}

void h_advisories_get(app_t *app, http_req_t *r, api_ctx_t *ctx) {
  int64_t id;
  if (api_id_or_reply(app, r, 0, PUBID_ADVISORY, &id) != 0) return;
  advisory_t v;
  int rc = store_advisory_get(ctx->db, id, r->arena, &v);
  advisory_t *hist = NULL;
  size_t n = 0;
  if (rc == BH_OK) rc = store_advisory_history(ctx->db, v.series_id, r->arena, &hist, &n);
  if (rc != BH_OK) {
    api_reply_store_error(r, rc, "advisory");
    return;
  }
  json_t *out = render_advisory(app, &v, 1);
  json_t *list = json_array();
  for (size_t i = 0; i < n; i++) json_array_append_new(list, render_advisory(app, &hist[i], 1));
  json_object_set_new(out, "latest", json_boolean(n > 0 && hist[n - 1].id == v.id));
  json_object_set_new(out, "history", list);
  http_reply_json(r, 200, out);
}

/* ---- public forms ---- */

static void reply_document(http_req_t *r, int rc, const char *type, buf_t *doc) {
  if (rc == BH_OK) {
    http_add_header(r, "Cache-Control", "public, max-age=60");
    http_reply_bytes(r, 200, type, doc->data ? doc->data : "", doc->len);
  } else {
    api_reply_store_error(r, rc == BH_ERR_INVALID ? BH_ERR_INTERNAL : rc, "advisory");
  }
  buf_free(doc);
}

void h_advisories_atom(app_t *app, http_req_t *r, api_ctx_t *ctx) {
  advisory_t *items;
  size_t n;
  int rc = store_advisory_recent(ctx->db, API_ATOM_ENTRIES, r->arena, &items, &n);
  buf_t doc;
  buf_init(&doc, API_FEED_MAX);
  char authority[ATOM_AUTHORITY_MAX + 1];
  atom_options_t opt;
  atom_options(app, authority, sizeof(authority), &opt);
  if (rc == BH_OK) rc = atom_write_advisories(items, n, &opt, &doc);
  reply_document(r, rc, ATOM_MEDIA_TYPE, &doc);
}

void h_advisories_cap(app_t *app, http_req_t *r, api_ctx_t *ctx) {
  const char *seg = r->nparams > 0 ? r->params[0] : "";
  size_t len = strlen(seg);
  int64_t id = 0;
  int ok = len > 4 && len - 4 <= 20 && strcmp(seg + len - 4, ".cap") == 0;
  if (ok) {
    char text[24];
    snprintf(text, sizeof(text), "%.*s", (int)(len - 4), seg);
    if (strspn(text, "0123456789") == strlen(text)) {
      char *end = NULL;
      id = strtoll(text, &end, 10);
      ok = text[0] != '0' && *end == '\0' && id > 0;
    } else {
      ok = pubid_decode(&app->keys, PUBID_ADVISORY, text, &id) == BH_OK;
    }
  }
  if (!ok) {
    http_reply_error(r, BH_ERR_NOT_FOUND, NULL, "no such resource");
    return;
  }
  advisory_t v, *hist = NULL;
  size_t n = 0;
  int rc = store_advisory_get(ctx->db, id, r->arena, &v);
  if (rc == BH_OK && v.version > 1) {
    rc = store_advisory_history(ctx->db, v.series_id, r->arena, &hist, &n);
  }
  const advisory_t *previous = NULL;
  for (size_t i = 0; rc == BH_OK && i < n; i++) {
    if (hist[i].version == v.version - 1) previous = &hist[i];
  }
  if (rc == BH_OK && v.version > 1 && previous == NULL) rc = BH_ERR_DB;
  buf_t doc;
  buf_init(&doc, API_FEED_MAX);
  char sender[CAP_SENDER_MAX + 1];
  cap_options_t opt;
  cap_options(app, sender, sizeof(sender), &opt);
  if (rc == BH_OK) rc = cap_write_advisory(&v, previous, &opt, &doc);
  reply_document(r, rc, CAP_MEDIA_TYPE, &doc);
}

void h_public_advisories(app_t *app, http_req_t *r, api_ctx_t *ctx) {
  const char *country = http_query(r, "country");
  if (country != NULL && !country_valid(country)) {
    http_reply_error(r, BH_ERR_INVALID, "country", "country must be an ISO 3166-1 alpha-2 code");
    return;
  }
  json_t *list = json_array();
  store_page_t page = {.after = 0, .limit = API_PAGE_MAX};
  int rc = BH_OK;
  for (size_t total = 0; rc == BH_OK && total < API_PUBLIC_ADVISORIES_MAX;) {
    advisory_t *items;
    size_t n;
    rc = store_advisory_list(ctx->db, country, &page, r->arena, &items, &n);
    for (size_t i = 0; rc == BH_OK && i < n; i++) {
      json_array_append_new(list, render_advisory(app, &items[i], 0));
    }
    total += n;
    if (rc != BH_OK || n < (size_t)page.limit) break;
    page.after = items[n - 1].id;
  }
  if (rc != BH_OK) {
    json_decref(list);
    api_reply_store_error(r, rc, "advisory");
    return;
  }
  http_add_header(r, "Cache-Control", "public, max-age=60");
  http_reply_json(r, 200, json_pack("{s:o}", "items", list));
}
