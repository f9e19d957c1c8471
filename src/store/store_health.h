/*
 * store_health.h - the state of the database as /healthz reports it, beyond "it answers": whether
 * this connection may write (a PostgreSQL primary) or only read (a standby, a read-only session,
 * an SQLite file opened read-only).
 */
#ifndef BAOHO_STORE_HEALTH_H
#define BAOHO_STORE_HEALTH_H

#include "store/store.h"

/* Sets *read_only to 1 when c can only read, 0 when it may write. Returns a store error when the
 * database does not answer. Call outside a transaction. */
int store_health_read_only(store_conn_t *c, int *read_only /* OUT */);

#endif
