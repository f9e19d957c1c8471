/*
 * api_case_actions.c - what changes an assistance case after its intake (api_cases.c): the
 * workflow (PATCH, with the legal transitions of case.c), notes, linking registered persons,
 * transfer to another mission, and the person made from an unregistered caller's details. Every
 * change is written with its timeline events and its audit record in one transaction; the scope
 * of the caller decides which cases can be changed (another mission's case is 404).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api/api_cases_int.h"
#include "domain/pdate.h"
#include "util/clock.h"
#include "util/err.h"

static const spec_field_t subject_spec[] = {CASE_SUBJECT_FIELDS};

static const spec_field_t case_update_spec[] = {
    CASE_FIELDS(0),
    {.name = "status", .type = SPEC_STRING, .values = case_statuses},
    {.name = "note", .type = SPEC_STRING, .flags = SPEC_MULTILINE, .min_len = 1,
     .max_len = CASE_NOTE_MAX},
};

static const spec_field_t note_spec[] = {
    {.name = "text", .type = SPEC_STRING, .flags = SPEC_REQUIRED | SPEC_MULTILINE, .min_len = 1,
     .max_len = CASE_NOTE_MAX},
};

static const spec_field_t link_spec[] = {
    {.name = "person", .type = SPEC_STRING, .flags = SPEC_REQUIRED, .check = cases_check_id},
};

static const spec_field_t transfer_spec[] = {
    {.name = "mission_id", .type = SPEC_STRING, .flags = SPEC_REQUIRED, .check = cases_check_id},
    {.name = "reason", .type = SPEC_STRING, .flags = SPEC_REQUIRED | SPEC_MULTILINE,
     .min_len = 1, .max_len = CASE_REASON_MAX},
};

/*
 * The person made from a caller: the caller's name and phone unless given, and more. The body
 * may also carry "presence", checked against api_presence_create_spec on its own.
 */
static const spec_field_t promote_spec[] = {
    {.name = "full_name", .type = SPEC_STRING, .min_len = 1, .max_len = MODEL_NAME_MAX,
     .check = spec_check_name},
    {.name = "sex", .type = SPEC_STRING, .values = model_sexes},
    {.name = "date_of_birth", .type = SPEC_STRING, .flags = SPEC_NULLABLE,
     .check = spec_check_birth_date},
    {.name = "phones", .type = SPEC_STRING_ARRAY, .max_len = MODEL_LIST_MAX,
     .check = spec_check_phone},
    {.name = "emails", .type = SPEC_STRING_ARRAY, .max_len = MODEL_LIST_MAX,
     .check = spec_check_email},
    {.name = "home_province", .type = SPEC_STRING, .flags = SPEC_NULLABLE,
     .max_len = MODEL_SHORT_MAX},
    {.name = "flags", .type = SPEC_STRING_ARRAY, .max_len = 5, .values = model_flags},
};

/* Replies 409 naming status and the statuses allowed from k's. */
static void reply_transition(http_req_t *r, const case_t *k, int to) {
  json_t *allowed = cases_next_json(k->status);
  char *list = json_dumps(allowed, JSON_COMPACT);
  json_t *err = json_pack("{s:s, s:s, s:s, s:o}", "code", bh_err_code(BH_ERR_CONFLICT),
                          "message",
                          arena_printf(r->arena, "a case cannot go from %s to %s; allowed: %s",
                                       case_statuses[k->status], case_statuses[to],
                                       list ? list : "[]"),
                          "field", "status", "allowed", allowed);
  free(list);
  http_reply_json(r, 409, json_pack("{s:o}", "error", err));
}

