/* sqlite_schema.h - versioned migrations of the SQLite backend (see sqlite_schema.c). */
#ifndef BAOHO_SQLITE_SCHEMA_H
#define BAOHO_SQLITE_SCHEMA_H

#include <stddef.h>

/* The number of migrations, which is the schema version of an up-to-date database. */
size_t sqlite_schema_count(void);
/* The SQL of migration version (1-based); NULL when out of range. */
const char *sqlite_schema_migration(size_t version);

#endif
