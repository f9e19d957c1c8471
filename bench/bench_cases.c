/*
 * bench_cases.c - how long a page of a case queue takes with many cases: the store calls of
 * GET /api/v1/cases (store_case_list with the caller's scope and the queue's filter), timed
 * one by one, without HTTP, JSON or the read audit in front of them.
 *
 *   bench_cases DB N_CASES [PERSONS] [SAMPLES]
 *       fills (once: a second run on the same database reuses it) BENCH_MISSIONS missions with
 *       BENCH_OFFICERS officers each, BENCH_CRISES crises and N_CASES cases (each with its
 *       "created" timeline event and, with PERSONS > 0, one of PERSONS synthetic persons linked),
 *       spread like a busy year: types at random, 40 % of the cases open, 40 % of them owned by
 *       the first mission, 70 % assigned, half in a crisis, opened over the last 60 days with the
 *       default due time of their priority (so that many open cases are overdue). Then times
 *       SAMPLES walks of up to 5 pages of 50 (the default page) of each queue below and prints
 *       p50, p99 and the worst page per queue, and the sitrep figures of the largest crisis.
 *
 * The queues: an officer's mission queue (?queue=mission), "mine", "overdue" (officer), hq's
 * open queue of every case, hq's crisis queue (?crisis=), and hq's status=all&type=death
 * (a filter checked on the rows of the index range, the slowest shape).
 *
 * Keys: DB.key beside an SQLite file, ./bench_cases.key for a PostgreSQL URL.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/case.h"
#include "store/store.h"
#include "store/store_case.h"
#include "util/clock.h"
#include "util/err.h"

#define BENCH_MISSIONS 8
#define BENCH_OFFICERS 5
#define BENCH_CRISES 10
#define BENCH_BATCH 10000
#define BENCH_PAGE 50
#define BENCH_PAGES 5

struct bench_world {
  int64_t mission[BENCH_MISSIONS];
  int64_t officer[BENCH_MISSIONS][BENCH_OFFICERS];
  int64_t crisis[BENCH_CRISES];
};

/* A small deterministic generator (xorshift64*), so that two runs fill the same cases. */
static uint64_t bench_rng = 0x9e3779b97f4a7c15ull;
static uint64_t bench_rand(void) {
  bench_rng ^= bench_rng >> 12;
  bench_rng ^= bench_rng << 25;
  bench_rng ^= bench_rng >> 27;
  return bench_rng * 2685821657736338717ull;
}
static int bench_pct(int p) { return (int)(bench_rand() % 100) < p; }

static int bench_persons(store_conn_t *c, const secret_t *keys, long n) {
  int initial = 0;
  int rc = store_import_begin(c, &initial);
  arena_t *a = arena_new(64 * 1024 * 1024);
  for (long i = 0; i < n && rc == BH_OK; i++) {
    if (i % 10000 == 0) arena_reset(a);
    person_t p = {.full_name = arena_printf(a, "Trần Thị Case %ld", i), .sex = "F",
                  .source = "import", .status = "unknown"};
    unsigned char key[SECRET_INDEX_BYTES];
    secret_index(keys, "bench_cases", arena_printf(a, "%ld", i), key);
    p.import_key = (const char *)arena_alloc(a, sizeof(key));
    memcpy((void *)p.import_key, key, sizeof(key));
    presence_t pr = {.category = "worker"};
    memcpy(pr.country, "MM", 3);
    store_import_row_t row;
    rc = store_import_prepare(keys, &p, &pr, a, &row);
    if (rc == BH_OK) rc = store_import_add(c, &row);
    if (rc == BH_OK && i % 50000 == 49999) rc = store_import_batch(c);
    person_clear(&p);
  }
  int end = store_import_end(c, rc == BH_OK);
  arena_free(a);
  return rc == BH_OK ? end : rc;
}

/* Finds the world of an earlier run; BH_ERR_NOT_FOUND when the database has none. */
static int bench_find(store_conn_t *c, arena_t *a, struct bench_world *w) {
  char name[64];
  for (int m = 0; m < BENCH_MISSIONS; m++) {
    snprintf(name, sizeof(name), "Bench mission %d", m);
    int rc = store_mission_find_name(c, name, &w->mission[m]);
    if (rc != BH_OK) return rc;
    for (int o = 0; o < BENCH_OFFICERS; o++) {
      user_t u;
      snprintf(name, sizeof(name), "bench-officer-%d-%d@example.org", m, o);
      rc = store_user_by_email(c, name, a, &u);
      if (rc != BH_OK) return rc;
      w->officer[m][o] = u.id;
    }
  }
  store_page_t page = {.after = 0, .limit = BENCH_CRISES};
  crisis_t *ks = NULL;
  size_t n = 0;
  int rc = store_crisis_list(c, &STORE_SCOPE_ALL, NULL, &page, a, &ks, &n);
  for (size_t i = 0; i < n; i++) {
    w->crisis[i] = ks[i].id;
    crisis_clear(&ks[i]);
  }
  return rc == BH_OK && n == BENCH_CRISES ? BH_OK : BH_ERR_NOT_FOUND;
}

