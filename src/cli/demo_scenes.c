/*
 * demo_scenes.c - the events of the demo's two scenarios (shared/context/SYSTEM.md), stored on
 * top of the persons and crises of demo.c through the public store functions, so that every
 * screen shows what the real workflows would have left behind:
 *
 * Israel, October-November 2023: the Embassy's "are you safe?" alert of 8 October to everyone
 * present, the answers (most safe, a few "need help", each of which opens a case through
 * store_case_from_checkin as the check-in page does, some not in the area, some silent), cases
 * from the hotline, e-mail and walk-ins with their timelines, an assembly point at the airport
 * and a shelter, 13 students repatriated on a commercial flight (two seats offered to a partner
 * country) and on a partner country's humanitarian flight (seats received), both arrived
 * through store_transport_arrive, and a repatriation flight planned for November.
 *
 * Myanmar, Kayin State, November 2023: groups handed over by the local authorities (cases of
 * type trafficking and detention, channel partner_referral, owned by the Embassy in Myanmar; one
 * transferred to the Consulate General in Kunming), a staging area near the Chinese border with
 * its check-ins, a bus that brought 40 of them home overland (arrived), and a second bus planned.
 *
 * Times are those of the story wherever the store takes a time; the creation times of sites
 * and transports are set by the store (the loading time). Nothing is sent: the alert's messages
 * are stored "not_configured" whatever the delivery configuration.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alert/alert.h"
#include "cli/demo_int.h"
#include "domain/case.h"
#include "domain/pdate.h"
#include "store/store_alert.h"
#include "store/store_case.h"
#include "store/store_evac.h"
#include "util/arena.h"
#include "util/err.h"

#define DEMO_NEED_HELP_MAX 16 /* "need help" answers of the Israel alert (12 with the rule below) */
#define DEMO_GROUP_MAX 40     /* members of one manifest booking in the demo */

/* Unix time of an RFC 3339 instant written in this file (always valid). */
static int64_t demo_at(const char *iso) {
  int64_t t = 0;
  pdate_parse_timestamp(iso, &t);
  return t;
}

/* ---- cases ---- */

/* Appends an event to a case's timeline; detail (may be NULL) is released. */
static int demo_case_event(store_conn_t *c, int64_t case_id, int64_t at, const char *kind,
                           int64_t author, json_t *detail, const char *note) {
  char *text = detail ? json_dumps(detail, JSON_COMPACT) : NULL;
  json_decref(detail);
  case_event_t e = {.case_id = case_id, .at = at, .kind = kind, .author_id = author,
                    .detail = text, .note = note};
  int rc = store_case_event_add(c, &e);
  free(text);
  return rc;
}

/* What a demo case is opened with. */
struct demo_case {
  int type;            /* enum case_type */
  const char *channel; /* case_channels */
  int64_t crisis_id, mission_id, created_by;
  const char *summary, *description;
  const char *caller_name, *caller_phone, *caller_relation, *caller_notes;
  const int64_t *persons;
  size_t npersons;
  int64_t opened_at;
};

/*
 * Opens a case as the intake form does: its persons linked, the priority computed from the
 * type and the persons' facts, the default due time, and its "created" event. Fills *id.
 */
static int demo_case_open(store_conn_t *c, const struct demo_case *in, int64_t *id) {
  case_person_facts_t facts[CASE_PERSONS_MAX];
  size_t n = in->npersons < CASE_PERSONS_MAX ? in->npersons : CASE_PERSONS_MAX;
  int rc = BH_OK;
  for (size_t i = 0; rc == BH_OK && i < n; i++) {
    rc = store_case_person_facts(c, &STORE_SCOPE_ALL, in->persons[i], &facts[i]);
  }
  if (rc != BH_OK) return rc;
  case_t k = {.type = in->type, .status = CASE_NEW, .priority_override = -1,
              .channel = in->channel, .crisis_id = in->crisis_id, .mission_id = in->mission_id,
              .summary = in->summary, .description = in->description,
              .caller_name = in->caller_name, .caller_phone = in->caller_phone,
              .caller_relation = in->caller_relation, .caller_notes = in->caller_notes,
              .created_by = in->created_by, .opened_at = in->opened_at,
              .updated_at = in->opened_at};
  k.priority_computed = case_priority_compute(k.type, facts, n);
  k.priority = k.priority_computed;
  k.due_at = case_due_default(k.priority, k.opened_at);
  rc = store_case_create(c, &k);
  for (size_t i = 0; rc == BH_OK && i < n; i++) {
    rc = store_case_person_add(c, k.id, in->persons[i], in->created_by, in->opened_at);
  }
  if (rc == BH_OK) {
    rc = demo_case_event(c, k.id, k.opened_at, "created", in->created_by,
                         json_pack("{s:s, s:s, s:s, s:s, s:b, s:I}", "type", case_types[k.type],
                                   "channel", k.channel, "status", case_statuses[k.status],
                                   "priority", case_priorities[k.priority], "overridden", 0,
                                   "mission", (json_int_t)k.mission_id),
                         NULL);
  }
  *id = k.id;
  return rc;
}

/*
 * One officer's step on a case at time at: assignment to user (0: unchanged), a move to status
 * to (-1: unchanged; the workflow's times follow), a transfer to mission (0: none) with note as
 * its reason, and otherwise note as a timeline note (NULL: none).
 */
struct demo_step {
  const char *at;
  int64_t author;
  int64_t assign;
  int to;
  int64_t transfer_to;
  const char *note;
};

