/*
 * store_alert_impl.h - the two backends of store_alert.h (sqa_ SQLite, pga_ PostgreSQL). Only
 * store_alert.c calls these; each has the contract of the store_ function of the same name.
 */
#ifndef BAOHO_STORE_ALERT_IMPL_H
#define BAOHO_STORE_ALERT_IMPL_H

#include "store/store_alert.h"

struct sq_conn;
struct bh_pg_conn;

#define STORE_ALERT_DECLARE(P, C)                                                                 \
  int P##alert_create(C *c, alert_t *a, const alert_extra_t *x);                                  \
  int P##alert_add_recipient(C *c, int64_t alert_id, const alert_recipient_in_t *r, int email_ok, \
                             int sms_ok, int64_t now);                                            \
  int P##alert_big(C *c, int on);                                                                 \
  int P##alert_set_recipients(C *c, int64_t alert_id, int64_t n, int64_t english, int64_t now);                                 \
  int P##alert_get(C *c, int64_t id, arena_t *a, alert_t *out, alert_extra_t *x);                 \
  int P##alert_ids(C *c, int64_t crisis_id, int64_t before, int limit, int64_t *ids, size_t *n);  \
  int P##alert_figures(C *c, int64_t id, alert_figures_t *out);                                   \
  int P##outbox_claim(C *c, int channel, int64_t now, int lease_s, int max, arena_t *a,           \
                      outbox_msg_t **out, size_t *n);                                             \
  int P##outbox_result(C *c, int64_t id, int status, int64_t next_at, const char *error,          \
                       int64_t now);                                                              \
  int P##outbox_recover(C *c, int64_t now);                                                       \
  int P##checkin_target(C *c, const unsigned char *token_hash, arena_t *a, checkin_target_t *out); \
  int P##checkin_target_by_phone(C *c, const char *phone, arena_t *a, checkin_target_t *out);     \
  int P##checkin_record(C *c, checkin_t *k);                                                      \
  int P##needs_help_each(C *c, int64_t crisis_id, arena_t *a, store_needs_help_cb cb, void *ctx); \
  int P##alert_escalate(C *c, int64_t now, int minute_s, int64_t *alert_id, int *stage);          \
  int P##alert_call_list(C *c, int64_t id, arena_t *a, store_call_cb cb, void *ctx);

STORE_ALERT_DECLARE(sqa_, struct sq_conn)
STORE_ALERT_DECLARE(pga_, struct bh_pg_conn)

#endif
