/*
 * api_checkin.c - citizens' answers to "are you safe?": the check-in page behind each personal
 * link (/c/{token}), its form post, and inbound SMS replies from the gateway.
 *
 * The page is a small HTML form in Vietnamese (English with ?lang=en) that works without
 * JavaScript or styles on an old phone, under the same Content-Security-Policy as the rest of the
 * site; it is never cached and never sends the link onwards as a referrer. An answer is recorded
 * durably (the group-commit writer) before the reply: the check-in, the recipient's latest answer
 * and the person's welfare status with its history (safe -> safe, need help -> needs_assistance,
 * not in the area -> left_area). Answering again is allowed: the latest answer wins and every
 * answer stays in the history; the status (and its history) is written only when it changes.
 * One indexed lookup of the link gives everything the answer needs. Unknown or malformed links
 * are 404, links of a closed crisis 410. While its answer waits for the group commit the request
 * is suspended (http_suspend), not a blocked worker thread; an answer with an idempotency key
 * (the form's hidden field) keeps its key and answer in the same job (see answer_idem_job_run).
 * Answers without a key are recorded with the others of their batch at once (answers_batch_run,
 * one round trip on PostgreSQL). An inbound SMS's message id is its idempotency key, so that a
 * gateway delivering it again does not record it twice (inbound_job_run).
 */
#include <stdlib.h>
#include <string.h>

#include "alert/alert.h"
#include "api/api.h"
#include "api/api_idem_int.h"
#include "delivery/outbox.h"
#include "delivery/sms.h"
#include "store/store_alert.h"
#include "store/store_case.h"
#include "store/store_checkin_batch.h"
#include "util/clock.h"
#include "util/err.h"
#include "util/log.h"

#define CHECKIN_CSP                                                                          \
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "         \
  "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
#define CHECKIN_LOCATION_MAX 200
#define CHECKIN_FORM_FIELDS 4
#define INBOUND_TEXT_MAX 1600

/* Texts of the page, per language (index 0 vi, 1 en). */
static const char *const txt_title[] = {"Bạn có an toàn không?", "Are you safe?"};
static const char *const txt_intro[] = {
    "Cơ quan đại diện Việt Nam hỏi thăm tình hình của bạn. Xin chọn một câu trả lời.",
    "The Vietnamese mission is asking how you are. Please choose one answer."};
static const char *const txt_answers[][3] = {
    {"Tôi an toàn", "Tôi cần giúp đỡ", "Tôi không ở khu vực này"},
    {"I am safe", "I need help", "I am not in the area"}};
static const char *const txt_message[] = {"Lời nhắn (không bắt buộc)", "Message (optional)"};
static const char *const txt_location[] = {"Bạn đang ở đâu? (không bắt buộc)",
                                           "Where are you? (optional)"};
static const char *const txt_send[] = {"Gửi", "Send"};
static const char *const txt_thanks[] = {"Cảm ơn bạn. Câu trả lời đã được ghi nhận.",
                                         "Thank you. Your answer has been recorded."};
static const char *const txt_again[] = {"Bạn có thể trả lời lại bất cứ lúc nào.",
                                        "You may answer again at any time."};
static const char *const txt_unknown[] = {"Đường link này không hợp lệ.",
                                          "This link is not valid."};
static const char *const txt_closed[] = {
    "Đợt hỏi thăm này đã kết thúc. Nếu cần giúp đỡ, xin gọi đường dây nóng của cơ quan đại diện.",
    "This request has ended. If you need help, call the mission's hotline."};
static const char *const txt_invalid[] = {"Câu trả lời không hợp lệ: ",
                                          "The answer is not valid: "};

static int page_lang(const http_req_t *r, const char *form_lang) {
  const char *lang = form_lang ? form_lang : http_query(r, "lang");
  return lang != NULL && strcmp(lang, "en") == 0;
}

/* Appends s to b with the five HTML special characters escaped. */
static void html_text(buf_t *b, const char *s) {
  for (; s && *s; s++) {
    switch (*s) {
      case '&': buf_puts(b, "&amp;"); break;
      case '<': buf_puts(b, "&lt;"); break;
      case '>': buf_puts(b, "&gt;"); break;
      case '"': buf_puts(b, "&quot;"); break;
      case '\'': buf_puts(b, "&#39;"); break;
      default: buf_putc(b, *s);
    }
  }
}

static void page_head(buf_t *b, int en, const char *title) {
  buf_printf(b,
             "<!DOCTYPE html>\n<html lang=\"%s\"><head><meta charset=\"utf-8\">"
             "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
             "<meta name=\"referrer\" content=\"no-referrer\"><title>",
             en ? "en" : "vi");
  html_text(b, title);
  buf_puts(b, "</title></head><body><h1>");
  html_text(b, title);
  buf_puts(b, "</h1>\n");
}

#define CHECKIN_PAGE_TYPE "text/html; charset=utf-8"

