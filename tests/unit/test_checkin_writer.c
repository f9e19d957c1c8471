/*
 * test_checkin_writer.c - jobs submitted to the group-commit writer without waiting
 * (store_writer_submit, as POST /c/{token} uses it): each is told its own result once its
 * batch is committed, a failing job is rolled back alone (also when jobs run through a batch
 * function that fails), and stopping the writer still tells every job queued before the stop.
 * Runs on a temporary SQLite database.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "domain/secret.h"
#include "store/store.h"
#include "store/writer.h"
#include "util/arena.h"
#include "util/err.h"

#define CW_JOBS 200

struct cw_job {
  int fail;       /* the job writes, then fails */
  char name[32];  /* of the crisis it creates */
  int64_t id;     /* the crisis it created */
  int rc;         /* what it was told */
  int told;       /* times it was told */
  pthread_t told_on;
};

static pthread_mutex_t cw_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cw_cond = PTHREAD_COND_INITIALIZER;
static int cw_told;

static int cw_run(store_conn_t *c, void *ctx) {
  struct cw_job *j = ctx;
  crisis_t k = {.name = j->name, .kind = "unrest", .countries = json_pack("[s]", "LB"),
                .regions = json_array()};
  int rc = store_crisis_create(c, &k);
  j->id = k.id;
  crisis_clear(&k);
  if (rc != BH_OK) return rc;
  return j->fail ? BH_ERR_INVALID : BH_OK;
}

static void cw_done(void *ctx, int rc) {
  struct cw_job *j = ctx;
  pthread_mutex_lock(&cw_lock);
  j->rc = rc;
  j->told++;
  j->told_on = pthread_self();
  cw_told++;
  pthread_cond_broadcast(&cw_cond);
  pthread_mutex_unlock(&cw_lock);
}

static store_t *cw_open(char *path) {
  int fd = mkstemp(path);
  assert_true(fd >= 0);
  close(fd);
  unlink(path);
  unsigned char master[SECRET_KEY_BYTES] = {7};
  secret_t keys;
  secret_init();
  secret_from_master(master, &keys);
  store_t *s = NULL;
  assert_int_equal(store_open(path, &keys, STORE_SYNC_NORMAL, &s), BH_OK);
  return s;
}

static void cw_remove(const char *path) {
  const char *suffixes[] = {"", "-wal", "-shm", "-audit", "-audit-wal", "-audit-shm"};
  char p[256];
  for (size_t i = 0; i < sizeof(suffixes) / sizeof(*suffixes); i++) {
    snprintf(p, sizeof(p), "%s%s", path, suffixes[i]);
    unlink(p);
  }
}

/* Submits CW_JOBS jobs to w (through batch when not NULL), job i failing when i % 11 == bad,
 * named prefix and i, then waits until every one has been told its result. */
static void cw_submit_all(store_writer_t *w, struct cw_job *jobs, const char *prefix, int bad,
                          writer_batch_fn batch) {
  memset(jobs, 0, CW_JOBS * sizeof(*jobs));
  cw_told = 0;
  for (int i = 0; i < CW_JOBS; i++) {
    jobs[i].fail = i % 11 == bad;
    snprintf(jobs[i].name, sizeof(jobs[i].name), "%s %d", prefix, i);
    int rc = batch ? store_writer_submit_batch(w, cw_run, batch, &jobs[i], cw_done)
                   : store_writer_submit(w, cw_run, &jobs[i], cw_done);
    assert_int_equal(rc, BH_OK);
  }
  pthread_mutex_lock(&cw_lock);
  while (cw_told < CW_JOBS) pthread_cond_wait(&cw_cond, &cw_lock);
  pthread_mutex_unlock(&cw_lock);
}

static void submitted_jobs_are_told_their_own_result_and_a_failure_is_rolled_back_alone(
    void **state) {
  (void)state;
  char path[] = "/tmp/baoho-test-writer-XXXXXX";
  store_t *s = cw_open(path);
  store_writer_t *w = NULL;
  assert_int_equal(store_writer_start(s, &w), BH_OK);
  static struct cw_job jobs[CW_JOBS];
  cw_submit_all(w, jobs, "Writer", 3, NULL);
  store_conn_t *c = store_conn(s);
  arena_t *a = arena_new(1 << 20);
  for (int i = 0; i < CW_JOBS; i++) {
    assert_int_equal(jobs[i].told, 1);
    assert_false(pthread_equal(jobs[i].told_on, pthread_self()));
    crisis_t k;
    int rc = store_crisis_get(c, &STORE_SCOPE_ALL, jobs[i].id, a, &k);
    if (jobs[i].fail) {
      /* Its crisis is gone (its id may have been taken again by a later job's crisis). */
      assert_int_equal(jobs[i].rc, BH_ERR_INVALID);
      assert_true(rc == BH_ERR_NOT_FOUND || (rc == BH_OK && strcmp(k.name, jobs[i].name) != 0));
    } else {
      assert_int_equal(jobs[i].rc, BH_OK);
      assert_int_equal(rc, BH_OK);
      assert_string_equal(k.name, jobs[i].name);
    }
    if (rc == BH_OK) crisis_clear(&k);
  }
  arena_free(a);
  store_writer_stop(w);
  store_close(s);
  cw_remove(path);
}

