/*
 * api_sites.c - staging sites (/api/v1/sites): shelters, assembly points and border crossings
 * with their capacity and current occupancy, and the check-in and check-out of persons. A site
 * itself holds no personal data: every role lists and reads sites (an officer those in the
 * mission's jurisdiction); creating, changing and checking persons in or out needs a personal
 * data role, and the list of persons at a site is a read of personal data (audited).
 */
#include <string.h>

#include "api/api.h"
#include "domain/evac.h"
#include "domain/pdate.h"
#include "store/store_evac.h"
#include "util/clock.h"
#include "util/err.h"

static const spec_field_t position_spec[] = {
    {.name = "lat", .type = SPEC_NUMBER, .flags = SPEC_REQUIRED, .min = -90, .max = 90},
    {.name = "lon", .type = SPEC_NUMBER, .flags = SPEC_REQUIRED, .min = -180, .max = 180},
};

/* The site fields; create requires kind, name, country and capacity. */
#define SITE_FIELDS(req)                                                                         \
  {.name = "kind", .type = SPEC_STRING, .flags = (req), .values = evac_site_kinds},              \
  {.name = "name", .type = SPEC_STRING, .flags = (req), .min_len = 1, .max_len = MODEL_NAME_MAX}, \
  {.name = "country", .type = SPEC_STRING, .flags = (req), .check = spec_check_country},         \
  {.name = "region", .type = SPEC_STRING, .flags = SPEC_NULLABLE, .max_len = 100},               \
  {.name = "position", .type = SPEC_OBJECT, .flags = SPEC_NULLABLE, .sub = position_spec,        \
   .nsub = SPEC_COUNT(position_spec)},                                                           \
  {.name = "capacity", .type = SPEC_INT, .flags = (req), .min = 1, .max = EVAC_CAPACITY_MAX},    \
  {.name = "crisis", .type = SPEC_STRING, .flags = SPEC_NULLABLE, .max_len = PUBID_LEN},         \
  {.name = "notes", .type = SPEC_STRING, .flags = SPEC_NULLABLE | SPEC_MULTILINE,                \
   .max_len = MODEL_TEXT_MAX}

static const spec_field_t site_create_spec[] = {SITE_FIELDS(SPEC_REQUIRED)};
static const spec_field_t site_update_spec[] = {SITE_FIELDS(0)};

static const spec_field_t stay_spec[] = {
    {.name = "person_id", .type = SPEC_STRING, .flags = SPEC_REQUIRED, .max_len = PUBID_LEN},
    {.name = "at", .type = SPEC_STRING, .check = spec_check_timestamp},
};

store_scope_t api_evac_scope(const api_ctx_t *ctx) {
  return ctx->user.role == ROLE_OFFICER ? ctx->scope : STORE_SCOPE_ALL;
}

json_t *api_evac_id(const app_t *app, enum pubid_kind kind, int64_t id) {
  if (id <= 0) return json_null();
  char text[PUBID_LEN + 1];
  pubid_encode(&app->keys, kind, id, text);
  return json_string(text);
}

int api_jurisdiction_or_reply(http_req_t *r, api_ctx_t *ctx, const char *country,
                              const char *field) {
  if (ctx->user.role != ROLE_OFFICER) return 0;
  mission_t m;
  int rc = store_mission_get(ctx->db, ctx->scope.mission_id, r->arena, &m);
  if (rc != BH_OK) {
    api_reply_store_error(r, rc, "mission");
    return -1;
  }
  int ok = 0;
  size_t i;
  json_t *jc;
  json_array_foreach(m.jurisdiction, i, jc) {
    if (strcmp(json_string_value(jc), country) == 0) ok = 1;
  }
  mission_clear(&m);
  if (!ok) {
    http_reply_error(r, BH_ERR_FORBIDDEN, field, "%s is outside your mission's jurisdiction",
                     country);
    return -1;
  }
  return 0;
}

int api_evac_crisis_or_reply(app_t *app, http_req_t *r, api_ctx_t *ctx, const json_t *v,
                             int64_t *crisis_id) {
  *crisis_id = 0;
  if (v == NULL || json_is_null(v)) return 0;
  store_scope_t scope = api_evac_scope(ctx);
  crisis_t k = {0};
  if (pubid_decode(&app->keys, PUBID_CRISIS, json_string_value(v), crisis_id) != BH_OK ||
      store_crisis_get(ctx->db, &scope, *crisis_id, r->arena, &k) != BH_OK) {
    http_reply_error(r, BH_ERR_INVALID, "crisis", "crisis must be the id of a crisis you can see");
    return -1;
  }
  crisis_clear(&k);
  return 0;
}

