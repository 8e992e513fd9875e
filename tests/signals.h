/* SPDX-License-Identifier: MIT */
/* Test signals made in code, shared by test_loudness, test_intake and the
 * make_signal tool: the EBU Tech 3341 and 3342 cases (standards §5.6, §5.7)
 * with their expected readings, and mixes built to trip one intake check
 * each. Header-only, because each test program is built from one file. */
#ifndef LATHE_TEST_SIGNALS_H
#define LATHE_TEST_SIGNALS_H

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SIGNAL_SILENCE -1000.0      /* a segment level meaning digital silence */

/* What an EBU case expects, and how its reading is named in lathe's JSON. */
enum ebu_measure { EBU_I, EBU_M, EBU_S, EBU_TP, EBU_LRA };

struct ebu_expect {
    enum ebu_measure what;
    double value;
    double below, above;    /* accepted: value - below .. value + above */
    double steady_after;    /* M or S: also the reading at every hop after
                               this many seconds (unit tests); < 0: max only */
};

struct ebu_segment {
    double seconds;
    double dbfs;            /* per-channel peak level of the 1 kHz tone */
};

struct ebu_case {
    char name[16];          /* "3341-1", "3341-13-07", "3342-4" */
    int channels;
    double channel_db[5];   /* per-channel offsets (case 6: 5.0) */
    struct ebu_segment seg[5];
    int nseg;
    int repeat;             /* the segments are played this many times */
    /* True-peak cases 15-19 instead: A sin(2 pi n / period + phase) */
    int period;
    double amplitude;
    double phase_deg;
    struct ebu_expect expect[3];
    int nexpect;
};

static inline const char *ebu_measure_key(enum ebu_measure m)
{
    static const char *const keys[] = { "integrated", "momentary_max", "shortterm_max",
                                        "true_peak_max", "lra" };
    return keys[m];
}

#define EBU_EXPECT_LOUDNESS(w, v, steady) { w, v, 0.1, 0.1, steady }
#define EBU_EXPECT_TP(v) { EBU_TP, v, 0.4, 0.2, -1 }
#define EBU_EXPECT_LRA(v) { EBU_LRA, v, 1.0, 1.0, -1 }

