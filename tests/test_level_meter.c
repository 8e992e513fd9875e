/* SPDX-License-Identifier: MIT */
/* Tests of dsp/level_meter: peaks, RMS and correlation of known signals,
 * true peak against truepeak_measure, block sizes and sample formats. */
#include "dsp/level_meter.h"
#include "dsp/truepeak.h"
#include "tests/harness.h"
#include "tests/signals.h"

#include <stdlib.h>

static void feed(struct level_meter *m, const double *x, long frames, int channels, long block)
{
    for (long done = 0; done < frames; done += block) {
        long n = frames - done < block ? frames - done : block;
        level_meter_process(m, x + done * channels, n);
    }
}

TEST(full_scale_sine)
{
    int rate = 48000;
    long frames = rate;     /* a whole number of periods */
    double *x = malloc(2 * (size_t)frames * sizeof *x);
    for (long n = 0; n < frames; n++)
        x[2 * n] = x[2 * n + 1] = sin(2 * M_PI * 1000.0 * n / rate);
    struct level_meter *m = level_meter_new(2, rate);
    CHECK(m != NULL);
    level_meter_process(m, x, frames);
    struct level_reading r;
    level_meter_take(m, &r);
    CHECK_EQ_INT(r.channels, 2);
    CHECK_EQ_INT(r.frames, frames);
    for (int c = 0; c < 2; c++) {
        CHECK_NEAR(r.peak[c], 1.0, 1e-12);
        CHECK_NEAR(r.rms[c], sqrt(0.5), 1e-6);
        CHECK(r.true_peak[c] >= r.peak[c]);
        CHECK_NEAR(20 * log10(r.true_peak[c]), 0.0, 0.1);
    }
    CHECK_NEAR(r.correlation, 1.0, 1e-12);
    printf("  1 kHz full scale: peak %.6f rms %.6f tp %+.3f dBTP\n", r.peak[0], r.rms[0],
           20 * log10(r.true_peak[0]));
    /* the take started a new reading */
    level_meter_take(m, &r);
    CHECK_EQ_INT(r.frames, 0);
    CHECK(r.peak[0] == 0 && r.rms[0] == 0 && r.correlation == 0);
    level_meter_free(m);
    free(x);
}

/* A sine at fs/4 with 45 degrees of phase: every sample sits at 0.7071 of
 * the wave's crest, which lies between samples. */
TEST(true_peak_between_samples)
{
    int rate = 48000;
    long frames = rate / 2;
    double *x = malloc((size_t)frames * sizeof *x);
    for (long n = 0; n < frames; n++)
        x[n] = 0.5 * sin(2 * M_PI * n / 4.0 + M_PI / 4);
    struct level_meter *m = level_meter_new(1, rate);
    level_meter_process(m, x, frames);
    /* truepeak_measure runs on into silence after the buffer: so do we */
    double zeros[TRUEPEAK_MAX_TAPS] = { 0 };
    level_meter_process(m, zeros, TRUEPEAK_MAX_TAPS);
    struct level_reading r;
    level_meter_take(m, &r);
    struct truepeak_filter f;
    truepeak_bs1770(&f);
    double want = truepeak_measure(&f, x, frames, 1, 0);
    double gain = 20 * log10(r.true_peak[0] / r.peak[0]);
    printf("  fs/4 at 45 deg: peak %.4f true peak %.4f (%+.2f dB), truepeak_measure %.4f\n",
           r.peak[0], r.true_peak[0], gain, want);
    CHECK_NEAR(r.peak[0], 0.5 * sqrt(0.5), 1e-9);
    CHECK_NEAR(gain, 3.0, 0.3);
    CHECK_NEAR(r.true_peak[0], want, 1e-12);
    level_meter_free(m);
    free(x);
}

static double correlation_of(const double *x, long frames)
{
    struct level_meter *m = level_meter_new(2, 48000);
    level_meter_process(m, x, frames);
    struct level_reading r;
    level_meter_take(m, &r);
    level_meter_free(m);
    return r.correlation;
}

