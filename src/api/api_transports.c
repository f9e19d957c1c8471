/*
 * api_transports.c - transports (/api/v1/transports) of evacuations and repatriations, their
 * manifests, suggestions of whom to book next, and arrival. A transport itself holds no
 * personal data: every role lists and reads transports, with figures only (an officer those
 * leaving from the mission's jurisdiction); its manifest and suggestions are personal data
 * (audited reads, personal-data roles). A booking group is stored all or nothing, so a family
 * is never split by the capacity; partner nationals' document numbers are sealed like passports.
 */
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "domain/evac.h"
#include "domain/pdate.h"
#include "store/store_evac.h"
#include "util/clock.h"
#include "util/err.h"

static const spec_field_t place_spec[] = {
    {.name = "place", .type = SPEC_STRING, .flags = SPEC_REQUIRED, .min_len = 1,
     .max_len = MODEL_SHORT_MAX},
    {.name = "country", .type = SPEC_STRING, .flags = SPEC_REQUIRED, .check = spec_check_country},
};

static const spec_field_t seat_spec[] = {
    {.name = "country", .type = SPEC_STRING, .flags = SPEC_REQUIRED, .check = spec_check_country},
    {.name = "seats", .type = SPEC_INT, .flags = SPEC_REQUIRED, .min = 1, .max = EVAC_CAPACITY_MAX},
    {.name = "direction", .type = SPEC_STRING, .flags = SPEC_REQUIRED,
     .values = evac_seat_directions},
};

/* The transport fields; create requires mode, provider, purpose, origin, destination,
 * departure_at and capacity. */
#define TRANSPORT_FIELDS(req)                                                                    \
  {.name = "mode", .type = SPEC_STRING, .flags = (req), .values = evac_modes},                   \
  {.name = "provider", .type = SPEC_STRING, .flags = (req), .values = evac_providers},           \
  {.name = "partner_country", .type = SPEC_STRING, .flags = SPEC_NULLABLE,                       \
   .check = spec_check_country},                                                                 \
  {.name = "purpose", .type = SPEC_STRING, .flags = (req), .values = evac_purposes},             \
  {.name = "crisis", .type = SPEC_STRING, .flags = SPEC_NULLABLE, .max_len = PUBID_LEN},         \
  {.name = "origin", .type = SPEC_OBJECT, .flags = (req), .sub = place_spec,                     \
   .nsub = SPEC_COUNT(place_spec)},                                                              \
  {.name = "destination", .type = SPEC_OBJECT, .flags = (req), .sub = place_spec,                \
   .nsub = SPEC_COUNT(place_spec)},                                                              \
  {.name = "departure_at", .type = SPEC_STRING, .flags = (req),                                  \
   .check = spec_check_timestamp},                                                               \
  {.name = "arrival_at", .type = SPEC_STRING, .flags = SPEC_NULLABLE,                            \
   .check = spec_check_timestamp},                                                               \
  {.name = "capacity", .type = SPEC_INT, .flags = (req), .min = 1, .max = EVAC_CAPACITY_MAX},    \
  {.name = "reference", .type = SPEC_STRING, .flags = SPEC_NULLABLE,                             \
   .max_len = EVAC_REFERENCE_MAX},                                                               \
  {.name = "seats", .type = SPEC_OBJECT_ARRAY, .max_len = EVAC_SEATS_MAX, .sub = seat_spec,      \
   .nsub = SPEC_COUNT(seat_spec)},                                                               \
  {.name = "notes", .type = SPEC_STRING, .flags = SPEC_NULLABLE | SPEC_MULTILINE,                \
   .max_len = MODEL_TEXT_MAX}

static const spec_field_t transport_create_spec[] = {TRANSPORT_FIELDS(SPEC_REQUIRED)};
static const spec_field_t transport_update_spec[] = {
    TRANSPORT_FIELDS(0),
    {.name = "status", .type = SPEC_STRING, .values = evac_transport_statuses},
};