static int demo_case_step(store_conn_t *c, arena_t *a, int64_t id, const struct demo_step *s) {
  int64_t at = demo_at(s->at);
  case_t k;
  int rc = store_case_get(c, &STORE_SCOPE_ALL, id, a, &k);
  if (rc != BH_OK) return rc;
  const char *note = s->note;
  if (s->transfer_to != 0) {
    int64_t from = k.mission_id, previous_user = k.assigned_to;
    k.mission_id = s->transfer_to;
    k.assigned_to = 0;
    rc = demo_case_event(c, id, at, "transferred", s->author,
                         json_pack("{s:I, s:I, s:o}", "mission", (json_int_t)s->transfer_to,
                                   "previous_mission", (json_int_t)from, "previous_user",
                                   previous_user ? json_integer((json_int_t)previous_user)
                                                 : json_null()),
                         note);
    note = NULL;
  }
  if (rc == BH_OK && s->assign != 0 && s->assign != k.assigned_to) {
    rc = demo_case_event(c, id, at, "assigned", s->author,
                         json_pack("{s:I, s:o}", "user", (json_int_t)s->assign, "previous_user",
                                   k.assigned_to ? json_integer((json_int_t)k.assigned_to)
                                                 : json_null()),
                         NULL);
    k.assigned_to = s->assign;
  }
  /* A status the workflow does not reach at once is reached through the statuses in between
   * (new, triaged, in progress, resolved, closed), each with its event; the note goes with the
   * last. */
  while (rc == BH_OK && s->to >= 0 && s->to != k.status) {
    int next = case_transition_allowed(k.status, s->to) ? s->to : k.status + 1;
    if (next >= CASE_STATUS_COUNT || !case_transition_allowed(k.status, next)) {
      return BH_ERR_CONFLICT;
    }
    rc = demo_case_event(c, id, at, "status", s->author,
                         json_pack("{s:s, s:s}", "from", case_statuses[k.status], "to",
                                   case_statuses[next]),
                         next == s->to ? note : NULL);
    if (next == s->to) note = NULL;
    k.status = next;
    if (k.status == CASE_RESOLVED) k.resolved_at = at;
    if (k.status == CASE_CLOSED) k.closed_at = at;
    if (k.status == CASE_IN_PROGRESS) k.resolved_at = k.closed_at = 0;
  }
  if (rc == BH_OK && note != NULL) rc = demo_case_event(c, id, at, "note", s->author, NULL, note);
  k.updated_at = at;
  if (rc == BH_OK) rc = store_case_update(c, &STORE_SCOPE_ALL, &k);
  return rc;
}

/* Runs the n steps of one case, in order. */
static int demo_case_steps(store_conn_t *c, arena_t *a, int64_t id, const struct demo_step *s,
                           size_t n) {
  int rc = BH_OK;
  for (size_t i = 0; rc == BH_OK && i < n; i++) rc = demo_case_step(c, a, id, &s[i]);
  return rc;
}

#define DEMO_STEPS(c, a, id, ...)                                                  \
  demo_case_steps(c, a, id, (const struct demo_step[]){__VA_ARGS__},               \
                  sizeof((const struct demo_step[]){__VA_ARGS__}) / sizeof(struct demo_step))

/* A welfare status set by an officer at an instant of the story. */
static int demo_status(store_conn_t *c, int64_t person, const char *status, const char *at,
                       int64_t author, const char *note) {
  status_event_t ev = {.person_id = person, .status = status, .at = demo_at(at),
                       .source = "officer", .author_id = author, .note = note};
  return store_status_set(c, &STORE_SCOPE_ALL, &ev);
}

/* ---- the Israel alert and its answers ---- */

struct demo_audience {
  store_conn_t *c;
  const secret_t *keys;
  int64_t alert_id, now, recipients, english;
  int rc;
};

static const char *demo_first(const json_t *list) {
  const char *s = json_string_value(json_array_get(list, 0));
  return s != NULL && s[0] != '\0' ? s : NULL;
}

static int demo_audience_member(void *vctx, const store_audience_member_t *m) {
  struct demo_audience *x = vctx;
  alert_recipient_in_t in = {.person_id = m->person_id, .lang = alert_lang(m->preferred_language),
                             .email = demo_first(m->emails), .phone = demo_first(m->phones)};
  alert_token_hash(x->keys, x->alert_id, m->person_id, in.token_hash);
  /* Neither channel is "configured": the demo never sends a message to anyone. */
  x->rc = store_alert_add_recipient(x->c, x->alert_id, &in, 0, 0, x->now);
  x->recipients++;
  x->english += strcmp(in.lang, "en") == 0;
  return x->rc != BH_OK;
}

/* What person i of Israel answers (NULL: no answer), with a message and where they are. */
static const char *demo_answer(int i) {
  if (i < DEMO_STUDENTS) return "safe";
  if (i % 9 == 0) return NULL;
  if (i % 23 == 0) return "need_help";
  if (i % 29 == 0) return "not_in_area";
  return "safe";
}

static const char *const demo_help_messages[] = {
    "Còi báo động liên tục, chúng tôi cần được hỗ trợ di chuyển đến nơi an toàn.",
    "Trang trại nơi tôi làm việc gần khu vực giao tranh, xin Đại sứ quán giúp đỡ.",
    "Tôi hết tiền và không mua được vé máy bay về nước.",
    "Nhóm 4 người chúng tôi đang trú trong hầm, cần hướng dẫn sơ tán.",
};

/*
 * Records one answer as the check-in page does: the answer kept, a "need help" opening (or
 * adding to) the person's case, and the welfare status changed when the answer changes it.
 */
