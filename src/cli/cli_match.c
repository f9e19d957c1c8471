/*
 * cli_match.c - `baoho match LIST.csv --against OTHER.csv`: find the people of a list (a foreign
 * authority's, typically) among the records of another file, with no database.
 *
 * The file given with --against is loaded into a matching index through a match_source_t over
 * its CSV rows. Without --against, the list is matched against the registry: every person of
 * the database (--db, or BAOHO_DB, as for the other subcommands) is read through the store, with
 * identity numbers opened in memory only, into a list_index (registry/list_index.h), and each
 * candidate is written as the person's opaque public id, nothing else of the person. The list is
 * then read in chunks, matched on all cores and written as one row per query and candidate. A
 * malformed row, a field that is not UTF-8 or a row without a name is reported on stderr with its
 * line and skipped; only an unusable file (missing, empty, no name column) stops the run.
 *
 * Against the registry, the open missing-person cases are candidates too (list_index.h): the
 * unregistered subject of a case is written as the case's opaque id with candidate_kind "case",
 * and a person linked to an open missing-person case as the person, with the case's id and a
 * note beside it. Those three columns (candidate_kind, case_id, note) follow the six.
 */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "domain/pdate.h"
#include "formats/csv.h"
#include "match/match_run.h"
#include "registry/list_index.h"
#include "util/clock.h"
#include "util/err.h"

/* Queries matched per chunk (read, matched on all threads, written). */
#define CLI_MATCH_CHUNK 4096
/* A row is reported at most this many times per file; later bad rows are only counted. */
#define CLI_MATCH_MAX_REPORTS 50

static const char match_usage[] =
    "usage: baoho match LIST.csv [--against OTHER.csv | --db PATH] [--map 'Header=role,...']\n"
    "                   [--against-map 'Header=role,...'] [--out FILE] [--format csv|json]\n"
    "                   [--top K] [--ref-date YYYY-MM-DD] [--threads N] [--country XX]\n"
    "Finds each person of LIST among the records of OTHER (or, without --against, among the\n"
    "persons of the registry in the database) and writes, for each list row and\n"
    "candidate: query_id, rank, candidate_id, probability, band (strong, review, none) and an\n"
    "explanation per field. A row with no candidate gets one line with band none.\n"
    "Columns are found by header or mapped with --map (for LIST) and --against-map (for OTHER).\n"
    "Roles: id, full_name, family_name, given_name, middle_name, date_of_birth (ISO, YYYYMMDD,\n"
    "DD/MM/YYYY), age, sex, id_number, province, postcode, address, city, and for OTHER\n"
    "country (the countries a record is known to be in, ISO codes such as MM or \"MM,TH\");\n"
    "other columns are ignored. OTHER's full names are read family name first (Vietnamese\n"
    "order); LIST's in any order. Ages are taken at --ref-date (default today). --top is 1..20\n"
    "(default 5).\n"
    "--country XX: the country whose authorities handed the list over (ISO 3166-1 alpha-2).\n"
    "A candidate the registry knows to be present in XX (any presence, current or past; for\n"
    "OTHER, its country column) weighs more, one known not to be there a little less, and the\n"
    "explanation says \"country: registered in XX\" or \"country: not registered in XX\". It\n"
    "never alone makes a candidate strong. Without --country (or against a file without a\n"
    "country column) where the list comes from is not used.\n"
    "Candidates of equal probability share a rank (1, 1, 3).\n"
    "Against the registry, candidate_id is the person's opaque id (as in the API), and the\n"
    "run is recorded in the audit log. Open missing-person cases are candidates as well:\n"
    "three more columns say candidate_kind (person or case), case_id (the case, or an open\n"
    "missing-person case of the person) and a note.\n";

typedef enum {
  COL_ID = 0,
  COL_FULL_NAME,
  COL_FAMILY,
  COL_GIVEN,
  COL_MIDDLE,
  COL_DOB,
  COL_AGE,
  COL_SEX,
  COL_ID_NUMBER,
  COL_PROVINCE,
  COL_POSTCODE,
  COL_ADDRESS,
  COL_CITY,
  COL_COUNTRY, /* OTHER only: the record's presence countries */
  COL_COUNT
} cli_col_t;

