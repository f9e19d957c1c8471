/*
 * match_score.c - field comparators and Fellegi-Sunter weights (match_score.h).
 *
 * Every weight the engine uses is in match_w below, in bits. They were set from the error rates
 * lists are known to have (a third of names lose their middle name or change order, one in seven
 * has a typo, one in twelve swaps day and month, ...) and tuned on the generated set of seed 1.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "match/match_priv.h"
#include "match/match_score.h"
#include "util/err.h"

static const struct {
  double tok_variant;      /* subtracted from a token's weight for a variant spelling */
  double tok_typo;         /* subtracted for a one-edit typo between two known tokens */
  double typo_m;           /* chance a true match has a typo in a given token */
  double accent_agree;     /* per token, both written with diacritics, the same ones */
  double accent_differ;    /* per token, both with diacritics, different ones (Hùng/Hưng) */
  double q_extra_middle;   /* a common middle name of the query not in the record */
  double q_extra;          /* any other query token not in the record */
  double c_missing_middle; /* the record's middle names not in the query (once for all) */
  double c_missing_more;   /* each further middle name missing */
  double c_missing_main;   /* the record's family or given name not in the query */
  double dob_full;         /* the same full date */
  double dob_swap;         /* day and month swapped */
  double dob_year_month;   /* same year and month, at that precision */
  double dob_year;         /* same year, at year precision (a partial date) */
  double dob_jan1;         /* same year, one side 01-01 (a placeholder) and the other a real day */
  double dob_jan1_partial; /* same year, one side 01-01 and the other knows no day either */
  double dob_day_differ;   /* same year and month, another day */
  double dob_md_differ;    /* same year, another day and month */
  double dob_year_off1;    /* years one apart */
  double dob_differ;       /* years further apart */
  double age_same;         /* the age the date gives */
  double age_trad;         /* one more: the traditional (lunar) age */
  double age_off1;         /* one less */
  double age_differ;       /* further */
  double sex_same, sex_differ;
  double id_same, id_ocr, id_close, id_differ;
  double prov_max, prov_differ;
  double city_same, city_differ, post_same, post_differ, addr_same;
} match_w = {
    .tok_variant = 2.0,
    .tok_typo = 3.5,
    .typo_m = 0.05,
    .accent_agree = 0.3,
    .accent_differ = -2.5,
    .q_extra_middle = -1.5,
    .q_extra = -4.5,
    .c_missing_middle = -2.0,
    .c_missing_more = -0.3,
    .c_missing_main = -4.5,
    .dob_full = 13.0,
    .dob_swap = 8.5,
    .dob_year_month = 7.5,
    .dob_year = 5.0,
    .dob_jan1 = 8.0,
    .dob_jan1_partial = 9.0,
    .dob_day_differ = 0.5,
    .dob_md_differ = -4.0,
    .dob_year_off1 = -6.0,
    .dob_differ = -10.0,
    .age_same = 4.5,
    .age_trad = 3.5,
    .age_off1 = -2.0,
    .age_differ = -7.0,
    .sex_same = 0.9,
    .sex_differ = -5.0,
    .id_same = 20.0,
    .id_ocr = 17.0,
    .id_close = 5.0,
    .id_differ = -6.0,
    .prov_max = 7.0,
    .prov_differ = -1.5,
    .city_same = 2.0,
    .city_differ = -0.5,
    .post_same = 2.5,
    .post_differ = -0.5,
    .addr_same = 5.0,
};

/* ---------------------------------------------------------------- small helpers */

/* A bounded text builder for explanations; a NULL buffer makes every call a no-op. */
typedef struct {
  char *s;
  size_t cap, len;
} match_sb_t;

