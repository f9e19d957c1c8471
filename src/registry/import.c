/*
 * import.c - CSV import and export of the registry; see import.h.
 */
#include "registry/import.h"

#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/spec.h"
#include "domain/country.h"
#include "domain/model.h"
#include "domain/name.h"
#include "domain/pdate.h"
#include "formats/csv.h"
#include "store/store_import.h"
#include "util/arena.h"
#include "util/err.h"
#include "util/log.h"

enum import_col {
#define IMPORT_ENUM(name) COL_##name,
  IMPORT_COLUMNS(IMPORT_ENUM)
#undef IMPORT_ENUM
      COL_COUNT
};

static const char *const import_col_names[COL_COUNT] = {
#define IMPORT_NAME(name) #name,
    IMPORT_COLUMNS(IMPORT_NAME)
#undef IMPORT_NAME
};

/* The most arena one row may use beyond its own CSV text. */
#define IMPORT_ROW_ARENA (256 * 1024)

/* A field of the current row as a NUL-terminated string, or NULL when absent or empty. */
static const char *field(const csv_row_t *row, const int *map, enum import_col col) {
  int i = map[col];
  if (i < 0 || (size_t)i >= row->count || row->len[i] == 0) return NULL;
  return row->field[i];
}

/* Splits a ';'-separated cell into a JSON array of trimmed, checked items. */
static const char *split_list(const char *cell, spec_check_fn check, const char *const *values,
                              json_t **out) {
  *out = json_array();
  if (cell == NULL) return NULL;
  const char *p = cell;
  while (*p) {
    const char *end = strchr(p, ';');
    size_t len = end ? (size_t)(end - p) : strlen(p);
    while (len > 0 && (*p == ' ')) {
      p++;
      len--;
    }
    while (len > 0 && p[len - 1] == ' ') len--;
    if (len > 0) {
      char item[MODEL_SHORT_MAX + 1];
      if (len > MODEL_SHORT_MAX) return "has an item that is too long";
      memcpy(item, p, len);
      item[len] = '\0';
      if (check) {
        const char *why = check(item);
        if (why) return why;
      }
      if (values && model_enum_index(values, item) < 0) return "has an unknown value";
      if (json_array_size(*out) >= MODEL_LIST_MAX) return "has too many items";
      json_array_append_new(*out, json_string(item));
    }
    if (end == NULL) break;
    p = end + 1;
  }
  return NULL;
}

/* The reason a row is refused; field names the column. */
typedef struct reject {
  const char *column;
  const char *why;
} reject_t;

static int rejected(reject_t *rj, const char *column, const char *why) {
  rj->column = column;
  rj->why = why;
  return BH_ERR_INVALID;
}

