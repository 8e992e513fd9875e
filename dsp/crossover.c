/* SPDX-License-Identifier: MIT */
/* Linkwitz-Riley (LR4) band splitter with allpass compensation.
 *
 * The bands are split off one after another, lowest first: band i is the
 * low-pass of what is left above the earlier splits, and the rest goes on
 * through the high-pass. LP + HP of an LR4 pair is the second-order allpass
 * at that frequency, so a band that skipped the later splits gets their
 * allpasses instead, and all bands then sum to a chain of allpasses: flat
 * in magnitude. */
#include "dsp/crossover.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dsp/biquad.h"

#define MAX_SPLITS 3

/* The filter memories of one channel. ap[band][split]: allpass of a later
 * split applied to an earlier band. */
struct chan_state {
    struct biquad_state lp[MAX_SPLITS][2], hp[MAX_SPLITS][2];
    struct biquad_state ap[MAX_SPLITS][MAX_SPLITS];
};

struct crossover {
    double rate;
    int channels, nsplits;
    /* Each LR4 half is the same Butterworth section run twice. */
    struct biquad lp[MAX_SPLITS], hp[MAX_SPLITS], ap[MAX_SPLITS];
    struct chan_state ch[];
};

struct crossover *crossover_new(double rate, int channels, const double *freqs, int nfreqs)
{
    if (!(rate > 0) || channels < 1 || nfreqs < 1 || nfreqs > MAX_SPLITS || !freqs)
        return NULL;
    for (int i = 0; i < nfreqs; i++)
        if (!(freqs[i] > 0) || (i > 0 && !(freqs[i] > freqs[i - 1])))
            return NULL;
    struct crossover *x = calloc(1, sizeof *x + (size_t)channels * sizeof x->ch[0]);
    if (!x)
        return NULL;
    x->rate = rate;
    x->channels = channels;
    x->nsplits = nfreqs;
    for (int i = 0; i < nfreqs; i++) {
        biquad_design(&x->lp[i], BQ_LOWPASS, rate, freqs[i], 0, M_SQRT1_2);
        biquad_design(&x->hp[i], BQ_HIGHPASS, rate, freqs[i], 0, M_SQRT1_2);
        biquad_design(&x->ap[i], BQ_ALLPASS, rate, freqs[i], 0, M_SQRT1_2);
    }
    return x;
}

void crossover_process(struct crossover *x, const double *in, double *const *bands, int frames)
{
    int n = x->nsplits, nch = x->channels;
    for (int f = 0; f < frames; f++) {
        for (int c = 0; c < nch; c++) {
            struct chan_state *st = &x->ch[c];
            size_t at = (size_t)f * nch + c;
            double rest = in[at];
            for (int i = 0; i < n; i++) {
                double lo = biquad_run(&x->lp[i], &st->lp[i][0], rest);
                lo = biquad_run(&x->lp[i], &st->lp[i][1], lo);
                for (int j = i + 1; j < n; j++)
                    lo = biquad_run(&x->ap[j], &st->ap[i][j], lo);
                rest = biquad_run(&x->hp[i], &st->hp[i][0], rest);
                rest = biquad_run(&x->hp[i], &st->hp[i][1], rest);
                bands[i][at] = lo;
            }
            bands[n][at] = rest;
        }
    }
}

void crossover_reset(struct crossover *x)
{
    memset(x->ch, 0, (size_t)x->channels * sizeof x->ch[0]);
}

void crossover_copy_state(struct crossover *dst, const struct crossover *src)
{
    int nch = dst->channels < src->channels ? dst->channels : src->channels;
    memcpy(dst->ch, src->ch, (size_t)nch * sizeof dst->ch[0]);
}

void crossover_free(struct crossover *x)
{
    free(x);
}

int crossover_bands(const struct crossover *x)
{
    return x->nsplits + 1;
}

double complex crossover_band_response(const struct crossover *x, int band, double freq)
{
    double complex h = 1;
    for (int i = 0; i < x->nsplits && i <= band; i++) {
        double complex lp = biquad_response(&x->lp[i], x->rate, freq);
        double complex hp = biquad_response(&x->hp[i], x->rate, freq);
        h *= i == band ? lp * lp : hp * hp;
    }
    for (int j = band + 1; j < x->nsplits; j++)
        h *= biquad_response(&x->ap[j], x->rate, freq);
    return h;
}

double crossover_sum_magnitude_db(const struct crossover *x, double freq)
{
    double complex sum = 0;
    for (int b = 0; b <= x->nsplits; b++)
        sum += crossover_band_response(x, b, freq);
    return 20 * log10(cabs(sum));
}
