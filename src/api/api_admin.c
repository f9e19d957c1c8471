/*
 * api_admin.c - missions, officers (users) and the audit log: the administrator's resources.
 */
#include <string.h>

#include "api/api.h"
#include "util/err.h"

static const spec_field_t mission_spec[] = {
    {.name = "kind", .type = SPEC_STRING, .flags = SPEC_REQUIRED, .values = model_mission_kinds},
    {.name = "name", .type = SPEC_STRING, .flags = SPEC_REQUIRED, .min_len = 1,
     .max_len = MODEL_SHORT_MAX},
    {.name = "city", .type = SPEC_STRING, .flags = SPEC_NULLABLE, .max_len = 100},
    {.name = "country", .type = SPEC_STRING, .flags = SPEC_REQUIRED, .check = spec_check_country},
    {.name = "jurisdiction", .type = SPEC_STRING_ARRAY, .max_len = MODEL_JURISDICTION_MAX,
     .check = spec_check_country},
    {.name = "hotline", .type = SPEC_STRING, .flags = SPEC_NULLABLE, .max_len = MODEL_PHONE_MAX,
     .check = spec_check_phone},
    {.name = "email", .type = SPEC_STRING, .flags = SPEC_NULLABLE, .max_len = MODEL_EMAIL_MAX,
     .check = spec_check_email},
    {.name = "timezone", .type = SPEC_STRING, .flags = SPEC_NULLABLE, .max_len = 64,
     .check = spec_check_timezone},
};

/* The same fields, none required, for PATCH. */
static spec_field_t mission_patch_spec[SPEC_COUNT(mission_spec)];

static const spec_field_t user_spec[] = {
    {.name = "email", .type = SPEC_STRING, .flags = SPEC_REQUIRED, .max_len = MODEL_EMAIL_MAX,
     .check = spec_check_email},
    {.name = "name", .type = SPEC_STRING, .flags = SPEC_REQUIRED, .min_len = 1,
     .max_len = MODEL_SHORT_MAX},
    {.name = "role", .type = SPEC_STRING, .flags = SPEC_REQUIRED, .values = model_roles},
    {.name = "mission", .type = SPEC_STRING, .flags = SPEC_NULLABLE, .max_len = PUBID_LEN},
    {.name = "password", .type = SPEC_STRING, .min_len = PASSWORD_MIN_LEN,
     .max_len = PASSWORD_MAX_LEN},
};

static const spec_field_t user_patch_spec[] = {
    {.name = "name", .type = SPEC_STRING, .min_len = 1, .max_len = MODEL_SHORT_MAX},
    {.name = "role", .type = SPEC_STRING, .values = model_roles},
    {.name = "mission", .type = SPEC_STRING, .flags = SPEC_NULLABLE, .max_len = PUBID_LEN},
    {.name = "disabled", .type = SPEC_BOOL},
    {.name = "password", .type = SPEC_STRING, .min_len = PASSWORD_MIN_LEN,
     .max_len = PASSWORD_MAX_LEN},
};

static void mission_apply(arena_t *a, const json_t *body, mission_t *m) {
  const char *s;
  if ((s = api_str(body, "kind"))) m->kind = arena_strdup(a, s);
  if ((s = api_str(body, "name"))) m->name = arena_strdup(a, s);
  if (json_object_get(body, "city")) m->city = arena_strdup(a, api_str(body, "city"));
  if ((s = api_str(body, "country"))) snprintf(m->country, sizeof(m->country), "%s", s);
  if (json_object_get(body, "hotline")) m->hotline = arena_strdup(a, api_str(body, "hotline"));
  if (json_object_get(body, "email")) m->email = arena_strdup(a, api_str(body, "email"));
  if (json_object_get(body, "timezone")) m->timezone = arena_strdup(a, api_str(body, "timezone"));
  json_t *j = json_object_get(body, "jurisdiction");
  if (j) {
    json_decref(m->jurisdiction);
    m->jurisdiction = json_deep_copy(j);
  }
  if (m->jurisdiction == NULL) m->jurisdiction = json_array();
}

void h_missions_list(app_t *app, http_req_t *r, api_ctx_t *ctx) {
  store_page_t page;
  if (api_page_or_reply(app, r, PUBID_MISSION, &page) != 0) return;
  mission_t *items;
  size_t n;
  int rc = store_mission_list(ctx->db, &page, r->arena, &items, &n);
  if (rc != BH_OK) {
    api_reply_store_error(r, rc, "mission");
    return;
  }
  json_t *list = json_array();
  for (size_t i = 0; i < n; i++) {
    json_array_append_new(list, render_mission(app, &items[i]));
    mission_clear(&items[i]);
  }
  http_reply_json(r, 200, api_page_json(app, list, PUBID_MISSION, n ? items[n - 1].id : 0,
                                        n == (size_t)page.limit));
}

