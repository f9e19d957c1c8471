/*
 * bench_match_pg.c - the matching engine against PostgreSQL's pg_trgm on the same list, side by side.
 *
 * The tool a ministry would reach for instead of baoho's engine is a trigram similarity search in
 * PostgreSQL (the pg_trgm extension of postgresql-contrib). This program generates the registry
 * of bench_match (gen_person, seed S, N persons) and its police list (gen_list_query, Q rows, the
 * same truth), then in one run:
 *   - builds the engine's index and matches the list (2 threads, and 1 thread for a fair speed
 *     comparison with one PostgreSQL connection);
 *   - creates a scratch database DB in the PostgreSQL cluster at URL, loads the same persons with
 *     COPY (name folded by name_fold, the engine's own normaliser, so that pg_trgm is not
 *     handicapped by diacritics or case), builds a GiST trigram index, and runs two queries per
 *     row on one connection, both nearest-neighbour searches on trigram distance (name <-> $q,
 *     the form the pg_trgm manual gives for "the most similar"; a `name % $q` filter ordered by
 *     similarity reads a third of the table for a name with "nguyen" and takes seconds):
 *       "name"    : ORDER BY name <-> $q LIMIT 5;
 *       "name+dob": when the row gives a date or an age, only persons born in a year it allows,
 *                   the 50 nearest names, ordered by the same full date first, then sex, then
 *                   distance: the SQL an analyst would write on top of it;
 *   - drops the database (unless --keep).
 * It prints for each method top-1 accuracy, recall of the true person among the 5 returned
 * (pg_trgm) or the candidates scored (engine), the "strong" figures (engine: its band; pg_trgm:
 * an exact folded-name hit, distance 0, as the nearest thing it has to a confident answer),
 * and the time to build and to answer the list.
 *
 * usage: bench_match_pg [--n N] [--queries Q] [--seed S] [--url URL] [--db NAME] [--keep]
 * defaults: N 200000, Q 1000, seed 2, URL postgresql://postgres@127.0.0.1:55433/postgres,
 * DB matchcore_bench. The database DB is dropped first if it exists: never point it at data
 * you want to keep.
 */
#include <inttypes.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/name.h"
#include "gen/gen.h"
#include "match/match_run.h"
#include "util/clock.h"
#include "util/err.h"

/* How many rows pg_trgm returns per query (the engine's default top_k), as a number and as SQL. */
#define PGB_TOP 5
#define PGB_TOP_SQL "5"
/* The COPY buffer is flushed past this many bytes. */
#define PGB_COPY_CHUNK (1u << 20)

static double pgb_now(void) { return (double)clock_mono_us() / 1e6; }

static uint64_t pgb_arg(const char *s) {
  char *end;
  unsigned long long v = strtoull(s, &end, 10);
  if (*end != '\0') {
    fprintf(stderr, "bench_match_pg: not a number: %s\n", s);
    exit(2);
  }
  return (uint64_t)v;
}

/* Text fields of one generated person or query, kept alive for match_input_t. */
typedef struct {
  char dob[16];
  char sex[2];
} pgb_text_t;

static void pgb_person_input(const gen_person_t *p, pgb_text_t *t, match_input_t *in) {
  memset(in, 0, sizeof *in);
  gen_date_str(&p->dob, t->dob, sizeof t->dob);
  t->sex[0] = p->sex;
  t->sex[1] = '\0';
  in->id = p->external_id;
  in->full_name = p->full_name;
  in->order = MATCH_ORDER_FAMILY_FIRST;
  in->date_of_birth = t->dob;
  in->age = -1;
  in->sex = t->sex;
  in->id_number[0] = p->national_id;
  in->id_number[1] = p->passport;
  in->province = p->home_province;
}

static void pgb_query_input(const gen_noisy_t *q, pgb_text_t *t, match_input_t *in) {
  memset(in, 0, sizeof *in);
  gen_date_str(&q->dob, t->dob, sizeof t->dob);
  t->sex[0] = q->sex;
  t->sex[1] = '\0';
  in->full_name = q->full_name;
  in->date_of_birth = t->dob;
  in->age = q->age;
  in->sex = t->sex;
  in->id_number[0] = q->id_number;
  in->province = q->province;
}

/* The folded name (name_fold) of s into out, "" when it cannot be folded. */
static void pgb_fold(const char *s, char *out, size_t cap) {
  if (name_fold(s, strlen(s), out, cap, NULL) != BH_OK) out[0] = '\0';
}

/* Runs sql; returns 0 when it succeeded, else prints the error and returns -1. */
static int pgb_exec(PGconn *db, const char *sql) {
  PGresult *r = PQexec(db, sql);
  ExecStatusType st = PQresultStatus(r);
  int ok = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
  if (!ok) fprintf(stderr, "bench_match_pg: %s: %s", sql, PQerrorMessage(db));
  PQclear(r);
  return ok ? 0 : -1;
}

