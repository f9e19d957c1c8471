/*
 * api_static.c - the web console and the public pages, served from the assets embedded in the
 * binary (http/assets.h): HTML pages in the reader's language, and the CSS, JavaScript,
 * dictionaries and vendored files they load.
 *
 * Every answer carries a Content-Security-Policy that forbids inline script and style. Pages
 * are never stored by the browser (they are the frame of personal data); other assets are
 * revalidated with their ETag (304), and vendored files, whose URL carries their hash, are
 * cached for a year. These routes need neither the database nor a login. The self-registration
 * page is served by api_register_form.c, which fills in its country list and form token.
 */
#include <string.h>

#include "api/api.h"
#include "http/assets.h"
#include "util/err.h"

#define STATIC_CSP                                                                           \
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "         \
  "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
#define STATIC_LANG_COOKIE "baoho_lang" /* set by the pages' language switch */
#define STATIC_LANG_DEFAULT "vi"
#define STATIC_PAGE_PREFIX "page." /* routes named "page.NAME[.more]" serve /pages/NAME.html */

const char *api_static_lang(const http_req_t *r) {
  const char *lang = http_query(r, "lang");
  if (lang == NULL) lang = http_cookie(r, STATIC_LANG_COOKIE);
  if (lang != NULL && (strcmp(lang, "vi") == 0 || strcmp(lang, "en") == 0)) return lang;
  return STATIC_LANG_DEFAULT;
}

/* Whether the request's If-None-Match names etag (or is "*"). */
static int static_not_modified(const http_req_t *r, const char *etag) {
  const char *inm = http_header(r, "If-None-Match");
  if (inm == NULL) return 0;
  return strcmp(inm, "*") == 0 || strstr(inm, etag) != NULL;
}

void h_static_page(app_t *app, http_req_t *r, api_ctx_t *ctx) {
  (void)app;
  (void)ctx;
  const char *name = r->route_index >= 0 ? api_routes[r->route_index].name : "";
  if (strncmp(name, STATIC_PAGE_PREFIX, strlen(STATIC_PAGE_PREFIX)) == 0) {
    name += strlen(STATIC_PAGE_PREFIX);
  }
  const char *lang = api_static_lang(r);
  const char *path = arena_printf(r->arena, "/pages/%.*s.html", (int)strcspn(name, "."), name);
  const asset_t *a = path ? assets_find(path, lang) : NULL;
  if (a == NULL && path != NULL) a = assets_find(path, STATIC_LANG_DEFAULT);
  if (a == NULL) {
    http_reply_error(r, BH_ERR_NOT_FOUND, NULL, "no such page");
    return;
  }
  api_static_page_headers(r, a->lang);
  http_reply_bytes(r, 200, a->content_type, a->data, a->len);
}

void api_static_page_headers(http_req_t *r, const char *lang) {
  http_add_header(r, "Content-Security-Policy", STATIC_CSP);
  http_add_header(r, "Cache-Control", "no-store");
  http_add_header(r, "Content-Language", lang);
}

void h_static_asset(app_t *app, http_req_t *r, api_ctx_t *ctx) {
  (void)app;
  (void)ctx;
  const asset_t *a = assets_find(r->path, NULL);
  if (a == NULL) {
    http_reply_error(r, BH_ERR_NOT_FOUND, NULL, "no such asset");
    return;
  }
  http_add_header(r, "Content-Security-Policy", STATIC_CSP);
  http_add_header(r, "ETag", a->etag);
  http_add_header(r, "Cache-Control",
                  a->immutable ? "public, max-age=31536000, immutable" : "no-cache");
  if (static_not_modified(r, a->etag)) {
    http_reply_bytes(r, 304, a->content_type, "", 0);
    return;
  }
  http_reply_bytes(r, 200, a->content_type, a->data, a->len);
}
