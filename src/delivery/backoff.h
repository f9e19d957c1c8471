/*
 * backoff.h - when a failed delivery is tried again, and when the outbox gives up.
 *
 * Each channel has one retry policy, declared once in BACKOFF_POLICY_TABLE: the delay before the
 * next attempt doubles after every failure from base_ms up to cap_ms, is shortened by a random
 * share of up to jitter_pct percent (so that thousands of messages failing together do not come
 * back together), and no more than max_attempts attempts are made in all, the first included.
 * The schedules are short because an alert is worth little after an hour: email retries after
 * about 30 s, 1, 2, 4, 8 min, then twice 10 min: 8 attempts within about 36 min; SMS after about
 * 15 s, 30 s, 1, 2, 4 min, then twice 5 min: 8 attempts within about 18 min (before jitter).
 * Functions are pure apart from backoff_random and are safe to call from any thread.
 */
#ifndef BAOHO_BACKOFF_H
#define BAOHO_BACKOFF_H

#include <stdint.h>

/* X(id, name, base_ms, cap_ms, max_attempts, jitter_pct) */
#define BACKOFF_POLICY_TABLE(X)                   \
  X(BACKOFF_EMAIL, "email", 30000, 600000, 8, 25) \
  X(BACKOFF_SMS, "sms", 15000, 300000, 8, 25)

typedef enum {
#define BACKOFF_ENUM(id, name, base, cap, attempts, jitter) id,
  BACKOFF_POLICY_TABLE(BACKOFF_ENUM)
#undef BACKOFF_ENUM
      BACKOFF_POLICY_COUNT
} backoff_policy_id;

typedef struct {
  const char *name;      /* the channel, as it appears in the outbox: "email", "sms" */
  uint32_t base_ms;      /* the delay after the first failure, before jitter */
  uint32_t cap_ms;       /* the longest delay */
  unsigned max_attempts; /* attempts in all, the first included */
  unsigned jitter_pct;   /* the delay is shortened by a random 0..jitter_pct percent */
} backoff_policy;

/* The policy for id, or NULL for an id outside the table. */
const backoff_policy *backoff_policy_get(backoff_policy_id id);

/* Decides what happens after attempts failed attempts (1 after the first failure) under policy
 * id, with rnd a uniformly random 32-bit number (backoff_random in production, a fixed value in
 * tests). Returns 1 and sets *delay_ms to the wait before the next attempt, between
 * (100 - jitter_pct)% and 100% of min(cap_ms, base_ms * 2^(attempts-1)); returns 0 when no attempt
 * is left or the arguments are invalid (unknown id, attempts 0, NULL delay_ms), leaving *delay_ms
 * unchanged. */
int backoff_next(backoff_policy_id id, unsigned attempts, uint32_t rnd,
                 uint32_t *delay_ms /* OUT */);

/* A uniformly random 32-bit number from libsodium, for backoff_next. */
uint32_t backoff_random(void);

#endif