static void match__put(match_sb_t *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void match__put(match_sb_t *b, const char *fmt, ...) {
  if (b->s == NULL || b->len + 1 >= b->cap) return;
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
  va_end(ap);
  if (n < 0) return;
  b->len += (size_t)n;
  if (b->len >= b->cap) b->len = b->cap - 1;
}

int match_token_distance(const char *a, size_t la, const char *b, size_t lb) {
  /* Optimal string alignment distance over rows of at most NAME_TOKEN_MAX + 1 cells. */
  int d0[NAME_TOKEN_MAX + 1], d1[NAME_TOKEN_MAX + 1], d2[NAME_TOKEN_MAX + 1];
  int *pp = d0, *p = d1, *c = d2;
  if (la > NAME_TOKEN_MAX) la = NAME_TOKEN_MAX;
  if (lb > NAME_TOKEN_MAX) lb = NAME_TOKEN_MAX;
  if ((la > lb ? la - lb : lb - la) > 3) return 3;
  for (size_t j = 0; j <= lb; j++) p[j] = (int)j;
  for (size_t i = 1; i <= la; i++) {
    c[0] = (int)i;
    int rowmin = c[0];
    for (size_t j = 1; j <= lb; j++) {
      int cost = a[i - 1] != b[j - 1];
      int v = p[j] + 1;
      if (c[j - 1] + 1 < v) v = c[j - 1] + 1;
      if (p[j - 1] + cost < v) v = p[j - 1] + cost;
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && pp[j - 2] + 1 < v)
        v = pp[j - 2] + 1;
      c[j] = v;
      if (v < rowmin) rowmin = v;
    }
    if (rowmin >= 3) return 3;
    int *t = pp;
    pp = p;
    p = c;
    c = t;
  }
  return p[lb] > 3 ? 3 : p[lb];
}

/* Whether two different tokens are one typo apart: one edit when both have 2+ letters and one
 * has 3+ ("ma" for "mai"), a transposition for two 2-letter tokens ("el" for "le"), two edits
 * when both have 8+ letters. */
static int match__typo(const char *a, size_t la, const char *b, size_t lb) {
  if (la == 2 && lb == 2) return a[0] == b[1] && a[1] == b[0]; /* "el" for "le" */
  if (la < 2 || lb < 2) return 0;
  int d = match_token_distance(a, la, b, lb);
  return d <= 1 || (d == 2 && la >= 8 && lb >= 8);
}

match_tok_level_t match_token_level(const char *a, const char *b) {
  if (strcmp(a, b) == 0) return MATCH_TOK_EXACT;
  if (name_variant_close(a, b)) return MATCH_TOK_VARIANT;
  if (match__typo(a, strlen(a), b, strlen(b))) return MATCH_TOK_TYPO;
  return MATCH_TOK_NONE;
}

int match_tokcache_init(match_tokcache_t *c, const match_index_t *idx) {
  memset(c, 0, sizeof *c);
  c->ntok = match_dict_count(idx->tokens);
  c->stamp = calloc(c->ntok ? c->ntok : 1, sizeof *c->stamp);
  c->lvl = malloc((c->ntok ? c->ntok : 1) * (size_t)MATCH_MAX_TOKENS);
  if (c->stamp == NULL || c->lvl == NULL) {
    match_tokcache_free(c);
    return BH_ERR_NOMEM;
  }
  return BH_OK;
}

void match_tokcache_free(match_tokcache_t *c) {
  free(c->stamp);
  free(c->lvl);
  c->stamp = NULL;
  c->lvl = NULL;
}

void match_tokcache_next(match_tokcache_t *c) {
  if (++c->epoch == 0) {
    memset(c->stamp, 0, (size_t)c->ntok * sizeof *c->stamp);
    memset(c->typo_epoch, 0, sizeof c->typo_epoch);
    c->epoch = 1;
  }
}


/* The levels of all query tokens against dictionary token id, through the cache. */
static const uint8_t *match__levels(const match_index_t *idx, const match_query_t *q, uint32_t id,
                                    match_tokcache_t *cache) {
  uint8_t *l = cache->lvl + (size_t)id * MATCH_MAX_TOKENS;
  if (cache->stamp[id] == cache->epoch) return l;
  const char *s = match_dict_str(idx->tokens, id);
  size_t sl = strlen(s);
  uint32_t canon = match_dict_canon(idx->tokens, id);
  for (int i = 0; i < q->rec.ntok; i++) {
    uint32_t qt = q->rec.tok[i];
    if (qt == id)
      l[i] = MATCH_TOK_EXACT;
    else if (qt != MATCH_NO_TOKEN && match_dict_canon(idx->tokens, qt) == canon)
      l[i] = MATCH_TOK_VARIANT;
    else if (match__typo(q->tokstr[i], q->toklen[i], s, sl))
      l[i] = MATCH_TOK_TYPO;
    else
      l[i] = MATCH_TOK_NONE;
  }
  cache->stamp[id] = cache->epoch;
  return l;
}

