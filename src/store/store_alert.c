/*
 * store_alert.c - forwards the calls of store_alert.h to the backend that owns the connection
 * (sqa_ for SQLite in store_sqlite_alert.c, pga_ for PostgreSQL in store_pg_alert.c).
 */
#include "store/store_alert.h"

#include "store/store_alert_impl.h"
#include "store/store_impl.h"

const char *const store_outbox_statuses[] = {"queued", "sending", "sent", "failed",
                                             "not_configured", NULL};

#define ALERT_CALL(c, fn, ...) ((c)->pg ? pga_##fn((c)->pg, __VA_ARGS__) : sqa_##fn((c)->sq, __VA_ARGS__))

int store_alert_create(store_conn_t *c, alert_t *a, const alert_extra_t *x) { return ALERT_CALL(c, alert_create, a, x); }

int store_alert_add_recipient(store_conn_t *c, int64_t alert_id, const alert_recipient_in_t *r, int email_ok, int sms_ok, int64_t now) { return ALERT_CALL(c, alert_add_recipient, alert_id, r, email_ok, sms_ok, now); }

int store_alert_set_recipients(store_conn_t *c, int64_t alert_id, int64_t n, int64_t english, int64_t now) { return ALERT_CALL(c, alert_set_recipients, alert_id, n, english, now); }

int store_alert_get(store_conn_t *c, int64_t id, arena_t *a, alert_t *out, alert_extra_t *x) { return ALERT_CALL(c, alert_get, id, a, out, x); }

int store_alert_figures(store_conn_t *c, int64_t id, alert_figures_t *out) { return ALERT_CALL(c, alert_figures, id, out); }

int store_alert_ids(store_conn_t *c, int64_t crisis_id, int64_t before, int limit, int64_t *ids, size_t *n) { return ALERT_CALL(c, alert_ids, crisis_id, before, limit, ids, n); }

int store_outbox_claim(store_conn_t *c, int channel, int64_t now, int lease_s, int max, arena_t *a, outbox_msg_t **out, size_t *n) { return ALERT_CALL(c, outbox_claim, channel, now, lease_s, max, a, out, n); }

int store_outbox_result(store_conn_t *c, int64_t id, int status, int64_t next_at, const char *error, int64_t now) { return ALERT_CALL(c, outbox_result, id, status, next_at, error, now); }

int store_checkin_target(store_conn_t *c, const unsigned char *token_hash, arena_t *a, checkin_target_t *out) { return ALERT_CALL(c, checkin_target, token_hash, a, out); }

int store_checkin_target_by_phone(store_conn_t *c, const char *phone, arena_t *a, checkin_target_t *out) { return ALERT_CALL(c, checkin_target_by_phone, phone, a, out); }

int store_checkin_record(store_conn_t *c, checkin_t *k) { return ALERT_CALL(c, checkin_record, k); }

int store_needs_help_each(store_conn_t *c, int64_t crisis_id, arena_t *a, store_needs_help_cb cb, void *ctx) { return ALERT_CALL(c, needs_help_each, crisis_id, a, cb, ctx); }

int store_alert_escalate(store_conn_t *c, int64_t now, int minute_s, int64_t *alert_id, int *stage) { return ALERT_CALL(c, alert_escalate, now, minute_s, alert_id, stage); }

int store_alert_call_list(store_conn_t *c, int64_t id, arena_t *a, store_call_cb cb, void *ctx) { return ALERT_CALL(c, alert_call_list, id, a, cb, ctx); }

int store_outbox_recover(store_conn_t *c, int64_t now) { return ALERT_CALL(c, outbox_recover, now); }


int store_alert_big(store_conn_t *c, int on) { return ALERT_CALL(c, alert_big, on); }
