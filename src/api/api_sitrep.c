/*
 * api_sitrep.c - GET /api/v1/crises/{id}/sitrep?format=json|csv|html&lang=vi|en&day=YYYY-MM-DD:
 * the situation report of a crisis (src/sitrep). Aggregates only, so every role that may see the
 * crisis may read it. The query is checked at the boundary: an unknown format, language or a day
 * that is not a full date (or lies in the future) answers 422 naming the parameter.
 */
#include <stdio.h>
#include <string.h>

#include "api/api.h"
#include "domain/pdate.h"
#include "sitrep/sitrep.h"
#include "util/clock.h"
#include "util/err.h"

#define DAY_SECONDS 86400

enum sitrep_format { FORMAT_JSON = 0, FORMAT_CSV, FORMAT_HTML };
static const char *const sitrep_formats[] = {"json", "csv", "html", NULL};
static const char *const sitrep_langs[] = {"vi", "en", NULL};

/* The index of the query parameter's value in vocab (absent: 0); -1 after replying 400. */
static int query_choice(http_req_t *r, const char *key, const char *const *vocab) {
  const char *v = http_query(r, key);
  if (v == NULL) return 0;
  for (int i = 0; vocab[i] != NULL; i++) {
    if (strcmp(vocab[i], v) == 0) return i;
  }
  char allowed[64] = "";
  for (int i = 0; vocab[i] != NULL; i++) {
    size_t used = strlen(allowed);
    snprintf(allowed + used, sizeof(allowed) - used, "%s%s", i ? ", " : "", vocab[i]);
  }
  http_reply_error(r, BH_ERR_INVALID, key, "%s must be one of: %s", key, allowed);
  return -1;
}

/* 00:00 UTC of ?day= (absent: today); -1 after replying 400. */
static int64_t query_day(http_req_t *r, int64_t now) {
  int64_t today = now - ((now % DAY_SECONDS) + DAY_SECONDS) % DAY_SECONDS;
  const char *v = http_query(r, "day");
  if (v == NULL) return today;
  pdate_t d;
  if (strlen(v) != 10 || pdate_parse(v, &d) != BH_OK || d.month == 0 || d.day == 0) {
    http_reply_error(r, BH_ERR_INVALID, "day", "day must be a date written YYYY-MM-DD");
    return -1;
  }
  int64_t day = pdate_days_from_civil(d.year, d.month, d.day) * DAY_SECONDS;
  if (day > today) {
    http_reply_error(r, BH_ERR_INVALID, "day", "day must not be in the future");
    return -1;
  }
  return day;
}

void h_crises_sitrep(app_t *app, http_req_t *r, api_ctx_t *ctx) {
  int format = query_choice(r, "format", sitrep_formats);
  if (format < 0) return;
  int lang = query_choice(r, "lang", sitrep_langs);
  if (lang < 0) return;
  int64_t now = clock_now();
  int64_t day = query_day(r, now);
  if (day < 0) return;
  crisis_t k;
  if (api_crisis_or_reply(app, r, ctx, &k) != 0) return;
  sitrep_t s;
  int rc = store_begin(ctx->db); /* one snapshot for every figure */
  if (rc == BH_OK) rc = sitrep_gather(ctx->db, &k, day, now, r->arena, &s);
  store_rollback(ctx->db);
  if (rc != BH_OK) {
    crisis_clear(&k);
    api_reply_store_error(r, rc, "crisis");
    return;
  }
  char id[PUBID_LEN + 1];
  pubid_encode(&app->keys, PUBID_CRISIS, k.id, id);
  if (format == FORMAT_JSON) {
    http_reply_json(r, 200, sitrep_json(&s, id, (enum sitrep_lang)lang));
    crisis_clear(&k);
    return;
  }
  buf_t out;
  buf_init(&out, SITREP_OUTPUT_MAX);
  rc = format == FORMAT_CSV ? sitrep_csv(&s, (enum sitrep_lang)lang, &out)
                            : sitrep_html(&s, (enum sitrep_lang)lang, &out);
  if (rc != BH_OK) {
    buf_free(&out);
    crisis_clear(&k);
    http_reply_error(r, rc, NULL, "the situation report could not be written");
    return;
  }
  http_add_header(r, "Cache-Control", "no-store");
  http_add_header(r, "Content-Language", sitrep_langs[lang]);
  if (format == FORMAT_CSV) {
    char disposition[96];
    char stamp[PDATE_TIMESTAMP_SIZE];
    pdate_format_timestamp(day, stamp);
    snprintf(disposition, sizeof(disposition), "attachment; filename=\"sitrep-%s-%.10s.csv\"", id,
             stamp);
    http_add_header(r, "Content-Disposition", disposition);
    http_reply_bytes(r, 200, "text/csv; charset=utf-8", out.data, out.len);
  } else {
    http_add_header(r, "Content-Security-Policy",
                    "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; "
                    "frame-ancestors 'none'; form-action 'none'");
    http_reply_bytes(r, 200, "text/html; charset=utf-8", out.data, out.len);
  }
  buf_free(&out);
  crisis_clear(&k);
}
