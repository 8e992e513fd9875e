/* SPDX-License-Identifier: MIT */
/* Tests of dsp/octave: sines at the centres, the bands' response against
 * the Butterworth formula at low bands and high rates, white and pink noise
 * against theory, block sizes, and the cost. */
#include "dsp/octave.h"
#include "tests/harness.h"
#include "tests/signals.h"

#include <complex.h>
#include <stdlib.h>
#include <time.h>

/* The design's response at f: 1 / (1 + u^6), u the band-pass variable of
 * the pre-warped edges (what a 6th-order Butterworth band-pass is). */
static double design_db(int band, double f, double rate)
{
    double fc = octave_band_centre(band), h = pow(10.0, 0.05);
    double w1 = tan(M_PI * fc / h / rate), w2 = tan(M_PI * fc * h / rate);
    double w = tan(M_PI * f / rate);
    double u = (w * w - w1 * w2) / (w * (w2 - w1));
    return -10 * log10(1 + pow(u, 6));
}

/* Settles the bank on a sine at f for `settle` s, then reads `seconds` of it. */
static void sine_reading(int rate, int channels, double f, double amp, double settle,
                         double seconds, double db[OCTAVE_BANDS])
{
    long frames = lround((settle + seconds) * rate), first = lround(settle * rate);
    double *x = malloc((size_t)(frames * channels) * sizeof *x);
    for (long n = 0; n < frames; n++)
        for (int c = 0; c < channels; c++)
            x[n * channels + c] = amp * sin(2 * M_PI * f * n / rate);
    struct octave_bank *b = octave_bank_new(rate, channels);
    octave_bank_process(b, x, first);
    octave_bank_read(b, db, true);
    octave_bank_process(b, x + first * channels, frames - first);
    octave_bank_read(b, db, true);
    octave_bank_free(b);
    free(x);
}

TEST(labels_and_centres)
{
    CHECK_EQ_STR(octave_band_label(0), "20");
    CHECK_EQ_STR(octave_band_label(2), "31.5");
    CHECK_EQ_STR(octave_band_label(17), "1k");
    CHECK_EQ_STR(octave_band_label(18), "1.25k");
    CHECK_EQ_STR(octave_band_label(30), "20k");
    CHECK_NEAR(octave_band_centre(17), 1000.0, 1e-9);
    CHECK_NEAR(octave_band_centre(0), 19.9526, 1e-3);
    CHECK_NEAR(octave_band_centre(30), 19952.6, 0.1);
    /* every label names its centre to within the nominal rounding */
    for (int i = 0; i < OCTAVE_BANDS; i++) {
        const char *l = octave_band_label(i);
        double v = atof(l) * (strchr(l, 'k') ? 1000 : 1);
        CHECK_MSG(fabs(v / octave_band_centre(i) - 1) < 0.03, "band %d: %s", i, l);
    }
    CHECK(octave_bank_new(7999, 2) == NULL);
    octave_bank_free(NULL);
}

/* A full-scale sine at each centre reads 0 dB in its band and at least
 * 20 dB less two bands either side. */
TEST(sine_at_each_centre)
{
    int rate = 48000;
    double worst = 0, leak = -HUGE_VAL;
    for (int i = 0; i < OCTAVE_BANDS; i++) {
        double db[OCTAVE_BANDS];
        sine_reading(rate, 2, octave_band_centre(i), 1.0, 1.0, 1.0, db);
        CHECK_MSG(fabs(db[i]) <= 0.2, "band %s reads %.3f dB", octave_band_label(i), db[i]);
        worst = fmax(worst, fabs(db[i]));
        for (int j = i - 2; j <= i + 2; j += 4)
            if (j >= 0 && j < OCTAVE_BANDS) {
                CHECK_MSG(db[j] <= db[i] - 20, "sine at %s: band %s reads %.2f dB",
                          octave_band_label(i), octave_band_label(j), db[j]);
                leak = fmax(leak, db[j] - db[i]);
            }
    }
    printf("  48 kHz: centres read within %.4f dB; two bands away at most %.1f dB\n",
           worst, leak);
}

