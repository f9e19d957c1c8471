/*
 * test_import.c - `baoho import persons` against a running server's database (both backends):
 * good rows are stored and found by name, bad rows are reported with their line and field, list
 * columns keep their items exactly, a second run adds nothing; and, on SQLite, the initial load
 * into an empty registry (one transaction, indexes built at its end) stores every row once.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>

#include <cmocka.h>

#include "harness.h"

/* Room for what the CLI prints (gen writes a few hundred CSV rows). */
#define IM_OUT_MAX (256 * 1024)

/* Writes text to path; fails the test if it cannot. */
static void im_write(const char *path, const char *text) {
  FILE *f = fopen(path, "wb");
  assert_non_null(f);
  assert_int_equal(fwrite(text, 1, strlen(text), f), strlen(text));
  assert_int_equal(fclose(f), 0);
}

/* The content of path (kept until h_release_all); fails the test if it cannot be read. */
static const char *im_read(const char *path) {
  FILE *f = fopen(path, "rb");
  assert_non_null(f);
  char *buf = calloc(1, IM_OUT_MAX);
  assert_non_null(buf);
  size_t n = fread(buf, 1, IM_OUT_MAX - 1, f);
  fclose(f);
  buf[n] = '\0';
  const char *out = h_str("%s", buf);
  free(buf);
  return out;
}

/* Runs `baoho import persons CSV --rejects REJ --db DB`; fails the test unless it exits 0. */
static const char *im_import(h_server_t *s, const char *db, const char *csv, const char *rej) {
  char *out = calloc(1, IM_OUT_MAX);
  assert_non_null(out);
  int rc = h_cli(NULL, out, IM_OUT_MAX, "import", "persons", csv, "--rejects", rej, "--db", db,
                 NULL);
  if (rc != 0) {
    fprintf(stderr, "baoho import persons %s: exit %d\n%s\n", csv, rc, out);
    h_server_dump_log(s);
  }
  const char *said = h_str("%s", out);
  free(out);
  assert_int_equal(rc, 0);
  return said;
}

/* Writes text to NAME.csv in the server's directory and imports it into the server's database
 * (rejects to NAME.rejects.csv); what the CLI said. */
static const char *im_import_text(h_server_t *s, const char *name, const char *text) {
  const char *csv = h_str("%s/%s.csv", s->dir, name);
  im_write(csv, text);
  return im_import(s, s->db, csv, h_str("%s/%s.rejects.csv", s->dir, name));
}

/* What `baoho gen persons N --seed SEED` writes. */
static const char *im_gen(const char *n, const char *seed) {
  char *gen = calloc(1, IM_OUT_MAX);
  assert_non_null(gen);
  assert_int_equal(h_cli(NULL, gen, IM_OUT_MAX, "gen", "persons", n, "--seed", seed, NULL), 0);
  const char *text = h_str("%s", gen);
  free(gen);
  return text;
}

/* The CSV `baoho export persons` writes of database db (a file NAME.csv in the server's
 * directory). */
static const char *im_export(h_server_t *s, const char *db, const char *name) {
  const char *out = h_str("%s/%s.csv", s->dir, name);
  char msg[512];
  assert_int_equal(h_cli(NULL, msg, sizeof(msg), "export", "persons", "--out", out, "--db", db,
                         NULL),
                   0);
  return im_read(out);
}

/* Rows 3 and 4 are bad (country, date of birth); rows 2 and 5 good. Row 2's other name holds a
 * quote and a backslash, which its JSON text must escape. */
static const char im_csv[] =
    "external_id,full_name,other_names,date_of_birth,phones,flags,country,category,status\r\n"
    "im-1,Trịnh Văn Đức Importa,\"Đức \"\"Bé\"\" \\ Trịnh\",1990-05-17,"
    "+84912345678;+84987654321,elderly;medical,JP,worker,safe\r\n"
    "im-2,Lê Thị Importb,,1991,,,XX,worker,\r\n"
    "im-3,Phạm Importc,,1990-13-40,,,KR,student,\r\n"
    "im-4,Hoàng Importd Lan,,,,,KR,student,missing\r\n";

