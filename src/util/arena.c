/* arena.c - chained-block bump allocator; see arena.h for the contract. */
#include "util/arena.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ARENA_BLOCK_MIN 4096
#define ARENA_ALIGN 16

struct arena_block {
  struct arena_block *next;
  size_t size;
  size_t used;
  _Alignas(16) unsigned char data[];
};

struct arena {
  struct arena_block *head;
  size_t max;
  size_t total;
};

arena_t *arena_new(size_t max_bytes) {
  arena_t *a = calloc(1, sizeof(*a));
  if (a == NULL) return NULL;
  a->max = max_bytes;
  return a;
}

void arena_free(arena_t *a) {
  if (a == NULL) return;
  struct arena_block *b = a->head;
  while (b != NULL) {
    struct arena_block *next = b->next;
    free(b);
    b = next;
  }
  free(a);
}

void arena_reset(arena_t *a) {
  if (a == NULL) return;
  struct arena_block *keep = a->head;
  if (keep == NULL) return;
  struct arena_block *b = keep->next;
  while (b != NULL) {
    struct arena_block *next = b->next;
    free(b);
    b = next;
  }
  keep->next = NULL;
  keep->used = 0;
  a->total = 0;
}

void *arena_alloc(arena_t *a, size_t n) {
  if (n == 0) n = 1;
  if (n > SIZE_MAX - ARENA_ALIGN) return NULL;
  size_t need = (n + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
  if (need > a->max - a->total) return NULL;
  struct arena_block *b = a->head;
  if (b == NULL || b->size - b->used < need) {
    size_t size = need > ARENA_BLOCK_MIN ? need : ARENA_BLOCK_MIN;
    if (b != NULL && size < b->size * 2 && b->size * 2 <= 1024 * 1024) size = b->size * 2;
    b = malloc(sizeof(*b) + size);
    if (b == NULL) return NULL;
    b->size = size;
    b->used = 0;
    b->next = a->head;
    a->head = b;
  }
  void *p = b->data + b->used;
  b->used += need;
  a->total += need;
  return p;
}

void *arena_calloc(arena_t *a, size_t n) {
  void *p = arena_alloc(a, n);
  if (p != NULL) memset(p, 0, n);
  return p;
}

char *arena_strndup(arena_t *a, const char *s, size_t n) {
  char *p = arena_alloc(a, n + 1);
  if (p == NULL) return NULL;
  memcpy(p, s, n);
  p[n] = '\0';
  return p;
}

char *arena_strdup(arena_t *a, const char *s) {
  if (s == NULL) return NULL;
  return arena_strndup(a, s, strlen(s));
}

char *arena_printf(arena_t *a, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (n < 0) return NULL;
  char *p = arena_alloc(a, (size_t)n + 1);
  if (p == NULL) return NULL;
  va_start(ap, fmt);
  vsnprintf(p, (size_t)n + 1, fmt, ap);
  va_end(ap);
  return p;
}

size_t arena_used(const arena_t *a) { return a->total; }