/* Validates one row into p and pr (strings in arena a). */
static int row_build(const csv_row_t *row, const int *map, const import_options_t *opt,
                     const secret_t *keys, arena_t *a, person_t *p, presence_t *pr,
                     unsigned char import_key[SECRET_INDEX_BYTES], reject_t *rj) {
  for (size_t i = 0; i < row->count; i++) {
    if (!csv_field_valid_utf8(row->field[i], row->len[i])) {
      return rejected(rj, NULL, "contains text that is not UTF-8");
    }
  }
  const char *why;
  const char *full = field(row, map, COL_full_name);
  if (full == NULL) return rejected(rj, "full_name", "is required");
  /* spec_check_name's two tests (a non-empty NFC form, a non-empty fold of it) on the NFC form
   * kept here: Unicode normalisation is the costliest step of a row, so it runs once, and
   * spec_check_name is asked only for the reason of a name that fails. */
  char nfc[NAME_MAX_BYTES * 2], folded[NAME_MAX_BYTES * 2];
  size_t nlen = 0, flen = 0;
  if (name_nfc(full, strlen(full), nfc, sizeof(nfc), &nlen) != BH_OK || nlen == 0 ||
      name_fold(nfc, nlen, folded, sizeof(folded), &flen) != BH_OK || flen == 0) {
    why = spec_check_name(full);
    return rejected(rj, "full_name", why ? why : "is not a valid name");
  }
  p->full_name = arena_strndup(a, nfc, nlen);
  if ((why = split_list(field(row, map, COL_other_names), spec_check_name, NULL, &p->other_names))) {
    return rejected(rj, "other_names", why);
  }
  const char *sex = field(row, map, COL_sex);
  p->sex = sex ? sex : "U";
  if (model_enum_index(model_sexes, p->sex) < 0) return rejected(rj, "sex", "must be F, M, X or U");
  p->date_of_birth = field(row, map, COL_date_of_birth);
  if (p->date_of_birth && (why = spec_check_birth_date(p->date_of_birth))) {
    return rejected(rj, "date_of_birth", why);
  }
  p->national_id = field(row, map, COL_national_id);
  if (p->national_id && (why = spec_check_number(p->national_id))) return rejected(rj, "national_id", why);
  p->passport = field(row, map, COL_passport);
  if (p->passport && (why = spec_check_number(p->passport))) return rejected(rj, "passport", why);
  if ((why = split_list(field(row, map, COL_phones), spec_check_phone, NULL, &p->phones))) {
    return rejected(rj, "phones", why);
  }
  if ((why = split_list(field(row, map, COL_emails), spec_check_email, NULL, &p->emails))) {
    return rejected(rj, "emails", why);
  }
  p->home_province = field(row, map, COL_home_province);
  if (p->home_province && strlen(p->home_province) > MODEL_SHORT_MAX) {
    return rejected(rj, "home_province", "is too long");
  }
  if ((why = split_list(field(row, map, COL_flags), NULL, model_flags, &p->flags))) {
    return rejected(rj, "flags", why);
  }
  p->contacts = json_array();
  p->status = field(row, map, COL_status);
  if (p->status == NULL) p->status = "unknown";
  if (model_enum_index(model_statuses, p->status) < 0) {
    return rejected(rj, "status", "is not a known welfare status");
  }
  p->source = opt->source ? opt->source : "import";
  p->owner_mission_id = opt->owner_mission_id;
  p->preferred_language = field(row, map, COL_preferred_language);
  if (p->preferred_language == NULL) p->preferred_language = MODEL_LANGUAGE_DEFAULT;
  if (model_enum_index(model_languages, p->preferred_language) < 0) {
    return rejected(rj, "preferred_language", "must be vi or en");
  }

  const char *country = field(row, map, COL_country);
  if (country != NULL) {
    if (!country_valid(country)) return rejected(rj, "country", "must be an ISO 3166-1 alpha-2 code");
    memcpy(pr->country, country, 3);
    pr->region = field(row, map, COL_region);
    if (pr->region && strlen(pr->region) > 100) return rejected(rj, "region", "is too long");
    if (pr->region && strlen(pr->region) >= 3 && pr->region[2] == '-' &&
        !country_region_valid(pr->country, pr->region)) {
      return rejected(rj, "region", "must be an ISO 3166-2 code of the country, or a name");
    }
    pr->city = field(row, map, COL_city);
    pr->address = field(row, map, COL_address);
    if ((pr->city && strlen(pr->city) > 100) || (pr->address && strlen(pr->address) > 300)) {
      return rejected(rj, pr->city && strlen(pr->city) > 100 ? "city" : "address", "is too long");
    }
    pr->category = field(row, map, COL_category);
    if (pr->category == NULL) pr->category = "other";
    if (model_enum_index(model_categories, pr->category) < 0) {
      return rejected(rj, "category", "is not a known category");
    }
    pr->organisation = field(row, map, COL_organisation);
    if (pr->organisation && strlen(pr->organisation) > MODEL_SHORT_MAX) {
      return rejected(rj, "organisation", "is too long");
    }
    pr->date_from = field(row, map, COL_from);
    pr->date_until = field(row, map, COL_until);
    if (pr->date_from && (why = spec_check_date(pr->date_from))) return rejected(rj, "from", why);
    if (pr->date_until && (why = spec_check_date(pr->date_until))) return rejected(rj, "until", why);
  } else if (field(row, map, COL_city) || field(row, map, COL_category)) {
    return rejected(rj, "country", "is required when the row has a presence");
  }

  /* The import key: external_id when given, else the person's identity. */
  crypto_generichash_state st;
  crypto_generichash_init(&st, keys->index, sizeof(keys->index), SECRET_INDEX_BYTES);
  const char *ext = field(row, map, COL_external_id);
  if (ext != NULL) {
    crypto_generichash_update(&st, (const unsigned char *)"ext", 4);
    crypto_generichash_update(&st, (const unsigned char *)ext, strlen(ext));
  } else {
    const char *parts[] = {p->full_name, p->date_of_birth, p->national_id, p->passport,
                           country};
    crypto_generichash_update(&st, (const unsigned char *)"row", 4);
    for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
      const char *s = parts[i] ? parts[i] : "";
      crypto_generichash_update(&st, (const unsigned char *)s, strlen(s) + 1);
    }
  }
  crypto_generichash_final(&st, import_key, SECRET_INDEX_BYTES);
  p->import_key = (const char *)import_key;
  return BH_OK;
}

