/*
 * test_sms_text.c - unit tests for delivery/sms_text: encoding choice, part counting, and the
 * unaccented variant an officer picks to fit one GSM-7 part.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "delivery/sms_text.h"
#include "util/buf.h"
#include "util/err.h"

static const char VI_SENTENCE[] = "Đại sứ quán Việt Nam tại Israel: bạn có an toàn không?";

static smstext_info measure(const char *s) {
  smstext_info info;
  memset(&info, 0xAB, sizeof(info));
  assert_int_equal(smstext_measure(s, strlen(s), &info), BH_OK);
  return info;
}

static void assert_info(smstext_info info, smstext_encoding enc, size_t parts, size_t units,
                        size_t left) {
  assert_int_equal(info.encoding, enc);
  assert_int_equal(info.parts, parts);
  assert_int_equal(info.units, units);
  assert_int_equal(info.units_left_in_part, left);
}

/* Fills out with the UTF-8 string unit repeated n times, then tail. */
static void repeat(buf_t *out, const char *unit, size_t n, const char *tail) {
  buf_init(out, 64 * 1024);
  for (size_t i = 0; i < n; i++) assert_int_equal(buf_puts(out, unit), BH_OK);
  assert_int_equal(buf_puts(out, tail), BH_OK);
}

static const char *unaccented(const char *in, buf_t *out) {
  buf_init(out, 64 * 1024);
  assert_int_equal(smstext_unaccented(in, strlen(in), out), BH_OK);
  return out->data != NULL ? out->data : "";
}

/* ---- measuring ---- */

static void empty_text_costs_no_part(void **state) {
  (void)state;
  assert_info(measure(""), SMSTEXT_GSM7, 0, 0, 160);
}

static void vietnamese_text_is_ucs2_and_71_chars_make_two_parts(void **state) {
  (void)state;
  assert_info(measure(VI_SENTENCE), SMSTEXT_UCS2, 1, 54, 16);
  buf_t b;
  repeat(&b, "ạ", 70, "");
  assert_info(measure(b.data), SMSTEXT_UCS2, 1, 70, 0);
  buf_free(&b);
  repeat(&b, "ạ", 71, "");
  assert_info(measure(b.data), SMSTEXT_UCS2, 2, 71, 2 * 67 - 71);
  buf_free(&b);
  repeat(&b, "ờ", 3 * 67, "");
  assert_info(measure(b.data), SMSTEXT_UCS2, 3, 201, 0);
  buf_free(&b);
}

static void one_accented_letter_makes_a_latin_text_ucs2(void **state) {
  (void)state;
  assert_int_equal(measure("Ban co an toan khong?").encoding, SMSTEXT_GSM7);
  assert_int_equal(measure("Bạn co an toan khong?").encoding, SMSTEXT_UCS2);
  /* à, è, é, ì, ò, ù are in GSM-7 themselves. */
  assert_int_equal(measure("Ban co an toàn khong?").encoding, SMSTEXT_GSM7);
}

static void gsm7_160_chars_fit_one_part_and_161_make_two(void **state) {
  (void)state;
  buf_t b;
  repeat(&b, "a", 160, "");
  assert_info(measure(b.data), SMSTEXT_GSM7, 1, 160, 0);
  buf_free(&b);
  repeat(&b, "a", 161, "");
  assert_info(measure(b.data), SMSTEXT_GSM7, 2, 161, 2 * 153 - 161);
  buf_free(&b);
}

static void every_gsm_default_alphabet_character_counts_one_septet(void **state) {
  (void)state;
  /* The 127 characters of the 3GPP TS 23.038 default alphabet, in table order, ESC left out. */
  static const char basic[] =
      "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
      "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
  assert_info(measure(basic), SMSTEXT_GSM7, 1, 127, 33);
}

static void gsm_extension_characters_count_double(void **state) {
  (void)state;
  assert_info(measure("\f^{}\\[~]|€"), SMSTEXT_GSM7, 1, 20, 140);
  buf_t b;
  repeat(&b, "€", 80, "");
  assert_info(measure(b.data), SMSTEXT_GSM7, 1, 160, 0);
  buf_free(&b);
  repeat(&b, "a", 159, "[");
  assert_info(measure(b.data), SMSTEXT_GSM7, 2, 161, 2 * 153 - 161);
  buf_free(&b);
}

static void gsm_extension_character_is_never_split_across_parts(void **state) {
  (void)state;
  /* 152 septets, then '€' (2) does not fit the 153 of part one and opens part two. */
  buf_t b;
  repeat(&b, "a", 152, "€aaaaaaaaaa");
  assert_info(measure(b.data), SMSTEXT_GSM7, 2, 164, 153 - 12);
  buf_free(&b);
}

