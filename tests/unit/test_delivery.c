/*
 * test_delivery.c - the delivery channels against real servers: email through a real SMTP server
 * (tests/tools/smtp_sink.py on Debian's python3-aiosmtpd, storing into a Maildir that the test
 * reads back and decodes) and SMS through a fake HTTP gateway run in this process with
 * libmicrohttpd, which checks our signature and can be told to answer any status or to stall.
 * Tests that need no server are in test_email.c, test_sms.c, test_backoff.c and test_sms_text.c.
 *
 * The SMTP tests print "SKIPPED: python3-aiosmtpd not installed" and are skipped when no Python
 * with aiosmtpd is found (BAOHO_PYTHON, then /usr/bin/python3, then python3 on PATH). The sink
 * script is found next to this file (tests/tools) or at BAOHO_SMTP_SINK.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <curl/curl.h>
#include <jansson.h>
#include <microhttpd.h>
#include <sodium.h>

#include "delivery/email.h"
#include "delivery/sms.h"
#include "util/buf.h"
#include "util/err.h"

extern char **environ;

#define PATH_SIZE 1024
static const char VI_SUBJECT[] =
    "Đại sứ quán Việt Nam tại Israel: bạn có an toàn không? Xin trả lời ngay qua đường link";
static const char VI_BODY[] =
    "Đại sứ quán Việt Nam tại Israel: bạn có an toàn không?\n"
    "Hãy bấm vào đường link dưới đây để cho chúng tôi biết tình trạng của bạn.";
static const char EN_BODY[] =
    "Embassy of Viet Nam in Israel: are you safe?\n"
    "Please answer by opening the link in the Vietnamese text above, or reply SAFE or HELP to the "
    "text message you received. If you need urgent help, call the embassy hotline at any hour.\n"
    "Stay away from the border areas, follow the instructions of the local authorities and keep "
    "your passport with you.";
static const char SECRET[] = "test-secret-0123456789abcdef";

/* ---- helpers: processes and ports ---- */

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

