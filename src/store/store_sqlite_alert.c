/*
 * store_sqlite_alert.c - the SQLite backend of store_alert.h: alerts, recipients, the outbox,
 * check-ins and escalation. Every statement is in the table below, prepared once per connection
 * and bound with parameters. Channels and outbox statuses are stored as small integers (enum
 * outbox_channel, enum outbox_status): a million-recipient alert writes millions of outbox rows.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alert/alert.h"
#include "store/store_alert_impl.h"
#include "store/store_sqlite_int.h"
#include "util/err.h"

#define SQA_ALERT_COLS                                                                        \
  "id, crisis_id, status, subject_vi, subject_en, body_vi, body_en, sms_vi, sms_en, channels," \
  " filter, ask_checkin, recipients, created_by, created_at, sent_at, resend_after_minutes,"   \
  " stage, stage_at"
/* A check-in target: the recipient, its alert and crisis, and the person's status, by key. */
#define SQA_TARGET_COLS                                                                       \
  "r.id, r.alert_id, r.person_id, a.crisis_id, r.answer, k.closed_at, p.status, r.lang"
#define SQA_TARGET_JOIN                                                                       \
  " JOIN alerts a ON a.id = r.alert_id JOIN crises k ON k.id = a.crisis_id JOIN persons p ON"  \
  " p.id = r.person_id"

