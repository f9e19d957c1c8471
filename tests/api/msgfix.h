/*
 * msgfix.h - the message fixtures of the API tests: a fake SMS gateway run in the test process
 * (libmicrohttpd) that checks our signature and keeps what it received, and a real SMTP server
 * (tests/tools/smtp_sink.py on python3-aiosmtpd) that stores every message into a Maildir, with
 * readers for what it stored.
 *
 * Strings these functions return are kept with h_str (freed by h_release_all), like the
 * harness's own.
 */
#ifndef BAOHO_TEST_MSGFIX_H
#define BAOHO_TEST_MSGFIX_H

#include <microhttpd.h>
#include <pthread.h>
#include <sys/types.h>

#include "harness.h"

/* The most request bodies a gateway keeps; further requests are only counted. */
#define H_GW_MAX 64

typedef struct {
  struct MHD_Daemon *d;
  char url[64];      /* the URL to give the server's --sms-url */
  char secret[128];  /* the --sms-secret the signatures are checked with */
  pthread_mutex_t mu;
  int requests;      /* every request, signed well or not */
  int bad_signatures;
  char body[H_GW_MAX][2048];
} h_gateway_t;

/* Starts a gateway on a free loopback port that answers 200 {"id":"gw-N"} to a request signed
 * with secret and 401 to any other. Returns 0, or -1 when it cannot listen. */
int h_gw_start(h_gateway_t *g, const char *secret);
/* The number of requests received so far. */
int h_gw_requests(h_gateway_t *g);
/* Stops the gateway. Accepts a gateway that never started. */
void h_gw_stop(h_gateway_t *g);

typedef struct {
  pid_t pid;
  char dir[64]; /* the Maildir */
  char url[64]; /* the URL to give the server's --smtp-url */
} h_sink_t;

/* Starts the SMTP sink on a free port. Returns 1 when it runs, 0 when python3-aiosmtpd is not
 * installed (nothing started), -1 on failure. */
int h_sink_start(h_sink_t *k);
/* Stops the sink and removes its Maildir. Accepts a sink that never started. */
void h_sink_stop(h_sink_t *k);
/* The paths of the messages in the Maildir's new/ folder (at most max of them, kept); returns how
 * many there are. */
int h_mail_list(const h_sink_t *k, const char **paths, int max);
/* The whole file at path (kept); fails the test when it cannot be read. */
const char *h_mail_read(const char *path);
/* The raw message addressed "To: <address>" (kept), or NULL when there is none. */
const char *h_mail_to(const h_sink_t *k, const char *address);
/* The decoded body of a raw message (quoted-printable or base64), kept. */
const char *h_mail_body(const char *raw);

/* The path ("/c/TOKEN") of the first check-in link in text (kept), or NULL. With s, only a link
 * to that server ("http://127.0.0.1:PORT/c/") counts. */
const char *h_link_path(const h_server_t *s, const char *text);

#endif
