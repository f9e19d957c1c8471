/*
 * test_name.c - unit tests for domain/name: display form, folded search key, tokens.
 *
 * Vietnamese strings appear both as typed (precomposed UTF-8) and as explicit decomposed bytes,
 * because both reach the server from real keyboards and forms.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "domain/name.h"
#include "util/err.h"

/* Folds a NUL-terminated string into buf and checks it succeeded. */
static const char *fold(const char *in, char *buf, size_t cap) {
  size_t len = 999;
  assert_int_equal(name_fold(in, strlen(in), buf, cap, &len), BH_OK);
  assert_int_equal(len, strlen(buf));
  return buf;
}

static const char *nfc(const char *in, char *buf, size_t cap) {
  size_t len = 999;
  assert_int_equal(name_nfc(in, strlen(in), buf, cap, &len), BH_OK);
  assert_int_equal(len, strlen(buf));
  return buf;
}

static void assert_nfc_invalid(const char *in, size_t len) {
  char out[64] = "x";
  assert_int_equal(name_nfc(in, len, out, sizeof(out), NULL), BH_ERR_INVALID);
  assert_string_equal(out, "");
}

static void assert_fold_invalid(const char *in, size_t len) {
  char out[64] = "x";
  assert_int_equal(name_fold(in, len, out, sizeof(out), NULL), BH_ERR_INVALID);
  assert_string_equal(out, "");
}

/* ---- name_nfc ---- */

static void nfc_composes_decomposed_input(void **state) {
  (void)state;
  char out[64];
  assert_string_equal(nfc("Ha\xcc\x80", out, sizeof(out)), "H\xc3\xa0");
  /* e + circumflex + tilde, the way some keyboards send Nguyễn. */
  assert_string_equal(nfc("Nguye\xcc\x82\xcc\x83n", out, sizeof(out)), "Nguy\xe1\xbb\x85n");
  assert_string_equal(nfc("Pha\xcc\xa3m", out, sizeof(out)), "Ph\xe1\xba\xa1m");
  /* Circumflex and dot below in either order give the same ộ (U+1ED9). */
  assert_string_equal(nfc("Lo\xcc\x82\xcc\xa3" "c", out, sizeof(out)), "L\xe1\xbb\x99" "c");
  assert_string_equal(nfc("Lo\xcc\xa3\xcc\x82" "c", out, sizeof(out)), "L\xe1\xbb\x99" "c");
}

static void nfc_keeps_composed_input_unchanged(void **state) {
  (void)state;
  char out[64];
  assert_string_equal(nfc("Phạm Thu Hằng", out, sizeof(out)), "Phạm Thu Hằng");
  assert_string_equal(nfc("PHẠM THU HẰNG", out, sizeof(out)), "PHẠM THU HẰNG");
}

static void nfc_trims_and_collapses_whitespace(void **state) {
  (void)state;
  char out[64];
  /* Spaces, a no-break space and an ideographic space between words. */
  assert_string_equal(nfc("  Phạm \xc2\xa0 Thu\xe3\x80\x80Hằng   ", out, sizeof(out)),
                      "Phạm Thu Hằng");
}

static void nfc_of_only_spaces_is_empty(void **state) {
  (void)state;
  char out[8] = "x";
  size_t len = 99;
  assert_int_equal(name_nfc("   ", 3, out, sizeof(out), &len), BH_OK);
  assert_string_equal(out, "");
  assert_int_equal(len, 0);
}

static void nfc_reads_only_len_bytes(void **state) {
  (void)state;
  char out[16];
  size_t len = 0;
  assert_int_equal(name_nfc("Hoa\x01garbage", 3, out, sizeof(out), &len), BH_OK);
  assert_string_equal(out, "Hoa");
  assert_int_equal(len, 3);
}

static void nfc_rejects_control_characters(void **state) {
  (void)state;
  assert_nfc_invalid("Le\tVan", 6);
  assert_nfc_invalid("Le\nVan", 6);
  assert_nfc_invalid("Le\rVan", 6);
  assert_nfc_invalid("Le\x7fVan", 6);
  assert_nfc_invalid("Le\xc2\x85Van", 7); /* C1 NEL */
  assert_nfc_invalid("Le\0Van", 6);
  assert_nfc_invalid("Le\xe2\x80\xa8Van", 8); /* line separator */
}

