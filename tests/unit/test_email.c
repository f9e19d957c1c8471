/*
 * test_email.c - unit tests for delivery/email without a server: address validation, the built
 * message (headers, encoded subject, body encoding), refusal of header injection before anything
 * is sent, and relay URL checks. Delivery through a real SMTP server is in test_delivery.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <curl/curl.h>

#include "delivery/email.h"
#include "util/buf.h"
#include "util/err.h"

/* A TCP port on 127.0.0.1 that nothing listens on (bound, then released). */
static uint16_t unused_port(void) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  assert_true(fd >= 0);
  struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = 0};
  sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  assert_int_equal(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
  socklen_t len = sizeof(sin);
  assert_int_equal(getsockname(fd, (struct sockaddr *)&sin, &len), 0);
  close(fd);
  return ntohs(sin.sin_port);
}

/* A valid alert message to `to`; its Vietnamese body, with the link, lives in vi. */
static email_message alert_email(const char *to, const char *msgid, const char *link, buf_t *vi) {
  buf_init(vi, 4096);
  assert_int_equal(buf_printf(vi, "Đại sứ quán Việt Nam: bạn có an toàn không?\n%s\n", link), 0);
  email_message m = {.from = "canhbao@lanhsuvietnam.gov.vn",
                     .from_name = "Cục Lãnh sự",
                     .to = to,
                     .subject = "Đại sứ quán Việt Nam tại Israel",
                     .message_id = msgid,
                     .body_vi = vi->data,
                     .body_en = "Are you safe?",
                     .date = 1717495200};
  return m;
}

/* Sends m to a port nothing listens on: a refusal before sending is permanent, whereas any
 * attempt would have been a temporary connection failure. */
static void assert_refused_before_sending(email_message m) {
  char url[64];
  snprintf(url, sizeof(url), "smtp://127.0.0.1:%u", unused_port());
  email_config cfg = {.url = url, .timeout_ms = 2000};
  email_sender *s = NULL;
  assert_int_equal(email_sender_new(&cfg, &s), BH_OK);
  email_result r;
  assert_int_equal(email_send(s, &m, &r), BH_ERR_INVALID);
  assert_int_equal(r.status, EMAIL_PERMFAIL);
  assert_non_null(strstr(r.reply, "not sent"));
  email_sender_free(s);
}

static void email_header_injection_is_refused_before_sending(void **state) {
  (void)state;
  buf_t vi;
  email_message base = alert_email("a@example.org", "m5@baoho.test", "https://x.test/c/5", &vi);
  email_message m = base;
  m.subject = "Alert\r\nBcc: victim@example.org";
  assert_refused_before_sending(m);
  m = base;
  m.subject = "Alert\nX-Evil: 1";
  assert_refused_before_sending(m);
  m = base;
  m.from_name = "Cục\r\nBcc: x@example.org";
  assert_refused_before_sending(m);
  m = base;
  m.to = "a@example.org>\r\nRCPT TO:<b@example.org";
  assert_refused_before_sending(m);
  m = base;
  m.to = "a@example.org\n";
  assert_refused_before_sending(m);
  m = base;
  m.message_id = "<m5@baoho.test>\r\nBcc: x@example.org";
  assert_refused_before_sending(m);
  m = base;
  m.subject = "Alert\x85more"; /* bad UTF-8 */
  assert_refused_before_sending(m);
  m = base;
  m.body_vi = "Vi\xe1\xbb"; /* truncated UTF-8 */
  assert_refused_before_sending(m);
  m = base;
  m.body_vi = m.body_en = "";
  assert_refused_before_sending(m);
  buf_free(&vi);
}

static void email_address_validation_accepts_plain_addresses_only(void **state) {
  (void)state;
  assert_true(email_address_valid("a@example.org"));
  assert_true(email_address_valid("nguyen.van-a+alerts@mail.gov.vn"));
  assert_true(email_address_valid("root@localhost"));
  assert_false(email_address_valid(NULL));
  assert_false(email_address_valid(""));
  assert_false(email_address_valid("a"));
  assert_false(email_address_valid("@example.org"));
  assert_false(email_address_valid("a@"));
  assert_false(email_address_valid("a@@example.org"));
  assert_false(email_address_valid("a b@example.org"));
  assert_false(email_address_valid(".a@example.org"));
  assert_false(email_address_valid("a..b@example.org"));
  assert_false(email_address_valid("a@-example.org"));
  assert_false(email_address_valid("a@example-.org"));
  assert_false(email_address_valid("a@example..org"));
  assert_false(email_address_valid("a@exam_ple.org"));
  assert_false(email_address_valid("\"a\"@example.org"));
  assert_false(email_address_valid("a@[127.0.0.1]"));
  assert_false(email_address_valid("nguyễn@example.org"));
  assert_false(email_address_valid("a@example.org\r\n"));
  char longer[300];
  memset(longer, 'a', 65);
  snprintf(longer + 65, sizeof(longer) - 65, "@example.org");
  assert_false(email_address_valid(longer)); /* local part over 64 */
}