TEST(correlation)
{
    long frames = 48000;
    double *x = malloc(2 * (size_t)frames * sizeof *x);
    uint64_t s = 42;
    for (long n = 0; n < frames; n++)
        x[2 * n] = x[2 * n + 1] = 0.2 * signal_noise(&s);
    double same = correlation_of(x, frames);
    for (long n = 0; n < frames; n++)
        x[2 * n + 1] = -x[2 * n];
    double inverted = correlation_of(x, frames);
    for (long n = 0; n < frames; n++)
        x[2 * n + 1] = 0.2 * signal_noise(&s);
    double independent = correlation_of(x, frames);
    memset(x, 0, 2 * (size_t)frames * sizeof *x);
    double silent = correlation_of(x, frames);
    printf("  correlation: same %+.4f inverted %+.4f independent %+.4f silent %+.4f\n",
           same, inverted, independent, silent);
    CHECK_NEAR(same, 1.0, 1e-12);
    CHECK_NEAR(inverted, -1.0, 1e-12);
    CHECK_NEAR(independent, 0.0, 0.02);
    CHECK(silent == 0.0);
    /* mono has nothing to correlate */
    struct level_meter *m = level_meter_new(1, 48000);
    level_meter_process(m, x, frames);
    struct level_reading r;
    level_meter_take(m, &r);
    CHECK(r.correlation == 0.0);
    level_meter_free(m);
    free(x);
}

static void same_reading(const struct level_reading *a, const struct level_reading *b)
{
    CHECK_EQ_INT(a->frames, b->frames);
    for (int c = 0; c < a->channels; c++) {
        CHECK(a->peak[c] == b->peak[c]);
        CHECK(a->true_peak[c] == b->true_peak[c]);
        CHECK(a->rms[c] == b->rms[c]);
    }
    CHECK(a->correlation == b->correlation);
}

/* Readings taken every 1000 frames must not depend on the blocks the audio
 * came in, and the true peak must see across every block and take. */
TEST(block_size_independence)
{
    int ch = 2;
    long frames = 20000;
    double *x = malloc((size_t)(ch * frames) * sizeof *x);
    uint64_t s = 7;
    for (long n = 0; n < frames; n++) {
        x[ch * n] = 0.3 * sin(2 * M_PI * n / 4.0 + M_PI / 4) + 0.05 * signal_noise(&s);
        x[ch * n + 1] = 0.4 * signal_noise(&s);
    }
    const long blocks[] = { 1, 7, 4096 };
    struct level_reading ref, r;
    for (int b = 0; b < 3; b++) {
        struct level_meter *m = level_meter_new(ch, 48000);
        feed(m, x, frames, ch, blocks[b]);
        level_meter_take(m, b == 0 ? &ref : &r);
        if (b > 0)
            same_reading(&ref, &r);
        level_meter_free(m);
    }
    /* the history carries across takes: a take between the samples of a
     * crest does not lose it */
    struct level_meter *whole = level_meter_new(ch, 48000), *cut = level_meter_new(ch, 48000);
    feed(whole, x, frames, ch, 4096);
    struct level_reading a, b, part;
    level_meter_take(whole, &a);
    memset(&b, 0, sizeof b);
    for (long done = 0; done < frames; done += 333) {
        long n = frames - done < 333 ? frames - done : 333;
        level_meter_process(cut, x + done * ch, n);
        level_meter_take(cut, &part);
        for (int c = 0; c < ch; c++)
            b.true_peak[c] = fmax(b.true_peak[c], part.true_peak[c]);
    }
    for (int c = 0; c < ch; c++)
        CHECK(a.true_peak[c] == b.true_peak[c]);
    level_meter_free(whole);
    level_meter_free(cut);
    free(x);
}

