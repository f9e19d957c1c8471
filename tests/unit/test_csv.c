/* test_csv.c - behaviour of the CSV reader, writer and header mapping (src/formats/csv.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "formats/csv.h"
#include "util/err.h"

/* Opens a memory reader over the NUL-terminated text s with the given options (NULL: defaults). */
static csv_reader_t *open_text(const char *s, const csv_reader_options_t *o) {
  csv_reader_t *r = NULL;
  assert_int_equal(csv_reader_open_mem(s, strlen(s), o, &r), BH_OK);
  assert_non_null(r);
  return r;
}

/* Asserts that row holds exactly the n given NUL-terminated fields. */
static void expect_fields(const csv_row_t *row, size_t n, ...) {
  va_list ap;
  assert_int_equal(row->count, n);
  va_start(ap, n);
  for (size_t k = 0; k < n; k++) {
    const char *want = va_arg(ap, const char *);
    assert_int_equal(row->len[k], strlen(want));
    assert_memory_equal(row->field[k], want, strlen(want));
    assert_int_equal(row->field[k][row->len[k]], '\0');
  }
  va_end(ap);
}

static void reader_splits_simple_rows_with_lf_and_crlf(void **state) {
  (void)state;
  csv_reader_t *r = open_text("a,b,c\r\n1,2,3\nx,,z", NULL);
  csv_row_t row;
  assert_int_equal(csv_read_row(r, &row), BH_OK);
  expect_fields(&row, 3, "a", "b", "c");
  assert_int_equal(row.line, 1);
  assert_int_equal(row.offset, 0);
  assert_int_equal(csv_read_row(r, &row), BH_OK);
  expect_fields(&row, 3, "1", "2", "3");
  assert_int_equal(row.line, 2);
  assert_int_equal(row.offset, 7);
  assert_int_equal(csv_read_row(r, &row), BH_OK);
  expect_fields(&row, 3, "x", "", "z");
  assert_int_equal(csv_read_row(r, &row), CSV_EOF);
  assert_int_equal(csv_read_row(r, &row), CSV_EOF);
  csv_reader_free(r);
}

static void reader_keeps_delimiter_inside_quotes(void **state) {
  (void)state;
  csv_reader_t *r = open_text("\"Hà Nội, Việt Nam\",\"say \"\"hi\"\"\",\"\"\n", NULL);
  csv_row_t row;
  assert_int_equal(csv_read_row(r, &row), BH_OK);
  expect_fields(&row, 3, "Hà Nội, Việt Nam", "say \"hi\"", "");
  assert_int_equal(csv_read_row(r, &row), CSV_EOF);
  csv_reader_free(r);
}

static void reader_reports_line_of_multiline_row(void **state) {
  (void)state;
  csv_reader_t *r = open_text("h1,h2\n1,\"line one\r\nline two\nthree\"\n2,after\n", NULL);
  csv_row_t row;
  assert_int_equal(csv_read_row(r, &row), BH_OK);
  assert_int_equal(csv_read_row(r, &row), BH_OK);
  expect_fields(&row, 2, "1", "line one\r\nline two\nthree");
  assert_int_equal(row.line, 2);
  assert_int_equal(row.offset, 6);
  assert_int_equal(csv_read_row(r, &row), BH_OK);
  expect_fields(&row, 2, "2", "after");
  assert_int_equal(row.line, 5);
  csv_reader_free(r);
}

static void reader_skips_blank_lines_but_counts_them(void **state) {
  (void)state;
  csv_reader_t *r = open_text("\n\na\r\n\r\n\"\"\n\rb\r", NULL);
  csv_row_t row;
  assert_int_equal(csv_read_row(r, &row), BH_OK);
  expect_fields(&row, 1, "a");
  assert_int_equal(row.line, 3);
  assert_int_equal(csv_read_row(r, &row), BH_OK);
  expect_fields(&row, 1, "");
  assert_int_equal(row.line, 5);
  assert_int_equal(csv_read_row(r, &row), BH_OK);
  expect_fields(&row, 1, "b");
  assert_int_equal(row.line, 7);
  assert_int_equal(csv_read_row(r, &row), CSV_EOF);
  csv_reader_free(r);
}

