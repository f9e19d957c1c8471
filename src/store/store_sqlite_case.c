/*
 * store_sqlite_case.c - the SQLite backend of store_case.h: cases, the persons linked to them,
 * their timeline, the queue segments and the figures of a crisis's cases. Every statement is in
 * the table below, prepared once per connection and bound with numbered parameters.
 *
 * Queue segments: one statement per list key (all, assignee, mission, crisis, type), each an index
 * range on (key, queue_rank, due_at, id) bounded by the cursor's (due_at, id) and the due
 * bound; the other filters are checked on the rows of that range.
 */
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_case_impl.h"
#include "store/store_sqlite_int.h"
#include "util/err.h"

/* 24 columns, read by sqc_case_read. */
#define SQC_CASE_COLS                                                                         \
  "c.id, c.type, c.status, c.priority, c.priority_computed, c.priority_override, c.channel,"  \
  " c.crisis_id, c.mission_id, c.assigned_to, c.due_at, c.due_overridden, c.summary,"         \
  " c.description, c.caller_name, c.caller_phone, c.caller_relation, c.caller_notes,"         \
  " c.caller_person_id, c.created_by, c.opened_at, c.resolved_at, c.closed_at, c.updated_at"
/* Visibility of case c to the scope in ?1 (all) and ?2 (mission). */
#define SQC_SCOPE_C "(?1 = 1 OR c.mission_id = ?2)"
/*
 * A queue segment after the key predicate: ?3 rank, ?4 due bound, (?5, ?6) the cursor,
 * ?7 assignee, ?8 mission, ?9 crisis (each 0 for any), ?10 type, ?11 status, ?12 limit.
 */
#define SQC_SEGMENT(key)                                                                      \
  "SELECT " SQC_CASE_COLS " FROM cases c WHERE " key " AND c.queue_rank = ?3 AND c.due_at <"  \
  " ?4 AND (c.due_at, c.id) > (?5, ?6) AND " SQC_SCOPE_C " AND (?7 = 0 OR c.assigned_to = ?7)" \
  " AND (?8 = 0 OR c.mission_id = ?8) AND (?9 = 0 OR c.crisis_id = ?9) AND (?10 IS NULL OR"    \
  " c.type = ?10) AND (?11 IS NULL OR c.status = ?11) ORDER BY c.due_at, c.id LIMIT ?12"

