/* backoff.c - retry schedules for the delivery channels; see backoff.h. */
#include "delivery/backoff.h"

#include <stddef.h>

#include <sodium.h>

static const backoff_policy backoff__policies[BACKOFF_POLICY_COUNT] = {
#define BACKOFF_ROW(id, name, base, cap, attempts, jitter) \
  [id] = {name, base, cap, attempts, jitter},
    BACKOFF_POLICY_TABLE(BACKOFF_ROW)
#undef BACKOFF_ROW
};

const backoff_policy *backoff_policy_get(backoff_policy_id id) {
  if ((unsigned)id >= BACKOFF_POLICY_COUNT) return NULL;
  return &backoff__policies[id];
}

int backoff_next(backoff_policy_id id, unsigned attempts, uint32_t rnd, uint32_t *delay_ms) {
  const backoff_policy *p = backoff_policy_get(id);
  if (p == NULL || attempts == 0 || delay_ms == NULL || attempts >= p->max_attempts) return 0;
  uint64_t d = p->base_ms;
  for (unsigned i = 1; i < attempts && d < p->cap_ms; i++) d *= 2;
  if (d > p->cap_ms) d = p->cap_ms;
  uint64_t span = d * p->jitter_pct / 100;
  d -= span == 0 ? 0 : (uint64_t)rnd % (span + 1);
  *delay_ms = (uint32_t)d;
  return 1;
}

uint32_t backoff_random(void) { return randombytes_random(); }
