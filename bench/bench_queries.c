/*
 * bench_queries.c - turns a `baoho gen persons` CSV into the request paths the wrk scripts
 * rotate through, so that the load is realistic names and filters rather than one cached query.
 *
 *   bench_queries names N [SEED] < persons.csv    N sampled persons, four name queries each
 *   bench_queries filters < persons.csv           every (country, status) pair in the file
 *
 * Output is one request per line: a class, a tab, the path (query string percent-encoded),
 * a tab and, for filters, the number of persons the pair selects. Name classes:
 *   name_full        the full name as written ("Nguyễn Đình Chí Mẫn")
 *   name_ascii       the same without diacritics, as typed on a plain keyboard
 *                    ("Nguyen Dinh Chi Man")
 *   name_two         given name then family name with diacritics ("Mẫn Nguyễn")
 *   name_two_ascii   the same without diacritics ("Man Nguyen")
 * The sample is a reservoir over the whole file with a fixed seed, so it is reproducible.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/name.h"
#include "formats/csv.h"
#include "util/err.h"

#define BQ_MAX_SAMPLE 100000
#define BQ_MAX_PAIRS 4096
#define BQ_NAME_CAP (NAME_MAX_BYTES * 2 + 1)

typedef struct bq_pair {
  char country[3];
  char status[32];
  uint64_t count;
} bq_pair_t;

/* Writes s percent-encoded for a query string (RFC 3986 unreserved bytes kept). */
static void bq_put_encoded(FILE *out, const char *s) {
  static const char hex[] = "0123456789ABCDEF";
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    unsigned char ch = *p;
    if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
        ch == '-' || ch == '.' || ch == '_' || ch == '~') {
      fputc(ch, out);
    } else {
      fputc('%', out);
      fputc(hex[ch >> 4], out);
      fputc(hex[ch & 15], out);
    }
  }
}

static void bq_put_query(FILE *out, const char *cls, const char *q) {
  fprintf(out, "%s\t/api/v1/persons?q=", cls);
  bq_put_encoded(out, q);
  fputc('\n', out);
}

/* Upper-cases the first ASCII letter of every word of the folded (ASCII) name in place. */
static void bq_title_case(char *s) {
  int start = 1;
  for (char *p = s; *p; p++) {
    if (start && *p >= 'a' && *p <= 'z') *p = (char)(*p - 'a' + 'A');
    start = *p == ' ';
  }
}

/* Copies "last-word first-word" of the space-separated name into out (cap bytes); 0 if the name
 * has a single word. */
static int bq_given_family(const char *name, char *out, size_t cap) {
  const char *sp = strchr(name, ' ');
  const char *last = strrchr(name, ' ');
  if (sp == NULL || last == NULL) return 0;
  snprintf(out, cap, "%s %.*s", last + 1, (int)(sp - name), name);
  return 1;
}

static void bq_emit_names(FILE *out, const char *full) {
  char ascii[BQ_NAME_CAP], two[BQ_NAME_CAP], two_ascii[BQ_NAME_CAP];
  size_t len;
  if (name_fold(full, strlen(full), ascii, sizeof(ascii), &len) != BH_OK) return;
  bq_title_case(ascii);
  bq_put_query(out, "name_full", full);
  bq_put_query(out, "name_ascii", ascii);
  if (bq_given_family(full, two, sizeof(two))) bq_put_query(out, "name_two", two);
  if (bq_given_family(ascii, two_ascii, sizeof(two_ascii))) {
    bq_put_query(out, "name_two_ascii", two_ascii);
  }
}

static int bq_column(const csv_row_t *header, const char *name) {
  for (size_t i = 0; i < header->count; i++) {
    if (strcmp(header->field[i], name) == 0) return (int)i;
  }
  return -1;
}

/* A xorshift64* step: the reservoir's reproducible randomness. */
static uint64_t bq_rand(uint64_t *s) {
  *s ^= *s >> 12;
  *s ^= *s << 25;
  *s ^= *s >> 27;
  return *s * 2685821657736338717ULL;
}

