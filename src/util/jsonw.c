/* jsonw.c - JSON text written straight into a buffer; see jsonw.h for the contract. */
#include "util/jsonw.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/err.h"

void jsonw_init(jsonw_t *w, size_t max) {
  w->data = NULL;
  w->len = w->cap = 0;
  w->max = max;
  w->err = BH_OK;
}

void jsonw_free(jsonw_t *w) {
  free(w->data);
  w->data = NULL;
  w->len = w->cap = 0;
}

int jsonw_error(const jsonw_t *w) { return w->err; }

/* Makes room for n more bytes and a NUL; 0, or -1 with w->err set. */
static int jsonw_room(jsonw_t *w, size_t n) {
  if (w->err != BH_OK) return -1;
  if (w->cap - w->len > n) return 0;
  if (n > w->max || w->len > w->max - n) {
    w->err = BH_ERR_TOO_LARGE;
    return -1;
  }
  size_t cap = w->cap ? w->cap : 4096;
  while (cap - w->len <= n) cap *= 2;
  if (cap > w->max + 1) cap = w->max + 1;
  char *p = realloc(w->data, cap);
  if (p == NULL) {
    w->err = BH_ERR_NOMEM;
    return -1;
  }
  w->data = p;
  w->cap = cap;
  return 0;
}

void jsonw_raw(jsonw_t *w, const char *s, size_t n) {
  if (jsonw_room(w, n) != 0) return;
  memcpy(w->data + w->len, s, n);
  w->len += n;
  w->data[w->len] = '\0';
}

/*
 * Length of the valid UTF-8 sequence at s (at most n bytes), or 0 when it is not one: the rules
 * of jansson's utf8_check_first and utf8_check_full.
 */
static size_t utf8_seq(const unsigned char *s, size_t n) {
  unsigned char c = s[0];
  size_t len;
  uint32_t v;
  if (c < 0x80) return 1;
  if (c >= 0xC2 && c <= 0xDF) {
    len = 2;
    v = c & 0x1F;
  } else if (c >= 0xE0 && c <= 0xEF) {
    len = 3;
    v = c & 0x0F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    len = 4;
    v = c & 0x07;
  } else {
    return 0; /* a continuation byte, an overlong 2-byte lead, or past U+10FFFF */
  }
  if (len > n) return 0;
  for (size_t i = 1; i < len; i++) {
    if ((s[i] & 0xC0) != 0x80) return 0;
    v = (v << 6) | (s[i] & 0x3F);
  }
  if (v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) return 0;
  if ((len == 3 && v < 0x800) || (len == 4 && v < 0x10000)) return 0;
  return len;
}

void jsonw_strn(jsonw_t *w, const char *s, size_t n) {
  if (s == NULL) {
    jsonw_raw(w, "null", 4);
    return;
  }
  /* One pass: room for the worst case (every byte a \uXXXX), then bytes copied as they are
   * checked; text that turns out not to be UTF-8 is taken back and written as null. */
  if (n > (SIZE_MAX - 2) / 6 || jsonw_room(w, 6 * n + 2) != 0) {
    if (w->err == BH_OK) w->err = BH_ERR_TOO_LARGE;
    return;
  }
  static const char hex[] = "0123456789ABCDEF";
  const unsigned char *p = (const unsigned char *)s;
  char *o = w->data + w->len;
  *o++ = '"';
  for (size_t i = 0; i < n;) {
    unsigned char c = p[i];
    if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
      *o++ = (char)c;
      i++;
    } else if (c >= 0x80) {
      size_t len = utf8_seq(p + i, n - i);
      if (len == 0) {
        jsonw_raw(w, "null", 4); /* nothing was counted in w->len yet */
        return;
      }
      memcpy(o, p + i, len);
      o += len;
      i += len;
    } else {
      *o++ = '\\';
      switch (c) {
        case '"': *o++ = '"'; break;
        case '\\': *o++ = '\\'; break;
        case '\b': *o++ = 'b'; break;
        case '\f': *o++ = 'f'; break;
        case '\n': *o++ = 'n'; break;
        case '\r': *o++ = 'r'; break;
        case '\t': *o++ = 't'; break;
        default:
          *o++ = 'u';
          *o++ = '0';
          *o++ = '0';
          *o++ = hex[c >> 4];
          *o++ = hex[c & 15];
      }
      i++;
    }
  }
  *o++ = '"';
  *o = '\0';
  w->len = (size_t)(o - w->data);
}