/* Runs argv (looked up on PATH) with all output discarded; returns its exit status or -1. */
static int run_quiet(char *const argv[]) {
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
  pid_t pid;
  int rc = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
  posix_spawn_file_actions_destroy(&fa);
  int status = -1;
  if (rc != 0 || waitpid(pid, &status, 0) != pid) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* Finds a Python that has aiosmtpd into py; returns 0 if there is none. */
static int find_python(char py[PATH_SIZE]) {
  const char *candidates[] = {getenv("BAOHO_PYTHON"), "/usr/bin/python3", "python3"};
  for (size_t i = 0; i < 3; i++) {
    if (candidates[i] == NULL || candidates[i][0] == '\0') continue;
    char *argv[] = {(char *)candidates[i], (char *)"-c", (char *)"import aiosmtpd", NULL};
    if (run_quiet(argv) == 0) {
      snprintf(py, PATH_SIZE, "%s", candidates[i]);
      return 1;
    }
  }
  return 0;
}

/* The sink script: BAOHO_SMTP_SINK, or tests/tools/smtp_sink.py beside this file's folder. */
static void sink_script(char path[PATH_SIZE]) {
  const char *env = getenv("BAOHO_SMTP_SINK");
  if (env != NULL && env[0] != '\0') {
    snprintf(path, PATH_SIZE, "%s", env);
    return;
  }
  const char *file = __FILE__;
  const char *slash = strrchr(file, '/');
  int dir_len = slash != NULL ? (int)(slash - file) : 1;
  snprintf(path, PATH_SIZE, "%.*s/../tools/smtp_sink.py", dir_len, slash != NULL ? file : ".");
}

typedef struct {
  pid_t pid;
  uint16_t port;
  char dir[64];        /* the Maildir */
  char log[PATH_SIZE]; /* the sink's standard error */
  char url[64];
} smtp_sink;

/* Starts the SMTP sink storing into a fresh Maildir; slow_s is its delay for "slow-" recipients.
 * Returns 0 (after printing SKIPPED) if aiosmtpd is not available. */
static int sink_start(smtp_sink *s, const char *slow_s) {
  char py[PATH_SIZE], script[PATH_SIZE];
  if (!find_python(py)) {
    printf("SKIPPED: python3-aiosmtpd not installed\n");
    fflush(stdout);
    return 0;
  }
  sink_script(script);
  snprintf(s->dir, sizeof(s->dir), "/tmp/baoho-test-maildir-XXXXXX");
  assert_non_null(mkdtemp(s->dir));
  snprintf(s->log, sizeof(s->log), "%s.log", s->dir);
  int out[2];
  assert_int_equal(pipe(out), 0);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, out[1], 1);
  posix_spawn_file_actions_addclose(&fa, out[0]);
  posix_spawn_file_actions_addopen(&fa, 2, s->log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  char *argv[] = {py, script, (char *)"--maildir", s->dir, (char *)"--slow", (char *)slow_s, NULL};
  assert_int_equal(posix_spawnp(&s->pid, py, &fa, NULL, argv, environ), 0);
  posix_spawn_file_actions_destroy(&fa);
  close(out[1]);
  char line[64];
  size_t n = 0;
  struct pollfd pfd = {.fd = out[0], .events = POLLIN};
  while (n < sizeof(line) - 1 && (n == 0 || line[n - 1] != '\n')) {
    assert_true(poll(&pfd, 1, 10000) == 1);
    ssize_t r = read(out[0], line + n, sizeof(line) - 1 - n);
    assert_true(r > 0);
    n += (size_t)r;
  }
  line[n] = '\0';
  close(out[0]);
  unsigned port = 0;
  assert_int_equal(sscanf(line, "PORT %u", &port), 1);
  s->port = (uint16_t)port;
  snprintf(s->url, sizeof(s->url), "smtp://127.0.0.1:%u", port);
  return 1;
}

/* Stops the sink and returns its connection count, read from the line it writes on exit. */
static int sink_stop(smtp_sink *s) {
  kill(s->pid, SIGTERM);
  int status;
  assert_int_equal(waitpid(s->pid, &status, 0), s->pid);
  FILE *f = fopen(s->log, "r");
  char line[256];
  int connections = -1, messages = -1;
  while (f != NULL && fgets(line, sizeof(line), f) != NULL)
    sscanf(line, "connections=%d messages=%d", &connections, &messages);
  if (f != NULL) fclose(f);
  return connections;
}

/* Removes the sink's Maildir and log. */
static void sink_clean(smtp_sink *s) {
  const char *sub[] = {"new", "cur", "tmp"};
  char path[PATH_SIZE];
  for (size_t i = 0; i < 3; i++) {
    snprintf(path, sizeof(path), "%s/%s", s->dir, sub[i]);
    DIR *d = opendir(path);
    struct dirent *e;
    while (d != NULL && (e = readdir(d)) != NULL) {
      if (e->d_name[0] == '.') continue;
      char file[PATH_SIZE * 2];
      snprintf(file, sizeof(file), "%s/%s", path, e->d_name);
      unlink(file);
    }
    if (d != NULL) closedir(d);
    rmdir(path);
  }
  rmdir(s->dir);
  unlink(s->log);
}

/* ---- helpers: reading stored messages ---- */

/* Reads a whole file into b. */
static void read_file(const char *path, buf_t *b) {
  buf_init(b, 1 << 20);
  FILE *f = fopen(path, "rb");
  assert_non_null(f);
  char chunk[4096];
  size_t n;
  while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) assert_int_equal(buf_append(b, chunk, n), 0);
  fclose(f);
}

/* A stored message, decoded: the raw text, its unfolded headers, and the decoded body. */
typedef struct {
  buf_t raw, headers, body;
} mail;

/* Decodes base64 text (line breaks ignored) and appends the bytes to out. */
static void b64_decode(const char *s, size_t n, buf_t *out) {
  unsigned char *bin = malloc(n + 1);
  assert_non_null(bin);
  size_t len = 0;
  assert_int_equal(
      sodium_base642bin(bin, n + 1, s, n, "\r\n", &len, NULL, sodium_base64_VARIANT_ORIGINAL), 0);
  assert_int_equal(buf_append(out, bin, len), 0);
  free(bin);
}

static int hexval(char c) {
  return c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* Decodes quoted-printable text and appends the bytes to out. */
static void qp_decode(const char *s, size_t n, buf_t *out) {
  for (size_t i = 0; i < n; i++) {
    if (s[i] != '=') {
      assert_int_equal(buf_putc(out, s[i]), 0);
    } else if (i + 2 < n && s[i + 1] == '\r' && s[i + 2] == '\n') {
      i += 2;
    } else {
      assert_true(i + 2 < n && hexval(s[i + 1]) >= 0 && hexval(s[i + 2]) >= 0);
      assert_int_equal(buf_putc(out, (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2]))), 0);
      i += 2;
    }
  }
}

