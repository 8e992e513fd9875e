/* SPDX-License-Identifier: MIT */
/* Tests of dsp/dither: TPDF statistics (standards.md §6.1), noise shaping
 * (§6.2), silence, determinism, block independence and clipping. */
#include "dsp/dither.h"
#include "tests/harness.h"

#include <stdint.h>
#include <stdlib.h>

static double *music(int frames, int channels, double amp)
{
    double *x = malloc(sizeof *x * frames * channels);
    for (int f = 0; f < frames; f++)
        for (int c = 0; c < channels; c++)
            x[f * channels + c] = amp * sin(f * 0.0371 + c) + amp * 0.3 * sin(f * 0.4127);
    return x;
}

/* Mean and variance in LSB of the error of quantizing a constant. */
static void const_error(enum dither_mode mode, int bits, double lsb, int n,
                        double *mean, double *var, double *worst)
{
    struct dither *d = dither_new(1, bits, mode, 44100);
    double scale = ldexp(1.0, bits - 1);
    double *x = malloc(sizeof *x * n);
    int32_t *y = malloc(sizeof *y * n);
    for (int i = 0; i < n; i++)
        x[i] = lsb / scale;
    dither_process(d, x, y, n, 0);
    double s = 0, s2 = 0;
    *worst = 0;
    for (int i = 0; i < n; i++) {
        double e = y[i] - lsb;
        s += e;
        s2 += e * e;
        *worst = fmax(*worst, fabs(e));
    }
    *mean = s / n;
    *var = s2 / n - *mean * *mean;
    dither_free(d);
    free(x);
    free(y);
}

TEST(tpdf_error_mean_and_variance_do_not_depend_on_the_signal)
{
    /* §6.1's vector, on top of 1000 LSB: an input of exactly 0.0 would be
     * digital silence, which is deliberately left undithered. §6.1 uses
     * 200 000 samples, but there its bounds are only about 1.5 standard
     * errors of an ideal TPDF's sample mean and variance: a correct generator
     * fails them on roughly one window in five (measured here: 27, 22, 5 and
     * 18 of 100 windows of 200 000 for the four offsets), so a pass would be
     * luck of the seed. Ten times the samples puts the same bounds at 4 to 6
     * standard errors. */
    const double offsets[] = { 0, 0.25, 0.5, 0.75 };
    int bits[] = { 16, 24 };
    for (int b = 0; b < 2; b++)
        for (int i = 0; i < 4; i++) {
            double m, v, w;
            const_error(DITHER_TPDF, bits[b], 1000 + offsets[i], 2000000, &m, &v, &w);
            printf("    %d bit, offset %.2f LSB: mean %+.5f, variance %.5f LSB^2\n",
                   bits[b], offsets[i], m, v);
            CHECK_MSG(fabs(m) < 0.002, "%d bit offset %g: mean %g", bits[b], offsets[i], m);
            CHECK_MSG(v >= 0.249 && v <= 0.251, "%d bit offset %g: variance %g",
                      bits[b], offsets[i], v);
            CHECK_MSG(w <= 1.5, "error %g LSB: more than 2 LSB p-p dither", w);
        }
    /* Without dither the error is the constant rounding offset. */
    double m, v, w;
    const_error(DITHER_OFF, 16, 1000.25, 1000, &m, &v, &w);
    CHECK_NEAR(m, -0.25, 1e-9);
    CHECK_NEAR(v, 0, 1e-12);
}

TEST(dither_noise_is_white_and_independent_between_channels)
{
    const int n = 200000;
    struct dither *d = dither_new(2, 16, DITHER_TPDF, 44100);
    double *x = malloc(sizeof *x * 2 * n);
    int32_t *y = malloc(sizeof *y * 2 * n);
    for (int i = 0; i < 2 * n; i++)
        x[i] = 500.5 / 32768;
    dither_process(d, x, y, n, 0);
    double s_lr = 0, s_lag = 0, s_ll = 0;
    for (int f = 0; f < n; f++) {
        double l = y[2 * f] - 500.5, r = y[2 * f + 1] - 500.5;
        s_lr += l * r;
        s_ll += l * l;
        if (f > 0)
            s_lag += l * (y[2 * f - 2] - 500.5);
    }
    double r_lr = s_lr / s_ll, r_lag = s_lag / s_ll;
    printf("    correlation L/R %+.4f, lag 1 %+.4f\n", r_lr, r_lag);
    CHECK(fabs(r_lr) < 0.01);
    CHECK(fabs(r_lag) < 0.01);
    dither_free(d);
    free(x);
    free(y);
}

