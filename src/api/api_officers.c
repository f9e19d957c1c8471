/*
 * api_officers.c - GET /api/v1/missions/{id}/officers: the colleagues to whom a case of a mission
 * may be assigned (its enabled users of every role but viewer, and every enabled user of role hq,
 * with or without a mission, since hq may hold any case: exactly the users the case assignment
 * accepts), each as an opaque id, a display name and a role, and nothing more (no e-mail, no
 * times). Admin and hq may list any mission's;
 * an officer only their own mission's: another mission answers 404, exactly like a mission that
 * does not exist, as everything outside one's scope does. Viewers are refused by the route
 * table. Like the administrator's user list (api_admin.c), this read names staff, not citizens,
 * and is not a read of personal data: it is not audited.
 */
#include "api/api.h"
#include "store/store_officer.h"
#include "util/err.h"

static json_t *render_officer(const app_t *app, const user_t *u) {
  char id[PUBID_LEN + 1];
  pubid_encode(&app->keys, PUBID_USER, u->id, id);
  return json_pack("{s:s, s:s, s:s}", "id", id, "name", u->name ? u->name : "", "role",
                   model_roles[u->role]);
}

void h_officers_list(app_t *app, http_req_t *r, api_ctx_t *ctx) {
  int64_t mission_id;
  if (api_id_or_reply(app, r, 0, PUBID_MISSION, &mission_id) != 0) return;
  /* Out of scope reads as absent: the same 404 as a mission that does not exist. */
  if (!ctx->scope.all && ctx->scope.mission_id != mission_id) {
    api_reply_store_error(r, BH_ERR_NOT_FOUND, "mission");
    return;
  }
  mission_t m;
  int rc = store_mission_get(ctx->db, mission_id, r->arena, &m);
  if (rc != BH_OK) {
    api_reply_store_error(r, rc, "mission");
    return;
  }
  mission_clear(&m);
  store_page_t page;
  if (api_page_or_reply(app, r, PUBID_USER, &page) != 0) return;
  user_t *items;
  size_t n;
  rc = store_officer_list(ctx->db, mission_id, &page, r->arena, &items, &n);
  if (rc != BH_OK) {
    api_reply_store_error(r, rc, "user");
    return;
  }
  json_t *list = json_array();
  for (size_t i = 0; i < n; i++) json_array_append_new(list, render_officer(app, &items[i]));
  http_reply_json(r, 200, api_page_json(app, list, PUBID_USER, n ? items[n - 1].id : 0,
                                        n == (size_t)page.limit));
}