/* ---------------------------------------------------------------- name */

/* The weight of a typo-level agreement on query token i, which the index does not know:
 * log2(m/u) with m the chance of a typo in a token and u the share of records holding some token
 * one typo away from it. Every candidate that agrees at this level gets the same weight; the
 * neighbourhood is summed over the dictionary once per query and token. */
static double match__typo_weight(const match_index_t *idx, const match_query_t *q, int i,
                                 match_tokcache_t *cache) {
  if (cache->typo_epoch[i] == cache->epoch) return cache->typo_w[i];
  double sum = 0;
  uint32_t nt = match_dict_count(idx->tokens);
  size_t ql = q->toklen[i];
  for (uint32_t t = 0; t < nt; t++) {
    uint32_t df = match_dict_df(idx->tokens, t);
    if (df == 0) continue;
    const char *d = match_dict_str(idx->tokens, t);
    size_t dl = strlen(d);
    if ((dl > ql ? dl - ql : ql - dl) > 2) continue;
    if (match__typo(q->tokstr[i], ql, d, dl)) sum += df;
  }
  double n = idx->n ? idx->n : 1;
  double u = (sum < 1 ? 1 : sum) / n;
  double w = log2(match_w.typo_m / u);
  double wmax = log2(MATCH_TOKEN_M * n) - match_w.tok_typo;
  if (w > wmax) w = wmax;
  cache->typo_w[i] = w;
  cache->typo_epoch[i] = cache->epoch;
  return w;
}