/* Fills `out` (room for 64) with every case; returns how many. */
static inline int ebu_cases(struct ebu_case *out)
{
    static const struct ebu_case fixed[] = {
        { "3341-1", 2, {0}, { { 20, -23 } }, 1, 1, 0, 0, 0,
          { EBU_EXPECT_LOUDNESS(EBU_M, -23, 0.4), EBU_EXPECT_LOUDNESS(EBU_S, -23, 3.0),
            EBU_EXPECT_LOUDNESS(EBU_I, -23, -1) }, 3 },
        { "3341-2", 2, {0}, { { 20, -33 } }, 1, 1, 0, 0, 0,
          { EBU_EXPECT_LOUDNESS(EBU_M, -33, 0.4), EBU_EXPECT_LOUDNESS(EBU_S, -33, 3.0),
            EBU_EXPECT_LOUDNESS(EBU_I, -33, -1) }, 3 },
        { "3341-3", 2, {0}, { { 10, -36 }, { 60, -23 }, { 10, -36 } }, 3, 1, 0, 0, 0,
          { EBU_EXPECT_LOUDNESS(EBU_I, -23, -1) }, 1 },
        { "3341-4", 2, {0}, { { 10, -72 }, { 10, -36 }, { 60, -23 }, { 10, -36 }, { 10, -72 } },
          5, 1, 0, 0, 0, { EBU_EXPECT_LOUDNESS(EBU_I, -23, -1) }, 1 },
        { "3341-5", 2, {0}, { { 20, -26 }, { 20.1, -20 }, { 20, -26 } }, 3, 1, 0, 0, 0,
          { EBU_EXPECT_LOUDNESS(EBU_I, -23, -1) }, 1 },
        { "3341-6", 5, { -28, -28, -24, -30, -30 }, { { 20, 0 } }, 1, 1, 0, 0, 0,
          { EBU_EXPECT_LOUDNESS(EBU_I, -23, -1) }, 1 },
        { "3341-9", 2, {0}, { { 1.34, -20 }, { 1.66, -30 } }, 2, 5, 0, 0, 0,
          { EBU_EXPECT_LOUDNESS(EBU_S, -23, 3.0) }, 1 },
        { "3341-12", 2, {0}, { { 0.18, -20 }, { 0.22, -30 } }, 2, 25, 0, 0, 0,
          { EBU_EXPECT_LOUDNESS(EBU_M, -23, 1.0) }, 1 },
        { "3341-15", 2, {0}, { { 1, 0 } }, 1, 1, 4, 0.50, 0, { EBU_EXPECT_TP(-6.0) }, 1 },
        { "3341-16", 2, {0}, { { 1, 0 } }, 1, 1, 4, 0.50, 45, { EBU_EXPECT_TP(-6.0) }, 1 },
        { "3341-17", 2, {0}, { { 1, 0 } }, 1, 1, 6, 0.50, 60, { EBU_EXPECT_TP(-6.0) }, 1 },
        { "3341-18", 2, {0}, { { 1, 0 } }, 1, 1, 8, 0.50, 67.5, { EBU_EXPECT_TP(-6.0) }, 1 },
        { "3341-19", 2, {0}, { { 1, 0 } }, 1, 1, 4, 1.41, 45, { EBU_EXPECT_TP(3.0) }, 1 },
        { "3342-1", 2, {0}, { { 20, -20 }, { 20, -30 } }, 2, 1, 0, 0, 0,
          { EBU_EXPECT_LRA(10) }, 1 },
        { "3342-2", 2, {0}, { { 20, -20 }, { 20, -15 } }, 2, 1, 0, 0, 0,
          { EBU_EXPECT_LRA(5) }, 1 },
        { "3342-3", 2, {0}, { { 20, -40 }, { 20, -20 } }, 2, 1, 0, 0, 0,
          { EBU_EXPECT_LRA(20) }, 1 },
        { "3342-4", 2, {0}, { { 20, -50 }, { 20, -35 }, { 20, -20 }, { 20, -35 }, { 20, -50 } },
          5, 1, 0, 0, 0, { EBU_EXPECT_LRA(15) }, 1 },
    };
    int n = 0;
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++) {
        out[n++] = fixed[i];
        if (strcmp(fixed[i].name, "3341-12") != 0)
            continue;
        /* Case 13: 20 files, i * 20 ms of silence, 400 ms at -23, 1 s of silence. */
        for (int k = 0; k < 20; k++) {
            struct ebu_case c = { .channels = 2, .nseg = 3, .repeat = 1, .nexpect = 1 };
            snprintf(c.name, sizeof c.name, "3341-13-%02d", k % 100);
            c.seg[0] = (struct ebu_segment){ 0.02 * k, SIGNAL_SILENCE };
            c.seg[1] = (struct ebu_segment){ 0.4, -23 };
            c.seg[2] = (struct ebu_segment){ 1.0, SIGNAL_SILENCE };
            c.expect[0] = (struct ebu_expect)EBU_EXPECT_LOUDNESS(EBU_M, -23, -1);
            out[n++] = c;
        }
    }
    return n;
}

/* Renders a case at `rate`: interleaved, malloc'ed, frame count in *frames.
 * The tone's phase runs on across segments, as the spec asks. */
