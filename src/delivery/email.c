/*
 * email.c - building RFC 5322 alert messages and sending them over SMTP with libcurl; see email.h.
 *
 * The sender captures the SMTP dialogue through libcurl's debug callback: the commands it sent
 * (to know which step a refusal answered) and the replies it received (to report the failing
 * line). A 5xx answer to MAIL, RCPT or the end of DATA is about this message and is permanent; a
 * 5xx answer to the greeting, EHLO, STARTTLS or AUTH is about the relay or our configuration and
 * is temporary, so that a misconfigured relay does not fail a whole alert for good.
 */
#include "delivery/email.h"

#include <assert.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <sodium.h>
#include <utf8proc.h>

#include "util/err.h"

/* The longest raw subject line written without encoding ("Subject: " included). */
#define EMAIL__RAW_HEADER_LINE 78
/* Bytes of UTF-8 per encoded-word: 42 give 56 base64 characters, a 68-character word, and a
 * first line "Subject: =?UTF-8?B?...?=" of 77 characters. */
#define EMAIL__WORD_BYTES 42
/* Base64 body lines: 57 bytes give 76 characters. */
#define EMAIL__B64_LINE_BYTES 57
/* Quoted-printable lines: at most 75 characters and a soft-break '='. */
#define EMAIL__QP_LINE 75
/* The line between the Vietnamese and the English text. */
#define EMAIL__LANG_SEPARATOR "----------"

struct email_sender {
  CURL *curl;
  long timeout_ms;
  buf_t msg;       /* the message being sent, reused */
  size_t read_pos; /* how much of msg libcurl has read */
  char step[8];    /* the SMTP command last sent: "EHLO", "MAIL", "RCPT", "DATA", ... */
  int in_data;     /* the relay answered 354 and the next reply ends the DATA step */
  int fail_code;   /* the first reply >= 400 of this send, 0 if none */
  char fail_step[8];
  char fail_line[EMAIL_REPLY_MAX];
  int last_code; /* the last reply of this send */
  char last_line[EMAIL_REPLY_MAX];
  char errbuf[CURL_ERROR_SIZE];
};

/* ---- validation ---- */

/* RFC 5322 atext: the characters of a dot-atom besides the dots. */
static int email__is_atext(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         (c != '\0' && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL);
}

/* Returns 1 if the n bytes at s are a dot-atom-text: atext runs separated by single dots. */
static int email__dot_atom(const char *s, size_t n) {
  if (n == 0 || s[0] == '.' || s[n - 1] == '.') return 0;
  for (size_t i = 0; i < n; i++) {
    if (s[i] == '.') {
      if (s[i + 1] == '.') return 0;
    } else if (!email__is_atext((unsigned char)s[i])) {
      return 0;
    }
  }
  return 1;
}

/* Returns 1 if the n bytes at s are a domain: labels of 1..63 letters, digits and inner hyphens
 * separated by dots, 253 bytes at most. */
static int email__domain(const char *s, size_t n) {
  if (n == 0 || n > 253) return 0;
  size_t label = 0;
  for (size_t i = 0; i <= n; i++) {
    unsigned char c = i < n ? (unsigned char)s[i] : '.';
    if (c == '.') {
      if (label == 0 || label > 63 || s[i - 1] == '-') return 0;
      label = 0;
    } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               (c == '-' && label > 0)) {
      label++;
    } else {
      return 0;
    }
  }
  return 1;
}

int email_address_valid(const char *addr) {
  if (addr == NULL) return 0;
  size_t n = strnlen(addr, EMAIL_ADDR_MAX + 1);
  if (n > EMAIL_ADDR_MAX) return 0;
  const char *at = memchr(addr, '@', n);
  if (at == NULL) return 0;
  size_t local = (size_t)(at - addr);
  return local <= 64 && email__dot_atom(addr, local) && email__domain(at + 1, n - local - 1);
}

/* Returns 1 if s is at most max bytes of valid UTF-8 without control characters (C0 including CR,
 * LF and tab, DEL, C1) or line and paragraph separators; its length goes to *len. */
