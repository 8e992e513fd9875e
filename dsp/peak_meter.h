/* SPDX-License-Identifier: MIT */
/* Sample and true peak per channel, as libebur128 measures true peak: its
 * 49-tap Hann-windowed sinc (truepeak.h), 4x below 96 kHz, 2x below 192
 * kHz, the samples themselves above. The points are summed in double.
 *
 * Why not libebur128's own: interpolating every sample was most of the
 * cost of every loudness measurement (an analysis, each output of a
 * render, each leveling pass). Only the maximum matters, and no point can
 * exceed the filter's sum of |taps| times the largest |sample| it is made
 * from, so a sample whose window lies under the largest peak found so far
 * divided by that sum is not interpolated: the maximum is exactly what
 * computing every point gives, at a fraction of the cost once the loud
 * parts have been seen. */
#ifndef LATHE_PEAK_METER_H
#define LATHE_PEAK_METER_H

#include <stddef.h>

struct peak_meter;

/* NULL on bad arguments (channels 1..32, rate > 0) or when memory runs out. */
struct peak_meter *peak_meter_new(double rate, int channels);
void peak_meter_free(struct peak_meter *m);
/* Measures `frames` interleaved frames. A point counts when its newest
 * sample comes in, so the filter's last points of one call come with the
 * next: a few samples' lag. */
void peak_meter_add(struct peak_meter *m, const double *buf, size_t frames);
/* The points that the silence after the last frame would bring (the
 * filter's tail), as if the signal ended there. */
void peak_meter_flush(struct peak_meter *m);
/* The linear peaks per channel since the last take (or the start), and a
 * fresh start for the next span. The true peak is never below the sample
 * peak. */
void peak_meter_take(struct peak_meter *m, double *sample, double *true_peak);

#endif
