/*
 * api_crises.c - crises (/api/v1/crises): declare, read, change and close a crisis, and its
 * accountability figures. A crisis holds no personal data, so every role reads crises; an
 * officer sees those touching the mission's jurisdiction and may declare or change one only
 * when all its countries are within it. Accountability is aggregate only (viewers may read it).
 */
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/api.h"
#include "api/api_crises_acc.h"
#include "domain/country.h"
#include "domain/geo.h"
#include "domain/pdate.h"
#include "sitrep/sitrep.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/err.h"

/* Regions one crisis may list. */
#define API_CRISIS_REGIONS_MAX 50

static const spec_field_t circle_spec[] = {
    {.name = "lat", .type = SPEC_NUMBER, .flags = SPEC_REQUIRED, .min = -90, .max = 90},
    {.name = "lon", .type = SPEC_NUMBER, .flags = SPEC_REQUIRED, .min = -180, .max = 180},
    {.name = "radius_km", .type = SPEC_NUMBER, .flags = SPEC_REQUIRED, .min = 0.001,
     .max = GEO_RADIUS_MAX_KM},
};

static const spec_field_t corner_spec[] = {
    {.name = "lat", .type = SPEC_NUMBER, .flags = SPEC_REQUIRED, .min = -90, .max = 90},
    {.name = "lon", .type = SPEC_NUMBER, .flags = SPEC_REQUIRED, .min = -180, .max = 180},
};

static const spec_field_t area_spec[] = {
    {.name = "circle", .type = SPEC_OBJECT, .sub = circle_spec, .nsub = SPEC_COUNT(circle_spec)},
    {.name = "polygon", .type = SPEC_OBJECT_ARRAY, .min_len = 3, .max_len = GEO_POLYGON_MAX,
     .sub = corner_spec, .nsub = SPEC_COUNT(corner_spec)},
};

/* The crisis fields; create requires name, kind and countries. */
#define CRISIS_FIELDS(req)                                                                       \
  {.name = "name", .type = SPEC_STRING, .flags = (req), .min_len = 1, .max_len = MODEL_NAME_MAX}, \
  {.name = "kind", .type = SPEC_STRING, .flags = (req), .values = model_crisis_kinds},            \
  {.name = "description", .type = SPEC_STRING, .flags = SPEC_NULLABLE | SPEC_MULTILINE,          \
   .max_len = MODEL_TEXT_MAX},                                                                    \
  {.name = "countries", .type = SPEC_STRING_ARRAY, .flags = (req), .min_len = 1,                  \
   .max_len = MODEL_JURISDICTION_MAX, .check = spec_check_country},                               \
  {.name = "regions", .type = SPEC_STRING_ARRAY, .max_len = API_CRISIS_REGIONS_MAX},              \
  {.name = "area", .type = SPEC_OBJECT, .flags = SPEC_NULLABLE, .sub = area_spec,                 \
   .nsub = SPEC_COUNT(area_spec)},                                                                \
  {.name = "lead_mission", .type = SPEC_STRING, .flags = SPEC_NULLABLE, .max_len = PUBID_LEN},    \
  {.name = "opened_at", .type = SPEC_STRING, .check = spec_check_timestamp}

static const spec_field_t crisis_create_spec[] = {CRISIS_FIELDS(SPEC_REQUIRED)};
static const spec_field_t crisis_update_spec[] = {CRISIS_FIELDS(0)};

/* Crises hold no personal data, as sites and transports hold none: they share their scope (only
 * officers are limited, to their jurisdiction), api_evac_scope, and their ids or JSON null,
 * api_evac_id (api.h). */

static json_t *render_crisis(const app_t *app, const crisis_t *k) {
  json_t *o = json_object();
  if (o == NULL) return NULL;
  json_object_set_new(o, "id", api_evac_id(app, PUBID_CRISIS, k->id));
  json_object_set_new(o, "name", json_string(k->name));
  json_object_set_new(o, "kind", json_string(k->kind));
  json_object_set_new(o, "description", k->description ? json_string(k->description) : json_null());
  json_object_set_new(o, "countries", k->countries ? json_incref(k->countries) : json_array());
  json_object_set_new(o, "regions", k->regions ? json_incref(k->regions) : json_array());
  json_object_set_new(o, "area", k->area ? json_incref(k->area) : json_null());
  json_object_set_new(o, "lead_mission", api_evac_id(app, PUBID_MISSION, k->lead_mission_id));
  json_object_set_new(o, "status", json_string(k->closed_at ? "closed" : "open"));
  json_object_set_new(o, "opened_at", api_time(k->opened_at));
  json_object_set_new(o, "closed_at", api_time(k->closed_at));
  json_object_set_new(o, "created_by", api_evac_id(app, PUBID_USER, k->created_by));
  json_object_set_new(o, "created_at", api_time(k->created_at));
  json_object_set_new(o, "updated_at", api_time(k->updated_at));
  return o;
}