static inline double *ebu_render(const struct ebu_case *c, int rate, size_t *frames)
{
    size_t total = 0;
    for (int r = 0; r < c->repeat; r++)
        for (int s = 0; s < c->nseg; s++)
            total += (size_t)llround(c->seg[s].seconds * rate);
    double *buf = calloc(total * (size_t)c->channels + 1, sizeof *buf);
    if (!buf)
        return NULL;
    size_t n = 0;
    for (int r = 0; r < c->repeat; r++)
        for (int s = 0; s < c->nseg; s++) {
            size_t len = (size_t)llround(c->seg[s].seconds * rate);
            double g[5];
            for (int ch = 0; ch < c->channels; ch++)
                g[ch] = c->period > 0 ? 1.0 : c->seg[s].dbfs <= SIGNAL_SILENCE ? 0.0
                      : pow(10.0, (c->seg[s].dbfs + c->channel_db[ch]) / 20.0);
            for (size_t k = 0; k < len; k++, n++) {
                double x;
                if (c->period > 0) {
                    /* 10 ms fades keep the edges out of the peak reading. */
                    double fade = fmin(1.0, fmin((double)k, (double)(len - 1 - k)) / (0.01 * rate));
                    x = fade * c->amplitude *
                        sin(2 * M_PI * (double)n / c->period + c->phase_deg * M_PI / 180.0);
                } else {
                    x = sin(2 * M_PI * 1000.0 * (double)n / rate);
                }
                for (int ch = 0; ch < c->channels; ch++)
                    buf[n * (size_t)c->channels + (size_t)ch] = g[ch] * x;
            }
        }
    *frames = total;
    return buf;
}

/* Mixes for the intake checks: stereo, each made to trip one check. */
enum mix_kind {
    MIX_CLEAN,          /* trips nothing */
    MIX_CLIPPED,        /* driven into full scale */
    MIX_DC,             /* a -40 dBFS offset on L */
    MIX_SILENT_ENDS,    /* 2 s of silence before, 3 s after */
    MIX_POLARITY,       /* R inverted */
    MIX_ANTIPHASE,      /* correlation between -0.5 and 0 */
    MIX_LIMITED,        /* squashed against a -1 dBFS ceiling */
    MIX_HOT,            /* clean, but peaking at -0.3 dBFS */
    MIX_DUAL_MONO,      /* R = L */
    MIX_DEAD_RIGHT,     /* R silent */
    MIX_SILENT,         /* nothing at all */
    MIX_OVERS,          /* float samples above 0 dBFS, not clipped */
    MIX_KINDS
};

static inline const char *mix_name(enum mix_kind k)
{
    static const char *const names[] = { "clean", "clipped", "dc", "silent-ends",
        "polarity", "antiphase", "limited", "hot", "dual-mono", "dead-right", "silent",
        "overs" };
    return names[k];
}

static inline double signal_noise(uint64_t *s)
{
    /* xorshift64*, then a sum of four uniforms: roughly Gaussian, unit variance. */
    double acc = 0.0;
    for (int i = 0; i < 4; i++) {
        *s ^= *s >> 12;
        *s ^= *s << 25;
        *s ^= *s >> 27;
        acc += (double)((*s * 2685821657736338717ULL) >> 11) / 9007199254740992.0 - 0.5;
    }
    return acc * sqrt(3.0);
}

static inline void scale_to_peak(double *buf, size_t samples, double dbfs)
{
    double peak = 0.0;
    for (size_t i = 0; i < samples; i++)
        peak = fmax(peak, fabs(buf[i]));
    double g = pow(10.0, dbfs / 20.0) / peak;
    for (size_t i = 0; i < samples; i++)
        buf[i] *= g;
}

/* A band-ish mix: kick and snare hits, a bass, a pad that moves, and some
 * independent noise per side so L and R correlate about 0.8. Peaks at
 * -3 dBFS, no DC. */