/* Queues the page in b (freed here) with the check-in headers. */
static void page_reply(http_req_t *r, int status, int en, buf_t *b) {
  buf_puts(b, "</body></html>\n");
  http_add_header(r, "Content-Security-Policy", CHECKIN_CSP);
  http_add_header(r, "Cache-Control", "no-store");
  http_add_header(r, "Referrer-Policy", "no-referrer");
  http_add_header(r, "Content-Language", en ? "en" : "vi");
  http_reply_bytes(r, status, CHECKIN_PAGE_TYPE, b->data ? b->data : "", b->len);
  buf_free(b);
}

/* A page with one message and, for a valid link, the way back to the form. */
static void page_message(http_req_t *r, int status, int en, const char *title, const char *msg) {
  buf_t b;
  buf_init(&b, 64 * 1024);
  page_head(&b, en, title);
  buf_puts(&b, "<p>");
  html_text(&b, msg);
  buf_puts(&b, "</p>\n");
  page_reply(r, status, en, &b);
}

static void page_form(http_req_t *r, int en, const char *token, const char *latest) {
  buf_t b;
  buf_init(&b, 64 * 1024);
  page_head(&b, en, txt_title[en]);
  buf_puts(&b, "<p>");
  html_text(&b, txt_intro[en]);
  buf_puts(&b, "</p>\n<form method=\"post\" action=\"/c/");
  html_text(&b, token);
  buf_puts(&b, "\">\n");
  for (int i = 0; i < 3; i++) {
    const char *ans = model_checkin_answers[i];
    buf_printf(&b, "<p><label><input type=\"radio\" name=\"answer\" value=\"%s\"%s%s> ", ans,
               i == 0 ? " required" : "", latest && strcmp(latest, ans) == 0 ? " checked" : "");
    html_text(&b, txt_answers[en][i]);
    buf_puts(&b, "</label></p>\n");
  }
  buf_puts(&b, "<p><label>");
  html_text(&b, txt_message[en]);
  buf_printf(&b, "<br><textarea name=\"message\" rows=\"3\" cols=\"30\" maxlength=\"%d\">"
                 "</textarea></label></p>\n<p><label>",
             ALERT_CHECKIN_TEXT_MAX);
  html_text(&b, txt_location[en]);
  buf_printf(&b, "<br><input type=\"text\" name=\"location\" maxlength=\"%d\"></label></p>\n",
             CHECKIN_LOCATION_MAX);
  /* A key made for this rendering of the form: sending it twice (a retry, a double tap) records
   * one answer (api.c, "idempotency keys"); a new rendering answers anew. */
  char idem[SECRET_TOKEN_LEN + 1];
  secret_token_new(idem);
  buf_printf(&b, "<input type=\"hidden\" name=\"idempotency_key\" value=\"%s\">\n", idem);
  buf_printf(&b, "<input type=\"hidden\" name=\"lang\" value=\"%s\">\n<p><button type=\"submit\">",
             en ? "en" : "vi");
  html_text(&b, txt_send[en]);
  buf_printf(&b, "</button></p>\n</form>\n<p><a href=\"/c/%s?lang=%s\">%s</a></p>\n", token,
             en ? "vi" : "en", en ? "Tiếng Việt" : "English");
  page_reply(r, 200, en, &b);
}

/* Resolves the token of path parameter 0; replies the 404 page and returns -1 when unknown. */
static int token_target_or_reply(http_req_t *r, store_conn_t *db, int en,
                                 unsigned char hash[SECRET_TOKEN_HASH_BYTES],
                                 checkin_target_t *t) {
  const char *token = r->nparams > 0 ? r->params[0] : NULL;
  int rc = BH_ERR_NOT_FOUND;
  if (alert_token_well_formed(token)) {
    secret_token_hash(token, hash);
    rc = store_checkin_target(db, hash, r->arena, t);
  }
  if (rc == BH_ERR_NOT_FOUND) {
    page_message(r, 404, en, txt_title[en], txt_unknown[en]);
    return -1;
  }
  if (rc != BH_OK) {
    api_reply_store_error(r, rc, "link");
    return -1;
  }
  return 0;
}

void h_checkin_page(app_t *app, http_req_t *r, api_ctx_t *ctx) {
  (void)app;
  int en = page_lang(r, NULL);
  unsigned char hash[SECRET_TOKEN_HASH_BYTES];
  checkin_target_t t;
  if (token_target_or_reply(r, ctx->db, en, hash, &t) != 0) return;
  /* Without ?lang= the page opens in the language the recipient was written to. */
  if (http_query(r, "lang") == NULL) en = t.lang != NULL && strcmp(t.lang, "en") == 0;
  if (t.crisis_closed_at != 0) {
    page_message(r, 410, en, txt_title[en], txt_closed[en]);
  } else {
    page_form(r, en, r->params[0], t.answer);
  }
}

/* ---- recording an answer (web or SMS) through the group-commit writer ---- */

