/*
 * test_authz.c - who may do what, derived from ONE table: every route (with a person present
 * only in Israel and one present only in Myanmar where a route takes a person) against every
 * role. A cell is the status expected: OK for any 2xx, else the exact status.
 */
#include <stdio.h>
#include <string.h>

#include "alert/alert.h"
#include "api/api.h"
#include "harness.h"

#define OK 2

struct authz_row {
  const char *method;
  /*
   * Placeholders: {IL} {MM} persons present only in Israel / Myanmar, {IL_PR} {MM_PR} their
   * presences, {MISSION} a mission, {USER} a user, {REG} a registration's manage token,
   * {NEWREG} a new manage token for each cell, {N} a number unique to each cell.
   */
  const char *path;
  const char *body;
  int expect[H_NWHO]; /* admin, hq, officer-israel, officer-myanmar, viewer, anonymous */
};

#define SITE_BODY                                                                            \
  "{\"kind\":\"shelter\",\"name\":\"Matrix {N}\",\"country\":\"IL\",\"capacity\":500}"
#define TRANSPORT_BODY                                                                       \
  "{\"mode\":\"flight\",\"provider\":\"own\",\"purpose\":\"evacuation\",\"origin\":{\"place\":"  \
  "\"Ben Gurion\",\"country\":\"IL\"},\"destination\":{\"place\":\"Nội Bài\",\"country\":"       \
  "\"VN\"},\"departure_at\":\"2023-10-14T08:00:00Z\",\"capacity\":500,\"reference\":\"MX{N}\"}"

#define IL_PRESENCE "{\"country\":\"IL\",\"region\":\"IL-TA\",\"category\":\"worker\"}"
#define MM_PRESENCE "{\"country\":\"MM\",\"region\":\"MM-13\",\"category\":\"worker\"}"
#define ALERT_BODY                                                                          \
  "{\"subject_vi\":\"Matrix {N}\",\"subject_en\":\"Matrix {N}\",\"body_vi\":\"B\","        \
  "\"body_en\":\"B\",\"channels\":[\"email\"]}"
#define REGISTRATION                                                                     \
  "{\"person\":{\"full_name\":\"Matrix Citizen {N}\"},\"presence\":{\"country\":\"IL\"," \
  "\"category\":\"tourist\"}}"

