/*
 * api_cases.c - assistance cases (/api/v1/cases): intake of a call, an e-mail, a walk-in or a
 * referral, reading a case and its timeline, and the queues; the workflow (the table of case.c),
 * assignment, transfer between missions, notes, persons, and the person made from an
 * unregistered caller's details are in api_case_actions.c. Every change and note is a timeline
 * event written in the same transaction as the change, with its audit record. A case holds
 * personal data: viewers have no access, an officer sees the cases of their own mission only
 * (the store's scope: anything else is 404), and every read is audited.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api_cases_int.h"
#include "domain/pdate.h"
#include "util/clock.h"
#include "util/err.h"

/* ---- input ---- */

const char *cases_check_id(const char *s) {
  return strlen(s) == PUBID_LEN ? NULL : "must be an id";
}

static const spec_field_t caller_spec[] = {
    {.name = "name", .type = SPEC_STRING, .flags = SPEC_REQUIRED, .min_len = 1,
     .max_len = MODEL_NAME_MAX, .check = spec_check_name},
    {.name = "phone", .type = SPEC_STRING, .flags = SPEC_NULLABLE, .max_len = MODEL_PHONE_MAX,
     .check = spec_check_phone},
    {.name = "relation", .type = SPEC_STRING, .flags = SPEC_NULLABLE, .max_len = MODEL_SHORT_MAX},
    {.name = "notes", .type = SPEC_STRING, .flags = SPEC_NULLABLE | SPEC_MULTILINE,
     .max_len = CASE_CALLER_NOTES_MAX},
};

static const spec_field_t subject_spec[] = {CASE_SUBJECT_FIELDS};

static const spec_field_t case_create_spec[] = {
    CASE_FIELDS(SPEC_REQUIRED),
    {.name = "channel", .type = SPEC_STRING, .values = case_channels},
    {.name = "mission", .type = SPEC_STRING, .check = cases_check_id},
    {.name = "persons", .type = SPEC_STRING_ARRAY, .max_len = CASE_PERSONS_MAX,
     .check = cases_check_id},
    {.name = "caller", .type = SPEC_OBJECT, .sub = caller_spec, .nsub = SPEC_COUNT(caller_spec)},
};

/* ---- output ---- */

json_t *cases_id_json(const app_t *app, enum pubid_kind kind, int64_t id) {
  if (id <= 0) return json_null();
  char text[PUBID_LEN + 1];
  pubid_encode(&app->keys, kind, id, text);
  return json_string(text);
}

json_t *cases_str_json(const char *s) { return s ? json_string(s) : json_null(); }

void cases_subject_from_json(const json_t *subject, case_subject_t *out) {
  memset(out, 0, sizeof *out);
  if (!json_is_object(subject)) return;
  out->full_name = api_str(subject, "full_name");
  out->sex = api_str(subject, "sex");
  out->date_of_birth = api_str(subject, "date_of_birth");
  out->home_province = api_str(subject, "home_province");
  out->id_number = api_str(subject, "id_number");
}

json_t *cases_subject_json(const case_subject_t *s) {
  if (case_subject_empty(s)) return json_null();
  return json_pack("{s:o, s:o, s:o, s:o, s:o}", "full_name", cases_str_json(s->full_name), "sex",
                   cases_str_json(s->sex), "date_of_birth", cases_str_json(s->date_of_birth),
                   "home_province", cases_str_json(s->home_province), "id_number",
                   cases_str_json(s->id_number));
}

/* The statuses the workflow allows next, as a JSON array. */
json_t *cases_next_json(int status) {
  int next[CASE_STATUS_COUNT];
  size_t n = case_next_statuses(status, next);
  json_t *a = json_array();
  for (size_t i = 0; i < n; i++) json_array_append_new(a, json_string(case_statuses[next[i]]));
  return a;
}

