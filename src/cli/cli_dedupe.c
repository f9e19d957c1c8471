/*
 * cli_dedupe.c - `baoho dedupe`: likely duplicate persons in the registry, for an officer to
 * review and merge.
 *
 * Every person of the database is read through the store into a list_index (one record per name,
 * registry/list_index.h), and the engine's own dedupe (match_dedupe: every record matched
 * against the others through the blocking index) gives the pairs of records above a probability.
 * Pairs are folded to pairs of persons (two names of one person are no duplicate; of the pairs of
 * records of two persons, the most probable stands for them), explained field by field with the
 * engine's scorer, and written best first as CSV or JSON: person_a, person_b (opaque ids, as in
 * the API), probability, band, explanation. Nothing else of a person is written. The run is
 * recorded in the audit log, since it reads the whole registry.
 */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "domain/pdate.h"
#include "formats/csv.h"
#include "registry/list_index.h"
#include "util/clock.h"
#include "util/err.h"

/* The lowest probability a pair is reported with, unless --min-probability says otherwise. */
#define DEDUPE_MIN_DEFAULT MATCH_REVIEW_MIN

static const char dedupe_usage[] =
    "usage: baoho dedupe [--db PATH] [--out FILE] [--format csv|json] [--min-probability P]\n"
    "                    [--threads N]\n"
    "Finds persons of the registry who are probably the same person registered twice, and\n"
    "writes each pair once, most probable first: person_a, person_b (opaque ids, as in the API),\n"
    "probability, band (strong, review) and an explanation per field. --min-probability is\n"
    "0..1 (default 0.20, the review band). The run is recorded in the audit log.\n";

typedef struct {
  int64_t a, b; /* a < b */
  uint32_t ra, rb; /* the records that gave the probability */
  double p;
} dedupe_pair_t;

typedef struct {
  const list_index_t *li;
  dedupe_pair_t *pairs;
  size_t n, cap;
} dedupe_ctx_t;

static int dedupe_emit(void *vctx, uint32_t i, uint32_t j, double p) {
  dedupe_ctx_t *d = vctx;
  int64_t a = list_index_person(d->li, i), b = list_index_person(d->li, j);
  if (a == b) return BH_OK; /* two names of one person */
  if (d->n == d->cap) {
    size_t cap = d->cap ? d->cap * 2 : 1024;
    dedupe_pair_t *x = realloc(d->pairs, cap * sizeof *x);
    if (x == NULL) return BH_ERR_NOMEM;
    d->pairs = x;
    d->cap = cap;
  }
  dedupe_pair_t *x = &d->pairs[d->n++];
  x->a = a < b ? a : b;
  x->b = a < b ? b : a;
  x->ra = a < b ? i : j;
  x->rb = a < b ? j : i;
  x->p = p;
  return BH_OK;
}

/* Orders pairs by persons, the most probable first within the same two persons. */
static int pair_by_persons(const void *x, const void *y) {
  const dedupe_pair_t *p = x, *q = y;
  if (p->a != q->a) return p->a < q->a ? -1 : 1;
  if (p->b != q->b) return p->b < q->b ? -1 : 1;
  return p->p > q->p ? -1 : p->p < q->p;
}

/* Orders pairs most probable first (ties by persons, so the output is stable). */
static int pair_by_probability(const void *x, const void *y) {
  const dedupe_pair_t *p = x, *q = y;
  if (p->p != q->p) return p->p > q->p ? -1 : 1;
  if (p->a != q->a) return p->a < q->a ? -1 : 1;
  return p->b < q->b ? -1 : p->b > q->b;
}

/* Parses a probability 0..1; -1 when not one. */
static double parse_probability(const char *s) {
  char *end = NULL;
  errno = 0;
  double v = strtod(s, &end);
  return end != s && *end == '\0' && errno == 0 && v >= 0 && v <= 1 ? v : -1;
}

static int write_pair(FILE *f, csv_writer_t *w, int json, size_t k, const char *a, const char *b,
                      double p, const char *band, const char *explain) {
  if (json) {
    json_t *o = json_pack("{s:s, s:s, s:f, s:s, s:s}", "person_a", a, "person_b", b,
                          "probability", p, "band", band, "explanation", explain);
    if (o == NULL) return BH_ERR_NOMEM;
    int rc = fputs(k ? ",\n  " : "[\n  ", f) == EOF ||
                     json_dumpf(o, f, JSON_COMPACT | JSON_REAL_PRECISION(6)) != 0
                 ? BH_ERR_IO
                 : BH_OK;
    json_decref(o);
    return rc;
  }
  char prob[32];
  snprintf(prob, sizeof prob, "%.4f", p);
  const char *cells[5] = {a, b, prob, band, explain};
  for (int c = 0; c < 5; c++)
    if (csv_write_field(w, cells[c], strlen(cells[c])) != BH_OK) return BH_ERR_IO;
  return csv_end_row(w);
}

