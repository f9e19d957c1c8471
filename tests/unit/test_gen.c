/*
 * test_gen.c - unit tests of the synthetic-person generator: determinism, distributions that the
 * import benchmark and matching engine rely on, the CCCD shape, the CSV layouts and the noise.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "gen/gen.h"
#include "util/err.h"

/* Runs writer output into a heap string; the caller frees *text. */
static FILE *mem_open(char **text, size_t *len) {
  FILE *f = open_memstream(text, len);
  assert_non_null(f);
  return f;
}

/*
 * Counts the fields of each CSV record in text (RFC 4180: quoted fields may hold commas, doubled
 * quotes and line breaks) into fields_out[record] for the first max_records records; returns the
 * number of records.
 */
static int csv_records(const char *text, int *fields_out, int max_records) {
  int rec = 0, fields = 1, quoted = 0, at_start = 1;
  for (const char *s = text; *s; s++) {
    if (quoted) {
      if (*s == '"') {
        if (s[1] == '"')
          s++;
        else
          quoted = 0;
      }
      continue;
    }
    if (*s == '"' && at_start) {
      quoted = 1;
      at_start = 0;
    } else if (*s == ',') {
      fields++;
      at_start = 1;
    } else if (*s == '\r' && s[1] == '\n') {
      if (rec < max_records) fields_out[rec] = fields;
      rec++;
      fields = 1;
      at_start = 1;
      s++;
    } else {
      at_start = 0;
    }
  }
  return rec;
}

static int cmp_id(const void *a, const void *b) { return strcmp((const char *)a, (const char *)b); }

static int is_ascii(const char *s) {
  for (; *s; s++)
    if ((unsigned char)*s >= 0x80) return 0;
  return 1;
}

static void same_seed_gives_same_people(void **state) {
  (void)state;
  char *a = NULL, *b = NULL;
  size_t la = 0, lb = 0;
  FILE *fa = mem_open(&a, &la), *fb = mem_open(&b, &lb);
  assert_int_equal(gen_write_persons_csv(fa, 3000, 77, 1), BH_OK);
  assert_int_equal(gen_write_persons_csv(fb, 3000, 77, 1), BH_OK);
  fclose(fa);
  fclose(fb);
  assert_true(la > 3000 * 50);
  assert_int_equal(la, lb);
  assert_memory_equal(a, b, la);
  free(a);
  free(b);

  /* Out of order and from a second generator: the same person. */
  gen_t g1, g2;
  gen_person_t p1, p2;
  gen_init(&g1, 77);
  gen_init(&g2, 77);
  gen_person(&g1, 2999, &p1);
  gen_person(&g2, 5, &p2);
  gen_person(&g2, 2999, &p2);
  assert_string_equal(p1.full_name, p2.full_name);
  assert_string_equal(p1.national_id, p2.national_id);
  assert_string_equal(p1.address, p2.address);
  assert_string_equal(p1.external_id, "G77-2999");
}

static void different_seed_gives_different_people(void **state) {
  (void)state;
  gen_t g1, g2;
  gen_person_t p1, p2;
  int same = 0;
  gen_init(&g1, 1);
  gen_init(&g2, 2);
  for (uint64_t i = 0; i < 2000; i++) {
    gen_person(&g1, i, &p1);
    gen_person(&g2, i, &p2);
    if (strcmp(p1.full_name, p2.full_name) == 0 && p1.birth.year == p2.birth.year &&
        p1.birth.month == p2.birth.month && p1.birth.day == p2.birth.day)
      same++;
    assert_string_not_equal(p1.national_id, p2.national_id);
  }
  assert_true(same < 5);
}

static void surname_nguyen_share_is_about_38_percent(void **state) {
  (void)state;
  gen_t g;
  gen_person_t p;
  int nguyen = 0, tran = 0, n = 100000;
  gen_init(&g, 12345);
  for (int i = 0; i < n; i++) {
    gen_person(&g, (uint64_t)i, &p);
    if (strcmp(p.family, "Nguyễn") == 0) nguyen++;
    if (strcmp(p.family, "Trần") == 0) tran++;
    assert_int_equal(strncmp(p.full_name, p.family, strlen(p.family)), 0);
  }
  double share = (double)nguyen / n;
  assert_true(share > 0.36 && share < 0.40);
  share = (double)tran / n;
  assert_true(share > 0.09 && share < 0.13);
}

