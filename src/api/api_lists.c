/*
 * api_lists.c - lists handed over by foreign authorities (issue 6): an officer uploads a list as
 * CSV, the server matches every row against the registry persons visible to the officer and
 * keeps the list, its rows and each row's best candidates; officers then confirm or reject the
 * candidates, row by row.
 *
 * The upload is the CSV file itself (Content-Type: text/csv, UTF-8 or UTF-16 with a BOM, comma,
 * semicolon or tab separated), with the list's description in the query string (title, source,
 * country, crisis, ref_date, map), checked by a declared spec like any JSON body: a client sends
 * the file as it is, and the cross-site defence holds (a form cannot send text/csv). Columns are
 * found by header or by map, with the roles of `baoho match`. A bad row is reported with its line
 * and reason and left out; the good ones are matched and stored.
 *
 * Matching uses the server's cached index of the caller's scope (registry/list_index.h), rebuilt
 * only when the registry changed, so a list costs its own rows, not a pass over the registry.
 *
 * Reading rows with their candidates is a read of personal data and is audited before the answer
 * leaves; decisions are audited in their transaction.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "domain/pdate.h"
#include "formats/csv.h"
#include "registry/list_index.h"
#include "store/store_list.h"
#include "util/clock.h"
#include "util/err.h"
#include "util/log.h"

/* Bad rows described one by one in the upload's answer; further ones are only counted. */
#define LIST_ERRORS_REPORTED 100
/* Bytes of a column map (?map=). */
#define LIST_MAP_MAX 2000
/* Candidates kept per row unless ?top= says otherwise (at most LIST_CANDIDATES_MAX). */
#define LIST_TOP_DEFAULT 3

/* The roles of a list's columns, as `baoho match` names them. */
enum {
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
  COL_COUNT
};
static const char *const list_roles[COL_COUNT] = {
    "id",       "full_name", "family_name", "given_name", "middle_name", "date_of_birth", "age",
    "sex",      "id_number", "province",    "postcode",   "address",     "city"};

static const char *check_ref_date(const char *s) {
  pdate_t d;
  return pdate_parse(s, &d) == BH_OK && d.day != 0 ? NULL : "must be a date written YYYY-MM-DD";
}

static const char *check_top(const char *s) {
  return strlen(s) == 1 && s[0] >= '1' && s[0] <= '0' + LIST_CANDIDATES_MAX
             ? NULL
             : "must be a number from 1 to 5";
}

/* The query string of an upload, checked as a JSON object of strings. */
static const spec_field_t list_upload_spec[] = {
    {.name = "title", .type = SPEC_STRING, .flags = SPEC_REQUIRED, .min_len = 1,
     .max_len = LIST_TITLE_MAX},
    {.name = "source", .type = SPEC_STRING, .flags = SPEC_REQUIRED, .min_len = 1,
     .max_len = LIST_SOURCE_MAX},
    {.name = "country", .type = SPEC_STRING, .flags = SPEC_REQUIRED,
     .check = spec_check_country},
    {.name = "crisis", .type = SPEC_STRING, .min_len = PUBID_LEN, .max_len = PUBID_LEN},
    {.name = "ref_date", .type = SPEC_STRING, .check = check_ref_date},
    {.name = "map", .type = SPEC_STRING, .min_len = 1, .max_len = LIST_MAP_MAX},
    {.name = "top", .type = SPEC_STRING, .check = check_top},
};

static const char *const decision_words[] = {"confirm", "reject", "new_person", NULL};
static const spec_field_t decision_spec[] = {
    {.name = "decision", .type = SPEC_STRING, .flags = SPEC_REQUIRED, .values = decision_words},
    {.name = "candidate_id", .type = SPEC_STRING, .min_len = PUBID_LEN, .max_len = PUBID_LEN},
};

static json_t *id_or_null(const app_t *app, enum pubid_kind kind, int64_t id) {
  if (id <= 0) return json_null();
  char text[PUBID_LEN + 1];
  pubid_encode(&app->keys, kind, id, text);
  return json_string(text);
}

static json_t *str_or_null(const char *s) { return s ? json_string(s) : json_null(); }

/* A JSON text column as a value (null when absent or unreadable). */
static json_t *json_text_or_null(const char *s) {
  json_t *v = s ? json_loads(s, 0, NULL) : NULL;
  return v ? v : json_null();
}

