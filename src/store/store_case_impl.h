/*
 * store_case_impl.h - the two backends of store_case.h (sqc_ SQLite, pgc_ PostgreSQL). Only
 * store_case.c calls these; each has the contract of the store_ function of the same name, and
 * the functions below that have none are the raw queries store_case.c builds on.
 *
 * case_segment: the cases visible to scope that pass f with queue_rank = rank and (due_at, id)
 * after (after_due, after_id), in (due_at, id) order, at most limit of them, appended to out
 * (room for limit) and counted in *n.
 * case_open_for: the newest open case of crisis_id linked to person_id; BH_ERR_NOT_FOUND if none.
 * case_checkin_mission: the mission a check-in case of crisis_id and person_id belongs to (see
 * store_case_from_checkin), 0 when none.
 * case_subject_put: stores the subject row of case_id (row NULL: deletes it).
 * case_subject_read: the subject row of case_id, strings and sealed number from a;
 * BH_ERR_NOT_FOUND when the case has none.
 */
#ifndef BAOHO_STORE_CASE_IMPL_H
#define BAOHO_STORE_CASE_IMPL_H

#include "store/store_case.h"

/* A subject as stored: its identity number sealed (idn_enc, idn_len) and keyed-hashed. */
typedef struct case_subject_row {
  case_subject_t s; /* s.id_number unused */
  const unsigned char *idn_enc; /* NULL when none */
  size_t idn_len;
  const unsigned char *idn_hash; /* SECRET_INDEX_BYTES, NULL when none */
} case_subject_row_t;

struct sq_conn;
struct bh_pg_conn;

#define STORE_CASE_DECLARE(P, C)                                                                 \
  int P##case_create(C *c, case_t *k);                                                           \
  int P##case_get(C *c, const store_scope_t *scope, int64_t id, arena_t *a, case_t *out);        \
  int P##case_update(C *c, const store_scope_t *scope, const case_t *k);                         \
  int P##case_segment(C *c, const store_scope_t *scope, const case_filter_t *f, int rank,        \
                      int64_t after_due, int64_t after_id, int limit, arena_t *a, case_t *out,   \
                      size_t *n);                                                                \
  int P##case_person_add(C *c, int64_t case_id, int64_t person_id, int64_t added_by,             \
                         int64_t at);                                                            \
  int P##case_persons(C *c, int64_t case_id, arena_t *a, case_person_t **out, size_t *n);        \
  int P##case_person_facts(C *c, const store_scope_t *scope, int64_t person_id,                  \
                           case_person_facts_t *out);                                            \
  int P##case_event_add(C *c, case_event_t *e);                                                  \
  int P##case_events(C *c, int64_t case_id, const store_page_t *page, arena_t *a,                \
                     case_event_t **out, size_t *n);                                             \
  int P##case_counts(C *c, int64_t crisis_id, int64_t since, case_counts_t *out);                \
  int P##case_open_for(C *c, int64_t person_id, int64_t crisis_id, int64_t *case_id);            \
  int P##case_checkin_mission(C *c, int64_t crisis_id, int64_t person_id, int64_t *mission_id); \
  int P##case_subject_put(C *c, int64_t case_id, const case_subject_row_t *row);                 \
  int P##case_subject_read(C *c, int64_t case_id, arena_t *a, case_subject_row_t *out);

STORE_CASE_DECLARE(sqc_, struct sq_conn)
STORE_CASE_DECLARE(pgc_, struct bh_pg_conn)

#endif
