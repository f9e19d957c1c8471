/*
 * store_list.h - the storage interface of identity matching in the registry (issue 6): lists
 * handed over by foreign authorities, their rows, each row's top candidates among the registry's
 * persons and the officers' decisions on them; and the read of the registry's persons that a
 * matching index is built from. Part of the storage interface (store.h), kept in its own header;
 * store_list.c forwards each call to the SQLite (store_sqlite_list.c) or PostgreSQL
 * (store_pg_list.c) backend. Contracts as in store.h: BH_OK or a negative bh_err, strings from
 * the caller's arena.
 *
 * Visibility of a list: a scope with all (admin, hq) sees every list; an officer's scope sees the
 * lists uploaded by their mission (lists.mission_id), and anything else is BH_ERR_NOT_FOUND.
 * A candidate is a registered person or the unregistered subject of an open missing-person case
 * (a case of type missing_person_report with no linked person: its caller's details). The
 * candidates of a row are returned only when the person is visible to the scope (the person
 * scope of store.h), or the case is (the case scope of store_case.h: its mission).
 *
 * Identity numbers (of the registry's persons, and the number column of a list row) are sealed
 * in the database; the functions here that return them open them with the keys the caller
 * passes (the same keys the store was opened with).
 */
#ifndef BAOHO_STORE_LIST_H
#define BAOHO_STORE_LIST_H

#include <stdint.h>

#include "store/store.h"

/* Limits of a list, named once. A list is one request body (HTTP_MAX_BODY). */
#define LIST_ROWS_MAX 20000       /* data rows of one list */
#define LIST_TITLE_MAX 200        /* bytes of a title */
#define LIST_SOURCE_MAX 200       /* bytes of the source authority */
#define LIST_FIELD_MAX 300        /* bytes of one field of a row */
#define LIST_CANDIDATES_MAX 5     /* candidates kept per row */
#define LIST_EXPLAIN_MAX 320      /* bytes of an explanation, NUL included */
#define LIST_ROWS_PAGE_MAX 200    /* rows per page of rows with their candidates */
#define LIST_REGION_MAX 200       /* bytes of the list's region */

/* Bands, as stored (match_band_t has the same values). */
enum list_band { LIST_BAND_NONE = 0, LIST_BAND_REVIEW = 1, LIST_BAND_STRONG = 2 };
/* Decisions on a row, as stored, in the order of list_row_decisions. */
enum list_row_decision {
  LIST_ROW_PENDING = 0,
  LIST_ROW_CONFIRMED = 1,
  LIST_ROW_REJECTED = 2, /* every candidate rejected */
  LIST_ROW_NEW_PERSON = 3,
  LIST_ROW_DECISION_COUNT
};
/* Decisions on one candidate, as stored. */
enum list_cand_decision { LIST_CAND_NONE = 0, LIST_CAND_CONFIRMED = 1, LIST_CAND_REJECTED = 2 };

/* "pending", "confirmed", "rejected", "new_person", NULL. */
extern const char *const list_row_decisions[];
/* "none", "review", "strong", NULL (indexed by enum list_band). */
extern const char *const list_bands[];
/* "none", "confirmed", "rejected", NULL (indexed by enum list_cand_decision). */
extern const char *const list_cand_decisions[];

/* A list with its figures (the figures are filled by get and list, ignored by create). */
typedef struct list_rec {
  int64_t id;
  const char *title;
  const char *source;   /* the authority that handed it over */
  const char *country;  /* ISO 3166-1 alpha-2 of the authority */
  int64_t crisis_id;    /* 0 for none */
  int64_t mission_id;   /* the uploader's mission (0 for hq/admin without one) */
  const char *ref_date; /* YYYY-MM-DD: the date the list's ages refer to */
  const char *region;   /* the list's region inside country, or NULL */
  /* What confirming a row does to the person (both NULL: nothing): the welfare status to apply
   * (model_statuses) and the category of the presence to record in country/region when the
   * person has none there (model_categories). */
  const char *apply_status;
  const char *presence_category;
  int64_t bad_rows;     /* rows refused when it was uploaded */
  int64_t created_by;
  int64_t created_at;
  int64_t rows;
  int64_t by_band[3];                         /* by the best candidate's band */
  int64_t by_decision[LIST_ROW_DECISION_COUNT]; /* by row decision */
} list_rec_t;

/* One candidate of a row as it is stored: a person or a case, never both. */
typedef struct list_cand_in {
  int64_t person_id;
  int64_t case_id; /* the open missing-person case whose unregistered subject this is */
  double probability;
  int band; /* enum list_band */
  const char *explanation;
} list_cand_in_t;

