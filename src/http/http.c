/*
 * http.c - the libmicrohttpd server behind http.h: request collection, limits, replies,
 * access log and metrics.
 */
#include "http/http.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "store/store.h"
#include "util/clock.h"
#include "util/err.h"
#include "util/log.h"

#define HTTP_MAX_EXTRA_HEADERS 8
#define HTTP_MAX_ROUTES 128

struct http_server {
  struct MHD_Daemon *daemon;
  http_dispatch_fn dispatch;
  http_cleanup_fn cleanup;
  void *app;
};

struct http_extra {
  const char *names[HTTP_MAX_EXTRA_HEADERS];
  const char *values[HTTP_MAX_EXTRA_HEADERS];
  size_t n;
};

/* ---- metrics: counters per route and status class, one latency histogram ---- */

static const double http_buckets_s[] = {0.001, 0.0025, 0.005, 0.01, 0.02, 0.05,
                                        0.1,   0.25,   0.5,   1.0,  2.5};
#define HTTP_NBUCKETS (sizeof(http_buckets_s) / sizeof(http_buckets_s[0]))

static const char *const *http_route_names;
static size_t http_nroutes;
static _Atomic uint64_t http_count[HTTP_MAX_ROUTES + 1][6]; /* [route][status/100] */
static _Atomic uint64_t http_hist[HTTP_NBUCKETS + 1];
static _Atomic uint64_t http_latency_us_sum;
static _Atomic uint64_t http_requests;
static uint32_t http_boot_id;
static char http_trusted_proxy[INET6_ADDRSTRLEN];
static _Atomic uint64_t http_seq;
/* Suspended requests not yet resumed, and whether the server is stopping (http_suspend). */
static _Atomic long http_suspended;
static _Atomic int http_stopping;
/* How long http_stop waits for suspended requests to be resumed. */
#define HTTP_STOP_WAIT_MS 10000

void http_set_route_names(const char *const *names, size_t n) {
  http_route_names = names;
  http_nroutes = n < HTTP_MAX_ROUTES ? n : HTTP_MAX_ROUTES;
}

static void http_observe(int route, int status, int64_t dur_us) {
  size_t ri = route >= 0 && (size_t)route < http_nroutes ? (size_t)route : HTTP_MAX_ROUTES;
  int cls = status / 100;
  if (cls < 1 || cls > 5) cls = 0;
  atomic_fetch_add(&http_count[ri][cls], 1);
  double s = (double)dur_us / 1e6;
  size_t b = 0;
  while (b < HTTP_NBUCKETS && s > http_buckets_s[b]) b++;
  atomic_fetch_add(&http_hist[b], 1);
  atomic_fetch_add(&http_latency_us_sum, (uint64_t)dur_us);
  atomic_fetch_add(&http_requests, 1);
}

