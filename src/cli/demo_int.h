/*
 * demo_int.h - what the two halves of the demo loader share: demo.c stores the missions, users,
 * synthetic persons, crises and advisories and fills a demo_ids_t; demo_scenes.c then tells the
 * two scenarios on top of them (the Israel alert and its answers, assistance cases, staging
 * sites, transports and their arrivals) through the public store functions.
 */
#ifndef BAOHO_CLI_DEMO_INT_H
#define BAOHO_CLI_DEMO_INT_H

#include <stdint.h>

#include "domain/secret.h"
#include "store/store.h"

#define DEMO_ISRAEL 320
#define DEMO_MYANMAR 166
#define DEMO_KUNMING 24
#define DEMO_STUDENTS 13 /* the first DEMO_STUDENTS persons of Israel: the repatriated students */

/* Indexes into demo_ids_t.missions and demo_ids_t.users (the order of demo.c's tables). */
enum demo_mission_ix { DEMO_M_HQ = 0, DEMO_M_ISRAEL, DEMO_M_MYANMAR, DEMO_M_KUNMING, DEMO_M_COUNT };
enum demo_user_ix {
  DEMO_U_ADMIN = 0,
  DEMO_U_HQ,
  DEMO_U_ISRAEL,
  DEMO_U_MYANMAR,
  DEMO_U_KUNMING,
  DEMO_U_VIEWER,
  DEMO_U_COUNT
};

/* The ids of everything demo.c stored. */
typedef struct demo_ids {
  int64_t missions[DEMO_M_COUNT];
  int64_t users[DEMO_U_COUNT];
  int64_t crisis_il, crisis_mm;
  int64_t il[DEMO_ISRAEL];   /* persons present in Israel, in creation order */
  int64_t mm[DEMO_MYANMAR];  /* persons identified in Kayin State */
  int64_t cn[DEMO_KUNMING];  /* persons in Yunnan */
} demo_ids_t;

/*
 * Stores the events of both scenarios inside the caller's write transaction, with times in
 * October and November 2023 wherever the store takes a time. keys derive the check-in tokens
 * of the alert's recipients. BH_OK or the first store error.
 */
int demo_scenes(store_conn_t *c, const secret_t *keys, const demo_ids_t *d);

#endif