static const char *const match_roles[COL_COUNT] = {
    "id",          "full_name",     "family_name", "given_name", "middle_name",
    "date_of_birth", "age",         "sex",         "id_number",  "province",
    "postcode",    "address",       "city",        "country"};

/* One CSV file being read as records: the reader, its column map and the current row. */
typedef struct {
  const char *path;
  FILE *f;
  csv_reader_t *r;
  int col[COL_COUNT];
  csv_row_t row;
  char rowid[32];
  match_order_t order;
  int with_countries; /* the file is OTHER: its country column gives records' countries */
  size_t bad, reported;
  long size;
} cli_file_t;

static void cli_file_close(cli_file_t *cf) {
  csv_reader_free(cf->r);
  if (cf->f) fclose(cf->f);
  cf->r = NULL;
  cf->f = NULL;
}

/* Reports a skipped row (the first CLI_MATCH_MAX_REPORTS of a file) and counts it. */
static void cli_file_bad(cli_file_t *cf, uint64_t line, const char *why) {
  cf->bad++;
  if (cf->reported++ < CLI_MATCH_MAX_REPORTS)
    fprintf(stderr, "baoho match: %s:%llu: %s; row skipped\n", cf->path, (unsigned long long)line,
            why);
  else if (cf->reported == CLI_MATCH_MAX_REPORTS + 1)
    fprintf(stderr, "baoho match: %s: further bad rows are only counted\n", cf->path);
}

/* Opens path, reads its header and maps the roles. Prints the reason and returns non-zero when
 * the file cannot be used. */
static int cli_file_open(cli_file_t *cf, const char *path, const char *mapping,
                         match_order_t order) {
  char msg[256];
  csv_reader_options_t o;
  memset(cf, 0, sizeof *cf);
  cf->path = path;
  cf->order = order;
  cf->f = fopen(path, "rb");
  if (cf->f == NULL) {
    fprintf(stderr, "baoho match: cannot open %s: %s\n", path, strerror(errno));
    return CLI_EXIT_FAIL;
  }
  if (fseek(cf->f, 0, SEEK_END) == 0) {
    cf->size = ftell(cf->f);
    rewind(cf->f);
  }
  csv_reader_options_init(&o);
  o.delimiter = CSV_DELIM_AUTO;
  if (csv_reader_open_file(cf->f, &o, &cf->r) != BH_OK) {
    fprintf(stderr, "baoho match: cannot read %s\n", path);
    return CLI_EXIT_FAIL;
  }
  int rc = csv_read_row(cf->r, &cf->row);
  if (rc == CSV_EOF) {
    fprintf(stderr, "baoho match: %s is empty (a header line is needed)\n", path);
    return CLI_EXIT_FAIL;
  }
  if (rc != BH_OK) {
    fprintf(stderr, "baoho match: %s: the header line cannot be read: %s\n", path,
            csv_reader_error(cf->r));
    return CLI_EXIT_FAIL;
  }
  for (size_t k = 0; k < cf->row.count; k++)
    if (!csv_field_valid_utf8(cf->row.field[k], cf->row.len[k])) {
      fprintf(stderr,
              "baoho match: %s: the header is not UTF-8; save the file as UTF-8 or UTF-16 "
              "(\"Unicode text\")\n",
              path);
      return CLI_EXIT_FAIL;
    }
  if (csv_map_columns(&cf->row, match_roles, COL_COUNT, mapping, cf->col, msg, sizeof msg) !=
      BH_OK) {
    fprintf(stderr, "baoho match: %s: %s\n", path, msg);
    return CLI_EXIT_USAGE;
  }
  if (cf->col[COL_FULL_NAME] < 0 && cf->col[COL_FAMILY] < 0 && cf->col[COL_GIVEN] < 0) {
    fprintf(stderr,
            "baoho match: %s has no name column: name one full_name (or family_name and "
            "given_name), or map it with --map 'Header=full_name'\n",
            path);
    return CLI_EXIT_USAGE;
  }
  return CLI_EXIT_OK;
}

