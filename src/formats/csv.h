/*
 * csv.h - RFC 4180 CSV reading and writing, with the header-to-column mapping importers need.
 *
 * The reader parses CSV from a FILE or from memory in large blocks, one row per call, with every
 * size bounded by named limits. It accepts LF, CRLF and lone CR line ends, quoted fields holding
 * delimiters, doubled quotes and line breaks, skips a UTF-8 byte-order mark and transcodes UTF-16
 * (little- or big-endian, recognised by its byte-order mark, as Excel's "Unicode text" writes it)
 * to UTF-8 on the fly. It can guess the delimiter (',', ';' or tab) from the first line. After a
 * malformed or oversized row it resumes at the next physical line, so an importer can report the
 * row and go on. The reader does NOT validate UTF-8: callers that need valid UTF-8 (all of baoho's
 * importers do) check each field with csv_field_valid_utf8.
 *
 * The writer quotes where RFC 4180 requires it, can emit a UTF-8 byte-order mark and CRLF for
 * Excel, and by default defuses spreadsheet formula injection (see csv_write_field).
 *
 * Readers and writers are not thread-safe; each belongs to one thread at a time. Different
 * readers and writers may be used concurrently.
 */
#ifndef BAOHO_CSV_H
#define BAOHO_CSV_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* csv_read_row's return value at the end of the input (positive, so distinct from BH_ codes). */
#define CSV_EOF 1

/* Default limits of a reader. A field's limit counts its decoded bytes; a row's limit counts
 * the bytes of its CSV text from its first byte to its line end, quotes included. */
#define CSV_MAX_FIELD 65536
#define CSV_MAX_FIELDS 256
#define CSV_MAX_ROW (1024 * 1024)

/* The reader's delimiter option that asks it to choose ',', ';' or tab from the first line. */
#define CSV_DELIM_AUTO '\0'

/* How the reader found its input encoded. */
typedef enum {
  CSV_ENC_UTF8 = 0,    /* no byte-order mark: read as UTF-8 (or whatever ASCII-compatible) */
  CSV_ENC_UTF8_BOM,    /* UTF-8 byte-order mark, skipped */
  CSV_ENC_UTF16LE,     /* UTF-16LE byte-order mark; text transcoded to UTF-8 */
  CSV_ENC_UTF16BE      /* UTF-16BE byte-order mark; text transcoded to UTF-8 */
} csv_encoding_t;

typedef struct {
  char delimiter;    /* ',' (default), ';', '\t', any other ASCII byte, or CSV_DELIM_AUTO */
  size_t max_field;  /* CSV_MAX_FIELD by default */
  size_t max_fields; /* CSV_MAX_FIELDS by default */
  size_t max_row;    /* CSV_MAX_ROW by default */
} csv_reader_options_t;

/*
 * One row as the reader returns it. field[k] points to field k's bytes, NUL-terminated, and
 * len[k] is its length; both arrays have count entries and stay valid until the next call on the
 * reader or its freeing. Fields never contain a NUL byte (the reader refuses those).
 */
typedef struct {
  size_t count;
  const char *const *field;
  const size_t *len;
  uint64_t line;   /* 1-based physical line where the row starts (rows may span lines) */
  uint64_t offset; /* byte offset of the row's first byte in the UTF-8 text: the file offset for
                      UTF-8 input (a BOM counts), the offset in the transcoded text for UTF-16 */
} csv_row_t;

typedef struct csv_reader csv_reader_t;

typedef struct {
  char delimiter;    /* ',' by default; any ASCII byte but '"', CR, LF and NUL */
  int bom;           /* write a UTF-8 byte-order mark first (so Excel reads UTF-8); default 0 */
  int crlf;          /* end rows with CRLF (RFC 4180) rather than LF; default 1 */
  int formula_guard; /* defuse spreadsheet formulas (see csv_write_field); default 1 */
} csv_writer_options_t;

typedef struct csv_writer csv_writer_t;

/* Fills o with the defaults: ',' and the CSV_MAX_ limits. */
void csv_reader_options_init(csv_reader_options_t *o /* OUT */);

/*
 * Opens a reader over f, which the caller keeps owning and must keep open until csv_reader_free;
 * the reader reads f from its current position and never closes it. opt may be NULL for the
 * defaults. Reading starts at once: the byte-order mark is examined and, with CSV_DELIM_AUTO,
 * the first line is scanned for the delimiter. Returns BH_OK and sets *out, BH_ERR_INVALID for
 * bad options, BH_ERR_IO if reading fails, or BH_ERR_NOMEM.
 */
int csv_reader_open_file(FILE *f, const csv_reader_options_t *opt, csv_reader_t **out /* OUT */);

/*
 * Opens a reader over the len bytes at data, which are not copied and must stay unchanged until
 * csv_reader_free. Otherwise as csv_reader_open_file.
 */
int csv_reader_open_mem(const void *data, size_t len, const csv_reader_options_t *opt,
                        csv_reader_t **out /* OUT */);