/* Parses the message at path: checks line lengths, unfolds the headers, decodes the body. */
static void mail_read(const char *path, mail *m) {
  read_file(path, &m->raw);
  buf_init(&m->headers, 1 << 20);
  buf_init(&m->body, 1 << 20);
  const char *end = strstr(m->raw.data, "\r\n\r\n");
  assert_non_null(end);
  size_t hlen = (size_t)(end - m->raw.data) + 2;
  /* No line longer than 78 characters in the headers, 76 in the body. */
  for (const char *line = m->raw.data; *line != '\0';) {
    const char *eol = strstr(line, "\r\n");
    assert_non_null(eol);
    size_t limit = line < m->raw.data + hlen ? 78 : 76;
    if ((size_t)(eol - line) > limit) fail_msg("line too long: %.*s", (int)(eol - line), line);
    line = eol + 2;
  }
  for (size_t i = 0; i < hlen; i++) {
    if (m->raw.data[i] == '\r' && m->raw.data[i + 1] == '\n' &&
        (m->raw.data[i + 2] == ' ' || m->raw.data[i + 2] == '\t')) {
      i += 2; /* a folded line: drop the break, keep the whitespace */
      assert_int_equal(buf_putc(&m->headers, ' '), 0);
      continue;
    }
    assert_int_equal(buf_putc(&m->headers, m->raw.data[i]), 0);
  }
  const char *body = end + 4;
  size_t blen = m->raw.len - (size_t)(body - m->raw.data);
  if (strstr(m->headers.data, "Content-Transfer-Encoding: base64\r\n") != NULL)
    b64_decode(body, blen, &m->body);
  else if (strstr(m->headers.data, "Content-Transfer-Encoding: quoted-printable\r\n") != NULL)
    qp_decode(body, blen, &m->body);
  else
    fail_msg("no known Content-Transfer-Encoding");
}

static void mail_free(mail *m) {
  buf_free(&m->raw);
  buf_free(&m->headers);
  buf_free(&m->body);
}

/* Copies the value of the unfolded header name (e.g. "Subject") into out. */
static void header_value(const mail *m, const char *name, buf_t *out) {
  char key[64];
  snprintf(key, sizeof(key), "\r\n%s: ", name);
  buf_t h;
  buf_init(&h, 1 << 20);
  assert_int_equal(buf_puts(&h, "\r\n"), 0);
  assert_int_equal(buf_append(&h, m->headers.data, m->headers.len), 0);
  const char *p = strstr(h.data, key);
  if (p == NULL) fail_msg("no %s header", name);
  p += strlen(key);
  const char *eol = strstr(p, "\r\n");
  buf_init(out, 4096);
  assert_int_equal(buf_append(out, p, (size_t)(eol - p)), 0);
  buf_free(&h);
}

/* Decodes a header value made of UTF-8 base64 encoded-words separated by spaces (RFC 2047),
 * checking that each word holds whole characters. */
static void decode_words(const char *v, buf_t *out) {
  buf_init(out, 4096);
  while (*v != '\0') {
    if (*v == ' ') {
      v++;
      continue;
    }
    assert_memory_equal(v, "=?UTF-8?B?", 10);
    const char *end = strstr(v + 10, "?=");
    assert_non_null(end);
    assert_true(end + 2 - v <= 75);
    buf_t word;
    buf_init(&word, 256);
    b64_decode(v + 10, (size_t)(end - v - 10), &word);
    assert_true(word.len == 0 || ((unsigned char)word.data[0] & 0xC0) != 0x80);
    assert_int_equal(buf_append(out, word.data, word.len), 0);
    buf_free(&word);
    v = end + 2;
  }
}

/* Lists the messages in the sink's Maildir (new/) into paths; returns their number. */
static size_t maildir_list(const smtp_sink *s, char paths[][PATH_SIZE], size_t max) {
  char dir[PATH_SIZE];
  snprintf(dir, sizeof(dir), "%s/new", s->dir);
  DIR *d = opendir(dir);
  assert_non_null(d);
  size_t n = 0;
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    if (e->d_name[0] == '.') continue;
    assert_true(n < max);
    snprintf(paths[n++], PATH_SIZE, "%.200s/%.500s", dir, e->d_name);
  }
  closedir(d);
  return n;
}

static email_message alert_email(const char *to, const char *msgid, const char *link, buf_t *vi) {
  buf_init(vi, 4096);
  assert_int_equal(buf_printf(vi, "%s\n%s\n", VI_BODY, link), 0);
  email_message m = {.from = "canhbao@lanhsuvietnam.gov.vn",
                     .from_name = "Cục Lãnh sự",
                     .to = to,
                     .subject = VI_SUBJECT,
                     .message_id = msgid,
                     .body_vi = vi->data,
                     .body_en = EN_BODY,
                     .date = 1717495200};
  return m;
}

