/*
 * sitrep.c - situation reports: gathering the figures of a crisis and rendering them as JSON,
 * CSV and printable HTML, with the sentences a spokesperson reads out (see sitrep.h).
 */
#include "sitrep/sitrep.h"

#include <stdio.h>
#include <string.h>

#include "domain/country.h"
#include "domain/evac.h"
#include "domain/pdate.h"
#include "util/err.h"

#define DAY_SECONDS 86400
#define SITREP_HTML_SLACK 4096 /* bytes: more than any single append of sitrep_html */

/* ---- words of the report, per language (index: enum sitrep_lang) ---- */

/* Welfare statuses in the order of model_statuses. */
static const char *const status_words[2][10] = {
    {"chưa liên lạc được", "an toàn", "cần hỗ trợ", "bị thương", "mất tích", "bị giam giữ",
     "đã tử vong", "đã rời khu vực", "đã được sơ tán", "đã về nước"},
    {"not yet accounted for", "safe", "need help", "injured", "missing", "detained", "deceased",
     "left the area", "evacuated", "repatriated"}};
/* The order in which the accountability sentence lists statuses: the unaccounted-for last. */
static const int statement_order[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 0};

/* Presence categories in the order of model_categories, as counted nouns. */
static const char *const category_words[2][6] = {
    {"thường trú", "sinh viên", "lao động", "cán bộ", "khách du lịch", "khác"},
    {"residents", "students", "workers", "officials", "tourists", "others"}};

/* Case types in the order of case_types. */
static const char *const case_type_words[2][CASE_TYPE_COUNT] = {
    {"đề nghị sơ tán", "mất giấy tờ", "bị bắt giữ", "mua bán người", "y tế", "tử vong",
     "trình báo mất tích", "tài chính", "khác"},
    {"evacuation request", "lost documents", "detention", "trafficking", "medical", "death",
     "missing person report", "financial", "other"}};

/* Transport purposes and modes in the order of evac_purposes and evac_modes. */
static const char *const purpose_words[2][2] = {{"sơ tán", "hồi hương"},
                                                {"evacuation", "repatriation"}};
static const char *const mode_words[2][4] = {{"máy bay", "xe buýt", "tàu hỏa", "tàu thủy"},
                                             {"flight", "bus", "train", "ship"}};

/* Headings and column names. */
enum sitrep_word {
  W_TITLE,
  W_AS_OF,
  W_DAY,
  W_STATEMENTS,
  W_PEOPLE,
  W_CATEGORY,
  W_IN_AREA,
  W_ACCOUNTED,
  W_STATUS,
  W_PERSONS,
  W_CASES,
  W_TYPE,
  W_OPENED_TODAY,
  W_OPENED,
  W_RESOLVED,
  W_CLOSED_TODAY,
  W_CLOSED,
  W_OPEN_NOW,
  W_TOTAL,
  W_SAFETY,
  W_TRANSPORTS,
  W_TRANSPORT,
  W_PURPOSE,
  W_ROUTE,
  W_DEPARTURE,
  W_CAPACITY,
  W_BOOKED,
  W_BOARDED,
  W_ARRIVED,
  W_SERIES,
  W_CHANGES,
  W_TODAY,
  W_SINCE_START,
  W_SECTION,
  W_ITEM,
  W_REACHED,
  W_EVACUATED,
  W_REPATRIATED,
  W_PARTNER,
  W_NONE,
  W_COUNT
};
static const char *const words[2][W_COUNT] = {
    {"Báo cáo tình hình", "Số liệu tính đến", "Ngày báo cáo", "Thông tin chính",
     "Công dân trong khu vực", "Diện", "Trong khu vực", "Đã liên lạc được", "Tình trạng",
     "Số người", "Vụ việc bảo hộ", "Loại", "Tiếp nhận hôm nay", "Tiếp nhận", "Đã giải quyết",
     "Đóng hôm nay", "Đã đóng", "Đang xử lý", "Tổng", "Đưa đến nơi an toàn", "Phương tiện",
     "Chuyến", "Mục đích", "Hành trình", "Khởi hành", "Số chỗ", "Đã đặt chỗ", "Đã lên",
     "Đã đến", "Diễn biến theo ngày", "Thay đổi tình trạng", "Hôm nay", "Từ đầu", "Mục",
     "Nội dung", "Đã nhận tin", "Đã sơ tán", "Đã về nước", "Công dân nước khác",
     "Không có"},
    {"Situation report", "Figures as of", "Report day", "Key points", "Citizens in the area",
     "Category", "In the area", "Accounted for", "Status", "Persons", "Assistance cases", "Type",
     "Opened today", "Opened", "Resolved", "Closed today", "Closed", "Open", "Total",
     "Moved to safety", "Transports", "Transport", "Purpose", "Route", "Departure", "Capacity",
     "Booked", "Boarded", "Arrived", "Day by day", "Status changes", "Today", "Since the start",
     "Section", "Item", "Reached", "Evacuated", "Repatriated", "Partner nationals", "None"}};