/* Frees the reader and its row storage (but not its FILE). Accepts NULL. */
void csv_reader_free(csv_reader_t *r);

/*
 * Reads the next row into *row. Blank lines (no bytes between two line ends) are skipped; a row
 * of one empty field must therefore be written as "" (the writer does so).
 *
 * Returns BH_OK with a row; CSV_EOF at the end of the input (and again on every later call);
 * BH_ERR_INVALID for malformed text (a quote inside an unquoted field, text after a closing
 * quote, a quoted field still open at the end of the input, a NUL byte); BH_ERR_TOO_LARGE when
 * the row breaks max_field, max_fields or max_row. On these two errors row->line and row->offset
 * name the failed row (row->count is 0), csv_reader_error describes it, and the next call
 * resumes at the start of the physical line after the one where the failed row began: a row
 * whose quote was never closed is thus abandoned after its first line, and the lines that
 * follow are read as rows again. Any other error (BH_ERR_IO, BH_ERR_NOMEM) is fatal: it is
 * returned again by every later call.
 */
int csv_read_row(csv_reader_t *r, csv_row_t *row /* OUT */);

/* The delimiter in use (the detected one under CSV_DELIM_AUTO). */
char csv_reader_delimiter(const csv_reader_t *r);

/* The encoding found at the start of the input. */
csv_encoding_t csv_reader_encoding(const csv_reader_t *r);

/* A static English description of the last row error, such as "quote inside an unquoted field";
 * "" if there was none. For CLI and import reports. */
const char *csv_reader_error(const csv_reader_t *r);

/* Returns 1 if the len bytes at s are well-formed UTF-8 (no overlong forms, no surrogates,
 * nothing past U+10FFFF), else 0. Thread-safe. */
int csv_field_valid_utf8(const char *s, size_t len);

/*
 * Maps the wanted target columns to the header row's columns: on BH_OK, index[t] is the
 * 0-based header column holding targets[t], or -1 if the file lacks it. A header name matches a
 * target when both are equal after trimming spaces and tabs, comparing ASCII letters without
 * regard to case (other bytes, e.g. Vietnamese letters, must match exactly).
 *
 * mapping may be NULL or a user string of "source=target" pairs separated by commas, such as
 * "Họ tên=full_name, Ngày sinh=date_of_birth", naming header columns (which may hold UTF-8 and
 * spaces, but no ',' or '=') that supply targets; sources and targets are trimmed and compared
 * as above, empty entries are ignored. A mapped column is not also matched by its own name.
 *
 * Returns BH_ERR_INVALID, with an English message naming the column in msg (when msg is not
 * NULL; truncated to msg_size), if an entry has no '=' or an empty side, a target is not among
 * targets, a source is not in the header or appears in it twice, or two header columns supply
 * the same target (duplicate column). Header columns matching no target are ignored.
 * Thread-safe; allocates nothing.
 */
int csv_map_columns(const csv_row_t *header, const char *const *targets, size_t ntargets,
                    const char *mapping, int *index /* OUT: ntargets entries */, char *msg,
                    size_t msg_size);

/* Fills o with the defaults: ',', no BOM, CRLF, formula guard on. */
void csv_writer_options_init(csv_writer_options_t *o /* OUT */);

/*
 * Opens a writer onto f, which the caller keeps owning (and flushes and closes after
 * csv_writer_free). opt may be NULL for the defaults. Writes the BOM at once if asked. Returns
 * BH_OK and sets *out, BH_ERR_INVALID for a bad delimiter, BH_ERR_IO, or BH_ERR_NOMEM.
 */
int csv_writer_open(FILE *f, const csv_writer_options_t *opt, csv_writer_t **out /* OUT */);

/*
 * Appends one field of len bytes to the current row. The field is quoted if it holds the
 * delimiter, a quote, CR or LF, begins or ends with a space or tab, or begins with a byte that
 * could pass for a byte-order mark (0xEF, 0xFE, 0xFF).
 *
 * With the formula guard on, a field that a spreadsheet would run as a formula gets a leading
 * apostrophe: one starting with '=', '@', tab or CR, and one starting with '+' or '-' unless the
 * rest holds only digits, spaces and ".,()/-" (so "-5", "+84912345678" and "+84 912 345 678"
 * pass unchanged: such text cannot call a function). Readers do not remove the apostrophe, so
 * turn the guard off for machine-to-machine CSV.
 *
 * Returns BH_OK, BH_ERR_INVALID if the field holds a NUL byte (nothing is written), or
 * BH_ERR_IO if writing fails.
 */
int csv_write_field(csv_writer_t *w, const char *s, size_t len);

/* Ends the current row. A row of no fields writes an empty line (which readers skip); a row of
 * one empty field is written as "". Returns BH_OK or BH_ERR_IO. */
int csv_end_row(csv_writer_t *w);

/* Frees the writer without touching its FILE. Accepts NULL. */
void csv_writer_free(csv_writer_t *w);

#endif
