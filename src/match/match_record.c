/*
 * match_record.c - normalisation of identity records and the token dictionary (match_record.h).
 *
 * Folding and tokenising reuse domain/name (the same keys the registry search uses); this file
 * adds what identity matching needs on top: interned token ids with document frequencies,
 * variant classes, accented-spelling keys with tone placement ignored, OCR-canonical identity
 * numbers, sex and province readers.
 */
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "domain/pdate.h"
#include "match/match_record.h"
#include "util/err.h"

/* ---------------------------------------------------------------- hashing */

static uint64_t match__mix64(uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ULL;
  x ^= x >> 33;
  return x;
}

uint64_t match_hash_bytes(const void *p, size_t n) {
  const unsigned char *s = p;
  uint64_t h = 0xcbf29ce484222325ULL;
  for (size_t i = 0; i < n; i++) {
    h ^= s[i];
    h *= 0x100000001b3ULL;
  }
  return match__mix64(h ^ n);
}

/* ---------------------------------------------------------------- dictionary */

struct match_dict {
  char *pool; /* every string, NUL-terminated, back to back */
  size_t pool_len, pool_cap;
  uint32_t *off, *df, *canon, *hash;
  uint32_t n, cap;
  uint32_t *slot; /* open addressing: id + 1, 0 when empty */
  uint32_t nslot; /* a power of two, at least twice n */
};

int match_dict_new(match_dict_t **out) {
  match_dict_t *d = calloc(1, sizeof *d);
  if (d == NULL) return BH_ERR_NOMEM;
  d->nslot = 1024;
  d->slot = calloc(d->nslot, sizeof *d->slot);
  if (d->slot == NULL) {
    free(d);
    return BH_ERR_NOMEM;
  }
  *out = d;
  return BH_OK;
}

void match_dict_free(match_dict_t *d) {
  if (d == NULL) return;
  free(d->pool);
  free(d->off);
  free(d->df);
  free(d->canon);
  free(d->hash);
  free(d->slot);
  free(d);
}

uint32_t match_dict_count(const match_dict_t *d) { return d->n; }
const char *match_dict_str(const match_dict_t *d, uint32_t id) { return d->pool + d->off[id]; }
uint32_t match_dict_df(const match_dict_t *d, uint32_t id) { return d->df[id]; }
uint32_t match_dict_canon(const match_dict_t *d, uint32_t id) { return d->canon[id]; }

static uint32_t match__dict_find(const match_dict_t *d, const char *s, size_t len, uint32_t h) {
  uint32_t mask = d->nslot - 1;
  for (uint32_t i = h & mask;; i = (i + 1) & mask) {
    uint32_t v = d->slot[i];
    if (v == 0) return MATCH_NO_TOKEN;
    const char *t = d->pool + d->off[v - 1];
    if (d->hash[v - 1] == h && strncmp(t, s, len) == 0 && t[len] == '\0') return v - 1;
  }
}

uint32_t match_dict_lookup(const match_dict_t *d, const char *s, size_t len) {
  return match__dict_find(d, s, len, (uint32_t)match_hash_bytes(s, len));
}

static int match__dict_grow_slots(match_dict_t *d) {
  uint32_t n2 = d->nslot * 2;
  uint32_t *s2 = calloc(n2, sizeof *s2);
  if (s2 == NULL) return BH_ERR_NOMEM;
  for (uint32_t id = 0; id < d->n; id++) {
    uint32_t i = d->hash[id] & (n2 - 1);
    while (s2[i] != 0) i = (i + 1) & (n2 - 1);
    s2[i] = id + 1;
  }
  free(d->slot);
  d->slot = s2;
  d->nslot = n2;
  return BH_OK;
}

/* Grows *p (elements of size sz) to hold cap elements. */
static int match__grow(void *pp, size_t cap, size_t sz) {
  void **p = pp;
  void *q = realloc(*p, cap * sz);
  if (q == NULL) return BH_ERR_NOMEM;
  *p = q;
  return BH_OK;
}

static int match__dict_intern(match_dict_t *d, const char *s, size_t len, uint32_t *id_out);

