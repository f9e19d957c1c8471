/* buf.c - bounded growable buffer; see buf.h. */
#include "util/buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/err.h"

void buf_init(buf_t *b, size_t max) {
  b->data = NULL;
  b->len = 0;
  b->alloc = 0;
  b->max = max;
}

void buf_free(buf_t *b) {
  if (b == NULL) return;
  free(b->data);
  b->data = NULL;
  b->len = b->alloc = 0;
}

void buf_reset(buf_t *b) {
  b->len = 0;
  if (b->data != NULL) b->data[0] = '\0';
}

static int buf_reserve(buf_t *b, size_t extra) {
  if (extra > b->max || b->len > b->max - extra) return BH_ERR_TOO_LARGE;
  size_t need = b->len + extra + 1;
  if (need <= b->alloc) return BH_OK;
  size_t n = b->alloc ? b->alloc : 256;
  while (n < need) n *= 2;
  char *p = realloc(b->data, n);
  if (p == NULL) return BH_ERR_NOMEM;
  b->data = p;
  b->alloc = n;
  return BH_OK;
}

int buf_append(buf_t *b, const void *data, size_t n) {
  int rc = buf_reserve(b, n);
  if (rc != BH_OK) return rc;
  if (n > 0) memcpy(b->data + b->len, data, n);
  b->len += n;
  b->data[b->len] = '\0';
  return BH_OK;
}

int buf_puts(buf_t *b, const char *s) { return buf_append(b, s, strlen(s)); }

int buf_putc(buf_t *b, char c) { return buf_append(b, &c, 1); }

int buf_printf(buf_t *b, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (n < 0) return BH_ERR_INTERNAL;
  int rc = buf_reserve(b, (size_t)n);
  if (rc != BH_OK) return rc;
  va_start(ap, fmt);
  vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
  va_end(ap);
  b->len += (size_t)n;
  return BH_OK;
}
