/*
 * assets.c - lookups into the embedded web assets (the table is generated; see assets.h).
 */
#include "http/assets.h"

#include <string.h>

const asset_t *assets_find(const char *path, const char *lang) {
  for (size_t i = 0; i < assets_count; i++) {
    const asset_t *a = &assets_table[i];
    if (strcmp(a->path, path) != 0) continue;
    if ((a->lang == NULL) != (lang == NULL)) continue;
    if (lang != NULL && strcmp(a->lang, lang) != 0) continue;
    return a;
  }
  return NULL;
}
