/* SPDX-License-Identifier: MIT */
/* Loudness of an album and of each of its tracks in one pass over the
 * album's frames, as a render's reports and leveling need it.
 *
 * Track i spans the frames [bounds[i], bounds[i + 1]); frames before
 * bounds[0] (track 1's pregap) and from bounds[ntracks] on count for the
 * album only. The readings leave out the momentary and short-term maxima
 * (NaN), which no report of a whole album shows.
 *
 * Why one peak meter: true peak is most of a loudness meter's cost, so one
 * peak meter (peak_meter.h) runs over the album and each track takes the
 * peaks it found while that track's frames went in. The filter lags a few
 * samples, so interpolated points right at a boundary count for the next
 * track (or the gap after it).
 */
#ifndef LATHE_ALBUM_METER_H
#define LATHE_ALBUM_METER_H

#include <stdbool.h>
#include <stdint.h>

#include "dsp/loudness.h"

enum album_meter_mode {
    ALBUM_METER_REPORT,     /* integrated, range and peaks of album and tracks */
    ALBUM_METER_LEAN,       /* integrated loudness only (range NaN, peaks -inf) */
    /* As LEAN for the album alone, or for the tracks alone; what is not
     * metered reads NaN. Leveling steers with one or the other, and a
     * meter fewer is a K-weighting fewer on every frame. */
    ALBUM_METER_LEAN_ALBUM,
    ALBUM_METER_LEAN_TRACKS,
};

struct album_meter;

/* `bounds` holds ntracks + 1 frame positions, non-decreasing; it is copied.
 * NULL on bad arguments or when memory runs out. */
struct album_meter *album_meter_new(int rate, int channels, const int64_t *bounds, int ntracks,
                                    enum album_meter_mode mode);
void album_meter_free(struct album_meter *m);
/* The next `frames` interleaved frames of the album. False when memory ran
 * out (the meter is then unusable). */
bool album_meter_add(struct album_meter *m, const double *buf, int frames);
/* Ends the measurement: `tracks` (ntracks entries) and `album`. A track the
 * frames never reached reads as silence (NaN when the tracks are not
 * metered). False when memory ran out. */
bool album_meter_finish(struct album_meter *m, struct loudness_result *tracks,
                        struct loudness_result *album);

#endif