static int bq_names(csv_reader_t *rd, int col_name, size_t want, uint64_t seed) {
  char (*sample)[BQ_NAME_CAP] = calloc(want, BQ_NAME_CAP);
  if (sample == NULL) return 1;
  uint64_t seen = 0, rng = seed * 0x9E3779B97F4A7C15ULL + 1;
  csv_row_t row;
  int rc;
  while ((rc = csv_read_row(rd, &row)) != CSV_EOF) {
    if (rc != BH_OK || (size_t)col_name >= row.count) continue;
    uint64_t slot = seen < want ? seen : bq_rand(&rng) % (seen + 1);
    if (slot < want) snprintf(sample[slot], BQ_NAME_CAP, "%s", row.field[col_name]);
    seen++;
  }
  size_t n = seen < want ? (size_t)seen : want;
  for (size_t i = 0; i < n; i++) bq_emit_names(stdout, sample[i]);
  free(sample);
  return 0;
}

static int bq_filters(csv_reader_t *rd, int col_country, int col_status) {
  static bq_pair_t pairs[BQ_MAX_PAIRS];
  size_t npairs = 0;
  csv_row_t row;
  int rc;
  while ((rc = csv_read_row(rd, &row)) != CSV_EOF) {
    if (rc != BH_OK || (size_t)col_country >= row.count || (size_t)col_status >= row.count) continue;
    const char *country = row.field[col_country];
    const char *status = row.len[col_status] ? row.field[col_status] : "unknown";
    if (strlen(country) != 2 || strlen(status) >= sizeof(pairs[0].status)) continue;
    size_t i = 0;
    while (i < npairs && (strcmp(pairs[i].country, country) || strcmp(pairs[i].status, status))) i++;
    if (i == npairs) {
      if (npairs == BQ_MAX_PAIRS) continue;
      snprintf(pairs[i].country, sizeof(pairs[i].country), "%s", country);
      snprintf(pairs[i].status, sizeof(pairs[i].status), "%s", status);
      npairs++;
    }
    pairs[i].count++;
  }
  for (size_t i = 0; i < npairs; i++) {
    printf("filter\t/api/v1/persons?country=%s&status=%s\t%llu\n", pairs[i].country,
           pairs[i].status, (unsigned long long)pairs[i].count);
  }
  return 0;
}

int main(int argc, char **argv) {
  const char *usage = "usage: bench_queries names N [SEED] < persons.csv\n"
                      "       bench_queries filters < persons.csv\n";
  if (argc < 2 || (strcmp(argv[1], "names") != 0 && strcmp(argv[1], "filters") != 0)) {
    fputs(usage, stderr);
    return 2;
  }
  size_t want = 0;
  uint64_t seed = 1;
  if (strcmp(argv[1], "names") == 0) {
    if (argc < 3) {
      fputs(usage, stderr);
      return 2;
    }
    char *end = NULL;
    want = strtoul(argv[2], &end, 10);
    if (end == argv[2] || *end != '\0' || want < 1 || want > BQ_MAX_SAMPLE) {
      fprintf(stderr, "bench_queries: N must be 1 to %d\n", BQ_MAX_SAMPLE);
      return 2;
    }
    if (argc > 3) seed = strtoull(argv[3], NULL, 10);
  }
  csv_reader_options_t ropt;
  csv_reader_options_init(&ropt);
  csv_reader_t *rd = NULL;
  if (csv_reader_open_file(stdin, &ropt, &rd) != BH_OK) return 1;
  csv_row_t header;
  int rc = 1;
  if (csv_read_row(rd, &header) != BH_OK) goto out;
  int col_name = bq_column(&header, "full_name");
  int col_country = bq_column(&header, "country");
  int col_status = bq_column(&header, "status");
  if (col_name < 0 || col_country < 0 || col_status < 0) {
    fprintf(stderr, "bench_queries: the CSV lacks full_name, country or status\n");
    goto out;
  }
  rc = want ? bq_names(rd, col_name, want, seed) : bq_filters(rd, col_country, col_status);
out:
  csv_reader_free(rd);
  return rc;
}
