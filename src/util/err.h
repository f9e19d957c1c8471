/*
 * err.h - the return codes every baoho function uses, declared once.
 *
 * Functions return BH_OK (zero) on success and a negative bh_err on failure; results come back
 * through out-parameters. Each code carries the stable string an API client sees in
 * {"error":{"code":...}} and the HTTP status it maps to, so handlers never choose a status by hand.
 */
#ifndef BAOHO_ERR_H
#define BAOHO_ERR_H

/* X(name, value, api_code, http_status) */
#define BH_ERR_TABLE(X)                                          \
  X(BH_OK, 0, "ok", 200)                                         \
  X(BH_ERR_NOMEM, -1, "internal_error", 500)                     \
  X(BH_ERR_INVALID, -2, "validation_failed", 422)                \
  X(BH_ERR_BAD_REQUEST, -3, "bad_request", 400)                  \
  X(BH_ERR_BAD_JSON, -4, "malformed_json", 400)                  \
  X(BH_ERR_NOT_FOUND, -5, "not_found", 404)                      \
  X(BH_ERR_CONFLICT, -6, "conflict", 409)                        \
  X(BH_ERR_TOO_LARGE, -7, "payload_too_large", 413)              \
  X(BH_ERR_MEDIA_TYPE, -8, "unsupported_media_type", 415)        \
  X(BH_ERR_UNAUTHENTICATED, -9, "unauthenticated", 401)          \
  X(BH_ERR_FORBIDDEN, -10, "forbidden", 403)                     \
  X(BH_ERR_RATE_LIMITED, -11, "rate_limited", 429)               \
  X(BH_ERR_METHOD, -12, "method_not_allowed", 405)               \
  X(BH_ERR_IO, -13, "internal_error", 500)                       \
  X(BH_ERR_DB, -14, "internal_error", 500)                       \
  X(BH_ERR_CRYPTO, -15, "internal_error", 500)                   \
  X(BH_ERR_UNAVAILABLE, -16, "unavailable", 503)                 \
  X(BH_ERR_INTERNAL, -17, "internal_error", 500)                 \
  /* Idempotency keys (api.c, store_idem.h); numbered apart from the codes above. */ \
  X(BH_ERR_IDEM_REUSED, -40, "idempotency_key_reused", 422)      \
  X(BH_ERR_IDEM_IN_PROGRESS, -41, "idempotency_in_progress", 409)

typedef enum {
#define BH_ERR_ENUM(name, value, code, status) name = value,
  BH_ERR_TABLE(BH_ERR_ENUM)
#undef BH_ERR_ENUM
} bh_err;

/* The stable API error code string for err; never NULL. */
const char *bh_err_code(int err);
/* The HTTP status err maps to; 500 for an unknown code. */
int bh_err_status(int err);
/* A short English description of err for logs and CLI messages; never NULL. */
const char *bh_err_str(int err);

#endif
