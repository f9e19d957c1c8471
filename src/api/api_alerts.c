/*
 * api_alerts.c - mass alerts of a crisis: preview and creation (every recipient's messages are
 * stored in the outbox before anything is sent), delivery figures, the people who asked for help,
 * and the call list of non-responders after escalation.
 *
 * An alert may be previewed (?preview=1: audience and SMS parts, nothing stored), stored as a
 * draft ("draft": true, then POST /api/v1/alerts/{id}/send), or created and queued at once.
 * Only hq and admin, or an officer whose mission leads the crisis or whose jurisdiction covers
 * every country of the crisis, may send. A crisis an officer cannot see is a 404, as everywhere.
 */
#include <string.h>

#include "alert/alert.h"
#include "api/api.h"
#include "delivery/email.h"
#include "delivery/outbox.h"
#include "delivery/sms.h"
#include "store/store_alert.h"
#include "util/clock.h"
#include "util/err.h"

static const spec_field_t filter_spec[] = {
    {.name = "regions", .type = SPEC_STRING_ARRAY, .max_len = 50},
    {.name = "categories", .type = SPEC_STRING_ARRAY, .max_len = 6, .values = model_categories},
    {.name = "statuses", .type = SPEC_STRING_ARRAY, .max_len = 10, .values = model_statuses},
};

static const spec_field_t alert_spec[] = {
    {.name = "subject_vi", .type = SPEC_STRING, .flags = SPEC_REQUIRED, .min_len = 1,
     .max_len = ALERT_SUBJECT_MAX},
    {.name = "subject_en", .type = SPEC_STRING, .flags = SPEC_REQUIRED, .min_len = 1,
     .max_len = ALERT_SUBJECT_MAX},
    {.name = "body_vi", .type = SPEC_STRING, .flags = SPEC_REQUIRED | SPEC_MULTILINE,
     .min_len = 1, .max_len = ALERT_BODY_MAX},
    {.name = "body_en", .type = SPEC_STRING, .flags = SPEC_REQUIRED | SPEC_MULTILINE,
     .min_len = 1, .max_len = ALERT_BODY_MAX},
    {.name = "sms_vi", .type = SPEC_STRING, .flags = SPEC_NULLABLE, .max_len = ALERT_SMS_MAX},
    {.name = "sms_en", .type = SPEC_STRING, .flags = SPEC_NULLABLE, .max_len = ALERT_SMS_MAX},
    {.name = "channels", .type = SPEC_STRING_ARRAY, .flags = SPEC_REQUIRED, .min_len = 1,
     .max_len = 2, .values = model_channels},
    {.name = "filter", .type = SPEC_OBJECT, .flags = SPEC_NULLABLE, .sub = filter_spec,
     .nsub = SPEC_COUNT(filter_spec)},
    {.name = "ask_checkin", .type = SPEC_BOOL},
    {.name = "resend_after_minutes", .type = SPEC_INT, .min = 0, .max = ALERT_RESEND_MAX_MINUTES},
    {.name = "draft", .type = SPEC_BOOL},
};

static const char *const alert_stage_names[] = {"sent", "resent", "calls"};

/* 1 if the validated channel list holds name. */
static int has_channel(const json_t *channels, const char *name) {
  size_t i;
  json_t *v;
  json_array_foreach(channels, i, v) {
    if (strcmp(json_string_value(v), name) == 0) return 1;
  }
  return 0;
}

/*
 * Loads the crisis of an alert for the caller and checks they may alert it: 404 when the crisis is
 * not visible; 403 when an officer's mission neither leads it nor covers all its countries.
 */
static int crisis_for_alert_or_reply(http_req_t *r, api_ctx_t *ctx, int64_t crisis_id,
                                     int to_send, crisis_t *k) {
  int rc = store_crisis_get(ctx->db, &ctx->scope, crisis_id, r->arena, k);
  if (rc != BH_OK) {
    api_reply_store_error(r, rc, "crisis");
    return -1;
  }
  if (!to_send || ctx->scope.all || k->lead_mission_id == ctx->user.mission_id) return 0;
  mission_t m;
  int ok = 0;
  if (store_mission_get(ctx->db, ctx->scope.mission_id, r->arena, &m) == BH_OK) {
    ok = 1;
    size_t i, j;
    json_t *cv, *mv;
    json_array_foreach(k->countries, i, cv) {
      int found = 0;
      json_array_foreach(m.jurisdiction, j, mv) {
        if (strcmp(json_string_value(cv), json_string_value(mv)) == 0) found = 1;
      }
      if (!found) ok = 0;
    }
    mission_clear(&m);
  }
  if (!ok) {
    crisis_clear(k);
    http_reply_error(r, BH_ERR_FORBIDDEN, NULL,
                     "this crisis reaches beyond your mission's jurisdiction: hq sends its alerts");
    return -1;
  }
  return 0;
}

