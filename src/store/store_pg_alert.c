/*
 * store_pg_alert.c - the PostgreSQL backend of store_alert.h, with the same tables and meaning
 * as store_sqlite_alert.c. Statements run through pg_run_sql (prepared once per session). The
 * outbox claim locks its rows with FOR UPDATE SKIP LOCKED, so workers of several servers on one
 * database never claim the same message.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alert/alert.h"
#include "store/store_alert_impl.h"
#include "store/store_impl.h"
#include "store/store_pg_int.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/err.h"
#include "util/log.h"

#define PGA_ALERT_COLS                                                                        \
  "id, crisis_id, status, subject_vi, subject_en, body_vi, body_en, sms_vi, sms_en, channels," \
  " filter, ask_checkin, recipients, created_by, created_at, sent_at, resend_after_minutes,"   \
  " stage, stage_at"
/* A check-in target: the recipient, its alert and crisis, and the person's status, by key. */
#define PGA_TARGET_COLS                                                                       \
  "r.id, r.alert_id, r.person_id, a.crisis_id, r.answer, k.closed_at, p.status, r.lang"
#define PGA_TARGET_JOIN                                                                       \
  " JOIN alerts a ON a.id = r.alert_id JOIN crises k ON k.id = a.crisis_id JOIN persons p ON"  \
  " p.id = r.person_id"

static const char pga_alert_insert[] =
    "INSERT INTO alerts(crisis_id, status, subject_vi, subject_en, body_vi, body_en, sms_vi,"
    " sms_en, channels, filter, ask_checkin, resend_after_minutes, created_by, created_at,"
    " sent_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, NULL)"
    " RETURNING id";
static const char pga_set_recipients[] =
    "UPDATE alerts SET recipients = $2, recipients_en = $4, status = 'sending', sent_at = $3"
    " WHERE id = $1";
static const char pga_alert_select[] = "SELECT " PGA_ALERT_COLS " FROM alerts WHERE id = $1";
static const char pga_alert_ids_sql[] =
    "SELECT id FROM alerts WHERE crisis_id = $1 AND ($2::bigint = 0 OR id < $2) ORDER BY id DESC"
    " LIMIT $3";
static const char pga_fig_messages[] =
    "SELECT channel, status, count(*) FROM outbox WHERE alert_id = $1 GROUP BY channel, status";
static const char pga_fig_answers[] =
    "SELECT answer, count(*) FROM alert_recipients WHERE alert_id = $1 GROUP BY answer";
static const char pga_fig_english[] = "SELECT recipients_en FROM alerts WHERE id = $1";
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
    "SELECT " PGA_TARGET_COLS " FROM alert_recipients r" PGA_TARGET_JOIN
    " WHERE r.token_hash = $1";
static const char pga_target_phone[] =
    "SELECT " PGA_TARGET_COLS " FROM outbox o JOIN alert_recipients r ON r.id = o.recipient_id"
    PGA_TARGET_JOIN " WHERE o.channel = 1 AND o.address = $1 AND o.status IN (1, 2)"
    " ORDER BY o.id DESC LIMIT 1";
/* The answer, and the recipient's latest answer when it changes ($10: the previous one). */
static const char pga_checkin_insert[] =
    "WITH k AS (INSERT INTO checkins(crisis_id, alert_id, recipient_id, person_id, answer,"
    " message, location, source, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id),"
    " u AS (UPDATE alert_recipients SET answer = $5, answered_at = $9 WHERE id = $3 AND $5 IS"
    " DISTINCT FROM $10::text) SELECT id FROM k";
static const char pga_needs_help[] =
    "SELECT k.person_id, p.full_name, k.message, k.location, k.at FROM checkins k JOIN persons p"
    " ON p.id = k.person_id WHERE k.crisis_id = $1 AND k.answer = 'need_help' AND k.id ="
    " (SELECT max(k2.id) FROM checkins k2 WHERE k2.crisis_id = $1 AND k2.person_id ="
    " k.person_id) ORDER BY k.id DESC";
static const char pga_esc_due[] =
    "SELECT id, stage FROM alerts WHERE resend_after_minutes > 0 AND stage < 2 AND"
    " sent_at IS NOT NULL AND sent_at + (stage + 1) * resend_after_minutes * $2::bigint <= $1"
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
 * PGA_BATCH at a time with COPY: their ids are taken from the table's identity sequence in one
 * statement, then one COPY writes the recipients and another their messages, in the caller's
 * transaction. pga_alert_set_recipients writes the rest, so the caller's contract is kept:
 * every recipient is in the transaction before its commit. A batch is written in the order of
 * the token hashes (and the SMS in the order of the numbers), so that the inserts into those
 * two indexes, whose keys are random, touch each index page once per batch rather than once
 * per row.
 */
