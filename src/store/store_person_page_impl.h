/*
 * store_person_page_impl.h - the two backends of store_person_page (sq_ SQLite in
 * store_sqlite_person.c, pg_ PostgreSQL in store_pg_person.c). Only store_person_page.c and
 * those two files include it.
 */
#ifndef BAOHO_STORE_PERSON_PAGE_IMPL_H
#define BAOHO_STORE_PERSON_PAGE_IMPL_H

#include "store/store_person_page.h"

struct sq_conn;
struct bh_pg_conn;

int sq_person_page(struct sq_conn *c, const store_scope_t *scope, const person_filter_t *f,
                   const store_page_t *page, arena_t *a, person_row_t **out, size_t *n);
int pg_person_page(struct bh_pg_conn *c, const store_scope_t *scope, const person_filter_t *f,
                   const store_page_t *page, arena_t *a, person_row_t **out, size_t *n);

#endif
