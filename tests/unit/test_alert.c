/*
 * test_alert.c - the domain rules of mass alerts (alert.h) and, on a real SQLite file, the
 * escalation of an unanswered alert (store_alert_escalate): a second round of messages to
 * non-responders only, then the call list with the emergency contacts who consented.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alert/alert.h"
#include "delivery/outbox.h"
#include "delivery/sms_text.h"
#include "store/store.h"
#include "store/store_alert.h"
#include "util/clock.h"
#include "util/err.h"

static void sms_keywords_with_and_without_diacritics_map_to_answers(void **state) {
  (void)state;
  assert_string_equal(alert_sms_answer("AN TOAN"), "safe");
  assert_string_equal(alert_sms_answer("AN TOÀN"), "safe");
  assert_string_equal(alert_sms_answer("an toàn, cảm ơn"), "safe");
  assert_string_equal(alert_sms_answer("SAFE"), "safe");
  assert_string_equal(alert_sms_answer("  safe."), "safe");
  assert_string_equal(alert_sms_answer("CAN GIUP"), "need_help");
  assert_string_equal(alert_sms_answer("CẦN GIÚP"), "need_help");
  assert_string_equal(alert_sms_answer("Cần giúp đỡ gấp"), "need_help");
  assert_string_equal(alert_sms_answer("HELP"), "need_help");
  assert_string_equal(alert_sms_answer("NOT HERE"), "not_in_area");
  assert_null(alert_sms_answer("hello"));
  assert_null(alert_sms_answer("ANTOAN"));
  assert_null(alert_sms_answer("safety first"));
  assert_null(alert_sms_answer("\xff\xfe"));
  assert_null(alert_sms_answer(""));
}

static void answers_set_the_welfare_status(void **state) {
  (void)state;
  assert_string_equal(alert_answer_status("safe"), "safe");
  assert_string_equal(alert_answer_status("need_help"), "needs_assistance");
  assert_string_equal(alert_answer_status("not_in_area"), "left_area");
  assert_null(alert_answer_status("maybe"));
}

static void tokens_are_43_base64url_chars_bound_to_alert_and_person(void **state) {
  (void)state;
  unsigned char master[SECRET_KEY_BYTES] = {7};
  secret_t keys;
  assert_int_equal(secret_init(), BH_OK);
  secret_from_master(master, &keys);
  char a[ALERT_TOKEN_LEN + 1], b[ALERT_TOKEN_LEN + 1], c[ALERT_TOKEN_LEN + 1];
  alert_token(&keys, 1, 2, a);
  alert_token(&keys, 1, 3, b);
  alert_token(&keys, 2, 2, c);
  assert_int_equal(strlen(a), ALERT_TOKEN_LEN);
  assert_true(alert_token_well_formed(a));
  assert_string_not_equal(a, b);
  assert_string_not_equal(a, c);
  char again[ALERT_TOKEN_LEN + 1];
  alert_token(&keys, 1, 2, again);
  assert_string_equal(a, again);
  assert_false(alert_token_well_formed("short"));
  assert_false(alert_token_well_formed(NULL));
  char bad[ALERT_TOKEN_LEN + 1];
  memcpy(bad, a, sizeof(bad));
  bad[5] = '/';
  assert_false(alert_token_well_formed(bad));
}

static void sms_text_carries_the_link_and_fits_the_part_limit(void **state) {
  (void)state;
  alert_t a = {.subject_vi = "Đại sứ quán: bạn có an toàn không?", .subject_en = "Are you safe?",
               .ask_checkin = 1};
  buf_t out;
  buf_init(&out, 4096);
  assert_int_equal(alert_sms_text(&a, "vi", "https://x.example/c/TOKEN", &out), BH_OK);
  assert_non_null(strstr(out.data, "Dai su quan"));
  assert_non_null(strstr(out.data, "https://x.example/c/TOKEN"));
  assert_non_null(strstr(out.data, "AN TOAN"));
  buf_free(&out);
  alert_sms_info_t info;
  assert_int_equal(alert_sms_measure(&a, "vi", "https://x.example", &info), BH_OK);
  assert_string_equal(info.encoding, "gsm7");
  assert_int_equal(info.parts, 1);
  /* An accented text given by the author is UCS-2 and costs more parts. */
  a.sms_vi = "Đại sứ quán Việt Nam đề nghị công dân ở trong nhà, tránh xa khu vực biên giới.";
  assert_int_equal(alert_sms_measure(&a, "vi", "https://x.example", &info), BH_OK);
  assert_string_equal(info.encoding, "ucs2");
  assert_true(info.parts >= 2);
  char longer[4000];
  memset(longer, 'x', sizeof(longer) - 1);
  longer[sizeof(longer) - 1] = '\0';
  a.sms_vi = longer;
  assert_int_equal(alert_sms_measure(&a, "vi", "https://x.example", &info), BH_ERR_TOO_LARGE);
}