struct answer_job {
  const unsigned char *hash; /* token hash, or NULL with phone */
  const char *phone;
  arena_t *arena;
  const char *answer, *message, *location, *source;
  int closed; /* OUT: the crisis is closed */
  checkin_t k;
  checkin_target_t t;
};

static int answer_job_run(store_conn_t *c, void *vctx) {
  struct answer_job *j = vctx;
  j->closed = 0; /* it may run again after its batch failed (answers_batch_run) */
  int rc = j->hash ? store_checkin_target(c, j->hash, j->arena, &j->t)
                   : store_checkin_target_by_phone(c, j->phone, j->arena, &j->t);
  if (rc != BH_OK) return rc;
  if (j->t.crisis_closed_at != 0) {
    j->closed = 1;
    return BH_ERR_CONFLICT;
  }
  j->k = (checkin_t){.target = &j->t, .answer = j->answer, .message = j->message,
                     .location = j->location, .source = j->source, .at = clock_now()};
  rc = store_checkin_record(c, &j->k);
  if (rc != BH_OK) return rc;
  /* "Need help" opens a case, or adds to the person's open case of the crisis (store_case.h). */
  if (strcmp(j->answer, "need_help") == 0) {
    rc = store_case_from_checkin(c, j->t.crisis_id, j->t.person_id, j->t.alert_id, j->message,
                                 j->location, j->k.at, NULL, NULL);
    if (rc != BH_OK) return rc;
  }
  /* The welfare status and its history change only when the answer changes the status; the
   * answer itself is always kept (checkins). */
  const char *status = alert_answer_status(j->answer);
  if (j->t.person_status != NULL && strcmp(j->t.person_status, status) == 0) return BH_OK;
  status_event_t ev = {.person_id = j->t.person_id, .status = status, .at = j->k.at,
                       .source = "check_in", .note = j->message};
  return store_status_set(c, &STORE_SCOPE_ALL, &ev);
}

/*
 * The answers of jobs[0..n-1] recorded together (store_checkin_answers: one round trip on
 * PostgreSQL, then the case of each "need help" answer), with what answer_job_run would have
 * returned in rcs (writer_batch_fn's contract). Each job is a struct answer_job, or a struct
 * whose first member is one (answer_pending, inbound_job).
 */
static int answers_batch_run(store_conn_t *c, void *const *jobs, int *rcs, size_t n) {
  checkin_answer_t *items = calloc(n, sizeof(*items));
  if (items == NULL) return BH_ERR_NOMEM;
  for (size_t i = 0; i < n; i++) {
    const struct answer_job *j = (const struct answer_job *)jobs[i];
    items[i] = (checkin_answer_t){.token_hash = j->hash, .phone = j->phone, .answer = j->answer,
                                  .message = j->message, .location = j->location,
                                  .source = j->source};
  }
  int64_t at = clock_now();
  int rc = store_checkin_answers(c, items, n, at);
  for (size_t i = 0; i < n && rc == BH_OK; i++) {
    struct answer_job *j = (struct answer_job *)jobs[i];
    j->closed = items[i].rc == BH_ERR_CONFLICT;
    j->t = items[i].target;
    j->k = (checkin_t){.id = items[i].checkin_id, .target = &j->t, .answer = j->answer,
                       .message = j->message, .location = j->location, .source = j->source,
                       .at = at};
    rcs[i] = items[i].rc;
  }
  free(items);
  return rc;
}

/* Runs job(c, ctx) on the writer, with the others of batch if not NULL (or inline without a
 * writer), and returns its result. */
static int answer_record(app_t *app, store_conn_t *db, writer_job_fn job, writer_batch_fn batch,
                         void *ctx) {
  if (app->writer != NULL) return store_writer_run_batch(app->writer, job, batch, ctx);
  int rc = store_begin_write(db);
  if (rc == BH_OK) rc = job(db, ctx);
  if (rc == BH_OK) return store_commit(db);
  store_rollback(db);
  return rc;
}

static int hexval(char ch) {
  if (ch >= '0' && ch <= '9') return ch - '0';
  if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
  if (ch >= 'A' && ch <= 'F') return ch - 'A' + 10;
  return -1;
}

/* Decodes one form component into the arena; NULL when malformed. */
static char *form_decode(arena_t *a, const char *s, size_t len) {
  char *out = arena_alloc(a, len + 1);
  if (out == NULL) return NULL;
  size_t n = 0;
  for (size_t i = 0; i < len; i++) {
    if (s[i] == '+') {
      out[n++] = ' ';
    } else if (s[i] == '%') {
      if (i + 2 >= len) return NULL;
      int hi = hexval(s[i + 1]), lo = hexval(s[i + 2]);
      if (hi < 0 || lo < 0) return NULL;
      out[n++] = (char)(hi * 16 + lo);
      i += 2;
    } else {
      out[n++] = s[i];
    }
  }
  out[n] = '\0';
  if (strlen(out) != n) return NULL; /* an encoded NUL */
  return out;
}

