/* writer.c - the group-commit writer thread; see writer.h. */
#include "store/writer.h"

#include <pthread.h>
#include <stdlib.h>

#include "store/store_impl.h"
#include "store/store_sqlite.h"
#include "util/err.h"
#include "util/log.h"

struct writer_job {
  writer_job_fn fn;
  void *ctx;
  int rc;
  int done;
  pthread_cond_t cond; /* signalled when done: each waiter wakes alone, not the whole queue */
  writer_done_fn on_done; /* set for a submitted job (malloc'ed, freed by the writer) */
  writer_batch_fn batch;  /* runs this job with the others of its kind, or NULL */
  int grouped;            /* this batch ran it through batch (writer_groups) */
  struct writer_job *next;
};

struct store_writer {
  store_t *store;
  pthread_t threads[WRITER_THREADS_MAX];
  int nthreads;
  pthread_mutex_t lock;
  pthread_cond_t wake;  /* jobs queued or stop requested */
  struct writer_job *head, *tail;
  int stop;
};

/* Runs job j alone in its own savepoint. */
static void writer_one(store_conn_t *c, struct writer_job *j) {
  if (store_savepoint(c) != BH_OK) {
    j->rc = BH_ERR_DB;
    return;
  }
  j->rc = j->fn(c, j->ctx);
  if (j->rc != BH_OK) {
    store_savepoint_rollback(c);
  } else {
    store_savepoint_release(c);
  }
}

/*
 * Runs the jobs of the batch that have a batch function through it, a group per function, each
 * group in one savepoint; marks them grouped. A group whose batch function fails is rolled back
 * to its savepoint and its jobs run alone (writer_batch_fn's contract).
 */
static void writer_groups(store_conn_t *c, struct writer_job *jobs) {
  struct writer_job *group[WRITER_MAX_BATCH];
  void *ctxs[WRITER_MAX_BATCH];
  int rcs[WRITER_MAX_BATCH];
  for (struct writer_job *first = jobs; first != NULL; first = first->next) {
    if (first->batch == NULL || first->grouped) continue;
    size_t n = 0;
    for (struct writer_job *j = first; j != NULL && n < WRITER_MAX_BATCH; j = j->next) {
      if (j->batch != first->batch || j->grouped) continue;
      j->grouped = 1;
      group[n] = j;
      ctxs[n++] = j->ctx;
    }
    int rc = store_savepoint(c);
    if (rc == BH_OK) {
      rc = first->batch(c, ctxs, rcs, n);
      if (rc == BH_OK) rc = store_savepoint_release(c);
      if (rc != BH_OK) store_savepoint_rollback(c);
    }
    if (rc == BH_OK) {
      for (size_t i = 0; i < n; i++) group[i]->rc = rcs[i];
      continue;
    }
    log_warn("msg=\"batch of jobs failed: each runs alone\" jobs=%zu rc=%d", n, rc);
    for (size_t i = 0; i < n; i++) writer_one(c, group[i]);
  }
}

/*
 * Runs the batch jobs when they all share one batch function, with no savepoint: the batch is
 * the whole transaction, so rolling it back is rolling back to where a savepoint would have
 * been (on PostgreSQL a savepoint is a subtransaction, which every written row pays for).
 * Returns 1 when that function succeeded (each job's result set, the transaction still to be
 * committed); 0 when the batch is not one group (nothing ran); -1 when the function failed: the
 * transaction is then rolled back and a new one begun, in which the jobs are to run alone
 * (writer_batch_fn's contract), and *rc is BH_OK unless that new transaction could not begin.
 */
static int writer_one_group(store_conn_t *c, struct writer_job *jobs, int *rc) {
  void *ctxs[WRITER_MAX_BATCH] = {0};
  int rcs[WRITER_MAX_BATCH] = {0};
  size_t n = 0;
  for (struct writer_job *j = jobs; j != NULL; j = j->next) {
    if (j->batch == NULL || j->batch != jobs->batch) return 0;
    ctxs[n++] = j->ctx;
  }
  if (jobs->batch(c, ctxs, rcs, n) == BH_OK) {
    n = 0;
    for (struct writer_job *j = jobs; j != NULL; j = j->next) {
      j->grouped = 1;
      j->rc = rcs[n++];
    }
    return 1;
  }
  log_warn("msg=\"batch of jobs failed: each runs alone\" jobs=%zu", n);
  store_rollback(c);
  *rc = store_begin_write(c);
  return -1;
}

/*
 * Runs one batch: every job inside its savepoint (or with the others of its kind, see
 * writer_groups), one commit. A batch of one job without a batch function, or of jobs that
 * all share one batch function (writer_one_group), needs no savepoint: its failure rolls the
 * whole transaction back, which spares PostgreSQL two statements and a subtransaction.
 */
static void writer_batch(store_conn_t *c, struct writer_job *jobs) {
  int rc = store_begin_write(c);
  int group = rc == BH_OK && jobs->batch != NULL ? writer_one_group(c, jobs, &rc) : 0;
  if (group == 1) {
    /* every job ran in the group: only the commit is left */
  } else if (rc == BH_OK && jobs->next == NULL && jobs->batch == NULL) {
    jobs->rc = jobs->fn(c, jobs->ctx);
    if (jobs->rc != BH_OK) {
      store_rollback(c);
      return;
    }
  } else {
    if (rc == BH_OK && group == 0) writer_groups(c, jobs);
    for (struct writer_job *j = jobs; j != NULL; j = j->next) {
      if (rc != BH_OK) {
        j->rc = rc;
        continue;
      }
      if (!j->grouped) writer_one(c, j);
    }
  }
  if (rc == BH_OK) rc = store_commit(c);
  if (rc != BH_OK) {
    store_rollback(c);
    for (struct writer_job *j = jobs; j != NULL; j = j->next) {
      if (j->rc == BH_OK) j->rc = BH_ERR_DB;
    }
    log_error("msg=\"group commit failed\"");
  }
}

