/*
 * store_case.h - the storage interface of assistance cases: the cases, the persons linked to
 * them, their timeline (case_events), the queues, and the figures a situation report needs. Part
 * of the storage interface (store.h), kept in its own header; store_case.c forwards each call to
 * the SQLite (store_sqlite_case.c) or PostgreSQL (store_pg_case.c) backend, and builds on them
 * what is the same for both (queue paging, a case opened by a check-in). Contracts as in store.h:
 * BH_OK or a negative bh_err, strings from the caller's arena.
 *
 * Tables (migration 5): cases (type, status, priority, channel, crisis_id, mission_id,
 * assigned_to, due_at, opened_at, resolved_at, closed_at, ...), case_persons (case_id,
 * person_id) and case_events (case_id, at, kind, author_id, detail, note). Priorities are ranks
 * (0 critical ... 3 low, enum case_priority); type and status are the words of case.h.
 *
 * Jurisdiction: a case belongs to one mission (mission_id). A scope that is not "all" sees
 * exactly the cases of its mission; any other case is reported as not found. A case without a
 * mission (a check-in of a crisis without a lead mission nobody's jurisdiction covers) is seen
 * by admin and hq only.
 */
#ifndef BAOHO_STORE_CASE_H
#define BAOHO_STORE_CASE_H

#include <stdint.h>

#include "domain/case.h"
#include "store/store.h"

/* One case. Strings belong to the arena; 0 means "none" for the ids and times. */
typedef struct case_rec {
  int64_t id;
  int type;              /* enum case_type */
  int status;            /* enum case_status */
  int priority;          /* effective: the override when there is one, else the computed one */
  int priority_computed; /* by case_priority_compute */
  int priority_override; /* -1 when none */
  const char *channel;   /* case_channels */
  int64_t crisis_id;
  int64_t mission_id;
  int64_t assigned_to; /* a user */
  int64_t due_at;
  int due_overridden; /* due_at was set by an officer, not derived from the priority */
  const char *summary;
  const char *description; /* may be NULL */
  const char *caller_name; /* an unregistered caller's details, each may be NULL */
  const char *caller_phone;
  const char *caller_relation;
  const char *caller_notes;
  int64_t caller_person_id; /* the person made from the caller's details, or 0 */
  int64_t created_by;       /* 0 for the system (a check-in) */
  int64_t opened_at;
  int64_t resolved_at; /* 0 unless resolved (kept when closed after) */
  int64_t closed_at;   /* 0 unless closed */
  int64_t updated_at;
} case_t;

/* A person linked to a case, with what the case shows of them. */
typedef struct case_person {
  int64_t person_id;
  const char *full_name;
  const char *status; /* current welfare status */
  json_t *flags;      /* new reference, released by the caller */
  int64_t added_at;
} case_person_t;

/* One entry of a case's timeline. */
typedef struct case_event {
  int64_t id;
  int64_t case_id;
  int64_t at;
  const char *kind;   /* case_event_kinds */
  int64_t author_id;  /* 0 for the system */
  const char *detail; /* JSON object text, or NULL */
  const char *note;   /* free text, or NULL */
} case_event_t;

/*
 * A queue: which cases, in (queue_rank, due_at, id) order. The list key is the most selective
 * of assigned_to, mission_id, crisis_id (each 0 for "any"); the other fields filter.
 */
typedef struct case_filter {
  int64_t assigned_to;
  int64_t mission_id;
  int64_t crisis_id;
  const char *type;   /* case_types, or NULL */
  const char *status; /* case_statuses, or NULL */
  int rank_from, rank_to; /* queue ranks to list, within 0..CASE_RANK_LAST */
  int64_t due_before;     /* only cases due strictly before (INT64_MAX: no bound) */
} case_filter_t;

/* Cases of one type in a crisis, for situation reports. */
typedef struct case_type_counts {
  int64_t opened, opened_since;     /* every case of the crisis; those opened at or after since */
  int64_t resolved, resolved_since; /* resolved_at set (resolved, or resolved then closed) */
  int64_t closed, closed_since;     /* closed_at set */
  int64_t open_now;                 /* new, triaged or in progress */
} case_type_counts_t;
typedef struct case_counts {
  case_type_counts_t by_type[CASE_TYPE_COUNT]; /* index: enum case_type */
  case_type_counts_t total;
} case_counts_t;

/* Creates case k (k->id, times set by the caller) and fills k->id. No event is written. */
int store_case_create(store_conn_t *c, case_t *k /* IN, OUT */);
/* The case id if visible to scope; BH_ERR_NOT_FOUND otherwise. */
int store_case_get(store_conn_t *c, const store_scope_t *scope, int64_t id, arena_t *a,
                   case_t *out /* OUT */);
/*
 * Replaces every mutable field of case k->id (all but id, channel, created_by, opened_at) if it
 * is visible to scope; BH_ERR_NOT_FOUND otherwise. The queue rank follows status and priority.
 */
int store_case_update(store_conn_t *c, const store_scope_t *scope, const case_t *k);
/*
 * One page of a queue: the cases visible to scope that pass f, after the case page->after
 * (0: from the start) in (queue_rank, due_at, id) order. BH_ERR_INVALID when page->after is
 * not a case visible to scope.
 */
int store_case_list(store_conn_t *c, const store_scope_t *scope, const case_filter_t *f,
                    const store_page_t *page, arena_t *a, case_t **out /* OUT */,
                    size_t *n /* OUT */);

