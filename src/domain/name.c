/*
 * name.c - display and folded forms of personal names, and token helpers for matching.
 *
 * UTF-8 is decoded and checked here by hand, so that what counts as invalid (overlongs,
 * surrogates, truncated sequences, bytes past U+10FFFF) does not depend on the utf8proc version;
 * utf8proc then does the Unicode work (NFC, NFKD with case folding, character categories).
 * utf8proc's buffers are heap-allocated per call and freed before returning.
 */
#include "domain/name.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

#include "util/err.h"

/* Decodes one code point from the n > 0 bytes at s into *cp; returns its length in bytes, or 0 if
 * the bytes are not the shortest UTF-8 form of a Unicode scalar value. */
static size_t name__decode(const unsigned char *s, size_t n, int32_t *cp /* OUT */) {
  unsigned char b = s[0];
  size_t len;
  int32_t c, min;
  if (b < 0x80) {
    *cp = b;
    return 1;
  }
  if (b >= 0xC2 && b <= 0xDF) {
    len = 2, c = b & 0x1F, min = 0x80;
  } else if (b >= 0xE0 && b <= 0xEF) {
    len = 3, c = b & 0x0F, min = 0x800;
  } else if (b >= 0xF0 && b <= 0xF4) {
    len = 4, c = b & 0x07, min = 0x10000;
  } else {
    return 0; /* a continuation byte, C0/C1 (always overlong) or F5..FF */
  }
  if (n < len)
    return 0;
  for (size_t i = 1; i < len; i++) {
    if ((s[i] & 0xC0) != 0x80)
      return 0;
    c = (c << 6) | (s[i] & 0x3F);
  }
  if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
    return 0;
  *cp = c;
  return len;
}

/* Returns 1 for the bidirectional embedding, override and isolate controls, which can make a
 * stored name display as something else. */
static int name__is_bidi_control(int32_t c) {
  return (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069);
}

/* Copies the len bytes at in to tmp (at least len bytes), checking UTF-8, trimming whitespace and
 * replacing each run of it with one ASCII space. In strict mode control characters, line and
 * paragraph separators and bidi controls are errors; otherwise they count as whitespace. */
static int name__clean(const char *in, size_t len, int strict, char *tmp /* OUT */,
                       size_t *tmp_len /* OUT */) {
  const unsigned char *s = (const unsigned char *)in;
  size_t i = 0, o = 0;
  int pending_space = 0;
  while (i < len) {
    int32_t c;
    size_t n = name__decode(s + i, len - i, &c);
    if (n == 0)
      return BH_ERR_INVALID;
    utf8proc_category_t cat = utf8proc_category(c);
    int bad = cat == UTF8PROC_CATEGORY_CC || cat == UTF8PROC_CATEGORY_ZL ||
              cat == UTF8PROC_CATEGORY_ZP || name__is_bidi_control(c);
    if (bad && strict)
      return BH_ERR_INVALID;
    if (bad || cat == UTF8PROC_CATEGORY_ZS) {
      pending_space = o > 0;
    } else {
      if (pending_space)
        tmp[o++] = ' ';
      pending_space = 0;
      memcpy(tmp + o, s + i, n);
      o += n;
    }
    i += n;
  }
  *tmp_len = o;
  return BH_OK;
}

/* Decodes the len bytes of valid UTF-8 at s into a new array of code points with utf8proc's
 * options applied; the caller frees *cps. The array has room to be reencoded in place. */
static int name__decompose(const char *s, size_t len, utf8proc_option_t opts,
                           utf8proc_int32_t **cps /* OUT */, size_t *n /* OUT */) {
  size_t room = len + 16;
  for (int attempt = 0; attempt < 2; attempt++) {
    utf8proc_int32_t *buf = malloc(room * sizeof(*buf));
    if (buf == NULL)
      return BH_ERR_NOMEM;
    utf8proc_ssize_t r = utf8proc_decompose((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)len,
                                            buf, (utf8proc_ssize_t)room, opts);
    if (r < 0) {
      free(buf);
      return r == UTF8PROC_ERROR_NOMEM ? BH_ERR_NOMEM : BH_ERR_INVALID;
    }
    if ((size_t)r <= room) {
      *cps = buf;
      *n = (size_t)r;
      return BH_OK;
    }
    free(buf);
    room = (size_t)r;
  }
  return BH_ERR_INTERNAL;
}