/* The first E.164 number of a person's phones (spaces, dots, dashes and brackets dropped). */
static const char *first_phone(arena_t *a, const json_t *phones) {
  size_t i;
  json_t *v;
  json_array_foreach(phones, i, v) {
    const char *s = json_string_value(v);
    if (s == NULL) continue;
    char out[MODEL_PHONE_MAX + 1];
    size_t n = 0;
    for (; *s && n < MODEL_PHONE_MAX; s++) {
      if ((*s >= '0' && *s <= '9') || (*s == '+' && n == 0)) out[n++] = *s;
    }
    out[n] = '\0';
    if (sms_number_valid(out)) return arena_strdup(a, out);
  }
  return NULL;
}

static const char *first_email(const json_t *emails) {
  size_t i;
  json_t *v;
  json_array_foreach(emails, i, v) {
    if (email_address_valid(json_string_value(v))) return json_string_value(v);
  }
  return NULL;
}

struct audience_ctx {
  app_t *app;
  http_req_t *r;
  store_conn_t *db;
  int64_t alert_id; /* 0 for a preview */
  int want_email, want_sms, email_ok, sms_ok;
  int64_t now;
  int64_t recipients, emails, phones;
  int64_t english; /* recipients who read English (the others read Vietnamese) */
  int rc;
};

static int audience_member(void *vctx, const store_audience_member_t *m) {
  struct audience_ctx *x = vctx;
  /* Each recipient is written to in their own language (alert_lang, alert.h). */
  alert_recipient_in_t in = {.person_id = m->person_id,
                             .lang = alert_lang(m->preferred_language)};
  if (x->want_email) in.email = first_email(m->emails);
  if (x->want_sms) in.phone = first_phone(x->r->arena, m->phones);
  x->recipients++;
  x->emails += in.email != NULL;
  x->phones += in.phone != NULL;
  x->english += strcmp(in.lang, "en") == 0;
  if (x->alert_id == 0) return 0;
  alert_token_hash(&x->app->keys, x->alert_id, m->person_id, in.token_hash);
  x->rc = store_alert_add_recipient(x->db, x->alert_id, &in, x->email_ok, x->sms_ok, x->now);
  return x->rc != BH_OK;
}

/* "configured", "not_configured" or "not_used" for a channel of an alert. */
static const char *channel_state(int wanted, int configured) {
  return !wanted ? "not_used" : configured ? "configured" : "not_configured";
}

/* Replies 409 and returns -1 when the crisis of an alert is closed. */
static int crisis_open_or_reply(http_req_t *r, api_ctx_t *ctx, int64_t crisis_id) {
  crisis_t k;
  if (crisis_for_alert_or_reply(r, ctx, crisis_id, 1, &k) != 0) return -1;
  int64_t closed = k.closed_at;
  crisis_clear(&k);
  if (closed != 0) {
    http_reply_error(r, BH_ERR_CONFLICT, NULL, "the crisis is closed");
    return -1;
  }
  return 0;
}

/*
 * What preview, draft, creation and sending have in common: the channels, the SMS measured with
 * its link (422 when it needs too many parts), and then, by mode, the audience counted (ALERT_COUNT),
 * the alert stored as a draft (ALERT_DRAFT), the alert stored with all its recipients and messages
 * in one transaction (ALERT_CREATE), or a stored draft given its recipients (ALERT_SEND). Replies.
 */
enum alert_mode { ALERT_COUNT, ALERT_DRAFT, ALERT_CREATE, ALERT_SEND };