static int email__header_text(const char *s, size_t max, size_t *len /* OUT */) {
  if (s == NULL) return 0;
  size_t n = strnlen(s, max + 1);
  if (n > max) return 0;
  const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
  for (size_t i = 0; i < n;) {
    utf8proc_int32_t c;
    utf8proc_ssize_t k = utf8proc_iterate(p + i, (utf8proc_ssize_t)(n - i), &c);
    if (k <= 0 || c < 0x20 || (c >= 0x7F && c <= 0x9F) || c == 0x2028 || c == 0x2029) return 0;
    i += (size_t)k;
  }
  *len = n;
  return 1;
}

/* Returns 1 if the n bytes at s are valid UTF-8 without NUL. */
static int email__body_text(const char *s, size_t n) {
  const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
  for (size_t i = 0; i < n;) {
    utf8proc_int32_t c;
    utf8proc_ssize_t k = utf8proc_iterate(p + i, (utf8proc_ssize_t)(n - i), &c);
    if (k <= 0 || c == 0) return 0;
    i += (size_t)k;
  }
  return 1;
}

/* Checks a Message-ID given as "id@domain" or "<id@domain>" and sets *id and *n to its inside. */
static int email__message_id(const char *s, const char **id /* OUT */, size_t *n /* OUT */) {
  if (s == NULL) return 0;
  size_t len = strnlen(s, EMAIL_MSGID_MAX + 3);
  if (len >= 2 && s[0] == '<' && s[len - 1] == '>') s++, len -= 2;
  if (len == 0 || len > EMAIL_MSGID_MAX) return 0;
  const char *at = memchr(s, '@', len);
  if (at == NULL) return 0;
  size_t left = (size_t)(at - s);
  if (!email__dot_atom(s, left) || !email__dot_atom(at + 1, len - left - 1)) return 0;
  *id = s;
  *n = len;
  return 1;
}

/* ---- building ---- */

/* Appends "Date: ..." for t in UTC, with English names whatever the locale. */
static int email__put_date(buf_t *out, time_t t) {
  static const char *const days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  struct tm tm;
  if (gmtime_r(&t, &tm) == NULL || tm.tm_wday < 0 || tm.tm_wday > 6 || tm.tm_mon < 0 ||
      tm.tm_mon > 11)
    return BH_ERR_INVALID;
  return buf_printf(out, "Date: %s, %02d %s %04d %02d:%02d:%02d +0000\r\n", days[tm.tm_wday],
                    tm.tm_mday, months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
                    tm.tm_sec);
}

/* Appends n bytes as RFC 2047 encoded-words of whole UTF-8 characters, separated by CRLF and a
 * space (folding whitespace, which decoders drop between encoded-words). */
static int email__put_words(buf_t *out, const char *s, size_t n) {
  size_t i = 0;
  int rc = BH_OK;
  while (i < n && rc == BH_OK) {
    size_t take = n - i < EMAIL__WORD_BYTES ? n - i : EMAIL__WORD_BYTES;
    /* Back off to a character boundary so that no word holds half a character. */
    while (i + take < n && take > 0 && ((unsigned char)s[i + take] & 0xC0) == 0x80) take--;
    assert(take > 0); /* s is valid UTF-8, so a character starts within any 4 bytes */
    char b64[sodium_base64_ENCODED_LEN(EMAIL__WORD_BYTES, sodium_base64_VARIANT_ORIGINAL)];
    sodium_bin2base64(b64, sizeof(b64), (const unsigned char *)s + i, take,
                      sodium_base64_VARIANT_ORIGINAL);
    rc = buf_printf(out, "%s=?UTF-8?B?%s?=", i > 0 ? "\r\n " : "", b64);
    i += take;
  }
  return rc;
}

/* Returns 1 if the n bytes at s can be written raw in a header: printable ASCII without "=?". */
static int email__plain_ascii(const char *s, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (s[i] < 0x20 || s[i] > 0x7E) return 0;
  return strstr(s, "=?") == NULL;
}