int name_nfc(const char *in, size_t len, char *out, size_t cap, size_t *out_len) {
  char tmp[NAME_MAX_INPUT_BYTES];
  size_t tmp_len = 0, n = 0;
  utf8proc_int32_t *cps = NULL;
  int rc;

  if (out != NULL && cap > 0)
    out[0] = '\0';
  if (in == NULL || out == NULL)
    return BH_ERR_INVALID;
  if (len > NAME_MAX_INPUT_BYTES)
    return BH_ERR_TOO_LARGE;
  rc = name__clean(in, len, 1, tmp, &tmp_len);
  if (rc != BH_OK)
    return rc;
  rc = name__decompose(tmp, tmp_len, UTF8PROC_STABLE | UTF8PROC_COMPOSE, &cps, &n);
  if (rc != BH_OK)
    goto out;
  utf8proc_ssize_t bytes = utf8proc_reencode(cps, (utf8proc_ssize_t)n,
                                             UTF8PROC_STABLE | UTF8PROC_COMPOSE);
  if (bytes < 0) {
    rc = BH_ERR_INVALID;
    goto out;
  }
  if ((size_t)bytes > NAME_MAX_BYTES || (size_t)bytes >= cap) {
    rc = BH_ERR_TOO_LARGE;
    goto out;
  }
  memcpy(out, cps, (size_t)bytes);
  out[bytes] = '\0';
  if (out_len != NULL)
    *out_len = (size_t)bytes;
out:
  free(cps);
  return rc;
}

/* Latin letters (after case folding) that have no decomposition, with their ASCII spelling.
 * Sorted by code point for bsearch. */
typedef struct {
  int32_t cp;
  char ascii[3];
} name_latin_map;

static const name_latin_map name_latin[] = {
    {0x00DF, "ss"}, /* ß, in case folding left it */
    {0x00E6, "ae"}, /* æ */
    {0x00F0, "d"},  /* ð */
    {0x00F8, "o"},  /* ø */
    {0x00FE, "th"}, /* þ */
    {0x0111, "d"},  /* đ, Vietnamese and South Slavic */
    {0x0127, "h"},  /* ħ */
    {0x0131, "i"},  /* dotless ı */
    {0x0138, "k"},  /* ĸ */
    {0x0142, "l"},  /* ł */
    {0x014B, "n"},  /* ŋ */
    {0x0153, "oe"}, /* œ */
    {0x0167, "t"},  /* ŧ */
    {0x0180, "b"},  /* ƀ */
    {0x0188, "c"},  /* ƈ */
    {0x018C, "d"},  /* ƌ */
    {0x0192, "f"},  /* ƒ */
    {0x0199, "k"},  /* ƙ */
    {0x019A, "l"},  /* ƚ */
    {0x01A5, "p"},  /* ƥ */
    {0x01AD, "t"},  /* ƭ */
    {0x01B4, "y"},  /* ƴ */
    {0x01B6, "z"},  /* ƶ */
    {0x01E5, "g"},  /* ǥ */
    {0x0249, "j"},  /* ɉ */
    {0x024D, "r"},  /* ɍ */
    {0x024F, "y"},  /* ɏ */
    {0x0253, "b"},  /* ɓ */
    {0x0256, "d"},  /* ɖ, the fold of African Ɖ */
    {0x0257, "d"},  /* ɗ */
    {0x0260, "g"},  /* ɠ */
    {0x0268, "i"},  /* ɨ */
    {0x0272, "n"},  /* ɲ */
    {0x0289, "u"},  /* ʉ */
};

static int name__latin_cmp(const void *key, const void *elem) {
  int32_t k = *(const int32_t *)key;
  int32_t e = ((const name_latin_map *)elem)->cp;
  return (k > e) - (k < e);
}

/* Appends folded output, inserting one space before a word when a break came before it. */
typedef struct {
  char *out;
  size_t cap;
  size_t len;
  int pending_break;
} name_writer;

