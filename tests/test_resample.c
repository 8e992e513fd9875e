/* SPDX-License-Identifier: MIT */
/* Tests of dsp/resample: passband amplitude, aliasing and images, timing,
 * exact lengths, block independence, quality bounds; for both backends. */
#include "dsp/resample.h"
#include "tests/harness.h"

#include <stdlib.h>

static const enum resample_backend backends[2] = { RESAMPLE_SOXR, RESAMPLE_LIBSAMPLERATE };

/* Converts `n` frames in blocks of `block` (and drains in pieces of `drain`)
 * into a new buffer; returns it and sets *out_n. */
static double *convert(const double *in, int64_t n, int ch, double from,
                       double to, enum resample_backend backend, int block, int drain,
                       int64_t *out_n)
{
    struct resampler *r = resampler_new(ch, from, to, backend, block);
    if (!r) {
        *out_n = -1;
        return NULL;
    }
    int64_t cap = resampler_out_length(n, from, to) + 16;
    double *out = calloc((size_t)(cap + resampler_max_out(r)) * ch, sizeof *out);
    int64_t got = 0;
    for (int64_t f = 0; f < n; f += block) {
        int k = n - f < block ? (int)(n - f) : block;
        int o = resampler_process(r, in + f * ch, k, out + got * ch);
        CHECK(o >= 0);
        if (o < 0 || got + o > cap)
            break;
        got += o;
    }
    for (;;) {
        int max = drain < resampler_max_out(r) ? drain : resampler_max_out(r);
        int o = resampler_drain(r, out + got * ch, max);
        CHECK(o >= 0 && o <= max);
        if (o <= 0 || got + o > cap)
            break;
        got += o;
    }
    resampler_free(r);
    *out_n = got;
    return out;
}

/* A sine of amplitude `amp` at `freq`, with 2000-frame raised-cosine ends so
 * that switching it on does not splatter over the spectrum. */
static double *tone(int n, int ch, double rate, double freq, double amp)
{
    double *x = malloc(sizeof *x * n * ch);
    for (int f = 0; f < n; f++) {
        double env = 1;
        if (f < 2000)
            env = 0.5 - 0.5 * cos(M_PI * f / 2000);
        if (n - 1 - f < 2000)
            env = 0.5 - 0.5 * cos(M_PI * (n - 1 - f) / 2000);
        for (int c = 0; c < ch; c++)
            x[f * ch + c] = amp * env * sin(2 * M_PI * freq / rate * f + c);
    }
    return x;
}

/* Least-squares fit of a sine at `freq` to channel 0 of y[from..to); returns
 * its amplitude and sets *resid to the RMS of what is left. */
static double fit(const double *y, int ch, int from, int to, double rate,
                  double freq, double *resid)
{
    double ss = 0, cc = 0, sc = 0, ys = 0, yc = 0;
    double w = 2 * M_PI * freq / rate;
    for (int i = from; i < to; i++) {
        double s = sin(w * i), c = cos(w * i), v = y[i * ch];
        ss += s * s; cc += c * c; sc += s * c; ys += v * s; yc += v * c;
    }
    double det = ss * cc - sc * sc;
    double a = (ys * cc - yc * sc) / det, b = (yc * ss - ys * sc) / det;
    double r = 0;
    for (int i = from; i < to; i++) {
        double e = y[i * ch] - a * sin(w * i) - b * cos(w * i);
        r += e * e;
    }
    *resid = sqrt(r / (to - from));
    return sqrt(a * a + b * b);
}

static double db(double x)
{
    return 20 * log10(x);
}

static void a_1khz_sine_keeps_its_amplitude_from_96k_to_44k1_with(int b)
{
    int64_t n;
    double *x = tone(96000, 2, 96000, 1000, 0.5);
    double *y = convert(x, 96000, 2, 96000, 44100, backends[b], 4096, 4096, &n);
    CHECK_EQ_INT(n, 44100);
    double resid, amp = fit(y, 2, 3000, 41000, 44100, 1000, &resid);
    printf("    1 kHz: gain %+.5f dB, residual %.1f dB\n", db(amp / 0.5),
           db(resid / (0.5 / sqrt(2))));
    CHECK_NEAR(db(amp / 0.5), 0, 0.01);
    CHECK(db(resid / (0.5 / sqrt(2))) < -100);
    free(x);
    free(y);
}