static const struct authz_row authz_table[] = {
    /* method, path, body, {admin, hq, officer-israel, officer-myanmar, viewer, anonymous} */
    {"GET", "/healthz", NULL, {OK, OK, OK, OK, OK, OK}},
    {"GET", "/metrics", NULL, {OK, OK, OK, OK, OK, OK}},
    {"GET", "/api/v1/session", NULL, {OK, OK, OK, OK, OK, 401}},
    {"POST", "/api/v1/tokens", "{\"name\":\"matrix {N}\"}", {OK, OK, OK, OK, OK, 401}},
    {"GET", "/api/v1/missions", NULL, {OK, OK, OK, OK, OK, 401}},
    {"GET", "/api/v1/missions/{MISSION}", NULL, {OK, OK, OK, OK, OK, 401}},
    {"POST",
     "/api/v1/missions",
     "{\"kind\":\"consulate_general\",\"name\":\"Matrix Mission {N}\",\"country\":\"JP\"}",
     {OK, 403, 403, 403, 403, 401}},
    {"PATCH",
     "/api/v1/missions/{MISSION}",
     "{\"hotline\":\"+86 871 1111 {N}\"}",
     {OK, 403, 403, 403, 403, 401}},
    /* The colleagues of {MISSION} (Kunming): its officers see them, other officers get 404. */
    {"GET", "/api/v1/missions/{MISSION}/officers", NULL, {OK, OK, 404, 404, 403, 401}},
    {"GET", "/api/v1/users", NULL, {OK, 403, 403, 403, 403, 401}},
    {"POST",
     "/api/v1/users",
     "{\"email\":\"matrix{N}@baoho.example\",\"name\":\"Matrix {N}\",\"role\":\"viewer\"}",
     {OK, 403, 403, 403, 403, 401}},
    {"GET", "/api/v1/users/{USER}", NULL, {OK, 403, 403, 403, 403, 401}},
    {"PATCH",
     "/api/v1/users/{USER}",
     "{\"name\":\"Matrix User {N}\"}",
     {OK, 403, 403, 403, 403, 401}},
    {"GET", "/api/v1/persons", NULL, {OK, OK, OK, OK, 403, 401}},
    {"GET", "/api/v1/persons?q=matrix", NULL, {OK, OK, OK, OK, 403, 401}},
    {"POST",
     "/api/v1/persons",
     "{\"full_name\":\"Matrix Person {N}\",\"presence\":" IL_PRESENCE "}",
     {OK, OK, OK, 403, 403, 401}},
    {"POST",
     "/api/v1/persons",
     "{\"full_name\":\"Matrix Person {N}\",\"presence\":" MM_PRESENCE "}",
     {OK, OK, 403, OK, 403, 401}},
    {"GET", "/api/v1/persons/{IL}", NULL, {OK, OK, OK, 404, 403, 401}},
    {"GET", "/api/v1/persons/{MM}", NULL, {OK, OK, 404, OK, 403, 401}},
    {"PATCH",
     "/api/v1/persons/{IL}",
     "{\"home_province\":\"Nghệ An {N}\"}",
     {OK, OK, OK, 404, 403, 401}},
    {"PATCH",
     "/api/v1/persons/{MM}",
     "{\"home_province\":\"Hà Tĩnh {N}\"}",
     {OK, OK, 404, OK, 403, 401}},
    {"GET", "/api/v1/persons/{IL}/presences", NULL, {OK, OK, OK, 404, 403, 401}},
    {"GET", "/api/v1/persons/{MM}/presences", NULL, {OK, OK, 404, OK, 403, 401}},
    {"POST", "/api/v1/persons/{IL}/presences", IL_PRESENCE, {OK, OK, OK, 404, 403, 401}},
    {"POST", "/api/v1/persons/{MM}/presences", MM_PRESENCE, {OK, OK, 404, OK, 403, 401}},
    {"PATCH",
     "/api/v1/persons/{IL}/presences/{IL_PR}",
     "{\"city\":\"Tel Aviv {N}\"}",
     {OK, OK, OK, 404, 403, 401}},
    {"PATCH",
     "/api/v1/persons/{MM}/presences/{MM_PR}",
     "{\"city\":\"Myawaddy {N}\"}",
     {OK, OK, 404, OK, 403, 401}},
    {"GET", "/api/v1/persons/{IL}/status", NULL, {OK, OK, OK, 404, 403, 401}},
    {"GET", "/api/v1/persons/{MM}/status", NULL, {OK, OK, 404, OK, 403, 401}},
    {"POST", "/api/v1/persons/{IL}/status", "{\"status\":\"safe\"}", {OK, OK, OK, 404, 403, 401}},
    {"POST",
     "/api/v1/persons/{MM}/status",
     "{\"status\":\"detained\"}",
     {OK, OK, 404, OK, 403, 401}},
    {"GET", "/api/v1/stats/persons", NULL, {OK, OK, OK, OK, OK, 401}},
    {"GET", "/api/v1/audit", NULL, {OK, 403, 403, 403, 403, 401}},
    {"POST", "/api/v1/public/registrations", REGISTRATION, {OK, OK, OK, OK, OK, OK}},
    {"GET", "/api/v1/public/registrations/{REG}", NULL, {OK, OK, OK, OK, OK, OK}},
    {"PATCH",
     "/api/v1/public/registrations/{REG}",
     "{\"city\":\"Eilat {N}\"}",
     {OK, OK, OK, OK, OK, OK}},
    {"DELETE", "/api/v1/public/registrations/{NEWREG}", NULL, {OK, OK, OK, OK, OK, OK}},
    /* The web console and public pages are public; the console asks for a login itself. */
    {"GET", "/", NULL, {OK, OK, OK, OK, OK, OK}},
    {"GET", "/console", NULL, {OK, OK, OK, OK, OK, OK}},
    {"GET", "/console/*", NULL, {OK, OK, OK, OK, OK, OK}},
    {"GET", "/register", NULL, {OK, OK, OK, OK, OK, OK}},
    /* The form without JavaScript takes only a form body (test_register_form.c posts one). */
    {"POST", "/register", "{}", {415, 415, 415, 415, 415, 415}},
    {"GET", "/register/{REG}", NULL, {OK, OK, OK, OK, OK, OK}},
    {"GET", "/advisories", NULL, {OK, OK, OK, OK, OK, OK}},
    {"GET", "/assets/css/base.css", NULL, {OK, OK, OK, OK, OK, OK}},
    {"GET", "/assets/*", NULL, {404, 404, 404, 404, 404, 404}}, /* no asset is named "*" */
    /* Mass alerts of a crisis in Israel ({IL_CRISIS}, alert {ALERT}, check-in link {CHECKIN}).
     * Alerts are previewed here so that the matrix does not queue one alert per cell. */
    {"POST", "/api/v1/crises/{IL_CRISIS}/alerts?preview=1", ALERT_BODY, {OK, OK, OK, 404, 403, 401}},
    {"GET", "/api/v1/alerts/{ALERT}", NULL, {OK, OK, OK, 404, 403, 401}},
    /* {ALERT} was sent already: whoever may send it is told so. */
    {"POST", "/api/v1/alerts/{ALERT}/send", NULL, {409, 409, 409, 404, 403, 401}},
    {"GET", "/api/v1/alerts/{ALERT}/call-list", NULL, {OK, OK, OK, 404, 403, 401}},
    {"GET", "/api/v1/crises/{IL_CRISIS}/needs-help", NULL, {OK, OK, OK, 404, 403, 401}},
    {"GET", "/api/v1/crises/{IL_CRISIS}/alerts", NULL, {OK, OK, OK, 404, 403, 401}},
    {"GET", "/c/{CHECKIN}", NULL, {OK, OK, OK, OK, OK, OK}},
    /* The answer is a form: a JSON body is refused whoever sends it. */
    {"POST", "/c/{CHECKIN}", "{\"answer\":\"safe\"}", {415, 415, 415, 415, 415, 415}},
    /* The matrix's server has no SMS gateway, so inbound SMS is unavailable to everyone. */
    {"POST", "/api/v1/inbound/sms", "{\"from\":\"+972500000000\",\"text\":\"SAFE\"}",
     {503, 503, 503, 503, 503, 503}},
    /* Crises ({IL_CRISIS} in Israel; {NEWCRISIS} a new one in Israel per cell) and travel
     * advisories ({ADV} a version for Israel, {ADV_CAP} its CAP file name). */
    {"GET", "/api/v1/crises", NULL, {OK, OK, OK, OK, OK, 401}},
    {"POST",
     "/api/v1/crises",
     "{\"name\":\"Matrix {N}\",\"kind\":\"unrest\",\"countries\":[\"IL\"]}",
     {OK, OK, OK, 403, 403, 401}},
    {"POST",
     "/api/v1/crises",
     "{\"name\":\"Matrix {N}\",\"kind\":\"unrest\",\"countries\":[\"MM\"]}",
     {OK, OK, 403, OK, 403, 401}},
    {"GET", "/api/v1/crises/{IL_CRISIS}", NULL, {OK, OK, OK, 404, OK, 401}},
    {"PATCH",
     "/api/v1/crises/{IL_CRISIS}",
     "{\"description\":\"Matrix {N}\"}",
     {OK, OK, OK, 404, 403, 401}},
    {"POST", "/api/v1/crises/{NEWCRISIS}/close", NULL, {OK, OK, OK, 404, 403, 401}},
    {"GET", "/api/v1/crises/{IL_CRISIS}/accountability", NULL, {OK, OK, OK, 404, OK, 401}},
    {"GET", "/api/v1/crises/{IL_CRISIS}/sitrep", NULL, {OK, OK, OK, 404, OK, 401}},
    {"GET", "/api/v1/advisories", NULL, {OK, OK, OK, OK, OK, 401}},
    {"POST",
     "/api/v1/advisories",
     "{\"country\":\"IL\",\"level\":2,\"title_vi\":\"M {N}\",\"title_en\":\"M {N}\","
     "\"text_vi\":\"T\",\"text_en\":\"T\"}",
     {OK, OK, OK, 403, 403, 401}},
    {"GET", "/api/v1/advisories/{ADV}", NULL, {OK, OK, OK, OK, OK, 401}},
    {"GET", "/api/v1/public/advisories", NULL, {OK, OK, OK, OK, OK, OK}},
    {"GET", "/api/v1/public/advisories/{ADV}/history", NULL, {OK, OK, OK, OK, OK, OK}},
    {"GET", "/advisories.atom", NULL, {OK, OK, OK, OK, OK, OK}},
    {"GET", "/advisories/{ADV_CAP}", NULL, {OK, OK, OK, OK, OK, OK}},
    /* Assistance cases: {IL_CASE} a case of the Israel embassy (with an unregistered caller),
     * {NEWCASE} a new one per cell (transfer and promotion change it for good). */
    {"GET", "/api/v1/cases", NULL, {OK, OK, OK, OK, 403, 401}},
    {"POST",
     "/api/v1/cases",
     "{\"type\":\"other\",\"summary\":\"Matrix {N}\",\"caller\":{\"name\":\"Matrix Caller\"}}",
     {OK, OK, OK, OK, 403, 401}},
    {"GET", "/api/v1/cases/{IL_CASE}", NULL, {OK, OK, OK, 404, 403, 401}},
    {"PATCH", "/api/v1/cases/{IL_CASE}", "{\"summary\":\"Matrix {N}\"}", {OK, OK, OK, 404, 403, 401}},
    {"GET", "/api/v1/cases/{IL_CASE}/timeline", NULL, {OK, OK, OK, 404, 403, 401}},
    {"POST", "/api/v1/cases/{IL_CASE}/notes", "{\"text\":\"Matrix {N}\"}", {OK, OK, OK, 404, 403, 401}},
    {"POST", "/api/v1/cases/{NEWCASE}/persons", "{\"person\":\"{IL}\"}", {OK, OK, OK, 404, 403, 401}},
    {"POST", "/api/v1/cases/{NEWCASE}/promote-caller", "{}", {OK, OK, OK, 404, 403, 401}},
    {"POST",
     "/api/v1/cases/{NEWCASE}/transfer",
     "{\"mission_id\":\"{MISSION}\",\"reason\":\"Matrix\"}",
     {OK, OK, OK, 404, 403, 401}},
    /* Staging sites and transports: {IL_SITE} a shelter and {IL_TRANSPORT} a flight in Israel;
     * {NEWIL} a new person in Israel per cell, {NEWSTAY} one checked in at {IL_SITE},
     * {NEWENTRY} a booking of a new one on {IL_TRANSPORT}, {NEWTRANSPORT} a new flight. */
    {"GET", "/api/v1/sites", NULL, {OK, OK, OK, OK, OK, 401}},
    {"POST", "/api/v1/sites", SITE_BODY, {OK, OK, OK, 403, 403, 401}},
    {"GET", "/api/v1/sites/{IL_SITE}", NULL, {OK, OK, OK, 404, OK, 401}},
    {"PATCH", "/api/v1/sites/{IL_SITE}", "{\"notes\":\"Matrix {N}\"}", {OK, OK, OK, 404, 403, 401}},
    {"POST", "/api/v1/sites/{IL_SITE}/checkins", "{\"person_id\":\"{NEWIL}\"}",
     {OK, OK, OK, 404, 403, 401}},
    {"POST", "/api/v1/sites/{IL_SITE}/checkouts", "{\"person_id\":\"{NEWSTAY}\"}",
     {OK, OK, OK, 404, 403, 401}},
    {"GET", "/api/v1/sites/{IL_SITE}/people", NULL, {OK, OK, OK, 404, 403, 401}},
    {"GET", "/api/v1/transports", NULL, {OK, OK, OK, OK, OK, 401}},
    {"POST", "/api/v1/transports", TRANSPORT_BODY, {OK, OK, OK, 403, 403, 401}},
    {"GET", "/api/v1/transports/{IL_TRANSPORT}", NULL, {OK, OK, OK, 404, OK, 401}},
    {"PATCH", "/api/v1/transports/{IL_TRANSPORT}", "{\"notes\":\"Matrix {N}\"}",
     {OK, OK, OK, 404, 403, 401}},
    {"POST", "/api/v1/transports/{NEWTRANSPORT}/arrive", NULL, {OK, OK, OK, 404, 403, 401}},
    {"GET", "/api/v1/transports/{IL_TRANSPORT}/manifest", NULL, {OK, OK, OK, 404, 403, 401}},
    {"POST", "/api/v1/transports/{IL_TRANSPORT}/manifest",
     "{\"persons\":[{\"person_id\":\"{NEWIL}\"}]}", {OK, OK, OK, 404, 403, 401}},
    {"GET", "/api/v1/transports/{IL_TRANSPORT}/manifest/suggestions", NULL,
     {OK, OK, OK, 404, 403, 401}},
    {"PATCH", "/api/v1/transports/{IL_TRANSPORT}/manifest/{NEWENTRY}", "{\"status\":\"boarded\"}",
     {OK, OK, OK, 404, 403, 401}},
    /* Lists from foreign authorities: {MM_LIST} a one-row list of the Myanmar embassy, {ROW1}
     * its first row. */
    {"GET", "/api/v1/lists", NULL, {OK, OK, OK, OK, 403, 401}},
    {"POST", "/api/v1/lists", "{}", {415, 415, 415, 415, 403, 401}},
    {"GET", "/api/v1/lists/{MM_LIST}", NULL, {OK, OK, 404, OK, 403, 401}},
    {"GET", "/api/v1/lists/{MM_LIST}/rows", NULL, {OK, OK, 404, OK, 403, 401}},
    {"POST", "/api/v1/lists/{MM_LIST}/rows/{ROW1}/decision", "{\"decision\":\"new_person\"}",
     {OK, OK, 404, OK, 403, 401}},
    /* Last, since it ends the sessions the rows above use. */
    {"DELETE", "/api/v1/session", NULL, {OK, OK, OK, OK, OK, 401}},
};

