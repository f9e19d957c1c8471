/*
 * store_crisis_impl.h - the crisis and advisory functions each backend implements
 * (store_sqlite_crisis.c with prefix sq_, store_pg_crisis.c with prefix pg_), which
 * store_crisis.c forwards to. Each has the contract of the store_ function of the same name in
 * store.h, except crisis_presences_each, which is the raw material of the audience.
 */
#ifndef BAOHO_STORE_CRISIS_IMPL_H
#define BAOHO_STORE_CRISIS_IMPL_H

#include "store/store.h"
#include "store/store_pg.h"
#include "store/store_sqlite.h"

/* One presence that may place a person in a crisis's audience, with its coordinates. */
typedef struct store_crisis_row {
  store_audience_member_t m;
  int has_geo;
  double lat, lon;
} store_crisis_row_t;
typedef int (*store_crisis_row_cb)(void *ctx, const store_crisis_row_t *row);

/*
 * Calls cb with every presence of a person visible to scope that lies in one of the crisis's
 * countries (and regions, when it lists some) and overlaps today (YYYY-MM-DD), ordered by person
 * id, then by presence id from the newest. The area test is left to the caller. With contacts
 * 0 the rows carry no phones and no e-mails (NULL), which spares decoding them when only
 * figures are wanted.
 */
#define STORE_CRISIS_BACKEND(P, conn_t)                                                          \
  int P##crisis_create(conn_t *c, crisis_t *k);                                                  \
  int P##crisis_get(conn_t *c, const store_scope_t *scope, int64_t id, arena_t *a,               \
                    crisis_t *out);                                                              \
  int P##crisis_update(conn_t *c, const store_scope_t *scope, const crisis_t *k);                \
  int P##crisis_list(conn_t *c, const store_scope_t *scope, const crisis_filter_t *f,            \
                     const store_page_t *page, arena_t *a, crisis_t **out, size_t *n);           \
  int P##crisis_close(conn_t *c, const store_scope_t *scope, int64_t id, int64_t closed_at);     \
  int P##crisis_presences_each(conn_t *c, const store_scope_t *scope, int64_t crisis_id,         \
                               const char *today, int contacts, store_crisis_row_cb cb,          \
                               void *ctx);                                                       \
  int P##crisis_reached_each(conn_t *c, int64_t crisis_id,                                       \
                             int (*cb)(void *ctx, int64_t person_id), void *ctx);                \
  int P##status_events_since(conn_t *c, int64_t since,                                           \
                             int (*cb)(void *ctx, int64_t person_id, const char *status,         \
                                       int64_t at),                                              \
                             void *ctx);                                                         \
  int P##advisory_publish(conn_t *c, advisory_t *adv);                                           \
  int P##advisory_get(conn_t *c, int64_t id, arena_t *a, advisory_t *out);                       \
  int P##advisory_list(conn_t *c, const char *country, const store_page_t *page, arena_t *a,     \
                       advisory_t **out, size_t *n);                                             \
  int P##advisory_history(conn_t *c, int64_t series_id, arena_t *a, advisory_t **out,            \
                          size_t *n);                                                            \
  int P##advisory_recent(conn_t *c, int limit, arena_t *a, advisory_t **out, size_t *n);

STORE_CRISIS_BACKEND(sq_, sq_conn_t)
STORE_CRISIS_BACKEND(pg_, pg_conn_t)

#endif
