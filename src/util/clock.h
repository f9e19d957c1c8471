/* clock.h - wall-clock and monotonic time helpers used across baoho. */
#ifndef BAOHO_CLOCK_H
#define BAOHO_CLOCK_H

#include <stdint.h>

/* Seconds since the Unix epoch, UTC. */
int64_t clock_now(void);
/* Monotonic microseconds, for measuring durations only. */
int64_t clock_mono_us(void);

#endif
