/* pg_schema.h - versioned migrations of the PostgreSQL backend (see pg_schema.c). */
#ifndef BAOHO_PG_SCHEMA_H
#define BAOHO_PG_SCHEMA_H

#include <stddef.h>

/* The number of migrations, which is the schema version of an up-to-date database. */
size_t pg_schema_count(void);
/* The SQL of migration version (1-based, several statements); NULL when out of range. */
const char *pg_schema_migration(size_t version);

#endif