static void recipient_language_picks_sms_text_and_email_order(void **state) {
  (void)state;
  assert_string_equal(alert_lang("en"), "en");
  assert_string_equal(alert_lang("vi"), "vi");
  assert_string_equal(alert_lang(NULL), "vi");
  assert_string_equal(alert_lang("fr"), "vi");
  alert_t a = {.subject_vi = "Cháy rừng", .subject_en = "Forest fires", .body_vi = "Rời đi.",
               .body_en = "Leave.", .ask_checkin = 1};
  buf_t out;
  buf_init(&out, 4096);
  assert_int_equal(alert_email_subject(&a, "en", &out), BH_OK);
  assert_string_equal(out.data, "Forest fires / Cháy rừng");
  buf_reset(&out);
  assert_int_equal(alert_email_subject(&a, "vi", &out), BH_OK);
  assert_string_equal(out.data, "Cháy rừng / Forest fires");
  buf_reset(&out);
  assert_int_equal(alert_sms_text(&a, "en", "https://x.example/c/T", &out), BH_OK);
  assert_non_null(strstr(out.data, "Forest fires"));
  assert_non_null(strstr(out.data, "Reply SAFE"));
  assert_null(strstr(out.data, "Chay rung"));
  buf_reset(&out);
  assert_int_equal(alert_sms_text(&a, "vi", "https://x.example/c/T", &out), BH_OK);
  assert_non_null(strstr(out.data, "Chay rung"));
  assert_null(strstr(out.data, "Forest"));
  buf_free(&out);
}

static int count_calls(void *ctx, const call_row_t *row) {
  int *n = ctx;
  (*n)++;
  /* Only the contact who consented is listed. */
  assert_int_equal(json_array_size(row->contacts), 1);
  assert_string_equal(json_string_value(json_object_get(json_array_get(row->contacts, 0), "name")),
                      "Consenting Sister");
  return 0;
}

