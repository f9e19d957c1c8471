/*
 * sms.c - the HTTP SMS gateway client and the HMAC signature helpers; see sms.h.
 *
 * The request body is built with jansson (so the text is escaped as JSON, never pasted), signed
 * with libsodium's HMAC-SHA-256 over a key of any length, and sent with libcurl. How a gateway's
 * HTTP status is classified is declared once in sms__status_rules.
 */
#include "delivery/sms.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <jansson.h>
#include <sodium.h>

#include "delivery/sms_text.h"
#include "util/buf.h"
#include "util/err.h"

/* How a range of HTTP statuses is read. The first matching row wins. */
static const struct {
  long lo, hi;
  sms_status status;
  const char *reason;
} sms__status_rules[] = {
    {200, 299, SMS_ACCEPTED, ""},
    {401, 401, SMS_TEMPFAIL, "gateway refused our credentials"},
    {403, 403, SMS_TEMPFAIL, "gateway refused our credentials"},
    {408, 408, SMS_TEMPFAIL, "gateway timed out reading the request"},
    {425, 425, SMS_TEMPFAIL, "gateway asked to retry later"},
    {429, 429, SMS_TEMPFAIL, "gateway rate limit"},
    {400, 499, SMS_PERMFAIL, "gateway rejected the message"},
    {500, 599, SMS_TEMPFAIL, "gateway error"},
    {100, 399, SMS_TEMPFAIL, "unexpected gateway status"},
};

struct sms_gateway {
  CURL *curl;
  char *secret;
  struct curl_slist *headers; /* the fixed headers; the signature is added per request */
  buf_t reply;                /* the gateway's reply body, at most SMS_REPLY_BODY_MAX */
};

int sms_number_valid(const char *to) {
  if (to == NULL || to[0] != '+' || to[1] < '1' || to[1] > '9') return 0;
  size_t digits = 0;
  for (const char *p = to + 1; *p != '\0'; p++) {
    if (*p < '0' || *p > '9' || ++digits > 15) return 0;
  }
  return digits >= 8;
}

/* Returns 1 if ref is 1..SMS_REFERENCE_MAX characters of A-Z a-z 0-9 . _ : - */
static int sms__reference_valid(const char *ref) {
  if (ref == NULL) return 0;
  size_t n = 0;
  for (const char *p = ref; *p != '\0'; p++, n++) {
    char c = *p;
    int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
             c == '.' || c == '_' || c == ':' || c == '-';
    if (!ok || n >= SMS_REFERENCE_MAX) return 0;
  }
  return n > 0;
}

/* Computes the raw HMAC-SHA-256 of body under secret into mac. */
static int sms__hmac(const char *secret, const void *body, size_t len,
                     unsigned char mac[crypto_auth_hmacsha256_BYTES] /* OUT */) {
  crypto_auth_hmacsha256_state st;
  int rc = BH_OK;
  if (crypto_auth_hmacsha256_init(&st, (const unsigned char *)secret, strlen(secret)) != 0 ||
      crypto_auth_hmacsha256_update(&st, body, len) != 0 ||
      crypto_auth_hmacsha256_final(&st, mac) != 0)
    rc = BH_ERR_CRYPTO;
  sodium_memzero(&st, sizeof(st));
  return rc;
}

int sms_sign(const char *secret, const void *body, size_t len, char out[SMS_SIGNATURE_SIZE]) {
  if (secret == NULL || (body == NULL && len > 0) || out == NULL || strlen(secret) < SMS_SECRET_MIN)
    return BH_ERR_INVALID;
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  int rc = sms__hmac(secret, body, len, mac);
  if (rc != BH_OK) return rc;
  memcpy(out, "sha256=", 7);
  sodium_bin2hex(out + 7, SMS_SIGNATURE_SIZE - 7, mac, sizeof(mac));
  return BH_OK;
}

int sms_verify_signature(const char *secret, const void *body, size_t len,
                         const char *header_value) {
  if (secret == NULL || (body == NULL && len > 0) || strlen(secret) < SMS_SECRET_MIN)
    return BH_ERR_INVALID;
  if (header_value == NULL || strncmp(header_value, "sha256=", 7) != 0 ||
      strlen(header_value) != SMS_SIGNATURE_SIZE - 1)
    return BH_ERR_UNAUTHENTICATED;
  unsigned char given[crypto_auth_hmacsha256_BYTES], mac[crypto_auth_hmacsha256_BYTES];
  size_t given_len = 0;
  const char *end = NULL;
  if (sodium_hex2bin(given, sizeof(given), header_value + 7, 64, NULL, &given_len, &end) != 0 ||
      given_len != sizeof(given) || end != header_value + 7 + 64)
    return BH_ERR_UNAUTHENTICATED;
  int rc = sms__hmac(secret, body, len, mac);
  if (rc != BH_OK) return rc;
  return sodium_memcmp(given, mac, sizeof(mac)) == 0 ? BH_OK : BH_ERR_UNAUTHENTICATED;
}

/* libcurl's write callback: keeps the first SMS_REPLY_BODY_MAX bytes of the reply, drops the
 * rest (an oversized reply is not an error; its gateway id is simply not read). */
