/*
 * store_evac_impl.h - the two backends of store_evac.h (sqe_ SQLite in store_sqlite_evac.c,
 * pge_ PostgreSQL in store_pg_evac.c). Only store_evac.c calls these. They are the single
 * statements the rules of store_evac.c are built from; each runs inside the caller's
 * transaction when there is one. Functions named like a store_ function have its contract.
 *
 * - site_get / transport_get / manifest_get with lock = 1 also lock the row until the end of the
 *   transaction (PostgreSQL FOR UPDATE; SQLite's write transaction already excludes others).
 * - person_visible: BH_OK when person id is visible to scope, else BH_ERR_NOT_FOUND.
 * - stay_open: the open stay of a person (*stay_id, *site_id), or BH_ERR_NOT_FOUND.
 * - stay_close: ends the open stay of the person at the site; *changes rows (0 or 1).
 * - seats_used: entries of the transport holding a seat (booked, boarded, arrived).
 * - seat_held: a transport id where the person holds a seat and that is this transport or an
 *   active (planned, departed) one of crisis_id (0 = of no crisis); BH_ERR_NOT_FOUND if none.
 * - booking_next: the next booking group number of the transport.
 * - transport_status_write: sets status, and departure_at / arrival_at unless 0.
 * - boarded_persons: registered persons of the boarded entries (ids in the arena).
 * - arrive_boarded: boarded entries become arrived at at; *changes rows.
 * - presence_close: presences of the person in country open on date (YYYY-MM-DD) end on date.
 * - candidates_each: for each presence in country overlapping today of a person visible to
 *   scope, not deceased or repatriated, holding no seat (seat_held's rule), ordered by person id
 *   then newest presence first.
 */
#ifndef BAOHO_STORE_EVAC_IMPL_H
#define BAOHO_STORE_EVAC_IMPL_H

#include "store/store_evac.h"

struct sq_conn;
struct bh_pg_conn;

/* A row of candidates_each, borrowed for the time of the call. */
typedef struct evac_candidate_row {
  int64_t person_id;
  int64_t presence_id;
  const char *full_name;
  const json_t *flags;
  const char *date_of_birth;
  const char *status;
  const char *category;
  const char *group_id;
} evac_candidate_row_t;
typedef int (*evac_candidate_cb)(void *ctx, const evac_candidate_row_t *row);

#define STORE_EVAC_DECLARE(P, C)                                                                  \
  int P##site_create(C *c, site_t *s);                                                            \
  int P##site_get(C *c, const store_scope_t *scope, int64_t id, int lock, arena_t *a,             \
                  site_t *out);                                                                   \
  int P##site_update(C *c, const store_scope_t *scope, const site_t *s);                          \
  int P##site_list(C *c, const store_scope_t *scope, const site_filter_t *f,                      \
                   const store_page_t *page, arena_t *a, site_t **out, size_t *n);                \
  int P##person_visible(C *c, const store_scope_t *scope, int64_t person_id);                     \
  int P##stay_open(C *c, int64_t person_id, int64_t *stay_id, int64_t *site_id);                  \
  int P##stay_insert(C *c, int64_t site_id, int64_t person_id, int64_t at, int64_t author_id,     \
                     int64_t *stay_id);                                                           \
  int P##stay_close(C *c, int64_t site_id, int64_t person_id, int64_t at, int64_t author_id,      \
                    int64_t *changes);                                                            \
  int P##site_people(C *c, const store_scope_t *scope, int64_t site_id, int present_only,         \
                     const store_page_t *page, arena_t *a, site_stay_t **out, size_t *n);         \
  int P##transport_create(C *c, transport_t *t);                                                  \
  int P##transport_get(C *c, const store_scope_t *scope, int64_t id, int lock, arena_t *a,        \
                       transport_t *out);                                                         \
  int P##transport_update(C *c, const store_scope_t *scope, const transport_t *t);                \
  int P##transport_list(C *c, const store_scope_t *scope, const transport_filter_t *f,            \
                        const store_page_t *page, arena_t *a, transport_t **out, size_t *n);      \
  int P##transport_status_write(C *c, int64_t id, const char *status, int64_t departure_at,       \
                                int64_t arrival_at, int64_t now);                                 \
  int P##seats_used(C *c, int64_t transport_id, int64_t *used);                                   \
  int P##seat_held(C *c, int64_t person_id, int64_t transport_id, int64_t crisis_id,              \
                   int64_t *other_id);                                                            \
  int P##booking_next(C *c, int64_t transport_id, int64_t *booking);                              \
  int P##entry_insert(C *c, int64_t transport_id, int64_t booking, const manifest_in_t *in,       \
                      int64_t now, int64_t author_id, int64_t *id);                               \
  int P##manifest_list(C *c, int64_t transport_id, const store_page_t *page, arena_t *a,          \
                       manifest_entry_t **out, size_t *n);                                        \
  int P##manifest_get(C *c, int64_t transport_id, int64_t entry_id, int lock, arena_t *a,         \
                      manifest_entry_t *out);                                                     \
  int P##entry_status_write(C *c, int64_t entry_id, const char *status, int64_t at);              \
  int P##boarded_persons(C *c, int64_t transport_id, arena_t *a, int64_t **ids, size_t *n);       \
  int P##arrive_boarded(C *c, int64_t transport_id, int64_t at, int64_t *changes);                \
  int P##presence_close(C *c, int64_t person_id, const char *country, const char *date,           \
                        int64_t now, int64_t *changes);                                           \
  int P##candidates_each(C *c, const store_scope_t *scope, const char *country, const char *today, \
                         int64_t crisis_id, int64_t transport_id, arena_t *a,                     \
                         evac_candidate_cb cb, void *ctx);                                        \
  int P##transport_figures(C *c, int64_t crisis_id, arena_t *a, evac_transport_figures_t **out,   \
                           size_t *n);                                                            \
  int P##moved_to_safety(C *c, int64_t crisis_id, int64_t since, int64_t *total,                  \
                         int64_t *since_count);

STORE_EVAC_DECLARE(sqe_, struct sq_conn)
STORE_EVAC_DECLARE(pge_, struct bh_pg_conn)

/* Fills counts (EVAC_ENTRY_STATUS_COUNT slots) from a JSON object text {"booked": n, ...}. */
void store_evac_counts_parse(const char *json_text, size_t len, int64_t *counts /* OUT */);

#endif