static void import_keeps_good_rows_and_reports_bad_ones_by_line_and_field(void **state) {
  h_server_t *s = *state;
  const char *said = im_import_text(s, "im", im_csv);
  assert_non_null(strstr(said, "4 rows read: 2 imported, 0 already present, 2 rejected"));
  const char *rejects = im_read(h_str("%s/im.rejects.csv", s->dir));
  assert_non_null(strstr(rejects, "\r\n3,country must be an ISO 3166-1 alpha-2 code,im-2,"));
  assert_non_null(strstr(rejects, "\r\n4,\"date_of_birth must be a date written"));
  assert_null(strstr(rejects, "Importa"));
  assert_null(strstr(rejects, "Importd"));

  /* Found without diacritics and in another word order; the lists are the items given. */
  const h_auth_t *hq = h_as(s, H_HQ);
  h_resp_t *r = h_call(s, hq, "GET", NULL, "/api/v1/persons?q=%s", h_urlencode("duc importa trinh"));
  EXPECT_STATUS(s, r, 200);
  assert_int_equal(json_array_size(h_get(r->json, "items")), 1);
  const char *id = h_str("%s", h_gets(r->json, "items[0].id"));
  r = h_call(s, hq, "GET", NULL, "/api/v1/persons/%s", id);
  EXPECT_STATUS(s, r, 200);
  assert_string_equal(h_gets(r->json, "full_name"), "Trịnh Văn Đức Importa");
  assert_string_equal(h_gets(r->json, "other_names[0]"), "Đức \"Bé\" \\ Trịnh");
  assert_string_equal(h_gets(r->json, "phones[0]"), "+84912345678");
  assert_string_equal(h_gets(r->json, "phones[1]"), "+84987654321");
  assert_int_equal(json_array_size(h_get(r->json, "flags")), 2);
  assert_string_equal(h_gets(r->json, "date_of_birth"), "1990-05-17");
  assert_string_equal(h_gets(r->json, "status"), "safe");
  r = h_call(s, hq, "GET", NULL, "/api/v1/persons?q=%s", h_urlencode("lan importd"));
  EXPECT_STATUS(s, r, 200);
  assert_int_equal(json_array_size(h_get(r->json, "items")), 1);
  assert_string_equal(h_gets(r->json, "items[0].status"), "missing");
  r = h_call(s, hq, "GET", NULL, "/api/v1/persons?q=importb");
  EXPECT_STATUS(s, r, 200);
  assert_int_equal(json_array_size(h_get(r->json, "items")), 0);

  /* The same file again adds nothing. */
  said = im_import_text(s, "im", im_csv);
  assert_non_null(strstr(said, "4 rows read: 0 imported, 2 already present, 2 rejected"));
  r = h_call(s, hq, "GET", NULL, "/api/v1/persons?q=importa");
  EXPECT_STATUS(s, r, 200);
  assert_int_equal(json_array_size(h_get(r->json, "items")), 1);
}

/* Counts the lines of text that contain needle. */
static size_t im_count(const char *text, const char *needle) {
  size_t n = 0;
  for (const char *p = strstr(text, needle); p != NULL; p = strstr(p + 1, needle)) n++;
  return n;
}

/* The names of the indexes of the person tables in database path, one per line, in order. */
static const char *im_indexes(const char *path) {
  sqlite3 *db = NULL;
  sqlite3_stmt *st = NULL;
  assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
  assert_int_equal(
      sqlite3_prepare_v2(db,
                         "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name IN"
                         " ('persons', 'presences', 'status_events') ORDER BY name",
                         -1, &st, NULL),
      SQLITE_OK);
  const char *names = "";
  while (sqlite3_step(st) == SQLITE_ROW) {
    names = h_str("%s%s\n", names, (const char *)sqlite3_column_text(st, 0));
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
  return names;
}

/* What PRAGMA integrity_check says of database path (its first line). */
static const char *im_integrity(const char *path) {
  sqlite3 *db = NULL;
  sqlite3_stmt *st = NULL;
  assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
  assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, NULL), SQLITE_OK);
  assert_int_equal(sqlite3_step(st), SQLITE_ROW);
  const char *said = h_str("%s", (const char *)sqlite3_column_text(st, 0));
  sqlite3_finalize(st);
  sqlite3_close(db);
  return said;
}

static void initial_load_into_an_empty_registry_stores_every_row_once(void **state) {
  h_server_t *s = *state;
  if (s->pg_name[0]) skip(); /* the initial load is SQLite's; PostgreSQL has the test above */
  const char *db = h_str("%s/initial.db", s->dir);
  const char *csv = h_str("%s/initial.csv", s->dir), *rej = h_str("%s/initial.rejects", s->dir);
  im_write(csv, im_gen("400", "7"));
  const char *said = im_import(s, db, csv, rej);
  assert_non_null(strstr(said, "400 rows read: 400 imported, 0 already present, 0 rejected"));
  /* The load dropped some indexes and kept others: it leaves every index of the schema (those
   * of the server's own registry), each holding exactly the rows of its table. */
  assert_string_equal(im_indexes(db), im_indexes(s->db));
  assert_string_equal(im_integrity(db), "ok");
  /* A second run finds every row: the import keys were stored with the load. */
  said = im_import(s, db, csv, rej);
  assert_non_null(strstr(said, "400 rows read: 0 imported, 400 already present, 0 rejected"));
  /* Every person once in the export, with its presence's country column filled. */
  const char *text = im_export(s, db, "initial-export");
  assert_int_equal(im_count(text, "\r\n"), 401);
  assert_int_equal(im_count(text, "\r\nbaoho-"), 400);
}

