/*
 * test_match.c - unit tests for src/match: normalisers, comparators, scoring, and the accuracy
 * of the whole engine on a generated registry and police list with fixed seeds.
 *
 * Scoring tests run against a small index of generated persons (for realistic name frequencies)
 * plus hand-written records, and read the officer's explanation as well as the weight.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "domain/name.h"
#include "gen/gen.h"
#include "match/match_record.h"
#include "match/match_run.h"
#include "match/match_score.h"
#include "util/err.h"

/* Generated persons under the hand-written records, for token frequencies. */
#define FIXTURE_GENERATED 4000

/* Hand-written registry records, numbered after the generated ones. */
typedef struct {
  const char *id, *name, *dob, *sex, *idnum, *passport, *province;
} fixture_rec_t;

static const fixture_rec_t fixture[] = {
    {"R-HUNG", "Nguyễn Văn Hùng", "1990-05-17", "M", "001090123456", "C1234567", "Hà Nội"},
    {"R-HUNG2", "Nguyễn Văn Hưng", "1990-05-17", "M", "", "", "Hà Nội"},
    {"R-HOA", "Lê Thị Hoà", "1985-03-09", "F", "079185000111", "", "Hồ Chí Minh"},
    {"R-KHUE", "Tôn Nữ Khuê", "1972-11-30", "F", "", "", "Thừa Thiên Huế"},
    {"R-DANG", "Đặng Đình Đức", "1961", "M", "", "", "Nam Định"},
    {"R-YEN", "Hoàng Thị Yến", "1994-08-02", "F", "", "", "Nghệ An"},
    {"R-JAN", "Phạm Quốc Bảo", "1979-06-21", "M", "", "", "Cần Thơ"},
    {"R-MONTH", "Trịnh Văn Tư", "1966-04", "M", "", "", "Thanh Hoá"},
    {"R-TWIN1", "Quách Thị Mơ", "1988-02-03", "F", "", "", "Bến Tre"},
    {"R-TWIN2", "Quách Thị Mơ", "1988-02-03", "F", "", "", "Bến Tre"},
};
#define N_FIXTURE (sizeof fixture / sizeof fixture[0])

static match_index_t *fixture_idx;

static void fill_person(const gen_person_t *p, char *dob, char *sex, match_input_t *in) {
  memset(in, 0, sizeof *in);
  gen_date_str(&p->dob, dob, 16);
  sex[0] = p->sex;
  sex[1] = '\0';
  in->id = p->external_id;
  in->full_name = p->full_name;
  in->order = MATCH_ORDER_FAMILY_FIRST;
  in->date_of_birth = dob;
  in->age = -1;
  in->sex = sex;
  in->id_number[0] = p->national_id;
  in->id_number[1] = p->passport;
  in->province = p->home_province;
}

static int fixture_setup(void **state) {
  (void)state;
  gen_t g;
  gen_init(&g, 5);
  if (match_index_new(&fixture_idx) != BH_OK) return -1;
  for (uint64_t i = 0; i < FIXTURE_GENERATED; i++) {
    gen_person_t p;
    char dob[16], sex[2];
    match_input_t in;
    gen_person(&g, i, &p);
    fill_person(&p, dob, sex, &in);
    if (match_index_add(fixture_idx, &in, NULL) != BH_OK) return -1;
  }
  for (size_t i = 0; i < N_FIXTURE; i++) {
    match_input_t in = {0};
    in.id = fixture[i].id;
    in.full_name = fixture[i].name;
    in.order = MATCH_ORDER_FAMILY_FIRST;
    in.date_of_birth = fixture[i].dob;
    in.age = -1;
    in.sex = fixture[i].sex;
    in.id_number[0] = fixture[i].idnum;
    in.id_number[1] = fixture[i].passport;
    in.province = fixture[i].province;
    if (match_index_add(fixture_idx, &in, NULL) != BH_OK) return -1;
  }
  return match_index_freeze(fixture_idx, 2) == BH_OK ? 0 : -1;
}

static int fixture_teardown(void **state) {
  (void)state;
  match_index_free(fixture_idx);
  return 0;
}

