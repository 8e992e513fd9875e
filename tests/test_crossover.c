/* SPDX-License-Identifier: MIT */
/* Tests of the LR4 crossover: flat sum, band shapes against the analog
 * Linkwitz-Riley responses, block-size independence and state. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dsp/crossover.h"
#include "tests/harness.h"

#define NPOINTS 40
#define FLOOR_DB (-150.0)

static const double rates[] = { 44100, 48000, 96000 };

struct split { int nfreqs; double freqs[3]; };
static const struct split splits[] = {
    { 1, { 120 } }, { 1, { 2500 } },
    { 2, { 120, 2000 } }, { 2, { 400, 9000 } },
    { 3, { 80, 800, 6000 } }, { 3, { 250, 4000, 16000 } },
};
#define NSPLITS (int)(sizeof splits / sizeof splits[0])

static double noise(uint64_t *s)
{
    *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
    return (double)(int64_t)*s / 9223372036854775808.0;
}

static double dft_db(const double *h, int n, double rate, double f)
{
    double w = 2 * M_PI * f / rate, cw = cos(w), sw = sin(w);
    double pr = 1, pi = 0, re = 0, im = 0;
    for (int i = 0; i < n; i++) {
        re += h[i] * pr;
        im -= h[i] * pi;
        double t = pr * cw - pi * sw;
        pi = pr * sw + pi * cw;
        pr = t;
    }
    return 10 * log10(re * re + im * im);
}

/* Analog LR4 magnitude of band b in dB: low-pass 1/(1+x^4) of its own
 * split, high-pass x^4/(1+x^4) of the splits below; allpasses are flat.
 * x is the prewarped frequency relative to each split. */
static double lr4_band_db(const struct split *s, int b, double rate, double f)
{
    double h = 1;
    for (int i = 0; i < s->nfreqs && i <= b; i++) {
        double x = tan(M_PI * f / rate) / tan(M_PI * s->freqs[i] / rate);
        double x4 = x * x * x * x;
        h *= i == b ? 1 / (1 + x4) : x4 / (1 + x4);
    }
    return 20 * log10(h);
}

/* Impulse responses of every band, n frames each, mono. */
static double **band_impulses(const struct split *s, double rate, int n)
{
    struct crossover *x = crossover_new(rate, 1, s->freqs, s->nfreqs);
    double *in = calloc((size_t)n, sizeof *in);
    double **bands = calloc(4, sizeof *bands);
    int ok = x && in && bands;
    for (int b = 0; ok && b <= s->nfreqs; b++)
        ok = (bands[b] = malloc((size_t)n * sizeof *bands[b])) != NULL;
    if (ok) {
        in[0] = 1;
        for (int at = 0; at < n; at += 1000) {
            double *out[4];
            for (int b = 0; b <= s->nfreqs; b++)
                out[b] = bands[b] + at;
            crossover_process(x, in + at, out, n - at < 1000 ? n - at : 1000);
        }
    }
    crossover_free(x);
    free(in);
    if (!ok && bands) {
        for (int b = 0; b < 4; b++)
            free(bands[b]);
        free(bands);
        bands = NULL;
    }
    CHECK(bands);
    return bands;
}

static void free_bands(double **bands)
{
    for (int b = 0; bands && b < 4; b++)
        free(bands[b]);
    free(bands);
}

TEST(bands_sum_flat)
{
    double worst = 0, worst_model = 0;
    for (int r = 0; r < 3; r++)
        for (int i = 0; i < NSPLITS; i++) {
            const struct split *s = &splits[i];
            double rate = rates[r];
            int n = (int)(rate / 2);
            double **bands = band_impulses(s, rate, n);
            struct crossover *x = crossover_new(rate, 1, s->freqs, s->nfreqs);
            if (!bands || !x) {
                free_bands(bands);
                crossover_free(x);
                continue;
            }
            for (int b = 1; b <= s->nfreqs; b++)
                for (int k = 0; k < n; k++)
                    bands[0][k] += bands[b][k];
            for (int p = 0; p < NPOINTS; p++) {
                double f = 20 * pow(0.45 * rate / 20, p / (NPOINTS - 1.0));
                double got = dft_db(bands[0], n, rate, f);
                double model = crossover_sum_magnitude_db(x, f);
                worst = fmax(worst, fabs(got));
                worst_model = fmax(worst_model, fabs(model));
                CHECK_MSG(fabs(got) <= 0.01, "%d bands at %g Hz (rate %g): sum %.4f dB",
                          s->nfreqs + 1, f, rate, got);
                CHECK_MSG(fabs(model) <= 0.01, "%d bands at %g Hz (rate %g): model %.4f dB",
                          s->nfreqs + 1, f, rate, model);
            }
            crossover_free(x);
            free_bands(bands);
        }
    printf("  sum of bands: largest deviation from flat %.2e dB (model %.2e dB)\n",
           worst, worst_model);
}

