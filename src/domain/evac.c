/* evac.c - vocabularies, status transitions and the priority rule of evacuation; see evac.h. */
#include "domain/evac.h"

#include <stdlib.h>
#include <string.h>

const char *const evac_site_kinds[] = {"shelter", "assembly_point", "border_crossing", "other",
                                       NULL};
const char *const evac_modes[] = {"flight", "bus", "train", "ship", NULL};
const char *const evac_providers[] = {"own", "partner", "commercial", NULL};
const char *const evac_purposes[] = {"evacuation", "repatriation", NULL};
const char *const evac_seat_directions[] = {"offered", "received", NULL};
const char *const evac_transport_statuses[] = {"planned", "departed", "arrived", "cancelled",
                                               NULL};
const char *const evac_entry_statuses[] = {"booked", "boarded", "arrived", "no_show",
                                           "cancelled", NULL};

/* A booking is boarded, then arrives; or the person does not come (no_show), or the booking is
 * withdrawn before boarding (cancelled, which frees the seat). */
const evac_transition_t evac_entry_transitions[] = {
    {"booked", "boarded"}, {"boarded", "arrived"}, {"booked", "no_show"},
    {"booked", "cancelled"}, {NULL, NULL}};

/* A transport departs and arrives; it may arrive without a recorded departure, and be cancelled
 * until it arrives. */
const evac_transition_t evac_transport_transitions[] = {
    {"planned", "departed"}, {"planned", "arrived"}, {"departed", "arrived"},
    {"planned", "cancelled"}, {"departed", "cancelled"}, {NULL, NULL}};

int evac_transition_allowed(const evac_transition_t *table, const char *from, const char *to) {
  if (from == NULL || to == NULL) return 0;
  for (size_t i = 0; table[i].from != NULL; i++) {
    if (strcmp(table[i].from, from) == 0 && strcmp(table[i].to, to) == 0) return 1;
  }
  return 0;
}

int evac_entry_holds_seat(const char *status) {
  return status != NULL && (strcmp(status, "booked") == 0 || strcmp(status, "boarded") == 0 ||
                            strcmp(status, "arrived") == 0);
}

const char *const evac_rank_names[] = {"injured", "minor", "elderly", "student", "other", NULL};

static int has_flag(const json_t *flags, const char *flag) {
  size_t i;
  json_t *v;
  json_array_foreach(flags, i, v) {
    const char *s = json_string_value(v);
    if (s != NULL && strcmp(s, flag) == 0) return 1;
  }
  return 0;
}

/* The birth year of a partial ISO date, or 0 when absent or unreadable. */
static int birth_year(const char *dob) {
  if (dob == NULL || strlen(dob) < 4) return 0;
  int y = 0;
  for (int i = 0; i < 4; i++) {
    if (dob[i] < '0' || dob[i] > '9') return 0;
    y = y * 10 + (dob[i] - '0');
  }
  return y;
}

int evac_rank_of(const char *status, const json_t *flags, const char *date_of_birth,
                 const char *category, int today_year) {
  if ((status != NULL && strcmp(status, "injured") == 0) || has_flag(flags, "medical")) {
    return EVAC_RANK_INJURED;
  }
  int y = birth_year(date_of_birth);
  /* Born in year y, a person is today_year - y or one year less: certainly under 18 when
   * today_year - y <= 17, certainly 65 or over when today_year - y - 1 >= 65. */
  if (has_flag(flags, "minor") || (y > 0 && today_year - y <= 17)) return EVAC_RANK_MINOR;
  if (has_flag(flags, "elderly") || (y > 0 && today_year - y - 1 >= 65)) return EVAC_RANK_ELDERLY;
  if (category != NULL && strcmp(category, "student") == 0) return EVAC_RANK_STUDENT;
  return EVAC_RANK_OTHER;
}

static int by_group(const void *pa, const void *pb) {
  const evac_candidate_t *a = pa, *b = pb;
  int ga = a->group_id != NULL, gb = b->group_id != NULL;
  if (ga != gb) return ga - gb;
  if (ga) {
    int c = strcmp(a->group_id, b->group_id);
    if (c != 0) return c;
  }
  return a->person_id < b->person_id ? -1 : a->person_id > b->person_id;
}

static int by_priority(const void *pa, const void *pb) {
  const evac_candidate_t *a = pa, *b = pb;
  if (a->group_rank != b->group_rank) return a->group_rank - b->group_rank;
  if (a->group_key != b->group_key) return a->group_key < b->group_key ? -1 : 1;
  if (a->rank != b->rank) return a->rank - b->rank;
  return a->person_id < b->person_id ? -1 : a->person_id > b->person_id;
}

void evac_order(evac_candidate_t *c, size_t n) {
  if (n == 0) return;
  /* Families first gathered by group_id to find each family's best rank and key. */
  qsort(c, n, sizeof(*c), by_group);
  size_t i = 0;
  while (i < n) {
    size_t j = i + 1;
    if (c[i].group_id != NULL) {
      while (j < n && c[j].group_id != NULL && strcmp(c[j].group_id, c[i].group_id) == 0) j++;
    }
    int best = c[i].rank;
    int64_t key = c[i].person_id;
    for (size_t k = i; k < j; k++) {
      if (c[k].rank < best) best = c[k].rank;
      if (c[k].person_id < key) key = c[k].person_id;
    }
    for (size_t k = i; k < j; k++) {
      c[k].group_rank = best;
      c[k].group_key = key;
    }
    i = j;
  }
  qsort(c, n, sizeof(*c), by_priority);
}

const char *evac_reason(const evac_candidate_t *c) {
  static const char *const family_of[] = {"family_of_injured", "family_of_minor",
                                          "family_of_elderly", "family_of_student", "other"};
  int rank = c->rank >= 0 && c->rank < EVAC_RANK_COUNT ? c->rank : EVAC_RANK_OTHER;
  if (c->group_rank < rank && c->group_rank >= 0) return family_of[c->group_rank];
  return evac_rank_names[rank];
}

size_t evac_take(const evac_candidate_t *c, size_t n, size_t limit) {
  size_t i = 0;
  while (i < n) {
    size_t j = i + 1;
    while (j < n && c[j].group_key == c[i].group_key && c[j].group_rank == c[i].group_rank) j++;
    if (j > limit) return i == 0 ? (limit < n ? limit : n) : i;
    i = j;
  }
  return n;
}
