/*
 * sitrep.h - situation reports of a crisis: the figures of one day and since the crisis opened,
 * gathered from accountability (the audience and its welfare statuses), cases, staging sites
 * and transports, and rendered as JSON, as CSV (UTF-8 with a byte-order mark, so that a
 * spreadsheet keeps Vietnamese text intact) or as a printable A4 HTML page, with the sentences
 * a spokesperson reads out in Vietnamese or English.
 *
 * A "day" is a UTC calendar day. Figures "today" count what happened on that day; figures
 * "since the start" count everything since the crisis opened. Only aggregates are read, so a
 * situation report holds no personal data and any role that may see the crisis may read it.
 */
#ifndef BAOHO_SITREP_H
#define BAOHO_SITREP_H

#include <jansson.h>
#include <stdint.h>

#include "domain/case.h"
#include "domain/model.h"
#include "store/store.h"
#include "store/store_case.h"
#include "store/store_evac.h"
#include "util/arena.h"
#include "util/buf.h"

/* The most bytes of a rendered report (CSV or HTML); more is refused with BH_ERR_TOO_LARGE. */
#define SITREP_OUTPUT_MAX (4u << 20)
/* The most days of the daily series (the latest ones). */
#define SITREP_DAYS_MAX 120

enum sitrep_lang { SITREP_VI = 0, SITREP_EN = 1 };

/* One day of the series: welfare status changes of the audience on that day, by status. */
typedef struct sitrep_day {
  int64_t day; /* unix time of 00:00 UTC */
  int64_t changes;
  int64_t by_status[STORE_STATUS_SLOTS];
} sitrep_day_t;

/* Persons carried to safety or home, by purpose of the transports that carried them. */
typedef struct sitrep_moved {
  int64_t total, today;     /* registered persons whose seat arrived */
  int64_t partner_total;    /* partner nationals whose seat arrived */
  int64_t transports;       /* transports of that purpose that carried someone */
} sitrep_moved_t;

/* Everything a situation report says. Arrays come from the arena given to sitrep_gather. */
typedef struct sitrep {
  const crisis_t *crisis;
  int64_t as_of;     /* when the figures were read */
  int64_t day_start; /* 00:00 UTC of the report's day */
  store_accountability_t acc;
  case_counts_t cases;
  int64_t safety_total, safety_today; /* distinct persons checked in at a staging site */
  evac_transport_figures_t *transports;
  size_t ntransports;
  sitrep_moved_t evacuated, repatriated;
  sitrep_day_t *days; /* oldest first */
  size_t ndays;
} sitrep_t;

/*
 * Reads the figures of crisis k (as returned by store_crisis_get for the caller) for the UTC day
 * starting at day_start, as of now. Returns BH_OK or the store's error.
 */
int sitrep_gather(store_conn_t *db, const crisis_t *k, int64_t day_start, int64_t now, arena_t *a,
                  sitrep_t *out /* OUT */);

/*
 * The accountability sentence of the audience tally all, in lang, appended to b: "all N
 * citizens in the area are safe" when they are, else every non-zero status with its count,
 * those not yet accounted for last.
 */
void sitrep_accountability_sentence(const store_tally_t *all, enum sitrep_lang lang, buf_t *b);

/*
 * The sentences a spokesperson reads out, in lang, appended to list (a JSON array of strings):
 * accountability first, then cases, moved to safety, evacuated and repatriated. Sentences about
 * a figure that is zero since the start are left out, except accountability.
 */
void sitrep_statements(const sitrep_t *s, enum sitrep_lang lang, json_t *list);

/*
 * The report as JSON. crisis_id is the crisis's public id text. The caller owns the result.
 */
json_t *sitrep_json(const sitrep_t *s, const char *crisis_id, enum sitrep_lang lang);

/*
 * The report as CSV into out (initialised by the caller): a UTF-8 byte-order mark, then rows of
 * section, item, today, since_start, with CRLF line ends. BH_OK, or BH_ERR_TOO_LARGE / NOMEM.
 */
int sitrep_csv(const sitrep_t *s, enum sitrep_lang lang, buf_t *out);

/* The report as a printable HTML page into out (A4, styles from /assets/css/sitrep.css). */
int sitrep_html(const sitrep_t *s, enum sitrep_lang lang, buf_t *out);

#endif