static void characters_outside_gsm7_make_the_text_ucs2(void **state) {
  (void)state;
  assert_int_equal(measure("a`b").encoding, SMSTEXT_UCS2);
  assert_int_equal(measure("a\tb").encoding, SMSTEXT_UCS2);
  assert_int_equal(measure("ça").encoding, SMSTEXT_UCS2);
  assert_int_equal(measure("Ça").encoding, SMSTEXT_GSM7);
  /* A decomposed é is e plus a combining mark, which GSM-7 lacks. */
  assert_int_equal(measure("e\xcc\x81").encoding, SMSTEXT_UCS2);
}

static void emoji_count_two_units(void **state) {
  (void)state;
  assert_info(measure("😀"), SMSTEXT_UCS2, 1, 2, 68);
  buf_t b;
  repeat(&b, "a", 69, "😀");
  assert_info(measure(b.data), SMSTEXT_UCS2, 2, 71, 2 * 67 - 71);
  buf_free(&b);
  /* 66 units, then the emoji's surrogate pair does not fit the 67 of part one. */
  repeat(&b, "a", 66, "😀aaaaaaaaaa");
  assert_info(measure(b.data), SMSTEXT_UCS2, 2, 78, 67 - 12);
  buf_free(&b);
}

static void invalid_utf8_is_refused(void **state) {
  (void)state;
  smstext_info info = {SMSTEXT_UCS2, 7, 7, 7};
  assert_int_equal(smstext_measure("a\xc3", 2, &info), BH_ERR_INVALID);
  assert_int_equal(smstext_measure("\xc0\xaf", 2, &info), BH_ERR_INVALID);     /* overlong */
  assert_int_equal(smstext_measure("\xed\xa0\x80", 3, &info), BH_ERR_INVALID); /* surrogate */
  assert_int_equal(info.parts, 7);
  assert_int_equal(smstext_measure("a", 1, NULL), BH_ERR_INVALID);
}

static void encoding_names_match_the_gateway_protocol(void **state) {
  (void)state;
  assert_string_equal(smstext_encoding_name(SMSTEXT_GSM7), "gsm7");
  assert_string_equal(smstext_encoding_name(SMSTEXT_UCS2), "ucs2");
}

/* ---- the unaccented variant ---- */

static void unaccented_vietnamese_keeps_case_and_punctuation(void **state) {
  (void)state;
  buf_t b;
  assert_string_equal(unaccented(VI_SENTENCE, &b),
                      "Dai su quan Viet Nam tai Israel: ban co an toan khong?");
  buf_free(&b);
  assert_string_equal(unaccented("ĐƯỜNG PHỐ Hồ Chí Minh, Quảng Ngãi, Đắk Lắk", &b),
                      "DUONG PHO Ho Chi Minh, Quang Ngai, Dak Lak");
  buf_free(&b);
}

static void unaccented_handles_decomposed_vietnamese(void **state) {
  (void)state;
  buf_t b;
  /* "Việt" typed as V i e + combining circumflex + combining dot below, t. */
  assert_string_equal(unaccented("Vie\xcc\x82\xcc\xa3t Nam", &b), "Viet Nam");
  buf_free(&b);
}

static void unaccented_keeps_urls_digits_and_line_breaks(void **state) {
  (void)state;
  buf_t b;
  const char *in = "Trả lời: https://baoho.vn/c/Ab_9-x?y=1&z=%20#q\r\nGọi +84 24 3799 3125\n";
  assert_string_equal(unaccented(in, &b),
                      "Tra loi: https://baoho.vn/c/Ab_9-x?y=1&z=%20#q\r\nGoi +84 24 3799 3125\n");
  buf_free(&b);
}

static void unaccented_replaces_typographic_signs(void **state) {
  (void)state;
  buf_t b;
  assert_string_equal(unaccented("“An toàn” – 100.000₫… ‘ok’\u00a0`x`\tß ½ ﬁ €5", &b),
                      "\"An toan\" - 100.000d... 'ok' 'x' ss 1/2 fi EUR5");
  buf_free(&b);
}

static void unaccented_marks_other_scripts_and_drops_invisible_characters(void **state) {
  (void)state;
  buf_t b;
  assert_string_equal(unaccented("日本 😀 a\u200bb\u00ad\xef\xbb\xbf\x01!\u2028", &b), "?? ? ab!\n");
  buf_free(&b);
}

