/*
 * test_arena_buf.c - unit tests for the bounded memory helpers of util/: the request arena
 * (util/arena), the growable buffer (util/buf), and the fixed-window rate limiter
 * (util/ratelimit).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "util/arena.h"
#include "util/buf.h"
#include "util/err.h"
#include "util/ratelimit.h"

/* ---- arena ---- */

static void arena_hands_out_up_to_its_maximum_and_no_more(void **state) {
  (void)state;
  arena_t *a = arena_new(4096);
  assert_non_null(a);
  char *p = arena_alloc(a, 4000);
  assert_non_null(p);
  memset(p, 1, 4000);
  assert_int_equal(arena_used(a), 4000);
  /* 96 bytes remain: 100 (rounded to 112) does not fit, 96 does, then nothing does. */
  assert_null(arena_alloc(a, 100));
  assert_int_equal(arena_used(a), 4000);
  char *q = arena_alloc(a, 96);
  assert_non_null(q);
  memset(q, 2, 96);
  assert_int_equal(arena_used(a), 4096);
  assert_null(arena_alloc(a, 1));
  assert_null(arena_alloc(a, 0));
  assert_null(arena_calloc(a, 1));
  assert_null(arena_strdup(a, ""));
  assert_null(arena_printf(a, "%d", 1));
  arena_free(a);
}

static void arena_refuses_single_allocation_past_maximum(void **state) {
  (void)state;
  arena_t *a = arena_new(1 << 20);
  assert_non_null(a);
  assert_null(arena_alloc(a, (1 << 20) + 1));
  assert_null(arena_alloc(a, SIZE_MAX));
  assert_null(arena_alloc(a, SIZE_MAX - 8));
  assert_null(arena_alloc(a, SIZE_MAX / 2));
  assert_int_equal(arena_used(a), 0);
  /* A refused request leaves the arena usable. */
  char *p = arena_alloc(a, 1 << 20);
  assert_non_null(p);
  memset(p, 3, 1 << 20);
  assert_int_equal(arena_used(a), 1 << 20);
  arena_free(a);
}

static void arena_of_zero_maximum_refuses_everything(void **state) {
  (void)state;
  arena_t *a = arena_new(0);
  assert_non_null(a);
  assert_null(arena_alloc(a, 0));
  assert_null(arena_alloc(a, 1));
  arena_free(a);
}

static void arena_aligns_every_allocation_to_16_bytes(void **state) {
  (void)state;
  arena_t *a = arena_new(8u << 20);
  assert_non_null(a);
  static const size_t sizes[] = {1, 3, 7, 8, 15, 16, 17, 31, 33, 100, 4095, 4096, 4097, 10000, 5};
  for (int round = 0; round < 40; round++) {
    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
      unsigned char *p = arena_alloc(a, sizes[i]);
      assert_non_null(p);
      assert_int_equal((uintptr_t)p % 16, 0);
      memset(p, 0xa5, sizes[i]);
    }
  }
  arena_free(a);
}

static void arena_allocations_do_not_overlap(void **state) {
  (void)state;
  enum { N = 3000 };
  arena_t *a = arena_new(4u << 20);
  assert_non_null(a);
  static unsigned char *ptr[N];
  for (int i = 0; i < N; i++) {
    size_t n = (size_t)(i % 97) + 1;
    ptr[i] = arena_alloc(a, n);
    assert_non_null(ptr[i]);
    memset(ptr[i], i & 0xff, n);
  }
  for (int i = 0; i < N; i++) {
    size_t n = (size_t)(i % 97) + 1;
    for (size_t k = 0; k < n; k++) assert_int_equal(ptr[i][k], i & 0xff);
  }
  arena_free(a);
}

static void arena_calloc_gives_zeroed_memory(void **state) {
  (void)state;
  arena_t *a = arena_new(1 << 16);
  assert_non_null(a);
  unsigned char *p = arena_alloc(a, 64);
  memset(p, 0xff, 64);
  unsigned char *z = arena_calloc(a, 5000);
  assert_non_null(z);
  for (size_t i = 0; i < 5000; i++) assert_int_equal(z[i], 0);
  arena_free(a);
}