static uint32_t fixture_no(const char *id) {
  for (size_t i = 0; i < N_FIXTURE; i++)
    if (strcmp(fixture[i].id, id) == 0) return FIXTURE_GENERATED + (uint32_t)i;
  fail_msg("no fixture %s", id);
  return 0;
}

/* A list row as a foreign authority writes it; NULL fields are absent. */
typedef struct {
  const char *name, *dob;
  int age;
  const char *sex, *idnum, *province;
} row_t;

/* Scores the row against fixture record id; the explanation goes to ex. */
static double score_row(const row_t *row, const char *id, char *ex, size_t cap) {
  match_input_t in = {0};
  match_query_t q;
  match_tokcache_t cache;
  in.full_name = row->name;
  in.date_of_birth = row->dob;
  in.age = row->age;
  in.sex = row->sex;
  in.id_number[0] = row->idnum;
  in.province = row->province;
  assert_int_equal(match_query_prepare(fixture_idx, &in, 2025, 6, 1, &q, NULL), BH_OK);
  assert_int_equal(match_tokcache_init(&cache, fixture_idx), BH_OK);
  match_tokcache_next(&cache);
  double w = match_score(fixture_idx, &q, fixture_no(id), &cache, ex, cap);
  match_tokcache_free(&cache);
  return w;
}

/* ---------------------------------------------------------------- normalisers */

static void hoa_and_hoa_with_other_tone_placement_agree(void **state) {
  (void)state;
  /* "Hoà" (tone on a, new style) and "Hòa" (tone on o, old style), precomposed and decomposed. */
  uint16_t a = match_accent_key("Ho\xc3\xa0", 4);
  uint16_t b = match_accent_key("H\xc3\xb2" "a", 4);
  uint16_t c = match_accent_key("Ho" "a\xcc\x80", 5);
  assert_int_not_equal(a, 0);
  assert_int_equal(a, b);
  assert_int_equal(a, c);
  assert_int_equal(match_accent_key("HOÀ", strlen("HOÀ")), a);
}

static void hung_and_hung_with_horn_have_different_accents(void **state) {
  (void)state;
  assert_int_not_equal(match_accent_key("Hùng", strlen("Hùng")),
                       match_accent_key("Hưng", strlen("Hưng")));
  assert_int_not_equal(match_accent_key("Hùng", strlen("Hùng")),
                       match_accent_key("Hung", strlen("Hung")));
}

static void ocr_letters_in_id_are_read_as_digits(void **state) {
  (void)state;
  int ocr = 0;
  uint64_t clean = match_id_pack("001090123456", &ocr);
  assert_int_equal(ocr, 0);
  assert_true(clean != 0);
  assert_true(match_id_pack("O01O9O123456", &ocr) == clean);
  assert_int_equal(ocr, 1);
  assert_true(match_id_pack("001-090 123.456", NULL) == clean);
  assert_true(match_id_pack("0010901234S6", NULL) == clean);
  char out[MATCH_ID_PACK_CHARS + 1];
  assert_int_equal(match_id_unpack(clean, out, sizeof out), 12);
  assert_string_equal(out, "001090123456");
}

static void passport_series_letter_is_kept(void **state) {
  (void)state;
  int ocr = 1;
  uint64_t p = match_id_pack("b1234567", &ocr);
  assert_int_equal(ocr, 0);
  assert_true(p != match_id_pack("81234567", NULL));
  assert_true(p == match_id_pack("B 123 4567", NULL));
  /* Past the first place an 8-character id's letters are OCR confusions. */
  assert_true(match_id_pack("B12345O7", NULL) == match_id_pack("B1234507", NULL));
  assert_true(match_id_pack("", NULL) == 0);
  assert_true(match_id_pack("--", NULL) == 0);
}

static void sex_is_read_in_vietnamese_and_english(void **state) {
  (void)state;
  assert_int_equal(match_parse_sex("Nữ"), 'F');
  assert_int_equal(match_parse_sex("NAM"), 'M');
  assert_int_equal(match_parse_sex("female"), 'F');
  assert_int_equal(match_parse_sex(" m "), 'M');
  assert_int_equal(match_parse_sex("x"), 0);
  assert_int_equal(match_parse_sex(NULL), 0);
}

