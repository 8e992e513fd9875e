/* SPDX-License-Identifier: MIT */
/* Biquad design (RBJ cookbook), Butterworth section Qs and response. */
#include "dsp/biquad.h"

#include <math.h>
#include <stdbool.h>

double biquad_max_freq(double rate)
{
    return 0.49 * rate;
}

/* First-order sections: bilinear transform of 1/(1+s) and s/(1+s),
 * prewarped so that the -3 dB point lands exactly on freq. */
static void design_first_order(struct biquad *bq, bool highpass, double k)
{
    double n = 1 / (1 + k);
    if (highpass) {
        bq->b0 = n;
        bq->b1 = -n;
    } else {
        bq->b0 = k * n;
        bq->b1 = k * n;
    }
    bq->b2 = 0;
    bq->a1 = (k - 1) * n;
    bq->a2 = 0;
}

void biquad_design(struct biquad *bq, enum biquad_type type, double rate,
                   double freq, double gain_db, double q)
{
    if (freq > biquad_max_freq(rate))
        freq = biquad_max_freq(rate);
    if (!(freq > 0))
        freq = 1;
    if (!(q >= 0.01))
        q = 0.01;
    double w0 = 2 * M_PI * freq / rate;
    double cw = cos(w0), sw = sin(w0);
    double alpha = sw / (2 * q);
    double a = pow(10, gain_db / 40);
    double sa = 2 * sqrt(a) * alpha;
    double b0, b1, b2, a0, a1, a2;

    switch (type) {
    case BQ_HIGHPASS1:
    case BQ_LOWPASS1:
        design_first_order(bq, type == BQ_HIGHPASS1, tan(w0 / 2));
        return;
    case BQ_BELL:
        b0 = 1 + alpha * a;
        b1 = -2 * cw;
        b2 = 1 - alpha * a;
        a0 = 1 + alpha / a;
        a1 = -2 * cw;
        a2 = 1 - alpha / a;
        break;
    case BQ_LOWSHELF:
        b0 = a * ((a + 1) - (a - 1) * cw + sa);
        b1 = 2 * a * ((a - 1) - (a + 1) * cw);
        b2 = a * ((a + 1) - (a - 1) * cw - sa);
        a0 = (a + 1) + (a - 1) * cw + sa;
        a1 = -2 * ((a - 1) + (a + 1) * cw);
        a2 = (a + 1) + (a - 1) * cw - sa;
        break;
    case BQ_HIGHSHELF:
        b0 = a * ((a + 1) + (a - 1) * cw + sa);
        b1 = -2 * a * ((a - 1) + (a + 1) * cw);
        b2 = a * ((a + 1) + (a - 1) * cw - sa);
        a0 = (a + 1) - (a - 1) * cw + sa;
        a1 = 2 * ((a - 1) - (a + 1) * cw);
        a2 = (a + 1) - (a - 1) * cw - sa;
        break;
    case BQ_HIGHPASS:
        b0 = (1 + cw) / 2;
        b1 = -(1 + cw);
        b2 = b0;
        a0 = 1 + alpha;
        a1 = -2 * cw;
        a2 = 1 - alpha;
        break;
    case BQ_LOWPASS:
        b0 = (1 - cw) / 2;
        b1 = 1 - cw;
        b2 = b0;
        a0 = 1 + alpha;
        a1 = -2 * cw;
        a2 = 1 - alpha;
        break;
    case BQ_ALLPASS:
    default:
        b0 = 1 - alpha;
        b1 = -2 * cw;
        b2 = 1 + alpha;
        a0 = 1 + alpha;
        a1 = -2 * cw;
        a2 = 1 - alpha;
        break;
    }
    bq->b0 = b0 / a0;
    bq->b1 = b1 / a0;
    bq->b2 = b2 / a0;
    bq->a1 = a1 / a0;
    bq->a2 = a2 / a0;
}

double complex biquad_response(const struct biquad *bq, double rate, double freq)
{
    double w = 2 * M_PI * freq / rate;
    double complex z1 = cexp(-I * w), z2 = z1 * z1;
    return (bq->b0 + bq->b1 * z1 + bq->b2 * z2) / (1 + bq->a1 * z1 + bq->a2 * z2);
}

double biquad_magnitude_db(const struct biquad *bq, double rate, double freq)
{
    return 20 * log10(cabs(biquad_response(bq, rate, freq)));
}

double biquad_butterworth_q(int order, int k)
{
    /* Pole pair k sits at angle (2k+1)pi/(2n) from the imaginary axis. */
    return 1 / (2 * sin((2 * k + 1) * M_PI / (2 * order)));
}