static json_t *render_site(const app_t *app, const site_t *s) {
  json_t *o = json_object();
  if (o == NULL) return NULL;
  json_object_set_new(o, "id", api_evac_id(app, PUBID_SITE, s->id));
  json_object_set_new(o, "kind", json_string(s->kind));
  json_object_set_new(o, "name", json_string(s->name));
  json_object_set_new(o, "country", json_string(s->country));
  json_object_set_new(o, "region", s->region ? json_string(s->region) : json_null());
  json_object_set_new(o, "position",
                      s->has_geo ? json_pack("{s:f, s:f}", "lat", s->lat, "lon", s->lon)
                                 : json_null());
  json_object_set_new(o, "capacity", json_integer(s->capacity));
  json_object_set_new(o, "occupancy", json_integer(s->occupancy));
  json_object_set_new(o, "available",
                      json_integer(s->capacity > s->occupancy ? s->capacity - s->occupancy : 0));
  json_object_set_new(o, "crisis", api_evac_id(app, PUBID_CRISIS, s->crisis_id));
  json_object_set_new(o, "notes", s->notes ? json_string(s->notes) : json_null());
  json_object_set_new(o, "created_by", api_evac_id(app, PUBID_USER, s->created_by));
  json_object_set_new(o, "created_at", api_time(s->created_at));
  json_object_set_new(o, "updated_at", api_time(s->updated_at));
  return o;
}

/* Applies a validated body to s (the crisis is checked); replies and returns -1 on failure. */
static int site_apply_or_reply(app_t *app, http_req_t *r, api_ctx_t *ctx, site_t *s) {
  const json_t *body = ctx->body;
  arena_t *a = r->arena;
  const char *str;
  json_t *v;
  if ((str = api_str(body, "kind")) != NULL) s->kind = arena_strdup(a, str);
  if ((str = api_str(body, "name")) != NULL) s->name = arena_strdup(a, str);
  if ((str = api_str(body, "country")) != NULL) memcpy(s->country, str, 3);
  if ((v = json_object_get(body, "region")) != NULL) {
    s->region = json_is_string(v) ? arena_strdup(a, json_string_value(v)) : NULL;
  }
  if ((v = json_object_get(body, "notes")) != NULL) {
    s->notes = json_is_string(v) ? arena_strdup(a, json_string_value(v)) : NULL;
  }
  if ((v = json_object_get(body, "position")) != NULL) {
    s->has_geo = json_is_object(v);
    if (s->has_geo) {
      s->lat = json_number_value(json_object_get(v, "lat"));
      s->lon = json_number_value(json_object_get(v, "lon"));
    }
  }
  if ((v = json_object_get(body, "capacity")) != NULL) s->capacity = json_integer_value(v);
  if ((v = json_object_get(body, "crisis")) != NULL &&
      api_evac_crisis_or_reply(app, r, ctx, v, &s->crisis_id) != 0) {
    return -1;
  }
  return 0;
}

void h_sites_list(app_t *app, http_req_t *r, api_ctx_t *ctx) {
  store_page_t page;
  if (api_page_or_reply(app, r, PUBID_SITE, &page) != 0) return;
  site_filter_t f = {.country = http_query(r, "country")};
  if (f.country != NULL && spec_check_country(f.country) != NULL) {
    http_reply_error(r, BH_ERR_INVALID, "country", "country must be an ISO 3166-1 alpha-2 code");
    return;
  }
  if (api_query_id_or_reply(app, r, "crisis", PUBID_CRISIS, &f.crisis_id) != 0) return;
  store_scope_t scope = api_evac_scope(ctx);
  site_t *items;
  size_t n;
  int rc = store_site_list(ctx->db, &scope, &f, &page, r->arena, &items, &n);
  if (rc != BH_OK) {
    api_reply_store_error(r, rc, "site");
    return;
  }
  json_t *list = json_array();
  for (size_t i = 0; i < n; i++) json_array_append_new(list, render_site(app, &items[i]));
  http_reply_json(r, 200, api_page_json(app, list, PUBID_SITE, n ? items[n - 1].id : 0,
                                        n == (size_t)page.limit));
}