static void nfc_rejects_bidi_override(void **state) {
  (void)state;
  assert_nfc_invalid("Le\xe2\x80\xaeVan", 8); /* U+202E */
  assert_nfc_invalid("Le\xe2\x81\xa6Van", 8); /* U+2066 */
}

static void nfc_rejects_invalid_utf8(void **state) {
  (void)state;
  assert_nfc_invalid("\xc0\xaf", 2);             /* overlong '/' */
  assert_nfc_invalid("\xc1\xbf", 2);             /* overlong */
  assert_nfc_invalid("\xe0\x80\xaf", 3);         /* overlong, three bytes */
  assert_nfc_invalid("\xf0\x80\x80\xaf", 4);     /* overlong, four bytes */
  assert_nfc_invalid("a\x80", 2);                /* lone continuation byte */
  assert_nfc_invalid("\xbf", 1);                 /* lone continuation byte */
  assert_nfc_invalid("\xed\xa0\x80", 3);         /* high surrogate U+D800 */
  assert_nfc_invalid("\xed\xbf\xbf", 3);         /* low surrogate U+DFFF */
  assert_nfc_invalid("\xf4\x90\x80\x80", 4);     /* U+110000 */
  assert_nfc_invalid("\xf5\x80\x80\x80", 4);     /* F5 lead byte */
  assert_nfc_invalid("\xff", 1);
  assert_nfc_invalid("Ph\xe1\xba", 4);           /* truncated sequence */
  assert_nfc_invalid("\xe1\xba" "a", 3);         /* continuation missing */
  assert_nfc_invalid("Ph\xe1\xba\xa1m", 4);      /* len cuts a sequence */
}

static void nfc_accepts_boundary_code_points(void **state) {
  (void)state;
  char out[16];
  assert_string_equal(nfc("\xf4\x8f\xbf\xbd", out, sizeof(out)), "\xf4\x8f\xbf\xbd");
  assert_string_equal(nfc("\xee\x80\x80", out, sizeof(out)), "\xee\x80\x80"); /* U+E000 */
}

static void nfc_reports_too_large_when_cap_is_small(void **state) {
  (void)state;
  char out[16] = "x";
  /* "Phạm Thu" is 10 bytes: it needs 11 with the NUL. */
  assert_int_equal(name_nfc("Phạm Thu", strlen("Phạm Thu"), out, 10, NULL), BH_ERR_TOO_LARGE);
  assert_string_equal(out, "");
  char fit[11];
  assert_string_equal(nfc("Phạm Thu", fit, sizeof(fit)), "Phạm Thu");
  assert_int_equal(name_nfc("a", 1, out, 0, NULL), BH_ERR_TOO_LARGE);
}

static void nfc_limits_names_to_max_bytes(void **state) {
  (void)state;
  char in[NAME_MAX_INPUT_BYTES + 2];
  char out[NAME_MAX_INPUT_BYTES + 2];
  memset(in, 'a', sizeof(in));
  assert_int_equal(name_nfc(in, NAME_MAX_BYTES, out, sizeof(out), NULL), BH_OK);
  assert_int_equal(strlen(out), NAME_MAX_BYTES);
  assert_int_equal(name_nfc(in, NAME_MAX_BYTES + 1, out, sizeof(out), NULL), BH_ERR_TOO_LARGE);
  /* Spaces that collapse do not let an over-long input through. */
  memset(in, ' ', sizeof(in));
  in[0] = 'a';
  assert_int_equal(name_nfc(in, NAME_MAX_INPUT_BYTES, out, sizeof(out), NULL), BH_OK);
  assert_int_equal(name_nfc(in, NAME_MAX_INPUT_BYTES + 1, out, sizeof(out), NULL),
                   BH_ERR_TOO_LARGE);
}

