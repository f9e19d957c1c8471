/*
 * test_match_country.c - unit tests for where a list comes from as evidence (issue 6): the
 * list-country weight of a record present in the list's country, absent from it, of unknown
 * countries, and of a query without a country (exactly the scores without the evidence); the
 * band cap (a country never alone makes a candidate strong); candidates of equal weight sharing
 * a rank; and the generator's list-country draw.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "gen/gen.h"
#include "match/match_index.h"
#include "match/match_run.h"
#include "match/match_score.h"
#include "util/err.h"

/* Generated persons under the hand-written records, for token frequencies and country shares. */
#define CT_GENERATED 2000

/* Hand-written records: namesakes told apart only by where they are registered. */
typedef struct {
  const char *id, *name, *dob, *sex, *countries;
} ct_rec_t;

static const ct_rec_t ct_fixture[] = {
    {"MO-MM", "Quách Thị Mơ", "1988-02-03", "F", "MM"},
    {"MO-TH", "Quách Thị Mơ", "1988-02-03", "F", "th; la"},
    {"MO-UNKNOWN", "Quách Thị Mơ", "1988-02-03", "F", NULL},
    {"MO-NONE", "Quách Thị Mơ", "1988-02-03", "F", ""},
};
#define CT_N (sizeof ct_fixture / sizeof ct_fixture[0])

/* Builds an index of the generated persons (with their presence country, or none when
 * with_countries is 0) and the fixture (idem). */
static match_index_t *ct_build(int with_countries) {
  match_index_t *idx;
  gen_t g;
  gen_init(&g, 7);
  if (match_index_new(&idx) != BH_OK) return NULL;
  for (uint64_t i = 0; i < CT_GENERATED; i++) {
    gen_person_t p;
    char dob[16], sex[2] = {0};
    gen_person(&g, i, &p);
    gen_date_str(&p.dob, dob, sizeof dob);
    sex[0] = p.sex;
    match_input_t in = {.id = p.external_id, .full_name = p.full_name, .date_of_birth = dob,
                        .age = -1, .sex = sex, .id_number = {p.national_id, p.passport},
                        .province = p.home_province,
                        .countries = with_countries ? p.country : NULL,
                        .order = MATCH_ORDER_FAMILY_FIRST};
    if (match_index_add(idx, &in, NULL) != BH_OK) return NULL;
  }
  for (size_t i = 0; i < CT_N; i++) {
    match_input_t in = {.id = ct_fixture[i].id, .full_name = ct_fixture[i].name,
                        .date_of_birth = ct_fixture[i].dob, .age = -1, .sex = ct_fixture[i].sex,
                        .countries = with_countries ? ct_fixture[i].countries : NULL,
                        .order = MATCH_ORDER_FAMILY_FIRST};
    if (match_index_add(idx, &in, NULL) != BH_OK) return NULL;
  }
  if (match_index_freeze(idx, 1) != BH_OK) return NULL;
  return idx;
}

/* The index with countries, built once for the group. */
static match_index_t *ct_idx;

static int ct_setup(void **state) {
  (void)state;
  ct_idx = ct_build(1);
  return ct_idx ? 0 : -1;
}

static int ct_teardown(void **state) {
  (void)state;
  match_index_free(ct_idx);
  return 0;
}

/* The record number of fixture record i. */
static uint32_t ct_rec(size_t i) { return CT_GENERATED + (uint32_t)i; }

/* Prepares the query "MO QUACH THI", 03/02/1988, F, from the list's country (NULL: none). */
static void ct_query(const match_index_t *idx, const char *country, match_query_t *q) {
  match_input_t in = {.full_name = "MO QUACH THI", .date_of_birth = "1988-02-03", .age = -1,
                      .sex = "F"};
  assert_int_equal(match_query_prepare(idx, &in, 2025, 6, 1, q, NULL), BH_OK);
  assert_int_equal(match_query_set_country(idx, q, country), BH_OK);
}

