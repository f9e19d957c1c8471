/*
 * match_index.c - records to match against and their blocking tables (match_index.h).
 *
 * Keys are 32-bit hashes of (kind, parts). Freezing builds one table per kind: a counting pass
 * sizes it, a filling pass writes (key << 32 | record) in record order, and a two-pass LSD radix
 * sort on the key's 32 bits orders it, keeping records ascending within a key. A directory over
 * the key's top MATCH_DIR_BITS bits narrows each lookup to a few entries before a binary search.
 */
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "match/match_priv.h"
#include "match/match_score.h"
#include "util/err.h"

/* The most dictionary corrections tried for one unknown query token. */
#define MATCH_TYPO_FIXES 2
/* The most keys of one kind one record or query can produce. */
#define MATCH_KEYS_MAX 96

_Static_assert(sizeof(match_rec_t) == 88, "a record is 88 bytes (match_record.h)");

/* ---------------------------------------------------------------- large arrays */

/*
 * Records, postings and per-record stamps are read at random over hundreds of megabytes, where
 * 4 KiB pages make every read a TLB miss. These arrays are therefore mapped directly and the
 * kernel asked for transparent huge pages (a hint it may ignore). Sizes are rounded up to whole
 * pages; the memory starts zeroed. Returns NULL on failure.
 */
static void *match__big_alloc(size_t bytes) {
  if (bytes == 0) bytes = 1;
  void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) return NULL;
#ifdef MADV_HUGEPAGE
  if (bytes >= ((size_t)2 << 20)) madvise(p, bytes, MADV_HUGEPAGE);
#endif
  return p;
}

/* Frees what match__big_alloc gave for the same byte count. Accepts NULL. */
static void match__big_free(void *p, size_t bytes) {
  if (p != NULL) munmap(p, bytes ? bytes : 1);
}

/* Moves *p (old bytes) to a new mapping of new_bytes. Returns BH_OK or BH_ERR_NOMEM. */
static int match__big_grow(void *pp, size_t old_bytes, size_t new_bytes) {
  void **p = pp;
  void *q = match__big_alloc(new_bytes);
  if (q == NULL) return BH_ERR_NOMEM;
  if (*p) memcpy(q, *p, old_bytes);
  match__big_free(*p, old_bytes);
  *p = q;
  return BH_OK;
}

int match_index_new(match_index_t **out) {
  match_index_t *idx = calloc(1, sizeof *idx);
  if (idx == NULL) return BH_ERR_NOMEM;
  if (match_dict_new(&idx->tokens) != BH_OK || match_dict_new(&idx->provinces) != BH_OK) {
    match_index_free(idx);
    return BH_ERR_NOMEM;
  }
  *out = idx;
  return BH_OK;
}

void match_index_free(match_index_t *idx) {
  if (idx == NULL) return;
  match_dict_free(idx->tokens);
  match_dict_free(idx->provinces);
  match__big_free(idx->rec, (size_t)idx->cap * sizeof *idx->rec);
  free(idx->tokw);
  free(idx->tokmid);
  free(idx->ext);
  free(idx->ext_off);
  for (int k = 0; k < MATCH_KEY_COUNT; k++) {
    match__big_free(idx->block[k].ent, idx->block[k].n * sizeof *idx->block[k].ent);
    free(idx->block[k].dir);
  }
  free(idx);
}

uint32_t match_index_count(const match_index_t *idx) { return idx->n; }
const match_rec_t *match_index_record(const match_index_t *idx, uint32_t i) { return &idx->rec[i]; }
const match_dict_t *match_index_tokens(const match_index_t *idx) { return idx->tokens; }
const char *match_index_external_id(const match_index_t *idx, uint32_t i) {
  return idx->ext + idx->ext_off[i];
}

size_t match_index_entries(const match_index_t *idx) {
  size_t n = 0;
  for (int k = 0; k < MATCH_KEY_COUNT; k++) n += idx->block[k].n;
  return n;
}

size_t match_index_bytes(const match_index_t *idx) {
  size_t b = (size_t)idx->cap * (sizeof(match_rec_t) + sizeof(uint64_t)) + idx->ext_cap;
  for (int k = 0; k < MATCH_KEY_COUNT; k++)
    if (idx->block[k].ent)
      b += idx->block[k].n * sizeof(uint64_t) + (((size_t)1 << MATCH_DIR_BITS) + 1) * 4;
  return b;
}

