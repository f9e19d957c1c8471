/*
 * assets.h - the web console and public pages, embedded into the binary at build time by
 * tools/embed_assets.c (from web/), so that the server reads no file at run time.
 *
 * Entries are constant data, safe to read from any thread. A page (/pages/NAME.html) exists
 * once per language of web/i18n/; every other entry has no language.
 */
#ifndef BAOHO_ASSETS_H
#define BAOHO_ASSETS_H

#include <stddef.h>

typedef struct asset {
  const char *path;         /* "/assets/css/base.css", or "/pages/NAME.html" */
  const char *lang;         /* language of a page ("vi", "en"), else NULL */
  const char *content_type; /* value of the Content-Type header */
  const unsigned char *data;
  size_t len;
  const char *etag;  /* quoted strong ETag, e.g. "\"0123456789abcdef\"" */
  int immutable;     /* vendored: its URL carries its hash, so it may be cached for a year */
} asset_t;

/* The generated table (assets_data.c in the build tree). */
extern const asset_t assets_table[];
extern const size_t assets_count;
/* Number of vendored front-end files; 0 when npm was unavailable at build time. */
extern const size_t assets_vendored;

/*
 * Returns the entry for path in language lang (NULL for entries that have none), or NULL when
 * there is none. A page asked in a language it lacks is not found.
 */
const asset_t *assets_find(const char *path, const char *lang);

#endif