/* Matches the query of ct_query from country (NULL: none) into *r. */
static void ct_run(const match_index_t *idx, const char *country, match_result_t *r) {
  match_query_t q;
  ct_query(idx, country, &q);
  assert_int_equal(match_run(idx, &q, 1, NULL, r), BH_OK);
}

static double ct_score(const match_index_t *idx, const match_query_t *q, uint32_t rec,
                       char *ex, size_t cap) {
  match_tokcache_t cache;
  assert_int_equal(match_tokcache_init(&cache, idx), BH_OK);
  match_tokcache_next(&cache);
  double w = match_score(idx, q, rec, &cache, ex, cap);
  match_tokcache_free(&cache);
  return w;
}

/* The list-country part of record rec's score for a query from country: its score with the
 * country minus its score without; ex receives the explanation with the country. */
static double ct_country_part(const match_index_t *idx, const char *country, uint32_t rec,
                              char *ex, size_t cap) {
  match_query_t none, q;
  ct_query(idx, NULL, &none);
  ct_query(idx, country, &q);
  return ct_score(idx, &q, rec, ex, cap) - ct_score(idx, &none, rec, NULL, 0);
}

/* The share u of known-country records present in iso2, counted here from the inputs. */
static double ct_share(const char *iso2) {
  gen_t g;
  gen_init(&g, 7);
  size_t in = 0, known = 0;
  for (uint64_t i = 0; i < CT_GENERATED; i++) {
    gen_person_t p;
    gen_person(&g, i, &p);
    known++;
    in += strcmp(p.country, iso2) == 0;
  }
  for (size_t i = 0; i < CT_N; i++) {
    const char *c = ct_fixture[i].countries;
    if (c == NULL) continue;
    known++;
    in += strstr(c, iso2) != NULL || (strcmp(iso2, "TH") == 0 && strstr(c, "th")) ||
          (strcmp(iso2, "LA") == 0 && strstr(c, "la"));
  }
  return (double)in / (double)known;
}

static void present_record_gains_log2_m_over_u(void **state) {
  (void)state;
  const match_index_t *idx = ct_idx;
  char ex[MATCH_EXPLAIN_MAX];
  double u = ct_share("MM");
  double m = MATCH_COUNTRY_M + (1 - MATCH_COUNTRY_M) * u;
  double want = log2(m / u);
  if (want > MATCH_COUNTRY_W_MAX) want = MATCH_COUNTRY_W_MAX;
  double gain = ct_country_part(idx, "MM", ct_rec(0), ex, sizeof ex);
  assert_true(fabs(gain - want) < 1e-9);
  assert_true(gain > 0);
  assert_non_null(strstr(ex, "country: registered in MM"));
  double present, absent;
  assert_int_equal(match_country_weights(idx, "mm", &present, &absent), BH_OK);
  assert_true(fabs(present - want) < 1e-9);
}

static void absent_record_loses_log2_one_minus_m(void **state) {
  (void)state;
  const match_index_t *idx = ct_idx;
  char ex[MATCH_EXPLAIN_MAX];
  double u = ct_share("MM");
  double m = MATCH_COUNTRY_M + (1 - MATCH_COUNTRY_M) * u;
  double want = log2((1 - m) / (1 - u));
  /* Present elsewhere (TH, LA) and present nowhere count alike: not registered in MM. */
  for (size_t i = 1; i <= 3; i += 2) {
    double loss = ct_country_part(idx, "MM", ct_rec(i), ex, sizeof ex);
    assert_true(fabs(loss - want) < 1e-9);
    assert_true(loss < 0);
    assert_non_null(strstr(ex, "country: not registered in MM"));
  }
  /* A country where nobody of the index is registered: every known record is absent. */
  double loss = ct_country_part(idx, "KP", ct_rec(0), ex, sizeof ex);
  assert_true(fabs(loss - log2(1 - MATCH_COUNTRY_M)) < 1e-9);
  assert_non_null(strstr(ex, "country: not registered in KP"));
}