/* X(name, sql): every statement of this file. */
#define SQC_TABLE(X)                                                                           \
  X(SQC_INSERT,                                                                                \
    "INSERT INTO cases(type, status, priority, priority_computed, priority_override,"          \
    " queue_rank, channel, crisis_id, mission_id, assigned_to, due_at, due_overridden,"        \
    " summary, description, caller_name, caller_phone, caller_relation, caller_notes,"         \
    " caller_person_id, created_by, opened_at, resolved_at, closed_at, updated_at) VALUES"     \
    " (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19,"  \
    " ?20, ?21, ?22, ?23, ?24)")                                                               \
  X(SQC_GET, "SELECT " SQC_CASE_COLS " FROM cases c WHERE c.id = ?3 AND " SQC_SCOPE_C)         \
  X(SQC_UPDATE,                                                                                \
    "UPDATE cases SET type = ?4, status = ?5, priority = ?6, priority_computed = ?7,"     \
    " priority_override = ?8, queue_rank = ?9, crisis_id = ?10, mission_id = ?11,"             \
    " assigned_to = ?12, due_at = ?13, due_overridden = ?14, summary = ?15, description = ?16," \
    " caller_name = ?17, caller_phone = ?18, caller_relation = ?19, caller_notes = ?20,"       \
    " caller_person_id = ?21, resolved_at = ?22, closed_at = ?23, updated_at = ?24"            \
    " WHERE id = ?3 AND (?1 = 1 OR mission_id = ?2)")                                         \
  X(SQC_SEG_ALL, SQC_SEGMENT("1"))                                                             \
  X(SQC_SEG_ASSIGNED, SQC_SEGMENT("c.assigned_to = ?7"))                                       \
  X(SQC_SEG_MISSION, SQC_SEGMENT("c.mission_id = ?8"))                                         \
  X(SQC_SEG_CRISIS, SQC_SEGMENT("c.crisis_id = ?9"))                                           \
  X(SQC_SEG_TYPE, SQC_SEGMENT("c.type = ?10"))                                                 \
  X(SQC_PERSON_ADD,                                                                            \
    "INSERT OR IGNORE INTO case_persons(case_id, person_id, added_by, added_at) VALUES (?1, ?2,"  \
    " ?3, ?4)")                                                                                 \
  X(SQC_PERSONS,                                                                               \
    "SELECT cp.person_id, p.full_name, p.status, p.flags, cp.added_at FROM case_persons cp"    \
    " JOIN persons p ON p.id = cp.person_id WHERE cp.case_id = ?1 ORDER BY cp.added_at,"       \
    " cp.person_id LIMIT ?2")                                                                  \
  /* The same visibility as SCOPE_P in store_sqlite.c, with ?1 all, ?2 mission. */            \
  X(SQC_FACTS,                                                                                 \
    "SELECT p.flags, p.status FROM persons p WHERE p.id = ?3 AND (?1 = 1 OR"                   \
    " p.owner_mission_id = ?2 OR EXISTS (SELECT 1 FROM presences v JOIN mission_countries mc"  \
    " ON mc.country = v.country AND mc.mission_id = ?2 WHERE v.person_id = p.id))")            \
  X(SQC_EVENT_ADD,                                                                             \
    "INSERT INTO case_events(case_id, at, kind, author_id, detail, note) VALUES (?1, ?2, ?3,"  \
    " ?4, ?5, ?6)")                                                                            \
  X(SQC_EVENTS,                                                                                \
    "SELECT id, case_id, at, kind, author_id, detail, note FROM case_events WHERE case_id ="   \
    " ?1 AND id > ?2 ORDER BY id LIMIT ?3")                                                    \
  X(SQC_COUNTS,                                                                                \
    "SELECT type, count(*), sum(opened_at >= ?2), sum(resolved_at IS NOT NULL),"               \
    " sum(resolved_at >= ?2), sum(closed_at IS NOT NULL), sum(closed_at >= ?2),"               \
    " sum(queue_rank < 4) FROM cases WHERE crisis_id = ?1 GROUP BY type")                      \
  /* CROSS JOIN keeps the person's few cases as the outer loop: without statistics SQLite      \
   * otherwise walks every open case of the crisis (one per "need help" answer) per lookup. */ \
  X(SQC_OPEN_FOR,                                                                              \
    "SELECT c.id FROM case_persons cp CROSS JOIN cases c ON c.id = cp.case_id WHERE"           \
    " cp.person_id = ?1 AND c.crisis_id = ?2 AND c.queue_rank < 4 ORDER BY c.id DESC LIMIT 1") \
  X(SQC_CHECKIN_MISSION,                                                                       \
    "SELECT coalesce((SELECT lead_mission_id FROM crises WHERE id = ?1), (SELECT"              \
    " mc.mission_id FROM presences v JOIN crisis_countries cc ON cc.crisis_id = ?1 AND"        \
    " cc.country = v.country JOIN mission_countries mc ON mc.country = v.country WHERE"        \
    " v.person_id = ?2 ORDER BY v.id DESC, mc.mission_id LIMIT 1), (SELECT owner_mission_id"   \
    " FROM persons WHERE id = ?2), 0)")                                                     \
  X(SQC_SUBJECT_PUT,                                                                           \
    "INSERT INTO case_subjects(case_id, full_name, sex, dob, home_province, idn_enc, idn_hash)" \
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT(case_id) DO UPDATE SET"                   \
    " full_name = excluded.full_name, sex = excluded.sex, dob = excluded.dob,"                  \
    " home_province = excluded.home_province, idn_enc = excluded.idn_enc,"                      \
    " idn_hash = excluded.idn_hash")                                                            \
  X(SQC_SUBJECT_DEL, "DELETE FROM case_subjects WHERE case_id = ?1")                            \
  X(SQC_SUBJECT_GET,                                                                           \
    "SELECT full_name, sex, dob, home_province, idn_enc FROM case_subjects WHERE case_id = ?1")

enum sqc_stmt {
#define SQC_ENUM(name, sql) name,
  SQC_TABLE(SQC_ENUM)
#undef SQC_ENUM
      SQC_COUNT
};

static const char *const sqc_sql[SQC_COUNT] = {
#define SQC_TEXT(name, sql) sql,
    SQC_TABLE(SQC_TEXT)
#undef SQC_TEXT
};

/* The statement id of c from the connection's cache; NULL on failure (logged). */
static sqlite3_stmt *sqc(sq_conn_t *c, enum sqc_stmt id) { return sq_stmt_cached(c, sqc_sql[id]); }

static void sqc_text(sqlite3_stmt *st, int i, const char *s) {
  if (s == NULL) {
    sqlite3_bind_null(st, i);
  } else {
    sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
  }
}

/* Binds v, or NULL when v is 0 (ids and times that may be absent). */
static void sqc_i64_or_null(sqlite3_stmt *st, int i, int64_t v) {
  if (v == 0) {
    sqlite3_bind_null(st, i);
  } else {
    sqlite3_bind_int64(st, i, v);
  }
}

static const char *sqc_col_text(arena_t *a, sqlite3_stmt *st, int i) {
  const unsigned char *s = sqlite3_column_text(st, i);
  if (s == NULL) return NULL;
  return arena_strndup(a, (const char *)s, (size_t)sqlite3_column_bytes(st, i));
}

static void sqc_scope(sqlite3_stmt *st, const store_scope_t *scope) {
  sqlite3_bind_int(st, 1, scope->all ? 1 : 0);
  sqlite3_bind_int64(st, 2, scope->mission_id);
}

/* Reads the SQC_CASE_COLS of st's current row. */
static void sqc_case_read(arena_t *a, sqlite3_stmt *st, case_t *k) {
  memset(k, 0, sizeof(*k));
  k->id = sqlite3_column_int64(st, 0);
  k->type = model_enum_index(case_types, (const char *)sqlite3_column_text(st, 1));
  k->status = model_enum_index(case_statuses, (const char *)sqlite3_column_text(st, 2));
  k->priority = sqlite3_column_int(st, 3);
  k->priority_computed = sqlite3_column_int(st, 4);
  k->priority_override =
      sqlite3_column_type(st, 5) == SQLITE_NULL ? -1 : sqlite3_column_int(st, 5);
  k->channel = sqc_col_text(a, st, 6);
  k->crisis_id = sqlite3_column_int64(st, 7);
  k->mission_id = sqlite3_column_int64(st, 8);
  k->assigned_to = sqlite3_column_int64(st, 9);
  k->due_at = sqlite3_column_int64(st, 10);
  k->due_overridden = sqlite3_column_int(st, 11);
  k->summary = sqc_col_text(a, st, 12);
  k->description = sqc_col_text(a, st, 13);
  k->caller_name = sqc_col_text(a, st, 14);
  k->caller_phone = sqc_col_text(a, st, 15);
  k->caller_relation = sqc_col_text(a, st, 16);
  k->caller_notes = sqc_col_text(a, st, 17);
  k->caller_person_id = sqlite3_column_int64(st, 18);
  k->created_by = sqlite3_column_int64(st, 19);
  k->opened_at = sqlite3_column_int64(st, 20);
  k->resolved_at = sqlite3_column_int64(st, 21);
  k->closed_at = sqlite3_column_int64(st, 22);
  k->updated_at = sqlite3_column_int64(st, 23);
}

/* Binds the fields an update writes, from parameter first on, in the order of SQC_UPDATE. */
static void sqc_bind_mutable(sqlite3_stmt *st, int first, const case_t *k) {
  int i = first;
  sqc_text(st, i++, case_types[k->type]);
  sqc_text(st, i++, case_statuses[k->status]);
  sqlite3_bind_int(st, i++, k->priority);
  sqlite3_bind_int(st, i++, k->priority_computed);
  if (k->priority_override < 0) {
    sqlite3_bind_null(st, i++);
  } else {
    sqlite3_bind_int(st, i++, k->priority_override);
  }
  sqlite3_bind_int(st, i++, case_queue_rank(k->status, k->priority));
}

int sqc_case_create(sq_conn_t *c, case_t *k) {
  sqlite3_stmt *st = sqc(c, SQC_INSERT);
  if (st == NULL) return BH_ERR_DB;
  sqc_bind_mutable(st, 1, k);
  sqc_text(st, 7, k->channel);
  sqc_i64_or_null(st, 8, k->crisis_id);
  sqc_i64_or_null(st, 9, k->mission_id);
  sqc_i64_or_null(st, 10, k->assigned_to);
  sqlite3_bind_int64(st, 11, k->due_at);
  sqlite3_bind_int(st, 12, k->due_overridden ? 1 : 0);
  sqc_text(st, 13, k->summary);
  sqc_text(st, 14, k->description);
  sqc_text(st, 15, k->caller_name);
  sqc_text(st, 16, k->caller_phone);
  sqc_text(st, 17, k->caller_relation);
  sqc_text(st, 18, k->caller_notes);
  sqc_i64_or_null(st, 19, k->caller_person_id);
  sqc_i64_or_null(st, 20, k->created_by);
  sqlite3_bind_int64(st, 21, k->opened_at);
  sqc_i64_or_null(st, 22, k->resolved_at);
  sqc_i64_or_null(st, 23, k->closed_at);
  sqlite3_bind_int64(st, 24, k->updated_at);
  int rc = sq_stmt_exec(c, st);
  if (rc == BH_OK) k->id = sqlite3_last_insert_rowid(sq_conn_db(c));
  return rc;
}

int sqc_case_get(sq_conn_t *c, const store_scope_t *scope, int64_t id, arena_t *a, case_t *out) {
  sqlite3_stmt *st = sqc(c, SQC_GET);
  if (st == NULL) return BH_ERR_DB;
  sqc_scope(st, scope);
  sqlite3_bind_int64(st, 3, id);
  int rc = sq_stmt_step(st);
  if (rc == SQLITE_ROW) sqc_case_read(a, st, out);
  sq_stmt_done(st);
  return rc == SQLITE_ROW ? BH_OK : rc == SQLITE_DONE ? BH_ERR_NOT_FOUND : sq_result_err(c, rc);
}

int sqc_case_update(sq_conn_t *c, const store_scope_t *scope, const case_t *k) {
  sqlite3_stmt *st = sqc(c, SQC_UPDATE);
  if (st == NULL) return BH_ERR_DB;
  sqc_scope(st, scope);
  sqlite3_bind_int64(st, 3, k->id);
  sqc_bind_mutable(st, 4, k);
  sqc_i64_or_null(st, 10, k->crisis_id);
  sqc_i64_or_null(st, 11, k->mission_id);
  sqc_i64_or_null(st, 12, k->assigned_to);
  sqlite3_bind_int64(st, 13, k->due_at);
  sqlite3_bind_int(st, 14, k->due_overridden ? 1 : 0);
  sqc_text(st, 15, k->summary);
  sqc_text(st, 16, k->description);
  sqc_text(st, 17, k->caller_name);
  sqc_text(st, 18, k->caller_phone);
  sqc_text(st, 19, k->caller_relation);
  sqc_text(st, 20, k->caller_notes);
  sqc_i64_or_null(st, 21, k->caller_person_id);
  sqc_i64_or_null(st, 22, k->resolved_at);
  sqc_i64_or_null(st, 23, k->closed_at);
  sqlite3_bind_int64(st, 24, k->updated_at);
  int rc = sq_stmt_exec(c, st);
  if (rc == BH_OK && sqlite3_changes(sq_conn_db(c)) == 0) rc = BH_ERR_NOT_FOUND;
  return rc;
}

int sqc_case_segment(sq_conn_t *c, const store_scope_t *scope, const case_filter_t *f, int rank,
                     int64_t after_due, int64_t after_id, int limit, arena_t *a, case_t *out,
                     size_t *n) {
  enum sqc_stmt id = f->assigned_to ? SQC_SEG_ASSIGNED
                     : f->mission_id ? SQC_SEG_MISSION
                     : f->crisis_id  ? SQC_SEG_CRISIS
                     : f->type       ? SQC_SEG_TYPE
                                     : SQC_SEG_ALL;
  sqlite3_stmt *st = sqc(c, id);
  if (st == NULL) return BH_ERR_DB;
  sqc_scope(st, scope);
  sqlite3_bind_int(st, 3, rank);
  sqlite3_bind_int64(st, 4, f->due_before);
  sqlite3_bind_int64(st, 5, after_due);
  sqlite3_bind_int64(st, 6, after_id);
  sqlite3_bind_int64(st, 7, f->assigned_to);
  sqlite3_bind_int64(st, 8, f->mission_id);
  sqlite3_bind_int64(st, 9, f->crisis_id);
  sqc_text(st, 10, f->type);
  sqc_text(st, 11, f->status);
  sqlite3_bind_int(st, 12, limit);
  int rc;
  while ((rc = sq_stmt_step(st)) == SQLITE_ROW && (int)*n < limit) {
    sqc_case_read(a, st, &out[(*n)++]);
  }
  sq_stmt_done(st);
  return rc == SQLITE_ROW || rc == SQLITE_DONE ? BH_OK : sq_result_err(c, rc);
}

int sqc_case_person_add(sq_conn_t *c, int64_t case_id, int64_t person_id, int64_t added_by,
                        int64_t at) {
  sqlite3_stmt *st = sqc(c, SQC_PERSON_ADD);
  if (st == NULL) return BH_ERR_DB;
  sqlite3_bind_int64(st, 1, case_id);
  sqlite3_bind_int64(st, 2, person_id);
  sqc_i64_or_null(st, 3, added_by);
  sqlite3_bind_int64(st, 4, at);
  int rc = sq_stmt_exec(c, st);
  if (rc == BH_OK && sqlite3_changes(sq_conn_db(c)) == 0) rc = BH_ERR_CONFLICT;
  return rc;
}

int sqc_case_persons(sq_conn_t *c, int64_t case_id, arena_t *a, case_person_t **out, size_t *n) {
  *out = NULL;
  *n = 0;
  sqlite3_stmt *st = sqc(c, SQC_PERSONS);
  if (st == NULL) return BH_ERR_DB;
  case_person_t *items = arena_calloc(a, sizeof(*items) * CASE_PERSONS_MAX);
  if (items == NULL) return BH_ERR_NOMEM;
  sqlite3_bind_int64(st, 1, case_id);
  sqlite3_bind_int(st, 2, CASE_PERSONS_MAX);
  int rc;
  size_t k = 0;
  while ((rc = sq_stmt_step(st)) == SQLITE_ROW && k < CASE_PERSONS_MAX) {
    case_person_t *p = &items[k++];
    p->person_id = sqlite3_column_int64(st, 0);
    p->full_name = sqc_col_text(a, st, 1);
    p->status = sqc_col_text(a, st, 2);
    const char *flags = (const char *)sqlite3_column_text(st, 3);
    p->flags = flags ? json_loads(flags, 0, NULL) : NULL;
    if (p->flags == NULL) p->flags = json_array();
    p->added_at = sqlite3_column_int64(st, 4);
  }
  sq_stmt_done(st);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
    for (size_t i = 0; i < k; i++) json_decref(items[i].flags);
    return sq_result_err(c, rc);
  }
  *out = items;
  *n = k;
  return BH_OK;
}

