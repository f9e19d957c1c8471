/*
 * case.h - the domain rules of assistance cases (hotline calls, e-mails, walk-ins, check-ins
 * answered "need help", referrals): their closed vocabularies, the priority rule, the default
 * due time of each priority, the queue order, and the workflow, whose legal transitions are
 * declared once as a table in case.c.
 *
 * Priorities are ranks: 0 is the most urgent (critical), 3 the least (low). A case's queue rank
 * puts every open case (new, triaged, in progress) before every finished one (resolved, closed),
 * then orders by priority: queue_rank = (open ? 0 : CASE_PRIORITY_COUNT) + priority. Queues are
 * ordered by (queue_rank, due_at, id).
 *
 * Every function here is pure (no I/O, no global state) and thread-safe.
 */
#ifndef BAOHO_CASE_H
#define BAOHO_CASE_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

/* Limits of a case, named once. */
#define CASE_SUMMARY_MAX 300        /* bytes of the one-line summary */
#define CASE_DESCRIPTION_MAX 4000   /* bytes of the description */
#define CASE_NOTE_MAX 4000          /* bytes of one timeline note */
#define CASE_REASON_MAX 500         /* bytes of a transfer reason */
#define CASE_PERSONS_MAX 20         /* persons linked to one case */
#define CASE_CALLER_NOTES_MAX 1000  /* bytes of the notes about an unregistered caller */
#define CASE_TIMELINE_PAGE 100      /* timeline events returned with a case */

/* Closed vocabularies (NULL-terminated), in the order of the enums below. */
extern const char *const case_types[];
extern const char *const case_priorities[];
extern const char *const case_channels[];
extern const char *const case_statuses[];
extern const char *const case_event_kinds[];
/* The queues of GET /api/v1/cases?queue=. */
extern const char *const case_queues[];

enum case_type {
  CASE_EVACUATION_REQUEST = 0,
  CASE_LOST_DOCUMENTS,
  CASE_DETENTION,
  CASE_TRAFFICKING,
  CASE_MEDICAL,
  CASE_DEATH,
  CASE_MISSING_PERSON_REPORT,
  CASE_FINANCIAL,
  CASE_OTHER,
  CASE_TYPE_COUNT
};

enum case_priority {
  CASE_CRITICAL = 0,
  CASE_HIGH,
  CASE_NORMAL,
  CASE_LOW,
  CASE_PRIORITY_COUNT
};

enum case_status {
  CASE_NEW = 0,
  CASE_TRIAGED,
  CASE_IN_PROGRESS,
  CASE_RESOLVED,
  CASE_CLOSED,
  CASE_STATUS_COUNT
};

enum case_queue { CASE_QUEUE_ALL = 0, CASE_QUEUE_MINE, CASE_QUEUE_MISSION, CASE_QUEUE_OVERDUE };

/* Queue ranks: open cases take 0..3, finished ones 4..7. */
#define CASE_RANK_OPEN_FIRST 0
#define CASE_RANK_OPEN_LAST (CASE_PRIORITY_COUNT - 1)
#define CASE_RANK_LAST (2 * CASE_PRIORITY_COUNT - 1)

/* What the priority rule needs to know about one person of a case. */
typedef struct case_person_facts {
  int minor;    /* the person's flags include "minor" */
  int injured;  /* current welfare status "injured" */
  int detained; /* current welfare status "detained" */
} case_person_facts_t;

/* Reads the facts of a person from their flags (JSON array of model_flags) and status. */
void case_person_facts(const json_t *flags, const char *status, case_person_facts_t *out /* OUT */);

/*
 * The computed priority of a case of type with the facts of its n persons: the type's base
 * priority (case.c), one rank more urgent when any person is a minor, injured or detained
 * (never above critical).
 */
int case_priority_compute(int type, const case_person_facts_t *facts, size_t n);
/* The default due time of a case of priority opened (or re-prioritised) at from. */
int64_t case_due_default(int priority, int64_t from);
/* 1 for new, triaged and in progress; 0 for resolved and closed. */
int case_status_open(int status);
/* The queue rank of a case (see above). */
int case_queue_rank(int status, int priority);
/* 1 if the workflow table allows from -> to. */
int case_transition_allowed(int from, int to);
/* The statuses reachable from from, in the order of case_statuses; returns their count. */
size_t case_next_statuses(int from, int out[CASE_STATUS_COUNT] /* OUT */);

#endif
