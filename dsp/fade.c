/* SPDX-License-Identifier: MIT */
/* Fade curves and fades on absolute frame positions (see fade.h). */
#include "dsp/fade.h"

#include <math.h>

#define LOG_FLOOR 1e-3  /* -60 dB, where the log curve starts */

double fade_gain(enum fade_curve curve, double x)
{
    if (!(x > 0))
        return 0;
    if (x >= 1)
        return 1;
    switch (curve) {
    case FADE_SINE:
        return sin(M_PI / 2 * x);
    case FADE_LOG:
        return (pow(10.0, 3.0 * (x - 1.0)) - LOG_FLOOR) / (1.0 - LOG_FLOOR);
    case FADE_LINEAR:
    default:
        return x;
    }
}

/* The envelope's gain at absolute frame `pos`. */
static double envelope(int64_t pos, int64_t start, int64_t len,
                       enum fade_curve curve, bool fade_in)
{
    int64_t j = pos - start;
    if (j < 0)
        return fade_in ? 0 : 1;
    if (j >= len)
        return fade_in ? 1 : 0;
    double x = ((double)j + 0.5) / (double)len;
    return fade_gain(curve, fade_in ? x : 1.0 - x);
}

void fade_apply(double *buf, int frames, int channels, int64_t first_frame,
                int64_t fade_start, int64_t fade_len, enum fade_curve curve,
                bool fade_in)
{
    if (fade_len < 0)
        fade_len = 0;
    for (int f = 0; f < frames; f++) {
        double g = envelope(first_frame + f, fade_start, fade_len, curve,
                            fade_in);
        if (g == 1.0)
            continue;
        for (int ch = 0; ch < channels; ch++)
            buf[(long)f * channels + ch] *= g;
    }
}
