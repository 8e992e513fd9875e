/* SPDX-License-Identifier: MIT */
/* The interpolating filters of true-peak meters: the BS.1770 Annex 2 table
 * and the Hann-windowed sinc that libebur128 runs, for the limiter, which
 * must keep every point they compute under its ceiling, and for tests and
 * meters that measure with them.
 *
 * A filter computes `phases` points between input samples. Point p at input
 * time n is sum over t of h[p][t] * x[n - t]; it lies at the position
 * n - delay + pos[p] of the input, pos[p] in [0, 1).
 */
#ifndef LATHE_TRUEPEAK_H
#define LATHE_TRUEPEAK_H

#define TRUEPEAK_MAX_PHASES 4
#define TRUEPEAK_MAX_TAPS 25
/* At most this many filters apply at one rate (truepeak_filters_for_rate). */
#define TRUEPEAK_MAX_FILTERS 2

struct truepeak_filter {
    int phases, taps, delay;
    double pos[TRUEPEAK_MAX_PHASES];
    double h[TRUEPEAK_MAX_PHASES][TRUEPEAK_MAX_TAPS];
};

/* The published 4x, 48-tap filter of BS.1770 Annex 2 (standards.md 5.5). */
void truepeak_bs1770(struct truepeak_filter *f);

/* A `factor`x interpolator from an ntaps-long sinc under a Hann window,
 * ntaps odd, (ntaps - 1) / 2 a multiple of factor: the design libebur128
 * uses (49 taps, 4x below 96 kHz and 2x below 192 kHz). */
void truepeak_hann_sinc(struct truepeak_filter *f, int factor, int ntaps);

/* The filters whose points count as true peak at `rate`: BS.1770's 4x
 * filter, and libebur128's when it interpolates at that rate. Fills `out`
 * and returns how many (1 or 2). */
int truepeak_filters_for_rate(struct truepeak_filter out[TRUEPEAK_MAX_FILTERS], double rate);

/* The largest sum of |taps| over the phases of `f`, rounded up: no point
 * can be larger than this times the largest |sample| it is made from, so
 * signals under the ceiling divided by it need no interpolation at all. */
double truepeak_gain_bound(const struct truepeak_filter *f);

/* Largest |point| of one channel of an interleaved buffer as `f` sees it,
 * from silence before to silence after, or the sample peak if larger. */
double truepeak_measure(const struct truepeak_filter *f, const double *buf, long frames,
                        int channels, int channel);

#endif
