/*
 * pdate.c - partial dates, their ISO text, and RFC 3339 timestamps.
 *
 * Parsing is by fixed positions over ASCII digits, never strtol or sscanf, so signs, spaces and
 * locale digits cannot slip through. Day counts use the proleptic Gregorian calendar with 400-year
 * eras, shifted so that years start on 1 March and the leap day falls at the end of a year.
 */
#include "domain/pdate.h"

#include <stddef.h>
#include <string.h>

#include "util/err.h"

#define PDATE__SECS_PER_DAY 86400
#define PDATE__DAYS_PER_ERA 146097 /* days in 400 Gregorian years */
#define PDATE__EPOCH_SHIFT 719468  /* days from 0000-03-01 to 1970-01-01 */

static int pdate__is_leap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

static int pdate__days_in_month(int64_t y, int m) {
  static const unsigned char days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (m == 2 && pdate__is_leap(y))
    return 29;
  return days[m - 1];
}

/* Reads exactly n ASCII digits at s into *out; returns 0 if any of them is not a digit. */
static int pdate__digits(const char *s, size_t n, int *out /* OUT */) {
  int v = 0;
  for (size_t i = 0; i < n; i++) {
    if (s[i] < '0' || s[i] > '9')
      return 0;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return 1;
}

/* Writes v as exactly width decimal digits, zero-padded; v must fit. */
static char *pdate__put(char *p, int v, int width) {
  for (int i = width - 1; i >= 0; i--) {
    p[i] = (char)('0' + v % 10);
    v /= 10;
  }
  return p + width;
}

static int64_t pdate__floor_div(int64_t a, int64_t b) {
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0)))
    q--;
  return q;
}

int64_t pdate_days_from_civil(int64_t year, int month, int day) {
  /* Count years from March, so January and February belong to the previous year. */
  int64_t y = month <= 2 ? year - 1 : year;
  int64_t era = pdate__floor_div(y, 400);
  int64_t year_of_era = y - era * 400;                      /* 0..399 */
  int64_t month_from_march = month > 2 ? month - 3 : month + 9; /* 0..11 */
  int64_t day_of_year = (153 * month_from_march + 2) / 5 + day - 1;
  int64_t day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return era * PDATE__DAYS_PER_ERA + day_of_era - PDATE__EPOCH_SHIFT;
}