void jsonw_str(jsonw_t *w, const char *s) { jsonw_strn(w, s, s ? strlen(s) : 0); }

void jsonw_int(jsonw_t *w, int64_t v) {
  char text[24];
  int n = snprintf(text, sizeof(text), "%" PRId64, v);
  jsonw_raw(w, text, (size_t)n);
}

/* ---- checked copy of a JSON text ---- */

struct jscan {
  const unsigned char *s;
  size_t n, i;
  jsonw_t *w;
};

static void js_space(struct jscan *j) {
  while (j->i < j->n) {
    unsigned char c = j->s[j->i];
    if (c != ' ' && c != '\t' && c != '\n' && c != '\r') break;
    j->i++;
  }
}

static int js_hex4(const unsigned char *p, uint32_t *v) {
  *v = 0;
  for (int k = 0; k < 4; k++) {
    unsigned char c = p[k];
    uint32_t d = c >= '0' && c <= '9'   ? (uint32_t)(c - '0')
                 : c >= 'a' && c <= 'f' ? (uint32_t)(c - 'a' + 10)
                 : c >= 'A' && c <= 'F' ? (uint32_t)(c - 'A' + 10)
                                        : 16;
    if (d == 16) return -1;
    *v = (*v << 4) | d;
  }
  return 0;
}

/* A string at j->i (on its opening quote): checked, then copied with its quotes as it is. */
static int js_string(struct jscan *j) {
  size_t start = j->i++;
  while (j->i < j->n) {
    unsigned char c = j->s[j->i];
    if (c == '"') {
      j->i++;
      jsonw_raw(j->w, (const char *)j->s + start, j->i - start);
      return 0;
    }
    if (c < 0x20) return -1;
    if (c == '\\') {
      if (j->i + 1 >= j->n) return -1;
      unsigned char e = j->s[j->i + 1];
      if (e != 'u') {
        if (strchr("\"\\/bfnrt", e) == NULL || e == '\0') return -1;
        j->i += 2;
        continue;
      }
      uint32_t v, lo;
      if (j->i + 6 > j->n || js_hex4(j->s + j->i + 2, &v) != 0) return -1;
      j->i += 6;
      if (v == 0) return -1; /* jansson refuses \u0000 unless asked to allow it */
      if (v >= 0xDC00 && v <= 0xDFFF) return -1; /* a low surrogate alone */
      if (v >= 0xD800 && v <= 0xDBFF) {
        if (j->i + 6 > j->n || j->s[j->i] != '\\' || j->s[j->i + 1] != 'u' ||
            js_hex4(j->s + j->i + 2, &lo) != 0 || lo < 0xDC00 || lo > 0xDFFF) {
          return -1;
        }
        j->i += 6;
      }
      continue;
    }
    if (c < 0x80) {
      j->i++;
      continue;
    }
    size_t len = utf8_seq(j->s + j->i, j->n - j->i);
    if (len == 0) return -1;
    j->i += len;
  }
  return -1;
}