/* Links person_id to case_id; BH_ERR_CONFLICT when it is linked already. */
int store_case_person_add(store_conn_t *c, int64_t case_id, int64_t person_id, int64_t added_by,
                          int64_t at);
/* The persons of a case (at most CASE_PERSONS_MAX), in the order they were linked. */
int store_case_persons(store_conn_t *c, int64_t case_id, arena_t *a,
                       case_person_t **out /* OUT */, size_t *n /* OUT */);
/*
 * The priority facts of person_id if the person is visible to scope (the jurisdiction rule of
 * persons in store.h); BH_ERR_NOT_FOUND otherwise.
 */
int store_case_person_facts(store_conn_t *c, const store_scope_t *scope, int64_t person_id,
                            case_person_facts_t *out /* OUT */);

/* Appends e to its case's timeline; fills e->id. */
int store_case_event_add(store_conn_t *c, case_event_t *e /* IN, OUT */);
/* The timeline of case_id, oldest first, after event page->after, at most page->limit events. */
int store_case_events(store_conn_t *c, int64_t case_id, const store_page_t *page, arena_t *a,
                      case_event_t **out /* OUT */, size_t *n /* OUT */);

/*
 * The figures of the cases of crisis_id for situation reports, by type and in total: opened,
 * resolved and closed overall and at or after since, and open now. Aggregates only.
 */
int store_case_counts(store_conn_t *c, int64_t crisis_id, int64_t since,
                      case_counts_t *out /* OUT */);

/*
 * A check-in answered "need help" (alert alert_id of crisis crisis_id, by person_id, at at, with
 * the citizen's message and location, each may be NULL): when the person has an open case of
 * that crisis, adds a "check_in" event with the message to it; otherwise opens a case (channel
 * check_in, type evacuation_request, status new, priority by the rule, owned by the crisis's
 * lead mission, else the mission whose jurisdiction covers the person's newest presence in one
 * of the crisis's countries, else the mission that registered the person) with its "created"
 * event. Call inside the transaction that records the check-in. *case_id (may be NULL) is the
 * case, *opened (may be NULL) 1 when it is new.
 */
int store_case_from_checkin(store_conn_t *c, int64_t crisis_id, int64_t person_id,
                            int64_t alert_id, const char *message, const char *location,
                            int64_t at, int64_t *case_id /* OUT */, int *opened /* OUT */);

/* The longest note of a check-in case: the citizen's message and location (500 bytes each). */
#define CASE_CHECKIN_NOTE_MAX (2 * 500 + 64)

/*
 * What a "need help" answer writes (store_case_from_checkin), apart from what the store reads:
 * the rule is declared once here and used by the answer-by-answer path and by the batch of
 * store_checkin_batch.c. In: the answer (crisis_id ... at), open_case_id (the person's open case
 * of the crisis, 0 when none) and, when open_case_id is 0, the person's facts and the case's
 * mission_id (0 when none). Out (case_checkin_plan): the timeline event (kind, detail, a JSON
 * text to release with free(), NULL if it could not be made, and note) to add to open_case_id,
 * or, when it is 0, to the new case k (written with k.id set once created; k.description points
 * into note, so the struct must not be copied). k is the only case a check-in opens: no
 * assignment, no override, no caller, person_id linked with no author.
 */
typedef struct case_checkin {
  int64_t crisis_id, person_id, alert_id;
  const char *message, *location; /* may be NULL */
  int64_t at;
  int64_t open_case_id;
  case_person_facts_t facts;
  int64_t mission_id;
  char note[CASE_CHECKIN_NOTE_MAX];
  case_t k;
  const char *kind;       /* "check_in" or "created" */
  char *detail;           /* JSON, free() */
  const char *event_note; /* the note, or NULL */
} case_checkin_t;

/* Fills the Out part of p from its In part (see case_checkin_t). */
void case_checkin_plan(case_checkin_t *p /* IN, OUT */);

/*
 * The subject of a case when it is not a registered person (table case_subjects): what the
 * caller knows of the person the case is about, used by matching (store_list.h) for a
 * missing-person case with no linked person. Every field may be NULL; all NULL is no subject.
 */
typedef struct case_subject {
  const char *full_name;
  const char *sex;           /* model_sexes */
  const char *date_of_birth; /* YYYY, YYYY-MM or YYYY-MM-DD, as persons' */
  const char *home_province;
  const char *id_number;     /* passport or national ID; canonical (secret_canon_number) when read */
} case_subject_t;

/* 1 when s is NULL or has no field. */
int case_subject_empty(const case_subject_t *s);
/*
 * The subject of case case_id (the caller has checked that the case is visible), its identity
 * number opened with keys; all fields NULL when it has none.
 */
int store_case_subject_get(store_conn_t *c, const secret_t *keys, int64_t case_id, arena_t *a,
                           case_subject_t *out /* OUT */);
/*
 * Replaces the subject of case case_id with s (NULL or empty: removes it). The identity number
 * is canonicalised, sealed with keys and keyed-hashed (kind "case_subject"); BH_ERR_INVALID when
 * it has no letter or digit or is longer than MODEL_NUMBER_MAX.
 */
int store_case_subject_set(store_conn_t *c, const secret_t *keys, int64_t case_id,
                           const case_subject_t *s);

#endif