int sqc_case_person_facts(sq_conn_t *c, const store_scope_t *scope, int64_t person_id,
                          case_person_facts_t *out) {
  sqlite3_stmt *st = sqc(c, SQC_FACTS);
  if (st == NULL) return BH_ERR_DB;
  sqc_scope(st, scope);
  sqlite3_bind_int64(st, 3, person_id);
  int rc = sq_stmt_step(st);
  if (rc == SQLITE_ROW) {
    const char *flags = (const char *)sqlite3_column_text(st, 0);
    json_t *fj = flags ? json_loads(flags, 0, NULL) : NULL;
    case_person_facts(fj, (const char *)sqlite3_column_text(st, 1), out);
    json_decref(fj);
  }
  sq_stmt_done(st);
  return rc == SQLITE_ROW ? BH_OK : rc == SQLITE_DONE ? BH_ERR_NOT_FOUND : sq_result_err(c, rc);
}

int sqc_case_event_add(sq_conn_t *c, case_event_t *e) {
  sqlite3_stmt *st = sqc(c, SQC_EVENT_ADD);
  if (st == NULL) return BH_ERR_DB;
  sqlite3_bind_int64(st, 1, e->case_id);
  sqlite3_bind_int64(st, 2, e->at);
  sqc_text(st, 3, e->kind);
  sqc_i64_or_null(st, 4, e->author_id);
  sqc_text(st, 5, e->detail);
  sqc_text(st, 6, e->note);
  int rc = sq_stmt_exec(c, st);
  if (rc == BH_OK) e->id = sqlite3_last_insert_rowid(sq_conn_db(c));
  return rc;
}