json_t *cases_render(const app_t *app, const case_t *k, int64_t now) {
  json_t *o = json_object();
  json_object_set_new(o, "id", cases_id_json(app, PUBID_CASE, k->id));
  json_object_set_new(o, "type", json_string(case_types[k->type]));
  json_object_set_new(o, "status", json_string(case_statuses[k->status]));
  json_object_set_new(o, "next_statuses", cases_next_json(k->status));
  json_object_set_new(o, "priority", json_string(case_priorities[k->priority]));
  json_object_set_new(o, "priority_computed", json_string(case_priorities[k->priority_computed]));
  json_object_set_new(o, "priority_overridden", json_boolean(k->priority_override >= 0));
  json_object_set_new(o, "channel", cases_str_json(k->channel));
  json_object_set_new(o, "crisis", cases_id_json(app, PUBID_CRISIS, k->crisis_id));
  json_object_set_new(o, "mission", cases_id_json(app, PUBID_MISSION, k->mission_id));
  json_object_set_new(o, "assigned_to", cases_id_json(app, PUBID_USER, k->assigned_to));
  json_object_set_new(o, "due_at", api_time(k->due_at));
  json_object_set_new(o, "due_overridden", json_boolean(k->due_overridden));
  json_object_set_new(o, "overdue", json_boolean(case_status_open(k->status) && k->due_at < now));
  json_object_set_new(o, "summary", cases_str_json(k->summary));
  json_object_set_new(o, "description", cases_str_json(k->description));
  if (k->caller_name != NULL) {
    json_object_set_new(
        o, "caller",
        json_pack("{s:s, s:o, s:o, s:o, s:o}", "name", k->caller_name, "phone",
                  cases_str_json(k->caller_phone), "relation", cases_str_json(k->caller_relation), "notes",
                  cases_str_json(k->caller_notes), "person",
                  cases_id_json(app, PUBID_PERSON, k->caller_person_id)));
  } else {
    json_object_set_new(o, "caller", json_null());
  }
  json_object_set_new(o, "created_by", cases_id_json(app, PUBID_USER, k->created_by));
  json_object_set_new(o, "opened_at", api_time(k->opened_at));
  json_object_set_new(o, "resolved_at", api_time(k->resolved_at));
  json_object_set_new(o, "closed_at", api_time(k->closed_at));
  json_object_set_new(o, "updated_at", api_time(k->updated_at));
  return o;
}

/* Keys of event details that hold internal ids, and the kind each is shown as. */
static const struct {
  const char *key;
  enum pubid_kind kind;
} detail_ids[] = {
    {"person", PUBID_PERSON},          {"alert", PUBID_ALERT},
    {"mission", PUBID_MISSION},        {"previous_mission", PUBID_MISSION},
    {"user", PUBID_USER},              {"previous_user", PUBID_USER},
    {"crisis", PUBID_CRISIS},          {"previous_crisis", PUBID_CRISIS},
};

json_t *cases_render_event(const app_t *app, const case_event_t *e) {
  json_t *detail = e->detail ? json_loads(e->detail, 0, NULL) : NULL;
  if (json_is_object(detail)) {
    for (size_t i = 0; i < sizeof(detail_ids) / sizeof(detail_ids[0]); i++) {
      json_t *v = json_object_get(detail, detail_ids[i].key);
      if (json_is_integer(v)) {
        json_object_set_new(detail, detail_ids[i].key,
                            cases_id_json(app, detail_ids[i].kind, (int64_t)json_integer_value(v)));
      }
    }
  } else {
    json_decref(detail);
    detail = json_object();
  }
  return json_pack("{s:o, s:o, s:s, s:o, s:o, s:o}", "id", cases_id_json(app, PUBID_CASE_EVENT, e->id),
                   "at", api_time(e->at), "kind", e->kind, "author",
                   cases_id_json(app, PUBID_USER, e->author_id), "detail", detail, "note",
                   cases_str_json(e->note));
}