static void reader_keeps_trailing_empty_field(void **state) {
  (void)state;
  csv_reader_t *r = open_text("a,\n,", NULL);
  csv_row_t row;
  assert_int_equal(csv_read_row(r, &row), BH_OK);
  expect_fields(&row, 2, "a", "");
  assert_int_equal(csv_read_row(r, &row), BH_OK);
  expect_fields(&row, 2, "", "");
  assert_int_equal(csv_read_row(r, &row), CSV_EOF);
  csv_reader_free(r);
}

static void reader_refuses_stray_quote_and_resumes_next_line(void **state) {
  (void)state;
  csv_reader_t *r = open_text("a,b\nNguy\"en,c\nd,e\n", NULL);
  csv_row_t row;
  assert_int_equal(csv_read_row(r, &row), BH_OK);
  assert_int_equal(csv_read_row(r, &row), BH_ERR_INVALID);
  assert_int_equal(row.line, 2);
  assert_int_equal(row.offset, 4);
  assert_int_equal(row.count, 0);
  assert_string_equal(csv_reader_error(r), "quote inside an unquoted field");
  assert_int_equal(csv_read_row(r, &row), BH_OK);
  expect_fields(&row, 2, "d", "e");
  assert_int_equal(row.line, 3);
  csv_reader_free(r);
}

static void reader_refuses_text_after_closing_quote(void **state) {
  (void)state;
  csv_reader_t *r = open_text("\"ab\"c,d\nok\n", NULL);
  csv_row_t row;
  assert_int_equal(csv_read_row(r, &row), BH_ERR_INVALID);
  assert_int_equal(csv_read_row(r, &row), BH_OK);
  expect_fields(&row, 1, "ok");
  csv_reader_free(r);
}

static void reader_resumes_after_unterminated_quote(void **state) {
  (void)state;
  csv_reader_t *r = open_text("a,b\n1,\"never closed\n2,x\n3,y", NULL);
  csv_row_t row;
  assert_int_equal(csv_read_row(r, &row), BH_OK);
  assert_int_equal(csv_read_row(r, &row), BH_ERR_INVALID);
  assert_int_equal(row.line, 2);
  assert_string_equal(csv_reader_error(r), "quoted field not closed before the end of the input");
  assert_int_equal(csv_read_row(r, &row), BH_OK);
  expect_fields(&row, 2, "2", "x");
  assert_int_equal(row.line, 3);
  assert_int_equal(csv_read_row(r, &row), BH_OK);
  expect_fields(&row, 2, "3", "y");
  assert_int_equal(row.line, 4);
  assert_int_equal(csv_read_row(r, &row), CSV_EOF);
  csv_reader_free(r);
}

static void reader_skips_utf8_bom(void **state) {
  (void)state;
  csv_reader_t *r = open_text("\xEF\xBB\xBFhọ tên,x\nb,c\n", NULL);
  csv_row_t row;
  assert_int_equal(csv_reader_encoding(r), CSV_ENC_UTF8_BOM);
  assert_int_equal(csv_read_row(r, &row), BH_OK);
  expect_fields(&row, 2, "họ tên", "x");
  assert_int_equal(row.offset, 3);
  assert_int_equal(csv_read_row(r, &row), BH_OK);
  assert_int_equal(row.offset, 3 + strlen("họ tên,x\n"));
  csv_reader_free(r);
}

/* Encodes the UTF-8 text s (BMP and astral) as UTF-16 with a BOM into out; returns the size. */
static size_t to_utf16(const char *s, int le, unsigned char *out, size_t cap) {
  const unsigned char *p = (const unsigned char *)s;
  size_t o = 0;
  uint32_t units[2];
  assert_true(cap >= 2);
  out[o++] = le ? 0xFF : 0xFE;
  out[o++] = le ? 0xFE : 0xFF;
  while (*p) {
    uint32_t cp;
    if (*p < 0x80) {
      cp = *p++;
    } else if (*p < 0xE0) {
      cp = ((uint32_t)(p[0] & 0x1F) << 6) | (p[1] & 0x3F);
      p += 2;
    } else if (*p < 0xF0) {
      cp = ((uint32_t)(p[0] & 0x0F) << 12) | ((uint32_t)(p[1] & 0x3F) << 6) | (p[2] & 0x3F);
      p += 3;
    } else {
      cp = ((uint32_t)(p[0] & 0x07) << 18) | ((uint32_t)(p[1] & 0x3F) << 12) |
           ((uint32_t)(p[2] & 0x3F) << 6) | (p[3] & 0x3F);
      p += 4;
    }
    size_t nu = 1;
    units[0] = cp;
    if (cp >= 0x10000) {
      units[0] = 0xD800 + ((cp - 0x10000) >> 10);
      units[1] = 0xDC00 + ((cp - 0x10000) & 0x3FF);
      nu = 2;
    }
    for (size_t k = 0; k < nu; k++) {
      assert_true(o + 2 <= cap);
      out[o++] = (unsigned char)(le ? units[k] & 0xFF : units[k] >> 8);
      out[o++] = (unsigned char)(le ? units[k] >> 8 : units[k] & 0xFF);
    }
  }
  return o;
}

