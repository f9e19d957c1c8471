/*
 * match_score.h - Fellegi-Sunter scoring of a query against one indexed record.
 *
 * Each field (name, date of birth or age, sex, identity number, province, and city, postcode and
 * address when both sides have them) is compared at a few agreement levels; the list's country,
 * when the query has one, is one more field (match_index.h). Each level carries a
 * weight in bits, log2(m/u): m the chance of the level when the two records are the same person,
 * u the chance when they are not. Name tokens are weighted by their frequency in the index, so
 * agreeing on "nguyen" (a third of the registry) counts for about 1.5 bits and on a rare name
 * for 15 or more. The total weight is the log2 likelihood ratio of the pair; match_run turns the
 * weights of a query's candidates into probabilities and bands.
 *
 * The weights and band thresholds are declared once, in match_score.c and below.
 */
#ifndef BAOHO_MATCH_SCORE_H
#define BAOHO_MATCH_SCORE_H

#include <stddef.h>
#include <stdint.h>

#include "match/match_index.h"

/* A candidate whose probability is at least this is a strong match: an officer may confirm it
 * on sight. Chosen on the generated set of seed 1, measured on seed 2 (see bench_match.c). */
#define MATCH_STRONG_MIN 0.97
/* At least this and below strong: worth an officer's review. Below: no match. */
#define MATCH_REVIEW_MIN 0.20
/* The longest explanation, NUL included. */
#define MATCH_EXPLAIN_MAX 320

typedef enum { MATCH_BAND_NONE = 0, MATCH_BAND_REVIEW, MATCH_BAND_STRONG } match_band_t;

/* Agreement levels of two name tokens. */
typedef enum {
  MATCH_TOK_NONE = 0,
  MATCH_TOK_TYPO = 1,    /* one edit apart (Damerau-Levenshtein) */
  MATCH_TOK_VARIANT = 2, /* a known variant pair: hoang/huynh, vu/vo, phuc/phuoc */
  MATCH_TOK_EXACT = 3,   /* the same folded token */
} match_tok_level_t;

/* Per-thread cache of token comparisons for one query at a time. */
typedef struct {
  uint32_t *stamp; /* per dictionary token: the query epoch its levels belong to */
  uint8_t *lvl;    /* per dictionary token, MATCH_MAX_TOKENS levels */
  uint32_t epoch;
  uint32_t ntok;
  double typo_w[MATCH_MAX_TOKENS]; /* per query token not in the index: its typo-level weight */
  uint32_t typo_epoch[MATCH_MAX_TOKENS];
} match_tokcache_t;

/* Prepares a cache for the frozen idx. Returns BH_OK or BH_ERR_NOMEM. */
int match_tokcache_init(match_tokcache_t *c /* OUT */, const match_index_t *idx);
/* Frees the cache. Accepts a zeroed or initialised c. */
void match_tokcache_free(match_tokcache_t *c);
/* Starts a new query: cached levels of the previous one are forgotten. */
void match_tokcache_next(match_tokcache_t *c);

/*
 * Returns the weight in bits (log2 likelihood ratio) of q against record cand of idx. When
 * explain is not NULL, writes there (cap bytes, NUL-terminated, truncated if needed) a per-field
 * account for an officer such as "name: same tokens (diacritics differ); dob: day/month
 * swapped; sex: same; id: missing; province: missing". cache must have been initialised on idx
 * and match_tokcache_next called since the last query. Thread-safe with one cache per thread.
 */
double match_score(const match_index_t *idx, const match_query_t *q, uint32_t cand,
                   match_tokcache_t *cache, char *explain /* OUT, may be NULL */, size_t cap);

/*
 * As match_score without explanation, and writes to *evidence the part of the weight that does
 * not come from the name: date of birth or age, sex, identity numbers and places. Two candidates
 * of the same weight are ranked by it (match_run.h), since agreeing on facts about the person is
 * more telling than a rare spelling of a name. Thread-safe as match_score.
 */
double match_score_split(const match_index_t *idx, const match_query_t *q, uint32_t cand,
                         match_tokcache_t *cache, double *evidence /* OUT */);

/*
 * As match_score_split, and writes to *country the part of the weight that is the list-country
 * evidence (match_index.h; 0 when the query has no country or the record's countries are not
 * known). *evidence includes it. Thread-safe as match_score.
 */
double match_score_parts(const match_index_t *idx, const match_query_t *q, uint32_t cand,
                         match_tokcache_t *cache, double *evidence /* OUT */,
                         double *country /* OUT */);

/* The weight in bits of agreeing on the folded token tok in idx (frozen): log2(m/u) with u the
 * token's share of records, so common names weigh little. A token absent from idx weighs as one
 * record's. */
double match_token_weight(const match_index_t *idx, const char *tok);

/* The band of a probability (MATCH_STRONG_MIN, MATCH_REVIEW_MIN). */
match_band_t match_band_of(double probability);
/* The band of a candidate of probability p whose probability on the row's own fields (without
 * the list-country evidence) is probability_own: match_band_of(p), except that a candidate is
 * strong only when it is strong on its own fields too, so that where a list comes from never
 * alone makes a candidate one an officer may confirm on sight. */
match_band_t match_band_capped(double probability, double probability_own);
/* "strong", "review" or "none". */
const char *match_band_name(match_band_t b);

/* The Damerau-Levenshtein distance of two byte strings (adjacent transpositions count one),
 * capped: any distance above 3 is returned as 3. Exposed for tests. */
int match_token_distance(const char *a, size_t la, const char *b, size_t lb);

/* The agreement level of two folded tokens (text), without frequencies. Exposed for tests. */
match_tok_level_t match_token_level(const char *a, const char *b);

#endif
