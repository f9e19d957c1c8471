/*
 * test_pdate.c - unit tests for domain/pdate: partial dates and RFC 3339 timestamps.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "domain/pdate.h"
#include "util/err.h"

/* 2023-10-08T09:30:00Z */
#define T_20231008_0930 INT64_C(1696757400)
/* 2024-03-15T12:00:00Z */
#define T_20240315_1200 ((time_t)1710504000)

static void assert_parses(const char *s, int y, int m, int d) {
  pdate_t p = {-1, -1, -1};
  assert_int_equal(pdate_parse(s, &p), BH_OK);
  assert_int_equal(p.year, y);
  assert_int_equal(p.month, m);
  assert_int_equal(p.day, d);
}

static void assert_rejects(const char *s) {
  pdate_t p = {7, 7, 7};
  assert_int_equal(pdate_parse(s, &p), BH_ERR_INVALID);
  /* A failed parse leaves the output alone. */
  assert_int_equal(p.year, 7);
  assert_int_equal(p.month, 7);
  assert_int_equal(p.day, 7);
}

static void assert_loose(const char *s, int y, int m, int d) {
  pdate_t p = {-1, -1, -1};
  assert_int_equal(pdate_parse_loose(s, &p), BH_OK);
  assert_int_equal(p.year, y);
  assert_int_equal(p.month, m);
  assert_int_equal(p.day, d);
}

static void assert_loose_rejects(const char *s) {
  pdate_t p = {0, 0, 0};
  assert_int_equal(pdate_parse_loose(s, &p), BH_ERR_INVALID);
}

static int64_t ts(const char *s) {
  int64_t t = -12345;
  assert_int_equal(pdate_parse_timestamp(s, &t), BH_OK);
  return t;
}

static void assert_ts_rejects(const char *s) {
  int64_t t = 42;
  assert_int_equal(pdate_parse_timestamp(s, &t), BH_ERR_INVALID);
  assert_int_equal(t, 42);
}

static void parse_accepts_year_month_and_day_precisions(void **state) {
  (void)state;
  assert_parses("1962", 1962, 0, 0);
  assert_parses("1962-05", 1962, 5, 0);
  assert_parses("1962-05-19", 1962, 5, 19);
  assert_parses("2024-12-31", 2024, 12, 31);
}

static void parse_accepts_leap_day_2024(void **state) {
  (void)state;
  assert_parses("2024-02-29", 2024, 2, 29);
  assert_parses("2000-02-29", 2000, 2, 29);
}

static void parse_rejects_leap_day_in_common_years(void **state) {
  (void)state;
  assert_rejects("2023-02-29");
  assert_rejects("1900-02-29");
  assert_rejects("2100-02-29");
}

static void parse_rejects_february_30(void **state) {
  (void)state;
  assert_rejects("2024-02-30");
}

static void parse_rejects_day_past_end_of_month(void **state) {
  (void)state;
  assert_rejects("2024-04-31");
  assert_rejects("2024-01-32");
  assert_parses("2024-01-31", 2024, 1, 31);
}

static void parse_rejects_month_and_day_zero_or_out_of_range(void **state) {
  (void)state;
  assert_rejects("2024-00");
  assert_rejects("2024-13");
  assert_rejects("2024-01-00");
  assert_rejects("2024-00-10");
}

static void parse_limits_years_to_1850_through_2200(void **state) {
  (void)state;
  assert_parses("1850", 1850, 0, 0);
  assert_parses("2200-12-31", 2200, 12, 31);
  assert_rejects("1849-12-31");
  assert_rejects("2201");
  assert_rejects("0000");
}

static void parse_rejects_malformed_text(void **state) {
  (void)state;
  assert_rejects("");
  assert_rejects("196");
  assert_rejects("19620");
  assert_rejects("1962-5");
  assert_rejects("1962-05-1");
  assert_rejects("1962-05-19x");
  assert_rejects("1962-05-19 ");
  assert_rejects(" 1962");
  assert_rejects("+1962");
  assert_rejects("-1962");
  assert_rejects("1962/05/19");
  assert_rejects("1962-+5-19");
  assert_rejects("1962- 5-19");
  assert_rejects("19620519");
  assert_rejects("19-05-1962");
  assert_int_equal(pdate_parse(NULL, &(pdate_t){0, 0, 0}), BH_ERR_INVALID);
}

