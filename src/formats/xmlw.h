/*
 * xmlw.h - what the XML publishers (CAP, Atom) share: a libxml2 text writer that appends to a
 * bounded buffer with a sticky error, the text rule for published characters, and the check
 * that an advisory version is complete enough to publish.
 *
 * Usage: xmlw_begin, then xmlw_start / xmlw_end / xmlw_fail and direct xmlTextWriter calls on
 * x.w while x.rc == BH_OK, then xmlw_finish, which returns the first error and on any error
 * leaves the buffer exactly as it was before xmlw_begin. Not thread-safe per writer.
 */
#ifndef BAOHO_XMLW_H
#define BAOHO_XMLW_H

#include <libxml/xmlwriter.h>
#include <stddef.h>

#include "domain/model.h"
#include "util/buf.h"

typedef struct xmlw {
  xmlTextWriterPtr w;
  int rc;      /* the first writer error, or BH_OK: after it every helper does nothing */
  buf_t *out;
  size_t start; /* out->len at xmlw_begin */
  int sink_rc;  /* the first buffer error (full, no memory), or BH_OK */
} xmlw_t;

/* Writes the XML declaration into out and opens an indenting writer on it. Returns a bh_err. */
int xmlw_begin(xmlw_t *x, buf_t *out);
/* Flushes and frees the writer; returns the first error, restoring out on any error. */
int xmlw_finish(xmlw_t *x);
/* Records BH_ERR_INTERNAL when failed is non-zero and no error was recorded yet. */
void xmlw_fail(xmlw_t *x, int failed);
/* Opens an element. */
void xmlw_start(xmlw_t *x, const char *name);
/* Closes the innermost open element. */
void xmlw_end(xmlw_t *x);

/*
 * Returns 1 if the len bytes at s are valid UTF-8 holding only characters XML 1.0 allows and we
 * publish: no C0 control other than tab, line feed and carriage return, no DEL or C1 control,
 * no U+FFFE or U+FFFF.
 */
int xmlw_text_ok_len(const char *s, size_t len);
/* As xmlw_text_ok_len for a NUL-terminated string; 0 for NULL. */
int xmlw_text_ok(const char *s);

/* Returns 1 if the version's own fields allow it to be published (ids, level, place, texts). */
int xmlw_advisory_ok(const advisory_t *a);

#endif