static int demo_answer_record(store_conn_t *c, const secret_t *keys, arena_t *a,
                              int64_t alert_id, int64_t person, const char *answer,
                              const char *message, const char *location, int64_t at,
                              int64_t *case_id) {
  unsigned char hash[SECRET_TOKEN_HASH_BYTES];
  alert_token_hash(keys, alert_id, person, hash);
  checkin_target_t t;
  int rc = store_checkin_target(c, hash, a, &t);
  if (rc != BH_OK) return rc;
  checkin_t k = {.target = &t, .answer = answer, .message = message, .location = location,
                 .source = "web", .at = at};
  rc = store_checkin_record(c, &k);
  if (rc == BH_OK && strcmp(answer, "need_help") == 0) {
    rc = store_case_from_checkin(c, t.crisis_id, person, alert_id, message, location, at, case_id,
                                 NULL);
  }
  const char *status = alert_answer_status(answer);
  if (rc != BH_OK || (t.person_status != NULL && strcmp(t.person_status, status) == 0)) return rc;
  status_event_t ev = {.person_id = person, .status = status, .at = at, .source = "check_in",
                       .note = message};
  return store_status_set(c, &STORE_SCOPE_ALL, &ev);
}

/* The alert of 8 October 2023 to everyone present in Israel, and its answers. Fills the cases
 * the "need help" answers opened (help[], *nhelp) and the persons who gave them. */
static int demo_israel_alert(store_conn_t *c, const secret_t *keys, arena_t *a,
                             const demo_ids_t *d, int64_t help[], int64_t help_person[],
                             size_t *nhelp) {
  static const char *const cities[] = {"Tel Aviv", "Haifa", "Jerusalem", "Beersheba",
                                       "Ashkelon", "Nazareth", "Rishon LeZion"};
  alert_t al = {
      .crisis_id = d->crisis_il,
      .status = "sending",
      .subject_vi = "Đại sứ quán hỏi thăm: bạn có an toàn không?",
      .subject_en = "The Embassy asks: are you safe?",
      .body_vi = "Xung đột vũ trang đang diễn ra tại Israel. Đại sứ quán Việt Nam tại Israel đề nghị "
                 "công dân tránh các khu vực xung đột, hạn chế tụ tập đông người và đi lại, và cho "
                 "Đại sứ quán biết tình hình của mình qua đường dẫn dưới đây.",
      .body_en = "Armed conflict is under way in Israel. The Embassy of Viet Nam in Israel advises "
                 "citizens to avoid areas of conflict, avoid large gatherings and limit travel, and "
                 "to tell the Embassy how they are through the link below.",
      .channels = json_pack("[s, s]", "email", "sms"),
      .ask_checkin = 1,
      .created_by = d->users[DEMO_U_ISRAEL],
      .created_at = demo_at("2023-10-08T07:40:00Z")};
  alert_extra_t x = {0};
  int rc = store_alert_create(c, &al, &x);
  json_decref(al.channels);
  if (rc != BH_OK) return rc;
  struct demo_audience ax = {.c = c, .keys = keys, .alert_id = al.id,
                             .now = demo_at("2023-10-08T08:00:00Z")};
  rc = store_crisis_audience_each(c, &STORE_SCOPE_ALL, d->crisis_il, NULL, "2023-10-08",
                                  demo_audience_member, &ax);
  if (rc == BH_OK) rc = ax.rc;
  if (rc == BH_OK) rc = store_alert_set_recipients(c, al.id, ax.recipients, ax.english, ax.now);
  *nhelp = 0;
  for (int i = 0; rc == BH_OK && i < DEMO_ISRAEL; i++) {
    const char *answer = demo_answer(i);
    if (answer == NULL) continue;
    int64_t at = ax.now + 300 + (int64_t)i * 240; /* within a day of the alert */
    const char *message = NULL, *location = NULL;
    int needs = strcmp(answer, "need_help") == 0;
    if (needs) {
      message = demo_help_messages[*nhelp % (sizeof(demo_help_messages) / sizeof(char *))];
      location = cities[*nhelp % (sizeof(cities) / sizeof(cities[0]))];
    } else if (strcmp(answer, "not_in_area") == 0) {
      message = "Tôi đã rời Israel trước ngày 7/10.";
    }
    int64_t case_id = 0;
    rc = demo_answer_record(c, keys, a, al.id, d->il[i], answer, message, location, at, &case_id);
    if (rc == BH_OK && needs && *nhelp < DEMO_NEED_HELP_MAX) {
      help[*nhelp] = case_id;
      help_person[*nhelp] = d->il[i];
      (*nhelp)++;
    }
  }
  /* One of them answers again the next day: the answer joins the open case, no second case. */
  if (rc == BH_OK && *nhelp > 5) {
    rc = demo_answer_record(c, keys, a, al.id, help_person[5], "need_help",
                            "Vẫn chưa có phương tiện, xin liên lạc lại số điện thoại này.",
                            "Ashkelon", demo_at("2023-10-09T19:20:00Z"), NULL);
  }
  return rc;
}

/* ---- sites and transports ---- */

static int demo_site(store_conn_t *c, const char *kind, const char *name, const char *country,
                     const char *region, double lat, double lon, int64_t capacity,
                     int64_t crisis, const char *notes, int64_t author, int64_t *id) {
  site_t s = {.kind = kind, .name = name, .region = region, .has_geo = 1, .lat = lat, .lon = lon,
              .capacity = capacity, .crisis_id = crisis, .notes = notes, .created_by = author};
  snprintf(s.country, sizeof(s.country), "%s", country);
  int rc = store_site_create(c, &s);
  *id = s.id;
  return rc;
}