/* Adds the string as a new id whose canonical id is canon (or itself when MATCH_NO_TOKEN). */
static int match__dict_add(match_dict_t *d, const char *s, size_t len, uint32_t h,
                           uint32_t *id_out) {
  if (d->n >= MATCH_DICT_MAX) return BH_ERR_TOO_LARGE;
  if ((d->n + 1) * 2 > d->nslot && match__dict_grow_slots(d) != BH_OK) return BH_ERR_NOMEM;
  if (d->n == d->cap) {
    uint32_t c2 = d->cap ? d->cap * 2 : 256;
    if (match__grow(&d->off, c2, sizeof *d->off) || match__grow(&d->df, c2, sizeof *d->df) ||
        match__grow(&d->canon, c2, sizeof *d->canon) || match__grow(&d->hash, c2, sizeof *d->hash))
      return BH_ERR_NOMEM;
    d->cap = c2;
  }
  if (d->pool_len + len + 1 > d->pool_cap) {
    size_t c2 = d->pool_cap ? d->pool_cap * 2 : 4096;
    while (c2 < d->pool_len + len + 1) c2 *= 2;
    if (c2 > UINT32_MAX) return BH_ERR_TOO_LARGE;
    if (match__grow(&d->pool, c2, 1)) return BH_ERR_NOMEM;
    d->pool_cap = c2;
  }
  uint32_t id = d->n++;
  d->off[id] = (uint32_t)d->pool_len;
  memcpy(d->pool + d->pool_len, s, len);
  d->pool[d->pool_len + len] = '\0';
  d->pool_len += len + 1;
  d->df[id] = 0;
  d->hash[id] = h;
  d->canon[id] = id;
  uint32_t i = h & (d->nslot - 1);
  while (d->slot[i] != 0) i = (i + 1) & (d->nslot - 1);
  d->slot[i] = id + 1;
  /* A known variant spelling (name.c holds the pairs) joins the class of its canonical one. */
  const char *cs = name_variant_canon(s, len);
  if (cs != NULL) {
    uint32_t c;
    int rc = match__dict_intern(d, cs, strlen(cs), &c);
    if (rc != BH_OK) return rc;
    d->canon[id] = c;
  }
  *id_out = id;
  return BH_OK;
}

static int match__dict_intern(match_dict_t *d, const char *s, size_t len, uint32_t *id_out) {
  uint32_t h = (uint32_t)match_hash_bytes(s, len);
  uint32_t id = match__dict_find(d, s, len, h);
  if (id != MATCH_NO_TOKEN) {
    *id_out = id;
    return BH_OK;
  }
  return match__dict_add(d, s, len, h, id_out);
}

/* ---------------------------------------------------------------- accents */

/* Returns the Vietnamese tone (1..5) a combining mark stands for, or 0 for any other mark. */
static int match__tone(utf8proc_int32_t c) {
  switch (c) {
  case 0x0300: case 0x0340: return 1; /* huyền */
  case 0x0301: case 0x0341: return 2; /* sắc */
  case 0x0303: return 3;              /* ngã */
  case 0x0309: return 4;              /* hỏi */
  case 0x0323: return 5;              /* nặng */
  default: return 0;
  }
}

/* The largest number of code points a decomposed name may take. */
#define MATCH_ACCENT_CPS (4 * NAME_MAX_INPUT_BYTES)

/*
 * Splits the NFC text into word tokens the way name_fold does (letters and digits join, marks
 * attach, anything else breaks) and writes one accent key per token into keys (max slots).
 * Returns the number of tokens, or -1 when the text cannot be decomposed.
 */
static int match__accent_keys(const char *s, size_t len, uint16_t *keys, int max) {
  static const utf8proc_option_t opts = UTF8PROC_DECOMPOSE | UTF8PROC_CASEFOLD;
  utf8proc_int32_t *cp = malloc(MATCH_ACCENT_CPS * sizeof *cp);
  if (cp == NULL) return -1;
  utf8proc_ssize_t n = utf8proc_decompose((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)len, cp,
                                          MATCH_ACCENT_CPS, opts);
  if (n < 0 || n > MATCH_ACCENT_CPS) {
    free(cp);
    return -1;
  }
  int ntok = 0, in_tok = 0, tone = 0;
  uint64_t h = 0;
  for (utf8proc_ssize_t i = 0; i <= n; i++) {
    int word = 0, mark = 0;
    if (i < n) {
      utf8proc_category_t cat = utf8proc_category(cp[i]);
      mark = cat == UTF8PROC_CATEGORY_MN || cat == UTF8PROC_CATEGORY_ME;
      word = cat == UTF8PROC_CATEGORY_LU || cat == UTF8PROC_CATEGORY_LL ||
             cat == UTF8PROC_CATEGORY_LT || cat == UTF8PROC_CATEGORY_LO ||
             cat == UTF8PROC_CATEGORY_MC || cat == UTF8PROC_CATEGORY_ND ||
             cat == UTF8PROC_CATEGORY_NL || cat == UTF8PROC_CATEGORY_NO ||
             (cat == UTF8PROC_CATEGORY_LM && !(cp[i] >= 0x02B9 && cp[i] <= 0x02FF));
    }
    if (in_tok && mark) {
      int t = match__tone(cp[i]);
      if (t)
        tone = t;
      else
        h = (h ^ (uint64_t)cp[i]) * 0x100000001b3ULL;
      continue;
    }
    if (word) {
      if (!in_tok) {
        in_tok = 1;
        tone = 0;
        h = 0xcbf29ce484222325ULL;
      }
      h = (h ^ (uint64_t)cp[i]) * 0x100000001b3ULL;
      continue;
    }
    if (in_tok) {
      uint16_t k = (uint16_t)match__mix64(h ^ ((uint64_t)tone << 56));
      if (ntok < max) keys[ntok] = k ? k : 1;
      ntok++;
      in_tok = 0;
    }
  }
  free(cp);
  return ntok;
}

