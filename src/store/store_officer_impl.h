/*
 * store_officer_impl.h - the two backends of store_officer.h (sq_ SQLite in
 * store_sqlite_admin.c, pg_ PostgreSQL in store_pg.c). Only store_officer.c calls these; each
 * has the contract of the store_ function of the same name.
 */
#ifndef BAOHO_STORE_OFFICER_IMPL_H
#define BAOHO_STORE_OFFICER_IMPL_H

#include "store/store_officer.h"

struct sq_conn;
struct bh_pg_conn;

int sq_officer_list(struct sq_conn *c, int64_t mission_id, const store_page_t *page, arena_t *a,
                    user_t **out, size_t *n);
int pg_officer_list(struct bh_pg_conn *c, int64_t mission_id, const store_page_t *page,
                    arena_t *a, user_t **out, size_t *n);

#endif