/* 1 if s is valid UTF-8 without control characters other than CR, LF and tab. */
static int text_ok(const char *s) {
  const unsigned char *p = (const unsigned char *)s;
  while (*p) {
    if (*p < 0x20 && *p != '\n' && *p != '\r' && *p != '\t') return 0;
    if (*p == 0x7f) return 0;
    size_t n = *p < 0x80 ? 1 : (*p & 0xE0) == 0xC0 ? 2 : (*p & 0xF0) == 0xE0 ? 3
                               : (*p & 0xF8) == 0xF0 ? 4 : 0;
    if (n == 0 || (n == 2 && *p < 0xC2)) return 0;
    for (size_t i = 1; i < n; i++) {
      if ((p[i] & 0xC0) != 0x80) return 0;
    }
    if (n == 3 && ((*p == 0xE0 && p[1] < 0xA0) || (*p == 0xED && p[1] >= 0xA0))) return 0;
    if (n == 4 && ((*p == 0xF0 && p[1] < 0x90) || *p > 0xF4 || (*p == 0xF4 && p[1] >= 0x90))) {
      return 0;
    }
    p += n;
  }
  return 1;
}

struct checkin_form {
  const char *answer, *message, *location, *lang;
  const char *idempotency_key; /* read by api.c before the handler runs; checked there */
};

/* Parses and checks an application/x-www-form-urlencoded body; names the bad field in *field. */
static int form_parse(arena_t *a, const char *body, size_t len, struct checkin_form *f,
                      const char **field) {
  memset(f, 0, sizeof(*f));
  const char *end = body + len;
  for (const char *p = body; p < end;) {
    const char *amp = memchr(p, '&', (size_t)(end - p));
    const char *pe = amp ? amp : end;
    const char *eq = memchr(p, '=', (size_t)(pe - p));
    if (pe > p) {
      *field = "body";
      if (eq == NULL) return BH_ERR_INVALID;
      char *key = form_decode(a, p, (size_t)(eq - p));
      char *val = form_decode(a, eq + 1, (size_t)(pe - eq - 1));
      if (key == NULL || val == NULL) return BH_ERR_INVALID;
      const char **slot = strcmp(key, "answer") == 0     ? &f->answer
                          : strcmp(key, "message") == 0  ? &f->message
                          : strcmp(key, "location") == 0 ? &f->location
                          : strcmp(key, "lang") == 0     ? &f->lang
                          : strcmp(key, "idempotency_key") == 0 ? &f->idempotency_key
                                                         : NULL;
      *field = key;
      if (slot == NULL || *slot != NULL || !text_ok(val)) return BH_ERR_INVALID;
      *slot = val[0] ? val : NULL;
    }
    p = pe + 1;
  }
  *field = "answer";
  if (model_enum_index(model_checkin_answers, f->answer) < 0) return BH_ERR_INVALID;
  *field = "message";
  if (f->message && strlen(f->message) > ALERT_CHECKIN_TEXT_MAX) return BH_ERR_INVALID;
  *field = "location";
  if (f->location && strlen(f->location) > CHECKIN_LOCATION_MAX) return BH_ERR_INVALID;
  *field = "lang";
  if (f->lang && strcmp(f->lang, "vi") != 0 && strcmp(f->lang, "en") != 0) return BH_ERR_INVALID;
  return BH_OK;
}

/* The page thanking for answer (without its closing tags: page_reply adds them). */
static void thanks_page(buf_t *b, int en, const char *answer, const char *token) {
  buf_init(b, 64 * 1024);
  page_head(b, en, txt_title[en]);
  buf_puts(b, "<p>");
  html_text(b, txt_thanks[en]);
  buf_puts(b, "</p>\n<p><strong>");
  html_text(b, txt_answers[en][model_enum_index(model_checkin_answers, answer)]);
  buf_puts(b, "</strong></p>\n<p>");
  html_text(b, txt_again[en]);
  buf_printf(b, " <a href=\"/c/%s?lang=%s\">&#8617;</a></p>\n", token, en ? "en" : "vi");
}

/* The page that answers a recorded answer, or the error of a refused one. */
static void answer_reply(http_req_t *r, int en, const struct answer_job *j, int rc) {
  if (j->closed) {
    page_message(r, 410, en, txt_title[en], txt_closed[en]);
    return;
  }
  if (rc == BH_ERR_NOT_FOUND) {
    page_message(r, 404, en, txt_title[en], txt_unknown[en]);
    return;
  }
  if (rc != BH_OK) {
    api_reply_store_error(r, rc, "answer");
    return;
  }
  buf_t b;
  thanks_page(&b, en, j->answer, r->params[0]);
  page_reply(r, 200, en, &b);
}

/*
 * An answer on its way through the group-commit writer while its request is suspended: the
 * worker thread serves other citizens meanwhile (http_suspend), so every connection can have
 * an answer in the same batch without a thread blocked per answer.
 */
