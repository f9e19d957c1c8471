/*
 * gen.h - a deterministic generator of synthetic Vietnamese citizens abroad.
 *
 * Every person is a pure function of (seed, index): the same pair gives the same person, byte for
 * byte, on every machine, so rows can be generated in parallel or out of order. The generator has
 * its own PRNG (splitmix64) and never calls malloc; the only state is the read-only gen_t built by
 * gen_init, which any number of threads may share. All names, numbers and addresses are synthetic.
 * E-mail addresses use the reserved example.com/.net/.org domains; phone numbers only have the shape
 * of real ones and must never be handed to a real delivery channel.
 *
 * On top of the person record sit two writers: the registry import CSV (gen_write_persons_csv) and
 * a "foreign police list" CSV of noisy copies plus its ground truth (gen_write_list_csv), which the
 * identity-matching engine is measured against.
 */
#ifndef BAOHO_GEN_H
#define BAOHO_GEN_H

#include <stdint.h>
#include <stdio.h>

/* The day ages and presences are computed against ("today" of the synthetic registry). */
#define GEN_REF_YEAR 2025
#define GEN_REF_MONTH 6
#define GEN_REF_DAY 1

#define GEN_NAME_MAX 96
#define GEN_OTHER_NAMES_MAX 160
#define GEN_PHONE_MAX 24
#define GEN_EMAIL_MAX 64
#define GEN_ADDRESS_MAX 96
#define GEN_ORG_MAX 96
#define GEN_MAX_PHONES 2
#define GEN_MAX_EMAILS 2

/* The header line of the registry import format, without the line end. */
#define GEN_PERSONS_CSV_HEADER                                                                    \
  "external_id,full_name,other_names,sex,date_of_birth,national_id,passport,phones,emails,"      \
  "home_province,flags,country,region,city,address,category,organisation,from,until,status"

/* The header line of a police list and of its ground truth, without the line end. */
#define GEN_LIST_CSV_HEADER "id,full_name,date_of_birth,age,sex,id_number,province"
#define GEN_TRUTH_CSV_HEADER "query_id,true_external_id"

/* How much of a date is known. */
typedef enum {
  GEN_DATE_NONE = 0,
  GEN_DATE_YEAR = 1,
  GEN_DATE_MONTH = 2,
  GEN_DATE_DAY = 3,
} gen_date_prec_t;

typedef struct {
  int year;
  int month; /* 1..12, 0 when prec < GEN_DATE_MONTH */
  int day;   /* 1..31, 0 when prec < GEN_DATE_DAY */
  gen_date_prec_t prec;
} gen_date_t;

/* Person flags; their names in the CSV are the lower-case suffixes. */
enum {
  GEN_FLAG_MINOR = 1u << 0,
  GEN_FLAG_ELDERLY = 1u << 1,
  GEN_FLAG_MEDICAL = 1u << 2,
  GEN_FLAG_PREGNANT = 1u << 3,
  GEN_FLAG_DISABILITY = 1u << 4,
};

typedef enum {
  GEN_CAT_RESIDENT = 0,
  GEN_CAT_STUDENT,
  GEN_CAT_WORKER,
  GEN_CAT_OFFICIAL,
  GEN_CAT_TOURIST,
  GEN_CAT_OTHER,
  GEN_CAT_COUNT
} gen_category_t;

/* Ages at or above this are flagged elderly (the Vietnamese Law on the Elderly). */
#define GEN_ELDERLY_AGE 60

/*
 * One synthetic person with one presence abroad. String pointers (family, middle, given,
 * home_province, region, city, status) point into static tables and live forever; every other
 * string is an inline NUL-terminated array. Empty string means "none".
 */
