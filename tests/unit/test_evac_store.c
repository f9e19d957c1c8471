/*
 * test_evac_store.c - the reads and scoped writes of the evacuation store (store_evac.h)
 * that both backends build from shared row helpers: an update of a site or a transport outside
 * the caller's scope, or of one that does not exist, is BH_ERR_NOT_FOUND and changes nothing;
 * lists read every row, in id order, page by page, and an empty list is empty.
 *
 * Each test runs on a fresh SQLite file and, when BAOHO_TEST_PG names a PostgreSQL cluster, on
 * a fresh database of it (created and dropped here), so the two backends answer alike.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "domain/secret.h"
#include "store/store.h"
#include "store/store_evac.h"
#include "util/err.h"

/* The store under test (a SQLite file or a PostgreSQL database) and how to remove it. */
struct dd_store {
  store_t *s;
  char path[64];       /* the SQLite file, or "" */
  char admin[1024];    /* the PostgreSQL cluster's URL, or "" */
  char db[64];         /* the PostgreSQL database, or "" */
};

static int dd_admin(const char *url, const char *sql) {
  PGconn *db = PQconnectdb(url);
  PGresult *res = PQexec(db, sql);
  int ok = PQresultStatus(res) == PGRES_COMMAND_OK;
  PQclear(res);
  PQfinish(db);
  return ok ? 0 : -1;
}

static void dd_open_sqlite(struct dd_store *d) {
  memset(d, 0, sizeof(*d));
  snprintf(d->path, sizeof(d->path), "/tmp/baoho-test-dedupe-XXXXXX");
  int fd = mkstemp(d->path);
  assert_true(fd >= 0);
  close(fd);
  unlink(d->path);
  unsigned char master[SECRET_KEY_BYTES] = {9};
  secret_t keys;
  secret_from_master(master, &keys);
  assert_int_equal(store_open(d->path, &keys, STORE_SYNC_NORMAL, &d->s), BH_OK);
}

/* Opens a fresh PostgreSQL database; 0 when BAOHO_TEST_PG is unset (nothing opened). */
static int dd_open_pg(struct dd_store *d, int n) {
  memset(d, 0, sizeof(*d));
  const char *url = getenv("BAOHO_TEST_PG");
  if (url == NULL || url[0] == '\0') return 0;
  snprintf(d->admin, sizeof(d->admin), "%s", url);
  snprintf(d->db, sizeof(d->db), "dedupe_unit_%ld_%d", (long)getpid(), n);
  char sql[128];
  snprintf(sql, sizeof(sql), "CREATE DATABASE %s", d->db);
  assert_int_equal(dd_admin(d->admin, sql), 0);
  const char *slash = strrchr(url, '/');
  const char *query = strchr(url, '?');
  size_t base = slash != NULL && slash > strstr(url, "//") + 1 ? (size_t)(slash - url) : strlen(url);
  char dburl[1200];
  snprintf(dburl, sizeof(dburl), "%.*s/%s%s", (int)base, url, d->db, query ? query : "");
  unsigned char master[SECRET_KEY_BYTES] = {9};
  secret_t keys;
  secret_from_master(master, &keys);
  assert_int_equal(store_open(dburl, &keys, STORE_SYNC_FULL, &d->s), BH_OK);
  return 1;
}

static void dd_close(struct dd_store *d) {
  store_close(d->s);
  if (d->path[0] != '\0') {
    char side[sizeof(d->path) + 8];
    unlink(d->path);
    snprintf(side, sizeof(side), "%s-wal", d->path);
    unlink(side);
    snprintf(side, sizeof(side), "%s-shm", d->path);
    unlink(side);
  }
  if (d->db[0] != '\0') {
    char sql[128];
    snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s", d->db);
    assert_int_equal(dd_admin(d->admin, sql), 0);
  }
}