static void record_keeps_roles_date_precision_and_placeholder(void **state) {
  (void)state;
  match_dict_t *t, *p;
  match_rec_t r;
  char tok[MATCH_MAX_TOKENS][NAME_TOKEN_MAX];
  uint32_t warn;
  assert_int_equal(match_dict_new(&t), BH_OK);
  assert_int_equal(match_dict_new(&p), BH_OK);
  match_input_t in = {.full_name = "ĐẶNG, Thị Thu Hà", .date_of_birth = "01/01/1970", .age = -1,
                      .sex = "Nữ", .province = "Tỉnh Nam Định", .order = MATCH_ORDER_FAMILY_FIRST};
  assert_int_equal(match_record_normalise(&in, t, p, 1, &r, tok, &warn), BH_OK);
  assert_int_equal(warn, 0);
  assert_int_equal(r.ntok, 4);
  assert_string_equal(tok[0], "dang");
  assert_string_equal(tok[3], "ha");
  assert_int_equal(r.family, 0);
  assert_int_equal(r.given, 3);
  assert_int_equal(r.year, 1970);
  assert_true(r.flags & MATCH_REC_JAN1);
  assert_true(r.flags & MATCH_REC_ACCENTED);
  assert_int_equal(r.sex, 'F');
  assert_int_equal(r.province, match_dict_lookup(p, "nam dinh", 8) + 1);
  /* A bad date is a warning, not a refusal; a missing name is a refusal. */
  in.date_of_birth = "31/02/1970";
  assert_int_equal(match_record_normalise(&in, t, p, 1, &r, tok, &warn), BH_OK);
  assert_int_equal(warn, MATCH_WARN_DOB);
  assert_int_equal(r.year, 0);
  in.full_name = " ,, ";
  assert_int_equal(match_record_normalise(&in, t, p, 1, &r, tok, &warn), BH_ERR_INVALID);
  in.full_name = "Nguy\xe1n";
  assert_int_equal(match_record_normalise(&in, t, p, 1, &r, tok, &warn), BH_ERR_INVALID);
  match_dict_free(t);
  match_dict_free(p);
}

/* ---------------------------------------------------------------- comparators */

static void transposition_is_one_edit(void **state) {
  (void)state;
  assert_int_equal(match_token_distance("nguyen", 6, "ngyuen", 6), 1);
  assert_int_equal(match_token_distance("nguyen", 6, "nguyn", 5), 1);
  assert_int_equal(match_token_distance("tuan", 4, "tuna", 4), 1);
  assert_int_equal(match_token_distance("hung", 4, "hung", 4), 0);
  assert_int_equal(match_token_distance("a", 1, "nguyenvan", 9), 3);
  assert_int_equal(match_token_level("nguyen", "nguyne"), MATCH_TOK_TYPO);
  assert_int_equal(match_token_level("ma", "mai"), MATCH_TOK_TYPO);
  assert_int_equal(match_token_level("le", "ly"), MATCH_TOK_NONE);
}

static void hoang_and_huynh_are_variants(void **state) {
  (void)state;
  assert_int_equal(match_token_level("hoang", "huynh"), MATCH_TOK_VARIANT);
  assert_int_equal(match_token_level("vo", "vu"), MATCH_TOK_VARIANT);
  assert_int_equal(match_token_level("phuoc", "phuc"), MATCH_TOK_VARIANT);
  /* The dictionary merges exactly the pairs domain/name knows. */
  const match_dict_t *d = match_index_tokens(fixture_idx);
  static const char *const pairs[][2] = {{"hoang", "huynh"}, {"vu", "vo"}, {"phuc", "phuoc"}};
  for (size_t i = 0; i < 3; i++) {
    uint32_t a = match_dict_lookup(d, pairs[i][0], strlen(pairs[i][0]));
    uint32_t b = match_dict_lookup(d, pairs[i][1], strlen(pairs[i][1]));
    assert_true(a != MATCH_NO_TOKEN && b != MATCH_NO_TOKEN);
    assert_true(name_variant_close(pairs[i][0], pairs[i][1]));
    assert_int_equal(match_dict_canon(d, a), match_dict_canon(d, b));
  }
  char ex[MATCH_EXPLAIN_MAX];
  row_t row = {"HUYNH THI YEN", "1994-08-02", -1, "F", NULL, NULL};
  double w = score_row(&row, "R-YEN", ex, sizeof ex);
  assert_non_null(strstr(ex, "variant huynh/hoang"));
  assert_true(w > 20);
}