static void nfc_rejects_null_arguments(void **state) {
  (void)state;
  char out[8];
  assert_int_equal(name_nfc(NULL, 0, out, sizeof(out), NULL), BH_ERR_INVALID);
  assert_int_equal(name_nfc("a", 1, NULL, 8, NULL), BH_ERR_INVALID);
}

/* ---- name_fold ---- */

static void fold_ignores_case_and_diacritics(void **state) {
  (void)state;
  char out[64];
  assert_string_equal(fold("Phạm Thu Hằng", out, sizeof(out)), "pham thu hang");
  assert_string_equal(fold("PHẠM THU HẰNG", out, sizeof(out)), "pham thu hang");
  assert_string_equal(fold("pham thu hang", out, sizeof(out)), "pham thu hang");
}

static void fold_maps_d_stroke_to_d(void **state) {
  (void)state;
  char out[64];
  assert_string_equal(fold("Đặng Văn Đức", out, sizeof(out)), "dang van duc");
  assert_string_equal(fold("ĐỖ đình", out, sizeof(out)), "do dinh");
}

static void fold_equates_tone_mark_placements(void **state) {
  (void)state;
  char out[64];
  assert_string_equal(fold("Ho\xc3\xa0", out, sizeof(out)), "hoa");    /* Hoà, mark on a */
  assert_string_equal(fold("H\xc3\xb2" "a", out, sizeof(out)), "hoa"); /* Hòa, mark on o */
  assert_string_equal(fold("Hoa\xcc\x80", out, sizeof(out)), "hoa");   /* decomposed Hoà */
  assert_string_equal(fold("Ho\xcc\x80" "a", out, sizeof(out)), "hoa"); /* decomposed Hòa */
  assert_string_equal(fold("Thu\xcc\x89y", out, sizeof(out)), "thuy");
  assert_string_equal(fold("Th\xe1\xbb\xa7y", out, sizeof(out)), "thuy");
}

static void fold_strips_horn_and_breve(void **state) {
  (void)state;
  char out[64];
  assert_string_equal(fold("Trương Ơn Ưng Ăn Ấn", out, sizeof(out)), "truong on ung an an");
  assert_string_equal(fold("Nguye\xcc\x82\xcc\x83n", out, sizeof(out)), "nguyen");
}

static void fold_turns_punctuation_into_single_spaces(void **state) {
  (void)state;
  char out[64];
  assert_string_equal(fold("Nguyễn-Thị  Hoa", out, sizeof(out)), "nguyen thi hoa");
  assert_string_equal(fold("  O'Brien, J.-P.  ", out, sizeof(out)), "o brien j p");
  assert_string_equal(fold("D\xe2\x80\x99" "Artagnan", out, sizeof(out)), "d artagnan");
  assert_string_equal(fold("Ha\xca\xbbi", out, sizeof(out)), "ha i"); /* modifier okina */
  assert_string_equal(fold("Lê (Văn) Tám/Tâm", out, sizeof(out)), "le van tam tam");
}

static void fold_treats_controls_as_word_breaks(void **state) {
  (void)state;
  char out[64];
  assert_string_equal(fold("Le\tVan\nTam", out, sizeof(out)), "le van tam");
}

static void fold_maps_latin_letters_without_decomposition(void **state) {
  (void)state;
  char out[128];
  assert_string_equal(fold("Øystein Łukasz Straße Æsir Œuvre Þór", out, sizeof(out)),
                      "oystein lukasz strasse aesir oeuvre thor");
  assert_string_equal(fold("STRAẞE İstanbul ıl", out, sizeof(out)), "strasse istanbul il");
}

static void fold_maps_fullwidth_and_ligatures(void **state) {
  (void)state;
  char out[64];
  assert_string_equal(fold("\xef\xbc\xae\xef\xbc\xa7\xef\xbc\xb5\xef\xbc\xb9\xef\xbc\xa5\xef\xbc\xae",
                           out, sizeof(out)),
                      "nguyen");
  assert_string_equal(fold("\xef\xac\x81ona", out, sizeof(out)), "fiona"); /* fi ligature */
}

