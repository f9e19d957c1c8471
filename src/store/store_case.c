/*
 * store_case.c - forwards the calls of store_case.h to the backend that owns the connection
 * (sqc_ for SQLite in store_sqlite_case.c, pgc_ for PostgreSQL in store_pg_case.c), and builds
 * on their raw queries what is the same for both: paging a queue across its ranks, and the case
 * a check-in answered "need help" opens.
 */
#include "store/store_case.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_case_impl.h"
#include "store/store_impl.h"
#include "util/err.h"

#define CASE_CALL(c, fn, ...) \
  ((c)->pg ? pgc_##fn((c)->pg, __VA_ARGS__) : sqc_##fn((c)->sq, __VA_ARGS__))

int store_case_create(store_conn_t *c, case_t *k) { return CASE_CALL(c, case_create, k); }

int store_case_get(store_conn_t *c, const store_scope_t *scope, int64_t id, arena_t *a,
                   case_t *out) {
  return CASE_CALL(c, case_get, scope, id, a, out);
}

int store_case_update(store_conn_t *c, const store_scope_t *scope, const case_t *k) {
  return CASE_CALL(c, case_update, scope, k);
}

int store_case_person_add(store_conn_t *c, int64_t case_id, int64_t person_id, int64_t added_by,
                          int64_t at) {
  return CASE_CALL(c, case_person_add, case_id, person_id, added_by, at);
}

int store_case_persons(store_conn_t *c, int64_t case_id, arena_t *a, case_person_t **out,
                       size_t *n) {
  return CASE_CALL(c, case_persons, case_id, a, out, n);
}

int store_case_person_facts(store_conn_t *c, const store_scope_t *scope, int64_t person_id,
                            case_person_facts_t *out) {
  return CASE_CALL(c, case_person_facts, scope, person_id, out);
}

int store_case_event_add(store_conn_t *c, case_event_t *e) { return CASE_CALL(c, case_event_add, e); }

int store_case_events(store_conn_t *c, int64_t case_id, const store_page_t *page, arena_t *a,
                      case_event_t **out, size_t *n) {
  return CASE_CALL(c, case_events, case_id, page, a, out, n);
}

int store_case_counts(store_conn_t *c, int64_t crisis_id, int64_t since, case_counts_t *out) {
  int rc = CASE_CALL(c, case_counts, crisis_id, since, out);
  if (rc != BH_OK) return rc;
  memset(&out->total, 0, sizeof(out->total));
  for (int t = 0; t < CASE_TYPE_COUNT; t++) {
    const case_type_counts_t *ct = &out->by_type[t];
    out->total.opened += ct->opened;
    out->total.opened_since += ct->opened_since;
    out->total.resolved += ct->resolved;
    out->total.resolved_since += ct->resolved_since;
    out->total.closed += ct->closed;
    out->total.closed_since += ct->closed_since;
    out->total.open_now += ct->open_now;
  }
  return BH_OK;
}

/*
 * A page is read rank by rank: each rank is one index range in (due_at, id) order, so that a
 * page costs at most one short range scan per rank whatever the number of cases, and the due
 * bound of the overdue queue stays a range bound instead of a filter.
 */
int store_case_list(store_conn_t *c, const store_scope_t *scope, const case_filter_t *f,
                    const store_page_t *page, arena_t *a, case_t **out, size_t *n) {
  *out = NULL;
  *n = 0;
  case_filter_t g = *f;
  /* An officer sees their mission's cases only: that is also the narrowest list key. */
  if (!scope->all && g.mission_id == 0 && g.assigned_to == 0) g.mission_id = scope->mission_id;
  int rank = g.rank_from;
  int64_t after_due = INT64_MIN, after_id = 0;
  if (page->after > 0) {
    /* The cursor is a case the caller can see, read with the caller's scope. */
    case_t cur;
    int rc = store_case_get(c, scope, page->after, a, &cur);
    if (rc == BH_ERR_NOT_FOUND) return BH_ERR_INVALID;
    if (rc != BH_OK) return rc;
    rank = case_queue_rank(cur.status, cur.priority);
    after_due = cur.due_at;
    after_id = page->after;
    if (rank < g.rank_from) {
      rank = g.rank_from;
      after_due = INT64_MIN;
      after_id = 0;
    }
  }
  case_t *items = arena_calloc(a, sizeof(*items) * (size_t)(page->limit > 0 ? page->limit : 1));
  if (items == NULL) return BH_ERR_NOMEM;
  size_t k = 0;
  for (; rank <= g.rank_to && k < (size_t)page->limit; rank++) {
    size_t got = 0;
    int rc = CASE_CALL(c, case_segment, scope, &g, rank, after_due, after_id,
                       page->limit - (int)k, a, items + k, &got);
    if (rc != BH_OK) return rc;
    k += got;
    after_due = INT64_MIN;
    after_id = 0;
  }
  *out = items;
  *n = k;
  return BH_OK;
}

void case_checkin_plan(case_checkin_t *p) {
  snprintf(p->note, sizeof(p->note), "%s%s%s", p->message ? p->message : "",
           p->message && p->location ? "\n" : "", p->location ? p->location : "");
  const char *note_or_null = p->note[0] ? p->note : NULL;
  json_t *d;
  if (p->open_case_id != 0) {
    /* The person's open case of this crisis hears of the new answer; no second case. */
    p->kind = "check_in";
    p->event_note = note_or_null;
    d = json_pack("{s:s, s:I, s:s?}", "answer", "need_help", "alert", (json_int_t)p->alert_id,
                  "location", p->location);
  } else {
    p->k = (case_t){.type = CASE_EVACUATION_REQUEST,
                    .status = CASE_NEW,
                    .priority_override = -1,
                    .channel = "check_in",
                    .crisis_id = p->crisis_id,
                    .mission_id = p->mission_id,
                    .summary = "Trả lời hỏi thăm: cần giúp đỡ / Check-in answer: need help",
                    .description = note_or_null,
                    .opened_at = p->at,
                    .updated_at = p->at};
    p->k.priority_computed = case_priority_compute(p->k.type, &p->facts, 1);
    p->k.priority = p->k.priority_computed;
    p->k.due_at = case_due_default(p->k.priority, p->at);
    p->kind = "created";
    p->event_note = NULL;
    d = json_pack("{s:s, s:s, s:s, s:I, s:I}", "channel", "check_in", "type",
                  case_types[p->k.type], "priority", case_priorities[p->k.priority], "alert",
                  (json_int_t)p->alert_id, "person", (json_int_t)p->person_id);
  }
  p->detail = d ? json_dumps(d, JSON_COMPACT) : NULL;
  json_decref(d);
}

int store_case_from_checkin(store_conn_t *c, int64_t crisis_id, int64_t person_id,
                            int64_t alert_id, const char *message, const char *location,
                            int64_t at, int64_t *case_id, int *opened) {
  if (case_id) *case_id = 0;
  if (opened) *opened = 0;
  case_checkin_t p = {.crisis_id = crisis_id, .person_id = person_id, .alert_id = alert_id,
                      .message = message, .location = location, .at = at};
  int rc = CASE_CALL(c, case_open_for, person_id, crisis_id, &p.open_case_id);
  if (rc == BH_ERR_NOT_FOUND) {
    p.open_case_id = 0;
    rc = store_case_person_facts(c, &STORE_SCOPE_ALL, person_id, &p.facts);
    if (rc == BH_OK) rc = CASE_CALL(c, case_checkin_mission, crisis_id, person_id, &p.mission_id);
  }
  if (rc != BH_OK) return rc;
  case_checkin_plan(&p);
  if (p.open_case_id == 0) {
    rc = store_case_create(c, &p.k);
    if (rc == BH_OK) rc = store_case_person_add(c, p.k.id, person_id, 0, at);
  }
  int64_t id = p.open_case_id != 0 ? p.open_case_id : p.k.id;
  if (rc == BH_OK) {
    case_event_t e = {.case_id = id, .at = at, .kind = p.kind, .detail = p.detail,
                      .note = p.event_note};
    rc = store_case_event_add(c, &e);
  }
  free(p.detail);
  if (rc != BH_OK) return rc;
  if (case_id) *case_id = id;
  if (opened) *opened = p.open_case_id == 0;
  return BH_OK;
}

/* ---- the subject of a case ---- */

int case_subject_empty(const case_subject_t *s) {
  return s == NULL || (s->full_name == NULL && s->sex == NULL && s->date_of_birth == NULL &&
                       s->home_province == NULL && s->id_number == NULL);
}

int store_case_subject_set(store_conn_t *c, const secret_t *keys, int64_t case_id,
                           const case_subject_t *s) {
  if (case_subject_empty(s)) return CASE_CALL(c, case_subject_put, case_id, NULL);
  case_subject_row_t row = {.s = *s};
  row.s.id_number = NULL;
  char canon[MODEL_NUMBER_MAX + 1];
  unsigned char sealed[MODEL_NUMBER_MAX + SECRET_SEAL_OVERHEAD];
  unsigned char hash[SECRET_INDEX_BYTES];
  if (s->id_number != NULL) {
    if (secret_canon_number(s->id_number, canon, sizeof canon) != BH_OK) return BH_ERR_INVALID;
    size_t len = strlen(canon);
    secret_seal(keys, canon, len, sealed);
    secret_index(keys, "case_subject", canon, hash);
    row.idn_enc = sealed;
    row.idn_len = len + SECRET_SEAL_OVERHEAD;
    row.idn_hash = hash;
  }
  return CASE_CALL(c, case_subject_put, case_id, &row);
}

int store_case_subject_get(store_conn_t *c, const secret_t *keys, int64_t case_id, arena_t *a,
                           case_subject_t *out) {
  memset(out, 0, sizeof *out);
  case_subject_row_t row;
  memset(&row, 0, sizeof row);
  int rc = CASE_CALL(c, case_subject_read, case_id, a, &row);
  if (rc == BH_ERR_NOT_FOUND) return BH_OK;
  if (rc != BH_OK) return rc;
  *out = row.s;
  out->id_number = NULL;
  if (row.idn_enc != NULL && row.idn_len > SECRET_SEAL_OVERHEAD) {
    char *plain = arena_alloc(a, row.idn_len - SECRET_SEAL_OVERHEAD + 1);
    if (plain == NULL) return BH_ERR_NOMEM;
    if (secret_open(keys, row.idn_enc, row.idn_len, plain) != BH_OK) return BH_ERR_CRYPTO;
    plain[row.idn_len - SECRET_SEAL_OVERHEAD] = '\0';
    out->id_number = plain;
  }
  return BH_OK;
}
