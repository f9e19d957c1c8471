/*
 * bench_match.c - accuracy and speed of the identity-matching engine on generated data.
 *
 * Builds an index of N generated registry persons (gen_person, seed S), times the build and reads
 * the peak resident memory (VmHWM), then matches a generated police list of Q noisy copies
 * (gen_list_query, same seed; about one in five has no true match) and reports:
 *   - top-1 accuracy on the queries that have a true match, in all and split by what the query
 *     carries besides the name (an identity number; a date but no id; an age only; nothing),
 *   - precision of the strong band, share of no-match queries given a strong candidate,
 *   - blocking recall (the true person among the candidates scored),
 *   - query time for the list, and optionally a dedupe over --dedupe M persons.
 * The band thresholds live in match_score.h; --sweep shows precision and false-strong rate at
 * other thresholds, for choosing them on one seed and measuring them on another.
 *
 * --ambiguity measures how much the list itself allows: for each query with a true match, the
 * registry persons that the query cannot tell from the true one ("twins": the same folded name,
 * and every field the query carries scored the same, e.g. two "Nguyen Van Hung", male, age 30,
 * no id), and the candidates that score at least as high as the true one. It reports the
 * ceiling of top-1 accuracy that any ranker reaches on such a list (a twin group of k persons
 * is right 1 time in k at best), and top-1 accuracy on the queries without twins.
 *
 * Where a list comes from (issue 6): the queries come in lists of BENCH_LIST_ROWS rows, each
 * list from a country drawn as the registry's presences are (gen_list_country), and a row's
 * person is drawn with probability --in-country P (default GEN_IN_COUNTRY_DEFAULT) among the
 * persons present in that country (gen_list_query_in). Registry records carry their presence
 * country and queries their list's country, so the list-country evidence (match_index.h) is
 * used; --no-country leaves it out (today's scores on the same lists: the A/B). A sensitivity
 * table then gives top-1 (strict and counting ties), strong precision and false-strong rate for
 * P = 0, 0.25, 0.5 and 0.75, with and without the evidence, on the same index
 * (--no-sensitivity skips it).
 *
 * usage: bench_match [--n N] [--queries Q] [--seed S] [--threads T] [--sweep] [--verbose]
 *                    [--ambiguity] [--dedupe M] [--in-country P] [--no-country]
 *                    [--no-sensitivity]
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "gen/gen.h"
#include "match/match_run.h"
#include "util/clock.h"
#include "util/err.h"

/* Consecutive queries forming one list, with one country. */
#define BENCH_LIST_ROWS 100

static double bench_now(void) { return (double)clock_mono_us() / 1e6; }

/* CPU seconds (user + system, all threads) this process has used: on a shared machine the
 * figure to compare, since wall time depends on the other work. */