/* Appends the From header: the address alone, or an encoded display name and the address. */
static int email__put_from(buf_t *out, const char *name, size_t name_len, const char *addr) {
  int rc = buf_puts(out, "From: ");
  if (rc == BH_OK && name_len > 0) {
    int atoms = 1;
    for (size_t i = 0; i < name_len; i++)
      if (!email__is_atext((unsigned char)name[i]) && name[i] != ' ') atoms = 0;
    if (atoms && name_len + 6 + strlen(addr) + 3 <= EMAIL__RAW_HEADER_LINE)
      rc = buf_append(out, name, name_len);
    else
      rc = email__put_words(out, name, name_len);
    if (rc == BH_OK) rc = buf_puts(out, "\r\n ");
  }
  if (rc == BH_OK) rc = buf_printf(out, "<%s>\r\n", addr);
  return rc;
}

/* Appends the Subject header, raw if it is short plain ASCII, else as encoded-words. */
static int email__put_subject(buf_t *out, const char *s, size_t n) {
  int rc = buf_puts(out, "Subject: ");
  if (rc != BH_OK) return rc;
  if (email__plain_ascii(s, n) && n + 9 <= EMAIL__RAW_HEADER_LINE)
    rc = buf_append(out, s, n);
  else
    rc = email__put_words(out, s, n);
  return rc == BH_OK ? buf_puts(out, "\r\n") : rc;
}

/* Appends the n bytes at s to text with every line end (CRLF, LF or a lone CR) made CRLF. */
static int email__put_crlf(buf_t *text, const char *s, size_t n) {
  int rc = BH_OK;
  size_t start = 0;
  for (size_t i = 0; i < n && rc == BH_OK; i++) {
    if (s[i] != '\r' && s[i] != '\n') continue;
    rc = buf_append(text, s + start, i - start);
    if (rc == BH_OK) rc = buf_puts(text, "\r\n");
    if (s[i] == '\r' && i + 1 < n && s[i + 1] == '\n') i++;
    start = i + 1;
  }
  return rc == BH_OK ? buf_append(text, s + start, n - start) : rc;
}

/* Appends the quoted-printable form of the CRLF text (which ends with CRLF) to out. Besides the
 * rules of RFC 2045 (escape '=', controls, 8-bit bytes and whitespace before a line end; lines
 * of at most 76 characters), a '.' or the "F" of "From " that would start an encoded line is
 * escaped, so that no relay or mbox file can misread a line. */
static int email__put_qp(buf_t *out, const char *text, size_t n) {
  static const char hex[] = "0123456789ABCDEF";
  size_t col = 0;
  int rc = BH_OK;
  for (size_t i = 0; i < n && rc == BH_OK; i++) {
    unsigned char c = (unsigned char)text[i];
    if (c == '\r' && i + 1 < n && text[i + 1] == '\n') {
      rc = buf_puts(out, "\r\n");
      col = 0;
      i++;
      continue;
    }
    int at_eol = i + 1 >= n || text[i + 1] == '\r';
    int escape =
        c == '=' || c > 0x7E || (c < 0x20 && c != '\t') || ((c == ' ' || c == '\t') && at_eol);
    char tok[3] = {(char)c, 0, 0};
    size_t tlen = 1;
    if (col + (escape ? 3 : 1) > EMAIL__QP_LINE) {
      rc = buf_puts(out, "=\r\n");
      col = 0;
    }
    if (col == 0 && (c == '.' || (c == 'F' && n - i >= 5 && memcmp(text + i, "From ", 5) == 0)))
      escape = 1;
    if (escape) {
      tok[0] = '=', tok[1] = hex[c >> 4], tok[2] = hex[c & 15];
      tlen = 3;
    }
    if (rc == BH_OK) rc = buf_append(out, tok, tlen);
    col += tlen;
  }
  return rc;
}

/* The length of the quoted-printable form email__put_qp would write, without writing it. */
static size_t email__qp_len(const char *text, size_t n) {
  buf_t probe;
  buf_init(&probe, 3 * n + 3 * (n / EMAIL__QP_LINE + 1) + 16);
  size_t len = email__put_qp(&probe, text, n) == BH_OK ? probe.len : SIZE_MAX;
  buf_free(&probe);
  return len;
}