void h_missions_create(app_t *app, http_req_t *r, api_ctx_t *ctx) {
  if (api_body_or_reply(r, ctx, mission_spec, SPEC_COUNT(mission_spec)) != 0) return;
  mission_t m = {0};
  mission_apply(r->arena, ctx->body, &m);
  int rc = store_begin_write(ctx->db);
  if (rc == BH_OK) rc = store_mission_create(ctx->db, &m);
  if (rc == BH_OK) rc = api_audit(app, r, ctx, "mission.create", "mission", m.id, NULL);
  if (rc == BH_OK) rc = store_commit(ctx->db);
  if (rc != BH_OK) {
    store_rollback(ctx->db);
    mission_clear(&m);
    api_reply_store_error(r, rc, "mission");
    return;
  }
  http_reply_json(r, 201, render_mission(app, &m));
  mission_clear(&m);
}

void h_missions_get(app_t *app, http_req_t *r, api_ctx_t *ctx) {
  int64_t id;
  if (api_id_or_reply(app, r, 0, PUBID_MISSION, &id) != 0) return;
  mission_t m;
  int rc = store_mission_get(ctx->db, id, r->arena, &m);
  if (rc != BH_OK) {
    api_reply_store_error(r, rc, "mission");
    return;
  }
  http_reply_json(r, 200, render_mission(app, &m));
  mission_clear(&m);
}

void h_missions_update(app_t *app, http_req_t *r, api_ctx_t *ctx) {
  int64_t id;
  if (api_id_or_reply(app, r, 0, PUBID_MISSION, &id) != 0) return;
  if (mission_patch_spec[0].name == NULL) {
    for (size_t i = 0; i < SPEC_COUNT(mission_spec); i++) {
      mission_patch_spec[i] = mission_spec[i];
      mission_patch_spec[i].flags &= ~SPEC_REQUIRED;
    }
  }
  if (api_body_or_reply(r, ctx, mission_patch_spec, SPEC_COUNT(mission_patch_spec)) != 0) return;
  mission_t m;
  int rc = store_begin_write(ctx->db);
  if (rc == BH_OK) rc = store_mission_get(ctx->db, id, r->arena, &m);
  if (rc != BH_OK) {
    store_rollback(ctx->db);
    api_reply_store_error(r, rc, "mission");
    return;
  }
  mission_apply(r->arena, ctx->body, &m);
  rc = store_mission_update(ctx->db, &m);
  if (rc == BH_OK) rc = api_audit(app, r, ctx, "mission.update", "mission", id, NULL);
  if (rc == BH_OK) rc = store_commit(ctx->db);
  if (rc != BH_OK) {
    store_rollback(ctx->db);
    mission_clear(&m);
    api_reply_store_error(r, rc, "mission");
    return;
  }
  http_reply_json(r, 200, render_mission(app, &m));
  mission_clear(&m);
}

/* Resolves the "mission" field of a user body; officers and viewers of a mission need one. */
static int user_mission_or_reply(app_t *app, http_req_t *r, api_ctx_t *ctx, const json_t *body,
                                 user_t *u) {
  json_t *v = json_object_get(body, "mission");
  if (v != NULL) {
    u->mission_id = 0;
    if (json_is_string(v)) {
      if (pubid_decode(&app->keys, PUBID_MISSION, json_string_value(v), &u->mission_id) != BH_OK) {
        http_reply_error(r, BH_ERR_INVALID, "mission", "mission is not a known mission id");
        return -1;
      }
      mission_t m;
      if (store_mission_get(ctx->db, u->mission_id, r->arena, &m) != BH_OK) {
        http_reply_error(r, BH_ERR_INVALID, "mission", "mission is not a known mission id");
        return -1;
      }
      mission_clear(&m);
    }
  }
  if (u->role == ROLE_OFFICER && u->mission_id == 0) {
    http_reply_error(r, BH_ERR_INVALID, "mission", "an officer must belong to a mission");
    return -1;
  }
  return 0;
}

void h_users_list(app_t *app, http_req_t *r, api_ctx_t *ctx) {
  store_page_t page;
  if (api_page_or_reply(app, r, PUBID_USER, &page) != 0) return;
  user_t *items;
  size_t n;
  int rc = store_user_list(ctx->db, &page, r->arena, &items, &n);
  if (rc != BH_OK) {
    api_reply_store_error(r, rc, "user");
    return;
  }
  json_t *list = json_array();
  for (size_t i = 0; i < n; i++) json_array_append_new(list, render_user(app, &items[i]));
  http_reply_json(r, 200, api_page_json(app, list, PUBID_USER, n ? items[n - 1].id : 0,
                                        n == (size_t)page.limit));
}

