/*
 * bench_match.c - accuracy and speed of the identity-matching engine on generated data.
 *
 * Builds an index of N generated registry persons (gen_person, seed S), times the build and reads
 * the peak resident memory (VmHWM), then matches a generated police list of Q noisy copies
 * (gen_list_query, same seed; about one in five has no true match) and reports:
 *   - top-1 accuracy on the queries that have a true match,
 *   - precision of the strong band, share of no-match queries given a strong candidate,
 *   - blocking recall (the true person among the candidates scored),
 *   - query time for the list, and optionally a dedupe over --dedupe M persons.
 * The band thresholds live in match_score.h; --sweep shows precision and false-strong rate at
 * other thresholds, for choosing them on one seed and measuring them on another.
 *
 * usage: bench_match [--n N] [--queries Q] [--seed S] [--threads T] [--sweep] [--verbose]
 *                    [--dedupe M]
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen/gen.h"
#include "match/match_run.h"
#include "util/clock.h"
#include "util/err.h"

static double bench_now(void) { return (double)clock_mono_us() / 1e6; }

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
  int threads = 2, sweep = 0, verbose = 0;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--n") && i + 1 < argc) n = bench_arg(argv[++i]);
    else if (!strcmp(argv[i], "--queries") && i + 1 < argc) nq = bench_arg(argv[++i]);
    else if (!strcmp(argv[i], "--seed") && i + 1 < argc) seed = bench_arg(argv[++i]);
    else if (!strcmp(argv[i], "--threads") && i + 1 < argc) threads = (int)bench_arg(argv[++i]);
    else if (!strcmp(argv[i], "--dedupe") && i + 1 < argc) dedupe_n = bench_arg(argv[++i]);
    else if (!strcmp(argv[i], "--sweep")) sweep = 1;
    else if (!strcmp(argv[i], "--verbose")) verbose = 1;
    else {
      fprintf(stderr, "usage: bench_match [--n N] [--queries Q] [--seed S] [--threads T] "
                      "[--sweep] [--verbose] [--dedupe M]\n");
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

  double t0 = bench_now();
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
  double t2 = bench_now();
  printf("index build: %.2f s (generate + normalise %.2f s, blocking tables %.2f s), "
         "%zu key entries, %.0f MiB held, peak RSS %.0f MiB\n",
         t2 - t0, t1 - t0, t2 - t1, match_index_entries(idx),
         (double)match_index_bytes(idx) / 1048576.0, bench_peak_mib());

  /* The list, with its truth. */
  match_query_t *q = calloc(nq, sizeof *q);
  match_result_t *res = calloc(nq, sizeof *res);
  int64_t *truth = malloc(nq * sizeof *truth);
  gen_noisy_t *noisy = malloc(nq * sizeof *noisy);
  if (!q || !res || !truth || !noisy) return 1;
  match_input_t *qin = malloc(nq * sizeof *qin);
  bench_text_t *qt = malloc(nq * sizeof *qt);
  if (!qin || !qt) return 1;
  for (uint64_t i = 0; i < nq; i++) {
    gen_person_t src;
    int in_reg;
    gen_list_query(&g, i, n, &src, &in_reg, &noisy[i]);
    truth[i] = in_reg ? (int64_t)src.index : -1;
    bench_query_input(&noisy[i], &qt[i], &qin[i]);
  }

  match_options_t opt;
  match_options_init(&opt);
  opt.threads = threads;
  double t3 = bench_now();
  for (uint64_t i = 0; i < nq; i++)
    if (match_query_prepare(idx, &qin[i], GEN_REF_YEAR, GEN_REF_MONTH, GEN_REF_DAY, &q[i], NULL) !=
        BH_OK) {
      fprintf(stderr, "bench_match: query %" PRIu64 " refused\n", i);
      return 1;
    }
  if (match_run(idx, q, nq, &opt, res) != BH_OK) return 1;
  double t4 = bench_now();

  /* Blocking recall, measured apart (single thread) so the timing above is the real path. */
  match_cands_t cands;
  if (match_cands_init(&cands, idx) != BH_OK) return 1;
  size_t in_total = 0, blocked = 0, top1 = 0, strong = 0, strong_ok = 0, out_total = 0,
         out_strong = 0, review = 0, scored = 0;
  static const double sweep_t[] = {0.5, 0.8, 0.9, 0.95, 0.97, 0.98, 0.99, 0.995, 0.999};
  enum { NS = sizeof sweep_t / sizeof sweep_t[0] };
  size_t sw_strong[NS] = {0}, sw_ok[NS] = {0}, sw_out[NS] = {0};
  size_t by_kind[MATCH_KEY_COUNT] = {0}, skipped = 0;
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

  printf("query: %" PRIu64 " rows in %.3f s (prepare + block + score + explain), %.1f candidates "
         "scored per query\n",
         nq, t4 - t3, (double)scored / (double)nq);
  printf("top-1 accuracy (queries with a true match): %.2f%% (%zu/%zu)   target >= 97%%\n",
         100.0 * (double)top1 / (double)(in_total ? in_total : 1), top1, in_total);
  printf("blocking recall: %.2f%% (%zu/%zu)   target >= 99.5%%\n",
         100.0 * (double)blocked / (double)(in_total ? in_total : 1), blocked, in_total);
  printf("strong band: %zu queries, precision %.2f%%   target >= 99.5%%; review band: %zu\n",
         strong, 100.0 * (double)strong_ok / (double)(strong ? strong : 1), review);
  printf("no-match queries given a strong candidate: %.2f%% (%zu/%zu)   target <= 0.5%%\n",
         100.0 * (double)out_strong / (double)(out_total ? out_total : 1), out_strong, out_total);
  if (sweep) {
    printf("threshold sweep (top candidate's probability >= t):\n");
    for (int s = 0; s < NS; s++)
      printf("  t=%.3f  strong %4zu  precision %6.2f%%  recall %6.2f%%  false-strong %.2f%%\n",
             sweep_t[s], sw_strong[s],
             100.0 * (double)sw_ok[s] / (double)(sw_strong[s] ? sw_strong[s] : 1),
             100.0 * (double)sw_ok[s] / (double)(in_total ? in_total : 1),
             100.0 * (double)sw_out[s] / (double)(out_total ? out_total : 1));
  }
  match_index_free(idx);
  free(q);
  free(res);
  free(truth);
  free(noisy);
  free(qin);
  free(qt);

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