/* Checks persons[0..n-1] in at site at in (spaced a minute apart), and out at out (0: stay). */
static int demo_stays(store_conn_t *c, int64_t site, const int64_t *persons, size_t n, int64_t in,
                      int64_t out, int64_t author) {
  int rc = BH_OK;
  evac_refusal_t why;
  for (size_t i = 0; rc == BH_OK && i < n; i++) {
    int64_t stay;
    rc = store_site_checkin(c, &STORE_SCOPE_ALL, site, persons[i], in + (int64_t)i * 60, author,
                            &why, &stay);
    if (rc == BH_OK && out != 0) {
      rc = store_site_checkout(c, &STORE_SCOPE_ALL, site, persons[i], out, author, &why);
    }
  }
  return rc;
}

struct demo_transport {
  const char *mode, *provider, *partner_country, *purpose;
  int64_t crisis_id;
  const char *origin_place, *origin_country, *destination_place, *destination_country;
  const char *departure, *arrival;
  int64_t capacity;
  const char *reference;
  const char *seats; /* JSON array text, or NULL */
  const char *notes;
  int64_t author;
};

static int demo_transport_create(store_conn_t *c, const struct demo_transport *in, int64_t *id) {
  transport_t t = {.mode = in->mode, .provider = in->provider,
                   .partner_country = in->partner_country, .purpose = in->purpose,
                   .crisis_id = in->crisis_id, .origin_place = in->origin_place,
                   .destination_place = in->destination_place,
                   .departure_at = demo_at(in->departure),
                   .arrival_at = in->arrival ? demo_at(in->arrival) : 0,
                   .capacity = in->capacity, .reference = in->reference,
                   .seats = in->seats ? json_loads(in->seats, 0, NULL) : json_array(),
                   .notes = in->notes, .created_by = in->author};
  snprintf(t.origin_country, sizeof(t.origin_country), "%s", in->origin_country);
  snprintf(t.destination_country, sizeof(t.destination_country), "%s", in->destination_country);
  int rc = t.seats != NULL ? store_transport_create(c, &t) : BH_ERR_INVALID;
  *id = t.id;
  transport_clear(&t);
  return rc;
}

/* Books registered persons[0..n-1] as one group at at; their entry ids go to ids (may be NULL). */
static int demo_book(store_conn_t *c, int64_t tid, const int64_t *persons, size_t n, int64_t at,
                     int64_t author, int64_t *ids) {
  manifest_in_t in[DEMO_GROUP_MAX];
  int64_t local[DEMO_GROUP_MAX], booking;
  evac_refusal_t why;
  if (n > DEMO_GROUP_MAX) return BH_ERR_INVALID;
  memset(in, 0, sizeof(in));
  for (size_t i = 0; i < n; i++) in[i].person_id = persons[i];
  return store_manifest_add(c, &STORE_SCOPE_ALL, tid, in, n, at, author, ids ? ids : local,
                            &booking, &why);
}

/* Boards entries[0..n-1] at board, departs at depart and arrives at arrive (the arrival marks
 * the persons repatriated and closes their presences abroad). */
static int demo_travel(store_conn_t *c, int64_t tid, const int64_t *entries, size_t n,
                       int64_t board, int64_t depart, int64_t arrive, int64_t author) {
  evac_refusal_t why;
  int rc = BH_OK;
  for (size_t i = 0; rc == BH_OK && i < n; i++) {
    rc = store_manifest_set_status(c, &STORE_SCOPE_ALL, tid, entries[i], "boarded", board, author,
                                   &why);
  }
  if (rc == BH_OK) {
    rc = store_transport_set_status(c, &STORE_SCOPE_ALL, tid, "departed", depart, author, &why);
  }
  store_arrival_t arr;
  if (rc == BH_OK) rc = store_transport_arrive(c, &STORE_SCOPE_ALL, tid, arrive, author, &arr, &why);
  return rc;
}

/* ---- Israel ---- */

