/*
 * api_register_form.c - the self-registration page (/register) and its plain HTML form post, so
 * that a citizen can register from a phone without JavaScript.
 *
 * GET /register serves the embedded page (web/pages/register.html) in the reader's language with
 * two things only the server can add: the list of countries (names from domain/country.c, in the
 * page's language, sorted without regard to accents) and a form token. POST /register takes
 * application/x-www-form-urlencoded fields named as on the page, builds the same JSON body the
 * page's script sends to POST /api/v1/public/registrations, validates it with the same spec
 * (api_registration_check), applies the same rate limit and stores it with the same function
 * (api_registration_store). The answer is the same page again: on success with the private
 * manage link shown; on failure with what was typed filled back in and the message next to the
 * field, in the page's language (texts from the embedded dictionaries, web/i18n/).
 *
 * CSRF: the page is public and creates data, so a post must come from our own page. GET sets a
 * random nonce in the cookie baoho_form (HttpOnly, SameSite=Strict, Path=/register) and writes
 * the keyed hash of that nonce (the server's index key, tag "register_form") into a hidden field;
 * POST requires both and checks that they match. Another site can neither read the cookie nor
 * compute the field, and a SameSite=Strict cookie is not even sent with its cross-site post. An
 * Origin check alone would not do: the pages send no referrer (Referrer-Policy: no-referrer), so
 * browsers send "Origin: null" with our own form posts as well.
 */
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "domain/country.h"
#include "domain/name.h"
#include "domain/pdate.h"
#include "http/assets.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/err.h"

#define REGFORM_COOKIE "baoho_form"
#define REGFORM_COOKIE_MAX_AGE (12 * 3600) /* seconds a loaded form may wait before its post */
#define REGFORM_TAG "register_form"        /* tag of the keyed hash of the nonce */
#define REGFORM_TOKEN_HEX (SECRET_INDEX_BYTES * 2)
#define REGFORM_PAGE "/pages/register.html"
#define REGFORM_PAGE_MAX (256 * 1024) /* bytes of the page with its countries and values */
#define REGFORM_VALUE_MAX 4096        /* bytes of one decoded form value */
#define REGFORM_MARK_CSRF "<!--baoho:csrf-->"
#define REGFORM_MARK_COUNTRIES "<!--baoho:countries-->"
#define REGFORM_HOME_COUNTRY "VN" /* not offered: this is registration abroad */

/* The form's fields: their name on the page, the object of the JSON body they go to, and
 * whether they are comma-separated lists (phones, emails). */
static const struct regform_field {
  const char *name;
  const char *object;
  int list;
} regform_fields[] = {
    {"full_name", "person", 0},  {"date_of_birth", "person", 0}, {"sex", "person", 0},
    {"passport", "person", 0},   {"phones", "person", 1},        {"emails", "person", 1},
    {"home_province", "person", 0}, {"preferred_language", "person", 0},
    {"country", "presence", 0},  {"city", "presence", 0},
    {"address", "presence", 0},  {"category", "presence", 0},    {"from", "presence", 0},
    {"until", "presence", 0},
};
#define REGFORM_NFIELDS (sizeof(regform_fields) / sizeof(regform_fields[0]))

/*
 * The dictionary key of the message shown for a validation error, chosen by what the spec's
 * English message says. The same table as MESSAGE_KEYS in web/assets/js/validation.js.
 */
static const struct {
  const char *contains;
  const char *key;
} regform_messages[] = {
    {"is required", "error.required"}, {"must not be empty", "error.required"},
    {"at most", "error.too_long"},     {"in the future", "error.future"},
    {"after 1900", "error.too_old"},   {"date written", "error.date"},
    {"country code", "error.country"}, {"before from", "error.before_from"},
    {"e-mail", "error.email"},         {"phone", "error.phone"},
};

/* What was posted, and what to show. */
typedef struct regform {
  const char *value[REGFORM_NFIELDS]; /* decoded, or NULL */
  const char *csrf;
  const char *idempotency_key; /* the page's key, checked and used by api.c before the handler */
  const char *error_field;  /* the field to mark, or NULL */
  const char *error_key;    /* its message (dictionary key) */
  const char *summary_key;  /* the message above the button, or NULL */
  const char *manage_url;   /* on success */
} regform_t;

/* ---- small helpers ---- */

static void html_text(buf_t *b, const char *s) {
  for (; s && *s; s++) {
    switch (*s) {
      case '&': buf_puts(b, "&amp;"); break;
      case '<': buf_puts(b, "&lt;"); break;
      case '>': buf_puts(b, "&gt;"); break;
      case '"': buf_puts(b, "&quot;"); break;
      case '\'': buf_puts(b, "&#39;"); break;
      default: buf_putc(b, *s);
    }
  }
}