static void nguyen_weighs_less_than_rare_surname(void **state) {
  (void)state;
  double nguyen = match_token_weight(fixture_idx, "nguyen");
  double ton = match_token_weight(fixture_idx, "ton");
  assert_true(nguyen > 0.5 && nguyen < 2.5);
  assert_true(ton > nguyen + 6);
  assert_true(match_token_weight(fixture_idx, "zzzz") >= ton);
}

static void name_order_reversed_still_agrees(void **state) {
  (void)state;
  char ex1[MATCH_EXPLAIN_MAX], ex2[MATCH_EXPLAIN_MAX];
  row_t in_order = {"NGUYEN VAN HUNG", "1990-05-17", -1, "M", NULL, NULL};
  row_t reversed = {"Hung Van NGUYEN", "1990-05-17", -1, "M", NULL, NULL};
  double a = score_row(&in_order, "R-HUNG", ex1, sizeof ex1);
  double b = score_row(&reversed, "R-HUNG", ex2, sizeof ex2);
  assert_true(a - b < 0.01 && b - a < 0.01);
  assert_non_null(strstr(ex1, "name: same tokens"));
  assert_non_null(strstr(ex2, "name: same tokens (other order"));
  assert_non_null(strstr(ex2, "dob: same date"));
}

static void diacritics_that_differ_lower_the_score(void **state) {
  (void)state;
  char ex1[MATCH_EXPLAIN_MAX], ex2[MATCH_EXPLAIN_MAX];
  row_t row = {"Nguyễn Văn Hưng", "1990-05-17", -1, "M", NULL, NULL};
  double same = score_row(&row, "R-HUNG2", ex1, sizeof ex1);
  double other = score_row(&row, "R-HUNG", ex2, sizeof ex2);
  assert_true(same > other + 2);
  assert_non_null(strstr(ex1, "same diacritics"));
  assert_non_null(strstr(ex2, "diacritics differ"));
}

static void common_middle_name_dropped_costs_little(void **state) {
  (void)state;
  char ex[MATCH_EXPLAIN_MAX];
  row_t full = {"Hoang Thi Yen", "1994-08-02", -1, "F", NULL, NULL};
  row_t dropped = {"Hoang Yen", "1994-08-02", -1, "F", NULL, NULL};
  double a = score_row(&full, "R-YEN", ex, sizeof ex);
  double b = score_row(&dropped, "R-YEN", ex, sizeof ex);
  assert_non_null(strstr(ex, "middle name thi missing"));
  assert_true(a > b && a - b < 5);
  /* Losing the given name costs far more than losing the middle name. */
  row_t no_given = {"Hoang Thi", "1994-08-02", -1, "F", NULL, NULL};
  assert_true(score_row(&no_given, "R-YEN", ex, sizeof ex) < b - 5);
}

static void typo_in_rare_token_keeps_most_weight(void **state) {
  (void)state;
  char ex[MATCH_EXPLAIN_MAX];
  row_t typo = {"TON NU KHEU", "1972-11-30", -1, "F", NULL, NULL};
  row_t wrong = {"TON NU LAN", "1972-11-30", -1, "F", NULL, NULL};
  double a = score_row(&typo, "R-KHUE", ex, sizeof ex);
  assert_non_null(strstr(ex, "typo kheu/khue"));
  assert_true(a > score_row(&wrong, "R-KHUE", ex, sizeof ex) + 5);
}

