/* SPDX-License-Identifier: MIT */
/* Tests of the true-peak limiter: hostile signals against libebur128's
 * true-peak meter, transparency, latency, block-size independence, and its
 * shortcuts against the same limiter computing every point. */
#include <ebur128.h>
#include <stdint.h>
#include <stdlib.h>

#include "dsp/processor.h"
#include "dsp/truepeak.h"
#include "tests/harness.h"

/* From dsp/limiter.c, for tests only: its table, the same limiter without
 * its shortcuts (not in the registry), and a hook that lets stage 1 aim
 * over the ceiling so that stage 2 has work to do. */
extern const struct processor_ops limit_ops;
extern const struct processor_ops limit_exact_ops;
void limit_test_aim_over(void *state, double db);

static uint64_t rng_state;

static double urand(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (double)(rng_state >> 11) / 9007199254740992.0 * 2 - 1;
}

static struct processor *limiter(double ceiling, double rate, int channels, int max_block)
{
    struct proc p;
    proc_init(&p, PROC_LIMIT);
    proc_set(&p, LIMIT_CEILING, ceiling);
    return processor_new(&p, rate, channels, max_block);
}

static void run(struct processor *pr, double *buf, long frames, int channels, int block)
{
    for (long i = 0; i < frames; i += block) {
        int n = frames - i < block ? (int)(frames - i) : block;
        processor_process(pr, buf + i * channels, n);
    }
}

/* Largest true peak and sample peak over all channels, as libebur128 sees
 * them (its 4x interpolator below 96 kHz, 2x below 192 kHz). */
static void ebur_peaks(const double *buf, long frames, int channels, double rate,
                       double *tp, double *sp)
{
    ebur128_state *st = ebur128_init((unsigned)channels, (unsigned long)rate,
                                     EBUR128_MODE_TRUE_PEAK);
    CHECK(st != NULL);
    ebur128_add_frames_double(st, buf, (size_t)frames);
    *tp = *sp = 0;
    for (int c = 0; c < channels; c++) {
        double v;
        ebur128_true_peak(st, (unsigned)c, &v);
        *tp = fmax(*tp, v);
        ebur128_sample_peak(st, (unsigned)c, &v);
        *sp = fmax(*sp, v);
    }
    ebur128_destroy(&st);
}

/* ---- hostile signals: sample i of channel c at `rate` ---- */

#define NSIGNALS 22

static const char *const signal_names[NSIGNALS] = {
    "fs/4 sine 45deg +3dB", "fs/4 sine 45deg +12dB", "fs/6 sine 60deg +6dB",
    "square 1kHz 0dB", "square 5kHz +6dB", "nyquist +3.5dB",
    "uniform noise +12dB", "sum-of-uniforms noise +12dB", "clipped drum bursts +6dB",
    "DC steps +6dB", "DC step to +12dB", "impulses +18dB", "impulse pairs +12dB",
    "log sweep +6dB", "sweep to nyquist +6dB", "fs/6 with fs/4 burst +6dB",
    "sparse spikes +30dB", "two tones 19k+20k +6dB", "anti-phase square +6dB",
    "noise bursts from silence +20dB", "AM sine +10dB", "fs/4 square pattern +6dB",
};