/* Appends the base64 form of n bytes in lines of 76 characters, each ending with CRLF. */
static int email__put_base64(buf_t *out, const char *text, size_t n) {
  int rc = BH_OK;
  for (size_t i = 0; i < n && rc == BH_OK; i += EMAIL__B64_LINE_BYTES) {
    size_t take = n - i < EMAIL__B64_LINE_BYTES ? n - i : EMAIL__B64_LINE_BYTES;
    char line[sodium_base64_ENCODED_LEN(EMAIL__B64_LINE_BYTES, sodium_base64_VARIANT_ORIGINAL)];
    sodium_bin2base64(line, sizeof(line), (const unsigned char *)text + i, take,
                      sodium_base64_VARIANT_ORIGINAL);
    rc = buf_puts(out, line);
    if (rc == BH_OK) rc = buf_puts(out, "\r\n");
  }
  return rc;
}

/* Appends the body headers, a blank line and the body: both languages in one text (English
 * first with en_first), encoded in whichever of quoted-printable and base64 is shorter. */
static int email__put_body(buf_t *out, const char *vi, size_t vi_len, const char *en,
                           size_t en_len, int en_first) {
  buf_t text;
  buf_init(&text, 2 * EMAIL_BODY_MAX + 64);
  const char *first = en_first ? en : vi, *second = en_first ? vi : en;
  size_t first_len = en_first ? en_len : vi_len, second_len = en_first ? vi_len : en_len;
  int rc = email__put_crlf(&text, first, first_len);
  if (rc == BH_OK && vi_len > 0 && en_len > 0)
    rc = buf_puts(&text, "\r\n\r\n" EMAIL__LANG_SEPARATOR "\r\n\r\n");
  if (rc == BH_OK) rc = email__put_crlf(&text, second, second_len);
  if (rc == BH_OK && (text.len < 2 || memcmp(text.data + text.len - 2, "\r\n", 2) != 0))
    rc = buf_puts(&text, "\r\n");
  if (rc != BH_OK) goto out;
  const char *lang = vi_len > 0 && en_len > 0 ? (en_first ? "en, vi" : "vi, en")
                     : vi_len > 0              ? "vi"
                                               : "en";
  size_t b64_len = (text.len + 2) / 3 * 4 + (text.len / EMAIL__B64_LINE_BYTES + 1) * 2;
  int qp = email__qp_len(text.data, text.len) <= b64_len;
  rc = buf_printf(out,
                  "Content-Type: text/plain; charset=utf-8\r\n"
                  "Content-Transfer-Encoding: %s\r\n"
                  "Content-Language: %s\r\n"
                  "\r\n",
                  qp ? "quoted-printable" : "base64", lang);
  if (rc == BH_OK)
    rc = qp ? email__put_qp(out, text.data, text.len) : email__put_base64(out, text.data, text.len);
out:
  buf_free(&text);
  return rc;
}