static double match__name(const match_index_t *idx, const match_query_t *q, const match_rec_t *c,
                          match_tokcache_t *cache, match_sb_t *ex) {
  const match_rec_t *r = &q->rec;
  uint8_t lv[MATCH_MAX_TOKENS][MATCH_MAX_TOKENS];
  double tw[MATCH_MAX_TOKENS];
  int qa[MATCH_MAX_TOKENS], ca[MATCH_MAX_TOKENS]; /* assigned partner, -1 none */
  for (int j = 0; j < c->ntok; j++) {
    const uint8_t *l = match__levels(idx, q, c->tok[j], cache);
    for (int i = 0; i < r->ntok; i++) lv[i][j] = l[i];
    tw[j] = idx->tokw[c->tok[j]];
    ca[j] = -1;
  }
  for (int i = 0; i < r->ntok; i++) qa[i] = -1;
  /* Greedy assignment: best level first, then the rarer (heavier) record token. */
  for (;;) {
    int bi = -1, bj = -1;
    for (int i = 0; i < r->ntok; i++) {
      if (qa[i] >= 0) continue;
      for (int j = 0; j < c->ntok; j++) {
        if (ca[j] >= 0 || lv[i][j] == MATCH_TOK_NONE) continue;
        if (bi < 0 || lv[i][j] > lv[bi][bj] || (lv[i][j] == lv[bi][bj] && tw[j] > tw[bj])) {
          bi = i;
          bj = j;
        }
      }
    }
    if (bi < 0) break;
    qa[bi] = bj;
    ca[bj] = bi;
  }

  double w = 0;
  int n_exact = 0, n_variant = 0, n_typo = 0, acc_same = 0, acc_diff = 0, order_differs = 0;
  int both_accented = (r->flags & MATCH_REC_ACCENTED) && (c->flags & MATCH_REC_ACCENTED);
  int last = -1;
  for (int i = 0; i < r->ntok; i++) {
    int j = qa[i];
    if (j < 0) continue;
    if (j < last) order_differs = 1;
    last = j;
    switch (lv[i][j]) {
    case MATCH_TOK_EXACT: w += tw[j]; n_exact++; break;
    case MATCH_TOK_VARIANT: w += tw[j] - match_w.tok_variant; n_variant++; break;
    default:
      if (r->tok[i] == MATCH_NO_TOKEN) {
        w += match__typo_weight(idx, q, i, cache);
      } else {
        /* A known query token is seldom a typo: weigh by the commoner of the two tokens. */
        double t = tw[j];
        if (idx->tokw[r->tok[i]] < t) t = idx->tokw[r->tok[i]] - 1.0;
        w += t - match_w.tok_typo;
      }
      n_typo++;
      break;
    }
    if (both_accented && lv[i][j] == MATCH_TOK_EXACT) {
      if (r->accent[i] == c->accent[j]) {
        w += match_w.accent_agree;
        acc_same++;
      } else {
        w += match_w.accent_differ;
        acc_diff++;
      }
    }
  }
  int q_extra = 0, c_missing_main = 0, c_missing_mid = 0;
  for (int i = 0; i < r->ntok; i++) {
    if (qa[i] >= 0) continue;
    q_extra++;
    int mid = r->tok[i] != MATCH_NO_TOKEN && idx->tokmid[r->tok[i]];
    w += mid ? match_w.q_extra_middle : match_w.q_extra;
  }
  for (int j = 0; j < c->ntok; j++) {
    if (ca[j] >= 0) continue;
    int main_role = c->family != MATCH_NO_ROLE
                        ? (j == c->family || j == c->given)
                        : !idx->tokmid[c->tok[j]];
    if (main_role) {
      w += match_w.c_missing_main;
      c_missing_main++;
    } else {
      w += c_missing_mid ? match_w.c_missing_more : match_w.c_missing_middle;
      c_missing_mid++;
    }
  }

  if (ex->s) {
    match__put(ex, "name: ");
    if (n_exact + n_variant + n_typo == 0) {
      match__put(ex, "no token in common");
    } else {
      int all = q_extra == 0 && c_missing_main == 0 && c_missing_mid == 0;
      match__put(ex, "%s", all ? "same tokens" : "tokens agree");
      int first = 1;
#define MATCH_NOTE(...)                                                                            \
  do {                                                                                             \
    match__put(ex, first ? " (" : ", ");                                                           \
    match__put(ex, __VA_ARGS__);                                                                   \
    first = 0;                                                                                     \
  } while (0)
      if (order_differs) MATCH_NOTE("other order");
      for (int i = 0; i < r->ntok; i++) {
        int j = qa[i];
        if (j < 0) continue;
        if (lv[i][j] == MATCH_TOK_VARIANT)
          MATCH_NOTE("variant %s/%s", q->tokstr[i], match_dict_str(idx->tokens, c->tok[j]));
        else if (lv[i][j] == MATCH_TOK_TYPO)
          MATCH_NOTE("typo %s/%s", q->tokstr[i], match_dict_str(idx->tokens, c->tok[j]));
      }
      if (acc_diff) MATCH_NOTE("diacritics differ");
      else if (acc_same) MATCH_NOTE("same diacritics");
      for (int j = 0; j < c->ntok; j++)
        if (ca[j] < 0)
          MATCH_NOTE("%s %s missing",
                     c->family != MATCH_NO_ROLE && j == c->family  ? "family name"
                     : c->family != MATCH_NO_ROLE && j == c->given ? "given name"
                                                                   : "middle name",
                     match_dict_str(idx->tokens, c->tok[j]));
      for (int i = 0; i < r->ntok; i++)
        if (qa[i] < 0) MATCH_NOTE("extra %s", q->tokstr[i]);
      if (!first) match__put(ex, ")");
#undef MATCH_NOTE
    }
  }
  return w;
}

/* ---------------------------------------------------------------- date of birth and age */

/* How much of a record's date is usable: 3 full, 2 year-month, 1 year, 0 none. A 01-01 date is
 * read as year only when the other side has a day that is not 01-01 (a placeholder). */
static int match__prec(const match_rec_t *r) { return !r->year ? 0 : !r->month ? 1 : !r->day ? 2 : 3; }

/* The ages (at the reference date) a record's date allows: writes lo..hi. */
static void match__ages(const match_rec_t *c, const match_query_t *q, int *lo, int *hi) {
  int a = q->ref_year - c->year;
  if (c->day && c->month) {
    int before = q->ref_month < c->month || (q->ref_month == c->month && q->ref_day < c->day);
    *lo = *hi = a - before;
  } else if (c->month && q->ref_month != c->month) {
    *lo = *hi = a - (q->ref_month < c->month);
  } else {
    *lo = a - 1;
    *hi = a;
  }
}