/* X(name, sql): every statement of this file. */
#define SQA_TABLE(X)                                                                           \
  X(SQA_ALERT_INSERT,                                                                          \
    "INSERT INTO alerts(crisis_id, status, subject_vi, subject_en, body_vi, body_en, sms_vi,"  \
    " sms_en, channels, filter, ask_checkin, resend_after_minutes, created_by, created_at,"    \
    " sent_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, NULL)")     \
  X(SQA_RECIPIENT_INSERT,                                                                      \
    "INSERT INTO alert_recipients(alert_id, person_id, lang, token_hash) VALUES (?1, ?2, ?3,"  \
    " ?4)")                                                                                    \
  X(SQA_OUTBOX_INSERT,                                                                         \
    "INSERT INTO outbox(alert_id, recipient_id, channel, address, round, status, attempts,"    \
    " next_at) VALUES (?1, ?2, ?3, ?4, 1, ?5, 0, ?6)")                                         \
  X(SQA_ALERT_SET_RECIPIENTS,                                                                  \
    "UPDATE alerts SET recipients = ?2, recipients_en = ?4, status = 'sending', sent_at = ?3"  \
    " WHERE id = ?1")               \
  X(SQA_ALERT_GET, "SELECT " SQA_ALERT_COLS " FROM alerts WHERE id = ?1")                      \
  X(SQA_ALERT_IDS,                                                                             \
    "SELECT id FROM alerts WHERE crisis_id = ?1 AND (?2 = 0 OR id < ?2) ORDER BY id DESC"      \
    " LIMIT ?3")                                                                               \
  X(SQA_FIG_MESSAGES,                                                                          \
    "SELECT channel, status, count(*) FROM outbox WHERE alert_id = ?1 GROUP BY channel,"       \
    " status")                                                                                 \
  X(SQA_FIG_ANSWERS,                                                                           \
    "SELECT answer, count(*) FROM alert_recipients WHERE alert_id = ?1 GROUP BY answer")       \
  X(SQA_FIG_ENGLISH, "SELECT recipients_en FROM alerts WHERE id = ?1")                         \
  /* Due: queued rows whose next attempt has come, and sending rows whose lease (kept in       \
   * next_at while sending) ran out because their worker died. */                              \
  X(SQA_CLAIM_SELECT,                                                                          \
    "SELECT o.id, o.alert_id, r.person_id, o.channel, o.address, r.lang, o.attempts + 1"       \
    " FROM outbox o JOIN alert_recipients r ON r.id = o.recipient_id WHERE o.channel = ?1"     \
    " AND o.status IN (0, 1) AND o.next_at <= ?2 LIMIT ?3")           \
  X(SQA_CLAIM_MARK,                                                                            \
    "UPDATE outbox SET status = 1, attempts = attempts + 1, next_at = ?2 WHERE id = ?1")       \
  X(SQA_RESULT,                                                                                \
    "UPDATE outbox SET status = ?2, next_at = ?3, last_error = ?4, sent_at = CASE WHEN ?2 = 2"  \
    " THEN ?5 ELSE sent_at END WHERE id = ?1 AND status = 1")                                  \
  X(SQA_RECOVER, "UPDATE outbox SET next_at = ?1 WHERE status = 1")                          \
  X(SQA_TARGET,                                                                                \
    "SELECT " SQA_TARGET_COLS " FROM alert_recipients r" SQA_TARGET_JOIN                       \
    " WHERE r.token_hash = ?1")                                                                \
  X(SQA_TARGET_PHONE,                                                                          \
    "SELECT " SQA_TARGET_COLS " FROM outbox o JOIN alert_recipients r ON r.id ="               \
    " o.recipient_id" SQA_TARGET_JOIN " WHERE o.channel = 1 AND o.address = ?1 AND o.status"   \
    " IN (1, 2) ORDER BY o.id DESC LIMIT 1")                                                   \
  X(SQA_CHECKIN_INSERT,                                                                        \
    "INSERT INTO checkins(crisis_id, alert_id, recipient_id, person_id, answer, message,"      \
    " location, source, at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)")                      \
  X(SQA_RECIPIENT_ANSWER,                                                                      \
    "UPDATE alert_recipients SET answer = ?2, answered_at = ?3 WHERE id = ?1")                 \
  X(SQA_NEEDS_HELP,                                                                            \
    "SELECT k.person_id, p.full_name, k.message, k.location, k.at FROM checkins k JOIN"        \
    " persons p ON p.id = k.person_id WHERE k.crisis_id = ?1 AND k.answer = 'need_help' AND"   \
    " k.id = (SELECT max(k2.id) FROM checkins k2 WHERE k2.crisis_id = ?1 AND k2.person_id ="   \
    " k.person_id) ORDER BY k.id DESC")                                                        \
  X(SQA_ESC_DUE,                                                                               \
    "SELECT id, stage FROM alerts WHERE resend_after_minutes > 0 AND stage < 2 AND"            \
    " sent_at IS NOT NULL AND sent_at + (stage + 1) * resend_after_minutes * ?2 <= ?1"        \
    " ORDER BY id LIMIT 1")         \
  X(SQA_ESC_RESEND,                                                                            \
    "INSERT INTO outbox(alert_id, recipient_id, channel, address, round, status, attempts,"    \
    " next_at) SELECT o.alert_id, o.recipient_id, o.channel, o.address, 2, CASE WHEN"          \
    " o.status = 4 THEN 4 ELSE 0 END, 0, ?2 FROM outbox o JOIN alert_recipients r ON r.id ="   \
    " o.recipient_id WHERE o.alert_id = ?1 AND o.round = 1 AND r.answer IS NULL")              \
  X(SQA_ESC_STAGE, "UPDATE alerts SET stage = ?2, stage_at = ?3 WHERE id = ?1")                \
  X(SQA_CALL_LIST,                                                                             \
    "SELECT p.id, p.full_name, p.phones, p.contacts FROM alert_recipients r JOIN persons p"    \
    " ON p.id = r.person_id WHERE r.alert_id = ?1 AND r.answer IS NULL ORDER BY r.id")

enum sqa_stmt {
#define SQA_ENUM(name, sql) name,
  SQA_TABLE(SQA_ENUM)
#undef SQA_ENUM
      SQA_COUNT
};

static const char *const sqa_sql[SQA_COUNT] = {
#define SQA_TEXT(name, sql) sql,
    SQA_TABLE(SQA_TEXT)
#undef SQA_TEXT
};

/* The statement id of c from the connection's cache; NULL on failure (logged). */
static sqlite3_stmt *sqa(sq_conn_t *c, enum sqa_stmt id) { return sq_stmt_cached(c, sqa_sql[id]); }

static void sqa_text(sqlite3_stmt *st, int i, const char *s) {
  if (s == NULL) {
    sqlite3_bind_null(st, i);
  } else {
    sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
  }
}

static const char *sqa_col_text(arena_t *a, sqlite3_stmt *st, int i) {
  const unsigned char *s = sqlite3_column_text(st, i);
  if (s == NULL) return NULL;
  return arena_strndup(a, (const char *)s, (size_t)sqlite3_column_bytes(st, i));
}

