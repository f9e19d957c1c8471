/*
 * test_lang.c - the language a person reads messages in (preferred_language, issue 4): stored
 * and shown on both backends, refused when it is not vi or en, taken by the self-registration
 * form and by CSV import and export; an alert writes each recipient's SMS in their language
 * only and their email in both languages with theirs first (a real SMTP server,
 * tests/tools/smtp_sink.py, and a fake SMS gateway run in this process), and the check-in page
 * of their link opens in their language.
 *
 * Without python3-aiosmtpd the email assertions are skipped; the rest still runs.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sodium.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "delivery/sms.h"
#include "harness.h"

extern char **environ;

#define LG_COUNTRY "CY" /* no demo person lives there: the audience is ours alone */
#define LG_SECRET "lang-test-sms-secret-0123456789abc"
#define LG_GW_MAX 16

/* ---- a fake SMS gateway that keeps the bodies it receives ---- */

typedef struct {
  struct MHD_Daemon *d;
  char url[64];
  pthread_mutex_t mu;
  int requests;
  char body[LG_GW_MAX][2048];
} lg_gateway;

typedef struct {
  char data[4096];
  size_t len;
} lg_gw_req;

static enum MHD_Result lg_gw_handle(void *cls, struct MHD_Connection *c, const char *url,
                                    const char *method, const char *version, const char *data,
                                    size_t *data_size, void **req_cls) {
  (void)url;
  (void)method;
  (void)version;
  lg_gateway *g = cls;
  lg_gw_req *r = *req_cls;
  if (r == NULL) {
    r = calloc(1, sizeof(*r));
    *req_cls = r;
    return r ? MHD_YES : MHD_NO;
  }
  if (*data_size > 0) {
    size_t room = sizeof(r->data) - 1 - r->len;
    size_t n = *data_size < room ? *data_size : room;
    memcpy(r->data + r->len, data, n);
    r->len += n;
    *data_size = 0;
    return MHD_YES;
  }
  const char *sig = MHD_lookup_connection_value(c, MHD_HEADER_KIND, SMS_SIGNATURE_HEADER);
  int ok = sms_verify_signature(LG_SECRET, r->data, r->len, sig) == 0;
  pthread_mutex_lock(&g->mu);
  int n = g->requests++;
  if (n < LG_GW_MAX) snprintf(g->body[n], sizeof(g->body[n]), "%.*s", (int)r->len, r->data);
  pthread_mutex_unlock(&g->mu);
  char reply[64];
  snprintf(reply, sizeof(reply), "{\"id\":\"lg-%d\"}", n);
  struct MHD_Response *resp =
      MHD_create_response_from_buffer(strlen(reply), reply, MHD_RESPMEM_MUST_COPY);
  enum MHD_Result ret = MHD_queue_response(c, ok ? 200 : 401, resp);
  MHD_destroy_response(resp);
  return ret;
}

static void lg_gw_completed(void *cls, struct MHD_Connection *c, void **req_cls,
                            enum MHD_RequestTerminationCode toe) {
  (void)cls;
  (void)c;
  (void)toe;
  free(*req_cls);
  *req_cls = NULL;
}

static int lg_gw_start(lg_gateway *g) {
  memset(g, 0, sizeof(*g));
  pthread_mutex_init(&g->mu, NULL);
  struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = 0};
  sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  g->d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION, 0, NULL,
                          NULL, lg_gw_handle, g, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sin,
                          MHD_OPTION_NOTIFY_COMPLETED, lg_gw_completed, g, MHD_OPTION_END);
  if (g->d == NULL) return -1;
  const union MHD_DaemonInfo *di = MHD_get_daemon_info(g->d, MHD_DAEMON_INFO_BIND_PORT);
  snprintf(g->url, sizeof(g->url), "http://127.0.0.1:%u/v1/sms", (unsigned)di->port);
  return 0;
}

/* The text of the SMS received for a number containing digits (kept), or NULL. */
static const char *lg_sms_to(lg_gateway *g, const char *digits) {
  const char *found = NULL;
  pthread_mutex_lock(&g->mu);
  for (int i = 0; i < g->requests && i < LG_GW_MAX && found == NULL; i++) {
    json_t *j = json_loads(g->body[i], 0, NULL);
    const char *to = json_string_value(json_object_get(j, "to"));
    if (to != NULL && strstr(to, digits) != NULL) {
      found = h_str("%s", json_string_value(json_object_get(j, "text")));
    }
    json_decref(j);
  }
  pthread_mutex_unlock(&g->mu);
  return found;
}