static void fold_output_is_ascii_for_vietnamese(void **state) {
  (void)state;
  char out[256];
  fold("Ấu Bảo Cường Dũng Ếch Giáp Hưởng Khuê Lữ Mỵ Nhượng Ổn Quỳnh Sửu Tưởng Uyên Vỹ Ỷ Đoàn",
       out, sizeof(out));
  for (const char *p = out; *p != '\0'; p++)
    assert_true((unsigned char)*p < 0x80);
  assert_string_equal(out,
                      "au bao cuong dung ech giap huong khue lu my nhuong on quynh suu tuong uyen "
                      "vy y doan");
}

static void fold_keeps_other_scripts_lowercased(void **state) {
  (void)state;
  char out[64];
  /* Greek: lowercased and the tonos removed. */
  assert_string_equal(fold("ΕΛΈΝΗ", out, sizeof(out)), "ελενη");
  /* Han characters pass through unchanged. */
  assert_string_equal(fold("王 小明", out, sizeof(out)), "王 小明");
}

static void fold_keeps_digits(void **state) {
  (void)state;
  char out[64];
  assert_string_equal(fold("Nguyen Van A2", out, sizeof(out)), "nguyen van a2");
}

static void fold_of_punctuation_only_is_empty(void **state) {
  (void)state;
  char out[8] = "x";
  size_t len = 9;
  assert_int_equal(name_fold(" -.,' ", 6, out, sizeof(out), &len), BH_OK);
  assert_string_equal(out, "");
  assert_int_equal(len, 0);
}

static void fold_rejects_invalid_utf8(void **state) {
  (void)state;
  assert_fold_invalid("\xc0\xaf", 2);
  assert_fold_invalid("Ha\x80", 3);
  assert_fold_invalid("\xed\xa0\x80", 3);
  assert_fold_invalid("\xf8\x88\x80\x80\x80", 5);
  assert_fold_invalid("Ph\xe1\xba", 4);
}

static void fold_reports_too_large_when_cap_is_small(void **state) {
  (void)state;
  char out[16] = "x";
  const char *in = "Phạm Thu Hằng"; /* folds to 13 bytes */
  assert_int_equal(name_fold(in, strlen(in), out, 13, NULL), BH_ERR_TOO_LARGE);
  assert_string_equal(out, "");
  assert_string_equal(fold(in, out, 14), "pham thu hang");
  char in_big[NAME_MAX_INPUT_BYTES + 1];
  memset(in_big, 'a', sizeof(in_big));
  char big[NAME_MAX_INPUT_BYTES + 8];
  assert_int_equal(name_fold(in_big, NAME_MAX_BYTES + 1, big, sizeof(big), NULL),
                   BH_ERR_TOO_LARGE);
  assert_int_equal(name_fold(in_big, sizeof(in_big), big, sizeof(big), NULL), BH_ERR_TOO_LARGE);
}

static void fold_too_large_when_expansion_overflows(void **state) {
  (void)state;
  /* 200 ß fit as input but fold to 400 bytes. */
  char in[400];
  for (size_t i = 0; i < 200; i++)
    memcpy(in + 2 * i, "\xc3\x9f", 2);
  char out[1024];
  assert_int_equal(name_fold(in, sizeof(in), out, sizeof(out), NULL), BH_ERR_TOO_LARGE);
  assert_int_equal(name_fold(in, 300, out, sizeof(out), NULL), BH_OK);
  assert_int_equal(strlen(out), 300);
}

/* ---- tokens and keys ---- */

static void tokens_split_a_folded_key(void **state) {
  (void)state;
  char tokens[NAME_MAX_TOKENS][NAME_TOKEN_MAX];
  assert_int_equal(name_tokens("pham thu hang", tokens, NAME_MAX_TOKENS), 3);
  assert_string_equal(tokens[0], "pham");
  assert_string_equal(tokens[1], "thu");
  assert_string_equal(tokens[2], "hang");
  assert_int_equal(name_tokens("  a  b ", tokens, NAME_MAX_TOKENS), 2);
  assert_string_equal(tokens[1], "b");
  assert_int_equal(name_tokens("", tokens, NAME_MAX_TOKENS), 0);
  assert_int_equal(name_tokens(NULL, tokens, NAME_MAX_TOKENS), 0);
}

