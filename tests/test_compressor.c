/* SPDX-License-Identifier: MIT */
/* Tests of the compressor: the static curve against its formula, the
 * attack and release time constants, the side-chain filter, mix, makeup,
 * linking, block-size independence and latency. */
#include <stdint.h>
#include <stdlib.h>

#include "dsp/processor.h"
#include "tests/harness.h"

#define RATE 48000.0

struct comp_settings {
    double threshold, ratio, attack, release, knee, makeup, hp, mix;
    int detector, link;
};

static struct processor *comp(const struct comp_settings *s, int channels, int max_block)
{
    struct proc p;
    proc_init(&p, PROC_COMP);
    proc_set(&p, COMP_THRESHOLD, s->threshold);
    proc_set(&p, COMP_RATIO, s->ratio);
    proc_set(&p, COMP_ATTACK, s->attack);
    proc_set(&p, COMP_RELEASE, s->release);
    proc_set(&p, COMP_KNEE, s->knee);
    proc_set(&p, COMP_MAKEUP, s->makeup);
    proc_set(&p, COMP_SIDECHAIN_HP, s->hp);
    proc_set(&p, COMP_MIX, s->mix);
    proc_set(&p, COMP_DETECTOR, s->detector);
    proc_set(&p, COMP_LINK, s->link);
    return processor_new(&p, RATE, channels, max_block);
}

static const struct comp_settings base = {
    .threshold = -20, .ratio = 4, .attack = 10, .release = 200, .knee = 0,
    .makeup = 0, .hp = 0, .mix = 100, .detector = DETECT_PEAK, .link = LINK_STEREO,
};

/* The curve written out independently of dsp/dynamics.c: output level
 * for input level x (Giannoulis, Massberg and Reiss's quadratic knee). */
static double curve_out(double x, double t, double r, double w)
{
    if (2 * (x - t) < -w)
        return x;
    if (2 * fabs(x - t) <= w)
        return x + (1 / r - 1) * (x - t + w / 2) * (x - t + w / 2) / (2 * w);
    return t + (x - t) / r;
}

static void run(struct processor *pr, double *buf, long frames, int channels, int block)
{
    for (long i = 0; i < frames; i += block) {
        int n = frames - i < block ? (int)(frames - i) : block;
        processor_process(pr, buf + i * channels, n);
    }
}

static double rms(const double *x, long n, int stride)
{
    double s = 0;
    for (long i = 0; i < n; i++)
        s += x[i * stride] * x[i * stride];
    return sqrt(s / n);
}

/* Steady-state gain in dB of a 1 kHz sine at `level` dBFS (peak). */
static double steady_gain_db(const struct comp_settings *s, double level)
{
    long len = (long)(0.6 * RATE), tail = (long)(0.1 * RATE);
    double *x = malloc((size_t)len * sizeof *x), *y = malloc((size_t)len * sizeof *y);
    for (long i = 0; i < len; i++)
        x[i] = y[i] = pow(10, level / 20) * sin(2 * M_PI * 1000 * i / RATE);
    struct processor *pr = comp(s, 1, 4096);
    run(pr, y, len, 1, 4096);
    double g = 20 * log10(rms(y + len - tail, tail, 1) / rms(x + len - tail, tail, 1));
    processor_free(pr);
    free(x);
    free(y);
    return g;
}

TEST(comp_static_curve_matches_the_formula)
{
    const double thresholds[] = { -40, -20, -8 };
    const double ratios[] = { 1.5, 4, 20 };
    const double knees[] = { 0, 6, 12 };
    double worst = 0;
    int points = 0;
    for (int det = 0; det < 2; det++)
        for (int ti = 0; ti < 3; ti++)
            for (int ri = 0; ri < 3; ri++)
                for (int ki = 0; ki < 3; ki++) {
                    struct comp_settings s = base;
                    s.threshold = thresholds[ti];
                    s.ratio = ratios[ri];
                    s.knee = knees[ki];
                    s.detector = det;
                    s.attack = 5;
                    s.release = 300;
                    for (double level = -60; level <= 0; level += 3) {
                        double want = curve_out(level, s.threshold, s.ratio, s.knee) - level;
                        double got = steady_gain_db(&s, level);
                        worst = fmax(worst, fabs(got - want));
                        points++;
                        CHECK_MSG(fabs(got - want) <= 0.1,
                                  "%s T %g R %g K %g at %g dBFS: gain %.3f dB, formula %.3f dB",
                                  det ? "rms" : "peak", s.threshold, s.ratio, s.knee, level,
                                  got, want);
                    }
                }
    printf("    %d levels, largest deviation from the formula %.4f dB\n", points, worst);
}

