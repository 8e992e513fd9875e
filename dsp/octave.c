/* SPDX-License-Identifier: MIT */
/* The 1/3-octave bank: a 6th-order Butterworth band-pass per band, as three
 * biquads in double precision, and the mean power of each band's output. */
#include "dsp/octave.h"

#include <complex.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The lowest band is 10^(-17/10) kHz. */
#define FIRST_BAND -17
#define SECTIONS 3
/* Frames mixed down at a time; the filters then run band by band over them. */
#define CHUNK 1024

/* One biquad with zeros at z = 1 and z = -1 (the band-pass's zeros at
 * s = 0 and s = infinity under the bilinear transform):
 *   y = g (x - x[-2]) - a1 y[-1] - a2 y[-2], in transposed direct form II. */
struct section {
    double g, a1, a2;
    double s1, s2;
};

struct band {
    bool on;                /* the upper edge lies below the Nyquist frequency */
    struct section sec[SECTIONS];
    double sum;             /* of the squared output since the last restart */
};

struct octave_bank {
    int rate, channels;
    long frames;            /* averaged since the last restart */
    struct band band[OCTAVE_BANDS];
    double *mono;           /* CHUNK frames */
};

double octave_band_centre(int i)
{
    return 1000.0 * pow(10.0, (i + FIRST_BAND) / 10.0);
}

const char *octave_band_label(int i)
{
    static const char *const labels[OCTAVE_BANDS] = {
        "20", "25", "31.5", "40", "50", "63", "80", "100", "125", "160", "200",
        "250", "315", "400", "500", "630", "800", "1k", "1.25k", "1.6k", "2k",
        "2.5k", "3.15k", "4k", "5k", "6.3k", "8k", "10k", "12.5k", "16k", "20k",
    };
    return i >= 0 && i < OCTAVE_BANDS ? labels[i] : "";
}

/* The analog prototype: a Butterworth band-pass between the pre-warped
 * edges w1 and w2 (s = 1 - z^-1 over 1 + z^-1, so w = tan(pi f / rate)).
 * The band-pass maps each low-pass pole p to the roots of
 * s^2 - p B s + w0^2; the roots in the upper half plane, with their
 * conjugates, give one biquad each. Each biquad is scaled to unit gain at
 * the centre, which keeps the intermediate signals at the input's level. */
static void design(struct band *b, double f1, double f2, double rate)
{
    double w1 = tan(M_PI * f1 / rate), w2 = tan(M_PI * f2 / rate);
    double bw = w2 - w1, w0sq = w1 * w2;
    double complex lp[SECTIONS] = { cexp(I * 2 * M_PI / 3), -1, cexp(-I * 2 * M_PI / 3) };
    /* the digital centre: tan(theta / 2) = w0 */
    double complex zc = cexp(I * 2 * atan(sqrt(w0sq)));
    for (int k = 0; k < SECTIONS; k++) {
        double complex root = csqrt(lp[k] * lp[k] * bw * bw - 4 * w0sq);
        double complex s = (lp[k] * bw + root) / 2, s2 = (lp[k] * bw - root) / 2;
        if (cimag(s2) > cimag(s))
            s = s2;
        double complex z = (1 + s) / (1 - s);
        struct section *q = &b->sec[k];
        q->a1 = -2 * creal(z);
        q->a2 = creal(z) * creal(z) + cimag(z) * cimag(z);
        double complex zi = 1 / zc;
        double gain = cabs((1 - zi * zi) / (1 + q->a1 * zi + q->a2 * zi * zi));
        q->g = 1 / gain;
        q->s1 = q->s2 = 0;
    }
}

struct octave_bank *octave_bank_new(int rate, int channels)
{
    if (rate < 8000 || channels < 1)
        return NULL;
    struct octave_bank *b = calloc(1, sizeof *b);
    if (!b)
        return NULL;
    b->mono = malloc(CHUNK * sizeof *b->mono);
    if (!b->mono) {
        free(b);
        return NULL;
    }
    b->rate = rate;
    b->channels = channels;
    /* Base-ten band edges: the centre times 10^(+-1/20). */
    double half = pow(10.0, 0.05);
    for (int i = 0; i < OCTAVE_BANDS; i++) {
        double fc = octave_band_centre(i);
        b->band[i].on = fc * half < rate / 2.0;
        if (b->band[i].on)
            design(&b->band[i], fc / half, fc * half, rate);
    }
    return b;
}

void octave_bank_free(struct octave_bank *b)
{
    if (!b)
        return;
    free(b->mono);
    free(b);
}

void octave_bank_reset(struct octave_bank *b)
{
    for (int i = 0; i < OCTAVE_BANDS; i++) {
        for (int k = 0; k < SECTIONS; k++)
            b->band[i].sec[k].s1 = b->band[i].sec[k].s2 = 0;
        b->band[i].sum = 0;
    }
    b->frames = 0;
}

/* One band over n frames. The state lives in locals, and the sum of
 * squares is carried on in the same order whatever n is, so the result
 * does not depend on how the signal was cut. */
static void run_band(struct band *bd, const double *x, int n)
{
    struct section *q = bd->sec;
    double g0 = q[0].g, a10 = q[0].a1, a20 = q[0].a2, s10 = q[0].s1, s20 = q[0].s2;
    double g1 = q[1].g, a11 = q[1].a1, a21 = q[1].a2, s11 = q[1].s1, s21 = q[1].s2;
    double g2 = q[2].g, a12 = q[2].a1, a22 = q[2].a2, s12 = q[2].s1, s22 = q[2].s2;
    double sum = bd->sum;
    for (int i = 0; i < n; i++) {
        double v = g0 * x[i];
        double y = v + s10;
        s10 = s20 - a10 * y;
        s20 = -v - a20 * y;
        v = g1 * y;
        y = v + s11;
        s11 = s21 - a11 * y;
        s21 = -v - a21 * y;
        v = g2 * y;
        y = v + s12;
        s12 = s22 - a12 * y;
        s22 = -v - a22 * y;
        sum += y * y;
    }
    q[0].s1 = s10, q[0].s2 = s20;
    q[1].s1 = s11, q[1].s2 = s21;
    q[2].s1 = s12, q[2].s2 = s22;
    bd->sum = sum;
}

void octave_bank_process(struct octave_bank *b, const double *x, long frames)
{
    int ch = b->channels;
    while (frames > 0) {
        int n = frames < CHUNK ? (int)frames : CHUNK;
        for (int i = 0; i < n; i++) {
            double acc = 0;
            for (int c = 0; c < ch; c++)
                acc += x[(long)i * ch + c];
            b->mono[i] = acc / ch;
        }
        for (int k = 0; k < OCTAVE_BANDS; k++)
            if (b->band[k].on)
                run_band(&b->band[k], b->mono, n);
        b->frames += n;
        x += (long)n * ch;
        frames -= n;
    }
}

void octave_bank_read(struct octave_bank *b, double db[OCTAVE_BANDS], bool restart)
{
    for (int i = 0; i < OCTAVE_BANDS; i++) {
        struct band *bd = &b->band[i];
        /* a full-scale sine has a mean power of 1/2 */
        db[i] = bd->on && b->frames > 0 ? 10 * log10(2 * bd->sum / (double)b->frames)
                                        : -HUGE_VAL;
        if (restart)
            bd->sum = 0;
    }
    if (restart)
        b->frames = 0;
}