static void reader_transcodes_utf16le_with_bom(void **state) {
  (void)state;
  const char *text = "Họ tên\tNgày sinh\r\nNguyễn Văn An\t1990-01-02\r\n\"Trần, 😀\"\tx\r\n";
  unsigned char u16[512];
  size_t n = to_utf16(text, 1, u16, sizeof u16);
  csv_reader_options_t o;
  csv_reader_options_init(&o);
  o.delimiter = CSV_DELIM_AUTO;
  csv_reader_t *r = NULL;
  assert_int_equal(csv_reader_open_mem(u16, n, &o, &r), BH_OK);
  assert_int_equal(csv_reader_encoding(r), CSV_ENC_UTF16LE);
  assert_int_equal(csv_reader_delimiter(r), '\t');
  csv_row_t row;
  assert_int_equal(csv_read_row(r, &row), BH_OK);
  expect_fields(&row, 2, "Họ tên", "Ngày sinh");
  assert_int_equal(csv_read_row(r, &row), BH_OK);
  expect_fields(&row, 2, "Nguyễn Văn An", "1990-01-02");
  assert_int_equal(row.line, 2);
  assert_int_equal(csv_read_row(r, &row), BH_OK);
  expect_fields(&row, 2, "Trần, 😀", "x");
  assert_true(csv_field_valid_utf8(row.field[0], row.len[0]));
  assert_int_equal(csv_read_row(r, &row), CSV_EOF);
  csv_reader_free(r);
}

static void reader_transcodes_utf16be_and_replaces_lone_surrogate(void **state) {
  (void)state;
  unsigned char u16[64];
  size_t n = to_utf16("a,b\n", 0, u16, sizeof u16);
  /* Append "\xD800" (a lone high surrogate) then "c" and a dangling odd byte. */
  u16[n++] = 0xD8;
  u16[n++] = 0x00;
  u16[n++] = 0x00;
  u16[n++] = 'c';
  u16[n++] = 0x00;
  csv_reader_t *r = NULL;
  assert_int_equal(csv_reader_open_mem(u16, n, NULL, &r), BH_OK);
  assert_int_equal(csv_reader_encoding(r), CSV_ENC_UTF16BE);
  csv_row_t row;
  assert_int_equal(csv_read_row(r, &row), BH_OK);
  expect_fields(&row, 2, "a", "b");
  assert_int_equal(csv_read_row(r, &row), BH_OK);
  expect_fields(&row, 1, "\xEF\xBF\xBD" "c\xEF\xBF\xBD");
  csv_reader_free(r);
}

static void reader_refuses_nul_byte(void **state) {
  (void)state;
  static const char text[] = "a,b\nc\0d,e\nf\n";
  csv_reader_t *r = NULL;
  assert_int_equal(csv_reader_open_mem(text, sizeof text - 1, NULL, &r), BH_OK);
  csv_row_t row;
  assert_int_equal(csv_read_row(r, &row), BH_OK);
  assert_int_equal(csv_read_row(r, &row), BH_ERR_INVALID);
  assert_int_equal(csv_read_row(r, &row), BH_OK);
  expect_fields(&row, 1, "f");
  csv_reader_free(r);
}