static void day_month_swap_scores_below_same_date_and_above_other_date(void **state) {
  (void)state;
  char ex[MATCH_EXPLAIN_MAX];
  row_t same = {"Le Thi Hoa", "09/03/1985", -1, "F", NULL, NULL};
  row_t swapped = {"Le Thi Hoa", "1985-09-03", -1, "F", NULL, NULL};
  row_t other = {"Le Thi Hoa", "1985-10-23", -1, "F", NULL, NULL};
  double a = score_row(&same, "R-HOA", ex, sizeof ex);
  assert_non_null(strstr(ex, "dob: same date"));
  double b = score_row(&swapped, "R-HOA", ex, sizeof ex);
  assert_non_null(strstr(ex, "dob: day/month swapped"));
  double c = score_row(&other, "R-HOA", ex, sizeof ex);
  assert_non_null(strstr(ex, "dob: same year, other day and month"));
  assert_true(a > b && b > c + 5);
}

static void jan1_placeholder_compares_years_only(void **state) {
  (void)state;
  char ex[MATCH_EXPLAIN_MAX];
  row_t row = {"Pham Quoc Bao", "19790101", -1, "M", NULL, NULL};
  double w = score_row(&row, "R-JAN", ex, sizeof ex);
  assert_non_null(strstr(ex, "dob: same year (01-01 placeholder)"));
  row_t other = {"Pham Quoc Bao", "1979-10-11", -1, "M", NULL, NULL};
  assert_true(w > score_row(&other, "R-JAN", ex, sizeof ex) + 5);
}

static void jan1_placeholder_against_record_without_day_weighs_more(void **state) {
  (void)state;
  char ex[MATCH_EXPLAIN_MAX];
  /* R-DANG knows only the year 1961: a list's 01-01 stands for the same unknown day, which is
   * more telling than a 01-01 against a record with a real day. */
  row_t jan = {"DANG DINH DUC", "1961-01-01", -1, "M", NULL, NULL};
  row_t year = {"DANG DINH DUC", "1961", -1, "M", NULL, NULL};
  double a = score_row(&jan, "R-DANG", ex, sizeof ex);
  assert_non_null(strstr(ex, "dob: same year (01-01 placeholder, day unknown on both sides)"));
  double b = score_row(&year, "R-DANG", ex, sizeof ex);
  row_t jan_real = {"Pham Quoc Bao", "1979-01-01", -1, "M", NULL, NULL};
  row_t year_real = {"Pham Quoc Bao", "1979", -1, "M", NULL, NULL};
  double c = score_row(&jan_real, "R-JAN", ex, sizeof ex);
  double d = score_row(&year_real, "R-JAN", ex, sizeof ex);
  assert_true(a - b > c - d);
  /* A record that knows year and month: the 01-01 is not read as January. */
  row_t month = {"Trinh Van Tu", "1966-01-01", -1, "M", NULL, NULL};
  score_row(&month, "R-MONTH", ex, sizeof ex);
  assert_non_null(strstr(ex, "day unknown on both sides"));
  assert_null(strstr(ex, "other month"));
}

static void year_only_registry_date_agrees_with_full_date(void **state) {
  (void)state;
  char ex[MATCH_EXPLAIN_MAX];
  row_t row = {"DANG DINH DUC", "12.04.1961", -1, "M", NULL, NULL};
  score_row(&row, "R-DANG", ex, sizeof ex);
  assert_non_null(strstr(ex, "dob: same year (partial date)"));
}

static void age_matches_traditional_age_plus_one(void **state) {
  (void)state;
  char ex[MATCH_EXPLAIN_MAX];
  /* Born 1985-03-09: 40 on 2025-06-01, 41 by the traditional count. */
  row_t cal = {"Le Thi Hoa", NULL, 40, "F", NULL, NULL};
  row_t trad = {"Le Thi Hoa", NULL, 41, "F", NULL, NULL};
  row_t far = {"Le Thi Hoa", NULL, 45, "F", NULL, NULL};
  double a = score_row(&cal, "R-HOA", ex, sizeof ex);
  assert_non_null(strstr(ex, "dob: age 40 fits the date"));
  double b = score_row(&trad, "R-HOA", ex, sizeof ex);
  assert_non_null(strstr(ex, "dob: traditional age 41"));
  double c = score_row(&far, "R-HOA", ex, sizeof ex);
  assert_non_null(strstr(ex, "does not fit"));
  assert_true(a >= b && b > c + 5);
}

