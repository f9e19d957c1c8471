/*
 * harness.c - the API suite's harness: child-process servers, libcurl requests, logins and
 * self-explaining expectations; see harness.h.
 */
#include "harness.h"

#include "alert/alert.h"
#include "domain/secret.h"

#include <curl/curl.h>
#include <errno.h>
#include <libpq-fe.h>
#include <fcntl.h>
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define H_START_TIMEOUT_MS 60000 /* generous: sanitizer builds start slowly */
#define H_STOP_TIMEOUT_MS 60000
#define H_LOG_TAIL_LINES 15
#define H_BODY_SHOWN 2000

const char *h_binary;
const char *h_pg_url;

/* Servers started and not yet destroyed, for h_cli to find the directory of a database. */
#define H_MAX_LIVE 64
static h_server_t *h_live[H_MAX_LIVE];

const char *const h_who_names[H_NWHO] = {"admin",           "hq",     "officer-israel",
                                         "officer-myanmar", "viewer", "anonymous"};
const char *const h_who_email[H_NWHO] = {"admin@baoho.example",  "hq@baoho.example",
                                         "israel@baoho.example", "myanmar@baoho.example",
                                         "viewer@baoho.example", NULL};
const char *const h_who_password[H_NWHO] = {"demo-admin-2023",  "demo-hq-2023",
                                            "demo-israel-2023", "demo-myanmar-2023",
                                            "demo-viewer-2023", NULL};

/* ---- what the harness hands out, freed together ---- */

struct h_kept {
  struct h_kept *next;
  void *p;
  void (*release)(void *);
};

static struct h_kept *h_kept_list;

static void *h_keep(void *p, void (*release)(void *)) {
  struct h_kept *k = malloc(sizeof(*k));
  if (k == NULL || p == NULL) {
    free(k);
    if (p) release(p);
    fail_msg("out of memory in the harness");
  }
  k->p = p;
  k->release = release;
  k->next = h_kept_list;
  h_kept_list = k;
  return p;
}

static void h_resp_release(void *p) {
  h_resp_t *r = p;
  free(r->headers);
  free(r->body);
  json_decref(r->json);
  free(r);
}

void h_release_all(void) {
  while (h_kept_list) {
    struct h_kept *k = h_kept_list;
    h_kept_list = k->next;
    k->release(k->p);
    free(k);
  }
}

char *h_str(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  char *s = n >= 0 ? malloc((size_t)n + 1) : NULL;
  if (s != NULL) {
    va_start(ap, fmt);
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    va_end(ap);
  }
  return h_keep(s, free);
}

char *h_urlencode(const char *s) {
  char *out = malloc(strlen(s) * 3 + 1);
  if (out == NULL) fail_msg("out of memory");
  char *o = out;
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
        *p == '-' || *p == '_' || *p == '.' || *p == '~') {
      *o++ = (char)*p;
    } else {
      o += sprintf(o, "%%%02X", *p);
    }
  }
  *o = '\0';
  return h_keep(out, free);
}

/* ---- the server process ---- */

static void h_sleep_ms(long ms) {
  struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};
  while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
  }
}

void h_server_dump_log(const h_server_t *s) {
  FILE *f = fopen(s->err_file, "r");
  if (f == NULL) {
    fprintf(stderr, "    (no server log at %s)\n", s->err_file);
    return;
  }
  /* Keep the last lines in a ring. */
  static char ring[H_LOG_TAIL_LINES][1024];
  size_t n = 0;
  while (fgets(ring[n % H_LOG_TAIL_LINES], sizeof(ring[0]), f) != NULL) n++;
  fclose(f);
  size_t first = n > H_LOG_TAIL_LINES ? n - H_LOG_TAIL_LINES : 0;
  fprintf(stderr, "    --- last %zu lines of the server's stderr (%s) ---\n", n - first,
          s->err_file);
  for (size_t i = first; i < n; i++) fprintf(stderr, "    | %s", ring[i % H_LOG_TAIL_LINES]);
  fprintf(stderr, "    --- end of server log ---\n");
}

