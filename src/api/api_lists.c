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
 * Candidates are registered persons and the unregistered subjects of open missing-person cases
 * (registry/list_index.h); a person linked to an open missing-person case is shown once, as the
 * person, with the case beside it.
 *
 * What a confirmation does is the list's: the upload may name a welfare status to apply
 * (`status`) and ask for a presence in the list's country (`presence`, with `region` and
 * `category`). Confirming a person then, in the decision's transaction, appends a status event
 * (source partner, the list named in its note) and adds the presence when the person has no
 * current one in that country; the row remembers both. Withdrawing the confirmation (rejecting
 * the person, confirming another candidate, or new_person) never deletes history: when the
 * status the list applied is still the person's latest, a new event restores the status before
 * it, and the presence the confirmation added is removed only if nobody changed it since. A
 * confirmation or withdrawal that concerns an open missing-person case is written on the case's
 * timeline as a note.
 *
 * Reading rows with their candidates is a read of personal data and is audited before the answer
 * leaves; decisions, with what they applied, are audited in their transaction.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/api_idem_int.h"
#include "api/api_list_map.h"
#include "domain/case.h"
#include "domain/pdate.h"
#include "formats/csv.h"
#include "domain/secret.h"
#include "registry/list_index.h"
#include "store/store_case.h"
#include "store/store_list.h"
#include "util/clock.h"
#include "util/err.h"
#include "util/log.h"

/* Bad rows described one by one in the upload's answer; further ones are only counted. */
#define LIST_ERRORS_REPORTED 100
/*
 * The most bytes of one report in the answer ({"line", "field", "message"}: a role name and one
 * of the fixed messages of upload_read and csv.c), and of the list itself (its strings at their
 * limits). With both bounded, an upload's answer (the list, at most LIST_ERRORS_REPORTED errors
 * and as many warnings) always fits in an idempotency record: an upload retried with the same
 * Idempotency-Key is answered the list again, never refused as too large nor created twice.
 */
#define LIST_NOTE_BYTES_MAX 256
#define LIST_ANSWER_LIST_MAX (16 * 1024)
_Static_assert(LIST_ANSWER_LIST_MAX + 2 * LIST_ERRORS_REPORTED * LIST_NOTE_BYTES_MAX <=
                   API_IDEM_BODY_MAX,
               "an upload's answer must fit in an idempotency record");
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

/* A welfare status a list may apply: any of model_statuses but "unknown". */
static const char *check_apply_status(const char *s) {
  return model_enum_index(model_statuses, s) > 0
             ? NULL
             : "must be a welfare status (safe, needs_assistance, injured, missing, detained, "
               "deceased, left_area, evacuated, repatriated)";
}

static const char *const presence_words[] = {"true", "false", NULL};

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
    {.name = "region", .type = SPEC_STRING, .min_len = 1, .max_len = LIST_REGION_MAX},
    {.name = "status", .type = SPEC_STRING, .check = check_apply_status},
    {.name = "presence", .type = SPEC_STRING, .values = presence_words},
    {.name = "category", .type = SPEC_STRING, .values = model_categories},
};

