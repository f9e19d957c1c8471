/*
 * bench_sitrep.c - how long the situation report of a crisis takes: the work behind
 * GET /api/v1/crises/{id}/sitrep (one read transaction, sitrep_gather, the JSON rendered and
 * serialised), timed call by call without HTTP in front of it.
 *
 *   bench_sitrep DB [AUDIENCE] [CASES] [SAMPLES]
 *       adds (once: a later run on the same database reuses them) AUDIENCE synthetic persons
 *       present in Thailand, a crisis on Thailand ("Bench sitrep crisis") and CASES cases of that
 *       crisis, opened over the last 30 days, 60 % of them resolved or closed; statuses of the
 *       audience spread as after a few days of a crisis (40 % unknown, 45 % safe, the rest in
 *       the other statuses). Then times SAMPLES situation reports of that crisis and prints p50,
 *       p99 and the worst, in milliseconds, with the audience and case counts it read.
 *
 * Run it on the database of bench_cases (1,000,000 persons and 100,000 cases in Myanmar) for the
 * issue's figure: a 100,000-person crisis in a registry of 1,000,000 persons and 100,000 cases.
 * Keys: DB.key beside an SQLite file (bench_cases creates it), ./bench_sitrep.key for PostgreSQL.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/case.h"
#include "sitrep/sitrep.h"
#include "store/store.h"
#include "store/store_case.h"
#include "util/clock.h"
#include "util/err.h"

#define BENCH_NAME "Bench sitrep crisis"
#define BENCH_COUNTRY "TH"

static uint64_t bench_rng = 0x2545f4914f6cdd1dull;
static uint64_t bench_rand(void) {
  bench_rng ^= bench_rng >> 12;
  bench_rng ^= bench_rng << 25;
  bench_rng ^= bench_rng >> 27;
  return bench_rng * 2685821657736338717ull;
}

/* The crisis of an earlier run, or 0. */
static int64_t bench_find(store_conn_t *c, arena_t *a) {
  crisis_filter_t f = {.open_only = 0, .country = BENCH_COUNTRY};
  store_page_t page = {.after = 0, .limit = 50};
  crisis_t *ks = NULL;
  size_t n = 0;
  int64_t id = 0;
  if (store_crisis_list(c, &STORE_SCOPE_ALL, &f, &page, a, &ks, &n) != BH_OK) return 0;
  for (size_t i = 0; i < n; i++) {
    if (id == 0 && strcmp(ks[i].name, BENCH_NAME) == 0) id = ks[i].id;
    crisis_clear(&ks[i]);
  }
  return id;
}

static const char *bench_status(void) {
  int p = (int)(bench_rand() % 100);
  if (p < 40) return "unknown";
  if (p < 85) return "safe";
  const char *rest[] = {"needs_assistance", "injured", "missing", "detained", "left_area",
                        "evacuated", "repatriated"};
  return rest[bench_rand() % 7];
}

