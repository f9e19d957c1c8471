/*
 * email.h - one alert email built as an RFC 5322 message and sent to an SMTP relay with libcurl.
 *
 * The message is built here, never by libcurl: Date, From, To, Subject, Message-ID, MIME-Version,
 * Content-Type text/plain; charset=utf-8, Content-Language, Auto-Submitted (so that vacation
 * responders stay quiet), and the body in quoted-printable or base64, whichever is shorter
 * (quoted-printable on a tie), with lines of at most 76 characters. A subject or display name that
 * is not short plain ASCII is written as RFC 2047 encoded-words (UTF-8, base64), each holding whole
 * characters, folded one per line.
 *
 * Languages: an alert has a Vietnamese and an English text, and both go in ONE text/plain body,
 * Vietnamese first, then a line "----------", then English (English first when en_first is set,
 * for a recipient who prefers it; Content-Language lists them in the body's order). multipart/alternative is not used,
 * because it means "the same content in other formats" and mail clients show only one of the
 * parts (the last they can display), so one language would be hidden from every reader;
 * multipart/multilingual (RFC 8255) is barely supported by clients.
 *
 * Header injection is impossible by construction: every header value is checked for control
 * characters (CR and LF included) and UTF-8 validity, addresses must be plain local@domain (a
 * dot-atom local part, letter-digit-hyphen domain labels), and the Message-ID is id@domain made of
 * the same characters.
 *
 * A sender keeps one libcurl easy handle, so consecutive messages go over one SMTP connection.
 * The relay URL is "smtp://host:port" (plain), "smtps://host:port" (TLS from the start) or
 * "smtp+starttls://host:port" (plain, then STARTTLS, which is required: the send fails if the
 * relay does not offer it); user:password@ in the URL enables SMTP AUTH. Nothing here logs; the
 * result's reply line has every address replaced by "[address]" so it may be logged and stored.
 */
#ifndef BAOHO_EMAIL_H
#define BAOHO_EMAIL_H

#include <stddef.h>
#include <time.h>

#include "util/buf.h"

/* The longest address accepted (RFC 5321 path limit), in bytes. */
#define EMAIL_ADDR_MAX 254
/* The longest subject accepted, in bytes of UTF-8. */
#define EMAIL_SUBJECT_MAX 400
/* The longest display name accepted, in bytes of UTF-8. */
#define EMAIL_NAME_MAX 120
/* The longest Message-ID accepted, without its angle brackets. */
#define EMAIL_MSGID_MAX 200
/* The longest body accepted: both languages together, in bytes of UTF-8. */
#define EMAIL_BODY_MAX (64 * 1024)
/* The largest built message. */
#define EMAIL_MESSAGE_MAX (4 * EMAIL_BODY_MAX)
/* The size of the reply line kept in a result, NUL included. */
#define EMAIL_REPLY_MAX 200
/* The per-message timeout used when the configuration gives 0. */
#define EMAIL_DEFAULT_TIMEOUT_MS 30000

/* The outcome of one attempt, as the outbox acts on it. */
typedef enum {
  EMAIL_DELIVERED = 0, /* the relay accepted the message (250 after DATA) */
  EMAIL_TEMPFAIL = 1,  /* try again later: 4xx, connection refused or lost, timeout, TLS, auth */
  EMAIL_PERMFAIL = 2,  /* never try again: 5xx, or an address or header we refuse to send */
} email_status;

typedef struct {
  email_status status;
  int smtp_code;               /* the relay's reply code for the failing step or the last one,
                                  0 if none was received */
  char reply[EMAIL_REPLY_MAX]; /* that reply line, or why nothing was sent; addresses masked */
} email_result;

/* One message. All strings are NUL-terminated UTF-8 owned by the caller. */
typedef struct {
  const char *from;       /* envelope sender and From address, e.g. "canhbao@mofa.gov.vn" */
  const char *from_name;  /* display name of From, may be NULL */
  const char *to;         /* envelope recipient and To address */
  const char *subject;    /* the subject, one line */
  const char *message_id; /* "id@domain", with or without <>, the same on every retry */
  const char *body_vi;    /* the Vietnamese text, may be NULL or "" */
  const char *body_en;    /* the English text, may be NULL or ""; not both empty */
  int en_first;           /* 1: the English text comes first (the recipient prefers it) */
  time_t date;            /* the Date header, UTC; 0 means now */
} email_message;

typedef struct {
  const char *url; /* the relay, as described at the top of this file */
  long timeout_ms; /* the whole of one send, connection included; 0 for the default */
} email_config;

typedef struct email_sender email_sender;

/* Checks that addr is an address we send to: local@domain, at most EMAIL_ADDR_MAX bytes, local
 * part a dot-atom of at most 64 bytes, domain of letter-digit-hyphen labels separated by dots.
 * Returns 1 if it is, 0 otherwise (NULL included). */
int email_address_valid(const char *addr);

/* Appends the whole RFC 5322 message for m, with CRLF line ends, to out. Returns BH_OK;
 * BH_ERR_INVALID if an address, the Message-ID, the subject or the display name is invalid (control
 * characters, CR or LF included, or bad UTF-8), a body is not valid UTF-8 or contains NUL, or both
 * bodies are empty; BH_ERR_TOO_LARGE past a limit above or out's maximum; BH_ERR_NOMEM. On error
 * out is truncated back to the length it had on entry. */
int email_build(const email_message *m, buf_t *out /* OUT, appended to */);

/* Creates a sender for the relay in cfg (copied). curl_global_init must have been called before
 * senders are created from several threads. Returns BH_OK; BH_ERR_INVALID for a URL that is not
 * smtp://, smtps:// or smtp+starttls://, or a negative timeout; BH_ERR_NOMEM. */
int email_sender_new(const email_config *cfg, email_sender **out /* OUT */);

/* Closes the connection and frees the sender. Accepts NULL. */
void email_sender_free(email_sender *s);

/* Builds m and sends it through s, reusing s's connection when the relay kept it open, and fills
 * in *res in every case. Returns BH_OK when the relay or the network gave a verdict (res->status is
 * any of the three); BH_ERR_INVALID or BH_ERR_TOO_LARGE when m was refused before anything was
 * sent (res->status is EMAIL_PERMFAIL); BH_ERR_NOMEM or BH_ERR_INTERNAL (res->status is
 * EMAIL_TEMPFAIL). A sender is used by one thread at a time; distinct senders may run in parallel.
 */
int email_send(email_sender *s, const email_message *m, email_result *res /* OUT */);

/* A short English name for a status: "delivered", "temporary_failure", "permanent_failure". */
const char *email_status_name(email_status st);

#endif