TEST(sample_formats)
{
    int ch = 2;
    long frames = 9600;
    short *s16 = malloc((size_t)(ch * frames) * sizeof *s16);
    int *s32 = malloc((size_t)(ch * frames) * sizeof *s32);
    float *f32 = malloc((size_t)(ch * frames) * sizeof *f32);
    double *d16 = malloc((size_t)(ch * frames) * sizeof *d16);
    double *d32 = malloc((size_t)(ch * frames) * sizeof *d32);
    double *df = malloc((size_t)(ch * frames) * sizeof *df);
    uint64_t seed = 99;
    for (long i = 0; i < ch * frames; i++) {
        double v = fmax(-1.0, fmin(0.999, 0.3 * signal_noise(&seed)));
        s16[i] = (short)lrint(v * 32767);
        s32[i] = (int)lrint(v * 2147483647.0);
        f32[i] = (float)v;
        d16[i] = s16[i] / 32768.0;
        d32[i] = s32[i] / 2147483648.0;
        df[i] = f32[i];
    }
    struct level_meter *m = level_meter_new(ch, 44100);
    struct level_reading a, b;
    level_meter_process_s16(m, s16, frames);
    level_meter_take(m, &a);
    level_meter_reset(m);
    level_meter_process(m, d16, frames);
    level_meter_take(m, &b);
    same_reading(&a, &b);
    level_meter_reset(m);
    level_meter_process_s32(m, s32, frames);
    level_meter_take(m, &a);
    level_meter_reset(m);
    level_meter_process(m, d32, frames);
    level_meter_take(m, &b);
    same_reading(&a, &b);
    level_meter_reset(m);
    level_meter_process_float(m, f32, frames);
    level_meter_take(m, &a);
    level_meter_reset(m);
    level_meter_process(m, df, frames);
    level_meter_take(m, &b);
    same_reading(&a, &b);
    /* and the three formats read the same signal alike */
    level_meter_reset(m);
    level_meter_process_s16(m, s16, frames);
    level_meter_take(m, &b);
    printf("  s16 vs float: rms %.6f / %.6f, peak %.6f / %.6f\n", b.rms[0], a.rms[0],
           b.peak[0], a.peak[0]);
    for (int c = 0; c < ch; c++) {
        CHECK_NEAR(a.rms[c], b.rms[c], 1e-4);
        CHECK_NEAR(a.peak[c], b.peak[c], 1e-4);
        CHECK_NEAR(a.true_peak[c], b.true_peak[c], 1e-4);
    }
    CHECK_NEAR(a.correlation, b.correlation, 1e-3);
    level_meter_free(m);
    free(s16); free(s32); free(f32); free(d16); free(d32); free(df);
}

/* A take keeps the interpolator's history, a reset forgets it: silence
 * after a loud sample still shows the sample's ringing only without reset. */
TEST(reset_forgets_history)
{
    double loud[8] = { 0, 0, 0, 0, 0, 0, 0, 0.9 }, zeros[TRUEPEAK_MAX_TAPS] = { 0 };
    struct level_meter *m = level_meter_new(1, 48000);
    struct level_reading r;
    level_meter_process(m, loud, 8);
    level_meter_take(m, &r);
    level_meter_process(m, zeros, TRUEPEAK_MAX_TAPS);
    level_meter_take(m, &r);
    double kept = r.true_peak[0];
    level_meter_process(m, loud, 8);
    level_meter_reset(m);
    level_meter_process(m, zeros, TRUEPEAK_MAX_TAPS);
    level_meter_take(m, &r);
    printf("  silence after a 0.9 sample: %.4f after a take, %.4f after a reset\n", kept,
           r.true_peak[0]);
    CHECK(kept > 0.1);
    CHECK(r.true_peak[0] == 0.0);
    CHECK_EQ_INT(r.frames, TRUEPEAK_MAX_TAPS);
    level_meter_free(m);
}

TEST(bad_arguments)
{
    CHECK(level_meter_new(0, 48000) == NULL);
    CHECK(level_meter_new(LEVEL_METER_MAX_CHANNELS + 1, 48000) == NULL);
    struct level_meter *m = level_meter_new(LEVEL_METER_MAX_CHANNELS, 48000);
    CHECK(m != NULL);
    level_meter_free(m);
    level_meter_free(NULL);
}