/* The index of s in the NULL-terminated vocabulary v, or -1. */
static int vocab_index(const char *const *v, const char *s) {
  for (int i = 0; s != NULL && v[i] != NULL; i++) {
    if (strcmp(v[i], s) == 0) return i;
  }
  return -1;
}

static const char *purpose_word(enum sitrep_lang lang, const char *purpose) {
  int i = vocab_index(evac_purposes, purpose);
  return i >= 0 && i < 2 ? purpose_words[lang][i] : purpose;
}

static const char *mode_word(enum sitrep_lang lang, const char *mode) {
  int i = vocab_index(evac_modes, mode);
  return i >= 0 && i < 4 ? mode_words[lang][i] : mode;
}

static const char *category_word(enum sitrep_lang lang, const char *category) {
  if (category == NULL) return lang == SITREP_VI ? "chưa rõ" : "not given";
  int i = vocab_index(model_categories, category);
  return i >= 0 && i < 6 ? category_words[lang][i] : category;
}

/* ---- gathering ---- */

/* Adds the hourly accountability series up into UTC days (the latest SITREP_DAYS_MAX). */
static int sitrep_days(sitrep_t *s, arena_t *a) {
  s->ndays = 0;
  s->days = NULL;
  if (s->acc.nseries == 0) return BH_OK;
  size_t cap = s->acc.nseries < SITREP_DAYS_MAX ? s->acc.nseries : SITREP_DAYS_MAX;
  sitrep_day_t *days = arena_calloc(a, cap * sizeof(*days));
  if (days == NULL) return BH_ERR_NOMEM;
  size_t n = 0;
  for (size_t i = 0; i < s->acc.nseries; i++) {
    const store_series_point_t *p = &s->acc.series[i];
    int64_t day = p->hour - ((p->hour % DAY_SECONDS) + DAY_SECONDS) % DAY_SECONDS;
    if (n == 0 || days[n - 1].day != day) {
      if (n == cap) { /* keep the latest days: drop the oldest */
        memmove(days, days + 1, (cap - 1) * sizeof(*days));
        n--;
      }
      memset(&days[n], 0, sizeof(days[n]));
      days[n++].day = day;
    }
    days[n - 1].changes += p->changes;
    for (int k = 0; k < STORE_STATUS_SLOTS; k++) days[n - 1].by_status[k] += p->by_status[k];
  }
  s->days = days;
  s->ndays = n;
  return BH_OK;
}

/* Adds the arrived seats of the transports up by purpose. */
static void sitrep_moved(sitrep_t *s) {
  memset(&s->evacuated, 0, sizeof(s->evacuated));
  memset(&s->repatriated, 0, sizeof(s->repatriated));
  for (size_t i = 0; i < s->ntransports; i++) {
    const evac_transport_figures_t *t = &s->transports[i];
    int repatriation = t->purpose != NULL && strcmp(t->purpose, "repatriation") == 0;
    sitrep_moved_t *m = repatriation ? &s->repatriated : &s->evacuated;
    if (t->arrived_registered + t->arrived_partner > 0) m->transports++;
    m->total += t->arrived_registered;
    m->partner_total += t->arrived_partner;
    if (t->arrival_at >= s->day_start && t->arrival_at < s->day_start + DAY_SECONDS) {
      m->today += t->arrived_registered;
    }
  }
}

int sitrep_gather(store_conn_t *db, const crisis_t *k, int64_t day_start, int64_t now, arena_t *a,
                  sitrep_t *out) {
  memset(out, 0, sizeof(*out));
  out->crisis = k;
  out->as_of = now;
  out->day_start = day_start;
  /* The audience is counted on the report's day (its presences must overlap it). */
  char today[PDATE_TIMESTAMP_SIZE];
  pdate_format_timestamp(day_start, today);
  today[10] = '\0';
  int rc = store_crisis_accountability(db, k, today, a, &out->acc);
  if (rc == BH_OK) rc = store_case_counts(db, k->id, day_start, &out->cases);
  if (rc == BH_OK) {
    rc = store_evac_moved_to_safety(db, k->id, day_start, &out->safety_total, &out->safety_today);
  }
  /* The store counts "at or after since"; for a day that has ended, what came after it is
   * taken away so that "today" means that day only. */
  int64_t day_end = day_start + DAY_SECONDS;
  if (rc == BH_OK && day_end <= now) {
    case_counts_t later;
    int64_t safety_all, safety_later;
    rc = store_case_counts(db, k->id, day_end, &later);
    if (rc == BH_OK) rc = store_evac_moved_to_safety(db, k->id, day_end, &safety_all, &safety_later);
    if (rc == BH_OK) {
      out->safety_today -= safety_later;
      for (int t = 0; t <= CASE_TYPE_COUNT; t++) {
        case_type_counts_t *c = t < CASE_TYPE_COUNT ? &out->cases.by_type[t] : &out->cases.total;
        const case_type_counts_t *l = t < CASE_TYPE_COUNT ? &later.by_type[t] : &later.total;
        c->opened_since -= l->opened_since;
        c->resolved_since -= l->resolved_since;
        c->closed_since -= l->closed_since;
      }
    }
  }
  if (rc == BH_OK) {
    rc = store_evac_transport_figures(db, k->id, a, &out->transports, &out->ntransports);
  }
  if (rc == BH_OK) rc = sitrep_days(out, a);
  if (rc == BH_OK) sitrep_moved(out);
  return rc;
}