static const spec_field_t member_spec[] = {
    {.name = "person_id", .type = SPEC_STRING, .max_len = PUBID_LEN},
    {.name = "full_name", .type = SPEC_STRING, .min_len = 1, .max_len = MODEL_NAME_MAX,
     .check = spec_check_name},
    {.name = "nationality", .type = SPEC_STRING, .check = spec_check_country},
    {.name = "document_number", .type = SPEC_STRING, .max_len = MODEL_NUMBER_MAX,
     .check = spec_check_number},
};

static const spec_field_t manifest_add_spec[] = {
    {.name = "persons", .type = SPEC_OBJECT_ARRAY, .flags = SPEC_REQUIRED, .min_len = 1,
     .max_len = EVAC_GROUP_MAX, .sub = member_spec, .nsub = SPEC_COUNT(member_spec)},
};

static const spec_field_t entry_update_spec[] = {
    {.name = "status", .type = SPEC_STRING, .flags = SPEC_REQUIRED, .values = evac_entry_statuses},
    {.name = "at", .type = SPEC_STRING, .check = spec_check_timestamp},
};

static json_t *render_place(const char *place, const char *country) {
  return json_pack("{s:s, s:s}", "place", place ? place : "", "country", country);
}

static json_t *render_transport(const app_t *app, const transport_t *t) {
  json_t *o = json_object();
  if (o == NULL) return NULL;
  json_object_set_new(o, "id", api_evac_id(app, PUBID_TRANSPORT, t->id));
  json_object_set_new(o, "mode", json_string(t->mode));
  json_object_set_new(o, "provider", json_string(t->provider));
  json_object_set_new(o, "partner_country",
                      t->partner_country ? json_string(t->partner_country) : json_null());
  json_object_set_new(o, "purpose", json_string(t->purpose));
  json_object_set_new(o, "crisis", api_evac_id(app, PUBID_CRISIS, t->crisis_id));
  json_object_set_new(o, "origin", render_place(t->origin_place, t->origin_country));
  json_object_set_new(o, "destination",
                      render_place(t->destination_place, t->destination_country));
  json_object_set_new(o, "departure_at", api_time(t->departure_at));
  json_object_set_new(o, "arrival_at", api_time(t->arrival_at));
  json_object_set_new(o, "capacity", json_integer(t->capacity));
  json_object_set_new(o, "reference", t->reference ? json_string(t->reference) : json_null());
  json_object_set_new(o, "seats", t->seats ? json_incref(t->seats) : json_array());
  json_object_set_new(o, "status", json_string(t->status));
  json_object_set_new(o, "notes", t->notes ? json_string(t->notes) : json_null());
  json_t *counts = json_object();
  int64_t taken = 0;
  for (int i = 0; i < EVAC_ENTRY_STATUS_COUNT; i++) {
    json_object_set_new(counts, evac_entry_statuses[i], json_integer(t->counts[i]));
    if (evac_entry_holds_seat(evac_entry_statuses[i])) taken += t->counts[i];
  }
  json_object_set_new(o, "counts", counts);
  json_object_set_new(o, "seats_taken", json_integer(taken));
  json_object_set_new(o, "seats_free", json_integer(t->capacity > taken ? t->capacity - taken : 0));
  json_object_set_new(o, "by_nationality",
                      t->by_nationality ? json_incref(t->by_nationality) : json_object());
  json_object_set_new(o, "created_by", api_evac_id(app, PUBID_USER, t->created_by));
  json_object_set_new(o, "created_at", api_time(t->created_at));
  json_object_set_new(o, "updated_at", api_time(t->updated_at));
  return o;
}

/*
 * Applies a validated body to t and checks what spans fields (a partner's country goes with the
 * partner provider only, arrival not before departure, the crisis is visible). Replies 422 and
 * returns -1 on failure.
 */
