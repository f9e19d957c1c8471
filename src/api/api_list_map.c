/*
 * api_list_map.c - the column map of a list upload: "ignore" entries taken out of the map and
 * applied to a copy of the header, the rest left to csv_map_columns (the parser `baoho match
 * --map` uses), so that both read a map the same way.
 */
#include "api/api_list_map.h"

#include <stdio.h>
#include <string.h>

#include "util/err.h"

/* Leading and trailing spaces and tabs off s[0..*n). */
static void map_trim(const char **s, size_t *n) {
  while (*n > 0 && (**s == ' ' || **s == '\t')) {
    (*s)++;
    (*n)--;
  }
  while (*n > 0 && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t')) (*n)--;
}

/* Whether a and b are equal after trimming, ASCII letters without regard to case. */
static int map_name_eq(const char *a, size_t an, const char *b, size_t bn) {
  map_trim(&a, &an);
  map_trim(&b, &bn);
  if (an != bn) return 0;
  for (size_t k = 0; k < an; k++) {
    unsigned char x = (unsigned char)a[k], y = (unsigned char)b[k];
    if (x >= 'A' && x <= 'Z') x = (unsigned char)(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = (unsigned char)(y - 'A' + 'a');
    if (x != y) return 0;
  }
  return 1;
}

int api_list_map_columns(arena_t *a, const csv_row_t *header, const char *const *targets,
                         size_t ntargets, const char *mapping, int *index, char *msg,
                         size_t msg_size) {
  if (mapping == NULL) {
    return csv_map_columns(header, targets, ntargets, NULL, index, msg, msg_size);
  }
  size_t mlen = strlen(mapping);
  char *kept = arena_alloc(a, mlen + 1);
  const char **field = arena_alloc(a, (header->count ? header->count : 1) * sizeof *field);
  size_t *len = arena_alloc(a, (header->count ? header->count : 1) * sizeof *len);
  if (kept == NULL || field == NULL || len == NULL) {
    if (msg != NULL && msg_size > 0) snprintf(msg, msg_size, "out of memory");
    return BH_ERR_NOMEM;
  }
  for (size_t c = 0; c < header->count; c++) {
    field[c] = header->field[c];
    len[c] = header->len[c];
  }
  size_t o = 0;
  for (const char *e = mapping; e != NULL && *e != '\0';) {
    const char *comma = strchr(e, ',');
    size_t elen = comma != NULL ? (size_t)(comma - e) : strlen(e);
    const char *eq = memchr(e, '=', elen);
    const char *entry = e;
    e = comma != NULL ? comma + 1 : NULL;
    const char *dst = eq ? eq + 1 : NULL;
    size_t dlen = eq ? elen - (size_t)(eq - entry) - 1 : 0;
    if (dst == NULL || !map_name_eq(dst, dlen, API_LIST_MAP_IGNORE, strlen(API_LIST_MAP_IGNORE))) {
      /* Not an ignore entry: csv_map_columns reads it (and refuses it when malformed). */
      if (o > 0) kept[o++] = ',';
      memcpy(kept + o, entry, elen);
      o += elen;
      continue;
    }
    const char *src = entry;
    size_t slen = (size_t)(eq - entry);
    map_trim(&src, &slen);
    int found = 0;
    for (size_t c = 0; c < header->count; c++) {
      if (len[c] == 0 || !map_name_eq(field[c], len[c], src, slen)) continue;
      field[c] = "";
      len[c] = 0;
      found = 1;
    }
    if (!found) {
      if (msg != NULL && msg_size > 0) {
        snprintf(msg, msg_size, "ignored column '%.*s' is not in the header",
                 (int)(slen > 80 ? 80 : slen), src);
      }
      return BH_ERR_INVALID;
    }
  }
  kept[o] = '\0';
  csv_row_t copy = *header;
  copy.field = field;
  copy.len = len;
  return csv_map_columns(&copy, targets, ntargets, kept, index, msg, msg_size);
}