static double bench_cpu(void) {
  struct rusage ru;
  if (getrusage(RUSAGE_SELF, &ru) != 0) return 0;
  return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
         (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

/* The peak resident set of this process in MiB, from /proc/self/status (VmHWM). */
static double bench_peak_mib(void) {
  FILE *f = fopen("/proc/self/status", "r");
  char line[256];
  double kib = 0;
  if (f == NULL) return 0;
  while (fgets(line, sizeof line, f))
    if (strncmp(line, "VmHWM:", 6) == 0) kib = strtod(line + 6, NULL);
  fclose(f);
  return kib / 1024.0;
}

static uint64_t bench_arg(const char *s) {
  char *end;
  unsigned long long v = strtoull(s, &end, 10);
  if (*end != '\0') {
    fprintf(stderr, "bench_match: not a number: %s\n", s);
    exit(2);
  }
  return (uint64_t)v;
}

/* Text fields of one generated person or query, kept alive for match_input_t. */
typedef struct {
  char dob[16];
  char sex[2];
  char prov[64];
} bench_text_t;

static void bench_person_input(const gen_person_t *p, bench_text_t *t, match_input_t *in) {
  memset(in, 0, sizeof *in);
  gen_date_str(&p->dob, t->dob, sizeof t->dob);
  t->sex[0] = p->sex;
  t->sex[1] = '\0';
  in->id = p->external_id;
  in->full_name = p->full_name;
  in->order = MATCH_ORDER_FAMILY_FIRST;
  in->date_of_birth = t->dob;
  in->age = -1;
  in->sex = t->sex;
  in->id_number[0] = p->national_id;
  in->id_number[1] = p->passport;
  in->province = p->home_province;
  in->countries = p->country;
}

static void bench_query_input(const gen_noisy_t *q, bench_text_t *t, match_input_t *in) {
  memset(in, 0, sizeof *in);
  gen_date_str(&q->dob, t->dob, sizeof t->dob);
  t->sex[0] = q->sex;
  t->sex[1] = '\0';
  in->full_name = q->full_name;
  in->date_of_birth = t->dob;
  in->age = q->age;
  in->sex = t->sex;
  in->id_number[0] = q->id_number;
  in->province = q->province;
}

/* A record number keyed by the hash of its folded name tokens, to find a name's twins. */
typedef struct {
  uint64_t h;
  uint32_t rec;
} bench_name_t;

static uint64_t bench_name_hash(const match_rec_t *r) {
  return match_hash_bytes(r->tok, (size_t)r->ntok * sizeof r->tok[0]);
}

static int bench_name_cmp(const void *a, const void *b) {
  const bench_name_t *x = a, *y = b;
  if (x->h != y->h) return x->h < y->h ? -1 : 1;
  return x->rec < y->rec ? -1 : x->rec > y->rec;
}

/* Whether the true record t shares first place in res: its weight equals the first hit's (the
 * ranking then put it after an equal candidate only by the tie-break). A true record that is not
 * among the hits is scored here. */
static int bench_tied_first(const match_index_t *idx, const match_query_t *q,
                            const match_result_t *res, uint32_t t, match_tokcache_t *cache) {
  if (res->nhit == 0) return 0;
  double first = res->hit[0].weight;
  for (int h = 0; h < res->nhit; h++)
    if (res->hit[h].cand == t) return res->hit[h].weight == first;
  match_tokcache_next(cache);
  return match_score(idx, q, t, cache, NULL, 0) == first;
}

/* What --ambiguity adds up over the queries with a true match. */
typedef struct {
  double ceiling;        /* sum of 1/k over twin groups of k persons */
  double tie_expect;     /* sum of 1/(1+ties) where nothing scores above the truth */
  size_t unique, unique_ok; /* queries without twins, and those ranked right */
  size_t twin_queries;   /* queries with at least one twin */
  size_t miss_twin, miss_tie, miss_below; /* misses: winner a twin, a non-twin tie, truth below */
} bench_amb_t;

/* Counts the twins of the true record t for query q (same folded tokens, the same accent keys
 * when the query has diacritics, the same weight and explanation) and, among the candidates in
 * c, those scoring above and equal to t. Returns 1/k for a twin group of k persons. */
static double bench_ambiguity(const match_index_t *idx, const bench_name_t *names, const match_query_t *q,
                            uint32_t t, const match_cands_t *c, const match_result_t *res,
                            match_tokcache_t *cache, bench_amb_t *a, int verbose) {
  char ext[MATCH_EXPLAIN_MAX], ex[MATCH_EXPLAIN_MAX];
  const match_rec_t *tr = match_index_record(idx, t);
  int accented = (q->rec.flags & MATCH_REC_ACCENTED) != 0;
  match_tokcache_next(cache);
  double wt = match_score(idx, q, t, cache, ext, sizeof ext);
  bench_name_t key = {bench_name_hash(tr), 0};
  size_t lo = 0, hi = match_index_count(idx);
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (bench_name_cmp(&names[mid], &key) < 0) lo = mid + 1;
    else hi = mid;
  }
  size_t twins = 0;
  int winner_twin = 0;
  for (size_t k = lo; k < match_index_count(idx) && names[k].h == key.h; k++) {
    uint32_t r = names[k].rec;
    const match_rec_t *o = match_index_record(idx, r);
    if (r == t || o->ntok != tr->ntok || memcmp(o->tok, tr->tok, tr->ntok * sizeof tr->tok[0]))
      continue;
    if (accented && memcmp(o->accent, tr->accent, tr->ntok * sizeof tr->accent[0])) continue;
    double w = match_score(idx, q, r, cache, ex, sizeof ex);
    if (w != wt || strcmp(ex, ext) != 0) continue;
    twins++;
    if (res->nhit && res->hit[0].cand == r) winner_twin = 1;
  }
  size_t above = 0, ties = 0;
  for (size_t k = 0; k < c->n; k++) {
    if (c->id[k] == t) continue;
    double w = match_score(idx, q, c->id[k], cache, NULL, 0);
    above += w > wt;
    ties += w == wt;
  }
  a->ceiling += 1.0 / (double)(1 + twins);
  if (above == 0) a->tie_expect += 1.0 / (double)(1 + ties);
  int ok = res->nhit && res->hit[0].cand == t;
  if (twins == 0) {
    a->unique++;
    a->unique_ok += ok;
  } else {
    a->twin_queries++;
  }
  if (!ok) {
    if (winner_twin) a->miss_twin++;
    else if (above == 0) a->miss_tie++;
    else a->miss_below++;
  }
  if (verbose && !ok)
    printf("     ambiguity: %zu twins, %zu candidates above the truth, %zu tied\n", twins, above,
           ties);
  return 1.0 / (double)(1 + twins);
}

/* One line of the sensitivity table: rows of the given p_in, matched with the list-country
 * evidence (with_country) or without. */
static int bench_sensitivity(const match_index_t *idx, const gen_t *g, uint64_t n, uint64_t nq,
                             int threads, double p_in, int with_country) {
  match_query_t *q = calloc(nq, sizeof *q);
  match_result_t *res = calloc(nq, sizeof *res);
  int64_t *truth = malloc(nq * sizeof *truth);
  match_tokcache_t cache = {0};
  int rc = 1;
  if (!q || !res || !truth || match_tokcache_init(&cache, idx) != BH_OK) goto out;
  for (uint64_t i = 0; i < nq; i++) {
    gen_person_t src;
    gen_noisy_t noisy;
    bench_text_t t;
    match_input_t in;
    char ctry[3];
    int in_reg;
    gen_list_country(g, i / BENCH_LIST_ROWS, ctry);
    gen_list_query_in(g, i, n, ctry, p_in, &src, &in_reg, &noisy);
    truth[i] = in_reg ? (int64_t)src.index : -1;
    bench_query_input(&noisy, &t, &in);
    if (match_query_prepare(idx, &in, GEN_REF_YEAR, GEN_REF_MONTH, GEN_REF_DAY, &q[i], NULL) !=
        BH_OK)
      goto out;
    if (with_country) match_query_set_country(idx, &q[i], ctry);
  }
  match_options_t opt;
  match_options_init(&opt);
  opt.threads = threads;
  opt.explain = 0;
  if (match_run(idx, q, nq, &opt, res) != BH_OK) goto out;
  size_t in_total = 0, top1 = 0, tied = 0, strong = 0, strong_ok = 0, out_total = 0, out_strong = 0;
  for (uint64_t i = 0; i < nq; i++) {
    const match_result_t *r = &res[i];
    int ok = r->nhit && truth[i] >= 0 && (int64_t)r->hit[0].cand == truth[i];
    if (r->nhit && r->hit[0].band == MATCH_BAND_STRONG) {
      strong++;
      strong_ok += ok;
      out_strong += truth[i] < 0;
    }
    if (truth[i] < 0) {
      out_total++;
      continue;
    }
    in_total++;
    top1 += ok;
    tied += ok || bench_tied_first(idx, &q[i], r, (uint32_t)truth[i], &cache);
  }
  printf("  in-country %.2f  %-7s top-1 %6.2f%%  counting ties %6.2f%%  strong precision "
         "%6.2f%% (%zu)  no-match strong %.2f%%\n",
         p_in, with_country ? "country" : "none", 100.0 * (double)top1 / (double)(in_total ? in_total : 1),
         100.0 * (double)tied / (double)(in_total ? in_total : 1),
         100.0 * (double)strong_ok / (double)(strong ? strong : 1), strong,
         100.0 * (double)out_strong / (double)(out_total ? out_total : 1));
  rc = 0;
out:
  match_tokcache_free(&cache);
  free(q);
  free(res);
  free(truth);
  return rc;
}

typedef struct {
  size_t pairs;
} bench_dedupe_t;

static int bench_dedupe_emit(void *ctx, uint32_t i, uint32_t j, double p) {
  (void)i;
  (void)j;
  (void)p;
  ((bench_dedupe_t *)ctx)->pairs++;
  return BH_OK;
}

int main(int argc, char **argv) {
  uint64_t n = 5000000, nq = 1000, seed = 2, dedupe_n = 0;
  int threads = 2, sweep = 0, verbose = 0, ambiguity = 0, with_country = 1, sensitivity = 1;
  double p_in = GEN_IN_COUNTRY_DEFAULT;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--n") && i + 1 < argc) n = bench_arg(argv[++i]);
    else if (!strcmp(argv[i], "--queries") && i + 1 < argc) nq = bench_arg(argv[++i]);
    else if (!strcmp(argv[i], "--seed") && i + 1 < argc) seed = bench_arg(argv[++i]);
    else if (!strcmp(argv[i], "--threads") && i + 1 < argc) threads = (int)bench_arg(argv[++i]);
    else if (!strcmp(argv[i], "--dedupe") && i + 1 < argc) dedupe_n = bench_arg(argv[++i]);
    else if (!strcmp(argv[i], "--sweep")) sweep = 1;
    else if (!strcmp(argv[i], "--verbose")) verbose = 1;
    else if (!strcmp(argv[i], "--ambiguity")) ambiguity = 1;
    else if (!strcmp(argv[i], "--no-country")) with_country = 0;
    else if (!strcmp(argv[i], "--no-sensitivity")) sensitivity = 0;
    else if (!strcmp(argv[i], "--in-country") && i + 1 < argc) {
      char *end;
      p_in = strtod(argv[++i], &end);
      if (*end != '\0' || !(p_in >= 0 && p_in <= 1)) {
        fprintf(stderr, "bench_match: --in-country is a share from 0 to 1\n");
        return 2;
      }
    } else {
      fprintf(stderr, "usage: bench_match [--n N] [--queries Q] [--seed S] [--threads T] "
                      "[--sweep] [--verbose] [--ambiguity] [--dedupe M] [--in-country P] "
                      "[--no-country] [--no-sensitivity]\n");
      return 2;
    }
  }
  if (n == 0 || nq == 0 || n > MATCH_INDEX_MAX_RECORDS) {
    fprintf(stderr, "bench_match: --n and --queries must be positive\n");
    return 2;
  }

  gen_t g;
  gen_init(&g, seed);
  match_index_t *idx;
  if (match_index_new(&idx) != BH_OK) return 1;
  printf("registry: %" PRIu64 " generated persons, seed %" PRIu64 "; list: %" PRIu64
         " queries; %d threads\n",
         n, seed, nq, threads);
  printf("lists of %d rows, each from a country drawn as presences are; in-country share %.2f; "
         "list-country evidence %s (m %.2f, at most %.1f bits)\n",
         BENCH_LIST_ROWS, p_in, with_country ? "used" : "NOT used (--no-country)", MATCH_COUNTRY_M,
         MATCH_COUNTRY_W_MAX);

  double t0 = bench_now(), c0 = bench_cpu();
  for (uint64_t i = 0; i < n; i++) {
    gen_person_t p;
    bench_text_t t;
    match_input_t in;
    gen_person(&g, i, &p);
    bench_person_input(&p, &t, &in);
    if (match_index_add(idx, &in, NULL) != BH_OK) {
      fprintf(stderr, "bench_match: person %" PRIu64 " refused\n", i);
      return 1;
    }
  }
  double t1 = bench_now();
  if (match_index_freeze(idx, threads) != BH_OK) {
    fprintf(stderr, "bench_match: freeze failed\n");
    return 1;
  }
  double t2 = bench_now(), c2 = bench_cpu();
  printf("index build: %.2f s, %.2f s CPU (generate + normalise %.2f s, blocking tables %.2f s), "
         "%zu key entries, %.0f MiB held, peak RSS %.0f MiB\n",
         t2 - t0, c2 - c0, t1 - t0, t2 - t1, match_index_entries(idx),
         (double)match_index_bytes(idx) / 1048576.0, bench_peak_mib());

  /* The list, with its truth. */
  match_query_t *q = calloc(nq, sizeof *q);
  match_result_t *res = calloc(nq, sizeof *res);
  int64_t *truth = malloc(nq * sizeof *truth);
  gen_noisy_t *noisy = malloc(nq * sizeof *noisy);
  if (!q || !res || !truth || !noisy) return 1;
  match_input_t *qin = malloc(nq * sizeof *qin);
  bench_text_t *qt = malloc(nq * sizeof *qt);
  char (*qctry)[3] = malloc(nq * sizeof *qctry);
  if (!qin || !qt || !qctry) return 1;
  for (uint64_t i = 0; i < nq; i++) {
    gen_person_t src;
    int in_reg;
    gen_list_country(&g, i / BENCH_LIST_ROWS, qctry[i]);
    gen_list_query_in(&g, i, n, qctry[i], p_in, &src, &in_reg, &noisy[i]);
    truth[i] = in_reg ? (int64_t)src.index : -1;
    bench_query_input(&noisy[i], &qt[i], &qin[i]);
  }

  match_options_t opt;
  match_options_init(&opt);
  opt.threads = threads;
  double t3 = bench_now(), c3 = bench_cpu();
  for (uint64_t i = 0; i < nq; i++)
    if (match_query_prepare(idx, &qin[i], GEN_REF_YEAR, GEN_REF_MONTH, GEN_REF_DAY, &q[i], NULL) !=
        BH_OK) {
      fprintf(stderr, "bench_match: query %" PRIu64 " refused\n", i);
      return 1;
    } else if (with_country) {
      match_query_set_country(idx, &q[i], qctry[i]);
    }
  if (match_run(idx, q, nq, &opt, res) != BH_OK) return 1;
  double t4 = bench_now(), c4 = bench_cpu();

  /* Blocking recall, measured apart (single thread) so the timing above is the real path. */
  match_cands_t cands;
  if (match_cands_init(&cands, idx) != BH_OK) return 1;
  bench_amb_t amb = {0};
  bench_name_t *names = NULL;
  match_tokcache_t amb_cache = {0};
  if (ambiguity) {
    uint32_t nr = match_index_count(idx);
    names = malloc((size_t)nr * sizeof *names);
    if (names == NULL || match_tokcache_init(&amb_cache, idx) != BH_OK) return 1;
    for (uint32_t r = 0; r < nr; r++) {
      names[r].h = bench_name_hash(match_index_record(idx, r));
      names[r].rec = r;
    }
    qsort(names, nr, sizeof *names, bench_name_cmp);
  }
  size_t in_total = 0, blocked = 0, top1 = 0, strong = 0, strong_ok = 0, out_total = 0,
         out_strong = 0, review = 0, scored = 0, top1_tied = 0;
  /* Scores a true person that is not among the hits, to tell a tie for first place. */
  match_tokcache_t tie_cache = {0};
  if (match_tokcache_init(&tie_cache, idx) != BH_OK) return 1;
  static const double sweep_t[] = {0.5, 0.8, 0.9, 0.95, 0.97, 0.98, 0.99, 0.995, 0.999};
  enum { NS = sizeof sweep_t / sizeof sweep_t[0] };
  size_t sw_strong[NS] = {0}, sw_ok[NS] = {0}, sw_out[NS] = {0};
  size_t by_kind[MATCH_KEY_COUNT] = {0}, skipped = 0;
  /* Top-1 by what the query carries besides its name: an identity number; else a date of birth;
   * else an age; else nothing. */
  static const char *const evid_name[4] = {"id number", "date, no id", "age only, no id",
                                           "name only"};
  size_t evid_n[4] = {0}, evid_ok[4] = {0};
  double evid_ceil[4] = {0}; /* with --ambiguity: the ceiling per kind of query */
  for (uint64_t i = 0; i < nq; i++) {
    const match_result_t *r = &res[i];
    scored += r->nscored;
    int has = r->nhit > 0;
    double p = has ? r->hit[0].probability : 0;
    int ok = has && truth[i] >= 0 && (int64_t)r->hit[0].cand == truth[i];
    if (has && r->hit[0].band == MATCH_BAND_STRONG) {
      strong++;
      strong_ok += ok;
      if (truth[i] < 0) out_strong++;
    } else if (has && r->hit[0].band == MATCH_BAND_REVIEW) {
      review++;
    }
    for (int s = 0; s < NS; s++)
      if (has && p >= sweep_t[s]) {
        sw_strong[s]++;
        sw_ok[s] += ok;
        sw_out[s] += truth[i] < 0;
      }
    if (truth[i] < 0) {
      out_total++;
      continue;
    }
    in_total++;
    top1 += ok;
    top1_tied += ok || bench_tied_first(idx, &q[i], r, (uint32_t)truth[i], &tie_cache);
    int ev = noisy[i].id_number[0] ? 0 : noisy[i].dob.prec ? 1 : noisy[i].age >= 0 ? 2 : 3;
    evid_n[ev]++;
    evid_ok[ev] += ok;
    match_index_block(idx, &q[i], &cands);
    for (int k = 0; k < MATCH_KEY_COUNT; k++) by_kind[k] += cands.by_kind[k];
    skipped += cands.skipped;
    int found = 0;
    for (size_t c = 0; c < cands.n && !found; c++) found = cands.id[c] == (uint32_t)truth[i];
    blocked += found;
    if (verbose && (!ok || !found)) {
      printf("MISS %s q=\"%s\" dob=%s age=%d sex=%s id=%s prov=%s noise=%#x blocked=%d\n",
             found ? "rank" : "block", noisy[i].full_name, qt[i].dob, noisy[i].age, qt[i].sex,
             noisy[i].id_number, noisy[i].province, noisy[i].noise, found);
      gen_person_t tp;
      gen_person(&g, (uint64_t)truth[i], &tp);
      char dob[16];
      gen_date_str(&tp.dob, dob, sizeof dob);
      printf("     truth %s \"%s\" %s %c %s %s %s\n", tp.external_id, tp.full_name, dob, tp.sex,
             tp.national_id, tp.passport, tp.home_province);
      for (int h = 0; h < r->nhit && h < 3; h++)
        printf("     #%d %s p=%.4f w=%.1f %s\n", h + 1,
               match_index_external_id(idx, r->hit[h].cand), r->hit[h].probability,
               r->hit[h].weight, r->hit[h].explain);
    }
    if (verbose && !ok && found) {
      match_tokcache_t cache;
      char ex[MATCH_EXPLAIN_MAX];
      if (match_tokcache_init(&cache, idx) == BH_OK) {
        match_tokcache_next(&cache);
        double w = match_score(idx, &q[i], (uint32_t)truth[i], &cache, ex, sizeof ex);
        printf("     truth scored w=%.1f %s\n", w, ex);
        match_tokcache_free(&cache);
      }
    }
    if (ambiguity)
      evid_ceil[ev] += bench_ambiguity(idx, names, &q[i], (uint32_t)truth[i], &cands, r,
                                       &amb_cache, &amb, verbose);
  }
  if (verbose)
    for (uint64_t i = 0; i < nq; i++)
      if (truth[i] < 0 && res[i].nhit && res[i].hit[0].band == MATCH_BAND_STRONG)
        printf("FALSE STRONG q=\"%s\" -> %s p=%.4f %s\n", noisy[i].full_name,
               match_index_external_id(idx, res[i].hit[0].cand), res[i].hit[0].probability,
               res[i].hit[0].explain);
  match_cands_free(&cands);
  if (verbose) {
    static const char *const kinds[MATCH_KEY_COUNT] = {"pair+year+sex", "token+sex+year",
                                                       "token+date", "id", "name", "pair"};
    printf("candidates per matched query by first key:");
    for (int k = 0; k < MATCH_KEY_COUNT; k++)
      printf(" %s %.0f", kinds[k], (double)by_kind[k] / (double)(in_total ? in_total : 1));
    printf("; blocks skipped %.1f\n", (double)skipped / (double)(in_total ? in_total : 1));
  }

  printf("query: %" PRIu64 " rows in %.3f s, %.3f s CPU (prepare + block + score + explain), "
         "%.1f candidates scored per query\n",
         nq, t4 - t3, c4 - c3, (double)scored / (double)nq);
  printf("top-1 accuracy (queries with a true match): %.2f%% (%zu/%zu)   target >= 97%%\n",
         100.0 * (double)top1 / (double)(in_total ? in_total : 1), top1, in_total);
  printf("top-1 counting ties (the true person's weight equals the first's, so that nothing in the "
         "row puts another candidate before it): %.2f%% (%zu/%zu)\n",
         100.0 * (double)top1_tied / (double)(in_total ? in_total : 1), top1_tied, in_total);
  printf("top-1 by what the query carries:");
  for (int k = 0; k < 4; k++)
    printf("%s %s %.2f%% (%zu/%zu)", k ? ";" : "", evid_name[k],
           100.0 * (double)evid_ok[k] / (double)(evid_n[k] ? evid_n[k] : 1), evid_ok[k], evid_n[k]);
  printf("\n");
  if (ambiguity) {
    printf("top-1 ceiling by what the query carries:");
    for (int k = 0; k < 4; k++)
      printf("%s %s %.2f%%", k ? ";" : "", evid_name[k],
             100.0 * evid_ceil[k] / (double)(evid_n[k] ? evid_n[k] : 1));
    printf("\n");
  }
  printf("blocking recall: %.2f%% (%zu/%zu)   target >= 99.5%%\n",
         100.0 * (double)blocked / (double)(in_total ? in_total : 1), blocked, in_total);
  printf("strong band: %zu queries, precision %.2f%%   target >= 99.5%%; review band: %zu\n",
         strong, 100.0 * (double)strong_ok / (double)(strong ? strong : 1), review);
  printf("no-match queries given a strong candidate: %.2f%% (%zu/%zu)   target <= 0.5%%\n",
         100.0 * (double)out_strong / (double)(out_total ? out_total : 1), out_strong, out_total);
  if (ambiguity) {
    printf("ambiguity: %zu queries (%.2f%%) have twins of the true person the query cannot tell "
           "apart; top-1 ceiling for any ranker %.2f%%; expected top-1 with ties broken at random "
           "%.2f%%\n",
           amb.twin_queries, 100.0 * (double)amb.twin_queries / (double)(in_total ? in_total : 1),
           100.0 * amb.ceiling / (double)(in_total ? in_total : 1),
           100.0 * amb.tie_expect / (double)(in_total ? in_total : 1));
    printf("ambiguity: top-1 on the %zu queries without twins %.2f%%; misses: %zu to a twin, %zu "
           "to an equal score, %zu to a higher score\n",
           amb.unique, 100.0 * (double)amb.unique_ok / (double)(amb.unique ? amb.unique : 1),
           amb.miss_twin, amb.miss_tie, amb.miss_below);
    free(names);
    match_tokcache_free(&amb_cache);
  }
  match_tokcache_free(&tie_cache);
  if (sweep) {
    printf("threshold sweep (top candidate's probability >= t):\n");
    for (int s = 0; s < NS; s++)
      printf("  t=%.3f  strong %4zu  precision %6.2f%%  recall %6.2f%%  false-strong %.2f%%\n",
             sweep_t[s], sw_strong[s],
             100.0 * (double)sw_ok[s] / (double)(sw_strong[s] ? sw_strong[s] : 1),
             100.0 * (double)sw_ok[s] / (double)(in_total ? in_total : 1),
             100.0 * (double)sw_out[s] / (double)(out_total ? out_total : 1));
  }
  if (sensitivity) {
    static const double pins[] = {0.0, 0.25, 0.5, 0.75};
    printf("sensitivity to the share of a list's rows registered in its country (same index, %"
           PRIu64 " queries each):\n", nq);
    for (size_t k = 0; k < sizeof pins / sizeof pins[0]; k++)
      for (int wc = 0; wc < 2; wc++)
        if (bench_sensitivity(idx, &g, n, nq, threads, pins[k], wc) != 0) return 1;
  }
  match_index_free(idx);
  free(q);
  free(res);
  free(truth);
  free(noisy);
  free(qin);
  free(qt);
  free(qctry);

  if (dedupe_n > 0) {
    match_index_t *d;
    if (match_index_new(&d) != BH_OK) return 1;
    double t5 = bench_now();
    for (uint64_t i = 0; i < dedupe_n; i++) {
      gen_person_t p;
      bench_text_t t;
      match_input_t in;
      gen_person(&g, i, &p);
      bench_person_input(&p, &t, &in);
      if (match_index_add(d, &in, NULL) != BH_OK) return 1;
    }
    if (match_index_freeze(d, threads) != BH_OK) return 1;
    double t6 = bench_now();
    bench_dedupe_t dd = {0};
    if (match_dedupe(d, MATCH_REVIEW_MIN, threads, GEN_REF_YEAR, GEN_REF_MONTH, GEN_REF_DAY,
                     bench_dedupe_emit, &dd) != BH_OK)
      return 1;
    double t7 = bench_now();
    printf("dedupe: %" PRIu64 " persons, index %.2f s, pairs search %.2f s (total %.2f s, target "
           "< 120 s), %zu candidate pairs at review or above\n",
           dedupe_n, t6 - t5, t7 - t6, t7 - t5, dd.pairs);
    match_index_free(d);
  }
  printf("peak RSS: %.0f MiB\n", bench_peak_mib());
  return 0;
}
