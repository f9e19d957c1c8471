/* cli_common.c - what several subcommands share: opening the database with its keys. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "util/err.h"

int cli_open_store(const char *db_path, const char *key_path, enum store_sync sync,
                   secret_t *keys, store_t **store) {
  char kp[4096];
  if (secret_init() != BH_OK) {
    fprintf(stderr, "baoho: libsodium could not be initialised\n");
    return CLI_EXIT_FAIL;
  }
  if (key_path == NULL) {
    if (snprintf(kp, sizeof(kp), "%s.key", db_path) >= (int)sizeof(kp)) {
      fprintf(stderr, "baoho: database path too long\n");
      return CLI_EXIT_USAGE;
    }
    key_path = kp;
  }
  if (secret_load(key_path, keys) != BH_OK) return CLI_EXIT_FAIL;
  if (store_open(db_path, keys, sync, store) != BH_OK) {
    fprintf(stderr, "baoho: cannot open database %s\n", db_path);
    return CLI_EXIT_FAIL;
  }
  return CLI_EXIT_OK;
}
