/*
 * store_crisis.c - the crisis and advisory part of the storage interface (store.h): forwards
 * each call to the backend that owns the connection, and builds, on top of the backends' raw
 * queries, what is the same for both: the audience of a crisis (area test, one row per person,
 * alert filters) and its accountability figures.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "domain/geo.h"
#include "store/store.h"
#include "store/store_crisis_impl.h"
#include "store/store_impl.h"
#include "util/clock.h"
#include "util/err.h"

/* Forwards a call to the backend that owns connection c. */
#define CRISIS_CALL(c, fn, ...) \
  ((c)->pg ? pg_##fn((c)->pg, __VA_ARGS__) : sq_##fn((c)->sq, __VA_ARGS__))

int store_crisis_create(store_conn_t *c, crisis_t *k) { return CRISIS_CALL(c, crisis_create, k); }

int store_crisis_get(store_conn_t *c, const store_scope_t *scope, int64_t id, arena_t *a,
                     crisis_t *out) {
  return CRISIS_CALL(c, crisis_get, scope, id, a, out);
}

int store_crisis_update(store_conn_t *c, const store_scope_t *scope, const crisis_t *k) {
  return CRISIS_CALL(c, crisis_update, scope, k);
}

int store_crisis_list(store_conn_t *c, const store_scope_t *scope, const crisis_filter_t *f,
                      const store_page_t *page, arena_t *a, crisis_t **out, size_t *n) {
  return CRISIS_CALL(c, crisis_list, scope, f, page, a, out, n);
}

int store_crisis_close(store_conn_t *c, const store_scope_t *scope, int64_t id,
                       int64_t closed_at) {
  return CRISIS_CALL(c, crisis_close, scope, id, closed_at);
}

int store_crisis_reached_each(store_conn_t *c, int64_t crisis_id,
                              int (*cb)(void *ctx, int64_t person_id), void *ctx) {
  return CRISIS_CALL(c, crisis_reached_each, crisis_id, cb, ctx);
}

int store_status_events_since(store_conn_t *c, int64_t since,
                              int (*cb)(void *ctx, int64_t person_id, const char *status,
                                        int64_t at),
                              void *ctx) {
  return CRISIS_CALL(c, status_events_since, since, cb, ctx);
}

int store_advisory_publish(store_conn_t *c, advisory_t *adv) {
  return CRISIS_CALL(c, advisory_publish, adv);
}

int store_advisory_get(store_conn_t *c, int64_t id, arena_t *a, advisory_t *out) {
  return CRISIS_CALL(c, advisory_get, id, a, out);
}

int store_advisory_list(store_conn_t *c, const char *country, const store_page_t *page,
                        arena_t *a, advisory_t **out, size_t *n) {
  return CRISIS_CALL(c, advisory_list, country, page, a, out, n);
}

int store_advisory_history(store_conn_t *c, int64_t series_id, arena_t *a, advisory_t **out,
                           size_t *n) {
  return CRISIS_CALL(c, advisory_history, series_id, a, out, n);
}

int store_advisory_recent(store_conn_t *c, int limit, arena_t *a, advisory_t **out, size_t *n) {
  return CRISIS_CALL(c, advisory_recent, limit, a, out, n);
}

/* ---- audience ---- */

/* 1 if s is in the string array list; an absent or empty list lets everything through. */
static int filter_allows(const json_t *filter, const char *key, const char *s) {
  const json_t *list = filter ? json_object_get(filter, key) : NULL;
  if (!json_is_array(list) || json_array_size(list) == 0) return 1;
  if (s == NULL) return 0;
  size_t i;
  const json_t *v;
  json_array_foreach(list, i, v) {
    const char *t = json_string_value(v);
    if (t != NULL && strcmp(t, s) == 0) return 1;
  }
  return 0;
}

struct audience_walk {
  const geo_area_t *area;
  const json_t *filter;
  int64_t last_person; /* the person already taken (or refused by the filter) */
  store_audience_cb cb;
  void *ctx;
  int stopped;
};

static int audience_row(void *ctx, const store_crisis_row_t *row) {
  struct audience_walk *w = ctx;
  if (row->m.person_id == w->last_person) return 0; /* a newer presence matched already */
  if (row->has_geo && !geo_area_contains(w->area, row->lat, row->lon)) return 0;
  w->last_person = row->m.person_id;
  if (!filter_allows(w->filter, "regions", row->m.region) ||
      !filter_allows(w->filter, "categories", row->m.category) ||
      !filter_allows(w->filter, "statuses", row->m.status)) {
    return 0;
  }
  if (w->cb(w->ctx, &row->m) != 0) {
    w->stopped = 1;
    return 1;
  }
  return 0;
}

/* Today's UTC date as YYYY-MM-DD. */
static void today_utc(char out[11]) {
  time_t t = (time_t)clock_now();
  struct tm tm;
  gmtime_r(&t, &tm);
  strftime(out, 11, "%Y-%m-%d", &tm);
}

/* The audience walk for crisis k (already read and visible). */
static int audience_of(store_conn_t *c, const store_scope_t *scope, const crisis_t *k,
                       const json_t *filter, const char *today, int contacts,
                       store_audience_cb cb, void *ctx) {
  geo_area_t *area = malloc(sizeof(*area));
  if (area == NULL) return BH_ERR_NOMEM;
  const char *field;
  if (geo_area_parse(k->area, area, &field) != NULL) area->kind = GEO_NONE; /* checked on input */
  char day[11];
  if (today == NULL) {
    today_utc(day);
    today = day;
  }
  struct audience_walk w = {.area = area, .filter = filter, .cb = cb, .ctx = ctx};
  int rc = CRISIS_CALL(c, crisis_presences_each, scope, k->id, today, contacts, audience_row,
                       &w);
  free(area);
  return rc;
}

int store_crisis_audience_each(store_conn_t *c, const store_scope_t *scope, int64_t crisis_id,
                               const json_t *filter, const char *today, store_audience_cb cb,
                               void *ctx) {
  arena_t *a = arena_new(16 * 1024);
  if (a == NULL) return BH_ERR_NOMEM;
  crisis_t k;
  int rc = store_crisis_get(c, scope, crisis_id, a, &k);
  if (rc == BH_OK) {
    rc = audience_of(c, scope, &k, filter, today, 1, cb, ctx);
    crisis_clear(&k);
  }
  arena_free(a);
  return rc;
}

/* ---- accountability ---- */

/* The growing state of an accountability count. */
struct tally_set {
  store_tally_t *items;
  size_t n, cap;
};

struct acc_walk {
  store_accountability_t *out;
  struct tally_set regions, categories;
  int64_t *ids; /* audience person ids, increasing (the walk's order) */
  uint32_t *region_of, *category_of; /* per index of ids: the index of its tallies */
  size_t nids, capids;
  unsigned char *reached; /* per index of ids */
  int failed;
};

static int tally_key_cmp(const char *a, const char *b) {
  if (a == NULL || b == NULL) return a == b ? 0 : a == NULL ? -1 : 1;
  return strcmp(a, b);
}

/* The tally of key in set (added when new); "(other)" once STORE_TALLY_MAX keys exist. */
static store_tally_t *tally_find(struct tally_set *set, const char *key) {
  for (size_t i = 0; i < set->n; i++) {
    if (tally_key_cmp(set->items[i].key, key) == 0) return &set->items[i];
  }
  if (set->n >= STORE_TALLY_MAX) {
    key = "(other)";
    for (size_t i = 0; i < set->n; i++) {
      if (tally_key_cmp(set->items[i].key, key) == 0) return &set->items[i];
    }
  }
  if (set->n == set->cap) {
    size_t cap = set->cap ? set->cap * 2 : 16;
    store_tally_t *grown = realloc(set->items, cap * sizeof(*grown));
    if (grown == NULL) return NULL;
    set->items = grown;
    set->cap = cap;
  }
  store_tally_t *t = &set->items[set->n++];
  memset(t, 0, sizeof(*t));
  t->key = key ? strdup(key) : NULL;
  if (key != NULL && t->key == NULL) {
    set->n--;
    return NULL;
  }
  return t;
}

static void tally_add(store_tally_t *t, int status) {
  t->total++;
  if (status >= 0 && status < STORE_STATUS_SLOTS) t->by_status[status]++;
}

/* Appends person and its tallies to the walk's sorted ids; BH_ERR_NOMEM when it cannot grow. */
static int acc_push_id(struct acc_walk *w, int64_t person, size_t region, size_t category) {
  if (w->nids == w->capids) {
    size_t cap = w->capids ? w->capids * 2 : 1024;
    int64_t *grown = realloc(w->ids, cap * sizeof(*grown));
    if (grown == NULL) return BH_ERR_NOMEM;
    w->ids = grown;
    uint32_t *r = realloc(w->region_of, cap * sizeof(*r));
    if (r == NULL) return BH_ERR_NOMEM;
    w->region_of = r;
    uint32_t *k = realloc(w->category_of, cap * sizeof(*k));
    if (k == NULL) return BH_ERR_NOMEM;
    w->category_of = k;
    w->capids = cap;
  }
  w->region_of[w->nids] = (uint32_t)region;
  w->category_of[w->nids] = (uint32_t)category;
  w->ids[w->nids++] = person;
  return BH_OK;
}

static int acc_member(void *ctx, const store_audience_member_t *m) {
  struct acc_walk *w = ctx;
  int status = model_enum_index(model_statuses, m->status);
  store_tally_t *r = tally_find(&w->regions, m->region);
  store_tally_t *k = r ? tally_find(&w->categories, m->category) : NULL;
  if (k == NULL || acc_push_id(w, m->person_id, (size_t)(r - w->regions.items),
                               (size_t)(k - w->categories.items)) != BH_OK) {
    w->failed = 1;
    return 1;
  }
  tally_add(&w->out->all, status);
  tally_add(r, status);
  tally_add(k, status);
  return 0;
}

/* The index of person in the sorted ids, or -1. */
static long acc_index(const struct acc_walk *w, int64_t person) {
  size_t lo = 0, hi = w->nids;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (w->ids[mid] < person) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo < w->nids && w->ids[lo] == person ? (long)lo : -1;
}

static int acc_reached(void *ctx, int64_t person_id) {
  struct acc_walk *w = ctx;
  long i = acc_index(w, person_id);
  if (i >= 0) w->reached[i] = 1;
  return 0;
}

struct acc_series {
  struct acc_walk *walk;
  store_series_point_t *points; /* a window of the latest STORE_SERIES_MAX hours */
  size_t n;
};

static int acc_event(void *ctx, int64_t person_id, const char *status, int64_t at) {
  struct acc_series *s = ctx;
  if (acc_index(s->walk, person_id) < 0) return 0;
  int64_t hour = at - at % 3600;
  if (s->n == 0 || s->points[s->n - 1].hour != hour) {
    if (s->n == STORE_SERIES_MAX) {
      memmove(s->points, s->points + 1, (STORE_SERIES_MAX - 1) * sizeof(*s->points));
      s->n--;
    }
    memset(&s->points[s->n], 0, sizeof(*s->points));
    s->points[s->n++].hour = hour;
  }
  store_series_point_t *p = &s->points[s->n - 1];
  p->changes++;
  int i = model_enum_index(model_statuses, status);
  if (i >= 0 && i < STORE_STATUS_SLOTS) p->by_status[i]++;
  return 0;
}

static int tally_sort_cmp(const void *a, const void *b) {
  return tally_key_cmp(((const store_tally_t *)a)->key, ((const store_tally_t *)b)->key);
}

/* Moves a tally set into the arena, sorted by key, counting reached members; frees the set. */
static int tally_export(struct tally_set *set, arena_t *a, store_tally_t **out, size_t *n) {
  int rc = BH_OK;
  *out = NULL;
  *n = 0;
  if (set->n > 0) {
    qsort(set->items, set->n, sizeof(*set->items), tally_sort_cmp);
    *out = arena_alloc(a, set->n * sizeof(**out));
    if (*out == NULL) rc = BH_ERR_NOMEM;
  }
  for (size_t i = 0; i < set->n; i++) {
    if (rc == BH_OK) {
      (*out)[i] = set->items[i];
      (*out)[i].key = set->items[i].key ? arena_strdup(a, set->items[i].key) : NULL;
    }
    free((char *)set->items[i].key);
  }
  if (rc == BH_OK) *n = set->n;
  free(set->items);
  set->items = NULL;
  set->n = set->cap = 0;
  return rc;
}

/* Adds the reached persons to the tallies, through the tallies each member was counted in. */
static void acc_add_reached(struct acc_walk *w) {
  for (size_t i = 0; i < w->nids; i++) {
    if (!w->reached[i]) continue;
    w->out->all.reached++;
    w->regions.items[w->region_of[i]].reached++;
    w->categories.items[w->category_of[i]].reached++;
  }
}

int store_crisis_accountability(store_conn_t *c, const crisis_t *k, const char *today, arena_t *a,
                                store_accountability_t *out) {
  memset(out, 0, sizeof(*out));
  struct acc_walk w = {.out = out};
  struct acc_series s = {.walk = &w};
  char day[11];
  if (today == NULL) {
    today_utc(day);
    today = day;
  }
  int rc = audience_of(c, &STORE_SCOPE_ALL, k, NULL, today, 0, acc_member, &w);
  if (rc == BH_OK && w.failed) rc = BH_ERR_NOMEM;
  if (rc == BH_OK) {
    w.reached = calloc(w.nids ? w.nids : 1, 1);
    s.points = malloc(STORE_SERIES_MAX * sizeof(*s.points));
    if (w.reached == NULL || s.points == NULL) rc = BH_ERR_NOMEM;
  }
  if (rc == BH_OK) rc = store_crisis_reached_each(c, k->id, acc_reached, &w);
  if (rc == BH_OK) acc_add_reached(&w);
  if (rc == BH_OK && w.nids > 0) rc = store_status_events_since(c, k->opened_at, acc_event, &s);
  int rc2 = tally_export(&w.regions, a, &out->regions, &out->nregions);
  int rc3 = tally_export(&w.categories, a, &out->categories, &out->ncategories);
  if (rc == BH_OK) rc = rc2 != BH_OK ? rc2 : rc3;
  if (rc == BH_OK && s.n > 0) {
    out->series = arena_alloc(a, s.n * sizeof(*out->series));
    if (out->series == NULL) {
      rc = BH_ERR_NOMEM;
    } else {
      memcpy(out->series, s.points, s.n * sizeof(*out->series));
      out->nseries = s.n;
    }
  }
  free(s.points);
  free(w.reached);
  free(w.ids);
  free(w.region_of);
  free(w.category_of);
  return rc;
}