struct answer_pending {
  struct answer_job j; /* first: answers_batch_run reads it */
  http_req_t *r;
  app_t *app;
  int en;
  int rc;
  /* With an idempotency key: the key is looked up, and the answer kept under it, in the job. */
  const char *key;
  char scope[STORE_IDEM_SCOPE_MAX + 1];
  unsigned char hash[STORE_IDEM_HASH_BYTES];
  int64_t now;
  store_idem_t ans; /* what to keep under the key (answer_idem_kept), made before the job */
  store_idem_t old; /* the answer kept before (old.found), replayed instead */
};

/*
 * What a check-in answer keeps under its idempotency key: not its page but the page's language
 * and the answer ("en safe"), sealed, under a content type of its own; a replay renders the page
 * again (answer_replay). The page (1.3 kB with its headers) made the key's row spill onto an
 * overflow page, so a keyed answer wrote twice the pages of the key itself, and rendering and
 * sealing it cost every answer (bench/README.md, "Answers with a key keep the answer, not the
 * page"). Keys kept by earlier versions hold the page itself and are replayed as they are.
 */
#define CHECKIN_KEPT_TYPE "application/x-baoho-checkin-answer"

/* Seals p's kept answer into p->ans (on the worker thread, before the job: the writer only
 * stores it). */
static int answer_idem_kept(struct answer_pending *p) {
  const char *text = arena_printf(p->r->arena, "%s %s", p->en ? "en" : "vi", p->j.answer);
  size_t len = text ? strlen(text) : 0;
  unsigned char *sealed = text ? arena_alloc(p->r->arena, len + SECRET_SEAL_OVERHEAD) : NULL;
  if (sealed == NULL) return BH_ERR_NOMEM;
  secret_seal(&p->app->keys, text, len, sealed);
  p->ans = (store_idem_t){.status = 200, .content_type = CHECKIN_KEPT_TYPE, .headers = "",
                          .body = sealed, .body_len = len + SECRET_SEAL_OVERHEAD};
  memcpy(p->ans.hash, p->hash, sizeof(p->ans.hash));
  return BH_OK;
}

/*
 * Answers again a request whose key was answered before (p->old.found): the same refusals as
 * any replay (api_idem_replay_allowed), else the thanks page of the kept answer, rendered again
 * for the link of the request (the same link: the request hash covers the path), with the header
 * every replay carries. A kept page of an earlier version is replayed as it is.
 */
static void answer_replay(struct answer_pending *p, http_req_t *r) {
  const store_idem_t *old = &p->old;
  if (old->content_type == NULL || strcmp(old->content_type, CHECKIN_KEPT_TYPE) != 0) {
    api_idem_answer_stored(p->app, r, r->user_ctx, "checkin.answer", p->hash, old);
    return;
  }
  if (api_idem_replay_allowed(p->app, r, r->user_ctx, "checkin.answer", p->hash, old) != BH_OK) {
    return;
  }
  size_t len = old->body_len >= SECRET_SEAL_OVERHEAD ? old->body_len - SECRET_SEAL_OVERHEAD : 0;
  char *text = len > 3 ? arena_alloc(r->arena, len + 1) : NULL;
  int ok = text != NULL && secret_open(&p->app->keys, old->body, old->body_len, text) == BH_OK;
  if (ok) text[len] = '\0';
  const char *answer = ok ? text + 3 : NULL;
  if (!ok || (strncmp(text, "en ", 3) != 0 && strncmp(text, "vi ", 3) != 0) ||
      model_enum_index(model_checkin_answers, answer) < 0) {
    log_error("req=%s msg=\"kept check-in answer unreadable\"", r->request_id);
    http_reply_error(r, BH_ERR_INTERNAL, NULL, "internal error (request %s)", r->request_id);
    return;
  }
  int en = text[0] == 'e';
  buf_t b;
  thanks_page(&b, en, answer, r->params[0]);
  http_add_header(r, "Idempotent-Replayed", "true");
  page_reply(r, 200, en, &b);
}

/*
 * The job of an answer with an idempotency key: the key's earlier answer if it has one (nothing
 * is written then); else the answer, and what it keeps under the key, committed together.
 */
static int answer_idem_job_run(store_conn_t *c, void *vctx) {
  struct answer_pending *p = vctx;
  int rc = store_idem_claim(c, p->scope, p->key, p->now, p->r->arena, &p->old);
  if (rc != BH_OK || p->old.found) return rc;
  rc = answer_job_run(c, &p->j);
  if (rc != BH_OK) return rc;
  return store_idem_store(c, p->scope, p->key, &p->ans, p->now);
}

/* What a batch of keyed answers needs of one job (an answer_pending or an inbound_job). */
struct answer_keyed {
  struct answer_job *j; /* the answer */
  const char *scope, *key;
  int64_t now;
  store_idem_t *old;       /* OUT: the answer kept before under the key */
  const store_idem_t *ans; /* what to keep under the key once the answer is recorded */
};
typedef void (*answer_keyed_fn)(void *job, struct answer_keyed *out);