static void reject_write(csv_writer_t *w, const csv_row_t *row, const char *reason) {
  if (w == NULL) return;
  char line[32];
  snprintf(line, sizeof(line), "%llu", (unsigned long long)row->line);
  csv_write_field(w, line, strlen(line));
  csv_write_field(w, reason, strlen(reason));
  for (size_t i = 0; row->field && i < row->count; i++) csv_write_field(w, row->field[i], row->len[i]);
  csv_end_row(w);
}

/*
 * The import is a pipeline. A parser thread reads the CSV and validates and prepares each row
 * into a chunk of ready persons; the calling thread, which owns the store connection, stores
 * the chunks in order. During an initial load whose name index the store builds apart
 * (store_import_names), a third thread, the names thread, then indexes the names of each stored
 * chunk (their ids are known only once stored), so that the FTS5 work leaves the store thread.
 * Chunks cycle from the free list to the full list (parser), to the stored list (store, when
 * there is a names thread) and back to the free list, so memory stays bounded by IMPORT_CHUNKS
 * chunks whatever the file size. Rejected rows are written by the parser thread (the only user
 * of the rejects writer while it runs); a store or names failure stops every thread.
 */
#define IMPORT_CHUNK_ROWS 256
#define IMPORT_CHUNKS 6

/* One validated row, prepared for the store; its strings in the chunk's arena. */
typedef struct import_item {
  person_t p;
  presence_t pr;
  store_import_row_t row;
  unsigned char key[SECRET_INDEX_BYTES];
  uint64_t line;
} import_item_t;

typedef struct import_chunk {
  struct import_chunk *next;
  arena_t *a;
  import_item_t items[IMPORT_CHUNK_ROWS];
  size_t n;          /* items ready to store */
  uint64_t rows;     /* data rows read into this chunk, rejected ones included */
  uint64_t rejected; /* rows of this chunk refused and written to the rejects file */
  uint64_t offset;   /* input offset after the chunk, for progress */
  int last;          /* no chunk follows: end of input, or rc says why not */
  int rc;            /* BH_OK, or the fatal read error that ended the input */
  char err[160];
} import_chunk_t;

typedef struct import_pipe {
  csv_reader_t *rd;
  csv_writer_t *rw;
  const int *map;
  const import_options_t *opt;
  const secret_t *keys;
  pthread_mutex_t lock;
  pthread_cond_t cond;
  import_chunk_t *free_list;
  import_chunk_t *full_head, *full_tail;
  int stop; /* the store side gave up: the parser must return */
  store_import_names_t *names; /* the load's name index writer, or NULL */
  import_chunk_t *stored_head, *stored_tail; /* stored chunks waiting for the names thread */
  int stored_last; /* the store thread queues no more chunks */
  int names_rc;    /* BH_OK, or the error that stopped the names thread */
  int64_t parser_cpu_us, names_cpu_us; /* each thread's CPU time, written as it returns */
  import_chunk_t chunks[IMPORT_CHUNKS];
} import_pipe_t;

/* Copies the row's fields into arena a, so that they outlive the reader's next call. */
static int row_copy(const csv_row_t *src, arena_t *a, csv_row_t *dst) {
  *dst = *src;
  if (src->count == 0) return BH_OK;
  const char **field = arena_alloc(a, sizeof(*field) * src->count);
  size_t *len = arena_alloc(a, sizeof(*len) * src->count);
  if (field == NULL || len == NULL) return BH_ERR_NOMEM;
  for (size_t i = 0; i < src->count; i++) {
    field[i] = arena_strndup(a, src->field[i], src->len[i]);
    if (field[i] == NULL) return BH_ERR_NOMEM;
    len[i] = src->len[i];
  }
  dst->field = field;
  dst->len = len;
  return BH_OK;
}