void h_cases_update(app_t *app, http_req_t *r, api_ctx_t *ctx) {
  int64_t id;
  if (api_id_or_reply(app, r, 0, PUBID_CASE, &id) != 0) return;
  if (api_body_or_reply(r, ctx, case_update_spec, SPEC_COUNT(case_update_spec)) != 0) return;
  const json_t *body = ctx->body;
  int64_t now = clock_now();
  case_t k;
  int rc = store_begin_write(ctx->db);
  if (rc == BH_OK) rc = store_case_get(ctx->db, &ctx->scope, id, r->arena, &k);
  if (rc != BH_OK) {
    cases_fail_tx(r, ctx, rc, "case");
    return;
  }
  const case_t before = k;
  const char *note = api_str(body, "note");
  json_t *v;
  json_t *fields = json_array();
  /* Validation first (a reply ends the request: roll back), then the events. */
  if ((v = json_object_get(body, "status")) != NULL) {
    int to = model_enum_index(case_statuses, json_string_value(v));
    if (to != k.status && !case_transition_allowed(k.status, to)) {
      store_rollback(ctx->db);
      json_decref(fields);
      reply_transition(r, &k, to);
      return;
    }
    k.status = to;
  }
  if ((v = json_object_get(body, "crisis")) != NULL) {
    k.crisis_id = 0;
    if (json_is_string(v) && cases_crisis_or_reply(app, r, ctx, json_string_value(v), &k.crisis_id) != 0) {
      store_rollback(ctx->db);
      json_decref(fields);
      return;
    }
  }
  if ((v = json_object_get(body, "assigned_to")) != NULL) {
    k.assigned_to = 0;
    if (json_is_string(v) &&
        cases_assignee_or_reply(app, r, ctx, json_string_value(v), k.mission_id, &k.assigned_to) != 0) {
      store_rollback(ctx->db);
      json_decref(fields);
      return;
    }
  }
  if ((v = json_object_get(body, "type")) != NULL) {
    k.type = model_enum_index(case_types, json_string_value(v));
  }
  if ((v = json_object_get(body, "summary")) != NULL) k.summary = json_string_value(v);
  if ((v = json_object_get(body, "description")) != NULL) k.description = json_string_value(v);
  if ((v = json_object_get(body, "priority")) != NULL) {
    k.priority_override = json_is_string(v) ? model_enum_index(case_priorities, json_string_value(v))
                                            : -1;
  }
  if ((v = json_object_get(body, "due_at")) != NULL) {
    k.due_overridden = json_is_string(v);
    if (k.due_overridden) pdate_parse_timestamp(json_string_value(v), &k.due_at);
  }
  k.updated_at = now;
  /* The workflow's times: resolved_at when resolved, closed_at when closed, both cleared when
   * reopened. */
  if (k.status != before.status) {
    if (k.status == CASE_RESOLVED) k.resolved_at = now;
    if (k.status == CASE_CLOSED) k.closed_at = now;
    if (k.status == CASE_IN_PROGRESS) k.resolved_at = k.closed_at = 0;
    rc = cases_event_add(ctx, id, now, "status",
                   json_pack("{s:s, s:s}", "from", case_statuses[before.status], "to",
                             case_statuses[k.status]),
                   note);
    note = NULL;
  }
  if (rc == BH_OK && k.assigned_to != before.assigned_to) {
    rc = cases_event_add(ctx, id, now, "assigned",
                   json_pack("{s:o, s:o}", "user",
                             k.assigned_to ? json_integer((json_int_t)k.assigned_to) : json_null(),
                             "previous_user",
                             before.assigned_to ? json_integer((json_int_t)before.assigned_to)
                                                : json_null()),
                   NULL);
  }
  if (k.type != before.type) json_array_append_new(fields, json_string("type"));
  if (json_object_get(body, "summary") && strcmp(k.summary, before.summary) != 0) {
    json_array_append_new(fields, json_string("summary"));
  }
  if (json_object_get(body, "description")) json_array_append_new(fields, json_string("description"));
  if (k.crisis_id != before.crisis_id) json_array_append_new(fields, json_string("crisis"));
  /* The subject is replaced as a whole; its values stay out of the timeline's detail. */
  if (rc == BH_OK && (v = json_object_get(body, "subject")) != NULL) {
    case_subject_t subject;
    cases_subject_from_json(v, &subject);
    rc = store_case_subject_set(ctx->db, &app->keys, id, &subject);
    json_array_append_new(fields, json_string("subject"));
  }
  if (rc == BH_OK && json_array_size(fields) > 0) {
    json_t *d = json_pack("{s:O}", "fields", fields);
    if (k.crisis_id != before.crisis_id) {
      json_object_set_new(d, "crisis", k.crisis_id ? json_integer((json_int_t)k.crisis_id) : json_null());
      json_object_set_new(d, "previous_crisis",
                          before.crisis_id ? json_integer((json_int_t)before.crisis_id) : json_null());
    }
    if (k.type != before.type) {
      json_object_set_new(d, "type", json_string(case_types[k.type]));
      json_object_set_new(d, "previous_type", json_string(case_types[before.type]));
    }
    rc = cases_event_add(ctx, id, now, "updated", d, NULL);
  }
  json_decref(fields);
  if (rc == BH_OK) {
    rc = cases_priority_refresh(ctx, r->arena, &k, now,
                          k.priority_override != before.priority_override);
  }
  if (rc == BH_OK && k.due_at != before.due_at) {
    rc = cases_event_add(ctx, id, now, "due",
                   json_pack("{s:o, s:o, s:b}", "from", api_time(before.due_at), "to",
                             api_time(k.due_at), "overridden", k.due_overridden),
                   NULL);
  }
  if (rc == BH_OK && note != NULL) rc = cases_event_add(ctx, id, now, "note", NULL, note);
  if (rc == BH_OK) rc = store_case_update(ctx->db, &ctx->scope, &k);
  if (rc == BH_OK) {
    json_t *keys = json_array();
    const char *key;
    json_t *val;
    json_object_foreach(ctx->body, key, val) json_array_append_new(keys, json_string(key));
    rc = api_audit(app, r, ctx, "case.update", "case", id, json_pack("{s:o}", "fields", keys));
  }
  if (rc == BH_OK) rc = store_commit(ctx->db);
  if (rc != BH_OK) {
    cases_fail_tx(r, ctx, rc, "case");
    return;
  }
  rc = cases_reply_full(app, r, ctx, 200, &k);
  if (rc != BH_OK) api_reply_store_error(r, rc, "case");
}

