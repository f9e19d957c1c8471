/* render.c - records as API JSON; the one place the wire shape of each resource is written. */
#include "api/api.h"

#include <stdlib.h>
#include <string.h>

#include "api/render_text.h"
#include "domain/model.h"
#include "domain/pdate.h"
#include "util/err.h"

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

/* ---- the same shapes written as text (render_text.h) ---- */

void render_id_text(const app_t *app, jsonw_t *w, enum pubid_kind kind, int64_t id) {
  if (id == 0) {
    jsonw_raw(w, "null", 4);
    return;
  }
  char text[PUBID_LEN + 3];
  text[0] = '"';
  pubid_encode(&app->keys, kind, id, text + 1);
  text[PUBID_LEN + 1] = '"';
  jsonw_raw(w, text, PUBID_LEN + 2);
}

/* A time as api_time gives it: null for 0. */
static void time_text(jsonw_t *w, int64_t t) {
  if (t == 0) {
    jsonw_raw(w, "null", 4);
    return;
  }
  char text[PDATE_TIMESTAMP_SIZE + 2];
  text[0] = '"';
  pdate_format_timestamp(t, text + 1);
  size_t n = strlen(text);
  text[n] = '"';
  jsonw_raw(w, text, n + 1);
}

void render_person_text(const app_t *app, jsonw_t *w, const person_row_t *row, char *id) {
  const person_t *p = &row->p;
  jsonw_lit(w, "{\"id\":");
  size_t at = w->len;
  render_id_text(app, w, PUBID_PERSON, p->id);
  if (id != NULL) {
    /* The id as just written, "...", without encoding it again. */
    int written = p->id != 0 && w->len == at + PUBID_LEN + 2;
    if (written) memcpy(id, w->data + at + 1, PUBID_LEN);
    id[written ? PUBID_LEN : 0] = '\0';
  }
  jsonw_lit(w, ",\"full_name\":");
  jsonw_str(w, p->full_name);
  jsonw_lit(w, ",\"other_names\":");
  jsonw_json(w, row->other_names, row->other_names_len, "[]");
  jsonw_lit(w, ",\"sex\":");
  jsonw_str(w, p->sex ? p->sex : "U");
  jsonw_lit(w, ",\"date_of_birth\":");
  jsonw_str(w, p->date_of_birth);
  jsonw_lit(w, ",\"national_id\":");
  jsonw_str(w, p->national_id);
  jsonw_lit(w, ",\"passport\":");
  jsonw_str(w, p->passport);
  jsonw_lit(w, ",\"phones\":");
  jsonw_json(w, row->phones, row->phones_len, "[]");
  jsonw_lit(w, ",\"emails\":");
  jsonw_json(w, row->emails, row->emails_len, "[]");
  jsonw_lit(w, ",\"home_province\":");
  jsonw_str(w, p->home_province);
  jsonw_lit(w, ",\"flags\":");
  jsonw_json(w, row->flags, row->flags_len, "[]");
  jsonw_lit(w, ",\"emergency_contacts\":");
  jsonw_json(w, row->contacts, row->contacts_len, "[]");
  jsonw_lit(w, ",\"preferred_language\":");
  jsonw_str(w, p->preferred_language ? p->preferred_language : MODEL_LANGUAGE_DEFAULT);
  jsonw_lit(w, ",\"source\":");
  jsonw_str(w, p->source ? p->source : "officer");
  jsonw_lit(w, ",\"status\":");
  jsonw_str(w, p->status ? p->status : "unknown");
  jsonw_lit(w, ",\"status_at\":");
  time_text(w, p->status_at);
  jsonw_lit(w, ",\"owner_mission\":");
  render_id_text(app, w, PUBID_MISSION, p->owner_mission_id);
  jsonw_lit(w, ",\"created_at\":");
  time_text(w, p->created_at);
  jsonw_lit(w, ",\"updated_at\":");
  time_text(w, p->updated_at);
  jsonw_raw(w, "}", 1);
}

/* The compact text of a list for render_person_text; NULL (read as []) for none. */
static char *list_text(const json_t *j, size_t *len) {
  char *t = j ? json_dumps(j, JSON_COMPACT) : NULL;
  *len = t ? strlen(t) : 0;
  return t;
}

/*
 * The person as a jansson object, for the replies that add to it: parsed from
 * render_person_text, so that the person's wire shape is written in one place.
 */
json_t *render_person(const app_t *app, const person_t *p) {
  person_row_t row = {.p = *p};
  char *other = list_text(p->other_names, &row.other_names_len);
  char *phones = list_text(p->phones, &row.phones_len);
  char *emails = list_text(p->emails, &row.emails_len);
  char *flags = list_text(p->flags, &row.flags_len);
  char *contacts = list_text(p->contacts, &row.contacts_len);
  row.other_names = other, row.phones = phones, row.emails = emails, row.flags = flags;
  row.contacts = contacts;
  jsonw_t w;
  jsonw_init(&w, RENDER_TEXT_MAX);
  render_person_text(app, &w, &row, NULL);
  json_t *o = jsonw_error(&w) == BH_OK ? json_loadb(w.data, w.len, 0, NULL) : NULL;
  jsonw_free(&w);
  free(other);
  free(phones);
  free(emails);
  free(flags);
  free(contacts);
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