/* ---- sentences ---- */

static void statement_add(json_t *list, buf_t *b) {
  if (b->data != NULL) json_array_append_new(list, json_string(b->data));
  buf_reset(b);
}

void sitrep_accountability_sentence(const store_tally_t *all, enum sitrep_lang lang, buf_t *b) {
  long long total = (long long)all->total;
  long long safe = (long long)all->by_status[1];
  int vi = lang == SITREP_VI;
  if (total == 0) {
    buf_puts(b, vi ? "Đến nay, chưa ghi nhận công dân nào trong khu vực."
                   : "So far, no citizens are recorded in the area.");
    return;
  }
  if (safe == total) {
    if (vi) {
      buf_printf(b, "Đến nay, toàn bộ %lld công dân trong khu vực đều an toàn.", total);
    } else if (total == 1) {
      buf_puts(b, "So far, the one citizen in the area is safe.");
    } else {
      buf_printf(b, "So far, all %lld citizens in the area are safe.", total);
    }
    return;
  }
  if (vi) {
    buf_printf(b, "Đến nay, trong số %lld công dân trong khu vực: ", total);
  } else {
    buf_printf(b, "So far, of the %lld %s in the area: ", total, total == 1 ? "citizen" : "citizens");
  }
  int first = 1;
  for (size_t i = 0; i < sizeof(statement_order) / sizeof(statement_order[0]); i++) {
    int st = statement_order[i];
    long long n = (long long)all->by_status[st];
    if (n == 0) continue;
    const char *word = !vi && st == 2 && n == 1 ? "needs help" : status_words[lang][st];
    buf_printf(b, "%s%lld %s", first ? "" : ", ", n, word);
    first = 0;
  }
  buf_puts(b, ".");
}

void sitrep_statements(const sitrep_t *s, enum sitrep_lang lang, json_t *list) {
  buf_t b;
  buf_init(&b, 4096);
  int vi = lang == SITREP_VI;
  sitrep_accountability_sentence(&s->acc.all, lang, &b);
  statement_add(list, &b);

  const case_type_counts_t *c = &s->cases.total;
  if (c->opened > 0) {
    if (vi) {
      buf_printf(&b,
                 "Đến nay đã tiếp nhận %lld vụ việc cần hỗ trợ (%lld trong hôm nay), đã giải quyết "
                 "%lld, còn %lld vụ việc đang được xử lý.",
                 (long long)c->opened, (long long)c->opened_since, (long long)c->resolved,
                 (long long)c->open_now);
    } else {
      buf_printf(&b,
                 "So far %lld %s for assistance %s been received (%lld today); %lld %s been "
                 "resolved and %lld %s still being handled.",
                 (long long)c->opened, c->opened == 1 ? "request" : "requests",
                 c->opened == 1 ? "has" : "have", (long long)c->opened_since,
                 (long long)c->resolved, c->resolved == 1 ? "has" : "have",
                 (long long)c->open_now, c->open_now == 1 ? "is" : "are");
    }
    statement_add(list, &b);
  }
  if (s->safety_total > 0) {
    if (vi) {
      buf_printf(&b, "Đến nay, %lld công dân đã được đưa đến nơi an toàn (%lld trong hôm nay).",
                 (long long)s->safety_total, (long long)s->safety_today);
    } else {
      buf_printf(&b, "So far, %lld %s been moved to safety (%lld today).",
                 (long long)s->safety_total, s->safety_total == 1 ? "citizen has" : "citizens have",
                 (long long)s->safety_today);
    }
    statement_add(list, &b);
  }
  const sitrep_moved_t *moved[2] = {&s->evacuated, &s->repatriated};
  for (int p = 0; p < 2; p++) {
    const sitrep_moved_t *m = moved[p];
    if (m->total + m->partner_total == 0) continue;
    long long n = (long long)m->total, trips = (long long)m->transports;
    if (vi) {
      buf_printf(&b, "Đến nay, %lld công dân đã %s trên %lld chuyến (%lld trong hôm nay)", n,
                 p == 0 ? "được sơ tán" : "về nước an toàn", trips, (long long)m->today);
      if (m->partner_total > 0) {
        buf_printf(&b, ", cùng %lld công dân nước khác", (long long)m->partner_total);
      }
    } else {
      buf_printf(&b, "So far, %lld %s been %s on %lld %s (%lld today)", n,
                 n == 1 ? "citizen has" : "citizens have",
                 p == 0 ? "evacuated" : "brought home safely", trips,
                 trips == 1 ? "transport" : "transports", (long long)m->today);
      if (m->partner_total > 0) {
        buf_printf(&b, ", together with %lld %s of other countries", (long long)m->partner_total,
                   m->partner_total == 1 ? "national" : "nationals");
      }
    }
    buf_puts(&b, ".");
    statement_add(list, &b);
  }
  buf_free(&b);
}