static void alert_process(app_t *app, http_req_t *r, api_ctx_t *ctx, alert_t *a,
                          const alert_extra_t *x, enum alert_mode mode) {
  const outbox_config_t *cfg = app->delivery;
  struct audience_ctx ax = {.app = app, .r = r, .db = ctx->db,
                            .want_email = has_channel(a->channels, "email"),
                            .want_sms = has_channel(a->channels, "sms"),
                            .email_ok = cfg && cfg->smtp_url, .sms_ok = cfg && cfg->sms_url,
                            .now = clock_now()};
  const char *public_url = app->public_url ? app->public_url : "http://localhost";
  alert_sms_info_t sms_vi = {0}, sms_en = {0};
  if (ax.want_sms) {
    int rc = alert_sms_measure(a, "vi", public_url, &sms_vi);
    if (rc == BH_OK) rc = alert_sms_measure(a, "en", public_url, &sms_en);
    if (rc != BH_OK) {
      http_reply_error(r, BH_ERR_INVALID, a->sms_vi ? "sms_vi" : "subject_vi",
                       "the SMS text with its link must fit in %d parts", ALERT_SMS_PARTS_MAX);
      return;
    }
  }
  int rc;
  if (mode == ALERT_COUNT || mode == ALERT_DRAFT) {
    rc = store_crisis_audience_each(ctx->db, &ctx->scope, a->crisis_id, a->filter, NULL,
                                    audience_member, &ax);
    if (rc == BH_OK && mode == ALERT_DRAFT) {
      a->status = "draft";
      rc = store_begin_write(ctx->db);
      if (rc == BH_OK) rc = store_alert_create(ctx->db, a, x);
      if (rc == BH_OK) rc = api_audit(app, r, ctx, "alert.draft", "alert", a->id, NULL);
      rc = rc == BH_OK ? store_commit(ctx->db) : (store_rollback(ctx->db), rc);
    }
  } else {
    store_alert_big(ctx->db, 1);
    rc = store_begin_write(ctx->db);
    if (rc == BH_OK && mode == ALERT_CREATE) {
      a->status = "sending";
      rc = store_alert_create(ctx->db, a, x);
    }
    ax.alert_id = a->id;
    if (rc == BH_OK) {
      rc = store_crisis_audience_each(ctx->db, &ctx->scope, a->crisis_id, a->filter, NULL,
                                      audience_member, &ax);
    }
    if (rc == BH_OK) rc = ax.rc;
    if (rc == BH_OK && ax.recipients > 0) {
      rc = store_alert_set_recipients(ctx->db, a->id, ax.recipients, ax.english, ax.now);
      if (rc == BH_OK) {
        rc = api_audit(app, r, ctx, mode == ALERT_SEND ? "alert.send" : "alert.create", "alert",
                       a->id, json_pack("{s:I}", "recipients", (json_int_t)ax.recipients));
      }
      if (rc == BH_OK) rc = store_commit(ctx->db);
    }
    if (rc != BH_OK || ax.recipients == 0) store_rollback(ctx->db);
    store_alert_big(ctx->db, 0);
  }
  if (rc != BH_OK) {
    api_reply_store_error(r, rc, "crisis");
    return;
  }
  if (ax.recipients == 0 && mode != ALERT_DRAFT) {
    http_reply_error(r, BH_ERR_INVALID, "filter",
                     "the audience is empty: nobody with a presence in the crisis area passes the "
                     "filter");
    return;
  }
  json_t *out = json_pack("{s:I, s:{s:I, s:I}, s:s, s:s}", "recipients",
                          (json_int_t)ax.recipients, "messages", "email", (json_int_t)ax.emails,
                          "sms", (json_int_t)ax.phones, "email",
                          channel_state(ax.want_email, ax.email_ok), "sms",
                          channel_state(ax.want_sms, ax.sms_ok));
  json_object_set_new(out, "languages",
                      json_pack("{s:I, s:I}", "vi", (json_int_t)(ax.recipients - ax.english),
                                "en", (json_int_t)ax.english));
  if (ax.want_sms) {
    json_object_set_new(
        out, "sms_parts",
        json_pack("{s:{s:I, s:s}, s:{s:I, s:s}}", "vi", "parts", (json_int_t)sms_vi.parts,
                  "encoding", sms_vi.encoding, "en", "parts", (json_int_t)sms_en.parts,
                  "encoding", sms_en.encoding));
  }
  if (mode == ALERT_COUNT) {
    json_object_set_new(out, "preview", json_true());
    http_reply_json(r, 200, out);
    return;
  }
  char id[PUBID_LEN + 1];
  pubid_encode(&app->keys, PUBID_ALERT, a->id, id);
  json_object_set_new(out, "id", json_string(id));
  json_object_set_new(out, "status", json_string(mode == ALERT_DRAFT ? "draft" : "sending"));
  http_add_header(r, "Location", arena_printf(r->arena, "/api/v1/alerts/%s", id));
  if (mode == ALERT_DRAFT) {
    http_reply_json(r, 201, out);
    return;
  }
  outbox_wake(app->outbox);
  http_reply_json(r, 202, out);
}