static void national_id_has_twelve_digits_and_matches_birth_year(void **state) {
  (void)state;
  gen_t g;
  gen_person_t p;
  enum { N = 20000 };
  static char seen[N][13];
  gen_init(&g, 9);
  for (int i = 0; i < N; i++) {
    gen_person(&g, (uint64_t)i, &p);
    assert_int_equal(strlen(p.national_id), 12);
    for (int k = 0; k < 12; k++) assert_true(p.national_id[k] >= '0' && p.national_id[k] <= '9');
    int code = (p.national_id[0] - '0') * 100 + (p.national_id[1] - '0') * 10 +
               (p.national_id[2] - '0');
    assert_int_equal(code, p.province_code);
    int century = p.national_id[3] - '0';
    int expect = (p.birth.year >= 2000 ? 2 : 0) + (p.sex == 'F');
    assert_int_equal(century, expect);
    int yy = (p.national_id[4] - '0') * 10 + (p.national_id[5] - '0');
    assert_int_equal(yy, p.birth.year % 100);
    assert_int_equal(p.dob.year, p.birth.year);
    memcpy(seen[i], p.national_id, 13);
  }
  qsort(seen, N, 13, cmp_id);
  for (int i = 1; i < N; i++) assert_string_not_equal(seen[i - 1], seen[i]);
}

static void passport_is_a_letter_and_seven_digits_or_absent(void **state) {
  (void)state;
  gen_t g;
  gen_person_t p;
  int none = 0;
  gen_init(&g, 3);
  for (int i = 0; i < 10000; i++) {
    gen_person(&g, (uint64_t)i, &p);
    if (!p.passport[0]) {
      none++;
      continue;
    }
    assert_int_equal(strlen(p.passport), 8);
    assert_true(p.passport[0] >= 'A' && p.passport[0] <= 'Z');
    for (int k = 1; k < 8; k++) assert_true(p.passport[k] >= '0' && p.passport[k] <= '9');
  }
  assert_true(none > 300 && none < 2000);
}

static void flags_are_consistent_with_age_and_sex(void **state) {
  (void)state;
  gen_t g;
  gen_person_t p;
  int minors = 0, elderly = 0, pregnant = 0;
  gen_init(&g, 4);
  for (int i = 0; i < 20000; i++) {
    gen_person(&g, (uint64_t)i, &p);
    assert_int_equal(!!(p.flags & GEN_FLAG_MINOR), p.age < 18);
    assert_int_equal(!!(p.flags & GEN_FLAG_ELDERLY), p.age >= GEN_ELDERLY_AGE);
    if (p.flags & GEN_FLAG_PREGNANT) {
      assert_int_equal(p.sex, 'F');
      assert_true(p.age >= 18 && p.age <= 45);
      pregnant++;
    }
    minors += p.age < 18;
    elderly += p.age >= GEN_ELDERLY_AGE;
    assert_true(p.age >= 0 && p.age < 100);
  }
  assert_true(minors > 0 && elderly > 0 && pregnant > 0);
}

static void most_birth_dates_are_full_some_year_only(void **state) {
  (void)state;
  gen_t g;
  gen_person_t p;
  int counts[4] = {0};
  gen_init(&g, 5);
  for (int i = 0; i < 10000; i++) {
    gen_person(&g, (uint64_t)i, &p);
    counts[p.dob.prec]++;
  }
  assert_int_equal(counts[GEN_DATE_NONE], 0);
  assert_true(counts[GEN_DATE_DAY] > 8000);
  assert_true(counts[GEN_DATE_YEAR] > 200);
  assert_true(counts[GEN_DATE_MONTH] > 100);
}

static void csv_has_twenty_columns_per_row(void **state) {
  (void)state;
  char *text = NULL;
  size_t len = 0;
  enum { N = 5000 };
  static int fields[N + 1];
  FILE *f = mem_open(&text, &len);
  assert_int_equal(gen_write_persons_csv(f, N, 21, 1), BH_OK);
  fclose(f);
  assert_int_equal(strncmp(text, GEN_PERSONS_CSV_HEADER "\r\n", strlen(GEN_PERSONS_CSV_HEADER) + 2),
                   0);
  assert_int_equal(csv_records(text, fields, N + 1), N + 1);
  for (int i = 0; i <= N; i++) assert_int_equal(fields[i], 20);
  /* Some organisations carry a comma ("Co., Ltd.") and must have been quoted. */
  assert_non_null(strstr(text, "Co., Ltd.\""));
  free(text);
}

static void csv_without_header_starts_with_first_person(void **state) {
  (void)state;
  char *text = NULL;
  size_t len = 0;
  FILE *f = mem_open(&text, &len);
  assert_int_equal(gen_write_persons_csv(f, 2, 21, 0), BH_OK);
  fclose(f);
  assert_int_equal(strncmp(text, "G21-0,", 6), 0);
  free(text);
}