/*
 * Applies a validated body to k and checks what spans fields: regions written as ISO 3166-2
 * codes belong to one of the countries, the area has exactly one shape, the lead mission
 * exists. Replies 422 and returns -1 on failure.
 */
static int crisis_apply_or_reply(app_t *app, http_req_t *r, api_ctx_t *ctx, crisis_t *k) {
  const json_t *body = ctx->body;
  arena_t *a = r->arena;
  const char *s;
  if ((s = api_str(body, "name")) != NULL) k->name = arena_strdup(a, s);
  if ((s = api_str(body, "kind")) != NULL) k->kind = arena_strdup(a, s);
  json_t *v;
  if ((v = json_object_get(body, "description")) != NULL) {
    k->description = json_is_string(v) ? arena_strdup(a, json_string_value(v)) : NULL;
  }
  if ((v = json_object_get(body, "countries")) != NULL) {
    json_decref(k->countries);
    k->countries = json_deep_copy(v);
  }
  if ((v = json_object_get(body, "regions")) != NULL) {
    json_decref(k->regions);
    k->regions = json_deep_copy(v);
  }
  if ((v = json_object_get(body, "area")) != NULL) {
    json_decref(k->area);
    k->area = json_is_null(v) ? NULL : json_deep_copy(v);
  }
  if ((s = api_str(body, "opened_at")) != NULL) pdate_parse_timestamp(s, &k->opened_at);
  if ((v = json_object_get(body, "lead_mission")) != NULL) {
    k->lead_mission_id = 0;
    mission_t m = {0};
    if (json_is_string(v) &&
        (pubid_decode(&app->keys, PUBID_MISSION, json_string_value(v), &k->lead_mission_id) !=
             BH_OK ||
         store_mission_get(ctx->db, k->lead_mission_id, a, &m) != BH_OK)) {
      http_reply_error(r, BH_ERR_INVALID, "lead_mission", "lead_mission must be a mission's id");
      return -1;
    }
    if (json_is_string(v)) mission_clear(&m);
  }
  if (k->countries == NULL) k->countries = json_array();
  if (k->regions == NULL) k->regions = json_array();
  size_t i;
  json_t *reg;
  json_array_foreach(k->regions, i, reg) {
    const char *region = json_string_value(reg);
    if (strlen(region) < 3 || region[2] != '-') continue; /* a name, not a code */
    int ok = 0;
    size_t j;
    json_t *cc;
    json_array_foreach(k->countries, j, cc) {
      if (country_region_valid(json_string_value(cc), region)) ok = 1;
    }
    if (!ok) {
      http_reply_error(r, BH_ERR_INVALID, arena_printf(a, "regions[%zu]", i),
                       "regions[%zu] must be an ISO 3166-2 code of one of the countries, or a name",
                       i);
      return -1;
    }
  }
  geo_area_t area;
  const char *field;
  const char *why = geo_area_parse(k->area, &area, &field);
  if (why != NULL) {
    http_reply_error(r, BH_ERR_INVALID, field ? arena_printf(a, "area.%s", field) : "area",
                     "area %s", why);
    return -1;
  }
  return 0;
}

/* An officer may only declare or change a crisis whose countries are all in the jurisdiction. */
static int crisis_in_jurisdiction_or_reply(http_req_t *r, api_ctx_t *ctx, const crisis_t *k) {
  if (ctx->user.role != ROLE_OFFICER) return 0;
  mission_t m;
  int rc = store_mission_get(ctx->db, ctx->scope.mission_id, r->arena, &m);
  if (rc != BH_OK) {
    api_reply_store_error(r, rc, "mission");
    return -1;
  }
  size_t i;
  json_t *cc;
  int bad = -1;
  json_array_foreach(k->countries, i, cc) {
    int ok = 0;
    size_t j;
    json_t *jc;
    json_array_foreach(m.jurisdiction, j, jc) {
      if (strcmp(json_string_value(jc), json_string_value(cc)) == 0) ok = 1;
    }
    if (!ok && bad < 0) bad = (int)i;
  }
  mission_clear(&m);
  if (bad >= 0) {
    http_reply_error(r, BH_ERR_FORBIDDEN, arena_printf(r->arena, "countries[%d]", bad),
                     "%s is outside your mission's jurisdiction",
                     json_string_value(json_array_get(k->countries, (size_t)bad)));
    return -1;
  }
  return 0;
}