int match_country_pack(const char *s) {
  int a = s[0] & ~0x20, b = s[0] ? s[1] & ~0x20 : 0;
  if (a < 'A' || a > 'Z' || b < 'A' || b > 'Z') return -1;
  return (a - 'A') * 26 + (b - 'A');
}

int match_country_code(const char *iso2) {
  return iso2 != NULL && strlen(iso2) == 2 ? match_country_pack(iso2) : -1;
}

/* Reads the presence countries of a record being added (match_input_t.countries) into r,
 * interning new codes in the index's country table. Tokens that are not two letters are
 * ignored, as are countries past MATCH_MAX_COUNTRIES or MATCH_COUNTRY_IDS_MAX. */
static void match__add_countries(match_index_t *idx, const char *list, match_rec_t *r) {
  if (list == NULL) return;
  r->flags |= MATCH_REC_CTRY_KNOWN;
  int n = 0;
  for (const char *p = list; *p && n < MATCH_MAX_COUNTRIES;) {
    while (*p == ',' || *p == ';' || *p == ' ') p++;
    const char *e = p;
    while (*e && *e != ',' && *e != ';' && *e != ' ') e++;
    int code = e - p == 2 ? match_country_pack(p) : -1;
    p = e;
    if (code < 0) continue;
    uint8_t id = idx->ctry_id[code];
    if (id == 0) {
      if (idx->nctry >= MATCH_COUNTRY_IDS_MAX) continue;
      id = (uint8_t)++idx->nctry;
      idx->ctry_id[code] = id;
      idx->ctry_code[id] = (uint16_t)code;
    }
    int dup = 0;
    for (int k = 0; k < n; k++) dup |= r->ctry[k] == id;
    if (!dup) r->ctry[n++] = id;
  }
}

int match_index_add(match_index_t *idx, const match_input_t *in, uint32_t *warn) {
  match_rec_t r;
  if (idx->frozen) return BH_ERR_INVALID;
  if (idx->n >= MATCH_INDEX_MAX_RECORDS) return BH_ERR_TOO_LARGE;
  int rc = match_record_normalise(in, idx->tokens, idx->provinces, 1, &r, NULL, warn);
  if (rc != BH_OK) return rc;
  match__add_countries(idx, in->countries, &r);
  if (idx->n == idx->cap) {
    uint32_t c2 = idx->cap ? idx->cap + idx->cap / 2 : 1024;
    if (match__big_grow(&idx->rec, (size_t)idx->cap * sizeof *idx->rec,
                        (size_t)c2 * sizeof *idx->rec) != BH_OK)
      return BH_ERR_NOMEM;
    uint64_t *o2 = realloc(idx->ext_off, (size_t)c2 * sizeof *o2);
    if (o2 == NULL) return BH_ERR_NOMEM;
    idx->ext_off = o2;
    idx->cap = c2;
  }
  const char *id = in->id ? in->id : "";
  size_t il = strlen(id);
  if (idx->ext_len + il + 1 > idx->ext_cap) {
    size_t c2 = idx->ext_cap ? idx->ext_cap * 2 : 65536;
    while (c2 < idx->ext_len + il + 1) c2 *= 2;
    char *e2 = realloc(idx->ext, c2);
    if (e2 == NULL) return BH_ERR_NOMEM;
    idx->ext = e2;
    idx->ext_cap = c2;
  }
  memcpy(idx->ext + idx->ext_len, id, il + 1);
  idx->ext_off[idx->n] = idx->ext_len;
  idx->ext_len += il + 1;
  idx->rec[idx->n++] = r;
  return BH_OK;
}

/* ---------------------------------------------------------------- keys */

static uint64_t match__mix(uint64_t h, uint64_t v) {
  h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
  h ^= h >> 31;
  h *= 0xbf58476d1ce4e5b9ULL;
  h ^= h >> 29;
  return h;
}

static uint32_t match__key(int kind, uint64_t a, uint64_t b, uint64_t c) {
  uint64_t h = match__mix(0x6d61746368ULL + (uint64_t)kind, a);
  h = match__mix(h, b);
  h = match__mix(h, c);
  return (uint32_t)(h >> 32);
}

