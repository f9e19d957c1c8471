/*
 * cap.h - travel advisories written as CAP 1.2 alerts (OASIS Common Alerting Protocol,
 * namespace urn:oasis:names:tc:emergency:cap:1.2), served as application/cap+xml.
 *
 * One advisory version becomes one alert: version 1 is msgType Alert, every later version an
 * Update that references the version before it. The alert carries one info block per language,
 * Vietnamese (vi-VN) first, then English (en-US). The level (1-4) decides responseType, urgency,
 * severity and certainty through one table in cap.c, and is also given machine-readable as the
 * parameter advisoryLevel. Times are written as CAP requires, with a numeric offset and never
 * 'Z': UTC is "-00:00".
 *
 * The writer is pure: it reads its arguments, appends to the caller's buffer and touches no
 * global state, so it may run on any number of threads at once (libxml2 must have been
 * initialised with xmlInitParser() before threads start, as for any multi-threaded use of it).
 */
#ifndef BAOHO_CAP_H
#define BAOHO_CAP_H

#include "domain/model.h"
#include "util/buf.h"

#define CAP_NAMESPACE "urn:oasis:names:tc:emergency:cap:1.2"
#define CAP_MEDIA_TYPE "application/cap+xml"
/* Longest accepted sender and base URL, in bytes. */
#define CAP_SENDER_MAX 200
#define CAP_BASE_URL_MAX 500

/* Deployment settings; every string is borrowed for the duration of the call only. */
typedef struct cap_options {
  /* The CAP sender, e.g. "consular.example.org": 1..CAP_SENDER_MAX bytes of ASCII letters,
   * digits and "-._@:" (CAP forbids spaces, commas, '<' and '&'). It also prefixes every
   * identifier, so it must never change once alerts have been published. */
  const char *sender;
  /* The human-readable sender, per language, e.g. "Cục Lãnh sự" and "Consular Department". */
  const char *sender_name_vi;
  const char *sender_name_en;
  /* The public base URL, "http://" or "https://" then no spaces, quotes or angle brackets; a
   * trailing '/' is ignored. Links are {base_url}/advisories/{id}. */
  const char *base_url;
} cap_options_t;

/*
 * Appends to out one complete CAP 1.2 document (XML declaration included, UTF-8) for the
 * advisory version a.
 *
 * previous must be the version before a in the same series (same series_id, version one less)
 * when a->version > 1, and NULL when a->version == 1; the Update then references it as
 * "sender,identifier,sent". The identifier of a version is "{sender}-advisory-{series_id}-v{version}"
 * and its sent time is its issued_at, so writing the same version twice gives the same bytes.
 * a->review_due, when set, must be a full ISO date and becomes expires (00:00:00 UTC that day).
 * a->reason, when set, becomes the alert's note.
 *
 * Every string is checked: it must be valid UTF-8 without control characters other than tab,
 * line feed and carriage return, and without U+007F-U+009F, U+FFFE or U+FFFF; markup characters
 * are escaped.
 *
 * Returns BH_OK; BH_ERR_INVALID if an option or a field is missing or malformed (level out of
 * 1..4, unknown country, region not of the country, bad text, wrong previous version);
 * BH_ERR_TOO_LARGE if out's maximum is reached; BH_ERR_NOMEM. On any error out is left exactly
 * as it was on entry.
 */
int cap_write_advisory(const advisory_t *a, const advisory_t *previous,
                       const cap_options_t *opt, buf_t *out /* OUT: appended */);

#endif