static int transport_apply_or_reply(app_t *app, http_req_t *r, api_ctx_t *ctx, transport_t *t) {
  const json_t *body = ctx->body;
  arena_t *a = r->arena;
  const char *s;
  json_t *v;
  if ((s = api_str(body, "mode")) != NULL) t->mode = arena_strdup(a, s);
  if ((s = api_str(body, "provider")) != NULL) t->provider = arena_strdup(a, s);
  if ((s = api_str(body, "purpose")) != NULL) t->purpose = arena_strdup(a, s);
  if ((v = json_object_get(body, "partner_country")) != NULL) {
    t->partner_country = json_is_string(v) ? arena_strdup(a, json_string_value(v)) : NULL;
  }
  if ((v = json_object_get(body, "reference")) != NULL) {
    t->reference = json_is_string(v) ? arena_strdup(a, json_string_value(v)) : NULL;
  }
  if ((v = json_object_get(body, "notes")) != NULL) {
    t->notes = json_is_string(v) ? arena_strdup(a, json_string_value(v)) : NULL;
  }
  if ((v = json_object_get(body, "origin")) != NULL) {
    t->origin_place = arena_strdup(a, api_str(v, "place"));
    memcpy(t->origin_country, api_str(v, "country"), 3);
  }
  if ((v = json_object_get(body, "destination")) != NULL) {
    t->destination_place = arena_strdup(a, api_str(v, "place"));
    memcpy(t->destination_country, api_str(v, "country"), 3);
  }
  if ((s = api_str(body, "departure_at")) != NULL) pdate_parse_timestamp(s, &t->departure_at);
  if ((v = json_object_get(body, "arrival_at")) != NULL) {
    t->arrival_at = 0;
    if (json_is_string(v)) pdate_parse_timestamp(json_string_value(v), &t->arrival_at);
  }
  if ((v = json_object_get(body, "capacity")) != NULL) t->capacity = json_integer_value(v);
  if ((v = json_object_get(body, "seats")) != NULL) {
    json_decref(t->seats);
    t->seats = json_deep_copy(v);
  }
  if (t->seats == NULL) t->seats = json_array();
  if ((v = json_object_get(body, "crisis")) != NULL &&
      api_evac_crisis_or_reply(app, r, ctx, v, &t->crisis_id) != 0) {
    return -1;
  }
  int partner = strcmp(t->provider, "partner") == 0;
  if (partner && t->partner_country == NULL) {
    http_reply_error(r, BH_ERR_INVALID, "partner_country",
                     "partner_country is required when provider is partner");
    return -1;
  }
  if (!partner && t->partner_country != NULL) {
    http_reply_error(r, BH_ERR_INVALID, "partner_country",
                     "partner_country is only for provider partner");
    return -1;
  }
  if (t->arrival_at != 0 && t->arrival_at < t->departure_at) {
    http_reply_error(r, BH_ERR_INVALID, "arrival_at", "arrival_at must not be before departure_at");
    return -1;
  }
  return 0;
}

void h_transports_list(app_t *app, http_req_t *r, api_ctx_t *ctx) {
  store_page_t page;
  if (api_page_or_reply(app, r, PUBID_TRANSPORT, &page) != 0) return;
  transport_filter_t f = {.country = http_query(r, "country"),
                          .purpose = http_query(r, "purpose"),
                          .status = http_query(r, "status")};
  if (f.country != NULL && spec_check_country(f.country) != NULL) {
    http_reply_error(r, BH_ERR_INVALID, "country", "country must be an ISO 3166-1 alpha-2 code");
    return;
  }
  if (f.purpose != NULL && model_enum_index(evac_purposes, f.purpose) < 0) {
    http_reply_error(r, BH_ERR_INVALID, "purpose", "purpose must be evacuation or repatriation");
    return;
  }
  if (f.status != NULL && model_enum_index(evac_transport_statuses, f.status) < 0) {
    http_reply_error(r, BH_ERR_INVALID, "status",
                     "status must be planned, departed, arrived or cancelled");
    return;
  }
  if (api_query_id_or_reply(app, r, "crisis", PUBID_CRISIS, &f.crisis_id) != 0) return;
  store_scope_t scope = api_evac_scope(ctx);
  transport_t *items;
  size_t n;
  int rc = store_transport_list(ctx->db, &scope, &f, &page, r->arena, &items, &n);
  if (rc != BH_OK) {
    api_reply_store_error(r, rc, "transport");
    return;
  }
  json_t *list = json_array();
  for (size_t i = 0; i < n; i++) {
    json_array_append_new(list, render_transport(app, &items[i]));
    transport_clear(&items[i]);
  }
  http_reply_json(r, 200, api_page_json(app, list, PUBID_TRANSPORT, n ? items[n - 1].id : 0,
                                        n == (size_t)page.limit));
}