void h_alerts_create(app_t *app, http_req_t *r, api_ctx_t *ctx) {
  int64_t crisis_id;
  if (api_id_or_reply(app, r, 0, PUBID_CRISIS, &crisis_id) != 0) return;
  if (api_body_or_reply(r, ctx, alert_spec, SPEC_COUNT(alert_spec)) != 0) return;
  if (crisis_open_or_reply(r, ctx, crisis_id) != 0) return;
  const char *preview_q = http_query(r, "preview");
  int preview = preview_q != NULL && strcmp(preview_q, "0") != 0;
  const json_t *body = ctx->body;
  json_t *filter = json_object_get(body, "filter");
  if (json_is_null(filter)) filter = NULL;
  json_t *resend = json_object_get(body, "resend_after_minutes");
  alert_t a = {.crisis_id = crisis_id,
               .subject_vi = api_str(body, "subject_vi"),
               .subject_en = api_str(body, "subject_en"),
               .body_vi = api_str(body, "body_vi"),
               .body_en = api_str(body, "body_en"),
               .sms_vi = api_str(body, "sms_vi"),
               .sms_en = api_str(body, "sms_en"),
               .channels = json_object_get(body, "channels"),
               .filter = filter,
               .ask_checkin = json_is_true(json_object_get(body, "ask_checkin")) ||
                              json_object_get(body, "ask_checkin") == NULL,
               .created_by = ctx->user.id,
               .created_at = clock_now()};
  alert_extra_t x = {.resend_after_minutes = resend ? (int)json_integer_value(resend) : 0};
  enum alert_mode mode = preview                                           ? ALERT_COUNT
                         : json_is_true(json_object_get(body, "draft")) ? ALERT_DRAFT
                                                                          : ALERT_CREATE;
  alert_process(app, r, ctx, &a, &x, mode);
}

void h_alerts_send(app_t *app, http_req_t *r, api_ctx_t *ctx) {
  int64_t id;
  if (api_id_or_reply(app, r, 0, PUBID_ALERT, &id) != 0) return;
  alert_t a;
  alert_extra_t x;
  int rc = store_alert_get(ctx->db, id, r->arena, &a, &x);
  if (rc != BH_OK) {
    api_reply_store_error(r, rc, "alert");
    return;
  }
  if (crisis_open_or_reply(r, ctx, a.crisis_id) == 0) {
    if (strcmp(a.status, "draft") != 0) {
      http_reply_error(r, BH_ERR_CONFLICT, NULL, "this alert was sent already");
    } else {
      alert_process(app, r, ctx, &a, &x, ALERT_SEND);
    }
  }
  alert_clear(&a);
}

/* Loads an alert and checks its crisis is visible to the caller; replies 404 otherwise. */
static int alert_or_reply(app_t *app, http_req_t *r, api_ctx_t *ctx, alert_t *a,
                          alert_extra_t *x) {
  int64_t id;
  if (api_id_or_reply(app, r, 0, PUBID_ALERT, &id) != 0) return -1;
  int rc = store_alert_get(ctx->db, id, r->arena, a, x);
  crisis_t k;
  if (rc == BH_OK) {
    rc = store_crisis_get(ctx->db, &ctx->scope, a->crisis_id, r->arena, &k);
    if (rc == BH_OK) crisis_clear(&k);
    if (rc != BH_OK) alert_clear(a);
  }
  if (rc != BH_OK) {
    api_reply_store_error(r, rc, "alert");
    return -1;
  }
  return 0;
}

static json_t *channel_figures(const int64_t *counts) {
  json_t *o = json_object();
  for (int s = 0; s < OUTBOX_STATUS_COUNT; s++) {
    json_object_set_new(o, store_outbox_statuses[s], json_integer((json_int_t)counts[s]));
  }
  return o;
}