void h_users_create(app_t *app, http_req_t *r, api_ctx_t *ctx) {
  if (api_body_or_reply(r, ctx, user_spec, SPEC_COUNT(user_spec)) != 0) return;
  user_t u = {.email = api_str(ctx->body, "email"),
              .name = api_str(ctx->body, "name"),
              .role = model_enum_index(model_roles, api_str(ctx->body, "role"))};
  if (user_mission_or_reply(app, r, ctx, ctx->body, &u) != 0) return;
  char hash[PASSWORD_HASH_MAX];
  const char *pw = api_str(ctx->body, "password");
  if (pw != NULL) {
    if (password_hash(pw, hash) != BH_OK) {
      http_reply_error(r, BH_ERR_NOMEM, NULL, "password could not be hashed");
      return;
    }
    u.pwhash = hash;
  }
  int rc = store_begin_write(ctx->db);
  if (rc == BH_OK) rc = store_user_create(ctx->db, &u);
  if (rc == BH_OK) rc = api_audit(app, r, ctx, "user.create", "user", u.id, NULL);
  if (rc == BH_OK) rc = store_commit(ctx->db);
  if (rc != BH_OK) {
    store_rollback(ctx->db);
    if (rc == BH_ERR_CONFLICT) {
      http_reply_error(r, rc, "email", "a user with this e-mail already exists");
    } else {
      api_reply_store_error(r, rc, "user");
    }
    return;
  }
  http_reply_json(r, 201, render_user(app, &u));
}

void h_users_get(app_t *app, http_req_t *r, api_ctx_t *ctx) {
  int64_t id;
  if (api_id_or_reply(app, r, 0, PUBID_USER, &id) != 0) return;
  user_t u;
  int rc = store_user_get(ctx->db, id, r->arena, &u);
  if (rc != BH_OK) {
    api_reply_store_error(r, rc, "user");
    return;
  }
  http_reply_json(r, 200, render_user(app, &u));
}

void h_users_update(app_t *app, http_req_t *r, api_ctx_t *ctx) {
  int64_t id;
  if (api_id_or_reply(app, r, 0, PUBID_USER, &id) != 0) return;
  if (api_body_or_reply(r, ctx, user_patch_spec, SPEC_COUNT(user_patch_spec)) != 0) return;
  user_t u;
  int rc = store_user_get(ctx->db, id, r->arena, &u);
  if (rc != BH_OK) {
    api_reply_store_error(r, rc, "user");
    return;
  }
  const char *s;
  if ((s = api_str(ctx->body, "name"))) u.name = s;
  if ((s = api_str(ctx->body, "role"))) u.role = model_enum_index(model_roles, s);
  json_t *d = json_object_get(ctx->body, "disabled");
  if (d) u.disabled = json_is_true(d);
  if (user_mission_or_reply(app, r, ctx, ctx->body, &u) != 0) return;
  char hash[PASSWORD_HASH_MAX];
  const char *pw = api_str(ctx->body, "password");
  if (pw != NULL && password_hash(pw, hash) != BH_OK) {
    http_reply_error(r, BH_ERR_NOMEM, NULL, "password could not be hashed");
    return;
  }
  rc = store_begin_write(ctx->db);
  if (rc == BH_OK) rc = store_user_update(ctx->db, &u);
  if (rc == BH_OK && pw != NULL) rc = store_user_set_password(ctx->db, id, hash);
  if (rc == BH_OK) rc = api_audit(app, r, ctx, "user.update", "user", id, NULL);
  if (rc == BH_OK) rc = store_commit(ctx->db);
  if (rc != BH_OK) {
    store_rollback(ctx->db);
    api_reply_store_error(r, rc, "user");
    return;
  }
  http_reply_json(r, 200, render_user(app, &u));
}

void h_audit_list(app_t *app, http_req_t *r, api_ctx_t *ctx) {
  store_page_t page;
  if (api_page_or_reply(app, r, PUBID_AUDIT, &page) != 0) return;
  audit_filter_t f = {0};
  const char *person = http_query(r, "person");
  if (person != NULL) {
    if (pubid_decode(&app->keys, PUBID_PERSON, person, &f.object_id) != BH_OK) {
      http_reply_error(r, BH_ERR_INVALID, "person", "person is not a person id");
      return;
    }
    f.object_kind = "person";
  }
  if (api_query_id_or_reply(app, r, "user", PUBID_USER, &f.user_id) != 0) return;
  audit_entry_t *items;
  size_t n;
  int rc = store_audit_list(ctx->db, &f, &page, r->arena, &items, &n);
  if (rc != BH_OK) {
    api_reply_store_error(r, rc, "audit entry");
    return;
  }
  json_t *list = json_array();
  for (size_t i = 0; i < n; i++) json_array_append_new(list, render_audit(app, &items[i]));
  http_reply_json(r, 200, api_page_json(app, list, PUBID_AUDIT, n ? items[n - 1].id : 0,
                                        n == (size_t)page.limit));
}
