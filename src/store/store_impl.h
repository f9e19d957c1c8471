/*
 * store_impl.h - what the storage backends share with store.c and nothing else includes.
 *
 * A store_conn_t is a small handle embedded in each backend's connection; exactly one of its
 * pointers is set, naming the backend that owns the connection.
 */
#ifndef BAOHO_STORE_IMPL_H
#define BAOHO_STORE_IMPL_H

#include <stdint.h>

struct sq_conn;

struct store_conn {
  struct sq_conn *sq;
};

/* Adds us microseconds to the database time reported by store_db_time_us. Thread-safe. */
void store_db_time_add(int64_t us);

#endif