/*
 * The full view of a case: the case, its persons and the first page of its timeline. Replies
 * itself (status on success) and returns BH_OK, or the store error without replying.
 */
int cases_reply_full(app_t *app, http_req_t *r, api_ctx_t *ctx, int status,
                           const case_t *k) {
  case_person_t *ps = NULL;
  size_t np = 0;
  int rc = store_case_persons(ctx->db, k->id, r->arena, &ps, &np);
  if (rc != BH_OK) return rc;
  case_event_t *ev = NULL;
  size_t ne = 0;
  store_page_t page = {.after = 0, .limit = CASE_TIMELINE_PAGE};
  rc = store_case_events(ctx->db, k->id, &page, r->arena, &ev, &ne);
  if (rc != BH_OK) {
    for (size_t i = 0; i < np; i++) json_decref(ps[i].flags);
    return rc;
  }
  case_subject_t subject;
  rc = store_case_subject_get(ctx->db, &app->keys, k->id, r->arena, &subject);
  if (rc != BH_OK) {
    for (size_t i = 0; i < np; i++) json_decref(ps[i].flags);
    return rc;
  }
  json_t *out = cases_render(app, k, clock_now());
  json_object_set_new(out, "subject", cases_subject_json(&subject));
  json_t *persons = json_array();
  for (size_t i = 0; i < np; i++) {
    json_array_append_new(persons,
                          json_pack("{s:o, s:s, s:o, s:o, s:o}", "id",
                                    cases_id_json(app, PUBID_PERSON, ps[i].person_id), "full_name",
                                    ps[i].full_name ? ps[i].full_name : "", "status",
                                    cases_str_json(ps[i].status), "flags", ps[i].flags, "linked_at",
                                    api_time(ps[i].added_at)));
  }
  json_object_set_new(out, "persons", persons);
  json_t *tl = json_array();
  for (size_t i = 0; i < ne; i++) json_array_append_new(tl, cases_render_event(app, &ev[i]));
  json_t *page_json = api_page_json(app, tl, PUBID_CASE_EVENT, ne ? ev[ne - 1].id : 0,
                                    ne == (size_t)page.limit);
  json_object_set(out, "timeline", json_object_get(page_json, "items"));
  json_object_set(out, "timeline_next", json_object_get(page_json, "next"));
  json_decref(page_json);
  http_reply_json(r, status, out);
  return BH_OK;
}

/* ---- shared rules ---- */

/* Appends a timeline event with detail d (released here; may be NULL) and note. */
int cases_event_add(api_ctx_t *ctx, int64_t case_id, int64_t at, const char *kind, json_t *d,
                     const char *note) {
  char *detail = d ? json_dumps(d, JSON_COMPACT) : NULL;
  json_decref(d);
  case_event_t e = {.case_id = case_id, .at = at, .kind = kind,
                    .author_id = ctx->user.id, .detail = detail, .note = note};
  int rc = store_case_event_add(ctx->db, &e);
  free(detail);
  return rc;
}

/*
 * Recomputes the case's priority from its type and linked persons; the override, when there is
 * one, stays the effective priority, and a due time not set by hand follows the priority. Adds a
 * "priority" event when the effective or computed priority changed, or when force is set.
 */
int cases_priority_refresh(api_ctx_t *ctx, arena_t *a, case_t *k, int64_t now, int force) {
  case_person_t *ps = NULL;
  size_t np = 0;
  int rc = store_case_persons(ctx->db, k->id, a, &ps, &np);
  if (rc != BH_OK) return rc;
  case_person_facts_t facts[CASE_PERSONS_MAX];
  for (size_t i = 0; i < np; i++) {
    case_person_facts(ps[i].flags, ps[i].status, &facts[i]);
    json_decref(ps[i].flags);
  }
  int before = k->priority, before_computed = k->priority_computed;
  k->priority_computed = case_priority_compute(k->type, facts, np);
  k->priority = k->priority_override >= 0 ? k->priority_override : k->priority_computed;
  if (!k->due_overridden) k->due_at = case_due_default(k->priority, k->opened_at);
  if (!force && before == k->priority && before_computed == k->priority_computed) return BH_OK;
  return cases_event_add(ctx, k->id, now, "priority",
                   json_pack("{s:s, s:s, s:s, s:b, s:o}", "from", case_priorities[before], "to",
                             case_priorities[k->priority], "computed",
                             case_priorities[k->priority_computed], "overridden",
                             k->priority_override >= 0, "due_at", api_time(k->due_at)),
                   NULL);
}