/* ---- the SMTP sink (tests/tools/smtp_sink.py into a Maildir) ---- */

typedef struct {
  pid_t pid;
  char dir[64];
  char url[64];
} lg_sink;

/* 1 started, 0 when python3-aiosmtpd is missing, -1 on failure. */
static int lg_sink_start(lg_sink *k) {
  const char *py = getenv("BAOHO_PYTHON") ? getenv("BAOHO_PYTHON") : "/usr/bin/python3";
  char script[1024];
  const char *file = __FILE__, *slash = strrchr(file, '/');
  snprintf(script, sizeof(script), "%.*s/../tools/smtp_sink.py", slash ? (int)(slash - file) : 1,
           slash ? file : ".");
  char *probe[] = {(char *)py, "-c", "import aiosmtpd", NULL};
  pid_t pid;
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
  int st = -1;
  if (posix_spawnp(&pid, py, &fa, NULL, probe, environ) != 0 || waitpid(pid, &st, 0) != pid ||
      !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
    posix_spawn_file_actions_destroy(&fa);
    return 0;
  }
  snprintf(k->dir, sizeof(k->dir), "/tmp/baoho-lang-maildir-XXXXXX");
  if (mkdtemp(k->dir) == NULL) return -1;
  int out[2];
  if (pipe(out) != 0) return -1;
  posix_spawn_file_actions_adddup2(&fa, out[1], 1);
  posix_spawn_file_actions_addclose(&fa, out[0]);
  char *argv[] = {(char *)py, script, "--maildir", k->dir, NULL};
  int rc = posix_spawnp(&k->pid, py, &fa, NULL, argv, environ);
  posix_spawn_file_actions_destroy(&fa);
  close(out[1]);
  if (rc != 0) return -1;
  char line[64] = {0};
  size_t n = 0;
  struct pollfd pfd = {.fd = out[0], .events = POLLIN};
  while (n < sizeof(line) - 1 && (n == 0 || line[n - 1] != '\n') && poll(&pfd, 1, 10000) == 1) {
    ssize_t got = read(out[0], line + n, sizeof(line) - 1 - n);
    if (got <= 0) break;
    n += (size_t)got;
  }
  close(out[0]);
  unsigned port = 0;
  if (sscanf(line, "PORT %u", &port) != 1) return -1;
  snprintf(k->url, sizeof(k->url), "smtp://127.0.0.1:%u", port);
  return 1;
}

/* The raw message in the Maildir addressed To: <address> (kept), or NULL. */
static const char *lg_mail_to(const lg_sink *k, const char *address) {
  char dir[128];
  snprintf(dir, sizeof(dir), "%s/new", k->dir);
  DIR *d = opendir(dir);
  const char *found = NULL;
  const char *want = h_str("To: <%s>", address);
  struct dirent *e;
  while (d != NULL && found == NULL && (e = readdir(d)) != NULL) {
    if (e->d_name[0] == '.') continue;
    FILE *f = fopen(h_str("%s/%s", dir, e->d_name), "rb");
    if (f == NULL) continue;
    char *buf = malloc(1 << 18);
    size_t n = buf ? fread(buf, 1, (1 << 18) - 1, f) : 0;
    fclose(f);
    if (buf == NULL) continue;
    buf[n] = '\0';
    if (strstr(buf, want) != NULL) found = h_str("%s", buf);
    free(buf);
  }
  if (d != NULL) closedir(d);
  return found;
}