static json_t *sqa_col_json(sqlite3_stmt *st, int i) {
  const char *s = (const char *)sqlite3_column_text(st, i);
  return s ? json_loadb(s, (size_t)sqlite3_column_bytes(st, i), 0, NULL) : NULL;
}

/* Runs a statement that returns no rows and resets it. */
static int sqa_exec(sq_conn_t *c, sqlite3_stmt *st) {
  int rc = sq_stmt_step(st);
  int err = rc == SQLITE_DONE ? BH_OK : sq_result_err(c, rc);
  sqlite3_reset(st);
  sqlite3_clear_bindings(st);
  return err;
}

static void sqa_done(sqlite3_stmt *st) {
  sqlite3_reset(st);
  sqlite3_clear_bindings(st);
}

int sqa_alert_create(sq_conn_t *c, alert_t *a, const alert_extra_t *x) {
  sqlite3_stmt *st = sqa(c, SQA_ALERT_INSERT);
  if (st == NULL) return BH_ERR_DB;
  char *channels = json_dumps(a->channels, JSON_COMPACT);
  char *filter = a->filter ? json_dumps(a->filter, JSON_COMPACT) : NULL;
  sqlite3_bind_int64(st, 1, a->crisis_id);
  sqa_text(st, 2, a->status);
  sqa_text(st, 3, a->subject_vi);
  sqa_text(st, 4, a->subject_en);
  sqa_text(st, 5, a->body_vi);
  sqa_text(st, 6, a->body_en);
  sqa_text(st, 7, a->sms_vi);
  sqa_text(st, 8, a->sms_en);
  sqa_text(st, 9, channels ? channels : "[]");
  sqa_text(st, 10, filter);
  sqlite3_bind_int(st, 11, a->ask_checkin ? 1 : 0);
  sqlite3_bind_int(st, 12, x ? x->resend_after_minutes : 0);
  if (a->created_by) {
    sqlite3_bind_int64(st, 13, a->created_by);
  } else {
    sqlite3_bind_null(st, 13);
  }
  sqlite3_bind_int64(st, 14, a->created_at);
  int rc = sqa_exec(c, st);
  free(channels);
  free(filter);
  if (rc == BH_OK) a->id = sqlite3_last_insert_rowid(sq_conn_db(c));
  return rc;
}

int sqa_alert_add_recipient(sq_conn_t *c, int64_t alert_id, const alert_recipient_in_t *r,
                            int email_ok, int sms_ok, int64_t now) {
  sqlite3_stmt *rs = sqa(c, SQA_RECIPIENT_INSERT);
  sqlite3_stmt *os = sqa(c, SQA_OUTBOX_INSERT);
  if (rs == NULL || os == NULL) return BH_ERR_DB;
  sqlite3_bind_int64(rs, 1, alert_id);
  sqlite3_bind_int64(rs, 2, r->person_id);
  sqa_text(rs, 3, r->lang);
  sqlite3_bind_blob(rs, 4, r->token_hash, SECRET_TOKEN_HASH_BYTES, SQLITE_STATIC);
  int rc = sqa_exec(c, rs);
  if (rc != BH_OK) return rc;
  int64_t rid = sqlite3_last_insert_rowid(sq_conn_db(c));
  const char *addr[OUTBOX_CHANNEL_COUNT] = {r->email, r->phone};
  int ok[OUTBOX_CHANNEL_COUNT] = {email_ok, sms_ok};
  for (int ch = 0; ch < OUTBOX_CHANNEL_COUNT && rc == BH_OK; ch++) {
    if (addr[ch] == NULL) continue;
    sqlite3_bind_int64(os, 1, alert_id);
    sqlite3_bind_int64(os, 2, rid);
    sqlite3_bind_int(os, 3, ch);
    sqa_text(os, 4, addr[ch]);
    sqlite3_bind_int(os, 5, ok[ch] ? OUTBOX_QUEUED : OUTBOX_NOT_CONFIGURED);
    sqlite3_bind_int64(os, 6, now);
    rc = sqa_exec(c, os);
  }
  return rc;
}

/* The page cache of a big alert, in KiB (negative: PRAGMA cache_size's unit). */
#define SQA_BIG_CACHE "PRAGMA cache_size=-1048576"