/* The canonical (variant-merged) ids of a record's known tokens, without repeats; returns n. */
static int match__canon_tokens(const match_index_t *idx, const match_rec_t *r, uint32_t *c) {
  int n = 0;
  for (int i = 0; i < r->ntok; i++) {
    if (r->tok[i] == MATCH_NO_TOKEN) continue;
    uint32_t v = match_dict_canon(idx->tokens, r->tok[i]);
    int dup = 0;
    for (int j = 0; j < n; j++) dup |= c[j] == v;
    if (!dup) c[n++] = v;
  }
  return n;
}

static int match__cmp_u32(const void *a, const void *b) {
  uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
  return (x > y) - (x < y);
}

static uint32_t match__name_key(const uint32_t *c, int n) {
  uint32_t s[MATCH_MAX_TOKENS];
  memcpy(s, c, (size_t)n * sizeof *s);
  qsort(s, (size_t)n, sizeof *s, match__cmp_u32);
  uint64_t h = 0x6e616d65ULL;
  for (int i = 0; i < n; i++) h = match__mix(h, s[i]);
  return match__key(MATCH_KEY_NAME, h, (uint64_t)n, 0);
}

/* Writes the keys of one kind that record r files itself under; returns how many. */
static int match__record_keys(const match_index_t *idx, const match_rec_t *r, int kind,
                              uint32_t *keys) {
  uint32_t c[MATCH_MAX_TOKENS];
  int nc = match__canon_tokens(idx, r, c), nk = 0;
  switch (kind) {
  case MATCH_KEY_PAIR_YEAR:
    if (!r->year) break;
    for (int i = 0; i < nc; i++)
      for (int j = i + 1; j < nc; j++) {
        uint32_t a = c[i] < c[j] ? c[i] : c[j], b = c[i] < c[j] ? c[j] : c[i];
        keys[nk++] = match__key(kind, a, b, (uint64_t)r->year * 256u + r->sex);
      }
    break;
  case MATCH_KEY_TOKEN_SEX_YEAR:
    if (!r->year) break;
    for (int i = 0; i < nc; i++) keys[nk++] = match__key(kind, c[i], r->sex, r->year);
    break;
  case MATCH_KEY_TOKEN_DATE:
    if (!r->day) break;
    for (int i = 0; i < nc; i++)
      keys[nk++] = match__key(kind, c[i], r->year, (uint64_t)r->month * 32u + r->day);
    break;
  case MATCH_KEY_ID:
    for (int i = 0; i < MATCH_MAX_IDS; i++)
      if (r->idn[i]) keys[nk++] = match__key(kind, r->idn[i], 0, 0);
    break;
  case MATCH_KEY_NAME:
    if (nc > 0) keys[nk++] = match__name_key(c, nc);
    break;
  case MATCH_KEY_PAIR:
    for (int i = 0; i < nc; i++)
      for (int j = i + 1; j < nc; j++) {
        uint32_t a = c[i] < c[j] ? c[i] : c[j], b = c[i] < c[j] ? c[j] : c[i];
        keys[nk++] = match__key(kind, a, b, 0);
      }
    break;
  default: break;
  }
  return nk;
}

/* ---------------------------------------------------------------- freezing */

/* Sorts a[0..n) by the top 32 bits, stably, through tmp (n entries): two 16-bit LSD passes,
 * a into tmp and back. */
static int match__radix_sort(uint64_t *a, uint64_t *tmp, size_t n) {
  size_t *cnt = calloc(65536, sizeof *cnt);
  if (cnt == NULL) return BH_ERR_NOMEM;
  for (int pass = 0; pass < 2; pass++) {
    int shift = 32 + 16 * pass;
    uint64_t *from = pass ? tmp : a, *to = pass ? a : tmp;
    memset(cnt, 0, 65536 * sizeof *cnt);
    for (size_t i = 0; i < n; i++) cnt[(from[i] >> shift) & 0xFFFF]++;
    size_t sum = 0;
    for (size_t b = 0; b < 65536; b++) {
      size_t t = cnt[b];
      cnt[b] = sum;
      sum += t;
    }
    for (size_t i = 0; i < n; i++) to[cnt[(from[i] >> shift) & 0xFFFF]++] = from[i];
  }
  free(cnt);
  return BH_OK;
}

