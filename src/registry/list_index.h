/*
 * list_index.h - the registry as a matching index: the persons visible to one scope, read
 * through the store (identity numbers opened in memory only), normalised into a frozen
 * match_index_t, with the person behind every record.
 *
 * A person gives one record per name: the full name (read family name first, the Vietnamese
 * order) and each other name (read in any order, since other names are often foreign
 * spellings), all with the same date of birth, sex, numbers and province. The hits of a query are
 * merged per person: the probabilities of a person's records add up (they are disjoint events
 * of the same person), and the best record's explanation is kept. Every record of a person
 * carries the countries of the person's presences (any presence on record, current or past),
 * for the list-country evidence (match_index.h).
 *
 * Built with LIST_INDEX_CASES, the index also holds the open missing-person cases visible to the
 * scope (store_match_cases_each): the unregistered subject of a case (when no person is linked:
 * the subject's name, sex, date of birth, province and identity number recorded on the case, the
 * name falling back to the caller's) is one record of its own whose hits are the case, and a
 * registered person
 * linked to an open missing-person case is matched as the person, with the case noted on the hit
 * (never listed twice).
 *
 * The server keeps built indexes in a small per-process cache (list_index_acquire), one per
 * scope, each labelled with the registry's matching generation (store_match_generation) read in
 * the same snapshot as its persons; an index is used while the generation is unchanged and
 * rebuilt by the first request that finds it changed.
 *
 * Thread-safety: a built index is read-only and may be used by any number of threads; the cache
 * functions are thread-safe.
 */
#ifndef BAOHO_LIST_INDEX_H
#define BAOHO_LIST_INDEX_H

#include <stddef.h>
#include <stdint.h>

#include "match/match_run.h"
#include "store/store_list.h"

/* Other names of a person taken into the index (beyond them, they are ignored). */
#define LIST_INDEX_OTHER_NAMES_MAX 4
/* Indexes the server keeps (one per scope: hq/admin, and each officer's mission). */
#define LIST_INDEX_CACHE_MAX 8

typedef struct list_index list_index_t;

/* What an index holds besides the registry's persons. */
enum list_index_with { LIST_INDEX_PERSONS = 0, LIST_INDEX_CASES = 1 };

/*
 * One candidate of a query, after merging the records of a person: a person (person_id, and
 * case_id an open missing-person case linked to the person, or 0) or the unregistered subject
 * of an open missing-person case (person_id 0, case_id the case).
 */
typedef struct list_hit {
  int64_t person_id;
  int64_t case_id;
  uint32_t rec; /* the person's best record in the index */
  double probability;
  double probability_own; /* without the list-country evidence (match_run.h) */
  match_band_t band;      /* match_band_capped of the two */
  int rank;               /* standard competition ranking by probability: 1, 1, 3 */
  char explain[MATCH_EXPLAIN_MAX];
} list_hit_t;

typedef struct list_result {
  int nhit;
  list_hit_t hit[MATCH_TOP_MAX];
} list_result_t;

/*
 * Reads every person visible to scope (through c, opening numbers with keys) into a new frozen
 * index built with threads threads. *skipped (may be NULL) counts records refused (no usable
 * name). Returns BH_OK, a store error, BH_ERR_NOMEM or BH_ERR_TOO_LARGE.
 */
int list_index_build(store_conn_t *c, const store_scope_t *scope, const secret_t *keys,
                     int threads, list_index_t **out /* OUT */, size_t *skipped /* OUT */);
/* list_index_build, with the open missing-person cases too when with is LIST_INDEX_CASES. */
int list_index_build_with(store_conn_t *c, const store_scope_t *scope, const secret_t *keys,
                          int threads, enum list_index_with with, list_index_t **out /* OUT */,
                          size_t *skipped /* OUT */);
/* Bytes of the id text of a case subject's record ("case " and the case id). */
#define LIST_INDEX_IDTEXT 32
/*
 * Fills *in with the matching record of the unregistered subject of case k (k->person_id 0):
 * the name (the subject's, else the caller's: store_match_cases_each resolves it), sex, date of
 * birth, home province and identity number recorded on the case, the name read family name
 * first (officers write names in the Vietnamese order), and as its presence countries the
 * countries of the case's crisis when it has one (k->countries; NULL: not known, no evidence).
 * in->id points to idtext, which receives "case <id>". Values are borrowed from k.
 */
void list_index_case_input(const store_match_case_t *k, char idtext[LIST_INDEX_IDTEXT],
                           match_input_t *in /* OUT */);
/* Releases an index from list_index_build or list_index_acquire. Accepts NULL. */
void list_index_release(list_index_t *li);

/* The frozen matching index (for queries: match_query_prepare). */
const match_index_t *list_index_match(const list_index_t *li);
/* The person of record rec (0 for a case's record). */
int64_t list_index_person(const list_index_t *li, uint32_t rec);
/* The case of record rec (0 for a person's record). */
int64_t list_index_case(const list_index_t *li, uint32_t rec);
/* The number of persons (not records) in the index. */
size_t list_index_persons(const list_index_t *li);
/* The number of open missing-person cases in the index (with or without a record of their own). */
size_t list_index_cases(const list_index_t *li);
/* The matching generation the index was built at (-1: unknown). */
int64_t list_index_generation(const list_index_t *li);

/*
 * Matches q[0..n) and writes, per query, its candidate persons best first (at most opt->top_k,
 * opt may be NULL for the defaults), merged as described above. Returns BH_OK, BH_ERR_NOMEM or
 * BH_ERR_INTERNAL.
 */
int list_index_run(const list_index_t *li, const match_query_t *q, size_t n,
                   const match_options_t *opt, list_result_t *res /* OUT */);

/*
 * A current index of the persons and open missing-person cases visible to scope
 * (LIST_INDEX_CASES), from the cache or built now (one build at a time; others wait and then
 * share it). Release it with list_index_release. Returns BH_OK or the error of the build.
 */
int list_index_acquire(store_conn_t *c, const store_scope_t *scope, const secret_t *keys,
                       list_index_t **out /* OUT */);
/* Drops every cached index (those in use are freed by their last release). */
void list_index_cache_clear(void);

#endif
