/*
 * http.h - the HTTP layer: a libmicrohttpd server (epoll, thread pool) that collects each
 * request into an http_req_t, hands it to one dispatch function, and logs and measures it.
 *
 * Every request owns an arena (freed when the response completes), a request id, and a body
 * bounded by HTTP_MAX_BODY. Handlers answer with exactly one http_reply_* call; the reply
 * functions copy what they need, so handler memory may live in the arena.
 */
#ifndef BAOHO_HTTP_H
#define BAOHO_HTTP_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "util/arena.h"
#include "util/buf.h"

/* Limits of the HTTP layer, named once. */
#define HTTP_MAX_BODY (1024 * 1024)          /* bytes of a request body */
#define HTTP_MAX_HEADER_MEMORY (32 * 1024)   /* per-connection buffer for the request line and headers */
#define HTTP_MAX_CONNECTIONS 1024
#define HTTP_CONNECTION_TIMEOUT_S 30
#define HTTP_ARENA_MAX (16 * 1024 * 1024)    /* memory one request may use */
#define HTTP_MAX_PARAMS 4                    /* {id} captures in one route pattern */
#define HTTP_REQUEST_ID_LEN 16

struct MHD_Connection;
struct MHD_Response;

typedef struct http_req {
  arena_t *arena;
  struct MHD_Connection *conn;
  const char *method;
  const char *path;
  char request_id[HTTP_REQUEST_ID_LEN + 1];
  char client[48];
  int64_t start_us;
  buf_t body;
  int body_too_large;
  const char *params[HTTP_MAX_PARAMS]; /* captured {} path segments */
  size_t nparams;
  int route_index; /* -1 until routed */
  int status;      /* status of the queued response, 0 before */
  const char *set_cookie;
  const char *extra_names[8]; /* response headers added with http_add_header */
  const char *extra_values[8];
  size_t nextra;
  const char *user_label; /* public id of the authenticated user, for the access log */
  void *app;              /* the application context given to http_start */
  void *user_ctx;         /* per-request state of the application layer */
  /* A reply made while hold is set is kept here, not sent, until http_release or http_discard
   * (the application may still have to commit, or undo, what the reply announces). */
  int hold;
  struct MHD_Response *held;
  int held_status;
  const char *held_type; /* content type, in the arena */
  const char *held_body; /* a copy of the body in the arena (NUL-terminated) */
  size_t held_len;
  /* Set by http_suspend: what to run, with what, when the request is resumed. */
  void (*resume)(struct http_req *r, void *arg);
  void *resume_arg;
} http_req_t;

/* Called once per request with the body fully read; must queue exactly one reply. */
typedef void (*http_dispatch_fn)(http_req_t *r);
/* Called when a request completes, to release the application's per-request state. */
typedef void (*http_cleanup_fn)(http_req_t *r);

typedef struct http_server http_server_t;

/*
 * Starts listening on addr:port with threads worker threads. Returns BH_OK and the server, or
 * BH_ERR_IO with a message on stderr when the address cannot be bound.
 */
int http_start(const char *addr, uint16_t port, unsigned threads, http_dispatch_fn dispatch,
               http_cleanup_fn cleanup, void *app, http_server_t **out /* OUT */);
/* The port actually bound (useful with port 0). */
uint16_t http_port(const http_server_t *s);
/* Stops accepting, waits for the workers and frees the server. Accepts NULL. */
void http_stop(http_server_t *s);

/* Queues body (serialised compactly; the reference is stolen) with the given status. */
void http_reply_json(http_req_t *r, int status, json_t *body);
/*
 * Queues {"error":{"code","message","field"}} for err (a bh_err) with its mapped status.
 * field may be NULL. The message must contain no personal data.
 */
void http_reply_error(http_req_t *r, int err, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Queues len bytes of data (copied) with the content type. */
void http_reply_bytes(http_req_t *r, int status, const char *content_type, const void *data,
                      size_t len);
/* Adds a response header to the reply queued next (name and value copied). */
void http_add_header(http_req_t *r, const char *name, const char *value);
/*
 * Held replies (r->hold): http_release sends the reply that was kept, http_discard drops it with
 * the headers added for it (a new reply may then be made). Both clear r->hold; both do nothing
 * more when no reply was kept.
 */
void http_release(http_req_t *r);
void http_discard(http_req_t *r);

/*
 * Suspended requests: a handler that waits for other work (a group commit) calls
 * http_suspend(r, then, arg) and returns without a reply; the worker thread goes on serving
 * other connections. Whoever finishes the work calls http_resume(r) once, from any thread;
 * then(r, arg) runs later on a worker thread and must queue the reply (it may suspend again). Nothing else
 * may touch r between http_suspend and http_resume. http_suspend must be called from the
 * handler (the dispatch function) and not with r->hold set; it returns BH_OK, or an error and
 * nothing is suspended (answer synchronously then).
 */
int http_suspend(http_req_t *r, void (*then)(http_req_t *r, void *arg), void *arg);
void http_resume(http_req_t *r);

/* A query-string argument (decoded), or NULL. */
const char *http_query(const http_req_t *r, const char *key);
/* A request header, or NULL. */
const char *http_header(const http_req_t *r, const char *name);
/* A cookie value, or NULL. */
const char *http_cookie(const http_req_t *r, const char *name);

/*
 * Trusts X-Forwarded-For from one proxy address (IPv4 or IPv6 text; NULL trusts none): for a
 * request whose peer is that address, the client address becomes the last address the proxy
 * appended. Call once before http_start. Returns BH_ERR_INVALID for an address that does not parse.
 */
int http_set_trusted_proxy(const char *addr);

/* Names of routes for metrics, set by the application once before http_start. */
void http_set_route_names(const char *const *names, size_t n);
/* Writes the Prometheus text exposition of the HTTP metrics into b. */
int http_metrics_write(buf_t *b);

#endif
