/*
 * writer.h - group commit: small write jobs from many threads committed together.
 *
 * A writer owns one thread (on PostgreSQL, WRITER_THREADS_MAX threads taking batches from the
 * same queue) and each thread's database connection. store_writer_run hands it a
 * job and blocks until the job's effects are durably committed (or refused);
 * store_writer_submit queues a job and has the writer call back once it is (for requests
 * suspended meanwhile, so that no thread is blocked per job). A thread runs
 * every job waiting at that moment inside one transaction, each job inside its own savepoint so
 * that a failing job is rolled back alone, and commits once: with synchronous=FULL one fsync
 * serves the whole batch. Use it for small, frequent writes that must be durable before the
 * reply (audit records of reads, check-ins).
 *
 * An audit record a job appends (store_audit_append) is filed as the record of a read: on
 * SQLite it is committed to the audit file next to the database, not to the main file (see
 * store_sqlite_audit.c). Audit records of writes belong in the transaction of their write, on
 * the request's own connection.
 */
#ifndef BAOHO_WRITER_H
#define BAOHO_WRITER_H

#include "store/store.h"

/* Jobs committed together at most. */
#define WRITER_MAX_BATCH 512
/*
 * Writer threads on PostgreSQL (each with its own connection and batches); SQLite has one. A
 * batch of check-ins costs the server two or three round trips whatever its size, so fewer
 * threads make bigger batches and cost less per answer: two gave the highest rate and half the
 * database CPU per answer of eight (bench/README.md, "Check-ins on PostgreSQL", fourth pass).
 */
#define WRITER_THREADS_MAX 2

/* A job: runs on the writer's connection inside a savepoint; returns BH_OK or an error. */
typedef int (*writer_job_fn)(store_conn_t *c, void *ctx);

typedef struct store_writer store_writer_t;

/* Starts the writer thread on store. Returns BH_OK or BH_ERR_NOMEM / BH_ERR_DB. */
int store_writer_start(store_t *store, store_writer_t **out /* OUT */);
/* Finishes the queued jobs, stops the thread and frees the writer. Accepts NULL. */
void store_writer_stop(store_writer_t *w);
/*
 * Runs fn(conn, ctx) in the next batch and waits until that batch is committed. Returns fn's
 * result, or BH_ERR_DB when the batch's commit failed (then nothing of the job persists).
 * Thread-safe; must not be called from inside a job.
 */
int store_writer_run(store_writer_t *w, writer_job_fn fn, void *ctx);

/* Told a submitted job's result, on a writer thread, once its batch is committed or refused. */
typedef void (*writer_done_fn)(void *ctx, int rc);
/*
 * Runs fn(conn, ctx) in the next batch without waiting: done(ctx, rc) is called on the writer
 * thread afterwards with what store_writer_run would have returned. done must be quick and must
 * not block (it runs while the rest of the batch waits to be told); ctx must stay valid until
 * done is called. Returns BH_OK once the job is queued, or BH_ERR_NOMEM / BH_ERR_UNAVAILABLE
 * (the writer is stopping) without queuing it, and then done is never called. Thread-safe; must
 * not be called from inside a job.
 */
int store_writer_submit(store_writer_t *w, writer_job_fn fn, void *ctx, writer_done_fn done);

/*
 * Runs the n jobs ctxs[0..n-1] of one kind together (on PostgreSQL, where every statement is a
 * round trip, in fewer statements than the jobs one by one): either sets rcs[i] to what fn(c, ctxs[i]) would have returned and
 * leaves exactly the effects those calls, one after the other, would have left (nothing of a job
 * whose rc is an error), and returns BH_OK; or returns an error, and then the writer rolls back
 * whatever it did and runs every one of these jobs alone with fn, each in its own savepoint. So
 * a bad job never costs the others their results; it only costs the batch its speed.
 */
typedef int (*writer_batch_fn)(store_conn_t *c, void *const *ctxs, int *rcs, size_t n);
/*
 * As store_writer_submit; the jobs of a batch submitted with the same batch function run through
 * it together (in one savepoint, or in none when they are the whole batch) before the batch's
 * other jobs.
 */
int store_writer_submit_batch(store_writer_t *w, writer_job_fn fn, writer_batch_fn batch,
                              void *ctx, writer_done_fn done);
/* As store_writer_run, with the batch function of store_writer_submit_batch. */
int store_writer_run_batch(store_writer_t *w, writer_job_fn fn, writer_batch_fn batch, void *ctx);

#endif
