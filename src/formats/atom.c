/*
 * atom.c - the Atom feed of travel-advisory versions; see atom.h.
 *
 * Like cap.c, the feed is produced with libxml2's xmlTextWriter, whose output flows into the
 * caller's bounded buf_t through an I/O callback; every string is checked (atom__text_ok) before
 * it is written, because the writer copies control characters and broken UTF-8 unchanged.
 */
#include "formats/atom.h"

#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/xmlwriter.h>

#include "domain/country.h"
#include "domain/pdate.h"
#include "formats/cap.h"
#include "formats/xmlw.h"
#include "util/err.h"

#define ATOM__XHTML_NAMESPACE "http://www.w3.org/1999/xhtml"
#define ATOM__SHORT_SIZE 1024

/* The parts of the feed every entry needs, checked once. */
typedef struct {
  const char *base;
  int base_len;
  const char *authority;
  const char *date;
} atom__ctx_t;

/*
 * Writes an attribute of the open element; value must pass atom__text_ok. The value is escaped
 * here rather than by libxml2, which would turn every non-ASCII letter of an attribute into a
 * character reference: '&', '<', '>' and '"' become entities, and tab, line feed and carriage
 * return become character references so that attribute normalisation keeps them.
 */
static void atom__attr(xmlw_t *x, const char *name, const char *value) {
  if (x->rc != BH_OK) return;
  if (!xmlw_text_ok(value)) {
    x->rc = BH_ERR_INVALID;
    return;
  }
  xmlw_fail(x, xmlTextWriterStartAttribute(x->w, BAD_CAST name) < 0);
  const char *run = value;
  for (const char *p = value; x->rc == BH_OK; p++) {
    const char *esc = *p == '&'    ? "&amp;"
                      : *p == '<'  ? "&lt;"
                      : *p == '>'  ? "&gt;"
                      : *p == '"'  ? "&quot;"
                      : *p == '\t' ? "&#9;"
                      : *p == '\n' ? "&#10;"
                      : *p == '\r' ? "&#13;"
                                    : NULL;
    if (esc == NULL && *p != '\0') continue;
    if (p > run) xmlw_fail(x, xmlTextWriterWriteRawLen(x->w, BAD_CAST run, (int)(p - run)) < 0);
    if (esc == NULL) break;
    xmlw_fail(x, xmlTextWriterWriteRaw(x->w, BAD_CAST esc) < 0);
    run = p + 1;
  }
  xmlw_fail(x, xmlTextWriterEndAttribute(x->w) < 0);
}

/* Writes escaped text into the open element; value must pass atom__text_ok. */
static void atom__text(xmlw_t *x, const char *value) {
  if (x->rc != BH_OK) return;
  if (!xmlw_text_ok(value)) {
    x->rc = BH_ERR_INVALID;
    return;
  }
  xmlw_fail(x, xmlTextWriterWriteString(x->w, BAD_CAST value) < 0);
}

/* Writes <name>value</name>. */
static void atom__elem(xmlw_t *x, const char *name, const char *value) {
  xmlw_start(x, name);
  atom__text(x, value);
  xmlw_end(x);
}

/* Formats at most ATOM__SHORT_SIZE - 1 bytes into text; a longer result is BH_ERR_INVALID. */
static void atom__format(xmlw_t *x, char text[ATOM__SHORT_SIZE] /* OUT */, const char *fmt,
                         ...) __attribute__((format(printf, 3, 4)));
static void atom__format(xmlw_t *x, char text[ATOM__SHORT_SIZE], const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(text, ATOM__SHORT_SIZE, fmt, ap);
  va_end(ap);
  if (x->rc == BH_OK && (n < 0 || n >= ATOM__SHORT_SIZE)) x->rc = BH_ERR_INVALID;
}

/* Writes an RFC 3339 UTC timestamp element. */
static void atom__time(xmlw_t *x, const char *name, int64_t t) {
  char z[PDATE_TIMESTAMP_SIZE];
  pdate_format_timestamp(t, z);
  atom__elem(x, name, z);
}

/* Writes <link rel=... type=... href=.../>. */
static void atom__link(xmlw_t *x, const char *rel, const char *type, const char *href) {
  xmlw_start(x, "link");
  atom__attr(x, "rel", rel);
  atom__attr(x, "type", type);
  atom__attr(x, "href", href);
  xmlw_end(x);
}