static int h_spawn(h_server_t *s) {
  unlink(s->port_file);
  pid_t pid = fork();
  if (pid < 0) {
    perror("fork");
    return -1;
  }
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL); /* never outlive a crashed test run */
    int in = open("/dev/null", O_RDONLY);
    int err = open(s->err_file, O_WRONLY | O_CREAT | O_APPEND, 0600);
    char out_file[PATH_MAX + 16];
    snprintf(out_file, sizeof(out_file), "%s/stdout", s->dir);
    int out = open(out_file, O_WRONLY | O_CREAT | O_APPEND, 0600);
    if (in < 0 || err < 0 || out < 0) _exit(126);
    dup2(in, 0);
    dup2(out, 1);
    dup2(err, 2);
    /* On PostgreSQL the key file defaults to ./baoho.key: keep it in the server's directory. */
    if (s->pg_name[0] != '\0' && chdir(s->dir) != 0) _exit(126);
    char *argv[] = {(char *)h_binary,
                    "serve",
                    "--db",
                    s->db,
                    "--listen",
                    "127.0.0.1:0",
                    "--port-file",
                    s->port_file,
                    "--threads",
                    "4",
                    s->demo ? "--demo" : NULL,
                    NULL,
                    NULL,
                    NULL,
                    NULL,
                    NULL,
                    NULL,
                    NULL,
                    NULL};
    /* Further arguments follow the fixed ones (--demo is always given by h_server_start). */
    size_t argc = s->demo ? 11 : 10;
    for (size_t i = 0; i < 7 && s->extra[i] != NULL; i++) argv[argc++] = (char *)s->extra[i];
    execv(h_binary, argv);
    dprintf(2, "harness: cannot execute %s: %s\n", h_binary, strerror(errno));
    _exit(127);
  }
  s->pid = pid;
  s->port = 0;
  for (long waited = 0; waited < H_START_TIMEOUT_MS; waited += 20) {
    int st;
    if (waitpid(pid, &st, WNOHANG) == pid) {
      s->pid = 0;
      fprintf(stderr, "harness: the server exited during start-up (status %d)\n",
              WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
      h_server_dump_log(s);
      return -1;
    }
    FILE *f = fopen(s->port_file, "r");
    if (f != NULL) {
      int port = 0;
      int ok = fscanf(f, "%d", &port) == 1 && port > 0 && port < 65536;
      fclose(f);
      if (ok) {
        s->port = port;
        memset(s->logged_in, 0, sizeof(s->logged_in));
        return 0;
      }
    }
    h_sleep_ms(20);
  }
  fprintf(stderr, "harness: the server did not write %s in time\n", s->port_file);
  h_server_dump_log(s);
  h_server_kill9(s);
  return -1;
}

int h_backend_setup(int pg) {
  if (!pg) return 0;
  const char *url = getenv("BAOHO_TEST_PG");
  if (url == NULL || url[0] == '\0') {
    printf("SKIPPED: no PostgreSQL (set BAOHO_TEST_PG)\n");
    fflush(stdout);
    return 77;
  }
  h_pg_url = url;
  fprintf(stderr, "api_tests: every server on a fresh PostgreSQL database (BAOHO_TEST_PG)\n");
  return 0;
}

int h_pg_sql(const char *sql) {
  PGconn *c = PQconnectdb(h_pg_url);
  int ok = PQstatus(c) == CONNECTION_OK;
  if (ok) {
    PGresult *r = PQexec(c, sql);
    ok = PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK;
    PQclear(r);
  }
  if (!ok) fprintf(stderr, "harness: PostgreSQL: %s: %s", sql, PQerrorMessage(c));
  PQfinish(c);
  return ok ? 0 : -1;
}

/* Creates the server's own database and sets s->db to its URL. */
static int h_pg_create(h_server_t *s) {
  static unsigned counter;
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  snprintf(s->pg_name, sizeof(s->pg_name), "baoho_test_%ld_%u_%lx", (long)getpid(), counter++,
           (unsigned long)ts.tv_nsec);
  if (h_pg_sql(h_str("CREATE DATABASE %s", s->pg_name)) != 0) {
    s->pg_name[0] = '\0';
    return -1;
  }
  /* A dbname in the query string overrides the one in the path. */
  snprintf(s->db, sizeof(s->db), "%s%sdbname=%s", h_pg_url, strchr(h_pg_url, '?') ? "&" : "?",
           s->pg_name);
  return 0;
}