void h_cases_note(app_t *app, http_req_t *r, api_ctx_t *ctx) {
  int64_t id;
  if (api_id_or_reply(app, r, 0, PUBID_CASE, &id) != 0) return;
  if (api_body_or_reply(r, ctx, note_spec, SPEC_COUNT(note_spec)) != 0) return;
  int64_t now = clock_now();
  case_t k;
  int rc = store_begin_write(ctx->db);
  if (rc == BH_OK) rc = store_case_get(ctx->db, &ctx->scope, id, r->arena, &k);
  case_event_t e = {.case_id = id, .at = now, .kind = "note", .author_id = ctx->user.id,
                    .note = api_str(ctx->body, "text")};
  if (rc == BH_OK) rc = store_case_event_add(ctx->db, &e);
  if (rc == BH_OK) {
    k.updated_at = now;
    rc = store_case_update(ctx->db, &ctx->scope, &k);
  }
  if (rc == BH_OK) rc = api_audit(app, r, ctx, "case.note", "case", id, NULL);
  if (rc == BH_OK) rc = store_commit(ctx->db);
  if (rc != BH_OK) {
    cases_fail_tx(r, ctx, rc, "case");
    return;
  }
  http_reply_json(r, 201, cases_render_event(app, &e));
}

void h_cases_person_link(app_t *app, http_req_t *r, api_ctx_t *ctx) {
  int64_t id, pid;
  if (api_id_or_reply(app, r, 0, PUBID_CASE, &id) != 0) return;
  if (api_body_or_reply(r, ctx, link_spec, SPEC_COUNT(link_spec)) != 0) return;
  int64_t now = clock_now();
  case_t k;
  int rc = store_begin_write(ctx->db);
  if (rc == BH_OK) rc = store_case_get(ctx->db, &ctx->scope, id, r->arena, &k);
  if (rc != BH_OK) {
    cases_fail_tx(r, ctx, rc, "case");
    return;
  }
  case_person_facts_t facts;
  if (pubid_decode(&app->keys, PUBID_PERSON, api_str(ctx->body, "person"), &pid) != BH_OK ||
      store_case_person_facts(ctx->db, &ctx->scope, pid, &facts) != BH_OK) {
    store_rollback(ctx->db);
    http_reply_error(r, BH_ERR_INVALID, "person", "person is not a person you can see");
    return;
  }
  case_person_t *ps = NULL;
  size_t np = 0;
  rc = store_case_persons(ctx->db, id, r->arena, &ps, &np);
  for (size_t i = 0; i < np; i++) json_decref(ps[i].flags);
  if (rc == BH_OK && np >= CASE_PERSONS_MAX) {
    store_rollback(ctx->db);
    http_reply_error(r, BH_ERR_INVALID, "person", "a case links at most %d persons",
                     CASE_PERSONS_MAX);
    return;
  }
  if (rc == BH_OK) rc = store_case_person_add(ctx->db, id, pid, ctx->user.id, now);
  if (rc == BH_ERR_CONFLICT) {
    store_rollback(ctx->db);
    http_reply_error(r, BH_ERR_CONFLICT, "person", "this person is linked to the case already");
    return;
  }
  if (rc == BH_OK) {
    rc = cases_event_add(ctx, id, now, "person_linked", json_pack("{s:I}", "person", (json_int_t)pid),
                   NULL);
  }
  if (rc == BH_OK) rc = cases_priority_refresh(ctx, r->arena, &k, now, 0);
  k.updated_at = now;
  if (rc == BH_OK) rc = store_case_update(ctx->db, &ctx->scope, &k);
  if (rc == BH_OK) {
    rc = api_audit(app, r, ctx, "case.person_link", "case", id,
                   json_pack("{s:I}", "person", (json_int_t)pid));
  }
  if (rc == BH_OK) rc = store_commit(ctx->db);
  if (rc != BH_OK) {
    cases_fail_tx(r, ctx, rc, "case");
    return;
  }
  rc = cases_reply_full(app, r, ctx, 201, &k);
  if (rc != BH_OK) api_reply_store_error(r, rc, "case");
}

