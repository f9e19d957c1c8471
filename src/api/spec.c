/* spec.c - the JSON body validator and shared field checkers; see spec.h. */
#include "api/spec.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "domain/country.h"
#include "domain/model.h"
#include "domain/name.h"
#include "domain/pdate.h"
#include "util/err.h"

/* Fills err: the field path prefix.name, and msg with its one "%s" (if any) replaced by arg. */
static int spec_fail(spec_error_t *err, const char *prefix, const char *name, const char *msg,
                     const char *arg) {
  if (prefix[0]) {
    snprintf(err->field, sizeof(err->field), "%s.%s", prefix, name);
  } else {
    snprintf(err->field, sizeof(err->field), "%s", name);
  }
  const char *hole = strstr(msg, "%s");
  if (hole == NULL) {
    snprintf(err->message, sizeof(err->message), "%s", msg);
  } else {
    snprintf(err->message, sizeof(err->message), "%.*s%s%s", (int)(hole - msg), msg,
             arg ? arg : "", hole + 2);
  }
  return BH_ERR_INVALID;
}

/* Rejects C0/C1 control characters (newline and tab too unless multiline) in UTF-8 text. */
static int spec_text_clean(const char *s, int multiline) {
  const unsigned char *p = (const unsigned char *)s;
  for (; *p; p++) {
    if (*p < 0x20 || *p == 0x7f) {
      if (multiline && (*p == '\n' || *p == '\t' || *p == '\r')) continue;
      return 0;
    }
    if (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) return 0;
  }
  return 1;
}

static int spec_string(const spec_field_t *f, const json_t *v, const char *prefix,
                       const char *name, spec_error_t *err) {
  if (!json_is_string(v)) return spec_fail(err, prefix, name, "must be a string%s", NULL);
  const char *s = json_string_value(v);
  size_t len = json_string_length(v);
  if (strlen(s) != len) return spec_fail(err, prefix, name, "must not contain NUL characters%s", NULL);
  if (len < f->min_len) {
    return spec_fail(err, prefix, name, f->min_len == 1 ? "must not be empty%s" : "is too short%s",
                     NULL);
  }
  if (f->max_len && len > f->max_len) {
    char lim[64];
    snprintf(lim, sizeof(lim), "%zu", f->max_len);
    return spec_fail(err, prefix, name, "must be at most %s bytes", lim);
  }
  if (!spec_text_clean(s, (f->flags & SPEC_MULTILINE) != 0)) {
    return spec_fail(err, prefix, name, "must not contain control characters%s", NULL);
  }
  if (f->values && model_enum_index(f->values, s) < 0) {
    char list[200] = "";
    size_t o = 0;
    for (size_t i = 0; f->values[i] && o < sizeof(list) - 1; i++) {
      int w = snprintf(list + o, sizeof(list) - o, "%s%s", i ? ", " : "", f->values[i]);
      if (w < 0) break;
      o += (size_t)w;
    }
    return spec_fail(err, prefix, name, "must be one of: %s", list);
  }
  if (f->check) {
    const char *why = f->check(s);
    if (why) return spec_fail(err, prefix, name, "%s", why);
  }
  return BH_OK;
}

static int spec_object(const json_t *obj, const spec_field_t *spec, size_t n, const char *prefix,
                       spec_error_t *err);

static int spec_value(const spec_field_t *f, const json_t *v, const char *prefix,
                      spec_error_t *err) {
  const char *name = f->name;
  char path[SPEC_FIELD_PATH_MAX];
  if (json_is_null(v)) {
    if (f->flags & SPEC_NULLABLE) return BH_OK;
    return spec_fail(err, prefix, name, "must not be null%s", NULL);
  }
  switch (f->type) {
    case SPEC_STRING:
      return spec_string(f, v, prefix, name, err);
    case SPEC_BOOL:
      return json_is_boolean(v) ? BH_OK
                                : spec_fail(err, prefix, name, "must be true or false%s", NULL);
    case SPEC_INT:
    case SPEC_NUMBER: {
      if (f->type == SPEC_INT ? !json_is_integer(v) : !json_is_number(v)) {
        return spec_fail(err, prefix, name,
                         f->type == SPEC_INT ? "must be an integer%s" : "must be a number%s", NULL);
      }
      double d = json_number_value(v);
      if (!isfinite(d) || (f->min < f->max && (d < f->min || d > f->max))) {
        char range[96];
        snprintf(range, sizeof(range), "%g and %g", f->min, f->max);
        return spec_fail(err, prefix, name, "must be between %s", range);
      }
      return BH_OK;
    }
    case SPEC_STRING_ARRAY:
    case SPEC_OBJECT_ARRAY: {
      if (!json_is_array(v)) return spec_fail(err, prefix, name, "must be an array%s", NULL);
      size_t cnt = json_array_size(v);
      if (cnt < f->min_len || (f->max_len && cnt > f->max_len)) {
        char lim[64];
        snprintf(lim, sizeof(lim), "%zu to %zu", f->min_len, f->max_len);
        return spec_fail(err, prefix, name, "must have %s items", lim);
      }
      size_t i;
      const json_t *item;
      json_array_foreach(v, i, item) {
        char iname[SPEC_FIELD_PATH_MAX];
        snprintf(iname, sizeof(iname), "%s[%zu]", name, i);
        if (f->type == SPEC_STRING_ARRAY) {
          spec_field_t one = {.name = f->name, .type = SPEC_STRING, .min_len = 1,
                              .max_len = MODEL_SHORT_MAX, .values = f->values, .check = f->check};
          int rc = spec_string(&one, item, prefix, iname, err);
          if (rc != BH_OK) return rc;
        } else {
          if (!json_is_object(item)) return spec_fail(err, prefix, iname, "must be an object%s", NULL);
          if (prefix[0]) {
            snprintf(path, sizeof(path), "%s.%s", prefix, iname);
          } else {
            snprintf(path, sizeof(path), "%s", iname);
          }
          int rc = spec_object(item, f->sub, f->nsub, path, err);
          if (rc != BH_OK) return rc;
        }
      }
      return BH_OK;
    }
    case SPEC_OBJECT:
      if (!json_is_object(v)) return spec_fail(err, prefix, name, "must be an object%s", NULL);
      if (prefix[0]) {
        snprintf(path, sizeof(path), "%s.%s", prefix, name);
      } else {
        snprintf(path, sizeof(path), "%s", name);
      }
      return spec_object(v, f->sub, f->nsub, path, err);
  }
  return spec_fail(err, prefix, name, "has an unsupported type%s", NULL);
}