int sqc_case_events(sq_conn_t *c, int64_t case_id, const store_page_t *page, arena_t *a,
                    case_event_t **out, size_t *n) {
  *out = NULL;
  *n = 0;
  sqlite3_stmt *st = sqc(c, SQC_EVENTS);
  if (st == NULL) return BH_ERR_DB;
  case_event_t *items = arena_calloc(a, sizeof(*items) * (size_t)page->limit);
  if (items == NULL) return BH_ERR_NOMEM;
  sqlite3_bind_int64(st, 1, case_id);
  sqlite3_bind_int64(st, 2, page->after);
  sqlite3_bind_int(st, 3, page->limit);
  int rc;
  size_t k = 0;
  while ((rc = sq_stmt_step(st)) == SQLITE_ROW && k < (size_t)page->limit) {
    case_event_t *e = &items[k++];
    e->id = sqlite3_column_int64(st, 0);
    e->case_id = sqlite3_column_int64(st, 1);
    e->at = sqlite3_column_int64(st, 2);
    e->kind = sqc_col_text(a, st, 3);
    e->author_id = sqlite3_column_int64(st, 4);
    e->detail = sqc_col_text(a, st, 5);
    e->note = sqc_col_text(a, st, 6);
  }
  sq_stmt_done(st);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) return sq_result_err(c, rc);
  *out = items;
  *n = k;
  return BH_OK;
}