/* Starts a server with the extra arguments already in s->extra (the rest of s is reset). */
static int h_server_start_with_extra(h_server_t *s) {
  const char *extra[8];
  memcpy(extra, s->extra, sizeof(extra));
  memset(s, 0, sizeof(*s));
  memcpy(s->extra, extra, sizeof(extra));
  const char *tmp = getenv("TMPDIR");
  snprintf(s->dir, sizeof(s->dir), "%s/baoho-api-XXXXXX", tmp && *tmp ? tmp : "/tmp");
  if (mkdtemp(s->dir) == NULL) {
    perror("mkdtemp");
    return -1;
  }
  if (h_pg_url != NULL) {
    if (h_pg_create(s) != 0) return -1;
    snprintf(s->key, sizeof(s->key), "%s/baoho.key", s->dir);
  } else {
    snprintf(s->db, sizeof(s->db), "%s/t.db", s->dir);
    snprintf(s->key, sizeof(s->key), "%s.key", s->db);
  }
  snprintf(s->port_file, sizeof(s->port_file), "%s/port", s->dir);
  snprintf(s->err_file, sizeof(s->err_file), "%s/stderr", s->dir);
  s->demo = 1;
  for (size_t i = 0; i < H_MAX_LIVE; i++) {
    if (h_live[i] == NULL) {
      h_live[i] = s;
      break;
    }
  }
  return h_spawn(s);
}

int h_server_start(h_server_t *s) {
  memset(s, 0, sizeof(*s)); /* no extra arguments, whatever the caller's struct held */
  return h_server_start_with_extra(s);
}

int h_server_start_args(h_server_t *s, const char *const *extra) {
  memset(s, 0, sizeof(*s));
  for (size_t i = 0; i < 7 && extra != NULL && extra[i] != NULL; i++) s->extra[i] = extra[i];
  return h_server_start_with_extra(s);
}

int h_db_dump(const h_server_t *s, const char *path) {
  if (s->pg_name[0] == '\0') return -1;
  pid_t pid = fork();
  if (pid < 0) return -1;
  if (pid == 0) {
    int out = open("/dev/null", O_WRONLY);
    if (out >= 0) dup2(out, 1);
    const char *dbname = h_str("--dbname=%s", s->db), *file = h_str("--file=%s", path);
    execlp("pg_dump", "pg_dump", "--no-owner", dbname, file, (char *)NULL);
    execl("/usr/lib/postgresql/15/bin/pg_dump", "pg_dump", "--no-owner", dbname, file,
          (char *)NULL);
    _exit(127);
  }
  int st;
  waitpid(pid, &st, 0);
  return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

int h_server_restart(h_server_t *s) {
  if (s->pid > 0) h_server_stop(s);
  return h_spawn(s);
}

int h_server_stop(h_server_t *s) {
  if (s->pid <= 0) return -1;
  kill(s->pid, SIGTERM);
  int st = 0;
  pid_t got = 0;
  for (long waited = 0; waited < H_STOP_TIMEOUT_MS; waited += 20) {
    got = waitpid(s->pid, &st, WNOHANG);
    if (got == s->pid) break;
    h_sleep_ms(20);
  }
  if (got != s->pid) {
    fprintf(stderr, "harness: the server ignored SIGTERM; killing it\n");
    h_server_kill9(s);
    return 128 + SIGKILL;
  }
  s->pid = 0;
  int rc = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
  if (rc != 0) {
    fprintf(stderr, "harness: the server stopped with status %d\n", rc);
    h_server_dump_log(s);
  }
  return rc;
}

void h_server_kill9(h_server_t *s) {
  if (s->pid <= 0) return;
  kill(s->pid, SIGKILL);
  waitpid(s->pid, NULL, 0);
  s->pid = 0;
}

/* Removes the server's directory: it holds only files. */
static void h_rmdir(const char *dir) {
  DIR *d = opendir(dir);
  if (d == NULL) return;
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
    char path[PATH_MAX + 256];
    snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
    unlink(path);
  }
  closedir(d);
  rmdir(dir);
}