/* Drops the chunk's rows (on the parser thread, before refilling it, so that the store thread
 * spends no time freeing); its arena keeps its memory for the next fill. */
static void chunk_release(import_chunk_t *k) {
  for (size_t i = 0; i < k->n; i++) person_clear(&k->items[i].p);
  arena_reset(k->a);
  k->n = 0;
}

/* Reads and validates rows into k until it is full or the input ends (k->last). */
static void chunk_fill(import_pipe_t *pp, import_chunk_t *k) {
  chunk_release(k);
  k->rows = k->rejected = 0;
  k->last = 0;
  k->rc = BH_OK;
  k->err[0] = '\0';
  k->offset = 0;
  if (k->a == NULL) k->a = arena_new((size_t)IMPORT_CHUNK_ROWS * (CSV_MAX_ROW + IMPORT_ROW_ARENA));
  if (k->a == NULL) {
    k->rc = BH_ERR_NOMEM;
    k->last = 1;
    return;
  }
  while (k->n < IMPORT_CHUNK_ROWS) {
    csv_row_t row;
    int rc = csv_read_row(pp->rd, &row);
    if (rc == CSV_EOF) {
      k->last = 1;
      return;
    }
    if (rc != BH_OK && rc != BH_ERR_INVALID && rc != BH_ERR_TOO_LARGE) {
      snprintf(k->err, sizeof(k->err), "reading stopped at line %llu: %s",
               (unsigned long long)row.line, csv_reader_error(pp->rd));
      k->rc = rc;
      k->last = 1;
      return;
    }
    k->rows++;
    k->offset = row.offset;
    if (rc != BH_OK) {
      char reason[300];
      snprintf(reason, sizeof(reason), "malformed CSV: %s", csv_reader_error(pp->rd));
      csv_row_t empty = {.line = row.line};
      reject_write(pp->rw, &empty, reason);
      k->rejected++;
      continue;
    }
    import_item_t *it = &k->items[k->n];
    memset(it, 0, sizeof(*it));
    it->line = row.line;
    csv_row_t own;
    reject_t rj = {0};
    int brc = row_copy(&row, k->a, &own);
    if (brc == BH_OK) brc = row_build(&own, pp->map, pp->opt, pp->keys, k->a, &it->p, &it->pr,
                                      it->key, &rj);
    if (brc == BH_OK) {
      /* Everything the store would compute (JSON texts, name key, sealing) is done here, on
       * the parser thread, so that the store thread only binds and steps. */
      it->p.import_key = (const char *)it->key;
      brc = store_import_prepare(pp->keys, &it->p, it->pr.country[0] ? &it->pr : NULL, k->a,
                                 &it->row);
      if (brc != BH_OK && brc != BH_ERR_NOMEM) {
        brc = brc == BH_ERR_TOO_LARGE
                  ? rejected(&rj, "other_names", "make too many distinct name words")
                  : rejected(&rj, NULL, "has an identity number that cannot be stored");
      }
    }
    if (brc == BH_ERR_NOMEM) {
      person_clear(&it->p);
      k->rc = BH_ERR_NOMEM;
      k->last = 1;
      return;
    }
    if (brc != BH_OK) {
      char reason[300];
      snprintf(reason, sizeof(reason), "%s%s%s", rj.column ? rj.column : "", rj.column ? " " : "",
               rj.why);
      reject_write(pp->rw, &row, reason);
      person_clear(&it->p);
      k->rejected++;
      continue;
    }
    k->n++;
  }
}

/* CPU time of the calling thread, in microseconds (0 when the clock is missing). */
static int64_t import_thread_cpu_us(void) {
  struct timespec ts;
  if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) != 0) return 0;
  return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* The parser thread: fills free chunks and queues them until the input ends or stop is set. */
