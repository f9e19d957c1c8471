/*
 * import.h - bulk import of persons (with one presence each) from CSV into the registry.
 *
 * Columns are mapped by header name (IMPORT_COLUMNS) or by a user mapping 'Header=column,...'.
 * Every row is validated with the same rules as the API; a good row is stored, a bad row is
 * written with its line number and reason to the rejects writer and never stops the import.
 * Each row carries an import key (a keyed hash of external_id, or of the person's identity when
 * there is none), so running the same file again adds nothing twice.
 */
#ifndef BAOHO_IMPORT_H
#define BAOHO_IMPORT_H

#include <stdint.h>
#include <stdio.h>

#include "store/store.h"

/* The import columns, in the order of the registry CSV format. preferred_language is optional
 * ("vi" or "en"; absent or empty reads as "vi"). */
#define IMPORT_COLUMNS(X)                                                                  \
  X(external_id) X(full_name) X(other_names) X(sex) X(date_of_birth) X(national_id)       \
  X(passport) X(phones) X(emails) X(home_province) X(flags) X(country) X(region) X(city) \
  X(address) X(category) X(organisation) X(from) X(until) X(status) X(preferred_language)

/* Rows committed per transaction when the registry already holds persons: progress survives an
 * interruption at this granularity. A load into an empty registry is one transaction (see
 * store_import_begin): all or nothing, and simply run again after an interruption. */
#define IMPORT_BATCH_ROWS 50000

typedef struct import_stats {
  uint64_t rows;       /* data rows read */
  uint64_t imported;   /* new persons stored */
  uint64_t duplicates; /* rows already imported before */
  uint64_t rejected;   /* rows refused, each written to the rejects file */
} import_stats_t;

/* Called now and then with the bytes read so far, for a progress display. */
typedef void (*import_progress_fn)(void *ctx, uint64_t bytes, const import_stats_t *stats);

typedef struct import_options {
  const char *mapping;     /* user mapping 'Header=column,...', or NULL */
  const char *source;      /* recorded as each person's source; default "import" */
  int64_t owner_mission_id;
  FILE *rejects;           /* CSV of rejected rows (line, reason, the row), or NULL */
  import_progress_fn progress;
  void *progress_ctx;
} import_options_t;

/*
 * Imports every row of in. Returns BH_OK when the file could be read to its end (rejected rows
 * included), BH_ERR_INVALID with a message in err for a file that cannot be imported at all
 * (no header, missing full_name column, bad mapping), or another error for I/O or storage
 * failure (rows committed before it stay; an initial load keeps none).
 */
int import_persons(store_conn_t *c, const secret_t *keys, FILE *in, const import_options_t *opt,
                   import_stats_t *stats /* OUT */, char *err /* OUT */, size_t err_size);

/* Writes every person in scope as CSV (UTF-8 with BOM, CRLF) in the import format. */
int export_persons(store_conn_t *c, const store_scope_t *scope, FILE *out);

#endif