/* Time for the gain reduction to cover 1 - 1/e of a step's change, in ms.
 * The step falls on a crest of the sine so the detector sees it at once. */
static double step_time_ms(const struct comp_settings *s, double from, double to)
{
    /* long enough on both sides to settle: 8 time constants */
    double settle = 8 * fmax(s->attack, s->release) / 1000 + 0.1;
    long pre = (long)(settle * RATE), post = (long)(settle * RATE);
    struct processor *pr = comp(s, 1, 1);
    double before = 0, *gr = malloc((size_t)post * sizeof *gr);
    for (long i = 0; i < pre + post; i++) {
        long k = i - pre;
        double level = k < 0 ? from : to;
        double x = pow(10, level / 20) * cos(2 * M_PI * 1000 * k / RATE);
        processor_process(pr, &x, 1);
        if (k == -1)
            before = processor_gain_reduction(pr);
        if (k >= 0)
            gr[k] = processor_gain_reduction(pr);
    }
    double after = gr[post - 1];
    double mark = before + (after - before) * (1 - exp(-1));
    long k = 0;
    while (k < post && (after > before ? gr[k] < mark : gr[k] > mark))
        k++;
    processor_free(pr);
    free(gr);
    return (k + 1) / RATE * 1000;
}

TEST(comp_attack_and_release_time_constants)
{
    const double attacks[] = { 1, 10, 50, 200 };
    const double releases[] = { 20, 100, 500, 1000 };
    for (int i = 0; i < 4; i++) {
        struct comp_settings s = base;
        s.attack = attacks[i];
        s.release = releases[i];
        /* -40 dBFS is under the threshold, -4 dBFS is 16 dB over it */
        double a = step_time_ms(&s, -40, -4);
        double r = step_time_ms(&s, -4, -40);
        printf("    attack %g ms: measured %.3f ms; release %g ms: measured %.3f ms\n",
               s.attack, a, s.release, r);
        CHECK_NEAR(a, s.attack, 0.1 * s.attack);
        CHECK_NEAR(r, s.release, 0.1 * s.release);
    }
}

/* Below the threshold the compressor applies only the makeup; the reported
 * reduction is zero there and the curve's value above. */
TEST(comp_makeup_and_reported_reduction)
{
    struct comp_settings s = base;
    s.makeup = 3.5;
    CHECK_NEAR(steady_gain_db(&s, -40), 3.5, 1e-9);
    long len = 48000;
    struct processor *pr = comp(&s, 1, 4096);
    double *x = malloc((size_t)len * sizeof *x);
    for (long i = 0; i < len; i++)
        x[i] = 0.05 * sin(2 * M_PI * 1000 * i / RATE);
    run(pr, x, len, 1, 4096);
    CHECK(processor_gain_reduction(pr) == 0);
    for (long i = 0; i < len; i++)
        x[i] = pow(10, -8 / 20.0) * cos(2 * M_PI * 1000 * i / RATE);
    run(pr, x, len, 1, 4096);
    /* 12 dB over a 4:1 hard knee: 9 dB at the crests */
    CHECK_NEAR(processor_gain_reduction(pr), 9, 0.1);
    processor_free(pr);
    free(x);
}

/* The side-chain high-pass keeps bass out of the detector only: a 30 Hz
 * tone over the threshold is hardly compressed, a 3 kHz tone as before. */
