/*
 * store_officer.h - the officers of a mission as a colleague sees them: the accounts to which a
 * case of that mission may be assigned. Part of the storage interface (store.h), in its own
 * header; store_officer.c forwards each call to the SQLite (store_sqlite_admin.c) or PostgreSQL
 * (store_pg.c) backend. Contracts as in store.h: BH_OK or a negative bh_err, strings from the
 * caller's arena.
 */
#ifndef BAOHO_STORE_OFFICER_H
#define BAOHO_STORE_OFFICER_H

#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

/*
 * Lists the enabled users to whom a case of mission_id may be assigned, in id order: the users of
 * mission_id whose role may hold a case (every role but viewer) and every user of role hq (with
 * or without a mission: hq may hold any case), those with id > page->after, at most page->limit
 * of them. Only id, name, role and mission_id (0 for none) of each user_t are filled: the e-mail, password hash and times stay NULL or 0, so
 * that nothing more than a colleague needs leaves the store. *out is allocated from a (room for
 * page->limit users); *n is the number read. The caller checks that the mission exists and is
 * in the reader's scope.
 */
int store_officer_list(store_conn_t *c, int64_t mission_id, const store_page_t *page, arena_t *a,
                       user_t **out /* OUT */, size_t *n /* OUT */);

#endif