static size_t sms__write_cb(char *data, size_t size, size_t nmemb, void *arg) {
  sms_gateway *g = arg;
  size_t n = size * nmemb;
  size_t room = g->reply.max - g->reply.len;
  if (buf_append(&g->reply, data, n < room ? n : room) == BH_ERR_NOMEM) return 0;
  return n;
}

int sms_gateway_new(const sms_config *cfg, sms_gateway **out) {
  if (cfg == NULL || out == NULL || cfg->url == NULL || cfg->secret == NULL ||
      strlen(cfg->secret) < SMS_SECRET_MIN || cfg->timeout_ms < 0 ||
      (strncmp(cfg->url, "http://", 7) != 0 && strncmp(cfg->url, "https://", 8) != 0))
    return BH_ERR_INVALID;
  sms_gateway *g = calloc(1, sizeof(*g));
  if (g == NULL) return BH_ERR_NOMEM;
  int rc = BH_ERR_NOMEM;
  buf_init(&g->reply, SMS_REPLY_BODY_MAX);
  long timeout = cfg->timeout_ms > 0 ? cfg->timeout_ms : SMS_DEFAULT_TIMEOUT_MS;
  g->secret = strdup(cfg->secret);
  g->curl = curl_easy_init();
  if (g->secret == NULL || g->curl == NULL) goto fail;
  static const char *const fixed[] = {"Content-Type: application/json", "Accept: application/json",
                                      "Expect:", ("User-Agent: baoho/" BAOHO_VERSION)};
  for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) {
    struct curl_slist *h = curl_slist_append(g->headers, fixed[i]);
    if (h == NULL) goto fail;
    g->headers = h;
  }
  rc = BH_ERR_INTERNAL;
  if (curl_easy_setopt(g->curl, CURLOPT_URL, cfg->url) != CURLE_OK) {
    rc = BH_ERR_INVALID;
    goto fail;
  }
  if (curl_easy_setopt(g->curl, CURLOPT_POST, 1L) != CURLE_OK ||
      curl_easy_setopt(g->curl, CURLOPT_WRITEFUNCTION, sms__write_cb) != CURLE_OK ||
      curl_easy_setopt(g->curl, CURLOPT_WRITEDATA, g) != CURLE_OK ||
      curl_easy_setopt(g->curl, CURLOPT_NOSIGNAL, 1L) != CURLE_OK ||
      curl_easy_setopt(g->curl, CURLOPT_FOLLOWLOCATION, 0L) != CURLE_OK ||
      curl_easy_setopt(g->curl, CURLOPT_PROTOCOLS_STR, "http,https") != CURLE_OK ||
      curl_easy_setopt(g->curl, CURLOPT_CONNECTTIMEOUT_MS, timeout) != CURLE_OK ||
      curl_easy_setopt(g->curl, CURLOPT_TIMEOUT_MS, timeout) != CURLE_OK)
    goto fail;
  *out = g;
  return BH_OK;
fail:
  sms_gateway_free(g);
  return rc;
}

void sms_gateway_free(sms_gateway *g) {
  if (g == NULL) return;
  if (g->curl != NULL) curl_easy_cleanup(g->curl);
  curl_slist_free_all(g->headers);
  if (g->secret != NULL) {
    sodium_memzero(g->secret, strlen(g->secret));
    free(g->secret);
  }
  buf_free(&g->reply);
  free(g);
}

/* Copies the gateway id from a 2xx reply {"id":"..."} to res if it is short printable ASCII. */
static void sms__read_gateway_id(const buf_t *reply, sms_result *res) {
  if (reply->len == 0) return;
  json_t *root = json_loadb(reply->data, reply->len, JSON_REJECT_DUPLICATES, NULL);
  const char *id = json_string_value(json_object_get(root, "id"));
  size_t n = id != NULL ? strlen(id) : 0;
  int ok = n > 0 && n < SMS_GATEWAY_ID_MAX;
  for (size_t i = 0; ok && i < n; i++) ok = id[i] > 0x20 && id[i] < 0x7F;
  if (ok) memcpy(res->gateway_id, id, n + 1);
  json_decref(root);
}

/* Sets the status and reason of res from a received HTTP status. */
static void sms__classify_status(long status, sms_result *res) {
  res->http_status = status;
  for (size_t i = 0; i < sizeof(sms__status_rules) / sizeof(sms__status_rules[0]); i++) {
    if (status >= sms__status_rules[i].lo && status <= sms__status_rules[i].hi) {
      res->status = sms__status_rules[i].status;
      snprintf(res->reason, sizeof(res->reason), "%s", sms__status_rules[i].reason);
      if (res->status != SMS_ACCEPTED)
        snprintf(res->reason, sizeof(res->reason), "%s (HTTP %ld)", sms__status_rules[i].reason,
                 status);
      return;
    }
  }
  res->status = SMS_TEMPFAIL;
  snprintf(res->reason, sizeof(res->reason), "unexpected gateway status (HTTP %ld)", status);
}