int h_server_destroy(h_server_t *s) {
  int rc = s->pid > 0 ? h_server_stop(s) : 0;
  for (size_t i = 0; i < H_MAX_LIVE; i++) {
    if (h_live[i] == s) h_live[i] = NULL;
  }
  if (getenv("BAOHO_TEST_KEEP") == NULL) {
    if (s->dir[0] != '\0') h_rmdir(s->dir);
    if (s->pg_name[0] != '\0') {
      h_pg_sql(h_str("DROP DATABASE IF EXISTS %s WITH (FORCE)", s->pg_name));
    }
  }
  return rc;
}

int h_group_setup(void **state) {
  h_server_t *s = calloc(1, sizeof(*s));
  if (s == NULL) return -1;
  if (h_server_start(s) != 0) {
    h_server_destroy(s);
    free(s);
    return -1;
  }
  *state = s;
  return 0;
}

int h_group_teardown(void **state) {
  h_server_t *s = *state;
  h_release_all();
  if (s == NULL) return 0;
  int rc = h_server_destroy(s);
  free(s);
  *state = NULL;
  /* A server that leaked, crashed or tripped a sanitizer fails the group. */
  return rc == 0 ? 0 : -1;
}

/* ---- requests ---- */

struct h_buf {
  char *data;
  size_t len;
};

static size_t h_collect(char *ptr, size_t size, size_t nmemb, void *ud) {
  struct h_buf *b = ud;
  size_t n = size * nmemb;
  char *grown = realloc(b->data, b->len + n + 1);
  if (grown == NULL) return 0;
  memcpy(grown + b->len, ptr, n);
  b->len += n;
  grown[b->len] = '\0';
  b->data = grown;
  return n;
}

/* One request on its way: its handle, headers and the buffers its answer is collected in. */
struct h_call {
  CURL *c;
  struct curl_slist *hdrs;
  struct h_buf hb, bb;
  h_resp_t *r;
  char url[4096];
};

/* Prepares x to perform rq against s (h_do, h_do_all). */
static void h_call_prepare(h_server_t *s, const h_req_t *rq, struct h_call *x) {
  memset(x, 0, sizeof(*x));
  x->r = h_keep(calloc(1, sizeof(*x->r)), h_resp_release);
  snprintf(x->r->what, sizeof(x->r->what), "%s %s", rq->method, rq->path);
  x->c = curl_easy_init();
  if (x->c == NULL) fail_msg("curl_easy_init failed");
  snprintf(x->url, sizeof(x->url), "http://127.0.0.1:%d%s", s->port, rq->path);
  char line[512];
  x->hdrs = curl_slist_append(x->hdrs, "Expect:");
  const void *body = rq->json ? rq->json : rq->raw;
  size_t body_len = rq->json ? strlen(rq->json) : rq->raw_len;
  if (rq->content_type != NULL) {
    snprintf(line, sizeof(line),
             rq->content_type[0] ? "Content-Type: %s" : "Content-Type:", rq->content_type);
    x->hdrs = curl_slist_append(x->hdrs, line);
  } else if (body != NULL) {
    x->hdrs = curl_slist_append(x->hdrs, "Content-Type: application/json");
  }
  if (rq->auth && rq->auth->cookie[0]) {
    snprintf(line, sizeof(line), "Cookie: baoho_session=%s", rq->auth->cookie);
    x->hdrs = curl_slist_append(x->hdrs, line);
  }
  if (rq->auth && rq->auth->bearer[0]) {
    snprintf(line, sizeof(line), "Authorization: Bearer %s", rq->auth->bearer);
    x->hdrs = curl_slist_append(x->hdrs, line);
  }
  for (size_t i = 0; i < 8 && rq->headers[i]; i++) x->hdrs = curl_slist_append(x->hdrs, rq->headers[i]);
  curl_easy_setopt(x->c, CURLOPT_URL, x->url);
  curl_easy_setopt(x->c, CURLOPT_CUSTOMREQUEST, rq->method);
  if (strcmp(rq->method, "HEAD") == 0) curl_easy_setopt(x->c, CURLOPT_NOBODY, 1L);
  if (body != NULL) {
    curl_easy_setopt(x->c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len);
    curl_easy_setopt(x->c, CURLOPT_POSTFIELDS, body);
  }
  curl_easy_setopt(x->c, CURLOPT_HTTPHEADER, x->hdrs);
  curl_easy_setopt(x->c, CURLOPT_HEADERFUNCTION, h_collect);
  curl_easy_setopt(x->c, CURLOPT_HEADERDATA, &x->hb);
  curl_easy_setopt(x->c, CURLOPT_WRITEFUNCTION, h_collect);
  curl_easy_setopt(x->c, CURLOPT_WRITEDATA, &x->bb);
  curl_easy_setopt(x->c, CURLOPT_TIMEOUT, 120L); /* a hung server fails the test, not the run */
  curl_easy_setopt(x->c, CURLOPT_NOSIGNAL, 1L);
}

