/* SPDX-License-Identifier: MIT */
/* Tonal balance against a reference: the difference of two average
 * 1/3-octave spectra (dsp/octave.h), each taken relative to its own total
 * power so that loudness does not count, and a gentle corrective EQ that
 * moves the one towards the other.
 *
 * The correction (`:match`): the wanted change per band is the reference's
 * relative level minus the track's, less its median (so that most bands are
 * left alone and the loudness hardly moves), smoothed over neighbouring
 * bands (1/4, 1/2, 1/4) and held within +-3 dB. It is then fitted greedily
 * with at most TONAL_MATCH_MAX bands: where the residual is largest, a
 * shelf at either end of the spectrum or a bell whose Q follows the width
 * of the residual's bump; after each new band every gain is refined against
 * the residual; a band that would repeat one already there ends the fit.
 * The bands together keep within +-3 dB from 20 Hz to 20 kHz (their gains
 * are scaled down when overlapping bands add up past it). Only bands from
 * 31.5 Hz to 16 kHz with content within 60 dB of the loudest band count.
 * Pure computation: no I/O, no allocation. */
#ifndef LATHE_TONAL_MATCH_H
#define LATHE_TONAL_MATCH_H

#include <stdbool.h>

#include "dsp/octave.h"
#include "session/params.h"

#define TONAL_MATCH_MAX 6
#define TONAL_MATCH_LIMIT 3.0       /* dB, each band's gain */
/* Below this a spectrum has nothing to match: the loudest band under the
 * BS.1770 absolute gate (-70) is silence or noise floor, and matching it
 * would fit EQ to nothing. */
#define TONAL_SIGNAL_GATE_DB (-70.0)

/* Each spectrum relative to its own power over the bands both have:
 * diff[i] = (b[i] - B) - (a[i] - A), where A and B are the spectra's total
 * powers in dB over those bands; -HUGE_VAL where either band is empty. */
void tonal_difference(const double a[OCTAVE_BANDS], const double b[OCTAVE_BANDS],
                      double diff[OCTAVE_BANDS]);

/* The smoothed, limited change the track needs per band (0 outside the
 * bands that count), as described above. */
void tonal_match_target(const double track[OCTAVE_BANDS], const double ref[OCTAVE_BANDS],
                        int rate, double want[OCTAVE_BANDS]);

/* Fits the change with at most TONAL_MATCH_MAX EQ processors (PROC_EQ,
 * bell or shelves; frequencies to 3 significant digits, gains to 0.1 dB)
 * for a chain running at `rate`. Returns how many (0: nothing to do). */
int tonal_match(const double track[OCTAVE_BANDS], const double ref[OCTAVE_BANDS], int rate,
                struct proc out[TONAL_MATCH_MAX]);

/* The level of the loudest band (-HUGE_VAL when every band is silent): a
 * spectrum below TONAL_SIGNAL_GATE_DB has no measurable signal. */
double tonal_loudest_band(const double db[OCTAVE_BANDS]);

/* The response in dB of EQ processors p[0..n-1] at `freq` (analytic). */
double tonal_eq_response(const struct proc *p, int n, int rate, double freq);

#endif