TEST(bands_are_linkwitz_riley)
{
    double worst = 0;
    for (int r = 0; r < 3; r++)
        for (int i = 0; i < NSPLITS; i++) {
            const struct split *s = &splits[i];
            double rate = rates[r];
            int n = (int)(rate / 2);
            double **bands = band_impulses(s, rate, n);
            for (int b = 0; bands && b <= s->nfreqs; b++)
                for (int p = 0; p < NPOINTS; p++) {
                    double f = 20 * pow(0.45 * rate / 20, p / (NPOINTS - 1.0));
                    double want = lr4_band_db(s, b, rate, f);
                    double got = dft_db(bands[b], n, rate, f);
                    if (want < FLOOR_DB) {
                        CHECK(got < FLOOR_DB + 1);
                        continue;
                    }
                    worst = fmax(worst, fabs(got - want));
                    CHECK_MSG(fabs(got - want) <= 0.05,
                              "band %d of %d at %g Hz (rate %g): %.4f dB, expected %.4f dB",
                              b, s->nfreqs + 1, f, rate, got, want);
                }
            free_bands(bands);
        }
    printf("  bands against analog LR4: largest deviation %.2e dB\n", worst);
}

TEST(adjacent_bands_cross_at_minus_6_db)
{
    double f[] = { 300, 3000 };
    struct crossover *x = crossover_new(48000, 1, f, 2);
    CHECK(x);
    if (!x)
        return;
    for (int i = 0; i < 2; i++) {
        double lo = 20 * log10(cabs(crossover_band_response(x, i, f[i])));
        double hi = 20 * log10(cabs(crossover_band_response(x, i + 1, f[i])));
        CHECK_NEAR(lo, 20 * log10(0.5), 0.1);
        CHECK_NEAR(hi, 20 * log10(0.5), 0.1);
    }
    CHECK_EQ_INT(crossover_bands(x), 3);
    crossover_free(x);
}

/* All bands, concatenated, of `frames` frames of noise cut in `block`s. */
static double *run_blocks(int channels, int frames, int block)
{
    const struct split *s = &splits[4];
    struct crossover *x = crossover_new(44100, channels, s->freqs, s->nfreqs);
    size_t len = (size_t)frames * channels;
    double *in = malloc(len * sizeof *in), *out = malloc(4 * len * sizeof *out);
    if (!x || !in || !out) {
        crossover_free(x);
        free(in);
        free(out);
        return NULL;
    }
    uint64_t seed = 17;
    for (size_t k = 0; k < len; k++)
        in[k] = noise(&seed);
    for (int at = 0; at < frames; at += block) {
        size_t off = (size_t)at * channels;
        double *bands[4] = { out + off, out + len + off, out + 2 * len + off,
                             out + 3 * len + off };
        crossover_process(x, in + off, bands, frames - at < block ? frames - at : block);
    }
    crossover_free(x);
    free(in);
    return out;
}

TEST(output_does_not_depend_on_block_size)
{
    static const int blocks[] = { 7, 64, 65536 };
    static const int chans[] = { 2, 6 };
    enum { FRAMES = 70000 };
    for (int c = 0; c < 2; c++) {
        double *ref = run_blocks(chans[c], FRAMES, 1);
        CHECK(ref);
        for (int k = 0; ref && k < 3; k++) {
            double *out = run_blocks(chans[c], FRAMES, blocks[k]);
            CHECK_MSG(out && memcmp(ref, out, 4 * (size_t)FRAMES * chans[c] * sizeof *out) == 0,
                      "%d channels: blocks of %d differ from blocks of 1", chans[c], blocks[k]);
            free(out);
        }
        free(ref);
    }
}

