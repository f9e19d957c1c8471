/*
 * test_import_identity_key.c - unit tests for the integer lookup key of identity numbers
 * (sq_identity_key, store_sqlite_priv.h): the key migration_importfast computes in SQL for the
 * rows stored before it is the one the C code binds for every new row, whatever the bytes of the
 * hash; and the migration leaves persons_nid and persons_passport on the keys.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "store/sqlite_schema.h"
#include "store/store_sqlite_priv.h"

/* The text of migration_importfast, found by what it adds (its position is not fixed). */
static const char *importfast_migration(void) {
  for (size_t v = 1; v <= sqlite_schema_count(); v++) {
    const char *sql = sqlite_schema_migration(v);
    if (sql != NULL && strstr(sql, "ADD COLUMN nid_key INTEGER") != NULL) return sql;
  }
  return NULL;
}

/* A registry as the migration finds it: the hashes, indexed by the indexes it replaces. */
static sqlite3 *old_registry(void) {
  sqlite3 *db = NULL;
  assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
  assert_int_equal(sqlite3_exec(db,
                                "CREATE TABLE persons (id INTEGER PRIMARY KEY, nid_hash BLOB,"
                                " passport_hash BLOB);"
                                "CREATE INDEX persons_passport ON persons(passport_hash)"
                                " WHERE passport_hash IS NOT NULL;"
                                "CREATE INDEX persons_nid ON persons(nid_hash)"
                                " WHERE nid_hash IS NOT NULL;",
                                NULL, NULL, NULL),
                   SQLITE_OK);
  return db;
}

/* Hash number i of the test: edge bytes first (all 0x00, all 0xFF, one high bit), then a
 * pseudo-random spread. */
static void test_hash(unsigned i, unsigned char h[SECRET_INDEX_BYTES]) {
  uint32_t x = 2463534242u + i * 2654435761u;
  for (size_t b = 0; b < SECRET_INDEX_BYTES; b++) {
    x ^= x << 13, x ^= x >> 17, x ^= x << 5;
    h[b] = i == 0 ? 0x00 : i == 1 ? 0xFF : i == 2 ? (b == 0 ? 0x80 : 0x00) : (unsigned char)x;
  }
}

static void migration_key_equals_c_key_for_every_byte_pattern(void **state) {
  (void)state;
  const char *sql = importfast_migration();
  assert_non_null(sql);
  sqlite3 *db = old_registry();
  sqlite3_stmt *ins = NULL;
  assert_int_equal(sqlite3_prepare_v2(db, "INSERT INTO persons(id, nid_hash, passport_hash)"
                                          " VALUES (?1, ?2, ?3)", -1, &ins, NULL),
                   SQLITE_OK);
  enum { N = 2000 };
  for (unsigned i = 0; i < N; i++) {
    unsigned char nh[SECRET_INDEX_BYTES], ph[SECRET_INDEX_BYTES];
    test_hash(i, nh);
    test_hash(i + N, ph);
    sqlite3_bind_int64(ins, 1, i + 1);
    sqlite3_bind_blob(ins, 2, nh, SECRET_INDEX_BYTES, SQLITE_TRANSIENT);
    /* Every third person has no passport: its key must stay NULL. */
    if (i % 3 != 0) sqlite3_bind_blob(ins, 3, ph, SECRET_INDEX_BYTES, SQLITE_TRANSIENT);
    assert_int_equal(sqlite3_step(ins), SQLITE_DONE);
    sqlite3_reset(ins);
    sqlite3_clear_bindings(ins);
  }
  sqlite3_finalize(ins);
  assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
  sqlite3_stmt *sel = NULL;
  assert_int_equal(sqlite3_prepare_v2(db, "SELECT nid_hash, nid_key, passport_hash, passport_key"
                                          " FROM persons ORDER BY id", -1, &sel, NULL),
                   SQLITE_OK);
  unsigned rows = 0;
  while (sqlite3_step(sel) == SQLITE_ROW) {
    const unsigned char *nh = sqlite3_column_blob(sel, 0);
    assert_non_null(nh);
    assert_int_equal(sqlite3_column_type(sel, 1), SQLITE_INTEGER);
    assert_true(sqlite3_column_int64(sel, 1) == sq_identity_key(nh));
    const unsigned char *ph = sqlite3_column_blob(sel, 2);
    if (ph == NULL) {
      assert_int_equal(sqlite3_column_type(sel, 3), SQLITE_NULL);
    } else {
      assert_true(sqlite3_column_int64(sel, 3) == sq_identity_key(ph));
    }
    rows++;
  }
  assert_int_equal(rows, N);
  sqlite3_finalize(sel);
  sqlite3_close(db);
}

static void key_is_the_first_bytes_big_endian_and_never_negative(void **state) {
  (void)state;
  unsigned char h[SECRET_INDEX_BYTES];
  memset(h, 0xFF, sizeof(h));
  assert_true(sq_identity_key(h) == ((sqlite3_int64)1 << (8 * SQ_IDENTITY_KEY_BYTES)) - 1);
  memset(h, 0, sizeof(h));
  h[0] = 0x01;
  h[SQ_IDENTITY_KEY_BYTES - 1] = 0x02;
  h[SQ_IDENTITY_KEY_BYTES] = 0xFF; /* beyond the key: no effect */
  assert_true(sq_identity_key(h) == ((sqlite3_int64)1 << (8 * (SQ_IDENTITY_KEY_BYTES - 1))) + 2);
}

static void migration_moves_both_indexes_onto_the_keys(void **state) {
  (void)state;
  sqlite3 *db = old_registry();
  assert_int_equal(sqlite3_exec(db, importfast_migration(), NULL, NULL, NULL), SQLITE_OK);
  sqlite3_stmt *st = NULL;
  assert_int_equal(sqlite3_prepare_v2(db, "SELECT name, sql FROM sqlite_master WHERE type ="
                                          " 'index' ORDER BY name", -1, &st, NULL),
                   SQLITE_OK);
  assert_int_equal(sqlite3_step(st), SQLITE_ROW);
  assert_string_equal((const char *)sqlite3_column_text(st, 0), "persons_nid");
  assert_non_null(strstr((const char *)sqlite3_column_text(st, 1), "(nid_key)"));
  assert_int_equal(sqlite3_step(st), SQLITE_ROW);
  assert_string_equal((const char *)sqlite3_column_text(st, 0), "persons_passport");
  assert_non_null(strstr((const char *)sqlite3_column_text(st, 1), "(passport_key)"));
  assert_int_equal(sqlite3_step(st), SQLITE_DONE);
  sqlite3_finalize(st);
  sqlite3_close(db);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(migration_key_equals_c_key_for_every_byte_pattern),
      cmocka_unit_test(key_is_the_first_bytes_big_endian_and_never_negative),
      cmocka_unit_test(migration_moves_both_indexes_onto_the_keys),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