/* A mission whose jurisdiction is TH only, as an officer's scope. */
static store_scope_t dd_officer_of_th(store_conn_t *c) {
  mission_t m = {.kind = "embassy", .name = "Bangkok", .city = "Bangkok", .country = "TH",
                 .jurisdiction = json_pack("[s]", "TH"), .timezone = "Asia/Bangkok"};
  assert_int_equal(store_mission_create(c, &m), BH_OK);
  json_decref(m.jurisdiction);
  return (store_scope_t){.all = 0, .mission_id = m.id};
}

static site_t dd_site(store_conn_t *c, const char *country, int64_t capacity) {
  site_t s = {.kind = "shelter", .name = "Nhà tạm lánh", .country = "", .capacity = capacity};
  memcpy(s.country, country, 3);
  assert_int_equal(store_site_create(c, &s), BH_OK);
  return s;
}

static transport_t dd_transport(store_conn_t *c, const char *origin, int64_t capacity) {
  transport_t t = {.mode = "bus", .provider = "own", .purpose = "evacuation",
                   .origin_place = "A", .destination_place = "B", .departure_at = 1000,
                   .capacity = capacity};
  memcpy(t.origin_country, origin, 3);
  memcpy(t.destination_country, "VN", 3);
  assert_int_equal(store_transport_create(c, &t), BH_OK);
  return t;
}

static int dd_update_site(store_conn_t *c, const store_scope_t *scope, const site_t *s) {
  assert_int_equal(store_begin_write(c), BH_OK);
  int rc = store_site_update(c, scope, s);
  if (rc == BH_OK) {
    assert_int_equal(store_commit(c), BH_OK);
  } else {
    store_rollback(c);
  }
  return rc;
}

static int dd_update_transport(store_conn_t *c, const store_scope_t *scope,
                               const transport_t *t) {
  assert_int_equal(store_begin_write(c), BH_OK);
  int rc = store_transport_update(c, scope, t);
  if (rc == BH_OK) {
    assert_int_equal(store_commit(c), BH_OK);
  } else {
    store_rollback(c);
  }
  return rc;
}

static void dd_updates_out_of_scope(store_conn_t *c) {
  store_scope_t all = STORE_SCOPE_ALL;
  store_scope_t th = dd_officer_of_th(c);
  arena_t *a = arena_new(1 << 16);
  site_t s = dd_site(c, "IL", 10);
  site_t changed = s;
  changed.capacity = 99;
  assert_int_equal(dd_update_site(c, &th, &changed), BH_ERR_NOT_FOUND);
  site_t got;
  assert_int_equal(store_site_get(c, &all, s.id, a, &got), BH_OK);
  assert_int_equal(got.capacity, 10);
  assert_int_equal(store_site_get(c, &th, s.id, a, &got), BH_ERR_NOT_FOUND);
  changed.id = s.id + 1000;
  assert_int_equal(dd_update_site(c, &all, &changed), BH_ERR_NOT_FOUND);
  changed.id = s.id;
  assert_int_equal(dd_update_site(c, &all, &changed), BH_OK);
  assert_int_equal(store_site_get(c, &all, s.id, a, &got), BH_OK);
  assert_int_equal(got.capacity, 99);

  transport_t t = dd_transport(c, "IL", 5);
  transport_t tc = t;
  tc.capacity = 50;
  assert_int_equal(dd_update_transport(c, &th, &tc), BH_ERR_NOT_FOUND);
  transport_t tg = {0};
  assert_int_equal(store_transport_get(c, &all, t.id, a, &tg), BH_OK);
  assert_int_equal(tg.capacity, 5);
  transport_clear(&tg);
  tc.id = t.id + 1000;
  assert_int_equal(dd_update_transport(c, &all, &tc), BH_ERR_NOT_FOUND);
  tc.id = t.id;
  assert_int_equal(dd_update_transport(c, &all, &tc), BH_OK);
  assert_int_equal(store_transport_get(c, &all, t.id, a, &tg), BH_OK);
  assert_int_equal(tg.capacity, 50);
  transport_clear(&tg);
  arena_free(a);
}

