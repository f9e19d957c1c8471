/*
 * buf.h - a growable byte buffer with a hard maximum.
 *
 * Every buf has a cap: an append that would pass it fails with BH_ERR_TOO_LARGE and leaves the
 * buffer unchanged. The data is always NUL-terminated (the NUL is not counted in len).
 */
#ifndef BAOHO_BUF_H
#define BAOHO_BUF_H

#include <stddef.h>

typedef struct {
  char *data;
  size_t len;
  size_t alloc;
  size_t max;
} buf_t;

/* Initialises b empty with the given maximum length. Never fails (allocation is lazy). */
void buf_init(buf_t *b, size_t max);
/* Frees the storage; b may be reused after buf_init. Accepts NULL. */
void buf_free(buf_t *b);
/* Empties b, keeping its storage. */
void buf_reset(buf_t *b);
/* Appends n bytes. Returns BH_OK, BH_ERR_TOO_LARGE past the maximum, or BH_ERR_NOMEM. */
int buf_append(buf_t *b, const void *data, size_t n);
/* Appends a NUL-terminated string. */
int buf_puts(buf_t *b, const char *s);
/* Appends one byte. */
int buf_putc(buf_t *b, char c);
/* Appends formatted text. */
int buf_printf(buf_t *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