static int bench_audience(store_conn_t *c, const secret_t *keys, long n) {
  int initial = 0;
  int rc = store_import_begin(c, &initial);
  arena_t *a = arena_new(64 * 1024 * 1024);
  const char *categories[] = {"resident", "student", "worker", "tourist"};
  for (long i = 0; i < n && rc == BH_OK; i++) {
    if (i % 10000 == 0) arena_reset(a);
    person_t p = {.full_name = arena_printf(a, "Lê Văn Sitrep %ld", i), .sex = "M",
                  .source = "import", .status = bench_status()};
    unsigned char key[SECRET_INDEX_BYTES];
    secret_index(keys, "bench_sitrep", arena_printf(a, "%ld", i), key);
    p.import_key = (const char *)arena_alloc(a, sizeof(key));
    memcpy((void *)p.import_key, key, sizeof(key));
    presence_t pr = {.category = categories[bench_rand() % 4]};
    memcpy(pr.country, BENCH_COUNTRY, 3);
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

static int bench_fill(store_conn_t *c, const secret_t *keys, arena_t *a, long audience,
                      long ncases, int64_t *crisis_id) {
  int rc = audience > 0 ? bench_audience(c, keys, audience) : BH_OK;
  crisis_t k = {.name = BENCH_NAME, .kind = "armed_conflict",
                .countries = json_pack("[s]", BENCH_COUNTRY), .regions = json_array(),
                .opened_at = clock_now() - 30 * 86400};
  mission_t ms = {.kind = "embassy", .name = "Bench sitrep mission", .city = "Bangkok",
                  .country = BENCH_COUNTRY, .jurisdiction = json_pack("[s]", BENCH_COUNTRY)};
  if (rc == BH_OK) rc = store_begin_write(c);
  if (rc == BH_OK) rc = store_mission_create(c, &ms);
  mission_clear(&ms);
  k.lead_mission_id = ms.id;
  if (rc == BH_OK) rc = store_crisis_create(c, &k);
  if (rc == BH_OK) rc = store_commit(c);
  crisis_clear(&k);
  *crisis_id = k.id;
  int64_t now = clock_now();
  for (long i = 0; i < ncases && rc == BH_OK; i++) {
    if (i % 10000 == 0) {
      arena_reset(a);
      rc = store_begin_write(c);
      if (rc != BH_OK) break;
    }
    case_t cs = {.type = (int)(bench_rand() % CASE_TYPE_COUNT), .priority_override = -1,
                 .channel = case_channels[bench_rand() % 5], .mission_id = ms.id,
                 .crisis_id = k.id, .summary = "Bench sitrep case",
                 .opened_at = now - (int64_t)(bench_rand() % (30 * 86400))};
    int p = (int)(bench_rand() % 100);
    cs.status = p < 40 ? (int)(bench_rand() % 3) : CASE_RESOLVED + (p % 2);
    cs.priority_computed = case_priority_compute(cs.type, NULL, 0);
    cs.priority = cs.priority_computed;
    cs.due_at = case_due_default(cs.priority, cs.opened_at);
    cs.updated_at = cs.opened_at;
    if (cs.status == CASE_RESOLVED) cs.resolved_at = cs.opened_at + 3600;
    if (cs.status == CASE_CLOSED) cs.resolved_at = cs.closed_at = cs.opened_at + 7200;
    rc = store_case_create(c, &cs);
    if (rc == BH_OK && (i % 10000 == 9999 || i == ncases - 1)) rc = store_commit(c);
  }
  if (rc != BH_OK) store_rollback(c);
  return rc;
}

static int bench_cmp(const void *x, const void *y) {
  int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;
  return a < b ? -1 : a > b;
}

int main(int argc, char **argv) {
  if (argc < 2 || argc > 5) {
    fprintf(stderr, "usage: bench_sitrep DB [AUDIENCE] [CASES] [SAMPLES]\n");
    return 2;
  }
  long audience = argc > 2 ? strtol(argv[2], NULL, 10) : 100000;
  long ncases = argc > 3 ? strtol(argv[3], NULL, 10) : 10000;
  int samples = argc > 4 ? (int)strtol(argv[4], NULL, 10) : 50;
  if (audience < 0 || ncases < 0 || samples < 1) {
    fprintf(stderr, "bench_sitrep: AUDIENCE and CASES must not be negative, SAMPLES positive\n");
    return 2;
  }
  secret_t keys;
  char key_path[4096];
  int pg = strncmp(argv[1], "postgres", 8) == 0;
  snprintf(key_path, sizeof(key_path), "%s.key", pg ? "bench_sitrep" : argv[1]);
  if (secret_init() != BH_OK || secret_load(key_path, &keys) != BH_OK) return 1;
  store_t *s = NULL;
  if (store_open(argv[1], &keys, STORE_SYNC_NORMAL, &s) != BH_OK) return 1;
  store_conn_t *c = store_conn(s);
  arena_t *a = arena_new(256 * 1024 * 1024);
  int64_t crisis_id = bench_find(c, a);
  int rc = BH_OK;
  if (crisis_id == 0) {
    int64_t t0 = clock_mono_us();
    rc = bench_fill(c, &keys, a, audience, ncases, &crisis_id);
    printf("added %ld persons in %s, a crisis there and %ld cases of it in %.1f s\n", audience,
           BENCH_COUNTRY, ncases, (clock_mono_us() - t0) / 1e6);
  } else {
    printf("reusing the crisis of an earlier run in %s\n", argv[1]);
  }
  if (rc != BH_OK) {
    fprintf(stderr, "bench_sitrep: setup failed: %s\n", bh_err_str(rc));
    return 1;
  }
  int64_t *us = malloc(sizeof(*us) * (size_t)samples);
  sitrep_t rep;
  size_t bytes = 0;
  for (int i = 0; i < samples && rc == BH_OK; i++) {
    arena_reset(a);
    crisis_t k;
    int64_t t0 = clock_mono_us();
    rc = store_begin(c);
    if (rc == BH_OK) rc = store_crisis_get(c, &STORE_SCOPE_ALL, crisis_id, a, &k);
    if (rc == BH_OK) {
      int64_t now = clock_now();
      rc = sitrep_gather(c, &k, now - now % 86400, now, a, &rep);
      if (rc == BH_OK) {
        json_t *j = sitrep_json(&rep, "bench", SITREP_VI);
        char *text = json_dumps(j, JSON_COMPACT);
        bytes = text ? strlen(text) : 0;
        free(text);
        json_decref(j);
      }
      crisis_clear(&k);
    }
    store_rollback(c);
    us[i] = clock_mono_us() - t0;
  }
  if (rc != BH_OK) {
    fprintf(stderr, "bench_sitrep: %s\n", bh_err_str(rc));
    free(us);
    return 1;
  }
  /* Where the time goes: each part of sitrep_gather once more, alone. */
  {
    crisis_t k;
    arena_reset(a);
    store_accountability_t acc;
    case_counts_t cc;
    int64_t t_all, t_today, t0 = clock_mono_us();
    store_begin(c);
    store_crisis_get(c, &STORE_SCOPE_ALL, crisis_id, a, &k);
    int64_t t1 = clock_mono_us();
    store_crisis_accountability(c, &k, NULL, a, &acc);
    int64_t t2 = clock_mono_us();
    store_case_counts(c, crisis_id, clock_now() - 86400, &cc);
    int64_t t3 = clock_mono_us();
    store_evac_moved_to_safety(c, crisis_id, clock_now() - 86400, &t_all, &t_today);
    int64_t t4 = clock_mono_us();
    store_rollback(c);
    crisis_clear(&k);
    printf("parts: crisis %.1f ms, accountability %.1f ms, case counts %.1f ms, moved to "
           "safety %.1f ms\n",
           (t1 - t0) / 1000.0, (t2 - t1) / 1000.0, (t3 - t2) / 1000.0, (t4 - t3) / 1000.0);
  }
  qsort(us, (size_t)samples, sizeof(*us), bench_cmp);
  printf("sitrep of a crisis with %lld persons in its area and %lld cases (%zu bytes of JSON):\n"
         "%d samples: p50 %.1f ms, p99 %.1f ms, worst %.1f ms\n",
         (long long)rep.acc.all.total, (long long)rep.cases.total.opened, bytes, samples,
         us[samples / 2] / 1000.0, us[(samples * 99) / 100] / 1000.0, us[samples - 1] / 1000.0);
  free(us);
  arena_free(a);
  store_close(s);
  return 0;
}