void h_crises_list(app_t *app, http_req_t *r, api_ctx_t *ctx) {
  store_page_t page;
  if (api_page_or_reply(app, r, PUBID_CRISIS, &page) != 0) return;
  crisis_filter_t f = {0};
  const char *status = http_query(r, "status");
  if (status != NULL && strcmp(status, "open") != 0 && strcmp(status, "all") != 0) {
    http_reply_error(r, BH_ERR_INVALID, "status", "status must be open or all");
    return;
  }
  f.open_only = status != NULL && strcmp(status, "open") == 0;
  f.country = http_query(r, "country");
  if (f.country != NULL && !country_valid(f.country)) {
    http_reply_error(r, BH_ERR_INVALID, "country", "country must be an ISO 3166-1 alpha-2 code");
    return;
  }
  store_scope_t scope = api_evac_scope(ctx);
  crisis_t *items;
  size_t n;
  int rc = store_crisis_list(ctx->db, &scope, &f, &page, r->arena, &items, &n);
  if (rc != BH_OK) {
    api_reply_store_error(r, rc, "crisis");
    return;
  }
  json_t *list = json_array();
  for (size_t i = 0; i < n; i++) {
    json_array_append_new(list, render_crisis(app, &items[i]));
    crisis_clear(&items[i]);
  }
  http_reply_json(r, 200, api_page_json(app, list, PUBID_CRISIS, n ? items[n - 1].id : 0,
                                        n == (size_t)page.limit));
}

void h_crises_create(app_t *app, http_req_t *r, api_ctx_t *ctx) {
  if (api_body_or_reply(r, ctx, crisis_create_spec, SPEC_COUNT(crisis_create_spec)) != 0) return;
  crisis_t k = {.created_by = ctx->user.id};
  if (crisis_apply_or_reply(app, r, ctx, &k) != 0 ||
      crisis_in_jurisdiction_or_reply(r, ctx, &k) != 0) {
    crisis_clear(&k);
    return;
  }
  if (k.lead_mission_id == 0 && ctx->user.role == ROLE_OFFICER) {
    k.lead_mission_id = ctx->user.mission_id;
  }
  int rc = store_begin_write(ctx->db);
  if (rc == BH_OK) rc = store_crisis_create(ctx->db, &k);
  if (rc == BH_OK) rc = api_audit(app, r, ctx, "crisis.create", "crisis", k.id, NULL);
  if (rc == BH_OK) rc = store_commit(ctx->db);
  if (rc != BH_OK) {
    store_rollback(ctx->db);
    crisis_clear(&k);
    api_reply_store_error(r, rc, "crisis");
    return;
  }
  http_reply_json(r, 201, render_crisis(app, &k));
  crisis_clear(&k);
}

/* Reads the crisis named by path parameter 0 for the caller; replies 404 and returns -1. */
int api_crisis_or_reply(app_t *app, http_req_t *r, api_ctx_t *ctx, crisis_t *k) {
  int64_t id;
  if (api_id_or_reply(app, r, 0, PUBID_CRISIS, &id) != 0) return -1;
  store_scope_t scope = api_evac_scope(ctx);
  int rc = store_crisis_get(ctx->db, &scope, id, r->arena, k);
  if (rc != BH_OK) {
    api_reply_store_error(r, rc, "crisis");
    return -1;
  }
  return 0;
}

void h_crises_get(app_t *app, http_req_t *r, api_ctx_t *ctx) {
  crisis_t k;
  if (api_crisis_or_reply(app, r, ctx, &k) != 0) return;
  http_reply_json(r, 200, render_crisis(app, &k));
  crisis_clear(&k);
}