void h_cases_transfer(app_t *app, http_req_t *r, api_ctx_t *ctx) {
  int64_t id, to;
  if (api_id_or_reply(app, r, 0, PUBID_CASE, &id) != 0) return;
  if (api_body_or_reply(r, ctx, transfer_spec, SPEC_COUNT(transfer_spec)) != 0) return;
  if (cases_mission_or_reply(app, r, ctx, api_str(ctx->body, "mission_id"), "mission_id", &to) != 0) {
    return;
  }
  int64_t now = clock_now();
  case_t k;
  /* The scope decides the right: hq and admin see every case, an officer only their mission's. */
  int rc = store_begin_write(ctx->db);
  if (rc == BH_OK) rc = store_case_get(ctx->db, &ctx->scope, id, r->arena, &k);
  if (rc != BH_OK) {
    cases_fail_tx(r, ctx, rc, "case");
    return;
  }
  if (k.mission_id == to) {
    store_rollback(ctx->db);
    http_reply_error(r, BH_ERR_CONFLICT, "mission_id", "the case belongs to this mission already");
    return;
  }
  int64_t from = k.mission_id, previous_user = k.assigned_to;
  k.mission_id = to;
  k.assigned_to = 0; /* the new mission assigns its own officer */
  k.updated_at = now;
  const char *reason = api_str(ctx->body, "reason");
  rc = store_case_update(ctx->db, &ctx->scope, &k);
  if (rc == BH_OK) {
    rc = cases_event_add(ctx, id, now, "transferred",
                   json_pack("{s:I, s:o, s:o}", "mission", (json_int_t)to, "previous_mission",
                             from ? json_integer((json_int_t)from) : json_null(), "previous_user",
                             previous_user ? json_integer((json_int_t)previous_user) : json_null()),
                   reason);
  }
  if (rc == BH_OK) {
    rc = api_audit(app, r, ctx, "case.transfer", "case", id,
                   json_pack("{s:I, s:I}", "from", (json_int_t)from, "to", (json_int_t)to));
  }
  if (rc == BH_OK) rc = store_commit(ctx->db);
  if (rc != BH_OK) {
    cases_fail_tx(r, ctx, rc, "case");
    return;
  }
  /* The transferring officer may no longer see the case: the answer is the case as it left. */
  json_t *out = cases_render(app, &k, now);
  http_reply_json(r, 200, out);
}

/* An officer may only place people inside their mission's jurisdiction. */
static int in_jurisdiction_or_reply(http_req_t *r, api_ctx_t *ctx, const char *country) {
  if (ctx->scope.all) return 0;
  mission_t m;
  int ok = 0;
  if (store_mission_get(ctx->db, ctx->scope.mission_id, r->arena, &m) == BH_OK) {
    size_t i;
    json_t *v;
    json_array_foreach(m.jurisdiction, i, v) {
      if (strcmp(json_string_value(v), country) == 0) ok = 1;
    }
    mission_clear(&m);
  }
  if (!ok) {
    http_reply_error(r, BH_ERR_FORBIDDEN, "presence.country",
                     "%s is outside your mission's jurisdiction", country);
    return -1;
  }
  return 0;
}