static void email_build_writes_headers_and_picks_the_shorter_body_encoding(void **state) {
  (void)state;
  buf_t out, vi;
  buf_init(&out, EMAIL_MESSAGE_MAX);
  email_message m = alert_email("a@example.org", "m6@baoho.test", "https://x.test/c/6", &vi);
  m.subject = "Travel advisory: Israel";
  m.from_name = "Consular Department";
  m.body_vi = NULL;
  m.body_en = "Leave the area now.\nhttps://x.test/c/6 \n.\nFrom here";
  assert_int_equal(email_build(&m, &out), BH_OK);
  assert_non_null(strstr(out.data, "Subject: Travel advisory: Israel\r\n"));
  assert_non_null(strstr(out.data, "From: Consular Department\r\n <canhbao@lanhsuvietnam.gov.vn>"));
  assert_non_null(strstr(out.data, "Message-ID: <m6@baoho.test>\r\n"));
  assert_non_null(strstr(out.data, "MIME-Version: 1.0\r\n"));
  assert_non_null(strstr(out.data, "Content-Transfer-Encoding: quoted-printable\r\n"));
  assert_non_null(strstr(out.data, "Content-Language: en\r\n"));
  /* Trailing space encoded, a lone dot and a "From " line start escaped. */
  assert_non_null(strstr(out.data, "https://x.test/c/6=20\r\n=2E\r\n=46rom here\r\n"));
  buf_reset(&out);
  m.body_en = NULL;
  m.body_vi = "Đại sứ quán Việt Nam tại Israel: bạn có an toàn không?";
  assert_int_equal(email_build(&m, &out), BH_OK);
  assert_non_null(strstr(out.data, "Content-Transfer-Encoding: base64\r\n"));
  assert_non_null(strstr(out.data, "Content-Language: vi\r\n"));
  /* Both languages: Vietnamese first, or English first for a reader who prefers it. */
  buf_reset(&out);
  m.body_vi = "Hãy rời khỏi khu vực.";
  m.body_en = "Leave the area.";
  assert_int_equal(email_build(&m, &out), BH_OK);
  assert_non_null(strstr(out.data, "Content-Language: vi, en\r\n"));
  buf_reset(&out);
  m.en_first = 1;
  m.body_vi = "Hay roi khoi khu vuc.";
  assert_int_equal(email_build(&m, &out), BH_OK);
  assert_non_null(strstr(out.data, "Content-Language: en, vi\r\n"));
  const char *en_at = strstr(out.data, "Leave the area."), *vi_at = strstr(out.data, "Hay roi");
  assert_non_null(en_at);
  assert_non_null(vi_at);
  assert_true(en_at < vi_at);
  m.en_first = 0;
  m.body_en = NULL;
  m.body_vi = "Đại sứ quán Việt Nam tại Israel: bạn có an toàn không?";
  /* A subject that looks like an encoded-word is encoded itself. */
  buf_reset(&out);
  m.subject = "=?UTF-8?B?SGk=?=";
  assert_int_equal(email_build(&m, &out), BH_OK);
  assert_null(strstr(out.data, "Subject: =?UTF-8?B?SGk=?=\r\n"));
  buf_free(&out);
  buf_free(&vi);
}

static void email_build_leaves_the_buffer_unchanged_on_error(void **state) {
  (void)state;
  buf_t out, vi;
  buf_init(&out, 200);
  assert_int_equal(buf_puts(&out, "keep"), BH_OK);
  email_message m = alert_email("a@example.org", "m7@baoho.test", "https://x.test/c/7", &vi);
  assert_int_equal(email_build(&m, &out), BH_ERR_TOO_LARGE);
  assert_string_equal(out.data, "keep");
  m.to = "bad";
  assert_int_equal(email_build(&m, &out), BH_ERR_INVALID);
  assert_string_equal(out.data, "keep");
  buf_free(&out);
  buf_free(&vi);
}

static void email_sender_accepts_only_smtp_urls(void **state) {
  (void)state;
  email_sender *s = NULL;
  const char *bad[] = {"http://127.0.0.1:25", "127.0.0.1:25", "", "smtpx://a"};
  for (size_t i = 0; i < 4; i++) {
    email_config cfg = {.url = bad[i], .timeout_ms = 0};
    assert_int_equal(email_sender_new(&cfg, &s), BH_ERR_INVALID);
  }
  const char *good[] = {"smtp://127.0.0.1:2525", "smtps://mail.example.org",
                        "smtp+starttls://mail.example.org:587"};
  for (size_t i = 0; i < 3; i++) {
    email_config cfg = {.url = good[i], .timeout_ms = 0};
    assert_int_equal(email_sender_new(&cfg, &s), BH_OK);
    email_sender_free(s);
  }
  email_sender_free(NULL);
}

int main(void) {
  if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) return 1;
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(email_header_injection_is_refused_before_sending),
      cmocka_unit_test(email_address_validation_accepts_plain_addresses_only),
      cmocka_unit_test(email_build_writes_headers_and_picks_the_shorter_body_encoding),
      cmocka_unit_test(email_build_leaves_the_buffer_unchanged_on_error),
      cmocka_unit_test(email_sender_accepts_only_smtp_urls),
  };
  int failed = cmocka_run_group_tests(tests, NULL, NULL);
  curl_global_cleanup();
  return failed;
}
