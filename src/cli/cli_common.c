/* cli_common.c - what several subcommands share: opening the database with its keys. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "util/err.h"

#define CLI_DEFAULT_KEY "baoho.key"

int cli_open_store(const char *db_path, const char *key_path, enum store_sync sync,
                   secret_t *keys, store_t **store) {
  char kp[4096];
  if (secret_init() != BH_OK) {
    fprintf(stderr, "baoho: libsodium could not be initialised\n");
    return CLI_EXIT_FAIL;
  }
  /* BAOHO_DB stands for a --db that was not given. */
  const char *env = getenv("BAOHO_DB");
  if (env != NULL && env[0] != '\0' && strcmp(db_path, CLI_DEFAULT_DB) == 0) db_path = env;
  int pg = strncmp(db_path, "postgresql://", 13) == 0 || strncmp(db_path, "postgres://", 11) == 0;
  if (key_path == NULL && pg) {
    key_path = CLI_DEFAULT_KEY; /* a URL is no place for a key file */
  } else if (key_path == NULL) {
    if (snprintf(kp, sizeof(kp), "%s.key", db_path) >= (int)sizeof(kp)) {
      fprintf(stderr, "baoho: database path too long\n");
      return CLI_EXIT_USAGE;
    }
    key_path = kp;
  }
  if (secret_load(key_path, keys) != BH_OK) return CLI_EXIT_FAIL;
  if (store_open(db_path, keys, sync, store) != BH_OK) {
    /* Never print a URL: it may carry a password. */
    fprintf(stderr, "baoho: cannot open database %s\n", pg ? "(PostgreSQL)" : db_path);
    return CLI_EXIT_FAIL;
  }
  return CLI_EXIT_OK;
}
