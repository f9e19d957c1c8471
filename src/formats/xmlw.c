/* xmlw.c - the shared XML writer of the publishers; see xmlw.h. */
#include "formats/xmlw.h"

#include <string.h>

#include "domain/country.h"
#include "formats/csv.h"
#include "util/err.h"

/* Appends the writer's bytes to the buffer. After the first failure it drops everything yet
 * still reports success, so that libxml2 does not print an I/O error on stderr; xmlw_finish
 * reads the error and discards the output. */
static int xmlw_sink_write(void *ctx, const char *data, int len) {
  xmlw_t *x = ctx;
  if (x->sink_rc == BH_OK && len > 0) x->sink_rc = buf_append(x->out, data, (size_t)len);
  return len;
}

static int xmlw_sink_close(void *ctx) {
  (void)ctx;
  return 0;
}

int xmlw_begin(xmlw_t *x, buf_t *out) {
  memset(x, 0, sizeof(*x));
  x->out = out;
  x->start = out->len;
  x->rc = buf_puts(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
  if (x->rc != BH_OK) return x->rc;
  xmlOutputBufferPtr ob = xmlOutputBufferCreateIO(xmlw_sink_write, xmlw_sink_close, x, NULL);
  if (ob == NULL) {
    x->rc = BH_ERR_NOMEM;
    return x->rc;
  }
  x->w = xmlNewTextWriter(ob); /* owns ob on success only */
  if (x->w == NULL) {
    xmlOutputBufferClose(ob);
    x->rc = BH_ERR_NOMEM;
    return x->rc;
  }
  xmlw_fail(x, xmlTextWriterSetIndent(x->w, 1) < 0 ||
                   xmlTextWriterSetIndentString(x->w, BAD_CAST "  ") < 0);
  return x->rc;
}

int xmlw_finish(xmlw_t *x) {
  if (x->w != NULL) {
    if (x->rc == BH_OK) xmlw_fail(x, xmlTextWriterFlush(x->w) < 0);
    xmlFreeTextWriter(x->w);
    x->w = NULL;
  }
  int rc = x->sink_rc != BH_OK ? x->sink_rc : x->rc;
  if (rc != BH_OK) {
    x->out->len = x->start;
    if (x->out->data != NULL) x->out->data[x->start] = '\0';
  }
  return rc;
}

void xmlw_fail(xmlw_t *x, int failed) {
  if (x->rc == BH_OK && failed) x->rc = BH_ERR_INTERNAL;
}

void xmlw_start(xmlw_t *x, const char *name) {
  if (x->rc == BH_OK) xmlw_fail(x, xmlTextWriterStartElement(x->w, BAD_CAST name) < 0);
}

void xmlw_end(xmlw_t *x) {
  if (x->rc == BH_OK) xmlw_fail(x, xmlTextWriterEndElement(x->w) < 0);
}

int xmlw_text_ok_len(const char *s, size_t len) {
  if (!csv_field_valid_utf8(s, len)) return 0;
  const unsigned char *p = (const unsigned char *)s;
  for (size_t i = 0; i < len; i++) {
    unsigned char c = p[i];
    if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') return 0;
    if (c == 0x7f) return 0;
    if (c == 0xc2 && i + 1 < len && p[i + 1] >= 0x80 && p[i + 1] <= 0x9f) return 0;
    if (c == 0xef && i + 2 < len && p[i + 1] == 0xbf && (p[i + 2] == 0xbe || p[i + 2] == 0xbf)) {
      return 0;
    }
  }
  return 1;
}

int xmlw_text_ok(const char *s) { return s != NULL && xmlw_text_ok_len(s, strlen(s)); }

int xmlw_advisory_ok(const advisory_t *a) {
  if (a->id <= 0 || a->series_id <= 0 || a->version < 1) return 0;
  if (a->level < ADVISORY_LEVEL_MIN || a->level > ADVISORY_LEVEL_MAX) return 0;
  if (!country_valid(a->country)) return 0;
  if (a->region != NULL && !country_region_valid(a->country, a->region)) return 0;
  return a->title_vi != NULL && a->title_en != NULL && a->text_vi != NULL && a->text_en != NULL;
}