int email_build(const email_message *m, buf_t *out) {
  if (m == NULL || out == NULL) return BH_ERR_INVALID;
  size_t start = out->len, subject_len, name_len = 0, id_len;
  size_t vi_len = m->body_vi ? strnlen(m->body_vi, EMAIL_BODY_MAX + 1) : 0;
  size_t en_len = m->body_en ? strnlen(m->body_en, EMAIL_BODY_MAX + 1) : 0;
  const char *id;
  int rc = BH_ERR_INVALID;
  if (!email_address_valid(m->from) || !email_address_valid(m->to)) goto out;
  if (!email__header_text(m->subject, EMAIL_SUBJECT_MAX, &subject_len) || subject_len == 0)
    goto out;
  if (m->from_name != NULL && !email__header_text(m->from_name, EMAIL_NAME_MAX, &name_len))
    goto out;
  if (!email__message_id(m->message_id, &id, &id_len)) goto out;
  rc = BH_ERR_TOO_LARGE;
  if (vi_len + en_len > EMAIL_BODY_MAX) goto out;
  rc = BH_ERR_INVALID;
  if (vi_len + en_len == 0 || !email__body_text(m->body_vi, vi_len) ||
      !email__body_text(m->body_en, en_len))
    goto out;
  rc = email__put_date(out, m->date != 0 ? m->date : time(NULL));
  if (rc == BH_OK) rc = email__put_from(out, m->from_name, name_len, m->from);
  if (rc == BH_OK) rc = buf_printf(out, "To: <%s>\r\n", m->to);
  if (rc == BH_OK) rc = email__put_subject(out, m->subject, subject_len);
  if (rc == BH_OK)
    rc = buf_printf(out,
                    "Message-ID: <%.*s>\r\n"
                    "MIME-Version: 1.0\r\n"
                    "Auto-Submitted: auto-generated\r\n",
                    (int)id_len, id);
  if (rc == BH_OK) rc = email__put_body(out, m->body_vi, vi_len, m->body_en, en_len, m->en_first);
out:
  if (rc != BH_OK && out->data != NULL) {
    out->len = start;
    out->data[start] = '\0';
  }
  return rc;
}

/* ---- sending ---- */

/* Copies the reply or error text at s (n bytes) to dst (EMAIL_REPLY_MAX bytes): printable ASCII
 * only, line end removed, and every word containing '@' replaced by "[address]", so that the line
 * carries no personal data. */
static void email__redact(char *dst, const char *s, size_t n) {
  size_t o = 0;
  while (n > 0 && (s[n - 1] == '\r' || s[n - 1] == '\n')) n--;
  for (size_t i = 0; i < n && o + 1 < EMAIL_REPLY_MAX;) {
    if (s[i] == ' ') {
      dst[o++] = s[i++];
      continue;
    }
    size_t end = i;
    while (end < n && s[end] != ' ') end++;
    if (memchr(s + i, '@', end - i) != NULL) {
      const char *mask = "[address]";
      size_t k = strlen(mask);
      if (o + k + 1 > EMAIL_REPLY_MAX) break;
      memcpy(dst + o, mask, k);
      o += k;
      i = end;
      continue;
    }
    for (; i < end && o + 1 < EMAIL_REPLY_MAX; i++)
      dst[o++] = s[i] >= 0x20 && s[i] < 0x7F ? s[i] : '?';
  }
  dst[o] = '\0';
}

/* Records one line of the SMTP dialogue (a command we sent or a reply we received). */
static void email__dialogue_line(email_sender *s, int out, const char *line, size_t n) {
  if (out) {
    size_t k = 0;
    while (k < n && k + 1 < sizeof(s->step) && line[k] >= 'A' && line[k] <= 'Z') {
      s->step[k] = line[k];
      k++;
    }
    s->step[k] = '\0';
    return;
  }
  if (n < 3 || line[0] < '1' || line[0] > '5' || line[1] < '0' || line[1] > '9' || line[2] < '0' ||
      line[2] > '9')
    return;
  int code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
  if (n > 3 && line[3] == '-') return; /* not the last line of a multi-line reply */
  const char *step = s->step;
  if (code == 354) {
    s->in_data = 1;
  } else if (s->in_data) {
    step = "EOD"; /* the reply to the end of the message data */
    s->in_data = 0;
  }
  s->last_code = code;
  email__redact(s->last_line, line, n);
  if (code >= 400 && s->fail_code == 0) {
    s->fail_code = code;
    snprintf(s->fail_step, sizeof(s->fail_step), "%s", step);
    memcpy(s->fail_line, s->last_line, sizeof(s->fail_line));
  }
}

/* libcurl's debug callback: splits the dialogue into lines for email__dialogue_line. */
static int email__debug_cb(CURL *curl, curl_infotype type, char *data, size_t size, void *arg) {
  (void)curl;
  email_sender *s = arg;
  if (type != CURLINFO_HEADER_IN && type != CURLINFO_HEADER_OUT) return 0;
  size_t start = 0;
  for (size_t i = 0; i < size; i++) {
    if (data[i] != '\n') continue;
    email__dialogue_line(s, type == CURLINFO_HEADER_OUT, data + start, i + 1 - start);
    start = i + 1;
  }
  if (start < size)
    email__dialogue_line(s, type == CURLINFO_HEADER_OUT, data + start, size - start);
  return 0;
}