static int match__build_block(match_index_t *idx, int kind) {
  uint32_t keys[MATCH_KEYS_MAX];
  match_block_t *bl = &idx->block[kind];
  size_t n = 0;
  for (uint32_t i = 0; i < idx->n; i++) n += (size_t)match__record_keys(idx, &idx->rec[i], kind, keys);
  bl->ent = match__big_alloc(n * sizeof *bl->ent);
  bl->n = n;
  uint64_t *tmp = match__big_alloc(n * sizeof *tmp);
  bl->dir = calloc(((size_t)1 << MATCH_DIR_BITS) + 1, sizeof *bl->dir);
  if (bl->ent == NULL || tmp == NULL || bl->dir == NULL) {
    match__big_free(tmp, n * sizeof *tmp);
    return BH_ERR_NOMEM;
  }
  size_t at = 0;
  for (uint32_t i = 0; i < idx->n; i++) {
    int nk = match__record_keys(idx, &idx->rec[i], kind, keys);
    for (int k = 0; k < nk; k++) bl->ent[at++] = ((uint64_t)keys[k] << 32) | i;
  }
  int rc = match__radix_sort(bl->ent, tmp, n);
  match__big_free(tmp, n * sizeof *tmp);
  if (rc != BH_OK) return rc;
  /* dir[b] is the first entry whose top bits are >= b; entries are counted in uint32_t. */
  if (n > UINT32_MAX) return BH_ERR_TOO_LARGE;
  size_t e = 0;
  for (size_t b = 0; b <= ((size_t)1 << MATCH_DIR_BITS); b++) {
    while (e < n && (bl->ent[e] >> (64 - MATCH_DIR_BITS)) < b) e++;
    bl->dir[b] = (uint32_t)e;
  }
  return BH_OK;
}

typedef struct {
  match_index_t *idx;
  atomic_int next;
  atomic_int rc;
} match_freeze_job_t;

static void *match__freeze_worker(void *arg) {
  match_freeze_job_t *job = arg;
  for (;;) {
    int k = atomic_fetch_add(&job->next, 1);
    if (k >= MATCH_KEY_COUNT) break;
    int rc = match__build_block(job->idx, k);
    if (rc != BH_OK) atomic_store(&job->rc, rc);
  }
  return NULL;
}

/* The list-country weights of every country of the table (match_index.h); id 0 stands for a
 * country where no record is present (u = 0). */
static void match__country_weights(match_index_t *idx) {
  memset(idx->ctry_df, 0, sizeof idx->ctry_df);
  idx->ctry_known = 0;
  for (uint32_t i = 0; i < idx->n; i++) {
    const match_rec_t *r = &idx->rec[i];
    if (!(r->flags & MATCH_REC_CTRY_KNOWN)) continue;
    idx->ctry_known++;
    for (int k = 0; k < MATCH_MAX_COUNTRIES && r->ctry[k]; k++) idx->ctry_df[r->ctry[k]]++;
  }
  double known = idx->ctry_known ? idx->ctry_known : 1;
  for (uint32_t id = 0; id <= idx->nctry; id++) {
    double u = id ? (double)idx->ctry_df[id] / known : 0.0;
    /* Every record present: the evidence tells nothing (and 1 - u would be 0). */
    if (u >= 1.0) {
      idx->ctry_in[id] = idx->ctry_out[id] = 0.0;
      continue;
    }
    double m = MATCH_COUNTRY_M + (1.0 - MATCH_COUNTRY_M) * u;
    double win = u > 0 ? log2(m / u) : MATCH_COUNTRY_W_MAX;
    idx->ctry_in[id] = win > MATCH_COUNTRY_W_MAX ? MATCH_COUNTRY_W_MAX : win;
    idx->ctry_out[id] = log2((1.0 - m) / (1.0 - u));
  }
}