void h_transports_create(app_t *app, http_req_t *r, api_ctx_t *ctx) {
  if (api_body_or_reply(r, ctx, transport_create_spec, SPEC_COUNT(transport_create_spec)) != 0) {
    return;
  }
  transport_t t = {.created_by = ctx->user.id};
  if (transport_apply_or_reply(app, r, ctx, &t) != 0 ||
      api_jurisdiction_or_reply(r, ctx, t.origin_country, "origin.country") != 0) {
    transport_clear(&t);
    return;
  }
  int rc = store_begin_write(ctx->db);
  if (rc == BH_OK) rc = store_transport_create(ctx->db, &t);
  if (rc == BH_OK) rc = api_audit(app, r, ctx, "transport.create", "transport", t.id, NULL);
  if (rc == BH_OK) rc = store_commit(ctx->db);
  transport_t fresh = {0};
  store_scope_t scope = api_evac_scope(ctx);
  if (rc == BH_OK) rc = store_transport_get(ctx->db, &scope, t.id, r->arena, &fresh);
  transport_clear(&t);
  if (rc != BH_OK) {
    store_rollback(ctx->db);
    api_reply_store_error(r, rc, "transport");
    return;
  }
  http_reply_json(r, 201, render_transport(app, &fresh));
  transport_clear(&fresh);
}

/* Reads the transport of path parameter 0 as the caller sees it; replies 404 and returns -1. */
static int transport_or_reply(app_t *app, http_req_t *r, api_ctx_t *ctx, transport_t *t) {
  int64_t id;
  if (api_id_or_reply(app, r, 0, PUBID_TRANSPORT, &id) != 0) return -1;
  store_scope_t scope = api_evac_scope(ctx);
  int rc = store_transport_get(ctx->db, &scope, id, r->arena, t);
  if (rc != BH_OK) {
    api_reply_store_error(r, rc, "transport");
    return -1;
  }
  return 0;
}

void h_transports_get(app_t *app, http_req_t *r, api_ctx_t *ctx) {
  transport_t t;
  if (transport_or_reply(app, r, ctx, &t) != 0) return;
  http_reply_json(r, 200, render_transport(app, &t));
  transport_clear(&t);
}

/* Replies the refusal why of a manifest or status change (rc the store's result). */
static void refused_reply(app_t *app, http_req_t *r, int rc, const evac_refusal_t *why) {
  char other[PUBID_LEN + 1] = "?";
  switch (why->kind) {
    case EVAC_REFUSED_CAPACITY:
      http_reply_error(r, BH_ERR_CONFLICT, "persons",
                       "Không đủ chỗ: sức chứa %lld, đã đặt %lld, nhóm này cần %lld / not enough"
                       " seats: capacity %lld, booked %lld, this group needs %lld",
                       (long long)why->capacity, (long long)why->used, (long long)why->needed,
                       (long long)why->capacity, (long long)why->used, (long long)why->needed);
      return;
    case EVAC_REFUSED_BOOKED:
      if (why->other_id > 0) pubid_encode(&app->keys, PUBID_TRANSPORT, why->other_id, other);
      http_reply_error(r, BH_ERR_CONFLICT, arena_printf(r->arena, "persons[%zu].person_id", why->index),
                       "Người này đã có chỗ trên chuyến %s / the person already holds a seat on"
                       " transport %s",
                       other, other);
      return;
    case EVAC_REFUSED_PERSON:
      http_reply_error(r, BH_ERR_NOT_FOUND, arena_printf(r->arena, "persons[%zu].person_id", why->index),
                       "no such person");
      return;
    case EVAC_REFUSED_NOT_BOOKABLE:
      http_reply_error(r, BH_ERR_CONFLICT, "status",
                       "Chuyến đi đang ở trạng thái %s, không nhận thêm người / the transport is"
                       " %s and takes no bookings",
                       why->from, why->from);
      return;
    case EVAC_REFUSED_STATUS:
      http_reply_error(r, BH_ERR_CONFLICT, "status",
                       "Không thể chuyển trạng thái từ %s sang %s / status cannot change from %s"
                       " to %s",
                       why->from, why->to, why->from, why->to);
      return;
    default:
      api_reply_store_error(r, rc, "transport");
  }
}

