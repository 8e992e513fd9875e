/* SPDX-License-Identifier: MIT */
/* Measurements of a session that reuse what its cache (measure_cache.h)
 * still holds and file what they had to measure: the commands' way to
 * measure (check, check --platforms, analyze --tonal).
 *
 * What a cached figure is filed under, and why (measure_key.h):
 *   a mix's own analysis (loudness, intake checks): the mix's content;
 *   the album pass (the master chain, the output limiter, the meters):
 *     the whole album's key, every track's content and settings, the
 *     master and the [album] keys that shape sound, and the measurement
 *     (meter mode, ceiling).
 * The album pass is one unit because the master chain and the limiter
 * run continuously over the album (a track's sound depends on every track
 * before it, and through the limiter's look-ahead and a crossfade on the
 * next one) and the album's loudness gates over the whole programme: a
 * track's figures cannot be reused once anything before it changed, and
 * the album's never. So an edit of one track's settings measures the
 * album pass again and no mix; a changed mix file also has its own
 * analysis measured again, and only it.
 *
 * Not thread-safe: one per command, used from one thread. */
#ifndef LATHE_MEASURE_REUSE_H
#define LATHE_MEASURE_REUSE_H

#include <stdbool.h>
#include <stddef.h>

#include "audio/mix_analysis.h"
#include "dsp/album_meter.h"
#include "dsp/octave.h"
#include "session/model.h"
#include "session/timeline.h"

struct measure_reuse;

/* What the measurements cost: mixes decoded for their own analysis,
 * passes over the album, and the tracks those passes measured. */
struct measure_stats {
    int mixes_decoded, mixes_cached;
    int album_passes, tracks_measured, tracks_cached;
};

/* Loads the cache of session `s` (whose mixes were probed) and takes the
 * content key of every mix; a session without a path gets no cache. NULL
 * when out of memory. */
struct measure_reuse *measure_reuse_open(const struct session *s);
/* Writes what was measured into the cache file (a folder that cannot be
 * written keeps no cache; nothing is said) and frees. NULL does nothing. */
void measure_reuse_close(struct measure_reuse *r);
void measure_reuse_stats(const struct measure_reuse *r, struct measure_stats *out);
/* With LATHE_MEASURE_STATS set in the environment, one line on stderr of
 * what was measured and what came from the cache ("lathe check: measured 0
 * mixes (10 from the cache), ..."), `what` naming the mixes. */
void measure_reuse_report(const struct measure_reuse *r, const char *command, const char *what);

/* Analyses the mixes of jobs[0..n-1] (mix_analysis.h), jobs[j] being the
 * mix of track track_of[j]: from the cache when the mix is unchanged
 * (info.stamp then stays zero), else in parallel on a mix pool. */
void measure_reuse_mixes(struct measure_reuse *r, const struct session *s,
                         struct mix_analysis *jobs, const int *track_of, int n);

/* measure_album (measure.h), from the cache when nothing that shapes the
 * album changed. */
bool measure_reuse_album(struct measure_reuse *r, const struct session *s,
                         const struct timeline *tl, bool has_ceiling, double ceiling,
                         enum album_meter_mode mode, struct loudness_result *tracks,
                         struct loudness_result *album, char *err, size_t errlen);

/* tonal_of_tracks, or with `only` (from 1) tonal_of_track into
 * db[only - 1], and tonal_of_reference (tonal.h), the same way. */
bool measure_reuse_tonal_tracks(struct measure_reuse *r, const struct session *s,
                                const struct timeline *tl, int only, double (*db)[OCTAVE_BANDS],
                                char *err, size_t errlen);
bool measure_reuse_tonal_reference(struct measure_reuse *r, const struct session *s, int ref,
                                   double db[OCTAVE_BANDS], char *err, size_t errlen);

#endif