/* ---- JSON ---- */

static json_t *json_time(int64_t t) {
  if (t <= 0) return json_null();
  char text[PDATE_TIMESTAMP_SIZE];
  pdate_format_timestamp(t, text);
  return json_string(text);
}

static json_t *json_day(int64_t t) {
  char text[PDATE_TIMESTAMP_SIZE];
  pdate_format_timestamp(t, text);
  text[10] = '\0';
  return json_string(text);
}

static json_t *json_statuses(const int64_t *by_status) {
  json_t *o = json_object();
  for (int i = 0; model_statuses[i] != NULL && i < STORE_STATUS_SLOTS; i++) {
    json_object_set_new(o, model_statuses[i], json_integer(by_status[i]));
  }
  return o;
}

static json_t *json_case_counts(const case_type_counts_t *c) {
  return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "opened", (json_int_t)c->opened,
                   "opened_today", (json_int_t)c->opened_since, "resolved",
                   (json_int_t)c->resolved, "resolved_today", (json_int_t)c->resolved_since,
                   "closed", (json_int_t)c->closed, "closed_today", (json_int_t)c->closed_since,
                   "open", (json_int_t)c->open_now);
}

static json_t *json_moved(const sitrep_moved_t *m) {
  return json_pack("{s:I, s:I, s:I, s:I}", "total", (json_int_t)m->total, "today",
                   (json_int_t)m->today, "partner_nationals", (json_int_t)m->partner_total,
                   "transports", (json_int_t)m->transports);
}

json_t *sitrep_json(const sitrep_t *s, const char *crisis_id, enum sitrep_lang lang) {
  const crisis_t *k = s->crisis;
  json_t *o = json_object();
  json_object_set_new(o, "crisis",
                      json_pack("{s:s, s:s, s:s, s:O, s:o, s:o}", "id", crisis_id, "name",
                                k->name ? k->name : "", "kind", k->kind ? k->kind : "",
                                "countries", k->countries ? k->countries : json_array(),
                                "opened_at", json_time(k->opened_at), "closed_at",
                                json_time(k->closed_at)));
  json_object_set_new(o, "lang", json_string(lang == SITREP_VI ? "vi" : "en"));
  json_object_set_new(o, "day", json_day(s->day_start));
  json_object_set_new(o, "as_of", json_time(s->as_of));

  json_t *cats = json_object();
  for (size_t i = 0; i < s->acc.ncategories; i++) {
    const store_tally_t *t = &s->acc.categories[i];
    json_object_set_new(cats, t->key ? t->key : "not_given", json_integer(t->total));
  }
  json_object_set_new(
      o, "people",
      json_pack("{s:I, s:I, s:I, s:I, s:o, s:o}", "in_area", (json_int_t)s->acc.all.total,
                "reached", (json_int_t)s->acc.all.reached, "accounted_for",
                (json_int_t)(s->acc.all.total - s->acc.all.by_status[0]), "not_accounted_for",
                (json_int_t)s->acc.all.by_status[0], "by_category", cats, "by_status",
                json_statuses(s->acc.all.by_status)));

  json_t *by_type = json_object();
  for (int i = 0; i < CASE_TYPE_COUNT; i++) {
    json_object_set_new(by_type, case_types[i], json_case_counts(&s->cases.by_type[i]));
  }
  json_t *cases = json_case_counts(&s->cases.total);
  json_object_set_new(cases, "by_type", by_type);
  json_object_set_new(o, "cases", cases);

  json_object_set_new(o, "moved_to_safety",
                      json_pack("{s:I, s:I}", "total", (json_int_t)s->safety_total, "today",
                                (json_int_t)s->safety_today));
  json_object_set_new(o, "evacuated", json_moved(&s->evacuated));
  json_object_set_new(o, "repatriated", json_moved(&s->repatriated));

  json_t *transports = json_array();
  for (size_t i = 0; i < s->ntransports; i++) {
    const evac_transport_figures_t *t = &s->transports[i];
    json_t *row = json_pack(
        "{s:s?, s:s?, s:s?, s:s?, s:s?, s:s?, s:s, s:s?, s:s, s:o, s:o, s:I, s:I, s:I, s:I, "
        "s:I, s:I, s:I}",
        "purpose", t->purpose, "mode", t->mode, "provider", t->provider, "status", t->status,
        "reference", t->reference, "origin", t->origin_place, "origin_country", t->origin_country,
        "destination", t->destination_place, "destination_country", t->destination_country,
        "departure_at", json_time(t->departure_at), "arrival_at", json_time(t->arrival_at),
        "capacity", (json_int_t)t->capacity, "booked", (json_int_t)t->booked, "boarded",
        (json_int_t)t->boarded, "arrived", (json_int_t)t->arrived, "no_show",
        (json_int_t)t->no_show, "arrived_citizens", (json_int_t)t->arrived_registered,
        "arrived_partner_nationals", (json_int_t)t->arrived_partner);
    if (row != NULL) json_array_append_new(transports, row);
  }
  json_object_set_new(o, "transports", transports);

  json_t *series = json_array();
  for (size_t i = 0; i < s->ndays; i++) {
    json_array_append_new(series, json_pack("{s:o, s:I, s:o}", "day", json_day(s->days[i].day),
                                            "status_changes", (json_int_t)s->days[i].changes,
                                            "by_status", json_statuses(s->days[i].by_status)));
  }
  json_object_set_new(o, "series", series);

  json_t *statements = json_array();
  sitrep_statements(s, lang, statements);
  json_object_set_new(o, "statements", statements);
  return o;
}