int sqc_case_counts(sq_conn_t *c, int64_t crisis_id, int64_t since, case_counts_t *out) {
  memset(out, 0, sizeof(*out));
  sqlite3_stmt *st = sqc(c, SQC_COUNTS);
  if (st == NULL) return BH_ERR_DB;
  sqlite3_bind_int64(st, 1, crisis_id);
  sqlite3_bind_int64(st, 2, since);
  int rc;
  while ((rc = sq_stmt_step(st)) == SQLITE_ROW) {
    int t = model_enum_index(case_types, (const char *)sqlite3_column_text(st, 0));
    if (t < 0) continue;
    case_type_counts_t *ct = &out->by_type[t];
    ct->opened = sqlite3_column_int64(st, 1);
    ct->opened_since = sqlite3_column_int64(st, 2);
    ct->resolved = sqlite3_column_int64(st, 3);
    ct->resolved_since = sqlite3_column_int64(st, 4);
    ct->closed = sqlite3_column_int64(st, 5);
    ct->closed_since = sqlite3_column_int64(st, 6);
    ct->open_now = sqlite3_column_int64(st, 7);
  }
  sq_stmt_done(st);
  return rc == SQLITE_DONE ? BH_OK : sq_result_err(c, rc);
}

int sqc_case_open_for(sq_conn_t *c, int64_t person_id, int64_t crisis_id, int64_t *case_id) {
  sqlite3_stmt *st = sqc(c, SQC_OPEN_FOR);
  if (st == NULL) return BH_ERR_DB;
  sqlite3_bind_int64(st, 1, person_id);
  sqlite3_bind_int64(st, 2, crisis_id);
  int rc = sq_stmt_step(st);
  if (rc == SQLITE_ROW) *case_id = sqlite3_column_int64(st, 0);
  sq_stmt_done(st);
  return rc == SQLITE_ROW ? BH_OK : rc == SQLITE_DONE ? BH_ERR_NOT_FOUND : sq_result_err(c, rc);
}