uint16_t match_accent_key(const char *tok, size_t len) {
  uint16_t k[2];
  if (tok == NULL || len == 0 || len > NAME_MAX_INPUT_BYTES) return 0;
  int n = match__accent_keys(tok, len, k, 2);
  return n == 1 ? k[0] : 0;
}

/* ---------------------------------------------------------------- fields */

static char match__upper(char c) { return (c >= 'a' && c <= 'z') ? (char)(c - 32) : c; }

/* The digit an OCR engine may have read as this uppercase letter, or 0. */
static char match__ocr_digit(char c) {
  switch (c) {
  case 'O': case 'Q': return '0';
  case 'I': case 'L': return '1';
  case 'Z': return '2';
  case 'S': return '5';
  case 'G': return '6';
  case 'B': return '8';
  default: return 0;
  }
}

/* Base-37 digit of a canonical id character. */
static unsigned match__id_digit(char c) {
  return (c >= '0' && c <= '9') ? (unsigned)(c - '0') + 1u : (unsigned)(c - 'A') + 11u;
}

uint64_t match_id_pack(const char *raw, int *ocr) {
  char s[64];
  size_t n = 0;
  int changed = 0;
  if (ocr) *ocr = 0;
  if (raw == NULL) return 0;
  for (const char *p = raw; *p && n < sizeof s; p++) {
    char c = match__upper(*p);
    if ((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z')) s[n++] = c;
  }
  if (n == 0) return 0;
  for (size_t i = 0; i < n; i++) {
    char d = match__ocr_digit(s[i]);
    if (d && !(i == 0 && n <= 9)) {
      s[i] = d;
      changed = 1;
    }
  }
  if (ocr) *ocr = changed;
  int digits = 1;
  for (size_t i = 0; i < n; i++) digits &= s[i] >= '0' && s[i] <= '9';
  uint64_t v = 0;
  if (digits && n <= MATCH_ID_DIGITS_MAX) {
    for (size_t i = 0; i < n; i++) v = (v << 4) | (uint64_t)(s[i] - '0');
    return (1ULL << 62) | ((uint64_t)n << 56) | v;
  }
  if (n > MATCH_ID_ALNUM_MAX) return match_hash_bytes(s, n) | (1ULL << 63);
  for (size_t i = 0; i < n; i++) v = v * 37u + match__id_digit(s[i]);
  return v;
}

size_t match_id_unpack(uint64_t packed, char *out, size_t cap) {
  char tmp[MATCH_ID_PACK_CHARS];
  size_t n = 0;
  if (cap > 0) out[0] = '\0';
  if (packed == 0 || (packed >> 63) || cap < MATCH_ID_PACK_CHARS + 1) return 0;
  if (packed >> 62) {
    n = (size_t)((packed >> 56) & 0xF);
    for (size_t i = 0; i < n; i++) out[i] = (char)('0' + ((packed >> (4 * (n - 1 - i))) & 0xF));
    out[n] = '\0';
    return n;
  }
  while (packed && n < sizeof tmp) {
    unsigned d = (unsigned)(packed % 37u);
    packed /= 37u;
    tmp[n++] = d <= 10 ? (char)('0' + d - 1) : (char)('A' + d - 11);
  }
  for (size_t i = 0; i < n; i++) out[i] = tmp[n - 1 - i];
  out[n] = '\0';
  return n;
}

int match_parse_sex(const char *s) {
  static const struct {
    const char *word;
    char sex;
  } words[] = {{"f", 'F'},    {"w", 'F'},     {"female", 'F'}, {"woman", 'F'}, {"nu", 'F'},
               {"gioi tinh nu", 'F'}, {"thi", 'F'}, {"m", 'M'},  {"male", 'M'},  {"man", 'M'},
               {"nam", 'M'},  {"gioi tinh nam", 'M'}};
  char f[64];
  if (s == NULL || *s == '\0') return 0;
  if (name_fold(s, strlen(s), f, sizeof f, NULL) != BH_OK) return 0;
  for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
    if (strcmp(f, words[i].word) == 0) return words[i].sex;
  return 0;
}

/* Folds s into out (cap); returns the folded length, 0 when absent or unreadable (*bad set). */
static size_t match__fold_field(const char *s, char *out, size_t cap, uint32_t *warn) {
  size_t n = 0;
  out[0] = '\0';
  if (s == NULL || *s == '\0') return 0;
  if (name_fold(s, strlen(s), out, cap, &n) != BH_OK) {
    *warn |= MATCH_WARN_TEXT;
    out[0] = '\0';
    return 0;
  }
  return n;
}

static uint32_t match__hash_field(const char *s, uint32_t *warn) {
  char f[NAME_MAX_BYTES + 1];
  size_t n = match__fold_field(s, f, sizeof f, warn);
  if (n == 0) return 0;
  uint32_t h = (uint32_t)match_hash_bytes(f, n);
  return h ? h : 1;
}

/* Folds a province name and removes the administrative prefix ("tinh", "thanh pho", "tp"). */
static size_t match__province_key(const char *s, char *out, size_t cap, uint32_t *warn) {
  static const char *const prefixes[] = {"tinh ", "thanh pho ", "tp "};
  size_t n = match__fold_field(s, out, cap, warn);
  for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++) {
    size_t pl = strlen(prefixes[i]);
    if (n > pl && memcmp(out, prefixes[i], pl) == 0) {
      memmove(out, out + pl, n - pl + 1);
      n -= pl;
      break;
    }
  }
  return n;
}

/* Appends s and a space to the name buffer; returns the number of tokens it holds. */
static int match__name_part(const char *s, char *buf, size_t cap, size_t *len, int *ntok) {
  char f[NAME_MAX_BYTES + 1];
  char t[NAME_MAX_TOKENS][NAME_TOKEN_MAX];
  size_t n = strlen(s);
  if (*len + n + 2 > cap) return BH_ERR_INVALID;
  memcpy(buf + *len, s, n);
  *len += n;
  buf[(*len)++] = ' ';
  buf[*len] = '\0';
  if (name_fold(s, n, f, sizeof f, NULL) != BH_OK) return BH_ERR_INVALID;
  *ntok = (int)name_tokens(f, t, NAME_MAX_TOKENS);
  return BH_OK;
}

/* ---------------------------------------------------------------- records */

int match_record_normalise(const match_input_t *in, match_dict_t *tokens, match_dict_t *provinces,
                           int intern, match_rec_t *out, char tokstr[][NAME_TOKEN_MAX],
                           uint32_t *warn) {
  char name[NAME_MAX_INPUT_BYTES + 1];
  char folded[NAME_MAX_BYTES + 1];
  char tok[NAME_MAX_TOKENS][NAME_TOKEN_MAX];
  uint32_t w = 0;
  size_t nlen = 0;
  int nfam = 0, nmid = 0, ngiv = 0, rc;

  memset(out, 0, sizeof *out);
  out->age = -1;
  out->family = out->given = MATCH_NO_ROLE;
  if (warn) *warn = 0;

  /* The name: separate parts win over full_name and fix the roles. */
  int parts = (in->family_name && *in->family_name) || (in->given_name && *in->given_name);
  if (parts) {
    if (in->family_name && *in->family_name &&
        match__name_part(in->family_name, name, sizeof name, &nlen, &nfam) != BH_OK)
      return BH_ERR_INVALID;
    if (in->middle_name && *in->middle_name &&
        match__name_part(in->middle_name, name, sizeof name, &nlen, &nmid) != BH_OK)
      return BH_ERR_INVALID;
    if (in->given_name && *in->given_name &&
        match__name_part(in->given_name, name, sizeof name, &nlen, &ngiv) != BH_OK)
      return BH_ERR_INVALID;
  } else {
    if (in->full_name == NULL) return BH_ERR_INVALID;
    nlen = strlen(in->full_name);
    if (nlen > NAME_MAX_INPUT_BYTES) return BH_ERR_INVALID;
    memcpy(name, in->full_name, nlen + 1);
  }
  if (name_fold(name, nlen, folded, sizeof folded, NULL) != BH_OK) return BH_ERR_INVALID;
  size_t nt = name_tokens(folded, tok, NAME_MAX_TOKENS);
  if (nt == 0) return BH_ERR_INVALID;
  if (nt > MATCH_MAX_TOKENS) {
    w |= MATCH_WARN_NAME;
    nt = MATCH_MAX_TOKENS;
  }
  out->ntok = (uint8_t)nt;
  for (size_t i = 0; i < nt; i++) {
    size_t tl = strlen(tok[i]);
    uint32_t id;
    if (intern) {
      rc = match__dict_intern(tokens, tok[i], tl, &id);
      if (rc != BH_OK) return rc;
      int seen = 0;
      for (size_t j = 0; j < i; j++) seen |= out->tok[j] == id;
      if (!seen) tokens->df[id]++;
    } else {
      id = match_dict_lookup(tokens, tok[i], tl);
    }
    out->tok[i] = id;
    if (tokstr) memcpy(tokstr[i], tok[i], tl + 1);
  }
  if (parts) {
    if (nfam > 0) out->family = 0;
    if (ngiv > 0 && (size_t)(nfam + nmid + ngiv) <= nt) out->given = (uint8_t)(nt - 1);
  } else if (in->order == MATCH_ORDER_FAMILY_FIRST && nt >= 2) {
    out->family = 0;
    out->given = (uint8_t)(nt - 1);
  }

  /* Accent keys, only when the name was written with some non-ASCII letter. */
  int accented = 0;
  for (size_t i = 0; i < nlen && !accented; i++) accented = (unsigned char)name[i] >= 0x80;
  if (accented) {
    uint16_t keys[NAME_MAX_TOKENS];
    int nk = match__accent_keys(name, nlen, keys, NAME_MAX_TOKENS);
    if (nk >= 0 && (size_t)nk == name_tokens(folded, tok, NAME_MAX_TOKENS)) {
      for (size_t i = 0; i < nt; i++) out->accent[i] = keys[i];
      out->flags |= MATCH_REC_ACCENTED;
    }
  }

  /* Birth date and age. */
  if (in->date_of_birth && *in->date_of_birth) {
    pdate_t d;
    if (pdate_parse_loose(in->date_of_birth, &d) == BH_OK) {
      out->year = (uint16_t)d.year;
      out->month = (uint8_t)d.month;
      out->day = (uint8_t)d.day;
      if (d.month == 1 && d.day == 1) out->flags |= MATCH_REC_JAN1;
    } else {
      w |= MATCH_WARN_DOB;
    }
  }
  if (in->age >= 0 && in->age <= 150) out->age = (int16_t)in->age;

  if (in->sex && *in->sex) {
    out->sex = (uint8_t)match_parse_sex(in->sex);
    if (!out->sex) w |= MATCH_WARN_SEX;
  }
  for (int i = 0; i < MATCH_MAX_IDS; i++) {
    int ocr = 0;
    out->idn[i] = match_id_pack(in->id_number[i], &ocr);
    if (ocr) out->flags |= (uint8_t)(i == 0 ? MATCH_REC_ID0_OCR : MATCH_REC_ID1_OCR);
  }
  if (in->province && *in->province && provinces) {
    char pk[NAME_MAX_BYTES + 1];
    size_t pl = match__province_key(in->province, pk, sizeof pk, &w);
    if (pl > 0) {
      uint32_t id;
      if (intern) {
        rc = match__dict_intern(provinces, pk, pl, &id);
        if (rc != BH_OK) return rc;
        provinces->df[id]++;
      } else {
        id = match_dict_lookup(provinces, pk, pl);
      }
      /* A province the index never saw cannot agree with any record: keep it as "other". */
      out->province = id == MATCH_NO_TOKEN ? UINT16_MAX : (uint16_t)(id < UINT16_MAX - 1 ? id + 1 : UINT16_MAX);
    }
  }
  out->postcode = match__hash_field(in->postcode, &w);
  out->address = match__hash_field(in->address, &w);
  out->city = match__hash_field(in->city, &w);
  if (warn) *warn = w;
  return BH_OK;
}