/* ---- CSV ---- */

/*
 * Appends one CSV field: quoted when it holds a comma, a quote or a line break, and defused
 * with a leading apostrophe when a spreadsheet would read it as a formula.
 */
static int csv_field(buf_t *b, const char *text, int last) {
  int rc = BH_OK;
  if (text == NULL) text = "";
  int quote = strpbrk(text, ",\"\r\n") != NULL;
  int formula = text[0] == '=' || text[0] == '+' || text[0] == '-' || text[0] == '@';
  if (quote) rc = buf_putc(b, '"');
  if (rc == BH_OK && formula) rc = buf_putc(b, '\'');
  for (const char *p = text; rc == BH_OK && *p; p++) {
    if (*p == '"') rc = buf_putc(b, '"');
    if (rc == BH_OK) rc = buf_putc(b, *p);
  }
  if (rc == BH_OK && quote) rc = buf_putc(b, '"');
  if (rc == BH_OK) rc = last ? buf_puts(b, "\r\n") : buf_putc(b, ',');
  return rc;
}

/* One row: section, item, today (negative: empty), since the start. */
static int csv_row(buf_t *b, const char *section, const char *item, int64_t today, int64_t total) {
  char t[24] = "", n[24];
  if (today >= 0) snprintf(t, sizeof(t), "%lld", (long long)today);
  snprintf(n, sizeof(n), "%lld", (long long)total);
  int rc = csv_field(b, section, 0);
  if (rc == BH_OK) rc = csv_field(b, item, 0);
  if (rc == BH_OK) rc = csv_field(b, t, 0);
  if (rc == BH_OK) rc = csv_field(b, n, 1);
  return rc;
}

int sitrep_csv(const sitrep_t *s, enum sitrep_lang lang, buf_t *out) {
  const char *const *w = words[lang];
  int rc = buf_puts(out, "\xEF\xBB\xBF");
  if (rc == BH_OK) rc = csv_field(out, w[W_SECTION], 0);
  if (rc == BH_OK) rc = csv_field(out, w[W_ITEM], 0);
  if (rc == BH_OK) rc = csv_field(out, w[W_TODAY], 0);
  if (rc == BH_OK) rc = csv_field(out, w[W_SINCE_START], 1);
  json_t *statements = json_array();
  sitrep_statements(s, lang, statements);
  size_t i;
  json_t *v;
  json_array_foreach(statements, i, v) {
    if (rc == BH_OK) rc = csv_field(out, w[W_STATEMENTS], 0);
    if (rc == BH_OK) rc = csv_field(out, json_string_value(v), 0);
    if (rc == BH_OK) rc = csv_field(out, "", 0);
    if (rc == BH_OK) rc = csv_field(out, "", 1);
  }
  json_decref(statements);
  const store_tally_t *all = &s->acc.all;
  if (rc == BH_OK) rc = csv_row(out, w[W_PEOPLE], w[W_IN_AREA], -1, all->total);
  if (rc == BH_OK) rc = csv_row(out, w[W_PEOPLE], w[W_REACHED], -1, all->reached);
  if (rc == BH_OK) {
    rc = csv_row(out, w[W_PEOPLE], w[W_ACCOUNTED], -1, all->total - all->by_status[0]);
  }
  for (i = 0; rc == BH_OK && i < s->acc.ncategories; i++) {
    rc = csv_row(out, w[W_CATEGORY], category_word(lang, s->acc.categories[i].key), -1,
                 s->acc.categories[i].total);
  }
  int64_t today_changes[STORE_STATUS_SLOTS] = {0};
  if (s->ndays > 0 && s->days[s->ndays - 1].day == s->day_start) {
    memcpy(today_changes, s->days[s->ndays - 1].by_status, sizeof(today_changes));
  }
  for (int st = 0; rc == BH_OK && st < 10 && model_statuses[st] != NULL; st++) {
    rc = csv_row(out, w[W_STATUS], status_words[lang][st], today_changes[st], all->by_status[st]);
  }
  for (int t = 0; rc == BH_OK && t < CASE_TYPE_COUNT; t++) {
    const case_type_counts_t *c = &s->cases.by_type[t];
    if (c->opened == 0) continue;
    char item[160];
    snprintf(item, sizeof(item), "%s: %s", case_type_words[lang][t], w[W_OPENED]);
    rc = csv_row(out, w[W_CASES], item, c->opened_since, c->opened);
    snprintf(item, sizeof(item), "%s: %s", case_type_words[lang][t], w[W_CLOSED]);
    if (rc == BH_OK) rc = csv_row(out, w[W_CASES], item, c->closed_since, c->closed);
  }
  const case_type_counts_t *ct = &s->cases.total;
  if (rc == BH_OK) rc = csv_row(out, w[W_CASES], w[W_OPENED], ct->opened_since, ct->opened);
  if (rc == BH_OK) rc = csv_row(out, w[W_CASES], w[W_RESOLVED], ct->resolved_since, ct->resolved);
  if (rc == BH_OK) rc = csv_row(out, w[W_CASES], w[W_CLOSED], ct->closed_since, ct->closed);
  if (rc == BH_OK) rc = csv_row(out, w[W_CASES], w[W_OPEN_NOW], -1, ct->open_now);
  if (rc == BH_OK) {
    rc = csv_row(out, w[W_SAFETY], w[W_PERSONS], s->safety_today, s->safety_total);
  }
  if (rc == BH_OK) {
    rc = csv_row(out, w[W_EVACUATED], w[W_PERSONS], s->evacuated.today, s->evacuated.total);
  }
  if (rc == BH_OK) {
    rc = csv_row(out, w[W_REPATRIATED], w[W_PERSONS], s->repatriated.today, s->repatriated.total);
  }
  if (rc == BH_OK) {
    rc = csv_row(out, w[W_REPATRIATED], w[W_PARTNER], -1,
                 s->repatriated.partner_total + s->evacuated.partner_total);
  }
  for (i = 0; rc == BH_OK && i < s->ntransports; i++) {
    const evac_transport_figures_t *t = &s->transports[i];
    char item[400];
    snprintf(item, sizeof(item), "%s %s %s (%s → %s)", purpose_word(lang, t->purpose),
             mode_word(lang, t->mode), t->reference ? t->reference : "",
             t->origin_place ? t->origin_place : t->origin_country,
             t->destination_place ? t->destination_place : t->destination_country);
    int today = t->arrival_at >= s->day_start && t->arrival_at < s->day_start + DAY_SECONDS;
    rc = csv_row(out, w[W_TRANSPORTS], item, today ? t->arrived : 0, t->arrived);
  }
  for (i = 0; rc == BH_OK && i < s->ndays; i++) {
    char stamp[PDATE_TIMESTAMP_SIZE];
    pdate_format_timestamp(s->days[i].day, stamp);
    stamp[10] = '\0';
    rc = csv_row(out, w[W_SERIES], stamp, -1, s->days[i].changes);
  }
  return rc;
}