static double hostile(int kind, long i, int c, double rate, long len)
{
    double t = i / rate;
    switch (kind) {
    case 0: return 1.41 * sin(M_PI / 2 * i + M_PI / 4);
    case 1: return 4.0 * sin(M_PI / 2 * i + M_PI / 4 + c);
    case 2: return 2.0 * sin(M_PI / 3 * i + M_PI / 3);
    case 3: return fmod(t * 1000, 1) < 0.5 ? 1 : -1;
    case 4: return fmod(t * 5000 + 0.1 * c, 1) < 0.5 ? 2 : -2;
    case 5: return (i & 1) ? 1.5 : -1.5;
    case 6: return 3.98 * urand();
    case 7: return 3.98 * (urand() + urand() + urand()) / 1.5;
    case 8: {
        double e = exp(-fmod(t, 0.25) * 30);
        double v = 4 * e * sin(2 * M_PI * 60 * t) + 2 * e * urand();
        return 2 * fmax(-1, fmin(1, v));
    }
    case 9: return fmod(t, 0.2) < 0.1 ? 2 : -2;
    case 10: return t < 0.1 ? 0 : 4;
    case 11: return i % 4410 == 100 ? 8 : 0;
    case 12: return i % 3000 == 50 ? 4 : i % 3000 == 51 ? -4 : 0;
    case 13: {
        double k = log(rate / 2 / 20) / (len / rate);
        return 2 * sin(2 * M_PI * 20 * (exp(k * t) - 1) / k);
    }
    case 14: {
        double f0 = 15000, f1 = rate / 2, dur = len / rate;
        return 2 * sin(2 * M_PI * (f0 * t + (f1 - f0) * t * t / (2 * dur)));
    }
    case 15: {
        long burst = (long)(0.2 * rate) / 12 * 12;
        if (i >= burst && i < burst + 4)
            return 2 * sin(M_PI / 2 * (i - burst));
        return 1 * sin(M_PI / 3 * i);
    }
    case 16: return urand() > 0.98 ? 30 * urand() : 0.1 * urand();
    case 17: return sin(2 * M_PI * 19000 * t) + sin(2 * M_PI * 20000 * t + c);
    case 18: return (c & 1 ? -1 : 1) * (fmod(t * 3000, 1) < 0.5 ? 2 : -2);
    case 19: return fmod(t, 0.05) < 0.01 ? 10 * urand() : 0;
    case 20: return 3.16 * sin(2 * M_PI * 1000 * t) * (0.5 + 0.5 * sin(2 * M_PI * 10 * t));
    case 21: return ((i >> 1) & 1) ? 2 : -2;
    }
    return 0;
}

TEST(limiter_hostile_signals_stay_under_the_ceiling)
{
    const double rates[] = { 44100, 48000, 96000 };
    const double ceilings[] = { -1, -0.1, -3 };
    double worst_tp = -100, worst_sp = -100;
    int runs = 0, failures = 0;
    rng_state = 0x9e3779b97f4a7c15ull;
    for (int ri = 0; ri < 3; ri++)
        for (int ci = 0; ci < 3; ci++)
            for (int k = 0; k < NSIGNALS; k++) {
                double rate = rates[ri], ceiling = ceilings[ci];
                int ch = 2;
                long len = (long)(0.5 * rate);
                struct processor *pr = limiter(ceiling, rate, ch, 4096);
                CHECK(pr != NULL);
                long frames = len + processor_latency(pr) + 64;   /* let it all out */
                double *buf = calloc((size_t)frames * ch, sizeof *buf);
                for (long i = 0; i < len; i++)
                    for (int c = 0; c < ch; c++)
                        buf[i * ch + c] = hostile(k, i, c, rate, len);
                run(pr, buf, frames, ch, 1 + (runs * 37) % 4096);
                double tp, sp, lim = pow(10, ceiling / 20);
                ebur_peaks(buf, frames, ch, rate, &tp, &sp);
                worst_tp = fmax(worst_tp, 20 * log10(tp) - ceiling);
                worst_sp = fmax(worst_sp, 20 * log10(sp) - ceiling);
                if (!(tp <= lim && sp <= lim)) {
                    failures++;
                    harness_fail(__FILE__, __LINE__,
                                 "%s at %.0f Hz, ceiling %.1f: true peak %+.4f, sample peak %+.4f dBFS",
                                 signal_names[k], rate, ceiling, 20 * log10(tp), 20 * log10(sp));
                }
                processor_free(pr);
                free(buf);
                runs++;
            }
    printf("    %d runs, %d over; highest true peak %+.4f dB, sample peak %+.4f dB "
           "relative to the ceiling\n", runs, failures, worst_tp, worst_sp);
}

/* Every hostile signal is really hostile: before limiting, its true peak is
 * above every ceiling used. */
TEST(limiter_hostile_signals_are_over_before)
{
    rng_state = 1;
    for (int k = 0; k < NSIGNALS; k++) {
        double rate = 48000;
        long len = (long)(0.5 * rate);
        double *buf = calloc((size_t)len * 2, sizeof *buf);
        for (long i = 0; i < len; i++)
            for (int c = 0; c < 2; c++)
                buf[i * 2 + c] = hostile(k, i, c, rate, len);
        double tp, sp;
        ebur_peaks(buf, len, 2, rate, &tp, &sp);
        CHECK_MSG(20 * log10(tp) > 0, "%s: true peak %+.2f dBFS", signal_names[k],
                  20 * log10(tp));
        free(buf);
    }
}