TEST(a_1khz_sine_keeps_its_amplitude_from_96k_to_44k1)
{
    a_1khz_sine_keeps_its_amplitude_from_96k_to_44k1_with(0);
    a_1khz_sine_keeps_its_amplitude_from_96k_to_44k1_with(1);
}

static void no_aliasing_down_and_no_images_up_near_nyquist_with(int b)
{
    int64_t n;
    double rms = 0.5 / sqrt(2);
    /* 96k -> 44.1k: a 24 kHz tone must vanish (its alias would be 20.1 kHz),
     * a 20 kHz tone must pass clean. */
    double *x = tone(96000, 1, 96000, 24000, 0.5);
    double *y = convert(x, 96000, 1, 96000, 44100, backends[b], 8192, 8192, &n);
    double resid;
    fit(y, 1, 3000, 41000, 44100, 1000, &resid);  /* nothing to fit: all residue */
    printf("    24 kHz through 96k->44.1k: %.1f dB\n", db(resid / rms));
    CHECK(db(resid / rms) < -100);
    free(x);
    free(y);

    x = tone(96000, 1, 96000, 20000, 0.5);
    y = convert(x, 96000, 1, 96000, 44100, backends[b], 8192, 8192, &n);
    double amp = fit(y, 1, 3000, 41000, 44100, 20000, &resid);
    printf("    20 kHz through 96k->44.1k: gain %+.4f dB, residue %.1f dB\n",
           db(amp / 0.5), db(resid / rms));
    CHECK(db(resid / rms) < -100);
    CHECK_NEAR(db(amp / 0.5), 0, 0.1);
    free(x);
    free(y);

    /* 44.1k -> 96k: a 20 kHz tone, images at 24.1 kHz and up must be gone. */
    x = tone(44100, 1, 44100, 20000, 0.5);
    y = convert(x, 44100, 1, 44100, 96000, backends[b], 8192, 8192, &n);
    CHECK_EQ_INT(n, 96000);
    amp = fit(y, 1, 6000, 90000, 96000, 20000, &resid);
    printf("    20 kHz through 44.1k->96k: gain %+.4f dB, images %.1f dB\n",
           db(amp / 0.5), db(resid / rms));
    CHECK(db(resid / rms) < -100);
    free(x);
    free(y);
}

TEST(no_aliasing_down_and_no_images_up_near_nyquist)
{
    no_aliasing_down_and_no_images_up_near_nyquist_with(0);
    no_aliasing_down_and_no_images_up_near_nyquist_with(1);
}

static void output_is_aligned_with_the_input_timeline_with(int b)
{
    struct resampler *r = resampler_new(2, 96000, 44100, backends[b], 64);
    CHECK_EQ_INT(resampler_latency(r), 0);
    resampler_free(r);
    double pairs[][3] = { { 48000, 96000, 1000 }, { 96000, 44100, 9600 },
                          { 44100, 48000, 4410 } };
    for (int p = 0; p < 3; p++) {
        int n = (int)pairs[p][0] / 2;
        double *x = calloc(n, sizeof *x);
        int k = (int)pairs[p][2];
        x[k] = 1;
        int64_t m;
        double *y = convert(x, n, 1, pairs[p][0], pairs[p][1], backends[b], 512, 512, &m);
        int best = 0;
        for (int i = 1; i < m; i++)
            if (fabs(y[i]) > fabs(y[best]))
                best = i;
        double want = k * pairs[p][1] / pairs[p][0];
        CHECK_MSG(fabs(best - want) < 1, "%g->%g: impulse at %g came out at %d",
                  pairs[p][0], pairs[p][1], want, best);
        free(x);
        free(y);
    }
}

TEST(output_is_aligned_with_the_input_timeline)
{
    output_is_aligned_with_the_input_timeline_with(0);
    output_is_aligned_with_the_input_timeline_with(1);
}