void h_sites_create(app_t *app, http_req_t *r, api_ctx_t *ctx) {
  if (api_body_or_reply(r, ctx, site_create_spec, SPEC_COUNT(site_create_spec)) != 0) return;
  site_t s = {.created_by = ctx->user.id};
  if (site_apply_or_reply(app, r, ctx, &s) != 0 ||
      api_jurisdiction_or_reply(r, ctx, s.country, "country") != 0) {
    return;
  }
  int rc = store_begin_write(ctx->db);
  if (rc == BH_OK) rc = store_site_create(ctx->db, &s);
  if (rc == BH_OK) rc = api_audit(app, r, ctx, "site.create", "site", s.id, NULL);
  if (rc == BH_OK) rc = store_commit(ctx->db);
  if (rc != BH_OK) {
    store_rollback(ctx->db);
    api_reply_store_error(r, rc, "site");
    return;
  }
  http_reply_json(r, 201, render_site(app, &s));
}

/* Reads the site of path parameter 0 as the caller sees it; replies 404 and returns -1. */
static int site_or_reply(app_t *app, http_req_t *r, api_ctx_t *ctx, site_t *s) {
  int64_t id;
  if (api_id_or_reply(app, r, 0, PUBID_SITE, &id) != 0) return -1;
  store_scope_t scope = api_evac_scope(ctx);
  int rc = store_site_get(ctx->db, &scope, id, r->arena, s);
  if (rc != BH_OK) {
    api_reply_store_error(r, rc, "site");
    return -1;
  }
  return 0;
}

void h_sites_get(app_t *app, http_req_t *r, api_ctx_t *ctx) {
  site_t s;
  if (site_or_reply(app, r, ctx, &s) != 0) return;
  http_reply_json(r, 200, render_site(app, &s));
}

void h_sites_update(app_t *app, http_req_t *r, api_ctx_t *ctx) {
  if (api_body_or_reply(r, ctx, site_update_spec, SPEC_COUNT(site_update_spec)) != 0) return;
  site_t s;
  if (site_or_reply(app, r, ctx, &s) != 0) return;
  /* A site moved to another country must stay within the officer's jurisdiction. */
  if (site_apply_or_reply(app, r, ctx, &s) != 0 ||
      api_jurisdiction_or_reply(r, ctx, s.country, "country") != 0) {
    return;
  }
  store_scope_t scope = api_evac_scope(ctx);
  int rc = store_begin_write(ctx->db);
  if (rc == BH_OK) rc = store_site_update(ctx->db, &scope, &s);
  if (rc == BH_OK) rc = api_audit(app, r, ctx, "site.update", "site", s.id, NULL);
  if (rc == BH_OK) rc = store_commit(ctx->db);
  site_t fresh;
  if (rc == BH_OK) rc = store_site_get(ctx->db, &scope, s.id, r->arena, &fresh);
  if (rc != BH_OK) {
    store_rollback(ctx->db);
    api_reply_store_error(r, rc, "site");
    return;
  }
  http_reply_json(r, 200, render_site(app, &fresh));
}

/* Replies the refusal of a check-in or check-out. */
static void stay_refused_reply(app_t *app, http_req_t *r, int rc, const evac_refusal_t *why,
                               int64_t site_id) {
  switch (why->kind) {
    case EVAC_REFUSED_CAPACITY:
      http_reply_error(r, BH_ERR_CONFLICT, NULL,
                       "Điểm tập kết đã đầy: sức chứa %lld, đang có %lld người / the site is full:"
                       " capacity %lld, present %lld",
                       (long long)why->capacity, (long long)why->used, (long long)why->capacity,
                       (long long)why->used);
      return;
    case EVAC_REFUSED_AT_SITE: {
      if (why->other_id == site_id) {
        http_reply_error(r, BH_ERR_CONFLICT, "person_id",
                         "Người này đã có mặt tại điểm này / the person is already checked in"
                         " at this site");
        return;
      }
      char other[PUBID_LEN + 1] = "?";
      if (why->other_id > 0) pubid_encode(&app->keys, PUBID_SITE, why->other_id, other);
      http_reply_error(r, BH_ERR_CONFLICT, "person_id",
                       "Người này đang ở điểm tập kết khác (%s), cần làm thủ tục rời đi trước /"
                       " the person is checked in at another site (%s); check them out first",
                       other, other);
      return;
    }
    case EVAC_REFUSED_NOT_AT_SITE:
      http_reply_error(r, BH_ERR_CONFLICT, "person_id",
                       "Người này không có mặt tại điểm này / the person is not checked in at"
                       " this site");
      return;
    case EVAC_REFUSED_PERSON:
      http_reply_error(r, BH_ERR_NOT_FOUND, "person_id", "no such person");
      return;
    default:
      api_reply_store_error(r, rc, "site");
  }
}