int cli_dedupe(int argc, char **argv) {
  static const struct option opts[] = {
      {"db", required_argument, NULL, 'd'},     {"out", required_argument, NULL, 'o'},
      {"format", required_argument, NULL, 'f'}, {"min-probability", required_argument, NULL, 'p'},
      {"threads", required_argument, NULL, 't'}, {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0}};
  const char *db = CLI_DEFAULT_DB, *out_path = NULL, *format = "csv";
  double minp = DEDUPE_MIN_DEFAULT;
  int threads = 2, c;
  optind = 1;
  while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
    switch (c) {
    case 'd': db = optarg; break;
    case 'o': out_path = optarg; break;
    case 'f': format = optarg; break;
    case 'p': minp = parse_probability(optarg); break;
    case 't': threads = atoi(optarg); break;
    case 'h': fputs(dedupe_usage, stdout); return CLI_EXIT_OK;
    default: fputs(dedupe_usage, stderr); return CLI_EXIT_USAGE;
    }
  }
  if (optind != argc) {
    fputs(dedupe_usage, stderr);
    return CLI_EXIT_USAGE;
  }
  if (minp < 0 || threads < 1 || threads > 64 ||
      (strcmp(format, "csv") != 0 && strcmp(format, "json") != 0)) {
    fprintf(stderr, "baoho dedupe: --min-probability must be 0..1, --threads 1..64 and "
                    "--format csv or json\n");
    return CLI_EXIT_USAGE;
  }
  secret_t keys;
  store_t *store = NULL;
  list_index_t *li = NULL;
  dedupe_ctx_t d = {0};
  FILE *f = NULL;
  csv_writer_t *w = NULL;
  match_tokcache_t cache = {0};
  int json = strcmp(format, "json") == 0;
  int status = cli_open_store(db, NULL, STORE_SYNC_FULL, &keys, &store);
  if (status != CLI_EXIT_OK) return status;
  status = CLI_EXIT_FAIL;
  int64_t t0 = clock_mono_us();
  int rc = list_index_build(store_conn(store), &STORE_SCOPE_ALL, &keys, threads, &li, NULL);
  if (rc != BH_OK) {
    fprintf(stderr, "baoho dedupe: the registry cannot be read: %s\n", bh_err_str(rc));
    goto out;
  }
  char detail[64];
  snprintf(detail, sizeof detail, "{\"persons\":%zu}", list_index_persons(li));
  audit_entry_t e = {.action = "person.dedupe", .object_kind = "person", .client = "cli",
                     .detail = detail};
  if (store_audit_append(store_conn(store), &e) != BH_OK) {
    fprintf(stderr, "baoho dedupe: the audit log could not be written\n");
    goto out;
  }
  const match_index_t *idx = list_index_match(li);
  char ts[PDATE_TIMESTAMP_SIZE];
  pdate_format_timestamp(clock_now(), ts);
  int ry = atoi(ts), rm = atoi(ts + 5), rd = atoi(ts + 8);
  d.li = li;
  if (match_index_count(idx) > 1 &&
      (rc = match_dedupe(idx, minp, threads, ry, rm, rd, dedupe_emit, &d)) != BH_OK) {
    fprintf(stderr, "baoho dedupe: %s\n", bh_err_str(rc));
    goto out;
  }
  /* One pair per two persons, the most probable of their records' pairs. */
  qsort(d.pairs, d.n, sizeof *d.pairs, pair_by_persons);
  size_t m = 0;
  for (size_t i = 0; i < d.n; i++)
    if (m == 0 || d.pairs[m - 1].a != d.pairs[i].a || d.pairs[m - 1].b != d.pairs[i].b)
      d.pairs[m++] = d.pairs[i];
  d.n = m;
  qsort(d.pairs, d.n, sizeof *d.pairs, pair_by_probability);

  f = out_path ? fopen(out_path, "wb") : stdout;
  if (f == NULL) {
    fprintf(stderr, "baoho dedupe: cannot write %s: %s\n", out_path, strerror(errno));
    goto out;
  }
  if (!json) {
    csv_writer_options_t wo;
    csv_writer_options_init(&wo);
    if (csv_writer_open(f, &wo, &w) != BH_OK) goto out;
    static const char *const head[5] = {"person_a", "person_b", "probability", "band",
                                        "explanation"};
    for (int k = 0; k < 5; k++)
      if (csv_write_field(w, head[k], strlen(head[k])) != BH_OK) goto out;
    if (csv_end_row(w) != BH_OK) goto out;
  }
  if (match_tokcache_init(&cache, idx) != BH_OK) goto out;
  size_t strong = 0;
  for (size_t i = 0; i < d.n; i++) {
    match_query_t q;
    char explain[MATCH_EXPLAIN_MAX];
    match_query_from_record(idx, d.pairs[i].ra, ry, rm, rd, &q);
    match_tokcache_next(&cache);
    match_score(idx, &q, d.pairs[i].rb, &cache, explain, sizeof explain);
    char a[PUBID_LEN + 1], b[PUBID_LEN + 1];
    pubid_encode(&keys, PUBID_PERSON, d.pairs[i].a, a);
    pubid_encode(&keys, PUBID_PERSON, d.pairs[i].b, b);
    match_band_t band = match_band_of(d.pairs[i].p);
    strong += band == MATCH_BAND_STRONG;
    if (write_pair(f, w, json, i, a, b, d.pairs[i].p, match_band_name(band), explain) != BH_OK) {
      fprintf(stderr, "baoho dedupe: write error\n");
      goto out;
    }
  }
  if (json && fputs(d.n ? "\n]\n" : "[]\n", f) == EOF) goto out;
  if (fflush(f) != 0) {
    fprintf(stderr, "baoho dedupe: write error\n");
    goto out;
  }
  fprintf(stderr, "baoho dedupe: %zu persons (%u records) in %.2f s: %zu pairs, %zu strong\n",
          list_index_persons(li), match_index_count(idx), (double)(clock_mono_us() - t0) / 1e6,
          d.n, strong);
  status = CLI_EXIT_OK;
out:
  match_tokcache_free(&cache);
  csv_writer_free(w);
  if (f && f != stdout) fclose(f);
  free(d.pairs);
  list_index_release(li);
  store_close(store);
  return status;
}