int sqc_case_checkin_mission(sq_conn_t *c, int64_t crisis_id, int64_t person_id,
                             int64_t *mission_id) {
  sqlite3_stmt *st = sqc(c, SQC_CHECKIN_MISSION);
  if (st == NULL) return BH_ERR_DB;
  sqlite3_bind_int64(st, 1, crisis_id);
  sqlite3_bind_int64(st, 2, person_id);
  int rc = sq_stmt_step(st);
  *mission_id = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
  sq_stmt_done(st);
  return rc == SQLITE_ROW || rc == SQLITE_DONE ? BH_OK : sq_result_err(c, rc);
}

int sqc_case_subject_put(sq_conn_t *c, int64_t case_id, const case_subject_row_t *row) {
  sqlite3_stmt *st = sqc(c, row ? SQC_SUBJECT_PUT : SQC_SUBJECT_DEL);
  if (st == NULL) return BH_ERR_DB;
  sqlite3_bind_int64(st, 1, case_id);
  if (row != NULL) {
    sqc_text(st, 2, row->s.full_name);
    sqc_text(st, 3, row->s.sex);
    sqc_text(st, 4, row->s.date_of_birth);
    sqc_text(st, 5, row->s.home_province);
    if (row->idn_enc != NULL) {
      sqlite3_bind_blob(st, 6, row->idn_enc, (int)row->idn_len, SQLITE_STATIC);
      sqlite3_bind_blob(st, 7, row->idn_hash, SECRET_INDEX_BYTES, SQLITE_STATIC);
    } else {
      sqlite3_bind_null(st, 6);
      sqlite3_bind_null(st, 7);
    }
  }
  return sq_stmt_exec(c, st);
}