/* ---- HTML ---- */

/* Appends s with the five HTML special characters escaped. */
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

/* A number in the reader's convention: 12.345 in Vietnamese, 12,345 in English. */
static void html_number(buf_t *b, enum sitrep_lang lang, int64_t n) {
  char digits[24];
  snprintf(digits, sizeof(digits), "%lld", (long long)(n < 0 ? -n : n));
  size_t len = strlen(digits);
  if (n < 0) buf_putc(b, '-');
  for (size_t i = 0; i < len; i++) {
    if (i > 0 && (len - i) % 3 == 0) buf_putc(b, lang == SITREP_VI ? '.' : ',');
    buf_putc(b, digits[i]);
  }
}

static void html_cell(buf_t *b, enum sitrep_lang lang, int64_t n) {
  buf_puts(b, "<td class=\"n\">");
  html_number(b, lang, n);
  buf_puts(b, "</td>");
}

static void html_head_row(buf_t *b, const char *const *cols, size_t n) {
  buf_puts(b, "<thead><tr>");
  for (size_t i = 0; i < n; i++) {
    buf_puts(b, i == 0 ? "<th scope=\"col\">" : "<th scope=\"col\" class=\"n\">");
    html_text(b, cols[i]);
    buf_puts(b, "</th>");
  }
  buf_puts(b, "</tr></thead><tbody>");
}

/* The English month abbreviations of the printed dates (a month name cannot be misread as a day,
 * whatever the reader's habit of ordering day and month). */
static const char *const html_months_en[12] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                               "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

/* The day of t in the reader's convention: 17/11/2023 in Vietnamese, 17 Nov 2023 in English. */
static void html_day(buf_t *b, enum sitrep_lang lang, int64_t t) {
  char x[PDATE_TIMESTAMP_SIZE];
  pdate_format_timestamp(t, x); /* YYYY-MM-DDTHH:MM:SSZ */
  if (lang == SITREP_VI) {
    buf_printf(b, "%.2s/%.2s/%.4s", x + 8, x + 5, x);
    return;
  }
  int month = (x[5] - '0') * 10 + (x[6] - '0');
  const char *name = month >= 1 && month <= 12 ? html_months_en[month - 1] : "?";
  buf_printf(b, "%d %s %.4s", (x[8] - '0') * 10 + (x[9] - '0'), name, x);
}

