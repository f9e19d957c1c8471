/*
 * store_alert.h - the storage interface of mass alerts: alerts, their recipients, the durable
 * outbox of their messages, citizens' check-ins, and escalation. Part of the storage interface
 * (store.h), kept in its own header while crises are being built next to it; store_alert.c
 * forwards each call to the SQLite (store_sqlite_alert.c) or PostgreSQL (store_pg_alert.c)
 * backend. Contracts as in store.h: BH_OK or a negative bh_err, strings from the caller's arena.
 *
 * The outbox. Every message (one per recipient and channel) is a row written in the same
 * transaction as its alert, before anything is sent. A worker claims due rows: the claim sets
 * status "sending", counts the attempt and sets a lease, and is committed (durably) before the
 * worker sends. The result of each attempt is committed afterwards: "sent", "failed" (no attempt
 * left, or a permanent failure), or back to "queued" with the next attempt's time. A row whose
 * lease expired while "sending" (the process died mid-send) is claimed again; the Message-ID and
 * the SMS reference carry the row's id, so that a copy sent again after such a crash is
 * recognisable as the same message. Rows of a channel that is not configured are stored as
 * "not_configured" and never sent.
 */
#ifndef BAOHO_STORE_ALERT_H
#define BAOHO_STORE_ALERT_H

#include <stdint.h>

#include "store/store.h"

/* Outbox statuses, in this order everywhere (figures). */
extern const char *const store_outbox_statuses[];
enum outbox_status {
  OUTBOX_QUEUED = 0,
  OUTBOX_SENDING,
  OUTBOX_SENT,
  OUTBOX_FAILED,
  OUTBOX_NOT_CONFIGURED,
  OUTBOX_STATUS_COUNT
};

/* Channels, in the order of model_channels. */
enum outbox_channel { OUTBOX_EMAIL = 0, OUTBOX_SMS = 1, OUTBOX_CHANNEL_COUNT };

/* What an alert adds to alert_t in storage. */
typedef struct alert_extra {
  int resend_after_minutes; /* 0 = no escalation */
  int stage;                /* enum alert_stage */
  int64_t stage_at;
} alert_extra_t;

/* One recipient as the alert is created: who, where, and the hash of their check-in token. */
typedef struct alert_recipient_in {
  int64_t person_id;
  const char *lang;  /* "vi" or "en" */
  const char *email; /* NULL when the person has none or email is not a channel */
  const char *phone; /* NULL likewise for SMS */
  unsigned char token_hash[SECRET_TOKEN_HASH_BYTES];
} alert_recipient_in_t;

/* Per channel and status message counts, and answers, of one alert. */
typedef struct alert_figures {
  int64_t messages[OUTBOX_CHANNEL_COUNT][OUTBOX_STATUS_COUNT];
  int64_t answers[3]; /* in the order of model_checkin_answers */
  int64_t answered;   /* recipients who answered at least once */
  int64_t recipients;
  int64_t english; /* recipients who read English (kept on the alert when it was sent) */
} alert_figures_t;

/* A claimed outbox message with what the worker needs to send it. */
typedef struct outbox_msg {
  int64_t id;
  int64_t alert_id;
  int64_t person_id;
  int channel; /* enum outbox_channel */
  const char *address;
  const char *lang;
  int attempts; /* including the claimed one */
} outbox_msg_t;

/*
 * Where a check-in token (or a phone number) leads: everything an answer needs, read by one
 * indexed lookup, so that recording an answer writes only what changes.
 */
typedef struct checkin_target {
  int64_t recipient_id;
  int64_t alert_id;
  int64_t person_id;
  int64_t crisis_id;
  int64_t crisis_closed_at;  /* 0 while the crisis is open: the link works until it closes */
  const char *answer;        /* latest answer, or NULL */
  const char *person_status; /* the person's welfare status now (model_statuses) */
  const char *lang;          /* the language the recipient was written to ("vi" or "en") */
} checkin_target_t;

/* One answer of a citizen. */
typedef struct checkin {
  int64_t id;
  const checkin_target_t *target;
  const char *answer;   /* model_checkin_answers */
  const char *message;  /* may be NULL */
  const char *location; /* may be NULL */
  const char *source;   /* "web" or "sms" */
  int64_t at;
} checkin_t;

/* A person needing help (latest answer need_help) in a crisis. */
typedef struct needs_help_row {
  int64_t person_id;
  const char *full_name;
  const char *message;
  const char *location;
  int64_t at;
} needs_help_row_t;
typedef int (*store_needs_help_cb)(void *ctx, const needs_help_row_t *row);