void h_transports_update(app_t *app, http_req_t *r, api_ctx_t *ctx) {
  if (api_body_or_reply(r, ctx, transport_update_spec, SPEC_COUNT(transport_update_spec)) != 0) {
    return;
  }
  transport_t t;
  if (transport_or_reply(app, r, ctx, &t) != 0) return;
  if (transport_apply_or_reply(app, r, ctx, &t) != 0 ||
      api_jurisdiction_or_reply(r, ctx, t.origin_country, "origin.country") != 0) {
    transport_clear(&t);
    return;
  }
  store_scope_t scope = api_evac_scope(ctx);
  const char *status = api_str(ctx->body, "status");
  evac_refusal_t why = {0};
  int rc = store_begin_write(ctx->db);
  if (rc == BH_OK) rc = store_transport_update(ctx->db, &scope, &t);
  if (rc == BH_OK && status != NULL) {
    rc = store_transport_set_status(ctx->db, &scope, t.id, status, clock_now(), ctx->user.id, &why);
  }
  if (rc == BH_OK) {
    rc = api_audit(app, r, ctx, "transport.update", "transport", t.id,
                   status ? json_pack("{s:s}", "status", status) : NULL);
  }
  if (rc == BH_OK) rc = store_commit(ctx->db);
  transport_t fresh = {0};
  if (rc == BH_OK) rc = store_transport_get(ctx->db, &scope, t.id, r->arena, &fresh);
  transport_clear(&t);
  if (rc != BH_OK) {
    store_rollback(ctx->db);
    refused_reply(app, r, rc, &why);
    return;
  }
  http_reply_json(r, 200, render_transport(app, &fresh));
  transport_clear(&fresh);
}

void h_transports_arrive(app_t *app, http_req_t *r, api_ctx_t *ctx) {
  int64_t id;
  if (api_id_or_reply(app, r, 0, PUBID_TRANSPORT, &id) != 0) return;
  store_scope_t scope = api_evac_scope(ctx);
  store_arrival_t arrival;
  evac_refusal_t why = {0};
  int rc = store_begin_write(ctx->db);
  if (rc == BH_OK) {
    rc = store_transport_arrive(ctx->db, &scope, id, clock_now(), ctx->user.id, &arrival, &why);
  }
  if (rc == BH_OK && arrival.changed) {
    rc = api_audit(app, r, ctx, "transport.arrive", "transport", id,
                   json_pack("{s:I, s:I}", "entries", (json_int_t)arrival.entries, "persons",
                             (json_int_t)arrival.persons));
  }
  if (rc == BH_OK) rc = store_commit(ctx->db);
  transport_t t = {0};
  if (rc == BH_OK) rc = store_transport_get(ctx->db, &scope, id, r->arena, &t);
  if (rc != BH_OK) {
    store_rollback(ctx->db);
    refused_reply(app, r, rc, &why);
    return;
  }
  json_t *out = json_object();
  json_object_set_new(out, "transport", render_transport(app, &t));
  json_object_set_new(out, "arrival",
                      json_pack("{s:b, s:I, s:I, s:I}", "changed", arrival.changed, "entries",
                                (json_int_t)arrival.entries, "persons",
                                (json_int_t)arrival.persons, "presences_closed",
                                (json_int_t)arrival.presences));
  transport_clear(&t);
  http_reply_json(r, 200, out);
}

