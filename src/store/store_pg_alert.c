/*
 * store_pg_alert.c - the PostgreSQL backend of store_alert.h, with the same tables and meaning
 * as store_sqlite_alert.c. Statements run through pg_run_sql (prepared once per session). The
 * outbox claim locks its rows with FOR UPDATE SKIP LOCKED, so workers of several servers on one
 * database never claim the same message.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alert/alert.h"
#include "store/store_alert_impl.h"
#include "store/store_pg_int.h"
#include "util/buf.h"
#include "util/err.h"

#define PGA_ALERT_COLS                                                                        \
  "id, crisis_id, status, subject_vi, subject_en, body_vi, body_en, sms_vi, sms_en, channels," \
  " filter, ask_checkin, recipients, created_by, created_at, sent_at, resend_after_minutes,"   \
  " stage, stage_at"
#define PGA_TARGET_COLS                                                                       \
  "r.id, r.alert_id, r.person_id, a.crisis_id, r.answer, (SELECT k.closed_at FROM crises k"   \
  " WHERE k.id = a.crisis_id)"

static const char pga_alert_insert[] =
    "INSERT INTO alerts(crisis_id, status, subject_vi, subject_en, body_vi, body_en, sms_vi,"
    " sms_en, channels, filter, ask_checkin, resend_after_minutes, created_by, created_at,"
    " sent_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, NULL)"
    " RETURNING id";
/*
 * A batch of recipients and their messages (one per channel with an address) in one round trip:
 * $2..$6 are arrays of person ids, languages, token hashes, emails and phones, in step.
 */
static const char pga_recipients_insert[] =
    "WITH u AS (SELECT * FROM unnest($2::bigint[], $3::text[], $4::bytea[], $5::text[],"
    " $6::text[]) AS u(person_id, lang, token_hash, email, phone)),"
    " r AS (INSERT INTO alert_recipients(alert_id, person_id, lang, token_hash)"
    " SELECT $1, person_id, lang, token_hash FROM u RETURNING id, person_id)"
    " INSERT INTO outbox(alert_id, recipient_id, channel, address, round, status, attempts,"
    " next_at) SELECT $1, r.id, v.ch, v.addr, 1, v.st, 0, $9 FROM r JOIN u ON u.person_id ="
    " r.person_id CROSS JOIN LATERAL (VALUES (0, u.email, $7::int), (1, u.phone, $8::int))"
    " v(ch, addr, st) WHERE v.addr IS NOT NULL";
static const char pga_set_recipients[] =
    "UPDATE alerts SET recipients = $2, status = 'sending', sent_at = $3 WHERE id = $1";
static const char pga_alert_select[] = "SELECT " PGA_ALERT_COLS " FROM alerts WHERE id = $1";
static const char pga_fig_messages[] =
    "SELECT channel, status, count(*) FROM outbox WHERE alert_id = $1 GROUP BY channel, status";
static const char pga_fig_answers[] =
    "SELECT answer, count(*) FROM alert_recipients WHERE alert_id = $1 GROUP BY answer";
static const char pga_claim[] =
    "WITH due AS (SELECT id FROM outbox WHERE channel = $1 AND status IN (0, 1) AND next_at <="
    " $2 LIMIT $3 FOR UPDATE SKIP LOCKED)"
    " UPDATE outbox o SET status = 1, attempts = o.attempts + 1, next_at = $2::bigint + $4"
    " FROM due, alert_recipients r WHERE o.id = due.id AND r.id = o.recipient_id"
    " RETURNING o.id, o.alert_id, r.person_id, o.channel, o.address, r.lang, o.attempts";
static const char pga_result[] =
    "UPDATE outbox SET status = $2, next_at = $3, last_error = $4, sent_at = CASE WHEN $2 = 2"
    " THEN $5 ELSE sent_at END WHERE id = $1 AND status = 1";
static const char pga_recover[] = "UPDATE outbox SET next_at = $1 WHERE status = 1";
static const char pga_target[] =
    "SELECT " PGA_TARGET_COLS " FROM alert_recipients r JOIN alerts a ON a.id = r.alert_id"
    " WHERE r.token_hash = $1";
