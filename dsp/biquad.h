/* SPDX-License-Identifier: MIT */
/* Second-order IIR sections: design from the RBJ cookbook forms (bilinear
 * transform, prewarped at the design frequency), running in transposed
 * direct form II, and evaluation of their frequency response. */
#ifndef LATHE_BIQUAD_H
#define LATHE_BIQUAD_H

#include <complex.h>

enum biquad_type { BQ_BELL, BQ_LOWSHELF, BQ_HIGHSHELF, BQ_HIGHPASS, BQ_LOWPASS,
                   BQ_HIGHPASS1, BQ_LOWPASS1 /* first-order, q ignored */,
                   BQ_ALLPASS /* second-order, phase turns 360 deg around freq */ };

struct biquad { double b0, b1, b2, a1, a2; };   /* normalised, a0 = 1 */
struct biquad_state { double z1, z2; };          /* transposed direct form II */

/* Designs one section. `freq` is clamped below 0.49 * rate (so a 30 kHz
 * setting at 44.1 kHz stays stable), `q` to at least 0.01. */
void biquad_design(struct biquad *bq, enum biquad_type type, double rate,
                   double freq, double gain_db, double q);

/* One sample through one section. Audio thread. */
static inline double biquad_run(const struct biquad *bq, struct biquad_state *st,
                                double x)
{
    double y = bq->b0 * x + st->z1;
    st->z1 = bq->b1 * x - bq->a1 * y + st->z2;
    st->z2 = bq->b2 * x - bq->a2 * y;
    return y;
}

/* The highest frequency biquad_design uses for a given rate. */
double biquad_max_freq(double rate);

/* Complex response H(e^jw) of the section at freq. */
double complex biquad_response(const struct biquad *bq, double rate, double freq);

/* Magnitude of the digital filter at freq, in dB (evaluates H(e^jw)). */
double biquad_magnitude_db(const struct biquad *bq, double rate, double freq);

/* Q of the second-order sections of an order-n Butterworth filter:
 * section k (0 .. n/2-1); an odd order adds one first-order section. */
double biquad_butterworth_q(int order, int k);

#endif