static void ocr_confusion_in_id_is_partial_agreement(void **state) {
  (void)state;
  char ex[MATCH_EXPLAIN_MAX];
  row_t exact = {"Nguyen Van Hung", NULL, -1, NULL, "001090123456", NULL};
  row_t ocr = {"Nguyen Van Hung", NULL, -1, NULL, "OO1O9O123456", NULL};
  row_t one_off = {"Nguyen Van Hung", NULL, -1, NULL, "001090123457", NULL};
  row_t other = {"Nguyen Van Hung", NULL, -1, NULL, "034090999999", NULL};
  row_t passport = {"Nguyen Van Hung", NULL, -1, NULL, "C1234567", NULL};
  double a = score_row(&exact, "R-HUNG", ex, sizeof ex);
  assert_non_null(strstr(ex, "id: same"));
  double b = score_row(&ocr, "R-HUNG", ex, sizeof ex);
  assert_non_null(strstr(ex, "id: same after OCR correction"));
  double c = score_row(&one_off, "R-HUNG", ex, sizeof ex);
  assert_non_null(strstr(ex, "id: one character differs"));
  double d = score_row(&other, "R-HUNG", ex, sizeof ex);
  assert_non_null(strstr(ex, "id: differs"));
  assert_true(a > b && b > c && c > d);
  /* The passport on file is found as well as the national id. */
  assert_true(score_row(&passport, "R-HUNG", ex, sizeof ex) > b - 5);
}

static void sex_disagreement_costs_more_than_agreement_earns(void **state) {
  (void)state;
  char ex[MATCH_EXPLAIN_MAX];
  row_t f = {"Le Thi Hoa", "1985-03-09", -1, "F", NULL, NULL};
  row_t m = {"Le Thi Hoa", "1985-03-09", -1, "M", NULL, NULL};
  row_t none = {"Le Thi Hoa", "1985-03-09", -1, NULL, NULL, NULL};
  double a = score_row(&f, "R-HOA", ex, sizeof ex);
  double b = score_row(&m, "R-HOA", ex, sizeof ex);
  assert_non_null(strstr(ex, "sex: differs"));
  double c = score_row(&none, "R-HOA", ex, sizeof ex);
  assert_non_null(strstr(ex, "sex: missing"));
  assert_true(a > c && c > b && (c - b) > (a - c));
}

static void bands_follow_declared_thresholds(void **state) {
  (void)state;
  assert_int_equal(match_band_of(MATCH_STRONG_MIN), MATCH_BAND_STRONG);
  assert_int_equal(match_band_of(MATCH_STRONG_MIN - 0.001), MATCH_BAND_REVIEW);
  assert_int_equal(match_band_of(MATCH_REVIEW_MIN), MATCH_BAND_REVIEW);
  assert_int_equal(match_band_of(MATCH_REVIEW_MIN - 0.001), MATCH_BAND_NONE);
  assert_string_equal(match_band_name(MATCH_BAND_STRONG), "strong");
  assert_string_equal(match_band_name(MATCH_BAND_NONE), "none");
}

static void two_identical_candidates_share_the_probability(void **state) {
  (void)state;
  match_input_t in = {.full_name = "Nguyen Van Hung", .date_of_birth = "1990-05-17", .age = -1,
                      .sex = "M", .province = "Ha Noi"};
  match_query_t q;
  match_result_t res;
  match_options_t opt;
  match_options_init(&opt);
  assert_int_equal(match_query_prepare(fixture_idx, &in, 2025, 6, 1, &q, NULL), BH_OK);
  assert_int_equal(match_run(fixture_idx, &q, 1, &opt, &res), BH_OK);
  /* Hùng and Hưng fold alike and the list has no diacritics: neither may be strong. */
  assert_true(res.nhit >= 2);
  assert_true(res.hit[0].probability < 0.6 && res.hit[1].probability > 0.3);
  assert_int_equal(res.hit[0].band, MATCH_BAND_REVIEW);
  /* With the id the true one is strong. */
  in.id_number[0] = "001090123456";
  assert_int_equal(match_query_prepare(fixture_idx, &in, 2025, 6, 1, &q, NULL), BH_OK);
  assert_int_equal(match_run(fixture_idx, &q, 1, &opt, &res), BH_OK);
  assert_string_equal(match_index_external_id(fixture_idx, res.hit[0].cand), "R-HUNG");
  assert_int_equal(res.hit[0].band, MATCH_BAND_STRONG);
}