/* The text of role in the current row, or NULL when the file has no such column. */
static const char *cli_field(const cli_file_t *cf, cli_col_t role) {
  int k = cf->col[role];
  return k >= 0 && (size_t)k < cf->row.count ? cf->row.field[k] : NULL;
}

/* Reads an age: 0..150, digits only (spaces around allowed); -1 when absent or unreadable. */
static int cli_age(const char *s) {
  if (s == NULL) return -1;
  while (*s == ' ') s++;
  int v = 0, n = 0;
  for (; *s >= '0' && *s <= '9' && n < 4; s++, n++) v = v * 10 + (*s - '0');
  while (*s == ' ') s++;
  return n > 0 && *s == '\0' && v <= 150 ? v : -1;
}

/* match_source_t.next over a CSV file: the next good row as a match_input_t. Bad rows are
 * reported here and returned as BH_ERR_INVALID. */
static int cli_source_next(void *ctx, match_input_t *in) {
  cli_file_t *cf = ctx;
  int rc = csv_read_row(cf->r, &cf->row);
  if (rc == CSV_EOF) return MATCH_SOURCE_END;
  if (rc == BH_ERR_INVALID || rc == BH_ERR_TOO_LARGE) {
    cli_file_bad(cf, cf->row.line, csv_reader_error(cf->r));
    return BH_ERR_INVALID;
  }
  if (rc != BH_OK) {
    fprintf(stderr, "baoho match: %s: read error\n", cf->path);
    return rc;
  }
  for (int k = 0; k < COL_COUNT; k++) {
    int c = cf->col[k];
    if (c >= 0 && (size_t)c < cf->row.count &&
        !csv_field_valid_utf8(cf->row.field[c], cf->row.len[c])) {
      cli_file_bad(cf, cf->row.line, "text is not UTF-8 (is the file in another encoding?)");
      return BH_ERR_INVALID;
    }
  }
  memset(in, 0, sizeof *in);
  in->id = cli_field(cf, COL_ID);
  if (in->id == NULL || in->id[0] == '\0') {
    snprintf(cf->rowid, sizeof cf->rowid, "line %llu", (unsigned long long)cf->row.line);
    in->id = cf->rowid;
  }
  in->full_name = cli_field(cf, COL_FULL_NAME);
  in->family_name = cli_field(cf, COL_FAMILY);
  in->given_name = cli_field(cf, COL_GIVEN);
  in->middle_name = cli_field(cf, COL_MIDDLE);
  in->date_of_birth = cli_field(cf, COL_DOB);
  in->age = cli_age(cli_field(cf, COL_AGE));
  in->sex = cli_field(cf, COL_SEX);
  in->id_number[0] = cli_field(cf, COL_ID_NUMBER);
  in->province = cli_field(cf, COL_PROVINCE);
  in->postcode = cli_field(cf, COL_POSTCODE);
  in->address = cli_field(cf, COL_ADDRESS);
  in->city = cli_field(cf, COL_CITY);
  /* An empty cell says nothing of where the record is: no evidence, as without the column. */
  const char *ctry = cf->with_countries ? cli_field(cf, COL_COUNTRY) : NULL;
  in->countries = ctry && ctry[0] ? ctry : NULL;
  in->order = cf->order;
  return BH_OK;
}

/* Loads the --against file into idx, reporting refused rows. */
static int cli_load_against(cli_file_t *cf, match_index_t *idx) {
  match_source_t src = {cf, cli_source_next};
  match_input_t in;
  for (;;) {
    int rc = src.next(src.ctx, &in);
    if (rc == MATCH_SOURCE_END) return CLI_EXIT_OK;
    if (rc == BH_ERR_INVALID) continue;
    if (rc != BH_OK) return CLI_EXIT_FAIL;
    rc = match_index_add(idx, &in, NULL);
    if (rc == BH_ERR_INVALID) {
      cli_file_bad(cf, cf->row.line, "no usable name");
    } else if (rc != BH_OK) {
      fprintf(stderr, "baoho match: %s: %s\n", cf->path, bh_err_str(rc));
      return CLI_EXIT_FAIL;
    }
  }
}

