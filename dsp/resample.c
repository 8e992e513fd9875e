/* SPDX-License-Identifier: MIT */
/* Streaming sample-rate conversion over libsamplerate (see resample.h). */
#include "dsp/resample.h"

#include <math.h>
#include <samplerate.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* Invariants: `consumed` counts the input frames taken since the start of the
 * stream, `emitted` the output frames handed out; on drain, output stops at
 * resampler_out_length(consumed). `src` is NULL for a passthrough. */
struct resampler {
    int channels;
    double in_rate, out_rate, ratio;
    int quality;
    int max_in, max_out;
    SRC_STATE *src;
    float *fin;         /* max_in * channels */
    float *fout;        /* max_out * channels */
    int64_t consumed, emitted;
    bool draining;      /* drain has begun: no more input */
    bool src_done;      /* libsamplerate has given its whole tail */
};

static int converter_of(int quality)
{
    switch (quality) {
    case RESAMPLE_MEDIUM: return SRC_SINC_MEDIUM_QUALITY;
    case RESAMPLE_FAST: return SRC_SINC_FASTEST;
    default: return SRC_SINC_BEST_QUALITY;
    }
}

int64_t resampler_out_length(int64_t in_frames, double in_rate,
                             double out_rate)
{
    /* Integer rates (all real ones) round exactly, ties upward. */
    if (in_rate == floor(in_rate) && out_rate == floor(out_rate) &&
        in_rate >= 1 && in_rate < 1e7 && out_rate >= 1 && out_rate < 1e7 &&
        in_frames >= 0 && in_frames < INT64_C(1) << 39) {
        int64_t a = (int64_t)in_rate, b = (int64_t)out_rate;
        return (2 * in_frames * b + a) / (2 * a);
    }
    return (int64_t)floor((double)in_frames * out_rate / in_rate + 0.5);
}

/* Allocates everything but the libsamplerate state. */
static struct resampler *alloc_resampler(int channels, double in_rate,
                                         double out_rate, int quality,
                                         int max_in_frames)
{
    struct resampler *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->channels = channels;
    r->in_rate = in_rate;
    r->out_rate = out_rate;
    r->ratio = out_rate / in_rate;
    r->quality = quality;
    r->max_in = max_in_frames;
    /* libsamplerate gives at most ceil(ratio * k) + 1 frames for k input
     * frames in one call (measured over every converter and ratios from
     * 1/24 to 24); the margin keeps well clear of that. */
    double most = ceil(r->ratio * max_in_frames) + 16;
    if (most > 1 << 28) {
        free(r);
        return NULL;
    }
    r->max_out = in_rate == out_rate ? max_in_frames : (int)most;
    if (in_rate != out_rate) {
        r->fin = malloc((size_t)r->max_in * channels * sizeof *r->fin);
        r->fout = malloc((size_t)r->max_out * channels * sizeof *r->fout);
        if (!r->fin || !r->fout) {
            free(r->fin);
            free(r->fout);
            free(r);
            return NULL;
        }
    }
    return r;
}

struct resampler *resampler_new(int channels, double in_rate, double out_rate,
                                int quality, int max_in_frames)
{
    if (channels < 1 || !(in_rate > 0) || !(out_rate > 0) ||
        max_in_frames < 1 || !isfinite(in_rate) || !isfinite(out_rate) ||
        !src_is_valid_ratio(out_rate / in_rate))
        return NULL;
    struct resampler *r = alloc_resampler(channels, in_rate, out_rate,
                                          quality, max_in_frames);
    if (!r || in_rate == out_rate)
        return r;
    int err = 0;
    r->src = src_new(converter_of(quality), channels, &err);
    if (!r->src) {
        resampler_free(r);
        return NULL;
    }
    return r;
}

void resampler_free(struct resampler *r)
{
    if (!r)
        return;
    if (r->src)
        src_delete(r->src);
    free(r->fin);
    free(r->fout);
    free(r);
}

int resampler_max_out(const struct resampler *r)
{
    return r->max_out;
}

static void widen(const float *f, double *d, long n)
{
    for (long i = 0; i < n; i++)
        d[i] = f[i];
}

int resampler_process(struct resampler *r, const double *in, int frames,
                      double *out)
{
    if (frames < 0 || frames > r->max_in || r->draining)
        return -1;
    long n = (long)frames * r->channels;
    r->consumed += frames;
    if (!r->src) {
        memmove(out, in, (size_t)n * sizeof *out);
        r->emitted += frames;
        return frames;
    }
    for (long i = 0; i < n; i++)
        r->fin[i] = (float)in[i];
    long in_left = frames, written = 0;
    const float *ip = r->fin;
    while (in_left > 0) {
        SRC_DATA d = {
            .data_in = ip,
            .data_out = r->fout + written * r->channels,
            .input_frames = in_left,
            .output_frames = r->max_out - written,
            .src_ratio = r->ratio,
        };
        if (src_process(r->src, &d) != 0)
            return -1;
        ip += d.input_frames_used * r->channels;
        in_left -= d.input_frames_used;
        written += d.output_frames_gen;
        /* Output space can only run out if libsamplerate broke the bound
         * max_out was sized for: report it rather than lose input. */
        if (d.input_frames_used == 0 && in_left > 0)
            return -1;
    }
    widen(r->fout, out, written * r->channels);
    r->emitted += written;
    return (int)written;
}

int resampler_drain(struct resampler *r, double *out, int max_frames)
{
    int64_t left = resampler_out_length(r->consumed, r->in_rate, r->out_rate) -
                   r->emitted;
    r->draining = true;
    if (!r->src || left <= 0 || max_frames <= 0)
        return 0;
    long want = left;
    if (want > max_frames)
        want = max_frames;
    if (want > r->max_out)
        want = r->max_out;
    long got = 0;
    if (!r->src_done) {
        SRC_DATA d = {
            .data_in = r->fin,
            .data_out = r->fout,
            .input_frames = 0,
            .output_frames = want,
            .end_of_input = 1,
            .src_ratio = r->ratio,
        };
        if (src_process(r->src, &d) != 0)
            return -1;
        got = d.output_frames_gen;
        if (got == 0)
            r->src_done = true;
    }
    if (r->src_done) {
        /* libsamplerate's tail fell short of the exact length: pad. */
        memset(r->fout, 0, (size_t)want * r->channels * sizeof *r->fout);
        got = want;
    }
    widen(r->fout, out, got * r->channels);
    r->emitted += got;
    return (int)got;
}

int resampler_latency(const struct resampler *r)
{
    (void)r;
    return 0;
}

void resampler_reset(struct resampler *r)
{
    if (r->src)
        src_reset(r->src);
    r->consumed = r->emitted = 0;
    r->draining = r->src_done = false;
}

struct resampler *resampler_clone(const struct resampler *r)
{
    struct resampler *c = alloc_resampler(r->channels, r->in_rate, r->out_rate,
                                          r->quality, r->max_in);
    if (!c)
        return NULL;
    if (r->src) {
        int err = 0;
        c->src = src_clone(r->src, &err);
        if (!c->src) {
            resampler_free(c);
            return NULL;
        }
    }
    c->consumed = r->consumed;
    c->emitted = r->emitted;
    c->draining = r->draining;
    c->src_done = r->src_done;
    return c;
}
