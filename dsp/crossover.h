/* SPDX-License-Identifier: MIT */
/* Band splitting for the multiband compressor and bass mono. */
#ifndef LATHE_CROSSOVER_H
#define LATHE_CROSSOVER_H

#include <complex.h>

/* Splits a signal into 2..4 bands with 4th-order Linkwitz-Riley crossovers
 * (each LR4 = two cascaded 2nd-order Butterworth, Q = 1/sqrt(2)), with allpass
 * compensation so that the bands sum back flat in magnitude. */
struct crossover;
/* freqs: nfreqs (1..3) rising frequencies, each clamped below 0.49 * rate.
 * NULL on bad arguments or no memory. */
struct crossover *crossover_new(double rate, int channels, const double *freqs, int nfreqs);
/* in: frames*channels interleaved; bands[b]: frames*channels interleaved each,
 * nfreqs+1 bands, lowest first. `in` may be the same buffer as one of the
 * bands. Audio thread. */
void crossover_process(struct crossover *x, const double *in, double *const *bands, int frames);
/* Audio thread. */
void crossover_reset(struct crossover *x);
/* dst and src made with the same channels and nfreqs. Audio thread. */
void crossover_copy_state(struct crossover *dst, const struct crossover *src);
void crossover_free(struct crossover *x);
/* For tests: complex response of band b at freq, magnitude of the sum in dB. */
double crossover_sum_magnitude_db(const struct crossover *x, double freq);
/* Complex response of band b (0 = lowest) at freq, allpasses included. */
double complex crossover_band_response(const struct crossover *x, int band, double freq);
/* Number of bands (nfreqs + 1). */
int crossover_bands(const struct crossover *x);

#endif
