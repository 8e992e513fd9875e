/* SPDX-License-Identifier: MIT */
/* Tests of the width processor: identity, mono, side scaling, bass mono,
 * other channel counts, block-size independence, state and latency. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dsp/processor.h"
#include "session/params.h"
#include "tests/harness.h"

static double noise(uint64_t *s)
{
    *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
    return (double)(int64_t)*s / 9223372036854775808.0;
}

static struct processor *make(const char *text, double rate, int channels, int max_block)
{
    struct proc p;
    char err[200];
    if (!proc_parse(&p, PROC_WIDTH, text, err, sizeof err)) {
        CHECK_MSG(0, "%s: %s", text, err);
        return NULL;
    }
    struct processor *w = processor_new(&p, rate, channels, max_block);
    CHECK_MSG(w, "%s: no processor", text);
    return w;
}

static double *noise_buf(size_t n, uint64_t seed)
{
    double *b = malloc(n * sizeof *b);
    for (size_t i = 0; b && i < n; i++)
        b[i] = noise(&seed);
    return b;
}

TEST(full_width_is_identity)
{
    enum { N = 10000 };
    struct processor *w = make("100%", 48000, 2, N);
    double *x = noise_buf(2 * N, 1), *y = noise_buf(2 * N, 1);
    CHECK(w && x && y);
    if (w && x && y) {
        processor_process(w, y, N);
        CHECK(memcmp(x, y, 2 * N * sizeof *x) == 0);
    }
    processor_free(w);
    free(x);
    free(y);
}

TEST(zero_width_is_mono)
{
    enum { N = 10000 };
    struct processor *w = make("0%", 48000, 2, N);
    double *x = noise_buf(2 * N, 2), *y = noise_buf(2 * N, 2);
    CHECK(w && x && y);
    if (w && x && y) {
        processor_process(w, y, N);
        int mono = 1;
        double err = 0;
        for (int f = 0; f < N; f++) {
            mono &= y[2 * f] == y[2 * f + 1];
            err = fmax(err, fabs(y[2 * f] - 0.5 * (x[2 * f] + x[2 * f + 1])));
        }
        CHECK_MSG(mono, "L != R at 0%%");
        CHECK_NEAR(err, 0, 1e-15);
    }
    processor_free(w);
    free(x);
    free(y);
}

TEST(amount_scales_the_side_only)
{
    static const double amounts[] = { 25, 50, 150, 200 };
    enum { N = 4800 };
    for (size_t i = 0; i < sizeof amounts / sizeof amounts[0]; i++) {
        char text[40];
        snprintf(text, sizeof text, "%g%%", amounts[i]);
        struct processor *w = make(text, 48000, 2, N);
        double *x = noise_buf(2 * N, 3), *y = noise_buf(2 * N, 3);
        CHECK(w && x && y);
        if (w && x && y) {
            processor_process(w, y, N);
            double merr = 0, serr = 0;
            for (int f = 0; f < N; f++) {
                double m0 = x[2 * f] + x[2 * f + 1], s0 = x[2 * f] - x[2 * f + 1];
                double m1 = y[2 * f] + y[2 * f + 1], s1 = y[2 * f] - y[2 * f + 1];
                merr = fmax(merr, fabs(m1 - m0));
                serr = fmax(serr, fabs(s1 - s0 * amounts[i] / 100));
            }
            CHECK_NEAR(merr, 0, 1e-14);
            CHECK_NEAR(serr, 0, 1e-14);
        }
        processor_free(w);
        free(x);
        free(y);
    }
}

/* RMS level in dB of the side ((L-R)/2) of frames [from, n). */
static double side_db(const double *b, int from, int n)
{
    double e = 0;
    for (int f = from; f < n; f++) {
        double s = 0.5 * (b[2 * f] - b[2 * f + 1]);
        e += s * s;
    }
    return 10 * log10(e / (n - from));
}