/* ---- manifests ---- */

static json_t *render_entry(app_t *app, const manifest_entry_t *e) {
  json_t *o = json_object();
  if (o == NULL) return NULL;
  json_object_set_new(o, "id", api_evac_id(app, PUBID_MANIFEST, e->id));
  json_object_set_new(o, "booking", json_integer(e->booking));
  json_object_set_new(o, "person_id", api_evac_id(app, PUBID_PERSON, e->person_id));
  json_object_set_new(o, "full_name", e->full_name ? json_string(e->full_name) : json_null());
  json_object_set_new(o, "nationality", json_string(e->nationality));
  json_t *doc = json_null();
  if (e->document_sealed != NULL && e->document_len > SECRET_SEAL_OVERHEAD &&
      e->document_len - SECRET_SEAL_OVERHEAD <= MODEL_NUMBER_MAX) {
    char plain[MODEL_NUMBER_MAX + 1];
    if (secret_open(&app->keys, e->document_sealed, e->document_len, plain) == BH_OK) {
      plain[e->document_len - SECRET_SEAL_OVERHEAD] = '\0';
      doc = json_string(plain);
    }
  }
  json_object_set_new(o, "document_number", doc);
  json_object_set_new(o, "status", json_string(e->status));
  json_object_set_new(o, "booked_at", api_time(e->booked_at));
  json_object_set_new(o, "status_at", api_time(e->status_at));
  json_object_set_new(o, "booked_by", api_evac_id(app, PUBID_USER, e->booked_by));
  return o;
}

void h_manifest_list(app_t *app, http_req_t *r, api_ctx_t *ctx) {
  int64_t id;
  if (api_id_or_reply(app, r, 0, PUBID_TRANSPORT, &id) != 0) return;
  store_page_t page;
  if (api_page_or_reply(app, r, PUBID_MANIFEST, &page) != 0) return;
  manifest_entry_t *items;
  size_t n;
  int rc = store_manifest_list(ctx->db, &ctx->scope, id, &page, r->arena, &items, &n);
  if (rc != BH_OK) {
    api_reply_store_error(r, rc, "transport");
    return;
  }
  json_t *list = json_array(), *ids = json_array();
  for (size_t i = 0; i < n; i++) {
    json_array_append_new(list, render_entry(app, &items[i]));
    if (items[i].person_id) {
      json_array_append_new(ids, api_evac_id(app, PUBID_PERSON, items[i].person_id));
    }
  }
  json_t *detail = json_pack("{s:I, s:o}", "entries", (json_int_t)n, "persons", ids);
  if (api_audit_read(app, r, ctx, "transport.read_manifest", "transport", id, detail) != BH_OK) {
    json_decref(list);
    http_reply_error(r, BH_ERR_UNAVAILABLE, NULL, "the audit log is unavailable; try again");
    return;
  }
  http_reply_json(r, 200, api_page_json(app, list, PUBID_MANIFEST, n ? items[n - 1].id : 0,
                                        n == (size_t)page.limit));
}

/*
 * Reads the validated members of a booking group into in (n of them): either a registered
 * person (person_id alone) or a partner national (full_name and nationality, optional
 * document_number, sealed here). Replies 422 or 404 naming the member and returns -1.
 */