static const char pga_target_phone[] =
    "SELECT " PGA_TARGET_COLS " FROM outbox o JOIN alert_recipients r ON r.id = o.recipient_id"
    " JOIN alerts a ON a.id = r.alert_id WHERE o.channel = 1 AND o.address = $1 AND o.status"
    " IN (1, 2) ORDER BY o.id DESC LIMIT 1";
static const char pga_checkin_insert[] =
    "WITH k AS (INSERT INTO checkins(crisis_id, alert_id, recipient_id, person_id, answer,"
    " message, location, source, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id),"
    " u AS (UPDATE alert_recipients SET answer = $5, answered_at = $9 WHERE id = $3)"
    " SELECT id FROM k";
static const char pga_needs_help[] =
    "SELECT k.person_id, p.full_name, k.message, k.location, k.at FROM checkins k JOIN persons p"
    " ON p.id = k.person_id WHERE k.crisis_id = $1 AND k.answer = 'need_help' AND k.id ="
    " (SELECT max(k2.id) FROM checkins k2 WHERE k2.crisis_id = $1 AND k2.person_id ="
    " k.person_id) ORDER BY k.id DESC";
static const char pga_esc_due[] =
    "SELECT id, stage FROM alerts WHERE resend_after_minutes > 0 AND stage < 2 AND"
    " sent_at IS NOT NULL AND sent_at + (stage + 1) * resend_after_minutes * 60 <= $1"
    " ORDER BY id LIMIT 1"
    " FOR UPDATE SKIP LOCKED";
static const char pga_esc_resend[] =
    "INSERT INTO outbox(alert_id, recipient_id, channel, address, round, status, attempts,"
    " next_at) SELECT o.alert_id, o.recipient_id, o.channel, o.address, 2, CASE WHEN"
    " o.status = 4 THEN 4 ELSE 0 END, 0, $2 FROM outbox o JOIN alert_recipients r ON r.id ="
    " o.recipient_id WHERE o.alert_id = $1 AND o.round = 1 AND r.answer IS NULL";
static const char pga_esc_stage[] = "UPDATE alerts SET stage = $2, stage_at = $3 WHERE id = $1";
static const char pga_call_list[] =
    "SELECT p.id, p.full_name, p.phones, p.contacts FROM alert_recipients r JOIN persons p"
    " ON p.id = r.person_id WHERE r.alert_id = $1 AND r.answer IS NULL ORDER BY r.id";

/* Runs sql and drops its result. */
static int pga_exec(pg_conn_t *c, const char *sql, const pg_params_t *p) {
  PGresult *res;
  int rc = pg_run_sql(c, sql, p, &res);
  if (rc == BH_OK) PQclear(res);
  return rc;
}

int pga_alert_create(pg_conn_t *c, alert_t *a, const alert_extra_t *x) {
  char *channels = json_dumps(a->channels, JSON_COMPACT);
  char *filter = a->filter ? json_dumps(a->filter, JSON_COMPACT) : NULL;
  pg_params_t p = {0};
  pgp_i64(&p, a->crisis_id);
  pgp_text(&p, a->status);
  pgp_text(&p, a->subject_vi);
  pgp_text(&p, a->subject_en);
  pgp_text(&p, a->body_vi);
  pgp_text(&p, a->body_en);
  pgp_text(&p, a->sms_vi);
  pgp_text(&p, a->sms_en);
  pgp_text(&p, channels ? channels : "[]");
  pgp_text(&p, filter);
  pgp_i64(&p, a->ask_checkin ? 1 : 0);
  pgp_i64(&p, x ? x->resend_after_minutes : 0);
  pgp_i64_or_null(&p, a->created_by);
  pgp_i64(&p, a->created_at);
  PGresult *res;
  int rc = pg_run_sql(c, pga_alert_insert, &p, &res);
  free(channels);
  free(filter);
  if (rc != BH_OK) return rc;
  a->id = pg_col_i64(res, 0, 0);
  PQclear(res);
  return BH_OK;
}

/*
 * Recipients wait in a per-thread batch (a connection serves one thread) and are written
 * PGA_BATCH at a time; pga_alert_set_recipients writes the rest, so the caller's contract is
 * kept: every recipient is in the transaction before its commit.
 */