void h_crises_update(app_t *app, http_req_t *r, api_ctx_t *ctx) {
  if (api_body_or_reply(r, ctx, crisis_update_spec, SPEC_COUNT(crisis_update_spec)) != 0) return;
  crisis_t k;
  if (api_crisis_or_reply(app, r, ctx, &k) != 0) return;
  /* The countries before the change must be the officer's too, or a PATCH could take over a
   * crisis shared with another mission. */
  if (crisis_in_jurisdiction_or_reply(r, ctx, &k) != 0 ||
      crisis_apply_or_reply(app, r, ctx, &k) != 0 ||
      crisis_in_jurisdiction_or_reply(r, ctx, &k) != 0) {
    crisis_clear(&k);
    return;
  }
  store_scope_t scope = api_evac_scope(ctx);
  int rc = store_begin_write(ctx->db);
  if (rc == BH_OK) rc = store_crisis_update(ctx->db, &scope, &k);
  if (rc == BH_OK) rc = api_audit(app, r, ctx, "crisis.update", "crisis", k.id, NULL);
  if (rc == BH_OK) rc = store_commit(ctx->db);
  crisis_t fresh;
  if (rc == BH_OK) rc = store_crisis_get(ctx->db, &scope, k.id, r->arena, &fresh);
  crisis_clear(&k);
  if (rc != BH_OK) {
    store_rollback(ctx->db);
    api_reply_store_error(r, rc, "crisis");
    return;
  }
  http_reply_json(r, 200, render_crisis(app, &fresh));
  crisis_clear(&fresh);
}

void h_crises_close(app_t *app, http_req_t *r, api_ctx_t *ctx) {
  crisis_t k;
  if (api_crisis_or_reply(app, r, ctx, &k) != 0) return;
  if (crisis_in_jurisdiction_or_reply(r, ctx, &k) != 0) {
    crisis_clear(&k);
    return;
  }
  if (k.closed_at != 0) {
    crisis_clear(&k);
    http_reply_error(r, BH_ERR_CONFLICT, NULL, "the crisis is closed already");
    return;
  }
  store_scope_t scope = api_evac_scope(ctx);
  int rc = store_begin_write(ctx->db);
  if (rc == BH_OK) rc = store_crisis_close(ctx->db, &scope, k.id, clock_now());
  if (rc == BH_OK) rc = api_audit(app, r, ctx, "crisis.close", "crisis", k.id, NULL);
  if (rc == BH_OK) rc = store_commit(ctx->db);
  crisis_t fresh;
  if (rc == BH_OK) rc = store_crisis_get(ctx->db, &scope, k.id, r->arena, &fresh);
  crisis_clear(&k);
  if (rc == BH_ERR_CONFLICT) {
    store_rollback(ctx->db);
    http_reply_error(r, BH_ERR_CONFLICT, NULL, "the crisis is closed already");
    return;
  }
  if (rc != BH_OK) {
    store_rollback(ctx->db);
    api_reply_store_error(r, rc, "crisis");
    return;
  }
  http_reply_json(r, 200, render_crisis(app, &fresh));
  crisis_clear(&fresh);
}

/* ---- accountability ---- */

/* The sentences a spokesperson reads out, in Vietnamese and English (sitrep.c words them). */
static json_t *accountability_statement(const store_tally_t *all) {
  buf_t vi, en;
  buf_init(&vi, 2048);
  buf_init(&en, 2048);
  sitrep_accountability_sentence(all, SITREP_VI, &vi);
  sitrep_accountability_sentence(all, SITREP_EN, &en);
  json_t *out = json_pack("{s:s, s:s}", "vi", vi.data ? vi.data : "", "en", en.data ? en.data : "");
  buf_free(&vi);
  buf_free(&en);
  return out;
}

static json_t *status_counts(const int64_t *by_status, int all) {
  json_t *o = json_object();
  for (int i = 0; model_statuses[i] && i < STORE_STATUS_SLOTS; i++) {
    if (all || by_status[i] != 0) {
      json_object_set_new(o, model_statuses[i], json_integer(by_status[i]));
    }
  }
  return o;
}

static json_t *render_tallies(const char *name, const store_tally_t *t, size_t n) {
  json_t *list = json_array();
  for (size_t i = 0; i < n; i++) {
    json_array_append_new(
        list, json_pack("{s:o, s:I, s:I, s:I, s:o}", name,
                        t[i].key ? json_string(t[i].key) : json_null(), "total",
                        (json_int_t)t[i].total, "reached", (json_int_t)t[i].reached,
                        "not_accounted_for", (json_int_t)t[i].by_status[0], "by_status",
                        status_counts(t[i].by_status, 0)));
  }
  return list;
}