#define PGA_BATCH 10000
/* Bytes of COPY data sent at a time. */
#define PGA_COPY_CHUNK (256 * 1024)

struct pga_rcpt {
  int64_t person_id;
  int64_t id; /* from the sequence, at the flush */
  unsigned char token_hash[SECRET_TOKEN_HASH_BYTES];
  size_t lang, email, phone; /* offsets in pga_batch.text, or SIZE_MAX for NULL */
};

struct pga_pending {
  int64_t alert_id, now;
  int email_ok, sms_ok;
  size_t n;
  struct pga_rcpt *rows; /* PGA_BATCH */
  buf_t text;            /* the strings of rows, NUL-terminated */
};

static _Thread_local struct pga_pending pga_batch;

/* The identity sequence of alert_recipients.id (the default name of the schema's column). */
static const char pga_recipient_ids[] =
    "SELECT nextval('alert_recipients_id_seq') FROM generate_series(1, $1)";
static const char pga_copy_recipients[] =
    "COPY alert_recipients(id, alert_id, person_id, lang, token_hash) FROM STDIN";
static const char pga_copy_outbox[] =
    "COPY outbox(alert_id, recipient_id, channel, address, round, status, attempts, next_at)"
    " FROM STDIN";

static void pga_batch_clear(void) {
  free(pga_batch.rows);
  buf_free(&pga_batch.text);
  memset(&pga_batch, 0, sizeof(pga_batch));
}

/* Keeps s in the batch's text; its offset, or SIZE_MAX for NULL (and on failure, *rc set). */
static size_t pga_keep(const char *s, int *rc) {
  if (s == NULL || *rc != BH_OK) return SIZE_MAX;
  size_t at = pga_batch.text.len;
  *rc = buf_append(&pga_batch.text, s, strlen(s) + 1);
  return at;
}

static const char *pga_str(size_t at) {
  return at == SIZE_MAX ? NULL : pga_batch.text.data + at;
}

/* Appends s as one COPY text field: \N for NULL, backslash and control characters escaped. */
static int pga_copy_field(buf_t *b, const char *s) {
  if (s == NULL) return buf_puts(b, "\\N");
  int rc = BH_OK;
  for (; *s && rc == BH_OK; s++) {
    switch (*s) {
      case '\\': rc = buf_puts(b, "\\\\"); break;
      case '\n': rc = buf_puts(b, "\\n"); break;
      case '\r': rc = buf_puts(b, "\\r"); break;
      case '\t': rc = buf_puts(b, "\\t"); break;
      default: rc = buf_putc(b, *s);
    }
  }
  return rc;
}

/* Sends what b holds to the COPY in progress (when full or at the end) and empties b. */
static int pga_copy_send(pg_conn_t *c, buf_t *b, int last) {
  if (b->len > 0 && (last || b->len >= PGA_COPY_CHUNK)) {
    if (PQputCopyData(c->db, b->data, (int)b->len) != 1) return BH_ERR_UNAVAILABLE;
    buf_reset(b);
  }
  return BH_OK;
}

/*
 * Runs COPY sql and feeds it rows: row(i, b) appends line i (with its newline) for i < n.
 * Errors: BH_ERR_CONFLICT for a constraint, BH_ERR_UNAVAILABLE for a lost session, else BH_ERR_DB.
 */
static int pga_copy(pg_conn_t *c, const char *sql, size_t n, int (*row)(size_t i, buf_t *b)) {
  int flushed = pg_flush(c); /* the transaction's held-back statements come first */
  if (flushed != BH_OK) return flushed;
  int64_t t0 = clock_mono_us();
  PGresult *res = PQexec(c->db, sql);
  int ok = PQresultStatus(res) == PGRES_COPY_IN;
  PQclear(res);
  int rc = ok ? BH_OK : BH_ERR_DB;
  buf_t b;
  buf_init(&b, (size_t)PGA_COPY_CHUNK * 4);
  for (size_t i = 0; i < n && rc == BH_OK; i++) {
    rc = row(i, &b);
    if (rc == BH_OK) rc = pga_copy_send(c, &b, 0);
  }
  if (rc == BH_OK) rc = pga_copy_send(c, &b, 1);
  buf_free(&b);
  if (ok && PQputCopyEnd(c->db, rc == BH_OK ? NULL : "baoho: batch abandoned") != 1) {
    rc = BH_ERR_UNAVAILABLE;
  }
  /* The outcome of the COPY (an error when it was abandoned), then the end of its results. */
  int failed_rc = rc == BH_OK ? BH_ERR_DB : rc;
  while ((res = PQgetResult(c->db)) != NULL) {
    if (PQresultStatus(res) != PGRES_COMMAND_OK && rc == BH_OK) {
      const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
      const char *msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
      rc = state != NULL && strncmp(state, "23", 2) == 0 ? BH_ERR_CONFLICT : failed_rc;
      if (rc == BH_ERR_DB) {
        log_error("msg=\"postgresql copy failed\" sqlstate=%s err=\"%s\"", state ? state : "?",
                  msg ? msg : "?");
      }
    }
    PQclear(res);
  }
  store_db_time_add(clock_mono_us() - t0);
  if (PQstatus(c->db) != CONNECTION_OK) {
    c->broken = 1;
    rc = BH_ERR_UNAVAILABLE;
  }
  return rc;
}