static json_t *render_list(const app_t *app, const list_rec_t *l) {
  json_t *bands = json_object(), *decisions = json_object();
  for (int b = 0; b < 3; b++) json_object_set_new(bands, list_bands[b], json_integer(l->by_band[b]));
  for (int d = 0; d < LIST_ROW_DECISION_COUNT; d++)
    json_object_set_new(decisions, list_row_decisions[d], json_integer(l->by_decision[d]));
  return json_pack("{s:o, s:s, s:s, s:s, s:o, s:o, s:s, s:o, s:o, s:I, s:I, s:o, s:o}", "id",
                   id_or_null(app, PUBID_LIST, l->id), "title", l->title ? l->title : "",
                   "source", l->source ? l->source : "", "country", l->country ? l->country : "",
                   "crisis", id_or_null(app, PUBID_CRISIS, l->crisis_id), "mission",
                   id_or_null(app, PUBID_MISSION, l->mission_id), "ref_date",
                   l->ref_date ? l->ref_date : "", "created_by",
                   id_or_null(app, PUBID_USER, l->created_by), "created_at",
                   api_time(l->created_at), "rows", (json_int_t)l->rows, "bad_rows",
                   (json_int_t)l->bad_rows, "by_band", bands, "by_decision", decisions);
}

/* Reads an age: 0..150, digits only (spaces around allowed); -1 when absent or unreadable. */
static int parse_age(const char *s) {
  if (s == NULL) return -1;
  while (*s == ' ') s++;
  int v = 0, n = 0;
  for (; *s >= '0' && *s <= '9' && n < 4; s++, n++) v = v * 10 + (*s - '0');
  while (*s == ' ') s++;
  return n > 0 && *s == '\0' && v <= 150 ? v : -1;
}

/* The upload being parsed: its rows as stored and as queries, and the bad rows. */
typedef struct {
  list_row_in_t *rows;
  match_query_t *q;
  size_t n;
  json_t *errors;   /* rows left out: [{"line","field","message"}], the first ones */
  json_t *warnings; /* rows kept with a field ignored, likewise */
  int64_t bad;
} upload_t;

static void upload_note(json_t *arr, uint64_t line, const char *field, const char *message) {
  if (json_array_size(arr) < LIST_ERRORS_REPORTED)
    json_array_append_new(arr, json_pack("{s:I, s:o, s:s}", "line", (json_int_t)line, "field",
                                         str_or_null(field), "message", message));
}

/* A row left out, with its reason. */
static void upload_bad(upload_t *u, uint64_t line, const char *field, const char *message) {
  u->bad++;
  upload_note(u->errors, line, field, message);
}

/* Reads the data rows of r into u as queries against idx. Returns BH_OK, BH_ERR_TOO_LARGE past
 * LIST_ROWS_MAX rows, or BH_ERR_NOMEM. */