int match_index_freeze(match_index_t *idx, int nthreads) {
  match_freeze_job_t job;
  pthread_t th[MATCH_KEY_COUNT];
  int started = 0;
  if (idx->frozen) return BH_OK;
  job.idx = idx;
  atomic_init(&job.next, 0);
  atomic_init(&job.rc, BH_OK);
  if (nthreads > MATCH_KEY_COUNT) nthreads = MATCH_KEY_COUNT;
  for (int t = 1; t < nthreads; t++) {
    if (pthread_create(&th[started], NULL, match__freeze_worker, &job) != 0) break;
    started++;
  }
  match__freeze_worker(&job);
  for (int t = 0; t < started; t++) pthread_join(th[t], NULL);
  idx->log2n = idx->n > 1 ? log2((double)idx->n) : 0.0;
  uint32_t nt = match_dict_count(idx->tokens);
  idx->tokw = malloc((nt ? nt : 1) * sizeof *idx->tokw);
  idx->tokmid = malloc(nt ? nt : 1);
  if (idx->tokw == NULL || idx->tokmid == NULL) return BH_ERR_NOMEM;
  for (uint32_t t = 0; t < nt; t++) {
    double u = (double)match_dict_df(idx->tokens, t) / (idx->n ? idx->n : 1);
    if (u * idx->n < 1) u = 1.0 / (idx->n ? idx->n : 1);
    if (u > 0.9) u = 0.9;
    idx->tokw[t] = (float)log2(MATCH_TOKEN_M / u);
    idx->tokmid[t] = (uint8_t)name_is_common_middle(match_dict_str(idx->tokens, t));
  }
  match__country_weights(idx);
  idx->frozen = 1;
  return atomic_load(&job.rc);
}

/* ---------------------------------------------------------------- queries */

int match_query_prepare(const match_index_t *idx, const match_input_t *in, int ref_year,
                        int ref_month, int ref_day, match_query_t *out, uint32_t *warn) {
  memset(out, 0, sizeof *out);
  int rc = match_record_normalise(in, idx->tokens, idx->provinces, 0, &out->rec, out->tokstr,
                                  warn);
  if (rc != BH_OK) return rc;
  for (int i = 0; i < out->rec.ntok; i++) out->toklen[i] = (uint8_t)strlen(out->tokstr[i]);
  out->ref_year = ref_year;
  out->ref_month = ref_month;
  out->ref_day = ref_day;
  out->self = UINT32_MAX;
  return BH_OK;
}

int match_query_set_country(const match_index_t *idx, match_query_t *q, const char *iso2) {
  if (iso2 == NULL || iso2[0] == '\0') {
    q->country[0] = '\0';
    q->country_id = 0;
    return BH_OK;
  }
  int code = match_country_code(iso2);
  if (code < 0) return BH_ERR_INVALID;
  q->country[0] = (char)('A' + code / 26);
  q->country[1] = (char)('A' + code % 26);
  q->country[2] = '\0';
  q->country_id = idx->ctry_id[code];
  return BH_OK;
}

int match_country_weights(const match_index_t *idx, const char *iso2, double *present,
                          double *absent) {
  int code = match_country_code(iso2);
  if (code < 0) return BH_ERR_INVALID;
  uint8_t id = idx->ctry_id[code];
  *present = id ? idx->ctry_in[id] : MATCH_COUNTRY_W_MAX;
  *absent = idx->ctry_out[id];
  return BH_OK;
}

void match_query_from_record(const match_index_t *idx, uint32_t i, int ref_year, int ref_month,
                             int ref_day, match_query_t *out) {
  memset(out, 0, sizeof *out);
  out->rec = idx->rec[i];
  for (int t = 0; t < out->rec.ntok; t++) {
    const char *s = match_dict_str(idx->tokens, out->rec.tok[t]);
    size_t l = strlen(s);
    if (l >= NAME_TOKEN_MAX) l = NAME_TOKEN_MAX - 1;
    memcpy(out->tokstr[t], s, l);
    out->tokstr[t][l] = '\0';
    out->toklen[t] = (uint8_t)l;
  }
  out->ref_year = ref_year;
  out->ref_month = ref_month;
  out->ref_day = ref_day;
  out->self = i;
}

int match_query_years(const match_query_t *q, int years[3]) {
  if (q->rec.year) {
    years[0] = q->rec.year;
    return 1;
  }
  if (q->rec.age >= 0) {
    /* Calendar age A: born in ref-A-1 or ref-A; traditional age A: ref-A or ref-A+1. */
    for (int k = 0; k < 3; k++) years[k] = q->ref_year - q->rec.age - 1 + k;
    return 3;
  }
  return 0;
}

