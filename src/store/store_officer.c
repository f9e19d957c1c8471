/*
 * store_officer.c - forwards the calls of store_officer.h to the backend that owns the
 * connection (sq_ for SQLite, pg_ for PostgreSQL).
 */
#include "store/store_officer.h"

#include "store/store_impl.h"
#include "store/store_officer_impl.h"

int store_officer_list(store_conn_t *c, int64_t mission_id, const store_page_t *page, arena_t *a,
                       user_t **out, size_t *n) {
  return c->pg ? pg_officer_list(c->pg, mission_id, page, a, out, n)
               : sq_officer_list(c->sq, mission_id, page, a, out, n);
}