/* Writes each non-empty line of text (a trailing CR dropped) as an XHTML paragraph. */
static void atom__paragraphs(xmlw_t *x, const char *text) {
  if (x->rc == BH_OK && !xmlw_text_ok(text)) x->rc = BH_ERR_INVALID;
  const char *p = text;
  while (x->rc == BH_OK && *p != '\0') {
    const char *nl = strchr(p, '\n');
    size_t len = nl != NULL ? (size_t)(nl - p) : strlen(p);
    size_t used = len;
    if (used > 0 && p[used - 1] == '\r') used--;
    if (used > INT_MAX) {
      x->rc = BH_ERR_TOO_LARGE;
      return;
    }
    if (used > 0) {
      xmlChar *line = xmlStrndup(BAD_CAST p, (int)used);
      if (line == NULL) {
        x->rc = BH_ERR_NOMEM;
        return;
      }
      xmlw_start(x, "p");
      if (x->rc == BH_OK) xmlw_fail(x, xmlTextWriterWriteString(x->w, line) < 0);
      xmlw_end(x);
      xmlFree(line);
    }
    p += len;
    if (*p == '\n') p++;
  }
}

/* Returns 1 if u is an acceptable base URL and gives its length without trailing slashes. */
static int atom__base_url_ok(const char *u, int *len_out /* OUT */) {
  if (u == NULL) return 0;
  size_t len = strlen(u);
  size_t scheme = strncmp(u, "https://", 8) == 0 ? 8 : strncmp(u, "http://", 7) == 0 ? 7 : 0;
  if (scheme == 0 || len > ATOM_BASE_URL_MAX) return 0;
  for (size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)u[i];
    if (c <= 0x20 || c >= 0x7f || strchr("\"'<>\\{}|^`", c) != NULL) return 0;
  }
  while (len > scheme && u[len - 1] == '/') len--;
  if (len == scheme) return 0;
  *len_out = (int)len;
  return 1;
}

/* Returns 1 if a is a DNS name or e-mail address made of letters, digits and ".-_@". */
static int atom__authority_ok(const char *a) {
  if (a == NULL) return 0;
  size_t len = strlen(a);
  if (len == 0 || len > ATOM_AUTHORITY_MAX) return 0;
  for (size_t i = 0; i < len; i++) {
    char c = a[i];
    int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
             c == '-' || c == '.' || c == '_' || c == '@';
    if (!ok) return 0;
  }
  return 1;
}

/* Orders versions newest first: issued_at, then series, then version, all descending. */
static int atom__newest_first(const void *pa, const void *pb) {
  const advisory_t *a = *(const advisory_t *const *)pa;
  const advisory_t *b = *(const advisory_t *const *)pb;
  if (a->issued_at != b->issued_at) return a->issued_at > b->issued_at ? -1 : 1;
  if (a->series_id != b->series_id) return a->series_id > b->series_id ? -1 : 1;
  if (a->version != b->version) return a->version > b->version ? -1 : 1;
  return a->id > b->id ? -1 : a->id < b->id ? 1 : 0;
}

/* Writes one XHTML block of the content in one language. */
static void atom__content_lang(xmlw_t *x, const char *lang, const char *title,
                               const char *text) {
  xmlw_start(x, "div");
  atom__attr(x, "xml:lang", lang);
  atom__elem(x, "h2", title);
  atom__paragraphs(x, text);
  xmlw_end(x);
}

