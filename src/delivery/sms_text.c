/*
 * sms_text.c - SMS encoding choice, part counting and unaccented transliteration; see sms_text.h.
 *
 * The GSM 03.38 alphabet (3GPP TS 23.038, 6.2.1 and its default extension table) is declared once
 * below as sorted ranges of Unicode code points with their cost in septets, so a lookup is a binary
 * search. The transliteration uses utf8proc for the compatibility decomposition of a character
 * (which turns "ệ" into "e" plus marks and "ﬁ" into "fi") and a small table for the letters and
 * signs that Unicode does not decompose (đ, ß, typographic quotes).
 */
#include "delivery/sms_text.h"

#include <stdint.h>
#include <string.h>

#include <utf8proc.h>

#include "util/err.h"

/* A range of code points that cost the same number of septets in GSM-7. */
typedef struct {
  int32_t lo, hi;
  unsigned septets;
} smstext__gsm_range;

/* Every character GSM-7 can carry, sorted by code point. One septet: the basic set. Two septets:
 * the extension table (form feed, ^ { } \ [ ~ ] | €), sent as ESC plus a character. Absent, so
 * UCS-2: the backtick, tab and other controls, and every letter not listed (ç is only Ç here). */
static const smstext__gsm_range smstext__gsm[] = {
    {0x000A, 0x000A, 1}, /* LF */
    {0x000C, 0x000C, 2}, /* FF */
    {0x000D, 0x000D, 1}, /* CR */
    {0x0020, 0x005A, 1}, /* space ! " # $ % & ' ( ) * + , - . / 0-9 : ; < = > ? @ A-Z */
    {0x005B, 0x005E, 2}, /* [ \ ] ^ */
    {0x005F, 0x005F, 1}, /* _ */
    {0x0061, 0x007A, 1}, /* a-z */
    {0x007B, 0x007E, 2}, /* { | } ~ */
    {0x00A1, 0x00A1, 1}, /* ¡ */
    {0x00A3, 0x00A5, 1}, /* £ ¤ ¥ */
    {0x00A7, 0x00A7, 1}, /* § */
    {0x00BF, 0x00BF, 1}, /* ¿ */
    {0x00C4, 0x00C7, 1}, /* Ä Å Æ Ç */
    {0x00C9, 0x00C9, 1}, /* É */
    {0x00D1, 0x00D1, 1}, /* Ñ */
    {0x00D6, 0x00D6, 1}, /* Ö */
    {0x00D8, 0x00D8, 1}, /* Ø */
    {0x00DC, 0x00DC, 1}, /* Ü */
    {0x00DF, 0x00E0, 1}, /* ß à */
    {0x00E4, 0x00E6, 1}, /* ä å æ */
    {0x00E8, 0x00E9, 1}, /* è é */
    {0x00EC, 0x00EC, 1}, /* ì */
    {0x00F1, 0x00F2, 1}, /* ñ ò */
    {0x00F6, 0x00F6, 1}, /* ö */
    {0x00F8, 0x00F9, 1}, /* ø ù */
    {0x00FC, 0x00FC, 1}, /* ü */
    {0x0393, 0x0394, 1}, /* Γ Δ */
    {0x0398, 0x0398, 1}, /* Θ */
    {0x039B, 0x039B, 1}, /* Λ */
    {0x039E, 0x039E, 1}, /* Ξ */
    {0x03A0, 0x03A0, 1}, /* Π */
    {0x03A3, 0x03A3, 1}, /* Σ */
    {0x03A6, 0x03A6, 1}, /* Φ */
    {0x03A8, 0x03A9, 1}, /* Ψ Ω */
    {0x20AC, 0x20AC, 2}, /* € */
};

/* A character Unicode does not decompose to ASCII, with the ASCII written for it. */
typedef struct {
  int32_t cp;
  const char *ascii;
} smstext__translit;

/* Sorted by code point. Vietnamese đ/Đ first of all; then other Latin letters, the typographic
 * punctuation that word processors put into pasted text, and the currency signs of the region. */
