/*
 * match_run.h - matching a list of queries against an index: blocking, scoring, ranking.
 *
 * For each query the candidates from match_index_block are scored (match_score), the best
 * top_k kept, and their weights turned into probabilities that compete with each other and with
 * "not in the index": with prior odds of 1/N for each of the N records,
 *   P(candidate i) = o_i / (1 + sum_j o_j),  o_i = 2^(w_i - log2 N),
 * so two equally good candidates share the probability and neither reaches the strong band,
 * and they share a rank too (match_hit_t.rank: 1, 1, 3).
 * Candidates of equal weight are ranked by their evidence apart from the name (match_score_split),
 * then by record number, so that the order never depends on how blocking found them or on
 * threads. Queries are spread over threads; results come back in query order.
 *
 * Records reach an index through match_source_t, a one-function interface any store can
 * implement (a CSV reader, the registry database, generated persons).
 */
#ifndef BAOHO_MATCH_RUN_H
#define BAOHO_MATCH_RUN_H

#include <stddef.h>
#include <stdint.h>

#include "match/match_index.h"
#include "match/match_score.h"

/* The most candidates returned per query. */
#define MATCH_TOP_MAX 20
/* The return value of a source's next at the end of its records. */
#define MATCH_SOURCE_END 1

typedef struct {
  uint32_t cand; /* record number in the index */
  double weight; /* bits */
  double probability;
  match_band_t band;
  char explain[MATCH_EXPLAIN_MAX]; /* "" unless options asked for explanations */
  double evidence; /* bits of the weight not from the name (dates, sex, ids, places, country) */
  double country;  /* bits of the weight from the list's country (match_index.h), 0 for none */
  /* The probability on the row's own fields: computed as probability with every candidate's
   * list-country evidence left out. The band is match_band_capped of both. */
  double probability_own;
  /* The rank in standard competition ranking: 1 + the number of hits of greater weight, so
   * that candidates of equal weight (and so equal probability) share a rank: 1, 1, 3. */
  int rank;
} match_hit_t;

/* Whether hit a ranks before hit b: a greater weight, then greater evidence apart from the name,
 * then the lower record number. */
int match_hit_before(const match_hit_t *a, const match_hit_t *b);

typedef struct {
  int nhit; /* 0 when no candidate was found */
  match_hit_t hit[MATCH_TOP_MAX];
  uint32_t nscored; /* candidates scored */
} match_result_t;

typedef struct {
  int top_k;   /* 1..MATCH_TOP_MAX; 5 by default */
  int threads; /* 1 or more; 2 by default */
  int explain; /* non-zero to write each hit's explanation; 1 by default */
  double min_probability; /* hits below are dropped (the best one is always kept); 0.001 */
} match_options_t;

/*
 * A source of records: next fills *in (strings valid until the following call) and returns
 * BH_OK, MATCH_SOURCE_END after the last record, BH_ERR_INVALID for a bad record that is to be
 * skipped (the source reports it itself), or another negative code to stop.
 */
typedef struct {
  void *ctx;
  int (*next)(void *ctx, match_input_t *in /* OUT */);
} match_source_t;

/* Fills o with the defaults. */
void match_options_init(match_options_t *o /* OUT */);

/*
 * Adds every record of src to the unfrozen idx. Records the source or match_index_add refuse
 * are counted in *skipped (may be NULL) and passed over. Returns BH_OK at the end of the
 * source, or the first error that is not a bad record.
 */
int match_index_load(match_index_t *idx, const match_source_t *src,
                     size_t *skipped /* OUT, may be NULL */);

/*
 * Matches queries q[0..n) against the frozen idx into res[0..n). opt may be NULL for the
 * defaults. Returns BH_OK, BH_ERR_NOMEM, or BH_ERR_INTERNAL if no thread could start.
 */
int match_run(const match_index_t *idx, const match_query_t *q, size_t n,
              const match_options_t *opt, match_result_t *res /* OUT */);

/*
 * Likely duplicates inside idx: every record is matched against the others, and each pair whose
 * probability is at least min_probability is passed once (i < j) to emit, from the calling
 * thread, in no particular order. The dates of records are compared as they are; ref_* is the
 * date ages refer to. Returns BH_OK, BH_ERR_NOMEM, or what emit returned if not BH_OK.
 */
int match_dedupe(const match_index_t *idx, double min_probability, int threads, int ref_year,
                 int ref_month, int ref_day,
                 int (*emit)(void *ctx, uint32_t i, uint32_t j, double probability), void *ctx);

#endif