static int spec_object(const json_t *obj, const spec_field_t *spec, size_t n, const char *prefix,
                       spec_error_t *err) {
  const char *key;
  const json_t *v;
  json_object_foreach((json_t *)obj, key, v) {
    size_t i = 0;
    while (i < n && strcmp(spec[i].name, key) != 0) i++;
    if (i == n) {
      char shown[64];
      snprintf(shown, sizeof(shown), "%.60s", key);
      /* Never cut a UTF-8 character in half: the field name goes back to the client as JSON. */
      for (size_t k = strlen(shown); k > 0 && ((unsigned char)key[k] & 0xc0) == 0x80;)
        shown[--k] = '\0';
      return spec_fail(err, prefix, shown, "is not a known field%s", NULL);
    }
  }
  for (size_t i = 0; i < n; i++) {
    v = json_object_get(obj, spec[i].name);
    if (v == NULL) {
      if (spec[i].flags & SPEC_REQUIRED) return spec_fail(err, prefix, spec[i].name, "is required%s", NULL);
      continue;
    }
    int rc = spec_value(&spec[i], v, prefix, err);
    if (rc != BH_OK) return rc;
  }
  return BH_OK;
}

int spec_validate(const json_t *obj, const spec_field_t *spec, size_t n, spec_error_t *err) {
  memset(err, 0, sizeof(*err));
  if (!json_is_object(obj)) {
    snprintf(err->message, sizeof(err->message), "the body must be a JSON object");
    return BH_ERR_INVALID;
  }
  return spec_object(obj, spec, n, "", err);
}

const char *spec_check_country(const char *s) {
  return country_valid(s) ? NULL : "must be an ISO 3166-1 alpha-2 country code such as VN or IL";
}

const char *spec_check_date(const char *s) {
  pdate_t d;
  return pdate_parse(s, &d) == BH_OK ? NULL
                                     : "must be a date written YYYY, YYYY-MM or YYYY-MM-DD";
}

const char *spec_check_birth_date(const char *s) {
  pdate_t d;
  if (pdate_parse(s, &d) != BH_OK) return "must be a date written YYYY, YYYY-MM or YYYY-MM-DD";
  if (pdate_is_future(&d, time(NULL))) return "must not be in the future";
  if (d.year < 1900) return "must be after 1900";
  return NULL;
}

const char *spec_check_email(const char *s) {
  const char *at = strchr(s, '@');
  if (at == NULL || at == s || strchr(at + 1, '@') || strchr(at + 1, '.') == NULL ||
      at[1] == '.' || s[strlen(s) - 1] == '.' || strchr(s, ' ')) {
    return "must be an e-mail address such as name@example.org";
  }
  return NULL;
}

const char *spec_check_phone(const char *s) {
  size_t digits = 0;
  for (const char *p = s; *p; p++) {
    if (*p >= '0' && *p <= '9') {
      digits++;
    } else if (!(*p == '+' && p == s) && *p != ' ' && *p != '-' && *p != '(' && *p != ')' &&
               *p != '.') {
      return "must be a phone number of digits, optionally starting with + and a country code";
    }
  }
  return digits >= 4 && digits <= 17 ? NULL : "must be a phone number of 4 to 17 digits";
}

const char *spec_check_timestamp(const char *s) {
  int64_t t;
  if (pdate_parse_timestamp(s, &t) == BH_OK) return NULL;
  return "must be an RFC 3339 time such as 2023-10-08T09:30:00Z";
}

const char *spec_check_timezone(const char *s) {
  if (strcmp(s, "UTC") == 0) return NULL;
  const char *slash = strchr(s, '/');
  if (slash == NULL || slash == s || slash[1] == '\0') {
    return "must be an IANA time zone such as Asia/Ho_Chi_Minh";
  }
  for (const char *p = s; *p; p++) {
    if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
          *p == '/' || *p == '_' || *p == '-' || *p == '+')) {
      return "must be an IANA time zone such as Asia/Ho_Chi_Minh";
    }
  }
  return NULL;
}

const char *spec_check_number(const char *s) {
  size_t alnum = 0;
  for (const char *p = s; *p; p++) {
    if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9')) {
      alnum++;
    } else if (*p != ' ' && *p != '-') {
      return "must contain only letters, digits, spaces and hyphens";
    }
  }
  return alnum >= 5 && alnum <= MODEL_NUMBER_MAX ? NULL : "must have 5 to 32 letters or digits";
}

const char *spec_check_name(const char *s) {
  char out[NAME_MAX_BYTES * 2];
  size_t len;
  if (name_nfc(s, strlen(s), out, sizeof(out), &len) != BH_OK || len == 0) {
    return "must be a name of printable characters";
  }
  char folded[NAME_MAX_BYTES * 2];
  if (name_fold(out, len, folded, sizeof(folded), &len) != BH_OK || len == 0) {
    return "must contain at least one letter";
  }
  return NULL;
}
