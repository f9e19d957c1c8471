/*
 * ratelimit.h - in-memory fixed-window rate limiter keyed by a string (client address, e-mail).
 *
 * A limiter holds a fixed number of slots (keys hash into them; a collision only makes the
 * limit stricter, never looser). Thread-safe.
 */
#ifndef BAOHO_RATELIMIT_H
#define BAOHO_RATELIMIT_H

#include <stdint.h>

typedef struct ratelimit ratelimit_t;

/* Creates a limiter allowing max_events per key within window_s seconds. NULL if out of memory. */
ratelimit_t *ratelimit_new(uint32_t max_events, uint32_t window_s);
/* Frees the limiter. Accepts NULL. */
void ratelimit_free(ratelimit_t *r);
/* Counts one event for key at time now; returns 1 if it is within the limit, 0 if refused. */
int ratelimit_hit(ratelimit_t *r, const char *key, int64_t now);
/* Returns 1 if key is currently over the limit, without counting an event. */
int ratelimit_blocked(ratelimit_t *r, const char *key, int64_t now);
/* Forgets key (for instance after a successful login). */
void ratelimit_reset(ratelimit_t *r, const char *key);

#endif