/* Bands whose upper edge reaches the Nyquist frequency are not measured. */
TEST(bands_above_nyquist)
{
    double db[OCTAVE_BANDS];
    sine_reading(44100, 1, 16000, 1.0, 0.1, 0.2, db);
    CHECK(db[30] == -HUGE_VAL);
    CHECK_NEAR(db[29], 0.0, 0.2);
    sine_reading(8000, 1, 1000, 1.0, 0.1, 0.2, db);
    CHECK(db[23] == -HUGE_VAL && db[22] > -100);
    CHECK_NEAR(db[17], 0.0, 0.2);
    /* nothing fed: nothing measured */
    struct octave_bank *b = octave_bank_new(48000, 2);
    octave_bank_read(b, db, true);
    for (int i = 0; i < OCTAVE_BANDS; i++)
        CHECK(db[i] == -HUGE_VAL);
    octave_bank_free(b);
}

/* The filters as built follow the formula, at the low bands at high rates
 * (the numerically hard case) as well: at the centre, the edges (-3 dB) and
 * one and two bands off. */
TEST(response_matches_design)
{
    const int rates[] = { 44100, 96000, 192000 };
    const int bands[] = { 0, 1, 5, 17, 28 };
    const double offs[] = { 0, -0.05, 0.05, -0.1, 0.1, -0.2, 0.2 };   /* decades */
    double worst = 0;
    for (int r = 0; r < 3; r++)
        for (int k = 0; k < 5; k++)
            for (int o = 0; o < 7; o++) {
                int i = bands[k];
                double f = octave_band_centre(i) * pow(10.0, offs[o]);
                double db[OCTAVE_BANDS];
                sine_reading(rates[r], 1, f, 0.5, 1.0, 1.0, db);
                double got = db[i] + 20 * log10(2.0), want = design_db(i, f, rates[r]);
                CHECK_MSG(fabs(got - want) < 0.05, "%d Hz band %s at %.2f Hz: %.3f dB, "
                          "design %.3f dB", rates[r], octave_band_label(i), f, got, want);
                worst = fmax(worst, fabs(got - want));
                if (offs[o] == 0.05 || offs[o] == -0.05)
                    CHECK_NEAR(want, -10 * log10(2.0), 1e-9);
            }
    printf("  bands 20, 25, 63, 1k, 10k at 44.1/96/192 kHz: within %.4f dB of the design\n",
           worst);
}

/* An in-place radix-2 FFT (sign -1 forward, +1 inverse, unscaled). */
static void fft(double complex *x, long n, int sign)
{
    for (long i = 1, j = 0; i < n; i++) {
        long bit = n >> 1;
        for (; j & bit; bit >>= 1)
            j ^= bit;
        j |= bit;
        if (i < j) {
            double complex t = x[i];
            x[i] = x[j];
            x[j] = t;
        }
    }
    for (long len = 2; len <= n; len <<= 1)
        for (long k = 0; k < len / 2; k++) {
            double complex w = cexp(sign * 2 * M_PI * I * k / len);
            for (long i = k; i < n; i += len) {
                double complex u = x[i], v = x[i + len / 2] * w;
                x[i] = u + v;
                x[i + len / 2] = u - v;
            }
        }
}

#define PERIOD (1L << 18)

/* Periodic noise of PERIOD samples: every bin from 1 up to Nyquist with
 * power bin^-tilt (0 white, 1 pink) and a random phase. Its spectrum is the
 * formula exactly, with no estimation noise, once whole periods are read. */
static double *periodic_noise(double tilt, double rms)
{
    double complex *X = calloc(PERIOD, sizeof *X);
    uint64_t s = 2024;
    double power = 0;
    for (long k = 1; k < PERIOD / 2; k++) {
        double a = pow((double)k, -tilt / 2);
        s ^= s >> 12, s ^= s << 25, s ^= s >> 27;
        double phase = 2 * M_PI * (double)((s * 2685821657736338717ULL) >> 11) / 9007199254740992.0;
        X[k] = a * cexp(I * phase);
        X[PERIOD - k] = conj(X[k]);
        power += a * a;
    }
    fft(X, PERIOD, +1);
    /* x = sum 2 a cos(...): power 2 a^2 per bin */
    double g = rms / sqrt(2 * power);
    double *x = malloc(PERIOD * sizeof *x);
    for (long n = 0; n < PERIOD; n++)
        x[n] = creal(X[n]) * g;
    free(X);
    return x;
}

