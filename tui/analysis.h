/* SPDX-License-Identifier: MIT */
/* The console's background analysis: the loudness and true peak of every
 * track, measured on workers while the console runs, twice over: the mix
 * as it is, and the track as the album plays it (trims, fades, gain, its
 * chain, then the master gain and the master chain, at the session rate;
 * the track alone, so the master chain starts fresh at its start and no
 * crossfade is heard). Bypass switches are ignored: "processed" always
 * means with the chains on, which is what a loudness-matched bypass needs.
 *
 * Results are cached in `.NAME.cache` beside the session NAME, keyed by
 * the mix's content (size, modification time and a hash of its first and
 * last MiB: a full hash would read a whole album at every start, which is
 * what the cache is there to avoid, while an edited or replaced mix
 * changes its size, time or ends) and, for processed results, by the text
 * of every setting that shapes the track (proc_format of each processor).
 * Reopening an album then measures nothing; changing a mix or a chain
 * measures only the tracks it touches.
 *
 * A descriptor becomes readable whenever a result arrives, for the
 * console's poll(). Everything here is called from the UI thread. */
#ifndef LATHE_ANALYSIS_H
#define LATHE_ANALYSIS_H

#include <stdbool.h>

#include "dsp/loudness.h"
#include "session/model.h"

/* Seconds a changed track waits before it is measured again, so that a
 * run of key presses measures once. */
#define ANALYSIS_DEBOUNCE 0.5

struct analysis;

/* Starts measuring every probed track and reference of `s` (whose path names the cache;
 * none when it has no path); NULL when out of memory or when there is
 * nothing to measure. */
struct analysis *analysis_start(const struct session *s);
/* Measures the tracks of a DDP (index 01 to the next, as pressed; both
 * results are the same and nothing is cached), named "track NN" as
 * console.c's view of it names them. `d` must outlive the analysis. */
struct ddp;
struct analysis *analysis_start_ddp(const struct ddp *d);
/* Waits for the workers and frees; analysis_free(NULL) does nothing. */
void analysis_free(struct analysis *a);
/* The session changed (an edit, an undo, a move): tracks whose mix or
 * settings changed are measured again after ANALYSIS_DEBOUNCE seconds. */
void analysis_update(struct analysis *a, const struct session *s);
/* Readable when results arrived; analysis_drain empties it. */
int analysis_fd(const struct analysis *a);
void analysis_drain(struct analysis *a);
/* How many tracks of the latest session are measured (both ways, or
 * failed), of how many. */
void analysis_progress(struct analysis *a, int *done, int *total);
/* The mix's result for a track's or reference's file (as the session names it): 1
 * measured, 0 not yet, -1 failed. */
int analysis_get(struct analysis *a, const char *file, struct loudness_result *out);
/* The processed result of track `track` (from 0) of the latest session
 * given: 1 measured, 0 not yet, -1 failed or no such track. */
int analysis_get_processed(struct analysis *a, int track, struct loudness_result *out);
/* Files decoded and results taken from the cache so far (for tests and
 * the curious: a reopened album decodes nothing). */
void analysis_counts(struct analysis *a, int *decoded, int *cached);

#endif