static int upload_read(arena_t *a, csv_reader_t *rd, const int *col, const match_index_t *idx,
                       int ry, int rm, int rd_day, upload_t *u) {
  csv_row_t row;
  for (;;) {
    int rc = csv_read_row(rd, &row);
    if (rc == CSV_EOF) return BH_OK;
    if (rc != BH_OK) {
      if (rc == BH_ERR_NOMEM) return rc;
      /* A row the reader refused (unbalanced quotes, over-long): reported, reading goes on. */
      upload_bad(u, row.line, NULL, csv_reader_error(rd));
      if (rc != BH_ERR_INVALID && rc != BH_ERR_TOO_LARGE) return BH_OK;
      continue;
    }
    if (u->n + (size_t)u->bad >= LIST_ROWS_MAX) return BH_ERR_TOO_LARGE;
    const char *v[COL_COUNT] = {0};
    const char *bad_field = NULL, *why = NULL;
    for (int k = 0; k < COL_COUNT && bad_field == NULL; k++) {
      int c = col[k];
      if (c < 0 || (size_t)c >= row.count || row.len[c] == 0) continue;
      if (!csv_field_valid_utf8(row.field[c], row.len[c])) {
        bad_field = list_roles[k];
        why = "is not UTF-8 text (send the file as UTF-8, or UTF-16 with its byte-order mark)";
      } else if (row.len[c] > LIST_FIELD_MAX) {
        bad_field = list_roles[k];
        why = "is longer than 300 bytes";
      } else {
        v[k] = row.field[c];
      }
    }
    if (bad_field != NULL) {
      upload_bad(u, row.line, bad_field, why);
      continue;
    }
    match_input_t in;
    memset(&in, 0, sizeof in);
    in.id = v[COL_ID];
    in.full_name = v[COL_FULL_NAME];
    in.family_name = v[COL_FAMILY];
    in.given_name = v[COL_GIVEN];
    in.middle_name = v[COL_MIDDLE];
    in.date_of_birth = v[COL_DOB];
    in.age = parse_age(v[COL_AGE]);
    in.sex = v[COL_SEX];
    in.id_number[0] = v[COL_ID_NUMBER];
    in.province = v[COL_PROVINCE];
    in.postcode = v[COL_POSTCODE];
    in.address = v[COL_ADDRESS];
    in.city = v[COL_CITY];
    in.order = MATCH_ORDER_UNKNOWN;
    if (v[COL_AGE] != NULL && in.age < 0) {
      upload_bad(u, row.line, "age", "must be a whole number of years from 0 to 150");
      continue;
    }
    uint32_t warn = 0;
    if (match_query_prepare(idx, &in, ry, rm, rd_day, &u->q[u->n], &warn) != BH_OK) {
      upload_bad(u, row.line, "full_name", "has no usable name");
      continue;
    }
    /* A field the engine cannot read is ignored, the row kept: a list's "unknown" date must
     * not lose the person. */
    if (warn & MATCH_WARN_DOB)
      upload_note(u->warnings, row.line, "date_of_birth",
                  "is not a date (YYYY-MM-DD, YYYYMMDD, DD/MM/YYYY or a year): ignored");
    if (warn & MATCH_WARN_SEX)
      upload_note(u->warnings, row.line, "sex", "is not understood (F or M): ignored");
    if (warn & MATCH_WARN_NAME)
      upload_note(u->warnings, row.line, "full_name", "has more than 6 words: the rest ignored");
    json_t *fields = json_object();
    for (int k = 0; k < COL_COUNT; k++)
      if (v[k] != NULL && k != COL_ID_NUMBER)
        json_object_set_new(fields, list_roles[k], json_string(v[k]));
    char *text = json_dumps(fields, JSON_COMPACT);
    json_decref(fields);
    list_row_in_t *out = &u->rows[u->n];
    memset(out, 0, sizeof *out);
    out->fields = text ? arena_strdup(a, text) : NULL;
    free(text);
    out->id_number = v[COL_ID_NUMBER] ? arena_strdup(a, v[COL_ID_NUMBER]) : NULL;
    out->line = (int64_t)row.line;
    if (out->fields == NULL || (v[COL_ID_NUMBER] && out->id_number == NULL)) return BH_ERR_NOMEM;
    out->row_no = (int64_t)++u->n;
  }
}

/* Reads the upload's query string into a JSON object for its spec. */
static json_t *upload_params(const http_req_t *r) {
  json_t *o = json_object();
  for (size_t i = 0; i < SPEC_COUNT(list_upload_spec); i++) {
    const char *v = http_query(r, list_upload_spec[i].name);
    if (v != NULL) json_object_set_new(o, list_upload_spec[i].name, json_string(v));
  }
  return o;
}