/* A date and time in the reader's convention, UTC: 14:05 17/11/2023 (UTC), 17 Nov 2023 14:05 UTC. */
static void html_time(buf_t *b, enum sitrep_lang lang, int64_t t) {
  if (t <= 0) return;
  char x[PDATE_TIMESTAMP_SIZE];
  pdate_format_timestamp(t, x);
  if (lang == SITREP_VI) {
    buf_printf(b, "%.5s ", x + 11);
    html_day(b, lang, t);
    buf_puts(b, " (UTC)");
  } else {
    html_day(b, lang, t);
    buf_printf(b, " %.5s UTC", x + 11);
  }
}

int sitrep_html(const sitrep_t *s, enum sitrep_lang lang, buf_t *b) {
  const char *const *w = words[lang];
  const crisis_t *k = s->crisis;
  buf_printf(b,
             "<!DOCTYPE html>\n<html lang=\"%s\"><head><meta charset=\"utf-8\">"
             "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
             "<title>",
             lang == SITREP_VI ? "vi" : "en");
  html_text(b, w[W_TITLE]);
  buf_puts(b, " — ");
  html_text(b, k->name);
  buf_puts(b, "</title><link rel=\"stylesheet\" href=\"/assets/css/sitrep.css\"></head><body>"
              "<main class=\"sitrep\"><header><h1>");
  html_text(b, w[W_TITLE]);
  buf_puts(b, "</h1><p class=\"crisis\">");
  html_text(b, k->name);
  size_t ci;
  json_t *cv;
  buf_puts(b, " — ");
  json_array_foreach(k->countries, ci, cv) {
    const char *name = country_name(json_string_value(cv), lang == SITREP_VI ? "vi" : "en");
    if (ci > 0) buf_puts(b, ", ");
    html_text(b, name ? name : json_string_value(cv));
  }
  buf_puts(b, "</p><p>");
  html_text(b, w[W_DAY]);
  buf_puts(b, ": ");
  html_day(b, lang, s->day_start);
  buf_puts(b, ". ");
  html_text(b, w[W_AS_OF]);
  buf_puts(b, " ");
  html_time(b, lang, s->as_of);
  buf_puts(b, ".</p></header>");

  json_t *statements = json_array();
  sitrep_statements(s, lang, statements);
  buf_puts(b, "<section><h2>");
  html_text(b, w[W_STATEMENTS]);
  buf_puts(b, "</h2><ul class=\"statements\">");
  size_t i;
  json_t *v;
  json_array_foreach(statements, i, v) {
    buf_puts(b, "<li>");
    html_text(b, json_string_value(v));
    buf_puts(b, "</li>");
  }
  buf_puts(b, "</ul></section>");
  json_decref(statements);

  /* People in the area, by category and by status. */
  buf_puts(b, "<section><h2>");
  html_text(b, w[W_PEOPLE]);
  buf_puts(b, "</h2><table>");
  const char *const people_cols[] = {w[W_CATEGORY], w[W_IN_AREA], w[W_REACHED], w[W_ACCOUNTED]};
  html_head_row(b, people_cols, 4);
  for (i = 0; i < s->acc.ncategories; i++) {
    const store_tally_t *t = &s->acc.categories[i];
    buf_puts(b, "<tr><th scope=\"row\">");
    html_text(b, category_word(lang, t->key));
    buf_puts(b, "</th>");
    html_cell(b, lang, t->total);
    html_cell(b, lang, t->reached);
    html_cell(b, lang, t->total - t->by_status[0]);
    buf_puts(b, "</tr>");
  }
  buf_puts(b, "<tr class=\"total\"><th scope=\"row\">");
  html_text(b, w[W_TOTAL]);
  buf_puts(b, "</th>");
  html_cell(b, lang, s->acc.all.total);
  html_cell(b, lang, s->acc.all.reached);
  html_cell(b, lang, s->acc.all.total - s->acc.all.by_status[0]);
  buf_puts(b, "</tr></tbody></table><table>");
  const char *const status_cols[] = {w[W_STATUS], w[W_PERSONS]};
  html_head_row(b, status_cols, 2);
  for (int st = 0; st < 10 && model_statuses[st] != NULL; st++) {
    buf_puts(b, "<tr><th scope=\"row\">");
    html_text(b, status_words[lang][st]);
    buf_puts(b, "</th>");
    html_cell(b, lang, s->acc.all.by_status[st]);
    buf_puts(b, "</tr>");
  }
  buf_puts(b, "</tbody></table></section>");

  /* Cases by type. */
  buf_puts(b, "<section><h2>");
  html_text(b, w[W_CASES]);
  buf_puts(b, "</h2><table>");
  const char *const case_cols[] = {w[W_TYPE],   w[W_OPENED_TODAY], w[W_OPENED],
                                   w[W_RESOLVED], w[W_CLOSED],     w[W_OPEN_NOW]};
  html_head_row(b, case_cols, 6);
  for (int t = 0; t <= CASE_TYPE_COUNT; t++) {
    const case_type_counts_t *c = t < CASE_TYPE_COUNT ? &s->cases.by_type[t] : &s->cases.total;
    if (t < CASE_TYPE_COUNT && c->opened == 0) continue;
    buf_puts(b, t < CASE_TYPE_COUNT ? "<tr><th scope=\"row\">" : "<tr class=\"total\"><th scope=\"row\">");
    html_text(b, t < CASE_TYPE_COUNT ? case_type_words[lang][t] : w[W_TOTAL]);
    buf_puts(b, "</th>");
    html_cell(b, lang, c->opened_since);
    html_cell(b, lang, c->opened);
    html_cell(b, lang, c->resolved);
    html_cell(b, lang, c->closed);
    html_cell(b, lang, c->open_now);
    buf_puts(b, "</tr>");
  }
  buf_puts(b, "</tbody></table></section>");

  /* Moved to safety, evacuated, repatriated. */
  buf_puts(b, "<section><h2>");
  html_text(b, w[W_SAFETY]);
  buf_puts(b, "</h2><table>");
  const char *const moved_cols[] = {"", w[W_TODAY], w[W_SINCE_START]};
  html_head_row(b, moved_cols, 3);
  struct {
    enum sitrep_word word;
    int64_t today, total;
  } moved[] = {{W_SAFETY, s->safety_today, s->safety_total},
               {W_EVACUATED, s->evacuated.today, s->evacuated.total},
               {W_REPATRIATED, s->repatriated.today, s->repatriated.total}};
  for (i = 0; i < sizeof(moved) / sizeof(moved[0]); i++) {
    buf_puts(b, "<tr><th scope=\"row\">");
    html_text(b, w[moved[i].word]);
    buf_puts(b, "</th>");
    html_cell(b, lang, moved[i].today);
    html_cell(b, lang, moved[i].total);
    buf_puts(b, "</tr>");
  }
  buf_puts(b, "</tbody></table>");

  /* Transports. */
  buf_puts(b, "<h3>");
  html_text(b, w[W_TRANSPORTS]);
  buf_puts(b, "</h3>");
  if (s->ntransports == 0) {
    buf_puts(b, "<p>");
    html_text(b, w[W_NONE]);
    buf_puts(b, ".</p>");
  } else {
    buf_puts(b, "<table>");
    const char *const tr_cols[] = {w[W_TRANSPORT], w[W_CAPACITY], w[W_BOOKED], w[W_BOARDED],
                                   w[W_ARRIVED],   w[W_PARTNER]};
    html_head_row(b, tr_cols, 6);
    for (i = 0; i < s->ntransports; i++) {
      const evac_transport_figures_t *t = &s->transports[i];
      buf_puts(b, "<tr><th scope=\"row\">");
      html_text(b, purpose_word(lang, t->purpose));
      buf_puts(b, ", ");
      html_text(b, mode_word(lang, t->mode));
      if (t->reference) {
        buf_puts(b, " ");
        html_text(b, t->reference);
      }
      buf_puts(b, ": ");
      html_text(b, t->origin_place ? t->origin_place : t->origin_country);
      buf_puts(b, " → ");
      html_text(b, t->destination_place ? t->destination_place : t->destination_country);
      if (t->departure_at > 0) {
        buf_puts(b, " <span class=\"when\">");
        html_time(b, lang, t->departure_at);
        buf_puts(b, "</span>");
      }
      buf_puts(b, "</th>");
      html_cell(b, lang, t->capacity);
      html_cell(b, lang, t->booked + t->boarded + t->arrived);
      html_cell(b, lang, t->boarded + t->arrived);
      html_cell(b, lang, t->arrived);
      html_cell(b, lang, t->arrived_partner);
      buf_puts(b, "</tr>");
    }
    buf_puts(b, "</tbody></table>");
  }
  buf_puts(b, "</section>");

  /* The daily series. */
  buf_puts(b, "<section><h2>");
  html_text(b, w[W_SERIES]);
  buf_puts(b, "</h2>");
  if (s->ndays == 0) {
    buf_puts(b, "<p>");
    html_text(b, w[W_NONE]);
    buf_puts(b, ".</p>");
  } else {
    buf_puts(b, "<table>");
    const char *const day_cols[] = {w[W_DAY], w[W_CHANGES], status_words[lang][1],
                                    status_words[lang][2], status_words[lang][8],
                                    status_words[lang][9]};
    html_head_row(b, day_cols, 6);
    for (i = 0; i < s->ndays; i++) {
      buf_puts(b, "<tr><th scope=\"row\">");
      html_day(b, lang, s->days[i].day);
      buf_puts(b, "</th>");
      html_cell(b, lang, s->days[i].changes);
      html_cell(b, lang, s->days[i].by_status[1]);
      html_cell(b, lang, s->days[i].by_status[2]);
      html_cell(b, lang, s->days[i].by_status[8]);
      html_cell(b, lang, s->days[i].by_status[9]);
      buf_puts(b, "</tr>");
    }
    buf_puts(b, "</tbody></table>");
  }
  buf_puts(b, "</section></main></body></html>\n");
  /* Every append is far smaller than SITREP_HTML_SLACK, so a buffer that stopped growing short
   * of its maximum by less than that has refused an append: the page is incomplete. */
  return b->len + SITREP_HTML_SLACK > b->max ? BH_ERR_TOO_LARGE : BH_OK;
}
