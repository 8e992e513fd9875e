/* SPDX-License-Identifier: MIT */
/* Platform preview: the gain each streaming service's loudness
 * normalization would apply to every track and to the album, and what the
 * listener then hears, measured on the master as the album stream plays it.
 *
 * The rules (targets as the services publish them; where they say nothing
 * about peaks, lathe assumes the conservative reading and says so):
 *   Spotify       -14 LUFS per track; turns loud masters down in full and
 *                 raises quiet ones only as far as 1 dB of true-peak
 *                 headroom allows: min(target - I, -1 dBTP - TP), never
 *                 below 0 dB when raising.
 *   Apple Music   -16 LUFS (Sound Check), both ways. Raising is limited the
 *                 same way as Spotify's, to -1 dBTP: Sound Check does not
 *                 limit, so a raise past the peak headroom would clip, and
 *                 Apple's own mastering guidance asks for -1 dBTP.
 *   YouTube       -14 LUFS, turns down only.
 *   Tidal         -14 LUFS, album normalization: one gain for every track,
 *                 from the album's integrated loudness; a raise is limited
 *                 by the album's true peak to -1 dBTP like Spotify's.
 *   Amazon Music  -14 LUFS; a raise is limited to -2 dBTP.
 * A silent programme (no integrated loudness) gets 0 dB everywhere.
 */
#ifndef LATHE_PLATFORMS_H
#define LATHE_PLATFORMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "dsp/loudness.h"
#include "session/model.h"
#include "session/timeline.h"

enum platform_id { PLATFORM_SPOTIFY, PLATFORM_APPLE, PLATFORM_YOUTUBE, PLATFORM_TIDAL,
                   PLATFORM_AMAZON, PLATFORM_COUNT };

struct platform {
    const char *name;       /* "Spotify" */
    const char *key;        /* "spotify", for JSON */
    double target;          /* LUFS */
    double peak_limit;      /* dBTP a raise may bring the true peak to */
    bool raises, lowers;
    bool album;             /* one gain for every track, from the album */
};

const struct platform *platform_of(enum platform_id id);

/* The gain (dB) platform p applies to a programme of integrated loudness
 * `integrated` (LUFS) and true peak `true_peak` (dBTP). */
double platform_gain(const struct platform *p, double integrated, double true_peak);

/* What one platform does to one programme. */
struct platform_result {
    double gain;            /* dB */
    double loudness;        /* LUFS as played */
    double peak;            /* dBTP as played */
};

struct platform_preview {
    int ntracks;
    struct loudness_result *tracks;     /* as measured, per track */
    struct loudness_result album;
    double ceiling;                     /* the output ceiling measured with, or NAN */
    /* rows[i][p]: track i (0..ntracks-1), then the album at i = ntracks */
    struct platform_result (*rows)[PLATFORM_COUNT];
};

/* Fills preview->rows from its tracks and album (allocating rows).
 * False when out of memory. */
bool platforms_apply(struct platform_preview *pv);

/* Measures the session's album as the album stream plays it (master chain,
 * and a true-peak limiter at the lowest output ceiling, as `check` does)
 * and applies every platform. The mixes must have been probed. */
/* The first half of platforms_measure, for a caller that measures the
 * album its own way (from the measurement cache): the ceiling the outputs
 * set, and room for the tracks' results. Then measure into out->tracks and
 * out->album (REPORT mode, at out->ceiling) and call platforms_apply. */
bool platforms_prepare(const struct session *s, struct platform_preview *out, char *err,
                       size_t errlen);
bool platforms_measure(const struct session *s, const struct timeline *tl,
                       struct platform_preview *out, char *err, size_t errlen);

/* Frees what platforms_measure or platforms_apply allocated. */
void platforms_free(struct platform_preview *pv);

/* The preview as text: a table of gains, then one of loudness and true
 * peak as played. Titles come from the session. */
void platforms_write(FILE *f, const struct session *s, const struct platform_preview *pv);

/* The preview as one JSON object: {"ceiling", "platforms": [{"name",
 * "target", "album": {"gain","loudness","peak"}, "tracks": [...]}]}. */
void platforms_write_json(FILE *f, const struct platform_preview *pv);

#endif