void h_lists_create(app_t *app, http_req_t *r, api_ctx_t *ctx) {
  const char *ct = http_header(r, "Content-Type");
  if (ct == NULL || strncmp(ct, "text/csv", 8) != 0 || (ct[8] != '\0' && ct[8] != ';')) {
    http_reply_error(r, BH_ERR_MEDIA_TYPE, NULL, "send the list as Content-Type: text/csv");
    return;
  }
  json_t *params = upload_params(r);
  spec_error_t serr;
  if (params == NULL ||
      spec_validate(params, list_upload_spec, SPEC_COUNT(list_upload_spec), &serr) != BH_OK) {
    http_reply_error(r, BH_ERR_INVALID, params ? serr.field : NULL, "%s %s",
                     params ? serr.field : "query", params ? serr.message : "unreadable");
    json_decref(params);
    return;
  }
  list_rec_t l = {.title = arena_strdup(r->arena, api_str(params, "title")),
                  .source = arena_strdup(r->arena, api_str(params, "source")),
                  .country = arena_strdup(r->arena, api_str(params, "country")),
                  .mission_id = ctx->user.mission_id,
                  .created_by = ctx->user.id};
  const char *map = api_str(params, "map");
  map = map ? arena_strdup(r->arena, map) : NULL;
  int top = api_str(params, "top") ? atoi(api_str(params, "top")) : LIST_TOP_DEFAULT;
  char today[PDATE_TIMESTAMP_SIZE];
  pdate_format_timestamp(clock_now(), today);
  today[10] = '\0';
  const char *ref = api_str(params, "ref_date");
  l.ref_date = arena_strdup(r->arena, ref ? ref : today);
  const char *crisis = api_str(params, "crisis");
  if (crisis != NULL) {
    crisis_t k;
    store_scope_t cs = ctx->user.role == ROLE_OFFICER ? ctx->scope : STORE_SCOPE_ALL;
    if (pubid_decode(&app->keys, PUBID_CRISIS, crisis, &l.crisis_id) != BH_OK ||
        store_crisis_get(ctx->db, &cs, l.crisis_id, r->arena, &k) != BH_OK) {
      json_decref(params);
      http_reply_error(r, BH_ERR_INVALID, "crisis", "crisis is not a crisis you can see");
      return;
    }
    crisis_clear(&k);
  }
  json_decref(params);
  if (l.title == NULL || l.source == NULL || l.country == NULL || l.ref_date == NULL) {
    http_reply_error(r, BH_ERR_NOMEM, NULL, "internal error (request %s)", r->request_id);
    return;
  }
  pdate_t refd;
  pdate_parse(l.ref_date, &refd);

  csv_reader_t *rd = NULL;
  list_index_t *li = NULL;
  upload_t u = {.errors = json_array(), .warnings = json_array()};
  list_result_t *res = NULL;
  int rc;
  csv_reader_options_t o;
  csv_reader_options_init(&o);
  o.delimiter = CSV_DELIM_AUTO;
  if (r->body.len == 0) {
    http_reply_error(r, BH_ERR_INVALID, "body", "the list is empty: send the CSV file");
    goto out;
  }
  if (csv_reader_open_mem(r->body.data, r->body.len, &o, &rd) != BH_OK) {
    http_reply_error(r, BH_ERR_INVALID, "body", "the list cannot be read as CSV");
    goto out;
  }
  csv_row_t head;
  rc = csv_read_row(rd, &head);
  if (rc != BH_OK) {
    http_reply_error(r, BH_ERR_INVALID, "body", "%s",
                     rc == CSV_EOF ? "the list is empty: a header line is needed"
                                   : "the header line cannot be read as CSV");
    goto out;
  }
  for (size_t k = 0; k < head.count; k++) {
    if (!csv_field_valid_utf8(head.field[k], head.len[k])) {
      http_reply_error(r, BH_ERR_INVALID, "body",
                       "the header is not UTF-8: send the file as UTF-8, or UTF-16 with its "
                       "byte-order mark");
      goto out;
    }
  }
  int col[COL_COUNT];
  char msg[256];
  if (csv_map_columns(&head, list_roles, COL_COUNT, map, col, msg, sizeof msg) != BH_OK) {
    http_reply_error(r, BH_ERR_INVALID, "map", "map: %s", msg);
    goto out;
  }
  if (col[COL_FULL_NAME] < 0 && col[COL_FAMILY] < 0 && col[COL_GIVEN] < 0) {
    http_reply_error(r, BH_ERR_INVALID, "map",
                     "the list has no name column: name one full_name (or family_name and "
                     "given_name), or map it with ?map=Header=full_name");
    goto out;
  }
  rc = list_index_acquire(ctx->db, &ctx->scope, &app->keys, &li);
  if (rc != BH_OK) {
    api_reply_store_error(r, rc, "registry");
    goto out;
  }
  u.rows = malloc(sizeof *u.rows * LIST_ROWS_MAX);
  u.q = malloc(sizeof *u.q * LIST_ROWS_MAX);
  if (u.rows == NULL || u.q == NULL || u.errors == NULL || u.warnings == NULL) {
    http_reply_error(r, BH_ERR_NOMEM, NULL, "internal error (request %s)", r->request_id);
    goto out;
  }
  rc = upload_read(r->arena, rd, col, list_index_match(li), refd.year, refd.month, refd.day, &u);
  if (rc == BH_ERR_TOO_LARGE) {
    http_reply_error(r, BH_ERR_TOO_LARGE, "body", "a list has at most %d rows: split it",
                     LIST_ROWS_MAX);
    goto out;
  }
  if (rc != BH_OK) {
    http_reply_error(r, BH_ERR_NOMEM, NULL, "internal error (request %s)", r->request_id);
    goto out;
  }
  if (u.n == 0) {
    json_t *body = json_pack("{s:{s:s, s:s, s:s, s:O}}", "error", "code", "validation_failed",
                             "message", "the list has no usable row", "field", "body", "rows",
                             u.errors);
    http_reply_json(r, 422, body);
    goto out;
  }
  res = malloc(sizeof *res * u.n);
  match_options_t mo;
  match_options_init(&mo);
  mo.top_k = top;
  if (res == NULL || list_index_run(li, u.q, u.n, &mo, res) != BH_OK) {
    http_reply_error(r, BH_ERR_NOMEM, NULL, "internal error (request %s)", r->request_id);
    goto out;
  }
  for (size_t i = 0; i < u.n; i++) {
    list_row_in_t *row = &u.rows[i];
    row->ncand = res[i].nhit < LIST_CANDIDATES_MAX ? res[i].nhit : LIST_CANDIDATES_MAX;
    row->band = row->ncand ? (int)res[i].hit[0].band : LIST_BAND_NONE;
    for (int k = 0; k < row->ncand; k++) {
      row->cand[k].person_id = res[i].hit[k].person_id;
      row->cand[k].probability = res[i].hit[k].probability;
      row->cand[k].band = (int)res[i].hit[k].band;
      row->cand[k].explanation = res[i].hit[k].explain;
    }
  }
  l.bad_rows = u.bad;
  rc = store_begin_write(ctx->db);
  if (rc == BH_OK) rc = store_list_create(ctx->db, &l);
  for (size_t i = 0; rc == BH_OK && i < u.n; i++)
    rc = store_list_add_row(ctx->db, &app->keys, l.id, &u.rows[i]);
  if (rc == BH_OK)
    rc = api_audit(app, r, ctx, "list.create", "list", l.id,
                   json_pack("{s:I, s:I, s:I}", "rows", (json_int_t)u.n, "bad_rows",
                             (json_int_t)u.bad, "registry_persons",
                             (json_int_t)list_index_persons(li)));
  if (rc == BH_OK) rc = store_commit(ctx->db);
  if (rc != BH_OK) {
    store_rollback(ctx->db);
    api_reply_store_error(r, rc, "list");
    goto out;
  }
  list_rec_t saved;
  if (store_list_get(ctx->db, &ctx->scope, l.id, r->arena, &saved) != BH_OK) saved = l;
  json_t *body = render_list(app, &saved);
  json_object_set(body, "errors", u.errors);
  json_object_set(body, "warnings", u.warnings);
  http_reply_json(r, 201, body);
out:
  free(res);
  free(u.rows);
  free(u.q);
  json_decref(u.errors);
  json_decref(u.warnings);
  list_index_release(li);
  csv_reader_free(rd);
}

