/*
 * sms.h - one SMS handed to an HTTP gateway, and the signature on what gateways send us.
 *
 * Outbound, a message is POSTed to the configured URL as
 *   {"to":"+84912345678","text":"...","encoding":"ucs2","reference":"<message id>"}
 * with Content-Type application/json, where encoding is what sms_text chose ("gsm7" or "ucs2")
 * and reference is our outbox message id, the same on every retry so that the gateway can drop a
 * duplicate. The request carries
 *   X-Baoho-Signature: sha256=<64 lowercase hex digits>
 * the HMAC-SHA-256 of the exact body bytes keyed with the shared secret. HMAC rather than a bearer
 * token because the secret itself never travels (a logging proxy or a misrouted request does not
 * leak it), the body cannot be altered without the secret, and the same scheme serves both
 * directions: the gateway signs inbound messages to POST /api/v1/inbound/sms the same way and
 * sms_verify_signature checks them.
 *
 * The gateway's answer: 2xx means accepted, and a JSON object {"id":"..."} in the reply, if any,
 * gives the gateway's own id. 408, 425, 429 and 5xx, a timeout or a failed connection are
 * temporary. 401 and 403 are temporary too: they mean our secret or the gateway's configuration is
 * wrong, not this message, and an operator can fix that before the retries run out. Any other 4xx
 * is permanent, as are a number or text we refuse before sending. Other statuses (1xx, 3xx; no
 * redirect is followed) are temporary. Nothing here logs.
 */
#ifndef BAOHO_SMS_H
#define BAOHO_SMS_H

#include <stddef.h>

/* The header that carries the signature, both ways. */
#define SMS_SIGNATURE_HEADER "X-Baoho-Signature"
/* The size of a signature header value, "sha256=" and 64 hex digits, NUL included. */
#define SMS_SIGNATURE_SIZE (7 + 64 + 1)
/* The shortest secret accepted, in bytes. */
#define SMS_SECRET_MIN 16
/* The longest text accepted, in bytes of UTF-8, and the most parts it may cost. */
#define SMS_TEXT_MAX 1600
#define SMS_MAX_PARTS 10
/* The longest reference (outbox message id). */
#define SMS_REFERENCE_MAX 64
/* The size of the gateway id and reason kept in a result, NUL included. */
#define SMS_GATEWAY_ID_MAX 65
#define SMS_REASON_MAX 160
/* The largest gateway reply read; the rest is discarded. */
#define SMS_REPLY_BODY_MAX (16 * 1024)
/* The per-message timeout used when the configuration gives 0. */
#define SMS_DEFAULT_TIMEOUT_MS 15000

typedef enum {
  SMS_ACCEPTED = 0, /* the gateway took the message (2xx) */
  SMS_TEMPFAIL = 1, /* try again later */
  SMS_PERMFAIL = 2, /* never try again */
} sms_status;

typedef struct {
  sms_status status;
  long http_status;                    /* the gateway's HTTP status, 0 if none was received */
  char gateway_id[SMS_GATEWAY_ID_MAX]; /* the gateway's id for an accepted message, or "" */
  char reason[SMS_REASON_MAX];         /* why it failed, in English, without personal data */
} sms_result;

/* One message. Strings are NUL-terminated and owned by the caller. */
typedef struct {
  const char *to;        /* E.164: '+', a non-zero digit, 7 to 14 more digits */
  const char *text;      /* UTF-8, NFC, at most SMS_TEXT_MAX bytes and SMS_MAX_PARTS parts */
  const char *reference; /* 1..SMS_REFERENCE_MAX of A-Z a-z 0-9 . _ : - */
} sms_message;

typedef struct {
  const char *url;    /* http:// or https:// URL of the gateway */
  const char *secret; /* the shared secret, at least SMS_SECRET_MIN bytes */
  long timeout_ms;    /* the whole of one request; 0 for the default */
} sms_config;

typedef struct sms_gateway sms_gateway;

/* Returns 1 if to is an E.164 number as described in sms_message, else 0 (NULL included). */
int sms_number_valid(const char *to);

/* Writes "sha256=" and the lowercase hex HMAC-SHA-256 of the len bytes at body keyed with the
 * NUL-terminated secret, with a NUL, to out. Returns BH_OK; BH_ERR_INVALID if an argument is NULL
 * or the secret is shorter than SMS_SECRET_MIN; BH_ERR_CRYPTO if libsodium fails. */
int sms_sign(const char *secret, const void *body, size_t len,
             char out[SMS_SIGNATURE_SIZE] /* OUT */);

/* Checks that header_value is the signature of the len bytes at body under secret, in constant
 * time with respect to the expected value. The hex digits may be in either case; surrounding
 * spaces are not allowed. Returns BH_OK if it is; BH_ERR_UNAUTHENTICATED if it is missing
 * (NULL), malformed or wrong; BH_ERR_INVALID if secret or body is NULL or the secret is too short;
 * BH_ERR_CRYPTO if libsodium fails. */
int sms_verify_signature(const char *secret, const void *body, size_t len,
                         const char *header_value);

/* Creates a gateway client for cfg (copied); it keeps one libcurl handle and so one keep-alive
 * connection. curl_global_init and sodium_init must have been called first. Returns BH_OK;
 * BH_ERR_INVALID for a URL that is not http(s)://, a short secret or a negative timeout;
 * BH_ERR_NOMEM. */
int sms_gateway_new(const sms_config *cfg, sms_gateway **out /* OUT */);

/* Frees the client and closes its connection. Accepts NULL. */
void sms_gateway_free(sms_gateway *g);

/* Sends m through g and fills in *res in every case. Returns BH_OK when the gateway or the
 * network gave a verdict (res->status is any of the three); BH_ERR_INVALID or BH_ERR_TOO_LARGE when
 * m was refused before sending (res->status SMS_PERMFAIL); BH_ERR_NOMEM, BH_ERR_CRYPTO or
 * BH_ERR_INTERNAL (res->status SMS_TEMPFAIL). A client is used by one thread at a time. */
int sms_send(sms_gateway *g, const sms_message *m, sms_result *res /* OUT */);

/* A short English name for a status: "accepted", "temporary_failure", "permanent_failure". */
const char *sms_status_name(sms_status st);

#endif