#define PGA_BATCH 2000
#define PGA_ARRAY_MAX (PGA_BATCH * 400)

struct pga_pending {
  int64_t alert_id, now;
  int email_ok, sms_ok;
  size_t n;
  buf_t ids, langs, hashes, emails, phones; /* array literals being built, without braces */
};

static _Thread_local struct pga_pending pga_batch;

static void pga_batch_clear(void) {
  buf_free(&pga_batch.ids);
  buf_free(&pga_batch.langs);
  buf_free(&pga_batch.hashes);
  buf_free(&pga_batch.emails);
  buf_free(&pga_batch.phones);
  memset(&pga_batch, 0, sizeof(pga_batch));
}

/* Appends one element to an array literal: NULL, or s double-quoted with \ and " escaped. */
static int pga_elem(buf_t *b, const char *s) {
  int rc = b->len > 0 ? buf_putc(b, ',') : BH_OK;
  if (rc != BH_OK) return rc;
  if (s == NULL) return buf_puts(b, "NULL");
  rc = buf_putc(b, '"');
  for (; *s && rc == BH_OK; s++) {
    if (*s == '"' || *s == '\\') rc = buf_putc(b, '\\');
    if (rc == BH_OK) rc = buf_putc(b, *s);
  }
  return rc == BH_OK ? buf_putc(b, '"') : rc;
}

/* Writes the waiting recipients. */
static int pga_batch_flush(pg_conn_t *c) {
  if (pga_batch.n == 0) return BH_OK;
  char *arrays[5];
  buf_t *parts[5] = {&pga_batch.ids, &pga_batch.langs, &pga_batch.hashes, &pga_batch.emails,
                     &pga_batch.phones};
  int rc = BH_OK;
  for (int i = 0; i < 5; i++) {
    arrays[i] = malloc(parts[i]->len + 3);
    if (arrays[i] == NULL) rc = BH_ERR_NOMEM;
    if (arrays[i] != NULL) {
      snprintf(arrays[i], parts[i]->len + 3, "{%s}", parts[i]->data ? parts[i]->data : "");
    }
  }
  if (rc == BH_OK) {
    pg_params_t p = {0};
    pgp_i64(&p, pga_batch.alert_id);
    for (int i = 0; i < 5; i++) pgp_text(&p, arrays[i]);
    pgp_i64(&p, pga_batch.email_ok ? OUTBOX_QUEUED : OUTBOX_NOT_CONFIGURED);
    pgp_i64(&p, pga_batch.sms_ok ? OUTBOX_QUEUED : OUTBOX_NOT_CONFIGURED);
    pgp_i64(&p, pga_batch.now);
    rc = pga_exec(c, pga_recipients_insert, &p);
  }
  for (int i = 0; i < 5; i++) free(arrays[i]);
  pga_batch_clear();
  return rc;
}

int pga_alert_add_recipient(pg_conn_t *c, int64_t alert_id, const alert_recipient_in_t *r,
                            int email_ok, int sms_ok, int64_t now) {
  if (pga_batch.n > 0 && pga_batch.alert_id != alert_id) pga_batch_clear();
  if (pga_batch.n == 0) {
    pga_batch.alert_id = alert_id;
    pga_batch.now = now;
    pga_batch.email_ok = email_ok;
    pga_batch.sms_ok = sms_ok;
    buf_init(&pga_batch.ids, PGA_ARRAY_MAX);
    buf_init(&pga_batch.langs, PGA_ARRAY_MAX);
    buf_init(&pga_batch.hashes, PGA_ARRAY_MAX);
    buf_init(&pga_batch.emails, PGA_ARRAY_MAX);
    buf_init(&pga_batch.phones, PGA_ARRAY_MAX);
  }
  /* A token hash as bytea hex input, \x and two digits a byte. */
  char hex[2 + SECRET_TOKEN_HASH_BYTES * 2 + 1] = "\\x";
  for (size_t i = 0; i < SECRET_TOKEN_HASH_BYTES; i++) {
    snprintf(hex + 2 + i * 2, 3, "%02x", r->token_hash[i]);
  }
  char id[24];
  snprintf(id, sizeof(id), "%lld", (long long)r->person_id);
  int rc = pga_elem(&pga_batch.ids, id);
  if (rc == BH_OK) rc = pga_elem(&pga_batch.langs, r->lang);
  if (rc == BH_OK) rc = pga_elem(&pga_batch.hashes, hex);
  if (rc == BH_OK) rc = pga_elem(&pga_batch.emails, r->email);
  if (rc == BH_OK) rc = pga_elem(&pga_batch.phones, r->phone);
  if (rc != BH_OK) {
    pga_batch_clear();
    return rc;
  }
  pga_batch.n++;
  return pga_batch.n >= PGA_BATCH ? pga_batch_flush(c) : BH_OK;
}