/* libcurl's read callback: hands over the built message. */
static size_t email__read_cb(char *dst, size_t size, size_t nmemb, void *arg) {
  email_sender *s = arg;
  size_t room = size * nmemb, left = s->msg.len - s->read_pos;
  size_t n = left < room ? left : room;
  memcpy(dst, s->msg.data + s->read_pos, n);
  s->read_pos += n;
  return n;
}

int email_sender_new(const email_config *cfg, email_sender **out) {
  if (cfg == NULL || cfg->url == NULL || out == NULL || cfg->timeout_ms < 0) return BH_ERR_INVALID;
  static const char starttls[] = "smtp+starttls://";
  int tls_upgrade = strncmp(cfg->url, starttls, strlen(starttls)) == 0;
  if (!tls_upgrade && strncmp(cfg->url, "smtp://", 7) != 0 && strncmp(cfg->url, "smtps://", 8) != 0)
    return BH_ERR_INVALID;
  email_sender *s = calloc(1, sizeof(*s));
  if (s == NULL) return BH_ERR_NOMEM;
  int rc = BH_ERR_NOMEM;
  buf_init(&s->msg, EMAIL_MESSAGE_MAX);
  s->timeout_ms = cfg->timeout_ms > 0 ? cfg->timeout_ms : EMAIL_DEFAULT_TIMEOUT_MS;
  s->curl = curl_easy_init();
  if (s->curl == NULL) goto fail;
  buf_t url;
  buf_init(&url, 2048);
  if (tls_upgrade)
    rc = buf_printf(&url, "smtp://%s", cfg->url + strlen(starttls));
  else
    rc = buf_puts(&url, cfg->url);
  if (rc == BH_OK && curl_easy_setopt(s->curl, CURLOPT_URL, url.data) != CURLE_OK)
    rc = BH_ERR_INVALID;
  buf_free(&url);
  if (rc != BH_OK) goto fail;
  rc = BH_ERR_INTERNAL;
  if (curl_easy_setopt(s->curl, CURLOPT_USE_SSL,
                       (long)(tls_upgrade ? CURLUSESSL_ALL : CURLUSESSL_NONE)) != CURLE_OK ||
      curl_easy_setopt(s->curl, CURLOPT_UPLOAD, 1L) != CURLE_OK ||
      curl_easy_setopt(s->curl, CURLOPT_READFUNCTION, email__read_cb) != CURLE_OK ||
      curl_easy_setopt(s->curl, CURLOPT_READDATA, s) != CURLE_OK ||
      curl_easy_setopt(s->curl, CURLOPT_VERBOSE, 1L) != CURLE_OK ||
      curl_easy_setopt(s->curl, CURLOPT_DEBUGFUNCTION, email__debug_cb) != CURLE_OK ||
      curl_easy_setopt(s->curl, CURLOPT_DEBUGDATA, s) != CURLE_OK ||
      curl_easy_setopt(s->curl, CURLOPT_ERRORBUFFER, s->errbuf) != CURLE_OK ||
      curl_easy_setopt(s->curl, CURLOPT_NOSIGNAL, 1L) != CURLE_OK ||
      curl_easy_setopt(s->curl, CURLOPT_CONNECTTIMEOUT_MS, s->timeout_ms) != CURLE_OK ||
      curl_easy_setopt(s->curl, CURLOPT_TIMEOUT_MS, s->timeout_ms) != CURLE_OK)
    goto fail;
  *out = s;
  return BH_OK;
fail:
  email_sender_free(s);
  return rc;
}

void email_sender_free(email_sender *s) {
  if (s == NULL) return;
  if (s->curl != NULL) curl_easy_cleanup(s->curl);
  buf_free(&s->msg);
  free(s);
}