/* ---- email through a real SMTP server ---- */

#define N_MESSAGES 25

static void email_n_messages_arrive_with_decoded_subject_vietnamese_body_and_link(void **state) {
  (void)state;
  smtp_sink sink;
  if (!sink_start(&sink, "5")) skip();
  email_config cfg = {.url = sink.url, .timeout_ms = 5000};
  email_sender *s = NULL;
  assert_int_equal(email_sender_new(&cfg, &s), BH_OK);
  for (int i = 0; i < N_MESSAGES; i++) {
    char to[64], id[64], link[128];
    snprintf(to, sizeof(to), "person%d@example.org", i);
    snprintf(id, sizeof(id), "<alert7.msg%d@baoho.test>", i);
    snprintf(link, sizeof(link), "https://baoho.example/c/tok%dXyZ", i);
    buf_t vi;
    email_message m = alert_email(to, id, link, &vi);
    /* Vietnamese only is mostly 8-bit, so base64; with the longer English, quoted-printable. */
    if (i % 2 == 1) m.body_en = NULL;
    email_result r;
    assert_int_equal(email_send(s, &m, &r), BH_OK);
    if (r.status != EMAIL_DELIVERED)
      fail_msg("message %d: %s %d %s", i, email_status_name(r.status), r.smtp_code, r.reply);
    assert_int_equal(r.smtp_code, 250);
    buf_free(&vi);
  }
  email_sender_free(s);
  int connections = sink_stop(&sink);
  assert_int_equal(connections, 1); /* one connection carried every message */

  char paths[N_MESSAGES + 1][PATH_SIZE];
  assert_int_equal(maildir_list(&sink, paths, N_MESSAGES + 1), N_MESSAGES);
  int seen[N_MESSAGES] = {0}, qp = 0, b64 = 0;
  for (size_t k = 0; k < N_MESSAGES; k++) {
    mail m;
    mail_read(paths[k], &m);
    buf_t v, subject;
    header_value(&m, "Message-ID", &v);
    int i = -1;
    assert_int_equal(sscanf(v.data, "<alert7.msg%d@baoho.test>", &i), 1);
    assert_true(i >= 0 && i < N_MESSAGES && !seen[i]);
    seen[i] = 1;
    buf_free(&v);
    header_value(&m, "Subject", &v);
    decode_words(v.data, &subject);
    assert_string_equal(subject.data, VI_SUBJECT);
    buf_free(&v);
    buf_free(&subject);
    header_value(&m, "Date", &v);
    assert_string_equal(v.data, "Tue, 04 Jun 2024 10:00:00 +0000");
    buf_free(&v);
    header_value(&m, "Content-Type", &v);
    assert_string_equal(v.data, "text/plain; charset=utf-8");
    buf_free(&v);
    char expect[128];
    snprintf(expect, sizeof(expect), "<person%d@example.org>", i);
    header_value(&m, "To", &v);
    assert_string_equal(v.data, expect);
    buf_free(&v);
    /* The body: the Vietnamese text intact (CRLF line ends), the link, and English if sent. */
    buf_t vi_crlf;
    buf_init(&vi_crlf, 4096);
    for (const char *p = VI_BODY; *p != '\0'; p++)
      assert_int_equal(*p == '\n' ? buf_puts(&vi_crlf, "\r\n") : buf_putc(&vi_crlf, *p), 0);
    assert_non_null(strstr(m.body.data, vi_crlf.data));
    buf_free(&vi_crlf);
    snprintf(expect, sizeof(expect), "\r\nhttps://baoho.example/c/tok%dXyZ\r\n", i);
    assert_non_null(strstr(m.body.data, expect));
    assert_true((strstr(m.body.data, "are you safe?") != NULL) == (i % 2 == 0));
    qp += strstr(m.headers.data, "quoted-printable") != NULL;
    b64 += strstr(m.headers.data, "base64") != NULL;
    mail_free(&m);
  }
  assert_true(qp > 0 && b64 > 0);
  sink_clean(&sink);
}

static void email_refused_connection_is_temporary(void **state) {
  (void)state;
  char url[64];
  snprintf(url, sizeof(url), "smtp://127.0.0.1:%u", unused_port());
  email_config cfg = {.url = url, .timeout_ms = 2000};
  email_sender *s = NULL;
  assert_int_equal(email_sender_new(&cfg, &s), BH_OK);
  buf_t vi;
  email_message m =
      alert_email("nguyen.van.a@example.org", "m1@baoho.test", "https://x.test/c/1", &vi);
  email_result r;
  assert_int_equal(email_send(s, &m, &r), BH_OK);
  assert_int_equal(r.status, EMAIL_TEMPFAIL);
  assert_int_equal(r.smtp_code, 0);
  assert_true(strlen(r.reply) > 0);
  assert_null(strstr(r.reply, "nguyen"));
  buf_free(&vi);
  email_sender_free(s);
}