/* A signal well under the ceiling comes out bit for bit, only delayed;
 * and after a loud passage the gain comes back to exactly unity. */
TEST(limiter_passes_quiet_signals_unchanged)
{
    double rate = 48000;
    long len = 48000;
    struct processor *pr = limiter(-1, rate, 2, 512);
    int lat = processor_latency(pr);
    double *in = calloc((size_t)len * 2, sizeof *in), *buf = calloc((size_t)len * 2, sizeof *buf);
    rng_state = 7;
    for (long i = 0; i < len; i++)
        for (int c = 0; c < 2; c++)
            in[i * 2 + c] = 0.3 * sin(2 * M_PI * 440 * i / rate + c) + 0.1 * urand();
    memcpy(buf, in, (size_t)len * 2 * sizeof *buf);
    run(pr, buf, len, 2, 512);
    long same = 0;
    for (long i = lat; i < len; i++)
        same += buf[i * 2] == in[(i - lat) * 2] && buf[i * 2 + 1] == in[(i - lat) * 2 + 1];
    CHECK_EQ_INT(same, len - lat);
    for (long i = 0; i < lat * 2; i++)
        CHECK(buf[i] == 0);
    CHECK(processor_gain_reduction(pr) == 0);

    /* 0.2 s at +6 dB, then 2 s quiet: the release (60 ms) must have ended */
    long loud = 9600, total = 9600 + 96000;
    double *x = calloc((size_t)total, sizeof *x), *y = calloc((size_t)total, sizeof *y);
    for (long i = 0; i < total; i++)
        x[i] = (i < loud ? 2 : 0.3) * sin(2 * M_PI * 440 * i / rate);
    memcpy(y, x, (size_t)total * sizeof *y);
    struct processor *mono = limiter(-1, rate, 1, 4096);
    run(mono, y, total, 1, 4096);
    CHECK(processor_gain_reduction(mono) == 0);
    long tail = total - 4800;
    long exact = 0;
    for (long i = tail; i < total; i++)
        exact += y[i] == x[i - lat];
    CHECK_EQ_INT(exact, total - tail);
    processor_free(mono);
    processor_free(pr);
    free(in);
    free(buf);
    free(x);
    free(y);
}

TEST(limiter_latency_is_the_lookahead)
{
    const double rates[] = { 44100, 48000, 96000 };
    const double lookaheads[] = { 1, 2, 5 };
    for (int ri = 0; ri < 3; ri++)
        for (int li = 0; li < 3; li++) {
            struct proc p;
            proc_init(&p, PROC_LIMIT);
            proc_set(&p, LIMIT_LOOKAHEAD, lookaheads[li]);
            struct processor *pr = processor_new(&p, rates[ri], 2, 256);
            int lat = processor_latency(pr);
            CHECK_EQ_INT(lat, lround(lookaheads[li] / 1000 * rates[ri]));
            long len = lat + 400;
            double *buf = calloc((size_t)len * 2, sizeof *buf);
            buf[100 * 2] = 0.5;
            buf[100 * 2 + 1] = -0.25;
            run(pr, buf, len, 2, 256);
            long first = -1;
            for (long i = 0; i < len && first < 0; i++)
                if (buf[i * 2] != 0 || buf[i * 2 + 1] != 0)
                    first = i;
            CHECK_EQ_INT(first, 100 + lat);
            CHECK(buf[(100 + lat) * 2] == 0.5 && buf[(100 + lat) * 2 + 1] == -0.25);
            processor_free(pr);
            free(buf);
        }
}