/* Averaged Hann-windowed periodogram of e, 512-point, bins 0..256. */
#define NFFT 512
static void psd(const double *e, int n, double *out)
{
    static double cw[NFFT], sw[NFFT], win[NFFT];
    for (int i = 0; i < NFFT; i++) {
        cw[i] = cos(2 * M_PI * i / NFFT);
        sw[i] = sin(2 * M_PI * i / NFFT);
        win[i] = 0.5 - 0.5 * cos(2 * M_PI * i / NFFT);
    }
    memset(out, 0, sizeof *out * (NFFT / 2 + 1));
    int blocks = 0;
    double seg[NFFT];
    for (int start = 0; start + NFFT <= n; start += NFFT, blocks++) {
        for (int i = 0; i < NFFT; i++)
            seg[i] = e[start + i] * win[i];
        for (int k = 0; k <= NFFT / 2; k++) {
            double re = 0, im = 0;
            for (int i = 0; i < NFFT; i++) {
                int j = (i * k) % NFFT;
                re += seg[i] * cw[j];
                im -= seg[i] * sw[j];
            }
            out[k] += re * re + im * im;
        }
    }
    for (int k = 0; k <= NFFT / 2; k++)
        out[k] /= blocks;
}

/* The total error (output minus input, in LSB) of dithering a quiet signal. */
static double *error_of(enum dither_mode mode, int rate, int n)
{
    struct dither *d = dither_new(1, 16, mode, rate);
    double *x = music(n, 1, 0.01);
    int32_t *y = malloc(sizeof *y * n);
    dither_process(d, x, y, n, 0);
    double *e = malloc(sizeof *e * n);
    for (int i = 0; i < n; i++)
        e[i] = y[i] - x[i] * 32768;
    dither_free(d);
    free(x);
    free(y);
    return e;
}

static double band(const double *p, int rate, double lo, double hi)
{
    double s = 0;
    for (int k = 0; k <= NFFT / 2; k++) {
        double f = (double)k * rate / NFFT;
        if (f >= lo && f < hi)
            s += p[k];
    }
    return s;
}

static double variance(const double *e, int n)
{
    double s = 0, s2 = 0;
    for (int i = 0; i < n; i++) {
        s += e[i];
        s2 += e[i] * e[i];
    }
    return s2 / n - (s / n) * (s / n);
}

/* Measured NTF in dB at frequency f: shaped over flat noise. */
static double ntf_db(const double *shaped, const double *flat, int rate, double f)
{
    double w = (double)rate / NFFT;
    return 10 * log10(band(shaped, rate, f - 1.5 * w, f + 1.5 * w) /
                      band(flat, rate, f - 1.5 * w, f + 1.5 * w));
}

TEST(lipshitz_shaping_at_44k1_moves_noise_up_out_of_the_midrange)
{
    const int n = 150 * NFFT;
    double *flat_e = error_of(DITHER_TPDF, 44100, n);
    double *shaped_e = error_of(DITHER_SHAPED, 44100, n);
    static double flat[NFFT / 2 + 1], shaped[NFFT / 2 + 1];
    psd(flat_e, n, flat);
    psd(shaped_e, n, shaped);
    double low = band(shaped, 44100, 0, 4000) / band(flat, 44100, 0, 4000);
    double high = band(shaped, 44100, 15000, 22050) / band(flat, 44100, 15000, 22050);
    printf("    Lipshitz: below 4 kHz %+.1f dB, above 15 kHz %+.1f dB\n",
           10 * log10(low), 10 * log10(high));
    CHECK(high > 100 * low);
    /* §6.2's NTF test vector, read off the measured spectra. */
    double at1k = ntf_db(shaped, flat, 44100, 1000), at20k = ntf_db(shaped, flat, 44100, 20000);
    double at10k = ntf_db(shaped, flat, 44100, 10000);
    printf("    NTF 1 kHz %+.1f dB (-15.9), 10 kHz %+.1f (+0.2), 20 kHz %+.1f (+18.7)\n",
           at1k, at10k, at20k);
    CHECK_NEAR(at1k, -15.9, 1.5);
    CHECK_NEAR(at10k, 0.2, 1.5);
    CHECK_NEAR(at20k, 18.7, 1.5);
    double total = 10 * log10(variance(shaped_e, n) / variance(flat_e, n));
    printf("    total noise power %+.2f dB (+12.2)\n", total);
    CHECK_NEAR(total, 12.2, 0.3);
    free(flat_e);
    free(shaped_e);
}