/* Side level change in dB through `text` for a side-only sine at freq. */
static double side_change_db(const char *text, double rate, double freq)
{
    int n = (int)rate;   /* 1 s; the first half lets the filter settle */
    double *b = malloc(2 * (size_t)n * sizeof *b);
    struct processor *w = make(text, rate, 2, n);
    CHECK(b && w);
    double d = NAN;
    if (b && w) {
        for (int f = 0; f < n; f++) {
            double s = 0.5 * sin(2 * M_PI * freq * f / rate);
            b[2 * f] = s;
            b[2 * f + 1] = -s;
        }
        double before = side_db(b, n / 2, n);
        processor_process(w, b, n);
        d = side_db(b, n / 2, n) - before;
    }
    processor_free(w);
    free(b);
    return d;
}

TEST(mono_below_removes_the_low_side)
{
    static const double rates[] = { 44100, 48000, 96000 };
    for (size_t r = 0; r < 3; r++) {
        double low = side_change_db("100% mono-below 120Hz", rates[r], 40);
        double high = side_change_db("100% mono-below 120Hz", rates[r], 2000);
        double wide = side_change_db("150% mono-below 120Hz", rates[r], 2000);
        /* LR4 high-pass: |H| = x^4 / (1 + x^4) with x = f / 120 Hz. */
        double x = 40.0 / 120, want = 20 * log10(pow(x, 4) / (1 + pow(x, 4)));
        if (r == 0)
            printf("  side at 40 Hz: %.2f dB (LR4 %.2f dB), at 2 kHz: %.5f dB\n",
                   low, want, high);
        CHECK_MSG(low < -30, "40 Hz side only %.2f dB down", low);
        CHECK_NEAR(low, want, 0.5);
        CHECK_NEAR(high, 0, 0.01);
        CHECK_NEAR(wide, 20 * log10(1.5), 0.01);
    }
}

TEST(mono_below_leaves_the_mid_alone)
{
    enum { N = 48000 };
    struct processor *w = make("130% mono-below 200Hz", 48000, 2, N);
    double *b = malloc(2 * N * sizeof *b), *ref = malloc(2 * N * sizeof *ref);
    CHECK(w && b && ref);
    if (w && b && ref) {
        uint64_t s = 9;
        for (int f = 0; f < N; f++)
            b[2 * f] = b[2 * f + 1] = noise(&s);
        memcpy(ref, b, 2 * N * sizeof *b);
        processor_process(w, b, N);
        CHECK(memcmp(ref, b, 2 * N * sizeof *b) == 0);
    }
    processor_free(w);
    free(b);
    free(ref);
}

static double *run_blocks(const char *text, int channels, int frames, int block)
{
    struct processor *w = make(text, 44100, channels, block);
    double *b = noise_buf((size_t)frames * channels, 5);
    if (w && b)
        for (int at = 0; at < frames; at += block)
            processor_process(w, b + (size_t)at * channels,
                              frames - at < block ? frames - at : block);
    processor_free(w);
    if (!w) {
        free(b);
        return NULL;
    }
    return b;
}

TEST(output_does_not_depend_on_block_size)
{
    static const char *const cases[] = { "60%", "180% mono-below 150Hz" };
    static const int blocks[] = { 7, 64, 65536 };
    static const int chans[] = { 2, 6 };
    enum { FRAMES = 70000 };
    for (size_t i = 0; i < 2; i++)
        for (size_t c = 0; c < 2; c++) {
            double *ref = run_blocks(cases[i], chans[c], FRAMES, 1);
            CHECK(ref);
            for (size_t k = 0; ref && k < 3; k++) {
                double *out = run_blocks(cases[i], chans[c], FRAMES, blocks[k]);
                CHECK_MSG(out && memcmp(ref, out, (size_t)FRAMES * chans[c] * sizeof *out) == 0,
                          "%s, %d channels: blocks of %d differ from blocks of 1",
                          cases[i], chans[c], blocks[k]);
                free(out);
            }
            free(ref);
        }
}