/* The values placeholders stand for. */
struct authz_ids {
  const char *il, *mm, *il_pr, *mm_pr, *mission, *user, *reg;
  const char *il_crisis, *alert, *checkin;
  const char *adv, *adv_cap;
  const char *il_case;
  const char *il_site, *il_transport;
  const char *mm_list;
};

/* A new person present in Israel; its public id. */
static const char *new_il_person(h_server_t *s, int n) {
  h_resp_t *r = h_create_person(
      s, h_as(s, H_ADMIN),
      h_str("{\"full_name\":\"Matrix Evac %d\",\"presence\":" IL_PRESENCE "}", n));
  return h_gets(r->json, "id");
}

static const char *new_transport(h_server_t *s, int n) {
  h_resp_t *r = h_call(s, h_as(s, H_ADMIN), "POST",
                       h_str("{\"mode\":\"flight\",\"provider\":\"own\",\"purpose\":\"evacuation\","
                             "\"origin\":{\"place\":\"Ben Gurion\",\"country\":\"IL\"},"
                             "\"destination\":{\"place\":\"Nội Bài\",\"country\":\"VN\"},"
                             "\"departure_at\":\"2023-10-14T08:00:00Z\",\"capacity\":500,"
                             "\"reference\":\"MT%d\"}",
                             n),
                       "/api/v1/transports");
  EXPECT_STATUS(s, r, 201);
  return h_gets(r->json, "id");
}

