/*
 * store_sqlite_import.h - what the SQLite import (store_sqlite_import.c) offers the rest of the
 * SQLite backend: the text an initial load writes into the name index for one name key.
 */
#ifndef BAOHO_STORE_SQLITE_IMPORT_H
#define BAOHO_STORE_SQLITE_IMPORT_H

#include <stddef.h>

#include "domain/name.h"
#include "store/store_impl.h"
#include "store/store_sqlite.h"

/* The name index format (token pairs; store_sqlite_person.c explains it and searches with it),
 * declared once here for the search and for the initial load that writes the index in bulk. */
#define SQ_NAMES_PAIR_SEP "\xee\x80\x80"
#define SQ_NAMES_PAIR_TOKENS 16
#define SQ_NAMES_MANY SQ_NAMES_PAIR_SEP
/* The document at rowid 0 that says the index holds pairs (NAMES_FORMAT there). */
#define SQ_NAMES_FORMAT SQ_NAMES_PAIR_SEP "pairs1"
/* Room for the indexed text of one key. */
#define SQ_NAMES_TEXT_MAX                                                                        \
  (STORE_NAME_KEY_MAX +                                                                         \
   SQ_NAMES_PAIR_TOKENS * (SQ_NAMES_PAIR_TOKENS - 1) / 2 * (2 * NAME_TOKEN_MAX + 4) + 8)

/* Appends len bytes of s to out (cap bytes, *o used); 0, or -1 when it does not fit. */
int sq_names_put(char *out, size_t cap, size_t *o, const char *s, size_t len);
/* Appends the pair token of a and b (al, bl bytes), the bytewise smaller first (the shorter on a
 * tie), as the index writes it; 0, or -1 when it does not fit. */
int sq_names_put_pair(char *out, size_t cap, size_t *o, const char *a, size_t al, const char *b,
                      size_t bl);
/* Writes into out (cap bytes) the text person_names indexes for name key key: the key, then the
 * pairs of its tokens. BH_OK, or BH_ERR_TOO_LARGE when it does not fit. */
int sq_names_text(const char *key, char *out, size_t cap);

/* Called by sq_import_begin when the registry looks empty: opens the scratch name index of the
 * load (store_import_names). On failure the load simply indexes names inline (c->import_names
 * stays NULL). */
void sq_import_names_open(sq_conn_t *c);
/* Called by sq_import_begin inside the load's transaction: keeps the scratch index only for an
 * initial load. */
void sq_import_names_keep(sq_conn_t *c, int initial);
/* Called by sq_import_end inside the load's transaction before it commits, with ok: replaces the
 * registry's name index by the scratch one. BH_OK or an error (the load then rolls back). */
int sq_import_names_finish(sq_conn_t *c, int ok);
/* Called by sq_import_begin for an initial load in a rollback journal: starts a thread that asks
 * the kernel, every SQ_IMPORT_FLUSH_MS, to start writing out what SQLite has already written to
 * the database file, so that the commit's sync finds little left to write. Without it the
 * kernel keeps the whole load (hundreds of megabytes) in memory until that sync. Nothing changes
 * for durability: those pages may reach the disk at any moment anyway, and the journal that
 * protects the old pages was synced before they were overwritten. A failure to start only
 * loses the early writeback. */
void sq_import_flush_start(sq_conn_t *c);
/* Stops and joins that thread and closes its descriptor of the file (nothing when none runs).
 * Call it only once the load's transaction has ended: closing any descriptor of a file drops
 * every POSIX lock the process holds on it, SQLite's included. The load's connection is then the
 * process's only one on the file (the switch to a rollback journal needs that) and holds none. */
void sq_import_flush_stop(sq_conn_t *c);
/* Runs sql (one statement of the end of a load: an index rebuild, the commit) on c and logs the
 * CPU and wall time it took; BH_OK or the error. */
int sq_import_exec_timed(sq_conn_t *c, const char *sql);

#endif