static void tokens_stop_at_max_tokens(void **state) {
  (void)state;
  char tokens[2][NAME_TOKEN_MAX];
  assert_int_equal(name_tokens("a b c d", tokens, 2), 2);
  assert_string_equal(tokens[0], "a");
  assert_string_equal(tokens[1], "b");
}

static void tokens_cut_long_tokens_at_character_boundary(void **state) {
  (void)state;
  char tokens[2][NAME_TOKEN_MAX];
  char in[80];
  memset(in, 'a', 40);
  in[40] = '\0';
  assert_int_equal(name_tokens(in, tokens, 2), 1);
  assert_int_equal(strlen(tokens[0]), NAME_TOKEN_MAX - 1);
  /* 20 two-byte letters (40 bytes): 31 bytes would split one, so 30 are kept. */
  for (int i = 0; i < 20; i++)
    memcpy(in + 2 * i, "\xce\xb1", 2);
  in[40] = '\0';
  assert_int_equal(name_tokens(in, tokens, 2), 1);
  assert_int_equal(strlen(tokens[0]), 30);
}

static void sorted_key_ignores_word_order(void **state) {
  (void)state;
  static const char *const orders[] = {"pham thu hang", "pham hang thu", "thu pham hang",
                                       "thu hang pham", "hang pham thu", "hang thu pham"};
  char out[32];
  for (size_t i = 0; i < sizeof(orders) / sizeof(orders[0]); i++) {
    assert_int_equal(name_sorted_key(orders[i], out, sizeof(out)), BH_OK);
    assert_string_equal(out, "hang pham thu");
  }
  assert_int_equal(name_sorted_key("  b   a ", out, sizeof(out)), BH_OK);
  assert_string_equal(out, "a b");
  assert_int_equal(name_sorted_key("ab a", out, sizeof(out)), BH_OK);
  assert_string_equal(out, "a ab");
}

static void sorted_key_of_folded_names_matches_any_order(void **state) {
  (void)state;
  char f1[64], f2[64], k1[64], k2[64];
  fold("Phạm Thu Hằng", f1, sizeof(f1));
  fold("HẰNG, Pham-Thu", f2, sizeof(f2));
  assert_int_equal(name_sorted_key(f1, k1, sizeof(k1)), BH_OK);
  assert_int_equal(name_sorted_key(f2, k2, sizeof(k2)), BH_OK);
  assert_string_equal(k1, k2);
}

static void sorted_key_reports_too_large(void **state) {
  (void)state;
  char out[13] = "x";
  assert_int_equal(name_sorted_key("pham thu hang", out, sizeof(out)), BH_ERR_TOO_LARGE);
  assert_string_equal(out, "");
  char fit[14];
  assert_int_equal(name_sorted_key("pham thu hang", fit, sizeof(fit)), BH_OK);
  assert_int_equal(name_sorted_key("a", fit, 0), BH_ERR_TOO_LARGE);
  assert_int_equal(name_sorted_key(NULL, fit, sizeof(fit)), BH_ERR_INVALID);
}

static void sorted_key_handles_many_one_letter_tokens(void **state) {
  (void)state;
  char in[NAME_MAX_BYTES + 1];
  for (size_t i = 0; i < NAME_MAX_BYTES; i++)
    in[i] = (i % 2 == 0) ? (char)('z' - (i / 2) % 26) : ' ';
  in[NAME_MAX_BYTES] = '\0';
  char out[NAME_MAX_BYTES + 1];
  assert_int_equal(name_sorted_key(in, out, sizeof(out)), BH_OK);
  assert_int_equal(out[0], 'a');
  assert_int_equal(out[strlen(out) - 1], 'z');
}