/* The output: CSV writer or JSON array. */
typedef struct {
  int json;
  int registry; /* the three columns of the registry's candidates follow */
  FILE *f;
  csv_writer_t *w;
  size_t rows;
} cli_out_t;

/* What a registry candidate adds: its kind, a case id and a note (each may be NULL). */
typedef struct {
  const char *kind, *case_id, *note;
} cli_extra_t;

/* The note beside a person for whom a missing-person case is open. */
static const char cli_open_case_note[] = "a missing-person case is open for this person";

static int cli_out_row(cli_out_t *o, const char *qid, int rank, const char *cid, double p,
                       const char *band, const char *explain, const cli_extra_t *x) {
  static const cli_extra_t none = {NULL, NULL, NULL};
  if (x == NULL) x = &none;
  if (o->json) {
    json_t *obj = json_pack("{s:s, s:i, s:s?, s:f, s:s, s:s}", "query_id", qid, "rank", rank,
                            "candidate_id", cid, "probability", p, "band", band, "explanation",
                            explain);
    if (obj != NULL && o->registry)
      json_object_update_missing_new(
          obj, json_pack("{s:s?, s:s?, s:s?}", "candidate_kind", x->kind, "case_id", x->case_id,
                         "note", x->note));
    if (obj == NULL) return BH_ERR_INVALID;
    int rc = fputs(o->rows ? ",\n  " : "[\n  ", o->f) == EOF ||
                     json_dumpf(obj, o->f, JSON_COMPACT | JSON_REAL_PRECISION(6)) != 0
                 ? BH_ERR_IO
                 : BH_OK;
    json_decref(obj);
    o->rows++;
    return rc;
  }
  char num[32], prob[32];
  snprintf(num, sizeof num, "%d", rank);
  snprintf(prob, sizeof prob, "%.4f", p);
  const char *cells[9] = {qid,  num,  cid ? cid : "", prob, band, explain,
                          x->kind ? x->kind : "", x->case_id ? x->case_id : "",
                          x->note ? x->note : ""};
  int ncells = o->registry ? 9 : 6;
  for (int k = 0; k < ncells; k++)
    if (csv_write_field(o->w, cells[k], strlen(cells[k])) != BH_OK) return BH_ERR_IO;
  o->rows++;
  return csv_end_row(o->w);
}

/* Writes the rows of one matched chunk. */
static int cli_write_chunk(cli_out_t *o, const match_index_t *idx, char (*qid)[64],
                           const match_result_t *res, size_t n) {
  for (size_t i = 0; i < n; i++) {
    const match_result_t *r = &res[i];
    int rc = BH_OK;
    if (r->nhit == 0)
      rc = cli_out_row(o, qid[i], 0, NULL, 0.0, "none", "no candidate found", NULL);
    for (int h = 0; rc == BH_OK && h < r->nhit; h++)
      rc = cli_out_row(o, qid[i], r->hit[h].rank, match_index_external_id(idx, r->hit[h].cand),
                       r->hit[h].probability, match_band_name(r->hit[h].band),
                       r->hit[h].explain, NULL);
    if (rc != BH_OK) return rc;
  }
  return BH_OK;
}

/* Writes the rows of one chunk matched against the registry: candidates as opaque person or
 * case ids. */
static int cli_write_chunk_registry(cli_out_t *o, const secret_t *keys, char (*qid)[64],
                                    const list_result_t *res, size_t n) {
  for (size_t i = 0; i < n; i++) {
    const list_result_t *r = &res[i];
    int rc = BH_OK;
    if (r->nhit == 0)
      rc = cli_out_row(o, qid[i], 0, NULL, 0.0, "none", "no candidate found", NULL);
    for (int h = 0; rc == BH_OK && h < r->nhit; h++) {
      const list_hit_t *x = &r->hit[h];
      char pub[PUBID_LEN + 1], kase[PUBID_LEN + 1];
      if (x->case_id != 0) pubid_encode(keys, PUBID_CASE, x->case_id, kase);
      if (x->person_id != 0) pubid_encode(keys, PUBID_PERSON, x->person_id, pub);
      cli_extra_t extra = {x->person_id ? "person" : "case", x->case_id ? kase : NULL,
                           x->person_id && x->case_id ? cli_open_case_note : NULL};
      rc = cli_out_row(o, qid[i], x->rank, x->person_id ? pub : kase, x->probability,
                       match_band_name(x->band), x->explain, &extra);
    }
    if (rc != BH_OK) return rc;
  }
  return BH_OK;
}