/* Writes the entry of one version. */
static void atom__entry(xmlw_t *x, const atom__ctx_t *c, const advisory_t *a) {
  char text[ATOM__SHORT_SIZE];
  const char *vi = country_name(a->country, "vi"), *en = country_name(a->country, "en");
  const char *open = a->region != NULL ? " (" : "", *region = a->region != NULL ? a->region : "",
             *close = a->region != NULL ? ")" : "";

  xmlw_start(x, "entry");
  atom__format(x, text, "tag:%s,%s:advisories/%" PRId64 "/v%d", c->authority, c->date,
               a->series_id, a->version);
  atom__elem(x, "id", text);
  atom__format(x, text, "%s%s%s%s: cấp %d — %s", vi, open, region, close, a->level,
               model_advisory_levels_vi[a->level]);
  atom__elem(x, "title", text);
  atom__time(x, "updated", a->issued_at);
  atom__time(x, "published", a->issued_at);
  atom__format(x, text, "%.*s/advisories/%" PRId64, c->base_len, c->base, a->id);
  atom__link(x, "alternate", "text/html", text);
  atom__format(x, text, "%.*s/advisories/%" PRId64 ".cap", c->base_len, c->base, a->id);
  atom__link(x, "alternate", CAP_MEDIA_TYPE, text);

  xmlw_start(x, "category");
  atom__format(x, text, "level-%d", a->level);
  atom__attr(x, "term", text);
  atom__format(x, text, "%.*s/advisory-levels", c->base_len, c->base);
  atom__attr(x, "scheme", text);
  atom__attr(x, "label", model_advisory_levels_vi[a->level]);
  xmlw_end(x);

  xmlw_start(x, "summary");
  atom__attr(x, "xml:lang", "en");
  atom__format(x, text, "%s%s%s%s: level %d — %s", en, open, region, close, a->level,
               model_advisory_levels_en[a->level]);
  atom__text(x, text);
  xmlw_end(x);

  xmlw_start(x, "content");
  atom__attr(x, "type", "xhtml");
  if (x->rc == BH_OK)
    xmlw_fail(x, xmlTextWriterStartElementNS(x->w, NULL, BAD_CAST "div",
                                              BAD_CAST ATOM__XHTML_NAMESPACE) < 0);
  atom__content_lang(x, "vi", a->title_vi, a->text_vi);
  atom__content_lang(x, "en", a->title_en, a->text_en);
  xmlw_end(x); /* div */
  xmlw_end(x); /* content */

  char level[2] = {(char)('0' + a->level), '\0'};
  atom__elem(x, "baoho:level", level);
  atom__elem(x, "baoho:country", a->country);
  if (a->region != NULL) atom__elem(x, "baoho:region", a->region);
  xmlw_end(x); /* entry */
}

/* Writes the feed; the caller owns the writer and checks x->rc. */
static void atom__feed(xmlw_t *x, const atom__ctx_t *c, const advisory_t *const *sorted,
                       size_t n, const atom_options_t *opt) {
  char text[ATOM__SHORT_SIZE];
  if (x->rc == BH_OK)
    xmlw_fail(x, xmlTextWriterStartElementNS(x->w, NULL, BAD_CAST "feed",
                                              BAD_CAST ATOM_NAMESPACE) < 0);
  atom__attr(x, "xmlns:baoho", ATOM_BAOHO_NAMESPACE);
  atom__attr(x, "xml:lang", "vi");
  atom__format(x, text, "tag:%s,%s:advisories", c->authority, c->date);
  atom__elem(x, "id", text);
  atom__elem(x, "title", opt->title != NULL ? opt->title : ATOM_DEFAULT_TITLE);
  atom__time(x, "updated", n > 0 ? sorted[0]->issued_at : opt->now);
  xmlw_start(x, "author");
  atom__elem(x, "name", opt->author_name);
  if (opt->author_email != NULL) atom__elem(x, "email", opt->author_email);
  xmlw_end(x);
  atom__format(x, text, "%.*s/advisories.atom", c->base_len, c->base);
  atom__link(x, "self", ATOM_MEDIA_TYPE, text);
  for (size_t i = 0; i < n && x->rc == BH_OK; i++) atom__entry(x, c, sorted[i]);
  xmlw_end(x); /* feed */
}

int atom_write_advisories(const advisory_t *items, size_t n, const atom_options_t *opt,
                          buf_t *out) {
  if (opt == NULL || out == NULL || (items == NULL && n > 0)) return BH_ERR_INVALID;
  atom__ctx_t c = {opt->base_url, 0, opt->tag_authority, opt->tag_date};
  pdate_t tag_day;
  if (!atom__base_url_ok(opt->base_url, &c.base_len) || !atom__authority_ok(opt->tag_authority) ||
      opt->tag_date == NULL || pdate_parse(opt->tag_date, &tag_day) != BH_OK ||
      !xmlw_text_ok(opt->author_name) || opt->author_name[0] == '\0' ||
      (opt->author_email != NULL && strchr(opt->author_email, '@') == NULL))
    return BH_ERR_INVALID;
  for (size_t i = 0; i < n; i++)
    if (!xmlw_advisory_ok(&items[i])) return BH_ERR_INVALID;
  if (n > SIZE_MAX / sizeof(const advisory_t *)) return BH_ERR_TOO_LARGE;

  xmlw_t x;
  const advisory_t **sorted = NULL;
  if (n > 0) {
    sorted = malloc(n * sizeof *sorted);
    if (sorted == NULL) return BH_ERR_NOMEM;
    for (size_t i = 0; i < n; i++) sorted[i] = &items[i];
    qsort(sorted, n, sizeof *sorted, atom__newest_first);
  }
  if (xmlw_begin(&x, out) == BH_OK) atom__feed(&x, &c, sorted, n, opt);
  int rc = xmlw_finish(&x);
  free(sorted);
  return rc;
}