/* Notices ("database does not exist, skipping") are not figures: dropped. */
static void pgb_quiet(void *arg, const char *msg) {
  (void)arg;
  (void)msg;
}

/* Connects to the cluster at url, to database dbname when not NULL. */
static PGconn *pgb_connect(const char *url, const char *dbname) {
  const char *keys[] = {"dbname", dbname ? "dbname" : NULL, NULL};
  const char *vals[] = {url, dbname, NULL};
  PGconn *db = PQconnectdbParams(keys, vals, 1);
  PQsetNoticeProcessor(db, pgb_quiet, NULL);
  if (PQstatus(db) != CONNECTION_OK) {
    fprintf(stderr, "bench_match_pg: cannot connect to %s%s%s: %s", url, dbname ? " database " : "",
            dbname ? dbname : "", PQerrorMessage(db));
    PQfinish(db);
    return NULL;
  }
  return db;
}

/* Figures of one method over the list. */
typedef struct {
  const char *name;
  size_t top1, found, strong, strong_ok, out_strong;
  double build_s, query_s;
} pgb_fig_t;

static void pgb_print(const pgb_fig_t *f, size_t in_total, size_t out_total) {
  printf("| %-24s | %6.2f%% | %6.2f%% | %6zu | %6.2f%% | %6.2f%% | %8.2f s | %8.3f s |\n", f->name,
         100.0 * (double)f->top1 / (double)(in_total ? in_total : 1),
         100.0 * (double)f->found / (double)(in_total ? in_total : 1), f->strong,
         100.0 * (double)f->strong_ok / (double)(f->strong ? f->strong : 1),
         100.0 * (double)f->out_strong / (double)(out_total ? out_total : 1), f->build_s,
         f->query_s);
}