static void fold_ascii_removes_vietnamese_diacritics(void **state) {
  (void)state;
  char out[64];
  gen_fold_ascii("Nguyễn Thị Đặng Hoà Ưng Ỷ", out, sizeof out);
  assert_string_equal(out, "Nguyen Thi Dang Hoa Ung Y");
  gen_fold_ascii("Trương", out, 4);
  assert_string_equal(out, "Tru");
}

static void noisy_copy_drops_diacritics(void **state) {
  (void)state;
  gen_t g;
  gen_person_t p;
  gen_noisy_t q;
  int ascii = 0, n = 4000;
  gen_init(&g, 6);
  for (int i = 0; i < n; i++) {
    gen_person(&g, (uint64_t)i, &p);
    gen_noisy_copy(&g, &p, 0, &q);
    if (q.noise & GEN_NOISE_ASCII) {
      ascii++;
      assert_true(is_ascii(q.full_name));
      if (!(q.noise & (GEN_NOISE_TYPO | GEN_NOISE_NO_MIDDLE | GEN_NOISE_UPPER | GEN_NOISE_LOWER)) &&
          !(q.noise & (GEN_NOISE_GIVEN_FIRST | GEN_NOISE_FAMILY_LAST | GEN_NOISE_FAMILY_COMMA))) {
        char folded[GEN_NAME_MAX];
        gen_fold_ascii(p.full_name, folded, sizeof folded);
        assert_string_equal(q.full_name, folded);
      }
    }
  }
  assert_true(ascii > n * 70 / 100 && ascii < n * 90 / 100);
}

static void noisy_copy_is_deterministic_and_varies_by_variant(void **state) {
  (void)state;
  gen_t g;
  gen_person_t p;
  gen_noisy_t a, b;
  int differ = 0;
  gen_init(&g, 8);
  gen_person(&g, 42, &p);
  for (uint64_t v = 0; v < 50; v++) {
    gen_noisy_copy(&g, &p, v, &a);
    gen_noisy_copy(&g, &p, v, &b);
    assert_memory_equal(&a, &b, sizeof a);
    gen_noisy_copy(&g, &p, v + 1, &b);
    differ += strcmp(a.full_name, b.full_name) != 0 || a.age != b.age;
  }
  assert_true(differ > 25);
}

static void noisy_copy_age_is_age_at_reference_or_one_more(void **state) {
  (void)state;
  gen_t g;
  gen_person_t p;
  gen_noisy_t q;
  int ages = 0, trad = 0, ocr = 0;
  gen_init(&g, 10);
  for (int i = 0; i < 5000; i++) {
    gen_person(&g, (uint64_t)i, &p);
    gen_noisy_copy(&g, &p, 3, &q);
    if (q.noise & GEN_NOISE_AGE) {
      ages++;
      assert_int_equal(q.dob.prec, GEN_DATE_NONE);
      assert_int_equal(q.age, p.age + !!(q.noise & GEN_NOISE_TRAD_AGE));
      trad += !!(q.noise & GEN_NOISE_TRAD_AGE);
    } else {
      assert_int_equal(q.age, -1);
    }
    if (q.noise & GEN_NOISE_OCR) {
      ocr++;
      assert_non_null(strpbrk(q.id_number, "OISB"));
    }
    if (q.noise & GEN_NOISE_NO_SEX)
      assert_int_equal(q.sex, 0);
    else
      assert_int_equal(q.sex, p.sex);
  }
  assert_true(ages > 1000 && trad > 50 && ocr > 50);
}

static void noisy_copy_can_use_old_tone_placement(void **state) {
  (void)state;
  gen_t g;
  gen_person_t p;
  gen_noisy_t q;
  int found = 0;
  gen_init(&g, 11);
  for (uint64_t i = 0; i < 200000 && !found; i++) {
    gen_person(&g, i, &p);
    if (strcmp(p.given, "Hoà") != 0) continue;
    for (uint64_t v = 0; v < 200 && !found; v++) {
      gen_noisy_copy(&g, &p, v, &q);
      if ((q.noise & GEN_NOISE_OLD_TONE) &&
          !(q.noise & (GEN_NOISE_UPPER | GEN_NOISE_LOWER | GEN_NOISE_TYPO))) {
        assert_non_null(strstr(q.full_name, "Hòa"));
        assert_null(strstr(q.full_name, "Hoà"));
        found = 1;
      }
    }
  }
  assert_true(found);
}