/* A non-responder to call: the person, their phones and their consenting contacts (JSON). */
typedef struct call_row {
  int64_t person_id;
  const char *full_name;
  json_t *phones;   /* new reference */
  json_t *contacts; /* new reference, only those with consent_to_disclose */
} call_row_t;
typedef int (*store_call_cb)(void *ctx, const call_row_t *row);

/*
 * Creates alert a with its status ("draft", or "sending" when the caller adds its recipients in
 * the same transaction) and extra fields; fills a->id.
 */
int store_alert_create(store_conn_t *c, alert_t *a /* IN, OUT */, const alert_extra_t *x);
/*
 * Adds one recipient of alert alert_id and its messages (one row per channel with an address);
 * email rows start "queued" when email_ok, else "not_configured"; likewise SMS with sms_ok.
 * A backend may hold recipients back to write them in batches: store_alert_set_recipients
 * writes what is left, so call it before the commit (and store_alert_big(c, 0) after it).
 */
int store_alert_add_recipient(store_conn_t *c, int64_t alert_id, const alert_recipient_in_t *r,
                              int email_ok, int sms_ok, int64_t now);
/*
 * Sizes c's page cache for adding a very large number of recipients in one transaction (on),
 * and back to what it was (off, after the commit or rollback). Durability is unchanged. With
 * the default cache, the indexes of a million-recipient alert spill to disk many times over.
 */
int store_alert_big(store_conn_t *c, int on);
/* Marks the alert sending at now with its n recipients, english of whom read English, once they
 * are all added. */
int store_alert_set_recipients(store_conn_t *c, int64_t alert_id, int64_t n, int64_t english,
                               int64_t now);
int store_alert_get(store_conn_t *c, int64_t id, arena_t *a, alert_t *out /* OUT */,
                    alert_extra_t *x /* OUT, may be NULL */);
int store_alert_figures(store_conn_t *c, int64_t id, alert_figures_t *out /* OUT */);
/*
 * The ids of the alerts of crisis_id, newest first, those before the alert id before (0: from
 * the newest), at most limit of them into ids; *n says how many.
 */
int store_alert_ids(store_conn_t *c, int64_t crisis_id, int64_t before, int limit,
                    int64_t *ids /* OUT */, size_t *n /* OUT */);

/*
 * Claims up to max due messages of channel (queued with next_at <= now, or sending with an
 * expired lease), marks them sending with lease_until = now + lease_s and one more attempt, and
 * commits before returning. *n may be 0.
 */
int store_outbox_claim(store_conn_t *c, int channel, int64_t now, int lease_s, int max,
                       arena_t *a, outbox_msg_t **out /* OUT */, size_t *n /* OUT */);
/* Makes every message left "sending" due at now (start-up: their process is gone). */
int store_outbox_recover(store_conn_t *c, int64_t now);
/* Records an attempt's result: status sent, failed or queued (then next_at is the retry time). */
int store_outbox_result(store_conn_t *c, int64_t id, int status, int64_t next_at,
                        const char *error, int64_t now);

/* Finds the recipient of a check-in token hash; BH_ERR_NOT_FOUND if none. */
int store_checkin_target(store_conn_t *c, const unsigned char *token_hash, arena_t *a,
                         checkin_target_t *out /* OUT */);
/* Finds the recipient of the latest SMS sent (or being sent) to phone; BH_ERR_NOT_FOUND if none. */
int store_checkin_target_by_phone(store_conn_t *c, const char *phone, arena_t *a,
                                  checkin_target_t *out /* OUT */);
/*
 * Records answer k (every answer is kept, in order) and makes it the recipient's latest; fills
 * k->id. The recipient row is written only when the answer differs from k->target->answer (so
 * its answered_at is when the latest answer was first given).
 */
int store_checkin_record(store_conn_t *c, checkin_t *k /* IN, OUT */);
/* Every person of crisis crisis_id whose latest answer is need_help, newest answer first. */
int store_needs_help_each(store_conn_t *c, int64_t crisis_id, arena_t *a, store_needs_help_cb cb,
                          void *ctx);

/*
 * Escalation: finds one alert whose stage is due at now (resend: sent_at + resend_after; calls:
 * twice that; a minute lasting minute_s seconds, 60 but in tests), and advances it: to
 * "resent", queueing a second round of messages to every recipient who has not answered; to
 * "calls", only marking it. *alert_id is the alert advanced, or 0 when none was due. Commits.
 */
int store_alert_escalate(store_conn_t *c, int64_t now, int minute_s, int64_t *alert_id /* OUT */,
                         int *stage /* OUT */);
/* Every recipient of alert id who has not answered, with phones and consenting contacts. */
int store_alert_call_list(store_conn_t *c, int64_t id, arena_t *a, store_call_cb cb, void *ctx);

#endif
