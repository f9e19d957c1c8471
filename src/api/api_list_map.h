/*
 * api_list_map.h - the column map of a list upload (?map=), with one word more than the map of
 * `baoho match`: a column mapped to "ignore" is left out, even when its header names a role.
 */
#ifndef BAOHO_API_LIST_MAP_H
#define BAOHO_API_LIST_MAP_H

#include <stddef.h>

#include "formats/csv.h"
#include "util/arena.h"

/* The target that leaves a column out ("Ville=ignore"). */
#define API_LIST_MAP_IGNORE "ignore"

/*
 * As csv_map_columns (same arguments, same rules and messages), except that entries whose target
 * is API_LIST_MAP_IGNORE name header columns to leave out: such a column supplies no target,
 * neither by the map nor by its own name. An ignored column must be in the header, else
 * BH_ERR_INVALID with the reason in msg. Memory for the filtered map and header comes from a.
 * Returns BH_OK, BH_ERR_INVALID, or BH_ERR_NOMEM.
 */
int api_list_map_columns(arena_t *a, const csv_row_t *header, const char *const *targets,
                         size_t ntargets, const char *mapping, int *index /* OUT */, char *msg,
                         size_t msg_size);

#endif