static int bench_fill(store_conn_t *c, arena_t *a, struct bench_world *w, long n, long persons) {
  int rc = store_begin_write(c);
  char name[64];
  for (int m = 0; m < BENCH_MISSIONS && rc == BH_OK; m++) {
    snprintf(name, sizeof(name), "Bench mission %d", m);
    mission_t ms = {.kind = "embassy", .name = name, .city = "Bench", .country = "MM",
                    .jurisdiction = json_pack("[s]", "MM")};
    rc = store_mission_create(c, &ms);
    mission_clear(&ms);
    w->mission[m] = ms.id;
    for (int o = 0; o < BENCH_OFFICERS && rc == BH_OK; o++) {
      snprintf(name, sizeof(name), "bench-officer-%d-%d@example.org", m, o);
      user_t u = {.email = name, .name = "Bench officer", .role = ROLE_OFFICER,
                  .mission_id = w->mission[m]};
      rc = store_user_create(c, &u);
      w->officer[m][o] = u.id;
    }
  }
  for (int k = 0; k < BENCH_CRISES && rc == BH_OK; k++) {
    crisis_t cr = {.name = arena_printf(a, "Bench crisis %d", k), .kind = "unrest",
                   .countries = json_pack("[s]", "MM"), .regions = json_array(),
                   .lead_mission_id = w->mission[k % BENCH_MISSIONS]};
    rc = store_crisis_create(c, &cr);
    w->crisis[k] = cr.id;
    crisis_clear(&cr);
  }
  if (rc == BH_OK) rc = store_commit(c);
  int64_t now = clock_now();
  for (long i = 0; i < n && rc == BH_OK; i++) {
    if (i % BENCH_BATCH == 0) {
      arena_reset(a);
      rc = store_begin_write(c);
      if (rc != BH_OK) break;
    }
    int m = bench_pct(40) ? 0 : 1 + (int)(bench_rand() % (BENCH_MISSIONS - 1));
    case_t k = {.type = (int)(bench_rand() % CASE_TYPE_COUNT),
                .priority_override = bench_pct(5) ? (int)(bench_rand() % CASE_PRIORITY_COUNT) : -1,
                .channel = case_channels[bench_rand() % 5],
                .mission_id = w->mission[m],
                .crisis_id = bench_pct(50) ? w->crisis[bench_rand() % BENCH_CRISES] : 0,
                .assigned_to = bench_pct(70) ? w->officer[m][bench_rand() % BENCH_OFFICERS] : 0,
                .summary = "Bench case",
                .opened_at = now - (int64_t)(bench_rand() % (60 * 86400))};
    k.status = bench_pct(40) ? (int)(bench_rand() % 3) : CASE_RESOLVED + (int)(bench_rand() % 2);
    k.priority_computed = case_priority_compute(k.type, NULL, 0);
    k.priority = k.priority_override >= 0 ? k.priority_override : k.priority_computed;
    k.due_at = case_due_default(k.priority, k.opened_at);
    k.updated_at = k.opened_at;
    if (k.status == CASE_RESOLVED) k.resolved_at = k.opened_at + 3600;
    if (k.status == CASE_CLOSED) k.resolved_at = k.closed_at = k.opened_at + 7200;
    rc = store_case_create(c, &k);
    if (rc == BH_OK && persons > 0) {
      rc = store_case_person_add(c, k.id, 1 + (int64_t)(bench_rand() % (uint64_t)persons), 0,
                                 k.opened_at);
    }
    case_event_t e = {.case_id = k.id, .at = k.opened_at, .kind = "created",
                      .detail = "{\"channel\":\"hotline\"}"};
    if (rc == BH_OK) rc = store_case_event_add(c, &e);
    if (rc == BH_OK && (i % BENCH_BATCH == BENCH_BATCH - 1 || i == n - 1)) rc = store_commit(c);
  }
  if (rc != BH_OK) store_rollback(c);
  return rc;
}

static int bench_cmp(const void *x, const void *y) {
  int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;
  return a < b ? -1 : a > b;
}