/*
 * The answers of jobs[0..n-1], each with an idempotency key, recorded together (writer_batch_fn's
 * contract, with alone as the job alone); describe says where each job's parts are. Every key is
 * claimed (store_idem_claim_many: one round trip on PostgreSQL); a key answered before is
 * replayed and writes nothing; the other answers are recorded by one answers_batch_run, and what
 * each recorded answer keeps is stored under its key (store_idem_store_many). A key
 * that comes twice in the batch (a double tap, a gateway delivering again, whose two requests met
 * in the writer) is claimed again after the first is kept, as alone one after the other would: it
 * then replays the first, or answers itself when the first recorded nothing.
 */
static int answers_keyed_run(store_conn_t *c, void *const *jobs, int *rcs, size_t n,
                             answer_keyed_fn describe, writer_job_fn alone) {
  struct answer_keyed *kj = calloc(n, sizeof(*kj));
  store_idem_item_t *items = calloc(n, sizeof(*items));
  void **todo = calloc(n, sizeof(*todo));
  size_t *slot = calloc(n, sizeof(*slot)), *kept = calloc(n, sizeof(*kept));
  int *trc = calloc(n, sizeof(*trc));
  unsigned char *later = calloc(n, 1);
  int rc = kj && items && todo && slot && kept && trc && later ? BH_OK : BH_ERR_NOMEM;
  size_t nk = 0, m = 0, nkept = 0;
  int64_t now = 0;
  /* The keys of the batch, each once (a key that comes again is for later), claimed at once. */
  for (size_t i = 0; i < n && rc == BH_OK; i++) {
    struct answer_keyed *k = &kj[i];
    describe(jobs[i], k);
    for (size_t e = 0; e < i && !later[i]; e++) {
      later[i] = strcmp(kj[e].key, k->key) == 0 && strcmp(kj[e].scope, k->scope) == 0;
    }
    if (later[i]) continue;
    if (k->now > now) now = k->now;
    slot[nk] = i;
    items[nk++] = (store_idem_item_t){.scope = k->scope, .key = k->key, .arena = k->j->arena,
                                      .old = k->old, .ans = k->ans};
  }
  if (rc == BH_OK) rc = store_idem_claim_many(c, items, nk, now);
  for (size_t e = 0; e < nk && rc == BH_OK; e++) {
    size_t i = slot[e];
    if (items[e].rc == BH_ERR_IDEM_IN_PROGRESS) {
      rcs[i] = BH_ERR_IDEM_IN_PROGRESS; /* nothing was written or locked */
    } else if (kj[i].old->found) {
      rcs[i] = BH_OK;
    } else {
      kept[m] = e;
      todo[m++] = jobs[i];
    }
  }
  if (rc == BH_OK && m > 0) rc = answers_batch_run(c, todo, trc, m);
  /* What each recorded answer keeps, under its key, at once. */
  for (size_t e = 0; e < m && rc == BH_OK; e++) {
    rcs[slot[kept[e]]] = trc[e];
    if (trc[e] == BH_OK) items[nkept++] = items[kept[e]];
  }
  if (rc == BH_OK) rc = store_idem_store_many(c, items, nkept, now);
  for (size_t i = 0; i < n && rc == BH_OK; i++) {
    if (!later[i]) continue;
    /* Only errors that are found before anything is written may stand for a job alone. */
    int one = alone(c, jobs[i]);
    if (one == BH_OK || one == BH_ERR_NOT_FOUND || one == BH_ERR_CONFLICT ||
        one == BH_ERR_IDEM_IN_PROGRESS) {
      rcs[i] = one;
    } else {
      rc = one;
    }
  }
  free(kj);
  free(items);
  free(todo);
  free(slot);
  free(kept);
  free(trc);
  free(later);
  return rc;
}

static void answer_pending_keyed(void *job, struct answer_keyed *out) {
  struct answer_pending *p = job;
  *out = (struct answer_keyed){.j = &p->j, .scope = p->scope, .key = p->key, .now = p->now,
                               .old = &p->old, .ans = &p->ans};
}

/* The web form's answers with their keys together (answers_keyed_run). */
static int answers_idem_batch_run(store_conn_t *c, void *const *jobs, int *rcs, size_t n) {
  return answers_keyed_run(c, jobs, rcs, n, answer_pending_keyed, answer_idem_job_run);
}

/* The job of an answer without an idempotency key. */
static int answer_plain_job_run(store_conn_t *c, void *vctx) {
  struct answer_pending *p = vctx;
  return answer_job_run(c, &p->j);
}

/* On the writer thread, once the batch is committed: the request may answer. */
static void answer_committed(void *ctx, int rc) {
  struct answer_pending *p = ctx;
  p->rc = rc;
  http_resume(p->r);
}