static void reader_detects_semicolon_delimiter(void **state) {
  (void)state;
  csv_reader_options_t o;
  csv_reader_options_init(&o);
  o.delimiter = CSV_DELIM_AUTO;
  csv_reader_t *r = open_text("\"a,b\";c;d\n1,5;2;3\n", &o);
  assert_int_equal(csv_reader_delimiter(r), ';');
  csv_row_t row;
  assert_int_equal(csv_read_row(r, &row), BH_OK);
  expect_fields(&row, 3, "a,b", "c", "d");
  assert_int_equal(csv_read_row(r, &row), BH_OK);
  expect_fields(&row, 3, "1,5", "2", "3");
  csv_reader_free(r);

  r = open_text("a,b;c,d\n", &o);
  assert_int_equal(csv_reader_delimiter(r), ',');
  csv_reader_free(r);
}

static void reader_refuses_field_over_limit(void **state) {
  (void)state;
  csv_reader_options_t o;
  csv_reader_options_init(&o);
  o.max_field = 4;
  csv_reader_t *r = open_text("abcd,\"ab\"\"c\"\nabcde,x\n\"abc\"\"de\"\nok\n", &o);
  csv_row_t row;
  assert_int_equal(csv_read_row(r, &row), BH_OK);
  expect_fields(&row, 2, "abcd", "ab\"c");
  assert_int_equal(csv_read_row(r, &row), BH_ERR_TOO_LARGE);
  assert_int_equal(row.line, 2);
  assert_string_equal(csv_reader_error(r), "field longer than the limit");
  assert_int_equal(csv_read_row(r, &row), BH_ERR_TOO_LARGE);
  assert_int_equal(row.line, 3);
  assert_int_equal(csv_read_row(r, &row), BH_OK);
  expect_fields(&row, 1, "ok");
  csv_reader_free(r);
}

static void reader_refuses_too_many_fields(void **state) {
  (void)state;
  csv_reader_options_t o;
  csv_reader_options_init(&o);
  o.max_fields = 2;
  csv_reader_t *r = open_text("a,b\na,b,c\na,\na,b,\n", &o);
  csv_row_t row;
  assert_int_equal(csv_read_row(r, &row), BH_OK);
  assert_int_equal(csv_read_row(r, &row), BH_ERR_TOO_LARGE);
  assert_int_equal(csv_read_row(r, &row), BH_OK);
  expect_fields(&row, 2, "a", "");
  assert_int_equal(csv_read_row(r, &row), BH_ERR_TOO_LARGE);
  assert_int_equal(csv_read_row(r, &row), CSV_EOF);
  csv_reader_free(r);
}

static void reader_refuses_row_over_limit(void **state) {
  (void)state;
  csv_reader_options_t o;
  csv_reader_options_init(&o);
  o.max_row = 5;
  csv_reader_t *r = open_text("ab,cd\nab,cde\nx\n", &o);
  csv_row_t row;
  assert_int_equal(csv_read_row(r, &row), BH_OK);
  assert_int_equal(csv_read_row(r, &row), BH_ERR_TOO_LARGE);
  assert_string_equal(csv_reader_error(r), "row longer than the limit");
  assert_int_equal(csv_read_row(r, &row), BH_OK);
  expect_fields(&row, 1, "x");
  csv_reader_free(r);
}

static void reader_handles_rows_across_read_blocks(void **state) {
  (void)state;
  /* A file larger than several read blocks, with a quoted field spanning block edges. */
  FILE *f = tmpfile();
  assert_non_null(f);
  const size_t rows = 20000;
  for (size_t k = 0; k < rows; k++)
    fprintf(f, "%zu,\"quoted, \"\"%zu\"\"\r\nsecond line\",Nguyễn Thị Minh Khai\r\n", k, k);
  rewind(f);
  csv_reader_t *r = NULL;
  assert_int_equal(csv_reader_open_file(f, NULL, &r), BH_OK);
  csv_row_t row;
  char want[64];
  for (size_t k = 0; k < rows; k++) {
    assert_int_equal(csv_read_row(r, &row), BH_OK);
    assert_int_equal(row.count, 3);
    assert_int_equal(row.line, 2 * k + 1);
    snprintf(want, sizeof want, "quoted, \"%zu\"\r\nsecond line", k);
    assert_string_equal(row.field[1], want);
    assert_string_equal(row.field[2], "Nguyễn Thị Minh Khai");
  }
  assert_int_equal(csv_read_row(r, &row), CSV_EOF);
  csv_reader_free(r);
  fclose(f);
}