void h_lists_list(app_t *app, http_req_t *r, api_ctx_t *ctx) {
  store_page_t page;
  if (api_page_or_reply(app, r, PUBID_LIST, &page) != 0) return;
  list_rec_t *items;
  size_t n;
  int rc = store_list_list(ctx->db, &ctx->scope, &page, r->arena, &items, &n);
  if (rc != BH_OK) {
    api_reply_store_error(r, rc, "list");
    return;
  }
  json_t *arr = json_array();
  for (size_t i = 0; i < n; i++) json_array_append_new(arr, render_list(app, &items[i]));
  http_reply_json(r, 200, api_page_json(app, arr, PUBID_LIST, n ? items[n - 1].id : 0,
                                        n == (size_t)page.limit));
}

void h_lists_get(app_t *app, http_req_t *r, api_ctx_t *ctx) {
  int64_t id;
  if (api_id_or_reply(app, r, 0, PUBID_LIST, &id) != 0) return;
  list_rec_t l;
  int rc = store_list_get(ctx->db, &ctx->scope, id, r->arena, &l);
  if (rc != BH_OK) {
    api_reply_store_error(r, rc, "list");
    return;
  }
  http_reply_json(r, 200, render_list(app, &l));
}

static json_t *render_candidate(const app_t *app, const list_cand_out_t *k) {
  json_t *person = json_pack(
      "{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "id", id_or_null(app, PUBID_PERSON, k->person_id),
      "full_name", str_or_null(k->full_name), "other_names", json_text_or_null(k->other_names),
      "sex", str_or_null(k->sex), "date_of_birth", str_or_null(k->date_of_birth), "national_id",
      str_or_null(k->national_id), "passport", str_or_null(k->passport), "home_province",
      str_or_null(k->home_province));
  return json_pack("{s:i, s:o, s:f, s:s, s:s, s:s, s:b, s:o, s:o}", "rank", k->rank, "person",
                   person, "probability", k->probability, "band",
                   list_bands[k->band >= 0 && k->band < 3 ? k->band : 0], "explanation",
                   k->explanation ? k->explanation : "", "decision",
                   list_cand_decisions[k->decision >= 0 && k->decision < 3 ? k->decision : 0],
                   "repeat", k->repeat, "decided_by", id_or_null(app, PUBID_USER, k->decided_by),
                   "decided_at", api_time(k->decided_at));
}