static void record_of_unknown_countries_gets_no_country_weight(void **state) {
  (void)state;
  const match_index_t *idx = ct_idx;
  char ex[MATCH_EXPLAIN_MAX];
  assert_true(ct_country_part(idx, "MM", ct_rec(2), ex, sizeof ex) == 0);
  assert_null(strstr(ex, "country"));
}

static void query_without_country_scores_exactly_as_without_the_evidence(void **state) {
  (void)state;
  match_index_t *with = ct_build(1), *without = ct_build(0);
  assert_non_null(with);
  assert_non_null(without);
  gen_t g;
  gen_init(&g, 7);
  for (uint64_t k = 0; k < 50; k++) {
    gen_person_t src;
    gen_noisy_t noisy;
    int in_reg;
    gen_list_query(&g, k, CT_GENERATED, &src, &in_reg, &noisy);
    char dob[16], sex[2] = {noisy.sex, 0};
    gen_date_str(&noisy.dob, dob, sizeof dob);
    match_input_t in = {.full_name = noisy.full_name, .date_of_birth = dob, .age = noisy.age,
                        .sex = sex, .id_number = {noisy.id_number}, .province = noisy.province};
    match_query_t q1, q2, q3;
    assert_int_equal(match_query_prepare(with, &in, 2025, 6, 1, &q1, NULL), BH_OK);
    assert_int_equal(match_query_prepare(without, &in, 2025, 6, 1, &q2, NULL), BH_OK);
    /* A country on a query against an index that knows no record's countries: no evidence. */
    assert_int_equal(match_query_prepare(without, &in, 2025, 6, 1, &q3, NULL), BH_OK);
    assert_int_equal(match_query_set_country(without, &q3, "JP"), BH_OK);
    match_result_t r1, r2, r3;
    assert_int_equal(match_run(with, &q1, 1, NULL, &r1), BH_OK);
    assert_int_equal(match_run(without, &q2, 1, NULL, &r2), BH_OK);
    assert_int_equal(match_run(without, &q3, 1, NULL, &r3), BH_OK);
    assert_int_equal(r1.nhit, r2.nhit);
    assert_int_equal(r1.nhit, r3.nhit);
    for (int h = 0; h < r1.nhit; h++) {
      assert_int_equal(r1.hit[h].cand, r2.hit[h].cand);
      assert_true(r1.hit[h].weight == r2.hit[h].weight);
      assert_true(r1.hit[h].probability == r2.hit[h].probability);
      assert_string_equal(r1.hit[h].explain, r2.hit[h].explain);
      assert_true(r3.hit[h].weight == r2.hit[h].weight);
      assert_string_equal(r3.hit[h].explain, r2.hit[h].explain);
      assert_true(r1.hit[h].country == 0);
    }
  }
  match_index_free(with);
  match_index_free(without);
}

static void list_country_ranks_the_in_country_namesake_first_but_not_strong(void **state) {
  (void)state;
  const match_index_t *idx = ct_idx;
  match_result_t r;
  ct_run(idx, "MM", &r);
  assert_true(r.nhit >= 2);
  assert_int_equal(r.hit[0].cand, ct_rec(0));
  assert_int_equal(r.hit[0].rank, 1);
  assert_int_equal(r.hit[1].rank, 2);
  /* The country lifts the first close to certainty; on its own fields it is one of four
   * namesakes, so it is never strong. */
  assert_true(r.hit[0].probability > r.hit[0].probability_own);
  assert_true(r.hit[0].probability_own < MATCH_STRONG_MIN);
  assert_int_not_equal(r.hit[0].band, MATCH_BAND_STRONG);
  assert_int_equal(match_band_capped(0.99, 0.5), MATCH_BAND_REVIEW);
  assert_int_equal(match_band_capped(0.99, 0.98), MATCH_BAND_STRONG);
  assert_int_equal(match_band_capped(0.5, 0.99), MATCH_BAND_REVIEW);
}