static int demo_israel_cases(store_conn_t *c, arena_t *a, const demo_ids_t *d,
                             const int64_t help[], size_t nhelp) {
  int64_t officer = d->users[DEMO_U_ISRAEL], hq = d->users[DEMO_U_HQ];
  int64_t mission = d->missions[DEMO_M_ISRAEL];
  int rc = BH_OK;
  /* The cases the "need help" answers opened, taken up by the Embassy. */
  if (nhelp > 0) {
    rc = DEMO_STEPS(c, a, help[0],
                    {"2023-10-08T11:00:00Z", officer, officer, CASE_TRIAGED, 0,
                     "Đã gọi lại: 4 người đang trú trong hầm của trang trại, chưa ai bị thương."},
                    {"2023-10-08T15:30:00Z", officer, 0, CASE_IN_PROGRESS, 0,
                     "Phối hợp với chủ trang trại đưa nhóm lên phía Bắc; Đại sứ quán theo dõi hằng ngày."});
  }
  if (rc == BH_OK && nhelp > 1) {
    rc = DEMO_STEPS(c, a, help[1],
                    {"2023-10-08T12:10:00Z", officer, officer, CASE_IN_PROGRESS, 0,
                     "Hướng dẫn đến nơi trú ẩn tạm thời tại Tel Aviv."},
                    {"2023-10-09T09:00:00Z", officer, 0, CASE_RESOLVED, 0,
                     "Công dân đã đến nơi trú ẩn an toàn."},
                    {"2023-10-16T09:00:00Z", officer, 0, CASE_CLOSED, 0, NULL});
  }
  if (rc == BH_OK && nhelp > 2) {
    rc = DEMO_STEPS(c, a, help[2],
                    {"2023-10-09T08:00:00Z", officer, officer, CASE_TRIAGED, 0,
                     "Công dân đề nghị hỗ trợ vé máy bay; đã hướng dẫn làm đơn."},
                    {"2023-10-10T10:00:00Z", officer, 0, -1, 0,
                     "Cục Lãnh sự đồng ý hỗ trợ một phần chi phí vé."});
  }
  if (rc == BH_OK && nhelp > 3) {
    rc = DEMO_STEPS(c, a, help[3],
                    {"2023-10-09T10:30:00Z", officer, officer, CASE_IN_PROGRESS, 0, NULL},
                    {"2023-10-11T14:00:00Z", officer, 0, CASE_RESOLVED, 0,
                     "Nhóm đã được sơ tán khỏi khu vực gần Dải Gaza."});
  }
  if (rc != BH_OK) return rc;
  /* A passport lost on the way out (hotline), resolved with a travel document. */
  int64_t id;
  rc = demo_case_open(c, &(struct demo_case){
      .type = CASE_LOST_DOCUMENTS, .channel = "hotline", .crisis_id = d->crisis_il,
      .mission_id = mission, .created_by = officer,
      .summary = "Mất hộ chiếu khi di chuyển khỏi Ashkelon (passport lost leaving Ashkelon)",
      .description = "Công dân gọi đường dây nóng của Đại sứ quán: hộ chiếu bị mất khi rời chỗ ở.",
      .persons = &d->il[17], .npersons = 1, .opened_at = demo_at("2023-10-10T07:15:00Z")}, &id);
  if (rc == BH_OK) {
    rc = DEMO_STEPS(c, a, id,
                    {"2023-10-10T08:00:00Z", officer, officer, CASE_IN_PROGRESS, 0,
                     "Đã xác minh nhân thân qua dữ liệu đăng ký công dân."},
                    {"2023-10-13T09:00:00Z", officer, 0, CASE_RESOLVED, 0,
                     "Đã cấp giấy thông hành để về nước."},
                    {"2023-10-20T09:00:00Z", officer, 0, CASE_CLOSED, 0, NULL});
  }
  /* A worker hurt by debris (the officer records the injury), in hospital. */
  if (rc == BH_OK) {
    rc = demo_status(c, d->il[40], "injured", "2023-10-11T06:30:00Z", officer,
                     "Bị thương nhẹ do mảnh vỡ, đang điều trị tại bệnh viện (Ashkelon).");
  }
  if (rc == BH_OK) {
    rc = demo_case_open(c, &(struct demo_case){
        .type = CASE_MEDICAL, .channel = "hotline", .crisis_id = d->crisis_il,
        .mission_id = mission, .created_by = officer,
        .summary = "Lao động bị thương, đang điều trị tại bệnh viện (injured worker in hospital)",
        .persons = &d->il[40], .npersons = 1, .opened_at = demo_at("2023-10-11T06:45:00Z")}, &id);
  }
  if (rc == BH_OK) {
    rc = DEMO_STEPS(c, a, id,
                    {"2023-10-11T07:00:00Z", officer, officer, CASE_IN_PROGRESS, 0,
                     "Cán bộ Đại sứ quán đến thăm, liên hệ gia đình tại Việt Nam."},
                    {"2023-10-14T10:00:00Z", officer, 0, -1, 0,
                     "Sức khỏe ổn định; dự kiến xuất viện trong tuần."});
  }
  /* A mother in Viet Nam reports her son missing (e-mail to the Consular Department). */
  if (rc == BH_OK) {
    rc = demo_status(c, d->il[18], "missing", "2023-10-09T05:00:00Z", hq,
                     "Gia đình báo mất liên lạc từ ngày 7/10.");
  }
  if (rc == BH_OK) {
    rc = demo_case_open(c, &(struct demo_case){
        .type = CASE_MISSING_PERSON_REPORT, .channel = "email", .crisis_id = d->crisis_il,
        .mission_id = mission, .created_by = hq,
        .summary = "Gia đình báo mất liên lạc với con trai làm nông nghiệp ở miền Nam Israel",
        .caller_name = "Hoàng Thị Mai (demo)", .caller_phone = "+84 91 000 0001",
        .caller_relation = "mother",
        .caller_notes = "Không liên lạc được với con từ sáng 7/10; con làm việc ở trang trại gần Gaza.",
        .persons = &d->il[18], .npersons = 1, .opened_at = demo_at("2023-10-09T04:40:00Z")}, &id);
  }
  if (rc == BH_OK) {
    rc = DEMO_STEPS(c, a, id,
                    {"2023-10-09T06:00:00Z", officer, officer, CASE_TRIAGED, 0,
                     "Đã liên hệ chủ sử dụng lao động và cơ quan chức năng sở tại, đang xác minh."});
  }
  /* Money for the ticket home (walk-in), settled. */
  if (rc == BH_OK) {
    rc = demo_case_open(c, &(struct demo_case){
        .type = CASE_FINANCIAL, .channel = "walk_in", .crisis_id = d->crisis_il,
        .mission_id = mission, .created_by = officer,
        .summary = "Đề nghị hỗ trợ chi phí đi lại đến sân bay (help with travel costs)",
        .persons = &d->il[50], .npersons = 1, .opened_at = demo_at("2023-10-12T09:00:00Z")}, &id);
  }
  if (rc == BH_OK) {
    rc = DEMO_STEPS(c, a, id,
                    {"2023-10-12T10:00:00Z", officer, officer, CASE_IN_PROGRESS, 0, NULL},
                    {"2023-10-12T16:00:00Z", officer, 0, CASE_RESOLVED, 0,
                     "Đã hỗ trợ chi phí từ quỹ bảo hộ công dân."},
                    {"2023-10-19T09:00:00Z", officer, 0, CASE_CLOSED, 0, NULL});
  }
  return rc;
}