/* A number: jansson's grammar, and a value it can hold (an integer in 64 bits, a finite real). */
static int js_number(struct jscan *j) {
  size_t start = j->i;
  int real = 0;
  if (j->s[j->i] == '-') j->i++;
  if (j->i >= j->n || j->s[j->i] < '0' || j->s[j->i] > '9') return -1;
  if (j->s[j->i] == '0') {
    j->i++;
    if (j->i < j->n && j->s[j->i] >= '0' && j->s[j->i] <= '9') return -1;
  } else {
    while (j->i < j->n && j->s[j->i] >= '0' && j->s[j->i] <= '9') j->i++;
  }
  if (j->i < j->n && j->s[j->i] == '.') {
    real = 1;
    j->i++;
    if (j->i >= j->n || j->s[j->i] < '0' || j->s[j->i] > '9') return -1;
    while (j->i < j->n && j->s[j->i] >= '0' && j->s[j->i] <= '9') j->i++;
  }
  if (j->i < j->n && (j->s[j->i] == 'e' || j->s[j->i] == 'E')) {
    real = 1;
    j->i++;
    if (j->i < j->n && (j->s[j->i] == '+' || j->s[j->i] == '-')) j->i++;
    if (j->i >= j->n || j->s[j->i] < '0' || j->s[j->i] > '9') return -1;
    while (j->i < j->n && j->s[j->i] >= '0' && j->s[j->i] <= '9') j->i++;
  }
  char text[64];
  size_t len = j->i - start;
  if (len >= sizeof(text)) return -1;
  memcpy(text, j->s + start, len);
  text[len] = '\0';
  errno = 0;
  if (real) {
    double d = strtod(text, NULL);
    if (errno == ERANGE && !isfinite(d)) return -1;
  } else {
    (void)strtoll(text, NULL, 10);
    if (errno == ERANGE) return -1;
  }
  jsonw_raw(j->w, text, len);
  return 0;
}

static int js_value(struct jscan *j, int depth);

/* An array or object at j->i (on its opening bracket). */
static int js_container(struct jscan *j, int depth) {
  unsigned char open = j->s[j->i], close = open == '[' ? ']' : '}';
  if (depth >= JSONW_MAX_DEPTH) return -1;
  jsonw_raw(j->w, (const char *)&open, 1);
  j->i++;
  js_space(j);
  if (j->i < j->n && j->s[j->i] == close) {
    j->i++;
    jsonw_raw(j->w, (const char *)&close, 1);
    return 0;
  }
  for (;;) {
    if (open == '{') {
      if (j->i >= j->n || j->s[j->i] != '"' || js_string(j) != 0) return -1;
      js_space(j);
      if (j->i >= j->n || j->s[j->i] != ':') return -1;
      j->i++;
      jsonw_raw(j->w, ":", 1);
      js_space(j);
    }
    if (js_value(j, depth + 1) != 0) return -1;
    js_space(j);
    if (j->i >= j->n) return -1;
    unsigned char c = j->s[j->i++];
    if (c == close) {
      jsonw_raw(j->w, (const char *)&close, 1);
      return 0;
    }
    if (c != ',') return -1;
    jsonw_raw(j->w, ",", 1);
    js_space(j);
  }
}

static int js_literal(struct jscan *j, const char *word) {
  size_t len = strlen(word);
  if (j->n - j->i < len || memcmp(j->s + j->i, word, len) != 0) return -1;
  j->i += len;
  jsonw_raw(j->w, word, len);
  return 0;
}

static int js_value(struct jscan *j, int depth) {
  if (j->i >= j->n) return -1;
  unsigned char c = j->s[j->i];
  switch (c) {
    case '[':
    case '{':
      return js_container(j, depth);
    case '"':
      return js_string(j);
    case 't':
      return js_literal(j, "true");
    case 'f':
      return js_literal(j, "false");
    case 'n':
      return js_literal(j, "null");
    default:
      return c == '-' || (c >= '0' && c <= '9') ? js_number(j) : -1;
  }
}

int jsonw_json(jsonw_t *w, const char *text, size_t n, const char *fallback) {
  if (w->err != BH_OK) return 0;
  size_t mark = w->len;
  struct jscan j = {.s = (const unsigned char *)text, .n = n, .i = 0, .w = w};
  int ok = 0;
  if (text != NULL) {
    js_space(&j);
    /* Like json_loadb without JSON_DECODE_ANY: an array or an object, then only spaces. */
    if (j.i < n && (j.s[j.i] == '[' || j.s[j.i] == '{') && js_container(&j, 0) == 0) {
      js_space(&j);
      ok = j.i == n;
    }
  }
  if (w->err != BH_OK) return 0;
  if (ok) return 1;
  w->len = mark;
  if (w->data != NULL) w->data[mark] = '\0';
  jsonw_lit(w, fallback);
  return 0;
}