static json_t *render_row(const app_t *app, const list_row_out_t *w) {
  json_t *fields = json_text_or_null(w->fields);
  if (json_is_object(fields) && w->id_number)
    json_object_set_new(fields, "id_number", json_string(w->id_number));
  json_t *cands = json_array();
  for (size_t k = 0; k < w->ncand; k++) json_array_append_new(cands, render_candidate(app, &w->cand[k]));
  int d = w->decision >= 0 && w->decision < LIST_ROW_DECISION_COUNT ? w->decision : 0;
  return json_pack("{s:I, s:I, s:o, s:s, s:s, s:o, s:o, s:o, s:o}", "row", (json_int_t)w->row_no,
                   "line", (json_int_t)w->line, "fields", fields, "band",
                   list_bands[w->band >= 0 && w->band < 3 ? w->band : 0], "decision",
                   list_row_decisions[d], "person", id_or_null(app, PUBID_PERSON, w->person_id),
                   "decided_by", id_or_null(app, PUBID_USER, w->decided_by), "decided_at",
                   api_time(w->decided_at), "candidates", cands);
}

/* Reads an integer query argument from lo to hi; replies 422 naming it and returns -1. */
static int int_arg_or_reply(http_req_t *r, const char *name, long lo, long hi, long *v) {
  const char *s = http_query(r, name);
  if (s == NULL) return 0;
  char *end = NULL;
  long x = strtol(s, &end, 10);
  if (end == s || *end != '\0' || x < lo || x > hi) {
    http_reply_error(r, BH_ERR_INVALID, name, "%s must be an integer from %ld to %ld", name, lo,
                     hi);
    return -1;
  }
  *v = x;
  return 0;
}

/* Reads a word of vocabulary words; replies 422 naming it and returns -1. */
static int word_arg_or_reply(http_req_t *r, const char *name, const char *const *words, int *v) {
  const char *s = http_query(r, name);
  if (s == NULL) return 0;
  int i = model_enum_index(words, s);
  if (i < 0) {
    http_reply_error(r, BH_ERR_INVALID, name, "%s is not one of the accepted values", name);
    return -1;
  }
  *v = i;
  return 0;
}

void h_lists_rows(app_t *app, http_req_t *r, api_ctx_t *ctx) {
  int64_t id;
  if (api_id_or_reply(app, r, 0, PUBID_LIST, &id) != 0) return;
  long limit = API_PAGE_DEFAULT, after = 0;
  list_row_filter_t f = {.band = -1, .decision = -1};
  if (int_arg_or_reply(r, "limit", 1, LIST_ROWS_PAGE_MAX, &limit) != 0 ||
      int_arg_or_reply(r, "after", 0, LIST_ROWS_MAX, &after) != 0 ||
      word_arg_or_reply(r, "band", list_bands, &f.band) != 0 ||
      word_arg_or_reply(r, "decision", list_row_decisions, &f.decision) != 0)
    return;
  store_page_t page = {.after = after, .limit = (int)limit};
  list_row_out_t *rows;
  size_t n;
  int rc = store_list_rows(ctx->db, &ctx->scope, &app->keys, id, &f, &page, r->arena, &rows, &n);
  if (rc != BH_OK) {
    api_reply_store_error(r, rc, "list");
    return;
  }
  json_t *detail = json_pack("{s:I, s:I}", "after", (json_int_t)after, "rows", (json_int_t)n);
  if (api_audit_read(app, r, ctx, "list.read_rows", "list", id, detail) != BH_OK) {
    /* No read of personal data goes unrecorded. */
    http_reply_error(r, BH_ERR_UNAVAILABLE, NULL, "the audit log is unavailable; try again");
    return;
  }
  json_t *items = json_array();
  for (size_t i = 0; i < n; i++) json_array_append_new(items, render_row(app, &rows[i]));
  json_t *next = json_null();
  if (n == (size_t)limit && n > 0) {
    char cur[24];
    snprintf(cur, sizeof cur, "%lld", (long long)rows[n - 1].row_no);
    json_decref(next);
    next = json_string(cur);
  }
  http_reply_json(r, 200, json_pack("{s:o, s:o}", "items", items, "next", next));
}

