/*
 * bench_checkin.c - the storage cost of durable check-ins, without HTTP: how much CPU one answer
 * costs and how many answers per second the group-commit writer records.
 *
 *   bench_checkin DB TOKENS N [THREADS]
 *       answers N check-ins (safe, need help, not in the area in turn, as bench/checkin.lua
 *       does) to the links of TOKENS (one "/c/TOKEN" a line, as `bench_alert DB N TOKENS`
 *       writes them), from THREADS threads (default 64) through the group-commit writer with
 *       synchronous=FULL, doing what POST /c/{token} does in storage: one lookup of the link,
 *       the check-in, the case of a "need help" answer (store_case_from_checkin), and the
 *       welfare status with its history when it changes.
 *
 * The jobs go through the writer as the check-in page's do: on PostgreSQL the answers of a batch
 * together (store_checkin_answers, one round trip), then the case of each "need help" answer;
 * BENCH_CLASSIC=1 runs every job alone with the statements above instead, for an A/B of the same
 * build.
 *
 * It prints answers per second and the process's CPU (user + system, getrusage) per answer. On
 * PostgreSQL it also prints the CPU of the server's backends serving this database (utime +
 * stime of their /proc/PID/stat around the run, so only for a server on this machine) per
 * answer: the client is a small part of the work there.
 * Run it twice on the same database to see answers given again
 * (nothing but the check-in changes then). Keep the machine otherwise idle, or compare runs
 * made back to back.
 */
#include <libpq-fe.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "alert/alert.h"
#include "store/store.h"
#include "store/store_alert.h"
#include "store/store_case.h"
#include "store/store_checkin_batch.h"
#include "store/writer.h"
#include "util/clock.h"
#include "util/err.h"

#define BENCH_THREADS_MAX 256
#define BENCH_LINE_MAX 128

static const char *const bench_answers[] = {"safe", "need_help", "not_in_area"};

struct bench_job {
  const unsigned char *hash;
  const char *answer;
  arena_t *arena;
  checkin_target_t t;
  checkin_t k;
};

/* The storage work of POST /c/{token} (api_checkin.c, answer_job_run). */
static int bench_job_run(store_conn_t *c, void *vctx) {
  struct bench_job *j = vctx;
  int rc = store_checkin_target(c, j->hash, j->arena, &j->t);
  if (rc != BH_OK) return rc;
  if (j->t.crisis_closed_at != 0) return BH_ERR_CONFLICT;
  j->k = (checkin_t){.target = &j->t, .answer = j->answer, .message = "bench",
                     .source = "web", .at = clock_now()};
  rc = store_checkin_record(c, &j->k);
  if (rc != BH_OK) return rc;
  if (strcmp(j->answer, "need_help") == 0) {
    rc = store_case_from_checkin(c, j->t.crisis_id, j->t.person_id, j->t.alert_id, "bench",
                                 NULL, j->k.at, NULL, NULL);
    if (rc != BH_OK) return rc;
  }
  const char *status = alert_answer_status(j->answer);
  if (j->t.person_status != NULL && strcmp(j->t.person_status, status) == 0) return BH_OK;
  status_event_t ev = {.person_id = j->t.person_id, .status = status, .at = j->k.at,
                       .source = "check_in", .note = "bench"};
  return store_status_set(c, &STORE_SCOPE_ALL, &ev);
}

/* The jobs of a writer batch together, as api_checkin.c's answers_batch_run runs them. */
static int bench_batch_run(store_conn_t *c, void *const *ctxs, int *rcs, size_t n) {
  checkin_answer_t *items = calloc(n, sizeof(*items));
  if (items == NULL) return BH_ERR_NOMEM;
  for (size_t i = 0; i < n; i++) {
    const struct bench_job *j = ctxs[i];
    items[i] = (checkin_answer_t){.token_hash = j->hash, .answer = j->answer,
                                  .message = "bench", .source = "web"};
  }
  int rc = store_checkin_answers(c, items, n, clock_now());
  for (size_t i = 0; i < n && rc == BH_OK; i++) rcs[i] = items[i].rc;
  free(items);
  return rc;
}

static int bench_classic;

struct bench_shared {
  store_writer_t *w;
  unsigned char (*hashes)[SECRET_TOKEN_HASH_BYTES];
  long ntokens;
  long n;
  pthread_mutex_t mu;
  long next; /* the next answer to give */
  long failed;
};

static void *bench_thread(void *arg) {
  struct bench_shared *s = arg;
  arena_t *a = arena_new(64 * 1024);
  for (;;) {
    pthread_mutex_lock(&s->mu);
    long i = s->next < s->n ? s->next++ : -1;
    pthread_mutex_unlock(&s->mu);
    if (i < 0) break;
    arena_reset(a);
    long t = i % s->ntokens;
    struct bench_job j = {.hash = s->hashes[t], .answer = bench_answers[t % 3], .arena = a};
    if (store_writer_run_batch(s->w, bench_job_run, bench_classic ? NULL : bench_batch_run, &j) !=
        BH_OK) {
      pthread_mutex_lock(&s->mu);
      s->failed++;
      pthread_mutex_unlock(&s->mu);
    }
  }
  arena_free(a);
  return NULL;
}

