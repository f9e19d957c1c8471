/*
 * cli.h - the subcommands of the baoho binary. Each takes argc/argv after its own name and
 * returns a process exit status: 0 success, 1 failure of the work, 2 bad usage.
 */
#ifndef BAOHO_CLI_H
#define BAOHO_CLI_H

#include "domain/secret.h"
#include "store/store.h"

#define CLI_EXIT_OK 0
#define CLI_EXIT_FAIL 1
#define CLI_EXIT_USAGE 2
#define CLI_DEFAULT_DB "baoho.db"

int cli_serve(int argc, char **argv);
int cli_user(int argc, char **argv);
int cli_token(int argc, char **argv);
int cli_import(int argc, char **argv);
int cli_export(int argc, char **argv);
int cli_demo(int argc, char **argv);
int cli_gen(int argc, char **argv);
int cli_match(int argc, char **argv);
int cli_dedupe(int argc, char **argv);

/*
 * Opens the database at db_path with its key file (db_path + ".key" unless key_path is given),
 * creating both when absent. Prints a message and returns non-zero on failure.
 */
int cli_open_store(const char *db_path, const char *key_path, enum store_sync sync,
                   secret_t *keys /* OUT */, store_t **store /* OUT */);
/* Loads the demo scenario into an open store and prints the demo logins. */
int demo_load(store_t *store, const secret_t *keys, int quiet);

#endif