int sqc_case_subject_read(sq_conn_t *c, int64_t case_id, arena_t *a, case_subject_row_t *out) {
  sqlite3_stmt *st = sqc(c, SQC_SUBJECT_GET);
  if (st == NULL) return BH_ERR_DB;
  sqlite3_bind_int64(st, 1, case_id);
  int rc = sq_stmt_step(st);
  int err = BH_OK;
  if (rc == SQLITE_ROW) {
    out->s.full_name = sqc_col_text(a, st, 0);
    out->s.sex = sqc_col_text(a, st, 1);
    out->s.date_of_birth = sqc_col_text(a, st, 2);
    out->s.home_province = sqc_col_text(a, st, 3);
    const void *blob = sqlite3_column_blob(st, 4);
    int len = sqlite3_column_bytes(st, 4);
    if (blob != NULL && len > 0) {
      unsigned char *copy = arena_alloc(a, (size_t)len);
      if (copy == NULL) {
        err = BH_ERR_NOMEM;
      } else {
        memcpy(copy, blob, (size_t)len);
        out->idn_enc = copy;
        out->idn_len = (size_t)len;
      }
    }
  } else {
    err = rc == SQLITE_DONE ? BH_ERR_NOT_FOUND : sq_result_err(c, rc);
  }
  sq_stmt_done(st);
  return err;
}