/* Decodes and checks a mission id; replies 422 naming field and returns -1 when it is none. */
int cases_mission_or_reply(app_t *app, http_req_t *r, api_ctx_t *ctx, const char *text,
                            const char *field, int64_t *id) {
  mission_t m;
  if (pubid_decode(&app->keys, PUBID_MISSION, text, id) != BH_OK ||
      store_mission_get(ctx->db, *id, r->arena, &m) != BH_OK) {
    http_reply_error(r, BH_ERR_INVALID, field, "%s must be a mission's id", field);
    return -1;
  }
  mission_clear(&m);
  return 0;
}

/* Decodes a crisis id the caller may see; replies 422 and returns -1 otherwise. */
int cases_crisis_or_reply(app_t *app, http_req_t *r, api_ctx_t *ctx, const char *text,
                           int64_t *id) {
  store_scope_t scope = ctx->user.role == ROLE_OFFICER ? ctx->scope : STORE_SCOPE_ALL;
  crisis_t k;
  if (pubid_decode(&app->keys, PUBID_CRISIS, text, id) != BH_OK ||
      store_crisis_get(ctx->db, &scope, *id, r->arena, &k) != BH_OK) {
    http_reply_error(r, BH_ERR_INVALID, "crisis", "crisis must be the id of a crisis you can see");
    return -1;
  }
  crisis_clear(&k);
  return 0;
}

/*
 * Checks that text names a user who may own a case of mission_id: an enabled officer (or admin)
 * of that mission, or anyone of hq. Replies 422 naming assigned_to and returns -1 otherwise.
 */
int cases_assignee_or_reply(app_t *app, http_req_t *r, api_ctx_t *ctx, const char *text,
                             int64_t mission_id, int64_t *id) {
  user_t u;
  int ok = pubid_decode(&app->keys, PUBID_USER, text, id) == BH_OK &&
           store_user_get(ctx->db, *id, r->arena, &u) == BH_OK && !u.disabled &&
           (u.role == ROLE_HQ ||
            (u.role != ROLE_VIEWER && mission_id != 0 && u.mission_id == mission_id));
  if (!ok) {
    http_reply_error(r, BH_ERR_INVALID, "assigned_to",
                     "assigned_to must be an officer of the case's mission, or of hq");
    return -1;
  }
  return 0;
}

/* Replies with the error of a store result inside a write transaction, after rolling back. */
void cases_fail_tx(http_req_t *r, api_ctx_t *ctx, int rc, const char *what) {
  store_rollback(ctx->db);
  api_reply_store_error(r, rc, what);
}

/* ---- handlers ---- */