int match_cands_init(match_cands_t *c, const match_index_t *idx) {
  memset(c, 0, sizeof *c);
  c->nstamp = idx->n;
  c->stamp = match__big_alloc((size_t)idx->n * sizeof *c->stamp);
  c->id = malloc(MATCH_MAX_CANDIDATES * sizeof *c->id);
  if (c->stamp == NULL || c->id == NULL) {
    match_cands_free(c);
    return BH_ERR_NOMEM;
  }
  return BH_OK;
}

void match_cands_free(match_cands_t *c) {
  match__big_free(c->stamp, c->nstamp * sizeof *c->stamp);
  free(c->id);
  c->stamp = c->id = NULL;
}

/* Adds the postings of key in table kind to c, unless there are more than cap of them. */
static void match__collect(const match_index_t *idx, int kind, uint32_t key, size_t cap,
                           uint32_t self, match_cands_t *c) {
  const match_block_t *bl = &idx->block[kind];
  if (bl->ent == NULL) return;
  uint32_t b = key >> (32 - MATCH_DIR_BITS);
  size_t lo = bl->dir[b], hi = bl->dir[b + 1];
  uint64_t want = (uint64_t)key << 32;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (bl->ent[mid] < want)
      lo = mid + 1;
    else
      hi = mid;
  }
  size_t end = lo;
  while (end < bl->n && (bl->ent[end] >> 32) == key) end++;
  if (end - lo > cap) {
    c->skipped++;
    return;
  }
  for (size_t e = lo; e < end && c->n < MATCH_MAX_CANDIDATES; e++) {
    uint32_t r = (uint32_t)bl->ent[e];
    if (c->stamp[r] == c->epoch || r == self) continue;
    c->stamp[r] = c->epoch;
    c->id[c->n++] = r;
    c->by_kind[kind]++;
  }
}

/* Adds to can (n entries, at most max) the canonical ids of up to MATCH_TYPO_FIXES dictionary
 * tokens one typo away from the unknown token s, the most frequent first; returns the new n. */
static int match__typo_fixes(const match_index_t *idx, const char *s, size_t len, uint32_t *can,
                             int n, int max) {
  uint32_t best[MATCH_TYPO_FIXES], bdf[MATCH_TYPO_FIXES];
  int nb = 0;
  uint32_t nt = match_dict_count(idx->tokens);
  for (uint32_t t = 0; t < nt; t++) {
    uint32_t df = match_dict_df(idx->tokens, t);
    if (df == 0) continue;
    const char *d = match_dict_str(idx->tokens, t);
    size_t dl = strlen(d);
    if ((dl > len ? dl - len : len - dl) > 1 || match_token_level(s, d) != MATCH_TOK_TYPO) continue;
    if (nb == MATCH_TYPO_FIXES && bdf[nb - 1] >= df) continue;
    int at = nb < MATCH_TYPO_FIXES ? nb++ : MATCH_TYPO_FIXES - 1;
    while (at > 0 && bdf[at - 1] < df) {
      best[at] = best[at - 1];
      bdf[at] = bdf[at - 1];
      at--;
    }
    best[at] = t;
    bdf[at] = df;
  }
  for (int i = 0; i < nb && n < max; i++) {
    uint32_t v = match_dict_canon(idx->tokens, best[i]);
    int dup = 0;
    for (int j = 0; j < n; j++) dup |= can[j] == v;
    if (!dup) can[n++] = v;
  }
  return n;
}

