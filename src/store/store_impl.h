/*
 * store_impl.h - what the storage backends share with store.c and nothing else includes.
 *
 * A store_conn_t is a small handle embedded in each backend's connection; exactly one of its
 * pointers is set, naming the backend that owns the connection.
 */
#ifndef BAOHO_STORE_IMPL_H
#define BAOHO_STORE_IMPL_H

#include <stddef.h>
#include <stdint.h>

#include "domain/model.h"

struct sq_conn;
struct bh_pg_conn;

struct store_conn {
  struct sq_conn *sq;
  struct bh_pg_conn *pg;
};

/* Room for a person's search key. */
#define STORE_NAME_KEY_MAX 2048

/* Adds us microseconds to the database time reported by store_db_time_us. Thread-safe. */
void store_db_time_add(int64_t us);

/*
 * Builds the person's search key: the distinct folded tokens of the full name and every other
 * name, space-separated, into key (cap bytes). BH_ERR_TOO_LARGE if they do not fit.
 */
int store_person_name_key(const person_t *p, char *key /* OUT */, size_t cap);

#endif
