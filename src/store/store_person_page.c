/*
 * store_person_page.c - forwards store_person_page to the backend that owns the connection, and
 * parses a row's list texts for callers that want jansson values (store_person_page.h), and
 * store_person_search (store.h): that page parsed, the same for both backends.
 */
#include "store/store_person_page.h"

#include "store/store_impl.h"
#include "store/store_person_page_impl.h"
#include "util/err.h"

int store_person_page(store_conn_t *c, const store_scope_t *scope, const person_filter_t *f,
                      const store_page_t *page, arena_t *a, person_row_t **out, size_t *n) {
  return c->pg ? pg_person_page(c->pg, scope, f, page, a, out, n)
               : sq_person_page(c->sq, scope, f, page, a, out, n);
}

/* An empty list for a NULL, empty or unparsable text, like every read of these columns. */
static json_t *row_list(const char *text, size_t len) {
  if (text == NULL || (len == 2 && text[0] == '[' && text[1] == ']')) return json_array();
  json_t *j = json_loadb(text, len, 0, NULL);
  return j ? j : json_array();
}

int store_person_row_parse(person_row_t *row) {
  person_t *p = &row->p;
  p->other_names = row_list(row->other_names, row->other_names_len);
  p->phones = row_list(row->phones, row->phones_len);
  p->emails = row_list(row->emails, row->emails_len);
  p->flags = row_list(row->flags, row->flags_len);
  p->contacts = row_list(row->contacts, row->contacts_len);
  if (!p->other_names || !p->phones || !p->emails || !p->flags || !p->contacts) {
    person_clear(p);
    return BH_ERR_NOMEM;
  }
  return BH_OK;
}

/* The page of store_person_page with its list texts parsed, for either backend (store.h). */
int store_person_search(store_conn_t *c, const store_scope_t *scope, const person_filter_t *f,
                        const store_page_t *page, arena_t *a, person_t **out, size_t *n) {
  person_row_t *rows;
  size_t k;
  int rc = store_person_page(c, scope, f, page, a, &rows, &k);
  if (rc != BH_OK) return rc;
  person_t *items = arena_calloc(a, sizeof(*items) * (k ? k : 1));
  if (items == NULL) return BH_ERR_NOMEM;
  for (size_t i = 0; i < k; i++) {
    rc = store_person_row_parse(&rows[i]);
    if (rc != BH_OK) {
      for (size_t j = 0; j < i; j++) person_clear(&items[j]);
      return rc;
    }
    items[i] = rows[i].p;
  }
  *out = items;
  *n = k;
  return BH_OK;
}