/* PostgreSQL sizes its shared buffers itself; the end forgets a batch never written. */
int pga_alert_big(pg_conn_t *c, int on) {
  (void)c;
  if (!on) pga_batch_clear();
  return BH_OK;
}

int pga_alert_set_recipients(pg_conn_t *c, int64_t alert_id, int64_t n, int64_t now) {
  int rc = pga_batch_flush(c);
  if (rc != BH_OK) return rc;
  pg_params_t p = {0};
  pgp_i64(&p, alert_id);
  pgp_i64(&p, n);
  pgp_i64(&p, now);
  return pga_exec(c, pga_set_recipients, &p);
}

int pga_alert_get(pg_conn_t *c, int64_t id, arena_t *a, alert_t *out, alert_extra_t *x) {
  pg_params_t p = {0};
  pgp_i64(&p, id);
  PGresult *res;
  int rc = pg_run_sql(c, pga_alert_select, &p, &res);
  if (rc != BH_OK) return rc;
  if (PQntuples(res) == 0) {
    PQclear(res);
    return BH_ERR_NOT_FOUND;
  }
  memset(out, 0, sizeof(*out));
  out->id = pg_col_i64(res, 0, 0);
  out->crisis_id = pg_col_i64(res, 0, 1);
  out->status = pg_col_text(a, res, 0, 2);
  out->subject_vi = pg_col_text(a, res, 0, 3);
  out->subject_en = pg_col_text(a, res, 0, 4);
  out->body_vi = pg_col_text(a, res, 0, 5);
  out->body_en = pg_col_text(a, res, 0, 6);
  out->sms_vi = pg_col_text(a, res, 0, 7);
  out->sms_en = pg_col_text(a, res, 0, 8);
  out->channels = pg_col_json(res, 0, 9);
  out->filter = PQgetisnull(res, 0, 10) ? NULL : pg_col_json(res, 0, 10);
  out->ask_checkin = (int)pg_col_i64(res, 0, 11);
  out->recipients = pg_col_i64(res, 0, 12);
  out->created_by = pg_col_i64(res, 0, 13);
  out->created_at = pg_col_i64(res, 0, 14);
  out->sent_at = pg_col_i64(res, 0, 15);
  if (x != NULL) {
    x->resend_after_minutes = (int)pg_col_i64(res, 0, 16);
    x->stage = (int)pg_col_i64(res, 0, 17);
    x->stage_at = pg_col_i64(res, 0, 18);
  }
  PQclear(res);
  return BH_OK;
}

int pga_alert_figures(pg_conn_t *c, int64_t id, alert_figures_t *out) {
  memset(out, 0, sizeof(*out));
  pg_params_t p = {0};
  pgp_i64(&p, id);
  PGresult *res;
  int rc = pg_run_sql(c, pga_fig_messages, &p, &res);
  if (rc != BH_OK) return rc;
  for (int i = 0; i < PQntuples(res); i++) {
    int64_t ch = pg_col_i64(res, i, 0), st = pg_col_i64(res, i, 1);
    if (ch >= 0 && ch < OUTBOX_CHANNEL_COUNT && st >= 0 && st < OUTBOX_STATUS_COUNT) {
      out->messages[ch][st] += pg_col_i64(res, i, 2);
    }
  }
  PQclear(res);
  rc = pg_run_sql(c, pga_fig_answers, &p, &res);
  if (rc != BH_OK) return rc;
  for (int i = 0; i < PQntuples(res); i++) {
    int64_t n = pg_col_i64(res, i, 1);
    out->recipients += n;
    int k = PQgetisnull(res, i, 0) ? -1 : model_enum_index(model_checkin_answers, PQgetvalue(res, i, 0));
    if (k >= 0 && k < 3) {
      out->answers[k] += n;
      out->answered += n;
    }
  }
  PQclear(res);
  return BH_OK;
}