static void *writer_main(void *arg) {
  store_writer_t *w = arg;
  store_conn_t *c = store_conn(w->store);
  /* Audit records appended by jobs are records of reads: on SQLite they go to the audit file,
   * whose commits leave the main file's page caches valid (see store_sqlite_audit.c). */
  if (c != NULL && c->sq != NULL) sq_conn_audit_reads(c->sq, 1);
  pthread_mutex_lock(&w->lock);
  for (;;) {
    while (w->head == NULL && !w->stop) pthread_cond_wait(&w->wake, &w->lock);
    if (w->head == NULL && w->stop) break;
    /* Take up to WRITER_MAX_BATCH jobs off the queue. */
    struct writer_job *batch = w->head, *last = w->head;
    int n = 1;
    while (last->next != NULL && n < WRITER_MAX_BATCH) {
      last = last->next;
      n++;
    }
    w->head = last->next;
    if (w->head == NULL) w->tail = NULL;
    last->next = NULL;
    pthread_mutex_unlock(&w->lock);
    if (c != NULL) {
      writer_batch(c, batch);
    } else {
      for (struct writer_job *j = batch; j; j = j->next) j->rc = BH_ERR_DB;
    }
    /* Waiting jobs are set apart; submitted jobs are told at once, without the lock (their
     * callbacks wake event loops), and freed. */
    struct writer_job *waiting = NULL, **tail = &waiting;
    for (struct writer_job *j = batch, *next; j != NULL; j = next) {
      next = j->next;
      if (j->on_done == NULL) {
        *tail = j;
        tail = &j->next;
        continue;
      }
      j->on_done(j->ctx, j->rc);
      free(j);
    }
    *tail = NULL;
    pthread_mutex_lock(&w->lock);
    for (struct writer_job *j = waiting, *next; j != NULL; j = next) {
      next = j->next;
      j->done = 1; /* j belongs to its waiter once the lock is released */
      pthread_cond_signal(&j->cond);
    }
  }
  pthread_mutex_unlock(&w->lock);
  return NULL;
}

int store_writer_start(store_t *store, store_writer_t **out) {
  store_writer_t *w = calloc(1, sizeof(*w));
  if (w == NULL) return BH_ERR_NOMEM;
  w->store = store;
  pthread_mutex_init(&w->lock, NULL);
  pthread_cond_init(&w->wake, NULL);
  /* SQLite has one writer at a time: one thread. A PostgreSQL server commits many transactions
   * at once and shares their WAL flushes, so a second writer thread keeps one batch's round trips
   * from waiting for the other's (WRITER_THREADS_MAX says why not more). */
  store_conn_t *c = store_conn(store);
  int want = c != NULL && c->pg != NULL ? WRITER_THREADS_MAX : 1;
  for (int i = 0; i < want; i++) {
    if (pthread_create(&w->threads[i], NULL, writer_main, w) != 0) break;
    w->nthreads++;
  }
  if (w->nthreads == 0) {
    pthread_cond_destroy(&w->wake);
    pthread_mutex_destroy(&w->lock);
    free(w);
    return BH_ERR_NOMEM;
  }
  *out = w;
  return BH_OK;
}

void store_writer_stop(store_writer_t *w) {
  if (w == NULL) return;
  pthread_mutex_lock(&w->lock);
  w->stop = 1;
  pthread_cond_broadcast(&w->wake);
  pthread_mutex_unlock(&w->lock);
  for (int i = 0; i < w->nthreads; i++) pthread_join(w->threads[i], NULL);
  pthread_cond_destroy(&w->wake);
  pthread_mutex_destroy(&w->lock);
  free(w);
}

int store_writer_run(store_writer_t *w, writer_job_fn fn, void *ctx) {
  return store_writer_run_batch(w, fn, NULL, ctx);
}

int store_writer_run_batch(store_writer_t *w, writer_job_fn fn, writer_batch_fn batch, void *ctx) {
  struct writer_job job = {.fn = fn, .ctx = ctx, .batch = batch};
  pthread_cond_init(&job.cond, NULL);
  pthread_mutex_lock(&w->lock);
  if (w->tail) {
    w->tail->next = &job;
  } else {
    w->head = &job;
  }
  w->tail = &job;
  pthread_cond_signal(&w->wake);
  while (!job.done) pthread_cond_wait(&job.cond, &w->lock);
  pthread_mutex_unlock(&w->lock);
  pthread_cond_destroy(&job.cond);
  return job.rc;
}

int store_writer_submit(store_writer_t *w, writer_job_fn fn, void *ctx, writer_done_fn done) {
  return store_writer_submit_batch(w, fn, NULL, ctx, done);
}

int store_writer_submit_batch(store_writer_t *w, writer_job_fn fn, writer_batch_fn batch,
                              void *ctx, writer_done_fn done) {
  struct writer_job *job = calloc(1, sizeof(*job));
  if (job == NULL) return BH_ERR_NOMEM;
  job->fn = fn;
  job->batch = batch;
  job->ctx = ctx;
  job->on_done = done;
  pthread_mutex_lock(&w->lock);
  if (w->stop) {
    pthread_mutex_unlock(&w->lock);
    free(job);
    return BH_ERR_UNAVAILABLE;
  }
  if (w->tail) {
    w->tail->next = job;
  } else {
    w->head = job;
  }
  w->tail = job;
  pthread_cond_signal(&w->wake);
  pthread_mutex_unlock(&w->lock);
  return BH_OK;
}