TEST(first_order_shaping_elsewhere)
{
    CHECK_EQ_INT(dither_shaping_for(DITHER_SHAPED, 44100), SHAPING_LIPSHITZ);
    CHECK_EQ_INT(dither_shaping_for(DITHER_SHAPED, 42000), SHAPING_LIPSHITZ);
    CHECK_EQ_INT(dither_shaping_for(DITHER_SHAPED, 48000), SHAPING_FIRST_ORDER);
    CHECK_EQ_INT(dither_shaping_for(DITHER_SHAPED, 96000), SHAPING_FIRST_ORDER);
    CHECK_EQ_INT(dither_shaping_for(DITHER_TPDF, 44100), SHAPING_NONE);
    CHECK_EQ_INT(dither_shaping_for(DITHER_OFF, 48000), SHAPING_NONE);

    const int n = 100 * NFFT;
    double *flat_e = error_of(DITHER_TPDF, 48000, n);
    double *shaped_e = error_of(DITHER_SHAPED, 48000, n);
    static double flat[NFFT / 2 + 1], shaped[NFFT / 2 + 1];
    psd(flat_e, n, flat);
    psd(shaped_e, n, shaped);
    /* |1 - z^-1|^2 = 4 sin^2(pi f / fs). */
    double at1k = ntf_db(shaped, flat, 48000, 1000), at20k = ntf_db(shaped, flat, 48000, 20000);
    printf("    first order at 48 kHz: 1 kHz %+.1f dB (-17.6), 20 kHz %+.1f dB (+5.7)\n",
           at1k, at20k);
    CHECK_NEAR(at1k, 20 * log10(2 * sin(M_PI * 1000 / 48000)), 1.5);
    CHECK_NEAR(at20k, 20 * log10(2 * sin(M_PI * 20000 / 48000)), 1.5);
    CHECK_NEAR(10 * log10(variance(shaped_e, n) / variance(flat_e, n)), 3.0, 0.2);
    free(flat_e);
    free(shaped_e);
}

TEST(digital_silence_stays_exact_zero_and_leaks_no_error)
{
    enum dither_mode modes[] = { DITHER_TPDF, DITHER_SHAPED };
    for (int m = 0; m < 2; m++) {
        const int n = 12000, ch = 2;
        double *x = music(n, ch, 0.001);
        /* Music, a gap of 4000 frames, music. */
        memset(x + 4000 * ch, 0, sizeof *x * 4000 * ch);
        int32_t *y = malloc(sizeof *y * n * ch), *z = malloc(sizeof *z * n * ch);
        struct dither *d = dither_new(ch, 16, modes[m], 44100);
        dither_process(d, x, y, n, 1000);
        for (int i = 4000 * ch; i < 8000 * ch; i++)
            CHECK(y[i] == 0);
        /* After the gap the output is what a fresh quantizer gives there:
         * no error from before the gap reaches the music after it. */
        struct dither *fresh = dither_new(ch, 16, modes[m], 44100);
        dither_process(fresh, x + 8000 * ch, z, n - 8000, 1000 + 8000);
        CHECK_MSG(memcmp(z, y + 8000 * ch, sizeof *z * (n - 8000) * ch) == 0,
                  "mode %d: music after the gap depends on music before it", m);
        dither_free(d);
        dither_free(fresh);
        free(x);
        free(y);
        free(z);
    }
    /* The rule is per frame: a silent channel beside a sounding one is
     * dithered like any sample. */
    struct dither *d = dither_new(2, 16, DITHER_TPDF, 44100);
    double x[2000];
    int32_t y[2000];
    for (int f = 0; f < 1000; f++) {
        x[2 * f] = 0.3;
        x[2 * f + 1] = 0;
    }
    dither_process(d, x, y, 1000, 0);
    int nonzero = 0;
    for (int f = 0; f < 1000; f++)
        nonzero += y[2 * f + 1] != 0;
    CHECK(nonzero > 100);
    dither_free(d);
}

TEST(two_runs_and_any_block_size_give_the_same_bits)
{
    const int n = 40000, ch = 2;
    double *x = music(n, ch, 0.5);
    int32_t *ref = malloc(sizeof *ref * n * ch), *y = malloc(sizeof *y * n * ch);
    enum dither_mode modes[] = { DITHER_TPDF, DITHER_SHAPED };
    for (int m = 0; m < 2; m++) {
        struct dither *a = dither_new(ch, 16, modes[m], 44100);
        dither_process(a, x, ref, n, 777);
        int sizes[] = { 1, 7, 64, 65536 };
        for (int s = 0; s < 4; s++) {
            struct dither *b = dither_new(ch, 16, modes[m], 44100);
            for (int f = 0; f < n; f += sizes[s]) {
                int k = n - f < sizes[s] ? n - f : sizes[s];
                dither_process(b, x + f * ch, y + f * ch, k, 777 + f);
            }
            CHECK_MSG(memcmp(ref, y, sizeof *y * n * ch) == 0,
                      "mode %d blocks of %d differ", m, sizes[s]);
            dither_free(b);
        }
        /* The noise belongs to the timeline position: elsewhere it differs. */
        struct dither *c = dither_new(ch, 16, modes[m], 44100);
        dither_process(c, x, y, n, 778);
        CHECK(memcmp(ref, y, sizeof *y * n * ch) != 0);
        dither_free(c);
        dither_free(a);
    }
    /* Every part of the format changes the seed. */
    uint64_t s0 = dither_seed(44100, 16, DITHER_TPDF, SHAPING_NONE);
    CHECK(s0 == dither_seed(44100, 16, DITHER_TPDF, SHAPING_NONE));
    CHECK(s0 != dither_seed(48000, 16, DITHER_TPDF, SHAPING_NONE));
    CHECK(s0 != dither_seed(44100, 24, DITHER_TPDF, SHAPING_NONE));
    CHECK(s0 != dither_seed(44100, 16, DITHER_SHAPED, SHAPING_NONE));
    CHECK(s0 != dither_seed(44100, 16, DITHER_TPDF, SHAPING_LIPSHITZ));
    free(x);
    free(ref);
    free(y);
}

