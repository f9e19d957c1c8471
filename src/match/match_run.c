/*
 * match_run.c - loading sources, running lists over threads, ranking, dedupe (match_run.h).
 */
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "match/match_priv.h"
#include "match/match_run.h"
#include "util/err.h"

/* Queries a worker takes at a time from the shared counter. */
#define MATCH_RUN_CHUNK 8
/* How many candidates ahead the scoring loop prefetches records. */
#define MATCH_PREFETCH 12
/* The most worker threads. */
#define MATCH_RUN_THREADS_MAX 64

void match_options_init(match_options_t *o) {
  o->top_k = 5;
  o->threads = 2;
  o->explain = 1;
  o->min_probability = 0.001;
}

int match_index_load(match_index_t *idx, const match_source_t *src, size_t *skipped) {
  match_input_t in;
  size_t bad = 0;
  int rc;
  for (;;) {
    memset(&in, 0, sizeof in);
    in.age = -1;
    rc = src->next(src->ctx, &in);
    if (rc == MATCH_SOURCE_END) {
      rc = BH_OK;
      break;
    }
    if (rc == BH_ERR_INVALID) {
      bad++;
      continue;
    }
    if (rc != BH_OK) break;
    rc = match_index_add(idx, &in, NULL);
    if (rc == BH_ERR_INVALID) {
      bad++;
      continue;
    }
    if (rc != BH_OK) break;
  }
  if (skipped) *skipped = bad;
  return rc;
}

/* Per-thread state. */
typedef struct {
  match_cands_t cands;
  match_tokcache_t cache;
} match_worker_t;

static int match__worker_init(match_worker_t *w, const match_index_t *idx) {
  memset(w, 0, sizeof *w);
  if (match_cands_init(&w->cands, idx) != BH_OK || match_tokcache_init(&w->cache, idx) != BH_OK) {
    match_cands_free(&w->cands);
    match_tokcache_free(&w->cache);
    return BH_ERR_NOMEM;
  }
  return BH_OK;
}

static void match__worker_free(match_worker_t *w) {
  match_cands_free(&w->cands);
  match_tokcache_free(&w->cache);
}

int match_hit_before(const match_hit_t *a, const match_hit_t *b) {
  if (a->weight != b->weight) return a->weight > b->weight;
  if (a->evidence != b->evidence) return a->evidence > b->evidence;
  return a->cand < b->cand;
}

/* Scores one query and fills *res with its ranked hits. */
static void match__one(const match_index_t *idx, const match_query_t *q,
                       const match_options_t *opt, match_worker_t *w, match_result_t *res) {
  int k = opt->top_k < 1 ? 1 : opt->top_k > MATCH_TOP_MAX ? MATCH_TOP_MAX : opt->top_k;
  /* The odds of all candidates, with the list-country evidence and without it (for the band). */
  double sum = 0, sum_own = 0;
  res->nhit = 0;
  match_tokcache_next(&w->cache);
  match_index_block(idx, q, &w->cands);
  res->nscored = (uint32_t)w->cands.n;
  for (size_t i = 0; i < w->cands.n; i++) {
    uint32_t cand = w->cands.id[i];
    /* Records are read at random in a large array: ask for one MATCH_PREFETCH ahead so that
     * several memory loads overlap instead of each stalling the scoring. */
    if (i + MATCH_PREFETCH < w->cands.n) {
      const char *ahead = (const char *)&idx->rec[w->cands.id[i + MATCH_PREFETCH]];
      __builtin_prefetch(ahead);
      __builtin_prefetch(ahead + sizeof(match_rec_t) - 1);
    }
    match_hit_t h;
    h.cand = cand;
    h.weight = match_score_parts(idx, q, cand, &w->cache, &h.evidence, &h.country);
    double e = h.weight - idx->log2n, e_own = e - h.country;
    double o = exp2(e > 1000 ? 1000 : e);
    sum += o;
    sum_own += h.country == 0 ? o : exp2(e_own > 1000 ? 1000 : e_own);
    if (res->nhit == k && !match_hit_before(&h, &res->hit[k - 1])) continue;
    int at = res->nhit < k ? res->nhit++ : k - 1;
    while (at > 0 && match_hit_before(&h, &res->hit[at - 1])) {
      res->hit[at].cand = res->hit[at - 1].cand;
      res->hit[at].weight = res->hit[at - 1].weight;
      res->hit[at].evidence = res->hit[at - 1].evidence;
      res->hit[at].country = res->hit[at - 1].country;
      at--;
    }
    res->hit[at].cand = cand;
    res->hit[at].weight = h.weight;
    res->hit[at].evidence = h.evidence;
    res->hit[at].country = h.country;
  }
  int kept = 0;
  for (int h = 0; h < res->nhit; h++) {
    match_hit_t *hit = &res->hit[h];
    double e = hit->weight - idx->log2n, e_own = e - hit->country;
    hit->probability = exp2(e > 1000 ? 1000 : e) / (1.0 + sum);
    hit->probability_own = exp2(e_own > 1000 ? 1000 : e_own) / (1.0 + sum_own);
    if (h > 0 && hit->probability < opt->min_probability) break;
    hit->band = match_band_capped(hit->probability, hit->probability_own);
    /* Standard competition ranking: equal weights share a rank (1, 1, 3). */
    hit->rank = h > 0 && hit->weight == res->hit[h - 1].weight ? res->hit[h - 1].rank : h + 1;
    hit->explain[0] = '\0';
    if (opt->explain)
      match_score(idx, q, hit->cand, &w->cache, hit->explain, sizeof hit->explain);
    kept++;
  }
  res->nhit = kept;
}

