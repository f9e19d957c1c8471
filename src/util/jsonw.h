/*
 * jsonw.h - writes JSON text straight into a growing buffer, for replies that are too large or
 * too frequent to build as jansson values first (a page of 50 persons was about 1,000 jansson
 * values, each a malloc, then a json_dumps).
 *
 * The text is what json_dumps(..., JSON_COMPACT) writes for the same values: no spaces, strings
 * escaped as jansson escapes them (\" \\ \b \f \n \r \t, other control characters as \uXXXX with
 * capital hex digits, everything else, '/' and non-ASCII included, as it is). Errors are sticky:
 * after the first failed append (the writer's maximum, or memory) every call does nothing and
 * jsonw_error tells the first error. The caller writes the punctuation between values. The text
 * is w.data[0 .. w.len) (NUL-terminated once anything was written); jsonw_free releases it.
 */
#ifndef BAOHO_JSONW_H
#define BAOHO_JSONW_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef struct {
  char *data; /* malloc'd, NULL until the first write */
  size_t len, cap, max;
  int err; /* BH_OK, or the first error */
} jsonw_t;

/* Starts an empty text of at most max bytes. Never fails (memory is taken on the first write). */
void jsonw_init(jsonw_t *w, size_t max);
/* Releases the text; w may be used again after jsonw_init. */
void jsonw_free(jsonw_t *w);
/* The first error (BH_ERR_TOO_LARGE, BH_ERR_NOMEM), or BH_OK. */
int jsonw_error(const jsonw_t *w);
/* Appends n bytes as they are (punctuation, keys already quoted, literals). */
void jsonw_raw(jsonw_t *w, const char *s, size_t n);
/* Appends the NUL-terminated literal text s as it is (inline: a constant's length is folded). */
static inline void jsonw_lit(jsonw_t *w, const char *s) { jsonw_raw(w, s, strlen(s)); }
/*
 * Appends s as a JSON string, or null for NULL. A string that is not valid UTF-8 (which jansson
 * would refuse to hold) is written as null.
 */
void jsonw_str(jsonw_t *w, const char *s);
/* As jsonw_str for the n bytes at s. */
void jsonw_strn(jsonw_t *w, const char *s, size_t n);
/* Appends an integer. */
void jsonw_int(jsonw_t *w, int64_t v);
/*
 * Appends the JSON text of n bytes at text (for instance a column that holds a JSON array)
 * without the spaces between tokens, after checking it is one JSON array or object as jansson's
 * json_loadb would accept it (valid UTF-8, no \u0000, at most JSONW_MAX_DEPTH levels, nothing
 * after it). Text that fails the check, and NULL, are replaced by fallback (written as it is).
 * Returns 1 when text was written, 0 when fallback was.
 */
int jsonw_json(jsonw_t *w, const char *text, size_t n, const char *fallback);

/* Nesting that jsonw_json accepts (jansson's parser allows 2048; stored lists use 2). */
#define JSONW_MAX_DEPTH 32

#endif
