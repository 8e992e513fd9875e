/* SPDX-License-Identifier: MIT */
/* The console's background analysis: the loudness and true peak of every
 * track's mix, measured on workers while the console runs. A descriptor
 * becomes readable whenever a result arrives, for the console's poll(). */
#ifndef LATHE_ANALYSIS_H
#define LATHE_ANALYSIS_H

#include <stdbool.h>

#include "dsp/loudness.h"
#include "session/model.h"

struct analysis;

/* Starts measuring the mixes of every probed track of `s`; NULL when out of
 * memory or when there is nothing to measure. */
struct analysis *analysis_start(const struct session *s);
/* Waits for the workers and frees; analysis_free(NULL) does nothing. */
void analysis_free(struct analysis *a);
/* Readable when results arrived; analysis_drain empties it. */
int analysis_fd(const struct analysis *a);
void analysis_drain(struct analysis *a);
/* How many mixes are measured, of how many. */
void analysis_progress(struct analysis *a, int *done, int *total);
/* The result for a track's file (as the session names it): 1 measured,
 * 0 not yet, -1 failed. */
int analysis_get(struct analysis *a, const char *file, struct loudness_result *out);

#endif