void h_alerts_get(app_t *app, http_req_t *r, api_ctx_t *ctx) {
  alert_t a;
  alert_extra_t x;
  if (alert_or_reply(app, r, ctx, &a, &x) != 0) return;
  alert_figures_t f;
  int rc = store_alert_figures(ctx->db, a.id, &f);
  if (rc != BH_OK) {
    alert_clear(&a);
    api_reply_store_error(r, rc, "alert");
    return;
  }
  char id[PUBID_LEN + 1], crisis[PUBID_LEN + 1];
  pubid_encode(&app->keys, PUBID_ALERT, a.id, id);
  pubid_encode(&app->keys, PUBID_CRISIS, a.crisis_id, crisis);
  json_t *answers = json_object();
  for (int i = 0; i < 3; i++) {
    json_object_set_new(answers, model_checkin_answers[i], json_integer((json_int_t)f.answers[i]));
  }
  json_object_set_new(answers, "no_answer", json_integer((json_int_t)(f.recipients - f.answered)));
  int want_email = has_channel(a.channels, "email"), want_sms = has_channel(a.channels, "sms");
  const char *email_state = !want_email ? "not_used"
                            : f.messages[OUTBOX_EMAIL][OUTBOX_NOT_CONFIGURED] > 0
                                ? "not_configured"
                                : "configured";
  const char *sms_state = !want_sms ? "not_used"
                          : f.messages[OUTBOX_SMS][OUTBOX_NOT_CONFIGURED] > 0 ? "not_configured"
                                                                              : "configured";
  json_t *out = json_pack(
      "{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:b, s:i, s:s, s:I, s:o, s:s, s:s,"
      " s:{s:o, s:o}, s:o}",
      "id", id, "crisis_id", crisis, "status", a.status, "subject_vi", a.subject_vi, "subject_en",
      a.subject_en, "body_vi", a.body_vi, "body_en", a.body_en, "channels",
      json_incref(a.channels), "filter", a.filter ? json_incref(a.filter) : json_null(),
      "ask_checkin", a.ask_checkin, "resend_after_minutes", x.resend_after_minutes, "stage",
      alert_stage_names[x.stage >= 0 && x.stage <= 2 ? x.stage : 0], "recipients",
      (json_int_t)a.recipients, "created_at", api_time(a.created_at), "email", email_state, "sms",
      sms_state, "delivery", "email", channel_figures(f.messages[OUTBOX_EMAIL]), "sms",
      channel_figures(f.messages[OUTBOX_SMS]), "answers", answers);
  /* The same split as the preview's and the 202's, counted from the stored recipients. */
  json_object_set_new(out, "languages",
                      json_pack("{s:I, s:I}", "vi", (json_int_t)(f.recipients - f.english), "en",
                                (json_int_t)f.english));
  alert_clear(&a);
  http_reply_json(r, 200, out);
}

struct call_ctx {
  app_t *app;
  json_t *items;
};

static int call_row(void *vctx, const call_row_t *row) {
  struct call_ctx *c = vctx;
  char id[PUBID_LEN + 1];
  pubid_encode(&c->app->keys, PUBID_PERSON, row->person_id, id);
  json_array_append_new(c->items, json_pack("{s:s, s:s, s:O, s:O}", "person_id", id, "full_name",
                                            row->full_name ? row->full_name : "", "phones",
                                            row->phones, "emergency_contacts", row->contacts));
  return json_array_size(c->items) >= 100000;
}

void h_alerts_call_list(app_t *app, http_req_t *r, api_ctx_t *ctx) {
  alert_t a;
  alert_extra_t x;
  if (alert_or_reply(app, r, ctx, &a, &x) != 0) return;
  int64_t id = a.id;
  alert_clear(&a);
  struct call_ctx c = {.app = app, .items = json_array()};
  int rc = x.stage >= ALERT_STAGE_CALLS ? store_alert_call_list(ctx->db, id, r->arena, call_row, &c)
                                        : BH_OK;
  if (rc == BH_OK) rc = api_audit_read(app, r, ctx, "alert.call_list", "alert", id, NULL);
  if (rc != BH_OK) {
    json_decref(c.items);
    api_reply_store_error(r, rc, "alert");
    return;
  }
  http_reply_json(r, 200, json_pack("{s:s, s:o}", "stage",
                                    alert_stage_names[x.stage >= 0 && x.stage <= 2 ? x.stage : 0],
                                    "items", c.items));
}