void h_cases_create(app_t *app, http_req_t *r, api_ctx_t *ctx) {
  if (api_body_or_reply(r, ctx, case_create_spec, SPEC_COUNT(case_create_spec)) != 0) return;
  const json_t *body = ctx->body;
  const json_t *persons = json_object_get(body, "persons");
  const json_t *caller = json_object_get(body, "caller");
  case_subject_t subject;
  cases_subject_from_json(json_object_get(body, "subject"), &subject);
  if (json_array_size(persons) == 0 && caller == NULL && case_subject_empty(&subject)) {
    http_reply_error(r, BH_ERR_INVALID, "persons",
                     "persons, caller or subject is required: who is the case about?");
    return;
  }
  int64_t now = clock_now();
  case_t k = {.type = model_enum_index(case_types, api_str(body, "type")),
              .status = CASE_NEW,
              .priority_override = -1,
              .channel = api_str(body, "channel") ? api_str(body, "channel") : "hotline",
              .mission_id = ctx->user.mission_id,
              .summary = api_str(body, "summary"),
              .description = api_str(body, "description"),
              .created_by = ctx->user.id,
              .opened_at = now,
              .updated_at = now};
  if (caller != NULL) {
    k.caller_name = api_str(caller, "name");
    k.caller_phone = api_str(caller, "phone");
    k.caller_relation = api_str(caller, "relation");
    k.caller_notes = api_str(caller, "notes");
  }
  const char *mission = api_str(body, "mission");
  if (mission != NULL) {
    if (cases_mission_or_reply(app, r, ctx, mission, "mission", &k.mission_id) != 0) return;
    if (!ctx->scope.all && k.mission_id != ctx->scope.mission_id) {
      http_reply_error(r, BH_ERR_FORBIDDEN, "mission",
                       "an officer opens cases of their own mission (transfer it afterwards)");
      return;
    }
  }
  if (k.mission_id == 0) {
    http_reply_error(r, BH_ERR_INVALID, "mission", "mission is required: you have none");
    return;
  }
  if (api_str(body, "crisis") && cases_crisis_or_reply(app, r, ctx, api_str(body, "crisis"), &k.crisis_id) != 0) {
    return;
  }
  if (api_str(body, "assigned_to") &&
      cases_assignee_or_reply(app, r, ctx, api_str(body, "assigned_to"), k.mission_id, &k.assigned_to) != 0) {
    return;
  }
  if (api_str(body, "priority")) {
    k.priority_override = model_enum_index(case_priorities, api_str(body, "priority"));
  }
  if (api_str(body, "due_at")) {
    pdate_parse_timestamp(api_str(body, "due_at"), &k.due_at);
    k.due_overridden = 1;
  }
  /* Each person must be visible to the caller; one that is not is reported like one absent. */
  size_t np = json_array_size(persons);
  int64_t pids[CASE_PERSONS_MAX];
  case_person_facts_t facts[CASE_PERSONS_MAX];
  for (size_t i = 0; i < np; i++) {
    const char *field = arena_printf(r->arena, "persons[%zu]", i);
    if (pubid_decode(&app->keys, PUBID_PERSON, json_string_value(json_array_get(persons, i)),
                     &pids[i]) != BH_OK ||
        store_case_person_facts(ctx->db, &ctx->scope, pids[i], &facts[i]) != BH_OK) {
      http_reply_error(r, BH_ERR_INVALID, field, "%s is not a person you can see", field);
      return;
    }
    for (size_t j = 0; j < i; j++) {
      if (pids[j] == pids[i]) {
        http_reply_error(r, BH_ERR_INVALID, field, "%s is listed twice", field);
        return;
      }
    }
  }
  k.priority_computed = case_priority_compute(k.type, facts, np);
  k.priority = k.priority_override >= 0 ? k.priority_override : k.priority_computed;
  if (!k.due_overridden) k.due_at = case_due_default(k.priority, now);
  int rc = store_begin_write(ctx->db);
  if (rc == BH_OK) rc = store_case_create(ctx->db, &k);
  for (size_t i = 0; i < np && rc == BH_OK; i++) {
    rc = store_case_person_add(ctx->db, k.id, pids[i], ctx->user.id, now);
  }
  if (rc == BH_OK && !case_subject_empty(&subject)) {
    rc = store_case_subject_set(ctx->db, &app->keys, k.id, &subject);
  }
  if (rc == BH_OK) {
    rc = cases_event_add(ctx, k.id, now, "created",
                   json_pack("{s:s, s:s, s:s, s:s, s:b, s:I}", "type", case_types[k.type],
                             "channel", k.channel, "status", case_statuses[k.status], "priority",
                             case_priorities[k.priority], "overridden", k.priority_override >= 0,
                             "mission", (json_int_t)k.mission_id),
                   NULL);
  }
  if (rc == BH_OK && k.assigned_to != 0) {
    rc = cases_event_add(ctx, k.id, now, "assigned", json_pack("{s:I}", "user", (json_int_t)k.assigned_to),
                   NULL);
  }
  for (size_t i = 0; i < np && rc == BH_OK; i++) {
    rc = cases_event_add(ctx, k.id, now, "person_linked", json_pack("{s:I}", "person", (json_int_t)pids[i]),
                   NULL);
  }
  if (rc == BH_OK) {
    rc = api_audit(app, r, ctx, "case.create", "case", k.id,
                   json_pack("{s:s, s:i, s:b}", "type", case_types[k.type], "persons", (int)np,
                             "subject", !case_subject_empty(&subject)));
  }
  if (rc == BH_OK) rc = store_commit(ctx->db);
  if (rc != BH_OK) {
    cases_fail_tx(r, ctx, rc, "case");
    return;
  }
  rc = cases_reply_full(app, r, ctx, 201, &k);
  if (rc != BH_OK) api_reply_store_error(r, rc, "case");
}

