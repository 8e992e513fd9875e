/* SPDX-License-Identifier: MIT */
/* A 1/3-octave filter bank after IEC 61260 (base-ten bands, centres
 * 1000 * 10^(n/10) Hz, 20 Hz to 20 kHz nominal), for the console's spectrum
 * meter and for tonal balance. It measures the mean power of the channels'
 * average in every band; bands whose upper edge (centre * 10^(1/20)) is at or
 * above the Nyquist frequency are not measured and read -inf (the 20 kHz band
 * at 44.1 kHz). Each band is a 6th-order Butterworth band-pass between the
 * base-ten edges (centre * 10^(+-1/20)), bilinear with pre-warped edges: a
 * full-scale sine at the centre reads 0 dB, at an edge -3 dB, and white
 * noise reads pi/3 times the band's width times its power per Hz.
 *
 * No allocation, lock or I/O after octave_bank_new: the audio side and the
 * analysis may both run it. The result does not depend on block sizes. */
#ifndef LATHE_OCTAVE_H
#define LATHE_OCTAVE_H

#include <stdbool.h>

#define OCTAVE_BANDS 31         /* 20 Hz ... 20 kHz */

struct octave_bank;

/* A bank for interleaved signals of `channels` at `rate` Hz; NULL when out
 * of memory or the rate is below 8000 Hz. */
struct octave_bank *octave_bank_new(int rate, int channels);
void octave_bank_free(struct octave_bank *b);
/* Forgets the filters' state and the accumulated power. */
void octave_bank_reset(struct octave_bank *b);

/* The nominal (display) and exact centre frequencies of band i. */
const char *octave_band_label(int i);     /* "20", "25", ..., "1k", ..., "20k" */
double octave_band_centre(int i);

/* Runs `frames` interleaved frames through the bank. */
void octave_bank_process(struct octave_bank *b, const double *x, long frames);

/* The mean power per band since the last reset or read, in dB relative to
 * a full-scale sine (a full-scale sine at a band's centre reads 0 dB in that
 * band); -HUGE_VAL where nothing was measured. `restart` starts the next
 * average afresh (meters), false keeps averaging (a track's balance). */
void octave_bank_read(struct octave_bank *b, double db[OCTAVE_BANDS], bool restart);

#endif