static void unanswered_alert_is_sent_again_then_listed_for_calls(void **state) {
  (void)state;
  char path[] = "/tmp/baoho-test-alert-XXXXXX";
  int fd = mkstemp(path);
  assert_true(fd >= 0);
  close(fd);
  unlink(path);
  unsigned char master[SECRET_KEY_BYTES] = {9};
  secret_t keys;
  secret_from_master(master, &keys);
  store_t *s;
  assert_int_equal(store_open(path, &keys, STORE_SYNC_NORMAL, &s), BH_OK);
  store_conn_t *c = store_conn(s);
  int64_t person[3];
  for (int i = 0; i < 3; i++) {
    person_t p = {.full_name = "Esc Person", .sex = "F", .source = "officer", .status = "unknown"};
    p.contacts = json_pack("[{s:s, s:b}, {s:s, s:b}]", "name", "Consenting Sister",
                           "consent_to_disclose", 1, "name", "Private Brother",
                           "consent_to_disclose", 0);
    assert_int_equal(store_person_create(c, &p), BH_OK);
    person[i] = p.id;
    person_clear(&p);
  }
  crisis_t k = {.name = "Esc", .kind = "unrest", .countries = json_pack("[s]", "LB"),
                .regions = json_array()};
  assert_int_equal(store_crisis_create(c, &k), BH_OK);
  int64_t now = clock_now();
  alert_t a = {.crisis_id = k.id, .status = "sending", .subject_vi = "s", .subject_en = "s",
               .body_vi = "b", .body_en = "b", .channels = json_pack("[s]", "email"),
               .ask_checkin = 1, .created_at = now - 3600};
  alert_extra_t x = {.resend_after_minutes = 10};
  assert_int_equal(store_begin_write(c), BH_OK);
  assert_int_equal(store_alert_create(c, &a, &x), BH_OK);
  for (int i = 0; i < 3; i++) {
    alert_recipient_in_t in = {.person_id = person[i], .lang = "vi", .email = "x@example.org"};
    alert_token_hash(&keys, a.id, person[i], in.token_hash);
    assert_int_equal(store_alert_add_recipient(c, a.id, &in, 1, 0, now), BH_OK);
  }
  assert_int_equal(store_alert_set_recipients(c, a.id, 3, 0, now - 3600), BH_OK);
  assert_int_equal(store_commit(c), BH_OK);
  /* Person 0 answers. */
  arena_t *ar = arena_new(1 << 20);
  unsigned char hash[SECRET_TOKEN_HASH_BYTES];
  alert_token_hash(&keys, a.id, person[0], hash);
  checkin_target_t t;
  assert_int_equal(store_checkin_target(c, hash, ar, &t), BH_OK);
  checkin_t ans = {.target = &t, .answer = "safe", .source = "web", .at = now};
  assert_int_equal(store_begin_write(c), BH_OK);
  assert_int_equal(store_checkin_record(c, &ans), BH_OK);
  assert_int_equal(store_commit(c), BH_OK);
  /* First escalation: the two others get the alert again. */
  int64_t id;
  int stage;
  assert_int_equal(store_alert_escalate(c, now, OUTBOX_MINUTE_S, &id, &stage), BH_OK);
  assert_int_equal(id, a.id);
  assert_int_equal(stage, ALERT_STAGE_RESENT);
  alert_figures_t f;
  assert_int_equal(store_alert_figures(c, a.id, &f), BH_OK);
  assert_int_equal(f.messages[OUTBOX_EMAIL][OUTBOX_QUEUED], 3 + 2);
  assert_int_equal(f.answers[0], 1);
  /* Second: listed for calls; then nothing is due any more. */
  assert_int_equal(store_alert_escalate(c, now, OUTBOX_MINUTE_S, &id, &stage), BH_OK);
  assert_int_equal(stage, ALERT_STAGE_CALLS);
  assert_int_equal(store_alert_escalate(c, now, OUTBOX_MINUTE_S, &id, &stage), BH_OK);
  assert_int_equal(id, 0);
  int calls = 0;
  assert_int_equal(store_alert_call_list(c, a.id, ar, count_calls, &calls), BH_OK);
  assert_int_equal(calls, 2);
  arena_free(ar);
  alert_clear(&a);
  crisis_clear(&k);
  store_close(s);
  unlink(path);
  /* The database and its side files: the WAL, the shared memory, and the read-audit file
   * with its own WAL and shared memory. */
  static const char *const sides[] = {"-wal", "-shm", "-audit", "-audit-wal", "-audit-shm"};
  for (size_t i = 0; i < sizeof(sides) / sizeof(sides[0]); i++) {
    char side[128];
    snprintf(side, sizeof(side), "%s%s", path, sides[i]);
    unlink(side);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(sms_keywords_with_and_without_diacritics_map_to_answers),
      cmocka_unit_test(answers_set_the_welfare_status),
      cmocka_unit_test(tokens_are_43_base64url_chars_bound_to_alert_and_person),
      cmocka_unit_test(sms_text_carries_the_link_and_fits_the_part_limit),
      cmocka_unit_test(recipient_language_picks_sms_text_and_email_order),
      cmocka_unit_test(unanswered_alert_is_sent_again_then_listed_for_calls),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
