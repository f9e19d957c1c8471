/*
 * store_import.h - the name index of an initial load, built apart from the rows.
 *
 * During an initial load on SQLite (store_import_begin answered *initial = 1) the name index is
 * not written by store_import_add: the caller feeds it through store_import_names_add, which
 * writes a scratch database of its own and may run on another thread than the connection's,
 * and store_import_end(c, 1) puts the scratch index in place of the registry's (inside the
 * load's transaction, so an interrupted load still leaves nothing). Every other import (a
 * registry that holds persons, PostgreSQL) indexes names in store_import_add, and
 * store_import_names answers NULL.
 */
#ifndef BAOHO_STORE_IMPORT_H
#define BAOHO_STORE_IMPORT_H

#include <stdint.h>

#include "store/store.h"

typedef struct sq_import_names store_import_names_t;

/* The name index writer of the import running on c, or NULL when store_import_add indexes
 * names itself. Valid from store_import_begin to store_import_end. */
store_import_names_t *store_import_names(store_conn_t *c);

/* Indexes name key key (store_import_row_t.name_key; nothing for an empty key) for person id.
 * Calls come from one thread at a time, in increasing id order, and all of them before
 * store_import_end. BH_OK or a negative bh_err; after an error the load must end with ok = 0. */
int store_import_names_add(store_import_names_t *n, int64_t id, const char *key);

#endif