static void *import_parser_main(void *arg) {
  import_pipe_t *pp = arg;
  for (;;) {
    pthread_mutex_lock(&pp->lock);
    while (pp->free_list == NULL && !pp->stop) pthread_cond_wait(&pp->cond, &pp->lock);
    import_chunk_t *k = pp->free_list;
    if (pp->stop) {
      pthread_mutex_unlock(&pp->lock);
      pp->parser_cpu_us = import_thread_cpu_us();
      return NULL;
    }
    pp->free_list = k->next;
    pthread_mutex_unlock(&pp->lock);
    chunk_fill(pp, k);
    pthread_mutex_lock(&pp->lock);
    k->next = NULL;
    if (pp->full_tail) {
      pp->full_tail->next = k;
    } else {
      pp->full_head = k;
    }
    pp->full_tail = k;
    pthread_cond_broadcast(&pp->cond);
    pthread_mutex_unlock(&pp->lock);
    if (k->last) {
      pp->parser_cpu_us = import_thread_cpu_us();
      return NULL;
    }
  }
}

/* Indexes the names of the persons of stored chunk k; BH_OK or the error of the index. */
static int chunk_names(store_import_names_t *names, const import_chunk_t *k) {
  int rc = BH_OK;
  for (size_t i = 0; i < k->n && rc == BH_OK; i++) {
    const import_item_t *it = &k->items[i];
    /* A row imported before (a duplicate) got no id. */
    if (it->p.id > 0) rc = store_import_names_add(names, it->p.id, it->row.name_key);
  }
  return rc;
}

/* The names thread: indexes stored chunks in order, then hands them back to the parser. */
static void *import_names_main(void *arg) {
  import_pipe_t *pp = arg;
  pthread_mutex_lock(&pp->lock);
  for (;;) {
    while (pp->stored_head == NULL && !pp->stored_last) pthread_cond_wait(&pp->cond, &pp->lock);
    import_chunk_t *k = pp->stored_head;
    if (k == NULL) break;
    pp->stored_head = k->next;
    if (pp->stored_head == NULL) pp->stored_tail = NULL;
    int failed = pp->names_rc != BH_OK;
    pthread_mutex_unlock(&pp->lock);
    int rc = failed ? BH_OK : chunk_names(pp->names, k);
    pthread_mutex_lock(&pp->lock);
    if (rc != BH_OK) {
      pp->names_rc = rc;
      pp->stop = 1;
    }
    k->next = pp->free_list;
    pp->free_list = k;
    pthread_cond_broadcast(&pp->cond);
  }
  pthread_mutex_unlock(&pp->lock);
  pp->names_cpu_us = import_thread_cpu_us();
  return NULL;
}

/* Stores the prepared rows of chunk k at once (store_import_add_many); BH_OK, or the fatal store
 * error with the line of the row it stopped at in err. Updates imported / duplicates. */
static int chunk_store(store_conn_t *c, import_chunk_t *k, import_stats_t *stats, char *err,
                       size_t err_size) {
  store_import_row_t *rows[IMPORT_CHUNK_ROWS];
  int rcs[IMPORT_CHUNK_ROWS];
  for (size_t i = 0; i < k->n; i++) rows[i] = &k->items[i].row;
  int rc = store_import_add_many(c, rows, k->n, rcs);
  for (size_t i = 0; i < k->n; i++) {
    if (rcs[i] == BH_ERR_CONFLICT) {
      stats->duplicates++;
    } else if (rcs[i] == BH_OK) {
      stats->imported++;
    } else {
      snprintf(err, err_size, "storing line %llu failed", (unsigned long long)k->items[i].line);
      return rc != BH_OK ? rc : rcs[i];
    }
  }
  return rc;
}