/* The inverse of pdate_days_from_civil. */
static void pdate__civil_from_days(int64_t days, int64_t *year, int *month, int *day) {
  int64_t z = days + PDATE__EPOCH_SHIFT;
  int64_t era = pdate__floor_div(z, PDATE__DAYS_PER_ERA);
  int64_t day_of_era = z - era * PDATE__DAYS_PER_ERA; /* 0..146096 */
  int64_t year_of_era =
      (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
  int64_t day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
  int64_t month_from_march = (5 * day_of_year + 2) / 153;
  *day = (int)(day_of_year - (153 * month_from_march + 2) / 5 + 1);
  *month = (int)(month_from_march < 10 ? month_from_march + 3 : month_from_march - 9);
  *year = year_of_era + era * 400 + (*month <= 2 ? 1 : 0);
}

int pdate_valid(const pdate_t *d) {
  if (d == NULL || d->year < PDATE_YEAR_MIN || d->year > PDATE_YEAR_MAX)
    return 0;
  if (d->month == 0)
    return d->day == 0;
  if (d->month < 1 || d->month > 12)
    return 0;
  return d->day >= 0 && d->day <= pdate__days_in_month(d->year, d->month);
}

/* Parses the strict ISO forms from the len bytes at s. */
static int pdate__parse_iso(const char *s, size_t len, pdate_t *out) {
  pdate_t d = {0, 0, 0};
  if (len != 4 && len != 7 && len != 10)
    return BH_ERR_INVALID;
  if (!pdate__digits(s, 4, &d.year))
    return BH_ERR_INVALID;
  if (len >= 7 && (s[4] != '-' || !pdate__digits(s + 5, 2, &d.month) || d.month == 0))
    return BH_ERR_INVALID;
  if (len == 10 && (s[7] != '-' || !pdate__digits(s + 8, 2, &d.day) || d.day == 0))
    return BH_ERR_INVALID;
  if (!pdate_valid(&d))
    return BH_ERR_INVALID;
  *out = d;
  return BH_OK;
}

int pdate_parse(const char *s, pdate_t *out) {
  if (s == NULL || out == NULL)
    return BH_ERR_INVALID;
  return pdate__parse_iso(s, strlen(s), out);
}

/* Reads one or two digits at *p, advancing it; returns 0 if there is no digit. */
static int pdate__one_or_two(const char **p, const char *end, int *out /* OUT */) {
  const char *s = *p;
  size_t n = 0;
  while (s + n < end && n < 3 && s[n] >= '0' && s[n] <= '9')
    n++;
  if (n < 1 || n > 2 || !pdate__digits(s, n, out))
    return 0;
  *p = s + n;
  return 1;
}

int pdate_parse_loose(const char *s, pdate_t *out) {
  if (s == NULL || out == NULL)
    return BH_ERR_INVALID;
  const char *end = s + strlen(s);
  while (s < end && *s == ' ')
    s++;
  while (end > s && end[-1] == ' ')
    end--;
  size_t len = (size_t)(end - s);
  if (pdate__parse_iso(s, len, out) == BH_OK)
    return BH_OK;

  pdate_t d = {0, 0, 0};
  int all_digits;
  if (len == 8 && pdate__digits(s, 8, &all_digits)) { /* YYYYMMDD */
    pdate__digits(s, 4, &d.year);
    pdate__digits(s + 4, 2, &d.month);
    pdate__digits(s + 6, 2, &d.day);
  } else { /* D[D]sepM[M]sepYYYY with sep one of / . - */
    const char *p = s;
    if (!pdate__one_or_two(&p, end, &d.day) || p == end)
      return BH_ERR_INVALID;
    char sep = *p++;
    if (sep != '/' && sep != '.' && sep != '-')
      return BH_ERR_INVALID;
    if (!pdate__one_or_two(&p, end, &d.month) || p == end || *p++ != sep)
      return BH_ERR_INVALID;
    if (end - p != 4 || !pdate__digits(p, 4, &d.year))
      return BH_ERR_INVALID;
  }
  if (d.month == 0 || d.day == 0 || !pdate_valid(&d))
    return BH_ERR_INVALID;
  *out = d;
  return BH_OK;
}

int pdate_format(const pdate_t *d, char out[PDATE_TEXT_SIZE]) {
  out[0] = '\0';
  if (!pdate_valid(d))
    return BH_ERR_INVALID;
  char *p = pdate__put(out, d->year, 4);
  if (d->month != 0) {
    *p++ = '-';
    p = pdate__put(p, d->month, 2);
  }
  if (d->day != 0) {
    *p++ = '-';
    p = pdate__put(p, d->day, 2);
  }
  *p = '\0';
  return BH_OK;
}

int pdate_compare(const pdate_t *a, const pdate_t *b) {
  if (a->year != b->year)
    return a->year < b->year ? -1 : 1;
  if (a->month != b->month)
    return a->month < b->month ? -1 : 1;
  if (a->day != b->day)
    return a->day < b->day ? -1 : 1;
  return 0;
}

int pdate_is_future(const pdate_t *d, time_t now) {
  if (!pdate_valid(d))
    return 0;
  int64_t year;
  int month, day;
  pdate__civil_from_days(pdate__floor_div((int64_t)now, PDATE__SECS_PER_DAY), &year, &month,
                         &day);
  if (d->year != year)
    return d->year > year;
  if (d->month == 0 || d->month != month)
    return d->month > month;
  if (d->day == 0)
    return 0;
  return d->day > day;
}

int pdate_parse_timestamp(const char *s, int64_t *unix_out) {
  if (s == NULL || unix_out == NULL)
    return BH_ERR_INVALID;
  size_t len = strlen(s);
  int year, month, day, hour, minute, second;
  /* "YYYY-MM-DDTHH:MM:SS" is 19 bytes; the shortest zone, "Z", makes 20. */
  if (len < 20 || !pdate__digits(s, 4, &year) || s[4] != '-' || !pdate__digits(s + 5, 2, &month) ||
      s[7] != '-' || !pdate__digits(s + 8, 2, &day) || (s[10] != 'T' && s[10] != 't') ||
      !pdate__digits(s + 11, 2, &hour) || s[13] != ':' || !pdate__digits(s + 14, 2, &minute) ||
      s[16] != ':' || !pdate__digits(s + 17, 2, &second))
    return BH_ERR_INVALID;
  if (month < 1 || month > 12 || day < 1 || day > pdate__days_in_month(year, month) ||
      hour > 23 || minute > 59 || second > 59)
    return BH_ERR_INVALID;

  const char *p = s + 19;
  if (*p == '.') {
    size_t n = 0;
    while (p[1 + n] >= '0' && p[1 + n] <= '9')
      n++;
    if (n < 1 || n > 9)
      return BH_ERR_INVALID;
    p += 1 + n;
  }
  int64_t offset = 0;
  if (*p == 'Z' || *p == 'z') {
    p++;
  } else if (*p == '+' || *p == '-') {
    int oh, om;
    if (strlen(p) != 6 || !pdate__digits(p + 1, 2, &oh) || p[3] != ':' ||
        !pdate__digits(p + 4, 2, &om) || oh > 23 || om > 59)
      return BH_ERR_INVALID;
    offset = (int64_t)oh * 3600 + om * 60;
    if (*p == '-')
      offset = -offset;
    p += 6;
  } else {
    return BH_ERR_INVALID;
  }
  if (*p != '\0')
    return BH_ERR_INVALID;

  /* Local time minus its offset from UTC is UTC: 16:30+07:00 is 09:30Z. */
  *unix_out = pdate_days_from_civil(year, month, day) * PDATE__SECS_PER_DAY +
              (int64_t)hour * 3600 + minute * 60 + second - offset;
  return BH_OK;
}

void pdate_format_timestamp(int64_t seconds, char out[PDATE_TIMESTAMP_SIZE]) {
  const int64_t min = pdate_days_from_civil(0, 1, 1) * PDATE__SECS_PER_DAY;
  const int64_t max = pdate_days_from_civil(9999, 12, 31) * PDATE__SECS_PER_DAY + 86399;
  if (seconds < min)
    seconds = min;
  if (seconds > max)
    seconds = max;
  int64_t days = pdate__floor_div(seconds, PDATE__SECS_PER_DAY);
  int secs = (int)(seconds - days * PDATE__SECS_PER_DAY);
  int64_t year;
  int month, day;
  pdate__civil_from_days(days, &year, &month, &day);

  char *p = pdate__put(out, (int)year, 4);
  *p++ = '-';
  p = pdate__put(p, month, 2);
  *p++ = '-';
  p = pdate__put(p, day, 2);
  *p++ = 'T';
  p = pdate__put(p, secs / 3600, 2);
  *p++ = ':';
  p = pdate__put(p, secs / 60 % 60, 2);
  *p++ = ':';
  p = pdate__put(p, secs % 60, 2);
  *p++ = 'Z';
  *p = '\0';
}