TEST(copied_state_continues_exactly)
{
    const int n = 10000, ch = 2;
    double *x = music(n, ch, 0.2);
    int32_t *a = malloc(sizeof *a * n * ch), *b = malloc(sizeof *b * n * ch);
    struct dither *src = dither_new(ch, 16, DITHER_SHAPED, 44100);
    struct dither *dst = dither_new(ch, 16, DITHER_SHAPED, 44100);
    dither_process(src, x, a, n / 2, 0);
    dither_process(dst, x, b, 123, 99999);      /* other history */
    dither_copy_state(dst, src);
    dither_process(src, x + n / 2 * ch, a + n / 2 * ch, n / 2, n / 2);
    dither_process(dst, x + n / 2 * ch, b + n / 2 * ch, n / 2, n / 2);
    CHECK(memcmp(a + n / 2 * ch, b + n / 2 * ch, sizeof *a * n / 2 * ch) == 0);
    dither_free(src);
    dither_free(dst);
    free(x);
    free(a);
    free(b);
}

TEST(rounding_without_dither_and_clipping_is_counted)
{
    struct dither *d = dither_new(1, 16, DITHER_OFF, 44100);
    double x[] = { 0.4 / 32768, 0.5 / 32768, -0.5 / 32768, -0.6 / 32768,
                   1.0, -1.0, 1.5, -1.5, 32766.6 / 32768 };
    int32_t y[9];
    dither_process(d, x, y, 9, 0);
    int32_t want[] = { 0, 1, 0, -1, 32767, -32768, 32767, -32768, 32767 };
    for (int i = 0; i < 9; i++)
        CHECK_EQ_INT(y[i], want[i]);
    CHECK_EQ_INT(dither_clipped(d), 3);     /* 1.0, 1.5, -1.5 */
    dither_reset(d);
    CHECK_EQ_INT(dither_clipped(d), 0);
    dither_free(d);

    /* 24 bit range. */
    d = dither_new(1, 24, DITHER_OFF, 96000);
    double x24[] = { 1.0 - ldexp(1, -23), -1.0, 2.0 };
    int32_t y24[3];
    dither_process(d, x24, y24, 3, 0);
    CHECK_EQ_INT(y24[0], 8388607);
    CHECK_EQ_INT(y24[1], -8388608);
    CHECK_EQ_INT(y24[2], 8388607);
    CHECK_EQ_INT(dither_clipped(d), 1);
    dither_free(d);

    /* Just below full scale, TPDF dither crosses it 1/8 of the time. */
    const int n = 100000;
    double *hot = malloc(sizeof *hot * n);
    int32_t *out = malloc(sizeof *out * n);
    for (int i = 0; i < n; i++)
        hot[i] = 32767.0 / 32768;
    d = dither_new(1, 16, DITHER_TPDF, 44100);
    dither_process(d, hot, out, n, 0);
    int32_t top = INT32_MIN;
    for (int i = 0; i < n; i++)
        top = out[i] > top ? out[i] : top;
    CHECK_EQ_INT(top, 32767);
    double share = (double)dither_clipped(d) / n;
    printf("    clipped %.4f of samples at 32767 LSB (0.125 expected)\n", share);
    CHECK_NEAR(share, 0.125, 0.005);
    dither_free(d);

    /* A NaN is clipped to 0 and does not poison the shaping state. */
    d = dither_new(1, 16, DITHER_SHAPED, 44100);
    double bad[4] = { NAN, 0.25, 0.25, 0.25 };
    int32_t ob[4];
    dither_process(d, bad, ob, 4, 0);
    CHECK_EQ_INT(ob[0], 0);
    for (int i = 1; i < 4; i++)
        CHECK(abs(ob[i] - 8192) < 20);
    CHECK_EQ_INT(dither_clipped(d), 1);
    dither_free(d);
    free(hot);
    free(out);

    CHECK(dither_new(2, 7, DITHER_TPDF, 44100) == NULL);
    CHECK(dither_new(0, 16, DITHER_TPDF, 44100) == NULL);
    dither_free(NULL);
}