static int hexval(char ch) {
  if (ch >= '0' && ch <= '9') return ch - '0';
  if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
  if (ch >= 'A' && ch <= 'F') return ch - 'A' + 10;
  return -1;
}

/* Decodes one form component into the arena; NULL when malformed or too long. */
static char *form_decode(arena_t *a, const char *s, size_t len) {
  if (len > 3 * REGFORM_VALUE_MAX) return NULL;
  char *out = arena_alloc(a, len + 1);
  if (out == NULL) return NULL;
  size_t n = 0;
  for (size_t i = 0; i < len; i++) {
    if (s[i] == '+') {
      out[n++] = ' ';
    } else if (s[i] == '%') {
      if (i + 2 >= len) return NULL;
      int hi = hexval(s[i + 1]), lo = hexval(s[i + 2]);
      if (hi < 0 || lo < 0) return NULL;
      out[n++] = (char)(hi * 16 + lo);
      i += 2;
    } else {
      out[n++] = s[i];
    }
  }
  out[n] = '\0';
  if (strlen(out) != n || n > REGFORM_VALUE_MAX) return NULL; /* an encoded NUL, or too long */
  return out;
}

/* The form token of a nonce: the lowercase hex of its keyed hash. */
static void regform_token(const app_t *app, const char *nonce, char out[REGFORM_TOKEN_HEX + 1]) {
  unsigned char h[SECRET_INDEX_BYTES];
  secret_index(&app->keys, REGFORM_TAG, nonce, h);
  for (size_t i = 0; i < SECRET_INDEX_BYTES; i++) {
    out[2 * i] = "0123456789abcdef"[h[i] >> 4];
    out[2 * i + 1] = "0123456789abcdef"[h[i] & 15];
  }
  out[REGFORM_TOKEN_HEX] = '\0';
}

/* 1 when the posted token matches the cookie's nonce (compared in constant time). */
static int regform_token_ok(const app_t *app, const char *nonce, const char *posted) {
  if (nonce == NULL || posted == NULL || strlen(nonce) != SECRET_TOKEN_LEN ||
      strlen(posted) != REGFORM_TOKEN_HEX) {
    return 0;
  }
  char want[REGFORM_TOKEN_HEX + 1];
  regform_token(app, nonce, want);
  unsigned diff = 0;
  for (size_t i = 0; i < REGFORM_TOKEN_HEX; i++) diff |= (unsigned)(want[i] ^ posted[i]);
  return diff == 0;
}

/* ---- the page ---- */

/* The dictionary of lang (the embedded web/i18n/LANG.json), or NULL. A new reference. */
static json_t *regform_dict(const char *lang) {
  char path[32];
  snprintf(path, sizeof(path), "/assets/i18n/%s.json", lang);
  const asset_t *a = assets_find(path, NULL);
  if (a == NULL) return NULL;
  return json_loadb((const char *)a->data, a->len, 0, NULL);
}

static const char *regform_text(const json_t *dict, const char *key) {
  const char *s = json_string_value(json_object_get(dict, key));
  return s ? s : key;
}

struct regform_country {
  const char *code, *name;
  char key[160]; /* the folded name: sorts Đ with D and Á with A */
};

static int country_cmp(const void *a, const void *b) {
  const struct regform_country *x = a, *y = b;
  int c = strcmp(x->key, y->key);
  return c ? c : strcmp(x->code, y->code);
}

/* Writes the <option>s of every country but Viet Nam, sorted by name, selected marked. */
static int regform_countries(buf_t *b, arena_t *ar, const char *lang, const char *selected) {
  size_t n = country_count();
  struct regform_country *list = arena_alloc(ar, n * sizeof(*list));
  if (list == NULL) return BH_ERR_NOMEM;
  size_t k = 0;
  for (size_t i = 0; i < n; i++) {
    const char *code = country_code_at(i);
    if (code == NULL || strcmp(code, REGFORM_HOME_COUNTRY) == 0) continue;
    const char *name = country_name(code, lang);
    if (name == NULL) name = code;
    list[k].code = code;
    list[k].name = name;
    if (name_fold(name, strlen(name), list[k].key, sizeof(list[k].key), NULL) != BH_OK) {
      snprintf(list[k].key, sizeof(list[k].key), "%s", name);
    }
    k++;
  }
  qsort(list, k, sizeof(*list), country_cmp);
  for (size_t i = 0; i < k; i++) {
    buf_printf(b, "<option value=\"%s\"%s>", list[i].code,
               selected && strcmp(selected, list[i].code) == 0 ? " selected" : "");
    html_text(b, list[i].name);
    buf_puts(b, "</option>\n");
  }
  return BH_OK;
}