TEST(other_channels_pass_through)
{
    enum { N = 4800, CH = 6 };
    struct processor *six = make("40% mono-below 100Hz", 48000, CH, N);
    struct processor *two = make("40% mono-below 100Hz", 48000, 2, N);
    struct processor *one = make("40% mono-below 100Hz", 48000, 1, N);
    double *x = noise_buf(CH * N, 6), *y = noise_buf(CH * N, 6);
    double *st = malloc(2 * N * sizeof *st), *mono = noise_buf(N, 8), *mref = noise_buf(N, 8);
    CHECK(six && two && one && x && y && st && mono && mref);
    if (six && two && one && x && y && st && mono && mref) {
        for (int f = 0; f < N; f++) {
            st[2 * f] = x[CH * f];
            st[2 * f + 1] = x[CH * f + 1];
        }
        processor_process(six, y, N);
        processor_process(two, st, N);
        int front = 1, rest = 1;
        for (int f = 0; f < N; f++) {
            front &= y[CH * f] == st[2 * f] && y[CH * f + 1] == st[2 * f + 1];
            for (int c = 2; c < CH; c++)
                rest &= y[CH * f + c] == x[CH * f + c];
        }
        CHECK_MSG(front, "channels 0/1 of 5.1 differ from a stereo run");
        CHECK_MSG(rest, "channels 2..5 were changed");
        processor_process(one, mono, N);
        CHECK_MSG(memcmp(mono, mref, N * sizeof *mono) == 0, "mono was changed");
    }
    processor_free(six);
    processor_free(two);
    processor_free(one);
    free(x);
    free(y);
    free(st);
    free(mono);
    free(mref);
}

TEST(impulse_arrives_at_the_reported_latency)
{
    enum { N = 512 };
    struct processor *w = make("50% mono-below 80Hz", 44100, 2, N);
    CHECK(w);
    if (!w)
        return;
    int latency = processor_latency(w);
    CHECK_EQ_INT(latency, 0);
    double b[2 * N] = { 0 };
    b[0] = 1;
    processor_process(w, b, N);
    for (int c = 0; c < 2; c++) {
        int peak = 0;
        for (int f = 1; f < N; f++)
            if (fabs(b[2 * f + c]) > fabs(b[2 * peak + c]))
                peak = f;
        CHECK_MSG(peak == latency, "channel %d: peak at %d, latency %d", c, peak, latency);
    }
    processor_free(w);
}

TEST(copy_state_and_reset)
{
    enum { N = 3000 };
    struct processor *a = make("120% mono-below 150Hz", 48000, 2, N);
    struct processor *b = make("120% mono-below 150Hz", 48000, 2, N);
    struct processor *fresh = make("120% mono-below 150Hz", 48000, 2, N);
    double *x = noise_buf(2 * N, 4), *y = malloc(2 * N * sizeof *y), *z = malloc(2 * N * sizeof *z);
    size_t size = 2 * N * sizeof *x;
    CHECK(a && b && fresh && x && y && z);
    if (a && b && fresh && x && y && z) {
        memcpy(y, x, size);
        processor_process(a, y, N);
        processor_copy_state(b, a);
        memcpy(y, x, size);
        memcpy(z, x, size);
        processor_process(a, y, N);
        processor_process(b, z, N);
        CHECK(memcmp(y, z, size) == 0);
        memcpy(z, x, size);
        processor_process(fresh, z, N);
        CHECK(memcmp(y, z, size) != 0);
        processor_reset(a);
        processor_reset(fresh);
        memcpy(y, x, size);
        memcpy(z, x, size);
        processor_process(a, y, N);
        processor_process(fresh, z, N);
        CHECK(memcmp(y, z, size) == 0);
    }
    processor_free(a);
    processor_free(b);
    processor_free(fresh);
    free(x);
    free(y);
    free(z);
}
