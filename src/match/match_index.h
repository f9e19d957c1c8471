/*
 * match_index.h - the set of records a list is matched against, with its blocking index.
 *
 * An index is filled record by record (match_index_add, from any source: a CSV file, the
 * registry, generated persons), then frozen (match_index_freeze), which builds the blocking
 * tables: for each kind of key (unordered name-token pair + birth year + sex, token + full date, whole
 * name, unordered name-token pair alone, token + sex + birth year, identity number) a sorted array of
 * (32-bit key hash, record number) pairs under a direct-mapped directory. A hash collision only
 * ever adds candidates, never loses one, since every candidate is scored in full afterwards.
 * Memory is about 90 bytes per record plus 8 bytes per key (about 16 keys per record).
 *
 * match_index_block gives the records worth scoring for one query: the union of the postings
 * of the query's keys, where a key whose postings exceed a cap is skipped as too unspecific.
 *
 * Thread-safety: adding and freezing belong to one thread; a frozen index is read-only and may be
 * queried from any number of threads, each with its own match_cands_t.
 */
#ifndef BAOHO_MATCH_INDEX_H
#define BAOHO_MATCH_INDEX_H

#include <stddef.h>
#include <stdint.h>

#include "match/match_record.h"

/* The most records one index holds. */
#define MATCH_INDEX_MAX_RECORDS 100000000u
/* A key whose postings are longer than this is skipped for a query that has a date or age. */
#define MATCH_BLOCK_CAP_DATED 3000u
/* ... and for a query with neither (only its name can find candidates). */
#define MATCH_BLOCK_CAP_UNDATED 10000u
/* The cap of a token + sex + year block: it only rescues names whose other tokens all have
 * typos, and a common token's block is too broad to be worth scoring. */
#define MATCH_BLOCK_CAP_RARE 400u
/* The most candidates one query collects; blocks beyond are not read. */
#define MATCH_MAX_CANDIDATES 60000u

/* The chance that a true match keeps a given name token (before typos): the m of a token's
 * Fellegi-Sunter weight log2(m/u), u being the token's share of the index's records. */
#define MATCH_TOKEN_M 0.95

/* The kinds of blocking key, each its own table. */
typedef enum {
  MATCH_KEY_PAIR_YEAR = 0, /* two name tokens (unordered, variants merged) + birth year + sex */
  MATCH_KEY_TOKEN_SEX_YEAR, /* one name token + sex + birth year (queries use their rarest) */
  MATCH_KEY_TOKEN_DATE,     /* one name token + full birth date (day/month swap on query side) */
  MATCH_KEY_ID,             /* one canonical identity number */
  MATCH_KEY_NAME,           /* all name tokens, sorted */
  MATCH_KEY_PAIR,           /* two name tokens, unordered, without a year (undated queries) */
  MATCH_KEY_COUNT
} match_key_kind_t;

typedef struct match_index match_index_t;

/*
 * A query: a normalised record whose tokens may be unknown to the index (MATCH_NO_TOKEN), with
 * their text, and the reference date at which the list's ages were taken. Filled by
 * match_query_prepare or match_query_from_record.
 */
typedef struct {
  match_rec_t rec;
  char tokstr[MATCH_MAX_TOKENS][NAME_TOKEN_MAX];
  uint8_t toklen[MATCH_MAX_TOKENS];
  int ref_year, ref_month, ref_day;
  uint32_t self; /* a record number never to return (dedupe), UINT32_MAX for none */
} match_query_t;

/* Candidate collection scratch for one thread. */
typedef struct {
  uint32_t *stamp; /* per record: the epoch it was last collected in */
  size_t nstamp;
  uint32_t epoch;
  uint32_t *id; /* OUT of match_index_block: record numbers, n of them */
  size_t n;
  size_t skipped; /* OUT: blocks skipped as larger than their cap */
  size_t by_kind[MATCH_KEY_COUNT]; /* OUT: candidates first found by each kind of key */
} match_cands_t;

/* Creates an empty index. Returns BH_OK or BH_ERR_NOMEM. */
int match_index_new(match_index_t **out /* OUT */);
/* Frees idx and everything it holds. Accepts NULL. */
void match_index_free(match_index_t *idx);

/*
 * Normalises in and appends it as the next record (number match_index_count before the call);
 * in->id is copied as its external id. *warn (may be NULL) gets MATCH_WARN_* bits. Returns BH_OK;
 * BH_ERR_INVALID when the record has no usable name (nothing is added); BH_ERR_TOO_LARGE past
 * MATCH_INDEX_MAX_RECORDS; BH_ERR_NOMEM. Must not be called after match_index_freeze.
 */
int match_index_add(match_index_t *idx, const match_input_t *in, uint32_t *warn /* OUT */);

/*
 * Builds the blocking tables with up to nthreads threads (1 or more). After it the index is
 * read-only. Returns BH_OK, BH_ERR_NOMEM, or BH_ERR_INTERNAL if a thread cannot start.
 */
int match_index_freeze(match_index_t *idx, int nthreads);

/* The number of records. */
uint32_t match_index_count(const match_index_t *idx);
/* The external id of record i (never NULL, may be ""). */
const char *match_index_external_id(const match_index_t *idx, uint32_t i);
/* The normalised record i. */
const match_rec_t *match_index_record(const match_index_t *idx, uint32_t i);
/* The token dictionary (frequencies, variants) of the index. */
const match_dict_t *match_index_tokens(const match_index_t *idx);
/* The number of (key, record) entries in the blocking tables, and the bytes the index holds. */
size_t match_index_entries(const match_index_t *idx);
size_t match_index_bytes(const match_index_t *idx);

/*
 * Normalises in as a query against the frozen idx (tokens looked up, never added), with the
 * list's reference date ref_year-ref_month-ref_day for ages. Returns BH_OK, or BH_ERR_INVALID when
 * the name is missing or unreadable (*warn as for match_index_add).
 */
int match_query_prepare(const match_index_t *idx, const match_input_t *in, int ref_year,
                        int ref_month, int ref_day, match_query_t *out /* OUT */,
                        uint32_t *warn /* OUT, may be NULL */);

/* Makes record i of idx into a query that excludes record i itself (for dedupe). */
void match_query_from_record(const match_index_t *idx, uint32_t i, int ref_year, int ref_month,
                             int ref_day, match_query_t *out /* OUT */);

/* Prepares scratch for queries on idx. Returns BH_OK or BH_ERR_NOMEM. */
int match_cands_init(match_cands_t *c /* OUT */, const match_index_t *idx);
/* Frees the scratch. Accepts a zeroed or initialised c. */
void match_cands_free(match_cands_t *c);

/* Collects in c->id[0..c->n) the distinct records sharing a blocking key with q. */
void match_index_block(const match_index_t *idx, const match_query_t *q, match_cands_t *c);

/* The years of birth q can stand for: its date's year, or the three years an age allows
 * (calendar or traditional). Writes up to 3 into years and returns how many (0 when unknown). */
int match_query_years(const match_query_t *q, int years[3] /* OUT */);

#endif