/* Ends x once performed with result cc: its answer, parsed; fails the test on a transport error. */
static h_resp_t *h_call_finish(h_server_t *s, struct h_call *x, CURLcode cc) {
  h_resp_t *r = x->r;
  curl_easy_getinfo(x->c, CURLINFO_RESPONSE_CODE, &r->status);
  curl_slist_free_all(x->hdrs);
  curl_easy_cleanup(x->c);
  r->headers = x->hb.data ? x->hb.data : strdup("");
  r->body = x->bb.data ? x->bb.data : strdup("");
  r->len = x->bb.len;
  if (cc != CURLE_OK) {
    fprintf(stderr, "    %s: transport failed: %s\n", r->what, curl_easy_strerror(cc));
    h_server_dump_log(s);
    fail_msg("request failed at the transport level");
  }
  if (r->len > 0) r->json = json_loadb(r->body, r->len, 0, NULL);
  return r;
}

h_resp_t *h_do(h_server_t *s, const h_req_t *rq) {
  struct h_call x;
  h_call_prepare(s, rq, &x);
  return h_call_finish(s, &x, curl_easy_perform(x.c));
}

void h_do_all(h_server_t *s, const h_req_t *rqs, size_t n, h_resp_t **out) {
  struct h_call *xs = calloc(n, sizeof(*xs));
  CURLM *m = curl_multi_init();
  if (xs == NULL || m == NULL) fail_msg("out of memory");
  for (size_t i = 0; i < n; i++) {
    h_call_prepare(s, &rqs[i], &xs[i]);
    curl_multi_add_handle(m, xs[i].c);
  }
  int running = 1;
  while (running) {
    if (curl_multi_perform(m, &running) != CURLM_OK) fail_msg("curl_multi_perform failed");
    if (running) curl_multi_poll(m, NULL, 0, 1000, NULL);
  }
  CURLcode *done = calloc(n, sizeof(*done));
  if (done == NULL) fail_msg("out of memory");
  CURLMsg *msg;
  int left;
  while ((msg = curl_multi_info_read(m, &left)) != NULL) {
    for (size_t i = 0; i < n; i++) {
      if (msg->msg == CURLMSG_DONE && msg->easy_handle == xs[i].c) done[i] = msg->data.result;
    }
  }
  for (size_t i = 0; i < n; i++) {
    curl_multi_remove_handle(m, xs[i].c);
    out[i] = h_call_finish(s, &xs[i], done[i]);
  }
  curl_multi_cleanup(m);
  free(done);
  free(xs);
}

h_resp_t *h_call(h_server_t *s, const h_auth_t *auth, const char *method, const char *json,
                 const char *path_fmt, ...) {
  char path[2048];
  va_list ap;
  va_start(ap, path_fmt);
  vsnprintf(path, sizeof(path), path_fmt, ap);
  va_end(ap);
  h_req_t rq = {.method = method, .path = path, .json = json, .auth = auth};
  return h_do(s, &rq);
}