/* The reduction a steady loud tone gets is the one the ceiling asks for. */
TEST(limiter_gain_reduction_of_a_steady_tone)
{
    double rate = 48000;
    long len = 48000;
    double *buf = calloc((size_t)len, sizeof *buf);
    for (long i = 0; i < len; i++)
        buf[i] = 2 * sin(2 * M_PI * 997 * i / rate);
    struct processor *pr = limiter(-1, rate, 1, 4096);
    run(pr, buf, len, 1, 4096);
    /* +6.02 dBTP (a 997 Hz sine reads its amplitude) down to 1.05 dB under
     * -1 dBTP: the margin stage 1 keeps */
    CHECK_NEAR(processor_gain_reduction(pr), 20 * log10(2) + 1.05, 0.02);
    double peak = 0;
    for (long i = len / 2; i < len; i++)
        peak = fmax(peak, fabs(buf[i]));
    CHECK_NEAR(20 * log10(peak), -1.05, 0.02);
    processor_free(pr);
    free(buf);
}

static double *program(long frames, int channels, double rate)
{
    double *buf = malloc((size_t)frames * channels * sizeof *buf);
    rng_state = 99;
    for (long i = 0; i < frames; i++)
        for (int c = 0; c < channels; c++) {
            double t = i / rate;
            double kick = exp(-fmod(t, 0.5) * 12) * sin(2 * M_PI * 55 * t) * 3;
            buf[i * channels + c] = kick + 0.8 * sin(2 * M_PI * (300 + 50 * c) * t) +
                                    (fmod(t, 0.125) < 0.01 ? 2 * urand() : 0.05 * urand());
        }
    return buf;
}

TEST(limiter_block_size_independence)
{
    const int blocks[] = { 1, 7, 64, 65536 };
    const int chans[] = { 2, 6 };
    for (int ci = 0; ci < 2; ci++) {
        int ch = chans[ci];
        long len = 48000;
        double *ref = NULL;
        for (int b = 0; b < 4; b++) {
            double *buf = program(len, ch, 48000);
            struct processor *pr = limiter(-1, 48000, ch, blocks[b]);
            run(pr, buf, len, ch, blocks[b]);
            if (!ref)
                ref = buf;
            else {
                CHECK_MSG(memcmp(ref, buf, (size_t)len * ch * sizeof *buf) == 0,
                          "%d channels, blocks of %d differ from blocks of 1", ch, blocks[b]);
                free(buf);
            }
            processor_free(pr);
        }
        free(ref);
    }
}

/* Six channels: every channel under the ceiling, one gain for all. */
TEST(limiter_six_channels_linked)
{
    int ch = 6;
    long len = 48000;
    double *in = program(len, ch, 48000);
    for (long i = 0; i < len; i++)
        in[i * ch + 3] *= 0.1;   /* a quiet LFE-like channel */
    double *buf = malloc((size_t)len * ch * sizeof *buf);
    memcpy(buf, in, (size_t)len * ch * sizeof *buf);
    struct processor *pr = limiter(-1, 48000, ch, 1024);
    int lat = processor_latency(pr);
    run(pr, buf, len, ch, 1024);
    double tp, sp;
    ebur_peaks(buf, len, ch, 48000, &tp, &sp);
    CHECK(tp <= pow(10, -1 / 20.0));
    long mismatched = 0, reduced = 0;
    for (long i = lat; i < len; i++) {
        const double *x = in + (i - lat) * ch, *y = buf + i * ch;
        if (fabs(x[0]) < 1e-3)
            continue;
        double g = y[0] / x[0];
        reduced += g < 0.99;
        for (int c = 1; c < ch; c++)
            if (fabs(x[c]) > 1e-3 && fabs(y[c] / x[c] - g) > 1e-9)
                mismatched++;
    }
    CHECK(reduced > 1000);
    CHECK_EQ_INT(mismatched, 0);
    processor_free(pr);
    free(in);
    free(buf);
}

/* A copy of the state carries on exactly as the original would; reset
 * starts over as a fresh instance. */