/* The batch function of cw_batch_jobs: runs every job with cw_run, one after the other, and
 * fails as a whole when one of them fails (after the others have written). */
static int cw_batch(store_conn_t *c, void *const *ctxs, int *rcs, size_t n) {
  int failed = 0;
  for (size_t i = 0; i < n; i++) {
    rcs[i] = cw_run(c, ctxs[i]);
    if (rcs[i] != BH_OK) failed = 1;
  }
  return failed ? BH_ERR_DB : BH_OK;
}

/*
 * Jobs submitted with one batch function (as the check-ins are): a batch of them alone runs
 * with no savepoint, so when the function fails the writer rolls the whole transaction back
 * and runs each job alone. Whatever the batches were, every good job's crisis is written once,
 * every bad job's not at all, and each job is told its own result.
 */
static void a_failed_batch_function_leaves_each_job_its_own_result(void **state) {
  (void)state;
  char path[] = "/tmp/baoho-test-writer-XXXXXX";
  store_t *s = cw_open(path);
  store_writer_t *w = NULL;
  assert_int_equal(store_writer_start(s, &w), BH_OK);
  static struct cw_job jobs[CW_JOBS];
  cw_submit_all(w, jobs, "Batch", 5, cw_batch);
  store_writer_stop(w);
  store_conn_t *c = store_conn(s);
  arena_t *a = arena_new(1 << 20);
  crisis_t *items = NULL;
  size_t n = 0;
  store_page_t page = {.limit = CW_JOBS + 1};
  crisis_filter_t f = {0};
  assert_int_equal(store_crisis_list(c, &STORE_SCOPE_ALL, &f, &page, a, &items, &n), BH_OK);
  int good = 0;
  for (int i = 0; i < CW_JOBS; i++) {
    assert_int_equal(jobs[i].told, 1);
    assert_int_equal(jobs[i].rc, jobs[i].fail ? BH_ERR_INVALID : BH_OK);
    int found = 0;
    for (size_t k = 0; k < n; k++) found += strcmp(items[k].name, jobs[i].name) == 0;
    assert_int_equal(found, jobs[i].fail ? 0 : 1);
    good += !jobs[i].fail;
  }
  assert_int_equal((int)n, good);
  for (size_t k = 0; k < n; k++) crisis_clear(&items[k]);
  arena_free(a);
  store_close(s);
  cw_remove(path);
}

static void stopping_the_writer_tells_every_job_queued_before(void **state) {
  (void)state;
  char path[] = "/tmp/baoho-test-writer-XXXXXX";
  store_t *s = cw_open(path);
  store_writer_t *w = NULL;
  assert_int_equal(store_writer_start(s, &w), BH_OK);
  static struct cw_job jobs[CW_JOBS];
  memset(jobs, 0, sizeof(jobs));
  cw_told = 0;
  for (int i = 0; i < CW_JOBS; i++) {
    snprintf(jobs[i].name, sizeof(jobs[i].name), "Writer %d", i);
    assert_int_equal(store_writer_submit(w, cw_run, &jobs[i], cw_done), BH_OK);
  }
  store_writer_stop(w); /* returns once the queue is done */
  assert_int_equal(cw_told, CW_JOBS);
  for (int i = 0; i < CW_JOBS; i++) {
    assert_int_equal(jobs[i].told, 1);
    assert_int_equal(jobs[i].rc, BH_OK);
  }
  store_close(s);
  cw_remove(path);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(
          submitted_jobs_are_told_their_own_result_and_a_failure_is_rolled_back_alone),
      cmocka_unit_test(a_failed_batch_function_leaves_each_job_its_own_result),
      cmocka_unit_test(stopping_the_writer_tells_every_job_queued_before),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
