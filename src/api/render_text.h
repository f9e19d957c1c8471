/*
 * render_text.h - records written as API JSON text straight into a buffer (util/jsonw.h), for
 * the hot lists: a page of 50 persons built as jansson values was about 1,000 allocations and a
 * json_dumps. The text has the fields, order and escapes json_dumps(..., JSON_COMPACT) gives.
 */
#ifndef BAOHO_RENDER_TEXT_H
#define BAOHO_RENDER_TEXT_H

#include "api/api.h"
#include "store/store_person_page.h"
#include "util/jsonw.h"

/* The longest text a reply written this way may have. */
#define RENDER_TEXT_MAX (16 * 1024 * 1024)

/*
 * Writes the person of a row: the one definition of a person's wire shape (render_person parses
 * it). The lists are copied from their stored text when it is valid JSON, else written as [].
 * When id is not NULL it receives the person's opaque id (PUBID_LEN + 1 bytes), as written.
 */
void render_person_text(const app_t *app, jsonw_t *w, const person_row_t *row, char *id);
/* Writes an opaque id of the kind as a string, or null for 0. */
void render_id_text(const app_t *app, jsonw_t *w, enum pubid_kind kind, int64_t id);

#endif