TEST(comp_sidechain_highpass)
{
    struct comp_settings s = base, hp = base;
    hp.hp = 300;
    s.release = hp.release = 1000;
    long len = (long)(1.5 * RATE), tail = (long)(0.2 * RATE);
    const double freqs[] = { 30, 3000 };
    double gain[2][2];
    for (int f = 0; f < 2; f++)
        for (int k = 0; k < 2; k++) {
            double *x = malloc((size_t)len * sizeof *x), *y = malloc((size_t)len * sizeof *y);
            for (long i = 0; i < len; i++)
                x[i] = y[i] = 0.5 * sin(2 * M_PI * freqs[f] * i / RATE);
            struct processor *pr = comp(k ? &hp : &s, 1, 4096);
            run(pr, y, len, 1, 4096);
            gain[f][k] = 20 * log10(rms(y + len - tail, tail, 1) / rms(x + len - tail, tail, 1));
            processor_free(pr);
            free(x);
            free(y);
        }
    /* -6 dBFS is 14 dB over: 10.5 dB of reduction without the filter */
    CHECK_NEAR(gain[0][0], -10.5, 0.3);
    CHECK(gain[0][1] > -0.5);
    CHECK_NEAR(gain[1][1], gain[1][0], 0.1);
}

/* mix 50 %: half the dry signal plus half the compressed one. */
TEST(comp_mix_is_parallel)
{
    struct comp_settings s = base, wet = base;
    s.mix = 50;
    double level = -4;
    double g_wet = pow(10, steady_gain_db(&wet, level) / 20);
    double g_mix = pow(10, steady_gain_db(&s, level) / 20);
    CHECK_NEAR(g_mix, 0.5 + 0.5 * g_wet, 0.005);
}

/* Linked: the same gain on both channels; mid/side: a loud mid is
 * compressed and a quiet side left alone. */
TEST(comp_stereo_link_and_midside)
{
    long len = (long)(0.8 * RATE), tail = (long)(0.1 * RATE);
    double *x = malloc((size_t)len * 2 * sizeof *x), *y = malloc((size_t)len * 2 * sizeof *y);
    for (long i = 0; i < len; i++) {
        double m = 0.5 * sin(2 * M_PI * 1000 * i / RATE);
        double side = 0.01 * sin(2 * M_PI * 1500 * i / RATE);
        x[i * 2] = y[i * 2] = m + side;
        x[i * 2 + 1] = y[i * 2 + 1] = m - side;
    }
    struct comp_settings s = base;
    s.link = LINK_MIDSIDE;
    struct processor *pr = comp(&s, 2, 4096);
    run(pr, y, len, 2, 4096);
    double *mid_in = malloc((size_t)tail * sizeof *mid_in), *mid_out = malloc((size_t)tail * sizeof *mid_out);
    double *side_in = malloc((size_t)tail * sizeof *side_in), *side_out = malloc((size_t)tail * sizeof *side_out);
    for (long i = 0; i < tail; i++) {
        long k = len - tail + i;
        mid_in[i] = (x[k * 2] + x[k * 2 + 1]) / 2;
        side_in[i] = (x[k * 2] - x[k * 2 + 1]) / 2;
        mid_out[i] = (y[k * 2] + y[k * 2 + 1]) / 2;
        side_out[i] = (y[k * 2] - y[k * 2 + 1]) / 2;
    }
    /* mid at -6 dBFS: 14 dB over 4:1, 10.5 dB down; side at -40: untouched */
    CHECK_NEAR(20 * log10(rms(mid_out, tail, 1) / rms(mid_in, tail, 1)), -10.5, 0.1);
    CHECK_NEAR(20 * log10(rms(side_out, tail, 1) / rms(side_in, tail, 1)), 0, 0.01);
    processor_free(pr);

    /* linked: one gain for both channels, from the louder */
    for (long i = 0; i < len; i++) {
        x[i * 2] = y[i * 2] = 0.5 * sin(2 * M_PI * 1000 * i / RATE);
        x[i * 2 + 1] = y[i * 2 + 1] = 0.01 * sin(2 * M_PI * 1500 * i / RATE);
    }
    pr = comp(&base, 2, 4096);
    run(pr, y, len, 2, 4096);
    long mismatched = 0;
    for (long i = 1000; i < len; i++)
        if (fabs(x[i * 2]) > 1e-3 && fabs(x[i * 2 + 1]) > 1e-4 &&
            fabs(y[i * 2] / x[i * 2] - y[i * 2 + 1] / x[i * 2 + 1]) > 1e-9)
            mismatched++;
    CHECK_EQ_INT(mismatched, 0);
    CHECK_NEAR(20 * log10(rms(y + (len - tail) * 2 + 1, tail, 2) / rms(x + (len - tail) * 2 + 1, tail, 2)),
               -10.5, 0.1);
    processor_free(pr);
    free(x);
    free(y);
    free(mid_in);
    free(mid_out);
    free(side_in);
    free(side_out);
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
    rng_state = 42;
    for (long i = 0; i < frames; i++)
        for (int c = 0; c < channels; c++) {
            double t = i / RATE;
            double env = fmod(t, 0.3) < 0.15 ? 1 : 0.1;
            buf[i * channels + c] = env * (0.6 * sin(2 * M_PI * (80 + 40 * c) * t) +
                                           0.2 * urand());
        }
    return buf;
}