/* One row of a list as it is stored, with its candidates (best first). */
typedef struct list_row_in {
  int64_t row_no;          /* 1, 2, ... in the order of the file */
  int64_t line;            /* the row's line in the file */
  const char *fields;      /* JSON object of the row's fields by role, id_number excluded */
  const char *id_number;   /* the row's identity number (sealed in storage), or NULL */
  int band;                /* the best candidate's band, LIST_BAND_NONE without one */
  int ncand;
  list_cand_in_t cand[LIST_CANDIDATES_MAX];
} list_row_in_t;

/*
 * One candidate as read back: the match and the person (or the case's subject) side by side.
 * For a person, case_id is an open missing-person case linked to the person that the scope may
 * see (0 when none) and the case_ fields describe it; for a case candidate (person_id 0),
 * case_id is the case, full_name the subject's name and the caller_ fields the other details
 * recorded on the case.
 */
typedef struct list_cand_out {
  int rank;
  int64_t person_id;
  int64_t case_id;
  const char *case_status;  /* case_statuses */
  const char *case_summary;
  const char *caller_phone; /* case candidates only; the subject's details are in the person
                             * fields below (full_name, sex, date_of_birth, national_id: its
                             * identity number, home_province) */
  const char *caller_relation;
  const char *caller_notes;
  double probability;
  int band;
  const char *explanation;
  int decision; /* enum list_cand_decision */
  int64_t decided_by, decided_at;
  int repeat; /* the person (or case) was confirmed on another list before */
  const char *full_name;
  const char *other_names; /* JSON array text */
  const char *sex;
  const char *date_of_birth;
  const char *national_id;
  const char *passport;
  const char *home_province;
} list_cand_out_t;

/* One row as read back with its visible candidates. */
typedef struct list_row_out {
  int64_t row_no;
  int64_t line;
  const char *fields; /* JSON object text */
  const char *id_number;
  int band;
  int decision; /* enum list_row_decision */
  int64_t person_id; /* the confirmed person, or 0 */
  int64_t case_id;   /* the confirmed case, or 0 */
  int64_t decided_by, decided_at;
  list_cand_out_t *cand;
  size_t ncand;
} list_row_out_t;

/* Which rows to read: band and decision are -1 for any. */
typedef struct list_row_filter {
  int band;
  int decision;
} list_row_filter_t;

/* A registry person as matching reads it; values borrowed for the callback's duration. */
typedef struct store_match_person {
  int64_t id;
  const char *full_name;
  const char *other_names; /* JSON array text */
  const char *sex;
  const char *date_of_birth;
  const char *national_id; /* opened; NULL when none */
  const char *passport;    /* opened; NULL when none */
  const char *home_province;
  /* The distinct countries of the person's presences (any on record, current or past), ISO
   * alpha-2 separated by commas, or NULL when the person has none. */
  const char *countries;
} store_match_person_t;

/* Return non-zero to stop (store_match_persons_each then returns BH_ERR_INTERNAL). */
typedef int (*store_match_person_cb)(void *ctx, const store_match_person_t *p);

/*
 * A subject of an open missing-person case as matching reads it (borrowed for the callback):
 * a registered person linked to the case (person_id), or, when the case has no linked person,
 * its unregistered subject (person_id 0): the subject's details recorded on the case
 * (store_case.h case_subject_t), the name falling back to the caller's (a caller made a person
 * is linked, so is a registered subject). The other fields are NULL for a linked person.
 */
typedef struct store_match_case {
  int64_t case_id;
  int64_t person_id;
  const char *full_name;
  const char *sex;
  const char *date_of_birth;
  const char *home_province;
  const char *id_number; /* opened; NULL when none */
  /* The countries of the case's crisis (ISO alpha-2 separated by commas), or NULL when the case
   * has no crisis or the crisis no country. */
  const char *countries;
} store_match_case_t;

/* Return non-zero to stop (store_match_cases_each then returns BH_ERR_INTERNAL). */
typedef int (*store_match_case_cb)(void *ctx, const store_match_case_t *k);

/* The registry's matching generation: it changes whenever what matching reads changes. */
int store_match_generation(store_conn_t *c, int64_t *gen /* OUT */);
/*
 * Calls cb for every person visible to scope, in id order, inside one read snapshot, and sets
 * *gen to the matching generation of that same snapshot (an index built from these persons is
 * current while store_match_generation answers the same).
 */
int store_match_persons_each(store_conn_t *c, const store_scope_t *scope, const secret_t *keys,
                             int64_t *gen /* OUT */, store_match_person_cb cb, void *ctx);