/* Compares an age with a date (which side holds which is given by age_is_query). */
static double match__age_vs_date(const match_query_t *q, const match_rec_t *dated, int age,
                                 match_sb_t *ex) {
  int lo, hi;
  match__ages(dated, q, &lo, &hi);
  if (age >= lo && age <= hi) {
    match__put(ex, "dob: age %d fits the date", age);
    return match_w.age_same - (hi > lo ? 1.0 : 0.0);
  }
  if (age - 1 >= lo && age - 1 <= hi) {
    match__put(ex, "dob: traditional age %d (one more than by the date)", age);
    return match_w.age_trad - (hi > lo ? 1.0 : 0.0);
  }
  if (age + 1 >= lo && age + 1 <= hi) {
    match__put(ex, "dob: age %d is one less than by the date", age);
    return match_w.age_off1;
  }
  match__put(ex, "dob: age %d does not fit (%d by the date)", age, hi);
  return match_w.age_differ;
}

static double match__dob(const match_query_t *q, const match_rec_t *c, match_sb_t *ex) {
  const match_rec_t *r = &q->rec;
  int qp = match__prec(r), cp = match__prec(c);
  if (qp && cp) {
    int jan = 0;
    if (qp == 3 && cp == 3 && (r->flags & MATCH_REC_JAN1) != (c->flags & MATCH_REC_JAN1)) {
      jan = 1; /* one side says 01-01, the other a real day: compare the years only */
      qp = 1;
    } else if ((qp == 3 && cp < 3 && (r->flags & MATCH_REC_JAN1)) ||
               (cp == 3 && qp < 3 && (c->flags & MATCH_REC_JAN1))) {
      /* One side says 01-01 and the other knows only the year (or year and month): the 01-01
       * is the placeholder a document writes for the day nobody knows, which is what the other
       * side says too. Agreeing on the year here weighs more than a placeholder against a real
       * day, since a person whose day is unknown is the one who gets placeholders. */
      jan = 2;
      qp = cp = 1;
    }
    int p = qp < cp ? qp : cp;
    int dy = abs((int)r->year - (int)c->year);
    if (dy == 1) {
      match__put(ex, "dob: year differs by one");
      return match_w.dob_year_off1;
    }
    if (dy > 1) {
      match__put(ex, "dob: different date");
      return match_w.dob_differ;
    }
    if (p == 3) {
      if (r->month == c->month && r->day == c->day) {
        match__put(ex, "dob: same date");
        return match_w.dob_full;
      }
      if (r->month == c->day && r->day == c->month) {
        match__put(ex, "dob: day/month swapped");
        return match_w.dob_swap;
      }
      if (r->month == c->month) {
        match__put(ex, "dob: same year and month, other day");
        return match_w.dob_day_differ;
      }
      match__put(ex, "dob: same year, other day and month");
      return match_w.dob_md_differ;
    }
    if (p == 2) {
      if (r->month == c->month) {
        match__put(ex, "dob: same year and month (partial date)");
        return match_w.dob_year_month;
      }
      match__put(ex, "dob: same year, other month");
      return match_w.dob_md_differ;
    }
    if (jan == 2) {
      match__put(ex, "dob: same year (01-01 placeholder, day unknown on both sides)");
      return match_w.dob_jan1_partial;
    }
    if (jan) {
      match__put(ex, "dob: same year (01-01 placeholder)");
      return match_w.dob_jan1;
    }
    match__put(ex, "dob: same year (partial date)");
    return match_w.dob_year;
  }
  if (qp && c->age >= 0) return match__age_vs_date(q, r, c->age, ex);
  if (cp && r->age >= 0) return match__age_vs_date(q, c, r->age, ex);
  if (r->age >= 0 && c->age >= 0) {
    int d = abs(r->age - c->age);
    match__put(ex, d == 0 ? "dob: same age" : d == 1 ? "dob: ages one apart" : "dob: ages differ");
    return d == 0 ? match_w.age_same : d == 1 ? match_w.age_off1 + 3.0 : match_w.age_differ;
  }
  match__put(ex, "dob: missing");
  return 0;
}

/* ---------------------------------------------------------------- identity numbers */

/* Compares two different packed ids: 2 if both are packed exactly with the same length and
 * differ in one character or one adjacent transposition, 1 if they are of the same kind (same
 * length, or both hashed) and differ more, 0 if they are not comparable (other lengths). */
