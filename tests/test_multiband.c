/* SPDX-License-Identifier: MIT */
/* Tests of the multiband compressor: transparent at ratio 1, one loud band
 * compressed while the others pass, block-size independence, latency. */
#include <complex.h>
#include <stdint.h>
#include <stdlib.h>

#include "dsp/crossover.h"
#include "dsp/processor.h"
#include "tests/harness.h"

#define RATE 48000.0

static struct processor *multiband(const char *text, int channels, int max_block)
{
    struct proc p;
    char err[200];
    if (!proc_parse(&p, PROC_MULTIBAND, text, err, sizeof err)) {
        harness_fail(__FILE__, __LINE__, "%s: %s", text, err);
        return NULL;
    }
    return processor_new(&p, RATE, channels, max_block);
}

static void run(struct processor *pr, double *buf, long frames, int channels, int block)
{
    for (long i = 0; i < frames; i += block) {
        int n = frames - i < block ? (int)(frames - i) : block;
        processor_process(pr, buf + i * channels, n);
    }
}

/* Amplitude of the component at freq in x[0..n) (stride), from one DFT
 * bin over a whole number of its periods. */
static double amplitude(const double *x, long n, int stride, double freq)
{
    long periods = (long)(n * freq / RATE);
    long len = (long)lround(periods * RATE / freq);
    double complex s = 0;
    for (long i = 0; i < len; i++)
        s += x[i * stride] * cexp(-2 * M_PI * I * freq * i / RATE);
    return 2 * cabs(s) / len;
}

/* At ratio 1 the bands sum back to the input's magnitude at every
 * frequency: the crossover's allpass sum, nothing else. */
TEST(multiband_ratio_one_is_flat)
{
    const char *settings[] = {
        "xover 200Hz ratio 1 threshold -60dB",
        "ratio 1 threshold -60dB",
        "xover 100Hz 1kHz 6kHz ratio 1 threshold -60dB attack 1ms",
    };
    const double freqs[] = { 40, 100, 200, 700, 1000, 2500, 6000, 15000 };
    double worst = 0;
    for (int s = 0; s < 3; s++)
        for (int f = 0; f < 8; f++) {
            long len = (long)RATE, tail = 24000;
            double *buf = malloc((size_t)len * 2 * sizeof *buf);
            for (long i = 0; i < len; i++)
                buf[i * 2] = buf[i * 2 + 1] = 0.7 * sin(2 * M_PI * freqs[f] * i / RATE);
            struct processor *pr = multiband(settings[s], 2, 1024);
            run(pr, buf, len, 2, 1024);
            double a = amplitude(buf + (len - tail) * 2, tail, 2, freqs[f]);
            double db = 20 * log10(a / 0.7);
            worst = fmax(worst, fabs(db));
            CHECK_MSG(fabs(db) <= 0.01, "%s at %g Hz: %+.4f dB", settings[s], freqs[f], db);
            CHECK(processor_gain_reduction(pr) == 0);
            processor_free(pr);
            free(buf);
        }
    printf("    largest deviation %.5f dB\n", worst);
}

/* Output level of the compressor curve at x dBFS: hard knee. */
static double hard_curve(double x, double threshold, double ratio)
{
    return x <= threshold ? x : threshold + (x - threshold) / ratio;
}

/* A loud bass under a quiet treble: the low band is compressed, the high
 * band passes untouched. What comes out at 50 Hz is predicted from the
 * crossover's band responses there, each band's level and the curve: the
 * low band's share compressed, the middle band's leak (30 dB down, under
 * the threshold) not. */
TEST(multiband_compresses_only_the_loud_band)
{
    /* faded in over 100 ms, so that no onset transient sets off the middle
     * band, whose release would then still be running at the end */
    long len = (long)(4 * RATE), tail = 24000, fade = (long)(0.1 * RATE);
    double *x = malloc((size_t)len * sizeof *x), *y = malloc((size_t)len * sizeof *y);
    for (long i = 0; i < len; i++) {
        double env = i < fade ? 0.5 - 0.5 * cos(M_PI * i / fade) : 1;
        x[i] = y[i] = env * (0.5 * sin(2 * M_PI * 50 * i / RATE) +
                             0.01 * sin(2 * M_PI * 8000 * i / RATE));
    }
    /* 3 bands at 120 Hz and 2.5 kHz; 4:1 at -30 dB, hard knee */
    struct processor *pr =
        multiband("xover 120Hz 2.5kHz threshold -30dB ratio 4 knee 0dB attack 5ms release 1s", 1, 4096);
    run(pr, y, len, 1, 4096);
    double low = 20 * log10(amplitude(y + len - tail, tail, 1, 50) / 0.5);
    double high = 20 * log10(amplitude(y + len - tail, tail, 1, 8000) / 0.01);

    const double freqs[] = { 120, 2500 };
    struct crossover *xo = crossover_new(RATE, 1, freqs, 2);
    double complex sum = 0;
    double low_gr = 0;
    for (int b = 0; b < 3; b++) {
        double complex h = crossover_band_response(xo, b, 50);
        double level = 20 * log10(0.5 * cabs(h));
        double gain = hard_curve(level, -30, 4) - level;
        sum += h * pow(10, gain / 20);
        if (b == 0)
            low_gr = -gain;
    }
    crossover_free(xo);
    double want = 20 * log10(cabs(sum));
    printf("    50 Hz %+.3f dB (predicted %+.3f), 8 kHz %+.4f dB\n", low, want, high);
    CHECK(want < -15);
    CHECK_NEAR(low, want, 0.1);
    CHECK_NEAR(high, 0, 0.01);
    CHECK_NEAR(processor_gain_reduction(pr), low_gr, 0.1);
    processor_free(pr);

    /* per-band settings: only the top band may compress, so nothing does */
    memcpy(y, x, (size_t)len * sizeof *y);
    pr = multiband("xover 120Hz 2.5kHz threshold 0dB 0dB -30dB ratio 4", 1, 4096);
    run(pr, y, len, 1, 4096);
    CHECK_NEAR(20 * log10(amplitude(y + len - tail, tail, 1, 50) / 0.5), 0, 0.01);
    CHECK(processor_gain_reduction(pr) == 0);
    processor_free(pr);
    free(x);
    free(y);
}

