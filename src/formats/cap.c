/*
 * cap.c - one travel-advisory version as a CAP 1.2 alert; see cap.h.
 *
 * The document is produced with libxml2's xmlTextWriter, which escapes markup; the writer's
 * output goes straight into the caller's bounded buf_t through an I/O callback, so the buffer's
 * maximum holds. Every string is checked before it is written (cap__text_ok), because the
 * writer copies control characters and broken UTF-8 through unchanged.
 */
#include "formats/cap.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <libxml/xmlwriter.h>

#include "domain/country.h"
#include "domain/pdate.h"
#include "formats/xmlw.h"
#include "util/err.h"

/* What each level means to a CAP receiver, declared once (index = level). */
static const struct cap__level {
  const char *response_type;
  const char *urgency;
  const char *severity;
  const char *certainty;
} cap__levels[ADVISORY_LEVEL_MAX + 1] = {
    [1] = {"None", "Future", "Minor", "Unlikely"},
    [2] = {"Monitor", "Future", "Moderate", "Possible"},
    [3] = {"Avoid", "Expected", "Severe", "Likely"},
    [4] = {"Evacuate", "Immediate", "Extreme", "Observed"},
};

/* The info blocks, in the order they are written. */
enum { CAP__VI = 0, CAP__EN, CAP__LANGS };
static const struct cap__lang {
  const char *tag;          /* xs:language of the info block */
  const char *country_lang; /* language argument of country_name */
  const char *event;        /* followed by the level digit */
  const char *const *level_names;
} cap__langs[CAP__LANGS] = {
    [CAP__VI] = {"vi-VN", "vi", "Cảnh báo du lịch cấp ", model_advisory_levels_vi},
    [CAP__EN] = {"en-US", "en", "Travel advisory level ", model_advisory_levels_en},
};

/* "YYYY-MM-DDTHH:MM:SS-00:00" and its NUL. */
#define CAP__TIME_SIZE 26
/* Longest identifier: the sender, "-advisory-", two int64 numbers and "-v". */
#define CAP__ID_SIZE (CAP_SENDER_MAX + 64)
#define CAP__SHORT_SIZE 1024

/* Writes <name>value</name>; value must pass cap__text_ok. */
static void cap__elem(xmlw_t *x, const char *name, const char *value) {
  if (x->rc != BH_OK) return;
  if (value == NULL || !xmlw_text_ok(value)) {
    x->rc = BH_ERR_INVALID;
    return;
  }
  if (xmlTextWriterWriteElement(x->w, BAD_CAST name, BAD_CAST value) < 0)
    x->rc = BH_ERR_INTERNAL;
}

/* Writes <name>value</name> with a formatted value of at most CAP__SHORT_SIZE - 1 bytes. */
static void cap__elemf(xmlw_t *x, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void cap__elemf(xmlw_t *x, const char *name, const char *fmt, ...) {
  char text[CAP__SHORT_SIZE];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(text, sizeof text, fmt, ap);
  va_end(ap);
  if (x->rc == BH_OK && (n < 0 || (size_t)n >= sizeof text)) x->rc = BH_ERR_INVALID;
  cap__elem(x, name, text);
}

/* Writes <name><valueName>value_name</valueName><value>value</value></name>. */
static void cap__pair(xmlw_t *x, const char *name, const char *value_name, const char *value) {
  xmlw_start(x, name);
  cap__elem(x, "valueName", value_name);
  cap__elem(x, "value", value);
  xmlw_end(x);
}

/* Formats a Unix time as a CAP dateTime in UTC, which CAP writes "-00:00", never "Z". */
static void cap__time(int64_t t, char out[CAP__TIME_SIZE] /* OUT */) {
  char z[PDATE_TIMESTAMP_SIZE];
  pdate_format_timestamp(t, z);
  memcpy(out, z, 19);
  memcpy(out + 19, "-00:00", 7);
}

/* Returns 1 if the sender is 1..CAP_SENDER_MAX bytes of letters, digits and "-._@:". */
static int cap__sender_ok(const char *s) {
  if (s == NULL) return 0;
  size_t len = strlen(s);
  if (len == 0 || len > CAP_SENDER_MAX) return 0;
  for (size_t i = 0; i < len; i++) {
    char c = s[i];
    int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
             c == '-' || c == '.' || c == '_' || c == '@' || c == ':';
    if (!ok) return 0;
  }
  return 1;
}

/*
 * Checks the base URL and returns its length without trailing slashes in *len_out. Returns
 * 1 if it is "http://" or "https://" followed by a host and printable ASCII that needs no
 * escaping in a URI (no space, quotes, angle brackets, backslash, braces, '|', '^', '`').
 */
static int cap__base_url_ok(const char *u, size_t *len_out /* OUT */) {
  if (u == NULL) return 0;
  size_t len = strlen(u);
  size_t scheme = strncmp(u, "https://", 8) == 0 ? 8 : strncmp(u, "http://", 7) == 0 ? 7 : 0;
  if (scheme == 0 || len > CAP_BASE_URL_MAX) return 0;
  for (size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)u[i];
    if (c <= 0x20 || c >= 0x7f || strchr("\"'<>\\{}|^`", c) != NULL) return 0;
  }
  while (len > scheme && u[len - 1] == '/') len--;
  if (len == scheme) return 0;
  *len_out = len;
  return 1;
}