static void lengths_are_exactly_rounded_with(int b)
{
    CHECK_EQ_INT(resampler_out_length(96000, 96000, 44100), 44100);
    CHECK_EQ_INT(resampler_out_length(1, 96000, 44100), 0);      /* 0.46 */
    CHECK_EQ_INT(resampler_out_length(3, 88200, 44100), 2);      /* 1.5 up */
    CHECK_EQ_INT(resampler_out_length(1000001, 44100, 48000), 1088436);  /* .3 */
    CHECK_EQ_INT(resampler_out_length(INT64_C(44100) * 3600 * 10, 44100, 96000),
                 INT64_C(96000) * 3600 * 10);

    double pairs[][2] = { { 96000, 44100 }, { 44100, 48000 }, { 48000, 44100 },
                          { 44100, 96000 }, { 44100, 88200 }, { 44100, 22050 },
                          { 8000, 192000 } };
    int64_t lens[] = { 0, 1, 2, 3, 17, 1000, 44101, 96001 };
    for (int p = 0; p < 7; p++)
        for (int l = 0; l < 8; l++) {
            int64_t n = lens[l], m;
            double *x = tone((int)n + 1, 2, pairs[p][0], 440, 0.5);
            int q = backends[b];
            double *y = convert(x, n, 2, pairs[p][0], pairs[p][1], q, 4000, 333, &m);
            CHECK_MSG(m == resampler_out_length(n, pairs[p][0], pairs[p][1]),
                      "%g->%g, %lld frames: %lld out, want %lld", pairs[p][0],
                      pairs[p][1], (long long)n, (long long)m,
                      (long long)resampler_out_length(n, pairs[p][0], pairs[p][1]));
            free(x);
            free(y);
        }
}

TEST(lengths_are_exactly_rounded)
{
    lengths_are_exactly_rounded_with(0);
    lengths_are_exactly_rounded_with(1);
}

static void same_rate_is_an_exact_passthrough_with(int b)
{
    int64_t m;
    double *x = tone(10000, 2, 48000, 997, 0.9);
    x[5] = 1e-300;
    double *y = convert(x, 10000, 2, 48000, 48000, backends[b], 7, 7, &m);
    CHECK_EQ_INT(m, 10000);
    CHECK(memcmp(x, y, sizeof *x * 10000 * 2) == 0);
    free(x);
    free(y);
}

TEST(same_rate_is_an_exact_passthrough)
{
    same_rate_is_an_exact_passthrough_with(0);
    same_rate_is_an_exact_passthrough_with(1);
}

static void output_is_identical_for_any_block_size_with(int b)
{
    const int n = 48000, ch = 2;
    double *x = tone(n, ch, 96000, 1234.5, 0.7);
    for (int i = 0; i < n * ch; i += 3)
        x[i] += 0.1 * sin(i * 1.3);     /* something broadband too */
    double rates[][2] = { { 96000, 44100 }, { 44100, 48000 } };
    for (int p = 0; p < 2; p++) {
        int64_t nref, m;
        double *ref = convert(x, n, ch, rates[p][0], rates[p][1], backends[b],
                              65536, 65536, &nref);
        int blocks[] = { 1, 7, 64, 65536 };
        for (int k = 0; k < 4; k++) {
            double *y = convert(x, n, ch, rates[p][0], rates[p][1], backends[b],
                                blocks[k], blocks[k], &m);
            CHECK_EQ_INT(m, nref);
            CHECK_MSG(m == nref && memcmp(ref, y, sizeof *y * m * ch) == 0,
                      "%g->%g blocks of %d differ", rates[p][0], rates[p][1], blocks[k]);
            free(y);
        }
        free(ref);
    }
    free(x);
}

TEST(output_is_identical_for_any_block_size)
{
    output_is_identical_for_any_block_size_with(0);
    output_is_identical_for_any_block_size_with(1);
}

