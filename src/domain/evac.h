/*
 * evac.h - the rules of evacuation and repatriation, declared once: the vocabularies of staging
 * sites, transports and manifest entries, the status transitions of a transport and of a
 * manifest entry (as data tables), and the priority rule that orders the persons proposed for a
 * transport (injured, minors and their families, elderly, students, others; a family's members
 * kept together). Pure functions: no storage, no I/O, thread-safe.
 */
#ifndef BAOHO_EVAC_H
#define BAOHO_EVAC_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

/* Closed vocabularies (NULL-terminated, the single source of truth). */
extern const char *const evac_site_kinds[]; /* shelter, assembly_point, border_crossing, other */
extern const char *const evac_modes[]; /* flight, bus, train, ship */
extern const char *const evac_providers[]; /* own, partner, commercial */
extern const char *const evac_purposes[]; /* evacuation, repatriation */
extern const char *const evac_seat_directions[]; /* offered, received */
extern const char *const evac_transport_statuses[]; /* planned, departed, arrived, cancelled */
extern const char *const evac_entry_statuses[]; /* booked, boarded, arrived, no_show, cancelled */

/* Manifest entry statuses, in the order of evac_entry_statuses. */
enum evac_entry_status {
  EVAC_ENTRY_BOOKED = 0,
  EVAC_ENTRY_BOARDED,
  EVAC_ENTRY_ARRIVED,
  EVAC_ENTRY_NO_SHOW,
  EVAC_ENTRY_CANCELLED,
  EVAC_ENTRY_STATUS_COUNT
};

/* Limits, named once. */
#define EVAC_GROUP_MAX 50        /* persons in one booking group */
#define EVAC_SEATS_MAX 30        /* seat arrangements with partner countries on one transport */
#define EVAC_CAPACITY_MAX 100000 /* seats of a transport, places of a site */
#define EVAC_SUGGEST_MAX 500     /* persons one suggestion answer proposes */
#define EVAC_REFERENCE_MAX 64    /* flight number, plate, train or ship name */
#define EVAC_GROUP_ID_MAX 64     /* presence group_id (families) */

/* One allowed change of status. */
typedef struct evac_transition {
  const char *from;
  const char *to;
} evac_transition_t;

/* The transitions, each table terminated by {NULL, NULL}. */
extern const evac_transition_t evac_entry_transitions[];
extern const evac_transition_t evac_transport_transitions[];

/* 1 if table allows from -> to, else 0. */
int evac_transition_allowed(const evac_transition_t *table, const char *from, const char *to);

/* 1 if an entry in status s holds a seat (booked, boarded, arrived). */
int evac_entry_holds_seat(const char *status);

/* Priority ranks, best first; evac_rank_names gives each its reason code. */
enum evac_rank {
  EVAC_RANK_INJURED = 0,
  EVAC_RANK_MINOR,
  EVAC_RANK_ELDERLY,
  EVAC_RANK_STUDENT,
  EVAC_RANK_OTHER,
  EVAC_RANK_COUNT
};
extern const char *const evac_rank_names[]; /* injured, minor, elderly, student, other */

/*
 * The rank of one person: injured when the welfare status is "injured" or the flags hold
 * "medical"; a minor when the flags hold "minor" or the birth year (a partial ISO date, may be
 * NULL) makes the person certainly under 18 in today_year; elderly when flagged "elderly" or
 * certainly 65 or over; a student when the presence's category is "student"; else other.
 */
int evac_rank_of(const char *status, const json_t *flags, const char *date_of_birth,
                 const char *category, int today_year);

/* A person proposed for a transport. evac_order fills the fields marked OUT. */
typedef struct evac_candidate {
  int64_t person_id;
  const char *group_id; /* presence group_id (family), or NULL */
  int rank;             /* enum evac_rank of the person */
  int group_rank;       /* OUT: the best rank within the person's family */
  int64_t group_key;    /* OUT: the smallest person id of the family (orders families) */
  void *data;           /* the caller's */
} evac_candidate_t;

/*
 * Orders candidates for a transport: each family (the same non-NULL group_id) takes the best
 * rank of its members and its members stay adjacent; families and single persons are ordered by
 * that rank, then by the smallest person id; within a family by own rank, then person id.
 */
void evac_order(evac_candidate_t *c, size_t n);

/*
 * The reason code of a candidate after evac_order: its own rank name, or "family_of_<rank>"
 * when it is proposed early because of a member of its family. Static strings.
 */
const char *evac_reason(const evac_candidate_t *c);

/* How many of the first n ordered candidates fit in limit without splitting a family: a family
 * that does not fit ends the list (unless it comes first, then it is cut at limit). */
size_t evac_take(const evac_candidate_t *c, size_t n, size_t limit);

#endif