typedef struct {
  uint64_t index;
  char external_id[32];
  const char *family;
  const char *middle[2];
  int n_middle;
  const char *given;
  char full_name[GEN_NAME_MAX];           /* "Family Middle Given", NFC UTF-8 */
  char other_names[GEN_OTHER_NAMES_MAX];  /* ';'-separated, often empty */
  char sex;                               /* 'F' or 'M' */
  gen_date_t birth;                       /* true birth date, always full precision */
  gen_date_t dob;                         /* birth date as the registry knows it */
  int age;                                /* full years at the reference date */
  char national_id[13];                   /* 12 digits, CCCD shape */
  char passport[9];                       /* letter + 7 digits, or empty */
  int n_phones;
  char phones[GEN_MAX_PHONES][GEN_PHONE_MAX];
  int n_emails;
  char emails[GEN_MAX_EMAILS][GEN_EMAIL_MAX];
  const char *home_province;
  int province_code;                      /* the CCCD province code, 1..96 */
  unsigned flags;                         /* GEN_FLAG_* */
  char country[3];                        /* ISO 3166-1 alpha-2 */
  const char *region;                     /* ISO 3166-2 code or "" */
  const char *city;
  char address[GEN_ADDRESS_MAX];
  gen_category_t category;
  char organisation[GEN_ORG_MAX];
  gen_date_t from;
  gen_date_t until;                       /* prec GEN_DATE_NONE when open-ended */
  const char *status;                     /* "unknown" or "safe" */
} gen_person_t;

/* What was done to a noisy copy (gen_noisy_t.noise), for analysis and tests. */
enum {
  GEN_NOISE_ASCII = 1u << 0,         /* diacritics removed */
  GEN_NOISE_GIVEN_FIRST = 1u << 1,   /* "Given Middle Family" */
  GEN_NOISE_FAMILY_LAST = 1u << 2,   /* "Middle Given Family" */
  GEN_NOISE_FAMILY_COMMA = 1u << 3,  /* "FAMILY, Middle Given" */
  GEN_NOISE_NO_MIDDLE = 1u << 4,     /* middle name(s) dropped */
  GEN_NOISE_TYPO = 1u << 5,          /* one substitution, transposition or deletion */
  GEN_NOISE_UPPER = 1u << 6,
  GEN_NOISE_LOWER = 1u << 7,
  GEN_NOISE_OLD_TONE = 1u << 8,      /* old-style tone placement: "Hòa" for "Hoà" */
  GEN_NOISE_AGE = 1u << 9,           /* birth date replaced by age */
  GEN_NOISE_TRAD_AGE = 1u << 10,     /* ... the traditional age, one more */
  GEN_NOISE_DM_SWAP = 1u << 11,      /* day and month swapped */
  GEN_NOISE_JAN1 = 1u << 12,         /* unknown day/month written as 01-01 */
  GEN_NOISE_OCR = 1u << 13,          /* O/0, I/1, S/5, B/8 confusion in the id */
  GEN_NOISE_NO_ID = 1u << 14,
  GEN_NOISE_PASSPORT_ID = 1u << 15,  /* the id given is the passport number */
  GEN_NOISE_NO_SEX = 1u << 16,
  GEN_NOISE_NO_DOB = 1u << 17,
};

/* A person as a foreign police list writes them. */
typedef struct {
  char full_name[GEN_NAME_MAX];
  gen_date_t dob;   /* prec GEN_DATE_NONE when absent or replaced by age */
  int age;          /* -1 when absent */
  char sex;         /* 'F', 'M' or 0 when missing */
  char id_number[16];
  char province[48];
  unsigned noise;   /* GEN_NOISE_* */
} gen_noisy_t;

#define GEN_N_SURNAMES 60
#define GEN_N_PROVINCES 63
#define GEN_N_GIVEN_MAX 320

/* The generator: the seed, derived keys and cumulative weight tables. Read-only after gen_init. */
typedef struct {
  uint64_t seed;
  uint64_t key_id;
  uint64_t key_pp;
  int32_t ref_days; /* reference date as days since 1970-01-01 */
  uint32_t cum_surname[GEN_N_SURNAMES];
  uint32_t cum_given_f[GEN_N_GIVEN_MAX];
  uint32_t cum_given_m[GEN_N_GIVEN_MAX];
  uint32_t cum_province[GEN_N_PROVINCES];
  uint32_t cum_country[64];
} gen_t;

/* Prepares g for seed. Never fails; g may then be shared read-only between threads. */
void gen_init(gen_t *g, uint64_t seed);

/*
 * Fills *out with person number index of g's seed. Deterministic in (seed, index), allocation-free
 * and thread-safe. National ids are unique among indices below 1,000,000 and passport numbers among
 * indices below 10,000,000.
 */
void gen_person(const gen_t *g, uint64_t index, gen_person_t *out /* OUT */);

