/*
 * store_evac_pg.h - the helpers of the PostgreSQL evacuation backend (store_pg_evac.c) that the
 * PostgreSQL crisis backend (store_pg_crisis.c) shares: running one of the backend's own
 * statements (pg_run_sql) for its effect, or for one bigint. Only files of the PostgreSQL
 * backend include it.
 */
#ifndef BAOHO_STORE_EVAC_PG_H
#define BAOHO_STORE_EVAC_PG_H

#include "store/store_pg_int.h"

/* Runs sql and drops its result: BH_OK, or the error of pg_run_sql. *changes (may be NULL)
 * gets the number of rows affected. */
int pge_run_exec(pg_conn_t *c, const char *sql, const pg_params_t *p, int64_t *changes /* OUT */);

/* Runs sql that returns one bigint in its first column: BH_OK with *v, BH_ERR_NOT_FOUND when it
 * returns no row (*v untouched), or the error of pg_run_sql. */
int pge_run_scalar(pg_conn_t *c, const char *sql, const pg_params_t *p, int64_t *v /* OUT */);

/* A JSON text column of row of r: a new reference, NULL for SQL NULL or unreadable text. */
json_t *pge_col_json_or_null(const PGresult *r, int row, int col);

#endif
