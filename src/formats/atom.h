/*
 * atom.h - travel advisories published as an Atom feed (RFC 4287), served as
 * application/atom+xml at {base_url}/advisories.atom.
 *
 * Each advisory version is one entry, newest first, so an escalation from level 2 to 3 to 4
 * shows as three entries. Entries are in Vietnamese (the feed's xml:lang) with an English
 * summary, and their XHTML content carries both languages, each marked with xml:lang. The
 * level is machine-readable twice: as <category term="level-N" scheme="{base_url}/advisory-levels">
 * and as the foreign element <baoho:level> (namespace ATOM_BAOHO_NAMESPACE), next to
 * <baoho:country> and, for a region, <baoho:region>. Each entry links to the advisory's page
 * and to its CAP alert ({base_url}/advisories/{id}.cap, see cap.h).
 *
 * The writer is pure and may run on any number of threads at once (libxml2 must have been
 * initialised with xmlInitParser() before threads start).
 */
#ifndef BAOHO_ATOM_H
#define BAOHO_ATOM_H

#include <stddef.h>
#include <stdint.h>

#include "domain/model.h"
#include "util/buf.h"

#define ATOM_NAMESPACE "http://www.w3.org/2005/Atom"
#define ATOM_MEDIA_TYPE "application/atom+xml"
/* The namespace of baoho's extension elements; fixed for every deployment, never change it. */
#define ATOM_BAOHO_NAMESPACE "urn:baoho:advisory:1"
/* The feed title when the options give none. */
#define ATOM_DEFAULT_TITLE "Cảnh báo du lịch — Travel advisories"
/* Longest accepted base URL and tag authority, in bytes. */
#define ATOM_BASE_URL_MAX 500
#define ATOM_AUTHORITY_MAX 200

/* Deployment settings; every string is borrowed for the duration of the call only. */
typedef struct atom_options {
  /* The public base URL, "http://" or "https://" then no spaces, quotes or angle brackets; a
   * trailing '/' is ignored. */
  const char *base_url;
  /* The tag URI (RFC 4151) authority and date that make feed and entry ids, e.g.
   * "consular.example.org" and "2023": a domain (or e-mail address) the publisher held on that
   * date ("YYYY", "YYYY-MM" or "YYYY-MM-DD"). Entry ids are
   * "tag:{authority},{date}:advisories/{series_id}/v{version}"; the feed id is
   * "tag:{authority},{date}:advisories". Never change them once published. */
  const char *tag_authority;
  const char *tag_date;
  /* The feed title; NULL gives ATOM_DEFAULT_TITLE. */
  const char *title;
  /* The feed's author (required) and optional e-mail address (must contain '@'). */
  const char *author_name;
  const char *author_email;
  /* The feed's updated time when there are no entries (Unix seconds). */
  int64_t now;
} atom_options_t;

/*
 * Appends to out one complete Atom feed document (XML declaration included, UTF-8) holding
 * the n advisory versions of items, sorted newest first by issued_at (ties: higher series, then
 * higher version first); items itself is not reordered. The feed's updated is the newest
 * issued_at, or opt->now when n is 0. Entry ids depend only on series_id and version, so they
 * are stable across calls.
 *
 * Every version must be complete (ids > 0, version >= 1, level 1..4, a valid country, a region
 * of that country or NULL, titles and texts in both languages), and every string valid UTF-8
 * without control characters other than tab, line feed and carriage return (nor U+007F-U+009F,
 * U+FFFE, U+FFFF); markup characters are escaped.
 *
 * Returns BH_OK; BH_ERR_INVALID for a missing or malformed option or item; BH_ERR_TOO_LARGE if
 * out's maximum is reached; BH_ERR_NOMEM. On any error out is left exactly as it was on entry.
 */
int atom_write_advisories(const advisory_t *items, size_t n, const atom_options_t *opt,
                          buf_t *out /* OUT: appended */);

#endif
