/*
 * fuzz_spec.c - libFuzzer target for the JSON body validator (src/api/spec.c).
 *
 * The input is parsed with jansson twice: with the flags the server uses for request bodies,
 * and with NUL bytes in strings and any top-level value allowed, to reach the paths the server's
 * parser never lets through. Each parsed value is validated against a spec shaped like the
 * person-create body of api_persons.c (checked strings, closed vocabularies, string arrays, an
 * array of contact objects, and a nested presence object with numbers in ranges). When the
 * validator accepts the body, an independent walk checks every promise it makes: only known
 * keys, required keys present, null only where allowed, strings within their byte bounds with
 * no NUL or control characters, vocabularies and checkers satisfied, arrays within their item
 * bounds, numbers finite and in range. When it refuses, the error must name a field path and a
 * message that are terminated within their buffers and valid UTF-8, so that they can be sent
 * back as JSON.
 */
#include <jansson.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/spec.h"
#include "domain/model.h"
#include "util/err.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(cond)                                                       \
  do {                                                                         \
    if (!(cond)) {                                                             \
      fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
      abort();                                                                 \
    }                                                                          \
  } while (0)

static const spec_field_t contact_spec[] = {
    {.name = "name", .type = SPEC_STRING, .flags = SPEC_REQUIRED, .min_len = 1,
     .max_len = MODEL_NAME_MAX, .check = spec_check_name},
    {.name = "relation", .type = SPEC_STRING, .max_len = MODEL_SHORT_MAX},
    {.name = "phone", .type = SPEC_STRING, .max_len = MODEL_PHONE_MAX, .check = spec_check_phone},
    {.name = "email", .type = SPEC_STRING, .max_len = MODEL_EMAIL_MAX, .check = spec_check_email},
    {.name = "consent_to_disclose", .type = SPEC_BOOL},
};

static const spec_field_t presence_spec[] = {
    {.name = "country", .type = SPEC_STRING, .flags = SPEC_REQUIRED, .check = spec_check_country},
    {.name = "region", .type = SPEC_STRING, .flags = SPEC_NULLABLE, .max_len = 100},
    {.name = "address", .type = SPEC_STRING, .flags = SPEC_NULLABLE | SPEC_MULTILINE,
     .max_len = 300},
    {.name = "latitude", .type = SPEC_NUMBER, .flags = SPEC_NULLABLE, .min = -90, .max = 90},
    {.name = "longitude", .type = SPEC_NUMBER, .flags = SPEC_NULLABLE, .min = -180, .max = 180},
    {.name = "household_size", .type = SPEC_INT, .min = 1, .max = 50},
    {.name = "category", .type = SPEC_STRING, .flags = SPEC_REQUIRED, .values = model_categories},
    {.name = "from", .type = SPEC_STRING, .flags = SPEC_NULLABLE, .check = spec_check_date},
    {.name = "timezone", .type = SPEC_STRING, .max_len = 64, .check = spec_check_timezone},
};

static const spec_field_t person_spec[] = {
    {.name = "full_name", .type = SPEC_STRING, .flags = SPEC_REQUIRED, .min_len = 1,
     .max_len = MODEL_NAME_MAX, .check = spec_check_name},
    {.name = "other_names", .type = SPEC_STRING_ARRAY, .max_len = MODEL_LIST_MAX,
     .check = spec_check_name},
    {.name = "sex", .type = SPEC_STRING, .values = model_sexes},
    {.name = "date_of_birth", .type = SPEC_STRING, .flags = SPEC_NULLABLE,
     .check = spec_check_birth_date},
    {.name = "national_id", .type = SPEC_STRING, .flags = SPEC_NULLABLE,
     .max_len = MODEL_NUMBER_MAX, .check = spec_check_number},
    {.name = "passport", .type = SPEC_STRING, .flags = SPEC_NULLABLE,
     .max_len = MODEL_NUMBER_MAX, .check = spec_check_number},
    {.name = "phones", .type = SPEC_STRING_ARRAY, .max_len = MODEL_LIST_MAX,
     .check = spec_check_phone},
    {.name = "emails", .type = SPEC_STRING_ARRAY, .max_len = MODEL_LIST_MAX,
     .check = spec_check_email},
    {.name = "home_province", .type = SPEC_STRING, .flags = SPEC_NULLABLE,
     .max_len = MODEL_SHORT_MAX},
    {.name = "flags", .type = SPEC_STRING_ARRAY, .min_len = 1, .max_len = 5,
     .values = model_flags},
    {.name = "emergency_contacts", .type = SPEC_OBJECT_ARRAY, .max_len = MODEL_LIST_MAX,
     .sub = contact_spec, .nsub = SPEC_COUNT(contact_spec)},
    {.name = "note", .type = SPEC_STRING, .flags = SPEC_NULLABLE | SPEC_MULTILINE,
     .max_len = MODEL_TEXT_MAX},
    {.name = "source", .type = SPEC_STRING, .values = model_sources},
    {.name = "presence", .type = SPEC_OBJECT, .sub = presence_spec,
     .nsub = SPEC_COUNT(presence_spec)},
};