static int members_or_reply(app_t *app, http_req_t *r, const json_t *list, manifest_in_t *in,
                            size_t n) {
  for (size_t i = 0; i < n; i++) {
    const json_t *m = json_array_get(list, i);
    const char *pid = api_str(m, "person_id"), *name = api_str(m, "full_name");
    const char *nat = api_str(m, "nationality"), *doc = api_str(m, "document_number");
    memset(&in[i], 0, sizeof(in[i]));
    if (pid != NULL) {
      if (name != NULL || nat != NULL || doc != NULL) {
        http_reply_error(r, BH_ERR_INVALID, arena_printf(r->arena, "persons[%zu]", i),
                         "persons[%zu] is either a registered person (person_id) or a partner"
                         " national (full_name, nationality, document_number)",
                         i);
        return -1;
      }
      if (pubid_decode(&app->keys, PUBID_PERSON, pid, &in[i].person_id) != BH_OK) {
        http_reply_error(r, BH_ERR_NOT_FOUND, arena_printf(r->arena, "persons[%zu].person_id", i),
                         "no such person");
        return -1;
      }
      for (size_t j = 0; j < i; j++) {
        if (in[j].person_id == in[i].person_id) {
          http_reply_error(r, BH_ERR_INVALID, arena_printf(r->arena, "persons[%zu].person_id", i),
                           "persons[%zu] is listed twice in the group", i);
          return -1;
        }
      }
      continue;
    }
    if (name == NULL || nat == NULL) {
      const char *missing = name ? "nationality" : "full_name";
      http_reply_error(r, BH_ERR_INVALID, arena_printf(r->arena, "persons[%zu].%s", i, missing),
                       "persons[%zu] needs person_id, or full_name and nationality", i);
      return -1;
    }
    in[i].full_name = name;
    memcpy(in[i].nationality, nat, 3);
    if (doc != NULL) {
      char canon[MODEL_NUMBER_MAX + 1];
      if (secret_canon_number(doc, canon, sizeof(canon)) != BH_OK) {
        http_reply_error(r, BH_ERR_INVALID,
                         arena_printf(r->arena, "persons[%zu].document_number", i),
                         "document_number must contain letters or digits");
        return -1;
      }
      size_t len = strlen(canon);
      unsigned char *sealed = arena_alloc(r->arena, len + SECRET_SEAL_OVERHEAD);
      if (sealed == NULL) {
        http_reply_error(r, BH_ERR_NOMEM, NULL, "out of memory");
        return -1;
      }
      secret_seal(&app->keys, canon, len, sealed);
      in[i].document_sealed = sealed;
      in[i].document_len = len + SECRET_SEAL_OVERHEAD;
    }
  }
  return 0;
}

void h_manifest_add(app_t *app, http_req_t *r, api_ctx_t *ctx) {
  int64_t id;
  if (api_id_or_reply(app, r, 0, PUBID_TRANSPORT, &id) != 0) return;
  if (api_body_or_reply(r, ctx, manifest_add_spec, SPEC_COUNT(manifest_add_spec)) != 0) return;
  const json_t *list = json_object_get(ctx->body, "persons");
  size_t n = json_array_size(list);
  manifest_in_t in[EVAC_GROUP_MAX];
  int64_t ids[EVAC_GROUP_MAX];
  if (members_or_reply(app, r, list, in, n) != 0) return;
  int64_t booking = 0;
  evac_refusal_t why = {0};
  int rc = store_begin_write(ctx->db);
  if (rc == BH_OK) {
    rc = store_manifest_add(ctx->db, &ctx->scope, id, in, n, clock_now(), ctx->user.id, ids,
                            &booking, &why);
  }
  if (rc == BH_OK) {
    json_t *persons = json_array();
    for (size_t i = 0; i < n; i++) {
      if (in[i].person_id) {
        json_array_append_new(persons, api_evac_id(app, PUBID_PERSON, in[i].person_id));
      }
    }
    rc = api_audit(app, r, ctx, "transport.book", "transport", id,
                   json_pack("{s:I, s:I, s:o}", "booking", (json_int_t)booking, "size",
                             (json_int_t)n, "persons", persons));
  }
  if (rc == BH_OK) rc = store_commit(ctx->db);
  if (rc != BH_OK) {
    store_rollback(ctx->db);
    refused_reply(app, r, rc, &why);
    return;
  }
  json_t *items = json_array();
  for (size_t i = 0; i < n; i++) {
    manifest_entry_t e;
    if (store_manifest_get(ctx->db, &ctx->scope, id, ids[i], r->arena, &e) == BH_OK) {
      json_array_append_new(items, render_entry(app, &e));
    }
  }
  http_reply_json(r, 201, json_pack("{s:I, s:o}", "booking", (json_int_t)booking, "items", items));
}