static uint64_t rng_state;

static double urand(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (double)(rng_state >> 11) / 9007199254740992.0 * 2 - 1;
}

static double *program(long frames, int channels)
{
    double *buf = malloc((size_t)frames * channels * sizeof *buf);
    rng_state = 3;
    for (long i = 0; i < frames; i++)
        for (int c = 0; c < channels; c++) {
            double t = i / RATE;
            double env = fmod(t, 0.25) < 0.1 ? 1 : 0.2;
            buf[i * channels + c] = env * (0.5 * sin(2 * M_PI * (60 + 10 * c) * t) +
                                           0.3 * sin(2 * M_PI * 3000 * t) + 0.1 * urand());
        }
    return buf;
}

TEST(multiband_block_size_independence)
{
    const int blocks[] = { 1, 7, 64, 65536 };
    const int chans[] = { 2, 6 };
    long len = 48000;
    for (int ci = 0; ci < 2; ci++) {
        int ch = chans[ci];
        double *ref = NULL;
        for (int b = 0; b < 4; b++) {
            double *buf = program(len, ch);
            struct processor *pr = multiband("xover 150Hz 1kHz 5kHz threshold -24dB ratio 3", ch,
                                             blocks[b]);
            CHECK(pr != NULL);
            run(pr, buf, len, ch, blocks[b]);
            if (!ref) {
                ref = buf;
            } else {
                CHECK_MSG(memcmp(ref, buf, (size_t)len * ch * sizeof *buf) == 0,
                          "%d channels: blocks of %d differ", ch, blocks[b]);
                free(buf);
            }
            processor_free(pr);
        }
        free(ref);
    }
}

/* Six channels: compressed, and the same in every channel that got the same
 * input. */
TEST(multiband_six_channels)
{
    int ch = 6;
    long len = 48000;
    double *buf = malloc((size_t)len * ch * sizeof *buf);
    for (long i = 0; i < len; i++)
        for (int c = 0; c < ch; c++)
            buf[i * ch + c] = (c == 5 ? 0.1 : 0.6) * sin(2 * M_PI * 80 * i / RATE);
    struct processor *pr = multiband("threshold -20dB ratio 4", ch, 4800);
    run(pr, buf, len, ch, 4800);
    CHECK(processor_gain_reduction(pr) > 5);
    long differ = 0;
    for (long i = 0; i < len; i++)
        for (int c = 1; c < 5; c++)
            differ += buf[i * ch + c] != buf[i * ch];
    CHECK_EQ_INT(differ, 0);
    for (long i = 0; i < len * ch; i++)
        CHECK(isfinite(buf[i]));
    processor_free(pr);
    free(buf);
}

/* Latency 0: an impulse under the threshold starts coming out at once, and
 * the allpass sum keeps all its energy. */
TEST(multiband_latency_zero)
{
    struct processor *pr = multiband("xover 100Hz 1kHz 6kHz threshold -20dB", 1, 48000);
    CHECK_EQ_INT(processor_latency(pr), 0);
    long len = 48000;
    double *buf = calloc((size_t)len, sizeof *buf);
    buf[100] = 0.05;
    run(pr, buf, len, 1, 48000);
    long first = -1;
    double energy = 0;
    for (long i = 0; i < len; i++) {
        if (first < 0 && fabs(buf[i]) > 1e-12)
            first = i;
        energy += buf[i] * buf[i];
    }
    CHECK_EQ_INT(first, 100);
    CHECK_NEAR(energy, 0.05 * 0.05, 1e-9);
    processor_free(pr);
    free(buf);
}

TEST(multiband_copy_state_and_reset)
{
    long len = 24000;
    const char *set = "xover 200Hz 3kHz threshold -30dB ratio 2 4 8";
    double *a = program(len, 2), *b = program(len, 2), *c = program(len, 2), *d = program(len, 2);
    struct processor *p1 = multiband(set, 2, 4096), *p2 = multiband(set, 2, 4096);
    struct processor *fresh = multiband(set, 2, 4096);
    run(p1, a, len / 2, 2, 4096);
    processor_copy_state(p2, p1);
    run(p1, a + len, len / 2, 2, 4096);
    run(p2, b + len, len / 2, 2, 4096);
    CHECK(memcmp(a + len, b + len, (size_t)len / 2 * 2 * sizeof *a) == 0);
    processor_reset(p1);
    run(p1, c, len, 2, 4096);
    run(fresh, d, len, 2, 4096);
    CHECK(memcmp(c, d, (size_t)len * 2 * sizeof *c) == 0);
    processor_free(p1);
    processor_free(p2);
    processor_free(fresh);
    free(a);
    free(b);
    free(c);
    free(d);
}