/* Today's date (UTC) as year, month, day. */
static void cli_today(int *y, int *m, int *d) {
  char ts[PDATE_TIMESTAMP_SIZE];
  pdate_t p;
  pdate_format_timestamp(clock_now(), ts);
  ts[10] = '\0';
  if (pdate_parse(ts, &p) != BH_OK) {
    p.year = 2025;
    p.month = 1;
    p.day = 1;
  }
  *y = p.year;
  *m = p.month;
  *d = p.day;
}

int cli_match(int argc, char **argv) {
  static const struct option opts[] = {
      {"against", required_argument, NULL, 'a'}, {"map", required_argument, NULL, 'm'},
      {"against-map", required_argument, NULL, 'M'}, {"out", required_argument, NULL, 'o'},
      {"format", required_argument, NULL, 'f'},  {"top", required_argument, NULL, 'k'},
      {"ref-date", required_argument, NULL, 'r'}, {"threads", required_argument, NULL, 't'},
      {"db", required_argument, NULL, 'd'},      {"help", no_argument, NULL, 'h'},
      {"country", required_argument, NULL, 'c'}, {NULL, 0, NULL, 0}};
  const char *against = NULL, *map = NULL, *amap = NULL, *out_path = NULL, *format = "csv";
  const char *ref = NULL, *db = NULL, *country = NULL;
  match_options_t mo;
  int c, status = CLI_EXIT_FAIL;
  match_options_init(&mo);
  optind = 1;
  while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
    switch (c) {
    case 'a': against = optarg; break;
    case 'm': map = optarg; break;
    case 'M': amap = optarg; break;
    case 'o': out_path = optarg; break;
    case 'f': format = optarg; break;
    case 'k': mo.top_k = cli_age(optarg); break;
    case 'r': ref = optarg; break;
    case 't': mo.threads = cli_age(optarg); break;
    case 'd': db = optarg; break;
    case 'c': country = optarg; break;
    case 'h': fputs(match_usage, stdout); return CLI_EXIT_OK;
    default: fputs(match_usage, stderr); return CLI_EXIT_USAGE;
    }
  }
  if (optind != argc - 1) {
    fprintf(stderr, "baoho match: give exactly one list file\n%s", match_usage);
    return CLI_EXIT_USAGE;
  }
  if (mo.top_k < 1 || mo.top_k > MATCH_TOP_MAX || mo.threads < 1 || mo.threads > 64) {
    fprintf(stderr, "baoho match: --top must be 1..%d and --threads 1..64\n", MATCH_TOP_MAX);
    return CLI_EXIT_USAGE;
  }
  if (strcmp(format, "csv") != 0 && strcmp(format, "json") != 0) {
    fprintf(stderr, "baoho match: --format must be csv or json\n");
    return CLI_EXIT_USAGE;
  }
  int ry, rm, rd;
  cli_today(&ry, &rm, &rd);
  if (ref) {
    pdate_t p;
    if (pdate_parse_loose(ref, &p) != BH_OK || p.day == 0) {
      fprintf(stderr, "baoho match: --ref-date must be a full date such as 2025-06-01\n");
      return CLI_EXIT_USAGE;
    }
    ry = p.year;
    rm = p.month;
    rd = p.day;
  }
  if (country != NULL && match_country_code(country) < 0) {
    fprintf(stderr, "baoho match: --country must be a two-letter ISO 3166-1 code such as MM\n");
    return CLI_EXIT_USAGE;
  }
  if (against != NULL && db != NULL) {
    fprintf(stderr, "baoho match: give --against (a file) or --db (the registry), not both\n");
    return CLI_EXIT_USAGE;
  }

  cli_file_t af, lf;
  match_index_t *owned_idx = NULL;
  const match_index_t *idx = NULL;
  list_index_t *li = NULL;
  store_t *store = NULL;
  secret_t keys;
  match_query_t *q = NULL;
  match_result_t *res = NULL;
  list_result_t *lres = NULL;
  char(*qid)[64] = NULL;
  cli_out_t out = {0};
  memset(&lf, 0, sizeof lf);
  memset(&af, 0, sizeof af);
  int64_t t0 = clock_mono_us();
  if (against == NULL) {
    /* The registry: every person, read through the store. */
    if ((status = cli_open_store(db ? db : CLI_DEFAULT_DB, NULL, STORE_SYNC_FULL, &keys,
                                 &store)) != CLI_EXIT_OK)
      goto out;
    status = CLI_EXIT_FAIL;
    size_t skipped = 0;
    int brc = list_index_build_with(store_conn(store), &STORE_SCOPE_ALL, &keys, mo.threads,
                                    LIST_INDEX_CASES, &li, &skipped);
    if (brc != BH_OK) {
      fprintf(stderr, "baoho match: the registry cannot be read: %s\n", bh_err_str(brc));
      goto out;
    }
    if (match_index_count(list_index_match(li)) == 0) {
      fprintf(stderr, "baoho match: the registry holds no person and no missing-person case\n");
      goto out;
    }
    /* Matching reads every person and open missing-person case of the registry: on record
     * before anything is written. */
    char detail[96];
    snprintf(detail, sizeof detail, "{\"persons\":%zu,\"missing_person_cases\":%zu}",
             list_index_persons(li), list_index_cases(li));
    audit_entry_t e = {.action = "person.match", .object_kind = "person", .client = "cli",
                       .detail = detail};
    if (store_audit_append(store_conn(store), &e) != BH_OK) {
      fprintf(stderr, "baoho match: the audit log could not be written\n");
      goto out;
    }
    idx = list_index_match(li);
    against = "the registry";
    af.bad = skipped;
  } else {
    if ((status = cli_file_open(&af, against, amap, MATCH_ORDER_FAMILY_FIRST)) != CLI_EXIT_OK)
      goto out;
    af.with_countries = 1;
    status = CLI_EXIT_FAIL;
    if (match_index_new(&owned_idx) != BH_OK) goto out;
    if (cli_load_against(&af, owned_idx) != CLI_EXIT_OK) goto out;
    if (match_index_count(owned_idx) == 0) {
      fprintf(stderr, "baoho match: %s has no usable record\n", against);
      goto out;
    }
    if (match_index_freeze(owned_idx, mo.threads) != BH_OK) goto out;
    idx = owned_idx;
  }
  if ((status = cli_file_open(&lf, argv[optind], map, MATCH_ORDER_UNKNOWN)) != CLI_EXIT_OK)
    goto out;
  status = CLI_EXIT_FAIL;

  out.json = strcmp(format, "json") == 0;
  out.registry = li != NULL;
  out.f = out_path ? fopen(out_path, "wb") : stdout;
  if (out.f == NULL) {
    fprintf(stderr, "baoho match: cannot write %s: %s\n", out_path, strerror(errno));
    goto out;
  }
  if (!out.json) {
    csv_writer_options_t wo;
    csv_writer_options_init(&wo);
    if (csv_writer_open(out.f, &wo, &out.w) != BH_OK) goto out;
    static const char *const head[9] = {"query_id",       "rank",    "candidate_id",
                                        "probability",    "band",    "explanation",
                                        "candidate_kind", "case_id", "note"};
    for (int k = 0; k < (out.registry ? 9 : 6); k++)
      if (csv_write_field(out.w, head[k], strlen(head[k])) != BH_OK) goto out;
    if (csv_end_row(out.w) != BH_OK) goto out;
  }
  q = malloc(CLI_MATCH_CHUNK * sizeof *q);
  if (li) {
    lres = malloc(CLI_MATCH_CHUNK * sizeof *lres);
  } else {
    res = malloc(CLI_MATCH_CHUNK * sizeof *res);
  }
  qid = malloc(CLI_MATCH_CHUNK * sizeof *qid);
  if (q == NULL || (res == NULL && lres == NULL) || qid == NULL) goto out;

  int tty = isatty(STDERR_FILENO);
  size_t done = 0, strong = 0, review = 0;
  for (int eof = 0; !eof;) {
    size_t n = 0;
    while (n < CLI_MATCH_CHUNK) {
      match_input_t in;
      int rc = cli_source_next(&lf, &in);
      if (rc == MATCH_SOURCE_END) {
        eof = 1;
        break;
      }
      if (rc == BH_ERR_INVALID) continue;
      if (rc != BH_OK) goto out;
      uint32_t warn = 0;
      if (match_query_prepare(idx, &in, ry, rm, rd, &q[n], &warn) != BH_OK) {
        cli_file_bad(&lf, lf.row.line, "no usable name");
        continue;
      }
      (void)match_query_set_country(idx, &q[n], country); /* checked above */
      if (warn && lf.reported++ < CLI_MATCH_MAX_REPORTS)
        fprintf(stderr, "baoho match: %s:%llu: not understood, ignored:%s%s%s%s\n", lf.path,
                (unsigned long long)lf.row.line, warn & MATCH_WARN_DOB ? " date_of_birth" : "",
                warn & MATCH_WARN_SEX ? " sex" : "",
                warn & MATCH_WARN_NAME ? " name tokens past the sixth" : "",
                warn & MATCH_WARN_TEXT ? " an over-long text field" : "");
      snprintf(qid[n], sizeof qid[n], "%s", in.id);
      n++;
    }
    if (n == 0) continue;
    int wrc;
    if (li) {
      if (list_index_run(li, q, n, &mo, lres) != BH_OK) goto out;
      wrc = cli_write_chunk_registry(&out, &keys, qid, lres, n);
      for (size_t i = 0; i < n; i++) {
        strong += lres[i].nhit && lres[i].hit[0].band == MATCH_BAND_STRONG;
        review += lres[i].nhit && lres[i].hit[0].band == MATCH_BAND_REVIEW;
      }
    } else {
      if (match_run(idx, q, n, &mo, res) != BH_OK) goto out;
      wrc = cli_write_chunk(&out, idx, qid, res, n);
      for (size_t i = 0; i < n; i++) {
        strong += res[i].nhit && res[i].hit[0].band == MATCH_BAND_STRONG;
        review += res[i].nhit && res[i].hit[0].band == MATCH_BAND_REVIEW;
      }
    }
    if (wrc != BH_OK) {
      fprintf(stderr, "baoho match: write error\n");
      goto out;
    }
    done += n;
    if (tty) {
      double frac = lf.size > 0 ? (double)lf.row.offset / (double)lf.size : 0;
      int bar = (int)(frac * 30);
      fprintf(stderr, "\rmatching [%.*s%*s] %zu rows", bar, "==============================",
              30 - bar, "", done);
    }
  }
  if (tty) fputc('\n', stderr);
  if (out.json && fputs(out.rows ? "\n]\n" : "[]\n", out.f) == EOF) goto out;
  if (fflush(out.f) != 0) {
    fprintf(stderr, "baoho match: write error\n");
    goto out;
  }
  fprintf(stderr,
          "baoho match: %zu list rows against %u records in %.2f s: %zu strong, %zu review, "
          "%zu none; %zu bad rows skipped in the list, %zu in %s\n",
          done, match_index_count(idx), (double)(clock_mono_us() - t0) / 1e6, strong, review,
          done - strong - review, lf.bad, af.bad, against);
  status = CLI_EXIT_OK;
out:
  csv_writer_free(out.w);
  if (out.f && out.f != stdout) fclose(out.f);
  free(q);
  free(res);
  free(lres);
  free(qid);
  match_index_free(owned_idx);
  list_index_release(li);
  store_close(store);
  cli_file_close(&af);
  cli_file_close(&lf);
  return status;
}