/*
 * Calls cb for every subject of every open (new, triaged, in progress) missing-person case
 * visible to scope, in case order, identity numbers opened with keys. Read after
 * store_match_persons_each for the same index: a change in between moves the generation, so the
 * index is rebuilt at its next use.
 */
int store_match_cases_each(store_conn_t *c, const store_scope_t *scope, const secret_t *keys,
                           store_match_case_cb cb, void *ctx);

/* Creates a list (fills l->id and l->created_at unless set). Call inside a write transaction. */
int store_list_create(store_conn_t *c, list_rec_t *l /* IN, OUT */);
/* Stores one row and its candidates, sealing its identity number with keys. */
int store_list_add_row(store_conn_t *c, const secret_t *keys, int64_t list_id,
                       const list_row_in_t *row);
/* The list with its figures; BH_ERR_NOT_FOUND when absent or not visible to scope. */
int store_list_get(store_conn_t *c, const store_scope_t *scope, int64_t id, arena_t *a,
                   list_rec_t *out /* OUT */);
/* Lists visible to scope in id order, with their figures. */
int store_list_list(store_conn_t *c, const store_scope_t *scope, const store_page_t *page,
                    arena_t *a, list_rec_t **out /* OUT */, size_t *n /* OUT */);
/*
 * Rows of a visible list with row_no > page->after passing f, in row order, at most page->limit,
 * each with its candidates visible to scope (rank order), identity numbers opened with keys.
 */
int store_list_rows(store_conn_t *c, const store_scope_t *scope, const secret_t *keys,
                    int64_t list_id, const list_row_filter_t *f, const store_page_t *page,
                    arena_t *a, list_row_out_t **out /* OUT */, size_t *n /* OUT */);
/* A decision on a row, and what the row held before and holds after it. */
typedef struct list_decision {
  int decision;      /* IN: enum list_row_decision */
  int64_t person_id; /* IN: the candidate person (confirm, reject), or 0 */
  int64_t case_id;   /* IN: the candidate case (confirm, reject), or 0; never with person_id */
  int64_t user_id, now; /* IN */
  /* OUT: the row's confirmed person or case before the decision, with what confirming it
   * applied (see store_list_row_applied): the status event, the status before it (from the
   * arena), the presence added. */
  int64_t prev_person_id, prev_case_id;
  int64_t applied_event_id;
  const char *applied_prev_status;
  int64_t applied_presence_id;
  /* OUT: the row's confirmed person or case after the decision. */
  int64_t person_after, case_after;
  /* OUT: the confirmed candidate replaced by confirming another one, or 0. */
  int64_t replaced, replaced_case;
} list_decision_t;

/*
 * Records decision d on row row_no of a visible list and keeps it in the decisions history:
 *  - LIST_ROW_CONFIRMED: the candidate (a person or case of the row visible to scope) becomes
 *    the row's one confirmed candidate; a previously confirmed other one goes back to no
 *    decision and is named in d->replaced or d->replaced_case;
 *  - LIST_ROW_REJECTED: the candidate is rejected (and unconfirmed if it was confirmed); the row
 *    counts as rejected once every candidate is;
 *  - LIST_ROW_NEW_PERSON: the row is nobody in the registry (confirmations are undone).
 * BH_ERR_NOT_FOUND when the list or row is not there or not visible; BH_ERR_INVALID when the
 * candidate is not a visible candidate of the row. Strings of d from a. Call inside a write
 * transaction.
 */
int store_list_decide(store_conn_t *c, const store_scope_t *scope, int64_t list_id,
                      int64_t row_no, arena_t *a, list_decision_t *d /* IN, OUT */);
/*
 * Remembers what the confirmation of row row_no applied to its person: the status event it
 * added, the status before it (NULL when none was applied) and the presence it added (0 for
 * none). All zero/NULL clears it. Call inside the decision's transaction.
 */
int store_list_row_applied(store_conn_t *c, int64_t list_id, int64_t row_no, int64_t event_id,
                           const char *prev_status, int64_t presence_id);
/* The id of person_id's latest status event (0 when none). */
int store_list_status_latest(store_conn_t *c, int64_t person_id, int64_t *event_id /* OUT */);
/*
 * Removes presence presence_id of person_id if nobody changed it since it was created and no
 * self-registration refers to it; *removed (may be NULL) says whether it did. Call inside a write
 * transaction.
 */
int store_list_presence_withdraw(store_conn_t *c, int64_t presence_id, int64_t person_id,
                                 int *removed /* OUT */);
/* An open missing-person case visible to scope that person_id is linked to (the oldest), or 0. */
int store_list_open_case(store_conn_t *c, const store_scope_t *scope, int64_t person_id,
                         int64_t *case_id /* OUT */);

#endif
