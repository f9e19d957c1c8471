/*
 * match_priv.h - the layout of an index, shared by the match_ modules only (not an API).
 *
 * match_score.c reads records and the token dictionary in its inner loop, so it sees the
 * structure rather than paying a call per field. Nothing outside src/match includes this file.
 */
#ifndef BAOHO_MATCH_PRIV_H
#define BAOHO_MATCH_PRIV_H

#include "match/match_index.h"

/* The directory of a blocking table has 2^MATCH_DIR_BITS buckets over the key's top bits. */
#define MATCH_DIR_BITS 20

typedef struct {
  uint64_t *ent; /* (key << 32) | record, sorted */
  size_t n;
  uint32_t *dir; /* (1 << MATCH_DIR_BITS) + 1 bucket starts into ent */
} match_block_t;

struct match_index {
  match_dict_t *tokens, *provinces;
  match_rec_t *rec;
  uint32_t n, cap;
  char *ext; /* external ids, NUL-terminated, back to back */
  size_t ext_len, ext_cap;
  uint64_t *ext_off;
  int frozen;
  match_block_t block[MATCH_KEY_COUNT];
  double log2n; /* log2 of the number of records, at least 0 */
  float *tokw;     /* per token id: the weight of agreeing on it, log2(m/u) (set by freezing) */
  uint8_t *tokmid; /* per token id: 1 if it is a common middle name */
  /* The country table: a two-letter code (packed as (c0-'A')*26 + c1-'A') to its id, 1-based,
   * and back; per id, the records present there, and (set by freezing) the weights. */
  uint8_t ctry_id[26 * 26];
  uint16_t ctry_code[MATCH_COUNTRY_IDS_MAX + 1];
  uint32_t nctry;
  uint32_t ctry_known; /* records whose countries are known */
  uint32_t ctry_df[MATCH_COUNTRY_IDS_MAX + 1];
  double ctry_in[MATCH_COUNTRY_IDS_MAX + 1], ctry_out[MATCH_COUNTRY_IDS_MAX + 1];
};

#endif