static void email_rejected_recipient_is_permanent_and_the_reply_hides_the_address(void **state) {
  (void)state;
  smtp_sink sink;
  if (!sink_start(&sink, "5")) skip();
  email_config cfg = {.url = sink.url, .timeout_ms = 5000};
  email_sender *s = NULL;
  assert_int_equal(email_sender_new(&cfg, &s), BH_OK);
  buf_t vi;
  email_message m =
      alert_email("reject-nguyen@example.org", "m2@baoho.test", "https://x.test/c/2", &vi);
  email_result r;
  assert_int_equal(email_send(s, &m, &r), BH_OK);
  assert_int_equal(r.status, EMAIL_PERMFAIL);
  assert_int_equal(r.smtp_code, 550);
  assert_non_null(strstr(r.reply, "550 5.1.1"));
  assert_null(strstr(r.reply, "nguyen"));
  assert_non_null(strstr(r.reply, "[address]"));
  /* The next message goes through on the same sender. */
  m.to = "tran@example.org";
  assert_int_equal(email_send(s, &m, &r), BH_OK);
  assert_int_equal(r.status, EMAIL_DELIVERED);
  buf_free(&vi);
  email_sender_free(s);
  sink_stop(&sink);
  sink_clean(&sink);
}

static void email_4xx_reply_is_temporary(void **state) {
  (void)state;
  smtp_sink sink;
  if (!sink_start(&sink, "5")) skip();
  email_config cfg = {.url = sink.url, .timeout_ms = 5000};
  email_sender *s = NULL;
  assert_int_equal(email_sender_new(&cfg, &s), BH_OK);
  buf_t vi;
  email_message m = alert_email("later-le@example.org", "m3@baoho.test", "https://x.test/c/3", &vi);
  email_result r;
  assert_int_equal(email_send(s, &m, &r), BH_OK);
  assert_int_equal(r.status, EMAIL_TEMPFAIL);
  assert_int_equal(r.smtp_code, 451);
  assert_null(strstr(r.reply, "later-le"));
  buf_free(&vi);
  email_sender_free(s);
  sink_stop(&sink);
  sink_clean(&sink);
}

static void email_timeout_is_temporary_and_the_sender_recovers(void **state) {
  (void)state;
  smtp_sink sink;
  if (!sink_start(&sink, "3")) skip();
  email_config cfg = {.url = sink.url, .timeout_ms = 400};
  email_sender *s = NULL;
  assert_int_equal(email_sender_new(&cfg, &s), BH_OK);
  buf_t vi;
  email_message m =
      alert_email("slow-pham@example.org", "m4@baoho.test", "https://x.test/c/4", &vi);
  email_result r;
  assert_int_equal(email_send(s, &m, &r), BH_OK);
  assert_int_equal(r.status, EMAIL_TEMPFAIL);
  assert_int_equal(r.smtp_code, 0);
  m.to = "hoang@example.org";
  assert_int_equal(email_send(s, &m, &r), BH_OK);
  assert_int_equal(r.status, EMAIL_DELIVERED);
  buf_free(&vi);
  email_sender_free(s);
  sink_stop(&sink);
  sink_clean(&sink);
}

static void email_starttls_required_fails_temporarily_on_a_plain_relay(void **state) {
  (void)state;
  smtp_sink sink;
  if (!sink_start(&sink, "5")) skip();
  char url[64];
  snprintf(url, sizeof(url), "smtp+starttls://127.0.0.1:%u", sink.port);
  email_config cfg = {.url = url, .timeout_ms = 5000};
  email_sender *s = NULL;
  assert_int_equal(email_sender_new(&cfg, &s), BH_OK);
  buf_t vi;
  email_message m = alert_email("a@example.org", "m8@baoho.test", "https://x.test/c/8", &vi);
  email_result r;
  assert_int_equal(email_send(s, &m, &r), BH_OK);
  assert_int_equal(r.status, EMAIL_TEMPFAIL); /* never sent in clear text */
  buf_free(&vi);
  email_sender_free(s);
  sink_stop(&sink);
  char paths[2][PATH_SIZE];
  assert_int_equal(maildir_list(&sink, paths, 2), 0);
  sink_clean(&sink);
}

/* ---- SMS through a fake gateway ---- */