void h_cases_get(app_t *app, http_req_t *r, api_ctx_t *ctx) {
  int64_t id;
  if (api_id_or_reply(app, r, 0, PUBID_CASE, &id) != 0) return;
  case_t k;
  int rc = store_case_get(ctx->db, &ctx->scope, id, r->arena, &k);
  if (rc != BH_OK) {
    api_reply_store_error(r, rc, "case");
    return;
  }
  if (api_audit_read(app, r, ctx, "case.read", "case", id, NULL) != BH_OK) {
    /* No read of personal data goes unrecorded. */
    http_reply_error(r, BH_ERR_UNAVAILABLE, NULL, "the audit log is unavailable; try again");
    return;
  }
  rc = cases_reply_full(app, r, ctx, 200, &k);
  if (rc != BH_OK) api_reply_store_error(r, rc, "case");
}

void h_cases_timeline(app_t *app, http_req_t *r, api_ctx_t *ctx) {
  int64_t id;
  if (api_id_or_reply(app, r, 0, PUBID_CASE, &id) != 0) return;
  store_page_t page;
  if (api_page_or_reply(app, r, PUBID_CASE_EVENT, &page) != 0) return;
  case_t k;
  int rc = store_case_get(ctx->db, &ctx->scope, id, r->arena, &k);
  case_event_t *ev = NULL;
  size_t n = 0;
  if (rc == BH_OK) rc = store_case_events(ctx->db, id, &page, r->arena, &ev, &n);
  if (rc != BH_OK) {
    api_reply_store_error(r, rc, "case");
    return;
  }
  if (api_audit_read(app, r, ctx, "case.read_timeline", "case", id, NULL) != BH_OK) {
    http_reply_error(r, BH_ERR_UNAVAILABLE, NULL, "the audit log is unavailable; try again");
    return;
  }
  json_t *items = json_array();
  for (size_t i = 0; i < n; i++) json_array_append_new(items, cases_render_event(app, &ev[i]));
  http_reply_json(r, 200, api_page_json(app, items, PUBID_CASE_EVENT, n ? ev[n - 1].id : 0,
                                        n == (size_t)page.limit));
}