static void arena_strndup_copies_n_bytes_and_terminates(void **state) {
  (void)state;
  arena_t *a = arena_new(1 << 16);
  assert_non_null(a);
  /* The source need not be NUL-terminated. */
  const char src[5] = {'h', 'e', 'l', 'l', 'o'};
  char *s = arena_strndup(a, src, 3);
  assert_string_equal(s, "hel");
  s = arena_strndup(a, src, 5);
  assert_string_equal(s, "hello");
  s = arena_strndup(a, src, 0);
  assert_string_equal(s, "");
  /* Embedded NUL bytes are copied too. */
  s = arena_strndup(a, "a\0b", 3);
  assert_memory_equal(s, "a\0b\0", 4);
  assert_string_equal(arena_strdup(a, "Nguy\xe1\xbb\x85n"), "Nguy\xe1\xbb\x85n");
  assert_null(arena_strdup(a, NULL));
  arena_free(a);
}

static void arena_printf_formats_into_arena_within_maximum(void **state) {
  (void)state;
  arena_t *a = arena_new(8192);
  assert_non_null(a);
  assert_string_equal(arena_printf(a, "%s-%d-%05.1f", "vn", 84, 3.14159), "vn-84-003.1");
  assert_string_equal(arena_printf(a, "%s", ""), "");
  char *big = arena_printf(a, "%4000d", 7);
  assert_non_null(big);
  assert_int_equal(strlen(big), 4000);
  assert_int_equal(big[3999], '7');
  size_t used = arena_used(a);
  assert_null(arena_printf(a, "%5000d", 7));
  assert_int_equal(arena_used(a), used);
  arena_free(a);
}

static void arena_free_accepts_null(void **state) {
  (void)state;
  arena_free(NULL);
}

/* ---- buf ---- */

static void buf_appends_up_to_its_maximum(void **state) {
  (void)state;
  buf_t b;
  buf_init(&b, 10);
  assert_int_equal(buf_puts(&b, "hello"), BH_OK);
  assert_int_equal(b.len, 5);
  assert_string_equal(b.data, "hello");
  assert_int_equal(buf_append(&b, "world", 5), BH_OK);
  assert_int_equal(b.len, 10);
  assert_string_equal(b.data, "helloworld");
  assert_int_equal(buf_append(&b, "", 0), BH_OK);
  assert_int_equal(b.len, 10);
  buf_free(&b);
}

static void buf_refuses_append_past_maximum_and_stays_unchanged(void **state) {
  (void)state;
  buf_t b;
  buf_init(&b, 10);
  assert_int_equal(buf_puts(&b, "hello"), BH_OK);
  assert_int_equal(buf_puts(&b, "world!"), BH_ERR_TOO_LARGE);
  assert_int_equal(b.len, 5);
  assert_string_equal(b.data, "hello");
  assert_int_equal(buf_printf(&b, "%s", "123456"), BH_ERR_TOO_LARGE);
  assert_int_equal(b.len, 5);
  assert_string_equal(b.data, "hello");
  assert_int_equal(buf_append(&b, "x", SIZE_MAX), BH_ERR_TOO_LARGE);
  assert_int_equal(buf_append(&b, "x", SIZE_MAX - 3), BH_ERR_TOO_LARGE);
  assert_int_equal(b.len, 5);
  assert_string_equal(b.data, "hello");
  assert_int_equal(buf_printf(&b, "%05d", 42), BH_OK);
  assert_string_equal(b.data, "hello00042");
  assert_int_equal(buf_putc(&b, '!'), BH_ERR_TOO_LARGE);
  assert_int_equal(b.len, 10);
  assert_string_equal(b.data, "hello00042");
  buf_free(&b);
}

