/*
 * msgfix.c - the fake SMS gateway and the SMTP sink of the API tests (msgfix.h).
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sodium.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "delivery/sms.h"
#include "msgfix.h"

extern char **environ;

/* ---- the fake SMS gateway ---- */

typedef struct {
  char data[8192];
  size_t len;
} h_gw_req_t;

static enum MHD_Result h_gw_handle(void *cls, struct MHD_Connection *c, const char *url,
                                   const char *method, const char *version, const char *data,
                                   size_t *data_size, void **req_cls) {
  (void)url;
  (void)method;
  (void)version;
  h_gateway_t *g = cls;
  h_gw_req_t *r = *req_cls;
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
  int ok = sms_verify_signature(g->secret, r->data, r->len, sig) == 0;
  pthread_mutex_lock(&g->mu);
  int n = g->requests++;
  if (!ok) g->bad_signatures++;
  if (n < H_GW_MAX) snprintf(g->body[n], sizeof(g->body[n]), "%.*s", (int)r->len, r->data);
  pthread_mutex_unlock(&g->mu);
  char reply[64];
  snprintf(reply, sizeof(reply), "{\"id\":\"gw-%d\"}", n);
  struct MHD_Response *resp =
      MHD_create_response_from_buffer(strlen(reply), reply, MHD_RESPMEM_MUST_COPY);
  enum MHD_Result ret = MHD_queue_response(c, ok ? 200 : 401, resp);
  MHD_destroy_response(resp);
  return ret;
}

static void h_gw_completed(void *cls, struct MHD_Connection *c, void **req_cls,
                           enum MHD_RequestTerminationCode toe) {
  (void)cls;
  (void)c;
  (void)toe;
  free(*req_cls);
  *req_cls = NULL;
}

int h_gw_start(h_gateway_t *g, const char *secret) {
  memset(g, 0, sizeof(*g));
  snprintf(g->secret, sizeof(g->secret), "%s", secret);
  pthread_mutex_init(&g->mu, NULL);
  struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = 0};
  sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  g->d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION, 0, NULL,
                          NULL, h_gw_handle, g, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sin,
                          MHD_OPTION_NOTIFY_COMPLETED, h_gw_completed, g, MHD_OPTION_END);
  if (g->d == NULL) return -1;
  const union MHD_DaemonInfo *di = MHD_get_daemon_info(g->d, MHD_DAEMON_INFO_BIND_PORT);
  snprintf(g->url, sizeof(g->url), "http://127.0.0.1:%u/v1/sms", (unsigned)di->port);
  return 0;
}

int h_gw_requests(h_gateway_t *g) {
  pthread_mutex_lock(&g->mu);
  int n = g->requests;
  pthread_mutex_unlock(&g->mu);
  return n;
}

void h_gw_stop(h_gateway_t *g) {
  if (g->d == NULL) return;
  MHD_stop_daemon(g->d);
  g->d = NULL;
  pthread_mutex_destroy(&g->mu);
}

/* ---- the SMTP sink ---- */

int h_sink_start(h_sink_t *k) {
  memset(k, 0, sizeof(*k));
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
  snprintf(k->dir, sizeof(k->dir), "/tmp/baoho-api-maildir-XXXXXX");
  int out[2] = {-1, -1};
  if (mkdtemp(k->dir) == NULL || pipe(out) != 0) {
    k->dir[0] = '\0';
    posix_spawn_file_actions_destroy(&fa);
    return -1;
  }
  posix_spawn_file_actions_adddup2(&fa, out[1], 1);
  posix_spawn_file_actions_addclose(&fa, out[0]);
  char *argv[] = {(char *)py, script, "--maildir", k->dir, NULL};
  int rc = posix_spawnp(&k->pid, py, &fa, NULL, argv, environ);
  posix_spawn_file_actions_destroy(&fa);
  close(out[1]);
  if (rc != 0) {
    k->pid = 0;
    close(out[0]);
    return -1;
  }
  /* The sink prints "PORT n" once it listens. */
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

void h_sink_stop(h_sink_t *k) {
  if (k->pid > 0) {
    kill(k->pid, SIGTERM);
    waitpid(k->pid, NULL, 0);
    k->pid = 0;
  }
  if (k->dir[0] != '\0') {
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", k->dir);
    if (system(cmd) != 0) fprintf(stderr, "cannot remove %s\n", k->dir);
    k->dir[0] = '\0';
  }
}

int h_mail_list(const h_sink_t *k, const char **paths, int max) {
  char dir[128];
  snprintf(dir, sizeof(dir), "%s/new", k->dir);
  DIR *d = opendir(dir);
  int n = 0;
  struct dirent *e;
  while (d != NULL && (e = readdir(d)) != NULL) {
    if (e->d_name[0] == '.') continue;
    if (n < max) paths[n] = h_str("%s/%s", dir, e->d_name);
    n++;
  }
  if (d != NULL) closedir(d);
  return n;
}

const char *h_mail_read(const char *path) {
  FILE *f = fopen(path, "rb");
  assert_non_null(f);
  char *buf = malloc(1 << 20);
  assert_non_null(buf);
  size_t n = fread(buf, 1, (1 << 20) - 1, f);
  fclose(f);
  buf[n] = '\0';
  const char *kept = h_str("%s", buf);
  free(buf);
  return kept;
}

const char *h_mail_to(const h_sink_t *k, const char *address) {
  const char *paths[H_GW_MAX];
  int n = h_mail_list(k, paths, H_GW_MAX);
  const char *want = h_str("To: <%s>", address);
  for (int i = 0; i < n && i < H_GW_MAX; i++) {
    const char *raw = h_mail_read(paths[i]);
    if (strstr(raw, want) != NULL) return raw;
  }
  return NULL;
}

static int h_hex(char c) {
  return c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

const char *h_mail_body(const char *raw) {
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
    } else if (h_hex(b[i + 1]) >= 0 && h_hex(b[i + 2]) >= 0) {
      out[k++] = (char)(h_hex(b[i + 1]) * 16 + h_hex(b[i + 2]));
      i += 2;
    }
  }
  out[k] = '\0';
  return out;
}

const char *h_link_path(const h_server_t *s, const char *text) {
  if (text == NULL) return NULL;
  const char *base = s ? h_str("http://127.0.0.1:%d/c/", s->port) : "/c/";
  const char *p = strstr(text, base);
  if (p == NULL) return NULL;
  p += strlen(base) - 3;
  size_t n = strspn(p + 3, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_");
  return h_str("%.*s", (int)(n + 3), p);
}