static int match__id_close(uint64_t a, uint64_t b) {
  if ((a >> 63) || (b >> 63)) return (a >> 63) && (b >> 63) ? 1 : 0;
  if ((a >> 62) != (b >> 62)) return 0;
  if (a >> 62) { /* digits, one nibble each */
    if (((a ^ b) >> 56) != 0) return 0; /* other lengths */
    uint64_t x = (a ^ b) & ((1ULL << 56) - 1);
    uint64_t m = (x | x >> 1 | x >> 2 | x >> 3) & 0x11111111111111ULL;
    int d = __builtin_popcountll(m);
    if (d == 1) return 2;
    if (d == 2) {
      int p1 = __builtin_ctzll(m) / 4, p2 = (63 - __builtin_clzll(m)) / 4;
      if (p2 == p1 + 1 && ((a >> (4 * p1)) & 0xF) == ((b >> (4 * p2)) & 0xF) &&
          ((a >> (4 * p2)) & 0xF) == ((b >> (4 * p1)) & 0xF))
        return 2;
    }
    return 1;
  }
  uint8_t da[MATCH_ID_PACK_CHARS], db[MATCH_ID_PACK_CHARS];
  int na = 0, nb = 0;
  while (a && na < MATCH_ID_PACK_CHARS) {
    da[na++] = (uint8_t)(a % 37u);
    a /= 37u;
  }
  while (b && nb < MATCH_ID_PACK_CHARS) {
    db[nb++] = (uint8_t)(b % 37u);
    b /= 37u;
  }
  if (na != nb) return 0;
  int diff = 0, first = -1;
  for (int k = 0; k < na; k++)
    if (da[k] != db[k]) {
      if (first < 0) first = k;
      diff++;
    }
  if (diff == 1) return 2;
  if (diff == 2 && first + 1 < na && da[first] == db[first + 1] && da[first + 1] == db[first])
    return 2;
  return 1;
}

static double match__id(const match_rec_t *r, const match_rec_t *c, match_sb_t *ex) {
  int best = 0; /* 4 same, 3 OCR, 2 close, 1 compared and differ, 0 not comparable */
  int have_q = 0, have_c = 0;
  for (int i = 0; i < MATCH_MAX_IDS; i++) {
    if (!r->idn[i]) continue;
    have_q = 1;
    for (int j = 0; j < MATCH_MAX_IDS; j++) {
      if (!c->idn[j]) continue;
      have_c = 1;
      int lvl;
      if (r->idn[i] == c->idn[j]) {
        int qo = (r->flags & (i ? MATCH_REC_ID1_OCR : MATCH_REC_ID0_OCR)) != 0;
        int co = (c->flags & (j ? MATCH_REC_ID1_OCR : MATCH_REC_ID0_OCR)) != 0;
        lvl = qo != co ? 3 : 4;
      } else {
        lvl = match__id_close(r->idn[i], c->idn[j]);
      }
      if (lvl > best) best = lvl;
    }
  }
  if (!have_q || !have_c) {
    match__put(ex, "id: missing");
    return 0;
  }
  switch (best) {
  case 4: match__put(ex, "id: same"); return match_w.id_same;
  case 3: match__put(ex, "id: same after OCR correction (O/0, I/1, S/5, B/8)"); return match_w.id_ocr;
  case 2: match__put(ex, "id: one character differs"); return match_w.id_close;
  case 1: match__put(ex, "id: differs"); return match_w.id_differ;
  default: match__put(ex, "id: not comparable (other kind of document)"); return 0;
  }
}

/* ---------------------------------------------------------------- the whole record */

/* The list-country evidence (match_index.h): the weight of record c for q's list country, 0
 * when the query has no country or the record's countries are not known. */
static double match__country(const match_index_t *idx, const match_query_t *q,
                             const match_rec_t *c, match_sb_t *ex) {
  if (q->country[0] == '\0' || !(c->flags & MATCH_REC_CTRY_KNOWN)) return 0;
  int present = 0;
  for (int k = 0; k < MATCH_MAX_COUNTRIES && c->ctry[k]; k++)
    present |= q->country_id != 0 && c->ctry[k] == q->country_id;
  match__put(ex, present ? "; country: registered in %s" : "; country: not registered in %s",
             q->country);
  return present ? idx->ctry_in[q->country_id] : idx->ctry_out[q->country_id];
}