typedef struct {
  const match_index_t *idx;
  const match_query_t *q;
  size_t n;
  const match_options_t *opt;
  match_result_t *res;
  atomic_size_t next;
  atomic_int rc;
} match_run_job_t;

static void *match__run_worker(void *arg) {
  match_run_job_t *job = arg;
  match_worker_t w;
  if (match__worker_init(&w, job->idx) != BH_OK) {
    atomic_store(&job->rc, BH_ERR_NOMEM);
    return NULL;
  }
  for (;;) {
    size_t s = atomic_fetch_add(&job->next, MATCH_RUN_CHUNK);
    if (s >= job->n) break;
    size_t e = s + MATCH_RUN_CHUNK < job->n ? s + MATCH_RUN_CHUNK : job->n;
    for (size_t i = s; i < e; i++) match__one(job->idx, &job->q[i], job->opt, &w, &job->res[i]);
  }
  match__worker_free(&w);
  return NULL;
}

/* Runs fn(job) on nthreads threads, the calling one included. */
static int match__spawn(void *(*fn)(void *), void *job, int nthreads, size_t n) {
  pthread_t th[MATCH_RUN_THREADS_MAX];
  int started = 0;
  if (nthreads < 1) nthreads = 1;
  if (nthreads > MATCH_RUN_THREADS_MAX) nthreads = MATCH_RUN_THREADS_MAX;
  if ((size_t)nthreads > n / MATCH_RUN_CHUNK + 1) nthreads = (int)(n / MATCH_RUN_CHUNK + 1);
  for (int t = 1; t < nthreads; t++) {
    if (pthread_create(&th[started], NULL, fn, job) != 0) break;
    started++;
  }
  fn(job);
  for (int t = 0; t < started; t++) pthread_join(th[t], NULL);
  return BH_OK;
}

int match_run(const match_index_t *idx, const match_query_t *q, size_t n,
              const match_options_t *opt, match_result_t *res) {
  match_options_t def;
  match_run_job_t job;
  if (opt == NULL) {
    match_options_init(&def);
    opt = &def;
  }
  job.idx = idx;
  job.q = q;
  job.n = n;
  job.opt = opt;
  job.res = res;
  atomic_init(&job.next, 0);
  atomic_init(&job.rc, BH_OK);
  match__spawn(match__run_worker, &job, opt->threads, n);
  return atomic_load(&job.rc);
}

/* ---------------------------------------------------------------- dedupe */

typedef struct {
  uint32_t i, j;
  double p;
} match_pair_t;