int main(int argc, char **argv) {
  uint64_t n = 200000, nq = 1000, seed = 2;
  const char *url = "postgresql://postgres@127.0.0.1:55433/postgres";
  const char *dbname = "matchcore_bench";
  int keep = 0;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--n") && i + 1 < argc) n = pgb_arg(argv[++i]);
    else if (!strcmp(argv[i], "--queries") && i + 1 < argc) nq = pgb_arg(argv[++i]);
    else if (!strcmp(argv[i], "--seed") && i + 1 < argc) seed = pgb_arg(argv[++i]);
    else if (!strcmp(argv[i], "--url") && i + 1 < argc) url = argv[++i];
    else if (!strcmp(argv[i], "--db") && i + 1 < argc) dbname = argv[++i];
    else if (!strcmp(argv[i], "--keep")) keep = 1;
    else {
      fprintf(stderr, "usage: bench_match_pg [--n N] [--queries Q] [--seed S] [--url URL] "
                      "[--db NAME] [--keep]\n");
      return 2;
    }
  }
  if (n == 0 || nq == 0 || n > MATCH_INDEX_MAX_RECORDS) {
    fprintf(stderr, "bench_match_pg: --n and --queries must be positive\n");
    return 2;
  }
  for (const char *p = dbname; *p; p++)
    if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_')) {
      fprintf(stderr, "bench_match_pg: --db must be lowercase letters, digits and _\n");
      return 2;
    }

  gen_t g;
  gen_init(&g, seed);
  printf("registry: %" PRIu64 " generated persons, seed %" PRIu64 "; list: %" PRIu64 " queries\n", n,
         seed, nq);

  /* The list and its truth. */
  int64_t *truth = malloc(nq * sizeof *truth);
  gen_noisy_t *noisy = malloc(nq * sizeof *noisy);
  pgb_text_t *qt = malloc(nq * sizeof *qt);
  match_input_t *qin = malloc(nq * sizeof *qin);
  match_query_t *q = calloc(nq, sizeof *q);
  match_result_t *res = calloc(nq, sizeof *res);
  if (!truth || !noisy || !qt || !qin || !q || !res) return 1;
  size_t in_total = 0, out_total = 0;
  for (uint64_t i = 0; i < nq; i++) {
    gen_person_t src;
    int in_reg;
    gen_list_query(&g, i, n, &src, &in_reg, &noisy[i]);
    truth[i] = in_reg ? (int64_t)src.index : -1;
    pgb_query_input(&noisy[i], &qt[i], &qin[i]);
    if (in_reg) in_total++;
    else out_total++;
  }

  /* ------------------------------------------------------------ the engine */
  pgb_fig_t eng[2] = {{.name = "baoho engine, 2 threads"}, {.name = "baoho engine, 1 thread"}};
  match_index_t *idx;
  if (match_index_new(&idx) != BH_OK) return 1;
  double t0 = pgb_now();
  for (uint64_t i = 0; i < n; i++) {
    gen_person_t p;
    pgb_text_t t;
    match_input_t in;
    gen_person(&g, i, &p);
    pgb_person_input(&p, &t, &in);
    if (match_index_add(idx, &in, NULL) != BH_OK) return 1;
  }
  if (match_index_freeze(idx, 2) != BH_OK) return 1;
  eng[0].build_s = eng[1].build_s = pgb_now() - t0;
  match_cands_t cands;
  if (match_cands_init(&cands, idx) != BH_OK) return 1;
  for (int e = 0; e < 2; e++) {
    match_options_t opt;
    match_options_init(&opt);
    opt.threads = e == 0 ? 2 : 1;
    double t1 = pgb_now();
    for (uint64_t i = 0; i < nq; i++)
      if (match_query_prepare(idx, &qin[i], GEN_REF_YEAR, GEN_REF_MONTH, GEN_REF_DAY, &q[i],
                              NULL) != BH_OK)
        return 1;
    if (match_run(idx, q, nq, &opt, res) != BH_OK) return 1;
    eng[e].query_s = pgb_now() - t1;
    for (uint64_t i = 0; i < nq; i++) {
      int ok = res[i].nhit && truth[i] >= 0 && (int64_t)res[i].hit[0].cand == truth[i];
      int strong = res[i].nhit && res[i].hit[0].band == MATCH_BAND_STRONG;
      eng[e].top1 += ok;
      eng[e].strong += strong;
      eng[e].strong_ok += strong && ok;
      eng[e].out_strong += strong && truth[i] < 0;
      if (truth[i] >= 0 && e == 0) {
        match_index_block(idx, &q[i], &cands);
        for (size_t c = 0; c < cands.n; c++)
          if (cands.id[c] == (uint32_t)truth[i]) {
            eng[0].found++;
            break;
          }
      }
    }
  }
  eng[1].found = eng[0].found;
  match_cands_free(&cands);
  match_index_free(idx);

  /* ------------------------------------------------------------ PostgreSQL pg_trgm */
  pgb_fig_t pg[2] = {{.name = "pg_trgm name"}, {.name = "pg_trgm name+dob"}};
  PGconn *admin = pgb_connect(url, NULL);
  if (admin == NULL) return 1;
  char sql[512];
  snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s", dbname);
  if (pgb_exec(admin, sql)) return 1;
  snprintf(sql, sizeof sql, "CREATE DATABASE %s", dbname);
  if (pgb_exec(admin, sql)) return 1;
  PGconn *db = pgb_connect(url, dbname);
  if (db == NULL) return 1;
  int rc = 1;
  double t2 = pgb_now();
  if (pgb_exec(db, "CREATE EXTENSION pg_trgm") ||
      pgb_exec(db, "CREATE TABLE persons (rec integer PRIMARY KEY, name text NOT NULL, "
                   "dob text NOT NULL, year integer NOT NULL, sex text NOT NULL)") ||
      pgb_exec(db, "BEGIN"))
    goto out;
  {
    PGresult *r = PQexec(db, "COPY persons FROM STDIN");
    if (PQresultStatus(r) != PGRES_COPY_IN) {
      fprintf(stderr, "bench_match_pg: COPY: %s", PQerrorMessage(db));
      PQclear(r);
      goto out;
    }
    PQclear(r);
    char *buf = malloc(PGB_COPY_CHUNK + 512);
    size_t len = 0;
    if (buf == NULL) goto out;
    for (uint64_t i = 0; i < n; i++) {
      gen_person_t p;
      char folded[NAME_MAX_BYTES + 1], dob[16];
      gen_person(&g, i, &p);
      pgb_fold(p.full_name, folded, sizeof folded);
      gen_date_str(&p.dob, dob, sizeof dob);
      len += (size_t)snprintf(buf + len, 512, "%" PRIu64 "\t%s\t%s\t%d\t%c\n", i, folded, dob,
                              p.dob.year, p.sex);
      if (len >= PGB_COPY_CHUNK || i + 1 == n) {
        if (PQputCopyData(db, buf, (int)len) != 1) {
          fprintf(stderr, "bench_match_pg: COPY data: %s", PQerrorMessage(db));
          free(buf);
          goto out;
        }
        len = 0;
      }
    }
    free(buf);
    if (PQputCopyEnd(db, NULL) != 1) goto out;
    r = PQgetResult(db);
    int copy_ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    if (!copy_ok) fprintf(stderr, "bench_match_pg: COPY end: %s", PQerrorMessage(db));
    PQclear(r);
    while ((r = PQgetResult(db)) != NULL) PQclear(r);
    if (!copy_ok) goto out;
  }
  if (pgb_exec(db, "CREATE INDEX persons_name_trgm ON persons USING gist (name gist_trgm_ops)") ||
      pgb_exec(db, "COMMIT") || pgb_exec(db, "ANALYZE persons"))
    goto out;
  pg[0].build_s = pg[1].build_s = pgb_now() - t2;

  /* Column 1 is the trigram distance, 0 for the same folded name. */
  static const char *const pg_sql[2] = {
      "SELECT rec, name <-> $1 AS d FROM persons ORDER BY name <-> $1 LIMIT " PGB_TOP_SQL,
      "SELECT rec, d FROM (SELECT rec, dob, sex, name <-> $1 AS d FROM persons "
      "WHERE $3::int = 0 OR year BETWEEN $3::int - $4::int AND $3::int "
      "ORDER BY name <-> $1 LIMIT 50) c "
      "ORDER BY ($2 <> '' AND dob = $2) DESC, (sex = $5) DESC, d, rec LIMIT " PGB_TOP_SQL};
  for (int m = 0; m < 2; m++) {
    char stmt[8];
    snprintf(stmt, sizeof stmt, "q%d", m);
    PGresult *r = PQprepare(db, stmt, pg_sql[m], m == 0 ? 1 : 5, NULL);
    if (PQresultStatus(r) != PGRES_COMMAND_OK) {
      fprintf(stderr, "bench_match_pg: prepare: %s", PQerrorMessage(db));
      PQclear(r);
      goto out;
    }
    PQclear(r);
    double t3 = pgb_now();
    for (uint64_t i = 0; i < nq; i++) {
      char folded[NAME_MAX_BYTES + 1], year[8], span[4];
      pgb_fold(noisy[i].full_name, folded, sizeof folded);
      /* A full date is compared as text; a year (from a partial date, or the two an age
       * allows) as a range. */
      const char *dob = noisy[i].dob.prec == GEN_DATE_DAY ? qt[i].dob : "";
      int y = noisy[i].dob.prec ? noisy[i].dob.year
              : noisy[i].age >= 0 ? GEN_REF_YEAR - noisy[i].age
                                  : 0;
      snprintf(year, sizeof year, "%d", y);
      snprintf(span, sizeof span, "%d", noisy[i].dob.prec ? 0 : 1);
      const char *params[5] = {folded, dob, year, span, qt[i].sex};
      r = PQexecPrepared(db, stmt, m == 0 ? 1 : 5, params, NULL, NULL, 0);
      if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        fprintf(stderr, "bench_match_pg: query: %s", PQerrorMessage(db));
        PQclear(r);
        goto out;
      }
      int rows = PQntuples(r);
      int ok = 0, found = 0, strong = 0;
      for (int k = 0; k < rows && k < PGB_TOP; k++) {
        int64_t rec = strtoll(PQgetvalue(r, k, 0), NULL, 10);
        if (truth[i] >= 0 && rec == truth[i]) {
          found = 1;
          ok |= k == 0;
        }
      }
      if (rows > 0) strong = strtod(PQgetvalue(r, 0, 1), NULL) <= 0.0;
      PQclear(r);
      pg[m].top1 += ok;
      pg[m].found += found;
      pg[m].strong += strong;
      pg[m].strong_ok += strong && ok;
      pg[m].out_strong += strong && truth[i] < 0;
    }
    pg[m].query_s = pgb_now() - t3;
  }
  rc = 0;