static int name__emit(name_writer *w, const char *bytes, size_t n) {
  size_t need = n + (w->pending_break && w->len > 0 ? 1 : 0);
  if (w->len + need > NAME_MAX_BYTES || w->len + need >= w->cap)
    return BH_ERR_TOO_LARGE;
  if (need > n)
    w->out[w->len++] = ' ';
  memcpy(w->out + w->len, bytes, n);
  w->len += n;
  w->pending_break = 0;
  return BH_OK;
}

/* Returns 1 if c (already case-folded and decomposed) is part of a word: a letter, a digit or a
 * spacing mark of a non-Latin script. Modifier letters used as apostrophes (ʼ ʻ ʹ) are not. */
static int name__is_word_char(int32_t c, utf8proc_category_t cat) {
  switch (cat) {
  case UTF8PROC_CATEGORY_LM:
    return !(c >= 0x02B9 && c <= 0x02FF);
  case UTF8PROC_CATEGORY_LU:
  case UTF8PROC_CATEGORY_LL:
  case UTF8PROC_CATEGORY_LT:
  case UTF8PROC_CATEGORY_LO:
  case UTF8PROC_CATEGORY_MC:
  case UTF8PROC_CATEGORY_ND:
  case UTF8PROC_CATEGORY_NL:
  case UTF8PROC_CATEGORY_NO:
    return 1;
  default:
    return 0;
  }
}

int name_fold(const char *in, size_t len, char *out, size_t cap, size_t *out_len) {
  char tmp[NAME_MAX_INPUT_BYTES];
  size_t tmp_len = 0, n = 0;
  utf8proc_int32_t *cps = NULL;
  int rc;

  if (out != NULL && cap > 0)
    out[0] = '\0';
  if (in == NULL || out == NULL)
    return BH_ERR_INVALID;
  if (len > NAME_MAX_INPUT_BYTES)
    return BH_ERR_TOO_LARGE;
  rc = name__clean(in, len, 0, tmp, &tmp_len);
  if (rc != BH_OK)
    return rc;
  rc = name__decompose(tmp, tmp_len,
                       UTF8PROC_STABLE | UTF8PROC_DECOMPOSE | UTF8PROC_COMPAT |
                           UTF8PROC_CASEFOLD | UTF8PROC_IGNORE,
                       &cps, &n);
  if (rc != BH_OK)
    goto out;

  name_writer w = {out, cap, 0, 0};
  for (size_t i = 0; i < n && rc == BH_OK; i++) {
    int32_t c = cps[i];
    utf8proc_category_t cat = utf8proc_category(c);
    if (cat == UTF8PROC_CATEGORY_MN || cat == UTF8PROC_CATEGORY_ME)
      continue; /* tone marks, breve, circumflex, horn, ... */
    const name_latin_map *m =
        bsearch(&c, name_latin, sizeof(name_latin) / sizeof(name_latin[0]), sizeof(name_latin[0]),
                name__latin_cmp);
    if (m != NULL) {
      rc = name__emit(&w, m->ascii, strlen(m->ascii));
    } else if (name__is_word_char(c, cat)) {
      utf8proc_uint8_t enc[4];
      utf8proc_ssize_t k = utf8proc_encode_char(c, enc);
      rc = name__emit(&w, (const char *)enc, (size_t)k);
    } else {
      w.pending_break = 1;
    }
  }
  if (rc != BH_OK) {
    out[0] = '\0';
    goto out;
  }
  out[w.len] = '\0';
  if (out_len != NULL)
    *out_len = w.len;
out:
  free(cps);
  return rc;
}

/* One token of a folded key: len bytes at ptr, not NUL-terminated. */
typedef struct {
  const char *ptr;
  size_t len;
} name_span;

/* Fills up to max spans with the space-separated tokens of s; returns the total number of
 * tokens, which may exceed max. */
static size_t name__spans(const char *s, name_span *spans /* OUT */, size_t max) {
  size_t count = 0;
  while (*s != '\0') {
    while (*s == ' ')
      s++;
    if (*s == '\0')
      break;
    const char *start = s;
    while (*s != '\0' && *s != ' ')
      s++;
    if (count < max) {
      spans[count].ptr = start;
      spans[count].len = (size_t)(s - start);
    }
    count++;
  }
  return count;
}