int http_metrics_write(buf_t *b) {
  int rc = buf_puts(b, "# HELP baoho_http_requests_total HTTP requests by route and status class.\n"
                       "# TYPE baoho_http_requests_total counter\n");
  for (size_t r = 0; r <= HTTP_MAX_ROUTES && rc == BH_OK; r++) {
    if (r >= http_nroutes && r != HTTP_MAX_ROUTES) continue;
    const char *name = r == HTTP_MAX_ROUTES ? "unmatched" : http_route_names[r];
    for (int cls = 1; cls <= 5 && rc == BH_OK; cls++) {
      uint64_t v = atomic_load(&http_count[r][cls]);
      if (v == 0) continue;
      rc = buf_printf(b, "baoho_http_requests_total{route=\"%s\",status=\"%dxx\"} %llu\n", name,
                      cls, (unsigned long long)v);
    }
  }
  uint64_t errors = 0;
  for (size_t r = 0; r <= HTTP_MAX_ROUTES; r++) errors += atomic_load(&http_count[r][5]);
  if (rc == BH_OK) {
    rc = buf_printf(b,
                    "# HELP baoho_http_errors_total Requests answered with a 5xx status.\n"
                    "# TYPE baoho_http_errors_total counter\nbaoho_http_errors_total %llu\n"
                    "# HELP baoho_http_request_duration_seconds Request latency.\n"
                    "# TYPE baoho_http_request_duration_seconds histogram\n",
                    (unsigned long long)errors);
  }
  uint64_t cum = 0;
  for (size_t i = 0; i < HTTP_NBUCKETS && rc == BH_OK; i++) {
    cum += atomic_load(&http_hist[i]);
    rc = buf_printf(b, "baoho_http_request_duration_seconds_bucket{le=\"%g\"} %llu\n",
                    http_buckets_s[i], (unsigned long long)cum);
  }
  cum += atomic_load(&http_hist[HTTP_NBUCKETS]);
  if (rc == BH_OK) {
    rc = buf_printf(b,
                    "baoho_http_request_duration_seconds_bucket{le=\"+Inf\"} %llu\n"
                    "baoho_http_request_duration_seconds_sum %.6f\n"
                    "baoho_http_request_duration_seconds_count %llu\n"
                    "# HELP baoho_db_time_seconds_total Time spent inside the database.\n"
                    "# TYPE baoho_db_time_seconds_total counter\n"
                    "baoho_db_time_seconds_total %.6f\n",
                    (unsigned long long)cum, (double)atomic_load(&http_latency_us_sum) / 1e6,
                    (unsigned long long)atomic_load(&http_requests),
                    (double)store_db_time_us() / 1e6);
  }
  return rc;
}

/* ---- replies ---- */

static void http_queue(http_req_t *r, int status, struct MHD_Response *resp) {
  if (resp == NULL) {
    log_error("req=%s msg=\"cannot create response\"", r->request_id);
    return;
  }
  if (r->status != 0 || r->held != NULL) {
    log_error("req=%s msg=\"second reply ignored\"", r->request_id);
    MHD_destroy_response(resp);
    return;
  }
  if (r->hold) {
    r->held = resp;
    r->held_status = status;
    return;
  }
  MHD_add_response_header(resp, "X-Request-Id", r->request_id);
  MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
  MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
  MHD_add_response_header(resp, "X-Frame-Options", "DENY");
  if (r->set_cookie != NULL) MHD_add_response_header(resp, "Set-Cookie", r->set_cookie);
  for (size_t i = 0; i < r->nextra; i++) {
    MHD_add_response_header(resp, r->extra_names[i], r->extra_values[i]);
  }
  r->status = status;
  if (MHD_queue_response(r->conn, (unsigned)status, resp) != MHD_YES) {
    log_error("req=%s msg=\"queue response failed\"", r->request_id);
  }
  MHD_destroy_response(resp);
}

void http_add_header(http_req_t *r, const char *name, const char *value) {
  if (r->nextra >= sizeof(r->extra_names) / sizeof(r->extra_names[0])) return;
  r->extra_names[r->nextra] = arena_strdup(r->arena, name);
  r->extra_values[r->nextra] = arena_strdup(r->arena, value);
  if (r->extra_names[r->nextra] && r->extra_values[r->nextra]) r->nextra++;
}

/* Tells whether the handler already added a header of that name (case-insensitive). */
static int http_has_extra_header(const http_req_t *r, const char *name) {
  for (size_t i = 0; i < r->nextra; i++) {
    if (strcasecmp(r->extra_names[i], name) == 0) return 1;
  }
  return 0;
}

/* Keeps a copy of a reply's body and type for the application while replies are held. */
static void http_keep(http_req_t *r, const char *content_type, const void *data, size_t len) {
  if (!r->hold || r->held != NULL) return;
  char *copy = arena_alloc(r->arena, len + 1);
  if (copy == NULL) return;
  if (len > 0) memcpy(copy, data, len);
  copy[len] = '\0';
  r->held_body = copy;
  r->held_len = len;
  r->held_type = arena_strdup(r->arena, content_type);
}

void http_release(http_req_t *r) {
  r->hold = 0;
  struct MHD_Response *resp = r->held;
  if (resp == NULL) return;
  r->held = NULL;
  http_queue(r, r->held_status, resp);
}