static int lg_hex(char c) {
  return c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* The decoded body of a stored message (quoted-printable or base64), kept. */
static const char *lg_body(const char *raw) {
  const char *b = strstr(raw, "\r\n\r\n");
  size_t skip = 4;
  if (b == NULL) {
    b = strstr(raw, "\n\n");
    skip = 2;
  }
  assert_non_null(b);
  b += skip;
  size_t n = strlen(b);
  char *out = h_str("%s", b);
  if (strstr(raw, "Content-Transfer-Encoding: base64") != NULL) {
    size_t len = 0;
    assert_int_equal(sodium_base642bin((unsigned char *)out, n, b, n, "\r\n", &len, NULL,
                                       sodium_base64_VARIANT_ORIGINAL),
                     0);
    out[len] = '\0';
    return out;
  }
  size_t k = 0;
  for (size_t i = 0; i < n; i++) {
    if (b[i] != '=') {
      out[k++] = b[i];
    } else if (b[i + 1] == '\r' && b[i + 2] == '\n') {
      i += 2;
    } else if (b[i + 1] == '\n') {
      i += 1;
    } else if (lg_hex(b[i + 1]) >= 0 && lg_hex(b[i + 2]) >= 0) {
      out[k++] = (char)(lg_hex(b[i + 1]) * 16 + lg_hex(b[i + 2]));
      i += 2;
    }
  }
  out[k] = '\0';
  return out;
}

/* The path of the first check-in link (/c/TOKEN) in text (kept), or NULL. */
static const char *lg_link_path(const char *text) {
  const char *p = text ? strstr(text, "/c/") : NULL;
  if (p == NULL) return NULL;
  size_t n = strspn(p + 3, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_");
  return h_str("%.*s", (int)(n + 3), p);
}

/* Checks that the string at path of r's JSON is want (a missing value fails, not crashes). */
static void lg_expect_str(h_resp_t *r, const char *path, const char *want) {
  const char *got = h_gets(r->json, path);
  if (got == NULL) fprintf(stderr, "%s: no %s in %s\n", r->what, path, r->body);
  assert_non_null(got);
  assert_string_equal(got, want);
}

static void lg_sleep_ms(long ms) {
  struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};
  nanosleep(&ts, NULL);
}

/* ---- the group ---- */

static struct {
  h_server_t s;
  lg_sink sink;
  lg_gateway gw;
  int have_sink;
} lg;

static int lg_setup(void **state) {
  memset(&lg, 0, sizeof(lg));
  int sink = lg_sink_start(&lg.sink);
  if (sink < 0 || lg_gw_start(&lg.gw) != 0) return -1;
  lg.have_sink = sink == 1;
  if (!lg.have_sink) printf("NOTE: python3-aiosmtpd not installed: email checks skipped\n");
  const char *extra[8] = {"--sms-url", lg.gw.url, "--sms-secret", LG_SECRET, NULL};
  if (lg.have_sink) {
    extra[4] = "--smtp-url";
    extra[5] = lg.sink.url;
    extra[6] = NULL;
  }
  if (h_server_start_args(&lg.s, extra) != 0) return -1;
  *state = &lg.s;
  return 0;
}

static int lg_teardown(void **state) {
  (void)state;
  h_release_all();
  int rc = h_server_destroy(&lg.s);
  MHD_stop_daemon(lg.gw.d);
  pthread_mutex_destroy(&lg.gw.mu);
  if (lg.have_sink) {
    kill(lg.sink.pid, SIGTERM);
    waitpid(lg.sink.pid, NULL, 0);
  }
  if (lg.sink.dir[0] != '\0') {
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", lg.sink.dir);
    if (system(cmd) != 0) fprintf(stderr, "cannot remove %s\n", lg.sink.dir);
  }
  return rc == 0 ? 0 : -1;
}

/* Creates a person in LG_COUNTRY with an email and a phone; lang NULL leaves the field out. */
static const char *lg_person(h_server_t *s, const char *name, const char *email,
                             const char *phone, const char *lang) {
  const char *json = h_str(
      "{\"full_name\":\"%s\",\"emails\":[\"%s\"],\"phones\":[\"%s\"]%s%s%s,\"presence\":"
      "{\"country\":\"" LG_COUNTRY "\",\"region\":\"Nicosia\",\"category\":\"resident\"}}",
      name, email, phone, lang ? ",\"preferred_language\":\"" : "", lang ? lang : "",
      lang ? "\"" : "");
  h_resp_t *r = h_create_person(s, h_as(s, H_HQ), json);
  return h_str("%s", h_gets(r->json, "id"));
}

static void persons_preferred_language_defaults_to_vi_and_can_be_changed(void **state) {
  h_server_t *s = *state;
  const h_auth_t *hq = h_as(s, H_HQ);
  h_resp_t *r = h_create_person(s, hq, h_person_json("Default Language", "JP", "null", "student"));
  lg_expect_str(r, "preferred_language", "vi");
  const char *id = h_str("%s", h_gets(r->json, "id"));
  r = h_call(s, hq, "PATCH", "{\"preferred_language\":\"en\"}", "/api/v1/persons/%s", id);
  EXPECT_STATUS(s, r, 200);
  lg_expect_str(r, "preferred_language", "en");
  r = h_call(s, hq, "GET", NULL, "/api/v1/persons/%s", id);
  EXPECT_STATUS(s, r, 200);
  lg_expect_str(r, "preferred_language", "en");
  /* A change of another field keeps it. */
  r = h_call(s, hq, "PATCH", "{\"home_province\":\"Huế\"}", "/api/v1/persons/%s", id);
  EXPECT_STATUS(s, r, 200);
  lg_expect_str(r, "preferred_language", "en");
  r = h_call(s, hq, "PATCH", "{\"preferred_language\":\"vi\"}", "/api/v1/persons/%s", id);
  lg_expect_str(r, "preferred_language", "vi");
}

static void persons_bad_preferred_language_is_refused_naming_the_field(void **state) {
  h_server_t *s = *state;
  const h_auth_t *hq = h_as(s, H_HQ);
  h_resp_t *r = h_call(s, hq, "POST",
                       "{\"full_name\":\"Bad Language\",\"preferred_language\":\"fr\"}",
                       "/api/v1/persons");
  EXPECT_ERROR(s, r, 422, "validation_failed", "preferred_language");
  r = h_call(s, hq, "POST", "{\"full_name\":\"Bad Language\",\"preferred_language\":\"EN\"}",
             "/api/v1/persons");
  EXPECT_ERROR(s, r, 422, "validation_failed", "preferred_language");
  r = h_create_person(s, hq, h_person_json("Patch Language", "JP", "null", "student"));
  const char *id = h_str("%s", h_gets(r->json, "id"));
  r = h_call(s, hq, "PATCH", "{\"preferred_language\":1}", "/api/v1/persons/%s", id);
  EXPECT_ERROR(s, r, 422, "validation_failed", "preferred_language");
  r = h_call(s, hq, "PATCH", "{\"preferred_language\":null}", "/api/v1/persons/%s", id);
  EXPECT_ERROR(s, r, 422, "validation_failed", "preferred_language");
  r = h_call(s, NULL, "POST",
             "{\"person\":{\"full_name\":\"Public Bad\",\"preferred_language\":\"de\"},"
             "\"presence\":{\"country\":\"JP\",\"category\":\"tourist\"}}",
             "/api/v1/public/registrations");
  EXPECT_ERROR(s, r, 422, "validation_failed", "person.preferred_language");
}

static void registration_keeps_the_preferred_language(void **state) {
  h_server_t *s = *state;
  h_resp_t *r = h_call(s, NULL, "POST",
                       "{\"person\":{\"full_name\":\"Public English\",\"preferred_language\":"
                       "\"en\"},\"presence\":{\"country\":\"JP\",\"category\":\"tourist\"}}",
                       "/api/v1/public/registrations");
  EXPECT_STATUS(s, r, 201);
  const char *token = h_str("%s", h_gets(r->json, "manage_token"));
  r = h_call(s, NULL, "GET", NULL, "/api/v1/public/registrations/%s", token);
  EXPECT_STATUS(s, r, 200);
  lg_expect_str(r, "person.preferred_language", "en");
  /* The holder of the link may change it, and only to vi or en. */
  r = h_call(s, NULL, "PATCH", "{\"preferred_language\":\"vi\"}",
             "/api/v1/public/registrations/%s", token);
  EXPECT_STATUS(s, r, 200);
  lg_expect_str(r, "person.preferred_language", "vi");
  r = h_call(s, NULL, "PATCH", "{\"preferred_language\":\"xx\"}",
             "/api/v1/public/registrations/%s", token);
  EXPECT_ERROR(s, r, 422, "validation_failed", "preferred_language");
  /* The form without JavaScript: its select offers the page's language first, and posts it. */
  h_resp_t *page = h_call(s, NULL, "GET", NULL, "/register?lang=en");
  EXPECT_STATUS(s, page, 200);
  const char *sel = strstr(page->body, "name=\"preferred_language\"");
  assert_non_null(sel);
  const char *en = strstr(sel, "<option value=\"en\">"), *vi = strstr(sel, "<option value=\"vi\">");
  assert_non_null(en);
  assert_non_null(vi);
  assert_true(en < vi);
  const char *set = h_header(page, "Set-Cookie");
  const char *mark = strstr(page->body, "name=\"csrf\" value=\"");
  assert_non_null(set);
  assert_non_null(mark);
  mark += strlen("name=\"csrf\" value=\"");
  const char *body = h_str("csrf=%.64s&full_name=Form+English&sex=F&preferred_language=en"
                           "&country=JP&category=student",
                           mark);
  h_req_t rq = {.method = "POST",
                .path = "/register?lang=en",
                .raw = body,
                .raw_len = strlen(body),
                .content_type = "application/x-www-form-urlencoded",
                .headers = {h_str("Cookie: %.*s", (int)strcspn(set, ";"), set), NULL}};
  r = h_do(s, &rq);
  EXPECT_STATUS(s, r, 200);
  const char *a = strstr(r->body, "id=\"manage-link\" href=\"");
  assert_non_null(a);
  a = strstr(a, "/register/");
  assert_non_null(a);
  const char *form_token = h_str("%.43s", a + strlen("/register/"));
  r = h_call(s, NULL, "GET", NULL, "/api/v1/public/registrations/%s", form_token);
  EXPECT_STATUS(s, r, 200);
  lg_expect_str(r, "person.preferred_language", "en");
}

static void alert_writes_each_recipient_in_their_language(void **state) {
  h_server_t *s = *state;
  const h_auth_t *hq = h_as(s, H_HQ);
  lg_person(s, "Lan Việt", "lan.vi@example.org", "+357 99 100 001", NULL);
  lg_person(s, "Ann English", "ann.en@example.org", "+357 99 100 002", "en");
  h_resp_t *r = h_call(s, hq, "POST",
                       "{\"name\":\"Cyprus fires\",\"kind\":\"natural_disaster\",\"countries\":"
                       "[\"" LG_COUNTRY "\"]}",
                       "/api/v1/crises");
  EXPECT_STATUS(s, r, 201);
  const char *crisis = h_str("%s", h_gets(r->json, "id"));
  const char *alert_json =
      "{\"subject_vi\":\"Cháy rừng gần Nicosia\",\"subject_en\":\"Forest fires near Nicosia\","
      "\"body_vi\":\"Hãy rời khỏi khu vực rừng.\",\"body_en\":\"Leave the forest area.\","
      "\"channels\":[\"email\",\"sms\"]}";
  /* The preview says how many recipients read each language. */
  r = h_call(s, hq, "POST", alert_json, "/api/v1/crises/%s/alerts?preview=1", crisis);
  EXPECT_STATUS(s, r, 200);
  assert_int_equal(json_integer_value(h_get(r->json, "languages.vi")), 1);
  assert_int_equal(json_integer_value(h_get(r->json, "languages.en")), 1);
  r = h_call(s, hq, "POST", alert_json, "/api/v1/crises/%s/alerts", crisis);
  EXPECT_STATUS(s, r, 202);
  assert_int_equal(json_integer_value(h_get(r->json, "recipients")), 2);
  assert_int_equal(json_integer_value(h_get(r->json, "languages.en")), 1);
  const char *sms_vi = NULL, *sms_en = NULL, *mail_vi = NULL, *mail_en = NULL;
  for (int waited = 0; waited < 20000; waited += 100) {
    sms_vi = lg_sms_to(&lg.gw, "35799100001");
    sms_en = lg_sms_to(&lg.gw, "35799100002");
    if (lg.have_sink) {
      mail_vi = lg_mail_to(&lg.sink, "lan.vi@example.org");
      mail_en = lg_mail_to(&lg.sink, "ann.en@example.org");
    }
    if (sms_vi && sms_en && (!lg.have_sink || (mail_vi && mail_en))) break;
    lg_sleep_ms(100);
  }
  /* SMS: the recipient's language only (the subject unaccented when no SMS text is given). */
  assert_non_null(sms_vi);
  assert_non_null(sms_en);
  assert_non_null(strstr(sms_vi, "Chay rung gan Nicosia"));
  assert_non_null(strstr(sms_vi, "Tra loi AN TOAN"));
  assert_null(strstr(sms_vi, "Forest"));
  assert_null(strstr(sms_vi, "Reply SAFE"));
  assert_non_null(strstr(sms_en, "Forest fires near Nicosia"));
  assert_non_null(strstr(sms_en, "Reply SAFE"));
  assert_null(strstr(sms_en, "Chay rung"));
  assert_null(strstr(sms_en, "Tra loi"));
  /* The check-in page of each link opens in the recipient's language; ?lang= still wins. */
  const char *link_vi = lg_link_path(sms_vi), *link_en = lg_link_path(sms_en);
  assert_non_null(link_vi);
  assert_non_null(link_en);
  h_resp_t *page = h_call(s, NULL, "GET", NULL, "%s", link_en);
  EXPECT_STATUS(s, page, 200);
  assert_non_null(strstr(page->body, "<html lang=\"en\""));
  assert_non_null(strstr(page->body, "name=\"lang\" value=\"en\""));
  page = h_call(s, NULL, "GET", NULL, "%s", link_vi);
  EXPECT_STATUS(s, page, 200);
  assert_non_null(strstr(page->body, "<html lang=\"vi\""));
  page = h_call(s, NULL, "GET", NULL, "%s?lang=vi", link_en);
  EXPECT_STATUS(s, page, 200);
  assert_non_null(strstr(page->body, "<html lang=\"vi\""));
  page = h_call(s, NULL, "GET", NULL, "%s?lang=en", link_vi);
  EXPECT_STATUS(s, page, 200);
  assert_non_null(strstr(page->body, "<html lang=\"en\""));
  if (!lg.have_sink) return;
  /* Email: both languages, the recipient's first, and the headers say so. */
  assert_non_null(mail_vi);
  assert_non_null(mail_en);
  assert_non_null(strstr(mail_vi, "Content-Language: vi, en"));
  assert_non_null(strstr(mail_en, "Content-Language: en, vi"));
  const char *body_vi = lg_body(mail_vi), *body_en = lg_body(mail_en);
  const char *v1 = strstr(body_vi, "Hãy rời khỏi khu vực rừng."),
             *e1 = strstr(body_vi, "Leave the forest area.");
  assert_non_null(v1);
  assert_non_null(e1);
  assert_true(v1 < e1);
  const char *v2 = strstr(body_en, "Hãy rời khỏi khu vực rừng."),
             *e2 = strstr(body_en, "Leave the forest area.");
  assert_non_null(v2);
  assert_non_null(e2);
  assert_true(e2 < v2);
  /* The invitation to answer follows each text in its language. */
  assert_non_null(strstr(body_en, "Please tell us whether you are safe:"));
  assert_true(strstr(body_en, "Please tell us whether you are safe:") < v2);
  /* The email's link opens the page in the recipient's language too. */
  page = h_call(s, NULL, "GET", NULL, "%s", lg_link_path(body_en));
  EXPECT_STATUS(s, page, 200);
  assert_non_null(strstr(page->body, "<html lang=\"en\""));
}

/* Runs `baoho A1 A2 A3 A4 --db DB` and fails the test unless it exits 0; its output (kept). */
static const char *lg_cli_ok(h_server_t *s, const char *a1, const char *a2, const char *a3,
                             const char *a4) {
  char out[4096];
  int rc = h_cli(NULL, out, sizeof(out), a1, a2, a3, a4, "--db", s->db, NULL);
  if (rc != 0) {
    fprintf(stderr, "baoho %s %s %s %s: exit %d\n%s\n", a1, a2, a3, a4, rc, out);
    h_server_dump_log(s);
  }
  assert_int_equal(rc, 0);
  return h_str("%s", out);
}

/* The id of the one person whose name search q finds; the list shows its language too. */
static const char *lg_find(h_server_t *s, const char *q, const char *lang) {
  h_resp_t *r = h_call(s, h_as(s, H_HQ), "GET", NULL, "/api/v1/persons?q=%s", h_urlencode(q));
  EXPECT_STATUS(s, r, 200);
  assert_int_equal(json_array_size(h_get(r->json, "items")), 1);
  assert_non_null(h_gets(r->json, "items[0].preferred_language"));
  assert_string_equal(h_gets(r->json, "items[0].preferred_language"), lang);
  return h_str("%s", h_gets(r->json, "items[0].id"));
}

static void import_and_export_carry_the_preferred_language(void **state) {
  h_server_t *s = *state;
  const char *csv = h_str("%s/lang-import.csv", s->dir);
  const char *rejects = h_str("%s/lang-import.rejects.csv", s->dir);
  FILE *f = fopen(csv, "w");
  assert_non_null(f);
  fputs("full_name,country,category,preferred_language\r\n"
        "Importen Quyen,JP,student,en\r\n"
        "Importvi Quyen,JP,student,\r\n"
        "Importbad Quyen,JP,student,fr\r\n",
        f);
  fclose(f);
  const char *said = lg_cli_ok(s, "import", "persons", csv, h_str("--rejects=%s", rejects));
  assert_non_null(strstr(said, "2 imported"));
  assert_non_null(strstr(said, "1 rejected"));
  f = fopen(rejects, "rb");
  assert_non_null(f);
  char rej[2048];
  size_t rn = fread(rej, 1, sizeof(rej) - 1, f);
  fclose(f);
  rej[rn] = '\0';
  assert_non_null(strstr(rej, "preferred_language"));
  assert_non_null(strstr(rej, "Importbad Quyen"));
  /* A file without the column reads as Vietnamese. */
  const char *csv2 = h_str("%s/lang-import2.csv", s->dir);
  f = fopen(csv2, "w");
  assert_non_null(f);
  fputs("full_name,country,category\r\nImportnone Quyen,JP,worker\r\n", f);
  fclose(f);
  lg_cli_ok(s, "import", "persons", csv2, h_str("--rejects=%s.rejects", csv2));
  const h_auth_t *hq = h_as(s, H_HQ);
  struct {
    const char *q, *lang;
  } want[] = {{"importen quyen", "en"}, {"importvi quyen", "vi"}, {"importnone quyen", "vi"}};
  for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
    h_resp_t *r = h_call(s, hq, "GET", NULL, "/api/v1/persons/%s",
                          lg_find(s, want[i].q, want[i].lang));
    EXPECT_STATUS(s, r, 200);
    assert_string_equal(h_gets(r->json, "preferred_language"), want[i].lang);
  }
  h_resp_t *r = h_call(s, hq, "GET", NULL, "/api/v1/persons?q=importbad");
  EXPECT_STATUS(s, r, 200);
  assert_int_equal(json_array_size(h_get(r->json, "items")), 0);
  /* The export has the column, with each person's language. */
  const char *out = h_str("%s/lang-export.csv", s->dir);
  lg_cli_ok(s, "export", "persons", "--out", out);
  f = fopen(out, "rb");
  assert_non_null(f);
  char *text = calloc(1, 1 << 22);
  assert_non_null(text);
  size_t n = fread(text, 1, (1 << 22) - 1, f);
  fclose(f);
  text[n] = '\0';
  char *head_end = strstr(text, "\r\n");
  assert_non_null(head_end);
  *head_end = '\0';
  int header_ok = strstr(text, ",status,preferred_language") != NULL;
  *head_end = '\r';
  char *en_row = strstr(text, "Importen Quyen");
  char *vi_row = strstr(text, "Importvi Quyen");
  int en_ok = en_row != NULL && strstr(en_row, ",en\r\n") != NULL &&
              strstr(en_row, ",en\r\n") < strstr(en_row, "\r\n") + 2;
  int vi_ok = vi_row != NULL && strstr(vi_row, ",vi\r\n") != NULL &&
              strstr(vi_row, ",vi\r\n") < strstr(vi_row, "\r\n") + 2;
  free(text);
  assert_true(header_ok);
  assert_true(en_ok);
  assert_true(vi_ok);
}

int api_lang_tests(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(persons_preferred_language_defaults_to_vi_and_can_be_changed),
      cmocka_unit_test(persons_bad_preferred_language_is_refused_naming_the_field),
      cmocka_unit_test(registration_keeps_the_preferred_language),
      cmocka_unit_test(alert_writes_each_recipient_in_their_language),
      cmocka_unit_test(import_and_export_carry_the_preferred_language),
  };
  return cmocka_run_group_tests_name("lang", tests, lg_setup, lg_teardown);
}