static int demo_israel(store_conn_t *c, const secret_t *keys, arena_t *a, const demo_ids_t *d) {
  int64_t officer = d->users[DEMO_U_ISRAEL];
  int64_t help[DEMO_NEED_HELP_MAX], help_person[DEMO_NEED_HELP_MAX];
  size_t nhelp = 0;
  int rc = demo_israel_alert(c, keys, a, d, help, help_person, &nhelp);
  if (rc == BH_OK) rc = demo_israel_cases(c, a, d, help, nhelp);
  /* The students ask to go home (e-mail); the case follows them until they have arrived. */
  int64_t students_case = 0;
  if (rc == BH_OK) {
    rc = demo_case_open(c, &(struct demo_case){
        .type = CASE_EVACUATION_REQUEST, .channel = "email", .crisis_id = d->crisis_il,
        .mission_id = d->missions[DEMO_M_ISRAEL], .created_by = officer,
        .summary = "13 sinh viên đề nghị hỗ trợ về nước (13 students ask to be repatriated)",
        .description = "Sinh viên thực tập nông nghiệp; trường đại học đề nghị Đại sứ quán hỗ trợ.",
        .persons = d->il, .npersons = DEMO_STUDENTS,
        .opened_at = demo_at("2023-10-09T03:00:00Z")}, &students_case);
  }
  if (rc == BH_OK) {
    rc = DEMO_STEPS(c, a, students_case,
                    {"2023-10-09T05:00:00Z", officer, officer, CASE_IN_PROGRESS, 0,
                     "7 vé trên chuyến bay thương mại ngày 12/10; 6 chỗ còn lại đề nghị nước bạn "
                     "hỗ trợ trên chuyến bay nhân đạo."});
  }
  /* Where people gathered: a shelter, and the assembly point at the airport. */
  int64_t shelter = 0, airport = 0;
  if (rc == BH_OK) {
    rc = demo_site(c, "shelter", "Nơi trú ẩn tạm thời, Tel Aviv (temporary shelter)", "IL",
                   "IL-TA", 32.0853, 34.7818, 40, d->crisis_il,
                   "Nhà cộng đồng có hầm trú ẩn; liên hệ Đại sứ quán trước khi đến.", officer,
                   &shelter);
  }
  if (rc == BH_OK) {
    rc = demo_site(c, "assembly_point",
                   "Điểm tập kết sân bay Ben Gurion (Ben Gurion airport assembly point)", "IL",
                   "IL-M", 32.0055, 34.8854, 60, d->crisis_il,
                   "Cán bộ Đại sứ quán đón công dân trước các chuyến bay về nước.", officer,
                   &airport);
  }
  if (rc == BH_OK && nhelp > 2) {
    rc = demo_stays(c, shelter, help_person, 3, demo_at("2023-10-09T08:00:00Z"), 0, officer);
  }
  if (rc == BH_OK) {
    rc = demo_stays(c, airport, d->il, 7, demo_at("2023-10-12T15:00:00Z"),
                    demo_at("2023-10-12T18:30:00Z"), officer);
  }
  if (rc == BH_OK) {
    rc = demo_stays(c, airport, d->il + 7, DEMO_STUDENTS - 7, demo_at("2023-10-17T04:00:00Z"),
                    demo_at("2023-10-17T07:30:00Z"), officer);
  }
  /* A commercial flight (seven students, and two seats offered to Thai nationals). */
  int64_t t1 = 0, t2 = 0, t3 = 0, e[DEMO_GROUP_MAX];
  if (rc == BH_OK) {
    rc = demo_transport_create(c, &(struct demo_transport){
        .mode = "flight", .provider = "commercial", .purpose = "repatriation",
        .crisis_id = d->crisis_il, .origin_place = "Sân bay Ben Gurion, Tel Aviv",
        .origin_country = "IL", .destination_place = "Sân bay Nội Bài, Hà Nội",
        .destination_country = "VN", .departure = "2023-10-12T20:00:00Z",
        .arrival = "2023-10-13T13:30:00Z", .capacity = 9, .reference = "DEMO 101",
        .seats = "[{\"country\":\"TH\",\"seats\":2,\"direction\":\"offered\"}]",
        .notes = "Vé thương mại do Đại sứ quán hỗ trợ; 2 chỗ nhường cho công dân Thái Lan.",
        .author = officer}, &t1);
  }
  if (rc == BH_OK) rc = demo_book(c, t1, d->il, 7, demo_at("2023-10-10T10:00:00Z"), officer, e);
  if (rc == BH_OK) {
    manifest_in_t partners[2] = {{.full_name = "Anong Srisawat (demo)"},
                                 {.full_name = "Niran Thongdee (demo)"}};
    memcpy(partners[0].nationality, "TH", 3);
    memcpy(partners[1].nationality, "TH", 3);
    int64_t booking;
    evac_refusal_t why;
    rc = store_manifest_add(c, &STORE_SCOPE_ALL, t1, partners, 2,
                            demo_at("2023-10-11T08:00:00Z"), officer, e + 7, &booking, &why);
  }
  if (rc == BH_OK) {
    rc = demo_travel(c, t1, e, 9, demo_at("2023-10-12T18:30:00Z"),
                     demo_at("2023-10-12T20:05:00Z"), demo_at("2023-10-13T13:30:00Z"), officer);
  }
  /* A partner country's humanitarian flight: six seats received for the other students. */
  if (rc == BH_OK) {
    rc = demo_transport_create(c, &(struct demo_transport){
        .mode = "flight", .provider = "partner", .partner_country = "KR",
        .purpose = "repatriation", .crisis_id = d->crisis_il,
        .origin_place = "Sân bay Ben Gurion, Tel Aviv", .origin_country = "IL",
        .destination_place = "Sân bay Tân Sơn Nhất, TP. Hồ Chí Minh",
        .destination_country = "VN", .departure = "2023-10-17T09:00:00Z",
        .arrival = "2023-10-18T02:00:00Z", .capacity = DEMO_STUDENTS - 7,
        .reference = "DEMO 202",
        .seats = "[{\"country\":\"KR\",\"seats\":6,\"direction\":\"received\"}]",
        .notes = "Chuyến bay nhân đạo của nước bạn; 6 chỗ dành cho công dân Việt Nam.",
        .author = officer}, &t2);
  }
  if (rc == BH_OK) {
    rc = demo_book(c, t2, d->il + 7, DEMO_STUDENTS - 7, demo_at("2023-10-15T10:00:00Z"), officer, e);
  }
  if (rc == BH_OK) {
    rc = demo_travel(c, t2, e, DEMO_STUDENTS - 7, demo_at("2023-10-17T07:30:00Z"),
                     demo_at("2023-10-17T09:10:00Z"), demo_at("2023-10-18T02:00:00Z"), officer);
  }
  if (rc == BH_OK) {
    rc = DEMO_STEPS(c, a, students_case,
                    {"2023-10-18T04:00:00Z", officer, 0, CASE_RESOLVED, 0,
                     "Cả 13 sinh viên đã về nước an toàn trên 2 chuyến bay."});
  }
  /* November: the Embassy's own repatriation flight, being booked. */
  if (rc == BH_OK) {
    rc = demo_transport_create(c, &(struct demo_transport){
        .mode = "flight", .provider = "own", .purpose = "repatriation",
        .crisis_id = d->crisis_il, .origin_place = "Sân bay Ben Gurion, Tel Aviv",
        .origin_country = "IL", .destination_place = "Sân bay Nội Bài, Hà Nội",
        .destination_country = "VN", .departure = "2023-11-20T08:00:00Z", .capacity = 200,
        .reference = "DEMO 303",
        .notes = "Chuyến bay hồi hương do Đại sứ quán tổ chức; đăng ký qua đường dây nóng.",
        .author = officer}, &t3);
  }
  if (rc == BH_OK) {
    rc = demo_book(c, t3, d->il + 100, 12, demo_at("2023-11-10T09:00:00Z"), officer, NULL);
  }
  return rc;
}