void http_discard(http_req_t *r) {
  r->hold = 0;
  if (r->held != NULL) MHD_destroy_response(r->held);
  r->held = NULL;
  r->held_status = 0;
  r->held_type = r->held_body = NULL;
  r->held_len = 0;
  r->nextra = 0;
  r->set_cookie = NULL;
}

void http_reply_bytes(http_req_t *r, int status, const char *content_type, const void *data,
                      size_t len) {
  http_keep(r, content_type, data, len);
  struct MHD_Response *resp =
      MHD_create_response_from_buffer(len, (void *)(uintptr_t)data, MHD_RESPMEM_MUST_COPY);
  if (resp != NULL) MHD_add_response_header(resp, "Content-Type", content_type);
  http_queue(r, status, resp);
}

void http_reply_json(http_req_t *r, int status, json_t *body) {
  char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
  json_decref(body);
  if (text == NULL) {
    static const char oom[] =
        "{\"error\":{\"code\":\"internal_error\",\"message\":\"out of memory\"}}";
    http_reply_bytes(r, 500, "application/json", oom, sizeof(oom) - 1);
    return;
  }
  http_keep(r, "application/json; charset=utf-8", text, strlen(text));
  struct MHD_Response *resp =
      MHD_create_response_from_buffer(strlen(text), text, MHD_RESPMEM_MUST_FREE);
  if (resp == NULL) {
    free(text);
  } else {
    MHD_add_response_header(resp, "Content-Type", "application/json; charset=utf-8");
    /* JSON is personal data unless the handler said otherwise (public advisories do). */
    if (!http_has_extra_header(r, "Cache-Control")) {
      MHD_add_response_header(resp, "Cache-Control", "no-store");
    }
  }
  http_queue(r, status, resp);
}

void http_reply_error(http_req_t *r, int err, const char *field, const char *fmt, ...) {
  char msg[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof(msg), fmt, ap);
  va_end(ap);
  json_t *e = json_pack("{s:s, s:s}", "code", bh_err_code(err), "message", msg);
  if (e != NULL && field != NULL) json_object_set_new(e, "field", json_string(field));
  json_t *body = e ? json_pack("{s:o}", "error", e) : NULL;
  int status = bh_err_status(err);
  /* A rate limit lasts minutes; an unavailable database is usually back within seconds. */
  if (status == 429) http_add_header(r, "Retry-After", "60");
  if (status == 503) http_add_header(r, "Retry-After", "5");
  http_reply_json(r, status, body);
}

/* ---- suspended requests ---- */

int http_suspend(http_req_t *r, void (*then)(http_req_t *r, void *arg), void *arg) {
  if (r->hold || then == NULL || r->status != 0) return BH_ERR_INVALID;
  /* Counted before the stopping flag is read, and http_stop sets the flag before it reads the
   * count: either the stop waits for this request, or the request is not suspended. */
  atomic_fetch_add(&http_suspended, 1);
  if (atomic_load(&http_stopping)) {
    atomic_fetch_sub(&http_suspended, 1);
    return BH_ERR_UNAVAILABLE;
  }
  r->resume = then;
  r->resume_arg = arg;
  MHD_suspend_connection(r->conn);
  return BH_OK;
}

void http_resume(http_req_t *r) {
  MHD_resume_connection(r->conn); /* r belongs to the worker threads from here on */
  atomic_fetch_sub(&http_suspended, 1);
}

/* ---- request accessors ---- */

const char *http_query(const http_req_t *r, const char *key) {
  return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, key);
}

const char *http_header(const http_req_t *r, const char *name) {
  return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

const char *http_cookie(const http_req_t *r, const char *name) {
  return MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, name);
}

int http_set_trusted_proxy(const char *addr) {
  unsigned char bin[sizeof(struct in6_addr)];
  http_trusted_proxy[0] = '\0';
  if (addr == NULL || addr[0] == '\0') return BH_OK;
  if (inet_pton(AF_INET, addr, bin) != 1 && inet_pton(AF_INET6, addr, bin) != 1) {
    return BH_ERR_INVALID;
  }
  snprintf(http_trusted_proxy, sizeof(http_trusted_proxy), "%s", addr);
  return BH_OK;
}

