/*
 * fuzz_csv.c - libFuzzer target for the CSV reader and writer (src/formats/csv.c).
 *
 * The first input byte picks the delimiter mode and the writer's options; the rest is read as
 * CSV through the memory reader with small limits, so that the limit and resume paths are hit.
 * Every row read is written back with the writer into a memory stream and read again: the
 * second reading must yield the same fields, then the end of the input. With the formula guard
 * on, each field must come back either unchanged or with one leading apostrophe.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formats/csv.h"
#include "util/err.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(cond)                                                      \
  do {                                                                        \
    if (!(cond)) {                                                            \
      fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
      abort();                                                                \
    }                                                                         \
  } while (0)

/* Writes row with the given writer options, reads it back, and checks the fields. */
static void round_trip(const csv_row_t *row, char delim, int bom, int crlf, int guard) {
  char *out = NULL;
  size_t out_len = 0;
  FILE *f = open_memstream(&out, &out_len);
  FUZZ_CHECK(f != NULL);
  csv_writer_options_t wo;
  csv_writer_options_init(&wo);
  wo.delimiter = delim;
  wo.bom = bom;
  wo.crlf = crlf;
  wo.formula_guard = guard;
  csv_writer_t *w = NULL;
  FUZZ_CHECK(csv_writer_open(f, &wo, &w) == BH_OK);
  for (size_t k = 0; k < row->count; k++)
    FUZZ_CHECK(csv_write_field(w, row->field[k], row->len[k]) == BH_OK);
  FUZZ_CHECK(csv_end_row(w) == BH_OK);
  csv_writer_free(w);
  FUZZ_CHECK(fclose(f) == 0);

  csv_reader_options_t ro;
  csv_reader_options_init(&ro);
  ro.delimiter = delim;
  csv_reader_t *r = NULL;
  FUZZ_CHECK(csv_reader_open_mem(out, out_len, &ro, &r) == BH_OK);
  csv_row_t back;
  FUZZ_CHECK(csv_read_row(r, &back) == BH_OK);
  FUZZ_CHECK(back.count == row->count);
  for (size_t k = 0; k < row->count; k++) {
    const char *s = back.field[k];
    size_t n = back.len[k];
    if (guard && n == row->len[k] + 1 && s[0] == '\'') {
      s++;
      n--;
    }
    FUZZ_CHECK(n == row->len[k]);
    FUZZ_CHECK(memcmp(s, row->field[k], n) == 0);
  }
  FUZZ_CHECK(csv_read_row(r, &back) == CSV_EOF);
  csv_reader_free(r);
  free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static const char delims[4] = {CSV_DELIM_AUTO, ',', ';', '\t'};
  if (size == 0) return 0;
  uint8_t cfg = data[0];
  data++;
  size--;

  csv_reader_options_t o;
  csv_reader_options_init(&o);
  o.delimiter = delims[cfg & 3];
  o.max_field = 48;
  o.max_fields = 8;
  o.max_row = 200;
  csv_reader_t *r = NULL;
  FUZZ_CHECK(csv_reader_open_mem(data, size, &o, &r) == BH_OK);
  char delim = csv_reader_delimiter(r);
  FUZZ_CHECK(delim == ',' || delim == ';' || delim == '\t');

  /* Each call consumes at least one byte of (transcoded) text, which is at most twice the
   * input, so the loop must end within this many calls. */
  size_t calls = 0, limit = 2 * size + 4;
  uint64_t last_line = 0;
  for (;;) {
    csv_row_t row;
    int rc = csv_read_row(r, &row);
    FUZZ_CHECK(++calls <= limit);
    if (rc == CSV_EOF) break;
    FUZZ_CHECK(rc == BH_OK || rc == BH_ERR_INVALID || rc == BH_ERR_TOO_LARGE);
    FUZZ_CHECK(row.line > last_line);
    last_line = row.line;
    if (rc != BH_OK) {
      FUZZ_CHECK(row.count == 0);
      FUZZ_CHECK(csv_reader_error(r)[0] != '\0');
      continue;
    }
    FUZZ_CHECK(row.count >= 1 && row.count <= o.max_fields);
    for (size_t k = 0; k < row.count; k++) {
      FUZZ_CHECK(row.len[k] <= o.max_field);
      FUZZ_CHECK(row.field[k][row.len[k]] == '\0');
      FUZZ_CHECK(memchr(row.field[k], '\0', row.len[k]) == NULL);
      (void)csv_field_valid_utf8(row.field[k], row.len[k]);
    }
    round_trip(&row, delim, (cfg >> 2) & 1, (cfg >> 3) & 1, 0);
    round_trip(&row, delim, 0, 1, 1);
  }
  FUZZ_CHECK(csv_read_row(r, &(csv_row_t){0}) == CSV_EOF);
  csv_reader_free(r);
  return 0;
}
