/* api_system.c - GET /healthz and GET /metrics. */
#include "api/api.h"
#include "store/store_health.h"
#include "util/err.h"

void h_healthz(app_t *app, http_req_t *r, api_ctx_t *ctx) {
  (void)app;
  int version = 0, read_only = 0;
  int rc = store_ping(ctx->db);
  if (rc == BH_OK) rc = store_schema_version(ctx->db, &version);
  if (rc == BH_OK) rc = store_health_read_only(ctx->db, &read_only);
  if (rc != BH_OK) {
    http_reply_json(r, 503, json_pack("{s:s, s:s}", "status", "unavailable", "database", "down"));
    return;
  }
  /* A read-only database (a standby) still answers 200: reads work, and writes answer 503. */
  http_reply_json(r, 200, json_pack("{s:s, s:s, s:s, s:i}", "status", "ok", "database", "ok",
                                    "access", read_only ? "read_only" : "read_write",
                                    "schema_version", version));
}

void h_metrics(app_t *app, http_req_t *r, api_ctx_t *ctx) {
  (void)app;
  (void)ctx;
  buf_t b;
  buf_init(&b, 1024 * 1024);
  if (http_metrics_write(&b) != BH_OK) {
    buf_free(&b);
    http_reply_error(r, BH_ERR_INTERNAL, NULL, "metrics could not be written");
    return;
  }
  http_reply_bytes(r, 200, "text/plain; version=0.0.4; charset=utf-8", b.data, b.len);
  buf_free(&b);
}