/* The brick-wall 1/3-octave powers of one period, from its FFT, in dB per
 * band, for checking the test signal itself. */
static void brickwall_bands(const double *x, int rate, double db[OCTAVE_BANDS])
{
    double complex *X = malloc(PERIOD * sizeof *X);
    for (long n = 0; n < PERIOD; n++)
        X[n] = x[n];
    fft(X, PERIOD, -1);
    double h = pow(10.0, 0.05);
    for (int i = 0; i < OCTAVE_BANDS; i++) {
        double lo = octave_band_centre(i) / h, hi = octave_band_centre(i) * h, sum = 0;
        for (long k = 1; k < PERIOD / 2; k++) {
            double f = (double)k * rate / PERIOD;
            if (f >= lo && f < hi)
                sum += 2 * creal(X[k] * conj(X[k])) / ((double)PERIOD * PERIOD);
        }
        db[i] = 10 * log10(2 * sum);
    }
    free(X);
}

/* Reads one whole period after one period of settling. */
static void noise_reading(const double *x, int rate, double db[OCTAVE_BANDS])
{
    struct octave_bank *b = octave_bank_new(rate, 1);
    octave_bank_process(b, x, PERIOD);
    octave_bank_read(b, db, true);
    octave_bank_process(b, x, PERIOD);
    octave_bank_read(b, db, true);
    octave_bank_free(b);
}

/* White noise rises 1 dB per band (constant relative bandwidth); against
 * theory, the band's power is N0 times its noise bandwidth, which for a
 * 3rd-order Butterworth prototype is pi/3 times the -3 dB width. */
TEST(white_noise_rises_one_db_per_band)
{
    int rate = 48000;
    double rms = 0.1;
    double *x = periodic_noise(0, rms);
    double db[OCTAVE_BANDS], h = pow(10.0, 0.05), worst = 0;
    noise_reading(x, rate, db);
    double n0 = rms * rms / (rate / 2.0);       /* power per Hz */
    for (int i = 10; i <= 27; i++) {            /* 100 Hz .. 10 kHz */
        double width = octave_band_centre(i) * (h - 1 / h);
        double want = 10 * log10(2 * n0 * M_PI / 3 * width);
        CHECK_MSG(fabs(db[i] - want) <= 0.5, "band %s: %.3f dB, theory %.3f dB",
                  octave_band_label(i), db[i], want);
        CHECK_MSG(fabs(db[i] - db[i - 1] - 1) <= 0.5, "band %s rises %.3f dB",
                  octave_band_label(i), db[i] - db[i - 1]);
        worst = fmax(worst, fabs(db[i] - want));
    }
    printf("  white: 100 Hz..10 kHz within %.3f dB of theory (1k: %.3f dB; 20: %.2f, 20k: %.2f)\n",
           worst, db[17], db[0], db[30]);
    free(x);
}

/* The pink test signal is itself checked first: its brick-wall bands from
 * the FFT are flat within 0.2 dB from 20 Hz to 20 kHz. */
TEST(pink_noise_is_flat)
{
    int rate = 48000;
    double *x = periodic_noise(1, 0.1);
    double brick[OCTAVE_BANDS], db[OCTAVE_BANDS];
    brickwall_bands(x, rate, brick);
    noise_reading(x, rate, db);
    double bmin = HUGE_VAL, bmax = -HUGE_VAL, dmin = HUGE_VAL, dmax = -HUGE_VAL;
    for (int i = 0; i < OCTAVE_BANDS; i++) {
        bmin = fmin(bmin, brick[i]), bmax = fmax(bmax, brick[i]);
        dmin = fmin(dmin, db[i]), dmax = fmax(dmax, db[i]);
    }
    printf("  pink signal: brick-wall bands %.3f..%.3f dB; the bank reads %.3f..%.3f dB\n",
           bmin, bmax, dmin, dmax);
    CHECK_MSG(bmax - bmin <= 0.2, "the pink signal spans %.3f dB", bmax - bmin);
    CHECK_MSG(dmax - dmin <= 0.5, "pink reads over %.3f dB", dmax - dmin);
    /* pink against white: -1 dB per band, the tonal-balance case */
    double *w = periodic_noise(0, 0.1), white[OCTAVE_BANDS], worst = 0;
    noise_reading(w, rate, white);
    for (int i = 1; i < OCTAVE_BANDS; i++) {
        double step = (db[i] - white[i]) - (db[i - 1] - white[i - 1]);
        worst = fmax(worst, fabs(step + 1));
    }
    printf("  pink - white: steps of -1 dB per band within %.3f dB\n", worst);
    CHECK(worst <= 0.5);
    free(w);
    free(x);
}