/*
 * Replaces the first occurrence of find in *doc by repl (a NUL-terminated string); a missing
 * find leaves the page as it is (the page and this file are kept in step by the e2e tests).
 */
static void regform_subst(buf_t *doc, const char *find, const char *repl) {
  if (doc->data == NULL) return;
  char *at = strstr(doc->data, find);
  if (at == NULL) return;
  buf_t out;
  buf_init(&out, REGFORM_PAGE_MAX);
  size_t pre = (size_t)(at - doc->data);
  buf_append(&out, doc->data, pre);
  buf_puts(&out, repl);
  buf_puts(&out, at + strlen(find));
  buf_free(doc);
  *doc = out;
}

/* Replaces find by a text built in b (reset afterwards). */
static void regform_subst_buf(buf_t *doc, const char *find, buf_t *b) {
  regform_subst(doc, find, b->data ? b->data : "");
  buf_reset(b);
}

/*
 * Queues the register page in lang with a fresh form token (and its cookie), the countries, and
 * what f says: values filled back in, an error next to its field, a summary, or the success
 * section with the manage link.
 */
static void regform_reply(app_t *app, http_req_t *r, int status, const char *lang,
                          const regform_t *f) {
  const asset_t *a = assets_find(REGFORM_PAGE, lang);
  json_t *dict = regform_dict(lang);
  if (a == NULL || dict == NULL) {
    json_decref(dict);
    http_reply_error(r, BH_ERR_NOT_FOUND, NULL, "no such page");
    return;
  }
  buf_t doc, b;
  buf_init(&doc, REGFORM_PAGE_MAX);
  buf_init(&b, REGFORM_PAGE_MAX);
  buf_append(&doc, a->data, a->len);

  char nonce[SECRET_TOKEN_LEN + 1], token[REGFORM_TOKEN_HEX + 1];
  secret_token_new(nonce);
  regform_token(app, nonce, token);
  /* A key per rendering: sending the same form twice (a double tap, a resend after a timeout)
   * registers once and answers the same page with the same private link (api.c). */
  char idem[SECRET_TOKEN_LEN + 1];
  secret_token_new(idem);
  buf_printf(&b, "<input type=\"hidden\" name=\"csrf\" value=\"%s\">", token);
  buf_printf(&b, "<input type=\"hidden\" name=\"idempotency_key\" value=\"%s\">", idem);
  regform_subst_buf(&doc, REGFORM_MARK_CSRF, &b);
  r->set_cookie = arena_printf(r->arena, "%s=%s; Path=/register; HttpOnly; SameSite=Strict; Max-Age=%d%s",
                               REGFORM_COOKIE, nonce, REGFORM_COOKIE_MAX_AGE,
                               app->secure_cookies ? "; Secure" : "");

  const char *country = NULL;
  for (size_t i = 0; f && i < REGFORM_NFIELDS; i++) {
    if (strcmp(regform_fields[i].name, "country") == 0) country = f->value[i];
  }
  regform_countries(&b, r->arena, lang, country);
  regform_subst_buf(&doc, REGFORM_MARK_COUNTRIES, &b);

  if (f != NULL && f->manage_url != NULL) {
    regform_subst(&doc, "<form id=\"register-form\"", "<form id=\"register-form\" hidden");
    regform_subst(&doc, "aria-labelledby=\"done-h\" hidden>", "aria-labelledby=\"done-h\">");
    buf_puts(&b, "<a id=\"manage-link\" href=\"");
    html_text(&b, f->manage_url);
    buf_puts(&b, "\">");
    html_text(&b, f->manage_url);
    buf_puts(&b, "</a>");
    regform_subst_buf(&doc, "<a id=\"manage-link\" href=\"/register\"></a>", &b);
  } else if (f != NULL) {
    for (size_t i = 0; i < REGFORM_NFIELDS; i++) {
      const char *v = f->value[i], *name = regform_fields[i].name;
      if (v == NULL || v[0] == '\0' || strcmp(name, "country") == 0) continue;
      if (strcmp(name, "sex") == 0 || strcmp(name, "category") == 0 ||
          strcmp(name, "preferred_language") == 0) {
        buf_puts(&b, "<option value=\"");
        html_text(&b, v);
        buf_puts(&b, "\">");
        char *find = arena_strdup(r->arena, b.data ? b.data : "");
        buf_reset(&b);
        buf_puts(&b, "<option value=\"");
        html_text(&b, v);
        buf_puts(&b, "\" selected>");
        if (find) regform_subst_buf(&doc, find, &b);
        buf_reset(&b);
        continue;
      }
      const char *find = arena_printf(r->arena, "id=\"r-%s\"", name);
      buf_printf(&b, "id=\"r-%s\" value=\"", name);
      html_text(&b, v);
      buf_puts(&b, "\"");
      if (find) regform_subst_buf(&doc, find, &b);
    }
    if (f->error_field != NULL) {
      const char *name = f->error_field;
      regform_subst(&doc, arena_printf(r->arena, "id=\"r-%s\"", name),
                    arena_printf(r->arena, "id=\"r-%s\" aria-invalid=\"true\" autofocus", name));
      buf_printf(&b, "<p class=\"field-error\" id=\"r-%s-error\">", name);
      html_text(&b, regform_text(dict, f->error_key));
      buf_puts(&b, "</p>");
      regform_subst_buf(&doc, arena_printf(r->arena, "<p class=\"field-error\" id=\"r-%s-error\" hidden></p>", name), &b);
    }
    if (f->summary_key != NULL) {
      buf_puts(&b, "<p class=\"error\" id=\"r-summary\" role=\"alert\" tabindex=\"-1\">");
      html_text(&b, regform_text(dict, f->summary_key));
      buf_puts(&b, "</p>");
      regform_subst_buf(&doc, "<p class=\"error\" id=\"r-summary\" role=\"alert\" tabindex=\"-1\" hidden></p>", &b);
    }
  }
  json_decref(dict);
  api_static_page_headers(r, lang);
  http_reply_bytes(r, status, "text/html; charset=utf-8", doc.data ? doc.data : "", doc.len);
  buf_free(&doc);
  buf_free(&b);
}