int pga_outbox_claim(pg_conn_t *c, int channel, int64_t now, int lease_s, int max, arena_t *a,
                     outbox_msg_t **out, size_t *n) {
  *out = NULL;
  *n = 0;
  pg_params_t p = {0};
  pgp_i64(&p, channel);
  pgp_i64(&p, now);
  pgp_i64(&p, max);
  pgp_i64(&p, lease_s);
  PGresult *res;
  /* One statement outside a transaction: committed (durably) when it returns. */
  int rc = pg_run_sql(c, pga_claim, &p, &res);
  if (rc != BH_OK) return rc;
  int rows = PQntuples(res);
  outbox_msg_t *items = arena_alloc(a, sizeof(*items) * (size_t)(rows > 0 ? rows : 1));
  if (items == NULL) {
    PQclear(res);
    return BH_ERR_NOMEM;
  }
  for (int i = 0; i < rows; i++) {
    items[i].id = pg_col_i64(res, i, 0);
    items[i].alert_id = pg_col_i64(res, i, 1);
    items[i].person_id = pg_col_i64(res, i, 2);
    items[i].channel = (int)pg_col_i64(res, i, 3);
    items[i].address = pg_col_text(a, res, i, 4);
    items[i].lang = pg_col_text(a, res, i, 5);
    items[i].attempts = (int)pg_col_i64(res, i, 6);
  }
  PQclear(res);
  *out = items;
  *n = (size_t)rows;
  return BH_OK;
}

int pga_outbox_result(pg_conn_t *c, int64_t id, int status, int64_t next_at, const char *error,
                      int64_t now) {
  pg_params_t p = {0};
  pgp_i64(&p, id);
  pgp_i64(&p, status);
  pgp_i64(&p, next_at);
  pgp_text(&p, error);
  pgp_i64(&p, now);
  return pga_exec(c, pga_result, &p);
}

int pga_outbox_recover(pg_conn_t *c, int64_t now) {
  pg_params_t p = {0};
  pgp_i64(&p, now);
  return pga_exec(c, pga_recover, &p);
}

/* Runs a target query with one parameter; BH_ERR_NOT_FOUND without a row. */
static int pga_target_run(pg_conn_t *c, const char *sql, const pg_params_t *p, arena_t *a,
                          checkin_target_t *out) {
  PGresult *res;
  int rc = pg_run_sql(c, sql, p, &res);
  if (rc != BH_OK) return rc;
  if (PQntuples(res) == 0) {
    PQclear(res);
    return BH_ERR_NOT_FOUND;
  }
  out->recipient_id = pg_col_i64(res, 0, 0);
  out->alert_id = pg_col_i64(res, 0, 1);
  out->person_id = pg_col_i64(res, 0, 2);
  out->crisis_id = pg_col_i64(res, 0, 3);
  out->answer = pg_col_text(a, res, 0, 4);
  out->crisis_closed_at = pg_col_i64(res, 0, 5);
  PQclear(res);
  return BH_OK;
}

int pga_checkin_target(pg_conn_t *c, const unsigned char *token_hash, arena_t *a,
                       checkin_target_t *out) {
  pg_params_t p = {0};
  pgp_bytes(&p, token_hash, SECRET_TOKEN_HASH_BYTES);
  return pga_target_run(c, pga_target, &p, a, out);
}

int pga_checkin_target_by_phone(pg_conn_t *c, const char *phone, arena_t *a,
                                checkin_target_t *out) {
  pg_params_t p = {0};
  pgp_text(&p, phone);
  return pga_target_run(c, pga_target_phone, &p, a, out);
}