void h_lists_decide(app_t *app, http_req_t *r, api_ctx_t *ctx) {
  int64_t id;
  if (api_id_or_reply(app, r, 0, PUBID_LIST, &id) != 0) return;
  char *end = NULL;
  long long row = r->nparams > 1 ? strtoll(r->params[1], &end, 10) : 0;
  if (end == NULL || *end != '\0' || row < 1 || row > LIST_ROWS_MAX) {
    http_reply_error(r, BH_ERR_NOT_FOUND, NULL, "no such row");
    return;
  }
  if (api_body_or_reply(r, ctx, decision_spec, SPEC_COUNT(decision_spec)) != 0) return;
  int word = model_enum_index(decision_words, api_str(ctx->body, "decision"));
  int decision = word == 0 ? LIST_ROW_CONFIRMED : word == 1 ? LIST_ROW_REJECTED
                                                            : LIST_ROW_NEW_PERSON;
  const char *cand = api_str(ctx->body, "candidate_id");
  int64_t person = 0;
  if (decision != LIST_ROW_NEW_PERSON && cand == NULL) {
    http_reply_error(r, BH_ERR_INVALID, "candidate_id",
                     "candidate_id is required to confirm or reject a candidate");
    return;
  }
  if (decision == LIST_ROW_NEW_PERSON && cand != NULL) {
    http_reply_error(r, BH_ERR_INVALID, "candidate_id",
                     "candidate_id is not taken with new_person");
    return;
  }
  if (cand != NULL && pubid_decode(&app->keys, PUBID_PERSON, cand, &person) != BH_OK) {
    http_reply_error(r, BH_ERR_INVALID, "candidate_id", "candidate_id is not a candidate of this row");
    return;
  }
  int64_t replaced = 0;
  int rc = store_begin_write(ctx->db);
  if (rc == BH_OK)
    rc = store_list_decide(ctx->db, &ctx->scope, id, row, decision, person, ctx->user.id,
                           clock_now(), &replaced);
  if (rc == BH_OK) {
    json_t *detail = json_pack("{s:I, s:s, s:o, s:o}", "row", (json_int_t)row, "decision",
                               list_row_decisions[decision], "candidate",
                               id_or_null(app, PUBID_PERSON, person), "replaced",
                               id_or_null(app, PUBID_PERSON, replaced));
    rc = api_audit(app, r, ctx, "list.decision", "list", id, detail);
  }
  if (rc == BH_OK) rc = store_commit(ctx->db);
  if (rc != BH_OK) {
    store_rollback(ctx->db);
    if (rc == BH_ERR_INVALID) {
      http_reply_error(r, rc, "candidate_id", "candidate_id is not a candidate of this row");
    } else {
      api_reply_store_error(r, rc, rc == BH_ERR_NOT_FOUND ? "list row" : "list");
    }
    return;
  }
  list_rec_t l;
  rc = store_list_get(ctx->db, &ctx->scope, id, r->arena, &l);
  if (rc != BH_OK) {
    api_reply_store_error(r, rc, "list");
    return;
  }
  http_reply_json(r, 200,
                  json_pack("{s:I, s:s, s:o, s:o, s:o}", "row", (json_int_t)row, "decision",
                            list_row_decisions[decision], "person",
                            id_or_null(app, PUBID_PERSON,
                                       decision == LIST_ROW_CONFIRMED ? person : 0),
                            "replaced", id_or_null(app, PUBID_PERSON, replaced), "list",
                            render_list(app, &l)));
}