static void common_middle_recognises_thi_and_van(void **state) {
  (void)state;
  assert_true(name_is_common_middle("thi"));
  assert_true(name_is_common_middle("van"));
  assert_true(name_is_common_middle("huu"));
  assert_false(name_is_common_middle("pham"));
  assert_false(name_is_common_middle("Thi")); /* tokens are folded */
  assert_false(name_is_common_middle(""));
  assert_false(name_is_common_middle(NULL));
}

static void variant_close_pairs_regional_surnames(void **state) {
  (void)state;
  assert_true(name_variant_close("hoang", "huynh"));
  assert_true(name_variant_close("huynh", "hoang"));
  assert_true(name_variant_close("vu", "vo"));
  assert_true(name_variant_close("phuoc", "phuc"));
  assert_true(name_variant_close("tran", "tran"));
  assert_false(name_variant_close("tran", "nguyen"));
  assert_false(name_variant_close("hoang", "vo"));
  assert_false(name_variant_close(NULL, "vo"));
}

static void variant_canon_maps_other_spelling_to_canonical(void **state) {
  (void)state;
  assert_string_equal(name_variant_canon("huynh", 5), "hoang");
  assert_string_equal(name_variant_canon("vo", 2), "vu");
  assert_string_equal(name_variant_canon("phuocxx", 5), "phuc"); /* only len bytes are read */
  assert_null(name_variant_canon("hoang", 5)); /* already canonical */
  assert_null(name_variant_canon("tran", 4));
  assert_null(name_variant_canon("vo", 1));
  assert_null(name_variant_canon(NULL, 0));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(nfc_composes_decomposed_input),
      cmocka_unit_test(nfc_keeps_composed_input_unchanged),
      cmocka_unit_test(nfc_trims_and_collapses_whitespace),
      cmocka_unit_test(nfc_of_only_spaces_is_empty),
      cmocka_unit_test(nfc_reads_only_len_bytes),
      cmocka_unit_test(nfc_rejects_control_characters),
      cmocka_unit_test(nfc_rejects_bidi_override),
      cmocka_unit_test(nfc_rejects_invalid_utf8),
      cmocka_unit_test(nfc_accepts_boundary_code_points),
      cmocka_unit_test(nfc_reports_too_large_when_cap_is_small),
      cmocka_unit_test(nfc_limits_names_to_max_bytes),
      cmocka_unit_test(nfc_rejects_null_arguments),
      cmocka_unit_test(fold_ignores_case_and_diacritics),
      cmocka_unit_test(fold_maps_d_stroke_to_d),
      cmocka_unit_test(fold_equates_tone_mark_placements),
      cmocka_unit_test(fold_strips_horn_and_breve),
      cmocka_unit_test(fold_turns_punctuation_into_single_spaces),
      cmocka_unit_test(fold_treats_controls_as_word_breaks),
      cmocka_unit_test(fold_maps_latin_letters_without_decomposition),
      cmocka_unit_test(fold_maps_fullwidth_and_ligatures),
      cmocka_unit_test(fold_output_is_ascii_for_vietnamese),
      cmocka_unit_test(fold_keeps_other_scripts_lowercased),
      cmocka_unit_test(fold_keeps_digits),
      cmocka_unit_test(fold_of_punctuation_only_is_empty),
      cmocka_unit_test(fold_rejects_invalid_utf8),
      cmocka_unit_test(fold_reports_too_large_when_cap_is_small),
      cmocka_unit_test(fold_too_large_when_expansion_overflows),
      cmocka_unit_test(tokens_split_a_folded_key),
      cmocka_unit_test(tokens_stop_at_max_tokens),
      cmocka_unit_test(tokens_cut_long_tokens_at_character_boundary),
      cmocka_unit_test(sorted_key_ignores_word_order),
      cmocka_unit_test(sorted_key_of_folded_names_matches_any_order),
      cmocka_unit_test(sorted_key_reports_too_large),
      cmocka_unit_test(sorted_key_handles_many_one_letter_tokens),
      cmocka_unit_test(common_middle_recognises_thi_and_van),
      cmocka_unit_test(variant_close_pairs_regional_surnames),
      cmocka_unit_test(variant_canon_maps_other_spelling_to_canonical),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