/* The cache size of each connection before sqa_alert_big raised it (one thread per connection). */
static _Thread_local int sqa_saved_cache;
static _Thread_local int sqa_big;

int sqa_alert_big(sq_conn_t *c, int on) {
  sqlite3 *db = sq_conn_db(c);
  if (on && !sqa_big) {
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, "PRAGMA cache_size", -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW) {
      sqa_saved_cache = sqlite3_column_int(st, 0);
    }
    sqlite3_finalize(st);
    sqa_big = 1;
    return sqlite3_exec(db, SQA_BIG_CACHE, NULL, NULL, NULL) == SQLITE_OK ? BH_OK : BH_ERR_DB;
  }
  if (!on && sqa_big) {
    sqa_big = 0;
    char sql[64];
    snprintf(sql, sizeof(sql), "PRAGMA cache_size=%d", sqa_saved_cache);
    /* Shrinking the cache releases the pages the alert used. */
    return sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK ? BH_OK : BH_ERR_DB;
  }
  return BH_OK;
}

int sqa_alert_set_recipients(sq_conn_t *c, int64_t alert_id, int64_t n, int64_t english,
                             int64_t now) {
  sqlite3_stmt *st = sqa(c, SQA_ALERT_SET_RECIPIENTS);
  if (st == NULL) return BH_ERR_DB;
  sqlite3_bind_int64(st, 1, alert_id);
  sqlite3_bind_int64(st, 2, n);
  sqlite3_bind_int64(st, 3, now);
  sqlite3_bind_int64(st, 4, english);
  return sqa_exec(c, st);
}

int sqa_alert_ids(sq_conn_t *c, int64_t crisis_id, int64_t before, int limit, int64_t *ids,
                  size_t *n) {
  *n = 0;
  sqlite3_stmt *st = sqa(c, SQA_ALERT_IDS);
  if (st == NULL) return BH_ERR_DB;
  sqlite3_bind_int64(st, 1, crisis_id);
  sqlite3_bind_int64(st, 2, before);
  sqlite3_bind_int(st, 3, limit);
  int rc;
  while ((rc = sq_stmt_step(st)) == SQLITE_ROW && *n < (size_t)limit) {
    ids[(*n)++] = sqlite3_column_int64(st, 0);
  }
  sqa_done(st);
  return rc == SQLITE_DONE || rc == SQLITE_ROW ? BH_OK : sq_result_err(c, rc);
}

int sqa_alert_get(sq_conn_t *c, int64_t id, arena_t *a, alert_t *out, alert_extra_t *x) {
  sqlite3_stmt *st = sqa(c, SQA_ALERT_GET);
  if (st == NULL) return BH_ERR_DB;
  sqlite3_bind_int64(st, 1, id);
  int rc = sq_stmt_step(st);
  if (rc != SQLITE_ROW) {
    sqa_done(st);
    return rc == SQLITE_DONE ? BH_ERR_NOT_FOUND : sq_result_err(c, rc);
  }
  memset(out, 0, sizeof(*out));
  out->id = sqlite3_column_int64(st, 0);
  out->crisis_id = sqlite3_column_int64(st, 1);
  out->status = sqa_col_text(a, st, 2);
  out->subject_vi = sqa_col_text(a, st, 3);
  out->subject_en = sqa_col_text(a, st, 4);
  out->body_vi = sqa_col_text(a, st, 5);
  out->body_en = sqa_col_text(a, st, 6);
  out->sms_vi = sqa_col_text(a, st, 7);
  out->sms_en = sqa_col_text(a, st, 8);
  out->channels = sqa_col_json(st, 9);
  if (out->channels == NULL) out->channels = json_array();
  out->filter = sqa_col_json(st, 10);
  out->ask_checkin = sqlite3_column_int(st, 11);
  out->recipients = sqlite3_column_int64(st, 12);
  out->created_by = sqlite3_column_int64(st, 13);
  out->created_at = sqlite3_column_int64(st, 14);
  out->sent_at = sqlite3_column_int64(st, 15);
  if (x != NULL) {
    x->resend_after_minutes = sqlite3_column_int(st, 16);
    x->stage = sqlite3_column_int(st, 17);
    x->stage_at = sqlite3_column_int64(st, 18);
  }
  sqa_done(st);
  return BH_OK;
}

