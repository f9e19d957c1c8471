/*
 * match_record.h - identity records normalised for matching, and the token dictionary behind them.
 *
 * A record handed to the matching engine (match_input_t) is plain text from any source: a CSV
 * list, the registry, a missing-person report. match_record_normalise turns it into a compact
 * match_rec_t: name tokens folded without diacritics (name_fold) and interned as dictionary ids
 * in written order, a 16-bit key per token of its accented spelling with the tone mark taken
 * apart from the vowel (so "Hoà" and "Hòa" give the same key while "Hùng" and "Hưng" do not),
 * the birth date at its precision, an age, the sex, identity numbers in an OCR-canonical packed
 * form (O->0, I->1, S->5, B->8, ...), and the province, postcode, city and address folded.
 *
 * The dictionary (match_dict_t) gives each distinct folded string an id, counts in how many
 * records it appears (its document frequency, from which term-frequency weights are derived),
 * and maps known variant spellings (hoang/huynh, vu/vo, phuc/phuoc) to one canonical id.
 *
 * Nothing here keeps global state. A dictionary being written belongs to one thread; once no
 * thread adds to it, any number of threads may look up concurrently.
 */
#ifndef BAOHO_MATCH_RECORD_H
#define BAOHO_MATCH_RECORD_H

#include <stddef.h>
#include <stdint.h>

#include "domain/name.h"

/* The most name tokens a record keeps; further tokens are dropped with MATCH_WARN_NAME. */
#define MATCH_MAX_TOKENS 6
/* The most identity numbers a record carries (e.g. national id and passport). */
#define MATCH_MAX_IDS 2
/* Identity numbers packed exactly (so two can be compared character by character): up to
 * MATCH_ID_DIGITS_MAX digits, or up to MATCH_ID_ALNUM_MAX letters and digits; longer ones are
 * hashed. MATCH_ID_PACK_CHARS is the longest exactly packed id. */
#define MATCH_ID_DIGITS_MAX 14
#define MATCH_ID_ALNUM_MAX 11
#define MATCH_ID_PACK_CHARS 14
/* The most presence countries a record keeps (the first ones given; further ones are ignored). */
#define MATCH_MAX_COUNTRIES 4
/* The token id of a query token that is not in the dictionary (a typo, a name never seen). */
#define MATCH_NO_TOKEN UINT32_MAX
/* The position value of a name role (family, given) that is not known. */
#define MATCH_NO_ROLE 0xFF
/* The most distinct strings one dictionary holds. */
#define MATCH_DICT_MAX 50000000u

/* How a full_name is ordered, when the source knows it. */
typedef enum {
  MATCH_ORDER_UNKNOWN = 0,      /* foreign lists: any order, roles unknown */
  MATCH_ORDER_FAMILY_FIRST = 1, /* Vietnamese order: family, middle names, given */
} match_order_t;

/*
 * One record as text, every string borrowed from the caller, NUL-terminated, NULL or "" when
 * absent. The name is full_name, or family/middle/given when those are given (they then win and
 * fix the roles). date_of_birth is read by pdate_parse_loose (ISO, YYYYMMDD, DD/MM/YYYY, ...).
 */
typedef struct {
  const char *id;
  const char *full_name;
  const char *family_name;
  const char *middle_name;
  const char *given_name;
  const char *date_of_birth;
  int age; /* full years at the list's reference date, -1 when unknown */
  const char *sex;
  const char *id_number[MATCH_MAX_IDS];
  const char *province;
  const char *postcode;
  const char *address;
  const char *city;
  /* The countries the person is known to be present in (ISO 3166-1 alpha-2 codes separated by
   * commas, semicolons or spaces: "MM,TH"), for the list-country evidence (match_index.h):
   * "" when the source knows the person is present in no country, NULL when it does not know
   * (the record then gives no evidence either way). Read by match_index_add only. */
  const char *countries;
  match_order_t order;
} match_input_t;

/* Record flags. */
enum {
  MATCH_REC_ACCENTED = 1u << 0, /* the name was written with diacritics: accent keys are set */
  MATCH_REC_ID0_OCR = 1u << 1,  /* id 0 needed OCR canonicalisation (a letter read as a digit) */
  MATCH_REC_ID1_OCR = 1u << 2,
  MATCH_REC_JAN1 = 1u << 3,     /* the date is 01-01, often a placeholder for an unknown day */
  MATCH_REC_CTRY_KNOWN = 1u << 4, /* the record's presence countries are known (ctry) */
};

/* Warnings of match_record_normalise: a field that could not be read and was ignored. */
enum {
  MATCH_WARN_DOB = 1u << 0,
  MATCH_WARN_SEX = 1u << 1,
  MATCH_WARN_NAME = 1u << 2, /* more than MATCH_MAX_TOKENS tokens, the rest dropped */
  MATCH_WARN_TEXT = 1u << 3, /* a non-name field was not valid UTF-8 or too long */
};

