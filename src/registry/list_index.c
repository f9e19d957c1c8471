/*
 * list_index.c - the registry as a matching index, and the server's cache of such indexes
 * (list_index.h).
 */
#include "registry/list_index.h"

#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/clock.h"
#include "util/err.h"
#include "util/log.h"

/* Queries matched per call of match_run inside list_index_run (bounds its scratch memory). */
#define LIST_INDEX_CHUNK 512

/* A registered person linked to an open missing-person case. */
typedef struct {
  int64_t person_id, case_id;
} person_case_t;

struct list_index {
  match_index_t *idx;
  int64_t *person; /* per record: the person, or minus the case for a case subject's record */
  size_t nperson_slots;
  size_t persons;
  person_case_t *pcase; /* sorted by person, then case */
  size_t npcase, pcase_cap;
  size_t cases;
  int64_t last_case;
  int64_t gen;
  int refs; /* guarded by cache_lock */
};

/* The loader's state: the index being filled and the person of each record added. */
typedef struct {
  list_index_t *li;
  size_t skipped;
  int err;
} list_loader_t;

/* Remembers that the record just added belongs to person id (minus a case id for a case). */
static int loader_note(list_index_t *li, int64_t id) {
  size_t n = match_index_count(li->idx);
  if (n > li->nperson_slots) {
    size_t cap = li->nperson_slots ? li->nperson_slots * 2 : 4096;
    while (cap < n) cap *= 2;
    int64_t *p = realloc(li->person, cap * sizeof *p);
    if (p == NULL) return BH_ERR_NOMEM;
    li->person = p;
    li->nperson_slots = cap;
  }
  li->person[n - 1] = id;
  return BH_OK;
}

/* Adds in as a record of person id; a record without a usable name is only counted. */
static int loader_add(list_loader_t *L, const match_input_t *in, int64_t id) {
  int rc = match_index_add(L->li->idx, in, NULL);
  if (rc == BH_ERR_INVALID) {
    L->skipped++;
    return BH_OK;
  }
  return rc == BH_OK ? loader_note(L->li, id) : rc;
}

static int loader_person(void *ctx, const store_match_person_t *p) {
  list_loader_t *L = ctx;
  char idtext[24];
  snprintf(idtext, sizeof idtext, "%lld", (long long)p->id);
  match_input_t in;
  memset(&in, 0, sizeof in);
  in.id = idtext;
  in.full_name = p->full_name;
  in.date_of_birth = p->date_of_birth;
  in.age = -1;
  in.sex = p->sex;
  in.id_number[0] = p->national_id;
  in.id_number[1] = p->passport;
  in.province = p->home_province;
  in.countries = p->countries ? p->countries : "";
  in.order = MATCH_ORDER_FAMILY_FIRST;
  L->err = loader_add(L, &in, p->id);
  /* Most persons have no other name: "[]" is not worth a parser. */
  if (L->err == BH_OK && p->other_names && strcmp(p->other_names, "[]") != 0) {
    json_t *names = json_loads(p->other_names, 0, NULL);
    size_t i;
    json_t *v;
    json_array_foreach(names, i, v) {
      if (i >= LIST_INDEX_OTHER_NAMES_MAX || L->err != BH_OK) break;
      if (!json_is_string(v)) continue;
      in.full_name = json_string_value(v);
      in.order = MATCH_ORDER_UNKNOWN;
      L->err = loader_add(L, &in, p->id);
    }
    json_decref(names);
  }
  L->li->persons++;
  return L->err != BH_OK;
}

