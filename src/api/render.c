/* render.c - records as API JSON; the one place the wire shape of each resource is written. */
#include "api/api.h"

#include <string.h>

#include "domain/model.h"

static json_t *str_or_null(const char *s) { return s ? json_string(s) : json_null(); }

static json_t *id_json(const app_t *app, enum pubid_kind kind, int64_t id) {
  if (id == 0) return json_null();
  char text[PUBID_LEN + 1];
  pubid_encode(&app->keys, kind, id, text);
  return json_string(text);
}

static json_t *json_or_empty(json_t *j) { return j ? json_incref(j) : json_array(); }

json_t *render_mission(const app_t *app, const mission_t *m) {
  return json_pack("{s:o, s:s, s:s, s:o, s:s, s:o, s:o, s:o, s:o, s:o, s:o}", "id",
                   id_json(app, PUBID_MISSION, m->id), "kind", m->kind, "name", m->name, "city",
                   str_or_null(m->city), "country", m->country, "jurisdiction",
                   json_or_empty(m->jurisdiction), "hotline", str_or_null(m->hotline), "email",
                   str_or_null(m->email), "timezone", str_or_null(m->timezone), "created_at",
                   api_time(m->created_at), "updated_at", api_time(m->updated_at));
}

json_t *render_user(const app_t *app, const user_t *u) {
  return json_pack("{s:o, s:s, s:s, s:s, s:o, s:b, s:o}", "id", id_json(app, PUBID_USER, u->id),
                   "email", u->email, "name", u->name, "role", model_roles[u->role], "mission",
                   id_json(app, PUBID_MISSION, u->mission_id), "disabled", u->disabled,
                   "created_at", api_time(u->created_at));
}

json_t *render_person(const app_t *app, const person_t *p) {
  json_t *o = json_object();
  if (o == NULL) return NULL;
  json_object_set_new(o, "id", id_json(app, PUBID_PERSON, p->id));
  json_object_set_new(o, "full_name", str_or_null(p->full_name));
  json_object_set_new(o, "other_names", json_or_empty(p->other_names));
  json_object_set_new(o, "sex", json_string(p->sex ? p->sex : "U"));
  json_object_set_new(o, "date_of_birth", str_or_null(p->date_of_birth));
  json_object_set_new(o, "national_id", str_or_null(p->national_id));
  json_object_set_new(o, "passport", str_or_null(p->passport));
  json_object_set_new(o, "phones", json_or_empty(p->phones));
  json_object_set_new(o, "emails", json_or_empty(p->emails));
  json_object_set_new(o, "home_province", str_or_null(p->home_province));
  json_object_set_new(o, "flags", json_or_empty(p->flags));
  json_object_set_new(o, "emergency_contacts", json_or_empty(p->contacts));
  json_object_set_new(o, "source", json_string(p->source ? p->source : "officer"));
  json_object_set_new(o, "status", json_string(p->status ? p->status : "unknown"));
  json_object_set_new(o, "status_at", api_time(p->status_at));
  json_object_set_new(o, "owner_mission", id_json(app, PUBID_MISSION, p->owner_mission_id));
  json_object_set_new(o, "created_at", api_time(p->created_at));
  json_object_set_new(o, "updated_at", api_time(p->updated_at));
  return o;
}

json_t *render_presence(const app_t *app, const presence_t *p) {
  json_t *o = json_pack(
      "{s:o, s:o, s:s, s:o, s:o, s:o, s:s, s:o, s:o, s:o, s:o, s:o, s:o}", "id",
      id_json(app, PUBID_PRESENCE, p->id), "person", id_json(app, PUBID_PERSON, p->person_id),
      "country", p->country, "region", str_or_null(p->region), "city", str_or_null(p->city),
      "address", str_or_null(p->address), "category", p->category ? p->category : "other",
      "organisation", str_or_null(p->organisation), "from", str_or_null(p->date_from), "until",
      str_or_null(p->date_until), "group_id", str_or_null(p->group_id), "created_at",
      api_time(p->created_at), "updated_at", api_time(p->updated_at));
  if (o == NULL) return NULL;
  json_object_set_new(o, "latitude", p->has_geo ? json_real(p->lat) : json_null());
  json_object_set_new(o, "longitude", p->has_geo ? json_real(p->lon) : json_null());
  return o;
}

json_t *render_status(const app_t *app, const status_event_t *e) {
  return json_pack("{s:o, s:s, s:o, s:s, s:o, s:o}", "id", id_json(app, PUBID_STATUS, e->id),
                   "status", e->status, "at", api_time(e->at), "source", e->source ? e->source : "",
                   "author", id_json(app, PUBID_USER, e->author_id), "note", str_or_null(e->note));
}

json_t *render_audit(const app_t *app, const audit_entry_t *e) {
  enum pubid_kind kind = PUBID_KIND_MAX;
  if (e->object_kind) {
    static const struct {
      const char *name;
      enum pubid_kind kind;
    } kinds[] = {{"person", PUBID_PERSON},   {"mission", PUBID_MISSION},
                 {"user", PUBID_USER},       {"presence", PUBID_PRESENCE},
                 {"token", PUBID_TOKEN}};
    for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
      if (strcmp(kinds[i].name, e->object_kind) == 0) kind = kinds[i].kind;
    }
  }
  json_t *detail = e->detail ? json_loads(e->detail, 0, NULL) : NULL;
  return json_pack("{s:o, s:o, s:o, s:s, s:o, s:o, s:o, s:o, s:o}", "id",
                   id_json(app, PUBID_AUDIT, e->id), "at", api_time(e->at), "user",
                   id_json(app, PUBID_USER, e->user_id), "action", e->action, "object_kind",
                   str_or_null(e->object_kind), "object_id",
                   kind == PUBID_KIND_MAX ? json_null() : id_json(app, kind, e->object_id),
                   "client", str_or_null(e->client), "request_id", str_or_null(e->request_id),
                   "detail", detail ? detail : json_null());
}