/* The fake gateway: answers every POST with status (and {"id":"gw-N"} for 2xx) after delay_ms,
 * or 401 when the signature does not verify, and records the last request. */
typedef struct {
  struct MHD_Daemon *d;
  uint16_t port;
  char url[64];
  pthread_mutex_t mu;
  unsigned status;
  unsigned delay_ms;
  int requests, connections, last_sig_ok;
  char last_body[4096];
  char last_sig[128];
  char last_ctype[64];
} gateway;

typedef struct {
  buf_t body;
} gw_request;

static void gw_connection(void *cls, struct MHD_Connection *c, void **socket_ctx,
                          enum MHD_ConnectionNotificationCode code) {
  (void)c;
  (void)socket_ctx;
  gateway *g = cls;
  if (code != MHD_CONNECTION_NOTIFY_STARTED) return;
  pthread_mutex_lock(&g->mu);
  g->connections++;
  pthread_mutex_unlock(&g->mu);
}

static void gw_completed(void *cls, struct MHD_Connection *c, void **req_cls,
                         enum MHD_RequestTerminationCode toe) {
  (void)cls;
  (void)c;
  (void)toe;
  gw_request *r = *req_cls;
  if (r == NULL) return;
  buf_free(&r->body);
  free(r);
  *req_cls = NULL;
}

static enum MHD_Result gw_handle(void *cls, struct MHD_Connection *c, const char *url,
                                 const char *method, const char *version, const char *data,
                                 size_t *data_size, void **req_cls) {
  (void)url;
  (void)method;
  (void)version;
  gateway *g = cls;
  gw_request *r = *req_cls;
  if (r == NULL) {
    r = calloc(1, sizeof(*r));
    if (r == NULL) return MHD_NO;
    buf_init(&r->body, 64 * 1024);
    *req_cls = r;
    return MHD_YES;
  }
  if (*data_size > 0) {
    if (buf_append(&r->body, data, *data_size) != BH_OK) return MHD_NO;
    *data_size = 0;
    return MHD_YES;
  }
  const char *sig = MHD_lookup_connection_value(c, MHD_HEADER_KIND, SMS_SIGNATURE_HEADER);
  const char *ctype = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Type");
  int sig_ok = sms_verify_signature(SECRET, r->body.data != NULL ? r->body.data : "", r->body.len,
                                    sig) == BH_OK;
  pthread_mutex_lock(&g->mu);
  int n = ++g->requests;
  unsigned status = sig_ok ? g->status : 401, delay = g->delay_ms;
  g->last_sig_ok = sig_ok;
  snprintf(g->last_body, sizeof(g->last_body), "%s", r->body.data != NULL ? r->body.data : "");
  snprintf(g->last_sig, sizeof(g->last_sig), "%s", sig != NULL ? sig : "");
  snprintf(g->last_ctype, sizeof(g->last_ctype), "%s", ctype != NULL ? ctype : "");
  pthread_mutex_unlock(&g->mu);
  if (delay > 0) usleep(delay * 1000);
  char reply[128];
  if (status >= 200 && status < 300)
    snprintf(reply, sizeof(reply), "{\"id\":\"gw-%d\",\"status\":\"queued\"}", n);
  else
    snprintf(reply, sizeof(reply), "{\"error\":\"status %u\"}", status);
  struct MHD_Response *resp =
      MHD_create_response_from_buffer(strlen(reply), reply, MHD_RESPMEM_MUST_COPY);
  MHD_add_response_header(resp, "Content-Type", "application/json");
  enum MHD_Result ret = MHD_queue_response(c, status, resp);
  MHD_destroy_response(resp);
  return ret;
}

static void gw_start(gateway *g, unsigned status) {
  memset(g, 0, sizeof(*g));
  pthread_mutex_init(&g->mu, NULL);
  g->status = status;
  struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = 0};
  sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  g->d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION, 0, NULL,
                          NULL, gw_handle, g, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sin,
                          MHD_OPTION_NOTIFY_COMPLETED, gw_completed, g,
                          MHD_OPTION_NOTIFY_CONNECTION, gw_connection, g, MHD_OPTION_END);
  assert_non_null(g->d);
  const union MHD_DaemonInfo *di = MHD_get_daemon_info(g->d, MHD_DAEMON_INFO_BIND_PORT);
  assert_non_null(di);
  g->port = di->port;
  snprintf(g->url, sizeof(g->url), "http://127.0.0.1:%u/v1/sms", (unsigned)g->port);
}

static void gw_stop(gateway *g) {
  MHD_stop_daemon(g->d);
  pthread_mutex_destroy(&g->mu);
}

