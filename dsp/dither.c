/* SPDX-License-Identifier: MIT */
/* TPDF dither, error-feedback noise shaping and quantization (see dither.h). */
#include "dsp/dither.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define MAX_TAPS 5

/* standards.md §6.2, SoX's Lipshitz set for 44.1 kHz. */
static const double lipshitz[MAX_TAPS] = { 2.033, -2.165, 1.959, -1.590, 0.6149 };
static const double first_order[1] = { 1.0 };

/* Invariant: hist[ch * MAX_TAPS + k] is channel ch's error e[n-1-k], in LSB. */
struct dither {
    int channels;
    enum dither_mode mode;
    enum dither_shaping shaping;
    const double *taps;
    int ntaps;
    double scale;       /* 2^(bits-1): LSB per full scale */
    double lo, hi;      /* the integer range */
    uint64_t seed;
    int64_t clipped;
    double *hist;
};

/* The splitmix64 finalizer: every input bit affects every output bit. */
static uint64_t mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

uint64_t dither_seed(int rate, int bits, int mode, int shaping)
{
    uint64_t s = 0x6c61746865646974ULL;     /* "lathedit" */
    s = mix64(s ^ (uint32_t)rate);
    s = mix64(s ^ (uint32_t)bits);
    s = mix64(s ^ (uint32_t)mode);
    return mix64(s ^ (uint32_t)shaping);
}

/* TPDF noise in LSB, in (-1, 1): the sum of the two 32-bit halves of one
 * hash of (seed, position, channel), each mapped to [-1/2, 1/2). */
static double tpdf(uint64_t seed, int64_t pos, int ch)
{
    uint64_t h = mix64(seed + (uint64_t)pos * 0x9e3779b97f4a7c15ULL);
    h = mix64(h ^ ((uint64_t)(ch + 1) * 0xd1b54a32d192ed03ULL));
    const double unit = 1.0 / 4294967296.0;
    return (double)(h >> 32) * unit + (double)(h & 0xffffffffu) * unit - 1.0;
}

enum dither_shaping dither_shaping_for(enum dither_mode mode, int rate)
{
    if (mode != DITHER_SHAPED)
        return SHAPING_NONE;
    return fabs(rate - 44100.0) <= 0.05 * 44100.0 ? SHAPING_LIPSHITZ
                                                   : SHAPING_FIRST_ORDER;
}

struct dither *dither_new(int channels, int bits, enum dither_mode mode,
                          int rate)
{
    if (channels < 1 || bits < 8 || bits > 24 || rate <= 0 ||
        mode < DITHER_OFF || mode > DITHER_SHAPED)
        return NULL;
    struct dither *d = calloc(1, sizeof *d);
    if (!d)
        return NULL;
    d->hist = calloc((size_t)channels * MAX_TAPS, sizeof *d->hist);
    if (!d->hist) {
        free(d);
        return NULL;
    }
    d->channels = channels;
    d->mode = mode;
    d->shaping = dither_shaping_for(mode, rate);
    if (d->shaping == SHAPING_LIPSHITZ) {
        d->taps = lipshitz;
        d->ntaps = 5;
    } else if (d->shaping == SHAPING_FIRST_ORDER) {
        d->taps = first_order;
        d->ntaps = 1;
    }
    d->scale = ldexp(1.0, bits - 1);
    d->lo = -d->scale;
    d->hi = d->scale - 1;
    d->seed = dither_seed(rate, bits, mode, d->shaping);
    return d;
}

void dither_free(struct dither *d)
{
    if (!d)
        return;
    free(d->hist);
    free(d);
}

static bool frame_is_silent(const double *x, int channels)
{
    for (int ch = 0; ch < channels; ch++)
        if (x[ch] != 0.0)
            return false;
    return true;
}

/* Records e as the newest error of a channel's history. */
static void push_error(double *h, int ntaps, double e)
{
    if (ntaps == 0)
        return;
    for (int k = ntaps - 1; k > 0; k--)
        h[k] = h[k - 1];
    h[0] = e;
}

void dither_process(struct dither *d, const double *in, int32_t *out,
                    int frames, int64_t position)
{
    for (int f = 0; f < frames; f++) {
        const double *x = in + (long)f * d->channels;
        int32_t *y = out + (long)f * d->channels;
        if (frame_is_silent(x, d->channels)) {
            for (int ch = 0; ch < d->channels; ch++) {
                y[ch] = 0;
                push_error(d->hist + ch * MAX_TAPS, d->ntaps, 0.0);
            }
            continue;
        }
        for (int ch = 0; ch < d->channels; ch++) {
            double *h = d->hist + ch * MAX_TAPS;
            double v = x[ch] * d->scale;
            for (int k = 0; k < d->ntaps; k++)
                v -= d->taps[k] * h[k];
            double noise = d->mode == DITHER_OFF ? 0.0
                                                 : tpdf(d->seed, position + f, ch);
            double q = floor(v + noise + 0.5);
            double e = q - v;
            push_error(h, d->ntaps, isfinite(e) ? e : 0.0);
            if (!(q >= d->lo && q <= d->hi)) {
                d->clipped++;
                q = q > d->hi ? d->hi : isnan(q) ? 0.0 : d->lo;
            }
            y[ch] = (int32_t)q;
        }
    }
}

int64_t dither_clipped(const struct dither *d)
{
    return d->clipped;
}

enum dither_shaping dither_shaping(const struct dither *d)
{
    return d->shaping;
}

void dither_reset(struct dither *d)
{
    memset(d->hist, 0, (size_t)d->channels * MAX_TAPS * sizeof *d->hist);
    d->clipped = 0;
}

void dither_copy_state(struct dither *dst, const struct dither *src)
{
    if (dst->channels != src->channels)
        return;
    memcpy(dst->hist, src->hist, (size_t)dst->channels * MAX_TAPS * sizeof *dst->hist);
}
