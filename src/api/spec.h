/*
 * spec.h - declarative validation of JSON request bodies.
 *
 * Each endpoint declares its input as an array of spec_field_t; spec_validate checks a parsed
 * body against it in one call: types, required keys, lengths, ranges, closed vocabularies,
 * per-field checkers, nested objects and arrays, and it refuses unknown keys. A handler only
 * reads a body after spec_validate returned BH_OK, so it never sees unchecked input.
 */
#ifndef BAOHO_SPEC_H
#define BAOHO_SPEC_H

#include <jansson.h>
#include <stddef.h>

enum spec_type {
  SPEC_STRING,
  SPEC_INT,
  SPEC_NUMBER,
  SPEC_BOOL,
  SPEC_STRING_ARRAY,
  SPEC_OBJECT,
  SPEC_OBJECT_ARRAY
};

#define SPEC_REQUIRED 1u  /* key must be present */
#define SPEC_NULLABLE 2u  /* JSON null accepted (means "clear") */
#define SPEC_MULTILINE 4u /* string may contain newlines and tabs */

/* A checker returns NULL when s is acceptable, else a message naming what is expected. */
typedef const char *(*spec_check_fn)(const char *s);

typedef struct spec_field {
  const char *name;
  enum spec_type type;
  unsigned flags;
  size_t min_len; /* strings: bytes; arrays: items */
  size_t max_len;
  double min; /* numbers, when min < max */
  double max;
  const char *const *values; /* closed vocabulary (strings and string arrays), or NULL */
  spec_check_fn check;       /* extra check of each string value, or NULL */
  const struct spec_field *sub; /* objects and object arrays */
  size_t nsub;
} spec_field_t;

#define SPEC_FIELD_PATH_MAX 96

typedef struct spec_error {
  char field[SPEC_FIELD_PATH_MAX]; /* e.g. "emergency_contacts[1].phone" */
  char message[256];
} spec_error_t;

/* Validates obj against the n fields of spec. BH_OK, or BH_ERR_INVALID with err filled. */
int spec_validate(const json_t *obj, const spec_field_t *spec, size_t n, spec_error_t *err /* OUT */);

/* Checkers shared by endpoints. */
const char *spec_check_country(const char *s);
const char *spec_check_date(const char *s);
const char *spec_check_birth_date(const char *s);
const char *spec_check_email(const char *s);
const char *spec_check_phone(const char *s);
const char *spec_check_timezone(const char *s);
const char *spec_check_timestamp(const char *s);
const char *spec_check_number(const char *s);
const char *spec_check_name(const char *s);

#define SPEC_COUNT(a) (sizeof(a) / sizeof((a)[0]))

#endif