static const smstext__translit smstext__translit_table[] = {
    {0x00A2, "c"},  {0x00AB, "\""}, {0x00B7, "."},   {0x00BB, "\""}, {0x00C6, "AE"},
    {0x00D0, "D"},  {0x00D7, "x"},  {0x00D8, "O"},   {0x00DE, "TH"}, {0x00DF, "ss"},
    {0x00E6, "ae"}, {0x00F0, "d"},  {0x00F7, "/"},   {0x00F8, "o"},  {0x0110, "D"},
    {0x0111, "d"},  {0x0126, "H"},  {0x0127, "h"},   {0x0131, "i"},  {0x0141, "L"},
    {0x0142, "l"},  {0x0152, "OE"}, {0x0153, "oe"},  {0x0166, "T"},  {0x0167, "t"},
    {0x0180, "b"},  {0x0189, "D"},  {0x0197, "I"},   {0x01B5, "Z"},  {0x01B6, "z"},
    {0x0268, "i"},  {0x02B9, "'"},  {0x02BA, "\""},  {0x02BB, "'"},  {0x02BC, "'"},
    {0x02C6, "^"},  {0x02DC, "~"},  {0x2010, "-"},   {0x2011, "-"},  {0x2012, "-"},
    {0x2013, "-"},  {0x2014, "-"},  {0x2015, "-"},   {0x2018, "'"},  {0x2019, "'"},
    {0x201A, "'"},  {0x201B, "'"},  {0x201C, "\""},  {0x201D, "\""}, {0x201E, "\""},
    {0x201F, "\""}, {0x2022, "*"},  {0x2026, "..."}, {0x2032, "'"},  {0x2033, "\""},
    {0x2039, "'"},  {0x203A, "'"},  {0x2044, "/"},   {0x20AB, "d"},  {0x20AC, "EUR"},
    {0x2212, "-"},  {0x2215, "/"},  {0x2217, "*"},   {0x2236, ":"},
};

/* Decodes one code point from the n > 0 bytes at s into *cp; returns its length in bytes, or 0 if
 * the bytes are not the shortest UTF-8 form of a Unicode scalar value (utf8proc refuses overlong
 * forms, surrogates, truncated sequences and code points past U+10FFFF). */
static size_t smstext__decode(const unsigned char *s, size_t n, int32_t *cp /* OUT */) {
  utf8proc_int32_t c;
  utf8proc_ssize_t k = utf8proc_iterate(s, (utf8proc_ssize_t)n, &c);
  if (k <= 0) return 0;
  *cp = c;
  return (size_t)k;
}

/* The septets cp costs in GSM-7, or 0 if GSM-7 cannot carry it. */
static unsigned smstext__gsm_septets(int32_t cp) {
  size_t lo = 0, hi = sizeof(smstext__gsm) / sizeof(smstext__gsm[0]);
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (cp < smstext__gsm[mid].lo)
      hi = mid;
    else if (cp > smstext__gsm[mid].hi)
      lo = mid + 1;
    else
      return smstext__gsm[mid].septets;
  }
  return 0;
}

/* Part packing for one encoding: a character's units are never split across parts. */
typedef struct {
  size_t units, parts, used, per_part;
} smstext__pack;

static void smstext__pack_add(smstext__pack *p, size_t units) {
  p->units += units;
  if (p->parts == 0 || p->used + units > p->per_part) {
    p->parts++;
    p->used = units;
  } else {
    p->used += units;
  }
}

int smstext_measure(const char *text, size_t len, smstext_info *info) {
  if (info == NULL || (text == NULL && len > 0)) return BH_ERR_INVALID;
  const unsigned char *s = (const unsigned char *)text;
  smstext__pack gsm = {0, 0, 0, SMSTEXT_GSM7_PART};
  smstext__pack ucs = {0, 0, 0, SMSTEXT_UCS2_PART};
  int gsm_ok = 1;
  for (size_t i = 0; i < len;) {
    int32_t cp;
    size_t n = smstext__decode(s + i, len - i, &cp);
    if (n == 0) return BH_ERR_INVALID;
    i += n;
    smstext__pack_add(&ucs, cp >= 0x10000 ? 2 : 1);
    if (gsm_ok) {
      unsigned septets = smstext__gsm_septets(cp);
      if (septets == 0)
        gsm_ok = 0;
      else
        smstext__pack_add(&gsm, septets);
    }
  }
  const smstext__pack *p = gsm_ok ? &gsm : &ucs;
  size_t single = gsm_ok ? SMSTEXT_GSM7_SINGLE : SMSTEXT_UCS2_SINGLE;
  info->encoding = gsm_ok ? SMSTEXT_GSM7 : SMSTEXT_UCS2;
  info->units = p->units;
  if (p->units <= single) {
    info->parts = p->units > 0 ? 1 : 0;
    info->units_left_in_part = single - p->units;
  } else {
    info->parts = p->parts;
    info->units_left_in_part = p->per_part - p->used;
  }
  return BH_OK;
}

