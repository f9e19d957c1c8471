/*
 * store_health.c - store_health.h for both backends (one question each, so one file): SQLite
 * knows whether it opened the file read-only; PostgreSQL is asked whether it is in recovery (a
 * standby) or the session is read-only.
 */
#include "store/store_health.h"

#include "store/store_impl.h"
#include "store/store_pg_int.h"
#include "store/store_sqlite_int.h"
#include "util/err.h"

static const char SQL_PG_READ_ONLY[] =
    "SELECT (pg_is_in_recovery() OR current_setting('transaction_read_only') = 'on')::int";

int store_health_read_only(store_conn_t *c, int *read_only) {
  *read_only = 0;
  if (c->pg == NULL) {
    int ro = sqlite3_db_readonly(sq_conn_db(c->sq), "main");
    if (ro < 0) return BH_ERR_DB;
    *read_only = ro;
    return BH_OK;
  }
  PGresult *res;
  int rc = pg_run_sql(c->pg, SQL_PG_READ_ONLY, NULL, &res);
  if (rc != BH_OK) return rc;
  *read_only = PQntuples(res) == 1 && pg_col_i64(res, 0, 0) == 1;
  PQclear(res);
  return BH_OK;
}