TEST(limiter_copy_state_and_reset)
{
    long len = 24000;
    double *a = program(len, 2, 48000), *b = program(len, 2, 48000), *c = program(len, 2, 48000);
    struct processor *p1 = limiter(-1, 48000, 2, 4096), *p2 = limiter(-1, 48000, 2, 4096);
    run(p1, a, len / 2, 2, 4096);
    memcpy(b, a, (size_t)len / 2 * 2 * sizeof *b);
    processor_copy_state(p2, p1);
    run(p1, a + len, len / 2, 2, 4096);
    run(p2, b + len, len / 2, 2, 4096);
    CHECK(memcmp(a, b, (size_t)len * 2 * sizeof *a) == 0);
    processor_reset(p1);
    struct processor *fresh = limiter(-1, 48000, 2, 4096);
    double *d = program(len, 2, 48000);
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

/* Non-finite input does not poison the output. */
TEST(limiter_survives_nan_and_inf)
{
    long len = 4800;
    double *buf = program(len, 2, 48000);
    buf[1000] = NAN;
    buf[1001] = INFINITY;
    buf[2001] = -INFINITY;
    struct processor *pr = limiter(-1, 48000, 2, 4800);
    run(pr, buf, len, 2, 4800);
    long bad = 0;
    for (long i = 0; i < len * 2; i++)
        bad += !isfinite(buf[i]) || fabs(buf[i]) > pow(10, -1 / 20.0);
    CHECK_EQ_INT(bad, 0);
    processor_free(pr);
    free(buf);
}

/* The limiter's own BS.1770 4x view agrees at 96 kHz too, where libebur128
 * only interpolates 2x. */
TEST(limiter_bs1770_4x_at_96k)
{
    rng_state = 5;
    for (int k = 0; k < NSIGNALS; k++) {
        double rate = 96000;
        long len = 48000;
        struct processor *pr = limiter(-1, rate, 1, 4096);
        long frames = len + processor_latency(pr) + 64;
        double *buf = calloc((size_t)frames, sizeof *buf);
        for (long i = 0; i < len; i++)
            buf[i] = hostile(k, i, 0, rate, len);
        run(pr, buf, frames, 1, 4096);
        struct truepeak_filter f;
        truepeak_bs1770(&f);
        double tp = truepeak_measure(&f, buf, frames, 1, 0);
        CHECK_MSG(tp <= pow(10, -1 / 20.0), "%s: %+.4f dBTP", signal_names[k], 20 * log10(tp));
        processor_free(pr);
        free(buf);
    }
}

/* The limiter keeps libebur128's own points under the ceiling, so its copy
 * of that interpolator must compute what libebur128 computes (which
 * rounds through float: 1e-6 is the limiter's allowance for it). */
TEST(truepeak_sinc_matches_libebur128)
{
    const double rates[] = { 44100, 48000, 96000 };
    rng_state = 11;
    for (int r = 0; r < 3; r++)
        for (int k = 1; k <= 3; k++) {
            long n = 20000;
            double *buf = malloc((size_t)n * sizeof *buf);
            for (long i = 0; i < n; i++)
                buf[i] = 0.5 * k * urand();
            struct truepeak_filter f[TRUEPEAK_MAX_FILTERS];
            int nf = truepeak_filters_for_rate(f, rates[r]);
            CHECK_EQ_INT(nf, 2);
            /* libebur128 stops at the last sample: no zeros after it */
            const struct truepeak_filter *s = &f[1];
            double mine = 0;
            for (long m = 0; m < n; m++) {
                mine = fmax(mine, fabs(buf[m]));
                for (int p = 0; p < s->phases; p++) {
                    double acc = 0;
                    for (int t = 0; t < s->taps && t <= m; t++)
                        acc += s->h[p][t] * buf[m - t];
                    mine = fmax(mine, fabs(acc));
                }
            }
            double tp, sp;
            ebur_peaks(buf, n, 1, rates[r], &tp, &sp);
            CHECK_NEAR(tp / mine, 1, 1e-6);
            free(buf);
        }
}

/* EBU Tech 3341 cases 15-19 through the BS.1770 table: within the
 * specification's +0.2/-0.4 dB of -6, -6, -6, -6 and +3 dBTP. */
TEST(truepeak_bs1770_tech3341)
{
    struct { int period; double amp, phase_deg, want; } cases[] = {
        { 4, 0.5, 0, -6 }, { 4, 0.5, 45, -6 }, { 6, 0.5, 60, -6 },
        { 8, 0.5, 67.5, -6 }, { 4, 1.41, 45, 3 },
    };
    struct truepeak_filter f;
    truepeak_bs1770(&f);
    for (int k = 0; k < 5; k++) {
        long n = 48000, fade = 480;
        double *buf = malloc((size_t)n * sizeof *buf);
        for (long i = 0; i < n; i++) {
            double env = i < fade ? (double)i / fade : i > n - fade ? (double)(n - i) / fade : 1;
            buf[i] = env * cases[k].amp *
                     sin(2 * M_PI * i / cases[k].period + cases[k].phase_deg * M_PI / 180);
        }
        double db = 20 * log10(truepeak_measure(&f, buf, n, 1, 0));
        CHECK_MSG(db <= cases[k].want + 0.2 && db >= cases[k].want - 0.4,
                  "case %d: %+.3f dBTP", 15 + k, db);
        free(buf);
    }
}

/* Quiet passages, loud ones and bursts well over the ceiling, so that the
 * limiter's bounds hold over some stretches and not over others. */
static double sometimes_loud(long i, int c, double rate)
{
    double t = i / rate, phase = fmod(t, 0.3);
    double level = phase < 0.12 ? 0.2 : phase < 0.2 ? 0.7 : 2;
    if (i % 7919 == 11)
        return 3 * urand();   /* a lone spike, even in the quiet */
    return level * (0.6 * sin(2 * M_PI * (97 + 31 * c) * t) +
                    0.3 * sin(2 * M_PI * 2911 * t + c) + 0.1 * urand());
}

/* The worst input of each filter at `rate` for its sum-of-|taps| bound: the
 * signs of its largest phase's taps, over and over, at a level that sweeps
 * slowly from `from` to `to` times `ceiling` / bound, filter after filter. */
static double worst_case(long i, int c, double rate, long len, double ceiling, double from,
                         double to)
{
    struct truepeak_filter f[TRUEPEAK_MAX_FILTERS];
    int nf = truepeak_filters_for_rate(f, rate);
    long part = len / nf;
    const struct truepeak_filter *g = &f[i / part < nf ? i / part : nf - 1];
    int best = 0;
    double most = 0;
    for (int p = 0; p < g->phases; p++) {
        double sum = 0;
        for (int t = 0; t < g->taps; t++)
            sum += fabs(g->h[p][t]);
        if (sum > most) {
            most = sum;
            best = p;
        }
    }
    double level = from + (to - from) * (double)(i % part) / part;
    double tap = g->h[best][g->taps - 1 - i % g->taps];
    return (c ? -1 : 1) * (tap < 0 ? -1 : 1) * level * pow(10, ceiling / 20) /
           truepeak_gain_bound(g);
}

/* Spikes of random size and sign in clusters: stage 1's gain changes fast. */
static double spike_clusters(long i, int c)
{
    double size = 1 + 9 * fabs(urand());
    return i % 400 < 30 ? (urand() > 0 ? size : -size) : 0;
}

/* Runs `ops` over buf in blocks of `block`, writing the gain reduction after
 * each block into gr. With aim_over > 0 stage 1 lets peaks through up to
 * that many dB over the ceiling, so that stage 2 has work to do. */
static void run_ops(const struct processor_ops *ops, const struct proc *p, double rate,
                    int ch, double *buf, long frames, int block, double *gr, double aim_over)
{
    void *st = ops->create(p, rate, ch, block);
    CHECK(st != NULL);
    if (!st)
        return;
    if (aim_over > 0)
        limit_test_aim_over(st, aim_over);
    for (long i = 0, b = 0; i < frames; i += block, b++) {
        int n = frames - i < block ? (int)(frames - i) : block;
        ops->process(st, buf + i * ch, n);
        gr[b] = ops->gain_reduction(st);
    }
    ops->destroy(st);
}

/* Whether the limiter with its shortcuts puts out exactly what it does
 * computing every point, sample for sample and meter for meter. */
static int same_as_exact(const struct proc *p, double rate, int ch, const double *in,
                         long frames, int block, double aim_over)
{
    size_t bytes = (size_t)frames * ch * sizeof *in;
    long nblocks = (frames + block - 1) / block;
    double *a = malloc(bytes), *b = malloc(bytes);
    double *ga = calloc((size_t)nblocks, sizeof *ga), *gb = calloc((size_t)nblocks, sizeof *gb);
    memcpy(a, in, bytes);
    memcpy(b, in, bytes);
    run_ops(&limit_ops, p, rate, ch, a, frames, block, ga, aim_over);
    run_ops(&limit_exact_ops, p, rate, ch, b, frames, 4096, gb, aim_over);
    int same = memcmp(a, b, bytes) == 0;
    if (block == 4096)
        same = same && memcmp(ga, gb, (size_t)nblocks * sizeof *ga) == 0;
    free(a);
    free(b);
    free(ga);
    free(gb);
    return same;
}

TEST(limiter_shortcuts_change_nothing)
{
    const double rates[] = { 44100, 48000, 96000, 192000 };
    const int chans[] = { 1, 2, 3, 6 };
    const double ceilings[] = { -1, -0.1, -6 };
    int runs = 0;
    for (int ri = 0; ri < 4; ri++)
        for (int ci = 0; ci < 4; ci++) {
            double rate = rates[ri];
            int ch = chans[ci];
            long frames = (long)(0.6 * rate);
            double *in = malloc((size_t)frames * ch * sizeof *in);
            rng_state = 21 + runs;
            long quiet = 0, over = 0;
            for (long i = 0; i < frames; i++) {
                double most = 0;
                for (int c = 0; c < ch; c++) {
                    in[i * ch + c] = sometimes_loud(i, c, rate);
                    most = fmax(most, fabs(in[i * ch + c]));
                }
                quiet += most < 0.25;
                over += most > 1;
            }
            /* the signal really is quiet for a while and over for a while */
            CHECK_MSG(quiet > frames / 5 && over > frames / 10, "%.0f Hz %d ch: quiet %ld over %ld of %ld", rate, ch, quiet, over, frames);
            struct proc p;
            proc_init(&p, PROC_LIMIT);
            proc_set(&p, LIMIT_CEILING, ceilings[runs % 3]);
            proc_set(&p, LIMIT_RELEASE, runs % 2 ? 5 : 200);
            int block = runs % 2 ? 4096 : 1 + (runs * 389) % 3000;
            CHECK_MSG(same_as_exact(&p, rate, ch, in, frames, block, 0),
                      "%.0f Hz, %d channels, ceiling %.1f, blocks of %d: shortcuts changed the output",
                      rate, ch, ceilings[runs % 3], block);
            free(in);
            runs++;
        }
    /* each filter's worst case around the level where its bound stops
     * holding, and around the level where points reach the ceiling */
    for (int ri = 0; ri < 4; ri++)
        for (int wi = 0; wi < 2; wi++) {
            double rate = rates[ri];
            long frames = (long)(0.4 * rate);
            double *in = malloc((size_t)frames * 2 * sizeof *in);
            for (long i = 0; i < frames; i++)
                for (int c = 0; c < 2; c++)
                    in[i * 2 + c] = wi ? worst_case(i, c, rate, frames, -1, 0.95, 1.05)
                                       : worst_case(i, c, rate, frames, -1, 0.7, 1.7);
            struct proc p;
            proc_init(&p, PROC_LIMIT);
            CHECK_MSG(same_as_exact(&p, rate, 2, in, frames, 1 + wi * 1000, 0),
                      "%.0f Hz, worst case %d: shortcuts changed the output", rate, wi);
            free(in);
        }
    /* the hostile set too */
    for (int k = 0; k < NSIGNALS; k++) {
        double rate = 48000;
        long frames = 12000;
        double *in = malloc((size_t)frames * 2 * sizeof *in);
        rng_state = 3 + k;
        for (long i = 0; i < frames; i++)
            for (int c = 0; c < 2; c++)
                in[i * 2 + c] = hostile(k, i, c, rate, frames);
        struct proc p;
        proc_init(&p, PROC_LIMIT);
        proc_set(&p, LIMIT_CEILING, -0.1);
        CHECK_MSG(same_as_exact(&p, rate, 2, in, frames, 4096, 0),
                  "%s: shortcuts changed the output", signal_names[k]);
        free(in);
    }
}

/* Stage 1 almost never leaves stage 2 anything to do, so its shortcuts
 * are tried with stage 1 aiming over the ceiling: stage 2 then acts on
 * points whose gains vary along them, which is where its bound is close. */
TEST(limiter_stage2_shortcuts_change_nothing)
{
    const double rates[] = { 44100, 96000 };
    const double over_db[] = { 0.3, 1, 3, 12 };
    /* -1: sometimes_loud, -2: spike_clusters, -3: worst_case */
    const int kinds[] = { -1, -2, -3, 6, 8, 14, 16 };
    int runs = 0;
    for (int ri = 0; ri < 2; ri++)
        for (int oi = 0; oi < 4; oi++)
            for (int ki = 0; ki < 7; ki++) {
                double rate = rates[ri];
                long frames = (long)(0.25 * rate);
                double *in = malloc((size_t)frames * 2 * sizeof *in);
                rng_state = 40 + runs;
                for (long i = 0; i < frames; i++)
                    for (int c = 0; c < 2; c++)
                        in[i * 2 + c] =
                            kinds[ki] == -1   ? sometimes_loud(i, c, rate)
                            : kinds[ki] == -2 ? spike_clusters(i, c)
                            : kinds[ki] == -3 ? worst_case(i, c, rate, frames, -1, 0.5, 4)
                                              : hostile(kinds[ki], i, c, rate, frames);
                struct proc p;
                proc_init(&p, PROC_LIMIT);
                proc_set(&p, LIMIT_RELEASE, runs % 2 ? 10 : 300);
                proc_set(&p, LIMIT_LOOKAHEAD, runs % 3 ? 0.5 : 2);
                CHECK_MSG(same_as_exact(&p, rate, 2, in, frames, 1 + (runs * 613) % 2000,
                                        over_db[oi]),
                          "%.0f Hz, signal %d, stage 1 aiming %+.1f dB: shortcuts changed the output",
                          rate, kinds[ki], over_db[oi]);
                free(in);
                runs++;
            }
}

/* truepeak_gain_bound bounds every point, and closely: the signal that
 * takes the sign of each tap of the largest phase reaches it. */
TEST(truepeak_gain_bound_is_reached)
{
    const double rates[] = { 44100, 96000, 192000 };
    for (int r = 0; r < 3; r++) {
        struct truepeak_filter f[TRUEPEAK_MAX_FILTERS];
        int nf = truepeak_filters_for_rate(f, rates[r]);
        for (int i = 0; i < nf; i++) {
            double bound = truepeak_gain_bound(&f[i]), best = 0;
            for (int p = 0; p < f[i].phases; p++) {
                int n = f[i].taps;
                double x[TRUEPEAK_MAX_TAPS];
                for (int t = 0; t < n; t++)   /* x[n - 1 - t] meets tap t */
                    x[n - 1 - t] = f[i].h[p][t] < 0 ? -1 : 1;
                best = fmax(best, truepeak_measure(&f[i], x, n, 1, 0));
            }
            CHECK_MSG(best <= bound && best >= bound / (1 + 1e-9),
                      "%.0f Hz, filter %d: worst point %.15f, bound %.15f", rates[r], i, best,
                      bound);
            CHECK(bound > 1.5 && bound < 3);
        }
    }
}

/* Garbage as loud as a corrupt float file can hold must not switch stage 1
 * off for good: the moving sums once rounded its gain to 0, whose log left
 * the envelope at NaN, and stage 1 let everything through from then on. */
TEST(limiter_recovers_after_absurd_input)
{
    double rate = 48000;
    long len = 4 * 48000, loud = 3 * 48000;
    double *buf = calloc((size_t)len, sizeof *buf);
    for (long i = 0; i < 10; i++)   /* a file that starts with garbage */
        buf[i] = i & 1 ? 1e20 : -1e20;
    for (long i = loud; i < len; i++)
        buf[i] = 2 * sin(2 * M_PI * 997 * i / rate);
    struct processor *pr = limiter(-1, rate, 1, 4096);
    run(pr, buf, len, 1, 4096);
    /* the same reduction as for the steady tone alone, and no more */
    CHECK_NEAR(processor_gain_reduction(pr), 20 * log10(2) + 1.05, 0.02);
    double peak = 0;
    for (long i = len - 24000; i < len; i++)
        peak = fmax(peak, fabs(buf[i]));
    CHECK_NEAR(20 * log10(peak), -1.05, 0.02);
    processor_free(pr);
    free(buf);
}
