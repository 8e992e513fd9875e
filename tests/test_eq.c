/* SPDX-License-Identifier: MIT */
/* Tests of the EQ processor: responses against the analog prototypes,
 * stability near Nyquist, block-size independence, state and latency. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dsp/chain.h"
#include "dsp/processor.h"
#include "session/params.h"
#include "tests/harness.h"

#define NPOINTS 40
/* Below this the measurement drowns in the filter's own rounding noise;
 * there the check is only that the output is at least this far down. */
#define FLOOR_DB (-200.0)

static int points_compared, points_floored;

static const double rates[] = { 44100, 48000, 96000 };
static const int slopes[] = { 6, 12, 18, 24, 36, 48 };

/* Analog frequency after prewarping, relative to the prewarped corner:
 * the bilinear transform maps f to this point of the prototype. */
static double warped(double f, double fc, double rate)
{
    return tan(M_PI * f / rate) / tan(M_PI * fc / rate);
}

/* |H(jx)|^2 of s^2 + b s + c, written out on its own. */
static double quad2(double x, double a2, double b, double c)
{
    double re = c - a2 * x * x, im = b * x;
    return re * re + im * im;
}

/* The analog prototype's magnitude in dB, for the settings in `p`. */
static double analytic_db(const struct proc *p, double rate, double f)
{
    int type = (int)proc_get(p, EQ_TYPE);
    double fc = proc_get(p, EQ_FREQ), q = proc_get(p, EQ_Q);
    double a = pow(10, proc_get(p, EQ_GAIN) / 40), ra = sqrt(a);
    int order = (int)proc_get(p, EQ_SLOPE) / 6;
    double x = warped(f, fc, rate);
    double h2;
    switch (type) {
    case EQ_BELL:       /* (s^2 + s A/Q + 1) / (s^2 + s/(A Q) + 1) */
        h2 = quad2(x, 1, a / q, 1) / quad2(x, 1, 1 / (a * q), 1);
        break;
    case EQ_LOWSHELF:   /* A (s^2 + s sqrt(A)/Q + A) / (A s^2 + s sqrt(A)/Q + 1) */
        h2 = a * a * quad2(x, 1, ra / q, a) / quad2(x, a, ra / q, 1);
        break;
    case EQ_HIGHSHELF:  /* A (A s^2 + s sqrt(A)/Q + 1) / (s^2 + s sqrt(A)/Q + A) */
        h2 = a * a * quad2(x, a, ra / q, 1) / quad2(x, 1, ra / q, a);
        break;
    case EQ_LOWPASS:
        if (order == 2)  /* 1 / (s^2 + s/Q + 1) */
            h2 = 1 / quad2(x, 1, 1 / q, 1);
        else             /* Butterworth */
            h2 = 1 / (1 + pow(x, 2 * order));
        break;
    default:            /* highpass */
        if (order == 2)  /* s^2 / (s^2 + s/Q + 1) */
            h2 = x * x * x * x / quad2(x, 1, 1 / q, 1);
        else
            h2 = 1 / (1 + pow(1 / x, 2 * order));
        break;
    }
    return 10 * log10(h2);
}

/* Magnitude in dB of the impulse response h[0..n) at f: a DFT at one
 * frequency, the phasor advanced by multiplication. */
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

/* Runs an impulse through the EQ described by `text` and compares its
 * spectrum with the prototype at NPOINTS log-spaced frequencies. Returns
 * the largest deviation in dB above the floor. */
static double check_response(const char *text, double rate)
{
    struct proc p;
    char err[200];
    if (!proc_parse(&p, PROC_EQ, text, err, sizeof err)) {
        CHECK_MSG(0, "%s: %s", text, err);
        return INFINITY;
    }
    int n = (int)(rate / 2);   /* the slowest poles here decay in ~30 ms */
    double *h = calloc((size_t)n, sizeof *h);
    struct processor *eq = processor_new(&p, rate, 1, 4096);
    CHECK(eq && h);
    if (!eq || !h) {
        free(h);
        processor_free(eq);
        return INFINITY;
    }
    h[0] = 1;
    for (int at = 0; at < n; at += 4096)
        processor_process(eq, h + at, n - at < 4096 ? n - at : 4096);
    processor_free(eq);

    double worst = 0, lo = 20, hi = 0.45 * rate;
    for (int i = 0; i < NPOINTS; i++) {
        double f = lo * pow(hi / lo, i / (NPOINTS - 1.0));
        double want = analytic_db(&p, rate, f), got = dft_db(h, n, rate, f);
        if (want < FLOOR_DB) {
            points_floored++;
            CHECK_MSG(got < FLOOR_DB + 1, "%s at %g Hz (rate %g): %.2f dB, expected %.2f dB",
                      text, f, rate, got, want);
            continue;
        }
        points_compared++;
        double d = fabs(got - want);
        if (d > worst)
            worst = d;
        CHECK_MSG(d <= 0.05, "%s at %g Hz (rate %g): %.4f dB, expected %.4f dB",
                  text, f, rate, got, want);
    }
    free(h);
    return worst;
}