static const char *new_registration(h_server_t *s, int n) {
  const char *body = h_str(
      "{\"person\":{\"full_name\":\"Matrix Closer %d\"},"
      "\"presence\":{\"country\":\"IL\",\"category\":\"tourist\"}}",
      n);
  h_resp_t *r = h_call(s, NULL, "POST", body, "/api/v1/public/registrations");
  EXPECT_STATUS(s, r, 201);
  return h_gets(r->json, "manage_token");
}

/* A new case of the Israel embassy with an unregistered caller; its public id. */
static const char *new_il_case(h_server_t *s, int n) {
  h_resp_t *r = h_call(s, h_as(s, H_ISRAEL), "POST",
                       h_str("{\"type\":\"other\",\"summary\":\"Matrix case %d\","
                             "\"caller\":{\"name\":\"Matrix Caller %d\"}}",
                             n, n),
                       "/api/v1/cases");
  EXPECT_STATUS(s, r, 201);
  return h_gets(r->json, "id");
}

/* Replaces every placeholder of text (may be NULL); n numbers the cell. */
static const char *fill(h_server_t *s, const struct authz_ids *ids, const char *text, int n) {
  if (text == NULL) return NULL;
  const struct {
    const char *key, *value;
  } subst[] = {{"{IL}", ids->il},       {"{MM}", ids->mm},           {"{IL_PR}", ids->il_pr},
               {"{MM_PR}", ids->mm_pr}, {"{MISSION}", ids->mission}, {"{USER}", ids->user},
               {"{REG}", ids->reg},     {"{N}", h_str("%d", n)},
               {"{IL_CRISIS}", ids->il_crisis}, {"{ALERT}", ids->alert},
               {"{CHECKIN}", ids->checkin}, {"{ADV_CAP}", ids->adv_cap},
               {"{ADV}", ids->adv}, {"{IL_CASE}", ids->il_case},
               {"{IL_SITE}", ids->il_site}, {"{IL_TRANSPORT}", ids->il_transport},
               {"{MM_LIST}", ids->mm_list}, {"{ROW1}", "1"}};
  char out[4096];
  size_t o = 0;
  for (const char *p = text; *p;) {
    int done = 0;
    for (size_t i = 0; i < sizeof(subst) / sizeof(subst[0]) && !done; i++) {
      size_t k = strlen(subst[i].key);
      if (strncmp(p, subst[i].key, k) == 0) {
        o += (size_t)snprintf(out + o, sizeof(out) - o, "%s", subst[i].value);
        p += k;
        done = 1;
      }
    }
    if (!done && strncmp(p, "{NEWREG}", 8) == 0) {
      o += (size_t)snprintf(out + o, sizeof(out) - o, "%s", new_registration(s, n));
      p += 8;
      done = 1;
    }
    if (!done && strncmp(p, "{NEWCASE}", 9) == 0) {
      o += (size_t)snprintf(out + o, sizeof(out) - o, "%s", new_il_case(s, n));
      p += 9;
      done = 1;
    }
    if (!done && strncmp(p, "{NEWIL}", 7) == 0) {
      o += (size_t)snprintf(out + o, sizeof(out) - o, "%s", new_il_person(s, n));
      p += 7;
      done = 1;
    }
    if (!done && strncmp(p, "{NEWSTAY}", 9) == 0) {
      const char *person = new_il_person(s, n);
      EXPECT_STATUS(s,
                    h_call(s, h_as(s, H_ADMIN), "POST", h_str("{\"person_id\":\"%s\"}", person),
                           "/api/v1/sites/%s/checkins", ids->il_site),
                    201);
      o += (size_t)snprintf(out + o, sizeof(out) - o, "%s", person);
      p += 9;
      done = 1;
    }
    if (!done && strncmp(p, "{NEWENTRY}", 10) == 0) {
      h_resp_t *b = h_call(s, h_as(s, H_ADMIN), "POST",
                           h_str("{\"persons\":[{\"person_id\":\"%s\"}]}", new_il_person(s, n)),
                           "/api/v1/transports/%s/manifest", ids->il_transport);
      EXPECT_STATUS(s, b, 201);
      o += (size_t)snprintf(out + o, sizeof(out) - o, "%s", h_gets(b->json, "items[0].id"));
      p += 10;
      done = 1;
    }
    if (!done && strncmp(p, "{NEWTRANSPORT}", 14) == 0) {
      o += (size_t)snprintf(out + o, sizeof(out) - o, "%s", new_transport(s, n));
      p += 14;
      done = 1;
    }
    if (!done && strncmp(p, "{NEWCRISIS}", 11) == 0) {
      h_resp_t *k = h_call(s, h_as(s, H_ADMIN), "POST",
                           h_str("{\"name\":\"Matrix closing %d\",\"kind\":\"unrest\","
                                 "\"countries\":[\"IL\"]}",
                                 n),
                           "/api/v1/crises");
      EXPECT_STATUS(s, k, 201);
      o += (size_t)snprintf(out + o, sizeof(out) - o, "%s", h_gets(k->json, "id"));
      p += 11;
      done = 1;
    }
    if (!done) out[o++] = *p++;
    if (o >= sizeof(out) - 1) fail_msg("placeholder expansion too long");
  }
  out[o] = '\0';
  return h_str("%s", out);
}

