/* outbox.c - the delivery workers and the escalation thread; see outbox.h. */
#include "delivery/outbox.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "alert/alert.h"
#include "delivery/backoff.h"
#include "delivery/email.h"
#include "delivery/sms.h"
#include "store/store_alert.h"
#include "util/arena.h"
#include "util/clock.h"
#include "util/err.h"
#include "util/log.h"

#define OUTBOX_ARENA_MAX (8 * 1024 * 1024)
#define OUTBOX_DEFAULT_FROM "baoho@localhost"

struct outbox_worker {
  outbox_t *o;
  pthread_t thread;
  int channel; /* enum outbox_channel, or -1 for the escalation thread */
  int started;
};

struct outbox {
  store_t *store;
  secret_t keys;
  outbox_config_t cfg;
  char msgid_domain[EMAIL_ADDR_MAX + 1];
  pthread_mutex_t lock;
  pthread_cond_t wake;
  unsigned generation; /* bumped by outbox_wake */
  int stop;
  int minute_s; /* OUTBOX_MINUTE_S, or what OUTBOX_MINUTE_ENV says */
  struct outbox_worker workers[OUTBOX_EMAIL_WORKERS + OUTBOX_SMS_WORKERS + 1];
  size_t nworkers;
};

/* The result of one attempt, committed with its batch. */
struct outbox_result {
  int64_t id;
  int status;
  int64_t next_at;
  char error[EMAIL_REPLY_MAX];
};

/* Waits until woken, stopped, or OUTBOX_POLL_MS passed since the call. Returns o->stop. */
static int outbox_idle(outbox_t *o, unsigned seen) {
  struct timespec until;
  clock_gettime(CLOCK_REALTIME, &until);
  until.tv_nsec += (long)(OUTBOX_POLL_MS % 1000) * 1000000L;
  until.tv_sec += OUTBOX_POLL_MS / 1000 + until.tv_nsec / 1000000000L;
  until.tv_nsec %= 1000000000L;
  pthread_mutex_lock(&o->lock);
  while (!o->stop && o->generation == seen) {
    if (pthread_cond_timedwait(&o->wake, &o->lock, &until) != 0) break;
  }
  int stop = o->stop;
  pthread_mutex_unlock(&o->lock);
  return stop;
}

static unsigned outbox_generation(outbox_t *o) {
  pthread_mutex_lock(&o->lock);
  unsigned g = o->generation;
  pthread_mutex_unlock(&o->lock);
  return g;
}

/* After a failed attempt: queued again after the policy's delay, or failed for good. */
static void outbox_retry(struct outbox_result *res, int channel, int attempts, int permanent,
                         int64_t now) {
  uint32_t delay_ms = 0;
  backoff_policy_id policy = channel == OUTBOX_EMAIL ? BACKOFF_EMAIL : BACKOFF_SMS;
  if (!permanent && backoff_next(policy, (unsigned)attempts, backoff_random(), &delay_ms)) {
    res->status = OUTBOX_QUEUED;
    res->next_at = now + (delay_ms + 999) / 1000;
  } else {
    res->status = OUTBOX_FAILED;
    res->next_at = now;
  }
}