/* Two persons with identity numbers, written with the spaces and case people type. */
static const char im_numbers_csv[] =
    "external_id,full_name,national_id,passport,country\r\n"
    "imn-1,Đỗ Thị Importnum,038190007777,c 7654321,JP\r\n"
    "imn-2,Vũ Văn Importnum,,C7654322,KR\r\n";

/* The items HQ finds with ?q=q (the answer must be 200). */
static json_t *im_search(h_server_t *s, const char *q) {
  h_resp_t *r = h_call(s, h_as(s, H_HQ), "GET", NULL, "/api/v1/persons?q=%s", h_urlencode(q));
  EXPECT_STATUS(s, r, 200);
  return h_get(r->json, "items");
}

static void imported_persons_are_found_by_exact_passport_and_national_id(void **state) {
  h_server_t *s = *state;
  const char *said = im_import_text(s, "imn", im_numbers_csv);
  assert_non_null(strstr(said, "2 rows read: 2 imported, 0 already present, 0 rejected"));
  static const struct {
    const char *q, *name;
  } finds[] = {
      {"C7654321", "Đỗ Thị Importnum"},
      {"038190007777", "Đỗ Thị Importnum"},
      {"c7654322", "Vũ Văn Importnum"},
  };
  for (size_t i = 0; i < sizeof(finds) / sizeof(finds[0]); i++) {
    json_t *items = im_search(s, finds[i].q);
    const char *name = h_gets(items, "[0].full_name");
    if (json_array_size(items) != 1 || name == NULL || strcmp(name, finds[i].name) != 0) {
      fail_msg("q=%s did not find exactly %s", finds[i].q, finds[i].name);
    }
  }
  /* A number that differs in its last digit finds no one. */
  assert_int_equal(json_array_size(im_search(s, "C7654323")), 0);
  /* A passport changed later is found by its new number only. */
  const char *id = h_str("%s", h_gets(im_search(s, "C7654322"), "[0].id"));
  EXPECT_STATUS(s,
                h_call(s, h_as(s, H_HQ), "PATCH", "{\"passport\":\"C7654329\"}",
                       "/api/v1/persons/%s", id),
                200);
  json_t *items = im_search(s, "C7654329");
  assert_int_equal(json_array_size(items), 1);
  assert_string_equal(h_gets(items, "[0].id"), id);
  assert_int_equal(json_array_size(im_search(s, "C7654322")), 0);
}

static void initial_load_skips_the_duplicates_inside_its_file(void **state) {
  h_server_t *s = *state;
  if (s->pg_name[0]) skip(); /* the initial load is SQLite's */
  const char *db = h_str("%s/initial-dups.db", s->dir);
  const char *csv = h_str("%s/initial-dups.csv", s->dir);
  const char *rej = h_str("%s/initial-dups.rejects", s->dir);
  /* The file twice, the second copy without its header: each row comes back once. */
  const char *gen = im_gen("100", "9"), *body = strstr(gen, "\n");
  assert_non_null(body);
  im_write(csv, h_str("%s%s", gen, body + 1));
  const char *said = im_import(s, db, csv, rej);
  assert_non_null(strstr(said, "200 rows read: 100 imported, 100 already present, 0 rejected"));
  assert_int_equal(im_count(im_export(s, db, "initial-dups-export"), "\r\nbaoho-"), 100);
}

/* The same on a registry that holds persons (batches in WAL mode on SQLite; on PostgreSQL one
 * statement per chunk of rows, where both copies of a row meet in one statement). */
static void import_into_a_registry_skips_the_duplicates_inside_its_file(void **state) {
  h_server_t *s = *state;
  const char *gen = im_gen("60", "31"), *body = strstr(gen, "\n");
  assert_non_null(body);
  const char *said = im_import_text(s, "dups-in-file", h_str("%s%s", gen, body + 1));
  assert_non_null(strstr(said, "120 rows read: 60 imported, 60 already present, 0 rejected"));
  said = im_import_text(s, "dups-in-file-again", gen);
  assert_non_null(strstr(said, "60 rows read: 0 imported, 60 already present, 0 rejected"));
}

int api_import_tests(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(import_keeps_good_rows_and_reports_bad_ones_by_line_and_field),
      cmocka_unit_test(initial_load_into_an_empty_registry_stores_every_row_once),
      cmocka_unit_test(imported_persons_are_found_by_exact_passport_and_national_id),
      cmocka_unit_test(initial_load_skips_the_duplicates_inside_its_file),
      cmocka_unit_test(import_into_a_registry_skips_the_duplicates_inside_its_file),
  };
  return cmocka_run_group_tests_name("import", tests, h_group_setup, h_group_teardown);
}
