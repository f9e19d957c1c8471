/*
 * test_import_names.c - unit tests for the name index of an import on SQLite: an initial load
 * (empty registry) builds it apart, on its own thread, and puts it in place at its end; an
 * import into a registry that holds persons indexes names row by row. Either way every stored
 * person is found by name, duplicates of the file are not indexed twice, and a failed initial
 * load leaves the index as it was.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "domain/secret.h"
#include "registry/import.h"
#include "store/store.h"
#include "store/store_import.h"
#include "util/arena.h"
#include "util/err.h"

/* Rows of the first file: more than two chunks of the import pipeline. */
#define IN_ROWS 700

static secret_t keys;
static char dir[64];

static int setup(void **state) {
  (void)state;
  if (secret_init() != BH_OK) return -1;
  unsigned char master[SECRET_KEY_BYTES];
  for (size_t i = 0; i < sizeof(master); i++) master[i] = (unsigned char)(5 + 7 * i);
  secret_from_master(master, &keys);
  snprintf(dir, sizeof(dir), "/tmp/baoho-test-import-names-XXXXXX");
  return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state) {
  (void)state;
  char cmd[128];
  snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
  return system(cmd) == 0 ? 0 : -1;
}

/* Imports text as a CSV file into c; returns the statistics. */
static import_stats_t in_import(store_conn_t *c, const char *text) {
  FILE *f = tmpfile();
  assert_non_null(f);
  assert_int_equal(fwrite(text, 1, strlen(text), f), strlen(text));
  rewind(f);
  import_options_t opt = {0};
  import_stats_t stats;
  char err[256] = "";
  int rc = import_persons(c, &keys, f, &opt, &stats, err, sizeof(err));
  fclose(f);
  if (rc != BH_OK) fprintf(stderr, "import: %s\n", err);
  assert_int_equal(rc, BH_OK);
  return stats;
}

/* How many persons a search for the folded tokens finds (all of them, page by page). */
static size_t in_found(store_conn_t *c, const char *const *tokens, size_t ntokens) {
  person_filter_t f = {0};
  for (size_t i = 0; i < ntokens; i++) snprintf(f.tokens[i], NAME_TOKEN_MAX, "%s", tokens[i]);
  f.ntokens = ntokens;
  store_scope_t scope = {.all = 1};
  store_page_t page = {.after = 0, .limit = 100};
  size_t total = 0;
  for (;;) {
    arena_t *a = arena_new(1 << 20);
    assert_non_null(a);
    person_t *out = NULL;
    size_t n = 0;
    assert_int_equal(store_person_search(c, &scope, &f, &page, a, &out, &n), BH_OK);
    total += n;
    if (n > 0) page.after = out[n - 1].id;
    for (size_t i = 0; i < n; i++) person_clear(&out[i]);
    arena_free(a);
    if (n < (size_t)page.limit) return total;
  }
}

/* IN_ROWS persons "Phạm Thu Hằng" (distinct external ids), one "Lan Đặng Riêng", and the first
 * row again (a duplicate inside the file). */
static char *in_first_file(void) {
  size_t cap = (size_t)IN_ROWS * 64 + 256, o = 0;
  char *text = malloc(cap);
  assert_non_null(text);
  o += (size_t)snprintf(text + o, cap - o, "external_id,full_name,country\n");
  for (int i = 0; i < IN_ROWS; i++) {
    o += (size_t)snprintf(text + o, cap - o, "in-%d,Phạm Thu Hằng,JP\n", i);
  }
  o += (size_t)snprintf(text + o, cap - o, "in-x,Lan Đặng Riêng,KR\nin-0,Phạm Thu Hằng,JP\n");
  return text;
}

static void names_are_found_after_an_initial_load_and_after_a_later_import(void **state) {
  (void)state;
  char path[128];
  snprintf(path, sizeof(path), "%s/names.db", dir);
  store_t *st = NULL;
  assert_int_equal(store_open(path, &keys, STORE_SYNC_OFF, &st), BH_OK);
  store_conn_t *c = store_conn(st);
  char *first = in_first_file();
  import_stats_t s = in_import(c, first);
  free(first);
  assert_int_equal(s.imported, IN_ROWS + 1);
  assert_int_equal(s.duplicates, 1);
  assert_int_equal(in_found(c, (const char *const[]){"pham", "hang"}, 2), IN_ROWS);
  assert_int_equal(in_found(c, (const char *const[]){"hang", "thu", "pham"}, 3), IN_ROWS);
  assert_int_equal(in_found(c, (const char *const[]){"rieng"}, 1), 1);
  assert_int_equal(in_found(c, (const char *const[]){"dang", "lan"}, 2), 1);
  /* The registry holds persons now: this import indexes its names row by row. */
  s = in_import(c, "external_id,full_name,country\nin-y,Hoàng Mới Thêm,VN\nin-x,Lan Đặng Riêng,KR\n");
  assert_int_equal(s.imported, 1);
  assert_int_equal(s.duplicates, 1);
  assert_int_equal(in_found(c, (const char *const[]){"moi", "hoang"}, 2), 1);
  assert_int_equal(in_found(c, (const char *const[]){"rieng"}, 1), 1);
  assert_int_equal(in_found(c, (const char *const[]){"pham", "thu"}, 2), IN_ROWS);
  store_close(st);
  /* Opened again (another process would): the index is still whole. */
  assert_int_equal(store_open(path, &keys, STORE_SYNC_OFF, &st), BH_OK);
  c = store_conn(st);
  assert_int_equal(in_found(c, (const char *const[]){"pham", "hang"}, 2), IN_ROWS);
  assert_int_equal(in_found(c, (const char *const[]){"them"}, 1), 1);
  store_close(st);
}

static void an_initial_load_that_fails_leaves_no_name(void **state) {
  (void)state;
  char path[128];
  snprintf(path, sizeof(path), "%s/failed.db", dir);
  store_t *st = NULL;
  assert_int_equal(store_open(path, &keys, STORE_SYNC_OFF, &st), BH_OK);
  store_conn_t *c = store_conn(st);
  int initial = 0;
  assert_int_equal(store_import_begin(c, &initial), BH_OK);
  assert_int_equal(initial, 1);
  assert_non_null(store_import_names(c));
  assert_int_equal(store_import_names_add(store_import_names(c), 1, "pham thu hang"), BH_OK);
  assert_int_equal(store_import_end(c, 0), BH_OK);
  assert_int_equal(in_found(c, (const char *const[]){"pham"}, 1), 0);
  /* A load after it works as the first one would have. */
  import_stats_t s = in_import(c, "external_id,full_name,country\nf-1,Phạm Thu Hằng,JP\n");
  assert_int_equal(s.imported, 1);
  assert_int_equal(in_found(c, (const char *const[]){"pham", "hang"}, 2), 1);
  store_close(st);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(names_are_found_after_an_initial_load_and_after_a_later_import),
      cmocka_unit_test(an_initial_load_that_fails_leaves_no_name),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
