/*
 * store_checkin_batch.h - the answers of many citizens recorded at once (issue 8).
 *
 * The group-commit writer hands the check-ins of a batch to store_checkin_answers together. On
 * PostgreSQL they go to the server as arrays in one statement (the function checkin_answers of
 * migration_pgfast), one round trip for the whole batch instead of several per answer; on
 * SQLite, where a statement costs no round trip, each answer is recorded with the statements of
 * store_alert.h one after the other. Either way every answer is recorded, in order, exactly as
 * store_checkin_target, store_checkin_record and store_status_set record one answer: the answer
 * is always kept; the recipient's latest answer, the person's welfare status and its history are
 * written only when they change; an answer sees the answers before it in the same call. Then
 * each "need help" answer opens a case, or adds to the person's open case of the crisis, in
 * order, exactly as store_case_from_checkin does: on PostgreSQL all of them in one more round
 * trip (what they read comes back with the answers; one call of checkin_cases of
 * migration_pgcase), on SQLite one by one.
 */
#ifndef BAOHO_STORE_CHECKIN_BATCH_H
#define BAOHO_STORE_CHECKIN_BATCH_H

#include <stddef.h>
#include <stdint.h>

#include "store/store.h"
#include "store/store_alert.h"

/* Answers given to store_checkin_answers at most. */
#define CHECKIN_ANSWERS_MAX 512

/* One answer of a batch: what the citizen sent, and what became of it. */
typedef struct checkin_answer {
  const unsigned char *token_hash; /* the link's hash (SECRET_TOKEN_HASH_BYTES), or NULL */
  const char *phone;    /* without token_hash: the number the latest SMS went to */
  const char *answer;   /* model_checkin_answers */
  const char *message;  /* may be NULL */
  const char *location; /* may be NULL */
  const char *source;   /* "web" or "sms" */
  /* OUT: BH_OK recorded, BH_ERR_NOT_FOUND no such link, BH_ERR_CONFLICT its crisis is closed
   * (nothing is written for either). */
  int rc;
  /* OUT: recipient_id, alert_id, person_id and crisis_id of the link (unless BH_ERR_NOT_FOUND);
   * the other fields are not filled. */
  checkin_target_t target;
  int64_t checkin_id; /* OUT: the check-in recorded, when rc is BH_OK */
} checkin_answer_t;

/*
 * Records the n (1..CHECKIN_ANSWERS_MAX) answers of items, all at time at, inside the caller's
 * transaction, and sets each item's OUT fields. Returns BH_OK (each item's own result in its
 * rc), or an error of the store (BH_ERR_DB, BH_ERR_UNAVAILABLE, BH_ERR_CONFLICT, BH_ERR_NOMEM,
 * BH_ERR_INVALID for a bad n): then some answers may have been written and the caller must roll
 * back to before the call, and record the answers one by one instead. The case of an answer
 * reads the person's status as its answer left it, so a call where a person answering "need
 * help" answers twice is refused (BH_ERR_CONFLICT) for the caller to answer one by one.
 */
int store_checkin_answers(store_conn_t *c, checkin_answer_t *items, size_t n, int64_t at);

#endif
