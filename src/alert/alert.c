/* alert.c - the domain rules of mass alerts; see alert.h. */
#include "alert/alert.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "delivery/sms_text.h"
#include "domain/name.h"
#include "util/err.h"

void alert_token(const secret_t *keys, int64_t alert_id, int64_t person_id,
                 char out[ALERT_TOKEN_LEN + 1]) {
  char canon[48];
  snprintf(canon, sizeof(canon), "%lld:%lld", (long long)alert_id, (long long)person_id);
  unsigned char raw[SECRET_INDEX_BYTES];
  secret_index(keys, "checkin", canon, raw);
  sodium_bin2base64(out, ALERT_TOKEN_LEN + 1, raw, sizeof(raw),
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  sodium_memzero(raw, sizeof(raw));
}

void alert_token_hash(const secret_t *keys, int64_t alert_id, int64_t person_id,
                      unsigned char out[SECRET_TOKEN_HASH_BYTES]) {
  char token[ALERT_TOKEN_LEN + 1];
  alert_token(keys, alert_id, person_id, token);
  secret_token_hash(token, out);
  sodium_memzero(token, sizeof(token));
}

int alert_token_well_formed(const char *s) {
  if (s == NULL) return 0;
  size_t n = 0;
  for (; s[n] != '\0'; n++) {
    char ch = s[n];
    int ok = (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
             ch == '-' || ch == '_';
    if (!ok || n >= ALERT_TOKEN_LEN) return 0;
  }
  return n == ALERT_TOKEN_LEN;
}

int alert_link(const char *public_url, const char *token, char *out, size_t cap) {
  size_t ul = strlen(public_url);
  while (ul > 0 && public_url[ul - 1] == '/') ul--;
  int n = snprintf(out, cap, "%.*s/c/%s", (int)ul, public_url, token);
  return n < 0 || (size_t)n >= cap ? BH_ERR_TOO_LARGE : BH_OK;
}

static int is_en(const char *lang) { return lang != NULL && strcmp(lang, "en") == 0; }

const char *alert_lang(const char *preferred) { return is_en(preferred) ? "en" : "vi"; }

int alert_sms_text(const alert_t *a, const char *lang, const char *link, buf_t *out) {
  size_t start = out->len;
  const char *given = is_en(lang) ? a->sms_en : a->sms_vi;
  int rc;
  if (given != NULL && given[0] != '\0') {
    rc = buf_puts(out, given);
  } else {
    const char *subject = is_en(lang) ? a->subject_en : a->subject_vi;
    rc = smstext_unaccented(subject, strlen(subject), out);
  }
  if (rc == BH_OK) rc = buf_printf(out, " %s", link);
  if (rc == BH_OK && a->ask_checkin) {
    rc = buf_puts(out, is_en(lang) ? " Reply SAFE or HELP." : " Tra loi AN TOAN hoac CAN GIUP.");
  }
  if (rc != BH_OK) {
    out->len = start;
    if (out->data) out->data[start] = '\0';
  }
  return rc;
}

int alert_email_body(const alert_t *a, const char *lang, const char *link, buf_t *out) {
  int en = is_en(lang);
  int rc = buf_puts(out, en ? a->body_en : a->body_vi);
  if (rc != BH_OK) return rc;
  if (a->ask_checkin) {
    return buf_printf(out,
                      en ? "\n\nPlease tell us whether you are safe: %s\n"
                         : "\n\nXin cho chúng tôi biết bạn có an toàn không: %s\n",
                      link);
  }
  return buf_printf(out, en ? "\n\nMore: %s\n" : "\n\nChi tiết: %s\n", link);
}

int alert_email_subject(const alert_t *a, const char *lang, buf_t *out) {
  if (is_en(lang)) return buf_printf(out, "%s / %s", a->subject_en, a->subject_vi);
  return buf_printf(out, "%s / %s", a->subject_vi, a->subject_en);
}

int alert_sms_measure(const alert_t *a, const char *lang, const char *public_url,
                      alert_sms_info_t *info) {
  char token[ALERT_TOKEN_LEN + 1];
  memset(token, 'x', ALERT_TOKEN_LEN);
  token[ALERT_TOKEN_LEN] = '\0';
  char link[ALERT_LINK_MAX];
  int rc = alert_link(public_url, token, link, sizeof(link));
  if (rc != BH_OK) return rc;
  buf_t text;
  buf_init(&text, ALERT_SMS_MAX + ALERT_LINK_MAX + 256);
  rc = alert_sms_text(a, lang, link, &text);
  smstext_info si;
  if (rc == BH_OK) rc = smstext_measure(text.data, text.len, &si);
  buf_free(&text);
  if (rc != BH_OK) return rc;
  info->parts = si.parts;
  info->units = si.units;
  info->encoding = smstext_encoding_name(si.encoding);
  return si.parts > ALERT_SMS_PARTS_MAX ? BH_ERR_TOO_LARGE : BH_OK;
}

/* Keywords, folded (lowercase, no diacritics, single spaces), with the answer they give. */
static const struct {
  const char *folded;
  const char *answer;
} alert_keywords[] = {
    {"an toan", "safe"},          {"safe", "safe"},          {"ok", "safe"},
    {"can giup", "need_help"},    {"can giup do", "need_help"}, {"help", "need_help"},
    {"sos", "need_help"},         {"khong o day", "not_in_area"}, {"not here", "not_in_area"},
    {"left", "not_in_area"},
};

const char *alert_sms_answer(const char *text) {
  if (text == NULL) return NULL;
  /* Only the start matters: fold at most the first 64 bytes, cut at a character boundary. */
  size_t len = strlen(text);
  if (len > 64) {
    len = 64;
    while (len > 0 && ((unsigned char)text[len] & 0xC0) == 0x80) len--;
  }
  char folded[NAME_MAX_BYTES * 2 + 1];
  size_t flen = 0;
  if (name_fold(text, len, folded, sizeof(folded), &flen) != BH_OK) return NULL;
  const char *best = NULL;
  size_t best_len = 0;
  for (size_t i = 0; i < sizeof(alert_keywords) / sizeof(alert_keywords[0]); i++) {
    size_t kl = strlen(alert_keywords[i].folded);
    if (flen >= kl && memcmp(folded, alert_keywords[i].folded, kl) == 0 &&
        (folded[kl] == '\0' || folded[kl] == ' ') && kl > best_len) {
      best = alert_keywords[i].answer;
      best_len = kl;
    }
  }
  return best;
}

const char *alert_answer_status(const char *answer) {
  if (answer == NULL) return NULL;
  if (strcmp(answer, "safe") == 0) return "safe";
  if (strcmp(answer, "need_help") == 0) return "needs_assistance";
  if (strcmp(answer, "not_in_area") == 0) return "left_area";
  return NULL;
}