/*
 * Fills *out with variant number variant of a police-list copy of *p (a person from gen_person on
 * the same g). Deterministic in (seed, p->index, variant); thread-safe.
 */
void gen_noisy_copy(const gen_t *g, const gen_person_t *p, uint64_t variant,
                    gen_noisy_t *out /* OUT */);

/*
 * Fills query number query of a police list against a registry of persons 0..registry_n-1 of g's
 * seed: *src is the person the row was drawn from, *in_registry is 1 when src->index < registry_n
 * (about 80% of queries) and 0 for a person outside the registry (index registry_n or above).
 */
void gen_list_query(const gen_t *g, uint64_t query, uint64_t registry_n,
                    gen_person_t *src /* OUT */, int *in_registry /* OUT */,
                    gen_noisy_t *out /* OUT */);

/*
 * The list-country variant of gen_list_query (issue 6: where a list comes from is evidence). The
 * list was handed over by the authorities of country (ISO alpha-2, one of the generator's
 * destinations; NULL for none). With probability p_in the row's person is drawn uniformly among
 * the persons present in country (inside the registry for a row with a true match, outside it
 * for one without, so that no-match rows are drawn like the others); otherwise exactly as
 * gen_list_query draws it (victims of trafficking are seldom registered where they are found).
 * With p_in 0 or country NULL the rows are gen_list_query's, byte for byte. A registry without
 * anybody in country (after GEN_IN_COUNTRY_TRIES draws) falls back to the plain draw.
 */
void gen_list_query_in(const gen_t *g, uint64_t query, uint64_t registry_n, const char *country,
                       double p_in, gen_person_t *src /* OUT */, int *in_registry /* OUT */,
                       gen_noisy_t *out /* OUT */);
/* The draws gen_list_query_in makes to find a person present in the list's country. */
#define GEN_IN_COUNTRY_TRIES 65536u
/* A conservative default p_in for benches: half of a list's rows are people registered there. */
#define GEN_IN_COUNTRY_DEFAULT 0.5

/* The country of list number list of g's seed, drawn as persons' presence countries are (so
 * lists come from where citizens are). Writes the ISO alpha-2 code and its NUL. */
void gen_list_country(const gen_t *g, uint64_t list, char iso[3] /* OUT */);
/* The presence country of person index (gen_person's country), cheaply. */
void gen_person_country(const gen_t *g, uint64_t index, char iso[3] /* OUT */);

/*
 * Writes one CSV row (no header) for *p into buf of size cap, NUL-terminated and ending in "\r\n".
 * *len gets the length. Returns BH_OK, or BH_ERR_TOO_LARGE when cap is too small (buf then holds a
 * truncated, unusable row).
 */
int gen_person_csv_row(const gen_person_t *p, char *buf, size_t cap, size_t *len /* OUT */);

/*
 * Writes persons 0..n-1 of seed as the registry import CSV to out, preceded by the header line when
 * with_header is non-zero. Lines end in CRLF (RFC 4180). Returns BH_OK or BH_ERR_IO when a write
 * fails.
 */
int gen_write_persons_csv(FILE *out, uint64_t n, uint64_t seed, int with_header);

/*
 * Writes n_queries police-list rows (GEN_LIST_CSV_HEADER) built by gen_list_query against a
 * registry of registry_n persons of seed, and, when truth is not NULL, the ground truth
 * (GEN_TRUTH_CSV_HEADER) with an empty true_external_id for queries with no match. Both files get
 * their header line. Returns BH_OK, BH_ERR_INVALID when registry_n is 0, or BH_ERR_IO.
 */
int gen_write_list_csv(FILE *out, uint64_t n_queries, uint64_t registry_n, uint64_t seed,
                       FILE *truth);

/*
 * Copies the UTF-8 string src into dst (size cap) with Vietnamese diacritics removed (đ -> d) and
 * everything else kept; truncates at a character boundary. Returns the length written.
 */
size_t gen_fold_ascii(const char *src, char *dst, size_t cap);

/* Writes d as ISO text ("1990", "1990-05", "1990-05-17", "" when unknown) into buf (cap >= 11). */
void gen_date_str(const gen_date_t *d, char *buf, size_t cap);

#endif
