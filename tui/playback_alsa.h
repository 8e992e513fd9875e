/* SPDX-License-Identifier: MIT */
/* The console's playback (tui/playback.h) over the ALSA engine
 * (audio/engine.h), and the meter arithmetic it shows: dB, peak hold and
 * clip markers. */
#ifndef LATHE_PLAYBACK_ALSA_H
#define LATHE_PLAYBACK_ALSA_H

#include <stdbool.h>
#include <stddef.h>

#include "tui/playback.h"

/* How long a peak hold and a clip marker stay up, in seconds. */
#define PLAYBACK_HOLD_SECONDS 2.0

/* Playback on ALSA PCM `device` (any ALSA name). NULL with a note saying
 * why when the device cannot be opened: the console then does everything
 * but play. The device is opened only while playing. */
struct playback *playback_alsa_new(const char *device, char *note, size_t notelen);

/* A linear level (|sample|, full scale 1.0) in dB; -HUGE_VAL for 0. */
double playback_db(double linear);

/* One channel's peak hold and clip marker. */
struct playback_hold {
    double level;       /* dB held; -HUGE_VAL: nothing */
    double since;       /* when it was set, seconds on any clock */
    bool clip;
    double clip_since;
};

/* Forgets the hold and the marker. */
void playback_hold_reset(struct playback_hold *h);
/* Takes a new peak and true peak (dB) at time `now`: the hold rises at
 * once, and falls to the new peak once it is PLAYBACK_HOLD_SECONDS old; a
 * peak at full scale or a true peak above it sets the clip marker for as
 * long. */
void playback_hold_update(struct playback_hold *h, double peak_db, double true_peak_db, double now);

#endif