/*
 * Replaces r->client with the last address of X-Forwarded-For when the peer is the trusted
 * proxy. Only that last entry is the proxy's own observation; earlier ones are whatever the
 * client claimed, so they are never used.
 */
static void http_client_from_proxy(http_req_t *r) {
  if (http_trusted_proxy[0] == '\0' || strcmp(r->client, http_trusted_proxy) != 0) return;
  const char *xff = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "X-Forwarded-For");
  if (xff == NULL) return;
  const char *last = strrchr(xff, ',');
  last = last ? last + 1 : xff;
  while (*last == ' ') last++;
  char addr[INET6_ADDRSTRLEN];
  size_t n = strcspn(last, " ");
  if (n == 0 || n >= sizeof(addr)) return;
  memcpy(addr, last, n);
  addr[n] = '\0';
  unsigned char bin[sizeof(struct in6_addr)];
  if (inet_pton(AF_INET, addr, bin) == 1 || inet_pton(AF_INET6, addr, bin) == 1) {
    snprintf(r->client, sizeof(r->client), "%s", addr);
  }
}

/* ---- the MHD callbacks ---- */

static http_req_t *http_req_new(struct http_server *s, struct MHD_Connection *conn,
                                const char *method, const char *url) {
  arena_t *a = arena_new(HTTP_ARENA_MAX);
  if (a == NULL) return NULL;
  http_req_t *r = arena_calloc(a, sizeof(*r));
  if (r == NULL) {
    arena_free(a);
    return NULL;
  }
  r->arena = a;
  r->conn = conn;
  r->method = arena_strdup(a, method);
  r->path = arena_strdup(a, url);
  r->start_us = clock_mono_us();
  r->route_index = -1;
  r->app = s->app;
  buf_init(&r->body, HTTP_MAX_BODY);
  snprintf(r->request_id, sizeof(r->request_id), "%08x%08llx", http_boot_id,
           (unsigned long long)(atomic_fetch_add(&http_seq, 1) & 0xffffffffu));
  const union MHD_ConnectionInfo *ci =
      MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
  if (ci != NULL && ci->client_addr != NULL) {
    const struct sockaddr *sa = ci->client_addr;
    if (sa->sa_family == AF_INET) {
      inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, r->client,
                sizeof(r->client));
    } else if (sa->sa_family == AF_INET6) {
      inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, r->client,
                sizeof(r->client));
    }
  }
  if (r->client[0] == '\0') snprintf(r->client, sizeof(r->client), "unknown");
  http_client_from_proxy(r);
  return r;
}

static enum MHD_Result http_on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                       const char *method, const char *version,
                                       const char *upload_data, size_t *upload_data_size,
                                       void **con_cls) {
  struct http_server *s = cls;
  (void)version;
  http_req_t *r = *con_cls;
  if (r == NULL) {
    r = http_req_new(s, conn, method, url);
    if (r == NULL) return MHD_NO;
    *con_cls = r;
    const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");
    if (cl != NULL) {
      char *end = NULL;
      unsigned long long n = strtoull(cl, &end, 10);
      if (end == cl || *end != '\0' || n > HTTP_MAX_BODY) r->body_too_large = 1;
    }
    return MHD_YES;
  }
  if (*upload_data_size > 0) {
    if (!r->body_too_large && buf_append(&r->body, upload_data, *upload_data_size) != BH_OK) {
      r->body_too_large = 1;
      buf_free(&r->body);
    }
    *upload_data_size = 0;
    return MHD_YES;
  }
  if (r->status != 0) return MHD_YES;
  if (r->resume != NULL) {
    /* Called again after http_resume: the handler's continuation answers. */
    void (*then)(http_req_t *, void *) = r->resume;
    r->resume = NULL;
    then(r, r->resume_arg);
  } else if (r->body_too_large) {
    http_reply_error(r, BH_ERR_TOO_LARGE, NULL, "request body exceeds %d bytes", HTTP_MAX_BODY);
    return MHD_YES;
  } else {
    s->dispatch(r);
  }
  if (r->resume != NULL) return MHD_YES; /* suspended: the reply comes after http_resume */
  if (r->held != NULL) http_release(r); /* a reply the application kept and forgot */
  r->hold = 0;
  if (r->status == 0) {
    http_reply_error(r, BH_ERR_INTERNAL, NULL, "no response was produced");
  }
  return MHD_YES;
}