TEST(bell_and_shelves_match_the_prototypes)
{
    static const char *const cases[] = {
        "bell 1kHz +6dB q 1", "bell 100Hz -9dB q 4", "bell 10kHz +12dB q 0.3",
        "bell 3kHz -1.5dB q 1.2", "bell 18kHz +4dB q 2",
        "lowshelf 200Hz +6dB", "lowshelf 60Hz -8dB q 1.5", "lowshelf 2kHz +3dB q 0.5",
        "highshelf 5kHz -4dB", "highshelf 12kHz +10dB q 2", "highshelf 300Hz -6dB q 0.6",
    };
    double worst = 0;
    for (size_t r = 0; r < sizeof rates / sizeof rates[0]; r++)
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
            double d = check_response(cases[i], rates[r]);
            if (d > worst)
                worst = d;
        }
    printf("  bell/shelf: largest deviation %.2e dB\n", worst);
}

TEST(highpass_and_lowpass_match_butterworth_at_every_slope)
{
    static const char *const forms[] = {
        "highpass 80Hz slope %ddB", "highpass 2kHz slope %ddB",
        "lowpass 1kHz slope %ddB", "lowpass 15kHz slope %ddB",
    };
    double worst = 0;
    char text[80];
    for (size_t r = 0; r < sizeof rates / sizeof rates[0]; r++)
        for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++)
            for (size_t s = 0; s < sizeof slopes / sizeof slopes[0]; s++) {
                snprintf(text, sizeof text, forms[i], slopes[s]);
                double d = check_response(text, rates[r]);
                if (d > worst)
                    worst = d;
            }
    printf("  highpass/lowpass: largest deviation %.2e dB\n", worst);
    printf("  %d points compared, %d below %.0f dB only checked to be there\n",
           points_compared, points_floored, FLOOR_DB);
}

TEST(twelve_db_filters_take_the_q)
{
    static const char *const cases[] = {
        "highpass 100Hz q 2", "highpass 5kHz q 0.5", "lowpass 8kHz q 3",
        "lowpass 300Hz q 0.6",
    };
    for (size_t r = 0; r < sizeof rates / sizeof rates[0]; r++)
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
            check_response(cases[i], rates[r]);
    /* A strong resonance: +12 dB at the corner in the prototype. */
    check_response("lowpass 1kHz q 4", 48000);
}

/* A deterministic noise source, so that failures reproduce. */
static double noise(uint64_t *s)
{
    *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
    return (double)(int64_t)*s / 9223372036854775808.0;
}

TEST(settings_above_nyquist_stay_stable)
{
    static const char *const cases[] = {
        "lowpass 30kHz slope 48dB", "highpass 30kHz slope 48dB",
        "bell 30kHz +12dB q 0.3", "highshelf 30kHz -12dB", "lowpass 30kHz q 20",
        "highpass 23kHz q 0.1", "lowshelf 30kHz +24dB q 20",
    };
    enum { N = 44100 };
    double *buf = malloc(N * sizeof *buf);
    CHECK(buf);
    for (size_t i = 0; buf && i < sizeof cases / sizeof cases[0]; i++) {
        struct proc p;
        char err[200];
        CHECK(proc_parse(&p, PROC_EQ, cases[i], err, sizeof err));
        struct processor *eq = processor_new(&p, 44100, 1, N);
        CHECK(eq);
        if (!eq)
            continue;
        uint64_t seed = 1;
        for (int k = 0; k < N; k++)
            buf[k] = noise(&seed);
        processor_process(eq, buf, N);
        /* A stable filter's output in the last 0.1 s is bounded like its
         * input; an unstable one has grown by orders of magnitude. */
        double peak = 0;
        for (int k = N - 4410; k < N; k++)
            if (!(fabs(buf[k]) <= peak))
                peak = fabs(buf[k]);
        CHECK_MSG(isfinite(peak) && peak < 100, "%s: peak %g", cases[i], peak);
        processor_free(eq);
    }
    free(buf);
}

/* Output of `text` over `frames` frames of `channels`-channel noise, fed
 * in blocks of `block`. */
