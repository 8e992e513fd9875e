/* SPDX-License-Identifier: MIT */
/* Measures what a render would deliver: the album through its master
 * chain and, when a ceiling is given, a true-peak limiter at the session
 * rate; loudness per track (index 01 to the next) and for the album. */
#ifndef LATHE_MEASURE_H
#define LATHE_MEASURE_H

#include <stdbool.h>
#include <stddef.h>

#include "audio/album_stream.h"
#include "dsp/album_meter.h"
#include "session/model.h"
#include "session/timeline.h"

/* `tracks` has room for s->ntracks results. The lean modes measure the
 * integrated loudness only (ALBUM_METER_LEAN_ALBUM and _TRACKS only the
 * album's or only the tracks'), for the passes that steer leveling. */
bool measure_album(const struct session *s, const struct timeline *tl, bool has_ceiling,
                   double ceiling, enum album_meter_mode mode, struct loudness_result *tracks,
                   struct loudness_result *album, char *err, size_t errlen);

/* Where a measurement takes the album from instead of the mix files: the
 * tracks' session-rate audio (`source`), or the album before the master
 * (`premaster`, which then skips the tracks altogether). Either may be
 * NULL; the results are the same bits as reading the files. */
struct measure_feed {
    const struct album_source *source;
    const struct album_premaster *premaster;
};

/* measure_album with the album from `feed` (NULL: the files). */
bool measure_album_feed(const struct session *s, const struct timeline *tl,
                        const struct measure_feed *feed, bool has_ceiling, double ceiling,
                        enum album_meter_mode mode, struct loudness_result *tracks,
                        struct loudness_result *album, char *err, size_t errlen);

#endif
