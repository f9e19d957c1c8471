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
  const char *csv = h_str("%s/im.csv", s->dir), *rej = h_str("%s/im.rejects.csv", s->dir);
  im_write(csv, im_csv);
  const char *said = im_import(s, s->db, csv, rej);
  assert_non_null(strstr(said, "4 rows read: 2 imported, 0 already present, 2 rejected"));
  const char *rejects = im_read(rej);
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
  said = im_import(s, s->db, csv, rej);
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

static void initial_load_into_an_empty_registry_stores_every_row_once(void **state) {
  h_server_t *s = *state;
  if (s->pg_name[0]) skip(); /* the initial load is SQLite's; PostgreSQL has the test above */
  const char *db = h_str("%s/initial.db", s->dir);
  const char *csv = h_str("%s/initial.csv", s->dir), *rej = h_str("%s/initial.rejects", s->dir);
  char *gen = calloc(1, IM_OUT_MAX);
  assert_non_null(gen);
  assert_int_equal(h_cli(NULL, gen, IM_OUT_MAX, "gen", "persons", "400", "--seed", "7", NULL), 0);
  im_write(csv, gen);
  free(gen);
  const char *said = im_import(s, db, csv, rej);
  assert_non_null(strstr(said, "400 rows read: 400 imported, 0 already present, 0 rejected"));
  /* A second run finds every row: the import keys were stored with the load. */
  said = im_import(s, db, csv, rej);
  assert_non_null(strstr(said, "400 rows read: 0 imported, 400 already present, 0 rejected"));
  /* Every person once in the export, with its presence's country column filled. */
  const char *out = h_str("%s/initial-export.csv", s->dir);
  char msg[512];
  assert_int_equal(h_cli(NULL, msg, sizeof(msg), "export", "persons", "--out", out, "--db", db,
                         NULL),
                   0);
  const char *text = im_read(out);
  assert_int_equal(im_count(text, "\r\n"), 401);
  assert_int_equal(im_count(text, "\r\nbaoho-"), 400);
}

int api_import_tests(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(import_keeps_good_rows_and_reports_bad_ones_by_line_and_field),
      cmocka_unit_test(initial_load_into_an_empty_registry_stores_every_row_once),
  };
  return cmocka_run_group_tests_name("import", tests, h_group_setup, h_group_teardown);
}