/* Sends one claimed message; fills res. a is the alert the message belongs to. */
static void outbox_send_one(outbox_t *o, email_sender *mail, sms_gateway *gw, const alert_t *a,
                            const outbox_msg_t *m, struct outbox_result *res) {
  int64_t now = clock_now();
  res->id = m->id;
  res->error[0] = '\0';
  char token[ALERT_TOKEN_LEN + 1], link[ALERT_LINK_MAX];
  alert_token(&o->keys, m->alert_id, m->person_id, token);
  if (alert_link(o->cfg.public_url, token, link, sizeof(link)) != BH_OK) {
    snprintf(res->error, sizeof(res->error), "the public URL is too long for a link");
    outbox_retry(res, m->channel, m->attempts, 1, now);
    return;
  }
  if (m->channel == OUTBOX_EMAIL) {
    buf_t subject, vi, en;
    buf_init(&subject, EMAIL_SUBJECT_MAX);
    buf_init(&vi, EMAIL_BODY_MAX);
    buf_init(&en, EMAIL_BODY_MAX);
    char msgid[EMAIL_MSGID_MAX];
    snprintf(msgid, sizeof(msgid), "baoho-%lld@%s", (long long)m->id, o->msgid_domain);
    email_result er = {0};
    /* Both languages, the recipient's first (alert.h). */
    int en_first = strcmp(alert_lang(m->lang), "en") == 0;
    int rc = alert_email_subject(a, m->lang, &subject);
    if (rc == BH_OK) rc = alert_email_body(a, "vi", link, &vi);
    if (rc == BH_OK) rc = alert_email_body(a, "en", link, &en);
    if (rc == BH_OK) {
      email_message em = {.from = o->cfg.mail_from, .from_name = "Bảo hộ công dân",
                          .to = m->address, .subject = subject.data, .message_id = msgid,
                          .body_vi = vi.data, .body_en = en.data, .en_first = en_first};
      rc = email_send(mail, &em, &er);
      if (er.status == EMAIL_DELIVERED) {
        res->status = OUTBOX_SENT;
        res->next_at = now;
      } else {
        snprintf(res->error, sizeof(res->error), "%s", er.reply);
        outbox_retry(res, m->channel, m->attempts, er.status == EMAIL_PERMFAIL, now);
      }
    } else {
      snprintf(res->error, sizeof(res->error), "the message could not be built (%s)",
               bh_err_str(rc));
      outbox_retry(res, m->channel, m->attempts, 1, now);
    }
    buf_free(&subject);
    buf_free(&vi);
    buf_free(&en);
    return;
  }
  buf_t text;
  buf_init(&text, SMS_TEXT_MAX);
  char ref[SMS_REFERENCE_MAX + 1];
  snprintf(ref, sizeof(ref), "baoho-%lld", (long long)m->id);
  int rc = alert_sms_text(a, m->lang, link, &text);
  if (rc == BH_OK) {
    sms_message sm = {.to = m->address, .text = text.data, .reference = ref};
    sms_result sr = {0};
    sms_send(gw, &sm, &sr);
    if (sr.status == SMS_ACCEPTED) {
      res->status = OUTBOX_SENT;
      res->next_at = now;
    } else {
      snprintf(res->error, sizeof(res->error), "%s", sr.reason);
      outbox_retry(res, m->channel, m->attempts, sr.status == SMS_PERMFAIL, now);
    }
  } else {
    snprintf(res->error, sizeof(res->error), "the text could not be built (%s)", bh_err_str(rc));
    outbox_retry(res, m->channel, m->attempts, 1, now);
  }
  buf_free(&text);
}

/* Commits the results of a batch in one transaction; retried once if the database is busy. */
static int outbox_commit(store_conn_t *c, const struct outbox_result *res, size_t n) {
  int rc = BH_ERR_UNAVAILABLE;
  for (int attempt = 0; attempt < 3 && rc == BH_ERR_UNAVAILABLE; attempt++) {
    int64_t now = clock_now();
    rc = store_begin_write(c);
    for (size_t i = 0; i < n && rc == BH_OK; i++) {
      rc = store_outbox_result(c, res[i].id, res[i].status, res[i].next_at,
                               res[i].error[0] ? res[i].error : NULL, now);
    }
    if (rc == BH_OK) {
      rc = store_commit(c);
    } else {
      store_rollback(c);
    }
  }
  return rc;
}

