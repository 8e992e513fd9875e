/* SPDX-License-Identifier: MIT */
/* True-peak interpolators: the BS.1770 table and Hann-windowed sincs. */
#include "dsp/truepeak.h"

#include <math.h>
#include <string.h>

/* BS.1770-4 Annex 2, phase by phase. Phase p lies (2p + 1) / 8 of a sample
 * after x[n - 6]: no phase falls on an input sample. */
static const double bs1770_taps[4][12] = {
    { 0.0017089843750, 0.0109863281250, -0.0196533203125, 0.0332031250000,
      -0.0594482421875, 0.1373291015625, 0.9721679687500, -0.1022949218750,
      0.0476074218750, -0.0266113281250, 0.0148925781250, -0.0083007812500 },
    { -0.0291748046875, 0.0292968750000, -0.0517578125000, 0.0891113281250,
      -0.1665039062500, 0.4650878906250, 0.7797851562500, -0.2003173828125,
      0.1015625000000, -0.0582275390625, 0.0330810546875, -0.0189208984375 },
    { -0.0189208984375, 0.0330810546875, -0.0582275390625, 0.1015625000000,
      -0.2003173828125, 0.7797851562500, 0.4650878906250, -0.1665039062500,
      0.0891113281250, -0.0517578125000, 0.0292968750000, -0.0291748046875 },
    { -0.0083007812500, 0.0148925781250, -0.0266113281250, 0.0476074218750,
      -0.1022949218750, 0.9721679687500, 0.1373291015625, -0.0594482421875,
      0.0332031250000, -0.0196533203125, 0.0109863281250, 0.0017089843750 },
};

void truepeak_bs1770(struct truepeak_filter *f)
{
    memset(f, 0, sizeof *f);
    f->phases = 4;
    f->taps = 12;
    f->delay = 6;
    for (int p = 0; p < 4; p++) {
        f->pos[p] = (2 * p + 1) / 8.0;
        memcpy(f->h[p], bs1770_taps[p], sizeof bs1770_taps[p]);
    }
}

void truepeak_hann_sinc(struct truepeak_filter *f, int factor, int ntaps)
{
    memset(f, 0, sizeof *f);
    int centre = (ntaps - 1) / 2;
    f->phases = factor;
    f->taps = (ntaps + factor - 1) / factor;
    f->delay = centre / factor;
    for (int p = 0; p < factor; p++)
        f->pos[p] = (double)p / factor;
    for (int j = 0; j < ntaps; j++) {
        double m = j - centre;
        double c = 1;
        if (m != 0)
            c = sin(m * M_PI / factor) / (m * M_PI / factor);
        c *= 0.5 * (1 - cos(2 * M_PI * j / (ntaps - 1)));
        /* The sinc's zeros come out as rounding noise: make them exact, as
         * a meter that skips them does. */
        if (fabs(c) <= 1e-6)
            c = 0;
        f->h[j % factor][j / factor] = c;
    }
}

int truepeak_filters_for_rate(struct truepeak_filter out[TRUEPEAK_MAX_FILTERS], double rate)
{
    truepeak_bs1770(&out[0]);
    if (rate < 96000) {
        truepeak_hann_sinc(&out[1], 4, 49);
        return 2;
    }
    if (rate < 192000) {
        truepeak_hann_sinc(&out[1], 2, 49);
        return 2;
    }
    return 1;
}

double truepeak_gain_bound(const struct truepeak_filter *f)
{
    double most = 0;
    for (int p = 0; p < f->phases; p++) {
        double sum = 0;
        for (int t = 0; t < f->taps; t++)
            sum += fabs(f->h[p][t]);
        most = fmax(most, sum);
    }
    /* the sum itself was rounded: a bound must not come out low */
    return most * (1 + 1e-12);
}

double truepeak_measure(const struct truepeak_filter *f, const double *buf, long frames,
                        int channels, int channel)
{
    double peak = 0;
    for (long n = 0; n < frames + f->taps - 1; n++) {
        if (n < frames)
            peak = fmax(peak, fabs(buf[n * channels + channel]));
        for (int p = 0; p < f->phases; p++) {
            double acc = 0;
            for (int t = 0; t < f->taps; t++)
                if (n - t >= 0 && n - t < frames)
                    acc += f->h[p][t] * buf[(n - t) * channels + channel];
            peak = fmax(peak, fabs(acc));
        }
    }
    return peak;
}