void match_index_block(const match_index_t *idx, const match_query_t *q, match_cands_t *c) {
  const match_rec_t *r = &q->rec;
  uint32_t can[MATCH_MAX_TOKENS * (1 + MATCH_TYPO_FIXES)], df[MATCH_MAX_TOKENS * (1 + MATCH_TYPO_FIXES)];
  int years[3];
  int ny = match_query_years(q, years);
  int nc = match__canon_tokens(idx, r, can);
  int all_known = nc == r->ntok;
  /* A token the index does not know is probably a typo: block on its likely corrections. */
  for (int i = 0; i < r->ntok; i++)
    if (r->tok[i] == MATCH_NO_TOKEN)
      nc = match__typo_fixes(idx, q->tokstr[i], q->toklen[i], can, nc,
                             (int)(sizeof can / sizeof can[0]));
  size_t cap = ny ? MATCH_BLOCK_CAP_DATED : MATCH_BLOCK_CAP_UNDATED;

  c->n = 0;
  c->skipped = 0;
  memset(c->by_kind, 0, sizeof c->by_kind);
  if (++c->epoch == 0) {
    memset(c->stamp, 0, (size_t)idx->n * sizeof *c->stamp);
    c->epoch = 1;
  }
  for (int i = 0; i < MATCH_MAX_IDS; i++)
    if (r->idn[i])
      match__collect(idx, MATCH_KEY_ID, match__key(MATCH_KEY_ID, r->idn[i], 0, 0),
                     MATCH_BLOCK_CAP_DATED, q->self, c);
  /* Pairs with year and sex; records of unknown sex are filed under 0, looked up as well. */
  static const uint8_t any_sex[] = {'F', 'M', 0};
  uint8_t sexes[2] = {r->sex, 0};
  const uint8_t *sx = r->sex ? sexes : any_sex;
  int nsx = r->sex ? 2 : 3;
  for (int y = 0; y < ny; y++)
    for (int i = 0; i < nc; i++)
      for (int j = i + 1; j < nc; j++) {
        uint32_t a = can[i] < can[j] ? can[i] : can[j], b = can[i] < can[j] ? can[j] : can[i];
        for (int s = 0; s < nsx; s++)
          match__collect(idx, MATCH_KEY_PAIR_YEAR,
                         match__key(MATCH_KEY_PAIR_YEAR, a, b, (uint64_t)years[y] * 256u + sx[s]),
                         cap, q->self, c);
      }
  if (r->day) {
    int swap = r->day <= 12 && r->day != r->month;
    for (int i = 0; i < nc; i++) {
      match__collect(idx, MATCH_KEY_TOKEN_DATE,
                     match__key(MATCH_KEY_TOKEN_DATE, can[i], r->year,
                                (uint64_t)r->month * 32u + r->day),
                     cap, q->self, c);
      if (swap)
        match__collect(idx, MATCH_KEY_TOKEN_DATE,
                       match__key(MATCH_KEY_TOKEN_DATE, can[i], r->year,
                                  (uint64_t)r->day * 32u + r->month),
                       cap, q->self, c);
    }
  }
  /* The two rarest known tokens with sex and year: catches a name whose other tokens all have
   * typos. Without a known sex both are tried. */
  if (ny && nc > 0) {
    for (int i = 0; i < nc; i++) df[i] = match_dict_df(idx->tokens, can[i]);
    for (int pick = 0; pick < 2 && pick < nc; pick++) {
      int best = pick;
      for (int i = pick + 1; i < nc; i++)
        if (df[i] < df[best]) best = i;
      uint32_t t = can[best], d = df[best];
      can[best] = can[pick];
      df[best] = df[pick];
      can[pick] = t;
      df[pick] = d;
      for (int y = 0; y < ny; y++)
        for (int s = 0; s < 2; s++) {
          uint8_t sex = r->sex ? r->sex : (s ? 'M' : 'F');
          if (r->sex && s) break;
          match__collect(idx, MATCH_KEY_TOKEN_SEX_YEAR,
                         match__key(MATCH_KEY_TOKEN_SEX_YEAR, can[pick], sex, years[y]),
                         MATCH_BLOCK_CAP_RARE, q->self, c);
        }
    }
  }
  if (nc > 0 && all_known) match__collect(idx, MATCH_KEY_NAME, match__name_key(can, nc), cap, q->self, c);
  /* Name pairs without a year only for queries that have neither date nor age. */
  for (int i = 0; i < nc && !ny; i++)
    for (int j = i + 1; j < nc; j++) {
      uint32_t a = can[i] < can[j] ? can[i] : can[j], b = can[i] < can[j] ? can[j] : can[i];
      match__collect(idx, MATCH_KEY_PAIR, match__key(MATCH_KEY_PAIR, a, b, 0), cap, q->self, c);
    }
}