static void make_ids(h_server_t *s, struct authz_ids *ids) {
  const h_auth_t *admin = h_as(s, H_ADMIN);
  h_resp_t *il = h_create_person(
      s, admin, "{\"full_name\":\"Matrix Only Israel\",\"presence\":" IL_PRESENCE "}");
  h_resp_t *mm = h_create_person(
      s, admin, "{\"full_name\":\"Matrix Only Myanmar\",\"presence\":" MM_PRESENCE "}");
  ids->il = h_gets(il->json, "id");
  ids->mm = h_gets(mm->json, "id");
  ids->il_pr = h_gets(il->json, "presences[0].id");
  ids->mm_pr = h_gets(mm->json, "presences[0].id");
  h_resp_t *missions = h_call(s, admin, "GET", NULL, "/api/v1/missions?limit=500");
  EXPECT_STATUS(s, missions, 200);
  size_t i;
  json_t *m;
  json_array_foreach(h_get(missions->json, "items"), i, m) {
    if (strcmp(h_gets(m, "country"), "CN") == 0) ids->mission = h_gets(m, "id");
  }
  assert_non_null(ids->mission);
  h_resp_t *u = h_call(s, admin, "POST",
                       "{\"email\":\"matrix.subject@baoho.example\",\"name\":\"Matrix Subject\","
                       "\"role\":\"viewer\"}",
                       "/api/v1/users");
  EXPECT_STATUS(s, u, 201);
  ids->user = h_gets(u->json, "id");
  ids->reg = new_registration(s, 0);
  h_resp_t *k = h_call(s, admin, "POST",
                       "{\"name\":\"Matrix crisis\",\"kind\":\"unrest\",\"countries\":[\"IL\"]}",
                       "/api/v1/crises");
  EXPECT_STATUS(s, k, 201);
  ids->il_crisis = h_gets(k->json, "id");
  h_resp_t *a = h_call(s, admin, "POST", fill(s, ids, ALERT_BODY, 0), "/api/v1/crises/%s/alerts",
                       ids->il_crisis);
  EXPECT_STATUS(s, a, 202);
  ids->alert = h_gets(a->json, "id");
  /* The check-in link of the Israel-only person, derived from the server's key. */
  ids->checkin = h_checkin_token(s, ids->alert, ids->il);
  h_resp_t *adv = h_call(s, admin, "POST",
                         "{\"country\":\"IL\",\"level\":3,\"title_vi\":\"Matrix\","
                         "\"title_en\":\"Matrix\",\"text_vi\":\"T\",\"text_en\":\"T\"}",
                         "/api/v1/advisories");
  EXPECT_STATUS(s, adv, 201);
  ids->adv = h_gets(adv->json, "id");
  ids->adv_cap = h_str("%s", strrchr(h_gets(adv->json, "cap_url"), '/') + 1);
  ids->il_case = new_il_case(s, 0);
  h_resp_t *site = h_call(s, admin, "POST", fill(s, ids, SITE_BODY, 0), "/api/v1/sites");
  EXPECT_STATUS(s, site, 201);
  ids->il_site = h_gets(site->json, "id");
  ids->il_transport = new_transport(s, 0);
  static const char list_csv[] = "full_name,date_of_birth\r\nMatrix Only Myanmar,1990-01-01\r\n";
  h_req_t lr = {.method = "POST",
                .path = "/api/v1/lists?title=Matrix&source=Police&country=MM",
                .raw = list_csv,
                .raw_len = sizeof(list_csv) - 1,
                .content_type = "text/csv",
                .auth = h_as(s, H_MYANMAR)};
  h_resp_t *l = h_do(s, &lr);
  EXPECT_STATUS(s, l, 201);
  ids->mm_list = h_gets(l->json, "id");
}