/* The order of the SMS rows of the batch being written (by number). */
static _Thread_local size_t *pga_order;

static int pga_by_hash(const void *x, const void *y) {
  const struct pga_rcpt *a = &pga_batch.rows[*(const size_t *)x];
  const struct pga_rcpt *b = &pga_batch.rows[*(const size_t *)y];
  return memcmp(a->token_hash, b->token_hash, SECRET_TOKEN_HASH_BYTES);
}

static int pga_by_phone(const void *x, const void *y) {
  const char *a = pga_str(pga_batch.rows[*(const size_t *)x].phone);
  const char *b = pga_str(pga_batch.rows[*(const size_t *)y].phone);
  return a == NULL ? (b == NULL ? 0 : 1) : b == NULL ? -1 : strcmp(a, b);
}

static int pga_recipient_line(size_t i, buf_t *b) {
  const struct pga_rcpt *r = &pga_batch.rows[i];
  int rc = buf_printf(b, "%lld\t%lld\t%lld\t", (long long)r->id, (long long)pga_batch.alert_id,
                      (long long)r->person_id);
  if (rc == BH_OK) rc = pga_copy_field(b, pga_str(r->lang));
  /* bytea in hex input form; its backslash is escaped for COPY. */
  if (rc == BH_OK) rc = buf_puts(b, "\t\\\\x");
  for (size_t k = 0; k < SECRET_TOKEN_HASH_BYTES && rc == BH_OK; k++) {
    rc = buf_printf(b, "%02x", r->token_hash[k]);
  }
  return rc == BH_OK ? buf_putc(b, '\n') : rc;
}

/* Outbox lines 0..n-1 are the email rows (in recipient order), then the SMS rows (pga_order). */
static int pga_outbox_line(size_t i, buf_t *b) {
  int ch = i < pga_batch.n ? OUTBOX_EMAIL : OUTBOX_SMS;
  const struct pga_rcpt *r =
      &pga_batch.rows[ch == OUTBOX_EMAIL ? i : pga_order[i - pga_batch.n]];
  const char *addr = pga_str(ch == OUTBOX_EMAIL ? r->email : r->phone);
  if (addr == NULL) return BH_OK; /* no address: no message on that channel */
  int ok = ch == OUTBOX_EMAIL ? pga_batch.email_ok : pga_batch.sms_ok;
  int rc = buf_printf(b, "%lld\t%lld\t%d\t", (long long)pga_batch.alert_id, (long long)r->id, ch);
  if (rc == BH_OK) rc = pga_copy_field(b, addr);
  if (rc == BH_OK) {
    rc = buf_printf(b, "\t1\t%d\t0\t%lld\n", ok ? OUTBOX_QUEUED : OUTBOX_NOT_CONFIGURED,
                    (long long)pga_batch.now);
  }
  return rc;
}