static sms_gateway *client(const char *url, const char *secret, long timeout_ms) {
  sms_config cfg = {.url = url, .secret = secret, .timeout_ms = timeout_ms};
  sms_gateway *c = NULL;
  assert_int_equal(sms_gateway_new(&cfg, &c), BH_OK);
  return c;
}

static const char VI_SMS[] =
    "Đại sứ quán Việt Nam tại Israel: bạn có an toàn không? "
    "https://baoho.example/c/tok1";

static void sms_accepted_message_is_signed_and_returns_the_gateway_id(void **state) {
  (void)state;
  gateway g;
  gw_start(&g, 202);
  sms_gateway *c = client(g.url, SECRET, 5000);
  sms_message m = {.to = "+84912345678", .text = VI_SMS, .reference = "alert7.msg1"};
  sms_result r;
  assert_int_equal(sms_send(c, &m, &r), BH_OK);
  assert_int_equal(r.status, SMS_ACCEPTED);
  assert_int_equal(r.http_status, 202);
  assert_string_equal(r.gateway_id, "gw-1");
  assert_true(g.last_sig_ok);
  assert_string_equal(g.last_ctype, "application/json");
  /* The body is the documented JSON, and the header is its signature. */
  json_t *o = json_loads(g.last_body, 0, NULL);
  assert_non_null(o);
  assert_int_equal(json_object_size(o), 4);
  assert_string_equal(json_string_value(json_object_get(o, "to")), "+84912345678");
  assert_string_equal(json_string_value(json_object_get(o, "text")), VI_SMS);
  assert_string_equal(json_string_value(json_object_get(o, "encoding")), "ucs2");
  assert_string_equal(json_string_value(json_object_get(o, "reference")), "alert7.msg1");
  json_decref(o);
  assert_int_equal(sms_verify_signature(SECRET, g.last_body, strlen(g.last_body), g.last_sig),
                   BH_OK);
  assert_int_equal(sms_verify_signature("another-secret-0123456789", g.last_body,
                                        strlen(g.last_body), g.last_sig),
                   BH_ERR_UNAUTHENTICATED);
  char expect[SMS_SIGNATURE_SIZE];
  assert_int_equal(sms_sign(SECRET, g.last_body, strlen(g.last_body), expect), BH_OK);
  assert_string_equal(g.last_sig, expect);
  /* The second message reuses the connection. */
  m.text = "Ban co an toan khong? Tra loi AN TOAN hoac CAN GIUP";
  m.reference = "alert7.msg2";
  assert_int_equal(sms_send(c, &m, &r), BH_OK);
  assert_int_equal(r.status, SMS_ACCEPTED);
  assert_string_equal(r.gateway_id, "gw-2");
  assert_non_null(strstr(g.last_body, "\"encoding\":\"gsm7\""));
  assert_int_equal(g.connections, 1);
  sms_gateway_free(c);
  gw_stop(&g);
}

/* Sends one message to a gateway answering status and checks the verdict. */
static void assert_gateway_status(unsigned status, sms_status expect) {
  gateway g;
  gw_start(&g, status);
  sms_gateway *c = client(g.url, SECRET, 5000);
  sms_message m = {.to = "+972501234567", .text = "Are you safe?", .reference = "a1.m1"};
  sms_result r;
  assert_int_equal(sms_send(c, &m, &r), BH_OK);
  if (r.status != expect) fail_msg("HTTP %u gave %s", status, sms_status_name(r.status));
  assert_int_equal(r.http_status, status);
  assert_string_equal(r.gateway_id, "");
  assert_true(strlen(r.reason) > 0);
  sms_gateway_free(c);
  gw_stop(&g);
}

static void sms_gateway_5xx_and_429_are_temporary_other_4xx_permanent(void **state) {
  (void)state;
  assert_gateway_status(500, SMS_TEMPFAIL);
  assert_gateway_status(503, SMS_TEMPFAIL);
  assert_gateway_status(429, SMS_TEMPFAIL);
  assert_gateway_status(408, SMS_TEMPFAIL);
  assert_gateway_status(400, SMS_PERMFAIL);
  assert_gateway_status(404, SMS_PERMFAIL);
  assert_gateway_status(422, SMS_PERMFAIL);
}