static void reader_rejects_bad_options(void **state) {
  (void)state;
  csv_reader_options_t o;
  csv_reader_t *r = NULL;
  csv_reader_options_init(&o);
  o.delimiter = '"';
  assert_int_equal(csv_reader_open_mem("a", 1, &o, &r), BH_ERR_INVALID);
  assert_null(r);
  csv_reader_options_init(&o);
  o.max_field = 0;
  assert_int_equal(csv_reader_open_mem("a", 1, &o, &r), BH_ERR_INVALID);
  assert_null(r);
}

static void utf8_validator_refuses_overlong_and_surrogates(void **state) {
  (void)state;
  assert_true(csv_field_valid_utf8("Việt Nam 😀", strlen("Việt Nam 😀")));
  assert_true(csv_field_valid_utf8("", 0));
  assert_false(csv_field_valid_utf8("\xC0\xAF", 2));
  assert_false(csv_field_valid_utf8("\xE0\x80\xAF", 3));
  assert_false(csv_field_valid_utf8("\xED\xA0\x80", 3));
  assert_false(csv_field_valid_utf8("\xF4\x90\x80\x80", 4));
  assert_false(csv_field_valid_utf8("\xE1\xBB", 2));
  assert_false(csv_field_valid_utf8("\xFF", 1));
}

/* Marks the end of a row in the field lists given to write_rows. */
static const char EOR[] = "<end of row>";

/* Writes the NUL-terminated fields with options o (EOR ends a row, NULL ends the list) and
 * returns the malloc'd output. */
static char *write_rows(const csv_writer_options_t *o, const char *const *fields) {
  char *out = NULL;
  size_t out_len = 0;
  FILE *f = open_memstream(&out, &out_len);
  assert_non_null(f);
  csv_writer_t *w = NULL;
  assert_int_equal(csv_writer_open(f, o, &w), BH_OK);
  for (size_t k = 0; fields[k] != NULL; k++) {
    if (fields[k] == EOR)
      assert_int_equal(csv_end_row(w), BH_OK);
    else
      assert_int_equal(csv_write_field(w, fields[k], strlen(fields[k])), BH_OK);
  }
  csv_writer_free(w);
  assert_int_equal(fclose(f), 0);
  return out;
}

static void writer_quotes_embedded_newline(void **state) {
  (void)state;
  static const char *const fields[] = {"a\nb", "c\r\nd", "e,f", "say \"hi\"", "plain", EOR, NULL};
  char *out = write_rows(NULL, fields);
  assert_string_equal(out, "\"a\nb\",\"c\r\nd\",\"e,f\",\"say \"\"hi\"\"\",plain\r\n");
  free(out);
}

static void writer_quotes_leading_and_trailing_spaces(void **state) {
  (void)state;
  static const char *const fields[] = {" lead", "trail ", "mid dle", EOR, NULL};
  char *out = write_rows(NULL, fields);
  assert_string_equal(out, "\" lead\",\"trail \",mid dle\r\n");
  free(out);
}

static void writer_neutralises_formula(void **state) {
  (void)state;
  static const char *const fields[] = {"=HYPERLINK(\"http://x\")", "@SUM(A1)", "+cmd|' /C calc'!A0",
                                       "-2+3*cmd", "\tx", EOR, NULL};
  char *out = write_rows(NULL, fields);
  assert_string_equal(out,
                      "\"'=HYPERLINK(\"\"http://x\"\")\",'@SUM(A1),'+cmd|' /C calc'!A0,'-2+3*cmd,"
                      "\"'\tx\"\r\n");
  free(out);
}

static void writer_leaves_numbers_and_phones_alone(void **state) {
  (void)state;
  static const char *const fields[] = {"-5", "+84912345678", "+84 912 345 678", "-1.5",
                                       "+84 (24) 3823-4567", "-", EOR, NULL};
  char *out = write_rows(NULL, fields);
  assert_string_equal(out, "-5,+84912345678,+84 912 345 678,-1.5,+84 (24) 3823-4567,-\r\n");
  free(out);
}

static void writer_formula_guard_can_be_disabled(void **state) {
  (void)state;
  csv_writer_options_t o;
  csv_writer_options_init(&o);
  o.formula_guard = 0;
  o.crlf = 0;
  static const char *const fields[] = {"=1+1", "@x", EOR, NULL};
  char *out = write_rows(&o, fields);
  assert_string_equal(out, "=1+1,@x\n");
  free(out);
}

