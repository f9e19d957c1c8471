/*
 * arena.h - a bump allocator that owns all memory of one request or one command.
 *
 * Allocations are never freed one by one; arena_free releases everything at once. An arena has
 * a maximum total size (set at creation) so that no single request can exhaust the process: an
 * allocation past it returns NULL. Not thread-safe: one arena belongs to one thread at a time.
 */
#ifndef BAOHO_ARENA_H
#define BAOHO_ARENA_H

#include <stdarg.h>
#include <stddef.h>

typedef struct arena arena_t;

/* Creates an arena that may hand out at most max_bytes in total. Returns NULL if out of memory. */
arena_t *arena_new(size_t max_bytes);
/* Releases every allocation of the arena and the arena itself. Accepts NULL. */
void arena_free(arena_t *a);
/* Forgets every allocation but keeps the newest (largest) block for reuse. Accepts NULL. */
void arena_reset(arena_t *a);
/* Returns n bytes aligned for any type, or NULL when the arena's maximum or memory runs out. */
void *arena_alloc(arena_t *a, size_t n);
/* As arena_alloc, zero-filled. */
void *arena_calloc(arena_t *a, size_t n);
/* Copies the n bytes at s and appends a NUL. Returns NULL on exhaustion. */
char *arena_strndup(arena_t *a, const char *s, size_t n);
/* Copies the NUL-terminated s (NULL gives NULL). */
char *arena_strdup(arena_t *a, const char *s);
/* Formats into a new string from the arena. Returns NULL on exhaustion. */
char *arena_printf(arena_t *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Total bytes handed out so far. */
size_t arena_used(const arena_t *a);

#endif
