/*
 * country.h - ISO 3166-1 alpha-2 country codes, with English and Vietnamese names.
 *
 * The table holds every officially assigned alpha-2 code (249), sorted by code, and is declared
 * once in country.c. Codes are accepted only as exactly two uppercase ASCII letters; no other
 * spelling (lowercase, alpha-3, numeric, reserved or withdrawn codes) is valid. All functions are
 * pure lookups into constant data and are safe to call from any thread.
 */
#ifndef BAOHO_COUNTRY_H
#define BAOHO_COUNTRY_H

#include <stddef.h>

/* The number of assigned codes in the table. */
#define COUNTRY_COUNT 249

/* Returns 1 if code is an assigned alpha-2 code written as exactly two uppercase ASCII letters
 * followed by the NUL, else 0. code may be NULL (returns 0). */
int country_valid(const char *code);

/* Returns the name of the country code in lang ("en" for the ISO English short name, "vi" for
 * the Vietnamese name, UTF-8 in NFC), or NULL if code is not valid (see country_valid), lang is
 * NULL or any other value. The string is static and must not be freed. */
const char *country_name(const char *code, const char *lang);

/* Returns the number of codes in the table (COUNTRY_COUNT). */
size_t country_count(void);

/* Returns the i-th code in ascending order, or NULL if i >= country_count(). The string is
 * static and must not be freed. */
const char *country_code_at(size_t i);

/* Returns 1 if region has the shape of an ISO 3166-2 subdivision code of country: the country's
 * two letters, a hyphen, then one to three uppercase ASCII letters or digits (e.g. "VN-HN",
 * "US-CA", "JP-13"), and country itself is valid; else 0. Only the shape is checked, not that the
 * subdivision exists. Either argument may be NULL (returns 0). */
int country_region_valid(const char *country, const char *region);

#endif