static void writer_writes_bom_and_sole_empty_field(void **state) {
  (void)state;
  csv_writer_options_t o;
  csv_writer_options_init(&o);
  o.bom = 1;
  o.delimiter = ';';
  static const char *const fields[] = {"a;b", "", EOR, "", EOR, EOR, "x", EOR, NULL};
  char *out = write_rows(&o, fields);
  assert_string_equal(out, "\xEF\xBB\xBF\"a;b\";\r\n\"\"\r\n\r\nx\r\n");
  free(out);
}

static void writer_refuses_nul_byte(void **state) {
  (void)state;
  char *out = NULL;
  size_t out_len = 0;
  FILE *f = open_memstream(&out, &out_len);
  assert_non_null(f);
  csv_writer_t *w = NULL;
  assert_int_equal(csv_writer_open(f, NULL, &w), BH_OK);
  assert_int_equal(csv_write_field(w, "a\0b", 3), BH_ERR_INVALID);
  csv_writer_free(w);
  fclose(f);
  assert_int_equal(out_len, 0);
  free(out);
}

static void writer_round_trips_vietnamese_text(void **state) {
  (void)state;
  static const char *const fields[] = {
      "Nguyễn Văn An", "Số 1, phố Tràng Tiền\nHoàn Kiếm, Hà Nội", " Đặng \"Bé\" ", "+84912345678",
      "", "=không phải công thức", EOR, NULL};
  csv_writer_options_t o;
  csv_writer_options_init(&o);
  o.bom = 1;
  o.formula_guard = 0;
  char *out = write_rows(&o, fields);
  csv_reader_t *r = open_text(out, NULL);
  csv_row_t row;
  assert_int_equal(csv_read_row(r, &row), BH_OK);
  expect_fields(&row, 6, fields[0], fields[1], fields[2], fields[3], fields[4], fields[5]);
  for (size_t k = 0; k < row.count; k++)
    assert_true(csv_field_valid_utf8(row.field[k], row.len[k]));
  assert_int_equal(csv_read_row(r, &row), CSV_EOF);
  csv_reader_free(r);
  free(out);
}

/* Reads the first row of text as a header. */
static csv_reader_t *read_header(const char *text, csv_row_t *row) {
  csv_reader_t *r = open_text(text, NULL);
  assert_int_equal(csv_read_row(r, row), BH_OK);
  return r;
}

static const char *const person_targets[] = {"full_name", "date_of_birth", "passport_no",
                                             "phone"};

static void mapping_matches_names_case_insensitively_after_trim(void **state) {
  (void)state;
  csv_row_t h;
  csv_reader_t *r = read_header("  PHONE , other,Full_Name\n", &h);
  int idx[4];
  char msg[128];
  assert_int_equal(csv_map_columns(&h, person_targets, 4, NULL, idx, msg, sizeof msg), BH_OK);
  assert_int_equal(idx[0], 2);
  assert_int_equal(idx[1], -1);
  assert_int_equal(idx[2], -1);
  assert_int_equal(idx[3], 0);
  csv_reader_free(r);
}

static void mapping_applies_user_pairs_with_vietnamese_names(void **state) {
  (void)state;
  csv_row_t h;
  csv_reader_t *r = read_header("STT,Họ tên,Ngày sinh,Số hộ chiếu,phone\n", &h);
  int idx[4];
  char msg[128];
  assert_int_equal(csv_map_columns(&h, person_targets, 4,
                                   " Họ tên = full_name,Ngày sinh=date_of_birth,,"
                                   "Số hộ chiếu=Passport_No",
                                   idx, msg, sizeof msg),
                   BH_OK);
  assert_int_equal(idx[0], 1);
  assert_int_equal(idx[1], 2);
  assert_int_equal(idx[2], 3);
  assert_int_equal(idx[3], 4);
  csv_reader_free(r);
}

static void mapping_reports_unknown_target(void **state) {
  (void)state;
  csv_row_t h;
  csv_reader_t *r = read_header("Họ tên,x\n", &h);
  int idx[4];
  char msg[128];
  assert_int_equal(csv_map_columns(&h, person_targets, 4, "Họ tên=ho_ten", idx, msg, sizeof msg),
                   BH_ERR_INVALID);
  assert_string_equal(msg, "unknown mapping target 'ho_ten'");
  assert_int_equal(idx[0], -1);
  csv_reader_free(r);
}