size_t name_tokens(const char *folded, char tokens[][NAME_TOKEN_MAX], size_t max_tokens) {
  if (folded == NULL || tokens == NULL)
    return 0;
  const char *s = folded;
  size_t count = 0;
  while (count < max_tokens) {
    while (*s == ' ')
      s++;
    if (*s == '\0')
      break;
    const char *start = s;
    while (*s != '\0' && *s != ' ')
      s++;
    size_t len = (size_t)(s - start);
    if (len > NAME_TOKEN_MAX - 1) {
      len = NAME_TOKEN_MAX - 1;
      while (len > 0 && ((unsigned char)start[len] & 0xC0) == 0x80)
        len--; /* do not cut a UTF-8 sequence */
    }
    memcpy(tokens[count], start, len);
    tokens[count][len] = '\0';
    count++;
  }
  return count;
}

static int name__span_cmp(const void *a, const void *b) {
  const name_span *x = a, *y = b;
  size_t n = x->len < y->len ? x->len : y->len;
  int c = memcmp(x->ptr, y->ptr, n);
  if (c != 0)
    return c;
  return (x->len > y->len) - (x->len < y->len);
}

int name_sorted_key(const char *folded, char *out, size_t cap) {
  /* A key of NAME_MAX_BYTES has at most this many one-byte tokens. */
  name_span spans[NAME_MAX_BYTES / 2 + 1];
  const size_t max = sizeof(spans) / sizeof(spans[0]);

  if (folded == NULL || out == NULL)
    return BH_ERR_INVALID;
  if (cap == 0)
    return BH_ERR_TOO_LARGE;
  out[0] = '\0';
  if (strlen(folded) > NAME_MAX_BYTES)
    return BH_ERR_TOO_LARGE;
  size_t count = name__spans(folded, spans, max);
  if (count > max)
    return BH_ERR_TOO_LARGE;
  qsort(spans, count, sizeof(spans[0]), name__span_cmp);

  size_t len = 0;
  for (size_t i = 0; i < count; i++) {
    size_t need = spans[i].len + (i > 0 ? 1 : 0);
    if (len + need >= cap) {
      out[0] = '\0';
      return BH_ERR_TOO_LARGE;
    }
    if (i > 0)
      out[len++] = ' ';
    memcpy(out + len, spans[i].ptr, spans[i].len);
    len += spans[i].len;
  }
  out[len] = '\0';
  return BH_OK;
}

/* Common Vietnamese middle names (tên đệm), folded. */
static const char *const name_common_middles[] = {
    "ba", "cong", "dinh", "duc", "huu", "kim", "ngoc", "quang", "thi", "van", "xuan",
};

int name_is_common_middle(const char *token) {
  if (token == NULL)
    return 0;
  for (size_t i = 0; i < sizeof(name_common_middles) / sizeof(name_common_middles[0]); i++) {
    if (strcmp(token, name_common_middles[i]) == 0)
      return 1;
  }
  return 0;
}

/* Folded pairs that may name the same person: regional spellings and taboo substitutions. The
 * first of each pair is the canonical spelling of the class. The only list of variants: the
 * matching engine (match_record.c) reads it through name_variant_canon. */
static const char *const name_variant_pairs[][2] = {
    {"hoang", "huynh"}, /* Hoàng, written Huỳnh in the South (taboo on Lord Nguyễn Hoàng) */
    {"vu", "vo"},       /* Vũ / Võ, the same surname North and South */
    {"phuc", "phuoc"},  /* Phúc / Phước, Northern and Southern readings */
};

const char *name_variant_canon(const char *token, size_t len) {
  if (token == NULL)
    return NULL;
  for (size_t i = 0; i < sizeof(name_variant_pairs) / sizeof(name_variant_pairs[0]); i++) {
    const char *v = name_variant_pairs[i][1];
    if (strlen(v) == len && memcmp(v, token, len) == 0)
      return name_variant_pairs[i][0];
  }
  return NULL;
}

int name_variant_close(const char *a, const char *b) {
  if (a == NULL || b == NULL)
    return 0;
  if (strcmp(a, b) == 0)
    return 1;
  const char *ca = name_variant_canon(a, strlen(a)), *cb = name_variant_canon(b, strlen(b));
  return strcmp(ca ? ca : a, cb ? cb : b) == 0;
}
