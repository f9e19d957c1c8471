/* case.c - the vocabularies, priority rule and workflow table of assistance cases; see case.h. */
#include "domain/case.h"

#include <string.h>

const char *const case_types[] = {"evacuation_request", "lost_documents", "detention",
                                  "trafficking",        "medical",        "death",
                                  "missing_person_report", "financial",   "other",
                                  NULL};
const char *const case_priorities[] = {"critical", "high", "normal", "low", NULL};
const char *const case_channels[] = {"hotline", "email", "walk_in", "check_in",
                                     "partner_referral", NULL};
const char *const case_statuses[] = {"new", "triaged", "in_progress", "resolved", "closed", NULL};
const char *const case_event_kinds[] = {"created",     "status",        "priority", "due",
                                        "assigned",    "transferred",   "updated",  "person_linked",
                                        "caller_promoted", "note",      "check_in", NULL};
const char *const case_queues[] = {"all", "mine", "mission", "overdue", NULL};

/*
 * The base priority of each type, before the persons' facts. Trafficking is a threat to life and
 * liberty; detention, medical emergencies, missing persons and evacuation requests are urgent;
 * a death (repatriation of remains, informing the family) is followed normally; lost documents
 * and money problems are routine.
 */
static const int case_type_priority[CASE_TYPE_COUNT] = {
    [CASE_EVACUATION_REQUEST] = CASE_HIGH,
    [CASE_LOST_DOCUMENTS] = CASE_LOW,
    [CASE_DETENTION] = CASE_HIGH,
    [CASE_TRAFFICKING] = CASE_CRITICAL,
    [CASE_MEDICAL] = CASE_HIGH,
    [CASE_DEATH] = CASE_NORMAL,
    [CASE_MISSING_PERSON_REPORT] = CASE_HIGH,
    [CASE_FINANCIAL] = CASE_LOW,
    [CASE_OTHER] = CASE_NORMAL,
};

/* Hours from opening to the default due time, per priority. */
static const int case_due_hours[CASE_PRIORITY_COUNT] = {
    [CASE_CRITICAL] = 4, [CASE_HIGH] = 24, [CASE_NORMAL] = 72, [CASE_LOW] = 168};

/*
 * THE workflow: every legal status change. new -> triaged -> in_progress -> resolved -> closed;
 * a new or triaged call that is no case (a duplicate, a wrong number) may be closed at once; a
 * resolved or closed case is reopened to in_progress.
 */
static const struct {
  int from, to;
} case_transitions[] = {
    {CASE_NEW, CASE_TRIAGED},         {CASE_NEW, CASE_CLOSED},
    {CASE_TRIAGED, CASE_IN_PROGRESS}, {CASE_TRIAGED, CASE_CLOSED},
    {CASE_IN_PROGRESS, CASE_RESOLVED}, {CASE_RESOLVED, CASE_CLOSED},
    {CASE_RESOLVED, CASE_IN_PROGRESS}, {CASE_CLOSED, CASE_IN_PROGRESS},
};

void case_person_facts(const json_t *flags, const char *status, case_person_facts_t *out) {
  memset(out, 0, sizeof(*out));
  size_t i;
  const json_t *v;
  json_array_foreach(flags, i, v) {
    const char *f = json_string_value(v);
    if (f != NULL && strcmp(f, "minor") == 0) out->minor = 1;
  }
  if (status != NULL) {
    out->injured = strcmp(status, "injured") == 0;
    out->detained = strcmp(status, "detained") == 0;
  }
}

int case_priority_compute(int type, const case_person_facts_t *facts, size_t n) {
  int p = type >= 0 && type < CASE_TYPE_COUNT ? case_type_priority[type] : CASE_NORMAL;
  for (size_t i = 0; i < n; i++) {
    if (facts[i].minor || facts[i].injured || facts[i].detained) {
      return p > CASE_CRITICAL ? p - 1 : p;
    }
  }
  return p;
}

int64_t case_due_default(int priority, int64_t from) {
  if (priority < 0 || priority >= CASE_PRIORITY_COUNT) priority = CASE_NORMAL;
  return from + (int64_t)case_due_hours[priority] * 3600;
}

int case_status_open(int status) {
  return status == CASE_NEW || status == CASE_TRIAGED || status == CASE_IN_PROGRESS;
}

int case_queue_rank(int status, int priority) {
  return (case_status_open(status) ? 0 : CASE_PRIORITY_COUNT) + priority;
}

int case_transition_allowed(int from, int to) {
  for (size_t i = 0; i < sizeof(case_transitions) / sizeof(case_transitions[0]); i++) {
    if (case_transitions[i].from == from && case_transitions[i].to == to) return 1;
  }
  return 0;
}

size_t case_next_statuses(int from, int out[CASE_STATUS_COUNT]) {
  size_t n = 0;
  for (int to = 0; to < CASE_STATUS_COUNT; to++) {
    if (case_transition_allowed(from, to)) out[n++] = to;
  }
  return n;
}