const char *h_header(h_resp_t *r, const char *name) {
  size_t nlen = strlen(name);
  for (const char *p = r->headers; p && *p;) {
    const char *eol = strchr(p, '\n');
    size_t llen = eol ? (size_t)(eol - p) : strlen(p);
    if (llen > nlen && strncasecmp(p, name, nlen) == 0 && p[nlen] == ':') {
      const char *v = p + nlen + 1;
      while (*v == ' ') v++;
      size_t vlen = llen - (size_t)(v - p);
      while (vlen > 0 && (v[vlen - 1] == '\r' || v[vlen - 1] == ' ')) vlen--;
      return h_str("%.*s", (int)vlen, v);
    }
    p = eol ? eol + 1 : NULL;
  }
  return NULL;
}

/* ---- logins ---- */

void h_login(h_server_t *s, const char *email, const char *password, h_auth_t *auth) {
  memset(auth, 0, sizeof(*auth));
  json_t *b = json_pack("{s:s, s:s}", "email", email, "password", password);
  char *text = json_dumps(b, JSON_COMPACT);
  json_decref(b);
  h_resp_t *r = h_call(s, NULL, "POST", h_keep(text, free), "/api/v1/session");
  EXPECT_STATUS(s, r, 201);
  const char *sc = h_header(r, "Set-Cookie");
  if (sc == NULL || strncmp(sc, "baoho_session=", 14) != 0) fail_msg("login set no session cookie");
  const char *v = sc + 14;
  size_t n = strcspn(v, ";");
  if (n == 0 || n >= sizeof(auth->cookie)) fail_msg("login set an empty or huge cookie");
  memcpy(auth->cookie, v, n);
  auth->cookie[n] = '\0';
}

const h_auth_t *h_as(h_server_t *s, enum h_who who) {
  if (who == H_ANON) return NULL;
  if (!s->logged_in[who]) {
    h_login(s, h_who_email[who], h_who_password[who], &s->who[who]);
    s->logged_in[who] = 1;
  }
  return &s->who[who];
}

void h_token(h_server_t *s, const h_auth_t *auth, h_auth_t *out) {
  memset(out, 0, sizeof(*out));
  h_resp_t *r = h_call(s, auth, "POST", "{\"name\":\"api test\"}", "/api/v1/tokens");
  EXPECT_STATUS(s, r, 201);
  const char *t = h_gets(r->json, "token");
  if (t == NULL || strlen(t) >= sizeof(out->bearer)) fail_msg("no token in the reply");
  snprintf(out->bearer, sizeof(out->bearer), "%s", t);
}

/* ---- the CLI ---- */