static inline void mix_clean(double *buf, size_t frames, int rate)
{
    uint64_t seed = 0x9E3779B97F4A7C15ULL;
    for (size_t n = 0; n < frames; n++) {
        double t = (double)n / rate;
        double beat = fmod(t, 0.5), off = fmod(t + 0.25, 0.5);
        double kick = exp(-beat * 25.0) * sin(2 * M_PI * (45.0 * beat + 1.2 * (1 - exp(-beat * 40.0))));
        double snare = exp(-off * 30.0) * signal_noise(&seed) * 0.35;
        double bass = 0.25 * sin(2 * M_PI * 55.0 * t) * (0.7 + 0.3 * sin(2 * M_PI * 0.5 * t));
        double pad = 0.08 * (sin(2 * M_PI * 220.0 * t) + sin(2 * M_PI * 277.18 * t) +
                             sin(2 * M_PI * 329.63 * t)) * (0.6 + 0.4 * sin(2 * M_PI * 0.2 * t));
        double common = 0.8 * kick + snare + bass + pad;
        double l = common + 0.06 * signal_noise(&seed) + 0.05 * sin(2 * M_PI * 660.0 * t);
        double r = common + 0.06 * signal_noise(&seed) + 0.05 * sin(2 * M_PI * 441.0 * t);
        buf[2 * n] = l;
        buf[2 * n + 1] = r;
    }
    for (int c = 0; c < 2; c++) {
        double mean = 0.0;
        for (size_t n = 0; n < frames; n++)
            mean += buf[2 * n + c];
        mean /= (double)frames;
        for (size_t n = 0; n < frames; n++)
            buf[2 * n + c] -= mean;
    }
    scale_to_peak(buf, 2 * frames, -3.0);
}

/* Renders a stereo mix of `seconds` at `rate`; malloc'ed, frames in *frames. */
static inline double *mix_render(enum mix_kind kind, int rate, double seconds, size_t *frames)
{
    size_t body = (size_t)llround(seconds * rate);
    size_t head = kind == MIX_SILENT_ENDS ? (size_t)(2 * rate) : 0;
    size_t tail = kind == MIX_SILENT_ENDS ? (size_t)(3 * rate) : 0;
    size_t total = head + body + tail;
    double *buf = calloc(2 * total, sizeof *buf);
    if (!buf)
        return NULL;
    double *b = buf + 2 * head;
    mix_clean(b, body, rate);
    switch (kind) {
    case MIX_CLEAN: case MIX_SILENT_ENDS:
        break;
    case MIX_CLIPPED:
        for (size_t i = 0; i < 2 * body; i++)
            b[i] = fmax(-1.0, fmin(1.0, b[i] * 2.5));
        break;
    case MIX_DC:
        for (size_t n = 0; n < body; n++)
            b[2 * n] += 0.01;
        break;
    case MIX_POLARITY:
        for (size_t n = 0; n < body; n++)
            b[2 * n + 1] = -b[2 * n + 1];
        break;
    case MIX_ANTIPHASE: {
        /* R = -L + b sigma noise correlates -1/sqrt(1 + b^2) = -0.3 with L. */
        uint64_t seed = 12345;
        double power = 0.0;
        for (size_t n = 0; n < body; n++)
            power += b[2 * n] * b[2 * n];
        double sigma = sqrt(power / (double)body);
        for (size_t n = 0; n < body; n++)
            b[2 * n + 1] = -b[2 * n] + 3.18 * sigma * signal_noise(&seed);
        scale_to_peak(b, 2 * body, -3.0);
        break;
    }
    case MIX_LIMITED:
        /* 26 dB into a soft clipper that tops out at -1 dBFS. */
        for (size_t i = 0; i < 2 * body; i++)
            b[i] = 0.891 * tanh(b[i] * 20.0);
        break;
    case MIX_HOT:
        scale_to_peak(b, 2 * body, -0.3);
        break;
    case MIX_DUAL_MONO:
        for (size_t n = 0; n < body; n++)
            b[2 * n + 1] = b[2 * n];
        break;
    case MIX_DEAD_RIGHT:
        for (size_t n = 0; n < body; n++)
            b[2 * n + 1] = 0.0;
        break;
    case MIX_SILENT:
        memset(b, 0, 2 * body * sizeof *b);
        break;
    case MIX_OVERS:
        scale_to_peak(b, 2 * body, +3.0);
        break;
    case MIX_KINDS:
        break;
    }
    *frames = total;
    return buf;
}

#endif
