/*
 * store_person_page.h - a page of the person list and search with the JSON list columns left as
 * the text the database holds, for replies that copy that text out instead of parsing it into
 * jansson values and writing it again (store_person_search gives the same page parsed).
 */
#ifndef BAOHO_STORE_PERSON_PAGE_H
#define BAOHO_STORE_PERSON_PAGE_H

#include "store/store.h"

/* A person of a page: the record without its lists, and the lists as stored JSON text. */
typedef struct {
  person_t p; /* other_names, phones, emails, flags and contacts are NULL here */
  /* The JSON texts of those columns (in the arena) and their lengths; NULL when the column is. */
  const char *other_names, *phones, *emails, *flags, *contacts;
  size_t other_names_len, phones_len, emails_len, flags_len, contacts_len;
} person_row_t;

/*
 * The page of persons that store_person_search answers for the same arguments (same filter,
 * scope, order and limit), as person_row_t in the arena. Nothing of it needs person_clear.
 */
int store_person_page(store_conn_t *c, const store_scope_t *scope, const person_filter_t *f,
                      const store_page_t *page, arena_t *a, person_row_t **out /* OUT */,
                      size_t *n /* OUT */);

/*
 * Gives row->p the parsed lists (json_t, released by person_clear) from the row's texts: a NULL
 * text, an empty one or one jansson does not parse gives an empty array, as every read does.
 */
int store_person_row_parse(person_row_t *row);

#endif