/* A normalised record: 88 bytes, kept by the million in an index. */
typedef struct {
  uint32_t tok[MATCH_MAX_TOKENS];    /* dictionary ids of folded tokens, in written order */
  uint16_t accent[MATCH_MAX_TOKENS]; /* accented-spelling keys, 0 when written without */
  uint64_t idn[MATCH_MAX_IDS];       /* packed canonical id numbers (match_id_pack), 0 = none */
  uint32_t postcode, address, city;  /* hashes of the folded text, 0 = none */
  uint16_t year;                     /* birth year, 0 when no date */
  uint8_t month, day;                /* 0 when unknown */
  uint16_t province;                 /* province dictionary id + 1, 0 = none */
  int16_t age;                       /* -1 when unknown */
  uint8_t ntok;
  uint8_t family, given;             /* token positions, MATCH_NO_ROLE when not known */
  uint8_t sex;                       /* 'F', 'M' or 0 */
  uint8_t flags;                     /* MATCH_REC_* */
  uint8_t ctry[MATCH_MAX_COUNTRIES]; /* presence countries as index country ids, 0 = none */
} match_rec_t;

typedef struct match_dict match_dict_t;

/* Creates an empty dictionary in *out. Returns BH_OK or BH_ERR_NOMEM. */
int match_dict_new(match_dict_t **out /* OUT */);
/* Frees d. Accepts NULL. */
void match_dict_free(match_dict_t *d);
/* The number of distinct strings in d. */
uint32_t match_dict_count(const match_dict_t *d);
/* The id of the len bytes at s, or MATCH_NO_TOKEN if absent. Thread-safe once d is frozen. */
uint32_t match_dict_lookup(const match_dict_t *d, const char *s, size_t len);
/* The NUL-terminated string of id (which must be below match_dict_count). */
const char *match_dict_str(const match_dict_t *d, uint32_t id);
/* In how many records id appeared. */
uint32_t match_dict_df(const match_dict_t *d, uint32_t id);
/* The canonical id of id's variant class (id itself when it has no known variant). */
uint32_t match_dict_canon(const match_dict_t *d, uint32_t id);

/*
 * Normalises in into *out. With intern non-zero, new tokens and provinces are added to the
 * dictionaries and the document frequencies of the record's tokens counted (the record being
 * added to an index); with intern zero the dictionaries are only read and unknown tokens get
 * MATCH_NO_TOKEN (a query). tokstr, when not NULL, receives the folded tokens as text
 * (MATCH_MAX_TOKENS slots). *warn (may be NULL) receives MATCH_WARN_* bits for fields ignored.
 * Returns BH_OK; BH_ERR_INVALID when the name is missing, empty after folding, or not valid
 * UTF-8 (the record cannot be matched); BH_ERR_TOO_LARGE when a dictionary is full;
 * BH_ERR_NOMEM.
 */
int match_record_normalise(const match_input_t *in, match_dict_t *tokens, match_dict_t *provinces,
                           int intern, match_rec_t *out /* OUT */,
                           char tokstr[][NAME_TOKEN_MAX] /* OUT, may be NULL */,
                           uint32_t *warn /* OUT, may be NULL */);

/*
 * Packs the identity number raw into its canonical form: only letters and digits are kept,
 * uppercased; a letter that OCR confuses with a digit (O and Q->0, I and L->1, Z->2, S->5, G->6,
 * B->8) becomes that digit, except in the first place of an id of at most 9 characters, where a
 * letter is a passport series. An id of digits only (up to MATCH_ID_DIGITS_MAX) is packed as
 * one nibble per digit with bit 62 set and its length in bits 56-59; other ids of up to
 * MATCH_ID_ALNUM_MAX characters in base 37 (bits 62-63 clear); longer ones are hashed with bit 63
 * set. *ocr (may be NULL) is set to 1 if a letter was turned into a digit. Returns 0
 * when raw holds no letter or digit.
 */
uint64_t match_id_pack(const char *raw, int *ocr /* OUT, may be NULL */);

/* Unpacks an exactly packed id into out (cap >= MATCH_ID_PACK_CHARS + 1) and returns its
 * length; returns 0 (out empty) for 0 or a hashed id. */
size_t match_id_unpack(uint64_t packed, char *out /* OUT */, size_t cap);

/* Reads a sex field: F, W, female, woman, nu/nữ, thi -> 'F'; M, male, man, nam -> 'M' (case and
 * diacritics ignored). Returns 0 when absent or not understood. */
int match_parse_sex(const char *s);

/* The accented-spelling key of one token of NFC text (len bytes): case folded, tone mark
 * separated from the vowel it sits on, other diacritics kept; never 0. Returns 0 when the token
 * is empty or not valid UTF-8. Exposed for tests. */
uint16_t match_accent_key(const char *tok, size_t len);

/* A 64-bit hash of n bytes (FNV-1a, then mixed). */
uint64_t match_hash_bytes(const void *p, size_t n);

#endif