int import_persons(store_conn_t *c, const secret_t *keys, FILE *in, const import_options_t *opt,
                   import_stats_t *stats, char *err, size_t err_size) {
  csv_reader_options_t ropt;
  csv_reader_options_init(&ropt);
  ropt.delimiter = CSV_DELIM_AUTO;
  csv_reader_t *rd = NULL;
  csv_writer_t *rw = NULL;
  import_pipe_t *pp = NULL;
  int threaded = 0, in_import = 0;
  memset(stats, 0, sizeof(*stats));
  int rc = csv_reader_open_file(in, &ropt, &rd);
  if (rc != BH_OK) {
    snprintf(err, err_size, "cannot read the file");
    return rc;
  }
  csv_row_t row;
  rc = csv_read_row(rd, &row);
  if (rc != BH_OK) {
    snprintf(err, err_size, "%s", rc == CSV_EOF ? "the file is empty: no header row"
                                                 : csv_reader_error(rd));
    rc = BH_ERR_INVALID;
    goto out;
  }
  int map[COL_COUNT];
  char msg[256] = "";
  rc = csv_map_columns(&row, import_col_names, COL_COUNT, opt->mapping, map, msg, sizeof(msg));
  if (rc != BH_OK) {
    snprintf(err, err_size, "%s", msg[0] ? msg : "the header cannot be mapped");
    rc = BH_ERR_INVALID;
    goto out;
  }
  if (map[COL_full_name] < 0) {
    snprintf(err, err_size, "the file has no full_name column (use --map 'Header=full_name')");
    rc = BH_ERR_INVALID;
    goto out;
  }
  if (opt->rejects != NULL) {
    csv_writer_options_t wopt;
    csv_writer_options_init(&wopt);
    wopt.bom = 1;
    if (csv_writer_open(opt->rejects, &wopt, &rw) == BH_OK) {
      static const char *const head[] = {"line", "reason"};
      for (size_t i = 0; i < 2; i++) csv_write_field(rw, head[i], strlen(head[i]));
      for (size_t i = 0; i < row.count; i++) csv_write_field(rw, row.field[i], row.len[i]);
      csv_end_row(rw);
    }
  }
  pp = calloc(1, sizeof(*pp));
  if (pp == NULL) {
    rc = BH_ERR_NOMEM;
    goto out;
  }
  pp->rd = rd;
  pp->rw = rw;
  pp->map = map;
  pp->opt = opt;
  pp->keys = keys;
  for (size_t i = 0; i < IMPORT_CHUNKS; i++) {
    pp->chunks[i].next = pp->free_list;
    pp->free_list = &pp->chunks[i];
  }
  pthread_mutex_init(&pp->lock, NULL);
  pthread_cond_init(&pp->cond, NULL);
  pthread_t parser, names_thread;
  int names_threaded = 0;
  /* Without a second thread the same chunks are filled inline, one at a time. */
  threaded = pthread_create(&parser, NULL, import_parser_main, pp) == 0;
  uint64_t in_batch_rows = 0;
  int last = 0;
  rc = BH_OK;
  while (!last && rc == BH_OK) {
    import_chunk_t *k;
    if (threaded) {
      pthread_mutex_lock(&pp->lock);
      while (pp->full_head == NULL && pp->names_rc == BH_OK) {
        pthread_cond_wait(&pp->cond, &pp->lock);
      }
      k = pp->full_head;
      if (k == NULL) {
        /* The names thread failed; the parser has stopped. */
        rc = pp->names_rc;
        snprintf(err, err_size, "indexing names failed");
        pthread_mutex_unlock(&pp->lock);
        break;
      }
      pp->full_head = k->next;
      if (pp->full_head == NULL) pp->full_tail = NULL;
      pthread_mutex_unlock(&pp->lock);
    } else {
      k = pp->free_list;
      chunk_fill(pp, k);
    }
    last = k->last;
    stats->rows += k->rows;
    stats->rejected += k->rejected;
    if (k->rc != BH_OK) {
      snprintf(err, err_size, "%s", k->err[0] ? k->err : bh_err_str(k->rc));
      rc = k->rc;
    }
    if (k->n > 0 && rc == BH_OK && !in_import) {
      int initial;
      rc = store_import_begin(c, &initial);
      if (rc == BH_OK) {
        in_import = 1;
        pp->names = store_import_names(c);
        names_threaded = threaded && pp->names != NULL &&
                         pthread_create(&names_thread, NULL, import_names_main, pp) == 0;
      }
    }
    if (k->n > 0 && rc == BH_OK) rc = chunk_store(c, k, stats, err, err_size);
    if (k->n > 0 && rc == BH_OK && (in_batch_rows += k->n) >= IMPORT_BATCH_ROWS) {
      rc = store_import_batch(c);
      in_batch_rows = 0;
    }
    if (opt->progress && k->rows > 0) opt->progress(opt->progress_ctx, k->offset, stats);
    if (pp->names != NULL && !names_threaded && rc == BH_OK) {
      rc = chunk_names(pp->names, k);
      if (rc != BH_OK) snprintf(err, err_size, "indexing names failed");
    }
    if (threaded) {
      pthread_mutex_lock(&pp->lock);
      k->next = NULL;
      if (names_threaded) {
        if (pp->stored_tail) {
          pp->stored_tail->next = k;
        } else {
          pp->stored_head = k;
        }
        pp->stored_tail = k;
      } else {
        k->next = pp->free_list;
        pp->free_list = k;
      }
      if (rc != BH_OK) pp->stop = 1;
      pthread_cond_broadcast(&pp->cond);
      pthread_mutex_unlock(&pp->lock);
    }
  }
  if (names_threaded) {
    pthread_mutex_lock(&pp->lock);
    pp->stored_last = 1;
    pthread_cond_broadcast(&pp->cond);
    pthread_mutex_unlock(&pp->lock);
    pthread_join(names_thread, NULL);
    if (rc == BH_OK && pp->names_rc != BH_OK) {
      rc = pp->names_rc;
      snprintf(err, err_size, "indexing names failed");
    }
  }
  if (threaded) {
    pthread_join(parser, NULL);
  }
  for (size_t i = 0; i < IMPORT_CHUNKS; i++) {
    chunk_release(&pp->chunks[i]);
    arena_free(pp->chunks[i].a);
  }
  pthread_cond_destroy(&pp->cond);
  pthread_mutex_destroy(&pp->lock);
  if (in_import) {
    int erc = store_import_end(c, rc == BH_OK);
    if (rc == BH_OK) rc = erc;
  }
  /* Where the CPU went, per thread (bench/run.sh import reads this line). Without threads the
   * store thread did everything. */
  log_info("msg=\"import: thread CPU\" store_ms=%lld parser_ms=%lld names_ms=%lld",
           (long long)(import_thread_cpu_us() / 1000), (long long)(pp->parser_cpu_us / 1000),
           (long long)(pp->names_cpu_us / 1000));
out:
  free(pp);
  csv_writer_free(rw);
  csv_reader_free(rd);
  return rc;
}