/* A row's path as a route pattern: placeholders become "{}", the query string goes. */
static const char *pattern_of(const char *path) {
  char out[512];
  size_t o = 0;
  for (const char *p = path; *p && *p != '?' && o < sizeof(out) - 3;) {
    if (*p == '{') {
      const char *close = strchr(p, '}');
      if (close == NULL) break;
      out[o++] = '{';
      out[o++] = '}';
      p = close + 1;
    } else {
      out[o++] = *p++;
    }
  }
  out[o] = '\0';
  return h_str("%s", out);
}

static void authorization_matrix_holds_for_every_route_and_role(void **state) {
  h_server_t *s = *state;
  struct authz_ids ids = {0};
  make_ids(s, &ids);
  h_auth_t who[H_NWHO];
  for (int w = 0; w < H_ANON; w++) h_login(s, h_who_email[w], h_who_password[w], &who[w]);
  int failures = 0, cell = 0;
  for (size_t r = 0; r < sizeof(authz_table) / sizeof(authz_table[0]); r++) {
    const struct authz_row *row = &authz_table[r];
    for (int w = 0; w < H_NWHO; w++) {
      cell++;
      const char *path = fill(s, &ids, row->path, cell);
      h_req_t rq = {.method = row->method,
                    .path = path,
                    .json = fill(s, &ids, row->body, cell),
                    .auth = w == H_ANON ? NULL : &who[w]};
      h_resp_t *resp = h_do(s, &rq);
      int want = row->expect[w];
      int ok = want == OK ? resp->status / 100 == 2 : resp->status == want;
      if (ok && want != OK && (h_gets(resp->json, "error.code") == NULL)) ok = 0;
      if (!ok) {
        failures++;
        fprintf(stderr, "    %-6s %-48s as %-16s expected %s, got %ld: %.200s\n", row->method,
                row->path, h_who_names[w], want == OK ? "2xx" : h_str("%d", want), resp->status,
                resp->body);
      }
    }
  }
  if (failures) {
    h_server_dump_log(s);
    fail_msg("%d cells of the authorization matrix do not hold", failures);
  }
  /* Every route of the server's route table (src/api/routes.c) has a row here. */
  for (size_t i = 0; i < api_nroutes; i++) {
    if (strcmp(api_routes[i].name, "session.create") == 0) continue; /* every login above */
    int found = 0;
    for (size_t r = 0; r < sizeof(authz_table) / sizeof(authz_table[0]) && !found; r++) {
      found = strcmp(authz_table[r].method, api_routes[i].method) == 0 &&
              strcmp(pattern_of(authz_table[r].path), api_routes[i].pattern) == 0;
    }
    if (!found) {
      fail_msg("route %s %s has no row in the matrix", api_routes[i].method, api_routes[i].pattern);
    }
  }
}