static void *outbox_worker_main(void *arg) {
  struct outbox_worker *w = arg;
  outbox_t *o = w->o;
  store_conn_t *c = store_conn(o->store);
  email_sender *mail = NULL;
  sms_gateway *gw = NULL;
  if (w->channel == OUTBOX_EMAIL) {
    email_config ec = {.url = o->cfg.smtp_url};
    if (email_sender_new(&ec, &mail) != BH_OK) c = NULL;
  } else {
    sms_config sc = {.url = o->cfg.sms_url, .secret = o->cfg.sms_secret};
    if (sms_gateway_new(&sc, &gw) != BH_OK) c = NULL;
  }
  if (c == NULL) {
    log_error("msg=\"outbox worker cannot start\" channel=%s", model_channels[w->channel]);
    email_sender_free(mail);
    sms_gateway_free(gw);
    return NULL;
  }
  struct outbox_result *res = calloc(OUTBOX_BATCH, sizeof(*res));
  arena_t *a = arena_new(OUTBOX_ARENA_MAX);
  arena_t *alert_arena = arena_new(OUTBOX_ARENA_MAX);
  alert_t alert = {0};
  int have_alert = 0;
  while (res != NULL && a != NULL && alert_arena != NULL) {
    unsigned seen = outbox_generation(o);
    outbox_msg_t *msgs = NULL;
    size_t n = 0;
    arena_reset(a);
    int rc = store_outbox_claim(c, w->channel, clock_now(), OUTBOX_LEASE_S, OUTBOX_BATCH, a,
                                &msgs, &n);
    if (rc != BH_OK && rc != BH_ERR_UNAVAILABLE) {
      log_error("msg=\"outbox claim failed\" err=%s", bh_err_str(rc));
    }
    if (n == 0) {
      if (outbox_idle(o, seen)) break;
      continue;
    }
    for (size_t i = 0; i < n; i++) {
      if (!have_alert || alert.id != msgs[i].alert_id) {
        alert_clear(&alert);
        have_alert = 0;
        arena_reset(alert_arena);
        if (store_alert_get(c, msgs[i].alert_id, alert_arena, &alert, NULL) == BH_OK) {
          have_alert = 1;
        }
      }
      if (!have_alert) {
        res[i] = (struct outbox_result){.id = msgs[i].id, .status = OUTBOX_FAILED,
                                        .next_at = clock_now()};
        snprintf(res[i].error, sizeof(res[i].error), "the alert could not be read");
        continue;
      }
      outbox_send_one(o, mail, gw, &alert, &msgs[i], &res[i]);
    }
    rc = outbox_commit(c, res, n);
    if (rc != BH_OK) log_error("msg=\"outbox results not stored\" err=%s n=%zu", bh_err_str(rc), n);
    size_t sent = 0;
    for (size_t i = 0; i < n; i++) sent += res[i].status == OUTBOX_SENT;
    log_debug("msg=\"outbox batch\" channel=%s claimed=%zu sent=%zu", model_channels[w->channel],
              n, sent);
    pthread_mutex_lock(&o->lock);
    int stop = o->stop;
    pthread_mutex_unlock(&o->lock);
    if (stop) break;
  }
  alert_clear(&alert);
  arena_free(a);
  arena_free(alert_arena);
  free(res);
  email_sender_free(mail);
  sms_gateway_free(gw);
  return NULL;
}

/* Advances every alert whose escalation is due, then waits for the next poll. */
static void *outbox_escalate_main(void *arg) {
  struct outbox_worker *w = arg;
  outbox_t *o = w->o;
  store_conn_t *c = store_conn(o->store);
  if (c == NULL) return NULL;
  for (;;) {
    unsigned seen = outbox_generation(o);
    int64_t id = 0;
    int stage = 0, resent = 0;
    do {
      if (store_alert_escalate(c, clock_now(), o->minute_s, &id, &stage) != BH_OK) break;
      if (id != 0) {
        log_info("msg=\"alert escalated\" alert=%lld stage=%d", (long long)id, stage);
        resent |= stage == 1;
      }
    } while (id != 0);
    if (resent) outbox_wake(o);
    if (outbox_idle(o, seen)) break;
  }
  return NULL;
}