static double bench_cpu_s(void) {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
         ru.ru_stime.tv_usec / 1e6;
}

/*
 * CPU seconds (user + system) of the backends of the PostgreSQL server at url that serve its
 * database, other than the asking session; -1 when they cannot be read (a remote server).
 */
static double bench_pg_cpu_s(const char *url) {
  PGconn *db = PQconnectdb(url);
  PGresult *res = PQexec(db, "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
                             " AND pid <> pg_backend_pid()");
  double sum = PQresultStatus(res) == PGRES_TUPLES_OK ? 0 : -1;
  long tick = sysconf(_SC_CLK_TCK);
  for (int i = 0; sum >= 0 && i < PQntuples(res); i++) {
    char path[64], line[1024];
    snprintf(path, sizeof(path), "/proc/%s/stat", PQgetvalue(res, i, 0));
    FILE *f = fopen(path, "r");
    if (f == NULL) {
      sum = -1;
      break;
    }
    size_t n = fread(line, 1, sizeof(line) - 1, f);
    fclose(f);
    line[n] = '\0';
    /* Fields 14 and 15, counted after the command name in parentheses. */
    const char *p = strrchr(line, ')');
    unsigned long long ut = 0, st = 0;
    if (p == NULL || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut,
                            &st) != 2) {
      sum = -1;
      break;
    }
    sum += (double)(ut + st) / (double)tick;
  }
  PQclear(res);
  PQfinish(db);
  return sum;
}

int main(int argc, char **argv) {
  if (argc != 4 && argc != 5) {
    fprintf(stderr, "usage: bench_checkin DB TOKENS N [THREADS]\n");
    return 2;
  }
  long n = strtol(argv[3], NULL, 10);
  bench_classic = getenv("BENCH_CLASSIC") != NULL;
  int threads = argc == 5 ? (int)strtol(argv[4], NULL, 10) : 64;
  if (n <= 0 || threads <= 0 || threads > BENCH_THREADS_MAX) {
    fprintf(stderr, "bench_checkin: N > 0 and 1 <= THREADS <= %d\n", BENCH_THREADS_MAX);
    return 2;
  }
  FILE *f = fopen(argv[2], "r");
  if (f == NULL) {
    perror(argv[2]);
    return 1;
  }
  struct bench_shared s = {.n = n};
  pthread_mutex_init(&s.mu, NULL);
  long cap = 1024;
  s.hashes = malloc(sizeof(*s.hashes) * (size_t)cap);
  char line[BENCH_LINE_MAX];
  while (s.hashes != NULL && fgets(line, sizeof(line), f) != NULL) {
    line[strcspn(line, "\r\n")] = '\0';
    const char *token = strncmp(line, "/c/", 3) == 0 ? line + 3 : line;
    if (!alert_token_well_formed(token)) continue;
    if (s.ntokens == cap) {
      cap *= 2;
      void *bigger = realloc(s.hashes, sizeof(*s.hashes) * (size_t)cap);
      if (bigger == NULL) break;
      s.hashes = bigger;
    }
    secret_token_hash(token, s.hashes[s.ntokens++]);
  }
  fclose(f);
  if (s.hashes == NULL || s.ntokens == 0) {
    fprintf(stderr, "bench_checkin: no token in %s\n", argv[2]);
    return 1;
  }
  char key_path[4096];
  int pg = strncmp(argv[1], "postgres", 8) == 0;
  snprintf(key_path, sizeof(key_path), "%s.key", pg ? "bench_alert" : argv[1]);
  secret_t keys;
  store_t *store = NULL;
  if (secret_init() != BH_OK || secret_load(key_path, &keys) != BH_OK ||
      store_open(argv[1], &keys, STORE_SYNC_FULL, &store) != BH_OK ||
      store_writer_start(store, &s.w) != BH_OK) {
    fprintf(stderr, "bench_checkin: cannot open %s\n", argv[1]);
    return 1;
  }
  /* The writer threads open their connections before the clock starts. */
  if (pg) nanosleep(&(struct timespec){.tv_nsec = 300 * 1000 * 1000}, NULL);
  pthread_t th[BENCH_THREADS_MAX];
  double pg0 = pg ? bench_pg_cpu_s(argv[1]) : -1;
  double cpu0 = bench_cpu_s();
  int64_t t0 = clock_mono_us();
  for (int i = 0; i < threads; i++) pthread_create(&th[i], NULL, bench_thread, &s);
  for (int i = 0; i < threads; i++) pthread_join(th[i], NULL);
  double secs = (clock_mono_us() - t0) / 1e6, cpu = bench_cpu_s() - cpu0;
  double pg1 = pg0 >= 0 ? bench_pg_cpu_s(argv[1]) : -1;
  printf("BENCH checkin_store answers=%ld threads=%d failed=%ld seconds=%.2f answers_per_s=%.0f"
         " cpu_us_per_answer=%.1f",
         n, threads, s.failed, secs, n / secs, cpu * 1e6 / n);
  if (pg0 >= 0 && pg1 >= 0) printf(" server_cpu_us_per_answer=%.1f", (pg1 - pg0) * 1e6 / n);
  printf("\n");
  store_writer_stop(s.w);
  store_close(store);
  free(s.hashes);
  return s.failed == 0 ? 0 : 1;
}