static void sms_wrong_secret_is_refused_by_the_gateway_and_temporary(void **state) {
  (void)state;
  gateway g;
  gw_start(&g, 200);
  sms_gateway *c = client(g.url, "not-the-shared-secret-at-all", 5000);
  sms_message m = {.to = "+84912345678", .text = "Test", .reference = "a1.m2"};
  sms_result r;
  assert_int_equal(sms_send(c, &m, &r), BH_OK);
  assert_false(g.last_sig_ok);
  assert_int_equal(r.http_status, 401);
  assert_int_equal(r.status, SMS_TEMPFAIL);
  sms_gateway_free(c);
  gw_stop(&g);
}

static void sms_gateway_timeout_is_temporary(void **state) {
  (void)state;
  gateway g;
  gw_start(&g, 200);
  g.delay_ms = 1000;
  sms_gateway *c = client(g.url, SECRET, 250);
  sms_message m = {.to = "+84912345678", .text = "Test", .reference = "a1.m3"};
  sms_result r;
  assert_int_equal(sms_send(c, &m, &r), BH_OK);
  assert_int_equal(r.status, SMS_TEMPFAIL);
  assert_int_equal(r.http_status, 0);
  assert_non_null(strstr(r.reason, "timeout"));
  sms_gateway_free(c);
  gw_stop(&g);
}

static void sms_refused_connection_is_temporary(void **state) {
  (void)state;
  char url[64];
  snprintf(url, sizeof(url), "http://127.0.0.1:%u/sms", unused_port());
  sms_gateway *c = client(url, SECRET, 2000);
  sms_message m = {.to = "+84912345678", .text = "Test", .reference = "a1.m4"};
  sms_result r;
  assert_int_equal(sms_send(c, &m, &r), BH_OK);
  assert_int_equal(r.status, SMS_TEMPFAIL);
  assert_int_equal(r.http_status, 0);
  sms_gateway_free(c);
}

static void sms_bad_number_reference_or_text_is_permanent_and_never_sent(void **state) {
  (void)state;
  gateway g;
  gw_start(&g, 200);
  sms_gateway *c = client(g.url, SECRET, 2000);
  const sms_message bad[] = {
      {.to = "0912345678", .text = "Test", .reference = "r1"},
      {.to = "+0912345678", .text = "Test", .reference = "r1"},
      {.to = "+8491234567890123", .text = "Test", .reference = "r1"},
      {.to = "+84 912345678", .text = "Test", .reference = "r1"},
      {.to = "+84912345678", .text = "Test", .reference = "r 1"},
      {.to = "+84912345678", .text = "Test", .reference = ""},
      {.to = "+84912345678", .text = "", .reference = "r1"},
      {.to = "+84912345678", .text = "bad \xff utf8", .reference = "r1"},
  };
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    sms_result r;
    assert_int_equal(sms_send(c, &bad[i], &r), BH_ERR_INVALID);
    assert_int_equal(r.status, SMS_PERMFAIL);
  }
  /* Eleven UCS-2 parts are too many. */
  buf_t long_text;
  buf_init(&long_text, 4096);
  for (int i = 0; i < 11 * 67; i++) assert_int_equal(buf_puts(&long_text, "ạ"), 0);
  sms_message m = {.to = "+84912345678", .text = long_text.data, .reference = "r1"};
  sms_result r;
  assert_int_equal(sms_send(c, &m, &r), BH_ERR_TOO_LARGE);
  assert_int_equal(r.status, SMS_PERMFAIL);
  buf_free(&long_text);
  assert_int_equal(g.requests, 0);
  sms_gateway_free(c);
  gw_stop(&g);
}

int main(void) {
  if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK || sodium_init() < 0) return 1;
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(email_n_messages_arrive_with_decoded_subject_vietnamese_body_and_link),
      cmocka_unit_test(email_refused_connection_is_temporary),
      cmocka_unit_test(email_rejected_recipient_is_permanent_and_the_reply_hides_the_address),
      cmocka_unit_test(email_4xx_reply_is_temporary),
      cmocka_unit_test(email_timeout_is_temporary_and_the_sender_recovers),
      cmocka_unit_test(email_starttls_required_fails_temporarily_on_a_plain_relay),
      cmocka_unit_test(sms_accepted_message_is_signed_and_returns_the_gateway_id),
      cmocka_unit_test(sms_gateway_5xx_and_429_are_temporary_other_4xx_permanent),
      cmocka_unit_test(sms_wrong_secret_is_refused_by_the_gateway_and_temporary),
      cmocka_unit_test(sms_gateway_timeout_is_temporary),
      cmocka_unit_test(sms_refused_connection_is_temporary),
      cmocka_unit_test(sms_bad_number_reference_or_text_is_permanent_and_never_sent),
  };
  int failed = cmocka_run_group_tests(tests, NULL, NULL);
  curl_global_cleanup();
  return failed;
}