static void format_gives_shortest_iso_form(void **state) {
  (void)state;
  char out[PDATE_TEXT_SIZE];
  assert_int_equal(pdate_format(&(pdate_t){1962, 0, 0}, out), BH_OK);
  assert_string_equal(out, "1962");
  assert_int_equal(pdate_format(&(pdate_t){1962, 5, 0}, out), BH_OK);
  assert_string_equal(out, "1962-05");
  assert_int_equal(pdate_format(&(pdate_t){1962, 5, 9}, out), BH_OK);
  assert_string_equal(out, "1962-05-09");
}

static void format_round_trips_parse(void **state) {
  (void)state;
  static const char *const texts[] = {"1850", "1999-12", "2024-02-29", "2200-01-01"};
  for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
    pdate_t d;
    char out[PDATE_TEXT_SIZE];
    assert_int_equal(pdate_parse(texts[i], &d), BH_OK);
    assert_int_equal(pdate_format(&d, out), BH_OK);
    assert_string_equal(out, texts[i]);
  }
}

static void format_rejects_invalid_dates(void **state) {
  (void)state;
  char out[PDATE_TEXT_SIZE] = "x";
  assert_int_equal(pdate_format(&(pdate_t){1962, 0, 5}, out), BH_ERR_INVALID);
  assert_string_equal(out, "");
  assert_int_equal(pdate_format(&(pdate_t){2023, 2, 29}, out), BH_ERR_INVALID);
  assert_int_equal(pdate_format(&(pdate_t){99999, 1, 1}, out), BH_ERR_INVALID);
  assert_int_equal(pdate_format(&(pdate_t){2000, -1, 0}, out), BH_ERR_INVALID);
  assert_int_equal(pdate_format(NULL, out), BH_ERR_INVALID);
}

static void loose_accepts_strict_iso_forms(void **state) {
  (void)state;
  assert_loose("1962", 1962, 0, 0);
  assert_loose("1962-05", 1962, 5, 0);
  assert_loose("1962-05-19", 1962, 5, 19);
}

static void loose_parses_compact_year_month_day(void **state) {
  (void)state;
  assert_loose("19620519", 1962, 5, 19);
  assert_loose_rejects("19620230");
  assert_loose_rejects("19620500");
  assert_loose_rejects("1962051");
}

static void loose_parses_day_month_year_with_slashes(void **state) {
  (void)state;
  assert_loose("19/05/1962", 1962, 5, 19);
  assert_loose("9/5/1962", 1962, 5, 9);
  assert_loose("09/5/1962", 1962, 5, 9);
}

static void loose_parses_day_month_year_with_dots_and_hyphens(void **state) {
  (void)state;
  assert_loose("19.05.1962", 1962, 5, 19);
  assert_loose("19-05-1962", 1962, 5, 19);
  assert_loose("1.2.2024", 2024, 2, 1);
}

static void loose_ignores_surrounding_spaces(void **state) {
  (void)state;
  assert_loose("  19/05/1962 ", 1962, 5, 19);
}

static void loose_rejects_ambiguous_or_invalid_text(void **state) {
  (void)state;
  assert_loose_rejects("19/05.1962");  /* mixed separators */
  assert_loose_rejects("1962/05/19");  /* year first with slashes */
  assert_loose_rejects("119/05/1962"); /* three-digit day */
  assert_loose_rejects("19/005/1962");
  assert_loose_rejects("19/05/62");    /* two-digit year */
  assert_loose_rejects("31/04/2024");
  assert_loose_rejects("29/02/2023");
  assert_loose_rejects("05/13/2024"); /* month-first US order */
  assert_loose_rejects("00/05/1962");
  assert_loose_rejects("19/05/1962x");
  assert_loose_rejects("19 05 1962");
  assert_loose_rejects("");
  assert_loose_rejects("   ");
  assert_loose_rejects("/05/1962");
}

static void compare_sorts_unknown_parts_first(void **state) {
  (void)state;
  pdate_t y = {1962, 0, 0}, ym = {1962, 1, 0}, ymd = {1962, 1, 1}, later = {1962, 2, 0};
  assert_true(pdate_compare(&y, &ym) < 0);
  assert_true(pdate_compare(&ym, &ymd) < 0);
  assert_true(pdate_compare(&ymd, &later) < 0);
  assert_true(pdate_compare(&later, &y) > 0);
  assert_int_equal(pdate_compare(&ymd, &(pdate_t){1962, 1, 1}), 0);
  assert_true(pdate_compare(&(pdate_t){1961, 12, 31}, &y) < 0);
}