int sqa_alert_figures(sq_conn_t *c, int64_t id, alert_figures_t *out) {
  memset(out, 0, sizeof(*out));
  sqlite3_stmt *st = sqa(c, SQA_FIG_MESSAGES);
  if (st == NULL) return BH_ERR_DB;
  sqlite3_bind_int64(st, 1, id);
  int rc;
  while ((rc = sq_stmt_step(st)) == SQLITE_ROW) {
    int ch = sqlite3_column_int(st, 0), stt = sqlite3_column_int(st, 1);
    if (ch >= 0 && ch < OUTBOX_CHANNEL_COUNT && stt >= 0 && stt < OUTBOX_STATUS_COUNT) {
      out->messages[ch][stt] += sqlite3_column_int64(st, 2);
    }
  }
  sqa_done(st);
  if (rc != SQLITE_DONE) return sq_result_err(c, rc);
  st = sqa(c, SQA_FIG_ANSWERS);
  if (st == NULL) return BH_ERR_DB;
  sqlite3_bind_int64(st, 1, id);
  while ((rc = sq_stmt_step(st)) == SQLITE_ROW) {
    const char *ans = (const char *)sqlite3_column_text(st, 0);
    int64_t n = sqlite3_column_int64(st, 1);
    out->recipients += n;
    int i = model_enum_index(model_checkin_answers, ans);
    if (i >= 0 && i < 3) {
      out->answers[i] += n;
      out->answered += n;
    }
  }
  sqa_done(st);
  if (rc != SQLITE_DONE) return sq_result_err(c, rc);
  st = sqa(c, SQA_FIG_ENGLISH);
  if (st == NULL) return BH_ERR_DB;
  sqlite3_bind_int64(st, 1, id);
  rc = sq_stmt_step(st);
  if (rc == SQLITE_ROW) out->english = sqlite3_column_int64(st, 0);
  sqa_done(st);
  return rc == SQLITE_ROW || rc == SQLITE_DONE ? BH_OK : sq_result_err(c, rc);
}

int sqa_outbox_claim(sq_conn_t *c, int channel, int64_t now, int lease_s, int max, arena_t *a,
                     outbox_msg_t **out, size_t *n) {
  *out = NULL;
  *n = 0;
  sqlite3_stmt *sel = sqa(c, SQA_CLAIM_SELECT);
  sqlite3_stmt *mark = sqa(c, SQA_CLAIM_MARK);
  if (sel == NULL || mark == NULL) return BH_ERR_DB;
  outbox_msg_t *items = arena_alloc(a, sizeof(*items) * (size_t)max);
  if (items == NULL) return BH_ERR_NOMEM;
  int rc = sq_begin_write(c);
  if (rc != BH_OK) return rc;
  sqlite3_bind_int(sel, 1, channel);
  sqlite3_bind_int64(sel, 2, now);
  sqlite3_bind_int(sel, 3, max);
  size_t k = 0;
  int step;
  while ((step = sq_stmt_step(sel)) == SQLITE_ROW && k < (size_t)max) {
    outbox_msg_t *m = &items[k++];
    m->id = sqlite3_column_int64(sel, 0);
    m->alert_id = sqlite3_column_int64(sel, 1);
    m->person_id = sqlite3_column_int64(sel, 2);
    m->channel = sqlite3_column_int(sel, 3);
    m->address = sqa_col_text(a, sel, 4);
    m->lang = sqa_col_text(a, sel, 5);
    m->attempts = sqlite3_column_int(sel, 6);
  }
  sqa_done(sel);
  if (step != SQLITE_ROW && step != SQLITE_DONE) rc = sq_result_err(c, step);
  for (size_t i = 0; i < k && rc == BH_OK; i++) {
    sqlite3_bind_int64(mark, 1, items[i].id);
    sqlite3_bind_int64(mark, 2, now + lease_s);
    rc = sqa_exec(c, mark);
  }
  if (rc == BH_OK) {
    rc = sq_commit(c);
  } else {
    sq_rollback(c);
  }
  if (rc != BH_OK) return rc;
  *out = items;
  *n = k;
  return BH_OK;
}