/* ---- Myanmar, Kayin State ---- */

static int demo_kayin(store_conn_t *c, arena_t *a, const demo_ids_t *d) {
  int64_t officer = d->users[DEMO_U_MYANMAR], kunming = d->users[DEMO_U_KUNMING];
  int64_t mission = d->missions[DEMO_M_MYANMAR];
  const int64_t *mm = d->mm;
  int64_t k1 = 0, k2 = 0, k3 = 0, k4 = 0, k5 = 0;
  /* The local authorities hand over groups of released people (partner referrals). */
  int rc = demo_case_open(c, &(struct demo_case){
      .type = CASE_TRAFFICKING, .channel = "partner_referral", .crisis_id = d->crisis_mm,
      .mission_id = mission, .created_by = officer,
      .summary = "Chính quyền địa phương bàn giao 20 công dân được giải thoát khỏi cơ sở lừa đảo",
      .description = "Danh sách người nước ngoài được giải thoát tại Myawaddy; 20 người được xác định "
                     "là công dân Việt Nam.",
      .persons = mm, .npersons = 20, .opened_at = demo_at("2023-11-08T04:00:00Z")}, &k1);
  if (rc == BH_OK) {
    rc = demo_case_open(c, &(struct demo_case){
        .type = CASE_TRAFFICKING, .channel = "partner_referral", .crisis_id = d->crisis_mm,
        .mission_id = mission, .created_by = officer,
        .summary = "Đợt bàn giao thứ hai: 20 công dân từ cơ sở lừa đảo trực tuyến",
        .persons = mm + 20, .npersons = 20, .opened_at = demo_at("2023-11-08T09:30:00Z")}, &k2);
  }
  if (rc == BH_OK) {
    rc = demo_case_open(c, &(struct demo_case){
        .type = CASE_DETENTION, .channel = "partner_referral", .crisis_id = d->crisis_mm,
        .mission_id = mission, .created_by = officer,
        .summary = "3 công dân bị tạm giữ vì nhập cảnh trái phép (held for illegal entry)",
        .persons = mm + 40, .npersons = 3, .opened_at = demo_at("2023-11-09T03:00:00Z")}, &k3);
  }
  if (rc == BH_OK) {
    rc = demo_case_open(c, &(struct demo_case){
        .type = CASE_TRAFFICKING, .channel = "partner_referral", .crisis_id = d->crisis_mm,
        .mission_id = mission, .created_by = officer,
        .summary = "8 công dân được đưa về phía biên giới Trung Quốc, chờ xuất cảnh sang Vân Nam",
        .persons = mm + 43, .npersons = 8, .opened_at = demo_at("2023-11-10T02:00:00Z")}, &k4);
  }
  if (rc == BH_OK) {
    rc = demo_case_open(c, &(struct demo_case){
        .type = CASE_TRAFFICKING, .channel = "partner_referral", .crisis_id = d->crisis_mm,
        .mission_id = mission, .created_by = officer,
        .summary = "Đợt bàn giao thứ ba: 19 công dân, đang chờ xác minh nhân thân",
        .persons = mm + 51, .npersons = 19, .opened_at = demo_at("2023-11-12T05:00:00Z")}, &k5);
  }
  if (rc == BH_OK) {
    rc = DEMO_STEPS(c, a, k1,
                    {"2023-11-08T05:00:00Z", officer, officer, CASE_TRIAGED, 0,
                     "Đã đối chiếu danh sách với dữ liệu công dân: 20/20 người khớp."},
                    {"2023-11-09T02:00:00Z", officer, 0, CASE_IN_PROGRESS, 0,
                     "Phối hợp với chính quyền sở tại đưa nhóm đến điểm tập kết gần biên giới "
                     "Trung Quốc."});
  }
  if (rc == BH_OK) {
    rc = DEMO_STEPS(c, a, k2,
                    {"2023-11-08T11:00:00Z", officer, officer, CASE_IN_PROGRESS, 0,
                     "Cấp giấy thông hành cho những người bị giữ hộ chiếu."});
  }
  if (rc == BH_OK) {
    rc = DEMO_STEPS(c, a, k3,
                    {"2023-11-09T06:00:00Z", officer, officer, CASE_TRIAGED, 0,
                     "Đề nghị chính quyền sở tại cho thăm lãnh sự và trao trả."},
                    {"2023-11-14T03:00:00Z", officer, 0, CASE_IN_PROGRESS, 0,
                     "Đã thăm lãnh sự; ba người sức khỏe bình thường."});
  }
  if (rc == BH_OK) {
    rc = DEMO_STEPS(c, a, k4,
                    {"2023-11-10T04:00:00Z", officer, officer, CASE_IN_PROGRESS, 0, NULL},
                    {"2023-11-14T08:00:00Z", officer, 0, -1, d->missions[DEMO_M_KUNMING],
                     "Nhóm sẽ xuất cảnh qua Vân Nam: chuyển Tổng Lãnh sự quán tại Côn Minh tiếp "
                     "nhận và phối hợp với cơ quan chức năng Trung Quốc."},
                    {"2023-11-14T10:00:00Z", kunming, kunming, -1, 0,
                     "Tổng Lãnh sự quán đã liên hệ cơ quan chức năng tỉnh Vân Nam."});
  }
  /* The staging area near the Chinese border. */
  int64_t site = 0;
  if (rc == BH_OK) {
    rc = demo_site(c, "assembly_point",
                   "Điểm tập kết Muse, gần biên giới Trung Quốc (staging area near the Chinese "
                   "border)", "MM", "MM-17", 23.9935, 97.9049, 120, d->crisis_mm,
                   "Nơi tạm trú trước khi về nước bằng đường bộ; cán bộ Đại sứ quán có mặt hằng ngày.",
                   officer, &site);
  }
  if (rc == BH_OK) {
    rc = demo_stays(c, site, mm, 40, demo_at("2023-11-12T06:00:00Z"),
                    demo_at("2023-11-15T00:30:00Z"), officer);
  }
  if (rc == BH_OK) rc = demo_stays(c, site, mm + 40, 30, demo_at("2023-11-13T07:00:00Z"), 0, officer);
  /* Home overland: a bus from the staging area to the border crossing at Lào Cai. */
  int64_t bus = 0, bus2 = 0, e[DEMO_GROUP_MAX];
  if (rc == BH_OK) {
    rc = demo_transport_create(c, &(struct demo_transport){
        .mode = "bus", .provider = "own", .purpose = "repatriation", .crisis_id = d->crisis_mm,
        .origin_place = "Điểm tập kết Muse", .origin_country = "MM",
        .destination_place = "Cửa khẩu quốc tế Lào Cai", .destination_country = "VN",
        .departure = "2023-11-15T01:00:00Z", .arrival = "2023-11-17T10:00:00Z", .capacity = 45,
        .reference = "DEMO-BUS-01",
        .notes = "Về nước bằng đường bộ qua Trung Quốc, phối hợp với Tổng Lãnh sự quán tại Côn Minh.",
        .author = officer}, &bus);
  }
  if (rc == BH_OK) rc = demo_book(c, bus, mm, 40, demo_at("2023-11-13T09:00:00Z"), officer, e);
  if (rc == BH_OK) {
    rc = demo_travel(c, bus, e, 40, demo_at("2023-11-15T00:30:00Z"),
                     demo_at("2023-11-15T01:00:00Z"), demo_at("2023-11-17T10:00:00Z"), officer);
  }
  if (rc == BH_OK) {
    rc = DEMO_STEPS(c, a, k1,
                    {"2023-11-17T11:00:00Z", officer, 0, CASE_RESOLVED, 0,
                     "20 công dân đã về nước qua cửa khẩu Lào Cai, bàn giao cho địa phương."},
                    {"2023-11-20T09:00:00Z", officer, 0, CASE_CLOSED, 0, NULL});
  }
  if (rc == BH_OK) {
    rc = DEMO_STEPS(c, a, k2,
                    {"2023-11-17T11:00:00Z", officer, 0, CASE_RESOLVED, 0,
                     "Đã về nước an toàn trên chuyến xe ngày 15/11."});
  }
  /* The next bus, for those still at the staging area. */
  if (rc == BH_OK) {
    rc = demo_transport_create(c, &(struct demo_transport){
        .mode = "bus", .provider = "own", .purpose = "repatriation", .crisis_id = d->crisis_mm,
        .origin_place = "Điểm tập kết Muse", .origin_country = "MM",
        .destination_place = "Cửa khẩu quốc tế Lào Cai", .destination_country = "VN",
        .departure = "2023-11-22T01:00:00Z", .capacity = 45, .reference = "DEMO-BUS-02",
        .author = officer}, &bus2);
  }
  if (rc == BH_OK) rc = demo_book(c, bus2, mm + 43, 27, demo_at("2023-11-18T09:00:00Z"), officer, NULL);
  return rc;
}

int demo_scenes(store_conn_t *c, const secret_t *keys, const demo_ids_t *d) {
  arena_t *a = arena_new(4 << 20);
  if (a == NULL) return BH_ERR_NOMEM;
  int rc = demo_israel(c, keys, a, d);
  if (rc == BH_OK) rc = demo_kayin(c, a, d);
  arena_free(a);
  return rc;
}