/*
 * The accountability figures of a big crisis cost a walk of its whole audience (a few ms of CPU
 * per 1,000 persons), and during a crisis many officers' consoles poll them while citizens
 * answer. A count may therefore be given again for a short while: for ACC_REUSE_FACTOR times
 * the CPU it cost, at most ACC_REUSE_MAX_US; after that the next reader still gets it while one
 * background thread counts anew (so no request waits for a recount), unless it is older than
 * ACC_STALE_MAX_US. Recounting thus takes about 1/ACC_REUSE_FACTOR of a core however many read.
 * Counts cheaper than ACC_REUSE_MIN_US, or of fewer than ACC_REUSE_MIN_PERSONS persons, are never
 * given again: a small crisis is counted on every read, however slow the machine (the CPU a count
 * costs varies with the build and the load; the audience does not). Each answer says when its count began ("as_of"), and a request with
 * "Cache-Control: no-cache" (or max-age=0) is counted anew. The figures do not depend on the
 * reader (only whether the crisis is visible to the reader does, checked on every request),
 * so one count serves every reader. Counts are kept per crisis and definition (its countries,
 * regions, area and dates), ACC_CACHE_SLOTS crises at most.
 */
#define ACC_REUSE_FACTOR 20
#define ACC_REUSE_MAX_US 2000000
#define ACC_REUSE_MIN_US 2000
#define ACC_REUSE_MIN_PERSONS 1000
#define ACC_STALE_MAX_US 10000000
#define ACC_CACHE_SLOTS 16
#define ACC_ARENA_MAX (64 * 1024 * 1024)

struct acc_slot {
  app_t *app; /* the key: application, crisis and digest of its definition */
  int64_t crisis_id;
  unsigned char def[16];
  char *body; /* the rendered answer (malloc'ed, not NUL-terminated), or NULL */
  size_t len;
  int64_t counted_us; /* clock_mono_us when the count began */
  int64_t reuse_us;   /* how long after that it is given without a recount */
  int64_t used_us;    /* last use, to choose the slot to take over */
  int counting;       /* a count of this slot is under way */
  int wanted;         /* the background thread is asked to count it */
};

static pthread_mutex_t acc_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t acc_wake = PTHREAD_COND_INITIALIZER;    /* a slot is wanted, or stop */
static pthread_cond_t acc_counted = PTHREAD_COND_INITIALIZER; /* a count ended */
static struct acc_slot acc_slots[ACC_CACHE_SLOTS];
static pthread_t acc_thread;
static int acc_thread_on, acc_stop;

