/*
 * store_evac.c - the rules of store_evac.h, built from the single statements of the backends
 * (sqe_ for SQLite in store_sqlite_evac.c, pge_ for PostgreSQL in store_pg_evac.c), so that both
 * backends refuse and change exactly the same things: capacity and double-booking checks of a
 * booking group, check-ins, status transitions, arrival with its welfare statuses and closed
 * presences, and the ordered suggestions of a transport.
 */
#include "store/store_evac.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "domain/pdate.h"
#include "store/store_evac_impl.h"
#include "store/store_impl.h"
#include "util/clock.h"
#include "util/err.h"

#define EVAC_CALL(c, fn, ...) \
  ((c)->pg ? pge_##fn((c)->pg, __VA_ARGS__) : sqe_##fn((c)->sq, __VA_ARGS__))

void transport_clear(transport_t *t) {
  if (t == NULL) return;
  json_decref(t->seats);
  json_decref(t->by_nationality);
  t->seats = t->by_nationality = NULL;
}

void store_evac_counts_parse(const char *json_text, size_t len, int64_t *counts) {
  memset(counts, 0, sizeof(*counts) * EVAC_ENTRY_STATUS_COUNT);
  if (json_text == NULL) return;
  json_t *o = json_loadb(json_text, len, 0, NULL);
  const char *k;
  json_t *v;
  json_object_foreach(o, k, v) {
    int i = model_enum_index(evac_entry_statuses, k);
    if (i >= 0 && i < EVAC_ENTRY_STATUS_COUNT) counts[i] = (int64_t)json_integer_value(v);
  }
  json_decref(o);
}

/* The static string of list equal to s (refusals outlive the caller's arena), or "unknown". */
static const char *vocab(const char *const *list, const char *s) {
  int i = model_enum_index(list, s);
  return i >= 0 ? list[i] : "unknown";
}

static void refuse(evac_refusal_t *why, int kind) {
  memset(why, 0, sizeof(*why));
  why->kind = kind;
}

/* ---- sites ---- */

int store_site_create(store_conn_t *c, site_t *s) { return EVAC_CALL(c, site_create, s); }

int store_site_get(store_conn_t *c, const store_scope_t *scope, int64_t id, arena_t *a,
                   site_t *out) {
  return EVAC_CALL(c, site_get, scope, id, 0, a, out);
}

int store_site_update(store_conn_t *c, const store_scope_t *scope, const site_t *s) {
  return EVAC_CALL(c, site_update, scope, s);
}

int store_site_list(store_conn_t *c, const store_scope_t *scope, const site_filter_t *f,
                    const store_page_t *page, arena_t *a, site_t **out, size_t *n) {
  return EVAC_CALL(c, site_list, scope, f, page, a, out, n);
}

int store_site_checkin(store_conn_t *c, const store_scope_t *scope, int64_t site_id,
                       int64_t person_id, int64_t at, int64_t author_id, evac_refusal_t *why,
                       int64_t *stay_id) {
  refuse(why, EVAC_REFUSED_NONE);
  arena_t *a = arena_new(4096);
  if (a == NULL) return BH_ERR_NOMEM;
  site_t s;
  int64_t open_stay, open_site;
  int rc = EVAC_CALL(c, site_get, scope, site_id, 1, a, &s);
  if (rc != BH_OK) goto out;
  rc = EVAC_CALL(c, person_visible, scope, person_id);
  if (rc == BH_ERR_NOT_FOUND) refuse(why, EVAC_REFUSED_PERSON);
  if (rc != BH_OK) goto out;
  rc = EVAC_CALL(c, stay_open, person_id, &open_stay, &open_site);
  if (rc == BH_OK) {
    refuse(why, EVAC_REFUSED_AT_SITE);
    why->other_id = open_site;
    rc = BH_ERR_CONFLICT;
    goto out;
  }
  if (rc != BH_ERR_NOT_FOUND) goto out;
  if (s.occupancy + 1 > s.capacity) {
    refuse(why, EVAC_REFUSED_CAPACITY);
    why->capacity = s.capacity;
    why->used = s.occupancy;
    why->needed = 1;
    rc = BH_ERR_CONFLICT;
    goto out;
  }
  rc = EVAC_CALL(c, stay_insert, site_id, person_id, at ? at : clock_now(), author_id, stay_id);
  /* A check-in of the same person racing this one elsewhere trips the one-open-stay index. */
  if (rc == BH_ERR_CONFLICT) refuse(why, EVAC_REFUSED_AT_SITE);
out:
  arena_free(a);
  return rc;
}

int store_site_checkout(store_conn_t *c, const store_scope_t *scope, int64_t site_id,
                        int64_t person_id, int64_t at, int64_t author_id, evac_refusal_t *why) {
  refuse(why, EVAC_REFUSED_NONE);
  arena_t *a = arena_new(4096);
  if (a == NULL) return BH_ERR_NOMEM;
  site_t s;
  int64_t changes = 0;
  int rc = EVAC_CALL(c, site_get, scope, site_id, 1, a, &s);
  if (rc != BH_OK) goto out;
  rc = EVAC_CALL(c, person_visible, scope, person_id);
  if (rc == BH_ERR_NOT_FOUND) refuse(why, EVAC_REFUSED_PERSON);
  if (rc != BH_OK) goto out;
  rc = EVAC_CALL(c, stay_close, site_id, person_id, at ? at : clock_now(), author_id, &changes);
  if (rc == BH_OK && changes == 0) {
    refuse(why, EVAC_REFUSED_NOT_AT_SITE);
    rc = BH_ERR_CONFLICT;
  }
out:
  arena_free(a);
  return rc;
}

int store_site_people(store_conn_t *c, const store_scope_t *scope, int64_t site_id,
                      int present_only, const store_page_t *page, arena_t *a, site_stay_t **out,
                      size_t *n) {
  return EVAC_CALL(c, site_people, scope, site_id, present_only, page, a, out, n);
}

/* ---- transports ---- */

int store_transport_create(store_conn_t *c, transport_t *t) {
  return EVAC_CALL(c, transport_create, t);
}

int store_transport_get(store_conn_t *c, const store_scope_t *scope, int64_t id, arena_t *a,
                        transport_t *out) {
  return EVAC_CALL(c, transport_get, scope, id, 0, a, out);
}

int store_transport_update(store_conn_t *c, const store_scope_t *scope, const transport_t *t) {
  return EVAC_CALL(c, transport_update, scope, t);
}

int store_transport_list(store_conn_t *c, const store_scope_t *scope, const transport_filter_t *f,
                         const store_page_t *page, arena_t *a, transport_t **out, size_t *n) {
  return EVAC_CALL(c, transport_list, scope, f, page, a, out, n);
}

/* The UTC date of unix time t as YYYY-MM-DD. */
static void utc_date(int64_t t, char out[11]) {
  char ts[PDATE_TIMESTAMP_SIZE];
  pdate_format_timestamp(t, ts);
  memcpy(out, ts, 10);
  out[10] = '\0';
}

/*
 * What an arrival does to the registered persons ids[0..n-1] of transport t: their welfare
 * status (with history) and, for a repatriation, their presences in the origin country.
 */
static int arrive_persons(store_conn_t *c, const transport_t *t, const int64_t *ids, size_t n,
                          int64_t at, int64_t author_id, store_arrival_t *out) {
  int repatriation = strcmp(t->purpose, "repatriation") == 0;
  char date[11];
  utc_date(at, date);
  int64_t now = clock_now();
  for (size_t i = 0; i < n; i++) {
    /* The right to arrive the transport is the right to record its passengers' arrival, so the
     * status is set with the whole registry in scope (the persons were in scope when booked). */
    status_event_t ev = {.person_id = ids[i],
                         .status = repatriation ? "repatriated" : "evacuated",
                         .at = at,
                         .source = "officer",
                         .author_id = author_id,
                         .note = t->reference};
    store_scope_t all = STORE_SCOPE_ALL;
    int rc = store_status_set(c, &all, &ev);
    if (rc != BH_OK) return rc;
    out->persons++;
    if (repatriation) {
      int64_t closed = 0;
      rc = EVAC_CALL(c, presence_close, ids[i], t->origin_country, date, now, &closed);
      if (rc != BH_OK) return rc;
      out->presences += closed;
    }
  }
  return BH_OK;
}

int store_transport_arrive(store_conn_t *c, const store_scope_t *scope, int64_t id, int64_t at,
                           int64_t author_id, store_arrival_t *out, evac_refusal_t *why) {
  memset(out, 0, sizeof(*out));
  refuse(why, EVAC_REFUSED_NONE);
  arena_t *a = arena_new(1 << 16);
  if (a == NULL) return BH_ERR_NOMEM;
  transport_t t = {0};
  int64_t *ids = NULL;
  size_t n = 0;
  if (at == 0) at = clock_now();
  int rc = EVAC_CALL(c, transport_get, scope, id, 1, a, &t);
  if (rc != BH_OK) goto out;
  if (strcmp(t.status, "arrived") == 0) goto out; /* idempotent: nothing changes */
  if (!evac_transition_allowed(evac_transport_transitions, t.status, "arrived")) {
    refuse(why, EVAC_REFUSED_STATUS);
    why->from = vocab(evac_transport_statuses, t.status);
    why->to = "arrived";
    rc = BH_ERR_CONFLICT;
    goto out;
  }
  rc = EVAC_CALL(c, boarded_persons, id, a, &ids, &n);
  if (rc == BH_OK) rc = EVAC_CALL(c, arrive_boarded, id, at, &out->entries);
  if (rc == BH_OK) rc = EVAC_CALL(c, transport_status_write, id, "arrived", 0, at, clock_now());
  if (rc == BH_OK) rc = arrive_persons(c, &t, ids, n, at, author_id, out);
  if (rc == BH_OK) out->changed = 1;
out:
  transport_clear(&t);
  arena_free(a);
  return rc;
}

int store_transport_set_status(store_conn_t *c, const store_scope_t *scope, int64_t id,
                               const char *to, int64_t at, int64_t author_id,
                               evac_refusal_t *why) {
  refuse(why, EVAC_REFUSED_NONE);
  if (strcmp(to, "arrived") == 0) {
    store_arrival_t arrival;
    return store_transport_arrive(c, scope, id, at, author_id, &arrival, why);
  }
  arena_t *a = arena_new(4096);
  if (a == NULL) return BH_ERR_NOMEM;
  transport_t t = {0};
  if (at == 0) at = clock_now();
  int rc = EVAC_CALL(c, transport_get, scope, id, 1, a, &t);
  if (rc != BH_OK) goto out;
  if (strcmp(t.status, to) == 0) goto out; /* already there: nothing to change */
  if (!evac_transition_allowed(evac_transport_transitions, t.status, to)) {
    refuse(why, EVAC_REFUSED_STATUS);
    why->from = vocab(evac_transport_statuses, t.status);
    why->to = vocab(evac_transport_statuses, to);
    rc = BH_ERR_CONFLICT;
    goto out;
  }
  rc = EVAC_CALL(c, transport_status_write, id, to, strcmp(to, "departed") == 0 ? at : 0, 0,
                 clock_now());
out:
  transport_clear(&t);
  arena_free(a);
  return rc;
}

/* ---- manifests ---- */

int store_manifest_add(store_conn_t *c, const store_scope_t *scope, int64_t transport_id,
                       const manifest_in_t *in, size_t n, int64_t now, int64_t author_id,
                       int64_t *ids, int64_t *booking, evac_refusal_t *why) {
  refuse(why, EVAC_REFUSED_NONE);
  arena_t *a = arena_new(4096);
  if (a == NULL) return BH_ERR_NOMEM;
  transport_t t = {0};
  int64_t used = 0;
  int rc = EVAC_CALL(c, transport_get, scope, transport_id, 1, a, &t);
  if (rc != BH_OK) goto out;
  if (strcmp(t.status, "planned") != 0) {
    refuse(why, EVAC_REFUSED_NOT_BOOKABLE);
    why->from = vocab(evac_transport_statuses, t.status);
    rc = BH_ERR_CONFLICT;
    goto out;
  }
  for (size_t i = 0; i < n; i++) {
    if (in[i].person_id == 0) continue;
    rc = EVAC_CALL(c, person_visible, scope, in[i].person_id);
    if (rc == BH_ERR_NOT_FOUND) {
      refuse(why, EVAC_REFUSED_PERSON);
      why->index = i;
    }
    if (rc != BH_OK) goto out;
    int64_t other = 0;
    rc = EVAC_CALL(c, seat_held, in[i].person_id, transport_id, t.crisis_id, &other);
    if (rc == BH_OK) {
      refuse(why, EVAC_REFUSED_BOOKED);
      why->index = i;
      why->other_id = other;
      rc = BH_ERR_CONFLICT;
      goto out;
    }
    if (rc != BH_ERR_NOT_FOUND) goto out;
  }
  rc = EVAC_CALL(c, seats_used, transport_id, &used);
  if (rc != BH_OK) goto out;
  if (used + (int64_t)n > t.capacity) {
    refuse(why, EVAC_REFUSED_CAPACITY);
    why->capacity = t.capacity;
    why->used = used;
    why->needed = (int64_t)n;
    rc = BH_ERR_CONFLICT;
    goto out;
  }
  rc = EVAC_CALL(c, booking_next, transport_id, booking);
  for (size_t i = 0; i < n && rc == BH_OK; i++) {
    rc = EVAC_CALL(c, entry_insert, transport_id, *booking, &in[i], now ? now : clock_now(),
                   author_id, &ids[i]);
  }
out:
  transport_clear(&t);
  arena_free(a);
  return rc;
}

int store_manifest_list(store_conn_t *c, const store_scope_t *scope, int64_t transport_id,
                        const store_page_t *page, arena_t *a, manifest_entry_t **out, size_t *n) {
  transport_t t = {0};
  int rc = EVAC_CALL(c, transport_get, scope, transport_id, 0, a, &t);
  transport_clear(&t);
  if (rc != BH_OK) return rc;
  return EVAC_CALL(c, manifest_list, transport_id, page, a, out, n);
}

int store_manifest_get(store_conn_t *c, const store_scope_t *scope, int64_t transport_id,
                       int64_t entry_id, arena_t *a, manifest_entry_t *out) {
  transport_t t = {0};
  int rc = EVAC_CALL(c, transport_get, scope, transport_id, 0, a, &t);
  transport_clear(&t);
  if (rc != BH_OK) return rc;
  return EVAC_CALL(c, manifest_get, transport_id, entry_id, 0, a, out);
}

int store_manifest_set_status(store_conn_t *c, const store_scope_t *scope, int64_t transport_id,
                              int64_t entry_id, const char *to, int64_t at, int64_t author_id,
                              evac_refusal_t *why) {
  refuse(why, EVAC_REFUSED_NONE);
  arena_t *a = arena_new(4096);
  if (a == NULL) return BH_ERR_NOMEM;
  transport_t t = {0};
  manifest_entry_t e;
  if (at == 0) at = clock_now();
  int rc = EVAC_CALL(c, transport_get, scope, transport_id, 1, a, &t);
  if (rc == BH_OK) rc = EVAC_CALL(c, manifest_get, transport_id, entry_id, 1, a, &e);
  if (rc != BH_OK) goto out;
  if (!evac_transition_allowed(evac_entry_transitions, e.status, to)) {
    refuse(why, EVAC_REFUSED_STATUS);
    why->from = vocab(evac_entry_statuses, e.status);
    why->to = vocab(evac_entry_statuses, to);
    rc = BH_ERR_CONFLICT;
    goto out;
  }
  rc = EVAC_CALL(c, entry_status_write, entry_id, to, at);
  if (rc == BH_OK && strcmp(to, "arrived") == 0 && e.person_id != 0) {
    store_arrival_t ignored = {0};
    rc = arrive_persons(c, &t, &e.person_id, 1, at, author_id, &ignored);
  }
out:
  transport_clear(&t);
  arena_free(a);
  return rc;
}

/* ---- suggestions ---- */

struct suggest_ctx {
  arena_t *a;
  int today_year;
  const int64_t *audience; /* sorted presence ids of the crisis's audience, or NULL */
  size_t naudience;
  evac_candidate_t *items;
  size_t n, cap;
  int64_t last_person;
  int failed;
};

static int presence_cmp(const void *pa, const void *pb) {
  int64_t x = *(const int64_t *)pa, y = *(const int64_t *)pb;
  return x < y ? -1 : x > y;
}

static int suggest_row(void *vctx, const evac_candidate_row_t *row) {
  struct suggest_ctx *s = vctx;
  if (s->audience != NULL) {
    if (bsearch(&row->presence_id, s->audience, s->naudience, sizeof(int64_t), presence_cmp) ==
        NULL) {
      return 0;
    }
  } else if (row->person_id == s->last_person) {
    return 0; /* without a crisis each person counts once, with the newest presence */
  }
  s->last_person = row->person_id;
  if (s->n == s->cap) {
    size_t cap = s->cap ? s->cap * 2 : 256;
    evac_candidate_t *grown = arena_alloc(s->a, sizeof(*grown) * cap);
    if (grown == NULL) {
      s->failed = 1;
      return 1;
    }
    if (s->n) memcpy(grown, s->items, sizeof(*grown) * s->n);
    s->items = grown;
    s->cap = cap;
  }
  evac_suggestion_t *sg = arena_calloc(s->a, sizeof(*sg));
  if (sg == NULL) {
    s->failed = 1;
    return 1;
  }
  sg->person_id = row->person_id;
  sg->full_name = arena_strdup(s->a, row->full_name ? row->full_name : "");
  sg->group_id = row->group_id ? arena_strdup(s->a, row->group_id) : NULL;
  sg->category = row->category ? arena_strdup(s->a, row->category) : NULL;
  sg->status = row->status ? arena_strdup(s->a, row->status) : NULL;
  sg->rank = evac_rank_of(row->status, row->flags, row->date_of_birth, row->category,
                          s->today_year);
  s->items[s->n++] = (evac_candidate_t){.person_id = row->person_id,
                                        .group_id = sg->group_id,
                                        .rank = sg->rank,
                                        .data = sg};
  return 0;
}

struct audience_ids {
  arena_t *a;
  int64_t *ids;
  size_t n, cap;
  int failed;
};

static int audience_row(void *vctx, const store_audience_member_t *m) {
  struct audience_ids *s = vctx;
  if (s->n == s->cap) {
    size_t cap = s->cap ? s->cap * 2 : 1024;
    int64_t *grown = arena_alloc(s->a, sizeof(*grown) * cap);
    if (grown == NULL) {
      s->failed = 1;
      return 1;
    }
    if (s->n) memcpy(grown, s->ids, sizeof(*grown) * s->n);
    s->ids = grown;
    s->cap = cap;
  }
  s->ids[s->n++] = m->presence_id;
  return 0;
}

int store_transport_suggestions(store_conn_t *c, const store_scope_t *scope, int64_t transport_id,
                                const char *today, size_t limit, arena_t *a,
                                evac_suggestion_t **out, size_t *n) {
  *out = NULL;
  *n = 0;
  char day[11];
  if (today == NULL) {
    utc_date(clock_now(), day);
    today = day;
  }
  int year = atoi(today); /* today is YYYY-MM-DD, checked by the caller */
  transport_t t = {0};
  crisis_t k = {0};
  struct suggest_ctx s = {.a = a, .today_year = year, .last_person = -1};
  int rc = EVAC_CALL(c, transport_get, scope, transport_id, 0, a, &t);
  if (rc != BH_OK) goto out;
  if (t.crisis_id != 0) {
    store_scope_t all = STORE_SCOPE_ALL;
    struct audience_ids ids = {.a = a};
    rc = store_crisis_get(c, &all, t.crisis_id, a, &k);
    if (rc == BH_OK) {
      rc = store_crisis_audience_each(c, scope, t.crisis_id, NULL, today, audience_row, &ids);
    }
    if (rc == BH_OK && ids.failed) rc = BH_ERR_NOMEM;
    if (rc != BH_OK) goto out;
    if (ids.n == 0) goto out;
    qsort(ids.ids, ids.n, sizeof(int64_t), presence_cmp);
    s.audience = ids.ids;
    s.naudience = ids.n;
    size_t i;
    json_t *cc;
    json_array_foreach(k.countries, i, cc) {
      rc = EVAC_CALL(c, candidates_each, scope, json_string_value(cc), today, t.crisis_id,
                     transport_id, a, suggest_row, &s);
      if (rc != BH_OK) goto out;
    }
  } else {
    rc = EVAC_CALL(c, candidates_each, scope, t.origin_country, today, 0, transport_id, a,
                   suggest_row, &s);
    if (rc != BH_OK) goto out;
  }
  if (s.failed) {
    rc = BH_ERR_NOMEM;
    goto out;
  }
  /* A person present in two countries of a crisis comes once per country: keep the first. */
  evac_order(s.items, s.n);
  size_t take = evac_take(s.items, s.n, limit);
  evac_suggestion_t *list = arena_alloc(a, sizeof(*list) * (take ? take : 1));
  if (list == NULL) {
    rc = BH_ERR_NOMEM;
    goto out;
  }
  size_t k2 = 0;
  for (size_t i = 0; i < take; i++) {
    int dup = 0;
    for (size_t j = 0; j < k2 && !dup; j++) dup = list[j].person_id == s.items[i].person_id;
    if (dup) continue;
    list[k2] = *(evac_suggestion_t *)s.items[i].data;
    list[k2].reason = evac_reason(&s.items[i]);
    k2++;
  }
  *out = list;
  *n = k2;
out:
  transport_clear(&t);
  crisis_clear(&k);
  return rc;
}

/* ---- figures ---- */

int store_evac_transport_figures(store_conn_t *c, int64_t crisis_id, arena_t *a,
                                 evac_transport_figures_t **out, size_t *n) {
  return EVAC_CALL(c, transport_figures, crisis_id, a, out, n);
}

int store_evac_moved_to_safety(store_conn_t *c, int64_t crisis_id, int64_t since, int64_t *total,
                               int64_t *since_count) {
  return EVAC_CALL(c, moved_to_safety, crisis_id, since, total, since_count);
}
