/*
 * api_crises_acc.h - the counts of accountability figures kept by api_crises.c (see there): a
 * background thread recounts big crises while readers are given the latest count.
 */
#ifndef BAOHO_API_CRISES_ACC_H
#define BAOHO_API_CRISES_ACC_H

/*
 * Stops the background thread (waiting for a count under way) and forgets every count. Call
 * before the store is closed (api_fini does); counting starts again on the next read.
 */
void api_accountability_stop(void);

#endif