void h_register_page(app_t *app, http_req_t *r, api_ctx_t *ctx) {
  (void)ctx;
  regform_reply(app, r, 200, api_static_lang(r), NULL);
}

/* ---- the post ---- */

/* Parses the urlencoded body into f; BH_ERR_INVALID for a malformed, unknown or repeated field. */
static int regform_parse(arena_t *a, const char *body, size_t len, regform_t *f) {
  const char *end = body + len;
  for (const char *p = body; p < end;) {
    const char *amp = memchr(p, '&', (size_t)(end - p));
    const char *pe = amp ? amp : end;
    if (pe > p) {
      const char *eq = memchr(p, '=', (size_t)(pe - p));
      if (eq == NULL) return BH_ERR_INVALID;
      char *key = form_decode(a, p, (size_t)(eq - p));
      char *val = form_decode(a, eq + 1, (size_t)(pe - eq - 1));
      if (key == NULL || val == NULL) return BH_ERR_INVALID;
      const char **slot = NULL;
      if (strcmp(key, "csrf") == 0) slot = &f->csrf;
      if (strcmp(key, "idempotency_key") == 0) slot = &f->idempotency_key; /* read by api.c */
      for (size_t i = 0; slot == NULL && i < REGFORM_NFIELDS; i++) {
        if (strcmp(key, regform_fields[i].name) == 0) slot = &f->value[i];
      }
      if (slot == NULL || *slot != NULL) return BH_ERR_INVALID;
      *slot = val;
    }
    p = pe + 1;
  }
  return BH_OK;
}

/* Trims spaces and tabs at both ends (in place; values live in the arena). */
static const char *trim(char *s) {
  while (*s == ' ' || *s == '\t') s++;
  size_t n = strlen(s);
  while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t')) s[--n] = '\0';
  return s;
}

/*
 * The JSON body the page's script would send (web/assets/js/public/register.js): empty fields
 * left out, lists split at commas, semicolons and line breaks. NULL when a value is not UTF-8
 * (json strings must be), with *bad naming the field.
 */
static json_t *regform_body(arena_t *a, const regform_t *f, const char **bad) {
  json_t *body = json_pack("{s:{}, s:{}}", "person", "presence");
  for (size_t i = 0; body && i < REGFORM_NFIELDS; i++) {
    if (f->value[i] == NULL) continue;
    const struct regform_field *fd = &regform_fields[i];
    json_t *obj = json_object_get(body, fd->object);
    char *v = arena_strdup(a, f->value[i]);
    if (v == NULL) continue;
    if (!fd->list) {
      const char *s = trim(v);
      if (s[0] == '\0') continue;
      json_t *js = json_string(s);
      if (js == NULL) goto bad;
      json_object_set_new(obj, fd->name, js);
      continue;
    }
    json_t *arr = json_array();
    char *save = NULL;
    for (char *tok = strtok_r(v, ",;\r\n", &save); tok; tok = strtok_r(NULL, ",;\r\n", &save)) {
      const char *s = trim(tok);
      if (s[0] == '\0') continue;
      json_t *js = json_string(s);
      if (js == NULL) {
        json_decref(arr);
        goto bad;
      }
      json_array_append_new(arr, js);
    }
    if (json_array_size(arr) > 0) {
      json_object_set_new(obj, fd->name, arr);
    } else {
      json_decref(arr);
    }
    continue;
  bad:
    *bad = fd->name;
    json_decref(body);
    return NULL;
  }
  return body;
}

