/*
 * store_list.c - forwards the calls of store_list.h to the backend that owns the connection
 * (sql_ for SQLite in store_sqlite_list.c, pgl_ for PostgreSQL in store_pg_list.c).
 */
#include "store/store_list.h"

#include "store/store_impl.h"
#include "store/store_list_impl.h"

const char *const list_row_decisions[] = {"pending", "confirmed", "rejected", "new_person", NULL};
const char *const list_bands[] = {"none", "review", "strong", NULL};
const char *const list_cand_decisions[] = {"none", "confirmed", "rejected", NULL};

#define LIST_CALL(c, fn, ...) \
  ((c)->pg ? pgl_##fn((c)->pg, __VA_ARGS__) : sql_##fn((c)->sq, __VA_ARGS__))

int store_match_generation(store_conn_t *c, int64_t *gen) {
  return LIST_CALL(c, match_generation, gen);
}

int store_match_persons_each(store_conn_t *c, const store_scope_t *scope, const secret_t *keys,
                             int64_t *gen, store_match_person_cb cb, void *ctx) {
  return LIST_CALL(c, match_persons_each, scope, keys, gen, cb, ctx);
}

int store_list_create(store_conn_t *c, list_rec_t *l) { return LIST_CALL(c, list_create, l); }

int store_list_add_row(store_conn_t *c, const secret_t *keys, int64_t list_id,
                       const list_row_in_t *row) {
  return LIST_CALL(c, list_add_row, keys, list_id, row);
}

int store_list_get(store_conn_t *c, const store_scope_t *scope, int64_t id, arena_t *a,
                   list_rec_t *out) {
  return LIST_CALL(c, list_get, scope, id, a, out);
}

int store_list_list(store_conn_t *c, const store_scope_t *scope, const store_page_t *page,
                    arena_t *a, list_rec_t **out, size_t *n) {
  return LIST_CALL(c, list_list, scope, page, a, out, n);
}

int store_list_rows(store_conn_t *c, const store_scope_t *scope, const secret_t *keys,
                    int64_t list_id, const list_row_filter_t *f, const store_page_t *page,
                    arena_t *a, list_row_out_t **out, size_t *n) {
  return LIST_CALL(c, list_rows, scope, keys, list_id, f, page, a, out, n);
}

int store_match_cases_each(store_conn_t *c, const store_scope_t *scope, const secret_t *keys,
                           store_match_case_cb cb, void *ctx) {
  return LIST_CALL(c, match_cases_each, scope, keys, cb, ctx);
}

int store_list_decide(store_conn_t *c, const store_scope_t *scope, int64_t list_id,
                      int64_t row_no, arena_t *a, list_decision_t *d) {
  return LIST_CALL(c, list_decide, scope, list_id, row_no, a, d);
}

int store_list_row_applied(store_conn_t *c, int64_t list_id, int64_t row_no, int64_t event_id,
                           const char *prev_status, int64_t presence_id) {
  return LIST_CALL(c, list_row_applied, list_id, row_no, event_id, prev_status, presence_id);
}

int store_list_status_latest(store_conn_t *c, int64_t person_id, int64_t *event_id) {
  return LIST_CALL(c, list_status_latest, person_id, event_id);
}

int store_list_presence_withdraw(store_conn_t *c, int64_t presence_id, int64_t person_id,
                                 int *removed) {
  int dummy;
  return LIST_CALL(c, list_presence_withdraw, presence_id, person_id, removed ? removed : &dummy);
}

int store_list_open_case(store_conn_t *c, const store_scope_t *scope, int64_t person_id,
                         int64_t *case_id) {
  return LIST_CALL(c, list_open_case, scope, person_id, case_id);
}