TEST(in_place_and_channels_apart)
{
    /* Band 0 may be the input buffer; channel 1 of a stereo run is the
     * same as a mono run of the same signal. */
    enum { N = 5000 };
    double f[] = { 200, 5000 };
    struct crossover *st = crossover_new(48000, 2, f, 2);
    struct crossover *mono = crossover_new(48000, 1, f, 2);
    double *a = malloc(2 * N * sizeof *a), *a1 = malloc(2 * N * sizeof *a), *a2 = malloc(2 * N * sizeof *a);
    double *m = malloc(N * sizeof *m), *m1 = malloc(N * sizeof *m), *m2 = malloc(N * sizeof *m);
    CHECK(st && mono && a && a1 && a2 && m && m1 && m2);
    if (st && mono && a && a1 && a2 && m && m1 && m2) {
        uint64_t s = 1, t = 2;
        for (int k = 0; k < N; k++) {
            a[2 * k] = noise(&s);
            m[k] = a[2 * k + 1] = noise(&t);
        }
        double mono_in[N];
        memcpy(mono_in, m, sizeof mono_in);
        crossover_process(st, a, (double *const[]){ a, a1, a2 }, N);
        crossover_process(mono, mono_in, (double *const[]){ m, m1, m2 }, N);
        int same = 1;
        for (int k = 0; k < N; k++)
            same &= a[2 * k + 1] == m[k] && a1[2 * k + 1] == m1[k] && a2[2 * k + 1] == m2[k];
        CHECK_MSG(same, "in-place stereo channel 1 differs from a mono run");
    }
    crossover_free(st);
    crossover_free(mono);
    free(a);
    free(a1);
    free(a2);
    free(m);
    free(m1);
    free(m2);
}

TEST(copy_state_and_reset)
{
    enum { N = 3000 };
    double f[] = { 100, 1000, 10000 };
    struct crossover *a = crossover_new(44100, 1, f, 3);
    struct crossover *b = crossover_new(44100, 1, f, 3);
    struct crossover *fresh = crossover_new(44100, 1, f, 3);
    CHECK(a && b && fresh);
    if (a && b && fresh) {
        static double in[N], ya[4][N], yb[4][N];
        double *pa[4] = { ya[0], ya[1], ya[2], ya[3] }, *pb[4] = { yb[0], yb[1], yb[2], yb[3] };
        uint64_t s = 5;
        for (int k = 0; k < N; k++)
            in[k] = noise(&s);
        crossover_process(a, in, pa, N);
        crossover_copy_state(b, a);
        crossover_process(a, in, pa, N);
        crossover_process(b, in, pb, N);
        CHECK(memcmp(ya, yb, sizeof ya) == 0);
        crossover_process(fresh, in, pb, N);
        CHECK(memcmp(ya, yb, sizeof ya) != 0);
        crossover_reset(a);
        crossover_reset(fresh);
        crossover_process(a, in, pa, N);
        crossover_process(fresh, in, pb, N);
        CHECK(memcmp(ya, yb, sizeof ya) == 0);
    }
    crossover_free(a);
    crossover_free(b);
    crossover_free(fresh);
}

TEST(bad_arguments_give_null)
{
    double ok[] = { 100, 1000, 5000, 10000 }, down[] = { 1000, 100 }, zero[] = { 0 };
    CHECK(crossover_new(48000, 2, ok, 0) == NULL);
    CHECK(crossover_new(48000, 2, ok, 4) == NULL);
    CHECK(crossover_new(48000, 0, ok, 1) == NULL);
    CHECK(crossover_new(0, 2, ok, 1) == NULL);
    CHECK(crossover_new(48000, 2, down, 2) == NULL);
    CHECK(crossover_new(48000, 2, zero, 1) == NULL);
    CHECK(crossover_new(48000, 2, NULL, 1) == NULL);
    crossover_free(NULL);
}