static void mapping_reports_duplicate_column(void **state) {
  (void)state;
  csv_row_t h;
  csv_reader_t *r = read_header("phone,full_name,Phone\n", &h);
  int idx[4];
  char msg[128];
  assert_int_equal(csv_map_columns(&h, person_targets, 4, NULL, idx, msg, sizeof msg),
                   BH_ERR_INVALID);
  assert_string_equal(msg, "duplicate column 'Phone' (columns 1 and 3)");
  csv_reader_free(r);

  r = read_header("Họ tên,full_name\n", &h);
  assert_int_equal(csv_map_columns(&h, person_targets, 4, "Họ tên=full_name", idx, msg, sizeof msg),
                   BH_ERR_INVALID);
  assert_string_equal(msg, "duplicate column 'full_name' (columns 1 and 2)");
  csv_reader_free(r);
}

static void mapping_reports_missing_source_and_bad_entry(void **state) {
  (void)state;
  csv_row_t h;
  csv_reader_t *r = read_header("a,b\n", &h);
  int idx[4];
  char msg[128];
  assert_int_equal(csv_map_columns(&h, person_targets, 4, "Họ tên=full_name", idx, msg, sizeof msg),
                   BH_ERR_INVALID);
  assert_string_equal(msg, "mapped column 'Họ tên' is not in the header");
  assert_int_equal(csv_map_columns(&h, person_targets, 4, "a", idx, msg, sizeof msg),
                   BH_ERR_INVALID);
  assert_string_equal(msg, "mapping entry 'a' has no '='");
  assert_int_equal(csv_map_columns(&h, person_targets, 4, "a= ", idx, msg, sizeof msg),
                   BH_ERR_INVALID);
  csv_reader_free(r);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(reader_splits_simple_rows_with_lf_and_crlf),
      cmocka_unit_test(reader_keeps_delimiter_inside_quotes),
      cmocka_unit_test(reader_reports_line_of_multiline_row),
      cmocka_unit_test(reader_skips_blank_lines_but_counts_them),
      cmocka_unit_test(reader_keeps_trailing_empty_field),
      cmocka_unit_test(reader_refuses_stray_quote_and_resumes_next_line),
      cmocka_unit_test(reader_refuses_text_after_closing_quote),
      cmocka_unit_test(reader_resumes_after_unterminated_quote),
      cmocka_unit_test(reader_skips_utf8_bom),
      cmocka_unit_test(reader_transcodes_utf16le_with_bom),
      cmocka_unit_test(reader_transcodes_utf16be_and_replaces_lone_surrogate),
      cmocka_unit_test(reader_refuses_nul_byte),
      cmocka_unit_test(reader_detects_semicolon_delimiter),
      cmocka_unit_test(reader_refuses_field_over_limit),
      cmocka_unit_test(reader_refuses_too_many_fields),
      cmocka_unit_test(reader_refuses_row_over_limit),
      cmocka_unit_test(reader_handles_rows_across_read_blocks),
      cmocka_unit_test(reader_rejects_bad_options),
      cmocka_unit_test(utf8_validator_refuses_overlong_and_surrogates),
      cmocka_unit_test(writer_quotes_embedded_newline),
      cmocka_unit_test(writer_quotes_leading_and_trailing_spaces),
      cmocka_unit_test(writer_neutralises_formula),
      cmocka_unit_test(writer_leaves_numbers_and_phones_alone),
      cmocka_unit_test(writer_formula_guard_can_be_disabled),
      cmocka_unit_test(writer_writes_bom_and_sole_empty_field),
      cmocka_unit_test(writer_refuses_nul_byte),
      cmocka_unit_test(writer_round_trips_vietnamese_text),
      cmocka_unit_test(mapping_matches_names_case_insensitively_after_trim),
      cmocka_unit_test(mapping_applies_user_pairs_with_vietnamese_names),
      cmocka_unit_test(mapping_reports_unknown_target),
      cmocka_unit_test(mapping_reports_duplicate_column),
      cmocka_unit_test(mapping_reports_missing_source_and_bad_entry),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