static void http_on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                              enum MHD_RequestTerminationCode toe) {
  struct http_server *s = cls;
  (void)conn;
  http_req_t *r = *con_cls;
  if (r == NULL) return;
  int64_t dur = clock_mono_us() - r->start_us;
  int status = r->status ? r->status : 499;
  const char *route = r->route_index >= 0 && (size_t)r->route_index < http_nroutes
                          ? http_route_names[r->route_index]
                          : "unmatched";
  http_observe(r->route_index, status, dur);
  log_info("req=%s method=%s route=\"%s\" status=%d dur_us=%lld in=%zu user=%s%s",
           r->request_id, r->method, route, status, (long long)dur, r->body.len,
           r->user_label ? r->user_label : "-",
           toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : " aborted=1");
  if (s->cleanup) s->cleanup(r);
  if (r->held != NULL) MHD_destroy_response(r->held);
  buf_free(&r->body);
  arena_free(r->arena);
  *con_cls = NULL;
}

int http_start(const char *addr, uint16_t port, unsigned threads, http_dispatch_fn dispatch,
               http_cleanup_fn cleanup, void *app, http_server_t **out) {
  struct sockaddr_in sin;
  memset(&sin, 0, sizeof(sin));
  sin.sin_family = AF_INET;
  sin.sin_port = htons(port);
  if (inet_pton(AF_INET, addr, &sin.sin_addr) != 1) {
    fprintf(stderr, "baoho: --listen address '%s' is not an IPv4 address\n", addr);
    return BH_ERR_INVALID;
  }
  struct http_server *s = calloc(1, sizeof(*s));
  if (s == NULL) return BH_ERR_NOMEM;
  s->dispatch = dispatch;
  s->cleanup = cleanup;
  s->app = app;
  http_boot_id = randombytes_random();
  s->daemon = MHD_start_daemon(
      MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ERROR_LOG | MHD_ALLOW_SUSPEND_RESUME, port, NULL,
      NULL, http_on_request, s,
      MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sin, MHD_OPTION_THREAD_POOL_SIZE,
      (unsigned int)threads, MHD_OPTION_CONNECTION_TIMEOUT,
      (unsigned int)HTTP_CONNECTION_TIMEOUT_S, MHD_OPTION_CONNECTION_LIMIT,
      (unsigned int)HTTP_MAX_CONNECTIONS, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
      (size_t)HTTP_MAX_HEADER_MEMORY, MHD_OPTION_LISTEN_BACKLOG_SIZE, (unsigned int)1024,
      MHD_OPTION_NOTIFY_COMPLETED, http_on_completed, s, MHD_OPTION_END);
  if (s->daemon == NULL) {
    fprintf(stderr, "baoho: cannot listen on %s:%u (address in use or not permitted)\n", addr,
            (unsigned)port);
    free(s);
    return BH_ERR_IO;
  }
  *out = s;
  return BH_OK;
}

uint16_t http_port(const http_server_t *s) {
  const union MHD_DaemonInfo *di = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
  return di ? di->port : 0;
}

void http_stop(http_server_t *s) {
  if (s == NULL) return;
  /* Suspended requests are waiting for work that finishes on its own (a group commit still
   * running): let them be resumed before the daemon stops, as it must not stop with any. */
  atomic_store(&http_stopping, 1);
  for (int waited = 0; atomic_load(&http_suspended) > 0 && waited < HTTP_STOP_WAIT_MS; waited++) {
    nanosleep(&(struct timespec){.tv_nsec = 1000 * 1000}, NULL);
  }
  MHD_stop_daemon(s->daemon);
  atomic_store(&http_stopping, 0);
  free(s);
}