static void equal_weights_rank_by_evidence_then_record(void **state) {
  (void)state;
  match_hit_t a = {.cand = 7, .weight = 20.0, .evidence = 15.0};
  match_hit_t b = {.cand = 3, .weight = 20.0, .evidence = 9.0};
  match_hit_t c = {.cand = 3, .weight = 20.5, .evidence = 0.0};
  /* The same weight: the candidate whose weight rests on date, sex, ids and places first. */
  assert_true(match_hit_before(&a, &b));
  assert_false(match_hit_before(&b, &a));
  assert_true(match_hit_before(&c, &a)); /* weight first */
  /* Everything equal: the lower record number, whatever order blocking found them in. */
  b.evidence = a.evidence;
  assert_true(match_hit_before(&b, &a));
  assert_false(match_hit_before(&a, &b));
  assert_false(match_hit_before(&a, &a));
}

static void twins_tie_in_record_order_with_evidence_reported(void **state) {
  (void)state;
  match_input_t in = {.full_name = "Mo Quach", .date_of_birth = "1988-02-03", .age = -1,
                      .sex = "F", .province = "Ben Tre"};
  match_query_t q;
  match_result_t res;
  match_options_t opt;
  match_tokcache_t cache;
  match_options_init(&opt);
  assert_int_equal(match_query_prepare(fixture_idx, &in, 2025, 6, 1, &q, NULL), BH_OK);
  assert_int_equal(match_run(fixture_idx, &q, 1, &opt, &res), BH_OK);
  assert_true(res.nhit >= 2);
  assert_int_equal(res.hit[0].cand, fixture_no("R-TWIN1"));
  assert_int_equal(res.hit[1].cand, fixture_no("R-TWIN2"));
  assert_true(res.hit[0].weight == res.hit[1].weight);
  assert_true(res.hit[0].probability == res.hit[1].probability);
  assert_int_not_equal(res.hit[0].band, MATCH_BAND_STRONG);
  /* The evidence is the weight less the name's part: here date, sex and province. */
  assert_int_equal(match_tokcache_init(&cache, fixture_idx), BH_OK);
  match_tokcache_next(&cache);
  double ev;
  double w = match_score_split(fixture_idx, &q, res.hit[0].cand, &cache, &ev);
  assert_true(w == res.hit[0].weight && ev == res.hit[0].evidence);
  assert_true(ev > 13.0 && ev < w);
  match_tokcache_free(&cache);
}

/* ---------------------------------------------------------------- accuracy */

/* The engine on a 20,000-person registry and a 1,000-row list of seed 31. Floors sit a few
 * points under what the engine reaches (top-1 97.9%, strong precision 100%, no false strong,
 * blocking recall 99.75% when last measured), so noise cannot trip them but a regression does.
 * Top-1 depends on the registry's size: on larger registries more rows without id or date have
 * namesakes of the same age (bench_match --ambiguity measures it). */