static void dd_lists(store_conn_t *c) {
  store_scope_t all = STORE_SCOPE_ALL;
  store_scope_t th = dd_officer_of_th(c);
  arena_t *a = arena_new(1 << 16);
  int64_t ids[3];
  for (int i = 0; i < 3; i++) ids[i] = dd_site(c, "TH", 5 + i).id;
  dd_site(c, "IL", 5);
  site_t *sites = NULL;
  size_t n = 99;
  site_filter_t none = {.country = "KH"};
  store_page_t page = {.after = 0, .limit = 2};
  assert_int_equal(store_site_list(c, &all, &none, &page, a, &sites, &n), BH_OK);
  assert_int_equal(n, 0);
  assert_int_equal(store_site_list(c, &th, NULL, &page, a, &sites, &n), BH_OK);
  assert_int_equal(n, 2);
  assert_int_equal(sites[0].id, ids[0]);
  assert_int_equal(sites[1].id, ids[1]);
  assert_int_equal(sites[1].capacity, 6);
  assert_string_equal(sites[1].country, "TH");
  page.after = sites[1].id;
  assert_int_equal(store_site_list(c, &th, NULL, &page, a, &sites, &n), BH_OK);
  assert_int_equal(n, 1); /* the IL site is outside the officer's scope */
  assert_int_equal(sites[0].id, ids[2]);

  int64_t t1 = dd_transport(c, "TH", 3).id;
  int64_t t2 = dd_transport(c, "TH", 4).id;
  dd_transport(c, "IL", 4);
  transport_t *ts = NULL;
  page = (store_page_t){.after = 0, .limit = 10};
  assert_int_equal(store_transport_list(c, &th, NULL, &page, a, &ts, &n), BH_OK);
  assert_int_equal(n, 2);
  assert_int_equal(ts[0].id, t1);
  assert_int_equal(ts[1].id, t2);
  assert_int_equal(ts[1].capacity, 4);
  for (size_t i = 0; i < n; i++) transport_clear(&ts[i]);
  transport_filter_t cancelled = {.status = "cancelled"};
  assert_int_equal(store_transport_list(c, &all, &cancelled, &page, a, &ts, &n), BH_OK);
  assert_int_equal(n, 0);

  person_t p = {.full_name = "Trần Thị Mai", .sex = "F", .source = "officer", .status = "safe"};
  assert_int_equal(store_person_create(c, &p), BH_OK);
  person_clear(&p);
  evac_refusal_t why;
  int64_t stay;
  assert_int_equal(store_begin_write(c), BH_OK);
  assert_int_equal(store_site_checkin(c, &all, ids[0], p.id, 2000, 0, &why, &stay), BH_OK);
  assert_int_equal(store_commit(c), BH_OK);
  site_stay_t *people = NULL;
  assert_int_equal(store_site_people(c, &all, ids[0], 1, &page, a, &people, &n), BH_OK);
  assert_int_equal(n, 1);
  assert_int_equal(people[0].id, stay);
  assert_int_equal(people[0].person_id, p.id);
  assert_string_equal(people[0].full_name, "Trần Thị Mai");
  assert_int_equal(people[0].checked_in_at, 2000);
  assert_int_equal(people[0].checked_out_at, 0);
  assert_int_equal(store_site_people(c, &all, ids[1], 1, &page, a, &people, &n), BH_OK);
  assert_int_equal(n, 0);
  arena_free(a);
}

static void run_on_both(void (*body)(store_conn_t *c), int n) {
  struct dd_store d;
  dd_open_sqlite(&d);
  body(store_conn(d.s));
  dd_close(&d);
  if (dd_open_pg(&d, n)) {
    body(store_conn(d.s));
    dd_close(&d);
  }
}

static void evac_update_outside_the_scope_or_of_no_row_is_not_found_and_changes_nothing(
    void **state) {
  (void)state;
  run_on_both(dd_updates_out_of_scope, 1);
}

static void evac_lists_read_every_row_in_id_order_and_an_empty_list_is_empty(void **state) {
  (void)state;
  run_on_both(dd_lists, 2);
}

int main(void) {
  secret_init();
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(
          evac_update_outside_the_scope_or_of_no_row_is_not_found_and_changes_nothing),
      cmocka_unit_test(evac_lists_read_every_row_in_id_order_and_an_empty_list_is_empty),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
