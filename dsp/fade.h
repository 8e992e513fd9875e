/* SPDX-License-Identifier: MIT */
/* Fade curves and fades placed on absolute frame positions.
 *
 * A fade is a gain envelope over the timeline, so it is applied the same
 * whatever the block size. The envelope is sampled at frame centres: frame j
 * of a fade of n frames sits at x = (j + 0.5) / n, and a fade-out over the
 * same frames is the exact mirror of a fade-in (x' = 1 - x). A crossfade is a
 * fade-out of one track over the fade-in of the next on the same frames:
 * with FADE_LINEAR the two gains add to 1 (for correlated material), with
 * FADE_SINE their squares add to 1 (equal power, for the uncorrelated
 * material of two different songs), both to rounding error.
 *
 * Curves (enum fade_curve in session/params.h), for x in [0, 1]:
 *   FADE_LINEAR  g = x
 *   FADE_SINE    g = sin(pi/2 x), equal power
 *   FADE_LOG     linear in dB from -60 dB at x = 0 to 0 dB at x = 1, offset
 *                and rescaled so that g(0) = 0 and g(1) = 1 exactly:
 *                g = (10^(3(x-1)) - 10^-3) / (1 - 10^-3); sounds even to
 *                the ear, fast at the end of a fade-out.
 */
#ifndef LATHE_FADE_H
#define LATHE_FADE_H

#include <stdbool.h>
#include <stdint.h>

#include "session/params.h"

/* The curve's gain at x; x is clamped to [0, 1]. */
double fade_gain(enum fade_curve curve, double x);

/* Applies a fade to `frames` interleaved frames whose first frame is at
 * absolute position `first_frame`. The fade covers frames [fade_start,
 * fade_start + fade_len). A fade-in silences what lies before it and leaves
 * what follows untouched; a fade-out leaves what lies before it untouched and
 * silences what follows. fade_len <= 0 is a cut at fade_start. Audio thread. */
void fade_apply(double *buf, int frames, int channels, int64_t first_frame,
                int64_t fade_start, int64_t fade_len, enum fade_curve curve,
                bool fade_in);

#endif