/* Reads ?queue=, ?status=, ?type=, ?crisis=, ?mission= into f; replies 422 and returns -1. */
static int queue_filter_or_reply(app_t *app, http_req_t *r, api_ctx_t *ctx, case_filter_t *f) {
  memset(f, 0, sizeof(*f));
  f->due_before = INT64_MAX;
  f->rank_from = CASE_RANK_OPEN_FIRST;
  f->rank_to = CASE_RANK_OPEN_LAST;
  const char *q = http_query(r, "queue");
  int queue = q ? model_enum_index(case_queues, q) : CASE_QUEUE_ALL;
  if (queue < 0) {
    http_reply_error(r, BH_ERR_INVALID, "queue", "queue must be mine, mission, overdue or all");
    return -1;
  }
  const char *status = http_query(r, "status");
  if (status != NULL && strcmp(status, "open") != 0) {
    if (strcmp(status, "all") == 0) {
      f->rank_to = CASE_RANK_LAST;
    } else {
      int s = model_enum_index(case_statuses, status);
      if (s < 0) {
        http_reply_error(r, BH_ERR_INVALID, "status",
                         "status must be a case status, open (the default) or all");
        return -1;
      }
      f->status = case_statuses[s];
      f->rank_from = case_queue_rank(s, CASE_CRITICAL);
      f->rank_to = case_queue_rank(s, CASE_LOW);
    }
  }
  const char *type = http_query(r, "type");
  if (type != NULL) {
    int t = model_enum_index(case_types, type);
    if (t < 0) {
      http_reply_error(r, BH_ERR_INVALID, "type", "type is not a case type");
      return -1;
    }
    f->type = case_types[t];
  }
  if (api_query_id_or_reply(app, r, "crisis", PUBID_CRISIS, &f->crisis_id) != 0 ||
      api_query_id_or_reply(app, r, "mission", PUBID_MISSION, &f->mission_id) != 0) {
    return -1;
  }
  switch (queue) {
    case CASE_QUEUE_MINE:
      f->assigned_to = ctx->user.id;
      break;
    case CASE_QUEUE_MISSION:
      if (ctx->user.mission_id == 0) {
        http_reply_error(r, BH_ERR_INVALID, "queue", "you belong to no mission");
        return -1;
      }
      f->mission_id = ctx->user.mission_id;
      break;
    case CASE_QUEUE_OVERDUE:
      f->due_before = clock_now();
      if (f->rank_to > CASE_RANK_OPEN_LAST) f->rank_to = CASE_RANK_OPEN_LAST;
      break;
    default:
      break;
  }
  return 0;
}

void h_cases_list(app_t *app, http_req_t *r, api_ctx_t *ctx) {
  store_page_t page;
  if (api_page_or_reply(app, r, PUBID_CASE, &page) != 0) return;
  case_filter_t f;
  if (queue_filter_or_reply(app, r, ctx, &f) != 0) return;
  case_t *items = NULL;
  size_t n = 0;
  int rc = BH_OK;
  if (f.rank_from <= f.rank_to) {
    rc = store_case_list(ctx->db, &ctx->scope, &f, &page, r->arena, &items, &n);
  }
  if (rc == BH_ERR_INVALID) {
    http_reply_error(r, BH_ERR_INVALID, "after", "after must be a cursor from a previous page");
    return;
  }
  if (rc != BH_OK) {
    api_reply_store_error(r, rc, "case");
    return;
  }
  int64_t now = clock_now();
  json_t *list = json_array();
  json_t *ids = json_array();
  for (size_t i = 0; i < n; i++) {
    json_t *cj = cases_render(app, &items[i], now);
    json_array_append(ids, json_object_get(cj, "id"));
    json_array_append_new(list, cj);
  }
  json_t *detail = json_pack("{s:s, s:i, s:o}", "queue",
                             http_query(r, "queue") ? http_query(r, "queue") : "all", "results",
                             (int)n, "cases", ids);
  if (api_audit_read(app, r, ctx, "case.list", "case", 0, detail) != BH_OK) {
    json_decref(list);
    http_reply_error(r, BH_ERR_UNAVAILABLE, NULL, "the audit log is unavailable; try again");
    return;
  }
  http_reply_json(r, 200, api_page_json(app, list, PUBID_CASE, n ? items[n - 1].id : 0,
                                        n == (size_t)page.limit));
}
