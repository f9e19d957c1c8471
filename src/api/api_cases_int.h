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

/* Spec checkers: an RFC 3339 time; a string of the shape of a public id. */
const char *cases_check_time(const char *s);
const char *cases_check_id(const char *s);

/* The fields create and update share; create requires type and summary. */
#define CASE_FIELDS(req)                                                                         \
  {.name = "type", .type = SPEC_STRING, .flags = (req), .values = case_types},                   \
  {.name = "summary", .type = SPEC_STRING, .flags = (req), .min_len = 1,                         \
   .max_len = CASE_SUMMARY_MAX},                                                                 \
  {.name = "description", .type = SPEC_STRING, .flags = SPEC_NULLABLE | SPEC_MULTILINE,          \
   .max_len = CASE_DESCRIPTION_MAX},                                                             \
  {.name = "priority", .type = SPEC_STRING, .flags = SPEC_NULLABLE, .values = case_priorities},  \
  {.name = "due_at", .type = SPEC_STRING, .flags = SPEC_NULLABLE, .check = cases_check_time},          \
  {.name = "crisis", .type = SPEC_STRING, .flags = SPEC_NULLABLE, .check = cases_check_id},            \
  {.name = "assigned_to", .type = SPEC_STRING, .flags = SPEC_NULLABLE, .check = cases_check_id}

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
/* Rolls back the current write transaction and replies with the error of store result rc. */
void cases_fail_tx(http_req_t *r, api_ctx_t *ctx, int rc, const char *what);

#endif
