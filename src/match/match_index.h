/*
 * match_index.h - the set of records a list is matched against, with its blocking index.
 *
 * An index is filled record by record (match_index_add, from any source: a CSV file, the
 * registry, generated persons), then frozen (match_index_freeze), which builds the blocking
 * tables: for each kind of key (unordered name-token pair + birth year + sex, token + full date, whole
 * name, unordered name-token pair alone, token + sex + birth year, identity number) a sorted array of
 * (32-bit key hash, record number) pairs under a direct-mapped directory. A hash collision only
 * ever adds candidates, never loses one, since every candidate is scored in full afterwards.
 * Memory is about 90 bytes per record plus 8 bytes per key (about 16 keys per record). A record
 * keeps up to MATCH_MAX_COUNTRIES presence countries as one-byte ids of the index's own country
 * table, inside the record's 88 bytes.
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

/*
 * The list-country evidence. A list handed over by a country's authorities is more likely to
 * name people the registry knows to be in that country. When a query carries its list's country
 * (match_query_set_country), each record whose presence countries are known
 * (match_input_t.countries not NULL) gets a Fellegi-Sunter weight for it: log2(m/u) when the
 * record is present in the country, log2((1-m)/(1-u)) when it is not. u is the share of the
 * index's records with known countries that are present there (computed when freezing, per
 * country); m, the chance that the true person of a row is registered there, is
 * MATCH_COUNTRY_M + (1 - MATCH_COUNTRY_M) u: a share MATCH_COUNTRY_M of a list's people are
 * registered there because that is where they live, and the others are as likely to be as
 * anybody. So a presence always weighs more than nothing (up to MATCH_COUNTRY_W_MAX bits, less
 * in a country where many are registered) and its absence log2(1 - MATCH_COUNTRY_M) bits,
 * whatever u. A record whose countries are not known, and every record of a query without a
 * country, get no weight: exactly the scores without this evidence.
 *
 * MATCH_COUNTRY_M is a deliberately low estimate: most people on such lists (migrant workers,
 * trafficking victims) never told a mission where they are, and too high a value would let an
 * in-country namesake pass the true person. It was chosen on the generated set of seed 1 as the
 * value that does best on average over the whole range of list compositions the bench tries
 * (--in-country 0 to 0.75), not at one of them (bench/README.md).
 */
#define MATCH_COUNTRY_M 0.2
/* The most a presence in the list's country weighs, in bits (a country where almost nobody is
 * registered would otherwise weigh as much as a date of birth). */
#define MATCH_COUNTRY_W_MAX 6.0
/* Distinct presence countries one index tells apart (ISO 3166-1 has 249); codes past it are
 * ignored. */
#define MATCH_COUNTRY_IDS_MAX 255

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
  char country[3]; /* the list's country (ISO alpha-2, upper case), "" for none */
  uint8_t country_id; /* its index country id, 0 when no record of the index is present there */
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

/*
 * Sets the country of q's list (ISO 3166-1 alpha-2, either case) for the list-country evidence;
 * NULL or "" removes it. Returns BH_OK, or BH_ERR_INVALID (q unchanged) when iso2 is not two
 * letters.
 */
int match_query_set_country(const match_index_t *idx, match_query_t *q, const char *iso2);

/* The packed code of the two ASCII letters at s (either case): (c0-'A')*26 + (c1-'A'), or -1
 * when they are not two letters. */
int match_country_pack(const char *s);
/* The packed code (match_country_pack) of iso2 when it is a string of exactly two letters;
 * -1 otherwise, NULL included. */
int match_country_code(const char *iso2);

/* The list-country weights of a frozen idx for the country iso2: *present for a record present
 * there, *absent for one that is not. Returns BH_ERR_INVALID when iso2 is not two letters. */
int match_country_weights(const match_index_t *idx, const char *iso2, double *present /* OUT */,
                          double *absent /* OUT */);

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