void h_cases_promote_caller(app_t *app, http_req_t *r, api_ctx_t *ctx) {
  int64_t id;
  if (api_id_or_reply(app, r, 0, PUBID_CASE, &id) != 0) return;
  json_t *pbody = json_incref(json_object_get(ctx->body, "presence"));
  json_object_del(ctx->body, "presence");
  int bad = api_body_or_reply(r, ctx, promote_spec, SPEC_COUNT(promote_spec));
  if (pbody != NULL) json_object_set(ctx->body, "presence", pbody);
  json_decref(pbody); /* ctx->body holds it again */
  if (bad != 0) return;
  presence_t pr = {0};
  if (pbody != NULL) {
    spec_error_t err;
    if (spec_validate(pbody, api_presence_create_spec, api_presence_create_nspec, &err) != BH_OK) {
      const char *field = arena_printf(r->arena, "presence%s%s", err.field[0] ? "." : "", err.field);
      http_reply_error(r, BH_ERR_INVALID, field, "%s %s", field, err.message);
      return;
    }
    if (api_presence_apply_or_reply(r, pbody, "presence.", &pr) != 0) return;
    if (in_jurisdiction_or_reply(r, ctx, pr.country) != 0) return;
  }
  int64_t now = clock_now();
  case_t k;
  int rc = store_begin_write(ctx->db);
  if (rc == BH_OK) rc = store_case_get(ctx->db, &ctx->scope, id, r->arena, &k);
  if (rc != BH_OK) {
    cases_fail_tx(r, ctx, rc, "case");
    return;
  }
  if (k.caller_name == NULL || k.caller_person_id != 0) {
    store_rollback(ctx->db);
    http_reply_error(r, BH_ERR_CONFLICT, NULL,
                     k.caller_name == NULL ? "the case has no unregistered caller"
                                           : "the caller was made a person already");
    return;
  }
  /* The person: the caller's name and phone unless the body gives others. */
  json_t *pj = json_deep_copy(ctx->body);
  json_object_del(pj, "presence");
  if (json_object_get(pj, "full_name") == NULL) {
    json_object_set_new(pj, "full_name", json_string(k.caller_name));
  }
  if (json_object_get(pj, "phones") == NULL && k.caller_phone != NULL) {
    json_object_set_new(pj, "phones", json_pack("[s]", k.caller_phone));
  }
  person_t p = {0};
  api_person_apply(r->arena, pj, &p);
  json_decref(pj);
  p.source = "hotline";
  /* Owned by the case's mission, so that whoever follows the case sees the person. */
  p.owner_mission_id = k.mission_id ? k.mission_id : ctx->user.mission_id;
  rc = store_person_create(ctx->db, &p);
  if (rc == BH_OK && pbody != NULL) {
    pr.person_id = p.id;
    rc = store_presence_create(ctx->db, &STORE_SCOPE_ALL, &pr);
  }
  if (rc == BH_OK) rc = store_case_person_add(ctx->db, id, p.id, ctx->user.id, now);
  if (rc == BH_OK) {
    k.caller_person_id = p.id;
    k.updated_at = now;
    rc = cases_event_add(ctx, id, now, "caller_promoted", json_pack("{s:I}", "person", (json_int_t)p.id),
                   NULL);
  }
  if (rc == BH_OK) rc = cases_priority_refresh(ctx, r->arena, &k, now, 0);
  if (rc == BH_OK) rc = store_case_update(ctx->db, &ctx->scope, &k);
  if (rc == BH_OK) {
    rc = api_audit(app, r, ctx, "person.create", "person", p.id,
                   json_pack("{s:I}", "case", (json_int_t)id));
  }
  if (rc == BH_OK) rc = store_commit(ctx->db);
  person_clear(&p);
  if (rc != BH_OK) {
    cases_fail_tx(r, ctx, rc, "case");
    return;
  }
  rc = cases_reply_full(app, r, ctx, 201, &k);
  if (rc != BH_OK) api_reply_store_error(r, rc, "case");
}