out:
  PQfinish(db);
  if (!keep) {
    snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s", dbname);
    if (pgb_exec(admin, sql)) rc = 1;
  }
  PQfinish(admin);
  if (rc == 0) {
    printf("queries with a true match: %zu, without: %zu\n", in_total, out_total);
    printf("| %-24s | top-1   | found   | strong | precis. | false   | build      | list       |\n",
           "method");
    printf("|--------------------------|---------|---------|--------|---------|---------|------------|"
           "------------|\n");
    for (int e = 0; e < 2; e++) pgb_print(&eng[e], in_total, out_total);
    for (int m = 0; m < 2; m++) pgb_print(&pg[m], in_total, out_total);
    printf("found: the true person among the candidates scored (engine) or the %d rows returned "
           "(pg_trgm); strong: engine band strong, pg_trgm distance 0 (the same folded name); "
           "precis.: strong answers that are the true person; false: queries without a true "
           "match given a strong answer; build: index (engine: generate + normalise + block; "
           "pg_trgm: COPY + GiST trigram index); list: all %" PRIu64 " queries%s.\n",
           PGB_TOP, nq, keep ? "" : "; the database was dropped");
  }
  free(truth);
  free(noisy);
  free(qt);
  free(qin);
  free(q);
  free(res);
  return rc;
}