static void unaccented_variant_fits_one_gsm7_part(void **state) {
  (void)state;
  const char *vi =
      "Đại sứ quán Việt Nam tại Israel: bạn có an toàn không? Hãy trả lời qua đường link: "
      "https://baoho.vn/c/Xy7";
  assert_info(measure(vi), SMSTEXT_UCS2, 2, 105, 2 * 67 - 105);
  buf_t b;
  unaccented(vi, &b);
  assert_info(measure(b.data), SMSTEXT_GSM7, 1, 105, 55);
  buf_free(&b);
}

static void unaccented_output_of_every_code_point_is_gsm7(void **state) {
  (void)state;
  buf_t in, out;
  buf_init(&in, 1024);
  buf_init(&out, 64 * 1024);
  for (uint32_t cp = 1; cp <= 0x10FFFF; cp++) {
    if (cp >= 0xD800 && cp <= 0xDFFF) continue;
    char u[4];
    size_t n;
    if (cp < 0x80) {
      u[0] = (char)cp, n = 1;
    } else if (cp < 0x800) {
      u[0] = (char)(0xC0 | (cp >> 6)), u[1] = (char)(0x80 | (cp & 0x3F)), n = 2;
    } else if (cp < 0x10000) {
      u[0] = (char)(0xE0 | (cp >> 12)), u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
      u[2] = (char)(0x80 | (cp & 0x3F)), n = 3;
    } else {
      u[0] = (char)(0xF0 | (cp >> 18)), u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
      u[2] = (char)(0x80 | ((cp >> 6) & 0x3F)), u[3] = (char)(0x80 | (cp & 0x3F)), n = 4;
    }
    assert_int_equal(buf_append(&in, u, n), BH_OK);
    if (in.len < 512 && cp < 0x10FFFF) continue;
    buf_reset(&out);
    assert_int_equal(smstext_unaccented(in.data, in.len, &out), BH_OK);
    smstext_info info;
    assert_int_equal(smstext_measure(out.data, out.len, &info), BH_OK);
    if (info.encoding != SMSTEXT_GSM7) fail_msg("U+%04X gave a non-GSM-7 transliteration", cp);
    for (size_t i = 0; i < out.len; i++) assert_true((unsigned char)out.data[i] < 0x80);
    buf_reset(&in);
  }
  buf_free(&in);
  buf_free(&out);
}

static void unaccented_refuses_invalid_utf8_and_leaves_the_buffer(void **state) {
  (void)state;
  buf_t b;
  buf_init(&b, 64);
  assert_int_equal(buf_puts(&b, "keep"), BH_OK);
  assert_int_equal(smstext_unaccented("Việt\xff", strlen("Việt\xff"), &b), BH_ERR_INVALID);
  assert_string_equal(b.data, "keep");
  assert_int_equal(b.len, 4);
  buf_free(&b);
}

static void unaccented_stops_at_the_buffer_maximum(void **state) {
  (void)state;
  buf_t b;
  buf_init(&b, 8);
  assert_int_equal(buf_puts(&b, "ab"), BH_OK);
  assert_int_equal(smstext_unaccented(VI_SENTENCE, strlen(VI_SENTENCE), &b), BH_ERR_TOO_LARGE);
  assert_string_equal(b.data, "ab");
  buf_free(&b);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(empty_text_costs_no_part),
      cmocka_unit_test(vietnamese_text_is_ucs2_and_71_chars_make_two_parts),
      cmocka_unit_test(one_accented_letter_makes_a_latin_text_ucs2),
      cmocka_unit_test(gsm7_160_chars_fit_one_part_and_161_make_two),
      cmocka_unit_test(every_gsm_default_alphabet_character_counts_one_septet),
      cmocka_unit_test(gsm_extension_characters_count_double),
      cmocka_unit_test(gsm_extension_character_is_never_split_across_parts),
      cmocka_unit_test(characters_outside_gsm7_make_the_text_ucs2),
      cmocka_unit_test(emoji_count_two_units),
      cmocka_unit_test(invalid_utf8_is_refused),
      cmocka_unit_test(encoding_names_match_the_gateway_protocol),
      cmocka_unit_test(unaccented_vietnamese_keeps_case_and_punctuation),
      cmocka_unit_test(unaccented_handles_decomposed_vietnamese),
      cmocka_unit_test(unaccented_keeps_urls_digits_and_line_breaks),
      cmocka_unit_test(unaccented_replaces_typographic_signs),
      cmocka_unit_test(unaccented_marks_other_scripts_and_drops_invisible_characters),
      cmocka_unit_test(unaccented_variant_fits_one_gsm7_part),
      cmocka_unit_test(unaccented_output_of_every_code_point_is_gsm7),
      cmocka_unit_test(unaccented_refuses_invalid_utf8_and_leaves_the_buffer),
      cmocka_unit_test(unaccented_stops_at_the_buffer_maximum),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