int sqa_outbox_result(sq_conn_t *c, int64_t id, int status, int64_t next_at, const char *error,
                      int64_t now) {
  sqlite3_stmt *st = sqa(c, SQA_RESULT);
  if (st == NULL) return BH_ERR_DB;
  sqlite3_bind_int64(st, 1, id);
  sqlite3_bind_int(st, 2, status);
  sqlite3_bind_int64(st, 3, next_at);
  sqa_text(st, 4, error);
  sqlite3_bind_int64(st, 5, now);
  return sqa_exec(c, st);
}

int sqa_outbox_recover(sq_conn_t *c, int64_t now) {
  sqlite3_stmt *st = sqa(c, SQA_RECOVER);
  if (st == NULL) return BH_ERR_DB;
  sqlite3_bind_int64(st, 1, now);
  return sqa_exec(c, st);
}

/* Reads the target columns of st's current row. */
static void sqa_target_read(arena_t *a, sqlite3_stmt *st, checkin_target_t *out) {
  out->recipient_id = sqlite3_column_int64(st, 0);
  out->alert_id = sqlite3_column_int64(st, 1);
  out->person_id = sqlite3_column_int64(st, 2);
  out->crisis_id = sqlite3_column_int64(st, 3);
  out->answer = sqa_col_text(a, st, 4);
  out->crisis_closed_at = sqlite3_column_int64(st, 5);
  out->person_status = sqa_col_text(a, st, 6);
  out->lang = sqa_col_text(a, st, 7);
}

int sqa_checkin_target(sq_conn_t *c, const unsigned char *token_hash, arena_t *a,
                       checkin_target_t *out) {
  sqlite3_stmt *st = sqa(c, SQA_TARGET);
  if (st == NULL) return BH_ERR_DB;
  sqlite3_bind_blob(st, 1, token_hash, SECRET_TOKEN_HASH_BYTES, SQLITE_STATIC);
  int rc = sq_stmt_step(st);
  if (rc == SQLITE_ROW) sqa_target_read(a, st, out);
  sqa_done(st);
  return rc == SQLITE_ROW ? BH_OK : rc == SQLITE_DONE ? BH_ERR_NOT_FOUND : sq_result_err(c, rc);
}

int sqa_checkin_target_by_phone(sq_conn_t *c, const char *phone, arena_t *a,
                                checkin_target_t *out) {
  sqlite3_stmt *st = sqa(c, SQA_TARGET_PHONE);
  if (st == NULL) return BH_ERR_DB;
  sqa_text(st, 1, phone);
  int rc = sq_stmt_step(st);
  if (rc == SQLITE_ROW) sqa_target_read(a, st, out);
  sqa_done(st);
  return rc == SQLITE_ROW ? BH_OK : rc == SQLITE_DONE ? BH_ERR_NOT_FOUND : sq_result_err(c, rc);
}

int sqa_checkin_record(sq_conn_t *c, checkin_t *k) {
  sqlite3_stmt *ins = sqa(c, SQA_CHECKIN_INSERT);
  sqlite3_stmt *up = sqa(c, SQA_RECIPIENT_ANSWER);
  if (ins == NULL || up == NULL) return BH_ERR_DB;
  const checkin_target_t *t = k->target;
  sqlite3_bind_int64(ins, 1, t->crisis_id);
  sqlite3_bind_int64(ins, 2, t->alert_id);
  sqlite3_bind_int64(ins, 3, t->recipient_id);
  sqlite3_bind_int64(ins, 4, t->person_id);
  sqa_text(ins, 5, k->answer);
  sqa_text(ins, 6, k->message);
  sqa_text(ins, 7, k->location);
  sqa_text(ins, 8, k->source);
  sqlite3_bind_int64(ins, 9, k->at);
  int rc = sqa_exec(c, ins);
  if (rc != BH_OK) return rc;
  k->id = sqlite3_last_insert_rowid(sq_conn_db(c));
  if (t->answer != NULL && strcmp(t->answer, k->answer) == 0) return BH_OK;
  sqlite3_bind_int64(up, 1, t->recipient_id);
  sqa_text(up, 2, k->answer);
  sqlite3_bind_int64(up, 3, k->at);
  return sqa_exec(c, up);
}