/* On a worker thread, after http_resume. */
static void answer_resumed(http_req_t *r, void *arg) {
  struct answer_pending *p = arg;
  if (p->key != NULL && p->rc == BH_OK && p->old.found) {
    answer_replay(p, r);
    return;
  }
  if (p->rc == BH_ERR_IDEM_IN_PROGRESS) {
    http_add_header(r, "Retry-After", "1");
    http_reply_error(r, p->rc, "Idempotency-Key",
                     "a request with this Idempotency-Key is still being processed");
    return;
  }
  answer_reply(r, p->en, &p->j, p->rc);
}

void h_checkin_answer(app_t *app, http_req_t *r, api_ctx_t *ctx) {
  int en = page_lang(r, NULL);
  /* The link is looked up once, by the writer, inside the transaction that records the answer. */
  unsigned char hash[SECRET_TOKEN_HASH_BYTES];
  if (!alert_token_well_formed(r->params[0])) {
    page_message(r, 404, en, txt_title[en], txt_unknown[en]);
    return;
  }
  secret_token_hash(r->params[0], hash);
  const char *ct = http_header(r, "Content-Type");
  if (ct == NULL || strncmp(ct, "application/x-www-form-urlencoded", 33) != 0) {
    http_reply_error(r, BH_ERR_MEDIA_TYPE, NULL,
                     "the answer must be sent as application/x-www-form-urlencoded");
    return;
  }
  struct checkin_form f;
  const char *field = NULL;
  if (form_parse(r->arena, r->body.data ? r->body.data : "", r->body.len, &f, &field) != BH_OK) {
    page_message(r, 422, en, txt_title[en], arena_printf(r->arena, "%s%s", txt_invalid[en], field));
    return;
  }
  en = page_lang(r, f.lang);
  /* With the writer (not inside an idempotent request's own transaction), the request waits
   * for the group commit suspended; the job and its hash live in the request's arena. */
  if (app->writer != NULL) {
    struct answer_pending *p = arena_calloc(r->arena, sizeof(*p));
    unsigned char *h = arena_alloc(r->arena, SECRET_TOKEN_HASH_BYTES);
    if (p == NULL || h == NULL) {
      http_reply_error(r, BH_ERR_NOMEM, NULL, "out of memory");
      return;
    }
    memcpy(h, hash, SECRET_TOKEN_HASH_BYTES);
    p->j = (struct answer_job){.hash = h, .arena = r->arena, .answer = f.answer,
                               .message = f.message, .location = f.location, .source = "web"};
    p->r = r;
    p->app = app;
    p->en = en;
    p->key = api_idem_checkin_key(r);
    if (p->key != NULL) {
      p->now = clock_now();
      api_idem_scope(r, ctx, p->scope);
      api_idem_hash(r, p->hash);
      api_idem_purge(r, ctx->db, p->now);
      if (answer_idem_kept(p) != BH_OK) {
        http_reply_error(r, BH_ERR_NOMEM, NULL, "out of memory");
        return;
      }
    }
    writer_job_fn job = p->key ? answer_idem_job_run : answer_plain_job_run;
    if (http_suspend(r, answer_resumed, p) == BH_OK) {
      int rc = store_writer_submit_batch(app->writer, job,
                                         p->key ? answers_idem_batch_run : answers_batch_run, p,
                                         answer_committed);
      if (rc != BH_OK) answer_committed(p, rc);
      return;
    }
    /* The server is stopping: the same job, waited for on this thread. */
    p->rc = store_writer_run(app->writer, job, p);
    answer_resumed(r, p);
    return;
  }
  struct answer_job j = {.hash = hash, .arena = r->arena, .answer = f.answer,
                         .message = f.message, .location = f.location, .source = "web"};
  int rc = answer_record(app, ctx->db, answer_job_run, NULL, &j);
  answer_reply(r, en, &j, rc);
}

/* ---- inbound SMS ---- */

static const spec_field_t inbound_spec[] = {
    {.name = "from", .type = SPEC_STRING, .flags = SPEC_REQUIRED, .max_len = MODEL_PHONE_MAX},
    {.name = "text", .type = SPEC_STRING, .flags = SPEC_REQUIRED | SPEC_MULTILINE,
     .max_len = INBOUND_TEXT_MAX},
    {.name = "id", .type = SPEC_STRING, .max_len = 64},
    {.name = "received_at", .type = SPEC_STRING, .max_len = 40},
};

/*
 * The gateway's message id (the optional "id" of the inbound format) is the idempotency key of
 * its answer, under a scope of its own: a gateway that delivers the same message again (it
 * retries when our reply is lost) finds the answer recorded the first time, in the same
 * transaction as the answer, and nothing is recorded twice.
 */
#define INBOUND_IDEM_SCOPE "sms.inbound"

struct inbound_job {
  struct answer_job j; /* first: answers_batch_run reads it */
  const char *key; /* the gateway's message id, or NULL: no key */
  int64_t now;
  store_idem_t old; /* OUT: old.found when the message was recorded before (body: its answer) */
  store_idem_t ans; /* kept under the key once recorded: the answer's keyword */
};