static void officer_in_myanmar_gets_404_for_person_only_in_israel(void **state) {
  h_server_t *s = *state;
  h_resp_t *il =
      h_create_person(s, h_as(s, H_ADMIN), h_person_json("Chỉ Ở Israel", "IL", "IL-HA", "worker"));
  const char *id = h_gets(il->json, "id");
  const h_auth_t *mm = h_as(s, H_MYANMAR);
  EXPECT_ERROR(s, h_call(s, mm, "GET", NULL, "/api/v1/persons/%s", id), 404, "not_found", NULL);
  EXPECT_ERROR(s, h_call(s, mm, "PATCH", "{\"home_province\":\"X\"}", "/api/v1/persons/%s", id),
               404, "not_found", NULL);
  EXPECT_ERROR(s, h_call(s, mm, "GET", NULL, "/api/v1/persons/%s/presences", id), 404, "not_found",
               NULL);
  EXPECT_ERROR(s, h_call(s, mm, "GET", NULL, "/api/v1/persons/%s/status", id), 404, "not_found",
               NULL);
  EXPECT_ERROR(s, h_call(s, mm, "POST", "{\"status\":\"safe\"}", "/api/v1/persons/%s/status", id),
               404, "not_found", NULL);
  /* The 404 is the same as for an id that does not exist: nothing leaks. */
  h_resp_t *none =
      h_call(s, mm, "GET", NULL, "/api/v1/persons/%s", h_pubid(s, PUBID_PERSON, 987654321));
  EXPECT_ERROR(s, none, 404, "not_found", NULL);
  h_resp_t *hidden = h_call(s, mm, "GET", NULL, "/api/v1/persons/%s", id);
  assert_string_equal(h_gets(none->json, "error.message"), h_gets(hidden->json, "error.message"));
  /* And the refused PATCH changed nothing. */
  h_resp_t *g = h_call(s, h_as(s, H_ADMIN), "GET", NULL, "/api/v1/persons/%s", id);
  assert_true(json_is_null(h_get(g->json, "home_province")));
}

