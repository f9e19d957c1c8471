/* ratelimit.c - fixed-window counters in a hashed slot table; see ratelimit.h. */
#include "util/ratelimit.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define RATELIMIT_SLOTS 4096

struct rl_slot {
  uint64_t key;
  int64_t window_start;
  uint32_t count;
};

struct ratelimit {
  pthread_mutex_t lock;
  uint32_t max_events;
  uint32_t window_s;
  struct rl_slot slots[RATELIMIT_SLOTS];
};

static uint64_t rl_hash(const char *s) {
  uint64_t h = 1469598103934665603ULL;
  for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ULL;
  return h | 1;
}

ratelimit_t *ratelimit_new(uint32_t max_events, uint32_t window_s) {
  ratelimit_t *r = calloc(1, sizeof(*r));
  if (r == NULL) return NULL;
  pthread_mutex_init(&r->lock, NULL);
  r->max_events = max_events;
  r->window_s = window_s;
  return r;
}

void ratelimit_free(ratelimit_t *r) {
  if (r == NULL) return;
  pthread_mutex_destroy(&r->lock);
  free(r);
}

static struct rl_slot *rl_slot_for(ratelimit_t *r, uint64_t h, int64_t now) {
  struct rl_slot *s = &r->slots[h % RATELIMIT_SLOTS];
  if (s->key != h || now - s->window_start >= (int64_t)r->window_s) {
    if (s->key != h && s->key != 0 && now - s->window_start < (int64_t)r->window_s) {
      return s; /* Collision with a live window: share it, which only tightens the limit. */
    }
    s->key = h;
    s->window_start = now;
    s->count = 0;
  }
  return s;
}

int ratelimit_hit(ratelimit_t *r, const char *key, int64_t now) {
  uint64_t h = rl_hash(key);
  pthread_mutex_lock(&r->lock);
  struct rl_slot *s = rl_slot_for(r, h, now);
  int ok = s->count < r->max_events;
  if (s->count < UINT32_MAX) s->count++;
  pthread_mutex_unlock(&r->lock);
  return ok;
}

int ratelimit_blocked(ratelimit_t *r, const char *key, int64_t now) {
  uint64_t h = rl_hash(key);
  pthread_mutex_lock(&r->lock);
  struct rl_slot *s = rl_slot_for(r, h, now);
  int blocked = s->count >= r->max_events;
  pthread_mutex_unlock(&r->lock);
  return blocked;
}

void ratelimit_reset(ratelimit_t *r, const char *key) {
  uint64_t h = rl_hash(key);
  pthread_mutex_lock(&r->lock);
  struct rl_slot *s = &r->slots[h % RATELIMIT_SLOTS];
  if (s->key == h) s->count = 0;
  pthread_mutex_unlock(&r->lock);
}