TEST(comp_block_size_independence)
{
    const int blocks[] = { 1, 7, 64, 65536 };
    struct comp_settings variants[3] = { base, base, base };
    variants[1].detector = DETECT_RMS;
    variants[1].hp = 120;
    variants[1].mix = 70;
    variants[2].link = LINK_MIDSIDE;
    variants[2].knee = 10;
    const int chans[] = { 2, 6 };
    long len = 48000;
    for (int v = 0; v < 3; v++)
        for (int ci = 0; ci < 2; ci++) {
            int ch = chans[ci];
            double *ref = NULL;
            for (int b = 0; b < 4; b++) {
                double *buf = program(len, ch);
                struct processor *pr = comp(&variants[v], ch, blocks[b]);
                CHECK(pr != NULL);
                run(pr, buf, len, ch, blocks[b]);
                if (!ref) {
                    ref = buf;
                } else {
                    CHECK_MSG(memcmp(ref, buf, (size_t)len * ch * sizeof *buf) == 0,
                              "variant %d, %d channels: blocks of %d differ", v, ch, blocks[b]);
                    free(buf);
                }
                processor_free(pr);
            }
            free(ref);
        }
}

/* Six channels, midside asked for: linked instead, one gain for all. */
TEST(comp_six_channels)
{
    int ch = 6;
    long len = 48000;
    double *x = program(len, ch), *y = program(len, ch);
    struct comp_settings s = base;
    s.link = LINK_MIDSIDE;
    struct processor *pr = comp(&s, ch, 4096);
    run(pr, y, len, ch, 4096);
    long mismatched = 0, reduced = 0;
    for (long i = 0; i < len; i++) {
        double g = y[i * ch] / x[i * ch];
        if (fabs(x[i * ch]) < 1e-3)
            continue;
        reduced += g < 0.9;
        for (int c = 1; c < ch; c++)
            if (fabs(x[i * ch + c]) > 1e-3 && fabs(y[i * ch + c] / x[i * ch + c] - g) > 1e-9)
                mismatched++;
    }
    CHECK(reduced > 1000);
    CHECK_EQ_INT(mismatched, 0);
    processor_free(pr);
    free(x);
    free(y);
}

/* Latency 0: an impulse under the threshold comes out at once, unchanged. */
TEST(comp_latency_zero)
{
    struct processor *pr = comp(&base, 2, 256);
    CHECK_EQ_INT(processor_latency(pr), 0);
    double buf[512] = { 0 };
    buf[100 * 2] = 0.05;
    buf[100 * 2 + 1] = -0.02;
    run(pr, buf, 256, 2, 256);
    for (int i = 0; i < 256; i++) {
        double want0 = i == 100 ? 0.05 : 0, want1 = i == 100 ? -0.02 : 0;
        CHECK(buf[i * 2] == want0 && buf[i * 2 + 1] == want1);
    }
    processor_free(pr);
}

TEST(comp_copy_state_and_reset)
{
    long len = 24000;
    struct comp_settings s = base;
    s.detector = DETECT_RMS;
    s.hp = 100;
    double *a = program(len, 2), *b = program(len, 2), *c = program(len, 2), *d = program(len, 2);
    struct processor *p1 = comp(&s, 2, 4096), *p2 = comp(&s, 2, 4096), *fresh = comp(&s, 2, 4096);
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