static void officer_in_israel_reads_and_updates_person_in_israel(void **state) {
  h_server_t *s = *state;
  h_resp_t *il =
      h_create_person(s, h_as(s, H_ADMIN), h_person_json("Ở Israel", "IL", "IL-HA", "worker"));
  const char *id = h_gets(il->json, "id");
  const h_auth_t *o = h_as(s, H_ISRAEL);
  EXPECT_STATUS(s, h_call(s, o, "GET", NULL, "/api/v1/persons/%s", id), 200);
  h_resp_t *u =
      h_call(s, o, "PATCH", "{\"home_province\":\"Quảng Bình\"}", "/api/v1/persons/%s", id);
  EXPECT_STATUS(s, u, 200);
  assert_string_equal(h_gets(u->json, "home_province"), "Quảng Bình");
  EXPECT_STATUS(s, h_call(s, o, "POST", "{\"status\":\"safe\"}", "/api/v1/persons/%s/status", id),
                201);
}

static void officer_cannot_move_a_person_outside_the_jurisdiction(void **state) {
  h_server_t *s = *state;
  const h_auth_t *o = h_as(s, H_ISRAEL);
  h_resp_t *il = h_create_person(s, o, h_person_json("Không Được Chuyển", "IL", "IL-TA", "worker"));
  const char *id = h_gets(il->json, "id");
  EXPECT_ERROR(s, h_call(s, o, "POST", MM_PRESENCE, "/api/v1/persons/%s/presences", id), 403,
               "forbidden", "country");
  EXPECT_ERROR(s,
               h_call(s, o, "PATCH", "{\"country\":\"MM\",\"region\":null}",
                      "/api/v1/persons/%s/presences/%s", id, h_gets(il->json, "presences[0].id")),
               403, "forbidden", "country");
  /* So the Myanmar officer still cannot see the person. */
  EXPECT_ERROR(s, h_call(s, h_as(s, H_MYANMAR), "GET", NULL, "/api/v1/persons/%s", id), 404,
               "not_found", NULL);
  /* Within the jurisdiction (Israel's mission covers IL and PS) it is fine. */
  EXPECT_STATUS(s,
                h_call(s, o, "POST", "{\"country\":\"PS\",\"category\":\"worker\"}",
                       "/api/v1/persons/%s/presences", id),
                201);
  /* HQ may place anyone anywhere. */
  EXPECT_STATUS(
      s, h_call(s, h_as(s, H_HQ), "POST", MM_PRESENCE, "/api/v1/persons/%s/presences", id), 201);
}

static void viewer_gets_403_for_personal_data_but_200_for_stats(void **state) {
  h_server_t *s = *state;
  const h_auth_t *v = h_as(s, H_VIEWER);
  EXPECT_ERROR(s, h_call(s, v, "GET", NULL, "/api/v1/persons"), 403, "forbidden", NULL);
  EXPECT_ERROR(s, h_call(s, v, "GET", NULL, "/api/v1/persons?q=nguyen"), 403, "forbidden", NULL);
  EXPECT_ERROR(s,
               h_call(s, v, "POST", h_person_json("X Y", "VN", NULL, "worker"), "/api/v1/persons"),
               403, "forbidden", NULL);
  h_resp_t *st = h_call(s, v, "GET", NULL, "/api/v1/stats/persons");
  EXPECT_STATUS(s, st, 200);
  assert_true(json_is_object(h_get(st->json, "by_country")));
}

int api_authz_tests(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(authorization_matrix_holds_for_every_route_and_role),
      cmocka_unit_test(officer_in_myanmar_gets_404_for_person_only_in_israel),
      cmocka_unit_test(officer_in_israel_reads_and_updates_person_in_israel),
      cmocka_unit_test(officer_cannot_move_a_person_outside_the_jurisdiction),
      cmocka_unit_test(viewer_gets_403_for_personal_data_but_200_for_stats),
  };
  return cmocka_run_group_tests_name("authz", tests, h_group_setup, h_group_teardown);
}
