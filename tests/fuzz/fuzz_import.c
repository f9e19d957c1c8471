/*
 * fuzz_import.c - libFuzzer target for the CSV importer: any bytes given as a persons CSV must
 * be imported or rejected row by row without crashing, leaking or corrupting the store, and
 * every row must be accounted for (imported + duplicates + rejected == rows).
 */
#include <assert.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "registry/import.h"
#include "util/err.h"

static store_t *fuzz_store;
static secret_t fuzz_keys;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (fuzz_store == NULL) {
    unsigned char master[SECRET_KEY_BYTES] = {1, 2, 3};
    secret_init();
    secret_from_master(master, &fuzz_keys);
    if (store_open(":memory:", &fuzz_keys, STORE_SYNC_OFF, &fuzz_store) != BH_OK) return 0;
  }
  if (size == 0) return 0;
  FILE *in = fmemopen((void *)(uintptr_t)data, size, "rb");
  FILE *rejects = fopen("/dev/null", "wb");
  if (in == NULL || rejects == NULL) {
    if (in) fclose(in);
    if (rejects) fclose(rejects);
    return 0;
  }
  import_options_t opt = {.rejects = rejects};
  import_stats_t st;
  char err[256];
  int rc = import_persons(store_conn(fuzz_store), &fuzz_keys, in, &opt, &st, err, sizeof(err));
  if (rc == BH_OK) assert(st.imported + st.duplicates + st.rejected == st.rows);
  fclose(in);
  fclose(rejects);
  return 0;
}