/* The whole score; *name_w gets the part the name contributes, *country_w the list-country
 * evidence's. */
static double match__score(const match_index_t *idx, const match_query_t *q, uint32_t cand,
                           match_tokcache_t *cache, char *explain, size_t cap, double *name_w,
                           double *country_w) {
  const match_rec_t *c = &idx->rec[cand];
  const match_rec_t *r = &q->rec;
  match_sb_t ex = {explain, cap, 0};
  if (explain && cap) explain[0] = '\0';
  double w = match__name(idx, q, c, cache, &ex);
  *name_w = w;
  match__put(&ex, "; ");
  w += match__dob(q, c, &ex);
  match__put(&ex, "; ");
  if (r->sex && c->sex) {
    w += r->sex == c->sex ? match_w.sex_same : match_w.sex_differ;
    match__put(&ex, r->sex == c->sex ? "sex: same" : "sex: differs");
  } else {
    match__put(&ex, "sex: missing");
  }
  match__put(&ex, "; ");
  w += match__id(r, c, &ex);
  match__put(&ex, "; ");
  if (r->province && c->province) {
    if (r->province == c->province) {
      double u = (double)match_dict_df(idx->provinces, c->province - 1u) / (idx->n ? idx->n : 1);
      double pw = u > 0 ? log2(0.9 / u) : match_w.prov_max;
      if (pw > match_w.prov_max) pw = match_w.prov_max;
      if (pw < 0.5) pw = 0.5;
      w += pw;
      match__put(&ex, "province: same");
    } else {
      w += match_w.prov_differ;
      match__put(&ex, "province: differs");
    }
  } else {
    match__put(&ex, "province: missing");
  }
  if (r->city && c->city) {
    w += r->city == c->city ? match_w.city_same : match_w.city_differ;
    match__put(&ex, r->city == c->city ? "; city: same" : "; city: differs");
  }
  if (r->postcode && c->postcode) {
    w += r->postcode == c->postcode ? match_w.post_same : match_w.post_differ;
    match__put(&ex, r->postcode == c->postcode ? "; postcode: same" : "; postcode: differs");
  }
  if (r->address && c->address && r->address == c->address) {
    w += match_w.addr_same;
    match__put(&ex, "; address: same");
  }
  *country_w = match__country(idx, q, c, &ex);
  return w + *country_w;
}

double match_score(const match_index_t *idx, const match_query_t *q, uint32_t cand,
                   match_tokcache_t *cache, char *explain, size_t cap) {
  double name_w, country_w;
  return match__score(idx, q, cand, cache, explain, cap, &name_w, &country_w);
}

double match_score_split(const match_index_t *idx, const match_query_t *q, uint32_t cand,
                         match_tokcache_t *cache, double *evidence) {
  double country_w;
  return match_score_parts(idx, q, cand, cache, evidence, &country_w);
}

double match_score_parts(const match_index_t *idx, const match_query_t *q, uint32_t cand,
                         match_tokcache_t *cache, double *evidence, double *country) {
  double name_w;
  double w = match__score(idx, q, cand, cache, NULL, 0, &name_w, country);
  *evidence = w - name_w;
  return w;
}

match_band_t match_band_capped(double probability, double probability_own) {
  match_band_t b = match_band_of(probability);
  if (b == MATCH_BAND_STRONG && probability_own < MATCH_STRONG_MIN) b = MATCH_BAND_REVIEW;
  return b;
}

double match_token_weight(const match_index_t *idx, const char *tok) {
  uint32_t id = match_dict_lookup(idx->tokens, tok, strlen(tok));
  if (id != MATCH_NO_TOKEN) return idx->tokw[id];
  return log2(MATCH_TOKEN_M * (idx->n ? idx->n : 1));
}

match_band_t match_band_of(double p) {
  return p >= MATCH_STRONG_MIN ? MATCH_BAND_STRONG : p >= MATCH_REVIEW_MIN ? MATCH_BAND_REVIEW
                                                                           : MATCH_BAND_NONE;
}

const char *match_band_name(match_band_t b) {
  return b == MATCH_BAND_STRONG ? "strong" : b == MATCH_BAND_REVIEW ? "review" : "none";
}