static int needs_help_row(void *vctx, const needs_help_row_t *row) {
  struct call_ctx *c = vctx;
  char id[PUBID_LEN + 1];
  pubid_encode(&c->app->keys, PUBID_PERSON, row->person_id, id);
  json_array_append_new(
      c->items, json_pack("{s:s, s:s, s:o, s:o, s:o}", "person_id", id, "full_name",
                          row->full_name ? row->full_name : "", "message",
                          row->message ? json_string(row->message) : json_null(), "location",
                          row->location ? json_string(row->location) : json_null(), "at",
                          api_time(row->at)));
  return json_array_size(c->items) >= 100000;
}

void h_crisis_needs_help(app_t *app, http_req_t *r, api_ctx_t *ctx) {
  int64_t crisis_id;
  if (api_id_or_reply(app, r, 0, PUBID_CRISIS, &crisis_id) != 0) return;
  crisis_t k;
  if (crisis_for_alert_or_reply(r, ctx, crisis_id, 0, &k) != 0) return;
  crisis_clear(&k);
  struct call_ctx c = {.app = app, .items = json_array()};
  int rc = store_needs_help_each(ctx->db, crisis_id, r->arena, needs_help_row, &c);
  if (rc == BH_OK) rc = api_audit_read(app, r, ctx, "crisis.needs_help", "crisis", crisis_id, NULL);
  if (rc != BH_OK) {
    json_decref(c.items);
    api_reply_store_error(r, rc, "crisis");
    return;
  }
  http_reply_json(r, 200, json_pack("{s:o}", "items", c.items));
}

/* ---- the alerts of a crisis ---- */

#define ALERT_LIST_MAX 100 /* alerts a page at most (each read whole) */

/*
 * GET /api/v1/crises/{id}/alerts: the crisis's alerts, newest first, paged by cursor (an alert
 * id), each with its subjects, channels, status and recipients (0 for a draft: they are
 * counted when it is sent); the figures of one alert are at GET /api/v1/alerts/{id}. Officers see the crises of their jurisdiction only.
 */
void h_crisis_alerts(app_t *app, http_req_t *r, api_ctx_t *ctx) {
  store_page_t page;
  if (api_page_or_reply(app, r, PUBID_ALERT, &page) != 0) return;
  if (page.limit > ALERT_LIST_MAX) page.limit = ALERT_LIST_MAX;
  crisis_t k;
  if (api_crisis_or_reply(app, r, ctx, &k) != 0) return;
  int64_t ids[ALERT_LIST_MAX];
  size_t n = 0;
  int rc = store_alert_ids(ctx->db, k.id, page.after, page.limit, ids, &n);
  json_t *items = json_array();
  for (size_t i = 0; rc == BH_OK && i < n; i++) {
    alert_t a;
    alert_extra_t x;
    rc = store_alert_get(ctx->db, ids[i], r->arena, &a, &x);
    if (rc != BH_OK) break;
    char id[PUBID_LEN + 1];
    pubid_encode(&app->keys, PUBID_ALERT, a.id, id);
    json_array_append_new(
        items, json_pack("{s:s, s:s, s:s?, s:s?, s:O, s:b, s:I, s:s, s:o, s:o}", "id", id, "status",
                         a.status, "subject_vi", a.subject_vi, "subject_en", a.subject_en,
                         "channels", a.channels, "ask_checkin", a.ask_checkin, "recipients",
                         (json_int_t)a.recipients, "stage",
                         alert_stage_names[x.stage >= 0 && x.stage <= 2 ? x.stage : 0],
                         "created_at", api_time(a.created_at), "sent_at",
                         a.sent_at > 0 ? api_time(a.sent_at) : json_null()));
    alert_clear(&a);
  }
  crisis_clear(&k);
  if (rc != BH_OK) {
    json_decref(items);
    api_reply_store_error(r, rc, "alert");
    return;
  }
  /* Newest first: the cursor is the last (oldest) id of the page. */
  http_reply_json(r, 200, api_page_json(app, items, PUBID_ALERT, n ? ids[n - 1] : 0,
                                        n == (size_t)page.limit));
}