int h_cli(const char *stdin_text, char *out, size_t cap, const char *arg, ...) {
  const char *argv[32];
  size_t n = 0;
  argv[n++] = h_binary;
  va_list ap;
  va_start(ap, arg);
  for (const char *a = arg; a != NULL && n < 31; a = va_arg(ap, const char *)) argv[n++] = a;
  va_end(ap);
  argv[n] = NULL;
  const char *cwd = NULL;
  for (size_t i = 1; i + 1 < n; i++) {
    for (size_t k = 0; strcmp(argv[i], "--db") == 0 && k < H_MAX_LIVE; k++) {
      if (h_live[k] && h_live[k]->pg_name[0] && strcmp(h_live[k]->db, argv[i + 1]) == 0) {
        cwd = h_live[k]->dir;
      }
    }
  }
  int in[2], outp[2];
  if (pipe(in) != 0 || pipe(outp) != 0) return -1;
  pid_t pid = fork();
  if (pid < 0) return -1;
  if (pid == 0) {
    dup2(in[0], 0);
    dup2(outp[1], 1);
    close(in[1]);
    close(outp[0]);
    if (cwd != NULL && chdir(cwd) != 0) _exit(126);
    execv(h_binary, (char *const *)argv);
    _exit(127);
  }
  close(in[0]);
  close(outp[1]);
  if (stdin_text) {
    ssize_t w = write(in[1], stdin_text, strlen(stdin_text));
    (void)w;
  }
  close(in[1]);
  size_t got = 0;
  ssize_t k;
  char sink[512];
  while ((k = read(outp[0], got + 1 < cap ? out + got : sink,
                   got + 1 < cap ? cap - 1 - got : sizeof(sink))) > 0) {
    if (got + 1 < cap) got += (size_t)k;
  }
  if (cap) out[got] = '\0';
  close(outp[0]);
  int st;
  waitpid(pid, &st, 0);
  return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* ---- JSON ---- */

json_t *h_get(const json_t *root, const char *path) {
  const json_t *cur = root;
  const char *p = path;
  while (cur && *p) {
    if (*p == '.') {
      p++;
      continue;
    }
    if (*p == '[') {
      char *end;
      long i = strtol(p + 1, &end, 10);
      if (*end != ']' || !json_is_array(cur)) return NULL;
      cur = json_array_get(cur, (size_t)i);
      p = end + 1;
      continue;
    }
    size_t n = strcspn(p, ".[");
    char key[128];
    if (n >= sizeof(key)) return NULL;
    memcpy(key, p, n);
    key[n] = '\0';
    cur = json_is_object(cur) ? json_object_get(cur, key) : NULL;
    p += n;
  }
  return (json_t *)cur;
}

const char *h_gets(const json_t *root, const char *path) {
  return json_string_value(h_get(root, path));
}

/* ---- expectations ---- */

static void h_explain(h_server_t *s, h_resp_t *r, const char *why) {
  fprintf(stderr, "    %s\n    request: %s\n    status: %ld\n    body: %.*s%s\n", why, r->what,
          r->status, H_BODY_SHOWN, r->body, r->len > H_BODY_SHOWN ? "..." : "");
  if (s) h_server_dump_log(s);
}

void h_expect_status_at(h_server_t *s, h_resp_t *r, long status, const char *file, int line) {
  if (r->status == status) return;
  char why[64];
  snprintf(why, sizeof(why), "expected status %ld", status);
  h_explain(s, r, why);
  _fail(file, line);
}

void h_expect_class_at(h_server_t *s, h_resp_t *r, int cls, const char *file, int line) {
  if (r->status / 100 == cls) return;
  char why[64];
  snprintf(why, sizeof(why), "expected a %dxx status", cls);
  h_explain(s, r, why);
  _fail(file, line);
}

void h_expect_error_at(h_server_t *s, h_resp_t *r, long status, const char *code, const char *field,
                       const char *file, int line) {
  h_expect_status_at(s, r, status, file, line);
  const char *why = NULL;
  json_t *e = h_get(r->json, "error");
  const char *got_field = h_gets(r->json, "error.field");
  if (!json_is_object(e)) {
    why = "expected a JSON body {\"error\":{...}}";
  } else if (json_object_size(r->json) != 1) {
    why = "expected the error object to be the only key of the body";
  } else if (h_gets(e, "code") == NULL || strcmp(h_gets(e, "code"), code) != 0) {
    why = h_str("expected error.code \"%s\"", code);
  } else if (h_gets(e, "message") == NULL || h_gets(e, "message")[0] == '\0') {
    why = "expected a non-empty error.message";
  } else if (field != NULL && (got_field == NULL || strcmp(got_field, field) != 0)) {
    why = h_str("expected error.field \"%s\"", field);
  }
  if (why == NULL) return;
  h_explain(s, r, why);
  _fail(file, line);
}

/* ---- persons ---- */

const char *h_person_json(const char *full_name, const char *country, const char *region,
                          const char *category) {
  return h_str(
      "{\"full_name\":\"%s\",\"sex\":\"F\",\"date_of_birth\":\"1990-05-01\","
      "\"presence\":{\"country\":\"%s\"%s%s%s,\"city\":\"Test City\","
      "\"category\":\"%s\",\"from\":\"2023-01\"}}",
      full_name, country, region ? ",\"region\":\"" : "", region ? region : "", region ? "\"" : "",
      category);
}

h_resp_t *h_create_person(h_server_t *s, const h_auth_t *auth, const char *json) {
  h_resp_t *r = h_call(s, auth, "POST", json, "/api/v1/persons");
  EXPECT_STATUS(s, r, 201);
  if (h_gets(r->json, "id") == NULL) {
    h_explain(s, r, "expected the created person to have an id");
    fail();
  }
  return r;
}

static void h_json_release(void *p) {
  json_decref(p);
}

json_t *h_list_all(h_server_t *s, const h_auth_t *auth, const char *path, int limit) {
  json_t *all = h_keep(json_array(), h_json_release);
  json_t *seen = h_keep(json_object(), h_json_release);
  const char *sep = strchr(path, '?') ? "&" : "?";
  const char *after = NULL;
  for (int pages = 0;; pages++) {
    if (pages > 100000) fail_msg("%s: paging does not end", path);
    h_resp_t *r =
        after ? h_call(s, auth, "GET", NULL, "%s%slimit=%d&after=%s", path, sep, limit, after)
              : h_call(s, auth, "GET", NULL, "%s%slimit=%d", path, sep, limit);
    EXPECT_STATUS(s, r, 200);
    json_t *items = h_get(r->json, "items");
    if (!json_is_array(items) || json_array_size(items) > (size_t)limit) {
      h_explain(s, r, "expected at most limit items");
      fail();
    }
    size_t i;
    json_t *it;
    json_array_foreach(items, i, it) {
      const char *id = h_gets(it, "id");
      if (id == NULL || json_object_get(seen, id) != NULL) {
        h_explain(s, r, "an item came back twice across pages");
        fail();
      }
      json_object_set_new(seen, id, json_true());
      json_array_append(all, it);
    }
    json_t *next = h_get(r->json, "next");
    if (json_is_null(next)) break;
    if (!json_is_string(next)) {
      h_explain(s, r, "expected next to be a string or null");
      fail();
    }
    after = h_str("%s", json_string_value(next));
  }
  return all;
}

int h_has_id(const json_t *items, const char *id) {
  size_t i;
  json_t *it;
  json_array_foreach(items, i, it) {
    const char *v = h_gets(it, "id");
    if (v && strcmp(v, id) == 0) return 1;
  }
  return 0;
}

const char *h_pubid(h_server_t *s, int kind, int64_t id) {
  secret_t keys;
  if (secret_init() != 0 || secret_load(s->key, &keys) != 0) {
    fail_msg("cannot load the server's key file");
  }
  char text[PUBID_LEN + 1];
  pubid_encode(&keys, (enum pubid_kind)kind, id, text);
  return h_str("%s", text);
}

const char *h_checkin_token(h_server_t *s, const char *alert_pubid, const char *person_pubid) {
  secret_t keys;
  if (secret_init() != 0 || secret_load(s->key, &keys) != 0) {
    fail_msg("cannot load the server's key file");
  }
  int64_t alert_id = 0, person_id = 0;
  assert_int_equal(pubid_decode(&keys, PUBID_ALERT, alert_pubid, &alert_id), 0);
  assert_int_equal(pubid_decode(&keys, PUBID_PERSON, person_pubid, &person_id), 0);
  char token[ALERT_TOKEN_LEN + 1];
  alert_token(&keys, alert_id, person_id, token);
  return h_str("%s", token);
}

const char *h_checkin_alert(h_server_t *s, const char *crisis_pubid) {
  h_resp_t *r = h_call(s, h_as(s, H_HQ), "POST",
                       "{\"subject_vi\":\"Bạn có an toàn không?\",\"subject_en\":\"Are you safe?\","
                       "\"body_vi\":\"Xin trả lời.\",\"body_en\":\"Please answer.\","
                       "\"channels\":[\"email\"],\"ask_checkin\":true}",
                       "/api/v1/crises/%s/alerts", crisis_pubid);
  EXPECT_STATUS(s, r, 202);
  return h_str("%s", h_gets(r->json, "id"));
}