/* The message key of a spec error. */
static const char *regform_message_key(const char *message) {
  for (size_t i = 0; i < sizeof(regform_messages) / sizeof(regform_messages[0]); i++) {
    if (strstr(message, regform_messages[i].contains) != NULL) return regform_messages[i].key;
  }
  return "error.invalid";
}

/* The page's field for a spec path ("person.phones[1]" -> "phones"), or NULL if none. */
static const char *regform_field_of(arena_t *a, const char *path) {
  const char *dot = strchr(path, '.');
  const char *name = dot ? dot + 1 : path;
  size_t n = strcspn(name, "[.");
  for (size_t i = 0; i < REGFORM_NFIELDS; i++) {
    if (strlen(regform_fields[i].name) == n && strncmp(regform_fields[i].name, name, n) == 0) {
      return arena_strdup(a, regform_fields[i].name);
    }
  }
  return NULL;
}

/*
 * The one rule between fields the form can break: "until" before "from" (as in
 * api_presence_apply_or_reply, which would answer it in JSON; checked here first so that the
 * citizen gets the page).
 */
static int regform_dates_ok(const json_t *presence) {
  const char *from = json_string_value(json_object_get(presence, "from"));
  const char *until = json_string_value(json_object_get(presence, "until"));
  pdate_t df, du;
  if (from == NULL || until == NULL) return 1;
  if (pdate_parse(from, &df) != BH_OK || pdate_parse(until, &du) != BH_OK) return 1;
  return pdate_compare(&du, &df) >= 0;
}

void h_register_submit(app_t *app, http_req_t *r, api_ctx_t *ctx) {
  const char *lang = api_static_lang(r);
  const char *ct = http_header(r, "Content-Type");
  if (ct == NULL || strncmp(ct, "application/x-www-form-urlencoded", 33) != 0) {
    http_reply_error(r, BH_ERR_MEDIA_TYPE, NULL,
                     "the form must be sent as application/x-www-form-urlencoded "
                     "(scripts use POST /api/v1/public/registrations)");
    return;
  }
  regform_t f;
  memset(&f, 0, sizeof(f));
  if (regform_parse(r->arena, r->body.data ? r->body.data : "", r->body.len, &f) != BH_OK) {
    memset(&f, 0, sizeof(f));
    f.summary_key = "error.invalid";
    regform_reply(app, r, 422, lang, &f);
    return;
  }
  if (!regform_token_ok(app, http_cookie(r, REGFORM_COOKIE), f.csrf)) {
    f.summary_key = "error.form_expired";
    regform_reply(app, r, 403, lang, &f);
    return;
  }
  if (!ratelimit_hit(app->registrations, r->client, clock_now())) {
    f.summary_key = "error.rate_limited";
    regform_reply(app, r, 429, lang, &f);
    return;
  }
  const char *bad = NULL;
  json_t *body = regform_body(r->arena, &f, &bad);
  if (body == NULL) {
    f.error_field = bad;
    f.error_key = "error.invalid";
    f.summary_key = "register.fix";
    regform_reply(app, r, 422, lang, &f);
    return;
  }
  spec_error_t err;
  int rc = api_registration_check(body, &err);
  if (rc != BH_OK || !regform_dates_ok(json_object_get(body, "presence"))) {
    json_decref(body);
    f.error_field = rc != BH_OK ? regform_field_of(r->arena, err.field) : "until";
    f.error_key = rc != BH_OK ? regform_message_key(err.message) : "error.before_from";
    f.summary_key = "register.fix";
    regform_reply(app, r, 422, lang, &f);
    return;
  }
  char token[SECRET_TOKEN_LEN + 1];
  rc = api_registration_store(app, r, ctx, body, token);
  json_decref(body);
  if (rc == API_REPLIED) return;
  if (rc != BH_OK) {
    api_reply_store_error(r, rc, "registration");
    return;
  }
  const char *base = app->public_url ? app->public_url : "";
  f.manage_url = arena_printf(r->arena, "%s/register/%s", base, token);
  regform_reply(app, r, 200, lang, &f);
}