/* Decides the status of a finished attempt from libcurl's code and the captured dialogue. */
static void email__classify(email_sender *s, CURLcode cc, email_result *res) {
  if (cc == CURLE_OK) {
    res->status = EMAIL_DELIVERED;
    res->smtp_code = s->last_code;
    memcpy(res->reply, s->last_line, sizeof(res->reply));
    return;
  }
  if (s->fail_code != 0) {
    int about_message = strcmp(s->fail_step, "MAIL") == 0 || strcmp(s->fail_step, "RCPT") == 0 ||
                        strcmp(s->fail_step, "DATA") == 0 || strcmp(s->fail_step, "EOD") == 0;
    res->status = s->fail_code >= 500 && about_message ? EMAIL_PERMFAIL : EMAIL_TEMPFAIL;
    res->smtp_code = s->fail_code;
    memcpy(res->reply, s->fail_line, sizeof(res->reply));
    return;
  }
  /* No refusal from the relay: the network, a timeout, TLS or a dropped connection. */
  res->status = EMAIL_TEMPFAIL;
  res->smtp_code = 0;
  const char *why = s->errbuf[0] != '\0' ? s->errbuf : curl_easy_strerror(cc);
  email__redact(res->reply, why, strlen(why));
}

int email_send(email_sender *s, const email_message *m, email_result *res) {
  if (res == NULL) return BH_ERR_INVALID;
  memset(res, 0, sizeof(*res));
  res->status = EMAIL_PERMFAIL;
  if (s == NULL || m == NULL) {
    snprintf(res->reply, sizeof(res->reply), "not sent: no sender or message");
    return BH_ERR_INVALID;
  }
  buf_reset(&s->msg);
  int rc = email_build(m, &s->msg);
  if (rc != BH_OK) {
    res->status = rc == BH_ERR_NOMEM ? EMAIL_TEMPFAIL : EMAIL_PERMFAIL;
    snprintf(res->reply, sizeof(res->reply), "not sent: %s",
             rc == BH_ERR_INVALID ? "invalid address, header or body"
             : rc == BH_ERR_NOMEM ? "out of memory"
                                  : "message too large");
    return rc;
  }
  char from[EMAIL_ADDR_MAX + 3], to[EMAIL_ADDR_MAX + 3];
  snprintf(from, sizeof(from), "<%s>", m->from);
  snprintf(to, sizeof(to), "<%s>", m->to);
  struct curl_slist *rcpt = curl_slist_append(NULL, to);
  if (rcpt == NULL) {
    res->status = EMAIL_TEMPFAIL;
    snprintf(res->reply, sizeof(res->reply), "not sent: out of memory");
    return BH_ERR_NOMEM;
  }
  s->read_pos = 0;
  s->step[0] = s->fail_step[0] = s->fail_line[0] = s->last_line[0] = s->errbuf[0] = '\0';
  s->in_data = s->fail_code = s->last_code = 0;
  rc = BH_OK;
  if (curl_easy_setopt(s->curl, CURLOPT_MAIL_FROM, from) != CURLE_OK ||
      curl_easy_setopt(s->curl, CURLOPT_MAIL_RCPT, rcpt) != CURLE_OK ||
      curl_easy_setopt(s->curl, CURLOPT_INFILESIZE_LARGE, (curl_off_t)s->msg.len) != CURLE_OK) {
    res->status = EMAIL_TEMPFAIL;
    snprintf(res->reply, sizeof(res->reply), "not sent: libcurl refused an option");
    rc = BH_ERR_INTERNAL;
  } else {
    email__classify(s, curl_easy_perform(s->curl), res);
  }
  curl_easy_setopt(s->curl, CURLOPT_MAIL_RCPT, (struct curl_slist *)NULL);
  curl_slist_free_all(rcpt);
  return rc;
}

const char *email_status_name(email_status st) {
  switch (st) {
    case EMAIL_DELIVERED:
      return "delivered";
    case EMAIL_TEMPFAIL:
      return "temporary_failure";
    case EMAIL_PERMFAIL:
      return "permanent_failure";
  }
  return "unknown";
}
