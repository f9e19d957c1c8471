/*
 * api_cases_int.h - what the two files of the cases API (api_cases.c: intake, reads and queues;
 * api_case_actions.c: workflow, notes, persons, transfer, caller made a person) share and nothing
 * else includes: the input fields both bodies take, the renderers, the timeline writer and the
 * checks that reply themselves.
 */
#ifndef BAOHO_API_CASES_INT_H
#define BAOHO_API_CASES_INT_H

#include <jansson.h>
#include <stdint.h>

#include "api/api.h"
#include "domain/case.h"
#include "store/store_case.h"

/* Spec checker: a string of the shape of a public id. */
const char *cases_check_id(const char *s);

/*
 * The subject of a case when it is not a registered person (store_case.h): declare it in each
 * file as `static const spec_field_t subject_spec[] = {CASE_SUBJECT_FIELDS};`, which
 * CASE_FIELDS names. Partial dates of birth as persons'; the identity number a passport or
 * national ID number.
 */
#define CASE_SUBJECT_FIELDS                                                                      \
  {.name = "full_name", .type = SPEC_STRING, .flags = SPEC_NULLABLE, .min_len = 1,               \
   .max_len = MODEL_NAME_MAX, .check = spec_check_name},                                         \
  {.name = "sex", .type = SPEC_STRING, .flags = SPEC_NULLABLE, .values = model_sexes},           \
  {.name = "date_of_birth", .type = SPEC_STRING, .flags = SPEC_NULLABLE,                         \
   .check = spec_check_birth_date},                                                              \
  {.name = "home_province", .type = SPEC_STRING, .flags = SPEC_NULLABLE, .min_len = 1,           \
   .max_len = MODEL_SHORT_MAX},                                                                  \
  {.name = "id_number", .type = SPEC_STRING, .flags = SPEC_NULLABLE,                             \
   .max_len = MODEL_NUMBER_MAX, .check = spec_check_number}

/* The fields create and update share; create requires type and summary. */
#define CASE_FIELDS(req)                                                                         \
  {.name = "type", .type = SPEC_STRING, .flags = (req), .values = case_types},                   \
  {.name = "summary", .type = SPEC_STRING, .flags = (req), .min_len = 1,                         \
   .max_len = CASE_SUMMARY_MAX},                                                                 \
  {.name = "description", .type = SPEC_STRING, .flags = SPEC_NULLABLE | SPEC_MULTILINE,          \
   .max_len = CASE_DESCRIPTION_MAX},                                                             \
  {.name = "priority", .type = SPEC_STRING, .flags = SPEC_NULLABLE, .values = case_priorities},  \
  {.name = "due_at", .type = SPEC_STRING, .flags = SPEC_NULLABLE,                                \
   .check = spec_check_timestamp},                                                               \
  {.name = "crisis", .type = SPEC_STRING, .flags = SPEC_NULLABLE, .check = cases_check_id},      \
  {.name = "assigned_to", .type = SPEC_STRING, .flags = SPEC_NULLABLE, .check = cases_check_id}, \
  {.name = "subject", .type = SPEC_OBJECT, .flags = SPEC_NULLABLE, .sub = subject_spec,           \
   .nsub = SPEC_COUNT(subject_spec)}

/* JSON of a public id of kind (null for 0), of a string (null for NULL). New references. */
json_t *cases_id_json(const app_t *app, enum pubid_kind kind, int64_t id);
json_t *cases_str_json(const char *s);
/* The statuses the workflow allows after status, as a new JSON array of words. */
json_t *cases_next_json(int status);
/* A case as API JSON, its overdue flag as of now (new reference). */
json_t *cases_render(const app_t *app, const case_t *k, int64_t now);
/* A timeline event as API JSON, the ids of its detail made public (new reference). */
json_t *cases_render_event(const app_t *app, const case_event_t *e);
/*
 * Replies status with the full view of case k: the case, its persons and the first page of its
 * timeline. Returns BH_OK, or a store error without replying (the caller replies).
 */
int cases_reply_full(app_t *app, http_req_t *r, api_ctx_t *ctx, int status, const case_t *k);
/* Appends a timeline event by the current user with detail d (stolen, may be NULL) and note. */
int cases_event_add(api_ctx_t *ctx, int64_t case_id, int64_t at, const char *kind, json_t *d,
                    const char *note);
/*
 * Recomputes k's priority from its type and linked persons; the override, when there is one,
 * stays the effective priority, and a due time not set by hand follows the priority. Adds a
 * "priority" event when the effective or computed priority changed, or when force is set.
 */
int cases_priority_refresh(api_ctx_t *ctx, arena_t *a, case_t *k, int64_t now, int force);
/* Decodes text as an existing mission's id into *id; else replies 422 naming field, returns -1. */
int cases_mission_or_reply(app_t *app, http_req_t *r, api_ctx_t *ctx, const char *text,
                           const char *field, int64_t *id /* OUT */);
/* Decodes text as the id of a crisis the caller can see; else replies 422, returns -1. */
int cases_crisis_or_reply(app_t *app, http_req_t *r, api_ctx_t *ctx, const char *text,
                          int64_t *id /* OUT */);
/*
 * Decodes text as a user who may own a case of mission_id: an enabled officer (or admin) of that
 * mission, or anyone of hq. Else replies 422 naming assigned_to and returns -1.
 */
int cases_assignee_or_reply(app_t *app, http_req_t *r, api_ctx_t *ctx, const char *text,
                            int64_t mission_id, int64_t *id /* OUT */);
/*
 * Reads the "subject" member of a checked body into *out (fields from the body, valid while it
 * lives); an absent member, null or an object without a value gives an empty subject.
 */
void cases_subject_from_json(const json_t *subject, case_subject_t *out /* OUT */);
/* The subject as API JSON, null when empty (new reference). */
json_t *cases_subject_json(const case_subject_t *s);
/* Rolls back the current write transaction and replies with the error of store result rc. */
void cases_fail_tx(http_req_t *r, api_ctx_t *ctx, int rc, const char *what);

#endif