/* Checks one accepted string value against the bounds and rules it was validated with. */
static void check_string(const json_t *v, size_t min_len, size_t max_len, unsigned flags,
                         const char *const *values, spec_check_fn check) {
  FUZZ_CHECK(json_is_string(v));
  const char *s = json_string_value(v);
  size_t len = json_string_length(v);
  FUZZ_CHECK(strlen(s) == len);
  FUZZ_CHECK(len >= min_len);
  FUZZ_CHECK(max_len == 0 || len <= max_len);
  int multiline = (flags & SPEC_MULTILINE) != 0;
  for (size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c < 0x20 || c == 0x7f) FUZZ_CHECK(multiline && (c == '\n' || c == '\t' || c == '\r'));
    /* No C1 control (U+0080..U+009F, encoded C2 80..C2 9F). */
    if (c == 0xc2 && i + 1 < len) {
      unsigned char d = (unsigned char)s[i + 1];
      FUZZ_CHECK(d < 0x80 || d > 0x9f);
    }
  }
  if (values != NULL) FUZZ_CHECK(model_enum_index(values, s) >= 0);
  if (check != NULL) FUZZ_CHECK(check(s) == NULL);
}

static void check_object(const json_t *obj, const spec_field_t *spec, size_t n);

/* Checks one accepted value of field f. */
static void check_value(const spec_field_t *f, const json_t *v) {
  if (json_is_null(v)) {
    FUZZ_CHECK(f->flags & SPEC_NULLABLE);
    return;
  }
  switch (f->type) {
    case SPEC_STRING:
      check_string(v, f->min_len, f->max_len, f->flags, f->values, f->check);
      return;
    case SPEC_BOOL:
      FUZZ_CHECK(json_is_boolean(v));
      return;
    case SPEC_INT:
    case SPEC_NUMBER: {
      FUZZ_CHECK(f->type == SPEC_INT ? json_is_integer(v) : json_is_number(v));
      double d = json_number_value(v);
      FUZZ_CHECK(isfinite(d));
      if (f->min < f->max) FUZZ_CHECK(d >= f->min && d <= f->max);
      return;
    }
    case SPEC_STRING_ARRAY:
    case SPEC_OBJECT_ARRAY: {
      FUZZ_CHECK(json_is_array(v));
      size_t cnt = json_array_size(v);
      FUZZ_CHECK(cnt >= f->min_len);
      FUZZ_CHECK(f->max_len == 0 || cnt <= f->max_len);
      size_t i;
      const json_t *item;
      json_array_foreach(v, i, item) {
        if (f->type == SPEC_STRING_ARRAY) {
          check_string(item, 1, MODEL_SHORT_MAX, 0, f->values, f->check);
        } else {
          FUZZ_CHECK(json_is_object(item));
          check_object(item, f->sub, f->nsub);
        }
      }
      return;
    }
    case SPEC_OBJECT:
      FUZZ_CHECK(json_is_object(v));
      check_object(v, f->sub, f->nsub);
      return;
  }
  FUZZ_CHECK(!"unknown spec type");
}

static void check_object(const json_t *obj, const spec_field_t *spec, size_t n) {
  const char *key;
  const json_t *v;
  json_object_foreach((json_t *)obj, key, v) {
    size_t i = 0;
    while (i < n && strcmp(spec[i].name, key) != 0) i++;
    FUZZ_CHECK(i < n);
    check_value(&spec[i], v);
  }
  for (size_t i = 0; i < n; i++) {
    if (spec[i].flags & SPEC_REQUIRED) FUZZ_CHECK(json_object_get(obj, spec[i].name) != NULL);
  }
}

/* Checks that buf holds a NUL within its size and valid UTF-8 before it. */
static void check_error_text(const char *buf, size_t size) {
  FUZZ_CHECK(memchr(buf, '\0', size) != NULL);
  json_t *s = json_string(buf); /* NULL when buf is not valid UTF-8 */
  FUZZ_CHECK(s != NULL);
  json_decref(s);
}

static void validate_one(json_t *body) {
  spec_error_t err;
  memset(&err, 0x5a, sizeof(err));
  int rc = spec_validate(body, person_spec, SPEC_COUNT(person_spec), &err);
  if (rc == BH_OK) {
    FUZZ_CHECK(json_is_object(body));
    check_object(body, person_spec, SPEC_COUNT(person_spec));
    return;
  }
  FUZZ_CHECK(rc == BH_ERR_INVALID);
  check_error_text(err.field, sizeof(err.field));
  check_error_text(err.message, sizeof(err.message));
  FUZZ_CHECK(err.message[0] != '\0');
  /* Only a body that is not an object, or the unknown key "", gives an empty field name. */
  FUZZ_CHECK(err.field[0] != '\0' || !json_is_object(body) || json_object_get(body, "") != NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  json_error_t jerr;
  json_t *body = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, &jerr);
  if (body != NULL) {
    validate_one(body);
    json_decref(body);
  }
  body = json_loadb((const char *)data, size, JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);
  if (body != NULL) {
    validate_one(body);
    json_decref(body);
  }
  return 0;
}