static double *run_blocks(const char *text, int channels, int frames, int block)
{
    struct proc p;
    char err[200];
    if (!proc_parse(&p, PROC_EQ, text, err, sizeof err))
        return NULL;
    struct processor *eq = processor_new(&p, 48000, channels, block);
    double *buf = malloc((size_t)frames * channels * sizeof *buf);
    if (!eq || !buf) {
        processor_free(eq);
        free(buf);
        return NULL;
    }
    uint64_t seed = 7;
    for (size_t k = 0; k < (size_t)frames * channels; k++)
        buf[k] = noise(&seed);
    for (int at = 0; at < frames; at += block)
        processor_process(eq, buf + (size_t)at * channels,
                          frames - at < block ? frames - at : block);
    processor_free(eq);
    return buf;
}

TEST(output_does_not_depend_on_block_size)
{
    static const char *const cases[] = {
        "bell 3kHz -1.5dB q 1.2", "highpass 30Hz slope 48dB", "lowpass 9kHz slope 18dB",
    };
    static const int blocks[] = { 7, 64, 65536 };
    static const int chans[] = { 2, 6 };
    enum { FRAMES = 70000 };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        for (size_t c = 0; c < 2; c++) {
            double *ref = run_blocks(cases[i], chans[c], FRAMES, 1);
            CHECK(ref);
            for (size_t b = 0; ref && b < sizeof blocks / sizeof blocks[0]; b++) {
                double *out = run_blocks(cases[i], chans[c], FRAMES, blocks[b]);
                CHECK(out);
                CHECK_MSG(out && memcmp(ref, out, (size_t)FRAMES * chans[c] * sizeof *out) == 0,
                          "%s, %d channels: blocks of %d differ from blocks of 1",
                          cases[i], chans[c], blocks[b]);
                free(out);
            }
            free(ref);
        }
}

/* Bands in a row run as one cascade in a chain (eq's process_run): the
 * output and the state it leaves must be the bands one after another, to
 * the bit, for any channel count, block size and number of sections (past
 * the cascade's 16 a run is split). */
static bool cascade_matches(const char *const *texts, int nbands, int channels, int block)
{
    enum { FRAMES = 20000 };
    struct proc p[8] = { 0 };
    char err[200];
    for (int i = 0; i < nbands; i++)
        if (!proc_parse(&p[i], PROC_EQ, texts[i], err, sizeof err)) {
            CHECK_MSG(0, "%s: %s", texts[i], err);
            return false;
        }
    size_t n = (size_t)FRAMES * channels;
    double *one = malloc(n * sizeof *one), *run = malloc(n * sizeof *run);
    struct processor *band[8] = { 0 };
    struct chain *c = chain_new(p, nbands, 96000, channels, block);
    bool ok = one && run && c;
    for (int i = 0; i < nbands; i++)
        ok = ok && (band[i] = processor_new(&p[i], 96000, channels, block));
    if (ok) {
        uint64_t seed = 12345;
        for (size_t i = 0; i < n; i++) {
            seed = seed * 6364136223846793005u + 1442695040888963407u;
            one[i] = run[i] = ((double)(seed >> 11) / 9007199254740992.0 - 0.5) * (i % 7 ? 0.2 : 1.8);
        }
        /* twice over, so the second half starts from the state the first left */
        for (int half = 0; half < 2; half++)
            for (size_t at = (size_t)half * FRAMES / 2; at < (size_t)(half + 1) * FRAMES / 2;
                 at += (size_t)block) {
                size_t k = (size_t)(half + 1) * FRAMES / 2 - at;
                k = k < (size_t)block ? k : (size_t)block;
                for (int i = 0; i < nbands; i++)
                    processor_process(band[i], one + at * channels, (int)k);
                chain_process(c, run + at * channels, (int)k);
            }
        ok = memcmp(one, run, n * sizeof *one) == 0;
        CHECK_MSG(ok, "%d bands, %d channels, blocks of %d: the cascade differs", nbands,
                  channels, block);
    }
    for (int i = 0; i < nbands; i++)
        processor_free(band[i]);
    chain_free(c);
    free(one);
    free(run);
    return ok;
}

TEST(bands_in_a_row_give_the_bits_of_one_band_after_another)
{
    static const char *const master[] = {
        "highpass 25Hz", "lowshelf 90Hz +0.8dB q 0.7", "bell 250Hz -0.5dB q 1",
        "bell 3kHz -1dB q 1.2", "highshelf 10kHz +1dB q 0.7",
    };
    /* 4 x 4 sections and one: split into runs of 16 and 1 */
    static const char *const steep[] = {
        "highpass 30Hz slope 48dB", "lowpass 18kHz slope 48dB", "highpass 20Hz slope 48dB",
        "lowpass 20kHz slope 48dB", "bell 1kHz +2dB q 2",
    };
    static const int chans[] = { 1, 2, 3, 6 };
    static const int blocks[] = { 1, 37, 4096 };
    for (int c = 0; c < 4; c++)
        for (int b = 0; b < 3; b++) {
            cascade_matches(master, 5, chans[c], blocks[b]);
            cascade_matches(steep, 5, chans[c], blocks[b]);
            cascade_matches(master, 2, chans[c], blocks[b]);
        }
}