int sqa_needs_help_each(sq_conn_t *c, int64_t crisis_id, arena_t *a, store_needs_help_cb cb,
                        void *ctx) {
  sqlite3_stmt *st = sqa(c, SQA_NEEDS_HELP);
  if (st == NULL) return BH_ERR_DB;
  sqlite3_bind_int64(st, 1, crisis_id);
  int rc, stop = 0;
  while (!stop && (rc = sq_stmt_step(st)) == SQLITE_ROW) {
    needs_help_row_t row = {.person_id = sqlite3_column_int64(st, 0),
                            .full_name = sqa_col_text(a, st, 1),
                            .message = sqa_col_text(a, st, 2),
                            .location = sqa_col_text(a, st, 3),
                            .at = sqlite3_column_int64(st, 4)};
    stop = cb(ctx, &row) != 0;
  }
  sqa_done(st);
  return stop || rc == SQLITE_DONE ? BH_OK : sq_result_err(c, rc);
}

int sqa_alert_escalate(sq_conn_t *c, int64_t now, int minute_s, int64_t *alert_id, int *stage) {
  *alert_id = 0;
  *stage = 0;
  sqlite3_stmt *due = sqa(c, SQA_ESC_DUE);
  sqlite3_stmt *resend = sqa(c, SQA_ESC_RESEND);
  sqlite3_stmt *set = sqa(c, SQA_ESC_STAGE);
  if (due == NULL || resend == NULL || set == NULL) return BH_ERR_DB;
  int rc = sq_begin_write(c);
  if (rc != BH_OK) return rc;
  sqlite3_bind_int64(due, 1, now);
  sqlite3_bind_int(due, 2, minute_s);
  int step = sq_stmt_step(due);
  int64_t id = step == SQLITE_ROW ? sqlite3_column_int64(due, 0) : 0;
  int next = step == SQLITE_ROW ? sqlite3_column_int(due, 1) + 1 : 0;
  sqa_done(due);
  if (step != SQLITE_ROW && step != SQLITE_DONE) rc = sq_result_err(c, step);
  if (rc == BH_OK && id != 0 && next == ALERT_STAGE_RESENT) {
    sqlite3_bind_int64(resend, 1, id);
    sqlite3_bind_int64(resend, 2, now);
    rc = sqa_exec(c, resend);
  }
  if (rc == BH_OK && id != 0) {
    sqlite3_bind_int64(set, 1, id);
    sqlite3_bind_int(set, 2, next);
    sqlite3_bind_int64(set, 3, now);
    rc = sqa_exec(c, set);
  }
  if (rc == BH_OK) {
    rc = sq_commit(c);
  } else {
    sq_rollback(c);
  }
  if (rc == BH_OK) {
    *alert_id = id;
    *stage = next;
  }
  return rc;
}

/* Keeps the contacts who consented to be disclosed. Returns a new reference. */
static json_t *sqa_consenting(json_t *contacts) {
  json_t *out = json_array();
  size_t i;
  json_t *v;
  json_array_foreach(contacts, i, v) {
    if (json_is_true(json_object_get(v, "consent_to_disclose"))) json_array_append(out, v);
  }
  return out;
}

int sqa_alert_call_list(sq_conn_t *c, int64_t id, arena_t *a, store_call_cb cb, void *ctx) {
  sqlite3_stmt *st = sqa(c, SQA_CALL_LIST);
  if (st == NULL) return BH_ERR_DB;
  sqlite3_bind_int64(st, 1, id);
  int rc, stop = 0;
  while (!stop && (rc = sq_stmt_step(st)) == SQLITE_ROW) {
    json_t *contacts = sqa_col_json(st, 3);
    call_row_t row = {.person_id = sqlite3_column_int64(st, 0),
                      .full_name = sqa_col_text(a, st, 1),
                      .phones = sqa_col_json(st, 2),
                      .contacts = sqa_consenting(contacts)};
    json_decref(contacts);
    if (row.phones == NULL) row.phones = json_array();
    stop = cb(ctx, &row) != 0;
    json_decref(row.phones);
    json_decref(row.contacts);
  }
  sqa_done(st);
  return stop || rc == SQLITE_DONE ? BH_OK : sq_result_err(c, rc);
}
