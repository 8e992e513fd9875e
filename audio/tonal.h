/* SPDX-License-Identifier: MIT */
/* Tonal balance: the average 1/3-octave spectrum (dsp/octave.h) of a track
 * as the album plays it (its chain, the master chain, from its index 01 to
 * the next track's) and of a reference file, shown side by side as a text
 * chart with the difference per band; and `match`, the gentle corrective
 * EQ towards the reference (dsp/tonal_match.h) that the editor's `match`
 * command writes into the track's chain. */
#ifndef LATHE_TONAL_H
#define LATHE_TONAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "dsp/octave.h"
#include "session/model.h"
#include "session/timeline.h"

/* The spectrum of a sound file, all its channels averaged. */
bool tonal_of_file(const char *path, double db[OCTAVE_BANDS], char *err, size_t errlen);

/* The spectrum of track `track` (0-based) as the album stream plays it.
 * The session's mixes must have been probed. */
bool tonal_of_track(const struct session *s, const struct timeline *tl, int track,
                    double db[OCTAVE_BANDS], char *err, size_t errlen);

/* Every track's spectrum in one pass; db has room for s->ntracks. */
bool tonal_of_tracks(const struct session *s, const struct timeline *tl,
                     double (*db)[OCTAVE_BANDS], char *err, size_t errlen);

/* The spectrum of the session's reference `ref` (0-based; its file is
 * relative to the session). */
bool tonal_of_reference(const struct session *s, int ref, double db[OCTAVE_BANDS],
                        char *err, size_t errlen);

/* The reference named `name` (its name, its file, or its number from 1),
 * or the first one when `name` is NULL; -1 with a message when none. */
int tonal_find_reference(const struct session *s, const char *name, char *err, size_t errlen);

/* The chart: one line per band from 20 Hz to 20 kHz with both spectra
 * relative to their own total power (dB), a bar for each, and the
 * difference (reference minus track). */
void tonal_chart(FILE *f, const char *name_a, const double a[OCTAVE_BANDS],
                 const char *name_b, const double b[OCTAVE_BANDS]);

/* The correction for track `track` towards reference `ref`: measures both
 * and fits at most 6 EQ bands (`out` has room for TONAL_MATCH_MAX); *n
 * gets how many. False with a message. */
bool tonal_match_track(const struct session *s, int track, int ref, struct proc *out, int *n,
                       char *err, size_t errlen);

/* Lets the editor's `match` command measure (session/ knows no audio):
 * installs tonal_match_track as its hook. */
void tonal_install(void);

#endif