static void is_future_compares_at_known_precision(void **state) {
  (void)state;
  time_t now = T_20240315_1200;
  assert_true(pdate_is_future(&(pdate_t){2024, 3, 16}, now));
  assert_false(pdate_is_future(&(pdate_t){2024, 3, 15}, now));
  assert_false(pdate_is_future(&(pdate_t){2024, 3, 14}, now));
  assert_true(pdate_is_future(&(pdate_t){2024, 4, 0}, now));
  assert_false(pdate_is_future(&(pdate_t){2024, 3, 0}, now));
  assert_false(pdate_is_future(&(pdate_t){2024, 0, 0}, now));
  assert_true(pdate_is_future(&(pdate_t){2025, 0, 0}, now));
  assert_false(pdate_is_future(&(pdate_t){2023, 12, 31}, now));
  assert_false(pdate_is_future(&(pdate_t){2024, 2, 30}, now)); /* invalid */
}

static void is_future_uses_utc_day_boundaries(void **state) {
  (void)state;
  /* One second before and at midnight UTC of 2024-03-16. */
  time_t before = T_20240315_1200 + 12 * 3600 - 1;
  assert_true(pdate_is_future(&(pdate_t){2024, 3, 16}, before));
  assert_false(pdate_is_future(&(pdate_t){2024, 3, 16}, before + 1));
}

static void timestamp_parses_utc(void **state) {
  (void)state;
  assert_int_equal(ts("2023-10-08T09:30:00Z"), T_20231008_0930);
  assert_int_equal(ts("2023-10-08t09:30:00z"), T_20231008_0930);
  assert_int_equal(ts("1970-01-01T00:00:00Z"), 0);
  assert_int_equal(ts("2000-02-29T00:00:00Z"), INT64_C(951782400));
  assert_int_equal(ts("1850-01-01T00:00:00Z"), INT64_C(-3786825600));
}

static void timestamp_applies_positive_offset(void **state) {
  (void)state;
  assert_int_equal(ts("2023-10-08T16:30:00+07:00"), T_20231008_0930);
  /* Crossing midnight backwards. */
  assert_int_equal(ts("2023-10-09T05:30:00+20:00"), T_20231008_0930);
}

static void timestamp_applies_negative_offset(void **state) {
  (void)state;
  assert_int_equal(ts("2023-10-08T04:00:00-05:30"), T_20231008_0930);
  assert_int_equal(ts("2023-10-08T09:30:00-00:00"), T_20231008_0930);
}

static void timestamp_truncates_fractional_seconds(void **state) {
  (void)state;
  assert_int_equal(ts("2023-10-08T09:30:00.999Z"), T_20231008_0930);
  assert_int_equal(ts("2023-10-08T16:30:00.5+07:00"), T_20231008_0930);
  assert_int_equal(ts("2023-10-08T09:30:00.123456789Z"), T_20231008_0930);
}

static void timestamp_handles_dates_before_1970(void **state) {
  (void)state;
  assert_int_equal(ts("1969-12-31T23:59:59Z"), -1);
  assert_int_equal(ts("0000-03-01T00:00:00Z"), INT64_C(-62162035200));
}

static void timestamp_rejects_malformed_text(void **state) {
  (void)state;
  assert_ts_rejects("");
  assert_ts_rejects("2023-10-08");
  assert_ts_rejects("2023-10-08T09:30:00");      /* no zone */
  assert_ts_rejects("2023-10-08T09:30Z");        /* no seconds */
  assert_ts_rejects("2023-10-08 09:30:00Z");     /* space separator */
  assert_ts_rejects("2023-10-08T09:30:00+0700"); /* offset without colon */
  assert_ts_rejects("2023-10-08T09:30:00+07");
  assert_ts_rejects("2023-10-08T09:30:00+07:00 ");
  assert_ts_rejects("2023-10-08T09:30:00Zx");
  assert_ts_rejects("2023-10-08T09:30:00.Z");
  assert_ts_rejects("2023-10-08T09:30:00.1234567890Z");
  assert_ts_rejects("2023-10-08T09:30:00+24:00");
  assert_ts_rejects("2023-10-08T09:30:00+07:60");
  assert_ts_rejects("2023-1-08T09:30:00Z");
  assert_ts_rejects("+023-10-08T09:30:00Z");
  assert_ts_rejects(" 2023-10-08T09:30:00Z");
}

static void timestamp_rejects_impossible_values(void **state) {
  (void)state;
  assert_ts_rejects("2023-02-29T00:00:00Z");
  assert_ts_rejects("2023-13-01T00:00:00Z");
  assert_ts_rejects("2023-10-00T00:00:00Z");
  assert_ts_rejects("2023-10-08T24:00:00Z");
  assert_ts_rejects("2023-10-08T09:60:00Z");
  assert_ts_rejects("2016-12-31T23:59:60Z"); /* leap second */
  int64_t t;
  assert_int_equal(pdate_parse_timestamp(NULL, &t), BH_ERR_INVALID);
}

