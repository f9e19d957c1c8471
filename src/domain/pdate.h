/*
 * pdate.h - partial calendar dates and RFC 3339 timestamps.
 *
 * A pdate_t is a date whose month or day may be unknown (stored as 0), as happens with birth
 * dates from old papers ("1962", "1962-05"). Its canonical text is the shortest ISO 8601 form.
 * Years are limited to PDATE_YEAR_MIN..PDATE_YEAR_MAX. Timestamps are Unix seconds in UTC,
 * converted with our own proleptic Gregorian arithmetic (no timegm, no locale, no time zone
 * database). Every function is pure and safe to call from any thread.
 */
#ifndef BAOHO_PDATE_H
#define BAOHO_PDATE_H

#include <stdint.h>
#include <time.h>

#define PDATE_YEAR_MIN 1850
#define PDATE_YEAR_MAX 2200
/* The size of a buffer for pdate_format, NUL included ("YYYY-MM-DD"). */
#define PDATE_TEXT_SIZE 11
/* The size of a buffer for pdate_format_timestamp, NUL included ("YYYY-MM-DDTHH:MM:SSZ"). */
#define PDATE_TIMESTAMP_SIZE 21

typedef struct {
  int year;  /* PDATE_YEAR_MIN..PDATE_YEAR_MAX */
  int month; /* 1..12, or 0 when unknown */
  int day;   /* 1..days in the month, or 0 when unknown (always 0 when month is 0) */
} pdate_t;

/* Returns 1 if d is a valid partial date (year in range, month 0..12, day 0 or within the month
 * with leap years, and no day without a month), else 0. d may be NULL (returns 0). */
int pdate_valid(const pdate_t *d);

/* Parses s, which must be exactly "YYYY", "YYYY-MM" or "YYYY-MM-DD" (ASCII digits, zero-padded,
 * nothing before or after), into *out. Returns BH_OK, or BH_ERR_INVALID for any other text or an
 * invalid date (*out is then unchanged). */
int pdate_parse(const char *s, pdate_t *out /* OUT */);

/* Like pdate_parse, and also accepts the forms found on lists from foreign authorities:
 * "YYYYMMDD", and day-month-year "DD/MM/YYYY", "D/M/YYYY", "DD.MM.YYYY", "DD-MM-YYYY" (one or two
 * digits for day and month, the same separator twice). Leading and trailing ASCII spaces are
 * ignored. Returns BH_OK or BH_ERR_INVALID (*out is then unchanged). */
int pdate_parse_loose(const char *s, pdate_t *out /* OUT */);

/* Writes the shortest ISO form of d ("YYYY", "YYYY-MM" or "YYYY-MM-DD") with its NUL into out.
 * Returns BH_OK, or BH_ERR_INVALID if d is not valid (out then holds the empty string). */
int pdate_format(const pdate_t *d, char out[PDATE_TEXT_SIZE] /* OUT */);

/* Orders two partial dates: negative if a sorts before b, zero if equal, positive if after.
 * Fields compare year, then month, then day, so an unknown month or day (0) sorts before any
 * known one ("1962" < "1962-01" < "1962-01-01"). Neither argument may be NULL. */
int pdate_compare(const pdate_t *a, const pdate_t *b);

/* Returns 1 if every day d can denote lies after the UTC calendar day of now, else 0. A partial
 * date is compared at its own precision: "2031" is in the future during 2030, but not during
 * 2031. */
int pdate_is_future(const pdate_t *d, time_t now);

/* Parses an RFC 3339 timestamp ("2023-10-08T09:30:00Z", "2023-10-08T16:30:00.250+07:00") into
 * Unix seconds UTC in *unix_out. 'T' and 'Z' may be lowercase; fractional seconds (1-9 digits)
 * are truncated; the offset must be 'Z' or +HH:MM/-HH:MM. Years 0000-9999 are accepted; leap
 * seconds (:60) are refused. Returns BH_OK or BH_ERR_INVALID (*unix_out is then unchanged). */
int pdate_parse_timestamp(const char *s, int64_t *unix_out /* OUT */);

/* Writes seconds (Unix time) as "YYYY-MM-DDTHH:MM:SSZ" (UTC) with its NUL into out. Instants
 * before year 0000 or after year 9999 are clamped to 0000-01-01T00:00:00Z and
 * 9999-12-31T23:59:59Z. */
void pdate_format_timestamp(int64_t seconds, char out[PDATE_TIMESTAMP_SIZE] /* OUT */);

/* Converts a proleptic Gregorian date to days since 1970-01-01 (negative before it). The date
 * must be valid; month 1..12, day 1..31. */
int64_t pdate_days_from_civil(int64_t year, int month, int day);

#endif