int pga_checkin_record(pg_conn_t *c, checkin_t *k) {
  const checkin_target_t *t = k->target;
  pg_params_t p = {0};
  pgp_i64(&p, t->crisis_id);
  pgp_i64(&p, t->alert_id);
  pgp_i64(&p, t->recipient_id);
  pgp_i64(&p, t->person_id);
  pgp_text(&p, k->answer);
  pgp_text(&p, k->message);
  pgp_text(&p, k->location);
  pgp_text(&p, k->source);
  pgp_i64(&p, k->at);
  PGresult *res;
  int rc = pg_run_sql(c, pga_checkin_insert, &p, &res);
  if (rc != BH_OK) return rc;
  k->id = PQntuples(res) > 0 ? pg_col_i64(res, 0, 0) : 0;
  PQclear(res);
  return BH_OK;
}

int pga_needs_help_each(pg_conn_t *c, int64_t crisis_id, arena_t *a, store_needs_help_cb cb,
                        void *ctx) {
  pg_params_t p = {0};
  pgp_i64(&p, crisis_id);
  PGresult *res;
  int rc = pg_run_sql(c, pga_needs_help, &p, &res);
  if (rc != BH_OK) return rc;
  for (int i = 0; i < PQntuples(res); i++) {
    needs_help_row_t row = {.person_id = pg_col_i64(res, i, 0),
                            .full_name = pg_col_text(a, res, i, 1),
                            .message = pg_col_text(a, res, i, 2),
                            .location = pg_col_text(a, res, i, 3),
                            .at = pg_col_i64(res, i, 4)};
    if (cb(ctx, &row) != 0) break;
  }
  PQclear(res);
  return BH_OK;
}

int pga_alert_escalate(pg_conn_t *c, int64_t now, int64_t *alert_id, int *stage) {
  *alert_id = 0;
  *stage = 0;
  int owned, rc = pg_tx_enter(c, &owned);
  if (rc != BH_OK) return rc;
  pg_params_t p = {0};
  pgp_i64(&p, now);
  PGresult *res;
  int64_t id = 0;
  int next = 0;
  rc = pg_run_sql(c, pga_esc_due, &p, &res);
  if (rc == BH_OK) {
    if (PQntuples(res) > 0) {
      id = pg_col_i64(res, 0, 0);
      next = (int)pg_col_i64(res, 0, 1) + 1;
    }
    PQclear(res);
  }
  if (rc == BH_OK && id != 0 && next == ALERT_STAGE_RESENT) {
    pg_params_t q = {0};
    pgp_i64(&q, id);
    pgp_i64(&q, now);
    rc = pga_exec(c, pga_esc_resend, &q);
  }
  if (rc == BH_OK && id != 0) {
    pg_params_t q = {0};
    pgp_i64(&q, id);
    pgp_i64(&q, next);
    pgp_i64(&q, now);
    rc = pga_exec(c, pga_esc_stage, &q);
  }
  rc = pg_tx_leave(c, owned, rc);
  if (rc == BH_OK) {
    *alert_id = id;
    *stage = next;
  }
  return rc;
}

int pga_alert_call_list(pg_conn_t *c, int64_t id, arena_t *a, store_call_cb cb, void *ctx) {
  pg_params_t p = {0};
  pgp_i64(&p, id);
  PGresult *res;
  int rc = pg_run_sql(c, pga_call_list, &p, &res);
  if (rc != BH_OK) return rc;
  for (int i = 0; i < PQntuples(res); i++) {
    json_t *contacts = pg_col_json(res, i, 3);
    json_t *consenting = json_array();
    size_t k;
    json_t *v;
    json_array_foreach(contacts, k, v) {
      if (json_is_true(json_object_get(v, "consent_to_disclose"))) json_array_append(consenting, v);
    }
    json_decref(contacts);
    call_row_t row = {.person_id = pg_col_i64(res, i, 0),
                      .full_name = pg_col_text(a, res, i, 1),
                      .phones = pg_col_json(res, i, 2),
                      .contacts = consenting};
    int stop = cb(ctx, &row) != 0;
    json_decref(row.phones);
    json_decref(row.contacts);
    if (stop) break;
  }
  PQclear(res);
  return BH_OK;
}