/* The message id as a key, or NULL without one (or with one no key can be: not printable). */
static const char *inbound_key(const char *id) {
  if (id == NULL || id[0] == '\0' || strlen(id) > STORE_IDEM_KEY_MAX) return NULL;
  for (const char *p = id; *p; p++) {
    if (*p < 0x20 || *p > 0x7e) return NULL;
  }
  return id;
}

/* An inbound answer, with its message id claimed first and its answer kept under it. */
static int inbound_job_run(store_conn_t *c, void *vctx) {
  struct inbound_job *x = vctx;
  int rc = BH_OK;
  if (x->key != NULL) rc = store_idem_claim(c, INBOUND_IDEM_SCOPE, x->key, x->now, x->j.arena,
                                            &x->old);
  if (rc != BH_OK || x->old.found) return rc;
  rc = answer_job_run(c, &x->j);
  if (rc != BH_OK || x->key == NULL) return rc;
  return store_idem_store(c, INBOUND_IDEM_SCOPE, x->key, &x->ans, x->now);
}

static void inbound_keyed(void *job, struct answer_keyed *out) {
  struct inbound_job *x = job;
  *out = (struct answer_keyed){.j = &x->j, .scope = INBOUND_IDEM_SCOPE, .key = x->key,
                               .now = x->now, .old = &x->old, .ans = &x->ans};
}

/* Inbound answers with their message ids together (answers_keyed_run). */
static int inbound_idem_batch_run(store_conn_t *c, void *const *jobs, int *rcs, size_t n) {
  return answers_keyed_run(c, jobs, rcs, n, inbound_keyed, inbound_job_run);
}

void h_inbound_sms(app_t *app, http_req_t *r, api_ctx_t *ctx) {
  const char *secret = app->delivery ? app->delivery->sms_secret : NULL;
  if (secret == NULL) {
    http_reply_error(r, BH_ERR_UNAVAILABLE, NULL, "no SMS gateway is configured");
    return;
  }
  const char *sig = http_header(r, SMS_SIGNATURE_HEADER);
  if (sms_verify_signature(secret, r->body.data ? r->body.data : "", r->body.len, sig) != BH_OK) {
    http_reply_error(r, BH_ERR_UNAUTHENTICATED, NULL, "the signature is missing or wrong");
    return;
  }
  json_error_t jerr;
  ctx->body = json_loadb(r->body.data ? r->body.data : "", r->body.len, JSON_REJECT_DUPLICATES,
                         &jerr);
  if (!json_is_object(ctx->body)) {
    http_reply_error(r, BH_ERR_BAD_JSON, NULL, "the body must be a JSON object");
    return;
  }
  if (api_body_or_reply(r, ctx, inbound_spec, SPEC_COUNT(inbound_spec)) != 0) return;
  const char *from = api_str(ctx->body, "from"), *text = api_str(ctx->body, "text");
  const char *answer = alert_sms_answer(text);
  if (answer == NULL) {
    /* Not an answer we understand: acknowledged, so that the gateway does not retry it. */
    http_reply_json(r, 200, json_pack("{s:b, s:s}", "recorded", 0, "reason", "no_keyword"));
    return;
  }
  struct inbound_job x = {
      .j = {.phone = from, .arena = r->arena, .answer = answer,
            .message = strlen(text) <= ALERT_CHECKIN_TEXT_MAX ? text : NULL, .source = "sms"},
      .key = inbound_key(api_str(ctx->body, "id")),
      .now = clock_now(),
      .ans = {.status = 200, .content_type = "text/plain", .headers = "",
              .body = (const unsigned char *)answer, .body_len = strlen(answer)}};
  int rc = answer_record(app, ctx->db, inbound_job_run,
                         x.key ? inbound_idem_batch_run : answers_batch_run, &x);
  if (rc == BH_OK && x.old.found) {
    /* The gateway sent this message again: the answer recorded the first time, not again. */
    char *first = arena_alloc(r->arena, x.old.body_len + 1);
    if (first != NULL) {
      memcpy(first, x.old.body, x.old.body_len);
      first[x.old.body_len] = '\0';
    }
    http_reply_json(r, 200, json_pack("{s:b, s:s?, s:b}", "recorded", 1, "answer", first,
                                      "repeated", 1));
    return;
  }
  if (rc == BH_ERR_IDEM_IN_PROGRESS) {
    http_add_header(r, "Retry-After", "1");
    http_reply_error(r, rc, "id", "this message is being recorded by another delivery");
    return;
  }
  if (x.j.closed) {
    http_reply_json(r, 410, json_pack("{s:{s:s, s:s}}", "error", "code", "gone", "message",
                                      "the crisis of the latest alert to this number is closed"));
    return;
  }
  if (rc == BH_ERR_NOT_FOUND) {
    http_reply_error(r, BH_ERR_NOT_FOUND, "from", "no alert was sent to this number");
    return;
  }
  if (rc != BH_OK) {
    api_reply_store_error(r, rc, "answer");
    return;
  }
  http_reply_json(r, 200, json_pack("{s:b, s:s}", "recorded", 1, "answer", answer));
}
