/* err.c - lookups over the error table declared in err.h. */
#include "util/err.h"

const char *bh_err_code(int err) {
  switch (err) {
#define BH_ERR_CASE(name, value, code, status) \
  case value:                                  \
    return code;
    BH_ERR_TABLE(BH_ERR_CASE)
#undef BH_ERR_CASE
  }
  return "internal_error";
}

int bh_err_status(int err) {
  switch (err) {
#define BH_ERR_CASE(name, value, code, status) \
  case value:                                  \
    return status;
    BH_ERR_TABLE(BH_ERR_CASE)
#undef BH_ERR_CASE
  }
  return 500;
}

const char *bh_err_str(int err) {
  switch (err) {
#define BH_ERR_CASE(name, value, code, status) \
  case value:                                  \
    return #name;
    BH_ERR_TABLE(BH_ERR_CASE)
#undef BH_ERR_CASE
  }
  return "BH_ERR_UNKNOWN";
}
