/*
 * store_list_impl.h - the two backends of store_list.h (sql_ SQLite, pgl_ PostgreSQL). Only
 * store_list.c calls these; each has the contract of the store_ function of the same name.
 */
#ifndef BAOHO_STORE_LIST_IMPL_H
#define BAOHO_STORE_LIST_IMPL_H

#include "store/store_list.h"

struct sq_conn;
struct bh_pg_conn;

/* The matching generation of the n values a backend reads (a change counter, counts and highest
 * ids): a 64-bit mix, never negative, so -1 can mean "unknown". */
static inline int64_t store_list_gen_mix(const int64_t *v, int n) {
  uint64_t h = 0x9E3779B97F4A7C15ull;
  for (int i = 0; i < n; i++) {
    h ^= (uint64_t)v[i];
    h *= 0xbf58476d1ce4e5b9ull;
    h ^= h >> 31;
  }
  return (int64_t)(h >> 1);
}

#define STORE_LIST_DECLARE(P, C)                                                                \
  int P##match_generation(C *c, int64_t *gen);                                                  \
  int P##match_persons_each(C *c, const store_scope_t *scope, const secret_t *keys,             \
                            int64_t *gen, store_match_person_cb cb, void *ctx);                 \
  int P##list_create(C *c, list_rec_t *l);                                                      \
  int P##list_add_row(C *c, const secret_t *keys, int64_t list_id, const list_row_in_t *row);   \
  int P##list_get(C *c, const store_scope_t *scope, int64_t id, arena_t *a, list_rec_t *out);   \
  int P##list_list(C *c, const store_scope_t *scope, const store_page_t *page, arena_t *a,      \
                   list_rec_t **out, size_t *n);                                                \
  int P##list_rows(C *c, const store_scope_t *scope, const secret_t *keys, int64_t list_id,     \
                   const list_row_filter_t *f, const store_page_t *page, arena_t *a,            \
                   list_row_out_t **out, size_t *n);                                            \
  int P##match_cases_each(C *c, const store_scope_t *scope, const secret_t *keys,               \
                          store_match_case_cb cb, void *ctx);                                   \
  int P##list_decide(C *c, const store_scope_t *scope, int64_t list_id, int64_t row_no,         \
                     arena_t *a, list_decision_t *d);                                           \
  int P##list_row_applied(C *c, int64_t list_id, int64_t row_no, int64_t event_id,              \
                          const char *prev_status, int64_t presence_id);                        \
  int P##list_status_latest(C *c, int64_t person_id, int64_t *event_id);                        \
  int P##list_presence_withdraw(C *c, int64_t presence_id, int64_t person_id, int *removed);    \
  int P##list_open_case(C *c, const store_scope_t *scope, int64_t person_id, int64_t *case_id);

STORE_LIST_DECLARE(sql_, struct sq_conn)
STORE_LIST_DECLARE(pgl_, struct bh_pg_conn)

#endif