/* ---- export ---- */

struct export_ctx {
  csv_writer_t *w;
};

static void put(csv_writer_t *w, const char *s) { csv_write_field(w, s ? s : "", s ? strlen(s) : 0); }

static void put_list(csv_writer_t *w, const json_t *arr) {
  char cell[4096];
  size_t o = 0;
  size_t i;
  const json_t *v;
  cell[0] = '\0';
  json_array_foreach(arr, i, v) {
    const char *s = json_string_value(v);
    if (s == NULL) continue;
    int n = snprintf(cell + o, sizeof(cell) - o, "%s%s", o ? ";" : "", s);
    if (n < 0 || (size_t)n >= sizeof(cell) - o) break;
    o += (size_t)n;
  }
  put(w, cell);
}

static int export_row(void *vctx, const person_t *p, const presence_t *pr) {
  struct export_ctx *x = vctx;
  csv_writer_t *w = x->w;
  char ext[32];
  snprintf(ext, sizeof(ext), "baoho-%lld", (long long)p->id);
  put(w, ext);
  put(w, p->full_name);
  put_list(w, p->other_names);
  put(w, p->sex);
  put(w, p->date_of_birth);
  put(w, p->national_id);
  put(w, p->passport);
  put_list(w, p->phones);
  put_list(w, p->emails);
  put(w, p->home_province);
  put_list(w, p->flags);
  put(w, pr ? pr->country : NULL);
  put(w, pr ? pr->region : NULL);
  put(w, pr ? pr->city : NULL);
  put(w, pr ? pr->address : NULL);
  put(w, pr ? pr->category : NULL);
  put(w, pr ? pr->organisation : NULL);
  put(w, pr ? pr->date_from : NULL);
  put(w, pr ? pr->date_until : NULL);
  put(w, p->status);
  put(w, p->preferred_language ? p->preferred_language : MODEL_LANGUAGE_DEFAULT);
  return csv_end_row(w) == BH_OK ? 0 : 1;
}

int export_persons(store_conn_t *c, const store_scope_t *scope, FILE *out) {
  csv_writer_options_t wopt;
  csv_writer_options_init(&wopt);
  wopt.bom = 1;
  csv_writer_t *w = NULL;
  int rc = csv_writer_open(out, &wopt, &w);
  if (rc != BH_OK) return rc;
  for (size_t i = 0; i < COL_COUNT; i++) put(w, import_col_names[i]);
  csv_end_row(w);
  struct export_ctx x = {.w = w};
  rc = store_person_each(c, scope, NULL, export_row, &x);
  csv_writer_free(w);
  return rc;
}