static void buf_refuses_first_append_past_maximum(void **state) {
  (void)state;
  buf_t b;
  buf_init(&b, 3);
  assert_int_equal(buf_puts(&b, "abcd"), BH_ERR_TOO_LARGE);
  assert_int_equal(b.len, 0);
  assert_int_equal(buf_puts(&b, "abc"), BH_OK);
  assert_string_equal(b.data, "abc");
  buf_free(&b);
}

static void buf_stays_nul_terminated_while_growing(void **state) {
  (void)state;
  buf_t b;
  buf_init(&b, 100000);
  for (int i = 0; i < 5000; i++) {
    if (i % 3 == 0) {
      assert_int_equal(buf_putc(&b, 'c'), BH_OK);
    } else if (i % 3 == 1) {
      assert_int_equal(buf_append(&b, "ab", 2), BH_OK);
    } else {
      assert_int_equal(buf_printf(&b, "%d;", i % 10), BH_OK);
    }
    assert_true(b.alloc > b.len);
    assert_int_equal(b.data[b.len], '\0');
    assert_int_equal(strlen(b.data), b.len);
  }
  assert_int_equal(b.len, 5000 / 3 * 1 + 1 + 5000 / 3 * 2 + 2 + 5000 / 3 * 2);
  assert_memory_equal(b.data, "cab2;cab5;", 10);
  buf_free(&b);
}

static void buf_reset_empties_and_keeps_storage(void **state) {
  (void)state;
  buf_t b;
  buf_init(&b, 64);
  buf_reset(&b); /* before any storage exists */
  assert_int_equal(b.len, 0);
  assert_int_equal(buf_puts(&b, "some text"), BH_OK);
  char *storage = b.data;
  buf_reset(&b);
  assert_int_equal(b.len, 0);
  assert_string_equal(b.data, "");
  assert_ptr_equal(b.data, storage);
  assert_int_equal(buf_puts(&b, "other"), BH_OK);
  assert_string_equal(b.data, "other");
  buf_free(&b);
  assert_null(b.data);
  assert_int_equal(b.len, 0);
  buf_free(NULL);
}

/* ---- ratelimit ---- */

static void ratelimit_allows_n_events_and_refuses_the_next(void **state) {
  (void)state;
  ratelimit_t *r = ratelimit_new(3, 60);
  assert_non_null(r);
  int64_t t = 1700000000;
  assert_int_equal(ratelimit_blocked(r, "203.0.113.7", t), 0);
  assert_int_equal(ratelimit_hit(r, "203.0.113.7", t), 1);
  assert_int_equal(ratelimit_hit(r, "203.0.113.7", t + 1), 1);
  assert_int_equal(ratelimit_blocked(r, "203.0.113.7", t + 1), 0);
  assert_int_equal(ratelimit_hit(r, "203.0.113.7", t + 2), 1);
  assert_int_equal(ratelimit_blocked(r, "203.0.113.7", t + 2), 1);
  assert_int_equal(ratelimit_hit(r, "203.0.113.7", t + 3), 0);
  assert_int_equal(ratelimit_hit(r, "203.0.113.7", t + 59), 0);
  /* Another key has its own count. */
  assert_int_equal(ratelimit_hit(r, "198.51.100.1", t + 3), 1);
  assert_int_equal(ratelimit_blocked(r, "198.51.100.1", t + 3), 0);
  ratelimit_free(r);
}

static void ratelimit_blocked_does_not_count_an_event(void **state) {
  (void)state;
  ratelimit_t *r = ratelimit_new(2, 60);
  assert_non_null(r);
  for (int i = 0; i < 10; i++) assert_int_equal(ratelimit_blocked(r, "a@example.org", 100), 0);
  assert_int_equal(ratelimit_hit(r, "a@example.org", 100), 1);
  assert_int_equal(ratelimit_hit(r, "a@example.org", 100), 1);
  assert_int_equal(ratelimit_hit(r, "a@example.org", 100), 0);
  ratelimit_free(r);
}