/* Writes the identifier of version a into out. */
static void cap__identifier(const char *sender, const advisory_t *a, char out[CAP__ID_SIZE]) {
  snprintf(out, CAP__ID_SIZE, "%s-advisory-%" PRId64 "-v%d", sender, a->series_id, a->version);
}

/* Writes one info block in language lang. */
static void cap__info(xmlw_t *x, const advisory_t *a, const cap_options_t *opt, int lang,
                      const char *base, size_t base_len, const char *expires) {
  const struct cap__lang *l = &cap__langs[lang];
  const struct cap__level *lv = &cap__levels[a->level];
  char effective[CAP__TIME_SIZE];
  cap__time(a->issued_at, effective);

  xmlw_start(x, "info");
  cap__elem(x, "language", l->tag);
  cap__elem(x, "category", "Safety");
  cap__elemf(x, "event", "%s%d", l->event, a->level);
  cap__elem(x, "responseType", lv->response_type);
  cap__elem(x, "urgency", lv->urgency);
  cap__elem(x, "severity", lv->severity);
  cap__elem(x, "certainty", lv->certainty);
  cap__elem(x, "effective", effective);
  if (expires != NULL) cap__elem(x, "expires", expires);
  cap__elem(x, "senderName", lang == CAP__VI ? opt->sender_name_vi : opt->sender_name_en);
  cap__elem(x, "headline", lang == CAP__VI ? a->title_vi : a->title_en);
  cap__elem(x, "description", lang == CAP__VI ? a->text_vi : a->text_en);
  cap__elem(x, "instruction", l->level_names[a->level]);
  cap__elemf(x, "web", "%.*s/advisories/%" PRId64, (int)base_len, base, a->id);
  char level[2] = {(char)('0' + a->level), '\0'};
  cap__pair(x, "parameter", "advisoryLevel", level);

  xmlw_start(x, "area");
  const char *country = country_name(a->country, l->country_lang);
  if (a->region != NULL)
    cap__elemf(x, "areaDesc", "%s (%s)", country, a->region);
  else
    cap__elem(x, "areaDesc", country);
  cap__pair(x, "geocode", "ISO3166-1", a->country);
  if (a->region != NULL) cap__pair(x, "geocode", "ISO3166-2", a->region);
  xmlw_end(x); /* area */
  xmlw_end(x); /* info */
}

/* Writes the whole alert; the caller owns the writer and checks x->rc. */
static void cap__alert(xmlw_t *x, const advisory_t *a, const advisory_t *previous,
                       const cap_options_t *opt, const char *base, size_t base_len,
                       const char *expires) {
  char id[CAP__ID_SIZE], sent[CAP__TIME_SIZE];
  cap__identifier(opt->sender, a, id);
  cap__time(a->issued_at, sent);

  if (x->rc == BH_OK &&
      xmlTextWriterStartElementNS(x->w, NULL, BAD_CAST "alert", BAD_CAST CAP_NAMESPACE) < 0)
    x->rc = BH_ERR_INTERNAL;
  cap__elem(x, "identifier", id);
  cap__elem(x, "sender", opt->sender);
  cap__elem(x, "sent", sent);
  cap__elem(x, "status", "Actual");
  cap__elem(x, "msgType", previous != NULL ? "Update" : "Alert");
  cap__elem(x, "scope", "Public");
  if (a->reason != NULL && a->reason[0] != '\0') cap__elem(x, "note", a->reason);
  if (previous != NULL) {
    char prev_id[CAP__ID_SIZE], prev_sent[CAP__TIME_SIZE];
    cap__identifier(opt->sender, previous, prev_id);
    cap__time(previous->issued_at, prev_sent);
    cap__elemf(x, "references", "%s,%s,%s", opt->sender, prev_id, prev_sent);
  }
  for (int lang = 0; lang < CAP__LANGS; lang++)
    cap__info(x, a, opt, lang, base, base_len, expires);
  xmlw_end(x); /* alert */
}

int cap_write_advisory(const advisory_t *a, const advisory_t *previous,
                       const cap_options_t *opt, buf_t *out) {
  if (a == NULL || opt == NULL || out == NULL) return BH_ERR_INVALID;
  size_t base_len = 0;
  if (!cap__sender_ok(opt->sender) || !cap__base_url_ok(opt->base_url, &base_len) ||
      opt->sender_name_vi == NULL || opt->sender_name_en == NULL)
    return BH_ERR_INVALID;
  if (!xmlw_advisory_ok(a)) return BH_ERR_INVALID;
  if (a->version == 1 ? previous != NULL
                      : (previous == NULL || previous->series_id != a->series_id ||
                         previous->version != a->version - 1))
    return BH_ERR_INVALID;

  char expires[CAP__TIME_SIZE], *expires_p = NULL;
  if (a->review_due != NULL) {
    pdate_t due;
    if (pdate_parse(a->review_due, &due) != BH_OK || due.day == 0) return BH_ERR_INVALID;
    cap__time(pdate_days_from_civil(due.year, due.month, due.day) * 86400, expires);
    expires_p = expires;
  }

  xmlw_t x;
  if (xmlw_begin(&x, out) == BH_OK) {
    cap__alert(&x, a, previous, opt, opt->base_url, base_len, expires_p);
  }
  return xmlw_finish(&x);
}