static void accuracy_on_generated_list_stays_above_floors(void **state) {
  (void)state;
  enum { REG = 20000, NQ = 1000 };
  gen_t g;
  match_index_t *idx;
  gen_init(&g, 31);
  assert_int_equal(match_index_new(&idx), BH_OK);
  for (uint64_t i = 0; i < REG; i++) {
    gen_person_t p;
    char dob[16], sex[2];
    match_input_t in;
    gen_person(&g, i, &p);
    fill_person(&p, dob, sex, &in);
    assert_int_equal(match_index_add(idx, &in, NULL), BH_OK);
  }
  assert_int_equal(match_index_freeze(idx, 2), BH_OK);
  static match_query_t q[NQ];
  static match_result_t res[NQ];
  static int64_t truth[NQ];
  for (uint64_t i = 0; i < NQ; i++) {
    gen_person_t src;
    gen_noisy_t nz;
    int in_reg;
    char dob[16], sex[2] = {0, 0};
    gen_list_query(&g, i, REG, &src, &in_reg, &nz);
    truth[i] = in_reg ? (int64_t)src.index : -1;
    gen_date_str(&nz.dob, dob, sizeof dob);
    sex[0] = nz.sex;
    match_input_t in = {.full_name = nz.full_name, .date_of_birth = dob, .age = nz.age,
                        .sex = sex, .province = nz.province};
    in.id_number[0] = nz.id_number;
    assert_int_equal(match_query_prepare(idx, &in, GEN_REF_YEAR, GEN_REF_MONTH, GEN_REF_DAY,
                                         &q[i], NULL),
                     BH_OK);
  }
  match_options_t opt;
  match_options_init(&opt);
  opt.explain = 0;
  assert_int_equal(match_run(idx, q, NQ, &opt, res), BH_OK);
  match_cands_t cands;
  assert_int_equal(match_cands_init(&cands, idx), BH_OK);
  int in_total = 0, top1 = 0, blocked = 0, strong = 0, strong_ok = 0, out_total = 0,
      out_strong = 0;
  for (int i = 0; i < NQ; i++) {
    int has = res[i].nhit > 0;
    int ok = has && truth[i] >= 0 && (int64_t)res[i].hit[0].cand == truth[i];
    int is_strong = has && res[i].hit[0].band == MATCH_BAND_STRONG;
    strong += is_strong;
    strong_ok += is_strong && ok;
    if (truth[i] < 0) {
      out_total++;
      out_strong += is_strong;
      continue;
    }
    in_total++;
    top1 += ok;
    match_index_block(idx, &q[i], &cands);
    for (size_t c = 0; c < cands.n; c++)
      if (cands.id[c] == (uint32_t)truth[i]) {
        blocked++;
        break;
      }
  }
  match_cands_free(&cands);
  match_index_free(idx);
  print_message("accuracy: top-1 %d/%d, blocking %d/%d, strong %d precision %d/%d, "
                "no-match strong %d/%d\n",
                top1, in_total, blocked, in_total, strong, strong_ok, strong, out_strong,
                out_total);
  assert_true(top1 * 100 >= in_total * 93);
  assert_true(blocked * 1000 >= in_total * 990);
  assert_true(strong >= in_total * 70 / 100);
  assert_true(strong_ok * 1000 >= strong * 995);
  assert_true(out_strong * 100 <= out_total * 1);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(hoa_and_hoa_with_other_tone_placement_agree),
      cmocka_unit_test(hung_and_hung_with_horn_have_different_accents),
      cmocka_unit_test(ocr_letters_in_id_are_read_as_digits),
      cmocka_unit_test(passport_series_letter_is_kept),
      cmocka_unit_test(sex_is_read_in_vietnamese_and_english),
      cmocka_unit_test(record_keeps_roles_date_precision_and_placeholder),
      cmocka_unit_test(transposition_is_one_edit),
      cmocka_unit_test(hoang_and_huynh_are_variants),
      cmocka_unit_test(nguyen_weighs_less_than_rare_surname),
      cmocka_unit_test(name_order_reversed_still_agrees),
      cmocka_unit_test(diacritics_that_differ_lower_the_score),
      cmocka_unit_test(common_middle_name_dropped_costs_little),
      cmocka_unit_test(typo_in_rare_token_keeps_most_weight),
      cmocka_unit_test(day_month_swap_scores_below_same_date_and_above_other_date),
      cmocka_unit_test(jan1_placeholder_compares_years_only),
      cmocka_unit_test(jan1_placeholder_against_record_without_day_weighs_more),
      cmocka_unit_test(year_only_registry_date_agrees_with_full_date),
      cmocka_unit_test(age_matches_traditional_age_plus_one),
      cmocka_unit_test(ocr_confusion_in_id_is_partial_agreement),
      cmocka_unit_test(sex_disagreement_costs_more_than_agreement_earns),
      cmocka_unit_test(bands_follow_declared_thresholds),
      cmocka_unit_test(two_identical_candidates_share_the_probability),
      cmocka_unit_test(equal_weights_rank_by_evidence_then_record),
      cmocka_unit_test(twins_tie_in_record_order_with_evidence_reported),
      cmocka_unit_test(accuracy_on_generated_list_stays_above_floors),
  };
  return cmocka_run_group_tests(tests, fixture_setup, fixture_teardown);
}