TEST(five_one_channels_are_filtered_alike_and_apart)
{
    /* Channel 0 and channel 5 carry the same noise, the others silence
     * or other noise: each channel must come out as if it were alone. */
    enum { FRAMES = 4800, CH = 6 };
    struct proc p;
    char err[200];
    CHECK(proc_parse(&p, PROC_EQ, "lowshelf 120Hz +4dB", err, sizeof err));
    struct processor *eq = processor_new(&p, 48000, CH, FRAMES);
    struct processor *mono = processor_new(&p, 48000, 1, FRAMES);
    double *buf = calloc(FRAMES * CH, sizeof *buf), *one = calloc(FRAMES, sizeof *one);
    CHECK(eq && mono && buf && one);
    if (eq && mono && buf && one) {
        uint64_t a = 3, b = 5;
        for (int f = 0; f < FRAMES; f++) {
            one[f] = buf[f * CH] = buf[f * CH + 5] = noise(&a);
            buf[f * CH + 2] = noise(&b);
        }
        processor_process(eq, buf, FRAMES);
        processor_process(mono, one, FRAMES);
        int same = 1, silent = 1;
        for (int f = 0; f < FRAMES; f++) {
            same &= buf[f * CH] == one[f] && buf[f * CH + 5] == one[f];
            silent &= buf[f * CH + 1] == 0 && buf[f * CH + 3] == 0 && buf[f * CH + 4] == 0;
        }
        CHECK_MSG(same, "channels 0 and 5 differ from a mono run");
        CHECK_MSG(silent, "silent channels picked up signal");
    }
    processor_free(eq);
    processor_free(mono);
    free(buf);
    free(one);
}

TEST(impulse_arrives_at_the_reported_latency)
{
    static const char *const cases[] = {
        "bell 3kHz -3dB q 1", "highshelf 8kHz +2dB", "highpass 20Hz slope 24dB",
    };
    enum { N = 256 };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct proc p;
        char err[200];
        CHECK(proc_parse(&p, PROC_EQ, cases[i], err, sizeof err));
        struct processor *eq = processor_new(&p, 44100, 1, N);
        CHECK(eq);
        if (!eq)
            continue;
        int latency = processor_latency(eq);
        CHECK_EQ_INT(latency, 0);
        double buf[N] = { 0 };
        buf[0] = 1;
        processor_process(eq, buf, N);
        int peak = 0;
        for (int k = 1; k < N; k++)
            if (fabs(buf[k]) > fabs(buf[peak]))
                peak = k;
        CHECK_MSG(peak == latency, "%s: peak at %d, latency %d", cases[i], peak, latency);
        processor_free(eq);
    }
}

TEST(copy_state_and_reset)
{
    enum { N = 2000 };
    struct proc p;
    char err[200];
    CHECK(proc_parse(&p, PROC_EQ, "highpass 50Hz slope 36dB", err, sizeof err));
    struct processor *a = processor_new(&p, 48000, 2, N);
    struct processor *b = processor_new(&p, 48000, 2, N);
    struct processor *fresh = processor_new(&p, 48000, 2, N);
    CHECK(a && b && fresh);
    if (!a || !b || !fresh)
        goto out;
    double x[2 * N], y[2 * N], z[2 * N];
    uint64_t s = 11;
    for (int k = 0; k < 2 * N; k++)
        x[k] = noise(&s);
    memcpy(y, x, sizeof y);
    processor_process(a, y, N);
    /* b takes over where a is and must go on exactly like it. */
    processor_copy_state(b, a);
    memcpy(y, x, sizeof y);
    memcpy(z, x, sizeof z);
    processor_process(a, y, N);
    processor_process(b, z, N);
    CHECK(memcmp(y, z, sizeof y) == 0);
    /* The state really matters: a fresh instance gives something else. */
    memcpy(z, x, sizeof z);
    processor_process(fresh, z, N);
    CHECK(memcmp(y, z, sizeof y) != 0);
    /* After reset, a behaves like a fresh one again. */
    processor_reset(a);
    processor_reset(fresh);
    memcpy(y, x, sizeof y);
    memcpy(z, x, sizeof z);
    processor_process(a, y, N);
    processor_process(fresh, z, N);
    CHECK(memcmp(y, z, sizeof y) == 0);
out:
    processor_free(a);
    processor_free(b);
    processor_free(fresh);
}