static void namesakes_of_equal_weight_share_the_first_rank(void **state) {
  (void)state;
  const match_index_t *idx = ct_idx;
  match_result_t r;
  ct_run(idx, NULL, &r);
  assert_int_equal(r.nhit, 4);
  for (int h = 0; h < 4; h++) {
    assert_int_equal(r.hit[h].rank, 1);
    assert_true(r.hit[h].probability == r.hit[0].probability);
  }
  /* With MM: one first, the other three (two absent, one unknown) below it. */
  ct_run(idx, "MM", &r);
  assert_int_equal(r.hit[0].rank, 1);
  assert_int_equal(r.hit[1].cand, ct_rec(2)); /* unknown: no loss, so above the absent ones */
  assert_int_equal(r.hit[1].rank, 2);
  assert_int_equal(r.hit[2].rank, 3);
  assert_int_equal(r.hit[3].rank, 3);
}

static void country_codes_are_read_leniently_and_checked(void **state) {
  (void)state;
  const match_index_t *idx = ct_idx;
  match_query_t q;
  ct_query(idx, "la", &q);
  assert_string_equal(q.country, "LA");
  char ex[MATCH_EXPLAIN_MAX];
  ct_score(idx, &q, ct_rec(1), ex, sizeof ex); /* "th; la" */
  assert_non_null(strstr(ex, "country: registered in LA"));
  assert_int_equal(match_query_set_country(idx, &q, "MMR"), BH_ERR_INVALID);
  assert_int_equal(match_query_set_country(idx, &q, "M1"), BH_ERR_INVALID);
  assert_string_equal(q.country, "LA");
  assert_int_equal(match_query_set_country(idx, &q, ""), BH_OK);
  assert_string_equal(q.country, "");
}

static void generator_draws_in_country_rows_as_asked(void **state) {
  (void)state;
  gen_t g;
  gen_init(&g, 3);
  const uint64_t n = 20000;
  size_t same = 0, in_country = 0, in_reg_rows = 0;
  for (uint64_t k = 0; k < 300; k++) {
    gen_person_t a, b;
    gen_noisy_t na, nb;
    int ia, ib;
    gen_list_query(&g, k, n, &a, &ia, &na);
    gen_list_query_in(&g, k, n, "KH", 0.0, &b, &ib, &nb);
    same += a.index == b.index && ia == ib && strcmp(na.full_name, nb.full_name) == 0;
    gen_list_query_in(&g, k, n, "KH", 1.0, &b, &ib, &nb);
    assert_int_equal(ia, ib); /* whether a row has a true match does not change */
    in_country += strcmp(b.country, "KH") == 0;
    in_reg_rows += ib && b.index < n;
    char iso[3];
    gen_person_country(&g, b.index, iso);
    assert_string_equal(iso, b.country);
  }
  assert_int_equal(same, 300);
  assert_int_equal(in_country, 300);
  assert_true(in_reg_rows > 200);
  char c1[3], c2[3];
  gen_list_country(&g, 4, c1);
  gen_list_country(&g, 4, c2);
  assert_string_equal(c1, c2);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(present_record_gains_log2_m_over_u),
      cmocka_unit_test(absent_record_loses_log2_one_minus_m),
      cmocka_unit_test(record_of_unknown_countries_gets_no_country_weight),
      cmocka_unit_test(query_without_country_scores_exactly_as_without_the_evidence),
      cmocka_unit_test(list_country_ranks_the_in_country_namesake_first_but_not_strong),
      cmocka_unit_test(namesakes_of_equal_weight_share_the_first_rank),
      cmocka_unit_test(country_codes_are_read_leniently_and_checked),
      cmocka_unit_test(generator_draws_in_country_rows_as_asked),
  };
  return cmocka_run_group_tests(tests, ct_setup, ct_teardown);
}
