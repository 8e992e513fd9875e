/* SPDX-License-Identifier: MIT */
/* Tests of dsp/fade: the curves, fades on absolute positions, crossfades. */
#include "dsp/fade.h"
#include "tests/harness.h"

#include <stdlib.h>

TEST(curves_at_0_half_and_1)
{
    CHECK_NEAR(fade_gain(FADE_LINEAR, 0), 0, 0);
    CHECK_NEAR(fade_gain(FADE_LINEAR, 0.5), 0.5, 1e-15);
    CHECK_NEAR(fade_gain(FADE_LINEAR, 1), 1, 0);
    CHECK_NEAR(fade_gain(FADE_SINE, 0), 0, 0);
    CHECK_NEAR(fade_gain(FADE_SINE, 0.5), sqrt(0.5), 1e-15);
    CHECK_NEAR(fade_gain(FADE_SINE, 1), 1, 0);
    CHECK_NEAR(fade_gain(FADE_LOG, 0), 0, 0);
    CHECK_NEAR(fade_gain(FADE_LOG, 1), 1, 0);
    /* Halfway through a -60..0 dB curve is about -30 dB. */
    CHECK_NEAR(20 * log10(fade_gain(FADE_LOG, 0.5)), -30, 0.5);
    /* Out of range clamps. */
    CHECK_NEAR(fade_gain(FADE_SINE, -0.5), 0, 0);
    CHECK_NEAR(fade_gain(FADE_LOG, 1.5), 1, 0);
}

TEST(curves_rise_monotonically_and_log_is_linear_in_db)
{
    enum fade_curve curves[] = { FADE_LINEAR, FADE_SINE, FADE_LOG };
    for (int c = 0; c < 3; c++) {
        double prev = -1;
        for (int i = 0; i <= 1000; i++) {
            double g = fade_gain(curves[c], i / 1000.0);
            CHECK_MSG(g > prev || (i == 0 && g == 0), "curve %d not rising at %d", c, i);
            prev = g;
        }
    }
    /* Equal steps in x are equal steps in dB once clear of the floor. */
    double d1 = 20 * log10(fade_gain(FADE_LOG, 0.9) / fade_gain(FADE_LOG, 0.8));
    double d2 = 20 * log10(fade_gain(FADE_LOG, 1.0) / fade_gain(FADE_LOG, 0.9));
    CHECK_NEAR(d1, 6.0, 0.05);
    CHECK_NEAR(d2, 6.0, 0.05);
}

static double *ones(int frames, int channels)
{
    double *b = malloc(sizeof *b * frames * channels);
    for (int i = 0; i < frames * channels; i++)
        b[i] = 1.0;
    return b;
}

TEST(fade_in_and_out_are_mirror_images_on_absolute_frames)
{
    const int n = 1000, start = 300, len = 400;
    double *in = ones(n, 2), *out = ones(n, 2);
    fade_apply(in, n, 2, 0, start, len, FADE_SINE, true);
    fade_apply(out, n, 2, 0, start, len, FADE_SINE, false);
    for (int f = 0; f < start; f++) {
        CHECK(in[2 * f] == 0 && in[2 * f + 1] == 0);
        CHECK(out[2 * f] == 1 && out[2 * f + 1] == 1);
    }
    for (int f = start + len; f < n; f++) {
        CHECK(in[2 * f] == 1 && out[2 * f] == 0);
    }
    for (int j = 0; j < len; j++) {
        CHECK_NEAR(in[2 * (start + j)], out[2 * (start + len - 1 - j)], 1e-15);
        CHECK(in[2 * (start + j)] == in[2 * (start + j) + 1]);
    }
    CHECK(in[2 * start] > 0 && in[2 * start] < 0.01);
    CHECK(in[2 * (start + len - 1)] > 0.999 && in[2 * (start + len - 1)] < 1);
    free(in);
    free(out);
}

TEST(crossfades_sum_to_constant_amplitude_or_power)
{
    const int len = 4410;
    double *a = ones(len, 1), *b = ones(len, 1), *la = ones(len, 1), *lb = ones(len, 1);
    /* The span sits at an arbitrary album position. */
    fade_apply(a, len, 1, 123456, 123456, len, FADE_SINE, false);
    fade_apply(b, len, 1, 123456, 123456, len, FADE_SINE, true);
    fade_apply(la, len, 1, 123456, 123456, len, FADE_LINEAR, false);
    fade_apply(lb, len, 1, 123456, 123456, len, FADE_LINEAR, true);
    double worst_pow = 0, worst_lin = 0;
    for (int i = 0; i < len; i++) {
        worst_pow = fmax(worst_pow, fabs(a[i] * a[i] + b[i] * b[i] - 1));
        worst_lin = fmax(worst_lin, fabs(la[i] + lb[i] - 1));
    }
    CHECK_MSG(worst_pow < 1e-12, "equal-power sum off by %g", worst_pow);
    CHECK_MSG(worst_lin < 1e-12, "linear sum off by %g", worst_lin);
    /* The sine crossfade is not constant amplitude: +3 dB in the middle. */
    CHECK_NEAR(a[len / 2] + b[len / 2], sqrt(2), 1e-3);
    free(a);
    free(b);
    free(la);
    free(lb);
}

TEST(fades_are_block_size_independent)
{
    const int n = 20000, ch = 2;
    double *whole = malloc(sizeof *whole * n * ch), *blocks = malloc(sizeof *blocks * n * ch);
    int sizes[] = { 1, 7, 64, 65536 };
    enum fade_curve curves[] = { FADE_LINEAR, FADE_SINE, FADE_LOG };
    for (int c = 0; c < 3; c++) {
        for (int i = 0; i < n * ch; i++)
            whole[i] = sin(i * 0.01);
        fade_apply(whole, n, ch, 5000, 7000, 9001, curves[c], false);
        for (int s = 0; s < 4; s++) {
            for (int i = 0; i < n * ch; i++)
                blocks[i] = sin(i * 0.01);
            for (int f = 0; f < n; f += sizes[s]) {
                int k = n - f < sizes[s] ? n - f : sizes[s];
                fade_apply(blocks + f * ch, k, ch, 5000 + f, 7000, 9001, curves[c], false);
            }
            CHECK_MSG(memcmp(whole, blocks, sizeof *whole * n * ch) == 0,
                      "curve %d blocks of %d differ", c, sizes[s]);
        }
    }
    free(whole);
    free(blocks);
}

TEST(zero_length_fade_is_a_cut)
{
    double *in = ones(10, 1), *out = ones(10, 1);
    fade_apply(in, 10, 1, 0, 4, 0, FADE_SINE, true);
    fade_apply(out, 10, 1, 0, 4, 0, FADE_SINE, false);
    for (int i = 0; i < 10; i++) {
        CHECK(in[i] == (i < 4 ? 0 : 1));
        CHECK(out[i] == (i < 4 ? 1 : 0));
    }
    free(in);
    free(out);
}