TEST(bad_arguments_give_null_and_free_takes_null)
{
    for (int b = 0; b < 2; b++) {
        CHECK(resampler_new(0, 44100, 48000, backends[b], 64) == NULL);
        CHECK(resampler_new(2, 44100, 0, backends[b], 64) == NULL);
        CHECK(resampler_new(2, 44100, 48000, backends[b], 0) == NULL);
    }
    resampler_free(NULL);
}

TEST(both_backends_are_there_and_soxr_is_vhq)
{
    struct resampler *a = resampler_new(2, 96000, 44100, RESAMPLE_SOXR, 64);
    struct resampler *b = resampler_new(2, 96000, 44100, RESAMPLE_LIBSAMPLERATE, 64);
    CHECK(a && b);
    if (a && b) {
        printf("    default: %s; selectable: %s\n", resampler_name(a), resampler_name(b));
        CHECK(strncmp(resampler_name(a), "soxr VHQ", 8) == 0);
        CHECK(strncmp(resampler_name(b), "libsamplerate", 13) == 0);
    }
    resampler_free(a);
    resampler_free(b);
}

/* Quality bounds per backend: the default converter is flat within 0.01 dB
 * to 20 kHz with every alias and distortion product under -140 dBFS
 * (issue 17); libsamplerate works in float: its products sit near -144. */
struct bounds {
    double flat_db, products_dbfs;
};
static const struct bounds bounds_of[2] = { { 0.01, -140 }, { 0.01, -135 } };

/* dBFS of an RMS residue, full scale being a full-scale sine. */
static double dbfs(double rms)
{
    return db(rms * sqrt(2));
}

static void quality(int b, double from, double to, double above)
{
    const int n = (int)from;            /* one second */
    int m0 = (int)(to * 0.08), m1 = (int)(to * 0.92);   /* clear of the ramps */
    double worst_flat = 0, worst_products = -400;
    static const double freqs[] = { 20, 100, 1000, 5000, 10000, 15000, 18000, 19000, 20000 };
    for (int k = 0; k < 9; k++) {
        int64_t got;
        double *x = tone(n, 1, from, freqs[k], 0.5);
        double *y = convert(x, n, 1, from, to, backends[b], 4096, 4096, &got);
        double resid, amp = fit(y, 1, m0, m1, to, freqs[k], &resid);
        double flat = fabs(db(amp / 0.5));
        worst_flat = flat > worst_flat ? flat : worst_flat;
        free(x);
        free(y);
    }
    /* a tone near full scale at 15 kHz: everything but it is a product */
    int64_t got;
    double *x = tone(n, 1, from, 15000, 0.9);
    double *y = convert(x, n, 1, from, to, backends[b], 4096, 4096, &got);
    double resid;
    fit(y, 1, m0, m1, to, 15000, &resid);
    double thd = dbfs(resid);
    free(x);
    free(y);
    /* a tone above the output Nyquist frequency must vanish */
    x = tone(n, 1, from, above, 0.9);
    y = convert(x, n, 1, from, to, backends[b], 4096, 4096, &got);
    fit(y, 1, m0, m1, to, 1000, &resid);    /* nothing to fit: all residue */
    double alias = dbfs(resid);
    free(x);
    free(y);
    worst_products = thd > alias ? thd : alias;
    printf("    %s %g->%g: flat within %.4f dB to 20 kHz, 15 kHz products %.1f dBFS, "
           "%g kHz alias %.1f dBFS\n", b ? "libsamplerate" : "soxr", from, to, worst_flat,
           thd, above / 1000, alias);
    CHECK_MSG(worst_flat <= bounds_of[b].flat_db, "%g->%g: passband off by %.4f dB",
              from, to, worst_flat);
    CHECK_MSG(worst_products <= bounds_of[b].products_dbfs, "%g->%g: products at %.1f dBFS",
              from, to, worst_products);
}

TEST(the_default_converter_is_flat_and_clean_at_96k_and_48k_to_44k1)
{
    quality(0, 96000, 44100, 24000);
    quality(0, 48000, 44100, 23000);
}

TEST(libsamplerate_stays_selectable_within_its_own_bounds)
{
    quality(1, 96000, 44100, 24000);
    quality(1, 48000, 44100, 23000);
}