/* A subject of an open missing-person case: a note on the person, or a record of the case. */
static int loader_case(void *ctx, const store_match_case_t *k) {
  list_loader_t *L = ctx;
  list_index_t *li = L->li;
  if (k->case_id != li->last_case) {
    li->cases++;
    li->last_case = k->case_id;
  }
  if (k->person_id != 0) {
    if (li->npcase == li->pcase_cap) {
      size_t cap = li->pcase_cap ? li->pcase_cap * 2 : 64;
      person_case_t *p = realloc(li->pcase, cap * sizeof *p);
      if (p == NULL) return L->err = BH_ERR_NOMEM;
      li->pcase = p;
      li->pcase_cap = cap;
    }
    li->pcase[li->npcase++] = (person_case_t){k->person_id, k->case_id};
    return 0;
  }
  char idtext[LIST_INDEX_IDTEXT];
  match_input_t in;
  list_index_case_input(k, idtext, &in);
  L->err = loader_add(L, &in, -k->case_id);
  return L->err != BH_OK;
}

void list_index_case_input(const store_match_case_t *k, char idtext[LIST_INDEX_IDTEXT],
                           match_input_t *in) {
  snprintf(idtext, LIST_INDEX_IDTEXT, "case %lld", (long long)k->case_id);
  memset(in, 0, sizeof *in);
  in->id = idtext;
  in->full_name = k->full_name;
  in->date_of_birth = k->date_of_birth;
  in->age = -1;
  in->sex = k->sex;
  in->id_number[0] = k->id_number;
  in->province = k->home_province;
  /* The subject is taken to be in the crisis's countries; without a crisis, nobody knows. */
  in->countries = k->countries;
  /* Names are written by our own officers, in the Vietnamese order. */
  in->order = MATCH_ORDER_FAMILY_FIRST;
}

static int pcase_cmp(const void *a, const void *b) {
  const person_case_t *x = a, *y = b;
  if (x->person_id != y->person_id) return x->person_id < y->person_id ? -1 : 1;
  return x->case_id < y->case_id ? -1 : x->case_id > y->case_id;
}

/* The oldest open missing-person case person_id is linked to in li, or 0. */
static int64_t person_case(const list_index_t *li, int64_t person_id) {
  size_t lo = 0, hi = li->npcase;
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    if (li->pcase[mid].person_id < person_id) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo < li->npcase && li->pcase[lo].person_id == person_id ? li->pcase[lo].case_id : 0;
}

static void index_free(list_index_t *li) {
  match_index_free(li->idx);
  free(li->person);
  free(li->pcase);
  free(li);
}

int list_index_build(store_conn_t *c, const store_scope_t *scope, const secret_t *keys,
                     int threads, list_index_t **out, size_t *skipped) {
  return list_index_build_with(c, scope, keys, threads, LIST_INDEX_PERSONS, out, skipped);
}

int list_index_build_with(store_conn_t *c, const store_scope_t *scope, const secret_t *keys,
                          int threads, enum list_index_with with, list_index_t **out,
                          size_t *skipped) {
  *out = NULL;
  list_index_t *li = calloc(1, sizeof *li);
  if (li == NULL) return BH_ERR_NOMEM;
  li->refs = 1;
  int rc = match_index_new(&li->idx);
  list_loader_t L = {.li = li, .skipped = 0, .err = BH_OK};
  if (rc == BH_OK) rc = store_match_persons_each(c, scope, keys, &li->gen, loader_person, &L);
  if (rc == BH_ERR_INTERNAL && L.err != BH_OK) rc = L.err;
  /* After the persons: a case changed in between moves the generation past li->gen. */
  if (rc == BH_OK && with == LIST_INDEX_CASES) {
    rc = store_match_cases_each(c, scope, keys, loader_case, &L);
    if (rc == BH_ERR_INTERNAL && L.err != BH_OK) rc = L.err;
  }
  if (rc == BH_OK && li->npcase > 1) qsort(li->pcase, li->npcase, sizeof *li->pcase, pcase_cmp);
  if (rc == BH_OK) rc = match_index_freeze(li->idx, threads < 1 ? 1 : threads);
  if (rc != BH_OK) {
    index_free(li);
    return rc;
  }
  if (skipped) *skipped = L.skipped;
  *out = li;
  return BH_OK;
}

const match_index_t *list_index_match(const list_index_t *li) { return li->idx; }

int64_t list_index_person(const list_index_t *li, uint32_t rec) {
  return rec < match_index_count(li->idx) && li->person[rec] > 0 ? li->person[rec] : 0;
}