/* Check-in (in = 1) or check-out of the person named by the body at the site of the path. */
static void site_stay(app_t *app, http_req_t *r, api_ctx_t *ctx, int in) {
  int64_t site_id, person_id, at = 0;
  if (api_id_or_reply(app, r, 0, PUBID_SITE, &site_id) != 0) return;
  if (api_body_or_reply(r, ctx, stay_spec, SPEC_COUNT(stay_spec)) != 0) return;
  if (pubid_decode(&app->keys, PUBID_PERSON, api_str(ctx->body, "person_id"), &person_id) !=
      BH_OK) {
    http_reply_error(r, BH_ERR_NOT_FOUND, "person_id", "no such person");
    return;
  }
  const char *at_text = api_str(ctx->body, "at");
  if (at_text == NULL || pdate_parse_timestamp(at_text, &at) != BH_OK) at = clock_now();
  evac_refusal_t why;
  int64_t stay_id = 0;
  int rc = store_begin_write(ctx->db);
  if (rc == BH_OK) {
    rc = in ? store_site_checkin(ctx->db, &ctx->scope, site_id, person_id, at, ctx->user.id, &why,
                                 &stay_id)
            : store_site_checkout(ctx->db, &ctx->scope, site_id, person_id, at, ctx->user.id,
                                  &why);
  }
  if (rc == BH_OK) {
    rc = api_audit(app, r, ctx, in ? "site.checkin" : "site.checkout", "person", person_id,
                   json_pack("{s:o}", "site", api_evac_id(app, PUBID_SITE, site_id)));
  }
  if (rc == BH_OK) rc = store_commit(ctx->db);
  if (rc != BH_OK) {
    store_rollback(ctx->db);
    stay_refused_reply(app, r, rc, &why, site_id);
    return;
  }
  site_t s;
  store_scope_t scope = api_evac_scope(ctx);
  rc = store_site_get(ctx->db, &scope, site_id, r->arena, &s);
  if (rc != BH_OK) {
    api_reply_store_error(r, rc, "site");
    return;
  }
  json_t *out = json_object();
  json_object_set_new(out, "person_id", api_evac_id(app, PUBID_PERSON, person_id));
  json_object_set_new(out, "site", render_site(app, &s));
  json_object_set_new(out, in ? "checked_in_at" : "checked_out_at", api_time(at));
  http_reply_json(r, in ? 201 : 200, out);
}

void h_sites_checkin(app_t *app, http_req_t *r, api_ctx_t *ctx) { site_stay(app, r, ctx, 1); }

void h_sites_checkout(app_t *app, http_req_t *r, api_ctx_t *ctx) { site_stay(app, r, ctx, 0); }

void h_sites_people(app_t *app, http_req_t *r, api_ctx_t *ctx) {
  site_t s;
  if (site_or_reply(app, r, ctx, &s) != 0) return;
  store_page_t page;
  if (api_page_or_reply(app, r, PUBID_SITE, &page) != 0) return;
  const char *which = http_query(r, "present");
  if (which != NULL && strcmp(which, "true") != 0 && strcmp(which, "false") != 0) {
    http_reply_error(r, BH_ERR_INVALID, "present", "present must be true or false");
    return;
  }
  int present_only = which == NULL || strcmp(which, "true") == 0;
  site_stay_t *items;
  size_t n;
  int rc = store_site_people(ctx->db, &ctx->scope, s.id, present_only, &page, r->arena, &items, &n);
  if (rc != BH_OK) {
    api_reply_store_error(r, rc, "site");
    return;
  }
  json_t *list = json_array(), *ids = json_array();
  for (size_t i = 0; i < n; i++) {
    json_t *pid = api_evac_id(app, PUBID_PERSON, items[i].person_id);
    json_array_append(ids, pid);
    json_array_append_new(
        list, json_pack("{s:o, s:s, s:s, s:o, s:o}", "person_id", pid, "full_name",
                        items[i].full_name ? items[i].full_name : "", "status",
                        items[i].status ? items[i].status : "unknown", "checked_in_at",
                        api_time(items[i].checked_in_at), "checked_out_at",
                        api_time(items[i].checked_out_at)));
  }
  json_t *detail = json_pack("{s:o, s:o}", "site", api_evac_id(app, PUBID_SITE, s.id), "persons",
                             ids);
  if (api_audit_read(app, r, ctx, "site.read_people", "site", s.id, detail) != BH_OK) {
    json_decref(list);
    http_reply_error(r, BH_ERR_UNAVAILABLE, NULL, "the audit log is unavailable; try again");
    return;
  }
  http_reply_json(r, 200, api_page_json(app, list, PUBID_SITE, n ? items[n - 1].id : 0,
                                        n == (size_t)page.limit));
}