int outbox_start(store_t *store, const secret_t *keys, const outbox_config_t *cfg, outbox_t **out) {
  if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) return BH_ERR_INTERNAL;
  outbox_t *o = calloc(1, sizeof(*o));
  if (o == NULL) return BH_ERR_NOMEM;
  o->store = store;
  o->keys = *keys;
  o->cfg = *cfg;
  o->minute_s = OUTBOX_MINUTE_S;
  const char *minute = getenv(OUTBOX_MINUTE_ENV);
  if (minute != NULL) {
    long v = strtol(minute, NULL, 10);
    if (v >= 1 && v <= OUTBOX_MINUTE_S) o->minute_s = (int)v;
    log_warn("msg=\"escalation minutes shortened for a test\" seconds=%d", o->minute_s);
  }
  if (o->cfg.mail_from == NULL) o->cfg.mail_from = OUTBOX_DEFAULT_FROM;
  const char *at = strrchr(o->cfg.mail_from, '@');
  snprintf(o->msgid_domain, sizeof(o->msgid_domain), "%s", at ? at + 1 : "localhost");
  pthread_mutex_init(&o->lock, NULL);
  pthread_cond_init(&o->wake, NULL);
  int rc = BH_OK;
  if (o->cfg.smtp_url != NULL) {
    email_sender *probe = NULL;
    email_config ec = {.url = o->cfg.smtp_url};
    rc = email_sender_new(&ec, &probe);
    email_sender_free(probe);
    if (rc == BH_OK && !email_address_valid(o->cfg.mail_from)) rc = BH_ERR_INVALID;
  }
  if (rc == BH_OK && o->cfg.sms_url != NULL) {
    sms_gateway *probe = NULL;
    sms_config sc = {.url = o->cfg.sms_url, .secret = o->cfg.sms_secret};
    rc = sms_gateway_new(&sc, &probe);
    sms_gateway_free(probe);
  }
  store_conn_t *c = store_conn(store);
  if (rc == BH_OK && c != NULL) rc = store_outbox_recover(c, clock_now());
  if (rc != BH_OK) {
    pthread_cond_destroy(&o->wake);
    pthread_mutex_destroy(&o->lock);
    free(o);
    return rc;
  }
  int want[OUTBOX_CHANNEL_COUNT] = {o->cfg.smtp_url ? OUTBOX_EMAIL_WORKERS : 0,
                                    o->cfg.sms_url ? OUTBOX_SMS_WORKERS : 0};
  for (int ch = 0; ch < OUTBOX_CHANNEL_COUNT; ch++) {
    for (int i = 0; i < want[ch]; i++) {
      struct outbox_worker *w = &o->workers[o->nworkers++];
      w->o = o;
      w->channel = ch;
      w->started = pthread_create(&w->thread, NULL, outbox_worker_main, w) == 0;
    }
  }
  struct outbox_worker *esc = &o->workers[o->nworkers++];
  esc->o = o;
  esc->channel = -1;
  esc->started = pthread_create(&esc->thread, NULL, outbox_escalate_main, esc) == 0;
  *out = o;
  return BH_OK;
}

void outbox_wake(outbox_t *o) {
  if (o == NULL) return;
  pthread_mutex_lock(&o->lock);
  o->generation++;
  pthread_cond_broadcast(&o->wake);
  pthread_mutex_unlock(&o->lock);
}

void outbox_stop(outbox_t *o) {
  if (o == NULL) return;
  pthread_mutex_lock(&o->lock);
  o->stop = 1;
  pthread_cond_broadcast(&o->wake);
  pthread_mutex_unlock(&o->lock);
  for (size_t i = 0; i < o->nworkers; i++) {
    if (o->workers[i].started) pthread_join(o->workers[i].thread, NULL);
  }
  pthread_cond_destroy(&o->wake);
  pthread_mutex_destroy(&o->lock);
  free(o);
  curl_global_cleanup();
}