int64_t list_index_case(const list_index_t *li, uint32_t rec) {
  return rec < match_index_count(li->idx) && li->person[rec] < 0 ? -li->person[rec] : 0;
}

size_t list_index_persons(const list_index_t *li) { return li->persons; }

size_t list_index_cases(const list_index_t *li) { return li->cases; }

int64_t list_index_generation(const list_index_t *li) { return li->gen; }

/* Merges the hits of one query per person or case (see list_index.h) into out, best first. */
static void merge_hits(const list_index_t *li, const match_result_t *r, int top_k,
                       list_result_t *out) {
  out->nhit = 0;
  for (int h = 0; h < r->nhit; h++) {
    /* The record's owner: a person, or minus a case (distinct from every person). */
    int64_t pid = r->hit[h].cand < match_index_count(li->idx) ? li->person[r->hit[h].cand] : 0;
    int k = 0;
    while (k < out->nhit && out->hit[k].person_id != pid) k++;
    if (k < out->nhit) {
      out->hit[k].probability += r->hit[h].probability;
      out->hit[k].probability_own += r->hit[h].probability_own;
      continue;
    }
    list_hit_t *x = &out->hit[out->nhit++];
    x->person_id = pid;
    x->rec = r->hit[h].cand;
    x->probability = r->hit[h].probability;
    x->probability_own = r->hit[h].probability_own;
    memcpy(x->explain, r->hit[h].explain, sizeof x->explain);
  }
  /* Insertion sort: at most MATCH_TOP_MAX hits. */
  for (int i = 1; i < out->nhit; i++) {
    list_hit_t t = out->hit[i];
    int j = i;
    while (j > 0 && out->hit[j - 1].probability < t.probability) {
      out->hit[j] = out->hit[j - 1];
      j--;
    }
    out->hit[j] = t;
  }
  if (out->nhit > top_k) out->nhit = top_k;
  for (int i = 0; i < out->nhit; i++) {
    list_hit_t *x = &out->hit[i];
    if (x->probability > 1.0) x->probability = 1.0;
    if (x->probability_own > 1.0) x->probability_own = 1.0;
    x->band = match_band_capped(x->probability, x->probability_own);
    x->rank = i > 0 && x->probability == out->hit[i - 1].probability ? out->hit[i - 1].rank : i + 1;
    if (x->person_id < 0) {
      x->case_id = -x->person_id;
      x->person_id = 0;
    } else {
      x->case_id = person_case(li, x->person_id);
    }
  }
}

int list_index_run(const list_index_t *li, const match_query_t *q, size_t n,
                   const match_options_t *opt, list_result_t *res) {
  match_options_t o;
  if (opt) {
    o = *opt;
  } else {
    match_options_init(&o);
  }
  int top_k = o.top_k < 1 ? 1 : o.top_k > MATCH_TOP_MAX ? MATCH_TOP_MAX : o.top_k;
  /* Ask for every hit the engine gives, since several may be one person's records. */
  o.top_k = MATCH_TOP_MAX;
  size_t chunk = n < LIST_INDEX_CHUNK ? n : LIST_INDEX_CHUNK;
  match_result_t *r = malloc((chunk ? chunk : 1) * sizeof *r);
  if (r == NULL) return BH_ERR_NOMEM;
  int rc = BH_OK;
  for (size_t s = 0; rc == BH_OK && s < n; s += chunk) {
    size_t m = n - s < chunk ? n - s : chunk;
    rc = match_run(li->idx, q + s, m, &o, r);
    for (size_t i = 0; rc == BH_OK && i < m; i++) merge_hits(li, &r[i], top_k, &res[s + i]);
  }
  free(r);
  return rc;
}

/* ---- the per-process cache ---- */

typedef struct {
  int used;
  int all;
  int64_t mission_id;
  uint64_t last_use;
  list_index_t *li;
} cache_slot_t;