static void ratelimit_allows_again_after_the_window(void **state) {
  (void)state;
  ratelimit_t *r = ratelimit_new(2, 60);
  assert_non_null(r);
  int64_t t = 1000;
  assert_int_equal(ratelimit_hit(r, "k", t), 1);
  assert_int_equal(ratelimit_hit(r, "k", t + 10), 1);
  assert_int_equal(ratelimit_hit(r, "k", t + 59), 0);
  assert_int_equal(ratelimit_blocked(r, "k", t + 59), 1);
  /* The window started at t, so it ends at t + 60. */
  assert_int_equal(ratelimit_blocked(r, "k", t + 60), 0);
  assert_int_equal(ratelimit_hit(r, "k", t + 60), 1);
  assert_int_equal(ratelimit_hit(r, "k", t + 61), 1);
  assert_int_equal(ratelimit_hit(r, "k", t + 62), 0);
  ratelimit_free(r);
}

static void ratelimit_reset_forgets_the_key(void **state) {
  (void)state;
  ratelimit_t *r = ratelimit_new(1, 3600);
  assert_non_null(r);
  assert_int_equal(ratelimit_hit(r, "officer@mission.example", 5), 1);
  assert_int_equal(ratelimit_hit(r, "officer@mission.example", 6), 0);
  assert_int_equal(ratelimit_hit(r, "other@mission.example", 6), 1);
  ratelimit_reset(r, "officer@mission.example");
  assert_int_equal(ratelimit_blocked(r, "officer@mission.example", 7), 0);
  assert_int_equal(ratelimit_hit(r, "officer@mission.example", 7), 1);
  assert_int_equal(ratelimit_hit(r, "officer@mission.example", 8), 0);
  /* Resetting one key leaves the others alone; resetting an unknown key is harmless. */
  assert_int_equal(ratelimit_hit(r, "other@mission.example", 8), 0);
  ratelimit_reset(r, "never-seen");
  ratelimit_free(r);
  ratelimit_free(NULL);
}

static void ratelimit_never_lets_more_than_n_through_for_many_keys(void **state) {
  (void)state;
  /* With more keys than slots some collide; a collision may only make the limit stricter. */
  ratelimit_t *r = ratelimit_new(2, 60);
  assert_non_null(r);
  for (int k = 0; k < 6000; k++) {
    char key[32];
    snprintf(key, sizeof(key), "10.0.%d.%d", k / 256, k % 256);
    int allowed = 0;
    for (int i = 0; i < 4; i++) allowed += ratelimit_hit(r, key, 500);
    assert_true(allowed <= 2);
  }
  ratelimit_free(r);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(arena_hands_out_up_to_its_maximum_and_no_more),
      cmocka_unit_test(arena_refuses_single_allocation_past_maximum),
      cmocka_unit_test(arena_of_zero_maximum_refuses_everything),
      cmocka_unit_test(arena_aligns_every_allocation_to_16_bytes),
      cmocka_unit_test(arena_allocations_do_not_overlap),
      cmocka_unit_test(arena_calloc_gives_zeroed_memory),
      cmocka_unit_test(arena_strndup_copies_n_bytes_and_terminates),
      cmocka_unit_test(arena_printf_formats_into_arena_within_maximum),
      cmocka_unit_test(arena_free_accepts_null),
      cmocka_unit_test(buf_appends_up_to_its_maximum),
      cmocka_unit_test(buf_refuses_append_past_maximum_and_stays_unchanged),
      cmocka_unit_test(buf_refuses_first_append_past_maximum),
      cmocka_unit_test(buf_stays_nul_terminated_while_growing),
      cmocka_unit_test(buf_reset_empties_and_keeps_storage),
      cmocka_unit_test(ratelimit_allows_n_events_and_refuses_the_next),
      cmocka_unit_test(ratelimit_blocked_does_not_count_an_event),
      cmocka_unit_test(ratelimit_allows_again_after_the_window),
      cmocka_unit_test(ratelimit_reset_forgets_the_key),
      cmocka_unit_test(ratelimit_never_lets_more_than_n_through_for_many_keys),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