/* Walks up to BENCH_PAGES pages of the queue samples times; prints p50, p99, worst. */
static void bench_queue(store_conn_t *c, arena_t *a, const char *name, const store_scope_t *scope,
                        const case_filter_t *f, int samples) {
  int64_t *us = malloc(sizeof(*us) * (size_t)samples * BENCH_PAGES);
  size_t k = 0, items = 0;
  for (int s = 0; s < samples; s++) {
    store_page_t page = {.after = 0, .limit = BENCH_PAGE};
    for (int p = 0; p < BENCH_PAGES; p++) {
      arena_reset(a);
      case_t *out = NULL;
      size_t n = 0;
      int64_t t0 = clock_mono_us();
      int rc = store_case_list(c, scope, f, &page, a, &out, &n);
      us[k++] = clock_mono_us() - t0;
      if (rc != BH_OK) {
        fprintf(stderr, "bench_cases: %s: %s\n", name, bh_err_str(rc));
        free(us);
        return;
      }
      items += n;
      if (n < (size_t)page.limit) break;
      page.after = out[n - 1].id;
    }
  }
  qsort(us, k, sizeof(*us), bench_cmp);
  printf("| %-22s | %6zu | %8.2f | %8.2f | %8.2f | %7.1f |\n", name, k, us[k / 2] / 1000.0,
         us[(k * 99) / 100] / 1000.0, us[k - 1] / 1000.0, (double)items / (double)k);
  free(us);
}

int main(int argc, char **argv) {
  if (argc < 3 || argc > 5) {
    fprintf(stderr, "usage: bench_cases DB N_CASES [PERSONS] [SAMPLES]\n");
    return 2;
  }
  long n = strtol(argv[2], NULL, 10);
  long persons = argc > 3 ? strtol(argv[3], NULL, 10) : 0;
  int samples = argc > 4 ? (int)strtol(argv[4], NULL, 10) : 200;
  if (n < 1 || persons < 0 || samples < 1) {
    fprintf(stderr, "bench_cases: N_CASES and SAMPLES must be positive\n");
    return 2;
  }
  secret_t keys;
  char key_path[4096];
  int pg = strncmp(argv[1], "postgres", 8) == 0;
  snprintf(key_path, sizeof(key_path), "%s.key", pg ? "bench_cases" : argv[1]);
  if (secret_init() != BH_OK || secret_load(key_path, &keys) != BH_OK) return 1;
  store_t *s = NULL;
  if (store_open(argv[1], &keys, STORE_SYNC_NORMAL, &s) != BH_OK) return 1;
  store_conn_t *c = store_conn(s);
  arena_t *a = arena_new(16 * 1024 * 1024);
  struct bench_world w;
  memset(&w, 0, sizeof(w));
  int rc = bench_find(c, a, &w);
  if (rc == BH_ERR_NOT_FOUND) {
    int64_t t0 = clock_mono_us();
    rc = persons > 0 ? bench_persons(c, &keys, persons) : BH_OK;
    if (rc == BH_OK) {
      printf("registry: %ld persons loaded in %.1f s\n", persons, (clock_mono_us() - t0) / 1e6);
      t0 = clock_mono_us();
      rc = bench_fill(c, a, &w, n, persons);
      printf("cases: %ld cases (with their events) stored in %.1f s\n", n,
             (clock_mono_us() - t0) / 1e6);
    }
  } else if (rc == BH_OK) {
    printf("reusing the cases of an earlier run in %s\n", argv[1]);
  }
  if (rc != BH_OK) {
    fprintf(stderr, "bench_cases: setup failed: %s\n", bh_err_str(rc));
    return 1;
  }
  store_scope_t officer = {.all = 0, .mission_id = w.mission[0]};
  case_filter_t open = {.rank_from = CASE_RANK_OPEN_FIRST, .rank_to = CASE_RANK_OPEN_LAST,
                        .due_before = INT64_MAX};
  case_filter_t f;
  printf("\n%d samples of up to %d pages of %d, store calls only (ms)\n\n", samples, BENCH_PAGES,
         BENCH_PAGE);
  printf("| queue                  |  pages |      p50 |      p99 |    worst | items/p |\n");
  printf("|---|---:|---:|---:|---:|---:|\n");
  f = open;
  f.mission_id = w.mission[0];
  bench_queue(c, a, "officer mission", &officer, &f, samples);
  f = open;
  f.assigned_to = w.officer[0][0];
  bench_queue(c, a, "officer mine", &officer, &f, samples);
  f = open;
  f.due_before = clock_now();
  bench_queue(c, a, "officer overdue", &officer, &f, samples);
  f = open;
  bench_queue(c, a, "hq all open", &STORE_SCOPE_ALL, &f, samples);
  f = open;
  f.crisis_id = w.crisis[0];
  bench_queue(c, a, "hq crisis", &STORE_SCOPE_ALL, &f, samples);
  f = open;
  f.rank_to = CASE_RANK_LAST;
  f.type = "death";
  bench_queue(c, a, "hq status=all type=death", &STORE_SCOPE_ALL, &f, samples);
  case_counts_t counts;
  int64_t t0 = clock_mono_us();
  rc = store_case_counts(c, w.crisis[0], clock_now() - 86400, &counts);
  printf("\nsitrep figures of one crisis (%lld cases, %lld closed, %lld opened in the last day)"
         " read in %.2f ms\n",
         (long long)counts.total.opened, (long long)counts.total.closed,
         (long long)counts.total.opened_since, (clock_mono_us() - t0) / 1000.0);
  arena_free(a);
  store_close(s);
  return rc == BH_OK ? 0 : 1;
}