void h_manifest_update(app_t *app, http_req_t *r, api_ctx_t *ctx) {
  int64_t id, entry;
  if (api_id_or_reply(app, r, 0, PUBID_TRANSPORT, &id) != 0 ||
      api_id_or_reply(app, r, 1, PUBID_MANIFEST, &entry) != 0) {
    return;
  }
  if (api_body_or_reply(r, ctx, entry_update_spec, SPEC_COUNT(entry_update_spec)) != 0) return;
  const char *status = api_str(ctx->body, "status");
  int64_t at = 0;
  if (api_str(ctx->body, "at") != NULL) pdate_parse_timestamp(api_str(ctx->body, "at"), &at);
  evac_refusal_t why = {0};
  int rc = store_begin_write(ctx->db);
  if (rc == BH_OK) {
    rc = store_manifest_set_status(ctx->db, &ctx->scope, id, entry, status, at, ctx->user.id, &why);
  }
  if (rc == BH_OK) {
    rc = api_audit(app, r, ctx, "transport.entry_status", "transport", id,
                   json_pack("{s:o, s:s}", "entry", api_evac_id(app, PUBID_MANIFEST, entry),
                             "status", status));
  }
  if (rc == BH_OK) rc = store_commit(ctx->db);
  manifest_entry_t e;
  if (rc == BH_OK) rc = store_manifest_get(ctx->db, &ctx->scope, id, entry, r->arena, &e);
  if (rc != BH_OK) {
    store_rollback(ctx->db);
    refused_reply(app, r, rc, &why);
    return;
  }
  http_reply_json(r, 200, render_entry(app, &e));
}

void h_manifest_suggestions(app_t *app, http_req_t *r, api_ctx_t *ctx) {
  int64_t id;
  if (api_id_or_reply(app, r, 0, PUBID_TRANSPORT, &id) != 0) return;
  long limit = 50;
  const char *ls = http_query(r, "limit");
  if (ls != NULL) {
    char *end = NULL;
    limit = strtol(ls, &end, 10);
    if (end == ls || *end != '\0' || limit < 1 || limit > EVAC_SUGGEST_MAX) {
      http_reply_error(r, BH_ERR_INVALID, "limit", "limit must be an integer from 1 to %d",
                       EVAC_SUGGEST_MAX);
      return;
    }
  }
  evac_suggestion_t *items;
  size_t n;
  int rc = store_transport_suggestions(ctx->db, &ctx->scope, id, NULL, (size_t)limit, r->arena,
                                       &items, &n);
  if (rc != BH_OK) {
    api_reply_store_error(r, rc, "transport");
    return;
  }
  json_t *list = json_array(), *ids = json_array();
  for (size_t i = 0; i < n; i++) {
    json_t *pid = api_evac_id(app, PUBID_PERSON, items[i].person_id);
    json_array_append(ids, pid);
    json_array_append_new(
        list, json_pack("{s:o, s:s, s:o, s:o, s:s, s:s}", "person_id", pid, "full_name",
                        items[i].full_name, "group_id",
                        items[i].group_id ? json_string(items[i].group_id) : json_null(),
                        "category",
                        items[i].category ? json_string(items[i].category) : json_null(),
                        "status", items[i].status ? items[i].status : "unknown", "reason",
                        items[i].reason));
  }
  if (api_audit_read(app, r, ctx, "transport.suggestions", "transport", id,
                     json_pack("{s:o}", "persons", ids)) != BH_OK) {
    json_decref(list);
    http_reply_error(r, BH_ERR_UNAVAILABLE, NULL, "the audit log is unavailable; try again");
    return;
  }
  http_reply_json(r, 200, json_pack("{s:o}", "items", list));
}