static void same_db(const double *a, const double *b)
{
    for (int i = 0; i < OCTAVE_BANDS; i++)
        CHECK_MSG(a[i] == b[i] || (isinf(a[i]) && isinf(b[i])),
                  "band %s: %.17g vs %.17g", octave_band_label(i), a[i], b[i]);
}

TEST(block_sizes_and_repeatability)
{
    int rate = 44100, ch = 2;
    long frames = rate / 2;
    double *x = malloc((size_t)(frames * ch) * sizeof *x);
    uint64_t s = 5;
    for (long i = 0; i < frames * ch; i++)
        x[i] = 0.2 * signal_noise(&s);
    const long blocks[] = { 1, 7, 4096, 100000 };
    double ref[OCTAVE_BANDS], db[OCTAVE_BANDS];
    for (int k = 0; k < 4; k++) {
        struct octave_bank *b = octave_bank_new(rate, ch);
        for (long done = 0; done < frames; done += blocks[k])
            octave_bank_process(b, x + done * ch,
                                frames - done < blocks[k] ? frames - done : blocks[k]);
        octave_bank_read(b, k == 0 ? ref : db, true);
        if (k > 0)
            same_db(ref, db);
        /* reset is as good as new */
        octave_bank_reset(b);
        octave_bank_process(b, x, frames);
        octave_bank_read(b, db, true);
        same_db(ref, db);
        octave_bank_free(b);
    }
    /* restart = false keeps averaging: two reads' worth equals one */
    struct octave_bank *b = octave_bank_new(rate, ch);
    octave_bank_process(b, x, frames / 2);
    octave_bank_read(b, db, false);
    octave_bank_process(b, x + frames / 2 * ch, frames - frames / 2);
    octave_bank_read(b, db, false);
    same_db(ref, db);
    /* and restart = true starts afresh: the second half alone differs */
    octave_bank_reset(b);
    octave_bank_process(b, x, frames / 2);
    octave_bank_read(b, db, true);
    octave_bank_process(b, x + frames / 2 * ch, frames - frames / 2);
    octave_bank_read(b, db, true);
    CHECK(db[17] != ref[17]);
    octave_bank_free(b);
    free(x);
}

/* The console runs the bank on the UI thread on 1/25 s blocks. */
TEST(cost)
{
    const int rates[] = { 44100, 96000 };
    for (int r = 0; r < 2; r++) {
        int rate = rates[r], ch = 2, block = rate / 25;
        double *x = malloc((size_t)(block * ch) * sizeof *x);
        uint64_t s = 11;
        for (long i = 0; i < (long)block * ch; i++)
            x[i] = 0.2 * signal_noise(&s);
        struct octave_bank *b = octave_bank_new(rate, ch);
        double db[OCTAVE_BANDS];
        int blocks = 100;   /* 4 s of audio */
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        for (int k = 0; k < blocks; k++) {
            octave_bank_process(b, x, block);
            octave_bank_read(b, db, true);
        }
        clock_gettime(CLOCK_MONOTONIC, &t1);
        double secs = (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) * 1e-9;
        double speed = blocks / 25.0 / secs;
        printf("  %d Hz stereo: %.0fx realtime (%.3f ms per 1/25 s block)\n", rate, speed,
               secs * 1e3 / blocks);
        /* loose enough for a sanitizer build on a busy machine */
        CHECK(speed > 2);
        octave_bank_free(b);
        free(x);
    }
}