static void format_timestamp_writes_utc_iso(void **state) {
  (void)state;
  char out[PDATE_TIMESTAMP_SIZE];
  pdate_format_timestamp(0, out);
  assert_string_equal(out, "1970-01-01T00:00:00Z");
  pdate_format_timestamp(T_20231008_0930, out);
  assert_string_equal(out, "2023-10-08T09:30:00Z");
  pdate_format_timestamp(-1, out);
  assert_string_equal(out, "1969-12-31T23:59:59Z");
  pdate_format_timestamp(INT64_C(951782400), out);
  assert_string_equal(out, "2000-02-29T00:00:00Z");
}

static void format_timestamp_clamps_to_four_digit_years(void **state) {
  (void)state;
  char out[PDATE_TIMESTAMP_SIZE];
  pdate_format_timestamp(INT64_MAX, out);
  assert_string_equal(out, "9999-12-31T23:59:59Z");
  pdate_format_timestamp(INT64_MIN, out);
  assert_string_equal(out, "0000-01-01T00:00:00Z");
}

static void timestamp_format_and_parse_round_trip(void **state) {
  (void)state;
  /* A stride that is not a multiple of a day visits every time of day and month length. */
  for (int64_t t = INT64_C(-4000000000); t < INT64_C(8000000000); t += 86399 * 37 + 11) {
    char out[PDATE_TIMESTAMP_SIZE];
    pdate_format_timestamp(t, out);
    assert_int_equal(ts(out), t);
  }
}

static void days_from_civil_counts_from_epoch(void **state) {
  (void)state;
  assert_int_equal(pdate_days_from_civil(1970, 1, 1), 0);
  assert_int_equal(pdate_days_from_civil(1969, 12, 31), -1);
  assert_int_equal(pdate_days_from_civil(2000, 3, 1), 11017);
  assert_int_equal(pdate_days_from_civil(2024, 3, 1) - pdate_days_from_civil(2024, 2, 1), 29);
  assert_int_equal(pdate_days_from_civil(2023, 3, 1) - pdate_days_from_civil(2023, 2, 1), 28);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(parse_accepts_year_month_and_day_precisions),
      cmocka_unit_test(parse_accepts_leap_day_2024),
      cmocka_unit_test(parse_rejects_leap_day_in_common_years),
      cmocka_unit_test(parse_rejects_february_30),
      cmocka_unit_test(parse_rejects_day_past_end_of_month),
      cmocka_unit_test(parse_rejects_month_and_day_zero_or_out_of_range),
      cmocka_unit_test(parse_limits_years_to_1850_through_2200),
      cmocka_unit_test(parse_rejects_malformed_text),
      cmocka_unit_test(format_gives_shortest_iso_form),
      cmocka_unit_test(format_round_trips_parse),
      cmocka_unit_test(format_rejects_invalid_dates),
      cmocka_unit_test(loose_accepts_strict_iso_forms),
      cmocka_unit_test(loose_parses_compact_year_month_day),
      cmocka_unit_test(loose_parses_day_month_year_with_slashes),
      cmocka_unit_test(loose_parses_day_month_year_with_dots_and_hyphens),
      cmocka_unit_test(loose_ignores_surrounding_spaces),
      cmocka_unit_test(loose_rejects_ambiguous_or_invalid_text),
      cmocka_unit_test(compare_sorts_unknown_parts_first),
      cmocka_unit_test(is_future_compares_at_known_precision),
      cmocka_unit_test(is_future_uses_utc_day_boundaries),
      cmocka_unit_test(timestamp_parses_utc),
      cmocka_unit_test(timestamp_applies_positive_offset),
      cmocka_unit_test(timestamp_applies_negative_offset),
      cmocka_unit_test(timestamp_truncates_fractional_seconds),
      cmocka_unit_test(timestamp_handles_dates_before_1970),
      cmocka_unit_test(timestamp_rejects_malformed_text),
      cmocka_unit_test(timestamp_rejects_impossible_values),
      cmocka_unit_test(format_timestamp_writes_utc_iso),
      cmocka_unit_test(format_timestamp_clamps_to_four_digit_years),
      cmocka_unit_test(timestamp_format_and_parse_round_trip),
      cmocka_unit_test(days_from_civil_counts_from_epoch),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