/* Writes the waiting recipients and their messages. */
static int pga_batch_flush(pg_conn_t *c) {
  size_t n = pga_batch.n;
  if (n == 0) return BH_OK;
  int rc = BH_OK;
  size_t *order = malloc(sizeof(*order) * n);
  if (order == NULL) rc = BH_ERR_NOMEM;
  for (size_t i = 0; rc == BH_OK && i < n; i++) order[i] = i;
  /* Ids in the order of the token hashes: the primary key still grows at its end. */
  if (rc == BH_OK) qsort(order, n, sizeof(*order), pga_by_hash);
  PGresult *res = NULL;
  if (rc == BH_OK) {
    pg_params_t p = {0};
    pgp_i64(&p, (int64_t)n);
    rc = pg_run_sql(c, pga_recipient_ids, &p, &res);
  }
  if (rc == BH_OK && (size_t)PQntuples(res) != n) rc = BH_ERR_DB;
  for (size_t i = 0; rc == BH_OK && i < n; i++) {
    pga_batch.rows[order[i]].id = pg_col_i64(res, (int)i, 0);
  }
  PQclear(res);
  /* Rows sent in id order, that is in token hash order. */
  struct pga_rcpt *sorted = rc == BH_OK ? malloc(sizeof(*sorted) * n) : NULL;
  if (rc == BH_OK && sorted == NULL) rc = BH_ERR_NOMEM;
  if (rc == BH_OK) {
    for (size_t i = 0; i < n; i++) sorted[i] = pga_batch.rows[order[i]];
    memcpy(pga_batch.rows, sorted, sizeof(*sorted) * n);
    rc = pga_copy(c, pga_copy_recipients, n, pga_recipient_line);
  }
  free(sorted);
  if (rc == BH_OK) {
    for (size_t i = 0; i < n; i++) order[i] = i;
    qsort(order, n, sizeof(*order), pga_by_phone);
    pga_order = order;
    rc = pga_copy(c, pga_copy_outbox, 2 * n, pga_outbox_line);
    pga_order = NULL;
  }
  free(order);
  int64_t alert_id = pga_batch.alert_id, now = pga_batch.now;
  int email_ok = pga_batch.email_ok, sms_ok = pga_batch.sms_ok;
  pga_batch.n = 0;
  buf_reset(&pga_batch.text);
  pga_batch.alert_id = alert_id;
  pga_batch.now = now;
  pga_batch.email_ok = email_ok;
  pga_batch.sms_ok = sms_ok;
  return rc;
}

int pga_alert_add_recipient(pg_conn_t *c, int64_t alert_id, const alert_recipient_in_t *r,
                            int email_ok, int sms_ok, int64_t now) {
  if (pga_batch.n > 0 && pga_batch.alert_id != alert_id) pga_batch_clear();
  if (pga_batch.rows == NULL) {
    pga_batch.rows = malloc(sizeof(*pga_batch.rows) * PGA_BATCH);
    if (pga_batch.rows == NULL) return BH_ERR_NOMEM;
    buf_init(&pga_batch.text, (size_t)PGA_BATCH * (MODEL_EMAIL_MAX + MODEL_PHONE_MAX + 16));
  }
  if (pga_batch.n == 0) {
    pga_batch.alert_id = alert_id;
    pga_batch.now = now;
    pga_batch.email_ok = email_ok;
    pga_batch.sms_ok = sms_ok;
  }
  struct pga_rcpt *row = &pga_batch.rows[pga_batch.n];
  int rc = BH_OK;
  row->person_id = r->person_id;
  memcpy(row->token_hash, r->token_hash, SECRET_TOKEN_HASH_BYTES);
  row->lang = pga_keep(r->lang, &rc);
  row->email = pga_keep(r->email, &rc);
  row->phone = pga_keep(r->phone, &rc);
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

int pga_alert_set_recipients(pg_conn_t *c, int64_t alert_id, int64_t n, int64_t english,
                             int64_t now) {
  int rc = pga_batch_flush(c);
  if (rc != BH_OK) return rc;
  pg_params_t p = {0};
  pgp_i64(&p, alert_id);
  pgp_i64(&p, n);
  pgp_i64(&p, now);
  pgp_i64(&p, english);
  return pga_exec(c, pga_set_recipients, &p);
}

int pga_alert_ids(pg_conn_t *c, int64_t crisis_id, int64_t before, int limit, int64_t *ids,
                  size_t *n) {
  *n = 0;
  pg_params_t p = {0};
  pgp_i64(&p, crisis_id);
  pgp_i64(&p, before);
  pgp_i64(&p, limit);
  PGresult *res;
  int rc = pg_run_sql(c, pga_alert_ids_sql, &p, &res);
  if (rc != BH_OK) return rc;
  for (int i = 0; i < PQntuples(res) && *n < (size_t)limit; i++) ids[(*n)++] = pg_col_i64(res, i, 0);
  PQclear(res);
  return BH_OK;
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
  rc = pg_run_sql(c, pga_fig_english, &p, &res);
  if (rc != BH_OK) return rc;
  if (PQntuples(res) == 1) out->english = pg_col_i64(res, 0, 0);
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
  out->person_status = pg_col_text(a, res, 0, 6);
  out->lang = pg_col_text(a, res, 0, 7);
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
  pgp_text(&p, t->answer);
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

int pga_alert_escalate(pg_conn_t *c, int64_t now, int minute_s, int64_t *alert_id, int *stage) {
  *alert_id = 0;
  *stage = 0;
  int owned, rc = pg_tx_enter(c, &owned);
  if (rc != BH_OK) return rc;
  pg_params_t p = {0};
  pgp_i64(&p, now);
  pgp_i64(&p, minute_s);
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