typedef struct {
  const match_index_t *idx;
  double min_p;
  int ref_year, ref_month, ref_day;
  atomic_size_t next;
  atomic_int rc;
  pthread_mutex_t lock;
  match_pair_t *pairs;
  size_t npairs, cap;
} match_dedupe_job_t;

static void *match__dedupe_worker(void *arg) {
  match_dedupe_job_t *job = arg;
  match_worker_t w;
  match_query_t q;
  match_result_t res;
  match_options_t opt;
  match_pair_t local[256];
  size_t nl = 0;
  match_options_init(&opt);
  opt.explain = 0;
  opt.min_probability = job->min_p;
  if (match__worker_init(&w, job->idx) != BH_OK) {
    atomic_store(&job->rc, BH_ERR_NOMEM);
    return NULL;
  }
  size_t n = job->idx->n;
  for (;;) {
    size_t s = atomic_fetch_add(&job->next, 256);
    if (s >= n) break;
    size_t e = s + 256 < n ? s + 256 : n;
    for (size_t i = s; i < e; i++) {
      match_query_from_record(job->idx, (uint32_t)i, job->ref_year, job->ref_month, job->ref_day,
                              &q);
      match__one(job->idx, &q, &opt, &w, &res);
      for (int h = 0; h < res.nhit; h++) {
        if (res.hit[h].probability < job->min_p || res.hit[h].cand < i) continue;
        local[nl].i = (uint32_t)i;
        local[nl].j = res.hit[h].cand;
        local[nl].p = res.hit[h].probability;
        if (++nl < sizeof local / sizeof local[0]) continue;
        pthread_mutex_lock(&job->lock);
        if (job->npairs + nl > job->cap) {
          size_t c2 = job->cap ? job->cap * 2 : 4096;
          while (c2 < job->npairs + nl) c2 *= 2;
          match_pair_t *p2 = realloc(job->pairs, c2 * sizeof *p2);
          if (p2 == NULL) {
            atomic_store(&job->rc, BH_ERR_NOMEM);
            nl = 0;
            pthread_mutex_unlock(&job->lock);
            continue;
          }
          job->pairs = p2;
          job->cap = c2;
        }
        memcpy(job->pairs + job->npairs, local, nl * sizeof *local);
        job->npairs += nl;
        nl = 0;
        pthread_mutex_unlock(&job->lock);
      }
    }
  }
  pthread_mutex_lock(&job->lock);
  if (nl && job->npairs + nl > job->cap) {
    size_t c2 = job->npairs + nl;
    match_pair_t *p2 = realloc(job->pairs, c2 * sizeof *p2);
    if (p2 == NULL) {
      atomic_store(&job->rc, BH_ERR_NOMEM);
      nl = 0;
    } else {
      job->pairs = p2;
      job->cap = c2;
    }
  }
  /* With nothing left, job->pairs may still be NULL: memcpy must not see it. */
  if (nl) memcpy(job->pairs + job->npairs, local, nl * sizeof *local);
  job->npairs += nl;
  pthread_mutex_unlock(&job->lock);
  match__worker_free(&w);
  return NULL;
}

int match_dedupe(const match_index_t *idx, double min_probability, int threads, int ref_year,
                 int ref_month, int ref_day,
                 int (*emit)(void *ctx, uint32_t i, uint32_t j, double probability), void *ctx) {
  match_dedupe_job_t job;
  memset(&job, 0, sizeof job);
  job.idx = idx;
  job.min_p = min_probability;
  job.ref_year = ref_year;
  job.ref_month = ref_month;
  job.ref_day = ref_day;
  atomic_init(&job.next, 0);
  atomic_init(&job.rc, BH_OK);
  pthread_mutex_init(&job.lock, NULL);
  match__spawn(match__dedupe_worker, &job, threads, idx->n);
  pthread_mutex_destroy(&job.lock);
  int rc = atomic_load(&job.rc);
  for (size_t k = 0; rc == BH_OK && k < job.npairs; k++)
    rc = emit(ctx, job.pairs[k].i, job.pairs[k].j, job.pairs[k].p);
  free(job.pairs);
  return rc;
}