static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
/* Held while an index is built, so that concurrent requests wait for one build. */
static pthread_mutex_t build_lock = PTHREAD_MUTEX_INITIALIZER;
static cache_slot_t cache[LIST_INDEX_CACHE_MAX];
static uint64_t cache_clock;

/* Drops one reference; the caller holds cache_lock. */
static void unref_locked(list_index_t *li) {
  if (li == NULL || --li->refs > 0) return;
  index_free(li);
}

void list_index_release(list_index_t *li) {
  if (li == NULL) return;
  pthread_mutex_lock(&cache_lock);
  unref_locked(li);
  pthread_mutex_unlock(&cache_lock);
}

/* The slot of scope, or NULL; the caller holds cache_lock. */
static cache_slot_t *slot_find(const store_scope_t *scope) {
  for (int i = 0; i < LIST_INDEX_CACHE_MAX; i++) {
    cache_slot_t *s = &cache[i];
    if (s->used && s->all == (scope->all != 0) && (scope->all || s->mission_id == scope->mission_id))
      return s;
  }
  return NULL;
}

/* A current cached index for scope at generation gen, referenced for the caller, or NULL. */
static list_index_t *cache_take(const store_scope_t *scope, int64_t gen) {
  list_index_t *li = NULL;
  pthread_mutex_lock(&cache_lock);
  cache_slot_t *s = slot_find(scope);
  if (s && s->li->gen == gen) {
    li = s->li;
    li->refs++;
    s->last_use = ++cache_clock;
  }
  pthread_mutex_unlock(&cache_lock);
  return li;
}

/* Puts li in the cache for scope (replacing the scope's old index or the least recently used). */
static void cache_put(const store_scope_t *scope, list_index_t *li) {
  pthread_mutex_lock(&cache_lock);
  cache_slot_t *s = slot_find(scope);
  for (int i = 0; s == NULL && i < LIST_INDEX_CACHE_MAX; i++)
    if (!cache[i].used) s = &cache[i];
  for (int i = 0; s == NULL && i < LIST_INDEX_CACHE_MAX; i++)
    if (s == NULL || cache[i].last_use < s->last_use) s = &cache[i];
  if (s == NULL) s = &cache[0];
  if (s->used) unref_locked(s->li);
  s->used = 1;
  s->all = scope->all != 0;
  s->mission_id = scope->all ? 0 : scope->mission_id;
  s->li = li;
  s->last_use = ++cache_clock;
  li->refs++;
  pthread_mutex_unlock(&cache_lock);
}

int list_index_acquire(store_conn_t *c, const store_scope_t *scope, const secret_t *keys,
                       list_index_t **out) {
  *out = NULL;
  int64_t gen;
  int rc = store_match_generation(c, &gen);
  if (rc != BH_OK) return rc;
  if ((*out = cache_take(scope, gen)) != NULL) return BH_OK;
  pthread_mutex_lock(&build_lock);
  /* Another request may have built it while this one waited. */
  if ((rc = store_match_generation(c, &gen)) == BH_OK && (*out = cache_take(scope, gen)) == NULL) {
    size_t skipped = 0;
    list_index_t *li;
    int64_t t0 = clock_mono_us();
    rc = list_index_build_with(c, scope, keys, 2, LIST_INDEX_CASES, &li, &skipped);
    if (rc == BH_OK) {
      log_info("msg=\"matching index built\" persons=%zu cases=%zu records=%u skipped=%zu"
               " bytes=%zu dur_ms=%lld",
               li->persons, li->cases, match_index_count(li->idx), skipped,
               match_index_bytes(li->idx),
               (long long)((clock_mono_us() - t0) / 1000));
      cache_put(scope, li);
      *out = li;
    }
  }
  pthread_mutex_unlock(&build_lock);
  return rc;
}

void list_index_cache_clear(void) {
  pthread_mutex_lock(&cache_lock);
  for (int i = 0; i < LIST_INDEX_CACHE_MAX; i++) {
    if (cache[i].used) unref_locked(cache[i].li);
    memset(&cache[i], 0, sizeof cache[i]);
  }
  pthread_mutex_unlock(&cache_lock);
}