/* Refuses m before sending: fills res as a permanent failure with reason and returns rc. */
static int sms__refuse(sms_result *res, int rc, const char *reason) {
  res->status = rc == BH_ERR_NOMEM || rc == BH_ERR_CRYPTO || rc == BH_ERR_INTERNAL ? SMS_TEMPFAIL
                                                                                   : SMS_PERMFAIL;
  snprintf(res->reason, sizeof(res->reason), "not sent: %s", reason);
  return rc;
}

int sms_send(sms_gateway *g, const sms_message *m, sms_result *res) {
  if (res == NULL) return BH_ERR_INVALID;
  memset(res, 0, sizeof(*res));
  if (g == NULL || m == NULL) return sms__refuse(res, BH_ERR_INVALID, "no gateway or message");
  if (!sms_number_valid(m->to)) return sms__refuse(res, BH_ERR_INVALID, "invalid phone number");
  if (!sms__reference_valid(m->reference))
    return sms__refuse(res, BH_ERR_INVALID, "invalid reference");
  if (m->text == NULL) return sms__refuse(res, BH_ERR_INVALID, "no text");
  size_t text_len = strnlen(m->text, SMS_TEXT_MAX + 1);
  if (text_len > SMS_TEXT_MAX) return sms__refuse(res, BH_ERR_TOO_LARGE, "text too long");
  smstext_info info;
  if (smstext_measure(m->text, text_len, &info) != BH_OK || info.parts == 0)
    return sms__refuse(res, BH_ERR_INVALID, "text empty or not UTF-8");
  if (info.parts > SMS_MAX_PARTS) return sms__refuse(res, BH_ERR_TOO_LARGE, "text too many parts");

  int rc = BH_OK;
  char *body = NULL;
  struct curl_slist *headers = NULL;
  json_t *o = json_pack("{s:s, s:s, s:s, s:s}", "to", m->to, "text", m->text, "encoding",
                        smstext_encoding_name(info.encoding), "reference", m->reference);
  body = o != NULL ? json_dumps(o, JSON_COMPACT) : NULL;
  json_decref(o);
  if (body == NULL) {
    rc = sms__refuse(res, BH_ERR_NOMEM, "out of memory");
    goto out;
  }
  size_t body_len = strlen(body);
  char sig[SMS_SIGNATURE_SIZE], line[sizeof(SMS_SIGNATURE_HEADER) + 2 + SMS_SIGNATURE_SIZE];
  rc = sms_sign(g->secret, body, body_len, sig);
  if (rc != BH_OK) {
    rc = sms__refuse(res, BH_ERR_CRYPTO, "signing failed");
    goto out;
  }
  snprintf(line, sizeof(line), "%s: %s", SMS_SIGNATURE_HEADER, sig);
  /* The per-request list: a copy of the fixed headers and the signature. */
  for (const struct curl_slist *h = g->headers; h != NULL; h = h->next) {
    struct curl_slist *n = curl_slist_append(headers, h->data);
    if (n == NULL) {
      rc = sms__refuse(res, BH_ERR_NOMEM, "out of memory");
      goto out;
    }
    headers = n;
  }
  struct curl_slist *with_sig = curl_slist_append(headers, line);
  if (with_sig == NULL) {
    rc = sms__refuse(res, BH_ERR_NOMEM, "out of memory");
    goto out;
  }
  headers = with_sig;
  buf_reset(&g->reply);
  if (curl_easy_setopt(g->curl, CURLOPT_HTTPHEADER, headers) != CURLE_OK ||
      curl_easy_setopt(g->curl, CURLOPT_POSTFIELDS, body) != CURLE_OK ||
      curl_easy_setopt(g->curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len) != CURLE_OK) {
    rc = sms__refuse(res, BH_ERR_INTERNAL, "libcurl refused an option");
    goto out;
  }
  CURLcode cc = curl_easy_perform(g->curl);
  long status = 0;
  curl_easy_getinfo(g->curl, CURLINFO_RESPONSE_CODE, &status);
  if (cc == CURLE_OK) {
    sms__classify_status(status, res);
    if (res->status == SMS_ACCEPTED) sms__read_gateway_id(&g->reply, res);
  } else {
    /* No complete answer: refused or lost connection, timeout, TLS. */
    res->status = SMS_TEMPFAIL;
    res->http_status = status;
    snprintf(res->reason, sizeof(res->reason), "gateway unreachable: %s",
             cc == CURLE_OPERATION_TIMEDOUT ? "timeout" : curl_easy_strerror(cc));
  }
out:
  curl_easy_setopt(g->curl, CURLOPT_HTTPHEADER, (struct curl_slist *)NULL);
  curl_easy_setopt(g->curl, CURLOPT_POSTFIELDS, (char *)NULL);
  curl_slist_free_all(headers);
  free(body);
  return rc;
}

const char *sms_status_name(sms_status st) {
  switch (st) {
    case SMS_ACCEPTED:
      return "accepted";
    case SMS_TEMPFAIL:
      return "temporary_failure";
    case SMS_PERMFAIL:
      return "permanent_failure";
  }
  return "unknown";
}