static const char *const decision_words[] = {"confirm", "reject", "new_person", NULL};
static const spec_field_t decision_spec[] = {
    {.name = "decision", .type = SPEC_STRING, .flags = SPEC_REQUIRED, .values = decision_words},
    {.name = "candidate_id", .type = SPEC_STRING, .min_len = PUBID_LEN, .max_len = PUBID_LEN},
    {.name = "case_id", .type = SPEC_STRING, .min_len = PUBID_LEN, .max_len = PUBID_LEN},
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
  json_t *presence = l->presence_category
                         ? json_pack("{s:s, s:o, s:s}", "country", l->country ? l->country : "",
                                     "region", str_or_null(l->region), "category",
                                     l->presence_category)
                         : json_null();
  json_t *on_confirm = json_pack("{s:o, s:o}", "status", str_or_null(l->apply_status),
                                 "presence", presence);
  return json_pack("{s:o, s:s, s:s, s:s, s:o, s:o, s:o, s:s, s:o, s:o, s:I, s:I, s:o, s:o, s:o}",
                   "id",
                   id_or_null(app, PUBID_LIST, l->id), "title", l->title ? l->title : "",
                   "source", l->source ? l->source : "", "country", l->country ? l->country : "",
                   "region", str_or_null(l->region), "crisis", id_or_null(app, PUBID_CRISIS, l->crisis_id), "mission",
                   id_or_null(app, PUBID_MISSION, l->mission_id), "ref_date",
                   l->ref_date ? l->ref_date : "", "created_by",
                   id_or_null(app, PUBID_USER, l->created_by), "created_at",
                   api_time(l->created_at), "rows", (json_int_t)l->rows, "bad_rows",
                   (json_int_t)l->bad_rows, "by_band", bands, "by_decision", decisions,
                   "on_confirm", on_confirm);
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

/* Reads the data rows of r into u as queries against idx, each carrying the list's country as
 * evidence (match_index.h). Returns BH_OK, BH_ERR_TOO_LARGE past LIST_ROWS_MAX rows, or
 * BH_ERR_NOMEM. */
static int upload_read(arena_t *a, csv_reader_t *rd, const int *col, const match_index_t *idx,
                       int ry, int rm, int rd_day, const char *country, upload_t *u) {
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
    /* The country was checked by the spec (spec_check_country): two letters. */
    (void)match_query_set_country(idx, &u->q[u->n], country);
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

/* 1 when country is in the jurisdiction of the caller's mission (always for admin and hq). */
static int country_in_jurisdiction(http_req_t *r, api_ctx_t *ctx, const char *country) {
  if (ctx->scope.all) return 1;
  mission_t m;
  int ok = 0;
  if (country != NULL && store_mission_get(ctx->db, ctx->scope.mission_id, r->arena, &m) == BH_OK) {
    size_t i;
    json_t *v;
    json_array_foreach(m.jurisdiction, i, v) {
      const char *c = json_string_value(v);
      if (c != NULL && strcmp(c, country) == 0) ok = 1;
    }
    mission_clear(&m);
  }
  return ok;
}

/*
 * The Idempotency-Key of an upload. api_dispatch leaves it to h_lists_create (api.c) rather
 * than holding a write transaction around the handler: matching a list against the registry
 * can take seconds, and on SQLite a held transaction would make every other writer (check-ins,
 * the audit) wait that long. The key is claimed, the list created and its answer kept under the
 * key in one short write transaction at the end.
 */
/* The content type of an upload's answer, as http_reply_json sends it. */
#define UPLOAD_ANSWER_TYPE "application/json; charset=utf-8"

typedef struct {
  const char *key; /* NULL: the upload carries none */
  char scope[STORE_IDEM_SCOPE_MAX + 1];
  unsigned char hash[STORE_IDEM_HASH_BYTES];
  int64_t now;
} upload_key_t;

/*
 * Claims k's key in the caller's write transaction. Returns BH_OK with *answered 0 when the key
 * is new (the caller goes on and commits); with *answered 1 the transaction has been rolled back
 * and the request answered: the stored answer again (or 422 for another request under the
 * key), or 409 with Retry-After while another upload with the key is being recorded. Other
 * return codes are store errors, the transaction still open.
 */
static int upload_key_claim(app_t *app, http_req_t *r, api_ctx_t *ctx, upload_key_t *k,
                            int *answered) {
  *answered = 0;
  store_idem_t old;
  int rc = store_idem_claim(ctx->db, k->scope, k->key, k->now, r->arena, &old);
  if (rc == BH_ERR_IDEM_IN_PROGRESS) {
    store_rollback(ctx->db);
    *answered = 1;
    http_add_header(r, "Retry-After", "1");
    http_reply_error(r, rc, "Idempotency-Key",
                     "an upload with this Idempotency-Key is still being recorded");
    return BH_OK;
  }
  if (rc != BH_OK) return rc;
  if (old.found) {
    store_rollback(ctx->db);
    *answered = 1;
    api_idem_answer_stored(app, r, ctx, "lists.create", k->hash, &old);
  }
  return BH_OK;
}

/*
 * Answers an upload whose key was answered before, before any matching. Returns 1 when the
 * request has been answered, 0 when the upload is to be matched and recorded.
 */
static int upload_key_settled(app_t *app, http_req_t *r, api_ctx_t *ctx, upload_key_t *k) {
  api_idem_scope(r, ctx, k->scope);
  api_idem_hash(r, k->hash);
  k->now = clock_now();
  api_idem_purge(r, ctx->db, k->now);
  int answered = 0;
  int rc = store_begin_write(ctx->db);
  if (rc == BH_OK) rc = upload_key_claim(app, r, ctx, k, &answered);
  if (answered) return 1;
  store_rollback(ctx->db);
  if (rc != BH_OK) {
    api_reply_store_error(r, rc, "request");
    return 1;
  }
  return 0;
}

/* Keeps the answer text (201, JSON) under k's key, sealed, in the caller's transaction. */
static int upload_key_keep(app_t *app, http_req_t *r, api_ctx_t *ctx, const upload_key_t *k,
                           const char *text) {
  size_t len = strlen(text);
  unsigned char *sealed = arena_alloc(r->arena, len + SECRET_SEAL_OVERHEAD);
  if (sealed == NULL) return BH_ERR_NOMEM;
  secret_seal(&app->keys, text, len, sealed);
  store_idem_t ans = {.status = 201,
                      .content_type = UPLOAD_ANSWER_TYPE,
                      .headers = "",
                      .body = sealed,
                      .body_len = len + SECRET_SEAL_OVERHEAD};
  memcpy(ans.hash, k->hash, sizeof(ans.hash));
  return store_idem_store(ctx->db, k->scope, k->key, &ans, k->now);
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
  const char *region = api_str(params, "region"), *apply = api_str(params, "status");
  const char *presence = api_str(params, "presence"), *category = api_str(params, "category");
  int with_presence = presence != NULL && strcmp(presence, "true") == 0;
  if (category != NULL && !with_presence) {
    json_decref(params);
    http_reply_error(r, BH_ERR_INVALID, "category",
                     "category is the presence's: it is only taken with presence=true");
    return;
  }
  l.region = region ? arena_strdup(r->arena, region) : NULL;
  l.apply_status = apply ? arena_strdup(r->arena, apply) : NULL;
  if (with_presence) l.presence_category = arena_strdup(r->arena, category ? category : "other");
  if (with_presence && !country_in_jurisdiction(r, ctx, l.country)) {
    json_decref(params);
    http_reply_error(r, BH_ERR_FORBIDDEN, "presence",
                     "%s is outside your mission's jurisdiction: no presence can be recorded there",
                     l.country ? l.country : "the country");
    return;
  }
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
  char *text = NULL;
  upload_key_t key = {.key = http_header(r, "Idempotency-Key")};
  if (key.key != NULL && upload_key_settled(app, r, ctx, &key)) goto out;
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
  if (api_list_map_columns(r->arena, &head, list_roles, COL_COUNT, map, col, msg, sizeof msg) !=
      BH_OK) {
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
  rc = upload_read(r->arena, rd, col, list_index_match(li), refd.year, refd.month, refd.day,
                   l.country, &u);
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
      /* A person's open case is read when the row is, so it is current; a case is the
       * candidate itself. */
      row->cand[k].case_id = res[i].hit[k].person_id ? 0 : res[i].hit[k].case_id;
      row->cand[k].probability = res[i].hit[k].probability;
      row->cand[k].band = (int)res[i].hit[k].band;
      row->cand[k].explanation = res[i].hit[k].explain;
    }
  }
  l.bad_rows = u.bad;
  rc = store_begin_write(ctx->db);
  if (rc == BH_OK && key.key != NULL) {
    int answered = 0;
    rc = upload_key_claim(app, r, ctx, &key, &answered);
    if (answered) goto out;
  }
  if (rc == BH_OK) rc = store_list_create(ctx->db, &l);
  for (size_t i = 0; rc == BH_OK && i < u.n; i++)
    rc = store_list_add_row(ctx->db, &app->keys, l.id, &u.rows[i]);
  if (rc == BH_OK)
    rc = api_audit(app, r, ctx, "list.create", "list", l.id,
                   json_pack("{s:I, s:I, s:I, s:I, s:o}", "rows", (json_int_t)u.n, "bad_rows",
                             (json_int_t)u.bad, "registry_persons",
                             (json_int_t)list_index_persons(li), "missing_person_cases",
                             (json_int_t)list_index_cases(li), "on_confirm_status",
                             str_or_null(l.apply_status)));
  /* The answer is read and written inside the transaction, so that it can be kept under the
   * upload's key with the list itself. */
  if (rc == BH_OK) {
    list_rec_t saved;
    if (store_list_get(ctx->db, &ctx->scope, l.id, r->arena, &saved) != BH_OK) saved = l;
    json_t *body = render_list(app, &saved);
    json_object_set(body, "errors", u.errors);
    json_object_set(body, "warnings", u.warnings);
    text = json_dumps(body, JSON_COMPACT);
    json_decref(body);
    if (text == NULL) rc = BH_ERR_NOMEM;
  }
  if (rc == BH_OK && key.key != NULL) rc = upload_key_keep(app, r, ctx, &key, text);
  if (rc == BH_OK) rc = store_commit(ctx->db);
  if (rc != BH_OK) {
    store_rollback(ctx->db);
    api_reply_store_error(r, rc, "list");
    goto out;
  }
  http_add_header(r, "Cache-Control", "no-store");
  http_reply_bytes(r, 201, UPLOAD_ANSWER_TYPE, text, strlen(text));
out:
  free(text);
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

/* The note shown beside a person for whom a missing-person case is open. */
static const char open_case_note[] =
    "Đang có hồ sơ báo mất tích / a missing-person case is open for this person";

static json_t *render_candidate(const app_t *app, const list_cand_out_t *k) {
  int is_case = k->person_id == 0;
  json_t *person = json_null(), *kase = json_null();
  if (!is_case) {
    json_decref(person);
    person = json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "id",
                       id_or_null(app, PUBID_PERSON, k->person_id), "full_name",
                       str_or_null(k->full_name), "other_names",
                       json_text_or_null(k->other_names), "sex", str_or_null(k->sex),
                       "date_of_birth", str_or_null(k->date_of_birth), "national_id",
                       str_or_null(k->national_id), "passport", str_or_null(k->passport),
                       "home_province", str_or_null(k->home_province));
  }
  if (k->case_id != 0) {
    json_decref(kase);
    kase = json_pack("{s:o, s:o, s:o}", "id", id_or_null(app, PUBID_CASE, k->case_id), "status",
                     str_or_null(k->case_status), "summary", str_or_null(k->case_summary));
    if (is_case)
      json_object_set_new(kase, "subject",
                          json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "full_name",
                                    str_or_null(k->full_name), "sex", str_or_null(k->sex),
                                    "date_of_birth", str_or_null(k->date_of_birth),
                                    "home_province", str_or_null(k->home_province),
                                    "id_number", str_or_null(k->national_id), "phone",
                                    str_or_null(k->caller_phone), "relation",
                                    str_or_null(k->caller_relation), "notes",
                                    str_or_null(k->caller_notes)));
  }
  json_t *note = !is_case && k->case_id != 0 ? json_string(open_case_note) : json_null();
  return json_pack("{s:i, s:s, s:o, s:o, s:o, s:f, s:s, s:s, s:s, s:b, s:o, s:o}", "rank",
                   k->rank, "kind", is_case ? "case" : "person", "person", person, "case", kase,
                   "note", note, "probability", k->probability, "band",
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
  /* Candidates of equal probability share a rank (standard competition ranking: 1, 1, 3); the
   * stored rank is their order. */
  int shown = 0;
  for (size_t k = 0; k < w->ncand; k++) {
    list_cand_out_t c = w->cand[k];
    if (k == 0 || c.probability != w->cand[k - 1].probability) shown = c.rank;
    c.rank = shown;
    json_array_append_new(cands, render_candidate(app, &c));
  }
  int d = w->decision >= 0 && w->decision < LIST_ROW_DECISION_COUNT ? w->decision : 0;
  return json_pack("{s:I, s:I, s:o, s:s, s:s, s:o, s:o, s:o, s:o, s:o}", "row",
                   (json_int_t)w->row_no, "line", (json_int_t)w->line, "fields", fields, "band",
                   list_bands[w->band >= 0 && w->band < 3 ? w->band : 0], "decision",
                   list_row_decisions[d], "person", id_or_null(app, PUBID_PERSON, w->person_id),
                   "case", id_or_null(app, PUBID_CASE, w->case_id),
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

/* The effects of one decision, gathered for its audit record and its answer. */
typedef struct {
  const app_t *app;
  http_req_t *r;
  api_ctx_t *ctx;
  const list_rec_t *l;
  int64_t list_id, row, now;
  char list_pub[PUBID_LEN + 1];
  json_t *fx; /* {"applied": {...} | null, "withdrawn": {...} | null, "case_notes": [...]} */
} decide_t;

/* Writes a note on case case_id's timeline about this row (verb: what happened). */
static int decide_case_note(decide_t *D, int64_t case_id, const char *vi, const char *en) {
  case_t k;
  int rc = store_case_get(D->ctx->db, &D->ctx->scope, case_id, D->r->arena, &k);
  if (rc == BH_ERR_NOT_FOUND) return BH_OK; /* not the officer's case: nothing to note */
  if (rc != BH_OK) return rc;
  char note[CASE_NOTE_MAX];
  snprintf(note, sizeof note, "%s: danh sách «%s» (%s), dòng %lld / %s: list \"%s\" (%s), row %lld",
           vi, D->l->title ? D->l->title : "", D->l->source ? D->l->source : "",
           (long long)D->row, en, D->l->title ? D->l->title : "",
           D->l->source ? D->l->source : "", (long long)D->row);
  char detail[96];
  snprintf(detail, sizeof detail, "{\"list\":\"%s\",\"row\":%lld}", D->list_pub, (long long)D->row);
  case_event_t e = {.case_id = case_id, .at = D->now, .kind = "note",
                    .author_id = D->ctx->user.id, .detail = detail, .note = note};
  rc = store_case_event_add(D->ctx->db, &e);
  if (rc == BH_OK) {
    k.updated_at = D->now;
    rc = store_case_update(D->ctx->db, &D->ctx->scope, &k);
  }
  if (rc == BH_OK)
    json_array_append_new(json_object_get(D->fx, "case_notes"),
                          id_or_null(D->app, PUBID_CASE, case_id));
  return rc;
}

/* Applies the list's status and presence to person, newly confirmed on the row. */
static int decide_apply(decide_t *D, int64_t person) {
  api_ctx_t *ctx = D->ctx;
  int64_t event_id = 0, presence_id = 0;
  const char *prev = NULL;
  json_t *applied = json_pack("{s:o, s:o, s:o}", "person", id_or_null(D->app, PUBID_PERSON, person),
                              "status", json_null(), "presence", json_null());
  json_object_set_new(D->fx, "applied", applied);
  int rc = BH_OK;
  if (D->l->apply_status != NULL) {
    person_t p;
    rc = store_person_get(ctx->db, &ctx->scope, person, D->r->arena, &p);
    if (rc != BH_OK) return rc;
    prev = p.status;
    person_clear(&p);
    char note[MODEL_TEXT_MAX];
    snprintf(note, sizeof note,
             "Xác nhận trong danh sách «%s» (%s), dòng %lld / confirmed on list \"%s\" (%s), row %lld",
             D->l->title, D->l->source, (long long)D->row, D->l->title, D->l->source,
             (long long)D->row);
    status_event_t ev = {.person_id = person, .status = D->l->apply_status, .at = D->now,
                         .source = "partner", .author_id = ctx->user.id, .note = note};
    rc = store_status_set(ctx->db, &ctx->scope, &ev);
    if (rc != BH_OK) return rc;
    event_id = ev.id;
    json_object_set_new(applied, "status",
                        json_pack("{s:s, s:o}", "status", ev.status, "previous", str_or_null(prev)));
  }
  if (D->l->presence_category != NULL) {
    presence_t *prs;
    size_t n;
    rc = store_presence_list(ctx->db, &ctx->scope, person, D->r->arena, &prs, &n);
    if (rc != BH_OK) return rc;
    /* A current presence there is kept as it is: the officer's record knows more. */
    int have = 0;
    for (size_t i = 0; i < n; i++)
      if (strcmp(prs[i].country, D->l->country) == 0 &&
          (prs[i].date_until == NULL || strcmp(prs[i].date_until, D->l->ref_date) >= 0))
        have = 1;
    if (!have) {
      presence_t pr;
      memset(&pr, 0, sizeof pr);
      pr.person_id = person;
      snprintf(pr.country, sizeof pr.country, "%s", D->l->country);
      pr.region = D->l->region;
      pr.category = D->l->presence_category;
      pr.date_from = D->l->ref_date;
      rc = store_presence_create(ctx->db, &ctx->scope, &pr);
      if (rc != BH_OK) return rc;
      presence_id = pr.id;
      json_object_set_new(applied, "presence",
                          json_pack("{s:o, s:s, s:o, s:s}", "id",
                                    id_or_null(D->app, PUBID_PRESENCE, pr.id), "country",
                                    pr.country, "region", str_or_null(pr.region), "category",
                                    pr.category));
    }
  }
  if (event_id != 0 || presence_id != 0)
    rc = store_list_row_applied(ctx->db, D->list_id, D->row, event_id, prev, presence_id);
  return rc;
}

/* Undoes what is still current of the confirmation of person, withdrawn from the row. */
static int decide_withdraw(decide_t *D, int64_t person, const list_decision_t *d) {
  api_ctx_t *ctx = D->ctx;
  json_t *w = json_pack("{s:o, s:o, s:b}", "person", id_or_null(D->app, PUBID_PERSON, person),
                        "status_restored", json_null(), "presence_removed", 0);
  json_object_set_new(D->fx, "withdrawn", w);
  int rc = BH_OK;
  if (d->applied_event_id != 0 && d->applied_prev_status != NULL) {
    int64_t latest = 0;
    rc = store_list_status_latest(ctx->db, person, &latest);
    /* A later change of status by anyone wins: then the history alone tells the story. */
    if (rc == BH_OK && latest == d->applied_event_id) {
      char note[MODEL_TEXT_MAX];
      snprintf(note, sizeof note,
               "Rút lại xác nhận trong danh sách «%s» (%s), dòng %lld / confirmation withdrawn "
               "on list \"%s\" (%s), row %lld",
               D->l->title, D->l->source, (long long)D->row, D->l->title, D->l->source,
               (long long)D->row);
      status_event_t ev = {.person_id = person, .status = d->applied_prev_status, .at = D->now,
                           .source = "officer", .author_id = ctx->user.id, .note = note};
      rc = store_status_set(ctx->db, &ctx->scope, &ev);
      if (rc == BH_OK) json_object_set_new(w, "status_restored", json_string(ev.status));
    }
  }
  if (rc == BH_OK && d->applied_presence_id != 0) {
    int removed = 0;
    rc = store_list_presence_withdraw(ctx->db, d->applied_presence_id, person, &removed);
    if (rc == BH_OK) json_object_set_new(w, "presence_removed", json_boolean(removed));
  }
  if (rc == BH_OK && (d->applied_event_id != 0 || d->applied_presence_id != 0))
    rc = store_list_row_applied(ctx->db, D->list_id, D->row, 0, NULL, 0);
  return rc;
}

/* Everything a decision changes beyond the row: withdrawals first, then the new confirmation. */
static int decide_effects(decide_t *D, const list_decision_t *d) {
  api_ctx_t *ctx = D->ctx;
  int rc = BH_OK;
  int64_t kase = 0;
  if (d->prev_person_id != 0 && d->prev_person_id != d->person_after) {
    rc = decide_withdraw(D, d->prev_person_id, d);
    if (rc == BH_OK) rc = store_list_open_case(ctx->db, &ctx->scope, d->prev_person_id, &kase);
    if (rc == BH_OK && kase != 0)
      rc = decide_case_note(D, kase, "Rút lại xác nhận", "Confirmation withdrawn");
  }
  if (rc == BH_OK && d->prev_case_id != 0 && d->prev_case_id != d->case_after)
    rc = decide_case_note(D, d->prev_case_id, "Rút lại xác nhận", "Confirmation withdrawn");
  if (rc == BH_OK && d->person_after != 0 && d->person_after != d->prev_person_id) {
    rc = decide_apply(D, d->person_after);
    if (rc == BH_OK) rc = store_list_open_case(ctx->db, &ctx->scope, d->person_after, &kase);
    if (rc == BH_OK && kase != 0)
      rc = decide_case_note(D, kase, "Đã xác định người này", "Person identified");
  }
  if (rc == BH_OK && d->case_after != 0 && d->case_after != d->prev_case_id)
    rc = decide_case_note(D, d->case_after, "Có thể đã tìm thấy người được báo mất tích",
                          "Reported missing person possibly found");
  return rc;
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
  const char *kase = api_str(ctx->body, "case_id");
  list_decision_t d = {.decision = decision, .user_id = ctx->user.id, .now = clock_now()};
  if (decision != LIST_ROW_NEW_PERSON && (cand == NULL) == (kase == NULL)) {
    http_reply_error(r, BH_ERR_INVALID, cand ? "case_id" : "candidate_id",
                     "candidate_id (a person) or case_id (a missing-person case), one of them, "
                     "is required to confirm or reject a candidate");
    return;
  }
  if (decision == LIST_ROW_NEW_PERSON && (cand != NULL || kase != NULL)) {
    http_reply_error(r, BH_ERR_INVALID, cand ? "candidate_id" : "case_id",
                     "%s is not taken with new_person", cand ? "candidate_id" : "case_id");
    return;
  }
  if (cand != NULL && pubid_decode(&app->keys, PUBID_PERSON, cand, &d.person_id) != BH_OK) {
    http_reply_error(r, BH_ERR_INVALID, "candidate_id", "candidate_id is not a candidate of this row");
    return;
  }
  if (kase != NULL && pubid_decode(&app->keys, PUBID_CASE, kase, &d.case_id) != BH_OK) {
    http_reply_error(r, BH_ERR_INVALID, "case_id", "case_id is not a candidate of this row");
    return;
  }
  decide_t D = {.app = app, .r = r, .ctx = ctx, .list_id = id, .row = row, .now = d.now,
                .fx = json_pack("{s:n, s:n, s:[]}", "applied", "withdrawn", "case_notes")};
  pubid_encode(&app->keys, PUBID_LIST, id, D.list_pub);
  list_rec_t l;
  D.l = &l;
  int rc = store_begin_write(ctx->db);
  if (rc == BH_OK) rc = store_list_decide(ctx->db, &ctx->scope, id, row, r->arena, &d);
  if (rc == BH_OK) rc = store_list_get(ctx->db, &ctx->scope, id, r->arena, &l);
  if (rc == BH_OK) rc = decide_effects(&D, &d);
  if (rc == BH_OK) {
    json_t *detail = json_pack(
        "{s:I, s:s, s:o, s:o, s:o, s:o, s:O}", "row", (json_int_t)row, "decision",
        list_row_decisions[decision], "candidate", id_or_null(app, PUBID_PERSON, d.person_id),
        "case", id_or_null(app, PUBID_CASE, d.case_id), "replaced",
        id_or_null(app, PUBID_PERSON, d.replaced), "replaced_case",
        id_or_null(app, PUBID_CASE, d.replaced_case), "effects", D.fx);
    rc = api_audit(app, r, ctx, "list.decision", "list", id, detail);
  }
  if (rc == BH_OK) rc = store_commit(ctx->db);
  if (rc != BH_OK) {
    store_rollback(ctx->db);
    json_decref(D.fx);
    if (rc == BH_ERR_INVALID) {
      const char *f = kase ? "case_id" : "candidate_id";
      http_reply_error(r, rc, f, "%s is not a candidate of this row", f);
    } else {
      api_reply_store_error(r, rc, rc == BH_ERR_NOT_FOUND ? "list row" : "list");
    }
    return;
  }
  rc = store_list_get(ctx->db, &ctx->scope, id, r->arena, &l);
  if (rc != BH_OK) {
    json_decref(D.fx);
    api_reply_store_error(r, rc, "list");
    return;
  }
  json_t *body = json_pack("{s:I, s:s, s:o, s:o, s:o, s:o, s:o}", "row", (json_int_t)row,
                           "decision", list_row_decisions[decision], "person",
                           id_or_null(app, PUBID_PERSON, d.person_after), "case",
                           id_or_null(app, PUBID_CASE, d.case_after), "replaced",
                           id_or_null(app, PUBID_PERSON, d.replaced), "replaced_case",
                           id_or_null(app, PUBID_CASE, d.replaced_case), "list",
                           render_list(app, &l));
  json_object_update(body, D.fx);
  json_decref(D.fx);
  http_reply_json(r, 200, body);
}