const char *smstext_encoding_name(smstext_encoding enc) {
  return enc == SMSTEXT_UCS2 ? "ucs2" : "gsm7";
}

/* The ASCII written for a character Unicode does not decompose, or NULL. */
static const char *smstext__translit_lookup(int32_t cp) {
  size_t lo = 0, hi = sizeof(smstext__translit_table) / sizeof(smstext__translit_table[0]);
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (cp < smstext__translit_table[mid].cp)
      hi = mid;
    else if (cp > smstext__translit_table[mid].cp)
      lo = mid + 1;
    else
      return smstext__translit_table[mid].ascii;
  }
  return NULL;
}

/* Returns 1 for a combining mark, which the transliteration drops. */
static int smstext__is_mark(int32_t cp) {
  utf8proc_category_t cat = utf8proc_category(cp);
  return cat == UTF8PROC_CATEGORY_MN || cat == UTF8PROC_CATEGORY_MC || cat == UTF8PROC_CATEGORY_ME;
}

/* Appends the ASCII for one ASCII code point: CR, LF and printable characters as they are, the
 * backtick as an apostrophe, tab as a space; other controls are dropped. */
static int smstext__put_ascii(buf_t *out, int32_t cp) {
  if (cp == '\n' || cp == '\r' || (cp >= 0x20 && cp < 0x7F && cp != '`'))
    return buf_putc(out, (char)cp);
  if (cp == '`') return buf_putc(out, '\'');
  if (cp == '\t') return buf_putc(out, ' ');
  return BH_OK;
}

/* The longest compatibility decomposition kept; longer ones (Arabic ligatures) become '?'. */
#define SMSTEXT_DECOMP_MAX 8

/* Appends the transliteration of one non-ASCII code point cp. */
static int smstext__put_other(buf_t *out, int32_t cp) {
  const char *t = smstext__translit_lookup(cp);
  if (t != NULL) return buf_puts(out, t);
  if (cp == 0x2028 || cp == 0x2029) return buf_putc(out, '\n');
  utf8proc_category_t cat = utf8proc_category(cp);
  if (cat == UTF8PROC_CATEGORY_ZS) return buf_putc(out, ' ');
  if (cat == UTF8PROC_CATEGORY_CF || cat == UTF8PROC_CATEGORY_CC || smstext__is_mark(cp))
    return BH_OK;
  utf8proc_int32_t d[SMSTEXT_DECOMP_MAX];
  utf8proc_ssize_t n = utf8proc_decompose_char(cp, d, SMSTEXT_DECOMP_MAX,
                                               UTF8PROC_DECOMPOSE | UTF8PROC_COMPAT, NULL);
  if (n <= 0 || n > SMSTEXT_DECOMP_MAX) return buf_putc(out, '?');
  /* The decomposition is used only if every piece of it has an ASCII form. */
  char ascii[SMSTEXT_DECOMP_MAX * 3 + 1];
  size_t k = 0;
  for (utf8proc_ssize_t i = 0; i < n; i++) {
    if (d[i] >= 0x20 && d[i] < 0x7F) {
      ascii[k++] = d[i] == '`' ? '\'' : (char)d[i];
    } else if (smstext__is_mark(d[i])) {
      continue;
    } else if ((t = smstext__translit_lookup(d[i])) != NULL && strlen(t) <= 3) {
      memcpy(ascii + k, t, strlen(t));
      k += strlen(t);
    } else {
      return buf_putc(out, '?');
    }
  }
  return buf_append(out, ascii, k);
}

int smstext_unaccented(const char *in, size_t len, buf_t *out) {
  if (out == NULL || (in == NULL && len > 0)) return BH_ERR_INVALID;
  const unsigned char *s = (const unsigned char *)in;
  size_t start = out->len;
  int rc = BH_OK;
  for (size_t i = 0; i < len && rc == BH_OK;) {
    int32_t cp;
    size_t n = smstext__decode(s + i, len - i, &cp);
    if (n == 0) {
      rc = BH_ERR_INVALID;
      break;
    }
    i += n;
    rc = cp < 0x80 ? smstext__put_ascii(out, cp) : smstext__put_other(out, cp);
  }
  if (rc != BH_OK && out->data != NULL) {
    out->len = start;
    out->data[start] = '\0';
  }
  return rc;
}