static void no_match_queries_are_not_in_registry(void **state) {
  (void)state;
  enum { REG = 3000, Q = 2000 };
  static char ids[REG][13];
  gen_t g;
  gen_person_t p;
  gen_noisy_t q;
  int no_match = 0;
  gen_init(&g, 13);
  for (int i = 0; i < REG; i++) {
    gen_person(&g, (uint64_t)i, &p);
    memcpy(ids[i], p.national_id, 13);
  }
  for (uint64_t i = 0; i < Q; i++) {
    int in;
    gen_list_query(&g, i, REG, &p, &in, &q);
    if (in) {
      assert_true(p.index < REG);
      continue;
    }
    no_match++;
    assert_true(p.index >= REG);
    for (int k = 0; k < REG; k++) assert_string_not_equal(ids[k], p.national_id);
  }
  assert_true(no_match > Q * 15 / 100 && no_match < Q * 25 / 100);
}

static void list_csv_and_truth_agree(void **state) {
  (void)state;
  enum { REG = 1000, Q = 600 };
  static int fields[Q + 1];
  char *list = NULL, *truth = NULL;
  size_t ll = 0, lt = 0;
  FILE *fl = mem_open(&list, &ll), *ft = mem_open(&truth, &lt);
  assert_int_equal(gen_write_list_csv(fl, Q, REG, 13, ft), BH_OK);
  assert_int_equal(gen_write_list_csv(fl, 1, 0, 13, NULL), BH_ERR_INVALID);
  fclose(fl);
  fclose(ft);
  assert_int_equal(strncmp(list, GEN_LIST_CSV_HEADER "\r\n", strlen(GEN_LIST_CSV_HEADER) + 2), 0);
  assert_int_equal(csv_records(list, fields, Q + 1), Q + 1);
  for (int i = 0; i <= Q; i++) assert_int_equal(fields[i], 7);
  assert_int_equal(csv_records(truth, fields, Q + 1), Q + 1);

  /* Every truth row names the registry person the query was drawn from, or nothing. */
  gen_t g;
  gen_person_t p;
  gen_noisy_t q;
  gen_init(&g, 13);
  const char *line = strstr(truth, "\r\n") + 2;
  for (uint64_t i = 0; i < Q; i++) {
    int in;
    char expect[64];
    gen_list_query(&g, i, REG, &p, &in, &q);
    int n = snprintf(expect, sizeof expect, "Q13-%llu,%s\r\n", (unsigned long long)i,
                     in ? p.external_id : "");
    assert_int_equal(strncmp(line, expect, (size_t)n), 0);
    line += n;
  }
  free(list);
  free(truth);
}

static void countries_are_weighted_toward_japan_korea_taiwan(void **state) {
  (void)state;
  gen_t g;
  gen_person_t p;
  int jp = 0, kr = 0, tw = 0, workers = 0, n = 20000;
  gen_init(&g, 14);
  for (int i = 0; i < n; i++) {
    gen_person(&g, (uint64_t)i, &p);
    jp += strcmp(p.country, "JP") == 0;
    kr += strcmp(p.country, "KR") == 0;
    tw += strcmp(p.country, "TW") == 0;
    workers += p.category == GEN_CAT_WORKER;
    assert_true(p.city && p.city[0]);
    assert_true(p.region[0] == '\0' || strncmp(p.region, p.country, 2) == 0);
    assert_true(p.from.prec == GEN_DATE_DAY);
  }
  assert_true(jp > n / 10 && kr > n / 20 && tw > n / 20);
  assert_true(workers > n / 4);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(same_seed_gives_same_people),
      cmocka_unit_test(different_seed_gives_different_people),
      cmocka_unit_test(surname_nguyen_share_is_about_38_percent),
      cmocka_unit_test(national_id_has_twelve_digits_and_matches_birth_year),
      cmocka_unit_test(passport_is_a_letter_and_seven_digits_or_absent),
      cmocka_unit_test(flags_are_consistent_with_age_and_sex),
      cmocka_unit_test(most_birth_dates_are_full_some_year_only),
      cmocka_unit_test(csv_has_twenty_columns_per_row),
      cmocka_unit_test(csv_without_header_starts_with_first_person),
      cmocka_unit_test(fold_ascii_removes_vietnamese_diacritics),
      cmocka_unit_test(noisy_copy_drops_diacritics),
      cmocka_unit_test(noisy_copy_is_deterministic_and_varies_by_variant),
      cmocka_unit_test(noisy_copy_age_is_age_at_reference_or_one_more),
      cmocka_unit_test(noisy_copy_can_use_old_tone_placement),
      cmocka_unit_test(no_match_queries_are_not_in_registry),
      cmocka_unit_test(list_csv_and_truth_agree),
      cmocka_unit_test(countries_are_weighted_toward_japan_korea_taiwan),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
