/*
 * api_idem_int.h - the parts of api.c's idempotency keys that a handler recording its own key
 * uses: the check-in answer (api_checkin.c) records its key inside its group-commit job, with
 * the same scope, request hash, stored answer and replay as every other request with a key.
 */
#ifndef BAOHO_API_IDEM_INT_H
#define BAOHO_API_IDEM_INT_H

#include "api/api.h"
#include "store/store_idem.h"

/*
 * The idempotency key of a check-in answer (header, else form field), already checked by
 * api_dispatch; NULL when there is none. api_dispatch hands such a request to the handler
 * itself (not to its held transaction) only while the application has its writer.
 */
const char *api_idem_checkin_key(http_req_t *r);
/* The scope and the request hash of a key (see api.c). */
void api_idem_scope(http_req_t *r, const api_ctx_t *ctx, char scope[STORE_IDEM_SCOPE_MAX + 1]);
void api_idem_hash(const http_req_t *r, unsigned char out[STORE_IDEM_HASH_BYTES]);
/* Deletes expired keys, at most once every API_IDEM_PURGE_S seconds per process. */
void api_idem_purge(http_req_t *r, store_conn_t *db, int64_t now);
/*
 * Whether a request whose key was answered before (old->found) may have that answer again:
 * BH_OK when it is the same request (hash) and the delivery has been audited as a read; else an
 * error, the request having been answered (422 for another request under the key, 503 when the
 * audit log cannot record the read).
 */
int api_idem_replay_allowed(app_t *app, http_req_t *r, api_ctx_t *ctx, const char *route_name,
                            const unsigned char hash[STORE_IDEM_HASH_BYTES],
                            const store_idem_t *old);
/*
 * Answers a request whose key was answered before (old->found): what api_idem_replay_allowed
 * refuses, else the stored answer again (its status, headers and body, unsealed).
 */
void api_idem_answer_stored(app_t *app, http_req_t *r, api_ctx_t *ctx, const char *route_name,
                            const unsigned char hash[STORE_IDEM_HASH_BYTES],
                            const store_idem_t *old);

#endif