/* A digest of what decides a crisis's audience: its area, countries, regions and dates. */
static void acc_definition(const crisis_t *k, unsigned char out[16]) {
  crypto_generichash_state st;
  crypto_generichash_init(&st, NULL, 0, 16);
  int64_t nums[3] = {k->id, k->opened_at, k->closed_at};
  crypto_generichash_update(&st, (const unsigned char *)nums, sizeof(nums));
  const json_t *parts[3] = {k->countries, k->regions, k->area};
  for (int i = 0; i < 3; i++) {
    char *text = parts[i] ? json_dumps(parts[i], JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    crypto_generichash_update(&st, (const unsigned char *)(text ? text : "-"),
                              strlen(text ? text : "-") + 1);
    free(text);
  }
  crypto_generichash_final(&st, out, 16);
}

/* The slot of (app, crisis, definition), taking over the least recently used idle one; NULL
 * when every slot is busy. Called with acc_lock held. */
static struct acc_slot *acc_slot_for(app_t *app, int64_t id, const unsigned char def[16]) {
  struct acc_slot *victim = NULL;
  for (int i = 0; i < ACC_CACHE_SLOTS; i++) {
    struct acc_slot *sl = &acc_slots[i];
    if (sl->app == app && sl->crisis_id == id && memcmp(sl->def, def, 16) == 0) return sl;
    if (!sl->counting && (victim == NULL || sl->used_us < victim->used_us)) victim = sl;
  }
  if (victim == NULL) return NULL;
  free(victim->body);
  memset(victim, 0, sizeof(*victim));
  victim->app = app;
  victim->crisis_id = id;
  memcpy(victim->def, def, 16);
  return victim;
}

static int64_t thread_cpu_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* Counts the figures of crisis k, begun at as_of, and renders them (malloc'ed), with the number
 * of persons counted in *total; NULL with *rc on failure. */
static char *acc_count(app_t *app, store_conn_t *db, arena_t *a, const crisis_t *k,
                       int64_t as_of, int64_t *total, int *rc) {
  store_accountability_t acc;
  *total = 0;
  *rc = store_crisis_accountability(db, k, NULL, a, &acc);
  if (*rc != BH_OK) return NULL;
  *total = acc.all.total;
  json_t *series = json_array();
  for (size_t i = 0; i < acc.nseries; i++) {
    json_array_append_new(series, json_pack("{s:o, s:I, s:o}", "hour", api_time(acc.series[i].hour),
                                            "changes", (json_int_t)acc.series[i].changes,
                                            "by_status",
                                            status_counts(acc.series[i].by_status, 0)));
  }
  json_t *out = json_object();
  json_object_set_new(out, "crisis", api_evac_id(app, PUBID_CRISIS, k->id));
  json_object_set_new(out, "as_of", api_time(as_of));
  json_object_set_new(out, "total", json_integer(acc.all.total));
  json_object_set_new(out, "reached", json_integer(acc.all.reached));
  json_object_set_new(out, "accounted_for", json_integer(acc.all.total - acc.all.by_status[0]));
  json_object_set_new(out, "not_accounted_for", json_integer(acc.all.by_status[0]));
  json_object_set_new(out, "by_status", status_counts(acc.all.by_status, 1));
  json_object_set_new(out, "by_region", render_tallies("region", acc.regions, acc.nregions));
  json_object_set_new(out, "by_category",
                      render_tallies("category", acc.categories, acc.ncategories));
  json_object_set_new(out, "series", series);
  json_object_set_new(out, "statement", accountability_statement(&acc.all));
  char *text = json_dumps(out, JSON_COMPACT);
  json_decref(out);
  if (text == NULL) *rc = BH_ERR_NOMEM;
  return text;
}

/* Keeps text (taken over) as the count of sl begun at begun_us, of total persons, which cost
 * cost_us of CPU. Called with acc_lock held. */
static void acc_keep(struct acc_slot *sl, char *text, int64_t begun_us, int64_t total,
                     int64_t cost_us) {
  if (sl->body != NULL && sl->counted_us > begun_us) {
    free(text); /* a newer count (a no-cache request) came first */
    return;
  }
  free(sl->body);
  sl->body = text;
  sl->len = strlen(text);
  sl->counted_us = begun_us;
  sl->used_us = begun_us;
  sl->reuse_us = cost_us < ACC_REUSE_MIN_US || total < ACC_REUSE_MIN_PERSONS ? 0
                 : cost_us * ACC_REUSE_FACTOR < ACC_REUSE_MAX_US ? cost_us * ACC_REUSE_FACTOR
                                                                : ACC_REUSE_MAX_US;
}

/* A slot the background thread is asked to count, or NULL. Called with acc_lock held. */
static struct acc_slot *acc_next_wanted(void) {
  for (int i = 0; i < ACC_CACHE_SLOTS; i++) {
    if (acc_slots[i].wanted && !acc_slots[i].counting) return &acc_slots[i];
  }
  return NULL;
}

/* The background thread: counts the wanted slots, one at a time, on its own connection. */
static void *acc_main(void *arg) {
  (void)arg;
  arena_t *a = arena_new(ACC_ARENA_MAX);
  pthread_mutex_lock(&acc_lock);
  for (;;) {
    struct acc_slot *sl = NULL;
    while (!acc_stop && (sl = acc_next_wanted()) == NULL) pthread_cond_wait(&acc_wake, &acc_lock);
    if (acc_stop) break;
    sl->wanted = 0;
    sl->counting = 1;
    app_t *app = sl->app;
    int64_t id = sl->crisis_id;
    unsigned char def[16];
    memcpy(def, sl->def, 16);
    pthread_mutex_unlock(&acc_lock);
    char *text = NULL;
    int64_t total = 0;
    int64_t begun = clock_mono_us(), cpu0 = thread_cpu_us();
    store_conn_t *db = a ? store_conn(app->store) : NULL;
    crisis_t k;
    if (db != NULL && store_crisis_get(db, &STORE_SCOPE_ALL, id, a, &k) == BH_OK) {
      unsigned char now_def[16];
      acc_definition(&k, now_def);
      int rc;
      /* A crisis changed since is counted by its next reader. */
      if (memcmp(now_def, def, 16) == 0) text = acc_count(app, db, a, &k, clock_now(), &total, &rc);
      crisis_clear(&k);
    }
    int64_t cost = thread_cpu_us() - cpu0;
    if (a != NULL) arena_reset(a);
    pthread_mutex_lock(&acc_lock);
    sl->counting = 0;
    if (text != NULL) acc_keep(sl, text, begun, total, cost);
    pthread_cond_broadcast(&acc_counted);
  }
  pthread_mutex_unlock(&acc_lock);
  arena_free(a);
  return NULL;
}

void api_accountability_stop(void) {
  pthread_mutex_lock(&acc_lock);
  int on = acc_thread_on;
  acc_stop = 1;
  pthread_cond_broadcast(&acc_wake);
  pthread_mutex_unlock(&acc_lock);
  if (on) pthread_join(acc_thread, NULL);
  pthread_mutex_lock(&acc_lock);
  for (int i = 0; i < ACC_CACHE_SLOTS; i++) {
    free(acc_slots[i].body);
    memset(&acc_slots[i], 0, sizeof(acc_slots[i]));
  }
  acc_thread_on = 0;
  acc_stop = 0;
  pthread_mutex_unlock(&acc_lock);
}

/* Asks the background thread for a recount of sl. Called with acc_lock held. */
static void acc_want(struct acc_slot *sl) {
  if (sl->counting || sl->wanted || acc_stop) return;
  if (!acc_thread_on) {
    if (pthread_create(&acc_thread, NULL, acc_main, NULL) != 0) return;
    acc_thread_on = 1;
  }
  sl->wanted = 1;
  pthread_cond_signal(&acc_wake);
}

static void acc_reply(http_req_t *r, const char *body, size_t len) {
  http_add_header(r, "Cache-Control", "no-store");
  http_reply_bytes(r, 200, "application/json; charset=utf-8", body, len);
}

void h_crises_accountability(app_t *app, http_req_t *r, api_ctx_t *ctx) {
  crisis_t k;
  if (api_crisis_or_reply(app, r, ctx, &k) != 0) return;
  unsigned char def[16];
  acc_definition(&k, def);
  const char *cc = http_header(r, "Cache-Control");
  int fresh = cc != NULL && (strstr(cc, "no-cache") != NULL || strstr(cc, "max-age=0") != NULL);
  pthread_mutex_lock(&acc_lock);
  struct acc_slot *sl = acc_slot_for(app, k.id, def);
  /* The first count of a crisis is made once, however many ask for it at the same time. */
  while (sl != NULL && !fresh && sl->body == NULL && sl->counting) {
    pthread_cond_wait(&acc_counted, &acc_lock);
    sl = acc_slot_for(app, k.id, def);
  }
  int64_t now = clock_mono_us();
  if (sl != NULL && !fresh && sl->body != NULL && sl->reuse_us > 0 &&
      now - sl->counted_us < ACC_STALE_MAX_US) {
    if (now - sl->counted_us >= sl->reuse_us) acc_want(sl);
    sl->used_us = now;
    acc_reply(r, sl->body, sl->len); /* (copied) */
    pthread_mutex_unlock(&acc_lock);
    crisis_clear(&k);
    return;
  }
  int mine = sl != NULL && !sl->counting;
  if (mine) sl->counting = 1;
  pthread_mutex_unlock(&acc_lock);
  int64_t cpu0 = thread_cpu_us();
  int rc;
  int64_t total = 0;
  char *text = acc_count(app, ctx->db, r->arena, &k, clock_now(), &total, &rc);
  int64_t cost = thread_cpu_us() - cpu0;
  crisis_clear(&k);
  if (text != NULL) acc_reply(r, text, strlen(text));
  if (mine) {
    /* The slot was not taken over meanwhile: acc_slot_for skips slots being counted. */
    pthread_mutex_lock(&acc_lock);
    sl->counting = 0;
    if (text != NULL) {
      acc_keep(sl, text, now, total, cost);
      text = NULL;
    }
    pthread_cond_broadcast(&acc_counted);
    pthread_mutex_unlock(&acc_lock);
  }
  free(text);
  if (rc != BH_OK) api_reply_store_error(r, rc, "crisis");
}
